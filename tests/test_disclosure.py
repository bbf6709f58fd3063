"""socvit.disclosure: small-cell rules (min_n suppressed, warn_n indicative)."""

import numpy as np
import pandas as pd
import pytest

from socvit import disclosure
from socvit.disclosure import Rules


def _table():
    return pd.DataFrame({"gemeente": ["a", "b", "c", "d"], "estimate": [0.1, 0.2, 0.3, 0.4],
                         "se": [0.01] * 4, "ci_lower": [0.0] * 4, "ci_upper": [0.5] * 4,
                         "n": [9, 10, 29, 30], "n_eff": [8.0, 9.0, 25.0, 28.0]})


def test_defaults_suppress_below_10_and_mark_below_30():
    out = disclosure.apply(_table())
    assert out["suppressed"].tolist() == [True, False, False, False]
    assert out["indicative"].tolist() == [False, True, True, False]
    assert out.loc[0, ["estimate", "se", "ci_lower", "ci_upper"]].isna().all()
    assert out.loc[1:, "estimate"].tolist() == [0.2, 0.3, 0.4]
    assert out["reason"].tolist() == ["minder dan 10 respondenten",
                                      "indicatief: minder dan 30 respondenten",
                                      "indicatief: minder dan 30 respondenten", ""]
    # counts and effective n stay: they are not the published number
    assert out["n"].tolist() == [9, 10, 29, 30]
    assert out.loc[0, "n_eff"] == 8.0


def test_input_not_modified_and_rules_configurable():
    t = _table()
    out = disclosure.apply(t, rules=Rules(min_n=20, warn_n=50))
    assert "suppressed" not in t.columns and t.loc[0, "estimate"] == 0.1
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["indicative"].tolist() == [False, False, True, True]
    assert out.loc[0, "reason"] == "minder dan 20 respondenten"
    assert out.loc[3, "reason"] == "indicatief: minder dan 50 respondenten"
    out2 = Rules(min_n=5, warn_n=5).apply(t)
    assert not out2["suppressed"].any() and not out2["indicative"].any()
    assert disclosure.apply(t, min_n=30)["suppressed"].tolist() == [True, True, True, False]


def test_smallest_of_several_counts_decides_and_applying_twice_keeps_suppression():
    t = _table().assign(n_other=[100, 5, 100, 100], difference=[1.0, 2.0, 3.0, 4.0])
    out = disclosure.apply(t, n_col=["n", "n_other"])
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert np.isnan(out.loc[1, "difference"])
    again = disclosure.apply(out.assign(n=[100, 100, 100, 100], n_other=100))
    assert again["suppressed"].tolist() == [True, True, False, False]
    assert not again["indicative"].any()


def test_missing_count_is_suppressed():
    t = _table().astype({"n": "Int64"})
    t.loc[3, "n"] = pd.NA
    assert disclosure.apply(t)["suppressed"].tolist() == [True, False, False, True]


@pytest.mark.parametrize("kw", [dict(min_n=0), dict(min_n=-3), dict(warn_n=2.5),
                                dict(min_n=40, warn_n=30), dict(min_n=True)])
def test_rules_validation(kw):
    with pytest.raises(ValueError):
        Rules(**kw)


def test_bad_table_and_count_column():
    with pytest.raises(ValueError, match="aantal"):
        disclosure.apply(_table(), n_col="aantal")
    with pytest.raises(TypeError):
        disclosure.apply([1, 2, 3])
    with pytest.raises(TypeError):
        disclosure.apply(_table(), rules={"min_n": 5})


@pytest.mark.parametrize("labels", [None, object])
def test_added_columns_as_if_set_one_by_one(labels):
    """apply adds its columns in one step where it can; the result is what setting them one
    after the other gives: same labels (and label dtype), order, index and values."""
    t = pd.DataFrame({"estimate": [0.4, 0.5], "n": [8, 40], "suppressed": [False, True]},
                     index=[3, 3])
    if labels is not None:
        t.columns = pd.Index(list(t.columns), dtype=labels)
    want = t.copy()
    want.loc[[True, False], "estimate"] = np.nan
    want["suppressed"] = [True, True]
    want["indicative"] = [False, False]
    want["reason"] = pd.Series(["minder dan 10 respondenten"] * 2, index=t.index,
                               dtype="string")
    got = disclosure.apply(t)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.columns.dtype == want.columns.dtype


# --------------------------------------------------------------------------- secondary
def _kernen():
    return pd.DataFrame({"kern": ["A", "B", "C", "D"], "n": [40, 25, 12, 5],
                         "estimate": [6.1, 6.8, 7.0, 5.2]})


def test_secondary_hides_the_next_smallest_until_the_hidden_hold_min_n():
    t = _kernen()
    out = disclosure.secondary(t, total_n=82)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["secondary"].tolist() == [False, False, True, False]
    assert out.loc[2:, ["n", "estimate"]].isna().all(axis=None)
    # the attack: the total minus the shown cells is the hidden ones together, >= min_n
    assert 82 - out["n"].sum() == 17 == out.attrs["residual"][0]
    assert "suppressed" not in t.columns and t.loc[3, "n"] == 5          # input kept


def test_secondary_leaves_a_safe_table_alone():
    t = _kernen().assign(n=[40, 25, 6, 5])               # two hidden: 11 together
    out = disclosure.secondary(t)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert not out["secondary"].any()
    none = disclosure.secondary(_kernen().assign(n=[40, 25, 12, 11]))
    assert not none["suppressed"].any() and none.attrs["residual"] == [0.0]


def test_secondary_counts_respondents_outside_every_cell():
    """3 respondents without a kern: the total minus all the kernen would give their mean,
    so the smallest kern is hidden with them."""
    t = _kernen().assign(n=[40, 25, 12, 11])
    out = disclosure.secondary(t, total_n=91)
    assert out["suppressed"].tolist() == [False, False, False, True]
    assert out.attrs["residual"] == [14.0]


def test_secondary_checks_every_published_total():
    """Respondents per kern are safe, but the n's on a second score (``n_y``) leave 4."""
    t = pd.DataFrame({"kern": list("ABCD"), "n": [40, 25, 12, 12], "n_y": [40, 25, 12, 4]})
    primary = t.assign(suppressed=[False, False, False, True])
    out = disclosure.secondary(primary, total_n=[89, 81], n_col=["n", "n_y"])
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["secondary"].tolist() == [False, False, True, False]
    assert out.loc[3, ["n", "n_y"]].isna().all()
    assert all(x == 0 or x >= 10 for x in out.attrs["residual"])


def test_secondary_hides_everything_when_the_total_itself_is_too_small():
    t = pd.DataFrame({"kern": list("AB"), "n": [6, 2]})
    out = disclosure.secondary(t)
    assert out["suppressed"].all() and out.attrs["residual"] == [8.0]


def test_secondary_marks_reason_and_clears_indicative():
    t = disclosure.apply(_kernen().assign(n=[40, 25, 12, 5]))
    out = disclosure.secondary(t, total_n=82)
    assert out.loc[2, "reason"] == disclosure.SECONDARY_REASON
    assert out.loc[3, "reason"] == "minder dan 10 respondenten"
    assert not out.loc[2, "indicative"] and out.loc[1, "indicative"]


def test_secondary_on_random_tables_never_leaves_a_small_residual():
    """Random breakdowns and totals: whatever the shown cells, the total minus them is 0 or
    at least min_n (or every cell is hidden); hidden cells are primary or the smallest."""
    rng = np.random.default_rng(14)
    for _ in range(300):
        k = int(rng.integers(1, 12))
        n = rng.integers(0, 60, size=k)
        extra = int(rng.integers(0, 4)) * int(rng.integers(0, 2))
        min_n = int(rng.integers(2, 20))
        out = disclosure.secondary(pd.DataFrame({"n": n}), total_n=n.sum() + extra,
                                   min_n=min_n)
        hidden = out["suppressed"].to_numpy()
        left = n.sum() + extra - n[~hidden].sum()
        assert left == 0 or left >= min_n or hidden.all()
        assert (hidden[n < min_n]).all()
        sec = out["secondary"].to_numpy()
        if sec.any() and (~hidden).any():
            assert n[sec].max() <= n[~hidden].min()


def test_secondary_bad_input():
    with pytest.raises(ValueError, match="aantal"):
        disclosure.secondary(_kernen(), n_col="aantal")
    with pytest.raises(ValueError, match="one total per count column"):
        disclosure.secondary(_kernen(), total_n=[82, 80])
    with pytest.raises(ValueError, match="smaller than the sum"):
        disclosure.secondary(_kernen(), total_n=50)
    with pytest.raises(TypeError):
        disclosure.secondary([1, 2])
