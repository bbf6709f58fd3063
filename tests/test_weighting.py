"""socvit.weighting: raking against R survey::rake (tests/reference/survey/make_reference.R).

Reference weights: survey::rake with control=list(maxit=1000, epsilon=1e-13) on survey's
api data (apistrat, apiclus1; extracts committed beside the script) and on the bundled
sample's 2023 wave raked per gemeente to data/sample/bevolking.csv.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import weighting as W
from socvit.errors import DataError, SocvitWarning

REF = Path(__file__).parent / "reference" / "survey"
POP = sv.io.SAMPLE_DIR / "bevolking.csv"
M2 = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}
M3 = dict(M2, awards={"No": 2027, "Yes": 4167})     # totals of apipop$awards
RTOL = 1e-8


@pytest.fixture(scope="module")
def apistrat():
    return pd.read_csv(REF / "apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1():
    return pd.read_csv(REF / "apiclus1.csv")


@pytest.fixture(scope="module")
def ref_st():
    return pd.read_csv(REF / "rake_weights_apistrat.csv")


@pytest.fixture(scope="module")
def wave2023():
    d = sv.load_sample().data
    return d[d["golf"] == 2023]


def _rel(a, b):
    return np.max(np.abs(np.asarray(a, float) / np.asarray(b, float) - 1))


@pytest.mark.parametrize("margins,base,col", [(M2, "pw", "st_2m"), (M3, "pw", "st_3m"),
                                              (M3, None, "st_3m_unweighted")])
def test_rake_matches_survey_rake_apistrat(apistrat, ref_st, margins, base, col):
    res = W.rake(apistrat, margins, base_weight=base)
    assert res.converged and res.max_margin_error < 1e-10
    assert _rel(res.weights, ref_st[col]) < RTOL
    assert res.weights.index.equals(apistrat.index)


def test_rake_matches_survey_rake_clustered_design(apiclus1):
    ref = pd.read_csv(REF / "rake_weights_apiclus1.csv")
    res = W.rake(apiclus1, M2, base_weight=apiclus1["pw"])
    assert _rel(res.weights, ref["cl_2m"]) < RTOL


def test_rake_by_group_matches_survey_rake_per_group(apistrat, ref_st):
    bm = pd.read_csv(REF / "rake_by_margins.csv")
    margins = {s: {c: dict(zip(p2["category"], p2["total"])) for c, p2 in p.groupby("column")}
               for s, p in bm.groupby("stype")}
    res = W.rake(apistrat, margins, base_weight="pw", by="stype")
    assert res.converged
    assert _rel(res.weights, ref_st["st_by_stype"]) < RTOL
    assert set(res.groups["stype"]) == {"E", "H", "M"}
    for s, part in apistrat.groupby("stype"):
        tot = res.weights[part.index].groupby(part["awards"]).sum()
        assert np.allclose(tot.to_numpy(), [margins[s]["awards"][k] for k in tot.index], rtol=1e-9)


def test_sample_2023_per_gemeente_matches_survey_rake(wave2023):
    ref = pd.read_csv(REF / "sample_rake_2023.csv").set_index("resp_id")
    margins = W.margins_from_population(POP, golf=2023)
    res = W.rake(wave2023, margins, by="gemeente")
    assert res.converged
    assert _rel(res.weights, ref.loc[wave2023["resp_id"].to_numpy(), "w"]) < RTOL
    # residual table: every target met
    assert len(res.margins) == 10 * (4 + 2)
    assert res.margins["rel_error"].max() < 1e-10
    pop = pd.read_csv(POP)
    pop = pop[pop["golf"] == 2023]
    want = pop.groupby(["gemeente", "leeftijdsklasse"])["aantal"].sum()
    got = res.margins[res.margins["column"] == "leeftijdsklasse"].set_index(
        ["gemeente", "category"])["target"]
    assert np.allclose(got.sort_index().to_numpy(), want.sort_index().to_numpy())


def test_diagnostics(apistrat):
    res = W.rake(apistrat, M2, base_weight="pw")
    w = res.weights.to_numpy()
    assert res.deff == pytest.approx(len(w) * (w ** 2).sum() / w.sum() ** 2, rel=1e-12)
    assert res.n_eff == pytest.approx(len(w) / res.deff, rel=1e-12)
    assert res.efficiency == pytest.approx(1 / res.deff, rel=1e-12)
    assert W.kish([1, 1, 1, 3]) == pytest.approx((3.0, 4 / 3))
    assert 1 < res.iterations < 100
    text = res.summary()
    assert "converged" in text and "deff" in text
    assert "RakeResult(n=200" in repr(res)
    assert list(res.margins.columns) == ["column", "category", "target", "achieved", "rel_error"]


def test_panel_input_and_margins_by_name(wave2023):
    panel = sv.load_sample()
    m = W.margins_from_population(POP, gemeente="Groningen", golf=2023)
    assert set(m) == {"leeftijdsklasse", "geslacht"}
    assert sum(m["geslacht"].values()) == pytest.approx(sum(m["leeftijdsklasse"].values()))
    sub = panel.subset((panel.data["golf"] == 2023) & (panel.data["gemeente"] == "GM0014"))
    res = W.rake(sub, m)
    assert res.converged and len(res.weights) == len(sub.data)
    several = W.margins_from_population(POP, gemeente=["GM0014", "Pekela"], golf=2023)
    assert list(several) == ["GM0014", "GM0765"]


def test_margins_from_population_errors(tmp_path):
    with pytest.raises(DataError, match="golf="):
        W.margins_from_population(POP)
    with pytest.raises(DataError, match="Appingedam|GM0003"):
        W.margins_from_population(POP, gemeente="Appingedam", golf=2023)
    with pytest.raises(DataError, match="does not exist"):
        W.margins_from_population(tmp_path / "nope.csv", golf=2023)
    bad = pd.read_csv(POP)
    bad.loc[3, "aantal"] = -1
    with pytest.raises(DataError, match="row 3"):
        W.margins_from_population(bad, golf=int(bad.loc[3, "golf"]))


def test_nonconvergence_is_never_silent(apistrat):
    with pytest.warns(SocvitWarning, match="did not converge"):
        res = W.rake(apistrat, M3, base_weight="pw", max_iter=2)
    assert not res.converged and res.max_margin_error > 1e-10
    assert "margins off" in res.message
    with pytest.raises(DataError, match="did not converge"):
        W.rake(apistrat, M3, base_weight="pw", max_iter=2, on_nonconvergence="raise")


def test_bounds_trim_and_rerake(wave2023):
    margins = W.margins_from_population(POP, golf=2023)
    free = W.rake(wave2023, margins, by="gemeente")
    assert free.groups["max_ratio"].max() > 2.25 and free.groups["min_ratio"].min() < 0.6
    res = W.rake(wave2023, margins, by="gemeente", bounds=(0.6, 2.25), max_iter=1000)
    assert res.converged and res.bounds_met
    assert res.groups["max_ratio"].max() <= 2.25 * (1 + 1e-9)
    assert res.groups["min_ratio"].min() >= 0.6 * (1 - 1e-9)
    assert res.margins["rel_error"].max() < 1e-10
    assert res.groups["max_ratio"].max() < free.groups["max_ratio"].max()


def test_infeasible_bounds_report_which_failed(wave2023):
    margins = W.margins_from_population(POP, golf=2023)
    with pytest.warns(SocvitWarning, match="outside bounds"):
        res = W.rake(wave2023, margins, by="gemeente", bounds=(0.7, 1.5), max_iter=200)
    # GM0047's 18-34 year olds need on average 2.08 x the mean weight: infeasible
    assert not res.converged and not res.bounds_met
    assert "bounds 0.7-1.5" in res.message
    assert res.max_margin_error == pytest.approx(res.margins["rel_error"].max())


def test_empty_category_error_and_neighbour_collapse(wave2023):
    margins = W.margins_from_population(POP, golf=2023)
    drop = (wave2023["gemeente"] == "GM0765") & (wave2023["leeftijdsklasse"] == "18-34 jaar")
    data = wave2023[~drop]
    with pytest.raises(DataError, match=r"gemeente=GM0765.*'18-34 jaar'.*'leeftijdsklasse'"):
        W.rake(data, margins, by="gemeente")
    res = W.rake(data, margins, by="gemeente", collapse={"leeftijdsklasse": "neighbour"})
    assert res.converged
    assert res.collapsed.to_dict("records") == [
        {"gemeente": "GM0765", "column": "leeftijdsklasse", "category": "18-34 jaar",
         "into": "35-49 jaar"}]
    row = res.margins[(res.margins["gemeente"] == "GM0765")
                      & (res.margins["column"] == "leeftijdsklasse")]
    assert row["category"].iloc[0] == "18-34 jaar + 35-49 jaar"
    m = margins["GM0765"]["leeftijdsklasse"]
    assert row["target"].iloc[0] == pytest.approx(m["18-34 jaar"] + m["35-49 jaar"])
    assert "collapsed" in res.summary()
    # other gemeenten keep four age classes
    assert (res.margins[(res.margins["gemeente"] == "GM0014")
                        & (res.margins["column"] == "leeftijdsklasse")].shape[0]) == 4


def test_sample_category_without_population_and_explicit_mapping(apistrat):
    m = {"stype": {"E": 4421, "H": 1773}, "sch.wide": M2["sch.wide"]}
    with pytest.raises(DataError, match=r"category 'M' of 'stype'.*no population"):
        W.rake(apistrat, m, base_weight="pw")
    with pytest.raises(DataError, match="not an ordered categorical"):
        W.rake(apistrat, m, base_weight="pw", collapse={"stype": "neighbour"})
    res = W.rake(apistrat, m, base_weight="pw", collapse={"stype": {"M": "H"}})
    assert res.converged
    assert res.weights[apistrat["stype"].isin(["H", "M"])].sum() == pytest.approx(1773)
    assert {"category": "M", "into": "H"}.items() <= res.collapsed.iloc[0].to_dict().items()


@pytest.mark.parametrize("margins,pattern", [
    ({"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5000}},
     r"do not sum to the same total.*'stype'.*6194.*'sch.wide'.*6072"),
    ({"stype": M2["stype"], "schwide": M2["sch.wide"]}, r"margin column 'schwide' is not in"),
    ({"stype": dict(M2["stype"], X=10), "sch.wide": dict(M2["sch.wide"], No=1082)},
     r"category 'X' of 'stype' has a population total of 10 but no respondents"),
])
def test_bad_margins(apistrat, margins, pattern):
    with pytest.raises(DataError, match=pattern):
        W.rake(apistrat, margins, base_weight="pw")


def test_unknown_label_of_categorical(wave2023):
    m = W.margins_from_population(POP, gemeente="GM0014", golf=2023)
    m["geslacht"] = {"Man": m["geslacht"]["man"], "vrouw": m["geslacht"]["vrouw"]}
    with pytest.raises(DataError, match=r"category 'Man'.*categories: man, vrouw"):
        W.rake(wave2023[wave2023["gemeente"] == "GM0014"], m)


@pytest.mark.parametrize("bad", [-1.0, np.nan])
def test_bad_base_weights(apistrat, bad):
    d = apistrat.copy()
    d.loc[5, "pw"] = bad
    with pytest.raises(DataError, match=r"'pw' weights must be non-negative.*rows \[5\]"):
        W.rake(d, M2, base_weight="pw")


def test_groups_without_rows_or_margins(wave2023):
    margins = W.margins_from_population(POP, golf=2023)
    with pytest.raises(DataError, match=r"GM0037.*zero rows"):
        W.rake(wave2023[wave2023["gemeente"] != "GM0037"], margins, by="gemeente")
    del margins["GM1979"]
    with pytest.raises(DataError, match=r"gemeente=GM1979 has respondents but no margins"):
        W.rake(wave2023, margins, by="gemeente")


def test_missing_margin_value_and_missing_column(apistrat):
    d = apistrat.copy()
    d.loc[7, "stype"] = np.nan
    with pytest.raises(DataError, match=r"'stype' is missing in 1 row"):
        W.rake(d, M2, base_weight="pw")
    with pytest.raises(DataError, match="The weights column 'gewicht' is not in the data"):
        W.rake(apistrat, M2, base_weight="gewicht")
    with pytest.raises(DataError, match="by column 'gemeente'"):
        W.rake(apistrat, {"x": M2}, by="gemeente")


def test_by_several_columns_all_waves():
    d = sv.load_sample().data
    margins = {}
    for golf in (2017, 2019, 2021, 2023):
        for gm, m in W.margins_from_population(POP, golf=golf).items():
            margins[(golf, gm)] = m
    margins = {k: v for k, v in margins.items()
               if ((d["golf"] == k[0]) & (d["gemeente"] == k[1])).any()}
    res = W.rake(d, margins, by=["golf", "gemeente"])
    assert res.converged and list(res.groups.columns[:2]) == ["golf", "gemeente"]
    tot = res.weights.groupby([d["golf"], d["gemeente"]]).sum()
    for (golf, gm), m in margins.items():
        assert tot[(golf, gm)] == pytest.approx(sum(m["geslacht"].values()), rel=1e-9)


@pytest.mark.parametrize("lo,hi", [(0.46, 2.0), (0.3, 1.45)])
def test_bounds_with_varying_base_weights(apistrat, lo, hi):
    res = W.rake(apistrat, M3, base_weight="pw", bounds=(lo, hi), max_iter=2000)
    free = W.rake(apistrat, M3, base_weight="pw")      # ratios 0.406 .. 1.496
    assert free.groups["min_ratio"].iloc[0] < lo or free.groups["max_ratio"].iloc[0] > hi
    assert res.converged and res.bounds_met
    ratio = res.weights / res.weights.mean()
    assert ratio.max() <= hi * (1 + 1e-9) and ratio.min() >= lo * (1 - 1e-9)
    assert res.margins["rel_error"].max() < 1e-10
    # rows with the same stratum, categories and base weight keep equal weights
    key = apistrat[["stype", "sch.wide", "awards", "pw"]].astype(str).agg("|".join, axis=1)
    assert (res.weights.groupby(key).nunique() == 1).all()


def test_zero_base_weights_stay_zero(apistrat):
    d = apistrat.assign(pw=apistrat["pw"].where(apistrat.index % 10 != 0, 0.0))
    res = W.rake(d, M2, base_weight="pw")
    assert res.converged and (res.weights[d["pw"] == 0] == 0).all()
    res = W.rake(d, M2, base_weight="pw", bounds=(0.3, 3), max_iter=500)
    assert res.converged and (res.weights[d["pw"] == 0] == 0).all()


def test_margins_shape_mistakes_are_explained(wave2023):
    per_group = W.margins_from_population(POP, golf=2023)
    with pytest.raises(DataError, match="margins per group: pass by="):
        W.rake(wave2023, per_group)
    flat = W.margins_from_population(POP, gemeente="GM0014", golf=2023)
    with pytest.raises(DataError, match="margins are given per group"):
        W.rake(wave2023, flat, by="gemeente")
