"""Derive socvit/data/gemeenten.csv and socvit/data/herindelingen.csv from the CBS/Kadaster
gemeente boundaries per year (../shared/geo/, simplified TopoJSON, CC BY 4.0, "Kadaster /
Centraal Bureau voor de Statistiek, <year>").

Run it again when a new year's boundary file arrives (add the year to YEARS)::

    .venv/bin/python scripts/make_gemeenten.py [--geo DIR]

Pure numpy (no shapely); CI does not run it, the package only reads the CSV files it writes.

Method
------
1. Decode each year's TopoJSON (arcs are quantised and delta-encoded; ``transform.scale``/
   ``translate`` give longitude/latitude; a ring is the concatenation of its arcs, ``~i``
   meaning arc ``i`` reversed).
2. The codes in the file of year *Y* are the gemeenten valid on 1 January *Y*. A code first
   seen in *Y* > 2017 begins on Y-01-01; a code last seen in *Y-1* ends on Y-01-01 (unless
   ``END_DATES`` knows another date: Weesp joined Amsterdam on 2022-03-24).
3. Successor of a code that disappears between *Y-1* and *Y*: the gemeenten of year *Y* are
   tested on a regular grid of points inside the old gemeente (even-odd point-in-polygon,
   about 2500 points a gemeente); the successor is the one holding the largest share of the
   points. Every further successor with at least ``SPLIT_SHARE`` of the area is a split and is
   written to herindelingen.csv with its share (and, where known, the kernen that went there:
   ``KERNEN``; a kern given with its location is checked by a point-in-polygon test against
   the old and the new boundaries). Shares below ``SPLIT_SHARE`` are border corrections or
   the simplification of the boundaries (1-3 % of a small gemeente) and are not splits.
4. Province: the province (provincie_2023) holding most of the gemeente's grid points.
   ``PROVINCE_BEFORE`` corrects gemeenten that ended before a province border moved
   (Leerdam and Zederik were in Zuid-Holland until they formed Vijfheerenlanden, Utrecht, 2019).
5. Names: the name in the last file a code appears in before 2024; files from 2024 on carry
   CBS's suffixes for six more gemeenten ("Hengelo (O.)"), which are written as ``alias``.
   The names "Bergen (NH.)" and "Bergen (L.)" carry their suffix in every year.
6. 2026 has no boundary file: no herindeling on 2026-01-01 is known to the author, so the
   2026 indeling equals 2025's (documented in socvit/gemeenten.py).

The script checks the counts per year and per province against CBS's published numbers and
stops when they differ.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
YEARS = tuple(range(2017, 2026))
EXPECTED = {2017: 388, 2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345, 2023: 342,
            2024: 342, 2025: 342}
EXPECTED_PROVINCES_2023 = {"Noord-Brabant": 56, "Gelderland": 51, "Zuid-Holland": 50,
                           "Noord-Holland": 44, "Limburg": 31, "Utrecht": 26, "Overijssel": 25,
                           "Fryslân": 18, "Zeeland": 13, "Drenthe": 12, "Groningen": 10,
                           "Flevoland": 6}
#: herindelingen not on 1 January (the boundary files are as of 1 January)
END_DATES = {"GM0457": "2022-03-24"}          # Weesp -> Amsterdam
#: gemeenten whose province differed from today's location while they existed
PROVINCE_BEFORE = {"GM0545": "Zuid-Holland", "GM0707": "Zuid-Holland"}  # Leerdam, Zederik
#: a further successor holding at least this share of a dissolved gemeente's area is a split
SPLIT_SHARE = 0.05
#: kernen of split gemeenten: successor (CBS code) and, where a location is given, (lon, lat)
#: checked by a point-in-polygon test against the old and the next year's boundaries.
#: Winsum 2019: the former gemeente Ezinge went to Westerkwartier (list from the previous
#: hand-written registry, after the herindelingswet); only the clear-cut locations are checked,
#: the hamlets along the Reitdiep lie too close to the simplified border for a point test.
#: Haaren 2021: divided among Oisterwijk, Vught, Boxtel and Tilburg; every village checked
#: (each location and points 0.5-1 km around it fall inside the successor).
#: Littenseradiel 2018 (Súdwest-Fryslân, Leeuwarden, Waadhoeke): no kernen listed yet.
KERNEN = {
    "GM0053": {
        "Ezinge": ("GM1969", (6.4440, 53.3160)), "Feerwerd": ("GM1969", None),
        "Garnwerd": ("GM1969", None), "Oostum": ("GM1969", None),
        "Winsumerdijk": ("GM1969", None),
        "Baflo": ("GM1966", (6.5140, 53.3630)), "Winsum": ("GM1966", (6.5200, 53.3300)),
    },
    "GM0788": {
        "Haaren": ("GM0824", (5.2220, 51.6020)), "Helvoirt": ("GM0865", (5.2300, 51.6320)),
        "Esch": ("GM0757", (5.2930, 51.6100)), "Biezenmortel": ("GM0855", (5.1700, 51.6230)),
    },
}


# ---------------------------------------------------------------------------------------
# TopoJSON


def _arcs(topo) -> list[np.ndarray]:
    scale = np.asarray(topo["transform"]["scale"], float)
    shift = np.asarray(topo["transform"]["translate"], float)
    return [np.cumsum(np.asarray(a, float), axis=0) * scale + shift for a in topo["arcs"]]


def _ring(arcs, idx) -> np.ndarray:
    parts = []
    for i in idx:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if not parts else a[1:])
    return np.concatenate(parts)


def read(path: Path) -> dict[str, tuple[str, list[np.ndarray]]]:
    """code -> (name, rings) of a TopoJSON file's only object."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    arcs = _arcs(topo)
    (obj,) = topo["objects"].values()
    out = {}
    for g in obj["geometries"]:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings = [_ring(arcs, r) for poly in polys for r in poly]
        p = g["properties"]
        out[p["statcode"]] = (p["statnaam"], rings)
    return out


def inside(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Even-odd point-in-polygon for an (n, 2) array of points (holes are rings too)."""
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    odd = np.zeros(len(points), bool)
    for r in rings:
        x1, y1, x2, y2 = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
        for s in range(0, len(x1), 4000):
            a, b, c, d = x1[s:s + 4000], y1[s:s + 4000], x2[s:s + 4000], y2[s:s + 4000]
            crosses = (b > y) != (d > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                xs = (c - a) * (y - b) / (d - b) + a
            odd ^= (np.count_nonzero(crosses & (x < xs), axis=1) % 2).astype(bool)
    return odd


def bbox(rings) -> tuple[float, float, float, float]:
    pts = np.concatenate(rings)
    return pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()


def grid(rings, n: int = 60) -> np.ndarray:
    """Regular grid points inside the gemeente (refined until at least 200 fall inside)."""
    x0, y0, x1, y1 = bbox(rings)
    while True:
        gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
        pts = np.column_stack([gx.ravel(), gy.ravel()])
        pts = pts[inside(pts, rings)]
        if len(pts) >= 200 or n > 400:
            return pts
        n *= 2


def shares(points: np.ndarray, candidates: dict[str, tuple[str, list]]) -> dict[str, float]:
    """Share of ``points`` inside each candidate (only those whose bounding box overlaps)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    out = {}
    for c, (_, rings) in candidates.items():
        bx0, by0, bx1, by1 = bbox(rings)
        if bx0 > hi[0] or bx1 < lo[0] or by0 > hi[1] or by1 < lo[1]:
            continue
        k = np.count_nonzero(inside(points, rings))
        if k:
            out[c] = k / len(points)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# ---------------------------------------------------------------------------------------


def derive(geo: Path):
    years = {y: read(geo / f"gemeente_{y}.topojson") for y in YEARS}
    for y, gem in years.items():
        if len(gem) != EXPECTED[y]:
            raise SystemExit(f"{y}: {len(gem)} gemeenten in the file, CBS says {EXPECTED[y]}.")
    provinces = read(geo / "provincie_2023.topojson")

    rows: dict[str, dict] = {}
    for y, gem in years.items():
        for c, (nm, rings) in gem.items():
            r = rows.setdefault(c, {"code": c, "begin": "" if y == YEARS[0] else f"{y}-01-01",
                                    "end": "", "successor": "", "alias": "", "last": y})
            r["last"] = y
            if y < 2024 or "name" not in r:
                r["name"] = nm
            elif nm != r["name"]:
                r["alias"] = nm
            r["rings"] = rings          # the latest geometry
    splits = []
    for y in YEARS[1:]:
        prev, cur = years[y - 1], years[y]
        for c in sorted(set(prev) - set(cur)):
            pts = grid(prev[c][1])
            sh = shares(pts, cur)
            succ = next(iter(sh))
            r = rows[c]
            r["end"] = END_DATES.get(c, f"{y}-01-01")
            r["successor"] = succ
            r["shares"] = sh
            others = {s: v for s, v in sh.items() if s != succ and v >= SPLIT_SHARE}
            if others:
                kern_to = {}
                for kern, (target, where) in KERNEN.get(c, {}).items():
                    if where is not None:
                        p = np.array([[*where]])
                        if not (inside(p, prev[c][1])[0] and inside(p, cur[target][1])[0]):
                            raise SystemExit(f"Kern {kern} of {c} does not lie in {target}.")
                    kern_to[kern] = target
                if set(kern_to.values()) - set(sh):
                    raise SystemExit(f"KERNEN of {c} names a successor that got none of it.")
                for s, v in sh.items():
                    if v < SPLIT_SHARE:
                        continue
                    ks = sorted(k for k, t in kern_to.items() if t == s)
                    splits.append({"code": c, "name": r["name"], "date": r["end"], "successor": s,
                                   "successor_name": cur[s][0], "share": f"{v:.2f}",
                                   "kernen": ";".join(ks)})
    # provinces from the gemeente's own grid points
    for c, r in rows.items():
        pts = grid(r["rings"], 40)
        sh = shares(pts, provinces)
        r["province"] = PROVINCE_BEFORE.get(c) or provinces[next(iter(sh))][0]
    counted = {}
    for c in years[2023]:
        counted[rows[c]["province"]] = counted.get(rows[c]["province"], 0) + 1
    if counted != EXPECTED_PROVINCES_2023:
        raise SystemExit(f"Gemeenten per province in 2023 differ from CBS: {counted}")
    return rows, splits


def write(rows, splits, out: Path) -> None:
    fields = ["code", "name", "province", "begin", "end", "successor", "alias"]
    with open(out / "gemeenten.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(rows.values(), key=lambda r: r["code"]))
    sfields = ["code", "name", "date", "successor", "successor_name", "share", "kernen"]
    with open(out / "herindelingen.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, sfields, lineterminator="\n")
        w.writeheader()
        w.writerows(splits)


def report(rows) -> None:
    """Print every herindeling (date: old codes -> successor) for a human check."""
    by = {}
    for r in rows.values():
        if r["successor"]:
            by.setdefault((r["end"], r["successor"]), []).append(r)
    for (end, succ), olds in sorted(by.items()):
        new = rows[succ]
        parts = []
        for o in olds:
            extra = {rows[s]["name"]: round(v, 2) for s, v in o["shares"].items() if s != succ and v >= 0.005}
            parts.append(f"{o['name']} ({o['code']}, {o['shares'][succ]:.2f}{', also ' + str(extra) if extra else ''})")
        print(f"{end}  {new['name']} ({succ}, {new['province']}) <- " + "; ".join(parts))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geo", type=Path, default=ROOT.parent / "shared" / "geo")
    ap.add_argument("--out", type=Path, default=ROOT / "socvit" / "data")
    args = ap.parse_args(argv)
    rows, splits = derive(args.geo)
    report(rows)
    write(rows, splits, args.out)
    print(f"wrote {args.out / 'gemeenten.csv'} ({len(rows)} gemeenten) and "
          f"{args.out / 'herindelingen.csv'} ({len(splits)} rows)")


if __name__ == "__main__":
    main()
