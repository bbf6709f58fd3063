"""Tidy regression models for panel survey data, with survey-correct standard errors.

>>> import socvit as sv
>>> margins = sv.weighting.margins_from_population(bevolking, golf=2023)
>>> d = df.assign(gewicht=sv.weighting.rake(df, margins, by="gemeente").weights)
>>> # In R: svyglm(actief ~ bereidheid + capaciteit + leeftijdsklasse, family = quasibinomial,
>>> #              design = svydesign(ids = ~1, strata = ~gemeente, weights = ~gewicht, data = d))
>>> res = sv.regression.fit("actief ~ bereidheid + capaciteit + leeftijdsklasse", d,
...                         kind="logit", weights="gewicht", strata="gemeente")
>>> res.table[["term", "odds_ratio", "or_ci_lower", "or_ci_upper"]].round(2)
                                  term  odds_ratio  or_ci_lower  or_ci_upper
0                            Intercept         NaN          NaN          NaN
1        leeftijdsklasse[T.35-49 jaar]        1.07         0.79         1.45
2        leeftijdsklasse[T.50-64 jaar]        1.40         1.06         1.86
3  leeftijdsklasse[T.65 jaar en ouder]        2.00         1.53         2.62
4                           bereidheid        1.82         1.59         2.10
5                           capaciteit        1.60         1.42         1.82

Kinds: ``ols`` (linear), ``logit`` (binary 0/1 outcome), ``ordinal`` (proportional-odds
logit; with weights, strata or clusters as ``survey::svyolr``), ``mixed`` (linear mixed model with
lme4-style random-effect terms in the formula, ``(1 | kern)``, ``(1 + x | kern)``,
``(x || kern)``, nested ``(1 | gemeente/kern)`` and crossed terms; ML or REML, ``reml=``),
``mixed_logit`` (its binary-outcome counterpart, ``lme4::glmer(family = binomial)`` by the
Laplace approximation), ``within`` (respondent fixed effects across waves; on a 0/1
outcome the linear probability model), ``within_logit`` (conditional logit for a 0/1 outcome
across waves, as ``survival::clogit`` / Stata's ``xtlogit, fe``). :func:`side_by_side` sets
several models side by side.

Survey designs: ``weights=`` takes a column, an array, a :class:`socvit.survey.Design`
(``sv.survey.design(...)``) or a :class:`socvit.weighting.RakeResult`, whose calibration is
carried into the errors as with ``svyglm`` on a ``rake()``d design; ``fpc=`` gives the finite
population correction as in ``svydesign``, and ``subset=`` fits a domain while keeping the
full design (``svyglm(..., design = subset(des, ...))``); rows with missing values keep it too.
The variance used is named in ``ModelResult.se_type`` and ``table.attrs["se_type"]``.

Which standard errors (``se``):

===========  ===============================================================================
``None``     the right default: ``"survey"`` when ``weights`` or ``strata`` are given,
             ``"cluster"`` when only ``cluster`` is given, else ``"classic"``
``classic``  model-based (OLS / maximum likelihood); not allowed with survey weights
``HC0-3``    heteroskedasticity-consistent, as ``sandwich::vcovHC``
``cluster``  cluster-robust, as ``sandwich::vcovCL`` with its default type (HC1 for ols,
             HC0 for logit; both with the G/(G-1) factor)
``survey``   Taylor-linearised, as ``survey::svyglm`` with ``ids = ~cluster`` (or ``~1``),
             ``strata``, ``weights``, ``nest = TRUE`` (PSU labels count within strata;
             with-replacement design unless ``fpc=`` is given)
===========  ===============================================================================

Tests and intervals: linear models use Student t with the residual df n - p (as R's
``summary.lm`` and ``lmtest::coeftest``); logit, ordinal and mixed models use the normal
distribution (as ``summary.glm``, ``coeftest`` on a glm, and Wald z for lmer); ``se="survey"``
uses t with svyglm's residual df, (number of PSUs - number of strata) + 1 - p, for both
``summary.svyglm`` and ``confint.svyglm`` (its Wald default), except for ordinal models,
whose survey intervals are normal as ``confint`` on an svyolr fit (svyolr gives no p-values).
Ordinal models take ``se="classic"`` (unweighted only), ``"survey"`` and ``"cluster"``
(``sandwich::vcovCL`` on an unweighted ``polr``; with weights svyolr with ``ids = ~cluster``);
``within_logit`` only model-based errors. ``within`` matches
``lm(y ~ x + factor(id))`` with ``sandwich::vcovCL(cluster = ~id, type = "HC1")`` and
``lmtest::coeftest``: the small-sample factor and the t df (n - persons - p) count the
person dummies (Stata's ``xtreg, fe`` and fixest leave them out: slightly smaller errors).
"""

from ._fit import KINDS, SE_TYPES, ModelResult, fit
from ._tables import ModelsTable, side_by_side

__all__ = ["fit", "ModelResult", "side_by_side", "ModelsTable", "KINDS", "SE_TYPES"]
