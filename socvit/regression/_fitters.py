"""Model fitters behind :func:`socvit.regression.fit` (one function per ``kind``).

Each fitter takes the prepared design (numpy/pandas, no missing values) and returns a
:class:`Fitted`: estimates, their covariance, the reference distribution for tests and
intervals (``df`` = None means normal, a number means Student t), the statsmodels result,
fit statistics and a plain-words description of the standard errors. The public entry point,
the data preparation and the tables live in ``socvit/regression.py``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _sandwich as sw
from ..errors import DataError, SocvitWarning

__all__ = ["Fitted", "fit_glm", "fit_ordinal", "fit_mixed", "fit_within", "check_design",
           "MIN_CLUSTERS"]

MIN_CLUSTERS = 20          # fewer clusters than this: cluster-robust errors are unreliable
OBS_PER_PARAMETER = 10     # fewer observations per parameter than this: warn

SE_NAMES = {
    "classic": "classic (model-based)",
    "HC0": "HC0 (White)", "HC1": "HC1", "HC2": "HC2", "HC3": "HC3",
    "cluster": "cluster-robust (vcovCL)",
    "survey": "Taylor-linearised (svyglm)",
}


@dataclass
class Fitted:
    params: pd.Series
    cov: pd.DataFrame
    df: float | None               # None: normal reference distribution; else t(df)
    model: object                  # the statsmodels result
    fit: dict = field(default_factory=dict)
    se_type: str = ""
    thresholds: list = field(default_factory=list)   # names of ordinal thresholds
    sd_x: pd.Series | None = None  # (weighted) SD of each design column, for standardising
    sd_y: float | None = None


# ------------------------------------------------------------------ checks
def check_design(X: pd.DataFrame, what="the model"):
    """n > p, enough observations per parameter, and a design of full column rank
    (naming the collinear terms)."""
    n, p = X.shape
    if n <= p:
        raise DataError(
            f"{what} has {p} parameters but only {n} complete observations, so it cannot be "
            f"estimated. Use fewer terms (merge categories) or more data; rows with a missing "
            f"value in any model variable are left out.")
    if n < OBS_PER_PARAMETER * p:
        warnings.warn(
            f"{what} has {n} complete observations for {p} parameters (fewer than "
            f"{OBS_PER_PARAMETER} per parameter); estimates will be unstable. Consider fewer "
            f"terms.", SocvitWarning, stacklevel=4)
    A = X.to_numpy(dtype=float)
    if np.linalg.matrix_rank(A) == p:
        return
    kept, problems = [], []
    for j, name in enumerate(X.columns):
        col = A[:, j]
        if not kept:
            if np.allclose(col, 0):
                problems.append(f"'{name}' is zero for every observation used")
            else:
                kept.append(j)
            continue
        B = A[:, kept]
        coef, *_ = np.linalg.lstsq(B, col, rcond=None)
        if np.linalg.norm(col - B @ coef) <= 1e-8 * max(np.linalg.norm(col), 1.0):
            parts = [X.columns[kept[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)]
            problems.append(f"'{name}' is a linear combination of "
                            + (", ".join(f"'{q}'" for q in parts) or "the other terms"))
        else:
            kept.append(j)
    raise DataError(
        f"The design of {what} is singular (collinear terms): " + "; ".join(problems)
        + ". Remove one of the terms involved (e.g. a category that coincides with another "
          "variable, or a variable that is the sum of others).")


def _cluster_warning(n_clusters, what="clusters"):
    if n_clusters < MIN_CLUSTERS:
        warnings.warn(
            f"Only {n_clusters} {what}: cluster-robust and design-based standard errors are "
            f"unreliable with fewer than {MIN_CLUSTERS} clusters (they tend to be too small). "
            f"Interpret p-values with caution.", SocvitWarning, stacklevel=4)


def _separation(X: pd.DataFrame, y: np.ndarray, params=None, cov=None, mu=None):
    """Names of terms that (quasi-)perfectly separate the outcome, or []."""
    names = []
    for c in X.columns:
        col = X[c].to_numpy()
        if c == "Intercept" or not np.isin(col, (0.0, 1.0)).all():
            continue
        for val in (0.0, 1.0):
            sel = col == val
            if sel.sum() and (y[sel].min() == y[sel].max()) and (~sel).sum():
                names.append(c)
                break
    if names or params is None:
        return names
    se = np.sqrt(np.diag(cov))
    huge = [c for c, b, s in zip(X.columns, params, se)
            if c != "Intercept" and (abs(b) > 15 or s > 1e3)]
    if huge or (mu is not None and np.mean((mu < 1e-8) | (mu > 1 - 1e-8)) > 0.5):
        return huge or [c for c in X.columns if c != "Intercept"]
    return []


def _separation_error(names, yname):
    return DataError(
        f"Perfect separation in the logit for '{yname}': the outcome is completely predicted "
        f"by {', '.join(repr(n) for n in names)} (e.g. everyone in a category has the same "
        f"outcome), so its coefficient is infinite. Merge that category with another, drop "
        f"the term, or use a penalised (Firth) model.")


def _wsd(x, w):
    """Weighted SD with denominator sum(w) * (n-1)/n (the ordinary SD when w = 1)."""
    x = np.asarray(x, float)
    w = np.ones(len(x)) if w is None else np.asarray(w, float)
    m = np.average(x, weights=w)
    n = len(x)
    return float(np.sqrt(np.sum(w * (x - m) ** 2) / w.sum() * n / (n - 1)))


def _sd_columns(X, w):
    return pd.Series({c: _wsd(X[c], w) for c in X.columns})


# ------------------------------------------------------------------ ols / logit
def fit_glm(y, X: pd.DataFrame, kind, w=None, se="classic", strata=None, cluster=None,
            yname="y", hc_type=None, design=None):
    """Linear (WLS) or logistic (GLM binomial, weighted ML) model with the chosen errors.

    ``design``: with ``se="survey"``, the :class:`socvit.survey.Domain` of these rows (the
    whole survey design behind them, :meth:`socvit.survey.Design.score_variance`); without
    it the design is made of these rows from ``strata`` and ``cluster``."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.regression.linear_model import WLS

    n, p = X.shape
    weighted = w is not None
    wn = np.ones(n) if w is None else np.asarray(w, float) / np.mean(w)   # svyglm rescaling
    if kind == "logit":
        if not np.isin(y, (0.0, 1.0)).all():
            bad = sorted(set(np.unique(y)) - {0.0, 1.0})[:5]
            raise DataError(f"A logit needs an outcome coded 0/1, but '{yname}' has the "
                            f"value(s) {bad}. Recode it (e.g. (x == code) * 1).")
        sep = _separation(X, y)
        if sep:
            raise _separation_error(sep, yname)
        with warnings.catch_warnings(record=True) as caught, np.errstate(over="ignore"):
            warnings.simplefilter("always")
            try:
                res = GLM(y, X, family=families.Binomial(), var_weights=wn).fit(tol=1e-12)
            except Exception as exc:   # PerfectSeparationError in older statsmodels
                if "separation" in str(exc).lower():
                    raise _separation_error(_separation(X, y) or list(X.columns[1:]), yname) from None
                raise
        with np.errstate(over="ignore"):
            mu = np.asarray(res.fittedvalues)
            sep = _separation(X, y, res.params.to_numpy(), res.cov_params().to_numpy(), mu)
        if sep or any("separation" in str(c.message).lower() for c in caught):
            raise _separation_error(sep or list(X.columns[1:]), yname)
        v = mu * (1 - mu)
    else:
        res = WLS(y, X, weights=wn).fit()
        mu = np.asarray(res.fittedvalues)
        v = np.ones(n)
    resid = y - mu
    Xa = X.to_numpy(float)
    df = (n - p) if kind == "ols" else None
    fit = {"n": n}
    if se == "classic":
        cov = res.cov_params().to_numpy()
    elif se in ("HC0", "HC1", "HC2", "HC3"):
        cov = sw.vcov_hc(Xa, resid, wn, v, type=se)
    elif se == "cluster":
        # vcovCL's default type: HC1 for lm, HC0 for glm (both with G/(G-1))
        cov = sw.vcov_cluster(Xa, resid, wn, v, cluster, type="HC1" if kind == "ols" else "HC0")
        fit["n_clusters"] = int(pd.Series(np.asarray(cluster, dtype=object)).nunique())
        _cluster_warning(fit["n_clusters"])
    elif se == "survey":
        if design is None:
            design = sw.rows_design(n, strata, cluster).domain(np.ones(n, dtype=bool))
        cov = sw.vcov_survey(Xa, resid, wn, v, design=design)
        ddf = design.degf
        df = ddf + 1 - p
        fit["design_df"] = ddf
        if design.design.psu is not None:
            fit["n_clusters"] = design.n_clusters
            _cluster_warning(fit["n_clusters"], "clusters (primary sampling units)")
        if design.design.H > 1:
            fit["n_strata"] = design.n_strata
    else:
        raise ValueError(f"Unknown se {se!r}.")
    if df is not None:
        fit["df_resid"] = df
    if kind == "ols":
        fit.update(r2=float(res.rsquared), adj_r2=float(res.rsquared_adj),
                   sigma=float(np.sqrt(res.scale)))
        sd_y = _wsd(y, w)
    else:
        fit.update(deviance=float(res.deviance), null_deviance=float(res.null_deviance),
                   pseudo_r2=float(1 - res.deviance / res.null_deviance),
                   n_events=int(y.sum()))
        if not weighted:
            fit["aic"] = float(res.aic)
        sd_y = None
    label = SE_NAMES[se]
    if se == "survey":         # e.g. ", strata, clusters, fpc, calibrated (raking)"
        label += design.describe().removeprefix("Taylor-linearised")
    return Fitted(params=res.params, cov=pd.DataFrame(cov, X.columns, X.columns), df=df,
                  model=res, fit=fit, se_type=label, sd_x=_sd_columns(X, w), sd_y=sd_y)


# ------------------------------------------------------------------ ordinal
def fit_ordinal(y: pd.Series, X: pd.DataFrame, yname="y"):
    """Proportional-odds logit, thresholds in MASS::polr's parametrisation.

    statsmodels' OrderedModel stores the first cut point and the logs of the increments;
    polr's thresholds are :math:`\\zeta_k = c_1 + \\sum_{j=2}^{k} e^{u_j}` and their
    covariance follows by the delta method, :math:`J V J^\\top` with
    :math:`\\partial\\zeta_k/\\partial c_1 = 1`, :math:`\\partial\\zeta_k/\\partial u_j = e^{u_j}`
    (j <= k).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    levels = list(y.cat.categories)
    if len(levels) < 3:
        raise DataError(f"An ordinal model needs an outcome with at least three categories; "
                        f"'{yname}' has {len(levels)} ({', '.join(map(str, levels))}) among "
                        f"the observations used. Use kind='logit' for two categories.")
    Xn = X.drop(columns="Intercept")
    check_design(X, "the ordinal model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = OrderedModel(y, Xn, distr="logit").fit(method="newton", disp=False, maxiter=200)
    if not res.mle_retvals.get("converged", False):
        res = OrderedModel(y, Xn, distr="logit").fit(method="bfgs", disp=False, maxiter=5000,
                                                     gtol=1e-10)
        if not res.mle_retvals.get("converged", False):
            warnings.warn(f"The ordinal model for '{yname}' did not converge; check for "
                          f"empty categories or separation.", SocvitWarning, stacklevel=3)
    k = Xn.shape[1]
    raw = res.params.to_numpy()
    V = res.cov_params().to_numpy()
    c = raw[k:]
    zeta = c[0] + np.concatenate([[0.0], np.cumsum(np.exp(c[1:]))])
    m = len(c)
    J = np.eye(k + m)
    for a in range(m):
        J[k + a, k] = 1.0
        for b in range(1, a + 1):
            J[k + a, k + b] = np.exp(c[b])
    names = list(Xn.columns) + [f"{levels[i]}|{levels[i + 1]}" for i in range(m)]
    params = pd.Series(np.concatenate([raw[:k], zeta]), index=names)
    cov = pd.DataFrame(J @ V @ J.T, names, names)
    counts = y.value_counts().reindex(levels).to_numpy(float)
    ll0 = float(np.sum(counts * np.log(counts / counts.sum())))
    fit = {"n": int(len(y)), "deviance": float(-2 * res.llf), "aic": float(-2 * res.llf + 2 * (k + m)),
           "pseudo_r2": float(1 - res.llf / ll0), "n_categories": len(levels)}
    return Fitted(params=params, cov=cov, df=None, model=res, fit=fit,
                  se_type="classic (model-based, inverse Hessian)", thresholds=names[k:],
                  sd_x=_sd_columns(Xn, None))


# ------------------------------------------------------------------ mixed
def fit_mixed(y, X: pd.DataFrame, frame: pd.DataFrame, terms: list, kind="mixed", reml=True,
              yname="y", sd_y=None, env=None, nested=None):
    """Mixed model as lme4 fits it (socvit.regression._mixed, see there for the method).

    ``kind="mixed"``: ``lmer(y ~ x + terms, REML = reml)``; ``kind="mixed_logit"``:
    ``glmer(y ~ x + terms, family = binomial)`` (Laplace). ``terms``: RandomTerm list, the
    grouping columns in ``frame`` as ``_g_<name>``. ``nested``: ``[outer, inner]`` when the
    terms came from ``groups=[outer, inner]`` (its ICCs as before). Fixed-effect covariance
    as lme4's ``vcov``; Wald z tests.
    """
    import patsy

    from . import _mixed

    yv = np.asarray(y, float)
    binary = bool(np.isin(yv, (0.0, 1.0)).all())
    if kind == "mixed" and binary:
        raise DataError(
            f"The outcome '{yname}' is 0/1, and kind='mixed' would fit it as a linear model. "
            f"Use kind='mixed_logit' (a logistic mixed model, as lme4::glmer(family = "
            f"binomial)), or kind='ols' with cluster= (a linear probability model with "
            f"cluster-robust errors).")
    if kind == "mixed_logit":
        if not binary:
            bad = [v for v in pd.unique(yv) if v not in (0.0, 1.0)][:3]
            raise DataError(
                f"kind='mixed_logit' needs a 0/1 outcome; '{yname}' has the values "
                f"{', '.join(f'{v:g}' for v in bad)}. Recode it to 0/1 first (e.g. "
                f"(df['{yname}'] >= 4).astype(int)), or use kind='mixed' for a numeric outcome.")
        if yv.min() == yv.max():
            raise DataError(f"The outcome '{yname}' is {yv[0]:g} for every observation used; a "
                            f"logistic model needs both 0 and 1.")
        names = _separation(X, yv)
        if names:
            raise _separation_error(names, yname)
    random_X = {}
    for t in terms:
        try:
            Xr = patsy.dmatrix("~ " + t.expr, frame, eval_env=env, return_type="dataframe")
        except patsy.PatsyError as exc:
            raise DataError(f"The random-effect term ({t.expr} | {t.name}) cannot be read: "
                            f"{exc}.") from None
        if Xr.shape[1] == 0:
            raise DataError(f"The random-effect term ({t.expr} | {t.name}) has no columns.")
        random_X[t] = Xr
    blocks = _mixed.build_blocks(terms, frame, random_X)
    n = len(yv)
    for b in blocks:
        if b.nlev < 2:
            raise DataError(f"A random effect for '{b.name}' needs at least two groups; the "
                            f"observations used all fall in one. Use kind='ols' or "
                            f"'logit' without it.")
        if kind == "mixed" and b.nlev * b.k >= n:
            raise DataError(
                f"The random effects for '{b.name}' ({b.nlev} groups x {b.k} columns) are as "
                f"many as the {n} observations, so they cannot be told apart from the residual "
                f"(lme4 stops here too). Use a coarser grouping, or drop the term.")
    if kind == "mixed":
        res = _mixed.fit_lmm(yv, X, blocks, reml=reml)
        how = "REML" if reml else "ML"
        se_type = f"model-based ({how}, as lme4 vcov)"
    else:
        res = _mixed.fit_glmm(yv, X, blocks)
        se_type = ("model-based (Laplace ML; finite-difference Hessian, as lme4 vcov)"
                   if res.cov_from_hessian else
                   "model-based (Laplace ML; PIRLS approximation, the Hessian was not "
                   "positive definite)")
    if not res.converged:
        warnings.warn(f"The mixed model for '{yname}' may not have converged; check the "
                      f"estimates (e.g. against lme4) before using them.", SocvitWarning,
                      stacklevel=3)
    if res.singular:
        vc = res.varcorr
        small = [f"'{r.grp}'" + ("" if r.var1 == "(Intercept)" else f" ({r.var1})")
                 for r in vc.itertuples() if r.grp != "Residual" and not r.var2
                 and r.sdcor < 1e-4 * max(1.0, res.sigma)]
        cors = [f"'{r.grp}' ({r.var1}, {r.var2})" for r in vc.itertuples()
                if r.var2 and abs(r.sdcor) > 1 - 1e-6]
        what = "; ".join(filter(None, [
            ("variance ~0 for " + ", ".join(small)) if small else "",
            ("correlation ±1 for " + ", ".join(cors)) if cors else ""])) or "a degenerate term"
        warnings.warn(
            f"Boundary (singular) fit for '{yname}': {what} (lme4's isSingular). The data do "
            f"not support that random effect; simplify the model (drop the term or its "
            f"slope, or use (x || group) without the correlation).", SocvitWarning,
            stacklevel=3)
    fit = {"n": res.nobs}
    if res.reml:
        fit["reml_criterion"] = res.criterion
    else:
        fit["deviance"] = res.criterion
    fit.update(loglik=float(res.loglik), aic=float(res.aic), bic=float(res.bic),
               n_params=int(res.n_params), singular=bool(res.singular))
    for g, k in res.n_groups.items():
        fit[f"n_{_plain(g, nested)}"] = k
    var_int = {}
    for r in res.varcorr.itertuples():
        if r.grp == "Residual":
            continue
        g = _plain(r.grp, nested)
        if not r.var2:
            key = f"var_{g}" if r.var1 == "(Intercept)" else f"var_{g}[{r.var1}]"
            fit[key] = float(r.vcov)
            if r.var1 == "(Intercept)":
                var_int[g] = float(r.vcov)
        else:
            fit[f"cor_{g}[{r.var1},{r.var2}]"] = float(r.sdcor)
    resid = res.sigma ** 2 if kind == "mixed" else np.pi ** 2 / 3
    if kind == "mixed":
        fit["var_residual"] = resid
    only_intercepts = all(b.cols == ["(Intercept)"] for b in blocks)
    if only_intercepts:
        # ICC (latent-scale for the logit, residual pi^2/3): the share of a group's variance;
        # groups=[outer, inner]: two residents of one kern share outer + inner
        total = sum(var_int.values()) + resid
        for g, v in var_int.items():
            fit[f"icc_{g}"] = float(v / total)
        if nested:
            fit[f"icc_{nested[1]}"] = float((var_int[nested[0]] + var_int[nested[1]]) / total)
    return Fitted(params=res.params, cov=res.cov_params, df=None, model=res, fit=fit,
                  se_type=se_type,
                  sd_x=_sd_columns(X.drop(columns="Intercept", errors="ignore"), None),
                  sd_y=sd_y)


def _plain(name, nested):
    """A term's name in fit keys (groups=[outer, inner] keeps 'inner' for outer:inner)."""
    if nested and name == f"{nested[0]}:{nested[1]}":
        return nested[1]
    return name


# ------------------------------------------------------------------ within
def fit_within(y, X: pd.DataFrame, person, cluster=None, yname="y"):
    """Respondent fixed effects by demeaning within person; cluster-robust errors.

    Persons with a single observation are dropped. Estimates equal those of
    ``lm(y ~ x + factor(id))``; the covariance equals ``sandwich::vcovCL(m, cluster = ~id,
    type = "HC1")`` on that lm, i.e. the small-sample factor counts the person dummies:
    :math:`\\frac{G}{G-1}\\frac{n-1}{n-G-p}`; t tests on its residual df n - G - p (as
    ``lmtest::coeftest``). (Stata's ``xtreg, fe vce(cluster id)`` and fixest leave the nested
    dummies out of k and give slightly smaller errors.)
    """
    from statsmodels.regression.linear_model import OLS

    person = pd.Series(np.asarray(person, dtype=object), index=X.index)
    counts = person.map(person.value_counts())
    keep = (counts > 1).to_numpy()
    n_single = int((~keep).sum())
    y, X, person = np.asarray(y, float)[keep], X.loc[keep], person[keep]
    if cluster is None:
        cluster = person
    else:
        cluster = pd.Series(np.asarray(cluster, dtype=object)[keep], index=X.index)
        nested = pd.DataFrame({"p": person, "c": cluster}).groupby("p")["c"].nunique()
        if (nested > 1).any():
            raise DataError(f"Person {nested[nested > 1].index[0]!r} falls in more than one "
                            f"cluster; within-person errors need persons nested in clusters.")
    G_person = int(person.nunique())
    Xs = X.drop(columns="Intercept", errors="ignore")
    Xd = Xs - Xs.groupby(person.to_numpy()).transform("mean")
    yd = y - pd.Series(y, index=X.index).groupby(person.to_numpy()).transform("mean").to_numpy()
    flat = [c for c in Xd.columns if np.allclose(Xd[c].to_numpy(), 0, atol=1e-10 * (1 + Xs[c].abs().max()))]
    if flat:
        raise DataError(
            f"{', '.join(repr(c) for c in flat)} {'does' if len(flat) == 1 else 'do'} not "
            f"vary within persons (the same value in every wave), so a within-person model "
            f"cannot estimate {'its' if len(flat) == 1 else 'their'} effect. "
            f"Remove it from the formula, or use kind='mixed' or kind='ols'.")
    n, p = Xd.shape
    check_design(Xd, "the within-person model")
    if n - G_person - p <= 0:
        raise DataError("Too few repeated observations for a within-person model: "
                        f"{n} observations of {G_person} persons and {p} terms.")
    res = OLS(yd, Xd).fit()
    resid = yd - np.asarray(res.fittedvalues)
    k_full = G_person + p
    cov = sw.vcov_cluster(Xd.to_numpy(float), resid, np.ones(n), np.ones(n), cluster.to_numpy(),
                          k=k_full)
    G = int(pd.Series(cluster).nunique())
    _cluster_warning(G, "persons (clusters)" if G == G_person else "clusters")
    df = n - k_full
    sst = float(np.sum(yd ** 2))
    fit = {"n": n, "n_persons": G_person, "n_clusters": G, "n_single_dropped": n_single,
           "df_resid": df, "r2_within": 1 - float(np.sum(resid ** 2)) / sst if sst > 0 else np.nan}
    return Fitted(params=res.params, cov=pd.DataFrame(cov, Xd.columns, Xd.columns), df=df,
                  model=res, fit=fit, se_type="cluster-robust by person (vcovCL, HC1, "
                  "person dummies counted)", sd_x=_sd_columns(Xs, None), sd_y=_wsd(y, None))
