r"""Gemeente and province boundaries of every indeling since 2017, offline.

The CBS/Kadaster boundaries (simplified by cartomap, WGS84) ship with socvit as TopoJSON
in ``socvit/data/geo/`` (see its README). :func:`boundaries` decodes one year's file into
:class:`Shape` objects by CBS code; the decoded shapes are kept for the session, so a
kernel that draws one map after another reads and decodes each file once. No web request,
no tiles, no dependency beyond numpy.

Every map must name its source: :func:`credit` gives the line the licence (CC BY 4.0) asks
for, "Kadaster / Centraal Bureau voor de Statistiek, <year>".

Notes
-----
TopoJSON [1]_ stores each border once as an *arc*: a list of integer positions, the first
absolute and each further one relative to the one before (delta encoding), on a grid given
by ``transform``. Position :math:`k` of an arc is

.. math:: (x_k, y_k) = \mathrm{translate} + \mathrm{scale} \odot \sum_{j \le k} (\Delta x_j, \Delta y_j).

A ring is the concatenation of its arcs, the first point of each further arc dropped (it
repeats the last point of the arc before); arc index :math:`-1 - i` (``~i``) means arc
:math:`i` reversed. Rings are oriented by the sign of their area (shoelace formula): outer
rings counter-clockwise, holes clockwise, so a renderer's non-zero fill rule draws them
right even where a simplified ring touches itself. Point in polygon uses the crossing number
of a ray [2]_ (even-odd over the outer ring and its holes).

References
----------
.. [1] Bostock, M. (2013). *The TopoJSON Format Specification*, version 1.0.
   github.com/topojson/topojson-specification.
.. [2] Shimrat, M. (1962). Algorithm 112: Position of point relative to polygon.
   *Communications of the ACM* 5(8), 434.

Examples
--------
>>> # In R: g <- sf::st_read("socvit/data/geo/gemeente_2023.topojson"); subset(g, statcode == "GM1979")
>>> groningen = sv.geo.boundaries(2023, province="Groningen")
>>> len(groningen), groningen["GM1979"].name
(10, 'Eemsdelta')
>>> sv.geo.credit(2023)
'Kadaster / Centraal Bureau voor de Statistiek, 2023'
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DataError

__all__ = ["Shape", "boundaries", "provinces", "credit", "file_year", "YEARS", "GEO_DIR"]

#: where the boundary files are (package data)
GEO_DIR = Path(__file__).resolve().parent / "data" / "geo"
#: the years with a gemeente boundary file
YEARS = tuple(range(2017, 2026))
_PROVINCE_YEAR = 2023


@dataclass(frozen=True, eq=False)
class Shape:
    """One gemeente or province: its CBS code, name and polygons in WGS84 degrees.

    ``polygons`` is a tuple of polygons, each a tuple of rings (``(n, 2)`` arrays of
    longitude, latitude; closed, the first point repeated last): the outer ring counter-
    clockwise first, then its holes clockwise.
    """

    code: str
    name: str
    year: int
    polygons: tuple = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def bounds(self) -> tuple:
        """(lon_min, lat_min, lon_max, lat_max)."""
        if "bounds" not in self._cache:
            pts = np.vstack([p[0] for p in self.polygons])
            self._cache["bounds"] = tuple(float(v) for v in (*pts.min(axis=0), *pts.max(axis=0)))
        return self._cache["bounds"]

    @property
    def area(self) -> float:
        """Area in square degrees (outer rings minus holes; for comparing shapes only)."""
        return float(sum(sum(_signed_area(r) for r in p) for p in self.polygons))

    def contains(self, lon, lat) -> np.ndarray | bool:
        """Whether the point(s) lie inside the shape (inside an outer ring and in none of
        its holes). Vectorised over ``lon``/``lat`` arrays."""
        x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        inside = np.zeros(np.broadcast(x, y).shape, dtype=bool)
        for poly in self.polygons:
            inner = _crossings(poly[0], x, y)
            for hole in poly[1:]:
                inner &= ~_crossings(hole, x, y)
            inside |= inner
        return bool(inside) if inside.ndim == 0 else inside

    def representative_point(self) -> tuple:
        """A point certainly inside the shape (for labels and tests): the middle of the
        widest stretch of a horizontal line inside its largest polygon, over nine lines."""
        if "point" not in self._cache:
            poly = max(self.polygons, key=lambda p: _signed_area(p[0]))
            self._cache["point"] = _inner_point(poly)
        return self._cache["point"]

    def __repr__(self):
        rings = sum(len(p) for p in self.polygons)
        return (f"Shape({self.code} {self.name}, {self.year}, {len(self.polygons)} polygon(s), "
                f"{rings} ring(s))")


# --------------------------------------------------------------------------- geometry
def _signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive for a counter-clockwise ring."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _crossings(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Even-odd test of points (x, y) against one closed ring: a ray to the right crosses
    the ring an odd number of times (half-open rule for edges at a vertex's height)."""
    x0, y0 = ring[:-1, 0], ring[:-1, 1]
    x1, y1 = ring[1:, 0], ring[1:, 1]
    px, py = np.asarray(x)[..., None], np.asarray(y)[..., None]
    spans = (y0 <= py) != (y1 <= py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    return (np.count_nonzero(spans & (px < xc), axis=-1) % 2) == 1


def _inner_point(poly) -> tuple:
    x0, y0 = poly[0].min(axis=0)
    x1, y1 = poly[0].max(axis=0)
    best, point = -1.0, (float((x0 + x1) / 2), float((y0 + y1) / 2))
    for frac in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
        y = y0 + frac * (y1 - y0) + 1e-7           # off the quantisation grid of the vertices
        xs = []
        for ring in poly:
            a, b = ring[:-1], ring[1:]
            hit = (a[:, 1] <= y) != (b[:, 1] <= y)
            a, b = a[hit], b[hit]
            xs.extend(a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1]))
        xs = np.sort(np.asarray(xs))
        for left, right in zip(xs[0::2], xs[1::2]):
            if right - left > best:
                best, point = right - left, (float((left + right) / 2), float(y))
    return point


def _orient(ring: np.ndarray, outer: bool) -> np.ndarray:
    ccw = _signed_area(ring) > 0
    return ring if ccw == outer else ring[::-1].copy()


# --------------------------------------------------------------------------- reading
def file_year(year: int) -> int:
    """The year of the boundary file for the indeling of ``year``: that year for 2017-2025;
    2025 for a later year as long as :mod:`socvit.gemeenten` knows no change since 2025.

    Raises DataError for a year before 2017 or a later one whose gemeenten differ from 2025's.
    """
    from . import gemeenten
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise DataError(f"The boundary year {year!r} is not a year; give the indeling's year, "
                        f"{YEARS[0]} or later.") from None
    if y in YEARS:
        return y
    if y < YEARS[0]:
        raise DataError(f"There are no gemeente boundaries for {y}: socvit has the indelingen "
                        f"{YEARS[0]}-{YEARS[-1]} (later years as {YEARS[-1]} when unchanged). "
                        f"Report in the indeling of {YEARS[0]} or later.")
    later, last = set(gemeenten.valid_in(y)), set(gemeenten.valid_in(YEARS[-1]))
    if later != last:
        new = sorted(later - last)
        raise DataError(f"There are no gemeente boundaries for the indeling of {y}: it differs "
                        f"from {YEARS[-1]}'s (new: {', '.join(new[:5]) or 'none'}; gone: "
                        f"{', '.join(sorted(last - later)[:5]) or 'none'}), and socvit's newest "
                        f"boundaries are of {YEARS[-1]}. Use an indeling of {YEARS[-1]} or "
                        f"earlier, or add that year's file to {GEO_DIR}.")
    return YEARS[-1]


def credit(year: int) -> str:
    """The source line the licence asks for on every map of the indeling of ``year``."""
    return f"Kadaster / Centraal Bureau voor de Statistiek, {file_year(year)}"


@functools.lru_cache(maxsize=None)
def _read(kind: str, year: int) -> dict:
    """code -> Shape of one file, decoded once per session."""
    path = GEO_DIR / f"{kind}_{year}.topojson"
    try:
        topo = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"The boundary file {path} cannot be read ({exc.strerror or exc}); "
                        f"reinstall socvit (the file is package data).") from None
    return _decode(topo, year)


def _decode(topo: dict, year: int) -> dict:
    """code -> Shape of a parsed TopoJSON topology (its first object)."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    arcs = [np.cumsum(np.asarray(a, dtype=float), axis=0) * scale + translate
            for a in topo["arcs"]]

    def ring(indices) -> np.ndarray:
        parts = []
        for k, i in enumerate(indices):
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            parts.append(arc if k == 0 else arc[1:])
        return np.vstack(parts)

    shapes = {}
    for geom in next(iter(topo["objects"].values()))["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        polygons = tuple(tuple(_orient(ring(r), outer=(j == 0)) for j, r in enumerate(p))
                         for p in polys)
        props = geom["properties"]
        shapes[props["statcode"]] = Shape(props["statcode"], props["statnaam"], year, polygons)
    return shapes


def boundaries(year: int, province: str | None = None, codes=None) -> dict:
    """The gemeenten of the indeling of ``year`` as :class:`Shape` objects by CBS code.

    Parameters
    ----------
    year : int
        The indeling (2017-2025; a later year as 2025 when the gemeenten are unchanged,
        :func:`file_year`).
    province : str, optional
        Only the gemeenten of this province (its Dutch name, e.g. "Groningen", "Fryslân";
        the province :func:`socvit.gemeenten.province` gives).
    codes : iterable of str, optional
        Only these gemeenten (each must exist in the indeling).

    Returns
    -------
    dict
        CBS code -> Shape, in the file's order. The Shapes are shared (decoded once per
        session); do not change their arrays.

    Examples
    --------
    >>> # In R: sf::st_read("gemeente_2017.topojson") |> subset(statcode %in% c("GM0003", "GM0010"))
    >>> sorted(sv.geo.boundaries(2017, codes=["GM0010", "GM0003"]))
    ['GM0003', 'GM0010']
    """
    from . import gemeenten
    fy = file_year(year)
    shapes = _read("gemeente", fy)
    out = shapes
    if province is not None:
        wanted = set(_in_province(fy, _province_name(province)))
        out = {c: s for c, s in shapes.items() if c in wanted}
    if codes is not None:
        codes = [codes] if isinstance(codes, str) else list(codes)
        unknown = [c for c in codes if c not in shapes]
        if unknown:
            c = unknown[0]
            try:
                what = f"{gemeenten.name(c)} ({c}) did not exist on 1 January {year}"
            except DataError:
                what = f"{c!r} is not a known gemeente code"
            raise DataError(f"No boundary for gemeente {c!r} in the indeling of {year}: {what}. "
                            f"Map it to that indeling first (sv.gemeenten.to_indeling) or use "
                            f"the indeling of its own year.")
        out = {c: s for c, s in out.items() if c in set(codes)}
    return dict(out)


def provinces() -> dict:
    """The twelve provinces (boundaries of 2023) as :class:`Shape` objects by CBS code
    (PV20 Groningen ... PV31 Limburg)."""
    return dict(_read("provincie", _PROVINCE_YEAR))


@functools.lru_cache(maxsize=None)
def _in_province(fy: int, name: str) -> tuple:
    """The codes of ``fy``'s file in province ``name`` (by socvit.gemeenten)."""
    return tuple(c for c in _read("gemeente", fy) if _province_of(c) == name)


def _province_of(code: str) -> str | None:
    from . import gemeenten
    try:
        return gemeenten.province(code)
    except DataError:
        return None


def _province_name(province: str) -> str:
    names = sorted({p for p in map(_province_of, _read("gemeente", _PROVINCE_YEAR)) if p})
    key = str(province).strip().lower().replace("â", "a")
    for name in names:
        if name.lower().replace("â", "a") == key or (key == "friesland" and name == "Fryslân"):
            return name
    raise DataError(f"Unknown province {province!r}; the provinces are {', '.join(names)}.")
