"""Input contract and readers for one round of the adult population survey *Liv & hälsa*.

*Liv & hälsa* (Region Örebro län) is a postal/web questionnaire to a stratified random sample of
the län's residents aged 18 and over. One round is one file with one row per respondent. The
microdata are confidential: real files live in ``data/private/`` (git-ignored) and are never
committed; the book otherwise runs on synthetic rounds in exactly this contract
(:mod:`analysis.synthetic.synth_survey`).

Files are read from SPSS (``.sav``/``.zsav``, codes kept and the file's value labels checked
against the contract), Parquet or CSV (codes, or their Swedish labels as text) into one canonical
frame, and validated; every problem is an :class:`analysis.core.errors.InputError` naming the file,
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
                               (``analysis.core.geo.KOMMUNER``); numeric codes are zero-padded, names
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

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.contracts import microdata
from analysis.core import geo
from analysis.core.errors import InputError

__all__ = [
    "ITEMS",
    "PLAUSIBLE",
    "check_plausible",
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


class Variable(microdata.Variable):
    """One variable of the contract (fields: :class:`analysis.contracts.microdata.Variable`).

    ``kind`` is ``id``, ``year``, ``kommun``, ``stratum``, ``sex``, ``age``, ``code`` (a question
    with value labels), ``weight`` (> 0), ``weight0`` (>= 0) or ``count``; ``required`` is False
    for the optional design columns (``calibrated_weight``, ``stratum_population``).
    """

    DTYPES = {"id": "str", "year": "int16", "kommun": "str", "stratum": "str", "sex": "str",
              "age": "int16", "code": "Int8"}


_SEVERITY = {1: "nej", 2: "ja, lätta besvär", 3: "ja, svåra besvär"}

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
    *microdata.who5_variables(Variable),
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
WHO5_ITEMS: tuple[str, ...] = microdata.WHO5_ITEMS

_FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".sav": "spss", ".zsav": "spss"}
#: Suffixes of round files in a folder (a ``.txt`` there is taken for a note, not a round).
ROUND_SUFFIXES = (".sav", ".zsav", ".parquet", ".pq", ".csv")
_SEX = {"1": "man", "man": "man", "män": "man", "m": "man",
        "2": "kvinnor", "kvinna": "kvinnor", "kvinnor": "kvinnor", "k": "kvinnor"}
_LABEL_SYNONYMS = {"kvinnor": "kvinna", "män": "man"}
_DOC = "docs/contracts/liv_och_halsa.md"


# --------------------------------------------------------------------------- small helpers
def _norm(s: object) -> str:
    """Label text as :func:`analysis.contracts.microdata.norm_label`, ``kvinnor``/``män`` as the labels."""
    t = microdata.norm_label(s)
    return _LABEL_SYNONYMS.get(t, t)


# Shared with the other microdata contracts (analysis.contracts.microdata).
_fail = microdata.fail
_text = microdata.cell_text
_missing = microdata.is_missing


# --------------------------------------------------------------------------- coercion
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
                microdata.check_file_labels(var, file_labels[name], path, norm=_norm)
            out[name] = microdata.coerce_codes(var, col, path, norm=_norm,
                                               from_file=bool(file_labels.get(name)))
            continue
        text = _text(col)
        miss = _missing(text)
        if miss.any() and var.kind != "count":
            raise _fail(path, "missing values (the variable is required in every row)", name,
                        miss, text)
        if var.kind in ("id", "stratum"):
            out[name] = text.astype(str)
        elif var.kind == "kommun":
            out[name] = microdata.kommun_codes(text, path, name)
        elif var.kind == "sex":
            if name in file_labels:
                microdata.check_file_labels(var, file_labels[name], path, norm=_norm)
            mapped = text.str.lower().map(_SEX)
            bad = mapped.isna().to_numpy()
            if bad.any():
                raise _fail(path, "code outside the value labels (1 = man, 2 = kvinna)", name,
                            bad, text)
            out[name] = mapped.astype(str)
        else:  # numbers: year, age, weights, counts
            num = microdata.numbers(text, miss, path, name)
            if var.kind in ("year", "age"):
                microdata.check_whole(num, text, path, name)
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
    microdata.check_unique(df, path, "resp_id")
    microdata.check_one_year(df, path)
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
    if "calibrated_weight" in df:
        w = df["calibrated_weight"].to_numpy(dtype=float)
        total = df.assign(_w=w).groupby("kommun")["_w"].transform("sum").to_numpy()
        zero = total <= 0
        if zero.any():
            kom = sorted(set(df.loc[zero, "kommun"]))
            raise _fail(path, f"calibrated_weight is 0 for every respondent of kommun "
                        f"{', '.join(f'{k} {geo.KOMMUNER.get(k, k)}' for k in kom)}: nothing "
                        "could be estimated there (drop the column to rake from the design "
                        "weights, or fix the weights)", "calibrated_weight", zero,
                        df["calibrated_weight"])
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
    raw = microdata.raw_frame(frame, path, year, not_asked=not_asked, items=ITEMS,
                              empty="the file has no respondents (no data rows)")
    microdata.missing_columns(raw, VARIABLES, path, _DOC, not_asked)
    out = _coerce(raw, path, file_labels or {}, not_asked)
    microdata.check_year_given(out, path, year)
    microdata.check_not_asked(out, path, not_asked)
    declared = None if strata_declared is None else [_text(pd.Series(list(strata_declared)))
                                                     .astype(str).tolist()][0]
    _check_rows(out, path, declared)
    return out[[v.name for v in VARIABLES if v.name in out.columns]]


def _declared_strata(raw: pd.DataFrame, labels: Mapping[str, dict], fmt: str
                     ) -> list[str] | None:
    """Strata a file declares: categories (Parquet) or value labels (SPSS) of ``stratum``."""
    declared = None
    if fmt == "parquet":
        strat = [c for c in raw.columns if str(c).lower() == "stratum"]
        if strat and isinstance(raw[strat[0]].dtype, pd.CategoricalDtype):
            declared = [str(c) for c in raw[strat[0]].cat.categories]
        return declared
    for k, v in labels.items():
        if k.lower() == "stratum":
            declared = [str(int(c)) if isinstance(c, float) and c == int(c) else str(c)
                        for c in v]
    return declared


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
    fmt = microdata.coded_format(path, file_format, _FORMATS)
    raw, labels = microdata.read_coded(path, fmt, sep, encoding)
    declared = _declared_strata(raw, labels, fmt)
    raw, labels = microdata.canonical_names(raw, labels, columns, [v.name for v in VARIABLES])
    frame = validate_round(raw, str(path), year=year, not_asked=not_asked, file_labels=labels,
                           strata_declared=declared)
    check_plausible(frame, str(path))
    return frame


#: Plausible län-wide weighted shares of some answers, wide bands around what Region Örebro
#: län published (seed figures, Liv & hälsa 2017): good or very good health 70–77 % (57–77 %
#: per kommun), anxiety 28–41 %, diagnosed depression 10 %. A share outside means a misread
#: file (codes reversed, labels shifted, another question), not a changed population.
PLAUSIBLE: dict[str, tuple[tuple[int, ...], float, float, str]] = {
    "general_health": ((1, 2), 0.45, 0.92, "mycket bra/bra hälsa, 57–77 % per kommun 2017"),
    "anxiety": ((2, 3), 0.12, 0.65, "besvär av ängslan, oro eller ångest, 28–41 % 2017"),
    "depression": ((1,), 0.02, 0.30, "diagnosticerad depression, 10 % 2017"),
}
#: Rounds with fewer respondents than this are not judged (a test file, not a survey).
MIN_RESPONDENTS_JUDGED = 1000


def check_plausible(frame: pd.DataFrame, path: str = "<DataFrame>") -> None:
    """Stop a round whose answers cannot be right: the design-weighted län share of the answers
    in :data:`PLAUSIBLE` must lie in its band (rounds of at least
    :data:`MIN_RESPONDENTS_JUDGED` respondents).

    Raises
    ------
    InputError
        Naming the file, the column, the share found and the published range.
    """
    if len(frame) < MIN_RESPONDENTS_JUDGED:
        return
    w = frame["design_weight"].to_numpy(dtype=float)
    for item, (codes, lo, hi, published) in PLAUSIBLE.items():
        if item not in frame or frame[item].isna().all():
            continue
        answered = frame[item].notna().to_numpy()
        yes = frame[item].isin(codes).fillna(False).to_numpy(dtype=bool)
        share = float((w * yes).sum() / (w * answered).sum())
        if not lo <= share <= hi:
            raise InputError(path, f"implausible answers: {share:.1%} ({item} = "
                             f"{', '.join(map(str, codes))}, weighted) is outside "
                             f"{lo:.0%}–{hi:.0%} around the published figures ({published}); "
                             "are the codes or value labels of this question mapped right?",
                             column=item)


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
        y = microdata.round_year(f, "liv_och_halsa_2017.sav")
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
    return microdata.write_coded(frame, Path(path), VARIABLES, _FORMATS,
                                 recode={"sex": {"man": 1, "kvinnor": 2}})


def contract_table() -> pd.DataFrame:
    """The contract as a table: variable, type, required, codes, question (for the book)."""
    return microdata.contract_table(VARIABLES)
