"""Gemeenten (municipalities) of the province of Groningen: CBS codes, names and mergers.

Codes are strings of the form ``GMxxxx``: leading zeros matter (GM0003 is not 3).
A gemeente exists from ``begin`` (inclusive) to ``end`` (exclusive, the date of the
herindeling that dissolved it). Mergers take effect on 1 January, so a panel wave held in
year *Y* uses the indeling valid on 1 January *Y*.

Sources: CBS, "Gemeentelijke indeling" 2017-2023 and the herindelingswetten for
Westerwolde and Midden-Groningen (2018), Groningen, Het Hogeland and Westerkwartier (2019)
and Eemsdelta (2021).

Notes
-----
Winsum was split in 2019: most of it went to Het Hogeland, the villages of the former
gemeente Ezinge to Westerkwartier. Code-level mapping sends all of Winsum to Het Hogeland;
:func:`to_indeling` accepts a ``kern`` so that a caller can send named kernen elsewhere
(``SPLITS`` lists the exceptions used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .errors import DataError

__all__ = [
    "Gemeente", "GEMEENTEN", "SPLITS", "table", "name", "code", "valid_in", "exists_in",
    "to_indeling", "map_to_indeling", "is_code", "register", "load_registry",
]


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    begin: date
    end: date | None = None          # first day it no longer existed
    successor: str | None = None     # code it merged into


_OLD = date(1990, 1, 1)
_2018, _2019, _2021 = date(2018, 1, 1), date(2019, 1, 1), date(2021, 1, 1)

GEMEENTEN: tuple[Gemeente, ...] = (
    # today's ten
    Gemeente("GM0014", "Groningen", _OLD),
    Gemeente("GM0037", "Stadskanaal", _OLD),
    Gemeente("GM0047", "Veendam", _OLD),
    Gemeente("GM0765", "Pekela", _OLD),
    Gemeente("GM1895", "Oldambt", date(2010, 1, 1)),
    Gemeente("GM1950", "Westerwolde", _2018),
    Gemeente("GM1952", "Midden-Groningen", _2018),
    Gemeente("GM1966", "Het Hogeland", _2019),
    Gemeente("GM1969", "Westerkwartier", _2019),
    Gemeente("GM1979", "Eemsdelta", _2021),
    # dissolved since 2017
    Gemeente("GM0007", "Bellingwedde", _OLD, _2018, "GM1950"),
    Gemeente("GM0048", "Vlagtwedde", _OLD, _2018, "GM1950"),
    Gemeente("GM0018", "Hoogezand-Sappemeer", _OLD, _2018, "GM1952"),
    Gemeente("GM1987", "Menterwolde", _OLD, _2018, "GM1952"),
    Gemeente("GM0040", "Slochteren", _OLD, _2018, "GM1952"),
    Gemeente("GM0009", "Ten Boer", _OLD, _2019, "GM0014"),
    Gemeente("GM0017", "Haren", _OLD, _2019, "GM0014"),
    Gemeente("GM0005", "Bedum", _OLD, _2019, "GM1966"),
    Gemeente("GM1663", "De Marne", _OLD, _2019, "GM1966"),
    Gemeente("GM1651", "Eemsmond", _OLD, _2019, "GM1966"),
    Gemeente("GM0053", "Winsum", _OLD, _2019, "GM1966"),
    Gemeente("GM0015", "Grootegast", _OLD, _2019, "GM1969"),
    Gemeente("GM0022", "Leek", _OLD, _2019, "GM1969"),
    Gemeente("GM0025", "Marum", _OLD, _2019, "GM1969"),
    Gemeente("GM0056", "Zuidhorn", _OLD, _2019, "GM1969"),
    Gemeente("GM0003", "Appingedam", _OLD, _2021, "GM1979"),
    Gemeente("GM0010", "Delfzijl", _OLD, _2021, "GM1979"),
    Gemeente("GM0024", "Loppersum", _OLD, _2021, "GM1979"),
)

#: kernen of a split gemeente that went to another successor than the code-level one
SPLITS: dict[str, dict[str, str]] = {
    "GM0053": {k: "GM1969" for k in ("Ezinge", "Feerwerd", "Garnwerd", "Oostum", "Winsumerdijk")},
}

_BY_CODE = {g.code: g for g in GEMEENTEN}
_CODE_RE = re.compile(r"^GM\d{4}$")


def _key(text: str) -> str:
    """Forgiving lookup key: case, spaces, hyphens and apostrophes do not matter."""
    return re.sub(r"[\s\-'’_.]+", "", str(text)).casefold()


_BY_NAME = {_key(g.name): g.code for g in GEMEENTEN}


def register(code_: str, name_: str, begin: int | date | None = None, end: int | date | None = None,
             successor: str | None = None) -> Gemeente:
    """Add a gemeente to the registry (another province, or synthetic test gemeenten).

    ``begin``/``end`` are a year (1 January) or a date; ``successor`` the code it merged into.
    Registering a known code again with the same name is a no-op.
    """
    if not is_code(code_):
        raise DataError(f"Gemeente code {code_!r} is not of the form GMxxxx (four digits).")
    as_date = lambda x, d: d if x is None else (x if isinstance(x, date) else date(int(x), 1, 1))
    g = Gemeente(code_, str(name_), as_date(begin, _OLD), as_date(end, None), successor or None)
    old = _BY_CODE.get(code_)
    if old is not None and old.name != g.name:
        raise DataError(f"Gemeente code {code_} is already registered as {old.name!r}, not {name_!r}.")
    _BY_CODE[code_] = g
    _BY_NAME[_key(g.name)] = code_
    return g


def load_registry(path) -> int:
    """Register the gemeenten in a CSV file with columns code, name[, begin, end, successor]
    (years or ISO dates). Returns how many were read."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"code", "name"} - set(frame.columns)
    if missing:
        raise DataError(f"Gemeenten file {path} lacks column(s) {', '.join(sorted(missing))}.")
    parse = lambda x: None if not x else (date.fromisoformat(x) if "-" in x else int(x))
    for i, row in enumerate(frame.to_dict("records"), start=2):
        try:
            register(row["code"], row["name"], parse(row.get("begin", "")), parse(row.get("end", "")),
                     row.get("successor") or None)
        except (DataError, ValueError) as exc:
            raise DataError(f"Gemeenten file {path}, row {i}: {exc}") from None
    return len(frame)


def is_code(value) -> bool:
    """True for a string of the form GMxxxx."""
    return isinstance(value, str) and bool(_CODE_RE.match(value))


def table() -> pd.DataFrame:
    """All gemeenten as a DataFrame: code, name, begin, end, successor."""
    return pd.DataFrame([g.__dict__ for g in _BY_CODE.values()])


def _get(code_: str) -> Gemeente:
    try:
        return _BY_CODE[code_]
    except KeyError:
        raise DataError(
            f"Unknown gemeente code {code_!r}. Codes are CBS codes such as 'GM1979' (a string; "
            f"leading zeros matter). Known codes: {', '.join(sorted(_BY_CODE))}."
        ) from None


def name(code_: str) -> str:
    """Dutch name of a gemeente code, e.g. ``name("GM1979") == "Eemsdelta"``."""
    return _get(code_).name


def exists_in(code_: str, year: int) -> bool:
    """Whether the gemeente existed on 1 January of ``year`` (the indeling of a wave)."""
    g = _BY_CODE.get(code_)
    if g is None:
        return False
    day = date(int(year), 1, 1)
    return g.begin <= day and (g.end is None or day < g.end)


def valid_in(year: int) -> list[str]:
    """Codes of the gemeenten in the indeling of ``year``, sorted by name."""
    codes = [c for c in _BY_CODE if exists_in(c, year)]
    return sorted(codes, key=lambda c: _BY_CODE[c].name)


def code(name_or_code, year: int | None = None) -> str:
    """CBS code for a name or code, forgiving case and spacing.

    ``code("het hogeland") == code("HetHogeland") == code("gm1966") == "GM1966"``.
    With ``year``, the gemeente must exist in that year's indeling; the error lists the
    valid names for that year.
    """
    text = str(name_or_code).strip()
    found = text.upper() if _CODE_RE.match(text.upper()) and text.upper() in _BY_CODE else None
    if found is None:
        found = _BY_NAME.get(_key(text))
    if found is None or (year is not None and not exists_in(found, year)):
        pool = valid_in(year) if year is not None else sorted(_BY_CODE, key=lambda c: _BY_CODE[c].name)
        listing = ", ".join(f"{_BY_CODE[c].name} ({c})" for c in pool)
        when = f" in the indeling of {year}" if year is not None else ""
        extra = ""
        if found is not None:
            extra = f" {_BY_CODE[found].name} ({found}) did not exist{when}."
        raise DataError(
            f"Unknown gemeente {name_or_code!r}{when}.{extra} Use a CBS code or a name; "
            f"valid{when}: {listing}."
        )
    return found


def to_indeling(code_: str, year: int, kern: str | None = None) -> str:
    """The code that ``code_`` belongs to in the indeling of ``year``.

    Follows successors through every merger up to 1 January ``year``; a kern listed in
    ``SPLITS`` follows its own successor. Raises DataError when the gemeente did not exist
    yet in ``year`` (mapping backwards is not defined).
    """
    g = _get(code_)
    day = date(int(year), 1, 1)
    if g.begin > day:
        raise DataError(
            f"Gemeente {g.name} ({g.code}) began on {g.begin:%Y-%m-%d}; it cannot be mapped back "
            f"to the indeling of {year}. Choose an indeling of {g.begin.year} or later."
        )
    current = g
    while current.end is not None and current.end <= day:
        nxt = current.successor
        if kern is not None and kern in SPLITS.get(current.code, {}):
            nxt = SPLITS[current.code][kern]
        current = _get(nxt)
    return current.code


def map_to_indeling(codes: pd.Series, year: int, kern: pd.Series | None = None) -> pd.Series:
    """Vectorised :func:`to_indeling` for a column of codes (and optionally kernen)."""
    codes = codes.astype("string")
    if kern is None:
        lookup = {c: to_indeling(c, year) for c in codes.dropna().unique()}
        return codes.map(lookup).astype("string")
    # judge each distinct (code, kern) pair once, then map back by pair number (vectorised)
    cc, cu = pd.factorize(codes)
    kc, ku = pd.factorize(kern.astype("string"))
    pair = cc.astype("int64") * (len(ku) + 1) + (kc + 1)
    pc, pu = pd.factorize(pair)
    mapped = []
    for p in pu:
        c, k = divmod(int(p), len(ku) + 1)
        mapped.append(pd.NA if c < 0 else to_indeling(cu[c], year, ku[k - 1] if k > 0 else None))
    out = pd.array(mapped, dtype="string").take(pc) if len(pu) else pd.array([], dtype="string")
    return pd.Series(out, index=codes.index, dtype="string")
