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
# `socvit.plots`. Kolomnamen, schalen en hun antwoordbereik, de activiteit, het
# rapportcijfer, de achtergrondkenmerken en de weegfactor komen uit het codeboek van het
# panel (`roles`), zodat het notebook op elk panel met een codeboek werkt. Pas de parameters
# aan en voer de cellen opnieuw uit.

# %%
from pathlib import Path

import pandas as pd

import socvit as sv
from socvit import estimates, fmt, plots, weighting

plots.set_theme()

# %% tags=["parameters"]
data = None              # panel file; None: the bundled sample
codebook = None          # None: codebook.yaml beside the data
bevolking = None         # population margins; None: the codebook's, else bevolking.csv beside data
golf = None              # None: the latest wave
gemeente = None          # a gemeente (code or name) for the kern-level part; None: the largest

# %% [markdown]
# ## Laden en een eerste blik
#
# De rollen uit het codeboek: welke kolom de golf, de gemeente en de kern is, welke variabele
# de activiteit en het rapportcijfer, en welke schalen organisatiekracht vormen.

# %%
source = sv.io.SAMPLE_DIR / "panel.csv" if data is None else sv.report.resolve_path(data)
panel = sv.load_sample() if data is None else sv.load_panel(source, codebook)
cb, roles = panel.codebook, panel.codebook.roles
GOLF, GEM, KERN = cb.column("wave"), cb.column("gemeente"), cb.column("kern")
ACTIEF, CIJFER = roles.activity, roles.mark
DELEN = roles.organisatiekracht                      # deel -> schaal
ACHTERGROND = list(roles.background)
golf = int(panel.data[GOLF].max()) if golf is None else int(golf)
print(f"{cb.panel.name}: {source}")
print(panel)
pd.crosstab(panel.data[GEM].map(sv.gemeenten.name), panel.data[GOLF]).rename_axis(
    index="gemeente", columns="golf")

# %% [markdown]
# ## Filteren en wegen
#
# Eén golf. Gewogen met de weegfactor die met de data is meegeleverd (codeboek: `weight`);
# anders per gemeente naar de bevolkingsaantallen (raking op de achtergrondkenmerken van het
# codeboek, met het design effect en de effectieve n per gemeente); anders ongewogen.

# %%
if bevolking is None:
    bevolking = panel.population_file()       # named by the codebook, else beside the data
bevolking = Path(bevolking) if bevolking is not None and Path(bevolking).exists() else None


def weeg(part, w):
    """The weights of one wave's rows: delivered, raked to the margins, or all 1."""
    if roles.weight:
        return part[roles.weight].astype(float)
    if bevolking is not None and roles.weighting:
        margins = weighting.margins_from_population(bevolking, golf=w, columns=roles.weighting)
        return pd.Series(weighting.rake(part, margins, by=GEM).weights, index=part.index)
    return pd.Series(1.0, index=part.index)


wave = panel.data[panel.data[GOLF] == golf].copy()
wave["gewicht"] = weeg(wave, golf)
wave["naam"] = wave[GEM].map(sv.gemeenten.name)
if roles.weight:
    print(f"Gewogen met de meegeleverde weegfactor '{roles.weight}' ({cb.label(roles.weight)}).")
elif bevolking is not None and roles.weighting:
    margins = weighting.margins_from_population(bevolking, golf=golf, columns=roles.weighting)
    print(f"Gewogen naar {', '.join(roles.weighting)} per gemeente ({bevolking}).")
    print(weighting.rake(wave, margins, by=GEM).summary())
else:
    print("Er is geen meegeleverde weegfactor en er zijn geen bevolkingsaantallen: "
          "alle cijfers hieronder zijn ongewogen.")

# %% [markdown]
# ## Gewogen kruistabel
#
# Aandeel actief (de activiteit uit het codeboek) naar het eerste achtergrondkenmerk, met
# interval.

# %%
if ACTIEF is None or not ACHTERGROND:
    print("Het codeboek noemt geen activiteit of geen achtergrondkenmerk; deze tabel vervalt.")
    kruis = None
else:
    bg = ACHTERGROND[0]
    kruis = estimates.proportion(wave, ACTIEF, [1], weights="gewicht", by=bg)
    kruis = fmt.tabel(kruis[[bg, "estimate", "ci_lower", "ci_upper", "n"]],
                      formats={"estimate": fmt.procent, "ci_lower": fmt.procent,
                               "ci_upper": fmt.procent, "n": fmt.aantal},
                      headers={bg: cb.label(bg), "estimate": "Actief", "ci_lower": "ondergrens",
                               "ci_upper": "bovengrens", "n": "n"},
                      caption=f"{cb.label(ACTIEF)}, naar {roles.background[bg]}, golf {golf}")
kruis

# %% [markdown]
# ## Per gemeente
#
# Het rapportcijfer per gemeente, met 95%-interval.

# %%
if CIJFER is None:
    print("Het codeboek noemt geen rapportcijfer; deze figuur vervalt.")
else:
    cijfer = estimates.mean(wave, CIJFER, weights="gewicht", by="naam")
    cijfer = cijfer.assign(label=cijfer["naam"], group=f"golf {golf}").sort_values("estimate")
    display(plots.dot_compare(cijfer, xlabel=cb.label(CIJFER).lower()))

# %% [markdown]
# ## Door de jaren
#
# Het aandeel actief per golf voor het hele panel (elke golf op dezelfde manier gewogen als
# hierboven).

# %%
if ACTIEF is None:
    print("Het codeboek noemt geen activiteit; deze figuur vervalt.")
else:
    alle = pd.concat([part.assign(gewicht=weeg(part, int(w)))
                      for w, part in panel.data.groupby(GOLF)])
    per_golf = estimates.proportion(alle, ACTIEF, [1], weights="gewicht", by=GOLF)
    display(plots.trend(per_golf, x=GOLF, group=None, percent=True,
                        ylabel=cb.label(ACTIEF).lower()))

# %% [markdown]
# ## Per kern binnen één gemeente
#
# Schaalscores op 0-10 (elke schaal vanuit zijn eigen antwoordbereik in het codeboek), per
# kern gemiddeld; kernen met te weinig respondenten vallen weg. De twee assen zijn de twee
# elementen van organisatiekracht uit het codeboek.

# %%
code = (wave[GEM].value_counts().index[0] if gemeente is None
        else sv.gemeenten.code(gemeente, year=golf))
scores = sv.scales.to_0_10(sv.scales.score_all(panel.subset(panel.data[GOLF] == golf)),
                           codebook=cb)
kern_data = pd.concat([wave[[KERN, GEM, "gewicht"]], scores], axis=1)
kern_data = kern_data[kern_data[GEM] == code]
elementen = [cb.elements[e] for e in roles.elements]
if len(elementen) != 2 or KERN is None:
    print("Het codeboek heeft geen twee elementen van organisatiekracht (of geen kern); "
          "dit kwadrant vervalt.")
else:
    y_el, x_el = elementen
    kern_data["x"] = kern_data[x_el.scales].mean(axis=1, skipna=False)
    kern_data["y"] = kern_data[y_el.scales].mean(axis=1, skipna=False)
    kx = estimates.mean(kern_data, "x", weights="gewicht", by=KERN)
    ky = estimates.mean(kern_data, "y", weights="gewicht", by=KERN)
    kern = kx[[KERN, "estimate", "n", "suppressed", "indicative"]].rename(
        columns={"estimate": "x", KERN: "kern"})
    kern["y"] = ky["estimate"].to_numpy()
    display(plots.quadrant(kern, x="x", y="y", xlabel=x_el.label, ylabel=y_el.label,
                           title=f"Kernen in {sv.gemeenten.name(code)}, golf {golf}"))

# %% [markdown]
# ## De uitspraken over capaciteit
#
# De antwoorden op de items van de schaal die in het codeboek het deel capaciteit van
# organisatiekracht is, met de antwoordcategorieën van het codeboek, en het gewogen gemiddelde
# van die schaal op 0-10.

# %%
schaal = DELEN.get("capaciteit") or next(iter(cb.scales), None)
if schaal is None:
    print("Het codeboek heeft geen schalen; dit deel vervalt.")
else:
    items = cb.scale(schaal).items
    labels = cb.variable(items[0]).values
    in_gem = wave[wave[GEM] == code]
    dist = pd.concat([estimates.distribution(in_gem, i, weights="gewicht",
                                             categories=sorted(labels)).assign(item=i)
                      for i in items])
    dist["category"] = dist["category"].map(labels)
    gem = estimates.mean(kern_data, schaal, weights="gewicht")
    print(f"{cb.scale(schaal).label} in {sv.gemeenten.name(code)}, golf {golf}: gemiddeld "
          f"{fmt.getal(float(gem['estimate'].iloc[0]), 4)} op 0-10 "
          f"(n = {int(gem['n'].iloc[0])}).")
    display(plots.likert_bars(dist, labels={i: cb.label(i) for i in items},
                              categories=list(labels.values())))

# %% [markdown]
# ## Een model
#
# Wat hangt samen met actief zijn? Een gewogen logistische regressie voor de hele golf, met
# drie delen van organisatiekracht en het eerste achtergrondkenmerk.

# %%
voorspellers = [DELEN[d] for d in ("bereidheid", "capaciteit", "betrokkenheid") if d in DELEN]
if ACTIEF is None or not voorspellers:
    print("Het codeboek noemt geen activiteit of geen delen van organisatiekracht; "
          "het model vervalt.")
else:
    model_data = pd.concat([wave, scores], axis=1)
    formule = f"{ACTIEF} ~ " + " + ".join(voorspellers + ACHTERGROND[:1])
    model = sv.regression.fit(formule, model_data, kind="logit", weights="gewicht")
    display(plots.coef_plot(model.table, labels={s: f"{cb.scale(s).label} (per punt)"
                                                 for s in voorspellers}))
