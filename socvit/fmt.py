"""Dutch number formatting for reports: decimal comma, thousands point, "72%".

Everything a report reader sees passes through these functions, so a number is written the
same way in a sentence, a table and on an axis:

>>> from socvit import fmt
>>> fmt.getal(7.56), fmt.procent(0.7234), fmt.aantal(3412), fmt.interval(7.41, 7.83)
('7,6', '72%', '3.412', '7,4 tot 7,8')
>>> fmt.getal(None), fmt.getal(float("nan"), na=fmt.NIET_GETOOND)
('–', 'niet getoond')

Missing values (None, NaN, pd.NA) become ``NA_TEKEN`` ("–") or any text passed as ``na``.
``tabel`` renders a tidy DataFrame as a clean HTML table (Dutch headers, no index column,
escaped cell text) for the report; ``comma_formatter`` and ``percent_formatter`` give
matplotlib tick formatters with a decimal comma.
"""

from __future__ import annotations

import html
import math
import numbers
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NA_TEKEN", "NIET_GETOOND", "is_na", "getal", "aantal", "procent", "interval",
    "comma_formatter", "percent_formatter", "Html", "tabel",
]

#: shown for a missing value
NA_TEKEN = "–"
#: shown for a value withheld by the disclosure rules
NIET_GETOOND = "niet getoond"


def is_na(x) -> bool:
    """True for None, NaN, NaT and pd.NA (scalars only).

    pandas is not imported for this (the report runner formats its index without it): when
    pandas is not loaded, no value can be one of its missing values."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    pd = sys.modules.get("pandas")
    if pd is None:
        return isinstance(x, numbers.Real) and math.isnan(x)
    if x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _to_float(x) -> float:
    if isinstance(x, (str, bytes, bool)):
        raise TypeError(f"Expected a number, got {x!r} of type {type(x).__name__}.")
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"Expected a number, got {x!r} of type {type(x).__name__}.") from None


def getal(x, decimals: int = 1, na: str = NA_TEKEN, sign: bool = False) -> str:
    """A number with a decimal comma and a thousands point: ``getal(3412.25) == "3.412,3"``.

    Parameters
    ----------
    x : number or NA
    decimals : int
        Digits after the comma (rounded half to even as Python's ``format`` does).
    na : str
        Text for a missing value.
    sign : bool
        Write a plus sign before positive numbers (for differences: "+0,4").

    Examples
    --------
    >>> # In R: format(round(3412.25, 1), big.mark = ".", decimal.mark = ",", nsmall = 1)
    >>> getal(3412.26)
    '3.412,3'
    """
    if is_na(x):
        return na
    value = _to_float(x)
    if math.isinf(value):
        return na
    text = f"{value:,.{int(decimals)}f}"
    if text.lstrip("-").strip("0.,") == "":          # "-0.0" -> "0,0"
        text = text.lstrip("-")
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if sign and value > 0 and text.strip("0,.") != "":
        text = "+" + text
    return text


def aantal(n, na: str = NA_TEKEN) -> str:
    """A count with a thousands point: ``aantal(3412) == "3.412"``."""
    return getal(n, decimals=0, na=na)


def procent(p, decimals: int = 0, na: str = NA_TEKEN, sign: bool = False) -> str:
    """A proportion (0-1) as a Dutch percentage without a space: ``procent(0.7234) == "72%"``.

    ``sign=True`` writes differences in percentage points with a sign ("+3%").
    """
    if is_na(p) or math.isinf(_to_float(p)):
        return na
    return getal(_to_float(p) * 100, decimals=decimals, na=na, sign=sign) + "%"


def interval(lo, hi, decimals: int | None = None, percent: bool = False,
             na: str = NA_TEKEN) -> str:
    """A confidence interval in words: ``"7,4 tot 7,8"`` or ``"68% tot 76%"``.

    "tot" rather than a dash keeps negative bounds readable ("-0,3 tot 0,2").
    ``decimals`` defaults to 1 for numbers and 0 for percentages.
    """
    if is_na(lo) or is_na(hi):
        return na
    if decimals is None:
        decimals = 0 if percent else 1
    f = (lambda v: procent(v, decimals, na=na)) if percent else (lambda v: getal(v, decimals, na=na))
    a, b = f(lo), f(hi)
    return na if na in (a, b) else f"{a} tot {b}"


def comma_formatter(decimals: int | None = None):
    """A matplotlib tick formatter writing a decimal comma (``decimals=None``: as few
    decimals as the ticks need)."""
    from matplotlib.ticker import FuncFormatter

    def _fmt(v, pos=None):
        if decimals is not None:
            return getal(v, decimals)
        for d in range(0, 4):
            if abs(v - round(v, d)) < 1e-9:
                return getal(v, d)
        return getal(v, 3)

    return FuncFormatter(_fmt)


def percent_formatter(decimals: int | None = None):
    """A matplotlib tick formatter for proportions (0-1) written as Dutch percentages
    (``decimals=None``: as few decimals as the ticks need, "27,5%")."""
    from matplotlib.ticker import FuncFormatter

    def _fmt(v, pos=None):
        if decimals is not None:
            return procent(v, decimals)
        for d in range(0, 3):
            if abs(v * 100 - round(v * 100, d)) < 1e-7:
                return procent(v, d)
        return procent(v, 2)

    return FuncFormatter(_fmt)


class Html(str):
    """A string of HTML that Jupyter displays as HTML (and nothing else)."""

    def _repr_html_(self):
        return str(self)

    def _repr_markdown_(self):      # pragma: no cover - markdown frontends
        return str(self)

    def __repr__(self):
        return "Html(...)"


def tabel(frame: pd.DataFrame, formats: dict | None = None, headers: dict | None = None,
          caption: str | None = None, note: str | None = None, align_left=None,
          css_class: str = "socvit-tabel") -> Html:
    """Render a tidy DataFrame as a clean HTML table for the report.

    Parameters
    ----------
    frame : DataFrame
        Rows to show; the index is not shown.
    formats : dict
        Column -> callable turning a value into text (e.g. ``fmt.procent``). Columns without
        a format are shown as text (numbers with :func:`getal`).
    headers : dict
        Column -> Dutch header. Columns not in ``headers`` keep their name.
    caption, note : str
        A caption above ("Tabel 1. ...") and a note below (source, suppression), both plain
        text (escaped).
    align_left : list
        Columns aligned left (default: columns of text).

    All cell text is HTML-escaped, so a kern named ``<script>`` is shown, not run.
    """
    import pandas as pd

    formats = formats or {}
    headers = headers or {}
    cols = list(frame.columns)
    if align_left is None:
        align_left = [c for c in cols if c not in formats
                      and not pd.api.types.is_numeric_dtype(frame[c])]
    out = [f'<table class="{html.escape(css_class)}" style="border-collapse:collapse;'
           f'margin:0.5em 0 1em 0;font-size:0.95em">']
    if caption:
        out.append(f'<caption style="caption-side:top;text-align:left;font-weight:bold;'
                   f'padding-bottom:0.3em">{html.escape(caption)}</caption>')
    out.append("<thead><tr>")
    for c in cols:
        side = "left" if c in align_left else "right"
        out.append(f'<th style="text-align:{side};border-bottom:1px solid #444;padding:3px 10px">'
                   f"{html.escape(str(headers.get(c, c)))}</th>")
    out.append("</tr></thead><tbody>")
    for row in frame.itertuples(index=False, name=None):
        out.append("<tr>")
        for c, v in zip(cols, row):
            if c in formats:
                text = formats[c](v)
            elif is_na(v):
                text = NA_TEKEN
            elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                text = getal(v, 0 if float(v).is_integer() else 1)
            else:
                text = str(v)
            side = "left" if c in align_left else "right"
            out.append(f'<td style="text-align:{side};padding:3px 10px;border-bottom:1px solid #ddd">'
                       f"{html.escape(str(text))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if note:
        out.append(f'<p style="font-size:0.85em;color:#555;margin-top:-0.6em">{html.escape(note)}</p>')
    return Html("".join(out))
