"""Rounding that keeps totals: Hamilton's largest-remainder method."""

from __future__ import annotations

import numpy as np


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative numbers to whole numbers that add up to ``total`` exactly.

    Each value is rounded down, and the ``total - sum`` values with the largest remainders are
    rounded up (ties in order of position). ``values`` should already add up to about
    ``total``: for counts proportional to shares, pass ``total * shares / shares.sum()``.

    Raises
    ------
    ValueError
        When the values cannot be rounded to ``total`` (they add up to more, or to less than
        ``total`` minus their number).
    """
    values = np.asarray(values, dtype=float)
    floor = np.floor(values).astype(np.int64)
    short = int(total - floor.sum())
    if short < 0 or short > len(values):
        raise ValueError(f"cannot round {values.sum():.2f} to {total}")
    order = np.argsort(-(values - floor), kind="stable")
    floor[order[:short]] += 1
    return floor
