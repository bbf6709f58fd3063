"""Linear and logistic mixed models as lme4 fits them (lmer ML/REML, glmer binomial Laplace).

Random-effect terms are written as in lme4: ``(1 | kern)``, ``(1 + x | kern)`` (correlated
intercept and slope), ``(x || kern)`` (uncorrelated), ``(1 | gemeente/kern)`` (kern nested in
gemeente: ``(1 | gemeente) + (1 | gemeente:kern)``), crossed terms side by side
``(1 | kern) + (1 | resp_id)``. :func:`split_formula` takes them out of the formula.

Model (Bates et al. 2015 [1], section 2): with :math:`Z` the indicator/covariate columns of
all terms and :math:`\\Lambda_\\theta` block diagonal (one lower-triangular
:math:`k \\times k` template per term, repeated over its levels),

.. math::

    y = X\\beta + Z\\Lambda_\\theta u + \\varepsilon,\\quad u \\sim N(0, \\sigma^2 I),\\;
    \\varepsilon \\sim N(0, \\sigma^2 I)

The penalised least squares system of [1] (eq. 18-22) needs the Cholesky factor of
:math:`A = \\Lambda^\\top Z^\\top W Z \\Lambda + I`. Its largest term's block is block
diagonal (one :math:`k \\times k` block per level: a respondent, a kern), so that block is
inverted in closed form and only the Schur complement of the other terms is factored densely
(for a kern and a respondent intercept: 117 x 117 instead of 5,700 x 5,700). With
:math:`M = [X\\ y]` and :math:`R = \\Lambda^\\top Z^\\top M` the profiled deviances are

.. math::

    C = M^\\top M - R^\\top A^{-1} R,\\quad r^2 = C_{yy} - C_{yX} C_{XX}^{-1} C_{Xy}

    d_{ML}(\\theta) = \\log|A| + n\\Big(1 + \\log\\frac{2\\pi r^2}{n}\\Big),\\qquad
    d_{REML}(\\theta) = \\log|A| + \\log|C_{XX}| + (n-p)\\Big(1 + \\log\\frac{2\\pi r^2}{n-p}\\Big)

(lme4's ``deviance``/``REMLcrit``), :math:`\\hat\\beta = C_{XX}^{-1}C_{Xy}`,
:math:`\\hat\\sigma^2 = r^2/n` (ML) or :math:`r^2/(n-p)` (REML) and
:math:`\\operatorname{cov}(\\hat\\beta) = \\hat\\sigma^2 C_{XX}^{-1}` (lme4's ``vcov``).
Everything after the first pass over the rows costs O(q) per :math:`\\theta`, not O(n).

For a 0/1 outcome (``glmer(family = binomial)``, nAGQ = 1) the Laplace deviance [1, 2]

.. math::

    d(\\theta, \\beta) = \\sum_i d_i(y_i, \\mu_i) + \\|\\tilde u\\|^2 + \\log|A(\\tilde u)|,
    \\quad \\mu = \\operatorname{logit}^{-1}(X\\beta + Z\\Lambda\\tilde u)

is minimised over :math:`(\\theta, \\beta)`, with the conditional mode :math:`\\tilde u`
found by penalised iteratively reweighted least squares (:math:`W = \\mu(1-\\mu)`). As lme4
does by default, ``cov(beta)`` is the :math:`\\beta` block of :math:`2H^{-1}`, :math:`H`
the finite-difference Hessian of :math:`d` in :math:`(\\theta, \\beta)` (step 1e-4, lme4's
``deriv12``); it falls back to the PIRLS approximation :math:`C_{XX}^{-1}` when :math:`H` is
not positive definite.

A fit is singular when a diagonal element of a template (a standard deviation, or the part of
a slope not explained by its correlation with the intercept) is below 1e-4: lme4's
``isSingular``.

References
----------
1. Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear mixed-effects models
   using lme4. *Journal of Statistical Software* 67(1), 1-48.
2. Pinheiro, J. C., Bates, D. M. (1995). Approximations to the log-likelihood function in the
   nonlinear mixed-effects model. *Journal of Computational and Graphical Statistics* 4, 12-35.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse
from scipy.linalg import cho_factor, cho_solve
from scipy.special import expit, xlogy

__all__ = ["RandomTerm", "MixedFit", "split_formula", "terms_from_groups", "fit_lmm", "fit_glmm",
           "SINGULAR_TOL"]

SINGULAR_TOL = 1e-4          # lme4's isSingular tolerance
_HESS_STEP = 1e-4            # lme4's deriv12 step


# ====================================================================== formula
@dataclass(frozen=True)
class RandomTerm:
    """One random-effect term: the columns ``expr`` (a patsy right-hand side, "1", "1 + x",
    "0 + x") vary by the levels of ``factors`` (their combination); ``name`` names it in
    the results."""

    expr: str
    factors: tuple
    name: str


_BAR = re.compile(r"^(.*?)(\|\|?)(.*)$", re.S)


def split_formula(formula: str):
    """``(fixed formula, [RandomTerm])``: lme4-style ``( ... | group)`` terms taken out.

    >>> split_formula("y ~ x + (1 + x | kern) + (1 | resp_id)")[0]
    'y ~ x'
    """
    if "~" not in formula:
        return formula, []
    lhs, rhs = formula.split("~", 1)
    terms, i, depth, start = [], 0, 0, None
    pieces = []                                   # (start, end) of random-term parentheses
    while i < len(rhs):
        ch = rhs[i]
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and start is not None:
                inner = rhs[start + 1:i]
                if _top_level_bar(inner):
                    pieces.append((start, i + 1, inner))
        i += 1
    if not pieces:
        return formula, []
    out, last = [], 0
    for s, e, inner in pieces:
        out.append(rhs[last:s])
        last = e
        terms.extend(_parse_bar(inner, formula))
    out.append(rhs[last:])
    fixed = "".join(out)
    fixed = re.sub(r"\+\s*(\+\s*)+", "+ ", fixed)          # "x + + z" -> "x + z"
    fixed = re.sub(r"^\s*\+", "", fixed.strip())
    fixed = re.sub(r"\+\s*$", "", fixed).strip()
    if not fixed or fixed in ("-", ""):
        fixed = "1"
    if fixed.startswith("-"):
        fixed = "1 " + fixed
    seen = {}
    for i, t in enumerate(terms):              # lme4 names a repeated group g, g.1, g.2
        k = seen.get(t.name, 0)
        seen[t.name] = k + 1
        if k:
            terms[i] = RandomTerm(t.expr, t.factors, f"{t.name}.{k}")
    return f"{lhs.strip()} ~ {fixed}", terms


def _top_level_bar(inner):
    depth = 0
    for ch in inner:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            return True
    return False


def _parse_bar(inner: str, formula: str):
    from ..errors import DataError
    m = _BAR.match(inner)
    expr, bar, group = m.group(1).strip(), m.group(2), m.group(3).strip()
    if not expr or not group or "|" in group:
        raise DataError(f"The random-effect term ({inner}) in {formula!r} cannot be read; "
                        f"write it as (1 | group), (1 + x | group) or (x || group).")
    nested = [g.strip() for g in group.split("/")]
    if any(not re.fullmatch(r"[A-Za-z_][\w.]*(\s*:\s*[A-Za-z_][\w.]*)*", g) for g in nested):
        raise DataError(f"The grouping of the random-effect term ({inner}) in {formula!r} must "
                        f"be column names joined by ':' or '/', e.g. (1 | kern) or "
                        f"(1 | gemeente/kern); got {group!r}.")
    groups = []
    for k in range(len(nested)):
        factors = tuple(f.strip() for part in nested[:k + 1] for f in part.split(":"))
        groups.append(factors)
    exprs = [expr]
    if bar == "||":                              # uncorrelated: one term per column
        parts = [p.strip() for p in expr.split("+") if p.strip()]
        no_int = any(p in ("0", "-1") for p in parts)
        parts = [p for p in parts if p not in ("0", "1", "-1")]
        exprs = ([] if no_int else ["1"]) + [f"0 + {p}" for p in parts]
    return [RandomTerm(e, factors, ":".join(factors)) for factors in groups for e in exprs]


def terms_from_groups(groups):
    """``groups=`` of :func:`socvit.regression.fit` as terms: one column -> ``(1 | g)``; two
    (outer, inner) -> ``(1 | outer) + (1 | outer:inner)``, named outer and inner."""
    groups = [groups] if isinstance(groups, str) else list(groups)
    if len(groups) == 1:
        return [RandomTerm("1", (groups[0],), groups[0])]
    return [RandomTerm("1", (groups[0],), groups[0]),
            RandomTerm("1", (groups[0], groups[1]), groups[1])]


# ====================================================================== structure
@dataclass
class _Block:
    name: str
    codes: np.ndarray            # level of each row, 0..nlev-1
    levels: list
    Xr: np.ndarray               # n x k columns
    cols: list
    theta_at: np.ndarray = None  # (a, b) lower-triangle positions, column-major (lme4 order)

    @property
    def k(self):
        return self.Xr.shape[1]

    @property
    def nlev(self):
        return len(self.levels)


def _tri(k):
    """Lower-triangle positions of a k x k template in lme4's (column-major) order."""
    return [(a, b) for b in range(k) for a in range(b, k)]


class _Structure:
    """Z split into its largest term B (block diagonal in Z'WZ: one k x k block a level) and
    the rest R; the theta layout; the block Cholesky of A = Lambda' Z'WZ Lambda + I."""

    def __init__(self, blocks):
        # lme4 orders the terms by decreasing number of levels (stable)
        blocks = sorted(blocks, key=lambda b: -b.nlev)
        self.lme4_blocks = blocks
        qs = [b.k * b.nlev for b in blocks]
        big = int(np.argmax(qs))
        self.blocks = [blocks[big]] + [b for i, b in enumerate(blocks) if i != big]
        n = len(blocks[0].codes)
        self.n = n
        self.offsets, off, t0, self.lower, self.t_index = [], 0, 0, [], []
        for b in self.blocks:
            b.theta_at = _tri(b.k)
            self.offsets.append(off)
            off += b.k * b.nlev
            self.t_index.append(np.arange(t0, t0 + len(b.theta_at)))
            t0 += len(b.theta_at)
            self.lower += [0.0 if a == c else -np.inf for a, c in b.theta_at]
        self.q, self.n_theta, self.lower = off, t0, np.array(self.lower)
        B = self.blocks[0]
        self.kB, self.nB, self.qB = B.k, B.nlev, B.k * B.nlev
        self.qR = self.q - self.qB
        self._pair_cache = None
        self._lamR_at = []
        roff = 0
        for b in self.blocks[1:]:
            lev = np.arange(b.nlev)
            tri = _tri(b.k)
            rows = np.concatenate([roff + lev * b.k + a for a, c in tri])
            cols = np.concatenate([roff + lev * b.k + c for a, c in tri])
            aa = np.repeat([a for a, c in tri], b.nlev)
            cc = np.repeat([c for a, c in tri], b.nlev)
            self._lamR_at.append((rows, cols, aa, cc))
            roff += b.k * b.nlev
        self.ZB = self._z([B], n)
        self.ZR = self._z(self.blocks[1:], n) if self.qR else None
        self.Z = self.ZB if self.ZR is None else sparse.hstack([self.ZB, self.ZR]).tocsr()
        self.ZBt = self.ZB.T.tocsr()
        self.ZRt = None if self.ZR is None else self.ZR.T.tocsr()
        # positions in lme4's theta order
        pos, lme4_t0 = {}, 0
        for b in blocks:
            pos[id(b)] = lme4_t0
            lme4_t0 += len(_tri(b.k))
        self.to_lme4 = np.concatenate([np.arange(pos[id(b)], pos[id(b)] + len(b.theta_at))
                                       for b in self.blocks])

    @staticmethod
    def _z(blocks, n):
        rows, cols, vals, off = [], [], [], 0
        for b in blocks:
            for c in range(b.k):
                rows.append(np.arange(n))
                cols.append(off + b.codes * b.k + c)
                vals.append(b.Xr[:, c])
            off += b.k * b.nlev
        return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                 shape=(n, off))

    def theta0(self):
        return np.array([1.0 if lo == 0 else 0.0 for lo in self.lower])

    def templates(self, theta):
        out = []
        for b, idx in zip(self.blocks, self.t_index):
            T = np.zeros((b.k, b.k))
            for ti, (a, c) in zip(idx, b.theta_at):
                T[a, c] = theta[ti]
            out.append(T)
        return out

    def lam_R(self, Ts):
        """Lambda of the rest, dense (q_R x q_R)."""
        L = np.zeros((self.qR, self.qR))
        for (rows, cols, a, c), T in zip(self._lamR_at, Ts[1:]):
            L[rows, cols] = T[a, c]
        return L

    def _pairs(self, K):
        """For K'diag(m)K with K sparse (q_B x q_R): the products of the entries of each row
        of K, by pair, computed once for K's pattern."""
        key = (K.indptr.tobytes(), K.indices.tobytes())
        if self._pair_cache is not None and self._pair_cache[0] == key:
            return self._pair_cache[1]
        nnz = np.diff(K.indptr)
        row = np.repeat(np.arange(K.shape[0]), nnz ** 2)
        start = np.repeat(K.indptr[:-1], nnz ** 2)
        within = np.arange(len(row)) - np.repeat(np.cumsum(nnz ** 2) - nnz ** 2, nnz ** 2)
        rep = np.repeat(nnz, nnz ** 2)
        pa, pb = start + within // np.maximum(rep, 1), start + within % np.maximum(rep, 1)
        flat = K.indices[pa] * K.shape[1] + K.indices[pb]
        out = (row, pa, pb, flat)
        self._pair_cache = (key, out)
        return out

    def cross(self, w=None):
        """Z'WZ in parts: G (nB x kB x kB), K = Z_B'WZ_R (sparse), H = Z_R'WZ_R (dense)."""
        B = self.blocks[0]
        wv = np.ones(self.n) if w is None else w
        G = np.empty((self.nB, self.kB, self.kB))
        for a in range(self.kB):
            for c in range(a, self.kB):
                G[:, a, c] = G[:, c, a] = np.bincount(B.codes, weights=wv * B.Xr[:, a] * B.Xr[:, c],
                                                      minlength=self.nB)
        if not self.qR:
            return G, None, None
        WZR = self.ZR if w is None else self.ZR.multiply(wv[:, None]).tocsr()
        K = (self.ZBt @ WZR).tocsr()
        H = (self.ZRt @ WZR).toarray()
        return G, K, H

    def lam_t(self, Ts, v):
        """Lambda' v for v in the u-space (q or q x m)."""
        v = np.asarray(v, float)
        m = v.reshape(self.q, -1)
        out = np.empty_like(m)
        out[:self.qB] = self._tb(Ts[0].T, m[:self.qB])
        if self.qR:
            out[self.qB:] = self.lam_R(Ts).T @ m[self.qB:]
        return out.reshape(v.shape)

    def lam(self, Ts, v):
        """Lambda v."""
        v = np.asarray(v, float)
        m = v.reshape(self.q, -1)
        out = np.empty_like(m)
        out[:self.qB] = self._tb(Ts[0], m[:self.qB])
        if self.qR:
            out[self.qB:] = self.lam_R(Ts) @ m[self.qB:]
        return out.reshape(v.shape)

    def _tb(self, T, v):
        """(I kron T) v for the largest term (v: q_B x m)."""
        if self.kB == 1:
            return T[0, 0] * v
        k = self.kB
        v3 = v.reshape(self.nB, k, -1)
        return (T @ v3.transpose(1, 0, 2).reshape(k, -1)).reshape(k, self.nB, -1
                                                               ).transpose(1, 0, 2).reshape(self.qB, -1)

    def factor(self, cross, Ts):
        """(solve, logdet) of A = Lambda' Z'WZ Lambda + I by blocks: A_11 block diagonal,
        the Schur complement S of the rest dense."""
        G, K, H = cross
        TB = Ts[0]
        A11 = np.matmul(np.matmul(TB.T, G), TB) + np.eye(self.kB)
        if self.kB == 1:
            d = A11[:, 0, 0]
            inv11 = (1.0 / d)[:, None, None]
            logdet = float(np.sum(np.log(d)))
        else:
            inv11, logdet = _inv_logdet(A11)
        nB, kB, qB = self.nB, self.kB, self.qB

        def inv11_mul(v):                  # v: qB x m
            if kB == 1:
                return inv11[:, 0, :] * v
            return _stack_mul(inv11, v.reshape(nB, kB, -1)).reshape(qB, -1)

        if not self.qR:
            def solve(b):
                b = np.asarray(b, float)
                return inv11_mul(b.reshape(qB, -1)).reshape(b.shape)
            return solve, logdet
        LR = self.lam_R(Ts)
        # M_B = Lambda_B inv11 Lambda_B' (block diagonal): A12' inv11 A12 = LR' K' M_B K LR
        MB = np.matmul(np.matmul(TB, inv11), TB.T)
        if kB == 1:
            row, pa, pb, flat = self._pairs(K)
            KtMK = np.bincount(flat, weights=K.data[pa] * K.data[pb] * MB[row, 0, 0],
                               minlength=self.qR * self.qR).reshape(self.qR, self.qR)
        else:
            Mb = sparse.bsr_matrix((MB, np.arange(nB), np.arange(nB + 1)), shape=(qB, qB))
            KtMK = (K.T @ (Mb @ K)).toarray()
        S = LR.T @ (H - KtMK) @ LR + np.eye(self.qR)
        cf = cho_factor(S, lower=True)
        logdet += 2.0 * float(np.sum(np.log(np.diag(cf[0]))))
        Kt = K.T.tocsr()

        def solve(b):
            b = np.asarray(b, float)
            m = b.reshape(self.q, -1)
            b1, b2 = m[:qB], m[qB:]
            v = inv11_mul(b1)                                       # inv11 b1
            lv = self._tb(TB, v)
            x2 = cho_solve(cf, b2 - LR.T @ (Kt @ lv))               # A12' inv11 b1
            a12x2 = self._tb(TB.T, K @ (LR @ x2))
            x1 = inv11_mul(b1 - a12x2)
            return np.concatenate([x1, x2]).reshape(b.shape)
        return solve, logdet


def _stack_mul(M, v3):
    """M[j] @ v3[j] for a stack of small k x k matrices, by elementwise products."""
    k = M.shape[1]
    out = np.empty_like(v3)
    for a in range(k):
        acc = M[:, a, 0, None] * v3[:, 0, :]
        for c in range(1, k):
            acc += M[:, a, c, None] * v3[:, c, :]
        out[:, a, :] = acc
    return out


def _inv_logdet(A):
    """Inverses and the summed log-determinant of a stack of small SPD matrices (2 x 2 in
    closed form)."""
    if A.shape[1] == 2:
        a, b, c, d = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
        det = a * d - b * c
        inv = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], 1) / det[:, None, None]
        return inv, float(np.sum(np.log(det)))
    return np.linalg.inv(A), float(np.sum(np.linalg.slogdet(A)[1]))


def build_blocks(terms, frame: pd.DataFrame, random_X: dict):
    """One _Block per term: ``random_X[term]`` its n x k columns (DataFrame), the levels from
    the ``_g_<factor>`` columns of ``frame`` (combined for an interaction)."""
    blocks = []
    for t in terms:
        key = frame[f"_g_{t.factors[0]}"].astype(str)
        for f in t.factors[1:]:
            key = key + "\x1f" + frame[f"_g_{f}"].astype(str)
        codes, levels = pd.factorize(key, sort=True)
        Xr = random_X[t]
        cols = ["(Intercept)" if c == "Intercept" else c for c in Xr.columns]
        blocks.append(_Block(t.name, codes.astype(np.int64), list(levels), Xr.to_numpy(float),
                             cols))
    return blocks


# ====================================================================== results
@dataclass
class MixedFit:
    """A mixed model fit (the ``.model`` of a mixed ModelResult)."""

    params: pd.Series                # fixed effects
    cov_params: pd.DataFrame         # lme4's vcov
    varcorr: pd.DataFrame            # as.data.frame(VarCorr()): grp var1 var2 vcov sdcor
    theta: np.ndarray                # lme4's getME(, "theta")
    sigma: float                     # residual SD (1 for the logit)
    loglik: float                    # logLik (the REML criterion's for a REML fit)
    n_params: int                    # logLik's df
    nobs: int
    n_groups: dict
    reml: bool
    family: str                      # "gaussian" or "binomial"
    singular: bool
    converged: bool
    criterion: float                 # REMLcrit or -2 logLik
    ranef: dict = field(default_factory=dict, repr=False)   # term -> DataFrame of modes
    cov_rx: pd.DataFrame | None = field(default=None, repr=False)   # glmm: vcov(use.hessian=FALSE)
    cov_from_hessian: bool = False   # glmm: cov_params from the Hessian (lme4's default)
    optimizer: object = field(default=None, repr=False)

    @property
    def aic(self):
        return -2 * self.loglik + 2 * self.n_params

    @property
    def bic(self):
        return -2 * self.loglik + np.log(self.nobs) * self.n_params

    def __repr__(self):
        how = "REML" if self.reml else ("ML" if self.family == "gaussian" else "ML (Laplace)")
        return (f"MixedFit({self.family}, {how}, n={self.nobs}, logLik {self.loglik:.6g}, "
                f"singular={self.singular}, converged={self.converged})")


def _varcorr(st, theta, sigma2, family):
    Ts = dict(zip([id(b) for b in st.blocks], st.templates(theta)))
    rows = []
    for b in st.lme4_blocks:
        T = Ts[id(b)]
        S = T @ T.T * sigma2
        sd = np.sqrt(np.diag(S))
        for a in range(b.k):
            rows.append((b.name, b.cols[a], "", S[a, a], sd[a]))
        for c in range(b.k):
            for a in range(c + 1, b.k):
                cor = S[a, c] / (sd[a] * sd[c]) if sd[a] > 0 and sd[c] > 0 else np.nan
                rows.append((b.name, b.cols[c], b.cols[a], S[a, c], cor))
    if family == "gaussian":
        rows.append(("Residual", "", "", sigma2, np.sqrt(sigma2)))
    return pd.DataFrame(rows, columns=["grp", "var1", "var2", "vcov", "sdcor"])


def _normalise(st, theta):
    """Flip template columns so that diagonals are >= 0 (the fit depends on T T' only);
    a diagonal below 1e-10 is the boundary 0."""
    theta = np.array(theta, float)
    for b, idx in zip(st.blocks, st.t_index):
        tri = b.theta_at
        for c in range(b.k):
            di = idx[tri.index((c, c))]
            if theta[di] < 0:
                for ti, (a, cc) in zip(idx, tri):
                    if cc == c:
                        theta[ti] = -theta[ti]
    theta[(st.lower == 0) & (theta < 1e-10)] = 0.0
    return theta


def _singular(st, theta):
    return bool(np.any(theta[st.lower == 0] < SINGULAR_TOL))


def _ranef(st, theta, u):
    b = st.lam(st.templates(theta), u)
    out = {}
    for blk, off in zip(st.blocks, st.offsets):
        vals = b[off:off + blk.k * blk.nlev].reshape(blk.nlev, blk.k)
        out[blk.name] = pd.DataFrame(vals, index=pd.Index([str(v).replace("\x1f", ":")
                                                           for v in blk.levels]), columns=blk.cols)
    return out


def _hessian(f, x, h=_HESS_STEP, f0=None):
    """Central finite-difference gradient and Hessian (lme4's deriv12, delta = 1e-4)."""
    d = len(x)
    f0 = f(x) if f0 is None else f0
    H = np.zeros((d, d))
    g = np.zeros(d)
    E = np.eye(d) * h
    fp = np.array([f(x + E[i]) for i in range(d)])
    fm = np.array([f(x - E[i]) for i in range(d)])
    for i in range(d):
        g[i] = (fp[i] - fm[i]) / (2 * h)
        H[i, i] = (fp[i] - 2 * f0 + fm[i]) / h ** 2
        for j in range(i):
            H[i, j] = H[j, i] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j])
                                 - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (4 * h * h)
    return g, H


def _newton(f, x, fx, steps=12):
    """Newton steps with a finite-difference Hessian and step halving; negative curvature is
    taken by its absolute value. Converged when the Newton decrement g'H^-1 g / 2 falls
    below 1e-11 |f| (or the step below 1e-8) with no negative curvature left: at a saddle
    (a slope's standard deviation at 0 while the optimum lies off the boundary) the search
    goes down the direction of negative curvature instead. Returns (x, f(x), converged)."""
    for _ in range(steps):
        g, H = _hessian(f, x, f0=fx)
        try:
            ev, V = np.linalg.eigh(H)
        except np.linalg.LinAlgError:
            return x, fx, False
        if not np.all(np.isfinite(ev)):
            return x, fx, False
        scale = max(1e-8, np.max(np.abs(ev)))
        step = V @ ((V.T @ g) / np.maximum(np.abs(ev), 1e-6 * scale))
        small = 0.5 * g @ step < 1e-11 * max(1.0, abs(fx)) or np.max(np.abs(step)) < 1e-8
        t, moved = 1.0, False
        while t > 1e-4:
            cand = x - t * step
            fc = f(cand)
            if fc < fx:
                x, fx, moved = cand, fc, True
                break
            t /= 2
        if small and ev[0] < -1e-4 * scale:
            v, escaped = V[:, 0], False
            for a in (0.1, 0.03, 0.01, 0.003, 0.001):
                for sign in (1.0, -1.0):
                    cand = x + sign * a * v
                    fc = f(cand)
                    if fc < fx:
                        x, fx, escaped = cand, fc, True
                        break
                if escaped:
                    break
            if escaped:
                continue
        if small:
            return x, fx, True
        if not moved:
            return x, fx, False
    return x, fx, False


def _minimise(f, x0, lower):
    """L-BFGS-B within lme4's bounds (a diagonal >= 0; forward differences with a step of
    1e-6, above the deviance's rounding noise), then Newton to the optimum (no bounds: the
    deviance depends on Lambda Lambda' only, so a negative diagonal is the same model). When
    Newton stalls on a flat ridge (a slope variance near 0), Nelder-Mead moves along it and
    Newton finishes."""
    bounds = [(0.0 if lo == 0 else None, None) for lo in lower]
    first = optimize.minimize(f, x0, method="L-BFGS-B", bounds=bounds,
                              options={"eps": 1e-6, "ftol": 1e-12, "gtol": 1e-6,
                                       "maxiter": 500})
    x, fx = first.x, first.fun
    if not np.isfinite(fx):
        x, fx = x0, f(x0)
    x, fx, ok = _polish(f, x, fx)
    return x, fx, ok, first


def _polish(f, x, fx):
    """Newton; where it stalls, Nelder-Mead and Newton again (at most three times)."""
    x, fx, ok = _newton(f, x, fx)
    for _ in range(3):
        if ok:
            break
        nm = optimize.minimize(f, x, method="Nelder-Mead",
                               options={"xatol": 1e-7, "fatol": 1e-12 * max(1.0, abs(fx)),
                                        "maxiter": 400 * len(x), "adaptive": len(x) > 3,
                                        "initial_simplex": _simplex(x)})
        if nm.fun < fx:
            x, fx = nm.x, nm.fun
        x, fx, ok = _newton(f, x, fx)
    return x, fx, ok


def _simplex(x):
    """A starting simplex around x (steps of 5% of each value, at least 0.01)."""
    x = np.asarray(x, float)
    pts = [x]
    for i in range(len(x)):
        e = x.copy()
        e[i] += max(0.05 * abs(x[i]), 0.01)
        pts.append(e)
    return np.array(pts)


# ====================================================================== linear mixed model
def _one_thread():
    """BLAS on one thread: the matrices here are small (the Schur complement of the smaller
    terms), and a threaded BLAS on a busy machine made a 117 x 117 product 200x slower."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


def fit_lmm(y, X: pd.DataFrame, blocks, reml: bool = True) -> MixedFit:
    """lmer(y ~ X + terms, REML = reml)."""
    with _one_thread():
        return _fit_lmm(y, X, blocks, reml)


def _fit_lmm(y, X, blocks, reml):
    y = np.asarray(y, float)
    Xa = X.to_numpy(float)
    n, p = Xa.shape
    st = _Structure(blocks)
    M = np.column_stack([Xa, y])
    MtM = M.T @ M
    cr = st.cross()
    ZtM = st.Z.T @ M
    dfr = n - p if reml else n

    def parts(theta):
        Ts = st.templates(theta)
        solve, logdet = st.factor(cr, Ts)
        R = st.lam_t(Ts, ZtM)
        C = MtM - R.T @ solve(R)
        XtVX, XtVy = C[:p, :p], C[:p, p]
        L = np.linalg.cholesky(XtVX)
        beta = cho_solve((L, True), XtVy)
        pwrss = float(C[p, p] - XtVy @ beta)
        crit = logdet + dfr * (1 + np.log(2 * np.pi * pwrss / dfr))
        if reml:
            crit += 2 * np.sum(np.log(np.diag(L)))
        return crit, beta, pwrss, XtVX, solve, Ts

    def f(theta):
        try:
            return parts(theta)[0]
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return np.inf

    with np.errstate(all="ignore"):
        x, _fx, converged, opt = _minimise(f, st.theta0(), st.lower)
    theta = _normalise(st, x)
    crit, beta, pwrss, XtVX, solve, Ts = parts(theta)
    sigma2 = pwrss / dfr
    cov = sigma2 * np.linalg.inv(XtVX)
    u = solve(st.lam_t(Ts, st.Z.T @ (y - Xa @ beta)))
    return MixedFit(
        params=pd.Series(beta, X.columns), cov_params=pd.DataFrame(cov, X.columns, X.columns),
        varcorr=_varcorr(st, theta, sigma2, "gaussian"), theta=_lme4_theta(st, theta),
        sigma=float(np.sqrt(sigma2)), loglik=-crit / 2, n_params=p + st.n_theta + 1, nobs=n,
        n_groups={b.name: b.nlev for b in st.lme4_blocks}, reml=reml, family="gaussian",
        singular=_singular(st, theta), converged=converged, criterion=float(crit),
        ranef=_ranef(st, theta, u), optimizer=opt)


def _lme4_theta(st, theta):
    out = np.empty_like(theta)
    out[st.to_lme4] = theta
    return out


# ====================================================================== binomial GLMM
def _binom_dev(y, mu):
    """Sum of the binomial deviance residuals for 0/1 y (= -2 log-likelihood)."""
    return float(-2 * np.sum(xlogy(y, mu) + xlogy(1 - y, 1 - mu)))


class _Laplace:
    """The Laplace deviance of a binomial GLMM in (theta, beta), PIRLS over u (and over beta
    too with ``joint=True``: lme4's nAGQ = 0 stage)."""

    def __init__(self, y, Xa, st):
        self.y, self.X, self.st = y, Xa, st
        self.Zt = st.Z.T.tocsr()
        self.u = np.zeros(st.q)
        self.p = Xa.shape[1]

    def pirls(self, theta, beta, joint=False, maxit=200):
        st, y, Xa = self.st, self.y, self.X
        Ts = st.templates(theta)
        u, beta = self.u.copy(), np.array(beta, float)

        def pdev_at(u, beta):
            mu = expit(Xa @ beta + st.Z @ st.lam(Ts, u))
            return _binom_dev(y, mu) + float(u @ u), mu

        pdev, mu = pdev_at(u, beta)
        for _ in range(maxit):
            w = mu * (1 - mu)
            solve, _ld = st.factor(st.cross(w), Ts)
            gu = st.lam_t(Ts, self.Zt @ (y - mu)) - u
            if joint:
                WX = Xa * w[:, None]
                R = st.lam_t(Ts, self.Zt @ WX)
                AiR = solve(R)
                gb = Xa.T @ (y - mu)
                db = np.linalg.solve(Xa.T @ WX - R.T @ AiR, gb - AiR.T @ gu)
                du = solve(gu) - AiR @ db
            else:
                db, du = np.zeros_like(beta), solve(gu)
            step, new = 1.0, None
            for _h in range(40):
                cand = (u + step * du, beta + step * db)
                pd_new, mu_new = pdev_at(*cand)
                # near the mode a full Newton step is taken even when rounding hides its
                # (quadratically small) decrease
                small = max(np.max(np.abs(du)), np.max(np.abs(db), initial=0)) * step < 1e-5
                if pd_new <= pdev or (small and pd_new <= pdev + 1e-10 * abs(pdev)):
                    new = (cand, pd_new, mu_new)
                    break
                step /= 2
            if new is None:
                break
            (u, beta), pdev, mu = new
            # converge in u itself: log|A| moves with u to first order, so a stale u would
            # make the finite-difference Hessian noisy
            if max(np.max(np.abs(step * du)), np.max(np.abs(step * db), initial=0)) < 1e-11:
                break
        w = mu * (1 - mu)
        solve, logdet = st.factor(st.cross(w), Ts)
        self.u = u
        return pdev + logdet, u, beta, mu, w, solve, Ts

    def deviance(self, pars):
        nt = self.st.n_theta
        try:
            return self.pirls(pars[:nt], pars[nt:])[0]
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return np.inf


def fit_glmm(y, X: pd.DataFrame, blocks) -> MixedFit:
    """glmer(y ~ X + terms, family = binomial) with the Laplace approximation (nAGQ = 1)."""
    with _one_thread():
        return _fit_glmm(y, X, blocks)


def _fit_glmm(y, X, blocks):
    y = np.asarray(y, float)
    Xa = X.to_numpy(float)
    n, p = Xa.shape
    st = _Structure(blocks)
    lap = _Laplace(y, Xa, st)
    nt = st.n_theta
    beta0 = np.zeros(p)
    state = {"beta": beta0}

    def dev0(theta):                     # stage 1: beta in PIRLS (lme4's nAGQ = 0)
        try:
            d, _u, b, *_ = lap.pirls(theta, state["beta"], joint=True)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return np.inf
        state["beta"] = b
        return d

    with np.errstate(all="ignore"):
        f0 = dev0(st.theta0())
        o1 = optimize.minimize(dev0, st.theta0(), method="Nelder-Mead",
                               options={"xatol": 1e-4, "fatol": 1e-8 * abs(f0)})
        dev0(o1.x)
        x0 = np.concatenate([o1.x, state["beta"]])
        # stage 2: the Laplace deviance in (theta, beta), Newton from the stage-1 optimum
        x, fx, converged = _polish(lap.deviance, x0, lap.deviance(x0))
        theta = _normalise(st, x[:nt])
        x = np.concatenate([theta, x[nt:]])
        fx = lap.deviance(x)
        g, H = _hessian(lap.deviance, x, f0=fx)
        dev, u, beta, mu, w, solve, Ts = lap.pirls(theta, x[nt:])
    # vcov: the beta block of 2 H^-1 (lme4's default, use.hessian); else from PIRLS
    cov = None
    try:
        Vh = np.linalg.inv(H)[nt:, nt:]
        Vh = Vh + Vh.T
        if np.all(np.isfinite(Vh)) and np.min(np.linalg.eigvalsh(Vh)) > 0:
            cov = Vh
    except np.linalg.LinAlgError:
        pass
    cov_rx = _cov_rx(Xa, w, st, Ts, solve)
    return MixedFit(
        params=pd.Series(beta, X.columns),
        cov_params=pd.DataFrame(cov_rx if cov is None else cov, X.columns, X.columns),
        varcorr=_varcorr(st, theta, 1.0, "binomial"), theta=_lme4_theta(st, theta),
        sigma=1.0, loglik=-dev / 2, n_params=p + nt, nobs=n,
        n_groups={b.name: b.nlev for b in st.lme4_blocks}, reml=False, family="binomial",
        singular=_singular(st, theta), converged=converged, criterion=float(dev),
        ranef=_ranef(st, theta, u), optimizer={"stage1": o1, "gradient": g, "hessian": H},
        cov_rx=pd.DataFrame(cov_rx, X.columns, X.columns), cov_from_hessian=cov is not None)


def _cov_rx(Xa, w, st, Ts, solve):
    """(X'WX - R' A^-1 R)^-1 with R = Lambda'Z'WX: lme4's vcov(use.hessian = FALSE)."""
    WX = Xa * w[:, None]
    R = st.lam_t(Ts, st.Z.T @ WX)
    return np.linalg.inv(Xa.T @ WX - R.T @ solve(R))
