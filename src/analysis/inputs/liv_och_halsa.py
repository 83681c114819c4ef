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
from analysis.methods import frames
from analysis.synthetic import synth_survey

__all__ = [
    "CALIBRATED_TO",
    "ENV_MICRODATA",
    "PRIVATE_FOLDER",
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


class Rounds(dict):
    """``{year: canonical round}`` with ``frames`` (population frame per round), ``synthetic``
    and ``source`` (where the data came from)."""

    frames: dict[int, pd.DataFrame]
    synthetic: bool
    source: str


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
    if src:
        found = lh_contract.read_rounds(src)
        data = {y: d for y, d in found.items() if y <= edition and (years is None or y in years)}
        if not data:
            raise ValueError(f"{src} holds no round up to {edition} (found {sorted(found)})")
        if latest:
            data = {max(data): data[max(data)]}
    else:
        wanted = [y for y in synth_survey.ROUNDS if y <= edition
                  and (years is None or y in years)]
        if not wanted:
            raise ValueError(f"no survey round up to {edition}; the first is "
                             f"{synth_survey.ROUNDS[0]}")
        if latest:
            wanted = [max(wanted)]
        data = {}
    out = Rounds()
    out.frames = {}
    prm = synth_survey.resolved_params()
    for y in (sorted(data) if src else wanted):
        frame = frames.population_frame(lan_single_ages, kolada_groups, y)
        out.frames[y] = frame
        out[y] = data[y] if src else synth_survey.generate_round(y, frame, seed, params=prm)
    out.synthetic = not src
    out.source = str(src) if src else SYNTHETIC_SOURCE
    return out


def latest_round(edition: int, available: list[int] | None = None) -> int:
    """The last round at or before ``edition`` (of ``available``, default the synthetic rounds)."""
    rounds = [y for y in (available or list(synth_survey.ROUNDS)) if y <= edition]
    if not rounds:
        raise ValueError(f"no survey round up to {edition}")
    return max(rounds)
