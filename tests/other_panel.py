"""A second panel, shaped like another bureau's, made from the bundled sample.

Every column is renamed, the capaciteit items are asked on 7 points (recoded 1 2 3 4 5 ->
1 2 4 6 7), the data bring their own weight (``weegfactor``), there are no population
margins, and the panel has another name and source. The codebook says all of that; socvit's
code is not changed for it. ``write(folder, actie=False, themes=False)`` leaves the ACTIE
(or theme) items out altogether.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import socvit as sv

NAME = "Noordelijk Dorpenpanel"
SOURCE = "Noordelijk Dorpenpanel (testgegevens van het eigen bureau)"

#: sample column -> this panel's column
RENAME = {"resp_id": "respondent", "golf": "jaar", "gemeente": "gem_code", "kern": "woonkern",
          "leeftijd": "lft", "leeftijdsklasse": "lftkl", "geslacht": "sekse",
          "opleiding": "opl", "woonduur": "woonjaren", "rapportcijfer": "cijfer_gem",
          "actief": "vrijwilliger", "uren_actief": "vrijw_uren"}
#: sample scale -> (this panel's scale, item prefix, part of organisatiekracht)
SCALES = {"betrokkenheid": ("verbondenheid", "vb"), "overtuigingen": ("gedeelde_waarden", "gw"),
          "bereidheid": ("inzetbereidheid", "ib"), "capaciteit": ("vermogen", "vm")}
SEVEN = {1: 1, 2: 2, 3: 4, 4: 6, 5: 7}       # capaciteit's answers on 7 points
EENS7 = {1: "helemaal oneens", 2: "oneens", 3: "een beetje oneens", 4: "neutraal",
         5: "een beetje eens", 6: "eens", 7: "helemaal eens"}


def _item_names(cb):
    """sample item -> this panel's item (``vb_1`` ...; ACTIE and themes keep a prefix ``x_``)."""
    out = {}
    for old, (new, prefix) in SCALES.items():
        for k, item in enumerate(cb.scale(old).items, start=1):
            out[item] = f"{prefix}_{k}"
    for group in ("actie", "thema"):
        for s in cb.scales_in(group):
            for item in cb.scale(s).items:
                out[item] = f"x_{item}"
    return out


def write(folder, actie: bool = True, themes: bool = True) -> Path:
    """Write panel.csv and codebook.yaml into ``folder``; returns the panel file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sample = sv.load_sample().codebook
    raw = yaml.safe_load((sv.io.SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    items = _item_names(sample)
    names = {**RENAME, **items}
    drop_scales = [s for s, keep in (("actie", actie), ("thema", themes)) if not keep]
    dropped = {i for g in drop_scales for s in sample.scales_in(g) for i in sample.scale(s).items}

    data = pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv", dtype=str, keep_default_na=False)
    for item in sample.scale("capaciteit").items:
        data[item] = [str(SEVEN.get(int(v), v)) if v not in ("",) else v for v in data[item]]
    data = data.drop(columns=sorted(dropped)).rename(columns=names)
    rng = np.random.default_rng(12)
    data["weegfactor"] = np.round(rng.uniform(0.4, 2.5, len(data)), 4)
    data.to_csv(folder / "panel.csv", index=False)

    variables = []
    for v in raw["variables"]:
        if v["name"] in dropped:
            continue
        v = dict(v, name=names.get(v["name"], v["name"]))
        if v["name"].startswith("vm_"):
            v["values"] = EENS7
        variables.append(v)
    variables.append({"name": "weegfactor", "label": "Weegfactor van het bureau", "kind": "weight"})
    scales = {}
    for old, spec in raw["scales"].items():
        if any(i in dropped for i in spec["items"]):
            continue
        new = SCALES.get(old, (old, None))[0]
        label = new.replace("_", " ").capitalize() if old in SCALES else spec["label"]
        spec = dict(spec, label=label, items=[items[i] for i in spec["items"]],
                    reverse=[items[i] for i in spec.get("reverse", [])])
        spec.pop("range", None)
        if old == "organisatiekracht":
            continue                  # its items span 5 and 7 points: no total scale
        scales[new] = spec
    elements = {"verbinding": {"label": "Verbinding en waarden",
                               "scales": ["verbondenheid", "gedeelde_waarden"]},
                "slagkracht": {"label": "Bereidheid en vermogen",
                               "scales": ["inzetbereidheid", "vermogen"]}}
    codebook = {
        "name": "Dorpenpanel 2023 (eigen codeboek)",
        "panel": {"name": NAME, "source": SOURCE},
        "value_sets": raw["value_sets"], "missing_sets": raw["missing_sets"],
        "variables": variables, "scales": scales, "elements": elements,
        "roles": {"activity": "vrijwilliger", "mark": "cijfer_gem", "weight": "weegfactor",
                  "background": {"lftkl": "leeftijd", "sekse": "geslacht", "opl": "opleiding"},
                  "organisatiekracht": {part: SCALES[part][0] for part in SCALES},
                  "actie": [s for s in sample.scales_in("actie")] if actie else [],
                  "themes": [s for s in sample.scales_in("thema")] if themes else []},
    }
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codebook, allow_unicode=True,
                                                         sort_keys=False), encoding="utf-8")
    return folder / "panel.csv"


def hand_mean(folder, column_or_items, gemeente="GM1979", golf=2023, reverse=(), low=None,
              high=None, valid=None, min_valid=None):
    """Weighted mean in one gemeente and wave, straight from the CSV with numpy: of a column
    (codes in ``valid`` only), or of a scale (items, reverse-keyed within ``low..high``, a
    respondent's mean over valid items when at least ``min_valid``, then 0-10)."""
    d = pd.read_csv(Path(folder) / "panel.csv")
    d = d[(d["jaar"] == golf) & (d["gem_code"] == gemeente)]
    w = d["weegfactor"].to_numpy(float)
    if isinstance(column_or_items, str):
        x = d[column_or_items].to_numpy(float)
        ok = np.isin(x, list(valid))
    else:
        cols = []
        for item in column_or_items:
            v = d[item].to_numpy(float)
            v = np.where((v >= low) & (v <= high), v, np.nan)
            cols.append(low + high - v if item in reverse else v)
        m = np.vstack(cols).T
        n = np.sum(~np.isnan(m), axis=1)
        score = np.array([np.nan if k < min_valid else np.nanmean(row) for row, k in zip(m, n)])
        x = (score - low) / (high - low) * 10
        ok = ~np.isnan(x)
    return float(np.sum(w[ok] * x[ok]) / np.sum(w[ok]))
