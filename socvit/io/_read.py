"""Files to tables: CSV (also Dutch Excel exports), SPSS .sav and parquet, and typing
the raw columns by the codebook (see :mod:`socvit.io`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import DataError

__all__ = ["read_raw", "RawTable", "apply_codebook", "resolve_codebook", "UnreadableError",
           "parse_numbers", "column_values", "code_class", "isnan"]

_STRING_KINDS = ("id", "gemeente", "kern")
_NONSPACE = re.compile(rb"\S")
_INT_KINDS = ("wave", "likert", "binary", "mark")


class UnreadableError(DataError):
    """The file cannot be read as a table at all (missing, wrong format, bad encoding)."""


# --------------------------------------------------------------------------- raw reading
@dataclass
class RawTable:
    """A file as read, before typing: ``frame`` holds strings (CSV) or the stored types
    (sav, parquet); ``lines`` the 1-based line (CSV, header = line 1) or record number of
    each row; ``bad_rows`` CSV lines with the wrong number of fields, as
    ``(line, fields, expected, text)``; ``cut`` whether the file ends mid-line."""

    file: str
    format: str
    frame: pd.DataFrame
    lines: np.ndarray
    bad_rows: list = field(default_factory=list)
    cut: bool = False
    empty: bool = False
    encoding: str | None = None
    sep: str | None = None
    meta: object = None            # pyreadstat metadata of a .sav
    cache: dict = field(default_factory=lambda: _Cache(), repr=False)


def read_raw(path, codebook: Codebook | None = None) -> RawTable:
    """Read a panel file without typing it. Raises :class:`UnreadableError` when the file
    is missing or is not a readable table (wrong format, undecodable bytes)."""
    path = Path(path)
    if not path.exists():
        raise UnreadableError(f"Panel file {path} does not exist. Check the path.")
    if path.is_dir():
        raise UnreadableError(f"{path} is a folder; give the panel file itself.")
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return _read_sav(path)
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path)
    if suffix in (".xlsx", ".xls"):
        raise UnreadableError(f"{path.name} is an Excel workbook; save it from Excel as "
                              f"'CSV (gescheiden door lijstscheidingsteken)' and use that file.")
    return _read_csv(path, codebook)


def _read_sav(path: Path) -> RawTable:
    import pyreadstat
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError types
        raise UnreadableError(f"SPSS file {path} cannot be read: {exc}. Is it a .sav "
                              f"file saved by SPSS (or pyreadstat/haven)?") from None
    return RawTable(str(path), "sav", frame, np.arange(1, len(frame) + 1), meta=meta,
                    empty=len(frame) == 0)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq
    try:
        # one thread: as fast on 2 cores, and much faster when other jobs share them
        frame = pq.read_table(path, use_threads=False).to_pandas(
            types_mapper=_arrow_types, split_blocks=True, self_destruct=True, use_threads=False)
    except Exception as exc:
        raise UnreadableError(f"Parquet file {path} cannot be read: {exc}.") from None
    frame = frame.reset_index(drop=True)
    return RawTable(str(path), "parquet", frame, np.arange(1, len(frame) + 1),
                    empty=len(frame) == 0)


def _decode(path: Path, data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of the file and the encoding it was in (utf-8-sig, utf-8 or cp1252)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableError(f"{path.name} is an Excel workbook (or another zip/OLE file), "
                              f"not CSV text; save it from Excel as CSV and use that file.")
    if b"\x00" in data[:65536]:
        raise UnreadableError(f"{path.name} contains NUL bytes: it is a binary file or "
                              f"UTF-16 text, not a CSV table. Save it as CSV (UTF-8).")
    if data.startswith(b"\xef\xbb\xbf"):
        data, enc = data[3:], "utf-8-sig"
    else:
        enc = "utf-8"
    try:
        data.decode("utf-8")
        return data, enc
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableError(
            f"{path.name} is neither UTF-8 nor Windows-1252 (cp1252) text: byte "
            f"0x{data[exc.start]:02x} on line {line} (first non-UTF-8 byte at offset "
            f"{first_bad}). Save the file as 'CSV UTF-8' and try again.") from None


def _read_csv(path: Path, codebook: Codebook | None) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    data = path.read_bytes()
    if _NONSPACE.search(data) is None:
        return RawTable(str(path), "csv", pd.DataFrame(), np.zeros(0, dtype=np.int64), empty=True)
    data, enc = _decode(path, data)
    header_end = data.find(b"\n")
    header = (data if header_end < 0 else data[:header_end]).decode("utf-8").rstrip("\r")
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise UnreadableError(f"{path.name}: the first line has no ';', ',' or tab separator, "
                              f"so this is not a table with columns (first line: "
                              f"{header[:80]!r}).")
    names = next(csv.reader([header], delimiter=sep))
    stripped = [n.strip() for n in names]
    dupes = sorted({n for n in stripped if stripped.count(n) > 1})
    if dupes:
        raise UnreadableError(f"{path.name}: column(s) {', '.join(map(repr, dupes))} appear more "
                              f"than once in the header; give every column its own name.")
    if "" in stripped:
        raise UnreadableError(f"{path.name}: column {stripped.index('') + 1} of the header has "
                              f"no name; name it or delete the empty column.")
    if header_end < 0 or _NONSPACE.search(data, header_end + 1) is None:
        return RawTable(str(path), "csv", pd.DataFrame(columns=stripped, dtype="string"),
                        np.zeros(0, dtype=np.int64), empty=True, encoding=enc, sep=sep)

    bad: list = []

    def on_bad(row):
        bad.append((row.number, row.actual_columns, row.expected_columns, row.text))
        return "skip"

    def read(types, decimal="."):
        # one thread: faster on 2 shared cores, and skipped rows get their line numbers
        return pcsv.read_csv(
            pa.BufferReader(data),
            read_options=pcsv.ReadOptions(use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=sep, invalid_row_handler=on_bad,
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types=types, null_values=[""],
                                                strings_can_be_null=True,
                                                quoted_strings_can_be_null=True,
                                                decimal_point=decimal))

    as_str = {n: pa.string() for n in names}
    table = None
    if codebook is not None:
        # fast path: numeric codebook columns parsed by arrow; any bad value -> all text
        fast = dict(as_str)
        for n in names:
            v = codebook.variables.get(n.strip())
            if v is not None and v.kind not in _STRING_KINDS + ("categorical",):
                fast[n] = pa.float64()
        for dec in ((",", ".") if sep != "," else (".", ",")):
            try:
                table = read(fast, dec)
                break
            except pa.ArrowInvalid:
                bad.clear()
    if table is None:
        try:
            table = read(as_str)
        except pa.ArrowInvalid as exc:
            raise UnreadableError(f"{path.name} cannot be read as a '{sep}'-separated table: "
                                  f"{exc}.") from None
    frame = table.rename_columns(stripped).to_pandas(types_mapper=_arrow_types, split_blocks=True,
                                                     self_destruct=True)
    del table
    skipped = np.array(sorted(b[0] for b in bad if b[0] is not None), dtype=np.int64)
    lines = np.arange(2, 2 + len(frame) + len(skipped), dtype=np.int64)
    if len(skipped):
        lines = lines[~np.isin(lines, skipped)]
    blank = frame.iloc[:, 0].isna().to_numpy().copy()   # empty lines: every field null
    if blank.any():
        cand = np.flatnonzero(blank)
        blank[cand] = frame.iloc[cand].isna().all(axis=1).to_numpy()
    if blank.any():                       # empty lines: not data
        frame = frame.loc[~blank].reset_index(drop=True)
        lines = lines[~blank]
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    cut = not data.endswith(b"\n") and any(b[0] == n_lines for b in bad)
    return RawTable(str(path), "csv", frame, lines, bad_rows=bad, cut=cut, encoding=enc, sep=sep)


def _arrow_types(t):
    import pyarrow as pa
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    return None


# --------------------------------------------------------------------------- typing
def parse_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Values of a column and a mask of entries that are text, not numbers (None: no text).

    Plain integer columns come back as int64 (no copy, no NA possible); everything else as
    float64 with NaN. Numbers in text may have a decimal comma and surrounding spaces;
    empty strings are missing.
    """
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        vals = np.asarray(s.array)           # the frame's own array (Series.to_numpy is read-only)
        return (vals if vals.dtype == np.int64 else vals.astype(np.int64)), None
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), None
    if isinstance(s.dtype, pd.CategoricalDtype):
        vals, text = parse_numbers(pd.Series(s.cat.categories.astype(str)))
        vals = np.append(np.asarray(vals, dtype="float64"), np.nan)
        codes = s.cat.codes.to_numpy()            # -1 (missing) picks the NaN at the end
        text = None if text is None or not text.any() else np.append(text, False)[codes]
        return vals[codes], text
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = pa.array(s.astype("string"), type=pa.string(), from_pandas=True)
    arr = pc.replace_substring(pc.utf8_trim_whitespace(arr), ",", ".")
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ok = pc.match_substring_regex(arr, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
    vals = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), pa.float64())
    vals = vals.to_numpy(zero_copy_only=False)
    text = np.asarray(pc.fill_null(pc.invert(ok), False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(vals, dtype="float64"), (text if text.any() else None)


def isnan(vals: np.ndarray) -> np.ndarray:
    """np.isnan that also takes integer arrays (which have no NaN)."""
    return np.isnan(vals) if vals.dtype.kind == "f" else np.zeros(len(vals), dtype=bool)


def _label_codes(s: pd.Series, var) -> np.ndarray | None:
    """Codes for a column holding value labels (any case/spacing); None if not text."""
    labels = {**{str(l).strip().casefold(): c for c, l in var.missing.items()},
              **{str(l).strip().casefold(): c for c, l in var.values.items()}}
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str))
        mapped = cats.str.strip().str.casefold().map(labels).to_numpy(dtype="float64", na_value=np.nan)
        codes = s.cat.codes.to_numpy()
        return np.where(codes >= 0, mapped[codes] if len(mapped) else np.nan, np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return None
    uniq = pd.unique(s.dropna())
    lut = {u: labels.get(str(u).strip().casefold(), np.nan) for u in uniq}
    return s.map(lut).to_numpy(dtype="float64", na_value=np.nan)


def column_values(s: pd.Series, var) -> tuple[np.ndarray, np.ndarray | None]:
    """Codes/values of a codebook column (int64 or float64, see :func:`parse_numbers`) and
    the mask of unparseable text (None when there is none).

    Categorical columns may hold codes or their labels."""
    vals, text = parse_numbers(s)
    if var is not None and var.kind == "categorical" and (
            text is not None or isinstance(s.dtype, pd.CategoricalDtype)):
        lab = _label_codes(s, var)
        if lab is not None:
            hit = ~np.isnan(lab)
            vals = np.where(hit, lab, vals)
            if text is not None:
                text = text & ~hit
                text = text if text.any() else None
    return vals, text


def _string_column(s: pd.Series, kind: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype):
        x = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isnan(x) | (x == np.round(x))
        if whole.all():
            ints = pd.array(np.where(np.isnan(x), 0, x).astype(np.int64), dtype="Int64")
            ints[np.isnan(x)] = pd.NA
            out = pd.Series(ints.astype("string"), index=s.index, name=s.name)
            return "GM" + out.str.zfill(4) if kind == "gemeente" else out
    out = s.astype("string").str.strip()
    out = out.mask(out == "")
    if kind == "gemeente":
        out = out.str.upper()
    return out


def code_class(vals: np.ndarray, valid, missing) -> np.ndarray:
    """int8 per value: 1 a valid code, 2 a missing code, 0 anything else (one pass for both
    sets, shared by validation and typing).

    Small non-negative integer codes (the usual case) use a lookup table read with
    ``np.take(mode="clip")``: slot 0 and the last slot hold 0, so values out of range land
    on a 0 without a separate bounds pass."""
    out = np.zeros(len(vals), dtype=np.int8)
    codes = sorted(set(valid) | set(missing))
    if not codes:
        return out
    if codes[0] < 0 or codes[-1] > 100_000 or any(int(c) != c for c in codes):
        out[np.isin(vals, list(valid))] = 1
        out[np.isin(vals, list(missing))] = 2
        return out
    shift = 1 if codes[0] == 0 else 0          # keep slot 0 free for values below the codes
    lut = np.zeros(int(codes[-1]) + shift + 2, dtype=np.int8)
    lut[np.asarray(sorted(valid), dtype=np.int64) + shift] = 1
    lut[np.asarray(sorted(missing), dtype=np.int64) + shift] = 2
    if vals.dtype.kind in "iu":
        return np.take(lut, vals + shift if shift else vals, mode="clip")
    with np.errstate(invalid="ignore"):
        iv = vals.astype(np.int64)             # NaN and huge values: garbage, caught below
        cls = np.take(lut, iv + shift if shift else iv, mode="clip")
        cls[iv != vals] = 0
    return cls


class _Cache(dict):
    """Parsed columns shared by validation and typing (keyed by column name)."""

    def values(self, s: pd.Series, var):          # noqa: D401 - dict method shadowed on purpose
        key = ("v", s.name)
        if key not in self:
            self[key] = column_values(s, var)
        return self[key]

    def classes(self, s: pd.Series, var):
        """:func:`code_class` of a column against its codebook codes."""
        key = ("c", s.name)
        if key not in self:
            vals, _ = self.values(s, var)
            self[key] = code_class(vals, var.values if var.kind != "numeric" else (), var.missing)
        return self[key]

    def strings(self, s: pd.Series, kind: str):
        key = ("s", s.name)
        if key not in self:
            self[key] = _string_column(s, kind)
        return self[key]


def _own(a: np.ndarray) -> np.ndarray:
    """A writable array (arrow hands out read-only views; users assign into panel.data)."""
    return a if a.flags.writeable else a.copy()


def _int_column(s: pd.Series, vals: np.ndarray, miss: np.ndarray | None,
                owned: bool = False) -> pd.arrays.IntegerArray:
    """Int64 codes, missing codes (mask ``miss``) -> NA; integers without a float round trip.
    ``owned``: ``vals`` belongs to a frame that is thrown away, so it need not be copied."""
    if vals.dtype.kind in "iu":
        na = miss if miss is not None else np.zeros(len(vals), dtype=bool)
        keep = owned and vals.dtype == np.int64 and vals.flags.writeable
        return pd.arrays.IntegerArray(vals if keep else np.array(vals, dtype=np.int64), na)
    if s.dtype.kind in "iu":                         # nullable Int64 input
        data = s.to_numpy(dtype=np.int64, na_value=0)
        na = s.isna().to_numpy()
        if miss is not None:
            na = na | miss
        return pd.arrays.IntegerArray(_own(data), _own(na))
    na = np.isnan(vals)
    if miss is not None:
        na |= miss
    ints = np.round(np.where(na, 0, vals)).astype(np.int64)
    return pd.arrays.IntegerArray(ints, na)


def apply_codebook(raw: pd.DataFrame, codebook: Codebook, _cache: _Cache | None = None,
                   _owned: bool = False) -> pd.DataFrame:
    """Give each codebook column its dtype and turn missing codes into NA.

    id, gemeente, kern -> string (a numeric gemeente 14 becomes ``"GM0014"``); wave,
    likert, binary, mark -> Int64 codes; categorical -> pandas Categorical with the Dutch
    value labels (the column may hold codes or labels); numeric, weight -> float64. Text
    that is not a number, and categorical codes without a label, become NA (run
    :func:`socvit.validation.validate` first to hear about them). Columns not in the
    codebook are kept as read.
    """
    cache = _Cache() if _cache is None else _cache
    out = {}
    for col in raw.columns:
        v = codebook.variables.get(col)
        s = raw[col]
        if v is None:
            out[col] = _own(s.to_numpy()) if isinstance(s.dtype, np.dtype) else s.array
            continue
        if v.kind in _STRING_KINDS:
            out[col] = cache.strings(s, v.kind).array
            continue
        vals, _ = cache.values(s, v)
        miss = (cache.classes(s, v) == 2) if v.missing else None
        if v.kind in _INT_KINDS:
            out[col] = _int_column(s, vals, miss, _owned)
            continue
        if miss is not None:
            vals = np.where(miss, np.nan, vals)
        if v.kind == "categorical" and v.values:
            codes = np.array(v.codes, dtype="float64")
            pos = np.searchsorted(codes, vals)
            pos = np.where(pos < len(codes), pos, 0)
            hit = ~isnan(vals) & (codes[pos] == vals)
            out[col] = pd.Categorical.from_codes(np.where(hit, pos, -1),
                                                 categories=[v.values[c] for c in v.codes],
                                                 ordered=v.ordered)
        else:
            out[col] = _own(np.asarray(vals, dtype="float64"))   # int input: a new array
    return pd.DataFrame(out, index=raw.index, copy=False)


# --------------------------------------------------------------------------- loading
def resolve_codebook(path, codebook=None) -> Codebook:
    """The codebook for a data file: a Codebook, a YAML path, or (None) ``codebook.yaml``
    beside the file; for a .sav without one, :meth:`Codebook.from_sav` of the file."""
    if isinstance(codebook, Codebook):
        return codebook
    path = Path(path)
    if codebook is not None:
        return Codebook.from_yaml(codebook)
    beside = path.parent / "codebook.yaml"
    if beside.exists():
        return Codebook.from_yaml(beside)
    if path.suffix.lower() == ".sav" and path.exists():
        return Codebook.from_sav(path)
    raise DataError(f"No codebook for {path}: there is no codebook.yaml beside it. Pass "
                    f"codebook=<path to a YAML codebook> (or --codebook FILE).")


def _registry_beside(path: Path):
    reg = Path(path).parent / "gemeenten.csv"
    if reg.exists():
        from ..gemeenten import load_registry
        load_registry(reg)
