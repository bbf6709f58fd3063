"""sv.geo: the CBS/Kadaster boundaries of every indeling since 2017.

Facts checked against two sources that do not come from socvit's geometry code: the counts of
gemeenten per province on 2023-01-01 (CBS; also in the boundary files' README, checked there
with shapely) and socvit's own registry of gemeenten and herindelingen (socvit/data/*.csv),
which is built from CBS's lists, not from the maps.
"""

from __future__ import annotations

import collections
import tomllib
from pathlib import Path

import numpy as np
import pytest

import socvit as sv
from socvit import geo
from socvit.geo import _signed_area

ROOT = Path(__file__).resolve().parent.parent

#: gemeenten per province on 2023-01-01 (CBS; README of the boundary files)
PER_PROVINCE_2023 = {"Noord-Brabant": 56, "Gelderland": 51, "Zuid-Holland": 50,
                     "Noord-Holland": 44, "Limburg": 31, "Utrecht": 26, "Overijssel": 25,
                     "Fryslân": 18, "Zeeland": 13, "Drenthe": 12, "Groningen": 10,
                     "Flevoland": 6}


@pytest.mark.parametrize("year", [*geo.YEARS, 2026])
def test_every_gemeente_of_every_indeling_has_a_boundary(year):
    shapes = geo.boundaries(year)
    assert set(shapes) == set(sv.gemeenten.valid_in(year))
    for code, shape in shapes.items():
        assert shape.code == code and shape.polygons
        x, y = shape.representative_point()
        assert shape.contains(x, y), code
        for poly in shape.polygons:          # outer ring counter-clockwise, holes clockwise
            assert _signed_area(poly[0]) > 0, code
            assert all(_signed_area(h) < 0 for h in poly[1:]), code
            assert all(np.array_equal(r[0], r[-1]) for r in poly), code


def test_2026_is_2025_and_the_credit_names_the_file_year():
    assert geo.file_year(2026) == 2025
    assert geo.boundaries(2026)["GM1979"] is geo.boundaries(2025)["GM1979"]   # decoded once
    assert geo.credit(2026) == "Kadaster / Centraal Bureau voor de Statistiek, 2025"
    assert geo.credit(2017) == "Kadaster / Centraal Bureau voor de Statistiek, 2017"


def test_gemeenten_per_province_2023_by_representative_point():
    provinces = geo.provinces()
    assert len(provinces) == 12
    counts = collections.Counter()
    for code, shape in geo.boundaries(2023).items():
        x, y = shape.representative_point()
        hits = [p.name for p in provinces.values() if p.contains(x, y)]
        assert len(hits) == 1, (code, hits)
        assert hits[0] == sv.gemeenten.province(code), code     # map and registry agree
        counts[hits[0]] += 1
    assert dict(counts) == PER_PROVINCE_2023
    for name, n in PER_PROVINCE_2023.items():
        assert len(geo.boundaries(2023, province=name)) == n


def test_eemsdelta_2023_holds_appingedam_delfzijl_and_loppersum_2017():
    eemsdelta = geo.boundaries(2023)["GM1979"]
    inside = {code for code, s in geo.boundaries(2017).items()
              if eemsdelta.contains(*s.representative_point())}
    assert inside == {"GM0003", "GM0010", "GM0024"}
    assert {sv.gemeenten.name(c) for c in inside} == {"Appingedam", "Delfzijl", "Loppersum"}


def test_merged_gemeenten_lie_in_their_successor_of_2025():
    """Every gemeente that went wholly into another (the registry's herindelingen) lies, by
    its representative point, inside that successor's 2025 boundary."""
    latest = geo.boundaries(2025)
    checked = 0
    for year in geo.YEARS[:-1]:
        for code, shape in geo.boundaries(year).items():
            if code in latest or len(sv.gemeenten.successors(code)) != 1:
                continue
            target = sv.gemeenten.to_indeling(code, 2025)
            assert latest[target].contains(*shape.representative_point()), (year, code, target)
            checked += 1
    assert checked > 40


def _delta(points):
    """Absolute grid positions -> TopoJSON's delta encoding."""
    q = np.asarray(points)
    return np.vstack([q[:1], np.diff(q, axis=0)]).tolist()


def test_decoding_a_topology_by_hand():
    """Two squares sharing one arc (used once forwards, once reversed), the first with a
    square hole given the wrong way round; grid scale 0.5 and an offset (TopoJSON spec [1])."""
    g = lambda pts: [(2 * x, 2 * y) for x, y in pts]            # noqa: E731 (grid units)
    topo = {"type": "Topology", "transform": {"scale": [0.5, 0.5], "translate": [10, 50]},
            "arcs": [_delta(g([(4, 0), (4, 4)])),
                     _delta(g([(4, 4), (0, 4), (0, 0), (4, 0)])),
                     _delta(g([(4, 0), (8, 0), (8, 4), (4, 4)])),
                     _delta(g([(1, 1), (3, 1), (3, 3), (1, 3), (1, 1)]))],
            "objects": {"t": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1], [3]],
                 "properties": {"statcode": "GM0001", "statnaam": "A"}},
                {"type": "MultiPolygon", "arcs": [[[2, ~0]]],
                 "properties": {"statcode": "GM0002", "statnaam": "B"}}]}}}
    shapes = geo._decode(topo, 2023)
    a, b = shapes["GM0001"], shapes["GM0002"]
    assert a.bounds == (10.0, 50.0, 14.0, 54.0) and b.bounds == (14.0, 50.0, 18.0, 54.0)
    assert a.area == pytest.approx(16 - 4) and b.area == pytest.approx(16)
    assert np.allclose(b.polygons[0][0], [(14, 50), (18, 50), (18, 54), (14, 54), (14, 50)])
    assert _signed_area(a.polygons[0][1]) == pytest.approx(-4)        # hole turned clockwise
    got = a.contains(np.array([10.5, 12.0, 16.0]), np.array([50.5, 52.0, 52.0]))
    assert got.tolist() == [True, False, False]                      # in A, in its hole, in B
    assert b.contains(16.0, 52.0) is True
    x, y = a.representative_point()
    assert a.contains(x, y) and not (11 < x < 13 and 51 < y < 53)


def test_province_names_are_forgiving_and_the_groningen_gemeenten_of_2017():
    assert geo.boundaries(2023, province="friesland") == geo.boundaries(2023, province="Fryslân")
    gr17 = geo.boundaries(2017, province="groningen")
    assert len(gr17) == 23 and "GM0010" in gr17
    assert sorted(geo.boundaries(2017, codes="GM0010")) == ["GM0010"]


@pytest.mark.parametrize("call, words", [
    (lambda: geo.boundaries(2016), ["2016", "2017-2025"]),
    (lambda: geo.boundaries("twintig"), ["'twintig'", "not a year"]),
    (lambda: geo.boundaries(2023, province="Gronningen"), ["'Gronningen'", "Groningen"]),
    (lambda: geo.boundaries(2023, codes=["GM0003"]), ["GM0003", "Appingedam", "2023",
                                                       "to_indeling"]),
    (lambda: geo.boundaries(2023, codes=["GM9999"]), ["GM9999", "not a known gemeente"]),
])
def test_bad_input_gets_a_clear_error(call, words):
    with pytest.raises(sv.DataError) as err:
        call()
    for w in words:
        assert w in str(err.value)


def test_later_indeling_with_other_gemeenten_is_refused(monkeypatch):
    """A year after 2025 whose gemeenten differ from 2025's has no boundaries (not 2025's)."""
    real = sv.gemeenten.valid_in
    monkeypatch.setattr(sv.gemeenten, "valid_in",
                        lambda y: real(y) + (["GM9990"] if int(y) >= 2027 else []))
    assert geo.file_year(2026) == 2025
    with pytest.raises(sv.DataError, match="2027.*GM9990"):
        geo.boundaries(2027)


def test_boundary_files_are_package_data_with_their_credit():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/geo/*" in cfg["tool"]["setuptools"]["package-data"]["socvit"]
    readme = (geo.GEO_DIR / "README.md").read_text(encoding="utf-8")
    assert "Kadaster / Centraal Bureau voor de Statistiek" in readme and "CC BY 4.0" in readme
    for year in geo.YEARS:
        assert (geo.GEO_DIR / f"gemeente_{year}.topojson").is_file()
