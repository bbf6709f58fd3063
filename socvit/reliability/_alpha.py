"""psych::alpha: Cronbach's alpha with the whole table (totals, items, alpha if dropped,
response frequencies) and Feldt, Duhachek or bootstrap intervals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, SocvitWarning
from ._items import _resolve
from ._matrix import _one_blas_thread, cov2cor, pairwise_cov, smc

__all__ = ["alpha", "AlphaResult", "bootstrap_alpha"]

_TOTAL = ["raw_alpha", "std_alpha", "g6", "average_r", "s_n", "ase", "mean", "sd", "median_r"]
_DROP = ["raw_alpha", "std_alpha", "g6", "average_r", "s_n", "alpha_se", "var_r", "median_r"]


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
            "g6": 1 - (k - smc(r).sum()) / sr, "average_r": av_r,
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

    Another says when a Panel's rows repeat respondents (its codebook's id column, e.g. all
    waves pooled): alpha then describes the pooled rows, but every interval treats them as
    independent people and is too narrow. Use one wave (or one row per person), and
    :func:`~socvit.reliability.alpha_waves` to compare the waves of the same people.

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
    >>> res = alpha(bfi, ["A1", "A2", "A3", "A4", "A5"], reverse="A1")
    >>> round(float(res.total["raw_alpha"]), 4)
    0.703
    >>> # In R: psych::alpha(items, n.iter = 1000)  (a codebook scale in one wave, bootstrap)
    >>> res = alpha(wave, "betrokkenheid", ci="bootstrap", seed=1)
    >>> [round(b, 3) for b in res.ci]
    [0.783, 0.808]
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
    r = cov2cor(c)
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
    np.fill_diagonal(rc, smc(r))
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
        r12, s = r[0, 1], smc(r)[0]
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
