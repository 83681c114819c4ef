"""Shared helpers for reading confidential microdata files (survey rounds, register extracts).

The input contracts (:mod:`analysis.register`, :mod:`analysis.lh_contract`,
:mod:`analysis.ung_contract`) read CSV, Parquet, SAS and SPSS files whose columns arrive as
numbers, text or labelled codes; these helpers turn a column into comparable text and report bad
cells with their 1-based row numbers through :class:`analysis.errors.InputError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError


def rows(mask) -> list[int]:
    """1-based row numbers (the analyst's view of the file) where ``mask`` is true."""
    return (np.flatnonzero(np.asarray(mask, dtype=bool)) + 1).tolist()


def fail(path: str, message: str, column: str | None, mask, values) -> InputError:
    """An :class:`InputError` naming the file, the column, the rows in ``mask`` and their values."""
    m = np.asarray(mask, dtype=bool)
    vals = np.asarray(values, dtype=object)[m].tolist()
    return InputError(path, message, column=column, rows=rows(m), values=vals)


def cell_text(col: pd.Series) -> pd.Series:
    """Text of each cell (pandas ``string``, ``<NA>`` if missing), vectorised.

    Whole floats (``1880.0`` from SAS/SPSS numerics) lose the ``.0``; text is trimmed;
    categoricals (SPSS value labels) become their labels.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_float_dtype(col):
        whole = (col == np.floor(col)).fillna(False).to_numpy(dtype=bool)
        out = col.astype("string")
        out[whole] = col[whole].astype("int64").astype("string")
        return out
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
        return col.astype("string")
    return col.astype("string").str.strip()


def is_missing(text: pd.Series) -> np.ndarray:
    """True where a cell (as text) is missing or empty."""
    return (text.isna() | (text.str.len() == 0)).to_numpy(dtype=bool)
