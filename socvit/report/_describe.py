"""What a report figure shows, in words and as a table: its text alternative and data table.

A figure is an image; a reader who cannot see it (a screen reader, a reader who cannot tell
its colours apart) needs the same information another way (WCAG 2.1 success criteria 1.1.1
"non-text content" and 1.4.1 "use of color" [1]_). Every report figure therefore gets

* an ``alt`` text that says what kind of figure it is and gives its key numbers, in the
  report's Dutch number format, built from the tidy table the figure is drawn from (never
  from the drawing), and
* the whole table behind it as a lean HTML table (:func:`_tabel`: cells already in Dutch
  format, styled by the report's stylesheet), which the report puts in a ``<details>`` element under the caption.

Each function takes the figure's tidy table (as :mod:`socvit.estimates` /
:mod:`socvit.regression` make it, with the disclosure flags) and returns
``{"alt": str, "table": str}``, to be passed on as ``Section.figure(..., **result)``.
Suppressed values are written as "niet getoond", indicative ones get "(indicatief)" in the
alt text and "*" in the table, as everywhere in the report.

References
----------
.. [1] W3C (2018). *Web Content Accessibility Guidelines (WCAG) 2.1*, success criteria
   1.1.1 and 1.4.1; technique G95 (short text alternatives that give a brief description)
   and H73/G73 (a long description next to the figure).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"label": ["Betrokkenheid", "Betrokkenheid"],
...                   "group": ["Eemsdelta", "Rest van de provincie"],
...                   "estimate": [7.53, 7.46], "ci_lower": [7.30, 7.38], "ci_upper": [7.75, 7.55],
...                   "n": [355, 2921], "suppressed": [False, False], "indicative": [False, False]})
>>> groups(t)["alt"]
'Stippen met 95%-betrouwbaarheidsintervallen, scores 0-10, voor Eemsdelta en Rest van de provincie. Betrokkenheid: 7,5 en 7,5.'
"""

from __future__ import annotations

import pandas as pd

from .. import fmt
from . import texts

__all__ = ["groups", "kernen", "likert", "odds_ratios", "trend", "per_gemeente", "figure_html"]

_SLOT = "niet getoond"


def _tabel(frame: pd.DataFrame, headers: dict, align_left=()) -> str:
    """A table of text cells (already formatted) without inline styles: column headers
    with ``scope="col"``, the first column as row headers; text columns (``align_left``)
    get class ``tekst``, the others are numbers (right-aligned by the stylesheet)."""
    import html
    cols = list(frame.columns)
    cls = {c: ' class="tekst"' if c in align_left else "" for c in cols}
    out = ['<table class="cijfertabel"><thead><tr>']
    out += [f'<th scope="col"{cls[c]}>{html.escape(str(headers.get(c, c)))}</th>' for c in cols]
    out.append("</tr></thead><tbody>")
    for row in frame.itertuples(index=False, name=None):
        cells = [f'<th scope="row"{cls[cols[0]]}>{html.escape(str(row[0]))}</th>']
        cells += [f"<td{cls[c]}>{html.escape(str(v))}</td>" for c, v in zip(cols[1:], row[1:])]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _value(row, kind="score", key="estimate", star="") -> str:
    if row is None or bool(row.get("suppressed", False)) or fmt.is_na(row.get(key)):
        return _SLOT
    text = texts.waarde(row.get(key), kind)
    if bool(row.get("indicative", False)):
        text += star or " (indicatief)"
    return text


def _interval(row, kind="score") -> str:
    if row is None or bool(row.get("suppressed", False)) or fmt.is_na(row.get("ci_lower")):
        return "–"
    if kind == "pct":
        return fmt.interval(row["ci_lower"], row["ci_upper"], 0, percent=True)
    return fmt.interval(row["ci_lower"], row["ci_upper"], 1)


def _units(kind: str) -> str:
    return {"pct": "percentages", "or": "odds ratio's"}.get(kind, "scores 0-10")


def groups(table: pd.DataFrame, label: str = "label", group: str = "group",
           kind: str = "score", what: str = "Stippen") -> dict:
    """Per ``label`` the estimate of every ``group`` (dot plot, profile)."""
    names = list(pd.unique(table[group]))
    labels = list(pd.unique(table[label]))
    cell = {(r[label], r[group]): r for r in table.to_dict("records")}
    zinnen = [f"{lab}: " + " en ".join(_value(cell.get((lab, g)), kind) for g in names) + "."
              for lab in labels]
    alt = (f"{what} met 95%-betrouwbaarheidsintervallen, {_units(kind)}, voor "
           f"{texts.opsomming(str(g) for g in names)}. " + " ".join(zinnen))
    rows = []
    for lab in labels:
        row = {"onderdeel": lab}
        for i, g in enumerate(names):
            r = cell.get((lab, g))
            row[f"v{i}"] = _value(r, kind, star="*")
            row[f"i{i}"] = _interval(r, kind)
            row[f"n{i}"] = "–" if r is None or fmt.is_na(r.get("n")) else fmt.aantal(r["n"])
        rows.append(row)
    headers = {"onderdeel": "Onderdeel"}
    for i, g in enumerate(names):
        headers.update({f"v{i}": str(g), f"i{i}": f"{g}: 95%-interval", f"n{i}": f"{g}: n"})
    return {"alt": alt, "table": str(_tabel(pd.DataFrame(rows), headers=headers,
                                                 align_left=["onderdeel"]))}


def kernen(table: pd.DataFrame, xlabel: str, ylabel: str, kern: str = "kern") -> dict:
    """The kernen on two scores (quadrant plot): ``x``, ``y``, ``n`` per ``kern``."""
    shown = table[~table["suppressed"].astype(bool)].sort_values("y", ascending=False)
    rows = shown.to_dict("records")
    alt = (f"Spreidingsdiagram van {len(rows)} dorpen en wijken, scores 0-10: horizontaal "
           f"{xlabel.lower()}, verticaal {ylabel.lower()}. "
           + " ".join(f"{r[kern]}: {_value(r, key='y')} en {_value(r, key='x')}." for r in rows))
    hidden = int(table["suppressed"].astype(bool).sum())
    if hidden and "secondary" in table and table["secondary"].astype(bool).any():
        alt += (f" {hidden} niet getoond: te weinig respondenten, of weggelaten zodat de "
                "kleinste niet uit de totalen van de gemeente zijn terug te rekenen.")
    elif hidden:
        alt += f" {hidden} met te weinig respondenten niet getoond."
    frame = pd.DataFrame({"kern": [str(r[kern]) for r in rows],
                          "n": [fmt.aantal(r["n"]) for r in rows],
                          "y": [_value(r, key="y", star="*") for r in rows],
                          "x": [_value(r, key="x", star="*") for r in rows]})
    return {"alt": alt, "table": str(_tabel(frame, headers={
        "kern": "Dorp of wijk", "n": "Respondenten", "y": ylabel, "x": xlabel},
        align_left=["kern"]))}


def likert(dist: pd.DataFrame, agree: pd.DataFrame, labels: dict, categories: list) -> dict:
    """Answers per item (diverging bars): ``dist`` (item, category, estimate) and the share
    agreeing ``agree`` (item, estimate) of the items in ``labels`` (item -> statement)."""
    items = [i for i in labels if i in set(dist["item"])]
    eens = {r["item"]: r for r in agree.to_dict("records")}
    shown = sorted((i for i in items if _value(eens.get(i), "pct") != _SLOT),
                   key=lambda i: -float(eens[i]["estimate"]))
    def said(some):
        return "; ".join(f"‘{labels[i]}’ {_value(eens[i], 'pct')}" for i in some)
    alt = (f"Gestapelde staven: per uitspraak ({len(items)}) de verdeling van de antwoorden "
           f"over {texts.telwoord(len(categories))} antwoordmogelijkheden, van "
           f"‘{categories[0]}’ tot ‘{categories[-1]}’. Aandeel (helemaal) eens: ")
    if len(shown) > 6:      # the extremes; every item is in the table
        alt += f"het hoogst {said(shown[:3])}; het laagst {said(shown[-3:])}."
    else:
        alt += said(shown) + "."
    cell = {(r["item"], r["category"]): r for r in dist.to_dict("records")}
    rows = []
    for i in items:
        row = {"item": labels[i]}
        for j, c in enumerate(categories):
            row[f"c{j}"] = _value(cell.get((i, c)), "pct", star="*")
        row["eens"] = _value(eens.get(i), "pct", star="*")
        n = eens.get(i, {}).get("n")
        row["n"] = "–" if n is None or fmt.is_na(n) else fmt.aantal(n)
        rows.append(row)
    headers = {"item": "Uitspraak", **{f"c{j}": str(c) for j, c in enumerate(categories)},
               "eens": "(helemaal) eens", "n": "Respondenten"}
    return {"alt": alt, "table": str(_tabel(pd.DataFrame(rows), headers=headers,
                                                 align_left=["item"]))}


def odds_ratios(model: pd.DataFrame, labels: dict) -> dict:
    """A logit model's odds ratios with their intervals (coefficient plot)."""
    rows = [r for r in model.to_dict("records") if r["term"] in labels
            and not fmt.is_na(r.get("odds_ratio"))]

    def ci(r):
        return fmt.interval(r["or_ci_lower"], r["or_ci_upper"], 2)
    alt = ("Odds ratio's met 95%-betrouwbaarheidsintervallen; boven 1 betekent vaker actief. "
           + " ".join(f"{labels[r['term']]}: {fmt.getal(r['odds_ratio'], 2)} ({ci(r)})."
                      for r in rows))
    frame = pd.DataFrame({"term": [labels[r["term"]] for r in rows],
                          "or": [fmt.getal(r["odds_ratio"], 2) for r in rows],
                          "ci": [ci(r) for r in rows],
                          "p": [fmt.getal(r["p"], 3) for r in rows]})
    return {"alt": alt, "table": str(_tabel(frame, headers={
        "term": "Kenmerk", "or": "Odds ratio", "ci": "95%-interval", "p": "p"},
        align_left=["term"]))}


def trend(table: pd.DataFrame, x: str = "golf", group: str = "group", kind: str = "pct") -> dict:
    """Estimates per wave, one line per group."""
    names = list(pd.unique(table[group]))
    waves = sorted(pd.unique(table[x].dropna()))
    cell = {(r[x], r[group]): r for r in table.to_dict("records")}
    zinnen = [f"{g}: " + ", ".join(f"{int(w)} {_value(cell.get((w, g)), kind)}" for w in waves) + "."
              for g in names]
    alt = (f"Lijnen met 95%-betrouwbaarheidsintervallen per golf, {_units(kind)}. "
           + " ".join(zinnen))
    rows = []
    for w in waves:
        row = {"golf": str(int(w))}
        for i, g in enumerate(names):
            r = cell.get((w, g))
            row[f"v{i}"] = _value(r, kind, star="*")
            row[f"i{i}"] = _interval(r, kind)
        rows.append(row)
    headers = {"golf": "Golf"}
    for i, g in enumerate(names):
        headers.update({f"v{i}": str(g), f"i{i}": f"{g}: 95%-interval"})
    return {"alt": alt, "table": str(_tabel(pd.DataFrame(rows), headers=headers,
                                                 align_left=["golf"]))}


def figure_html(fig, alt: str, caption: str, source: str, table: str | None = None) -> str:
    """A report figure as HTML: ``<figure>`` with the image (SVG, text kept as text; ``alt``
    its text alternative), the caption and source as ``<figcaption>``, and the table of its
    numbers in a ``<details>`` element (closed; left out of print).

    >>> import matplotlib.figure
    >>> page = figure_html(matplotlib.figure.Figure(figsize=(1, 1)), "Leeg", "Figuur 3. Niets",
    ...                    "Bron: voorbeeld", "<table></table>")
    >>> page.startswith('<figure class="figuur" id="figuur-3">'), "<summary>Cijfers bij figuur 3" in page
    (True, True)
    """
    import html
    import re

    from ._figures import img_html
    number = re.match(r"Figuur (\d+)\.", caption)
    ident = f' id="figuur-{number.group(1)}"' if number else ""
    wat = f"figuur {number.group(1)}" if number else "deze figuur"
    parts = [f'<figure class="figuur"{ident}>', img_html(fig, alt),
             f'<figcaption><em>{html.escape(caption)}</em>'
             + (f'<br><small class="bron">{html.escape(source)}</small>' if source else "")
             + "</figcaption>"]
    if table:
        parts.append(f'<details class="cijfers"><summary>Cijfers bij {wat} (tabel)</summary>'
                     f"{table}</details>")
    parts.append("</figure>")
    return "".join(parts)


def per_gemeente(table: pd.DataFrame, kind: str = "pct", name: str = "naam") -> dict:
    """The table of a map: per gemeente (``naam``) the estimate, its interval and n, in the
    table's order; ``alt`` is left to the caller (the map's own sentence)."""
    rows = table.to_dict("records")
    frame = pd.DataFrame({"naam": [str(r[name]) for r in rows],
                          "v": [_value(r, kind, star="*") for r in rows],
                          "i": [_interval(r, kind) for r in rows],
                          "n": ["–" if fmt.is_na(r.get("n")) else fmt.aantal(r["n"]) for r in rows]})
    wat = {"pct": "Aandeel", "cijfer": "Rapportcijfer"}.get(kind, "Score (0-10)")
    return {"table": str(_tabel(frame, headers={"naam": "Gemeente", "v": wat,
                                                   "i": "95%-interval", "n": "Respondenten"},
                                   align_left=["naam"]))}
