"""The one vocabulary and tidy schema of every CSV file the book publishes (``codebook.yml``).

Chapters build tables with their own column names (``value``, ``area_code``, ``andel_16_64``,
``omrade`` …). On the way out, :func:`tidy` maps every column through the vocabulary into one
long schema (:data:`COLUMNS`, Swedish snake_case): keys (``indikator_kod``, ``område_kod``,
``år``, ``kön``, ``ålder`` …), one row per measure with its unit (``enhet``), the value as the
page shows it (``värde_visat``) and unrounded (``värde``), the interval, the respondents, the
suppression flag and reason, and the data kind. Proportions are published in percent (unit
``procent``), as the pages show them. A column the vocabulary does not know stops the build
with an error naming the column and the table, so no file escapes the schema.

:func:`write` writes UTF-8 with a byte order mark (so Excel with Swedish settings reads å, ä, ö),
comma-separated with a decimal point; :func:`read` reads any published CSV back with the
codebook's types. :func:`codebook_table` is the codebook itself as a table (the codebook page
and its CSV).

Why one module: the vocabulary's loader, its validation, the mapping and the reader are one
contract; splitting them would let a reader and the writer drift apart.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core import geo, precision, provenance, text

VOCABULARY = Path(__file__).with_name("codebook.yml")

#: Roles a source column can have (see the head of ``codebook.yml``).
ROLES = {"nyckel", "mått", "del", "indelning", "anmärkning", "undertryckt", "regel", "skäl",
         "utelämnas", "datatyp", "enhet", "statistik", "konfidensgrad", "metod", "sida",
         "tabell"}
#: Parts of a measure (role ``del``) and the schema column each fills.
PARTS = {"nedre": "nedre", "övre": "övre", "medelfel": "medelfel",
         "antal_svarande": "antal_svarande"}
#: Schema columns holding numbers (written with full precision, read as float).
NUMERIC = ["värde", "nedre", "övre", "konfidensgrad", "medelfel", "antal_svarande"]
#: The keys a source column can fill (role ``nyckel``).
KEYS = ["indikator_kod", "indikator", "område_kod", "områdestyp", "område", "år", "kön", "ålder",
        "årskurs", "grupp"]
FROM_ROW = "från_rad"
DEFAULT_CONFIDENCE = 0.95
UNKNOWN_UNIT = "ej angiven"
YES, NO = "ja", "nej"
#: File encoding of every published CSV: UTF-8 with a byte order mark.
ENCODING = "utf-8-sig"
ENCODING_BOM = b"\xef\xbb\xbf"
SEPARATOR = ","


class SchemaError(ValueError):
    """A table cannot be written in the published schema (names the table and the column)."""


# --------------------------------------------------------------------------- the vocabulary
@functools.cache
def vocabulary(path: Path = VOCABULARY) -> dict:
    """The vocabulary (``codebook.yml``), validated (:func:`validate`)."""
    voc = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(voc)
    return voc


def _alternatives(entry: dict | list) -> list[dict]:
    return entry if isinstance(entry, list) else [entry]


def validate(voc: Mapping) -> None:
    """Check the vocabulary's structure: every schema column described and typed, every source
    column with a known role, every key, part and unit pointing at something that exists.

    Raises
    ------
    SchemaError
        Naming the first problem found.
    """
    cols = [c["namn"] for c in voc["kolumner"]]
    for c in voc["kolumner"]:
        if not re.fullmatch(r"[a-zåäö_]+", c["namn"]):
            raise SchemaError(f"schema column {c['namn']!r} is not Swedish snake_case")
        if not c.get("beskrivning") or c.get("typ") not in ("text", "heltal", "decimal"):
            raise SchemaError(f"schema column {c['namn']!r} needs a description and a type")
    if len(set(cols)) != len(cols):
        raise SchemaError("schema columns are not unique")
    missing = [c for c in [*KEYS, *NUMERIC] if c not in cols]
    if missing:
        raise SchemaError(f"the schema lacks {missing}")
    units = set(voc["enheter"])
    source_units = units | set(voc["omräkning"]) | {FROM_ROW}
    for u, conv in voc["omräkning"].items():
        if conv["enhet"] not in units:
            raise SchemaError(f"conversion of {u!r} gives unknown unit {conv['enhet']!r}")
    for s, spec in voc["statistik"].items():
        if spec["enhet"] not in source_units:
            raise SchemaError(f"statistic {s!r} has unknown unit {spec['enhet']!r}")
    for code, u in {**voc["enhetskoder"], **voc["radenheter"]}.items():
        if u not in source_units:
            raise SchemaError(f"unit code {code!r} maps to unknown unit {u!r}")
    entries = [(name, alt) for name, e in voc["källkolumner"].items() for alt in _alternatives(e)]
    entries += [(p["regex"], p) for p in voc["mönster"]]
    for name, e in entries:
        role = e.get("roll")
        if role not in ROLES:
            raise SchemaError(f"source column {name!r} has unknown role {role!r}")
        if role == "nyckel" and e.get("till") not in KEYS:
            raise SchemaError(f"source column {name!r} fills unknown key {e.get('till')!r}")
        if role == "mått" and (not e.get("mått") or e.get("enhet") not in source_units):
            raise SchemaError(f"measure {name!r} needs a text and a known unit")
        if role == "del" and (e.get("del") not in PARTS or not e.get("av")):
            raise SchemaError(f"part {name!r} needs del (one of {sorted(PARTS)}) and av")
        if role in ("indelning", "anmärkning") and not e.get("etikett"):
            raise SchemaError(f"source column {name!r} needs an etikett")
        if role == "utelämnas" and not e.get("skäl"):
            raise SchemaError(f"dropped column {name!r} needs the reason (skäl)")
    for col, values in voc["översätt"].items():
        if col not in cols:
            raise SchemaError(f"translation for unknown schema column {col!r}")
        allowed = next(c.get("värden") for c in voc["kolumner"] if c["namn"] == col)
        bad = [v for v in values.values() if allowed and v not in allowed]
        if bad:
            raise SchemaError(f"translations of {col!r} give values outside {allowed}: {bad}")


def columns() -> list[str]:
    """The schema's columns, in file order."""
    return [c["namn"] for c in vocabulary()["kolumner"]]


def units() -> dict[str, dict]:
    """The published units (``enhet``) with their description and decimals."""
    return dict(vocabulary()["enheter"])


def dtypes() -> dict[str, str]:
    """pandas dtypes of the schema's columns (for :func:`pandas.read_csv`)."""
    kind = {"text": "string", "heltal": "Int64", "decimal": "float64"}
    return {c["namn"]: kind[c["typ"]] for c in vocabulary()["kolumner"]}


def role(column: str, present: set[str], table: str = "") -> dict:
    """The vocabulary entry of a source column in a table with ``present`` columns (the first
    alternative whose ``när`` columns are all present; else a matching ``mönster``).

    Raises
    ------
    SchemaError
        The column is not in the vocabulary (naming the column and the table).
    """
    voc = vocabulary()
    if column in voc["källkolumner"]:
        for alt in _alternatives(voc["källkolumner"][column]):
            if set(alt.get("när", [])) <= present:
                return alt
        raise SchemaError(f"table {table!r}: column {column!r} has no vocabulary entry for a "
                          f"table with the columns {sorted(present)}")
    for p in voc["mönster"]:
        m = re.fullmatch(p["regex"], column)
        if m:
            return {**p, "nycklar": {k: v for k, v in m.groupdict().items() if v}}
    base, _, year = column.rpartition("_")
    if re.fullmatch(r"\d{4}", year) and base in voc["källkolumner"]:
        # a measure for one year (``malgrupp_2015``): the base's entry, the year as key
        e = _alternatives(voc["källkolumner"][base])[-1]
        if e["roll"] == "mått":
            return {**e, "nycklar": {"år": year}}
    raise SchemaError(
        f"table {table!r}: column {column!r} is not in the vocabulary of published CSV files "
        "(analysis/present/codebook.yml, källkolumner): add it there with its role, or rename it")


# --------------------------------------------------------------------------- cells
def _text(v: object) -> str:
    """A key cell as text: missing → empty, whole floats without ``.0``."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _label(v: object) -> str:
    """A breakdown's or note's value as text, yes/no in Swedish."""
    s = _text(v)
    return {"True": YES, "False": NO}.get(s, s)


def _number(v: object) -> float:
    if v is None or v is pd.NA or isinstance(v, (bool, np.bool_)):
        return np.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan  # "." or ".." of a withheld or missing cell


def _flag(v: object) -> bool:
    return _text(v).lower() in ("true", "1", "ja")


def shown(value: float, unit: str, code: str = "", factor: float = 1) -> str:
    """A value as the book's tables show it, decimal comma (empty if missing): with the
    decimals of the book's rounding policy for the row's unit code (``code``, e.g.
    ``andel_enkat`` → whole per cent; :mod:`analysis.core.precision`), else the published
    unit's. ``factor`` is the conversion already applied to ``value`` (100 for a share)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if code in precision.RULES and precision.rule(code).scale == factor:
        d = precision.decimals(code)
        return text.num(precision.shown(value / factor, code), max(d, 0))
    return text.num(value, int(units()[unit]["decimaler"]))


def _unit(spec: str, row: dict, voc: dict) -> str:
    """The source unit of a measure in one row (``från_rad``: the row's unit code, its
    statistic, the unit its row measure names, else :data:`UNKNOWN_UNIT`)."""
    if spec != FROM_ROW:
        return spec
    code = row.get("__unit", "")
    if code:
        if code not in voc["enhetskoder"]:
            raise SchemaError(f"unit code {code!r} is not in the vocabulary (enhetskoder)")
        return voc["enhetskoder"][code]
    stat = row.get("__statistic", "")
    if stat:
        if stat not in voc["statistik"]:
            raise SchemaError(f"statistic {stat!r} is not in the vocabulary (statistik)")
        return voc["statistik"][stat]["enhet"]
    return voc["radenheter"].get(row.get("indikator", ""), UNKNOWN_UNIT)


# --------------------------------------------------------------------------- the mapping
def tidy(df: pd.DataFrame, table: str, page: str = "") -> pd.DataFrame:
    """``df`` (a chapter's table, with ``data_kind``) in the published schema.

    Every column is mapped by its vocabulary entry (:func:`role`): keys fill the key columns,
    each measure column becomes one row per source row (with its interval, standard error and
    respondents), breakdowns and notes are written as ``etikett: värde``. A suppressed row
    (``suppressed`` true) has every number empty, ``undertryckt`` ``ja`` and ``orsak`` its rule
    and reason. Proportions (0–1) are converted to percent.

    Raises
    ------
    SchemaError
        An unknown column, a part without its measure, a value outside a column's allowed
        values, or a measure whose unit cannot be determined (naming table and column).
    """
    voc = vocabulary()
    cols = columns()
    present = set(map(str, df.columns))
    entries = {str(c): role(str(c), present, table) for c in df.columns}
    if provenance.COLUMN not in present:
        raise SchemaError(f"table {table!r}: no {provenance.COLUMN} column")
    records = df.to_dict("records")
    keys_of: dict[str, str] = {}
    extra: list[tuple[str, str]] = []  # (source column, label) → indelning
    notes: list[tuple[str, str]] = []
    measures: list[str] = []
    parts: dict[str, list[tuple[str, dict]]] = {}
    special: dict[str, str] = {}
    for c, e in entries.items():
        r = e["roll"]
        if r == "nyckel":
            if e["till"] in keys_of:
                extra.append((c, e["till"]))
            else:
                keys_of[e["till"]] = c
        elif r == "indelning":
            extra.append((c, e["etikett"]))
        elif r == "anmärkning":
            notes.append((c, e["etikett"]))
        elif r == "mått":
            measures.append(c)
        elif r == "del":
            owners = [a for a in e["av"] if a in present]
            if not owners:
                raise SchemaError(f"table {table!r}: column {c!r} is part of {e['av']}, "
                                  "which the table lacks")
            for o in owners:
                parts.setdefault(o, []).append((c, e))
        elif r in ("undertryckt", "regel", "skäl", "datatyp", "enhet", "statistik",
                   "konfidensgrad", "metod", "sida", "tabell"):
            special[r] = c
    pattern_keys = {c: e.get("nycklar", {}) for c, e in entries.items()}
    out = []
    for i, rec in enumerate(records, start=1):
        base = dict.fromkeys(cols, "")
        base.update(sida=page, tabell=table, rad=i)
        for k in ("sida", "tabell"):  # the suppression log names the page and table of a cell
            if k in special:
                base[k] = _text(rec[special[k]])
        for k, c in keys_of.items():
            base[k] = _text(rec[c])
        base["indelning"] = "; ".join(f"{lab}: {_label(rec[c])}" for c, lab in extra
                                      if _text(rec[c]))
        note_parts = [f"{lab}: {_label(rec[c])}" for c, lab in notes if _text(rec[c])]
        suppressed = "undertryckt" in special and _flag(rec[special["undertryckt"]])
        rule = _text(rec[special["regel"]]) if "regel" in special else ""
        reason = _text(rec[special["skäl"]]) if "skäl" in special else ""
        if suppressed:
            base["orsak"] = ": ".join(x for x in (rule, reason) if x)
            note_parts = []  # no flag (e.g. significance) beside a withheld value
        elif reason:
            note_parts.insert(0, reason)
        base["anmärkning"] = "; ".join(note_parts)
        base["undertryckt"] = YES if suppressed else NO
        base["datatyp"] = _text(rec[special["datatyp"]])
        base["metod"] = _text(rec[special["metod"]]) if "metod" in special else ""
        ctx = {"__unit": _text(rec[special["enhet"]]) if "enhet" in special else "",
               "__statistic": (_text(rec[special["statistik"]]) if "statistik" in special
                               else ""),
               "indikator": base["indikator"]}
        # lower/upper without a confidence column are the book's 95 % intervals (CONTRIBUTING)
        row_conf = (_number(rec[special["konfidensgrad"]]) if "konfidensgrad" in special
                    else DEFAULT_CONFIDENCE)
        if not measures:
            out.append(base)
            continue
        for m in measures:
            e = entries[m]
            src_unit = _unit(e["enhet"], ctx, voc)
            conv = voc["omräkning"].get(src_unit, {"enhet": src_unit, "faktor": 1})
            unit, factor = conv["enhet"], conv["faktor"]
            what = e["mått"]
            if what == FROM_ROW:
                if ctx["__statistic"] not in voc["statistik"]:
                    raise SchemaError(f"table {table!r}: column {m!r} needs a known statistic, "
                                      f"got {ctx['__statistic']!r}")
                what = voc["statistik"][ctx["__statistic"]]["mått"]
            row = {**base, "mått": what, "enhet": unit}
            for k, v in pattern_keys[m].items():
                row[k] = v
            value = _number(rec[m]) * factor
            sets: dict[float, dict] = {}
            single: dict[str, float] = {}
            for pc, pe in parts.get(m, []):
                x = _number(rec[pc])
                f = factor if pe["del"] != "antal_svarande" else 1
                if pe["del"] in ("nedre", "övre"):
                    level = float(pe.get("konfidensgrad", row_conf))
                    sets.setdefault(level, {})[pe["del"]] = x * f
                else:
                    single[pe["del"]] = x * f
            bounds = [(lv, b) for lv, b in sets.items()
                      if not all(math.isnan(v) for v in b.values())] or [(np.nan, {})]
            for level, b in bounds:
                r = {**row, "värde": value, "nedre": b.get("nedre", np.nan),
                     "övre": b.get("övre", np.nan),
                     "konfidensgrad": level if b else np.nan,
                     "medelfel": single.get("medelfel", np.nan),
                     "antal_svarande": single.get("antal_svarande", np.nan)}
                if suppressed:
                    r.update({c: np.nan for c in NUMERIC if c != "konfidensgrad"})
                r["värde_visat"] = shown(r["värde"], unit, ctx.get("__unit", ""), factor)
                out.append(r)
    res = pd.DataFrame(out, columns=cols)
    for c in NUMERIC:
        res[c] = pd.to_numeric(res[c].replace("", np.nan), errors="coerce").astype(float)
    for col, mapping in voc["översätt"].items():
        res[col] = res[col].map(lambda v, m=mapping: m.get(v, v))
    _fill_area_names(res)
    check(res, table)
    return res


def _fill_area_names(t: pd.DataFrame) -> None:
    """Area names from the codes where a table has codes only."""
    empty = (t["område"] == "") & (t["område_kod"] != "")
    for code in t.loc[empty, "område_kod"].unique():
        try:
            name = geo.area_name(code)
        except KeyError:
            continue
        t.loc[empty & (t["område_kod"] == code), "område"] = name


def check(t: pd.DataFrame, table: str = "") -> None:
    """Check a table in the published schema: the columns in order, allowed values, units.

    Raises
    ------
    SchemaError
        Naming the table, the column and the first offending values.
    """
    if list(t.columns) != columns():
        raise SchemaError(f"table {table!r}: columns {list(t.columns)} are not the schema's")
    for c in vocabulary()["kolumner"]:
        allowed = c.get("värden")
        if allowed:
            bad = sorted(set(t[c["namn"]].dropna()) - set(allowed) - {""})
            if bad:
                raise SchemaError(f"table {table!r}: column {c['namn']!r} has values {bad[:5]} "
                                  f"outside {allowed}")
    bad_units = sorted(set(t["enhet"]) - set(units()) - {""})
    if bad_units:
        raise SchemaError(f"table {table!r}: unknown units {bad_units}")
    hidden = t["undertryckt"] == YES
    if t.loc[hidden, ["värde", "nedre", "övre"]].replace("", np.nan).notna().any().any():
        raise SchemaError(f"table {table!r}: a suppressed row shows a value")


# --------------------------------------------------------------------------- files
def write(t: pd.DataFrame, path: Path) -> Path:
    """Write a table of the schema as UTF-8 with BOM, comma-separated, point decimal, ``\\n``
    line ends, numbers at full precision (empty = missing or withheld)."""
    check(t, Path(path).stem)
    t.to_csv(path, index=False, encoding=ENCODING, sep=SEPARATOR, lineterminator="\n",
             float_format="%.10g")
    return Path(path)


def read(path: Path) -> pd.DataFrame:
    """Read a published CSV with the codebook's types (the one parser every reader uses).

    Raises
    ------
    SchemaError
        The file's header is not the schema's.
    """
    t = pd.read_csv(path, encoding=ENCODING, sep=SEPARATOR, dtype=dtypes(),
                    keep_default_na=False, na_values={c: [""] for c in NUMERIC + ["rad"]})
    if list(t.columns) != columns():
        raise SchemaError(f"{path}: header {list(t.columns)} is not the published schema")
    return t


def codebook_table() -> pd.DataFrame:
    """The codebook as a table: one row per column (``kolumn, typ, beskrivning, värden``) and
    one per unit (``kolumn`` = ``enhet``, ``värden`` the unit)."""
    rows = [{"kolumn": c["namn"], "typ": c["typ"], "beskrivning": c["beskrivning"],
             "tillåtna_värden": ", ".join(c.get("värden", []))} for c in vocabulary()["kolumner"]]
    rows += [{"kolumn": "enhet", "typ": "text", "beskrivning": u["beskrivning"]
              + f" Visas med {u['decimaler']} decimaler.", "tillåtna_värden": name}
             for name, u in units().items()]
    return pd.DataFrame(rows, columns=["kolumn", "typ", "beskrivning", "tillåtna_värden"])
