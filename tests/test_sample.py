"""The synthetic sample panel: determinism, structure and the documented latent truth.

The committed files in data/sample/ must be exactly what ``socvit sample`` writes for the
default seed; the structural checks run on those committed files.
"""


import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import gemeenten as gm
from socvit import sample
from socvit.codebook import Codebook

SAMPLE = sv.io.SAMPLE_DIR


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    sample.write_sample(out)
    return out


@pytest.fixture(scope="module")
def panel():
    return pd.read_csv(SAMPLE / "panel.csv", dtype={"resp_id": str, "gemeente": str, "kern": str},
                       keep_default_na=False)


@pytest.fixture(scope="module")
def bevolking():
    return pd.read_csv(SAMPLE / "bevolking.csv", dtype={"gemeente": str})


@pytest.fixture(scope="module")
def codebook():
    return Codebook.from_yaml(SAMPLE / "codebook.yaml")


def _recoded(panel, items):
    """Likert items as float with missing codes as NaN, reverse-worded items flipped."""
    x = panel[items].where(panel[items] <= 5).astype(float)
    for item in items:
        if item in sample.REVERSE:
            x[item] = 6 - x[item]
    return x


# ----------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("name", ["panel.csv", "bevolking.csv"])
def test_regenerated_csv_is_byte_identical(regenerated, name):
    assert (regenerated / name).read_bytes() == (SAMPLE / name).read_bytes()


def test_regenerated_parquet_equals_committed(regenerated):
    pd.testing.assert_frame_equal(pd.read_parquet(regenerated / "panel.parquet"),
                                  pd.read_parquet(SAMPLE / "panel.parquet"))


def test_parquet_holds_the_same_rows_as_csv(panel):
    pq = pd.read_parquet(SAMPLE / "panel.parquet")
    assert list(pq.columns) == list(panel.columns)
    for col in ("resp_id", "gemeente", "kern"):
        assert pq[col].astype(str).tolist() == panel[col].tolist()
    num = [c for c in panel.columns if c not in ("resp_id", "gemeente", "kern")]
    np.testing.assert_array_equal(pq[num].to_numpy(), panel[num].to_numpy())


def test_other_seed_gives_other_data():
    a, _ = sample.generate(seed=1)
    b, _ = sample.generate(seed=2)
    assert not a["resp_id"].head(100).equals(b["resp_id"].head(100))
    assert len(a) != len(b) or not a["bet_1"].equals(b["bet_1"])


def test_generate_is_deterministic_in_memory():
    a, pa = sample.generate(seed=7, scale=0.2)
    b, pb = sample.generate(seed=7, scale=0.2)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(pa, pb)


def test_writing_leaves_no_temporary_files(regenerated):
    assert sorted(p.name for p in regenerated.iterdir()) == ["bevolking.csv", "panel.csv",
                                                             "panel.parquet"]


def test_committed_csv_is_small_and_plain():
    raw = (SAMPLE / "panel.csv").read_bytes()
    assert len(raw) < 5_000_000
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")


# ----------------------------------------------------------------------------- structure
def test_waves_and_rows_per_wave(panel):
    counts = panel.groupby("golf").size()
    assert list(counts.index) == list(sample.WAVES)
    members = panel["resp_id"].nunique()
    assert 5000 <= members <= 6000
    # ~55% of the 6,000 members answer each wave
    assert ((counts / sample.N_MEMBERS).between(0.50, 0.60)).all(), counts


def test_one_row_per_respondent_per_wave(panel):
    assert not panel.duplicated(["resp_id", "golf"]).any()
    assert panel["resp_id"].str.fullmatch(r"R\d{7}").all()


def test_ids_persist_and_panel_is_refreshed(panel):
    waves = panel.groupby("resp_id")["golf"].agg(["min", "count"])
    assert (waves["count"] == 4).sum() > 500            # in all four waves
    assert (waves["min"] > 2017).sum() > 500            # recruited later (refreshment)
    ids17 = set(panel.loc[panel.golf == 2017, "resp_id"])
    ids23 = set(panel.loc[panel.golf == 2023, "resp_id"])
    assert len(ids17 - ids23) > 500                     # attrition
    # ids are not handed out in order of recruitment
    first = panel.sort_values("golf").drop_duplicates("resp_id")
    assert first["resp_id"].is_monotonic_increasing is False


def groningen(wave):
    """The sample's gemeenten: those of the province of Groningen valid in the wave."""
    return sorted(c for c in gm.valid_in(wave) if gm.province(c) == "Groningen")


def test_gemeenten_per_wave_are_those_valid_in_the_wave(panel):
    for wave, codes in panel.groupby("golf")["gemeente"]:
        assert sorted(codes.unique()) == groningen(wave), wave


def test_kern_keeps_its_gemeente_through_the_mergers(panel):
    pairs = panel[["golf", "gemeente", "kern"]].drop_duplicates()
    assert not pairs.duplicated(["golf", "kern"]).any()
    k = pairs.set_index(["kern", "golf"])["gemeente"]
    assert k[("Farmsum", 2019)] == "GM0010" and k[("Farmsum", 2021)] == "GM1979"
    assert k[("Uithuizen", 2017)] == "GM1651" and k[("Uithuizen", 2019)] == "GM1966"
    # Winsum was split: Ezinge went to Westerkwartier
    assert k[("Ezinge", 2019)] == "GM1969" and k[("Baflo", 2019)] == "GM1966"


def test_sizes_allow_reports_and_need_disclosure(panel):
    last = panel[panel.golf == 2023]
    per_gem = last["gemeente"].value_counts()
    assert per_gem.min() >= 60
    assert per_gem["GM0014"] > 3 * per_gem["GM0765"]    # Groningen city much larger than Pekela
    per_kern = last["kern"].value_counts()
    assert (per_kern < 10).sum() >= 3 and (per_kern >= 30).sum() >= 20


def test_codes_within_codebook(panel, codebook):
    for col in panel.columns:
        v = codebook.variable(col)
        if v.kind in ("likert", "binary", "categorical", "mark"):
            valid = set(v.values) if v.values else set(range(int(v.range[0]), int(v.range[1]) + 1))
            allowed = valid | set(v.missing)
            bad = set(panel[col].unique()) - allowed
            assert not bad, (col, bad)
        elif v.kind == "numeric":
            x = panel[col][~panel[col].isin(list(v.missing))]
            assert x.between(*v.range).all(), col


def test_missing_codes_present(panel, codebook):
    likert = codebook.columns("likert")
    share9 = (panel[likert] == 9).mean()
    share99 = (panel[likert] == 99).mean()
    assert share9.between(0.01, 0.15).all() and share99.between(0.002, 0.03).all()
    actie = [i for s in codebook.scales_in("actie") for i in codebook.scale(s).items]
    org = codebook.scale("organisatiekracht").items
    assert share9[actie].mean() > 2 * share9[org].mean()
    assert (panel["opleiding"] == 99).any() and (panel["rapportcijfer"] == 99).any()


def test_demographics_consistent(panel):
    age = panel["leeftijd"]
    assert age.between(18, 95).all()
    cls = pd.cut(age, [17, 34, 49, 64, 200], labels=[1, 2, 3, 4]).astype(int)
    assert (cls == panel["leeftijdsklasse"]).all()
    # a respondent ages with the waves
    two = panel.sort_values("golf").groupby("resp_id").agg(a=("leeftijd", "first"), b=("leeftijd", "last"),
                                                          g0=("golf", "first"), g1=("golf", "last"))
    assert ((two.b - two.a) == (two.g1 - two.g0)).all()
    woon = panel["woonduur"][panel["woonduur"] != 999]
    assert (woon <= age[woon.index]).all()


def test_uren_only_when_active(panel):
    assert (panel.loc[panel.actief == 0, "uren_actief"] == 0).all()
    active = panel.loc[(panel.actief == 1) & (panel.uren_actief != 999), "uren_actief"]
    assert (active >= 1).all() and active.mean() > active.median()   # skewed positive
    assert (panel.loc[panel.actief == 99, "uren_actief"] == 999).all()


def test_bevolking_matches_indeling(bevolking):
    assert list(bevolking.columns) == ["golf", "gemeente", "leeftijdsklasse", "geslacht", "aantal"]
    for wave, codes in bevolking.groupby("golf")["gemeente"]:
        assert sorted(codes.unique()) == groningen(wave)
    assert set(bevolking["leeftijdsklasse"]) == set(sample.AGE_CLASSES)
    assert set(bevolking["geslacht"]) == {"man", "vrouw"}
    tot = bevolking.groupby(["golf", "gemeente"])["aantal"].sum()
    assert 180_000 < tot[(2023, "GM0014")] < 230_000
    assert 8_000 < tot[(2023, "GM0765")] < 12_000
    eems = tot[(2021, "GM1979")]
    parts = tot[(2019, "GM0003")] + tot[(2019, "GM0010")] + tot[(2019, "GM0024")]
    assert abs(eems / parts - 1) < 0.02


def test_population_younger_than_respondents(panel, bevolking):
    pop = bevolking[bevolking.golf == 2023].groupby("leeftijdsklasse")["aantal"].sum()
    pop = pop / pop.sum()
    resp = panel[panel.golf == 2023]["leeftijdsklasse"].value_counts(normalize=True)
    assert resp[1] < pop["18-34 jaar"] - 0.05
    assert resp[4] > pop["65 jaar en ouder"] + 0.05


def test_weighting_changes_share_actief(panel, bevolking):
    """Post-stratifying to the margins (gemeente x age class) moves share actief clearly."""
    wave = panel[(panel.golf == 2023) & (panel.actief != 99)].copy()
    wave["lk"] = wave["leeftijdsklasse"].map(dict(enumerate(sample.AGE_CLASSES, start=1)))
    pop = bevolking[bevolking.golf == 2023].groupby(["gemeente", "leeftijdsklasse"])["aantal"].sum()
    n = wave.groupby(["gemeente", "lk"]).size()
    w = pop.loc[list(zip(wave.gemeente, wave.lk))].to_numpy() / n.loc[list(zip(wave.gemeente, wave.lk))].to_numpy()
    unweighted = wave["actief"].mean()
    weighted = np.average(wave["actief"], weights=w)
    assert unweighted - weighted > 0.03


# ----------------------------------------------------------------------------- latent truth
def test_subscales_correlate_more_within_element(panel, codebook):
    means = pd.DataFrame({s: _recoded(panel, codebook.scale(s).items).mean(axis=1)
                          for s in codebook.scales_in("organisatiekracht")})
    r = means.corr()
    within = [r.loc["betrokkenheid", "overtuigingen"], r.loc["bereidheid", "capaciteit"]]
    across = [r.loc[a, b] for a in ("betrokkenheid", "overtuigingen") for b in ("bereidheid", "capaciteit")]
    assert min(within) > max(across) + 0.1


def test_alpha_of_subscales_in_documented_range(panel, codebook):
    for s in codebook.scales_in("organisatiekracht"):
        x = _recoded(panel, codebook.scale(s).items).dropna()
        c = x.cov().to_numpy()
        alpha = 4 / 3 * (1 - np.trace(c) / c.sum())
        assert 0.70 <= alpha <= 0.85, (s, alpha)


def test_reverse_items_are_reverse_worded(panel, codebook):
    x = panel[codebook.scale("betrokkenheid").items]
    x = x.where(x <= 5)
    r = x.astype(float).corr()
    assert r.loc["bet_1", "bet_3"] < -0.2 and r.loc["bet_1", "bet_2"] > 0.2


def test_betrokkenheid_high_capaciteit_low(panel):
    bet = _recoded(panel, ["bet_1", "bet_2", "bet_3", "bet_4"]).mean(axis=1).mean()
    cap = _recoded(panel, ["cap_1", "cap_2", "cap_3", "cap_4"]).mean(axis=1).mean()
    assert bet > 3.6 and cap < 3.3 and bet - cap > 0.5


def test_loaded_sample_betrokkenheid_above_capaciteit():
    import socvit as sv
    p = sv.load_sample()
    assert isinstance(p.data["leeftijdsklasse"].dtype, pd.CategoricalDtype)
    bet = p.items("betrokkenheid").mean(axis=1).mean()   # bet_3 not yet reverse-keyed
    cap = p.items("capaciteit").mean(axis=1).mean()
    assert bet > cap


def test_actief_driven_by_bereidheid(panel):
    ber = _recoded(panel, ["ber_1", "ber_2", "ber_3", "ber_4"]).mean(axis=1)
    ok = panel["actief"] != 99
    hi = panel.loc[ok & (ber >= ber.quantile(0.75)), "actief"].mean()
    lo = panel.loc[ok & (ber <= ber.quantile(0.25)), "actief"].mean()
    assert hi - lo > 0.2


# ----------------------------------------------------------------------------- options
def test_scale_multiplies_members():
    small, _ = sample.generate(scale=0.5)
    assert 0.45 < len(small) / 13_000 < 0.55


def test_synthetic_gemeenten(tmp_path, monkeypatch):
    # the synthetic gemeenten are registered; keep them out of other tests' registry
    monkeypatch.setattr(gm, "_BY_CODE", dict(gm._BY_CODE))
    monkeypatch.setattr(gm, "_BY_NAME", dict(gm._BY_NAME))
    paths = sample.write_sample(tmp_path, seed=3, scale=0.5, n_gemeenten=12)
    assert [p.name for p in paths] == ["panel.csv", "panel.parquet", "bevolking.csv", "gemeenten.csv"]
    reg = pd.read_csv(tmp_path / "gemeenten.csv", dtype=str)
    assert list(reg.columns) == ["code", "name", "begin"]
    assert reg["code"].tolist() == [f"GM{9001 + i}" for i in range(12)]
    assert reg["name"].iloc[0] == "Testgemeente 001"
    assert gm.load_registry(tmp_path / "gemeenten.csv") == 12
    p = pd.read_csv(tmp_path / "panel.csv", dtype={"gemeente": str})
    assert set(p["gemeente"]) <= set(reg["code"])
    for wave in sample.WAVES:
        assert set(reg["code"]) <= set(gm.valid_in(wave))
    kernen = p.groupby("gemeente")["kern"].nunique()
    assert kernen.min() >= 3


def test_synthetic_gemeenten_do_not_leak():
    assert not any(code.startswith("GM90") for code in gm.valid_in(2023))


def test_csv_quotes_text_that_needs_it(tmp_path):
    df = pd.DataFrame({"kern": ["Oost, West", 'De "Hoek"', "Ulrum"], "n": [1, 2, 3]})
    sample._csv(df, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_bytes() == b'kern,n\n"Oost, West",1\n"De ""Hoek""",2\nUlrum,3\n'
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_bad_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        sample.generate(scale=0)


def test_cli_sample(tmp_path, capsys):
    from socvit.cli import main
    assert main(["sample", "--out", str(tmp_path), "--seed", "5", "--scale", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "panel.csv" in out and "bevolking.csv" in out
    assert (tmp_path / "panel.parquet").exists()


# ----------------------------------------------------------------------------- documented truth
@pytest.fixture(scope="module")
def truth():
    panel, _ = sample.generate(seed=11, scale=3, latent=True)
    return panel


def test_latent_columns_do_not_change_the_data():
    a, _ = sample.generate(seed=5, scale=0.2)
    b, _ = sample.generate(seed=5, scale=0.2, latent=True)
    pd.testing.assert_frame_equal(a, b[a.columns])


def test_actief_model_recovers_documented_coefficients(truth):
    """Logit of actief on the true latent scores gives back ACTIEF_COEF (within 4 SE)."""
    import statsmodels.api as smapi
    d = truth[truth.actief != 99]
    x = pd.DataFrame({
        "intercept": 1.0,
        "bereidheid_z": d.true_bereidheid_z, "capaciteit_z": d.true_capaciteit_z,
        "age_z": (d.leeftijd - sample.AGE_MEAN) / sample.AGE_SD,
        "opleiding_hoog": (d.true_opleiding == 3).astype(float),
        "opleiding_laag": (d.true_opleiding == 1).astype(float),
        "stad": d.true_stad.astype(float),
    })
    fit = smapi.Logit(d.actief.astype(float), x).fit(disp=0)
    for name, true in sample.ACTIEF_COEF.items():
        assert abs(fit.params[name] - true) < 4 * fit.bse[name], (name, fit.params[name], true)


def test_uren_model_recovers_documented_coefficients(truth):
    import statsmodels.api as smapi
    d = truth[(truth.actief == 1) & (truth.uren_actief != 999)]
    d = d[(d.uren_actief > 1) & (d.uren_actief < 80)]       # away from the clipping bounds
    x = smapi.add_constant(pd.DataFrame({"b": d.true_bereidheid_z, "c": d.true_capaciteit_z}))
    fit = smapi.OLS(np.log(d.uren_actief.astype(float)), x).fit()
    assert abs(fit.params["b"] - sample.UREN_COEF["bereidheid_z"]) < 0.06
    assert abs(fit.params["c"] - sample.UREN_COEF["capaciteit_z"]) < 0.06


def test_kern_effects_have_documented_sd(truth):
    effects = truth.drop_duplicates("kern")["true_kern_effect"]
    assert len(effects) > 100
    assert abs(effects.std() - sample.KERN_SD) < 0.08


def test_response_depends_on_age_and_education(truth):
    """Respondents are older and better educated than the members they were drawn from."""
    d = truth[truth.golf == 2017]             # in 2017 the age class is that at recruitment
    expected_hoog = np.array(sample.EDUCATION)[d.leeftijdsklasse - 1, 2].mean()
    assert (d.true_opleiding == 3).mean() > expected_hoog + 0.015
    expected_old = np.where(d.true_stad == 1, sample.AGE_PROFILE["stad"][3],
                            sample.AGE_PROFILE["land"][3]).mean()
    assert d.leeftijdsklasse.eq(4).mean() > expected_old + 0.015


def test_readme_states_the_true_parameters():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text and str(sample.DEFAULT_SEED) in text
    assert f"SD {sample.KERN_SD:.2f}" in text
    for name, value in sample.ACTIEF_COEF.items():
        assert f"{abs(value):.2f}" in text, name
    for name, value in sample.SUBSCALE_MEAN.items():
        assert f"{name} **{value:.2f}**" in text, name
    assert f"{sample.THRESHOLDS[0]:.1f}, {sample.THRESHOLDS[1]:.1f}" in text
