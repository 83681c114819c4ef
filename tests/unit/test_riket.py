"""chapters.riket: the 21 län, a kommun against its län, riket and its kommungrupp, the index."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.chapters import profiles, riket
from analysis.core import geo
from analysis.methods import national, population
from analysis.sources import catalog


def _tables():
    return (catalog.load("folkmangd_kommun_riket"), catalog.load("kolada_befolkning_riket"),
            catalog.load("kommunkoder"), catalog.load("skr_kommungrupp"),
            catalog.load("lankoder"), catalog.load("folkmangd_lan_alder_kon_riket"))


@pytest.fixture(scope="module")
def tables():
    return _tables()


@pytest.fixture(scope="module")
def data(tables):
    return riket.prepare(*tables)


@pytest.fixture(scope="module")
def lan19(data):
    return riket.lan_comparison(data, 2019, 2009)


@pytest.fixture(scope="module")
def lan15(data):
    return riket.lan_comparison(data, 2015, 2005)


class TestPrepare:
    def test_290_kommuner_in_21_lan_with_a_kommungrupp(self, data):
        assert len(data.kommuner) == 290 and data.kommuner["kommun_kod"].is_unique
        assert len(data.lan) == 21
        assert data.kommuner["kommungrupp_kod"].between(1, 9).all()
        assert data.kommun_namn("1880") == "Örebro"
        assert data.last_lan_age_year == 2015
        assert set(data.kommuner.loc[data.kommuner["lan_kod"] == geo.LAN_KOD, "kommun_kod"]) \
            == set(geo.KOMMUNER)

    def test_a_kommun_without_kommungrupp_is_refused(self, tables):
        t = list(tables)
        t[3] = t[3][t[3]["kommun_kod"] != "0114"]
        with pytest.raises(ValueError, match=r"kommungrupp.*missing \['0114'\]"):
            riket.prepare(*t)

    def test_an_unknown_lan_is_refused(self, tables):
        t = list(tables)
        t[4] = t[4][t[4]["county_code"] != "25"]
        with pytest.raises(ValueError, match=r"unknown län \['25'\]"):
            riket.prepare(*t)

    def test_unknown_kommun_code(self, data):
        with pytest.raises(KeyError, match="290"):
            data.kommun_namn("9999")


class TestLanComparison:
    def test_21_lan_and_riket_adding_up(self, lan19):
        assert len(lan19) == 22 and lan19["area_type"].tolist().count("lan") == 21
        body, rik = lan19[lan19["area_type"] == "lan"], lan19[lan19["area_type"] == "riket"].iloc[0]
        for col in ("folkmangd_2009", "folkmangd_2019", "forandring"):
            assert body[col].sum() == rik[col], col
        assert rik["folkmangd_2019"] == 10_327_589  # SCB: Sveriges folkmängd 31 december 2019
        assert rik["area_code"] == "00"

    def test_orebro_lan_as_the_regional_book_has_it(self, lan19, data):
        """The län's figures equal those of the regional chapter's own code path."""
        o = lan19.set_index("area_code").loc[geo.LAN_KOD]
        kolada = catalog.load("kolada_befolkning")
        lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada, 2019)
        dep = population.dependency_series(lan).set_index("ar").loc[2019]
        assert o["folkmangd_2019"] == dep["total"] == 304_805
        assert o["forsorjningskvot"] == pytest.approx(dep["forsorjningskvot"], abs=1e-9)
        assert o["andel_65"] == pytest.approx(dep["andel_65"], abs=1e-12)

    def test_lan_is_the_sum_of_its_kommuner(self, lan19, data):
        idx = riket.kommun_index_table(data, 2019, 2009)
        sums = idx.groupby("lan_kod")["folkmangd_2019"].sum()
        body = lan19[lan19["area_type"] == "lan"].set_index("area_code")
        assert (sums.sort_index() == body["folkmangd_2019"].sort_index()).all()
        assert sums.loc[geo.LAN_KOD] == idx.loc[idx["kommun_kod"].isin(geo.KOMMUNER),
                                                "folkmangd_2019"].sum()

    def test_sources_by_year(self, lan19, lan15):
        assert (lan19["kalla"] == riket.SOURCE_KOLADA).all() and lan19["andel_80"].isna().all()
        assert (lan15["kalla"] == riket.SOURCE_LAN_AGES).all()
        assert lan15["andel_80"].between(0.03, 0.08).all()

    def test_the_two_age_sources_agree(self, data, lan15):
        """2015 from SCB's län ages and from Kolada's kommun shares: the same ratios."""
        no_lan_ages = riket.NationalData(data.kommuner, data.lan, data.totals, data.ages, None)
        k15 = riket.lan_comparison(no_lan_ages, 2015, 2005).set_index("area_code")
        s15 = lan15.set_index("area_code")
        assert (k15["kalla"] == riket.SOURCE_KOLADA).all()
        assert (k15["forsorjningskvot"] - s15["forsorjningskvot"]).abs().max() < 0.05
        assert (k15["andel_65"] - s15["andel_65"]).abs().max() < 1e-4

    def test_ranks(self, lan19):
        body = lan19[lan19["area_type"] == "lan"].set_index("area_code")
        assert sorted(body["rang_folkmangd"]) == list(range(1, 22))
        assert body.loc["01", "rang_folkmangd"] == 1  # Stockholms län
        assert body["forsorjningskvot"].idxmax() == body["rang_forsorjningskvot"].idxmin()
        assert lan19.loc[lan19["area_type"] == "riket", "rang_folkmangd"].isna().all()

    def test_years_outside_the_data(self, data):
        with pytest.raises(ValueError, match="no kommun population for 2020"):
            riket.lan_comparison(data, 2020, 2009)
        with pytest.raises(ValueError, match="must be before"):
            riket.lan_comparison(data, 2009, 2019)
        with pytest.raises(ValueError, match="Kolada has no age groups for 1990"):
            riket.lan_comparison(riket.NationalData(data.kommuner, data.lan, data.totals,
                                                    data.ages, None), 1990, 1980)


class TestLanDisplay:
    def test_riket_last_and_80_only_when_known(self, lan19, lan15):
        t, labels, formats, csv = riket.lan_display(lan19, 2019, 2009)
        assert t["area_name"].iloc[-1] == "Riket" and t["area_name"].iloc[0] == "Stockholms län"
        assert "andel_80" not in t and "andel_80" not in csv
        assert set(t.columns) <= set(labels) and formats["forsorjningskvot"](80.2) == "80,2"
        t15, *_ = riket.lan_display(lan15, 2015, 2005)
        assert "andel_80" in t15


class TestLanFacts:
    def test_values_from_the_table(self, lan19):
        f = riket.lan_facts(lan19, 2019, 2009)
        assert f["rk_pop"] == "10\u00a0327\u00a0589"
        assert f["rk_fk"] == "76,3" and f["rk_growth"] == "Alla 21 län växte"
        assert f["rk_fastest"].startswith("Stockholms län (+17,7")
        assert f["rk_ages"] == ("20,0\u00a0% av invånarna i riket var 65 år eller äldre och "
                                "23,3\u00a0% var 0–19 år")

    def test_80_plus_when_the_year_has_it(self, lan15):
        f = riket.lan_facts(lan15, 2015, 2005)
        assert "(5,1\u00a0% 80 år eller äldre)" in f["rk_ages"]
        assert f["rk_growth"] == "19 av 21 län växte och 2 minskade"


class TestGrowthText:
    @pytest.mark.parametrize("grew, n, expected", [
        (21, 21, "Alla 21 län växte"), (0, 21, "Inget län växte"),
        (19, 21, "19 av 21 län växte och 2 minskade")])
    def test_wording(self, grew, n, expected):
        assert riket.growth_text(grew, n) == expected


class TestShortName:
    def test_genitive_and_lan_removed(self):
        names = pd.Series(["Stockholms län", "Skåne län", "Örebro län", "Västra Götalands län"])
        assert riket.short_name(names).tolist() == ["Stockholm", "Skåne", "Örebro",
                                                    "Västra Götaland"]


class TestLanMap:
    def test_joins_every_lan(self, lan19):
        g = riket.lan_map(catalog.load("lansgranser_riket"), lan19)
        assert len(g) == 21 and g["pct"].notna().all()
        assert g.loc[g["lan_kod"] == "01", "kort"].item() == "Stockholm"

    def test_a_missing_border_fails(self, lan19):
        b = catalog.load("lansgranser_riket")
        with pytest.raises(ValueError, match="different län"):
            riket.lan_map(b[b["lan_kod"] != "09"], lan19)


class TestKeyIndicators:
    def test_three_per_area(self, lan19):
        k = riket.key_indicators(lan19, 2019)
        assert len(k) == 3 * 22 and set(k["indicator_id"]) == {
            "bef_total", "bef_forsorjningskvot", "bef_andel_65"}


class TestKommungruppComparison:
    def test_nine_groups_adding_up_to_riket(self, data, lan19):
        kg = riket.kommungrupp_comparison(data, 2019, 2009)
        body, rik = kg[kg["kommungrupp_kod"].notna()], kg[kg["kommungrupp_kod"].isna()].iloc[0]
        assert len(body) == 9 and body["n_kommuner"].sum() == 290 == rik["n_kommuner"]
        assert body["folkmangd_2019"].sum() == rik["folkmangd_2019"]
        assert rik["forsorjningskvot"] == pytest.approx(
            lan19.loc[lan19["area_type"] == "riket", "forsorjningskvot"].item())
        f = riket.kommungrupp_facts(kg)
        assert f["kg_n"] == "9" and f["kg_fastest"].startswith("storstäder")
        t, labels, _formats = riket.kommungrupp_display(kg, 2019, 2009)
        assert set(t.columns) <= set(labels)


@pytest.fixture(scope="module")
def orebro(data):
    return riket.kommun_national_comparison(data, "1880", 2019, 2009)


class TestKommunNationalComparison:
    def test_lan_and_riket_match_the_lan_table(self, orebro, lan19):
        lan = lan19.set_index("area_code")
        for key, code in (("lan", geo.LAN_KOD), ("riket", "00")):
            assert orebro[key]["folkmangd"] == lan.loc[code, "folkmangd_2019"]
            assert orebro[key]["forsorjningskvot"] == pytest.approx(
                lan.loc[code, "forsorjningskvot"])
            assert orebro[key]["andel_0_19"] == pytest.approx(lan.loc[code, "andel_0_19"])

    def test_kommun_matches_its_regional_profile(self, orebro):
        prof = profiles.population_profile("1880", catalog.load("folkmangd_kommun"),
                                           catalog.load("kolada_befolkning"), 2019, 2009)
        k = orebro["kommun"]
        assert k["folkmangd"] == prof["kommun"]["total"] == 155_696
        assert k["forandring_andel"] == pytest.approx(prof["kommun"]["change"])
        assert k["forsorjningskvot"] == pytest.approx(prof["kommun"]["forsorjningskvot"])
        assert k["andel_65"] == pytest.approx(prof["kommun"]["andel_65"], abs=1e-6)

    def test_kommungrupp_is_the_other_kommuner_weighted_by_population(self, orebro, data):
        kg = data.kommuner[data.kommuner["kommungrupp_kod"] == 3]["kommun_kod"]
        others = [c for c in kg if c != "1880"]
        assert orebro["kommungrupp"]["n_kommuner"] == len(kg) - 1 == 20
        k = data.ages[(data.ages["ar"] == 2019) & data.ages["kommun_kod"].isin(others)]
        pooled65 = k["65+"].sum() / k["total"].sum()
        assert orebro["kommungrupp"]["andel_65"] == pytest.approx(pooled65, abs=1e-6)
        unweighted = (k["65+"] / k["total"]).mean()
        assert abs(pooled65 - unweighted) > 1e-3  # the weighting matters here
        assert orebro["kommungrupp"]["forsorjningskvot"] == pytest.approx(
            population.forsorjningskvot(k["0-19"].sum(), k["20-64"].sum(), k["65+"].sum()))
        t = data.totals
        now = t[(t["ar"] == 2019) & t["kommun_kod"].isin(others)]["folkmangd"].sum()
        assert orebro["kommungrupp"]["folkmangd"] == now

    def test_forsorjningskvot_from_shares_equals_counts(self, orebro, data):
        k = data.ages[(data.ages["ar"] == 2019) & (data.ages["kommun_kod"] == "1880")].iloc[0]
        assert orebro["kommun"]["forsorjningskvot"] == pytest.approx(
            national.forsorjningskvot_from_shares(100 * k["0-19"] / k["total"],
                                                  100 * k["65+"] / k["total"]))

    def test_tables(self, orebro):
        t = orebro["table"]
        assert t.shape == (5, 5) and t.columns[0] == "mått"
        assert list(t.columns[1:3]) == ["Örebro", "Örebro län"] and t.columns[-1] == "Riket"
        assert t.iloc[0, 1] == "155\u00a0696" and t.iloc[4, 2] == "80,2"
        csv = orebro["table_csv"]
        assert len(csv) == 20 and set(csv["unit"]) == {"antal", "forandring", "andel", "kvot"}
        assert set(csv["indicator_id"]) == set(riket.MEASURE_INDICATORS)
        assert set(csv["jamforelse"]) == {"kommunen", "länet", "kommungruppen utom kommunen",
                                          "riket"}

    def test_any_kommun_of_the_country(self, data):
        c = riket.kommun_national_comparison(data, "2584", 2019, 2009)  # Kiruna
        assert c["lan_namn"] == "Norrbottens län" and c["kommun_namn"] == "Kiruna"
        assert c["riket"]["n_kommuner"] == 290

    def test_unknown_kommun(self, data):
        with pytest.raises(KeyError, match="9999"):
            riket.kommun_national_comparison(data, "9999", 2019, 2009)


class TestComparisonText:
    def test_numbers_and_direction_as_shown(self, data):
        c = riket.kommun_national_comparison(data, "1880", 2019, 2009)
        s = riket.comparison_text(c)
        assert len(s) == 3
        assert "155\u00a0696 personer i Örebro" in s[0] and "+16,2\u00a0%" in s[0]
        assert s[1].startswith("Försörjningskvoten var 71,5, lägre än riket (76,3)")
        assert "gruppen större stad" in s[0]

    def test_equal_when_shown_equal(self, data):
        c = riket.kommun_national_comparison(data, "1880", 2019, 2009)
        c = {**c, "kommun": {**c["kommun"], "forsorjningskvot": c["riket"]["forsorjningskvot"]
                             + 0.01}}
        assert "lika med riket" in riket.comparison_text(c)[1]


class TestKommunIndexTable:
    def test_290_rows_in_swedish_order(self, data):
        idx = riket.kommun_index_table(data, 2019, 2009)
        assert len(idx) == 290 and idx["kommun_kod"].is_unique
        assert idx["kommun_namn"].iloc[0] == "Ale" and idx["kommun_namn"].iloc[-1] == "Övertorneå"
        names = idx["kommun_namn"].tolist()
        assert names.index("Älmhult") < names.index("Örebro")  # ä before ö
        assert {"lan_namn", "kommungrupp_namn", "forandring_andel"} <= set(idx.columns)
        assert idx["folkmangd_2019"].sum() == 10_327_589


class TestKommunMap:
    def test_every_kommun_with_its_change(self, data):
        g = riket.kommun_map(data, catalog.load("kommungranser_riket"), 2019, 2009)
        assert len(g) == 290 and g["pct"].notna().all()
        k = g.set_index("kommun_kod").loc["1880"]
        assert k["pct"] == pytest.approx(100 * (155_696 / 134_006 - 1))

    def test_borders_must_cover_the_kommuner(self, data):
        b = catalog.load("kommungranser_riket")
        with pytest.raises(ValueError, match="different kommuner"):
            riket.kommun_map(data, b[b["kommun_kod"] != "1880"], 2019, 2009)


class TestKommunFacts:
    def test_counts_and_extremes(self, data):
        idx = riket.kommun_index_table(data, 2019, 2009)
        f = riket.kommun_facts(idx)
        grew, shrank = (idx["forandring_andel"] > 0).sum(), (idx["forandring_andel"] < 0).sum()
        assert f["km_n"] == "290" and f["km_grew"] == str(grew) and f["km_shrank"] == str(shrank)
        top = idx.sort_values("forandring_andel").iloc[-1]
        assert f["km_fastest"].startswith(f"{top['kommun_namn']} i {top['lan_namn']} (+")
