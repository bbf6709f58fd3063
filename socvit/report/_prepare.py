"""Preparing the panel for the gemeente reports (used by :mod:`socvit.sections`).

:func:`prepare` reads the panel once, checks the parameters, maps every wave to the chosen
indeling, rakes each wave to the population margins of its own gemeenten (leeftijdsklasse x
geslacht; a gemeente whose sample lacks a group has it joined with a neighbour, one that
cannot be raked at all is left unweighted, never breaking the others) and scores the
codebook scales. The result is cached per data file, codebook, population file, wave and
indeling, so a warm kernel making one report after another does this once. The public names
are re-exported by :mod:`socvit.sections` (``sections.prepare``, ``sections.Rapport``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import disclosure, gemeenten
from .._files import sha256_file
from ..errors import DataError, SocvitWarning
from .texts import md

__all__ = ["Rapport", "prepare", "resolve_path", "REGIOS", "W", "G"]

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
        """Rows of ``frame`` (default the report's wave) in the comparison area."""
        frame = self.wave() if frame is None else frame
        return self._mask("_in_comp", frame, self._comparison)

    def _comparison(self, frame) -> pd.Series:
        other = ~self.in_gemeente(frame)
        if self.compare_codes is not None:
            other &= frame[G].isin(self.compare_codes).fillna(False).astype(bool)
        return other

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
        "provincie" (every other gemeente in the data), a name in :data:`REGIOS`, or a list
        of gemeente codes/names.
    bevolking : path or DataFrame, optional
        Population margins (default: ``bevolking.csv`` beside the data); without them the
        report is unweighted and says so.
    """
    from .. import io
    rules = disclosure.Rules(min_n=int(min_n), warn_n=int(warn_n))
    golf = int(golf)
    if isinstance(data, io.Panel):
        path = Path(data.source) if data.source else None
        if bevolking is None and path is not None and (path.parent / "bevolking.csv").exists():
            bevolking = path.parent / "bevolking.csv"
        base = _build(data, path, bevolking, golf, indeling)
    else:
        path = io.SAMPLE_DIR / "panel.csv" if data is None else resolve_path(data)
        cbpath = None if codebook is None else resolve_path(codebook)
        if bevolking is None and (path.parent / "bevolking.csv").exists():
            bevolking = path.parent / "bevolking.csv"
        key = (_file_key(path), _file_key(cbpath), _file_key(bevolking), golf, indeling)
        base = None if isinstance(bevolking, pd.DataFrame) else _CACHE.get(key)
        if base is None:
            panel = io.load_sample() if data is None and cbpath is None else io.load_panel(path, cbpath)
            base = _build(panel, path, bevolking, golf, indeling)
            if not isinstance(bevolking, pd.DataFrame):
                _CACHE[key] = base
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.pop(next(iter(_CACHE)))
    indeling = base["indeling"]
    code_ = gemeenten.code(gemeente, year=indeling)

    # comparison area
    if isinstance(compare_to, str) and compare_to.strip().lower() == "provincie":
        compare_codes, label = None, "de rest van de provincie"
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
                   weighting=base["weighting"], weging=base["weging"], scales=base["scales"],
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


def _build(panel, path, bevolking, golf: int, indeling) -> dict:
    """Read-only base of every report on one panel, wave and indeling: the waves up to
    ``golf`` with each row's gemeente in the indeling, raked weights and 0-10 scale scores."""
    if isinstance(bevolking, (str, Path)):
        bevolking = pd.read_csv(bevolking, dtype={"gemeente": "string"})
    cb = panel.codebook
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
    frame = panel.data.loc[panel.data[wcol] <= golf].copy()
    frame[G] = _to_indeling(frame, gcol, kcol if kcol in frame.columns else None, indeling)
    tmp = Rapport(data=frame, codebook=cb, gemeente="", naam="", golf=golf, indeling=indeling,
                  rules=disclosure.DEFAULT, compare_label="", compare_codes=None,
                  source="", data_hash="", bevolking=bevolking)
    _weigh(tmp, gcol)
    _score(tmp, panel)
    return {"data": tmp.data, "codebook": cb, "indeling": indeling, "bevolking": bevolking,
            "weighting": tmp.weighting, "weging": tmp.weging, "scales": tmp.scales,
            "hash": _hash(path), "shared": {},
            "source": str(path) if path is not None else "onbekend"}


def _weigh(r: Rapport, gcol: str) -> None:
    """Rake every wave to its own gemeenten's margins (codes valid at the wave).

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
    for golf, part in r.data.groupby(r.wave_col, sort=True):
        margins = weighting.margins_from_population(r.bevolking, golf=int(golf))
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
    """Scale scores on 0-10 for the scales of the organisatiekracht, actie and thema groups
    (scales.score_all, then scales.to_0_10) and the two elements (mean of their sub-scales)."""
    from .. import scales
    r.scales = {}
    for group in ("organisatiekracht", "actie", "thema"):
        if not r.codebook.scales_in(group):
            continue
        scores = scales.score_all(r.data, group=group, codebook=r.codebook)
        for c in scores.columns:
            r.data[c] = scales.to_0_10(scores[c]).to_numpy(dtype=float)
        r.scales[group] = list(scores.columns)
    for ename, el in r.codebook.elements.items():
        if all(s in r.data.columns for s in el.scales):
            r.data[ename] = r.data[el.scales].mean(axis=1, skipna=False)
