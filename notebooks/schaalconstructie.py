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
# # Schaalconstructie: hoe betrouwbaar zijn de schalen?
#
# Voor elke schaal in het codeboek: Cronbachs alfa met interval, de itemtabel (hangt elk item
# samen met de rest? wordt alfa hoger zonder het item?), omega voor organisatiekracht als
# geheel, en alfa per gemeente. Pas `data`, `codebook` en `golf` aan voor een eigen panel.

# %%
import pandas as pd

import socvit as sv
from socvit import fmt

sv.plots.set_theme()

# %% tags=["parameters"]
data = None       # panel file; None: the bundled sample
codebook = None   # None: codebook.yaml beside the data
golf = None       # a wave; None: the latest

# %%
panel = sv.load_sample() if data is None else sv.load_panel(data, codebook)
cb = panel.codebook
wave_col, gem_col = cb.column("wave"), cb.column("gemeente")
golf = int(panel.data[wave_col].max()) if golf is None else int(golf)
wave = panel.subset(panel.data[wave_col] == golf)
print(f"{cb.name}: golf {golf}, {len(wave.data)} respondenten, {len(cb.scales)} schalen")

# %% [markdown]
# ## Alle schalen in één tabel
#
# Per schaal alfa (uit covarianties, zoals `psych::alpha` raw_alpha) met het Feldt-interval,
# Guttmans lambda 6 en de gemiddelde inter-itemcorrelatie. Vuistregel: alfa vanaf 0,70 is
# voldoende voor een schaal waarop groepen worden vergeleken.

# %%
rows = []
for name, scale in cb.scales.items():
    res = sv.reliability.alpha(wave, name)
    rows.append({"schaal": scale.label, "groep": scale.group or "", "items": len(scale.items),
                 "alfa": res.total["raw_alpha"], "ondergrens": res.ci[0], "bovengrens": res.ci[1],
                 "lambda 6": res.total["g6"], "gem. r": res.total["average_r"]})
overzicht = pd.DataFrame(rows)
fmt.tabel(overzicht, formats={c: (lambda v: fmt.getal(v, 2))
                              for c in ["alfa", "ondergrens", "bovengrens", "lambda 6", "gem. r"]},
          caption=f"Betrouwbaarheid van de schalen, golf {golf}")

# %% [markdown]
# ## Eén schaal in detail
#
# De volledige uitvoer zoals `psych::alpha`: totaaltabel, interval, alfa als een item
# wegvalt, itemstatistieken en antwoordfrequenties. Een negatieve `r_drop` wijst op een item
# dat omgepoold had moeten worden.

# %%
schaal = "capaciteit"
detail = sv.reliability.alpha(wave, schaal)
detail

# %%
detail.items

# %% [markdown]
# ## Organisatiekracht: één construct of vier?
#
# Omega hiërarchisch (de algemene factor) tegenover omega totaal, met vier groepsfactoren
# voor de vier deelschalen. Een hoge omega_h betekent dat een totaalscore zinvol is; de
# groepsfactoren laten zien wat de deelschalen daarnaast meten.

# %%
om = sv.reliability.omega(wave, n_factors=4, items="organisatiekracht")
om

# %%
om.loadings.round(2)

# %% [markdown]
# ## Alfa per gemeente
#
# Is de schaal in elke gemeente even betrouwbaar? Kleine gemeenten krijgen een ruim interval
# of vallen onder de onthullingsregels.

# %%
per_gemeente = sv.reliability.alpha_by(wave, gem_col, schaal)
tabel = per_gemeente.table.assign(naam=per_gemeente.table[gem_col].map(sv.gemeenten.name))
fmt.tabel(tabel[["naam", "n", "raw_alpha", "ci_lower", "ci_upper", "note"]],
          formats={c: (lambda v: fmt.getal(v, 2)) for c in ["raw_alpha", "ci_lower", "ci_upper"]}
          | {"n": fmt.aantal},
          headers={"naam": "Gemeente", "raw_alpha": "alfa", "ci_lower": "ondergrens",
                   "ci_upper": "bovengrens", "note": "opmerking"},
          caption=f"Alfa van {cb.scale(schaal).label.lower()} per gemeente, golf {golf}")

# %%
per_gemeente.test

# %% [markdown]
# ## Lezing

# %%
zwak = overzicht.loc[overzicht["alfa"] < 0.70, "schaal"].tolist()
print("Alle schalen halen alfa 0,70." if not zwak else
      f"Onder 0,70: {', '.join(zwak)}. Bekijk de itemtabel van deze schalen.")
test = per_gemeente.test
if test is not None:
    print(f"{cb.scale(schaal).label}: {test}")
print(f"Organisatiekracht: omega_h {fmt.getal(om.omega_h, 2)}, omega totaal "
      f"{fmt.getal(om.omega_total, 2)}, aandeel algemene factor (ECV) {fmt.getal(om.ecv, 2)}.")

# %% [markdown]
# Schalen met alfa onder 0,70 of met een item waarvan `r_drop` dicht bij nul ligt, verdienen
# een tweede blik voordat ze in een rapport worden gebruikt: kijk dan naar de formulering van
# het item en naar omgepoolde items. Verschillen in alfa tussen gemeenten zijn alleen
# betekenisvol als de test op gelijke alfa's dat aangeeft.
