"""The book's rounding policy: how many decimals each kind of figure is shown with, one place.

Every page formats its numbers through :func:`fmt` (or :func:`formatter` for a table column) with
the figure's *kind* (:data:`RULES`), so the same indicator has the same decimals in every chapter,
profile and generated page. Values are stored unrounded (proportions as 0–1) and rounded only here.

Differences and intervals follow two display rules, stated on the methods page
(:func:`policy_markdown`):

- a difference shown beside two rounded values is the difference *of the rounded values*
  (:func:`difference`), so that 81 % and 80 % are never shown with a difference of +2;
- the 95 % interval of a difference is computed from the unrounded values and rounded *outward*
  (:func:`interval`: the lower limit down, the upper limit up), so the interval shown always
  contains the computed one and the difference shown; a difference is marked as statistically
  significant only when that shown interval lies wholly above or below 0
  (:func:`excludes_zero`). An interval that just excludes 0 before rounding but reaches 0 when
  shown ("0 till +5") is therefore not marked: the mark never contradicts the numbers beside it.

This lives in ``core`` (beside :mod:`analysis.core.text`) so that every layer, from the survey
tables in ``methods`` to the generated pages in ``book``, can use it; the totals-preserving
rounding of the generators is :mod:`analysis.methods.rounding`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd

from analysis.core import text

#: Tolerance for floating-point noise before rounding outward (``0.07 * 100`` is
#: ``7.000000000000001``, which must not round up to 8).
_EPS = 1e-9


@dataclass(frozen=True)
class Rule:
    """How one kind of figure is shown.

    ``scale`` turns the stored value into the shown number (100 for a proportion shown in per
    cent), ``decimals`` is the precision of the shown number (negative: tens, hundreds …),
    ``suffix`` follows it (``"%"``, ``"tkr"``), ``difference`` names the unit of a difference or
    change of two such figures, and ``label``/``examples`` describe the kind on the methods page.
    """

    label: str
    decimals: int
    scale: float = 1.0
    suffix: str = ""
    difference: str = ""
    examples: str = ""


#: The rounding policy, one rule per kind of figure. Keys are the ``unit`` codes of the key
#: indicator tables and of *Kommunen i korthet* (``andel``, ``kvot``, ``per1000`` …).
RULES: dict[str, Rule] = {
    "andel_enkat": Rule("Andel av de svarande i en enkät", 0, 100, "%", "hela procentenheter",
                        "god självskattad hälsa, mår bra (Liv & hälsa, Liv & hälsa ung)"),
    "andel": Rule("Andel av befolkningen eller av en grupp i register", 1, 100, "%",
                  "procentenheter med en decimal",
                  "andel 65 år och äldre, barn i ekonomiskt utsatta hushåll, utrikes födda"),
    "forandring": Rule("Förändring i procent", 1, 100, "%", "",
                       "folkmängdens förändring sedan jämförelseåret"),
    "procent": Rule("Förändring i procent", 1, 1, "%", "",
                    "befolkningsförändring under året"),
    "antal": Rule("Antal personer", 0, 1, "", "hela personer", "folkmängd, antal barn"),
    "antal_skattat": Rule("Skattat eller framskrivet antal", -1, 1, "", "tiotal",
                          "målgruppen (5 procent av 16–64 år), framskriven befolkning"),
    "kvot": Rule("Försörjningskvot (personer 0–19 och 65 år och äldre per 100 personer 20–64 "
                 "år)", 1, 1, "", "en decimal", "försörjningskvot (SCB)"),
    "kvot_per_person": Rule("Kvot per person", 2, 1, "", "två decimaler",
                            "folkmängd per person 20–64 år"),
    "per1000": Rule("Tal per 1 000 invånare", 1, 1, "", "en decimal",
                    "födelseöverskott, flyttningsnetto"),
    "tkr": Rule("Tusen kronor", 0, 1, "tkr", "hela tusental kronor", "medelinkomst"),
    "kr": Rule("Kronor", 0, 1, "kr", "hela kronor", "ekonomiskt bistånd per invånare"),
    "oddskvot": Rule("Oddskvot", 2, 1, "", "–", "oddskvoter i Liv & hälsa"),
}


def rule(kind: str) -> Rule:
    """The :class:`Rule` of ``kind``.

    Raises
    ------
    ValueError
        For a kind the policy does not know (naming the known ones).
    """
    try:
        return RULES[kind]
    except KeyError:
        raise ValueError(f"no rounding rule for {kind!r}; known kinds: {sorted(RULES)}") from None


def decimals(kind: str) -> int:
    """Decimals a figure of ``kind`` is shown with (negative: rounded to tens, hundreds …)."""
    return rule(kind).decimals


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def shown(value: float | None, kind: str) -> float:
    """The number a reader sees for ``value``, as a float in the shown unit (per cent for a
    share): ``shown(0.8149, "andel_enkat")`` → ``81.0``. NaN when missing.

    Rounds exactly as :func:`analysis.core.text.num` does, so the result is what the page shows.
    """
    if _missing(value):
        return math.nan
    r = rule(kind)
    return round(r.scale * float(value), r.decimals)


def fmt(value: float | None, kind: str, *, sign: bool = False) -> str:
    """``value`` formatted by the rule of ``kind``: ``fmt(0.8149, "andel_enkat")`` → ``"81 %"``,
    ``fmt(80.1982, "kvot")`` → ``"80,2"``, ``fmt(240.4, "tkr")`` → ``"240 tkr"``; ``".."`` when
    missing."""
    if _missing(value):
        return ".."
    r = rule(kind)
    body = text.num(r.scale * float(value), r.decimals, sign=sign)
    return f"{body}{text.NBSP}{r.suffix}" if r.suffix else body


def formatter(kind: str, *, sign: bool = False) -> Callable[[float | None], str]:
    """A one-argument :func:`fmt` for a table column (``publish.table(..., formats=...)``)."""
    rule(kind)
    return partial(fmt, kind=kind, sign=sign)


def difference(a: float | None, b: float | None, kind: str) -> float:
    """The difference of two figures *as shown*: ``shown(a) − shown(b)`` in the shown unit
    (percentage points for shares), rounded to the rule's decimals. NaN when either is missing.

    ``difference(0.8149, 0.7951, "andel_enkat")`` → ``1.0`` (81 % − 80 %), although the unrounded
    difference, 1,98 points, would round to 2.
    """
    d = shown(a, kind) - shown(b, kind)
    return d if math.isnan(d) else round(d, decimals(kind))


def interval(lower: float | None, upper: float | None, kind: str) -> tuple[float, float]:
    """The interval of a difference (stored unscaled, e.g. as a difference of proportions)
    rounded *outward* to the rule's decimals: the lower limit down, the upper limit up, so the
    shown interval contains the computed one. ``interval(0.003, 0.052, "andel_enkat")`` →
    ``(0.0, 6.0)``."""
    if _missing(lower) or _missing(upper):
        return math.nan, math.nan
    r = rule(kind)
    step = 10.0 ** (-r.decimals)
    lo = math.floor(r.scale * float(lower) / step + _EPS) * step
    hi = math.ceil(r.scale * float(upper) / step - _EPS) * step
    return round(lo, max(r.decimals, 0)), round(hi, max(r.decimals, 0))


def excludes_zero(lower: float | None, upper: float | None, kind: str) -> bool:
    """True when the interval *as shown* (:func:`interval`) lies wholly above or below 0 – the
    only case in which a difference is marked as statistically significant."""
    lo, hi = interval(lower, upper, kind)
    return bool(lo > 0 or hi < 0)


def difference_cell(a: float | None, b: float | None, lower: float | None,
                    upper: float | None, kind: str = "andel_enkat", *,
                    verdict: bool = True) -> str:
    """A difference with its interval for a table cell: ``"+1 * (+1 till +6)"``.

    The difference is :func:`difference` of the two shown values; the interval is
    :func:`interval` of the computed limits; the star (only with ``verdict``) marks an interval
    that :func:`excludes_zero`. If the shown difference fell outside the outward-rounded
    interval it would be a bug: the rounded values differ from the unrounded ones by less than
    one step, so their difference lies within one step of the computed difference.
    """
    d = difference(a, b, kind)
    if math.isnan(d):
        return "."
    star = " *" if verdict and excludes_zero(lower, upper, kind) else ""
    return f"{text.num(d, decimals(kind), sign=True)}{star} ({interval_text(lower, upper, kind)})"


def interval_text(lower: float | None, upper: float | None, kind: str = "andel_enkat") -> str:
    """The outward-rounded interval of a difference: ``"−1 till +5"`` (no line break inside);
    ``"."`` when missing."""
    lo, hi = interval(lower, upper, kind)
    if math.isnan(lo) or math.isnan(hi):
        return "."
    dec = decimals(kind)
    return f"{text.num(lo, dec, sign=True)}{text.NBSP}till{text.NBSP}{text.num(hi, dec, sign=True)}"


def _decimals_text(d: int) -> str:
    return {-2: "hundratal", -1: "tiotal", 0: "heltal", 1: "en decimal", 2: "två decimaler",
            3: "tre decimaler"}[d]


def policy_table() -> pd.DataFrame:
    """The policy for the methods page: kind, how it is shown, an example and its use."""
    rows: dict[str, dict] = {}
    for r in RULES.values():
        shown_as = _decimals_text(r.decimals)
        if r.suffix == "%":
            shown_as = {0: "hela procent", 1: "procent med en decimal"}.get(r.decimals, shown_as)
        if r.label in rows:  # the same kind stored two ways (0–1 or per cent): one row
            rows[r.label]["Exempel"] += f", {r.examples}"
            continue
        rows[r.label] = {"Slags tal": r.label, "Visas med": shown_as,
                         "Skillnader och förändringar": r.difference or shown_as,
                         "Exempel": r.examples}
    return pd.DataFrame(list(rows.values()))


#: The display rules for differences, in Swedish, for the methods page and the table notes.
DIFFERENCE_RULES = (
    "Skillnaden som visas bredvid två avrundade värden är skillnaden mellan de avrundade "
    "värdena, så att den alltid stämmer med siffrorna i tabellen (81\u00a0% och 80\u00a0% ger +1, "
    "även om de oavrundade andelarna skiljer sig med 1,8 procentenheter). Konfidensintervallet för "
    "skillnaden beräknas från de oavrundade värdena och avrundas utåt – den nedre gränsen nedåt "
    "och den övre uppåt – så att det visade intervallet alltid rymmer det beräknade. En asterisk "
    "(*) sätts bara när hela det visade intervallet ligger över eller under noll; ett intervall "
    "som avrundat når noll (till exempel 0 till +5) markeras inte, även om det oavrundade "
    "intervallet precis utesluter noll. Skillnader i syntetiska data prövas aldrig.")


def policy_markdown() -> str:
    """The rounding policy as a Markdown section body (Swedish) for the methods page."""
    head = ("Alla värden beräknas och sparas oavrundade; de avrundas först när de visas, och "
            "samma slags tal visas med samma antal decimaler på alla sidor – i kapitlen, "
            "profilerna och sidan om vad som har ändrats. Nedladdningsbara tabeller innehåller "
            "de oavrundade värdena.")
    t = policy_table()
    lines = ["| " + " | ".join(t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return "\n\n".join([head, "\n".join(lines), DIFFERENCE_RULES])
