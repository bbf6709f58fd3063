"""Tests of socvit.reliability against R psych.

Reference values: tests/reference/reliability/reference.json, written by make_reference.R
beside it (psych 2.2.9, GPArotation 2022.10.2, R 4.2.2) on psychTools::bfi (bfi.csv, the
public data set exported by that script) and on the bundled sample panel.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import reliability as rel
from socvit.errors import DataError, SocvitWarning

REF_DIR = Path(__file__).parent / "reference" / "reliability"
REF = json.loads((REF_DIR / "reference.json").read_text())
BFI = pd.read_csv(REF_DIR / "bfi.csv")
A = ["A1", "A2", "A3", "A4", "A5"]
TOL = 1e-6

TOTAL_MAP = {"raw_alpha": "raw_alpha", "std.alpha": "std_alpha", "G6(smc)": "g6",
             "average_r": "average_r", "S/N": "s_n", "ase": "ase", "mean": "mean", "sd": "sd",
             "median_r": "median_r"}
DROP_MAP = {"raw_alpha": "raw_alpha", "std.alpha": "std_alpha", "G6(smc)": "g6",
            "average_r": "average_r", "S/N": "s_n", "alpha se": "alpha_se", "var.r": "var_r",
            "med.r": "median_r"}
ITEM_MAP = {"n": "n", "raw.r": "raw_r", "std.r": "std_r", "r.cor": "r_cor", "r.drop": "r_drop",
            "mean": "mean", "sd": "sd"}


def _keys(ref):
    k = ref.get("keys")
    return [] if k is None else ([k] if isinstance(k, str) else list(k))


def _check_alpha(res, ref, tol=TOL):
    for r_name, name in TOTAL_MAP.items():
        if r_name in ref["total"]:
            assert res.total[name] == pytest.approx(ref["total"][r_name], abs=tol), name
    for r_name, name in DROP_MAP.items():
        want = np.array(ref["alpha_drop"][r_name], dtype=float)
        np.testing.assert_allclose(res.dropped[name].to_numpy(float), want, atol=tol,
                                   err_msg=name)
    np.testing.assert_allclose(res.items["alpha_if_dropped"], ref["alpha_drop"]["raw_alpha"],
                               atol=tol)
    np.testing.assert_allclose(res.items["std_alpha_if_dropped"],
                               ref["alpha_drop"]["std.alpha"], atol=tol)
    for r_name, name in ITEM_MAP.items():
        if r_name in ref["item_stats"]:
            np.testing.assert_allclose(res.items[name].to_numpy(float),
                                       np.array(ref["item_stats"][r_name], dtype=float),
                                       atol=tol, err_msg=name)


@pytest.mark.parametrize("case", ["bfi_A", "bfi_C", "bfi_E_nokeys", "bfi_A2A3", "bfi_AC"])
def test_alpha_matches_psych_on_bfi(case):
    ref = REF["alpha"][case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = rel.alpha(BFI, ref["items"], reverse=_keys(ref))
    _check_alpha(res, ref)
    assert res.ci == pytest.approx((ref["feldt"]["lower"], ref["feldt"]["upper"]), abs=TOL)
    freq = ref["response_freq"]
    for col in [c for c in freq if c != "row"]:
        got = res.frequencies["miss" if col == "miss" else float(col)]
        np.testing.assert_allclose(got, freq[col], atol=TOL, err_msg=col)


def test_alpha_listwise_matches_psych_on_complete_rows():
    ref = REF["alpha"]["bfi_A_listwise"]
    res = rel.alpha(BFI, A, reverse="A1", missing="listwise")
    _check_alpha(res, ref)
    assert res.n == len(BFI[A].dropna())


def test_weighted_alpha_matches_psych_on_cov_wt():
    ref = REF["weighted"]
    cc = BFI[A + ["age", "gender"]].dropna()
    w = 1 + (cc["age"] % 7) / 3 + (cc["gender"] == 2)
    res = rel.alpha(cc, A, reverse="A1", weights=w)
    assert res.n == ref["rows"]
    assert res.n_eff == pytest.approx(ref["n_eff"], rel=1e-12)
    for r_name in ["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "ase", "median_r"]:
        assert res.total[TOTAL_MAP[r_name]] == pytest.approx(ref["total"][r_name], abs=TOL)
    for r_name in ["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "alpha se"]:
        np.testing.assert_allclose(res.dropped[DROP_MAP[r_name]], ref["alpha_drop"][r_name],
                                   atol=TOL)
    # psych on a covariance matrix reports r (= std.r), r.cor and r.drop
    np.testing.assert_allclose(res.items["std_r"], ref["item_stats"]["r"], atol=TOL)
    np.testing.assert_allclose(res.items["r_cor"], ref["item_stats"]["r.cor"], atol=TOL)
    np.testing.assert_allclose(res.items["r_drop"], ref["item_stats"]["r.drop"], atol=TOL)
    np.testing.assert_allclose(res.items["mean"], ref["means"], atol=1e-9)
    assert res.ci == pytest.approx((ref["feldt"]["lower"], ref["feldt"]["upper"]), abs=TOL)


def test_unit_weights_equal_unweighted():
    a = rel.alpha(BFI, A, reverse="A1")
    b = rel.alpha(BFI, A, reverse="A1", weights=np.full(len(BFI), 2.5))
    pd.testing.assert_series_equal(a.total, b.total, atol=1e-10, rtol=0)
    pd.testing.assert_frame_equal(a.items, b.items, atol=1e-10, rtol=0, check_dtype=False)


def test_pairwise_cov_matches_pandas():
    x = BFI[A + ["C1", "C2"]]
    cov, means = rel.pairwise_cov(x.to_numpy())
    np.testing.assert_allclose(cov, x.cov().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(means, x.mean().to_numpy(), rtol=1e-12)
    _, _, r = rel.pairwise_cov(x.to_numpy(), corr=True)
    np.testing.assert_allclose(r, x.corr().to_numpy(), rtol=1e-12)


def test_duhachek_interval_uses_ase():
    res = rel.alpha(BFI, A, reverse="A1", ci="duhachek", level=0.90)
    a, ase = res.total["raw_alpha"], res.total["ase"]
    assert res.ci == pytest.approx((a - 1.6448536269514722 * ase, a + 1.6448536269514722 * ase))


def test_bootstrap_is_seeded_and_equals_explicit_resampling():
    x = BFI[A].to_numpy(float).copy()
    x[:, 0] = 7 - x[:, 0]
    boot = rel.bootstrap_alpha(x, n_boot=5, seed=11, block=2)
    # the same draws, done the slow way: one pairwise covariance per resample
    rng = np.random.default_rng(11)
    want = []
    for b in (2, 2, 1):
        idx = rng.integers(0, len(x), size=(b, len(x)))
        for row in idx:
            c = pd.DataFrame(x[row]).cov().to_numpy()
            want.append((1 - np.trace(c) / c.sum()) * 5 / 4)
    np.testing.assert_allclose(boot, want, rtol=1e-10)
    r1 = rel.alpha(BFI, A, reverse="A1", ci="bootstrap", n_boot=200, seed=3)
    r2 = rel.alpha(BFI, A, reverse="A1", ci="bootstrap", n_boot=200, seed=3)
    assert r1.ci == r2.ci
    feldt = rel.alpha(BFI, A, reverse="A1").ci
    assert r1.ci[0] < r1.total["raw_alpha"] < r1.ci[1]
    assert abs(r1.ci[0] - feldt[0]) < 0.02 and abs(r1.ci[1] - feldt[1]) < 0.02


def test_weighted_bootstrap_carries_weights():
    cc = BFI[A + ["age"]].dropna()
    w = (1 + (cc["age"] % 7)).to_numpy(float)
    x = cc[A].to_numpy(float)
    boot = rel.bootstrap_alpha(x, w, n_boot=3, seed=5)
    rng = np.random.default_rng(5)
    idx = rng.integers(0, len(x), size=(3, len(x)))
    for b, row in enumerate(idx):
        c = np.cov(x[row], rowvar=False, aweights=w[row])
        assert boot[b] == pytest.approx((1 - np.trace(c) / c.sum()) * 5 / 4, rel=1e-10)


def test_warns_on_item_not_reversed():
    with pytest.warns(SocvitWarning, match="A1"):
        rel.alpha(BFI, A)


@pytest.mark.parametrize("bad, match", [
    (lambda d: d.assign(A2=3.0), "A2.*no variance"),
    (lambda d: d.assign(A3=np.nan), "A3.*no valid answers"),
    (lambda d: d.assign(A4=d["A4"].astype(str)), "A4.*not numeric"),
])
def test_bad_items_are_named(bad, match):
    with pytest.raises(DataError, match=match):
        rel.alpha(bad(BFI[A].copy()), A)


def test_bad_input_messages():
    with pytest.raises(DataError, match="at least 2 items"):
        rel.alpha(BFI, ["A1"])
    with pytest.raises(DataError, match="not in the data"):
        rel.alpha(BFI, ["A1", "Z9"])
    with pytest.raises(DataError, match="not among the items"):
        rel.alpha(BFI, A, reverse="C1")
    with pytest.raises(DataError, match="weights have 3 values but the data have 2800 rows"):
        rel.alpha(BFI, A, weights=[1, 2, 3])
    with pytest.raises(DataError, match="negative"):
        rel.alpha(BFI, A, reverse="A1", weights=np.r_[-1.0, np.ones(len(BFI) - 1)])
    w = pd.Series(1.0, index=BFI.index + 10_000)
    with pytest.raises(DataError, match="do not align"):
        rel.alpha(BFI, A, reverse="A1", weights=w)
    # a shuffled but complete Series is aligned on the index
    w = pd.Series(np.arange(len(BFI)) % 3 + 1.0, index=BFI.index)
    a = rel.alpha(BFI, A, reverse="A1", weights=w)
    b = rel.alpha(BFI, A, reverse="A1", weights=w.sample(frac=1, random_state=1))
    assert a.total["raw_alpha"] == b.total["raw_alpha"]


def test_summary_has_psych_layout():
    text = rel.alpha(BFI, A, reverse="A1").summary()
    for part in ["raw_alpha", "std.alpha", "G6(smc)", "Feldt", "Reliability if an item is dropped",
                 "A1-", "r.drop", "Non missing response frequency"]:
        assert part in text


OMEGA_TOL = 1e-6    # psych's minres path is followed exactly (differences ~1e-13)


@pytest.mark.parametrize("case", ["bfi25_3", "bfi25_5", "bfi_ACE_3", "bfi_ACE_3_keyed", "bfi_AC_2"])
def test_omega_matches_psych_on_bfi(case):
    ref = REF["omega"][case]
    rev = [] if ref["key"] is None else [i for i, k in zip(ref["items"], ref["key"]) if k < 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = rel.omega(BFI, ref["n_factors"], items=ref["items"], reverse=rev)
    assert res.omega_h == pytest.approx(ref["omega_h"], abs=OMEGA_TOL)
    assert res.omega_total == pytest.approx(ref["omega_total"], abs=OMEGA_TOL)
    assert res.alpha == pytest.approx(ref["alpha"], abs=1e-6)
    assert res.ecv == pytest.approx(ref["ecv"], abs=OMEGA_TOL)
    assert res.omega_lim == pytest.approx(ref["omega_lim"], abs=OMEGA_TOL)
    assert res.g6 == pytest.approx(ref["g6"], abs=1e-6)
    groups = np.column_stack([np.array(ref["omega_group"][c], dtype=float)
                              for c in ("total", "general", "group")])
    np.testing.assert_allclose(res.groups.to_numpy(), groups, atol=OMEGA_TOL)
    np.testing.assert_allclose(res.loadings["g"], ref["sl"]["g"], atol=OMEGA_TOL)
    np.testing.assert_allclose(res.loadings["h2"], ref["sl"]["h2"], atol=OMEGA_TOL)


def test_omega_two_factors_warns_and_bad_n_factors():
    with pytest.warns(SocvitWarning, match="two group factors"):
        rel.omega(BFI, 2, items=A + ["C1", "C2", "C3", "C4", "C5"])
    with pytest.raises(DataError, match=r"1 to 2 group factor\(s\) for 5 items"):
        rel.omega(BFI, 3, items=A)


@pytest.mark.parametrize("case", ["bfi_A", "bfi_AC", "bfi_ACE", "bfi_16"])
def test_splithalf_matches_psych_on_bfi(case):
    ref = REF["splithalf"][case]
    rev = [i for i, k in zip(ref["items"], ref["key"]) if k < 0]
    res = rel.splithalf(BFI, ref["items"], reverse=rev)
    assert res.exact
    for name, r_name in [("max_split", "maxrb"), ("min_split", "minrb"),
                         ("mean_split", "meanr"), ("alpha", "alpha"), ("lambda2", "lambda2"),
                         ("lambda6", "lambda6"), ("average_r", "av_r"), ("median_r", "med_r")]:
        assert getattr(res, name) == pytest.approx(ref[r_name], abs=TOL), name


def test_splithalf_split_counts_and_sampling():
    items = list(BFI.columns[:18])
    rev = ["A1", "C4", "C5", "E1", "E2"]
    assert rel.splithalf(BFI, items[:16], reverse=rev).n_splits == 6435
    # odd: psych takes the first half of the 126 distinct 4/5 splits of 9 items; all = 126
    rev9 = ["A1", "C4"]
    assert rel.splithalf(BFI, items[:9], reverse=rev9).n_splits == 63
    assert rel.splithalf(BFI, items[:9], reverse=rev9, all_odd_splits=True).n_splits == 126
    exact = rel.splithalf(BFI, items, reverse=rev, max_items_exact=18)
    assert exact.n_splits == 24310
    s1 = rel.splithalf(BFI, items, reverse=rev, n_samples=4000, seed=2)
    s2 = rel.splithalf(BFI, items, reverse=rev, n_samples=4000, seed=2)
    assert not s1.exact and s1.mean_split == s2.mean_split
    assert s1.mean_split == pytest.approx(exact.mean_split, abs=0.005)
    assert exact.min_split <= s1.min_split <= s1.max_split <= exact.max_split


# ----------------------------------------------------------------------- the bundled sample
SAMPLE = REF.get("sample")
PANEL_CSV = Path(sv.io.SAMPLE_DIR) / "panel.csv"


@pytest.fixture(scope="module")
def panel():
    import hashlib
    digest = hashlib.md5(PANEL_CSV.read_bytes()).hexdigest()
    assert digest == SAMPLE["panel_md5"], (
        "data/sample/panel.csv changed since the reference values were made; rerun "
        "tests/reference/reliability/make_reference.R and commit reference.json")
    return sv.load_sample()


@pytest.mark.parametrize("scale", ["betrokkenheid", "overtuigingen", "bereidheid", "capaciteit",
                                   "animo", "integrale_dienstverlening", "organisatiekracht"])
def test_alpha_on_sample_scale_matches_psych(panel, scale):
    ref = SAMPLE["alpha"][scale]
    res = rel.alpha(panel, scale)
    assert list(res.items.index) == ref["items"]
    assert [i for i, k in res.keys.items() if k < 0] == _keys(ref)
    _check_alpha(res, ref)
    assert res.ci == pytest.approx((ref["feldt"]["lower"], ref["feldt"]["upper"]), abs=TOL)
    assert res.label == panel.codebook.scale(scale).label


def test_omega_and_splithalf_on_organisatiekracht(panel):
    for nf in (3, 4):
        ref = SAMPLE["omega"][f"organisatiekracht_{nf}"]
        res = rel.omega(panel, nf, items="organisatiekracht")
        assert res.omega_h == pytest.approx(ref["omega_h"], abs=OMEGA_TOL)
        assert res.omega_total == pytest.approx(ref["omega_total"], abs=OMEGA_TOL)
        assert res.alpha == pytest.approx(ref["alpha"], abs=1e-6)
        np.testing.assert_allclose(res.groups.to_numpy(), np.column_stack(
            [np.array(ref["omega_group"][c], dtype=float) for c in ("total", "general", "group")]),
            atol=OMEGA_TOL)
    ref = SAMPLE["splithalf"]["organisatiekracht"]
    res = rel.splithalf(panel, "organisatiekracht")
    assert res.n_splits == 6435
    for name, r_name in [("max_split", "maxrb"), ("min_split", "minrb"), ("mean_split", "meanr"),
                         ("lambda2", "lambda2"), ("lambda6", "lambda6")]:
        assert getattr(res, name) == pytest.approx(ref[r_name], abs=TOL), name


def test_unknown_scale_on_panel(panel):
    with pytest.raises(DataError, match="not a scale in the codebook.*betrokkenheid"):
        rel.alpha(panel, "vitaliteit")


def test_alpha_by_equals_alpha_per_group_and_flags(panel):
    d = panel.data
    res = rel.alpha_by(panel, ["golf"], "betrokkenheid")
    assert list(res.table["golf"]) == [2017, 2019, 2021, 2023]
    last = res.table.iloc[-1]
    ref = SAMPLE["alpha_golf_last"]
    assert last["raw_alpha"] == pytest.approx(ref["total"]["raw_alpha"], abs=TOL)
    assert (last["ci_lower"], last["ci_upper"]) == pytest.approx(
        (ref["feldt"]["lower"], ref["feldt"]["upper"]), abs=1e-3)   # n: answering rows only
    assert res.test.method.startswith("Hakstian-Whalen") and res.test.df == (3,)
    # small groups: suppressed below min_n, indicative below warn_n, never an alpha when suppressed
    small = d.groupby("kern", observed=True).size()
    kernen = list(small[small < 10].index[:2]) + list(small[(small >= 12) & (small < 30)].index[:2])
    sub = panel.subset(d["kern"].isin(kernen).to_numpy())
    t = rel.alpha_by(sub, "kern", "betrokkenheid").table.set_index("kern")
    for kern in kernen:
        n = t.loc[kern, "n"]
        assert t.loc[kern, "suppressed"] == (n < 10)
        assert t.loc[kern, "indicative"] == (10 <= n < 30)
        if n < 10:
            assert np.isnan(t.loc[kern, "raw_alpha"]) and "minder dan 10" in t.loc[kern, "note"]


def test_alpha_by_two_groups_uses_feldt_and_weights(panel):
    d = panel.data
    w = pd.Series(np.where(d["geslacht"] == "vrouw", 1.5, 1.0), index=d.index)
    res = rel.alpha_by(panel, "geslacht", "capaciteit", weights=w)
    assert res.test.method.startswith("Feldt")
    man = res.table.set_index("geslacht").loc["man"]
    direct = rel.alpha(panel.subset((d["geslacht"] == "man").to_numpy()), "capaciteit",
                       weights=w[d["geslacht"] == "man"])
    assert man["raw_alpha"] == pytest.approx(direct.total["raw_alpha"], abs=1e-12)
    assert "n_eff" in res.table.columns


def test_feldt_two_group_test_reproduces_charter_feldt_1996():
    """Charter & Feldt (1996) worked example, as in cocron's test suite (cocron is not
    installed here): alphas .78 (n=41) and .71 (n=151): W = 1.318, df (40, 150), p = .242."""
    t = rel.feldt_test(0.78, 41, 0.71, 151)
    assert t.statistic == pytest.approx(1.318, abs=5e-4)
    assert t.df == (40, 150)
    assert t.p == pytest.approx(0.242, abs=2e-3)
    assert rel.feldt_test(0.71, 151, 0.78, 41).statistic == t.statistic


@pytest.mark.parametrize("alphas, n, items, stat, p", [
    # Feldt, Woodruff & Salih (1987), p. 98 example; cocron's test suite
    ([.784, .875, .936], [51, 101, 151], 5, 22.926, None),
    # AlphaTest (Lautenschlager & Meade, 2008) comparisons in cocron's test suite
    ([.6, .7], [150, 200], [50, 100], 3.4535, .0631),
    ([.9, .7, .8], [100, 150, 130], [15, 15, 12], 31.3795, .0000),
    ([.7, .75, .7], [100, 120, 130], 10, 1.0553, .59),
    ([.7, .8, .75, .77], [100, 100, 200, 200], [15, 15, 20, 20], 4.9738, .1737),
])
def test_k_group_test_reproduces_published_examples(alphas, n, items, stat, p):
    """Published values of the Hakstian-Whalen / Feldt-Woodruff-Salih K-sample test (the
    worked examples cocron's tests check; cocron itself is not installed here)."""
    t = rel.equal_alphas_test(alphas, n, items)
    assert round(t.statistic, 4 if stat != 22.926 else 3) == pytest.approx(stat, abs=1e-9)
    assert t.df == (len(alphas) - 1,)
    if p is not None:
        assert round(t.p, 4) == pytest.approx(p, abs=1e-9)


def test_cli_reliability_prints_table_and_errors(capsys):
    from socvit.cli import main
    assert main(["reliability", str(PANEL_CSV), "--scale", "betrokkenheid", "--golf", "2023"]) == 0
    out = capsys.readouterr().out
    assert "raw_alpha" in out and "bet_3-" in out and "Feldt" in out
    assert main(["reliability", str(PANEL_CSV), "--scale", "vitaliteit"]) == 2
    err = capsys.readouterr().err
    assert "vitaliteit" in err and "betrokkenheid" in err
    assert main(["reliability", str(PANEL_CSV), "--scale", "betrokkenheid", "--golf", "1999"]) == 2
    assert "1999" in capsys.readouterr().err


def test_weight_column_name_and_weighted_frequencies():
    d = BFI[A].copy()
    d["w"] = np.where(BFI["gender"] == 2, 2.0, 1.0)
    res = rel.alpha(d, A, reverse="A1", weights="w")
    direct = rel.alpha(d, A, reverse="A1", weights=d["w"].to_numpy())
    assert res.total["raw_alpha"] == direct.total["raw_alpha"]
    valid = d["A2"].notna()
    want = d.loc[valid & (d["A2"] == 6), "w"].sum() / d.loc[valid, "w"].sum()
    assert res.frequencies.loc["A2", 6.0] == pytest.approx(want, rel=1e-12)
    assert res.frequencies.loc["A2", "miss"] == pytest.approx(
        d.loc[~valid, "w"].sum() / d["w"].sum(), rel=1e-12)


def test_tables_are_made_when_first_used_from_the_data_at_the_call():
    """items, dropped and frequencies are computed on first access (a report needs only
    alpha and its interval); changing the data or weights afterwards does not alter them."""
    d = BFI[A].astype("float64").dropna()
    w = np.where(BFI.loc[d.index, "gender"] == 2, 2.0, 1.0)
    want = rel.alpha(d, A, reverse="A1", weights=w)
    want_tables = (want.items, want.dropped, want.frequencies)
    res = rel.alpha(d, A, reverse="A1", weights=w)
    assert not {"items", "dropped", "frequencies"} & set(vars(res))
    d.iloc[:, :] = 1.0
    w[:] = 5.0
    pd.testing.assert_frame_equal(res.items, want_tables[0], check_exact=True)
    pd.testing.assert_frame_equal(res.dropped, want_tables[1], check_exact=True)
    pd.testing.assert_frame_equal(res.frequencies, want_tables[2], check_exact=True)
    assert res.items is res.items                      # made once, then kept
    assert res.summary() == want.summary()


def test_panel_reverses_with_the_codebook_code_range(panel):
    """psych reverses with min + max of the data; a Panel uses the codebook's codes (1-5),
    so the keying does not depend on which answers happen to occur."""
    d = panel.data
    items = panel.codebook.scale("betrokkenheid").items
    keep = (d["bet_3"] > 1).fillna(False).to_numpy() & (d["bet_1"] > 1).fillna(False).to_numpy()
    for c in items:   # no answer 1 anywhere in the subset: psych would reverse with 2 + 5
        keep &= ~(d[c] == 1).fillna(False).to_numpy()
    sub = panel.subset(keep)
    res = rel.alpha(sub, "betrokkenheid")
    assert res.items.loc["bet_3", "mean"] == pytest.approx(6 - sub.numeric("bet_3")["bet_3"].mean())
    plain = rel.alpha(sub.numeric(items), items, reverse="bet_3")    # psych's rule
    assert plain.items.loc["bet_3", "mean"] == pytest.approx(7 - sub.numeric("bet_3")["bet_3"].mean())
    assert res.total["raw_alpha"] == pytest.approx(plain.total["raw_alpha"], abs=1e-12)


def test_alpha_by_notes_a_group_it_cannot_compute():
    d = BFI[A].iloc[:80].copy()
    d["g"] = ["a"] * 40 + ["b"] * 40
    d.loc[d["g"] == "b", "A2"] = 4.0
    res = rel.alpha_by(d, "g", A, reverse="A1")
    t = res.table.set_index("g")
    assert np.isfinite(t.loc["a", "raw_alpha"]) and np.isnan(t.loc["b", "raw_alpha"])
    assert "A2" in t.loc["b", "note"] and "no variance" in t.loc["b", "note"]
    assert res.test is None
    with pytest.raises(DataError, match="The by column .gemeente. is not in the data"):
        rel.alpha_by(d, "gemeente", A)


def test_result_texts():
    t = rel.equal_alphas_test([.7, .75, .7], [100, 120, 130], 10)
    assert "statistic = 1.0553" in repr(t)
    assert str(t) == ("Toets van Hakstian en Whalen (1976) op gelijke alfa's in 3 groepen: "
                      "chi² = 1,06 (df = 2), p = 0,590")
    assert str(rel.feldt_test(.78, 41, .71, 151)).endswith("W = 1,32 (df = 40; 150), p = 0,241")
    om = rel.omega(BFI, 3, items=list(BFI.columns[:15]))
    assert "Omega Hierarchical" in repr(om) and "Schmid Leiman" in om.summary()
    sh = rel.splithalf(BFI, A, reverse="A1")
    assert "Minimum split half reliability  (beta)" in repr(sh) and "A1-" in repr(sh)
