"""Scale scores: reverse keying, the mean of valid items with a minimum, 0-10 / 0-100 transforms.

The codebook says which items form a scale, which are reverse-worded and how many valid
answers a respondent needs (``min_valid``); :func:`score` applies it, :func:`score_all`
does every scale of the codebook (or of one group, e.g. ``"organisatiekracht"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _inputs
from .codebook import Codebook, Scale
from .errors import DataError

__all__ = ["score", "score_all", "reverse", "to_0_10", "to_0_100"]


def reverse(data, items, low: float, high: float) -> pd.DataFrame:
    """Reverse-key items: :math:`x' = (low + high) - x`.

    Returns a float64 copy of ``data[items]`` (NA stays NaN); other columns are not included.

    Examples
    --------
    >>> # In R: psych::reverse.code(-1, df$bet_3, mini = 1, maxi = 5)
    >>> df["bet_3"].head(3).tolist()
    [3, 1, 5]
    >>> sv.scales.reverse(df, ["bet_3"], 1, 5).head(3)
          bet_3
    9891    3.0
    9892    5.0
    9893    1.0
    """
    items = [items] if isinstance(items, str) else list(items)
    if not low < high:
        raise ValueError(f"reverse: low ({low}) must be below high ({high}).")
    x = _inputs.numeric_items(_inputs.frame(data), items)
    return (low + high) - x


def _item_bounds(codebook: Codebook | None, item: str, data_range) -> tuple[float, float]:
    """Lowest and highest valid code of an item: the codebook's values, else its range, else
    ``data_range`` (the lowest and highest answer over all items of the scale, as
    psych::scoreItems reverses without ``min``/``max``)."""
    if codebook is not None and item in codebook.variables:
        v = codebook.variables[item]
        if v.values:
            return float(min(v.values)), float(max(v.values))
        if v.range:
            return v.range
    if data_range is not None:
        return data_range
    raise DataError(f"Item {item!r} has no valid codes in the codebook and the scale's items "
                    f"have no answers, so it cannot be reverse-keyed.")


def _data_range(x: pd.DataFrame):
    """(lowest, highest) answer over all columns of ``x``, None when all are missing."""
    arr = x.to_numpy()
    if not np.isfinite(arr).any():
        return None
    return float(np.nanmin(arr)), float(np.nanmax(arr))


def score(data, scale, codebook: Codebook | None = None, min_valid: int | None = None,
          method: str = "mean", items=None, reverse=None) -> pd.Series:
    """Scale score per respondent: the mean (or sum) of the valid, reverse-keyed items.

    Parameters
    ----------
    data : Panel or DataFrame
        Item columns as numeric codes with NA for missing (as :func:`socvit.load_panel`
        gives them).
    scale : str or Scale
        A scale of the codebook (e.g. ``"betrokkenheid"``).
    codebook : Codebook, optional
        Defaults to the Panel's codebook. Needed for a DataFrame unless ``items`` is given.
    min_valid : int, optional
        Fewest valid items for a score; fewer gives NA. Default: the scale's ``min_valid``
        in the codebook, else all items.
    method : {"mean", "sum"}
        ``"sum"`` is the mean times the number of items (a prorated sum), so that
        respondents with a missing item stay comparable.
    items, reverse : list of str, optional
        Override the codebook's items / reverse-keyed items.

    Returns
    -------
    pd.Series
        float64, named after the scale, aligned to the data.

    Notes
    -----
    With item set :math:`I`, reverse-keyed :math:`R \\subseteq I` with codes from
    :math:`l_j` to :math:`h_j` (the item's codes in the codebook; without a codebook entry
    the lowest and highest answer over *all* items of the scale, as psych::scoreItems
    without ``min``/``max``: an item's own observed range would reverse it differently in
    a small group where nobody chose an extreme answer), and :math:`V_i` the items respondent :math:`i` answered
    validly,

    .. math::

        x'_{ij} = \\begin{cases} l_j + h_j - x_{ij} & j \\in R \\\\ x_{ij} & j \\notin R
        \\end{cases}, \\qquad
        s_i = \\frac{1}{|V_i|} \\sum_{j \\in V_i} x'_{ij} \\quad \\text{if } |V_i| \\ge
        \\text{min\\_valid}, \\text{ else NA}.

    This is the mean score of psych::scoreItems with ``impute = "none"`` [1]_, with the
    minimum-number-of-items rule common in panel reports [2]_.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research. R package, ``scoreItems``.
    .. [2] Newman, D. A. (2014). Missing data: five practical guidelines. Organizational
       Research Methods, 17(4), 372-411.

    Examples
    --------
    >>> # In R: psych::scoreItems(keys, items, impute = "none", min = 1, max = 5)$scores
    >>> bet = sv.scales.score(panel, "betrokkenheid")
    >>> round(float(bet.mean()), 3), int(bet.notna().sum())
    (3.991, 13086)
    """
    df, cb = _inputs.frame(data), _inputs.codebook(data, codebook)
    if isinstance(scale, Scale):
        sc = scale
    elif items is not None:
        sc = Scale(str(scale), str(scale), list(items))
    else:
        if cb is None:
            raise DataError(f"score({scale!r}): no codebook. Pass a Panel, a codebook= or "
                            f"items=[...].")
        sc = cb.scale(scale)
    items = list(items) if items is not None else list(sc.items)
    rev = list(reverse) if reverse is not None else [i for i in sc.reverse if i in items]
    bad_rev = [i for i in rev if i not in items]
    if bad_rev:
        raise DataError(f"Scale {sc.name!r}: reverse item(s) {', '.join(bad_rev)} are not "
                        f"among its items ({', '.join(items)}).")
    if method not in ("mean", "sum"):
        raise ValueError(f"score: method must be 'mean' or 'sum', not {method!r}.")
    need = min_valid if min_valid is not None else (sc.min_valid or len(items))
    if isinstance(need, bool) or not isinstance(need, (int, np.integer)) or not 1 <= need <= len(items):
        raise DataError(f"Scale {sc.name!r}: min_valid={need!r} must be a whole number from 1 "
                        f"to the number of items ({len(items)}).")
    x = _inputs.numeric_items(df, items)
    data_range = _data_range(x) if rev else None
    for item in rev:
        low, high = _item_bounds(cb, item, data_range)
        x[item] = (low + high) - x[item]
    n_valid = x.notna().sum(axis=1)
    out = x.mean(axis=1, skipna=True)
    if method == "sum":
        out = out * len(items)
    out[n_valid < need] = np.nan
    return out.astype("float64").rename(sc.name)


def score_all(data, group: str | None = None, codebook: Codebook | None = None,
              min_valid: int | None = None, method: str = "mean") -> pd.DataFrame:
    """Scores of every codebook scale (or those of one ``group``), one column each.

    Examples
    --------
    >>> scores = sv.scales.score_all(panel, group="organisatiekracht")
    >>> list(scores.columns)
    ['betrokkenheid', 'overtuigingen', 'bereidheid', 'capaciteit']
    """
    df, cb = _inputs.frame(data), _inputs.codebook(data, codebook)
    if cb is None:
        raise DataError("score_all needs a codebook: pass a Panel or codebook=.")
    names = cb.scales_in(group) if group is not None else list(cb.scales)
    if not names:
        groups = sorted({s.group for s in cb.scales.values() if s.group})
        raise DataError(f"No scales in group {group!r}; groups: {', '.join(groups) or 'none'}.")
    return pd.DataFrame({n: score(df, n, cb, min_valid=min_valid, method=method) for n in names},
                        index=df.index)


def _transform(x, low, high, top, name, codebook=None):
    if codebook is not None and low is None and high is None:
        if isinstance(x, pd.DataFrame):
            return pd.DataFrame({c: _transform(x[c], None, None, top, name, codebook)
                                 for c in x.columns}, index=x.index)
        scale = getattr(x, "name", None)
        if scale not in codebook.scales:
            raise DataError(f"{name}: {scale!r} is not a scale of the codebook, so its answer "
                            f"range is unknown; pass low= and high=.")
        low, high = codebook.scale_range(scale)
    low = 1 if low is None else low
    high = 5 if high is None else high
    if not low < high:
        raise ValueError(f"{name}: low ({low}) must be below high ({high}).")
    arr = x.astype("float64") if isinstance(x, (pd.Series, pd.DataFrame)) else np.asarray(x, dtype="float64")
    return (arr - low) / (high - low) * top


def to_0_10(x, low: float | None = None, high: float | None = None, codebook: Codebook | None = None):
    """Linear transform of a score on ``low..high`` to 0-10: :math:`10 (x - low)/(high - low)`.

    With ``codebook`` (and no ``low``/``high``) each scale is transformed from its own answer
    range (:meth:`Codebook.scale_range`): a Series named after a scale, or a DataFrame of
    scale scores as :func:`score_all` gives them (a 1-7 scale's midpoint 4 becomes 5.0).
    Without either, ``low`` and ``high`` default to 1 and 5.

    Examples
    --------
    >>> sv.scales.to_0_10(pd.Series([1, 3, 5]))
    0     0.0
    1     5.0
    2    10.0
    dtype: float64
    >>> scores = sv.scales.score_all(panel, group="organisatiekracht")
    >>> round(float(sv.scales.to_0_10(scores, codebook=panel.codebook)["betrokkenheid"].mean()), 3)
    7.478
    """
    return _transform(x, low, high, 10.0, "to_0_10", codebook)


def to_0_100(x, low: float | None = None, high: float | None = None,
             codebook: Codebook | None = None):
    """Linear transform of a score on ``low..high`` to 0-100: :math:`100 (x - low)/(high - low)`
    (``codebook``: each scale from its own range, as :func:`to_0_10`)."""
    return _transform(x, low, high, 100.0, "to_0_100", codebook)
