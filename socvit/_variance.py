"""The one Taylor-linearisation variance of socvit: :mod:`socvit.estimates` (means,
proportions, comparisons) and :mod:`socvit.regression` (``se="survey"``) both use it.

For linearised values :math:`z_i` (estimates: :math:`w_i (y_i - \\hat\\mu)/\\sum w`;
regression: the scores :math:`w_i (y_i - \\mu_i) x_i A^{-1}`), with :math:`z_{hj}` their
total over PSU *j* of stratum *h* and :math:`n_h` the number of PSUs of stratum *h*,

.. math::

    \\widehat V = \\sum_h \\frac{n_h}{n_h - 1} \\Big(\\sum_{j=1}^{n_h} z_{hj} z_{hj}^\\top
    - \\frac{1}{n_h} s_h s_h^\\top\\Big), \\qquad s_h = \\sum_j z_{hj},

which is :math:`\\sum_h \\frac{n_h}{n_h-1}\\sum_j (z_{hj}-\\bar z_h)(z_{hj}-\\bar z_h)^\\top`:
``survey::svyrecvar`` for a with-replacement design without finite population correction
(Lumley, 2010, ch. 2-3 and 5; Wolter, 2007, ch. 6), times :math:`1 - f_h` per stratum
with a finite population correction. A stratum with a single PSU in the whole design raises
DataError (R's default ``options(survey.lonely.psu = "fail")``). The design object that
holds weights, strata, PSUs, fpc and calibration is :class:`socvit.survey.Design`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError


@dataclass
class PSUs:
    """Strata and primary sampling units of n rows, as codes.

    ``stratum`` per row (0..H-1); ``psu`` per row (0..P-1), None when every row is its own
    PSU; ``psu_stratum`` the stratum of each PSU (None with ``psu`` None); ``n_h`` the number
    of PSUs per stratum (float)."""

    stratum: np.ndarray
    psu: np.ndarray | None
    psu_stratum: np.ndarray | None
    n_h: np.ndarray
    H: int
    P: int

    @property
    def degf(self) -> int:
        """Design degrees of freedom (``survey::degf``): PSUs minus strata."""
        return int(self.P - self.H)


def codes(values, sort=False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` and the distinct values (first appearance or sorted)."""
    c, uniq = pd.factorize(values, sort=sort)
    return c.astype(np.int64), np.asarray(uniq, dtype=object)


def _design_codes(values, what, column):
    c, uniq = codes(values)
    if (c < 0).any():
        col = f" column {column!r}" if isinstance(column, str) else ""
        raise DataError(f"The {what}{col} is missing in {int((c < 0).sum())} row(s); every "
                        f"respondent needs a {what} value.")
    return c, uniq


def psus(n: int, strata=None, cluster=None, columns=(None, None)) -> PSUs:
    """The strata and PSUs of ``n`` rows from per-row stratum and cluster values (clusters are
    nested in strata: the same cluster label in two strata is two PSUs). ``columns`` names
    the strata and cluster columns in errors."""
    if strata is None:
        stratum, labels = np.zeros(n, dtype=np.int64), None
    else:
        stratum, labels = _design_codes(strata, "strata", columns[0])
    H = 1 if labels is None else len(labels)
    if cluster is None:
        psu = psu_stratum = None
        P = n
        n_h = np.bincount(stratum, minlength=H).astype(float)
    else:
        c, _ = _design_codes(cluster, "cluster", columns[1])
        base = int(c.max()) + 1 if n else 1
        psu, uniq = pd.factorize(stratum * base + c)
        psu = psu.astype(np.int64)
        P = len(uniq)
        psu_stratum = np.asarray(uniq // base, dtype=np.int64)
        n_h = np.bincount(psu_stratum, minlength=H).astype(float)
    lonely = np.flatnonzero(n_h == 1)
    if len(lonely):
        name = labels[lonely[0]] if labels is not None else "(all rows)"
        unit = "one row" if cluster is None else "one cluster"
        of = f" of {columns[0]!r}" if isinstance(columns[0], str) else ""
        raise DataError(f"Stratum {name!r}{of} has a single primary sampling unit ({unit}), "
                        f"so its sampling variance cannot be estimated (R's survey package "
                        f"stops here too with its default survey.lonely.psu = 'fail'). "
                        f"Merge this stratum with a similar one, or leave out strata=.")
    return PSUs(stratum, psu, psu_stratum, n_h, H, P)


def variance(z, stratum, n_h, domain=None, n_domains=1, cov=False, fpc=None):
    """The linearisation variance of PSU totals ``z`` (see the module docstring).

    ``fpc``: per stratum the factor :math:`1 - f_h` of a finite population correction
    (:class:`socvit.survey.Design`), None for a with-replacement design.

    ``z`` holds PSU totals: a vector with one value per (domain, PSU) that has one (PSUs
    where a domain's z is 0 may be left out) and ``domain`` their domain codes, giving one
    variance per domain; or a (PSUs x columns) matrix, giving one variance per column, or
    with ``cov=True`` the (columns x columns) covariance matrix. ``stratum`` is the stratum
    code of each PSU total, ``n_h`` the number of PSUs per stratum in the whole design."""
    z = np.asarray(z, dtype=float)
    n_h = np.asarray(n_h, dtype=float)
    H = len(n_h)
    if z.ndim == 1:
        d = np.zeros(len(z), dtype=np.int64) if domain is None else domain
        cell = d * H + stratum
        s1 = np.bincount(cell, z, minlength=n_domains * H).reshape(n_domains, H)
        s2 = np.bincount(cell, z * z, minlength=n_domains * H).reshape(n_domains, H)
        nh = n_h[None, :]
        v = nh / (nh - 1) * (s2 - s1 * s1 / nh)
        if fpc is not None:
            v = v * np.asarray(fpc, dtype=float)[None, :]
        return np.maximum(v.sum(axis=1), 0.0)
    s1 = np.stack([np.bincount(stratum, z[:, j], minlength=H) for j in range(z.shape[1])],
                  axis=1)
    nh = n_h[:, None]
    if not cov:
        s2 = np.stack([np.bincount(stratum, z[:, j] * z[:, j], minlength=H)
                       for j in range(z.shape[1])], axis=1)
        v = nh / (nh - 1) * (s2 - s1 * s1 / nh)
        if fpc is not None:
            v = v * np.asarray(fpc, dtype=float)[:, None]
        return np.maximum(v.sum(axis=0), 0.0)
    f = n_h / (n_h - 1)
    if fpc is not None:
        f = f * np.asarray(fpc, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(n_h > 0, f / np.where(n_h > 0, n_h, 1), 0.0)
    return (z * f[stratum][:, None]).T @ z - (s1 * g[:, None]).T @ s1


def psu_totals(z, psu) -> np.ndarray:
    """Totals of the rows of ``z`` (n x p) per PSU code (0..P-1)."""
    z = np.asarray(z, dtype=float)
    P = int(psu.max()) + 1 if len(psu) else 0
    return np.stack([np.bincount(psu, z[:, j], minlength=P) for j in range(z.shape[1])], axis=1)
