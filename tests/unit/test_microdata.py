"""Shared microdata helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import microdata
from analysis.errors import InputError


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
