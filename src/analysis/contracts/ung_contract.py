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
(:mod:`analysis.synthetic.synth_ung`). Files are read from SPSS (``.sav``/``.zsav``, codes kept and the
file's value labels checked against the contract), Parquet or CSV (codes, or their Swedish labels
as text) into canonical frames and validated; every problem is an
:class:`analysis.core.errors.InputError` naming the file, the variable and the 1-based data rows. The
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

Why one module
--------------
One input contract: the pupil and school variables, their codes and the checks of a round
are one document (docs/contracts/liv_och_halsa_ung.md) and change together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.contracts import microdata
from analysis.core.errors import InputError

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


class Variable(microdata.Variable):
    """One variable of the contract (fields: :class:`analysis.contracts.microdata.Variable`).

    ``kind`` is ``id`` (text, not empty), ``year``, ``kommun``, ``grade``, ``sex``, ``code`` (a
    question with value labels), ``weight0`` (>= 0), ``count`` (whole number >= 0) or ``flag``
    (0/1); ``labels`` are the value labels of a ``code`` or ``flag`` variable.
    """

    DTYPES = {"id": "str", "year": "int16", "kommun": "str", "grade": "str", "sex": "str",
              "code": "Int8", "flag": "Int8", "count": "int64"}


_TRIVS = {1: "mycket bra", 2: "ganska bra", 3: "varken bra eller dåligt", 4: "ganska dåligt",
          5: "mycket dåligt"}
_OFTEN = {1: "ja, alltid", 2: "ja, oftast", 3: "ibland", 4: "sällan", 5: "nej, aldrig"}

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
    *microdata.who5_variables(Variable),
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
WHO5_ITEMS: tuple[str, ...] = microdata.WHO5_ITEMS
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
_norm = microdata.norm_label


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


# --------------------------------------------------------------------------- coercion
def _sex_label_agrees(var: Variable, c: int, lab: object) -> bool:
    """A file's sex label agrees if it is one of the spellings of the code's sex."""
    return c not in _SEX_LABELS or _norm(lab) in _SEX_LABELS[c]


def _grade_label_agrees(var: Variable, c: int, lab: object) -> bool:
    """A file's school-year label agrees if it names the code's school year."""
    return c not in var.labels or _GRADE.get(_squash(lab)) == GRADES[c - 1]


#: Rules for the file labels of variables with several accepted spellings.
_AGREES = {"sex": _sex_label_agrees, "grade": _grade_label_agrees}


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
            microdata.check_file_labels(var, file_labels[name], path,
                                        agrees=_AGREES.get(var.kind))
        if var.kind in ("code", "flag"):
            codes = microdata.coerce_codes(var, col, path, from_file=name in file_labels)
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
            out[name] = microdata.kommun_codes(text, path, name)
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
            num = microdata.numbers(text, miss, path, name)
            v = num.to_numpy(dtype=float)
            if var.kind in ("year", "count"):
                microdata.check_whole(num, text, path, name)
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
    microdata.check_one_year(df, path)
    microdata.check_year_given(df, path, year)


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
    raw = microdata.raw_frame(frame, path, year, not_asked=not_asked, items=ITEMS,
                              empty="the file has no respondents (no data rows)")
    microdata.missing_columns(raw, VARIABLES, path, _DOC, not_asked)
    out = _coerce(raw, VARIABLES, path, file_labels or {}, not_asked)
    _one_year(out, path, year)
    microdata.check_not_asked(out, path, not_asked)
    microdata.check_unique(out, path, "resp_id")
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
    raw = microdata.raw_frame(frame, path, year, empty="the school file has no rows")
    microdata.missing_columns(raw, SCHOOL_VARIABLES, path, _DOC)
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
def _open(path: str | Path, file_format: str | None, sep: str, encoding: str,
          columns: Mapping[str, str] | None, variables: Sequence[Variable]
          ) -> tuple[Path, pd.DataFrame, dict[str, dict]]:
    path = Path(path)
    fmt = microdata.coded_format(path, file_format, _FORMATS)
    raw, labels = microdata.read_coded(path, fmt, sep, encoding)
    raw, labels = microdata.canonical_names(raw, labels, columns, [v.name for v in variables])
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

    ``synthetic`` marks rounds made by :mod:`analysis.synthetic.synth_ung`; ``info`` holds what the
    generator knows beyond the contract (e.g. the population year).
    """

    year: int
    pupils: pd.DataFrame
    schools: pd.DataFrame | None = None
    source: str = ""
    synthetic: bool = False
    info: dict = field(default_factory=dict)


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
        y = microdata.round_year(f, "liv_och_halsa_ung_2017.sav or skolor_2017.csv")
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


_RECODE = {"sex": {"man": 1, "kvinnor": 2}, "grade": {g: i + 1 for i, g in enumerate(GRADES)}}


def _write(frame: pd.DataFrame, path: Path, variables: Sequence[Variable]) -> Path:
    return microdata.write_coded(frame, path, variables, _FORMATS, recode=_RECODE)


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
    return microdata.contract_table({"pupils": VARIABLES, "schools": SCHOOL_VARIABLES}[which])
