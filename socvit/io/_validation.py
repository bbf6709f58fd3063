"""Checking a panel file against its codebook: every problem at once, each with its place.

:func:`validate` (also ``sv.validate`` and ``socvit validate PATH``) reads a file with
:func:`socvit.io.read_raw` and returns a list of :class:`Problem`. Rules (all vectorised, so
a million rows take seconds):

==========================  ==================================================  ========
rule                        what is reported                                    severity
==========================  ==================================================  ========
empty file                  no header, or a header without data rows            error
ragged / truncated rows     a CSV line with more or fewer fields than the       error
                            header; a last line cut off mid-line
missing column              a codebook variable that is not in the file         error
unknown column              a file column that is not in the codebook           warning
text in a numeric column    e.g. ``"vier"`` in a likert or numeric column       error
code outside the codebook   a likert/binary/categorical value that is neither   error
                            a valid nor a missing code (categoricals may also
                            hold their Dutch labels)
out of range                numeric/mark values outside the codebook ``range``  error
                            (marks: 1-10 by default), waves that are not years
gemeente                    not of the form GMxxxx, unknown, or not existing    error
                            in the indeling of that row's wave
missing id / wave /         a row without respondent id, wave or gemeente       error
gemeente
duplicate respondent        the same respondent id twice in one wave            error
weight                      a missing or negative weight (kind ``weight``)      error
kern in two gemeenten       one kern name in more than one gemeente in one      warning
                            wave (Oostwold in Oldambt and in Westerkwartier)
value labels (.sav)         a code whose label in the file differs from the     error
                            codebook's (a file coded the other way round);
                            only labels of missing codes differ                 warning
==========================  ==================================================  ========

A file that cannot be read at all (missing, not a table, bytes in no known encoding,
a broken codebook) raises :class:`socvit.DataError` instead: ``socvit validate`` exits 2.
:func:`socvit.io.load_panel` runs these checks and refuses data with errors; warnings are
passed on as :class:`socvit.SocvitWarning`.

Rows are CSV line numbers (header = line 1) or, for .sav and parquet, record numbers
(first record = 1). Each rule lists at most ``max_per_rule`` rows per column, then one
line with the count of the others.

Respondent data stay private: ``str(problem)`` (what ``socvit validate`` prints, for the
owner of the file) names the respondent id and the value, :meth:`Problem.redacted` only the
file, row and column. :func:`summarise` (the error of :func:`socvit.io.load_panel`) uses the
redacted form when asked, or when the environment variable ``SOCVIT_PUBLIC_ERRORS`` is
``1``: ``socvit reports`` sets it in its kernels, so that no id or answer can reach a
report folder through an error message.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import gemeenten
from ..codebook import Codebook
from ..errors import DataError
from ._read import RawTable, _registry_beside, isnan, read_raw, resolve_codebook

__all__ = ["Problem", "validate", "check_raw", "summarise", "cli_validate"]

_RANGE_KINDS = ("numeric", "mark", "weight")


@dataclass
class Problem:
    """One problem in a panel file.

    ``file`` the file name; ``column`` the column (None for the whole file); ``row`` the
    1-based CSV line (header = line 1) or record number, None when not tied to a row;
    ``value`` the offending value as read; ``message`` what is wrong and what to do;
    ``severity`` "error" or "warning"; ``respondent`` the respondent id of the row, if
    known; ``count`` how many rows this line stands for (more than 1 for the summary line
    closing a long list); ``public`` the message without the value or id (None: the
    message holds neither)."""

    file: str
    column: str | None
    row: int | None
    value: object
    message: str
    severity: str = "error"
    respondent: str | None = None
    count: int = 1
    unit: str = "line"
    public: str | None = None

    def _text(self, private: bool) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if private and self.respondent is not None:
            where.append(f"respondent {self.respondent}")
        if self.column is not None:
            where.append(f"column {self.column}")
        tag = "" if self.severity == "error" else f"{self.severity}: "
        message = self.message if private or self.public is None else self.public
        return f"{', '.join(where)}: {tag}{message}"

    def __str__(self):
        return self._text(private=True)

    def redacted(self) -> str:
        """File, row and column and what is wrong, without the respondent id or the value
        (for messages that may be published, e.g. in a report folder).

        >>> p = Problem("panel.csv", "bet_1", 12, "7", "value '7' is not a code of bet_1.",
        ...             respondent="R1037999", public="the value is not a code of bet_1.")
        >>> p.redacted()
        'panel.csv, line 12, column bet_1: the value is not a code of bet_1.'
        """
        return self._text(private=False)


def _codes_text(codes) -> str:
    codes = sorted(codes)
    if len(codes) > 2 and codes == list(range(codes[0], codes[-1] + 1)):
        return f"{codes[0]}-{codes[-1]}"
    return ", ".join(str(c) for c in codes) or "none"


def _norm(label) -> str:
    """A value label compared without case, surrounding or repeated spaces."""
    return " ".join(str(label).casefold().split())


def _label_pairs(diff) -> str:
    """'1 = 'x' in the file, 1 = 'y' in the codebook; ...' for at most three codes."""
    shown = "; ".join(f"{c} = {f!r} in the file, {c} = {o!r} in the codebook"
                      for c, f, o in diff[:3])
    return shown + (f" (and {len(diff) - 3} more codes)" if len(diff) > 3 else "")


def _reversed(file_labels: dict, ours: dict) -> bool:
    """Whether the file's labels are the codebook's in reverse order of the codes."""
    ours_n = {c: _norm(t) for c, t in ours.items()}
    codes = sorted(c for c in ours_n if any(float(k) == c for k in file_labels))
    if len(codes) < 2:
        return False
    file_n = {int(k): _norm(t) for k, t in file_labels.items() if float(k).is_integer()}
    return [file_n.get(c) for c in codes] == [ours_n[c] for c in reversed(codes)]


class _Hidden:
    """Stands for a value in the redacted form of a message (:meth:`Problem.redacted`)."""


_HIDDEN = _Hidden()


def _value(v) -> str:
    """``"value '7'"``, or ``"the value"`` for the redacted message."""
    return "the value" if v is _HIDDEN else f"value {v!r}"


def _num(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class _Checker:
    def __init__(self, raw: RawTable, cb: Codebook, max_per_rule: int):
        self.raw, self.cb, self.cap = raw, cb, max_per_rule
        self.name = Path(raw.file).name
        self.unit = "line" if raw.format == "csv" else "record"
        self.problems: list[Problem] = []
        self.frame = raw.frame
        self.cache = raw.cache
        idcol = cb.column("id")
        self.id_series = (self.cache.strings(self.frame[idcol], "id")
                          if idcol in self.frame else None)

    def rid(self, i):
        if self.id_series is None:
            return None
        v = self.id_series.iloc[i]
        return None if pd.isna(v) else str(v)

    def shown(self, val):
        """A value as the user wrote it: text for CSV, whole floats as integers."""
        if pd.isna(val):
            return None
        if isinstance(val, (float, np.floating)) and float(val).is_integer():
            val = int(val)
        elif isinstance(val, np.floating):
            val = float(val)
        elif isinstance(val, np.integer):
            val = int(val)
        return str(val) if self.raw.format == "csv" else val

    def add(self, column, message, severity="error", row=None, value=None):
        self.problems.append(Problem(self.name, column, row, value, message, severity,
                                     unit=self.unit))

    def rows(self, column: str, mask: np.ndarray, message, values=None):
        """One problem per row in ``mask`` (at most ``cap``), then a count line.
        ``message`` is a string or a function of the raw value."""
        if mask is None:
            return
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        values = self.frame[column] if values is None else values
        for i in idx[: self.cap]:
            val = self.shown(values.iloc[i])
            text = message(val) if callable(message) else message
            public = message(_HIDDEN) if callable(message) else None
            self.problems.append(Problem(self.name, column, int(self.raw.lines[i]), val, text,
                                         respondent=self.rid(i), unit=self.unit,
                                         public=public))
        rest = len(idx) - self.cap
        if rest > 0:
            more = ", ".join(str(int(x)) for x in self.raw.lines[idx[self.cap:self.cap + 5]])
            self.problems.append(Problem(
                self.name, column, None, None,
                f"... and {rest:,} more rows with the same kind of problem ({self.unit}s "
                f"{more}{', ...' if rest > 5 else ''}).", count=rest, unit=self.unit))

    # ----------------------------------------------------------------- rules
    def file_rules(self) -> bool:
        raw = self.raw
        if raw.empty:
            what = "is empty" if raw.frame.shape[1] == 0 else "has a header but no data rows"
            self.add(None, f"the file {what}. Export the panel again (with its rows).")
            return False
        bad = sorted(raw.bad_rows, key=lambda b: b[0] or 0)
        cut = bad.pop() if raw.cut else None
        for line, got, expected, text in bad[: self.cap]:
            msg = (f"this line has {got} fields, the header has {expected}; the row was "
                   f"skipped. Look for a separator inside a value, or a broken line.")
            self.problems.append(Problem(self.name, None, line, text[:60], msg, unit="line"))
        if len(bad) > self.cap:
            self.add(None, f"... and {len(bad) - self.cap:,} more lines with the wrong number "
                           f"of fields.")
            self.problems[-1].count = len(bad) - self.cap
        if cut is not None:
            line, got, expected, text = cut
            self.problems.append(Problem(
                self.name, None, line, text[:60],
                f"the file ends in the middle of this line ({got} of {expected} fields): it was "
                f"cut off while being written or copied. Export it again.", unit="line"))
        return True

    def column_rules(self):
        cols, known = list(self.frame.columns), self.cb.variables
        for c in cols:
            if c not in known:
                self.add(c, "this column is not in the codebook; it is kept as read but not "
                            "typed. Add it to the codebook or remove it from the file.",
                         severity="warning")
        for name in known:
            if name not in cols:
                self.add(name, f"the codebook variable {name!r} ({known[name].label}) is not a "
                               f"column of the file. Add the column, or remove the variable "
                               f"from the codebook (or pass the right codebook).")

    def value_rules(self):
        wave_col = self.cb.column("wave")
        self.wave = None
        if wave_col in self.frame:
            w, _ = self.cache.values(self.frame[wave_col], self.cb.variables[wave_col])
            with np.errstate(invalid="ignore"):
                self.wave = np.where((w == np.round(w)) & (w >= 1900) & (w <= 2100), w, np.nan)
        for name, var in self.cb.variables.items():
            if name not in self.frame:
                continue
            s = self.frame[name]
            if var.kind == "id":
                self.rows(name, self.id_series.isna().to_numpy(),
                          "the respondent id is empty. Every row needs the respondent's id.")
                continue
            if var.kind == "kern":
                continue
            if var.kind == "gemeente":
                self.gemeente_rule(name, s)
                continue
            vals, text = self.cache.values(s, var)
            what = "code or label" if var.kind == "categorical" else "number"
            self.rows(name, text, lambda v, n=name, w=what:
                      f"{_value(v)} is text, not a {w}. Enter a {w} "
                      f"(or leave it empty for missing).")
            absent = isnan(vals)
            present = ~absent
            empty = absent if text is None else absent & ~text
            if var.kind == "wave":
                self.rows(name, empty, "the wave (golf) is empty; every row needs one.")
                with np.errstate(invalid="ignore"):
                    bad = present & ((vals != np.round(vals)) | (vals < 1900) | (vals > 2100))
                self.rows(name, bad, lambda v: f"{_value(v)} is not a year (a wave is the year "
                                               f"of the survey, e.g. 2023).")
            elif var.values:
                bad = self.cache.classes(s, var) == 0
                bad = bad if vals.dtype.kind in "iu" else bad & present
                valid = f"valid: {_codes_text(var.values)}"
                if var.missing:
                    valid += f"; missing: {_codes_text(var.missing)}"
                self.rows(name, bad, lambda v, n=name, t=valid:
                          f"{_value(v)} is not a code of {n} ({t}). Correct the value or add "
                          f"the code to the codebook.")
            elif var.kind in _RANGE_KINDS:
                lo, hi = var.range or ((1, 10) if var.kind == "mark" else (-np.inf, np.inf))
                if var.kind == "weight":
                    lo = max(lo, 0)
                    self.rows(name, empty, "the weight is missing; every row needs a "
                                                      "weight (0 or more).")
                with np.errstate(invalid="ignore"):
                    bad = (vals < lo) | (vals > hi) if np.isfinite(lo) or np.isfinite(hi) else None
                if var.missing and bad is not None and bad.any():
                    bad &= self.cache.classes(s, var) != 2
                rng = ("0 or more" if var.kind == "weight" and hi == np.inf
                       else f"{_num(lo)} to {_num(hi)}")
                extra = (f" (missing codes: {_codes_text(var.missing)})" if var.missing else "")
                self.rows(name, bad, lambda v, r=rng, e=extra:
                          f"{_value(v)} is outside the valid range {r}{e}. Correct it or "
                          f"enter a missing code.")

    def sav_label_rule(self):
        """A .sav's value labels against the codebook's (case and spacing ignored): one error
        per variable whose valid codes mean something else in the file (a file coded the
        other way round, 1 = helemaal mee eens where the codebook says 1 = helemaal mee
        oneens); a warning when only labels of missing codes differ."""
        meta = self.raw.meta
        labels = getattr(meta, "variable_value_labels", None) or {}
        for name, var in self.cb.variables.items():
            file_labels = labels.get(name)
            ours = {**var.values, **var.missing}
            if not file_labels or not ours:
                continue
            diff = []
            for code, text in sorted(file_labels.items()):
                try:
                    c = int(code)
                except (TypeError, ValueError):
                    continue
                if c != code or c not in ours:
                    continue
                if _norm(text) != _norm(ours[c]):
                    diff.append((c, str(text), ours[c]))
            wrong = [d for d in diff if d[0] in var.values]
            if wrong:
                turned = (" The file looks coded the other way round."
                          if _reversed(file_labels, var.values) else "")
                self.add(name, f"the value labels of {name} in the file differ from the "
                               f"codebook: {_label_pairs(wrong)}.{turned} Recode the variable "
                               f"in the file, or correct its values in the codebook, so that "
                               f"each code means the same answer in both; until then its "
                               f"numbers would be wrong.")
            elif diff:      # only missing codes: read as missing either way
                self.add(name, f"the labels of missing codes of {name} differ from the "
                               f"codebook: {_label_pairs(diff)}. They are read as missing "
                               f"either way; align the labels if they mean different "
                               f"answers.", severity="warning")

    def kern_rule(self):
        """A warning per kern name that occurs in more than one gemeente in one wave."""
        g, k = self.cb.column("gemeente"), self.cb.column("kern")
        if g not in self.frame or k not in self.frame:
            return
        shared = gemeenten._shared(self.cache.strings(self.frame[k], "kern"),
                                   self.cache.strings(self.frame[g], "gemeente"), self.wave,
                                   gemeenten._kern_label(self.cb, k))
        def named(c):
            return gemeenten._BY_CODE[c].name if c in gemeenten._BY_CODE else c
        for kern, codes in shared.items():
            where = " and ".join(f"{named(c)} ({c})" for c in codes)
            self.problems.append(Problem(
                self.name, k, None, kern,
                f"kern name {kern!r} occurs in more than one gemeente in one wave: {where}. "
                f"socvit keeps them apart by gemeente (sv.gemeenten.kern_key labels them "
                f"'{kern} ({named(codes[0])})' and so on); check that these are different "
                f"places, or give the kernen codes in the codebook (values on the kern "
                f"variable).", severity="warning", unit=self.unit))

    def _wave_codes(self):
        """Factorised wave per row: codes (-1 for none) and the distinct waves."""
        if self.wave is None:
            return np.full(len(self.frame), -1, dtype=np.int64), np.array([])
        wc, wu = pd.factorize(self.wave)
        return wc.astype(np.int64), np.asarray(wu)

    def gemeente_rule(self, name, s):
        codes = self.cache.strings(s, "gemeente")
        gc, gu = pd.factorize(codes)                    # a few dozen distinct codes
        gu = [str(x) for x in gu]
        wc, wu = self._wave_codes()
        self.rows(name, gc < 0, "the gemeente is empty; every row needs the CBS code of the "
                                "gemeente (e.g. GM0014).")
        # judge each distinct (gemeente, wave) pair once, then map back to the rows
        pair = gc.astype(np.int64) * (len(wu) + 1) + (wc + 1)
        pc_, pu = pd.factorize(pair)
        status = np.zeros(len(pu), dtype=np.int8)      # 0 ok, 1 form, 2 unknown, 3 not in wave
        for k, p in enumerate(pu):
            g, w = divmod(int(p), len(wu) + 1)
            if g < 0 or g >= len(gu):
                continue
            c = gu[g]
            if not gemeenten.is_code(c):
                status[k] = 1
            elif c not in gemeenten._BY_CODE:
                status[k] = 2
            elif w > 0 and not gemeenten.exists_in(c, int(wu[w - 1])):
                status[k] = 3
        row_status = status[pc_]
        self.rows(name, row_status == 1, lambda v: f"{_value(v)} is not a CBS gemeente code "
                                                   f"(GM followed by four digits, e.g. GM0014).")
        self.rows(name, row_status == 2,
                  lambda v: f"{'the gemeente code' if v is _HIDDEN else f'gemeente code {v!r}'}"
                            f" is unknown. Use a CBS code of the province (see "
                            f"sv.gemeenten.table()), or register it in a gemeenten.csv beside "
                            f"the data file.")

        def msg(v):
            if v is _HIDDEN:
                return ("the gemeente did not exist in the indeling of this row's wave. Use "
                        "the code valid at the wave, or check the wave.")
            g = gemeenten._BY_CODE[str(v).strip().upper()]
            until = f" until {g.end:%Y-%m-%d}" if g.end else ""
            return (f"gemeente {g.code} ({g.name}) did not exist in the indeling of this row's "
                    f"wave (it existed from {g.begin:%Y-%m-%d}{until}). Use the code valid "
                    f"at the wave, or check the wave.")
        self.rows(name, row_status == 3, msg)

    def _sorted_duplicates(self):
        """Duplicate mask by comparing neighbours, when the rows are sorted by wave and id
        (as exports usually are); None when they are not (then hashing decides)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        if len(self.id_series) < 2:
            return None
        ids = pa.array(self.id_series.array)
        if self.wave is None:
            same_wave = np.ones(len(ids) - 1, dtype=bool)
        else:
            w = self.wave
            with np.errstate(invalid="ignore"):
                if not (w[1:] >= w[:-1]).all():          # NaN compares False: unsorted
                    return None
            same_wave = w[1:] == w[:-1]
        ascending = pc.fill_null(pc.less_equal(ids[:-1], ids[1:]), False)
        if not np.asarray(ascending, dtype=bool)[same_wave].all():
            return None
        equal = np.asarray(pc.fill_null(pc.equal(ids[:-1], ids[1:]), False), dtype=bool)
        return np.concatenate([[False], equal & same_wave])

    def duplicate_rule(self):
        idcol = self.cb.column("id")
        if self.id_series is None:
            return
        dup = self._sorted_duplicates()
        key = None
        if dup is None:
            ic, _ = pd.factorize(self.id_series)
            wc, wu = self._wave_codes()
            key = ic.astype(np.int64) * (len(wu) + 1) + (wc + 1)
            dup = pd.Series(key).duplicated(keep="first").to_numpy() & (ic >= 0)
        if not dup.any():
            return
        idx = np.flatnonzero(dup)
        if key is not None:
            first = pd.Series(np.arange(len(key))).groupby(key).transform("min").to_numpy()
        else:                                    # sorted: the run of equal rows starts earlier
            first = {}
            for i in idx[: self.cap]:
                j = i
                while dup[j]:
                    j -= 1
                first[i] = j
        in_wave = " in the same wave" if self.wave is not None else ""
        for i in idx[: self.cap]:
            rid = self.rid(i)
            self.problems.append(Problem(
                self.name, idcol, int(self.raw.lines[i]), rid,
                f"respondent {rid!r} appears twice{in_wave}: also on {self.unit} "
                f"{int(self.raw.lines[first[i]])}. Keep one row per respondent per wave.",
                respondent=rid, unit=self.unit,
                public=f"the respondent id appears twice{in_wave}: also on {self.unit} "
                       f"{int(self.raw.lines[first[i]])}. Keep one row per respondent per wave."))
        if len(idx) > self.cap:
            self.add(idcol, f"... and {len(idx) - self.cap:,} more duplicate respondent rows.")
            self.problems[-1].count = len(idx) - self.cap


def check_raw(raw: RawTable, codebook: Codebook, max_per_rule: int = 20) -> list[Problem]:
    """Problems of a file already read with :func:`socvit.io.read_raw`."""
    ch = _Checker(raw, codebook, max_per_rule)
    if ch.file_rules():
        ch.column_rules()
        ch.value_rules()
        ch.duplicate_rule()
        ch.kern_rule()
        if raw.format == "sav" and raw.meta is not None:
            ch.sav_label_rule()
    return ch.problems


def _run(path, codebook=None, max_per_rule=20):
    path = Path(path)
    _registry_beside(path)
    cb = resolve_codebook(path, codebook)
    raw = read_raw(path, cb)
    return raw, check_raw(raw, cb, max_per_rule)


def validate(path, codebook=None, max_per_rule: int = 20) -> list[Problem]:
    """Check a panel file against its codebook and return all problems at once.

    Parameters
    ----------
    path : str or Path
        A .csv (also Dutch ``;``/decimal-comma, cp1252), .sav or .parquet panel file.
    codebook : Codebook, path or None
        As in :func:`socvit.io.load_panel` (default: codebook.yaml beside the file).
    max_per_rule : int
        Rows listed per rule and column before a count line closes the list.

    Returns
    -------
    list of Problem
        Empty when the file is clean. See the module docstring for the rules.

    Raises
    ------
    DataError
        The file cannot be read at all (missing, not a table, unknown encoding) or the
        codebook is broken.

    Examples
    --------
    A copy of the sample with one answer out of range:

    >>> tmp = getfixture("tmp_path")
    >>> raw = pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv", dtype=str, keep_default_na=False)
    >>> raw.loc[10, "bet_1"] = "7"
    >>> raw.to_csv(tmp / "panel.csv", index=False)
    >>> problems = sv.validate(tmp / "panel.csv", codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
    >>> for p in problems: print(p)
    panel.csv, line 12, respondent R1037999, column bet_1: value '7' is not a code of bet_1 ...
    """
    return _run(path, codebook, max_per_rule)[1]


def summarise(problems: list[Problem], name: str, limit: int = 10,
              redact: bool | None = None) -> str:
    """One paragraph naming the first ``limit`` problems and the total count.

    ``redact``: name only file, row and column (:meth:`Problem.redacted`), never a
    respondent id or a value; None: when the environment variable ``SOCVIT_PUBLIC_ERRORS``
    is ``1`` (``socvit reports`` sets it in its kernels)."""
    if redact is None:
        redact = os.environ.get("SOCVIT_PUBLIC_ERRORS") == "1"
    total = sum(p.count for p in problems)
    shown = [p for p in problems if p.count == 1][:limit]
    lines = "\n".join(f"  - {p.redacted() if redact else p}" for p in shown)
    more = f"\n  ... {total - len(shown):,} more." if total > len(shown) else ""
    return (f"{name} cannot be used as it is: {total:,} problem{'s' * (total != 1)} against "
            f"its codebook. The first {len(shown)}:\n{lines}{more}\nRun `socvit validate "
            f"{name}` to list them all, then correct the file or the codebook.")


def cli_validate(args) -> int:
    """``socvit validate PATH [--codebook FILE]``: print every problem, one per line, and a
    summary. Exit 0 when clean, 1 when problems were found, 2 when the file or codebook
    cannot be read at all. Writes nothing."""
    try:
        raw, problems = _run(args.path, getattr(args, "codebook", None))
    except DataError as exc:
        print(f"socvit validate: {exc}", file=sys.stderr)
        return 2
    except (OSError, MemoryError) as exc:
        print(f"socvit validate: {args.path} cannot be read: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, or a format we do not know: still no traceback
        print(f"socvit validate: {args.path} could not be checked ({type(exc).__name__}: {exc}). "
              f"This is probably a bug in socvit; please report it with the file's first "
              f"lines.", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    name = Path(args.path).name
    n_err = sum(p.count for p in problems if p.severity == "error")
    n_warn = sum(p.count for p in problems if p.severity != "error")
    n, k = raw.frame.shape
    size = f"{n:,} row{'s' * (n != 1)}, {k} column{'s' * (k != 1)}"
    if not problems:
        print(f"{name}: no problems found ({size}).")
        return 0
    print(f"{name}: {n_err:,} error{'s' * (n_err != 1)} and {n_warn:,} "
          f"warning{'s' * (n_warn != 1)} ({size}).")
    return 1
