"""chapters.profiles: Kommunen i korthet (overview, synthetic rows, similar kommuner, key facts)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.chapters import livsvillkor as lvc
from analysis.chapters import profiles
from analysis.core import geo
from analysis.inputs import livsvillkor
from analysis.methods import livsvillkor as lv
from analysis.sources import catalog


@pytest.fixture(scope="module")
def data():
    return livsvillkor.load()


@pytest.fixture(scope="module")
def overview(data):
    return profiles.kommun_overview(data.indicators, "1863", 2019)


class TestKommunOverview:
    def test_columns_and_measured_rows(self, overview):
        assert list(overview.columns) == profiles.OVERVIEW_COLUMNS
        assert not overview["synthetic"].any()
        assert len(overview) >= 15

    @pytest.mark.parametrize("code", list(geo.KOMMUNER))
    def test_at_least_ten_tested_against_riket(self, data, code):
        o = profiles.kommun_overview(data.indicators, code, 2019)
        tested = o[(o["benchmark"] == "riket") & ~o["verdict"].isin(["ej_provad", "saknas"])]
        assert len(tested) >= 10

    def test_every_colour_follows_from_the_values(self, overview):
        for r in overview.itertuples():
            v = lv.verdict(r.value, r.lower, r.upper, r.lower_998, r.upper_998,
                           r.benchmark_value, r.polarity)
            assert r.verdict == v and r.colour == profiles.VERDICTS[v][1]

    def test_known_values_for_hallefors(self, overview):
        o = overview.set_index("indicator_id")
        assert o.loc["utrikes_fodda", "period"] == 2023
        assert o.loc["utrikes_fodda", "value"] == pytest.approx(0.1983, abs=1e-4)
        assert o.loc["arbetslosa_program", "verdict"] == "samre_998"
        assert o.loc["arbetslosa_program", "rank_text"] == "högst av länets 12 kommuner"

    def test_range_contains_the_kommun(self, overview):
        assert ((overview["kommun_min"] <= overview["value"])
                & (overview["value"] <= overview["kommun_max"])).all()

    def test_unknown_kommun(self, data):
        with pytest.raises(KeyError):
            profiles.kommun_overview(data.indicators, "0180", 2019)


class TestSyntheticOverviewRows:
    def test_grey_without_verdict_or_rank(self, data):
        health = pd.DataFrame({"indicator_id": ["good_health", "good_health"],
                               "sex": ["totalt", "kvinnor"], "value_area": [0.7, 0.68],
                               "value_rest": [0.72, 0.7]})
        s = profiles.synthetic_overview_rows("1863", 2019, {"kommun": {"value": 0.12},
                                                            "rest": {"value": 0.1}}, health,
                                             None, profiles.synthetic_labels(),
                                             data.riket_children)
        assert len(s) == 2 and s["synthetic"].all()
        assert set(s["verdict"]) == {"syntetisk"} and set(s["colour"]) == {"#9e9e9e"}
        assert (s["rank_text"] == "").all()
        child = s.set_index("indicator_id").loc["barn_ekonomiskt_utsatta"]
        assert child["riket_value"] == pytest.approx(0.091)

    def test_nothing_synthetic(self):
        s = profiles.synthetic_overview_rows("1863", 2019)
        assert s.empty and list(s.columns) == profiles.OVERVIEW_COLUMNS


class TestSimilarKommuner:
    def test_three_others(self, data):
        s = profiles.similar_kommuner(data.indicators, "1863", 2019)
        assert len(s) == 3 and "1863" not in s and set(s) <= set(geo.KOMMUNER)
        assert "1880" not in s  # Örebro is nothing like Hällefors

    def test_links(self):
        md = profiles.compare_links(["1864", "1860"])
        assert "{doc}`Ljusnarsberg <profil_kommun__area_1864>`" in md
        assert profiles.SIMILARITY_TEXT in md


class TestKeyFacts:
    def test_rank_and_foreign_born(self, data, overview):
        seeds = lvc.seed_foreign_born(data.indicators, catalog.load("seed_figures"))
        f = profiles.key_facts("Hällefors", "1863", 7013, 10, 2019, overview, seeds)
        assert "tredje minst av länets 12 kommuner" in f[0]
        assert "förstudien angav 22" in f[1]
        assert f[2].startswith("Av ")


class TestFullOverview:
    def test_concatenates(self, overview):
        syn = profiles.synthetic_overview_rows("1863", 2019, {"kommun": {"value": 0.1},
                                                              "rest": {"value": 0.1}})
        full = profiles.full_overview(overview, syn)
        assert len(full) == len(overview) + 1 and bool(full["synthetic"].iloc[-1])
        assert full["rank_text"].iloc[-1] == ""


class TestSyntheticLabels:
    def test_health_and_youth(self):
        lab = profiles.synthetic_labels()
        assert lab["good_health"] == "God självskattad hälsa" and len(lab) >= 10
