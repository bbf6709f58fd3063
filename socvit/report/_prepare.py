"""Preparing the panel for the gemeente reports (used by :mod:`socvit.sections`).

:func:`prepare` reads the panel once, checks the parameters, maps every wave to the chosen
indeling, weights the answers and scores the codebook's report scales on 0-10 from each
scale's own answer range. Weights, in this order: the weight delivered with the data (the
codebook's ``roles.weight``); else raking each wave to the population margins of its own
gemeenten by the codebook's ``roles.weighting`` variables (a gemeente whose sample lacks a
group has it joined with a neighbour, one that cannot be raked at all is left unweighted,
never breaking the others); else none. ``Rapport.weging_methode`` says which, and why. The result is cached per data file, codebook, population file, wave and
indeling, so a warm kernel making one report after another does this once. The public names
are re-exported by :mod:`socvit.sections` (``sections.prepare``, ``sections.Rapport``).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import disclosure, gemeenten
from .._files import sha256_file
from ..errors import DataError, SocvitWarning
from .texts import md

__all__ = ["Rapport", "prepare", "resolve_path", "REGIOS", "W", "G", "kaart", "kaart_spec",
           "share_prepared", "unshare_prepared"]

#: comparison areas by name (indeling 2023 codes); "provincie" is every gemeente in the data
REGIOS = {
    "Noord-Groningen": ("GM1966", "GM1979"),
    "Oost-Groningen": ("GM1895", "GM0765", "GM1950", "GM0037", "GM0047"),
    "Centraal en West": ("GM0014", "GM1952", "GM1969"),
}

W = "_gewicht"          # weight column added by prepare
G = "_gemeente"         # gemeente in the report's indeling


# --------------------------------------------------------------------------- containers
@dataclass
class Rapport:
    """Everything the sections share: the prepared data and the report's parameters."""

    data: pd.DataFrame            # waves <= golf, with W, G and scale scores (0-10)
    codebook: object
    gemeente: str
    naam: str
    golf: int
    indeling: int
    rules: disclosure.Rules
    compare_label: str            # "de rest van de provincie"
    compare_codes: tuple | None   # None: the whole province
    source: str
    data_hash: str
    bevolking: pd.DataFrame | None
    weging_methode: dict = field(default_factory=dict)  # method, variable/file, reason
    weighting: dict = field(default_factory=dict)   # golf -> RakeResult
    weging: dict = field(default_factory=dict)      # golf -> {code: (status, detail)}
    scales: dict = field(default_factory=dict)      # group -> [scale names]
    shared: dict = field(default_factory=dict)      # province-level results shared by reports
    counters: dict = field(default_factory=lambda: {"figuur": 0, "tabel": 0})

    def __repr__(self):
        return (f"Rapport({self.naam} ({self.gemeente}), golf {self.golf}, indeling "
                f"{self.indeling}, n = {int(self.in_gemeente().sum())}, vergelijking: "
                f"{self.compare_label})")

    # the columns named by the codebook
    @property
    def wave_col(self):
        return self.codebook.column("wave")

    @property
    def kern_col(self):
        return self.codebook.column("kern")

    @property
    def roles(self):
        """The codebook's roles: activity, mark, background, organisatiekracht, ..."""
        return self.codebook.roles

    @property
    def method(self) -> str:
        """How the answers are weighted: "meegeleverd", "raking" or "ongewogen"."""
        return self.weging_methode.get("method", "ongewogen")

    def wave(self, golf=None) -> pd.DataFrame:
        """Rows of one wave (default the report's); computed once per wave."""
        golf = self.golf if golf is None else int(golf)
        waves = self._waves()
        if golf not in waves:
            waves[golf] = self.data.loc[self.data[self.wave_col] == golf]
        return waves[golf]

    def _waves(self) -> dict:
        """golf -> the rows of that wave (and "data": the frame they come from), shared by
        the reports on the same prepared data."""
        waves = self.shared.get("_waves")
        if waves is None or waves["data"] is not self.data:
            waves = self.shared["_waves"] = {"data": self.data}
        return waves

    def _mask(self, name, frame, make) -> pd.Series:
        """``make(frame)``, kept for ``data`` and its waves (read-only), made afresh for
        any other frame."""
        key = (name, id(frame))
        hit = self.counters.get(key)
        if hit is not None and hit[0] is frame:
            return hit[1]
        mask = make(frame)
        if any(frame is held for held in self._waves().values()):
            self.counters[key] = (frame, mask)
        return mask

    def in_gemeente(self, frame=None) -> pd.Series:
        """Rows of ``frame`` (default the report's wave) in the gemeente."""
        frame = self.wave() if frame is None else frame
        return self._mask("_in_gem", frame,
                          lambda f: (f[G] == self.gemeente).fillna(False).astype(bool))

    def in_comparison(self, frame=None) -> pd.Series:
        """Rows of ``frame`` (default the report's wave) in the comparison area.

        A row is in the comparison area when all of these hold:

        * its gemeente in the report's indeling (column ``G``) is not the report's own;
        * that gemeente is one of ``compare_codes`` (when not None: a region or list; None
          is every other gemeente of the data);
        * that gemeente is not hidden in the row's own wave (``wave_col``): it has at least
          ``rules.min_n`` respondents (rows) in that wave, counted in the report's indeling
          over the whole prepared data (see :meth:`hidden_in`).

        The last rule is the run-wide secondary suppression: a gemeente whose own report
        shows nothing must not be recoverable by subtracting comparison figures of other
        reports (rest of the province minus another gemeente's own figure and the public
        population margins), so its respondents count in no aggregate of the run. Rows with
        no gemeente in the indeling (NA in ``G``) are never in the comparison area. Columns
        are further blanked per gemeente and measure by :meth:`hide_values`.
        """
        frame = self.wave() if frame is None else frame
        return self._mask("_in_comp", frame, self._comparison)

    def _comparison(self, frame) -> pd.Series:
        other = ~self.in_gemeente(frame) & frame[G].notna().to_numpy()
        if self.compare_codes is not None:
            other &= frame[G].isin(self.compare_codes).fillna(False).astype(bool)
        return other & ~self.in_hidden(frame)

    @property
    def hidden(self) -> frozenset:
        """CBS codes (the report's indeling) of the gemeenten with at least one but fewer
        than ``rules.min_n`` respondents in the report's wave (:meth:`hidden_in`)."""
        return self.hidden_in(self.golf)

    def hidden_in(self, golf) -> frozenset:
        """CBS codes (the report's indeling) of the gemeenten with at least one but fewer
        than ``rules.min_n`` respondents (rows of ``data``) in wave ``golf``.

        Their own reports show no figures for that wave, and their respondents are left out
        of every aggregate of the run beyond the gemeente (comparison areas, the whole-panel
        reliability and model, the trend comparison). The set depends only on the prepared
        data (waves up to the report's, the indeling) and ``min_n``, so every report of a run
        finds the same set without knowing the others. Shared by the reports on the same
        prepared data.
        """
        golf = int(golf)
        key = ("_hidden", golf, self.rules.min_n)
        if key not in self.shared:
            counts = self.wave(golf)[G].value_counts()
            self.shared[key] = frozenset(str(c) for c, k in counts.items()
                                         if 0 < k < self.rules.min_n)
        return self.shared[key]

    def hidden_for(self, column, golf=None) -> frozenset:
        """CBS codes of the gemeenten with at least one but fewer than ``rules.min_n`` valid
        (non-missing) values of ``column`` in wave ``golf`` (default the report's), counted
        like :meth:`hidden_in`. Their figure for that measure is suppressed in their own
        report (and on the map), so :meth:`hide_values` keeps those values out of the
        comparison areas of the other reports as well."""
        golf = self.golf if golf is None else int(golf)
        key = ("_hidden_for", golf, self.rules.min_n, column)
        if key not in self.shared:
            wave = self.wave(golf)
            if column in wave.columns:
                counts = wave[column].notna().groupby(wave[G].to_numpy()).sum()
                codes = frozenset(str(c) for c, k in counts.items() if 0 < k < self.rules.min_n)
            else:
                codes = frozenset()
            self.shared[key] = codes
        return self.shared[key]

    def hide_values(self, frame: pd.DataFrame, columns=None) -> pd.DataFrame:
        """``frame`` with the values of ``columns`` (default all but the weight, gemeente
        and wave columns) set to missing in the rows of other gemeenten that have fewer
        than ``rules.min_n`` valid values of that column in the row's wave
        (:meth:`hidden_for`); the report's own rows are kept (its own figure is suppressed
        by the estimates). A copy only when something is blanked.

        Together with :meth:`in_comparison` this defines the comparison figures: the
        comparison value of a measure in a wave comes from the rows of
        ``in_comparison`` whose gemeente has at least ``min_n`` valid values of the measure
        in that wave.
        """
        skip = {W, G, self.wave_col}
        columns = [c for c in (frame.columns if columns is None else columns)
                   if c in frame.columns and c not in skip]
        waves = frame[self.wave_col]
        own = self.in_gemeente(frame).to_numpy(dtype=bool)
        out = frame
        for golf in pd.unique(waves.dropna()):
            in_wave = (waves == golf).to_numpy(dtype=bool) & ~own
            for c in columns:
                codes = self.hidden_for(c, golf)
                if not codes:
                    continue
                rows = in_wave & frame[G].isin(list(codes)).fillna(False).to_numpy(dtype=bool)
                if rows.any():
                    if out is frame:
                        out = frame.copy()
                    out.loc[rows, c] = pd.NA if not pd.api.types.is_float_dtype(out[c]) \
                        else float("nan")
        return out

    def in_hidden(self, frame=None) -> pd.Series:
        """Rows of ``frame`` (default the report's wave) whose gemeente is hidden in the
        row's own wave (:meth:`hidden_in`)."""
        frame = self.wave() if frame is None else frame
        return self._mask("_in_hidden", frame, self._hidden_rows)

    def _hidden_rows(self, frame) -> pd.Series:
        waves = frame[self.wave_col]
        mask = pd.Series(False, index=frame.index)
        for golf in pd.unique(waves.dropna()):
            codes = self.hidden_in(golf)
            if codes:
                mask |= ((waves == golf) & frame[G].isin(list(codes))).fillna(False).astype(bool)
        return mask

    def n(self, golf=None) -> int:
        return int(self.in_gemeente(self.wave(golf)).sum())

    def enough(self, golf=None) -> bool:
        return self.n(golf) >= self.rules.min_n

    def figuur(self, text: str) -> str:
        self.counters["figuur"] += 1
        return f"Figuur {self.counters['figuur']}. {text}"

    def tabel(self, text: str) -> str:
        self.counters["tabel"] += 1
        return f"Tabel {self.counters['tabel']}. {text}"

    def label(self, name: str) -> str:
        return self.codebook.label(name)


# --------------------------------------------------------------------------- preparing
def _hash(path) -> str:
    if path is None or not Path(path).exists():
        return "onbekend"
    return sha256_file(path)


def _to_indeling(frame: pd.DataFrame, gem_col: str, kern_col: str | None, year: int) -> pd.Series:
    """Each row's gemeente in the indeling of ``year``; NA for gemeenten that began after it
    (they cannot be mapped back). Uses :func:`socvit.gemeenten.to_indeling` per distinct
    (gemeente, kern) pair."""
    cols = [gem_col] + ([kern_col] if kern_col else [])
    pairs = frame[cols].drop_duplicates().dropna(subset=[gem_col])
    mapped = []
    for row in pairs.itertuples(index=False):
        kern = row[1] if kern_col and not pd.isna(row[1]) else None
        try:
            mapped.append(gemeenten.to_indeling(row[0], year, kern))
        except DataError:
            mapped.append(pd.NA)
    pairs = pairs.assign(_to=pd.array(mapped, dtype="string"))
    out = frame[cols].merge(pairs, on=cols, how="left")["_to"]
    return pd.Series(out.to_numpy(), index=frame.index, dtype="string")


def _own_province(base: dict, code_: str) -> tuple | None:
    """The gemeenten of the data in ``code_``'s own province, or None when every gemeente of
    the data lies in it (or a registered gemeente has no province): then all of them."""
    by_province = base["shared"].get("_provinces")
    if by_province is None:
        by_province = {}
        for c in base["data"][G].dropna().unique():
            try:
                by_province.setdefault(gemeenten.province(str(c)), []).append(str(c))
            except DataError:
                by_province.setdefault(None, []).append(str(c))
        base["shared"]["_provinces"] = by_province
    if len(by_province) < 2 or None in by_province:
        return None
    try:
        return tuple(sorted(by_province.get(gemeenten.province(code_), [])))
    except DataError:
        return None


def resolve_path(path) -> Path:
    """A path as given; a relative one that does not exist is also looked for from the
    parent of the working directory (a notebook run from a project's notebooks/ folder)
    and inside the package (``data/sample/panel.csv`` names the bundled sample)."""
    from .. import io
    p = Path(path)
    if not p.is_absolute() and not p.exists():
        for base in (Path.cwd().parent, io.SAMPLE_DIR.parent.parent):
            if (base / p).exists():
                return base / p
    return p


def prepare(gemeente, golf: int, indeling: int | None = None, data=None, codebook=None,
            min_n: int = 10, warn_n: int = 30, compare_to="provincie",
            bevolking=None) -> Rapport:
    """Load and prepare the panel for the report of one gemeente.

    Parameters
    ----------
    gemeente : str
        CBS code ("GM1979") or name ("Eemsdelta"), existing in the indeling.
    golf : int
        The wave reported on; trends use the waves up to and including it.
    indeling : int, optional
        Year of the municipal boundaries (default: that of the wave).
    data : path or Panel, optional
        The panel file (default: the bundled sample, found via :mod:`socvit.io`).
    codebook : path, optional
        The codebook (default: ``codebook.yaml`` beside the data).
    min_n, warn_n : int
        Disclosure thresholds (suppress below ``min_n``, indicative below ``warn_n``).
    compare_to : str or list
        "provincie" (every other gemeente of the data in the gemeente's own province), a name
        in :data:`REGIOS`, or a list
        of gemeente codes/names.
    bevolking : path or DataFrame, optional
        Population margins by the codebook's ``roles.weighting`` variables (columns golf,
        gemeente, those variables and aantal). Default: the file the codebook's
        ``panel.bevolking`` names, else ``bevolking.csv`` beside the data. Used to rake
        when the data bring no weight of their own (``roles.weight``); without margins or
        weight the report is unweighted and says so.
    """
    from .. import io
    rules = disclosure.Rules(min_n=int(min_n), warn_n=int(warn_n))
    golf = int(golf)
    if bevolking is not None and not isinstance(bevolking, pd.DataFrame):
        bevolking = resolve_path(bevolking)
    if isinstance(data, io.Panel):
        path = Path(data.source) if data.source else None
        base = _build(data, path, bevolking, golf, indeling)
    else:
        path = io.SAMPLE_DIR / "panel.csv" if data is None else resolve_path(data)
        cbpath = None if codebook is None else resolve_path(codebook)
        key = (_file_key(path), _file_key(cbpath), _file_key(bevolking), golf, indeling)
        base = None if isinstance(bevolking, pd.DataFrame) else _CACHE.get(key)
        if base is not None and _file_key(base["bevolking_path"]) != base["bevolking_key"]:
            base = None                      # the population file changed
        if base is None:
            # prepared once for the run (share_prepared), else here
            base = None if isinstance(bevolking, pd.DataFrame) else _read_shared(key, path)
            if base is None:
                panel = io.load_sample() if data is None and cbpath is None else \
                    io.load_panel(path, cbpath)
                base = _build(panel, path, bevolking, golf, indeling)
            if not isinstance(bevolking, pd.DataFrame):
                _CACHE[key] = base
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.pop(next(iter(_CACHE)))
    indeling = base["indeling"]
    code_ = gemeenten.code(gemeente, year=indeling)

    # comparison area
    if isinstance(compare_to, str) and compare_to.strip().lower() == "provincie":
        compare_codes, label = _own_province(base, code_), "de rest van de provincie"
        if compare_codes is not None and set(compare_codes) <= {code_}:
            # the only gemeente of its province in the panel: compare with the others
            compare_codes, label = None, "de andere gemeenten in het panel"
    elif isinstance(compare_to, str) and compare_to in REGIOS:
        compare_codes = tuple(gemeenten.to_indeling(c, indeling) for c in REGIOS[compare_to])
        label = f"de rest van {md(compare_to)}"
    elif isinstance(compare_to, (list, tuple)):
        compare_codes = tuple(gemeenten.to_indeling(gemeenten.code(c), indeling) for c in compare_to)
        label = "de rest van de vergelijkingsregio"
    else:
        raise DataError(f"compare_to {compare_to!r} is not 'provincie', a region "
                        f"({', '.join(REGIOS)}) or a list of gemeenten.")
    return Rapport(data=base["data"], codebook=base["codebook"], gemeente=code_,
                   naam=gemeenten.name(code_), golf=golf, indeling=indeling, rules=rules,
                   compare_label=label, compare_codes=compare_codes, source=base["source"],
                   data_hash=base["hash"], bevolking=base["bevolking"],
                   weging_methode=base["weging_methode"], weighting=base["weighting"], weging=base["weging"], scales=base["scales"],
                   shared=base["shared"])


#: prepared panels by (data file, codebook, population file, golf, indeling), so that a warm
#: kernel making one report after another reads, weights and scores the data once. Keys hold
#: the files' modification times and sizes: a changed file is read again. Sections never
#: modify ``Rapport.data``.
_CACHE: dict = {}
_CACHE_SIZE = 4


def _file_key(path):
    if path is None or isinstance(path, pd.DataFrame):
        return None if path is None else id(path)
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return (str(p), None)
    return (str(p.resolve()), st.st_mtime_ns, st.st_size)


# --------------------------------------------------------------------------- shared
#: data files at least this large are prepared once per run and shared (smaller ones are
#: prepared faster by each kernel than read back)
SHARE_MIN_BYTES = 5_000_000


def _shared_dir() -> Path:
    import tempfile
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"socvit-{uid}" / "prepared"


#: the modules whose code shapes the prepared data (reading, typing, indeling, weighting,
#: scoring): a change to one of them never finds data prepared before
_PREPARING = ("report/_prepare.py", "io/*.py", "codebook.py", "gemeenten.py", "weighting.py",
              "survey.py", "_variance.py", "_inputs.py", "scales.py")


def _shared_name(key) -> str:
    """A folder name for the prepared data of ``key`` (the files' paths, modification times
    and sizes, wave and indeling) and of the code that prepares them (socvit's version, the
    times and sizes of :data:`_PREPARING`)."""
    import hashlib

    from .. import __version__
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{key!r}:{__version__}".encode())
    for f in sorted(f for pattern in _PREPARING for f in root.glob(pattern)):
        st = f.stat()
        h.update(f"{f.relative_to(root)}:{st.st_mtime_ns}:{st.st_size}".encode())
    return h.hexdigest()[:32]


def share_prepared(data, codebook=None, bevolking=None, golf: int | None = None,
                   indeling=None, check: bool = True) -> Path | None:
    """Prepare the panel once for every report of a run and write it where each kernel's
    :func:`prepare` finds it (the batch runner calls this before the kernels start on the
    reports, with the reports' own parameters).

    A kernel then reads the prepared data (waves, indeling, weights, scale scores: about 1 s
    and a quarter of the memory for a national panel) instead of loading, validating,
    weighting and scoring the whole panel itself. Only for data files of at least
    :data:`SHARE_MIN_BYTES`; returns the folder written (remove it with
    :func:`unshare_prepared` after the run), or None when nothing was shared. ``check``:
    validate the data while loading them (False when the caller validated them already).
    """
    import pickle
    import shutil
    from .. import io
    if data is None or isinstance(bevolking, pd.DataFrame) or golf is None:
        return None
    path = resolve_path(data)
    if not path.is_file() or path.stat().st_size < SHARE_MIN_BYTES:
        return None
    cbpath = None if codebook is None else resolve_path(codebook)
    if bevolking is not None:
        bevolking = resolve_path(bevolking)
    golf = int(golf)
    key = (_file_key(path), _file_key(cbpath), _file_key(bevolking), golf, indeling)
    base = _build(io.load_panel(path, cbpath, check=check), path, bevolking, golf, indeling)
    if not _private(_shared_dir()):
        return None
    folder = _shared_dir() / _shared_name(key)
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700)
    base["data"].to_feather(tmp / "data.feather")
    rest = {k: v for k, v in base.items() if k not in ("data", "shared")}
    (tmp / "base.pickle").write_bytes(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def _private(folder: Path) -> bool:
    """Make ``folder`` (and its parent) readable by this user only; False when that is not
    so (another user's folder, or a link): respondent-level data are then not written."""
    import stat
    for d in (folder.parent, folder):
        try:
            d.mkdir(mode=0o700, exist_ok=True)
            st = d.lstat()
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return False
        if st.st_mode & 0o077:
            try:
                d.chmod(0o700)
            except OSError:
                return False
    return True


def unshare_prepared(folder) -> None:
    """Remove what :func:`share_prepared` wrote (nothing when ``folder`` is None)."""
    import shutil
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _read_feather(path: Path) -> pd.DataFrame:
    """A frame written by ``DataFrame.to_feather``, with its pandas dtypes, converted column
    by column while the Arrow table is released (half the peak memory of read_feather)."""
    import pyarrow.feather as pf
    table = pf.read_table(path, memory_map=False, use_threads=False)
    return table.to_pandas(split_blocks=True, self_destruct=True, use_threads=False)


def _read_shared(key, path) -> dict | None:
    """The prepared data of ``key`` written by :func:`share_prepared`, or None (also when it
    cannot be read: the caller then prepares the data itself)."""
    import pickle
    if path is None or not path.is_file() or path.stat().st_size < SHARE_MIN_BYTES:
        return None
    folder = _shared_dir() / _shared_name(key)
    if not (folder / "base.pickle").is_file() or not _private(_shared_dir()):
        return None
    from ..io._read import _registry_beside
    try:
        _registry_beside(path)               # gemeenten registered beside the data
        base = pickle.loads((folder / "base.pickle").read_bytes())
        base["data"] = _read_feather(folder / "data.feather")
    except Exception:                        # removed or half-written meanwhile: prepare anew
        return None
    base["shared"] = _wave_slices(base["data"], base["codebook"].column("wave"))
    _release_arrow_memory()
    return base


def _bevolking_path(panel, path, bevolking):
    """The population file: as given, else the one the codebook names (relative to the
    codebook file), else ``bevolking.csv`` beside the data; None when there is none.
    Returns (path or DataFrame or None, the name the codebook gives when it named the file:
    True when found, its text when missing)."""
    if bevolking is not None:
        return bevolking, False
    named = panel.codebook.panel.bevolking
    p = panel.population_file(path)
    if p is None or not p.exists():
        return None, named or False       # reported: unweighted (the file named is missing)
    return p, bool(named)


def _read_bevolking(bevolking, cb) -> pd.DataFrame:
    """Read the population file and check it against the codebook's weighting variables:
    columns golf, gemeente, aantal and each variable, with exactly its value labels."""
    where = "The population table" if isinstance(bevolking, pd.DataFrame) else \
        f"The population file {bevolking}"
    if not isinstance(bevolking, pd.DataFrame):
        if not Path(bevolking).exists():
            raise DataError(f"The population file {bevolking} does not exist; give an existing "
                            f"file (columns golf, gemeente, "
                            f"{', '.join(cb.roles.weighting) or '...'}, aantal).")
        bevolking = pd.read_csv(bevolking, dtype={"gemeente": "string"})
    need = ["golf", "gemeente", *cb.roles.weighting, "aantal"]
    lacking = [c for c in need if c not in bevolking.columns]
    if lacking:
        raise DataError(f"{where} does not match the codebook's weighting variables "
                        f"(roles.weighting: {', '.join(cb.roles.weighting)}): it lacks column(s) "
                        f"{', '.join(lacking)} (it has {', '.join(map(str, bevolking.columns))}). "
                        f"Give margins with columns {', '.join(need)}, or change roles.weighting.")
    for var in cb.roles.weighting:
        labels = [str(x) for x in cb.variables[var].values.values()]
        found = [str(x) for x in pd.unique(bevolking[var].dropna())]
        extra = [x for x in found if x not in labels]
        absent = [x for x in labels if x not in found]
        if extra or absent:
            what = (f"value {extra[0]!r} is not one of its labels in the codebook"
                    if extra else f"label {absent[0]!r} of the codebook has no rows")
            raise DataError(f"{where}, column {var!r}: {what} (codebook labels: "
                            f"{', '.join(labels)}). The margins must use the codebook's value "
                            f"labels of {var!r}.")
    return bevolking


def _delivered(frame: pd.DataFrame, col: str, cb) -> pd.Series:
    """The weight delivered with the data, checked: present, numeric, not missing, not
    negative."""
    src = cb.source or "the codebook"
    if col not in frame.columns:
        raise DataError(f"The weight column {col!r} (roles.weight / kind weight in {src}) is "
                        f"not in the data. Add it, or remove it from the codebook to weight "
                        f"to population margins.")
    w = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    bad = w.isna() | (w < 0)
    if bad.any():
        row = frame.index[bad.to_numpy()][0]
        idc = cb.column("id")
        who = f" (respondent {frame.at[row, idc]})" if idc and idc in frame.columns else ""
        raise DataError(f"The weight column {col!r} (roles.weight in {src}) has "
                        f"{int(bad.sum())} missing or negative value(s); the first is row "
                        f"{row}{who}: {frame.at[row, col]!r}. A weight must be a number of 0 "
                        f"or more for every respondent; correct the data or remove the weight "
                        f"from the codebook.")
    return w


def _build(panel, path, bevolking, golf: int, indeling) -> dict:
    """Read-only base of every report on one panel, wave and indeling: the waves up to
    ``golf`` with each row's gemeente in the indeling, weights and 0-10 scale scores."""
    cb = panel.codebook
    bevolking, named = _bevolking_path(panel, path, bevolking)
    bev_path = bevolking if isinstance(bevolking, Path) else None
    if bevolking is not None:
        bevolking = _read_bevolking(bevolking, cb) if cb.roles.weighting else (
            pd.read_csv(bevolking, dtype={"gemeente": "string"})
            if isinstance(bevolking, Path) else bevolking)
    wcol, gcol, kcol = cb.column("wave"), cb.column("gemeente"), cb.column("kern")
    for kind, col in (("wave", wcol), ("gemeente", gcol)):
        if col is None or col not in panel.data.columns:
            raise DataError(f"The panel has no {kind} column (codebook kind {kind!r}); the "
                            f"report needs one. Add it to the data and the codebook.")
    waves = sorted(int(w) for w in panel.data[wcol].dropna().unique())
    if golf not in waves:
        raise DataError(f"The panel {path} has no wave {golf}; waves present: "
                        f"{', '.join(map(str, waves))}. Choose one of those for golf.")
    indeling = golf if indeling is None else int(indeling)
    frame = _report_frame(panel.data, (panel.data[wcol] <= golf).fillna(False), cb)
    frame[G] = _to_indeling(frame, gcol, kcol if kcol in frame.columns else None, indeling)
    tmp = Rapport(data=frame, codebook=cb, gemeente="", naam="", golf=golf, indeling=indeling,
                  rules=disclosure.DEFAULT, compare_label="", compare_codes=None,
                  source="", data_hash="", bevolking=bevolking)
    if cb.roles.weight:
        frame[W] = _delivered(frame, cb.roles.weight, cb)
        tmp.weging_methode = {"method": "meegeleverd", "variable": cb.roles.weight}
    elif bevolking is not None and cb.roles.weighting:
        _weigh(tmp, gcol)
        tmp.weging_methode = {"method": "raking", "variables": list(cb.roles.weighting)}
    else:
        frame[W] = 1.0
        tmp.weging_methode = {"method": "ongewogen",
                              "reason": "geen achtergrondkenmerken" if bevolking is not None
                              else f"ontbreekt:{named}" if isinstance(named, str)
                              else "geen bevolking"}
    if bevolking is not None:
        tmp.weging_methode["bevolking"] = (
            cb.panel.bevolking_source if named is True and cb.panel.bevolking_source
            else f"bevolkingsaantallen uit {bev_path.name}" if bev_path is not None
            else "de meegegeven bevolkingsaantallen")
    _score(tmp, panel)
    _release_arrow_memory()
    return {"data": tmp.data, "codebook": cb, "indeling": indeling, "bevolking": bevolking,
            "weging_methode": tmp.weging_methode,
            "weighting": tmp.weighting, "weging": tmp.weging, "scales": tmp.scales,
            "hash": _hash(path), "shared": _wave_slices(tmp.data, wcol),
            "bevolking_path": bev_path,
            "bevolking_key": _file_key(bev_path),
            "source": str(path) if path is not None else "onbekend"}


def _report_frame(data: pd.DataFrame, rows: pd.Series, cb) -> pd.DataFrame:
    """The panel's rows ``rows`` (the waves up to the report's) as a new frame, with the
    codebook's scale items held as Int8 where their codes fit (2 bytes a value instead of
    Int64's 9; the same values and missing values; every use converts items to float64
    first): on a national panel the prepared data take a third of the memory. Neither the
    panel's frame is modified, nor is it copied whole (copy-on-write shares what is not
    converted or selected)."""
    items = {i for sc in cb.scales.values() for i in sc.items if i in data.columns}
    small = {}
    for c in sorted(items):
        s = data[c]
        if isinstance(s.dtype, pd.Int64Dtype) and s.notna().any() and \
                -128 <= s.min() and s.max() <= 127:
            small[c] = "Int8"
    frame = data.astype(small) if small else data
    if not bool(rows.all()):
        frame = frame.loc[rows.to_numpy(dtype=bool)]
    return frame.copy(deep=False)


def _wave_slices(data: pd.DataFrame, wcol: str) -> dict:
    """``Rapport.wave``'s rows per wave as slices of ``data`` (no copies) when the rows are
    sorted by wave (as written by ``socvit sample`` and most exports), else nothing (the
    waves are then selected when first asked for)."""
    w = data[wcol]
    if w.hasnans or not w.is_monotonic_increasing:
        return {}
    values = w.to_numpy(dtype="int64")
    out = {"data": data}
    for golf in np.unique(values):
        start, stop = np.searchsorted(values, golf, "left"), np.searchsorted(values, golf, "right")
        out[int(golf)] = data.iloc[start:stop]
    return {"_waves": out}


def _release_arrow_memory() -> None:
    """Give the memory pyarrow freed after reading the panel back to the system (its pool
    keeps it otherwise, and a warm kernel would hold the whole file's size)."""
    import sys
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()


def _weigh(r: Rapport, gcol: str) -> None:
    """Rake every wave to its own gemeenten's margins (codes valid at the wave) by the
    codebook's weighting variables (``roles.weighting``).

    All gemeenten of a wave are raked in one call. When that fails because a gemeente's
    sample lacks a group (no respondent aged 35-49, say), the empty category is joined with
    its neighbour (``rake(collapse=...)``) in that gemeente only; a gemeente that cannot be
    raked even so is left unweighted (equal weights summing to its population), so it never
    breaks the weighting of the others. What happened per gemeente is kept in
    ``r.weging`` (golf -> {code: ("samengevoegd", [(category, into), ...]) or
    ("ongewogen", reason)}) for the report's text.
    """
    from .. import weighting
    r.data[W] = 1.0
    if r.bevolking is None:
        return
    columns = list(r.codebook.roles.weighting)
    for golf, part in r.data.groupby(r.wave_col, sort=True):
        margins = weighting.margins_from_population(r.bevolking, golf=int(golf), columns=columns)
        codes = [c for c in part[gcol].dropna().unique() if c in margins]
        sub = part[part[gcol].isin(codes)]
        if sub.empty:
            continue
        res, notes = _rake_wave(sub, {c: margins[c] for c in codes}, gcol)
        if res is not None:
            r.data.loc[res.weights.index, W] = res.weights.to_numpy()
            r.weighting[int(golf)] = res
        for code, (status, detail) in notes.items():
            if status == "ongewogen":
                rows = sub.index[(sub[gcol] == code).to_numpy()]
                total = _population(margins[code])
                r.data.loc[rows, W] = total / len(rows) if total and len(rows) else 1.0
        if notes:
            r.weging[int(golf)] = notes


def _population(margin: dict) -> float:
    """Population total of one gemeente's margins (each margin sums to it)."""
    first = next(iter(margin.values()), {})
    return float(sum(first.values()))


def _rake(sub, margins, gcol, collapse=None):
    from .. import weighting
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)   # reported in verantwoording
        return weighting.rake(sub, margins, by=gcol, collapse=collapse)


def _rake_wave(sub: pd.DataFrame, margins: dict, gcol: str):
    """Rake one wave's gemeenten: (RakeResult or None, notes per gemeente code)."""
    try:
        return _rake(sub, margins, gcol), {}
    except (DataError, ValueError):
        pass
    columns = sorted({col for m in margins.values() for col in m})
    collapse = {col: "neighbour" for col in columns}
    notes, good = {}, []
    try:
        res = _rake(sub, margins, gcol, collapse)
        good = list(margins)
    except (DataError, ValueError):
        # find the gemeenten that cannot be raked at all; rake the others together
        for code, part in sub.groupby(gcol, sort=False, observed=True):
            try:
                _rake(part, {code: margins[code]}, gcol, collapse)
                good.append(code)
            except (DataError, ValueError) as exc:
                notes[code] = ("ongewogen", str(exc))
        res = None
        if good:
            try:
                res = _rake(sub[sub[gcol].isin(good)], {c: margins[c] for c in good}, gcol,
                            collapse)
            except (DataError, ValueError) as exc:
                notes.update({c: ("ongewogen", str(exc)) for c in good})
    if res is not None and len(res.collapsed):
        for row in res.collapsed.to_dict("records"):
            code = row[gcol]
            notes.setdefault(code, ("samengevoegd", []))[1].append(
                (str(row["category"]), str(row["into"])))
    return res, notes


def _score(r: Rapport, panel) -> None:
    """Scale scores on 0-10, each from its own answer range (:func:`socvit.scales.score`,
    then :func:`socvit.scales.to_0_10` with the codebook), for the codebook's organisatiekracht,
    ACTIE and theme scales, and organisatiekracht's elements (mean of their sub-scales)."""
    from .. import scales
    roles = r.codebook.roles
    r.scales = {}
    for group, names in (("organisatiekracht", roles.scales), ("actie", roles.actie),
                         ("thema", roles.themes)):
        if not names:
            continue
        for name in names:
            low, high = r.codebook.scale_range(name)
            score = scales.score(r.data, name, r.codebook)
            r.data[name] = scales.to_0_10(score, low, high).to_numpy(dtype=float)
        r.scales[group] = list(names)
    for ename in roles.elements:
        el = r.codebook.elements[ename]
        r.data[ename] = r.data[el.scales].mean(axis=1, skipna=False)


# --------------------------------------------------------------------------- the map
def kaart_spec(r: Rapport) -> tuple | None:
    """What the province map shows: ``(column, kind, label)`` — the share active (the
    codebook's activity outcome, kind "pct") or, without one, organisatiekracht (the mean of
    its part scales on 0-10, kind "score"); None when the codebook has neither."""
    roles = r.roles
    if roles.activity:
        return roles.activity, "pct", "aandeel actief"
    if roles.scales:
        return "_organisatiekracht", "score", "organisatiekracht (0-10)"
    return None


def kaart(r: Rapport) -> pd.DataFrame | None:
    """The province map's data: the map's figure (:func:`kaart_spec`) per gemeente of the
    report gemeente's province in the report's indeling, weighted, with the disclosure flags.

    One row per gemeente of the province with respondents in the wave (``gemeente``,
    ``naam``, ``estimate``, ``se``, ``ci_lower``, ``ci_upper``, ``n``, ``n_eff``,
    ``suppressed``, ``indicative``; a suppressed gemeente's ``n`` and ``n_eff`` missing
    too) from :func:`socvit.estimates.proportion` or
    :func:`~socvit.estimates.mean` with the report's weights and rules; computed once per
    province, wave, indeling and rules and shared by the reports on the same prepared data.
    None when there is nothing to map (no boundaries for the indeling or the gemeente, no
    known province, no figure in the codebook).
    """
    from .. import estimates, geo
    spec = kaart_spec(r)
    if spec is None:
        return None
    try:
        provincie = gemeenten.province(r.gemeente)
        geo.file_year(r.indeling)
    except DataError:                     # no province known, or no boundaries of the year
        return None
    codes = geo.boundaries(r.indeling, province=provincie)   # a missing file is an error
    if r.gemeente not in codes:           # e.g. a gemeente registered by the user
        return None
    column, kind, _ = spec
    key = ("kaart", r.golf, r.indeling, provincie, r.rules, column)
    if key not in r.shared:
        wave = r.wave()
        frame = wave.loc[wave[G].isin(list(codes)).fillna(False).astype(bool).to_numpy()]
        if column == "_organisatiekracht":
            frame = frame[[G, W]].assign(**{column: frame[list(r.roles.scales)].mean(
                axis=1, skipna=False)})
        if frame.empty:
            table = None
        elif kind == "pct":
            table = estimates.proportion(frame, column, [1], weights=W, by=G, rules=r.rules)
        else:
            table = estimates.mean(frame, column, weights=W, by=G, rules=r.rules)
        if table is not None:
            table = table.rename(columns={G: "gemeente"})
            table["gemeente"] = table["gemeente"].astype(str)
            table.insert(1, "naam", [gemeenten.name(c) for c in table["gemeente"]])
            table = table.drop(columns=[c for c in ("column", "category") if c in table.columns])
            # a hatched gemeente's respondent count is not published either, nor the
            # interval method (an exact interval is chosen for a share of 0 or 1)
            hide = table["suppressed"].astype(bool).to_numpy()
            if hide.any():
                table = table.astype({c: "float64" for c in ("n", "n_eff") if c in table})
                table.loc[hide, [c for c in ("n", "n_eff") if c in table]] = float("nan")
                if "method" in table:
                    table["method"] = table["method"].astype(object)
                    table.loc[hide, "method"] = None
        r.shared[key] = table
    return r.shared[key]
