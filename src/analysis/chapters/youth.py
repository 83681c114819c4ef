"""Liv & hälsa ung chapter: indicators, the census weighting, and the tidy tables the book shows.

*Liv & hälsa ung* is a census of the pupils in åk 7, åk 9 and gymnasiet år 2 with non-response
(schools that do not take part, absent pupils). Every estimate is design-based
(:mod:`analysis.methods.survey`): the respondents of each kommun × school year are treated as a random
subset of its pupils (the response-homogeneity-group model, Särndal & Lundström 2005, §8.2), i.e.
strata kommun × school year with base weight ``N_h / r_h``, and the weights are post-stratified to
the pupil population by kommun × school year × sex (Holt & Smith 1979;
:func:`analysis.methods.survey.poststratify`). A post-stratum with fewer than :data:`MIN_CELL`
respondents is collapsed (:func:`weighting_cells`). Proportions have logit intervals, odds ratios
come from design-weighted logistic regression (Binder sandwich variance).

The variance has **no finite population correction** by default. With three in four pupils
answering, the correction ``1 − r_h/N_h`` would halve every standard error: the intervals would
describe only this year's pupils, as if the non-respondents were a random quarter. The chapter's
questions are analytic (do girls and boys, kommuner and rounds differ beyond chance; how strong is
the dose–response), and non-response clusters in schools and classes, so the book treats each
round's pupils as an outcome of the conditions of that year (superpopulation inference; Graubard
& Korn 2002, *Statistical Science* 17, 73–96) and the intervals are the with-replacement ones. ``survey_design(..., fpc=True)`` gives the descriptive, narrower intervals.
Every table passes :func:`analysis.methods.surveytables.suppress` (or :func:`suppress_schools` for the
school-level table), so no estimate built on fewer than ``min_respondents`` respondents reaches a
page, a figure or a CSV file. The rounds themselves (real files or synthetic rounds) come from
:func:`analysis.inputs.liv_och_halsa_ung.load_rounds`.

Why one module
--------------
Everything here serves one chapter page and its kommun-profile section: the indicators of
:func:`prepare`, the census weighting and every table and its text form are defined together and
change together. What is not specific to the chapter lives below it: estimation
(:mod:`analysis.methods.survey`), shared survey tables and disclosure control
(:mod:`analysis.methods.surveytables`) and the pupil cohorts (:mod:`analysis.methods.frames`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.contracts import ung_contract
from analysis.contracts.ung_contract import GRADE_LABELS, GRADES
from analysis.core import diskcache, geo, precision, text
from analysis.methods import disclosure, survey, surveytables

# --------------------------------------------------------------------------- definitions
#: The chapter's indicators: 0/1 columns made by :func:`prepare`. ``grades`` restricts an
#: indicator to school years (WHO-5 is asked in åk 9 and gy 2 only).
INDICATORS: dict[str, dict] = {
    "good_wellbeing": {"label": "Mår bra eller mycket bra", "short": "Mår bra",
                       "definition": "svarat mycket bra eller bra på frågan ”Hur mår du rent "
                                     "allmänt?”"},
    "feel_good_daily": {"label": "Mår bra varje dag", "short": "Mår bra varje dag",
                        "definition": "svarat varje dag på påståendet ”Jag mår bra”"},
    "who5_good": {"label": "Gott psykiskt välbefinnande (WHO-5)", "short": "WHO-5",
                  "grades": ("ak9", "gy2"),
                  "definition": "WHO-5 råpoäng 13 eller mer av 25; frågas i åk 9 och gy 2"},
    "worry_often": {"label": "Ofta eller alltid ängslig, orolig eller nedstämd",
                    "short": "Ängslig, orolig, nedstämd",
                    "definition": "ofta eller alltid de senaste tre månaderna"},
    "finance_worry": {"label": "Oroar sig för familjens ekonomi", "short": "Oro för ekonomin",
                      "definition": "ja, ibland eller ja, ofta"},
    "pf_school": {"label": "Trivs i skolan", "short": "Skoltrivsel",
                  "definition": "trivs mycket eller ganska bra i skolan"},
    "pf_home": {"label": "Trivs hemma", "short": "Trivs hemma",
                "definition": "trivs mycket eller ganska bra hemma"},
    "pf_future": {"label": "Ljus framtidstro", "short": "Ljus framtidstro",
                  "definition": "ser mycket eller ganska ljust på framtiden"},
    "pf_trust": {"label": "Tillit till föräldrarna", "short": "Tillit till föräldrar",
                 "definition": "kan alltid eller oftast lita på sina föräldrar"},
    "pf_calm": {"label": "Lugn och trygg inför skoldagen", "short": "Lugn inför skoldagen",
                "definition": "alltid eller oftast lugn och trygg när hen ska gå till skolan"},
    "pf_4plus": {"label": "Minst fyra av de fem skyddsfaktorerna", "short": "4–5 skyddsfaktorer",
                 "definition": "minst fyra av de fem skyddsfaktorerna"},
    "daily_smoker": {"label": "Röker dagligen", "short": "Röker dagligen",
                     "definition": "svarat ”Ja, jag röker dagligen”"},
    "active_daily": {"label": "Fysiskt aktiv minst 60 minuter varje dag",
                     "short": "Aktiv 60 min varje dag",
                     "definition": "fysiskt aktiv minst 60 minuter alla sju dagar i veckan"},
    "safe_public": {"label": "Trygg ute på stan", "short": "Trygg ute på stan",
                    "definition": "känner sig alltid eller oftast trygg ute på stan, på allmän "
                                  "plats"},
    "association_member": {"label": "Med i förening eller organisation",
                           "short": "Föreningsaktiv",
                           "definition": "med i någon förening eller organisation"},
}
#: The five protective factors of the action plan, in its order (004, rows 1003–1008).
PROTECTIVE: tuple[str, ...] = ("pf_school", "pf_home", "pf_future", "pf_trust", "pf_calm")
#: Factors of the odds-ratio chart: (label, a-priori kind).
FACTORS: dict[str, tuple[str, str]] = {
    "pf_school": ("Trivs i skolan", "skyddsfaktor"),
    "pf_home": ("Trivs hemma", "skyddsfaktor"),
    "pf_future": ("Ljus framtidstro", "skyddsfaktor"),
    "pf_trust": ("Tillit till föräldrarna", "skyddsfaktor"),
    "pf_calm": ("Lugn och trygg inför skoldagen", "skyddsfaktor"),
    "association_member": ("Med i förening eller organisation", "skyddsfaktor"),
    "active_daily": ("Fysiskt aktiv varje dag", "skyddsfaktor"),
    "safe_public": ("Trygg ute på stan", "skyddsfaktor"),
    "finance_worry": ("Oroar sig för familjens ekonomi", "riskfaktor"),
    "daily_smoker": ("Röker dagligen", "riskfaktor"),
}
#: Indicators of the trend figures (the action plan's youth series, 004 rows 730–1135).
TREND_INDICATORS: tuple[str, ...] = ("good_wellbeing", "worry_often", "pf_future",
                                     "daily_smoker", "active_daily", "safe_public",
                                     "association_member")
#: Indicators of the kommun profiles' youth section.
PROFILE_INDICATORS: tuple[str, ...] = ("good_wellbeing", "pf_4plus", "worry_often",
                                       "finance_worry", "active_daily", "association_member")
SEX_LABELS = text.SEX_LABELS_YOUTH
ALL_GRADES = "alla"
GROUP_LABELS = {**GRADE_LABELS, ALL_GRADES: "alla årskurser"}
#: Smallest number of respondents in a post-stratum before it is collapsed.
MIN_CELL = 5
_KEYS = ["indicator_id", "area_code", "area_type", "period", "sex", "group"]


_flag = surveytables.flag


def prepare(pupils: pd.DataFrame) -> pd.DataFrame:
    """Add the chapter's indicators and grouping columns to a canonical pupil file.

    Returns
    -------
    pandas.DataFrame
        The pupils with the 0/1 indicators of :data:`INDICATORS` (NaN where an item is missing;
        WHO-5 is missing if any of its five items is), ``pf_count`` (0–5, NaN if any of the five
        factors is missing), ``pf_group`` (its text), ``stratum`` (kommun × school year) and
        ``forbund``.
    """
    d = pupils.copy()
    gw = d["general_wellbeing"]
    d["good_wellbeing"] = _flag(gw <= 2, gw)
    fg = d["feel_good"] if "feel_good" in d else pd.Series(pd.NA, index=d.index, dtype="Int8")
    d["feel_good_daily"] = _flag(fg == 1, fg)
    raw = d[list(ung_contract.WHO5_ITEMS)].astype("Float64").sum(axis=1, skipna=False)
    d["who5_good"] = _flag(raw >= surveytables.WHO5_GOOD_RAW, raw)
    d["worry_often"] = _flag(d["worry"] >= 4, d["worry"])
    d["finance_worry"] = _flag(d["family_finances"] >= 2, d["family_finances"])
    d["pf_school"] = _flag(d["school_wellbeing"] <= 2, d["school_wellbeing"])
    d["pf_home"] = _flag(d["home_wellbeing"] <= 2, d["home_wellbeing"])
    d["pf_future"] = _flag(d["future"] <= 2, d["future"])
    d["pf_trust"] = _flag(d["trust_parents"] <= 2, d["trust_parents"])
    d["pf_calm"] = _flag(d["calm_school"] <= 2, d["calm_school"])
    d["pf_count"] = d[list(PROTECTIVE)].sum(axis=1, skipna=False)
    d["pf_4plus"] = (d["pf_count"] >= 4).astype(float).where(d["pf_count"].notna())
    d["pf_group"] = d["pf_count"].map(lambda v: None if pd.isna(v) else str(int(v)))
    d["daily_smoker"] = _flag(d["smoking"] == 4, d["smoking"])
    d["active_daily"] = _flag(d["physical_activity"] == 7, d["physical_activity"])
    d["safe_public"] = _flag(d["safety_public"] <= 2, d["safety_public"])
    d["association_member"] = _flag(d["association"] == 1, d["association"])
    d["stratum"] = d["kommun"].astype(str) + "-" + d["grade"].astype(str)
    d["forbund"] = d["kommun"].map(geo.kommun_till_forbund())
    return d


# --------------------------------------------------------------------------- weighting
def cell_population(frame: pd.DataFrame) -> pd.Series:
    """Pupils by kommun × school year × sex (the post-strata before collapsing)."""
    return frame.groupby(["kommun", "grade", "sex"])["population"].sum().astype(float)


def weighting_cells(data: pd.DataFrame, frame: pd.DataFrame, *, min_cell: int = MIN_CELL
                    ) -> tuple[np.ndarray, pd.Series, pd.DataFrame]:
    """Post-strata of the round: kommun × school year × sex, collapsed where respondents are few.

    Within each school year, a kommun whose boys or girls have fewer than ``min_cell``
    respondents is weighted for both sexes together; if the kommun × school year has fewer than
    ``min_cell``, every kommun of its förbund is weighted at förbund level (by sex if each sex has
    ``min_cell``), and if a förbund is still short, the whole school year is weighted at län level.
    Collapsing keeps each weight bounded and every pupil of the population represented (Kalton &
    Flores-Cervantes 2003, *J. Off. Stat.* 19, 81–97). In a regular round nothing is collapsed;
    the limited 2021 round, with schools that did not take part, needs it.

    Returns
    -------
    (numpy.ndarray, pandas.Series, pandas.DataFrame)
        The cell label of each respondent; the population of each cell (index = label); and a
        report ``kommun, grade, level`` (``kommun×kön``, ``kommun``, ``förbund×kön``,
        ``förbund``, ``län×kön``, ``län``).

    Raises
    ------
    ValueError
        If a school year has fewer than ``min_cell`` respondents in the whole län.
    """
    pop = cell_population(frame)
    resp = data.groupby(["kommun", "grade", "sex"]).size().reindex(pop.index, fill_value=0)
    to_f = geo.kommun_till_forbund()
    level: dict[tuple[str, str], str] = {}
    for g in GRADES:
        r = (resp.xs(g, level="grade").unstack("sex")
             .reindex(index=list(geo.KOMMUNER), columns=["kvinnor", "man"]).fillna(0))
        if r.to_numpy().sum() < min_cell:
            raise ValueError(f"school year {GRADE_LABELS[g]} has fewer than {min_cell} "
                             "respondents in the whole län: it cannot be weighted")
        by_f = r.groupby(r.index.map(to_f)).sum()
        need_lan = False
        chosen: dict[str, str] = {}
        for f, members in geo.FORBUND.items():
            sub = r.loc[list(members.kommuner)]
            if (sub.sum(axis=1) >= min_cell).all():
                for k in members.kommuner:
                    chosen[k] = "kommun×kön" if (sub.loc[k] >= min_cell).all() else "kommun"
            elif by_f.loc[f].sum() >= min_cell:
                lev = "förbund×kön" if (by_f.loc[f] >= min_cell).all() else "förbund"
                chosen.update({k: lev for k in members.kommuner})
            else:
                need_lan = True
        if need_lan:
            tot = r.sum()
            lev = "län×kön" if (tot >= min_cell).all() else "län"
            chosen = {k: lev for k in geo.KOMMUNER}
        level.update({(k, g): v for k, v in chosen.items()})

    def label(k: str, g: str, s: str) -> str:
        lev = level[(k, g)]
        area = {"kommun": k, "förbund": to_f[k], "län": geo.LAN_KOD}[lev.split("×")[0]]
        return f"{area}|{g}|{s if lev.endswith('kön') else 'alla'}"

    idx = pop.index.to_frame(index=False)
    idx["cell"] = [label(k, g, s) for k, g, s in idx.itertuples(index=False)]
    cells = pd.Series(pop.to_numpy(), index=idx["cell"]).groupby(level=0).sum()
    lookup = dict(zip(zip(idx["kommun"], idx["grade"], idx["sex"], strict=True), idx["cell"],
                      strict=True))
    per_resp = np.array([lookup[t] for t in zip(data["kommun"], data["grade"], data["sex"],
                                                strict=True)], dtype=object)
    report = pd.DataFrame([{"kommun": k, "grade": g, "level": v} for (k, g), v in level.items()])
    return per_resp, cells, report


def survey_design(data: pd.DataFrame, frame: pd.DataFrame, *, min_cell: int = MIN_CELL,
                  fpc: bool = False, source: str = "<Liv & hälsa ung>") -> survey.SurveyDesign:
    """The design of one prepared round: strata, base weights and post-stratification.

    Strata are kommun × school year with base weights ``N_h / r_h`` (``N_h`` its pupils, raised to
    the respondents if a real file has more respondents than the population table); the weights
    are then post-stratified to :func:`weighting_cells`. A producer's ``weight`` column is used as
    it is instead (its variance then treats the weights as fixed). ``fpc=True`` adds the finite
    population correction (see the module docstring for why the default is without). A stratum
    with a single respondent contributes no variance of its own (``lonely_psu="adjust"``: its
    PSU total is centred at zero, R ``survey.lonely.psu="adjust"``).
    """
    d = data.copy()
    n_h = frame.groupby(["kommun", "grade"])["population"].sum()
    key = list(zip(d["kommun"], d["grade"], strict=True))
    N = n_h.reindex(pd.MultiIndex.from_tuples(key)).to_numpy(dtype=float)
    if np.isnan(N).any():
        raise ValueError("the population table has no pupils for some respondents' kommun × "
                         "school year")
    r_h = d.groupby("stratum")["stratum"].transform("size").to_numpy()
    d["stratum_population"] = np.maximum(N, r_h)
    d["base_weight"] = d["stratum_population"] / r_h
    fpc_col = "stratum_population" if fpc else None
    if "weight" in d.columns:
        return survey.SurveyDesign(d, weights="weight", strata="stratum", fpc=fpc_col,
                                   lonely_psu="adjust", source=source)
    cells, pop, _ = weighting_cells(d, frame, min_cell=min_cell)
    d["cell"] = cells
    des = survey.SurveyDesign(d, weights="base_weight", strata="stratum", fpc=fpc_col,
                              lonely_psu="adjust", source=source)
    return survey.poststratify(des, "cell", pop)


# --------------------------------------------------------------------------- the data
def designs(rounds: Mapping[int, ung_contract.Round]) -> dict[int, survey.SurveyDesign]:
    """The prepared, post-stratified design of every round of
    :func:`analysis.inputs.liv_och_halsa_ung.load_rounds` (its ``frames`` give the post-strata)."""
    return {y: survey_design(prepare(r.pupils), rounds.frames[y],
                             source=f"Liv & hälsa ung {y}") for y, r in rounds.items()}


# --------------------------------------------------------------------------- estimates
def _tidy(t: pd.DataFrame, *, period: int, area_code: str = geo.LAN_KOD,
          area_type: str = "lan", sex: str = "totalt", group: str = "") -> pd.DataFrame:
    """Keys first (CONTRIBUTING order, without ``age``), then the statistic block, then extras."""
    t = t.copy()
    for col, default in (("area_code", area_code), ("area_type", area_type), ("sex", sex),
                         ("group", group)):
        if col not in t:
            t[col] = default
    t["period"] = period
    extra = [c for c in t.columns if c not in _KEYS and c not in survey.STAT_COLUMNS]
    return t[_KEYS + survey.STAT_COLUMNS + extra].reset_index(drop=True)


def _asked(des: survey.SurveyDesign, indicator: str) -> np.ndarray:
    """Rows of the school years where ``indicator`` is asked."""
    grades = INDICATORS.get(indicator, {}).get("grades")
    if grades is None:
        return np.ones(des.n, dtype=bool)
    return des.data["grade"].isin(grades).to_numpy()


def _has_answers(des: survey.SurveyDesign, indicator: str) -> bool:
    return indicator in des.data and bool(des.data[indicator].notna().any())


def _proportions(des: survey.SurveyDesign, indicators, by: list[str] | None = None,
                 grades: list[str] | tuple[str, ...] | None = None, **assign) -> pd.DataFrame:
    """Proportions of the indicators with answers, each in the school years where it is asked
    (and only in ``grades`` when given).

    Indicators with the same school years are estimated in one call of the engine.
    """
    present = [i for i in indicators if _has_answers(des, i)]
    groups: dict[tuple, list[str]] = {}
    for ind in present:
        asked = INDICATORS.get(ind, {}).get("grades") or GRADES
        keep = tuple(g for g in asked if grades is None or g in grades)
        if keep:
            groups.setdefault(keep, []).append(ind)
    parts = []
    for keep, inds in groups.items():
        m = des.data["grade"].isin(keep).to_numpy() if keep != GRADES else None
        parts.append(des.proportion(inds, by=by, where=m))
    if not parts:
        return pd.DataFrame(columns=["indicator_id", *(by or []), *survey.STAT_COLUMNS])
    return pd.concat(parts, ignore_index=True).assign(**assign)


def by_grade_sex(des: survey.SurveyDesign, indicators: list[str], period: int) -> pd.DataFrame:
    """Shares by school year × sex, by school year, by sex and in total (in the school years where
    each indicator is asked), with logit intervals.

    Returns
    -------
    pandas.DataFrame
        Tidy rows with ``group`` = the school year's label (``"alla årskurser"`` for all) and
        ``grade`` (code or ``"alla"``). Indicators without answers in the round are left out.
    """
    t = pd.concat([
        _proportions(des, indicators, ["grade", "sex"]),
        _proportions(des, indicators, ["grade"], sex="totalt"),
        _proportions(des, indicators, ["sex"], grade=ALL_GRADES),
        _proportions(des, indicators, None, sex="totalt", grade=ALL_GRADES),
    ], ignore_index=True)
    t["group"] = t["grade"].map(GROUP_LABELS)
    return _tidy(t, period=period)


def dose_response(des: survey.SurveyDesign, period: int, outcome: str | None = None
                  ) -> pd.DataFrame:
    """The share feeling good every day by number of protective factors (0–5), by sex and in total.

    ``outcome`` defaults to ``feel_good_daily`` ("Jag mår bra": varje dag, the ELSA question of
    the action plan's figure, 004 rows 964–967) and falls back to ``good_wellbeing`` when the
    round has no answers to it. Pupils with a missing protective factor are left out (their count
    is unknown).

    Returns
    -------
    pandas.DataFrame
        Tidy rows, ``group`` = ``"0"`` … ``"5"``, with ``factors`` (int).
    """
    if outcome is None:
        outcome = "feel_good_daily" if _has_answers(des, "feel_good_daily") else "good_wellbeing"
    a = des.proportion(outcome, by=["sex", "pf_group"])
    b = des.proportion(outcome, by=["pf_group"]).assign(sex="totalt")
    t = pd.concat([a, b], ignore_index=True).rename(columns={"pf_group": "group"})
    t["factors"] = t["group"].astype(int)
    t = t.sort_values(["sex", "factors"], ignore_index=True)
    return _tidy(t, period=period)


def protective_prevalence(des: survey.SurveyDesign, period: int) -> pd.DataFrame:
    """Each of the five protective factors by school year × sex (see :func:`by_grade_sex`)."""
    return by_grade_sex(des, list(PROTECTIVE), period)


def by_finance_worry(des: survey.SurveyDesign, period: int,
                     indicators: tuple[str, ...] = ("good_wellbeing", "feel_good_daily",
                                                    "who5_good")) -> pd.DataFrame:
    """Well-being among pupils who worry about the family's finances and those who do not.

    Returns tidy rows with ``group`` = ``"oroar sig"`` / ``"oroar sig inte"`` and
    ``finance_worry`` (1/0), by sex and in total (WHO-5 in åk 9 and gy 2).
    """
    t = pd.concat([_proportions(des, indicators, ["finance_worry", "sex"]),
                   _proportions(des, indicators, ["finance_worry"], sex="totalt")],
                  ignore_index=True)
    t["finance_worry"] = t["finance_worry"].astype(int)
    t["group"] = t["finance_worry"].map({1: "oroar sig", 0: "oroar sig inte"})
    return _tidy(t, period=period)


def grades_answered(data: pd.DataFrame, kommun: str) -> list[str]:
    """The school years in which pupils of ``kommun`` answered (a school may have stayed out)."""
    present = set(data.loc[data["kommun"] == kommun, "grade"])
    return [g for g in GRADES if g in present]


def grades_text(grades: list[str] | tuple[str, ...]) -> str:
    """``"alla"`` for all three school years, else their labels (``"åk 7, åk 9"``)."""
    if tuple(grades) == GRADES:
        return "alla"
    return ", ".join(GRADE_LABELS[g] for g in grades) if grades else "inga"


def by_kommun(des: survey.SurveyDesign, indicators: list[str], period: int) -> pd.DataFrame:
    """Shares by kommun × sex and by kommun, all school years (WHO-5: åk 9 and gy 2).

    A kommun whose pupils of a school year did not answer (their schools stayed out) is estimated
    over the school years that did; ``grades`` names them (``"alla"`` when complete), so that a
    share over two school years is not read as one over three.
    """
    t = pd.concat([_proportions(des, indicators, ["kommun", "sex"]),
                   _proportions(des, indicators, ["kommun"], sex="totalt")],
                  ignore_index=True).rename(columns={"kommun": "area_code"})
    t["area_type"] = "kommun"
    t["grades"] = t["area_code"].map(
        {k: grades_text(grades_answered(des.data, k)) for k in geo.KOMMUNER})
    t["group"] = GROUP_LABELS[ALL_GRADES]
    t["area_name"] = t["area_code"].map(geo.KOMMUNER)
    return _tidy(t, period=period).sort_values(["indicator_id", "area_code", "sex"],
                                               ignore_index=True)


def trends(designs: dict[int, survey.SurveyDesign], indicators: list[str] | tuple[str, ...]
           ) -> pd.DataFrame:
    """Each indicator per round by school year × sex (and both sexes), where it was asked.

    Rounds in which a question was not asked (no answers) get no row.
    """
    rows = []
    for year, des in designs.items():
        t = pd.concat([_proportions(des, indicators, ["grade", "sex"]),
                       _proportions(des, indicators, ["grade"], sex="totalt")],
                      ignore_index=True)
        t["group"] = t["grade"].map(GROUP_LABELS)
        rows.append(_tidy(t, period=year))
    return pd.concat(rows, ignore_index=True)


def odds_ratios(des: survey.SurveyDesign, period: int, outcome: str = "good_wellbeing",
                factors: dict[str, tuple[str, str]] = FACTORS) -> pd.DataFrame:
    """Odds ratios of feeling good for protective and risk factors (design-weighted logistic).

    Each factor has its own model ``outcome ~ sex + school year + factor``, i.e. the odds ratio is
    adjusted for sex and school year only, as in the action plan's illustration (001 rows
    174–177, "justerat för kön och ålder"). A second model with every factor at once gives the
    mutually adjusted odds ratio (``value_mutual`` …). Factors without answers in the round are
    left out. Variances: :func:`analysis.methods.survey.logistic_regression` (Binder sandwich).

    Returns
    -------
    pandas.DataFrame
        Tidy rows per factor (``group`` = label) with ``term``, ``kind`` (the a-priori
        skyddsfaktor/riskfaktor), ``direction`` (by the estimate), ``shown`` (True),
        ``n_category`` and ``n_reference`` (respondents in the fit with and without the factor:
        the counts the disclosure rule reads), and ``value_mutual``, ``lower_mutual``,
        ``upper_mutual``.
    """
    present = [f for f in factors if _has_answers(des, f)]
    rows = []
    for f in present:
        res = survey.logistic_regression(des, f"{outcome} ~ C(sex) + C(grade) + {f}")
        r = res[res["term"] == f].copy()
        used = des.data[[outcome, "sex", "grade", f]].notna().all(axis=1)
        r["n_category"] = int((used & (des.data[f] == 1)).sum())
        r["n_reference"] = int((used & (des.data[f] == 0)).sum())
        rows.append(r)
    out = pd.concat(rows, ignore_index=True)
    mutual = survey.logistic_regression(
        des, f"{outcome} ~ C(sex) + C(grade) + " + " + ".join(present)).set_index("term")
    out["value_mutual"] = out["term"].map(mutual["value"])
    out["lower_mutual"] = out["term"].map(mutual["lower"])
    out["upper_mutual"] = out["term"].map(mutual["upper"])
    out["group"] = out["term"].map(lambda t: factors[t][0])
    out["kind"] = out["term"].map(lambda t: factors[t][1])
    out["direction"] = np.where(out["value"] > 1, "skyddsfaktor", "riskfaktor")
    out["shown"] = True
    return _tidy(out, period=period)


def youth_adult(ydes: survey.SurveyDesign, adult_des: survey.SurveyDesign, youth_year: int,
                adult_year: int) -> pd.DataFrame:
    """Self-rated health of pupils beside adults (the action plan's figures 17–18, 004 rows
    698–729).

    Pupils: "mår bra eller mycket bra" (``good_wellbeing``) by school year and WHO-5 in åk 9 and
    gy 2; adults (:mod:`analysis.chapters.health`, a prepared Liv & hälsa design): "mycket bra eller bra
    allmänt hälsotillstånd" (``good_health``) and WHO-5, 18–29 and 18 years and older. By sex.

    Returns
    -------
    pandas.DataFrame
        Tidy rows with ``measure`` (``"halsa"``/``"who5"``), ``population`` (``"unga"``/
        ``"vuxna"``), ``group`` (``"åk 7"`` … ``"18–29 år"``, ``"18 år och äldre"``) and
        ``survey`` (the survey and round).
    """
    parts = []
    for measure, ind in (("halsa", "good_wellbeing"), ("who5", "who5_good")):
        m = _asked(ydes, ind)
        t = ydes.proportion(ind, by=["grade", "sex"], where=m)
        t = t.assign(measure=measure, population="unga", group=t["grade"].map(GRADE_LABELS),
                     survey=f"Liv & hälsa ung {youth_year}")
        parts.append(t.drop(columns="grade"))
    ad = adult_des.data
    for measure, ind in (("halsa", "good_health"), ("who5", "good_wellbeing")):
        for label, where in (("18–29 år", (ad["age"] <= 29).to_numpy()),
                             ("18 år och äldre", None)):
            t = adult_des.proportion(ind, by="sex", where=where)
            parts.append(t.assign(measure=measure, population="vuxna", group=label,
                                  survey=f"Liv & hälsa {adult_year}"))
    out = pd.concat(parts, ignore_index=True)
    return _tidy(out, period=youth_year)


def weighting_summary(rounds: Mapping[int, ung_contract.Round],
                      designs: dict[int, survey.SurveyDesign],
                      indicator: str = "good_wellbeing") -> pd.DataFrame:
    """Per round: pupils, schools taking part, respondents, and the indicator unweighted and
    weighted.

    ``response_rate`` is respondents / pupils enrolled in the units that took part;
    ``coverage`` is respondents / all pupils of the population. Without a school file the school
    columns are missing.
    """
    rows = []
    for y, des in designs.items():
        r = rounds[y]
        d = des.data
        est = des.proportion(indicator).iloc[0]
        sch = r.schools
        if sch is not None:
            part = sch.groupby("school")["participated"].max()
            n_sch, n_part = len(part), int(part.sum())
            enrolled = int(sch.loc[sch["participated"] == 1, "enrolled"].sum())
        else:
            n_sch = n_part = enrolled = np.nan
        pop = int(rounds.frames[y]["population"].sum())
        _, _, report = weighting_cells(d, rounds.frames[y])
        ok = d[indicator].notna().to_numpy()
        rows.append({
            "period": y, "population": pop, "schools": n_sch, "participating_schools": n_part,
            "enrolled_participating": enrolled, "respondents": len(d),
            "response_rate": len(d) / enrolled if enrolled == enrolled and enrolled else np.nan,
            "coverage": len(d) / pop, "collapsed": int((report["level"] != "kommun×kön").sum()),
            "unweighted": float(d.loc[ok, indicator].mean()), "value": est["value"],
            "lower": est["lower"], "upper": est["upper"], "se": est["se"], "n": int(est["n"]),
        })
    return pd.DataFrame(rows)


def compare_with_rest(data: pd.DataFrame, frame: pd.DataFrame, area_code: str,
                      indicators: list[str] | tuple[str, ...], period: int, *,
                      confidence: float = 0.95) -> pd.DataFrame:
    """A kommun's shares beside the rest of the län, with the difference and its interval.

    The kommun and the rest of the län are different strata (post-strata are nested in them
    unless a round had to be collapsed), so their estimates are independent and
    ``var(difference) = var(kommun) + var(rest)``. Wald interval; ``significant`` when it
    excludes 0. If the kommun's pupils of a school year did not answer (their school stayed out),
    both sides are compared over the school years the kommun has (column ``grades``).

    Returns
    -------
    pandas.DataFrame
        Tidy rows of the difference (``statistic = "difference"``) by indicator and sex, with
        ``value_area, lower_area, upper_area, se_area, n`` (the area's respondents),
        ``value_rest, lower_rest, upper_rest, se_rest, n_rest`` and ``significant``.
    """
    d = data.assign(in_area=np.where(data["kommun"] == area_code, "area", "rest"))
    des = survey_design(d, frame)
    grades = grades_answered(d, area_code) or list(GRADES)
    t = pd.concat([_proportions(des, indicators, ["in_area", "sex"], grades),
                   _proportions(des, indicators, ["in_area"], grades, sex="totalt")],
                  ignore_index=True)
    keys = ["indicator_id", "sex"]
    area = t[t["in_area"] == "area"].set_index(keys)
    rest = t[t["in_area"] == "rest"].set_index(keys)
    area = area.reindex(rest.index)
    out = surveytables.difference(area, rest, confidence=confidence,
                                  n=area["n"].fillna(0).astype(int))
    out["grades"] = grades_text(grades_answered(d, area_code))
    out["area_type"] = "kommun"
    out["area_code"] = area_code
    out["group"] = "kommunen minus övriga länet"
    return _tidy(out, period=period, area_code=area_code, area_type="kommun")


def comparisons(data: pd.DataFrame, frame: pd.DataFrame,
                indicators: list[str] | tuple[str, ...], period: int, *,
                confidence: float = 0.95) -> pd.DataFrame:
    """:func:`compare_with_rest` of every kommun (the kommun profiles' tables), in code order."""
    return pd.concat([compare_with_rest(data, frame, k, indicators, period,
                                        confidence=confidence) for k in geo.KOMMUNER],
                     ignore_index=True)


_SEXES = ("kvinnor", "man")


def protected_comparisons(data: pd.DataFrame, frame: pd.DataFrame, period: int,
                          min_respondents: int, *,
                          indicators: list[str] | tuple[str, ...] = PROFILE_INDICATORS,
                          linked: bool = True,
                          protection: float = disclosure.PROTECTION_WIDTH) -> pd.DataFrame:
    """:func:`comparisons` with disclosure control of every kommun's table together.

    Each row publishes two shares: the kommun's (``value_area``, ``n``) and the rest of the
    län's (``value_rest``, ``n_rest``), over the school years the kommun answered. Both are
    weighted means of kommun × sex × school-year atoms with the post-stratified weights, so a
    suppressed kommun could be solved from the rest of the län beside another kommun and the
    pupils' population. Primary suppression (fewer than ``min_respondents`` in ``n`` or
    ``n_rest``); with ``linked`` complementary suppression follows
    (:func:`analysis.methods.disclosure.protect_linked`, school year in the role of the adults'
    age group). A withheld row hides its estimates and respondents.

    Returns
    -------
    pandas.DataFrame
        :func:`comparisons` with ``suppressed``, ``rule`` and ``note``.
    """
    t = comparisons(data, frame, indicators, period)
    des = survey_design(data, frame)
    kommuner = list(geo.KOMMUNER)
    grades = {k: tuple(grades_answered(data, k) or GRADES) for k in kommuner}
    rows = []
    for i, r in enumerate(t.itertuples(index=False)):
        sexes = _SEXES if r.sex == "totalt" else (r.sex,)
        g = grades[r.area_code]
        key = (r.indicator_id, r.area_code, sexes, g)
        rest = tuple(k for k in kommuner if k != r.area_code)
        rows.append({"row": i, "indicator_id": r.indicator_id, "area": (r.area_code,),
                     "sexes": sexes, "grades": g, "key": key, "value": r.value_area, "n": r.n})
        rows.append({"row": i, "indicator_id": r.indicator_id, "area": rest, "sexes": sexes,
                     "grades": g, "key": key, "value": r.value_rest, "n": r.n_rest})
    cells = pd.DataFrame(rows)
    rules = disclosure.respondent_rules(min_respondents)
    d = des.data
    parts = []
    for ind, c in cells.groupby("indicator_id", sort=False):
        c = c.reset_index(drop=True)
        ok = _asked(des, ind) & d[ind].notna().to_numpy()
        w = pd.Series(des.weights[ok], index=pd.MultiIndex.from_arrays(
            [d["kommun"].to_numpy()[ok], d["sex"].to_numpy()[ok], d["grade"].to_numpy()[ok]])
        ).groupby(level=[0, 1, 2]).sum()
        index = {a: j for j, a in enumerate(w.index)}
        members = [[index[(k, s, gr)] for k in r.area for s in r.sexes for gr in r.grades
                    if (k, s, gr) in index] for r in c.itertuples()]
        if linked:
            tie = c["key"].map({k: j for j, k in enumerate(dict.fromkeys(c["key"]))})
            p = disclosure.protect_linked(c.assign(tie=tie), members, w.to_numpy(),
                                          rules=rules, protection=protection, tie="tie")
        else:
            p = disclosure.suppress(c, rules=rules, columns=[])
            p = p.assign(rule=np.where(p["suppressed"], disclosure.RULE_PRIMARY, ""))
            grp = p.groupby("row")
            p = p.assign(suppressed=grp["suppressed"].transform("max"),
                         rule=grp["rule"].transform("max"), note=grp["note"].transform("max"))
        parts.append(p)
    res = pd.concat(parts, ignore_index=True).groupby("row").agg(
        suppressed=("suppressed", "max"), rule=("rule", "max"), note=("note", "max"))
    out = t.copy()
    sup = res["suppressed"].reindex(range(len(t)), fill_value=False).to_numpy(dtype=bool)
    for c in disclosure.estimate_columns(out) + ["n", "n_rest"]:
        if pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype("float64")
        out.loc[sup, c] = np.nan
    out["suppressed"] = sup
    out["rule"] = res["rule"].reindex(range(len(t)), fill_value="").to_numpy()
    out["note"] = res["note"].reindex(range(len(t)), fill_value="").to_numpy()
    return out


def cached_comparisons(data: pd.DataFrame, frame: pd.DataFrame, period: int,
                       min_respondents: int, *,
                       protection: float = disclosure.PROTECTION_WIDTH) -> pd.DataFrame:
    """:func:`protected_comparisons` (linked) computed once per round and kept on disk
    (:func:`analysis.methods.disclosure.cached_tables`), so that each kommun profile reads the
    protected comparisons of every kommun instead of protecting them again."""
    inputs = {"data": diskcache.frame_hash(data), "frame": diskcache.frame_hash(frame),
              "period": int(period), "min_respondents": int(min_respondents),
              "protection": float(protection)}
    return disclosure.cached_tables(
        "liv_och_halsa_ung_skydd", __name__, inputs,
        lambda: {"compare": protected_comparisons(data, frame, period, min_respondents,
                                                  protection=protection)})["compare"]


# --------------------------------------------------------------------------- disclosure
def school_table(des: survey.SurveyDesign, schools: pd.DataFrame | None, period: int,
                 indicator: str = "good_wellbeing") -> pd.DataFrame:
    """Per kommun × school year: each school's pupils, respondents, response rate and share
    feeling good, and the kommun's total (before disclosure control; see
    :func:`suppress_schools`).

    Schools are anonymised as ``Skola 1, 2, …`` within kommun (in the order of their ids). The
    share is the design-based estimate in the school's domain. Without a school file the pupils
    enrolled and the response rate are missing.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (``area_code`` = the school's kommun, ``group`` = school year label) with
        ``school`` (anonymised label, ``"Kommunen totalt"`` for the total row), ``is_total``,
        ``grade``, ``enrolled`` and ``response_rate``.
    """
    d = des.data
    # a school belongs to the kommun of most of its respondents (real gymnasier take pupils from
    # several kommuner; the school file's kommun is used when present)
    home = (schools.groupby("school")["kommun"].first() if schools is not None
            else d.groupby("school")["kommun"].agg(lambda s: s.mode().iloc[0]))
    est = des.proportion(indicator, by=["school", "grade"])
    est["area_code"] = est["school"].map(home)
    if schools is not None:
        part = schools[schools["participated"] == 1]
        enr = part.groupby(["school", "grade"])["enrolled"].sum()
        est["enrolled"] = [enr.get((s, g), np.nan) for s, g in zip(est["school"], est["grade"],
                                                                   strict=True)]
    else:
        est["enrolled"] = np.nan
    resp = d.groupby(["school", "grade"]).size()
    est["respondents"] = [int(resp.get((s, g), 0)) for s, g in zip(est["school"], est["grade"],
                                                                   strict=True)]
    est["response_rate"] = est["respondents"] / est["enrolled"]
    names = {}
    for _k, ids in est.groupby("area_code")["school"]:
        for i, s in enumerate(sorted(ids.unique()), start=1):
            names[s] = f"Skola {i}"
    est["school_id"] = est["school"]
    est["school"] = est["school"].map(names)
    est["is_total"] = False
    # kommun totals over the schools located in the kommun
    located = d["school"].map(home).to_numpy()
    tot = pd.concat([des.proportion(indicator, by="grade", where=located == k).assign(area_code=k)
                     for k in sorted(set(located))], ignore_index=True)
    tot["school"] = "Kommunen totalt"
    tot["school_id"] = ""
    tot["is_total"] = True
    tot["respondents"] = tot["n"]
    enr_k = est.groupby(["area_code", "grade"])["enrolled"].sum(min_count=1)
    tot["enrolled"] = [enr_k.get((k, g), np.nan) for k, g in zip(tot["area_code"], tot["grade"],
                                                                 strict=True)]
    tot["response_rate"] = tot["respondents"] / tot["enrolled"]
    t = pd.concat([est, tot], ignore_index=True)
    t["area_type"] = "kommun"
    t["group"] = t["grade"].map(GRADE_LABELS)
    t["area_name"] = t["area_code"].map(geo.KOMMUNER)
    t = t.sort_values(["area_code", "grade", "is_total", "school"], ignore_index=True)
    return _tidy(t, period=period)


#: Columns of the school table that are school-level figures (blanked in suppressed rows).
SCHOOL_FIGURES = ("value", "lower", "upper", "se", "n", "respondents", "enrolled",
                  "response_rate")


def suppress_schools(table: pd.DataFrame, min_respondents: int) -> pd.DataFrame:
    """Disclosure control of :func:`school_table`: no school-level figure under the threshold.

    Primary suppression: a school (or kommun total) with fewer than ``min_respondents``
    respondents gets every figure blanked (share, interval, respondents, pupils, response rate).
    Secondary suppression: where exactly one school of a kommun × school year is suppressed and
    the kommun total is shown, the next smallest school is suppressed too, so the suppressed
    school cannot be recovered by subtracting the others from the total (Hundepool et al. 2012,
    §5.3, complementary suppression). The one disclosure API does it
    (:func:`analysis.methods.disclosure.protect_counts`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` and ``note``; blanked cells are NaN.
    """
    return disclosure.protect_counts(
        table, rules=disclosure.respondent_rules(min_respondents, ["respondents"]),
        relations=disclosure.group_relations(table, ["area_code", "grade"], total="is_total"),
        size="respondents", columns=[c for c in SCHOOL_FIGURES if c in table],
        blank_counts=False, note="skyddar en annan skola")


# --------------------------------------------------------------------------- presentation
_share = surveytables.share_text
_interval = surveytables.interval_text
_sup = surveytables.suppressed_mask


def fmt_share(v: float, decimals: int = 0) -> str:
    """A share for prose: ``"42 %"``, or the suppression mark ``"."`` when it is not shown."""
    return _share(v, decimals)


def fmt_points(v: float) -> str:
    """A difference of shares in percentage points for prose (``"14"``), ``"."`` if missing."""
    return "." if pd.isna(v) else text.num(100 * v, 0)


def sex_gap(table: pd.DataFrame, indicator: str, grade: str = ALL_GRADES) -> float:
    """Boys' share minus girls' share of an indicator in a school year *as the page shows them*:
    the difference of the two shares rounded to whole per cent (the rounding policy,
    :func:`analysis.core.precision.difference`), as a proportion for :func:`fmt_points`; NaN if
    suppressed."""
    t = table[(table["indicator_id"] == indicator) & (table["grade"] == grade)].set_index("sex")
    return precision.difference(t.loc["man", "value"], t.loc["kvinnor", "value"],
                                surveytables.SHARE) / 100


def _cell(v: float, lo: float, hi: float, suppressed: bool = False, decimals: int = 0) -> str:
    """``42 % (40–43)`` on one line; ``.`` when suppressed."""
    if suppressed or pd.isna(v):
        return "."
    return surveytables.estimate_text(v, lo, hi, decimals)


#: Decimals of the län-level tables (whole per cent, as the adult chapter).
LAN_DECIMALS = 0


def dose_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`dose_response` as a table: number of factors by girls, boys and all (share and CI)."""
    t = table.assign(cell=[_cell(v, lo, hi, s, LAN_DECIMALS) for v, lo, hi, s in
                           zip(table["value"], table["lower"], table["upper"], _sup(table),
                               strict=True)])
    wide = t.pivot_table(index="factors", columns="sex", values="cell", aggfunc="first")
    n = t[t["sex"] == "totalt"].set_index("factors")["n"].reindex(wide.index)
    out = pd.DataFrame({"Antal skyddsfaktorer": [str(i) for i in wide.index]})
    for s in ("kvinnor", "man", "totalt"):
        out[SEX_LABELS[s]] = wide[s].fillna(".").to_numpy() if s in wide else "."
    out["Svarande"] = ["." if pd.isna(v) else text.num(v) for v in n]  # hidden with the share
    return out


def grade_sex_display(table: pd.DataFrame, indicators: list[str] | tuple[str, ...]
                      ) -> pd.DataFrame:
    """:func:`by_grade_sex` as a wide table: indicator and school year by girls, boys and all."""
    t = table[table["indicator_id"].isin(indicators)]
    t = t.assign(cell=[_cell(v, lo, hi, s, LAN_DECIMALS) for v, lo, hi, s in
                       zip(t["value"], t["lower"], t["upper"], _sup(t), strict=True)],
                 label=t["indicator_id"].map(lambda i: INDICATORS[i]["label"]))
    order = {i: k for k, i in enumerate(indicators)}
    gorder = {g: k for k, g in enumerate([*GRADES, ALL_GRADES])}
    wide = t.pivot_table(index=["indicator_id", "grade"], columns="sex", values="cell",
                         aggfunc="first").reset_index()
    wide["_i"] = wide["indicator_id"].map(order)
    wide["_g"] = wide["grade"].map(gorder)
    wide = wide.sort_values(["_i", "_g"])
    return pd.DataFrame({
        "Indikator": wide["indicator_id"].map(lambda i: INDICATORS[i]["label"]).to_numpy(),
        "Årskurs": wide["grade"].map({**GRADE_LABELS, ALL_GRADES: "alla"}).to_numpy(),
        "Flickor": wide.get("kvinnor", pd.Series(".", index=wide.index)).fillna(".").to_numpy(),
        "Pojkar": wide.get("man", pd.Series(".", index=wide.index)).fillna(".").to_numpy(),
        "Totalt": wide.get("totalt", pd.Series(".", index=wide.index)).fillna(".").to_numpy(),
    })


def odds_display(table: pd.DataFrame) -> pd.DataFrame:
    """The odds-ratio table, largest first: OR adjusted for sex and school year, and mutually,
    each ``2,81 (2,60–3,04)``."""
    t = table.sort_values("value", ascending=False, na_position="last")
    sup = _sup(t)

    def cell(v, lo, hi, s):
        if s or pd.isna(v):
            return "."
        return f"{text.num(v, 2)}{text.NBSP}({text.num(lo, 2)}–\u2060{text.num(hi, 2)})"

    return pd.DataFrame({
        "Faktor": t["group"].to_numpy(),
        "Justerad för kön och årskurs": [cell(v, lo, hi, s) for v, lo, hi, s in
                                         zip(t["value"], t["lower"], t["upper"], sup,
                                             strict=True)],
        "Ömsesidigt justerad": [cell(v, lo, hi, s) for v, lo, hi, s in
                                zip(t["value_mutual"], t["lower_mutual"], t["upper_mutual"], sup,
                                    strict=True)],
        "Typ": ["." if s else d for d, s in zip(t["direction"], sup, strict=True)],
        "Svarande med faktorn": ["." if s else text.num(n)
                                 for n, s in zip(t["n_category"], sup, strict=True)],
    })


def finance_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`by_finance_worry` as a table: indicator and sex by worried / not worried."""
    rows = []
    order = {i: k for k, i in enumerate(INDICATORS)}
    sex_order = {"totalt": 0, "kvinnor": 1, "man": 2}
    t = table.assign(_i=table["indicator_id"].map(order), _s=table["sex"].map(sex_order))
    for (_, _, ind, sex), g in t.groupby(["_i", "_s", "indicator_id", "sex"], sort=True):
        g = g.set_index("finance_worry")
        row = {"Indikator": INDICATORS[ind]["label"], "Kön": SEX_LABELS[sex]}
        for k, lab in ((1, "Oroar sig för familjens ekonomi"), (0, "Oroar sig inte")):
            if k in g.index:
                r = g.loc[k]
                row[lab] = _cell(r["value"], r["lower"], r["upper"],
                                 bool(r.get("suppressed", False)), LAN_DECIMALS)
            else:
                row[lab] = "."
        rows.append(row)
    return pd.DataFrame(rows)


def youth_adult_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`youth_adult` as a table: measure and group by girls/women and boys/men."""
    rows = []
    for (measure, group, surv), g in table.groupby(["measure", "group", "survey"], sort=False):
        g = g.set_index("sex")
        row = {"Mått": {"halsa": "Mår bra / god hälsa", "who5": "Gott välbefinnande (WHO-5)"}[
            measure], "Grupp": group, "Undersökning": surv}
        for s, lab in (("kvinnor", "Flickor/kvinnor"), ("man", "Pojkar/män")):
            r = g.loc[s]
            row[lab] = _cell(r["value"], r["lower"], r["upper"], bool(r.get("suppressed", False)),
                             LAN_DECIMALS)
        rows.append(row)
    return pd.DataFrame(rows)


def kommun_display(table: pd.DataFrame, indicators: list[str] | tuple[str, ...]
                   ) -> pd.DataFrame:
    """:func:`by_kommun` (both sexes) as a wide table: kommun by indicator (share and CI)."""
    t = table[(table["sex"] == "totalt") & table["indicator_id"].isin(indicators)]
    rows = []
    for code in geo.KOMMUNER:
        g = t[t["area_code"] == code].set_index("indicator_id")
        row = {"Kommun": geo.KOMMUNER[code]}
        for ind in indicators:
            if ind in g.index:
                r = g.loc[ind]
                row[INDICATORS[ind]["short"]] = _cell(r["value"], r["lower"], r["upper"],
                                                      bool(r.get("suppressed", False)))
            else:
                row[INDICATORS[ind]["short"]] = "."
        g_n = g["n"].max() if len(g) else np.nan
        row["Svarande"] = "." if pd.isna(g_n) else text.num(g_n)  # hidden with the shares
        row["Årskurser med svar"] = g["grades"].iloc[0] if len(g) and "grades" in g else ".."
        rows.append(row)
    return pd.DataFrame(rows)


def school_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`suppress_schools` output as text: kommun, school year, school, pupils, respondents,
    response rate, share with interval (``.`` where suppressed)."""
    sup = _sup(table)

    def num(v, s):
        return "." if s or pd.isna(v) else text.num(v)

    return pd.DataFrame({
        "Kommun": table["area_name"].to_numpy(),
        "Årskurs": table["group"].to_numpy(),
        "Skola": table["school"].to_numpy(),
        "Elever": [num(v, s) for v, s in zip(table["enrolled"], sup, strict=True)],
        "Svarande": [num(v, s) for v, s in zip(table["respondents"], sup, strict=True)],
        "Svarsfrekvens": ["." if s or pd.isna(v) else text.share(v, 0)
                          for v, s in zip(table["response_rate"], sup, strict=True)],
        "Mår bra (95 % KI)": [_cell(v, lo, hi, s) for v, lo, hi, s in
                              zip(table["value"], table["lower"], table["upper"], sup,
                                  strict=True)],
    })


def school_pivot_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`suppress_schools` output as a compact page table: kommun and school by school year,
    each cell ``share (interval)``, ``.`` where suppressed, empty where the school has no such
    school year."""
    t = table.assign(cell=[_cell(v, lo, hi, s) for v, lo, hi, s in
                           zip(table["value"], table["lower"], table["upper"], _sup(table),
                               strict=True)])
    number = pd.to_numeric(t["school"].str.extract(r"(\d+)")[0], errors="coerce")
    t = t.assign(_order=np.where(t["is_total"], 10_000, number.fillna(0).astype(int)))
    wide = t.pivot_table(index=["area_code", "_order", "school"], columns="grade", values="cell",
                         aggfunc="first").reset_index().sort_values(["area_code", "_order"])
    out = pd.DataFrame({"Kommun": wide["area_code"].map(geo.KOMMUNER).to_numpy(),
                        "Skola": wide["school"].to_numpy()})
    for g in GRADES:
        out[GRADE_LABELS[g]] = wide[g].fillna("").to_numpy() if g in wide else ""
    return out


def trend_panels_input(table: pd.DataFrame, indicators: list[str] | tuple[str, ...]
                       ) -> tuple[pd.DataFrame, list[str], list[str]]:
    """:func:`trends` reshaped for :func:`analysis.present.health_plots.trend_panels`: one panel per
    indicator × school year (rows indicators, columns school years).

    Returns
    -------
    (pandas.DataFrame, list, list)
        The table with ``indicator_id`` = ``"<indicator>|<grade>"``, the panel ids in order and
        their titles.
    """
    t = table.assign(indicator_id=table["indicator_id"] + "|" + table["grade"])
    ids, titles = [], []
    for ind in indicators:
        for g in GRADES:
            ids.append(f"{ind}|{g}")
            titles.append(f"{INDICATORS[ind]['short']}, {GRADE_LABELS[g]}")
    return t, ids, titles


def bars_input(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`by_grade_sex` table for :func:`analysis.present.health_plots.sex_age_bars` (school years
    in the ``age`` column, both sexes only)."""
    t = table[(table["grade"] != ALL_GRADES) & (table["sex"] != "totalt")]
    return t.assign(age=t["grade"].map(GRADE_LABELS))


def for_csv(table: pd.DataFrame, synthetic: bool | None = None) -> pd.DataFrame:
    """A suppressed table for download (:func:`analysis.methods.surveytables.for_csv`: blanked cells as
    ``.``); with ``synthetic`` given, a last column ``data`` says whether the numbers come from
    synthetic or real Liv & hälsa ung data."""
    return surveytables.for_csv(table, None if synthetic is None else DATA_LABEL[bool(synthetic)])


DATA_LABEL = {True: "syntetiska data", False: "Liv & hälsa ung (mikrodata)"}


def school_csv(table: pd.DataFrame, synthetic: bool | None = None) -> pd.DataFrame:
    """The school table for download: anonymised (no school ids), suppressed figures as ``.``."""
    out = table.drop(columns=["school_id"], errors="ignore").copy()
    if synthetic is not None:
        out["data"] = DATA_LABEL[bool(synthetic)]
    surveytables.mark_suppressed(out, [c for c in SCHOOL_FIGURES if c in out], _sup(out))
    return out


def weighting_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`weighting_summary` as text columns for the page."""
    def fmt(v, f):
        return f(v) if pd.notna(v) else ".."

    return pd.DataFrame({
        "Omgång": summary["period"].astype(str),
        "Elever": [text.num(v) for v in summary["population"]],
        "Skolor som deltog": [f"{fmt(a, text.num)} av {fmt(b, text.num)}" for a, b in
                              zip(summary["participating_schools"], summary["schools"],
                                  strict=True)],
        "Svarande": [text.num(v) for v in summary["respondents"]],
        "Svarsfrekvens": [fmt(v, lambda x: text.share(x, 0)) for v in summary["response_rate"]],
        "Andel av eleverna": [text.share(v, 0) for v in summary["coverage"]],
        "Mår bra, ovägd": [text.share(v, 1) for v in summary["unweighted"]],
        "Mår bra, vägd (95 % KI)": [
            f"{text.share(v, 1)}{text.NBSP}({_interval(lo, hi, 1)})"
            for v, lo, hi in zip(summary["value"], summary["lower"], summary["upper"],
                                 strict=True)],
    })


def difference_display(table: pd.DataFrame, area_name: str,
                       synthetic: bool = False) -> pd.DataFrame:
    """The profile comparison as text: area, rest of the län, difference with interval, marker
    (:func:`analysis.methods.surveytables.difference_display`, rows in :data:`PROFILE_INDICATORS`
    order)."""
    return surveytables.difference_display(table, area_name, indicators=INDICATORS,
                                           sex_labels=SEX_LABELS, order=PROFILE_INDICATORS,
                                           verdict=not synthetic)


def profile_sentence(table: pd.DataFrame, area_name: str,
                     indicator: str = "good_wellbeing", synthetic: bool = False) -> str:
    """One sentence on a kommun's pupils against the rest of the län (both sexes; no
    significance verdict on synthetic data)."""
    hit = table[(table["indicator_id"] == indicator) & (table["sex"] == "totalt")]
    definition = INDICATORS[indicator]["definition"]
    if hit.empty or bool(hit.iloc[0].get("suppressed", False)) or pd.isna(hit.iloc[0]["value"]):
        return (f"För {area_name} finns för få svarande elever för att redovisa andelen som "
                f"{definition} (se röjandeskydd).")
    r = hit.iloc[0]
    scope = ""
    if r.get("grades", "alla") != "alla":
        have = r["grades"].split(", ")
        missing = [GRADE_LABELS[g] for g in GRADES if GRADE_LABELS[g] not in have]
        scope = (f"Inga elever i {' och '.join(missing)} i {area_name} svarade (deras skola "
                 f"deltog inte), så jämförelsen gäller {' och '.join(have)} i både kommunen och "
                 "övriga länet. ")
    return scope + (f"Andelen elever i {area_name} som {definition} är "
                    f"{_share(r['value_area'])}, " + surveytables.difference_text(r, not synthetic))


def key_indicators(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The chapter's key indicators for the edition comparison (:func:`analysis.present.publish.indicators`).

    Takes suppressed tidy tables and keeps rows for both sexes and all school years (län and
    kommuner) with their intervals, plus the two RUS indicators (good self-rated health in gy 2,
    a bright view of the future in åk 9, compared with 2017 in RTN:s verksamhetsplan 2020, 004);
    suppressed rows are left out.
    """
    t = pd.concat(tables, ignore_index=True)
    if "suppressed" in t:
        t = t[~t["suppressed"].astype(bool)]
    t = t[t["sex"] == "totalt"]
    grade = t["grade"] if "grade" in t else pd.Series(ALL_GRADES, index=t.index)
    grade = grade.fillna(ALL_GRADES)
    main = t[grade == ALL_GRADES]
    rus = t[((t["indicator_id"] == "good_wellbeing") & (grade == "gy2"))
            | ((t["indicator_id"] == "pf_future") & (grade == "ak9"))]
    rows = [pd.DataFrame({
        "indicator_id": "lhu_" + main["indicator_id"],
        "indicator": main["indicator_id"].map(lambda i: INDICATORS[i]["label"]
                                              + ", elever (Liv & hälsa ung)"),
        "area_code": main["area_code"].astype(str), "period": main["period"].astype(str),
        "value": main["value"], "lower": main["lower"], "upper": main["upper"],
        "unit": surveytables.SHARE})]
    if len(rus):
        rg = grade[rus.index]
        rows.append(pd.DataFrame({
            "indicator_id": "lhu_rus_" + rg + "_" + rus["indicator_id"],
            "indicator": [f"{INDICATORS[i]['label']}, {GRADE_LABELS[g]} (RUS-indikator)"
                          for i, g in zip(rus["indicator_id"], rg, strict=True)],
            "area_code": rus["area_code"].astype(str), "period": rus["period"].astype(str),
            "value": rus["value"], "lower": rus["lower"], "upper": rus["upper"],
            "unit": surveytables.SHARE}))
    return (pd.concat(rows, ignore_index=True)
            .drop_duplicates(["indicator_id", "area_code"]).reset_index(drop=True))


value = surveytables.value


def sex_summary(main: pd.DataFrame, indicators: tuple[str, ...] = ("good_wellbeing", "worry_often")
                ) -> dict[str, str]:
    """Formatted shares per indicator and sex (all school years) for the chapter's prose,
    keyed ``<indicator>_<sex>``."""
    return {f"{ind}_{sex}": fmt_share(value(main, indicator_id=ind, sex=sex, grade="alla")["value"])
            for sex in ("kvinnor", "man") for ind in indicators}
