"""Longitudinal weights for a balanced sub-panel: the members who answered waves A and B."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import survey, weighting
from ..errors import DataError
from ._attrition import AttritionResult, attrition
from ._members import members

__all__ = ["LongitudinalWeights", "longitudinal_weights"]

_NAME = "gewicht_long"


@dataclass
class LongitudinalWeights:
    """Weights for the members in waves A and B (made by :func:`longitudinal_weights`).

    Attributes
    ----------
    weights : Series
        The final weights on wave B's rows of the balanced members (index: the panel's row
        labels; name ``gewicht_long``).
    by_member : Series
        The same weights by member id: attach them to wave A's rows too
        (``rows[id].map(result.by_member)``) to weight change between the waves.
    adjusted : Series
        Before raking: wave A's weight over the response propensity (or its class rate),
        on the same rows as ``weights``.
    rake : RakeResult
        The raking to wave B's margins: ``.design`` (calibrated errors), ``.margins``,
        ``.groups``, ``deff``, ``n_eff``, ``bounds_met``.
    attrition : AttritionResult
        The response-propensity model.
    classes : DataFrame or None
        With propensity classes: class, p_min, p_max, n (wave A), n_stayed, rate
        (weighted stay rate), factor (1 / rate).
    """

    weights: pd.Series
    by_member: pd.Series = field(repr=False)
    adjusted: pd.Series = field(repr=False)
    rake: object = None
    attrition: AttritionResult = field(default=None, repr=False)
    classes: pd.DataFrame | None = None
    wave_from: object = None
    wave_to: object = None

    @property
    def design(self):
        """The calibrated design of wave B's balanced rows (``rake.design``)."""
        return self.rake.design

    @property
    def deff(self) -> float:
        """Kish design effect of the final weights."""
        return self.rake.deff

    @property
    def n_eff(self) -> float:
        """Kish effective sample size of the final weights."""
        return self.rake.n_eff

    def summary(self) -> str:
        adj = weighting.kish(self.adjusted)
        how = (f"{len(self.classes)} propensity classes" if self.classes is not None
               else "the fitted propensity")
        return (f"Longitudinal weights for the {len(self.weights)} members in waves "
                f"{self.wave_from} and {self.wave_to}: wave {self.wave_from}'s weight / "
                f"{how}, then raked to wave {self.wave_to}'s margins.\n"
                f"  after the propensity adjustment: Kish deff {adj[1]:.3f}, effective n "
                f"{adj[0]:.1f}\n{self.rake.summary()}")

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        import html
        body = f"<pre>{html.escape(self.summary())}</pre>"
        return body + (self.classes.to_html(index=False) if self.classes is not None else "")


def longitudinal_weights(data, wave_from, wave_to, margins, predictors=None, base_weight=None,
                         by=None, classes=None, bounds=None, strata=None, cluster=None,
                         attrition_model=None, id=None, wave=None, collapse=None,
                         max_iter=100, tol=1e-10,
                         on_nonconvergence="warn") -> LongitudinalWeights:
    """Weights for the balanced sub-panel of waves A and B: base weight over the response
    propensity, raked to wave B's margins.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format, one row per member per wave.
    wave_from, wave_to : wave values
        Waves A and B; the weights are for the members who answered both.
    margins : dict
        Wave B's population margins, as :func:`socvit.weighting.rake` takes them (e.g.
        ``margins_from_population(bevolking, golf=B)`` with ``by="gemeente"``); the margin
        columns are taken at wave B.
    predictors : list of str
        Terms of the response-propensity logit at wave A (see :func:`attrition`); not
        needed when ``attrition_model`` is given.
    base_weight : str, array, Series, RakeResult or Design, optional
        Wave A's weight (its cross-sectional weight; a design brings its strata and
        clusters into the propensity model). Default 1.
    by : str or list of str, optional
        Rake each group (at wave B) to its own margins, as :func:`socvit.weighting.rake`.
    classes : int, optional
        Adjust within that many propensity classes (quantiles of the fitted propensity in
        wave A; 5 is customary) by the weighted stay rate of the class, instead of by each
        member's own fitted propensity. Classes are robust to a misspecified logit and keep
        extreme propensities from making extreme weights. Tied propensities can give fewer
        classes (``.classes`` lists those made).
    bounds : (low, high), optional
        Trimming bounds of the raking (relative to the mean weight of the group).
    strata, cluster : str, optional
        Strata and PSU columns: of the propensity model (see :func:`attrition`) and, given
        as column names, of the final design of wave B's rows (``.design``: these strata
        and clusters, calibrated to the raking margins).
    attrition_model : AttritionResult, optional
        A fitted :func:`attrition` of the same waves to take the propensities from.
    id, wave : str, optional
        Member id and wave columns (default: the codebook's kinds ``id`` and ``wave``).
    collapse, max_iter, tol, on_nonconvergence :
        Passed on to :func:`socvit.weighting.rake`.

    Returns
    -------
    LongitudinalWeights
        ``.weights`` (wave B's rows of the balanced members), ``.by_member``, ``.adjusted``,
        ``.rake`` (its diagnostics: ``deff``, ``n_eff``, ``margins``, ``groups``,
        ``bounds_met``), ``.attrition``, ``.classes``, ``.design``, ``summary()``.

    Notes
    -----
    For member *i* of the balanced panel with wave A weight :math:`d_i` and estimated
    propensity :math:`\\hat p_i` to answer wave B given wave A [1]_ [2]_,

    .. math:: w^{(1)}_i = d_i / \\hat p_i \\quad\\text{or, with classes } c,\\quad
              w^{(1)}_i = d_i \\Big/ \\frac{\\sum_{j \\in A \\cap c} d_j R_j}
              {\\sum_{j \\in A \\cap c} d_j}

    (response-propensity stratification [3]_: the weighted stay rate of the member's
    class), and the final weight calibrates :math:`w^{(1)}` by raking to wave B's margins
    [4]_, so that the balanced panel reproduces wave B's population while the propensity
    step restores what attrition took from wave A's composition. Members whose propensity
    cannot be fitted (a missing predictor) get the weighted stay rate of those members.
    Standard errors from ``.design`` treat the propensity step as fixed (its estimation
    is not in the variance), as is usual for weighting-class and propensity adjustments
    [2]_.

    References
    ----------
    .. [1] Lynn, P. & Watson, N. (2021). Issues in weighting for longitudinal surveys. In
       Lynn (ed.), *Advances in Longitudinal Survey Methodology*. Wiley, 447-468.
    .. [2] Valliant, R., Dever, J. A. & Kreuter, F. (2018). *Practical Tools for Designing
       and Weighting Survey Samples* (2nd ed.). Springer, ch. 13-14.
    .. [3] Little, R. J. A. (1986). Survey nonresponse adjustments for estimates of means.
       *International Statistical Review* 54, 139-157.
    .. [4] Kalton, G. & Flores-Cervantes, I. (2003). Weighting methods. *Journal of
       Official Statistics* 19, 81-97.

    Example
    -------
    >>> # In R: p <- predict(svyglm(blijft ~ leeftijd + opleiding, design_A, family =
    >>> #        quasibinomial), type = "response"); rake(svydesign(ids = ~1, weights =
    >>> #        ~I(1 / p), data = balanced_B), ...)  (per gemeente)
    >>> margins = sv.weighting.margins_from_population(bevolking, golf=2023)
    >>> lw = sv.panel.longitudinal_weights(panel, 2021, 2023, margins,
    ...                                    ["leeftijd", "opleiding"], by="gemeente", classes=5)
    >>> len(lw.weights), lw.rake.converged, round(lw.deff, 2)
    (2234, True, 1.58)
    """
    m = members(data, id=id, wave=wave)
    a, b = m.check_waves(wave_from, wave_to)
    both = m.pair(a, b)
    if classes is not None and not (isinstance(classes, (int, np.integer))
                                    and not isinstance(classes, bool) and classes >= 2):
        raise ValueError(f"classes must be a whole number of propensity classes >= 2 "
                         f"(5 is customary) or None, got {classes!r}.")
    if attrition_model is None:
        if predictors is None:
            raise ValueError("longitudinal_weights needs predictors=[...] for the response-"
                             "propensity model (or a fitted attrition_model=).")
        att = attrition(data, a, b, predictors, weights=base_weight, strata=strata,
                        cluster=cluster, id=m.id, wave=m.wave)
    else:
        att = attrition_model
        if not isinstance(att, AttritionResult) or (att.wave_from, att.wave_to) != (a, b):
            got = (f"waves {att.wave_from} and {att.wave_to}" if isinstance(att, AttritionResult)
                   else type(att).__name__)
            raise DataError(f"attrition_model must be the sv.panel.attrition result of waves "
                            f"{a} and {b}; got {got}.")
    d, r = att.base_weight.to_numpy(float), att.stayed.to_numpy(float)
    p = att.propensity.to_numpy(float)
    table = None
    missing = ~np.isfinite(p)
    if classes is not None:
        ok = ~missing
        cut = pd.qcut(pd.Series(p[ok]), classes, labels=False, duplicates="drop").to_numpy()
        cls = np.full(len(p), -1)
        cls[ok] = cut
        k = int(cut.max()) + 1
        rate = np.array([_rate(d, r, cls == c) for c in range(k)])
        table = pd.DataFrame({
            "class": np.arange(1, k + 1),
            "p_min": [p[cls == c].min() for c in range(k)],
            "p_max": [p[cls == c].max() for c in range(k)],
            "n": [int((cls == c).sum()) for c in range(k)],
            "n_stayed": [int(r[cls == c].sum()) for c in range(k)],
            "rate": rate, "factor": 1 / rate})
        prop = np.where(ok, rate[np.clip(cls, 0, None)], np.nan)
    else:
        prop = p.copy()
    if missing.any():
        prop[missing] = _rate(d, r, missing)
    if not np.all(prop[r == 1] > 0):
        raise DataError(f"A response propensity of 0 among the members who stayed from wave "
                        f"{a} to {b}: their weight would be infinite. Use classes= or fewer "
                        f"predictors.")
    adj_a = pd.Series(d / prop, index=att.stayed.index)[r == 1]
    member_adj = pd.Series(adj_a.to_numpy(), index=m.data.loc[adj_a.index, m.id].to_numpy())
    rows_b = m.rows(b)
    frame_b = m.data.loc[rows_b]
    frame_b = frame_b.loc[frame_b[m.id].map(both).astype(bool).to_numpy()]
    adjusted = frame_b[m.id].map(member_adj).astype(float).rename("gewicht")
    src = frame_b if m.codebook is None else _panel(frame_b, m.codebook)
    start = adjusted
    if isinstance(strata, str) or isinstance(cluster, str):     # wave B's rows keep them
        start = survey.design(src, weights=adjusted, strata=strata, cluster=cluster)
    rk = weighting.rake(src, margins, base_weight=start, by=by, bounds=bounds,
                        collapse=collapse, max_iter=max_iter, tol=tol,
                        on_nonconvergence=on_nonconvergence)
    final = rk.weights.rename(_NAME)
    by_member = pd.Series(final.to_numpy(), index=frame_b[m.id].to_numpy(), name=_NAME)
    by_member.index.name = m.id
    return LongitudinalWeights(final, by_member, adjusted, rk, att, table, a, b)


def _rate(d, r, mask) -> float:
    """Weighted stay rate among ``mask``."""
    s = d[mask].sum()
    return float(np.sum(d[mask] * r[mask]) / s) if s > 0 else np.nan


def _panel(frame, cb):
    from ..io import Panel
    return Panel(frame, cb)
