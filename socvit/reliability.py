"""Reliability of scales: psych-grade alpha, omega, split-half and alpha per group.

Researchers decide from these numbers whether a scale may be reported, so they follow R's
``psych`` package (Revelle), which is what they trust today:

- :func:`alpha` is ``psych::alpha``: the same totals, item table, "alpha if dropped" table and
  response frequencies, plus Feldt, Duhachek or (weighted, seeded, vectorised) bootstrap
  intervals;
- :func:`omega` is ``psych::omega`` (minres, oblimin, Schmid-Leiman);
- :func:`splithalf` is ``psych::splitHalf``;
- :func:`alpha_by` gives one row per gemeente/golf/kern with disclosure flags and a test of
  equal alphas (Feldt, 1969; Hakstian & Whalen, 1976).

Every function takes a DataFrame with item columns, or a socvit Panel with a codebook scale
name (then items and reverse keys come from the codebook).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError, SocvitWarning

__all__ = ["alpha", "AlphaResult", "omega", "OmegaResult", "splithalf", "SplitHalfResult",
           "alpha_by", "AlphaByResult", "feldt_test", "equal_alphas_test", "TestResult",
           "pairwise_cov", "cli_reliability"]

_TOTAL = ["raw_alpha", "std_alpha", "g6", "average_r", "s_n", "ase", "mean", "sd", "median_r"]
_DROP = ["raw_alpha", "std_alpha", "g6", "average_r", "s_n", "alpha_se", "var_r", "median_r"]


# --------------------------------------------------------------------------- input
@dataclass
class _Items:
    x: pd.DataFrame                  # float64 item columns, NaN = missing, not yet keyed
    keys: dict                       # item -> +1 / -1
    adjust: dict                     # item -> (min + max) used to reverse it
    weights: np.ndarray | None
    label: str | None = None


def _resolve(data, items=None, reverse=(), weights=None, need=2) -> _Items:
    """Items, keys and weights from a DataFrame or a Panel (+ codebook scale name)."""
    from .io import Panel
    label, codebook_range = None, {}
    if isinstance(data, Panel):
        cb, df = data.codebook, data.data
        if isinstance(items, str) and items in cb.scales:
            scale = cb.scale(items)
            label = scale.label
            if not reverse:
                reverse = scale.reverse
            items = scale.items
        elif isinstance(items, str):
            raise DataError(f"{items!r} is not a scale in the codebook {cb.source or ''}; the "
                            f"scales are: {', '.join(cb.scales)}. Pass a scale name or a list "
                            f"of item columns.")
        elif items is None:
            raise DataError("alpha(panel, ...) needs a codebook scale name or a list of items, "
                            f"e.g. alpha(panel, {next(iter(cb.scales), 'betrokkenheid')!r}).")
        for it in items:
            v = cb.variables.get(it)
            if v is not None and v.values:
                codebook_range[it] = min(v.values) + max(v.values)
        if isinstance(weights, str):
            weights = _weight_column(df, weights)
    else:
        df = data
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame or a socvit Panel, got "
                            f"{type(data).__name__}.")
        if isinstance(items, str):
            raise DataError(f"items={items!r}: a scale name needs a socvit Panel with a codebook; "
                            f"with a DataFrame pass a list of item columns.")
        if isinstance(weights, str):
            weights = _weight_column(df, weights)
    items = list(df.columns) if items is None else list(items)
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise DataError(f"Item column(s) {', '.join(map(repr, missing))} are not in the data "
                        f"(columns: {', '.join(map(str, df.columns[:30]))}).")
    if len(set(items)) != len(items):
        raise DataError(f"Items are listed twice: {sorted({i for i in items if items.count(i) > 1})}.")
    if len(items) < need:
        raise DataError(f"A reliability coefficient needs at least {need} items; got "
                        f"{len(items)} ({', '.join(map(str, items)) or 'none'}).")
    for c in items:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
                pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise DataError(f"Item {c!r} is not numeric (dtype {s.dtype}); reliability needs "
                            f"numeric item codes. Convert it (e.g. with the codebook) or drop it.")
    arr = df[items].to_numpy(dtype="float64", na_value=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # all-NaN columns: named below
        lo, hi = np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
    for j, c in enumerate(items):
        if np.isnan(lo[j]):
            raise DataError(f"Item {c!r} has no valid answers (all missing); drop it from the items.")
        if lo[j] == hi[j]:
            raise DataError(f"Item {c!r} has no variance (every answer is {lo[j]:g}); "
                            f"alpha is undefined with it. Drop it from the items.")
    x = pd.DataFrame(arr, index=df.index, columns=items, copy=False)
    reverse = [reverse] if isinstance(reverse, str) else list(reverse or ())
    bad = [r for r in reverse if r not in items]
    if bad:
        raise DataError(f"Reverse-keyed item(s) {', '.join(map(repr, bad))} are not among the "
                        f"items ({', '.join(items)}).")
    keys = {c: (-1 if c in reverse else 1) for c in items}
    # psych::alpha reverses with max + min of all item data; the codebook's code range wins.
    data_adjust = float(lo.min() + hi.max())
    adjust = {c: float(codebook_range.get(c, data_adjust)) for c in items}
    return _Items(x, keys, adjust, _check_weights(weights, x.index), label)


#: data with fewer cells (rows x columns) keep their BLAS threads: see _one_blas_thread
_BLAS_LIMIT_CELLS = 500_000


def _one_blas_thread(cells=None):
    """A context with one BLAS thread; with ``cells`` given, only for data of at least
    ``_BLAS_LIMIT_CELLS`` cells.

    The products here are thin (rows x at most ~60 columns) and memory-bound: extra OpenBLAS
    threads gain little and, on a busy machine, spin-wait for seconds. But setting the limit
    costs milliseconds itself (threadpoolctl reads the process's library map each time),
    more than all products on small data take (a report's scales: a few thousand rows), so
    small data go without. threadpoolctl comes with scikit-learn (a pingouin dependency);
    without it this does nothing."""
    if cells is not None and cells < _BLAS_LIMIT_CELLS:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _weight_column(df, name):
    if name not in df.columns:
        raise DataError(f"Weight column {name!r} is not in the data.")
    return df[name]


def _check_weights(weights, index) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, pd.Series):
        if not weights.index.equals(index):
            if not index.isin(weights.index).all() or not weights.index.is_unique:
                raise DataError("The weights (a Series) do not align with the rows of the data: "
                                f"{int((~index.isin(weights.index)).sum())} row label(s) have "
                                "no weight. Pass weights with the same index as the data.")
            weights = weights.reindex(index)
        w = weights.to_numpy(dtype="float64", na_value=np.nan)
    else:
        w = np.asarray(weights, dtype="float64")
        if w.ndim != 1 or len(w) != len(index):
            raise DataError(f"The weights have length {w.size}, the data {len(index)} rows; "
                            f"give one weight per row.")
    if np.isnan(w).any():
        raise DataError(f"{int(np.isnan(w).sum())} weight(s) are missing (NaN); give every "
                        f"row a weight (0 to leave it out).")
    if (w < 0).any():
        i = int(np.argmax(w < 0))
        raise DataError(f"Weights must not be negative; row {index[i]!r} has weight {w[i]:g}.")
    if w.sum() <= 0:
        raise DataError("All weights are zero.")
    return w


# --------------------------------------------------------------------------- covariances
def pairwise_cov(x, weights=None, corr=False):
    """Pairwise-complete (weighted) covariance matrix by masked matrix products.

    For items :math:`x_i` with missing values the covariance of *i* and *j* uses the rows
    where both are present (R's ``cov(x, use = "pairwise")``):

    .. math::

        c_{ij} = \\frac{\\sum_r w_r x_{ri} x_{rj} - S_{i(j)} S_{j(i)} / W_{ij}}
                      {W_{ij} - W^{(2)}_{ij} / W_{ij}},

    :math:`W_{ij} = \\sum_r w_r m_{ri} m_{rj}`, :math:`W^{(2)}_{ij} = \\sum_r w_r^2 m_{ri}
    m_{rj}`, :math:`S_{i(j)} = \\sum_r w_r x_{ri} m_{rj}` (:math:`m` the non-missing mask).
    With unit weights the denominator is :math:`n_{ij} - 1`; with weights it is R's
    ``cov.wt(method = "unbiased")``. Every sum is one matrix product over the rows.

    Returns ``(cov, means)`` and with ``corr=True`` also R's ``cor(x, use = "pairwise")``
    (each pair's standard deviations from the same rows as its covariance).
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    w = None if weights is None else np.asarray(weights, dtype=float)
    # One pass over blocks of rows (xc = x - shift, 0 where missing; m the 0/1 mask; the
    # shift, the first block's means, is for accuracy only): s2 = xc'W xc, n_pairs = m'W m,
    # [s1; q] = [xc, xc^2]'W m, n2 = m'W^2 m.
    step = max(1, 4_000_000 // (2 * k))
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.nan_to_num(np.nanmean(x[:step], axis=0)) if n else np.zeros(k)
    order = "F" if x.flags.f_contiguous else "C"     # follow the data's layout: no transposing
    s2, n_pairs, n2 = np.zeros((k, k)), np.zeros((k, k)), np.zeros((k, k))
    sq = np.zeros((2 * k, k))
    with _one_blas_thread(x.size):
        for r0 in range(0, n, step):
            xs = x[r0:r0 + step]
            a = np.empty((len(xs), 2 * k), order=order)
            xc = a[:, :k]
            np.subtract(xs, shift, out=xc)
            miss = np.isnan(xc)
            np.copyto(xc, 0.0, where=miss)
            np.multiply(xc, xc, out=a[:, k:])
            mf = np.logical_not(miss).astype(float)
            if w is None:
                s2 += xc.T @ xc
                n_pairs += mf.T @ mf
                sq += a.T @ mf
            else:
                ws = w[r0:r0 + step, None]
                mw = mf * ws
                s2 += xc.T @ (xc * ws)
                n_pairs += mf.T @ mw
                sq += a.T @ mw
                n2 += mf.T @ (mw * ws)
    if w is None:
        n2 = n_pairs
    s1, q = sq[:k], sq[k:]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = shift + np.diag(s1) / np.diag(n_pairs)
        denom = n_pairs - n2 / n_pairs
        cov = (s2 - s1 * s1.T / n_pairs) / denom
        if not corr:
            return cov, means
        var_pair = (q - s1 * s1 / n_pairs) / denom       # var of i on the rows of pair (i, j)
        r = cov / np.sqrt(var_pair * var_pair.T)
    return cov, means, r


def _cov2cor(c):
    d = 1.0 / np.sqrt(np.diag(c))
    r = c * d[:, None] * d[None, :]
    np.fill_diagonal(r, 1.0)
    return r


def _smc(r):
    """Squared multiple correlations as psych::smc (pseudo-inverse, clipped to [0, 1])."""
    inv = np.linalg.pinv(r, rcond=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def _alpha_one(c, r):
    """psych's alpha.1: the statistics of one covariance/correlation matrix."""
    k = c.shape[0]
    sc, tc = c.sum(), np.trace(c)
    sr = r.sum()
    low = r[np.tril_indices(k, -1)]
    av_r = (sr - k) / (k * (k - 1))
    cc = c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * sc**3)) * (sc * (np.trace(cc) + tc**2) - 2 * tc * cc.sum())
    return {"raw_alpha": (1 - tc / sc) * k / (k - 1), "std_alpha": (1 - k / sr) * k / (k - 1),
            "g6": 1 - (k - _smc(r).sum()) / sr, "average_r": av_r,
            "s_n": k * av_r / (1 - av_r), "q": q,
            "var_r": np.var(low, ddof=1) if len(low) > 1 else np.nan,
            "median_r": float(np.median(low))}


def _raw_alpha(c):
    k = c.shape[-1]
    return (1 - np.trace(c, axis1=-2, axis2=-1) / c.sum(axis=(-2, -1))) * k / (k - 1)


# --------------------------------------------------------------------------- alpha
@dataclass
class _AlphaParts:
    """What :class:`AlphaResult`'s item, drop and frequency tables are made from."""

    c: np.ndarray               # keyed item covariances
    r: np.ndarray               # their correlations
    names: list
    n_eff: float
    n_valid: np.ndarray         # answers per item
    raw_r: np.ndarray           # item-total correlations
    means: np.ndarray           # item means
    raw: np.ndarray             # the answers as given, for the frequencies
    w: np.ndarray | None        # the weights


@dataclass(repr=False)
class AlphaResult:
    """What :func:`alpha` returns (psych::alpha's object, with snake_case names).

    total : Series raw_alpha std_alpha g6 average_r s_n ase mean sd median_r
    ci : (lower, upper) by ``ci_method`` at ``level``
    items : DataFrame per item: n raw_r std_r r_cor r_drop mean sd alpha_if_dropped
        std_alpha_if_dropped
    dropped : psych's "reliability if an item is dropped" table (raw_alpha std_alpha g6
        average_r s_n alpha_se var_r median_r per item)
    frequencies : response proportions per item and ``miss`` (psych's response.freq), or None
        when an item has more than 10 distinct values
    keys : item -> +1 / -1;  n : rows;  n_eff : Kish's effective n (= n unweighted)
    boot : the bootstrap alphas (``ci="bootstrap"``), else None

    ``items``, ``dropped`` and ``frequencies`` are computed when first used (a report that
    shows only alpha and its interval does not pay for them), then kept.
    """

    total: pd.Series
    ci: tuple
    ci_method: str
    level: float
    keys: dict
    n: int
    n_eff: float
    weighted: bool = False
    missing: str = "pairwise"
    label: str | None = None
    boot: np.ndarray | None = field(default=None)
    _parts: _AlphaParts | None = field(default=None, compare=False)

    @cached_property
    def dropped(self) -> pd.DataFrame:
        p = self._parts
        return _drop_table(p.c, p.r, p.names, p.n_eff)

    @cached_property
    def items(self) -> pd.DataFrame:
        return _item_table(self._parts, self.dropped)

    @cached_property
    def frequencies(self) -> pd.DataFrame | None:
        p = self._parts
        return _frequencies(p.raw, p.names, p.w)

    def summary(self) -> str:
        t = self.total
        name = lambda i: f"{i}-" if self.keys.get(i, 1) < 0 else str(i)   # noqa: E731
        head = f"Reliability analysis{f'   {self.label}' if self.label else ''}"
        extra = [f"{'weighted, ' if self.weighted else ''}missing = {self.missing}, n = {self.n}"
                 + (f" (effective n = {self.n_eff:.1f})" if self.weighted else "")]
        tot = pd.DataFrame([t.values], columns=["raw_alpha", "std.alpha", "G6(smc)", "average_r",
                                                "S/N", "ase", "mean", "sd", "median_r"],
                           index=[""])
        lo, hi = self.ci
        pct = f"{100 * self.level:g}%"
        ci = pd.DataFrame([[lo, t["raw_alpha"], hi]], columns=["lower", "alpha", "upper"],
                          index=[self.ci_method.capitalize()])
        drop = self.dropped.rename(index=name, columns={"std_alpha": "std.alpha", "g6": "G6(smc)",
                                                        "s_n": "S/N", "alpha_se": "alpha se",
                                                        "var_r": "var.r", "median_r": "med.r"})
        it = self.items[["n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"]].rename(
            index=name, columns={"raw_r": "raw.r", "std_r": "std.r", "r_cor": "r.cor",
                                 "r_drop": "r.drop"})
        fmt2 = lambda v: f"{v:.2f}"   # noqa: E731
        tot_fmt = {c: fmt2 for c in tot.columns}
        tot_fmt["ase"] = lambda v: f"{v:.4f}"
        drop.index.name = it.index.name = None
        out = [head, extra[0], "", tot.to_string(formatters=tot_fmt), "",
               f"    {pct} confidence boundaries", ci.to_string(float_format=lambda v: f"{v:.2f}"),
               "", " Reliability if an item is dropped:",
               drop.to_string(float_format=lambda v: f"{v:.3f}"), "", " Item statistics",
               it.to_string(float_format=lambda v: f"{v:.2f}")]
        if self.frequencies is not None:
            fr = self.frequencies.rename(index=name)
            fr.index.name = None
            fr.columns = [f"{c:g}" if isinstance(c, float) else str(c) for c in fr.columns]
            out += ["", "Non missing response frequency for each item",
                    fr.to_string(float_format=lambda v: f"{v:.2f}")]
        return "\n".join(out)

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        return f"<pre>{self.summary()}</pre>"


def alpha(data, items=None, reverse=(), weights=None, ci="feldt", n_boot=1000, level=0.95,
          seed=None, missing="pairwise") -> AlphaResult:
    """Cronbach's alpha with psych's full table (``psych::alpha``).

    Parameters
    ----------
    data : DataFrame or Panel
        Item columns (numeric codes, NaN or pandas NA for missing), or a socvit Panel.
    items : list of str, or a codebook scale name (with a Panel)
        The items; default all columns of a DataFrame. With a Panel and a scale name the
        scale's items and reverse keys come from the codebook.
    reverse : str or list of str
        Items to reverse: :math:`x \\to (\\min + \\max) - x`. As psych::alpha(keys=...), min and
        max are those of all item data; with a Panel, the item's code range in the codebook.
    weights : array, Series (aligned on the index) or column name, optional
        Non-negative weights: alpha from the weighted covariance matrix (see Notes).
    ci : {"feldt", "duhachek", "bootstrap"}
        Interval for raw alpha: Feldt's F interval [2]_ (psych::alpha.ci), Duhachek's normal
        interval :math:`\\alpha \\pm z\\,\\mathrm{ase}` [3]_, or a percentile bootstrap of
        ``n_boot`` resamples of rows (seeded by ``seed``; weights travel with their rows).
    level : float
        Confidence level.
    missing : {"pairwise", "listwise"}
        Pairwise-complete covariances (psych's default) or complete rows only.

    Returns
    -------
    AlphaResult
        ``.total``, ``.ci``, ``.items``, ``.dropped``, ``.frequencies``, ``.keys``, ``.n``.

    Notes
    -----
    With item covariance matrix :math:`C` (keyed), correlation matrix :math:`R`, *k* items:

    .. math::

        \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\mathrm{tr}\\,C}{\\mathbf 1'C\\mathbf 1}\\Big),
        \\quad \\alpha_{std} = \\frac{k}{k-1}\\Big(1 - \\frac{k}{\\mathbf 1'R\\mathbf 1}\\Big),
        \\quad G_6 = 1 - \\frac{k - \\sum_i \\mathrm{smc}_i}{\\mathbf 1'R\\mathbf 1},

    :math:`\\bar r` the mean inter-item correlation, S/N :math:`= k\\bar r/(1-\\bar r)`, and
    the asymptotic standard error :math:`\\mathrm{ase} = \\sqrt{Q/n}` of van Zyl, Neudecker &
    Nel (2000) as Duhachek & Iacobucci [3]_ use it,

    .. math::

        Q = \\frac{2k^2}{(k-1)^2 (\\mathbf 1'C\\mathbf 1)^3}\\Big[\\mathbf 1'C\\mathbf 1
            \\big(\\mathrm{tr}\\,C^2 + (\\mathrm{tr}\\,C)^2\\big)
            - 2\\,\\mathrm{tr}\\,C\\;\\mathbf 1'C^2\\mathbf 1\\Big].

    raw_r correlates each item with the total (the mean of the available keyed items), std_r
    is :math:`\\sum_j R_{ij}/\\sqrt{\\mathbf 1'R\\mathbf 1}`, r_cor the same with smcs on the
    diagonal, r_drop the item-rest correlation. Feldt's interval:
    :math:`1-(1-\\alpha)F_{1-p/2}` to :math:`1-(1-\\alpha)F_{p/2}`, F with
    :math:`n-1` and :math:`(n-1)(k-1)` degrees of freedom, *n* the number of rows.

    With weights, :math:`C` is the weighted (pairwise) covariance matrix with R's
    ``cov.wt(method = "unbiased")`` normalisation, means and the total's mean/sd/raw_r are
    weighted, and *n* in ase and Feldt's interval is Kish's effective sample size
    :math:`(\\sum w)^2/\\sum w^2`. This equals ``psych::alpha(cov.wt(x, w)$cov, n.obs =
    n_eff)`` (tested). Response frequencies are then weighted proportions.

    A :class:`~socvit.errors.SocvitWarning` names every item with a negative loading on the
    first principal component of the keyed correlations (psych's check): such an item
    correlates negatively with the scale and is probably not reversed.

    References
    ----------
    .. [1] Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality
       Research, function ``alpha``. Cronbach, L. J. (1951). Coefficient alpha and the
       internal structure of tests. Psychometrika, 16, 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93-103.
    .. [3] Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE): An accurate and
       precise confidence interval estimate. Journal of Applied Psychology, 89, 792-808.

    Examples
    --------
    >>> # In R: psych::alpha(bfi[, c("A1","A2","A3","A4","A5")], keys = "A1")
    >>> res = alpha(bfi, ["A1", "A2", "A3", "A4", "A5"], reverse="A1")   # doctest: +SKIP
    >>> res.total["raw_alpha"]                                            # doctest: +SKIP
    0.7030184460573041
    >>> alpha(panel, "betrokkenheid", ci="bootstrap", seed=1)            # doctest: +SKIP
    """
    if ci not in ("feldt", "duhachek", "bootstrap"):
        raise ValueError(f"ci must be 'feldt', 'duhachek' or 'bootstrap', got {ci!r}.")
    if missing not in ("pairwise", "listwise"):
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level!r}.")
    it = _resolve(data, items, reverse, weights)
    x, w = it.x, it.weights
    if missing == "listwise":
        keep = x.notna().all(axis=1).to_numpy()
        if keep.sum() < 2:
            raise DataError("Fewer than two rows answer every item; use missing='pairwise'.")
        x, w = x.loc[keep], (None if w is None else w[keep])
    names = list(x.columns)
    k = len(names)
    sign = np.array([it.keys[c] for c in names], dtype=float)
    raw = x.to_numpy()
    n = len(raw)
    n_eff = float(n if w is None else w.sum() ** 2 / (w @ w))
    xt = np.empty((n, k + 1), order="F")      # the keyed items and their total (DataFrame
                                              # blocks are column-major: keep that layout)
    xk = xt[:, :k]
    xk[:] = raw
    for j, c in enumerate(names):
        if sign[j] < 0:
            np.subtract(it.adjust[c], xk[:, j], out=xk[:, j])
    miss = np.isnan(xk)
    valid = k - miss.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        xt[:, k] = np.nansum(xk, axis=1) / valid      # the mean of the valid answers
    total = xt[:, k]
    c_all, means_all, r_all = pairwise_cov(xt, w, corr=True)
    c = c_all[:k, :k]
    if not np.isfinite(c).all():
        i, j = np.argwhere(~np.isfinite(c))[0]
        raise DataError(f"Items {names[i]!r} and {names[j]!r} are never (or only once) answered "
                        f"together, so their covariance is undefined; drop one of them.")
    r = _cov2cor(c)
    _warn_negative(r, names)
    tot = _alpha_one(c, r)
    ase = np.sqrt(tot["q"] / n_eff)
    tw = None if w is None else w[~np.isnan(total)]
    tt = total[~np.isnan(total)]
    t_mean = tt.mean() if tw is None else tw @ tt / tw.sum()
    t_sd = tt.std(ddof=1) if tw is None else np.sqrt(
        tw @ (tt - t_mean) ** 2 / (tw.sum() - (tw @ tw) / tw.sum()))
    total_s = pd.Series([tot["raw_alpha"], tot["std_alpha"], tot["g6"], tot["average_r"],
                         tot["s_n"], ase, t_mean, t_sd, tot["median_r"]], index=_TOTAL,
                        name="alpha")

    # copies of the answers and weights: the tables may be made after the caller's data changed
    parts = _AlphaParts(c=c, r=r, names=names, n_eff=n_eff, n_valid=n - miss.sum(axis=0),
                        raw_r=r_all[k, :k], means=means_all[:k], raw=np.array(raw),
                        w=None if w is None else np.array(w))
    boot = None
    if ci == "feldt":
        bounds = _feldt_ci(tot["raw_alpha"], n_eff, k, level)
    elif ci == "duhachek":
        z = stats.norm.ppf(1 - (1 - level) / 2)
        bounds = (tot["raw_alpha"] - z * ase, tot["raw_alpha"] + z * ase)
    else:
        if int(n_boot) < 2:
            raise ValueError(f"n_boot must be at least 2, got {n_boot!r}.")
        boot = bootstrap_alpha(xk, w, int(n_boot), seed)
        q = np.nanquantile(boot, [(1 - level) / 2, 1 - (1 - level) / 2])
        bounds = (float(q[0]), float(q[1]))
    return AlphaResult(total=total_s, ci=tuple(float(b) for b in bounds), ci_method=ci,
                       level=level, keys=dict(it.keys), n=n, n_eff=n_eff,
                       weighted=w is not None, missing=missing, label=it.label, boot=boot,
                       _parts=parts)


def _item_table(p: _AlphaParts, dropped: pd.DataFrame) -> pd.DataFrame:
    """psych's item statistics: n raw_r std_r r_cor r_drop mean sd and alpha if dropped."""
    c, r, k = p.c, p.r, len(p.names)
    rc = r.copy()
    np.fill_diagonal(rc, _smc(r))
    cs = c.sum()
    r_drop = [(c[:, i].sum() - c[i, i]) / np.sqrt(c[i, i] * (cs - 2 * c[:, i].sum() + c[i, i]))
              for i in range(k)]
    return pd.DataFrame({
        "n": p.n_valid, "raw_r": p.raw_r,
        "std_r": r.sum(axis=0) / np.sqrt(r.sum()), "r_cor": rc.sum(axis=0) / np.sqrt(rc.sum()),
        "r_drop": r_drop, "mean": p.means, "sd": np.sqrt(np.diag(c)),
        "alpha_if_dropped": dropped["raw_alpha"].to_numpy(),
        "std_alpha_if_dropped": dropped["std_alpha"].to_numpy()},
        index=pd.Index(p.names, name="item"))


def _drop_table(c, r, names, n_obs):
    k = len(names)
    rows = []
    if k > 2:
        for i in range(k):
            keep = [j for j in range(k) if j != i]
            d = _alpha_one(c[np.ix_(keep, keep)], r[np.ix_(keep, keep)])
            rows.append([d["raw_alpha"], d["std_alpha"], d["g6"], d["average_r"], d["s_n"],
                         np.sqrt(d["q"] / n_obs), d["var_r"], d["median_r"]])
    else:   # psych's special case for two items
        r12, s = r[0, 1], _smc(r)[0]
        for i in range(2):
            rows.append([c[0, 1] / c[1 - i, 1 - i], r12, s, r12, r12 / (1 - r12), np.nan, 0.0, r12])
    return pd.DataFrame(rows, columns=_DROP, index=pd.Index(names, name="item"))


def _feldt_ci(a, n, k, level):
    p = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (1 - (1 - a) * stats.f.ppf(1 - p / 2, df1, df2),
            1 - (1 - a) * stats.f.ppf(p / 2, df1, df2))


def _warn_negative(r, names):
    """psych's check: items with a negative loading on the first principal component."""
    vals, vecs = np.linalg.eigh(r)
    v = vecs[:, -1] * (1 if vecs[:, -1].sum() >= 0 else -1)
    neg = [names[i] for i in np.flatnonzero(v < 0)]
    if neg:
        warnings.warn(f"Item(s) {', '.join(neg)} correlate negatively with the total scale; "
                      f"they are probably not reversed. Check the reverse keys (reverse=... or "
                      f"the codebook's 'reverse').", SocvitWarning, stacklevel=3)


def _frequencies(raw, names, w):
    """psych's response.freq: proportion of each answer among the valid ones, plus 'miss'.
    None (as psych) when the answers span more than 10 values."""
    lo, hi = np.nanmin(raw), np.nanmax(raw)
    if hi - lo > 10:
        return None
    k = raw.shape[1]
    nbin = int(hi - lo) + 2                          # the last bin holds the missing
    codes = raw - lo
    np.copyto(codes, nbin - 1, where=np.isnan(codes))
    ci = codes.astype(np.intp)      # (np.bincount is slow on int32 input)
    if not np.array_equal(ci, codes):                # non-integer answers: count by value
        m = ~np.isnan(raw)
        vals = np.unique(raw[m])
        if len(vals) > 10:
            return None
        ci = np.where(m, np.searchsorted(vals, np.where(m, raw, vals[0])), len(vals))
        nbin = len(vals) + 1
    else:
        vals = lo + np.arange(nbin - 1)
    ci += (nbin * np.arange(k, dtype=np.intp))[None, :]
    f_order = ci.flags.f_contiguous                # ravel(order="K") follows memory order
    wk = None if w is None else (np.tile(w, k) if f_order else np.repeat(w, k))
    counts = np.bincount(ci.ravel(order="F" if f_order else "C"), weights=wk,
                         minlength=nbin * k).reshape(k, nbin).astype(float)
    present = counts[:, :-1].sum(axis=0) > 0
    if present.sum() > 10:
        return None
    df = pd.DataFrame(counts[:, :-1][:, present], index=pd.Index(names, name="item"),
                      columns=vals[present])
    valid = df.sum(axis=1)
    df = df.div(valid, axis=0)
    df["miss"] = 1 - valid / counts.sum(axis=1)
    return df


def bootstrap_alpha(xk, weights=None, n_boot=1000, seed=None, block=None):
    """Raw alpha of ``n_boot`` row resamples of the keyed item matrix ``xk`` (NaN missing).

    Vectorised: the resamples are a (resamples x rows) matrix of counts *f* (times the row
    weights); every pairwise sum of :func:`pairwise_cov` becomes one matrix product of *f*
    with per-row products of the items, in blocks of rows and resamples to bound memory.
    Identical to computing ``cov(x[idx], use = "pairwise")`` for each resample, as
    psych::alpha(n.iter=) does.
    """
    rng = np.random.default_rng(seed)
    xk = np.asarray(xk, dtype=float)
    n, k = xk.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    m = ~np.isnan(xk)
    complete = bool(m.all())
    mu = np.nanmean(xk, axis=0)
    xc = np.where(m, xk - mu, 0.0)
    mf = m.astype(float)
    bsize = block or max(1, min(n_boot, 4_000_000 // max(n, 1)))
    out = np.empty(n_boot)
    with _one_blas_thread():
        _boot_blocks(out, rng, xc, mf, w, n, k, n_boot, bsize, complete)
    return out


def _boot_blocks(out, rng, xc, mf, w, n, k, n_boot, bsize, complete):
    kk = k * k
    rsize = max(1, 2_000_000 // kk)
    for b0 in range(0, n_boot, bsize):
        b = min(bsize, n_boot - b0)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(),
                             minlength=b * n).reshape(b, n).astype(float)
        f, g = counts * w, counts * (w * w)
        s2 = np.zeros((b, kk))
        s1 = np.zeros((b, kk))
        npair = np.zeros((b, kk))
        n2 = np.zeros((b, kk))
        for r0 in range(0, n, rsize):
            sl = slice(r0, min(n, r0 + rsize))
            xs, ms = xc[sl], mf[sl]
            s2 += f[:, sl] @ (xs[:, :, None] * xs[:, None, :]).reshape(-1, kk)
            if complete:
                s1 += np.repeat(f[:, sl] @ xs, k, axis=1)
                npair += f[:, sl].sum(axis=1)[:, None]
                n2 += g[:, sl].sum(axis=1)[:, None]
            else:
                mm = (ms[:, :, None] * ms[:, None, :]).reshape(-1, kk)
                s1 += f[:, sl] @ (xs[:, :, None] * ms[:, None, :]).reshape(-1, kk)
                npair += f[:, sl] @ mm
                n2 += g[:, sl] @ mm
        s1 = s1.reshape(b, k, k)
        npair, n2 = npair.reshape(b, k, k), n2.reshape(b, k, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (s2.reshape(b, k, k) - s1 * s1.transpose(0, 2, 1) / npair) / (npair - n2 / npair)
        out[b0:b0 + b] = _raw_alpha(cov)


# --------------------------------------------------------------------------- by group
@dataclass(repr=False)
class TestResult:
    """A test of equal alphas: ``method``, ``statistic``, ``df``, ``p_value`` and the
    ``alphas``/``n`` of the groups compared (``groups`` labels them)."""

    method: str
    statistic: float
    df: tuple
    p_value: float
    alphas: list
    n: list
    groups: list = field(default_factory=list)

    def __repr__(self):
        df = ", ".join(f"{d:g}" for d in self.df)
        return (f"{self.method}: statistic = {self.statistic:.4f}, df = {df}, "
                f"p = {self.p_value:.4f} ({len(self.alphas)} groups)")

    def __str__(self):
        """Dutch, for reports: decimal commas."""
        nl = lambda v, d: f"{v:.{d}f}".replace(".", ",")   # noqa: E731
        df = "; ".join(f"{d:g}".replace(".", ",") for d in self.df)
        if self.method.startswith("Feldt"):
            head, stat = "Toets van Feldt (1969) op gelijke alfa's in twee groepen", "W"
        else:
            head = f"Toets van Hakstian en Whalen (1976) op gelijke alfa's in {len(self.alphas)} groepen"
            stat = "chi²"
        p = "< 0,001" if self.p_value < 0.001 else f"= {nl(self.p_value, 3)}"
        return f"{head}: {stat} = {nl(self.statistic, 2)} (df = {df}), p {p}"


def feldt_test(alpha1, n1, alpha2, n2) -> TestResult:
    r"""Feldt's (1969) test of equal alphas in two independent groups (two-sided).

    .. math:: W = \frac{1 - \alpha_{s}}{1 - \alpha_{l}} \sim F(n_l - 1,\; n_s - 1),

    :math:`\alpha_l` the larger and :math:`\alpha_s` the smaller coefficient, *n* their
    group sizes; :math:`p = 2\,(1 - F(W))`. This is the form of Charter & Feldt (1996) and
    of R's ``cocron::cocron.two.coefficients(indep = TRUE)``.

    References
    ----------
    .. [1] Feldt, L. S. (1969). A test of the hypothesis that Cronbach's alpha or
       Kuder-Richardson coefficient twenty is the same for two tests. Psychometrika, 34,
       363-373.
    .. [2] Charter, R. A., & Feldt, L. S. (1996). Testing the equality of two alpha
       coefficients. Perceptual and Motor Skills, 82, 763-768.

    Examples
    --------
    >>> # In R: cocron::cocron.two.coefficients(alpha = c(.78, .71), n = c(41, 151))
    >>> feldt_test(.78, 41, .71, 151).statistic       # doctest: +ELLIPSIS
    1.318...
    """
    (al, nl), (as_, ns) = sorted([(alpha1, n1), (alpha2, n2)], key=lambda t: -t[0])
    w = (1 - as_) / (1 - al)
    df = (nl - 1, ns - 1)
    p = min(1.0, 2 * stats.f.sf(w, *df))
    return TestResult("Feldt (1969) test for two independent alphas", float(w), df, float(p),
                      [alpha1, alpha2], [n1, n2])


def equal_alphas_test(alphas, n, n_items) -> TestResult:
    r"""Test of equal alphas in K independent groups (Hakstian & Whalen, 1976).

    With :math:`u_k = (1 - \alpha_k)^{-1/3}`, :math:`\tilde n_k = (J_k - 1) n_k / (J_k + 1)`
    (*J* items) and :math:`\sigma_k^2 = 2 / (9 (\tilde n_k - 1)(1 - \alpha_k)^{2/3})`:

    .. math:: \chi^2 = \sum_k (u_k - \bar u)^2 / \bar{\sigma^2}, \quad df = K - 1,

    in the form of Feldt, Woodruff & Salih (1987) as R's
    ``cocron::cocron.n.coefficients(indep = TRUE)`` computes it.

    References
    ----------
    .. [1] Hakstian, A. R., & Whalen, T. E. (1976). A k-sample significance test for
       independent alpha coefficients. Psychometrika, 41, 219-231.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93-103.

    Examples
    --------
    >>> # In R: cocron::cocron.n.coefficients(c(.784, .875, .936), n = c(51, 101, 151), items = 5)
    >>> round(equal_alphas_test([.784, .875, .936], [51, 101, 151], 5).statistic, 3)
    22.926
    """
    a = np.asarray(alphas, dtype=float)
    nn = np.broadcast_to(np.asarray(n, dtype=float), a.shape)
    j = np.broadcast_to(np.asarray(n_items, dtype=float), a.shape)
    if len(a) < 2:
        raise ValueError("equal_alphas_test needs at least two alphas.")
    if ((a <= 0) | (a >= 1)).any():
        raise DataError(f"The test needs alphas between 0 and 1; got {a.tolist()}.")
    u = (1 - a) ** (-1 / 3)
    nt = (j - 1) * nn / (j + 1)
    var = 2 / (9 * (nt - 1) * (1 - a) ** (2 / 3))
    chi = float(((u - u.mean()) ** 2).sum() / var.mean())
    df = len(a) - 1
    return TestResult("Hakstian-Whalen (1976) test for K independent alphas", chi, (df,),
                      float(stats.chi2.sf(chi, df)), a.tolist(), nn.tolist())


@dataclass(repr=False)
class AlphaByResult:
    """What :func:`alpha_by` returns: ``table`` (one row per group) and ``test`` (a
    :class:`TestResult` comparing the groups that are not suppressed, or None)."""

    table: pd.DataFrame
    test: TestResult | None

    def __repr__(self):
        return self.table.to_string() + ("\n\n" + repr(self.test) if self.test else "")

    def _repr_html_(self):
        return self.table.to_html() + (f"<p>{self.test!r}</p>" if self.test else "")


def alpha_by(data, by, items=None, reverse=(), weights=None, ci="feldt", level=0.95,
             n_boot=1000, seed=None, missing="pairwise", min_n=10, warn_n=30) -> AlphaByResult:
    """Alpha per group (gemeente, golf, kern, or several columns), with disclosure flags.

    Parameters
    ----------
    data, items, reverse, weights, ci, level, n_boot, seed, missing : as :func:`alpha`.
    by : str or list of str
        Grouping column(s).
    min_n, warn_n : int
        Groups with fewer than ``min_n`` respondents get no alpha (``suppressed``); fewer
        than ``warn_n``: ``indicative``. Respondents are rows with at least one valid item
        answer; rows without any are left out of the group.

    Returns
    -------
    AlphaByResult
        ``.table`` columns: the ``by`` columns, n, raw_alpha, std_alpha, ci_lower, ci_upper,
        suppressed, indicative, note (why a group has no alpha). ``.test``: Feldt's test
        (two groups) or the Hakstian-Whalen test (three or more) over the groups shown,
        with *n* Kish's effective n when weighted; None with fewer than two.

    Examples
    --------
    >>> # In R: by(panel, panel$gemeente, function(d) psych::alpha(d[items], keys = "bet_3"))
    >>> alpha_by(panel, "gemeente", "betrokkenheid").table              # doctest: +SKIP
    """
    from .io import Panel
    by = [by] if isinstance(by, str) else list(by)
    if not (isinstance(min_n, int) and isinstance(warn_n, int) and 0 < min_n <= warn_n):
        raise ValueError(f"min_n and warn_n must be positive integers with min_n <= warn_n; "
                         f"got {min_n!r}, {warn_n!r}.")
    df = data.data if isinstance(data, Panel) else data
    missing_by = [b for b in by if b not in df.columns]
    if missing_by:
        raise DataError(f"Grouping column(s) {', '.join(map(repr, missing_by))} are not in the data.")
    it = _resolve(data, items, reverse, weights)
    x = it.x
    keys = [c for c, k in it.keys.items() if k < 0]
    answered = x.notna().any(axis=1).to_numpy()
    w_all = it.weights
    rows = []
    for gkey, idx in df.groupby(by, observed=True, sort=True, dropna=True).indices.items():
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        sel = idx[answered[idx]]
        n = len(sel)
        row = dict(zip(by, gkey), n=n, raw_alpha=np.nan, std_alpha=np.nan, ci_lower=np.nan,
                   ci_upper=np.nan, suppressed=n < min_n, indicative=min_n <= n < warn_n,
                   note="", n_eff=np.nan)
        if n < min_n:
            row["note"] = f"minder dan {min_n} respondenten"
        else:
            sub = x.iloc[sel]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SocvitWarning)
                    res = alpha(sub, list(x.columns), reverse=keys,
                                weights=None if w_all is None else w_all[sel], ci=ci,
                                n_boot=n_boot, level=level, seed=seed, missing=missing)
                row.update(raw_alpha=res.total["raw_alpha"], std_alpha=res.total["std_alpha"],
                           ci_lower=res.ci[0], ci_upper=res.ci[1], n_eff=res.n_eff)
            except DataError as exc:
                row["note"] = str(exc)
        rows.append(row)
    table = pd.DataFrame(rows, columns=by + ["n", "raw_alpha", "std_alpha", "ci_lower",
                                             "ci_upper", "suppressed", "indicative", "note",
                                             "n_eff"])
    ok = table[~table["suppressed"] & table["raw_alpha"].between(0, 1, inclusive="neither")]
    test = None
    labels = [" / ".join(map(str, r)) for r in ok[by].itertuples(index=False)]
    if len(ok) == 2:
        test = feldt_test(ok["raw_alpha"].iloc[0], ok["n_eff"].iloc[0],
                          ok["raw_alpha"].iloc[1], ok["n_eff"].iloc[1])
    elif len(ok) > 2:
        test = equal_alphas_test(ok["raw_alpha"], ok["n_eff"], x.shape[1])
    if test is not None:
        test.groups = labels
    if w_all is None:
        table = table.drop(columns="n_eff")
    return AlphaByResult(table, test)


# --------------------------------------------------------------------------- command line
def cli_reliability(args) -> int:
    """``socvit reliability PATH --scale NAME [--codebook FILE] [--golf YEAR]``: print the
    psych-style alpha table of a codebook scale. Bad input raises DataError (exit 2)."""
    from .io import load_panel
    panel = load_panel(args.path, getattr(args, "codebook", None))
    if args.scale not in panel.codebook.scales:
        raise DataError(f"Scale {args.scale!r} is not in the codebook; the scales are: "
                        f"{', '.join(panel.codebook.scales)}.")
    golf = getattr(args, "golf", None)
    if golf is not None:
        wave = panel.codebook.column("wave")
        if wave is None:
            raise DataError("--golf needs a wave (golf) column in the codebook.")
        mask = (panel.data[wave] == golf).fillna(False).to_numpy(dtype=bool)
        if not mask.any():
            waves = sorted(panel.data[wave].dropna().unique().tolist())
            raise DataError(f"No rows with {wave} = {golf} in {args.path}; the waves are: "
                            f"{', '.join(map(str, waves))}.")
        panel = panel.subset(mask)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SocvitWarning)
        res = alpha(panel, args.scale)
    print(res.summary())
    for wmsg in caught:
        print(f"\nLet op: {wmsg.message}")
    return 0


from ._omega import OmegaResult, omega  # noqa: E402  (they use _resolve above)
from ._splithalf import SplitHalfResult, splithalf  # noqa: E402
