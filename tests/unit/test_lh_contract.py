"""Tests for analysis.contracts.lh_contract: the Liv & hälsa round contract, its readers and every refusal.

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

from analysis.contracts import lh_contract
from analysis.core import geo
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def good(n_per_kommun: int = 3, seed: int = 1) -> pd.DataFrame:
    """A valid round: every kommun a stratum with ``n_per_kommun`` respondents."""
    rng = np.random.default_rng(seed)
    kommuner = np.repeat(list(geo.KOMMUNER), n_per_kommun)
    n = len(kommuner)
    out = pd.DataFrame({
        "resp_id": [f"r{i}" for i in range(n)],
        "year": 2017,
        "kommun": kommuner,
        "stratum": kommuner,
        "sex": rng.choice([1, 2], n),
        "age": rng.integers(18, 95, n),
    })
    for v in lh_contract.VARIABLES:
        if v.kind == "code":
            out[v.name] = rng.choice(list(v.labels), n)
    out["design_weight"] = 10.0
    out["stratum_population"] = 1000.0
    return out


_csv = write_csv
_error = partial(csv_error, lh_contract.read_round)
_sav = partial(write_sav, lh_contract.VARIABLES)


class TestReadRound:
    def test_csv_to_canonical_frame(self, tmp_path):
        df = lh_contract.read_round(_csv(tmp_path, good()))
        names = [v.name for v in lh_contract.VARIABLES if v.name != "calibrated_weight"]
        assert list(df.columns) == names
        assert set(df["sex"]) == {"kvinnor", "man"}
        assert str(df["age"].dtype) == "int16" and str(df["education"].dtype) == "Int8"
        assert df["kommun"].tolist()[:3] == ["1814"] * 3
        assert df["design_weight"].dtype == "float64"

    def test_labels_as_text_and_numeric_kommun(self, tmp_path):
        g = good()
        g["education"] = g["education"].map({1: "Förgymnasial", 2: "gymnasial ",
                                             3: "EFTERGYMNASIAL"})
        g["sex"] = g["sex"].map({1: "man", 2: "kvinna"})
        g["kommun"] = g["kommun"].astype(int)
        g["stratum"] = g["kommun"]
        df = lh_contract.read_round(_csv(tmp_path, g))
        assert set(df["education"].dropna()) <= {1, 2, 3}
        assert df["kommun"].iloc[0] == "1814"

    def test_missing_items_stay_missing(self, tmp_path):
        g = good().astype({"anxiety": "float"})
        g.loc[[0, 5], "anxiety"] = np.nan
        df = lh_contract.read_round(_csv(tmp_path, g))
        assert df["anxiety"].isna().sum() == 2

    def test_parquet(self, tmp_path):
        path = tmp_path / "round.parquet"
        good().to_parquet(path)
        assert len(lh_contract.read_round(path)) == 36

    def test_spss_with_value_labels_and_user_missing(self, tmp_path):
        g = good().astype({"sleep": "float"})
        g.loc[0, "sleep"] = 9.0  # user-missing "vet ej"
        path = _sav(tmp_path, g, labels={"sleep": {1.0: "nej", 2.0: "ja, lätta besvär",
                                                   3.0: "ja, svåra besvär", 9.0: "vet ej"}},
                    missing_ranges={"sleep": [9.0]})
        df = lh_contract.read_round(path)
        assert pd.isna(df["sleep"].iloc[0])
        assert df["sex"].isin(["kvinnor", "man"]).all()

    def test_year_from_reader_and_renames(self, tmp_path):
        g = good().drop(columns="year").rename(columns={"sex": "Kon", "anxiety": "F12"})
        df = lh_contract.read_round(_csv(tmp_path, g), year=2012,
                                    columns={"Kon": "sex", "F12": "anxiety"})
        assert (df["year"] == 2012).all()

    def test_not_asked_question_may_be_absent(self, tmp_path):
        df = lh_contract.read_round(_csv(tmp_path, good().drop(columns="optimism")),
                                    not_asked=("optimism",))
        assert df["optimism"].isna().all()


class TestRefusals:
    """Bad microdata files are refused with a message naming variable and rows."""

    def test_missing_variable(self, tmp_path):
        err = _error(tmp_path, good().drop(columns="general_health"))
        assert "missing variable" in str(err) and err.column == "general_health"

    def test_code_outside_value_labels_csv(self, tmp_path):
        g = good()
        g.loc[4, "general_health"] = 7
        err = _error(tmp_path, g)
        assert "code outside the value labels" in str(err)
        assert err.column == "general_health" and err.rows == [5] and err.values == ["7"]

    def test_unknown_label_text(self, tmp_path):
        g = good().astype({"smoking": object})
        g.loc[2, "smoking"] = "ibland kanske"
        err = _error(tmp_path, g)
        assert err.column == "smoking" and err.rows == [3]

    def test_code_outside_value_labels_spss(self, tmp_path):
        g = good()
        g.loc[1, "anxiety"] = 4
        with pytest.raises(InputError, match="code outside the value labels") as err:
            lh_contract.read_round(_sav(tmp_path, g))
        assert err.value.rows == [2]

    def test_spss_label_disagreeing_with_contract(self, tmp_path):
        path = _sav(tmp_path, good(), labels={"sex": {1.0: "Kvinna", 2.0: "Man"}})
        with pytest.raises(InputError, match="disagrees with the contract") as err:
            lh_contract.read_round(path)
        assert err.value.column == "sex"

    def test_negative_weight(self, tmp_path):
        g = good()
        g.loc[6, "design_weight"] = -2.5
        err = _error(tmp_path, g)
        assert "negative weight" in str(err) and err.rows == [7]

    def test_zero_design_weight(self, tmp_path):
        g = good()
        g.loc[0, "design_weight"] = 0
        assert "must be positive" in str(_error(tmp_path, g))

    def test_negative_calibrated_weight(self, tmp_path):
        g = good().assign(calibrated_weight=5.0)
        g.loc[3, "calibrated_weight"] = -1
        err = _error(tmp_path, g)
        assert err.column == "calibrated_weight" and "negative weight" in str(err)

    def test_empty_stratum_kommun_without_respondents(self, tmp_path):
        g = good()
        g = g[g["kommun"] != "1864"]
        err = _error(tmp_path, g)
        assert "empty stratum" in str(err) and "1864" in str(err)

    def test_empty_stratum_declared_in_spss_labels(self, tmp_path):
        g = good()
        codes = {k: float(i + 1) for i, k in enumerate(geo.KOMMUNER)}
        g["stratum"] = g["kommun"].map(codes)
        labels = {"stratum": {**{c: k for k, c in codes.items()}, 13.0: "1880-2"}}
        with pytest.raises(InputError, match="empty stratum") as err:
            lh_contract.read_round(_sav(tmp_path, g, labels=labels))
        assert "13" in str(err.value)

    def test_empty_stratum_declared_in_parquet_categories(self, tmp_path):
        g = good()
        g["stratum"] = pd.Categorical(g["stratum"], categories=[*geo.KOMMUNER, "1880-2"])
        path = tmp_path / "round.parquet"
        g.to_parquet(path)
        with pytest.raises(InputError, match="empty stratum"):
            lh_contract.read_round(path)

    def test_single_respondent_stratum(self, tmp_path):
        g = good()
        g.loc[0, "stratum"] = "1814-x"
        err = _error(tmp_path, g)
        assert "single respondent" in str(err) and err.rows == [1]

    def test_stratum_in_two_kommuner(self, tmp_path):
        g = good()
        g.loc[0:1, "stratum"] = "1860"
        assert "spans several kommuner" in str(_error(tmp_path, g))

    def test_age_under_18(self, tmp_path):
        g = good()
        g.loc[8, "age"] = 16
        err = _error(tmp_path, g)
        assert err.column == "age" and err.rows == [9]

    def test_unknown_kommun(self, tmp_path):
        g = good()
        g.loc[0, "kommun"] = "0180"
        assert "unknown kommun" in str(_error(tmp_path, g))

    def test_duplicate_id_and_two_years(self, tmp_path):
        g = good()
        g.loc[1, "resp_id"] = "r0"
        assert "duplicate resp_id" in str(_error(tmp_path, g))
        g = good()
        g.loc[1, "year"] = 2012
        assert "one survey round" in str(_error(tmp_path, g))

    def test_missing_required_value(self, tmp_path):
        g = good().astype({"age": float})
        g.loc[3, "age"] = np.nan
        err = _error(tmp_path, g)
        assert "missing values" in str(err) and err.rows == [4]

    def test_answers_to_a_question_marked_not_asked(self, tmp_path):
        assert "not asked" in str(_error(tmp_path, good(), not_asked=("optimism",)))

    def test_empty_file_and_unknown_format(self, tmp_path):
        (tmp_path / "e.csv").write_text("")
        with pytest.raises(InputError, match="empty"):
            lh_contract.read_round(tmp_path / "e.csv")
        (tmp_path / "h.csv").write_text("resp_id,year\n")
        with pytest.raises(InputError, match="no respondents"):
            lh_contract.read_round(tmp_path / "h.csv")
        (tmp_path / "x.xlsx").write_text("x")
        with pytest.raises(InputError, match="unknown file format"):
            lh_contract.read_round(tmp_path / "x.xlsx")


class TestValidateRound:
    def test_in_memory_and_unknown_not_asked(self):
        df = lh_contract.validate_round(good())
        assert len(df) == 36
        with pytest.raises(ValueError, match="not question items"):
            lh_contract.validate_round(good(), not_asked=("age",))


class TestReadRounds:
    def test_folder_year_from_file_name(self, tmp_path):
        lh_contract.write_round(lh_contract.validate_round(good()), tmp_path / "lh_2017.parquet")
        g12 = good().assign(year=2012, optimism=np.nan)
        g12.to_csv(tmp_path / "liv_och_halsa_2012.csv", index=False)
        (tmp_path / "README.md").write_text("not a round")
        rounds = lh_contract.read_rounds(tmp_path)
        assert list(rounds) == [2012, 2017]
        assert rounds[2012]["optimism"].isna().all()

    def test_two_files_for_one_year_and_empty_folder(self, tmp_path):
        with pytest.raises(InputError, match="no survey files"):
            lh_contract.read_rounds(tmp_path)
        good().to_csv(tmp_path / "a_2017.csv", index=False)
        good().to_csv(tmp_path / "b_2017.csv", index=False)
        with pytest.raises(InputError, match="second file"):
            lh_contract.read_rounds(tmp_path)


class TestWriteRound:
    @pytest.mark.parametrize("suffix", [".sav", ".parquet", ".csv"])
    def test_round_trip(self, tmp_path, suffix):
        g = lh_contract.validate_round(good())
        g.loc[0, "anxiety"] = pd.NA
        path = lh_contract.write_round(g, tmp_path / f"round{suffix}")
        back = lh_contract.read_round(path)
        pd.testing.assert_frame_equal(back, g, check_dtype=False)

    def test_spss_carries_the_contracts_value_labels(self, tmp_path):
        path = lh_contract.write_round(lh_contract.validate_round(good()), tmp_path / "r.sav")
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        assert meta.variable_value_labels["general_health"][1.0] == "mycket bra"


class TestContractTable:
    def test_every_variable_in_the_document(self):
        doc = (ROOT / "docs" / "contracts" / "liv_och_halsa.md").read_text(encoding="utf-8")
        table = lh_contract.contract_table()
        assert len(table) == len(lh_contract.VARIABLES)
        for name in table["variable"]:
            assert f"`{name}`" in doc or (name.startswith("who5_") and "`who5_1` … `who5_5`"
                                            in doc), name
        for name in table["variable"]:
            assert name in lh_contract.__doc__ or name.startswith("who5_"), name
