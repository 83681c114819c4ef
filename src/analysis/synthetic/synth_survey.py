"""Synthetic rounds of *Liv & hälsa*: stratified design, response and outcome models on the population frame.

The survey's microdata are confidential, so the book runs on synthetic rounds that follow the input
contract of :mod:`analysis.contracts.lh_contract` exactly and whose *weighted* estimates reproduce the
published 2017 figures. The generator has four parts, each usable on its own (a youth-survey
generator can reuse the frame, design and response parts with its own outcome model):

1. **Population frame** (:func:`analysis.methods.frames.population_frame`, shared with the
   real-data path, which rakes to it): persons aged 18+ by kommun × sex × single age for a year,
   approximated from the län's single ages and Kolada's kommun counts. Years after 2019 (the
   last year of population data) use 2019.
2. **Design** (:func:`allocation`, :func:`draw_sample`): one stratum per kommun, simple random
   sampling without replacement within strata. 2022 (seed ``002_f91937dbdf8dd34f.txt``, rows
   277–279): 1 060 invitations per kommun, 5 580 in Örebro kommun, 17 240 in all. The seed gives
   no earlier allocation and says Örebro kommun is divided "into the same area types as before",
   so every round is *assumed* to have had the 2022 allocation; Örebro's area types are not in the
   data, so Örebro kommun is one stratum here (the contract allows finer strata).
3. **Response model** (:func:`response_probability`): logistic; response rises with age up to 75
   (then falls), is higher for women and for the higher educated and lower for people born
   abroad. The intercept of each round is set so that the average response propensity of the
   invited is :data:`RESPONSE_RATE` (invented, falling from 66 % in 2000 to 43 % in 2022).
   Non-response depends only on these covariates (missing at random given them).
4. **Outcome model** (:func:`draw_persons`): covariates and answers are drawn in sequence, each
   from a logistic, cumulative-logit or multinomial-logit model of what is drawn before it:
   birth country → education → employment → economic strain → smoking → physical activity →
   anxiety → sleep → depression → fear of going out → optimism → WHO-5 → general health. The
   coefficients are in :data:`PARAMS`; round-to-round shifts (e.g. falling daily smoking,
   rising anxiety, rising education by birth cohort) are invented and plausible, not calibrated
   to published series. Item non-response is missing completely at random at the rates in
   :data:`ITEM_NONRESPONSE`.

Calibration (:func:`calibrate`, stored in ``calibrated/liv_och_halsa.json`` and read into
:data:`CALIBRATED`). The free parameters below are set so
that the *expected weighted estimate* of the 2017 round — design weights, this response model and
raking to kommun × sex and age-group margins, i.e. exactly what the chapter computes — equals the
published figure. The expectation is computed on the 2017 frame replicated ``replicates`` times,
with each person weighted by response propensity × raking factor and with expected probabilities
instead of 0/1 draws (so the targets are smooth in the parameters):

* good general health (cut between *bra* and *någorlunda* of a cumulative logit): intercept, sex,
  education (2), unemployed, sick/disability pension, economic strain, and students and "other"
  occupation (these two with a tight prior, having no target of their own) — least squares with a
  weak ridge towards the prior values on the ten age-standardised 2017 figures of
  ``004_fb44509df49901da.txt`` rows 1230–1268 (by education, by employment for 18–64, by
  economic strain, women, men; 18–69, ESP 2013 standard, :mod:`analysis.methods.standardisation`;
  the groups are :data:`analysis.sources.seeds.LH_GOOD_HEALTH`, :func:`calibration_targets`);
  the stored fit is within 0.15 percentage points of every figure;
* anxiety (any): intercept and sex, to the published shares of women and men 18+ (004, rows
  720–721);
* diagnosed depression: intercept, to the published share of all 18+ (004, row 733);
* WHO-5 (good well-being, raw score ≥ 13): intercept, to an *invented* 74 % (nothing published);
* response: the round intercepts, to :data:`RESPONSE_RATE`.

Kommun effects on good health (:data:`KOMMUN_HEALTH`) are invented: no kommun values were
published, only the map classes 57–77 %; the effects spread the expected kommun × sex shares over
those classes. The published values are read from the catalogued ``seed_figures``
(:mod:`analysis.sources.seeds`), the same rows the chapter shows.
``python -m analysis.synthetic.synth_survey calibrate --write`` recomputes :data:`CALIBRATED` and
writes the JSON file (run it after changing any model or the population data;
``tests/unit/test_synth_survey.py`` fails when the stored values no longer reproduce the targets).

Why one module
--------------
The design, response and outcome models are one joint model: the calibration solves their
parameters together on one population, and the round generator draws them in one fixed order of
random numbers (changing the order changes every synthetic figure in the book). The population
frame, the standardisation and the published figures it is calibrated to live below it
(:mod:`analysis.methods.frames`, :mod:`analysis.methods.standardisation`,
:mod:`analysis.sources.seeds`).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.contracts import lh_contract
from analysis.core import geo
from analysis.methods import frames, population, standardisation
from analysis.sources import catalog, seeds
from analysis.synthetic import synthtools

__all__ = [
    "CALIBRATED",
    "PARAMS",
    "RESPONSE_RATE",
    "ROUNDS",
    "allocation",
    "calibrate",
    "calibration_targets",
    "crude_targets",
    "draw_persons",
    "draw_sample",
    "expected_weights",
    "generate_round",
    "generate_rounds",
    "rake_population",
    "response_probability",
    "true_health_coefficients",
]

#: Survey rounds generated (Liv & hälsa ran 2000, 2004, 2008, 2012, 2017 and later; 2020 and
#: 2022 use the 2019 population).
ROUNDS: tuple[int, ...] = (2000, 2004, 2008, 2012, 2017, 2020, 2022)
CALIBRATION_YEAR = 2017
#: Invitations per kommun in 2022 (seed 002, rows 277–279); assumed for every round.
INVITED_PER_KOMMUN = 1060
INVITED_OREBRO = 5580
#: Average response propensity of the invited per round (invented, plausible).
RESPONSE_RATE: dict[int, float] = {2000: 0.66, 2004: 0.62, 2008: 0.58, 2012: 0.54, 2017: 0.48,
                                   2020: 0.46, 2022: 0.43}
#: Item non-response rates (missing completely at random).
ITEM_NONRESPONSE: dict[str, float] = {
    "education": 0.008, "employment": 0.01, "economic_strain": 0.012, "birth_country": 0.003,
    "general_health": 0.006, "who5_1": 0.01, "who5_2": 0.01, "who5_3": 0.01, "who5_4": 0.01,
    "who5_5": 0.01, "anxiety": 0.01, "sleep": 0.01, "depression": 0.015, "smoking": 0.006,
    "physical_activity": 0.012, "fear_going_out": 0.01, "optimism": 0.012,
}
#: Questions not in a round's questionnaire (optimism was not asked 2012: seed 004, row 785).
NOT_ASKED: dict[int, tuple[str, ...]] = {2012: ("optimism",)}

#: Share born abroad (all ages) per kommun in 2019. Hällefors 22, Ljusnarsberg 19, Lekeberg 7,
#: Askersund 9 and the län 17 are published (003_e03a011979e317c6.txt rows 405–415); the other
#: kommuner are invented around the län value.
FOREIGN_BORN_2019: dict[str, float] = {
    "1814": 0.07, "1860": 0.15, "1861": 0.13, "1862": 0.13, "1863": 0.22, "1864": 0.19,
    "1880": 0.20, "1881": 0.13, "1882": 0.09, "1883": 0.15, "1884": 0.10, "1885": 0.16}
#: Education level of each kommun relative to the län (logit shift; invented, plausible).
KOMMUN_EDUCATION: dict[str, float] = {
    "1814": 0.10, "1860": -0.35, "1861": -0.20, "1862": -0.35, "1863": -0.40, "1864": -0.45,
    "1880": 0.35, "1881": 0.00, "1882": -0.10, "1883": -0.10, "1884": -0.05, "1885": -0.20}
#: Kommun effects on good general health (logit; invented within the published 57–77 % classes).
KOMMUN_HEALTH: dict[str, float] = {
    "1814": 0.14, "1860": -0.16, "1861": 0.00, "1862": -0.12, "1863": -0.22, "1864": -0.25,
    "1880": 0.04, "1881": 0.10, "1882": 0.06, "1883": -0.06, "1884": 0.02, "1885": -0.08}

# Model coefficients (logit scale). Keys name the model; ``year`` entries are round shifts
# interpolated linearly between the listed years. Values are invented and plausible unless
# listed in CALIBRATED.
PARAMS: dict[str, dict] = {
    "birth_country": {
        "year_factor": {2000: 0.52, 2009: 0.59, 2019: 1.0, 2022: 1.06},
        "age_ratio": {18: 1.1, 25: 1.35, 45: 1.0, 65: 0.6, 80: 0.45},
        # mix of Norden / övriga Europa / utanför Europa among the foreign-born
        "mix_2000": (0.35, 0.30, 0.35), "mix_2022": (0.12, 0.28, 0.60),
    },
    "education": {
        "cut_gym": 0.8, "slope_gym": 0.045, "outside_europe_gym": -1.1, "europe_gym": -0.4,
        "cut_eft": -1.3, "slope_eft": 0.028, "cohort_cap": 1985, "female_eft": 0.45,
        "outside_europe_eft": -0.2,
        "young_eft": {18: -4.0, 20: -2.0, 22: -0.8, 25: 0.0},
    },
    "employment": {
        # multinomial logits against "förvärvsarbetar" for ages 18–64
        "unemployed": {"const": -3.1, "edu1": 0.9, "edu3": -0.4, "bc4": 1.3, "bc3": 0.5,
                       "age": {18: 0.5, 25: 0.2, 30: 0.0, 55: 0.1},
                       "year": {2000: 0.2, 2004: 0.2, 2008: 0.0, 2012: 0.2, 2017: 0.0,
                                2020: 0.3, 2022: 0.1}},
        "sick": {"const": -3.7, "female": 0.3, "edu1": 1.0, "edu3": -0.6, "bc4": 0.3,
                 "age": {18: -0.9, 30: 0.0, 45: 0.6, 55: 1.2},
                 "year": {2000: 0.2, 2004: 0.4, 2008: 0.3, 2012: 0.0, 2017: -0.1,
                          2020: -0.2, 2022: -0.2}},
        "retired": {"const": -30.0, "age": {18: 0.0, 61: 27.0, 62: 28.2}},
        "student": {"const": 0.0, "female": 0.3,
                    "age": {18: 3.2, 20: 0.8, 22: 0.2, 25: -1.5, 30: -2.6, 35: -3.5,
                            45: -4.5}},
        "other": {"const": -3.0, "female_25_44": 0.4, "bc4": 0.6},
        # ages 65+: probability of still working, by age (the rest are retired)
        "working_65plus": {65: 0.28, 66: 0.20, 67: 0.14, 70: 0.06, 75: 0.02},
        "working_65plus_edu3": 1.5,
    },
    "economic_strain": {
        "const": -2.65, "female": 0.15, "edu1": 0.6, "edu3": -0.45,
        "age": {18: 0.5, 30: 0.4, 45: 0.0, 65: -0.6, 80: -0.8},
        "emp": {2: 1.7, 3: 1.3, 4: 0.0, 5: 0.6, 6: 0.9}, "bc": {2: 0.2, 3: 0.6, 4: 1.2},
        "year": {2000: 0.2, 2004: 0.15, 2008: 0.0, 2012: 0.05, 2017: 0.0, 2020: 0.05,
                 2022: 0.2},
    },
    "smoking": {
        "const": -2.6, "female": 0.05, "edu1": 0.6, "edu3": -0.7, "strain": 0.6, "bc4": 0.2,
        "age": {18: -0.1, 30: 0.1, 45: 0.35, 65: 0.0, 80: -0.9},
        "year": {2000: 0.95, 2004: 0.7, 2008: 0.45, 2012: 0.25, 2017: 0.0, 2020: -0.15,
                 2022: -0.3},
        "occasional": 0.09, "quit_const": -1.5, "quit_age": 0.04,
    },
    "physical_activity": {
        "const": 0.3, "edu1": -0.35, "edu3": 0.35, "female": -0.05, "sick": -0.6,
        "strain": -0.25, "daily_smoker": -0.3, "bc4": -0.4,
        "age": {18: 0.2, 30: 0.0, 65: -0.2, 80: -1.2},
        # cumulative logits P(code >= j) = expit(eta + cut_j), j = 2..7 (>= 6: 150 min or more)
        "cuts": (3.0, 2.2, 1.5, 0.9, 0.1, -1.4),
    },
    "anxiety": {
        "const": None, "man": None,  # calibrated
        "age_women": {18: 0.55, 30: 0.25, 45: 0.0, 65: -0.45, 80: -0.2},
        "age_men": {18: 0.25, 30: 0.1, 45: 0.0, 65: -0.4, 80: -0.2},
        "strain": 0.9, "emp": {2: 0.5, 3: 1.1, 5: 0.2},
        "year": {2000: -0.25, 2004: -0.2, 2008: -0.15, 2012: -0.05, 2017: 0.0, 2020: 0.1,
                 2022: 0.15},
        "severe_const": -1.9, "severe_strain": 0.5, "severe_sick": 0.6,
    },
    "sleep": {
        "const": -1.5, "female": 0.35, "anxiety": 1.2, "strain": 0.4,
        "emp": {2: 0.3, 3: 0.6}, "age": {18: 0.1, 30: -0.1, 45: 0.1, 65: 0.2, 80: 0.5},
        "severe_const": -1.8, "severe_anxiety": 0.8,
    },
    "depression": {
        "const": None,  # calibrated
        "female": 0.55, "female_30_49": 0.3, "female_85plus": 0.5, "age_18_29": -0.2,
        "edu1": 0.35, "edu3": -0.25, "anxiety": 1.4, "emp": {2: 0.3, 3: 0.8},
        "year": {2000: -0.5, 2004: -0.4, 2008: -0.3, 2012: -0.15, 2017: 0.0, 2020: 0.05,
                 2022: 0.1},
    },
    "fear_going_out": {
        "const": -2.5, "female": 1.3, "orebro": 0.35, "bc34": 0.3, "anxiety": 0.5,
        "age": {18: 0.2, 30: -0.2, 45: -0.1, 65: 0.3, 80: 0.8},
        "year": {2000: 0.1, 2004: 0.05, 2008: 0.0, 2012: 0.0, 2017: 0.05, 2020: 0.1, 2022: 0.15},
        "often": 0.25,
    },
    "optimism": {
        "const": 1.2, "edu3": 0.2, "strain": -1.0, "anxiety": -0.9, "emp": {2: -0.5, 3: -0.8},
        "age": {18: 0.5, 30: 0.3, 45: 0.0, 65: -0.3, 80: -0.9},
        "year": {2000: -0.1, 2004: 0.0, 2008: 0.05, 2012: 0.0, 2017: 0.0, 2020: -0.1,
                 2022: -0.15},
        "very": 0.3, "neutral": 0.6, "rather_pessimistic": 0.3,
    },
    "who5": {
        "const": None,  # calibrated
        "man": 0.2, "young_women": -0.35, "women_30_44": -0.1, "young_men": -0.1,
        "anxiety": -0.7, "anxiety_severe": -0.5, "depression": -0.6, "sleep": -0.35,
        "strain": -0.3, "optimistic": 0.3, "active": 0.15, "sd": 0.8,
        "item_scale": 1.1, "item_centre": 2.6, "item_sd": 0.7,
        "item_offset": (0.1, 0.0, -0.2, -0.3, 0.1),
        "year": {2000: 0.15, 2004: 0.12, 2008: 0.1, 2012: 0.05, 2017: 0.0, 2020: -0.05,
                 2022: -0.08},
    },
    "general_health": {
        # linear predictor of P(mycket bra or bra); None = calibrated
        "const": None, "man": None, "edu2": None, "edu3": None,
        "age": {"30-44": -0.25, "45-64": -0.55, "65-79": -0.75, "80+": -1.2},
        "emp": {2: None, 3: None, 4: -0.3, 5: None, 6: None},
        "strain": None, "bc": {2: -0.1, 3: -0.15, 4: -0.3},
        "daily_smoker": -0.35, "active": 0.45, "sleep": -0.6, "anxiety": -0.55, "fear": -0.25,
        "optimistic": 0.5,
        "year": {2000: -0.05, 2004: -0.05, 2008: 0.0, 2012: 0.0, 2017: 0.0, 2020: 0.05,
                 2022: 0.0},
        # offsets of the other cut points of the cumulative logit (mycket bra; <= någorlunda;
        # <= dåligt)
        "cut_very_good": -2.3, "cut_fair": 2.3, "cut_poor": 3.9,
    },
    "response": {
        "age": 0.022, "age_pivot": 45, "age_cap": 75, "age_80plus": -0.04, "female": 0.30,
        "edu3": 0.30, "edu1": -0.30, "bc": {2: -0.2, 3: -0.25, 4: -0.55},
    },
}

#: The fitted parameters of :func:`calibrate` (``python -m analysis.synthetic.synth_survey
#: calibrate --write`` rewrites the file); see the module docstring.
CALIBRATION_FILE = synthtools.calibrated_path("liv_och_halsa")
#: Calibrated parameters, ``{"model.parameter": value}``, read from :data:`CALIBRATION_FILE`.
CALIBRATED: dict[str, float] = synthtools.read_calibrated(CALIBRATION_FILE)


# --------------------------------------------------------------------------- helpers
_expit = synthtools.expit
_interp = synthtools.interp


def _step(table: Mapping[int, float], age: np.ndarray) -> np.ndarray:
    """Step function of age: the value of the largest key <= age (keys are lower bounds)."""
    keys = np.array(sorted(table))
    vals = np.array([table[k] for k in keys], dtype=float)
    idx = np.searchsorted(keys, age, side="right") - 1
    return np.where(idx >= 0, vals[np.clip(idx, 0, None)], 0.0)


_lookup = synthtools.lookup


def resolved_params(calibrated: Mapping[str, float] | None = None) -> dict:
    """:data:`PARAMS` with the calibrated values filled in (``"a.b.c"`` keys, ints for codes)."""
    prm = copy.deepcopy(PARAMS)
    for key, value in (CALIBRATED if calibrated is None else calibrated).items():
        parts = key.split(".")
        if parts[0] == "response" and parts[1] == "const":
            prm["response"].setdefault("const", {})[int(parts[2])] = float(value)
            continue
        node = prm
        for p in parts[:-1]:
            node = node[int(p) if p.isdigit() else p]
        last = parts[-1]
        node[int(last) if last.isdigit() else last] = float(value)
    return prm


# --------------------------------------------------------------------------- 2 design
def allocation(year: int) -> dict[str, int]:
    """Invitations per stratum (= kommun) of a round: 1 060, Örebro kommun 5 580 (seed 002).

    The seed documents only 2022; earlier rounds are assumed to have had the same allocation.
    """
    return {k: (INVITED_OREBRO if k == "1880" else INVITED_PER_KOMMUN) for k in geo.KOMMUNER}


def _persons(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per person of the frame (kommun, sex, age), in frame order."""
    idx = np.repeat(np.arange(len(frame)), frame["population"].to_numpy())
    return frame.iloc[idx][["kommun", "sex", "age"]].reset_index(drop=True)


def draw_sample(frame: pd.DataFrame, alloc: Mapping[str, int], rng: np.random.Generator
                ) -> pd.DataFrame:
    """Stratified simple random sample without replacement (strata = kommun).

    Returns
    -------
    pandas.DataFrame
        The invited: ``kommun, stratum, sex, age, N_h (stratum population), n_h (invited)``.
    """
    people = _persons(frame)
    kommun = people["kommun"].to_numpy(dtype=object)
    parts = []
    for k in geo.KOMMUNER:
        pool = np.flatnonzero(kommun == k)
        n_h = int(alloc[k])
        if n_h > len(pool):
            raise ValueError(f"stratum {k}: {n_h} invitations but only {len(pool)} persons")
        pick = rng.choice(pool, size=n_h, replace=False)
        part = people.iloc[np.sort(pick)].copy()
        part["stratum"] = k
        part["N_h"] = len(pool)
        part["n_h"] = n_h
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- 4 outcome model
def _draw_birth_country(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["birth_country"]
    base = np.array([FOREIGN_BORN_2019[k] for k in p["kommun"]])
    share = np.clip(base * _interp(c["year_factor"], year) * _step(c["age_ratio"], p["age"]),
                    0, 0.9)
    w = min(max((year - 2000) / 22, 0.0), 1.0)
    mix = (1 - w) * np.array(c["mix_2000"]) + w * np.array(c["mix_2022"])
    mix_old = mix * np.array([2.0, 1.0, 0.5])
    mix_old = mix_old / mix_old.sum()
    u = rng.random(len(share))
    foreign = u < share
    v = rng.random(len(share))
    m = np.where((p["age"] >= 65)[:, None], mix_old[None, :], mix[None, :])
    region = 2 + (v > m[:, 0]).astype(int) + (v > m[:, 0] + m[:, 1]).astype(int)
    return np.where(foreign, region, 1)


def _draw_education(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["education"]
    cohort = year - p["age"]
    kom = np.array([KOMMUN_EDUCATION[k] for k in p["kommun"]])
    bc = p["birth_country"]
    e1 = (c["cut_gym"] + c["slope_gym"] * (np.minimum(cohort, c["cohort_cap"]) - 1950)
          + c["outside_europe_gym"] * (bc == 4) + c["europe_gym"] * (bc == 3) + 0.5 * kom)
    ramp = np.clip((cohort - 1945) / 20, 0, 1)
    e2 = (c["cut_eft"] + c["slope_eft"] * (np.minimum(cohort, c["cohort_cap"]) - 1950)
          + c["female_eft"] * p["female"] * ramp + kom + c["outside_europe_eft"] * (bc == 4)
          + _step(c["young_eft"], p["age"]))
    p_ge2 = _expit(e1)
    p_3 = np.minimum(_expit(e2), p_ge2)
    u = rng.random(len(e1))
    return 1 + (u < p_ge2).astype(int) + (u < p_3).astype(int)


def _draw_employment(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["employment"]
    age, female, edu, bc = p["age"], p["female"], p["education"], p["birth_country"]
    n = len(age)
    logits = np.zeros((n, 6))  # columns: codes 1..6; code 1 (working) is the reference
    u = c["unemployed"]
    logits[:, 1] = (u["const"] + u["edu1"] * (edu == 1) + u["edu3"] * (edu == 3)
                    + u["bc4"] * (bc == 4) + u["bc3"] * (bc == 3) + _step(u["age"], age)
                    + _interp(u["year"], year))
    s = c["sick"]
    logits[:, 2] = (s["const"] + s["female"] * female + s["edu1"] * (edu == 1)
                    + s["edu3"] * (edu == 3) + s["bc4"] * (bc == 4) + _step(s["age"], age)
                    + _interp(s["year"], year))
    r = c["retired"]
    logits[:, 3] = r["const"] + _step(r["age"], age)
    st = c["student"]
    logits[:, 4] = st["const"] + st["female"] * female + _step(st["age"], age)
    o = c["other"]
    logits[:, 5] = (o["const"] + o["female_25_44"] * female * ((age >= 25) & (age <= 44))
                    + o["bc4"] * (bc == 4))
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    cum = prob.cumsum(axis=1)
    v = rng.random(n)
    code = 1 + (v[:, None] > cum[:, :-1]).sum(axis=1)
    # 65 and older: working or retired
    pw = np.clip(_step(c["working_65plus"], age) * np.where(edu == 3, c["working_65plus_edu3"], 1),
                 0, 1)
    old = age >= 65
    code = np.where(old, np.where(v < pw, 1, 4), code)
    return code


def _draw_strain(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["economic_strain"]
    eta = (c["const"] + c["female"] * p["female"] + c["edu1"] * (p["education"] == 1)
           + c["edu3"] * (p["education"] == 3) + _step(c["age"], p["age"])
           + _lookup(c["emp"], p["employment"]) + _lookup(c["bc"], p["birth_country"])
           + _interp(c["year"], year))
    return (rng.random(len(eta)) < _expit(eta)).astype(int)


def _draw_smoking(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["smoking"]
    eta = (c["const"] + c["female"] * p["female"] + c["edu1"] * (p["education"] == 1)
           + c["edu3"] * (p["education"] == 3) + c["strain"] * p["economic_strain"]
           + c["bc4"] * (p["birth_country"] == 4) + _step(c["age"], p["age"])
           + _interp(c["year"], year))
    n = len(eta)
    u, v = rng.random(n), rng.random(n)
    daily = u < _expit(eta)
    occasional = v < c["occasional"] * np.where(p["age"] < 30, 1.5, 1.0)
    quit = rng.random(n) < _expit(c["quit_const"] + c["quit_age"] * (p["age"] - 18))
    return np.where(daily, 1, np.where(occasional, 2, np.where(quit, 3, 4)))


def _draw_activity(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["physical_activity"]
    eta = (c["const"] + c["edu1"] * (p["education"] == 1) + c["edu3"] * (p["education"] == 3)
           + c["female"] * p["female"] + c["sick"] * (p["employment"] == 3)
           + c["strain"] * p["economic_strain"] + c["daily_smoker"] * (p["smoking"] == 1)
           + c["bc4"] * (p["birth_country"] == 4) + _step(c["age"], p["age"]))
    u = rng.random(len(eta))
    code = np.ones(len(eta), dtype=int)
    for cut in c["cuts"]:
        code += (u < _expit(eta + cut)).astype(int)
    return code


def anxiety_logit(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of any anxiety (codes 2–3) in the outcome model."""
    c = prm["anxiety"]
    female = p["female"].astype(bool)
    age_eff = np.where(female, _step(c["age_women"], p["age"]), _step(c["age_men"], p["age"]))
    return (c["const"] + c["man"] * (~female) + age_eff + c["strain"] * p["economic_strain"]
            + _lookup(c["emp"], p["employment"]) + _interp(c["year"], year))


def _draw_anxiety(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["anxiety"]
    n = len(p["age"])
    anyx = rng.random(n) < _expit(anxiety_logit(p, year, prm))
    severe = rng.random(n) < _expit(c["severe_const"] + c["severe_strain"] * p["economic_strain"]
                                    + c["severe_sick"] * (p["employment"] == 3))
    return np.where(anyx, np.where(severe, 3, 2), 1)


def _draw_sleep(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["sleep"]
    eta = (c["const"] + c["female"] * p["female"] + c["anxiety"] * (p["anxiety"] >= 2)
           + c["strain"] * p["economic_strain"] + _lookup(c["emp"], p["employment"])
           + _step(c["age"], p["age"]))
    n = len(eta)
    anyx = rng.random(n) < _expit(eta)
    severe = rng.random(n) < _expit(c["severe_const"] + c["severe_anxiety"] * (p["anxiety"] == 3))
    return np.where(anyx, np.where(severe, 3, 2), 1)


def depression_logit(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of diagnosed depression in the outcome model."""
    c = prm["depression"]
    f, age = p["female"], p["age"]
    return (c["const"] + c["female"] * f + c["female_30_49"] * f * ((age >= 30) & (age <= 49))
            + c["female_85plus"] * f * (age >= 85) + c["age_18_29"] * (age <= 29)
            + c["edu1"] * (p["education"] == 1) + c["edu3"] * (p["education"] == 3)
            + c["anxiety"] * (p["anxiety"] >= 2) + _lookup(c["emp"], p["employment"])
            + _interp(c["year"], year))


def _draw_fear(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["fear_going_out"]
    eta = (c["const"] + c["female"] * p["female"] + c["orebro"] * (p["kommun"] == "1880")
           + c["bc34"] * (p["birth_country"] >= 3) + c["anxiety"] * (p["anxiety"] >= 2)
           + _step(c["age"], p["age"]) + _interp(c["year"], year))
    n = len(eta)
    anyx = rng.random(n) < _expit(eta)
    often = rng.random(n) < c["often"]
    if year <= 2000:  # 2000 asked yes/no only (seed 004, row 819): a yes is coded 2
        often[:] = False
    return np.where(anyx, np.where(often, 3, 2), 1)


def _draw_optimism(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["optimism"]
    eta = (c["const"] + c["edu3"] * (p["education"] == 3) + c["strain"] * p["economic_strain"]
           + c["anxiety"] * (p["anxiety"] >= 2) + _lookup(c["emp"], p["employment"])
           + _step(c["age"], p["age"]) + _interp(c["year"], year))
    n = len(eta)
    opt = rng.random(n) < _expit(eta)
    v = rng.random(n)
    pos = np.where(v < c["very"], 1, 2)
    neg = np.where(v < c["neutral"], 3, np.where(v < c["neutral"] + c["rather_pessimistic"], 4, 5))
    return np.where(opt, pos, neg)


def who5_latent_mean(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Mean of the latent well-being behind the five WHO-5 items."""
    c = prm["who5"]
    f, age = p["female"].astype(bool), p["age"]
    return (c["const"] + c["man"] * (~f) + c["young_women"] * (f & (age <= 29))
            + c["women_30_44"] * (f & (age >= 30) & (age <= 44))
            + c["young_men"] * (~f & (age <= 29)) + c["anxiety"] * (p["anxiety"] >= 2)
            + c["anxiety_severe"] * (p["anxiety"] == 3) + c["depression"] * p["depression"]
            + c["sleep"] * (p["sleep"] >= 2) + c["strain"] * p["economic_strain"]
            + c["optimistic"] * (p["optimism"] <= 2) + c["active"] * (p["physical_activity"] >= 6)
            + _interp(c["year"], year))


def _draw_who5(p: dict, year: int, rng, prm) -> np.ndarray:
    return synthtools.who5_items(who5_latent_mean(p, year, prm), prm["who5"], rng)


#: Terms of the general-health model (names of :func:`health_design_matrix` columns).
HEALTH_TERMS: tuple[str, ...] = (
    "man", "age_30-44", "age_45-64", "age_65-79", "age_80+", "edu2", "edu3", "emp2", "emp3",
    "emp4", "emp5", "emp6", "strain", "bc2", "bc3", "bc4", "daily_smoker", "active", "sleep",
    "anxiety", "fear", "optimistic")


def health_design_matrix(p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Indicator matrix (n × len(HEALTH_TERMS)) of the general-health model's terms."""
    age = np.asarray(p["age"])
    cols = [np.asarray(p["female"]) == 0]
    for _label, lo, hi in frames.AGE_GROUPS[1:]:
        cols.append((age >= lo) & (age <= hi))
    edu, emp, bc = p["education"], p["employment"], p["birth_country"]
    cols += [edu == 2, edu == 3] + [emp == k for k in (2, 3, 4, 5, 6)]
    cols += [p["economic_strain"] == 1] + [bc == k for k in (2, 3, 4)]
    cols += [p["smoking"] == 1, p["physical_activity"] >= 6, p["sleep"] >= 2, p["anxiety"] >= 2,
             p["fear_going_out"] >= 2, p["optimism"] <= 2]
    return np.column_stack(cols).astype(float)


def health_coefficients(prm: dict) -> np.ndarray:
    """Coefficients of :data:`HEALTH_TERMS`, in order."""
    c = prm["general_health"]
    return np.array([c["man"], *(c["age"][g] for g, _, _ in frames.AGE_GROUPS[1:]), c["edu2"],
                     c["edu3"], *(c["emp"][k] for k in (2, 3, 4, 5, 6)), c["strain"],
                     *(c["bc"][k] for k in (2, 3, 4)), c["daily_smoker"], c["active"],
                     c["sleep"], c["anxiety"], c["fear"], c["optimistic"]], dtype=float)


def health_logit(p: Mapping[str, np.ndarray], year: int, prm: dict) -> np.ndarray:
    """Linear predictor of good general health (mycket bra or bra)."""
    c = prm["general_health"]
    kom = np.array([KOMMUN_HEALTH[k] for k in p["kommun"]])
    return (c["const"] + health_design_matrix(p) @ health_coefficients(prm) + kom
            + _interp(c["year"], year))


def _draw_health(p: dict, year: int, rng, prm) -> np.ndarray:
    c = prm["general_health"]
    eta = health_logit(p, year, prm)
    u = rng.random(len(eta))
    cuts = (c["cut_very_good"], 0.0, c["cut_fair"], c["cut_poor"])
    code = np.full(len(eta), 5)
    for k, off in reversed(list(enumerate(cuts, start=1))):
        code = np.where(u < _expit(eta + off), k, code)
    return code


def draw_persons(persons: pd.DataFrame, year: int, rng: np.random.Generator,
                 params: dict | None = None) -> pd.DataFrame:
    """Draw every covariate and answer for persons with ``kommun, sex, age`` (the outcome model).

    Returns a copy with the contract's question items (complete, before item non-response) and
    ``female`` (0/1).
    """
    prm = resolved_params() if params is None else params
    p = {"kommun": persons["kommun"].to_numpy(), "age": persons["age"].to_numpy(dtype=int),
         "female": (persons["sex"].to_numpy() == "kvinnor").astype(int)}
    steps = [("birth_country", _draw_birth_country), ("education", _draw_education),
             ("employment", _draw_employment), ("economic_strain", _draw_strain),
             ("smoking", _draw_smoking), ("physical_activity", _draw_activity),
             ("anxiety", _draw_anxiety), ("sleep", _draw_sleep)]
    for name, fn in steps:
        p[name] = fn(p, year, rng, prm)
    p["depression"] = (rng.random(len(p["age"])) < _expit(depression_logit(p, year, prm))
                       ).astype(int)
    p["fear_going_out"] = _draw_fear(p, year, rng, prm)
    p["optimism"] = _draw_optimism(p, year, rng, prm)
    items = _draw_who5(p, year, rng, prm)
    for j in range(5):
        p[f"who5_{j + 1}"] = items[:, j]
    p["general_health"] = _draw_health(p, year, rng, prm)
    out = persons.copy()
    for k, v in p.items():
        if k not in ("kommun", "age"):
            out[k] = v
    return out


# --------------------------------------------------------------------------- 3 response model
def response_logit(p: Mapping[str, np.ndarray], prm: dict) -> np.ndarray:
    """Linear predictor of responding, without the round's intercept."""
    c = prm["response"]
    age = np.asarray(p["age"], dtype=float)
    return (c["age"] * (np.minimum(age, c["age_cap"]) - c["age_pivot"])
            + c["age_80plus"] * np.maximum(age - 80, 0) + c["female"] * p["female"]
            + c["edu3"] * (p["education"] == 3) + c["edu1"] * (p["education"] == 1)
            + _lookup(c["bc"], p["birth_country"]))


def response_probability(p: Mapping[str, np.ndarray], year: int, prm: dict | None = None
                         ) -> np.ndarray:
    """Response propensity of each person in round ``year`` (the response model)."""
    prm = resolved_params() if prm is None else prm
    const = prm["response"].get("const", {})
    if year not in const:
        known = sorted(const)
        const_y = _interp(const, year) if known else 0.0
    else:
        const_y = const[year]
    return _expit(const_y + response_logit(p, prm))


# --------------------------------------------------------------------------- a round
def generate_round(year: int, frame: pd.DataFrame, seed: int, *, params: dict | None = None,
                   alloc: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One synthetic round in the contract of :mod:`analysis.contracts.lh_contract`.

    Parameters
    ----------
    year
        The round.
    frame
        :func:`analysis.methods.frames.population_frame` for the round.
    seed
        Seed; the round's generator is ``numpy.random.default_rng([seed, year])``, so a round does
        not depend on which other rounds are drawn.
    params
        Resolved parameters (default: :data:`PARAMS` with :data:`CALIBRATED`).
    alloc
        Invitations per stratum (default :func:`allocation`).

    Returns
    -------
    pandas.DataFrame
        Respondents, validated against the contract, with ``design_weight = N_h / r_h``
        (r_h respondents in the stratum) and ``stratum_population = N_h``; the frame's
        ``attrs`` hold ``invited`` and ``response_rate``.
    """
    prm = resolved_params() if params is None else params
    rng = np.random.default_rng([int(seed), int(year)])
    invited = draw_sample(frame, alloc or allocation(year), rng)
    people = draw_persons(invited, year, rng, prm)
    p = {c: people[c].to_numpy() for c in ("age", "female", "education", "birth_country")}
    responded = rng.random(len(people)) < response_probability(p, year, prm)
    resp = people[responded].reset_index(drop=True)
    r_h = resp.groupby("stratum")["stratum"].transform("size").to_numpy()
    out = pd.DataFrame({
        "resp_id": [f"{year}-{i + 1:05d}" for i in range(len(resp))],
        "year": year,
        "kommun": resp["kommun"].to_numpy(),
        "stratum": resp["stratum"].to_numpy(),
        "sex": resp["sex"].to_numpy(),
        "age": resp["age"].to_numpy(),
    })
    for item in lh_contract.ITEMS:
        vals = pd.array(resp[item].to_numpy(), dtype="Int8")
        miss = rng.random(len(resp)) < ITEM_NONRESPONSE.get(item, 0.0)
        if item in NOT_ASKED.get(year, ()):
            miss[:] = True
        vals[miss] = pd.NA
        out[item] = vals
    out["design_weight"] = resp["N_h"].to_numpy() / r_h
    out["stratum_population"] = resp["N_h"].to_numpy().astype(float)
    out = lh_contract.validate_round(out, f"<synthetic Liv & hälsa {year}>", year=year,
                                     not_asked=NOT_ASKED.get(year, ()))
    out.attrs.update({"invited": len(invited), "response_rate": float(responded.mean()),
                      "population_year": frame.attrs.get("population_year", year),
                      "synthetic": True})
    return out


def generate_rounds(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame, seed: int,
                    years: Sequence[int] = ROUNDS) -> dict[int, pd.DataFrame]:
    """Several rounds: ``{year: round}`` (see :func:`generate_round`)."""
    prm = resolved_params()
    return {y: generate_round(y, frames.population_frame(lan_single_ages, kolada_groups, y),
                              seed, params=prm) for y in years}


def true_health_coefficients(year: int = CALIBRATION_YEAR) -> pd.Series:
    """The generator's log odds ratios of good general health, by model term (for tests).

    The intercept includes the round shift and is for Lekeberg (the first kommun), to compare
    with a model that adjusts for kommun with Lekeberg as reference; ``kommun_<code>`` are the
    kommun effects relative to Lekeberg.
    """
    prm = resolved_params()
    s = pd.Series(health_coefficients(prm), index=list(HEALTH_TERMS))
    first = next(iter(geo.KOMMUNER))
    s["const"] = (prm["general_health"]["const"] + KOMMUN_HEALTH[first]
                  + _interp(prm["general_health"]["year"], year))
    for k in list(geo.KOMMUNER)[1:]:
        s[f"kommun_{k}"] = KOMMUN_HEALTH[k] - KOMMUN_HEALTH[first]
    return s


# --------------------------------------------------------------------------- calibration
def rake_population(base: np.ndarray, margins: Sequence[np.ndarray], tol: float = 1e-10,
                    max_iter: int = 200) -> np.ndarray:
    """Raking factors that take weights ``base`` to the unweighted margins of the population.

    ``margins`` are integer code arrays (one per margin); the population count of each category
    is the number of persons in it. Iterative proportional fitting (Deming & Stephan 1940).
    """
    w = base.astype(float).copy()
    targets = [np.bincount(m).astype(float) for m in margins]
    for _ in range(max_iter):
        for m, t in zip(margins, targets, strict=True):
            s = np.bincount(m, weights=w, minlength=len(t))
            w *= np.where(s > 0, t / np.where(s > 0, s, 1), 0)[m]
        worst = max(np.max(np.abs(np.bincount(m, weights=w, minlength=len(t)) - t) / t)
                    for m, t in zip(margins, targets, strict=True))
        if worst < tol:
            break
    return w / base


def expected_weights(pop: pd.DataFrame, year: int, prm: dict) -> np.ndarray:
    """Expected weight of each person of a population in the chapter's weighted estimates.

    A person responds with probability ρ_i; design weights are constant within strata (kommun),
    and raking to kommun × sex and age group absorbs them, so the expected raked weight is
    ``ρ_i g_i`` with ``g`` the raking factors of ``ρ`` to the population's margins.
    """
    p = {c: pop[c].to_numpy() for c in ("age", "female", "education", "birth_country")}
    rho = response_probability(p, year, prm)
    ks = pd.factorize(pop["kommun"].astype(str) + pop["sex"].astype(str))[0]
    ag = pd.factorize(frames.age_group(pop["age"].to_numpy()))[0]
    return rho * rake_population(rho, [ks, ag])


def _calibration_population(lan_single_ages, kolada_groups, year, replicates, rng):
    frame = frames.population_frame(lan_single_ages, kolada_groups, year)
    one = _persons(frame)
    return pd.concat([one] * replicates, ignore_index=True), frame


def _solve_response(lan_single_ages, kolada_groups, prm, rng, replicates: int = 1) -> None:
    """Round intercepts of the response model so that the invited respond at RESPONSE_RATE."""
    from scipy.optimize import brentq

    prm["response"]["const"] = {}
    for year in ROUNDS:
        pop, frame = _calibration_population(lan_single_ages, kolada_groups, year, replicates,
                                             rng)
        pp = draw_persons(pop, year, rng, prm)
        alloc = allocation(year)
        N = pp.groupby("kommun")["kommun"].transform("size").to_numpy()
        inv = np.array([alloc[k] for k in pp["kommun"]]) * replicates / N  # inclusion prob.
        p = {c: pp[c].to_numpy() for c in ("age", "female", "education", "birth_country")}
        lin = response_logit(p, prm)
        def gap(a, inv=inv, lin=lin, target=RESPONSE_RATE[year]):
            return np.sum(inv * _expit(a + lin)) / inv.sum() - target

        prm["response"]["const"][year] = round(float(brentq(gap, -6, 6)), 4)


def calibration_targets(seed_figures: pd.DataFrame) -> pd.DataFrame:
    """The published 2017 good-health figures as calibration targets (proportions).

    One row per group of :data:`analysis.sources.seeds.LH_GOOD_HEALTH` with the ``bands`` of its
    age range (:data:`analysis.methods.standardisation.BANDS`), ``published`` (per cent, read from
    ``seed_figures``) and ``value`` (proportion).
    """
    t = pd.DataFrame([{**g, "bands": standardisation.BANDS[g["ages"]]}
                      for g in seeds.LH_GOOD_HEALTH])
    t["published"] = seeds.lh_good_health(seed_figures)
    t["value"] = t["published"] / 100
    return t


def crude_targets(seed_figures: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The published 2017 crude shares as proportions, keyed ``(indicator_id, sex)``
    (:data:`analysis.sources.seeds.LH_CRUDE`, read from ``seed_figures``)."""
    return {(g["indicator_id"], g["sex"]): v / 100
            for g, v in zip(seeds.LH_CRUDE, seeds.lh_crude(seed_figures), strict=True)}


def calibrate(lan_single_ages: pd.DataFrame, kolada_groups: pd.DataFrame,
              esp: pd.Series, seed_figures: pd.DataFrame, *, replicates: int = 4,
              seed: int = 2017, log=print) -> dict[str, float]:
    """Recompute :data:`CALIBRATED` (see the module docstring for what is calibrated to what).

    Parameters
    ----------
    lan_single_ages, kolada_groups
        Population inputs of :func:`analysis.methods.frames.population_frame`.
    esp
        The ESP 2013 standard population by ESP age band
        (:func:`analysis.methods.standardisation.esp_series`).
    seed_figures
        The catalogued published figures: the targets (:func:`calibration_targets`,
        :func:`crude_targets`).
    replicates
        Copies of the 2017 frame in the calibration population (4 ≈ 0,95 million persons).
    seed
        Seed of the calibration population's draws.

    Returns
    -------
    dict
        ``{"model.parameter": value}``, rounded to 4 decimals (:func:`write_calibrated` stores
        them).
    """
    from scipy.optimize import brentq, least_squares

    crude = crude_targets(seed_figures)
    rng = np.random.default_rng(seed)
    prm = resolved_params()
    _solve_response(lan_single_ages, kolada_groups, prm, rng)
    log(f"response intercepts: {prm['response']['const']}")
    year = CALIBRATION_YEAR
    pop, _ = _calibration_population(lan_single_ages, kolada_groups, year, replicates, rng)
    pp = draw_persons(pop, year, rng, prm)  # covariates; outcomes redrawn below
    v = expected_weights(pp, year, prm)
    P = {c: pp[c].to_numpy() for c in pp.columns}

    def wmean(x, mask):
        return float(np.sum(v[mask] * x[mask]) / np.sum(v[mask]))

    # anxiety: intercept and sex to the published shares of women and men (18+)
    women = P["female"] == 1

    def anx_res(theta):
        prm["anxiety"]["const"], prm["anxiety"]["man"] = theta
        q = _expit(anxiety_logit(P, year, prm))
        return [wmean(q, women) - crude[("anxiety_any", "kvinnor")],
                wmean(q, ~women) - crude[("anxiety_any", "man")]]

    sol = least_squares(anx_res, [-0.3, -0.6], xtol=1e-10, ftol=1e-12)
    prm["anxiety"]["const"], prm["anxiety"]["man"] = sol.x
    P["anxiety"] = _draw_anxiety(P, year, rng, prm)
    P["sleep"] = _draw_sleep(P, year, rng, prm)
    log(f"anxiety: {sol.x}, residuals {sol.fun}")

    everyone = np.ones(len(v), dtype=bool)

    def dep_res(a):
        prm["depression"]["const"] = a
        return (wmean(_expit(depression_logit(P, year, prm)), everyone)
                - crude[("depression_dx", "totalt")])

    prm["depression"]["const"] = brentq(dep_res, -8, 2)
    P["depression"] = (rng.random(len(v)) < _expit(depression_logit(P, year, prm))).astype(int)
    P["fear_going_out"] = _draw_fear(P, year, rng, prm)
    P["optimism"] = _draw_optimism(P, year, rng, prm)

    state = rng.bit_generator.state

    def who_res(a):
        prm["who5"]["const"] = a
        rng.bit_generator.state = state  # common random numbers: smooth in a
        raw = _draw_who5(P, year, rng, prm).sum(axis=1)
        return wmean((raw >= 13).astype(float), everyone) - 0.74

    prm["who5"]["const"] = brentq(who_res, -3, 3, xtol=1e-6)
    rng.bit_generator.state = state
    items = _draw_who5(P, year, rng, prm)
    for j in range(5):
        P[f"who5_{j + 1}"] = items[:, j]

    # general health: ten age-standardised targets
    targets = calibration_targets(seed_figures)
    X = health_design_matrix(P)
    kom = np.array([KOMMUN_HEALTH[k] for k in P["kommun"]])
    free = ["const", "man", "edu2", "edu3", "emp.2", "emp.3", "emp.5", "emp.6", "strain"]
    prior = np.array([1.5, 0.35, 0.4, 0.8, -0.7, -1.4, 0.1, -0.4, -0.9])
    # weak ridge towards the prior values; tighter for the two groups without a target
    prior_sd = np.array([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.3, 0.3, 3.0])
    frame_p = pd.DataFrame({"age": P["age"], "sex": np.where(women, "kvinnor", "man"),
                            "education": P["education"], "employment": P["employment"],
                            "economic_strain": P["economic_strain"], "_v": v})

    def set_gh(theta):
        g = prm["general_health"]
        for name, val in zip(free, theta, strict=True):
            if name.startswith("emp."):
                g["emp"][int(name[4:])] = val
            else:
                g[name] = val

    def gh_res(theta):
        set_gh(theta)
        q = _expit(prm["general_health"]["const"] + X @ health_coefficients(prm) + kom)
        est = standardisation.expected_standardised(frame_p.assign(_q=q), targets, esp)
        return np.concatenate([(est - targets["value"].to_numpy()) / 0.001,
                               (theta - prior) / prior_sd])

    sol = least_squares(gh_res, prior, xtol=1e-10, ftol=1e-12)
    set_gh(sol.x)
    log(f"general health: {dict(zip(free, sol.x.round(4), strict=True))}")
    log(f"residuals (percentage points): {(sol.fun[:len(targets)] * 0.1).round(3)}")
    out = {
        "anxiety.const": prm["anxiety"]["const"], "anxiety.man": prm["anxiety"]["man"],
        "depression.const": prm["depression"]["const"], "who5.const": prm["who5"]["const"],
        **{f"general_health.{k}": float(x) for k, x in zip(free, sol.x, strict=True)},
        **{f"response.const.{y}": a for y, a in prm["response"]["const"].items()},
    }
    return {k: round(float(x), 4) for k, x in out.items()}


def write_calibrated(values: Mapping[str, float], path: str | None = None) -> None:
    """Write ``values`` as the calibrated parameters (:data:`CALIBRATION_FILE`, or ``path``)."""
    synthtools.write_calibrated(values, path or CALIBRATION_FILE)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.synthetic.synth_survey calibrate [replicates] [--write]``.

    Prints the new :data:`CALIBRATED` values; ``--write`` also stores them in
    :data:`CALIBRATION_FILE`.
    """
    def run(replicates: int) -> dict[str, float]:
        kolada = catalog.load("kolada_befolkning")
        lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada,
                                    frames.LAST_POPULATION_YEAR)
        esp = standardisation.esp_series(catalog.load("esp2013"))
        return calibrate(lan, population.kolada_age_groups(kolada), esp,
                         catalog.load("seed_figures"), replicates=replicates)

    return synthtools.calibrate_main(argv, "analysis.synthetic.synth_survey", CALIBRATION_FILE,
                                     4, run)

if __name__ == "__main__":
    sys.exit(main())
