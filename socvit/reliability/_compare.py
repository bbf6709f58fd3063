"""Alpha per group (gemeente, golf, kern) and tests of equal alphas (Feldt, 1969; Hakstian &
Whalen, 1976)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .. import _inputs, disclosure
from ..errors import DataError, SocvitWarning
from ._alpha import alpha
from ._items import _resolve, repeated_respondents
from ._omega import omega

__all__ = ["alpha_by", "omega_by", "alpha_waves", "AlphaByResult", "feldt_test", "equal_alphas_test",
           "feldt_dependent_test", "equal_alphas_dependent_test", "TestResult"]


@dataclass(repr=False)
class TestResult:
    """A test of equal alphas: ``method``, ``statistic``, ``df``, ``p`` and the
    ``alphas``/``n`` of the groups compared (``groups`` labels them)."""

    method: str
    statistic: float
    df: tuple
    p: float
    alphas: list
    n: list
    groups: list = field(default_factory=list)

    def __repr__(self):
        df = ", ".join(f"{d:g}" for d in self.df)
        return (f"{self.method}: statistic = {self.statistic:.4f}, df = {df}, "
                f"p = {self.p:.4f} ({len(self.alphas)} groups)")

    def __str__(self):
        """Dutch, for reports: decimal commas."""
        nl = lambda v, d: f"{v:.{d}f}".replace(".", ",")   # noqa: E731
        df = "; ".join(f"{d:g}".replace(".", ",") for d in self.df)
        if self.method.startswith("Feldt (1980)"):
            head = ("Toets van Feldt (1980) op gelijke alfa's bij dezelfde respondenten "
                    "in twee golven")
            stat = "t"
        elif self.method.startswith("Feldt-Woodruff-Salih"):
            head = (f"Toets van Feldt, Woodruff en Salih (1987) op gelijke alfa's bij dezelfde "
                    f"respondenten in {len(self.alphas)} golven")
            stat = "chi²"
        elif self.method.startswith("Feldt"):
            head, stat = "Toets van Feldt (1969) op gelijke alfa's in twee groepen", "W"
        else:
            head = f"Toets van Hakstian en Whalen (1976) op gelijke alfa's in {len(self.alphas)} groepen"
            stat = "chi²"
        p = "< 0,001" if self.p < 0.001 else f"= {nl(self.p, 3)}"
        return f"{head}: {stat} = {nl(self.statistic, 2)} (df = {df}), p {p}"


def feldt_test(alpha1, n1, alpha2, n2) -> TestResult:
    r"""Feldt's (1969) test of equal alphas in two independent groups (two-sided).

    .. math:: W = \frac{1 - \alpha_{s}}{1 - \alpha_{l}} \sim F(n_l - 1,\; n_s - 1),

    :math:`\alpha_l` the larger and :math:`\alpha_s` the smaller coefficient, *n* their
    group sizes; :math:`p = 2\,(1 - F(W))`. This is the form of Charter & Feldt (1996) and
    of R's ``cocron::cocron.two.coefficients(indep = TRUE)``.

    References
    ----------
    .. [1] Feldt, L. S. (1969). A test of the hypothesis that Cronbach's alpha or
       Kuder-Richardson coefficient twenty is the same for two tests. Psychometrika, 34,
       363-373.
    .. [2] Charter, R. A., & Feldt, L. S. (1996). Testing the equality of two alpha
       coefficients. Perceptual and Motor Skills, 82, 763-768.

    Examples
    --------
    >>> # In R: cocron::cocron.two.coefficients(alpha = c(.78, .71), n = c(41, 151))
    >>> feldt_test(.78, 41, .71, 151).statistic       # doctest: +ELLIPSIS
    1.318...
    """
    (al, nl), (as_, ns) = sorted([(alpha1, n1), (alpha2, n2)], key=lambda t: -t[0])
    w = (1 - as_) / (1 - al)
    df = (nl - 1, ns - 1)
    p = min(1.0, 2 * stats.f.sf(w, *df))
    return TestResult("Feldt (1969) test for two independent alphas", float(w), df, float(p),
                      [alpha1, alpha2], [n1, n2])


def equal_alphas_test(alphas, n, n_items) -> TestResult:
    r"""Test of equal alphas in K independent groups (Hakstian & Whalen, 1976).

    With :math:`u_k = (1 - \alpha_k)^{-1/3}`, :math:`\tilde n_k = (J_k - 1) n_k / (J_k + 1)`
    (*J* items) and :math:`\sigma_k^2 = 2 / (9 (\tilde n_k - 1)(1 - \alpha_k)^{2/3})`:

    .. math:: \chi^2 = \sum_k (u_k - \bar u)^2 / \bar{\sigma^2}, \quad df = K - 1,

    in the form of Feldt, Woodruff & Salih (1987) as R's
    ``cocron::cocron.n.coefficients(indep = TRUE)`` computes it.

    References
    ----------
    .. [1] Hakstian, A. R., & Whalen, T. E. (1976). A k-sample significance test for
       independent alpha coefficients. Psychometrika, 41, 219-231.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93-103.

    Examples
    --------
    >>> # In R: cocron::cocron.n.coefficients(c(.784, .875, .936), n = c(51, 101, 151), items = 5)
    >>> round(equal_alphas_test([.784, .875, .936], [51, 101, 151], 5).statistic, 3)
    22.926
    """
    a = np.asarray(alphas, dtype=float)
    nn = np.broadcast_to(np.asarray(n, dtype=float), a.shape)
    j = np.broadcast_to(np.asarray(n_items, dtype=float), a.shape)
    if len(a) < 2:
        raise ValueError("equal_alphas_test needs at least two alphas.")
    if ((a <= 0) | (a >= 1)).any():
        raise DataError(f"The test needs alphas between 0 and 1; got {a.tolist()}.")
    u = (1 - a) ** (-1 / 3)
    nt = (j - 1) * nn / (j + 1)
    var = 2 / (9 * (nt - 1) * (1 - a) ** (2 / 3))
    chi = float(((u - u.mean()) ** 2).sum() / var.mean())
    df = len(a) - 1
    return TestResult("Hakstian-Whalen (1976) test for K independent alphas", chi, (df,),
                      float(stats.chi2.sf(chi, df)), a.tolist(), nn.tolist())


def feldt_dependent_test(alpha1, alpha2, n, r) -> TestResult:
    r"""Feldt's (1980) test of equal alphas of two tests taken by the same people (two-sided).

    The same respondents in two waves give two dependent alphas; with *n* people and
    :math:`r` the correlation of their scale scores between the waves,

    .. math:: t = \frac{|\alpha_1 - \alpha_2| \sqrt{n - 2}}
                       {\sqrt{4 (1 - \alpha_1)(1 - \alpha_2)(1 - r^2)}} \sim t(n - 2),

    :math:`p = 2\,(1 - T(t))`. This is the form of Charter & Feldt (1996) and of R's
    ``cocron::cocron.two.coefficients(indep = FALSE)``. Feldt's (1969) test for independent
    groups (:func:`feldt_test`) ignores the correlation and is too conservative here.

    References
    ----------
    .. [1] Feldt, L. S. (1980). A test of the hypothesis that Cronbach's alpha reliability
       coefficient is the same for two tests administered to the same sample.
       Psychometrika, 45, 99-105.
    .. [2] Charter, R. A., & Feldt, L. S. (1996). Testing the equality of two alpha
       coefficients. Perceptual and Motor Skills, 82, 763-768.

    Examples
    --------
    >>> # In R: cocron::cocron.two.coefficients(alpha = c(.82, .89), n = 27, indep = FALSE, r = .74)
    >>> round(feldt_dependent_test(.82, .89, 27, .74).statistic, 3)
    1.849
    """
    a1, a2, n, r = float(alpha1), float(alpha2), float(n), float(r)
    if not (a1 < 1 and a2 < 1):
        raise DataError(f"The test needs alphas below 1; got {a1:g} and {a2:g}.")
    if not -1 < r < 1:
        raise DataError(f"The correlation between the waves' scores must lie between -1 and "
                        f"1 (exclusive); got {r:g}.")
    if n <= 2:
        raise DataError(f"The test needs more than two respondents in both waves; got {n:g}.")
    t = abs(a1 - a2) * np.sqrt(n - 2) / np.sqrt(4 * (1 - a1) * (1 - a2) * (1 - r * r))
    p = 2 * stats.t.sf(t, n - 2)
    return TestResult("Feldt (1980) test for two dependent alphas (the same people)", float(t),
                      (n - 2,), float(min(1.0, p)), [a1, a2], [n, n])


def equal_alphas_dependent_test(alphas, n, n_items, r) -> TestResult:
    r"""Test of equal alphas of K tests taken by the same people (Feldt, Woodruff & Salih,
    1987).

    With :math:`u_k = (1 - \alpha_k)^{-1/3}`, :math:`\tilde n = (\bar J - 1) n / (\bar J + 1)`
    (:math:`\bar J` the harmonic mean of the numbers of items), the variances
    :math:`\sigma_k^2 = 2 / (9 (\tilde n - 1)(1 - \alpha_k)^{2/3})` and covariances
    :math:`\sigma_{kl} = 2 r_{kl}^2 / (9 (\tilde n - 1)(1 - \alpha_k)^{1/3}(1 - \alpha_l)^{1/3})`
    (:math:`r_{kl}` the correlation of the scores of tests *k* and *l*):

    .. math:: \chi^2 = \frac{\sum_k (u_k - \bar u)^2}{\bar{\sigma^2} - \bar\sigma_{kl}},
              \quad df = K - 1,

    as R's ``cocron::cocron.n.coefficients(indep = FALSE)`` computes it.

    Parameters
    ----------
    alphas : the K alphas;  n : the number of people (one number);  n_items : items per
        test (one number or K);  r : K x K correlation matrix of the scores (the upper
        triangle is used).

    References
    ----------
    .. [1] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93-103.

    Examples
    --------
    >>> # In R: cocron::cocron.n.coefficients(c(.857, .875, .800, .833), n = 100,
    >>> #          items = c(50, 40, 35, 25), indep = FALSE, r = r)
    >>> r = [[1, .8, .6, .75], [.8, 1, .65, .7], [.6, .65, 1, .55], [.75, .7, .55, 1]]
    >>> round(equal_alphas_dependent_test([.857, .875, .8, .833], 100, [50, 40, 35, 25], r).statistic, 2)
    10.66
    """
    a = np.asarray(alphas, dtype=float)
    m = len(a)
    if m < 2:
        raise ValueError("equal_alphas_dependent_test needs at least two alphas.")
    if (a >= 1).any():
        raise DataError(f"The test needs alphas below 1; got {a.tolist()}.")
    rr = np.asarray(r, dtype=float)
    if rr.shape != (m, m):
        raise DataError(f"r must be a {m} x {m} correlation matrix of the scores; got shape "
                        f"{rr.shape}.")
    j = np.broadcast_to(np.asarray(n_items, dtype=float), a.shape)
    jh = m / (1 / j).sum()
    nt = (jh - 1) * float(n) / (jh + 1)
    u = (1 - a) ** (-1 / 3)
    var = 2 / (9 * (nt - 1) * (1 - a) ** (2 / 3))
    iu = np.triu_indices(m, 1)
    c = 2 * rr[iu] ** 2 / (9 * (nt - 1) * (1 - a[iu[0]]) ** (1 / 3) * (1 - a[iu[1]]) ** (1 / 3))
    chi = float(((u - u.mean()) ** 2).sum() / (var.mean() - c.mean()))
    return TestResult("Feldt-Woodruff-Salih (1987) test for K dependent alphas (the same people)",
                      chi, (m - 1,), float(stats.chi2.sf(chi, m - 1)), a.tolist(), [float(n)] * m)


@dataclass(repr=False)
class AlphaByResult:
    """What :func:`alpha_by` and :func:`alpha_waves` return: ``table`` (one row per group or
    wave) and ``test`` (a :class:`TestResult` comparing the groups that are not suppressed,
    or None); ``r`` (alpha_waves) the correlations of the scale scores between waves."""

    table: pd.DataFrame
    test: TestResult | None
    r: pd.DataFrame | None = None      # alpha_waves: the scores' correlations between waves

    def __repr__(self):
        return self.table.to_string() + ("\n\n" + repr(self.test) if self.test else "")

    def _repr_html_(self):
        return self.table.to_html() + (f"<p>{self.test!r}</p>" if self.test else "")


def alpha_by(data, by, items=None, reverse=(), weights=None, ci="feldt", level=0.95,
             n_boot=1000, seed=None, missing="pairwise", min_n=None, warn_n=None,
             rules=None) -> AlphaByResult:
    """Alpha per group (gemeente, golf, kern, or several columns), with disclosure flags.

    Parameters
    ----------
    data, items, reverse, weights, ci, level, n_boot, seed, missing : as :func:`alpha`.
    by : str or list of str
        Grouping column(s). A kern name in more than one gemeente is grouped within its
        gemeente (the gemeente column is added, with a warning).
    min_n, warn_n, rules :
        Disclosure thresholds (:class:`socvit.disclosure.Rules`; defaults 10 and 30):
        groups with fewer than ``min_n`` respondents get no alpha (``suppressed``); fewer
        than ``warn_n``: ``indicative``. Respondents are rows with at least one valid item
        answer; rows without any are left out of the group.

    Returns
    -------
    AlphaByResult
        ``.table`` columns: the ``by`` columns, n, raw_alpha, std_alpha, ci_lower, ci_upper,
        suppressed, indicative, note (why a group has no alpha). ``.test``: Feldt's test
        (two groups) or the Hakstian-Whalen test (three or more) over the groups shown,
        with *n* Kish's effective n when weighted; None with fewer than two.

    Examples
    --------
    >>> # In R: by(panel, panel$gemeente, function(d) psych::alpha(d[items], keys = "bet_3"))
    >>> res = alpha_by(wave, "gemeente", "betrokkenheid")
    >>> res.table[["gemeente", "n", "raw_alpha", "indicative"]].round(3).head(3)
      gemeente    n  raw_alpha  indicative
    0   GM0014  857      0.792       False
    1   GM0037  174      0.711       False
    2   GM0047  161      0.751       False
    >>> # In R: cocron::cocron.n.coefficients(alphas, n, items = 4)
    >>> print(res.test)
    Toets van Hakstian en Whalen (1976) op gelijke alfa's in 10 groepen: chi² = 13,25 (df = 9), p = 0,151
    """
    rules = disclosure.resolve(rules, min_n, warn_n)
    df = _inputs.frame(data)
    by = _inputs.kern_by(df, _inputs.require_columns(df, by, "by"), _inputs.codebook(data))
    it = _resolve(data, items, reverse, weights, call="alpha_by", check_repeats=False)
    x = it.x
    repeated_respondents(df, _inputs.codebook(data), x, "alpha_by",
                         groups=_group_labels(df, by), stacklevel=3)
    keys = [c for c, k in it.keys.items() if k < 0]
    answered = x.notna().any(axis=1).to_numpy()
    w_all = it.weights
    rows = []
    stats_cols = ["raw_alpha", "std_alpha", "ci_lower", "ci_upper", "n_eff"]
    for row, sel in _group_rows(df, by, answered, rules, stats_cols):
        if not row["suppressed"]:
            sub = x.iloc[sel]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SocvitWarning)
                    res = alpha(sub, list(x.columns), reverse=keys,
                                weights=None if w_all is None else w_all[sel], ci=ci,
                                n_boot=n_boot, level=level, seed=seed, missing=missing)
                row.update(raw_alpha=res.total["raw_alpha"], std_alpha=res.total["std_alpha"],
                           ci_lower=res.ci[0], ci_upper=res.ci[1], n_eff=res.n_eff)
            except DataError as exc:
                row["note"] = str(exc)
        rows.append(row)
    table = pd.DataFrame(rows, columns=by + ["n", "raw_alpha", "std_alpha", "ci_lower",
                                             "ci_upper", "suppressed", "indicative", "note",
                                             "n_eff"])
    ok = table[~table["suppressed"] & table["raw_alpha"].between(0, 1, inclusive="neither")]
    test = None
    labels = [" / ".join(map(str, r)) for r in ok[by].itertuples(index=False)]
    if len(ok) == 2:
        test = feldt_test(ok["raw_alpha"].iloc[0], ok["n_eff"].iloc[0],
                          ok["raw_alpha"].iloc[1], ok["n_eff"].iloc[1])
    elif len(ok) > 2:
        test = equal_alphas_test(ok["raw_alpha"], ok["n_eff"], x.shape[1])
    if test is not None:
        test.groups = labels
    if w_all is None:
        table = table.drop(columns="n_eff")
    return AlphaByResult(table, test)


def _group_rows(df, by, answered, rules, stats_cols):
    """Per group of ``by``: a table row (the group's values, n = rows with an answer,
    ``stats_cols`` as NaN, suppressed, indicative, note) and the positions of its answering
    rows. A suppressed group's note gives the reason."""
    for gkey, idx in df.groupby(by, observed=True, sort=True, dropna=True).indices.items():
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        sel = idx[answered[idx]]
        n = len(sel)
        row = dict(zip(by, gkey), n=n, **dict.fromkeys(stats_cols, np.nan),
                   suppressed=n < rules.min_n, indicative=rules.min_n <= n < rules.warn_n,
                   note=rules.suppressed_reason if n < rules.min_n else "")
        yield row, sel


def _group_labels(df, by):
    """One label per row for the ``by`` columns (NaN groups stay apart from every other)."""
    return pd.MultiIndex.from_frame(df[by].astype(object)).to_flat_index().to_numpy()


def omega_by(data, by, items=None, n_factors=3, reverse=(), ci=None, n_boot=1000, level=0.95,
             seed=None, min_n=None, warn_n=None, rules=None) -> pd.DataFrame:
    """Omega per group (gemeente, golf, kern, or several columns), with disclosure flags.

    Parameters
    ----------
    data, items, n_factors, reverse, ci, n_boot, level, seed : as :func:`omega` (every
        group keyed as the whole data; with ``ci`` each group gets its own bootstrap, seeded
        by ``seed``).
    by, min_n, warn_n, rules : as :func:`alpha_by` (groups with fewer than ``min_n``
        respondents get no omega; fewer than ``warn_n``: ``indicative``).

    Returns
    -------
    DataFrame
        the ``by`` columns, n, omega_h, omega_total, alpha (standardised), ci_h_lower,
        ci_h_upper, ci_total_lower, ci_total_upper (with ``ci``), suppressed, indicative,
        note (why a group has no omega). omega's own warnings (one factor, two factors) are
        given once for the whole table, not per group.

    Examples
    --------
    >>> # In R: by(wave, wave$gemeente, function(d) psych::omega(d[items], 1)$omega.tot)
    >>> res = omega_by(wave, "gemeente", "betrokkenheid", n_factors=1)
    >>> res[["gemeente", "n", "omega_total"]].round(3).head(3)
      gemeente    n  omega_total
    0   GM0014  857        0.795
    1   GM0037  174        0.713
    2   GM0047  161        0.752
    """
    rules = disclosure.resolve(rules, min_n, warn_n)
    df = _inputs.frame(data)
    by = _inputs.kern_by(df, _inputs.require_columns(df, by, "by"), _inputs.codebook(data))
    it = _resolve(data, items, reverse, None, need=2, call="omega_by", check_repeats=False)
    x = it.x
    repeated_respondents(df, _inputs.codebook(data), x, "omega_by",
                         groups=_group_labels(df, by), stacklevel=3)
    keys = [c for c, k in it.keys.items() if k < 0]
    if n_factors in (1, 2):        # omega's own note, once for the table
        warnings.warn(f"omega_by with {n_factors} factor{'s' if n_factors > 1 else ''}: "
                      + ("omega_h is not meaningful, report omega_total." if n_factors == 1
                         else "the general factor is not identified (psych's option='equal'); "
                              "interpret omega_h with caution."), SocvitWarning, stacklevel=2)
    answered = x.notna().any(axis=1).to_numpy()
    cols = ["omega_h", "omega_total", "alpha", "ci_h_lower", "ci_h_upper", "ci_total_lower",
            "ci_total_upper"]
    rows = []
    for row, sel in _group_rows(df, by, answered, rules, cols):
        if not row["suppressed"]:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SocvitWarning)
                    res = omega(x.iloc[sel], n_factors, list(x.columns), reverse=keys, ci=ci,
                                n_boot=n_boot, level=level, seed=seed)
                row.update(omega_h=res.omega_h, omega_total=res.omega_total, alpha=res.alpha)
                if ci is not None:
                    row.update(ci_h_lower=res.ci_h[0], ci_h_upper=res.ci_h[1],
                               ci_total_lower=res.ci_total[0], ci_total_upper=res.ci_total[1])
            except (DataError, np.linalg.LinAlgError) as exc:
                row["note"] = str(exc)
        rows.append(row)
    table = pd.DataFrame(rows, columns=by + ["n"] + cols + ["suppressed", "indicative", "note"])
    if ci is None:
        table = table.drop(columns=cols[3:])
    return table


def alpha_waves(data, items=None, reverse=(), waves=None, wave=None, id=None, ci="feldt",
                level=0.95) -> AlphaByResult:
    """Alpha in each wave for the same panel members, and the test of equal alphas for
    dependent samples.

    Parameters
    ----------
    data, items, reverse, ci, level : as :func:`alpha` (a Panel and a codebook scale name,
        or a DataFrame and a list of items).
    waves : list, optional
        The waves to compare (default: every wave in the data), at least two.
    wave, id : str, optional
        The wave and respondent-id columns; default the codebook's (kinds ``wave`` and
        ``id``).

    Returns
    -------
    AlphaByResult
        ``.table``: one row per wave (wave, n, raw_alpha, std_alpha, ci_lower, ci_upper),
        all on the same people; ``.test``: :func:`feldt_dependent_test` for two waves,
        :func:`equal_alphas_dependent_test` for more (*n* the number of people, *r* the
        correlation of their scale scores between waves); ``.r``: that correlation matrix.

    Notes
    -----
    The people compared are those with at least one valid answer to the items in every
    wave compared; their alpha per wave uses pairwise covariances (as :func:`alpha`), their
    score is the mean of their valid keyed answers (psych::alpha's ``scores``). Pooling
    the waves into one alpha (or comparing them with :func:`alpha_by`, which assumes
    independent groups) treats the same person as several people.

    References
    ----------
    .. [1] Feldt, L. S. (1980). Psychometrika, 45, 99-105; Feldt, L. S., Woodruff, D. J., &
       Salih, F. A. (1987). Applied Psychological Measurement, 11, 93-103.

    Examples
    --------
    >>> # In R: cocron::cocron.two.coefficients(c(a2021, a2023), n, indep = FALSE, r = r)
    >>> res = alpha_waves(panel, "betrokkenheid", waves=[2021, 2023])
    >>> res.table.round(3)
       golf     n  raw_alpha  std_alpha  ci_lower  ci_upper
    0  2021  2234      0.798      0.798     0.784     0.811
    1  2023  2234      0.800      0.799     0.786     0.813
    >>> print(res.test)
    Toets van Feldt (1980) op gelijke alfa's bij dezelfde respondenten in twee golven: t = 0,26 (df = 2232), p = 0,796
    """
    df = _inputs.frame(data)
    cb = _inputs.codebook(data)
    wave = wave or (cb.column("wave") if cb is not None else None)
    id = id or (cb.column("id") if cb is not None else None)
    if wave is None or id is None:
        raise DataError("alpha_waves needs the wave and respondent-id columns: pass wave= and "
                        "id=, or a Panel whose codebook has variables of kind 'wave' and 'id'.")
    _inputs.require_columns(df, [wave, id])
    it = _resolve(data, items, reverse, None, call="alpha_waves", check_repeats=False)
    x = it.x
    present = df[wave].dropna().unique().tolist()
    waves = sorted(present) if waves is None else list(waves)
    absent = [w for w in waves if w not in present]
    if absent:
        raise DataError(f"Wave(s) {', '.join(map(str, absent))} are not in column {wave!r}; "
                        f"the waves are: {', '.join(map(str, sorted(present)))}.")
    if len(waves) < 2:
        raise DataError(f"alpha_waves compares at least two waves; got {waves}.")
    answered = x.notna().any(axis=1).to_numpy()
    rows_by_wave = {}
    for w in waves:
        sel = (df[wave] == w).to_numpy() & answered
        ids = df.loc[sel, id]
        dup = ids[ids.duplicated()]
        if len(dup):
            raise DataError(f"Respondent {dup.iloc[0]!r} ({id!r}) has {int((ids == dup.iloc[0]).sum())} "
                            f"rows in wave {w}; alpha_waves needs one row per person and wave.")
        rows_by_wave[w] = pd.Series(np.flatnonzero(sel), index=ids.to_numpy())
    common = rows_by_wave[waves[0]].index
    for w in waves[1:]:
        common = common.intersection(rows_by_wave[w].index)
    n = len(common)
    if n < 3:
        raise DataError(f"Only {n} respondent(s) answer {it.label or 'the items'} in every wave "
                        f"of {', '.join(map(str, waves))}; the test needs more.")
    keys = [c for c, k in it.keys.items() if k < 0]
    table, scores = [], []
    for w in waves:
        sub = x.iloc[rows_by_wave[w].loc[common].to_numpy()]
        res = alpha(sub, list(x.columns), reverse=keys, ci=ci, level=level)
        table.append({wave: w, "n": n, "raw_alpha": res.total["raw_alpha"],
                      "std_alpha": res.total["std_alpha"], "ci_lower": res.ci[0],
                      "ci_upper": res.ci[1]})
        keyed = sub.copy()
        for c in keys:
            keyed[c] = it.adjust[c] - keyed[c]
        scores.append(keyed.mean(axis=1).to_numpy())
    r = np.corrcoef(np.vstack(scores))
    a = [row["raw_alpha"] for row in table]
    test = (feldt_dependent_test(a[0], a[1], n, r[0, 1]) if len(waves) == 2
            else equal_alphas_dependent_test(a, n, x.shape[1], r))
    test.groups = [str(w) for w in waves]
    return AlphaByResult(pd.DataFrame(table), test, pd.DataFrame(r, index=waves, columns=waves))
