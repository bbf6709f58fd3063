"""Within-person logit (kind="within_logit") against R's survival::clogit.

Reference values: tests/reference/regression/make_reference_clogit.R (run from the
repository root with Rscript); it exports R's infert data and a subset of the sample's panel
(every wave of three gemeenten) next to the values. Iterative fits: 1e-4 relative.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import regression as reg
from socvit.errors import DataError

import other_panel as op

REF = Path(__file__).parent / "reference" / "regression"
CODEBOOK = sv.io.SAMPLE_DIR / "codebook.yaml"
RTOL = 1e-4


def stat(model, name):
    f = pd.read_csv(REF / "fitstats_clogit.csv")
    return float(f.loc[(f.model == model) & (f.stat == name), "value"].iloc[0])


def check(res, name):
    r = pd.read_csv(REF / f"{name}.csv")
    # R's "factor(golf)2019" is patsy's "C(golf)[T.2019]"
    r["term"] = r.term.str.replace(r"^factor\((\w+)\)(.+)$", r"C(\1)[T.\2]", regex=True)
    t = res.table.set_index("term")
    assert sorted(t.index) == sorted(r.term)
    t = t.loc[r.term]
    for c in ("estimate", "se", "p"):
        np.testing.assert_allclose(t[c], r[c], rtol=RTOL, err_msg=f"{name}: {c}")
    for s in ("loglik", "loglik_null", "n"):
        assert res.fit[s] == pytest.approx(stat(name, s), rel=1e-8), s
    assert res.fit["n_persons"] == stat(name, "n_groups")


@pytest.fixture(scope="module")
def infert():
    return pd.read_csv(REF / "infert.csv")


def test_infert_matches_clogit(infert):
    res = reg.fit("case ~ spontaneous + induced", infert, kind="within_logit", groups="stratum")
    check(res, "clogit_infert")
    assert res.se_type.startswith("classic")
    np.testing.assert_allclose(res.table.odds_ratio, np.exp(res.table.estimate))
    assert (res.table.or_ci_lower < res.table.odds_ratio).all()
    assert res.fit["n_persons_no_change"] == 0


@pytest.fixture(scope="module")
def panel():
    p = sv.load_panel(REF / "sample_clogit.csv", CODEBOOK, check=False)
    p.data["bereidheid"] = sv.scales.score(p, "bereidheid")
    return p


def test_sample_panel_matches_clogit_and_counts_respondents_without_change(panel):
    res = reg.fit("actief ~ C(golf) + bereidheid", panel, kind="within_logit",
                  labels="nl")        # groups: the codebook's id column (resp_id)
    check(res, "clogit_sample_actief")
    m = "clogit_sample_actief"
    assert res.fit["n_persons_no_change"] == stat(m, "n_persons_all") - stat(m, "n_groups")
    assert res.fit["n_rows_no_change"] == stat(m, "n_rows_all") - stat(m, "n")
    assert res.n + res.fit["n_rows_no_change"] + res.n_dropped == len(panel.data)
    assert "Bereidheid" in list(res.table.label)


def test_within_on_a_binary_outcome_stays_a_linear_probability_model(panel):
    lpm = reg.fit("actief ~ C(golf) + bereidheid", panel, kind="within")
    logit = reg.fit("actief ~ C(golf) + bereidheid", panel, kind="within_logit")
    assert "odds_ratio" not in lpm.table and "odds_ratio" in logit.table
    b_lpm = lpm.table.set_index("term").estimate["bereidheid"]
    b_logit = logit.table.set_index("term").estimate["bereidheid"]
    assert 0 < b_lpm < 0.25 < b_logit      # a probability per point vs a log odds ratio


def test_errors_name_the_problem(infert, panel):
    d = panel.data
    with pytest.raises(DataError, match="No respondent's 'actief' changes"):
        reg.fit("actief ~ bereidheid", d.loc[d.golf == 2023], kind="within_logit",
                groups="resp_id")
    with pytest.raises(DataError, match="coded 0/1.*'spontaneous'"):
        reg.fit("spontaneous ~ induced", infert, kind="within_logit", groups="stratum")
    with pytest.raises(DataError, match="'age' does not vary within"):
        reg.fit("case ~ age + induced", infert, kind="within_logit", groups="stratum")
    with pytest.raises(DataError, match="does not take survey weights"):
        reg.fit("case ~ induced", infert.assign(w=1.0), kind="within_logit",
                groups="stratum", weights="w")
    with pytest.raises(ValueError, match="no strata= or cluster="):
        reg.fit("case ~ induced", infert, kind="within_logit", groups="stratum",
                cluster="stratum")
    with pytest.raises(ValueError, match="model-based"):
        reg.fit("case ~ induced", infert, kind="within_logit", groups="stratum", se="HC1")
    with pytest.raises(ValueError, match="needs groups="):
        reg.fit("case ~ induced", infert, kind="within_logit")


def test_separation_is_named(infert):
    d = infert.assign(perfect=infert.case * 1.0 + 0.0)
    with pytest.raises(DataError, match="separation.*'perfect'"):
        reg.fit("case ~ perfect + induced", d, kind="within_logit", groups="stratum")


def test_other_panel_uses_its_own_id_and_names(tmp_path):
    """Renamed columns (respondent, jaar, vrijwilliger) and the id from the other codebook
    give the sample's model."""
    op.write(tmp_path)
    other = sv.load_panel(tmp_path / "panel.csv", tmp_path / "codebook.yaml", check=False)
    other.data["inzetbereidheid"] = sv.scales.score(other, "inzetbereidheid")
    ours = reg.fit("vrijwilliger ~ C(jaar) + inzetbereidheid", other, kind="within_logit")
    sample = sv.load_sample()
    sample.data["bereidheid"] = sv.scales.score(sample, "bereidheid")
    theirs = reg.fit("actief ~ C(golf) + bereidheid", sample, kind="within_logit")
    np.testing.assert_allclose(ours.table.estimate, theirs.table.estimate, rtol=1e-8)
    np.testing.assert_allclose(ours.table.se, theirs.table.se, rtol=1e-6)
    assert ours.fit["n_persons"] == theirs.fit["n_persons"] > 1000
    assert list(ours.table.term) == ["C(jaar)[T.2019]", "C(jaar)[T.2021]", "C(jaar)[T.2023]",
                                     "inzetbereidheid"]
