"""The synthetic sample panel: a known truth to test and demonstrate every analysis.

:func:`generate` draws a long-format panel (one row per respondent per wave, waves 2017,
2019, 2021 and 2023) for the kernen (villages and wijken) of the province of Groningen, with
raw codes exactly as a survey bureau would deliver them (Likert codes 1-5, "weet niet" 9,
"geen antwoord" 99, gemeente as the CBS code valid at the wave), plus population margins
(inhabitants 18+ by gemeente x leeftijdsklasse x geslacht for each wave's indeling).
:func:`write_sample` writes ``panel.csv``, ``panel.parquet`` and ``bevolking.csv``
byte-identically for a seed; ``socvit sample`` calls it.

The latent structure and every true parameter are documented in ``data/sample/README.md``
and are the module constants below (``LOADINGS``, ``SUBSCALE_MEAN``, ``KERN_SD``,
``ACTIEF_COEF``, ...). Change them there and here together.

Model, in short (all latent variables standard normal unless stated):

.. math::

    y^*_{ij} = \\mu_{s(j)} + c_{i} + g_j G_i + e_j E_{e(j),i} + s_j S_{s(j),i}
               + \\sqrt{1 - g_j^2 - e_j^2 - s_j^2}\\,\\varepsilon_{ij}

with the context shift :math:`c_i` = kern intercept (SD ``KERN_SD``) + gemeente effect +
wave trend + age effect; the observed code is the category of :math:`y^*` between the
thresholds ``THRESHOLDS`` (reversed, 6 - code, for reverse-worded items). Person factors
persist across waves: :math:`F_{it} = \\sqrt{\\rho} F_i + \\sqrt{1-\\rho}\\,D_{it}`.

References
----------
1. Denters, B., Tonkens, E., Verhoeven, I. & Bakker, J. (2013). *Burgers als
   dorpsbestuurders?* (ACTIE model of support for citizens' initiatives).
2. Revelle, W. & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega and the glb.
   *Psychometrika* 74, 145-154 (bifactor structure behind omega hierarchical).

Examples
--------
>>> from socvit import sample
>>> panel, bevolking = sample.generate(seed=20231, scale=0.05)   # 5% of the sample's members
>>> panel.shape, sorted(panel["golf"].unique().tolist())
((660, 47), [2017, 2019, 2021, 2023])
>>> [p.name for p in sample.write_sample(getfixture("tmp_path"), scale=0.05)]
['panel.csv', 'panel.parquet', 'bevolking.csv']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import gemeenten as gm
from ._files import atomic_write

__all__ = [
    "DEFAULT_SEED", "WAVES", "generate", "write_sample", "cli_sample", "kernen_table",
    "LOADINGS", "SUBSCALE_MEAN", "KERN_SD", "ACTIEF_COEF", "UREN_COEF", "RESPONSE_COEF",
]

DEFAULT_SEED = 20231
WAVES = (2017, 2019, 2021, 2023)
N_MEMBERS = 6000                 # panel members in all (times ``scale``)
RESPONSE_RATE = 0.55             # expected share of all members answering in each wave
ENTRY_SHARE = {2017: 0.68, 2019: 0.11, 2021: 0.105, 2023: 0.105}   # recruitment wave
ATTRITION = 0.14                 # chance to leave the panel for good before each later wave
RHO = 0.8                        # share of latent variance that is stable across waves

# --- organisatiekracht: bifactor-like structure ------------------------------------------
SUBSCALES = {  # sub-scale -> (element index, items); reverse-worded items per the codebook
    "betrokkenheid": (0, ["bet_1", "bet_2", "bet_3", "bet_4"]),
    "overtuigingen": (0, ["ovt_1", "ovt_2", "ovt_3", "ovt_4"]),
    "bereidheid": (1, ["ber_1", "ber_2", "ber_3", "ber_4"]),
    "capaciteit": (1, ["cap_1", "cap_2", "cap_3", "cap_4"]),
}
REVERSE = ("bet_3", "ovt_4", "ber_2", "cap_3")
BASE_LOADING = (0.45, 0.40, 0.40)            # general, element, sub-scale specific
ITEM_WEIGHT = (1.10, 1.00, 0.85, 1.00)       # per item position (3rd items are weaker)
LOADINGS = {
    item: tuple(round(b * (0.85 if item in REVERSE else ITEM_WEIGHT[k]), 4) for b in BASE_LOADING)
    for s, (_, items) in SUBSCALES.items() for k, item in enumerate(items)
}
SUBSCALE_MEAN = {"betrokkenheid": 0.80, "overtuigingen": 0.20, "bereidheid": 0.30,
                 "capaciteit": -0.20}
THRESHOLDS = np.array([-1.5, -0.6, 0.3, 1.2])
KERN_SD = 0.30                   # kern random intercept on all organisatiekracht items
TREND = 0.02                     # per year since 2017, on organisatiekracht items
AGE_EFFECT = 0.10                # per SD of age (age_z), on organisatiekracht items
#: effect on organisatiekracht items by the kern's gemeente in today's (2023) indeling
GEMEENTE_EFFECT = {"GM0014": -0.20, "GM0037": 0.00, "GM0047": -0.05, "GM0765": 0.05,
                   "GM1895": 0.00, "GM1950": 0.10, "GM1952": -0.05, "GM1966": 0.15,
                   "GM1969": 0.10, "GM1979": -0.05}

# --- ACTIE, themes, rapportcijfer ----------------------------------------------------------
ACTIE = {"animo": 0.10, "contacten": -0.10, "toerusting": -0.30, "inbedding": -0.40,
         "empathie": -0.20}                     # sub-scale means of y*
ACTIE_LOADING = (0.65, 0.45)                    # general support factor A, sub-scale specific
A_CORR_G = 0.30                                 # corr(A, G)
#: support by the gemeente valid at the wave (ACTIE, themes and rapportcijfer)
SUPPORT_EFFECT = {
    "GM0014": 0.10, "GM0037": -0.10, "GM0047": 0.00, "GM0765": 0.15, "GM1895": -0.05,
    "GM1950": 0.05, "GM1952": -0.20, "GM1966": 0.05, "GM1969": 0.10, "GM1979": -0.25,
    "GM0007": 0.10, "GM0048": -0.05, "GM0018": -0.15, "GM1987": 0.00, "GM0040": -0.10,
    "GM0009": 0.20, "GM0017": 0.15, "GM0005": 0.05, "GM1663": 0.20, "GM1651": 0.00,
    "GM0053": 0.10, "GM0015": 0.15, "GM0022": 0.00, "GM0025": 0.10, "GM0056": 0.05,
    "GM0003": 0.00, "GM0010": -0.15, "GM0024": -0.10,
}
THEMES = {  # theme -> (items, mean of y*, correlated factor, correlation)
    "ids": (["ids_1", "ids_2", "ids_3"], -0.20, "A", 0.50),
    "budget": (["budget_1", "budget_2", "budget_3"], 0.40, "G", 0.20),
    "contact": (["contact_1", "contact_2", "contact_3"], 0.00, "A", 0.60),
}
THEME_LOADING = 0.75
MARK = (6.9, 0.7, 0.8, 0.7)      # rapportcijfer = a + b*A + c*support + d*eps, rounded, 1-10

# --- outcome and response ------------------------------------------------------------------
#: logit P(actief) on person-wave latent standardized sub-scale scores and covariates
ACTIEF_COEF = {"intercept": -1.00, "bereidheid_z": 0.80, "capaciteit_z": 0.40, "age_z": 0.45,
               "opleiding_hoog": 0.40, "opleiding_laag": -0.30, "stad": -0.40}
#: log(uren_actief) given actief (rounded to whole hours, 1-80)
UREN_COEF = {"intercept": 1.60, "bereidheid_z": 0.30, "capaciteit_z": 0.20, "age_z": 0.10,
             "sd": 0.70}
#: logit P(answer in a wave | member); the intercept per wave is calibrated to RESPONSE_RATE
RESPONSE_COEF = {"age_z": 0.60, "opleiding_hoog": 0.50, "opleiding_laag": -0.40,
                 "bereidheid_z": 0.25}
AGE_MEAN, AGE_SD = 50.0, 17.0    # age_z = (age - 50) / 17
P_WEETNIET = {"org": 0.03, "actie": 0.10, "thema": 0.07}
P_GEEN_ANTWOORD = 0.01

# --- population ------------------------------------------------------------------------------
AGE_CLASSES = ["18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder"]
AGE_PROFILE = {"stad": (0.45, 0.20, 0.18, 0.17), "suburb": (0.18, 0.21, 0.28, 0.33),
               "land": (0.22, 0.22, 0.28, 0.28)}
MALE_SHARE = (0.51, 0.50, 0.50, 0.45)
EDUCATION = ((0.18, 0.47, 0.35), (0.22, 0.45, 0.33), (0.30, 0.43, 0.27), (0.42, 0.38, 0.20))
GROWTH = {"stad": 0.008, "suburb": 0.000, "land": -0.003}   # per year
ALLOCATION_POWER = 0.7           # panel members per gemeente ~ adults ** 0.7

#: 2017 gemeente: (adults 18+ in 2017, profile, "kern:relative size ...")
_KERNEN = {
    "GM0014": (170000, "stad", "Centrum:24 Oosterparkwijk:14 Korrewegwijk:13 Selwerd:9 "
                               "Paddepoel:11 Vinkhuizen:11 Helpman:10 Beijum:13"),
    "GM0017": (16000, "suburb", "Haren:70 Glimmen:10 Onnen:3 Noordlaren:9 Essen:2"),
    "GM0009": (5800, "land", "Ten Boer:55 Ten Post:10 Garmerwolde:10 Thesinge:8 Winneweer:2"),
    "GM0037": (26000, "land", "Stadskanaal:60 Musselkanaal:22 Onstwedde:10 Alteveer:3 Mussel:5"),
    "GM0047": (22200, "land", "Veendam:70 Wildervank:24 Ommelanderwijk:4 Bareveld:2"),
    "GM0765": (9900, "land", "Oude Pekela:60 Nieuwe Pekela:36 Boven Pekela:4"),
    "GM1895": (31000, "land", "Winschoten:55 Scheemda:8 Midwolda:7 Finsterwolde:5 "
                              "Bad Nieuweschans:4 Heiligerlee:3 Nieuw-Scheemda:2 Oostwold:4"),
    "GM0007": (7300, "land", "Bellingwolde:30 Blijham:30 Vriescheloo:10 Wedde:8 Oudeschans:2"),
    "GM0048": (12600, "land", "Ter Apel:60 Vlagtwedde:15 Sellingen:12 Bourtange:3 Ter Apelkanaal:10"),
    "GM0018": (27400, "land", "Hoogezand:60 Sappemeer:25 Foxhol:8 Kiel-Windeweer:4 Westerbroek:3"),
    "GM1987": (9700, "land", "Muntendam:40 Zuidbroek:30 Meeden:18 Noordbroek:12"),
    "GM0040": (12100, "land", "Slochteren:12 Siddeburen:28 Harkstede:25 Schildwolde:15 "
                              "Hellum:8 Kolham:8"),
    "GM0005": (8300, "land", "Bedum:80 Zuidwolde:10 Onderdendam:7 Noordwolde:3"),
    "GM1663": (8000, "land", "Leens:25 Ulrum:20 Zoutkamp:20 Kloosterburen:10 Wehe-den Hoorn:10 "
                             "Pieterburen:5"),
    "GM1651": (12700, "land", "Uithuizen:40 Uithuizermeeden:30 Usquert:10 Warffum:15 Roodeschool:8"),
    "GM0053": (10900, "land", "Winsum:50 Baflo:15 Sauwerd:8 Adorp:5 Ezinge:6 Garnwerd:2 Feerwerd:1"),
    "GM0015": (9600, "land", "Grootegast:25 Opende:20 Doezum:7 Niekerk:10 Oldekerk:6"),
    "GM0022": (15500, "land", "Leek:55 Tolbert:25 Zevenhuizen:15 Midwolde:5"),
    "GM0025": (8200, "land", "Marum:50 Noordwijk:8 Nuis:12 De Wilp:12"),
    "GM0056": (15000, "land", "Zuidhorn:40 Grijpskerk:20 Aduard:15 Noordhorn:12 Visvliet:3"),
    "GM0003": (9600, "land", "Appingedam-Centrum:30 Opwierde:35 Solwerd:25 Tjamsweer:10"),
    "GM0010": (20500, "land", "Delfzijl-Noord:40 Delfzijl-Zuid:25 Farmsum:8 Termunten:2 "
                              "Wagenborgen:8 Woldendorp:3"),
    "GM0024": (7900, "land", "Loppersum:35 Middelstum:30 Stedum:15 Zeerijp:6 't Zandt:8"),
}


def _parse_kernen(spec: str) -> list[tuple[str, float]]:
    """'Ten Boer:55 Ten Post:10' -> [('Ten Boer', 55.0), ('Ten Post', 10.0)]."""
    out = []
    tokens = spec.split(":")
    name = tokens[0]
    for tok in tokens[1:]:
        size, _, rest = tok.partition(" ")
        out.append((name.strip(), float(size)))
        name = rest
    return out


def kernen_table(n_gemeenten: int | None = None, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """One row per kern: kern, code2017, adults2017, profile, share (of its gemeente).

    With ``n_gemeenten``, synthetic gemeenten GM9001.. ("Testgemeente 001"..), each with
    3-8 kernen, sizes drawn from ``seed``; they are registered in :mod:`socvit.gemeenten`.
    """
    rows = []
    if n_gemeenten is None:
        for code, (adults, profile, spec) in _KERNEN.items():
            kern = _parse_kernen(spec)
            total = sum(s for _, s in kern)
            rows += [(k, code, adults, profile, s / total) for k, s in kern]
    else:
        if not 1 <= int(n_gemeenten) <= 999:
            raise ValueError(f"n_gemeenten must lie between 1 and 999, got {n_gemeenten!r}.")
        r = np.random.default_rng([int(seed), 1])
        for i in range(1, int(n_gemeenten) + 1):
            code = f"GM{9000 + i:04d}"
            gm.register(code, f"Testgemeente {i:03d}", 2017)
            adults = int(round(np.exp(r.normal(np.log(20000), 0.6))))
            sizes = np.sort(r.pareto(1.2, 3 + (i - 1) % 6) + 0.05)[::-1]
            rows += [(f"Testkern {i:03d}-{j}", code, adults, "land", s / sizes.sum())
                     for j, s in enumerate(sizes, start=1)]
    out = pd.DataFrame(rows, columns=["kern", "code2017", "adults2017", "profile", "share"])
    dup = out["kern"][out["kern"].duplicated()]
    if len(dup):  # pragma: no cover - a programming error in the table above
        raise ValueError(f"Kern name(s) used twice: {', '.join(dup)}.")
    for wave in WAVES:
        out[f"gm{wave}"] = [gm.to_indeling(c, wave, k) for c, k in zip(out.code2017, out.kern)]
    return out


def _bevolking(kernen: pd.DataFrame) -> pd.DataFrame:
    """Adults by wave gemeente x age class x gender (deterministic, no randomness)."""
    parts = []
    for wave in WAVES:
        growth = np.array([(1 + GROWTH[p]) ** (wave - 2017) for p in kernen.profile])
        adults = kernen.adults2017.to_numpy() * kernen.share.to_numpy() * growth
        for a, label in enumerate(AGE_CLASSES):
            prof = np.array([AGE_PROFILE[p][a] for p in kernen.profile])
            for sex, share in (("man", MALE_SHARE[a]), ("vrouw", 1 - MALE_SHARE[a])):
                parts.append(pd.DataFrame({"golf": wave, "gemeente": kernen[f"gm{wave}"],
                                           "leeftijdsklasse": label, "geslacht": sex,
                                           "aantal": adults * prof * share}))
    df = pd.concat(parts, ignore_index=True)
    df = df.groupby(["golf", "gemeente", "leeftijdsklasse", "geslacht"], sort=True,
                    as_index=False)["aantal"].sum()
    df["aantal"] = np.round(df["aantal"]).astype("int64")
    return df


def _likert(ystar: np.ndarray, reverse: bool) -> np.ndarray:
    code = np.searchsorted(THRESHOLDS, ystar) + 1
    return (6 - code) if reverse else code


#: "geen antwoord" for numeric answers (outside every valid range, unlike 99)
NUMERIC_MISSING = 999


def _missing(rng, codes: np.ndarray, p9: float, p99: float) -> np.ndarray:
    u = rng.random(codes.shape[0])
    out = codes.copy()
    out[u < p9] = 9
    out[(u >= p9) & (u < p9 + p99)] = 99
    return out


def _calibrate(x: np.ndarray, target: float) -> float:
    """Intercept c with sum(logistic(c + x)) == target (Newton; the sum is increasing in c)."""
    if not 0 < target < len(x):
        raise ValueError(f"Cannot calibrate response: target {target:.0f} respondents out of "
                         f"{len(x)} members in the panel.")
    c = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(c + x)))
        step = (target - p.sum()) / (p * (1 - p)).sum()
        c += step
        if abs(step) < 1e-13:
            break
    return c


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0, n_gemeenten: int | None = None,
             latent: bool = False):
    """Draw the synthetic panel and its population margins.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.
    scale : float
        Multiplies the number of panel members (6,000 at scale 1, about 3,300 rows a wave);
        ``scale=75`` gives about 1,000,000 rows.
    n_gemeenten : int, optional
        Use that many synthetic gemeenten (GM9001..) instead of Groningen's (benchmarks).
    latent : bool
        Also return the true values behind each row (for tests of the documented model):
        ``true_bereidheid_z``, ``true_capaciteit_z`` (person-wave latent scores),
        ``true_opleiding`` (1-3, also where the answer is 99), ``true_kern_effect`` and
        ``true_stad`` (1 for the city of Groningen). Does not change the other columns.

    Returns
    -------
    panel : DataFrame
        Raw codes, one row per respondent per wave, sorted by golf and resp_id.
    bevolking : DataFrame
        golf, gemeente, leeftijdsklasse, geslacht, aantal (inhabitants 18+).
    """
    if not (isinstance(scale, (int, float)) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}.")
    rng = np.random.default_rng(int(seed))
    kernen = kernen_table(n_gemeenten, seed)
    n = int(round(N_MEMBERS * scale))
    if n > 8_999_999:
        raise ValueError(f"scale {scale} asks for {n} panel members; at most 8,999,999 ids exist.")

    # --- members: where they live, who they are -----------------------------------------
    gem_codes, gem_idx = np.unique(kernen.code2017, return_inverse=True)
    gem_adults = np.bincount(gem_idx, weights=kernen.adults2017) / np.bincount(gem_idx)
    p_gem = gem_adults ** ALLOCATION_POWER
    p_kern = (p_gem / p_gem.sum())[gem_idx] * kernen.share.to_numpy()
    kern = rng.choice(len(kernen), size=n, p=p_kern / p_kern.sum())
    entry = rng.choice(np.array(WAVES), size=n, p=list(ENTRY_SHARE.values()))
    profile = kernen.profile.to_numpy()[kern]
    prof_mat = np.array([AGE_PROFILE[p] for p in ("stad", "suburb", "land")])
    prof_row = prof_mat[pd.Series(profile).map({"stad": 0, "suburb": 1, "land": 2}).to_numpy()]
    u = rng.random(n)
    age_class = (u[:, None] > np.cumsum(prof_row, axis=1)[:, :3]).sum(axis=1)
    lo = np.array([18, 35, 50, 65])[age_class]
    width = np.array([17, 15, 15, 0])[age_class]
    old = 65 + np.minimum(rng.exponential(9.0, n), 25.0)        # 65-90, fewer with age
    age_entry = np.where(age_class == 3, old, lo + rng.random(n) * width).astype(int)
    male = rng.random(n) < np.array(MALE_SHARE)[age_class]
    edu_cum = np.cumsum(np.array(EDUCATION), axis=1)[age_class]
    edu = 1 + (rng.random(n)[:, None] > edu_cum[:, :2]).sum(axis=1)     # 1 laag .. 3 hoog
    edu_code = np.where(rng.random(n) < 0.015, 99, edu)
    woon_entry = np.floor(age_entry * rng.beta(1.2, 1.8, n)).astype(int)
    ids = rng.choice(9_000_000, size=n, replace=False) + 1_000_000
    id_str = np.array([f"R{i:07d}" for i in ids], dtype=object)
    woonduur_missing = rng.random(n) < 0.01
    kern_u = rng.normal(0.0, KERN_SD, len(kernen))
    gem_eff = np.array([GEMEENTE_EFFECT.get(c, 0.0) for c in kernen["gm2023"]])

    # --- enrolment, attrition and response per wave ---------------------------------------
    leave = rng.random((n, len(WAVES))) < ATTRITION
    # person factors: G, E1, E2, four specifics, A, five ACTIE specifics, three themes
    stable = rng.standard_normal((n, 16)).T.copy()      # factor k is row k
    rows = []
    left = np.zeros(n, bool)
    for w, wave in enumerate(WAVES):
        left |= (entry < wave) & leave[:, w]
        age = age_entry + (wave - entry)
        enrolled = (entry <= wave) & ~left & (age <= 95)
        f = np.sqrt(RHO) * stable + np.sqrt(1 - RHO) * rng.standard_normal((n, 16)).T.copy()
        age_z = (age - AGE_MEAN) / AGE_SD
        eta = {}
        for s, (e, _) in SUBSCALES.items():
            k = list(SUBSCALES).index(s)
            g, el, sp = BASE_LOADING
            eta[s] = (g * f[0] + el * f[1 + e] + sp * f[3 + k]) / np.sqrt(g*g + el*el + sp*sp)
        lin = (RESPONSE_COEF["age_z"] * age_z + RESPONSE_COEF["opleiding_hoog"] * (edu == 3)
               + RESPONSE_COEF["opleiding_laag"] * (edu == 1)
               + RESPONSE_COEF["bereidheid_z"] * eta["bereidheid"])
        c = _calibrate(lin[enrolled], RESPONSE_RATE * n)
        answer = enrolled & (rng.random(n) < 1 / (1 + np.exp(-(c + lin))))
        idx = np.flatnonzero(answer)
        idx = idx[np.argsort(ids[idx], kind="stable")]            # rows sorted by resp_id
        rows.append(_wave_rows(rng, wave, idx, f[:, idx], {k: v[idx] for k, v in eta.items()},
                               age[idx], age_z[idx], kern[idx], kernen, kern_u, gem_eff,
                               male[idx], edu[idx], edu_code[idx],
                               woon_entry[idx] + (wave - entry[idx]), woonduur_missing[idx],
                               id_str[idx], latent))
    panel = pd.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
    return panel, _bevolking(kernen)


def _wave_rows(rng, wave, idx, f, eta, age, age_z, kern, kernen, kern_u, gem_eff, male, edu,
               edu_code, woonduur, woon_missing, ids, latent=False) -> dict:
    m = len(idx)
    gm_kern = kernen[f"gm{wave}"].to_numpy().astype(object)
    age_class = np.searchsorted([35, 50, 65], age, side="right") + 1
    cols = {
        "resp_id": ids,
        "golf": np.full(m, wave, dtype=np.int64),
        "gemeente": gm_kern[kern],
        "kern": kernen.kern.to_numpy().astype(object)[kern],
        "leeftijd": age.astype(np.int64),
        "leeftijdsklasse": age_class.astype(np.int64),
        "geslacht": np.where(male, 1, 2).astype(np.int64),
        "opleiding": edu_code.astype(np.int64),
        "woonduur": np.where(woon_missing, NUMERIC_MISSING, woonduur).astype(np.int64),
    }
    context = kern_u[kern] + gem_eff[kern] + TREND * (wave - 2017) + AGE_EFFECT * age_z
    for s, (e, items) in SUBSCALES.items():
        k = list(SUBSCALES).index(s)
        for item in items:
            g, el, sp = LOADINGS[item]
            y = (SUBSCALE_MEAN[s] + context + g * f[0] + el * f[1 + e] + sp * f[3 + k]
                 + np.sqrt(1 - g*g - el*el - sp*sp) * rng.standard_normal(m))
            cols[item] = _missing(rng, _likert(y, item in REVERSE), P_WEETNIET["org"], P_GEEN_ANTWOORD)
    support = np.array([SUPPORT_EFFECT.get(c, 0.0) for c in gm_kern])[kern] + 0.01 * (wave - 2017)
    a = A_CORR_G * f[0] + np.sqrt(1 - A_CORR_G ** 2) * f[7]
    la, ls = ACTIE_LOADING
    for k, (sub, mu) in enumerate(ACTIE.items()):
        for j in (1, 2):
            y = (mu + support + la * a + ls * f[8 + k]
                 + np.sqrt(1 - la*la - ls*ls) * rng.standard_normal(m))
            cols[f"{sub}_{j}"] = _missing(rng, _likert(y, False), P_WEETNIET["actie"], P_GEEN_ANTWOORD)
    for k, (theme, (items, mu, by, r)) in enumerate(THEMES.items()):
        base = a if by == "A" else f[0]
        theta = r * base + np.sqrt(1 - r * r) * f[13 + k]
        for item in items:
            y = (mu + 0.5 * support + THEME_LOADING * theta
                 + np.sqrt(1 - THEME_LOADING ** 2) * rng.standard_normal(m))
            cols[item] = _missing(rng, _likert(y, False), P_WEETNIET["thema"], P_GEEN_ANTWOORD)
    ma, mb, mc, md = MARK
    mark = np.clip(np.round(ma + mb * a + mc * support + md * rng.standard_normal(m)), 1, 10)
    cols["rapportcijfer"] = _missing(rng, mark.astype(np.int64), 0.0, 0.02)
    b = ACTIEF_COEF
    lin = (b["intercept"] + b["bereidheid_z"] * eta["bereidheid"] + b["capaciteit_z"] * eta["capaciteit"]
           + b["age_z"] * age_z + b["opleiding_hoog"] * (edu == 3) + b["opleiding_laag"] * (edu == 1)
           + b["stad"] * (kernen.profile.to_numpy()[kern] == "stad"))
    actief = (rng.random(m) < 1 / (1 + np.exp(-lin))).astype(np.int64)
    h = UREN_COEF
    log_h = (h["intercept"] + h["bereidheid_z"] * eta["bereidheid"] + h["capaciteit_z"] * eta["capaciteit"]
             + h["age_z"] * age_z + h["sd"] * rng.standard_normal(m))
    uren = np.where(actief == 1, np.clip(np.round(np.exp(log_h)), 1, 80), 0).astype(np.int64)
    actief_code = _missing(rng, actief, 0.0, P_GEEN_ANTWOORD)
    uren = _missing(rng, uren, 0.0, P_GEEN_ANTWOORD * (actief == 1))
    uren = np.where((actief_code == 99) | (uren == 99), NUMERIC_MISSING, uren)
    cols["actief"] = actief_code
    cols["uren_actief"] = uren.astype(np.int64)
    if latent:
        cols.update(true_bereidheid_z=eta["bereidheid"], true_capaciteit_z=eta["capaciteit"],
                    true_opleiding=edu.astype(np.int64), true_kern_effect=kern_u[kern],
                    true_stad=(kernen.profile.to_numpy()[kern] == "stad").astype(np.int64))
    return cols


def _csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8, ',' separator, LF, no index; the same bytes on every platform.

    Integer and plain-text columns go through pyarrow's CSV writer (unquoted, several times
    faster than pandas for the 1,000,000-row benchmark panel); anything else (floats, text
    with commas or quotes) through pandas with fixed decimals.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def with_pandas(tmp):
        df.to_csv(tmp, index=False, sep=",", encoding="utf-8", lineterminator="\n",
                  float_format="%.4f")

    def with_arrow(tmp):
        header = ",".join(df.columns) + "\n"
        with open(tmp, "wb") as fh:
            fh.write(header.encode("utf-8"))
            pacsv.write_csv(pa.Table.from_pandas(df, preserve_index=False), fh,
                            pacsv.WriteOptions(include_header=False, quoting_style="none"))

    plain = all(pd.api.types.is_integer_dtype(t) or pd.api.types.is_string_dtype(t)
                for t in df.dtypes) and not any(("," in c or '"' in c) for c in df.columns)
    if plain:
        try:
            return atomic_write(path, with_arrow)
        except pa.ArrowInvalid:      # a text value needs quoting: let pandas quote it
            pass
    atomic_write(path, with_pandas)


def write_sample(out_dir, seed: int = DEFAULT_SEED, scale: float = 1.0,
                 n_gemeenten: int | None = None) -> list[Path]:
    """Generate and write panel.csv, panel.parquet and bevolking.csv (and gemeenten.csv for
    synthetic gemeenten) to ``out_dir``; each file is written atomically. Returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panel, bevolking = generate(seed=seed, scale=scale, n_gemeenten=n_gemeenten)
    written = [out / "panel.csv", out / "panel.parquet", out / "bevolking.csv"]
    _csv(panel, written[0])
    atomic_write(written[1], lambda tmp: panel.to_parquet(tmp, index=False, engine="pyarrow"))
    _csv(bevolking, written[2])
    if n_gemeenten is not None:
        codes = sorted(bevolking["gemeente"].unique())
        reg = pd.DataFrame({"code": codes, "name": [gm.name(c) for c in codes], "begin": 2017})
        written.append(out / "gemeenten.csv")
        _csv(reg, written[3])
    return written


def cli_sample(args) -> int:
    """``socvit sample [--out DIR] [--seed N] [--scale X] [--gemeenten K]``."""
    from .io import SAMPLE_DIR
    out = Path(args.out) if getattr(args, "out", None) else SAMPLE_DIR
    seed = DEFAULT_SEED if getattr(args, "seed", None) is None else int(args.seed)
    scale = getattr(args, "scale", 1.0) or 1.0
    k = getattr(args, "gemeenten", None)
    paths = write_sample(out, seed=seed, scale=scale, n_gemeenten=k)
    with open(paths[0], "rb") as fh:
        panel_rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
    print(f"socvit sample: seed {seed}, scale {scale:g}: {panel_rows} rows")
    for p in paths:
        print(f"  wrote {p} ({p.stat().st_size / 1e6:.2f} MB)")
    return 0
