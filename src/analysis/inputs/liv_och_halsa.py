"""Liv & hälsa rounds for the book: the real survey files when they are there, else synthetic rounds.

The one place that chooses between real and synthetic Liv & hälsa data. :func:`load_rounds`
returns :class:`Rounds`, ``{year: round}`` in the contract of :mod:`analysis.contracts.lh_contract`
with ``frames`` (the population frame of each round, :func:`analysis.methods.frames.population_frame`),
``synthetic`` and ``source``. Real rounds are read from the folder or file named by
``source``, the environment variable ``ANALYSIS_LIV_OCH_HALSA`` or ``data/private/liv_och_halsa/``
(:func:`microdata_source`); without any, the rounds are drawn by
:func:`analysis.synthetic.synth_survey.generate_round` with the edition's seed.
"""

from __future__ import annotations

import pandas as pd

from analysis.contracts import lh_contract, microdata
from analysis.core import diskcache
from analysis.inputs import rounds
from analysis.methods import frames
from analysis.synthetic import synth_survey

__all__ = [
    "CALIBRATED_TO",
    "ENV_MICRODATA",
    "PRIVATE_FOLDER",
    "SYNTHETIC_ROUNDS",
    "SYNTHETIC_SOURCE",
    "Rounds",
    "latest_round",
    "load_rounds",
    "microdata_source",
]

#: Environment variable naming a folder (or one file) of real rounds in the contract, e.g.
#: ``data/private/liv_och_halsa/`` holding ``liv_och_halsa_2017.sav``.
ENV_MICRODATA = "ANALYSIS_LIV_OCH_HALSA"
#: Folder (under the repository root) searched for real rounds when the variable is unset.
PRIVATE_FOLDER = ("data", "private", "liv_och_halsa")
#: What the synthetic rounds are calibrated to (for the page's notice on synthetic data).
CALIBRATED_TO = (
    "de publicerade siffrorna från Liv & hälsa 2017 (andel med god hälsa efter utbildning, "
    "sysselsättning, ekonomi och kön; ängslan, oro eller ångest bland kvinnor och män; "
    "diagnosticerad depression) och befolkningen per kommun, kön och ålder"
)


Rounds = rounds.SurveyRounds


#: The rounds the synthetic generator draws.
SYNTHETIC_ROUNDS: tuple[int, ...] = tuple(synth_survey.ROUNDS)
#: The ``source`` of synthetic rounds.
SYNTHETIC_SOURCE = "syntetiska data (analysis.synthetic.synth_survey)"


def microdata_source(source: str | None = None) -> str | None:
    """Where real rounds are read from, or None for synthetic data.

    In order: ``source``; the environment variable ``ANALYSIS_LIV_OCH_HALSA``;
    ``data/private/liv_och_halsa/`` if it holds round files (``.sav``, ``.zsav``, ``.parquet``,
    ``.csv``). The build's cache key covers both the variable and ``data/private/``.
    """

    return microdata.rounds_source(source, ENV_MICRODATA, PRIVATE_FOLDER,
                                   lh_contract.ROUND_SUFFIXES)


def load_rounds(edition: int, seed: int, lan_single_ages: pd.DataFrame,
                kolada_groups: pd.DataFrame, *, source: str | None = None,
                years: list[int] | None = None, latest: bool = False) -> Rounds:
    """The survey rounds a page uses: real files if configured, else synthetic rounds.

    Parameters
    ----------
    edition
        Rounds up to this year are used.
    seed
        Seed of the synthetic generator (the edition's ``seed`` parameter).
    lan_single_ages, kolada_groups
        Population inputs of :func:`analysis.methods.frames.population_frame` (the raking
        margins, and the synthetic population).
    source
        Folder or file of real rounds in the contract (:func:`analysis.contracts.lh_contract.read_rounds`);
        default :func:`microdata_source` (the environment variable ``ANALYSIS_LIV_OCH_HALSA``,
        else ``data/private/liv_och_halsa/``); without any, the rounds are synthetic
        (:func:`analysis.synthetic.synth_survey.generate_round`).
    years
        Only these rounds.
    latest
        Only the last round up to ``edition`` (for a profile).

    Returns
    -------
    Rounds
        ``{year: round}`` in year order.
    """

    src = microdata_source(source)
    prm = synth_survey.resolved_params()
    return rounds.load(
        edition, source=src, read_real=lh_contract.read_rounds,
        synthetic_rounds=synth_survey.ROUNDS,
        make_synthetic=lambda wanted, fr: {
            y: _synthetic_round(y, fr[y], seed, prm) for y in wanted},
        make_frame=lambda y: frames.population_frame(lan_single_ages, kolada_groups, y),
        synthetic_source=SYNTHETIC_SOURCE, years=years, latest=latest, what="Liv & hälsa")


def _synthetic_round(year: int, frame: pd.DataFrame, seed: int, prm: dict) -> pd.DataFrame:
    """:func:`analysis.synthetic.synth_survey.generate_round`; in a build drawn once and kept
    for the other notebooks (:func:`analysis.core.diskcache.memo`: every kommun profile draws
    the same latest round)."""
    return diskcache.memo(
        "liv_och_halsa_round", synth_survey.__name__,
        {"year": int(year), "seed": int(seed), "params": prm,
         "frame": diskcache.frame_hash(frame)},
        lambda: synth_survey.generate_round(year, frame, seed, params=prm))


def latest_round(edition: int, available: list[int] | None = None) -> int:
    """The last round at or before ``edition`` (of ``available``, default the synthetic rounds)."""
    return rounds.select(available or synth_survey.ROUNDS, edition, latest=True,
                         what="Liv & hälsa")[0]
