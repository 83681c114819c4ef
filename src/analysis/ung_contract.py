"""Input contract and readers for one round of the youth survey *Liv & hälsa ung*.

*Liv & hälsa ung* (Region Örebro län) asks **all** pupils in school years 7 and 9 and in the second
year of upper-secondary school (gymnasiet år 2) about health, living conditions and habits, in
class, on one school day (seed ``004_fb44509df49901da.txt`` rows 690–1140; a limited follow-up
was planned for February 2021, ``000_73ed68b797abc974.txt`` rows 332–337). It is a census of the
pupils, not a sample: non-response comes from schools or classes that do not take part and from
pupils who are absent or decline. One round is delivered as two files:

* the **pupil file**, one row per responding pupil (:data:`VARIABLES`), and
* the **school file** (optional but recommended), one row per school × school year (× class),
  with the pupils on the class lists and whether the unit took part (:data:`SCHOOL_VARIABLES`):
  the non-response information of the round.

The microdata are confidential: real files live in ``data/private/`` (git-ignored) and are never
committed; the book otherwise runs on synthetic rounds in exactly this contract
(:mod:`analysis.synth_ung`). Files are read from SPSS (``.sav``/``.zsav``, codes kept and the
file's value labels checked against the contract), Parquet or CSV (codes, or their Swedish labels
as text) into canonical frames and validated; every problem is an
:class:`analysis.errors.InputError` naming the file, the variable and the 1-based data rows. The
contract as a document is ``docs/contracts/liv_och_halsa_ung.md``; :data:`VARIABLES` and
:data:`SCHOOL_VARIABLES` are the single source of both (the tests check that every variable is
named in the document).

The pupil file
--------------
==================  =======  ===================================================================
variable            type     codes and rules
==================  =======  ===================================================================
resp_id             str      pupil id (löpnummer), unique, not empty
year                int16    survey round; one value per file (or given to the reader)
kommun              str      the pupil's home kommun, one of the 12 codes of the län
school              str      school (skolenhet) id, not empty
class               str      OPTIONAL class id within school and school year
grade               str      ``"ak7"``, ``"ak9"``, ``"gy2"`` (codes 1, 2, 3; also 7, 9, labels)
sex                 str      ``"kvinnor"`` (flicka) / ``"man"`` (pojke) (codes 1 pojke, 2 flicka)
school_wellbeing    Int8     Hur trivs du i skolan? 1 mycket bra … 5 mycket dåligt
home_wellbeing      Int8     Hur trivs du hemma? 1 mycket bra … 5 mycket dåligt
future              Int8     Hur ser du på framtiden? 1 mycket ljust … 5 mycket mörkt
trust_parents       Int8     Kan du lita på dina föräldrar? 1 ja, alltid … 5 nej, aldrig
calm_school         Int8     Lugn och trygg när du ska gå till skolan? 1 ja, alltid … 5 aldrig
general_wellbeing   Int8     Hur mår du rent allmänt? 1 mycket bra, 2 bra, 3 någorlunda,
                             4 dåligt, 5 mycket dåligt
feel_good           Int8     OPTIONAL "Jag mår bra": 1 varje dag, 2 flera gånger i veckan,
                             3 någon gång i veckan, 4 mer sällan (the ELSA question)
who5_1 … who5_5     Int8     WHO-5 items 0 ingen gång … 5 hela tiden; asked in åk 9 and gy 2
                             only (answers in åk 7 are refused)
worry               Int8     ängslig, orolig eller nedstämd senaste tre månaderna: 1 aldrig,
                             2 sällan, 3 ibland, 4 ofta, 5 alltid
family_finances     Int8     oroar sig för familjens ekonomi: 1 nej, 2 ja, ibland, 3 ja, ofta
smoking             Int8     Röker du? 1 nej, aldrig, 2 nej, har slutat, 3 ja, ibland,
                             4 ja, dagligen
physical_activity   Int8     days a week physically active at least 60 minutes, 0–7
safety_public       Int8     trygg ute på stan, på allmän plats: 1 ja, alltid, 2 ja, oftast,
                             3 ibland, 4 sällan, 5 nej, aldrig
association         Int8     member of an association or organisation: 0 nej, 1 ja
weight              float64  OPTIONAL producer weight, >= 0; used as it is instead of the
                             chapter's post-stratification
==================  =======  ===================================================================

Question items may be missing in single rows (item non-response). A question not asked in a
round is passed as ``not_asked=(...)``: its column may then be absent or entirely missing.
``feel_good`` is optional: without it the chapter's dose–response uses "mår bra eller mycket bra"
instead.

The school file
---------------
==================  =======  ===================================================================
year                int16    survey round
school              str      school id (as in the pupil file)
kommun              str      the school's kommun
grade               str      as in the pupil file
class               str      OPTIONAL class id (then one row per class)
enrolled            int64    pupils on the class lists (>= 0)
participated        Int8     1 the unit took part, 0 it did not
==================  =======  ===================================================================

Rules across rows and files: ``resp_id`` unique; one ``year``; WHO-5 not answered in åk 7; in the
school file each unit (school × grade × class) once and each school in one kommun; every pupil's
unit is in the school file, took part, and has no more respondents than pupils enrolled.
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
    "GRADES",
    "GRADE_LABELS",
    "ITEMS",
    "PROTECTIVE_ITEMS",
    "SCHOOL_VARIABLES",
    "VARIABLES",
    "WHO5_ITEMS",
    "Round",
    "Variable",
    "check_consistency",
    "contract_table",
    "read_round",
    "read_rounds",
    "read_schools",
    "validate_round",
    "validate_schools",
    "write_round",
    "write_schools",
]

YEAR_RANGE = (1990, 2100)
#: Canonical school years, in order, and their Swedish labels.
GRADES: tuple[str, ...] = ("ak7", "ak9", "gy2")
GRADE_LABELS: dict[str, str] = {"ak7": "åk 7", "ak9": "åk 9", "gy2": "gy 2"}
#: School years in which WHO-5 is asked (seed 004, rows 728–729: åk 9 and gymnasiet år 2).
WHO5_GRADES: tuple[str, ...] = ("ak9", "gy2")


@dataclass(frozen=True)
class Variable:
    """One variable of the contract.

    Parameters
    ----------
    name
        Canonical column name.
    kind
        ``id`` (text, not empty), ``year``, ``kommun``, ``grade``, ``sex``, ``code`` (a question
        with value labels), ``weight0`` (>= 0), ``count`` (whole number >= 0) or ``flag`` (0/1).
    required
        False for optional columns.
    labels
        Value labels ``{code: Swedish label}`` of a ``code`` or ``flag`` variable.
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
        return {"id": "str", "year": "int16", "kommun": "str", "grade": "str", "sex": "str",
                "code": "Int8", "flag": "Int8", "count": "int64"}.get(self.kind, "float64")


_TRIVS = {1: "mycket bra", 2: "ganska bra", 3: "varken bra eller dåligt", 4: "ganska dåligt",
          5: "mycket dåligt"}
_OFTEN = {1: "ja, alltid", 2: "ja, oftast", 3: "ibland", 4: "sällan", 5: "nej, aldrig"}
_WHO5_TEXT = [
    "Jag har känt mig glad och på gott humör",
    "Jag har känt mig lugn och avslappnad",
    "Jag har känt mig aktiv och full av energi",
    "Jag har vaknat upp och känt mig frisk och utvilad",
    "Mitt dagliga liv har varit fyllt av saker som intresserar mig",
]
_WHO5_LABELS = {0: "ingen gång", 1: "ibland", 2: "mindre än halva tiden",
                3: "mer än halva tiden", 4: "för det mesta", 5: "hela tiden"}

#: The pupil file, in column order.
VARIABLES: tuple[Variable, ...] = (
    Variable("resp_id", "id", question="Löpnummer för eleven"),
    Variable("year", "year", question="Undersökningsomgång (år)"),
    Variable("kommun", "kommun", question="Elevens hemkommun"),
    Variable("school", "id", question="Skolenhet (kod)"),
    Variable("class", "id", required=False, question="Klass inom skola och årskurs (valfri)"),
    Variable("grade", "grade", labels={1: "åk 7", 2: "åk 9", 3: "gymnasiet år 2"},
             question="Årskurs"),
    Variable("sex", "sex", labels={1: "pojke", 2: "flicka"}, question="Kön"),
    Variable("school_wellbeing", "code", labels=_TRIVS, question="Hur trivs du i skolan?"),
    Variable("home_wellbeing", "code", labels=_TRIVS, question="Hur trivs du hemma?"),
    Variable("future", "code",
             labels={1: "mycket ljust", 2: "ganska ljust", 3: "varken ljust eller mörkt",
                     4: "ganska mörkt", 5: "mycket mörkt"},
             question="Hur ser du på framtiden för din personliga del?"),
    Variable("trust_parents", "code", labels=_OFTEN, question="Kan du lita på dina föräldrar?"),
    Variable("calm_school", "code", labels=_OFTEN,
             question="Känner du dig lugn och trygg när du ska gå till skolan?"),
    Variable("general_wellbeing", "code",
             labels={1: "mycket bra", 2: "bra", 3: "någorlunda", 4: "dåligt",
                     5: "mycket dåligt"},
             question="Hur mår du rent allmänt?"),
    Variable("feel_good", "code", required=False,
             labels={1: "varje dag", 2: "flera gånger i veckan", 3: "någon gång i veckan",
                     4: "mer sällan"},
             question="Jag mår bra (hur ofta?)"),
    *(Variable(f"who5_{i + 1}", "code", labels=_WHO5_LABELS,
               question=f"WHO-5, de senaste två veckorna: {t}") for i, t in enumerate(_WHO5_TEXT)),
    Variable("worry", "code",
             labels={1: "aldrig", 2: "sällan", 3: "ibland", 4: "ofta", 5: "alltid"},
             question="Har du de senaste tre månaderna känt dig ängslig, orolig eller "
             "nedstämd?"),
    Variable("family_finances", "code", labels={1: "nej", 2: "ja, ibland", 3: "ja, ofta"},
             question="Oroar du dig för din familjs ekonomi?"),
    Variable("smoking", "code",
             labels={1: "nej, jag har aldrig rökt", 2: "nej, jag har slutat", 3: "ja, ibland",
                     4: "ja, jag röker dagligen"},
             question="Röker du?"),
    Variable("physical_activity", "code", labels={d: f"{d} dagar" for d in range(8)},
             question="Hur många dagar en vanlig vecka är du fysiskt aktiv sammanlagt minst "
             "60 minuter?"),
    Variable("safety_public", "code", labels=_OFTEN,
             question="Känner du dig trygg på följande ställen? Ute på stan, på allmän plats"),
    Variable("association", "code", labels={0: "nej", 1: "ja"},
             question="Är du med i någon förening eller organisation?"),
    Variable("weight", "weight0", required=False, question="Vikt från producenten (valfri, >= 0)"),
)
#: The school file, in column order.
SCHOOL_VARIABLES: tuple[Variable, ...] = (
    Variable("year", "year", question="Undersökningsomgång (år)"),
    Variable("school", "id", question="Skolenhet (kod)"),
    Variable("kommun", "kommun", question="Skolans kommun"),
    Variable("grade", "grade", labels={1: "åk 7", 2: "åk 9", 3: "gymnasiet år 2"},
             question="Årskurs"),
    Variable("class", "id", required=False, question="Klass (valfri; då en rad per klass)"),
    Variable("enrolled", "count", question="Elever på klasslistorna"),
    Variable("participated", "flag", labels={0: "nej", 1: "ja"},
             question="Enheten deltog i undersökningen"),
)
#: Question items of the pupil file (coded, may be missing in single rows).
ITEMS: tuple[str, ...] = tuple(v.name for v in VARIABLES if v.kind == "code")
WHO5_ITEMS: tuple[str, ...] = tuple(f"who5_{i}" for i in range(1, 6))
#: The five protective factors of the action plan (004, rows 1003–1008), in its order.
PROTECTIVE_ITEMS: tuple[str, ...] = ("school_wellbeing", "home_wellbeing", "future",
                                     "trust_parents", "calm_school")

#: File suffixes of round files (pupil and school files).
ROUND_SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".pq", ".sav", ".zsav")
_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".sav": "spss", ".zsav": "spss"}
_SEX = {"1": "man", "pojke": "man", "pojkar": "man", "kille": "man", "man": "man", "män": "man",
        "m": "man", "p": "man",
        "2": "kvinnor", "flicka": "kvinnor", "flickor": "kvinnor", "tjej": "kvinnor",
        "kvinna": "kvinnor", "kvinnor": "kvinnor", "k": "kvinnor", "f": "kvinnor"}
_SEX_LABELS = {1: {"pojke", "pojkar", "kille", "man", "män"},
               2: {"flicka", "flickor", "tjej", "kvinna", "kvinnor"}}
_GRADE = {"1": "ak7", "7": "ak7", "ak7": "ak7", "åk7": "ak7", "årskurs7": "ak7",
          "2": "ak9", "9": "ak9", "ak9": "ak9", "åk9": "ak9", "årskurs9": "ak9",
          "3": "gy2", "gy2": "gy2", "gymnasietår2": "gy2", "gymnasiet2": "gy2", "gyår2": "gy2"}


# --------------------------------------------------------------------------- small helpers
def _norm(s: object) -> str:
    """Label text compared without case, surrounding space or trailing punctuation."""
    t = str(s).strip().lower().replace("–", "-")
    return re.sub(r"\s+", " ", t).rstrip(".")


def _squash(s: object) -> str:
    """Label text without spaces or dots (``"Åk 7"`` → ``"åk7"``)."""
    return re.sub(r"[\s.]+", "", str(s).strip().lower())


_fail = microdata.fail
_text = microdata.cell_text
_missing = microdata.is_missing


def _key(df: pd.DataFrame, cols: Sequence[str], sep: str) -> pd.Series:
    """Columns joined as text, row by row (vectorised)."""
    out = df[cols[0]].astype(str)
    for c in cols[1:]:
        out = out + sep + df[c].astype(str)
    return out


_KOMMUN_BY_NAME = {_norm(v): k for k, v in geo.KOMMUNER.items()}


# --------------------------------------------------------------------------- coercion
def _coerce_code(var: Variable, col: pd.Series, path: str, spss: bool) -> pd.Series:
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
        where = " or the file's value labels" if spss else ""
        raise _fail(path, f"code outside the value labels{where} (allowed: {allowed})",
                    var.name, bad, _text(col))
    return codes.astype("Int8")


def _check_file_labels(var: Variable, labels: Mapping[object, str], path: str) -> None:
    """The value labels stored in an SPSS file must mean what the contract's codes mean."""
    for code, lab in labels.items():
        try:
            c = int(float(code))
        except (TypeError, ValueError):
            continue
        if var.kind == "sex":
            ok = c not in _SEX_LABELS or _norm(lab) in _SEX_LABELS[c]
        elif var.kind == "grade":
            ok = c not in var.labels or _GRADE.get(_squash(lab)) == GRADES[c - 1]
        else:
            ok = c not in var.labels or _norm(lab) == _norm(var.labels[c])
        if not ok:
            raise InputError(
                path,
                f"the file's value label {c} = {lab!r} disagrees with the contract "
                f"({c} = {var.labels[c]!r}); recode the variable to the contract's codes",
                column=var.name,
            )


def _coerce(raw: pd.DataFrame, variables: Sequence[Variable], path: str,
            file_labels: Mapping[str, Mapping[object, str]], not_asked: Sequence[str]
            ) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    n = len(raw)
    for var in variables:
        name = var.name
        if name not in raw.columns:
            if var.kind == "code" and name in not_asked:
                out[name] = pd.Series(pd.NA, index=range(n), dtype="Int8")
            continue
        col = raw[name].reset_index(drop=True)
        if name in file_labels and var.labels:
            _check_file_labels(var, file_labels[name], path)
        if var.kind in ("code", "flag"):
            codes = _coerce_code(var, col, path, name in file_labels)
            if var.kind == "flag" and codes.isna().any():
                raise _fail(path, "missing values (the variable is required in every row)",
                            name, codes.isna().to_numpy(), _text(col))
            out[name] = codes
            continue
        text = _text(col)
        miss = _missing(text)
        if miss.any() and not (var.kind == "weight0" or (var.kind == "id" and not var.required)):
            raise _fail(path, "missing values (the variable is required in every row)", name,
                        miss, text)
        if var.kind == "id":
            out[name] = text.astype(str) if var.required else text.astype(object).where(
                ~miss, None).astype("str")
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
            mapped = text.map(lambda s: _SEX.get(_norm(s)))
            bad = mapped.isna().to_numpy()
            if bad.any():
                raise _fail(path, "code outside the value labels (1 = pojke, 2 = flicka)", name,
                            bad, text)
            out[name] = mapped.astype(str)
        elif var.kind == "grade":
            mapped = text.map(lambda s: _GRADE.get(_squash(s)))
            bad = mapped.isna().to_numpy()
            if bad.any():
                raise _fail(path, "unknown school year (1 = åk 7, 2 = åk 9, 3 = gymnasiet år 2; "
                            "or 7, 9, 'åk 7', 'gy2')", name, bad, text)
            out[name] = mapped.astype(str)
        else:  # numbers: year, weight, count
            num = pd.to_numeric(text.str.replace("\u2212", "-", regex=False), errors="coerce")
            bad = num.isna().to_numpy() & ~miss
            if bad.any():
                raise _fail(path, "not a number", name, bad, text)
            v = num.to_numpy(dtype=float)
            if var.kind in ("year", "count"):
                whole = (num == np.floor(num)).fillna(True).to_numpy(dtype=bool)
                if (~whole).any():
                    raise _fail(path, "not a whole number", name, ~whole, text)
            if var.kind == "year":
                lo, hi = YEAR_RANGE
                bad = (v < lo) | (v > hi)
                if bad.any():
                    raise _fail(path, f"year outside {lo}–{hi}", name, bad, text)
                out[name] = num.astype("int16")
            elif var.kind == "count":
                if (v < 0).any():
                    raise _fail(path, "a count cannot be negative", name, v < 0, text)
                out[name] = num.astype("int64")
            else:  # weight0
                if (~np.isfinite(v) & ~miss).any():
                    raise _fail(path, "weights must be finite", name, ~np.isfinite(v) & ~miss,
                                text)
                if miss.any():
                    raise _fail(path, "missing weight", name, miss, text)
                if (v < 0).any():
                    raise _fail(path, "negative weight", name, v < 0, text)
                out[name] = pd.Series(v, dtype="float64")
    return pd.DataFrame(out)


def _one_year(df: pd.DataFrame, path: str, year: int | None) -> None:
    years = df["year"].unique()
    if len(years) > 1:
        first = df["year"].iloc[0]
        raise _fail(path, f"one file holds one survey round, found years {sorted(years.tolist())}",
                    "year", (df["year"] != first).to_numpy(), df["year"])
    if year is not None and (df["year"] != year).any():
        raise _fail(path, f"year differs from the round given to the reader ({year})", "year",
                    (df["year"] != year).to_numpy(), df["year"])


def _missing_columns(raw: pd.DataFrame, variables: Sequence[Variable], path: str,
                     not_asked: Sequence[str], doc: str) -> None:
    missing = [v.name for v in variables
               if v.required and v.name not in raw.columns and v.name not in not_asked]
    if missing:
        raise InputError(path, f"missing variable(s) {', '.join(missing)}; the contract ({doc}) "
                         "requires them", column=missing[0])


_DOC = "docs/contracts/liv_och_halsa_ung.md"


def validate_round(frame: pd.DataFrame, path: str = "<DataFrame>", *, year: int | None = None,
                   not_asked: Sequence[str] = (),
                   file_labels: Mapping[str, Mapping[object, str]] | None = None) -> pd.DataFrame:
    """Validate one pupil file already in memory and return the canonical frame.

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

    Returns
    -------
    pandas.DataFrame
        Canonical columns in contract order (optional columns only if present): ``grade`` as
        ``ak7``/``ak9``/``gy2``, ``sex`` as ``kvinnor``/``man``, question items as ``Int8`` codes
        with ``<NA>`` for item non-response.

    Raises
    ------
    InputError
        No rows; a missing variable; a code outside the value labels; a file value label that
        disagrees with the contract; a missing required value; an unknown kommun or school year;
        a negative weight; a duplicate id; several years; WHO-5 answers in åk 7; answers to a
        question declared as not asked.
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
    _missing_columns(raw, VARIABLES, path, not_asked, _DOC)
    out = _coerce(raw, VARIABLES, path, file_labels or {}, not_asked)
    _one_year(out, path, year)
    for item in not_asked:
        if item in out.columns and out[item].notna().any():
            raise _fail(path, "a question marked as not asked has answers", item,
                        out[item].notna().to_numpy(), out[item])
    dup = out["resp_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise _fail(path, "duplicate resp_id", "resp_id", dup, out["resp_id"])
    young = (out["grade"] == "ak7").to_numpy()
    for item in WHO5_ITEMS:
        bad = young & out[item].notna().to_numpy()
        if bad.any():
            raise _fail(path, "WHO-5 is asked only in åk 9 and gymnasiet år 2, but åk 7 pupils "
                        "have answers", item, bad, out[item])
    return out[[v.name for v in VARIABLES if v.name in out.columns]]


def validate_schools(frame: pd.DataFrame, path: str = "<DataFrame>", *,
                     year: int | None = None,
                     file_labels: Mapping[str, Mapping[object, str]] | None = None
                     ) -> pd.DataFrame:
    """Validate one school file (the round's non-response information) and return it canonical.

    Raises
    ------
    InputError
        No rows; a missing variable or value; an unknown kommun or school year; a negative or
        fractional ``enrolled``; ``participated`` not 0/1; several years; a unit (school × grade
        × class) listed twice; a school in two kommuner.
    """
    path = str(path)
    if len(frame) == 0:
        raise InputError(path, "the school file has no rows")
    raw = frame.copy()
    if "year" not in raw.columns and year is not None:
        raw["year"] = year
    _missing_columns(raw, SCHOOL_VARIABLES, path, (), _DOC)
    out = _coerce(raw, SCHOOL_VARIABLES, path, file_labels or {}, ())
    _one_year(out, path, year)
    unit = [c for c in ("school", "grade", "class") if c in out.columns]
    dup = out.duplicated(unit, keep=False).to_numpy()
    if dup.any():
        raise _fail(path, f"a unit ({' × '.join(unit)}) is listed twice", "school", dup,
                    _key(out, unit, " / "))
    kom = out.groupby("school")["kommun"].transform("nunique").to_numpy()
    if (kom > 1).any():
        raise _fail(path, "a school lies in several kommuner", "kommun", kom > 1,
                    out["school"] + " / " + out["kommun"])
    return out[[v.name for v in SCHOOL_VARIABLES if v.name in out.columns]].reset_index(drop=True)


def check_consistency(pupils: pd.DataFrame, schools: pd.DataFrame, path: str = "<round>"
                      ) -> None:
    """Check a pupil file against its school file (same round).

    Every pupil's unit (school × grade, and class when both files have it) must be in the school
    file, must have taken part, and must not have more respondents than pupils enrolled.

    Raises
    ------
    InputError
        Different years; a pupil in a unit the school file does not list; respondents in a unit
        that did not take part; more respondents than enrolled pupils.
    """
    if int(pupils["year"].iloc[0]) != int(schools["year"].iloc[0]):
        raise InputError(path, f"the pupil file is round {int(pupils['year'].iloc[0])} but the "
                         f"school file is round {int(schools['year'].iloc[0])}", column="year")
    unit = ["school", "grade"] + (["class"] if "class" in pupils and "class" in schools else [])
    key_p = _key(pupils, unit, "\x1f")
    key_s = _key(schools, unit, "\x1f")
    label = _key(pupils, unit, " / ")
    unknown = ~key_p.isin(set(key_s)).to_numpy()
    if unknown.any():
        raise _fail(path, f"pupils in a unit ({' × '.join(unit)}) that the school file does not "
                    "list", "school", unknown, label)
    units = schools.assign(_k=key_s.to_numpy()).groupby("_k").agg(
        enrolled=("enrolled", "sum"), participated=("participated", "max"))
    counts = key_p.value_counts()
    absent = units.index[units["participated"] == 0]
    bad = key_p.isin(set(absent) & set(counts.index)).to_numpy()
    if bad.any():
        raise _fail(path, "respondents in a unit that the school file marks as not taking part",
                    "school", bad, label)
    over = (counts > units["enrolled"].reindex(counts.index)).pipe(lambda s: s[s].index)
    bad = key_p.isin(set(over)).to_numpy()
    if bad.any():
        raise _fail(path, "more respondents than pupils enrolled in the unit", "school", bad,
                    label)


# --------------------------------------------------------------------------- files
def _read_raw(path: Path, fmt: str, sep: str, encoding: str
              ) -> tuple[pd.DataFrame, dict[str, dict]]:
    if fmt == "csv":
        try:
            raw = pd.read_csv(path, dtype=str, sep=sep, encoding=encoding, keep_default_na=False,
                              na_values=[""])
        except pd.errors.EmptyDataError:
            raise InputError(str(path), "the file is empty") from None
        return raw, {}
    if path.stat().st_size == 0:
        raise InputError(str(path), "the file is empty")
    if fmt == "parquet":
        return pd.read_parquet(path), {}
    import pyreadstat

    try:
        # codes, not labels: the labels are checked against the contract instead
        raw, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    except pyreadstat.ReadstatError as exc:
        raise InputError(str(path), f"cannot read the SPSS file: {exc}") from None
    return raw, {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}


def _open(path: str | Path, file_format: str | None, sep: str, encoding: str,
          columns: Mapping[str, str] | None, variables: Sequence[Variable]
          ) -> tuple[Path, pd.DataFrame, dict[str, dict]]:
    path = Path(path)
    fmt = file_format or _FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "parquet", "spss"):
        raise InputError(str(path), f"unknown file format {path.suffix!r}: use .sav, .parquet or "
                         ".csv, or pass file_format=")
    if not path.exists():
        raise FileNotFoundError(path)
    raw, labels = _read_raw(path, fmt, sep, encoding)
    rename = dict(columns or {})
    raw = raw.rename(columns=rename)
    labels = {rename.get(k, k): v for k, v in labels.items()}
    lower = {str(c).strip().lower(): c for c in raw.columns}
    fix = {lower[v.name]: v.name for v in variables if v.name not in raw.columns
           and v.name in lower}
    raw = raw.rename(columns=fix)
    labels = {fix.get(k, k): v for k, v in labels.items()}
    return path, raw, labels


def read_round(path: str | Path, *, year: int | None = None,
               columns: Mapping[str, str] | None = None, not_asked: Sequence[str] = (),
               file_format: str | None = None, sep: str = ",",
               encoding: str = "utf-8") -> pd.DataFrame:
    """Read one pupil file (SPSS, Parquet or CSV) into the canonical frame.

    Parameters
    ----------
    path
        The file; its suffix picks the reader unless ``file_format`` (``"spss"``, ``"parquet"``,
        ``"csv"``) is given. SPSS files are read with :func:`pyreadstat.read_sav` keeping codes;
        their value labels must agree with the contract and user-missing codes become missing.
    year
        The round, if the file has no ``year`` variable.
    columns
        Renames from the file's names to the contract's, e.g. ``{"Kon": "sex", "F12": "worry"}``;
        names are otherwise matched without regard to case.
    not_asked
        Question items not asked in this round.
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
    p, raw, labels = _open(path, file_format, sep, encoding, columns, VARIABLES)
    return validate_round(raw, str(p), year=year, not_asked=not_asked, file_labels=labels)


def read_schools(path: str | Path, *, year: int | None = None,
                 columns: Mapping[str, str] | None = None, file_format: str | None = None,
                 sep: str = ",", encoding: str = "utf-8") -> pd.DataFrame:
    """Read one school file (SPSS, Parquet or CSV); see :func:`validate_schools`."""
    p, raw, labels = _open(path, file_format, sep, encoding, columns, SCHOOL_VARIABLES)
    return validate_schools(raw, str(p), year=year, file_labels=labels)


@dataclass
class Round:
    """One round of the survey: the pupil file and (if delivered) the school file.

    ``synthetic`` marks rounds made by :mod:`analysis.synth_ung`; ``info`` holds what the
    generator knows beyond the contract (e.g. the population year).
    """

    year: int
    pupils: pd.DataFrame
    schools: pd.DataFrame | None = None
    source: str = ""
    synthetic: bool = False
    info: dict = field(default_factory=dict)


_ROUND_FILE = re.compile(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)")
#: Questions not asked before 2009 (seed 004, rows 847–848: physical activity 2009–2017).
DEFAULT_NOT_ASKED: dict[int, tuple[str, ...]] = {y: ("physical_activity",)
                                                 for y in range(1990, 2009)}


def read_rounds(source: str | Path, *, not_asked: Mapping[int, Sequence[str]] | None = None
                ) -> dict[int, Round]:
    """Read every round in a folder: ``{year: Round}``.

    The round's year is the 4-digit year in the file name. A file whose name contains
    ``skolor`` is the round's school file (``skolor_2017.csv``); every other file with a known
    suffix is a pupil file (``liv_och_halsa_ung_2017.sav``). ``not_asked`` maps a year to its
    unasked items; by default physical activity is not asked before 2009 (seed 004, rows
    847–848). A school file, when present, is checked against its pupil file
    (:func:`check_consistency`).

    Raises
    ------
    InputError
        A folder without pupil files, two files of a kind for one year, a school file without a
        pupil file, or any error of the readers.
    """
    source = Path(source)
    not_asked = DEFAULT_NOT_ASKED if not_asked is None else dict(not_asked)
    files = [source] if source.is_file() else sorted(
        p for p in source.iterdir() if p.suffix.lower() in _FORMATS)
    pupils: dict[int, pd.DataFrame] = {}
    schools: dict[int, tuple[Path, pd.DataFrame]] = {}
    for f in files:
        m = _ROUND_FILE.search(f.stem)
        if not m:
            raise InputError(str(f), "cannot tell the survey round: name the file with its year, "
                             "e.g. liv_och_halsa_ung_2017.sav or skolor_2017.csv")
        y = int(m.group(1))
        if "skolor" in f.stem.lower():
            if y in schools:
                raise InputError(str(f), f"a second school file for the round {y}")
            schools[y] = (f, read_schools(f, year=y))
        else:
            if y in pupils:
                raise InputError(str(f), f"a second pupil file for the round {y}")
            pupils[y] = read_round(f, year=y, not_asked=not_asked.get(y, ()))
    orphans = sorted(set(schools) - set(pupils))
    if orphans:
        raise InputError(str(schools[orphans[0]][0]), f"a school file for the round {orphans[0]} "
                         "without a pupil file")
    if not pupils:
        raise InputError(str(source), "no pupil files (.sav, .parquet or .csv) found")
    out = {}
    for y in sorted(pupils):
        sch = schools.get(y)
        if sch is not None:
            check_consistency(pupils[y], sch[1], str(sch[0]))
        out[y] = Round(y, pupils[y], sch[1] if sch else None, source=str(source))
    return out


def _write(frame: pd.DataFrame, path: Path, variables: Sequence[Variable]) -> Path:
    fmt = _FORMATS.get(path.suffix.lower())
    out = frame.copy()
    if fmt in ("spss", "csv"):
        if "sex" in out:
            out["sex"] = out["sex"].map({"man": 1, "kvinnor": 2}).astype("int64")
        if "grade" in out:
            out["grade"] = out["grade"].map({g: i + 1 for i, g in enumerate(GRADES)}).astype(
                "int64")
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


def write_round(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical pupil file as SPSS (with the contract's value labels), Parquet or CSV.

    ``sex`` and ``grade`` are written as their codes in SPSS and CSV.
    """
    return _write(frame, Path(path), VARIABLES)


def write_schools(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical school file (see :func:`write_round`)."""
    return _write(frame, Path(path), SCHOOL_VARIABLES)


def contract_table(which: str = "pupils") -> pd.DataFrame:
    """The contract as a table (``"pupils"`` or ``"schools"``): variable, type, required, codes,
    question (for the book)."""
    variables = {"pupils": VARIABLES, "schools": SCHOOL_VARIABLES}[which]
    return pd.DataFrame({
        "variable": [v.name for v in variables],
        "dtype": [v.dtype for v in variables],
        "required": [v.required for v in variables],
        "codes": ["; ".join(f"{k} = {lab}" for k, lab in v.labels.items()) for v in variables],
        "question": [v.question for v in variables],
    })
