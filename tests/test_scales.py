"""Scale scoring against a hand computation on a tiny frame."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.codebook import Codebook
from socvit.scales import reverse, score, score_all, to_0_10, to_0_100

CB = Codebook.from_yaml(Path(__file__).parent / "data" / "mini_codebook.yaml")
# betrokkenheid: bet_1, bet_2, bet_3 (reverse, codes 1-5), min_valid 2

DF = pd.DataFrame({
    "bet_1": pd.array([4, 5, 1, None, None, 2], dtype="Int64"),
    "bet_2": pd.array([5, 3, None, None, 4, 2], dtype="Int64"),
    "bet_3": pd.array([2, 1, 5, 3, None, 2], dtype="Int64"),
})


def test_score_reverse_keys_and_applies_min_valid():
    got = score(DF, "betrokkenheid", CB)
    # by hand: bet_3 -> 6 - bet_3; mean of valid items; NA with fewer than 2 valid
    expected = [(4 + 5 + 4) / 3, (5 + 3 + 5) / 3, (1 + 1) / 2, np.nan, np.nan, (2 + 2 + 4) / 3]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-15)
    assert got.name == "betrokkenheid" and got.dtype == "float64"
    assert got.index.equals(DF.index)


def test_min_valid_argument_overrides_codebook():
    got = score(DF, "betrokkenheid", CB, min_valid=1)
    np.testing.assert_allclose(got.iloc[3:5].to_numpy(), [6 - 3, 4.0])
    got3 = score(DF, "betrokkenheid", CB, min_valid=3)
    assert got3.isna().tolist() == [False, False, True, True, True, False]


def test_sum_is_prorated_mean_times_items():
    mean = score(DF, "betrokkenheid", CB)
    total = score(DF, "betrokkenheid", CB, method="sum")
    np.testing.assert_allclose(total.to_numpy(), 3 * mean.to_numpy())


def test_items_and_reverse_override_without_codebook():
    got = score(DF, "eigen", items=["bet_1", "bet_2"], reverse=["bet_2"], min_valid=2)
    # without a codebook the reverse bounds are the lowest and highest answer over all the
    # scale's items (bet_1, bet_2: 1..5 -> 6 - x), as psych::scoreItems
    expected = [(4 + 1) / 2, (5 + 3) / 2, np.nan, np.nan, np.nan, (2 + 4) / 2]
    np.testing.assert_allclose(got.to_numpy(), expected)


def test_reverse_and_transforms_by_hand():
    r = reverse(DF, ["bet_1", "bet_3"], 1, 5)
    np.testing.assert_allclose(r["bet_1"].to_numpy(), [2, 1, 5, np.nan, np.nan, 4])
    assert list(r.columns) == ["bet_1", "bet_3"]
    x = pd.Series([1.0, 2.5, 5.0, np.nan])
    np.testing.assert_allclose(to_0_10(x).to_numpy(), [0, 3.75, 10, np.nan])
    np.testing.assert_allclose(to_0_100(x).to_numpy(), [0, 37.5, 100, np.nan])
    np.testing.assert_allclose(to_0_10(np.array([1, 10]), low=1, high=10), [0, 10])
    with pytest.raises(ValueError, match="below"):
        to_0_10(x, low=5, high=1)


def test_score_all_and_groups():
    df = DF.copy()
    out = score_all(df, codebook=CB)
    assert list(out.columns) == ["betrokkenheid"]
    pd.testing.assert_series_equal(out["betrokkenheid"], score(df, "betrokkenheid", CB))
    with pytest.raises(sv.DataError, match="groups: organisatiekracht"):
        score_all(df, group="actie", codebook=CB)


def test_sample_panel_scores():
    panel = sv.load_sample()
    scores = score_all(panel, group="organisatiekracht")
    assert list(scores.columns) == ["betrokkenheid", "overtuigingen", "bereidheid", "capaciteit"]
    assert scores.min().min() >= 1 and scores.max().max() <= 5
    # hand computation for the first complete row of capaciteit (cap_3 reversed)
    items = panel.items("capaciteit")
    row = items.dropna().index[0]
    x = items.loc[row].to_numpy()
    assert scores.loc[row, "capaciteit"] == pytest.approx((x[0] + x[1] + (6 - x[2]) + x[3]) / 4)


@pytest.mark.parametrize("kwargs,words", [
    (dict(scale="onbekend"), "Scale 'onbekend' is not in the codebook"),
    (dict(scale="betrokkenheid", min_valid=0), "min_valid=0"),
    (dict(scale="betrokkenheid", min_valid=4), "min_valid=4"),
    (dict(scale="betrokkenheid", min_valid=1.5), "min_valid=1.5"),
])
def test_clear_errors(kwargs, words):
    with pytest.raises(sv.DataError, match=words):
        score(DF, codebook=CB, **kwargs)


def test_item_missing_from_data_and_text_items():
    with pytest.raises(sv.DataError, match="The item column .bet_3. is not in the data"):
        score(DF.drop(columns="bet_3"), "betrokkenheid", CB)
    with pytest.raises(sv.DataError, match="Item .bet_1. is not numeric"):
        score(DF.assign(bet_1=DF["bet_1"].astype("string")), "betrokkenheid", CB)
    with pytest.raises(ValueError, match="method"):
        score(DF, "betrokkenheid", CB, method="median")
    with pytest.raises(TypeError):
        score([1, 2], "betrokkenheid", CB)


def test_matches_psych_scoreitems():
    # reference: tests/reference/scales/make_reference.R (psych::scoreItems, impute = "none")
    ref_dir = Path(__file__).parent / "reference" / "scales"
    items = pd.read_csv(ref_dir / "items.csv")
    ref = pd.read_csv(ref_dir / "scores.csv")
    cb = sv.load_sample().codebook
    assert items.isna().any(axis=1).sum() > 50          # the comparison covers missing items
    for name in ("betrokkenheid", "capaciteit"):
        got = score(items, name, cb, min_valid=1)
        np.testing.assert_allclose(got.to_numpy(), ref[name].to_numpy(), rtol=1e-14, atol=0)


def test_without_codebook_reverses_like_psych_on_a_small_group():
    # reference: tests/reference/scales/make_reference.R (psych::scoreItems without min/max
    # on the first 20 rows of bfi, where A1 is answered 2-6, C4 and E1 1-5: an item's own
    # range would reverse them as 8 - x or 6 - x instead of psych's 7 - x)
    ref_dir = Path(__file__).parent / "reference"
    bfi = pd.read_csv(ref_dir / "reliability" / "bfi.csv").head(20)
    ref = pd.read_csv(ref_dir / "scales" / "bfi_small_group.csv")
    assert bfi["A1"].min() == 2 and bfi["C4"].max() == 5 and bfi["E1"].max() == 5
    keys = {"A": ["A1"], "C": ["C4", "C5"], "E": ["E1", "E2"]}
    for name, rev in keys.items():
        got = score(bfi, name, items=[f"{name}{i}" for i in range(1, 6)], reverse=rev,
                    min_valid=1)
        np.testing.assert_allclose(got.to_numpy(), ref[name].to_numpy(), rtol=1e-14, atol=0)


def test_codebook_range_wins_over_the_data_on_the_other_panel(tmp_path):
    # the other panel asks vermogen (capaciteit) on 7 points: in a group where nobody
    # answered 1 or 7, the reversed item still goes 8 - x (the codebook's codes)
    from other_panel import write
    panel = sv.load_panel(write(tmp_path))
    cb = panel.codebook
    sc = cb.scale("vermogen")
    rev = sc.reverse[0]
    items = panel.data[sc.items]
    small = items[(items >= 2).all(axis=1) & (items <= 6).all(axis=1)].head(30)
    assert small[rev].min() >= 2 and small[rev].max() <= 6
    got = score(small, "vermogen", cb, min_valid=4)
    x = small.to_numpy(float)
    x[:, sc.items.index(rev)] = 8 - x[:, sc.items.index(rev)]
    np.testing.assert_allclose(got.to_numpy(), x.mean(axis=1), rtol=1e-15)
    # without the codebook: the data's range over all four items (2..6 -> 8 - x as well)
    plain = score(small, "vermogen", items=sc.items, reverse=[rev], min_valid=4)
    np.testing.assert_allclose(plain.to_numpy(), got.to_numpy(), rtol=1e-15)
