"""Input contract and readers for one round of the adult population survey *Liv & hälsa*.

*Liv & hälsa* (Region Örebro län) is a postal/web questionnaire to a stratified random sample of
the län's residents aged 18 and over. One round is one file with one row per respondent. The
microdata are confidential: real files live in ``data/private/`` (git-ignored) and are never
committed; the book otherwise runs on synthetic rounds in exactly this contract
(:mod:`analysis.synth_survey`).

Files are read from SPSS (``.sav``/``.zsav``, codes kept and the file's value labels checked
against the contract), Parquet or CSV (codes, or their Swedish labels as text) into one canonical
frame, and validated; every problem is an :class:`analysis.errors.InputError` naming the file,
the variable and the 1-based data rows. The contract as a document is
``docs/contracts/liv_och_halsa.md``; :data:`VARIABLES` is the single source of both (the test
suite checks that every variable is named in the document).

The contract
------------
==================  =========  =================================================================
variable            type       codes and rules
==================  =========  =================================================================
resp_id             str        respondent id (löpnummer), unique, not empty
year                int16      survey round (e.g. 2017); one value per file; may instead be given
                               to the reader (``year=``)
kommun              str        kommun of residence at sampling: one of the 12 codes of the län
                               (``analysis.geo.KOMMUNER``); numeric codes are zero-padded, names
                               are accepted
stratum             str        sampling stratum (the kommun, or an area type within Örebro
                               kommun such as ``"1880-2"``); nested in kommun; >= 2 respondents
sex                 str        ``"kvinnor"`` / ``"man"`` (codes 1 = man, 2 = kvinna)
age                 int16      age in whole years, 18–110
education           Int8       1 förgymnasial, 2 gymnasial, 3 eftergymnasial
employment          Int8       1 förvärvsarbetar, 2 arbetslös, 3 förtids-/sjukpensionär
                               (sjuk- eller aktivitetsersättning), 4 ålderspensionär,
                               5 studerande, 6 annat (föräldraledig, hemarbetande m.m.)
economic_strain     Int8       problems paying running expenses in the last 12 months:
                               0 nej, 1 ja
birth_country       Int8       1 Sverige, 2 övriga Norden, 3 övriga Europa, 4 utanför Europa
general_health      Int8       1 mycket bra, 2 bra, 3 någorlunda, 4 dåligt, 5 mycket dåligt
who5_1 … who5_5     Int8       WHO-5 items, last two weeks: 0 ingen gång … 5 hela tiden
anxiety             Int8       ängslan, oro eller ångest: 1 nej, 2 ja lätta, 3 ja svåra besvär
sleep               Int8       sömnsvårigheter: 1 nej, 2 ja lätta, 3 ja svåra besvär
depression          Int8       diagnosed depression (läkardiagnos): 0 nej, 1 ja
smoking             Int8       1 ja dagligen, 2 ja ibland, 3 nej, har slutat, 4 nej, aldrig
physical_activity   Int8       time physically active a normal week: 1 0 min, 2 < 30 min,
                               3 30–59, 4 60–89, 5 90–149, 6 150–299, 7 300 min eller mer
fear_going_out      Int8       refrains from going out alone for fear of assault: 1 nej,
                               2 ja ibland, 3 ja ofta (2000: 1 nej / 2 ja)
optimism            Int8       view of one's own future: 1 mycket optimistisk, 2 ganska
                               optimistisk, 3 varken eller, 4 ganska pessimistisk,
                               5 mycket pessimistisk (not asked 2012)
design_weight       float64    sampling weight, > 0 (N_h / n_h; the synthetic rounds use
                               N_h / respondents_h, the response-homogeneity-group weight)
calibrated_weight   float64    OPTIONAL producer-calibrated weight, >= 0; when present the
                               chapter uses it as the analysis weight instead of raking
stratum_population  float64    OPTIONAL population N_h of the stratum (finite population
                               correction); constant within stratum, >= its respondents
==================  =========  =================================================================

Question items (``education`` … ``optimism``) may be missing in single rows (item non-response,
SPSS system- or user-missing, an empty CSV cell). A question not asked in a round is passed as
``not_asked=("optimism",)``: its column may then be absent or entirely missing. Every other
variable is required. Rules across rows: ``resp_id`` unique; one ``year``; each stratum in one
kommun; every kommun of the län has respondents (each kommun is sampled, so a kommun without
respondents is an empty stratum); a stratum named in the file's value labels (SPSS) or categories
(Parquet) without respondents is an empty stratum; a stratum with one respondent has no variance
estimate and is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import geo, microdata
from .errors import InputError

__all__ = [
    "ITEMS",
    "VARIABLES",
    "WHO5_ITEMS",
    "Variable",
    "contract_table",
    "read_round",
    "read_rounds",
    "validate_round",
    "write_round",
]

MIN_AGE, MAX_AGE = 18, 110
YEAR_RANGE = (1990, 2100)


@dataclass(frozen=True)
class Variable:
    """One variable of the contract.

    Parameters
    ----------
    name
        Canonical column name.
    kind
        ``id``, ``year``, ``kommun``, ``stratum``, ``sex``, ``age``, ``code`` (a question with
        value labels), ``weight`` (> 0), ``weight0`` (>= 0) or ``count``.
    required
        False for the optional design columns (``calibrated_weight``, ``stratum_population``).
    labels
        Value labels ``{code: Swedish label}`` of a ``code`` variable.
    question
        The question or definition, in Swedish, as the book prints it.
    """

    name: str
    kind: str
    required: bool = True
    labels: Mapping[int, str] = field(default_factory=dict)
    question: str = ""

    @property
    def dtype(self) -> str:
        return {"id": "str", "year": "int16", "kommun": "str", "stratum": "str", "sex": "str",
                "age": "int16", "code": "Int8"}.get(self.kind, "float64")


_SEVERITY = {1: "nej", 2: "ja, lätta besvär", 3: "ja, svåra besvär"}
_WHO5_TEXT = [
    "Jag har känt mig glad och på gott humör",
    "Jag har känt mig lugn och avslappnad",
    "Jag har känt mig aktiv och full av energi",
    "Jag har vaknat upp och känt mig frisk och utvilad",
    "Mitt dagliga liv har varit fyllt av saker som intresserar mig",
]
_WHO5_LABELS = {0: "ingen gång", 1: "ibland", 2: "mindre än halva tiden",
                3: "mer än halva tiden", 4: "för det mesta", 5: "hela tiden"}

#: The contract, in column order.
VARIABLES: tuple[Variable, ...] = (
    Variable("resp_id", "id", question="Löpnummer för den svarande"),
    Variable("year", "year", question="Undersökningsomgång (år)"),
    Variable("kommun", "kommun", question="Folkbokföringskommun vid urvalet"),
    Variable("stratum", "stratum", question="Urvalsstratum (kommun, i Örebro kommun områdestyp)"),
    Variable("sex", "sex", labels={1: "man", 2: "kvinna"}, question="Kön (registeruppgift)"),
    Variable("age", "age", question="Ålder i hela år"),
    Variable("education", "code", labels={1: "förgymnasial", 2: "gymnasial",
                                          3: "eftergymnasial"},
             question="Högsta avslutade utbildning"),
    Variable("employment", "code",
             labels={1: "förvärvsarbetar", 2: "arbetslös", 3: "förtids-/sjukpensionär",
                     4: "ålderspensionär", 5: "studerande", 6: "annat"},
             question="Huvudsaklig sysselsättning"),
    Variable("economic_strain", "code", labels={0: "nej", 1: "ja"},
             question="Har du under de senaste 12 månaderna haft svårigheter att klara de "
             "löpande utgifterna för mat, hyra, räkningar m.m.?"),
    Variable("birth_country", "code", labels={1: "Sverige", 2: "övriga Norden",
                                              3: "övriga Europa", 4: "utanför Europa"},
             question="Födelseland"),
    Variable("general_health", "code",
             labels={1: "mycket bra", 2: "bra", 3: "någorlunda", 4: "dåligt",
                     5: "mycket dåligt"},
             question="Hur bedömer du ditt allmänna hälsotillstånd?"),
    *(Variable(f"who5_{i + 1}", "code", labels=_WHO5_LABELS,
               question=f"WHO-5, de senaste två veckorna: {t}") for i, t in enumerate(_WHO5_TEXT)),
    Variable("anxiety", "code", labels=_SEVERITY,
             question="Har du besvär av ängslan, oro eller ångest?"),
    Variable("sleep", "code", labels=_SEVERITY, question="Har du besvär av sömnsvårigheter?"),
    Variable("depression", "code", labels={0: "nej", 1: "ja"},
             question="Har du av läkare fått diagnosen depression?"),
    Variable("smoking", "code", labels={1: "ja, dagligen", 2: "ja, ibland",
                                        3: "nej, har slutat", 4: "nej, har aldrig rökt"},
             question="Röker du?"),
    Variable("physical_activity", "code",
             labels={1: "0 minuter", 2: "mindre än 30 minuter", 3: "30–59 minuter",
                     4: "60–89 minuter", 5: "90–149 minuter", 6: "150–299 minuter",
                     7: "300 minuter eller mer"},
             question="Hur mycket tid ägnar du en vanlig vecka åt fysisk aktivitet som gör "
             "dig andfådd?"),
    Variable("fear_going_out", "code", labels={1: "nej", 2: "ja, ibland", 3: "ja, ofta"},
             question="Händer det att du avstår från att gå ut ensam av rädsla för att bli "
             "överfallen, rånad eller på annat sätt ofredad?"),
    Variable("optimism", "code",
             labels={1: "mycket optimistisk", 2: "ganska optimistisk", 3: "varken eller",
                     4: "ganska pessimistisk", 5: "mycket pessimistisk"},
             question="Hur ser du på framtiden för din personliga del?"),
    Variable("design_weight", "weight", question="Designvikt N_h / n_h (> 0)"),
    Variable("calibrated_weight", "weight0", required=False,
             question="Kalibrerad vikt från producenten (valfri, >= 0)"),
    Variable("stratum_population", "count", required=False,
             question="Antal personer i stratumets population N_h (valfri)"),
)
_BY_NAME = {v.name: v for v in VARIABLES}
#: Question items (coded, may be missing in single rows).
ITEMS: tuple[str, ...] = tuple(v.name for v in VARIABLES if v.kind == "code")
WHO5_ITEMS: tuple[str, ...] = tuple(f"who5_{i}" for i in range(1, 6))

_FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".sav": "spss", ".zsav": "spss"}
#: Suffixes of round files in a folder (a ``.txt`` there is taken for a note, not a round).
ROUND_SUFFIXES = (".sav", ".zsav", ".parquet", ".pq", ".csv")
_SEX = {"1": "man", "man": "man", "män": "man", "m": "man",
        "2": "kvinnor", "kvinna": "kvinnor", "kvinnor": "kvinnor", "k": "kvinnor"}
_LABEL_SYNONYMS = {"kvinnor": "kvinna", "män": "man"}


# --------------------------------------------------------------------------- small helpers
def _norm(s: object) -> str:
    """Label text compared without case, surrounding space or trailing punctuation."""
    t = str(s).strip().lower().replace("–", "-")
    t = re.sub(r"\s+", " ", t).rstrip(".")
    return _LABEL_SYNONYMS.get(t, t)


# Shared with the other microdata contracts (analysis.microdata).
_rows = microdata.rows
_fail = microdata.fail
_text = microdata.cell_text
_missing = microdata.is_missing


_KOMMUN_BY_NAME = {_norm(v): k for k, v in geo.KOMMUNER.items()}


# --------------------------------------------------------------------------- coercion
def _coerce_code(var: Variable, col: pd.Series, path: str,
                 file_labels: Mapping[object, str] | None) -> pd.Series:
    """Codes (numbers, or labels as text) to ``Int8``; refuse codes outside the value labels."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        codes = pd.Series(col.to_numpy(dtype=float, na_value=np.nan), dtype="Float64")
        miss = codes.isna().to_numpy()
    else:
        text = _text(col)
        miss = _missing(text)
        num = pd.to_numeric(text, errors="coerce")
        by_label = {_norm(lab): code for code, lab in var.labels.items()}
        words = text[num.isna().to_numpy() & ~miss].unique()  # map each distinct label once
        lookup = {w: by_label.get(_norm(w)) for w in words}
        labelled = text.map(lookup).astype("Float64")
        codes = pd.Series(num, dtype="Float64").where(num.notna(), labelled)
    bad = ~miss & ~(codes.isin(list(var.labels)).fillna(False).to_numpy(dtype=bool))
    if bad.any():
        allowed = ", ".join(f"{c} = {lab}" for c, lab in var.labels.items())
        where = " or the file's value labels" if file_labels else ""
        raise _fail(path, f"code outside the value labels{where} (allowed: {allowed})",
                    var.name, bad, _text(col))
    return codes.astype("Int8")


def _check_file_labels(var: Variable, labels: Mapping[object, str], path: str) -> None:
    """The value labels stored in an SPSS file must mean what the contract's codes mean."""
    want = {int(k): _norm(v) for k, v in var.labels.items()}
    for code, lab in labels.items():
        try:
            c = int(float(code))
        except (TypeError, ValueError):
            continue
        if c in want and _norm(lab) != want[c]:
            raise InputError(
                path,
                f"the file's value label {c} = {lab!r} disagrees with the contract "
                f"({c} = {var.labels[c]!r}); recode the variable to the contract's codes",
                column=var.name,
            )


def _coerce(raw: pd.DataFrame, path: str, file_labels: Mapping[str, Mapping[object, str]],
            not_asked: Sequence[str]) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    n = len(raw)
    for var in VARIABLES:
        name = var.name
        if name not in raw.columns:
            if var.kind == "code" and name in not_asked:
                out[name] = pd.Series(pd.NA, index=range(n), dtype="Int8")
            continue
        col = raw[name].reset_index(drop=True)
        if var.kind == "code":
            if name in file_labels:
                _check_file_labels(var, file_labels[name], path)
            out[name] = _coerce_code(var, col, path, file_labels.get(name))
            continue
        text = _text(col)
        miss = _missing(text)
        if miss.any() and var.kind != "count":
            raise _fail(path, "missing values (the variable is required in every row)", name,
                        miss, text)
        if var.kind in ("id", "stratum"):
            out[name] = text.astype(str)
        elif var.kind == "kommun":
            digits = text.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
            coded = text.where(~digits, text.str.zfill(4))
            coded = coded.where(digits, text.map(lambda s: _KOMMUN_BY_NAME.get(_norm(s), s)))
            bad = ~coded.isin(list(geo.KOMMUNER)).to_numpy(dtype=bool)
            if bad.any():
                raise _fail(path, f"unknown kommun (the survey covers the 12 kommuner of "
                            f"{geo.LAN_NAMN}: {', '.join(geo.KOMMUNER)})", name, bad, text)
            out[name] = coded.astype(str)
        elif var.kind == "sex":
            if name in file_labels:
                _check_file_labels(var, file_labels[name], path)
            mapped = text.str.lower().map(_SEX)
            bad = mapped.isna().to_numpy()
            if bad.any():
                raise _fail(path, "code outside the value labels (1 = man, 2 = kvinna)", name,
                            bad, text)
            out[name] = mapped.astype(str)
        else:  # numbers: year, age, weights, counts
            num = pd.to_numeric(text.str.replace("\u2212", "-", regex=False), errors="coerce")
            bad = num.isna().to_numpy() & ~miss
            if bad.any():
                raise _fail(path, "not a number", name, bad, text)
            if var.kind in ("year", "age"):
                whole = (num == np.floor(num)).fillna(True).to_numpy(dtype=bool)
                if (~whole).any():
                    raise _fail(path, "not a whole number", name, ~whole, text)
                lo, hi = YEAR_RANGE if var.kind == "year" else (MIN_AGE, MAX_AGE)
                bad = ((num < lo) | (num > hi)).to_numpy()
                if bad.any():
                    what = "year" if var.kind == "year" else "age (the survey covers ages 18+)"
                    raise _fail(path, f"{what} outside {lo}–{hi}", name, bad, text)
                out[name] = num.astype("int16")
            else:
                v = num.to_numpy(dtype=float)
                if var.kind in ("weight", "weight0"):
                    inf = ~np.isfinite(v)
                    if inf.any():
                        raise _fail(path, "weights must be finite", name, inf, text)
                    if (v < 0).any():
                        raise _fail(path, "negative weight", name, v < 0, text)
                    if var.kind == "weight" and (v == 0).any():
                        raise _fail(path, "design weight must be positive (1 / inclusion "
                                    "probability)", name, v == 0, text)
                elif var.kind == "count":
                    bad = miss | ~np.isfinite(v) | (v <= 0)
                    if bad.any():
                        raise _fail(path, "stratum population must be a positive number",
                                    name, bad, text)
                out[name] = pd.Series(v, dtype="float64")
    return pd.DataFrame(out)


def _check_rows(df: pd.DataFrame, path: str, strata_declared: Sequence[str] | None) -> None:
    dup = df["resp_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise _fail(path, "duplicate resp_id", "resp_id", dup, df["resp_id"])
    years = df["year"].unique()
    if len(years) > 1:
        first = df["year"].iloc[0]
        bad = (df["year"] != first).to_numpy()
        raise _fail(path, f"one file holds one survey round, found years {sorted(years.tolist())}",
                    "year", bad, df["year"])
    kom_per_stratum = df.groupby("stratum")["kommun"].nunique()
    split = kom_per_stratum[kom_per_stratum > 1].index
    if len(split):
        bad = df["stratum"].isin(split).to_numpy()
        raise _fail(path, f"stratum {list(split)[:3]} spans several kommuner (strata must be "
                    "nested in kommun)", "stratum", bad, df["stratum"] + " / " + df["kommun"])
    present = set(df["kommun"].unique())
    absent = [k for k in geo.KOMMUNER if k not in present]
    if absent:
        raise InputError(path, f"empty stratum: kommun {', '.join(absent)} "
                         f"({', '.join(geo.KOMMUNER[k] for k in absent)}) has no respondents; "
                         "every kommun is a sampling stratum of the survey", column="kommun")
    if strata_declared is not None:
        seen = set(df["stratum"].unique())
        empty = [s for s in strata_declared if s not in seen]
        if empty:
            raise InputError(path, f"empty stratum: {empty} is declared (value labels or "
                             "categories of the stratum variable) but has no respondents",
                             column="stratum")
    size = df.groupby("stratum")["stratum"].transform("size").to_numpy()
    if (size < 2).any():
        raise _fail(path, "stratum with a single respondent: its variance cannot be estimated; "
                    "collapse it with a neighbouring stratum", "stratum", size < 2, df["stratum"])
    if "stratum_population" in df:
        Nh = df.groupby("stratum")["stratum_population"]
        varies = (Nh.transform("nunique") > 1).to_numpy()
        if varies.any():
            raise _fail(path, "stratum_population differs within a stratum", "stratum_population",
                        varies, df["stratum_population"])
        small = (df["stratum_population"].to_numpy() < size)
        if small.any():
            raise _fail(path, "stratum_population is smaller than the stratum's respondents",
                        "stratum_population", small, df["stratum_population"])


def validate_round(frame: pd.DataFrame, path: str = "<DataFrame>", *, year: int | None = None,
                   not_asked: Sequence[str] = (),
                   file_labels: Mapping[str, Mapping[object, str]] | None = None,
                   strata_declared: Sequence[str] | None = None) -> pd.DataFrame:
    """Validate one survey round already in memory and return the canonical frame.

    Parameters
    ----------
    frame
        Columns named as in :data:`VARIABLES` (rename first); extra columns are dropped.
    path
        What to call the data in error messages.
    year
        The round, if the data have no ``year`` column (or to check the one they have).
    not_asked
        Question items not asked in this round (their column may be absent or all missing).
    file_labels
        Value labels stored in the file, ``{variable: {code: label}}``; each must agree with the
        contract.
    strata_declared
        Strata the file declares (value labels or categories of ``stratum``); each must have
        respondents.

    Returns
    -------
    pandas.DataFrame
        Canonical columns in contract order (optional columns only if present): ``sex`` as
        ``"kvinnor"``/``"man"``, ``kommun`` and ``stratum`` as text, question items as ``Int8``
        codes with ``<NA>`` for item non-response.

    Raises
    ------
    InputError
        No rows; a missing variable; a code outside the value labels; a file value label that
        disagrees with the contract; a missing required value; an age outside 18–110; a negative
        or zero design weight; a duplicate id; several years; an empty stratum (a kommun without
        respondents, or a declared stratum without respondents); a single-respondent stratum; a
        stratum in two kommuner.
    """
    path = str(path)
    unknown = [c for c in not_asked if c not in ITEMS]
    if unknown:
        raise ValueError(f"not_asked names {unknown}, which are not question items {ITEMS}")
    if len(frame) == 0:
        raise InputError(path, "the file has no respondents (no data rows)")
    raw = frame.copy()
    if "year" not in raw.columns and year is not None:
        raw["year"] = year
    missing = [v.name for v in VARIABLES
               if v.required and v.name not in raw.columns and v.name not in not_asked]
    if missing:
        raise InputError(path, f"missing variable(s) {', '.join(missing)}; the contract "
                         "(docs/contracts/liv_och_halsa.md) requires them", column=missing[0])
    out = _coerce(raw, path, file_labels or {}, not_asked)
    if year is not None and (out["year"] != year).any():
        bad = (out["year"] != year).to_numpy()
        raise _fail(path, f"year differs from the round given to the reader ({year})", "year",
                    bad, out["year"])
    for item in not_asked:
        if item in frame.columns and out[item].notna().any():
            raise _fail(path, "a question marked as not asked has answers", item,
                        out[item].notna().to_numpy(), out[item])
    declared = None if strata_declared is None else [_text(pd.Series(list(strata_declared)))
                                                     .astype(str).tolist()][0]
    _check_rows(out, path, declared)
    return out[[v.name for v in VARIABLES if v.name in out.columns]]


def _read_raw(path: Path, fmt: str, sep: str, encoding: str
              ) -> tuple[pd.DataFrame, dict[str, dict], list[str] | None]:
    if fmt == "csv":
        try:
            raw = pd.read_csv(path, dtype=str, sep=sep, encoding=encoding, keep_default_na=False,
                              na_values=[""])
        except pd.errors.EmptyDataError:
            raise InputError(str(path), "the file is empty") from None
        return raw, {}, None
    if path.stat().st_size == 0:
        raise InputError(str(path), "the file is empty")
    if fmt == "parquet":
        raw = pd.read_parquet(path)
        declared = None
        strat = [c for c in raw.columns if str(c).lower() == "stratum"]
        if strat and isinstance(raw[strat[0]].dtype, pd.CategoricalDtype):
            declared = [str(c) for c in raw[strat[0]].cat.categories]
        return raw, {}, declared
    import pyreadstat

    try:
        # codes, not labels: the labels are checked against the contract instead
        raw, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    except pyreadstat.ReadstatError as exc:
        raise InputError(str(path), f"cannot read the SPSS file: {exc}") from None
    labels = {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    declared = None
    for k, v in labels.items():
        if k.lower() == "stratum":
            declared = [str(int(c)) if isinstance(c, float) and c == int(c) else str(c)
                        for c in v]
    return raw, labels, declared


def read_round(path: str | Path, *, year: int | None = None,
               columns: Mapping[str, str] | None = None, not_asked: Sequence[str] = (),
               file_format: str | None = None, sep: str = ",",
               encoding: str = "utf-8") -> pd.DataFrame:
    """Read one *Liv & hälsa* round (SPSS, Parquet or CSV) into the canonical frame.

    Parameters
    ----------
    path
        The file; its suffix picks the reader unless ``file_format`` (``"spss"``, ``"parquet"``,
        ``"csv"``) is given. SPSS files are read with :func:`pyreadstat.read_sav` keeping codes;
        their value labels must agree with the contract and user-missing codes become missing.
        CSV is read as text (codes or Swedish labels).
    year
        The round, if the file has no ``year`` variable.
    columns
        Renames from the file's names to the contract's, e.g. ``{"Kon": "sex", "F12": "anxiety"}``;
        names are otherwise matched without regard to case.
    not_asked
        Question items not asked in this round (e.g. ``("optimism",)`` for 2012).
    sep, encoding
        CSV only.

    Returns
    -------
    pandas.DataFrame
        See :func:`validate_round`.

    Raises
    ------
    InputError
        As :func:`validate_round`, plus an empty or unreadable file or unknown format.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    fmt = file_format or _FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "parquet", "spss"):
        raise InputError(str(path), f"unknown file format {path.suffix!r}: use .sav, .parquet or "
                         ".csv, or pass file_format=")
    if not path.exists():
        raise FileNotFoundError(path)
    raw, labels, declared = _read_raw(path, fmt, sep, encoding)
    rename = dict(columns or {})
    raw = raw.rename(columns=rename)
    labels = {rename.get(k, k): v for k, v in labels.items()}
    lower = {str(c).strip().lower(): c for c in raw.columns}
    fix = {lower[v.name]: v.name for v in VARIABLES if v.name not in raw.columns
           and v.name in lower}
    raw = raw.rename(columns=fix)
    labels = {fix.get(k, k): v for k, v in labels.items()}
    return validate_round(raw, str(path), year=year, not_asked=not_asked, file_labels=labels,
                          strata_declared=declared)


_ROUND_FILE = re.compile(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)")


def read_rounds(source: str | Path, *, not_asked: Mapping[int, Sequence[str]] | None = None
                ) -> dict[int, pd.DataFrame]:
    """Read every round in a folder (or one file): ``{year: canonical frame}``.

    The round's year is the 4-digit year in the file name (``liv_och_halsa_2017.sav``); files
    with other suffixes than :data:`ROUND_SUFFIXES` are ignored. ``not_asked`` maps a year to its unasked items; by default
    ``{2012: ("optimism",)}`` (the optimism question was not in the 2012 questionnaire).

    Raises
    ------
    InputError
        A folder without round files, two files for one year, or any error of
        :func:`read_round`.
    """
    source = Path(source)
    not_asked = {2012: ("optimism",)} if not_asked is None else dict(not_asked)
    files = [source] if source.is_file() else sorted(
        p for p in source.iterdir() if p.suffix.lower() in ROUND_SUFFIXES)
    out: dict[int, pd.DataFrame] = {}
    for f in files:
        m = _ROUND_FILE.search(f.stem)
        if not m:
            raise InputError(str(f), "cannot tell the survey round: name the file with its year, "
                             "e.g. liv_och_halsa_2017.sav")
        y = int(m.group(1))
        if y in out:
            raise InputError(str(f), f"a second file for the round {y}")
        out[y] = read_round(f, year=y, not_asked=not_asked.get(y, ()))
    if not out:
        raise InputError(str(source), "no survey files (.sav, .parquet or .csv) found")
    return dict(sorted(out.items()))


def write_round(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical round as SPSS (with the contract's value labels), Parquet or CSV.

    Used to hand synthetic rounds to others in the contract and in the tests. ``sex`` is written
    as its code (1 = man, 2 = kvinna) in SPSS and CSV.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    out = frame.copy()
    if fmt in ("spss", "csv"):
        out["sex"] = out["sex"].map({"man": 1, "kvinnor": 2}).astype("int64")
    if fmt == "parquet":
        out.to_parquet(path, index=False)
    elif fmt == "csv":
        out.to_csv(path, index=False, lineterminator="\n")
    elif fmt == "spss":
        import pyreadstat

        for c in out.columns:
            if str(out[c].dtype) in ("Int8", "Int16", "Int64"):
                out[c] = out[c].astype("float64")
        labels = {v.name: {float(k): lab for k, lab in v.labels.items()}
                  for v in VARIABLES if v.labels and v.name in out.columns}
        pyreadstat.write_sav(out, str(path), variable_value_labels=labels,
                             column_labels={v.name: v.question[:250] for v in VARIABLES
                                            if v.name in out.columns})
    else:
        raise ValueError(f"unknown file format {path.suffix!r}")
    return path


def contract_table() -> pd.DataFrame:
    """The contract as a table: variable, type, required, codes, question (for the book)."""
    return pd.DataFrame({
        "variable": [v.name for v in VARIABLES],
        "dtype": [v.dtype for v in VARIABLES],
        "required": [v.required for v in VARIABLES],
        "codes": ["; ".join(f"{k} = {lab}" for k, lab in v.labels.items()) for v in VARIABLES],
        "question": [v.question for v in VARIABLES],
    })
