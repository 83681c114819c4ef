"""Shared interim data built once at the start of a build, before the notebooks that read them.

Every kommun profile reads the same generated data of its edition: the synthetic child register
and its protected cells, the latest Liv & hälsa and Liv & hälsa ung rounds and their linked
protection, and the population outlook. They are kept in the on-disk caches of
:mod:`analysis.core.diskcache` (``data/interim/<name>/<key>/``), so whichever notebook comes first
builds them and the others read them. In a cold build that puts the work in the first two
profiles at once: one builds each piece while the other waits for it, so both take as long as
all pieces together.

This module builds the same pieces in advance, split into :data:`GROUPS`: the build process runs
the first at once (it waits for its workers anyway) and a worker the other before its first
notebook (:func:`analysis.book.execute.prepare_job`, in a fork of the worker's kernel zygote). Each part calls exactly what the kommun profile
(``notebooks/profil_kommun.md``) calls, with the job's parameters and environment, so its cache
keys are the ones the notebooks ask for and the data are written by the same functions: the
notebooks then read them. Nothing here is published or decides anything: a part that fails or
asks for other keys only leaves the work to the notebooks, which build what they miss and
report any failure with the notebook and cell as before (``tests/unit/test_prepare.py`` checks
that a profile run after the parts builds nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from analysis.chapters import befolkning, health, youth
from analysis.inputs import barnfattigdom, liv_och_halsa, liv_och_halsa_ung
from analysis.methods import frames, population
from analysis.sources import catalog

#: The notebook whose jobs share these data (one per kommun of an edition).
TEMPLATE = "notebooks/profil_kommun.md"
#: Parts run only when at least this many jobs of the template are to be executed for one
#: edition: a single profile gains nothing from building its data in advance.
MIN_USERS = 2


def _population() -> tuple[Any, Any]:
    kolada = catalog.load("kolada_befolkning")
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada,
                                frames.LAST_POPULATION_YEAR)
    return lan, population.kolada_age_groups(kolada)


def child_register(p: Mapping[str, Any]) -> None:
    """The profile's ``barnfattigdom.load(seed)`` and ``.protected(min_count, min_denominator)``."""
    data = barnfattigdom.load(p["seed"])
    data.protected(p["min_count"], p["min_denominator"])


def health_survey(p: Mapping[str, Any]) -> None:
    """The profile's latest Liv & hälsa round and its linked protection
    (:func:`analysis.chapters.health.cached_protected`)."""
    lan, groups = _population()
    rounds = liv_och_halsa.load_rounds(p["edition"], p["seed"], lan, groups, latest=True)
    year = max(rounds)
    health.cached_protected(health.survey_design(health.prepare(rounds[year]),
                                                 rounds.frames[year]),
                            year, p["min_respondents"])


def youth_survey(p: Mapping[str, Any]) -> None:
    """The profile's latest Liv & hälsa ung round (cached synthetic rounds) and its linked
    comparisons (:func:`analysis.chapters.youth.cached_comparisons`)."""
    lan, groups = _population()
    rounds = liv_och_halsa_ung.load_rounds(p["edition"], p["seed"], lan, groups, latest=True)
    year = max(rounds)
    youth.cached_comparisons(youth.prepare(rounds[year].pupils), rounds.frames[year], year,
                             p["min_respondents"])


def population_outlook(p: Mapping[str, Any]) -> None:
    """The profile's ``befolkning.edition_outlook`` (the kommun projection of the edition)."""
    kolada = catalog.load("kolada_befolkning")
    fd = befolkning.prepare(
        catalog.load("folkmangd_lan_alder_kon_riket"), catalog.load("fodda_lan_riket"),
        catalog.load("doda_lan_riket"), catalog.load("folkmangd_kommun_riket"),
        catalog.load("kommunkoder"), catalog.load("folkmangd_lan_alder_kon"), kolada,
        catalog.load("folkmangd_kommun"), catalog.load("regionfakta_orebro_lan"), p["edition"])
    befolkning.edition_outlook(fd)


#: The parts by name.
PARTS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "barnfattigdom": child_register,
    "liv_och_halsa": health_survey,
    "liv_och_halsa_ung": youth_survey,
    "befolkning": population_outlook,
}
#: How the parts are shared out (about equal work: the register is as long as the three others
#: together on a quiet machine; the outlook first, as a profile needs it first).
GROUPS: tuple[tuple[str, ...], ...] = (("barnfattigdom",),
                                       ("befolkning", "liv_och_halsa", "liv_och_halsa_ung"))


def groups(workers: int) -> list[tuple[str, ...]]:
    """The groups of parts for ``workers`` processes (one group with every part for one)."""
    if workers <= 1:
        return [tuple(p for g in GROUPS for p in g)]
    return list(GROUPS)


def run(parts: list[str], params: Mapping[str, Any]) -> dict[str, Any]:
    """Build ``parts`` for a job's ``params`` (in a process with the job's environment).

    Returns ``{"ok": True}``, or ``{"ok": False, "part": name, "error": text}`` for the first
    part that raised (the rest are not tried: the notebooks will meet the same failure and
    report it)."""
    import traceback

    for name in parts:
        try:
            PARTS[name](params)
        except Exception as exc:  # noqa: BLE001 - reported, and left to the notebooks
            return {"ok": False, "part": name, "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc()}
    return {"ok": True}
