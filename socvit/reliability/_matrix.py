"""Covariance helpers shared by alpha, omega and split-half: pairwise-complete (weighted)
covariances, correlations and squared multiple correlations as psych computes them."""

from __future__ import annotations

import contextlib

import numpy as np

__all__ = ["pairwise_cov", "cov2cor", "smc"]


#: data with fewer cells (rows x columns) keep their BLAS threads: see _one_blas_thread
_BLAS_LIMIT_CELLS = 500_000


def _one_blas_thread(cells=None):
    """A context with one BLAS thread; with ``cells`` given, only for data of at least
    ``_BLAS_LIMIT_CELLS`` cells.

    The products here are thin (rows x at most ~60 columns) and memory-bound: extra OpenBLAS
    threads gain little and, on a busy machine, spin-wait for seconds. But setting the limit
    costs milliseconds itself (threadpoolctl reads the process's library map each time),
    more than all products on small data take (a report's scales: a few thousand rows), so
    small data go without. threadpoolctl is a declared dependency;
    without it this does nothing."""
    if cells is not None and cells < _BLAS_LIMIT_CELLS:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


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


def cov2cor(c):
    """Correlations from a covariance matrix (unit diagonal)."""
    d = 1.0 / np.sqrt(np.diag(c))
    r = c * d[:, None] * d[None, :]
    np.fill_diagonal(r, 1.0)
    return r


def smc(r):
    """Squared multiple correlations as psych::smc (pseudo-inverse, clipped to [0, 1])."""
    inv = np.linalg.pinv(r, rcond=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)
