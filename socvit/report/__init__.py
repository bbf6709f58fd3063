"""The content of the gemeente report: one function per section.

:func:`prepare` reads the panel once, checks the parameters, maps every wave to the chosen
indeling (so Delfzijl's 2017 respondents count toward Eemsdelta for indeling 2023), rakes
each wave to the population margins of its own gemeenten (leeftijdsklasse x geslacht) and
scores the codebook scales. Each section function takes that :class:`Rapport` and returns a
:class:`Section`: Dutch text (Markdown), figures, HTML tables and the tidy tables behind them
(``.tables``, for researchers). ``Section.show()`` displays it in a notebook.

Every number shown has gone through the disclosure rules (:mod:`socvit.disclosure`, applied
by :mod:`socvit.estimates`); a gemeente or kern with too few respondents gets a sentence
saying so instead of a chart. Respondent-level rows and ids are never shown. Names from the
data (gemeenten, kernen) are HTML-escaped wherever text is built.

Scores are shown on a 0-10 scale (the 1-5 item mean transformed linearly, 1 -> 0 and
5 -> 10), so that they read like the report mark; the report says so.

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
>>> r = sv.report.prepare("Eemsdelta", golf=2023)                    # doctest: +SKIP
>>> sv.report.kerncijfers(r).show()                                    # doctest: +SKIP
>>> sv.report.kerncijfers(r).tables["kerncijfers"]                     # doctest: +SKIP
"""

from ._prepare import REGIOS, Rapport, prepare, resolve_path
from .sections import (HEADLINE_KEYS, HEADLINE_MIMETYPE, Section, headline, inzet, kerncijfers,
                       ondersteuning, organisatiekracht, publish_headline, respons, titel, trends,
                       uitspraken, verantwoording)

#: the report notebook, run once per gemeente (package data; its jupytext pair lies beside it)
NOTEBOOK = "gemeente_rapport.ipynb"

__all__ = [
    "HEADLINE_MIMETYPE", "HEADLINE_KEYS", "Rapport", "Section", "prepare", "titel", "respons",
    "kerncijfers", "organisatiekracht", "uitspraken", "ondersteuning", "inzet", "trends",
    "verantwoording", "headline", "publish_headline", "REGIOS", "resolve_path", "NOTEBOOK",
    "notebook_path",
]


def notebook_path():
    """The report notebook inside the installed package."""
    from importlib import resources
    from pathlib import Path
    return Path(str(resources.files("socvit") / "report" / NOTEBOOK))
