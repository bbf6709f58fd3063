"""Dutch gemeenten (municipalities) since 2017: CBS codes, names, provinces and herindelingen.

Codes are strings of the form ``GMxxxx``: leading zeros matter (GM0003 is not 3).
A gemeente exists from ``begin`` (inclusive) to ``end`` (exclusive, the date of the
herindeling that dissolved it). A panel wave held in year *Y* uses the indeling valid on
1 January *Y*: 388 gemeenten in 2017, 380 (2018), 355 (2019, 2020), 352 (2021),
345 (2022), 342 (2023 to 2026).

Source: socvit/data/gemeenten.csv and herindelingen.csv, derived by scripts/make_gemeenten.py
from the CBS/Kadaster gemeente boundaries of 1 January 2017-2025 ("Kadaster / Centraal Bureau
voor de Statistiek", CC BY 4.0): the codes in each year's file, the successor of a dissolved
code is the next year's gemeente holding the largest share of its area, the province is the
one (of 2023) holding the gemeente's area. Checked against CBS's counts per year and per
province and against the herindelingen of 2018-2023.

Notes
-----
- ``begin`` of a gemeente that already existed on 2017-01-01 is not recorded; it is shown
  as 1990-01-01. Indelingen before 2017 are outside the registry.
- Weesp joined Amsterdam on 2022-03-24, not on 1 January: it is in the indeling of 2022.
- No boundary file exists for 2026 and no herindeling on 2026-01-01 is known to the
  registry: the indeling of 2026 (and later) is that of 2025.
- Province is the gemeente's province while it existed (Leerdam and Zederik: Zuid-Holland,
  before they formed Vijfheerenlanden, Utrecht, in 2019).
- Names are the CBS names of 2017-2023; the suffixed names CBS uses from 2024 for six of them
  ("Hengelo (O.)", "Laren (NH.)", "Rijswijk (ZH.)", "Middelburg (Z.)", "Beek (L.)",
  "Stein (L.)") are accepted in lookups, as are the plain forms of "Bergen (NH.)" and
  "Bergen (L.)" (where "Bergen" alone is ambiguous and raises an error naming both).
- Split gemeenten: a code maps to the successor with the largest share of its area;
  :func:`to_indeling` accepts a ``kern`` so that the kernen listed in ``SPLITS`` follow
  their own successor. Littenseradiel (2018) went to Súdwest-Fryslân (51 % of its area),
  Leeuwarden (35 %) and Waadhoeke (14 %): code level Súdwest-Fryslân, no kernen listed yet.
  Winsum (2019): Het Hogeland, the villages of the former gemeente Ezinge to Westerkwartier.
  Haaren (2021): Vught (Helvoirt), Oisterwijk (Haaren), Tilburg (Biezenmortel), Boxtel
  (Esch); code level Vught. :func:`successors` gives the shares.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Gemeente", "GEMEENTEN", "SPLITS", "table", "name", "code", "province", "successors",
    "valid_in", "exists_in", "to_indeling", "map_to_indeling", "is_code", "register",
    "load_registry", "kern_columns", "kern_key", "shared_kern_names",
]


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    begin: date
    end: date | None = None          # first day it no longer existed
    successor: str | None = None     # code it merged into (the largest share of a split)
    province: str | None = None      # Dutch name, e.g. "Fryslân", "Noord-Brabant"


_OLD = date(1990, 1, 1)                 # begin of a gemeente that existed before 2017
_FIRST = date(2017, 1, 1)               # the registry's first indeling
_DATA = Path(__file__).resolve().parent / "data"
_CODE_RE = re.compile(r"^GM\d{4}$")
_SUFFIX_RE = re.compile(r"\s*\([A-Za-z]+\.\)\s*$")      # "Hengelo (O.)" -> "Hengelo"


def _key(text: str) -> str:
    """Forgiving lookup key: case, accents, spaces, hyphens, apostrophes, dots and brackets do
    not matter ("Súdwest-Fryslân" == "sudwest fryslan")."""
    text = unicodedata.normalize("NFKD", str(text))
    return re.sub(r"[\s\-'’_.()]+", "", "".join(c for c in text if not unicodedata.combining(c))).casefold()


def _day(text: str, default):
    return date.fromisoformat(text) if text else default


def _read_builtin():
    gem, aliases = [], {}
    with open(_DATA / "gemeenten.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            gem.append(Gemeente(r["code"], r["name"], _day(r["begin"], _OLD), _day(r["end"], None),
                                r["successor"] or None, r["province"] or None))
            if r["alias"]:
                aliases[r["code"]] = r["alias"]
    splits, shares = {}, {}
    with open(_DATA / "herindelingen.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            shares.setdefault(r["code"], {})[r["successor"]] = float(r["share"])
            for kern in filter(None, r["kernen"].split(";")):
                splits.setdefault(r["code"], {})[kern] = r["successor"]
    # SPLITS lists only the kernen that go elsewhere than the code-level successor
    main = {g.code: g.successor for g in gem}
    splits = {c: {k: s for k, s in ks.items() if s != main[c]} for c, ks in splits.items()}
    return tuple(gem), aliases, {c: ks for c, ks in splits.items() if ks}, shares


#: every gemeente since 2017-01-01 (the bundled registry; :func:`register` adds to a copy)
GEMEENTEN: tuple[Gemeente, ...]
#: kernen of a split gemeente that went to another successor than the code-level one
SPLITS: dict[str, dict[str, str]]
GEMEENTEN, _ALIASES, SPLITS, _SHARES = _read_builtin()

_BUILTIN = {g.code: g for g in GEMEENTEN}
_BY_CODE: dict[str, Gemeente] = dict(_BUILTIN)


def _keys(code_: str, name_: str) -> set[str]:
    """Lookup keys of a gemeente: its name, its alias and both without a CBS suffix."""
    names = {name_, _ALIASES.get(code_, name_)}
    return {_key(n) for n in names} | {_key(_SUFFIX_RE.sub("", n)) for n in names}


def _index(gemeenten) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for g in gemeenten:
        for k in _keys(g.code, g.name):
            out[k] = out.get(k, ()) + (g.code,)
    return out


#: lookup key -> codes carrying that name (several when a name is ambiguous); values are
#: tuples, replaced rather than mutated, so a shallow copy of the dict is a full snapshot
_BY_NAME: dict[str, tuple[str, ...]] = _index(GEMEENTEN)
_BUILTIN_KEYS = frozenset(_BY_NAME)


def _as_date(x, default):
    return default if x is None or x == "" else (x if isinstance(x, date) else date(int(x), 1, 1))


def _overlap(a: Gemeente, b: Gemeente) -> bool:
    far = date(9999, 1, 1)
    return a.begin < (b.end or far) and b.begin < (a.end or far)


def register(code_: str, name_: str, begin: int | date | None = None, end: int | date | None = None,
             successor: str | None = None, province: str | None = None) -> Gemeente:
    """Add a gemeente to the registry (synthetic test gemeenten, or one socvit does not know).

    ``begin``/``end`` are a year (1 January) or a date; ``successor`` the code it merged into.
    A known code (built in or registered before) cannot be redefined: registering it again is
    allowed when the name and every field given agree with the known entry (a no-op).
    A new code cannot take the name of a built-in gemeente, nor the name of a registered one
    that existed at the same time.
    """
    if not is_code(code_):
        raise DataError(f"Gemeente code {code_!r} is not of the form GMxxxx (four digits).")
    name_ = str(name_).strip()
    if not name_:
        raise DataError(f"Gemeente {code_} has no name.")
    g = Gemeente(code_, name_, _as_date(begin, _OLD), _as_date(end, None), successor or None,
                 province or None)
    old = _BY_CODE.get(code_)
    if old is not None:
        what = "a built-in gemeente" if code_ in _BUILTIN else "already registered"
        if old.name != g.name:
            raise DataError(f"Gemeente code {code_} is {what} as {old.name!r}, not {name_!r}; "
                            f"a registry may add codes but not rename one.")
        given = {"begin": begin, "end": end, "successor": successor, "province": province}
        for field, value in given.items():
            if value is None or value == "":
                continue
            if field == "begin" and old.begin == _OLD and g.begin <= _FIRST:
                continue        # "existed before 2017": the registry does not record when
            if getattr(g, field) != getattr(old, field):
                raise DataError(
                    f"Gemeente {code_} ({name_}) is {what} with {field} {getattr(old, field)}, "
                    f"not {getattr(g, field)}; a registry may add codes but not redefine one.")
        return old
    for k in _keys(code_, name_):
        for other in _BY_NAME.get(k, ()):
            o = _BY_CODE[other]
            if k in _BUILTIN_KEYS and other in _BUILTIN:
                raise DataError(
                    f"Gemeente {code_} ({name_}): the name belongs to the built-in gemeente "
                    f"{o.name} ({other}); a registry may add codes but not reuse a known name.")
            if _overlap(g, o):
                raise DataError(
                    f"Gemeente {code_} ({name_}): the name is already registered for {o.name} "
                    f"({other}) in the same period; two gemeenten cannot share a name at once.")
    _BY_CODE[code_] = g
    for k in _keys(code_, name_):
        _BY_NAME[k] = _BY_NAME.get(k, ()) + (code_,)
    return g


def load_registry(path) -> int:
    """Register the gemeenten in a CSV file with columns code, name[, begin, end, successor,
    province] (years or ISO dates). Returns how many were read.

    The file may add codes, never redefine a known code or reuse a known name: such a row
    raises DataError naming the file, the row and the entry.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = set(reader.fieldnames or ())
            rows = [r for r in reader if any(isinstance(v, str) and v.strip() for v in r.values())]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"Gemeenten file {path} cannot be read: {exc}") from None
    missing = {"code", "name"} - {f.strip() for f in fields}
    if missing:
        raise DataError(f"Gemeenten file {path} lacks column(s) {', '.join(sorted(missing))}.")

    def parse(x):
        x = (x or "").strip()
        return None if not x else (date.fromisoformat(x) if "-" in x else int(x))

    added = []
    for i, raw in enumerate(rows, start=2):
        row = {(k or "").strip(): v.strip() for k, v in raw.items() if isinstance(v, str)}
        try:
            added.append(register(row["code"], row["name"], parse(row.get("begin")),
                                  parse(row.get("end")), row.get("successor") or None,
                                  row.get("province") or None))
        except (DataError, ValueError) as exc:
            raise DataError(f"Gemeenten file {path}, row {i}: {exc}") from None
    for g in added:
        if g.successor is not None and g.successor not in _BY_CODE:
            raise DataError(f"Gemeenten file {path}: {g.name} ({g.code}) has successor "
                            f"{g.successor}, which is not a known gemeente code.")
    return len(rows)


def is_code(value) -> bool:
    """True for a string of the form GMxxxx."""
    return isinstance(value, str) and bool(_CODE_RE.match(value))


def table() -> pd.DataFrame:
    """All gemeenten as a DataFrame: code, name, province, begin, end, successor."""
    import pandas as pd

    cols = ["code", "name", "province", "begin", "end", "successor"]
    return pd.DataFrame([{c: getattr(g, c) for c in cols} for g in _BY_CODE.values()], columns=cols)


def _get(code_: str) -> Gemeente:
    try:
        return _BY_CODE[code_]
    except (KeyError, TypeError):
        hint = ""
        if isinstance(code_, str) and code_.strip().upper() in _BY_CODE:
            hint = f" Did you mean {code_.strip().upper()!r}?"
        raise DataError(
            f"Unknown gemeente code {code_!r}.{hint} Codes are CBS codes such as 'GM1979' (a "
            f"string; leading zeros matter); sv.gemeenten.table() lists the {len(_BY_CODE)} "
            f"known codes, and a gemeenten.csv beside the data can add more."
        ) from None


def name(code_: str) -> str:
    """Dutch name of a gemeente code, e.g. ``name("GM1979") == "Eemsdelta"``."""
    return _get(code_).name


def province(code_: str) -> str:
    """Dutch name of the gemeente's province, e.g. ``province("GM0080") == "Fryslân"``.

    Raises DataError for a registered gemeente whose province was not given.
    """
    g = _get(code_)
    if g.province is None:
        raise DataError(f"The province of gemeente {g.name} ({g.code}) is not known; give it in "
                        f"the province column of the gemeenten.csv that registers it.")
    return g.province


def successors(code_: str) -> dict[str, float]:
    """Where a dissolved gemeente went: successor code -> share of its area.

    ``{}`` for a gemeente that still exists; one successor with share 1.0 for a merger;
    several for a split, largest first (e.g. Haaren GM0788 in 2021).
    """
    g = _get(code_)
    if g.successor is None:
        return {}
    return dict(_SHARES.get(g.code, {g.successor: 1.0}))


def exists_in(code_: str, year: int) -> bool:
    """Whether the gemeente existed on 1 January of ``year`` (the indeling of a wave)."""
    g = _BY_CODE.get(code_)
    if g is None:
        return False
    day = date(int(year), 1, 1)
    return g.begin <= day and (g.end is None or day < g.end)


def valid_in(year: int) -> list[str]:
    """Codes of the gemeenten in the indeling of ``year``, sorted by name (case and
    punctuation ignored: 's-Gravenhage sorts as sgravenhage)."""
    codes = [c for c in _BY_CODE if exists_in(c, year)]
    return sorted(codes, key=lambda c: (_key(_BY_CODE[c].name), c))


def _label(c: str) -> str:
    g = _BY_CODE[c]
    until = f", until {g.end:%Y-%m-%d}" if g.end else ""
    since = f", from {g.begin:%Y-%m-%d}" if g.begin > _OLD else ""
    return f"{g.name} ({c}{since}{until})"


def code(name_or_code, year: int | None = None) -> str:
    """CBS code for a name or code, forgiving case and spacing.

    ``code("het hogeland") == code("HetHogeland") == code("gm1966") == "GM1966"``.
    With ``year``, the gemeente must exist in that year's indeling; the error lists the
    valid names for that year. A name carried by more than one gemeente (at different
    times, or "Bergen") needs ``year`` to choose, else the error lists the candidates.
    """
    text = str(name_or_code).strip()
    if _CODE_RE.match(text.upper()) and text.upper() in _BY_CODE:
        found = (text.upper(),)
    else:
        found = _BY_NAME.get(_key(text), ())
        if not found and _SUFFIX_RE.search(text):
            found = _BY_NAME.get(_key(_SUFFIX_RE.sub("", text)), ())
        found = tuple(sorted(found, key=lambda c: (_key(_BY_CODE[c].name), _BY_CODE[c].begin)))
    when = f" in the indeling of {year}" if year is not None else ""
    candidates = found if year is None else tuple(c for c in found if exists_in(c, year))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        hint = "" if year is not None else " the year of the indeling (code(name, year=...)),"
        raise DataError(
            f"Gemeente name {name_or_code!r} is ambiguous{when}: "
            f"{', '.join(_label(c) for c in candidates)}. Give{hint} the CBS code or the full name.")
    pool = valid_in(year) if year is not None else sorted(_BY_CODE, key=lambda c: _key(_BY_CODE[c].name))
    listing = ", ".join(f"{_BY_CODE[c].name} ({c})" for c in pool)
    extra = "".join(f" {_BY_CODE[c].name} ({c}) did not exist{when}." for c in found)
    if not found:
        import difflib
        near = difflib.get_close_matches(_key(text), [_key(_BY_CODE[c].name) for c in pool], n=3)
        hits = [c for k in near for c in pool if _key(_BY_CODE[c].name) == k]
        if hits:
            extra = f" Did you mean {' or '.join(f'{_BY_CODE[c].name} ({c})' for c in hits)}?"
    raise DataError(
        f"Unknown gemeente {name_or_code!r}{when}.{extra} Use a CBS code or a name; "
        f"valid{when}: {listing}."
    )


def _split_target(code_: str, kern: str) -> str | None:
    ks = SPLITS.get(code_)
    if not ks:
        return None
    if kern in ks:
        return ks[kern]
    k = _key(kern)
    return next((s for name_, s in ks.items() if _key(name_) == k), None)


def to_indeling(code_: str, year: int, kern: str | None = None) -> str:
    """The code that ``code_`` belongs to in the indeling of ``year``.

    Follows successors through every herindeling up to 1 January ``year``; a kern listed in
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
        if nxt is None:
            raise DataError(f"Gemeente {current.name} ({current.code}) ended on "
                            f"{current.end:%Y-%m-%d} without a known successor; it cannot be "
                            f"mapped to the indeling of {year}.")
        if kern is not None:
            nxt = _split_target(current.code, kern) or nxt
        current = _get(nxt)
    return current.code


def map_to_indeling(codes: pd.Series, year: int, kern: pd.Series | None = None) -> pd.Series:
    """Vectorised :func:`to_indeling` for a column of codes (and optionally kernen)."""
    import pandas as pd

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


# --------------------------------------------------------------------------- kernen
# A kern (village, wijk) is identified within its gemeente: Oldambt and Westerkwartier both
# have an Oostwold. Uniqueness is judged per wave, because after a herindeling the same
# village carries its new gemeente's code (Delfzijl in GM0010 in 2017, in GM1979 in 2021).

def kern_columns(data, codebook=None) -> tuple:
    """The ``(gemeente, kern, wave)`` columns of ``data`` (a Panel or DataFrame): the
    codebook's columns of those kinds (``codebook``, else the Panel's own), without a
    codebook the columns named ``gemeente``, ``kern`` and ``golf``; None for one that is
    not in the data."""
    cb = codebook if codebook is not None else getattr(data, "codebook", None)
    df = getattr(data, "data", data)
    out = []
    for kind, default in (("gemeente", "gemeente"), ("kern", "kern"), ("wave", "golf")):
        col = cb.column(kind) if cb is not None else default
        out.append(col if col is not None and col in df.columns else None)
    return tuple(out)


def _kern_label(cb, kern_col):
    """A function from one kern value to its name: the text without surrounding spaces, or
    the codebook's label when it declares kern codes (``values`` on the kern variable)."""
    var = cb.variables.get(kern_col) if cb is not None else None
    lut = {}
    if var is not None and var.values:
        lut = {str(c): lab for c, lab in var.values.items()}
        lut.update({f"{c}.0": lab for c, lab in var.values.items()})

    def label(value):
        text = str(value).strip()
        return lut.get(text, text)
    return label


def _factor(s, fn=None):
    """``pd.factorize`` of a column, with ``fn`` applied to the distinct values only (then
    values ``fn`` makes equal share a code). Codes -1 for missing."""
    import numpy as np
    import pandas as pd

    codes, uniq = pd.factorize(s)
    if fn is not None and len(uniq):
        lc, lu = pd.factorize(pd.Series([fn(u) for u in uniq], dtype=object))
        codes = np.where(codes >= 0, lc[np.maximum(codes, 0)], -1)
        uniq = lu
    return np.asarray(codes, dtype=np.int64), uniq


def _shared(kern, gemeente, wave=None, label=None) -> dict:
    """``{name: [codes]}`` for kern names (``label`` of the values) that occur with more than
    one gemeente in one wave (``wave`` None: in the whole data). Vectorised: each column is
    factorised once and each distinct (wave, name, gemeente) judged once."""
    import numpy as np

    kc, ku = _factor(kern, label)
    gc, gu = _factor(gemeente, lambda v: str(v).strip().upper())
    if wave is None:
        wc = np.zeros(len(kc), dtype=np.int64)
    else:
        wc = _factor(wave)[0] + 1            # rows without a wave (-1) count as one wave
    ok = (kc >= 0) & (gc >= 0)
    nk, ng = len(ku) + 1, len(gu) + 1
    triples = np.unique((wc[ok] * nk + kc[ok]) * ng + gc[ok])
    wk, g = np.divmod(triples, ng)
    pairs, counts = np.unique(wk, return_counts=True)
    out: dict = {}
    for p in pairs[counts > 1]:
        name_ = str(ku[p % nk])
        out.setdefault(name_, set()).update(str(gu[x]) for x in g[wk == p])
    return {k: sorted(v) for k, v in sorted(out.items())}


def shared_kern_names(data, codebook=None) -> dict[str, list[str]]:
    """Kern names that occur in more than one gemeente in one wave, with those gemeenten.

    Parameters
    ----------
    data : Panel or DataFrame
    codebook : Codebook, optional
        Names the gemeente, kern and wave columns (default: the Panel's codebook, else the
        columns ``gemeente``, ``kern`` and ``golf``); a kern variable with ``values``
        declares kern codes, whose labels are the names.

    Returns
    -------
    dict
        ``{kern name: [gemeente codes]}``, sorted; empty when every name is unique within
        each wave (or the data has no gemeente or kern column).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gemeente": ["GM1895", "GM1969", "GM1969"],
    ...                    "kern": ["Oostwold", "Oostwold", "Leek"]})
    >>> shared_kern_names(df)
    {'Oostwold': ['GM1895', 'GM1969']}
    """
    g, k, w = kern_columns(data, codebook)
    if g is None or k is None:
        return {}
    df = getattr(data, "data", data)
    cb = codebook if codebook is not None else getattr(data, "codebook", None)
    return _shared(df[k], df[g], None if w is None else df[w], _kern_label(cb, k))


def kern_key(data, codebook=None):
    """Each row's kern as a name that is unique within each wave: the kern's name, and for a
    name that more than one gemeente has, the name with its gemeente's: "Oostwold
    (Oldambt)" and "Oostwold (Westerkwartier)". Use it to group, label or plot by kern.

    Parameters
    ----------
    data : Panel or DataFrame
        With a gemeente and a kern column (see :func:`kern_columns`).
    codebook : Codebook, optional
        As in :func:`shared_kern_names`. When the codebook declares kern codes (``values``
        on the kern variable), the names are their labels, and two codes with one label
        are told apart in the same way (in one gemeente, by the code: "Oostwold (Oldambt,
        12)").

    Returns
    -------
    pandas.Series
        ``string`` dtype, the data's index, NA where the kern is missing.

    Raises
    ------
    DataError
        The data has no kern column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gemeente": ["GM1895", "GM1969", "GM1969"],
    ...                    "kern": ["Oostwold", "Oostwold", "Leek"]})
    >>> kern_key(df).tolist()
    ['Oostwold (Oldambt)', 'Oostwold (Westerkwartier)', 'Leek']
    >>> # group by it: sv.estimates.mean(df.assign(kern=kern_key(df)), "y", by="kern")
    """
    import numpy as np
    import pandas as pd

    g, k, w = kern_columns(data, codebook)
    df = getattr(data, "data", data)
    if k is None:
        raise DataError(f"The data have no kern column (columns: {', '.join(map(str, df.columns))}). "
                        f"Name it in the codebook (kind: kern) or call it 'kern'.")
    cb = codebook if codebook is not None else getattr(data, "codebook", None)
    label = _kern_label(cb, k)
    kc, ku = _factor(df[k], label)
    names = pd.Series(pd.array(np.asarray(ku, dtype=object), dtype="string").take(kc, allow_fill=True),
                      index=df.index, dtype="string")
    if g is None:
        return names
    gem = df[g].astype("string").str.strip().str.upper()
    wave = None if w is None else df[w]
    out = names.copy()
    shared = _shared(names, gem, wave)
    if shared:
        hit = names.isin(list(shared)).fillna(False).to_numpy(dtype=bool) & gem.notna().to_numpy()
        gnames = {c: (_BY_CODE[c].name if c in _BY_CODE else c) for c in pd.unique(gem[hit])}
        out[hit] = names[hit] + " (" + gem[hit].map(gnames) + ")"
    if cb is not None and k in cb.variables and cb.variables[k].values:
        # declared codes: two codes with one label (in one gemeente) stay apart by the code
        raw = df[k].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        twice = _shared(out, raw, wave)
        if twice:
            hit = out.isin(list(twice)).fillna(False).to_numpy(dtype=bool)
            base = out[hit]
            out[hit] = np.where(base.str.endswith(")"), base.str[:-1] + ", " + raw[hit] + ")",
                                base + " (" + raw[hit] + ")")
    return out.astype("string")
