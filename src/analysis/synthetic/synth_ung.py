"""Synthetic rounds of *Liv & hälsa ung*: pupil cohorts, schools, non-response and outcome models.

The youth survey's microdata are confidential, so the book runs on synthetic rounds that follow
the input contract of :mod:`analysis.contracts.ung_contract` exactly (a pupil file and a school file per
round). The generator has five parts, each usable on its own:

1. **Cohorts** (:func:`analysis.methods.frames.cohort_frame`, shared with the real-data path,
   which post-stratifies to it): pupils by kommun × school year × sex, the län's 13-, 15- and
   17-year-olds of the population year (31 December before the spring survey) shared out to the
   kommuner. Rounds after 2020 use the population of 2019, the last year of the shipped
   population data.
2. **Schools** (:func:`school_units`): each kommun has ``max(1, round(N / 95))`` compulsory schools
   with pupils in åk 7–9 (N = the kommun's åk 9 cohort) and ``max(1, round(N / 220))``
   upper-secondary units (N = its gy 2 cohort); school sizes are Gamma(4) draws, classes have at
   most 25 pupils. A school's id, size weight and "climate" effect depend only on the seed, the
   kommun and the school's number, so schools persist from round to round. (Invented structure:
   the real number of schools is not in the shipped data.)
3. **Non-response** (:func:`response`): a school takes part with probability
   :data:`SCHOOL_PARTICIPATION` (invented: 95 % in the regular rounds, 65 % in the *limited* 2021
   round, which according to ``000_73ed68b797abc974.txt`` rows 332–337 required that enough
   schools took part); a class of a participating school is absent with probability 2 %; a pupil
   of a participating class answers with probability :data:`PUPIL_RESPONSE` by school year
   (invented: 88 / 85 / 76 %, lower in 2021), lower for boys, with a class effect. Non-response
   does not depend on the answers (missing at random given kommun, school year, sex and school),
   so post-stratification by kommun × school year × sex removes the bias of the school-year and
   sex differences.
4. **Outcomes** (:func:`draw_pupils`), drawn in sequence, each from a logistic or cumulative-logit
   model of what is drawn before it (coefficients in :data:`PARAMS`):

   * worry about the family's finances (kommun effects invented, higher in the kommuner where the
     child-poverty chapter finds more children in economically vulnerable households);
   * the five protective factors of the action plan (skoltrivsel, trivs hemma, ljus framtidstro,
     tillit till föräldrarna, lugn och trygg inför skoldagen; 004 rows 1003–1008), each "present"
     with a probability that depends on sex, school year, round, worry about finances, a school
     climate effect (the two school factors) and a latent *resilience* shared by the five
     factors (so that they cluster, as protective factors do);
   * **the dose–response**: "Jag mår bra" *varje dag* has logit
     ``α + β·K + sex × school year + finances + mood + round``, K = number of protective factors
     (0–5). With β > 0 the share rises with every additional factor, as the action plan's ELSA
     figure shows (004 rows 964–967);
   * "Hur mår du rent allmänt?", worry/anxiety, WHO-5 (åk 9 and gy 2 only), daily smoking
     (falling over the rounds: "daglig rökning minskat över tid", 004 row 868), physical activity
     (days with at least 60 minutes), safety in public places and association membership. The
     well-being outcomes share a latent *mood* and depend on K and on worry about finances
     (``002_f91937dbdf8dd34f.txt`` rows 204–206: "stora skillnader i upplevd hälsa mellan de som
     är oroliga för familjens ekonomi, och de som inte är oroliga"). Girls report lower well-being
     and more worry, and the gap widens with school year and over the rounds (001 rows 147–149:
     "Flickor uppger i lägre grad än pojkar att de mår bra och gapet ökar").

   Item non-response is missing completely at random (:data:`ITEM_NONRESPONSE`). Physical
   activity is not asked before 2009 (the seed's series is 2009–2017), so not in 2005 and 2008;
   the limited 2021 round is assumed not to ask about safety in public places and associations.
5. **Calibration** (:func:`calibrate`, stored in ``calibrated/liv_och_halsa_ung.json`` and read
   into :data:`CALIBRATED`). Almost nothing about the
   youth survey was published with numbers (the action plan's charts lost their data), so the
   levels of the 2017 round are calibrated to **documented assumptions** (:data:`TARGETS`, each
   labelled as such): the shape of the dose–response from about 30 % at no protective factor to
   about 80 % at five (an invented shape consistent with "rises with every additional factor"),
   plausible 2017 levels of the five factors, of "mår bra eller mycket bra", worry, WHO-5, daily
   smoking, physical activity, safety and association membership, and of worry about the family's
   finances. Because non-response is at random within the post-strata, the expected
   post-stratified estimate equals the population share, so each free intercept is solved on the
   2017 cohorts (replicated, with common random numbers) so that the population share equals its
   target. Sex, school-year and round differences are set in :data:`PARAMS` (invented, plausible).
   ``python -m analysis.synthetic.synth_ung calibrate --write`` recomputes :data:`CALIBRATED`
   and writes the JSON file; ``tests/unit/test_synth_ung.py`` fails when the stored values no
   longer reproduce the targets.

Rounds are cached on disk (:func:`cached_rounds`, ``data/interim/liv_och_halsa_ung/``), keyed by
the seed, the rounds, the population inputs and the code of this module and everything it
imports, the fitted parameters included (:func:`analysis.core.diskcache.code_hash`).

Why one module
--------------
Schools, non-response and outcomes are one joint model: the calibration solves the outcome
intercepts on the same latent variables the rounds are drawn from, and a round draws every part
from one random stream in a fixed order (changing the order changes every synthetic figure in
the book). The cohorts live below it (:mod:`analysis.methods.frames`), and the choice between
real and synthetic rounds above it (:mod:`analysis.inputs.liv_och_halsa_ung`).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.contracts import ung_contract
from analysis.contracts.ung_contract import PROTECTIVE_ITEMS, Round
from analysis.core import diskcache, geo
from analysis.methods import frames, population
from analysis.sources import catalog
from analysis.synthetic import synthtools

__all__ = [
    "CALIBRATED",
    "PARAMS",
    "ROUNDS",
    "TARGETS",
    "cached_rounds",
    "calibrate",
    "draw_pupils",
    "expected_targets",
    "generate_round",
    "generate_rounds",
    "resolved_params",
    "response",
    "school_units",
    "true_dose_response",
]

#: Rounds generated (seed 004 rows 690–1140: series 2005–2017; 000 rows 332–337: February 2021).
ROUNDS: tuple[int, ...] = (2005, 2008, 2011, 2014, 2017, 2021)
CALIBRATION_YEAR = 2017
#: The ``source`` of the synthetic rounds.
SOURCE = "syntetiska data (analysis.synthetic.synth_ung)"
PUPILS_PER_SCHOOL = {"grund": 95, "gy": 220}
CLASS_SIZE = 25
#: Probability that a school takes part (invented; 2021 was a limited round, seed 000).
SCHOOL_PARTICIPATION: dict[int, float] = {2005: 0.95, 2008: 0.95, 2011: 0.95, 2014: 0.95,
                                          2017: 0.95, 2021: 0.65}
CLASS_ABSENT = 0.02
#: Probability that a pupil of a participating class answers (invented, plausible).
PUPIL_RESPONSE: dict[str, float] = {"ak7": 0.88, "ak9": 0.85, "gy2": 0.76}
RESPONSE_YEAR: dict[int, float] = {2005: 0.1, 2008: 0.05, 2011: 0.0, 2014: 0.0, 2017: 0.0,
                                   2021: -0.35}
RESPONSE_BOY = -0.15
RESPONSE_CLASS_SD = 0.35
#: Questions not in a round's questionnaire (physical activity from 2009, seed 004 rows 847–848;
#: 2021 limited round: an assumption).
NOT_ASKED: dict[int, tuple[str, ...]] = {2005: ("physical_activity",),
                                         2008: ("physical_activity",),
                                         2021: ("safety_public", "association")}
ITEM_NONRESPONSE: dict[str, float] = {
    "school_wellbeing": 0.01, "home_wellbeing": 0.012, "future": 0.015, "trust_parents": 0.015,
    "calm_school": 0.012, "general_wellbeing": 0.008, "feel_good": 0.012, "who5_1": 0.01,
    "who5_2": 0.01, "who5_3": 0.01, "who5_4": 0.01, "who5_5": 0.01, "worry": 0.012,
    "family_finances": 0.02, "smoking": 0.008, "physical_activity": 0.015,
    "safety_public": 0.012, "association": 0.01,
}

#: Worry about the family's finances by kommun (logit shifts; invented, higher where the
#: child-poverty chapter finds more children in economically vulnerable households).
KOMMUN_FINANCES: dict[str, float] = {
    "1814": -0.25, "1860": 0.20, "1861": 0.05, "1862": 0.15, "1863": 0.35, "1864": 0.35,
    "1880": 0.00, "1881": -0.05, "1882": -0.10, "1883": 0.10, "1884": -0.05, "1885": 0.10}
#: Kommun effects on "mår bra" (logit; invented).
KOMMUN_WELLBEING: dict[str, float] = {
    "1814": 0.12, "1860": -0.10, "1861": 0.00, "1862": -0.08, "1863": -0.15, "1864": -0.12,
    "1880": 0.02, "1881": 0.05, "1882": 0.08, "1883": -0.05, "1884": 0.04, "1885": -0.06}

#: The calibration targets for 2017: (model parameter(s), definition, value, status). Every value
#: is an **assumption** (nothing was published with numbers); see the module docstring.
TARGETS: tuple[dict, ...] = (
    {"id": "finance_any", "label": "Oroar sig för familjens ekonomi (ibland eller ofta)",
     "value": 0.22, "status": "antagande"},
    {"id": "finance_often", "label": "Oroar sig ofta för familjens ekonomi", "value": 0.05,
     "status": "antagande"},
    {"id": "pf_school_wellbeing", "label": "Trivs mycket eller ganska bra i skolan",
     "value": 0.74, "status": "antagande"},
    {"id": "pf_home_wellbeing", "label": "Trivs mycket eller ganska bra hemma", "value": 0.89,
     "status": "antagande"},
    {"id": "pf_future", "label": "Mycket eller ganska ljus framtidstro", "value": 0.80,
     "status": "antagande"},
    {"id": "pf_trust_parents", "label": "Kan alltid eller oftast lita på sina föräldrar",
     "value": 0.86, "status": "antagande"},
    {"id": "pf_calm_school", "label": "Alltid eller oftast lugn och trygg inför skoldagen",
     "value": 0.78, "status": "antagande"},
    {"id": "dose_0", "label": "Mår bra varje dag, ingen skyddsfaktor", "value": 0.30,
     "status": "påhittad form"},
    {"id": "dose_5", "label": "Mår bra varje dag, alla fem skyddsfaktorerna", "value": 0.80,
     "status": "påhittad form"},
    {"id": "wellbeing_man", "label": "Mår bra eller mycket bra, pojkar", "value": 0.86,
     "status": "antagande"},
    {"id": "wellbeing_kvinnor", "label": "Mår bra eller mycket bra, flickor", "value": 0.72,
     "status": "antagande"},
    {"id": "worry_man", "label": "Ofta eller alltid ängslig, orolig eller nedstämd, pojkar",
     "value": 0.14, "status": "antagande"},
    {"id": "worry_kvinnor", "label": "Ofta eller alltid ängslig, orolig eller nedstämd, flickor",
     "value": 0.38, "status": "antagande"},
    {"id": "who5_man", "label": "Gott psykiskt välbefinnande (WHO-5), pojkar åk 9 och gy 2",
     "value": 0.78, "status": "antagande"},
    {"id": "who5_kvinnor", "label": "Gott psykiskt välbefinnande (WHO-5), flickor åk 9 och gy 2",
     "value": 0.58, "status": "antagande"},
    {"id": "smoking", "label": "Röker dagligen", "value": 0.03, "status": "antagande"},
    {"id": "active", "label": "Fysiskt aktiv minst 60 minuter alla dagar", "value": 0.17,
     "status": "antagande"},
    {"id": "safety", "label": "Alltid eller oftast trygg ute på stan", "value": 0.80,
     "status": "antagande"},
    {"id": "association", "label": "Med i en förening eller organisation", "value": 0.55,
     "status": "antagande"},
)

# Model coefficients (logit scale). ``grade`` maps a school year to a shift, ``year`` a round to a
# shift (linear between listed rounds), ``girl_grade`` and ``girl_trend`` (per 12 years from
# 2005) widen the girls' difference. ``None`` marks a calibrated value. Everything else is
# invented and plausible.
_ROUND_FLAT = {2005: 0.0, 2021: 0.0}
PARAMS: dict[str, dict] = {
    "finances": {"const": None, "often": None, "girl": 0.15,
                 "grade": {"ak7": 0.0, "ak9": 0.1, "gy2": 0.2},
                 "year": {2005: 0.05, 2008: 0.0, 2011: 0.05, 2014: 0.0, 2017: 0.0, 2021: 0.25}},
    "resilience_loading": 1.5,
    "school_sd": 0.25,
    "protective": {
        "school_wellbeing": {"const": None, "girl": 0.05, "girl_grade": {"ak9": -0.1, "gy2": -0.1},
                             "grade": {"ak7": 0.35, "ak9": -0.25, "gy2": 0.0}, "finances": -0.35,
                             "school": 1.0,
                             "year": {2005: 0.1, 2011: 0.0, 2017: 0.0, 2021: -0.1},
                             "very": 0.45},
        "home_wellbeing": {"const": None, "girl": -0.15, "girl_grade": {"ak9": -0.1, "gy2": -0.1},
                           "grade": {"ak7": 0.3, "ak9": 0.0, "gy2": -0.1}, "finances": -0.6,
                           "school": 0.0, "year": _ROUND_FLAT, "very": 0.6},
        "future": {"const": None, "girl": -0.1, "girl_grade": {"ak9": -0.2, "gy2": -0.3},
                   "girl_trend": -0.15, "grade": {"ak7": 0.25, "ak9": 0.0, "gy2": -0.1},
                   "finances": -0.55, "school": 0.0,
                   "year": {2005: 0.15, 2011: 0.05, 2017: 0.0, 2021: -0.2}, "very": 0.4},
        "trust_parents": {"const": None, "girl": -0.05, "girl_grade": {"ak9": -0.1, "gy2": -0.1},
                          "grade": {"ak7": 0.3, "ak9": 0.0, "gy2": -0.05}, "finances": -0.45,
                          "school": 0.0, "year": _ROUND_FLAT, "very": 0.55},
        "calm_school": {"const": None, "girl": -0.2, "girl_grade": {"ak9": -0.15, "gy2": -0.1},
                        "girl_trend": -0.1, "grade": {"ak7": 0.1, "ak9": -0.1, "gy2": 0.1},
                        "finances": -0.4, "school": 1.0,
                        "year": {2005: 0.1, 2011: 0.05, 2017: 0.0, 2021: -0.1}, "very": 0.45},
    },
    "mood_sd": 1.0,
    "feel_good": {"const": None, "per_factor": None, "girl": -0.2,
                  "girl_grade": {"ak9": -0.15, "gy2": -0.2}, "girl_trend": -0.2,
                  "grade": {"ak7": 0.2, "ak9": 0.0, "gy2": -0.1}, "finances": -0.45, "mood": 0.8,
                  "year": {2005: 0.2, 2008: 0.15, 2011: 0.1, 2014: 0.05, 2017: 0.0, 2021: -0.1},
                  "cut_weekly": 1.9, "cut_sometimes": 3.3},
    "general_wellbeing": {"const": None, "girl": None, "per_factor": 0.5,
                          "girl_grade": {"ak9": -0.25, "gy2": -0.3}, "girl_trend": -0.3,
                          "grade": {"ak7": 0.3, "ak9": 0.0, "gy2": -0.1}, "finances": -0.7,
                          "mood": 0.9,
                          "year": {2005: 0.25, 2008: 0.2, 2011: 0.1, 2014: 0.05, 2017: 0.0,
                                   2021: -0.15},
                          "cut_very": -1.6, "cut_fair": 2.2, "cut_poor": 3.6},
    "worry": {"const": None, "girl": None, "per_factor": -0.35,
              "girl_grade": {"ak9": 0.25, "gy2": 0.3}, "girl_trend": 0.3,
              "grade": {"ak7": -0.35, "ak9": 0.0, "gy2": 0.15}, "finances": 0.55, "mood": -0.9,
              "year": {2005: -0.45, 2008: -0.35, 2011: -0.2, 2014: -0.1, 2017: 0.0, 2021: 0.15},
              "always": 0.3, "split_low": (0.2, 0.35, 0.45)},
    "who5": {"const": None, "girl": None, "per_factor": 0.3,
             "girl_grade": {"gy2": -0.1}, "girl_trend": -0.2,
             "grade": {"ak9": 0.0, "gy2": -0.05}, "finances": -0.3, "mood": 0.6,
             "year": {2005: 0.15, 2011: 0.05, 2017: 0.0, 2021: -0.1}, "sd": 0.6,
             "item_scale": 1.1, "item_centre": 2.5, "item_sd": 0.7,
             "item_offset": (0.1, 0.0, -0.2, -0.3, 0.1)},
    "smoking": {"const": None, "girl": 0.05, "per_factor": -0.2, "finances": 0.35,
                "grade": {"ak7": -2.4, "ak9": -0.6, "gy2": 0.0},
                "year": {2005: 0.95, 2008: 0.7, 2011: 0.45, 2014: 0.2, 2017: 0.0, 2021: -0.3},
                "occasional": {"ak7": 0.02, "ak9": 0.06, "gy2": 0.1}, "quit": 0.12},
    "activity": {"const": None, "boy": 0.5, "per_factor": 0.1,
                 "grade": {"ak7": 0.45, "ak9": 0.0, "gy2": -0.45},
                 "year": {2011: 0.05, 2014: 0.0, 2017: 0.0, 2021: -0.2},
                 "days_const": 0.1, "days_boy": 0.3, "days_grade": {"ak7": 0.3, "ak9": 0.0,
                                                                   "gy2": -0.3}},
    "safety": {"const": None, "boy": 0.7, "per_factor": 0.12, "orebro": -0.25,
               "grade": {"ak7": 0.1, "ak9": 0.0, "gy2": 0.05},
               "year": {2005: 0.15, 2011: 0.1, 2017: 0.0, 2021: 0.0}, "cut_always": -1.2},
    "association": {"const": None, "boy": 0.1, "per_factor": 0.1, "finances": -0.3,
                    "grade": {"ak7": 0.35, "ak9": 0.0, "gy2": -0.4},
                    "year": {2005: 0.2, 2008: 0.15, 2011: 0.1, 2014: 0.05, 2017: 0.0,
                             2021: -0.3}},
}

#: The fitted parameters of :func:`calibrate` (``python -m analysis.synthetic.synth_ung calibrate
#: --write`` rewrites the file).
CALIBRATION_FILE = synthtools.calibrated_path("liv_och_halsa_ung")
#: Calibrated parameters, ``{"model.parameter": value}``, read from :data:`CALIBRATION_FILE`.
CALIBRATED: dict[str, float] = synthtools.read_calibrated(CALIBRATION_FILE)


# --------------------------------------------------------------------------- helpers
_expit = synthtools.expit
_interp = synthtools.interp


_by_grade = synthtools.lookup


def _girl_effect(c: Mapping, p: Mapping[str, np.ndarray], year: int, base: float | None = None
                 ) -> np.ndarray:
    """The girls' difference: base + by school year + a trend over the rounds (0 for boys)."""
    b = c.get("girl", 0.0) if base is None else base
    eff = (b + _by_grade(c.get("girl_grade", {}), p["grade"])
           + c.get("girl_trend", 0.0) * (year - 2005) / 12)
    return p["girl"] * eff


def resolved_params(calibrated: Mapping[str, float] | None = None) -> dict:
    """:data:`PARAMS` with the calibrated values filled in (``"a.b.c"`` keys)."""
    prm = copy.deepcopy(PARAMS)
    for key, value in (CALIBRATED if calibrated is None else calibrated).items():
        node = prm
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = float(value)
    return prm


# --------------------------------------------------------------------------- 2 schools
def school_units(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The schools of each kommun: compulsory schools (åk 7, 9) and upper-secondary units (gy 2).

    Returns
    -------
    pandas.DataFrame
        ``school, kommun, kind ("grund"/"gy"), size, effect``: ``size`` is the school's relative
        size within its kommun and kind, ``effect`` its climate effect on the two school factors.
        Both depend only on ``seed``, the kommun and the school's number.
    """
    n_kind = {"grund": frame[frame["grade"] == "ak9"].groupby("kommun")["population"].sum(),
              "gy": frame[frame["grade"] == "gy2"].groupby("kommun")["population"].sum()}
    sd = PARAMS["school_sd"]
    rows = []
    for k in geo.KOMMUNER:
        for j_kind, (kind, letter) in enumerate((("grund", "G"), ("gy", "Y"))):
            n = max(1, int(round(float(n_kind[kind].get(k, 0)) / PUPILS_PER_SCHOOL[kind])))
            for j in range(n):
                r = np.random.default_rng([int(seed), int(k), j_kind, j])
                rows.append({"school": f"{k}-{letter}{j + 1:02d}", "kommun": k, "kind": kind,
                             "size": float(r.gamma(4.0)), "effect": float(sd * r.normal())})
    return pd.DataFrame(rows)


def _pupils(frame: pd.DataFrame, schools: pd.DataFrame, rng: np.random.Generator
            ) -> pd.DataFrame:
    """One row per pupil of the frame, each placed in a school of the home kommun and a class."""
    parts = []
    for r in frame.itertuples():
        if r.population == 0:
            continue
        kind = "grund" if r.grade in ("ak7", "ak9") else "gy"
        s = schools[(schools["kommun"] == r.kommun) & (schools["kind"] == kind)]
        counts = rng.multinomial(int(r.population), (s["size"] / s["size"].sum()).to_numpy())
        parts.append(pd.DataFrame({
            "kommun": r.kommun, "grade": r.grade, "sex": r.sex,
            "school": np.repeat(s["school"].to_numpy(), counts),
            "school_effect": np.repeat(s["effect"].to_numpy(), counts)}))
    people = pd.concat(parts, ignore_index=True)
    # classes of at most CLASS_SIZE pupils per school and school year, pupils shuffled into them
    people = people.iloc[rng.permutation(len(people))].reset_index(drop=True)
    people = people.sort_values(["school", "grade"], kind="stable", ignore_index=True)
    size = people.groupby(["school", "grade"])["school"].transform("size").to_numpy()
    pos = people.groupby(["school", "grade"]).cumcount().to_numpy()
    n_classes = np.ceil(size / CLASS_SIZE).astype(int)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    number = people["grade"].map({"ak7": "7", "ak9": "9", "gy2": "2"}).to_numpy()
    people["class"] = number.astype(object) + letters[pos % np.maximum(n_classes, 1)]
    return people


# --------------------------------------------------------------------------- 3 non-response
def response(people: pd.DataFrame, year: int, rng: np.random.Generator
             ) -> tuple[np.ndarray, pd.DataFrame]:
    """Which pupils answer, and the school file of the round.

    Returns
    -------
    (numpy.ndarray, pandas.DataFrame)
        A boolean per pupil, and the units (school × grade × class) with ``enrolled`` and
        ``participated``.
    """
    p_school = SCHOOL_PARTICIPATION.get(year, _interp(SCHOOL_PARTICIPATION, year))
    schools = people["school"].unique()
    takes_part = dict(zip(schools, rng.random(len(schools)) < p_school, strict=True))
    units = people.groupby(["school", "grade", "class"], sort=True).agg(
        kommun=("kommun", "first"), enrolled=("kommun", "size")).reset_index()
    present = rng.random(len(units)) >= CLASS_ABSENT
    units["participated"] = (units["school"].map(takes_part).to_numpy() & present).astype(int)
    class_eff = RESPONSE_CLASS_SD * rng.standard_normal(len(units))
    key = pd.MultiIndex.from_frame(units[["school", "grade", "class"]])
    idx = key.get_indexer(pd.MultiIndex.from_frame(people[["school", "grade", "class"]]))
    base = np.log(pd.Series(PUPIL_RESPONSE) / (1 - pd.Series(PUPIL_RESPONSE)))
    eta = (people["grade"].map(base).to_numpy() + _interp(RESPONSE_YEAR, year)
           + RESPONSE_BOY * (people["sex"] == "man").to_numpy() + class_eff[idx])
    answers = (units["participated"].to_numpy()[idx] == 1) & (rng.random(len(people))
                                                               < _expit(eta))
    units.insert(0, "year", year)
    return answers, units[["year", "school", "kommun", "grade", "class", "enrolled",
                           "participated"]]


# --------------------------------------------------------------------------- 4 outcomes
def _covariates(persons: pd.DataFrame) -> dict[str, np.ndarray]:
    return {"kommun": persons["kommun"].to_numpy(dtype=object),
            "grade": persons["grade"].to_numpy(dtype=object),
            "girl": (persons["sex"].to_numpy() == "kvinnor").astype(float),
            "school_effect": persons["school_effect"].to_numpy(dtype=float)
            if "school_effect" in persons else np.zeros(len(persons))}


def finances_logit(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of worrying about the family's finances (ibland or ofta)."""
    c = prm["finances"]
    kom = np.array([KOMMUN_FINANCES[k] for k in p["kommun"]])
    return (c["const"] + c["girl"] * p["girl"] + _by_grade(c["grade"], p["grade"]) + kom
            + _interp(c["year"], year))


def protective_logit(item: str, p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of protective factor ``item`` (without the latent resilience)."""
    c = prm["protective"][item]
    return (c["const"] + _girl_effect(c, p, year) + _by_grade(c["grade"], p["grade"])
            + c["finances"] * p["finance_worry"] + c["school"] * p["school_effect"]
            + _interp(c["year"], year))


def _outcome_logit(name: str, p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of a well-being outcome given K, finances and the latent mood."""
    c = prm[name]
    eta = (c["const"] + _girl_effect(c, p, year) + _by_grade(c["grade"], p["grade"])
           + c["per_factor"] * p["K"] + c.get("finances", 0.0) * p["finance_worry"]
           + c.get("mood", 0.0) * p["mood"] + _interp(c["year"], year))
    if name == "general_wellbeing":
        eta = eta + np.array([KOMMUN_WELLBEING[k] for k in p["kommun"]])
    return eta


def feel_good_logit(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of "Jag mår bra" every day: the dose–response in K."""
    return _outcome_logit("feel_good", p, year, prm)


def _habit_logit(name: str, p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    c = prm[name]
    eta = (c["const"] + c.get("girl", 0.0) * p["girl"] + c.get("boy", 0.0) * (1 - p["girl"])
           + _by_grade(c["grade"], p["grade"]) + c["per_factor"] * p["K"]
           + c.get("finances", 0.0) * p["finance_worry"] + _interp(c["year"], year))
    if name == "safety":
        eta = eta + c["orebro"] * (p["kommun"] == "1880")
    return eta


def _latents(n: int, rng: np.random.Generator, prm: dict) -> dict[str, np.ndarray]:
    return {"resilience": rng.standard_normal(n), "mood": prm["mood_sd"] * rng.standard_normal(n)}


def _five_levels(protective: np.ndarray, very: float, u: np.ndarray) -> np.ndarray:
    """Answer 1–2 when protective (1 with probability ``very``), else 3/4/5 (60/25/15 %)."""
    pos = np.where(u < very, 1, 2)
    neg = np.where(u < 0.6, 3, np.where(u < 0.85, 4, 5))
    return np.where(protective, pos, neg)


def _draw_who5(p: Mapping[str, np.ndarray], year: int, rng, prm) -> np.ndarray:
    return synthtools.who5_items(_outcome_logit("who5", p, year, prm), prm["who5"], rng)


def draw_pupils(persons: pd.DataFrame, year: int, rng: np.random.Generator,
                params: dict | None = None) -> pd.DataFrame:
    """Draw every answer of the contract for pupils with ``kommun, grade, sex`` (and optionally
    ``school_effect``): the outcome model, before item non-response.

    Returns
    -------
    pandas.DataFrame
        A copy of ``persons`` with the question items (complete; WHO-5 missing in åk 7) and the
        model's latent quantities ``K`` (number of protective factors), ``finance_worry``,
        ``resilience`` and ``mood``.
    """
    prm = resolved_params() if params is None else params
    p = _covariates(persons)
    n = len(p["girl"])
    p.update(_latents(n, rng, prm))
    c = prm["finances"]
    eta = finances_logit(p, year, prm)
    u = rng.random(n)
    fin = np.where(u < _expit(eta + c["often"]), 3, np.where(u < _expit(eta), 2, 1))
    p["finance_worry"] = (fin >= 2).astype(float)
    out = persons.copy()
    out["family_finances"] = fin
    K = np.zeros(n)
    for item in PROTECTIVE_ITEMS:
        eta = protective_logit(item, p, year, prm) + prm["resilience_loading"] * p["resilience"]
        has = rng.random(n) < _expit(eta)
        K += has
        out[item] = _five_levels(has, prm["protective"][item]["very"], rng.random(n))
    p["K"] = K
    # "Jag mår bra": every day / several times a week / sometimes / more rarely
    eta = feel_good_logit(p, year, prm)
    fg = prm["feel_good"]
    u = rng.random(n)
    out["feel_good"] = np.where(u < _expit(eta), 1, np.where(
        u < _expit(eta + fg["cut_weekly"]), 2, np.where(u < _expit(eta + fg["cut_sometimes"]),
                                                        3, 4)))
    # "Hur mår du rent allmänt?" (cumulative logit; codes 1–2 = bra eller mycket bra)
    gw = prm["general_wellbeing"]
    eta = _outcome_logit("general_wellbeing", p, year, prm)
    u = rng.random(n)
    code = np.full(n, 5)
    for k, off in reversed(list(enumerate((gw["cut_very"], 0.0, gw["cut_fair"], gw["cut_poor"]),
                                          start=1))):
        code = np.where(u < _expit(eta + off), k, code)
    out["general_wellbeing"] = code
    # worry/anxiety: often or always (4–5), else never / rarely / sometimes
    w = prm["worry"]
    often = rng.random(n) < _expit(_outcome_logit("worry", p, year, prm))
    u = rng.random(n)
    lo = np.cumsum(w["split_low"])
    low = np.where(u < lo[0], 1, np.where(u < lo[1], 2, 3))
    out["worry"] = np.where(often, np.where(u < w["always"], 5, 4), low)
    # WHO-5: åk 9 and gy 2 only
    items = _draw_who5(p, year, rng, prm)
    asked = np.isin(p["grade"], ung_contract.WHO5_GRADES)
    for j, name in enumerate(ung_contract.WHO5_ITEMS):
        out[name] = pd.array(np.where(asked, items[:, j], 0), dtype="Int8")
        out.loc[~asked, name] = pd.NA
    # daily smoking (4), occasional (3), quit (2), never (1)
    s = prm["smoking"]
    daily = rng.random(n) < _expit(_habit_logit("smoking", p, year, prm))
    occ = rng.random(n) < _by_grade(s["occasional"], p["grade"])
    quit = rng.random(n) < s["quit"] * _by_grade(s["occasional"], p["grade"]) / 0.1
    out["smoking"] = np.where(daily, 4, np.where(occ, 3, np.where(quit, 2, 1)))
    # physical activity: all seven days, else a binomial number of days 0–6
    a = prm["activity"]
    every = rng.random(n) < _expit(_habit_logit("activity", p, year, prm))
    q = _expit(a["days_const"] + a["days_boy"] * (1 - p["girl"])
               + _by_grade(a["days_grade"], p["grade"]) + 0.05 * K)
    out["physical_activity"] = np.where(every, 7, rng.binomial(6, q))
    # safety in public places: 1–2 = always or mostly
    sf = prm["safety"]
    eta = _habit_logit("safety", p, year, prm)
    u = rng.random(n)
    v = rng.random(n)
    out["safety_public"] = np.where(u < _expit(eta), np.where(u < _expit(eta + sf["cut_always"]),
                                                                1, 2),
                                    np.where(v < 0.55, 3, np.where(v < 0.85, 4, 5)))
    out["association"] = (rng.random(n) < _expit(_habit_logit("association", p, year, prm))
                          ).astype(int)
    out["K"] = K.astype(int)
    for name in ("finance_worry", "resilience", "mood"):
        out[name] = p[name]
    return out


# --------------------------------------------------------------------------- a round
def generate_round(year: int, frame: pd.DataFrame, seed: int, *, params: dict | None = None,
                   full_response: bool = False) -> Round:
    """One synthetic round in the contract of :mod:`analysis.contracts.ung_contract`.

    Parameters
    ----------
    year
        The round.
    frame
        :func:`analysis.methods.frames.cohort_frame` for the round (scale its ``population``
        for small test rounds).
    seed
        Seed; the round's generator is ``numpy.random.default_rng([seed, year])`` and the schools
        come from :func:`school_units` with the same seed, so a round does not depend on which
        other rounds are drawn.
    params
        Resolved parameters (default: :data:`PARAMS` with :data:`CALIBRATED`).
    full_response
        Every pupil answers (every school takes part; for tests of the estimators).

    Returns
    -------
    analysis.contracts.ung_contract.Round
        The validated pupil and school files (consistent with each other); ``info`` holds
        ``population_year``, ``enrolled``, ``respondents``, ``schools``,
        ``participating_schools`` and ``response_rate`` (respondents / pupils enrolled in all
        schools).
    """
    prm = resolved_params() if params is None else params
    rng = np.random.default_rng([int(seed), int(year)])
    schools = school_units(frame, seed)
    people = _pupils(frame, schools, rng)
    drawn = draw_pupils(people, year, rng, prm)
    answers, units = response(people, year, rng)
    if full_response:
        answers[:] = True
        units["participated"] = 1
    resp = drawn[answers].reset_index(drop=True)
    out = pd.DataFrame({
        "resp_id": [f"{year}-{i + 1:05d}" for i in range(len(resp))],
        "year": year,
        "kommun": resp["kommun"].to_numpy(),
        "school": resp["school"].to_numpy(),
        "class": resp["class"].to_numpy(),
        "grade": resp["grade"].to_numpy(),
        "sex": resp["sex"].to_numpy(),
    })
    not_asked = NOT_ASKED.get(year, ())
    for item in ung_contract.ITEMS:
        vals = pd.array(resp[item].to_numpy(), dtype="Int8")
        miss = rng.random(len(resp)) < ITEM_NONRESPONSE.get(item, 0.0)
        if item in not_asked:
            miss[:] = True
        vals[miss] = pd.NA
        out[item] = vals
    name = f"<synthetic Liv & hälsa ung {year}>"
    pupils = ung_contract.validate_round(out, name, year=year, not_asked=not_asked)
    school_file = ung_contract.validate_schools(units, name + " schools", year=year)
    ung_contract.check_consistency(pupils, school_file, name)
    part = school_file.groupby("school")["participated"].max()
    info = {"population_year": int(frame.attrs.get("population_year",
                                                   frames.population_year(year))),
            "enrolled": int(school_file["enrolled"].sum()), "respondents": int(len(pupils)),
            "schools": int(len(part)), "participating_schools": int(part.sum()),
            "response_rate": float(len(pupils) / school_file["enrolled"].sum()),
            "not_asked": list(not_asked)}
    return Round(year, pupils, school_file, source=SOURCE,
                 synthetic=True, info=info)


def generate_rounds(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame, seed: int,
                    years: Sequence[int] = ROUNDS) -> dict[int, Round]:
    """Several rounds: ``{year: Round}`` (see :func:`generate_round`)."""
    prm = resolved_params()
    return {y: generate_round(y, frames.cohort_frame(lan_single_ages, kolada_groups, y), seed,
                              params=prm) for y in years}


# --------------------------------------------------------------------------- caching
CACHE_VERSION = 1
#: This module's dotted name: the cache key covers its code and everything it imports
#: (:func:`analysis.core.diskcache.code_hash`; ``__name__`` is ``__main__`` under ``python -m``).
MODULE = "analysis.synthetic.synth_ung"


def _write_rounds(rounds: dict[int, Round], folder: Path) -> dict:
    for y, r in rounds.items():
        r.pupils.to_parquet(folder / f"pupils_{y}.parquet", index=False)
        r.schools.to_parquet(folder / f"schools_{y}.parquet", index=False)
    return {"rounds": {str(y): r.info for y, r in rounds.items()}}


def _read_rounds(folder: Path, meta: dict) -> dict[int, Round]:
    out = {}
    for y_s, info in meta["rounds"].items():
        y = int(y_s)
        out[y] = Round(y, pd.read_parquet(folder / f"pupils_{y}.parquet"),
                       pd.read_parquet(folder / f"schools_{y}.parquet"),
                       source=SOURCE, synthetic=True, info=info)
    return dict(sorted(out.items()))


def cached_rounds(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame, seed: int,
                  years: Sequence[int] = ROUNDS, *, cache_root: Path | None = None
                  ) -> dict[int, Round]:
    """:func:`generate_rounds`, cached under ``data/interim/liv_och_halsa_ung/<key>/``.

    Load inputs: the population tables (hashed for the key). Process: :func:`generate_rounds`.
    Save outputs: one Parquet file per round and file kind plus ``meta.json``, written into a
    temporary folder and renamed into place under an exclusive lock, so notebooks running in
    parallel build a key once and never read a half-written folder
    (:func:`analysis.core.diskcache.cached`). The key is a hash of the seed, the rounds, the inputs
    and the code of this module and everything it imports, transitively, with the fitted
    parameters (:func:`analysis.core.diskcache.code_hash`); folders written by other code
    versions are removed.
    """
    code = diskcache.code_hash(MODULE)
    key = diskcache.key({
        "v": CACHE_VERSION, "seed": int(seed), "years": sorted(int(y) for y in years),
        "inputs": [diskcache.frame_hash(lan_single_ages), diskcache.frame_hash(kolada_groups)],
        "code": code,
    })
    root = cache_root or diskcache.default_root("liv_och_halsa_ung")
    return diskcache.cached(
        root, key, code, lambda: generate_rounds(lan_single_ages, kolada_groups, seed, years),
        lambda rounds, folder: {"seed": int(seed), **_write_rounds(rounds, folder)},
        _read_rounds)


# --------------------------------------------------------------------------- calibration
def _population(frame: pd.DataFrame, replicates: int) -> pd.DataFrame:
    idx = np.repeat(np.arange(len(frame)), frame["population"].to_numpy() * replicates)
    return frame.iloc[idx][["kommun", "grade", "sex"]].reset_index(drop=True)


def _calibration_draws(frame: pd.DataFrame, year: int, prm: dict, replicates: int,
                       seed: int) -> dict[str, np.ndarray]:
    """Covariates and common random numbers of the calibration population."""
    pop = _population(frame, replicates)
    rng = np.random.default_rng(seed)
    p = _covariates(pop)
    n = len(pop)
    p["school_effect"] = prm["school_sd"] * rng.standard_normal(n)
    p.update(_latents(n, rng, prm))
    p["u_fin"] = rng.random(n)
    p["u_pf"] = rng.random((len(PROTECTIVE_ITEMS), n))
    p["who5_noise"] = rng.standard_normal((6, n))
    return p


def _set(prm: dict, key: str, value: float) -> None:
    node = prm
    parts = key.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = float(value)


def _fill_finances(p: dict, year: int, prm: dict) -> None:
    eta = finances_logit(p, year, prm)
    p["finance_worry"] = (p["u_fin"] < _expit(eta)).astype(float)


def _fill_k(p: dict, year: int, prm: dict) -> None:
    K = np.zeros(len(p["girl"]))
    for j, item in enumerate(PROTECTIVE_ITEMS):
        eta = protective_logit(item, p, year, prm) + prm["resilience_loading"] * p["resilience"]
        K += p["u_pf"][j] < _expit(eta)
    p["K"] = K


def _who5_good(p: dict, year: int, prm: dict) -> np.ndarray:
    """WHO-5 raw score >= 13 with the calibration population's fixed noise."""
    c = prm["who5"]
    latent = _outcome_logit("who5", p, year, prm) + c["sd"] * p["who5_noise"][0]
    raw = np.zeros(len(latent))
    for j in range(5):
        x = (c["item_centre"] + c["item_offset"][j] + c["item_scale"] * latent
             + c["item_sd"] * p["who5_noise"][j + 1])
        raw += np.clip(np.rint(x), 0, 5)
    return (raw >= 13).astype(float)


def expected_targets(frame: pd.DataFrame, prm: dict | None = None, *, replicates: int = 3,
                     seed: int = 2017, year: int = CALIBRATION_YEAR) -> pd.Series:
    """The model's population values of every :data:`TARGETS` entry (expected probabilities).

    Covariates and latent variables are drawn for the cohorts of ``frame`` replicated
    ``replicates`` times; each target is the mean of the model's probability over the persons it
    concerns (the dose–response points over pupils with 0 and 5 protective factors).
    """
    prm = resolved_params() if prm is None else prm
    p = _calibration_draws(frame, year, prm, replicates, seed)
    return _targets_of(p, year, prm)


def _targets_of(p: dict, year: int, prm: dict) -> pd.Series:
    _fill_finances(p, year, prm)
    _fill_k(p, year, prm)
    girl = p["girl"] == 1
    older = np.isin(p["grade"], ung_contract.WHO5_GRADES)
    fin = finances_logit(p, year, prm)
    out = {
        "finance_any": np.mean(_expit(fin)),
        "finance_often": np.mean(_expit(fin + prm["finances"]["often"])),
    }
    for item in PROTECTIVE_ITEMS:
        eta = protective_logit(item, p, year, prm) + prm["resilience_loading"] * p["resilience"]
        out[f"pf_{item}"] = np.mean(_expit(eta))
    fg = _expit(feel_good_logit(p, year, prm))
    out["dose_0"] = np.mean(fg[p["K"] == 0])
    out["dose_5"] = np.mean(fg[p["K"] == 5])
    gw = _expit(_outcome_logit("general_wellbeing", p, year, prm))
    out["wellbeing_man"], out["wellbeing_kvinnor"] = np.mean(gw[~girl]), np.mean(gw[girl])
    wo = _expit(_outcome_logit("worry", p, year, prm))
    out["worry_man"], out["worry_kvinnor"] = np.mean(wo[~girl]), np.mean(wo[girl])
    w5 = _who5_good(p, year, prm)
    out["who5_man"] = np.mean(w5[older & ~girl])
    out["who5_kvinnor"] = np.mean(w5[older & girl])
    out["smoking"] = np.mean(_expit(_habit_logit("smoking", p, year, prm)))
    out["active"] = np.mean(_expit(_habit_logit("activity", p, year, prm)))
    out["safety"] = np.mean(_expit(_habit_logit("safety", p, year, prm)))
    out["association"] = np.mean(_expit(_habit_logit("association", p, year, prm)))
    return pd.Series(out, dtype=float)


def true_dose_response(frame: pd.DataFrame, year: int, prm: dict | None = None, *,
                       replicates: int = 3, seed: int = 1) -> pd.DataFrame:
    """The model's population share feeling good every day by number of protective factors.

    Returns
    -------
    pandas.DataFrame
        ``sex (kvinnor/man/totalt), factors (0–5), value, n`` (``n`` = persons in the
        replicated population).
    """
    prm = resolved_params() if prm is None else prm
    p = _calibration_draws(frame, year, prm, replicates, seed)
    _fill_finances(p, year, prm)
    _fill_k(p, year, prm)
    q = _expit(feel_good_logit(p, year, prm))
    sex = np.where(p["girl"] == 1, "kvinnor", "man")
    d = pd.DataFrame({"sex": sex, "factors": p["K"].astype(int), "q": q})
    a = d.groupby(["sex", "factors"])["q"].agg(["mean", "size"]).reset_index()
    b = d.groupby("factors")["q"].agg(["mean", "size"]).reset_index().assign(sex="totalt")
    out = pd.concat([a, b], ignore_index=True).rename(columns={"mean": "value", "size": "n"})
    return out[["sex", "factors", "value", "n"]]


def calibrate(frame: pd.DataFrame, *, replicates: int = 20, seed: int = 2017,
              log=print) -> dict[str, float]:
    """Recompute :data:`CALIBRATED` on the 2017 cohorts ``frame`` (see the module docstring).

    Sequential one-dimensional solves (Brent) with common random numbers: the finances cuts, the
    five factors' intercepts, the dose–response's intercept and slope (two equations, least
    squares), then for "mår bra", worry and WHO-5 the intercept on boys and the girls' difference
    on girls, then the habits' intercepts.

    Returns
    -------
    dict
        ``{"model.parameter": value}``, rounded to 4 decimals (:func:`write_calibrated` stores
        them).
    """
    from scipy.optimize import brentq, least_squares

    target = {t["id"]: t["value"] for t in TARGETS}
    prm = resolved_params()
    year = CALIBRATION_YEAR
    p = _calibration_draws(frame, year, prm, replicates, seed)
    girl = p["girl"] == 1
    older = np.isin(p["grade"], ung_contract.WHO5_GRADES)
    found: dict[str, float] = {}

    def solve(key, fn, goal, lo=-12, hi=12):
        def gap(a):
            _set(prm, key, a)
            return fn() - goal
        found[key] = brentq(gap, lo, hi, xtol=1e-7)
        _set(prm, key, found[key])

    solve("finances.const", lambda: np.mean(_expit(finances_logit(p, year, prm))),
          target["finance_any"])
    solve("finances.often", lambda: np.mean(_expit(finances_logit(p, year, prm)
                                                   + prm["finances"]["often"])),
          target["finance_often"], -10, 0)
    _fill_finances(p, year, prm)
    for item in PROTECTIVE_ITEMS:
        solve(f"protective.{item}.const", lambda item=item: np.mean(_expit(
            protective_logit(item, p, year, prm) + prm["resilience_loading"] * p["resilience"])),
            target[f"pf_{item}"])
    _fill_k(p, year, prm)
    k0, k5 = p["K"] == 0, p["K"] == 5

    def dose_res(theta):
        _set(prm, "feel_good.const", theta[0])
        _set(prm, "feel_good.per_factor", theta[1])
        q = _expit(feel_good_logit(p, year, prm))
        return [np.mean(q[k0]) - target["dose_0"], np.mean(q[k5]) - target["dose_5"]]

    sol = least_squares(dose_res, [-1.0, 0.4], xtol=1e-12, ftol=1e-12)
    dose_res(sol.x)
    found["feel_good.const"], found["feel_good.per_factor"] = sol.x
    for name, tid in (("general_wellbeing", "wellbeing"), ("worry", "worry")):
        solve(f"{name}.const", lambda name=name: np.mean(
            _expit(_outcome_logit(name, p, year, prm))[~girl]), target[f"{tid}_man"])
        solve(f"{name}.girl", lambda name=name: np.mean(
            _expit(_outcome_logit(name, p, year, prm))[girl]), target[f"{tid}_kvinnor"], -6, 6)
    solve("who5.const", lambda: np.mean(_who5_good(p, year, prm)[older & ~girl]),
          target["who5_man"], -4, 4)
    solve("who5.girl", lambda: np.mean(_who5_good(p, year, prm)[older & girl]),
          target["who5_kvinnor"], -4, 4)
    for name, tid in (("smoking", "smoking"), ("activity", "active"), ("safety", "safety"),
                      ("association", "association")):
        solve(f"{name}.const", lambda name=name: np.mean(_expit(_habit_logit(name, p, year,
                                                                              prm))), target[tid])
    log(f"residuals: {(_targets_of(p, year, prm) - pd.Series(target)).round(4).to_dict()}")
    order = list(CALIBRATED)
    return {k: round(float(found[k]), 4) for k in order}


def write_calibrated(values: Mapping[str, float], path: str | None = None) -> None:
    """Write ``values`` as the calibrated parameters (:data:`CALIBRATION_FILE`, or ``path``)."""
    synthtools.write_calibrated(values, path or CALIBRATION_FILE)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.synthetic.synth_ung calibrate [replicates] [--write]``.

    Prints the new :data:`CALIBRATED` values; ``--write`` also stores them in
    :data:`CALIBRATION_FILE`.
    """
    def run(replicates: int) -> dict[str, float]:
        kolada = catalog.load("kolada_befolkning")
        lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada,
                                    frames.LAST_POPULATION_YEAR)
        frame = frames.cohort_frame(lan, population.kolada_age_groups(kolada), CALIBRATION_YEAR)
        return calibrate(frame, replicates=replicates)

    return synthtools.calibrate_main(argv, MODULE, CALIBRATION_FILE, 20, run)

if __name__ == "__main__":
    sys.exit(main())
