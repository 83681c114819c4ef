"""Tests for the child poverty chapter and its data: published figures, the count-vs-share check, the
cell table (analysis.methods.child_poverty_tables), disclosure control (primary and secondary,
analysis.methods.disclosure.protect_counts), the Kolada comparison on the offline fixture shape, the
shipped seed's calibration (4,9–29,8 %, 11,8 %) and the real/synthetic switch
(analysis.inputs.barnfattigdom). The Kolada fetch is tested in test_kolada.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import child_poverty as cp
from analysis.core import geo
from analysis.inputs import barnfattigdom as bfi
from analysis.methods import child_poverty_tables as cpt
from analysis.methods import disclosure, population
from analysis.methods import poverty_reference as ref
from analysis.sources import catalog, kolada
from analysis.synthetic import synth_register as sr

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "kolada"
KOMMUNER = list(geo.KOMMUNER)
SHIPPED_SEED = 20191231  # params/2019.yml


@pytest.fixture(scope="module")
def seed_figures():
    return catalog.load("seed_figures")


@pytest.fixture(scope="module")
def published(seed_figures):
    return cpt.published_figures(seed_figures)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, seed_figures):
    """The chapter's data on the shipped seed, built once into a temporary cache (~10 s)."""
    load = catalog.load
    return bfi.synthetic_children(
        SHIPPED_SEED, load("kolada_befolkning"), load("folkmangd_lan_alder_kon"),
        load("ekonomisk_standard_median"), load("kpi_arsmedel"), load("riksnorm_2019"),
        load("ekonomiskt_bistand_kommun_2020"), seed_figures,
        cache_root=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def protected(shipped):
    return shipped.protected(5, 20)


# --------------------------------------------------------------------------- published figures
class TestPublishedFigures:
    def test_values_and_quotes(self, published):
        assert published["count"]["value"] == 8884
        assert published["share"]["value"] == pytest.approx(0.118)
        assert published["kommun_min"]["value"] == pytest.approx(0.049)
        assert published["kommun_max"]["value"] == pytest.approx(0.298)
        assert published["count"]["period"] == 2019
        assert "8884" in published["count"]["quote"]
        assert published["share"]["source"].startswith("Protokoll, Specifikt samverkansråd folkhälsa: Förstudie")
        assert "002_" not in published["share"]["source"] and "rad" not in published["share"]["source"]


class TestRoundsTo:
    @pytest.mark.parametrize("share,expected", [(0.1175, True), (0.11849, True), (0.1185, False),
                                                (0.11749, False), (0.118008, True)])
    def test_half_up_to_one_decimal(self, share, expected):
        assert cp._rounds_to(share, 0.118) is expected


class TestCountShareCheck:
    def test_hand_made_population(self, published):
        # 75 288 children 0-17 would make both figures hold: 8884 / 75 288 = 11,80 %
        counts = pd.DataFrame({"year": 2019, "kommun": KOMMUNER, "n_0_17": [6274] * 12})
        groups = pd.DataFrame({"ar": 2019, "kommun_kod": KOMMUNER, "0-19": [7000] * 12,
                               "a20": [400] * 12})
        c = cp.count_share_check(published, counts, groups)
        assert c.loc[0, "denominator"] == 75_288
        assert bool(c.loc[0, "both"]) is True
        assert c.loc[1, "implied_share"] == pytest.approx(8884 / 84_000)
        assert c.loc[1, "implied_count"] == pytest.approx(0.118 * 84_000)
        assert bool(c.loc[1, "both"]) is False
        assert c.attrs["implied_denominator"] == pytest.approx(8884 / 0.118)
        assert c.attrs["implied_low"] == pytest.approx(8884 / 0.1185)
        assert c.attrs["implied_high"] == pytest.approx(8884 / 0.1175)

    def test_real_population_fits_neither(self, published, shipped):
        groups = population.kolada_age_groups(catalog.load("kolada_befolkning"))
        c = cp.count_share_check(published, shipped.child_counts, groups)
        assert not c["both"].any()
        assert c.loc[0, "denominator"] == 63_928  # real children 0-17, 2019 (0-19 exact minus 18-19)
        assert c.loc[1, "denominator"] == 70_783  # 0-19, Kolada
        assert c.loc[0, "implied_share"] == pytest.approx(8884 / 63_928)  # 13,9 %
        # every candidate is smaller than what count and share imply together (74 970-75 609)
        assert (c["denominator"] < c.attrs["implied_low"]).all()


# --------------------------------------------------------------------------- the cell table
def _children() -> pd.DataFrame:
    """Hand-made child rows: 2 kommuner, 2014, all flags known."""
    rows = []
    spec = [  # kommun, background, vulnerable, n
        ("1880", "svensk", True, 3), ("1880", "svensk", False, 40), ("1880", "utländsk", True, 10),
        ("1880", "utländsk", False, 10), ("1814", "svensk", True, 6), ("1814", "svensk", False, 30),
        ("1814", "utländsk", True, 2), ("1814", "utländsk", False, 5),
    ]
    for kommun, bg, flag, n in spec:
        for _ in range(n):
            rows.append({"year": 2014, "kommun": kommun, "age": 8, "background": bg,
                         "parents_education": "gymnasial", "household_type": "sammanboende med barn",
                         "economically_vulnerable": flag, "persistent_low_economic_standard": flag,
                         "low_economic_standard": flag, "low_income_standard": False,
                         "economic_assistance": False, "prev_years_low": 0,
                         "prev_years_observed": 3})
    out = pd.DataFrame(rows)
    for c in ("economically_vulnerable", "persistent_low_economic_standard"):
        out[c] = out[c].astype("boolean")
    return out


class TestIndicatorTable:
    def test_counts_and_rest_of_lan(self):
        t = cpt.indicator_table(_children(), 2014)
        ev = t[(t["indicator_id"] == "ekonomiskt_utsatta") & (t["breakdown"] == "bakgrund")
               & (t["group"] == "utländsk")].set_index(["area_type", "area_code"])
        assert ev.loc[("lan", "18"), "count"] == 12 and ev.loc[("lan", "18"), "denominator"] == 27
        assert ev.loc[("kommun", "1814"), "count"] == 2
        # the rest of the län for Lekeberg is Örebro: 10 of 20
        assert ev.loc[("ovriga_lanet", "1814"), "count"] == 10
        assert ev.loc[("ovriga_lanet", "1814"), "denominator"] == 20
        assert ev.loc[("ovriga_lanet", "1814"), "value"] == pytest.approx(0.5)
        assert set(t["breakdown"]) == set(cpt.BREAKDOWNS)

    def test_history_indicators_start_when_evaluable(self):
        kids = pd.concat([_children().assign(year=2013), _children()], ignore_index=True)
        t = cpt.indicator_table(kids, 2014)
        hist = t[t["indicator_id"].isin(cpt.NEEDS_HISTORY)]
        assert hist["period"].min() == 2014
        assert t[t["indicator_id"] == "lag_ekonomisk_standard"]["period"].min() == 2013

    def test_tidy_columns(self):
        t = cpt.indicator_table(_children(), 2014)
        assert list(t.columns[:6]) == ["indicator_id", "area_code", "area_type", "period",
                                       "breakdown", "group"]
        assert ((t["value"] >= 0) & (t["value"] <= 1)).all()
        assert (t["lower"] <= t["value"] + 1e-12).all() and (t["value"] <= t["upper"] + 1e-12).all()


class TestProtect:
    def test_primary_and_secondary(self):
        t = disclosure.protect_counts(cpt.indicator_table(_children(), 2014), min_count=5, min_denominator=20)
        ev = t[(t["indicator_id"] == "ekonomiskt_utsatta") & (t["period"] == 2014)].set_index(
            ["area_type", "area_code", "breakdown", "group"])
        # Lekeberg, utländsk: 2 of 7 -> primary (both rules)
        cell = ev.loc[("kommun", "1814", "bakgrund", "utländsk")]
        assert cell["suppressed"] and pd.isna(cell["value"]) and pd.isna(cell["count"])
        assert "färre än 5 barn" in cell["note"]
        # ... so the rest of the län (Örebro) for that group would give it away: secondary
        assert ev.loc[("ovriga_lanet", "1814", "bakgrund", "utländsk"), "suppressed"]
        # and Lekeberg svensk = Lekeberg total - utländsk: secondary
        assert ev.loc[("kommun", "1814", "bakgrund", "svensk"), "suppressed"]
        assert "räknas fram" in ev.loc[("kommun", "1814", "bakgrund", "svensk"), "note"]
        # the län's own cells stay
        assert not ev.loc[("lan", "18", "totalt", "totalt"), "suppressed"]
        disclosure.check_protected(t, 5, 20)

    def test_thresholds_are_parameters(self):
        t = disclosure.protect_counts(cpt.indicator_table(_children(), 2014), min_count=1, min_denominator=1)
        ev = t[t["indicator_id"] == "ekonomiskt_utsatta"]
        assert not ev["suppressed"].any()
        with pytest.raises(ValueError):
            disclosure.protect_counts(cpt.indicator_table(_children(), 2014), 0, 20)

    def test_check_catches_a_recoverable_cell(self):
        t = disclosure.protect_counts(cpt.indicator_table(_children(), 2014), 5, 20)
        broken = t.copy()
        row = broken.index[(broken["area_type"] == "ovriga_lanet") & (broken["area_code"] == "1814")
                           & (broken["indicator_id"] == "ekonomiskt_utsatta")
                           & (broken["group"] == "utländsk")][0]
        assert broken.loc[row, "suppressed"]
        broken.loc[row, "suppressed"] = False
        broken.loc[row, ["count", "denominator"]] = [30.0, 60.0]
        with pytest.raises(disclosure.DisclosureError, match="recovered"):
            disclosure.check_protected(broken, 5, 20)

    def test_no_published_cell_under_the_thresholds_shipped(self, protected):
        shown = protected[~protected["suppressed"]]
        assert (shown["count"] >= 5).all() and (shown["denominator"] >= 20).all()
        hidden = protected[protected["suppressed"]]
        assert len(hidden) > 0
        assert hidden[["count", "denominator", "value", "lower", "upper"]].isna().all().all()
        disclosure.check_protected(protected, 5, 20)


class TestProtectSimple:
    def test_one_small_row_takes_a_second(self):
        t = pd.DataFrame({"years_low": range(5), "count": [90, 3, 40, 20, 12],
                          "denominator": 165})
        t["share"] = t["count"] / t["denominator"]
        out = disclosure.protect_distribution(t, 5, 20)
        assert out["suppressed"].tolist() == [False, True, False, False, True]
        assert out.loc[out["suppressed"], ["count", "share"]].isna().all().all()


class TestYearsLow:
    def test_counts_low_years(self):
        k = _children().assign(prev_years_low=[0] * 50 + [2] * 56)
        out = cp.years_low(k, 2014).set_index("years_low")
        # low now + 2 previous = 3 years; low flag True for the vulnerable rows
        flags = k["low_economic_standard"].astype(int).to_numpy()
        n = k["prev_years_low"].to_numpy() + flags
        assert out.loc[3, "count"] == int((n == 3).sum())
        assert out["count"].sum() == len(k) and out["share"].sum() == pytest.approx(1)


# --------------------------------------------------------------------------- the shipped seed
class TestShippedSeed:
    def test_published_figures_reproduced(self, published, protected):
        cmp = cp.published_comparison(published, protected, 2019).set_index("measure")
        assert cmp["rounds_to_published"].iloc[1:].all()
        lan = cmp.loc["Andel barn 0–17 år i ekonomiskt utsatta hushåll"]
        assert round(100 * lan["computed"], 1) == 11.8
        lo, hi = cmp.loc["Lägsta andel bland kommunerna"], cmp.loc["Högsta andel bland kommunerna"]
        assert round(100 * lo["computed"], 1) == 4.9 and round(100 * hi["computed"], 1) == 29.8
        # the count follows from the real population (the share is the calibration target)
        assert cmp.loc["Antal barn 0–17 år i ekonomiskt utsatta hushåll", "computed"] == 7544

    def test_calibration_report(self, shipped):
        rep = shipped.report
        assert rep["counts"] == rep["targets"]
        assert rep["seed"] == SHIPPED_SEED
        assert rep["nudged_families"] <= 20 and cp.nudge_share(rep) < 0.05
        assert shipped.source == "syntetisk"

    def test_cached_copy_is_identical(self, shipped, seed_figures):
        load = catalog.load
        again = bfi.synthetic_children(
            SHIPPED_SEED, load("kolada_befolkning"), load("folkmangd_lan_alder_kon"),
            load("ekonomisk_standard_median"), load("kpi_arsmedel"), load("riksnorm_2019"),
            load("ekonomiskt_bistand_kommun_2020"), seed_figures, cache_root=shipped.cache_dir.parent)
        pd.testing.assert_frame_equal(again.indicators, shipped.indicators)


class TestKommunProfile:
    def test_kommun_against_the_rest(self, shipped, protected):
        prof = cp.kommun_profile(protected, "1864", 2019)
        raw = shipped.indicators
        ev = raw[(raw["indicator_id"] == "ekonomiskt_utsatta") & (raw["breakdown"] == "totalt")
                 & (raw["period"] == 2019)].set_index(["area_type", "area_code"])
        lan, kom = ev.loc[("lan", "18")], ev.loc[("kommun", "1864")]
        rest = (lan["count"] - kom["count"]) / (lan["denominator"] - kom["denominator"])
        assert prof["rest"]["value"] == pytest.approx(rest)
        assert 1 <= prof["rank"] <= 12
        comp, groups = cp.profile_display(prof, "Ljusnarsberg")
        assert list(comp.columns) == ["Mått", "Ljusnarsberg", "Övriga länet"]
        assert len(groups) == 9

    def test_unknown_kommun(self, protected):
        with pytest.raises(KeyError):
            cp.kommun_profile(protected, "0180", 2019)


# --------------------------------------------------------------------------- Kolada
def _fixture_table() -> pd.DataFrame:
    pages = ["n66077_p1.json", "n66077_p2.json", "u31803_p1.json", "u31803_p2.json"]
    return pd.concat([kolada.parse_values(json.loads((FIXTURES / p).read_text()), p) for p in pages],
                     ignore_index=True)


def _book_table() -> pd.DataFrame:
    rows = [
        ("lag_ekonomisk_standard_0_19", "1880", "kommun", 2019, 0.160, False),
        ("lag_ekonomisk_standard_0_19", "1814", "kommun", 2019, np.nan, True),
        ("lag_ekonomisk_standard_0_19", "18", "lan", 2020, 0.150, False),
        ("ekonomiskt_bistand", "1863", "kommun", 2020, 0.080, False),
    ]
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "area_type", "period", "value",
                                       "suppressed"]).assign(breakdown="totalt", group="totalt")


class TestKoladaComparison:
    def test_fixture_shape(self):
        kc = cp.kolada_comparison(_fixture_table(), _book_table(), 2019).set_index("area_code")
        # fixture: N66077 2019 Örebro 17,5 %, Lekeberg 9,5 %; the book 16,0 % and suppressed
        assert kc.loc["1880", "kolada"] == pytest.approx(0.175)
        assert kc.loc["1880", "computed"] == pytest.approx(0.160)
        assert kc.loc["1880", "difference"] == pytest.approx(-0.015)
        assert np.isnan(kc.loc["1814", "computed"]) and kc.loc["1814", "computed_suppressed"]
        assert set(kc["kpi"]) == {"N66077"}

    def test_region_and_assistance_and_titles(self):
        cat = pd.read_csv(FIXTURES / "kolada_kpi_catalogue_sample.csv", dtype=str)
        kc = cp.kolada_comparison(_fixture_table(), _book_table(), 2020, catalogue=cat)
        lan = kc[kc["area_type"] == "lan"].iloc[0]
        assert lan["area_name"] == geo.LAN_NAMN and lan["kolada"] == pytest.approx(0.152)
        assert lan["computed"] == pytest.approx(0.150)
        u = kc[kc["kpi"] == "U31803"].iloc[0]
        assert u["area_name"] == "Hällefors" and u["kolada"] == pytest.approx(0.091)
        assert u["kpi_title"].startswith("Barn i befolkningen")
        # Riket (0000) and other years are not compared
        assert "00" not in set(kc["area_code"]) and (kc["period"] == 2020).all()

    def test_fetched_or_not(self):
        assert cp.kolada_fetched(_fixture_table())
        req = kolada.kolada_request()
        assert not cp.kolada_fetched(req)
        assert req["value"].isna().all() and (req["status"] == kolada.NOT_FETCHED).all()
        assert len(req) == 3 * 14 * 11

    def test_catalogue_holds_the_request_or_a_fetch(self):
        # Shipped: the request ("ej-hamtad"); after `make fetch-kolada`: a dated fetch.
        table = catalog.load("kolada_barn_ekonomi")
        folder = catalog.entry("kolada_barn_ekonomi")["relpath"].split("/")[-2]
        assert cp.kolada_fetched(table) == (folder != "ej-hamtad")


class TestRankText:
    @pytest.mark.parametrize("rank,n,expected", [(1, 12, "den högsta"), (2, 12, "den 2:a högsta"),
                                                 (3, 12, "den 3:e högsta"), (11, 12, "den 11:e högsta"),
                                                 (12, 12, "den lägsta"), (None, 12, "..")])
    def test_swedish_ordinals(self, rank, n, expected):
        assert cp.rank_text(rank, n) == expected


# --------------------------------------------------------------------------- the real-data path
@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    """A small synthetic extract written as a file, standing in for SCB's delivery."""
    load = catalog.load
    kol = load("kolada_befolkning")
    groups = population.kolada_age_groups(kol)
    lan = population.lan_series(load("folkmangd_lan_alder_kon"), kol, 2019)
    counts = ref.child_population(groups, lan)
    medians = ref.national_median(load("ekonomisk_standard_median"), load("kpi_arsmedel"))
    norms = ref.norm_table(load("riksnorm_2019"), load("kpi_arsmedel"))
    n19 = counts[counts["year"] == 2019].set_index("kommun")["n_0_17"]
    targets = sr.kommun_targets(n19, pd.Series(np.arange(12.0), index=KOMMUNER), lan_share=0.118,
                                share_min=0.049, share_max=0.298)
    cc, tg = sr.scale_counts(counts, targets, 0.03)
    panel = sr.generate(3, cc, medians, norms, tg).panel
    path = tmp_path_factory.mktemp("private") / "extract.csv"
    out = panel.assign(economic_assistance=panel["economic_assistance"].map({True: "ja", False: "nej"}))
    out.rename(columns={"person_id": "LopNr"}).to_csv(path, index=False, sep=";")
    return path, tg


class TestRegisterChildren:
    def test_reads_the_contract_and_computes_the_same_cells(self, small_extract, tmp_path):
        path, targets = small_extract
        load = catalog.load
        data = bfi.register_children(
            path, load("kolada_befolkning"), load("folkmangd_lan_alder_kon"),
            load("ekonomisk_standard_median"), load("kpi_arsmedel"), load("riksnorm_2019"),
            read_options={"columns": {"LopNr": "person_id"}, "sep": ";"}, cache_root=tmp_path)
        assert data.source == "register" and (data.indicators["data"] == "register").all()
        t = data.indicators
        got = t[(t["indicator_id"] == "ekonomiskt_utsatta") & (t["breakdown"] == "totalt")
                & (t["area_type"] == "kommun") & (t["period"] == 2019)].set_index("area_code")["count"]
        assert (got.reindex(targets["kommun"]).to_numpy() == targets["target_count"].to_numpy()).all()
        disclosure.check_protected(data.protected(5, 20), 5, 20)

    def test_bad_extract_is_refused(self, tmp_path):
        from analysis.core.errors import InputError

        bad = tmp_path / "bad.csv"
        bad.write_text("person_id,year\n1,2019\n", encoding="utf-8")
        load = catalog.load
        with pytest.raises(InputError, match="missing column"):
            bfi.register_children(bad, load("kolada_befolkning"), load("folkmangd_lan_alder_kon"),
                                 load("ekonomisk_standard_median"), load("kpi_arsmedel"),
                                 load("riksnorm_2019"), cache_root=tmp_path / "c")


class TestRegisterExtractPath:
    def test_environment_variable(self, tmp_path, monkeypatch):
        f = tmp_path / "x.parquet"
        f.write_bytes(b"")
        monkeypatch.setenv(bfi.ENV_EXTRACT, str(f))
        assert bfi.register_extract_path(tmp_path) == f
        monkeypatch.setenv(bfi.ENV_EXTRACT, str(tmp_path / "missing.parquet"))
        with pytest.raises(FileNotFoundError):
            bfi.register_extract_path(tmp_path)

    def test_default_place_or_none(self, tmp_path, monkeypatch):
        monkeypatch.delenv(bfi.ENV_EXTRACT, raising=False)
        assert bfi.register_extract_path(tmp_path) is None
        p = tmp_path / bfi.DEFAULT_EXTRACT
        p.parent.mkdir(parents=True)
        p.write_bytes(b"")
        assert bfi.register_extract_path(tmp_path) == p


class TestDataLabel:
    def test_every_cell_says_synthetic(self, shipped):
        assert (shipped.indicators["data"] == "syntetisk").all()
        assert (cp.component_series(shipped.protected(5, 20))["data"] == "syntetisk").all()


# --------------------------------------------------------------------------- the one switch
class TestLoad:
    def test_synthetic_without_an_extract(self, shipped, monkeypatch):
        monkeypatch.delenv(bfi.ENV_EXTRACT, raising=False)
        # no extract at data/private/ of this checkout either
        monkeypatch.setattr(bfi, "register_extract_path", lambda root=None: None)
        data = bfi.load(SHIPPED_SEED, cache_root=shipped.cache_dir.parent)
        assert data.synthetic and data.source == "syntetisk" and data.extract is None
        assert data.cache_dir == shipped.cache_dir  # the same cached data as the direct call
        pd.testing.assert_frame_equal(data.indicators, shipped.indicators)

    def test_register_when_an_extract_is_in_place(self, small_extract, tmp_path, monkeypatch):
        path, _ = small_extract
        monkeypatch.setenv(bfi.ENV_EXTRACT, str(path))
        monkeypatch.setenv(bfi.ENV_EXTRACT_OPTIONS, json.dumps(
            {"columns": {"LopNr": "person_id"}, "sep": ";"}))
        data = bfi.load(SHIPPED_SEED, cache_root=tmp_path)
        assert not data.synthetic and data.source == "register" and data.extract == path
        assert (data.indicators["data"] == "register").all()


class TestConstants:
    def test_kolada_years_are_the_panel_years(self):
        assert kolada.KOLADA_YEARS == ref.YEARS == bfi.YEARS == sr.YEARS

    def test_chapter_reads_the_definitions_from_methods(self):
        assert cp.INDICATORS is cpt.INDICATORS and cp.published_figures is cpt.published_figures
        assert cp.RUS_BASE_YEAR == 2015


class TestMapAndReference:
    def test_map_frame_keeps_every_kommun(self):
        shapes = pd.DataFrame({"kommun_kod": ["1860", "1880"], "geometry": [None, None]})
        cells = pd.DataFrame({"area_code": ["1880"], "value": [0.25]})
        out = cp.map_frame(shapes, cells)
        assert list(out["kommun_kod"]) == ["1860", "1880"]
        assert out["pct"].iloc[1] == 25 and pd.isna(out["pct"].iloc[0])

    def test_reference_in_every_panel(self):
        lan = pd.DataFrame({"area_name": ["Örebro län"] * 2, "period": [2018, 2019],
                            "value": [0.1, 0.2]})
        kom = pd.DataFrame({"area_name": ["Laxå", "Laxå", "Nora", "Nora"],
                            "period": [2018, 2019, 2018, 2019], "value": [0.3] * 4})
        ref = cp.reference_panels(lan, kom)
        assert len(ref) == 4 and set(ref["area_name"]) == {"Laxå", "Nora"}
        assert ref.loc[ref["period"] == 2019, "value"].eq(0.2).all()
