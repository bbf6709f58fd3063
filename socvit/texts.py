"""Dutch sentences generated from numbers, for the gemeente report.

Pure functions of numbers and names: no data, no statistics. Names (gemeenten, kernen,
items) are escaped for Markdown/HTML with :func:`md`, so a kern called
``<script>alert(1)</script>`` is printed, never run.

>>> from socvit import texts
>>> texts.eens_zin(0.7234, "Ik voel me thuis in mijn dorp of wijk")
'72% is het (helemaal) eens met de uitspraak ‘Ik voel me thuis in mijn dorp of wijk’.'
>>> texts.vergelijk_zin("Het rapportcijfer voor de gemeente", 7.56, 7.21, "hoger",
...                     "de rest van de provincie", kind="cijfer")
'Het rapportcijfer voor de gemeente is 7,6; dat is hoger dan in de rest van de provincie (7,2).'
"""

from __future__ import annotations

import html
import re

from . import fmt

__all__ = ["md", "waarde", "eens_zin", "vergelijk_zin", "te_weinig_zin", "opsomming",
           "richting", "or_zin", "bron"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md(name) -> str:
    """Escape a name for use inside Markdown or HTML text (HTML entities and Markdown
    markup characters)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(name), quote=False))


def waarde(x, kind: str = "score") -> str:
    """A number as the report writes it: ``kind`` "pct" (proportion -> "72%"), "cijfer"
    (report mark, one decimal), "score" (0-10 score, one decimal) or "n" (count)."""
    if kind == "pct":
        return fmt.procent(x)
    if kind == "n":
        return fmt.aantal(x)
    return fmt.getal(x, 1)


def richting(difference, p, level: float = 0.95) -> str | None:
    """"hoger", "lager" or None (no significant difference at ``level``)."""
    if fmt.is_na(difference) or fmt.is_na(p) or p >= 1 - level:
        return None
    return "hoger" if difference > 0 else "lager"


def eens_zin(share, statement: str, subject: str | None = None) -> str:
    """"72% is het (helemaal) eens met de uitspraak ‘...’." (``subject`` e.g. "In Eemsdelta")."""
    head = f"{subject} is {fmt.procent(share)}" if subject else f"{fmt.procent(share)} is"
    return f"{head} het (helemaal) eens met de uitspraak ‘{md(statement)}’."


def vergelijk_zin(wat: str, value, other, direction: str | None, other_label: str,
                  kind: str = "score", indicative: bool = False) -> str:
    """A figure against the comparison area, "hoger/lager dan" only when significant.

    ``direction`` comes from :func:`richting` (or a compare table): "hoger", "lager" or None.
    ``wat`` is the subject of the sentence (already escaped when it holds names); when it
    contains ``{waarde}`` the value is put there ("In X was {waarde} actief"), otherwise the
    sentence reads "``wat`` is 7,6".
    """
    v, o = waarde(value, kind), waarde(other, kind)
    head = wat.replace("{waarde}", v) if "{waarde}" in wat else f"{wat} is {v}"
    if fmt.is_na(other):
        out = f"{head}."
    elif direction in ("hoger", "lager"):
        out = f"{head}; dat is {direction} dan in {other_label} ({o})."
    else:
        out = f"{head}; dat verschilt niet significant van {other_label} ({o})."
    if indicative:
        out += " (Indicatief: gebaseerd op weinig respondenten.)"
    return out


def te_weinig_zin(wie: str, min_n: int, wat: str = "dit onderdeel") -> str:
    """The sentence shown instead of a chart or table when a group is too small."""
    return (f"Voor {wie} hebben te weinig inwoners de vragen voor {wat} beantwoord (minder dan "
            f"{min_n}) om uitkomsten te tonen; zo blijven de antwoorden van individuele "
            f"respondenten beschermd.")


def opsomming(words) -> str:
    """"a, b en c"."""
    words = [str(w) for w in words]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " en " + words[-1]


def or_zin(label: str, odds_ratio, lower, upper) -> str:
    """Plain-Dutch reading of the odds ratio of a score (per point), with its interval."""
    if fmt.is_na(odds_ratio):
        return ""
    ci = f"95%-interval {fmt.interval(lower, upper, 2)}"
    if lower <= 1 <= upper:
        return (f"Voor {md(label)} is geen duidelijk verband gevonden "
                f"(odds ratio {fmt.getal(odds_ratio, 2)}; {ci}).")
    if odds_ratio > 1:
        how = f"is de kans op inzet {fmt.getal(odds_ratio, 2)} keer zo groot"
    else:
        how = f"is de kans op inzet kleiner (odds ratio {fmt.getal(odds_ratio, 2)})"
    return f"Bij een punt hogere score voor {md(label)} {how} ({ci})."


def bron(golf: int, gewogen: bool = True, extra: str = "") -> str:
    """The source line under a figure or table."""
    w = "; gewogen naar leeftijd en geslacht" if gewogen else ""
    return (f"Bron: Groninger Panel (synthetische voorbeelddata), golf {int(golf)}{w}."
            + (f" {extra}" if extra else ""))
