"""Shared test setup: tests run from any folder and never touch the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _no_declared_inputs(monkeypatch):
    """Outside a build, notebooks may load any dataset: clear the build's environment."""
    for var in ("ANALYSIS_DECLARED_INPUTS", "ANALYSIS_INPUT_LOG", "ANALYSIS_NB_STEM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANALYSIS_ROOT", str(ROOT))
