"""Child economic vulnerability: consumption units, (persistent) low economic standard, low income standard.

The measures follow the definitions used by SCB, Folkhälsomyndigheten (FoHM) and the Region Örebro
län pre-study of child poverty (förstudie barnfattigdom, 2021–2022). Every function documents its
definition, a Swedish quote and the source it was taken from.

Data model
----------
The functions work on a *person-year panel*: one row per person and year (the canonical frame of
:mod:`analysis.contracts.register`), with household-level values repeated on every member's row:

``person_id, household_id, year, kommun, age, adults_in_couple, other_adults, children_0_19,
disposable_income, economic_assistance`` (and ``background``, ``parents_education``,
``household_type`` for breakdowns).

Everything is vectorised (NumPy over pandas columns, no Python loops over persons), so the same
functions run on the län's extract and on a national-size panel (see ``benchmarks/bench_poverty.py``).

Why one module
--------------
The measures are one chain of definitions (consumption units → economic standard → low economic
standard → persistent low economic standard; the norm → low income standard; both → the
composite and its aggregation), each quoting its source. Kept together, a reader checks one
definition against the next in one file; the published reference data they take as inputs
(median, norm, child population) are in :mod:`analysis.methods.poverty_reference`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.core import geo
from analysis.methods import survey

__all__ = [
    "SCB_SCALE",
    "ConsumptionScale",
    "aggregate_children",
    "consumption_units",
    "economic_standard",
    "economically_vulnerable_children",
    "economically_vulnerable_children_fhi",
    "household_norm",
    "household_type",
    "low_economic_standard",
    "low_income_standard",
    "low_standard_threshold",
    "persistent_low_economic_standard",
    "poverty_measures",
]

SOURCE_SCALE = (
    "https://www.scb.se/hitta-statistik/temaomraden/jamstalldhet/ekonomisk-jamstalldhet/"
    "inkomster-och-loner/disponibel-inkomst-per-konsumtionsenhet-for-hushall-2064-ar-efter-hushallstyp/"
)
SOURCE_LOW_STANDARD = (
    "https://www.scb.se/hitta-statistik/statistik-efter-amne/hushallens-ekonomi/"
    "inkomster-och-inkomstfordelning/inkomster-och-skatter/pong/tabell-och-diagram/"
    "inkomster--ekonomisk-standard-riket/andel-med-lag-ekonomisk-standard/"
)
SOURCE_PERSISTENT = (
    "https://fohm-app.folkhalsomyndigheten.se/Folkhalsodata/pxweb/en/A_Folkhalsodata/"
    "A_Folkhalsodata__A_Mo8__4_Inkomst__02ResursEk__04.07.01VEkBarn/VEkBarnSocek.px"
)
SOURCE_INCOME_STANDARD = (
    "http://www.statistikdatabasen.scb.se/pxweb/sv/ssd/START__LE__LE0102__LE0102L/InkStd/"
)
SOURCE_FHI = "http://pxwebb2017.vgregion.se/PXWeb/pxweb/sv/Valfard/Valfard/Barnfattigdom.px"

#: Threshold of the relative measure: 60 % of the national median economic standard.
LOW_STANDARD_SHARE = 0.60

#: Decimals to which economic standard and threshold are rounded before comparing (1e-6 SEK).
#: Only removes binary floating-point noise, so that a household exactly at 60 % of the median
#: (e.g. 226 500 / 1.51 = 150 000 with a median of 250 000) is not classed as low by accident.
_COMPARE_DECIMALS = 6

PANEL_COLUMNS = (
    "person_id",
    "household_id",
    "year",
    "kommun",
    "age",
    "adults_in_couple",
    "other_adults",
    "children_0_19",
    "disposable_income",
    "economic_assistance",
)


@dataclass(frozen=True)
class ConsumptionScale:
    """Weights of a consumption-unit scale (konsumtionsenhetsskala).

    Attributes
    ----------
    single_adult
        The first (or only) adult when there is no couple (ensamboende).
    couple
        A couple living together, both partners together (sammanboende par).
    additional_adult
        Each further adult (ytterligare vuxen), beyond the couple or the first adult.
    first_child
        The first child aged 0–19 (första barnet 0–19 år).
    additional_child
        Each further child aged 0–19 (andra och påföljande barn 0–19 år).
    """

    single_adult: float = 1.00
    couple: float = 1.51
    additional_adult: float = 0.60
    first_child: float = 0.52
    additional_child: float = 0.42


#: SCB's scale, used for ekonomisk standard from income year 2011 (source: ``SOURCE_SCALE``).
SCB_SCALE = ConsumptionScale()


def _as_array(x: object, name: str, dtype: type | str = float) -> np.ndarray:
    arr = np.asarray(x.to_numpy() if isinstance(x, pd.Series | pd.Index) else x)
    if arr.dtype == object or arr.dtype.kind in "OUS":
        try:
            arr = arr.astype(dtype)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric") from None
    return arr


def _bad_positions(mask: np.ndarray, values: np.ndarray, limit: int = 5) -> str:
    pos = np.flatnonzero(np.atleast_1d(mask))
    shown = ", ".join(
        f"position {p}: {np.atleast_1d(values)[p]!r}" for p in pos[:limit]
    )
    more = f" (and {pos.size - limit} more)" if pos.size > limit else ""
    return shown + more


def _maybe_scalar(result: np.ndarray, *inputs: object) -> np.ndarray | float | bool:
    if all(np.ndim(x) == 0 for x in inputs):
        return result.item()
    return result


def consumption_units(
    adults_in_couple: object,
    other_adults: object,
    children: object,
    *,
    scale: ConsumptionScale = SCB_SCALE,
) -> np.ndarray | float:
    """Consumption units (konsumtionsenheter) of a household, SCB scale.

    Definition: a couple weighs 1.51 together, a single adult 1.00, each further adult 0.60, the
    first child aged 0–19 0.52 and each further child 0–19 0.42. Sum over the household.

    Swedish (SCB): "Konsumtionsenhetsskala: Ensamboende 1,0; Sammanboende par 1,51; Ytterligare
    vuxen 0,6; Första barnet 0–19 år 0,52; Andra och påföljande barn 0–19 år 0,42."

    Source: SCB, *Disponibel inkomst per konsumtionsenhet för hushåll 20–64 år efter hushållstyp*
    (updated 2020-05-26), https://www.scb.se/hitta-statistik/temaomraden/jamstalldhet/
    ekonomisk-jamstalldhet/inkomster-och-loner/disponibel-inkomst-per-konsumtionsenhet-for-hushall-2064-ar-efter-hushallstyp/

    Parameters
    ----------
    adults_in_couple
        Adults who form the household's couple: 0 or 2 (scalar or array-like).
    other_adults
        Adults (20 years or older, or 18–19 not counted as children) who are not in the couple.
    children
        Children aged 0–19 living in the household.
    scale
        The weights; :data:`SCB_SCALE` by default.

    Returns
    -------
    float or numpy.ndarray
        A float when all inputs are scalars, else an array of floats.

    Raises
    ------
    ValueError
        If ``adults_in_couple`` is not 0 or 2, a count is negative or not whole, or a household
        has no adult.

    Notes
    -----
    **Open question: a second adult who is not a partner** (for example a lone parent living with
    an adult child aged 20 or over). The published weights are read literally: the first adult
    weighs 1.00 and "ytterligare vuxen" 0.60, so such a household weighs 1.00 + 0.60 = 1.60 (and a
    couple with one further adult 1.51 + 0.60 = 2.11). Whether SCB's income statistics (IoS) use
    this reading for every data year has not been confirmed against the SCB documentation.

    Examples
    --------
    >>> consumption_units(2, 0, 2)  # couple with two children: 1.51 + 0.52 + 0.42
    2.45
    """
    a = _as_array(adults_in_couple, "adults_in_couple")
    o = _as_array(other_adults, "other_adults")
    c = _as_array(children, "children")
    a, o, c = np.broadcast_arrays(a, o, c)
    for name, arr in (("adults_in_couple", a), ("other_adults", o), ("children", c)):
        bad = (arr < 0) | (arr != np.floor(arr)) | ~np.isfinite(arr)
        if bad.any():
            raise ValueError(
                f"{name} must be whole numbers >= 0; bad values at {_bad_positions(bad, arr)}"
            )
    bad = (a != 0) & (a != 2)
    if bad.any():
        raise ValueError(
            f"adults_in_couple must be 0 or 2 (a couple is two adults); bad values at "
            f"{_bad_positions(bad, a)}"
        )
    bad = (a + o) < 1
    if bad.any():
        raise ValueError(
            "a household needs at least one adult (adults_in_couple + other_adults >= 1); "
            f"households without an adult at {_bad_positions(bad, a + o)}"
        )
    adult_part = np.where(
        a == 2,
        scale.couple + scale.additional_adult * o,
        scale.single_adult + scale.additional_adult * (o - 1),
    )
    child_part = np.where(c > 0, scale.first_child + scale.additional_child * (c - 1), 0.0)
    return _maybe_scalar(adult_part + child_part, adults_in_couple, other_adults, children)


def economic_standard(disposable_income: object, consumption_units: object) -> np.ndarray | float:
    """Economic standard (ekonomisk standard): disposable household income per consumption unit.

    Definition: the household's disposable income divided by the sum of its consumption units;
    every person in the household gets the household's value (pass the household's income and
    units on each member's row). Zero or negative income gives a zero or negative standard.

    Swedish (SCB): "ekonomisk standard = hushållets disponibla inkomst / summan av hushållets
    konsumtionsvikter; varje person i hushållet får hushållets värde". Disponibel inkomst (FoHM):
    "Summan av alla inkomster och transfereringar (t.ex. barn- och bostadsbidrag samt
    försörjningsstöd) minus slutlig skatt."

    Source: SCB (see :func:`consumption_units`), household concept *bostadshushåll* (register-based,
    from income year 2011).

    Parameters
    ----------
    disposable_income
        Disposable household income, SEK per year (may be zero or negative).
    consumption_units
        The household's consumption units (see :func:`consumption_units`), > 0.

    Returns
    -------
    float or numpy.ndarray
        SEK per consumption unit and year.

    Raises
    ------
    ValueError
        If an income is missing or not finite, or a consumption unit is not > 0.
    """
    inc = _as_array(disposable_income, "disposable_income").astype(float)
    cu = _as_array(consumption_units, "consumption_units").astype(float)
    bad = ~np.isfinite(inc)
    if bad.any():
        raise ValueError(f"disposable_income is missing or not finite at {_bad_positions(bad, inc)}")
    bad = ~(cu > 0)
    if bad.any():
        raise ValueError(f"consumption_units must be > 0; bad values at {_bad_positions(bad, cu)}")
    return _maybe_scalar(inc / cu, disposable_income, consumption_units)


def _per_year(values: Mapping[int, float] | pd.Series, years: np.ndarray, what: str) -> np.ndarray:
    """Look up a per-year input (e.g. the national median) for each row's year."""
    series = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values
    series = series.astype(float)
    series.index = series.index.astype(int)
    years = np.asarray(years)
    if years.size == 0:
        return np.empty(0)
    # years span a few decades: index a dense array instead of sorting millions of rows
    first = int(years.min())
    offset = (years - first).astype(np.intp)
    uniq = np.arange(first, int(years.max()) + 1)
    looked_up = series.reindex(uniq).to_numpy()
    present = np.bincount(offset, minlength=uniq.size) > 0
    missing = uniq[present & np.isnan(looked_up)]
    if missing.size:
        raise ValueError(
            f"{what} is missing for year(s) {', '.join(map(str, missing.tolist()))}; "
            f"given for {', '.join(map(str, sorted(series.index.tolist())))}"
        )
    return looked_up[offset]


def low_economic_standard(
    economic_standard: object,
    year: object,
    national_median: Mapping[int, float] | pd.Series,
    *,
    share: float = LOW_STANDARD_SHARE,
) -> np.ndarray | bool:
    """Low economic standard (låg ekonomisk standard): below 60 % of the national median.

    Definition: a person has low economic standard when the household's economic standard is
    strictly below (``<``) 60 % of the median economic standard of all persons in Sweden (riket)
    in the same year. The median is an input per year (published by SCB), never computed from the
    regional data. A value exactly at 60 % of the median is *not* low.

    Swedish (SCB): "Med en låg ekonomisk standard avses de personer som lever i ett hushåll som har
    en disponibel inkomst per k.e. som är mindre än 60 procent av medianvärdet för samtliga."
    (FoHM: "... lägre än 60 procent av medianvärdet för riket.")

    Source: SCB, *Andel med låg ekonomisk standard* (2021-01-27), https://www.scb.se/hitta-statistik/
    statistik-efter-amne/hushallens-ekonomi/inkomster-och-inkomstfordelning/inkomster-och-skatter/
    pong/tabell-och-diagram/inkomster--ekonomisk-standard-riket/andel-med-lag-ekonomisk-standard/

    Parameters
    ----------
    economic_standard
        Economic standard per row (SEK per consumption unit).
    year
        The income year of each row.
    national_median
        National median economic standard by year, e.g. ``{2019: 262_000, 2020: 269_000}``
        or a Series indexed by year.
    share
        The share of the median; 0.60.

    Returns
    -------
    bool or numpy.ndarray of bool

    Raises
    ------
    ValueError
        If the median is missing for a year in ``year`` or ``share`` is not in (0, 1].

    Notes
    -----
    Both sides are rounded to 1e-6 SEK before the strict comparison, which only removes binary
    floating-point noise (``226_500 / 1.51`` is exactly 150 000, 60 % of 250 000).
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    es = _as_array(economic_standard, "economic_standard").astype(float)
    yr = _as_array(year, "year", int)
    es, yr = np.broadcast_arrays(es, yr)
    if np.isnan(es).any():
        raise ValueError(
            f"economic_standard is missing at {_bad_positions(np.isnan(es), es)}"
        )
    median = _per_year(national_median, yr.astype(int).ravel(), "national_median").reshape(yr.shape)
    threshold = np.round(median * share, _COMPARE_DECIMALS)
    result = np.round(es, _COMPARE_DECIMALS) < threshold
    return _maybe_scalar(result, economic_standard, year)


def low_standard_threshold(national_median: object, consumption_units: object = 1.0, *,
                           share: float = LOW_STANDARD_SHARE) -> object:
    """The limit of low economic standard in kronor per year: ``share`` (60 %) of the national
    median, per consumption unit, or for a household of ``consumption_units`` (e.g.
    ``consumption_units(2, 0, 2)`` = 2,45 for two adults with two children). Scalars or
    array-likes (a Series stays a Series)."""
    return share * national_median * consumption_units


def persistent_low_economic_standard(
    panel: pd.DataFrame,
    *,
    low: str = "low_economic_standard",
    person: str = "person_id",
    year: str = "year",
    previous_years: int = 3,
    min_low_previous: int = 2,
    missing: Literal["not_low", "na"] = "not_low",
) -> pd.DataFrame:
    """Persistent low economic standard (varaktigt låg ekonomisk standard).

    Definition: low economic standard in the current year AND in at least two of the three
    previous calendar years (each year judged against that year's own national median).

    Swedish (FoHM, Folkhälsodata): "Varaktigt låg ekonomisk standard innebär att den disponibla
    inkomsten (justerad för hushållets sammansättning) senaste året och minst två av de tre
    föregående åren har varit lägre än 60 % av medianvärdet för riket."

    Source: Folkhälsomyndigheten, Folkhälsodata, table VEkBarnSocek,
    https://fohm-app.folkhalsomyndigheten.se/Folkhalsodata/pxweb/en/A_Folkhalsodata/
    A_Folkhalsodata__A_Mo8__4_Inkomst__02ResursEk__04.07.01VEkBarn/VEkBarnSocek.px ; also FoHM,
    *Inkomster och försörjningsmöjligheter, målområde 4* (2023, art.nr 23155).

    Rules for an imperfect panel (decided here, since the sources do not say):

    * **Previous years are calendar years** ``t-1, t-2, t-3``, not the previous rows: a gap in a
      person's rows is a missing year, never skipped over.
    * **A person absent in a previous year** (not yet born, immigrated, emigrated and returned, not
      in the extract) is *not low* in that year with ``missing="not_low"`` (default). So a child
      born in ``t-1`` or ``t`` can never be persistently low. With ``missing="na"``, a row whose
      outcome would change if the absent years were low gets ``<NA>`` (dropping it from numerator
      and denominator of an aggregate); rows whose outcome is settled either way keep it.
    * **Years before the panel's first year + 3** cannot be evaluated (the panel does not hold
      their three previous years): they get ``<NA>`` whatever ``missing`` says.
    * **Moving kommun**: the result sits on the current year's row, so the current year's kommun
      counts in any aggregate; earlier years count wherever the person lived then.
    * **Households that change composition**: each year's low flag was computed from that year's
      own household (income and consumption units), so persistence follows the *person*.

    Parameters
    ----------
    panel
        Person-year rows with columns ``person``, ``year`` and ``low`` (bool, no missing values).
        One row per person and year. Rows of all years needed (incl. the three before the first
        reported year) must be present, and for all ages (a 17-year-old's history is from ages 14–16).
    low
        Column holding :func:`low_economic_standard` for the row's year.
    person, year
        Column names of the person id and the year.
    previous_years, min_low_previous
        The window (3) and how many of its years must be low (2).
    missing
        ``"not_low"`` or ``"na"``, see above.

    Returns
    -------
    pandas.DataFrame
        Same index as ``panel``, columns ``persistent_low_economic_standard`` (nullable boolean),
        ``prev_years_observed`` and ``prev_years_low`` (int8, 0–3). ``.attrs`` holds
        ``n_persons_incomplete_history`` (persons with an evaluable row that lacks one or more of
        its three previous years), ``n_rows_incomplete_history`` and ``n_rows_not_evaluable``.

    Raises
    ------
    ValueError
        On missing columns, missing low flags, or a person with two rows in one year.
    """
    if missing not in ("not_low", "na"):
        raise ValueError(f"missing must be 'not_low' or 'na', got {missing!r}")
    if not 1 <= min_low_previous <= previous_years:
        raise ValueError("need 1 <= min_low_previous <= previous_years")
    _require(panel, (person, year, low), "persistent_low_economic_standard")
    n = len(panel)
    low_values = panel[low]
    if low_values.isna().any():
        raise ValueError(f"column {low!r} has missing values; compute it for every row first")
    is_low = low_values.to_numpy(dtype=bool)
    years = panel[year].to_numpy().astype(np.int64)

    # Dense person x year grid: O(n) and a few bytes per cell (3.4 M persons x 14 years = 48 MB).
    codes, uniques = pd.factorize(panel[person], sort=False)
    if (codes < 0).any():
        raise ValueError(f"column {person!r} has missing values")
    first_year = int(years.min()) if n else 0
    width = int(years.max() - first_year) + 1 + previous_years if n else previous_years + 1
    cell = codes.astype(np.int64) * width + (years - first_year + previous_years)

    # Duplicate (person, year): write row numbers into the grid, read them back; a row that was
    # overwritten shares its cell with a later row.
    owner = np.zeros(len(uniques) * width, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    row_no = np.arange(1, n + 1, dtype=owner.dtype)
    owner[cell] = row_no
    dup = owner[cell] != row_no
    if dup.any():
        first = np.flatnonzero(dup)[:5]
        pairs = ", ".join(f"{panel[person].iloc[i]!r} in {years[i]}" for i in first)
        raise ValueError(f"persons with more than one row in a year: {pairs}")
    del owner, row_no

    # 0 = absent, 1 = present and not low, 2 = present and low
    state = np.zeros(len(uniques) * width, dtype=np.int8)
    state[cell] = 1 + is_low.astype(np.int8)
    observed = np.zeros(n, dtype=np.int8)
    n_low = np.zeros(n, dtype=np.int8)
    for k in range(1, previous_years + 1):  # window length, not persons: vectorised over rows
        s = state[cell - k]
        observed += s > 0
        n_low += s == 2
    del state

    result = is_low & (n_low >= min_low_previous)
    na = years < first_year + previous_years
    incomplete = ~na & (observed < previous_years)
    if missing == "na":
        could_be = n_low + (previous_years - observed) >= min_low_previous
        na |= incomplete & is_low & ~result & could_be
    out = pd.DataFrame(
        {
            "persistent_low_economic_standard": pd.arrays.BooleanArray(result, na),
            "prev_years_observed": observed,
            "prev_years_low": n_low,
        },
        index=panel.index,
    )
    out.attrs = {
        "n_persons_incomplete_history": int(
            np.count_nonzero(np.bincount(codes[incomplete], minlength=len(uniques)))
        ),
        "n_rows_incomplete_history": int(incomplete.sum()),
        "n_rows_not_evaluable": int((years < first_year + previous_years).sum()),
        "first_evaluable_year": first_year + previous_years,
        "missing": missing,
    }
    return out


def _combined_codes(columns: Sequence[np.ndarray | pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of several columns, and one row index per combination."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        c, u = pd.factorize(col, sort=False)
        combined = combined * (len(u) + 1) + (c + 1)
    codes, uniq = pd.factorize(combined, sort=False)
    first_row = np.full(len(uniq), -1, dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first_row


def household_norm(
    keys: pd.DataFrame,
    norms: pd.DataFrame,
) -> np.ndarray:
    """Look up the household's norm of necessary costs (baskonsumtion), SEK per year.

    Parameters
    ----------
    keys
        One row per person-year with the key columns of ``norms`` other than ``norm``, e.g.
        ``year, adults, children`` (or ``year, household_type``).
    norms
        The norm table: key columns plus ``norm`` (SEK per year, > 0), one row per key.

    Returns
    -------
    numpy.ndarray
        The norm per row of ``keys``.

    Raises
    ------
    ValueError
        If the table lacks ``norm``, has a duplicate key or a norm <= 0, or a household's
        combination of keys is not in the table (the missing combinations are listed).
    """
    if "norm" not in norms.columns:
        raise ValueError("the norm table needs a column 'norm' (SEK per year)")
    key_cols = [c for c in norms.columns if c != "norm"]
    if not key_cols:
        raise ValueError("the norm table needs key columns besides 'norm' (e.g. year, adults, children)")
    _require(keys, key_cols, "household_norm")
    if norms.duplicated(key_cols).any():
        dupes = norms.loc[norms.duplicated(key_cols, keep=False), key_cols].drop_duplicates()
        raise ValueError(f"the norm table has duplicate keys: {dupes.to_dict('records')[:5]}")
    bad = ~(pd.to_numeric(norms["norm"], errors="coerce") > 0)
    if bad.any():
        raise ValueError(f"norms must be > 0 SEK; bad rows: {norms.loc[bad].to_dict('records')[:5]}")
    codes, first_row = _combined_codes([keys[c].to_numpy() for c in key_cols])
    combos = keys.iloc[first_row][key_cols].reset_index(drop=True)
    matched = combos.merge(norms, on=key_cols, how="left", validate="one_to_one")
    missing = matched["norm"].isna()
    if missing.any():
        raise ValueError(
            "the norm table has no norm for these household combinations: "
            f"{matched.loc[missing, key_cols].to_dict('records')[:10]}"
        )
    return matched["norm"].to_numpy(dtype=float)[codes]


def low_income_standard(
    disposable_income: object,
    norm: object,
) -> tuple[np.ndarray | float, np.ndarray | bool]:
    """Income standard (inkomststandard) and low income standard (låg inkomststandard).

    Definition: income standard = the household's disposable income / the household's norm of
    necessary costs (baskonsumtion: riksnormen för försörjningsstöd, a standard housing cost,
    household electricity, child care, local travel, union and unemployment-fund fees, home
    insurance; SCB fixes the 2010 norm for all years). Low income standard is income standard
    strictly below 1, i.e. the income does not cover the necessary costs. Zero or negative income
    is always low. Income exactly equal to the norm is not low.

    Swedish (pre-study, Region Örebro län 2022): "låg inkomststandard vilket speglar om familjens
    disponibla inkomster inte räcker till att täcka nödvändiga levnadsomkostnader".

    Source: SCB Statistikdatabasen, footnote to *Inkomststandard* (LE0102, 2015-10-01),
    http://www.statistikdatabasen.scb.se/pxweb/sv/ssd/START__LE__LE0102__LE0102L/InkStd/ ; Rädda
    Barnen, *Vad är barnfattigdom?*. The exact "< 1" wording is not quoted in the stored pages; it
    is implied by "inkomsterna täcker inte nödvändiga kostnader" (open question).

    Parameters
    ----------
    disposable_income
        Disposable household income, SEK per year (may be <= 0).
    norm
        The household's norm, SEK per year (> 0), e.g. from :func:`household_norm`.

    Returns
    -------
    (income_standard, low)
        Floats/arrays: the ratio, and ``income < norm``.

    Raises
    ------
    ValueError
        If an income is missing or a norm is not > 0.
    """
    inc = _as_array(disposable_income, "disposable_income").astype(float)
    nrm = _as_array(norm, "norm").astype(float)
    inc, nrm = np.broadcast_arrays(inc, nrm)
    bad = ~np.isfinite(inc)
    if bad.any():
        raise ValueError(f"disposable_income is missing or not finite at {_bad_positions(bad, inc)}")
    bad = ~(nrm > 0)
    if bad.any():
        raise ValueError(f"norm must be > 0 SEK; bad values at {_bad_positions(bad, nrm)}")
    # compare income with the norm directly (no division noise at income == norm)
    return (
        _maybe_scalar(inc / nrm, disposable_income, norm),
        _maybe_scalar(inc < nrm, disposable_income, norm),
    )


HOUSEHOLD_TYPES = (
    "ensamstående med barn",
    "sammanboende med barn",
    "övriga hushåll med barn",
    "ensamstående utan barn",
    "sammanboende utan barn",
    "övriga hushåll utan barn",
)


def household_type(adults_in_couple: object, other_adults: object, children: object) -> pd.Categorical:
    """Household type from the household's composition (SCB's hushållstyp, simplified).

    ``ensamstående`` is one adult without partner, ``sammanboende`` a couple and no other adult,
    ``övriga hushåll`` anything with further adults; each ``med barn`` (children 0–19 present) or
    ``utan barn``. Labels are those of :data:`HOUSEHOLD_TYPES`.

    Parameters
    ----------
    adults_in_couple, other_adults, children
        Array-likes as in :func:`consumption_units`.

    Returns
    -------
    pandas.Categorical
        Categories :data:`HOUSEHOLD_TYPES`, in that order.
    """
    a, o, c = np.broadcast_arrays(
        _as_array(adults_in_couple, "adults_in_couple"),
        _as_array(other_adults, "other_adults"),
        _as_array(children, "children"),
    )
    base = np.select([(a == 0) & (o == 1), (a == 2) & (o == 0)], [0, 1], 2)
    codes = base + np.where(c > 0, 0, 3)
    return pd.Categorical.from_codes(np.atleast_1d(codes), categories=list(HOUSEHOLD_TYPES))


def _require(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where} needs column(s) {', '.join(map(repr, missing))}")


def poverty_measures(
    panel: pd.DataFrame,
    national_median: Mapping[int, float] | pd.Series,
    norms: pd.DataFrame,
    *,
    scale: ConsumptionScale = SCB_SCALE,
    missing: Literal["not_low", "na"] = "not_low",
) -> pd.DataFrame:
    """All person-level measures for a person-year panel, in one call.

    Adds ``adults``, ``consumption_units``, ``economic_standard``, ``low_economic_standard``,
    ``persistent_low_economic_standard``, ``prev_years_observed``, ``prev_years_low``,
    ``household_norm``, ``income_standard``, ``low_income_standard`` and (if absent)
    ``household_type``. Definitions: see each function.

    Parameters
    ----------
    panel
        The canonical register frame (:func:`analysis.contracts.register.read_register`): columns
        :data:`PANEL_COLUMNS`, all years and ages (previous years are needed for persistence).
    national_median
        National median economic standard by year (SCB), see :func:`low_economic_standard`.
    norms
        Norm table for :func:`household_norm`; its key columns may be ``year``, ``adults``
        (``adults_in_couple + other_adults``), ``children`` (= ``children_0_19``) or any
        panel column (e.g. ``household_type``).
    scale
        Consumption-unit scale.
    missing
        Rule for absent previous years, see :func:`persistent_low_economic_standard`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``.attrs`` carries the history report of
        :func:`persistent_low_economic_standard`.
    """
    _require(panel, PANEL_COLUMNS, "poverty_measures")
    out = panel.copy()
    out["adults"] = (out["adults_in_couple"] + out["other_adults"]).astype("int16")
    out["consumption_units"] = consumption_units(
        out["adults_in_couple"], out["other_adults"], out["children_0_19"], scale=scale
    )
    if "household_type" not in out.columns:
        out["household_type"] = household_type(
            out["adults_in_couple"], out["other_adults"], out["children_0_19"]
        )
    out["economic_standard"] = economic_standard(out["disposable_income"], out["consumption_units"])
    out["low_economic_standard"] = low_economic_standard(
        out["economic_standard"], out["year"], national_median
    )
    persistent = persistent_low_economic_standard(out, missing=missing)
    for col in persistent.columns:
        out[col] = persistent[col]
    keys = out.rename(columns={"children_0_19": "children"}) if "children" not in out else out
    out["household_norm"] = household_norm(keys, norms)
    out["income_standard"], out["low_income_standard"] = low_income_standard(
        out["disposable_income"], out["household_norm"]
    )
    out.attrs = dict(persistent.attrs)
    return out


def _children(measures: pd.DataFrame, ages: tuple[int, int], needed: Sequence[str], where: str):
    lo, hi = ages
    if lo < 0 or hi < lo:
        raise ValueError(f"ages must be (low, high) with 0 <= low <= high, got {ages!r}")
    _require(measures, ("age", *needed), where)
    return measures.loc[measures["age"].between(lo, hi)]


def economically_vulnerable_children(
    measures: pd.DataFrame,
    *,
    ages: tuple[int, int] = (0, 17),
) -> pd.DataFrame:
    """Children in economically vulnerable households, the pre-study's composite.

    Definition: a child aged 0–17 who lives in a family with low income standard (låg
    inkomststandard) OR with persistent low economic standard (varaktigt låg ekonomisk standard).
    A child whose persistence is ``<NA>`` (see :func:`persistent_low_economic_standard`) is
    vulnerable if the family has low income standard, else ``<NA>`` (left out of aggregates).

    Swedish (Region Örebro län, protocol February 2022, förstudie barnfattigdom): "Barn i
    ekonomiskt utsatta hushåll lever antingen i familjer med låg inkomststandard [...] eller i
    familjer med varaktigt låg ekonomisk standard vilket innebär hushåll med en disponibel inkomst
    per person som är mindre än 60 % av medianvärdet ett aktuellt år samt under minst två av de
    föregående åren." (FoHM statistics for 2019: 8 884 children 0–17 in the län, 11,8 %.)

    Source: Specifikt samverkansråd folkhälsa, Region Örebro län, February 2022 (seed document
    002, lines 177–184); FoHM, *Inkomster och försörjningsmöjligheter, målområde 4* (2023).

    Parameters
    ----------
    measures
        Output of :func:`poverty_measures`.
    ages
        Inclusive age range of children; (0, 17).

    Returns
    -------
    pandas.DataFrame
        The child rows of ``measures`` with a nullable boolean column ``economically_vulnerable``.
    """
    kids = _children(
        measures,
        ages,
        ("low_income_standard", "persistent_low_economic_standard"),
        "economically_vulnerable_children",
    )
    low_inc = pd.array(kids["low_income_standard"].to_numpy(dtype=bool), dtype="boolean")
    persistent = kids["persistent_low_economic_standard"].astype("boolean").array
    kids["economically_vulnerable"] = low_inc | persistent  # Kleene logic: True | NA is True
    return kids


def economically_vulnerable_children_fhi(
    measures: pd.DataFrame,
    *,
    ages: tuple[int, int] = (0, 19),
) -> pd.DataFrame:
    """Children in economically vulnerable households, the older FHI/Kolada composite.

    Definition: a child (0–19 in the SCB/Kolada key figure; Rädda Barnen uses 0–17) in a household
    with low income (the absolute norm, :func:`low_income_standard`) OR that received ekonomiskt
    bistånd (socialbidrag) at least once during the year. An absolute measure, not the relative
    60 %-of-median one.

    Swedish (Statens folkhälsoinstitut, Folkhälsodata): "Med 'ekonomiskt utsatta' menas hushåll med
    låg inkomst eller socialbidrag. [...] Om inkomsterna understiger normen för dessa utgifter
    definieras detta som låg inkomst. Med socialbidrag menas att sådant erhållits minst en gång
    under året."

    Source: copy of the FHI Folkhälsodata table *Barnfattigdom* (created 2013-10-16, source SCB),
    http://pxwebb2017.vgregion.se/PXWeb/pxweb/sv/Valfard/Valfard/Barnfattigdom.px

    Parameters
    ----------
    measures
        Output of :func:`poverty_measures` (needs ``low_income_standard``, ``economic_assistance``).
    ages
        Inclusive age range; (0, 19).

    Returns
    -------
    pandas.DataFrame
        The child rows with a boolean column ``economically_vulnerable``.
    """
    kids = _children(
        measures, ages, ("low_income_standard", "economic_assistance"),
        "economically_vulnerable_children_fhi",
    )
    kids["economically_vulnerable"] = pd.array(
        kids["low_income_standard"].to_numpy(dtype=bool)
        | kids["economic_assistance"].to_numpy(dtype=bool),
        dtype="boolean",
    )
    return kids


def aggregate_children(
    children: pd.DataFrame,
    flag: str = "economically_vulnerable",
    *,
    by: str | None = None,
    area_levels: Sequence[Literal["kommun", "lan", "forbund"]] = ("kommun", "lan"),
    indicator_id: str | None = None,
    interval: Literal["wilson"] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of children with a flag, by area, year and optionally a group: a tidy table.

    ``count`` is the number of children with the flag (e.g. children in economically vulnerable
    households), ``denominator`` the number of children with a known flag, ``value`` their ratio
    (a proportion 0–1). Children whose flag is ``<NA>`` are left out of both. The kommun is the
    child's kommun in that year (a child who moved counts where it lived that year).

    Parameters
    ----------
    children
        Child rows with ``kommun``, ``year``, ``flag`` (and ``by``), e.g. from
        :func:`economically_vulnerable_children`.
    flag
        Boolean column to count.
    by
        Optional breakdown column, e.g. ``"background"``, ``"parents_education"`` or
        ``"household_type"``; its values go into the ``group`` key.
    area_levels
        Any of ``"kommun"``, ``"lan"`` (the first two digits of the kommun code) and ``"forbund"``
        (:func:`analysis.core.geo.kommun_till_forbund`, Örebro län only).
    indicator_id
        Written into an ``indicator_id`` key column if given.
    interval
        ``"wilson"`` adds ``lower``, ``upper``, ``confidence`` and ``method`` (Wilson score
        interval; the register is a census, so the interval describes random variation only).
    confidence
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``[indicator_id,] area_code, area_type, period, [group,] count, denominator,
        value, [lower, upper, confidence,] statistic[, method]``, sorted by the keys.

    Raises
    ------
    ValueError
        On unknown area levels, missing columns, or kommuner outside Örebro län for ``"forbund"``.
    """
    unknown = set(area_levels) - {"kommun", "lan", "forbund"}
    if unknown or not area_levels:
        raise ValueError(f"area_levels must be some of 'kommun', 'lan', 'forbund'; got {area_levels!r}")
    if interval not in (None, "wilson"):
        raise ValueError(f"interval must be None or 'wilson', got {interval!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    _require(children, ("kommun", "year", flag, *([by] if by else [])), "aggregate_children")

    flags = children[flag].astype("boolean")
    known = flags.notna().to_numpy()
    # boolean row selection keeps categorical columns categorical (fast grouping on codes)
    base = children.loc[known, ["kommun", "year", *([by] if by else [])]]
    base = base.set_axis(["kommun", "period", *(["group"] if by else [])], axis=1)
    base["hit"] = flags.to_numpy(dtype=bool, na_value=False)[known]
    keys = ["period", *(["group"] if by else [])]
    # group on the columns as given (categorical codes are fast); turn codes into text afterwards
    per_kommun = (
        base.groupby(["kommun", *keys], observed=True, sort=False)["hit"]
        .agg(count="sum", denominator="size")
        .reset_index()
    )
    per_kommun["kommun"] = per_kommun["kommun"].astype(str)
    if by:
        per_kommun["group"] = per_kommun["group"].astype(str)
    tables = []
    for level in area_levels:
        if level == "kommun":
            t = per_kommun.rename(columns={"kommun": "area_code"})
        else:
            if level == "lan":
                code = per_kommun["kommun"].str[:2]
            else:
                mapping = geo.kommun_till_forbund()
                code = per_kommun["kommun"].map(mapping)
                if code.isna().any():
                    bad = sorted(per_kommun.loc[code.isna(), "kommun"].unique())[:5]
                    raise ValueError(f"kommuner without a förbund (not in {geo.LAN_NAMN}): {bad}")
            t = (
                per_kommun.assign(area_code=code)
                .groupby(["area_code", *keys], sort=False)[["count", "denominator"]]
                .sum()
                .reset_index()
            )
        tables.append(t.assign(area_type=level))
    out = survey.proportion_columns(pd.concat(tables, ignore_index=True), confidence,
                                    interval=interval)
    cols = ["area_code", "area_type", "period", *(["group"] if by else [])]
    if indicator_id is not None:
        out.insert(0, "indicator_id", indicator_id)
        cols = ["indicator_id", *cols]
    stats = ["count", "denominator", "value"]
    if interval == "wilson":
        stats += ["lower", "upper", "confidence", "statistic", "method"]
    else:
        stats += ["statistic"]
    level_order = {lvl: i for i, lvl in enumerate(("lan", "forbund", "kommun"))}
    out = out.assign(_lvl=out["area_type"].map(level_order)).sort_values(
        ["_lvl", "area_code", *cols[cols.index("period"):]], kind="stable"
    )
    return out[cols + stats].reset_index(drop=True)
