"""Tests for analysis.chapters.youth: indicators, the census weighting, the chapter's tables and their
disclosure control.

The dose–response is recovered twice: from a hand-made round with a known curve, and from a
synthetic round against the generator's own population curve. The weighting tests check that the
post-stratified weights add up to the pupil population in every cell (also when cells must be
collapsed because schools stayed out). The disclosure tests build every table with a threshold
high enough to suppress many cells and check that no value of a cell under the threshold
survives, in the table, in its CSV and in the figure data; for the school table, that no
school-level figure of a school under the threshold is published and that a single suppressed
school cannot be recovered from its kommun's total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _survey_fixtures import check_no_value_under, scaled

from analysis.chapters import health, youth
from analysis.contracts import ung_contract
from analysis.core import diskcache, geo
from analysis.inputs import liv_och_halsa_ung
from analysis.methods import frames, survey
from analysis.present import codebook, publish
from analysis.synthetic import synth_survey as ss
from analysis.synthetic import synth_ung as su

T = 30


@pytest.fixture(scope="module")
def frame17(inputs):
    return frames.cohort_frame(*inputs, 2017)


@pytest.fixture(scope="module")
def round17(frame17):
    return su.generate_round(2017, frame17, 20191231)


@pytest.fixture(scope="module")
def des17(round17, frame17):
    return youth.survey_design(youth.prepare(round17.pupils), frame17)


@pytest.fixture(scope="module")
def small(frame17):
    """A round of a quarter of the pupils: many cells fall under the thresholds."""
    f = scaled(frame17, 0.25)
    r = su.generate_round(2017, f, 5)
    return r, f, youth.survey_design(youth.prepare(r.pupils), f)


def _hand_round(n_per_cell: int = 3) -> pd.DataFrame:
    """Pupils with hand-set answers: every kommun × grade × sex, the first rows known."""
    rows = [(k, g, s) for k in geo.KOMMUNER for g in ung_contract.GRADES
            for s in ("kvinnor", "man") for _ in range(n_per_cell)]
    d = pd.DataFrame(rows, columns=["kommun", "grade", "sex"])
    d.insert(0, "resp_id", [f"r{i}" for i in range(len(d))])
    d.insert(1, "year", 2017)
    d["school"] = d["kommun"] + "-S"
    for v in ung_contract.VARIABLES:
        if v.kind == "code":
            d[v.name] = min(v.labels)
    for item in ung_contract.WHO5_ITEMS:
        d[item] = d[item].astype(float).where(d["grade"] != "ak7")
    return d


class TestPrepare:
    def test_indicators(self):
        d = _hand_round()
        d.loc[0, ["school_wellbeing", "home_wellbeing", "future"]] = [3, 5, 4]
        d.loc[1, "trust_parents"] = np.nan
        d.loc[2, ["general_wellbeing", "worry", "family_finances", "smoking"]] = [3, 4, 2, 4]
        d.loc[3, "physical_activity"] = 7
        d.loc[4, ["safety_public", "association"]] = [3, 1]
        p = youth.prepare(ung_contract.validate_round(d))
        assert p.loc[0, "pf_count"] == 2 and p.loc[0, "pf_4plus"] == 0
        assert np.isnan(p.loc[1, "pf_count"]) and pd.isna(p.loc[1, "pf_group"])
        assert p.loc[3, "pf_group"] == "5" and p.loc[3, "active_daily"] == 1
        assert p.loc[2, ["good_wellbeing", "worry_often", "finance_worry", "daily_smoker"]
                     ].tolist() == [0, 1, 1, 1]
        assert p.loc[4, "safe_public"] == 0 and p.loc[4, "association_member"] == 1
        assert p.loc[0, "feel_good_daily"] == 1
        assert np.isnan(p.loc[0, "who5_good"])  # åk 7: not asked
        assert p.loc[0, "stratum"] == "1814-ak7" and p.loc[0, "forbund"] == "LO"


class TestWeightingCells:
    def test_poststratified_totals_equal_the_population(self, frame17):
        r = su.generate_round(2017, frame17, 4, full_response=True)
        r.pupils = r.pupils.sample(frac=0.7, random_state=1)  # pupil non-response only
        des = youth.survey_design(youth.prepare(r.pupils), frame17)
        w = pd.Series(des.weights, index=des.data.index)
        got = w.groupby([des.data["kommun"], des.data["grade"], des.data["sex"]]).sum()
        want = youth.cell_population(frame17)
        assert np.allclose(got.reindex(want.index).to_numpy(), want.to_numpy())
        _, _, report = youth.weighting_cells(des.data, frame17)
        assert (report["level"] == "kommun×kön").all()

    def test_shipped_round_every_cell_totals_its_population(self, des17, frame17):
        cells, pop, report = youth.weighting_cells(des17.data, frame17)
        w = pd.Series(des17.weights).groupby(cells).sum()
        assert np.allclose(w.reindex(pop.index).to_numpy(), pop.to_numpy())
        assert np.isclose(w.sum(), frame17["population"].sum())
        # a school that stayed out leaves its kommun × school year to the förbund's cells
        assert set(report["level"]) <= {"kommun×kön", "kommun", "förbund×kön", "förbund"}

    def test_cells_collapse_when_schools_stay_out(self, round17, frame17):
        p = youth.prepare(round17.pupils)
        gone = (p["kommun"] == "1864") & (p["grade"] == "ak7")  # Ljusnarsberg's åk 7 absent
        few = (p["kommun"] == "1860") & (p["grade"] == "ak9") & (p["sex"] == "kvinnor")
        drop = gone | (few & (few.cumsum() > 2))  # two girls left in Laxå's åk 9
        d = p[~drop].reset_index(drop=True)
        cells, pop, report = youth.weighting_cells(d, frame17)
        lev = report.set_index(["kommun", "grade"])["level"]
        assert lev[("1860", "ak9")] == "kommun"
        assert lev[("1864", "ak7")] == "förbund×kön" and lev[("1885", "ak7")] == "förbund×kön"
        assert lev[("1880", "ak7")] == "kommun×kön"
        des = youth.survey_design(d, frame17)
        w = pd.Series(des.weights)
        assert np.isclose(w.sum(), frame17["population"].sum())
        by_cell = w.groupby(cells).sum()
        assert np.allclose(by_cell.reindex(pop.index).to_numpy(), pop.to_numpy())

    def test_a_school_year_without_respondents_is_refused(self, round17, frame17):
        p = youth.prepare(round17.pupils)
        with pytest.raises(ValueError, match="gy 2"):
            youth.weighting_cells(p[p["grade"] != "gy2"], frame17)


class TestSurveyDesign:
    def test_producer_weight_and_fpc(self, round17, frame17, des17):
        p = youth.prepare(round17.pupils).assign(weight=2.0)
        des = youth.survey_design(p, frame17)
        assert np.allclose(des.weights, 2.0)
        with_fpc = youth.survey_design(youth.prepare(round17.pupils), frame17, fpc=True)
        a = des17.proportion("good_wellbeing").iloc[0]
        b = with_fpc.proportion("good_wellbeing").iloc[0]
        assert a["value"] == pytest.approx(b["value"]) and b["se"] < 0.7 * a["se"]

    def test_respondents_outside_the_population_table(self, round17, frame17):
        p = youth.prepare(round17.pupils)
        with pytest.raises(ValueError, match="no pupils"):
            youth.survey_design(p, frame17[frame17["kommun"] != "1814"])


class TestDoseResponse:
    CURVE = np.array([0.20, 0.35, 0.50, 0.60, 0.70, 0.85])

    def test_known_curve_recovered(self, round17, frame17):
        rng = np.random.default_rng(42)
        d = round17.pupils.copy()
        n = len(d)
        K = rng.integers(0, 6, n)
        order = np.argsort(rng.random((n, 5)), axis=1)  # which factors are present
        for j, item in enumerate(ung_contract.PROTECTIVE_ITEMS):
            present = (order[:, j] < K)
            d[item] = pd.array(np.where(present, 1, 4), dtype="Int8")
        d["feel_good"] = pd.array(np.where(rng.random(n) < self.CURVE[K], 1, 3), dtype="Int8")
        des = youth.survey_design(youth.prepare(d), frame17)
        t = youth.dose_response(des, 2017)
        assert t["indicator_id"].eq("feel_good_daily").all()
        for sex in ("kvinnor", "man", "totalt"):
            s = t[t["sex"] == sex].sort_values("factors")
            assert s["factors"].tolist() == list(range(6))
            z = np.abs(s["value"].to_numpy() - self.CURVE) / s["se"].to_numpy()
            assert (z < 3.5).all(), (sex, z)
        tot = t[t["sex"] == "totalt"]
        assert ((tot["lower"] <= self.CURVE) & (self.CURVE <= tot["upper"])).sum() >= 5

    def test_generator_curve_recovered(self, frame17):
        r = su.generate_round(2017, frame17, 77, full_response=True)
        des = youth.survey_design(youth.prepare(r.pupils), frame17)
        est = youth.dose_response(des, 2017)
        true = su.true_dose_response(frame17, 2017, replicates=4)
        for sex in ("kvinnor", "man", "totalt"):
            e = est[est["sex"] == sex].set_index("factors")
            tr = true[true["sex"] == sex].set_index("factors")["value"]
            z = (e["value"] - tr).abs() / e["se"]
            assert (z < 3.5).all(), (sex, z.round(2).to_dict())
        tot = est[est["sex"] == "totalt"].sort_values("factors")["value"]
        assert tot.is_monotonic_increasing

    def test_falls_back_without_the_feel_good_question(self, round17, frame17):
        d = round17.pupils.drop(columns="feel_good")
        des = youth.survey_design(youth.prepare(d), frame17)
        assert youth.dose_response(des, 2017)["indicator_id"].eq("good_wellbeing").all()


class TestTables:
    def test_by_grade_sex(self, des17):
        t = youth.by_grade_sex(des17, ["good_wellbeing", "who5_good"], 2017)
        assert list(t.columns[:6]) == ["indicator_id", "area_code", "area_type", "period", "sex",
                                       "group"]
        assert list(t.columns[6:14]) == survey.STAT_COLUMNS
        w5 = t[t["indicator_id"] == "who5_good"]
        assert "ak7" not in set(w5["grade"]) and len(t[t["indicator_id"] == "good_wellbeing"]) == 12
        g = youth.value(t, indicator_id="good_wellbeing", grade="gy2", sex="kvinnor")
        b = youth.value(t, indicator_id="good_wellbeing", grade="gy2", sex="man")
        assert g["value"] < b["value"]
        # the gap of the shown (whole per cent) shares, so the text agrees with the table
        assert youth.sex_gap(t, "good_wellbeing", "gy2") == pytest.approx(
            (round(100 * b["value"]) - round(100 * g["value"])) / 100)

    def test_trends_skip_unasked_questions(self, inputs):
        rounds = {y: su.generate_round(y, frames.cohort_frame(*inputs, y), 3)
                  for y in (2005, 2017)}
        designs = {y: youth.survey_design(youth.prepare(r.pupils),
                                          frames.cohort_frame(*inputs, y))
                   for y, r in rounds.items()}
        tr = youth.trends(designs, ["active_daily", "daily_smoker"])
        assert set(tr.loc[tr["indicator_id"] == "active_daily", "period"]) == {2017}
        assert set(tr.loc[tr["indicator_id"] == "daily_smoker", "period"]) == {2005, 2017}

    def test_finance_worry_and_odds_ratios(self, des17):
        f = youth.by_finance_worry(des17, 2017)
        yes = youth.value(f, indicator_id="good_wellbeing", sex="totalt", finance_worry=1)
        no = youth.value(f, indicator_id="good_wellbeing", sex="totalt", finance_worry=0)
        assert yes["upper"] < no["lower"]
        o = youth.odds_ratios(des17, 2017).set_index("term")
        assert (o.loc[list(youth.PROTECTIVE), "lower"] > 1).all()
        assert o.loc["finance_worry", "upper"] < 1
        assert (o["n_category"] + o["n_reference"] <= des17.n).all()
        assert o["value_mutual"].notna().all()

    def test_youth_adult(self, des17, inputs):
        frame = frames.population_frame(*inputs, 2017)
        r = ss.generate_round(2017, frame, 5, alloc={k: 150 for k in geo.KOMMUNER})
        adult = health.survey_design(health.prepare(r), frame)
        t = youth.youth_adult(des17, adult, 2017, 2017)
        assert len(t[t["population"] == "unga"]) == 6 + 4
        assert set(t.loc[t["population"] == "vuxna", "group"]) == {"18–29 år", "18 år och äldre"}
        assert len(youth.youth_adult_display(t)) == 5 + 4

    def test_weighting_summary(self, round17, frame17, des17):
        rounds = liv_och_halsa_ung.YouthRounds({2017: round17})
        rounds.frames = {2017: frame17}
        ws = youth.weighting_summary(rounds, {2017: des17})
        r = ws.iloc[0]
        assert r["respondents"] == len(round17.pupils) and r["population"] == 9678
        assert 0.7 < r["response_rate"] < 0.9 and r["collapsed"] >= 0
        assert len(youth.weighting_display(ws)) == 1

    def test_compare_with_rest(self, round17, frame17, des17):
        p = youth.prepare(round17.pupils)
        c = youth.compare_with_rest(p, frame17, "1880", youth.PROFILE_INDICATORS, 2017)
        assert len(c) == len(youth.PROFILE_INDICATORS) * 3
        r = youth.value(c, indicator_id="good_wellbeing", sex="totalt")
        assert r["value"] == pytest.approx(r["value_area"] - r["value_rest"])
        assert r["n"] == ((p["kommun"] == "1880") & p["good_wellbeing"].notna()).sum()
        gone = youth.compare_with_rest(p[p["kommun"] != "1864"], frame17, "1864",
                                       ["good_wellbeing"], 2017)
        s = health.suppress(gone, T, counts=("n", "n_rest"))
        assert (gone["n"] == 0).all()
        assert s["suppressed"].all() and s["n"].isna().all()  # respondents hidden too
        assert "för få svarande" in youth.profile_sentence(s, "Ljusnarsberg")
        no_gy = p[~((p["kommun"] == "1863") & (p["grade"] == "gy2"))]
        part = youth.compare_with_rest(no_gy, frame17, "1863", ["good_wellbeing"], 2017)
        assert (part["grades"] == "åk 7, åk 9").all()
        assert part["n_rest"].max() < ((p["kommun"] != "1863") & p["good_wellbeing"].notna()).sum()
        sent = youth.profile_sentence(health.suppress(part, T, counts=("n", "n_rest")), "Hällefors")
        assert "Inga elever i gy 2" in sent and "gäller åk 7 och åk 9" in sent
        ok = health.suppress(c, T, counts=("n", "n_rest"))
        assert "Örebro" in youth.profile_sentence(ok, "Örebro")
        assert len(youth.difference_display(ok, "Örebro")) == len(c)


@pytest.fixture(scope="module")
def tables(small):
    """Every table builder of the chapter and the profile, on the small round (unsuppressed)."""
    r, f, des = small
    return {
        "grade_sex": (youth.by_grade_sex(des, ["good_wellbeing", "who5_good"], 2017), ("n",)),
        "dose": (youth.dose_response(des, 2017), ("n",)),
        "finance": (youth.by_finance_worry(des, 2017), ("n",)),
        "kommun": (youth.by_kommun(des, ["good_wellbeing", "pf_4plus"], 2017), ("n",)),
        "trend": (youth.trends({2017: des}, ["daily_smoker", "worry_often"]), ("n",)),
        "odds": (youth.odds_ratios(des, 2017), ("n_category", "n_reference")),
        "profile": (youth.compare_with_rest(youth.prepare(r.pupils), f, "1864",
                                            youth.PROFILE_INDICATORS, 2017), ("n", "n_rest")),
    }


class TestSuppress:
    """No estimate under the threshold reaches a table, a CSV file or a figure's data."""

    THRESHOLD = 60

    def test_no_value_under_the_threshold(self, tables, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("ANALYSIS_NB_STEM", "t")
        check_no_value_under(tables, self.THRESHOLD, health.suppress, youth.for_csv)

    def test_displays_show_a_dot(self, tables):
        d = health.suppress(tables["dose"][0], 10_000)
        assert (youth.dose_display(d).drop(columns=["Antal skyddsfaktorer", "Svarande"])
                == ".").all().all()
        g = health.suppress(tables["grade_sex"][0], 10_000)
        shown = youth.grade_sex_display(g, ["good_wellbeing", "who5_good"])
        assert (shown[["Flickor", "Pojkar", "Totalt"]] == ".").all().all()
        o = health.suppress(tables["odds"][0], 10_000, counts=("n_category", "n_reference"))
        assert (youth.odds_display(o)["Justerad för kön och årskurs"] == ".").all()
        f = health.suppress(tables["finance"][0], 10_000)
        assert (youth.finance_display(f).drop(columns=["Indikator", "Kön"]) == ".").all().all()
        k = health.suppress(tables["kommun"][0], 10_000)
        shown = youth.kommun_display(k, ["good_wellbeing", "pf_4plus"])
        assert (shown.drop(columns=["Kommun", "Svarande", "Årskurser med svar"]) == ".").all().all()


class TestSchoolTable:
    def test_no_school_level_figure_under_the_threshold(self, small, tmp_path, monkeypatch):
        r, _, des = small
        t = youth.suppress_schools(youth.school_table(des, r.schools, 2017), T)
        raw = youth.school_table(des, r.schools, 2017)
        under = (raw["respondents"] < T).to_numpy()
        assert under.sum() > 5 and (~under).sum() > 5  # both kinds exist in the small round
        figures = [c for c in youth.SCHOOL_FIGURES if c in t]
        assert t.loc[under, figures].isna().all().all()
        assert t.loc[t["suppressed"], figures].isna().all().all()
        # complementary suppression: never exactly one hidden school beside a shown total
        for _, g in t.groupby(["area_code", "grade"]):
            sch, tot = g[~g["is_total"]], g[g["is_total"]]
            if len(sch) > 1 and not tot["suppressed"].all():
                assert sch["suppressed"].sum() != 1
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("ANALYSIS_NB_STEM", "t")
        csv = codebook.read(publish.write_csv(youth.school_csv(t, True), "skolor",
                                              kind="syntetisk"))
        hidden = csv["rad"].isin(np.flatnonzero(t["suppressed"].to_numpy()) + 1).to_numpy()
        assert hidden.any() and (csv.loc[hidden, "undertryckt"] == "ja").all()
        assert csv.loc[hidden, ["värde", "nedre", "övre", "antal_svarande"]].isna().all().all()
        assert not csv["indelning"].fillna("").str.contains(r"skola: [^;]*-").any()
        page = youth.school_pivot_display(t)
        cells = page.drop(columns=["Kommun", "Skola"]).to_numpy().ravel()
        assert (cells == ".").sum() == int(t["suppressed"].sum())

    def test_one_small_school_is_protected_by_a_second(self):
        t = pd.DataFrame({
            "area_code": "1880", "grade": "ak9", "school": ["Skola 1", "Skola 2", "Skola 3",
                                                             "Kommunen totalt"],
            "is_total": [False, False, False, True], "respondents": [12, 80, 50, 142],
            "enrolled": [15, 90, 60, 165], "response_rate": [0.8, 0.89, 0.83, 0.86],
            "value": [0.7, 0.8, 0.75, 0.78], "lower": 0.6, "upper": 0.9, "se": 0.02,
            "n": [12, 80, 50, 142]})
        s = youth.suppress_schools(t, T)
        assert s["suppressed"].tolist() == [True, False, True, False]
        assert s["note"].iloc[2] == "skyddar en annan skola"
        assert np.isnan(s.loc[2, "respondents"]) and np.isnan(s.loc[0, "enrolled"])


class TestLoadRounds:
    def test_synthetic_by_default_and_cached(self, inputs, tmp_path, monkeypatch):
        monkeypatch.delenv(liv_och_halsa_ung.ENV_MICRODATA, raising=False)
        monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
        r = liv_och_halsa_ung.load_rounds(2015, 3, *inputs, latest=True,
                                          cache_root=tmp_path / "c")
        assert r.synthetic and list(r) == [2014] and 2014 in r.frames
        assert r[2014].info["population_year"] == 2013
        with pytest.raises(ValueError, match="no Liv & hälsa ung round"):
            liv_och_halsa_ung.load_rounds(2004, 3, *inputs, cache_root=tmp_path / "c")
        assert liv_och_halsa_ung.latest_round(2019) == 2017
        assert liv_och_halsa_ung.latest_round(2021) == 2021

    def test_real_files_through_the_environment_and_the_private_folder(self, inputs, tmp_path,
                                                                       monkeypatch):
        monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
        monkeypatch.delenv(liv_och_halsa_ung.ENV_MICRODATA, raising=False)
        assert liv_och_halsa_ung.microdata_source() is None
        folder = tmp_path.joinpath(*liv_och_halsa_ung.PRIVATE_FOLDER)
        folder.mkdir(parents=True)
        (folder / "README.txt").write_text("no rounds yet")
        assert liv_och_halsa_ung.microdata_source() is None
        f = frames.cohort_frame(*inputs, 2017)
        f = f.assign(population=(f["population"] * 0.2).round().astype(int))
        rnd = su.generate_round(2017, f, 9)
        ung_contract.write_round(rnd.pupils, folder / "liv_och_halsa_ung_2017.sav")
        ung_contract.write_schools(rnd.schools, folder / "skolor_2017.csv")
        assert liv_och_halsa_ung.microdata_source() == str(folder)
        r = liv_och_halsa_ung.load_rounds(2019, 3, *inputs)
        assert not r.synthetic and list(r) == [2017] and r[2017].schools is not None
        assert len(r[2017].pupils) == len(rnd.pupils)
        monkeypatch.setenv(liv_och_halsa_ung.ENV_MICRODATA, str(tmp_path / "elsewhere"))
        assert liv_och_halsa_ung.microdata_source() == str(tmp_path / "elsewhere")
        assert liv_och_halsa_ung.microdata_source("x") == "x"


class TestKeyIndicators:
    def test_all_grades_and_the_rus_indicators(self, des17):
        t = health.suppress(youth.by_grade_sex(des17, ["good_wellbeing", "pf_future"], 2017), T)
        k = health.suppress(youth.by_kommun(des17, ["good_wellbeing"], 2017), T)
        out = youth.key_indicators([t, k])
        ids = set(out["indicator_id"])
        assert {"lhu_good_wellbeing", "lhu_pf_future", "lhu_rus_gy2_good_wellbeing",
                "lhu_rus_ak9_pf_future"} <= ids
        assert set(out.loc[out["indicator_id"] == "lhu_good_wellbeing", "area_code"]) == {
            geo.LAN_KOD, *geo.KOMMUNER}
        assert (out["unit"] == "andel_enkat").all() and out["value"].between(0, 1).all()


class TestTargetsTable:
    def test_every_target_is_shown_as_an_assumption(self):
        t = liv_och_halsa_ung.targets_table()
        assert len(t) == len(su.TARGETS) and set(t["Status"]) <= {"antagande", "påhittad form"}


class TestGeneratorFacts:
    def test_formatted_constants(self):
        f = liv_och_halsa_ung.generator_facts()
        assert f["rounds"] == "2005, 2008, 2011, 2014, 2017 och 2021"
        assert f["school_participation"] == "95" and f["pupil_response"] == "76–88"


class TestSexSummary:
    def test_keys_and_formatting(self):
        import pandas as pd

        rows = [{"indicator_id": i, "sex": s, "grade": "alla", "value": v}
                for i in ("good_wellbeing", "worry_often") for s, v in (("kvinnor", 0.5), ("man", 0.6))]
        out = youth.sex_summary(pd.DataFrame(rows))
        assert set(out) == {"good_wellbeing_kvinnor", "good_wellbeing_man", "worry_often_kvinnor",
                            "worry_often_man"}
        assert all(isinstance(v, str) for v in out.values())


class TestProtectedComparisons:
    def test_every_kommun_and_the_cache(self, small, tmp_path, monkeypatch):
        """All kommuner's comparisons, equal to :func:`compare_with_rest` where shown; the
        cached tables are the same."""
        r, f, _ = small
        p = youth.prepare(r.pupils)
        t = youth.protected_comparisons(p, f, 2017, 60)
        assert list(dict.fromkeys(t["area_code"])) == list(geo.KOMMUNER)
        one = youth.compare_with_rest(p, f, "1880", ["good_wellbeing"], 2017)
        mine = t[(t["area_code"] == "1880") & (t["indicator_id"] == "good_wellbeing")]
        shown = ~mine["suppressed"].to_numpy()
        assert np.allclose(mine["value_area"].to_numpy()[shown],
                           one["value_area"].to_numpy()[shown])
        hidden = t[t["suppressed"]]
        assert hidden[["value_area", "value_rest", "n", "n_rest"]].isna().all().all()
        assert (t.loc[~t["suppressed"], "n"] >= 60).all()
        assert (t.loc[~t["suppressed"], "n_rest"] >= 60).all()
        monkeypatch.setattr(diskcache, "default_root", lambda name: tmp_path / name)
        pd.testing.assert_frame_equal(youth.cached_comparisons(p, f, 2017, 60), t)
