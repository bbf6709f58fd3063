"""Participation: which waves each member answered, and who stays from wave to wave."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import disclosure, estimates
from ..errors import DataError
from ._members import members

__all__ = ["Participation", "participation", "retention"]

_STAY = "_blijft"           # temporary 0/1 column: answered wave B too


@dataclass
class Participation:
    """Participation patterns of a panel (made by :func:`participation`).

    Attributes
    ----------
    patterns : DataFrame
        One row per pattern: pattern (``"XX.X"``: X answered, . not, one character per wave
        in order), waves (the waves answered, ``"2017, 2019, 2023"``), n_waves, n (members),
        share (of all members), sorted by n (descending) then pattern.
    per_wave : DataFrame
        One row per wave: n (respondents), n_first (answering for the first time),
        n_returning (answered an earlier wave too).
    member : Series
        The pattern of every member (index: member id). Respondent-level: for analysis,
        never for a report.
    waves : list
        The waves, in the order of the pattern's characters.
    """

    patterns: pd.DataFrame
    per_wave: pd.DataFrame
    member: pd.Series
    waves: list

    def summary(self) -> str:
        n = len(self.member)
        full = int((self.member == "X" * len(self.waves)).sum())
        with pd.option_context("display.width", 120):
            return (f"Participation of {n} members in waves {', '.join(map(str, self.waves))}; "
                    f"{full} answered every wave.\n{self.per_wave.to_string(index=False)}\n\n"
                    f"{self.patterns.head(10).to_string(index=False)}")

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        return (f"<p>Participation of {len(self.member)} members</p>"
                + self.per_wave.to_html(index=False) + self.patterns.to_html(index=False))


def participation(data, id=None, wave=None) -> Participation:
    """Which waves each member answered: patterns per member and their frequencies.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    id, wave : str, optional
        Member id and wave columns (default: the codebook's kinds ``id`` and ``wave``).

    Returns
    -------
    Participation
        ``.patterns`` (pattern, waves, n_waves, n, share), ``.per_wave`` (n, n_first,
        n_returning), ``.member`` (pattern per member).

    Notes
    -----
    A pattern writes, for the waves in order, ``X`` where the member answered and ``.``
    where not, as in the participation tables of the panel literature [1]_; the share of
    a pattern is its number of members over all members who answered at least one wave.

    References
    ----------
    .. [1] Lynn, P. (ed.) (2009). *Methodology of Longitudinal Surveys*. Wiley, ch. 1
       (wave response patterns and attrition).

    Example
    -------
    >>> # In R: table(apply(table(p$resp_id, p$golf) > 0, 1,
    >>> #                   function(x) paste(ifelse(x, "X", "."), collapse = "")))
    >>> res = sv.panel.participation(panel)
    >>> res.patterns.head(3)[["pattern", "n", "share"]].round(3)
      pattern     n  share
    0    XXXX  1072  0.191
    1    ...X   632  0.112
    2    X...   585  0.104
    """
    m = members(data, id=id, wave=wave, min_waves=1)
    pres = m.presence
    arr = pres.to_numpy()
    chars = np.where(arr, "X", ".")
    pattern = pd.Series(["".join(r) for r in chars], index=pres.index, name="pattern")
    counts = pattern.value_counts()
    table = pd.DataFrame({"pattern": counts.index.astype(str), "n": counts.to_numpy()})
    table["waves"] = [", ".join(str(w) for w, c in zip(m.waves, p) if c == "X")
                      for p in table["pattern"]]
    table["n_waves"] = [p.count("X") for p in table["pattern"]]
    table["share"] = table["n"] / len(pattern)
    table = table.sort_values(["n", "pattern"], ascending=[False, False], kind="stable")
    table = table[["pattern", "waves", "n_waves", "n", "share"]].reset_index(drop=True)
    before = np.cumsum(arr, axis=1) - arr          # waves answered before this one
    per_wave = pd.DataFrame({
        m.wave: m.waves,
        "n": arr.sum(axis=0),
        "n_first": (arr & (before == 0)).sum(axis=0),
        "n_returning": (arr & (before > 0)).sum(axis=0),
    })
    return Participation(table, per_wave, pattern, list(m.waves))


def retention(data, by=None, pairs=None, id=None, wave=None, weights=None, level=0.95,
              min_n=None, warn_n=None, rules=None) -> pd.DataFrame:
    """Retention and refreshment per wave pair: who of wave A answered wave B too.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    by : str or list of str, optional
        Group columns (gemeente, leeftijdsklasse, ...): one row per pair and group. The
        retention of a group is that of its members **in wave A** (their value of ``by``
        at wave A); ``n_b`` and the refreshment count the members of wave B by their value
        at wave B. Gemeente codes change with herindelingen: map both waves to one indeling
        first (``sv.gemeenten.map_to_indeling``) to keep a gemeente together.
    pairs : list of (A, B), optional
        The wave pairs (A before B, or any two waves); default every consecutive pair.
    id, wave : str, optional
        Member id and wave columns (default: the codebook's kinds ``id`` and ``wave``).
    weights : str, array, Series, RakeResult or Design, optional
        Weights of wave A's rows (a column, one value per row of the panel or of wave A, or
        a design of the panel or of wave A): the retention share is then the weighted share
        of wave A (the population share that would stay), with a design-based interval.
        Default unweighted: the share of the members.
    level : float
        Confidence level of the retention interval.
    min_n, warn_n, rules :
        Disclosure (:mod:`socvit.disclosure`): a row with fewer than ``min_n`` members in
        wave A is suppressed (retention, its interval and every count blanked), fewer than
        ``warn_n`` indicative; a group with fewer than ``min_n`` members in wave B has its
        wave-B counts and refreshment blanked.

    Returns
    -------
    DataFrame
        wave_a, wave_b, (by columns), n_a (members in A), n_both (also in B), retention
        (share of A in B), se, ci_lower, ci_upper, n_b (members in B), n_new (in B, not in
        A, answering for the first time), n_returning (in B, not in A, answered a wave
        before A), refreshment (n_new / n_b), n_eff, suppressed, indicative, reason.

    Notes
    -----
    The retention share is the mean of the indicator "also in B" over wave A,
    :math:`\\hat r = \\sum_{i \\in A} w_i 1[i \\in B] / \\sum_{i \\in A} w_i`, estimated as
    :func:`socvit.estimates.proportion` does: the interval is ``svyciprop(method =
    "logit")``, :math:`\\mathrm{expit}(\\mathrm{logit}\\,\\hat r \\pm t_{df}\\,
    se/(\\hat r(1-\\hat r)))`, which stays inside [0, 1] [1]_ [2]_. Retention and
    refreshment are the usual summaries of a panel's wave-on-wave dynamics [3]_.

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. *Survey
       Methodology* 24, 193-201.
    .. [3] Lynn, P. & Lugtig, P. (2017). Total survey error for longitudinal surveys. In
       Biemer et al. (eds.), *Total Survey Error in Practice*. Wiley, 279-298.

    Example
    -------
    >>> # In R: a <- subset(p, golf == 2021); a$blijft <- a$resp_id %in% p$resp_id[p$golf == 2023]
    >>> #       svyciprop(~blijft, svydesign(ids = ~1, data = a), method = "logit")
    >>> t = sv.panel.retention(panel)
    >>> t[["wave_a", "wave_b", "n_a", "n_both", "retention", "n_new"]].round(3)
       wave_a  wave_b   n_a  n_both  retention  n_new
    0    2017    2019  3293    2283      0.693   1022
    1    2019    2021  3305    2266      0.686    674
    2    2021    2023  3293    2234      0.678    632
    """
    m = members(data, id=id, wave=wave)
    rules = disclosure.resolve(rules, min_n, warn_n)
    pairs = m.consecutive() if pairs is None else _pairs(pairs)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for c in by_cols:
        if c in (m.id, m.wave):
            raise DataError(f"by={c!r} is the {'member id' if c == m.id else 'wave'} column; "
                            f"group by a background column (gemeente, leeftijdsklasse, ...).")
    first = m.presence.to_numpy().argmax(axis=1)         # index of each member's first wave
    first = pd.Series(np.asarray(m.waves, dtype=object)[first], index=m.presence.index)
    tables = []
    for a, b in pairs:
        a, b = m.check_waves(a, b)
        both = m.pair(a, b)
        frame, w, subset = m.in_wave(a, weights)
        stay = frame[m.id].map(both).astype("float64")
        if subset is not None:
            stay = stay.where(subset)
        src = frame.assign(**{_STAY: stay})
        if m.codebook is not None:
            from ..io import Panel
            src = Panel(src, m.codebook)
        t = estimates.proportion(src, _STAY, [1], weights=w, by=by_cols or None, level=level,
                                 rules=disclosure.Rules(1, 1), subset=subset)
        se_type = t.attrs.get("se_type", "")
        keys = by_cols
        rowsa = frame if subset is None else frame.loc[subset]
        counts_a = _counts(rowsa, keys, {"n_a": rowsa[m.id].notna(),
                                         "n_both": rowsa[m.id].map(both).astype(bool)})
        rowsb = m.data.loc[m.rows(b)]
        in_a = rowsb[m.id].map(m.presence[a]).astype(bool)
        prior = m.presence[[w_ for w_ in m.waves if w_ < b]].any(axis=1) \
            if any(w_ < b for w_ in m.waves) else pd.Series(False, index=m.presence.index)
        was_before = rowsb[m.id].map(prior).astype(bool)
        counts_b = _counts(rowsb, keys, {"n_b": rowsb[m.id].notna(),
                                         "n_new": ~in_a & ~was_before,
                                         "n_returning": ~in_a & was_before})
        t = t.rename(columns={"estimate": "retention"})
        if keys:
            t = t.merge(counts_a, on=keys, how="outer").merge(counts_b, on=keys, how="outer")
        else:
            t = pd.concat([t, counts_a, counts_b], axis=1)
        for c in ("n_a", "n_both", "n_b", "n_new", "n_returning"):
            t[c] = t[c].fillna(0).astype("int64")
        t.insert(0, "wave_b", b)
        t.insert(0, "wave_a", a)
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    with np.errstate(all="ignore"):
        out["refreshment"] = np.where(out["n_b"] > 0, out["n_new"] / out["n_b"].clip(lower=1),
                                      np.nan)
    out = out.drop(columns=["suppressed", "indicative", "reason", "n", "method"],
                   errors="ignore")
    cols = ["wave_a", "wave_b", *by_cols, "n_a", "n_both", "retention", "se", "ci_lower",
            "ci_upper", "n_b", "n_new", "n_returning", "refreshment", "n_eff"]
    out = out[cols]
    flagged = disclosure.apply(out, n_col="n_a", rules=rules,
                               columns=["retention", "se", "ci_lower", "ci_upper",
                                        "refreshment", "n_eff"])
    if by_cols:     # a group too small in A or in B: its counts are not shown either
        small_b = (out["n_b"] < rules.min_n).to_numpy()
        for c in ("n_a", "n_both", "n_b", "n_new", "n_returning"):
            flagged[c] = flagged[c].astype("Int64").mask(flagged["suppressed"].to_numpy())
        for c in ("n_b", "n_new", "n_returning", "refreshment"):
            flagged[c] = flagged[c].mask(small_b)
    flagged.attrs["se_type"] = se_type
    return flagged


def _pairs(pairs) -> list[tuple]:
    try:
        out = [tuple(p) for p in pairs]
    except TypeError:
        out = []
    if not out or any(len(p) != 2 for p in out):
        raise ValueError(f"pairs must be a list of (wave A, wave B) pairs, e.g. "
                         f"[(2017, 2023)], got {pairs!r}.")
    return out


def _counts(rows: pd.DataFrame, keys: list, flags: dict) -> pd.DataFrame:
    """Sums of boolean ``flags`` over ``rows``, by ``keys`` (a one-row frame without)."""
    f = pd.DataFrame({k: np.asarray(v, dtype="int64") for k, v in flags.items()},
                     index=rows.index)
    if not keys:
        return f.sum().to_frame().T.reset_index(drop=True)
    g = pd.concat([rows[keys], f], axis=1).groupby(keys, observed=True, sort=True,
                                                   dropna=True)
    return g[list(flags)].sum().reset_index()
