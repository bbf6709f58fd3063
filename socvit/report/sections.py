"""The sections of the gemeente report: one function per section, each taking the prepared
:class:`~socvit.report.Rapport` and returning a :class:`Section` (see :mod:`socvit.report`)."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import disclosure, fmt, gemeenten, plots
from . import _comparison, _describe, texts
from ._headline import HEADLINE_KEYS, HEADLINE_MIMETYPE
from ._prepare import (_CACHE, _CACHE_SIZE, REGIOS, G, Rapport, W, _build,  # noqa: F401
                       _file_key, _hash, _rake_wave, _to_indeling, _weigh, prepare, resolve_path)
from ..errors import DataError, SocvitWarning
from .texts import md

__all__ = [
    "HEADLINE_MIMETYPE", "HEADLINE_KEYS", "Rapport", "Section", "prepare", "titel", "respons",
    "kerncijfers", "organisatiekracht", "uitspraken", "ondersteuning", "inzet", "trends",
    "verantwoording", "headline", "publish_headline", "REGIOS", "resolve_path",
    "shown_sections", "SECTIONS",
]

#: the sections in report order, each with what the codebook must have for it to be shown
#: (a section whose needs are not met is left out; the numbering follows)
SECTIONS = ("titel", "respons", "kerncijfers", "organisatiekracht", "uitspraken",
            "ondersteuning", "inzet", "trends", "verantwoording")


def _needs(r: Rapport, name: str) -> bool:
    roles = r.roles
    return {"kerncijfers": bool(roles.activity or roles.scales or roles.mark),
            "organisatiekracht": bool(roles.scales),
            "uitspraken": bool(roles.scales),
            "ondersteuning": bool(roles.actie or roles.themes),
            "inzet": bool(roles.activity and roles.scales),
            "trends": bool(roles.activity)}.get(name, True)


def shown_sections(r: Rapport) -> list:
    """The names of the sections this report shows, in order."""
    return [s for s in SECTIONS if _needs(r, s)]


def _kop(r: Rapport, name: str, title: str, intro: str = "") -> str:
    """"## 4. Organisatiekracht" (numbered among the sections shown) and its introduction."""
    number = shown_sections(r).index(name) + 1
    return f"## {number}. {title}" + (f"\n\n{intro}" if intro else "")


def _bron(r: Rapport, extra: str = "", gewogen: bool = True) -> str:
    """The source line: the codebook's ``panel.source``, the wave and what the weighting was."""
    weging = ""
    if gewogen:
        naar = [r.roles.background[v] for v in r.roles.weighting]
        weging = texts.weging_kort(r.method, naar)
    return texts.bron(r.codebook.panel.source, r.golf, weging, extra)


def _scale_phrases(r: Rapport, names) -> list:
    return [md(r.codebook.phrase(n)) for n in names]


def _schaal(r: Rapport) -> str | None:
    """"een vijfpuntsschaal" when every report scale is answered on 1..k, else None."""
    names = [*r.roles.scales, *r.roles.actie, *r.roles.themes]
    ranges = {r.codebook.scale_range(n) for n in names}
    if len(ranges) == 1:
        low, high = next(iter(ranges))
        if low == 1 and float(high).is_integer() and 2 <= high <= 20:
            return f"een {texts.telwoord(int(high))}puntsschaal"
    return None


# --------------------------------------------------------------------------- containers
@dataclass
class Section:
    """What a section shows, in order: Markdown strings, figures (with caption) and HTML
    tables; plus the tidy tables behind them in ``tables``."""

    parts: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    alt: list = field(default_factory=list)       # text alternative per figure: what it shows
    #: per figure (caption, source, HTML table of its numbers or None), in order
    figures: list = field(default_factory=list)
    #: table key -> [(caption, source), ...] of the figures and HTML tables that show it
    #: (the table book's sheets; see :meth:`_shows`)
    shown_in: dict = field(default_factory=dict)

    def _shows(self, caption: str, source: str) -> None:
        """Link the tables stored since the last figure or HTML table to this one (a table
        is stored just before what shows it); when none is new, the same data is shown again
        (the kernen's figure, then their table)."""
        new = [k for k in self.tables if k not in self.shown_in]
        for key in new or getattr(self, "_last_shown", []):
            self.shown_in.setdefault(key, []).append((caption, source))
        if new:
            self._last_shown = new

    def text(self, markdown: str) -> "Section":
        self.parts.append(("md", markdown))
        return self

    def figure(self, fig, caption: str, source: str, alt: str | None = None,
               table: str | None = None) -> "Section":
        """A figure with its caption and source line; ``alt`` says what it shows (its key
        numbers; default the caption) and ``table`` is the HTML table of its numbers, shown
        under the caption on request (:mod:`socvit.report._describe` makes both)."""
        self.parts.append(("fig", fig))
        self.alt.append(alt or caption)
        self.figures.append((caption, source, table))
        self._shows(caption, source)
        self.parts.append(("md", f"*{md(caption)}*  \n<small>{html.escape(source)}</small>"))
        return self

    def heading(self, markdown: str) -> "Section":
        """The section's numbered heading and introduction (shown first; not part of
        :meth:`markdown`, which holds what the section found)."""
        self.parts.append(("kop", markdown))
        return self

    def html(self, table_html: str) -> "Section":
        self.parts.append(("html", table_html))
        self._shows(*_caption_note(str(table_html)))
        return self

    def markdown(self) -> str:
        """The text parts joined (for tests and plain-text use)."""
        return "\n\n".join(p for kind, p in self.parts if kind in ("md", "html"))

    def __repr__(self):
        kinds = [k for k, _ in self.parts]
        return (f"Section({kinds.count('md') + kinds.count('kop')} text, {kinds.count('fig')} figures, "
                f"{kinds.count('html')} tables)")

    def show(self) -> None:
        """Display every part in a notebook: Markdown, HTML tables and the figures as
        embedded SVG images (text kept as text, :mod:`socvit.report._figures`) in a
        ``<figure>`` with their text alternative, caption and data table (no stray output)."""
        from IPython.display import HTML, Markdown, display

        from ._describe import figure_html
        alt, figures = iter(self.alt), iter(self.figures)
        skip = False                # a figure shows its caption (the next part) itself
        for kind, part in self.parts:
            if skip:
                skip = False
            elif kind in ("md", "kop"):
                display(Markdown(part))
            elif kind == "html":
                display(HTML(str(part)))
            else:
                caption, source, table = next(figures, ("Figuur", "", None))
                display(HTML(figure_html(part, next(alt, caption), caption, source, table)))
                skip = True


def _kept(func):
    """A section function whose :class:`Section` the Rapport keeps, in report order
    (``r.counters["secties"]``: name -> Section), for the table book
    (:func:`socvit.report.tabellenboek`)."""
    import functools

    @functools.wraps(func)
    def section(r, *args, **kwargs):
        sec = func(r, *args, **kwargs)
        r.counters.setdefault("secties", {})[func.__name__] = sec
        return sec
    return section


def _caption_note(table_html: str) -> tuple:
    """The caption and note (plain text) of a table made by :func:`socvit.fmt.tabel`."""
    import re
    found = [re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", table_html, re.S) for tag in ("caption", "p")]
    return tuple(html.unescape(m.group(1)) if m else "" for m in found)


# --------------------------------------------------------------------------- estimates
# All numbers come from socvit.estimates with the report's weights and disclosure rules.
def _two_groups(r: Rapport, frame=None, columns=None) -> pd.DataFrame:
    """The wave's rows of the gemeente and its comparison area, with a ``_groep`` column
    (the gemeente's name or "Vergelijking"); with ``columns``, only those and the weight."""
    frame = r.wave() if frame is None else frame
    gem, other = r.in_gemeente(frame), r.in_comparison(frame)
    keep = gem | other
    cols = list(frame.columns if columns is None else dict.fromkeys([*columns, W]))
    extra = [c for c in (G, r.wave_col) if c not in cols]
    # values of gemeenten with too few valid answers on a measure stay out (Rapport.hide_values)
    out = r.hide_values(frame.loc[keep, [*cols, *extra]], columns).drop(columns=extra)
    out["_groep"] = np.where(gem[keep], r.naam, _vergelijking(r))
    return out


def _vergelijking(r: Rapport) -> str:
    """Short Dutch name of the comparison area for legends ("Rest van de provincie")."""
    label = html.unescape(r.compare_label)
    label = label[3:] if label.startswith("de ") else label
    return label[:1].upper() + label[1:]


def _mean(r, frame, column, by=None):
    from .. import estimates
    return estimates.mean(frame, column, weights=W, by=by, rules=r.rules)


def _share(r, frame, column, categories, by=None):
    from .. import estimates
    return estimates.proportion(frame, column, categories, weights=W, by=by, rules=r.rules)


def _distribution(r, frame, column, by=None, categories=None):
    from .. import estimates
    return estimates.distribution(frame, column, weights=W, by=by, rules=r.rules,
                                  categories=categories)


def _long(frame: pd.DataFrame, columns, keys=()) -> pd.DataFrame:
    """Stack ``columns`` into one value column (``schaal``, ``waarde``) with the weights and
    ``keys`` repeated, so one estimates call covers many columns (``by=["schaal", ...]``).

    Within a ``schaal`` every respondent appears once, so each estimate and its standard
    error are those of the column on its own, up to the finite-sample factor n/(n-1) of the
    stacked design (about 1e-4 relative on the sample; tested in tests/test_sections.py).
    """
    k, n = len(columns), len(frame)
    out = {"schaal": pd.Categorical.from_codes(np.repeat(np.arange(k), n),
                                               categories=list(columns)),
           "waarde": np.concatenate([frame[c].to_numpy(dtype="float64", na_value=np.nan)
                                     for c in columns]) if k else np.array([]),
           W: np.tile(frame[W].to_numpy(dtype=float), k)}
    for key in keys:
        out[key] = _repeat(frame[key], k)
    return pd.DataFrame(out)


def _repeat(s: pd.Series, k: int):
    """The values of ``s`` ``k`` times over: text as ``str`` (taken as it is, not made into
    Python strings and inferred back), anything else as objects."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.array.take(np.tile(np.arange(len(s)), k)).astype("str")
    return np.tile(s.to_numpy(dtype=object), k)


def _compare_many(r, columns, kind="mean", categories=None) -> pd.DataFrame:
    """Gemeente against the comparison area (estimates.compare, the gemeente against the rest
    of the two groups) for several columns at once: one row per column (``schaal``) with
    estimate (gemeente), estimate_other, difference, p, suppressed, indicative and
    ``richting`` ("hoger"/"lager", or None when not significant or suppressed)."""
    from .. import estimates
    res = _comparison.compare(r, columns, kind, categories)   # from per-gemeente sums
    if res is None:
        long = _long(_two_groups(r, columns=columns), list(columns), keys=["_groep"])
        res = estimates.compare(long, "waarde", "_groep", group=r.naam, against="rest",
                                kind=kind, categories=categories, weights=W, by="schaal",
                                rules=r.rules)
    res["schaal"] = res["schaal"].astype(str)
    d = res["direction"].astype(object)
    res["richting"] = [x if (isinstance(x, str) and x in ("hoger", "lager") and not sup) else None
                       for x, sup in zip(d, res["suppressed"].astype(bool))]
    out = res.set_index("schaal").reindex(list(columns)).reset_index()
    out["richting"] = pd.Series([x if isinstance(x, str) else None for x in out["richting"]],
                                index=out.index, dtype=object)
    return out


# --------------------------------------------------------------------------- helpers
def _value(row, key="estimate"):
    """A shown estimate as float, or None when suppressed/missing."""
    if row is None or bool(row.get("suppressed", False)):
        return None
    v = row.get(key)
    return None if fmt.is_na(v) else float(v)


def _cell(row, kind="score", key="estimate") -> str:
    """Text for a table cell: the number, "*" when indicative, "niet getoond" when suppressed."""
    if row is None or bool(row.get("suppressed", False)):
        return fmt.NIET_GETOOND
    text = texts.waarde(row.get(key), kind)
    return text + ("*" if bool(row.get("indicative", False)) else "")


def _too_few(r: Rapport, sec: Section, wat: str) -> Section:
    return sec.text(texts.te_weinig_zin(md(r.naam), r.rules.min_n, wat))


def _note_indicative(r: Rapport) -> str:
    return (f"* Indicatief: gebaseerd op {r.rules.min_n} tot {r.rules.warn_n} respondenten. "
            f"'niet getoond': minder dan {r.rules.min_n} respondenten.")


# --------------------------------------------------------------------------- sections
@_kept
def titel(r: Rapport) -> Section:
    """1. Title, date and a short introduction."""
    sec = Section()
    sub = f"{md(r.codebook.panel.name)}, golf {r.golf}"
    if r.indeling != r.golf:
        sub += f" · gemeentelijke indeling {r.indeling}"
    sec.text(f"# Sociale vitaliteit in {md(r.naam)}\n\n**{sub}** · {texts.datum(date.today())}")
    sec.text("## 1. Inleiding")
    roles = r.roles
    sec.text(texts.inleiding(md(r.naam), r.compare_label, actie=_scale_phrases(r, roles.actie),
                             themas=len(roles.themes), schaal=_schaal(r),
                             cijfer=roles.mark is not None,
                             elementen=[md(r.label(e)).lower() for e in roles.elements]))
    if r.indeling != r.golf:
        sec.text(texts.herindeling_zin(md(r.naam), r.indeling))
    if not r.enough():
        sec.text(texts.te_weinig_zin(md(r.naam), r.rules.min_n, f"golf {r.golf}")
                 + " Daarom bevat dit rapport voor deze gemeente geen uitkomsten.")
    return sec


def _weging_notes(r: Rapport, golf: int) -> list:
    """How the weighting went for the report's gemeente in a wave, when not as usual:
    [(status, detail), ...] for the wave's gemeenten that make up the report's one."""
    notes = r.weging.get(int(golf))
    if not notes:
        return []
    part = r.wave(golf)
    codes = part.loc[r.in_gemeente(part), r.codebook.column("gemeente")].dropna().unique()
    return [notes[c] for c in sorted(codes) if c in notes]


def _convergence(r: Rapport, res) -> tuple:
    """(converged, largest relative margin error) of the raking: of the whole wave when it
    converged, else of the report's own gemeente (gemeenten are raked independently, so one
    that cannot be fitted does not make the weights of another less exact)."""
    if res.converged:
        return True, res.max_margin_error
    gcol = r.codebook.column("gemeente")
    part = r.wave()
    codes = set(part.loc[r.in_gemeente(part), gcol].dropna().unique())
    groups = res.groups
    if gcol not in groups.columns or not codes:
        return res.converged, res.max_margin_error
    own = groups.loc[groups[gcol].isin(codes), "max_margin_error"]
    if own.empty:
        return res.converged, res.max_margin_error
    err = float(own.max())
    return bool(err < 1e-8), err


def _inwoners(r: Rapport, golf: int):
    """Inhabitants 18+ of the gemeente (in the report's indeling) at a wave, or None."""
    if r.bevolking is None or not {"golf", "gemeente", "aantal"} <= set(r.bevolking.columns):
        return None
    pop = r.bevolking[r.bevolking["golf"] == golf]
    keep = []
    for c in pop["gemeente"].dropna().unique():
        try:
            if gemeenten.to_indeling(c, r.indeling) == r.gemeente:
                keep.append(c)
        except DataError:
            pass
    return float(pop.loc[pop["gemeente"].isin(keep), "aantal"].sum()) if keep else None


@_kept
def respons(r: Rapport) -> Section:
    """2. Who answered: respondents per wave, the population, the weighting."""
    from .. import weighting
    sec = Section()
    panel = r.codebook.panel
    beschrijving = panel.description or f"De antwoorden komen uit {md(panel.name)}."
    sec.heading(_kop(r, "respons", "Wie deden er mee?",
                  texts.respons_intro(beschrijving, r.method != "ongewogen")))
    if not r.enough():
        return _too_few(r, sec, "dit rapport")
    rows = []
    for golf in sorted(r.data[r.wave_col].dropna().unique()):
        golf = int(golf)
        part = r.wave(golf)
        gem = r.in_gemeente(part)
        n = int(gem.sum())
        if n == 0:
            continue
        n_eff, deff = weighting.kish(part.loc[gem, W])
        shown = n >= r.rules.min_n
        rows.append({"golf": str(golf), "n": n if shown else np.nan,
                     "inwoners": _inwoners(r, golf),
                     "n_eff": n_eff if shown else np.nan, "deff": deff if shown else np.nan})
    table = pd.DataFrame(rows)
    if "inwoners" in table and table["inwoners"].isna().all():
        table = table.drop(columns="inwoners")      # no population figures: no empty column
    sec.tables["respons"] = table
    n = r.n()
    pop = _inwoners(r, r.golf)
    n_eff, deff = weighting.kish(r.wave().loc[r.in_gemeente(), W])
    zin = f"In golf {r.golf} vulden {fmt.aantal(n)} inwoners van {md(r.naam)} de vragenlijst in"
    zin += (f", op een bevolking van {fmt.aantal(pop)} inwoners van 18 jaar en ouder." if pop
            else ".")
    sec.text(zin)
    notes = _weging_notes(r, r.golf)
    if r.method == "meegeleverd":
        sec.text(texts.meegeleverd_zin(deff, n_eff, md(r.label(r.roles.weight))))
    elif r.method == "ongewogen":
        sec.text(texts.ongewogen_zin(r.weging_methode["reason"]))
    elif any(status == "ongewogen" for status, _ in notes):
        sec.text(texts.ongewogen_gemeente_zin(md(r.naam), r.golf))
    elif r.weighting:
        sec.text(texts.weging_zin(deff, n_eff, _naar(r), r.codebook.panel.weighting_reason))
    else:
        sec.text(texts.ONGEWOGEN)
    sec.html(fmt.tabel(
        table, formats={"n": lambda v: fmt.aantal(v, na=f"minder dan {r.rules.min_n}"),
                        "inwoners": fmt.aantal, "n_eff": fmt.aantal,
                        "deff": lambda v: fmt.getal(v, 2)},
        headers={"golf": "Golf", "n": "Respondenten", "inwoners": "Inwoners 18+",
                 "n_eff": "Effectieve n", "deff": "Design effect"},
        caption=r.tabel(f"Respondenten uit {r.naam} per golf"),
        note=_bron(r, gewogen=False, extra=(f"Inwoners: {r.weging_methode['bevolking']}."
                                            if r.weging_methode.get("bevolking") else ""))))
    return sec


def _naar(r: Rapport) -> str:
    """The weighting variables as the weighting sentences name them (labels, lower case)."""
    return texts.opsomming(md(r.label(v).lower()) for v in r.roles.weighting)


def kerncijfer_rows(r: Rapport) -> list:
    """The headline figures: (column, kind, sentence with {naam} and {waarde}) for the
    activity share, the organisatiekracht scales and the mark, as the codebook names them."""
    roles, rows = r.roles, []
    if roles.activity:
        periode = f"{roles.activity_period} " if roles.activity_period else ""
        rows.append((roles.activity, "pct", texts.KERN_ACTIEF.replace("{periode}", periode)))
    for s in roles.scales:
        rows.append((s, "score", texts.KERN_SCORE.replace("{wat}", md(r.codebook.phrase(s)))))
    if roles.mark:
        rows.append((roles.mark, "cijfer", texts.KERN_CIJFER))
    return rows


def _kerncijfers(r: Rapport) -> pd.DataFrame:
    """The headline rows compared (cached on the Rapport: the headline reuses them)."""
    if "kerncijfers" not in r.counters:
        spec = kerncijfer_rows(r)
        parts = []
        pct = [c for c, k, _ in spec if k == "pct" and c in r.data.columns]
        means = [c for c, k, _ in spec if k != "pct" and c in r.data.columns]
        if pct:
            parts.append(_compare_many(r, pct, kind="proportion", categories=[1]))
        if means:
            parts.append(_compare_many(r, means))
        table = pd.concat(parts, ignore_index=True).rename(columns={"schaal": "column"})
        kinds = {c: k for c, k, _ in spec}
        table["kind"] = table["column"].map(kinds)
        order = [c for c, _, _ in spec if c in set(table["column"])]
        table = table.set_index("column").loc[order].reset_index()
        table["richting"] = pd.Series([x if isinstance(x, str) else None for x in table["richting"]],
                                      index=table.index, dtype=object)
        r.counters["kerncijfers"] = table
    return r.counters["kerncijfers"]


@_kept
def kerncijfers(r: Rapport) -> Section:
    """3. Headline figures against the comparison area ("hoger/lager" only when significant)."""
    sec = Section()
    if not _needs(r, "kerncijfers"):
        return sec
    sec.heading(_kop(r, "kerncijfers", "Kerncijfers", texts.KERNCIJFERS_INTRO))
    if not r.enough():
        return _too_few(r, sec, "de kerncijfers")
    table = _kerncijfers(r)
    sec.tables["kerncijfers"] = table
    zinnen = []
    subjects = {c: subj for c, _, subj in kerncijfer_rows(r)}
    for row in table.to_dict("records"):
        kind, subject = row["kind"], subjects[row["column"]]
        if row.get("suppressed"):
            zinnen.append(f"- {md(r.label(row['column']))}: {fmt.NIET_GETOOND} (te weinig "
                          "respondenten).")
            continue
        zinnen.append("- " + texts.vergelijk_zin(
            subject.replace("{naam}", md(r.naam)), row.get("estimate"), row.get("estimate_other"),
            row["richting"], r.compare_label, kind=kind, indicative=bool(row.get("indicative"))))
    sec.text("\n".join(zinnen))
    shown = pd.DataFrame({
        "kerncijfer": [r.label(c) if c in r.codebook.variables else r.label(c)
                       for c in table["column"]],
        "gemeente": [_cell(row, row["kind"]) for row in table.to_dict("records")],
        "vergelijking": [_cell(row, row["kind"], "estimate_other") for row in table.to_dict("records")],
        "verschil": [{"hoger": "hoger", "lager": "lager"}.get(row["richting"], "geen significant verschil")
                     if not row.get("suppressed") else "–" for row in table.to_dict("records")],
    })
    sec.html(fmt.tabel(shown, headers={"kerncijfer": "Kerncijfer", "gemeente": r.naam,
                                       "vergelijking": _vergelijking(r),
                                       "verschil": f"{r.naam} t.o.v. vergelijking"},
                       align_left=["kerncijfer", "verschil"],
                       caption=r.tabel(f"Kerncijfers {r.naam}, golf {r.golf}"),
                       note=_bron(r) + " Scores 0-10. Verschillen getoetst met "
                       "95% betrouwbaarheid. " + _note_indicative(r)))
    _kaart(r, sec)
    return sec


def _kaart(r: Rapport, sec: Section) -> None:
    """The province map (``plots.gemeente_map``) of the headline figure per gemeente
    (``_prepare.kaart``), with its caption, source line, data and text alternative; nothing
    when there is nothing to map."""
    from .. import geo
    from ._prepare import kaart, kaart_spec
    table = kaart(r)
    if table is None or table.empty:
        return
    column, kind, label = kaart_spec(r)
    provincie = gemeenten.province(r.gemeente)
    wat = ("het aandeel inwoners dat actief is voor het eigen dorp of de eigen wijk"
           if kind == "pct" else "de score voor organisatiekracht (0-10)")
    sec.tables["kaart"] = table
    fig = plots.gemeente_map(table, highlight=r.gemeente, year=r.indeling, province=provincie,
                             percent=kind == "pct", label=label)
    shown = table[~table["suppressed"].astype(bool) & table["estimate"].notna()]
    shown = shown.sort_values("estimate")
    value = {row["gemeente"]: texts.waarde(row["estimate"], kind)
             + (" (indicatief)" if row.get("indicative") else "")
             for row in shown.to_dict("records")}
    codes = geo.boundaries(r.indeling, province=provincie)
    ends = [(shown.iloc[i]["naam"], value[shown.iloc[i]["gemeente"]]) for i in (0, -1)] \
        if len(shown) >= 2 else [None, None]
    alt = texts.kaart_alt(provincie, len(codes), wat, r.naam, value.get(r.gemeente), *ends,
                          verborgen=[gemeenten.name(c) for c in table["gemeente"]
                                     if c not in value],
                          zonder=[gemeenten.name(c) for c in codes
                                  if c not in set(table["gemeente"])])
    onderwerp = wat.split(" ", 1)[1]            # "aandeel inwoners ..." for the caption
    caption = r.figuur(texts.kaart_onderschrift(onderwerp[:1].upper() + onderwerp[1:],
                                                provincie, r.indeling))
    sec.figure(fig, caption, _bron(r, extra=f"Grenzen: {geo.credit(r.indeling)} (CC BY 4.0)."),
               **_describe.per_gemeente(table, kind))
    sec.alt[-1] = f"{caption}. {alt}"      # the caption, then what the map shows


def _by_group(r: Rapport, columns, frame=None) -> pd.DataFrame:
    """Weighted means of score columns for the gemeente and the comparison area (tidy:
    column, label, group, estimate, ci_lower, ci_upper, n, suppressed, indicative)."""
    t = _comparison.means(r, columns) if frame is None else None   # from per-gemeente sums
    if t is None:
        long = _long(_two_groups(r, frame, columns), list(columns), keys=["_groep"])
        t = _mean(r, long, "waarde", by=["schaal", "_groep"])
    t = t.rename(columns={"_groep": "group", "schaal": "column"})
    t["column"] = t["column"].astype(str)
    t["label"] = t["column"].map(r.label)
    order = {r.naam: 0, _vergelijking(r): 1}
    pos = {c: i for i, c in enumerate(columns)}
    t = t.assign(_a=t["column"].map(pos), _b=t["group"].map(order))
    return t.sort_values(["_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)


def _kernen_secondary(r: Rapport, kern, ty, in_gem, scores, x_el, y_el) -> pd.DataFrame:
    """The kernen table with secondary suppression (:func:`socvit.disclosure.secondary`).

    The report publishes the gemeente's respondents (section 2) and its means and n's of the
    two elements (the scores table), so the shown kernen subtracted from those totals give
    what the hidden kernen hold together: their respondents, their n's on each element and
    (weighted, nearly) their means. Further kernen, the smallest first, are hidden until each
    of those three residuals is 0 or at least ``min_n``; respondents without a kern count in
    the residual. The kern's ``n`` (respondents with a score on the first element) stays;
    ``secondary`` marks the kernen hidden only to protect another."""
    from .. import disclosure
    kcol = r.kern_col
    n_y = ty[[kcol, "n"]].rename(columns={"n": "_n_y"})
    size = in_gem[kcol].value_counts(dropna=True)
    kern = kern.merge(n_y, on=kcol, how="left")
    kern["_n_resp"] = kern[kcol].map(size).fillna(0).to_numpy(dtype=float)
    own = scores[scores["group"] == r.naam].set_index("column")["n"]
    totals = [float(len(in_gem)), float(own.get(x_el, 0) or 0), float(own.get(y_el, 0) or 0)]
    out = disclosure.secondary(kern, totals, n_col=["_n_resp", "n", "_n_y"], rules=r.rules,
                               columns=["x", "y", "n", "_n_y", "_n_resp"])
    return out.drop(columns=["_n_y", "_n_resp"])


@_kept
def organisatiekracht(r: Rapport) -> Section:
    """4. The four sub-scales and two elements; the kernen on the two elements."""
    sec = Section()
    if not _needs(r, "organisatiekracht"):
        return sec
    subs = [s for s in r.scales.get("organisatiekracht", [])]
    elements = list(r.roles.elements)
    sec.heading(_kop(r, "organisatiekracht", "Organisatiekracht", texts.organisatiekracht_intro(
        len(subs), [md(r.label(e)).lower() for e in elements])))
    if not r.enough():
        return _too_few(r, sec, "organisatiekracht")
    table = _by_group(r, subs + elements)
    sec.tables["scores"] = table
    gem = table[(table["group"] == r.naam) & ~table["suppressed"].astype(bool)]
    gem_subs = gem[gem["column"].isin(subs)].sort_values("estimate")
    if len(gem_subs) >= 2:
        hi, lo = gem_subs.iloc[-1], gem_subs.iloc[0]
        sec.text(f"In {md(r.naam)} scoren inwoners het hoogst op "
                 f"{md(hi['label']).lower()} ({fmt.getal(hi['estimate'])}) en het laagst op "
                 f"{md(lo['label']).lower()} ({fmt.getal(lo['estimate'])}).")
    fig = plots.dot_compare(table, xlabel="score (0-10)")
    opbouw = texts.aantal_van(len(subs), "deelschaal", "deelschalen")
    if elements:
        opbouw += " en " + texts.aantal_van(len(elements), "element", "elementen")
    sec.figure(fig, r.figuur(f"Organisatiekracht in {r.naam} en {html.unescape(r.compare_label)}: "
                             f"{opbouw}, met 95%-betrouwbaarheidsintervallen"),
               _bron(r), **_describe.groups(table))
    # kernen on the two elements
    kcol = r.kern_col
    y_el, x_el = elements[:2] if len(elements) >= 2 else (None, None)
    if kcol is None or x_el is None:
        return sec
    wave = r.wave()
    in_gem = wave.loc[r.in_gemeente(wave)]
    # recalculated to a later indeling, two former gemeenten may each have a kern of one name
    in_gem = in_gem.assign(**{kcol: gemeenten.kern_key(in_gem, r.codebook)})
    both = _mean(r, _long(in_gem, [x_el, y_el], keys=[kcol]), "waarde", by=["schaal", kcol])
    both["schaal"] = both["schaal"].astype(str)
    tx, ty = both[both["schaal"] == x_el], both[both["schaal"] == y_el]
    kern = tx[[kcol, "estimate", "n", "suppressed", "indicative"]].rename(columns={"estimate": "x"})
    kern = kern.merge(ty[[kcol, "estimate", "suppressed", "indicative"]].rename(
        columns={"estimate": "y", "suppressed": "s2", "indicative": "i2"}), on=kcol)
    kern["suppressed"] = kern["suppressed"].astype(bool) | kern["s2"].astype(bool)
    kern["indicative"] = (kern["indicative"].astype(bool) | kern["i2"].astype(bool)) & ~kern["suppressed"]
    kern = kern.drop(columns=["s2", "i2"])
    kern = _kernen_secondary(r, kern, ty, in_gem, table, x_el, y_el)
    sec.tables["kernen"] = kern
    shown = kern[~kern["suppressed"]]
    hidden = int(kern["suppressed"].sum())
    ref = {row["column"]: row["estimate"] for _, row in gem.iterrows()}
    if len(shown) < 2:
        sec.text(texts.kernen_niet_apart(md(r.naam), r.rules.min_n,
                                         bool(kern["secondary"].any())))
        return sec
    sec.text(f"Figuur {r.counters['figuur'] + 1} plaatst de dorpen en wijken van {md(r.naam)} op "
             "de twee elementen van organisatiekracht. Rechtsboven staan kernen waar inwoners "
             "zowel sterk verbonden zijn als bereid en in staat om samen iets te ondernemen.")
    fig = plots.quadrant(kern.rename(columns={kcol: "kern"}), x="x", y="y",
                         x_ref=ref.get(x_el), y_ref=ref.get(y_el),
                         xlabel=r.label(x_el) + " (0-10)", ylabel=r.label(y_el) + " (0-10)")
    extra = texts.kernen_verborgen(hidden, r.rules.min_n, bool(kern["secondary"].any()))
    sec.figure(fig, r.figuur(f"Dorpen en wijken in {r.naam} naar de twee elementen van "
                             "organisatiekracht"), _bron(r, extra=extra.strip()),
               **_describe.kernen(kern.rename(columns={kcol: "kern"}), r.label(x_el),
                                  r.label(y_el)))
    rows = shown.sort_values("y", ascending=False)
    sec.html(fmt.tabel(
        pd.DataFrame({"kern": rows[kcol].astype(str), "n": rows["n"],
                      "y": [_cell(row, key="y") for row in rows.to_dict("records")],
                      "x": [_cell(row, key="x") for row in rows.to_dict("records")]}),
        formats={"n": fmt.aantal},
        headers={"kern": "Dorp of wijk", "n": "Respondenten", "y": r.label(y_el),
                 "x": r.label(x_el)}, align_left=["kern"],
        caption=r.tabel(f"Organisatiekracht per dorp of wijk in {r.naam} (scores 0-10)"),
        note=_bron(r, extra=extra.strip()) + " " + _note_indicative(r)))
    return sec


@_kept
def uitspraken(r: Rapport, scale_group: str = "organisatiekracht") -> Section:
    """5. The organisatiekracht items: diverging Likert bars and "(helemaal) mee eens".

    Items answered on different scales (a 1-5 and a 1-7 scale) get a figure each; the share
    "(helemaal) eens" is that of each item's own top two answers."""
    sec = Section()
    if not _needs(r, "uitspraken"):
        return sec
    scales_ = r.scales.get(scale_group, [])
    items = [i for s in scales_ for i in r.codebook.scale(s).items]
    reversed_ = any(r.codebook.scale(s).reverse for s in scales_)
    sec.heading(_kop(r, "uitspraken", "De uitspraken", texts.uitspraken_intro(len(items), reversed_)))
    if not r.enough():
        return _too_few(r, sec, "de uitspraken")
    if not items:
        return sec
    wave = r.wave()
    gem = wave.loc[r.in_gemeente(wave)]
    # items with the same answer codes form one block: one long table (item, antwoord,
    # weight) and two estimate calls per block
    blocks: dict = {}
    for i in items:
        v = r.codebook.variable(i)
        blocks.setdefault(tuple(v.values.items()), []).append(i)
    dists, agrees = [], []
    for block in blocks.values():
        codes = r.codebook.variable(block[0]).codes
        long = _long(gem, block).rename(columns={"schaal": "item"})
        dist = _distribution(r, long, "waarde", by="item", categories=codes)
        agree = _share(r, long, "waarde", codes[-2:], by="item")
        dist["item"], agree["item"] = dist["item"].astype(str), agree["item"].astype(str)
        dists.append(dist)
        agrees.append(agree)
    dist = dists[0] if len(dists) == 1 else pd.concat(dists, ignore_index=True)
    agree = agrees[0] if len(agrees) == 1 else pd.concat(agrees, ignore_index=True)
    sec.tables["verdeling"] = dist
    sec.tables["eens"] = agree
    shown = agree[~agree["suppressed"].astype(bool)].sort_values("estimate", ascending=False)
    if shown.empty:
        return _too_few(r, sec, "de uitspraken")
    top, low = shown.iloc[0], shown.iloc[-1]
    zin = (texts.eens_zin(top["estimate"], r.label(top["item"]), subject=f"In {md(r.naam)}")
           + " Geen andere uitspraak krijgt zoveel instemming.")
    if len(shown) > 1:
        zin += (f" Het minst eens zijn inwoners het met de uitspraak ‘{md(r.label(low['item']))}’ "
                f"({fmt.procent(low['estimate'])}).")
    sec.text(zin)
    for block, part in zip(blocks.values(), dists):
        var0 = r.codebook.variable(block[0])
        cats = [var0.values[c] for c in var0.codes]
        part = part.assign(category=part["category"].map(
            lambda c: var0.values.get(int(c), c) if not isinstance(c, str) else c),
            _o=part["item"].map({i: k for k, i in enumerate(block)}))
        part = part.sort_values("_o", kind="stable").drop(columns="_o")
        labels = {i: r.label(i) for i in block}
        fig = plots.likert_bars(part, labels=labels, categories=cats)
        punten = (f" (uitspraken met {texts.telwoord(len(cats))} antwoordmogelijkheden)"
                  if len(blocks) > 1 else "")
        sec.figure(fig, r.figuur(f"Uitspraken over organisatiekracht in {r.naam}{punten}; in "
                                 "vet het aandeel dat het (helemaal) eens is"),
                   _bron(r, extra="Zonder ‘weet niet / geen mening’."),
                   **_describe.likert(part, agree, labels, cats))
    return sec


@_kept
def ondersteuning(r: Rapport) -> Section:
    """6. The ACTIE profile and the panel themes against the comparison area (each part
    shown when the codebook has its scales)."""
    sec = Section()
    if not _needs(r, "ondersteuning"):
        return sec
    actie = r.scales.get("actie", [])
    thema = r.scales.get("thema", [])
    sec.heading(_kop(r, "ondersteuning", texts.ondersteuning_kop(bool(actie), bool(thema)),
                  texts.ondersteuning_intro(_scale_phrases(r, actie), _scale_phrases(r, thema))))
    if not r.enough():
        return _too_few(r, sec, "ondersteuning en thema's")
    verschillen = []
    if actie + thema:
        comp = _compare_many(r, actie + thema)
        sec.tables["vergelijking"] = comp
        verschillen = [f"{md(r.label(row['schaal'])).lower()} ({row['richting']})"
                       for row in comp.to_dict("records") if row["richting"]]
    if actie:
        prof = _by_group(r, actie)
        sec.tables["actie"] = prof
        gem = prof[(prof["group"] == r.naam) & ~prof["suppressed"].astype(bool)].sort_values("estimate")
        if len(gem) >= 2:
            sec.text(f"Van de {texts.telwoord(len(actie))} ACTIE-aspecten van ondersteuning "
                     f"waarderen inwoners van "
                     f"{md(r.naam)} {md(gem.iloc[-1]['label']).lower()} het best "
                     f"({fmt.getal(gem.iloc[-1]['estimate'])}) en {md(gem.iloc[0]['label']).lower()} "
                     f"het minst ({fmt.getal(gem.iloc[0]['estimate'])}).")
        fig = plots.profile(prof, ylabel="score (0-10)")
        sec.figure(fig, r.figuur(f"ACTIE-profiel: ondersteuning door gemeente en "
                                 f"welzijnsorganisaties in {r.naam} en "
                                 f"{html.unescape(r.compare_label)}"), _bron(r),
                   **_describe.groups(prof, what="Punten"))
    if thema:
        th = _by_group(r, thema)
        sec.tables["thema"] = th
        fig = plots.dot_compare(th, xlabel="score (0-10)")
        wat = ("Het panelthema" if len(thema) == 1
               else f"De {texts.telwoord(len(thema))} panelthema's")
        sec.figure(fig, r.figuur(f"{wat} in {r.naam} en "
                                 f"{html.unescape(r.compare_label)}"), _bron(r),
                   **_describe.groups(th))
    if verschillen:
        sec.text(f"Significante verschillen met {r.compare_label}: {texts.opsomming(verschillen)}.")
    else:
        sec.text(f"Op geen van deze onderwerpen verschilt {md(r.naam)} significant van "
                 f"{r.compare_label}.")
    return sec


#: fewer respondents than this in the gemeente: the model is fitted on the whole province
INZET_MIN_N = 150


def _term(name: str) -> str:
    """A column as a formula term (quoted when it is not a Python name)."""
    return name if name.isidentifier() else f"Q({name!r})"


def inzet_formula(r: Rapport) -> str:
    """The model of section 7: the activity outcome on the organisatiekracht scales and the
    background variables (the codebook's roles), e.g. ``actief ~ betrokkenheid + ... +
    leeftijdsklasse + geslacht + opleiding``."""
    roles = r.roles
    rhs = [*roles.scales, *roles.background]
    return f"{_term(roles.activity)} ~ " + " + ".join(_term(c) for c in rhs)


def _references(r: Rapport) -> str:
    """The reference categories of the categorical predictors (their first category)."""
    refs = []
    for var in r.roles.background:
        v = r.codebook.variables.get(var)
        if v is not None and v.values:
            refs.append(f"{v.label.lower()} {v.values[v.codes[0]]}")
    return ", ".join(refs)


def _one_province(frame) -> bool:
    """Whether every gemeente of ``frame`` lies in one province (as far as known)."""
    provinces = set()
    for code in frame[G].dropna().unique():
        try:
            provinces.add(gemeenten.province(str(code)))
        except DataError:
            return False
    return len(provinces) <= 1


def model_labels(r: Rapport, table) -> dict:
    """The Dutch labels of the model's terms, as the figure of section 7 shows them: a scale
    "Betrokkenheid (per punt)", a category "Leeftijd: 35-49 jaar"."""
    labels = {_term(s): f"{r.label(s)} (per punt)" for s in r.roles.scales}
    for t in table["term"]:
        if "[T." in t:
            var, val = t.split("[T.", 1)
            var = var[3:-2] if var.startswith("Q(") else var
            labels[t] = f"{r.label(var)}: {val.rstrip(']')}"
    return labels


@_kept
def inzet(r: Rapport) -> Section:
    """7. What goes with inzet: a weighted logit of being active, as odds ratios."""
    from .. import regression
    sec = Section()
    if not _needs(r, "inzet"):
        return sec
    sec.heading(_kop(r, "inzet", "Wat hangt samen met inzet?"))
    org = r.roles.scales
    wave = r.wave()
    gem = wave.loc[r.in_gemeente(wave)]
    if len(gem) >= INZET_MIN_N:
        frame, waar = gem, f"in {md(r.naam)}"
    else:
        gebied = "provincie" if _one_province(wave) else "panel"
        # every gemeente but the hidden ones (Rapport.hidden): they count in no aggregate
        frame = wave.loc[~r.in_hidden(wave)]
        waar = f"in het hele {gebied}" if gebied == "panel" else "in de hele provincie"
        sec.text(f"{md(r.naam)} heeft te weinig respondenten (minder dan {INZET_MIN_N}) voor een "
                 "betrouwbare analyse; daarom is het model geschat voor alle respondenten in "
                 f"{'de provincie' if gebied == 'provincie' else 'het panel'}.")
    with warnings.catch_warnings():
        # regression's notes (e.g. few clusters) concern design choices fixed for the report
        warnings.simplefilter("ignore", SocvitWarning)
        res = regression.fit(inzet_formula(r), frame, kind="logit", weights=W)
    table = res.table
    sec.tables["model"] = table
    labels = model_labels(r, table)
    zinnen = [texts.or_zin(r.codebook.phrase(s), row["odds_ratio"],
                           row["or_ci_lower"], row["or_ci_upper"])
              for s in org for _, row in table[table["term"] == _term(s)].iterrows()]
    controls = list(r.roles.background.values())
    rekening = (f", rekening houdend met {texts.opsomming(md(c) for c in controls)}"
                if controls else "")
    gewogen = "ongewogen" if r.method == "ongewogen" else "gewogen"
    sec.text(f"Welke inwoners zetten zich in voor hun dorp of wijk? Een logistische regressie "
             f"{waar} ({gewogen}, {fmt.aantal(res.n)} respondenten) laat zien welke kenmerken "
             f"samengaan met actief zijn{rekening}. "
             + " ".join(z for z in zinnen if z))
    fig = plots.coef_plot(table, labels=labels)
    refs = _references(r)
    sec.figure(fig, r.figuur("Samenhang met actief zijn voor dorp of wijk (odds ratio's met "
                             "95%-betrouwbaarheidsintervallen)"),
               _bron(r, extra="Odds ratio boven 1: vaker actief; scores 0-10"
                     + (f"; referentiegroepen: {refs}." if refs else ".")),
               **_describe.odds_ratios(table, labels))
    sec.text(texts.ODDS_RATIO_UITLEG)
    return sec


@_kept
def trends(r: Rapport) -> Section:
    """8. Trends across the waves up to the report's, recalculated to its indeling."""
    sec = Section()
    if not _needs(r, "trends"):
        return sec
    sec.heading(_kop(r, "trends", "Ontwikkeling door de jaren"))
    act = r.roles.activity
    wcol = r.wave_col
    gcol = r.codebook.column("gemeente")
    frame = r.data
    gem = r.in_gemeente(frame)
    waves = sorted(int(w) for w in frame.loc[gem, wcol].dropna().unique())
    if len(waves) < 2:
        return sec.text(f"Voor {md(r.naam)} zijn er (nog) geen eerdere golven in de "
                        f"gemeentelijke indeling van {r.indeling}; een ontwikkeling is daarom niet "
                        "te tonen.")
    if not any(r.n(w) >= r.rules.min_n for w in waves):
        return _too_few(r, sec, "de ontwikkeling door de jaren")
    # which former gemeenten count toward the gemeente, per wave
    merged = []
    for w in waves:
        codes = sorted(frame.loc[gem & (frame[wcol] == w), gcol].dropna().unique())
        if codes != [r.gemeente]:
            merged.append(f"in {w} {texts.opsomming(md(gemeenten.name(c)) for c in codes)}")
    if merged:
        sec.text(f"Om golven te kunnen vergelijken zijn de antwoorden herberekend naar de "
                 f"gemeentelijke indeling van {r.indeling}: voor {md(r.naam)} tellen "
                 f"{'; '.join(merged)} mee.")
    panel = _panel(r, waves)           # the same people in the previous wave (socvit.panel)
    if panel is not None:
        n, ook = panel["overlap"].get(r.gemeente, (0, 0))
        sec.text(texts.panel_zin(md(r.naam), r.golf, panel["vorige"], n, ook, r.rules.min_n))
    table = _comparison.shares(r, act, waves)        # from per-gemeente sums
    if table is None:
        both = pd.concat([_two_groups(r, r.wave(w), [act, wcol]) for w in waves])
        both = both.loc[both[wcol].isin(waves)]
        table = _share(r, both, act, [1], by=[wcol, "_groep"])
    table = table.rename(columns={"_groep": "group", wcol: "golf"})
    order = {r.naam: 0, _vergelijking(r): 1}
    table = table.sort_values(["group", "golf"], key=lambda s: s.map(order) if s.name == "group" else s)
    sec.tables["actief"] = table
    mine = table[(table["group"] == r.naam) & ~table["suppressed"].astype(bool)]
    if len(mine) >= 2:
        first, last = mine.iloc[0], mine.iloc[-1]
        sec.text(f"In {int(first['golf'])} was {fmt.procent(first['estimate'])} van de inwoners van "
                 f"{md(r.naam)} actief voor een doel in het eigen dorp of de eigen wijk; in "
                 f"{int(last['golf'])} was dat {fmt.procent(last['estimate'])}. Let bij kleine "
                 "verschillen op de betrouwbaarheidsintervallen in de figuur.")
    fig = plots.trend(table, x="golf", group="group", percent=True,
                      ylabel="actief voor dorp of wijk")
    sec.figure(fig, r.figuur(f"Aandeel inwoners dat actief is voor het eigen dorp of de eigen "
                             f"wijk, {r.naam} en {html.unescape(r.compare_label)}, per golf"),
               _bron(r, extra=f"Golven {waves[0]}-{waves[-1]}, indeling {r.indeling}."),
               **_describe.trend(table))
    # scores per wave in the gemeente
    rows = []
    gframe = frame.loc[gem]
    cols = [c for c in r.roles.scales if c in gframe.columns]
    t = _mean(r, _long(gframe, cols, keys=[wcol]), "waarde", by=["schaal", wcol]) if cols else None
    if cols:
        sec.tables["scores_per_golf"] = t.rename(columns={wcol: "golf"}).assign(
            schaal=t["schaal"].astype(str), label=t["schaal"].astype(str).map(r.label))
    for c in cols:
        sub = t[t["schaal"].astype(str) == c]
        cells = {int(row[wcol]): _cell(row) for row in sub.to_dict("records")}
        rows.append({"schaal": r.label(c), **{str(w): cells.get(w, fmt.NA_TEKEN) for w in waves}})
    if rows:
        sec.html(fmt.tabel(pd.DataFrame(rows), headers={"schaal": "Score (0-10)"},
                           align_left=["schaal"],
                           caption=r.tabel(f"Organisatiekracht in {r.naam} per golf"),
                           note=_bron(r) + " " + _note_indicative(r)))
    if panel is not None:
        _verandering(r, sec, panel)
    return sec


def _panel(r: Rapport, waves) -> dict | None:
    """The panel part of section 8, shared by the reports on the same prepared data: for the
    report's wave and the gemeente's previous wave (``vorige``), per gemeente of the indeling
    its respondents and how many of them also answered that wave (``overlap``: code -> (n,
    ook)), and per measure (the activity share, the organisatiekracht scores) the change
    within persons beside the change across sections (``change``: column -> (kind,
    :func:`socvit.panel.change` by gemeente)). None without a previous wave or a persistent
    member id (codebook kind ``id``)."""
    if r.golf not in waves or waves.index(r.golf) == 0:
        return None
    vorige = waves[waves.index(r.golf) - 1]
    key = ("panel", r.golf, vorige, r.rules)
    if key not in r.shared:
        r.shared[key] = _panel_tables(r, vorige)
    return r.shared[key]


def _panel_tables(r: Rapport, vorige: int) -> dict | None:
    from .. import panel
    idc, wcol = r.codebook.column("id"), r.wave_col
    if idc is None or idc not in r.data.columns:
        return None
    # hidden gemeenten (Rapport.hidden_in) stay out: the design's variance spans all rows
    two = r.data.loc[r.data[wcol].isin([vorige, r.golf]).to_numpy()
                     & ~r.in_hidden(r.data).to_numpy()]
    measures = [(c, "pct") for c in [r.roles.activity] if c and c in two.columns]
    measures += [(c, "score") for c in r.roles.scales if c in two.columns]
    change = {}
    try:
        for col, kind in measures:
            pct = kind == "pct"
            change[col] = (kind, panel.change(
                two, col, vorige, r.golf, by=G, weights=W, id=idc, wave=wcol, rules=r.rules,
                kind="proportion" if pct else "mean", categories=[1] if pct else None))
    except DataError:              # no persistent id, no member in both waves
        return None
    is_now = (two[wcol] == r.golf).to_numpy()
    member = pd.factorize(two[idc])[0]          # ids as codes: faster than isin on strings
    before = np.zeros(int(member.max()) + 1, dtype=bool)
    before[member[~is_now]] = True
    counts = pd.DataFrame({"n": 1, "ook": before[member[is_now]].astype(int),
                           G: two.loc[is_now, G].to_numpy()}).groupby(G).sum()
    overlap = {str(g): (int(row.n), int(row.ook)) for g, row in counts.iterrows()}
    rows = {col: {} for col in change}          # column -> gemeente -> basis -> row
    for col, (_, t) in change.items():
        for row in t.to_dict("records"):
            rows[col].setdefault(str(row[G]), {})[row["basis"]] = row
    return {"vorige": vorige, "overlap": overlap, "change": change, "rows": rows}


def _verandering(r: Rapport, sec: Section, panel: dict) -> None:
    """Section 8's table of the change since the previous wave: all respondents of both
    waves (the trend) beside the same people in both waves (within persons), with 95%
    intervals; a measure whose paired count is below min_n is "niet getoond"."""
    vorige, rows, tidy = panel["vorige"], [], []
    naam = {"paired": "dezelfde respondenten", "cross-sectional": "alle respondenten"}
    # all respondents minus the same people leave the newcomers (and the leavers of the
    # previous wave): with fewer than min_n of them, the paired figures beside the trend
    # would give theirs away (secondary suppression, as disclosure.secondary)
    n_now, ook = panel["overlap"].get(r.gemeente, (0, 0))
    protect = any(0 < k < r.rules.min_n for k in (n_now - ook, r.n(vorige) - ook))
    for col, (kind, _) in panel["change"].items():
        mine = dict(panel["rows"][col].get(r.gemeente, {}))
        if "paired" not in mine:
            continue
        if protect:
            mine["paired"] = {**mine["paired"], "suppressed": True, "indicative": False,
                              "reason": disclosure.SECONDARY_REASON,
                              **{k: np.nan for k in ("estimate", "se", "ci_lower", "ci_upper",
                                                      "estimate_from", "estimate_to")}}
        cells = {}
        for basis, row in mine.items():
            shown = not bool(row["suppressed"])
            cells[basis] = (texts.verandering_cel(row["estimate"], row["ci_lower"],
                                                  row["ci_upper"], kind, bool(row["indicative"]))
                            if shown else fmt.NIET_GETOOND)
            tidy.append({"label": "Aandeel actief" if kind == "pct" else r.label(col),
                         "vergelijking": naam[basis], "golf_van": vorige, "golf": r.golf,
                         **{k: row[k] for k in ("estimate", "se", "ci_lower", "ci_upper", "n",
                                                "suppressed", "indicative", "reason")}})
        paired = mine["paired"]
        rows.append({"maat": ("Actief voor dorp of wijk" if kind == "pct"
                              else f"{r.label(col)} (0-10)"),
                     "alle": cells.get("cross-sectional", fmt.NIET_GETOOND),
                     "zelfde": cells["paired"],
                     "n": fmt.NIET_GETOOND if paired["suppressed"] else fmt.aantal(paired["n"])})
        if kind == "pct" and not paired["suppressed"]:
            sec.text(texts.verandering_zin(md(r.naam), vorige, r.golf, paired["estimate_from"],
                                           paired["estimate_to"], paired["ci_lower"],
                                           paired["ci_upper"]))
    if not rows or all(row["zelfde"] == fmt.NIET_GETOOND for row in rows):
        return
    sec.tables["verandering"] = pd.DataFrame(tidy)
    sec.text(texts.verandering_intro(f"Tabel {r.counters['tabel'] + 1}", vorige, r.golf))
    sec.html(fmt.tabel(pd.DataFrame(rows),
                       headers={"maat": "Verandering", "alle": "Alle respondenten",
                                "zelfde": "Dezelfde respondenten",
                                "n": "Aantal dezelfde respondenten"},
                       align_left=["maat"],
                       caption=r.tabel(f"Verandering tussen {vorige} en {r.golf} in {r.naam}: "
                                       "alle respondenten en dezelfde respondenten"),
                       note=_bron(r) + " Tussen haakjes het 95%-betrouwbaarheidsinterval van de "
                       "verandering; aandeel actief in procentpunten. " + _note_indicative(r)))


@_kept
def verantwoording(r: Rapport) -> Section:
    """9. Reliability, weighting diagnostics, disclosure rules, data hash, version, date."""
    import socvit
    from .. import reliability, weighting
    sec = Section()
    sec.heading(_kop(r, "verantwoording", "Verantwoording"))
    wave = r.wave()
    gem = r.in_gemeente(wave)
    rows, flagged = [], []
    for group in ("organisatiekracht", "actie", "thema"):
        for s in r.scales.get(group, []):
            sc = r.codebook.scale(s)
            cells = {"schaal": sc.label, "items": len(sc.items)}
            # "alle respondenten": every gemeente but the hidden ones (Rapport.hidden)
            for key, mask in (("gem", gem), ("prov", ~r.in_hidden(wave))):
                if mask.sum() < max(r.rules.warn_n, 2 * len(sc.items)):
                    cells[key] = fmt.NIET_GETOOND
                    continue
                cache = (("alpha", r.golf, s, r.rules.warn_n, r.rules.min_n) if key == "prov"
                         else None)
                if cache not in r.shared:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", SocvitWarning)   # named in the text below
                        a = reliability.alpha(wave.loc[mask, sc.items].astype("float64"),
                                              reverse=sc.reverse, weights=wave.loc[mask, W].to_numpy())
                    if any(issubclass(w.category, SocvitWarning) for w in caught):
                        flagged.append(sc.label.lower())
                    for w in caught:
                        if not issubclass(w.category, SocvitWarning):
                            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                    alpha = (float(a.total["raw_alpha"]), float(a.ci[0]), float(a.ci[1]))
                    if cache is None:
                        cells[key] = alpha
                        continue
                    r.shared[cache] = alpha
                cells[key] = r.shared[cache]
            rows.append(cells)
    # the numbers (alpha and its interval, None when not computed) and the text shown
    sec.tables["betrouwbaarheid"] = pd.DataFrame(
        [{"schaal": c["schaal"], "items": c["items"],
          **{f"{part}_{key}": (c[key][i] if isinstance(c[key], tuple) else None)
             for key in ("gem", "prov") for i, part in enumerate(("alfa", "ci_lower", "ci_upper"))}}
         for c in rows])
    rel = pd.DataFrame([{k: (f"{fmt.getal(v[0], 2)} ({fmt.interval(v[1], v[2], 2)})"
                             if isinstance(v, tuple) else v) for k, v in c.items()} for c in rows])
    sec.text(texts.ALFA_UITLEG)
    sec.html(fmt.tabel(rel, headers={"schaal": "Schaal", "items": "Uitspraken",
                                     "gem": f"Alfa {r.naam}", "prov": "Alfa alle respondenten"},
                       align_left=["schaal"],
                       caption=r.tabel(f"Betrouwbaarheid van de schalen, golf {r.golf}"),
                       note=_bron(r) + (" Alfa berekend op ongewogen gegevens."
                                        if r.method == "ongewogen"
                                        else " Alfa berekend op gewogen gegevens.")))
    if flagged:
        sec.text(texts.alfa_waarschuwing(sorted(set(flagged))))
    total = r.codebook.scales.get(r.roles.total) if r.roles.total else None
    if total is not None and r.roles.scales:
        try:
            if ("omega", r.golf, r.rules.min_n) not in r.shared:
                with warnings.catch_warnings():
                    # omega's notes (e.g. on Heywood cases) are for schaalconstructie
                    warnings.simplefilter("ignore", SocvitWarning)
                    r.shared[("omega", r.golf, r.rules.min_n)] = reliability.omega(
                        wave.loc[~r.in_hidden(wave), total.items].astype("float64"),
                        n_factors=len(r.roles.scales),
                        reverse=total.reverse)
            om = r.shared[("omega", r.golf, r.rules.min_n)]
            sec.text(texts.omega_zin(r.golf, om.omega_total, om.omega_h,
                                     deelschalen=len(r.roles.scales)))
        except (DataError, ValueError, np.linalg.LinAlgError):
            sec.text("Omega voor organisatiekracht kon voor deze golf niet worden berekend.")
    # weighting diagnostics
    res = r.weighting.get(r.golf)
    n_eff, deff = weighting.kish(wave.loc[gem, W]) if gem.any() else (np.nan, np.nan)
    wie = md(r.naam) if r.enough() else None
    if r.method == "meegeleverd":
        sec.text(texts.meegeleverd_diagnose(md(r.label(r.roles.weight)), md(r.roles.weight),
                                            wie, deff, n_eff))
    elif r.method == "ongewogen":
        sec.text(texts.ongewogen_diagnose(r.weging_methode["reason"]))
    elif res is not None:
        converged, max_error = _convergence(r, res)
        sec.text(texts.weging_diagnose(converged, res.iterations, max_error, wie, deff, n_eff,
                                       _naar(r)))
    for golf in sorted(r.weging):
        notes = _weging_notes(r, golf)
        if any(status == "ongewogen" for status, _ in notes):
            sec.text(texts.ongewogen_gemeente_zin(md(r.naam), golf))
        paren = [p for status, detail in notes if status == "samengevoegd" for p in detail]
        if paren:
            sec.text(texts.samengevoegd_zin(md(r.naam), golf, list(dict.fromkeys(paren))))
    sec.text(texts.onthulling_zin(r.rules.min_n, r.rules.warn_n))
    vergelijking = _left_out(r)
    if vergelijking:
        sec.text(vergelijking)
    name = Path(r.source).name if r.source else "onbekend"
    sec.text(texts.gegevens_zin(name, r.data_hash, r.codebook.name, socvit.__version__,
                                date.today()))
    return sec


def _left_out(r: Rapport) -> str:
    """The method section's sentence on what the run leaves out of every aggregate
    (:meth:`Rapport.hidden_in` per wave, :meth:`Rapport.hidden_for` per measure); "" when
    nothing is left out."""
    waves = sorted(int(w) for w in r.data[r.wave_col].dropna().unique())
    per_golf = {w: [gemeenten.name(c) for c in sorted(r.hidden_in(w))] for w in waves}
    roles = r.roles
    measures = [c for c in (roles.activity, roles.mark, *roles.scales, *roles.elements,
                            *roles.actie, *roles.themes) if c and c in r.data.columns]
    per_vraag = any(r.hidden_for(c, w) - r.hidden_in(w) for w in waves for c in measures)
    return texts.onthulling_vergelijking(r.rules.min_n, per_golf, per_vraag)


def headline(r: Rapport) -> dict:
    """Headline figures for the index page: gemeente, naam, golf, n, pct_actief (the
    codebook's activity outcome), rapportcijfer (its mark) and the scores of the four parts
    of organisatiekracht (the scales ``roles.organisatiekracht`` names); None when
    suppressed or not in the codebook."""
    out = {"gemeente": r.gemeente, "naam": r.naam, "golf": int(r.golf),
           "n": r.n() if r.enough() else None}
    for key in HEADLINE_KEYS[4:]:
        out[key] = None
    if r.enough() and _needs(r, "kerncijfers"):
        roles = r.roles
        keys = {roles.activity: "pct_actief", roles.mark: "rapportcijfer",
                **{scale: part for part, scale in roles.organisatiekracht.items()}}
        for row in _kerncijfers(r).to_dict("records"):
            key = keys.get(row["column"])
            if key in out:
                out[key] = _value(row)
    return out


def publish_headline(table: dict) -> None:
    """Display the headline figures as one output of mimetype :data:`HEADLINE_MIMETYPE`
    (the batch runner reads it; it does not show in the HTML report)."""
    from IPython.display import display
    clean = {k: (None if fmt.is_na(v) else (v.item() if hasattr(v, "item") else v))
             for k, v in dict(table).items()}
    display({HEADLINE_MIMETYPE: clean}, raw=True)
