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

# %%
# Report on the social vitality of one gemeente (Groninger Panel style).
# Run for one gemeente:
#   papermill socvit/report/gemeente_rapport.ipynb out.ipynb -r gemeente GM1979 -p golf 2023
# or for all of them: socvit reports. All logic lives in socvit.report.
import socvit as sv
from socvit import report

sv.plots.set_theme()

# %% tags=["parameters"]
gemeente = "GM1979"      # CBS code or name, existing in the indeling
golf = 2023              # the wave reported on
indeling = None          # year of the municipal boundaries; None: that of the wave
data = None              # panel file (relative to the repository root or absolute); None: sample
codebook = None          # codebook file; None: codebook.yaml beside the data
min_n = 10               # fewer respondents: not shown
warn_n = 30              # fewer respondents: indicative
compare_to = "provincie"  # comparison area: "provincie", a region name or a list of gemeenten

# %%
rapport = report.prepare(gemeente, golf, indeling=indeling, data=data, codebook=codebook,
                         min_n=min_n, warn_n=warn_n, compare_to=compare_to)

# %%
report.titel(rapport).show()

# %% [markdown]
# ## 2. Wie deden er mee?
#
# Het Groninger Panel is een vaste groep inwoners die een paar keer per jaar een vragenlijst
# invult. Deze paragraaf laat zien hoeveel inwoners meededen en hoe de antwoorden zijn gewogen.

# %%
report.respons(rapport).show()

# %% [markdown]
# ## 3. Kerncijfers
#
# De belangrijkste uitkomsten, vergeleken met het vergelijkingsgebied. We schrijven alleen
# "hoger" of "lager" als het verschil statistisch significant is (95% betrouwbaarheid).

# %%
report.kerncijfers(rapport).show()

# %% [markdown]
# ## 4. Organisatiekracht
#
# Organisatiekracht bestaat uit vier deelschalen in twee elementen: betrokkenheid en
# overtuigingen, en bereidheid en capaciteit. Elke score loopt van 0 tot 10.

# %%
report.organisatiekracht(rapport).show()

# %% [markdown]
# ## 5. De uitspraken
#
# Inwoners gaven bij zestien uitspraken aan in hoeverre zij het ermee eens zijn. Sommige
# uitspraken zijn negatief geformuleerd; voor de scores zijn die omgekeerd meegeteld.

# %%
report.uitspraken(rapport).show()

# %% [markdown]
# ## 6. Ondersteuning en panelthema's
#
# Hoe ervaren inwoners de ondersteuning door gemeente en welzijnsorganisaties? Het
# ACTIE-profiel (Denters e.a., 2013) onderscheidt animo, contacten, toerusting, inbedding en
# empathie. Daarnaast drie thema's: integrale dienstverlening, wijk-, buurt- en
# dorpsbudgetten en het contact tussen inwoners en gemeente.

# %%
report.ondersteuning(rapport).show()

# %% [markdown]
# ## 7. Wat hangt samen met inzet?

# %%
report.inzet(rapport).show()

# %% [markdown]
# ## 8. Ontwikkeling door de jaren

# %%
report.trends(rapport).show()

# %% [markdown]
# ## 9. Verantwoording

# %%
report.verantwoording(rapport).show()

# %%
report.publish_headline(report.headline(rapport))
