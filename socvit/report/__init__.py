"""The content of the gemeente report: one function per section.

:func:`prepare` reads the panel once, checks the parameters, maps every wave to the chosen
indeling (so Delfzijl's 2017 respondents count toward Eemsdelta for indeling 2023), weights
the answers (the codebook's delivered weight, else raking each wave to the population
margins of its own gemeenten by the codebook's weighting variables, else unweighted) and
scores the codebook's scales. Everything about the questionnaire comes from the codebook
(``Codebook.roles`` and ``Codebook.panel``); a section whose roles are empty is left out and
the numbering follows (:func:`shown_sections`). Each section function takes that :class:`Rapport` and returns a
:class:`Section`: Dutch text (Markdown), figures, HTML tables and the tidy tables behind them
(``.tables``, for researchers and the table book: :func:`tabellenboek` writes them as an
Excel workbook). ``Section.show()`` displays it in a notebook.

Every number shown has gone through the disclosure rules (:mod:`socvit.disclosure`, applied
by :mod:`socvit.estimates`); a gemeente or kern with too few respondents gets a sentence
saying so instead of a chart. Respondent-level rows and ids are never shown. Names from the
data (gemeenten, kernen) are HTML-escaped wherever text is built.

Scores are shown on a 0-10 scale (the item mean transformed linearly from the scale's own
answer range: on 1-5, 1 -> 0 and 5 -> 10; on 1-7, 4 -> 5), so that they read like the report
mark; the report says so.

Weighted estimates and their standard errors are Taylor-linearised as R's survey package
does [2]_ (``svymean``/``svyciprop``/``svyttest`` on ``svydesign(ids=~1, weights=~w)``),
the weights raked as ``survey::rake`` [2]_, design effects Kish's [3]_; the ACTIE profile
follows Denters et al. [1]_.

References
----------
.. [1] Denters, B., Tonkens, E., Verhoeven, I. & Bakker, J. (2013). *Burgers als
   landschappers*. Amsterdam: Platform31.
.. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
.. [3] Kish, L. (1965). *Survey Sampling*. Wiley.

Examples
--------
>>> # In R: d <- rake(svydesign(ids=~1, data=panel), list(~leeftijdsklasse, ~geslacht), pop)
>>> #       svyttest(betrokkenheid ~ I(gemeente == "GM1979"), d)
>>> import socvit as sv
>>> r = sv.report.prepare("Eemsdelta", golf=2023)       # the bundled sample
>>> kern = sv.report.kerncijfers(r)                      # kern.show() displays it in Jupyter
>>> kern.tables["kerncijfers"][["column", "estimate", "estimate_other", "richting"]].round(2)
          column  estimate  estimate_other richting
0         actief      0.31            0.30     None
1  betrokkenheid      7.53            7.46     None
2  overtuigingen      6.06            5.98     None
3     bereidheid      6.41            6.29     None
4     capaciteit      5.16            4.99     None
5  rapportcijfer      6.78            7.02    lager
"""

import pkgutil
from importlib import import_module

#: the report notebook, run once per gemeente (package data; its jupytext pair lies beside it)
NOTEBOOK = "gemeente_rapport.ipynb"

# Public name -> the module that defines it. Imported on first use, so that the runner can
# read the headline contract (``_headline``, no imports) without loading pandas and
# matplotlib while its kernels boot.
_NAMES = {
    "_headline": ("HEADLINE_MIMETYPE", "HEADLINE_KEYS"),
    "_prepare": ("Rapport", "prepare", "REGIOS", "resolve_path"),
    "_tablebook": ("tabellenboek", "book_sheets", "kerncijfers_boek"),
    "sections": ("Section", "titel", "respons", "kerncijfers", "organisatiekracht", "uitspraken",
                 "ondersteuning", "inzet", "trends", "verantwoording", "headline",
                 "publish_headline", "shown_sections"),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [*_WHERE, "NOTEBOOK", "notebook_path"]


def __getattr__(name):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    # sv.report.texts, like sv.<module>; not the notebook's jupytext pair (it runs a report)
    if name in {m.name for m in pkgutil.iter_modules(__path__)
                if not m.name.startswith("_") and m.name != NOTEBOOK.removesuffix(".ipynb")}:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def notebook_path():
    """The report notebook inside the installed package."""
    from importlib import resources
    from pathlib import Path
    return Path(str(resources.files("socvit") / "report" / NOTEBOOK))
