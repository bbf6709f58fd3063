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
# # Panelanalyse: wie blijft, wie verandert
#
# Een panel volgt dezelfde mensen golf na golf. Dit notebook gebruikt dat: wie doet aan welke
# golven mee, wie haakt af en of dat de uitkomsten scheef trekt, gewichten die de blijvers
# weer representatief maken, de verandering *bij dezelfde mensen* naast het verschil tussen
# twee dwarsdoorsneden, en hoe stabiel de schalen zijn. Alle cijfers komen uit `socvit.panel`
# (gewogen waar dat kan, met de onthullingsregels); de leden, golven, schalen en
# achtergrondkenmerken komen uit het codeboek, zodat het notebook op elk panel met een
# persistent respondentnummer werkt. Pas de parameters aan en voer de cellen opnieuw uit.

# %%
from pathlib import Path

import pandas as pd

import socvit as sv
from socvit import fmt, plots

plots.set_theme()

# %% tags=["parameters"]
data = None              # panel file; None: the bundled sample
codebook = None          # None: codebook.yaml beside the data
bevolking = None         # population margins; None: the codebook's, else bevolking.csv beside data
golf_van = None          # first wave of the comparison; None: the last wave but one
golf_tot = None          # second wave; None: the last wave

# %% [markdown]
# ## Laden
#
# Het codeboek zegt welke kolom het respondentnummer is (`kind: id`) en welke de golf;
# `sv.panel.members` controleert ze: geen nummer twee keer in één golf, een nummer dat in
# meer golven terugkomt.

# %%
source = sv.io.SAMPLE_DIR / "panel.csv" if data is None else sv.report.resolve_path(data)
panel = sv.load_sample() if data is None else sv.load_panel(source, codebook)
cb, roles = panel.codebook, panel.codebook.roles
leden = sv.panel.members(panel)
GOLF, ID, GEM = leden.wave, leden.id, cb.column("gemeente")
golf_van = leden.waves[-2] if golf_van is None else int(golf_van)
golf_tot = leden.waves[-1] if golf_tot is None else int(golf_tot)
ACHTERGROND = list(roles.background)
SCHALEN = list(roles.scales)
print(f"{cb.panel.name}: {source}")
print(f"golven {', '.join(map(str, leden.waves))}; {fmt.aantal(len(leden.presence))} leden; "
      f"vergelijking {golf_van} met {golf_tot}")

# %% [markdown]
# ## Deelname
#
# Het patroon van een lid zegt aan welke golven hij of zij meedeed (`X` wel, `.` niet, in de
# volgorde van de golven). Per golf: hoeveel respondenten er voor het eerst zijn en hoeveel
# terugkomen.

# %%
deelname = sv.panel.participation(panel)
print(deelname.summary())
deelname.patterns.head(8)

# %%
deelname.per_wave

# %% [markdown]
# ## Behoud en aanvulling
#
# Welk deel van de respondenten van een golf deed ook aan de volgende mee (met een
# betrouwbaarheidsinterval), en hoeveel nieuwe leden er bijkwamen. Per leeftijdsgroep: blijven
# ouderen vaker?

# %%
behoud = sv.panel.retention(panel)
behoud

# %%
plots.retention(behoud)

# %%
per_groep = sv.panel.retention(panel, by=ACHTERGROND[0], pairs=[(golf_van, golf_tot)])
per_groep

# %% [markdown]
# ## Uitval
#
# Een logit van blijven (`svyglm` met quasibinomial in R) op de achtergrondkenmerken en een
# eerdere schaalscore in de eerste golf, en de blijvers naast de afhakers op de uitkomsten van
# die golf. Verschillen ze, dan verschuift elke trend alleen al doordat de samenstelling
# verandert.

# %%
voorspellers = ACHTERGROND + SCHALEN[2:3]
uitkomsten = [c for c in (roles.mark, roles.activity) if c]
uitval = sv.panel.attrition(panel, golf_van, golf_tot, voorspellers, outcomes=uitkomsten)
print(uitval.summary())
uitval.comparison

# %% [markdown]
# ## Longitudinale gewichten
#
# Gewichten voor de leden die aan beide golven meededen: het gewicht van de eerste golf
# gedeeld door de kans om te blijven (hier binnen vijf klassen van die kans), daarna per
# gemeente gewogen naar de bevolking van de tweede golf. Zonder bevolkingsaantallen gebruikt
# het notebook het meegeleverde gewicht (of geen).

# %%
if bevolking is None:
    bevolking = panel.population_file()       # named by the codebook, else beside the data
bevolking = Path(bevolking) if bevolking is not None and Path(bevolking).exists() else None
gewicht = roles.weight                         # a delivered weight, or None
lw = None
if bevolking is not None and not gewicht:
    bev = pd.read_csv(bevolking, dtype={"gemeente": "string"})
    margins = sv.weighting.margins_from_population(bev, golf=golf_tot,
                                                   columns=list(roles.weighting))
    lw = sv.panel.longitudinal_weights(panel, golf_van, golf_tot, margins, attrition_model=uitval,
                                       by=GEM, classes=5)
    print(lw.summary())
    gewicht = lw
else:
    print(f"Geen longitudinale gewichten (geen bevolkingsaantallen); gewicht: "
          f"{gewicht or 'geen (ongewogen)'}.")

# %% [markdown]
# ## Verandering bij dezelfde mensen
#
# De verandering tussen de twee golven op twee manieren: bij de leden die aan beide
# meededen (*paired*; de fout houdt rekening met de samenhang van iemands antwoorden, zoals
# `svycontrast` op een ontwerp met het lid als cluster in R) en als verschil tussen alle
# respondenten van de twee golven (*cross-sectional*). Met de longitudinale gewichten telt
# alleen het gebalanceerde panel mee.

# %%
maat = roles.activity or SCHALEN[0]
soort = dict(kind="proportion", categories=[1]) if roles.activity else {}
verandering = sv.panel.change(panel, maat, golf_van, golf_tot, weights=gewicht, **soort)
rij = verandering.set_index("basis").loc["paired"]
waarde = fmt.procent if roles.activity else (lambda x: fmt.getal(x, 2))
print(f"{cb.label(maat)}, dezelfde {fmt.aantal(rij['n'])} leden: {waarde(rij['estimate_from'])} "
      f"in {golf_van}, {waarde(rij['estimate_to'])} in {golf_tot}")
verandering

# %% [markdown]
# Per gemeente, voor de schalen van organisatiekracht (ongewogen; gemeenten met te weinig
# leden in beide golven worden niet getoond).

# %%
scores = panel.data.join(sv.scales.score_all(panel, group="organisatiekracht"))
per_gemeente = pd.concat(
    [sv.panel.change(scores, s, golf_van, golf_tot, by=GEM, id=ID, wave=GOLF).assign(schaal=s)
     for s in SCHALEN], ignore_index=True)
per_gemeente.pivot_table(index=[GEM, "schaal"], columns="basis", values="estimate",
                         observed=True).round(3)

# %% [markdown]
# ## Stabiliteit van de schalen
#
# Hoe goed houden leden hun plaats op een schaal tussen de golven? De intraclass-correlatie
# ICC(2,1) (absolute overeenstemming: ook een verschuiving van iedereen telt als
# instabiliteit) en ICC(3,1) (consistentie: alleen de volgorde en afstanden tellen), zoals
# `psych::ICC` in R, met Feldts toets of de alfa van de schaal in beide golven gelijk is bij
# dezelfde mensen.

# %%
stabiliteit = sv.panel.stability(panel, SCHALEN, golf_van, golf_tot)
for s, toets in stabiliteit.tests.items():
    icc = stabiliteit.table.set_index(["scale", "icc_type"]).loc[(s, "ICC(3,1) consistency")]
    print(f"{cb.label(s)}: ICC(3,1) {fmt.getal(icc['icc'], 2)} "
          f"({fmt.interval(icc['ci_lower'], icc['ci_upper'], decimals=2)}). {toets}")
stabiliteit
