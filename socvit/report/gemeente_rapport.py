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
# Report on the social vitality of one gemeente, driven by the panel's codebook.
# Run for one gemeente:
#   papermill socvit/report/gemeente_rapport.ipynb out.ipynb -r gemeente GM1979 -p golf 2023
# or for all of them: socvit reports. All logic lives in socvit.report; each section writes
# its own heading and introduction, and is left out when the codebook lacks what it needs.
import socvit as sv
from socvit import report

sv.plots.set_theme()

# %% tags=["parameters"]
gemeente = "GM1979"      # CBS code or name, existing in the indeling
golf = 2023              # the wave reported on
indeling = None          # year of the municipal boundaries; None: that of the wave
data = None              # panel file (relative to the repository root or absolute); None: sample
codebook = None          # codebook file; None: codebook.yaml beside the data
bevolking = None         # population margins; None: the codebook's, else bevolking.csv beside the data
min_n = 10               # fewer respondents: not shown
warn_n = 30              # fewer respondents: indicative
compare_to = "provincie"  # comparison area: "provincie", a region name or a list of gemeenten
tabellenboek = None      # path of the Excel table book to write (socvit reports --format xlsx); None: none

# %%
rapport = report.prepare(gemeente, golf, indeling=indeling, data=data, codebook=codebook,
                         min_n=min_n, warn_n=warn_n, compare_to=compare_to, bevolking=bevolking)

# %%
report.titel(rapport).show()

# %%
report.respons(rapport).show()

# %%
report.kerncijfers(rapport).show()

# %%
report.organisatiekracht(rapport).show()

# %%
report.uitspraken(rapport).show()

# %%
report.ondersteuning(rapport).show()

# %%
report.inzet(rapport).show()

# %%
report.trends(rapport).show()

# %%
report.verantwoording(rapport).show()

# %%
report.tabellenboek(rapport, tabellenboek)

# %%
report.publish_headline(report.headline(rapport))
