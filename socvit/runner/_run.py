"""Planning and running ``socvit reports`` (see :mod:`socvit.runner`)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .._files import atomic_write, folder_lock, remove_stale_temp, sha256_file
from ..errors import DataError
from ..report import notebook_path
from . import _shared
from ._render import (
    CHROMIUM_HINT, find_chromium, html_to_pdf, index_html, keep_failed_notebook,
    notebook_to_html, parameterize, pop_headline, quick_nbformat_import, slug,
)

__all__ = [
    "run_reports", "plan_reports", "cli_reports", "ReportPlan", "ReportJob", "ReportOutcome",
    "RunSummary", "DEFAULT_NOTEBOOK", "FORMATS",
]

#: the report notebook (package data of socvit.report)
DEFAULT_NOTEBOOK = notebook_path()
#: what ``--format`` can ask for, in any combination (the HTML is always made: the PDF is
#: printed from it and the index links it); xlsx: the table book per gemeente and one
#: workbook of the run's headline figures
FORMATS = ("html", "pdf", "xlsx")
_MANIFEST = "manifest.json"
#: the private folder of a run under ``out``: the lock, and the executed notebooks of failed
#: reports (``<out>/.socvit/failed/<set>/``), which index.html never links; they may show
#: more of the data than a report does, so they are no part of what is published
_PRIVATE = ".socvit"
_FAILED = "failed"
_COMPANIONS = ("bevolking.csv", "gemeenten.csv")


# ---------------------------------------------------------------------------------------
# planning: everything that can be checked before a kernel starts


@dataclass
class ReportJob:
    """One report to make: a gemeente with its notebook parameters and up-to-date stamp."""

    gemeente: str
    naam: str
    parameters: dict
    stamp: str
    html: str                # file name inside the set folder
    pdf: str | None = None
    xlsx: str | None = None  # the table book (tabellenboek), with --format ...,xlsx

    @property
    def stem(self) -> str:
        return self.html[:-5]


@dataclass
class ReportPlan:
    """What a run will do; made by :func:`plan_reports` without starting a kernel."""

    data: Path
    codebook: Path
    notebook: Path
    golf: int
    indeling: int
    folder: Path             # out/<golf> or out/<golf>-indeling-<indeling>
    jobs: list[ReportJob]
    hashes: dict
    common: dict             # parameters shared by every report
    available: dict          # code -> name of the gemeenten with respondents
    data_key: tuple | None = None   # the data file's (size, mtime, inode) when it was hashed

    def __repr__(self):
        return (f"ReportPlan(golf={self.golf}, indeling={self.indeling}, {len(self.jobs)} reports "
                f"-> {self.folder})")


def _source_hash() -> str:
    """sha256 over socvit's own source files (recorded in the manifest, not in the stamp:
    every edit anywhere in the package would otherwise remake every report)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


#: CSV files smaller than this are read with the csv module: no pyarrow (nor numpy) import,
#: ~0.2 s saved on the path before the kernels start; larger ones with pyarrow
_SMALL_CSV = 50_000_000


def _distinct_pairs(path: Path, wave: str, gemeente: str) -> set[tuple[str, str]]:
    """The distinct (wave, gemeente) values of a panel file, as stripped strings.

    Reads only those two columns, and for CSV and parquet without pandas: the runner
    process stays light while the kernels boot. CSV: ``,`` or ``;`` (whichever the header
    has more of), UTF-8 (with or without BOM) or else cp1252, as :mod:`socvit.io` reads it."""
    columns = [wave, gemeente]
    suffix = path.suffix.lower()
    try:
        if suffix in (".sav", ".zsav"):
            import pyreadstat

            frame, _ = pyreadstat.read_sav(str(path), usecols=columns)
            pairs = set(zip(*([None if v is None or v != v else str(v) for v in frame[c]]
                              for c in columns)))
        elif suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            pairs = _arrow_pairs(pq.read_table(path, columns=columns), columns)
        elif path.stat().st_size < _SMALL_CSV:
            pairs = _csv_pairs(path, columns)
        else:
            pairs = _arrow_pairs(_csv_columns(path, columns), columns)
    except (ValueError, KeyError, TypeError, OSError) as exc:   # pyarrow's errors are these too
        raise DataError(
            f"Panel file {path} cannot be read for columns {', '.join(columns)}: {exc}. Check that "
            f"the codebook belongs to this file (its gemeente and wave columns must exist)."
        ) from None
    except Exception as exc:   # pyreadstat's ReadstatError (a truncated .sav), and the like
        raise DataError(
            f"Panel file {path} cannot be read ({type(exc).__name__}: {exc}). The file is damaged "
            f"or not a {suffix.lstrip('.') or 'panel'} file (cut off while being copied?): "
            f"export it again, then check it with `socvit validate {path.name}`."
        ) from None
    pairs = {(w.strip(), g.strip()) for w, g in pairs if w and g and w.strip() and g.strip()}
    return {(_wave_text(w), g) for w, g in pairs}


def _arrow_pairs(table, columns) -> set:
    import pyarrow as pa

    # plain lists (pyarrow.compute functions would import pandas on their first call)
    return set(zip(*(table[c].cast(pa.string()).to_pylist() for c in columns)))


def _csv_pairs(path: Path, columns: list[str]) -> set:
    import csv
    import io

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise KeyError(f"the header has no column {', '.join(map(repr, missing))}")
    i, j = (header.index(c) for c in columns)
    return {(row[i], row[j]) for row in reader if len(row) > max(i, j)}


def _wave_text(value) -> str | None:
    """"2023", "2023.0" and 2023.0 are the same wave."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return str(int(number)) if number.is_integer() else None


def _csv_columns(path: Path, columns: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(path, "rb") as fh:
        header = fh.readline()
    delimiter = ";" if header.count(b";") > header.count(b",") else ","
    convert = pcsv.ConvertOptions(include_columns=columns, strings_can_be_null=True,
                                  column_types={c: pa.string() for c in columns})
    for encoding in ("utf8", "cp1252"):
        try:
            return pcsv.read_csv(path, read_options=pcsv.ReadOptions(encoding=encoding),
                                 parse_options=pcsv.ParseOptions(delimiter=delimiter),
                                 convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) and "utf8" not in str(exc).lower():
                raise ValueError(str(exc)) from None
    raise ValueError("the file is neither UTF-8 nor cp1252 text")


def _resolve_inputs(data, codebook) -> tuple[Path, Path, bool]:
    from .._files import SAMPLE_DIR

    is_sample = data is None
    data = Path(SAMPLE_DIR / "panel.csv" if data is None else data).resolve()
    if not data.exists():
        hint = (" The bundled sample is made with `socvit sample`." if is_sample
                else " Give the path of a panel file (CSV, parquet or SPSS .sav) with --data.")
        raise DataError(f"Panel file {data} does not exist.{hint}")
    if data.is_dir():
        found = sorted(p.name for p in data.iterdir()
                       if p.suffix.lower() in (".csv", ".parquet", ".pq", ".sav", ".zsav"))[:5]
        raise DataError(f"--data {data} is a folder, not a panel file. Give the file itself "
                        f"(CSV, parquet or SPSS .sav)"
                        + (f", e.g. {data / found[0]} (the folder holds {', '.join(found)})."
                           if found else "."))
    cb = Path(codebook).resolve() if codebook is not None else data.parent / "codebook.yaml"
    if cb.is_dir():
        raise DataError(f"--codebook {cb} is a folder; give the codebook file (YAML) itself.")
    if not cb.exists():
        raise DataError(
            f"Codebook {cb} does not exist. Give one with --codebook (a YAML codebook; "
            f"socvit/data/sample/codebook.yaml documents the format)."
        )
    return data, cb, is_sample


def plan_reports(data=None, gemeenten=None, golf=None, indeling=None, *, codebook=None,
                 out="reports", formats=("html",), min_n=None, warn_n=None, compare_to=None,
                 notebook=None, bevolking=None) -> ReportPlan:
    """Check the parameters and list the reports to make, without starting a kernel.

    Reads only the gemeente and wave columns of the panel. Raises
    :class:`~socvit.errors.DataError` for an unknown wave, an indeling before the wave, or a
    gemeente that is unknown or has no respondents in that wave (the message lists the
    valid ones).

    Examples
    --------
    >>> plan = sv.runner.plan_reports(gemeenten=["Delfzijl", "GM1651"], golf=2017)
    >>> plan
    ReportPlan(golf=2017, indeling=2017, 2 reports -> reports/2017)
    >>> [(j.gemeente, j.html) for j in plan.jobs]
    [('GM0010', 'GM0010-delfzijl.html'), ('GM1651', 'GM1651-eemsmond.html')]
    >>> later = sv.runner.plan_reports(golf=2017, indeling=2023)  # Delfzijl's answers: Eemsdelta
    >>> later.folder.name, "GM1979" in [j.gemeente for j in later.jobs]
    ('2017-indeling-2023', True)
    """
    from .. import gemeenten as gm
    from ..codebook import Codebook

    data, cb_path, is_sample = _resolve_inputs(data, codebook)
    if bevolking is not None:
        bevolking = Path(bevolking).resolve()
        if not bevolking.is_file():
            raise DataError(f"Population file {bevolking} (--bevolking) does not exist. Give a "
                            f"CSV with columns golf, gemeente, the codebook's weighting "
                            f"variables and aantal.")
    _check_rules(min_n, warn_n)
    compare_to = _check_compare_to(compare_to)
    notebook = Path(notebook or DEFAULT_NOTEBOOK).resolve()
    if not notebook.exists():
        raise DataError(f"Report notebook {notebook} does not exist; run from a checkout of the "
                        f"socvit repository or pass notebook=PATH.")
    formats = _check_formats(formats)
    cb = Codebook.from_yaml(cb_path)
    gcol, wcol = cb.column("gemeente"), cb.column("wave")
    if gcol is None or wcol is None:
        raise DataError(f"Codebook {cb_path} has no variable of kind "
                        f"{'gemeente' if gcol is None else 'wave'}; the report runner needs both.")
    registry = data.parent / "gemeenten.csv"
    if registry.exists():
        gm.load_registry(registry)

    pairs = _distinct_pairs(data, wcol, gcol)
    present = sorted({int(w) for w, _ in pairs if w is not None})
    if not present:
        raise DataError(f"Panel file {data} has no valid values in its wave column {wcol!r}.")
    if golf is None:
        golf = present[-1]
    golf = int(golf)
    if golf not in present:
        raise DataError(f"Panel file {data} has no respondents in golf {golf}; the waves in the file "
                        f"are {', '.join(map(str, present))}. Choose one of those with --golf.")
    target = golf if indeling is None else int(indeling)
    if target < golf:
        raise DataError(f"Indeling {target} lies before golf {golf}: a wave can only be recalculated to "
                        f"its own or a later gemeentelijke indeling. Use --indeling {golf} or later.")
    mapped = {gm.to_indeling(code, target) for w, code in pairs if w == str(golf)}
    available = {c: gm.name(c) for c in sorted(mapped, key=gm.name)}

    if gemeenten is None or (isinstance(gemeenten, (list, tuple)) and len(gemeenten) == 0):
        chosen = list(available)
    else:
        if isinstance(gemeenten, str):
            gemeenten = [gemeenten]
        chosen = []
        for g in gemeenten:
            c = gm.code(g, year=target)
            if c not in available:
                listing = ", ".join(f"{n} ({k})" for k, n in available.items())
                raise DataError(
                    f"Gemeente {gm.name(c)} ({c}) has no respondents in golf {golf} of {data.name}"
                    f"{'' if target == golf else f' (indeling {target})'}. Gemeenten with respondents: "
                    f"{listing}."
                )
            if c not in chosen:
                chosen.append(c)
    for c in chosen:        # a name is one line in the title, the index and the progress bar
        if _CONTROL.search(gm.name(c)):
            where = registry if registry.exists() else "the gemeenten registry"
            raise DataError(f"The name of gemeente {c} in {where} holds a line break or control "
                            f"character ({gm.name(c)!r}); a report's title, the index and the "
                            f"progress bar show it on one line. Correct the name there. No report "
                            f"was started or changed.")

    data_key = _file_key(data)
    data_sha = sha256_file(data)
    while _file_key(data) != data_key:       # changed while it was hashed: hash it again
        data_key = _file_key(data)
        data_sha = sha256_file(data)
    hashes = {"data_sha256": data_sha, "codebook_sha256": sha256_file(cb_path),
              "notebook_sha256": sha256_file(notebook)}
    for name in _COMPANIONS:
        if (data.parent / name).exists():
            hashes[f"{name}_sha256"] = sha256_file(data.parent / name)
    if bevolking is not None:
        hashes["bevolking_sha256"] = sha256_file(bevolking)
    from .. import __version__

    hashes["socvit_version"] = __version__

    common = {"golf": golf, "indeling": None if indeling is None else target,
              "data": None if is_sample else str(data),
              "codebook": None if codebook is None else str(cb_path)}
    for key, value in (("min_n", min_n), ("warn_n", warn_n), ("compare_to", compare_to),
                       ("bevolking", None if bevolking is None else str(bevolking))):
        if value is not None:
            common[key] = value
    folder = Path(out) / (str(golf) if target == golf else f"{golf}-indeling-{target}")
    jobs = []
    for c in chosen:
        params = {"gemeente": str(c), **common}
        # the code keeps the stems unique; a long name is cut (file names of 255 bytes at most)
        stem = f"{c}-{slug(gm.name(c), max_len=_SLUG_MAX)}"
        jobs.append(ReportJob(c, one_line(gm.name(c)), params, _stamp(params, hashes),
                              f"{stem}.html", f"{stem}.pdf" if "pdf" in formats else None,
                              f"{stem}.xlsx" if "xlsx" in formats else None))
    return ReportPlan(data, cb_path, notebook, golf, target, folder, jobs, hashes, common, available,
                      data_key)


#: longest name part of a report's file name
_SLUG_MAX = 60


def _stamp(params: dict, hashes: dict) -> str:
    """The up-to-date stamp of a report: a hash of its parameters and input hashes."""
    src = json.dumps({"parameters": params, **hashes}, sort_keys=True)
    return hashlib.sha256(src.encode()).hexdigest()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text) -> str:
    """``text`` with control characters and line breaks as single spaces (a name from a
    registry file must not break the progress bar, the summary or a page).

    >>> one_line("Nieuw\\nDorp\\x07 ")
    'Nieuw Dorp'
    """
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_rules(min_n, warn_n) -> None:
    """--min-n and --warn-n as the report's disclosure rules take them (whole numbers of at
    least 1, min_n <= warn_n; the notebook's defaults 10 and 30 for the one not given),
    checked here, before a kernel starts."""
    for flag, value in (("--min-n", min_n), ("--warn-n", warn_n)):
        if value is not None and (not _whole(value) or value < 1):
            raise DataError(
                f"{flag} must be a whole number of respondents of at least 1, not {value!r}: "
                f"figures of fewer than --min-n respondents are not shown (default 10), those "
                f"of fewer than --warn-n are marked indicative (default 30). No report was "
                f"started or changed.")
    lo = 10 if min_n is None else min_n
    hi = 30 if warn_n is None else warn_n
    if lo > hi:
        given = f"--min-n {lo}" + (f" and --warn-n {hi}" if warn_n is not None
                                     else f" with the default --warn-n {hi}")
        raise DataError(
            f"{given}: --min-n must not exceed --warn-n (below --min-n respondents a figure is "
            f"not shown, below --warn-n it is marked indicative). Give --warn-n {lo} or more, "
            f"or a smaller --min-n. No report was started or changed.")


def _check_compare_to(compare_to):
    """None, "provincie", a region of the report (socvit.report.REGIOS) or a list of
    gemeenten (codes or names, checked against socvit.gemeenten)."""
    if compare_to is None:
        return None
    if isinstance(compare_to, str):
        if compare_to.strip().lower() == "provincie":
            return compare_to
        from ..report._prepare import REGIOS   # rare: loads pandas, only for a region name

        if compare_to in REGIOS:
            return compare_to
        raise DataError(f"compare_to {compare_to!r} is not 'provincie', a region "
                        f"({', '.join(REGIOS)}) or a list of gemeenten. No report was started "
                        f"or changed.")
    if isinstance(compare_to, (list, tuple)) and compare_to:
        from .. import gemeenten as gm

        for c in compare_to:
            gm.code(str(c))         # a DataError naming the unknown gemeente
        return list(compare_to)
    raise DataError(f"compare_to must be 'provincie', a region name or a non-empty list of "
                    f"gemeenten, not {compare_to!r}. No report was started or changed.")


def _check_run(jobs, timeout) -> None:
    if not _whole(jobs) or jobs < 1:
        raise DataError(f"--jobs must be a whole number of at least 1, not {jobs!r}.")
    try:
        ok = float(timeout) > 0 and float(timeout) == float(timeout) and not isinstance(timeout, bool)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise DataError(f"--timeout must be a number of seconds above 0 (the time one report may "
                        f"take), not {timeout!r}.")


def _check_formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = formats.split(",")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        hint = " (an Excel table book is xlsx)" if any(f in ("xls", "excel") for f in bad) else ""
        raise DataError(f"Unknown report format {', '.join(bad) or '(none)'}{hint}. "
                        f"--format takes one or more of {', '.join(FORMATS)}, separated by "
                        f"commas, e.g. html,pdf,xlsx.")
    if "html" not in formats:  # the PDF is printed from the HTML
        formats = ("html",) + formats
    return formats


# ---------------------------------------------------------------------------------------
# results


@dataclass
class ReportOutcome:
    """What happened to one report."""

    gemeente: str
    naam: str
    status: str              # "ok", "failed" or "skipped" (up to date)
    seconds: float = 0.0
    error: str | None = None
    headline: dict | None = None
    failed_notebook: str | None = None
    data_sha256: str | None = None   # the data file as the kernel read it (None: unknown)
    note: str | None = None          # e.g. the data changed while the report was made

    def __repr__(self):
        extra = f", error={self.error.splitlines()[0][:80]!r}" if self.error else ""
        return f"ReportOutcome({self.gemeente} {self.naam}: {self.status}, {self.seconds:.1f} s{extra})"


@dataclass
class RunSummary:
    """The result of :func:`run_reports`: one :class:`ReportOutcome` per gemeente."""

    folder: Path
    index: Path
    manifest: Path
    outcomes: list[ReportOutcome] = field(default_factory=list)
    seconds: float = 0.0
    kernel_starts: int = 0
    notes: list[str] = field(default_factory=list)
    workbook: Path | None = None   # the run's headline figures (--format ...,xlsx)

    def _count(self, status):
        return sum(o.status == status for o in self.outcomes)

    @property
    def made(self) -> int:
        return self._count("ok")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def __repr__(self):
        return (f"RunSummary({self.made} made, {self.skipped} up to date, {len(self.failed)} failed, "
                f"{self.seconds:.1f} s -> {self.index})")

    def summary(self) -> str:
        lines = [f"socvit reports: {self.made} made, {self.skipped} up to date (skipped), "
                 f"{len(self.failed)} failed, in {self.seconds:.1f} s "
                 f"({self.kernel_starts} kernel start(s))."]
        made = [o.seconds for o in self.outcomes if o.status == "ok"]
        if made:
            lines.append(f"  per report: {sum(made) / len(made):.1f} s on average in a warm kernel.")
        for o in self.failed:
            lines.append(f"  FAILED {o.naam} ({o.gemeente}): {error_line(o.error)}")
            if o.note:
                lines.append(f"    {o.note}")
            if o.failed_notebook:
                lines.append(f"    executed notebook with the error (private, not linked from "
                             f"the index): {o.failed_notebook}")
        for o in self.outcomes:
            if o.status == "ok" and o.note:
                lines.append(f"  {o.naam} ({o.gemeente}): {o.note}")
        lines.extend(f"  {n}" for n in self.notes)
        lines.append(f"  reports: {self.folder}   overview: {self.index}")
        if self.workbook is not None:
            lines.append(f"  headline figures of every gemeente: {self.workbook}")
        return "\n".join(lines)


_SEPARATOR = re.compile(r"^[\s\-=_~*#.:|+]*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_line(error: str | None, width: int = 300) -> str:
    """The one line of an error worth printing: its first meaningful line (no rules of
    dashes, no blank lines, no terminal colours), with the next one when it ends in a colon
    (a validation report's first problem), cut to ``width`` characters.

    >>> error_line("DataError: panel.csv cannot be used: 2 problems. The first 2:\\n"
    ...            "  - panel.csv, line 4, column bet_1: the value is not a code\\n"
    ...            "Run `socvit validate panel.csv` to list them all.")
    'DataError: panel.csv cannot be used: 2 problems. The first 2: panel.csv, line 4, column bet_1: the value is not a code'
    >>> error_line("------------------\\n\\nKeyError: 'x'")
    "KeyError: 'x'"
    """
    lines = [ln.strip().lstrip("-").strip() for ln in _ANSI.sub("", error or "").splitlines()]
    lines = [ln for ln in lines if not _SEPARATOR.match(ln)]
    if not lines:
        return "unknown error"
    text = lines[0]
    if text.endswith(":") and len(lines) > 1:
        text = f"{text} {lines[1]}"
    return text if len(text) <= width else text[: width - 1] + "…"


_RESPONDENT = re.compile(r"(respondent(?: id)?\s+)(\(?['\"]?)[^\s,;:)'\"]+['\"]?\)?", re.I)
_VALUE = re.compile(r"\bvalues?\s+(?:'[^'\n]*'|\"[^\"\n]*\"|\[[^\]\n]*\]|[-+]?\d[\d.,]*)")


def public_error(text: str | None) -> str | None:
    """An error text fit for the manifest (under the report folder): respondent ids and
    raw values that a message may quote are replaced by "…". The kernels' validation
    errors name file, row and column only already (``SOCVIT_PUBLIC_ERRORS``); this is the
    second line of defence for messages from elsewhere.

    >>> public_error("panel.csv, line 12, respondent R1037999, column bet_1: value '7' is bad")
    'panel.csv, line 12, respondent …, column bet_1: value … is bad'
    """
    if text is None:
        return None
    text = _RESPONDENT.sub(lambda m: f"{m.group(1)}…", text)
    return _VALUE.sub(lambda m: m.group(0).split()[0] + " …", text)


# ---------------------------------------------------------------------------------------
# manifest and index


def _read_manifest(folder: Path) -> dict:
    path = folder / _MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # unreadable: every report is remade


def _up_to_date(job: ReportJob, entry: dict | None, folder: Path) -> bool:
    if not entry or entry.get("status") != "ok" or entry.get("stamp") != job.stamp:
        return False
    if not (folder / job.html).exists():
        return False
    return all(name is None or (entry.get(kind) == name and (folder / name).exists())
               for kind, name in (("pdf", job.pdf), ("xlsx", job.xlsx)))


def _write_manifest(folder: Path, manifest: dict, out: Path) -> None:
    """Write ``folder``'s manifest, then the index of every set in ``out``; a clear
    DataError when the disk is full or the folder not writable."""
    try:
        atomic_write(folder / _MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        _write_index(out)
    except OSError as exc:
        raise DataError(
            f"The manifest or the index in {out} could not be written: {exc.strerror or exc} "
            f"(errno {exc.errno}). The reports written so far are whole and the manifest as it "
            f"was before this report; make room on the disk (or make the folder writable) and "
            f"run the same command again: reports that are up to date are kept.") from None


def _check_entries(folder: Path, entries: dict) -> None:
    """Entries of an earlier run whose report file is gone (deleted by hand, a run killed
    while it replaced it) must not say "ok": they are remade and not linked."""
    for e in entries.values():
        if e.get("status") in ("ok", "stale") and not (e.get("file") and (folder / e["file"]).exists()):
            e.update(status="missing", file=None, pdf=None, xlsx=None)
        for kind in ("pdf", "xlsx"):
            if e.get(kind) and not (folder / e[kind]).exists():
                e[kind] = None


def _write_index(out: Path) -> Path:
    sets = []
    for m in sorted(out.glob(f"*/{_MANIFEST}")):
        try:
            man = json.loads(m.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        man["dir"] = m.parent.name
        _check_entries(m.parent, man.get("reports", {}))   # link only files that are there
        sets.append(man)
    sets.sort(key=lambda s: (-int(s.get("golf", 0)), int(s.get("indeling") or 0)))
    path = out / "index.html"
    atomic_write(path, index_html(sets))
    return path


# ---------------------------------------------------------------------------------------
# one report, in a worker thread with its own warm kernel (socvit.runner._kernels.KernelWorker)


@dataclass
class _Config:
    folder: Path
    base_nb: object
    timeout: float
    chromium: str | None
    finisher: object = None     # a ThreadPoolExecutor: export and write while the kernel goes on
    private: Path | None = None  # where executed notebooks of failed reports go
    data: Path | None = None     # the panel file, its stat key and hash when planned
    data_key: tuple | None = None
    data_sha256: str | None = None
    stop: object = None          # the run's stop event (Ctrl-C, SIGTERM)
    _hashes: dict = field(default_factory=dict)
    _lock: object = field(default_factory=threading.Lock)

    def read_version(self, before, after) -> tuple[str | None, str | None]:
        """(hash, note) of the data a kernel read, from the file's stat before and after
        the report: the planned hash when it did not change; the new file's hash when it
        changed before the report began; None with a note when it changed meanwhile."""
        if self.data is None or before == after == self.data_key:
            return self.data_sha256, None
        if before != after or after is None:
            return None, ("the data file changed while this report was made; which version it "
                          "shows is unknown, so it is remade on the next run")
        with self._lock:                 # each new version of the file is hashed once
            if after not in self._hashes:
                self._hashes[after] = sha256_file(self.data)
            digest = self._hashes[after]
        if _file_key(self.data) != after:
            return None, ("the data file changed while this report was made; which version it "
                          "shows is unknown, so it is remade on the next run")
        return digest, (None if digest == self.data_sha256 else
                        f"made from a changed data file (sha256 {digest[:12]}…, not the "
                        f"{self.data_sha256[:12]}… planned)")


def _file_key(path) -> tuple | None:
    """What tells a changed file: size, modification time, inode (None: gone)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _cell_error(exc) -> str:
    """The exception a notebook cell raised, as "Name: message" (nbclient's own text starts
    with the cell's source between rules of dashes)."""
    from ._kernels import error_text

    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if not ename:
        return error_text(exc)
    return _ANSI.sub("", f"{ename}: {evalue}" if evalue else str(ename)).strip()


async def _make_report(kernel, job: ReportJob, cfg: _Config) -> ReportOutcome:
    """Run one report in a warm kernel and write its files (called in a worker thread).
    A report that fails leaves the files of an earlier one where they are (the manifest
    marks them stale); its executed notebook goes to the run's private folder."""
    from nbclient.exceptions import CellExecutionError

    from ._kernels import error_text

    t0 = time.perf_counter()
    # the table book's path is no part of the stamp: asking for it later remakes the report
    # because the file is missing, not because the parameters changed
    params = job.parameters if job.xlsx is None else {
        **job.parameters, "tabellenboek": str((cfg.folder / job.xlsx).resolve())}
    nb = parameterize(cfg.base_nb, params)
    error = None
    before = _file_key(cfg.data) if cfg.data is not None else None
    book_before = _file_key(cfg.folder / job.xlsx) if job.xlsx else None
    try:
        await kernel.execute(nb, timeout=cfg.timeout)
    except CellExecutionError as exc:           # the notebook raised; the kernel is fine
        error = _cell_error(exc)
    except Exception as exc:                    # timeout, dead kernel: start a fresh one
        error = error_text(exc)
        if "Timeout" in type(exc).__name__:
            error = f"The report took longer than {cfg.timeout:.0f} s (per-report timeout). {error}"
        if cfg.stop is None or not cfg.stop.is_set():   # not while the run is being stopped
            try:
                await kernel.restart()
            except Exception as restart_exc:        # reported on the next report
                error += f" (restarting the kernel failed too: {error_text(restart_exc)})"
    digest, note = cfg.read_version(before, _file_key(cfg.data) if cfg.data is not None else None)
    if error is not None:
        kept = None
        if cfg.private is not None and not (cfg.stop is not None and cfg.stop.is_set()):
            kept = str(cfg.private / f"{job.stem}.ipynb")
            try:
                keep_failed_notebook(nb, kept, error, f"het rapport voor {job.naam} ({job.gemeente})")
            except OSError as exc:
                error += f" (the executed notebook could not be kept: {exc})"
                kept = None
        return ReportOutcome(job.gemeente, job.naam, "failed", time.perf_counter() - t0, error,
                             failed_notebook=kept, data_sha256=digest, note=note)
    if job.xlsx and _file_key(cfg.folder / job.xlsx) in (None, book_before):
        return ReportOutcome(job.gemeente, job.naam, "failed", time.perf_counter() - t0,
                             f"The report ran, but wrote no table book {job.xlsx}: the "
                             f"report notebook needs the cell `report.tabellenboek(rapport, "
                             f"tabellenboek)` for --format xlsx.", data_sha256=digest, note=note)
    if cfg.finisher is None:
        return _finish_report(nb, job, cfg, t0, digest, note)
    # The kernel is free (its reset already runs): the worker takes its next report while
    # another thread exports and writes this one; the caller waits for the Future.
    return cfg.finisher.submit(_finish_report, nb, job, cfg, t0, digest, note)


def _finish_report(nb, job: ReportJob, cfg: _Config, t0: float, digest: str | None = None,
                   note: str | None = None) -> ReportOutcome:
    """Export an executed report to HTML (and PDF) and write it; never raises. On failure
    the files of an earlier report stay (the manifest marks them stale)."""
    from ._kernels import error_text

    def failed(text, headline=None):
        return ReportOutcome(job.gemeente, job.naam, "failed", time.perf_counter() - t0, text,
                             headline, data_sha256=digest, note=note)

    headline = pop_headline(nb)
    try:
        html = notebook_to_html(nb, title=f"Sociale vitaliteit in {job.naam} ({job.parameters['golf']})")
        atomic_write(cfg.folder / job.html, html)
    except Exception as exc:
        return failed(f"The report ran but could not be written: {error_text(exc)}")
    if job.pdf:
        try:
            html_to_pdf(cfg.folder / job.html, cfg.folder / job.pdf, chromium=cfg.chromium)
        except RuntimeError as exc:
            return failed(f"The HTML report was made, the PDF not: {exc}", headline)
    for stale in ((cfg.private / f"{job.stem}.ipynb") if cfg.private else None,
                  cfg.folder / _FAILED / f"{job.stem}.ipynb"):   # where earlier versions kept them
        if stale is not None and stale.exists():
            stale.unlink()
    book = cfg.folder / f"{job.stem}.xlsx"
    if job.xlsx is None and book.exists():      # an older table book would not match
        book.unlink()
    return ReportOutcome(job.gemeente, job.naam, "ok", time.perf_counter() - t0, None, headline,
                         data_sha256=digest, note=note)


# ---------------------------------------------------------------------------------------
# the runner


def run_reports(data=None, gemeenten=None, golf=None, indeling=None, jobs=2, formats=("html",),
                out="reports", force=False, *, codebook=None, min_n=None, warn_n=None,
                compare_to=None, bevolking=None, notebook=None, timeout=600.0, progress=True,
                kernel_name="python3", preload=None, validate=None) -> RunSummary:
    """Make one report per gemeente with warm kernels; write the index and the manifest.

    Parameters
    ----------
    data : path, optional
        Panel file (CSV, parquet, SPSS .sav); default the bundled sample.
    gemeenten : list of str, optional
        CBS codes or names; default every gemeente with respondents in the wave.
    golf : int, optional
        Wave; default the latest in the file.
    indeling : int, optional
        Gemeentelijke indeling to report in (default that of the wave).
    jobs : int
        Worker kernels run side by side.
    formats : tuple or str
        Any of ``"html"``, ``"pdf"`` (through headless Chromium) and ``"xlsx"`` (the table
        book per gemeente, ``<code>-<naam>.xlsx``, and ``kerncijfers-<set>.xlsx`` with the
        headline figures of every gemeente), e.g. ``"html,pdf,xlsx"``; the HTML is always
        made.
    out : path
        Output folder (default ``reports``).
    force : bool
        Remake reports that are up to date.
    codebook, min_n, warn_n, compare_to, bevolking
        Passed to the notebook (``None``: the notebook's default; ``bevolking`` is the
        population margins file, by default the codebook's or ``bevolking.csv`` beside
        the data).
    notebook : path, optional
        Report notebook; default :data:`DEFAULT_NOTEBOOK` (``socvit/report/gemeente_rapport.ipynb``).
    timeout : float
        Seconds one report may take before its kernel is restarted and it counts as failed.
    progress : bool
        Show a tqdm progress bar on stderr.
    kernel_name, preload
        Kernel spec, and the modules each kernel imports once before the first report
        (default :data:`socvit.runner._kernels.DEFAULT_PRELOAD`).
    validate : bool, optional
        Check the panel against its codebook once, while the kernels start and before any
        of them gets a report (:func:`socvit.io.validate`); on an error the run stops with
        the validation report (file, row and column of each problem; no report started or
        changed). Default: when the notebook is the report notebook (another notebook may
        read the data its own way).

    Safety: every parameter is checked before a kernel starts; one run at a time writes
    into ``out`` (a second waits up to 10 s, then stops naming the first one's pid); a
    report whose remake fails keeps its earlier files, marked stale in the manifest and
    the index; Ctrl-C and SIGTERM stop the kernels and leave every file whole; executed
    notebooks of failed reports go to ``<out>/.socvit/failed/<set>/`` (not linked from the
    index; error texts in the manifest name file, row and column, never a respondent id
    or an answer).

    Returns
    -------
    RunSummary
        ``.outcomes`` per gemeente, ``.exit_code`` (0 all made, 1 any failed), ``summary()``.

    Examples
    --------
    >>> # In a shell: socvit reports --golf 2017 --gemeente Delfzijl --jobs 1 --out OUT
    >>> out = getfixture("tmp_path")
    >>> res = sv.runner.run_reports(golf=2017, gemeenten=["Delfzijl"], jobs=1, out=out,
    ...                             progress=False)
    >>> res.exit_code, [(o.naam, o.status) for o in res.outcomes]
    (0, [('Delfzijl', 'ok')])
    >>> sorted(p.name for p in (out / "2017").iterdir())
    ['GM0010-delfzijl.html', 'manifest.json']
    """
    t_start = time.perf_counter()
    _check_run(jobs, timeout)
    plan = plan_reports(data, gemeenten, golf, indeling, codebook=codebook, out=out,
                        formats=formats, min_n=min_n, warn_n=warn_n, compare_to=compare_to,
                        notebook=notebook, bevolking=bevolking)
    if validate is None:
        validate = plan.notebook == Path(DEFAULT_NOTEBOOK).resolve()
    out = _output_folder(out)
    with folder_lock(out, wait=_LOCK_WAIT), _sigterm_as_interrupt():
        return _run_plan(plan, out, jobs=jobs, force=force, timeout=timeout, progress=progress,
                         kernel_name=kernel_name, preload=preload, validate=validate,
                         t_start=t_start)


#: seconds a second run into the same output folder waits for the first
_LOCK_WAIT = 10.0


def _output_folder(out) -> Path:
    """``out`` as a folder this process can write to (made when missing), else a DataError."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {out} is a file, not a folder. Give the folder the reports "
                        f"should go to (it is made when missing).")
    try:
        (out / _PRIVATE).mkdir(parents=True, exist_ok=True)
        probe = out / _PRIVATE / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataError(f"The output folder {out} cannot be made or written to "
                        f"({exc.strerror or exc}). Give a folder you can write to with --out."
                        ) from None
    return out


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (``kill PID``, a scheduler ending the job) is handled like Ctrl-C: the
    kernels are stopped and every file stays whole. Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _validate_once(plan: ReportPlan) -> None:
    """The panel against its codebook, once for the run: a DataError with the validation
    report (file, row and column of the first problems; no ids, no values) when it has
    errors."""
    from ..io._validation import summarise
    from ..io._validation import validate as check

    errors = [p for p in check(plan.data, plan.codebook) if p.severity == "error"]
    if errors:
        raise DataError(summarise(errors, plan.data.name, redact=True)
                        + " No report was started or changed.")


def _run_plan(plan: ReportPlan, out: Path, *, jobs, force, timeout, progress, kernel_name,
              preload, validate, t_start) -> RunSummary:
    """The body of :func:`run_reports`, with the output folder locked."""
    folder = plan.folder
    private = out / _PRIVATE / _FAILED / folder.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"The report folder {folder} cannot be made ({exc.strerror or exc}). "
                        f"Give a folder you can write to with --out.") from None
    for place in (folder, private, out):
        remove_stale_temp(place)
    legacy = folder / _FAILED            # where earlier versions kept failed notebooks: public
    if legacy.is_dir():
        private.mkdir(parents=True, exist_ok=True)
        for kept in legacy.glob("*.ipynb"):
            os.replace(kept, private / kept.name)
        with contextlib.suppress(OSError):
            legacy.rmdir()

    summary = RunSummary(folder, out / "index.html", folder / _MANIFEST)
    chromium = None
    if any(j.pdf for j in plan.jobs):
        chromium = find_chromium()
        if chromium is None:
            summary.notes.append(CHROMIUM_HINT)
            print(f"socvit reports: {CHROMIUM_HINT}", file=sys.stderr)
            for j in plan.jobs:
                j.pdf = None

    manifest = _read_manifest(folder)
    entries = manifest.get("reports", {}) if manifest.get("golf") == plan.golf else {}
    _check_entries(folder, entries)
    manifest = {
        "golf": plan.golf, "indeling": plan.indeling, "data": str(plan.data),
        "codebook": str(plan.codebook), "notebook": str(plan.notebook), **plan.hashes,
        "socvit_source_sha256": _source_hash(), "parameters": plan.common, "updated": None,
        "reports": entries,
    }
    todo = []
    for job in plan.jobs:
        if not force and _up_to_date(job, entries.get(job.gemeente), folder):
            e = entries[job.gemeente]
            summary.outcomes.append(ReportOutcome(job.gemeente, job.naam, "skipped",
                                                  e.get("seconds", 0.0), headline=e.get("headline")))
        else:
            todo.append(job)

    def record(job: ReportJob, outcome: ReportOutcome):
        old = entries.get(job.gemeente) or {}
        ok = outcome.status == "ok"
        stamp = job.stamp
        if outcome.data_sha256 != plan.hashes["data_sha256"]:   # the kernel read another file
            stamp = (None if outcome.data_sha256 is None else
                     _stamp(job.parameters, {**plan.hashes, "data_sha256": outcome.data_sha256}))
        entry = {
            "gemeente": job.gemeente, "naam": job.naam, "status": outcome.status,
            "seconds": round(outcome.seconds, 3), "file": job.html if ok else None,
            "pdf": job.pdf if ok else None, "xlsx": job.xlsx if ok else None, "stamp": stamp,
            "parameters": job.parameters, "data": plan.data.name,
            "data_sha256": outcome.data_sha256, "headline": outcome.headline,
            "error": public_error(outcome.error), "note": outcome.note,
            "failed_notebook": (os.path.relpath(outcome.failed_notebook, folder)
                                if outcome.failed_notebook else None),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if not ok and (folder / job.html).exists():
            # never lose a good report: the earlier one stays, linked and marked stale
            kept = outcome.headline is None         # the new one never reached its HTML

            def there(*names):
                return next((n for n in names if n and (folder / n).exists()), None)
            entry.update(status="stale", file=job.html, stamp=None,
                         pdf=there(old.get("pdf"), job.pdf), xlsx=there(old.get("xlsx"), job.xlsx))
            if kept:
                entry.update(headline=old.get("headline"), data=old.get("data"),
                             parameters=old.get("parameters", job.parameters),
                             data_sha256=old.get("data_sha256"),
                             made=old.get("made") or old.get("finished"))
            outcome.note = ("the earlier report is kept, marked stale in the manifest and the index"
                            if kept else "the new HTML report is kept, marked stale (its other "
                            "files are not current)")
        elif ok:
            entry["made"] = entry["finished"]
        entries[job.gemeente] = entry
        manifest["updated"] = entry["finished"]
        _write_manifest(folder, manifest, out)

    if todo:
        from ._kernels import DEFAULT_PRELOAD, KernelWorker

        preload = tuple(DEFAULT_PRELOAD if preload is None else preload)
        from concurrent.futures import Future, ThreadPoolExecutor

        n_workers = min(jobs, len(todo))
        stop = threading.Event()
        cfg = _Config(folder, None, float(timeout), chromium,
                      ThreadPoolExecutor(n_workers, thread_name_prefix="socvit-export"),
                      private=private, data=plan.data, data_key=plan.data_key,
                      data_sha256=plan.hashes["data_sha256"], stop=stop)
        job_q: queue.Queue = queue.Queue()
        results: queue.Queue = queue.Queue()
        failed = lambda job, err: ReportOutcome(job.gemeente, job.naam, "failed", 0.0, err)
        workers = [KernelWorker(job_q, results, functools.partial(_make_report, cfg=cfg), failed,
                                stop, kernel_name=kernel_name, cwd=os.getcwd(), preload=preload)
                   for _ in range(n_workers)]
        by_code = {j.gemeente: j for j in todo}
        bar = _NoBar()              # shown once the data passed their check
        shared = None               # the panel prepared once for the kernels (_shared)
        try:
            for w in workers:       # the kernels boot (~4 s) while this thread reads the notebook
                w.start()
            quick_nbformat_import()                       # saves ~3 s, see its docstring
            from papermill.iorw import load_notebook_node

            cfg.base_nb = load_notebook_node(str(plan.notebook))  # as papermill: cells tagged
            # what the worker and export threads import, imported here first: two threads
            # importing one module at the same time can get it half-initialised (ImportError)
            import nbclient.exceptions  # noqa: F401
            import nbconvert.filters.markdown_mistune  # noqa: F401
            import papermill.parameterize  # noqa: F401
            if validate:     # once for the run, while the kernels boot; no report before it passed
                try:
                    _validate_once(plan)
                except BaseException:
                    stop.set()
                    for w in workers:
                        w.kill()
                    raise
            shared = _shared.share(plan, checked=validate)   # large data only
            bar = _progress(len(todo), progress)
            for job in todo + [None] * len(workers):      # None: a worker's signal to stop
                job_q.put(job)
            notebook_to_html(cfg.base_nb)   # compile the HTML templates before a report waits
            done = 0
            while done < len(todo):
                try:
                    outcome = results.get(timeout=1.0)
                except queue.Empty:
                    if not any(w.is_alive() for w in workers) and results.empty():
                        break  # should not happen: workers report every job
                    continue
                if isinstance(outcome, Future):
                    outcome = outcome.result()       # _finish_report never raises
                done += 1
                summary.outcomes.append(outcome)
                record(by_code[outcome.gemeente], outcome)
                bar.set_postfix_str(f"{outcome.naam[:40]}: {'ok' if outcome.status == 'ok' else 'MISLUKT'}")
                bar.update(1)
        except KeyboardInterrupt:       # Ctrl-C or SIGTERM: files stay whole, none is deleted
            stop.set()
            cfg.finisher.shutdown(wait=False, cancel_futures=True)
            for w in workers:
                w.kill()
            raise
        finally:
            bar.close()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            cfg.finisher.shutdown(wait=True)
            _shared.unshare(shared)
        summary.kernel_starts = sum(w.kernel.starts for w in workers if w.kernel is not None)
        for job in todo:  # a job no worker reported (a worker died): count it as failed
            if not any(o.gemeente == job.gemeente for o in summary.outcomes):
                o = ReportOutcome(job.gemeente, job.naam, "failed", 0.0, "No worker finished this report.")
                summary.outcomes.append(o)
                record(job, o)
    else:
        manifest["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        _write_manifest(folder, manifest, out)
    if any(j.xlsx for j in plan.jobs):
        summary.workbook = _write_run_workbook(plan, manifest)
        manifest["kerncijfers"] = summary.workbook.name      # the index links it
        _write_manifest(folder, manifest, out)
    elif summary.made and (folder / f"kerncijfers-{folder.name}.xlsx").exists():
        (folder / f"kerncijfers-{folder.name}.xlsx").unlink()  # it would not match the reports
    order = {j.gemeente: i for i, j in enumerate(plan.jobs)}
    summary.outcomes.sort(key=lambda o: order.get(o.gemeente, 0))
    summary.seconds = time.perf_counter() - t_start
    return summary


def _write_run_workbook(plan: ReportPlan, manifest: dict) -> Path:
    """``kerncijfers-<set>.xlsx`` beside the reports: the headline figures of every gemeente
    made in the set folder (one row each), as the index shows them. The runner only hands
    the headlines over; the report layer writes the workbook."""
    from ..report import kerncijfers_boek

    rows = [{"gemeente": e.get("gemeente"), "naam": e.get("naam"), **(e.get("headline") or {})}
            for e in manifest.get("reports", {}).values() if e.get("status") == "ok"]
    meta = {"Gegevens": f"{plan.data.name} (SHA-256 {plan.hashes['data_sha256'][:16]}…)",
            "Per gemeente": "het rapport (HTML) en het tabellenboek (xlsx) in deze map",
            "Gemaakt met": f"socvit {plan.hashes.get('socvit_version', '')}"}
    return kerncijfers_boek(rows, plan.folder / f"kerncijfers-{plan.folder.name}.xlsx",
                            golf=plan.golf, indeling=plan.indeling, meta=meta)


class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix_str(self, s):
        pass

    def close(self):
        pass


def _progress(total: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="rapport", desc="socvit reports", file=sys.stderr,
                dynamic_ncols=True)


def cli_reports(args) -> int:
    """``socvit reports``: see the module docstring. Returns the exit code."""
    gemeenten = None if getattr(args, "all", False) else args.gemeente
    summary = run_reports(
        data=args.data, gemeenten=gemeenten, golf=args.golf, indeling=args.indeling,
        jobs=args.jobs if args.jobs is not None else 2, formats=args.format, out=args.out,
        force=args.force, codebook=args.codebook, min_n=args.min_n, warn_n=args.warn_n,
        bevolking=getattr(args, "bevolking", None), notebook=getattr(args, "notebook", None),
        timeout=args.timeout if getattr(args, "timeout", None) is not None else 600.0,
    )
    print(summary.summary())
    return summary.exit_code
