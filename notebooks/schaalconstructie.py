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
# geheel, en alfa per gemeente. Pas `data`, `codebook` en `golf` aan voor een eigen panel: de
# schalen, hun groepen (organisatiekracht en zijn delen, ACTIE, thema's) en de kolommen voor
# golf en gemeente komen uit het codeboek van dat panel.

# %%
import pandas as pd

import socvit as sv
from socvit import fmt

sv.plots.set_theme()

# %% tags=["parameters"]
data = None       # panel file; None: the bundled sample
codebook = None   # None: codebook.yaml beside the data
golf = None       # a wave; None: the latest
gemeente = None   # a gemeente (code or name) whose alfa is named in the reading; None: none
schaal = None     # the scale shown in detail; None: the codebook's capaciteit part (or the first)

# %%
panel = sv.load_sample() if data is None else sv.load_panel(data, codebook)
cb = panel.codebook
wave_col, gem_col = cb.column("wave"), cb.column("gemeente")
golf = int(panel.data[wave_col].max()) if golf is None else int(golf)
wave = panel.subset(panel.data[wave_col] == golf)
roles = cb.roles
print(f"{cb.name}: golf {golf}, {len(wave.data)} respondenten, {len(cb.scales)} schalen")
for rol, namen in (("organisatiekracht", roles.scales), ("ACTIE", roles.actie),
                   ("thema's", roles.themes)):
    print(f"{rol}: {', '.join(namen) if namen else 'geen schalen in het codeboek'}")

# %% [markdown]
# ## Alle schalen in één tabel
#
# Per schaal alfa (uit covarianties, zoals `psych::alpha` raw_alpha) met het Feldt-interval,
# Guttmans lambda 6 en de gemiddelde inter-itemcorrelatie. Vuistregel: alfa vanaf 0,70 is
# voldoende voor een schaal waarop groepen worden vergeleken.

# %%
groep = {**{s: "organisatiekracht" for s in roles.scales}, **{s: "ACTIE" for s in roles.actie},
         **{s: "thema" for s in roles.themes}}
rows = []
for name, scale in cb.scales.items():
    res = sv.reliability.alpha(wave, name)
    rows.append({"schaal": scale.label, "groep": groep.get(name, scale.group or ""),
                 "items": len(scale.items),
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
schaal = schaal or roles.organisatiekracht.get("capaciteit") or next(iter(cb.scales))
detail = sv.reliability.alpha(wave, schaal)
print(f"{cb.scale(schaal).label}: alfa {fmt.getal(detail.total['raw_alpha'], 4)} "
      f"({len(cb.scale(schaal).items)} items, antwoorden {cb.scale_range(schaal)[0]:g} tot "
      f"{cb.scale_range(schaal)[1]:g})")
detail

# %%
detail.items

# %% [markdown]
# ## Organisatiekracht: één construct of vier?
#
# Omega hiërarchisch (de algemene factor) tegenover omega totaal, met vier groepsfactoren
# voor de vier deelschalen. Een hoge omega_h betekent dat een totaalscore zinvol is; de
# groepsfactoren laten zien wat de deelschalen daarnaast meten. Zonder totaalschaal in het
# codeboek gaat omega over de items van de delen samen (met hun omgepoolde items).

# %%
delen = [cb.scale(s) for s in roles.scales]
if roles.total:
    om = sv.reliability.omega(wave, n_factors=len(delen) or 3, items=roles.total)
elif len(delen) >= 3:
    print("Het codeboek heeft geen totaalschaal voor organisatiekracht; omega over de items "
          "van de delen samen.")
    om = sv.reliability.omega(wave, n_factors=len(delen),
                              items=[i for s in delen for i in s.items],
                              reverse=[i for s in delen for i in s.reverse])
else:
    print("Het codeboek noemt geen delen van organisatiekracht; omega vervalt.")
    om = None
om

# %%
om.loadings.round(2) if om is not None else None

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
if gemeente is not None:
    code = sv.gemeenten.code(gemeente, year=golf)
    rij = per_gemeente.table[per_gemeente.table[gem_col] == code]
    print(f"{cb.scale(schaal).label} in {sv.gemeenten.name(code)}: " +
          (f"alfa {fmt.getal(rij['raw_alpha'].iloc[0], 2)} (n = {int(rij['n'].iloc[0])})."
           if len(rij) and pd.notna(rij["raw_alpha"].iloc[0]) else
           "geen alfa (te weinig respondenten in deze golf)."))
if om is not None:
    print(f"Organisatiekracht: omega_h {fmt.getal(om.omega_h, 2)}, omega totaal "
          f"{fmt.getal(om.omega_total, 2)}, aandeel algemene factor (ECV) "
          f"{fmt.getal(om.ecv, 2)}.")

# %% [markdown]
# Schalen met alfa onder 0,70 of met een item waarvan `r_drop` dicht bij nul ligt, verdienen
# een tweede blik voordat ze in een rapport worden gebruikt: kijk dan naar de formulering van
# het item en naar omgepoolde items. Verschillen in alfa tussen gemeenten zijn alleen
# betekenisvol als de test op gelijke alfa's dat aangeeft.
