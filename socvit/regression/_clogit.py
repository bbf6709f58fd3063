"""Within-person logit for a 0/1 outcome: the conditional (fixed-effects) logit.

Behind ``socvit.regression.fit(..., kind="within_logit", groups=<respondent id>)``; the same
model as R's ``survival::clogit(y ~ x + strata(id))`` and Stata's ``xtlogit y x, fe``.
Every respondent has an own intercept :math:`\\alpha_i`,

.. math:: \\operatorname{logit} P(y_{it} = 1) = \\alpha_i + x_{it}^\\top\\beta,

and the :math:`\\alpha_i` are conditioned away [1, 2]: given the number of waves
:math:`n_{1i} = \\sum_t y_{it}` in which respondent i had the outcome, the probability of
*which* waves they were is

.. math:: P\\Big(y_i \\,\\Big|\\, \\sum_t y_{it} = n_{1i}\\Big)
          = \\frac{\\exp\\big(\\sum_t y_{it} x_{it}^\\top\\beta\\big)}
                 {\\sum_{d:\\,\\sum_t d_t = n_{1i}} \\exp\\big(\\sum_t d_t x_{it}^\\top\\beta\\big)},

free of :math:`\\alpha_i`. The estimate maximises the product of these over respondents
(statsmodels' ``ConditionalLogit``, the exact conditional likelihood as clogit's default
``method = "exact"``); errors are model-based (inverse Hessian), tests Wald z, as clogit's
summary. Only change within a respondent informs :math:`\\beta`: a respondent whose outcome
is the same in every wave (or who took part once) adds a factor 1 to the likelihood and is
left out; characteristics that do not change within respondents cannot be estimated.

References
----------
1. Chamberlain, G. (1980). Analysis of covariance with qualitative data. *Review of Economic
   Studies* 47(1), 225-238.
2. Allison, P. D. (2009). *Fixed Effects Regression Models*. SAGE, ch. 3.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataError, SocvitWarning

__all__ = ["fit_within_logit"]


def fit_within_logit(y, X: pd.DataFrame, person, yname="y"):
    """Conditional logit of ``y`` (0/1) on ``X`` with a fixed effect per ``person``."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from ._fitters import Fitted, _sd_columns, check_design

    y = np.asarray(y, float)
    if not np.isin(y, (0.0, 1.0)).all():
        bad = sorted(set(np.unique(y)) - {0.0, 1.0})[:5]
        raise DataError(f"A within-person logit needs an outcome coded 0/1, but '{yname}' has "
                        f"the value(s) {bad}. Recode it (e.g. (x == code) * 1), or use "
                        f"kind='within' for a numeric outcome.")
    person = pd.Series(np.asarray(person, dtype=object), index=X.index)
    ys = pd.Series(y, index=X.index)
    span = ys.groupby(person.to_numpy()).agg(["min", "max"])
    changers = span.index[span["min"] < span["max"]]
    informative = person.isin(changers).to_numpy()
    n_persons_all = int(len(span))
    n_no_change = n_persons_all - len(changers)
    if len(changers) == 0:
        raise DataError(
            f"No respondent's '{yname}' changes between the observations used: all "
            f"{n_persons_all} respondents have the same value every time (or took part once), "
            f"so a within-person logit has no information. Use more waves, another outcome, "
            f"or a model between persons (kind='logit', or kind='mixed').")
    y, X, person = y[informative], X.loc[informative], person[informative]
    Xs = X.drop(columns="Intercept", errors="ignore")
    if Xs.shape[1] == 0:
        raise DataError("A within-person logit needs at least one term besides the "
                        "respondent's own intercept, e.g. 'actief ~ C(golf) + bereidheid'.")
    groups = pd.factorize(person)[0]
    Xd = Xs - Xs.groupby(groups).transform("mean")
    flat = [c for c in Xd.columns
            if np.allclose(Xd[c].to_numpy(), 0, atol=1e-10 * (1 + Xs[c].abs().max()))]
    if flat:
        raise DataError(
            f"{', '.join(repr(c) for c in flat)} {'does' if len(flat) == 1 else 'do'} not "
            f"vary within the {len(changers)} respondents whose '{yname}' changes, so a "
            f"within-person logit cannot estimate {'its' if len(flat) == 1 else 'their'} "
            f"effect. Remove it from the formula, or use kind='logit' or kind='mixed'.")
    check_design(Xd, "the within-person logit")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        model = ConditionalLogit(y, Xs, groups=groups)
        try:
            res = model.fit(method="newton", maxiter=100, disp=False)
            b, V = np.asarray(res.params, float), np.asarray(res.cov_params(), float)
            se = np.sqrt(np.diag(V))
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            # a singular Hessian on the way out: coefficients running off to infinity
            res = None
            try:
                b = np.asarray(model.fit(method="bfgs", maxiter=1000, skip_hessian=True,
                                         disp=False).params, float)
            except (np.linalg.LinAlgError, ValueError, OverflowError):
                b = np.full(Xs.shape[1], np.nan)
            se = np.full(Xs.shape[1], np.inf)
    if res is None:      # the coefficients that ran off, else all of them
        huge = [c for c, bj in zip(Xs.columns, b) if not (abs(bj) <= 15)] or list(Xs.columns)
    else:
        huge = [c for c, bj, sj in zip(Xs.columns, b, se)
                if not (abs(bj) <= 15 and sj <= 1e3)]       # NaN counts too
    if huge:
        raise DataError(
            f"Perfect separation in the within-person logit for '{yname}': "
            f"{', '.join(repr(c) for c in huge)} completely predict{'s' if len(huge) == 1 else ''} "
            f"when a respondent's outcome changes, so the coefficient is infinite. Merge "
            f"categories or drop the term.")
    params = pd.Series(b, index=Xs.columns)
    cov = pd.DataFrame(V, Xs.columns, Xs.columns)
    if np.max(np.abs(model.score(params.to_numpy()))) > 1e-6 * (1 + abs(res.llf)):
        warnings.warn(f"The within-person logit for '{yname}' did not converge.",
                      SocvitWarning, stacklevel=3)
    fit = {"n": int(len(y)), "n_persons": int(len(changers)),
           "n_persons_no_change": n_no_change,
           "n_rows_no_change": int((~informative).sum()),
           "loglik": float(res.llf),
           "loglik_null": float(model.loglike(np.zeros(Xs.shape[1]))),
           "n_events": int(y.sum())}
    return Fitted(params=params, cov=cov, df=None, model=res, fit=fit,
                  se_type="classic (model-based, conditional likelihood as clogit)",
                  sd_x=_sd_columns(Xs, None))
