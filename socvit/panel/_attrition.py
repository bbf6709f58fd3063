"""Attrition: who of wave A answers wave B too, and do stayers differ from leavers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _inputs, disclosure, estimates, survey
from ..errors import DataError
from ._members import members

__all__ = ["AttritionResult", "attrition"]

_STAY = "blijft"            # the model's outcome: 1 = also answered wave B
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class AttritionResult:
    """A model of staying in the panel from wave A to wave B (made by :func:`attrition`).

    Attributes
    ----------
    model : ModelResult
        The logit of staying (outcome ``blijft``: 1 = answered wave B too) with
        survey-correct errors; ``model.table`` has the terms, odds ratios and intervals.
    comparison : DataFrame
        Stayers against leavers on wave A's outcomes: outcome, mean_all (all of wave A),
        mean_stayers, mean_leavers, difference (stayers - leavers), se, ci_lower, ci_upper,
        p, std_difference, n_stayers, n_leavers, suppressed, indicative, reason.
    propensity : Series
        The fitted probability of staying for every row of wave A (index: the panel's row
        labels); NA where a predictor is missing.
    stayed : Series
        1 where the member of wave A answered wave B too, else 0 (same index).
    base_weight : Series
        Wave A's weight of every row of wave A (1 without weights).
    """

    model: object
    comparison: pd.DataFrame
    propensity: pd.Series = field(repr=False)
    stayed: pd.Series = field(repr=False)
    base_weight: pd.Series = field(repr=False)
    wave_from: object = None
    wave_to: object = None
    formula: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """The model's table (``model.table``)."""
        return self.model.table

    def summary(self) -> str:
        n, k = len(self.stayed), int(self.stayed.sum())
        cols = [c for c in ("outcome", "mean_stayers", "mean_leavers", "difference",
                            "ci_lower", "ci_upper", "p", "std_difference")
                if c in self.comparison]
        with pd.option_context("display.width", 120, "display.float_format", "{:.4g}".format):
            comp = self.comparison[cols].to_string(index=False) if len(self.comparison) else ""
        return (f"Attrition from wave {self.wave_from} to {self.wave_to}: {k} of {n} members "
                f"stayed ({k / n:.1%}).\n{self.model.summary()}\n\nStayers - leavers at wave "
                f"{self.wave_from}:\n{comp}")

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        import html
        n, k = len(self.stayed), int(self.stayed.sum())
        return (f"<p>Attrition from wave {html.escape(str(self.wave_from))} to "
                f"{html.escape(str(self.wave_to))}: {k} of {n} members stayed.</p>"
                + self.model._repr_html_() + self.comparison.to_html(index=False))


def attrition(data, wave_from, wave_to, predictors, outcomes=(), weights=None, strata=None,
              cluster=None, id=None, wave=None, level=0.95, min_n=None, warn_n=None,
              rules=None) -> AttritionResult:
    """Who stays from wave A to wave B: a survey logit of staying, and stayers against
    leavers on wave A's outcomes.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    wave_from, wave_to : wave values
        Wave A (whose members are followed) and wave B.
    predictors : list of str
        Terms of the logit, measured at wave A: columns or formula terms (``"leeftijd"``,
        ``"C(opleiding)"``, ``"I(leeftijd ** 2)"``) and, with a Panel, codebook scale names
        (the scale score at wave A, :func:`socvit.scales.score`): background and earlier
        answers.
    outcomes : list of str, optional
        Numeric columns or scale names compared between stayers and leavers at wave A.
    weights : str, array, Series, RakeResult or Design, optional
        Wave A's weights or survey design (of the whole panel or of wave A's rows); the
        logit is then ``svyglm(family = quasibinomial)`` on that design and the comparison
        design-based. Default unweighted (model-based logit errors).
    strata, cluster : str, optional
        Strata and PSUs of the design (e.g. ``"gemeente"``, ``"kern"``).
    id, wave : str, optional
        Member id and wave columns (default: the codebook's kinds ``id`` and ``wave``).
    level : float
        Confidence level.
    min_n, warn_n, rules :
        Disclosure rules of the comparison (the smaller of the two groups decides).

    Returns
    -------
    AttritionResult
        ``.model`` (the logit, :class:`socvit.regression.ModelResult`), ``.comparison``,
        ``.propensity``, ``.stayed``, ``.base_weight``, ``summary()``.

    Notes
    -----
    The response-propensity model [1]_ [2]_ is the logit

    .. math:: \\operatorname{logit} P(R_{iB} = 1 \\mid i \\in A) = x_{iA}^\\top \\beta

    fitted by weighted maximum likelihood with Taylor-linearised errors (:func:`socvit
    .regression.fit`, equal to ``survey::svyglm(family = quasibinomial)``) [3]_. Stayers
    and leavers are compared as two domains of wave A's design (:func:`socvit.estimates
    .compare`, as ``svyttest(y ~ blijft, design)``), with the standardised difference [4]_

    .. math:: d = (\\bar y_s - \\bar y_l) / \\sqrt{(s_s^2 + s_l^2)/2},\\qquad
              s^2 = \\frac{\\sum w}{(\\sum w)^2 - \\sum w^2} \\sum w (y - \\bar y)^2

    (weighted variances; the sample variance without weights). \\|d\\| above 0.1 is the
    usual mark of an imbalance worth correcting.

    References
    ----------
    .. [1] Lynn, P. & Watson, N. (2021). Issues in weighting for longitudinal surveys. In
       Lynn (ed.), *Advances in Longitudinal Survey Methodology*. Wiley, 447-468.
    .. [2] Valliant, R., Dever, J. A. & Kreuter, F. (2018). *Practical Tools for Designing
       and Weighting Survey Samples* (2nd ed.). Springer, ch. 13.
    .. [3] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 5.
    .. [4] Austin, P. C. & Stuart, E. A. (2015). Moving towards best practice when using
       inverse probability of treatment weighting. *Statistics in Medicine* 34, 3661-3679.

    Example
    -------
    >>> # In R: a <- subset(p, golf == 2021); a$blijft <- a$resp_id %in% p$resp_id[p$golf == 2023]
    >>> #       svyglm(blijft ~ leeftijd + opleiding, svydesign(ids = ~kern, strata = ~gemeente,
    >>> #              data = a, weights = ~1), family = quasibinomial)
    >>> res = sv.panel.attrition(panel, 2021, 2023, ["leeftijd", "opleiding"],
    ...                          outcomes=["bereidheid"], weights=np.ones(len(panel.data)),
    ...                          strata="gemeente", cluster="kern")
    >>> res.table[["term", "odds_ratio", "p"]].round(3)
                          term  odds_ratio      p
    0                Intercept         NaN  0.039
    1  opleiding[T.middelbaar]       1.259  0.001
    2        opleiding[T.hoog]       1.645  0.000
    3                 leeftijd       1.015  0.000
    >>> res.comparison[["outcome", "difference", "std_difference"]].round(3)
          outcome  difference  std_difference
    0  bereidheid       0.108           0.125
    """
    m = members(data, id=id, wave=wave)
    a, b = m.check_waves(wave_from, wave_to)
    both = m.pair(a, b)
    predictors = [predictors] if isinstance(predictors, str) else list(predictors or [])
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes or [])
    if not predictors:
        raise ValueError("attrition needs predictors=[...]: the background and earlier answers "
                         "at wave A that may explain staying, e.g. ['leeftijd', 'opleiding'].")
    if _STAY in m.data.columns:
        raise DataError(f"The data already have a column {_STAY!r}; attrition adds it as the "
                        f"model's outcome (1 = also in wave {b}). Rename that column first.")
    frame, w, subset = m.in_wave(a, weights)
    frame = _with_scales(frame, [*predictors, *outcomes], m.codebook)
    rows_a = np.ones(len(frame), bool) if subset is None else subset
    stay = frame[m.id].map(both).astype("float64").where(rows_a)
    frame = frame.assign(**{_STAY: stay})
    formula = f"{_STAY} ~ {' + '.join(predictors)}"
    from .. import regression            # statsmodels: imported when a model is fitted
    model = regression.fit(formula, frame, kind="logit", weights=w, strata=strata,
                           cluster=cluster, subset=subset, level=level)
    index_a = frame.index[rows_a]
    propensity = model.model.fittedvalues.reindex(index_a).rename("propensity")
    base = _base_weight(frame, w, rows_a).rename("gewicht")
    comparison = _compare(frame, outcomes, w, strata, cluster, subset, level,
                          disclosure.resolve(rules, min_n, warn_n), rows_a)
    return AttritionResult(model, comparison, propensity,
                           stay[rows_a].astype("int64").rename(_STAY), base, a, b, formula)


def _with_scales(frame, names, cb):
    """``frame`` with the score of every codebook scale named in ``names`` that is not a
    column already (the score at each row's own wave)."""
    if cb is None:
        return frame
    from .. import scales
    add = {n: scales.score(frame, n, codebook=cb) for n in names
           if _NAME.match(n) and n not in frame.columns and n in cb.scales}
    return frame.assign(**add) if add else frame


def _base_weight(frame, w, rows) -> pd.Series:
    """Wave A's weights on its rows as a float Series (1 without weights)."""
    index = frame.index[rows]
    if w is None:
        return pd.Series(1.0, index=index)
    base = survey._base_design(w)
    values = base.weights.to_numpy(float) if base is not None else \
        _inputs.weights(frame, w, rows=rows)
    return pd.Series(np.asarray(values, float)[rows], index=index)


def _compare(frame, outcomes, w, strata, cluster, subset, level, rules, rows) -> pd.DataFrame:
    cols = ["outcome", "mean_all", "mean_stayers", "mean_leavers", "difference", "se",
            "ci_lower", "ci_upper", "p", "std_difference", "n_stayers", "n_leavers",
            "suppressed", "indicative", "reason"]
    if not outcomes:
        return pd.DataFrame(columns=cols)
    wt = _base_weight(frame, w, rows).to_numpy(float)
    stay = frame[_STAY].to_numpy(float)[rows]
    out = []
    for y in outcomes:
        _inputs.require_columns(frame, y, "outcome")
        t = estimates.compare(frame, y, _STAY, 1.0, against=0.0, weights=w, strata=strata,
                              cluster=cluster, subset=subset, level=level,
                              rules=disclosure.Rules(1, 1))
        allm = estimates.mean(frame, y, weights=w, strata=strata, cluster=cluster,
                              subset=subset, rules=disclosure.Rules(1, 1))
        vals = pd.to_numeric(frame[y], errors="coerce").to_numpy(float, na_value=np.nan)[rows]
        sds = [_wvar(vals[(stay == g) & np.isfinite(vals)], wt[(stay == g) & np.isfinite(vals)])
               for g in (1.0, 0.0)]
        r = t.iloc[0]
        with np.errstate(all="ignore"):
            d = r["difference"] / np.sqrt((sds[0] + sds[1]) / 2)
        out.append({"outcome": y, "mean_all": allm["estimate"].iloc[0],
                    "mean_stayers": r["estimate"], "mean_leavers": r["estimate_other"],
                    "difference": r["difference"], "se": r["se"], "ci_lower": r["ci_lower"],
                    "ci_upper": r["ci_upper"], "p": r["p"], "std_difference": d,
                    "n_stayers": int(r["n"]), "n_leavers": int(r["n_other"])})
    table = pd.DataFrame(out)
    return disclosure.apply(table, n_col=["n_stayers", "n_leavers"], rules=rules,
                            columns=["mean_all", "mean_stayers", "mean_leavers", "difference",
                                     "se", "ci_lower", "ci_upper", "p", "std_difference"])[cols]


def _wvar(y, w) -> float:
    """Weighted variance with the unbiased normalisation (the sample variance for w = 1)."""
    if len(y) < 2 or w.sum() <= 0:
        return np.nan
    s1, s2 = w.sum(), np.square(w).sum()
    mean = np.sum(w * y) / s1
    return float(s1 / (s1 * s1 - s2) * np.sum(w * (y - mean) ** 2))
