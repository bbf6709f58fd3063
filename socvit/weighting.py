"""Raking survey weights to population margins, with trimming and diagnostics.

Panel respondents are older and more often highly educated than the population, so every
published percentage is weighted. :func:`rake` adjusts (base) weights by iterative
proportional fitting until the weighted sample reproduces the population totals of each
margin (e.g. age class and sex per gemeente); :func:`margins_from_population` reads those
totals from a population table such as ``data/sample/bevolking.csv``.

The raking factor of a respondent only depends on the cell of the margin variables (and
the group) the respondent falls in, so the fitting runs on the table of distinct
(group, categories, base weight) units, not on the rows: a million rows rake in well under
a second (see ``benchmarks/bench_rake.py``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import _inputs, survey
from .errors import DataError, SocvitWarning

__all__ = ["rake", "RakeResult", "RakedDesign", "margins_from_population", "kish"]

_WEIGHT_NAME = "gewicht"


# --------------------------------------------------------------------------- results
#: the design a raking returns (``RakeResult.design``): a :class:`socvit.survey.Design` with
#: the raked weights and the raking cells (calibrated standard errors); kept under this name
RakedDesign = survey.Design


@dataclass
class RakeResult:
    """Raked weights with their diagnostics.

    Attributes
    ----------
    weights : Series
        Final weights, aligned to the rows of the input frame (name ``gewicht``).
    converged : bool
        Whether every margin (and, with ``bounds``, every bound) holds within ``tol``.
    iterations : int
        Number of raking sweeps (one sweep adjusts every margin once).
    max_margin_error : float
        Largest relative margin error ``|achieved - target| / target`` over all groups.
    margins : DataFrame
        Residual table: (group columns), column, category, target, achieved, rel_error.
    collapsed : DataFrame
        Categories joined before raking: (group columns), column, category, into.
    groups : DataFrame
        Per group: n, sum_weights, n_eff, deff, efficiency, min_ratio, max_ratio
        (weight / mean weight), max_margin_error.
    bounds : tuple or None
        The trimming bounds asked for (relative to the mean weight of the group).
    bounds_met : bool
        Whether all weights lie within ``bounds`` (True without bounds).
    message : str
        Empty when converged; otherwise which condition could not be met.
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_margin_error: float
    margins: pd.DataFrame
    collapsed: pd.DataFrame
    groups: pd.DataFrame
    by: list = field(default_factory=list)
    bounds: tuple | None = None
    bounds_met: bool = True
    max_bound_error: float = 0.0
    message: str = ""
    _cells: list = field(default_factory=list, repr=False)
    _base: object = field(default=None, repr=False)

    @property
    def design(self) -> survey.Design:
        """The calibrated survey design (:class:`socvit.survey.Design`): the raked weights,
        the raking cells, and the strata, clusters and fpc of a design given as
        ``base_weight``, as ``rake(svydesign(...), ...)`` in R. Passing it (or this
        RakeResult) as ``weights=`` to :mod:`socvit.estimates` or
        :func:`socvit.regression.fit` gives calibrated standard errors; ``.weights`` alone
        is treated as fixed weights."""
        base = self._base
        if base is None:
            base = survey.Design(pd.DataFrame(index=self.weights.index))
        return base._raked(self.weights, self._cells)

    @property
    def deff(self) -> float:
        """Kish design effect of weighting, ``n * sum(w^2) / sum(w)^2`` (= 1 + CV^2) over
        all weights. With ``by=`` see ``groups`` for the per-group values."""
        return kish(self.weights)[1]

    @property
    def n_eff(self) -> float:
        """Kish effective sample size ``sum(w)^2 / sum(w^2)``."""
        return kish(self.weights)[0]

    @property
    def efficiency(self) -> float:
        """Weighting efficiency ``n_eff / n`` = 1 / deff."""
        return 1.0 / self.deff

    def summary(self) -> str:
        status = "converged" if self.converged else f"NOT converged: {self.message}"
        lines = [
            f"Raking: {len(self.weights)} rows"
            + (f" in {len(self.groups)} groups by {', '.join(self.by)}" if self.by else ""),
            f"  {status} after {self.iterations} sweep(s); "
            f"largest relative margin error {self.max_margin_error:.3g}",
            f"  Kish deff {self.deff:.3f}, effective n {self.n_eff:.1f}, "
            f"efficiency {self.efficiency:.1%}",
            f"  weight / mean weight: min {self.groups['min_ratio'].min():.3f}, "
            f"max {self.groups['max_ratio'].max():.3f}"
            + (f" (bounds {self.bounds[0]:g}-{self.bounds[1]:g}"
               f"{'' if self.bounds_met else ', NOT met'})" if self.bounds else ""),
        ]
        if len(self.collapsed):
            lines.append(f"  collapsed categories: {len(self.collapsed)}")
            for row in self.collapsed.itertuples(index=False):
                d = row._asdict()
                where = ", ".join(f"{b}={d[b]}" for b in self.by)
                lines.append(f"    {where + ': ' if where else ''}{d['column']}: "
                             f"{d['category']!s} -> {d['into']!s}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"RakeResult(n={len(self.weights)}, converged={self.converged}, "
                f"iterations={self.iterations}, max_margin_error={self.max_margin_error:.3g}, "
                f"deff={self.deff:.3f}, n_eff={self.n_eff:.1f})")


def kish(weights) -> tuple[float, float]:
    """Kish effective sample size and design effect of a set of weights.

    .. math:: n_{eff} = (\\sum w)^2 / \\sum w^2, \\qquad deff = n / n_{eff} = 1 + CV^2

    References: [1] Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7.
    """
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    if len(w) == 0 or not np.any(w):
        return 0.0, float("nan")
    s1, s2 = w.sum(), np.square(w).sum()
    n_eff = s1 * s1 / s2
    return float(n_eff), float(len(w) / n_eff)


# --------------------------------------------------------------------------- population
def margins_from_population(bevolking, gemeente=None, golf=None,
                            columns=("leeftijdsklasse", "geslacht"), count="aantal",
                            group_col="gemeente"):
    """Raking margins from a population table (one row per cell with a count).

    Parameters
    ----------
    bevolking : DataFrame or path
        Columns ``golf``, ``gemeente``, the margin ``columns`` and ``count`` (e.g.
        ``data/sample/bevolking.csv``).
    gemeente : str or list, optional
        A CBS code or name (one gemeente: returns ``{column: {category: total}}``), a list
        of them, or None for all gemeenten of the wave (both return
        ``{gemeente: {column: {category: total}}}``, the form ``rake(by="gemeente")`` takes).
    golf : int, optional
        The wave; needed when the table holds more than one.
    columns : sequence of str
        Margin columns; each margin is the sum of ``count`` over the other columns.

    Example
    -------
    >>> pop = margins_from_population(bevolking, golf=2023)
    >>> list(pop)[:3]
    ['GM0014', 'GM0037', 'GM0047']
    >>> pop["GM0014"]["geslacht"]
    {'man': 98996.0, 'vrouw': 101027.0}
    """
    if isinstance(bevolking, (str, Path)):
        path = Path(bevolking)
        if not path.exists():
            raise DataError(f"Population file {path} does not exist.")
        bevolking = pd.read_csv(path, dtype={group_col: "string"})
    if not isinstance(bevolking, pd.DataFrame):
        raise TypeError(f"bevolking must be a DataFrame or a path, got {type(bevolking).__name__}.")
    columns = [columns] if isinstance(columns, str) else list(columns)
    need = [c for c in [group_col, count, *columns] if c not in bevolking.columns]
    if need:
        raise DataError(f"Population table lacks column(s) {', '.join(need)} (it has "
                        f"{', '.join(map(str, bevolking.columns))}).")
    pop = bevolking
    if "golf" in pop.columns:
        waves = sorted(pd.unique(pop["golf"].dropna()))
        if golf is None and len(waves) > 1:
            raise DataError(f"Population table holds waves {waves}; pass golf= to choose one.")
        if golf is not None:
            pop = pop[pop["golf"] == golf]
            if pop.empty:
                raise DataError(f"Population table has no rows for golf {golf} "
                                f"(waves present: {waves}).")
    counts = pd.to_numeric(pop[count], errors="coerce")
    bad = counts.isna() | (counts < 0)
    if bad.any():
        row = pop.index[bad.to_numpy()][0]
        raise DataError(f"Population table: column {count!r} must hold non-negative numbers; "
                        f"row {row} has {pop[count].loc[row]!r}.")
    pop = pop.assign(**{count: counts})
    available = list(pd.unique(pop[group_col].astype(str)))
    single = gemeente is not None and not isinstance(gemeente, (list, tuple, set, pd.Index))
    wanted = available if gemeente is None else ([gemeente] if single else list(gemeente))
    codes = []
    for g in wanted:
        g = str(g)
        if g not in available:
            from . import gemeenten
            try:
                g = gemeenten.code(g, year=golf)
            except DataError:
                pass
        if g not in available:
            raise DataError(f"Population table has no rows for gemeente {g!r}"
                            f"{f' in golf {golf}' if golf is not None else ''}; present: "
                            f"{', '.join(available)}.")
        codes.append(g)
    pop = pop[pop[group_col].astype(str).isin(codes)]
    out = {}
    for (g,), part in pop.groupby([pop[group_col].astype(str)], sort=False):
        out[g] = {c: {k: float(v) for k, v in part.groupby(c, sort=False, observed=True)[count]
                      .sum().items()} for c in columns}
    out = {g: out[g] for g in codes}
    return out[codes[0]] if single else out


# --------------------------------------------------------------------------- raking
def rake(data, margins, base_weight=None, by=None, max_iter=100, tol=1e-10, bounds=None,
         collapse=None, on_nonconvergence="warn") -> RakeResult:
    """Rake weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame or socvit Panel
        Respondents; needs every margin column (and the ``by`` columns). Margin columns may
        not be missing: impute or drop such rows first.
    margins : dict
        ``{column: {category: population total}}``; with ``by``, one such dict per group:
        ``{group: {column: {...}}}`` (tuples as keys for several ``by`` columns), e.g. from
        :func:`margins_from_population`. The margins of a group must have equal sums.
    base_weight : str, array, Series, RakeResult, Design or None
        Design (base) weights to start from, as ``weights=`` elsewhere (a column name, one
        value per row, a Series aligned on the index); non-negative and not missing.
        Default 1.
    by : str or list of str, optional
        Rake each group (e.g. ``"gemeente"``) to its own margins.
    max_iter : int
        Maximum number of sweeps (one sweep adjusts every margin once).
    tol : float
        Convergence: the largest relative margin error ``|achieved - target| / target``
        (and, with ``bounds``, the largest relative bound excess) below ``tol``.
    bounds : (low, high), optional
        Trim weights to ``[low, high] x`` the mean weight of their group. Raking and
        trimming alternate (each sweep ends by clipping) until both hold; when they cannot
        both hold the result says which failed.
    collapse : dict, optional
        ``{column: "neighbour"}`` joins a category that is empty in the sample (or absent
        from the population) with its adjacent category (ordered categoricals; the
        neighbour with fewer respondents, the lower one on a tie). ``{column: {old: new}}``
        recodes explicitly, in the data and the margins. Recorded in ``.collapsed``.
    on_nonconvergence : {"warn", "raise"}
        Not converged: ``converged=False`` and a :class:`~socvit.SocvitWarning`, or a
        :class:`~socvit.DataError`.

    Returns
    -------
    RakeResult

    Notes
    -----
    Each sweep multiplies, for every margin :math:`m` in turn, the weights of the units in
    category :math:`c` by :math:`T_{mc} / \\sum_{i \\in c} w_i`, as survey::rake does by
    successive postStratify calls [1]_ [2]_. survey::rake stops when the weighted
    cross-table changes by less than ``epsilon`` between sweeps; here the stopping rule is
    the margin error itself, so a result reported as converged reproduces its margins. Run
    to convergence both reach the same fixed point (tested to 1e-8 relative per weight).

    The result stands for the calibrated design (``result.design``, a
    :class:`socvit.survey.Design`): ``weights=result`` or ``weights=result.design`` in
    :mod:`socvit.estimates` and :func:`socvit.regression.fit` gives calibrated standard
    errors, as the ``rake()``d design in R. A design given as ``base_weight``
    (:func:`socvit.survey.design`) passes its strata, clusters and fpc on. Standard errors
    from the raked weights alone (``weights=result.weights``) treat them as fixed design
    weights and ignore the variance reduction from calibration, as ``svydesign(ids=~1,
    weights=~w)`` in R does.

    References
    ----------
    .. [1] Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
       frequency table when the expected marginal totals are known. *Ann. Math. Stat.* 11,
       427-444.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.
    .. [3] Battaglia, M. P., Izrael, D., Hoaglin, D. C. & Frankel, M. R. (2009). Practical
       considerations in raking survey data. *Survey Practice* 2(5) (trimming).

    Example
    -------
    >>> # In R: rake(svydesign(ids=~1, data=d), list(~leeftijdsklasse, ~geslacht),
    >>> #            list(pop_leeftijd, pop_geslacht)), one gemeente at a time
    >>> res = rake(df, margins_from_population(bevolking, golf=2023), by="gemeente")
    >>> res.converged, round(res.deff, 3)
    (True, 1.339)
    >>> d = df[df["gemeente"] == "GM0014"]
    >>> res.weights[d.index].groupby(d["geslacht"], observed=True).sum().round(1)
    geslacht
    man       98996.0
    vrouw    101027.0
    Name: gewicht, dtype: float64
    """
    data = _inputs.frame(data)
    if on_nonconvergence not in ("warn", "raise"):
        raise ValueError(f"on_nonconvergence must be 'warn' or 'raise', got {on_nonconvergence!r}.")
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    if not (tol > 0):
        raise ValueError(f"tol must be positive, got {tol!r}.")
    if bounds is not None:
        lo, hi = (float(b) for b in bounds)
        if not (0 <= lo <= 1 <= hi):
            raise ValueError(f"bounds are relative to the mean weight and need "
                             f"0 <= low <= 1 <= high, got {tuple(bounds)!r}.")
    by_cols = [] if by is None else _inputs.require_columns(data, by, "by")
    n = len(data)
    if n == 0:
        raise DataError("rake: the data frame has no rows.")

    # groups
    if by_cols:
        if data[by_cols].isna().any().any():
            c = next(c for c in by_cols if data[c].isna().any())
            raise DataError(f"rake: by column {c!r} is missing in {int(data[c].isna().sum())} "
                            f"row(s); every respondent needs a group.")
        gkey = data[by_cols[0]] if len(by_cols) == 1 else pd.MultiIndex.from_frame(data[by_cols])
        g_codes, g_uniques = pd.factorize(gkey)
        groups = list(g_uniques)
        group_margins = _group_margins(margins, groups, by_cols)
    else:
        g_codes = np.zeros(n, dtype=np.int64)
        groups = [None]
        if not isinstance(margins, dict) or not margins:
            raise DataError("rake: margins must be a non-empty dict {column: {category: total}}.")
        group_margins = [margins]
    G = len(groups)
    columns = list(group_margins[0])
    for gm, g in zip(group_margins, groups):
        if list(gm) != columns and set(gm) != set(columns):
            raise DataError(f"rake: group {_gname(g, by_cols)} has margins for "
                            f"{sorted(gm)} but the first group for {sorted(columns)}; every "
                            f"group needs the same margin columns.")
    for c in columns:
        if c not in data.columns:
            hint = ""
            if not by_cols and isinstance(group_margins[0][c], dict) and any(
                    isinstance(v, dict) for v in group_margins[0][c].values()):
                hint = " These look like margins per group: pass by= (e.g. by='gemeente')."
            raise DataError(f"rake: margin column {c!r} is not in the data (columns: "
                            f"{', '.join(map(str, data.columns))}).{hint}")
    base = _inputs.weights(data, base_weight)
    base = np.ones(n) if base is None else base
    collapse = dict(collapse or {})
    for c in collapse:
        if c not in columns:
            raise DataError(f"rake: collapse names column {c!r}, which has no margin.")

    # per column: codes, targets (G x K) and category merges
    g_counts = np.bincount(g_codes, minlength=G)
    col_codes, col_targets, col_labels, collapsed_rows = [], [], [], []
    for c in columns:
        codes, targets, labels, merged = _prepare_column(
            data[c], c, [gm[c] for gm in group_margins], g_codes, G, base, collapse.get(c),
            groups, by_cols)
        col_codes.append(codes)
        col_targets.append(targets)
        col_labels.append(labels)
        collapsed_rows.extend(merged)
    totals = [t.sum(axis=1) for t in col_targets]
    for j in range(1, len(columns)):
        off = ~np.isclose(totals[j], totals[0], rtol=1e-9, atol=0)
        if off.any():
            gi = int(np.flatnonzero(off)[0])
            raise DataError(
                f"rake: the margins of {_gname(groups[gi], by_cols)} do not sum to the same "
                f"total: {columns[0]!r} sums to {totals[0][gi]:g}, {columns[j]!r} to "
                f"{totals[j][gi]:g}. Margins must describe the same population; check the "
                f"population table.")

    # Distinct raking units. A sweep multiplies every row of a cell by the same factor, so
    # without bounds a unit is a (group, cell) and the row weight is base * unit factor.
    # Trimming acts on base * factor, so with bounds rows of one unit also share the base.
    parts = [(codes, t.shape[1]) for codes, t in zip(col_codes, col_targets)]
    if bounds is not None and base_weight is not None:
        b_codes, b_uniq = pd.factorize(base)
        parts.append((b_codes.astype(np.int64), len(b_uniq)))
    key = g_codes.astype(np.int64)
    for codes, size in parts:
        if int(key.max()) + 1 > (2 ** 62) // max(size, 1):     # keep the combined key in int64
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * size + codes
    inv = np.asarray(pd.factorize(key)[0], dtype=np.int64)
    U = int(inv.max()) + 1
    first = np.empty(U, dtype=np.int64)
    first[inv] = np.arange(n)
    mass0 = np.bincount(inv, base, minlength=U)      # sum of base weights in the unit
    b_u = base[first]                                 # the unit's base (with bounds)
    g_u = g_codes[first]
    cells_u = [g_u * t.shape[1] + codes[first] for codes, t in zip(col_codes, col_targets)]
    flat_targets = [t.ravel() for t in col_targets]
    f_u = np.ones(U)
    if bounds is not None:
        pos_u = b_u > 0                               # zero base weights stay zero

    def margin_error(m_u):
        err = 0.0
        for cells, tgt in zip(cells_u, flat_targets):
            ach = np.bincount(cells, m_u, minlength=len(tgt))
            pos = tgt > 0
            if pos.any():
                err = max(err, float(np.max(np.abs(ach[pos] - tgt[pos]) / tgt[pos])))
        return err

    converged = False
    it = 0
    m_err = b_err = 0.0
    for it in range(1, max_iter + 1):
        for cells, tgt in zip(cells_u, flat_targets):
            tot = np.bincount(cells, f_u * mass0, minlength=len(tgt))
            f = np.divide(tgt, tot, out=np.ones_like(tgt), where=tot > 0)
            f_u *= f[cells]
        m_u = f_u * mass0
        m_err = margin_error(m_u)
        if bounds is not None:
            mean_g = np.bincount(g_u, m_u, minlength=G) / g_counts
            ratio = b_u * f_u / mean_g[g_u]
            r = ratio[pos_u]
            b_err = float(max((np.max(lo - r, initial=0.0) / lo) if lo > 0 else 0.0,
                              np.max(r - hi, initial=0.0) / hi))
        if m_err < tol and b_err < tol:
            converged = True
            break
        if bounds is not None and b_err >= tol and it < max_iter:
            clipped = np.clip(ratio, lo, hi) * mean_g[g_u]
            f_u = np.divide(clipped, b_u, out=f_u.copy(), where=pos_u)

    weights = pd.Series(base * f_u[inv], index=data.index, name=_WEIGHT_NAME)
    margin_table = _margin_table(cells_u, flat_targets, col_targets, col_labels, columns,
                                 f_u * mass0, groups, by_cols)
    message = ""
    if not converged:
        parts = []
        if m_err >= tol:
            worst = margin_table.loc[margin_table["rel_error"].idxmax()]
            where = ", ".join(f"{b}={worst[b]}" for b in by_cols)
            parts.append(f"margins off by up to {m_err:.3g} (relative; worst "
                         f"{where + ', ' if where else ''}{worst['column']}="
                         f"{worst['category']}: target {worst['target']:g}, achieved "
                         f"{worst['achieved']:g})")
        if bounds is not None and b_err >= tol:
            parts.append(f"weights outside bounds {lo:g}-{hi:g} x mean weight by up to "
                         f"{b_err:.3g} (relative)")
        message = (f"raking did not converge in {max_iter} sweeps (tol {tol:g}): "
                   + "; ".join(parts) + ". Raise max_iter, widen bounds or collapse sparse "
                   "categories.")
        if on_nonconvergence == "raise":
            raise DataError("rake: " + message)
        warnings.warn("rake: " + message, SocvitWarning, stacklevel=2)

    if base_weight is None:
        sq0, bmin, bmax = mass0, np.ones(U), np.ones(U)
    else:
        sq0 = np.bincount(inv, base * base, minlength=U)
        by_unit = pd.Series(base).groupby(inv)
        bmin, bmax = by_unit.min().to_numpy(), by_unit.max().to_numpy()
    group_table = _group_table(f_u, mass0, sq0, bmin, bmax, g_u, g_counts, groups, by_cols,
                               margin_table)
    collapsed = pd.DataFrame(collapsed_rows, columns=[*by_cols, "column", "category", "into"])
    return RakeResult(weights=weights, converged=converged, iterations=it,
                      max_margin_error=m_err, margins=margin_table, collapsed=collapsed,
                      groups=group_table, by=by_cols,
                      bounds=None if bounds is None else (lo, hi),
                      bounds_met=bounds is None or b_err < tol, max_bound_error=b_err,
                      message=message, _cells=[c[inv] for c in cells_u],
                      _base=survey._base_design(base_weight))


# --------------------------------------------------------------------------- helpers
def _gname(g, by_cols) -> str:
    if not by_cols:
        return "the sample"
    vals = g if isinstance(g, tuple) else (g,)
    return "group " + ", ".join(f"{b}={v!s}" for b, v in zip(by_cols, vals))


def _group_margins(margins, groups, by_cols):
    if isinstance(margins, pd.DataFrame):
        raise TypeError("rake: with by=, margins is a dict {group: {column: {category: total}}}; "
                        "build it from a population table with margins_from_population().")
    if not isinstance(margins, dict) or not margins:
        raise DataError("rake: with by=, margins must be a non-empty dict "
                        "{group: {column: {category: total}}}.")
    flat = [k for k, v in margins.items()
            if isinstance(v, dict) and v and not isinstance(next(iter(v.values())), dict)]
    if flat:
        raise DataError(f"rake: with by={by_cols[0] if len(by_cols) == 1 else by_cols!r}, "
                        f"margins are given per group, {{group: {{column: {{category: total}}}}}}; "
                        f"got {{column: ...}} for {', '.join(map(str, flat[:5]))}. Build them "
                        f"with margins_from_population(), or drop by= to rake the whole sample.")
    keyed = {(k if isinstance(k, tuple) or len(by_cols) == 1 else (k,)): v
             for k, v in margins.items()}
    str_keyed = {str(k): k for k in keyed}
    out = []
    for g in groups:
        k = g if g in keyed else str_keyed.get(str(g))
        if k is None:
            raise DataError(f"rake: {_gname(g, by_cols)} has respondents but no margins; "
                            f"margins are given for {', '.join(map(str, list(keyed)[:12]))}"
                            f"{'...' if len(keyed) > 12 else ''}.")
        if not isinstance(keyed[k], dict) or not keyed[k]:
            raise DataError(f"rake: margins of {_gname(g, by_cols)} must be a dict "
                            f"{{column: {{category: total}}}}, got {keyed[k]!r}.")
        out.append(keyed[k])
    seen = {str(g) for g in groups}
    empty = [k for k in keyed if str(k) not in seen]
    if empty:
        raise DataError(f"rake: margins are given for {', '.join(map(str, empty))} but the data "
                        f"have zero rows in {'that group' if len(empty) == 1 else 'those groups'} "
                        f"({', '.join(by_cols)}). Drop those margins or check the data "
                        f"(wrong wave, wrong gemeente code?).")
    return out


def _prepare_column(s, col, margin_list, g_codes, G, base, how, groups, by_cols):
    """Codes per row, targets (G x K), labels per (group, merged index) and merges."""
    if isinstance(how, dict):
        mapping = how
        s = s.astype(object).map(lambda v: mapping.get(v, v))
        new_margins = []
        for m in margin_list:
            mm = {}
            for k, v in m.items():
                mm[mapping.get(k, k)] = mm.get(mapping.get(k, k), 0.0) + float(v)
            new_margins.append(mm)
        margin_list = new_margins
        how = None
        merged = [(*(_gvals(g, by_cols)), col, k, v) for g in groups for k, v in mapping.items()]
    else:
        merged = []
        if how not in (None, "neighbour", "neighbor"):
            raise ValueError(f"rake: collapse for {col!r} must be 'neighbour' or a mapping "
                             f"{{old: new}}, got {how!r}.")
    if s.isna().any():
        rows = s.index[s.isna().to_numpy()][:5].tolist()
        raise DataError(f"rake: margin column {col!r} is missing in {int(s.isna().sum())} row(s) "
                        f"(e.g. rows {rows}); raking needs a category for every respondent. "
                        f"Impute or drop those rows first.")
    is_cat = isinstance(s.dtype, pd.CategoricalDtype)
    if is_cat:
        labels = list(s.cat.categories)
        codes = s.cat.codes.to_numpy().astype(np.int64)
        ordered = bool(s.cat.ordered)
    else:
        try:
            codes, uniq = pd.factorize(s, sort=True)
        except TypeError:
            codes, uniq = pd.factorize(s)
        labels, codes, ordered = list(uniq), codes.astype(np.int64), False
    index = {lab: i for i, lab in enumerate(labels)}
    str_index = {str(lab): i for i, lab in enumerate(labels)}
    for m, g in zip(margin_list, groups):
        if not isinstance(m, (dict, pd.Series)):
            raise DataError(f"rake: margin {col!r} of {_gname(g, by_cols)} must be a dict "
                            f"{{category: total}}, got {type(m).__name__}.")
        for k in m:
            if k not in index and str(k) not in str_index:
                if is_cat:
                    raise DataError(
                        f"rake: margin {col!r} of {_gname(g, by_cols)} has category {k!r}, "
                        f"which is not a category of the column (categories: "
                        f"{', '.join(map(str, labels))}). Check the spelling of the labels.")
                index[k] = len(labels)
                str_index[str(k)] = len(labels)
                labels.append(k)
    K = len(labels)
    targets = np.zeros((G, K))
    for gi, m in enumerate(margin_list):
        for k, v in dict(m).items():
            v = float(v)
            if not np.isfinite(v) or v < 0:
                raise DataError(f"rake: margin {col!r} of {_gname(groups[gi], by_cols)}, "
                                f"category {k!r}: total must be a non-negative number, got {v!r}.")
            targets[gi, index[k] if k in index else str_index[str(k)]] += v
    cell = g_codes * K + codes
    wsum = np.bincount(cell, base, minlength=G * K).reshape(G, K)
    nresp = np.bincount(cell, minlength=G * K).reshape(G, K)
    has_pop, has_samp = targets > 0, wsum > 0
    bad = has_pop != has_samp
    group_labels = {}
    if bad.any():
        if how is None:
            gi, k = (int(x[0]) for x in np.nonzero(bad))
            lab = labels[k]
            if has_pop[gi, k]:
                what = (f"has a population total of {targets[gi, k]:g} but no respondents "
                        f"{'with a positive base weight ' if nresp[gi, k] else ''}in the sample")
            else:
                what = (f"has {int(nresp[gi, k])} respondent(s) in the sample but no population "
                        f"(total 0 or absent from the margins)")
            raise DataError(
                f"rake: in {_gname(groups[gi], by_cols)}, category {lab!r} of {col!r} {what}. "
                f"Raking cannot fit it; pass collapse={{{col!r}: 'neighbour'}} to join it with "
                f"an adjacent category or collapse={{{col!r}: {{{lab!r}: <other category>}}}}.")
        if not ordered:
            gi, k = (int(x[0]) for x in np.nonzero(bad))
            raise DataError(
                f"rake: category {labels[k]!r} of {col!r} in {_gname(groups[gi], by_cols)} "
                f"needs collapsing, but {col!r} is not an ordered categorical, so it has no "
                f"neighbour. Give an explicit mapping: collapse={{{col!r}: "
                f"{{{labels[k]!r}: <other category>}}}}.")
        for gi in np.flatnonzero(bad.any(axis=1)):
            root = np.arange(K)
            t, w, r = targets[gi].copy(), wsum[gi].copy(), nresp[gi].astype(float)
            alive = (t > 0) | (w > 0)
            names = {k: str(labels[k]) for k in range(K)}
            while True:
                badk = [k for k in range(K) if alive[k] and (t[k] > 0) != (w[k] > 0)]
                if not badk:
                    break
                k = badk[0]
                nb = [j for j in (_adjacent(alive, k, -1), _adjacent(alive, k, +1)) if j is not None]
                if not nb:
                    raise DataError(f"rake: in {_gname(groups[gi], by_cols)}, {col!r} has a "
                                    f"single usable category left after collapsing; it cannot "
                                    f"be used as a margin there.")
                j = min(nb, key=lambda j: (r[j], j))
                merged.append((*_gvals(groups[gi], by_cols), col, names[k], names[j]))
                t[j] += t[k]; w[j] += w[k]; r[j] += r[k]
                t[k] = w[k] = r[k] = 0
                alive[k] = False
                root[root == k] = j
                names[j] = " + ".join([names[k], names[j]] if k < j else [names[j], names[k]])
            targets[gi] = t
            group_labels[gi] = {k: names[root[k]] for k in range(K)}
            sel = g_codes == gi
            codes = codes.copy()
            codes[sel] = root[codes[sel]]
    labels_per_group = [group_labels.get(gi, {k: labels[k] for k in range(K)}) for gi in range(G)]
    return codes, targets, labels_per_group, merged


def _adjacent(alive, k, step):
    j = k + step
    while 0 <= j < len(alive):
        if alive[j]:
            return j
        j += step
    return None


def _gvals(g, by_cols):
    if not by_cols:
        return ()
    return tuple(g) if isinstance(g, tuple) else (g,)


def _margin_table(cells_u, flat_targets, col_targets, col_labels, columns, m_u, groups, by_cols):
    rows = []
    for cells, tgt, t2, labels, c in zip(cells_u, flat_targets, col_targets, col_labels, columns):
        G, K = t2.shape
        ach = np.bincount(cells, m_u, minlength=len(tgt)).reshape(G, K)
        for gi in range(G):
            for k in range(K):
                if t2[gi, k] > 0 or ach[gi, k] > 0:
                    rows.append((*_gvals(groups[gi], by_cols), c, labels[gi][k], t2[gi, k],
                                 ach[gi, k]))
    out = pd.DataFrame(rows, columns=[*by_cols, "column", "category", "target", "achieved"])
    out["rel_error"] = (out["achieved"] - out["target"]).abs() / out["target"]
    return out


def _group_table(f_u, mass0, sq0, bmin, bmax, g_u, g_counts, groups, by_cols, margin_table):
    """Per-group diagnostics from unit-level sums (row weight = base * unit factor)."""
    G = len(groups)
    n = g_counts.astype(float)
    s1 = np.bincount(g_u, f_u * mass0, minlength=G)
    s2 = np.bincount(g_u, f_u * f_u * sq0, minlength=G)
    mean = s1 / n
    rmin = pd.Series(f_u * bmin).groupby(g_u).min().reindex(range(G)).to_numpy() / mean
    rmax = pd.Series(f_u * bmax).groupby(g_u).max().reindex(range(G)).to_numpy() / mean
    n_eff = s1 * s1 / s2
    table = pd.DataFrame([_gvals(g, by_cols) for g in groups], columns=by_cols) if by_cols \
        else pd.DataFrame(index=[0])
    table = table.assign(n=n.astype(int), sum_weights=s1, n_eff=n_eff, deff=n / n_eff,
                         efficiency=n_eff / n, min_ratio=rmin, max_ratio=rmax)
    if by_cols:
        err = margin_table.groupby(by_cols, sort=False, observed=True)["rel_error"].max()
        table["max_margin_error"] = err.reindex(pd.MultiIndex.from_frame(table[by_cols])
                                                if len(by_cols) > 1 else table[by_cols[0]]).to_numpy()
    else:
        table["max_margin_error"] = margin_table["rel_error"].max()
    return table
