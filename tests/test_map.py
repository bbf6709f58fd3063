"""The province map: sv.plots.gemeente_map draws what it is handed; the report's map
(report._prepare.kaart, the kerncijfers section) computes it with the report's weights and
disclosure rules."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import socvit as sv
from socvit import fmt, report
from socvit.plots import MAP_COLOURS, _shape_path
from socvit.report import _prepare

import other_panel


@pytest.fixture(scope="module")
def table_2023():
    wave = sv.load_sample().data
    wave = wave[wave["golf"] == 2023]
    return sv.estimates.proportion(wave, "actief", [1], by="gemeente")


def _collections(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def _same_path(p, q) -> bool:
    return p.vertices.shape == q.vertices.shape and np.allclose(p.vertices, q.vertices)


def _drawn(ax, code, year):
    """The collections (and index in each) that draw gemeente ``code``."""
    target = _shape_path(year, code)
    return [(c, i) for c in _collections(ax) for i, p in enumerate(c.get_paths())
            if _same_path(p, target)]


def _legend_ranges(ax):
    """colour (hex) -> (low, high) from legend entries like '25% tot 30%'."""
    leg = ax.get_legend()
    out = {}
    for patch, text in zip(leg.get_patches(), leg.get_texts()):
        m = re.fullmatch(r"(\d+)% tot (\d+)%", text.get_text())
        if m:
            colour = "#%02x%02x%02x" % tuple(round(255 * v) for v in patch.get_facecolor()[:3])
            out[colour] = (int(m.group(1)) / 100, int(m.group(2)) / 100)
    return out


def _hex(rgba):
    return "#%02x%02x%02x" % tuple(round(255 * v) for v in rgba[:3])


def test_map_colours_values_hatches_and_outlines(table_2023):
    t = table_2023.copy()
    hide, gone = "GM0765", "GM0037"                      # Pekela suppressed, Stadskanaal absent
    t.loc[t["gemeente"] == hide, ["estimate", "suppressed"]] = [np.nan, True]
    t.loc[t["gemeente"] == "GM0047", "indicative"] = True
    t = t[t["gemeente"] != gone]
    fig = sv.plots.gemeente_map(t, highlight="GM1979", year=2023, percent=True,
                                label="aandeel actief")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    # the suppressed gemeente: hatched, white, no value; the absent one grey
    (coll, _), = _drawn(ax, hide, 2023)
    assert coll.get_hatch() == "////" and _hex(coll.get_facecolor()[0]) == "#ffffff"
    assert len(coll.get_paths()) == 1
    (grey, _), = _drawn(ax, gone, 2023)
    assert grey.get_hatch() is None and len(grey.get_paths()) == 1
    # every other gemeente coloured by the legend class holding its value, value written on it
    ranges = _legend_ranges(ax)
    assert set(ranges) <= set(MAP_COLOURS)
    shown = t[~t["suppressed"].astype(bool)]
    for row in shown.to_dict("records"):
        hits = [(c, i) for c, i in _drawn(ax, row["gemeente"], 2023) if c.get_hatch() is None
                and _hex(c.get_facecolor()[i % len(c.get_facecolor())]) in ranges]
        assert len(hits) == 1, row["gemeente"]
        c, i = hits[0]
        lo, hi = ranges[_hex(c.get_facecolor()[i])]
        assert lo <= row["estimate"] <= hi, row["gemeente"]
    texts = sorted(x.get_text() for x in ax.texts)
    expected = sorted(fmt.procent(r["estimate"]) + ("*" if r["indicative"] else "")
                      for r in shown.to_dict("records"))
    assert texts == expected
    # the highlighted gemeente: thick black outline, named with its value in the legend
    outline = [p for p in ax.patches if p.get_linewidth() >= 2
               and _same_path(p.get_path(), _shape_path(2023, "GM1979"))]
    assert len(outline) == 1 and outline[0].get_facecolor()[3] == 0
    value = fmt.procent(float(t.loc[t["gemeente"] == "GM1979", "estimate"].iloc[0]))
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend[0] == f"Eemsdelta: {value}"
    assert "te weinig respondenten\n(niet getoond)" in legend and "geen gegevens" in legend
    assert any("Indicatief" in x.get_text() for x in fig.texts)


def test_map_of_2017_has_the_23_gemeenten_and_draws_on_a_given_axes():
    wave = sv.load_sample().data
    t = sv.estimates.proportion(wave[wave["golf"] == 2017], "actief", [1], by="gemeente")
    import matplotlib.pyplot as plt
    own, ax = plt.subplots()
    try:
        assert sv.plots.gemeente_map(t, highlight="GM0024", year=2017, percent=True, ax=ax) is ax
        drawn = {code for code in sv.geo.boundaries(2017, province="Groningen")
                 if _drawn(ax, code, 2017)}
        assert len(drawn) == 23
        # the default year: the latest indeling holding every code of the table
        fig = sv.plots.gemeente_map(t)
        assert len(fig.axes[0].texts) == 23
    finally:
        plt.close(own)


@pytest.mark.parametrize("change, words", [
    (lambda t: t.assign(gemeente=t["gemeente"].replace("GM1979", "GM9999")), ["GM9999"]),
    (lambda t: t.assign(gemeente=t["gemeente"].replace("GM1979", "GM0003")),
     ["GM0003", "Appingedam", "2023"]),
    (lambda t: t.drop(columns="estimate"), ["'estimate'", "gemeente_map"]),
    (lambda t: t.iloc[:0], ["no gemeenten"]),
])
def test_map_bad_input_gets_a_clear_error(table_2023, change, words):
    with pytest.raises(sv.DataError) as err:
        sv.plots.gemeente_map(change(table_2023), year=2023, percent=True)
    for w in words:
        assert w in str(err.value)


def test_map_rejects_an_unknown_year(table_2023):
    with pytest.raises(sv.DataError, match="2016"):
        sv.plots.gemeente_map(table_2023, year=2016)


# --------------------------------------------------------------------------- the report
def _map_section(r):
    sec = report.kerncijfers(r)
    figs = [p for kind, p in sec.parts if kind == "fig"]
    assert figs, "the kerncijfers have no map"
    return sec, figs[-1], sec.alt[-1]


def test_report_map_eemsdelta_2023():
    r = report.prepare("GM1979", 2023)
    sec, fig, alt = _map_section(r)
    table = sec.tables["kaart"]
    assert sorted(table["gemeente"]) == sorted(sv.geo.boundaries(2023, province="Groningen"))
    # the same figure as the kerncijfers' (another route through socvit.estimates)
    kern = sec.tables["kerncijfers"].set_index("column")
    mine = table.set_index("gemeente").loc["GM1979"]
    assert mine["estimate"] == pytest.approx(kern.loc["actief", "estimate"], rel=1e-9)
    ax = fig.axes[0]
    assert ax.get_legend().get_texts()[0].get_text() == f"Eemsdelta: {fmt.procent(mine['estimate'])}"
    assert sum(bool(_drawn(ax, c, 2023)) for c in table["gemeente"]) == 10
    text = sec.markdown()
    assert "Kadaster / Centraal Bureau voor de Statistiek, 2023" in text and "CC BY 4.0" in text
    assert alt.startswith("Figuur ") and "provincie Groningen" in alt
    assert f"Eemsdelta (dik omlijnd): {fmt.procent(mine['estimate'])}." in alt
    low, high = table.loc[table["estimate"].idxmin()], table.loc[table["estimate"].idxmax()]
    assert (f"van {fmt.procent(low['estimate'])} ({low['naam']}) tot "
            f"{fmt.procent(high['estimate'])} ({high['naam']})") in alt


def test_report_map_2017_and_recalculated_to_a_later_indeling():
    r = report.prepare("GM0024", 2017)
    sec, fig, _ = _map_section(r)
    t17 = sec.tables["kaart"].set_index("gemeente")
    assert len(t17) == 23
    assert sum(bool(_drawn(fig.axes[0], c, 2017)) for c in t17.index) == 23
    r = report.prepare("GM1979", 2017, indeling=2023)
    sec, fig, alt = _map_section(r)
    t = sec.tables["kaart"].set_index("gemeente")
    assert len(t) == 10 and "indeling 2023" in sec.markdown()
    assert t.loc["GM1979", "n"] == t17.loc[["GM0003", "GM0010", "GM0024"], "n"].sum()
    assert "Kadaster / Centraal Bureau voor de Statistiek, 2023" in sec.markdown()


def test_report_map_follows_the_disclosure_rules():
    r = report.prepare("GM1979", 2023, min_n=200, warn_n=400)
    sec, fig, alt = _map_section(r)
    table = sec.tables["kaart"]
    # hatched: suppressed, and (issue 14) without their respondent count either
    small = table[table["suppressed"].astype(bool)]
    assert len(small) >= 3 and small["estimate"].isna().all() and small["n"].isna().all()
    assert (table.loc[~table["suppressed"].astype(bool), "n"] >= 200).all()
    hatched = [c for c in _collections(fig.axes[0]) if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == len(small)
    mine = table.set_index("gemeente").loc["GM1979"]
    assert mine["indicative"] and 200 <= mine["n"] < 400
    assert f"Eemsdelta (dik omlijnd): {fmt.procent(mine['estimate'])} (indicatief)." in alt
    for naam in small["naam"]:
        assert naam in alt.split("Gearceerd")[1]
    # written values: those of indicative gemeenten (Eemsdelta among them) carry a '*'
    ind = table[table["indicative"].astype(bool)]
    assert sum(x.get_text().endswith("*") for x in fig.axes[0].texts) == len(ind) > 1
    # a gemeente with too few respondents itself gets no kerncijfers, and so no map
    r = report.prepare("GM1979", 2023, min_n=400, warn_n=800)
    assert not [p for kind, p in report.kerncijfers(r).parts if kind == "fig"]


def test_report_map_on_the_other_panel(tmp_path):
    """Renamed columns, a delivered weight: the map's figure is the panel's own activity
    variable, weighted with its weight (checked by hand with numpy)."""
    path = other_panel.write(tmp_path)
    r = report.prepare("GM1979", 2023, data=path)
    sec, fig, alt = _map_section(r)
    table = sec.tables["kaart"].set_index("gemeente")
    for code in ("GM1979", "GM0014", "GM1966"):
        hand = other_panel.hand_mean(tmp_path, "vrijwilliger", gemeente=code, valid={0, 1})
        assert table.loc[code, "estimate"] == pytest.approx(hand, rel=1e-9)
    assert "Noordelijk Dorpenpanel" in sec.markdown()
    assert "met de meegeleverde weegfactor" in sec.markdown()


def test_report_map_without_activity_shows_organisatiekracht(monkeypatch):
    import dataclasses
    r = report.prepare("GM1979", 2023)
    roles = dataclasses.replace(r.codebook.roles, activity=None)
    monkeypatch.setattr(type(r), "roles", property(lambda self: roles))
    assert _prepare.kaart_spec(r)[1] == "score"
    table = _prepare.kaart(r).set_index("gemeente")
    wave = r.wave()
    gem = wave[wave[_prepare.G] == "GM1979"]
    score = gem[list(roles.scales)].mean(axis=1, skipna=False)
    ok = score.notna()
    w = gem[_prepare.W][ok]
    assert table.loc["GM1979", "estimate"] == pytest.approx(
        float(np.sum(w * score[ok]) / np.sum(w)), rel=1e-9)
    assert isinstance(pd.DataFrame(table), pd.DataFrame)


def test_report_map_with_a_missing_boundary_file_is_an_error(monkeypatch, tmp_path):
    """A wheel without its boundary files must not silently make reports without a map."""
    from socvit import geo
    r = report.prepare("GM1979", 2023)
    monkeypatch.setattr(geo, "GEO_DIR", tmp_path)
    geo._read.cache_clear()
    try:
        with pytest.raises(sv.DataError, match="gemeente_2023.topojson.*reinstall socvit"):
            _prepare.kaart(r)
    finally:
        geo._read.cache_clear()
    # a year without boundaries (before 2017) is no error: the report has no map then
    import dataclasses
    assert _prepare.kaart(dataclasses.replace(r, indeling=2016)) is None


def test_written_values_never_overlap_and_those_left_out_are_counted():
    """Zuid-Holland's 50 gemeenten: values are written only where they fit; none overlap
    (as the Agg renderer measures them) and the note says how many are not on the map."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    codes = list(sv.geo.boundaries(2023, province="Zuid-Holland"))
    t = pd.DataFrame({"gemeente": codes, "estimate": np.linspace(0.2, 0.45, len(codes))})
    fig = sv.plots.gemeente_map(t, highlight="GM0599", year=2023, percent=True)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    boxes = [x.get_window_extent() for x in ax.texts]
    assert not [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    left_out = len(codes) - len(ax.texts)
    assert 0 < left_out < len(codes) / 2
    assert any(f"Niet op de kaart (te weinig ruimte): {left_out} getallen." in x.get_text()
               for x in fig.texts)


@pytest.mark.parametrize("year", [2017, 2025])
def test_every_province_maps_all_its_gemeenten(year):
    for province in sorted({sv.gemeenten.province(c) for c in sv.gemeenten.valid_in(year)}):
        codes = list(sv.geo.boundaries(year, province=province))
        t = pd.DataFrame({"gemeente": codes, "estimate": np.linspace(5.0, 8.0, len(codes))})
        fig = sv.plots.gemeente_map(t, highlight=codes[0], year=year, label="score")
        ax = fig.axes[0]
        coloured = [c for c in _collections(ax) if c.get_zorder() == 2]
        assert sum(len(c.get_paths()) for c in coloured) == len(codes), province
        assert ax.get_legend().get_texts()[0].get_text().startswith(sv.gemeenten.name(codes[0]))
