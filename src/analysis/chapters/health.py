"""Liv & hälsa chapter: indicators, the survey design, and the tidy estimate tables the book shows.

Every estimate is design-based (:mod:`analysis.methods.survey`): strata are the contract's ``stratum``
(kommun), weights are the design weights raked to the population by kommun × sex and by age
group (or the producer's ``calibrated_weight`` when a real file has one), proportions have logit
intervals and age-standardised proportions direct-standardisation intervals. Every table passes
:func:`suppress`, so no estimate built on fewer than ``min_respondents`` respondents reaches a
page, a figure or a CSV file; the shares published by kommun, sex and age group and the kommun
profiles' comparisons with the rest of the län are protected together (:func:`protected`), so
that no withheld share can be derived from the others. The rounds themselves (real files or synthetic rounds) come from
:func:`analysis.inputs.liv_och_halsa.load_rounds`; the published 2017 figures from the catalogued
``seed_figures`` (:mod:`analysis.sources.seeds`).

Why one module
--------------
Everything here serves one chapter page and its kommun-profile section: the indicators of
:func:`prepare` feed the design, every table and each table's text form, and they change
together. What is not specific to the chapter lives below it: estimation
(:mod:`analysis.methods.survey`), age standardisation (:mod:`analysis.methods.standardisation`),
shared survey tables (:mod:`analysis.methods.surveytables`) and population frames
(:mod:`analysis.methods.frames`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.core import geo, text
from analysis.methods import disclosure, frames, standardisation, survey, surveytables
from analysis.sources import seeds

# --------------------------------------------------------------------------- definitions
#: The ten age-standardised shares with good general health, Liv & hälsa 2017: the groups of
#: :data:`analysis.sources.seeds.LH_GOOD_HEALTH` (variable, level, label, ``seed_group``) with the
#: ``bands`` of their age range (:data:`analysis.methods.standardisation.BANDS`). The published
#: values are read from the catalogued ``seed_figures`` (:func:`published_good_health`).
PUBLISHED_GOOD_HEALTH: tuple[dict, ...] = tuple(
    {**g, "bands": standardisation.BANDS[g["ages"]]} for g in seeds.LH_GOOD_HEALTH)
#: The crude 2017 shares of the seed (anxiety by sex, depression; 18+, not age-standardised):
#: :data:`analysis.sources.seeds.LH_CRUDE` (values: :func:`published_crude_values`).
PUBLISHED_CRUDE: tuple[dict, ...] = seeds.LH_CRUDE


def published_good_health(seed_figures: pd.DataFrame,
                          groups: tuple[dict, ...] = PUBLISHED_GOOD_HEALTH) -> list[float]:
    """The published 2017 value (per cent) of each good-health group, from ``seed_figures``."""
    return seeds.lh_good_health(seed_figures, groups)


def published_crude_values(seed_figures: pd.DataFrame,
                           specs: tuple[dict, ...] = PUBLISHED_CRUDE) -> list[float]:
    """The published 2017 value (per cent) of each crude share, from ``seed_figures``."""
    return seeds.lh_crude(seed_figures, specs)


#: The chapter's indicators: 0/1 columns made by :func:`prepare` from the contract's items.
#: ``ages`` is the age range of the trend series (as in the published figures' captions).
INDICATORS: dict[str, dict] = {
    "good_health": {"label": "God självskattad hälsa", "ages": (18, None),
                    "definition": "svarat mycket bra eller bra på frågan om allmänt "
                                  "hälsotillstånd"},
    "good_wellbeing": {"label": "Gott psykiskt välbefinnande (WHO-5)", "ages": (18, None),
                       "definition": "WHO-5 råpoäng 13 eller mer av 25 (index 52 eller mer)"},
    "anxiety_any": {"label": "Besvär av ängslan, oro eller ångest", "ages": (18, None),
                    "definition": "lätta eller svåra besvär"},
    "sleep_any": {"label": "Sömnbesvär", "ages": (18, None),
                  "definition": "lätta eller svåra besvär av sömnsvårigheter"},
    "depression_dx": {"label": "Diagnosticerad depression", "ages": (18, None),
                      "definition": "har av läkare fått diagnosen depression"},
    "daily_smoker": {"label": "Röker dagligen", "ages": (18, 79),
                     "definition": "röker dagligen"},
    "active_150": {"label": "Fysiskt aktiv minst 150 minuter i veckan", "ages": (18, None),
                   "definition": "fysiskt aktiv 150 minuter eller mer en vanlig vecka"},
    "fear_any": {"label": "Avstår från att gå ut ensam av rädsla", "ages": (18, 79),
                 "definition": "ja ibland eller ja ofta (2000 endast ja/nej)"},
    "optimistic": {"label": "Optimistisk om framtiden", "ages": (18, 69),
                   "definition": "mycket eller ganska optimistisk (frågan ställdes inte 2012)"},
}
SEX_LABELS = text.SEX_LABELS
#: Indicators of the kommun profiles' health section.
PROFILE_INDICATORS = ["good_health", "good_wellbeing", "anxiety_any", "daily_smoker",
                      "active_150", "fear_any"]
WHO5_GOOD_RAW = surveytables.WHO5_GOOD_RAW  # raw score 13 of 25 (Topp et al. 2015)


_flag = surveytables.flag


def prepare(round_df: pd.DataFrame) -> pd.DataFrame:
    """Add the chapter's indicators and grouping columns to a canonical round.

    Returns
    -------
    pandas.DataFrame
        The round with ``age_group`` (18–29 … 80+), the 0/1 indicators of :data:`INDICATORS` (NaN where the item is missing; WHO-5 is
        missing if any of its five items is), ``who5_index`` (0–100) and text codes for the model
        (``edu``, ``emp``, ``born``).
    """
    d = round_df.copy()
    d["age_group"] = frames.age_group(d["age"].to_numpy())
    gh, anx, slp = d["general_health"], d["anxiety"], d["sleep"]
    d["good_health"] = _flag(gh <= 2, gh)
    items = d[["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"]].astype("Float64")
    raw = items.sum(axis=1, skipna=False)
    d["who5_index"] = (4 * raw).astype(float)
    d["good_wellbeing"] = _flag(raw >= WHO5_GOOD_RAW, raw)
    d["anxiety_any"] = _flag(anx >= 2, anx)
    d["sleep_any"] = _flag(slp >= 2, slp)
    d["depression_dx"] = _flag(d["depression"] == 1, d["depression"])
    d["daily_smoker"] = _flag(d["smoking"] == 1, d["smoking"])
    d["active_150"] = _flag(d["physical_activity"] >= 6, d["physical_activity"])
    d["fear_any"] = _flag(d["fear_going_out"] >= 2, d["fear_going_out"])
    d["optimistic"] = _flag(d["optimism"] <= 2, d["optimism"])
    d["strain"] = d["economic_strain"].astype(float)
    for new, col in (("edu", "education"), ("emp", "employment"), ("born", "birth_country")):
        d[new] = d[col].astype("Int64").astype(str).replace({"<NA>": None})
    return d


def raking_margins(frame: pd.DataFrame) -> dict:
    """Population margins of the raking: kommun × sex and age group (from the population frame)."""
    ks = frame.groupby(["kommun", "sex"])["population"].sum().astype(float)
    ag = frame.assign(age_group=frames.age_group(frame["age"].to_numpy())).groupby(
        "age_group")["population"].sum().astype(float)
    return {("kommun", "sex"): ks, "age_group": ag}


def survey_design(data: pd.DataFrame, frame: pd.DataFrame, *, source: str = "<Liv & hälsa>"
                  ) -> survey.SurveyDesign:
    """The design of one prepared round: strata, weights, fpc and calibration.

    Strata are ``stratum``; the finite population correction uses ``stratum_population`` when
    present. A producer's ``calibrated_weight`` is used as it is (its variance then treats the
    weights as fixed, which ignores the gain from calibration); otherwise the design weights are
    raked to :func:`raking_margins` (Deville & Särndal 1992; :func:`analysis.methods.survey.rake`).
    """
    fpc = "stratum_population" if "stratum_population" in data.columns else None
    if "calibrated_weight" in data.columns:
        return survey.SurveyDesign(data, weights="calibrated_weight", strata="stratum", fpc=fpc,
                                   source=source)
    des = survey.SurveyDesign(data, weights="design_weight", strata="stratum", fpc=fpc,
                              source=source)
    return survey.rake(des, raking_margins(frame))


# --------------------------------------------------------------------------- disclosure
#: :func:`analysis.methods.surveytables.suppress` (shared with the youth chapter; the pages call it here).
suppress = surveytables.suppress


# --------------------------------------------------------------------------- estimates
_KEYS = ["indicator_id", "area_code", "area_type", "period", "sex", "age", "group"]


def _tidy(t: pd.DataFrame, *, period: int, area_code: str = geo.LAN_KOD,
          area_type: str = "lan", sex: str | None = None, age: str | None = None,
          group: str | None = None) -> pd.DataFrame:
    """Put key columns in CONTRIBUTING order (keys first, then the statistic block)."""
    t = t.copy()
    t["area_code"] = t.get("area_code", area_code)
    t["area_type"] = t.get("area_type", area_type)
    t["period"] = period
    if "sex" not in t:
        t["sex"] = sex or "totalt"
    if "age" not in t:
        t["age"] = age or "18+"
    if "group" not in t:
        t["group"] = group or ""
    extra = [c for c in t.columns if c not in _KEYS and c not in survey.STAT_COLUMNS]
    return t[_KEYS + survey.STAT_COLUMNS + extra]


def _age_label(ages: tuple[int, int | None]) -> str:
    lo, hi = ages
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def _age_mask(data: pd.DataFrame, ages: tuple[int, int | None]) -> np.ndarray:
    lo, hi = ages
    a = data["age"].to_numpy()
    return (a >= lo) & (a <= (hi if hi is not None else 10_000))


def standardised_groups(des: survey.SurveyDesign, esp: pd.Series, period: int,
                        indicator: str = "good_health",
                        groups: tuple[dict, ...] = PUBLISHED_GOOD_HEALTH,
                        min_band: int = standardisation.MIN_BAND_RESPONDENTS, *,
                        seed_figures: pd.DataFrame) -> pd.DataFrame:
    """Age-standardised shares of ``indicator`` for the published groups, with 95 % intervals.

    For each group the domain proportions by age band (``groups[i]["bands"]``) are combined with
    the ESP 2013 weights of those bands (:func:`analysis.methods.survey.age_standardise`: direct
    standardisation, Wald interval). A band with fewer than ``min_band`` respondents in the group
    is first merged with its neighbour (:func:`analysis.methods.standardisation.merge_sparse_bands`),
    since a near-empty band makes the standardised share and its standard error unreliable. The
    published values are read from ``seed_figures`` (:func:`published_good_health`).

    Returns
    -------
    pandas.DataFrame
        Tidy rows (``group`` = the group's label, ``age`` = ``"18-69"``/``"18-64"``) plus
        ``variable``, ``level``, ``bands`` (as used), ``published`` (proportion) and ``inside``
        (the published value, as rounded in print, within the interval).
    """
    rows = []
    data = des.data
    age = data["age"].to_numpy()
    has = data[indicator].notna().to_numpy()
    published = published_good_health(seed_figures, groups)
    for g, pub in zip(groups, published, strict=True):
        bands = list(g["bands"])
        member = standardisation.group_mask(data, g["variable"], g["level"])
        band = standardisation.band_of(age, bands)
        counts = pd.Series([int(np.sum(member & has & (band == b))) for b in bands], index=bands)
        merged = standardisation.merge_sparse_bands(counts, min_band)
        used = list(dict.fromkeys(merged.values()))
        std = standardisation.standard_population(esp, bands).groupby(
            pd.Series(merged)).sum()[used]
        parts = []
        for b in used:
            m = member & np.isin(band, [k for k, v in merged.items() if v == b])
            parts.append(des.proportion(indicator, where=m).assign(age=b))
        t = pd.concat(parts, ignore_index=True)
        label = (f"{standardisation.band_limits(bands[0])[0]}-"
                 f"{standardisation.band_limits(bands[-1])[1]}")
        s = survey.age_standardise(t, std, age_label=label)
        s["group"] = g["label"]
        s["variable"], s["level"] = g["variable"], str(g["level"])
        s["bands"] = ", ".join(used)
        s["published"] = pub / 100
        rows.append(s)
    out = pd.concat(rows, ignore_index=True)
    out["inside"] = _inside(out)
    return _tidy(out, period=period)


def _inside(t: pd.DataFrame) -> pd.Series:
    half = 0.005  # published values are whole per cent: 41 means 40.5–41.5
    return (t["lower"] <= t["published"] + half) & (t["upper"] >= t["published"] - half)


def published_crude(des: survey.SurveyDesign, period: int,
                    specs: tuple[dict, ...] = PUBLISHED_CRUDE, *,
                    seed_figures: pd.DataFrame) -> pd.DataFrame:
    """The seed's crude 2017 shares (anxiety by sex, depression) beside the design-based estimates.

    Returns tidy rows (``group`` = label, ``age`` = ``"18+"``) with ``published`` (proportion,
    read from ``seed_figures``: :func:`published_crude_values`) and ``inside`` as in
    :func:`standardised_groups`.
    """
    rows = []
    for g, pub in zip(specs, published_crude_values(seed_figures, specs), strict=True):
        where = None if g["sex"] == "totalt" else (des.data["sex"] == g["sex"]).to_numpy()
        t = des.proportion(g["indicator_id"], where=where)
        rows.append(t.assign(sex=g["sex"], group=g["label"], published=pub / 100))
    out = pd.concat(rows, ignore_index=True)
    out["inside"] = _inside(out)
    return _tidy(out, period=period)


def by_kommun_sex(des: survey.SurveyDesign, indicators: list[str], period: int) -> pd.DataFrame:
    """Crude shares (18+) by kommun × sex and by kommun (both sexes), with logit intervals."""
    a = des.proportion(indicators, by=["kommun", "sex"])
    b = des.proportion(indicators, by=["kommun"]).assign(sex="totalt")
    t = pd.concat([a, b], ignore_index=True).rename(columns={"kommun": "area_code"})
    t["area_type"] = "kommun"
    t["group"] = t["area_code"].map(geo.KOMMUNER)
    return _tidy(t, period=period).sort_values(["indicator_id", "area_code", "sex"],
                                               ignore_index=True)


def by_sex_age(des: survey.SurveyDesign, indicators: list[str], period: int) -> pd.DataFrame:
    """Crude shares by sex × age group, by sex (18+) and for everyone (18+)."""
    a = des.proportion(indicators, by=["sex", "age_group"]).rename(columns={"age_group": "age"})
    b = des.proportion(indicators, by=["sex"]).assign(age="18+")
    c = des.proportion(indicators).assign(sex="totalt", age="18+")
    return _tidy(pd.concat([a, b, c], ignore_index=True), period=period)


def by_kommun_sex_age(des: survey.SurveyDesign, indicator: str, period: int) -> pd.DataFrame:
    """Crude shares by kommun × sex × age group (the finest table; many cells are suppressed)."""
    t = des.proportion(indicator, by=["kommun", "sex", "age_group"])
    t = t.rename(columns={"kommun": "area_code", "age_group": "age"})
    t["area_type"] = "kommun"
    t["group"] = t["area_code"].map(geo.KOMMUNER)
    return _tidy(t, period=period)


def weighting_summary(rounds: Mapping[int, pd.DataFrame],
                      designs: dict[int, survey.SurveyDesign],
                      indicator: str = "good_health") -> pd.DataFrame:
    """Per round: invited, respondents, response rate, and the indicator unweighted and weighted.

    The unweighted share treats every respondent alike; the weighted share is the design-based
    estimate. Their difference shows what the unequal sampling fractions and the non-response
    would do to a naive estimate.
    """
    rows = []
    for y, des in designs.items():
        d = des.data
        ok = d[indicator].notna().to_numpy()
        est = des.proportion(indicator).iloc[0]
        invited = rounds[y].attrs.get("invited")
        rows.append({
            "period": y, "invited": invited, "respondents": len(d),
            "response_rate": (len(d) / invited) if invited else np.nan,
            "respondents_min_stratum": int(d.groupby("stratum").size().min()),
            "unweighted": float(d.loc[ok, indicator].mean()),
            "value": est["value"], "lower": est["lower"], "upper": est["upper"],
            "se": est["se"], "n": int(est["n"]),
        })
    return pd.DataFrame(rows)


def trends(designs: dict[int, survey.SurveyDesign], indicators: list[str]) -> pd.DataFrame:
    """Each indicator per round, by sex and in total, in the indicator's age range.

    Rounds in which a question was not asked (no answers at all) get no row.
    """
    rows = []
    for year, des in designs.items():
        for ind in indicators:
            ages = INDICATORS[ind]["ages"]
            m = _age_mask(des.data, ages)
            if not des.data.loc[m, ind].notna().any():
                continue
            a = des.proportion(ind, by="sex", where=m)
            b = des.proportion(ind, where=m).assign(sex="totalt")
            t = pd.concat([a, b], ignore_index=True).assign(age=_age_label(ages))
            rows.append(_tidy(t, period=year))
    return pd.concat(rows, ignore_index=True)


#: Terms of the chapter's odds-ratio model: formula term → (generator term, Swedish label,
#: shown in the forest plot). Sex, age group and kommun are adjustments only.
MODEL_FORMULA = ("good_health ~ C(sex) + C(age_group) + C(edu) + C(emp) + strain + C(born)"
                 " + daily_smoker + active_150 + sleep_any + anxiety_any + fear_any + optimistic"
                 " + C(kommun)")
MODEL_TERMS: dict[str, tuple[str, str, bool]] = {
    "C(sex)[T.man]": ("man", "Man (mot kvinna)", False),
    "C(age_group)[T.30-44]": ("age_30-44", "30–44 år (mot 18–29)", False),
    "C(age_group)[T.45-64]": ("age_45-64", "45–64 år (mot 18–29)", False),
    "C(age_group)[T.65-79]": ("age_65-79", "65–79 år (mot 18–29)", False),
    "C(age_group)[T.80+]": ("age_80+", "80 år och äldre (mot 18–29)", False),
    "C(edu)[T.2]": ("edu2", "Gymnasial utbildning (mot förgymnasial)", True),
    "C(edu)[T.3]": ("edu3", "Eftergymnasial utbildning (mot förgymnasial)", True),
    "C(emp)[T.2]": ("emp2", "Arbetslös (mot förvärvsarbetande)", True),
    "C(emp)[T.3]": ("emp3", "Förtids-/sjukpensionär (mot förvärvsarbetande)", True),
    "C(emp)[T.4]": ("emp4", "Ålderspensionär (mot förvärvsarbetande)", False),
    "C(emp)[T.5]": ("emp5", "Studerande (mot förvärvsarbetande)", False),
    "C(emp)[T.6]": ("emp6", "Annan sysselsättning (mot förvärvsarbetande)", False),
    "strain": ("strain", "Problem med löpande utgifter", True),
    "C(born)[T.2]": ("bc2", "Född i övriga Norden (mot Sverige)", False),
    "C(born)[T.3]": ("bc3", "Född i övriga Europa (mot Sverige)", False),
    "C(born)[T.4]": ("bc4", "Född utanför Europa (mot Sverige)", True),
    "daily_smoker": ("daily_smoker", "Röker dagligen", True),
    "active_150": ("active", "Fysiskt aktiv minst 150 minuter i veckan", True),
    "sleep_any": ("sleep", "Sömnbesvär", True),
    "anxiety_any": ("anxiety", "Besvär av ängslan, oro eller ångest", True),
    "fear_any": ("fear", "Avstår från att gå ut ensam av rädsla", True),
    "optimistic": ("optimistic", "Optimistisk om framtiden", True),
}


def _term_counts(data: pd.DataFrame, used: np.ndarray) -> dict[str, int]:
    """Respondents in the fit who are in each term's category (the category behind an OR)."""
    d = data.loc[used]
    out = {}
    for term in MODEL_TERMS:
        if term.startswith("C("):
            var, level = term[2:].split(")[T.")
            out[term] = int((d[var].astype(str) == level.rstrip("]")).sum())
        else:
            out[term] = int((d[term] == 1).sum())
    return out


def model_formula(data: pd.DataFrame) -> str:
    """:data:`MODEL_FORMULA` without the factors not asked in this round (e.g. optimism 2012)."""
    lhs, rhs = MODEL_FORMULA.split("~")
    terms = [t.strip() for t in rhs.split("+")]
    keep = [t for t in terms if data[t.removeprefix("C(").removesuffix(")")].notna().any()]
    return f"{lhs.strip()} ~ {' + '.join(keep)}"


#: The factors of the chart, as variables (a factor with several categories is one variable).
FACTOR_VARIABLES = ["C(edu)", "C(emp)", "strain", "C(born)", "daily_smoker", "active_150",
                    "sleep_any", "anxiety_any", "fear_any", "optimistic"]


def odds_ratios(des: survey.SurveyDesign, period: int, adjustment: str = "sex_age"
                ) -> pd.DataFrame:
    """Odds ratios of good health for protective and risk factors (design-weighted logistic model).

    ``adjustment="sex_age"`` (default, as the action plan's chart: "justerat för kön och ålder"):
    one model per factor, ``good_health ~ factor + C(sex) + C(age_group)``.
    ``adjustment="mutual"``: one model, :data:`MODEL_FORMULA`, every factor adjusted for sex, age
    group, kommun and the other factors — the model whose coefficients the synthetic generator
    defines, so it is the one the recovery test fits. Both use
    :func:`analysis.methods.survey.logistic_regression` (Binder sandwich variance). A factor whose
    question was not asked in the round is left out (:func:`model_formula`).

    Returns
    -------
    pandas.DataFrame
        Tidy rows per model term with ``term``, ``generator_term``, ``label``, ``shown`` (a
        factor of the chart, not an adjustment), ``direction`` (``skyddsfaktor`` when OR > 1,
        ``riskfaktor`` otherwise) and ``n_category`` (respondents in the term's category, the
        count the disclosure rule reads; ``n`` is the respondents in the fit).
    """
    if adjustment not in ("sex_age", "mutual"):
        raise ValueError(f"adjustment must be 'sex_age' or 'mutual', not {adjustment!r}")
    if adjustment == "mutual":
        formulas = [model_formula(des.data)]
    else:
        asked = model_formula(des.data)
        formulas = [f"good_health ~ {f} + C(sex) + C(age_group)" for f in FACTOR_VARIABLES
                    if f" {f}" in asked]
    parts, counts = [], {}
    for formula in formulas:
        fit = survey.logistic_regression(des, formula)
        variables = [t.strip().removeprefix("C(").removesuffix(")")
                     for t in formula.split("~")[1].split("+")]
        used = des.data[["good_health", *variables]].notna().all(axis=1).to_numpy()
        factor_terms = [t for t in fit["term"] if t in MODEL_TERMS
                        and (adjustment == "mutual" or not t.startswith(("C(sex)", "C(age_group)")))]
        parts.append(fit[fit["term"].isin(factor_terms)])
        counts.update({k: v for k, v in _term_counts(des.data, used).items() if k in factor_terms})
    res = pd.concat(parts, ignore_index=True)
    res = res[res["term"].isin(list(MODEL_TERMS))].copy()
    res["generator_term"] = res["term"].map(lambda t: MODEL_TERMS[t][0])
    res["group"] = res["term"].map(lambda t: MODEL_TERMS[t][1])
    res["shown"] = res["term"].map(lambda t: MODEL_TERMS[t][2])
    res["direction"] = np.where(res["value"] > 1, "skyddsfaktor", "riskfaktor")
    res["n_category"] = res["term"].map(counts)
    res["adjustment"] = adjustment
    res["age"] = "18+"
    return _tidy(res, period=period)


def compare_with_rest(data: pd.DataFrame, frame: pd.DataFrame, area_code: str,
                      indicators: list[str], period: int, *, confidence: float = 0.95
                      ) -> pd.DataFrame:
    """An area's crude shares beside the rest of the län, with the difference and its interval.

    The kommun and the rest of the län are different strata, so their estimates are independent
    and ``var(difference) = var(kommun) + var(rest)`` (the age-group raking spans strata and
    adds a small covariance, ignored). The interval is Wald (normal); ``significant`` is True
    when it excludes 0.

    Returns
    -------
    pandas.DataFrame
        Tidy rows of the difference (``statistic = "difference"``) by indicator and sex, with
        ``value_area``, ``lower_area``, ``upper_area``, ``se_area``, ``n`` (the area's
        respondents), ``value_rest``, ``lower_rest``, ``upper_rest``, ``se_rest``, ``n_rest``
        and ``significant``.
    """
    d = data.assign(in_area=np.where(data["kommun"] == area_code, "area", "rest"))
    des = survey_design(d, frame)
    a = des.proportion(indicators, by=["in_area", "sex"])
    b = des.proportion(indicators, by=["in_area"]).assign(sex="totalt")
    t = pd.concat([a, b], ignore_index=True)
    area = t[t["in_area"] == "area"].set_index(["indicator_id", "sex"])
    rest = t[t["in_area"] == "rest"].set_index(["indicator_id", "sex"])
    out = surveytables.difference(area, rest, confidence=confidence)
    out["area_code"] = area_code
    out["area_type"] = "kommun"
    out["group"] = "kommunen minus övriga länet"
    return _tidy(out, period=period)


def comparisons(des: survey.SurveyDesign, indicators: list[str], period: int, *,
                confidence: float = 0.95) -> pd.DataFrame:
    """:func:`compare_with_rest` for every kommun, from one calibrated design (the same weights,
    so the same estimates), kommuner in code order."""
    data = des.data
    parts = []
    for code in geo.KOMMUNER:
        inside = (data["kommun"] == code).to_numpy()
        sides = {}
        for side, m in (("area", inside), ("rest", ~inside)):
            a = des.proportion(indicators, by="sex", where=m)
            b = des.proportion(indicators, where=m).assign(sex="totalt")
            sides[side] = pd.concat([a, b], ignore_index=True).set_index(["indicator_id", "sex"])
        out = surveytables.difference(sides["area"], sides["rest"].loc[sides["area"].index],
                                      confidence=confidence)
        out["area_code"] = code
        out["area_type"] = "kommun"
        out["group"] = "kommunen minus övriga länet"
        parts.append(_tidy(out, period=period))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- linked protection
#: Indicators of the chapter's sex × age table (:func:`by_sex_age`).
SEX_AGE_INDICATORS = ["good_health", "good_wellbeing", "anxiety_any", "sleep_any",
                      "depression_dx"]


def linked_tables(des: survey.SurveyDesign, period: int, *,
                  sex_age: list[str] = SEX_AGE_INDICATORS, kommun: list[str] | None = None,
                  fine: str = "good_health", compare: list[str] = PROFILE_INDICATORS
                  ) -> dict[str, pd.DataFrame]:
    """Every table of shares the book publishes from one round (unsuppressed), as
    :func:`protected` protects them together: ``sex_age`` (:func:`by_sex_age`), ``kommun``
    (:func:`by_kommun_sex`, default ``[fine]``), ``kommun_sex_age`` (:func:`by_kommun_sex_age`
    of ``fine``) and ``compare`` (:func:`comparisons`: every kommun beside the rest of the län,
    the kommun profiles' tables)."""
    return {"sex_age": by_sex_age(des, sex_age, period),
            "kommun": by_kommun_sex(des, kommun or [fine], period),
            "kommun_sex_age": by_kommun_sex_age(des, fine, period),
            "compare": comparisons(des, compare, period)}


_SEXES = ("kvinnor", "man")


def _cells(tables: Mapping[str, pd.DataFrame], ages: list[str]) -> pd.DataFrame:
    """One row per published share of ``tables``: where it is (table, row, side), its domain
    (kommuner, sexes, age groups), its value and respondents, and the key tying the cells of one
    CSV row and identical cells of several tables."""
    rows = []
    kommuner = list(geo.KOMMUNER)
    for name, t in tables.items():
        for i, r in enumerate(t.itertuples(index=False)):
            sexes = _SEXES if r.sex == "totalt" else (r.sex,)
            age = tuple(ages) if r.age == "18+" else (r.age,)
            if r.area_type == "lan":
                area = tuple(kommuner)
            else:
                area = (r.area_code,)
            side = "value_area" if name == "compare" else "value"
            key = (r.indicator_id, area, sexes, age)
            rows.append({"table": name, "row": i, "side": side, "indicator_id": r.indicator_id,
                         "area": area, "sexes": sexes, "ages": age, "key": key,
                         "value": getattr(r, side), "n": r.n})
            if name == "compare":
                rest = tuple(k for k in kommuner if k != r.area_code)
                rows.append({"table": name, "row": i, "side": "value_rest",
                             "indicator_id": r.indicator_id, "area": rest, "sexes": sexes,
                             "ages": age, "key": key, "value": r.value_rest, "n": r.n_rest})
    return pd.DataFrame(rows)


def _atoms(des: survey.SurveyDesign, indicator: str) -> pd.Series:
    """Weight total of the respondents who answered ``indicator`` by kommun × sex × age group."""
    d = des.data
    ok = d[indicator].notna().to_numpy()
    w = pd.Series(des.weights[ok], index=pd.MultiIndex.from_arrays(
        [d["kommun"].to_numpy()[ok], d["sex"].to_numpy()[ok], d["age_group"].to_numpy()[ok]]))
    return w.groupby(level=[0, 1, 2]).sum()


def protected(des: survey.SurveyDesign, period: int, min_respondents: int, *,
              linked: bool = True, protection: float = disclosure.PROTECTION_WIDTH,
              **tables: list[str] | str) -> dict[str, pd.DataFrame]:
    """:func:`linked_tables` with disclosure control applied to all of them together.

    Primary suppression: fewer than ``min_respondents`` respondents (``n``; ``n_rest`` for the
    rest of the län). With ``linked`` (the default) complementary suppression follows
    (:func:`analysis.methods.disclosure.protect_linked`): a kommun's share beside the rest of
    the län, its sexes, its age groups and the län are weighted means of each other, so a
    suppressed cell could otherwise be solved from the others (with the raking factors, from
    the rest of the län and the population). A withheld cell hides its estimate, interval and
    respondents (``n``, ``n_rest``). ``linked=False`` gives the primary suppression alone
    (for the audit's test). ``tables`` passes on to :func:`linked_tables`.

    Returns
    -------
    dict of pandas.DataFrame
        The tables of :func:`linked_tables` with ``suppressed``, ``rule`` (``primär``,
        ``sekundär`` or empty) and ``note``.
    """
    tabs = linked_tables(des, period, **tables)
    ages = [g[0] for g in frames.AGE_GROUPS]
    cells = _cells(tabs, ages)
    rules = disclosure.respondent_rules(min_respondents)
    parts = []
    for ind, c in cells.groupby("indicator_id", sort=False):
        c = c.reset_index(drop=True)
        w = _atoms(des, ind)
        index = {a: j for j, a in enumerate(w.index)}
        members = [[index[(k, s, a)] for k in r.area for s in r.sexes for a in r.ages
                    if (k, s, a) in index] for r in c.itertuples()]
        if linked:
            tie = c["key"].map({k: j for j, k in enumerate(dict.fromkeys(c["key"]))})
            p = disclosure.protect_linked(c.assign(tie=tie), members, w.to_numpy(), rules=rules,
                                          protection=protection, tie="tie")
        else:
            p = disclosure.suppress(c, rules=rules, columns=[])
            p = p.assign(rule=np.where(p["suppressed"], disclosure.RULE_PRIMARY, ""))
            p = _tie_rows(p)
        parts.append(p)
    res = pd.concat(parts, ignore_index=True)
    out = {}
    for name, t in tabs.items():
        r = res[res["table"] == name].groupby("row").agg(
            suppressed=("suppressed", "max"), rule=("rule", "max"), note=("note", "max"))
        t = t.copy()
        sup = r["suppressed"].reindex(range(len(t)), fill_value=False).to_numpy(dtype=bool)
        blank = disclosure.estimate_columns(t) + [c for c in ("n", "n_rest") if c in t]
        for c in blank:
            t[c] = t[c].astype("float64") if pd.api.types.is_numeric_dtype(t[c]) else t[c]
            t.loc[sup, c] = np.nan
        t["suppressed"] = sup
        t["rule"] = r["rule"].reindex(range(len(t)), fill_value="").to_numpy()
        t["note"] = r["note"].reindex(range(len(t)), fill_value="").to_numpy()
        out[name] = t
    return out


def cached_protected(des: survey.SurveyDesign, period: int, min_respondents: int, *,
                     protection: float = disclosure.PROTECTION_WIDTH) -> dict[str, pd.DataFrame]:
    """:func:`protected` (linked, default tables) computed once per round and kept on disk
    (:func:`analysis.methods.disclosure.cached_tables`): the chapter and every kommun profile
    read the same protected tables instead of each protecting all kommuner again."""
    inputs = {"design": disclosure.design_hash(des.data, des.weights), "period": int(period),
              "min_respondents": int(min_respondents), "protection": float(protection)}
    return disclosure.cached_tables(
        "liv_och_halsa_skydd", __name__, inputs,
        lambda: protected(des, period, min_respondents, protection=protection))


def _tie_rows(p: pd.DataFrame) -> pd.DataFrame:
    """Primary suppression of a whole CSV row when one of its cells fails (no linking)."""
    g = p.groupby(["table", "row"])
    return p.assign(suppressed=g["suppressed"].transform("max"),
                    rule=g["rule"].transform("max"), note=g["note"].transform("max"))


# --------------------------------------------------------------------------- the data
def designs(rounds: Mapping[int, pd.DataFrame]) -> dict[int, survey.SurveyDesign]:
    """The prepared, calibrated design of every round of
    :func:`analysis.inputs.liv_och_halsa.load_rounds` (its ``frames`` give the raking margins)."""
    return {y: survey_design(prepare(d), rounds.frames[y], source=f"Liv & hälsa {y}")
            for y, d in rounds.items()}


# --------------------------------------------------------------------------- presentation
#: The seed map's classes of good health, per cent (004, rows 662–676).
MAP_CLASSES: tuple[float, ...] = (57, 61, 65, 69, 73, 77)


def map_classes(values: pd.Series | np.ndarray) -> tuple[list[float], list[str]]:
    """Class edges (proportions) and labels of the good-health maps: the seed's five classes.

    The seed's legend runs 57–77 %. Synthetic (or real) estimates may fall outside; then the
    outer classes are widened to include them and their labels say so, rather than leaving a
    kommun uncoloured.
    """
    v = 100 * np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    lo = min(MAP_CLASSES[0], np.floor(v.min())) if v.size else MAP_CLASSES[0]
    hi = max(MAP_CLASSES[-1], np.ceil(v.max())) if v.size else MAP_CLASSES[-1]
    edges = [lo, *MAP_CLASSES[1:-1], hi]
    labels = [f"{text.num(edges[0], 0)}–{text.num(edges[1] - 0.1, 1)}"]
    labels += [f"{text.num(a, 0)}–{text.num(b - 0.1, 1)}" for a, b in zip(edges[1:-2], edges[2:-1],
                                                                       strict=True)]
    labels.append(f"{text.num(edges[-2], 0)}–{text.num(edges[-1], 0)}")
    return [e / 100 for e in edges], labels


_share = surveytables.share_text
_interval = surveytables.interval_text
_cell = surveytables.estimate_text


def published_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`standardised_groups` for the page: published, computed, interval, respondents."""
    rows = []
    for r in table.itertuples():
        sup = bool(getattr(r, "suppressed", False))
        rows.append({
            "Grupp": r.group,
            "Publicerat 2017": text.pct(r.published * 100, 0),
            "Beräknat": "." if sup else _share(r.value, 1),
            "95 % KI": "." if sup else _interval(r.lower, r.upper, 1),
            "Svarande": "." if sup else text.num(r.n),
            "Inom KI": "." if sup else ("ja" if r.inside else "nej"),
        })
    return pd.DataFrame(rows)


def estimate_display(table: pd.DataFrame, row_label: str, row_values: list[str],
                     decimals: int = 0) -> pd.DataFrame:
    """A tidy table as text columns: label, share, 95 % interval, respondents (``.`` if suppressed)."""
    out = pd.DataFrame({row_label: row_values})
    sup = surveytables.suppressed_mask(table)
    out["Andel"] = [("." if s else _share(v, decimals)) for v, s in zip(table["value"], sup,
                                                                        strict=True)]
    out["95 % konfidensintervall"] = [("." if s else _interval(lo, hi, decimals)) for lo, hi, s
                                      in zip(table["lower"], table["upper"], sup, strict=True)]
    out["Svarande"] = [("." if s else text.num(n)) for n, s in zip(table["n"], sup, strict=True)]
    return out


def kommun_display(table: pd.DataFrame, indicator: str = "good_health") -> pd.DataFrame:
    """Per kommun: women, men and everyone, each share with its interval (``.`` if suppressed)."""
    t = table[table["indicator_id"] == indicator]
    rows = []
    for code, g in t.groupby("area_code", sort=False):
        row = {"Kommun": geo.KOMMUNER[code]}
        for sex in ("kvinnor", "man", "totalt"):
            r = g[g["sex"] == sex].iloc[0]
            sup = bool(r.get("suppressed", False))
            row[SEX_LABELS[sex]] = "." if sup else _cell(r["value"], r["lower"], r["upper"])
        rows.append(row)
    return pd.DataFrame(rows)


def odds_display(table: pd.DataFrame) -> pd.DataFrame:
    """The factors of the odds-ratio chart as a table, sorted like the chart (largest OR first)."""
    t = table[table["shown"]].sort_values("value", ascending=False, na_position="last")
    sup = surveytables.suppressed_mask(t)
    return pd.DataFrame({
        "Faktor": t["group"].to_numpy(),
        "Oddskvot": ["." if s else text.num(v, 2) for v, s in zip(t["value"], sup, strict=True)],
        "95 % KI": ["." if s else f"{text.num(lo, 2)}–{text.num(hi, 2)}"
                    for lo, hi, s in zip(t["lower"], t["upper"], sup, strict=True)],
        "Typ": ["." if s else d for d, s in zip(t["direction"], sup, strict=True)],
        "Svarande": ["." if s else text.num(n) for n, s in zip(t["n_category"], sup,
                                                               strict=True)],
    })


def difference_display(table: pd.DataFrame, area_name: str,
                       synthetic: bool = False) -> pd.DataFrame:
    """The profile comparison as text: area, rest of the län, difference with interval, marker.

    Rows follow :data:`PROFILE_INDICATORS` (or the table's order), everyone first, then women and
    men. The difference is that of the shown shares and the marker ``*`` flags a difference
    whose outward-rounded 95 % interval excludes zero (:mod:`analysis.core.precision`).
    """
    order = list(dict.fromkeys([*PROFILE_INDICATORS, *table["indicator_id"]]))
    return surveytables.difference_display(table, area_name, indicators=INDICATORS,
                                           sex_labels=SEX_LABELS, order=order,
                                           verdict=not synthetic)


def difference_note(synthetic: bool) -> str:
    """The sentence above a profile comparison table on how its differences, intervals and
    stars are shown (:func:`analysis.methods.surveytables.difference_note`)."""
    return surveytables.difference_note(synthetic)


def shown_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison for the difference chart, its filled markers following the table's stars
    (:func:`analysis.methods.surveytables.shown_verdicts`)."""
    return surveytables.shown_verdicts(table)


def for_csv(table: pd.DataFrame, synthetic: bool | None = None) -> pd.DataFrame:
    """A suppressed table for download: every blanked cell of a suppressed row is ``"."``.

    :func:`analysis.present.publish.write_csv` marks ``value, lower, upper, se``; this also marks the
    other columns :func:`suppress` blanks (``value_area``, ``inside``, ``significant`` …).
    With ``synthetic`` given, a last column ``data`` says whether the numbers come from
    synthetic or real survey data, so a downloaded file cannot be mistaken for real figures.
    """
    return surveytables.for_csv(table, None if synthetic is None else DATA_LABEL[bool(synthetic)])


#: The ``data`` column of the downloads: synthetic or real survey data.
DATA_LABEL = {True: "syntetiska data", False: "Liv & hälsa (mikrodata)"}


def key_indicators(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The chapter's key indicators for the edition comparison (:func:`analysis.present.publish.indicators`).

    Takes suppressed tidy tables and keeps rows for both sexes aged 18+ (län and kommuner), with
    their 95 % intervals; suppressed rows are left out.
    """
    t = pd.concat(tables, ignore_index=True)
    t = t[(t["sex"] == "totalt") & (t["age"] == "18+")]
    if "suppressed" in t:
        t = t[~t["suppressed"].astype(bool)]
    return pd.DataFrame({
        "indicator_id": "lh_" + t["indicator_id"],
        "indicator": t["indicator_id"].map(lambda i: INDICATORS[i]["label"] + ", 18+ år"),
        "area_code": t["area_code"].astype(str), "period": t["period"].astype(str),
        "value": t["value"], "lower": t["lower"], "upper": t["upper"],
        "unit": surveytables.SHARE,
    }).drop_duplicates(["indicator_id", "area_code"]).reset_index(drop=True)


value = surveytables.value


def weighting_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`weighting_summary` as text columns for the page."""
    def fmt(v, f):
        return f(v) if pd.notna(v) else ".."

    return pd.DataFrame({
        "Omgång": summary["period"].astype(str),
        "Inbjudna": [fmt(v, text.num) for v in summary["invited"]],
        "Svarande": [text.num(v) for v in summary["respondents"]],
        "Svarsfrekvens": [fmt(v, lambda x: text.share(x, 0)) for v in summary["response_rate"]],
        "Minst svarande i ett stratum": [text.num(v) for v in
                                         summary["respondents_min_stratum"]],
        "God hälsa, ovägd": [text.share(v, 1) for v in summary["unweighted"]],
        "God hälsa, vägd (95 % KI)": [
            f"{text.share(v, 1)}{text.NBSP}({_interval(lo, hi, 1)})"
            for v, lo, hi in zip(summary["value"], summary["lower"], summary["upper"],
                                 strict=True)],
    })


def sex_age_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`by_sex_age` as a wide text table: indicator and age by women, men and everyone.

    Each cell is ``share (interval)``, or ``.`` when suppressed.
    """
    cell = [("." if bool(s) else _cell(v, lo, hi)) for v, lo, hi, s in
            zip(table["value"], table["lower"], table["upper"],
                table.get("suppressed", pd.Series(False, index=table.index)), strict=True)]
    t = table.assign(cell=cell, label=table["indicator_id"].map(
        lambda i: INDICATORS[i]["label"]), ålder=table["age"].str.replace("-", "–") + " år")
    wide = t.pivot_table(index=["label", "ålder"], columns="sex", values="cell",
                         aggfunc="first", sort=False).reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={"label": "Indikator", "ålder": "Ålder", **SEX_LABELS})
    return wide.fillna("")[["Indikator", "Ålder", "Kvinnor", "Män", "Totalt"]]


def kommun_sex_age_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`by_kommun_sex_age` (suppressed) as a wide table: kommun and sex by age group."""
    cell = ["." if s else text.share(v, 0) for v, s in
            zip(table["value"], table["suppressed"], strict=True)]
    wide = table.assign(cell=cell).pivot_table(index=["group", "sex"], columns="age",
                                               values="cell", aggfunc="first",
                                               sort=False).reset_index()
    wide["sex"] = wide["sex"].map(SEX_LABELS)
    wide.columns = [str(c).replace("-", "–") for c in wide.columns]
    return wide.rename(columns={"group": "Kommun", "sex": "Kön"})


def published_quotes(seed_figures: pd.DataFrame) -> list[pd.Series]:
    """The published 2017 rows of the catalogued seed figures: the ten good-health groups
    (:data:`PUBLISHED_GOOD_HEALTH`), then anxiety and depression (:data:`PUBLISHED_CRUDE`).

    The generator is calibrated to the values of these same rows
    (:func:`analysis.synthetic.synth_survey.calibrate`).
    """
    return (seeds.published_rows(seed_figures, PUBLISHED_GOOD_HEALTH, **seeds.LH_GOOD_HEALTH_KEYS)
            + seeds.published_rows(seed_figures, PUBLISHED_CRUDE, **seeds.LH_CRUDE_KEYS))


def profile_sentence(table: pd.DataFrame, area_name: str, indicator: str = "good_health",
                     synthetic: bool = False) -> str:
    """One sentence on an area against the rest of the län (both sexes), for a profile page
    (no significance verdict on synthetic data)."""
    r = value(table, indicator_id=indicator, sex="totalt")
    label = INDICATORS[indicator]["label"].lower()
    if bool(r.get("suppressed", False)) or pd.isna(r["value"]):
        return (f"För {area_name} finns för få svarande för att redovisa andelen med {label} "
                "(se röjandeskydd).")
    return f"I {area_name} har {_share(r['value_area'])} {label}, " + surveytables.difference_text(r, not synthetic)


#: The Liv & hälsa round whose figures the seed report (Region Örebro län's action plan) quotes:
#: a property of that document, not of the edition.
PUBLISHED_ROUND = 2017


def published_table(groups: pd.DataFrame, crude: pd.DataFrame) -> pd.DataFrame:
    """The age-standardised groups and the crude shares of the published figures, one table."""
    return pd.concat([groups, crude], ignore_index=True)


def kommun_range_text(kommun_sex: pd.DataFrame, synthetic: bool) -> str:
    """One sentence on the kommuner's shares with good health (kommun × sex rows of one year).

    Real data name the lowest and highest kommun; synthetic data do not (their kommun pattern
    is invented by the generator), and the sentence says so.
    """
    if synthetic:
        return ("Kommunmönstret i de syntetiska data är påhittat; kapitlet pekar därför inte ut "
                "någon kommun som högst eller lägst.")
    k = kommun_sex.dropna(subset=["value"])
    if k.empty:
        return "Kommunernas andelar kan inte visas (röjandeskydd)."
    lo, hi = k.loc[k["value"].idxmin()], k.loc[k["value"].idxmax()]
    return (f"Kommunernas andelar med god hälsa ligger mellan {lo['group']} "
            f"({SEX_LABELS[lo['sex']].lower()}, {text.share(lo['value'], 0)}) och {hi['group']} "
            f"({SEX_LABELS[hi['sex']].lower()}, {text.share(hi['value'], 0)}).")


def published_check_text(published: pd.DataFrame, year: int, synthetic: bool) -> str:
    """How the chapter's estimates for ``year`` compare with the action plan's published figures.

    With synthetic data this is a check that the generator hits the targets it was calibrated
    to, and the sentence says so; it is not a validation of anything.
    """
    inside = int(published["inside"].fillna(False).sum())
    if synthetic:
        return (f"De syntetiska data är kalibrerade mot handlingsplanens siffror för {year}; "
                f"{inside} av {len(published)} ligger inom de beräknade intervallen. Det är en "
                "kontroll av att generatorn träffar sina mål, inte en validering.")
    return (f"Av handlingsplanens siffror för {year} ligger {inside} av {len(published)} inom "
            "kapitlets 95-procentiga konfidensintervall (se tabellerna nedan).")
