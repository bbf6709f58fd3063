"""Disclosure as an attacker tries it (issue 14): subtract published numbers to recover a
group of fewer than min_n respondents, and check that it fails.

Across the reports of one run: with Pekela cut to 9 respondents its own report shows nothing,
and its respondents must count in no other report's figure either (rest of the province, a
region, the whole-panel reliability and model, the trends, the map). Two kinds of attack:

* invariance: give Pekela's 9 respondents other answers; every number the other reports
  publish must stay the same (then no subtraction, however clever, can recover them);
* the issue's own subtractions (rest of the province x population - the other gemeenten's
  own figures; a region of three; respondent counts), run once with the rule switched off
  as a control (the attack then works) and once with it (it recovers nothing).

Within a report: the gemeente's totals minus the shown kernen must leave nothing or at
least min_n respondents (Boven Pekela, 5 respondents, was recoverable exactly).
"""

import re
import shutil
import tempfile
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import disclosure
from socvit.report import sections
from socvit.report._prepare import G, W, Rapport

import other_panel

matplotlib.use("Agg")

PEKELA, GRONINGEN, EEMSDELTA = "GM0765", "GM0014", "GM1979"
OLDAMBT, STADSKANAAL = "GM1895", "GM0037"
REGION = [PEKELA, OLDAMBT, STADSKANAAL]
SAMPLE_2023 = ["GM0014", "GM0037", "GM0047", "GM0765", "GM1895", "GM1950", "GM1952",
               "GM1966", "GM1969", "GM1979"]


@pytest.fixture(scope="module")
def panel():
    return sv.load_sample()


def _answers(cb) -> list:
    """The columns behind published figures: every scale's items, activity and mark."""
    cols = [i for s in cb.scales.values() for i in s.items]
    cols += [c for c in (cb.roles.activity, cb.roles.mark) if c]
    return list(dict.fromkeys(cols))


def _cut(data, code, golf, keep=9, gcol="gemeente", wcol="golf", kcol="kern"):
    """``data`` with gemeente ``code`` in wave ``golf`` cut to ``keep`` respondents (the
    smallest kern first, as in the issue: Boven Pekela's 5 and 4 others)."""
    rows = data[(data[wcol] == golf) & (data[gcol] == code)]
    order = rows[kcol].map(rows[kcol].value_counts()).sort_values(kind="stable").index
    drop = rows.index.difference(order[:keep])
    return data.drop(index=drop)


def _swap(data, code, golf, cb, donor=GRONINGEN, gcol="gemeente", wcol="golf"):
    """``data`` with the answers of ``code``'s respondents in ``golf`` replaced by those of
    as many respondents of ``donor`` (valid answers, other values: active ones first)."""
    out = data.copy()
    rows = out.index[(out[wcol] == golf) & (out[gcol] == code)]
    pool = out[(out[wcol] == golf) & (out[gcol] == donor)]
    donors = pool.sort_values(cb.roles.activity, ascending=False, kind="stable").index[:len(rows)]
    for c in _answers(cb):
        out[c] = out[c].astype(object)
        out.loc[rows, c] = out.loc[donors, c].to_numpy()
        out[c] = out[c].astype(data[c].dtype)
    return out


def _panel(data, base):
    return sv.io.Panel(data, base.codebook, base.source)


def _published(r: Rapport, monkeypatch) -> dict:
    """Every table and text the report publishes (the sections' tables, their Markdown,
    the headline). The model is fitted on the whole province for every report
    (INZET_MIN_N raised), so that path is attacked as well."""
    monkeypatch.setattr(sections, "INZET_MIN_N", 10**6)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sections.shown_sections(r):
            sec = getattr(sections, name)(r)
            # the data file's hash differs with the file, by design; the date with the clock
            text = re.sub(r"SHA-256 `[0-9a-f]+…`", "", sec.markdown())
            out[f"{name}:text"] = re.sub(r"\d{1,2} [a-z]+ 20\d\d", "DATUM", text)
            for key, table in sec.tables.items():
                out[f"{name}:{key}"] = table
    out["headline"] = pd.DataFrame([sections.headline(r)])
    import matplotlib.pyplot as plt
    plt.close("all")
    return out


def _same(a: dict, b: dict) -> list:
    """The keys where two publications differ (numbers to 1e-9 relative)."""
    diff = []
    for key in a:
        x, y = a[key], b.get(key)
        if isinstance(x, str):
            if x != y:
                diff.append(key)
            continue
        try:
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True),
                                          check_exact=False, rtol=1e-9, atol=1e-12,
                                          check_dtype=False)
        except AssertionError:
            diff.append(key)
    return diff


def _rule_off(monkeypatch):
    """The control: no gemeente and no measure hidden from the comparison areas."""
    monkeypatch.setattr(Rapport, "hidden_in", lambda self, golf: frozenset())
    monkeypatch.setattr(Rapport, "hidden_for", lambda self, column, golf=None: frozenset())


# --------------------------------------------------------------------------- across reports
def test_other_reports_do_not_change_when_a_hidden_gemeentes_answers_do(panel, monkeypatch):
    """Pekela cut to 9 in 2023: Groningen's and Eemsdelta's reports (rest of the province,
    map, reliability of all respondents, the province model) are the same number
    for number whatever Pekela's 9 answered; with the rule off they are not (control)."""
    cut = _cut(panel.data, PEKELA, 2023)
    swapped = _swap(cut, PEKELA, 2023, panel.codebook)
    reports = {}
    for name, data in (("cut", cut), ("swapped", swapped)):
        path = _file(data, panel)
        for code in (GRONINGEN, EEMSDELTA):
            r = sections.prepare(code, 2023, data=path)
            assert r.hidden == frozenset({PEKELA})
            reports[name, code] = _published(r, monkeypatch)
    for code in (GRONINGEN, EEMSDELTA):
        assert _same(reports["cut", code], reports["swapped", code]) == [], code
    # Pekela's count is not published either: its map row has no n
    kaart = reports["cut", GRONINGEN]["kerncijfers:kaart"].set_index("gemeente")
    assert bool(kaart.loc[PEKELA, "suppressed"]) and pd.isna(kaart.loc[PEKELA, "n"])
    # the method section names the gemeente left out (its name is public, its count not)
    text = reports["cut", GRONINGEN]["verantwoording:text"]
    assert "minder dan 10 respondenten (in 2023: Pekela) tellen ook niet mee" in text
    assert " 9 " not in text.replace("(in 2023: Pekela)", "")
    # control: without the rule, Groningen's comparison figures follow Pekela's answers
    _rule_off(monkeypatch)
    off = [_published(sections.prepare(GRONINGEN, 2023, data=_file(d, panel)), monkeypatch)
           for d in (cut, swapped)]
    assert "kerncijfers:kerncijfers" in _same(*off)


def _file(data, base) -> Path:
    """``data`` written to a file of its own (with the sample's codebook and population
    beside it), so that the reports made from it share one prepared panel, as in a run."""
    folder = Path(tempfile.mkdtemp(prefix="socvit-attack-"))
    for name in ("codebook.yaml", "bevolking.csv"):
        shutil.copy(sv.io.SAMPLE_DIR / name, folder / name)
    return sv.io.write_panel(_panel(data, base), folder / "panel.csv")


def _kerncijfers(data, base, codes, **kw) -> dict:
    """Each gemeente's headline comparison (``sections._kerncijfers``) on ``data``."""
    path = _file(data, base)
    out = {}
    for code in codes:
        r = sections.prepare(code, 2023, data=path, **kw)
        if r.enough():
            out[code] = sections._kerncijfers(r).set_index("column")
    return out


def _population(golf=2023) -> pd.Series:
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    return bev[bev["golf"] == golf].groupby("gemeente")["aantal"].sum()


def _truth(data, base, code, column="actief"):
    """Pekela's weighted share active, from the prepared data (what the attacker wants)."""
    r = sections.prepare(code, 2023, data=_panel(data, base))
    wave = r.wave()
    gem = wave.loc[r.in_gemeente(wave) & wave[column].notna()]
    return float(np.average(gem[column].astype(float), weights=gem[W]))


def _province_attack(tables, pop, column="actief"):
    """The issue's subtraction: Groningen's own and rest-of-province figure times the public
    population give the province total; minus every other gemeente's own figure times its
    population leaves Pekela's. Also the respondents: Groningen's n and n_other minus every
    other gemeente's n."""
    g = tables[GRONINGEN].loc[column]
    total = pop[GRONINGEN] * g["estimate"] + (pop.sum() - pop[GRONINGEN]) * g["estimate_other"]
    others = sum(pop[c] * t.loc[column, "estimate"] for c, t in tables.items() if c != PEKELA)
    recovered_share = (total - others) / pop[PEKELA]
    recovered_n = g["n"] + g["n_other"] - sum(t.loc[column, "n"] for c, t in tables.items()
                                              if c != PEKELA)
    return float(recovered_share), int(recovered_n)


def test_rest_of_province_minus_own_figures_recovers_nothing(panel, monkeypatch):
    """The issue's attack on Pekela cut to 9. Control (rule off): the share active comes
    out within 3 points of the truth and the count as Pekela's respondents with an answer.
    With the rule: no respondent is left over, and the 'recovered' share is the same
    whatever Pekela's 9 answered."""
    cut = _cut(panel.data, PEKELA, 2023)
    swapped = _swap(cut, PEKELA, 2023, panel.codebook)
    pop = _population()
    truth = [_truth(d, panel, PEKELA) for d in (cut, swapped)]
    assert abs(truth[0] - truth[1]) > 0.05               # the swap changes what is hidden
    with monkeypatch.context() as m:
        _rule_off(m)
        share, n = _province_attack(_kerncijfers(cut, panel, SAMPLE_2023), pop)
        answered = int(cut.loc[(cut["golf"] == 2023) & (cut["gemeente"] == PEKELA),
                               "actief"].notna().sum())
        assert n == answered and 0 < n < 10
        assert abs(share - truth[0]) < 0.03
    got = [_province_attack(_kerncijfers(d, panel, SAMPLE_2023), pop) for d in (cut, swapped)]
    assert got[0][1] == 0 and got[1][1] == 0             # no respondent left over
    assert got[0][0] == pytest.approx(got[1][0], rel=1e-9)   # says nothing about Pekela
    assert abs(got[1][0] - truth[1]) > 0.05 or abs(got[0][0] - truth[0]) > 0.05


def test_a_three_gemeente_region_does_not_give_away_the_third(panel, monkeypatch):
    """compare_to=[Pekela, Oldambt, Stadskanaal] with Pekela cut to 9: Oldambt's comparison
    figure is Stadskanaal's own, number for number (so comparison x population minus
    Stadskanaal's figure leaves nothing); with the rule off it is not."""
    cut = _cut(panel.data, PEKELA, 2023)
    tables = _kerncijfers(cut, panel, [OLDAMBT, STADSKANAAL], compare_to=REGION)
    old, stad = tables[OLDAMBT], tables[STADSKANAAL]
    assert np.allclose(old["estimate_other"].astype(float), stad["estimate"].astype(float),
                       rtol=1e-9)
    assert (old["n_other"].astype(int) == stad["n"].astype(int)).all()
    with monkeypatch.context() as m:
        _rule_off(m)
        off = _kerncijfers(cut, panel, [OLDAMBT, STADSKANAAL], compare_to=REGION)
        extra = off[OLDAMBT]["n_other"].astype(int) - off[STADSKANAAL]["n"].astype(int)
        assert ((extra > 0) & (extra < 10)).all()       # Pekela's answers, by subtraction
    # and Oldambt's whole report does not move with Pekela's answers
    swapped = _swap(cut, PEKELA, 2023, panel.codebook)
    a, b = (_published(sections.prepare(OLDAMBT, 2023, data=_panel(d, panel),
                                        compare_to=REGION), monkeypatch) for d in (cut, swapped))
    assert _same(a, b) == []


def test_a_gemeente_hidden_in_an_earlier_wave_stays_out_of_the_trends(panel, monkeypatch):
    """Pekela cut to 9 in 2021 only: the 2023 reports leave it out of the 2021 comparison
    (Groningen's trend table does not move with Pekela's 2021 answers), Pekela's own trend
    shows no 2021 figure, and the method section names the wave."""
    cut = _cut(panel.data, PEKELA, 2021)
    swapped = _swap(cut, PEKELA, 2021, panel.codebook)
    pub = []
    for data in (cut, swapped):
        r = sections.prepare(GRONINGEN, 2023, data=_panel(data, panel))
        assert r.hidden == frozenset() and r.hidden_in(2021) == frozenset({PEKELA})
        pub.append(_published(r, monkeypatch))
    assert _same(*pub) == []
    assert "(in 2021: Pekela)" in pub[0]["verantwoording:text"]
    own = sections.trends(sections.prepare(PEKELA, 2023, data=_panel(cut, panel)))
    table = own.tables["actief"]
    mine = table[(table["group"] == "Pekela") & (table["golf"] == 2021)]
    assert mine["suppressed"].astype(bool).all() and mine["estimate"].isna().all()


def test_a_measure_with_too_few_answers_stays_out_of_the_comparison(panel, monkeypatch):
    """Eemsdelta with only 6 marks (rapportcijfer) in 2023: its mark is suppressed in its own
    report and left out of Groningen's comparison figure for the mark (whatever the 6 said),
    while its other answers still count."""
    data = panel.data.copy()
    rows = data.index[(data["golf"] == 2023) & (data["gemeente"] == EEMSDELTA)]
    data.loc[rows[6:], "rapportcijfer"] = np.nan
    other = data.copy()
    other.loc[rows[:6], "rapportcijfer"] = 11 - other.loc[rows[:6], "rapportcijfer"]
    tables = []
    for d in (data, other):
        r = sections.prepare(GRONINGEN, 2023, data=_panel(d, panel))
        assert r.hidden_for("rapportcijfer") == frozenset({EEMSDELTA})
        tables.append(sections._kerncijfers(r).set_index("column"))
    assert tables[0].loc["rapportcijfer", "estimate_other"] == pytest.approx(
        tables[1].loc["rapportcijfer", "estimate_other"], rel=1e-12)
    eems = sections._kerncijfers(sections.prepare(EEMSDELTA, 2023, data=_panel(data, panel)))
    n_eems = int(eems.set_index("column").loc["actief", "n"])
    full = sections._kerncijfers(sections.prepare(GRONINGEN, 2023, data=panel)).set_index("column")
    assert tables[0].loc["actief", "n_other"] == full.loc["actief", "n_other"]   # still counts
    assert n_eems > 10
    text = sections.verantwoording(sections.prepare(GRONINGEN, 2023,
                                                    data=_panel(data, panel))).markdown()
    assert "minder dan 10 antwoorden op die vraag" in text


def test_other_panel_hidden_gemeente_stays_out(tmp_path, monkeypatch):
    """The other panel (renamed columns, delivered weight, 7-point items, no margins): Pekela
    cut to 9 in 2023 counts in none of Eemsdelta's figures, whatever it answered."""
    path = other_panel.write(tmp_path / "a")
    cb = sv.load_panel(path, tmp_path / "a" / "codebook.yaml").codebook
    raw = pd.read_csv(path, dtype={"gem_code": "string"})
    cut = _cut(raw, PEKELA, 2023, gcol="gem_code", wcol="jaar", kcol="woonkern")
    swapped = _swap(cut, PEKELA, 2023, cb, gcol="gem_code", wcol="jaar")
    pub = []
    for name, data in (("cut", cut), ("swapped", swapped)):
        folder = tmp_path / name
        folder.mkdir()
        data.to_csv(folder / "panel.csv", index=False)
        (folder / "codebook.yaml").write_text((tmp_path / "a" / "codebook.yaml").read_text(
            encoding="utf-8"), encoding="utf-8")
        r = sections.prepare(EEMSDELTA, 2023, data=folder / "panel.csv",
                             codebook=folder / "codebook.yaml")
        assert r.hidden == frozenset({PEKELA}) and r.method == "meegeleverd"
        pub.append(_published(r, monkeypatch))
    assert _same(*pub) == []


# --------------------------------------------------------------------------- within a report
def _kern_attack(r: Rapport):
    """What subtracting the shown kernen from the gemeente's published totals leaves: the
    respondents (section 2's total minus the true sizes of the shown kernen, as an attacker
    who knows the n's gets them), the n on each element (scores table minus the kern n's),
    and the true respondent count of the hidden kernen."""
    org = sections.organisatiekracht(r)
    kern = org.tables["kernen"]
    scores = org.tables["scores"]
    x_el = list(r.roles.elements)[1]         # the kernen's n is that of the x axis
    own_n = scores[(scores["group"] == r.naam) & (scores["column"] == x_el)]["n"].iloc[0]
    shown = kern[~kern["suppressed"].astype(bool)]
    residual_x = float(own_n) - float(shown["n"].sum())
    wave = r.wave()
    gem = wave.loc[r.in_gemeente(wave)]
    kcol = r.kern_col
    hidden_names = set(kern.loc[kern["suppressed"].astype(bool), kcol].astype(str))
    hidden_resp = int(gem[kcol].astype(str).isin(hidden_names).sum())
    primary = kern.loc[kern["suppressed"].astype(bool) & ~kern["secondary"].astype(bool), kcol]
    return residual_x, hidden_resp, len(primary), org


@pytest.mark.parametrize("code", SAMPLE_2023)
def test_gemeente_total_minus_kernen_leaves_nothing_or_enough(panel, code):
    """Every sample gemeente, 2023: what the hidden kernen hold together (by subtraction of
    the published n's, and truly) is 0 or at least min_n respondents."""
    r = sections.prepare(code, 2023, data=panel)
    residual_x, hidden_resp, _, org = _kern_attack(r)
    assert residual_x == 0 or residual_x >= r.rules.min_n
    assert hidden_resp == 0 or hidden_resp >= r.rules.min_n
    import matplotlib.pyplot as plt
    plt.close("all")


def test_boven_pekela_is_not_recovered_and_the_control_recovers_it(panel, monkeypatch):
    """Pekela 2023: Boven Pekela (5) is hidden; without secondary suppression the gemeente's
    n minus the two shown kernen gives its 5 exactly (control). With it, Nieuwe Pekela is
    hidden too, the two are not shown one by one and the text says why."""
    r = sections.prepare(PEKELA, 2023, data=panel)
    residual_x, hidden_resp, primary, org = _kern_attack(r)
    assert primary == 1 and hidden_resp >= 10
    assert "terug te rekenen" in org.markdown() or "af te leiden" in org.markdown()
    with monkeypatch.context() as m:
        m.setattr(disclosure, "secondary", lambda table, *a, **k: table.assign(
            secondary=False))
        r0 = sections.prepare(PEKELA, 2023, data=panel)
        residual0, hidden0, _, _ = _kern_attack(r0)
        boven = r0.wave().loc[r0.in_gemeente() & (r0.wave()["kern"] == "Boven Pekela"),
                              list(r0.roles.elements)[1]]
        assert residual0 == boven.notna().sum() == 5 and hidden0 == 5


def test_weighted_mean_of_the_hidden_kernen_is_of_enough_respondents(panel):
    """Stadskanaal 2023 (Alteveer 5 hidden, Mussel 10 hidden with it): the gemeente's mean
    and n minus the shown kernen's give (nearly) the mean of the hidden kernen together,
    a group of at least min_n, never Alteveer's alone."""
    r = sections.prepare(STADSKANAAL, 2023, data=panel)
    org = sections.organisatiekracht(r)
    kern, scores = org.tables["kernen"], org.tables["scores"]
    x_el = list(r.roles.elements)[1]
    own = scores[(scores["group"] == r.naam) & (scores["column"] == x_el)].iloc[0]
    shown = kern[~kern["suppressed"].astype(bool)]
    n_left = own["n"] - shown["n"].sum()
    guess = (own["n"] * own["estimate"] - (shown["n"] * shown["x"]).sum()) / n_left
    assert n_left >= 10 and kern["secondary"].sum() == 1
    wave = r.wave()
    hidden = wave.loc[r.in_gemeente(wave) & wave["kern"].isin(["Alteveer", "Mussel"])]
    both = np.average(hidden[x_el].dropna(), weights=hidden.loc[hidden[x_el].notna(), W])
    alone = hidden[hidden["kern"] == "Alteveer"]
    alone_mean = np.average(alone[x_el].dropna(), weights=alone.loc[alone[x_el].notna(), W])
    assert abs(guess - both) < abs(guess - alone_mean) or abs(both - alone_mean) < 0.1
    assert set(kern.loc[kern["suppressed"].astype(bool), "kern"].astype(str)) == \
        {"Alteveer", "Mussel"}


def test_kernen_on_the_other_panel(tmp_path):
    """The other panel (renamed kern column, delivered weight): the hidden kernen of every
    gemeente hold 0 or at least min_n respondents."""
    path = other_panel.write(tmp_path)
    for code in (PEKELA, STADSKANAAL, "GM1952"):
        r = sections.prepare(code, 2023, data=path, codebook=tmp_path / "codebook.yaml")
        residual_x, hidden_resp, _, _ = _kern_attack(r)
        assert residual_x == 0 or residual_x >= 10, code
        assert hidden_resp == 0 or hidden_resp >= 10, code
    import matplotlib.pyplot as plt
    plt.close("all")


def test_secondary_in_the_table_book_and_the_note(panel):
    """The kern note says that some kernen are hidden to protect others."""
    r = sections.prepare(STADSKANAAL, 2023, data=panel)
    sec = sections.organisatiekracht(r)
    text = sec.markdown()
    assert "2 dorpen of wijken zijn niet getoond" in text and "terug te rekenen" in text
    kern_alt = [a for a in sec.alt if a.startswith("Spreidingsdiagram")]
    assert len(kern_alt) == 1 and "2 niet getoond" in kern_alt[0]
    assert "terug te rekenen" in kern_alt[0] and "met te weinig respondenten" not in kern_alt[0]
    from socvit.report import _tablebook
    kern = r.counters["secties"]["organisatiekracht"].tables["kernen"]
    _, _, notes = _tablebook._frame(r, "kernen", kern)
    assert any("terug te rekenen" in n for n in notes)
    shown = set(kern.loc[~kern["suppressed"].astype(bool), "kern"].astype(str))
    assert shown == {"Stadskanaal", "Musselkanaal", "Onstwedde"}
    assert G in r.wave().columns


def test_same_people_beside_all_respondents_do_not_give_away_a_few_newcomers(panel):
    """Pekela 2023 with only 5 respondents new since 2021: all respondents' share (the
    trend) and the same people's share (the panel change) would give the 5 newcomers'
    share by subtraction, so the same-people figures are not shown; with 44 newcomers (the
    sample) they are."""
    data = panel.data
    pek = data[(data["gemeente"] == PEKELA)]
    before = set(pek.loc[pek["golf"] == 2021, "resp_id"])
    now = pek[pek["golf"] == 2023]
    new = now.index[~now["resp_id"].isin(before)]
    few = data.drop(index=new[5:])
    full = sections.trends(sections.prepare(PEKELA, 2023, data=panel))
    assert "die aan beide golven meededen, ging" in full.markdown()
    assert "verandering" in full.tables
    r = sections.prepare(PEKELA, 2023, data=_panel(few, panel))
    sec = sections.trends(r)
    assert "die aan beide golven meededen, ging" not in sec.markdown()
    table = sec.tables.get("verandering")
    if table is not None:
        paired = table[table["vergelijking"] == "dezelfde respondenten"]
        assert paired["suppressed"].astype(bool).all() and paired["estimate"].isna().all()
    import matplotlib.pyplot as plt
    plt.close("all")
