"""Fixtures shared by the unit tests of the survey generators and chapters."""

from __future__ import annotations

import pytest

from analysis.methods import population
from analysis.sources import catalog


@pytest.fixture(scope="module")
def inputs():
    """The population inputs of the survey generators: the län's single ages (to 2019) and
    Kolada's age groups per kommun."""
    kolada = catalog.load("kolada_befolkning")
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada, 2019)
    return lan, population.kolada_age_groups(kolada)
