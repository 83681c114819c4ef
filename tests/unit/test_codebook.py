"""Tests for analysis.present.codebook: the vocabulary, the mapping of chapter tables into the
one published schema, and the writer and reader of published CSV files."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from analysis.present import codebook


def _survey(**kw) -> dict:
    base = {"indicator_id": "good_health", "area_code": "1860", "area_type": "kommun",
            "period": 2017, "sex": "man", "age": "18+", "group": "", "value": 0.5,
            "lower": 0.4, "upper": 0.6, "se": 0.05, "n": 40.0, "confidence": 0.95,
            "statistic": "proportion", "method": "logit", "suppressed": False, "rule": "",
            "note": "", "data_kind": "syntetisk"}
    return {**base, **kw}


class TestVocabulary:
    def test_loads_and_is_valid(self):
        voc = codebook.vocabulary()
        assert codebook.columns()[:3] == ["sida", "tabell", "rad"]
        assert codebook.columns()[-1] == "datatyp"
        assert "value" in voc["källkolumner"] and "procent" in codebook.units()

    def test_planted_errors_are_found(self):
        voc = copy.deepcopy(codebook.vocabulary())
        voc["källkolumner"]["x"] = {"roll": "mått", "mått": "x", "enhet": "furlongs"}
        with pytest.raises(codebook.SchemaError, match="measure 'x' needs a text and a known unit"):
            codebook.validate(voc)
        voc = copy.deepcopy(codebook.vocabulary())
        voc["källkolumner"]["y"] = {"roll": "utelämnas"}
        with pytest.raises(codebook.SchemaError, match="reason"):
            codebook.validate(voc)
        voc = copy.deepcopy(codebook.vocabulary())
        voc["kolumner"][0]["namn"] = "Page"
        with pytest.raises(codebook.SchemaError, match="snake_case"):
            codebook.validate(voc)


class TestRole:
    def test_alternatives_by_the_other_columns(self):
        assert codebook.role("kommun", {"kommun", "kommun_count"})["roll"] == "mått"
        assert codebook.role("kommun", {"kommun", "ar"})["till"] == "område"

    def test_patterns(self):
        e = codebook.role("Lekeberg/Örebro 2019", {"matt"})
        assert e["nycklar"] == {"område": "Lekeberg/Örebro", "år": "2019"}

    def test_unknown_column_names_the_table(self):
        with pytest.raises(codebook.SchemaError, match="table 't': column 'mystery'"):
            codebook.role("mystery", {"mystery"}, "t")


class TestTidy:
    def test_a_survey_row(self):
        t = codebook.tidy(pd.DataFrame([_survey()]), "t", "04_x")
        assert list(t.columns) == codebook.columns() and len(t) == 1
        r = t.iloc[0]
        assert (r["sida"], r["tabell"], r["rad"], r["indikator_kod"]) == ("04_x", "t", 1,
                                                                            "good_health")
        assert (r["område"], r["områdestyp"], r["kön"], r["år"]) == ("Laxå", "kommun", "män",
                                                                     "2017")
        assert (r["mått"], r["enhet"]) == ("andel", "procent")
        assert r["värde"] == pytest.approx(50) and r["nedre"] == pytest.approx(40)
        assert r["medelfel"] == pytest.approx(5) and r["antal_svarande"] == 40
        assert r["värde_visat"] == "50,0" and r["undertryckt"] == "nej"

    def test_suppressed_is_empty_with_flag_and_reason(self):
        row = _survey(value=".", lower=".", upper=".", n=12.0, suppressed=True,
                      rule="primär", note="färre än 30 svarande")
        r = codebook.tidy(pd.DataFrame([row]), "t").iloc[0]
        assert np.isnan(r["värde"]) and np.isnan(r["antal_svarande"]) and r["värde_visat"] == ""
        assert r["undertryckt"] == "ja" and r["orsak"] == "primär: färre än 30 svarande"

    def test_a_comparison_gives_three_rows(self):
        row = _survey(statistic="difference", value=-0.1, value_area=0.5, value_rest=0.6,
                      n_rest=5000.0)
        t = codebook.tidy(pd.DataFrame([row]), "t")
        assert t["mått"].tolist() == ["skillnad mot övriga länet", "andel i området",
                                      "andel i övriga länet"]
        assert t["enhet"].tolist() == ["procentenheter", "procent", "procent"]
        assert t["antal_svarande"].tolist() == [40, 40, 5000] and set(t["rad"]) == {1}

    def test_wide_columns_become_rows(self):
        df = pd.DataFrame({"kommun_kod": ["1880"], "kommun": ["Örebro"], "ar": [2019],
                           "folkmangd": [155696], "andel_65": [0.18], "data_kind": "uppmätt"})
        t = codebook.tidy(df, "t")
        assert t["mått"].tolist() == ["folkmängd", "andel 65 år och äldre"]
        assert t["enhet"].tolist() == ["antal", "procent"]
        assert t["värde_visat"].tolist() == ["155\u00a0696", "18,0"]

    def test_two_interval_levels_two_rows(self):
        df = pd.DataFrame({"ar": [2030], "value": [300000.0], "lower80": [290000.0],
                           "upper80": [310000.0], "lower95": [280000.0], "upper95": [320000.0],
                           "typ": ["framskrivning"], "data_kind": "modellerad"})
        t = codebook.tidy(df, "t")
        assert t["konfidensgrad"].tolist() == [0.8, 0.95]
        assert t["nedre"].tolist() == [290000.0, 280000.0]
        assert t["indelning"].tolist() == ["typ av uppgift: framskrivning"] * 2

    def test_value_without_a_unit_stops(self):
        df = pd.DataFrame({"ar": [2019], "value": [3.0], "data_kind": "uppmätt"})
        with pytest.raises(codebook.SchemaError, match="column 'value' has no vocabulary entry"):
            codebook.tidy(df, "t")

    def test_part_without_its_measure_stops(self):
        df = pd.DataFrame({"ar": [2019], "lower_rest": [3.0], "data_kind": "uppmätt"})
        with pytest.raises(codebook.SchemaError, match="'lower_rest' is part of"):
            codebook.tidy(df, "t")

    def test_value_outside_the_allowed_stops(self):
        with pytest.raises(codebook.SchemaError, match="'kön' has values"):
            codebook.tidy(pd.DataFrame([_survey(sex="alla")]), "t")


class TestCheck:
    def test_columns_in_order(self):
        t = codebook.tidy(pd.DataFrame([_survey()]), "t")
        with pytest.raises(codebook.SchemaError, match="not the schema's"):
            codebook.check(t[t.columns[::-1]], "t")


class TestShown:
    def test_decimals_of_the_unit(self):
        assert codebook.shown(13.94, "procent") == "13,9"
        assert codebook.shown(1234.4, "antal") == "1\u00a0234"
        assert codebook.shown(float("nan"), "procent") == ""


class TestWriteRead:
    def test_round_trip_with_bom(self, tmp_path):
        rows = [_survey(), _survey(sex="kvinnor", value=".", suppressed=True, rule="sekundär")]
        t = codebook.tidy(pd.DataFrame(rows), "t")
        p = codebook.write(t, tmp_path / "t.csv")
        raw = p.read_bytes()
        assert raw.startswith(codebook.ENCODING_BOM) and b"\r\n" not in raw
        back = codebook.read(p)
        assert list(back.columns) == codebook.columns()
        assert {c: str(back[c].dtype) for c in back.columns} == codebook.dtypes()
        assert back["värde"].iloc[0] == pytest.approx(50) and np.isnan(back["värde"].iloc[1])
        assert back["kön"].tolist() == ["män", "kvinnor"] and back["område_kod"].iloc[0] == "1860"

    def test_foreign_header_is_refused(self, tmp_path):
        p = tmp_path / "x.csv"
        p.write_text("a,b\n1,2\n", encoding="utf-8")
        with pytest.raises(codebook.SchemaError, match="not the published schema"):
            codebook.read(p)


class TestDtypes:
    def test_every_column(self):
        d = codebook.dtypes()
        assert list(d) == codebook.columns()
        assert d["värde"] == "float64" and d["rad"] == "Int64" and d["område_kod"] == "string"


class TestCodebookTable:
    def test_columns_and_units(self):
        b = codebook.codebook_table()
        assert set(codebook.columns()) <= set(b["kolumn"])
        assert set(codebook.units()) <= set(b.loc[b["kolumn"] == "enhet", "tillåtna_värden"])
        assert b["beskrivning"].str.len().min() >= 4  # "Kön."


class TestYearColumns:
    def test_a_measure_of_one_year(self):
        assert codebook.role("malgrupp_2015", {"malgrupp_2015"})["nycklar"] == {"år": "2015"}
        assert codebook.role("folkmangd_2005", set())["mått"] == "folkmängd"
        with pytest.raises(codebook.SchemaError):
            codebook.role("mystery_2015", set())


def test_shown_value_follows_the_rounding_policy_of_the_row_unit():
    # survey shares are whole per cent on the pages, register shares one decimal
    assert codebook.shown(81.49, "procent", "andel_enkat", 100) == "81"
    assert codebook.shown(81.49, "procent", "andel", 100) == "81,5"
    assert codebook.shown(1234.0, "antal", "antal_skattat", 1) == "1\u00a0230"
    assert codebook.shown(80.1982, "kvot", "kvot", 1) == "80,2"
    assert codebook.shown(float("nan"), "procent", "andel_enkat", 100) == ""
