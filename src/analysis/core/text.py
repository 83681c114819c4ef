"""Swedish number and text formatting for the book (decimal comma, space as thousands separator).

Round only here, at presentation time. A narrow no-break space (U+202F) would be typographically
ideal, but a plain no-break space (U+00A0) survives copy-paste into spreadsheets better, so the
book uses U+00A0 between thousands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import partial

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


def points(x: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a difference of two proportions (0–1) in percentage points, without a unit:
    ``-0.0123`` → ``"−1,2"``."""
    return num(None if x is None else 100 * x, decimals, sign=sign)


def year_range(start: int, end: int) -> str:
    """``2009, 2019`` → ``"2009–2019"`` (en dash, as Swedish typography wants)."""
    return f"{start}\u2013{end}"


#: How the pages name the contract's sex codes: adults, and pupils in Liv & hälsa ung.
SEX_LABELS = {"kvinnor": "Kvinnor", "man": "Män", "totalt": "Totalt"}
SEX_LABELS_YOUTH = {"kvinnor": "Flickor", "man": "Pojkar", "totalt": "Totalt"}


def parse_years(text: str) -> list[int]:
    """Read ``"2016-2024"``, ``"2024"`` or ``"2016,2018,2020-2022"`` into a sorted list of years.

    Raises
    ------
    ValueError
        For anything else, or a range that runs backwards.
    """
    years: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        m = re.fullmatch(r"(\d{4})(?:[-–](\d{4}))?", part)
        if not m:
            raise ValueError(f"cannot read years {text!r}: write e.g. 2016-2024 or 2016,2018")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise ValueError(f"year range {part!r} runs backwards")
        years.update(range(first, last + 1))
    return sorted(years)


def formatter(kind: str = "num", decimals: int | None = None, *, sign: bool = False
              ) -> Callable[[float | None], str]:
    """A one-argument formatter for table columns: ``formatter("share", 1, sign=True)`` is
    :func:`share` with one decimal and a sign. ``kind`` is ``"num"``, ``"pct"``, ``"share"`` or ``"points"``;
    ``decimals`` defaults to that function's own default."""
    funcs = {"num": num, "pct": pct, "share": share, "points": points}
    if kind not in funcs:
        raise ValueError(f"unknown formatter kind {kind!r}; use one of {sorted(funcs)}")
    kwargs = {"sign": sign} if decimals is None else {"decimals": decimals, "sign": sign}
    return partial(funcs[kind], **kwargs)


#: Swedish ordinals used in ranks ("tredje störst"); 1 and 2 have their own words.
ORDINALS = {3: "tredje", 4: "fjärde", 5: "femte", 6: "sjätte", 7: "sjunde", 8: "åttonde",
            9: "nionde", 10: "tionde", 11: "elfte", 12: "tolfte", 13: "trettonde", 14: "fjortonde",
            15: "femtonde", 16: "sextonde", 17: "sjuttonde", 18: "artonde", 19: "nittonde",
            20: "tjugonde"}

#: Kinds of data a rank may be given for; synthetic data are never ranked.
RANKABLE = ("measured", "modelled")


def rank(position: int, n: int, most: str = "störst", least: str = "minst", *,
         of: str | None = "länets {n} kommuner", data: str = "measured") -> str:
    """A rank in good Swedish: ``rank(1, 12)`` → ``"störst av länets 12 kommuner"``,
    ``rank(2, 12)`` → ``"näst störst …"``, ``rank(3, 12)`` → ``"tredje störst …"``; the lower
    half counts from the other end: ``rank(12, 12)`` → ``"minst …"``, ``rank(11, 12)`` →
    ``"näst minst …"``. ``most``/``least`` are the superlatives (e.g. ``"högst"``/``"lägst"``);
    ``of=None`` leaves out "av länets … kommuner".

    Raises
    ------
    ValueError
        If ``position`` is not within 1…``n``, or ``data`` is not measured or modelled (ranks of
        synthetic data would look like facts).
    """
    if data not in RANKABLE:
        raise ValueError(f"ranks are only given for measured or modelled data, not {data!r}")
    if not 1 <= int(position) <= int(n):
        raise ValueError(f"rank {position} is not between 1 and {n}")
    pos, word = (int(position), most) if position <= (n + 1) // 2 else (n - int(position) + 1,
                                                                         least)
    lead = {1: "", 2: "näst "}.get(pos, f"{ORDINALS.get(pos, f'{pos}:e')} ")
    tail = f" av {of.format(n=n)}" if of else ""
    return f"{lead}{word}{tail}"


def join_list(items: list[str]) -> str:
    """Swedish enumeration: ``["a"]`` → ``"a"``, ``["a", "b", "c"]`` → ``"a, b och c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


#: Swedish number words for counts up to twelve (written out in prose, as Swedish style does).
NUMBER_WORDS = {1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta",
                9: "nio", 10: "tio", 11: "elva", 12: "tolv"}


def count_word(n: int) -> str:
    """A count in Swedish prose: ``8`` → ``"åtta"``, ``12`` → ``"tolv"``; larger counts as digits
    (``26`` → ``"26"``, ``290`` → ``"290"``)."""
    return NUMBER_WORDS.get(int(n), num(int(n)))
