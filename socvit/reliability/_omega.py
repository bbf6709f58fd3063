"""McDonald's omega by the Schmid-Leiman route of psych::omega (used through socvit.reliability).

The steps mirror R exactly so that the numbers agree with psych (Revelle):

1. ``minres``: minimum-residual factor extraction of a correlation matrix (psych::fa,
   ``fm = "minres"``): uniquenesses :math:`\\psi` minimise the squared off-diagonal residuals
   of :math:`R - \\Lambda\\Lambda'`, :math:`\\Lambda` the first *m* eigenvectors of
   :math:`R - \\mathrm{diag}(\\psi)` scaled by the roots of their eigenvalues, starting from
   :math:`1 - \\mathrm{smc}` with bounds [0.005, max(smc, 1)]. psych's ``optim`` call is
   repeated exactly: L-BFGS-B with parscale 0.01, R's default tolerances and memory, and
   psych's gradient ``FAgr.minres`` (:math:`\\mathrm{diag}(\\Lambda\\Lambda' + \\mathrm{diag}
   \\,\\psi - R)`, the ULS one). Where the model is not identified (two factors of four
   items) the optimiser's path picks the solution; on the same path socvit finds psych's.
2. ``varimax``: R's ``stats::varimax`` (Kaiser normalisation, eps 1e-5), then psych's sign
   flips (positive column sums) and ordering by explained variance.
3. ``oblimin``: GPArotation's ``GPFoblq`` with the quartimin criterion (gamma = 0), the
   gradient projection algorithm of Bernaards & Jennrich (2005), from the identity.
4. ``schmid``: a general factor from the factor correlations (a one-factor minres of
   :math:`\\Phi` for three or more factors; for two, psych's ``option = "equal"``:
   :math:`\\sqrt{|\\phi_{12}|}`) and the Schmid-Leiman (1957) orthogonalisation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize

from ..errors import DataError, SocvitWarning
from ._items import _resolve
from ._matrix import pairwise_cov, smc

__all__ = ["omega", "OmegaResult", "bootstrap_omega", "minres", "varimax", "oblimin", "schmid_leiman", "omega_from_r", "smc"]


def _loadings(r, psi, nf):
    s = r - np.diag(psi)
    vals, vecs = np.linalg.eigh(s)
    vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
    return vecs * np.sqrt(np.maximum(vals, 0.0))


def _minres_fit(psi, r, nf, low):
    """psych's ``fit.residuals`` (minres): the squared residuals below the diagonal of
    :math:`R - \\Lambda\\Lambda'` with :math:`1 - \\psi` on R's diagonal (eigenvalues below
    machine epsilon set to 100 eps), and psych's ``FAgr.minres``: the diagonal of
    :math:`\\Lambda\\Lambda' + \\mathrm{diag}\\,\\psi - R` (the ULS gradient, not that of
    the criterion: psych hands this pair to ``optim``, and where the solution is not
    unique the optimiser's path decides which one is found)."""
    eps = np.finfo(float).eps
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    vals, vecs = np.linalg.eigh(s)
    vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
    lam = vecs * np.sqrt(np.where(vals < eps, 100 * eps, vals))
    f = float(((s - lam @ lam.T)[low] ** 2).sum())
    lam = _loadings(r, psi, nf)
    return f, np.diag(lam @ lam.T) + psi - np.diag(r)


def minres(r, nf):
    """Unrotated minres loadings (p x nf) of correlation matrix ``r``, as psych::fa finds them.

    psych calls ``optim(start, fit.residuals, FAgr.minres, method = "L-BFGS-B", lower =
    0.005, upper = max(smc, 1), control = list(parscale = rep(0.01, p)))``: the same pair of
    criterion and gradient (:func:`_minres_fit`), the same scaling (parscale 0.01), R's
    defaults (5 corrections kept, ``factr = 1e7``, ``pgtol = 0``, 100 iterations) here in
    scipy's L-BFGS-B. Where the factor model is identified this is the unique minimum; where
    it is not (two factors of four items have -1 degrees of freedom) many uniquenesses fit
    exactly, and only following psych's path gives psych's loadings (tested)."""
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    s = smc(r)
    start = 1.0 - s
    if nf > 1 and s.sum() == nf:     # psych's degenerate-start rule
        start = np.full(p, 0.5)
    upper = max(s.max(), 1.0)
    low = np.tril_indices(p, -1)
    scale = 0.01                     # optim's parscale: it works on psi / 0.01

    def f(z):
        val, grad = _minres_fit(z * scale, r, nf, low)
        return val, grad * scale

    opt = minimize(f, start / scale, jac=True, method="L-BFGS-B",
                   bounds=[(0.005 / scale, upper / scale)] * p,
                   options={"ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxcor": 5,
                            "maxiter": 100})
    lam = _loadings(r, opt.x * scale, nf)
    sgn = np.sign(lam.sum(axis=0))
    sgn[sgn == 0] = 1
    lam = lam * sgn
    lam[lam == 0] = 1e-15
    return lam


def varimax(lam, eps=1e-5):
    """R's stats::varimax (normalize = TRUE)."""
    p, nc = lam.shape
    if nc < 2:
        return lam
    sc = np.sqrt((lam ** 2).sum(axis=1))
    x = lam / sc[:, None]
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z ** 3 - z * (z ** 2).sum(axis=0) / p)
        u, sv, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast, d = d, sv.sum()
        if d < dpast * (1 + eps):
            break
    return (x @ tt) * sc[:, None]


def _sign_sort(lam, phi=None):
    """psych::fa's last steps: positive column sums, columns by explained variance."""
    sgn = np.sign(lam.sum(axis=0))
    sgn[sgn == 0] = 1
    lam = lam * sgn
    if phi is not None:
        phi = phi * np.outer(sgn, sgn)
        ev = np.diag(phi @ lam.T @ lam)
    else:
        ev = (lam ** 2).sum(axis=0)
    order = np.argsort(-ev, kind="stable")
    lam = lam[:, order]
    return (lam, phi[np.ix_(order, order)]) if phi is not None else lam


def _quartimin(lam):
    x = (lam ** 2) @ (1 - np.eye(lam.shape[1]))
    return lam * x, float(((lam ** 2) * x).sum() / 4)


def oblimin(a, eps=1e-5, maxit=1000):
    """GPArotation::oblimin(A) (gamma = 0, normalize = FALSE): GPFoblq from the identity.

    Returns (loadings, Phi). Bernaards & Jennrich (2005), Educational and Psychological
    Measurement 65, 676-696.
    """
    t = np.eye(a.shape[1])
    al = 1.0
    lam = a @ np.linalg.inv(t).T
    gq, f = _quartimin(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    for _ in range(maxit + 1):
        gp = g - t * (t * g).sum(axis=0)
        s = np.sqrt((gp ** 2).sum())
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            x = t - al * gp
            tt = x / np.sqrt((x ** 2).sum(axis=0))
            lam = a @ np.linalg.inv(tt).T
            gqt, ft = _quartimin(lam)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2
        t, f = tt, ft
        g = -(lam.T @ gqt @ np.linalg.inv(tt)).T
    return lam, t.T @ t


def schmid_leiman(r, nf):
    """psych::schmid: returns dict with g (general loadings), groups (p x nf), h2, u2,
    oblique loadings, phi and the general-factor loadings of the group factors.

    With one factor (psych: "Omega_h for 1 factor is not meaningful, just omega_t") there
    is no rotation: the factor's loadings are the general loadings and the group loadings
    are (numerically) zero."""
    lam = _sign_sort(varimax(minres(r, nf)))
    if nf == 1:
        fload, phi = lam, np.ones((1, 1))
        gload = np.ones(1)
    else:
        fload, phi = oblimin(lam)
    if nf == 1:
        pass
    elif nf > 2:
        gload = minres(phi, 1)[:, 0]
        if gload.sum() < 0:
            gload = -gload
    else:
        gload = np.array([np.sqrt(abs(phi[0, 1])), np.sign(phi[0, 1]) * np.sqrt(abs(phi[0, 1]))])
    g = fload @ gload
    h2 = (lam ** 2).sum(axis=1)
    u2 = np.diag(r) - h2
    d = np.diag(r)[:, None]
    uniq2 = np.maximum(d - (d - fload ** 2) - (fload * gload) ** 2, 0.0)   # psych's order
    groups = np.sign(fload) * np.sqrt(uniq2)
    return {"g": g, "groups": groups, "h2": h2, "u2": u2, "oblique": fload, "phi": phi,
            "gloading": gload}


def omega_from_r(r, nf, keys=None):
    """psych::omegah on a correlation matrix. ``keys`` (+1/-1 per item) or None to flip items
    by the sign of their general loading (psych's ``flip = TRUE``)."""
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    if keys is not None:
        k = np.asarray(keys, dtype=float)
        r = r * np.outer(k, k)
    sl = schmid_leiman(r, nf)
    if keys is None:
        k = np.sign(sl["g"])
        k[k == 0] = 1
        if k.sum() < p:
            r = r * np.outer(k, k)
            sl["g"], sl["groups"] = sl["g"] * k, sl["groups"] * k[:, None]
    else:
        k = np.asarray(keys, dtype=float)
    g, groups = sl["g"], sl["groups"]
    vt = r.sum()
    uniq = sl["u2"].sum()
    om_tot = (vt - uniq) / vt
    omega_h = g.sum() ** 2 / vt
    alpha = (vt - np.trace(r)) / vt * p / (p - 1)
    ev = np.r_[(g ** 2).sum(), (groups ** 2).sum(axis=0)]
    sub = np.argmax(np.abs(groups), axis=1)
    rows = [[om_tot, omega_h, np.nan]]
    grs = 0.0
    for j in range(nf):
        idx = np.flatnonzero(sub == j)
        if len(idx) == 0:
            rows.append([np.nan, np.nan, np.nan])
            continue
        vgr = r[np.ix_(idx, idx)].sum()
        gr = groups[idx, j].sum()
        grs += gr ** 2
        gg = g[idx].sum() ** 2
        rows.append([(gr ** 2 + gg) / vgr, gg / vgr, gr ** 2 / vgr])
    rows[0][2] = grs / vt
    return {"omega_h": omega_h, "omega_total": om_tot, "alpha": alpha,
            "omega_lim": g.sum() ** 2 / (vt - uniq), "g6": (vt + smc(r).sum() - np.trace(r)) / vt,
            "ecv": ev[0] / ev.sum(), "group_rows": rows, "keys": k, "sub": sub, **sl}


# --------------------------------------------------------------------------- omega
@dataclass(repr=False)
class OmegaResult:
    """What :func:`omega` returns (psych::omega with snake_case names).

    omega_h, omega_total, alpha (standardised), omega_lim (omega_h / omega_total), g6, ecv
    (explained common variance of the general factor); groups: DataFrame per factor
    (g, F1*, ...) with omega ``total``, ``general`` and ``group`` as psych's omega.group;
    loadings: the Schmid-Leiman table (g, F1*.., h2, u2, p2); phi: oblimin factor
    correlations; keys: item -> +1/-1 used. With ``ci``: ``ci_h`` and ``ci_total`` (lower,
    upper) at ``level`` by ``ci_method``, and ``boot`` (n_boot x 2: omega_h, omega_total of
    each resample; NaN where a resample could not be fitted).
    """

    omega_h: float
    omega_total: float
    alpha: float
    omega_lim: float
    g6: float
    ecv: float
    groups: pd.DataFrame
    loadings: pd.DataFrame
    phi: pd.DataFrame
    keys: dict
    n_factors: int
    n: int
    label: str | None = None
    ci_h: tuple | None = None
    ci_total: tuple | None = None
    ci_method: str | None = None
    level: float = 0.95
    boot: np.ndarray | None = None

    def summary(self) -> str:
        f = lambda v: f"{v:.2f}"   # noqa: E731
        ci = lambda c: f"   ({f(c[0])} - {f(c[1])})" if c is not None else ""  # noqa: E731
        lines = [f"Omega{f'   {self.label}' if self.label else ''}",
                 (f"n = {self.n}, {self.n_factors} group factor{'s' if self.n_factors > 1 else ''}"
                  f" (minres, {'oblimin, ' if self.n_factors > 1 else ''}Schmid-Leiman)"),
                 f"Alpha:                 {f(self.alpha)}",
                 f"G.6:                   {f(self.g6)}",
                 f"Omega Hierarchical:    {f(self.omega_h)}{ci(self.ci_h)}",
                 f"Omega H asymptotic:    {f(self.omega_lim)}",
                 f"Omega Total            {f(self.omega_total)}{ci(self.ci_total)}",
                 f"Explained common variance of the general factor = {f(self.ecv)}"]
        if self.ci_h is not None:
            lines.append(f"({100 * self.level:g}% {self.ci_method} intervals from "
                         f"{len(self.boot)} resamples of rows)")
        lines += ["", "Schmid Leiman Factor loadings greater than 0.2",
                  self.loadings.map(lambda v: "" if abs(v) < 0.2 else f"{v:.2f}")
                  .assign(h2=self.loadings["h2"].map(f), u2=self.loadings["u2"].map(f),
                          p2=self.loadings["p2"].map(f)).to_string(),
                  "", "Omega and its components per factor",
                  self.groups.to_string(float_format=f)]
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        return f"<pre>{self.summary()}</pre>"


_CI_METHODS = ("bootstrap", "bootstrap_z")


def omega(data, n_factors=3, items=None, reverse=(), fm="minres", rotate="oblimin", ci=None,
          n_boot=1000, level=0.95, seed=None) -> OmegaResult:
    r"""McDonald's omega hierarchical and total by the Schmid-Leiman route (psych::omega).

    Parameters
    ----------
    data, items, reverse : as :func:`alpha` (a Panel with a codebook scale name works too).
        With ``reverse`` (or codebook keys) the items are keyed and not flipped, as
        ``psych::omega(key = ...)``; without, items whose general loading is negative are
        flipped (psych's ``flip = TRUE``).
    n_factors : int
        Number of group factors (psych's default 3), from 1 to half the number of items.
        With 1 (a single sub-scale, from two items on) there is no hierarchy: report
        omega_total (psych: "Omega_h for 1 factor is not meaningful, just omega_t"); a
        warning says so. With 2 the general factor is not identified; psych's
        ``option = "equal"`` is used (equal general loadings), with a warning.
    fm, rotate : only "minres" and "oblimin" (psych's defaults) are implemented.
    ci : {None, "bootstrap", "bootstrap_z"}
        Intervals for omega_h and omega_total from ``n_boot`` resamples of rows (seeded by
        ``seed``), each refitted from its own pairwise correlations and keyed as the full
        data: ``"bootstrap"`` the percentiles; ``"bootstrap_z"`` psych's ``omega(n.iter=)``
        interval (the mean of the Fisher-z transformed resamples :math:`\pm z_{1-p/2}`
        times their standard deviation, transformed back).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    OmegaResult
        omega_h, omega_total, alpha, ecv, groups (per-factor omegas), loadings (Schmid-Leiman
        table), phi; ci_h, ci_total and boot with ``ci``.

    Notes
    -----
    Pairwise correlations :math:`R`; minres factor extraction; oblimin (quartimin) rotation;
    a general factor from the factor correlations; Schmid-Leiman loadings :math:`g_i` and
    group loadings :math:`f_{ij}`, uniquenesses :math:`u_i^2`. Then

    .. math::

        \omega_h = \frac{(\sum_i g_i)^2}{\mathbf 1'R\mathbf 1}, \qquad
        \omega_t = \frac{\mathbf 1'R\mathbf 1 - \sum_i u_i^2}{\mathbf 1'R\mathbf 1},
        \qquad \mathrm{ECV} = \frac{\sum_i g_i^2}{\sum_i g_i^2 + \sum_{ij} f_{ij}^2}.

    With one factor :math:`g_i` are its loadings. With two items one factor is not
    identified either: psych's minres path ends at equal loadings :math:`\sqrt{r_{12}}`, so
    omega_total is the Spearman-Brown (standardised alpha) :math:`2r_{12}/(1+r_{12})`.

    Implementation details (mirroring psych 2.2.9 and GPArotation) in
    ``socvit.reliability._omega``. The Python package factor_analyzer (0.5.1) was checked
    and not used: it fails with the current scikit-learn and its oblimin loadings differ
    from psych's by up to 0.006 on bfi.

    A :class:`~socvit.errors.SocvitWarning` says when a Panel's rows repeat respondents
    (the codebook's id column): the resamples then treat one person's waves as different
    people, and the intervals are too narrow.

    References
    ----------
    .. [1] McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    .. [2] Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor
       solutions. Psychometrika, 22, 53-61.
    .. [3] Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
       Revelle's beta, and McDonald's omega_h. Psychometrika, 70, 123-133.
    .. [4] Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and
       software for arbitrary rotation criteria in factor analysis. Educational and
       Psychological Measurement, 65, 676-696.
    .. [5] Kelley, K., & Pornprasertmanit, S. (2016). Confidence intervals for population
       reliability coefficients: Evaluation of methods, recommendations, and software for
       composite measures. Psychological Methods, 21, 69-92 (bootstrap intervals for omega).

    Examples
    --------
    >>> # In R: psych::omega(bfi[, 1:25], nfactors = 3)
    >>> round(float(omega(bfi, 3, items=list(bfi.columns[:25])).omega_h), 3)
    0.436
    >>> round(float(omega(wave, 4, items="organisatiekracht").omega_h), 3)
    0.774
    >>> # In R: psych::omega(items, nfactors = 1)$omega.tot  (one sub-scale)
    >>> round(float(omega(wave, 1, items="betrokkenheid").omega_total), 3)
    0.798
    >>> res = omega(wave, 1, items="betrokkenheid", ci="bootstrap", n_boot=200, seed=1)
    >>> [round(b, 2) for b in res.ci_total]
    [0.78, 0.81]
    """
    if fm != "minres" or rotate != "oblimin":
        raise ValueError("omega implements psych's defaults only: fm='minres', rotate='oblimin'.")
    if ci is not None and ci not in _CI_METHODS:
        raise ValueError(f"ci must be None, 'bootstrap' or 'bootstrap_z', got {ci!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level!r}.")
    n_factors = int(n_factors)
    it = _resolve(data, items, reverse, None, need=2, call="omega")
    names = list(it.x.columns)
    if not 1 <= n_factors <= max(1, len(names) // 2):
        raise DataError(f"omega needs 1 to {max(1, len(names) // 2)} group factor(s) for "
                        f"{len(names)} items; got n_factors={n_factors}.")
    if n_factors == 1:
        warnings.warn("Omega with one factor: omega_h is not meaningful, report omega_total "
                      "(psych: 'Omega_h for 1 factor is not meaningful, just omega_t').",
                      SocvitWarning, stacklevel=2)
    if n_factors == 2:
        warnings.warn("Omega with two group factors: the general factor is not identified; "
                      "its loadings on the two factors are set equal (psych's option='equal'). "
                      "Interpret omega_h with caution.", SocvitWarning, stacklevel=2)
    x = it.x.to_numpy()
    _, _, r = pairwise_cov(x, corr=True)
    if not np.isfinite(r).all():
        raise DataError("Some pairs of items are never answered together; omega needs every "
                        "correlation.")
    keyed = any(v < 0 for v in it.keys.values())
    given = [it.keys[c] for c in names] if keyed else None
    res = omega_from_r(r, n_factors, given)
    k = res["keys"]
    rows = [f"{c}-" if k[i] < 0 else c for i, c in enumerate(names)]
    gcols = [f"F{j + 1}*" for j in range(n_factors)]
    loadings = pd.DataFrame(res["groups"], index=rows, columns=gcols)
    loadings.insert(0, "g", res["g"])
    loadings["h2"], loadings["u2"] = res["h2"], res["u2"]
    loadings["p2"] = res["g"] ** 2 / res["h2"]
    groups = pd.DataFrame(res["group_rows"], index=["g"] + gcols,
                          columns=["total", "general", "group"])
    fac = [f"F{j + 1}" for j in range(n_factors)]
    out = OmegaResult(omega_h=float(res["omega_h"]), omega_total=float(res["omega_total"]),
                      alpha=float(res["alpha"]), omega_lim=float(res["omega_lim"]),
                      g6=float(res["g6"]), ecv=float(res["ecv"]), groups=groups,
                      loadings=loadings, phi=pd.DataFrame(res["phi"], index=fac, columns=fac),
                      keys={c: int(k[i]) for i, c in enumerate(names)}, n_factors=n_factors,
                      n=len(it.x), label=it.label, level=level)
    if ci is not None:
        if int(n_boot) < 2:
            raise ValueError(f"n_boot must be at least 2, got {n_boot!r}.")
        out.boot = bootstrap_omega(x, n_factors, given, int(n_boot), seed)
        out.ci_h, out.ci_total = (_boot_interval(out.boot[:, j], ci, level) for j in (0, 1))
        out.ci_method = ci
    return out


def bootstrap_omega(x, n_factors, keys=None, n_boot=1000, seed=None):
    """omega_h and omega_total of ``n_boot`` row resamples of the item matrix ``x`` (NaN
    missing): an (n_boot x 2) array, NaN where a resample cannot be fitted.

    A resample is a count per row (how often it was drawn); its pairwise correlations are
    those of the data weighted by the counts (the weighting's normalisation cancels in a
    correlation), identical to ``cor(x[idx, ], use = "pairwise")`` in R."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=float)
    n = len(x)
    out = np.full((n_boot, 2), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for b in range(n_boot):
            counts = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(float)
            _, _, r = pairwise_cov(x, counts, corr=True)
            if not np.isfinite(r).all():
                continue
            try:
                res = omega_from_r(r, n_factors, keys)
            except (np.linalg.LinAlgError, ValueError):
                continue
            out[b] = res["omega_h"], res["omega_total"]
    return out


def _boot_interval(v, method, level):
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return (np.nan, np.nan)
    p = 1 - level
    if method == "bootstrap":
        q = np.quantile(v, [p / 2, 1 - p / 2])
        return (float(q[0]), float(q[1]))
    z = np.arctanh(np.clip(v, -1 + 1e-15, 1 - 1e-15))      # psych's fisherz / fisherz2r
    m, sd = z.mean(), z.std(ddof=1)
    q = stats.norm.ppf(1 - p / 2)
    return (float(np.tanh(m - q * sd)), float(np.tanh(m + q * sd)))
