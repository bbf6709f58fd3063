"""Omega with one factor, two items and bootstrap intervals, omega_by, the equal-alpha test for
the same people in several waves (alpha_waves) and the warning for pooled waves.

Reference values: tests/reference/reliability/reference.json, written by make_reference.R
beside it (psych 2.2.9, R 4.2.2). The dependent-samples tests are written out there in R from
Feldt (1980) and Feldt, Woodruff & Salih (1987), independently of socvit's Python code, and
checked on the papers' worked examples (cocron is not installable here).
"""

import hashlib
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
SAMPLE = REF["sample"]
TOL = 1e-6          # closed forms
OMEGA_TOL = 1e-6    # minres: psych's optimiser path is followed (differences ~1e-13)


@pytest.fixture(scope="module")
def panel():
    digest = hashlib.md5((Path(sv.io.SAMPLE_DIR) / "panel.csv").read_bytes()).hexdigest()
    assert digest == SAMPLE["panel_md5"], "rerun tests/reference/reliability/make_reference.R"
    return sv.load_sample()


def _check_omega(res, ref):
    for name, r_name in [("omega_h", "omega_h"), ("omega_total", "omega_total"),
                         ("omega_lim", "omega_lim"), ("ecv", "ecv")]:
        assert getattr(res, name) == pytest.approx(ref[r_name], abs=OMEGA_TOL), name
    assert res.alpha == pytest.approx(ref["alpha"], abs=TOL)
    assert res.g6 == pytest.approx(ref["g6"], abs=TOL)
    groups = np.column_stack([np.array(ref["omega_group"][c], dtype=float)
                              for c in ("total", "general", "group")])
    np.testing.assert_allclose(res.groups.to_numpy(), groups, atol=OMEGA_TOL)
    for col in ("g", "h2", "u2"):
        np.testing.assert_allclose(res.loadings[col], ref["sl"][col], atol=OMEGA_TOL,
                                   err_msg=col)


def _rev(ref):
    return [] if ref["key"] is None else [i for i, k in zip(ref["items"], ref["key"]) if k < 0]


# ----------------------------------------------------------------------- omega
@pytest.mark.parametrize("case", ["bfi_A_1_keyed", "bfi_A_1", "bfi_A2A3_1", "bfi_A2A3A4_1"])
def test_omega_one_factor_and_two_items_match_psych(case):
    ref = REF["omega"][case]
    with pytest.warns(SocvitWarning, match="omega_h is not meaningful, report omega_total"):
        res = rel.omega(BFI, 1, items=ref["items"], reverse=_rev(ref))
    _check_omega(res, ref)
    assert res.n_factors == 1 and list(res.groups.index) == ["g", "F1*"]


def test_omega_two_items_is_spearman_brown():
    # psych's minres path ends at equal loadings sqrt(r) for two items
    with pytest.warns(SocvitWarning):
        res = rel.omega(BFI, 1, items=["A2", "A3"])
    r = BFI[["A2", "A3"]].corr().iloc[0, 1]
    assert res.omega_total == pytest.approx(2 * r / (1 + r), abs=1e-12)


@pytest.mark.parametrize("case", ["bfi_C1C4_2", "bfi_AC_2"])
def test_omega_two_factors_follows_psych_on_bfi(case):
    ref = REF["omega"][case]
    with pytest.warns(SocvitWarning, match="two group factors"):
        res = rel.omega(BFI, 2, items=ref["items"], reverse=_rev(ref))
    _check_omega(res, ref)


@pytest.mark.parametrize("case,golf", [("betrokkenheid_2", None),
                                       ("betrokkenheid_2_golf_last", 2023),
                                       ("betrokkenheid_1_golf_last", 2023),
                                       ("animo_1", None)])
def test_omega_sub_scales_of_the_sample_match_psych(panel, case, golf):
    # four items with two factors: -1 degrees of freedom; psych 0.0113 (all waves) and
    # 0.0218 (2023), where socvit gave 0.100 and 0.257 before following psych's optimiser
    ref = SAMPLE["omega"][case]
    data = panel if golf is None else panel.subset((panel.data["golf"] == golf).to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = rel.omega(data, ref["n_factors"], items=ref["items"], reverse=_rev(ref))
    _check_omega(res, ref)


def test_omega_factor_counts_are_checked():
    with pytest.raises(DataError, match=r"1 to 1 group factor\(s\) for 3 items"):
        rel.omega(BFI, 2, items=["A2", "A3", "A4"])
    with pytest.raises(DataError, match="at least 2 items"):
        rel.omega(BFI, 1, items=["A2"])
    with pytest.raises(ValueError, match="ci must be"):
        rel.omega(BFI, 1, items=["A2", "A3"], ci="feldt")


def test_omega_bootstrap_is_seeded_and_equals_explicit_resampling():
    items = ["A1", "A2", "A3", "A4", "A5"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        a = rel.omega(BFI, 1, items=items, reverse="A1", ci="bootstrap", n_boot=40, seed=7)
        b = rel.omega(BFI, 1, items=items, reverse="A1", ci="bootstrap", n_boot=40, seed=7)
        np.testing.assert_array_equal(a.boot, b.boot)
        # the same draws by hand: resample rows, refit from scratch
        rng = np.random.default_rng(7)
        n = len(BFI)
        for i in range(3):
            idx = rng.integers(0, n, size=n)
            one = rel.omega(BFI.iloc[idx].reset_index(drop=True), 1, items=items, reverse="A1")
            assert a.boot[i] == pytest.approx([one.omega_h, one.omega_total], abs=1e-9)
    lo, hi = np.quantile(a.boot[:, 1], [0.025, 0.975])
    assert a.ci_total == pytest.approx((lo, hi), abs=1e-15)
    assert a.ci_total[0] < a.omega_total < a.ci_total[1]
    assert a.ci_h[0] < a.omega_h < a.ci_h[1]
    # psych's omega(n.iter=) form: Fisher z mean +- z * sd, back-transformed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        z = rel.omega(BFI, 1, items=items, reverse="A1", ci="bootstrap_z", n_boot=40, seed=7)
    f = np.arctanh(a.boot[:, 0])
    want = np.tanh(f.mean() + np.array([-1, 1]) * 1.959963984540054 * f.std(ddof=1))
    assert z.ci_h == pytest.approx(tuple(want), abs=1e-12)
    assert "95% bootstrap intervals from 40 resamples" in str(a)


def test_omega_bootstrap_keeps_keys_and_several_factors(panel):
    wave = panel.subset((panel.data["golf"] == 2023).to_numpy())
    res = rel.omega(wave, 4, items="organisatiekracht", ci="bootstrap", n_boot=20, seed=3)
    assert np.isfinite(res.boot).all()
    assert res.ci_h[0] < res.omega_h < res.ci_h[1]
    assert res.ci_total[0] < res.omega_total < res.ci_total[1]


def test_omega_by_equals_omega_per_group_with_flags(panel):
    wave = panel.subset((panel.data["golf"] == 2023).to_numpy())
    with pytest.warns(SocvitWarning, match="omega_by with 1 factor"):
        t = rel.omega_by(wave, "gemeente", "betrokkenheid", n_factors=1)
    d = wave.data
    first = t.iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        direct = rel.omega(wave.subset((d["gemeente"] == first["gemeente"]).to_numpy()), 1,
                           items="betrokkenheid")
    assert first["omega_total"] == pytest.approx(direct.omega_total, abs=1e-12)
    assert first["omega_h"] == pytest.approx(direct.omega_h, abs=1e-12)
    assert "ci_h_lower" not in t.columns
    # small kernen: suppressed below 10 respondents, no omega there
    sizes = d.groupby("kern", observed=True).size()
    kernen = list(sizes[sizes < 10].index[:2]) + list(sizes[sizes >= 40].index[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        small = rel.omega_by(wave.subset(d["kern"].isin(kernen).to_numpy()), "kern",
                             "betrokkenheid", n_factors=1, ci="bootstrap", n_boot=20, seed=1)
    small = small.set_index("kern")
    for kern in kernen:
        row = small.loc[kern]
        assert row["suppressed"] == (row["n"] < 10)
        assert np.isnan(row["omega_total"]) == (row["n"] < 10)
        if row["n"] >= 10:
            assert row["ci_total_lower"] < row["omega_total"] < row["ci_total_upper"]


# ----------------------------------------------------------------------- waves
def test_dependent_tests_reproduce_published_examples():
    pub = REF["published"]
    got = rel.feldt_dependent_test(.82, .89, 27, .74)          # Charter & Feldt (1996)
    assert got.statistic == pytest.approx(pub["charter_feldt_1996"]["statistic"], rel=TOL)
    assert round(got.statistic, 3) == 1.849
    assert got.p == pytest.approx(pub["charter_feldt_1996"]["p"], rel=TOL)
    assert got.df == (25,)
    r = [[1, .8, .6, .75], [.8, 1, .65, .7], [.6, .65, 1, .55], [.75, .7, .55, 1]]
    k = rel.equal_alphas_dependent_test([.857, .875, .8, .833], 100, [50, 40, 35, 25], r)
    assert k.statistic == pytest.approx(pub["fws_1987"]["statistic"], rel=TOL)
    assert round(k.statistic, 2) == 10.66 and round(k.p, 3) == 0.014   # the paper's values
    assert k.p == pytest.approx(pub["fws_1987"]["p"], rel=TOL)


@pytest.mark.parametrize("case", ["w2021_2023", "w2019_2021_2023"])
def test_alpha_waves_matches_r_on_the_same_people(panel, case):
    ref = SAMPLE["waves"][case]
    res = rel.alpha_waves(panel, "betrokkenheid", waves=ref["waves"])
    t = res.table
    assert list(t["golf"]) == ref["waves"]
    assert (t["n"] == ref["n"]).all()
    np.testing.assert_allclose(t["raw_alpha"], ref["alpha"], rtol=TOL)
    np.testing.assert_allclose(t["std_alpha"], ref["std_alpha"], rtol=TOL)
    np.testing.assert_allclose(res.r.to_numpy(), np.array(ref["r"], dtype=float), rtol=TOL)
    assert res.test.statistic == pytest.approx(ref["statistic"], rel=TOL)
    assert res.test.p == pytest.approx(ref["p"], rel=TOL)
    assert res.test.df == (ref["df"],)


def test_alpha_waves_on_the_other_panel(tmp_path):
    from other_panel import write
    other = sv.load_panel(write(tmp_path))
    res = rel.alpha_waves(other, "vermogen", waves=[2021, 2023])    # 7 points, renamed ids
    d = other.data
    assert list(res.table.columns[:2]) == ["jaar", "n"]
    # by hand: the respondents who answer in both waves, alpha per wave on them
    it = other.codebook.scale("vermogen").items
    answered = d[it].notna().any(axis=1)
    ids = [set(d.loc[answered & (d["jaar"] == y), "respondent"]) for y in (2021, 2023)]
    common = sorted(ids[0] & ids[1])
    assert res.table["n"].iloc[0] == len(common)
    for y, a in zip((2021, 2023), res.table["raw_alpha"]):
        rows = d[(d["jaar"] == y) & answered].set_index("respondent").loc[common, it]
        direct = rel.alpha(rows.reset_index(drop=True), it,
                           reverse=other.codebook.scale("vermogen").reverse)
        assert a == pytest.approx(direct.total["raw_alpha"], abs=1e-12)
    assert res.test.method.startswith("Feldt (1980)")


def test_alpha_waves_errors(panel):
    with pytest.raises(DataError, match="Wave.s. 2030 are not in column 'golf'"):
        rel.alpha_waves(panel, "betrokkenheid", waves=[2023, 2030])
    with pytest.raises(DataError, match="at least two waves"):
        rel.alpha_waves(panel, "betrokkenheid", waves=[2023])
    with pytest.raises(DataError, match="wave= and id="):
        rel.alpha_waves(panel.data, ["bet_1", "bet_2"])
    doubled = pd.concat([panel.data, panel.data.iloc[:1]])
    first = panel.data.iloc[0]
    with pytest.raises(DataError, match=f"Respondent '{first['resp_id']}' .* has 2 rows in wave "
                                        f"{first['golf']}; .*one row per person"):
        rel.alpha_waves(doubled, ["bet_1", "bet_2"], wave="golf", id="resp_id")


def test_pooled_waves_warn_with_the_id_column_and_counts(panel):
    with pytest.warns(SocvitWarning, match=r"13202 rows .* only 5621 respondents .*'resp_id'"
                                           r".*panel.subset\(panel.data\['golf'\] == 2023\)"):
        rel.alpha(panel, "betrokkenheid")
    for f in (lambda p: rel.omega(p, 4, items="organisatiekracht"),
              lambda p: rel.splithalf(p, "betrokkenheid")):
        with pytest.warns(SocvitWarning, match="resp_id"):
            f(panel)
    wave = panel.subset((panel.data["golf"] == 2023).to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error", SocvitWarning)
        rel.alpha(wave, "betrokkenheid")                    # one row per person: silent
        rel.alpha_by(panel, "golf", "betrokkenheid")        # waves apart: silent
        rel.alpha(panel.data, ["bet_1", "bet_2", "bet_4"])  # a DataFrame: no id known
    with pytest.warns(SocvitWarning, match="within a group"):
        rel.alpha_by(panel, "gemeente", "betrokkenheid")


def test_pooled_waves_warn_on_the_other_panel(tmp_path):
    from other_panel import write
    other = sv.load_panel(write(tmp_path))
    with pytest.warns(SocvitWarning, match=r"'respondent' repeats.*panel.data\['jaar'\]"):
        rel.alpha(other, "verbondenheid")


def test_cli_without_golf_says_the_waves_repeat_people(capsys):
    from socvit.cli import main
    csv = Path(sv.io.SAMPLE_DIR) / "panel.csv"
    assert main(["reliability", str(csv), "--scale", "betrokkenheid"]) == 0
    out = capsys.readouterr().out
    assert "13202 rows" in out and "5621 respondents" in out and "--golf JAAR" in out
    assert main(["reliability", str(csv), "--scale", "betrokkenheid", "--golf", "2023"]) == 0
    assert "repeats" not in capsys.readouterr().out


def test_omega_and_omega_by_on_the_other_panel(tmp_path):
    # renamed columns, vermogen on 7 points with its reverse-keyed item from the codebook
    from other_panel import write
    other = sv.load_panel(write(tmp_path))
    wave = other.subset((other.data["jaar"] == 2023).to_numpy())
    sc = other.codebook.scale("vermogen")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = rel.omega(wave, 1, items="vermogen")
        plain = rel.omega(wave.data[sc.items], 1, reverse=sc.reverse)
        t = rel.omega_by(wave, "gem_code", "vermogen", n_factors=1)
    assert res.keys == plain.keys and res.keys[sc.reverse[0]] == -1
    assert res.omega_total == pytest.approx(plain.omega_total, abs=1e-12)
    first = t.iloc[0]
    rows = wave.data[wave.data["gem_code"] == first["gem_code"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        direct = rel.omega(rows[sc.items], 1, reverse=sc.reverse)
    assert first["omega_total"] == pytest.approx(direct.omega_total, abs=1e-12)
    assert list(t.columns[:2]) == ["gem_code", "n"]
