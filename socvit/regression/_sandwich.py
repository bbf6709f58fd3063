"""Sandwich covariance matrices for linear and logistic models (used by socvit.regression).

All functions take the pieces of a fitted (weighted) linear or logistic model:

``X``       the n x p design matrix,
``resid``   the response residuals ``y - mu``,
``w``       the prior (survey) weights (ones when unweighted),
``v``       the working weights of the GLM (ones for a linear model; ``mu (1 - mu)`` for a
            logit),

and return a p x p covariance matrix. The estimating-function ("score") of observation i is

.. math:: u_i = w_i \\, (y_i - \\mu_i) \\, x_i

(for the canonical links used here) and the "bread" is
:math:`A^{-1} = (X^\\top \\operatorname{diag}(w_i v_i) X)^{-1}`.

References
----------
1. Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
   surveys. *International Statistical Review* 51(3), 279-292.
2. Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 5
   (``survey::svyglm``; the variance in ``survey:::svy.varcoef`` and ``svyrecvar``).
3. Zeileis, A., Koell, S., Graham, N. (2020). Various versatile variances: an object-oriented
   implementation of clustered covariances in R. *Journal of Statistical Software* 95(1).
   (``sandwich::vcovCL``, ``sandwich::vcovHC``.)
4. MacKinnon, J. G., White, H. (1985). Some heteroskedasticity-consistent covariance matrix
   estimators with improved finite sample properties. *Journal of Econometrics* 29, 305-325.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _variance
from ..errors import DataError

__all__ = ["bread", "scores", "vcov_survey", "vcov_cluster", "vcov_hc", "survey_df"]


def bread(X, w, v) -> np.ndarray:
    """:math:`(X^\\top \\operatorname{diag}(w v) X)^{-1}` (the unscaled covariance)."""
    X = np.asarray(X, dtype=float)
    return np.linalg.inv(X.T @ (X * (np.asarray(w) * np.asarray(v))[:, None]))


def scores(X, resid, w) -> np.ndarray:
    """Per-observation estimating functions :math:`w_i (y_i - \\mu_i) x_i` (n x p)."""
    return np.asarray(X, dtype=float) * (np.asarray(w) * np.asarray(resid))[:, None]


def _codes(x) -> np.ndarray:
    return pd.factorize(pd.Series(np.asarray(x, dtype=object)), sort=True)[0]


def vcov_survey(X, resid, w, v, strata=None, psu=None, design=None) -> np.ndarray:
    """Taylor-linearised covariance of ``survey::svyglm``.

    .. math::

        V = A^{-1} \\Big[\\sum_h \\frac{n_h}{n_h - 1}
            \\sum_{j=1}^{n_h} (z_{hj} - \\bar z_h)(z_{hj} - \\bar z_h)^\\top\\Big] A^{-1}

    where :math:`z_{hj}` is the total of the scores :math:`u_i` over PSU j of stratum h
    (each observation is its own PSU when ``psu`` is None) and :math:`n_h` the number of PSUs
    in stratum h. This is ``svyrecvar`` applied to ``estfun %*% Ainv`` as in
    ``survey:::svy.varcoef`` [1, 2], computed by :meth:`socvit.survey.Design.score_variance`
    (the variance of :mod:`socvit.estimates` too). ``design``: the
    :class:`socvit.survey.Domain` of the rows of X (the whole design behind them: its PSUs
    per stratum, fpc and calibration, as ``svyglm`` on ``subset(design, ...)``); without it
    a with-replacement design of these rows from ``strata`` and ``psu``. A stratum with a
    single PSU in the whole design raises DataError (R's default
    ``options(survey.lonely.psu = "fail")``).
    """
    if design is None:
        design = rows_design(len(X), strata, psu).domain(np.ones(len(X), dtype=bool))
    return design.vcov(scores(X, resid, w), bread(X, w, v))


def rows_design(n, strata=None, psu=None):
    """A with-replacement :class:`socvit.survey.Design` of n rows from strata/PSU values."""
    from ..survey import Design
    return Design(pd.DataFrame(index=pd.RangeIndex(n)), None, strata, psu)


def survey_df(n, strata=None, psu=None) -> int:
    """Design degrees of freedom (``survey::degf``): number of PSUs minus number of strata."""
    return _variance.psus(n, strata, psu).degf


def vcov_cluster(X, resid, w, v, cluster, k=None, type="HC1") -> np.ndarray:
    """Cluster-robust covariance as ``sandwich::vcovCL(model, cluster = ~g, type = "HC1")``.

    .. math::

        V = \\frac{G}{G-1}\\,\\frac{n-1}{n-k}\\;A^{-1}
            \\Big[\\sum_g \\Big(\\sum_{i \\in g} u_i\\Big)\\Big(\\sum_{i \\in g} u_i\\Big)^\\top\\Big]
            A^{-1}

    with G clusters, n observations and k parameters; ``type="HC0"`` drops the
    :math:`(n-1)/(n-k)` factor (the G/(G-1) factor is vcovCL's default ``cadjust = TRUE``) [3].
    ``k`` defaults to the number of columns of X (pass more when parameters were absorbed,
    as in a within-person model compared with ``lm(y ~ x + factor(id))``).
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    k = p if k is None else k
    A = bread(X, w, v)
    U = pd.DataFrame(scores(X, resid, w)).groupby(_codes(cluster)).sum().to_numpy()
    G = U.shape[0]
    adj = G / (G - 1)
    if type == "HC1":
        adj *= (n - 1) / (n - k)
    elif type != "HC0":
        raise ValueError(f"type must be 'HC0' or 'HC1' for cluster-robust errors, got {type!r}.")
    return adj * A @ (U.T @ U) @ A


def vcov_hc(X, resid, w, v, type="HC3") -> np.ndarray:
    """Heteroskedasticity-consistent covariance as ``sandwich::vcovHC(model, type=...)``.

    .. math:: V = A^{-1} \\Big[\\sum_i \\omega_i u_i u_i^\\top\\Big] A^{-1}

    with :math:`\\omega_i` = 1 (HC0), n/(n-p) (HC1), :math:`1/(1-h_i)` (HC2),
    :math:`1/(1-h_i)^2` (HC3), and :math:`h_i` the diagonal of the weighted hat matrix
    :math:`W^{1/2} X A^{-1} X^\\top W^{1/2}`, W = diag(w v) [3, 4].
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    A = bread(X, w, v)
    U = scores(X, resid, w)
    wv = np.asarray(w) * np.asarray(v)
    if type == "HC0":
        om = np.ones(n)
    elif type == "HC1":
        om = np.full(n, n / (n - p))
    elif type in ("HC2", "HC3"):
        h = np.einsum("ij,jk,ik->i", X, A, X) * wv
        if np.any(h > 1 - 1e-10):
            raise DataError("An observation has leverage 1 (it alone determines a "
                            "coefficient), so HC2/HC3 errors are undefined. Use se='HC1' or "
                            "remove the term that only this observation has.")
        om = 1 / (1 - h) if type == "HC2" else 1 / (1 - h) ** 2
    else:
        raise ValueError(f"se type must be one of HC0, HC1, HC2, HC3, got {type!r}.")
    return A @ (U.T @ (U * om[:, None])) @ A
