"""The table book (tabellenboek): the numbers behind a gemeente report as an Excel workbook.

:func:`book_sheets` turns the tidy tables the sections keep (``Section.tables``, each linked
to the figures and HTML tables that show it: ``Section.shown_in``) into sheets with Dutch
column names; :func:`tabellenboek` writes them, with a first sheet on method and sources, as
one ``.xlsx`` file per gemeente; :func:`kerncijfers_boek` writes the headline figures of
every gemeente of a run into one workbook.

What goes in is what the report shows: only tables that a figure or table of the report
shows, the same estimates unrounded (the cells hold the numbers; Excel's number formats
round the display as the report does: one decimal for scores and marks, whole percents
for shares, shares stored as proportions), with their 95% interval, the number of
respondents and the disclosure flags. A suppressed estimate (fewer than ``min_n``
respondents) is an empty cell with a note; a dorp or wijk the report leaves out is left
out. No respondent-level row, no respondent id. A Dutch Excel shows the decimal comma
(number formats follow the reader's locale).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .._files import atomic_write

__all__ = ["Sheet", "book_sheets", "tabellenboek", "kerncijfers_boek", "HEADLINE_LABELS",
           "EXCEL_FORMATS"]

#: Excel number formats by kind of number (shares are proportions shown as percents)
EXCEL_FORMATS = {"score": "0.0", "cijfer": "0.0", "pct": "0%", "pct1": "0.0%", "n": "#,##0",
                 "dec2": "0.00", "dec3": "0.000", "p": "0.000", "int": "0", "text": "@"}

#: Dutch headings of the headline figures (:data:`socvit.report.HEADLINE_KEYS`) and their kind
HEADLINE_LABELS = {
    "naam": ("Gemeente", "text"), "gemeente": ("CBS-code", "text"), "golf": ("Golf", "int"),
    "n": ("Respondenten", "n"), "pct_actief": ("Actief voor dorp of wijk", "pct"),
    "rapportcijfer": ("Rapportcijfer gemeente", "cijfer"),
    "betrokkenheid": ("Betrokkenheid", "score"), "overtuigingen": ("Overtuigingen", "score"),
    "bereidheid": ("Bereidheid", "score"), "capaciteit": ("Capaciteit", "score"),
}

_CI_LO, _CI_HI = "Ondergrens 95%-interval", "Bovengrens 95%-interval"
_NOT_SHOWN, _INDICATIVE, _NOTE = "Niet getoond", "Indicatief", "Opmerking"

#: short sheet names of the sections' tables (a table not listed keeps its key)
_SHORT = {"respons": "Respons", "kerncijfers": "Kerncijfers", "scores": "Organisatiekracht",
          "kernen": "Dorpen en wijken", "verdeling": "Uitspraken antwoorden",
          "eens": "Uitspraken eens", "vergelijking": "Toetsen", "actie": "ACTIE-profiel",
          "thema": "Panelthema's", "model": "Inzet model", "actief": "Actief per golf",
          "scores_per_golf": "Scores per golf", "betrouwbaarheid": "Betrouwbaarheid",
          "kaart": "Kaart"}


@dataclass
class Sheet:
    """One sheet of the table book: the caption(s) of what the report shows, the source
    line, a table with Dutch column names (numbers unrounded, suppressed ones None), the
    Excel number format per column (a format, or one per row) and notes below it."""

    name: str
    title: str
    source: str
    frame: object                      # pandas DataFrame
    formats: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def __repr__(self):
        return f"Sheet({self.name!r}, {len(self.frame)} rows, columns {list(self.frame.columns)})"


# --------------------------------------------------------------------------- helpers
def _na(v) -> bool:
    from .. import fmt
    return v is None or (not isinstance(v, str) and fmt.is_na(v))


def _flags(table, r) -> dict:
    """The disclosure columns: Niet getoond, Indicatief (ja/nee) and a note for each row."""
    sup = table["suppressed"].astype(bool) if "suppressed" in table else None
    ind = table["indicative"].astype(bool) if "indicative" in table else None
    n = len(table)
    sup_l = [False] * n if sup is None else list(sup)
    ind_l = [False] * n if ind is None else [bool(i) and not s for i, s in zip(ind, sup_l)]
    notes = [f"niet getoond: minder dan {r.rules.min_n} respondenten" if s
             else f"indicatief: {r.rules.min_n} tot {r.rules.warn_n} respondenten" if i else None
             for s, i in zip(sup_l, ind_l)]
    return {_NOT_SHOWN: ["ja" if s else "nee" for s in sup_l],
            _INDICATIVE: ["ja" if i else "nee" for i in ind_l], _NOTE: notes}


def _blank(frame, suppressed, columns):
    """Empty the number ``columns`` of suppressed rows (None)."""
    frame = frame.astype({c: object for c in columns if c in frame})
    for c in columns:
        if c in frame:
            frame.loc[list(suppressed), c] = None
    return frame


def _kind_word(kind: str) -> str:
    return {"pct": "Aandeel", "cijfer": "Rapportcijfer"}.get(kind, "Score (0-10)")


def _estimates(r, table, keys: dict, kind: str, value: str | None = None):
    """An estimate table (``socvit.estimates``): ``keys`` (column -> Dutch heading, values
    already labelled) first, then the estimate, its interval, standard error, n, n_eff and
    the disclosure flags."""
    import pandas as pd
    value = value or _kind_word(kind)
    out = pd.DataFrame({dutch: table[col].tolist() for col, dutch in keys.items()})
    nums = {value: "estimate", _CI_LO: "ci_lower", _CI_HI: "ci_upper", "Standaardfout": "se",
            "Respondenten": "n", "Effectieve n": "n_eff"}
    for dutch, col in nums.items():
        if col in table:
            out[dutch] = table[col].astype(float).tolist()
    flags = _flags(table, r)
    out = _blank(out, [s == "ja" for s in flags[_NOT_SHOWN]], list(nums))
    for k, v in flags.items():
        out[k] = v
    se = "pct1" if kind == "pct" else "dec3"
    formats = {value: kind, _CI_LO: kind, _CI_HI: kind, "Standaardfout": se,
               "Respondenten": "n", "Effectieve n": "n"}
    return out, formats


def _compare_sheet(r, table, label_col, kinds):
    """A comparison (``estimates.compare``): gemeente, comparison area, difference, its
    interval and p, and the outcome as the report words it."""
    import pandas as pd
    from .sections import _vergelijking
    rows = table.to_dict("records")
    sup = [bool(row.get("suppressed")) for row in rows]
    out = pd.DataFrame({
        "Onderwerp": [r.label(row[label_col]) for row in rows],
        r.naam: [row.get("estimate") for row in rows],
        _vergelijking(r): [row.get("estimate_other") for row in rows],
        "Verschil": [row.get("difference") for row in rows],
        "Verschil: " + _CI_LO.lower(): [row.get("ci_lower") for row in rows],
        "Verschil: " + _CI_HI.lower(): [row.get("ci_upper") for row in rows],
        "p-waarde": [row.get("p") for row in rows],
        "Uitkomst": [None if s else {"hoger": "hoger", "lager": "lager"}.get(row.get("richting"),
                                                                          "geen significant verschil")
                     for s, row in zip(sup, rows)],
        f"Respondenten {r.naam}": [row.get("n") for row in rows],
        "Respondenten vergelijking": [row.get("n_other") for row in rows],
    })
    numbers = [c for c in out.columns if c not in ("Onderwerp", "Uitkomst")]
    out = _blank(out, sup, numbers)
    for k, v in _flags(table, r).items():
        out[k] = v
    per_row = [kinds(row) for row in rows]
    formats = {c: per_row for c in list(out.columns)[1:6]}
    formats.update({"p-waarde": "p", f"Respondenten {r.naam}": "n", "Respondenten vergelijking": "n"})
    return out, formats


def _value_label(r, item, code):
    if isinstance(code, str):
        return code
    v = r.codebook.variables.get(item)
    return v.values.get(int(code), code) if v is not None and v.values else code


# --------------------------------------------------------------------------- per table
def _frame(r, key, table):
    """(frame, formats, notes) of one of the sections' tables."""
    import pandas as pd
    notes = []
    if key == "respons":
        shown = table["n"].notna().tolist()
        out = pd.DataFrame({"Golf": [int(g) for g in table["golf"]],
                            "Respondenten": table["n"].tolist()})
        if "inwoners" in table:
            out["Inwoners 18+"] = table["inwoners"].tolist()
        out["Effectieve n"] = table["n_eff"].tolist()
        out["Design effect"] = table["deff"].tolist()
        out = _blank(out, [not s for s in shown], ["Respondenten", "Effectieve n", "Design effect"])
        out[_NOTE] = [None if s else f"minder dan {r.rules.min_n} respondenten: niet getoond"
                      for s in shown]
        return out, {"Respondenten": "n", "Inwoners 18+": "n", "Effectieve n": "n",
                     "Design effect": "dec2"}, notes
    if key in ("kerncijfers", "vergelijking"):
        label = "column" if key == "kerncijfers" else "schaal"
        kinds = ((lambda row: row["kind"]) if "kind" in table else (lambda row: "score"))
        out, formats = _compare_sheet(r, table, label, kinds)
        return out, formats, notes
    if key in ("scores", "actie", "thema"):
        out, formats = _estimates(r, table, {"label": "Onderwerp", "group": "Groep"}, "score")
        return out, formats, notes
    if key == "kernen":
        kcol = next(c for c in table.columns
                    if c not in ("x", "y", "n", "suppressed", "indicative", "secondary"))
        x_el, y_el = list(r.roles.elements)[:2]
        hidden = int(table["suppressed"].astype(bool).sum())
        rows = table[~table["suppressed"].astype(bool)].sort_values("y", ascending=False)
        out = pd.DataFrame({"Dorp of wijk": rows[kcol].astype(str).tolist(),
                            "Respondenten": rows["n"].tolist(),
                            r.label(y_el) + " (0-10)": rows["y"].tolist(),
                            r.label(x_el) + " (0-10)": rows["x"].tolist()})
        for k, v in _flags(rows, r).items():
            out[k] = v
        if hidden:
            from .texts import kernen_verborgen
            secondary = bool(table["secondary"].astype(bool).any()) if "secondary" in table else False
            notes.append(kernen_verborgen(hidden, r.rules.min_n, secondary))
        return out, {"Respondenten": "n", r.label(y_el) + " (0-10)": "score",
                     r.label(x_el) + " (0-10)": "score"}, notes
    if key == "verdeling":
        t = table.assign(label=table["item"].map(r.label),
                         antwoord=[_value_label(r, i, c) for i, c in zip(table["item"], table["category"])])
        out, formats = _estimates(r, t, {"label": "Uitspraak", "antwoord": "Antwoord"}, "pct")
        return out, formats, notes
    if key == "eens":
        t = table.assign(label=table["item"].map(r.label))
        out, formats = _estimates(r, t, {"label": "Uitspraak"}, "pct", "Aandeel (helemaal) eens")
        return out, formats, notes
    if key == "kaart":                   # the province map: one row per gemeente
        from . import _prepare
        spec = getattr(_prepare, "kaart_spec", lambda r: None)(r)
        kind, label = (spec[1], spec[2]) if spec else ("score", None)
        value = (label[:1].upper() + label[1:]) if label else None
        out, formats = _estimates(r, table, {"naam": "Gemeente", "gemeente": "CBS-code"}, kind,
                                  value)
        return out, formats, notes
    if key == "actief":
        out, formats = _estimates(r, table, {"golf": "Golf", "group": "Groep"}, "pct",
                                  "Aandeel actief")
        return out, formats, notes
    if key == "scores_per_golf":
        out, formats = _estimates(r, table, {"label": "Onderwerp", "golf": "Golf"}, "score")
        return out, formats, notes
    if key == "model":
        from .sections import model_labels
        labels = {"Intercept": "Constante", **model_labels(r, table)}
        out = pd.DataFrame({
            "Kenmerk": [labels.get(t, t) for t in table["term"]],
            "Coëfficiënt (log-odds)": table["estimate"].tolist(),
            "Standaardfout": table["se"].tolist(),
            "Coëfficiënt: " + _CI_LO.lower(): table["ci_lower"].tolist(),
            "Coëfficiënt: " + _CI_HI.lower(): table["ci_upper"].tolist(),
            "p-waarde": table["p"].tolist()})
        for col, dutch in (("odds_ratio", "Odds ratio"), ("or_ci_lower", "Odds ratio: " + _CI_LO.lower()),
                           ("or_ci_upper", "Odds ratio: " + _CI_HI.lower())):
            if col in table:
                out[dutch] = table[col].tolist()
        formats = {c: "dec2" if c.startswith("Odds") else "dec3" for c in out.columns[1:]}
        formats["p-waarde"] = "p"
        return out, formats, notes
    if key == "betrouwbaarheid":
        cols = {"schaal": "Schaal", "items": "Uitspraken", "alfa_gem": f"Alfa {r.naam}",
                "ci_lower_gem": f"Alfa {r.naam}: " + _CI_LO.lower(),
                "ci_upper_gem": f"Alfa {r.naam}: " + _CI_HI.lower(),
                "alfa_prov": "Alfa alle respondenten",
                "ci_lower_prov": "Alfa alle respondenten: " + _CI_LO.lower(),
                "ci_upper_prov": "Alfa alle respondenten: " + _CI_HI.lower()}
        out = table[[c for c in cols if c in table]].rename(columns=cols)
        out = out.astype({c: object for c in out.columns[2:]})
        out = out.where(out.notna(), None)
        if out.iloc[:, 2:].isna().any(axis=None):
            notes.append(f"Lege cel: niet berekend, te weinig respondenten (minder dan "
                         f"{r.rules.warn_n} of twee per uitspraak).")
        return out, {c: "dec2" for c in out.columns[2:]} | {"Uitspraken": "int"}, notes
    return _generic(r, table), {}, notes


_GENERIC = {"column": "Variabele", "label": "Onderwerp", "group": "Groep", "golf": "Golf",
            "estimate": "Schatting", "se": "Standaardfout", "ci_lower": _CI_LO,
            "ci_upper": _CI_HI, "n": "Respondenten", "n_eff": "Effectieve n", "p": "p-waarde"}


def _generic(r, table):
    """A table the book has no layout for (a section added later): the usual columns in
    Dutch, the disclosure flags, suppressed estimates empty; internal columns left out."""
    keep = [c for c in table.columns if c not in ("suppressed", "indicative", "reason", "method",
                                                   "_groep", "against")]
    out = table[keep].rename(columns=_GENERIC).astype(object)
    out = out.where(out.notna(), None)
    if "suppressed" in table:
        numbers = [_GENERIC[c] for c in ("estimate", "se", "ci_lower", "ci_upper", "n", "n_eff", "p")
                   if c in keep]
        out = _blank(out, list(table["suppressed"].astype(bool)), numbers)
        for k, v in _flags(table, r).items():
            out[k] = v
    return out


# --------------------------------------------------------------------------- sheets
def _sheet_name(captions, key, taken) -> str:
    m = re.match(r"(Figuur|Tabel) (\d+)\.", captions[0][0]) if captions else None
    name = f"{m.group(1)} {m.group(2)} " if m else ""
    name = re.sub(r"[\[\]:*?/\\]", "-", name + _SHORT.get(key, key.replace("_", " ")))[:31]
    base, i = name, 2
    while name.lower() in taken:
        name = f"{base[:28]} {i}"
        i += 1
    taken.add(name.lower())
    return name


def book_sheets(r, sections=None) -> list:
    """The table book's sheets of a report, in report order: one per table of ``sections``
    that a figure or table of the report shows (``Section.shown_in``).

    Parameters
    ----------
    r : Rapport
        The prepared report (:func:`socvit.report.prepare`).
    sections : list of Section, optional
        Default: the sections made for ``r`` so far, in report order (every section
        function keeps its result on the Rapport).

    Returns
    -------
    list of Sheet
        ``.name`` ("Figuur 1 Organisatiekracht"), ``.title`` (the captions), ``.source``,
        ``.frame`` (Dutch columns, unrounded numbers, None where suppressed), ``.formats``
        and ``.notes``.
    """
    from ..errors import DataError
    if sections is None:
        sections = list(r.counters.get("secties", {}).values())
    id_col = r.codebook.column("id")
    sheets, taken = [], set()
    for sec in sections:
        for key, table in sec.tables.items():
            shown = sec.shown_in.get(key)
            if not shown:
                continue                       # not shown in the report: not in the book
            if id_col is not None and id_col in table.columns:
                raise DataError(f"The report table {key!r} holds the respondent id column "
                                f"{id_col!r}; a table book never contains respondent ids.")
            frame, formats, notes = _frame(r, key, table)
            title = "; ".join(dict.fromkeys(c for c, _ in shown))
            if key == "vergelijking":          # the tests the section's text reports
                title = f"Toetsen van de verschillen met {html.unescape(r.compare_label)}, bij {title}"
            sources = list(dict.fromkeys(s for _, s in shown if s))   # a table's note
            source = " ".join(s for s in sources                       # repeats its figure's
                              if not any(s != t and s in t for t in sources))
            sheets.append(Sheet(_sheet_name(shown, key, taken), title, source, frame,
                                {k: v for k, v in formats.items() if v}, notes))
    return sheets


def _plain(markdown: str) -> str:
    """Report Markdown as plain text (no ``**``, backticks, escapes or entities)."""
    text = re.sub(r"\\([\\`*_\[\]#|~])", r"\1", markdown.replace("**", "").replace("`", ""))
    return html.unescape(text)


def _about(r, sheets, sections) -> list:
    """The rows (label, text) of the first sheet: what the book is, method and sources."""
    from .. import __version__
    from . import texts
    panel = r.codebook.panel
    naar = [r.roles.background[v] for v in r.roles.weighting]   # as the source lines say
    rows = [("Panel", panel.name), ("Bron", panel.source), ("Golf", r.golf),
            ("Gemeentelijke indeling", r.indeling), ("Gemeente", f"{r.naam} ({r.gemeente})"),
            ("Vergelijking", html.unescape(r.compare_label)),
            ("Weging", texts.weging_kort(r.method, naar))]
    if r.weging_methode.get("bevolking"):
        rows.append(("Bevolkingscijfers", r.weging_methode["bevolking"]))
    rows += [
        ("Onthullingsregels", f"Uitkomsten op basis van minder dan {r.rules.min_n} respondenten "
         f"zijn niet getoond (lege cel; kolom '{_NOT_SHOWN}' = ja); uitkomsten op basis van "
         f"{r.rules.min_n} tot {r.rules.warn_n} respondenten zijn indicatief (kolom "
         f"'{_INDICATIVE}' = ja). Geen gegevens van individuele respondenten."),
        ("Schattingen", "Gewogen schattingen met 95%-betrouwbaarheidsintervallen en "
         "standaardfouten volgens het steekproefontwerp (Taylor-linearisatie); scores op een "
         "schaal van 0 tot 10, aandelen als fractie (weergegeven als percentage)."),
        ("Getallen", "De cellen bevatten de onafgeronde getallen; de weergave rondt af zoals "
         "het rapport (scores en rapportcijfers op één decimaal, aandelen op hele procenten)."),
        ("Gemaakt met", f"socvit {__version__}"),
    ]
    verantwoording = [s for s in sections if any("Verantwoording" in p for k, p in s.parts if k == "kop")]
    for sec in verantwoording:
        for kind, part in sec.parts:
            if kind == "md":
                rows.append(("Verantwoording", _plain(part)))
    rows.append(("", ""))
    rows.append(("Inhoud", ""))
    rows += [(s.name, s.title) for s in sheets]
    return rows


# --------------------------------------------------------------------------- writing
def _style():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    return {"bold": Font(bold=True), "title": Font(bold=True, size=12),
            "small": Font(italic=True, size=9, color="555555"),
            "head_fill": PatternFill("solid", fgColor="E8E8E8"),
            "head_border": Border(bottom=Side(style="thin", color="444444")),
            "wrap": Alignment(wrap_text=True, vertical="top")}


def _cell_value(v):
    if _na(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    return v


def _write_table(ws, top: int, cols: list, rows, formats: dict, style) -> int:
    """Header ``cols`` at row ``top`` (bold, frozen), ``rows`` (tuples) below; returns the
    next free row. Plain lists: the runner writes the run's workbook without pandas."""
    from openpyxl.utils import get_column_letter
    widths = []
    i = -1
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row=top, column=j, value=str(col))
        c.font, c.fill, c.border, c.alignment = (style["bold"], style["head_fill"],
                                                 style["head_border"], style["wrap"])
        widths.append(min(max(len(str(col)) // 2 + 2, 10), 24))
    for i, row in enumerate(rows):
        for j, (col, v) in enumerate(zip(cols, row), start=1):
            value = _cell_value(v)
            cell = ws.cell(row=top + 1 + i, column=j, value=value)
            kind = formats.get(col)
            if isinstance(kind, list):
                kind = kind[i]
            if value is not None and kind and not isinstance(value, str):
                cell.number_format = EXCEL_FORMATS.get(kind, "General")
            if value is not None:
                shown = len(str(value)) if isinstance(value, str) else 8
                widths[j - 1] = max(widths[j - 1], min(shown + 2, 60))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    return top + 2 + i


def _save(wb, path):
    """Save ``wb`` to ``path`` atomically (never a half-written workbook)."""
    from pathlib import Path
    return atomic_write(Path(path), lambda tmp: wb.save(tmp))


def tabellenboek(r, path=None, sections=None):
    """Write the table book of a report: an Excel workbook (``.xlsx``) with a sheet on
    method and sources and one sheet per table and per figure's data.

    Parameters
    ----------
    r : Rapport
        The prepared report (:func:`socvit.report.prepare`) whose sections were made.
    path : str or Path, optional
        Where to write; ``None`` writes nothing (the report notebook's default; ``socvit
        reports --format xlsx`` passes a path).
    sections : list of Section, optional
        Default: the sections made for ``r``, in report order.

    Returns
    -------
    None
        The file is written atomically (a reader never sees half a workbook); nothing is
        returned, so the report notebook's cell shows nothing.

    Notes
    -----
    Each sheet: the caption(s) of the figure or table it belongs to, the source line, a
    frozen header row with Dutch column names, the rows, notes. Estimates keep full
    precision; number formats show them as the report does. Suppressed estimates are empty
    cells with a note (columns *Niet getoond*, *Indicatief*, *Opmerking*), following the
    disclosure rules of :mod:`socvit.disclosure`.

    Examples
    --------
    >>> # In R: openxlsx::write.xlsx(list(Kerncijfers = tabel), "GM1979-eemsdelta.xlsx")
    >>> r = sv.report.prepare("Eemsdelta", golf=2023)
    >>> kern = sv.report.kerncijfers(r)
    >>> path = getfixture("tmp_path") / "eemsdelta.xlsx"
    >>> sv.report.tabellenboek(r, path)
    >>> import openpyxl
    >>> openpyxl.load_workbook(path).sheetnames[:2]
    ['Toelichting', 'Tabel 1 Kerncijfers']
    """
    if path is None:
        return None
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from ..errors import DataError
    if sections is None:
        sections = list(r.counters.get("secties", {}).values())
    if not sections:
        raise DataError(f"No report sections were made for {r.naam} yet: call the section "
                        "functions (sv.report.kerncijfers(r), ...) before the table book.")
    sheets = book_sheets(r, sections)
    style = _style()
    wb = Workbook()
    ws = wb.active
    ws.title = "Toelichting"
    ws.cell(row=1, column=1, value=f"Tabellenboek sociale vitaliteit in {r.naam}, "
            f"golf {r.golf}").font = style["title"]
    for i, (label, text) in enumerate(_about(r, sheets, sections), start=3):
        ws.cell(row=i, column=1, value=label).font = style["bold"]
        ws.cell(row=i, column=2, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 110
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        ws.cell(row=1, column=1, value=sheet.title).font = style["title"]
        ws.cell(row=2, column=1, value=sheet.source).font = style["small"]
        end = _write_table(ws, 4, list(sheet.frame.columns),
                           sheet.frame.itertuples(index=False, name=None), sheet.formats, style)
        for k, note in enumerate(sheet.notes, start=end + 1):
            ws.cell(row=k, column=1, value=note).font = style["small"]
    _save(wb, path)


def kerncijfers_boek(reports, path, golf=None, indeling=None, meta=None):
    """Write one workbook with the headline figures of every gemeente of a run.

    Parameters
    ----------
    reports : iterable of dict
        Headline dicts (:func:`socvit.report.headline`: keys :data:`HEADLINE_KEYS`), one
        per gemeente; None values (suppressed, not in the codebook) stay empty cells.
    path : str or Path
        The ``.xlsx`` to write (atomically).
    golf, indeling : int, optional
        For the title.
    meta : dict, optional
        Label -> text rows for the explanation below the table (data hash, version).

    Returns
    -------
    Path

    Examples
    --------
    >>> # In R: openxlsx::write.xlsx(kerncijfers, "kerncijfers-2023.xlsx")
    >>> rows = [{"gemeente": "GM1979", "naam": "Eemsdelta", "golf": 2023, "n": 359,
    ...          "pct_actief": 0.306, "rapportcijfer": 6.78}]
    >>> path = sv.report.kerncijfers_boek(rows, getfixture("tmp_path") / "k.xlsx", golf=2023)
    >>> import openpyxl
    >>> ws = openpyxl.load_workbook(path)["Kerncijfers"]
    >>> [c.value for c in ws[4]][:5], ws["E5"].number_format
    (['Gemeente', 'CBS-code', 'Golf', 'Respondenten', 'Actief voor dorp of wijk'], '0%')
    """
    from openpyxl import Workbook

    style = _style()
    keys = list(HEADLINE_LABELS)
    rows = sorted((dict(h) for h in reports if h), key=lambda h: str(h.get("naam", "")).casefold())
    wb = Workbook()
    ws = wb.active
    ws.title = "Kerncijfers"
    head = "Kerncijfers sociale vitaliteit per gemeente" + (f", golf {golf}" if golf else "")
    if indeling not in (None, golf):
        head += f", gemeentelijke indeling {indeling}"
    ws.cell(row=1, column=1, value=head).font = style["title"]
    ws.cell(row=2, column=1, value="Scores op een schaal van 0 tot 10; een lege cel: te weinig "
            "respondenten of niet in de vragenlijst.").font = style["small"]
    formats = {HEADLINE_LABELS[k][0]: HEADLINE_LABELS[k][1] for k in keys}
    end = _write_table(ws, 4, [HEADLINE_LABELS[k][0] for k in keys],
                       [[h.get(k) for k in keys] for h in rows], formats, style)
    for i, (label, text) in enumerate((meta or {}).items(), start=end + 1):
        ws.cell(row=i, column=1, value=f"{label}: {text}").font = style["small"]
    return _save(wb, path)
