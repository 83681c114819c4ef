"""National consistency of the population series: every kommun's series, and kommuner against län.

SCB's kommun series (``folkmangd_kommun_riket``) is published on one kommun division (2020's),
with earlier years recalculated to it; the län series by age and sex
(``folkmangd_lan_alder_kon_riket``) follows the län division of each year. The two agree
exactly once the boundary changes the catalogue lists are applied; before the last län boundary
adjustments (parish transfers in the late 1960s and 1970s) small differences remain, which the
catalogue bounds by a tolerance. Anything else stops the build, naming the file, the län and
the year.

The catalogue entry of the kommun series says how mergers and splits are handled::

    boundaries:
      basis: <one sentence, Swedish>
      changes:
        - {year: 2003, kommun: "0330", from_kommun: "0380", what: "Knivsta bröts ut ur Uppsala kommun"}
        - {year: 2007, kommun: "0331", from_lan: "19", to_lan: "03", what: "Heby …"}
    reconcile:
      - {with: folkmangd_lan_alder_kon_riket, exact_from: 1982, tolerance: 0.005}

A ``from_kommun`` change (a split inside a län) moves no population between län and needs no
adjustment; it is checked to name kommuner that exist. A ``from_lan``/``to_lan`` change moves
the kommun's population back to its old län for the years before ``year`` (the län series of
31 December of the year before a change already uses the new division, as SCB publishes it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.core.errors import InputError


@dataclass(frozen=True)
class BoundaryChange:
    """One change of the kommun division (a split, or a kommun moving to another län)."""

    year: int
    kommun: str
    what: str
    from_kommun: str | None = None
    from_lan: str | None = None
    to_lan: str | None = None

    @property
    def moves_lan(self) -> bool:
        return self.from_lan is not None


def parse_changes(spec: Mapping[str, Any] | None, where: str) -> list[BoundaryChange]:
    """The ``boundaries: changes:`` of a catalogue entry, checked.

    Raises
    ------
    InputError
        A change without year/kommun/what, with both or neither of ``from_kommun`` and
        ``from_lan``, or with ``from_lan`` but no ``to_lan``.
    """
    if not spec:
        return []
    out = []
    for i, ch in enumerate(spec.get("changes") or [], start=1):
        if not isinstance(ch, Mapping):
            raise InputError(where, f"boundaries: change {i} is not a mapping")
        missing = [k for k in ("year", "kommun", "what") if k not in ch]
        if missing:
            raise InputError(where, f"boundaries: change {i} lacks {missing}")
        unknown = set(ch) - {"year", "kommun", "what", "from_kommun", "from_lan", "to_lan"}
        if unknown:
            raise InputError(where, f"boundaries: change {i} has unknown keys {sorted(unknown)}")
        if ("from_kommun" in ch) == ("from_lan" in ch):
            raise InputError(where, f"boundaries: change {i} ({ch['kommun']}) needs exactly one "
                             "of from_kommun (a split) and from_lan (a move to another län)")
        if "from_lan" in ch and "to_lan" not in ch:
            raise InputError(where, f"boundaries: change {i} ({ch['kommun']}) has from_lan "
                             "but no to_lan")
        out.append(BoundaryChange(
            year=int(ch["year"]), kommun=str(ch["kommun"]), what=str(ch["what"]),
            from_kommun=None if "from_kommun" not in ch else str(ch["from_kommun"]),
            from_lan=None if "from_lan" not in ch else str(ch["from_lan"]),
            to_lan=None if "to_lan" not in ch else str(ch["to_lan"])))
    return out


def year_columns(df: pd.DataFrame) -> list[str]:
    """The columns of a wide table that are years (``"1950"`` …), in order."""
    return [c for c in df.columns if isinstance(c, str) and c.isdigit() and len(c) == 4]


def check_kommun_series(wide: pd.DataFrame, codes: pd.DataFrame, file: str,
                        changes: Sequence[BoundaryChange] = ()) -> None:
    """Every kommun of the country has a complete, positive series of whole numbers.

    ``wide``: one row per kommun (``kommun_kod``), one column per year. ``codes``: the
    country's kommuner (``municipality_code``, ``county_code``).

    Raises
    ------
    InputError
        A kommun missing or unknown, a duplicate row, a gap in the years, a missing, negative,
        zero or fractional value (naming the kommun's row and the year), or a boundary change
        naming a kommun that is not in the division.
    """
    known = set(codes["municipality_code"].astype(str))
    have = wide["kommun_kod"].astype(str)
    dup = have[have.duplicated()]
    if len(dup):
        raise InputError(file, "a kommun has more than one row", column="kommun_kod",
                         rows=[int(i) + 1 for i in dup.index], values=list(dup))
    absent = sorted(known - set(have))
    if absent:
        raise InputError(file, f"{len(absent)} of the country's {len(known)} kommuner have no "
                         f"row: {', '.join(absent[:10])}", column="kommun_kod")
    extra = have[~have.isin(known)]
    if len(extra):
        raise InputError(file, "kommun code not in the kommun division", column="kommun_kod",
                         rows=[int(i) + 1 for i in extra.index], values=list(extra))
    years = year_columns(wide)
    if not years:
        raise InputError(file, "no year columns")
    nums = [int(y) for y in years]
    gaps = sorted(set(range(nums[0], nums[-1] + 1)) - set(nums))
    if gaps or nums != sorted(nums):
        raise InputError(file, f"the year columns are not consecutive: {gaps or nums} "
                         f"(every year {nums[0]}–{nums[-1]} must be present, in order)")
    for y in years:
        col = pd.to_numeric(wide[y], errors="coerce")
        bad = col.isna() | (col <= 0) | (col.round() != col)
        if bad.any():
            idx = bad[bad].index
            raise InputError(file, "population must be a positive whole number for every kommun "
                             "and year", column=y, rows=[int(i) + 1 for i in idx],
                             values=[f"{wide.loc[i, 'kommun_kod']}: {wide.loc[i, y]!r}"
                                     for i in idx])
    for ch in changes:
        for code in (ch.kommun, ch.from_kommun):
            if code is not None and code not in known:
                raise InputError(file, f"boundaries: change {ch.year} ({ch.what}) names kommun "
                                 f"{code}, which is not in the kommun division")


def reconcile_lan(kommun_wide: pd.DataFrame, lan_wide: pd.DataFrame, codes: pd.DataFrame,
                  changes: Sequence[BoundaryChange], *, exact_from: int, tolerance: float,
                  file: str) -> pd.DataFrame:
    """Sum the kommuner to their län and compare with the län series, year by year.

    ``lan_wide``: the län series (``lan_kod`` and one column per year; rows by age and sex
    are summed). The kommun sums are moved back by every ``from_lan`` change for the years
    before the change. From ``exact_from`` on, every län must agree exactly; before it, within
    ``tolerance`` (a share of the län's population) — the catalogue names the reason.

    Returns
    -------
    DataFrame: lan_kod, ar, kommuner (summed, after boundary changes), lan (the län series),
    flytt (population moved by boundary changes), skillnad, andel, status ("lika",
    "inom tolerans") — one row per län and year the two series share, plus a row per year for
    riket (``lan_kod`` "00").

    Raises
    ------
    InputError
        Naming the file, the län and the years where the series differ beyond what the
        catalogue allows, with the difference.
    """
    years = [y for y in year_columns(lan_wide) if y in set(year_columns(kommun_wide))]
    if not years:
        raise InputError(file, "the kommun and län series share no year")
    county = codes.set_index(codes["municipality_code"].astype(str))["county_code"].astype(str)
    kw = kommun_wide.assign(lan_kod=kommun_wide["kommun_kod"].astype(str).map(county))
    ksum = kw.groupby("lan_kod")[years].sum().astype("int64")
    moved = pd.DataFrame(0, index=ksum.index, columns=years, dtype="int64")
    series = kw.set_index(kw["kommun_kod"].astype(str))
    for ch in changes:
        if not ch.moves_lan:
            continue
        before = [y for y in years if int(y) < ch.year - 1]
        if not before:
            continue
        pop = series.loc[ch.kommun, before].astype("int64")
        for lan in (ch.from_lan, ch.to_lan):
            if lan not in moved.index:
                moved.loc[lan] = 0
        moved.loc[ch.to_lan, before] -= pop.values
        moved.loc[ch.from_lan, before] += pop.values
    lsum = lan_wide.assign(lan_kod=lan_wide["lan_kod"].astype(str)).groupby("lan_kod")[years].sum()
    lsum = lsum.astype("int64")
    lans = sorted(set(ksum.index) | set(lsum.index))
    ksum = ksum.reindex(lans, fill_value=0)
    moved = moved.reindex(lans, fill_value=0)
    lsum = lsum.reindex(lans, fill_value=0)
    adjusted = ksum + moved
    rows = []
    for lan in [*lans, "00"]:
        for y in years:
            if lan == "00":
                k, m, v = int(adjusted[y].sum()), 0, int(lsum[y].sum())
            else:
                k, m, v = int(adjusted.loc[lan, y]), int(moved.loc[lan, y]), int(lsum.loc[lan, y])
            rows.append((lan, int(y), k, v, m, k - v))
    out = pd.DataFrame(rows, columns=["lan_kod", "ar", "kommuner", "lan", "flytt", "skillnad"])
    out["andel"] = out["skillnad"] / out["lan"].where(out["lan"] != 0)
    exact = out["ar"] >= exact_from
    bad = (exact & (out["skillnad"] != 0)) | (~exact & (out["andel"].abs() > tolerance))
    bad |= out["lan"] == 0
    if bad.any():
        b = out[bad]
        shown = "; ".join(f"län {r.lan_kod} {r.ar}: kommunerna {r.kommuner}, länet {r.lan}"
                          for r in b.head(6).itertuples())
        raise InputError(file, f"the kommuner do not add up to their län in {len(b)} län-year(s) "
                         f"(exact from {exact_from}, within {tolerance:.1%} before): {shown}. A "
                         "boundary change missing from the catalogue's 'boundaries:'?",
                         column=", ".join(sorted({str(a) for a in b["ar"]})[:6]))
    out["status"] = ["lika" if d == 0 else "inom tolerans" for d in out["skillnad"]]
    return out
