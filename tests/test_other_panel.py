"""The report on a panel that is not the sample (tests/other_panel.py): renamed columns, a
scale on 7 points, a delivered weight, no population margins, another panel name and source.
Numbers are checked against a hand computation from the CSV with numpy; every caption must
be true of this panel."""

import re

import numpy as np
import pytest

import socvit as sv
from socvit.errors import CodebookError, DataError
from socvit.report import sections

import other_panel as op

SECTIONS = ("titel", "respons", "kerncijfers", "organisatiekracht", "uitspraken",
            "ondersteuning", "inzet", "trends", "verantwoording")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("eigen")
    op.write(d)
    return d


@pytest.fixture(scope="module")
def rapport(folder):
    return sections.prepare("GM1979", 2023, data=str(folder / "panel.csv"))


@pytest.fixture(scope="module")
def shown(rapport):
    return {name: getattr(sections, name)(rapport) for name in SECTIONS}


def _all_text(secs):
    """Everything a reader sees: headings, text, tables and figure captions."""
    return "\n".join(p for s in secs.values() for k, p in s.parts if k != "fig") + \
        "\n".join(a for s in secs.values() for a in s.alt)


def test_codebook_roles_and_ranges(folder):
    cb = sv.load_panel(folder / "panel.csv").codebook
    assert cb.panel.name == op.NAME and cb.panel.source == op.SOURCE
    assert cb.roles.weight == "weegfactor" and cb.roles.activity == "vrijwilliger"
    assert cb.scale_range("vermogen") == (1.0, 7.0)
    assert cb.scale_range("verbondenheid") == (1.0, 5.0)
    # a 1-7 scale's midpoint 4 is 5.0 on 0-10, its ends 0 and 10
    x = sv.scales.to_0_10(__import__("pandas").Series([1.0, 4.0, 7.0], name="vermogen"),
                          codebook=cb)
    np.testing.assert_allclose(x.to_numpy(), [0.0, 5.0, 10.0])


def test_delivered_weight_is_used(rapport, folder):
    import pandas as pd
    raw = pd.read_csv(folder / "panel.csv")
    assert rapport.method == "meegeleverd"
    w = rapport.data[sections.W]
    np.testing.assert_array_equal(w.to_numpy(), raw.loc[w.index, "weegfactor"].to_numpy(float))


def test_numbers_equal_a_hand_computation(rapport, folder):
    h = sections.headline(rapport)
    cb = rapport.codebook
    assert h["pct_actief"] == pytest.approx(op.hand_mean(folder, "vrijwilliger", valid=[0, 1]),
                                            rel=1e-12)
    assert h["rapportcijfer"] == pytest.approx(
        op.hand_mean(folder, "cijfer_gem", valid=range(1, 11)), rel=1e-12)
    for part, (scale, _) in op.SCALES.items():
        sc = cb.scale(scale)
        low, high = (1, 7) if scale == "vermogen" else (1, 5)
        want = op.hand_mean(folder, sc.items, reverse=sc.reverse, low=low, high=high,
                            min_valid=sc.min_valid)
        assert h[part] == pytest.approx(want, rel=1e-12), part
    # the 7-point scale is not read as 1-5 (that would be 1.5 times too far from 0)
    assert 0 < h["capaciteit"] < 10
    kern = sections.kerncijfers(rapport).tables["kerncijfers"].set_index("column")
    assert kern.loc["vermogen", "estimate"] == pytest.approx(h["capaciteit"], rel=1e-12)


def test_every_caption_is_true(shown):
    text = _all_text(shown)
    for wrong in ("Groninger", "voorbeelddata", "synthetisch", "leeftijd en geslacht",
                  "vijfpuntsschaal", "bevolkingsaantallen uit"):
        assert wrong not in text, wrong
    sources = re.findall(r"Bron: [^.]*\.", text)
    assert sources
    for line in sources:
        assert line.startswith(f"Bron: {op.SOURCE}, golf 2023"), line
    weighted = [s for s in sources if ";" in s]
    assert weighted and all(s.endswith("; gewogen met de meegeleverde weegfactor.")
                            for s in weighted)
    assert "gewogen met de weegfactor die met de gegevens is meegeleverd" in text
    assert f"{op.NAME}, golf 2023" in shown["titel"].markdown()
    assert "antwoordschaal van elke vraag" in shown["titel"].markdown()
    # the model's controls and names come from the codebook
    inzet = shown["inzet"].markdown()
    assert "rekening houdend met leeftijd, geslacht en opleiding" in inzet
    assert "Verbondenheid (per punt)" not in inzet       # labels only in the figure
    assert "vermogen" in inzet.lower()


def test_items_on_two_answer_scales_get_a_figure_each(shown):
    sec = shown["uitspraken"]
    assert [a for a in sec.alt if "zeven antwoordmogelijkheden" in a]
    assert [a for a in sec.alt if "vijf antwoordmogelijkheden" in a]
    eens = sec.tables["eens"].set_index("item")
    assert len(eens) == 16 and {"vm_1", "vb_1"} <= set(eens.index)


def test_runner_passes_the_population_file(folder, tmp_path):
    from socvit.runner import plan_reports
    pop = tmp_path / "pop.csv"
    pop.write_text("golf,gemeente,lftkl,sekse,aantal\n", encoding="utf-8")
    plan = plan_reports(folder / "panel.csv", ["GM1979"], 2023, bevolking=pop)
    assert plan.jobs[0].parameters["bevolking"] == str(pop.resolve())
    assert "bevolking_sha256" in plan.hashes
    with pytest.raises(DataError, match=r"Population file .*nergens.csv \(--bevolking\) does "
                                        r"not exist"):
        plan_reports(folder / "panel.csv", ["GM1979"], 2023, bevolking=tmp_path / "nergens.csv")


def test_sections_numbered_in_order(shown):
    heads = [p for s in shown.values() for k, p in s.parts if k == "kop"]
    numbers = [int(re.match(r"## (\d+)\.", h).group(1)) for h in heads]
    assert numbers == list(range(2, 10))


@pytest.fixture(scope="module")
def without_actie(tmp_path_factory):
    d = tmp_path_factory.mktemp("zonder_actie")
    op.write(d, actie=False)
    return sections.prepare("GM1979", 2023, data=str(d / "panel.csv"))


def test_no_actie_items_no_actie_part(without_actie):
    sec = sections.ondersteuning(without_actie)
    text = "\n".join(p for k, p in sec.parts if k != "fig") + " ".join(sec.alt)
    assert "ACTIE" not in text and "actie" not in sec.tables
    assert "## 6. Panelthema's" in text and "drie panelthema's" in text    # a caption
    assert "ACTIE" not in sections.titel(without_actie).markdown()


def test_no_actie_nor_themes_no_section_and_numbering_follows(tmp_path):
    op.write(tmp_path, actie=False, themes=False)
    r = sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"))
    assert sections.ondersteuning(r).parts == []
    assert "ondersteuning" not in sections.shown_sections(r)
    assert sections.inzet(r).parts[0][1].startswith("## 6. Wat hangt samen met inzet?")
    assert sections.verantwoording(r).parts[0][1] == "## 8. Verantwoording"
    assert "Het gaat ook over" not in sections.titel(r).markdown()


def test_report_notebook_runs_on_the_other_panel(tmp_path, folder):
    from test_notebooks import _errors, _html, _run
    nb = _run(tmp_path, "gemeente_rapport", gemeente="GM1979", golf=2023,
              data=str(folder / "panel.csv"))
    assert not _errors(nb)
    html = _html(nb)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S))
    assert "Groninger" not in text and "voorbeelddata" not in text
    assert f"Bron: {op.SOURCE}, golf 2023; gewogen met de meegeleverde weegfactor." in text


# --------------------------------------------------------------------------- bad input
def _codebook(folder, **roles):
    import yaml
    raw = yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8"))
    raw["roles"].update(roles)
    return raw


def test_a_role_on_a_missing_or_wrong_variable_names_the_entry(folder):
    with pytest.raises(CodebookError, match=r"roles\.activity: variable 'actief' is not in"):
        sv.Codebook.from_dict(_codebook(folder, activity="actief"), source="cb.yaml")
    with pytest.raises(CodebookError, match=r"roles\.mark: variable 'lft' has kind 'numeric'"):
        sv.Codebook.from_dict(_codebook(folder, mark="lft"), source="cb.yaml")
    with pytest.raises(CodebookError, match=r"roles\.weight: .*'vrijwilliger' has kind 'binary'"):
        sv.Codebook.from_dict(_codebook(folder, weight="vrijwilliger"), source="cb.yaml")
    with pytest.raises(CodebookError, match=r"roles\.weighting: 'woonkern' is not one of"):
        sv.Codebook.from_dict(_codebook(folder, weighting=["woonkern"]), source="cb.yaml")
    with pytest.raises(CodebookError, match=r"roles\.organisatiekracht: 'kracht' is not a part"):
        sv.Codebook.from_dict(_codebook(folder, organisatiekracht={"kracht": "vermogen"}),
                              source="cb.yaml")


def test_a_scale_over_two_ranges_is_an_error_naming_it(folder):
    raw = _codebook(folder)
    raw["scales"]["gemengd"] = {"label": "Gemengd", "items": ["vb_1", "vm_1"]}
    raw["roles"]["themes"] = ["gemengd"]
    with pytest.raises(CodebookError, match=r"scale 'gemengd': its items have different answer "
                                            r"ranges \(vb_1 1-5; vm_1 1-7\)"):
        sv.Codebook.from_dict(raw, source="cb.yaml")


def test_bad_delivered_weight_is_a_clear_error(tmp_path):
    import pandas as pd
    op.write(tmp_path)
    raw = pd.read_csv(tmp_path / "panel.csv", dtype=str, keep_default_na=False)
    raw.loc[5, "weegfactor"] = "-1"
    raw.to_csv(tmp_path / "panel.csv", index=False)
    with pytest.raises(DataError, match=r"line 7, respondent R\d+, column weegfactor: value '-1'"):
        sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"))
    raw.loc[5, "weegfactor"] = ""                          # missing: no number, not a weight
    raw.to_csv(tmp_path / "panel.csv", index=False)
    with pytest.raises(DataError, match=r"line 7, .* column weegfactor: the weight is missing"):
        sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"))
    # a Panel built in Python skips the file's validation: prepare checks the weight itself
    raw.loc[5, "weegfactor"] = "1"
    raw.to_csv(tmp_path / "panel.csv", index=False)
    panel = sv.load_panel(tmp_path / "panel.csv")
    panel.data.loc[panel.data.index[5], "weegfactor"] = np.nan
    with pytest.raises(DataError, match=r"weight column 'weegfactor' \(roles.weight in .*"
                                        r"codebook.yaml\) has 1 missing or negative value\(s\); "
                                        r"the first is row \d+ \(respondent R\d+\)"):
        sections.prepare("GM1979", 2017, data=panel)


def test_margins_that_do_not_match_the_background_variables(tmp_path):
    import pandas as pd
    import yaml
    op.write(tmp_path)
    raw = yaml.safe_load((tmp_path / "codebook.yaml").read_text(encoding="utf-8"))
    raw["roles"]["weight"] = None                           # the weight is not to be used
    raw["roles"]["weighting"] = ["lftkl", "sekse"]
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype=str)
    bev.to_csv(tmp_path / "pop.csv", index=False)          # columns named as in the sample
    with pytest.raises(DataError, match=r"pop\.csv does not match .* lacks column\(s\) lftkl, sekse"):
        sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"),
                         bevolking=tmp_path / "pop.csv")
    bev.rename(columns={"leeftijdsklasse": "lftkl", "geslacht": "sekse"}).to_csv(
        tmp_path / "pop.csv", index=False)
    r = sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"),
                         bevolking=tmp_path / "pop.csv")
    assert r.method == "raking"
    bron = sections.kerncijfers(r).markdown()
    assert f"Bron: {op.SOURCE}, golf 2023; gewogen naar leeftijd en geslacht." in bron
    assert "Inwoners: bevolkingsaantallen uit pop.csv." in sections.respons(r).markdown()


def test_without_weight_or_margins_the_report_says_unweighted(tmp_path):
    import yaml
    op.write(tmp_path)
    raw = yaml.safe_load((tmp_path / "codebook.yaml").read_text(encoding="utf-8"))
    del raw["roles"]["weight"]
    raw["variables"] = [v for v in raw["variables"] if v["name"] != "weegfactor"]
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    r = sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"))
    assert r.method == "ongewogen" and (r.data[sections.W] == 1).all()
    assert "de uitkomsten zijn ongewogen" in sections.respons(r).markdown()
    assert f"Bron: {op.SOURCE}, golf 2023; ongewogen." in sections.kerncijfers(r).markdown()
    assert "gewogen naar" not in sections.verantwoording(r).markdown()


def test_introduction_and_response_table_follow_the_own_codebook(tmp_path):
    """The introduction names the panel's own elements; without population figures the
    response table has no empty 'Inwoners 18+' column."""
    r = sections.prepare("GM1979", 2023, data=op.write(tmp_path))
    intro = sections.titel(r).markdown()
    for element in r.roles.elements:
        assert f"*{r.label(element).lower()}*" in intro
    assert "betrokkenheid en overtuigingen" not in intro
    respons = sections.respons(r)
    assert "inwoners" not in respons.tables["respons"].columns
    assert "Inwoners 18+" not in respons.markdown()
