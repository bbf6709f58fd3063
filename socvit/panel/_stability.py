"""Stability of scales between two waves: test-retest intraclass correlations of the scale
scores and the test of equal alphas for the same people.

:func:`stability` scores each scale in both waves, keeps the members with a score in both,
and reports two intraclass correlations from the two-way ANOVA of their scores (members x
waves) [1]_ [2]_, computed by pingouin's ``intraclass_corr``:

- **ICC(2,1), absolute agreement** (McGraw & Wong's ICC(A,1)): a shift of everyone's score
  between the waves (a trend, ageing) counts against stability;
- **ICC(3,1), consistency** (ICC(C,1)): only the members' order and distances count; a
  common shift does not.

With mean squares of members :math:`MS_R`, waves :math:`MS_C` and residual :math:`MS_E`, *n*
members and *k* = 2 waves,

.. math::

    ICC(3,1) = \\frac{MS_R - MS_E}{MS_R + (k-1) MS_E}, \\qquad
    ICC(2,1) = \\frac{MS_R - MS_E}{MS_R + (k-1) MS_E + k (MS_C - MS_E)/n},

with the F test :math:`MS_R / MS_E` on :math:`(n-1, (n-1)(k-1))` degrees of freedom and the
95% intervals of McGraw & Wong (1996) [2]_ (Satterthwaite's df for ICC(2,1)). For test-retest
reliability Koo & Li (2016) [3]_ recommend the agreement form; the consistency form answers
"do people keep their place". When the two differ, the whole panel moved.

Beside them, for each codebook scale, alpha in both waves on the same people and Feldt's
(1980) test of equal dependent alphas (:func:`socvit.reliability.alpha_waves`) [4]_: a scale
whose alpha drops between the waves measures less well, which also lowers its ICC.

References
----------
.. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing
   rater reliability. *Psychological Bulletin*, 86(2), 420-428.
.. [2] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
   correlation coefficients. *Psychological Methods*, 1(1), 30-46.
.. [3] Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
   correlation coefficients for reliability research. *Journal of Chiropractic Medicine*,
   15(2), 155-163.
.. [4] Feldt, L. S. (1980). A test of the hypothesis that Cronbach's alpha reliability
   coefficient is the same for two tests administered to the same sample. *Psychometrika*,
   45, 99-105.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from .. import _inputs, scales as _scales
from ..errors import DataError
from ..reliability import alpha_waves
from ._members import members

__all__ = ["stability", "StabilityResult"]

AGREEMENT = "ICC(2,1) absolute agreement"
CONSISTENCY = "ICC(3,1) consistency"


@dataclass(repr=False)
class StabilityResult:
    """What :func:`stability` returns.

    ``table``: one row per scale and ICC type (scale, label, wave_from, wave_to, n,
    icc_type, icc, ci_lower, ci_upper, F, df1, df2, p); ``alphas``: per codebook scale its
    alpha in both waves on the same people and Feldt's (1980) test (scale, n, alpha_from,
    alpha_to, r, statistic, df, p); ``tests``: the :class:`~socvit.reliability.TestResult`
    per scale (``str()`` gives a Dutch sentence)."""

    table: pd.DataFrame
    alphas: pd.DataFrame
    tests: dict = field(default_factory=dict)

    def __repr__(self):
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            return (f"Test-retest stability (intraclass correlations, 95% intervals):\n"
                    f"{self.table.drop(columns=['label']).round(3).to_string(index=False)}\n\n"
                    f"Alpha in both waves, the same people (Feldt 1980):\n"
                    f"{self.alphas.round(3).to_string(index=False)}")


def stability(data, scales=None, wave_from=None, wave_to=None, id=None, wave=None,
              alphas: bool = True) -> StabilityResult:
    """Test-retest reliability of scale scores between two waves (intraclass correlations)
    and the comparison of their alphas on the same people.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    scales : str or list of str, optional
        Codebook scales (scored with :func:`socvit.scales.score`: reverse keys, min_valid)
        or numeric columns already in the data (a score, a mark). Default: the codebook's
        organisatiekracht scales (``roles.scales``), else every scale of the codebook.
    wave_from, wave_to : wave values, optional
        The two waves (default: the last two).
    id, wave : str, optional
        Member id and wave columns (default the codebook's, :func:`socvit.panel.members`).
    alphas : bool
        Also compare each codebook scale's alpha between the waves (Feldt, 1980).

    Returns
    -------
    StabilityResult
        ``.table`` with ICC(2,1) (absolute agreement) and ICC(3,1) (consistency) per scale,
        their 95% intervals and F tests, on the ``n`` members with a score in both waves
        (unweighted: an ICC describes the measurement, as psych::ICC); ``.alphas`` and
        ``.tests`` the dependent-alpha comparison (its people: those with at least one
        valid item in both waves, so its n can be larger).

    Notes
    -----
    See the module docstring for the formulas. Equal to R's ``psych::ICC`` (rows ICC2 and
    ICC3) to 1e-6 (tests/reference/panel/make_icc_reference.R).

    Examples
    --------
    >>> # In R: psych::ICC(cbind(score2021, score2023))   # the members with both scores
    >>> res = sv.panel.stability(panel, ["betrokkenheid"], 2021, 2023)
    >>> res.table[["scale", "icc_type", "icc", "ci_lower", "ci_upper", "n"]].round(3)
               scale                     icc_type    icc  ci_lower  ci_upper     n
    0  betrokkenheid  ICC(2,1) absolute agreement  0.658     0.634     0.681  2186
    1  betrokkenheid         ICC(3,1) consistency  0.658     0.634     0.682  2186
    >>> print(res.tests["betrokkenheid"])
    Toets van Feldt (1980) op gelijke alfa's bij dezelfde respondenten in twee golven: t = 0,26 (df = 2232), p = 0,796
    """
    import pingouin

    cb = _inputs.codebook(data)
    m = members(data, id=id, wave=wave)
    if (wave_from is None) != (wave_to is None):
        raise ValueError("Give both wave_from and wave_to, or neither (the last two waves).")
    if wave_from is None:
        wave_from, wave_to = m.waves[-2], m.waves[-1]
    a, b = m.check_waves(wave_from, wave_to)
    m.pair(a, b)
    names = _scale_names(m.data, scales, cb)
    rows = ((m.data[m.wave] == a) | (m.data[m.wave] == b)).fillna(False).to_numpy(dtype=bool)
    df = m.data.loc[rows]
    table, alpha_rows, tests = [], [], {}
    for name in names:
        score = _score(df, name, cb)
        long = pd.DataFrame({"member": df[m.id].to_numpy(), "wave": df[m.wave].to_numpy(),
                             "score": score.to_numpy(dtype=float)}).dropna()
        wide = long.pivot(index="member", columns="wave", values="score").dropna()
        n = len(wide)
        if n < 3:
            raise DataError(f"Only {n} member(s) have a score of {name!r} in both wave {a} and "
                            f"wave {b}; a test-retest correlation needs more.")
        if wide.var().min() == 0:
            raise DataError(f"The scores of {name!r} do not vary in wave {a} or wave {b}; an "
                            f"intraclass correlation needs scores that differ between members.")
        res = _icc(pingouin, wide.reset_index().melt(id_vars="member"))
        ci = res[next(c for c in res.columns if str(c).startswith("CI"))]
        label = cb.label(name) if cb is not None and name in cb.scales else name
        for pos, kind in ((1, AGREEMENT), (2, CONSISTENCY)):   # pingouin's ICC2/A,1; ICC3/C,1
            row = res.iloc[pos]
            table.append({"scale": name, "label": label, "wave_from": a, "wave_to": b, "n": n,
                          "icc_type": kind, "icc": float(row["ICC"]),
                          "ci_lower": float(ci.iloc[pos][0]), "ci_upper": float(ci.iloc[pos][1]),
                          "F": float(row["F"]), "df1": float(row["df1"]),
                          "df2": float(row["df2"]), "p": float(row["pval"])})
        if alphas and cb is not None and name in cb.scales:
            wa = alpha_waves(data, name, waves=[a, b], wave=m.wave, id=m.id)
            t = wa.test
            tests[name] = t
            alpha_rows.append({"scale": name, "n": int(wa.table["n"].iloc[0]),
                               "alpha_from": t.alphas[0], "alpha_to": t.alphas[1],
                               "r": float(wa.r.iloc[0, 1]), "statistic": t.statistic,
                               "df": t.df[0], "p": t.p})
    alpha_table = pd.DataFrame(alpha_rows, columns=["scale", "n", "alpha_from", "alpha_to", "r",
                                                    "statistic", "df", "p"])
    return StabilityResult(pd.DataFrame(table), alpha_table, tests)


def _icc(pingouin, long):
    """pingouin.intraclass_corr at full precision (pingouin rounds the intervals to two
    decimals by default: its option ``round.column.CI95``, ``CI95%`` before 0.5.5)."""
    keys = ("round.column.CI95", "round.column.CI95%")
    saved = {k: pingouin.options[k] for k in keys if k in pingouin.options}
    try:
        for k in keys:
            pingouin.options[k] = None
        with warnings.catch_warnings():      # pingouin's own use of a deprecated pandas call
            warnings.filterwarnings("ignore", message="The inplace keyword",
                                    module="pingouin")
            return pingouin.intraclass_corr(data=long, targets="member", raters="wave",
                                            ratings="value")
    finally:
        for k in keys:
            if k in saved:
                pingouin.options[k] = saved[k]
            else:
                pingouin.options.pop(k, None)


def _scale_names(df, scales, cb) -> list:
    if scales is None:
        if cb is None:
            raise DataError("stability(DataFrame, ...) needs scales=: the score columns to "
                            "compare (or pass a Panel, whose codebook names its scales).")
        names = list(cb.roles.scales) or list(cb.scales)
        if not names:
            raise DataError("The codebook has no scales; pass scales= (numeric columns).")
        return names
    names = [scales] if isinstance(scales, str) else list(scales)
    for s in names:
        if s not in df.columns and (cb is None or s not in cb.scales):
            known = f" The codebook's scales: {', '.join(cb.scales)}." if cb is not None else ""
            raise DataError(f"{s!r} is neither a scale of the codebook nor a column of the "
                            f"data.{known}")
    return names


def _score(df, name, cb) -> pd.Series:
    if cb is not None and name in cb.scales:
        return _scales.score(df, name, cb)
    y = pd.to_numeric(df[name], errors="coerce")
    if isinstance(df[name].dtype, pd.CategoricalDtype) or y.notna().sum() < df[name].notna().sum():
        raise DataError(f"Column {name!r} is not numeric; stability compares numeric scores "
                        f"(a scale score, a mark).")
    return y.astype("float64")
