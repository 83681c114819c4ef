"""Input contract and readers for an SCB-style register extract of persons and households per year.

The extract (ordered from SCB for Örebro län; microdata, so it lives in ``data/private/``) has one
row per person and year, with the person's household values repeated on every member's row. Any
of CSV, Parquet, SAS (``.sas7bdat``, or SAS transport ``.xpt``) and SPSS (``.sav``/``.zsav``) is
read into one canonical :class:`pandas.DataFrame`, validated, and every problem is reported as an
:class:`analysis.core.errors.InputError` naming the file, the column and the 1-based data rows.

The contract (also in ``docs/contracts/register.md``; keep the two in step)
---------------------------------------------------------------------------

====================  ========  =============================================================
column                type      codes and rules
====================  ========  =============================================================
person_id             str       pseudonymised person id (SCB LopNr); not empty
household_id          str       household id (bostadshushåll) of the person that year
year                  int16     income year, 1990–2100
kommun                str       kommun of residence 31 Dec: one of the 12 codes of Örebro län
                                (``analysis.core.geo.KOMMUNER``, e.g. ``"1880"``); the extract is
                                for the län, so any other code is an error
age                   int16     age in whole years at 31 Dec, 0–120
sex                   str       ``"kvinnor"`` / ``"man"`` (input SCB Kön 1 = man, 2 = kvinna,
                                or the labels kvinna/kvinnor/K/man/män/M)
adults_in_couple      int8      adults forming the household's couple: 0 or 2
other_adults          int8      further adults, >= 0
children_0_19         int8      children aged 0–19 in the household, >= 0
household_type        str       OPTIONAL SCB household type code or label, kept as given
                                (the counts above are still required: the consumption-unit
                                scale needs them)
disposable_income     float64   the household's disposable income, SEK per year; may be
                                zero or negative; never missing
economic_assistance   bool      the household received ekonomiskt bistånd during the year
                                (input 1/0, ja/nej, true/false, j/n)
background            str       the child's background: ``"svensk"`` / ``"utländsk"``
parents_education     str       parents' highest education: ``"förgymnasial"``,
                                ``"gymnasial"``, ``"eftergymnasial"``, ``"okänd"``
====================  ========  =============================================================

Rules across rows: one row per (person_id, year); a person is in one household a year; the
household values (kommun, adults_in_couple, other_adults, children_0_19, disposable_income,
economic_assistance) are the same on every member's row of a household and year; every household
has at least one adult. Text codes are matched without regard to case or surrounding spaces;
SPSS value labels (and SAS formats, given a catalogue) are applied before matching, so either the
codes above or their labels may be stored. Columns not in the contract are dropped.

Numbers are never guessed: with ``decimal=","`` a ``.`` is accepted only as a thousands
separator (:func:`decimal_to_point`), and :func:`read_register` stops an extract whose incomes
cannot be right (:func:`check_plausible`: median household income, share of zero incomes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.contracts import microdata
from analysis.core import geo
from analysis.core.errors import InputError

__all__ = [
    "COLUMNS",
    "EDUCATION",
    "BACKGROUND",
    "SEXES",
    "check_plausible",
    "decimal_to_point",
    "read_register",
    "validate_register",
]

#: Canonical columns and their dtypes, in order (``household_type`` is optional).
COLUMNS: dict[str, str] = {
    "person_id": "str",
    "household_id": "str",
    "year": "int16",
    "kommun": "str",
    "age": "int16",
    "sex": "str",
    "adults_in_couple": "int8",
    "other_adults": "int8",
    "children_0_19": "int8",
    "household_type": "str",
    "disposable_income": "float64",
    "economic_assistance": "bool",
    "background": "str",
    "parents_education": "str",
}
OPTIONAL = ("household_type",)
SEXES = ("kvinnor", "man")
BACKGROUND = ("svensk", "utländsk")
EDUCATION = ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
HOUSEHOLD_VALUES = (
    "kommun",
    "adults_in_couple",
    "other_adults",
    "children_0_19",
    "disposable_income",
    "economic_assistance",
)
YEAR_RANGE = (1990, 2100)
MAX_AGE = 120

_SEX_CODES = {
    "1": "man", "man": "man", "män": "man", "m": "man", "male": "man",
    "2": "kvinnor", "kvinna": "kvinnor", "kvinnor": "kvinnor", "k": "kvinnor", "female": "kvinnor",
}
_BACKGROUND_CODES = {
    "svensk": "svensk", "svensk bakgrund": "svensk",
    "utländsk": "utländsk", "utlandsk": "utländsk", "utländsk bakgrund": "utländsk",
}
_EDUCATION_CODES = {
    "förgymnasial": "förgymnasial", "forgymnasial": "förgymnasial",
    "förgymnasial utbildning": "förgymnasial",
    "gymnasial": "gymnasial", "gymnasial utbildning": "gymnasial",
    "eftergymnasial": "eftergymnasial", "eftergymnasial utbildning": "eftergymnasial",
    "okänd": "okänd", "okand": "okänd", "uppgift saknas": "okänd",
}
_BOOL_CODES = {
    "1": True, "ja": True, "j": True, "true": True, "sant": True, "yes": True, "y": True,
    "0": False, "nej": False, "n": False, "false": False, "falskt": False, "no": False,
}
_INTEGER = ("year", "age", "adults_in_couple", "other_adults", "children_0_19")
_FORMATS = {
    ".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
    ".sas7bdat": "sas", ".xpt": "xport", ".sav": "spss", ".zsav": "spss",
}


def _schema() -> pa.DataFrameSchema:
    """Value checks on the coerced frame; each check's ``error`` is the message the analyst sees."""
    return pa.DataFrameSchema(
        {
            "person_id": pa.Column(str, pa.Check.str_length(min_value=1, error="empty person_id")),
            "household_id": pa.Column(
                str, pa.Check.str_length(min_value=1, error="empty household_id")
            ),
            "year": pa.Column(
                "int16", pa.Check.in_range(*YEAR_RANGE, error=f"year outside {YEAR_RANGE}")
            ),
            "kommun": pa.Column(
                str,
                pa.Check.isin(
                    list(geo.KOMMUNER),
                    error=f"unknown kommun code (the extract must hold the 12 kommuner of "
                    f"{geo.LAN_NAMN}: {', '.join(geo.KOMMUNER)})",
                ),
            ),
            "age": pa.Column(
                "int16",
                [
                    pa.Check.ge(0, error="negative age"),
                    pa.Check.le(MAX_AGE, error=f"age over {MAX_AGE}"),
                ],
            ),
            "sex": pa.Column(
                str, pa.Check.isin(SEXES, error="unknown sex code (use 1 = man, 2 = kvinna)")
            ),
            "adults_in_couple": pa.Column(
                "int8", pa.Check.isin([0, 2], error="adults_in_couple must be 0 or 2")
            ),
            "other_adults": pa.Column(
                "int8", pa.Check.ge(0, error="other_adults must not be negative")
            ),
            "children_0_19": pa.Column(
                "int8", pa.Check.ge(0, error="children_0_19 must not be negative")
            ),
            "household_type": pa.Column(str, required=False, nullable=True),
            "disposable_income": pa.Column(float),
            "economic_assistance": pa.Column(bool),
            "background": pa.Column(
                str, pa.Check.isin(BACKGROUND, error=f"unknown background (use {BACKGROUND})")
            ),
            "parents_education": pa.Column(
                str,
                pa.Check.isin(EDUCATION, error=f"unknown parents_education (use {EDUCATION})"),
            ),
        },
        strict=True,
        ordered=False,
    )


# Shared with the other microdata contracts (analysis.contracts.microdata).
_rows = microdata.rows
_fail = microdata.fail
_as_text = microdata.cell_text
_missing = microdata.is_missing


def _coerce(raw: pd.DataFrame, path: str) -> pd.DataFrame:
    """Turn the columns of the contract into their canonical types, raising on the first problem."""
    out: dict[str, pd.Series] = {}
    for name in COLUMNS:
        if name not in raw.columns:
            continue
        col = raw[name].reset_index(drop=True)
        numeric_source = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if numeric_source and (name in _INTEGER or name == "disposable_income"):
            text = col  # numbers stay numbers (Parquet, SAS, SPSS): no detour through text
            missing = col.isna().to_numpy()
        else:
            text = _as_text(col)
            missing = _missing(text)
        if name not in OPTIONAL and missing.any():
            raise _fail(path, "missing values", name, missing, text)
        if name in _INTEGER or name == "disposable_income":
            if numeric_source:
                num = col.astype(float)
            else:
                num = pd.to_numeric(text.str.replace("\u2212", "-", regex=False), errors="coerce")
            bad = num.isna().to_numpy() & ~missing
            if bad.any():
                hint = " (decimal comma? pass decimal=',')" if text[bad].str.contains(",").any() else ""
                raise _fail(path, f"non-numeric value{hint}", name, bad, text)
            if name in _INTEGER:
                bad = (num != np.floor(num)).to_numpy()
                if bad.any():
                    raise _fail(path, "not a whole number", name, bad, text)
                lo, hi = np.iinfo(COLUMNS[name]).min, np.iinfo(COLUMNS[name]).max
                bad = ((num < lo) | (num > hi)).to_numpy()
                if bad.any():
                    raise _fail(path, "value out of range", name, bad, text)
                out[name] = num.astype(COLUMNS[name])
            else:
                bad = ~np.isfinite(num.to_numpy())
                if bad.any():
                    raise _fail(path, "income must be a finite number", name, bad, text)
                out[name] = num.astype("float64")
        elif name == "economic_assistance":
            mapped = text.str.lower().map(_BOOL_CODES)
            bad = mapped.isna().to_numpy()
            if bad.any():
                raise _fail(path, "not a yes/no value (use 1/0, ja/nej, true/false)", name, bad, text)
            out[name] = mapped.astype(bool)
        elif name == "kommun":
            digits = text.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
            out[name] = text.where(~digits, text.str.zfill(4)).astype(str)
        elif name in ("sex", "background", "parents_education"):
            codes = {"sex": _SEX_CODES, "background": _BACKGROUND_CODES,
                     "parents_education": _EDUCATION_CODES}[name]
            low = text.str.lower()
            out[name] = low.map(codes).fillna(text).astype(str)  # unknown: keep for the message
        else:  # ids, household_type
            out[name] = text.astype(str) if name not in OPTIONAL else text.astype(object)
    return pd.DataFrame(out)


def _check_values(frame: pd.DataFrame, path: str) -> None:
    try:
        _schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        if cases.empty:
            raise InputError(path, str(exc).splitlines()[0]) from None
        order = {c: i for i, c in enumerate(COLUMNS)}
        first = min(
            cases.groupby(["column", "check"], sort=False).groups,
            key=lambda key: order.get(key[0], len(order)),
        )
        sel = cases[(cases["column"] == first[0]) & (cases["check"] == first[1])]
        sel = sel.sort_values("index")
        raise InputError(
            path,
            str(first[1]),
            column=str(first[0]),
            rows=(sel["index"].astype(int) + 1).tolist(),
            values=sel["failure_case"].tolist(),
        ) from None


def _groups(ids: pd.Series, years: pd.Series) -> np.ndarray:
    """Dense integer code of each (id, year) pair; one hash pass over the ids."""
    codes = pd.factorize(ids, sort=False)[0].astype(np.int64)
    y = years.to_numpy().astype(np.int64)
    return pd.factorize(codes * (int(y.max() - y.min()) + 1) + (y - y.min()), sort=False)[0]


def _not_constant(group: np.ndarray, values: pd.Series) -> np.ndarray:
    """Rows of the groups in which some row's value differs from the group's first row."""
    n_groups = int(group.max()) + 1
    first = np.empty(n_groups, dtype=np.int64)
    first[group[::-1]] = np.arange(len(group) - 1, -1, -1)
    v = values.to_numpy()
    flagged = np.zeros(n_groups, dtype=bool)
    flagged[group[v != v[first[group]]]] = True
    return flagged[group]


def _check_rows(frame: pd.DataFrame, path: str) -> None:
    adults = frame["adults_in_couple"].astype(int) + frame["other_adults"].astype(int)
    bad = (adults < 1).to_numpy()
    if bad.any():
        raise _fail(path, "household without an adult (adults_in_couple + other_adults = 0)",
                    "other_adults", bad, frame["other_adults"])

    person_year = _groups(frame["person_id"], frame["year"])
    bad = _not_constant(person_year, frame["household_id"])
    if bad.any():
        raise _fail(path, "person in two households in one year", "household_id", bad,
                    frame["person_id"] + " " + frame["year"].astype(str) + ": "
                    + frame["household_id"])
    bad = np.bincount(person_year)[person_year] > 1
    if bad.any():
        raise _fail(path, "duplicate (person_id, year)", "person_id", bad,
                    frame["person_id"] + " " + frame["year"].astype(str))

    household_year = _groups(frame["household_id"], frame["year"])
    for col in HOUSEHOLD_VALUES:
        bad = _not_constant(household_year, frame[col])
        if bad.any():
            raise _fail(path, f"{col} differs between members of one household and year",
                        col, bad, frame[col])


def validate_register(frame: pd.DataFrame, path: str = "<DataFrame>") -> pd.DataFrame:
    """Validate a register extract already in memory and return the canonical frame.

    Parameters
    ----------
    frame
        Columns named as in :data:`COLUMNS` (rename first). Extra columns are dropped.
    path
        What to call the data in error messages.

    Returns
    -------
    pandas.DataFrame
        Canonical columns and dtypes (see the module docstring), index 0..n-1 in file order.

    Raises
    ------
    InputError
        On an empty extract, a missing column, a missing, non-numeric or unknown value, a
        negative age, a duplicate (person, year), a person in two households in one year, or
        household values that differ between members.
    """
    path = str(path)
    if len(frame) == 0:
        raise InputError(path, "the extract has no data rows")
    missing = [c for c in COLUMNS if c not in frame.columns and c not in OPTIONAL]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}",
            column=missing[0],
        )
    canonical = _coerce(frame, path)
    _check_values(canonical, path)
    _check_rows(canonical, path)
    return canonical[[c for c in COLUMNS if c in canonical.columns]]


#: A number written with ``.`` grouping thousands and ``decimal`` for decimals, e.g. 1.234.567,5.
_GROUPED = r"^[-\u2212]?\d{1,3}(\.\d{3})+(%s\d+)?$"


def decimal_to_point(values: pd.Series, decimal: str, path: str, column: str) -> pd.Series:
    """Numbers written with ``decimal`` (e.g. ``","``) as text with a decimal point.

    A ``.`` is accepted only as a thousands separator in its place (``1.234.567,5``); any
    other ``.`` means the file does not use ``decimal`` and is refused rather than guessed,
    as is a file where no value holds ``decimal`` while some hold a ``.``.

    Raises
    ------
    InputError
        Naming the file, the column and the first rows whose number does not fit.
    """
    text = values.astype("string").str.strip()
    has_point = text.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
    if has_point.any():
        grouped = text.str.fullmatch(_GROUPED % re.escape(decimal)).fillna(False).to_numpy(dtype=bool)
        has_decimal = text.str.contains(decimal, regex=False).fillna(False).to_numpy(dtype=bool)
        bad = has_point & ~grouped
        if bad.any() or not has_decimal.any():
            rows = np.flatnonzero(bad if bad.any() else has_point)
            why = ("these values have a '.' that is not a thousands separator (the file seems "
                   "to use '.' for decimals)" if bad.any() else
                   f"no value has a {decimal!r} while these have a '.', which may be decimals or "
                   "thousands: the numbers are ambiguous")
            raise InputError(
                path, f"decimal={decimal!r} does not fit the data: {why}; drop 'decimal' from "
                "the read options (ANALYSIS_REGISTER_OPTIONS) or fix the file",
                column=column, rows=(rows[:10] + 1).tolist(),
                values=text.iloc[rows[:10]].tolist())
    return text.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)


def _read_raw(path: Path, fmt: str, sep: str, decimal: str, encoding: str,
              catalog_file: str | Path | None) -> pd.DataFrame:
    if fmt == "csv":
        raw = microdata.read_text_csv(path, sep, encoding)
        if decimal != ".":
            for col in ("disposable_income",):
                if col in raw.columns:
                    raw[col] = decimal_to_point(raw[col], decimal, str(path), col)
        return raw
    microdata.check_not_empty(path)
    if fmt == "parquet":
        return pd.read_parquet(path)
    import pyreadstat

    try:
        if fmt == "spss":
            raw, _ = pyreadstat.read_sav(str(path), apply_value_formats=True,
                                         formats_as_category=False)
        elif fmt == "sas":
            raw, _ = pyreadstat.read_sas7bdat(
                str(path), catalog_file=None if catalog_file is None else str(catalog_file),
                apply_value_formats=catalog_file is not None, formats_as_category=False)
        else:
            raw, _ = pyreadstat.read_xport(str(path))
    except pyreadstat.ReadstatError as exc:
        raise InputError(str(path), f"cannot read the {fmt} file: {exc}") from None
    return raw


def read_register(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    file_format: str | None = None,
    sep: str = ",",
    decimal: str = ".",
    encoding: str = "utf-8",
    catalog_file: str | Path | None = None,
) -> pd.DataFrame:
    """Read a register extract (CSV, Parquet, SAS, SAS transport or SPSS) into the canonical frame.

    Parameters
    ----------
    path
        The file. Its suffix picks the reader unless ``file_format`` is given: ``.csv``/``.txt``
        (read as text, so codes keep leading zeros and bad numbers are caught), ``.parquet``,
        ``.sas7bdat`` (:func:`pyreadstat.read_sas7bdat`), ``.xpt`` (:func:`pyreadstat.read_xport`),
        ``.sav``/``.zsav`` (:func:`pyreadstat.read_sav` with value labels applied).
    columns
        Renames from the file's column names to the contract's, e.g.
        ``{"LopNr": "person_id", "Kommun": "kommun"}``; names are otherwise matched without
        regard to case.
    file_format
        ``"csv"``, ``"parquet"``, ``"sas"``, ``"xport"`` or ``"spss"``.
    sep, decimal, encoding
        CSV only (SCB often delivers ``sep=";"``, ``decimal=","``, ``encoding="latin-1"``).
    catalog_file
        SAS only: a ``.sas7bcat`` format catalogue whose value labels are applied.

    Returns
    -------
    pandas.DataFrame
        See :func:`validate_register`.

    Raises
    ------
    InputError
        As :func:`validate_register`, plus an empty or unreadable file.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    fmt = file_format or _FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "parquet", "sas", "xport", "spss"):
        raise InputError(str(path), f"unknown file format {path.suffix!r}; pass file_format=")
    if not path.exists():
        raise FileNotFoundError(path)
    raw = _read_raw(path, fmt, sep, decimal, encoding, catalog_file)
    raw, _ = microdata.canonical_names(raw, {}, columns, list(COLUMNS))
    frame = validate_register(raw, str(path))
    check_plausible(frame, str(path))
    return frame


#: Plausible median disposable income of a household, SEK per year (SCB's median for Örebro
#: län was about 400 000 in 2019; a ten-fold error in reading lands far outside).
MEDIAN_INCOME_RANGE = (80_000.0, 1_500_000.0)
#: Largest plausible share of households with a disposable income of exactly zero.
MAX_ZERO_INCOME_SHARE = 0.05
#: Fewer households in a year than this are not judged (a test file, not an extract).
MIN_HOUSEHOLDS_JUDGED = 100


def check_plausible(frame: pd.DataFrame, path: str = "<DataFrame>") -> None:
    """Stop a register extract whose incomes cannot be right (a misread file, wrong units).

    Per year with at least :data:`MIN_HOUSEHOLDS_JUDGED` households (one row per household
    and year): the median disposable income must lie in :data:`MEDIAN_INCOME_RANGE` and the
    share of zero incomes must not exceed :data:`MAX_ZERO_INCOME_SHARE`.

    Raises
    ------
    InputError
        Naming the file, the column, the year and the value found.
    """
    hh = frame.drop_duplicates(["household_id", "year"])
    lo, hi = MEDIAN_INCOME_RANGE
    for year, g in hh.groupby("year", sort=True):
        if len(g) < MIN_HOUSEHOLDS_JUDGED:
            continue
        med = float(g["disposable_income"].median())
        if not lo <= med <= hi:
            raise InputError(
                path, f"implausible incomes in {year}: the median disposable income of the "
                f"households is {med:,.0f} SEK a year, outside {lo:,.0f}–{hi:,.0f} (a misread "
                "decimal or thousands separator, or incomes in another unit?)",
                column="disposable_income")
        zero = float((g["disposable_income"] == 0).mean())
        if zero > MAX_ZERO_INCOME_SHARE:
            raise InputError(
                path, f"implausible incomes in {year}: {zero:.1%} of the households have a "
                f"disposable income of 0 (at most {MAX_ZERO_INCOME_SHARE:.0%} is plausible; "
                "missing incomes coded as 0?)", column="disposable_income")


def contract_table(columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The contract as a table (column, dtype, required), e.g. for the book's data dictionary."""
    cols = list(columns) if columns is not None else list(COLUMNS)
    return pd.DataFrame(
        {"column": cols, "dtype": [COLUMNS[c] for c in cols],
         "required": [c not in OPTIONAL for c in cols]}
    )
