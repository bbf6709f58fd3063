"""The report's comparison-area estimates from per-gemeente sums (the fast path).

A report compares its gemeente with a comparison area: the rest of the province, a region,
or every other gemeente of the panel. Computed from the rows, each report would pass over
the whole comparison area (on a national panel a quarter of a million rows a wave) for every
estimate. The report's estimates use fixed weights without strata or clusters
(``weights=W``: every row is its own PSU in one stratum), and under that design every number
they publish is a function of a few additive sums per domain. For a domain :math:`d`
(rows with a value of :math:`y`, weights :math:`w`, shifted by a constant :math:`c` of the
column for numerical accuracy, :math:`e_i = y_i - c`):

.. math::

    \\hat\\mu_d = \\frac{\\sum w y}{\\sum w}, \\qquad
    \\sum_{i \\in d} z_i^2 = \\frac{\\sum w^2 e^2 - 2 m \\sum w^2 e + m^2 \\sum w^2}
    {(\\sum w)^2}, \\quad m = \\frac{\\sum w e}{\\sum w},

with :math:`z_i = w_i (y_i - \\hat\\mu_d) / \\sum_d w` the linearised values, and the
Taylor variance of :mod:`socvit.estimates` over a design of :math:`N` rows (PSUs) is
:math:`\\widehat V = \\frac{N}{N-1} \\big(\\sum z^2 - (\\sum z)^2 / N\\big)`, where
:math:`\\sum_d z = 0` [1]_ [2]_. The difference of two disjoint domains has
:math:`\\sum (z^A - z^B)^2 = \\sum (z^A)^2 + \\sum (z^B)^2`. The counts are the rows with a
value and a positive weight (``n``, and the degrees of freedom: that count minus one
stratum), and Kish's :math:`n_{eff} = (\\sum w)^2 / \\sum w^2`.

So this module keeps, once per prepared panel (``Rapport.shared``), for every compared
column and every (wave, gemeente) cell: the number of rows, of rows with a value and a
positive weight, and :math:`\\sum w`, :math:`\\sum w y`, :math:`\\sum w e`,
:math:`\\sum w^2`, :math:`\\sum w^2 e`, :math:`\\sum w^2 e^2`. A report's comparison area
is then the sum over its gemeenten — those :meth:`Rapport.in_comparison` takes: other
gemeenten, of the region when there is one, not hidden in the wave
(:meth:`Rapport.hidden_in`), their values of a measure left out when the gemeente has too
few of them (:meth:`Rapport.hide_values`) — and the per-report cost no longer depends on the
size of the panel. The tables equal those of :mod:`socvit.estimates` on the rows (the slow
path in :mod:`socvit.report.sections`; ``tests/test_comparison_fast.py`` checks them to
1e-10 on the sample and on another panel, with hidden gemeenten).

Every function returns None when the fast path does not apply (the gemeente has no rows,
a design of one row), and the caller then computes from the rows. ``ENABLED = False``
switches the fast path off (tests compare the two).

References
----------
.. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3.
.. [2] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6.

Example
-------
>>> from socvit import report
>>> from socvit.report import _comparison
>>> r = report.prepare("GM1979", 2023)
>>> # In R: svyttest(betrokkenheid ~ I(groep == "Eemsdelta"),
>>> #                svydesign(ids=~1, weights=~gewicht, data=eemsdelta_en_rest))
>>> t = _comparison.compare(r, ["betrokkenheid"], kind="mean")
>>> t[["schaal", "estimate", "estimate_other", "n", "n_other"]].round(2)
          schaal  estimate  estimate_other    n  n_other
0  betrokkenheid      7.53            7.46  355     2921
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import estimates
from ._prepare import G, W, Rapport

__all__ = ["compare", "means", "shares", "ENABLED"]

#: switch for tests: False computes every comparison from the rows
ENABLED = True

_LEVEL = 0.95          # the report's intervals and tests
_SUMS = ("rows", "n", "sw", "swy", "swe", "sw2", "sw2e", "sw2e2")


# --------------------------------------------------------------------------- the sums
class _Cells:
    """(wave, gemeente) cells of one prepared panel: a code per row, the row counts, and
    the sums of every column asked for (computed once, kept in ``Rapport.shared``)."""

    def __init__(self, r: Rapport):
        data = r.data
        self.data = data
        g_codes, g_values = pd.factorize(data[G].astype(object).to_numpy(), use_na_sentinel=True)
        w_codes, w_values = pd.factorize(data[r.wave_col].to_numpy(dtype=object, na_value=None))
        self.gemeenten = {str(v): j for j, v in enumerate(g_values)}
        self.waves = {int(v): i for i, v in enumerate(w_values) if v is not None}
        self.shape = (len(w_values), len(g_values))
        size = self.shape[0] * self.shape[1]
        ok = (g_codes >= 0) & (w_codes >= 0)
        self.cell = np.where(ok, w_codes * self.shape[1] + g_codes, size)   # size: no cell
        self.size = size
        self.rows = np.bincount(self.cell, minlength=size + 1)[:size].reshape(self.shape)
        self.w = data[W].to_numpy(dtype="float64")
        self.columns: dict = {}

    def sums(self, column: str, categories=None) -> dict:
        """The sums of ``column`` (with ``categories``: the indicator of those categories,
        as :func:`socvit.estimates.proportion` takes it) per cell, as (waves x gemeenten)
        arrays."""
        key = (column, None if categories is None else tuple(categories))
        if key not in self.columns:
            y = (estimates._numeric(self.data, column) if categories is None
                 else estimates._indicator(self.data, column, categories))
            valid = ~np.isnan(y)
            shift = float(np.mean(y[valid])) if valid.any() else 0.0
            cell = np.where(valid, self.cell, self.size)
            w = np.where(valid, self.w, 0.0)
            e = np.where(valid, y - shift, 0.0)
            ys = np.where(valid, y, 0.0)
            w2 = w * w

            def total(values):
                return np.bincount(cell, values, minlength=self.size + 1)[:self.size].reshape(
                    self.shape)

            self.columns[key] = {
                "rows": self.rows, "n": total((valid & (self.w > 0)).astype("float64")),
                "sw": total(w), "swy": total(w * ys), "swe": total(w * e), "sw2": total(w2),
                "sw2e": total(w2 * e), "sw2e2": total(w2 * e * e)}
        return self.columns[key]


def _cells(r: Rapport) -> _Cells:
    cells = r.shared.get("_comparison_cells")
    if cells is None or cells.data is not r.data:
        cells = r.shared["_comparison_cells"] = _Cells(r)
    return cells


def _areas(r: Rapport, cells: _Cells, golf: int, column: str):
    """The gemeente's cell and the comparison area's cells of wave ``golf``: (wave index,
    own gemeente index or None, gemeenten whose rows are in the area, those whose values of
    ``column`` count), following :meth:`Rapport.in_comparison` and
    :meth:`Rapport.hide_values`."""
    i = cells.waves.get(int(golf))
    if i is None:
        return None
    own = cells.gemeenten.get(r.gemeente)
    codes = set(cells.gemeenten) - {r.gemeente}
    if r.compare_codes is not None:
        codes &= set(r.compare_codes)
    hidden_in = getattr(r, "hidden_in", None)
    if hidden_in is not None:
        codes -= set(hidden_in(golf))
    rows = sorted(cells.gemeenten[c] for c in codes)
    hidden_for = getattr(r, "hidden_for", None)
    blank = set(hidden_for(column, golf)) if hidden_for is not None else set()
    values = [cells.gemeenten[c] for c in sorted(codes - blank)]
    return i, own, rows, values


class _Domain:
    """The sums of one domain (a gemeente or a comparison area in one wave) of one column."""

    def __init__(self, sums: dict, i: int, gemeenten):
        idx = list(gemeenten)
        for name in _SUMS[1:]:
            setattr(self, name, float(sums[name][i, idx].sum()) if idx else 0.0)

    @property
    def estimate(self) -> float:
        return self.swy / self.sw if self.sw > 0 else np.nan

    @property
    def z2(self) -> float:
        """:math:`\\sum z_i^2` of the domain's linearised values."""
        if not self.sw > 0:
            return 0.0
        m = self.swe / self.sw
        return max(self.sw2e2 - 2 * m * self.sw2e + m * m * self.sw2, 0.0) / (self.sw * self.sw)

    @property
    def n_eff(self) -> float:
        return self.sw * self.sw / self.sw2 if self.sw2 > 0 else 0.0


def _rows(cells: _Cells, i: int, gemeenten) -> int:
    return int(cells.rows[i, list(gemeenten)].sum()) if len(gemeenten) else 0


def _parts(r: Rapport, columns, golf: int, categories=None):
    """Per column the gemeente's and the comparison area's domains in wave ``golf``, and the
    rows of each of the two groups; None when the fast path does not apply."""
    if not ENABLED or W not in r.data.columns:
        return None
    cells = _cells(r)
    out, n_own, n_comp = [], None, None
    for column in columns:
        found = _areas(r, cells, golf, column)
        if found is None or found[1] is None:
            return None
        i, own, rows, values = found
        sums = cells.sums(column, categories)
        out.append((_Domain(sums, i, [own]), _Domain(sums, i, values)))
        n_own, n_comp = _rows(cells, i, [own]), _rows(cells, i, rows)
    if not n_own:
        return None
    return out, n_own, n_comp


def _groups(columns, sizes: list, by, extra: dict | None = None, stack: bool = True):
    """The estimates' group table for ``by`` exactly as the rows would give it: made by
    :func:`socvit.estimates._groups` from a frame of one row per group that is present
    (``sizes``: (label, rows) per group; ``extra``: more columns), stacked as the sections
    stack them (``stack``), and the design's description."""
    from .sections import _long
    labels = [label for label, rows in sizes if rows > 0]
    mini = pd.DataFrame({c: np.zeros(len(labels)) for c in columns})
    mini[W] = 1.0
    mini["_groep"] = np.array(labels)
    for name, values in (extra or {}).items():
        mini[name] = values
    if stack:
        mini = _long(mini, list(columns), keys=["_groep"])
    _, groups, _ = estimates._groups(mini, by)
    return groups, estimates._design(mini, W, None, None, None, None)


def _vergelijking(r):
    from .sections import _vergelijking as label
    return label(r)


def _stacked(r: Rapport, columns, by, categories=None):
    """For ``columns`` stacked as the sections stack them (report's wave): the domains
    (:func:`_parts`), the design's number of rows, the group table for ``by`` and the
    design; None when the fast path does not apply."""
    found = _parts(r, columns, r.golf, categories)
    if found is None:
        return None
    parts, n_own, n_comp = found
    N = len(columns) * (n_own + n_comp)
    if N < 2:
        return None
    groups, design = _groups(columns, [(r.naam, n_own), (_vergelijking(r), n_comp)], by)
    return parts, N, groups, design


# --------------------------------------------------------------------------- estimates
def compare(r: Rapport, columns, kind: str = "mean", categories=None) -> pd.DataFrame | None:
    """The gemeente against its comparison area for each of ``columns`` in the report's
    wave: the table of :func:`socvit.estimates.compare` on the stacked rows (``schaal``,
    ``_groep`` = the gemeente's name, against "rest", ...) as ``sections._compare_many``
    asks for it; None when the fast path does not apply."""
    found = _stacked(r, columns, "schaal", categories if kind == "proportion" else None)
    if found is None:
        return None
    parts, N, groups, design = found
    if len(groups) != len(columns):
        return None
    a = [p[0] for p in parts]
    b = [p[1] for p in parts]
    var = np.array([N / (N - 1) * (x.z2 + y.z2) for x, y in zip(a, b)])
    n_a = np.array([int(x.n) for x in a])
    n_b = np.array([int(y.n) for y in b])
    total = n_a + n_b
    dfree = (total - (total > 0)).astype(float) - 1
    table = estimates._difference(
        groups, "_groep", r.naam, "rest", np.array([x.estimate for x in a]),
        np.array([y.estimate for y in b]), var, dfree, n_a, n_b,
        np.array([x.n_eff for x in a]), _LEVEL)
    return estimates._label(estimates._compared([table], ["schaal"], "_groep", r.rules, _LEVEL),
                            design)


def _domain_table(r, groups, design, domains, N, kind):
    """The table of :func:`socvit.estimates.mean` (``kind`` "mean") or
    :func:`~socvit.estimates.proportion` (logit intervals) for ``domains``, one per row of
    ``groups``, in a design of ``N`` rows."""
    est = np.array([d.estimate for d in domains])
    sw = np.array([d.sw for d in domains])
    var = np.array([N / (N - 1) * d.z2 for d in domains])
    se = np.where(sw > 0, np.sqrt(var), np.nan)
    n = np.array([int(d.n) for d in domains])
    n_eff = np.array([d.n_eff for d in domains])
    if kind == "mean":
        q = stats.norm.ppf(1 - (1 - _LEVEL) / 2)
        out = estimates._tidy(groups, est, se, est - q * se, est + q * se, n, n_eff, r.rules)
        return estimates._label(out, design)
    dfree = (n - (n > 0)).astype(float)
    lo, hi, used, inner = estimates._prop_ci(est, se, dfree, n, _LEVEL, "logit")
    lo, hi, used = estimates._edge_ci(est, n_eff, _LEVEL, lo, hi, used, inner)
    out = estimates._tidy(groups, est, se, lo, hi, n, n_eff, r.rules)
    out["method"] = pd.Series(used, dtype="string")
    return estimates._label(out, design)


def means(r: Rapport, columns) -> pd.DataFrame | None:
    """Weighted means of ``columns`` for the gemeente and its comparison area in the
    report's wave: the table of :func:`socvit.estimates.mean` by ``["schaal", "_groep"]``
    on the stacked rows, as ``sections._by_group`` asks for it; None when the fast path
    does not apply."""
    found = _stacked(r, columns, ["schaal", "_groep"])
    if found is None:
        return None
    parts, N, groups, design = found
    names = {r.naam: 0, _vergelijking(r): 1}
    pos = {c: k for k, c in enumerate(columns)}
    domains = [parts[pos[s]][names[g]] for s, g in zip(groups["schaal"].astype(str),
                                                         groups["_groep"])]
    return _domain_table(r, groups, design, domains, N, "mean")


def shares(r: Rapport, column: str, waves, categories=(1,)) -> pd.DataFrame | None:
    """The share of ``categories`` of ``column`` for the gemeente and its comparison area in
    each of ``waves``: the table of :func:`socvit.estimates.proportion` by
    ``[wave column, "_groep"]`` on the two groups' rows of those waves, as
    ``sections.trends`` asks for it; None when the fast path does not apply."""
    wcol = r.wave_col
    found = {}
    for golf in waves:
        part = _parts(r, [column], golf, list(categories))
        if part is None:
            return None
        found[int(golf)] = part
    N = sum(n_own + n_comp for _, n_own, n_comp in found.values())
    if N < 2:
        return None
    labels, values = [], []
    for golf, (_, n_own, n_comp) in found.items():
        for label, rows in ((r.naam, n_own), (_vergelijking(r), n_comp)):
            if rows > 0:
                labels.append((label, rows))
                values.append(golf)
    groups, design = _groups([column], labels, [wcol, "_groep"], stack=False,
                             extra={wcol: pd.array(values, dtype=r.data[wcol].dtype)})
    names = {r.naam: 0, _vergelijking(r): 1}
    domains = [found[int(w)][0][0][names[g]] for w, g in zip(groups[wcol], groups["_groep"])]
    return _domain_table(r, groups, design, domains, N, "proportion")
