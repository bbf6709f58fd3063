"""The report's content (socvit.report: sections, texts) on the bundled sample."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.errors import DataError
from socvit.report import sections, texts

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def panel():
    return sv.load_sample()


@pytest.fixture(scope="module")
def eemsdelta(panel):
    return sections.prepare("GM1979", 2023, data=panel)


@pytest.fixture(scope="module")
def evil(panel):
    """Eemsdelta 2023 with the respondents of its largest kern renamed to an HTML snippet,
    and one tiny kern (fewer than min_n respondents)."""
    data = panel.data.copy()
    rows = data[(data["golf"] == 2023) & (data["gemeente"] == "GM1979")]
    big = rows["kern"].value_counts().index[0]
    data.loc[rows.index[rows["kern"] == big], "kern"] = EVIL
    data.loc[rows.index[rows["kern"] != big][:4], "kern"] = "Piepklein"
    p = sv.io.Panel(data, panel.codebook, panel.source)
    return sections.prepare("GM1979", 2023, data=p)


def _numbers(text):
    return re.findall(r"\d+(?:,\d+)?%?", text)


def test_texts_read_as_dutch():
    assert texts.eens_zin(0.7234, "Ik voel me thuis") == \
        "72% is het (helemaal) eens met de uitspraak ‘Ik voel me thuis’."
    zin = texts.vergelijk_zin("Het rapportcijfer", 7.56, 7.21, None, "de rest van de provincie",
                              kind="cijfer")
    assert "7,6" in zin and "7,2" in zin and "hoger" not in zin and "niet significant" in zin
    assert "lager dan" in texts.vergelijk_zin("X", 0.3, 0.4, "lager", "de provincie", kind="pct")
    assert texts.md(EVIL) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_prepare_maps_old_gemeenten_to_the_indeling(eemsdelta):
    r = eemsdelta
    assert (r.gemeente, r.naam, r.golf, r.indeling) == ("GM1979", "Eemsdelta", 2023, 2023)
    d = r.data
    old = d.loc[(d["golf"] == 2017) & (d[sections.G] == "GM1979"), "gemeente"]
    assert set(old.unique()) == {"GM0003", "GM0010", "GM0024"}        # Delfzijl counts too
    assert r.n() == int(((d["golf"] == 2023) & (d["gemeente"] == "GM1979")).sum())
    # weights rake each wave's gemeenten to their population
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    pop = bev[(bev["golf"] == 2023) & (bev["gemeente"] == "GM1979")]["aantal"].sum()
    w = d.loc[(d["golf"] == 2023) & (d[sections.G] == "GM1979"), sections.W].sum()
    assert w == pytest.approx(pop, rel=1e-6)
    # scores on 0-10
    for scale in ("betrokkenheid", "capaciteit"):
        scores = d[scale].dropna()
        assert len(scores) > 0.9 * len(d)                  # most respondents have a score
        assert scores.between(0, 10).all()
        assert scores.min() == 0 and scores.max() == 10    # both ends of 0-10 occur


def test_prepare_checks_parameters(panel):
    with pytest.raises(DataError, match="Appingedam"):
        sections.prepare("Appingedam", 2023, data=panel)         # merged into Eemsdelta in 2021
    with pytest.raises(DataError, match="2017, 2019, 2021, 2023"):
        sections.prepare("GM1979", 2022, data=panel)
    r = sections.prepare("Appingedam", 2017, data=panel)
    assert r.gemeente == "GM0003" and r.n() > 0


def test_kerncijfers_say_hoger_lager_only_when_significant(eemsdelta):
    sec = sections.kerncijfers(eemsdelta)
    table = sec.tables["kerncijfers"]
    assert list(table["column"]) == ["actief", "betrokkenheid", "overtuigingen", "bereidheid",
                                     "capaciteit", "rapportcijfer"]
    lines = [ln for ln in sec.markdown().splitlines() if ln.startswith("- ")]
    assert len(lines) == len(table)
    for row, line in zip(table.to_dict("records"), lines):
        significant = row["p"] < 0.05
        assert (row["richting"] is not None) == significant
        assert (("hoger dan" in line) or ("lager dan" in line)) == significant
        if row["kind"] == "cijfer":
            assert re.search(r"een \d,\d;", line)                 # one decimal, decimal comma
        if row["kind"] == "pct":
            assert re.search(r"was \d+% van", line)


def test_every_section_renders_with_captions(eemsdelta):
    secs = [sections.titel(eemsdelta), sections.respons(eemsdelta), sections.kerncijfers(eemsdelta),
            sections.organisatiekracht(eemsdelta), sections.uitspraken(eemsdelta),
            sections.ondersteuning(eemsdelta), sections.inzet(eemsdelta), sections.trends(eemsdelta),
            sections.verantwoording(eemsdelta)]
    n_fig = sum(1 for s in secs for k, _ in s.parts if k == "fig")
    assert n_fig >= 6
    text = "\n".join(s.markdown() for s in secs)
    assert text.count("Figuur ") >= n_fig and "Bron: Groninger Panel" in text
    assert "Delfzijl" in text                                      # trends name the old gemeenten
    assert "R10" not in text                                        # no respondent ids
    assert "nan" not in text.lower().replace("nans", "")
    plain = (re.sub(r"<[^>]+>", " ", text).replace(f"socvit {sv.__version__}", "")
             .replace("CC BY 4.0", ""))                          # the map's licence
    assert not re.search(r"\d\.\d{1,2}\b", plain)               # decimal commas, not points
    assert eemsdelta.data_hash[:16] in text


def test_kernen_escaped_and_small_kernen_left_out(evil):
    sec = sections.organisatiekracht(evil)
    kern = sec.tables["kernen"]
    assert kern.loc[kern["kern"] == "Piepklein", "suppressed"].all()
    assert kern.loc[kern["suppressed"], ["x", "y", "n"]].isna().all().all()
    html = sec.markdown()
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Piepklein" not in html


def test_too_few_respondents_gives_a_sentence_not_a_chart(panel):
    r = sections.prepare("GM1979", 2023, data=panel, min_n=5000, warn_n=5000)
    for f in (sections.respons, sections.kerncijfers, sections.organisatiekracht,
              sections.uitspraken, sections.ondersteuning, sections.trends):
        sec = f(r)
        assert not any(k == "fig" for k, _ in sec.parts)
        assert "te weinig" in sec.markdown() and "minder dan 5000" in sec.markdown()
        assert not _numbers(sec.markdown().replace("5000", ""))
    h = sections.headline(r)
    assert h["n"] is None and all(h[k] is None for k in sections.HEADLINE_KEYS[4:])


def test_headline_and_publish(eemsdelta, monkeypatch):
    h = sections.headline(eemsdelta)
    assert tuple(h) == sections.HEADLINE_KEYS
    table = sections.kerncijfers(eemsdelta).tables["kerncijfers"].set_index("column")
    assert h["pct_actief"] == pytest.approx(table.loc["actief", "estimate"])
    assert h["rapportcijfer"] == pytest.approx(table.loc["rapportcijfer", "estimate"])
    seen = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: seen.append((a, k)))
    sections.publish_headline(h)
    (args, kwargs), = seen
    assert kwargs == {"raw": True}
    payload = args[0][sections.HEADLINE_MIMETYPE]
    assert json.loads(json.dumps(payload)) == payload
    assert payload["gemeente"] == "GM1979" and isinstance(payload["n"], int)
    assert sections.HEADLINE_MIMETYPE == "application/vnd.socvit.headline+json"


def test_compare_to_a_region(panel):
    r = sections.prepare("Eemsdelta", 2023, data=panel, compare_to="Noord-Groningen")
    wave = r.wave()
    other = wave.loc[r.in_comparison(), sections.G].unique()
    assert list(other) == ["GM1966"]
    assert "Noord-Groningen" in r.compare_label
    with pytest.raises(DataError, match="compare_to"):
        sections.prepare("Eemsdelta", 2023, data=panel, compare_to="Atlantis")


def test_reliability_warning_is_named_in_the_text_not_leaked():
    import warnings
    panel = sv.load_sample()
    panel.codebook.scales["betrokkenheid"].reverse = []          # bet_3 left unreversed
    r = sections.prepare("GM1979", 2023, data=panel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = sections.verantwoording(r).markdown()
    assert "Let op" in text and "betrokkenheid" in text.split("Let op", 1)[1]


def test_stacked_estimates_equal_one_call_per_column(eemsdelta):
    """sections stacks score columns to make one estimates call; each column's estimate must
    equal the direct call, its standard error within the n/(n-1) factor of the stacked design."""
    r = eemsdelta
    cols = ["betrokkenheid", "capaciteit", "rapportcijfer"]
    stacked = sections._by_group(r, cols).set_index(["column", "group"])
    frame = sections._two_groups(r)
    for c in cols:
        direct = sv.estimates.mean(frame, c, weights=sections.W, by="_groep").set_index("_groep")
        for g in direct.index:
            assert stacked.loc[(c, g), "estimate"] == pytest.approx(direct.loc[g, "estimate"], rel=1e-12)
            assert stacked.loc[(c, g), "se"] == pytest.approx(direct.loc[g, "se"], rel=3e-3)
            assert stacked.loc[(c, g), "n"] == direct.loc[g, "n"]


def test_omega_reading_depends_on_omega_h():
    assert "één onderliggende" in texts.omega_zin(2023, 0.92, 0.77)
    assert "deels" in texts.omega_zin(2023, 0.9, 0.6)
    assert "weinig" in texts.omega_zin(2023, 0.9, 0.3) and "0,30" in texts.omega_zin(2023, 0.9, 0.3)


def _without(panel, gemeente, golf=2023, **where):
    data = panel.data
    drop = (data["golf"] == golf) & (data["gemeente"] == gemeente)
    for col, value in where.items():
        drop &= data[col] == value
    return sv.io.Panel(data.loc[~drop].copy(), panel.codebook, panel.source)


def test_a_gemeente_without_an_age_group_is_raked_with_that_group_joined(panel):
    sparse = _without(panel, "GM0014", leeftijdsklasse="35-49 jaar")   # nobody aged 35-49
    groningen = sections.prepare("GM0014", 2023, data=sparse)
    text = sections.verantwoording(groningen).markdown()
    assert "geen respondenten" in text and "‘35-49 jaar’ met" in text
    assert "De weging is geconvergeerd" in text
    assert "gewogen naar leeftijdsklasse" in sections.respons(groningen).markdown()
    # another gemeente: weighted exactly as without the sparse one, and no such sentence
    other = sections.prepare("GM1979", 2023, data=sparse)
    base = sections.prepare("GM1979", 2023, data=panel)
    mine = other.wave().loc[other.in_gemeente(), sections.W]
    assert np.allclose(mine, base.wave().loc[base.in_gemeente(), sections.W].loc[mine.index])
    assert "samengevoegd" not in sections.verantwoording(other).markdown()
    for name in ("respons", "kerncijfers", "organisatiekracht", "trends"):
        getattr(sections, name)(groningen)


def test_a_gemeente_that_cannot_be_weighted_is_reported_unweighted(panel, monkeypatch):
    from socvit import weighting
    rake = weighting.rake

    def failing(df, margins, **kw):        # raking cannot fit GM0014, whatever is collapsed
        if (df["gemeente"] == "GM0014").any():
            raise DataError("rake: GM0014 cannot be fitted")
        return rake(df, margins, **kw)

    monkeypatch.setattr(weighting, "rake", failing)
    groningen = sections.prepare("GM0014", 2023, data=panel)
    zin = texts.ongewogen_gemeente_zin("Groningen", 2023)
    assert zin in sections.respons(groningen).markdown()
    assert zin in sections.verantwoording(groningen).markdown()
    wave = groningen.wave()
    w = wave.loc[groningen.in_gemeente(), sections.W]
    assert w.nunique() == 1 and w.iloc[0] > 1                    # equal, to population size
    # the other gemeenten are raked as usual
    other = sections.prepare("GM1979", 2023, data=panel)
    monkeypatch.setattr(weighting, "rake", rake)
    base = sections.prepare("GM1979", 2023, data=panel)
    mine = other.wave().loc[other.in_gemeente(), sections.W]
    assert np.allclose(mine, base.wave().loc[base.in_gemeente(), sections.W].loc[mine.index])
    assert "niet gewogen" not in sections.verantwoording(other).markdown()
    assert sections.headline(groningen)["n"] == groningen.n()


def test_a_kerncijfer_with_too_few_answers_is_suppressed_not_an_error(panel):
    data = panel.data.copy()
    rows = data.index[(data["golf"] == 2023) & (data["gemeente"] == "GM0014")]
    data.loc[rows[5:], "rapportcijfer"] = np.nan                 # 5 answers < min_n
    r = sections.prepare("GM0014", 2023, data=sv.io.Panel(data, panel.codebook, panel.source))
    table = sections.kerncijfers(r).tables["kerncijfers"].set_index("column")
    assert bool(table.loc["rapportcijfer", "suppressed"])
    assert table.loc["rapportcijfer", "richting"] is None
    assert sections.headline(r)["rapportcijfer"] is None


def test_comparison_area_is_the_rest_of_the_gemeentes_own_province(panel):
    """A panel with gemeenten in two provinces (Stadskanaal's rows relabelled as Emmen,
    Drenthe): a Groningen gemeente is compared with the rest of Groningen only; a gemeente
    alone in its province with the other gemeenten of the panel, and the text says so."""
    d = panel.data.copy()
    d["gemeente"] = d["gemeente"].replace({"GM0037": "GM0114"})
    two = sv.io.Panel(d, panel.codebook, "twee provincies")
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    bev["gemeente"] = bev["gemeente"].replace({"GM0037": "GM0114"})
    r = sections.prepare("GM1979", 2023, data=two, bevolking=bev)
    wave = r.wave()
    compared = set(wave.loc[r.in_comparison(), sections.G])
    assert "GM0114" not in compared and len(compared) == 8       # the other 8 of Groningen
    assert r.compare_label == "de rest van de provincie"
    emmen = sections.prepare("Emmen", 2023, data=two, bevolking=bev)
    assert emmen.compare_label == "de andere gemeenten in het panel"
    assert set(wave.loc[emmen.in_comparison(), sections.G]) == set(wave[sections.G]) - {"GM0114"}
    assert "de andere gemeenten in het panel" in sections.kerncijfers(emmen).markdown()


def test_kernen_of_one_name_in_two_former_gemeenten_stay_apart_in_the_report(panel):
    """Recalculated to a later indeling, Eemsdelta 2017 holds Delfzijl's Farmsum and (here)
    a Farmsum of Loppersum: the kern table keeps them apart, named by their gemeente."""
    d = panel.data.copy()
    d["kern"] = d["kern"].astype("string")
    d.loc[(d["gemeente"] == "GM0024") & (d["kern"] == "Middelstum"), "kern"] = "Farmsum"
    r = sections.prepare("Eemsdelta", 2017, indeling=2023, data=sv.io.Panel(d, panel.codebook))
    kernen = set(sections.organisatiekracht(r).tables["kernen"]["kern"].astype(str))
    assert {"Farmsum (Delfzijl)", "Farmsum (Loppersum)"} <= kernen and "Farmsum" not in kernen


def test_the_model_of_a_small_gemeente_says_which_area_it_was_fitted_on(panel, monkeypatch):
    """A gemeente with fewer than INZET_MIN_N respondents gets the model of everyone: the
    province when the panel is one province, the whole panel when it spans two."""
    d = panel.data.copy()
    d["gemeente"] = d["gemeente"].replace({"GM0037": "GM0114"})       # Stadskanaal -> Emmen
    two = sv.io.Panel(d, panel.codebook, "twee provincies")
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    bev["gemeente"] = bev["gemeente"].replace({"GM0037": "GM0114"})
    for data, kwargs, where in ((panel, {}, "in de hele provincie"),
                                (two, {"bevolking": bev}, "in het hele panel")):
        r = sections.prepare("GM1979", 2023, data=data, min_n=10, warn_n=30, **kwargs)
        monkeypatch.setattr(sections, "INZET_MIN_N", 10**6)   # every gemeente is "small"
        assert where in sections.inzet(r).markdown()


def test_trends_show_the_same_people_beside_all_respondents(eemsdelta):
    """Section 8 says how many of the wave's respondents also answered the previous wave and
    shows the change within persons (socvit.panel.change) beside the change across sections;
    the paired share active is the weighted share of the members in both waves."""
    r = eemsdelta
    sec = sections.trends(r)
    text = sec.markdown()
    d = r.data
    now = d[(d["golf"] == 2023) & (d[sections.G] == "GM1979")]
    ook = int(now["resp_id"].isin(d.loc[d["golf"] == 2021, "resp_id"]).sum())
    assert f"Van de {len(now)} respondenten uit Eemsdelta in 2023 deden er {ook} (" in text
    assert "ook mee aan de vorige golf, in 2021" in text
    t = sec.tables["verandering"]
    assert set(t["vergelijking"]) == {"dezelfde respondenten", "alle respondenten"}
    row = t[(t["label"] == "Aandeel actief") & (t["vergelijking"] == "dezelfde respondenten")].iloc[0]
    # by hand: members of Eemsdelta (2023) with actief in 2021 and 2023, each wave's weight
    two = d[d["golf"].isin([2021, 2023]) & d["actief"].notna()]
    ids = set(now.loc[now["actief"].notna(), "resp_id"]) & set(two.loc[two["golf"] == 2021, "resp_id"])
    pair = two[two["resp_id"].isin(ids)]
    share = {g: np.average(p["actief"] == 1, weights=p[sections.W]) for g, p in pair.groupby("golf")}
    assert row["n"] == len(ids)
    assert row["estimate"] == pytest.approx(share[2023] - share[2021], rel=1e-10)
    assert "Dezelfde respondenten" in text and "procentpunt" in text
    assert re.search(r"[+-]\d+,\d procentpunt \(-?\d+,\d tot -?\d+,\d\)", text)
    assert "R1" not in text and "nan" not in text.lower()


def test_trends_keep_the_panel_counts_below_min_n_out(panel):
    """min_n above the number of people in both waves (about 240 in Eemsdelta, of 359
    respondents): no change within persons and no overlap count are shown."""
    r = sections.prepare("GM1979", 2023, data=panel, min_n=250, warn_n=400)
    sec = sections.trends(r)
    text = sec.markdown()
    assert "Hoeveel respondenten uit Eemsdelta in 2023 ook meededen aan de vorige golf" in text
    assert "verandering" not in sec.tables and "Dezelfde respondenten" not in text
    assert "procentpunt" not in text


def test_trends_of_another_panel_show_its_own_scales(tmp_path_factory):
    """tests/other_panel.py: member id 'respondent', wave 'jaar', its own scale labels and a
    delivered weight; the overlap count is that of its CSV."""
    import other_panel as op
    path = op.write(tmp_path_factory.mktemp("eigen_trends"))
    r = sections.prepare("Westerkwartier", 2023, data=path)
    text = sections.trends(r).markdown()
    raw = pd.read_csv(path, dtype=str)
    code = sv.gemeenten.code("Westerkwartier", year=2023)
    now = raw[(raw["jaar"] == "2023") & (raw["gem_code"] == code)]
    ook = int(now["respondent"].isin(raw.loc[raw["jaar"] == "2021", "respondent"]).sum())
    assert f"Van de {len(now)} respondenten uit Westerkwartier in 2023 deden er {ook} (" in text
    assert "Verbondenheid (0-10)" in text and "Vermogen (0-10)" in text
    assert "Dezelfde respondenten" in text
