"""Liv & hälsa ung rounds for the book: the real survey files when they are there, else synthetic rounds.

The one place that chooses between real and synthetic Liv & hälsa ung data. :func:`load_rounds`
returns :class:`YouthRounds`, ``{year: analysis.contracts.ung_contract.Round}`` (pupil and
school files) with ``frames`` (the pupil cohorts of each round,
:func:`analysis.methods.frames.cohort_frame`), ``synthetic`` and ``source``. Real rounds are read
from the folder named by ``source``, the environment variable ``ANALYSIS_LIV_OCH_HALSA_UNG`` or
``data/private/liv_och_halsa_ung/`` (:func:`microdata_source`); without any, the rounds are
drawn by :mod:`analysis.synthetic.synth_ung` with the edition's seed and cached on disk
(:func:`analysis.synthetic.synth_ung.cached_rounds`). :func:`targets_table` and
:func:`generator_facts` describe the generator for the chapter's method note.
"""

from __future__ import annotations

import pandas as pd

from analysis.contracts import microdata, ung_contract
from analysis.core import text
from analysis.inputs import rounds
from analysis.methods import frames
from analysis.synthetic import synth_ung

__all__ = [
    "CALIBRATED_TO",
    "ENV_MICRODATA",
    "PRIVATE_FOLDER",
    "SYNTHETIC_ROUNDS",
    "SYNTHETIC_SOURCE",
    "YouthRounds",
    "generator_facts",
    "latest_round",
    "load_rounds",
    "microdata_source",
    "targets_table",
]

#: Environment variable naming a folder of real rounds in the contract, e.g.
#: ``data/private/liv_och_halsa_ung/`` with ``liv_och_halsa_ung_2017.sav`` and
#: ``skolor_2017.csv``.
ENV_MICRODATA = "ANALYSIS_LIV_OCH_HALSA_UNG"
#: Folder (under the repository root) searched for real rounds when the variable is unset.
PRIVATE_FOLDER = ("data", "private", "liv_och_halsa_ung")
#: What the synthetic rounds are calibrated to (for the page's notice on synthetic data).
CALIBRATED_TO = (
    "befolkningen 13, 15 och 17 år per kommun och kön (SCB och Kolada) och, eftersom nästan inga "
    "siffror från Liv & hälsa ung har publicerats, dokumenterade antaganden om nivåerna 2017 "
    "(bland annat en påhittad kurva från cirka 30 procent som mår bra varje dag utan "
    "skyddsfaktorer till cirka 80 procent med alla fem)"
)


YouthRounds = rounds.SurveyRounds


#: The rounds the synthetic generator draws.
SYNTHETIC_ROUNDS: tuple[int, ...] = tuple(synth_ung.ROUNDS)
#: The ``source`` of synthetic rounds.
SYNTHETIC_SOURCE = synth_ung.SOURCE


def microdata_source(source: str | None = None) -> str | None:
    """Where real rounds are read from, or None for synthetic data.

    In order: ``source``; the environment variable ``ANALYSIS_LIV_OCH_HALSA_UNG``;
    ``data/private/liv_och_halsa_ung/`` if it holds round files (``.sav``, ``.zsav``,
    ``.parquet``, ``.pq``, ``.csv``). The build's cache key covers both the variable and
    ``data/private/`` (:func:`analysis.book.jobs.private_data_hash`).
    """
    return microdata.rounds_source(source, ENV_MICRODATA, PRIVATE_FOLDER,
                                   ung_contract.ROUND_SUFFIXES)


def load_rounds(edition: int, seed: int, lan_single_ages: pd.DataFrame,
                kolada_groups: pd.DataFrame, *, source: str | None = None,
                years: list[int] | None = None, latest: bool = False,
                cache_root=None) -> YouthRounds:
    """The rounds a page uses: real files if configured, else synthetic rounds (cached).

    Parameters
    ----------
    edition
        Rounds up to this year are used.
    seed
        Seed of the synthetic generator (the edition's ``seed`` parameter).
    lan_single_ages, kolada_groups
        Population inputs of :func:`analysis.methods.frames.cohort_frame` (the post-strata, and
        the synthetic pupils).
    source
        Folder of real rounds in the contract (:func:`analysis.contracts.ung_contract.read_rounds`);
        default :func:`microdata_source` (the environment variable
        ``ANALYSIS_LIV_OCH_HALSA_UNG``, else ``data/private/liv_och_halsa_ung/``); without any,
        the rounds are synthetic (:func:`analysis.synthetic.synth_ung.cached_rounds`).
    years
        Only these rounds.
    latest
        Only the last round up to ``edition`` (for a profile).

    Returns
    -------
    YouthRounds
        ``{year: Round}`` in year order.
    """
    src = microdata_source(source)
    return rounds.load(
        edition, source=src, read_real=ung_contract.read_rounds,
        synthetic_rounds=synth_ung.ROUNDS,
        make_synthetic=lambda wanted, fr: synth_ung.cached_rounds(
            lan_single_ages, kolada_groups, seed, wanted, cache_root=cache_root),
        make_frame=lambda y: frames.cohort_frame(lan_single_ages, kolada_groups, y),
        synthetic_source=SYNTHETIC_SOURCE, years=years, latest=latest,
        what="Liv & hälsa ung")


def latest_round(edition: int, available: list[int] | None = None) -> int:
    """The last round at or before ``edition`` (of ``available``, default the synthetic rounds)."""
    return rounds.select(available or synth_ung.ROUNDS, edition, latest=True,
                         what="Liv & hälsa ung")[0]


# --------------------------------------------------------------------------- the generator
def targets_table() -> pd.DataFrame:
    """The generator's calibration targets (all assumptions) as a table for the method note."""
    t = pd.DataFrame(synth_ung.TARGETS)
    return pd.DataFrame({"Storhet 2017": t["label"], "Värde": [text.share(v, 0)
                                                               for v in t["value"]],
                         "Status": t["status"]})


def generator_facts() -> dict[str, str]:
    """The synthetic generator's design constants as formatted text for the method note."""
    rounds = list(synth_ung.ROUNDS)
    resp = list(synth_ung.PUPIL_RESPONSE.values())
    regular = [v for y, v in synth_ung.SCHOOL_PARTICIPATION.items() if y != 2021]
    return {
        "rounds": ", ".join(map(str, rounds[:-1])) + " och " + str(rounds[-1]),
        "school_participation": text.num(100 * min(regular), 0),
        "school_participation_2021": text.num(100 * synth_ung.SCHOOL_PARTICIPATION[2021], 0),
        "pupil_response": f"{text.num(100 * min(resp), 0)}–{text.num(100 * max(resp), 0)}",
    }
