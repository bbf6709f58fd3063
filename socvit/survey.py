"""The survey design: weights, strata, clusters, finite population correction and
calibration, with the one Taylor-linearisation variance of socvit.

:func:`design` (``svydesign`` in R) returns a :class:`Design`; a
:func:`socvit.weighting.rake` result carries one as ``RakeResult.design`` (``rake()`` in R),
holding its raking margins so that standard errors are calibrated. Every function that takes
``weights=`` (:mod:`socvit.estimates`, :func:`socvit.regression.fit`, ...) also takes a
Design or a RakeResult (meaning its calibrated design); estimates and regression then use
the same variance, :meth:`Design.cov`.

For linearised values :math:`z_i` of the rows of the whole design (estimates:
:math:`w_i (y_i - \\hat\\mu_d)/\\sum_{i\\in d} w_i` in a domain *d*, 0 elsewhere;
regression: :math:`w_i (y_i - \\mu_i) x_i^\\top A^{-1}`, 0 outside the domain or for rows
with a missing value),

1. a calibrated (raked) design first replaces :math:`z` by its residual after the raking
   margins, :math:`z - w\\,\\overline{(z/w)}_{c}` per margin cell *c*, 10 backfitting sweeps
   (``survey::svyrecvar`` for a ``rake()``d design) [2]_;
2. :math:`z_{hj}` is the total of :math:`z` over PSU *j* of stratum *h*, and

.. math::

    \\widehat V = \\sum_h (1 - f_h)\\, \\frac{n_h}{n_h - 1} \\sum_{j=1}^{n_h}
    (z_{hj} - \\bar z_h)(z_{hj} - \\bar z_h)^\\top,

with :math:`n_h` the number of PSUs of stratum *h* in the **whole** design (a domain, a
``subset=`` or rows with missing values keep them, as ``subset(design, ...)`` and
``svyglm``'s handling of missing values in R) and :math:`f_h = n_h / N_h` the sampling
fraction from ``fpc`` (0 without one: with replacement) [1]_ [3]_.

A stratum with a single PSU in the whole design is an error (R's default
``options(survey.lonely.psu = "fail")``); a stratum of the full design that a domain or the
missing values leave with one PSU (or none) is fine, as in R.

References
----------
.. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3
   and 5 (``svydesign``, ``svyrecvar``, ``svyglm``).
.. [2] Lumley, T. (2010), section 7.4; Deville, J.-C. & Saerndal, C.-E. (1992). Calibration
   estimators in survey sampling. *JASA* 87, 376-382 (the variance of a calibrated
   estimator is that of the residuals after the calibration variables).
.. [3] Binder, D. A. (1983). On the variances of asymptotically normal estimators from
   complex surveys. *International Statistical Review* 51(3), 279-292.

Example
-------
>>> # In R: rk <- rake(svydesign(ids = ~1, data = df), ...)  (raking per gemeente)
>>> res = sv.weighting.rake(df, sv.weighting.margins_from_population(bevolking, golf=2023),
...                         by="gemeente")
>>> res.design
Design(n=3311, strata=1, PSUs=3311, calibrated)
>>> # In R: svymean(~rapportcijfer, rk, na.rm = TRUE)
>>> t = sv.estimates.mean(df, "rapportcijfer", weights=res)
>>> t[["estimate", "se"]].round(4), t.attrs["se_type"]
(   estimate      se
0    7.0002  0.0206, 'Taylor-linearised, calibrated (raking)')
>>> # In R: svyglm(rapportcijfer ~ betrokkenheid, subset(rk, gemeente == "GM0014"))
>>> m = sv.regression.fit("rapportcijfer ~ betrokkenheid", df, weights=res,
...                       subset="gemeente == 'GM0014'")
>>> m.table[["term", "estimate", "se"]].round(4)
            term  estimate      se
0      Intercept    6.5850  0.1854
1  betrokkenheid    0.1324  0.0483
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _inputs, _variance
from .errors import DataError

__all__ = ["design", "Design", "Domain"]

_SWEEPS = 10          # backfitting sweeps for a raked design, as survey::svyrecvar


def design(data, weights=None, strata=None, cluster=None, fpc=None) -> "Design":
    """A survey design of ``data``, as ``svydesign(ids=~cluster, strata=~strata,
    weights=~w, fpc=~fpc, data=data)`` in R (clusters nested in strata).

    Parameters
    ----------
    data : DataFrame or Panel
    weights : str, array, Series, RakeResult or Design, optional
        Sampling or raking weights (default all 1). A RakeResult or its ``.design`` brings
        its calibration (raking margins) along.
    strata, cluster : str or array, optional
        Stratum and primary sampling unit (PSU) of every row; without ``cluster`` every row
        is its own PSU. A kern column is taken within its gemeente.
    fpc : str or array, optional
        Finite population correction per row, constant within a stratum: the population
        number of PSUs of the stratum (values > 1), or the sampling fraction (all values
        <= 1), as ``svydesign(fpc=)``.

    Returns
    -------
    Design

    Example
    -------
    >>> # In R: svydesign(ids = ~kern, strata = ~gemeente, data = df, nest = TRUE)
    >>> design(df, strata="gemeente", cluster="kern")
    Design(n=3311, strata=10, PSUs=117)
    """
    return Design(data, weights, strata, cluster, fpc=fpc)


class Design:
    """Weights, strata, PSUs, fpc and calibration of the rows of a data frame.

    Made by :func:`design` or by :func:`socvit.weighting.rake` (``RakeResult.design``).
    ``weights`` is a Series (aligned to the rows); ``calibrated`` tells whether the errors
    are calibrated to raking margins. Positional arguments as in earlier releases of
    ``socvit.estimates.Design`` (``data, weights, strata, cluster, cb``).
    """

    def __init__(self, data, weights=None, strata=None, cluster=None, cb=None, fpc=None,
                 calibration=None, rows=None):
        cb = _inputs.codebook(data, cb)
        data = _inputs.frame(data)
        self.index = data.index
        n = self.n = len(data)
        base = _base_design(weights)
        if base is not None:
            base.check_rows(data)
            if strata is None and cluster is None and fpc is None:   # weights checked already
                self.__dict__.update(base.__dict__)
                if calibration is not None:
                    self._set_calibration(calibration)
                return
            if calibration is None:
                calibration = base._cells
            given = {"strata": strata, "cluster": cluster, "fpc": fpc}
            twice = [k for k, v in given.items()
                     if v is not None and getattr(base, f"_{k}_spec") is not None]
            if twice:
                raise DataError(f"The design passed as weights= already has {twice[0]}=; do "
                                f"not give {twice[0]}= again (make one design with "
                                f"sv.survey.design(...)).")
            strata = base._strata_spec if strata is None else strata
            cluster = base._cluster_spec if cluster is None else cluster
            fpc = base._fpc_spec if fpc is None else fpc
            weights = base.weights
        self._strata_spec, self._cluster_spec, self._fpc_spec = strata, cluster, fpc
        w = _inputs.weights(data, weights, rows=rows)
        self.weighted = w is not None
        w = np.ones(n) if w is None else np.where(np.isfinite(w), w, 0.0)
        self.w = w
        st = _values(data, strata, "strata")
        cl = _values(data, _inputs.kern_column(data, cluster, cb) if isinstance(cluster, str)
                     else cluster, "cluster")
        names = tuple(c if isinstance(c, str) else None for c in (strata, cluster))
        u = _variance.psus(n, st, cl, names)
        self.stratum, self.H, self.P, self.n_h = u.stratum, u.H, u.P, u.n_h
        self.psu, self.psu_stratum = u.psu, u.psu_stratum
        self._psu_of_row = np.arange(n) if u.psu is None else u.psu
        self._stratum_labels = None if st is None else _variance.codes(st)[1]
        self.fpc = None if fpc is None else self._fpc_factor(data, fpc, names[0])
        self._set_calibration(calibration)

    def _set_calibration(self, calibration):
        self.calibration = None if not calibration else \
            [(np.asarray(c, dtype=np.int64), np.bincount(np.asarray(c, dtype=np.int64)))
             for c in calibration]
        self._cells = None if not calibration else list(calibration)

    def _raked(self, weights: pd.Series, cells) -> "Design":
        """This design with raked ``weights`` calibrated to the raking ``cells`` (rake())."""
        import copy
        out = copy.copy(self)
        out.w = np.asarray(weights, dtype=float)
        out.weighted = True
        out._set_calibration(cells)
        return out

    # ------------------------------------------------------------------ description
    @property
    def weights(self) -> pd.Series:
        """The weights as a Series on the rows of the data (name ``gewicht``)."""
        return pd.Series(self.w, index=self.index, name="gewicht")

    @property
    def cells(self):
        """The raking cells (one code array per margin), None without calibration."""
        return self._cells

    @property
    def calibrated(self) -> bool:
        return self.calibration is not None

    def describe(self) -> str:
        """The variance in plain words, e.g. ``"Taylor-linearised, strata, clusters, fpc,
        calibrated (raking)"`` (``ModelResult.se_type``, an estimate table's
        ``attrs["se_type"]``)."""
        parts = ["Taylor-linearised"]
        if self._strata_spec is not None:
            parts.append("strata")
        if self._cluster_spec is not None:
            parts.append("clusters")
        if self.fpc is not None:
            parts.append("fpc")
        if self.calibrated:
            parts.append("calibrated (raking)")
        elif self.weighted:
            parts.append("fixed weights")
        return ", ".join(parts)

    def __repr__(self):
        extra = "".join(f", {k}" for k, v in (("fpc", self.fpc is not None),
                                               ("calibrated", self.calibrated),
                                               ("weights", self.weighted and not self.calibrated))
                        if v)
        return f"Design(n={self.n}, strata={self.H}, PSUs={self.P}{extra})"

    def check_rows(self, data):
        """DataError unless ``data`` has the rows of this design, in the same order."""
        if not data.index.equals(self.index):
            raise DataError(
                "A design (sv.survey.design, or a RakeResult or its .design) must be used with "
                "the data frame it was made for (for a raking: the data frame that was raked), "
                "all rows in the same order. For a subgroup pass by= or subset= (the design "
                "keeps all its PSUs, as subset(design, ...) in R), or pass RakeResult.weights "
                "to treat the weights as fixed.")

    # ------------------------------------------------------------------ fpc
    def _fpc_factor(self, data, fpc, strata_name):
        """Per stratum :math:`1 - f_h` from population sizes or sampling fractions."""
        v = _values(data, fpc, "fpc")
        col = repr(fpc) if isinstance(fpc, str) else "(given)"
        x = pd.to_numeric(pd.Series(np.asarray(v)), errors="coerce").to_numpy(float)
        bad = ~np.isfinite(x) | (x <= 0)
        if bad.any():
            raise DataError(f"The fpc column {col} must be a positive number in every row; "
                            f"{int(bad.sum())} row(s) are missing, zero or negative (first "
                            f"row {self.index[np.flatnonzero(bad)[0]]!r}). Give the population "
                            f"size (or the sampling fraction) of each row's stratum.")
        lo = np.full(self.H, np.inf)
        hi = np.full(self.H, -np.inf)
        np.minimum.at(lo, self.stratum, x)
        np.maximum.at(hi, self.stratum, x)
        varies = np.flatnonzero(hi - lo > 1e-9 * np.maximum(1.0, hi))
        if len(varies):
            where = self._stratum_name(varies[0], strata_name)
            raise DataError(f"The fpc column {col} differs within {where} "
                            f"({lo[varies[0]]:g} to {hi[varies[0]]:g}); it must be one number "
                            f"per stratum (the stratum's population size or sampling fraction).")
        if np.all(x <= 1):             # sampling fractions
            f = hi
        else:                          # population numbers of PSUs
            small = np.flatnonzero(hi < self.n_h)
            if len(small):
                h = small[0]
                raise DataError(f"The fpc column {col} says {self._stratum_name(h, strata_name)} "
                                f"has a population of {hi[h]:g} but the sample holds "
                                f"{int(self.n_h[h])} of its primary sampling units; the fpc must "
                                f"be at least the number sampled (a population size), or a "
                                f"sampling fraction <= 1 in every row.")
            f = self.n_h / hi
        return 1.0 - f

    def _stratum_name(self, h, strata_name):
        if self._stratum_labels is None:
            return "the design (no strata)"
        of = f" of {strata_name!r}" if strata_name else ""
        return f"stratum {self._stratum_labels[h]!r}{of}"

    # ------------------------------------------------------------------ the variance
    def cov(self, z, cov=True):
        """The linearisation covariance (see the module docstring) of ``z``: linearised
        values (n x k, one row per row of the design; 0 outside a domain). Returns the
        k x k covariance matrix, or with ``cov=False`` the k variances."""
        Z = np.asarray(z, dtype=float)
        if Z.ndim == 1:
            Z = Z[:, None]
        if self.calibration is not None:
            Z = self._calibrate(Z)
        if self.psu is not None:
            Z, hs = _variance.psu_totals(Z, self.psu), self.psu_stratum
        else:
            hs = self.stratum
        return _variance.variance(Z, hs, self.n_h, cov=cov, fpc=self.fpc)

    def _calibrate(self, Z):
        """Residuals of Z after the raking margins (10 backfitting sweeps, as svyrecvar)."""
        w = self.w
        pos = (w > 0)[:, None]
        Z = Z.copy()
        for _ in range(_SWEEPS):
            for cells, count in self.calibration:
                ratio = np.divide(Z, w[:, None], out=np.zeros_like(Z), where=pos)
                sums = np.stack([np.bincount(cells, ratio[:, j], minlength=len(count))
                                 for j in range(Z.shape[1])], axis=1)
                Z -= w[:, None] * (sums / np.maximum(count, 1)[:, None])[cells]
        return Z

    def score_variance(self, scores, bread, rows=None) -> np.ndarray:
        """Covariance of a model's estimates from its scores and bread (svyglm, svyolr).

        ``scores``: the weighted estimating functions :math:`w_i u_i` (m x p) of the rows
        ``rows`` (a boolean mask of the design's rows with m True; default all rows); rows
        outside (other domains, missing values) count as zero scores but keep their PSUs.
        ``bread``: :math:`A^{-1}` (p x p). Returns :math:`\\widehat V(\\sum_i w_i u_i
        A^{-1})` (:meth:`cov`), as ``svyrecvar(estfun %*% Ainv, ...)`` in
        ``survey:::svy.varcoef`` and ``svyolr``. Any weight scaling cancels."""
        infl = np.asarray(scores, dtype=float) @ np.asarray(bread, dtype=float)
        return self.cov(self._embed(infl, rows))

    def _embed(self, values, rows):
        if rows is None:
            if len(values) != self.n:
                raise ValueError(f"{len(values)} rows of scores for a design of {self.n} rows; "
                                 f"pass rows= (which rows they belong to).")
            return values
        rows = np.asarray(rows, dtype=bool)
        full = np.zeros((self.n, values.shape[1]))
        full[rows] = values
        return full

    def domain(self, rows) -> "Domain":
        """The rows ``rows`` (boolean mask) as a domain of this design (see :class:`Domain`)."""
        return Domain(self, np.asarray(rows, dtype=bool))

    # ------------------------------------------------------------------ estimates
    def variance(self, z: np.ndarray, key: np.ndarray, D: int) -> np.ndarray:
        """The variance of the domain totals of ``z`` (one per row; domain codes ``key``
        0..D-1, -1 outside every domain): one variance per domain."""
        if self.calibration is not None:
            return self._domain_columns(z, key, D)
        sel = key >= 0
        z, key = z[sel], key[sel]
        if self.psu is None:
            zs, dk, hs = z, key, self.stratum[sel]
        else:
            comb = key * self.P + self.psu[sel]
            idx, uniq = pd.factorize(comb)
            zs = np.bincount(idx, z, minlength=len(uniq))
            dk = (uniq // self.P).astype(np.int64)
            hs = self.psu_stratum[uniq % self.P]
        return _variance.variance(zs, hs, self.n_h, domain=dk, n_domains=D, fpc=self.fpc)

    def _domain_columns(self, z, key, D, chunk=2_000_000):
        out = np.empty(D)
        step = max(1, chunk // max(self.n, 1))
        for start in range(0, D, step):
            k = min(D, start + step) - start
            Z = np.zeros((self.n, k))
            sel = (key >= start) & (key < start + k)
            Z[np.flatnonzero(sel), key[sel] - start] = z[sel]
            out[start:start + k] = self.cov(Z, cov=False)
        return out

    def degf(self, mask: np.ndarray, key: np.ndarray, D: int) -> np.ndarray:
        """Degrees of freedom per domain as ``survey::degf`` on the domain's rows: the number
        of PSUs minus the number of strata among rows in ``mask`` with a positive weight."""
        sel = mask & (key >= 0) & (self.w > 0)
        k = key[sel]
        n_psu = _n_distinct(k, self._psu_of_row[sel], D)
        n_str = _n_distinct(k, self.stratum[sel], D)
        return (n_psu - n_str).astype(float)


class Domain:
    """Rows of a :class:`Design` that a model uses (a ``subset=``, complete cases), with the
    whole design behind them: ``vcov`` gives the covariance of a model fitted on these rows
    as ``svyglm(..., design = subset(des, ...))`` in R."""

    def __init__(self, design: Design, rows: np.ndarray):
        self.design, self.rows = design, rows

    @property
    def weights(self) -> np.ndarray:
        return self.design.w[self.rows]

    def vcov(self, scores, bread) -> np.ndarray:
        """:meth:`Design.score_variance` for scores of the domain's rows."""
        return self.design.score_variance(scores, bread, self.rows)

    @property
    def degf(self) -> int:
        """``survey::degf`` of the domain: its PSUs minus its strata (rows of positive
        weight)."""
        d = self.design
        return int(d.degf(self.rows, np.zeros(d.n, dtype=np.int64), 1)[0])

    @property
    def n_clusters(self) -> int:
        d = self.design
        return int(len(np.unique(d._psu_of_row[self.rows & (d.w > 0)])))

    @property
    def n_strata(self) -> int:
        d = self.design
        return int(len(np.unique(d.stratum[self.rows & (d.w > 0)])))

    def describe(self) -> str:
        return self.design.describe()


# ---------------------------------------------------------------------- helpers
def _base_design(weights):
    """The Design behind ``weights`` (a Design, or a RakeResult's), else None."""
    if isinstance(weights, Design):
        return weights
    d = getattr(type(weights), "design", None)
    if isinstance(d, property):                  # a RakeResult: its calibrated design
        return weights.design
    return None


_values = _inputs.column_values


def _n_distinct(key, values, D):
    if len(key) == 0:
        return np.zeros(D)
    v = values.astype(np.int64)
    pairs = np.unique(key.astype(np.int64) * (int(v.max()) + 1) + v)
    return np.bincount(pairs // (int(v.max()) + 1), minlength=D)


def rows(data, subset, what="subset") -> np.ndarray | None:
    """``subset`` (a boolean mask, Series or a ``DataFrame.eval`` expression such as
    ``"stype == 'M'"``) as a boolean array over the rows of ``data``; None for None.
    DataError when it is not boolean or selects no row."""
    if subset is None:
        return None
    if isinstance(subset, str):
        try:
            s = data.eval(subset)
        except Exception as exc:      # a pandas/numexpr error: name the expression
            raise DataError(f"{what}={subset!r} cannot be evaluated on the data ({exc}). Write "
                            f"a condition on columns, e.g. \"gemeente == 'GM0014'\".") from None
    else:
        s = subset
    if isinstance(s, pd.Series):
        if not s.index.equals(data.index):
            s = s.reindex(data.index)
        s = s.astype("boolean").fillna(False)
    arr = np.asarray(s)
    if arr.ndim != 1 or len(arr) != len(data) or not (arr.dtype == bool or arr.dtype == object
                                                      or np.issubdtype(arr.dtype, np.bool_)):
        raise DataError(f"{what} must be a condition with one True/False per row of the data "
                        f"(a boolean Series or mask, or an expression such as \"stype == "
                        f"'M'\"); got {arr.dtype} with {arr.size} values for {len(data)} rows.")
    arr = arr.astype(bool)
    if not arr.any():
        raise DataError(f"{what}={subset if isinstance(subset, str) else '(mask)'!r} leaves no "
                        f"rows: the domain is empty. Check the condition (values and spelling).")
    return arr
