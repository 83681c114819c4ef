"""Published figures from the region's documents (the catalogued ``seed_figures`` table).

Chapters show each computed figure beside its published value; this module finds the published
value and its exact quote, and fails loudly when a lookup is ambiguous or missing. The published
numbers live only in that table: code keeps the keys of a figure (and what it describes), never
the number itself. The Liv & hälsa 2017 figures (:data:`LH_GOOD_HEALTH`, :data:`LH_CRUDE`) are
defined here because both the chapter (:mod:`analysis.chapters.health`, which shows them) and the
synthetic generator (:mod:`analysis.synthetic.synth_survey`, calibrated to them) read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.core import geo
from analysis.sources import documents


def published(seed: pd.DataFrame, *, analysis: str, indicator: str, geography: str,
              period: str | int | None = None, group: str | None = None) -> pd.Series:
    """The one published row matching the keys (``indicator`` must match exactly).

    Returns
    -------
    pandas.Series with ``value``, ``unit``, ``quote``, ``source_file``, ``definition_or_note``.

    Raises
    ------
    LookupError
        If no row or more than one row matches.
    """
    m = (seed["analysis"] == analysis) & (seed["indicator"] == indicator) & (
        seed["geography"] == geography)
    if period is not None:
        m &= seed["period"].astype(str) == str(period)
    if group is not None:
        m &= seed["group"].fillna("") == group
    hit = seed[m]
    if len(hit) != 1:
        raise LookupError(
            f"{len(hit)} published rows match analysis={analysis!r}, indicator={indicator!r}, "
            f"geography={geography!r}, period={period!r}, group={group!r}"
        )
    return hit.iloc[0]


def value(seed: pd.DataFrame, **keys) -> float:
    """The published value (see :func:`published`)."""
    return float(published(seed, **keys)["value"])


def published_rows(seed: pd.DataFrame, groups: Iterable[Mapping], *, analysis: str,
                   geography: str, period: str | int | None = None,
                   indicator: str | None = None) -> list[pd.Series]:
    """The published row of each group definition (see :func:`published`).

    A group names its row by ``seed_group`` and, if the groups differ in indicator,
    ``seed_indicator`` (else ``indicator`` is used).
    """
    return [published(seed, analysis=analysis, indicator=g.get("seed_indicator", indicator),
                      geography=geography, period=period, group=g["seed_group"])
            for g in groups]


def published_values(seed: pd.DataFrame, groups: Iterable[Mapping], **keys) -> list[float]:
    """The published value of each group definition (see :func:`published_rows`)."""
    return [float(r["value"]) for r in published_rows(seed, groups, **keys)]


def source_line(row: pd.Series) -> str:
    """A reader's citation of a published row, with its quote:
    ``"Genomlysning samordningsförbunden Örebro län (…, 2020-06-01), Tabell 1: »2000 273 615 …«"``.

    The document comes from :mod:`analysis.sources.documents`; the line number (``[rad N]`` in
    ``definition_or_note``) only picks the part of the document, it is not shown.
    """
    m = re.search(r"\[rad (\d+)\]", str(row.get("definition_or_note", "")))
    line = int(m.group(1)) if m else None
    return f"{documents.cite(str(row['source_file']), line)}: »{row['quote']}«"


# --------------------------------------------------------------------------- Liv & hälsa 2017
#: Keys of the ten age-standardised shares with good general health, Liv & hälsa 2017 (seed
#: ``004_fb44509df49901da.txt`` rows 1230–1268; per cent as published).
LH_GOOD_HEALTH_KEYS: dict = {
    "analysis": "health_survey", "geography": geo.LAN_NAMN, "period": 2017,
    "indicator": "Andel med mycket bra/bra allmänt hälsotillstånd (åldersstandardiserad)"}
#: The ten groups of :data:`LH_GOOD_HEALTH_KEYS`: the survey ``variable`` and ``level`` (codes of
#: :mod:`analysis.contracts.lh_contract`, ``sex`` as ``kvinnor``/``man``) each describes, its label,
#: its standardised age range (``ages``, bands in :data:`analysis.methods.standardisation.BANDS`)
#: and ``seed_group``, the group's name in ``seed_figures``.
LH_GOOD_HEALTH: tuple[dict, ...] = (
    {"variable": "education", "level": 1, "label": "Förgymnasial utbildning",
     "ages": "18-69", "seed_group": "Förgymnasial utbildning"},
    {"variable": "education", "level": 2, "label": "Gymnasial utbildning",
     "ages": "18-69", "seed_group": "Gymnasial utbildning"},
    {"variable": "education", "level": 3, "label": "Eftergymnasial utbildning",
     "ages": "18-69", "seed_group": "Eftergymnasial utbildning"},
    {"variable": "employment", "level": 3, "label": "Förtids-/sjukpensionär (18–64 år)",
     "ages": "18-64", "seed_group": "Förtids-/sjukpensionär* (18-64 år)"},
    {"variable": "employment", "level": 2, "label": "Arbetslös (18–64 år)",
     "ages": "18-64", "seed_group": "Arbetslös* (18-64 år)"},
    {"variable": "employment", "level": 1, "label": "Förvärvsarbetar (18–64 år)",
     "ages": "18-64", "seed_group": "Förvärvsarbetar* (18-64 år)"},
    {"variable": "economic_strain", "level": 1, "label": "Problem med löpande utgifter",
     "ages": "18-69", "seed_group": "Problem med löpande utgifter"},
    {"variable": "economic_strain", "level": 0, "label": "Ej problem med löpande utgifter",
     "ages": "18-69", "seed_group": "Ej problem med löpande utgifter"},
    {"variable": "sex", "level": "kvinnor", "label": "Kvinnor", "ages": "18-69",
     "seed_group": "Kvinnor"},
    {"variable": "sex", "level": "man", "label": "Män", "ages": "18-69", "seed_group": "Män"},
)
#: Keys of the crude 2017 shares of the seed (18+, not age-standardised; 004 rows 720–733; the
#: year is not stated in the sentence, the surrounding charts are Liv & hälsa 2017).
LH_CRUDE_KEYS: dict = {"analysis": "health_survey", "geography": geo.LAN_NAMN,
                       "period": "2017 (trol. Liv & hälsa 2017)"}
#: The three crude shares: the chapter's indicator and sex each describes, its label,
#: ``seed_indicator`` and ``seed_group``.
LH_CRUDE: tuple[dict, ...] = (
    {"indicator_id": "anxiety_any", "sex": "kvinnor",
     "label": "Besvär av ängslan, oro eller ångest, kvinnor 18+",
     "seed_indicator": "Andel med lätta eller svåra besvär av ängslan, oro eller ångest",
     "seed_group": "kvinnor 18+"},
    {"indicator_id": "anxiety_any", "sex": "man",
     "label": "Besvär av ängslan, oro eller ångest, män 18+",
     "seed_indicator": "Andel med lätta eller svåra besvär av ängslan, oro eller ångest",
     "seed_group": "män 18+"},
    {"indicator_id": "depression_dx", "sex": "totalt",
     "label": "Diagnosticerad depression, 18+", "seed_indicator":
     "Andel med diagnosticerad depression", "seed_group": "18+ (alla)"},
)


def lh_good_health(seed: pd.DataFrame, groups: Iterable[Mapping] = LH_GOOD_HEALTH
                   ) -> list[float]:
    """The published 2017 good-health share (per cent) of each group of :data:`LH_GOOD_HEALTH`."""
    return published_values(seed, groups, **LH_GOOD_HEALTH_KEYS)


def lh_crude(seed: pd.DataFrame, groups: Iterable[Mapping] = LH_CRUDE) -> list[float]:
    """The published 2017 crude share (per cent) of each group of :data:`LH_CRUDE`."""
    return published_values(seed, groups, **LH_CRUDE_KEYS)
