# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Verkenning van het panel
#
# Een startpunt voor eigen analyses: laden, filteren, wegen, gewogen kruistabellen,
# schattingen met betrouwbaarheidsintervallen en figuren per gemeente, kern en golf. Alle
# cijfers komen uit `socvit.estimates` (gewogen, met de onthullingsregels), alle figuren uit
# `socvit.plots`. Pas de parameters aan en voer de cellen opnieuw uit.

# %%
import pandas as pd

import socvit as sv
from socvit import estimates, fmt, plots, weighting

plots.set_theme()

# %% tags=["parameters"]
data = None              # panel file; None: the bundled sample
codebook = None          # None: codebook.yaml beside the data
bevolking = None         # population margins; None: bevolking.csv beside the data
golf = None              # None: the latest wave
gemeente = "Eemsdelta"   # a gemeente (code or name) for the kern-level part

# %% [markdown]
# ## Laden en een eerste blik

# %%
source = sv.io.SAMPLE_DIR / "panel.csv" if data is None else sv.report.resolve_path(data)
panel = sv.load_sample() if data is None else sv.load_panel(source, codebook)
cb = panel.codebook
bevolking = source.parent / "bevolking.csv" if bevolking is None else bevolking
golf = int(panel.data["golf"].max()) if golf is None else int(golf)
print(panel)
pd.crosstab(panel.data["gemeente"].map(sv.gemeenten.name), panel.data["golf"]).rename_axis(
    index="gemeente", columns="golf")

# %% [markdown]
# ## Filteren en wegen
#
# Eén golf, gewogen naar leeftijdsklasse en geslacht per gemeente (raking). De diagnose laat
# per gemeente het design effect en de effectieve n zien.

# %%
wave = panel.data[panel.data["golf"] == golf].copy()
margins = weighting.margins_from_population(bevolking, golf=golf)
rake = weighting.rake(wave, margins, by="gemeente")
wave["gewicht"] = rake.weights
wave["naam"] = wave["gemeente"].map(sv.gemeenten.name)
print(rake.summary())

# %% [markdown]
# ## Gewogen kruistabel
#
# Aandeel actief voor het eigen dorp of de eigen wijk naar leeftijdsklasse, met interval.

# %%
kruis = estimates.proportion(wave, "actief", [1], weights="gewicht", by="leeftijdsklasse")
fmt.tabel(kruis[["leeftijdsklasse", "estimate", "ci_lower", "ci_upper", "n"]],
          formats={"estimate": fmt.procent, "ci_lower": fmt.procent, "ci_upper": fmt.procent,
                   "n": fmt.aantal},
          headers={"leeftijdsklasse": "Leeftijdsklasse", "estimate": "Actief",
                   "ci_lower": "ondergrens", "ci_upper": "bovengrens", "n": "n"},
          caption=f"Actief voor dorp of wijk naar leeftijd, golf {golf} (gewogen)")

# %% [markdown]
# ## Per gemeente
#
# Het rapportcijfer per gemeente, met 95%-interval.

# %%
cijfer = estimates.mean(wave, "rapportcijfer", weights="gewicht", by="naam")
cijfer = cijfer.assign(label=cijfer["naam"], group=f"golf {golf}").sort_values("estimate")
plots.dot_compare(cijfer, xlabel="rapportcijfer voor de gemeente")

# %% [markdown]
# ## Door de jaren
#
# Het aandeel actief per golf voor de hele provincie (elke golf gewogen naar de gemeenten
# van die golf).

# %%
weighted = []
for w, part in panel.data.groupby("golf"):
    m = weighting.margins_from_population(bevolking, golf=int(w))
    weighted.append(part.assign(gewicht=weighting.rake(part, m, by="gemeente").weights))
alle = pd.concat(weighted)
per_golf = estimates.proportion(alle, "actief", [1], weights="gewicht", by="golf")
plots.trend(per_golf, group=None, percent=True, ylabel="actief voor dorp of wijk")

# %% [markdown]
# ## Per kern binnen één gemeente
#
# Schaalscores (0-10) uit het codeboek, per kern gemiddeld; kernen met te weinig
# respondenten vallen weg.

# %%
code = sv.gemeenten.code(gemeente, year=golf)
scores = sv.scales.to_0_10(sv.scales.score_all(wave, group="organisatiekracht", codebook=cb))
kern_data = pd.concat([wave[["kern", "gemeente", "gewicht"]], scores], axis=1)
kern_data = kern_data[kern_data["gemeente"] == code]
kern_data["x"] = kern_data[["bereidheid", "capaciteit"]].mean(axis=1, skipna=False)
kern_data["y"] = kern_data[["betrokkenheid", "overtuigingen"]].mean(axis=1, skipna=False)
kx = estimates.mean(kern_data, "x", weights="gewicht", by="kern")
ky = estimates.mean(kern_data, "y", weights="gewicht", by="kern")
kern = kx[["kern", "estimate", "n", "suppressed", "indicative"]].rename(columns={"estimate": "x"})
kern["y"] = ky["estimate"].to_numpy()
plots.quadrant(kern, x="x", y="y", title=f"Kernen in {sv.gemeenten.name(code)}, golf {golf}")

# %% [markdown]
# ## De uitspraken over capaciteit

# %%
items = cb.scale("capaciteit").items
dist = pd.concat([estimates.distribution(wave[wave["gemeente"] == code], i, weights="gewicht",
                                         categories=[1, 2, 3, 4, 5]).assign(item=i)
                  for i in items])
labels = cb.variable(items[0]).values
dist["category"] = dist["category"].map(labels)
plots.likert_bars(dist, labels={i: cb.label(i) for i in items}, categories=list(labels.values()))

# %% [markdown]
# ## Een model
#
# Wat hangt samen met actief zijn? Een gewogen logistische regressie voor de hele golf.

# %%
model_data = pd.concat([wave, scores], axis=1)
model = sv.regression.fit("actief ~ bereidheid + capaciteit + betrokkenheid + leeftijdsklasse",
                          model_data, kind="logit", weights="gewicht")
plots.coef_plot(model.table, labels={"bereidheid": "Bereidheid (per punt)",
                                     "capaciteit": "Capaciteit (per punt)",
                                     "betrokkenheid": "Betrokkenheid (per punt)"})
