"""Swedish number and text formatting for the book (decimal comma, space as thousands separator).

Round only here, at presentation time. A narrow no-break space (U+202F) would be typographically
ideal, but a plain no-break space (U+00A0) survives copy-paste into spreadsheets better, so the
book uses U+00A0 between thousands.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
MINUS = "\u2212"  # typographic minus, as Swedish official statistics print it


def num(x: float | int | None, decimals: int = 0, *, sign: bool = False) -> str:
    """Format a number the Swedish way: ``1234567.891`` → ``"1 234 567,9"`` (with ``decimals=1``).

    Missing values (None/NaN) become ``".."``, the SCB symbol for "data not available".
    A negative ``decimals`` rounds to tens, hundreds …: ``num(63512, -3)`` → ``"64 000"``.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ".."
    value = round(float(x), decimals)
    if value == 0:
        value = 0.0  # avoid "-0"
    body = f"{abs(value):,.{max(decimals, 0)}f}".replace(",", "\u2009").replace(".", ",")
    body = body.replace("\u2009", NBSP)
    if value < 0:
        return MINUS + body
    if sign and value > 0:
        return "+" + body
    return body


def pct(x: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a percentage value (already in per cent): ``11.83`` → ``"11,8 %"``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ".."
    return f"{num(x, decimals, sign=sign)}{NBSP}%"


def share(x: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a proportion (0–1) as a Swedish percentage: ``0.118`` → ``"11,8 %"``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ".."
    return pct(100 * x, decimals, sign=sign)


def year_range(start: int, end: int) -> str:
    """``2009, 2019`` → ``"2009–2019"`` (en dash, as Swedish typography wants)."""
    return f"{start}\u2013{end}"
