"""Tests for analysis.contracts.register: the contract, the four readers and every error the contract names.

Fixture files are written per test into a temporary folder, in each format:
CSV and Parquet with pandas, SPSS ``.sav`` with value labels through ``pyreadstat.write_sav``, and
SAS transport ``.xpt`` through ``pyreadstat.write_xport``. pyreadstat cannot write ``.sas7bdat``
and no small real ``.sas7bdat`` file ships with the installed packages (the venv was searched), so
the SAS path is tested on ``.xpt`` (same SAS numeric/character types) and the ``.sas7bdat``
dispatch with a stand-in for ``pyreadstat.read_sas7bdat``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from analysis.contracts import register
from analysis.core.errors import InputError

GOOD = pd.DataFrame(
    {
        "person_id": ["p1", "p2", "p3", "p4"],
        "household_id": ["h1", "h1", "h2", "h3"],
        "year": [2020, 2020, 2020, 2021],
        "kommun": ["1880", "1880", "1814", "1883"],
        "age": [7, 4, 12, 0],
        "sex": ["2", "1", "1", "2"],
        "adults_in_couple": [2, 2, 0, 2],
        "other_adults": [0, 0, 1, 1],
        "children_0_19": [2, 2, 1, 1],
        "disposable_income": [412_000.0, 412_000.0, -1_500.0, 0.0],
        "economic_assistance": ["0", "0", "1", "0"],
        "background": ["svensk", "svensk", "utländsk", "svensk"],
        "parents_education": ["eftergymnasial", "eftergymnasial", "okänd", "gymnasial"],
    }
)


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _error(tmp_path: Path, frame: pd.DataFrame) -> InputError:
    with pytest.raises(InputError) as err:
        register.read_register(_csv(tmp_path, frame))
    return err.value


class TestReadRegister:
    def test_csv_to_canonical_frame(self, tmp_path):
        df = register.read_register(_csv(tmp_path, GOOD))
        assert list(df.columns) == [c for c in register.COLUMNS if c != "household_type"]
        assert str(df["year"].dtype) == "int16" and str(df["children_0_19"].dtype) == "int8"
        assert df["sex"].tolist() == ["kvinnor", "man", "man", "kvinnor"]
        assert df["economic_assistance"].tolist() == [False, False, True, False]
        assert df["disposable_income"].tolist() == [412_000.0, 412_000.0, -1_500.0, 0.0]
        assert df["kommun"].tolist() == ["1880", "1880", "1814", "1883"]

    def test_parquet(self, tmp_path):
        path = tmp_path / "extract.parquet"
        GOOD.assign(economic_assistance=[False, False, True, False]).to_parquet(path)
        df = register.read_register(path)
        assert df["economic_assistance"].tolist() == [False, False, True, False]
        assert len(df) == 4

    def test_spss_with_value_labels_applied(self, tmp_path):
        path = tmp_path / "extract.sav"
        coded = GOOD.assign(
            sex=[2, 1, 1, 2],
            background=[1, 1, 2, 1],
            parents_education=[3, 3, 9, 2],
            economic_assistance=[0, 0, 1, 0],
            kommun=[1880, 1880, 1814, 1883],
        )
        pyreadstat.write_sav(
            coded, str(path),
            variable_value_labels={
                "sex": {1: "man", 2: "kvinna"},
                "background": {1: "Svensk bakgrund", 2: "Utländsk bakgrund"},
                "parents_education": {1: "Förgymnasial", 2: "Gymnasial", 3: "Eftergymnasial",
                                      9: "Okänd"},
                "economic_assistance": {0: "Nej", 1: "Ja"},
            },
        )
        df = register.read_register(path)
        assert df["sex"].tolist() == ["kvinnor", "man", "man", "kvinnor"]
        assert df["background"].tolist() == ["svensk", "svensk", "utländsk", "svensk"]
        assert df["parents_education"].tolist() == ["eftergymnasial", "eftergymnasial", "okänd",
                                                    "gymnasial"]
        assert df["economic_assistance"].tolist() == [False, False, True, False]
        assert df["kommun"].tolist() == ["1880", "1880", "1814", "1883"]  # numeric 1880.0 -> "1880"

    def test_sas_transport_with_scb_style_names(self, tmp_path):
        path = tmp_path / "extract.xpt"
        scb_names = {"person_id": "LopNr", "household_id": "HushId", "year": "Ar",
                     "kommun": "Kommun", "age": "Alder", "sex": "Kon"}
        sas = GOOD.assign(sex=[2, 1, 1, 2], economic_assistance=[0, 0, 1, 0]).rename(columns=scb_names)
        pyreadstat.write_xport(sas, str(path), file_format_version=8)
        df = register.read_register(path, columns={v: k for k, v in scb_names.items()})
        assert df["person_id"].tolist() == ["p1", "p2", "p3", "p4"]
        assert df["year"].tolist() == [2020, 2020, 2020, 2021]
        assert df["sex"].tolist() == ["kvinnor", "man", "man", "kvinnor"]

    def test_sas7bdat_dispatch(self, tmp_path, monkeypatch):
        path = tmp_path / "extract.sas7bdat"
        path.write_bytes(b"not empty")
        seen = {}

        def fake_read(p, catalog_file=None, apply_value_formats=False, formats_as_category=True):
            seen.update(path=p, catalog=catalog_file, apply=apply_value_formats)
            return GOOD.copy(), None

        monkeypatch.setattr(pyreadstat, "read_sas7bdat", fake_read)
        df = register.read_register(path, catalog_file=tmp_path / "formats.sas7bcat")
        assert len(df) == 4 and seen["apply"] is True and seen["path"] == str(path)

    def test_column_names_case_insensitive_and_extra_columns_dropped(self, tmp_path):
        frame = GOOD.rename(columns={"kommun": "KOMMUN", "age": "Age"}).assign(note="x")
        df = register.read_register(_csv(tmp_path, frame))
        assert "note" not in df.columns and df["age"].tolist() == [7, 4, 12, 0]

    def test_semicolon_decimal_comma_latin1(self, tmp_path):
        path = tmp_path / "scb.csv"
        GOOD.assign(disposable_income=["412000,5", "412000,5", "-1500", "0"]).to_csv(
            path, sep=";", index=False, encoding="latin-1")
        df = register.read_register(path, sep=";", decimal=",", encoding="latin-1")
        assert df["disposable_income"].tolist() == [412_000.5, 412_000.5, -1_500.0, 0.0]
        assert df["background"].tolist()[2] == "utländsk"

    def test_optional_household_type_kept(self, tmp_path):
        df = register.read_register(_csv(tmp_path, GOOD.assign(household_type=["31", "31", "22", "31"])))
        assert df["household_type"].tolist() == ["31", "31", "22", "31"]

    def test_unknown_format(self, tmp_path):
        path = tmp_path / "extract.xlsx"
        path.write_bytes(b"x")
        with pytest.raises(InputError, match="unknown file format"):
            register.read_register(path)


class TestContractErrors:
    def test_empty_file(self, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_bytes(b"")
        with pytest.raises(InputError, match="the file is empty"):
            register.read_register(path)

    def test_header_only(self, tmp_path):
        err = _error(tmp_path, GOOD.iloc[0:0])
        assert "no data rows" in str(err)

    def test_empty_parquet(self, tmp_path):
        path = tmp_path / "empty.parquet"
        GOOD.iloc[0:0].to_parquet(path)
        with pytest.raises(InputError, match="no data rows"):
            register.read_register(path)

    def test_missing_column(self, tmp_path):
        err = _error(tmp_path, GOOD.drop(columns=["age", "sex"]))
        assert err.column == "age" and "missing column(s) age, sex" in err.message

    def test_unknown_kommun_code(self, tmp_path):
        # Stockholm (0180) is a valid-looking code but not in Örebro län
        err = _error(tmp_path, GOOD.assign(kommun=["1880", "0180", "1814", "9999"]))
        assert err.column == "kommun" and err.rows == [2, 4] and err.values == ["0180", "9999"]
        assert "unknown kommun code" in err.message

    def test_negative_age(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(age=[7, -4, 12, 0]))
        assert (err.column, err.rows, err.values, err.message) == ("age", [2], [-4], "negative age")

    def test_non_numeric_income(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(disposable_income=["412000", "412000", "saknas", "0"]))
        assert err.column == "disposable_income" and err.rows == [3] and err.values == ["saknas"]
        assert "non-numeric" in err.message

    def test_decimal_comma_hint(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(disposable_income=["412000,5", "412000,5", "1", "0"]))
        assert "decimal=','" in err.message

    def test_missing_values(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(year=[2020, None, 2020, 2021]))
        assert err.column == "year" and err.rows == [2] and "missing" in err.message

    def test_duplicate_person_year(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(person_id=["p1", "p1", "p3", "p4"]))
        assert err.column == "person_id" and err.rows == [1, 2]
        assert "duplicate (person_id, year)" in err.message

    def test_person_in_two_households_in_one_year(self, tmp_path):
        frame = GOOD.assign(person_id=["p1", "p2", "p1", "p4"])  # p1 in h1 and h2 in 2020
        err = _error(tmp_path, frame)
        assert err.column == "household_id" and err.rows == [1, 3]
        assert "two households" in err.message and err.values[0] == "p1 2020: h1"

    def test_household_values_differ_between_members(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(disposable_income=[412_000, 400_000, -1_500, 0]))
        assert err.column == "disposable_income" and err.rows == [1, 2]

    def test_household_without_adult(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(adults_in_couple=[2, 2, 0, 0], other_adults=[0, 0, 1, 0]))
        assert err.rows == [4] and "without an adult" in err.message

    @pytest.mark.parametrize(
        "column, values, message",
        [
            ("sex", ["2", "1", "3", "2"], "unknown sex code"),
            ("background", ["svensk", "svensk", "nordisk", "svensk"], "unknown background"),
            ("parents_education", ["gymnasial", "gymnasial", "okänd", "doktor"],
             "unknown parents_education"),
            ("adults_in_couple", [2, 2, 1, 2], "0 or 2"),
            ("economic_assistance", ["0", "0", "kanske", "0"], "yes/no"),
            ("age", [7, 4, 12.5, 0], "whole number"),
        ],
    )
    def test_unknown_codes(self, tmp_path, column, values, message):
        err = _error(tmp_path, GOOD.assign(**{column: values}))
        assert err.column == column and message in err.message and len(err.rows) == 1

    def test_message_names_file_column_and_rows(self, tmp_path):
        err = _error(tmp_path, GOOD.assign(age=[7, -4, 12, 0]))
        assert str(err).startswith(str(tmp_path / "extract.csv"))
        assert "column 'age'" in str(err) and "row 2: -4" in str(err)


class TestValidateRegister:
    def test_in_memory_frame(self):
        df = register.validate_register(GOOD)
        assert len(df) == 4 and df.index.tolist() == [0, 1, 2, 3]

    def test_contract_doc_lists_every_column(self):
        doc = (Path(__file__).resolve().parents[2] / "docs" / "contracts" / "register.md").read_text(encoding="utf-8")
        for column in register.COLUMNS:
            assert f"`{column}`" in doc
            assert column in register.__doc__


class TestDecimalToPoint:
    def test_grouped_thousands_and_refusals(self):
        s = pd.Series(["1.234.567,5", "12,25", "-3"])
        assert register.decimal_to_point(s, ",", "f.csv", "x").tolist() == ["1234567.5", "12.25", "-3"]
        with pytest.raises(InputError, match="is not a thousands separator"):
            register.decimal_to_point(pd.Series(["412345.5", "1,5"]), ",", "f.csv", "x")
        with pytest.raises(InputError, match="ambiguous"):
            register.decimal_to_point(pd.Series(["412.345"]), ",", "f.csv", "x")


class TestCheckPlausible:
    def _frame(self, income, n=120):
        return pd.DataFrame({"household_id": [f"h{i}" for i in range(n)], "year": 2019,
                             "disposable_income": income})

    def test_bounds(self):
        register.check_plausible(self._frame(400_000.0))
        register.check_plausible(self._frame(4_000_000.0, n=10))  # too few to judge
        with pytest.raises(InputError, match="median disposable income"):
            register.check_plausible(self._frame(4_000_000.0))
        with pytest.raises(InputError, match="50.0% of the households have a disposable income of 0"):
            register.check_plausible(self._frame(0.0).assign(
                disposable_income=lambda d: [0.0] * 60 + [500_000.0] * 60))
