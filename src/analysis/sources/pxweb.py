"""SCB PxWeb API client and parsers (JSON-stat, PxWeb v1 JSON, PX files) and the population fetch.

What is here
------------
* Parsers that turn what SCB sends into tidy frames: JSON-stat 2.0 (PxWebApi 2.0
  ``outputFormat=json-stat2``), JSON-stat 1.x as wrapped by API v1 (``{"dataset": {...}}``),
  the API v1 ``"json"`` format (``columns``/``data``) and PX files.
* :class:`PxWebClient` for PxWebApi 2.0 at ``https://statistikdatabasen.scb.se/api/v2``:
  ``/config`` (limits), ``/tables/{id}/metadata`` and ``/tables/{id}/data``; it splits a
  selection that is larger than ``maxDataCells`` into several requests and concatenates
  them, keeps to ``maxCallsPerTimeWindow`` calls per ``timeWindow`` seconds, retries with
  exponential backoff and raises :class:`FetchError` with a plain message when SCB cannot
  be reached.
* :func:`fetch_population` downloads population by region × age × sex × year (table TAB638,
  the v2 id of BE0101N1 "Folkmängd efter region, civilstånd, ålder och kön. År 1968–") into
  ``data/raw/scb_pxweb/<YYYY-MM-DD>/`` with the raw responses, a tidy CSV and
  ``provenance.json``; :func:`catalog_entry` gives the ``data/catalog.yml`` fields.
* ``python -m analysis.sources.pxweb fetch --years 2016-2024`` runs it from the command line.

Table and codes (verified, see the pages below)
-----------------------------------------------
TAB638 = API v1 ``BE/BE0101/BE0101A/BefolkningNy`` (the recorded v1 JSON-stat response carries
``extension.px.tableid = "TAB638"``). Variables: ``Region`` (``00`` riket, 2-digit län such as
``18``, 4-digit kommuner; codelists ``vs_RegionRiket99``, ``vs_RegionLän07``,
``vs_RegionKommun07``), ``Civilstand`` (``OG``, ``G``, ``SK``, ``ÄNKL``; eliminable),
``Alder`` (single years ``0`` … ``99`` and ``100+``; eliminable; aggregation codelists such
as ``agg_Ålder5år``), ``Kon`` (``1`` män, ``2`` kvinnor; eliminable), ``ContentsCode``
(``BE0101N1`` Folkmängd) and ``Tid`` (years ``1968`` …). The population fetch selects explicit
codes and leaves out ``Civilstand``, so SCB sums over marital status (elimination); explicit
codes need no codelist. :func:`fetch_population` re-checks all of this against the live
metadata before it asks for data.

Documentation followed
----------------------
* PxWebApi 2.0 OpenAPI specification, PxTools/PxApiSpecs ``PxAPI-2.yml`` (tag v2.0.0):
  https://raw.githubusercontent.com/PxTools/PxApiSpecs/refs/tags/v2.0.0/PxAPI-2.yml
  (``/config`` ``ConfigResponse``: maxDataCells, maxCallsPerTimeWindow, timeWindow, license;
  ``GET /tables/{id}/data`` with ``valueCodes[VAR]``/``codelist[VAR]``; ``POST`` body
  ``VariablesSelection`` = ``{"selection": [{"variableCode", "codelist", "valueCodes"}]}``;
  status codes 400/403/404/429).
* SCB, "Öppna data": https://www.scb.se/vara-tjanster/oppna-data/ (CC0; recommended
  attribution "Källa: SCB"); the v2 ``/config`` also states the CC0 licence.
* pxwebpy (stefur/pxwebpy) API reference, ``PxApi.get_table_data``/``get_code_list`` examples
  on TAB638 with ``vs_RegionKommun07``, ``vs_RegionLän07`` and ``agg_Ålder5år``:
  https://github.com/stefur/pxwebpy and https://pypi.org/project/pxwebpy/
* rOpenGov pxweb v2 query helpers (``codelist[VAR]``, ``outputValues[VAR]``):
  https://www.rdocumentation.org/packages/pxweb/versions/0.19.2/topics/pxweb_query_helpers
* JSON-stat format: https://json-stat.org/format/ (``id``/``size`` order, ``index`` as array
  or object, sparse ``value``/``status`` objects).
* PX file format 2013: https://www.pxtools.net/px-file-format/px-2013 and SCB "Data in the
  PX-file": https://www.scb.se/en/services/statistical-programs-for-px-files/px-file-format/data-in-the-px-file/

Why one module
--------------
The parsers, the client and the fetch share the codes and checks of one SCB table (TAB638)
and are read together when SCB changes its API; about half of the lines are the documented
verification of table ids and codes above and in the docstrings. Split it when a second
PxWeb table is fetched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests
import yaml

from analysis import __version__
from analysis.core import cli, geo, text
from analysis.core.errors import InputError
from analysis.sources import catalog

BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
POPULATION_TABLE = "TAB638"
POPULATION_CONTENTS = "BE0101N1"
#: Single years of age as coded in TAB638; ``100+`` is 100 years or older.
POPULATION_AGES: tuple[str, ...] = tuple(str(a) for a in range(100)) + ("100+",)
#: SCB ``Kon`` codes and the book's sex labels (CONTRIBUTING: ``man``, ``kvinnor``).
POPULATION_SEXES: dict[str, str] = {"1": "man", "2": "kvinnor"}
POPULATION_CSV = "population_kommun_alder_kon.csv"
POPULATION_FIRST_YEAR = 1968
POPULATION_URL_MAIN = (
    "https://www.statistikdatabasen.scb.se/pxweb/sv/ssd/START__BE__BE0101__BE0101A/BefolkningNy/"
)
LICENCE = "CC0 / Källa: SCB"
OFFLINE_HINT = (
    "You are offline or SCB is down; the book keeps using the catalogued data in data/raw/"
)

Source = Mapping[str, Any] | str | bytes | os.PathLike
Selection = Mapping[str, Sequence[str]]

_PX_MISSING = {".", "..", "...", "....", ".....", "......", "-"}
_RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """SCB could not be reached, refused the request, or sent an answer that failed the checks."""


# --------------------------------------------------------------------------------------
# Reading sources
# --------------------------------------------------------------------------------------


def _read_bytes(source: Source, name: str | None) -> tuple[bytes | Any, str]:
    """Return raw bytes (or an already decoded mapping) and a name for error messages."""
    if isinstance(source, os.PathLike):
        path = Path(source)
        return path.read_bytes(), name or str(path)
    if isinstance(source, str):
        return source.encode("utf-8"), name or "<response>"
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), name or "<response>"
    return source, name or "<response>"


def _read_json(source: Source, name: str | None) -> tuple[Any, str]:
    raw, name = _read_bytes(source, name)
    if not isinstance(raw, bytes):
        return raw, name
    try:
        return json.loads(raw.decode("utf-8-sig")), name
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(name, f"not valid UTF-8 JSON ({exc})") from None


def _grid(codes: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Row-major (last dimension fastest) expansion of category codes, one array per dimension."""
    sizes = [len(c) for c in codes]
    out = []
    for i, cats in enumerate(codes):
        inner = math.prod(sizes[i + 1 :])
        outer = math.prod(sizes[:i])
        idx = np.tile(np.repeat(np.arange(len(cats)), inner), outer)
        out.append(np.asarray(list(cats), dtype=object)[idx])
    return out


def _number(token: Any) -> tuple[float, str | None]:
    """A cell value as float, or NaN plus the symbol SCB used instead of a number."""
    if token is None:
        return math.nan, None
    if isinstance(token, bool):
        raise ValueError(f"boolean {token!r} is not a statistic")
    if isinstance(token, (int, float)):
        return float(token), None
    text = str(token).strip()
    try:
        return float(text), None
    except ValueError:
        return math.nan, text


# --------------------------------------------------------------------------------------
# JSON-stat (2.0 and 1.x)
# --------------------------------------------------------------------------------------


def _jsonstat_dataset(obj: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise InputError(name, "JSON-stat response is not an object")
    if obj.get("class") == "dataset" or ("dimension" in obj and "value" in obj):
        return obj
    # JSON-stat 1.x bundle, e.g. SCB API v1: {"dataset": {...}}
    datasets = [v for v in obj.values() if isinstance(v, Mapping) and "dimension" in v]
    if len(datasets) == 1:
        return datasets[0]
    if not datasets:
        raise InputError(name, "no JSON-stat dataset found (no 'dimension')")
    raise InputError(name, f"JSON-stat bundle holds {len(datasets)} datasets; pass one")


def _jsonstat_categories(
    dim: Any, dim_id: str, size: int, name: str
) -> tuple[list[str], list[str] | None]:
    if not isinstance(dim, Mapping):
        raise InputError(name, f"dimension {dim_id!r} is listed in 'id' but not described", column=dim_id)
    cat = dim.get("category") or {}
    index = cat.get("index")
    label = cat.get("label")
    if index is None:
        if not label:
            raise InputError(name, f"dimension {dim_id!r} has neither category index nor label", column=dim_id)
        codes = [str(c) for c in label]
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        positions = sorted(index.values())
        if positions != list(range(len(index))):
            raise InputError(
                name, f"category index of {dim_id!r} is not 0..{len(index) - 1}", column=dim_id
            )
        codes = [str(c) for c in sorted(index, key=index.__getitem__)]
    else:
        raise InputError(name, f"category index of {dim_id!r} is neither list nor object", column=dim_id)
    if len(codes) != size:
        raise InputError(
            name, f"dimension {dim_id!r} has {len(codes)} categories but 'size' says {size}", column=dim_id
        )
    labels = [str(label.get(c, c)) for c in codes] if isinstance(label, Mapping) else None
    return codes, labels


def _jsonstat_cells(raw: Any, n: int, what: str, name: str, *, spread: bool) -> list[Any] | None:
    """Expand a JSON-stat ``value``/``status`` (array, sparse object or, for status, a string)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if spread:
            return [raw] * n
        raise InputError(name, f"'{what}' is a string, expected an array or object", column=what)
    if isinstance(raw, list):
        if len(raw) == n:
            return list(raw)
        if spread and len(raw) == 1:
            return raw * n
        raise InputError(name, f"'{what}' has {len(raw)} cells but the dimensions give {n}", column=what)
    if isinstance(raw, Mapping):
        cells: list[Any] = [None] * n
        for key, v in raw.items():
            try:
                i = int(key)
            except ValueError:
                raise InputError(name, f"'{what}' has a non-numeric key {key!r}", column=what) from None
            if not 0 <= i < n:
                raise InputError(name, f"'{what}' has key {i} outside 0..{n - 1}", column=what)
            cells[i] = v
        return cells
    raise InputError(name, f"'{what}' is neither array nor object", column=what)


def parse_jsonstat(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Turn a JSON-stat dataset (2.0, or 1.x in a bundle such as ``{"dataset": …}``) into a tidy frame.

    Parameters
    ----------
    source
        The response as a mapping, JSON text/bytes, or a :class:`~pathlib.Path` to a file.
    name
        Name used in error messages (default: the path, or ``<response>``).

    Returns
    -------
    pandas.DataFrame
        One row per cell in JSON-stat order (dimensions in ``id`` order, the last one
        varying fastest). One column per dimension holding the category codes, then one
        ``<dimension>_label`` column per dimension that has labels, then ``value`` (float,
        NaN where the value is null) and, if the response has ``status``, ``status``
        (SCB's symbol, e.g. ``".."``; missing where a cell has none). ``attrs`` hold ``dimensions``, ``label``,
        ``source``, ``updated``, ``table_id`` (from ``extension.px.tableid``) and ``roles``.

    Raises
    ------
    analysis.core.errors.InputError
        If ``id``/``size``/categories/values do not agree.
    """
    obj, name = _read_json(source, name)
    ds = _jsonstat_dataset(obj, name)
    dims = ds.get("dimension") or {}
    ids = ds.get("id", dims.get("id"))
    sizes = ds.get("size", dims.get("size"))
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise InputError(name, "JSON-stat dataset without matching 'id' and 'size' lists", column="id")
    codes, labels = [], []
    for dim_id, size in zip(ids, sizes, strict=True):
        c, lab = _jsonstat_categories(dims.get(dim_id), dim_id, int(size), name)
        codes.append(c)
        labels.append(lab)
    n = math.prod(int(s) for s in sizes)
    values = _jsonstat_cells(ds.get("value"), n, "value", name, spread=False)
    if values is None:
        raise InputError(name, "JSON-stat dataset has no 'value'", column="value")
    status = _jsonstat_cells(ds.get("status"), n, "status", name, spread=True)

    columns: dict[str, Any] = dict(zip(ids, _grid(codes), strict=True))
    for dim_id, lab, arr in zip(ids, labels, _grid(_labels_or_codes(codes, labels)), strict=True):
        if lab is not None:
            columns[f"{dim_id}_label"] = arr
    numbers = np.empty(n, dtype=float)
    for i, v in enumerate(values):
        try:
            number, symbol = _number(v)
        except ValueError as exc:
            raise InputError(name, str(exc), column="value", rows=[i + 1], values=[v]) from None
        if symbol is not None:
            raise InputError(name, "value is not a number", column="value", rows=[i + 1], values=[v])
        numbers[i] = number
    columns["value"] = numbers
    if status is not None:
        columns["status"] = pd.array([None if s is None else str(s) for s in status], dtype="str")
    frame = pd.DataFrame(columns)
    ext = ds.get("extension") or {}
    px = (ext.get("px") or {}) if isinstance(ext, Mapping) else {}
    frame.attrs.update(
        dimensions=list(ids),
        label=ds.get("label"),
        source=ds.get("source"),
        updated=ds.get("updated"),
        table_id=px.get("tableid"),
        roles=dict(ds.get("role", dims.get("role")) or {}),
    )
    return frame


def _labels_or_codes(codes: list[list[str]], labels: list[list[str] | None]) -> list[list[str]]:
    """Per dimension, the labels where present and the codes otherwise (same lengths)."""
    return [lab if lab is not None else c for c, lab in zip(codes, labels, strict=True)]


# --------------------------------------------------------------------------------------
# PxWeb API v1 "json" (columns/data)
# --------------------------------------------------------------------------------------


def parse_px_json(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Turn an API v1 ``"json"`` response (``columns``, ``data``, ``metadata``) into a tidy frame.

    Parameters
    ----------
    source
        The response as a mapping, JSON text/bytes, or a :class:`~pathlib.Path`.
    name
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per key and content column: the key columns (``d`` and ``t`` columns,
        codes as sent), ``ContentsCode`` and ``ContentsCode_label`` (the ``c`` column's code
        and text), ``value`` (float, NaN for symbols such as ``".."``) and ``status`` (the
        symbol, else missing). ``attrs`` hold ``dimensions``, ``label``, ``updated``, ``source``.

    Raises
    ------
    analysis.core.errors.InputError
        If a data record does not match the columns (the 1-based record is named).
    """
    obj, name = _read_json(source, name)
    if not isinstance(obj, Mapping) or "columns" not in obj or "data" not in obj:
        raise InputError(name, "not an API v1 'json' response (needs 'columns' and 'data')")
    key_cols = [c for c in obj["columns"] if c.get("type", "d") != "c"]
    val_cols = [c for c in obj["columns"] if c.get("type") == "c"]
    if not val_cols:
        raise InputError(name, "no content column (type 'c') in 'columns'", column="columns")
    rows: list[list[Any]] = []
    for r, rec in enumerate(obj["data"], start=1):
        key, vals = rec.get("key", []), rec.get("values", [])
        if len(key) != len(key_cols) or len(vals) != len(val_cols):
            raise InputError(
                name,
                f"record has {len(key)} keys/{len(vals)} values, columns say {len(key_cols)}/{len(val_cols)}",
                column="data",
                rows=[r],
            )
        for col, v in zip(val_cols, vals, strict=True):
            number, symbol = _number(v)
            rows.append([*map(str, key), col["code"], col.get("text", col["code"]), number, symbol])
    dim_names = [c["code"] for c in key_cols]
    frame = pd.DataFrame(
        rows, columns=[*dim_names, "ContentsCode", "ContentsCode_label", "value", "status"]
    )
    frame["value"] = frame["value"].astype(float)
    frame["status"] = frame["status"].astype("str")
    meta = (obj.get("metadata") or [{}])[0]
    frame.attrs.update(
        dimensions=[*dim_names, "ContentsCode"],
        label=meta.get("label"),
        updated=meta.get("updated"),
        source=meta.get("source"),
        table_id=None,
        roles={},
    )
    return frame


# --------------------------------------------------------------------------------------
# PX files
# --------------------------------------------------------------------------------------

_PX_KEY = re.compile(
    r'\s*(?P<kw>[A-Za-z0-9-]+)(?:\[(?P<lang>[^\]]+)\])?(?:\((?P<sub>"[^"]*"(?:\s*,\s*"[^"]*")*)\))?\s*='
)
_PX_TOKEN = re.compile(r'[^,;\s"]+')


def _px_encoding(raw: bytes, name: str) -> str:
    head = raw[: raw.find(b"DATA=")] if b"DATA=" in raw else raw
    codepage = re.search(rb'CODEPAGE\s*=\s*"([^"]+)"', head)
    if codepage:
        return codepage.group(1).decode("ascii")
    charset = re.search(rb'CHARSET\s*=\s*"([^"]+)"', head)
    if charset and charset.group(1).upper() == b"ANSI":
        return "cp1252"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(name, "PX file has neither CODEPAGE nor CHARSET=\"ANSI\" and is not UTF-8") from None
    return "utf-8"


def _px_values(text: str, pos: int, name: str) -> tuple[list[str], int]:
    """Read the values of one keyword up to its ``;`` (adjacent quoted strings are joined)."""
    values: list[str] = []
    current: str | None = None
    while pos < len(text):
        ch = text[pos]
        if ch == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise InputError(name, f"unterminated quoted text at character {pos}")
            current = (current or "") + text[pos + 1 : end]
            pos = end + 1
        elif ch == ",":
            values.append(current or "")
            current = None
            pos += 1
        elif ch == ";":
            values.append(current or "")
            return values, pos + 1
        elif ch.isspace():
            pos += 1
        else:
            m = _PX_TOKEN.match(text, pos)
            current = (current or "") + m.group(0)
            pos = m.end()
    raise InputError(name, "keyword without closing ';'")


def parse_px(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Read a PX file (PC-Axis) without KEYS into a tidy frame.

    Parameters
    ----------
    source
        A :class:`~pathlib.Path` to a ``.px`` file, or its bytes. The character set follows ``CODEPAGE`` if
        given, ``CHARSET="ANSI"`` means Windows-1252, otherwise the file must be UTF-8.
    name
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per cell, dimensions in ``STUB`` then ``HEADING`` order (last varying
        fastest, as in ``DATA``): per variable a column with the ``CODES`` (or the
        ``VALUES`` if there are no codes) named after the variable, then
        ``<variable>_label`` with the ``VALUES`` texts, then ``value`` (float; NaN for
        the missing-data symbols ``"."`` … ``"......"`` and ``"-"``) and ``status`` (that
        symbol, else missing). ``attrs`` hold ``dimensions``, ``label`` (TITLE), ``contents``,
        ``units``, ``matrix``, ``updated`` (LAST-UPDATED), ``source`` and ``encoding``.

    Raises
    ------
    analysis.core.errors.InputError
        If the file uses KEYS, or the number of data cells does not match the variables.
    """
    raw, name = _read_bytes(source, name)
    if not isinstance(raw, bytes):
        raise InputError(name, "a PX file must be given as a path or bytes")
    encoding = _px_encoding(raw, name)
    text = raw.decode(encoding)
    meta: dict[tuple[str, str | None], list[str]] = {}
    pos = 0
    data_text = None
    while True:
        m = _PX_KEY.match(text, pos)
        if m is None:
            raise InputError(name, f"cannot read a keyword at character {pos}: {text[pos:pos + 40]!r}")
        kw = m.group("kw").upper()
        pos = m.end()
        if kw == "DATA":
            data_text = text[pos:]
            break
        values, pos = _px_values(text, pos, name)
        if m.group("lang") is None:  # translations ([en], [sv]) are not used
            sub = m.group("sub")
            meta[(kw, sub.strip('"') if sub else None)] = values
    if any(k == "KEYS" for k, _ in meta):
        raise InputError(name, "PX files with KEYS are not supported")
    variables = meta.get(("STUB", None), []) + meta.get(("HEADING", None), [])
    if not variables:
        raise InputError(name, "PX file has neither STUB nor HEADING")
    codes, labels = [], []
    for var in variables:
        vals = meta.get(("VALUES", var))
        if vals is None:
            raise InputError(name, f"no VALUES for variable {var!r}", column=var)
        cds = meta.get(("CODES", var), vals)
        if len(cds) != len(vals):
            raise InputError(name, f"CODES and VALUES of {var!r} differ in length", column=var)
        codes.append(cds)
        labels.append(vals)
    end = data_text.find(";")
    tokens = re.findall(r'"[^"]*"|[^\s,;"]+', data_text if end < 0 else data_text[:end])
    n = math.prod(len(c) for c in codes)
    if len(tokens) != n:
        raise InputError(name, f"DATA has {len(tokens)} cells but the variables give {n}", column="DATA")
    numbers = np.empty(n, dtype=float)
    status: list[str | None] = [None] * n
    for i, tok in enumerate(tokens):
        tok = tok.strip('"')
        number, symbol = _number(tok)
        if symbol is not None and symbol not in _PX_MISSING:
            raise InputError(name, "data cell is neither a number nor a PX missing symbol",
                             column="DATA", rows=[i + 1], values=[tok])
        numbers[i] = number
        status[i] = symbol
    columns: dict[str, Any] = dict(zip(variables, _grid(codes), strict=True))
    for var, arr in zip(variables, _grid(labels), strict=True):
        columns[f"{var}_label"] = arr
    columns["value"] = numbers
    columns["status"] = pd.array(status, dtype="str")
    frame = pd.DataFrame(columns)

    def one(kw: str) -> str | None:
        v = meta.get((kw, None))
        return " ".join(v) if v else None

    frame.attrs.update(
        dimensions=list(variables),
        label=one("TITLE"),
        contents=one("CONTENTS"),
        units=one("UNITS"),
        matrix=one("MATRIX"),
        updated=one("LAST-UPDATED"),
        source=one("SOURCE"),
        encoding=encoding,
        table_id=None,
        roles={},
    )
    return frame


def parse_response(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse any SCB answer this module knows, telling the format from its content.

    JSON-stat 2.0 and 1.x go to :func:`parse_jsonstat`, API v1 ``"json"`` to
    :func:`parse_px_json`, PX files (bytes or path not starting with ``{``) to :func:`parse_px`.

    Raises
    ------
    analysis.core.errors.InputError
        If the format is none of these.
    """
    raw, name = _read_bytes(source, name)
    if isinstance(raw, bytes) and not raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return parse_px(raw, name=name)
    obj, name = _read_json(raw, name)
    if isinstance(obj, Mapping) and "columns" in obj and "data" in obj:
        return parse_px_json(obj, name=name)
    if isinstance(obj, Mapping) and (
        obj.get("class") == "dataset"
        or "dimension" in obj
        or any(isinstance(v, Mapping) and "dimension" in v for v in obj.values())
    ):
        return parse_jsonstat(obj, name=name)
    raise InputError(name, "unknown response format (not JSON-stat, API v1 json or PX)")


# --------------------------------------------------------------------------------------
# Config, metadata and codelists (PxWebApi 2.0)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawCall:
    """One successful HTTP call, kept byte for byte so it can be saved as received."""

    method: str
    url: str
    body: dict[str, Any] | None
    status: int
    content: bytes
    accessed_utc: str


@dataclass(frozen=True)
class ApiConfig:
    """The limits and terms an API installation states at ``/config``."""

    max_data_cells: int
    max_calls: int
    time_window: float
    api_version: str | None = None
    license: str | None = None
    source_reference: str | None = None
    raw: RawCall | None = None


def parse_config(source: Source, *, lang: str = "sv", name: str | None = None) -> ApiConfig:
    """Read a PxWebApi 2.0 ``/config`` answer.

    Returns
    -------
    ApiConfig
        ``max_data_cells`` (cells per request), ``max_calls`` per ``time_window`` seconds,
        the API version, the licence URL and the attribution text in ``lang``.

    Raises
    ------
    analysis.core.errors.InputError
        If a limit is missing or not a positive number.
    """
    obj, name = _read_json(source, name)
    limits = {}
    for key in ("maxDataCells", "maxCallsPerTimeWindow", "timeWindow"):
        v = obj.get(key) if isinstance(obj, Mapping) else None
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
            raise InputError(name, f"config has no positive '{key}'", column=key, values=[v])
        limits[key] = v
    refs = {r.get("language"): r.get("text") for r in obj.get("sourceReferences") or []}
    return ApiConfig(
        max_data_cells=int(limits["maxDataCells"]),
        max_calls=int(limits["maxCallsPerTimeWindow"]),
        time_window=float(limits["timeWindow"]),
        api_version=obj.get("apiVersion"),
        license=obj.get("license"),
        source_reference=refs.get(lang) or next(iter(refs.values()), None),
    )


@dataclass(frozen=True)
class Variable:
    """One variable (dimension) of a table as described by its metadata."""

    code: str
    label: str
    values: tuple[str, ...]
    value_labels: dict[str, str]
    elimination: bool
    codelists: tuple[str, ...]
    role: str | None = None


@dataclass(frozen=True)
class TableMetadata:
    """What ``/tables/{id}/metadata`` says about a table."""

    table_id: str | None
    label: str | None
    updated: str | None
    source: str | None
    variables: dict[str, Variable]
    notes: tuple[str, ...] = ()
    raw: RawCall | None = field(default=None, repr=False)


def parse_metadata(source: Source, *, name: str | None = None) -> TableMetadata:
    """Read a PxWebApi 2.0 table metadata answer (JSON-stat 2.0 with an empty ``value``).

    Returns
    -------
    TableMetadata
        The table id (``extension.px.tableid``), label, ``updated``, source, notes and,
        per variable in ``id`` order, its value codes and labels, whether it can be
        eliminated (left out of a selection), its codelist ids and its role
        (``time``, ``metric``, ``geo`` or None).

    Raises
    ------
    analysis.core.errors.InputError
        If the answer has no dimensions or they disagree with ``size``.
    """
    obj, name = _read_json(source, name)
    ds = _jsonstat_dataset(obj, name)
    dims = ds.get("dimension") or {}
    ids = ds.get("id", dims.get("id")) or []
    sizes = ds.get("size", dims.get("size")) or []
    if not ids or len(ids) != len(sizes):
        raise InputError(name, "metadata without matching 'id' and 'size'", column="id")
    role_of = {}
    for role, members in (ds.get("role") or {}).items():
        for m in members:
            role_of[m] = role
    variables = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        codes, labels = _jsonstat_categories(dims.get(dim_id), dim_id, int(size), name)
        ext = dims[dim_id].get("extension") or {}
        lists = ext.get("codelists", ext.get("codeLists")) or []
        variables[dim_id] = Variable(
            code=dim_id,
            label=str(dims[dim_id].get("label", dim_id)),
            values=tuple(codes),
            value_labels=dict(zip(codes, labels or codes, strict=True)),
            elimination=bool(ext.get("elimination", False)),
            codelists=tuple(str(c.get("id")) for c in lists if isinstance(c, Mapping)),
            role=role_of.get(dim_id),
        )
    notes = ds.get("note") or []
    px = (ds.get("extension") or {}).get("px") or {}
    return TableMetadata(
        table_id=px.get("tableid"),
        label=ds.get("label"),
        updated=ds.get("updated"),
        source=ds.get("source"),
        variables=variables,
        notes=tuple(notes if isinstance(notes, list) else [notes]),
    )


def parse_codelist(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Read a PxWebApi 2.0 ``/codelists/{id}`` answer into ``code, label, value_map`` rows.

    ``value_map`` is the tuple of table value codes the code stands for (for an
    aggregation such as ``agg_Ålder10årJ``, the single years it sums). ``attrs`` hold
    ``id``, ``label`` and ``type`` (``Aggregation`` or ``Valueset``).
    """
    obj, name = _read_json(source, name)
    if not isinstance(obj, Mapping) or not isinstance(obj.get("values"), list):
        raise InputError(name, "codelist has no 'values' list", column="values")
    frame = pd.DataFrame(
        {
            "code": [str(v["code"]) for v in obj["values"]],
            "label": [str(v.get("label", v["code"])) for v in obj["values"]],
            "value_map": [tuple(map(str, v.get("valueMap") or ())) for v in obj["values"]],
        }
    )
    frame.attrs.update(id=obj.get("id"), label=obj.get("label"), type=obj.get("type"))
    return frame


# --------------------------------------------------------------------------------------
# Paging
# --------------------------------------------------------------------------------------


def count_cells(selection: Selection) -> int:
    """Number of data cells a selection asks for (product of the number of codes per variable)."""
    return math.prod(len(v) for v in selection.values())


def split_selection(
    selection: Selection, max_cells: int, prefer: Sequence[str] = ("Tid", "Region")
) -> list[dict[str, list[str]]]:
    """Split a selection into parts of at most ``max_cells`` cells that together cover it once.

    Variables in ``prefer`` are split first (years, then regions), then the others from
    the longest list down. A variable is cut into consecutive chunks as large as the
    limit allows; if even one of its codes is too big, each code is split further on the
    next variable. The parts keep the codes' order, so concatenating the answers in part
    order and sorting by the selection order gives the same rows as one big request.

    Raises
    ------
    ValueError
        If ``max_cells`` is below 1 or a variable has no codes.
    """
    if max_cells < 1:
        raise ValueError(f"max_cells must be at least 1, got {max_cells}")
    sel = {k: list(v) for k, v in selection.items()}
    empty = [k for k, v in sel.items() if not v]
    if empty:
        raise ValueError(f"no value codes selected for {', '.join(empty)}")
    total = count_cells(sel)
    if total <= max_cells:
        return [sel]
    order = [v for v in prefer if len(sel.get(v, ())) > 1]
    order += sorted((v for v in sel if v not in order and len(sel[v]) > 1), key=lambda v: -len(sel[v]))
    var = order[0]  # total > max_cells >= 1, so some variable has more than one code
    rest = total // len(sel[var])
    if rest <= max_cells:
        step = max_cells // rest
        return [{**sel, var: sel[var][i : i + step]} for i in range(0, len(sel[var]), step)]
    parts = []
    for code in sel[var]:
        parts.extend(split_selection({**sel, var: [code]}, max_cells, prefer))
    return parts


# --------------------------------------------------------------------------------------
# Client
# --------------------------------------------------------------------------------------


class _RateLimiter:
    """At most ``max_calls`` call starts in any ``window`` seconds (sliding window)."""

    margin = 0.05

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.clock, self.sleep = clock, sleep
        self.max_calls: int | None = None
        self.window = 0.0
        self.starts: deque[float] = deque()

    def wait(self) -> None:
        while self.max_calls:
            now = self.clock()
            while self.starts and now - self.starts[0] >= self.window:
                self.starts.popleft()
            if len(self.starts) < self.max_calls:
                break
            self.sleep(self.window - (now - self.starts[0]) + self.margin)
        self.starts.append(self.clock())


@dataclass
class DataResult:
    """Data of one (possibly paged) request: the tidy frame and every raw answer."""

    frame: pd.DataFrame
    calls: list[RawCall]
    selection: dict[str, list[str]]
    updated: str | None


def _reason(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None) or inner or exc
    text = re.sub(r"^\w*Connection(?:Pool)?\(host=[^)]*\):\s*", "", str(reason))
    return text or type(exc).__name__


class PxWebClient:
    """Client for SCB's PxWebApi 2.0: limits, retries, paging and a clear offline error.

    Parameters
    ----------
    base_url
        API root, default ``https://statistikdatabasen.scb.se/api/v2``.
    lang
        Language of labels (``sv`` or ``en``).
    session
        Anything with ``request(method, url, params=, json=, timeout=)`` returning a
        response with ``status_code``, ``content`` and ``headers``; default a new
        :class:`requests.Session`.
    timeout
        ``(connect, read)`` seconds per call.
    retries
        Extra attempts after a connection error, timeout, HTTP 429 or 5xx.
    backoff
        First retry delay in seconds; doubled each retry (``Retry-After`` wins on 429/503).
    clock, sleep
        Time source and sleeper (injectable for tests).
    progress
        Called with one-line progress messages, or None for silence.
    """

    def __init__(
        self,
        base_url: str = BASE_URL,
        *,
        lang: str = "sv",
        session: Any = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        retries: int = 3,
        backoff: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.lang = lang
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"analysis/{__version__} (Välfärd och folkhälsa i Örebro län)"
        self.session = session
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.progress = progress or (lambda _msg: None)
        self._limiter = _RateLimiter(clock, sleep)
        self._config: ApiConfig | None = None

    # -- HTTP ---------------------------------------------------------------------------

    def _call(
        self, method: str, path: str, *, params: dict[str, str] | None = None, body: dict | None = None
    ) -> RawCall:
        url = f"{self.base_url}{path}"
        full_url = requests.Request(method, url, params=params).prepare().url
        attempt = 0
        while True:
            self._limiter.wait()
            accessed = datetime.now(UTC).isoformat(timespec="seconds")
            try:
                resp = self.session.request(method, url, params=params, json=body, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt < self.retries:
                    delay = self.backoff * 2**attempt
                    self.progress(f"cannot reach {self.host} ({_reason(exc)}); retrying in {delay:g} s")
                    self.sleep(delay)
                    attempt += 1
                    continue
                raise FetchError(f"cannot reach SCB ({self.host}): {_reason(exc)}. {OFFLINE_HINT}") from exc
            status = int(resp.status_code)
            if status == 200:
                return RawCall(method, full_url, body, status, bytes(resp.content), accessed)
            if status in _RETRY_STATUS and attempt < self.retries:
                delay = self.backoff * 2**attempt
                retry_after = (resp.headers or {}).get("Retry-After")
                if retry_after and str(retry_after).strip().isdigit():
                    delay = float(retry_after)
                self.progress(f"SCB answered HTTP {status}; retrying in {delay:g} s")
                self.sleep(delay)
                attempt += 1
                continue
            raise FetchError(self._http_message(method, full_url, status, resp.content))

    @staticmethod
    def _http_message(method: str, url: str, status: int, content: bytes) -> str:
        hint = {
            400: "a variable or value code is not in the table, or the selection is malformed",
            403: "the selection has more cells than SCB allows per request (maxDataCells)",
            404: "there is no such table or endpoint",
            429: "SCB's rate limit was hit again and again",
        }.get(status, "SCB did not deliver the data")
        detail = content[:300].decode("utf-8", "replace").strip()
        return f"SCB answered HTTP {status} to {method} {url}: {hint}. {detail}".strip()

    def _json_call(self, method: str, path: str, parse: Callable[..., Any], **kw: Any) -> tuple[Any, RawCall]:
        call = self._call(method, path, **kw)
        try:
            return parse(call.content, name=call.url), call
        except (InputError, ValueError) as exc:
            raise FetchError(f"SCB sent an answer to {call.url} that cannot be read: {exc}") from exc

    # -- endpoints ----------------------------------------------------------------------

    def config(self) -> ApiConfig:
        """Fetch (once) and return ``/config``; the rate limiter follows its limits."""
        if self._config is None:
            cfg, call = self._json_call("GET", "/config", lambda c, name: parse_config(c, lang=self.lang, name=name))
            self._config = replace(cfg, raw=call)
            self._limiter.max_calls = self._config.max_calls
            self._limiter.window = self._config.time_window
            self.progress(
                f"SCB API {self._config.api_version}: at most {self._config.max_data_cells} cells per "
                f"request, {self._config.max_calls} calls per {self._config.time_window:g} s"
            )
        return self._config

    def metadata(self, table_id: str) -> TableMetadata:
        """Fetch ``/tables/{table_id}/metadata`` (JSON-stat 2.0) and parse it."""
        _check_table_id(table_id)
        self.config()
        meta, call = self._json_call("GET", f"/tables/{table_id}/metadata", parse_metadata, params={"lang": self.lang})
        return replace(meta, raw=call)

    def data(
        self,
        table_id: str,
        selection: Selection,
        *,
        codelists: Mapping[str, str] | None = None,
        method: str = "POST",
    ) -> DataResult:
        """Fetch ``/tables/{table_id}/data`` as JSON-stat 2.0, paging past ``maxDataCells``.

        Parameters
        ----------
        table_id
            E.g. ``"TAB638"``.
        selection
            Variable code → explicit value codes. Variables left out are eliminated by
            SCB (only allowed for eliminable variables). Expressions such as ``*`` or
            ``TOP(5)`` are refused because the cells must be counted to page.
        codelists
            Optional variable code → codelist id (e.g. ``{"Region": "vs_RegionKommun07"}``).
        method
            ``"POST"`` (selection in the JSON body) or ``"GET"`` (``valueCodes[VAR]`` query).

        Returns
        -------
        DataResult
            The concatenated frame (see :func:`parse_jsonstat`) in selection order, the raw
            answers, the selection and SCB's ``updated`` timestamp.

        Raises
        ------
        ValueError
            For an empty selection or value expressions.
        FetchError
            If SCB cannot be reached, refuses, or the parts disagree on ``updated``.
        """
        _check_table_id(table_id)
        method = method.upper()
        if method not in {"GET", "POST"}:
            raise ValueError(f"method must be GET or POST, got {method!r}")
        sel = {str(k): [str(c) for c in v] for k, v in selection.items()}
        if not sel:
            raise ValueError("empty selection")
        for var, codes in sel.items():
            bad = [c for c in codes if "*" in c or "(" in c or (method == "GET" and "," in c)]
            if bad:
                raise ValueError(
                    f"{var}: use explicit value codes (they are counted to split the request), not {bad[0]!r}"
                )
        cfg = self.config()
        parts = split_selection(sel, cfg.max_data_cells)
        calls, frames = [], []
        for i, part in enumerate(parts, start=1):
            self.progress(f"{table_id}: data request {i}/{len(parts)} ({count_cells(part)} cells)")
            params = {"lang": self.lang, "outputFormat": "json-stat2"}
            body = None
            if method == "POST":
                body = {"selection": [_variable_selection(v, c, codelists) for v, c in part.items()]}
            else:
                params.update({f"valueCodes[{v}]": ",".join(c) for v, c in part.items()})
                params.update({f"codelist[{v}]": cl for v, cl in (codelists or {}).items()})
            frame, call = self._json_call(method, f"/tables/{table_id}/data", parse_jsonstat, params=params, body=body)
            frames.append(frame)
            calls.append(call)
        updated = {f.attrs.get("updated") for f in frames}
        if len(updated) > 1:
            raise FetchError(
                f"SCB updated {table_id} while it was being downloaded ({sorted(map(str, updated))}); fetch again"
            )
        dims = list(frames[0].attrs.get("dimensions", []))
        frame = _in_selection_order(pd.concat(frames, ignore_index=True), sel, table_id, dims)
        frame.attrs = dict(frames[0].attrs)
        return DataResult(frame=frame, calls=calls, selection=sel, updated=frames[0].attrs.get("updated"))


def _check_table_id(table_id: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_]+", str(table_id)):
        raise ValueError(f"not a table id: {table_id!r}")


def _variable_selection(var: str, codes: list[str], codelists: Mapping[str, str] | None) -> dict:
    item: dict[str, Any] = {"variableCode": var, "valueCodes": codes}
    if codelists and var in codelists:
        item["codelist"] = codelists[var]
    return item


def _in_selection_order(
    frame: pd.DataFrame, sel: dict[str, list[str]], table_id: str, dimensions: list[str]
) -> pd.DataFrame:
    keys = []
    for var, codes in sel.items():
        if var not in frame.columns:
            continue
        pos = frame[var].map({c: i for i, c in enumerate(codes)})
        if pos.isna().any():
            odd = sorted(set(frame.loc[pos.isna(), var]))[:5]
            raise FetchError(f"SCB answered {table_id} with {var} codes that were not asked for: {odd}")
        keys.append((var, pos.astype("int64")))
    by_var = dict(keys)
    dims = [d for d in dimensions if d in by_var]
    if dims:
        order = pd.DataFrame({d: by_var[d] for d in dims})
        frame = frame.loc[order.sort_values(dims, kind="stable").index]
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Population fetch
# --------------------------------------------------------------------------------------


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _check_years(years: Iterable[int], today: date) -> list[int]:
    try:
        out = sorted({int(y) for y in years})
    except (TypeError, ValueError):
        raise ValueError(f"years must be whole numbers, got {years!r}") from None
    if not out:
        raise ValueError("no years given")
    bad = [y for y in out if not POPULATION_FIRST_YEAR <= y <= today.year]
    if bad:
        raise ValueError(f"years must be {POPULATION_FIRST_YEAR}–{today.year}; got {bad}")
    return out


def _check_regions(regions: Iterable[str] | None) -> list[str]:
    if regions is None:
        return [geo.LAN_KOD, *geo.KOMMUNER]
    if isinstance(regions, str):
        raise ValueError(f"regions must be a list of codes, got the string {regions!r}")
    out = list(dict.fromkeys(str(r) for r in regions))
    bad = [r for r in out if not re.fullmatch(r"\d{2}|\d{4}", r)]
    if not out or bad:
        raise ValueError(f"regions must be 2- or 4-digit SCB codes such as '18' or '1880'; got {bad or out}")
    return out


def _check_population_metadata(meta: TableMetadata, years: list[int], regions: list[str]) -> None:
    needed = ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
    missing = [v for v in needed if v not in meta.variables]
    if missing:
        raise FetchError(f"{POPULATION_TABLE} metadata lacks variable(s) {missing}; has {list(meta.variables)}")
    fixed = [v for v, var in meta.variables.items() if v not in needed and not var.elimination]
    if fixed:
        raise FetchError(f"{POPULATION_TABLE}: variable(s) {fixed} cannot be left out (summed) any more")
    v = meta.variables
    gaps = {
        "Alder": [a for a in POPULATION_AGES if a not in v["Alder"].values],
        "Kon": [k for k in POPULATION_SEXES if k not in v["Kon"].values],
        "ContentsCode": [c for c in [POPULATION_CONTENTS] if c not in v["ContentsCode"].values],
    }
    gaps = {k: g for k, g in gaps.items() if g}
    if gaps:
        raise FetchError(f"{POPULATION_TABLE} no longer has these codes: {gaps}")
    no_year = [y for y in years if str(y) not in v["Tid"].values]
    if no_year:
        have = v["Tid"].values
        raise ValueError(
            f"{POPULATION_TABLE} has no data for {no_year}: it covers {have[0]}–{have[-1]}"
            " (SCB publishes later years in other tables)"
        )
    no_region = [r for r in regions if r not in v["Region"].values]
    if no_region:
        raise ValueError(f"{POPULATION_TABLE} has no region(s) {no_region}")


def _region_name(code: str, scb_label: str) -> str:
    try:
        return geo.area_name(code)
    except KeyError:
        return scb_label


def _population_tidy(result: DataResult) -> tuple[pd.DataFrame, list[str]]:
    """Check SCB's answer and turn it into the tidy table; returns the table and the checks done."""
    df, sel = result.frame, result.selection
    dims = ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
    if df.empty:
        raise FetchError(f"SCB's answer for {POPULATION_TABLE} is empty")
    missing = [d for d in dims if d not in df.columns]
    extra = [d for d in df.attrs.get("dimensions", []) if d not in dims]
    if missing or extra:
        raise FetchError(
            f"SCB's answer for {POPULATION_TABLE} has dimensions {df.attrs.get('dimensions')}; "
            f"expected {dims} (missing {missing}, unexpected {extra})"
        )
    expected = count_cells(sel)
    if len(df) != expected:
        raise FetchError(f"SCB's answer has {len(df)} cells; the selection asks for {expected}")
    if df.duplicated(dims).any():
        raise FetchError(f"SCB's answer repeats {int(df.duplicated(dims).sum())} cells")
    for d in dims:
        present = set(df[d])
        absent = [c for c in sel[d] if c not in present]
        if absent:
            raise FetchError(f"SCB's answer lacks {d} {absent[:5]}")

    def where(mask: pd.Series) -> str:
        cells = df.loc[mask, ["Region", "Tid", "Kon", "Alder", "value"]].head(5)
        return "; ".join(
            f"region {r.Region} år {r.Tid} kön {r.Kon} ålder {r.Alder}: {r.value}" for r in cells.itertuples()
        )

    bad = df["value"].isna()
    if bad.any():
        raise FetchError(f"SCB's answer has {int(bad.sum())} missing counts ({where(bad)})")
    bad = df["value"] < 0
    if bad.any():
        raise FetchError(f"SCB's answer has {int(bad.sum())} negative counts ({where(bad)})")
    bad = df["value"] != np.floor(df["value"])
    if bad.any():
        raise FetchError(f"SCB's answer has {int(bad.sum())} non-integer counts ({where(bad)})")
    labels = df["Region_label"] if "Region_label" in df.columns else df["Region"]
    names = {c: _region_name(c, lab) for c, lab in zip(df["Region"], labels, strict=True)}
    tidy = pd.DataFrame(
        {
            "region_kod": df["Region"].astype(str),
            "region_namn": df["Region"].map(names).astype(str),
            "ar": df["Tid"].astype(int),
            "kon": df["Kon"].map(POPULATION_SEXES).astype(str),
            "alder": df["Alder"].map(lambda a: 100 if a == "100+" else int(a)).astype("int64"),
            "folkmangd": df["value"].astype("int64"),
        }
    )
    region_pos = {c: i for i, c in enumerate(sel["Region"])}
    sex_pos = {s: i for i, s in enumerate(POPULATION_SEXES.values())}
    tidy = tidy.sort_values(
        ["region_kod", "ar", "kon", "alder"],
        key=lambda s: s.map(region_pos) if s.name == "region_kod" else s.map(sex_pos) if s.name == "kon" else s,
        kind="stable",
    ).reset_index(drop=True)
    checks = [
        "answer not empty",
        f"dimensions are {dims} (Civilstand eliminated, i.e. summed by SCB)",
        f"{expected} cells = regions × ages × sexes × contents × years, none repeated",
        "every requested code present",
        "no missing counts; all counts are whole numbers ≥ 0",
        "SCB's updated timestamp identical in every part",
    ]
    return tidy, checks


def fetch_population(
    years: Iterable[int],
    regions: Iterable[str] | None = None,
    out_root: str | os.PathLike = "data/raw/scb_pxweb",
    *,
    client: PxWebClient | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Download population by region × age (0–100+) × sex × year from SCB into a dated folder.

    The folder ``<out_root>/<YYYY-MM-DD>/`` gets the raw answers exactly as received
    (``config.json``, ``TAB638_metadata.json``, ``TAB638_data_pNN.json``), the tidy
    ``population_kommun_alder_kon.csv`` (``region_kod, region_namn, ar, kon, alder,
    folkmangd``; ``kon`` is ``man``/``kvinnor``, ``alder`` 100 means 100 years or older,
    population on 31 December, all marital statuses) and ``provenance.json`` (URLs,
    request bodies, access date, md5 of every file, table id, SCB's ``updated``). It is
    written to a hidden temporary folder beside it and renamed only when everything is
    written and checked, so a failed fetch leaves nothing behind.

    Parameters
    ----------
    years
        Years to fetch, e.g. ``range(2016, 2025)``.
    regions
        SCB region codes; default Örebro län (``18``) and its 12 kommuner from
        :mod:`analysis.core.geo`.
    out_root
        Parent folder, default ``data/raw/scb_pxweb``.
    client
        A :class:`PxWebClient` (default: a new one for statistikdatabasen.scb.se).
    today
        Date naming the folder and recorded as ``date_accessed`` (default: today).
    progress
        Called with progress messages.

    Returns
    -------
    pathlib.Path
        The new dated folder.

    Raises
    ------
    ValueError
        For bad years or regions, or ones TAB638 does not have.
    FileExistsError
        If the dated folder exists (raw data are never overwritten).
    FetchError
        If SCB cannot be reached, refuses, or the answer fails the checks.
    """
    today = today or date.today()
    years = _check_years(years, today)
    regions = _check_regions(regions)
    say = progress or (lambda _msg: None)
    client = client or PxWebClient(progress=progress)
    root = Path(out_root)
    target = root / today.isoformat()
    if target.exists():
        raise FileExistsError(
            f"{target} already exists; raw data are never overwritten (move it away to fetch again today)"
        )
    created_root = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{today.isoformat()}.partial-", dir=root))
    try:
        cfg = client.config()
        meta = client.metadata(POPULATION_TABLE)
        say(f"{POPULATION_TABLE}: {meta.label} (updated {meta.updated})")
        _check_population_metadata(meta, years, regions)
        selection = {
            "Region": regions,
            "Alder": list(POPULATION_AGES),
            "Kon": list(POPULATION_SEXES),
            "ContentsCode": [POPULATION_CONTENTS],
            "Tid": [str(y) for y in years],
        }
        result = client.data(POPULATION_TABLE, selection)
        tidy, checks = _population_tidy(result)
        say(f"checked {len(tidy)} rows: " + "; ".join(checks))

        raw_files: list[tuple[str, RawCall]] = [("config.json", cfg.raw), (f"{POPULATION_TABLE}_metadata.json", meta.raw)]
        raw_files += [(f"{POPULATION_TABLE}_data_p{i:02d}.json", c) for i, c in enumerate(result.calls, start=1)]
        requests_log = []
        for fname, call in raw_files:
            if call is None:
                continue
            (tmp / fname).write_bytes(call.content)
            requests_log.append(
                {"file": fname, "method": call.method, "url": call.url, "body": call.body,
                 "status": call.status, "accessed_utc": call.accessed_utc}
            )
        tidy.to_csv(tmp / POPULATION_CSV, index=False, lineterminator="\n", encoding="utf-8")
        files = {p.name: {"md5": _md5(p), "bytes": p.stat().st_size} for p in sorted(tmp.iterdir())}
        provenance = {
            "producer": "SCB",
            "source": "SCB, Statistikdatabasen, PxWebApi 2.0",
            "table_id": POPULATION_TABLE,
            "table_label": meta.label,
            "contents_code": POPULATION_CONTENTS,
            "scb_updated": result.updated,
            "metadata_updated": meta.updated,
            "date_accessed": today.isoformat(),
            "licence": LICENCE,
            "licence_url": cfg.license,
            "attribution": cfg.source_reference,
            "api": {
                "base_url": client.base_url,
                "api_version": cfg.api_version,
                "max_data_cells": cfg.max_data_cells,
                "max_calls_per_time_window": cfg.max_calls,
                "time_window_s": cfg.time_window,
            },
            "selection": selection,
            "eliminated": [v for v in meta.variables if v not in selection],
            "requests": requests_log,
            "urls": list(dict.fromkeys(r["url"] for r in requests_log)),
            "files": files,
            "tidy": {
                "file": POPULATION_CSV,
                "rows": len(tidy),
                "columns": {
                    "region_kod": "SCB region code (18 = Örebro län, 4 digits = kommun)",
                    "region_namn": "name from analysis.core.geo (SCB's label for other regions)",
                    "ar": "year; population on 31 December",
                    "kon": "man (SCB Kon 1) or kvinnor (SCB Kon 2)",
                    "alder": "age in completed years at the end of the year; 100 = 100 years or older",
                    "folkmangd": "number of persons, all marital statuses (Civilstand eliminated)",
                },
            },
            "checks": checks,
            "created_by": f"analysis.sources.pxweb.fetch_population (analysis {__version__})",
        }
        with open(tmp / "provenance.json", "w", encoding="utf-8", newline="\n") as fh:
            json.dump(provenance, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        if target.exists():
            raise FileExistsError(f"{target} appeared while fetching; raw data are never overwritten")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created_root:
            try:
                root.rmdir()
            except OSError:
                pass
        raise
    say(f"wrote {target}")
    return target


def catalog_entry(folder: str | os.PathLike) -> dict[str, Any]:
    """The ``data/catalog.yml`` fields for a folder written by :func:`fetch_population`.

    Every file's md5 is checked against ``provenance.json`` first.

    Returns
    -------
    dict
        ``producer``, ``title``, ``url_main``, ``url_download`` (the data endpoint),
        ``date_accessed``, ``licence``, ``path`` (the tidy CSV), ``md5`` (of the CSV) and
        ``driver`` (``csv``); also ``citation``, ``folder`` and ``files`` (name → md5 of
        every file, as the catalogue's ``sources`` list them). Paths are relative to the
        current directory when inside it.

    Raises
    ------
    analysis.core.errors.InputError
        If ``provenance.json`` is missing or a file's md5 no longer matches it.
    """
    folder = Path(folder)
    prov_path = folder / "provenance.json"
    if not prov_path.is_file():
        raise InputError(str(prov_path), "no provenance.json: not a folder written by fetch_population")
    prov = json.loads(prov_path.read_text(encoding="utf-8"))
    files = {}
    for fname, info in prov["files"].items():
        actual = _md5(folder / fname)
        if actual != info["md5"]:
            raise InputError(
                str(folder / fname),
                f"md5 is {actual}, provenance.json says {info['md5']}: raw files must not be edited",
            )
        files[fname] = actual
    csv_name = prov["tidy"]["file"]
    data_urls = [r["url"] for r in prov["requests"] if urlsplit(r["url"]).path.endswith("/data")]
    years = [int(y) for y in prov["selection"]["Tid"]]
    where = folder.resolve()
    if where.is_relative_to(Path.cwd()):
        where = where.relative_to(Path.cwd())
    elif not folder.is_absolute():
        where = folder
    return {
        "producer": "Statistiska centralbyrån (SCB)",
        "title": (
            f"Folkmängd efter region, ålder (0–100+ år) och kön {min(years)}–{max(years)} "
            f"(tabell {prov['table_id']}, {prov['contents_code']})"
        ),
        "url_main": POPULATION_URL_MAIN,
        "url_download": data_urls[0] if data_urls else prov["urls"][-1],
        "date_accessed": prov["date_accessed"],
        "licence": LICENCE,
        "path": (where / csv_name).as_posix(),
        "md5": files[csv_name],
        "driver": "csv",
        "citation": f"Källa: SCB, Statistikdatabasen, tabell {prov['table_id']}",
        "folder": where.as_posix(),
        "files": files,
    }


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m analysis.sources.pxweb fetch --years 2016-2024`` or ``catalog FOLDER``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.sources.pxweb", description="Fetch SCB population data (PxWebApi 2.0)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download population by region × age × sex × year (TAB638)")
    fetch.add_argument("--years", required=True, help="e.g. 2016-2024 or 2016,2018,2020-2024")
    fetch.add_argument("--regions", help="comma-separated SCB codes (default: 18 and its 12 kommuner)")
    fetch.add_argument("--out-root", default="data/raw/scb_pxweb", help="default: %(default)s")
    fetch.add_argument("--no-register", action="store_true",
                       help="do not add the release to the data catalogue (data/catalog.d/)")
    cat = sub.add_parser("catalog", help="print the data/catalog.yml entry for a fetched folder")
    cat.add_argument("folder")
    for p in (fetch, cat):
        p.add_argument("--debug", action="store_true", help="show Python tracebacks of failures")
    args = parser.parse_args(argv)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def work() -> int:
        if args.command == "catalog":
            print(yaml.safe_dump(catalog_entry(args.folder), allow_unicode=True, sort_keys=False),
                  end="")
            return 0
        try:
            years = text.parse_years(args.years)
        except ValueError as exc:
            parser.error(str(exc))
        regions = args.regions.split(",") if args.regions else None
        try:
            folder = fetch_population(years, regions, args.out_root, progress=progress)
        except FetchError as exc:  # SCB unreachable or refusing: nothing was written
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(folder)
        if not args.no_register:
            data_dir = (catalog.project_root() / "data").resolve()
            if Path(folder).resolve().is_relative_to(data_dir):
                frag = register_release(folder)
                print(f"catalogued in {frag}", file=sys.stderr)
            else:
                print(f"{folder} is outside {data_dir}: not catalogued", file=sys.stderr)
        return 0

    return cli.run(work, debug=args.debug, prog="pxweb")


def register_release(folder: str | os.PathLike, root: Path | None = None) -> Path:
    """Catalogue a folder written by :func:`fetch_population` as ``data/catalog.d/<name>.yml``.

    The source is named ``scb_pxweb_<date>`` and its table ``folkmangd_scb_<date>`` (dates with
    underscores), validated by the ``folkmangd_pxweb`` schema.
    """

    root = root or catalog.project_root()
    folder = Path(folder).resolve()
    ent = catalog_entry(folder)
    data_dir = (root / "data").resolve()
    rel = folder.relative_to(data_dir).as_posix()
    tag = folder.name.replace("-", "_")
    source = {
        "producer": ent["producer"],
        "title": ent["title"],
        "url_main": ent["url_main"],
        "url_download": ent["url_download"],
        "repository": "SCB PxWebApi 2.0 (fetched by analysis.sources.pxweb)",
        "date_published": ent["date_accessed"],
        "date_accessed": ent["date_accessed"],
        "licence": ent["licence"],
        "citation": ent["citation"],
        "folder": rel,
        "files": ent["files"],
    }
    csv_name = Path(ent["path"]).name
    dataset = {
        "source": f"scb_pxweb_{tag}",
        "file": csv_name,
        "driver": "csv",
        "schema": "folkmangd_pxweb",
        "title": ent["title"],
        "unit": "personer",
        # For `make new-edition` (analysis.book.newedition): a later year comes with a new fetch.
        "edition_year": {"need": "optional", "update": "make fetch"},
        "columns": {
            "region_kod": "SCB regionkod: 18 = Örebro län, fyra tecken = kommun",
            "region_namn": "regionens namn",
            "ar": "år (folkmängd 31 december)",
            "kon": "kvinnor / män",
            "alder": "ålder i hela år; 100 = 100 år och äldre",
            "folkmangd": "antal personer",
        },
    }
    return catalog.write_fragment(f"scb_pxweb_{tag}", {f"scb_pxweb_{tag}": source},
                                  {f"folkmangd_scb_{tag}": dataset}, root)


if __name__ == "__main__":
    sys.exit(main())
