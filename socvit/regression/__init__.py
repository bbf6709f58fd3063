"""Tidy regression models for panel survey data, with survey-correct standard errors.

>>> import socvit as sv
>>> panel = sv.load_sample()                                         # doctest: +SKIP
>>> res = sv.regression.fit("actief ~ bereidheid + capaciteit + leeftijdsklasse", data,
...                         kind="logit", weights="gewicht", strata="gemeente")  # doctest: +SKIP
>>> res.table                                                        # doctest: +SKIP

Kinds: ``ols`` (linear), ``logit`` (binary 0/1 outcome), ``ordinal`` (proportional-odds
logit), ``mixed`` (random intercept for kern, optionally gemeente), ``within`` (respondent
fixed effects across waves). :func:`side_by_side` sets several models side by side.

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
             with-replacement design, no finite population correction)
===========  ===============================================================================

Tests and intervals: linear models use Student t with the residual df n - p (as R's
``summary.lm`` and ``lmtest::coeftest``); logit, ordinal and mixed models use the normal
distribution (as ``summary.glm``, ``coeftest`` on a glm, and Wald z for lmer); ``se="survey"``
uses t with svyglm's residual df, (number of PSUs - number of strata) + 1 - p, for both
``summary.svyglm`` and ``confint.svyglm`` (its Wald default). ``within`` matches
``lm(y ~ x + factor(id))`` with ``sandwich::vcovCL(cluster = ~id, type = "HC1")`` and
``lmtest::coeftest``: the small-sample factor and the t df (n - persons - p) count the
person dummies (Stata's ``xtreg, fe`` and fixest leave them out: slightly smaller errors).
"""

from ._fit import KINDS, SE_TYPES, ModelResult, fit
from ._tables import ModelsTable, side_by_side

__all__ = ["fit", "ModelResult", "side_by_side", "ModelsTable", "KINDS", "SE_TYPES"]
