"""Split-half reliabilities as psych::splitHalf computes them (used through socvit.reliability).

For a split of the (keyed) correlation matrix :math:`R` into halves *A* and *B* with
indicator vector *a*, the split-half (Spearman-Brown corrected, Guttman/Flanagan form)
reliability is

.. math::

    r_{AB} = \\frac{4\\, a' R (\\mathbf 1 - a)}{\\mathbf 1' R \\mathbf 1}

(psych's ``rab``). All splits are one matrix product: with the splits as rows of an
indicator matrix :math:`S`, :math:`a'R(1-a) = (S R \\mathbf 1) - \\mathrm{rowsum}((SR) \\circ S)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, islice
from math import ceil, comb

import numpy as np

from ._items import _resolve
from ._matrix import cov2cor, pairwise_cov, smc

__all__ = ["splithalf", "SplitHalfResult", "split_coefficients", "psych_splits", "all_splits", "random_splits", "guttman"]


def split_coefficients(r, s):
    """r_AB for every row of the 0/1 split matrix ``s`` (splits x items)."""
    s = np.asarray(s, dtype=float)
    sr = s @ r
    cross = sr.sum(axis=1) - (sr * s).sum(axis=1)
    return 4.0 * cross / r.sum()


def _indicators(combos, n):
    idx = np.array(list(combos), dtype=int)
    s = np.zeros((len(idx), n))
    s[np.repeat(np.arange(len(idx)), idx.shape[1]), idx.ravel()] = 1.0
    return s


def psych_splits(n):
    """The splits psych::splitHalf enumerates: the first choose(n, n//2)/2 (rounded up)
    combinations of n//2 items in lexicographic order, and the divisor it uses for the mean.

    For an even number of items these are exactly all distinct splits into two halves (every
    split once, the half holding the first item); for an odd number psych takes only the
    first half of the choose(n, n//2) distinct splits."""
    m = n // 2
    count = round(comb(n, m)) / 2
    return _indicators(islice(combinations(range(n), m), ceil(count)), n), count


def all_splits(n):
    """Every distinct split into halves of n//2 and n - n//2 items, each once."""
    m = n // 2
    combos = combinations(range(n), m)
    if n % 2 == 0:
        combos = islice(combos, comb(n, m) // 2)     # those holding item 0
    s = _indicators(combos, n)
    return s, float(len(s))


def random_splits(n, n_samples, rng):
    m = n // 2
    order = np.argsort(rng.random((n_samples, n)), axis=1)[:, :m]
    return _indicators(order, n), float(n_samples)


def guttman(r):
    """alpha (standardised), lambda 2, lambda 6, mean and median inter-item r of ``r``."""
    n = r.shape[0]
    sumr = r.sum()
    off = r - np.diag(np.diag(r))
    sum_off = sumr - np.trace(r)
    low = r[np.tril_indices(n, -1)]
    return {"alpha": sum_off / sumr * n / (n - 1),
            "lambda2": (sum_off + np.sqrt((off ** 2).sum() * n / (n - 1))) / sumr,
            "lambda6": (sum_off + smc(r).sum()) / sumr,
            "av_r": float(low.mean()), "med_r": float(np.median(low))}


# --------------------------------------------------------------------------- split-half
@dataclass(repr=False)
class SplitHalfResult:
    """What :func:`splithalf` returns (psych::splitHalf with snake_case names).

    max_split (psych's maxrb), min_split (minrb, Revelle's beta estimate), mean_split (meanr),
    alpha (standardised), lambda2, lambda6, average_r, median_r; max_half / min_half: the
    items of one half of the best / worst split; n_splits; exact (all splits enumerated);
    values: every split-half coefficient computed.
    """

    max_split: float
    min_split: float
    mean_split: float
    alpha: float
    lambda2: float
    lambda6: float
    average_r: float
    median_r: float
    max_half: list
    min_half: list
    n_splits: int
    exact: bool
    values: np.ndarray
    label: str | None = None

    def summary(self) -> str:
        how = "all splits" if self.exact else "sampled splits"
        return "\n".join([
            f"Split half reliabilities{f'   {self.label}' if self.label else ''}",
            f"({self.n_splits} {how})", "",
            f"Maximum split half reliability (lambda 4) = {self.max_split:.2f}",
            f"Guttman lambda 6                          = {self.lambda6:.2f}",
            f"Average split half reliability            = {self.mean_split:.2f}",
            f"Guttman lambda 3 (alpha)                  = {self.alpha:.2f}",
            f"Guttman lambda 2                          = {self.lambda2:.2f}",
            f"Minimum split half reliability  (beta)    = {self.min_split:.2f}",
            f"Average interitem r = {self.average_r:.2f} with median = {self.median_r:.2f}",
            f"Best split:  {', '.join(self.max_half)}  vs the rest",
            f"Worst split: {', '.join(self.min_half)}  vs the rest"])

    def __repr__(self):
        return self.summary()


def splithalf(data, items=None, reverse=(), max_items_exact=16, n_samples=10000, seed=None,
              all_odd_splits=False) -> SplitHalfResult:
    """Split-half reliabilities over all (or sampled) splits (psych::splitHalf).

    Parameters
    ----------
    data, items, reverse : as :func:`alpha`. Keys are applied as given (psych's
        ``check.keys = FALSE`` with ``key``); items are not reversed automatically.
    max_items_exact : int
        Up to this many items every split is evaluated (16 items: 6,435 splits into 8 + 8);
        above it ``n_samples`` random splits (seeded by ``seed``).
    all_odd_splits : bool
        For an odd number of items psych evaluates only the first half (in lexicographic
        order) of the distinct splits; the default does the same so the numbers equal psych's.
        True evaluates every distinct split.

    Notes
    -----
    On the keyed correlation matrix :math:`R` (from pairwise covariances), for a split with
    indicator *a*: :math:`r_{AB} = 4\\,a'R(1-a) / \\mathbf 1'R\\mathbf 1`;
    :math:`\\lambda_2 = (\\sum_{i\\ne j} r_{ij} + \\sqrt{\\tfrac{k}{k-1}\\sum_{i\\ne j}
    r_{ij}^2}) / \\mathbf 1'R\\mathbf 1`, :math:`\\lambda_6 = (\\sum_{i\\ne j} r_{ij} +
    \\sum_i \\mathrm{smc}_i) / \\mathbf 1'R\\mathbf 1`.

    References
    ----------
    .. [1] Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika,
       10, 255-282.
    .. [2] Revelle, W. (1979). Hierarchical cluster analysis and the internal structure of
       tests. Multivariate Behavioral Research, 14, 57-74 (beta, the worst split half).

    Examples
    --------
    >>> # In R: psych::splitHalf(bfi[, 1:16], key = keys, check.keys = FALSE)
    >>> splithalf(bfi, list(bfi.columns[:16]), reverse=["A1", "C4", "C5", "E1", "E2"])
    Split half reliabilities
    (6435 all splits)
    <BLANKLINE>
    Maximum split half reliability (lambda 4) = 0.86
    Guttman lambda 6                          = 0.81
    Average split half reliability            = 0.78
    Guttman lambda 3 (alpha)                  = 0.78
    Guttman lambda 2                          = 0.79
    Minimum split half reliability  (beta)    = 0.51
    Average interitem r = 0.18 with median = 0.16
    Best split:  A1-, A3, C2, C3, C5-, E1-, E4, E5  vs the rest
    Worst split: A1-, A2, A3, A5, E1-, E2-, E3, E4  vs the rest
    """
    it = _resolve(data, items, reverse, None, need=2, call="splithalf")
    names = list(it.x.columns)
    k = np.array([it.keys[c] for c in names], dtype=float)
    r = cov2cor(pairwise_cov(it.x.to_numpy())[0]) * np.outer(k, k)
    n = len(names)
    exact = n <= max_items_exact
    if exact:
        s, divisor = all_splits(n) if all_odd_splits else psych_splits(n)
    else:
        s, divisor = random_splits(n, int(n_samples), np.random.default_rng(seed))
    v = split_coefficients(r, s)
    g = guttman(r)
    half = lambda row: [f"{names[j]}{'-' if k[j] < 0 else ''}" for j in np.flatnonzero(row)]  # noqa: E731
    return SplitHalfResult(max_split=float(v.max()), min_split=float(v.min()),
                           mean_split=float(v.sum() / divisor), alpha=g["alpha"],
                           lambda2=g["lambda2"], lambda6=g["lambda6"], average_r=g["av_r"],
                           median_r=g["med_r"], max_half=half(s[np.argmax(v)]),
                           min_half=half(s[np.argmin(v)]), n_splits=len(v), exact=exact,
                           values=v, label=it.label)
