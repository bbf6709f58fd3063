"""Dutch sentences generated from numbers, for the gemeente report.

Pure functions of numbers and names: no data, no statistics. Names (gemeenten, kernen,
items) are escaped for Markdown/HTML with :func:`md`, so a kern called
``<script>alert(1)</script>`` is printed, never run.

>>> from socvit.report import texts
>>> texts.eens_zin(0.7234, "Ik voel me thuis in mijn dorp of wijk")
'72% is het (helemaal) eens met de uitspraak ‘Ik voel me thuis in mijn dorp of wijk’.'
>>> texts.vergelijk_zin("Het rapportcijfer voor de gemeente", 7.56, 7.21, "hoger",
...                     "de rest van de provincie", kind="cijfer")
'Het rapportcijfer voor de gemeente is 7,6; dat is hoger dan in de rest van de provincie (7,2).'
"""

from __future__ import annotations

import html
import re

from .. import fmt

__all__ = ["md", "waarde", "eens_zin", "vergelijk_zin", "te_weinig_zin", "opsomming",
           "or_zin", "bron", "datum", "inleiding", "herindeling_zin", "weging_zin",
           "ONGEWOGEN", "ongewogen_gemeente_zin", "samengevoegd_zin", "KERNCIJFERS",
           "ODDS_RATIO_UITLEG", "ALFA_UITLEG", "alfa_waarschuwing",
           "omega_zin", "weging_diagnose", "onthulling_zin", "gegevens_zin"]

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


def eens_zin(share, statement: str, subject: str | None = None) -> str:
    """"72% is het (helemaal) eens met de uitspraak ‘...’." (``subject`` e.g. "In Eemsdelta")."""
    head = f"{subject} is {fmt.procent(share)}" if subject else f"{fmt.procent(share)} is"
    return f"{head} het (helemaal) eens met de uitspraak ‘{md(statement)}’."


def vergelijk_zin(wat: str, value, other, direction: str | None, other_label: str,
                  kind: str = "score", indicative: bool = False) -> str:
    """A figure against the comparison area, "hoger/lager dan" only when significant.

    ``direction`` comes from a compare table: "hoger", "lager" or None.
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


# --------------------------------------------------------------------------- report prose
_MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
            "september", "oktober", "november", "december")


def datum(d) -> str:
    """"27 november 2026"."""
    return f"{d.day} {_MAANDEN[d.month - 1]} {d.year}"


def inleiding(naam: str, vergelijking: str) -> str:
    """The introduction (``naam`` and ``vergelijking`` already escaped)."""
    return (
        "Sociale vitaliteit is de mate waarin inwoners van een dorp of wijk samen met "
        "veranderingen weten om te gaan. De maatstaf is de mate waarin inwoners zich inzetten "
        "voor gemeenschappelijke doelen in hun dorp of wijk. De kern daarvan is "
        "**organisatiekracht**, die bestaat uit twee elementen: *betrokkenheid en "
        "overtuigingen* (de band tussen mensen en de mate waarin zij uitgangspunten delen) en "
        "*bereidheid en capaciteit* (de motivatie om iets te doen en de vaardigheden om "
        "initiatieven uit te voeren).\n\n"
        f"Dit rapport beschrijft hoe inwoners van {naam} hierover denken, vergeleken met "
        f"{vergelijking}. Het gaat ook over de ondersteuning door gemeente en "
        "welzijnsorganisaties (ACTIE: animo, contacten, toerusting, inbedding en empathie) en "
        "over drie panelthema's. Scores staan op een schaal van 0 tot 10 (het gemiddelde van "
        "de antwoorden op een vijfpuntsschaal, omgerekend: 0 is helemaal oneens, 10 helemaal "
        "eens); het rapportcijfer is het gemiddelde cijfer dat inwoners de gemeente geven.")


def herindeling_zin(naam: str, indeling: int) -> str:
    return (f"Alle cijfers zijn berekend voor de gemeente {naam} zoals die bestaat in de "
            f"indeling van {indeling}: antwoorden uit voormalige gemeenten tellen mee voor de "
            "gemeente waarin die zijn opgegaan.")


def weging_zin(deff, n_eff) -> str:
    return ("Panelleden zijn gemiddeld ouder dan de bevolking. Daarom zijn de antwoorden per "
            "gemeente gewogen naar leeftijdsklasse en geslacht (raking naar de "
            "bevolkingsaantallen), zodat elke groep meetelt naar haar aandeel in de bevolking. "
            f"Door de weging is het design effect {fmt.getal(deff, 2)}: de gewogen uitkomsten "
            f"zijn ongeveer zo nauwkeurig als die van {fmt.aantal(n_eff)} ongewogen "
            "respondenten (de effectieve n).")


ONGEWOGEN = "Er waren geen bevolkingsaantallen beschikbaar; de uitkomsten zijn ongewogen."


def ongewogen_gemeente_zin(naam: str, golf: int) -> str:
    """A gemeente whose respondents could not be weighted in a wave (``naam`` escaped)."""
    return (f"De antwoorden uit {naam} zijn in golf {golf} niet gewogen: in sommige groepen "
            "naar leeftijdsklasse en geslacht waren te weinig respondenten om naar de "
            "bevolkingsaantallen te wegen, ook niet na het samenvoegen van groepen. Alle "
            f"respondenten uit {naam} tellen daarom even zwaar mee.")


def samengevoegd_zin(naam: str, golf: int, paren) -> str:
    """Categories joined for the weighting of a gemeente in a wave: ``paren`` is a list of
    (category, joined with)."""
    delen = opsomming(f"‘{md(a)}’ met ‘{md(b)}’" for a, b in paren)
    return (f"In golf {golf} waren er in {naam} geen respondenten in "
            f"{'een groep' if len(paren) == 1 else 'enkele groepen'} van de weging; voor de "
            f"weging is daarom samengevoegd: {delen}.")

#: the headline figures of the report: (column, kind, sentence with {naam} and {waarde})
KERNCIJFERS = (
    ("actief", "pct", "In {naam} was {waarde} van de inwoners het afgelopen jaar actief voor "
                      "een doel in het eigen dorp of de eigen wijk"),
    ("betrokkenheid", "score", "De score voor betrokkenheid is in {naam} {waarde}"),
    ("overtuigingen", "score", "De score voor overtuigingen is in {naam} {waarde}"),
    ("bereidheid", "score", "De score voor bereidheid is in {naam} {waarde}"),
    ("capaciteit", "score", "De score voor capaciteit is in {naam} {waarde}"),
    ("rapportcijfer", "cijfer", "Inwoners van {naam} geven de gemeente gemiddeld een {waarde}"),
)

ODDS_RATIO_UITLEG = ("Een odds ratio geeft aan hoeveel groter (boven 1) of kleiner (onder 1) de "
                     "kans op inzet is, bij gelijke andere kenmerken. Het gaat om samenhang, niet "
                     "om oorzaak en gevolg.")

ALFA_UITLEG = ("**Betrouwbaarheid van de schalen.** Cronbachs alfa geeft aan hoe goed de "
               "uitspraken van een schaal samen één onderwerp meten; vanaf 0,70 geldt een schaal "
               "als voldoende betrouwbaar (tussen haakjes het 95%-interval volgens Feldt).")


def alfa_waarschuwing(schalen) -> str:
    return (f"Let op: de betrouwbaarheidsanalyse van {opsomming(md(s) for s in schalen)} gaf een "
            "waarschuwing (bijvoorbeeld een uitspraak die negatief samenhangt met de rest van de "
            "schaal); bekijk deze schalen in het notebook schaalconstructie.")


def omega_zin(golf: int, omega_total, omega_h) -> str:
    if omega_h >= 0.7:
        lezing = ("de uitspraken meten samen één onderliggende organisatiekracht, met daarnaast "
                  "de vier deelschalen")
    elif omega_h >= 0.5:
        lezing = ("de uitspraken meten deels één onderliggende organisatiekracht; de deelschalen "
                  "voegen daar veel eigens aan toe")
    else:
        lezing = ("de deelschalen meten vooral elk iets eigens; een totaalscore voor "
                  "organisatiekracht zegt weinig")
    return (f"Voor organisatiekracht als geheel (alle respondenten van golf {int(golf)}) is omega "
            f"totaal {fmt.getal(omega_total, 2)} en omega hiërarchisch {fmt.getal(omega_h, 2)}: "
            f"{lezing}.")


def weging_diagnose(converged: bool, iterations: int, max_error, naam: str | None, deff,
                    n_eff) -> str:
    """The weighting paragraph of the verantwoording (``naam`` None: no gemeente figures)."""
    status = ("De weging is geconvergeerd" if converged else
              "Let op: de weging is niet volledig geconvergeerd")
    afwijking = ("minder dan 0,01%" if max_error < 1e-4 else
                 f"hooguit {fmt.getal(max_error * 100, 2)}%")
    out = (f"**Weging.** De antwoorden zijn per gemeente gewogen naar leeftijdsklasse en "
           f"geslacht (raking, iteratief proportioneel passen). {status} na {iterations} "
           f"iteraties; de gewogen aantallen wijken {afwijking} af van de bevolkingsaantallen.")
    if naam is not None:
        out += (f" Design effect in {naam}: {fmt.getal(deff, 2)}; effectieve n: "
                f"{fmt.aantal(n_eff)}.")
    return out


def onthulling_zin(min_n: int, warn_n: int) -> str:
    return (f"**Onthullingsregels.** Uitkomsten op basis van minder dan {min_n} respondenten "
            f"worden niet getoond; uitkomsten op basis van minder dan {warn_n} respondenten zijn "
            "indicatief (gemarkeerd met * of een open symbool). Het rapport bevat geen gegevens "
            "van individuele respondenten.")


def gegevens_zin(bestand: str, sha256: str, codeboek: str, versie: str, op) -> str:
    return (f"**Gegevens.** Bestand `{md(bestand)}` (SHA-256 `{sha256[:16]}…`), codeboek "
            f"‘{md(codeboek)}’. Gemaakt met socvit {versie} op {datum(op)}.")
