"""Published figures from the region's documents (the catalogued ``seed_figures`` table).

Chapters show each computed figure beside its published value; this module finds the published
value and its exact quote, and fails loudly when a lookup is ambiguous or missing.
"""

from __future__ import annotations

import pandas as pd


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


def source_line(row: pd.Series) -> str:
    """``"003_e03a011979e317c6.txt, rad 374: »2000 273 615 170 154   8 500«"``."""
    import re

    m = re.search(r"\[rad (\d+)\]", str(row.get("definition_or_note", "")))
    where = f", rad {m.group(1)}" if m else ""
    return f"{row['source_file']}{where}: »{row['quote']}«"
