"""McDonald's omega by the Schmid-Leiman route of psych::omega (private helpers).

The steps mirror R exactly so that the numbers agree with psych (Revelle):

1. ``minres``: minimum-residual factor extraction of a correlation matrix (psych::fa,
   ``fm = "minres"``): uniquenesses :math:`\\psi` minimise the squared off-diagonal residuals
   of :math:`R - \\Lambda\\Lambda'`, :math:`\\Lambda` the first *m* eigenvectors of
   :math:`R - \\mathrm{diag}(\\psi)` scaled by the roots of their eigenvalues, starting from
   :math:`1 - \\mathrm{smc}` with bounds [0.005, 1] (L-BFGS-B, as psych). At the optimum the
   off-diagonal (minres) and full (ULS) criteria coincide, so the ULS gradient
   :math:`2\\,\\mathrm{diag}(\\Lambda\\Lambda' + \\mathrm{diag}\\,\\psi - R)` is used (psych's
   ``FAgr.minres``).
2. ``varimax``: R's ``stats::varimax`` (Kaiser normalisation, eps 1e-5), then psych's sign
   flips (positive column sums) and ordering by explained variance.
3. ``oblimin``: GPArotation's ``GPFoblq`` with the quartimin criterion (gamma = 0), the
   gradient projection algorithm of Bernaards & Jennrich (2005), from the identity.
4. ``schmid``: a general factor from the factor correlations (a one-factor minres of
   :math:`\\Phi` for three or more factors; for two, psych's ``option = "equal"``:
   :math:`\\sqrt{|\\phi_{12}|}`) and the Schmid-Leiman (1957) orthogonalisation.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

__all__ = ["minres", "varimax", "oblimin", "schmid_leiman", "omega_from_r", "smc"]


def smc(r):
    inv = np.linalg.pinv(r, rcond=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def _loadings(r, psi, nf):
    s = r - np.diag(psi)
    vals, vecs = np.linalg.eigh(s)
    vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
    return vecs * np.sqrt(np.maximum(vals, 0.0))


def minres(r, nf):
    """Unrotated minres loadings (p x nf) of correlation matrix ``r``, signs as psych::fa."""
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    s = smc(r)
    start = 1.0 - s
    if nf > 1 and s.sum() == nf:     # psych's degenerate-start rule
        start = np.full(p, 0.5)
    upper = max(s.max(), 1.0)

    def f(psi):
        lam = _loadings(r, psi, nf)
        res = r - lam @ lam.T - np.diag(psi)
        return float((res * res).sum()), -2.0 * np.diag(res)

    opt = minimize(f, start, jac=True, method="L-BFGS-B", bounds=[(0.005, upper)] * p,
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
    lam = _loadings(r, opt.x, nf)
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
    oblique loadings, phi and the general-factor loadings of the group factors."""
    lam = _sign_sort(varimax(minres(r, nf)))
    fload, phi = oblimin(lam)
    if nf > 2:
        gload = minres(phi, 1)[:, 0]
        if gload.sum() < 0:
            gload = -gload
    else:
        gload = np.array([np.sqrt(abs(phi[0, 1])), np.sign(phi[0, 1]) * np.sqrt(abs(phi[0, 1]))])
    g = fload @ gload
    h2 = (lam ** 2).sum(axis=1)
    u2 = np.diag(r) - h2
    uniq2 = np.maximum(fload ** 2 - (fload * gload) ** 2, 0.0)
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
