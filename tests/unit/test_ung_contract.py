"""Tests for analysis.contracts.ung_contract: the Liv & hälsa ung round contract (pupil and school files),
its readers and every refusal.

Fixture files are written per test into a temporary folder: CSV and Parquet with pandas, SPSS
``.sav`` with value labels and user-missing codes through ``pyreadstat.write_sav``.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from _survey_fixtures import csv_error, write_csv, write_sav

from analysis.contracts import ung_contract
from analysis.core import geo
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
GRADE_CODE = {"ak7": 1, "ak9": 2, "gy2": 3}


def good(n: int = 2, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid round: every kommun has one school with ``n`` respondents per school year."""
    rng = np.random.default_rng(seed)
    rows = [(k, g) for k in geo.KOMMUNER for g in ung_contract.GRADES for _ in range(n)]
    kommun = [r[0] for r in rows]
    grade = [GRADE_CODE[r[1]] for r in rows]
    m = len(rows)
    pupils = pd.DataFrame({
        "resp_id": [f"p{i}" for i in range(m)], "year": 2017, "kommun": kommun,
        "school": [f"{k}-S" for k in kommun], "grade": grade, "sex": rng.choice([1, 2], m)})
    for v in ung_contract.VARIABLES:
        if v.kind == "code":
            pupils[v.name] = rng.choice(list(v.labels), m)
    young = pupils["grade"] == 1
    for item in ung_contract.WHO5_ITEMS:
        pupils[item] = pupils[item].astype(float).where(~young)
    schools = pd.DataFrame([{"year": 2017, "school": f"{k}-S", "kommun": k, "grade": c,
                             "enrolled": n + 3, "participated": 1}
                            for k in geo.KOMMUNER for c in (1, 2, 3)])
    return pupils, schools


_csv = write_csv
_error = partial(csv_error, ung_contract.read_round)
_sav = partial(write_sav, ung_contract.VARIABLES)


class TestReadRound:
    def test_csv_to_canonical_frame(self, tmp_path):
        pupils, _ = good()
        r = ung_contract.read_round(_csv(tmp_path, pupils))
        assert list(r.columns) == [v.name for v in ung_contract.VARIABLES
                                   if v.name in pupils.columns]
        assert set(r["grade"]) == {"ak7", "ak9", "gy2"}
        assert set(r["sex"]) <= {"kvinnor", "man"}
        assert str(r["worry"].dtype) == "Int8" and r["year"].iloc[0] == 2017
        assert r.loc[r["grade"] == "ak7", "who5_1"].isna().all()

    def test_labels_as_text(self, tmp_path):
        pupils, _ = good()
        pupils["grade"] = pupils["grade"].map({1: "åk 7", 2: "Årskurs 9", 3: "gy2"})
        pupils["sex"] = pupils["sex"].map({1: "pojke", 2: "Flicka"})
        pupils["kommun"] = pupils["kommun"].map(geo.KOMMUNER)
        pupils["family_finances"] = "ja, ofta"
        r = ung_contract.read_round(_csv(tmp_path, pupils))
        assert set(r["grade"]) == {"ak7", "ak9", "gy2"}
        assert r["kommun"].iloc[0] == "1814" and (r["family_finances"] == 3).all()

    def test_grade_seven_and_nine_as_numbers(self, tmp_path):
        pupils, _ = good()
        pupils["grade"] = pupils["grade"].map({1: 7, 2: 9, 3: "gy 2"})
        r = ung_contract.read_round(_csv(tmp_path, pupils))
        assert set(r["grade"]) == {"ak7", "ak9", "gy2"}

    def test_parquet_and_missing_items(self, tmp_path):
        pupils, _ = good()
        pupils.loc[3, "worry"] = np.nan
        p = tmp_path / "r.parquet"
        pupils.to_parquet(p)
        r = ung_contract.read_round(p)
        assert r["worry"].isna().sum() == 1

    def test_spss_with_value_labels_and_user_missing(self, tmp_path):
        pupils, _ = good()
        pupils = pupils.astype({"worry": float})
        pupils.loc[0, "worry"] = 9
        path = _sav(tmp_path, pupils, labels={"worry": {1.0: "aldrig", 2.0: "sällan",
                                                        3.0: "ibland", 4.0: "ofta",
                                                        5.0: "alltid", 9.0: "vet ej"}},
                    missing_ranges={"worry": [9]})
        r = ung_contract.read_round(path)
        assert pd.isna(r.loc[0, "worry"]) and len(r) == len(pupils)

    def test_year_from_reader_renames_and_optional_columns(self, tmp_path):
        pupils, _ = good()
        pupils = pupils.drop(columns=["year", "feel_good"]).rename(columns={"sex": "Kon"})
        r = ung_contract.read_round(_csv(tmp_path, pupils), year=2014, columns={"Kon": "sex"})
        assert (r["year"] == 2014).all() and "feel_good" not in r

    def test_not_asked_question_may_be_absent(self, tmp_path):
        pupils, _ = good()
        r = ung_contract.read_round(_csv(tmp_path, pupils.drop(columns="physical_activity")),
                                    not_asked=("physical_activity",))
        assert r["physical_activity"].isna().all()


class TestRefusals:
    def test_missing_variable(self, tmp_path):
        pupils, _ = good()
        e = _error(tmp_path, pupils.drop(columns="calm_school"))
        assert "missing variable(s) calm_school" in str(e) and e.column == "calm_school"

    def test_code_outside_value_labels_csv(self, tmp_path):
        pupils, _ = good()
        pupils.loc[4, "future"] = 7
        e = _error(tmp_path, pupils)
        assert e.column == "future" and e.rows == [5] and "outside the value labels" in str(e)

    def test_code_outside_value_labels_spss(self, tmp_path):
        pupils, _ = good()
        pupils.loc[1, "trust_parents"] = 6
        with pytest.raises(InputError, match="outside the value labels") as err:
            ung_contract.read_round(_sav(tmp_path, pupils))
        assert err.value.rows == [2]

    def test_spss_label_disagreeing_with_contract(self, tmp_path):
        pupils, _ = good()
        path = _sav(tmp_path, pupils, labels={"sex": {1.0: "Flicka", 2.0: "Pojke"}})
        with pytest.raises(InputError, match="disagrees with the contract") as err:
            ung_contract.read_round(path)
        assert err.value.column == "sex"

    def test_unknown_school_year(self, tmp_path):
        pupils, _ = good()
        pupils.loc[2, "grade"] = 8
        e = _error(tmp_path, pupils)
        assert e.column == "grade" and e.rows == [3] and "unknown school year" in str(e)

    def test_unknown_kommun(self, tmp_path):
        pupils, _ = good()
        pupils.loc[0, "kommun"] = "0180"
        e = _error(tmp_path, pupils)
        assert e.column == "kommun" and e.rows == [1]

    def test_duplicate_id_and_two_years(self, tmp_path):
        pupils, _ = good()
        pupils.loc[1, "resp_id"] = "p0"
        assert "duplicate resp_id" in str(_error(tmp_path, pupils))
        pupils, _ = good()
        pupils.loc[5, "year"] = 2014
        assert "one survey round" in str(_error(tmp_path, pupils))

    def test_who5_answered_in_year_seven(self, tmp_path):
        pupils, _ = good()
        pupils.loc[0, "who5_3"] = 2  # row 0 is åk 7
        e = _error(tmp_path, pupils)
        assert e.column == "who5_3" and e.rows == [1] and "åk 9" in str(e)

    def test_answers_to_a_question_marked_not_asked(self, tmp_path):
        pupils, _ = good()
        e = _error(tmp_path, pupils, not_asked=("association",))
        assert "marked as not asked" in str(e)
        with pytest.raises(ValueError, match="not question items"):
            ung_contract.validate_round(pupils, not_asked=("school",))

    def test_missing_required_value_and_negative_weight(self, tmp_path):
        pupils, _ = good()
        pupils.loc[2, "school"] = ""
        e = _error(tmp_path, pupils)
        assert e.column == "school" and e.rows == [3]
        pupils, _ = good()
        pupils["weight"] = 1.0
        pupils.loc[1, "weight"] = -2
        e = _error(tmp_path, pupils)
        assert e.column == "weight" and "negative" in str(e)

    def test_empty_file_and_unknown_format(self, tmp_path):
        (tmp_path / "empty.csv").write_text("")
        with pytest.raises(InputError, match="empty"):
            ung_contract.read_round(tmp_path / "empty.csv")
        pupils, _ = good()
        with pytest.raises(InputError, match="no respondents"):
            ung_contract.read_round(_csv(tmp_path, pupils.iloc[:0]))
        (tmp_path / "x.xlsx").write_text("x")
        with pytest.raises(InputError, match="unknown file format"):
            ung_contract.read_round(tmp_path / "x.xlsx")


class TestValidateSchools:
    def test_canonical(self):
        _, schools = good()
        s = ung_contract.validate_schools(schools)
        assert set(s["grade"]) == set(ung_contract.GRADES) and s["enrolled"].dtype == "int64"

    def test_unit_twice_school_in_two_kommuner_bad_counts(self):
        _, schools = good()
        twice = pd.concat([schools, schools.iloc[:1]], ignore_index=True)
        with pytest.raises(InputError, match="listed twice"):
            ung_contract.validate_schools(twice)
        moved = schools.copy()
        moved.loc[0, "kommun"] = "1880"
        with pytest.raises(InputError, match="several kommuner"):
            ung_contract.validate_schools(moved)
        neg = schools.copy()
        neg.loc[2, "enrolled"] = -1
        with pytest.raises(InputError, match="negative") as err:
            ung_contract.validate_schools(neg)
        assert err.value.rows == [3]
        flag = schools.copy()
        flag.loc[1, "participated"] = 2
        with pytest.raises(InputError, match="outside the value labels"):
            ung_contract.validate_schools(flag)


class TestCheckConsistency:
    def _pair(self):
        pupils, schools = good()
        return ung_contract.validate_round(pupils), ung_contract.validate_schools(schools)

    def test_consistent(self):
        ung_contract.check_consistency(*self._pair())

    def test_pupil_in_an_unlisted_unit(self):
        p, s = self._pair()
        p.loc[4, "school"] = "9999-X"
        with pytest.raises(InputError, match="does not list") as err:
            ung_contract.check_consistency(p, s)
        assert err.value.rows == [5]

    def test_respondents_in_a_unit_that_did_not_take_part(self):
        p, s = self._pair()
        s.loc[0, "participated"] = 0
        with pytest.raises(InputError, match="not taking part"):
            ung_contract.check_consistency(p, s)

    def test_more_respondents_than_enrolled_and_other_year(self):
        p, s = self._pair()
        s.loc[0, "enrolled"] = 1
        with pytest.raises(InputError, match="more respondents than pupils enrolled"):
            ung_contract.check_consistency(p, s)
        p, s = self._pair()
        s["year"] = 2014
        with pytest.raises(InputError, match="round"):
            ung_contract.check_consistency(p, s)


class TestReadRounds:
    def test_folder_with_pupil_and_school_files(self, tmp_path):
        pupils, schools = good()
        ung_contract.write_round(ung_contract.validate_round(pupils),
                                 tmp_path / "liv_och_halsa_ung_2017.sav")
        ung_contract.write_schools(ung_contract.validate_schools(schools),
                                   tmp_path / "skolor_2017.csv")
        p08, _ = good(seed=3)
        ung_contract.write_round(
            ung_contract.validate_round(p08.assign(year=2008, physical_activity=np.nan),
                                        not_asked=("physical_activity",)),
            tmp_path / "liv_och_halsa_ung_2008.parquet")
        (tmp_path / "README.txt").write_text("not a round")
        r = ung_contract.read_rounds(tmp_path)
        assert list(r) == [2008, 2017]
        assert r[2008].schools is None and len(r[2017].schools) == len(schools)
        assert r[2008].pupils["physical_activity"].isna().all()

    def test_two_files_for_one_year_orphan_school_file_and_empty_folder(self, tmp_path):
        pupils, schools = good()
        ung_contract.write_round(ung_contract.validate_round(pupils), tmp_path / "a_2017.csv")
        ung_contract.write_round(ung_contract.validate_round(pupils),
                                 tmp_path / "b_2017.parquet")
        with pytest.raises(InputError, match="second pupil file"):
            ung_contract.read_rounds(tmp_path)
        other = tmp_path / "other"
        other.mkdir()
        ung_contract.write_schools(ung_contract.validate_schools(schools),
                                   other / "skolor_2017.csv")
        with pytest.raises(InputError, match="without a pupil file"):
            ung_contract.read_rounds(other)
        empty = tmp_path / "empty"
        empty.mkdir()
        with pytest.raises(InputError, match="no pupil files"):
            ung_contract.read_rounds(empty)

    def test_inconsistent_school_file_refused(self, tmp_path):
        pupils, schools = good()
        schools["participated"] = 0
        ung_contract.write_round(ung_contract.validate_round(pupils), tmp_path / "e_2017.csv")
        ung_contract.write_schools(ung_contract.validate_schools(schools),
                                   tmp_path / "skolor_2017.csv")
        with pytest.raises(InputError, match="not taking part"):
            ung_contract.read_rounds(tmp_path)


class TestWriteRound:
    @pytest.mark.parametrize("suffix", [".csv", ".parquet", ".sav"])
    def test_round_trip(self, tmp_path, suffix):
        pupils, schools = good()
        p = ung_contract.validate_round(pupils)
        s = ung_contract.validate_schools(schools)
        back = ung_contract.read_round(ung_contract.write_round(p, tmp_path / f"r{suffix}"))
        pd.testing.assert_frame_equal(back, p, check_dtype=False)
        back_s = ung_contract.read_schools(ung_contract.write_schools(s, tmp_path / f"s{suffix}"))
        pd.testing.assert_frame_equal(back_s, s, check_dtype=False)

    def test_spss_carries_the_contracts_value_labels(self, tmp_path):
        p = ung_contract.validate_round(good()[0])
        path = ung_contract.write_round(p, tmp_path / "r.sav")
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        assert meta.variable_value_labels["grade"][1.0] == "åk 7"
        assert meta.variable_value_labels["sex"][2.0] == "flicka"


class TestContractTable:
    def test_every_variable_in_the_document(self):
        doc = (ROOT / "docs" / "contracts" / "liv_och_halsa_ung.md").read_text(encoding="utf-8")
        for which in ("pupils", "schools"):
            for name in ung_contract.contract_table(which)["variable"]:
                assert f"`{name}`" in doc, name
