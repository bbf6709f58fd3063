"""fit(): tidy regression models with survey-correct standard errors (see :mod:`socvit.regression`)."""

from __future__ import annotations

import ast
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import _clogit, _fitters, _ordinal
from .. import _inputs
from .. import survey as _survey
from ..errors import DataError

__all__ = ["fit", "ModelResult", "KINDS", "SE_TYPES"]

KINDS = ("ols", "logit", "ordinal", "mixed", "mixed_logit", "within", "within_logit")
SE_TYPES = ("classic", "HC0", "HC1", "HC2", "HC3", "cluster", "survey")
# names a formula may use that are not columns (patsy and numpy helpers)
_FORMULA_NAMES = {"C", "I", "Q", "np", "numpy", "center", "standardize", "scale", "Treatment",
                  "Sum", "Poly", "Diff", "Helmert", "bs", "cr", "cc", "te", "log", "exp",
                  "sqrt", "abs", "True", "False", "None"}


# ====================================================================== result objects
@dataclass
class ModelResult:
    """A fitted model. ``table``: one row per term (term, [label], estimate, se, ci_lower,
    ci_upper, p, [odds_ratio, or_ci_lower, or_ci_upper], [std_estimate]); ``n``: observations
    used; ``n_dropped``: rows left out for missing values; ``fit``: fit statistics (ols: r2,
    adj_r2, sigma; logit: deviance, null_deviance, pseudo_r2 (McFadden), aic when unweighted;
    ordinal: deviance, aic (unweighted), pseudo_r2, n_categories; mixed and mixed_logit:
    loglik, aic, bic (as lme4's logLik/AIC/BIC; the REML criterion's for a REML fit),
    reml_criterion (REML) or deviance (ML), n_params, singular (lme4's isSingular),
    n_<group>, var_<group> (intercept), var_<group>[x] and cor_<group>[a,b] (slopes),
    var_residual (mixed), icc_<group> (intercepts only; latent scale, residual
    pi^2/3, for mixed_logit); within: r2_within, n_persons; within_logit:
    n_persons (respondents whose outcome changes), n_persons_no_change and n_rows_no_change
    (left out: they carry no information), loglik, loglik_null, n_events; and n_clusters,
    n_strata, design_df, df_resid where they apply); ``model``: the statsmodels result (for
    ``mixed``/``mixed_logit`` the lme4-style fit of :mod:`socvit.regression._mixed`, with
    ``varcorr``, ``theta``, ``ranef``; None for a weighted or design-based
    ordinal model); ``se_type``: the standard errors in plain words;
    ``cov``: the covariance matrix of the estimates."""

    table: pd.DataFrame
    n: int
    fit: dict
    model: object
    se_type: str
    kind: str
    formula: str
    n_dropped: int = 0
    level: float = 0.95
    cov: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> str:
        """A readable text summary (the table plus fit statistics)."""
        cols = [c for c in ("label" if "label" in self.table else "term", "estimate", "se",
                            "ci_lower", "ci_upper", "p", "odds_ratio", "std_estimate")
                if c in self.table]
        with pd.option_context("display.width", 120, "display.max_columns", 20,
                               "display.float_format", "{:.4g}".format):
            body = self.table[cols].to_string(index=False)
        stats_ = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}"
                           for k, v in self.fit.items())
        head = (f"{self.kind} model: {self.formula}\n"
                f"n = {self.n} (left out for missing values: {self.n_dropped}); "
                f"standard errors: {self.se_type}; {int(round(self.level * 100))}% intervals")
        return f"{head}\n{body}\n{stats_}"

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        return (f"<p><b>{html.escape(self.kind)}</b>: {html.escape(self.formula)} "
                f"(n = {self.n}; {html.escape(self.se_type)})</p>" + self.table.to_html(index=False))


# ====================================================================== formula checks
def _formula_names(formula: str):
    """(outcome names, predictor names) used by a patsy formula."""
    import patsy
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as exc:
        raise DataError(f"The formula {formula!r} cannot be read: {exc}. Write it as "
                        f"'outcome ~ term + term', e.g. 'actief ~ bereidheid + geslacht'.") from None
    sides = []
    for terms in (desc.lhs_termlist, desc.rhs_termlist):
        names = []
        for term in terms:
            for factor in term.factors:
                for name in _code_names(factor.code):
                    if name not in names:
                        names.append(name)
        sides.append(names)
    return sides


def _code_names(code: str):
    tree = ast.parse(code.strip(), mode="eval")
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q":
            if node.args and isinstance(node.args[0], ast.Constant):
                out.append(str(node.args[0].value))
        elif isinstance(node, ast.Name):
            out.append(node.id)
        elif isinstance(node, ast.Attribute):
            pass
    return out


def _check_names(names, columns, env_names, formula):
    """Every name of the formula is a column, a formula function or a name of the caller's
    namespace (``env_names``: anything supporting ``in``, e.g. patsy's
    ``EvalEnvironment.namespace``)."""
    cols = [str(c) for c in columns]
    for name in names:
        if name in cols or name in _FORMULA_NAMES or name in env_names:
            continue
        raise DataError(
            f"Column '{name}' in the formula {formula!r} is not in the data."
            f"{_inputs.close_names(name, cols)} Check the "
            f"spelling, or compute the column first (scale scores: socvit.scales.score).")


# ====================================================================== data preparation
def _as_model_column(s: pd.Series) -> pd.Series:
    """Int64/boolean/Float -> float64 with NaN; strings -> Categorical; Categorical kept."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)
    cat = s.astype("object").where(s.notna(), None)
    return pd.Series(pd.Categorical(cat), index=s.index, name=s.name)


def _column(data, spec, what):
    """A strata/cluster/groups argument: a column name or an array of len(data)."""
    return _inputs.column_values(data, spec, what)


def _resolve_se(se, kind, weights, strata, cluster):
    if kind == "within_logit" and (strata is not None or cluster is not None):
        raise ValueError("kind='within_logit' takes no strata= or cluster=: its errors are "
                         "model-based (as survival::clogit and Stata's xtlogit, fe); the "
                         "respondent is given by groups=.")
    if se is None:
        if kind in ("mixed", "mixed_logit", "within_logit"):
            return "classic"
        if kind == "within":
            return "cluster"
        if weights is not None or strata is not None:
            return "survey"
        return "cluster" if cluster is not None else "classic"
    if se not in SE_TYPES:
        raise ValueError(f"se must be one of {', '.join(SE_TYPES)} or None, got {se!r}.")
    if kind in ("mixed", "mixed_logit", "within_logit") and se != "classic":
        raise ValueError(f"kind={kind!r} supports only model-based errors (se='classic' or "
                         f"None), got se={se!r}.")
    if kind == "ordinal" and se not in ("classic", "survey", "cluster"):
        raise ValueError(f"kind='ordinal' takes model-based (se='classic'), design-based "
                         f"(se='survey', as survey::svyolr) or cluster-robust (se='cluster') "
                         f"errors, got se={se!r}.")
    if kind == "within" and se != "cluster":
        raise ValueError("kind='within' uses errors clustered by respondent (se='cluster' or "
                         f"None), got se={se!r}.")
    if se == "classic" and weights is not None:
        raise ValueError("se='classic' with survey weights would treat them as precision "
                         "weights and give wrong standard errors. Use se='survey' (the "
                         "default with weights) or se='cluster'.")
    if se == "cluster" and cluster is None and kind != "within":
        raise ValueError("se='cluster' needs cluster= (a column such as 'kern' or 'gemeente').")
    if strata is not None and se != "survey":
        raise ValueError(f"strata= is used only by se='survey', not se={se!r}.")
    return se


# ====================================================================== fit
def fit(formula: str, data, kind: str = "ols", weights=None, strata=None, cluster=None, se=None,
        labels=None, standardize: bool = False, level: float = 0.95, groups=None,
        reml=None, subset=None, fpc=None) -> ModelResult:
    """Fit a regression model and return a tidy table with survey-correct errors.

    Parameters
    ----------
    formula : str
        A patsy formula, e.g. ``"actief ~ bereidheid + capaciteit + leeftijdsklasse"``.
        Categorical columns get treatment coding (first category is the reference).
    data : DataFrame or socvit Panel
        The data. Panel columns (nullable Int64 codes, Categoricals) are converted; rows
        with a missing value in any model variable (or design column) are left out and
        counted in ``n_dropped``.
    kind : {"ols", "logit", "ordinal", "mixed", "mixed_logit", "within", "within_logit"}
        ``ols``: WLS/OLS (statsmodels). ``logit``: binomial GLM (statsmodels), outcome 0/1.
        ``ordinal``: proportional-odds logit, outcome numeric codes or an ordered
        Categorical; unweighted with model-based errors statsmodels' OrderedModel (as
        ``MASS::polr``), with weights, strata or clusters weighted maximum likelihood with
        design-based errors as ``survey::svyolr`` (:mod:`socvit.regression._ordinal`).
        ``mixed``: linear mixed model as ``lme4::lmer`` (REML, or ML with ``reml=False``);
        ``mixed_logit``: logistic mixed model for a 0/1 outcome as ``lme4::glmer(family =
        binomial)`` with the Laplace approximation (a 0/1 outcome with ``kind="mixed"`` is
        refused, never fitted as linear). Random effects as lme4 terms in the formula:
        ``(1 | kern)``, ``(1 + x | kern)`` (random slope, correlated with the intercept),
        ``(x || kern)`` (uncorrelated), ``(1 | gemeente/kern)`` (nested), crossed side by
        side ``(1 | kern) + (1 | resp_id)``; or ``groups=``
        (:mod:`socvit.regression._mixed`). ``within``: person-demeaned OLS; on a 0/1 outcome this is
        the linear probability model (coefficients are differences in probability).
        ``within_logit``: conditional (fixed-effects) logit for a 0/1 outcome, as
        ``survival::clogit(y ~ x + strata(id))`` and Stata's ``xtlogit, fe``
        (:mod:`socvit.regression._clogit`); respondents whose outcome never changes carry
        no information and are left out (counted in ``fit``).
    weights : str, array, RakeResult or Design, optional
        Survey (sampling/raking) weights. Point estimates are weighted least squares /
        weighted maximum likelihood, as svyglm and svyolr; weights are not allowed for
        mixed, mixed_logit, within and within_logit models (raises DataError: there is no
        design-based mixed model here, and lme4's ``weights`` are precision weights). A
        survey design (:func:`socvit.survey.design`) brings its strata, clusters and fpc; a
        :func:`socvit.weighting.rake` result (or its ``.design``) is the calibrated design,
        as svyglm on a ``rake()``d design (``se_type`` says "calibrated (raking)").
    strata, cluster : str or array, optional
        Strata and primary sampling units of the design (``se="survey"``), or the clusters of
        ``se="cluster"``. For ``kind="within"`` ``cluster`` defaults to the respondent.
    se : {None, "classic", "HC0", "HC1", "HC2", "HC3", "cluster", "survey"}
        See the module docstring; None picks the survey-correct default.
    labels : {None, "nl"}
        "nl" adds a ``label`` column with Dutch labels from the panel's codebook
        (``"Leeftijdsklasse: 65 jaar en ouder"``).
    standardize : bool
        Add ``std_estimate``: :math:`b_j s_{x_j} / s_y` (ols, mixed, within) or
        :math:`b_j s_{x_j}` (logit, ordinal: x only, the latent scale has a fixed variance),
        with (weighted) standard deviations of the design columns.
    level : float
        Confidence level of the intervals.
    groups : str or list of str, optional
        ``mixed``, ``mixed_logit`` without random terms in the formula: the
        random-intercept column(s), outer first, e.g. ``["gemeente", "kern"]`` (kern nested
        in gemeente; default: the panel's kern column). ``within``, ``within_logit``: the
        respondent id (default: the panel's id column).
    reml : bool, optional
        ``mixed`` only: True (default) for REML, False for maximum likelihood (needed to
        compare models with different fixed effects by a likelihood-ratio test).
    subset : bool mask, Series or str, optional
        A domain, e.g. ``"gemeente == 'GM0014'"`` (``DataFrame.eval``): the model is fitted
        on its rows while design-based errors keep the whole design (every PSU and stratum),
        as ``svyglm(..., design = subset(des, ...))``. Rows with a missing value likewise
        keep the design's PSU counts, as R does.
    fpc : str or array, optional
        Finite population correction (``se="survey"``), as in :func:`socvit.survey.design`.

    Returns
    -------
    ModelResult
        ``.table``, ``.n``, ``.fit``, ``.model``, ``.se_type``, ``summary()``.

    Notes
    -----
    Survey errors (``se="survey"``) are the Taylor linearisation of the weighted estimating
    equations [1, 2]:

    .. math:: V = A^{-1} \\Big[\\sum_h \\tfrac{n_h}{n_h-1}\\sum_j (z_{hj}-\\bar z_h)
              (z_{hj}-\\bar z_h)^\\top\\Big] A^{-1}

    with :math:`z_{hj}` the PSU totals of the scores :math:`w_i(y_i-\\mu_i)x_i`; equal to
    ``survey::svyglm`` (gaussian, quasibinomial). Cluster-robust errors equal
    ``sandwich::vcovCL`` [3]; ordinal thresholds are given as ``MASS::polr``'s
    :math:`\\zeta_k` in :math:`\\operatorname{logit} P(Y \\le k) = \\zeta_k - x^\\top\\beta` [5],
    so a positive coefficient (odds ratio > 1) means higher categories. A weighted or
    design-based ordinal model uses the same Taylor variance with the scores of the
    proportional-odds likelihood and its Hessian (``survey::svyolr``) and, as ``confint`` on
    svyolr, normal intervals; ``within_logit`` uses the model-based errors of the
    conditional likelihood [6] and Wald z tests, as ``clogit``'s summary.

    References
    ----------
    1. Binder, D. A. (1983). On the variances of asymptotically normal estimators from
       complex surveys. International Statistical Review 51, 279-292.
    2. Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
    3. Zeileis, A., Koell, S., Graham, N. (2020). Various versatile variances. Journal of
       Statistical Software 95(1).
    4. Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear mixed-effects
       models using lme4. Journal of Statistical Software 67(1).
    5. McCullagh, P. (1980). Regression models for ordinal data. Journal of the Royal
       Statistical Society B 42(2), 109-142.
    6. Chamberlain, G. (1980). Analysis of covariance with qualitative data. Review of
       Economic Studies 47(1), 225-238.

    Examples
    --------
    >>> margins = sv.weighting.margins_from_population(bevolking, golf=2023)
    >>> d = df.assign(gewicht=sv.weighting.rake(df, margins, by="gemeente").weights)
    >>> # In R: svyglm(actief ~ bereidheid, design = svydesign(ids = ~kern, strata =
    >>> #        ~gemeente, weights = ~gewicht, data = d), family = quasibinomial)
    >>> res = fit("actief ~ bereidheid", d, kind="logit", weights="gewicht",
    ...           strata="gemeente", cluster="kern")
    >>> res.table[["term", "estimate", "se", "p"]].round(3)
             term  estimate     se    p
    0   Intercept    -4.224  0.208  0.0
    1  bereidheid     0.921  0.055  0.0
    >>> # In R: lmer(rapportcijfer ~ contact_gemeente + (1 | kern), data = d)
    >>> res = fit("rapportcijfer ~ contact_gemeente", d, kind="mixed", groups="kern")
    >>> res.table[["term", "estimate", "se"]].round(3)
                   term  estimate     se
    0         Intercept     5.586  0.063
    1  contact_gemeente     0.432  0.019
    >>> # In R: glmer(actief ~ bereidheid + (1 | kern), data = d, family = binomial)
    >>> res = fit("actief ~ bereidheid + (1 | kern)", d, kind="mixed_logit")
    >>> res.table[["term", "odds_ratio", "se"]].round(3)
             term  odds_ratio     se
    0   Intercept         NaN  0.230
    1  bereidheid       2.725  0.059
    >>> # In R: anova(lmer(rapportcijfer ~ factor(golf) + (1 | kern) + (1 | resp_id), p,
    >>> #   REML = FALSE), lmer(rapportcijfer ~ factor(golf) + leeftijdsklasse + (1 | kern)
    >>> #   + (1 | resp_id), p, REML = FALSE))
    >>> m0 = fit("rapportcijfer ~ C(golf) + (1 | kern) + (1 | resp_id)", panel, kind="mixed",
    ...          reml=False)
    >>> m1 = fit("rapportcijfer ~ C(golf) + leeftijdsklasse + (1 | kern) + (1 | resp_id)",
    ...          panel, kind="mixed", reml=False)
    >>> round(2 * (m1.fit["loglik"] - m0.fit["loglik"]), 2), m1.fit["n_params"] - m0.fit["n_params"]
    (0.94, 3)
    >>> # In R: svyolr(factor(budget_3) ~ bereidheid + leeftijdsklasse, design = svydesign(
    >>> #        ids = ~kern, strata = ~gemeente, weights = ~gewicht, data = d, nest = TRUE))
    >>> res = fit("budget_3 ~ bereidheid + leeftijdsklasse", d, kind="ordinal",
    ...           weights="gewicht", strata="gemeente", cluster="kern")
    >>> res.table[["term", "estimate", "se"]].round(3)
                                      term  estimate     se
    0        leeftijdsklasse[T.35-49 jaar]    -0.166  0.127
    1        leeftijdsklasse[T.50-64 jaar]    -0.198  0.094
    2  leeftijdsklasse[T.65 jaar en ouder]    -0.175  0.086
    3                           bereidheid     0.109  0.052
    4                                  1|2    -3.310  0.252
    5                                  2|3    -1.464  0.197
    6                                  3|4     0.023  0.205
    7                                  4|5     1.566  0.208
    >>> # In R: clogit(actief ~ factor(golf) + bereidheid + strata(resp_id), data = p)
    >>> p = panel.data.join(sv.scales.score_all(panel))
    >>> res = fit("actief ~ C(golf) + bereidheid", p, kind="within_logit", groups="resp_id")
    >>> res.table[["term", "odds_ratio", "p"]].round(3)
                  term  odds_ratio      p
    0  C(golf)[T.2019]       1.046  0.496
    1  C(golf)[T.2021]       1.014  0.833
    2  C(golf)[T.2023]       0.990  0.892
    3       bereidheid       1.618  0.000
    >>> res.fit["n_persons"], res.fit["n_persons_no_change"]
    (1999, 3595)
    """
    import patsy

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level!r}.")
    if labels not in (None, "nl"):
        raise ValueError(f"labels must be None or 'nl', got {labels!r}.")
    codebook = _inputs.codebook(data)
    data = _inputs.frame(data)
    if labels == "nl" and codebook is None:
        raise ValueError("labels='nl' needs a socvit Panel (its codebook has the labels).")
    if reml is not None and kind != "mixed":
        raise ValueError(f"reml= applies to kind='mixed' only, not kind={kind!r} (a mixed "
                         f"logit is fitted by maximum likelihood, Laplace, as lme4::glmer).")
    if kind in ("mixed", "mixed_logit", "within", "within_logit") and weights is not None:
        raise DataError(
            f"kind={kind!r} does not take survey weights: its fitter has no weighted "
            f"likelihood, and ignoring them silently would be wrong. Fit an "
            f"(unweighted) model, or use kind='ols'/'logit' with weights for design-based "
            f"estimates. (Frequency weights can be expanded to rows with df.loc[df.index."
            f"repeat(w)].)")
    if se is None and fpc is not None:          # a finite population: a survey design
        se = "survey"
    se = _resolve_se(se, kind, weights, strata, cluster)

    env = patsy.EvalEnvironment.capture(1).with_outer_namespace({"np": np})
    fixed, random_terms = formula, []
    if "|" in formula:                      # lme4-style random-effect terms
        from . import _mixed
        fixed, random_terms = _mixed.split_formula(formula)
        if random_terms and kind not in ("mixed", "mixed_logit"):
            raise DataError(f"The formula {formula!r} has random-effect terms ( ... | group); "
                            f"they need kind='mixed' (numeric outcome) or kind='mixed_logit' "
                            f"(0/1 outcome), not kind={kind!r}.")
    lhs, rhs = _formula_names(fixed)
    for t in random_terms:
        rhs = rhs + [n for n in _formula_names("y ~ " + t.expr)[1] if n not in rhs]
    if not lhs:
        raise DataError(f"The formula {formula!r} has no outcome; write 'outcome ~ terms'.")
    _check_names(lhs + rhs, data.columns, env.namespace, formula)

    mixed = kind in ("mixed", "mixed_logit")
    if mixed and random_terms and groups is not None:
        raise ValueError("Give the random effects either in the formula ('y ~ x + (1 | kern)') "
                         "or with groups=, not both.")
    if kind in ("mixed", "mixed_logit", "within", "within_logit") and groups is None \
            and not random_terms:
        kind_col = "kern" if mixed else "id"
        groups = codebook.column(kind_col) if codebook is not None else None
        if groups is None:
            raise ValueError(f"kind={kind!r} needs groups= (the {'kern' if mixed else 'respondent id'} column).")
    group_cols = [groups] if isinstance(groups, str) else list(groups or [])
    nested = None
    if mixed and not random_terms:
        if not 1 <= len(group_cols) <= 2:
            raise ValueError(f"groups for kind={kind!r} is one column or two (outer, inner); "
                             f"for other designs write the terms in the formula, e.g. "
                             f"'y ~ x + (1 | kern) + (1 | resp_id)'.")
        from . import _mixed
        random_terms = _mixed.terms_from_groups(group_cols)
        nested = group_cols if len(group_cols) == 2 else None
    if mixed:
        group_cols = list(dict.fromkeys(f for t in random_terms for f in t.factors))

    used = [c for c in dict.fromkeys(lhs + rhs) if c in data.columns]
    frame = pd.DataFrame({c: _as_model_column(data[c]) for c in used}, index=data.index)
    # a kern name in two gemeenten is two kernen (a cluster, a random intercept); nested
    # groups [gemeente, kern] are told apart by the fitter already
    extra = {"_strata": _column(data, strata, "strata"),
             "_cluster": _column(data, _inputs.kern_column(data, cluster, codebook), "cluster")}
    for g in group_cols:
        spec = _inputs.kern_column(data, g, codebook) if len(group_cols) == 1 or mixed else g
        extra[f"_g_{g}"] = _column(data, spec, "groups")
    for key, s in extra.items():
        if s is not None:
            frame[key] = s.astype("object").where(s.notna(), None)
    # a domain (subset=) and rows with missing values keep the whole survey design, as
    # svyglm on subset(design, ...) in R (socvit.survey)
    keep = _survey.rows(data, subset)
    keep = np.ones(len(data), dtype=bool) if keep is None else keep
    design = None
    if se == "survey" and kind in ("ols", "logit", "ordinal"):
        design = _inputs.design(data, weights, strata, cluster, fpc, codebook,
                                rows=frame.notna().all(axis=1).to_numpy() & keep)
        frame = frame.drop(columns=["_strata", "_cluster"], errors="ignore")
        if design.weighted:
            frame["_w"] = design.w
    elif fpc is not None:
        raise ValueError(f"fpc= is used only by design-based errors (se='survey'), not "
                         f"se={se!r} with kind={kind!r}.")
    elif weights is not None:     # checked among the respondents in the model only
        frame["_w"] = _inputs.weights(data, weights, rows=frame.notna().all(axis=1) & keep)
    complete = frame.notna().all(axis=1) & keep
    n_dropped = int((~complete & keep).sum())
    frame = frame.loc[complete]
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].cat.remove_unused_categories()
        elif c in used and pd.api.types.is_integer_dtype(data[c].dtype):
            frame[c] = frame[c].astype("int64")       # codes: C(golf) gives "2019", not "2019.0"
    if frame.empty:
        raise DataError(f"No complete observations for {formula!r}: every row has a missing "
                        f"value in one of {', '.join(used)}.")
    for key in ("_w", "_strata", "_cluster"):
        if key not in frame:
            frame[key] = None
    ext = {k: (None if frame[k].isna().all() else frame[k].to_numpy()) for k in ("_w", "_strata", "_cluster")}
    domain = None if design is None else design.domain(complete.to_numpy())
    yname = lhs[0]

    if kind == "ordinal":
        if len(lhs) != 1:
            raise DataError("An ordinal model's outcome must be one column, e.g. 'rapportcijfer ~ x'.")
        ycol = frame[yname]
        if not isinstance(ycol.dtype, pd.CategoricalDtype):
            if not pd.api.types.is_numeric_dtype(ycol.dtype):
                raise DataError(f"The ordinal outcome '{yname}' must be numeric codes or an "
                                f"ordered categorical, got dtype {ycol.dtype}.")
            if np.all(np.mod(ycol.to_numpy(float), 1) == 0):
                ycol = ycol.astype("int64")
            ycol = pd.Series(pd.Categorical(ycol, categories=sorted(ycol.unique()), ordered=True),
                             index=ycol.index)
        elif not ycol.cat.ordered:
            ycol = ycol.cat.as_ordered()
        rhs_formula = "~ " + formula.split("~", 1)[1]
        X = patsy.dmatrix(rhs_formula, frame, eval_env=env, return_type="dataframe")
        if "Intercept" not in X:
            raise DataError("An ordinal model has no intercept (the thresholds take its place); "
                            "remove '- 1' / '+ 0' from the formula.")
        if ext["_w"] is None and se == "classic":
            fitted = _fitters.fit_ordinal(ycol, X, yname=yname)
        else:
            fitted = _ordinal.fit_ordinal_weighted(ycol, X, w=ext["_w"], se=se,
                                                   strata=ext["_strata"],
                                                   cluster=ext["_cluster"], yname=yname,
                                                   design=domain)
    else:
        Y, X = patsy.dmatrices(fixed, frame, eval_env=env, return_type="dataframe")
        if Y.shape[1] != 1:
            raise DataError(f"The outcome '{yname}' is categorical ({Y.shape[1]} columns). For "
                            f"a 0/1 logit pass a numeric 0/1 column; for ordered categories "
                            f"use kind='ordinal'.")
        y = Y.iloc[:, 0].to_numpy(float)
        if kind in ("ols", "logit"):
            _fitters.check_design(X, f"the {kind} model {formula!r}")
            fitted = _fitters.fit_glm(y, X, kind, w=ext["_w"], se=se, strata=ext["_strata"],
                                     cluster=ext["_cluster"], yname=yname, design=domain)
        elif mixed:
            _fitters.check_design(X, f"the mixed model {formula!r}")
            fitted = _fitters.fit_mixed(y, X, frame, random_terms, kind=kind,
                                       reml=True if reml is None else bool(reml), yname=yname,
                                       sd_y=_fitters._wsd(y, None), env=env, nested=nested)
        elif kind == "within_logit":
            fitted = _clogit.fit_within_logit(y, X, frame[f"_g_{group_cols[0]}"].to_numpy(),
                                              yname=yname)
        else:
            fitted = _fitters.fit_within(y, X, frame[f"_g_{group_cols[0]}"].to_numpy(),
                                        cluster=ext["_cluster"], yname=yname)
    table = _table(fitted, kind, level, standardize)
    if labels == "nl":
        table.insert(1, "label", [_label(t, codebook, fitted.thresholds, yname) for t in table.term])
    return ModelResult(table=table, n=int(fitted.fit["n"]), fit=fitted.fit, model=fitted.model,
                       se_type=fitted.se_type, kind=kind, formula=formula, n_dropped=n_dropped,
                       level=level, cov=fitted.cov)


def _table(f: _fitters.Fitted, kind, level, standardize) -> pd.DataFrame:
    est = f.params.to_numpy(float)
    se = np.sqrt(np.diag(f.cov.to_numpy(float)))
    if f.df is None:
        q = stats.norm.ppf(0.5 + level / 2)
        p = 2 * stats.norm.sf(np.abs(est / se))
    else:
        q = stats.t.ppf(0.5 + level / 2, f.df)
        p = 2 * stats.t.sf(np.abs(est / se), f.df)
    t = pd.DataFrame({"term": list(f.params.index), "estimate": est, "se": se,
                      "ci_lower": est - q * se, "ci_upper": est + q * se, "p": p})
    if kind in ("logit", "ordinal", "within_logit", "mixed_logit"):
        is_thr = t.term.isin(f.thresholds) | (t.term == "Intercept")
        t["odds_ratio"] = np.where(is_thr, np.nan, np.exp(est))
        t["or_ci_lower"] = np.where(is_thr, np.nan, np.exp(t.ci_lower))
        t["or_ci_upper"] = np.where(is_thr, np.nan, np.exp(t.ci_upper))
    if standardize:
        sd_x = (f.sd_x if f.sd_x is not None else pd.Series(dtype=float)).reindex(t.term)
        scale = sd_x.to_numpy(float) / (f.sd_y if kind in ("ols", "mixed", "within") else 1.0)
        t["std_estimate"] = np.where(t.term.isin(["Intercept"] + list(f.thresholds)), np.nan,
                                     est * scale)
    return t


# ====================================================================== Dutch labels
def _label(term: str, cb, thresholds, yname) -> str:
    if term == "Intercept":
        return "Constante"
    if term in thresholds:
        lo, hi = term.split("|", 1)
        return f"Drempel {_value_label(cb, yname, lo)} | {_value_label(cb, yname, hi)}"
    return " × ".join(_factor_label(part, cb) for part in term.split(":"))


def _value_label(cb, var, value):
    v = cb.variables.get(var)
    if v is not None and v.values:
        try:
            return v.values.get(int(float(value)), value)
        except ValueError:
            return value
    return value


def _factor_label(part: str, cb) -> str:
    name, level = part, None
    if part.endswith("]") and "[" in part:
        name, level = part[:-1].split("[", 1)
        level = level[2:] if level.startswith("T.") else level
    if name.startswith("C(") and name.endswith(")"):
        name = name[2:-1].split(",")[0].strip()
    if name.startswith("Q(") and name.endswith(")"):
        name = name[2:-1].strip("'\"")
    label = cb.label(name) if cb is not None else name
    if level is not None:
        return f"{label}: {_value_label(cb, name, level)}"
    return label

