"""Tests for analysis.contracts.microdata: the machinery shared by the microdata input contracts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.contracts import microdata
from analysis.core.errors import InputError


class TestCellText:
    def test_whole_floats_lose_the_decimal(self):
        out = microdata.cell_text(pd.Series([1880.0, 1.5, np.nan]))
        assert out.tolist()[:2] == ["1880", "1.5"] and pd.isna(out.iloc[2])

    def test_text_trimmed_and_categoricals_labelled(self):
        assert microdata.cell_text(pd.Series([" a ", "b"])).tolist() == ["a", "b"]
        assert microdata.cell_text(pd.Series(pd.Categorical(["Kvinna"]))).tolist() == ["Kvinna"]


class TestFail:
    def test_rows_are_one_based_with_values(self):
        err = microdata.fail("f.csv", "bad", "x", [False, True, True], ["a", "b", "c"])
        assert isinstance(err, InputError) and err.rows == [2, 3] and err.values == ["b", "c"]
        assert microdata.is_missing(pd.Series(["", pd.NA, "x"], dtype="string")).tolist() == [
            True, True, False]


class _V(microdata.Variable):
    DTYPES = {"code": "Int8"}


EDU = _V("edu", "code", labels={1: "förgymnasial", 2: "gymnasial"}, question="Utbildning")


class TestVariable:
    def test_dtype_from_the_contracts_kinds(self):
        assert EDU.dtype == "Int8" and _V("w", "weight0").dtype == "float64"


class TestContractTable:
    def test_one_row_per_variable(self):
        t = microdata.contract_table([EDU])
        assert t.to_dict("records") == [{"variable": "edu", "dtype": "Int8", "required": True,
                                         "codes": "1 = förgymnasial; 2 = gymnasial",
                                         "question": "Utbildning"}]


class TestWho5Variables:
    def test_five_coded_items(self):
        v = microdata.who5_variables(_V)
        assert [x.name for x in v] == list(microdata.WHO5_ITEMS) and isinstance(v[0], _V)
        assert v[0].labels == microdata.WHO5_LABELS and "WHO-5" in v[4].question


class TestNormLabel:
    def test_case_space_dash_and_full_stop(self):
        assert microdata.norm_label("  Ja,  lätta  besvär. ") == "ja, lätta besvär"
        assert microdata.norm_label("30–59") == "30-59"


class TestCoerceCodes:
    def test_numbers_and_labels(self):
        out = microdata.coerce_codes(EDU, pd.Series(["1", "Gymnasial", ""]), "f", from_file=False)
        assert str(out.dtype) == "Int8" and out.tolist()[:2] == [1, 2] and pd.isna(out.iloc[2])

    def test_outside_the_labels(self):
        with pytest.raises(InputError, match="or the file's value labels") as err:
            microdata.coerce_codes(EDU, pd.Series([1.0, 7.0]), "f", from_file=True)
        assert err.value.rows == [2] and err.value.column == "edu"


class TestCheckFileLabels:
    def test_agreeing_and_disagreeing_labels(self):
        microdata.check_file_labels(EDU, {1.0: "Förgymnasial", 9.0: "vet ej"}, "f")
        with pytest.raises(InputError, match="disagrees with the contract"):
            microdata.check_file_labels(EDU, {1.0: "gymnasial"}, "f")
        microdata.check_file_labels(EDU, {1.0: "x"}, "f", agrees=lambda v, c, lab: True)


class TestKommunCodes:
    def test_padded_codes_and_names(self):
        out = microdata.kommun_codes(pd.Series(["1880", "Laxå", "1814"], dtype="string"), "f", "k")
        assert out.tolist() == ["1880", "1860", "1814"]
        with pytest.raises(InputError, match="unknown kommun"):
            microdata.kommun_codes(pd.Series(["0180"], dtype="string"), "f", "k")


class TestNumbers:
    def test_minus_sign_and_refusal(self):
        text = pd.Series(["\u22121.5", "", "x"], dtype="string")
        miss = microdata.is_missing(text)
        with pytest.raises(InputError, match="not a number") as err:
            microdata.numbers(text, miss, "f", "w")
        assert err.value.rows == [3]
        assert microdata.numbers(text[:2], miss[:2], "f", "w").iloc[0] == -1.5


class TestCheckWhole:
    def test_fraction_refused(self):
        microdata.check_whole(pd.Series([1.0, None], dtype="Float64"), pd.Series(["1", ""]), "f",
                              "y")
        with pytest.raises(InputError, match="not a whole number"):
            microdata.check_whole(pd.Series([1.5]), pd.Series(["1.5"]), "f", "y")


class TestRawFrame:
    def test_year_added_and_refusals(self):
        raw = microdata.raw_frame(pd.DataFrame({"a": [1]}), "f", 2017, empty="tom")
        assert raw["year"].tolist() == [2017]
        with pytest.raises(InputError, match="tom"):
            microdata.raw_frame(pd.DataFrame({"a": []}), "f", None, empty="tom")
        with pytest.raises(ValueError, match="not question items"):
            microdata.raw_frame(raw, "f", None, empty="", not_asked=("b",), items=("a",))


class TestMissingColumns:
    def test_required_unless_not_asked(self):
        microdata.missing_columns(pd.DataFrame(), [EDU], "f", "doc.md", not_asked=("edu",))
        with pytest.raises(InputError, match=r"missing variable\(s\) edu; the contract \(doc.md\)"):
            microdata.missing_columns(pd.DataFrame(), [EDU], "f", "doc.md")


class TestCheckOneYear:
    def test_two_years(self):
        with pytest.raises(InputError, match="one survey round") as err:
            microdata.check_one_year(pd.DataFrame({"year": [2017, 2016]}), "f")
        assert err.value.rows == [2]


class TestCheckYearGiven:
    def test_other_year(self):
        microdata.check_year_given(pd.DataFrame({"year": [2017]}), "f", None)
        with pytest.raises(InputError, match="differs from the round given"):
            microdata.check_year_given(pd.DataFrame({"year": [2017]}), "f", 2016)


class TestCheckNotAsked:
    def test_answers_refused(self):
        microdata.check_not_asked(pd.DataFrame({"q": [pd.NA]}), "f", ("q",))
        with pytest.raises(InputError, match="not asked has answers"):
            microdata.check_not_asked(pd.DataFrame({"q": [1]}), "f", ("q",))


class TestCheckUnique:
    def test_duplicates(self):
        with pytest.raises(InputError, match="duplicate resp_id") as err:
            microdata.check_unique(pd.DataFrame({"resp_id": ["a", "b", "a"]}), "f")
        assert err.value.rows == [1, 3]


class TestRoundYear:
    def test_year_in_the_name(self):
        assert microdata.round_year(Path("lh_2017.sav"), "x_2017.sav") == 2017
        with pytest.raises(InputError, match="e.g. x_2017.sav"):
            microdata.round_year(Path("lh_17.sav"), "x_2017.sav")


class TestRoundsSource:
    def test_argument_variable_then_folder(self, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
        monkeypatch.delenv("ANALYSIS_TEST_ROUNDS", raising=False)
        args = ("ANALYSIS_TEST_ROUNDS", ("data", "private", "x"), (".csv",))
        assert microdata.rounds_source("given", *args) == "given"
        assert microdata.rounds_source(None, *args) is None
        folder = tmp_path / "data" / "private" / "x"
        folder.mkdir(parents=True)
        (folder / "note.txt").write_text("")
        assert microdata.rounds_source(None, *args) is None
        (folder / "r_2017.csv").write_text("")
        assert microdata.rounds_source(None, *args) == str(folder)
        monkeypatch.setenv("ANALYSIS_TEST_ROUNDS", "/elsewhere")
        assert microdata.rounds_source(None, *args) == "/elsewhere"


class TestReadTextCsv:
    def test_text_kept_empty_file_refused(self, tmp_path):
        (tmp_path / "a.csv").write_text("k;v\n0180;\n")
        out = microdata.read_text_csv(tmp_path / "a.csv", ";", "utf-8")
        assert out["k"].iloc[0] == "0180" and pd.isna(out["v"].iloc[0])
        (tmp_path / "e.csv").write_text("")
        with pytest.raises(InputError, match="the file is empty"):
            microdata.read_text_csv(tmp_path / "e.csv", ",", "utf-8")


class TestCheckNotEmpty:
    def test_zero_bytes(self, tmp_path):
        (tmp_path / "e.sav").write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            microdata.check_not_empty(tmp_path / "e.sav")


class TestCodedFormat:
    def test_suffix_argument_and_refusals(self, tmp_path):
        (tmp_path / "a.dat").write_text("")
        assert microdata.coded_format(tmp_path / "a.dat", "csv", {}) == "csv"
        with pytest.raises(InputError, match="unknown file format '.dat'"):
            microdata.coded_format(tmp_path / "a.dat", None, {".csv": "csv"})
        with pytest.raises(FileNotFoundError):
            microdata.coded_format(tmp_path / "b.csv", None, {".csv": "csv"})


class TestReadCoded:
    def test_spss_codes_and_labels(self, tmp_path):
        path = microdata.write_coded(pd.DataFrame({"edu": pd.array([1, 2], dtype="Int8")}),
                                     tmp_path / "a.sav", [EDU], {".sav": "spss"})
        raw, labels = microdata.read_coded(path, "spss")
        assert raw["edu"].tolist() == [1.0, 2.0] and labels == {"edu": {1.0: "förgymnasial",
                                                                       2.0: "gymnasial"}}


class TestCanonicalNames:
    def test_renames_and_case(self):
        raw = pd.DataFrame({"Kon": [1], " EDU": [2]})
        out, labels = microdata.canonical_names(raw, {"Kon": {1: "man"}}, {"Kon": "sex"},
                                                ["sex", "edu"])
        assert list(out.columns) == ["sex", "edu"] and labels == {"sex": {1: "man"}}


class TestWriteCoded:
    def test_recoded_csv_and_unknown_suffix(self, tmp_path):
        frame = pd.DataFrame({"sex": ["man", "kvinnor"]})
        path = microdata.write_coded(frame, tmp_path / "a.csv", [], {".csv": "csv"},
                                     recode={"sex": {"man": 1, "kvinnor": 2}})
        assert path.read_text() == "sex\n1\n2\n"
        with pytest.raises(ValueError, match="unknown file format"):
            microdata.write_coded(frame, tmp_path / "a.xyz", [], {".csv": "csv"})
