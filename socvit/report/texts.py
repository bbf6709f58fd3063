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
           "panel_zin", "verandering_intro", "verandering_cel", "verandering_zin",
           "telwoord", "aantal_van", "or_zin", "bron", "weging_kort", "datum", "inleiding",
           "herindeling_zin", "weging_zin", "meegeleverd_zin", "ONGEWOGEN", "ongewogen_zin",
           "ongewogen_gemeente_zin", "samengevoegd_zin", "KERN_ACTIEF", "KERN_SCORE",
           "KERN_CIJFER", "respons_intro", "KERNCIJFERS_INTRO", "organisatiekracht_intro",
           "uitspraken_intro", "ondersteuning_kop", "ondersteuning_intro",
           "ODDS_RATIO_UITLEG", "ALFA_UITLEG", "alfa_waarschuwing", "omega_zin",
           "weging_diagnose", "meegeleverd_diagnose", "ongewogen_diagnose", "onthulling_zin",
           "gegevens_zin", "kaart_onderschrift", "kaart_alt", "kernen_verborgen",
           "kernen_niet_apart", "onthulling_vergelijking"]

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


_TELWOORDEN = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
               "tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien",
               "zeventien", "achttien", "negentien", "twintig")


def telwoord(n: int) -> str:
    """A count in words up to twenty ("zestien"), in digits above."""
    n = int(n)
    return _TELWOORDEN[n] if 0 <= n < len(_TELWOORDEN) else str(n)


def aantal_van(n: int, enkelvoud: str, meervoud: str) -> str:
    """"vier deelschalen", "één element"."""
    return f"{telwoord(n)} {enkelvoud if int(n) == 1 else meervoud}"


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


def bron(source: str, golf: int, weging: str = "", extra: str = "") -> str:
    """The source line under a figure or table: ``source`` as the codebook names the panel
    (``panel.source``), ``weging`` what was done (:func:`weging_kort`), or "" to leave it out.

    >>> bron("Drents Panel", 2023, "gewogen met de meegeleverde weegfactor")
    'Bron: Drents Panel, golf 2023; gewogen met de meegeleverde weegfactor.'
    """
    w = f"; {weging}" if weging else ""
    return f"Bron: {source}, golf {int(golf)}{w}." + (f" {extra}" if extra else "")


def weging_kort(method: str, naar=()) -> str:
    """What a caption says about the weighting: "gewogen naar leeftijd en geslacht"
    (raking by ``naar``), "gewogen met de meegeleverde weegfactor" or "ongewogen"."""
    if method == "raking":
        return f"gewogen naar {opsomming(naar)}"
    if method == "meegeleverd":
        return "gewogen met de meegeleverde weegfactor"
    return "ongewogen"


# --------------------------------------------------------------------------- report prose
_MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
            "september", "oktober", "november", "december")


def datum(d) -> str:
    """"27 november 2026"."""
    return f"{d.day} {_MAANDEN[d.month - 1]} {d.year}"


def inleiding(naam: str, vergelijking: str, actie=(), themas: int = 0, schaal: str | None = None,
              cijfer: bool = True, elementen=("betrokkenheid en overtuigingen",
                                               "bereidheid en capaciteit")) -> str:
    """The introduction (``naam``, ``vergelijking``, the ACTIE names and ``elementen``
    already escaped): ``actie`` the ACTIE aspects the report shows, ``themas`` the number of
    panel themes, ``schaal`` the answer scale of the scores ("een vijfpuntsschaal"; None:
    each question's own), ``cijfer`` whether a mark for the gemeente is reported,
    ``elementen`` the names of organisatiekracht's two elements in the codebook (bond and
    shared principles; motivation and skills)."""
    ook = []
    if actie:
        ook.append("de ondersteuning door gemeente en welzijnsorganisaties (ACTIE: "
                   f"{opsomming(actie)})")
    if themas:
        ook.append(aantal_van(themas, "panelthema", "panelthema's"))
    extra = f" Het gaat ook over {' en over '.join(ook)}." if ook else ""
    schaal = f"op {schaal}" if schaal else "op de antwoordschaal van elke vraag"
    mark = ("; het rapportcijfer is het gemiddelde cijfer dat inwoners de gemeente geven"
            if cijfer else "")
    return (
        "Sociale vitaliteit is de mate waarin inwoners van een dorp of wijk samen met "
        "veranderingen weten om te gaan. De maatstaf is de mate waarin inwoners zich inzetten "
        "voor gemeenschappelijke doelen in hun dorp of wijk. De kern daarvan is "
        + (f"**organisatiekracht**, die bestaat uit twee elementen: *{elementen[0]}* (de band "
           "tussen mensen en de mate waarin zij uitgangspunten delen) en "
           f"*{elementen[1]}* (de motivatie om iets te doen en de vaardigheden om "
           "initiatieven uit te voeren).\n\n" if len(elementen) == 2 else
           "**organisatiekracht**.\n\n") +
        f"Dit rapport beschrijft hoe inwoners van {naam} hierover denken, vergeleken met "
        f"{vergelijking}.{extra} Scores staan op een schaal van 0 tot 10 (het gemiddelde van "
        f"de antwoorden {schaal}, omgerekend: 0 is helemaal oneens, 10 helemaal "
        f"eens){mark}.")


def herindeling_zin(naam: str, indeling: int) -> str:
    return (f"Alle cijfers zijn berekend voor de gemeente {naam} zoals die bestaat in de "
            f"indeling van {indeling}: antwoorden uit voormalige gemeenten tellen mee voor de "
            "gemeente waarin die zijn opgegaan.")


# --------------------------------------------------------------------------- panel
def panel_zin(naam: str, golf: int, vorige: int, n: int, ook: int, min_n: int) -> str:
    """How many of the wave's respondents in the gemeente also answered the previous wave;
    not given when either group (also there, or not) has fewer than ``min_n`` respondents.

    >>> panel_zin("Eemsdelta", 2023, 2021, 358, 241, 10)
    'Van de 358 respondenten uit Eemsdelta in 2023 deden er 241 (67%) ook mee aan de vorige golf, in 2021.'
    >>> panel_zin("Pekela", 2023, 2021, 118, 112, 10)[:60]
    'Hoeveel respondenten uit Pekela in 2023 ook meededen aan de '
    """
    if ook < min_n or n - ook < min_n:
        return (f"Hoeveel respondenten uit {naam} in {golf} ook meededen aan de vorige golf, in "
                f"{vorige}, is niet getoond: een van beide groepen telt minder dan {min_n} "
                "respondenten.")
    return (f"Van de {fmt.aantal(n)} respondenten uit {naam} in {golf} deden er "
            f"{fmt.aantal(ook)} ({fmt.procent(ook / n)}) ook mee aan de vorige golf, in {vorige}.")


def verandering_intro(tabel: str, vorige: int, golf: int) -> str:
    """Introduces the table of change within persons beside the change across sections."""
    return (f"{tabel} zet de verandering tussen {vorige} en {golf} op twee manieren naast "
            "elkaar: het verschil tussen alle respondenten van de twee golven (de ontwikkeling "
            "hierboven) en de verandering bij dezelfde inwoners, die aan beide golven meededen. "
            "Bij dezelfde inwoners telt alleen wat zij zelf anders zijn gaan zien of doen; bij "
            "alle respondenten telt ook mee wie er in het panel is bijgekomen of weggegaan.")


def verandering_cel(estimate, lower, upper, kind: str = "score",
                    indicative: bool = False) -> str:
    """A change with its 95% interval, for a table cell: percentage points with one decimal
    (``kind`` "pct", from proportions) or a 0-10 score with two.

    >>> verandering_cel(-0.0531, -0.142, 0.036, "pct")
    '-5,3 procentpunt (-14,2 tot 3,6)'
    >>> verandering_cel(0.0412, -0.05, 0.13, indicative=True)
    '+0,04 (-0,05 tot 0,13)*'
    """
    f, d, unit = (100, 1, " procentpunt") if kind == "pct" else (1, 2, "")
    return (f"{fmt.getal(estimate * f, d, sign=True)}{unit} "
            f"({fmt.interval(lower * f, upper * f, decimals=d)})" + ("*" if indicative else ""))


def verandering_zin(naam: str, vorige: int, golf: int, van, naar, lower, upper) -> str:
    """The share active among the same people in both waves, and whether its change is
    larger than chance (the 95% interval of the change excludes 0).

    >>> verandering_zin("Eemsdelta", 2021, 2023, 0.389, 0.337, -0.142, 0.036)
    'Bij de inwoners van Eemsdelta die aan beide golven meededen, ging het aandeel actieven van 39% in 2021 naar 34% in 2023; dat verschil valt binnen de toevalsmarge.'
    """
    oordeel = ("valt binnen de toevalsmarge" if lower <= 0 <= upper
               else "is groter dan op toeval te verwachten is")
    return (f"Bij de inwoners van {naam} die aan beide golven meededen, ging het aandeel "
            f"actieven van {fmt.procent(van)} in {vorige} naar {fmt.procent(naar)} in {golf}; "
            f"dat verschil {oordeel}.")


def _design(deff, n_eff) -> str:
    return (f"Door de weging is het design effect {fmt.getal(deff, 2)}: de gewogen uitkomsten "
            f"zijn ongeveer zo nauwkeurig als die van {fmt.aantal(n_eff)} ongewogen "
            "respondenten (de effectieve n).")


def weging_zin(deff, n_eff, naar: str, reden: str | None = None) -> str:
    """Raking per gemeente by ``naar`` ("leeftijdsklasse en geslacht"); ``reden`` the
    codebook's reason for weighting (``panel.weighting_reason``)."""
    wie = (f"{reden} Daarom zijn de antwoorden" if reden else "De antwoorden zijn")
    return (f"{wie} per gemeente gewogen naar {naar} (raking naar de "
            "bevolkingsaantallen), zodat elke groep meetelt naar haar aandeel in de bevolking. "
            + _design(deff, n_eff))


def meegeleverd_zin(deff, n_eff, variabele: str) -> str:
    """Weighted with the weight delivered with the data (``variabele`` its label, escaped)."""
    return (f"De antwoorden zijn gewogen met de weegfactor die met de gegevens is meegeleverd "
            f"(‘{variabele}’). " + _design(deff, n_eff))


ONGEWOGEN = "Er waren geen bevolkingsaantallen beschikbaar; de uitkomsten zijn ongewogen."


def ongewogen_zin(reden: str) -> str:
    """Why a report is unweighted: "geen bevolking", "geen achtergrondkenmerken" or
    "ontbreekt:<file>" (the population file the codebook names is missing)."""
    if reden.startswith("ontbreekt:"):
        return (f"Het codeboek noemt het bevolkingsbestand ‘{md(reden.split(':', 1)[1])}’, maar "
                "dat bestand is er niet; de uitkomsten zijn ongewogen.")
    if reden == "geen achtergrondkenmerken":
        return ("Het codeboek noemt geen achtergrondkenmerken om naar de bevolkingsaantallen te "
                "wegen; de uitkomsten zijn ongewogen.")
    return ONGEWOGEN


def ongewogen_gemeente_zin(naam: str, golf: int) -> str:
    """A gemeente whose respondents could not be weighted in a wave (``naam`` escaped)."""
    return (f"De antwoorden uit {naam} zijn in golf {golf} niet gewogen: in sommige groepen "
            "van de weging waren te weinig respondenten om naar de bevolkingsaantallen te "
            "wegen, ook niet na het samenvoegen van groepen. Alle "
            f"respondenten uit {naam} tellen daarom even zwaar mee.")


def samengevoegd_zin(naam: str, golf: int, paren) -> str:
    """Categories joined for the weighting of a gemeente in a wave: ``paren`` is a list of
    (category, joined with)."""
    delen = opsomming(f"‘{md(a)}’ met ‘{md(b)}’" for a, b in paren)
    return (f"In golf {golf} waren er in {naam} geen respondenten in "
            f"{'een groep' if len(paren) == 1 else 'enkele groepen'} van de weging; voor de "
            f"weging is daarom samengevoegd: {delen}.")

#: the headline sentences (with {naam} and {waarde}): the activity share (``{periode}`` the
#: codebook's ``roles.activity.period`` and a space, or nothing), a scale, the mark
KERN_ACTIEF = ("In {naam} was {waarde} van de inwoners {periode}actief voor een doel in het "
               "eigen dorp of de eigen wijk")
KERN_SCORE = "De score voor {wat} is in {naam} {waarde}"
KERN_CIJFER = "Inwoners van {naam} geven de gemeente gemiddeld een {waarde}"


# --------------------------------------------------------------------------- section intros
def respons_intro(beschrijving: str, gewogen: bool) -> str:
    """Introduction of "Wie deden er mee?" (``beschrijving``: the codebook's sentence about
    the panel)."""
    return (f"{beschrijving} Deze paragraaf laat zien hoeveel inwoners meededen en "
            f"{'hoe de antwoorden zijn gewogen' if gewogen else 'of de antwoorden zijn gewogen'}.")


KERNCIJFERS_INTRO = ("De belangrijkste uitkomsten, vergeleken met het vergelijkingsgebied. We "
                     "schrijven alleen \"hoger\" of \"lager\" als het verschil statistisch "
                     "significant is (95% betrouwbaarheid).")


def organisatiekracht_intro(n_schalen: int, elementen) -> str:
    """``elementen``: the elements' names in lower case (escaped)."""
    elementen = list(elementen)
    opbouw = aantal_van(n_schalen, "deelschaal", "deelschalen")
    if elementen:
        opbouw += (f" in {aantal_van(len(elementen), 'element', 'elementen')}: "
                   + (", en ".join(elementen) if len(elementen) == 2 else opsomming(elementen)))
    return f"Organisatiekracht bestaat uit {opbouw}. Elke score loopt van 0 tot 10."


def uitspraken_intro(n_items: int, omgekeerd: bool) -> str:
    out = (f"Inwoners gaven bij {aantal_van(n_items, 'uitspraak', 'uitspraken')} aan in "
           "hoeverre zij het ermee eens zijn.")
    if omgekeerd:
        out += (" Sommige uitspraken zijn negatief geformuleerd; voor de scores zijn die "
                "omgekeerd meegeteld.")
    return out


def ondersteuning_kop(actie: bool, themas: bool) -> str:
    return ("Ondersteuning en panelthema's" if actie and themas
            else "Ondersteuning" if actie else "Panelthema's")


def ondersteuning_intro(actie, themas) -> str:
    """``actie`` and ``themas``: how sentences name the scales (escaped)."""
    actie, themas = list(actie), list(themas)
    zinnen = []
    if actie:
        zinnen.append("Hoe ervaren inwoners de ondersteuning door gemeente en "
                      "welzijnsorganisaties? Het ACTIE-profiel (Denters e.a., 2013) onderscheidt "
                      f"{opsomming(actie)}.")
    if themas:
        wat = aantal_van(len(themas), "thema", "thema's")
        zinnen.append(f"Daarnaast {wat}: {opsomming(themas)}." if actie
                      else f"Hoe denken inwoners over {wat}: {opsomming(themas)}?")
    return " ".join(zinnen)


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


def omega_zin(golf: int, omega_total, omega_h, deelschalen: int | None = None) -> str:
    if omega_h >= 0.7:
        lezing = ("de uitspraken meten samen één onderliggende organisatiekracht, met daarnaast "
                  + (f"de {telwoord(deelschalen)} deelschalen" if deelschalen else "de deelschalen"))
    elif omega_h >= 0.5:
        lezing = ("de uitspraken meten deels één onderliggende organisatiekracht; de deelschalen "
                  "voegen daar veel eigens aan toe")
    else:
        lezing = ("de deelschalen meten vooral elk iets eigens; een totaalscore voor "
                  "organisatiekracht zegt weinig")
    return (f"Voor organisatiekracht als geheel (alle respondenten van golf {int(golf)}) is omega "
            f"totaal {fmt.getal(omega_total, 2)} en omega hiërarchisch {fmt.getal(omega_h, 2)}: "
            f"{lezing}.")


def _design_in(naam, deff, n_eff) -> str:
    if naam is None:
        return ""
    return f" Design effect in {naam}: {fmt.getal(deff, 2)}; effectieve n: {fmt.aantal(n_eff)}."


def weging_diagnose(converged: bool, iterations: int, max_error, naam: str | None, deff,
                    n_eff, naar: str = "") -> str:
    """The weighting paragraph of the verantwoording for raking by ``naar``
    ("leeftijdsklasse en geslacht"; ``naam`` None: no gemeente figures)."""
    status = ("De weging is geconvergeerd" if converged else
              "Let op: de weging is niet volledig geconvergeerd")
    afwijking = ("minder dan 0,01%" if max_error < 1e-4 else
                 f"hooguit {fmt.getal(max_error * 100, 2)}%")
    out = (f"**Weging.** De antwoorden zijn per gemeente gewogen naar {naar} "
           f"(raking, iteratief proportioneel passen). {status} na {iterations} "
           f"iteraties; de gewogen aantallen wijken {afwijking} af van de bevolkingsaantallen.")
    return out + _design_in(naam, deff, n_eff)


def meegeleverd_diagnose(variabele: str, kolom: str, naam: str | None, deff, n_eff) -> str:
    """The weighting paragraph for a weight delivered with the data (escaped names)."""
    return (f"**Weging.** De antwoorden zijn gewogen met de weegfactor die met de gegevens is "
            f"meegeleverd (‘{variabele}’, variabele {kolom}); socvit heeft niet zelf naar "
            "bevolkingsaantallen gewogen." + _design_in(naam, deff, n_eff))


def ongewogen_diagnose(reden: str) -> str:
    return f"**Weging.** {ongewogen_zin(reden)}"


def onthulling_zin(min_n: int, warn_n: int) -> str:
    return (f"**Onthullingsregels.** Uitkomsten op basis van minder dan {min_n} respondenten "
            f"worden niet getoond; uitkomsten op basis van minder dan {warn_n} respondenten zijn "
            "indicatief (gemarkeerd met * of een open symbool). Het rapport bevat geen gegevens "
            "van individuele respondenten.")


def gegevens_zin(bestand: str, sha256: str, codeboek: str, versie: str, op) -> str:
    return (f"**Gegevens.** Bestand `{md(bestand)}` (SHA-256 `{sha256[:16]}…`), codeboek "
            f"‘{md(codeboek)}’. Gemaakt met socvit {versie} op {datum(op)}.")


# --------------------------------------------------------------------------- the map
def kaart_onderschrift(wat: str, provincie: str, indeling: int) -> str:
    """Caption of the province map (``wat``: what the colours show, starting upper case)."""
    return f"{wat} per gemeente in de provincie {provincie} (gemeentelijke indeling {indeling})"


def kaart_alt(provincie: str, n_gemeenten: int, wat: str, naam: str, waarde_gem: str | None,
              laagste: tuple | None, hoogste: tuple | None, verborgen=(), zonder=()) -> str:
    """Text alternative of the province map: what it shows and its key numbers (the
    gemeente's value and the range in the province, ``(naam, waarde)`` pairs), which
    gemeenten are hatched (``verborgen``) or grey (``zonder``).

    >>> zin = kaart_alt("Groningen", 10, "het aandeel inwoners dat actief is", "Eemsdelta",
    ...                 "31%", ("Groningen", "24%"), ("Stadskanaal", "39%"), verborgen=["Pekela"])
    >>> zin.split(". ")[1:]
    ['Eemsdelta (dik omlijnd): 31%', 'In de provincie loopt dit van 24% (Groningen) tot 39% (Stadskanaal)', 'Gearceerd, want minder respondenten dan nodig om te tonen: Pekela.']
    """
    zin = (f"Kaart van de provincie {provincie} met haar {n_gemeenten} gemeenten, gekleurd naar "
           f"{wat}. {naam} (dik omlijnd): "
           + (f"{waarde_gem}." if waarde_gem else "niet getoond (te weinig respondenten)."))
    if laagste and hoogste:
        zin += (f" In de provincie loopt dit van {laagste[1]} ({laagste[0]}) tot {hoogste[1]} "
                f"({hoogste[0]}).")
    if verborgen:
        zin += (f" Gearceerd, want minder respondenten dan nodig om te tonen: "
                f"{opsomming(verborgen)}.")
    if zonder:
        zin += f" Zonder respondenten (grijs): {opsomming(zonder)}."
    return zin


# --------------------------------------------------------------------------- disclosure
def kernen_verborgen(aantal: int, min_n: int, secundair: bool = False) -> str:
    """The note under the kernen's figure and table on the kernen not shown: too few
    respondents, or (``secundair``) hidden as well so that the small ones cannot be worked
    out from the gemeente's totals; "" when none is hidden.

    >>> kernen_verborgen(1, 10)
    '1 dorp of wijk met minder dan 10 respondenten is niet getoond.'
    >>> print(kernen_verborgen(3, 10, secundair=True))   # doctest: +NORMALIZE_WHITESPACE
    3 dorpen of wijken zijn niet getoond: een deel heeft minder dan 10 respondenten, de
    andere zijn weggelaten zodat hun cijfers niet uit de totalen van de gemeente zijn terug
    te rekenen.
    """
    if not aantal:
        return ""
    if secundair:
        return (f"{aantal} dorpen of wijken zijn niet getoond: een deel heeft minder dan {min_n} "
                "respondenten, de andere zijn weggelaten zodat hun cijfers niet uit de totalen "
                "van de gemeente zijn terug te rekenen.")
    return (f"{aantal} {'dorp of wijk' if aantal == 1 else 'dorpen of wijken'} met minder dan "
            f"{min_n} respondenten {'is' if aantal == 1 else 'zijn'} niet getoond.")


def kernen_niet_apart(naam: str, min_n: int, secundair: bool = False) -> str:
    """Why the kernen of a gemeente are not shown one by one."""
    if secundair:
        return (f"De dorpen en wijken van {naam} zijn niet afzonderlijk weergegeven: te weinig "
                f"ervan hebben {min_n} of meer respondenten om ze te tonen zonder dat de cijfers "
                "van de kleinste uit de totalen van de gemeente zijn af te leiden.")
    return (f"De dorpen en wijken van {naam} zijn niet afzonderlijk weergegeven: minder dan "
            f"twee ervan hebben {min_n} of meer respondenten.")


def onthulling_vergelijking(min_n: int, per_golf: dict, per_vraag: bool = False) -> str:
    """The method section's sentence on the gemeenten left out of every comparison figure
    (secondary suppression across the reports of a run): ``per_golf`` maps a wave to the
    names of its gemeenten with fewer than ``min_n`` respondents; ``per_vraag`` adds that the
    same holds per question. "" when nothing was left out.

    >>> print(onthulling_vergelijking(10, {2023: ["Pekela"]}))   # doctest: +NORMALIZE_WHITESPACE
    De antwoorden uit gemeenten met minder dan 10 respondenten (in 2023: Pekela) tellen ook
    niet mee in de vergelijkingscijfers, de cijfers voor alle respondenten en het model voor
    de hele provincie of het hele panel, zodat hun uitkomsten niet uit de cijfers van andere
    gemeenten zijn terug te rekenen.
    """
    per_golf = {g: list(v) for g, v in per_golf.items() if v}
    if not per_golf and not per_vraag:
        return ""
    zin = ""
    if per_golf:
        waar = "; ".join(f"in {g}: {opsomming(sorted(v))}" for g, v in sorted(per_golf.items(),
                                                                              reverse=True))
        zin = (f"De antwoorden uit gemeenten met minder dan {min_n} respondenten ({waar}) tellen "
               "ook niet mee in de vergelijkingscijfers, de cijfers voor alle respondenten en "
               "het model voor de hele provincie of het hele panel, zodat hun uitkomsten niet "
               "uit de cijfers van andere gemeenten zijn terug te rekenen.")
    if per_vraag:
        zin += ((" " if zin else "") + f"Zo tellen ook de antwoorden op een vraag uit een "
                f"gemeente met minder dan {min_n} antwoorden op die vraag niet mee in de "
                "vergelijkingscijfers.")
    return zin
