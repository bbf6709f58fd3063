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

__all__ = ["Rules", "DEFAULT", "apply", "VALUE_COLUMNS"]

#: Columns blanked when a row is suppressed (those present in the table).
VALUE_COLUMNS = ("estimate", "se", "ci_lower", "ci_upper", "estimate_other", "difference",
                 "statistic", "p")


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
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"disclosure.apply expects a DataFrame, got {type(table).__name__}.")
    n_cols = [n_col] if isinstance(n_col, str) else list(n_col)
    missing = [c for c in n_cols if c not in table.columns]
    if missing:
        raise ValueError(f"disclosure.apply: count column(s) {missing} not in the table "
                         f"(columns: {', '.join(map(str, table.columns))}).")
    out = table.copy()
    n = np.min([pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                for c in n_cols], axis=0)     # NaN when any count is missing
    n = np.nan_to_num(n, nan=0.0)
    suppressed = n < rules.min_n
    indicative = ~suppressed & (n < rules.warn_n)
    if columns is None:
        columns = [c for c in VALUE_COLUMNS if c in out.columns]
    for c in columns:
        if suppressed.any():
            if pd.api.types.is_float_dtype(out[c]):
                out.loc[suppressed, c] = np.nan
            else:
                out[c] = out[c].astype(object)
                out.loc[suppressed, c] = pd.NA
    if "suppressed" in out.columns:   # rules applied twice: keep earlier suppressions
        suppressed = suppressed | out["suppressed"].fillna(False).to_numpy(dtype=bool)
        indicative = indicative & ~suppressed
    reason = np.where(suppressed, rules.suppressed_reason,
                      np.where(indicative, rules.indicative_reason, ""))
    return _with_columns(out, {"suppressed": suppressed, "indicative": indicative,
                               "reason": pd.Series(reason, index=out.index, dtype="string")})


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
