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
    with pytest.raises(DataError, match="length 3"):
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


OMEGA_TOL = 1e-3


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
    with pytest.raises(DataError, match="group factors"):
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
