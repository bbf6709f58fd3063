"""Figures in one house style for reports and researchers' notebooks.

Every function takes a tidy table made by :mod:`socvit.estimates` (or
:mod:`socvit.regression`) and *only draws* it: estimates, intervals and disclosure flags come
from the table, never from the plotting library (seaborn's bootstrapped error bars are
unweighted and slow). Columns used:

``estimate, ci_lower, ci_upper, n, suppressed`` and optionally ``indicative``.

Rows with ``suppressed`` true are not drawn. Rows flagged ``indicative`` (fewer than
``warn_n`` respondents) get an open marker and a note under the figure. Labels are Dutch and
ticks have a decimal comma.

Every function takes ``ax=None``, as seaborn's axes-level functions do, and returns what it
drew on:

* ``ax`` given: it draws on that Axes (of your own figure, pyplot's or not) and returns it;
  the figure's size and layout stay yours, notes go under the Axes' x label;
* ``ax=None`` (what the report uses): it makes a :class:`matplotlib.figure.Figure` sized for
  the table (constrained layout, notes inside the figure) and returns the Figure. That
  Figure is not registered with pyplot: nothing global is opened or closed; display it,
  save it or let it go.

Examples
--------
>>> sv.plots.set_theme()
>>> t = sv.estimates.proportion(panel.data, "actief", [1], by="golf")
>>> fig = sv.plots.trend(t, group=None, percent=True)
>>> type(fig).__name__
'Figure'
>>> import matplotlib.pyplot as plt
>>> own, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
>>> sv.plots.trend(t, group=None, percent=True, ax=right) is right
True
>>> plt.close(own)
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import fmt
from .errors import DataError

__all__ = [
    "set_theme", "PALETTE", "LIKERT_COLOURS", "likert_bars", "dot_compare", "quadrant",
    "profile", "trend", "retention", "coef_plot", "gemeente_map", "MAP_COLOURS",
    "INDICATIVE_NOTE",
]

#: Okabe-Ito colours (colour-blind safe): gemeente, comparison area, further groups
PALETTE = ["#0072B2", "#999999", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
           "#F0E442", "#000000"]
#: ColorBrewer BrBG (colour-blind safe, diverging) for five Likert categories, grey middle
LIKERT_COLOURS = ["#a6611a", "#dfc27d", "#d9d9d9", "#80cdc1", "#018571"]
INDICATIVE_NOTE = "Open symbool: indicatieve uitkomst (weinig respondenten)."
#: marker and line style per group (gemeente, comparison area, further groups), so that
#: groups differ in shape as well as in colour (WCAG 2.1, 1.4.1 "use of color")
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "p", "h"]
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)), (0, (3, 1, 1, 1)), "-", "--"]


def set_theme(font_scale: float = 1.0) -> None:
    """Set the house style once (seaborn whitegrid, Okabe-Ito palette, readable sizes).

    Text is DejaVu Sans (shipped with matplotlib, so every machine measures it alike); the
    report's SVG figures name fallback fonts after it for a reader without DejaVu Sans
    (:data:`socvit.report._figures.FONT_FAMILY`)."""
    import seaborn as sns
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=font_scale, rc={
        "figure.dpi": 100, "savefig.dpi": 100, "savefig.bbox": "standard",
        "axes.titlesize": 12, "axes.titleweight": "bold", "axes.titlelocation": "left",
        "axes.labelsize": 10.5, "xtick.labelsize": 9.5, "ytick.labelsize": 9.5,
        "legend.fontsize": 9.5, "legend.frameon": False, "grid.color": "#e6e6e6",
        "axes.edgecolor": "#bbbbbb", "font.family": "DejaVu Sans",
    })
    _register_notebook_display()


def _register_notebook_display() -> None:
    """In a Jupyter kernel, show a returned Figure as a PNG (the figures here are not
    pyplot-managed, so pyplot's inline backend would otherwise show only their repr).
    The report embeds its figures itself (:mod:`socvit.report._figures`)."""
    try:
        from IPython import get_ipython
    except ImportError:          # pragma: no cover - IPython is a dependency of ipykernel
        return
    ip = get_ipython()
    if ip is None:
        return
    ip.display_formatter.formatters["image/png"].for_type(Figure, _png)


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes at its own size and resolution."""
    from io import BytesIO
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


# --------------------------------------------------------------------------- helpers
def _text(s) -> str:
    """Label text safe for matplotlib (a '$' would start mathtext)."""
    return str(s).replace("$", r"\$")


def _wrap(s, width=38) -> str:
    return "\n".join(textwrap.wrap(_text(s), width)) or _text(s)


def _check(table: pd.DataFrame, columns, func: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"plots.{func} takes a DataFrame (a table from socvit.estimates), "
                        f"got {type(table).__name__}.")
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise DataError(f"plots.{func}: the table lacks column(s) {', '.join(map(repr, missing))}; "
                        f"it has {', '.join(map(str, table.columns))}. Pass the table made by "
                        f"socvit.estimates or name the columns with the keyword arguments.")


def _flag(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table.columns:
        return pd.Series(False, index=table.index)
    return table[column].astype("boolean").fillna(False).astype(bool)


def _shown(table: pd.DataFrame, value: str = "estimate") -> pd.DataFrame:
    """Rows that may be drawn: not suppressed and with an estimate."""
    keep = ~_flag(table, "suppressed") & table[value].notna()
    return table.loc[keep]


def _f(table, col) -> np.ndarray:
    return pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _errors(table, value="estimate", lo="ci_lower", hi="ci_upper") -> np.ndarray | None:
    if lo not in table.columns or hi not in table.columns:
        return None
    est = _f(table, value)
    return np.vstack([np.clip(est - _f(table, lo), 0, None), np.clip(_f(table, hi) - est, 0, None)])


def _canvas(ax, width, height):
    """The Axes to draw on and what the plot function returns: ``ax`` itself when given,
    otherwise a new Axes on a new constrained-layout Figure of ``width`` x ``height`` inches
    (not registered with pyplot) and that Figure."""
    if ax is not None:
        return ax, ax
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig.add_subplot(), fig


def _own_figure(ax, result) -> bool:
    """Whether the plot made the figure of ``ax`` itself (``ax=None``)."""
    return result is not ax


def _value_axis(axis, percent: bool, decimals=None):
    if percent:
        from matplotlib.ticker import MaxNLocator
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(fmt.percent_formatter() if percent else fmt.comma_formatter(decimals))


def _note(ax, result, notes) -> None:
    """Notes under the plot. On a figure the plot made itself: inside the figure, which
    grows by the height of the (wrapped) note while constrained layout keeps the axes above
    it. On a given Axes: under its x label, wrapped to the Axes' width (the figure is the
    caller's)."""
    notes = [n for n in notes if n]
    if not notes:
        return
    fig = ax.get_figure(root=True)
    if not _own_figure(ax, result):
        width = ax.get_position().width * fig.get_size_inches()[0]
        lines = textwrap.wrap(_text("  ".join(notes)), width=max(20, int(width * 16)))
        ax.annotate("\n".join(lines), xy=(0, 0), xycoords=("axes fraction", ax.xaxis.label),
                    xytext=(0, -4), textcoords="offset points", fontsize=8.5,
                    color="#555555", ha="left", va="top")
        return
    width, height = fig.get_size_inches()
    lines = textwrap.wrap(_text("  ".join(notes)), width=max(20, int(width * 16)))
    extra = 0.08 + len(lines) * 8.5 * 1.3 / 72          # inches
    total = height + extra
    fig.set_size_inches(width, total)
    fig.get_layout_engine().set(rect=(0, extra / total, 1, 1 - extra / total))
    fig.text(0.06 / width, (extra - 0.02) / total, "\n".join(lines), fontsize=8.5,
             color="#555555", ha="left", va="top", transform=fig.transFigure)


def _points(ax, xs, ys, colour, indicative, xerr=None, yerr=None, size=7, zorder=3, marker="o"):
    """Estimates of one colour with their intervals in at most three artists; open
    markers where ``indicative``."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if not len(xs):
        return
    ind = np.asarray(indicative, dtype=bool)
    ax.errorbar(xs, ys, xerr=xerr, yerr=yerr, fmt="none", ecolor=colour, elinewidth=1.6,
                capsize=0, zorder=zorder - 1)
    for mask, face in ((~ind, colour), (ind, "white")):
        if mask.any():
            ax.plot(xs[mask], ys[mask], marker=marker, markersize=size, linestyle="none",
                    color=colour, markerfacecolor=face, markeredgewidth=1.6, zorder=zorder)


def _groups(table, group):
    if group is None:
        return [(None, table)]
    order = list(pd.unique(table[group].dropna()))
    return [(g, table[table[group] == g]) for g in order]


def _n_label(name, part) -> str:
    if "n" not in part.columns or part["n"].isna().all():
        return _text(name)
    return f"{_text(name)} (n = {fmt.aantal(pd.to_numeric(part['n'], errors='coerce').max())})"


# --------------------------------------------------------------------------- figures
def likert_bars(dist: pd.DataFrame, item: str = "item", category: str = "category",
                value: str = "estimate", labels: dict | None = None, categories=None,
                agree=None, disagree=None, title: str | None = None,
                agree_label: str = "(helemaal) mee eens", width: float = 8.5, ax=None) -> Figure | Axes:
    r"""Diverging stacked bars of a Likert distribution, the agreeing share written out.

    Parameters
    ----------
    dist : DataFrame
        One row per item and category with the (weighted) share in ``value`` (0-1), as
        ``socvit.estimates.distribution`` returns it; items whose rows are suppressed are left
        out.
    item, category, value : str
        Column names.
    labels : dict
        Item -> Dutch label (e.g. from the codebook); default the item name.
    categories : list
        The categories from most negative to most positive (default: the order of the
        ``category`` column, Categorical order, or sorted codes).
    agree, disagree : list
        Categories counted as agreeing / disagreeing (default: the top two / bottom two);
        the middle category is split over both sides of zero.

    Returns
    -------
    Figure
        One bar segment per shown item and category; the agreeing share printed at the
        right end of each bar, n in the item label.

    Notes
    -----
    Each bar starts at :math:`-(\sum_{c \in disagree} p_c + p_{neutral}/2)`, so the neutral
    category straddles zero and bars can be compared on both sides [1]_. Colours: ColorBrewer
    BrBG, safe for colour-blind readers [2]_.

    References
    ----------
    .. [1] Heiberger, R. M. & Robbins, N. B. (2014). Design of diverging stacked bar charts
       for Likert scales and other applications. *J. Stat. Softw.* 57(5).
    .. [2] Harrower, M. & Brewer, C. A. (2003). ColorBrewer.org. *Cartogr. J.* 40(1), 27-37.

    Examples
    --------
    >>> # In R: plot(likert::likert(items), centered = TRUE)
    >>> dist = sv.estimates.distribution(df, "bet_1")
    >>> fig = sv.plots.likert_bars(dist.assign(item="bet_1"), labels={"bet_1": "Ik voel me thuis"})
    >>> [t.get_text() for t in fig.axes[0].texts]         # agreeing share, written out
    ['73%']
    """
    _check(dist, [item, category, value], "likert_bars")
    labels = labels or {}
    shown = dist.loc[~_flag(dist, "suppressed")]
    if categories is None:
        col = dist[category]
        categories = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                      else sorted(pd.unique(col.dropna()), key=lambda v: (str(type(v)), v)))
    categories = list(categories)
    k = len(categories)
    if k < 2:
        raise DataError("plots.likert_bars: the distribution has fewer than two categories.")
    low = k // 2
    disagree = list(disagree) if disagree is not None else categories[:low]
    agree = list(agree) if agree is not None else categories[k - low:]
    neutral = [c for c in categories if c not in agree and c not in disagree]
    colours = (LIKERT_COLOURS if k == 5 else
               [LIKERT_COLOURS[round(i * 4 / (k - 1))] for i in range(k)])
    wide = (shown.pivot_table(index=item, columns=category, values=value, aggfunc="first",
                              observed=True, sort=False)
            .reindex(columns=categories).fillna(0.0))
    order = [i for i in pd.unique(dist[item]) if i in wide.index]
    wide = wide.loc[order]
    if not order:
        raise DataError("plots.likert_bars: every item is suppressed; there is nothing to draw. "
                        "Say so in text instead of drawing an empty figure.")
    ax, result = _canvas(ax, width, 0.55 * len(order) + 1.4)
    y = np.arange(len(order))[::-1]
    half_neutral = wide[neutral].sum(axis=1).to_numpy() / 2
    left = -(wide[disagree].sum(axis=1).to_numpy() + half_neutral)
    for c, colour in zip(categories, colours):
        w = wide[c].to_numpy()
        _bars(ax, y, w, left, colour, label=_text(c))
        left = left + w
    agree_share = wide[agree].sum(axis=1).to_numpy()
    right_end = left
    for yy, share, end in zip(y, agree_share, right_end):
        ax.text(end + 0.015, yy, fmt.procent(share), va="center", ha="left", fontsize=9.5,
                fontweight="bold", color=LIKERT_COLOURS[-1])
    n_by_item = (shown.groupby(item, sort=False, observed=True)["n"].max()
                 if "n" in shown.columns else pd.Series(dtype=float))
    ticklabels = []
    for i in order:
        lab = _wrap(labels.get(i, i), 46)
        if i in n_by_item.index and pd.notna(n_by_item[i]):
            lab += f" (n = {fmt.aantal(n_by_item[i])})"
        ticklabels.append(lab)
    ax.set_yticks(y, ticklabels)
    ax.axvline(0, color="#444444", linewidth=0.8)
    lim = max(1.0, float(np.nanmax(np.abs(np.r_[left, right_end - agree_share]))) + 0.12)
    ax.set_xlim(-min(lim, 1.0), min(lim, 1.0) + 0.12)
    ax.xaxis.set_major_formatter(_abs_percent())
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"aandeel van de respondenten; rechts in vet: {agree_label}")
    if title:
        ax.set_title(_text(title))
    # on its own figure centred on the figure, just above the Axes: the five categories are
    # wider than the Axes beside long item labels, and centred on the Axes they ran off the
    # right edge; on a given Axes centred on that Axes (the figure may hold others)
    from matplotlib.transforms import blended_transform_factory
    across = ax.get_figure(root=False).transSubfigure if _own_figure(ax, result) else ax.transAxes
    ax.legend(ncols=min(k, 5), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              bbox_transform=blended_transform_factory(across, ax.transAxes),
              fontsize=8.5, handlelength=1.2, columnspacing=1.0)
    return result


def _bars(ax, y, width, left, colour, label, height=0.7):
    """Horizontal bars of one colour as one PolyCollection: what ``barh`` draws, without a
    Rectangle artist per bar (each costs more to make than to draw)."""
    from matplotlib.collections import PolyCollection
    x0, x1 = left, left + width
    y0, y1 = y - height / 2, y + height / 2
    verts = np.stack([np.c_[x0, y0], np.c_[x0, y1], np.c_[x1, y1], np.c_[x1, y0]], axis=1)
    ax.add_collection(PolyCollection(verts, facecolors=colour, edgecolors="white",
                                     linewidths=0.5, label=label))


def _abs_percent():
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda v, pos=None: fmt.procent(abs(v)))


def dot_compare(table: pd.DataFrame, label: str = "label", group: str = "group",
                value: str = "estimate", percent: bool = False, xlabel: str | None = None,
                title: str | None = None, xlim=None, width: float = 8.0, ax=None) -> Figure | Axes:
    """Dot plot with intervals: per indicator (``label``) one dot per ``group`` (e.g. the
    gemeente and the province), open dots for indicative values.

    The intervals are the table's ``ci_lower``/``ci_upper`` (design-based, from
    :mod:`socvit.estimates`); n per group is in the legend (one group: per row). Dot plots
    read more accurately than bars for comparing values [1]_.

    References
    ----------
    .. [1] Cleveland, W. S. & McGill, R. (1984). Graphical perception. *J. Am. Stat. Assoc.*
       79(387), 531-554.

    Examples
    --------
    >>> # In R: ggplot(t, aes(estimate, label, colour = group)) +
    >>> #         geom_pointrange(aes(xmin = ci_lower, xmax = ci_upper))
    >>> t = sv.estimates.mean(df, "betrokkenheid", by="opleiding")
    >>> fig = sv.plots.dot_compare(t.assign(group="2023"), label="opleiding",
    ...                            xlabel="betrokkenheid (1-5)")
    >>> len(fig.axes[0].get_yticklabels())                # one row per opleiding
    3
    """
    _check(table, [label, group, value], "dot_compare")
    shown = _shown(table, value)
    labels = list(pd.unique(table[label]))
    groups = list(pd.unique(table[group]))
    ax, result = _canvas(ax, width, 0.5 * len(labels) * max(1, len(groups)) ** 0.5 + 1.2)
    y_of = {lab: i for i, lab in enumerate(labels[::-1])}
    step = 0.32 if len(groups) > 1 else 0.0
    offsets = {g: step * ((len(groups) - 1) / 2 - j) for j, g in enumerate(groups)}
    any_ind = False
    handles = []
    for j, g in enumerate(groups):
        part = shown[shown[group] == g]
        colour = PALETTE[j % len(PALETTE)]
        err = _errors(part, value)
        ind = _flag(part, "indicative").to_numpy()
        any_ind |= bool(ind.any())
        _points(ax, _f(part, value), [y_of[v] + offsets[g] for v in part[label]], colour, ind,
                xerr=err, marker=MARKERS[j % len(MARKERS)])
        handles.append(Line2D([], [], marker=MARKERS[j % len(MARKERS)], color=colour,
                              linestyle="none",
                              label=_n_label(g, table[table[group] == g])))
    ticklabels = [_wrap(lab, 34) for lab in y_of]
    if len(groups) == 1 and "n" in table.columns:      # one group: n per row, no legend
        n_of = dict(zip(table[label], table["n"]))
        ticklabels = [t + ("" if fmt.is_na(n_of.get(lab)) else f" (n = {fmt.aantal(n_of[lab])})")
                      for t, lab in zip(ticklabels, y_of)]
    ax.set_yticks(list(y_of.values()), ticklabels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    _value_axis(ax.xaxis, percent)
    if xlim is not None:
        ax.set_xlim(*xlim)
    if xlabel:
        ax.set_xlabel(_text(xlabel))
    if title:
        ax.set_title(_text(title))
    ax.grid(axis="y", visible=False)
    if len(groups) > 1:
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(groups))
    _note(ax, result, [INDICATIVE_NOTE if any_ind else ""])
    return result


def quadrant(table: pd.DataFrame, x: str = "x", y: str = "y", label: str = "kern",
             x_ref: float | None = None, y_ref: float | None = None,
             xlabel: str = "Bereidheid en capaciteit", ylabel: str = "Betrokkenheid en overtuigingen",
             title: str | None = None, lims=None, width: float = 7.0, ax=None) -> Figure | Axes:
    """Kernen placed on two scores (e.g. betrokkenheid/overtuigingen against
    bereidheid/capaciteit), lines at the reference values (the gemeente or province mean)
    dividing the plane in four. Suppressed kernen are not drawn or named.

    ``table`` has one row per kern with the two scores in ``x`` and ``y``, ``n`` and
    ``suppressed``/``indicative`` flags. Dot size grows with the square root of n.

    Examples
    --------
    >>> # In R: ggplot(k, aes(x, y, label = kern)) + geom_point() + geom_text() +
    >>> #         geom_vline(xintercept = x_ref) + geom_hline(yintercept = y_ref)
    >>> kernen = (sv.estimates.mean(df, "bereidheid", by="kern")
    ...           .rename(columns={"estimate": "x"})
    ...           .assign(y=sv.estimates.mean(df, "betrokkenheid", by="kern")["estimate"]))
    >>> fig = sv.plots.quadrant(kernen, x_ref=df["bereidheid"].mean(),
    ...                         y_ref=df["betrokkenheid"].mean())
    """
    _check(table, [x, y, label], "quadrant")
    shown = table.loc[~_flag(table, "suppressed") & table[x].notna() & table[y].notna()]
    ax, result = _canvas(ax, width, width * 0.8)
    xs, ys = _f(shown, x), _f(shown, y)
    ind = _flag(shown, "indicative").to_numpy()
    ns = _f(shown, "n") if "n" in shown.columns else np.full(len(shown), np.nan)
    size = 30 + 170 * np.sqrt(np.nan_to_num(ns, nan=30) / max(np.nanmax(ns) if len(ns) and not np.isnan(ns).all() else 30, 1))
    ax.scatter(xs[~ind], ys[~ind], s=size[~ind], color=PALETTE[0], alpha=0.85, zorder=3,
               edgecolor="white")
    ax.scatter(xs[ind], ys[ind], s=size[ind], facecolor="white", edgecolor=PALETTE[0],
               linewidth=1.5, zorder=3)
    if lims is not None:
        ax.set_xlim(*lims)
        ax.set_ylim(*lims)
    elif len(xs):
        pad = 0.15 * max(np.ptp(np.r_[xs, ys]), 0.5)
        lo, hi = np.nanmin(np.r_[xs, ys]) - pad, np.nanmax(np.r_[xs, ys]) + pad
        ax.set_xlim(lo, hi + pad)
        ax.set_ylim(lo, hi)
    for ref, line in ((x_ref, ax.axvline), (y_ref, ax.axhline)):
        if ref is not None and not fmt.is_na(ref):
            line(ref, color="#666666", linestyle="--", linewidth=0.9, zorder=1)
    _label_points(ax, xs, ys, [_text(name) + ("" if np.isnan(nn) else f" ({fmt.aantal(nn)})")
                               for name, nn in zip(shown[label], ns)])
    _value_axis(ax.xaxis, False)
    _value_axis(ax.yaxis, False)
    ax.set_xlabel(_text(xlabel))
    ax.set_ylabel(_text(ylabel))
    if title:
        ax.set_title(_text(title))
    notes = ["Tussen haakjes: aantal respondenten. Stippellijnen: gemiddelde van de gemeente."
             if x_ref is not None else "Tussen haakjes: aantal respondenten."]
    if ind.any():
        notes.append(INDICATIVE_NOTE)
    _note(ax, result, notes)
    return result


def _label_points(ax, xs, ys, labels, fontsize=8.5):
    """Name points, moving a label to another side of its point when it would overlap a
    label placed before (a greedy, approximate placement in display pixels)."""
    to_px = ax.transData.transform
    placed = []
    pt = ax.figure.dpi / 72.0
    w_char, h = fontsize * 0.62 * pt, fontsize * 1.45 * pt
    candidates = [(6, 3, "left", "bottom"), (6, -3, "left", "top"), (-6, 3, "right", "bottom"),
                  (-6, -3, "right", "top"), (6, 12, "left", "bottom"), (6, -12, "left", "top")]
    order = np.argsort(-np.asarray(ys, dtype=float))
    r = 4 * pt
    for x_, y_ in zip(xs, ys):                     # keep labels off the dots as well
        px, py = to_px((x_, y_))
        placed.append((px - r, py - r, px + r, py + r))
    for i in order:
        px, py = to_px((xs[i], ys[i]))
        width = w_char * len(labels[i])
        choice = candidates[0]
        for cand in candidates:
            dx, dy, ha, va = cand
            x0 = px + dx * pt - (width if ha == "right" else 0)
            y0 = py + dy * pt - (h if va == "top" else 0)
            box = (x0, y0, x0 + width, y0 + h)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in placed):
                choice = cand
                break
        dx, dy, ha, va = choice
        x0 = px + dx * pt - (w_char * len(labels[i]) if ha == "right" else 0)
        y0 = py + dy * pt - (h if va == "top" else 0)
        placed.append((x0, y0, x0 + w_char * len(labels[i]), y0 + h))
        ax.annotate(labels[i], (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=fontsize, color="#333333")


def profile(table: pd.DataFrame, label: str = "label", group: str = "group",
            value: str = "estimate", percent: bool = False, ylabel: str | None = None,
            title: str | None = None, ylim=None, width: float = 8.0, ax=None) -> Figure | Axes:
    """A profile (e.g. the five ACTIE scales [1]_ or the three themes): the scales along
    the x axis, one line of dots with intervals per ``group``.

    References
    ----------
    .. [1] Denters, B., Tonkens, E., Verhoeven, I. & Bakker, J. (2013). *Burgers als
       landschappers*. Amsterdam: Platform31 (the ACTIE checklist).

    Examples
    --------
    >>> # In R: ggplot(t, aes(label, estimate, colour = group, group = group)) +
    >>> #         geom_line() + geom_pointrange(aes(ymin = ci_lower, ymax = ci_upper))
    >>> actie = pd.concat([sv.estimates.mean(df, s, by="geslacht").assign(label=s)
    ...                    for s in ("animo", "contacten", "toerusting", "inbedding", "empathie")])
    >>> fig = sv.plots.profile(actie, group="geslacht", ylabel="score (1-5)")
    """
    _check(table, [label, group, value], "profile")
    shown = _shown(table, value)
    labels = list(pd.unique(table[label]))
    groups = list(pd.unique(table[group]))
    ax, result = _canvas(ax, width, 4.2)
    x_of = {lab: i for i, lab in enumerate(labels)}
    step = 0.12 if len(groups) > 1 else 0.0
    any_ind = False
    handles = []
    for j, g in enumerate(groups):
        part = shown[shown[group] == g]
        colour = PALETTE[j % len(PALETTE)]
        xs = np.array([x_of[v] for v in part[label]], dtype=float) + step * (j - (len(groups) - 1) / 2)
        ys = _f(part, value)
        ax.plot(xs, ys, color=colour, linewidth=1.2, alpha=0.6, zorder=2,
                linestyle=LINESTYLES[j % len(LINESTYLES)])
        err = _errors(part, value)
        ind = _flag(part, "indicative").to_numpy()
        any_ind |= bool(ind.any())
        _points(ax, xs, ys, colour, ind, yerr=err, marker=MARKERS[j % len(MARKERS)])
        handles.append(Line2D([], [], marker=MARKERS[j % len(MARKERS)], color=colour,
                              linestyle=LINESTYLES[j % len(LINESTYLES)],
                              label=_n_label(g, table[table[group] == g])))
    ax.set_xticks(list(x_of.values()), [_wrap(lab, 14) for lab in x_of])
    ax.set_xlim(-0.5, len(labels) - 0.5)
    _value_axis(ax.yaxis, percent)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if ylabel:
        ax.set_ylabel(_text(ylabel))
    if title:
        ax.set_title(_text(title))
    ax.grid(axis="x", visible=False)
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(groups))
    _note(ax, result, [INDICATIVE_NOTE if any_ind else ""])
    return result


def trend(table: pd.DataFrame, x: str = "golf", group: str | None = "group",
          value: str = "estimate", percent: bool = False, ylabel: str | None = None,
          title: str | None = None, ylim=None, width: float = 7.5, ax=None) -> Figure | Axes:
    """Lines across waves with intervals, one line per ``group`` (or one line when
    ``group`` is None). Suppressed waves leave a gap; the number of respondents is written
    under each wave.

    Examples
    --------
    >>> # In R: ggplot(t, aes(golf, estimate, colour = group)) + geom_line() +
    >>> #         geom_pointrange(aes(ymin = ci_lower, ymax = ci_upper))
    >>> t = sv.estimates.proportion(panel.data, "actief", [1], by="golf")
    >>> fig = sv.plots.trend(t, group=None, percent=True)
    >>> [label.get_text().splitlines()[0] for label in fig.axes[0].get_xticklabels()]
    ['2017', '2019', '2021', '2023']
    """
    _check(table, [x, value, group], "trend")
    shown = _shown(table, value)
    waves = sorted(pd.unique(table[x].dropna()))
    ax, result = _canvas(ax, width, 4.0)
    any_ind = False
    handles = []
    parts = _groups(table, group)
    n_of = {}
    gap = min(np.diff(waves)) if len(waves) > 1 else 1.0
    for j, (g, part) in enumerate(parts):
        colour = PALETTE[j % len(PALETTE)]
        dodge = 0.06 * gap * (j - (len(parts) - 1) / 2)
        full = part.set_index(x).reindex(waves)
        ys = _f(full.assign(**{value: full[value].where(~_flag(full, "suppressed"))}), value)
        ax.plot(np.asarray(waves, dtype=float) + dodge, ys, color=colour, linewidth=1.6, zorder=2,
                linestyle=LINESTYLES[j % len(LINESTYLES)])
        vis = shown if g is None else shown[shown[group] == g]
        err = _errors(vis, value)
        ind = _flag(vis, "indicative").to_numpy()
        any_ind |= bool(ind.any())
        _points(ax, _f(vis, x) + dodge, _f(vis, value), colour, ind, yerr=err,
                marker=MARKERS[j % len(MARKERS)])
        for r in range(len(vis)):
            if "n" in vis.columns and pd.notna(vis["n"].iloc[r]) and j == 0:
                n_of[float(vis[x].iloc[r])] = fmt.aantal(vis["n"].iloc[r])
        if g is not None:
            handles.append(Line2D([], [], marker=MARKERS[j % len(MARKERS)], color=colour,
                                  linestyle=LINESTYLES[j % len(LINESTYLES)], label=_text(g)))
    ax.set_xticks(waves, [str(int(w)) + (f"\nn = {n_of[float(w)]}" if float(w) in n_of else "")
                          for w in waves])
    ax.set_xlim(min(waves) - 0.6, max(waves) + 1.2) if waves else None
    _value_axis(ax.yaxis, percent)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("golf (peilingsjaar)")
    if ylabel:
        ax.set_ylabel(_text(ylabel))
    if title:
        ax.set_title(_text(title))
    ax.grid(axis="x", visible=False)
    if handles:
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(handles))
    first = parts[0][0] if parts and parts[0][0] is not None else None
    _note(ax, result, [f"n onder de jaartallen: respondenten van {_text(first)}." if (n_of and first) else "",
                INDICATIVE_NOTE if any_ind else ""])
    return result


def retention(table: pd.DataFrame, group: str | None = None, value: str = "retention",
              percent: bool = True, ylabel: str | None = None, title: str | None = None,
              width: float = 7.5, ax=None) -> Figure | Axes:
    """Retention per wave pair with its interval (a table of :func:`socvit.panel.retention`),
    one series per ``group`` (or one when ``group`` is None). Suppressed rows are not drawn;
    the number of members of the first wave is written under each pair.

    Examples
    --------
    >>> # In R: ggplot(t, aes(paste(wave_a, wave_b, sep = "-"), retention)) +
    >>> #         geom_pointrange(aes(ymin = ci_lower, ymax = ci_upper))
    >>> t = sv.panel.retention(panel)
    >>> fig = sv.plots.retention(t)
    >>> [label.get_text().splitlines()[0] for label in fig.axes[0].get_xticklabels()]
    ['2017-2019', '2019-2021', '2021-2023']
    """
    _check(table, ["wave_a", "wave_b", value, group], "retention")
    pairs = list(dict.fromkeys(zip(table["wave_a"], table["wave_b"])))
    xpos = {p: float(k) for k, p in enumerate(pairs)}
    ax, result = _canvas(ax, width, 4.0)
    parts = _groups(table, group)
    shown = _shown(table, value)
    handles, n_of, any_ind = [], {}, False
    for j, (g, part) in enumerate(parts):
        colour = PALETTE[j % len(PALETTE)]
        dodge = 0.12 * (j - (len(parts) - 1) / 2) if len(parts) > 1 else 0.0
        vis = shown if g is None else shown[shown[group] == g]
        xs = np.array([xpos[p] for p in zip(vis["wave_a"], vis["wave_b"])]) + dodge
        ind = _flag(vis, "indicative").to_numpy()
        any_ind |= bool(ind.any())
        _points(ax, xs, _f(vis, value), colour, ind, yerr=_errors(vis, value),
                marker=MARKERS[j % len(MARKERS)])
        if g is None and "n_a" in vis.columns:
            for p, n in zip(zip(vis["wave_a"], vis["wave_b"]), vis["n_a"]):
                if pd.notna(n):
                    n_of[p] = fmt.aantal(n)
        if g is not None:
            handles.append(Line2D([], [], marker=MARKERS[j % len(MARKERS)], color=colour,
                                  linestyle="none", label=_text(g)))
    ax.set_xticks([xpos[p] for p in pairs],
                  [f"{p[0]}-{p[1]}" + (f"\nn = {n_of[p]}" if p in n_of else "") for p in pairs])
    ax.set_xlim(-0.6, len(pairs) - 0.4)
    _value_axis(ax.yaxis, percent)
    ax.set_xlabel("golven (van - naar)")
    ax.set_ylabel(_text(ylabel or "ook in de volgende golf"))
    if title:
        ax.set_title(_text(title))
    ax.grid(axis="x", visible=False)
    if handles:
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncols=min(len(handles), 4))
    _note(ax, result, ["n onder de golven: deelnemers van de eerste golf." if n_of else "",
                       INDICATIVE_NOTE if any_ind else ""])
    return result


def coef_plot(model_table: pd.DataFrame, term: str = "term", labels: dict | None = None,
              drop=("Intercept",), title: str | None = None, width: float = 7.5, ax=None) -> Figure | Axes:
    """Odds ratios with their intervals on a log axis, a line at 1 (no association).

    ``model_table`` is ``ModelResult.table`` of a logit or ordinal model: ``odds_ratio``
    with ``or_ci_lower``/``or_ci_upper`` when present, otherwise the interval of ``estimate``
    (``ci_lower``/``ci_upper``, log odds) is exponentiated. Terms whose interval excludes 1
    are coloured, the others grey.

    Examples
    --------
    >>> # In R: modelsummary::modelplot(svyglm(actief ~ ..., design, family = quasibinomial()),
    >>> #                               exponentiate = TRUE)
    >>> res = sv.regression.fit("actief ~ bereidheid + capaciteit", df, kind="logit")
    >>> fig = sv.plots.coef_plot(res.table, labels={"bereidheid": "Bereidheid (per punt)"})
    """
    _check(model_table, [term], "coef_plot")
    labels = labels or {}
    tab = model_table.loc[~model_table[term].isin(drop)].copy()
    if "odds_ratio" in tab.columns:
        est = _f(tab, "odds_ratio")
    else:
        _check(tab, ["estimate"], "coef_plot")
        est = np.exp(_f(tab, "estimate"))
    if {"or_ci_lower", "or_ci_upper"} <= set(tab.columns):
        lo, hi = _f(tab, "or_ci_lower"), _f(tab, "or_ci_upper")
    else:
        _check(tab, ["ci_lower", "ci_upper"], "coef_plot")
        lo, hi = np.exp(_f(tab, "ci_lower")), np.exp(_f(tab, "ci_upper"))
    names = [labels.get(t, t) for t in tab[term]]
    ax, result = _canvas(ax, width, 0.45 * len(names) + 1.3)
    y = np.arange(len(names))[::-1]
    coloured = (lo > 1) | (hi < 1)
    for mask, colour in ((coloured, PALETTE[0]), (~coloured, PALETTE[1])):
        _points(ax, est[mask], y[mask], colour, np.zeros(int(mask.sum()), bool),
                xerr=np.vstack([est[mask] - lo[mask], hi[mask] - est[mask]]))
    for yy, e in zip(y, est):
        ax.annotate(fmt.getal(e, 2), (e, yy), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=8, color="#333333")
    ax.axvline(1, color="#444444", linewidth=0.9, linestyle="--")
    ax.set_xscale("log")
    finite = np.r_[lo, hi][np.isfinite(np.r_[lo, hi])]
    if finite.size:
        ax.set_xlim(min(finite.min(), 1) / 1.25, max(finite.max(), 1) * 1.25)
    from matplotlib.ticker import FixedLocator, NullLocator
    lo_lim, hi_lim = ax.get_xlim()
    ticks = [t for t in (0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10, 20)
             if lo_lim <= t <= hi_lim]
    if len(ticks) > 7:
        ticks = [t for t in ticks if t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20)]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(fmt.comma_formatter())
    ax.xaxis.set_minor_locator(NullLocator())     # unlabelled, unticked: ~20 Ticks for nothing
    ax.set_yticks(y, [_wrap(n, 40) for n in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("odds ratio (logaritmische schaal); rechts van 1: vaker actief")
    if title:
        ax.set_title(_text(title))
    _note(ax, result, ["Gekleurd: het 95%-betrouwbaarheidsinterval bevat 1 niet (aantoonbaar verband); "
                "grijs: geen aantoonbaar verband."])
    return result


# --------------------------------------------------------------------------- map
#: ColorBrewer Blues (sequential, colour-blind and greyscale safe) for the map's classes;
#: the lightest is left out so that no class looks like "no data"
MAP_COLOURS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
_MAP_CONTEXT = "#f1f1f1"          # gemeenten outside the province
_MAP_NODATA = "#d4d4d4"           # gemeenten of the province without respondents
_MAP_HATCH = "////"


def _shape_path(year: int, code: str):
    """The matplotlib Path of one gemeente (all its rings), made once per session."""
    key = (year, code)
    path = _PATHS.get(key)
    if path is None:
        from matplotlib.path import Path as MPath
        from . import geo
        shape = geo.boundaries(year, codes=[code])[code]
        verts, codes = [], []
        for poly in shape.polygons:
            for ring in poly:
                verts.append(ring)
                c = np.full(len(ring), MPath.LINETO, dtype=MPath.code_type)
                c[0], c[-1] = MPath.MOVETO, MPath.CLOSEPOLY
                codes.append(c)
        path = _PATHS[key] = MPath(np.vstack(verts), np.concatenate(codes))
    return path


_PATHS: dict = {}
_NEAR: dict = {}          # (file year, province) -> codes of the gemeenten around it


def _map_classes(values: np.ndarray, k: int):
    """Equal-interval class edges on round numbers (step 1, 2, 2.5 or 5 x 10^e) covering
    ``values``, at most ``k`` classes."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if hi - lo < 1e-12:
        return np.array([lo, hi])
    raw = (hi - lo) / k
    e = 10.0 ** np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * e
        start = np.floor(lo / step + 1e-9) * step
        if start + k * step >= hi - 1e-12:
            break
    n = max(1, int(np.ceil((hi - start) / step - 1e-9)))
    return start + step * np.arange(n + 1)


def gemeente_map(data: pd.DataFrame, value: str = "estimate", highlight: str | None = None,
                 code: str = "gemeente", year: int | None = None, province: str | None = None,
                 percent: bool = False, decimals: int = 1, label: str | None = None,
                 title: str | None = None, classes: int = 5, width: float = 7.0,
                 ax=None) -> Figure | Axes:
    r"""A province map: its gemeenten shaded by ``value`` in classes, one gemeente outlined.

    Draws the table it is handed (one row per gemeente, e.g. ``socvit.estimates`` with
    ``by=`` the gemeente column) on the boundaries of the indeling ``year``
    (:func:`socvit.geo.boundaries`, offline). Colour is never the only carrier of meaning:
    every shown gemeente has its value written on it, the legend names each class's range,
    gemeenten with ``suppressed`` rows are hatched (not coloured, no value), gemeenten
    without a row are grey, an ``indicative`` value gets a "*", and the ``highlight``
    gemeente is outlined thickly and named.

    Parameters
    ----------
    data : DataFrame
        Columns ``code`` (CBS codes of the indeling ``year``), ``value`` and optionally
        ``suppressed`` and ``indicative``.
    value, code : str
        Column names.
    highlight : str, optional
        CBS code of the gemeente to outline and name.
    year : int, optional
        The indeling (default: the latest one 2017-2025 that has every code of the table).
    province : str, optional
        The province to show (default: that of ``highlight``, else of the table's first
        gemeente); its gemeenten without a row are drawn as "geen gegevens".
    percent : bool
        Values are shares (0-1), written as percentages.
    decimals : int
        Decimals of written values that are not percentages.
    label : str, optional
        What the values are, as the legend's title (e.g. "aandeel actief").
    classes : int
        At most this many equal-interval classes on round edges.

    Returns
    -------
    Figure or Axes

    Notes
    -----
    Equal intervals on round numbers keep the legend readable [1]_; the colours are
    ColorBrewer's sequential Blues [2]_. The map is drawn in longitude and latitude with the
    aspect :math:`1/\cos\varphi` at the province's middle latitude :math:`\varphi` (an
    equirectangular projection, accurate to a few percent over a province).

    References
    ----------
    .. [1] Slocum, T. A., McMaster, R. B., Kessler, F. C. & Howard, H. H. (2009).
       *Thematic Cartography and Geovisualization* (3rd ed.), ch. 5. Pearson.
    .. [2] Harrower, M. & Brewer, C. A. (2003). ColorBrewer.org. *Cartogr. J.* 40(1), 27-37.

    Examples
    --------
    >>> # In R: ggplot(merge(sf::st_read("gemeente_2023.topojson"), t, by.x = "statcode",
    >>> #         by.y = "gemeente")) + geom_sf(aes(fill = estimate))
    >>> t = sv.estimates.proportion(df, "actief", [1], by="gemeente")    # golf 2023
    >>> fig = sv.plots.gemeente_map(t, highlight="GM1979", year=2023, percent=True,
    ...                             label="aandeel actief")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['Eemsdelta: 32%', '25% tot 30%']
    """
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Patch, PathPatch

    from . import geo, gemeenten
    _check(data, [code, value], "gemeente_map")
    codes = [str(c) for c in data[code].dropna()]
    if not codes:
        raise DataError("plots.gemeente_map: the table has no gemeenten; there is nothing to draw.")
    if year is None:
        year = next((y for y in reversed(geo.YEARS)
                     if all(gemeenten.exists_in(c, y) for c in codes)), None)
        if year is None:
            raise DataError(f"plots.gemeente_map: no indeling 2017-2025 holds every gemeente of "
                            f"the table ({', '.join(codes[:5])}...); map them to one indeling "
                            f"(sv.gemeenten.to_indeling) and pass its year.")
    fy = geo.file_year(year)
    geo.boundaries(year, codes=codes + ([highlight] if highlight else []))   # clear errors
    if province is None:
        province = gemeenten.province(highlight or codes[0])
    inside = geo.boundaries(year, province=province)

    table = data.assign(_code=data[code].astype(str)).drop_duplicates("_code").set_index("_code")
    sup = _flag(table, "suppressed")
    ind = _flag(table, "indicative")
    vals = pd.to_numeric(table[value], errors="coerce").where(~sup).to_dict()
    ind = ind.to_dict()
    shown = [c for c in inside if c in vals and pd.notna(vals[c])]
    hidden = [c for c in inside if c in vals and c not in shown]
    empty = [c for c in inside if c not in vals]
    edges = (_map_classes(np.array([vals[c] for c in shown], dtype=float), classes) if shown
             else np.array([]))
    nclass = max(len(edges) - 1, 1)
    palette = [MAP_COLOURS[round(i * (len(MAP_COLOURS) - 1) / max(nclass - 1, 1))]
               for i in range(nclass)] if nclass > 1 else [MAP_COLOURS[2]]

    def klass(v):
        return int(min(max(np.searchsorted(edges, v, side="right") - 1, 0), nclass - 1))

    # extent: the province with a margin; aspect from its middle latitude
    b = np.array([inside[c].bounds for c in inside])
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.04 * max(x1 - x0, y1 - y0)
    aspect = 1 / np.cos(np.radians((y0 + y1) / 2))
    ratio = (y1 - y0 + 2 * pad) * aspect / (x1 - x0 + 2 * pad)
    ax, result = _canvas(ax, width, min(max(width * 0.62 * ratio, 3.2), 9.0))
    near = _NEAR.get((fy, province))
    if near is None:                       # the gemeenten around the province, for context
        box_ = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        near = _NEAR[(fy, province)] = [c for c, s in geo.boundaries(year).items()
                                        if c not in inside and _overlaps(s.bounds, box_)]
    # one PathCollection per kind of fill (no Patch object per gemeente)
    ax.add_collection(PathCollection([_shape_path(fy, c) for c in near], facecolor=_MAP_CONTEXT,
                                     edgecolor="white", linewidth=0.6, zorder=1), autolim=False)
    if shown:
        ax.add_collection(PathCollection(
            [_shape_path(fy, c) for c in shown],
            facecolor=[palette[klass(vals[c])] for c in shown], edgecolor="white",
            linewidth=0.8, zorder=2), autolim=False)
    for group, face, hatch in ((hidden, "white", _MAP_HATCH), (empty, _MAP_NODATA, None)):
        if group:
            ax.add_collection(PathCollection(
                [_shape_path(fy, c) for c in group], facecolor=face,
                edgecolor="#777777" if hatch else "white", hatch=hatch, linewidth=0.6,
                zorder=2), autolim=False)
    # the highlighted value on a light box (a stroked halo would turn the text into paths)
    box = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.85)

    def written(c):
        v = float(vals[c])
        text = fmt.procent(v) if percent else fmt.getal(v, decimals)
        return text + ("*" if ind.get(c, False) else "")

    # values written where they fit: inside their gemeente's box and clear of the values
    # placed before (the highlighted one first, then the largest gemeenten); sizes in inches
    fig_w, fig_h = ax.get_figure(root=True).get_size_inches()
    if _own_figure(ax, result):
        axes_w, axes_h = fig_w * 0.62, fig_h * 0.95
    else:
        axes_w, axes_h = fig_w * ax.get_position().width, fig_h * ax.get_position().height
    per_deg = min(axes_w / (x1 - x0 + 2 * pad), axes_h / ((y1 - y0 + 2 * pad) * aspect))
    placed, left_out = [], 0
    order = sorted(shown, key=lambda c: (c != highlight, -inside[c].area))
    for c in order:
        x, y = inside[c].representative_point()
        w, h = len(written(c)) * 7.5 * 0.75 / 72 + 0.03, 7.5 * 1.2 / 72
        bx0, by0, bx1, by1 = inside[c].bounds
        cx, cy = x * per_deg, y * per_deg * aspect
        me = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        fits = (bx1 - bx0) * per_deg >= 0.8 * w and (by1 - by0) * per_deg * aspect >= h
        if c != highlight and (not fits or any(_overlaps(me, o) for o in placed)):
            left_out += 1
            continue
        placed.append(me)
        if c == highlight:
            continue                       # written below, in bold
        # white on the darkest blue (contrast 8.6:1), black on the others (at least 5:1)
        dark = palette[klass(vals[c])] == MAP_COLOURS[-1]
        ax.text(x, y, written(c), ha="center", va="center", fontsize=7.5,
                color="white" if dark else "black", zorder=5)
    handles = []
    if highlight:
        ax.add_patch(PathPatch(_shape_path(fy, highlight), facecolor="none", edgecolor="#000000",
                               linewidth=2.6, zorder=4))
        x, y = inside[highlight].representative_point() if highlight in inside else \
            geo.boundaries(year, codes=[highlight])[highlight].representative_point()
        naam = _text(gemeenten.name(highlight))
        if highlight in shown:
            ax.text(x, y, written(highlight), ha="center", va="center", fontsize=8.5,
                    fontweight="bold", color="#000000", bbox=box, zorder=6)
        # named in the legend beside its outline: a name on the map would hide a small gemeente
        naam += (f": {written(highlight)}" if highlight in shown else
                 ": niet getoond" if highlight in hidden else "")
        handles.append(Patch(facecolor="none", edgecolor="#000000", linewidth=2.6, label=naam))
    fmt_v = (lambda v: fmt.procent(v)) if percent else (lambda v: fmt.getal(v, decimals))
    for i in range(nclass if shown else 0):
        text = (fmt_v(edges[0]) if len(edges) == 2 and edges[0] == edges[1]
                else f"{fmt_v(edges[i])} tot {fmt_v(edges[i + 1])}")
        handles.append(Patch(facecolor=palette[i], edgecolor="white", label=text))
    if hidden:
        handles.append(Patch(facecolor="white", edgecolor="#777777", hatch=_MAP_HATCH,
                             label="te weinig respondenten\n(niet getoond)"))
    if empty:
        handles.append(Patch(facecolor=_MAP_NODATA, edgecolor="white", label="geen gegevens"))
    # beside the map on a figure of its own; inside the Axes on a given one (whose figure
    # may have no room beside it)
    if _own_figure(ax, result):
        where = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    else:                                  # the corner with the fewest of the province's points
        pts = np.array([s.representative_point() for s in inside.values()])
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        corners = {"upper left": (pts[:, 0] < mx) & (pts[:, 1] > my),
                   "upper right": (pts[:, 0] >= mx) & (pts[:, 1] > my),
                   "lower left": (pts[:, 0] < mx) & (pts[:, 1] <= my),
                   "lower right": (pts[:, 0] >= mx) & (pts[:, 1] <= my)}
        where = dict(loc=min(corners, key=lambda k: int(corners[k].sum())), framealpha=0.9,
                     frameon=True)
    ax.legend(handles=handles, title=_text(label) if label else None, handlelength=1.6,
              handleheight=1.2, alignment="left", **where)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    if title:
        ax.set_title(_text(title))
    _note(ax, result, ["* Indicatief: weinig respondenten." if any(ind.get(c, False) for c in shown) else "",
                       f"Niet op de kaart (te weinig ruimte): {left_out} "
                       f"{'getal' if left_out == 1 else 'getallen'}." if left_out else ""])
    return result


def _overlaps(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
