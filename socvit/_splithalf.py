"""Split-half reliabilities as psych::splitHalf computes them (private helper).

For a split of the (keyed) correlation matrix :math:`R` into halves *A* and *B* with
indicator vector *a*, the split-half (Spearman-Brown corrected, Guttman/Flanagan form)
reliability is

.. math::

    r_{AB} = \\frac{4\\, a' R (\\mathbf 1 - a)}{\\mathbf 1' R \\mathbf 1}

(psych's ``rab``). All splits are one matrix product: with the splits as rows of an
indicator matrix :math:`S`, :math:`a'R(1-a) = (S R \\mathbf 1) - \\mathrm{rowsum}((SR) \\circ S)`.
"""

from __future__ import annotations

from itertools import combinations, islice
from math import ceil, comb

import numpy as np

from ._omega import smc

__all__ = ["split_coefficients", "psych_splits", "all_splits", "random_splits", "guttman"]


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
