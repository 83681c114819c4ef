"""Builders and checks shared by the survey tests (contracts, generators, chapters).

Imported by name (``from _survey_fixtures import ...``): pytest puts ``tests/unit`` on the
import path of its test modules (rootdir-based ``prepend`` import mode; no ``__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from analysis.core import provenance
from analysis.core.errors import InputError
from analysis.present import codebook, publish


# --------------------------------------------------------------------------- contract files
def write_csv(folder: Path, frame: pd.DataFrame, name: str = "round.csv") -> Path:
    """``frame`` as a CSV file in ``folder``."""
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def csv_error(read: Callable, folder: Path, frame: pd.DataFrame, **kwargs) -> InputError:
    """The :class:`InputError` that ``read`` raises on ``frame`` written as CSV."""
    with pytest.raises(InputError) as err:
        read(write_csv(folder, frame), **kwargs)
    return err.value


def write_sav(variables: Sequence, folder: Path, frame: pd.DataFrame,
              labels: dict | None = None, **kwargs) -> Path:
    """``frame`` as ``round.sav`` with the value labels of the contract's ``variables`` (and
    ``labels`` over them) through :func:`pyreadstat.write_sav`."""
    path = folder / "round.sav"
    lab = {v.name: {float(k): s for k, s in v.labels.items()} for v in variables
           if v.labels and v.name in frame.columns}
    lab.update(labels or {})
    pyreadstat.write_sav(frame, str(path), variable_value_labels=lab, **kwargs)
    return path


# --------------------------------------------------------------------------- generators
def scaled(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """A population frame with every cell's ``population`` times ``factor`` (rounded)."""
    out = frame.assign(population=(frame["population"] * factor).round().astype(int))
    out.attrs.update(frame.attrs)
    return out


# --------------------------------------------------------------------------- chapters
def check_no_value_under(tables: Mapping[str, tuple[pd.DataFrame, tuple[str, ...]]],
                         threshold: int, suppress: Callable, for_csv: Callable,
                         flags: tuple[str, ...] = ("significant",)) -> None:
    """No estimate built on fewer than ``threshold`` respondents survives suppression: in the
    table (blanked) and in its CSV download (empty, ``undertryckt`` ``ja``), and the rule did suppress cells.

    ``tables`` maps a name to a table and its count columns; ``flags`` are the 0/1 columns
    besides ``value_*``/``lower_*``/``upper_*``/``se_*`` that suppression blanks. Writes the CSV
    files into the working directory (run under ``monkeypatch.chdir``).
    """
    n_suppressed = 0
    for name, (table, counts) in tables.items():
        t = suppress(table, threshold, counts=counts)
        under = np.zeros(len(t), bool)
        for c in counts:
            under |= (table[c] < threshold).to_numpy()
        assert (t["suppressed"].to_numpy() == under).all(), name
        assert t.loc[under, list(counts)].isna().all().all(), name  # respondents hidden too
        n_suppressed += int(under.sum())
        blanked = [c for c in t.columns if c in ("value", "lower", "upper", "se", *flags)
                   or c.startswith(("value_", "lower_", "upper_", "se_"))]
        assert t.loc[under, blanked].isna().all().all(), name
        csv = codebook.read(publish.write_csv(for_csv(t, True), name,
                                              kind=provenance.SYNTHETIC))
        hidden = csv["rad"].isin(np.flatnonzero(under) + 1).to_numpy()
        assert (csv.loc[hidden, "undertryckt"] == "ja").all(), name
        numbers = ["värde", "nedre", "övre", "medelfel", "antal_svarande"]
        assert csv.loc[hidden, numbers].isna().all().all(), name
        assert (csv.loc[hidden, "anmärkning"].fillna("") == "").all(), name  # no flag beside it
        assert (csv["datatyp"] == "syntetisk").all()
        assert (csv.loc[~hidden, "undertryckt"] == "nej").all(), name
        assert csv.loc[~hidden, "värde"].notna().any() or not (~hidden).any(), name
    assert n_suppressed > 20  # the test exercised the rule
