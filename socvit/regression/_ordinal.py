"""Weighted proportional-odds logit with design-based errors, as ``survey::svyolr``.

Behind ``socvit.regression.fit(..., kind="ordinal", weights=..., strata=..., cluster=...)``
(and ``se="survey"`` / ``se="cluster"`` without weights). The unweighted model with
model-based errors stays :func:`socvit.regression._fitters.fit_ordinal` (statsmodels'
OrderedModel, equal to ``MASS::polr``); statsmodels' OrderedModel takes no weights, so the
weighted (pseudo-)likelihood is maximised here by Newton's method with analytic derivatives.

Model and parametrisation (``MASS::polr``, ``survey::svyolr``): for an outcome with ordered
categories :math:`1, \\dots, K` and thresholds :math:`\\zeta_1 < \\dots < \\zeta_{K-1}`,

.. math:: \\operatorname{logit} P(Y_i \\le k) = \\zeta_k - x_i^\\top\\beta,

so a positive coefficient means higher categories [1]. The estimates maximise the weighted
log-likelihood

.. math:: \\ell_w(\\theta) = \\sum_i w_i \\log\\big(F(\\zeta_{y_i} - \\eta_i)
          - F(\\zeta_{y_i - 1} - \\eta_i)\\big), \\qquad \\eta_i = x_i^\\top\\beta,

with F the logistic distribution function, :math:`\\zeta_0 = -\\infty`,
:math:`\\zeta_K = \\infty` and :math:`\\theta = (\\beta, \\zeta)`. The design-based covariance
is the Taylor linearisation (sandwich) of these estimating equations [2, 3]:

.. math:: V = \\widehat{\\operatorname{Var}}\\Big(\\sum_i w_i u_i\\, A^{-1}\\Big), \\qquad
          A = -\\frac{\\partial^2 \\ell_w}{\\partial\\theta\\,\\partial\\theta^\\top},
          \\quad u_i = \\frac{\\partial \\log p_i}{\\partial\\theta},

the variance of the total of the influence values over the design's PSUs within strata
(:mod:`socvit._variance`, the variance every socvit estimate uses). ``svyolr`` computes the
same with ``svyrecvar(estfun %*% solve(H), ...)``; its H is optim's numerical Hessian, ours is
analytic (they agree to the numerical Hessian's precision).

References
----------
1. McCullagh, P. (1980). Regression models for ordinal data. *Journal of the Royal
   Statistical Society B* 42(2), 109-142.
2. Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
   surveys. *International Statistical Review* 51(3), 279-292.
3. Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 5-6
   (``survey::svyolr``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import DataError, SocvitWarning

__all__ = ["fit_ordinal_weighted", "design_vcov"]

MAX_ITER = 200
STEP_TOL = 1e-10


# ------------------------------------------------------------------ the survey variance call
def design_vcov(scores, bread, strata=None, cluster=None) -> np.ndarray:
    """The one place the ordinal model asks for its design-based covariance.

    ``scores``: per-row weighted estimating functions :math:`w_i u_i` (n x P); ``bread``:
    :math:`A^{-1}` (P x P). Returns the Taylor-linearisation covariance of the influence
    values ``scores @ bread`` for a with-replacement design with ``strata`` and ``cluster``
    (PSUs, nested in strata) per row, each row its own PSU when ``cluster`` is None: the
    covariance of :func:`socvit.regression._sandwich.vcov_survey`, from
    :mod:`socvit._variance`.
    """
    from ._sandwich import rows_design
    return rows_design(len(scores), strata, cluster).score_variance(scores, bread)


def _domain_degf(strata, cluster, rows) -> int:
    """Design degrees of freedom among the rows of positive weight (``survey::degf`` of a
    domain): their PSUs minus their strata."""
    n = int(rows.sum())
    s = np.zeros(n, dtype=object) if strata is None else np.asarray(strata, dtype=object)[rows]
    c = np.arange(n, dtype=object) if cluster is None else np.asarray(cluster, dtype=object)[rows]
    return int(pd.MultiIndex.from_arrays([s, c]).nunique() - pd.Series(s).nunique())


# ------------------------------------------------------------------ likelihood pieces
def _pieces(theta, X, y, k):
    """Per-row log-probabilities, score rows (n x P) and the pieces of the Hessian.

    Rows of ``Da``/``Db`` are the derivatives of the upper/lower argument
    :math:`a_i = \\zeta_{y_i} - \\eta_i`, :math:`b_i = \\zeta_{y_i-1} - \\eta_i` with respect
    to :math:`\\theta`; ``fa``, ``fb`` the logistic densities there, ``ga``, ``gb`` their
    derivatives (0 at an infinite threshold).
    """
    n = len(y)
    m = len(theta) - k
    beta, zeta = theta[:k], theta[k:]
    eta = X @ beta
    cut = np.concatenate([[-np.inf], zeta, [np.inf]])
    a = cut[y + 1] - eta
    b = cut[y] - eta
    Fa, Fb = expit(a), expit(b)
    # the difference of two probabilities near 1 is taken on the other tail
    p = np.where(b > 0, expit(-b) - expit(-a), Fa - Fb)
    fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
    ga, gb = fa * (1 - 2 * Fa), fb * (1 - 2 * Fb)
    Da = np.zeros((n, k + m))
    Db = np.zeros((n, k + m))
    Da[:, :k] = -X
    Db[:, :k] = -X
    rows = np.arange(n)
    top, bottom = y < m, y > 0              # a finite upper / lower threshold
    Da[rows[top], k + y[top]] = 1.0
    Db[rows[bottom], k + y[bottom] - 1] = 1.0
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    U = (Da * (fa / p)[:, None]) - (Db * (fb / p)[:, None])
    return logp, U, Da, Db, ga / p, gb / p


def _hessian(w, U, Da, Db, ga_p, gb_p):
    """Hessian of the weighted log-likelihood."""
    return ((Da * (w * ga_p)[:, None]).T @ Da - (Db * (w * gb_p)[:, None]).T @ Db
            - (U * w[:, None]).T @ U)


def _newton(X, y, w, m, yname):
    k = X.shape[1]
    # start: no effects, thresholds at the (weighted) cumulative logits
    props = np.bincount(y, weights=w, minlength=m + 1) / w.sum()
    cum = np.clip(np.cumsum(props)[:-1], 1e-6, 1 - 1e-6)
    theta = np.concatenate([np.zeros(k), np.log(cum / (1 - cum))])
    logp, U, Da, Db, ga_p, gb_p = _pieces(theta, X, y, k)
    ll = float(w @ logp)
    converged = False
    for _ in range(MAX_ITER):
        H = _hessian(w, U, Da, Db, ga_p, gb_p)
        g = w @ U
        try:
            step = np.linalg.solve(-H, g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        for _half in range(60):
            new = theta + t * step
            if np.all(np.diff(new[k:]) > 0):
                pieces = _pieces(new, X, y, k)
                ll_new = float(w @ pieces[0])
                if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                    break
            t /= 2
        else:
            break
        theta, ll = new, ll_new
        logp, U, Da, Db, ga_p, gb_p = pieces
        if np.max(np.abs(t * step)) < STEP_TOL * (1 + np.max(np.abs(theta))):
            converged = True
            break
    if not converged:
        warnings.warn(f"The weighted ordinal model for '{yname}' did not converge; check for "
                      f"empty categories or a term that separates the categories.",
                      SocvitWarning, stacklevel=4)
    H = _hessian(w, U, Da, Db, ga_p, gb_p)
    return theta, ll, logp, U, H, converged


# ------------------------------------------------------------------ the fitter
def fit_ordinal_weighted(y: pd.Series, X: pd.DataFrame, w=None, se="survey", strata=None,
                         cluster=None, yname="y", design=None):
    """Weighted proportional-odds logit with Taylor-linearised errors (``survey::svyolr``).

    ``y``: ordered Categorical; ``X``: design with an Intercept column (dropped: the
    thresholds take its place); ``w``: survey weights (None: equal); ``se="survey"``:
    strata and PSUs (``cluster``) of the design; ``se="cluster"``: clusters only, which at
    the optimum is ``sandwich::vcovCL`` on an unweighted ``polr`` (HC0 with G/(G-1)); with
    weights it is svyolr with ``ids = ~cluster`` (vcovCL on a weighted polr takes the
    weights as case counts and differs). Tests and intervals
    use the normal distribution, as ``confint()`` on an svyolr fit (svyolr reports no
    p-values); ``fit["design_df"]`` holds the design's degrees of freedom (``survey::degf``
    over the rows of positive weight). Rows of weight 0 are outside the domain: they leave
    the estimates alone but keep their PSUs and strata in the variance, as svyolr on
    ``subset(design, ...)``. ``design``: with ``se="survey"``, the
    :class:`socvit.survey.Domain` of these rows (the whole design behind them, with its fpc
    and calibration; :meth:`socvit.survey.Design.score_variance`), used instead of
    ``strata`` and ``cluster``.
    """
    from ._fitters import SE_NAMES, Fitted, _cluster_warning, _sd_columns, check_design

    levels = list(y.cat.categories)
    if len(levels) < 3:
        raise DataError(f"An ordinal model needs an outcome with at least three categories; "
                        f"'{yname}' has {len(levels)} ({', '.join(map(str, levels))}) among "
                        f"the observations used. Use kind='logit' for two categories.")
    check_design(X, "the ordinal model")
    Xn = X.drop(columns="Intercept")
    n, k = Xn.shape
    m = len(levels) - 1
    codes = y.cat.codes.to_numpy().astype(np.int64)
    weighted = w is not None
    # rows of weight 0 (outside a domain of the design) add nothing to the estimates; they
    # stay in the variance with a score of 0, so the design keeps its PSUs and strata.
    # Weights scaled to mean 1 over the others, as svyolr's deviance.
    wn = np.ones(n) if w is None else np.asarray(w, float)
    pos = wn > 0
    wn = wn / wn[pos].mean()
    empty = [levels[j] for j in np.flatnonzero(np.bincount(codes[pos], minlength=m + 1) == 0)]
    if empty:
        raise DataError(f"Category {empty[0]!r} of the ordinal outcome '{yname}' has no "
                        f"observation with a positive weight, so its threshold cannot be "
                        f"estimated. Merge it with a neighbouring category.")
    theta, ll, logp, U_pos, H, converged = _newton(Xn.to_numpy(float)[pos], codes[pos],
                                                   wn[pos], m, yname)
    U = np.zeros((n, k + m))
    U[pos] = U_pos
    bread = np.linalg.inv(-H)
    if se == "survey" and design is not None:
        cov = design.vcov(U * wn[:, None], bread)
    elif se == "survey":
        cov = design_vcov(U * wn[:, None], bread, strata=strata, cluster=cluster)
    elif se == "cluster":
        cov = design_vcov(U * wn[:, None], bread, strata=None, cluster=cluster)
    elif se == "classic" and not weighted:
        cov = bread
    else:
        raise ValueError(f"se={se!r} is not available for a weighted ordinal model; use "
                         f"se='survey' (the default with weights) or se='cluster'.")
    names = list(Xn.columns) + [f"{levels[i]}|{levels[i + 1]}" for i in range(m)]
    props = np.bincount(codes, weights=wn, minlength=m + 1) / wn.sum()
    ll0 = float(np.sum(wn.sum() * props[props > 0] * np.log(props[props > 0])))
    fit = {"n": int(pos.sum()), "deviance": float(-2 * ll), "pseudo_r2": float(1 - ll / ll0),
           "n_categories": len(levels), "converged": bool(converged)}
    if not weighted and se == "classic":
        fit["aic"] = float(-2 * ll + 2 * (k + m))
    label = SE_NAMES[se].replace("svyglm", "svyolr")
    if se == "survey" and design is not None:
        # rows of weight 0 given by the caller are outside the domain as well
        inside = np.zeros(design.design.n, dtype=bool)
        inside[np.flatnonzero(design.rows)[pos]] = True
        fit["design_df"] = design.design.domain(inside).degf
        label += design.describe().removeprefix("Taylor-linearised")
        if design.design.psu is not None and cluster is None:
            fit["n_clusters"] = design.n_clusters
            _cluster_warning(fit["n_clusters"], "clusters (primary sampling units)")
        if design.design.H > 1 and strata is None:
            fit["n_strata"] = design.n_strata
    elif se == "survey":
        fit["design_df"] = _domain_degf(strata, cluster, pos)
        label += (", strata" if strata is not None else "") + (", clusters" if cluster is not None else "")
    if cluster is not None:
        fit["n_clusters"] = int(pd.Series(np.asarray(cluster, dtype=object)).nunique())
        _cluster_warning(fit["n_clusters"], "clusters (primary sampling units)"
                         if se == "survey" else "clusters")
    if strata is not None and se == "survey":
        fit["n_strata"] = int(pd.Series(np.asarray(strata, dtype=object)).nunique())
    return Fitted(params=pd.Series(theta, index=names), cov=pd.DataFrame(cov, names, names),
                  df=None, model=None, fit=fit, se_type=label, thresholds=names[k:],
                  sd_x=_sd_columns(Xn, w))
