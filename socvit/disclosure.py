"""Small-cell rules that every published number passes.

Two thresholds on the number of respondents behind a number:

* fewer than ``min_n`` (default 10): the number is not shown. Its estimate, standard error
  and interval become NA, ``suppressed`` is True and ``reason`` says why
  ("minder dan 10 respondenten").
* fewer than ``warn_n`` (default 30): the number is shown but marked as indicative
  (``indicative`` True, reason "indicatief: minder dan 30 respondenten").

The rules are a small :class:`Rules` object so that a report can set its own thresholds
once and hand them to every estimate function (``rules=``). :func:`apply` works on any tidy
table with a respondent count column; :mod:`socvit.estimates` calls it on every table it
returns.

Secondary suppression (:func:`secondary`): when a breakdown (the kernen of a gemeente) is
published together with its total (the gemeente's respondents, its mean), the hidden cells
can be recovered by subtracting the shown cells from the total. :func:`secondary` hides
further cells until what the hidden cells hold together is nothing or at least ``min_n``
respondents, as the threshold rule with secondary cell suppression of Hundepool et al.
(2012) [1]_ requires.

References
----------
.. [1] Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
   Spicer, K. and de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley,
   doi:10.1002/9781118348239. Ch. 4 (tabular data: primary and secondary cell suppression,
   disclosure by differencing) and ch. 5 (frequency tables: the threshold rule).

Example
-------
>>> import pandas as pd
>>> from socvit import disclosure
>>> t = pd.DataFrame({"estimate": [0.4, 0.5, 0.6], "se": [0.1, 0.05, 0.02], "n": [8, 20, 400]})
>>> disclosure.apply(t)[["estimate", "suppressed", "indicative"]]   # doctest: +NORMALIZE_WHITESPACE
   estimate  suppressed  indicative
0       NaN        True       False
1       0.5       False        True
2       0.6       False       False
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["Rules", "DEFAULT", "apply", "secondary", "VALUE_COLUMNS", "SECONDARY_REASON"]

#: Columns blanked when a row is suppressed (those present in the table).
VALUE_COLUMNS = ("estimate", "se", "ci_lower", "ci_upper", "estimate_other", "difference",
                 "statistic", "p")


#: ``reason`` of a cell hidden by :func:`secondary` (not itself too small)
SECONDARY_REASON = "niet getoond: anders af te leiden uit de andere cijfers"


@dataclass(frozen=True)
class Rules:
    """Disclosure thresholds: below ``min_n`` respondents suppress, below ``warn_n`` mark
    as indicative. Both are positive integers with ``min_n <= warn_n``."""

    min_n: int = 10
    warn_n: int = 30

    def __post_init__(self):
        for name in ("min_n", "warn_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"Disclosure rule {name} must be a positive whole number of "
                                 f"respondents, got {value!r}.")
        if self.min_n > self.warn_n:
            raise ValueError(f"Disclosure rules: min_n ({self.min_n}) is larger than warn_n "
                             f"({self.warn_n}); numbers below min_n are suppressed and those "
                             f"below warn_n are indicative, so min_n must not exceed warn_n.")

    @property
    def suppressed_reason(self) -> str:
        return f"minder dan {self.min_n} respondenten"

    @property
    def indicative_reason(self) -> str:
        return f"indicatief: minder dan {self.warn_n} respondenten"

    def apply(self, table: pd.DataFrame, n_col="n", columns=None) -> pd.DataFrame:
        """Shorthand for :func:`apply` with these rules."""
        return apply(table, n_col=n_col, rules=self, columns=columns)


DEFAULT = Rules()


def resolve(rules=None, min_n=None, warn_n=None) -> Rules:
    """A Rules object from ``rules`` and/or explicit ``min_n``/``warn_n`` overrides."""
    if rules is None:
        rules = DEFAULT
    elif not isinstance(rules, Rules):
        raise TypeError(f"rules must be a socvit.disclosure.Rules, got {type(rules).__name__}.")
    if min_n is None and warn_n is None:
        return rules
    return Rules(min_n=rules.min_n if min_n is None else min_n,
                 warn_n=rules.warn_n if warn_n is None else warn_n)


def apply(table: pd.DataFrame, n_col="n", min_n=None, warn_n=None, rules=None,
          columns=None) -> pd.DataFrame:
    """Apply the small-cell rules to a tidy table of estimates.

    Parameters
    ----------
    table : DataFrame
        One row per published number, with a respondent count column.
    n_col : str or list of str
        The count column; with several (e.g. ``["n", "n_other"]`` for a comparison) the
        smallest count of the row decides.
    min_n, warn_n : int, optional
        Override the thresholds of ``rules`` (defaults 10 and 30).
    rules : Rules, optional
        Thresholds configured for a report.
    columns : sequence of str, optional
        Columns to blank in suppressed rows; default those of :data:`VALUE_COLUMNS` present.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` (bool), ``indicative`` (bool) and ``reason`` (str, empty
        when the number is shown without remark) columns.
    """
    rules = resolve(rules, min_n, warn_n)
    n_cols = _count_columns(table, n_col, "apply")
    out = table.copy()
    n = _counts(out, n_cols).min(axis=1, initial=np.inf)     # NaN when any count is missing
    n = np.nan_to_num(n, nan=0.0)
    suppressed = n < rules.min_n
    indicative = ~suppressed & (n < rules.warn_n)
    if columns is None:
        columns = [c for c in VALUE_COLUMNS if c in out.columns]
    _blank(out, suppressed, columns)
    if "suppressed" in out.columns:   # rules applied twice: keep earlier suppressions
        suppressed = suppressed | out["suppressed"].fillna(False).to_numpy(dtype=bool)
        indicative = indicative & ~suppressed
    reason = np.where(suppressed, rules.suppressed_reason,
                      np.where(indicative, rules.indicative_reason, ""))
    return _with_columns(out, {"suppressed": suppressed, "indicative": indicative,
                               "reason": pd.Series(reason, index=out.index, dtype="string")})


def _count_columns(table, n_col, who: str) -> list:
    """The count column(s) ``n_col`` as a list, checked against ``table``."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"disclosure.{who} expects a DataFrame, got {type(table).__name__}.")
    n_cols = [n_col] if isinstance(n_col, str) else list(n_col)
    missing = [c for c in n_cols if c not in table.columns]
    if missing:
        raise ValueError(f"disclosure.{who}: count column(s) {missing} not in the table "
                         f"(columns: {', '.join(map(str, table.columns))}).")
    return n_cols


def _counts(table: pd.DataFrame, n_cols: list) -> np.ndarray:
    """The counts as floats, one column per count column (NaN where missing)."""
    return np.column_stack([pd.to_numeric(table[c], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan) for c in n_cols]).reshape(len(table), len(n_cols))


def _blank(out: pd.DataFrame, rows, columns) -> None:
    """Blank ``columns`` of ``out`` in ``rows`` (in place): NaN in float columns, NA in
    others (made object columns)."""
    if not np.any(rows):
        return
    for c in columns:
        if pd.api.types.is_float_dtype(out[c]):
            out.loc[rows, c] = np.nan
        else:
            out[c] = out[c].astype(object)
            out.loc[rows, c] = pd.NA


def _with_columns(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """``frame`` with ``columns`` set as ``frame[name] = value`` would, one after the other
    (existing names in place, new ones at the end). New text-labelled columns of a frame
    with text labels are added in one step: inserting them one by one is slow (pandas 3:
    about 0.4 ms each)."""
    new = [c for c in columns if c not in frame.columns]
    at_once = isinstance(frame.columns.dtype, pd.StringDtype) and all(isinstance(c, str)
                                                                      for c in new)
    one_by_one = [c for c in columns if c not in new or not at_once]
    if one_by_one:
        frame = frame.copy()
        for c in one_by_one:
            frame[c] = columns[c]
    if not at_once or not new:
        return frame
    return pd.concat([frame, pd.DataFrame({c: columns[c] for c in new}, index=frame.index)],
                     axis=1)


def secondary(table: pd.DataFrame, total_n=None, n_col="n", rules=None, min_n=None,
              columns=None) -> pd.DataFrame:
    """Secondary suppression of a breakdown published beside its total.

    The rows of ``table`` are the cells of one breakdown (the kernen of a gemeente, say)
    whose total is also published (the gemeente's respondents, or its mean of a score with
    its n). A cell is hidden first when it has fewer than ``min_n`` respondents (primary:
    the ``suppressed`` column when present, else ``n < min_n``). Subtracting the shown cells
    from the total then gives what the hidden cells hold together, the *residual*

    .. math:: R_j = T_j - \\sum_{c\\ \\mathrm{shown}} n_{cj}

    for each count column :math:`j` (``n_col``) and its published total :math:`T_j`
    (``total_n``; respondents outside every cell, such as those without a kern, belong to
    the residual too). With one hidden cell the residual *is* that cell; with means and n's
    published, so is (nearly) its mean. Following the threshold rule with secondary cell
    suppression [1]_, a residual must be 0 (nothing hidden) or at least ``min_n``: while a
    residual lies in 1 .. ``min_n`` - 1, the shown cell with the fewest respondents (first
    count column, ties in table order) is hidden as well. Smallest-first keeps the large,
    reliable cells and is deterministic (every report of a run finds the same pattern); it
    is a heuristic, not the least-loss pattern a linear program (tau-argus, sdcTable)
    would find. The hidden cells together are then a group of at least ``min_n``
    respondents, which the rules allow to be known. When every cell is hidden and a residual
    is still too small, the total itself is below ``min_n`` and must not be published
    (primary suppression of the total, the caller's task).

    Parameters
    ----------
    table : DataFrame
        One row per cell, with the count column(s).
    total_n : number or sequence of numbers, optional
        The published total for each column of ``n_col``; default the sum of the cells
        (no respondents outside the cells).
    n_col : str or list of str
        Count column(s): e.g. ``["n", "n_y"]`` when the cells' means of two scores, each
        with its own n, are published beside the gemeente's means and n's.
    rules : Rules, optional
        Thresholds (``min_n`` overrides); default :data:`DEFAULT`.
    columns : sequence of str, optional
        Columns blanked in every hidden row (primary and secondary); default those of
        :data:`VALUE_COLUMNS` present and the count columns, so that no hidden cell's n is
        left to subtract.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` (bool, primary or secondary) and ``secondary`` (bool:
        hidden only to protect another cell); ``reason`` is set to
        :data:`SECONDARY_REASON` for secondary cells when the table has a ``reason`` column.
        ``attrs["residual"]`` holds the final residuals (one per count column).

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
       doi:10.1002/9781118348239, ch. 4 (secondary cell suppression, disclosure by
       differencing) and ch. 5 (frequency tables: the threshold rule).

    Example
    -------
    Four kernen of a gemeente of 82 respondents: hiding only D (5) would leave
    82 - (40 + 25 + 12) = 5, D's n; C is hidden too, so the two hidden together hold 17.

    >>> import pandas as pd
    >>> from socvit import disclosure
    >>> t = pd.DataFrame({"kern": ["A", "B", "C", "D"], "n": [40, 25, 12, 5],
    ...                   "estimate": [6.1, 6.8, 7.0, 5.2]})
    >>> out = disclosure.secondary(t, total_n=82)
    >>> out[["kern", "n", "estimate", "suppressed", "secondary"]]   # doctest: +NORMALIZE_WHITESPACE
      kern     n  estimate  suppressed  secondary
    0    A  40.0       6.1       False      False
    1    B  25.0       6.8       False      False
    2    C   NaN       NaN        True       True
    3    D   NaN       NaN        True      False
    >>> out.attrs["residual"]
    [17.0]
    >>> # In R: GaussSuppression::SuppressSmallCounts(d, "kern", freqVar = "n", maxN = 9)
    >>> # also protects such a one-way table by secondary cells (it only asks that no hidden
    >>> # cell be determined exactly, so its choice can be smaller than this threshold rule's)
    """
    rules = resolve(rules, min_n)
    n_cols = _count_columns(table, n_col, "secondary")
    counts = np.nan_to_num(_counts(table, n_cols), nan=0.0)
    if total_n is None:
        totals = counts.sum(axis=0)
    else:
        totals = np.atleast_1d(np.asarray(total_n, dtype=float))
        if totals.shape != (len(n_cols),):
            raise ValueError(f"disclosure.secondary: give one total per count column "
                             f"({len(n_cols)}: {', '.join(n_cols)}), got {list(totals)}.")
        short = totals < counts.sum(axis=0) - 1e-9
        if short.any():
            j = int(np.argmax(short))
            raise ValueError(f"disclosure.secondary: the total of {n_cols[j]!r} "
                             f"({totals[j]:g}) is smaller than the sum of its cells "
                             f"({counts[:, j].sum():g}); the cells must be parts of the total.")
    if "suppressed" in table.columns:
        primary = table["suppressed"].fillna(False).to_numpy(dtype=bool)
    else:
        primary = counts.min(axis=1, initial=np.inf) < rules.min_n if len(table) else \
            np.zeros(0, dtype=bool)
    hidden = primary.copy()

    def residual():
        return totals - counts[~hidden].sum(axis=0)

    def unsafe(res):
        return bool(np.any((res > 1e-9) & (res < rules.min_n)))

    order = np.argsort(counts[:, 0], kind="stable") if len(table) else np.zeros(0, dtype=int)
    res = residual()
    while unsafe(res) and not hidden.all():
        nxt = next(i for i in order if not hidden[i])
        hidden[nxt] = True
        res = residual()
    second = hidden & ~primary
    out = table.copy()
    if columns is None:
        columns = [c for c in (*VALUE_COLUMNS, *n_cols) if c in out.columns]
    if hidden.any():       # counts and numbers as floats, so a hidden one is NaN
        out = out.astype({c: "float64" for c in columns
                          if pd.api.types.is_integer_dtype(out[c])
                          or pd.api.types.is_bool_dtype(out[c])})
    _blank(out, hidden, columns)
    new = {"suppressed": hidden, "secondary": second}
    if "indicative" in out.columns:
        new["indicative"] = out["indicative"].fillna(False).to_numpy(dtype=bool) & ~hidden
    if "reason" in out.columns:
        reason = out["reason"].astype("string")
        reason[second] = SECONDARY_REASON
        new["reason"] = reason
    out = _with_columns(out, new)
    out.attrs["residual"] = [float(x) for x in res]
    return out
