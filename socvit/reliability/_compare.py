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
from ._items import _resolve

__all__ = ["alpha_by", "AlphaByResult", "feldt_test", "equal_alphas_test", "TestResult"]


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
        if self.method.startswith("Feldt"):
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


@dataclass(repr=False)
class AlphaByResult:
    """What :func:`alpha_by` returns: ``table`` (one row per group) and ``test`` (a
    :class:`TestResult` comparing the groups that are not suppressed, or None)."""

    table: pd.DataFrame
    test: TestResult | None

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
    min_n, warn_n = rules.min_n, rules.warn_n
    df = _inputs.frame(data)
    by = _inputs.kern_by(df, _inputs.require_columns(df, by, "by"), _inputs.codebook(data))
    it = _resolve(data, items, reverse, weights, call="alpha_by")
    x = it.x
    keys = [c for c, k in it.keys.items() if k < 0]
    answered = x.notna().any(axis=1).to_numpy()
    w_all = it.weights
    rows = []
    for gkey, idx in df.groupby(by, observed=True, sort=True, dropna=True).indices.items():
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        sel = idx[answered[idx]]
        n = len(sel)
        row = dict(zip(by, gkey), n=n, raw_alpha=np.nan, std_alpha=np.nan, ci_lower=np.nan,
                   ci_upper=np.nan, suppressed=n < min_n, indicative=min_n <= n < warn_n,
                   note="", n_eff=np.nan)
        if n < min_n:
            row["note"] = rules.suppressed_reason
        else:
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
