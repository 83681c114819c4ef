"""Shared machinery of the input contracts for confidential microdata (survey rounds, register extracts).

The input contracts (:mod:`analysis.contracts.register`, :mod:`analysis.contracts.lh_contract`,
:mod:`analysis.contracts.ung_contract`) read CSV, Parquet, SAS and SPSS files whose columns arrive as
numbers, text or labelled codes; these helpers turn a column into comparable text and report bad
cells with their 1-based row numbers through :class:`analysis.core.errors.InputError`.

The two survey contracts also share their description of a variable (:class:`Variable`), the
coercion of coded answers against value labels (:func:`coerce_codes`, :func:`check_file_labels`),
the checks common to every round (:func:`missing_columns`, :func:`check_one_year` …) and the
readers and writer of coded files (:func:`read_coded`, :func:`canonical_names`,
:func:`write_coded`). Each contract keeps its own variables, codes and rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from analysis.core import geo, paths
from analysis.core.errors import InputError


def rows(mask) -> list[int]:
    """1-based row numbers (the analyst's view of the file) where ``mask`` is true."""
    return (np.flatnonzero(np.asarray(mask, dtype=bool)) + 1).tolist()


def fail(path: str, message: str, column: str | None, mask, values) -> InputError:
    """An :class:`InputError` naming the file, the column, the rows in ``mask`` and their values."""
    m = np.asarray(mask, dtype=bool)
    vals = np.asarray(values, dtype=object)[m].tolist()
    return InputError(path, message, column=column, rows=rows(m), values=vals)


def cell_text(col: pd.Series) -> pd.Series:
    """Text of each cell (pandas ``string``, ``<NA>`` if missing), vectorised.

    Whole floats (``1880.0`` from SAS/SPSS numerics) lose the ``.0``; text is trimmed;
    categoricals (SPSS value labels) become their labels.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_float_dtype(col):
        whole = (col == np.floor(col)).fillna(False).to_numpy(dtype=bool)
        out = col.astype("string")
        out[whole] = col[whole].astype("int64").astype("string")
        return out
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
        return col.astype("string")
    return col.astype("string").str.strip()


def is_missing(text: pd.Series) -> np.ndarray:
    """True where a cell (as text) is missing or empty."""
    return (text.isna() | (text.str.len() == 0)).to_numpy(dtype=bool)


# --------------------------------------------------------------------------- variables
@dataclass(frozen=True)
class Variable:
    """One variable of a survey contract.

    A contract subclasses this class to name the dtypes of its kinds (:attr:`DTYPES`).

    Parameters
    ----------
    name
        Canonical column name.
    kind
        What the variable is, e.g. ``id``, ``year``, ``kommun``, ``sex``, ``code`` (a question
        with value labels), ``weight0`` (>= 0) or ``count``; each contract lists its kinds.
    required
        False for optional columns.
    labels
        Value labels ``{code: Swedish label}`` of a coded variable.
    question
        The question or definition, in Swedish, as the book prints it.
    """

    name: str
    kind: str
    required: bool = True
    labels: Mapping[int, str] = field(default_factory=dict)
    question: str = ""

    #: Canonical dtype of each kind (kinds not named are ``float64``).
    DTYPES: ClassVar[Mapping[str, str]] = {}

    @property
    def dtype(self) -> str:
        return self.DTYPES.get(self.kind, "float64")


#: The WHO-5 well-being index as both surveys ask it (Swedish version; Topp et al. 2015): the
#: five statements about the last two weeks and the answer scale, 0 (never) to 5 (all the time).
WHO5_TEXT: tuple[str, ...] = (
    "Jag har känt mig glad och på gott humör",
    "Jag har känt mig lugn och avslappnad",
    "Jag har känt mig aktiv och full av energi",
    "Jag har vaknat upp och känt mig frisk och utvilad",
    "Mitt dagliga liv har varit fyllt av saker som intresserar mig",
)
WHO5_LABELS: dict[int, str] = {0: "ingen gång", 1: "ibland", 2: "mindre än halva tiden",
                               3: "mer än halva tiden", 4: "för det mesta", 5: "hela tiden"}
WHO5_ITEMS: tuple[str, ...] = tuple(f"who5_{i}" for i in range(1, 6))


def who5_variables(cls: type[Variable]) -> tuple[Variable, ...]:
    """The five WHO-5 items ``who5_1`` … ``who5_5`` as variables of a contract (class ``cls``)."""
    return tuple(cls(name, "code", labels=WHO5_LABELS,
                     question=f"WHO-5, de senaste två veckorna: {t}")
                 for name, t in zip(WHO5_ITEMS, WHO5_TEXT, strict=True))


def contract_table(variables: Sequence[Variable]) -> pd.DataFrame:
    """A contract as a table: variable, type, required, codes, question (for the book)."""
    return pd.DataFrame({
        "variable": [v.name for v in variables],
        "dtype": [v.dtype for v in variables],
        "required": [v.required for v in variables],
        "codes": ["; ".join(f"{k} = {lab}" for k, lab in v.labels.items()) for v in variables],
        "question": [v.question for v in variables],
    })


# --------------------------------------------------------------------------- coercion
def norm_label(s: object) -> str:
    """Label text compared without case, surrounding space or trailing punctuation."""
    t = str(s).strip().lower().replace("–", "-")
    return re.sub(r"\s+", " ", t).rstrip(".")


_KOMMUN_BY_NAME = {norm_label(v): k for k, v in geo.KOMMUNER.items()}


def coerce_codes(var: Variable, col: pd.Series, path: str, *, from_file: bool,
                 norm: Callable[[object], str] = norm_label) -> pd.Series:
    """Codes (numbers, or labels as text) to ``Int8``; refuse codes outside the value labels.

    Labels given as text are matched with ``norm`` (case, spacing and a trailing full stop do
    not matter). ``from_file`` says the file brought value labels for the variable (the error
    message then mentions them).
    """
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        codes = pd.Series(col.to_numpy(dtype=float, na_value=np.nan), dtype="Float64")
        miss = codes.isna().to_numpy()
    else:
        text = cell_text(col)
        miss = is_missing(text)
        num = pd.to_numeric(text, errors="coerce")
        by_label = {norm(lab): code for code, lab in var.labels.items()}
        words = text[num.isna().to_numpy() & ~miss].unique()  # map each distinct label once
        lookup = {w: by_label.get(norm(w)) for w in words}
        labelled = text.map(lookup).astype("Float64")
        codes = pd.Series(num, dtype="Float64").where(num.notna(), labelled)
    bad = ~miss & ~(codes.isin(list(var.labels)).fillna(False).to_numpy(dtype=bool))
    if bad.any():
        allowed = ", ".join(f"{c} = {lab}" for c, lab in var.labels.items())
        where = " or the file's value labels" if from_file else ""
        raise fail(path, f"code outside the value labels{where} (allowed: {allowed})",
                   var.name, bad, cell_text(col))
    return codes.astype("Int8")


def check_file_labels(var: Variable, labels: Mapping[object, str], path: str, *,
                      agrees: Callable[[Variable, int, object], bool] | None = None,
                      norm: Callable[[object], str] = norm_label) -> None:
    """The value labels stored in an SPSS file must mean what the contract's codes mean.

    By default a file label agrees when its code is not in the contract or its text equals the
    contract's label (compared with ``norm``); ``agrees(var, code, label)`` replaces that rule
    (e.g. for a variable with several accepted spellings).
    """
    for code, lab in labels.items():
        try:
            c = int(float(code))
        except (TypeError, ValueError):
            continue
        ok = (agrees(var, c, lab) if agrees is not None
              else c not in var.labels or norm(lab) == norm(var.labels[c]))
        if not ok:
            raise InputError(
                path,
                f"the file's value label {c} = {lab!r} disagrees with the contract "
                f"({c} = {var.labels[c]!r}); recode the variable to the contract's codes",
                column=var.name,
            )


def kommun_codes(text: pd.Series, path: str, column: str) -> pd.Series:
    """Kommun codes of the län from codes (zero-padded when numeric) or names; refuse others."""
    digits = text.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
    coded = text.where(~digits, text.str.zfill(4))
    coded = coded.where(digits, text.map(lambda s: _KOMMUN_BY_NAME.get(norm_label(s), s)))
    bad = ~coded.isin(list(geo.KOMMUNER)).to_numpy(dtype=bool)
    if bad.any():
        raise fail(path, f"unknown kommun (the survey covers the 12 kommuner of "
                   f"{geo.LAN_NAMN}: {', '.join(geo.KOMMUNER)})", column, bad, text)
    return coded.astype(str)


def numbers(text: pd.Series, miss: np.ndarray, path: str, column: str) -> pd.Series:
    """Text to numbers (a minus sign ``−`` is read as ``-``); refuse text that is not a number."""
    num = pd.to_numeric(text.str.replace("\u2212", "-", regex=False), errors="coerce")
    bad = num.isna().to_numpy() & ~miss
    if bad.any():
        raise fail(path, "not a number", column, bad, text)
    return num


def check_whole(num: pd.Series, text: pd.Series, path: str, column: str) -> None:
    """Refuse numbers with a fractional part (missing values pass)."""
    whole = (num == np.floor(num)).fillna(True).to_numpy(dtype=bool)
    if (~whole).any():
        raise fail(path, "not a whole number", column, ~whole, text)


# --------------------------------------------------------------------------- checks of a round
def raw_frame(frame: pd.DataFrame, path: str, year: int | None, *, empty: str,
              not_asked: Sequence[str] = (), items: Sequence[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` to validate, with ``year`` added if it has no such column.

    Raises
    ------
    ValueError
        ``not_asked`` names something that is not one of the question ``items``.
    InputError
        ``frame`` has no rows (the message is ``empty``).
    """
    unknown = [c for c in not_asked if c not in items]
    if unknown:
        raise ValueError(f"not_asked names {unknown}, which are not question items "
                         f"{tuple(items)}")
    if len(frame) == 0:
        raise InputError(path, empty)
    raw = frame.copy()
    if "year" not in raw.columns and year is not None:
        raw["year"] = year
    return raw


def missing_columns(raw: pd.DataFrame, variables: Sequence[Variable], path: str, doc: str,
                    not_asked: Sequence[str] = ()) -> None:
    """Refuse a frame without a required variable (one not asked in the round may be absent)."""
    missing = [v.name for v in variables
               if v.required and v.name not in raw.columns and v.name not in not_asked]
    if missing:
        raise InputError(path, f"missing variable(s) {', '.join(missing)}; the contract ({doc}) "
                         "requires them", column=missing[0])


def check_one_year(df: pd.DataFrame, path: str) -> None:
    """Refuse a file with several survey rounds (values of ``year``)."""
    years = df["year"].unique()
    if len(years) > 1:
        first = df["year"].iloc[0]
        raise fail(path, f"one file holds one survey round, found years {sorted(years.tolist())}",
                   "year", (df["year"] != first).to_numpy(), df["year"])


def check_year_given(df: pd.DataFrame, path: str, year: int | None) -> None:
    """Refuse a file whose ``year`` differs from the round given to the reader."""
    if year is not None and (df["year"] != year).any():
        raise fail(path, f"year differs from the round given to the reader ({year})", "year",
                   (df["year"] != year).to_numpy(), df["year"])


def check_not_asked(df: pd.DataFrame, path: str, not_asked: Sequence[str]) -> None:
    """Refuse answers to a question declared as not asked in the round."""
    for item in not_asked:
        if item in df.columns and df[item].notna().any():
            raise fail(path, "a question marked as not asked has answers", item,
                       df[item].notna().to_numpy(), df[item])


def check_unique(df: pd.DataFrame, path: str, column: str = "resp_id") -> None:
    """Refuse duplicate ids."""
    dup = df[column].duplicated(keep=False).to_numpy()
    if dup.any():
        raise fail(path, f"duplicate {column}", column, dup, df[column])


# --------------------------------------------------------------------------- files
#: The 4-digit year of a survey round in a file name (``liv_och_halsa_2017.sav``).
ROUND_YEAR = re.compile(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)")


def round_year(path: Path, example: str) -> int:
    """The survey round named in a file name; ``example`` shows a good name in the error."""
    m = ROUND_YEAR.search(path.stem)
    if not m:
        raise InputError(str(path), "cannot tell the survey round: name the file with its year, "
                         f"e.g. {example}")
    return int(m.group(1))


def rounds_source(source: str | None, env_var: str, folder: Sequence[str],
                  suffixes: Sequence[str]) -> str | None:
    """Where a survey's real rounds are read from, or None (the book then uses synthetic rounds).

    In order: ``source``; the environment variable ``env_var``; the ``folder`` (path parts under
    the repository root, e.g. ``("data", "private", "liv_och_halsa")``) if it holds a file with
    one of the round-file ``suffixes``.
    """
    import os


    if source:
        return str(source)
    env = os.environ.get(env_var)
    if env:
        return env
    path = paths.project_root().joinpath(*folder)
    if path.is_dir() and any(p.suffix.lower() in suffixes for p in path.iterdir()):
        return str(path)
    return None


def read_text_csv(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    """A CSV file with every cell as text (codes keep leading zeros; only empty cells missing)."""
    try:
        return pd.read_csv(path, dtype=str, sep=sep, encoding=encoding, keep_default_na=False,
                           na_values=[""])
    except pd.errors.EmptyDataError:
        raise InputError(str(path), "the file is empty") from None
    except UnicodeDecodeError as exc:
        raw = Path(path).read_bytes()[: exc.start] if exc.start < 10**8 else b""
        line = raw.count(b"\n") + 1
        raise InputError(str(path), f"the file is not valid {encoding} (byte {exc.start}, line "
                         f"{line}: {exc.object[exc.start:exc.start + 1]!r}); pass the file's "
                         "encoding (e.g. encoding='latin-1' in the read options) or save it as "
                         f"{encoding}") from None
    except pd.errors.ParserError as exc:
        raise InputError(str(path), f"cannot parse the CSV with sep={sep!r}: {exc}") from None


def check_not_empty(path: Path) -> None:
    """Refuse an empty (zero-byte) file."""
    if path.stat().st_size == 0:
        raise InputError(str(path), "the file is empty")


def coded_format(path: Path, file_format: str | None, formats: Mapping[str, str]) -> str:
    """The reader of a survey file: ``file_format``, else the one ``formats`` gives its suffix.

    Raises
    ------
    InputError
        Neither names CSV, Parquet or SPSS.
    FileNotFoundError
        If ``path`` does not exist.
    """
    fmt = file_format or formats.get(path.suffix.lower())
    if fmt not in ("csv", "parquet", "spss"):
        raise InputError(str(path), f"unknown file format {path.suffix!r}: use .sav, .parquet or "
                         ".csv, or pass file_format=")
    if not path.exists():
        raise FileNotFoundError(path)
    return fmt


def read_coded(path: Path, fmt: str, sep: str = ",", encoding: str = "utf-8"
               ) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Read a survey file as it is, with the value labels it stores (SPSS only).

    CSV is read as text; SPSS with :func:`pyreadstat.read_sav` keeping codes (the labels are
    returned to be checked against the contract) and user-missing codes as missing.

    Returns
    -------
    (pandas.DataFrame, dict)
        The file's columns under their own names and ``{column: {code: label}}``.
    """
    if fmt == "csv":
        return read_text_csv(path, sep, encoding), {}
    check_not_empty(path)
    if fmt == "parquet":
        return pd.read_parquet(path), {}
    import pyreadstat

    try:
        # codes, not labels: the labels are checked against the contract instead
        raw, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    except pyreadstat.ReadstatError as exc:
        raise InputError(str(path), f"cannot read the SPSS file: {exc}") from None
    return raw, {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}


def canonical_names(raw: pd.DataFrame, labels: Mapping[str, dict],
                    columns: Mapping[str, str] | None, names: Sequence[str]
                    ) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Rename a file's columns (and their value labels) to the contract's names.

    ``columns`` maps the file's names to the contract's; a contract name in ``names`` is
    otherwise matched without regard to case or surrounding space.
    """
    rename = dict(columns or {})
    raw = raw.rename(columns=rename)
    labels = {rename.get(k, k): v for k, v in labels.items()}
    lower = {str(c).strip().lower(): c for c in raw.columns}
    fix = {lower[n]: n for n in names if n not in raw.columns and n in lower}
    raw = raw.rename(columns=fix)
    return raw, {fix.get(k, k): v for k, v in labels.items()}


def write_coded(frame: pd.DataFrame, path: Path, variables: Sequence[Variable],
                formats: Mapping[str, str], recode: Mapping[str, Mapping] | None = None) -> Path:
    """Write a canonical frame as SPSS (with the contract's value labels), Parquet or CSV.

    ``recode`` maps a column's canonical values to the codes written in SPSS and CSV (e.g.
    ``{"sex": {"man": 1, "kvinnor": 2}}``). ``formats`` maps a suffix to its format.
    """
    fmt = formats.get(path.suffix.lower())
    out = frame.copy()
    if fmt in ("spss", "csv"):
        for col, codes in (recode or {}).items():
            if col in out:
                out[col] = out[col].map(codes).astype("int64")
    if fmt == "parquet":
        out.to_parquet(path, index=False)
    elif fmt == "csv":
        out.to_csv(path, index=False, lineterminator="\n")
    elif fmt == "spss":
        import pyreadstat

        for c in out.columns:
            if str(out[c].dtype) in ("Int8", "Int16", "Int64"):
                out[c] = out[c].astype("float64")
            elif not pd.api.types.is_numeric_dtype(out[c]):
                out[c] = out[c].astype(object)
        labels = {v.name: {float(k): lab for k, lab in v.labels.items()}
                  for v in variables if v.labels and v.name in out.columns}
        pyreadstat.write_sav(out, str(path), variable_value_labels=labels,
                             column_labels={v.name: v.question[:250] for v in variables
                                            if v.name in out.columns})
    else:
        raise ValueError(f"unknown file format {path.suffix!r}")
    return path
