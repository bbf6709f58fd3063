"""Change between two waves within persons, beside the difference of two cross-sections.

:func:`change` estimates how a mean (or a share) moved from wave A to wave B in two ways,
in one tidy table:

- **paired** (within persons): on the members who answered in both waves (with a value in
  both), the wave-B estimate minus the wave-A estimate. The two waves' rows of a member are
  one cluster, so the standard error counts the correlation of a person's answers: as R's
  ``svycontrast(svyby(~y, ~golf, svydesign(ids = ~member, data = paired), svymean),
  c(-1, 1))``. With a weight that is the same in both waves (a longitudinal weight) this is
  the weighted mean of the within-person differences and its usual standard error.
- **cross-sectional**: all respondents of wave B minus all respondents of wave A, as a trend
  of two cross-sections reports it; the members in both waves are again clusters, so the
  error accounts for the overlap (``svydesign(ids = ~member, data = both waves)``).

For rows :math:`i` (member :math:`m(i)`, wave :math:`t(i)\\in\\{A, B\\}`, weight
:math:`w_i`) of a domain :math:`d`, :math:`\\hat\\mu_{t} = \\sum_{t(i)=t} w_i y_i /
\\sum_{t(i)=t} w_i`, the change is :math:`\\hat\\Delta = \\hat\\mu_B - \\hat\\mu_A` and its
linearised values

.. math::

    z_i = \\pm\\, \\frac{w_i (y_i - \\hat\\mu_{t(i)})}{\\sum_{t(j)=t(i)} w_j}
    \\quad(+ \\text{ for wave B}, - \\text{ for wave A}), \\qquad
    \\widehat V(\\hat\\Delta) = \\frac{M}{M-1} \\sum_{m=1}^{M} (z_m - \\bar z)^2,

with :math:`z_m` the total of a member's :math:`z_i` and *M* the members of the design
(:class:`socvit.survey.Design` with the member as cluster; domains of a ``by=`` keep every
member, as ``svyby`` does) [1]_ [2]_. A member's two terms partly cancel when the answers
are correlated: that is why the paired error is smaller than the cross-sectional one.

References
----------
.. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, sections
   2.2 and 3.3 (clusters, ``svyby``, ``svycontrast``).
.. [2] Kish, L. (1965). *Survey Sampling*. Wiley, section 12.4 (the variance of the change
   between overlapping samples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import _inputs, disclosure, estimates, survey
from ..disclosure import _with_columns
from ..errors import DataError
from ._members import members

__all__ = ["change"]

_KINDS = ("mean", "proportion")
PAIRED, CROSS = "paired", "cross-sectional"


def change(data, column, wave_from, wave_to, by=None, weights=None, kind="mean",
           categories=None, level=0.95, id=None, wave=None, min_n=None, warn_n=None,
           rules=None) -> pd.DataFrame:
    """The change of a mean or share between two waves: within persons and across sections.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    column : str
        A numeric column (a scale score, a mark) for ``kind="mean"``, or the column whose
        ``categories`` are counted for ``kind="proportion"``.
    wave_from, wave_to : wave values
        Wave A and wave B; the change is B minus A.
    by : str or list of str, optional
        Groups (gemeente, leeftijdsklasse, ...). In the paired rows a member belongs to the
        group of his or her wave-B row (both rows count there); in the cross-sectional rows
        each row to its own group. Use a column that means the same in both waves (a
        gemeente in one indeling: :func:`socvit.gemeenten.to_indeling`).
    weights : str, array, Series or LongitudinalWeights, optional
        A weight per row (fixed weights; a RakeResult or design gives its weights). The
        paired and the cross-sectional estimates use each row's own weight. A
        :func:`socvit.panel.longitudinal_weights` result gives each member's longitudinal
        weight to both of his or her rows (``by_member``; 0 for members outside its balanced
        panel, so then both bases describe the balanced members): the paired change is then
        the weighted mean of the within-person differences. Default: unweighted.
    kind : {"mean", "proportion"}
        A mean of ``column`` or the share of rows whose ``column`` is one of
        ``categories``.
    categories : value or list, optional
        For ``kind="proportion"``: the codes counted (e.g. ``[1]`` for actief, ``[4, 5]``
        for "(helemaal) mee eens").
    level : float
        Confidence level of the normal interval ``change +- z se``.
    id, wave : str, optional
        Member id and wave columns (default the codebook's, see
        :func:`socvit.panel.members`).
    min_n, warn_n, rules :
        Disclosure rules (:mod:`socvit.disclosure`) on the number of members in both waves
        (paired rows) or the smaller wave (cross-sectional rows).

    Returns
    -------
    DataFrame
        One row per group and ``basis`` ("paired", then "cross-sectional"): (by columns),
        basis, wave_from, wave_to, estimate_from, estimate_to, estimate (the change), se,
        ci_lower, ci_upper, p (two-sided, normal), n (members in both waves with a value;
        cross-sectional: the smaller of n_from and n_to), n_from, n_to (respondents with a
        value in each wave), suppressed, indicative, reason. Suppressed rows show no
        estimates.

    Notes
    -----
    The members' rows form the clusters of a design on the rows analysed (paired: the
    members with a value in both waves; cross-sectional: every row of the two waves, rows
    without a value staying in the design as ``na.rm = TRUE`` in R keeps them). See the
    module docstring for the formula. Equal to R survey's ``svycontrast`` on ``svyby`` of a
    member-clustered design to 1e-6 (tests/reference/panel/make_change_reference.R).

    Examples
    --------
    >>> # In R: des <- svydesign(ids = ~resp_id, data = paired)   # both waves' rows
    >>> #       svycontrast(svyby(~rapportcijfer, ~golf, des, svymean, covmat = TRUE),
    >>> #                   c(-1, 1))
    >>> t = sv.panel.change(panel, "rapportcijfer", 2021, 2023)
    >>> t[["basis", "estimate_from", "estimate_to", "estimate", "se", "n"]].round(4)
                 basis  estimate_from  estimate_to  estimate      se     n
    0           paired         6.9659       6.9874    0.0215  0.0245  2142
    1  cross-sectional         6.9527       6.9719    0.0192  0.0221  3232
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'mean' or 'proportion', got {kind!r}.")
    if kind == "proportion" and categories is None:
        raise ValueError(f"kind='proportion' counts the categories of {column!r}: pass "
                         f"categories=, e.g. [1] or [4, 5].")
    if kind == "mean" and categories is not None:
        raise ValueError("categories= belongs to kind='proportion'; a mean uses the column's "
                         "values.")
    estimates._check_level(level)
    rules = disclosure.resolve(rules, min_n, warn_n)
    cb = _inputs.codebook(data)
    m = members(data, id=id, wave=wave)
    a, b = m.check_waves(wave_from, wave_to)
    m.pair(a, b)                              # the same wave twice, or no member in both
    two = ((m.data[m.wave] == a) | (m.data[m.wave] == b)).fillna(False).to_numpy(dtype=bool)
    if isinstance(getattr(weights, "by_member", None), pd.Series):   # LongitudinalWeights
        weights = m.data[m.id].map(weights.by_member).fillna(0.0).to_numpy(dtype=float)
    w = _inputs.weights(m.data, weights, rows=two)
    w = np.ones(int(two.sum())) if w is None else w[two]
    df = m.data.loc[two]
    y = (estimates._numeric(df, column) if kind == "mean"
         else estimates._indicator(df, column, categories))
    key, groups, by_cols = estimates._groups(df, by, cb)
    D = len(groups)
    in_b = (df[m.wave] == b).to_numpy(dtype=bool)
    member = pd.factorize(df[m.id])[0]          # member codes 0..M-1 (the clusters)
    M = int(member.max()) + 1

    # cross-sections: every row of the two waves is in the design
    cross = _contrast(member, y, w, key, in_b, D)
    # paired: the members with a value in both waves; their group is that of wave B
    valid = ~np.isnan(y) & (w > 0)
    both = ((np.bincount(member[valid & ~in_b], minlength=M) > 0)
            & (np.bincount(member[valid & in_b], minlength=M) > 0))
    rows = valid & both[member]
    if not rows.any():
        raise DataError(f"No member has a value of {column!r} in both wave {a} and wave {b}; "
                        f"the change within persons needs members who answered it twice.")
    key_b = np.full(M, -1, dtype=np.int64)
    key_b[member[rows & in_b]] = key[rows & in_b]
    paired = _contrast(member[rows], y[rows], w[rows], key_b[member[rows]], in_b[rows], D)

    q = stats.norm.ppf(1 - (1 - level) / 2)
    parts = []
    for basis, (est_a, est_b, diff, se, n_a, n_b) in ((PAIRED, paired), (CROSS, cross)):
        n = n_b if basis == PAIRED else np.minimum(n_a, n_b)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.norm.sf(np.abs(diff / se))
        parts.append(_with_columns(groups.reset_index(drop=True), {
            "basis": basis, "wave_from": a, "wave_to": b, "estimate_from": est_a,
            "estimate_to": est_b, "estimate": diff, "se": se, "ci_lower": diff - q * se,
            "ci_upper": diff + q * se, "p": p, "n": n.astype(int), "n_from": n_a.astype(int),
            "n_to": n_b.astype(int)}))
    out = pd.concat(parts, ignore_index=True)
    if by_cols:
        out = out.sort_values(by_cols, kind="stable").reset_index(drop=True)
    out = disclosure.apply(out, rules=rules, columns=[
        "estimate_from", "estimate_to", "estimate", "se", "ci_lower", "ci_upper", "p"])
    out.attrs["se_type"] = ("Taylor-linearised, clusters (member)"
                            + (", fixed weights" if weights is not None else ""))
    return out


def _contrast(member, y, w, key, in_b, D):
    """Per domain: the wave-A and wave-B means, their difference, its standard error on a
    design whose clusters are the members (codes), and the numbers of rows with a value."""
    design = survey.Design(pd.DataFrame(index=pd.RangeIndex(len(member))), weights=w,
                           cluster=member)
    wave_key = np.where(key >= 0, 2 * key + in_b, -1)
    est, _, n, _, _, z = estimates._domain_means(design, y, wave_key, 2 * D)
    est_a, est_b = est[0::2], est[1::2]
    signed = np.where(in_b, z, -z)
    dom = np.where(~np.isnan(y) & (key >= 0) & (w > 0), key, -1)
    se = np.sqrt(design.variance(signed, dom, D))
    n_a, n_b = n[0::2], n[1::2]
    se = np.where((n_a > 0) & (n_b > 0), se, np.nan)
    return est_a, est_b, est_b - est_a, se, n_a, n_b
