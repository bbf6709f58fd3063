"""The report's comparison-area numbers from per-gemeente sums (socvit.report._comparison)
equal those computed from the rows (the slow path: socvit.estimates on the stacked rows of
the gemeente and its comparison area), on the sample and on another bureau's panel, with a
region as comparison area and with hidden gemeenten."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import other_panel
from socvit import report
from socvit.report import _comparison, sections

RTOL = 1e-10
#: columns that are differences of two estimates: they inherit the rounding of the estimates
#: (about 1e-13 absolute on a national panel), so they are compared on the estimates' scale
DIFFERENCES = ("difference", "ci_lower", "ci_upper", "statistic", "p")


@pytest.fixture(autouse=True)
def _fast_again():
    yield
    _comparison.ENABLED = True


def _tables(r):
    """Every comparison table of a report, computed once."""
    roles = r.roles
    r.counters.pop("kerncijfers", None)
    out = {"means": sections._by_group(r, [*roles.scales, *roles.elements]),
           "compare": sections._compare_many(r, [*roles.scales, roles.mark])}
    if roles.activity:
        out["share"] = sections._compare_many(r, [roles.activity], kind="proportion",
                                              categories=[1])
        out["trend"] = sections.trends(r).tables.get("actief")
    if roles.actie:
        out["actie"] = sections._compare_many(r, list(roles.actie))
    return out


def _both(r):
    _comparison.ENABLED = True
    fast = _tables(r)
    _comparison.ENABLED = False
    slow = _tables(r)
    _comparison.ENABLED = True
    return fast, slow


def _assert_same(fast, slow):
    assert fast.keys() == slow.keys()
    for key in slow:
        a, b = fast[key], slow[key]
        assert a is not None and b is not None, key
        diff = [c for c in DIFFERENCES if c in b.columns and "estimate_other" in b.columns]
        pd.testing.assert_frame_equal(a.drop(columns=diff), b.drop(columns=diff),
                                      check_exact=False, rtol=RTOL, atol=0, obj=key)
        assert a.attrs == b.attrs
        for c in diff:
            scale = {"p": 1.0, "statistic": np.nanmax(np.abs(b["estimate"] / b["se"]))}.get(
                c, np.nanmax(np.abs(b["estimate"].to_numpy(dtype=float))))
            np.testing.assert_allclose(a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float),
                                       rtol=RTOL, atol=RTOL * scale, err_msg=f"{key}: {c}")


def _calls(monkeypatch):
    """Count the fast path's answers (None: it fell back to the rows)."""
    seen = []
    for name in ("compare", "means", "shares"):
        real = getattr(_comparison, name)

        def spy(*args, _real=real, **kwargs):
            out = _real(*args, **kwargs)
            seen.append(out is not None)
            return out
        monkeypatch.setattr(_comparison, name, spy)
    return seen


@pytest.mark.parametrize("gemeente", ["GM1979", "GM0014", "GM0765"])
def test_sample_fast_equals_rows(gemeente, monkeypatch):
    r = report.prepare(gemeente, 2023)
    seen = _calls(monkeypatch)
    fast, slow = _both(r)
    assert seen and all(seen[: len(seen) // 2])      # the fast path answered every call
    _assert_same(fast, slow)
    assert fast["compare"]["n_other"].gt(1000).all()    # the rest of the province


def test_region_and_earlier_wave():
    r = report.prepare("GM1966", 2021, compare_to="Noord-Groningen")
    assert r.compare_codes is not None
    fast, slow = _both(r)
    _assert_same(fast, slow)
    whole = report.prepare("GM1966", 2021)
    assert (fast["compare"]["n_other"] < _both(whole)[0]["compare"]["n_other"]).all()


def test_hidden_gemeente_stays_out_as_in_the_rows():
    # Pekela (GM0765) has 118 respondents in 2023: with min_n 150 it is hidden
    r = report.prepare("GM1979", 2023, min_n=150, warn_n=150)
    open_ = report.prepare("GM1979", 2023, min_n=10, warn_n=30)
    fast, slow = _both(r)
    _assert_same(fast, slow)
    if "GM0765" in getattr(r, "hidden", ()):         # the run-wide secondary suppression
        n_hidden = int((r.wave()["_gemeente"] == "GM0765").sum())
        n_open = _both(open_)[0]["compare"]["n_other"].to_numpy()
        assert np.all(n_open - fast["compare"]["n_other"].to_numpy() >= n_hidden - 2)


def test_measure_hidden_in_one_gemeente_only():
    # min_n 118: Pekela's 118 rows stay, but it has fewer valid answers on some measures
    r = report.prepare("GM1979", 2023, min_n=118, warn_n=118)
    fast, slow = _both(r)
    _assert_same(fast, slow)


def test_other_panel(tmp_path):
    path = other_panel.write(tmp_path)
    for code in ("GM1979", "GM0014"):
        r = report.prepare(code, 2023, data=path)
        assert r.method == "meegeleverd"               # its own, varying weights
        fast, slow = _both(r)
        _assert_same(fast, slow)


def test_report_text_unchanged():
    r = report.prepare("GM0037", 2023)
    texts = {}
    for fast in (True, False):
        _comparison.ENABLED = fast
        r.counters.clear()
        r.counters.update({"figuur": 0, "tabel": 0})
        texts[fast] = [getattr(sections, s)(r).markdown() for s in
                       ("kerncijfers", "organisatiekracht", "ondersteuning", "trends")]
    assert texts[True] == texts[False]
    assert "Rest van de provincie" in "".join(texts[True])


def test_sums_are_kept_per_prepared_panel():
    r = report.prepare("GM1979", 2023)
    sections._compare_many(r, ["betrokkenheid"])
    cells = r.shared["_comparison_cells"]
    other = report.prepare("GM0014", 2023)          # the same prepared data
    sections._compare_many(other, ["betrokkenheid"])
    assert other.shared["_comparison_cells"] is cells
    assert ("betrokkenheid", None) in cells.columns


# --------------------------------------------------------------------------- shared data
def _copy_sample(folder):
    import shutil

    import socvit as sv
    for name in ("panel.csv", "codebook.yaml", "bevolking.csv"):
        shutil.copyfile(sv.io.SAMPLE_DIR / name, folder / name)
    return folder / "panel.csv"


def test_prepared_once_and_shared(tmp_path, monkeypatch):
    from socvit.report import _prepare
    monkeypatch.setattr(_prepare, "SHARE_MIN_BYTES", 0)
    monkeypatch.setattr(_prepare, "_shared_dir", lambda: tmp_path / "prepared")
    path = _copy_sample(tmp_path)
    _prepare._CACHE.clear()
    own = report.prepare("GM1979", 2023, data=path)          # prepared in this process
    _prepare._CACHE.clear()
    folder = _prepare.share_prepared(path, golf=2023)
    assert folder is not None and (folder / "data.feather").is_file()
    reads = []
    real = _prepare._read_feather
    monkeypatch.setattr(_prepare, "_read_feather", lambda p: reads.append(p) or real(p))
    monkeypatch.setattr(_prepare, "_build", lambda *a, **k: pytest.fail("prepared again"))
    shared = report.prepare("GM1979", 2023, data=path)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(shared.data, own.data)
    assert shared.data_hash == own.data_hash and shared.weging_methode == own.weging_methode
    assert report.prepare("GM0014", 2023, data=path).data is shared.data   # kept, not re-read
    own.counters.clear(), own.counters.update({"figuur": 0, "tabel": 0})
    assert [getattr(sections, s)(shared).markdown() for s in ("kerncijfers", "trends")] == \
        [getattr(sections, s)(own).markdown() for s in ("kerncijfers", "trends")]
    _prepare.unshare_prepared(folder)
    assert not folder.exists()


def test_shared_data_of_a_changed_file_are_not_used(tmp_path, monkeypatch):
    import os

    from socvit.report import _prepare
    monkeypatch.setattr(_prepare, "SHARE_MIN_BYTES", 0)
    monkeypatch.setattr(_prepare, "_shared_dir", lambda: tmp_path / "prepared")
    path = _copy_sample(tmp_path)
    folder = _prepare.share_prepared(path, golf=2023)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))     # the file changed since
    _prepare._CACHE.clear()
    monkeypatch.setattr(_prepare, "_read_feather", lambda p: pytest.fail("stale data read"))
    r = report.prepare("GM1979", 2023, data=path)
    assert len(r.data) > 0
    _prepare.unshare_prepared(folder)


def test_small_files_are_not_shared(tmp_path, monkeypatch):
    from socvit.report import _prepare
    monkeypatch.setattr(_prepare, "_shared_dir", lambda: tmp_path / "prepared")
    path = _copy_sample(tmp_path)                  # 1.6 MB: a kernel prepares it faster
    assert _prepare.share_prepared(path, golf=2023) is None
    assert not (tmp_path / "prepared").exists()


def test_shared_data_readable_by_the_user_only(tmp_path, monkeypatch):
    import stat

    from socvit.report import _prepare
    monkeypatch.setattr(_prepare, "SHARE_MIN_BYTES", 0)
    monkeypatch.setattr(_prepare, "_shared_dir", lambda: tmp_path / "socvit" / "prepared")
    folder = _prepare.share_prepared(_copy_sample(tmp_path), golf=2023)
    for d in (folder, folder.parent, folder.parent.parent):
        assert stat.S_IMODE(d.stat().st_mode) & 0o077 == 0, d
    _prepare.unshare_prepared(folder)
