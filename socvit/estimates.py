"""Weighted means, proportions and comparisons with design-based standard errors.

Every function takes a DataFrame (or Panel), column names and optional weights, strata and
clusters, and returns a tidy table with one row per group: the estimate, its standard error,
a confidence interval, the number of respondents ``n``, the Kish effective ``n_eff`` and the
disclosure columns ``suppressed``, ``indicative`` and ``reason`` (:mod:`socvit.disclosure`).

Standard errors are Taylor-linearisation (sandwich) errors as R's survey package computes
them for ``svydesign(ids=~cluster, strata=~stratum, weights=~w)`` without a finite
population correction (with replacement), see [1]_ [2]_. For a domain :math:`d` (a
``by`` group) with weighted mean :math:`\\hat\\mu_d = \\sum_{i\\in d} w_i y_i / \\sum_{i\\in d}
w_i` the linearised values are :math:`z_i = w_i (y_i - \\hat\\mu_d) / \\sum_{i\\in d} w_i` for
rows in the domain and 0 elsewhere, and

.. math::

    \\widehat{V}(\\hat\\mu_d) = \\sum_h \\frac{n_h}{n_h - 1} \\sum_{j=1}^{n_h}
    (z_{hj} - \\bar z_h)^2,

with :math:`z_{hj}` the total of :math:`z` over cluster (PSU) :math:`j` of stratum :math:`h`
and :math:`n_h` the number of PSUs of the stratum in the *whole* data frame (domain
estimation, as ``svyby`` and ``na.rm=TRUE`` do). Without clusters every row is a PSU;
without strata there is one stratum. Rows with a missing value of the analysed column are
outside every domain.

The design is a :class:`socvit.survey.Design` (:func:`socvit.survey.design`, the same
variance as :mod:`socvit.regression`). Weights given as a column or values are fixed design
weights, as ``svydesign(ids=~1, weights=~w)`` in R. A ``RakeResult`` (or its ``.design``)
means the calibrated design, as ``svymean`` on a ``rake()``d design: before aggregation each
domain's :math:`z` is replaced by its residual after the raking margins (backfitting, 10
sweeps, as survey's ``svyrecvar``). ``fpc=`` multiplies each stratum's term by
:math:`1 - f_h`. The table's ``attrs["se_type"]`` names the variance used.

Where R's ``svyciprop`` is inconsistent this module follows the documented formula: the
degrees of freedom of an interval are those of the domain's respondents with a value
(``svyciprop`` counts the PSUs of rows with a missing value too), and the "beta" interval's
row count is the number of those respondents (on a calibrated design ``svyciprop`` uses the
row count of the whole sample).

References
----------
.. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3.
.. [2] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6.
.. [3] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193-201 (the "beta" interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import _inputs, disclosure, survey
from .disclosure import _with_columns
from .errors import DataError

__all__ = ["mean", "proportion", "distribution", "compare", "compare_waves", "Design"]

_METHODS = ("logit", "xlogit", "beta")


# --------------------------------------------------------------------------- design
#: the survey design of the estimates (kept under its old name; see socvit.survey)
Design = survey.Design


def _design(data, weights, strata, cluster, fpc, cb):
    """The design of an estimate: a Design or RakeResult passed as ``weights`` brings its
    strata, clusters, fpc and calibration; other weights are fixed design weights."""
    return _inputs.design(data, weights, strata, cluster, fpc, cb)


def _domain_key(data, key, subset):
    """``key`` with the rows outside ``subset`` (socvit.survey.rows) set to -1."""
    keep = survey.rows(data, subset)
    return key if keep is None else np.where(keep, key, -1)


def _label(out, design):
    """The table says which variance was used (``attrs["se_type"]``)."""
    out.attrs["se_type"] = design.describe()
    return out


def _groups(data, by, cb=None):
    """Domain key per row (-1 for rows with a missing group) and the group table. A kern name
    in more than one gemeente is grouped within its gemeente (:func:`_inputs.kern_by`)."""
    if by is None:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0]), []
    by_cols = _inputs.kern_by(data, _inputs.require_columns(data, by, "by"), cb)
    if all(isinstance(data[c].dtype, (pd.CategoricalDtype, pd.StringDtype)) for c in by_cols):
        return (*_coded_groups(data, by_cols), by_cols)
    g = data.groupby(by_cols, sort=True, observed=True, dropna=True)
    key = g.ngroup().to_numpy()
    key = np.where(np.isnan(key.astype(float)), -1, key).astype(np.int64)
    labels = g.size().index
    table = labels.to_frame(index=False) if isinstance(labels, pd.MultiIndex) else \
        pd.DataFrame({by_cols[0]: labels})
    return key, table, by_cols


def _coded_groups(data, by_cols):
    """:func:`_groups` for categorical and text columns from their codes (faster): the
    same key and table as ``groupby(sort=True, observed=True, dropna=True)``."""
    codes, sizes, values = [], [], []
    for c in by_cols:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            code, size = s.cat.codes.to_numpy(dtype=np.int64), len(s.cat.categories)
            values.append(lambda k, s=s: pd.Categorical.from_codes(k, dtype=s.dtype))
        else:
            code, uniques = pd.factorize(s, sort=True)
            size = len(uniques)
            values.append(uniques.take)
        codes.append(code.astype(np.int64))
        sizes.append(size)
    valid = np.logical_and.reduce([k >= 0 for k in codes])
    present, inverse = np.unique(np.ravel_multi_index([k[valid] for k in codes], sizes),
                                 return_inverse=True)
    key = np.full(len(data), -1, dtype=np.int64)
    key[valid] = inverse
    levels = np.unravel_index(present, sizes)
    return key, pd.DataFrame({c: v(k) for c, v, k in zip(by_cols, values, levels)})


def _numeric(data, column):
    _inputs.require_columns(data, column)
    s = data[column]
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise DataError(f"Column {column!r} is categorical; a mean needs numbers. Use "
                        f"proportion() or distribution() for its categories.")
    y = pd.to_numeric(s, errors="coerce")
    if y.isna().sum() > s.isna().sum():
        raise DataError(f"Column {column!r} holds values that are not numbers (e.g. "
                        f"{s[y.isna() & s.notna()].iloc[0]!r}).")
    return y.to_numpy(dtype=float, na_value=np.nan)


def _indicator(data, column, categories):
    _inputs.require_columns(data, column)
    s = data[column]
    cats = [categories] if isinstance(categories, (str, int, np.integer)) else list(categories)
    if not cats:
        raise DataError(f"proportion of {column!r}: give at least one category.")
    if isinstance(s.dtype, pd.CategoricalDtype):
        unknown = [c for c in cats if c not in s.cat.categories]
        if unknown:
            raise DataError(f"Category {unknown[0]!r} is not a category of {column!r} "
                            f"(categories: {', '.join(map(str, s.cat.categories))}).")
    elif pd.api.types.is_numeric_dtype(s.dtype) and any(isinstance(c, str) for c in cats):
        raise DataError(f"Column {column!r} holds codes (numbers) but the categories are "
                        f"labels ({', '.join(repr(c) for c in cats if isinstance(c, str))}); "
                        f"give the codes, e.g. [4, 5] for '(helemaal) mee eens'.")
    y = s.isin(cats).to_numpy(dtype=float)
    y[s.isna().to_numpy()] = np.nan
    return y


def _check_level(level):
    if not (0 < level < 1):
        raise ValueError(f"level must lie between 0 and 1 (e.g. 0.95), got {level!r}.")


# --------------------------------------------------------------------------- core
def _domain_means(design, y, key, D):
    """Weighted means per domain with linearisation SE; rows with NaN y are left out."""
    valid = ~np.isnan(y) & (key >= 0)
    k = np.where(valid, key, -1)
    w = np.where(valid, design.w, 0.0)
    ys = np.where(valid, y, 0.0)
    kk = np.where(valid, key, 0)
    W = np.bincount(kk, w, minlength=D)
    est = np.divide(np.bincount(kk, w * ys, minlength=D), W, out=np.full(D, np.nan), where=W > 0)
    Wr = W[kk]
    z = np.divide(w * (ys - np.nan_to_num(est)[kk]), Wr, out=np.zeros_like(w), where=Wr > 0)
    var = design.variance(z, k, D)
    n = np.bincount(kk, valid & (design.w > 0), minlength=D)
    W2 = np.bincount(kk, w * w, minlength=D)
    n_eff = np.divide(W * W, W2, out=np.zeros(D), where=W2 > 0)
    se = np.where(W > 0, np.sqrt(var), np.nan)
    return est, se, n.astype(int), n_eff, valid, z


def _tidy(groups, est, se, lo, hi, n, n_eff, rules, extra=None):
    out = _with_columns(groups, {**(extra or {}), "estimate": est, "se": se, "ci_lower": lo,
                                 "ci_upper": hi, "n": n, "n_eff": n_eff})
    return disclosure.apply(out.reset_index(drop=True), rules=rules)


def _prop_ci(p, se, df, nrows, level, method):
    """Interval for proportions as svyciprop(method=...)."""
    p, se, df = (np.asarray(a, dtype=float) for a in (p, se, df))
    alpha = 1 - level
    lo, hi = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    used = np.array([method] * p.size, dtype=object)
    inner = (p > 0) & (p < 1) & (se > 0) & (df > 0)
    with np.errstate(all="ignore"):
        if method in ("logit", "xlogit"):
            # svyglm(quasibinomial) Wald interval on the logit scale; its SE of the
            # intercept is the delta-method SE(p) / (p (1 - p)) (same for "xlogit")
            q = stats.t.ppf(1 - alpha / 2, df)
            eta = np.log(p / (1 - p))
            h = q * se / (p * (1 - p))
            lo = np.where(inner, 1 / (1 + np.exp(-(eta - h))), lo)
            hi = np.where(inner, 1 / (1 + np.exp(-(eta + h))), hi)
        elif method == "beta":
            n_eff = p * (1 - p) / se ** 2
            n_eff = n_eff * (stats.t.ppf(alpha / 2, nrows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
            lo = np.where(inner, stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1), lo)
            hi = np.where(inner, stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)), hi)
        else:
            raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}.")
    return lo, hi, used, inner


def _edge_ci(p, n_eff, level, lo, hi, used, inner):
    """Estimates of exactly 0 or 1: Clopper-Pearson on the Kish effective n (the logit and
    beta intervals are undefined there)."""
    alpha = 1 - level
    edge = ~inner & np.isfinite(p) & (n_eff > 0)
    with np.errstate(all="ignore"):
        up0 = 1 - (alpha / 2) ** (1 / n_eff)
    lo = np.where(edge & (p == 0), 0.0, lo)
    hi = np.where(edge & (p == 0), up0, hi)
    lo = np.where(edge & (p == 1), 1 - up0, lo)
    hi = np.where(edge & (p == 1), 1.0, hi)
    used = np.where(edge & ((p == 0) | (p == 1)), "clopper-pearson (n_eff)", used)
    return lo, hi, used


# --------------------------------------------------------------------------- public
def mean(data, column, weights=None, by=None, level=0.95, strata=None, cluster=None,
         min_n=None, warn_n=None, rules=None, subset=None, fpc=None) -> pd.DataFrame:
    """Weighted mean of a column, by group, with a design-based standard error.

    Parameters
    ----------
    data : DataFrame or Panel
    column : str
        A numeric (or Int64 code) column; missing values are left out.
    weights : str, Series, array, RakeResult, Design or None
        Weights (column name, values aligned to the rows; fixed design weights), or a
        survey design (:func:`socvit.survey.design`) or :func:`socvit.weighting.rake`
        result (its calibrated design), which bring their strata, clusters, fpc and
        calibration. Default: all 1.
    by : str or list of str, optional
        Grouping columns (gemeente, golf, kern, leeftijdsklasse, ...): one row per group.
        Kernen are identified within their gemeente: when ``by`` has the kern column but
        not the gemeente column and a kern name occurs in more than one gemeente in one wave,
        the gemeente column is added before it (with a warning). The same holds for every
        ``by`` and for a ``cluster`` on the kern column in this module.
    level : float
        Confidence level of the interval ``estimate +- z * se`` (normal, as R's
        ``confint(svymean(...))``).
    strata, cluster : str, optional
        Stratum and cluster (PSU) columns of the design; clusters are nested in strata.
    min_n, warn_n, rules :
        Disclosure thresholds (:class:`socvit.disclosure.Rules`); defaults 10 and 30.
    subset : bool mask, Series or str, optional
        A domain (e.g. ``"golf == 2023"``): only its rows are estimated, the design keeps
        all its PSUs and strata, as ``svymean(~y, subset(design, ...))`` in R.
    fpc : str or array, optional
        Finite population correction as in :func:`socvit.survey.design`.

    Returns
    -------
    DataFrame
        (by columns), estimate, se, ci_lower, ci_upper, n, n_eff, suppressed, indicative,
        reason. ``n`` counts respondents with a value; ``n_eff`` is Kish's
        :math:`(\\sum w)^2/\\sum w^2` among them. ``attrs["se_type"]`` says which
        variance was used (e.g. "Taylor-linearised, fixed weights" or "Taylor-linearised,
        calibrated (raking)").

    Notes
    -----
    See the module docstring for the variance formula. Matches ``svymean`` and
    ``svyby(~y, ~g, design, svymean, na.rm=TRUE)`` to 1e-8 (tests/reference/survey).

    Example
    -------
    >>> # In R: svyby(~rapportcijfer, ~gemeente, svydesign(ids=~kern, data=df), svymean,
    >>> #             na.rm=TRUE)
    >>> t = mean(df, "rapportcijfer", by="gemeente", cluster="kern")
    >>> t[["gemeente", "estimate", "se", "n"]].round(3).head(3)
      gemeente  estimate     se    n
    0   GM0014     7.081  0.029  838
    1   GM0037     6.844  0.066  173
    2   GM0047     6.905  0.054  158
    """
    _check_level(level)
    cb = _inputs.codebook(data)
    data = _inputs.frame(data)
    rules = disclosure.resolve(rules, min_n, warn_n)
    y = _numeric(data, column)
    design = _design(data, weights, strata, cluster, fpc, cb)
    key, groups, _ = _groups(data, by, cb)
    key = _domain_key(data, key, subset)
    est, se, n, n_eff, _, _ = _domain_means(design, y, key, len(groups))
    q = stats.norm.ppf(1 - (1 - level) / 2)
    return _label(_tidy(groups, est, se, est - q * se, est + q * se, n, n_eff, rules), design)


def proportion(data, column, categories, weights=None, by=None, level=0.95, method="logit",
               strata=None, cluster=None, min_n=None, warn_n=None, rules=None, subset=None,
               fpc=None) -> pd.DataFrame:
    """Weighted share of respondents whose ``column`` is one of ``categories``.

    The share is taken among respondents with a value (e.g. the share "(helemaal) mee eens"
    of a Likert item: ``categories=[4, 5]``).

    Parameters
    ----------
    method : {"logit", "xlogit", "beta"}
        Interval as ``svyciprop(method=...)``: "logit" (default) and "xlogit" give
        :math:`\\mathrm{expit}(\\mathrm{logit}(\\hat p) \\pm t_{df}\\, se/(\\hat p(1-\\hat p)))`,
        "beta" the Korn-Graubard interval [3]_; all stay inside [0, 1]. ``df`` is the
        design's degrees of freedom among the group's respondents with a value (PSUs minus
        strata; R's svyciprop also counts rows with a missing value), and the beta
        interval's row count is the number of those respondents (svyciprop on a calibrated
        design uses the whole sample's): the documented formula, not R's inconsistency.
        Estimates of exactly 0 or 1 get a Clopper-Pearson interval on the Kish effective n.
        The method used is in the ``method`` column.

    Other parameters as :func:`mean`.

    Returns
    -------
    DataFrame
        As :func:`mean`, plus ``method``.

    Example
    -------
    >>> # In R: svyby(~I(actief == 1), ~geslacht, svydesign(ids=~1, data=df), svyciprop,
    >>> #             method="logit", vartype="ci", na.rm=TRUE)
    >>> t = proportion(df, "actief", [1], by="geslacht")
    >>> t[["geslacht", "estimate", "ci_lower", "ci_upper"]].round(3)
      geslacht  estimate  ci_lower  ci_upper
    0      man     0.334     0.312     0.358
    1    vrouw     0.327     0.305     0.350
    """
    _check_level(level)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}.")
    cb = _inputs.codebook(data)
    data = _inputs.frame(data)
    rules = disclosure.resolve(rules, min_n, warn_n)
    y = _indicator(data, column, categories)
    design = _design(data, weights, strata, cluster, fpc, cb)
    key, groups, _ = _groups(data, by, cb)
    key = _domain_key(data, key, subset)
    D = len(groups)
    est, se, n, n_eff, valid, _ = _domain_means(design, y, key, D)
    df_ = design.degf(valid, key, D)
    lo, hi, used, inner = _prop_ci(est, se, df_, n, level, method)
    lo, hi, used = _edge_ci(est, n_eff, level, lo, hi, used, inner)
    out = _tidy(groups, est, se, lo, hi, n, n_eff, rules)
    out["method"] = pd.Series(used, dtype="string")
    return _label(out, design)


def distribution(data, column, weights=None, by=None, level=0.95, method="logit",
                 strata=None, cluster=None, min_n=None, warn_n=None, rules=None,
                 categories=None, subset=None, fpc=None) -> pd.DataFrame:
    """Weighted share of every category of a column, by group (for stacked Likert bars).

    ``categories`` fixes which categories to report and their order (default: the
    categories of a Categorical, else the sorted values present). Shares are among
    respondents with a value and sum to 1 per group. Intervals as :func:`proportion`.

    Returns
    -------
    DataFrame
        (by columns), category, estimate, se, ci_lower, ci_upper, n, n_eff, suppressed,
        indicative, reason, method: one row per group and category.

    Example
    -------
    >>> # In R: svymean(~factor(bet_1), svydesign(ids=~1, data=df), na.rm=TRUE)
    >>> distribution(df, "bet_1")[["category", "estimate", "n"]].round(3)
       category  estimate     n
    0         1     0.012  3187
    1         2     0.059  3187
    2         3     0.202  3187
    3         4     0.314  3187
    4         5     0.413  3187
    """
    _check_level(level)
    src, cb = data, _inputs.codebook(data)
    data = _inputs.frame(data)
    _inputs.require_columns(data, column)
    s = data[column]
    if by is not None:       # expanded once here (kernen within gemeente), for the sorting too
        by = _inputs.kern_by(data, _inputs.require_columns(data, by, "by"), cb)
    if categories is None:
        if isinstance(s.dtype, pd.CategoricalDtype):
            categories = list(s.cat.categories)
        else:
            categories = sorted(pd.unique(s.dropna()))
    parts = []
    for cat in categories:
        t = proportion(src, column, [cat], weights=weights, by=by, level=level, method=method,
                       strata=strata, cluster=cluster, min_n=min_n, warn_n=warn_n, rules=rules,
                       subset=subset, fpc=fpc)
        t.insert(len(t.columns) - 10, "category", [cat] * len(t))
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    order = {c: i for i, c in enumerate(categories)}
    out["_o"] = out["category"].map(order)
    out = out.sort_values([*by_cols, "_o"], kind="stable").drop(columns="_o")
    if isinstance(s.dtype, pd.CategoricalDtype):
        out["category"] = pd.Categorical(out["category"], categories=categories,
                                         ordered=bool(s.cat.ordered))
    out = out.reset_index(drop=True)
    out.attrs["se_type"] = parts[0].attrs.get("se_type", "") if parts else ""
    return out


def compare(data, column, group_col, group=None, against="rest", kind="mean", weights=None,
            categories=None, by=None, level=0.95, strata=None, cluster=None, min_n=None,
            warn_n=None, rules=None, subset=None, fpc=None) -> pd.DataFrame:
    """A group (e.g. a gemeente) against the rest, the whole, or another group.

    Parameters
    ----------
    column : str
        Analysed column.
    group_col : str
        Column defining the groups (gemeente, golf, kern, ...).
    group : value or None
        The group to compare; None compares every group in turn.
    against : "rest", "all" or a value of ``group_col``
        "rest": all other rows (a gemeente against the rest of the province); "all": every
        row including the group itself (the covariance is accounted for); a value: that group.
    kind : {"mean", "proportion"}
        Compare means, or shares of ``categories``.
    by : str or list, optional
        Compare within each of these groups (e.g. per wave).

    Returns
    -------
    DataFrame
        (by columns), ``group_col``, against, estimate, estimate_other, difference, se,
        ci_lower, ci_upper, statistic, p, significant, direction, n, n_other, n_eff,
        suppressed, indicative, reason. ``se`` and the interval are those of the
        difference; ``direction`` is "hoger" or "lager" when the difference is significant at
        ``1 - level``, else "gelijk" (NA when suppressed). The disclosure rules use the
        smaller of ``n`` and ``n_other``.

    Notes
    -----
    The difference is linearised jointly, :math:`z_i = z^A_i - z^B_i`, so one variance
    formula covers overlapping and disjoint groups (as ``svycontrast`` on ``svyby(...,
    covmat=TRUE)`` or on ``svytotal``). The test is a t-test with the design degrees of
    freedom of the compared rows minus 1; against "rest" this is R's ``svyttest(y ~
    (g == group), design)``.

    Example
    -------
    >>> # In R: svyttest(rapportcijfer ~ I(gemeente == "GM0014"), svydesign(ids=~1, data=df))
    >>> t = compare(df, "rapportcijfer", "gemeente", "GM0014")
    >>> t[["gemeente", "difference", "p", "direction"]].round(3)
      gemeente  difference    p direction
    0   GM0014       0.147  0.0     hoger
    """
    _check_level(level)
    if kind not in ("mean", "proportion"):
        raise ValueError(f"kind must be 'mean' or 'proportion', got {kind!r}.")
    cb = _inputs.codebook(data)
    data = _inputs.frame(data)
    rules = disclosure.resolve(rules, min_n, warn_n)
    _inputs.require_columns(data, group_col, "group")
    if kind == "proportion":
        if categories is None:
            raise DataError("compare(kind='proportion') needs categories=[...] (e.g. [4, 5]).")
        y = _indicator(data, column, categories)
    else:
        y = _numeric(data, column)
    design = _design(data, weights, strata, cluster, fpc, cb)
    key, groups, by_cols = _groups(data, by, cb)
    key = _domain_key(data, key, subset)
    D = len(groups)
    gvals = data[group_col]
    present = list(pd.unique(gvals.dropna()))
    try:
        present = sorted(present)
    except TypeError:
        pass
    targets = present if group is None else [group]
    for g in targets:
        if g not in present:
            raise DataError(f"Group {g!r} does not occur in column {group_col!r} (values: "
                            f"{', '.join(map(str, present[:20]))}).")
    if against not in ("rest", "all") and against not in present:
        raise DataError(f"compare against {against!r}: not 'rest', 'all' or a value of "
                        f"{group_col!r} (values: {', '.join(map(str, present[:20]))}).")
    notna = gvals.notna().to_numpy()
    tables = []
    for g in targets:
        in_a = (gvals == g).fillna(False).to_numpy(dtype=bool)
        if against == "rest":
            in_b = notna & ~in_a
        elif against == "all":
            in_b = np.ones(len(data), dtype=bool)
        else:
            in_b = (gvals == against).fillna(False).to_numpy(dtype=bool)
        ka, kb = np.where(in_a, key, -1), np.where(in_b, key, -1)
        ea, _, na, neff, va, za = _domain_means(design, y, ka, D)
        eb, _, nb, _, vb, zb = _domain_means(design, y, kb, D)
        kz = np.where(ka >= 0, ka, kb)
        var = design.variance(za - zb, kz, D)
        dfree = design.degf(va | vb, kz, D) - 1
        tables.append(_difference(groups, group_col, g, against, ea, eb, var, dfree, na, nb,
                                  neff, level))
    return _label(_compared(tables, by_cols, group_col, rules, level), design)


def _difference(groups, group_col, g, against, ea, eb, var, dfree, na, nb, neff, level):
    """One target's rows of :func:`compare`: the difference of the domain means ``ea`` and
    ``eb`` with the variance ``var`` of the difference, its t-test on ``dfree`` degrees of
    freedom and interval (also used by the report's comparisons from per-gemeente sums)."""
    diff = ea - eb
    se = np.where(np.isfinite(diff), np.sqrt(var), np.nan)
    with np.errstate(all="ignore"):
        tstat = diff / se
        p = 2 * stats.t.sf(np.abs(tstat), dfree)
        qt = stats.t.ppf(1 - (1 - level) / 2, dfree)
    qt = np.where(np.isfinite(qt), qt, stats.norm.ppf(1 - (1 - level) / 2))
    return _with_columns(groups, {
        group_col: [g] * len(groups), "against": str(against), "estimate": ea,
        "estimate_other": eb, "difference": diff, "se": se, "ci_lower": diff - qt * se,
        "ci_upper": diff + qt * se, "statistic": tstat, "df": dfree, "p": p, "n": na,
        "n_other": nb, "n_eff": neff})


def _compared(tables, by_cols, group_col, rules, level) -> pd.DataFrame:
    """:func:`compare`'s table from the rows of :func:`_difference`: disclosure rules on the
    smaller count, significance and direction."""
    out = pd.concat(tables, ignore_index=True)
    out = disclosure.apply(out, n_col=["n", "n_other"], rules=rules)
    sig = (out["p"] < 1 - level).fillna(False).to_numpy(dtype=bool)
    d = out["difference"].to_numpy(dtype=float)
    direction = np.where(sig & (d > 0), "hoger", np.where(sig & (d < 0), "lager", "gelijk"))
    out["significant"] = sig
    out["direction"] = pd.Series(direction, dtype="string").mask(out["suppressed"].to_numpy())
    cols = [*by_cols, group_col, "against", "estimate", "estimate_other", "difference", "se",
            "ci_lower", "ci_upper", "statistic", "df", "p", "significant", "direction", "n",
            "n_other", "n_eff", "suppressed", "indicative", "reason"]
    return out[cols]


def compare_waves(data, column, wave=None, earlier=None, wave_col="golf", kind="mean",
                  categories=None, weights=None, by=None, level=0.95, strata=None,
                  cluster=None, min_n=None, warn_n=None, rules=None) -> pd.DataFrame:
    """A wave against an earlier wave (default: the last wave against the one before).

    Waves are compared as groups of one design: rows of different waves are independent
    unless ``cluster`` ties them together. In a panel where the same people answer in both
    waves pass ``cluster="resp_id"`` so that the overlap is in the standard error.

    Returns the table of :func:`compare` with ``wave_col`` holding ``wave`` and ``against``
    the earlier wave; ``direction`` "hoger"/"lager" means higher/lower than in ``earlier``.

    Weights given as a survey design (:func:`socvit.survey.design`) or a
    :class:`~socvit.weighting.RakeResult` keep that design: the two waves are a domain of it
    (its strata, PSUs, fpc and calibration), as ``subset(design, golf %in% ...)`` in R.
    Other weights are fixed weights of the rows of the two waves. Gemeente codes change with
    herindelingen: for ``by="gemeente"`` map both waves to one indeling first
    (``sv.gemeenten.map_to_indeling``).

    Example
    -------
    >>> # In R: svyttest(rapportcijfer ~ I(golf == 2023), subset(svydesign(ids=~resp_id,
    >>> #                data=panel), golf %in% c(2021, 2023)))
    >>> t = compare_waves(panel, "rapportcijfer", 2023, 2021, cluster="resp_id")
    >>> t[["golf", "against", "difference", "se", "direction"]].round(3)
       golf against  difference     se direction
    0  2023    2021       0.019  0.022    gelijk
    """
    cb = _inputs.codebook(data)
    data = _inputs.frame(data)
    _inputs.require_columns(data, wave_col, "wave")
    waves = sorted(pd.unique(data[wave_col].dropna()))
    if wave is None:
        if len(waves) < 2:
            raise DataError(f"compare_waves needs two waves in {wave_col!r}; found {waves}.")
        wave = waves[-1]
    if earlier is None:
        before = [w for w in waves if w < wave]
        if not before:
            raise DataError(f"No wave before {wave} in {wave_col!r} (waves: {waves}).")
        earlier = before[-1]
    for w in (wave, earlier):
        if w not in waves:
            raise DataError(f"Wave {w} is not in {wave_col!r} (waves: {waves}).")
    keep = data[wave_col].isin([wave, earlier]).fillna(False).to_numpy(dtype=bool)
    if survey._base_design(weights) is not None:      # the two waves as a domain of it
        src = data if cb is None else _inputs.Panel(data, cb)
        return compare(src, column, wave_col, wave, against=earlier, kind=kind,
                       weights=weights, categories=categories, by=by, level=level,
                       strata=strata, cluster=cluster, min_n=min_n, warn_n=warn_n,
                       rules=rules, subset=keep)
    sub = data[keep] if cb is None else _inputs.Panel(data[keep], cb)
    if weights is not None and not isinstance(weights, str):
        weights = _inputs.weights(data, weights, rows=keep)[keep]
    return compare(sub, column, wave_col, wave, against=earlier, kind=kind, weights=weights,
                   categories=categories, by=by, level=level, strata=strata, cluster=cluster,
                   min_n=min_n, warn_n=warn_n, rules=rules)
