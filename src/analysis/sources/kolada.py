"""Kolada API v3 loader: published kommun indicators, stored raw with provenance, returned tidy.

Kolada (RKA, Rådet för främjande av kommunala analyser) publishes key figures (KPIs) for kommuner
and regions. Data are read from ``https://api.kolada.se/v3/data/kpi/{kpi}/municipality/{ids}/year/{years}``.
Each response is JSON of the documented form::

    {"count": 3, "values": [{"kpi": "N66077", "municipality": "1880", "period": 2019,
                             "values": [{"gender": "T", "value": 17.2, "count": 1, "status": ""}, ...]}],
     "next_page": "https://api.kolada.se/v3/...?page=2"}   # only when there are more pages

(documentation: Hypergene/kolada ``README.rst``, linked from https://www.kolada.se/om-oss/api/, and the
v3 notes on that page; some v3 clients read the next page from ``next_url``, so both keys are followed).

Use :func:`fetch` online (requests, timeout, retries, paging): it writes every raw response exactly as
received, plus ``provenance.json`` (url, date_accessed, md5), to ``data/raw/kolada/<YYYY-MM-DD>/``.
:func:`load_raw` re-reads such a folder offline. Without a network :func:`fetch` raises
:class:`KoladaOfflineError`; the book then uses the catalogued files.

The child poverty chapter's indicators (:data:`KOLADA_FETCH`) are fetched and catalogued as dataset
``kolada_barn_ekonomi`` by :func:`fetch_kolada`; on the command line (online)::

    python -m analysis.sources.kolada fetch --years 2011-2021

(``make fetch-kolada``) stores the raw responses with provenance under
``data/raw/kolada_barn_ekonomi/<date>/`` and writes the catalogue fragment. Until then the catalogue
holds :func:`kolada_request`, the list of what will be asked for, with every value empty.
A response with an area that was not asked for, without an area that was (:func:`check_response`)
or with a value that is not a JSON number is refused before anything is written.

Why one module
--------------
Everything here is one source's format: the request URLs, the response checks, the raw files
and their provenance, and the catalogue entry written from them. Split, a change in Kolada's
format would have to be followed across modules.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pandas as pd
import requests
import yaml

from analysis.core import cli, geo, text
from analysis.core.errors import InputError
from analysis.sources import catalog

__all__ = [
    "BASE_URL",
    "KOLADA_DATASET",
    "KOLADA_FETCH",
    "KOLADA_YEARS",
    "NOT_FETCHED",
    "KoladaError",
    "KoladaOfflineError",
    "data_url",
    "fetch",
    "fetch_kolada",
    "kolada_request",
    "kpi_title",
    "load_raw",
    "main",
    "parse_values",
    "read_kpi_catalogue",
    "write_kolada_request",
]

BASE_URL = "https://api.kolada.se/v3"
HOST = "api.kolada.se"
OFFLINE_HINT = "the book uses the catalogued files instead"
#: Kolada's gender codes and the book's ``sex`` values.
SEX = {"T": "totalt", "K": "kvinnor", "M": "man"}
#: Kolada ids of the areas the book shows: the län's kommuner, Region Örebro län and Riket.
DEFAULT_AREAS = (*geo.KOMMUNER, "00" + geo.LAN_KOD, "0000")
#: Ids per request: Kolada clients split longer lists (URL length limit), 25 is the common limit.
MAX_IDS_PER_REQUEST = 25
MANIFEST = "provenance.json"
TIDY_COLUMNS = ["kpi", "area_code", "area_type", "period", "sex", "value", "status"]


class KoladaError(RuntimeError):
    """Kolada answered, but not with what the documentation promises (HTTP error, bad JSON)."""


class KoladaOfflineError(KoladaError, ConnectionError):
    """api.kolada.se could not be reached (no network, DNS failure, time-outs after retries)."""


def _ids(values: Iterable[object], what: str) -> list[str]:
    out = [str(v).strip() for v in values]
    if not out or any(not v for v in out):
        raise ValueError(f"{what} must be a non-empty list of ids")
    return out


def data_url(kpi: str | Sequence[str], municipalities: Sequence[str], years: Sequence[int]) -> str:
    """URL of the v3 data endpoint for KPIs, Kolada municipality ids and years.

    Parameters
    ----------
    kpi
        One KPI id (``"N66077"``) or several.
    municipalities
        Kolada ids: 4-digit kommun codes, ``"00LL"`` for a region (``"0018"`` Region Örebro län),
        ``"0000"`` for Riket.
    years
        Years (periods).

    Returns
    -------
    str
        ``https://api.kolada.se/v3/data/kpi/{kpi}/municipality/{ids}/year/{years}``
    """
    kpis = _ids([kpi] if isinstance(kpi, str) else kpi, "kpi")
    munis = _ids(municipalities, "municipalities")
    yrs = [str(int(y)) for y in years]
    if not yrs:
        raise ValueError("years must not be empty")
    return (
        f"{BASE_URL}/data/kpi/{','.join(kpis)}/municipality/{','.join(munis)}"
        f"/year/{','.join(yrs)}"
    )


def _area(kolada_id: str) -> tuple[str, str]:
    """Kolada municipality id -> the book's (area_code, area_type)."""
    if kolada_id == "0000":
        return "00", "riket"
    if len(kolada_id) == 4 and kolada_id.startswith("00"):
        return kolada_id[2:], "lan"
    return kolada_id, "kommun"


def parse_values(payload: dict, source: str = "<response>") -> pd.DataFrame:
    """Turn one documented data response into a tidy table.

    Parameters
    ----------
    payload
        The decoded JSON of one response page.
    source
        Named in error messages (URL or file).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, area_code, area_type, period, sex, value, status``: ``area_code`` in the
        book's codes (kommun ``"1880"``, län ``"18"``, Riket ``"00"``), ``sex`` ``totalt``/
        ``kvinnor``/``man``, ``value`` as published (per cent for "andel (%)" KPIs; missing
        values are NaN, with Kolada's ``status``).

    Raises
    ------
    KoladaError
        If a documented key is missing or a gender code is unknown.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
        raise KoladaError(f"{source}: response has no 'values' list")
    rows = []
    for item in payload["values"]:
        try:
            kpi, muni, period, values = (
                item["kpi"], str(item["municipality"]), int(item["period"]), item["values"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KoladaError(f"{source}: value entry without kpi/municipality/period/values: "
                              f"{exc!r} in {item!r}"[:300]) from None
        code, area_type = _area(muni)
        for v in values:
            gender = v.get("gender")
            if gender not in SEX:
                raise KoladaError(f"{source}: unknown gender code {gender!r} for {kpi} {muni} {period}")
            value = v.get("value")
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)):
                raise KoladaError(f"{source}: value {value!r} for {kpi} {muni} {period} is not a "
                                  "JSON number (Kolada sends numbers; a text like '17,5' is not "
                                  "guessed at)")
            rows.append((kpi, code, area_type, period, SEX[gender],
                         float("nan") if value is None else float(value), v.get("status") or ""))
    out = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    return out.astype({"period": "int64", "value": "float64"})


def check_response(tidy: pd.DataFrame, kpis: Sequence[str], municipalities: Sequence[str], *,
                   complete: bool = True) -> None:
    """Refuse a fetched table with an area that was not asked for (e.g. ``0180``) or, with
    ``complete``, without an area that was asked for (for some KPI), instead of cataloguing it.

    Raises
    ------
    KoladaError
        Naming the KPI and the unknown or missing area codes.
    """
    asked = {_area(m)[0] for m in municipalities}
    unknown = sorted(set(tidy["area_code"]) - asked)
    if unknown:
        raise KoladaError(f"the response holds area codes that were not asked for: "
                          f"{', '.join(unknown)} (asked for {', '.join(sorted(asked))})")
    for kpi in kpis if complete else ():
        have = set(tidy.loc[tidy["kpi"] == kpi, "area_code"])
        lacking = sorted(asked - have)
        if lacking:
            names = [geo.KOMMUNER.get(c) or {"00": "(riket)"}.get(c, "(länet)") for c in lacking]
            raise KoladaError(f"the response for {kpi} lacks {len(lacking)} of the areas asked "
                              f"for: {', '.join(f'{c} {n}'.strip() for c, n in zip(lacking, names, strict=True))}. "
                              "Nothing was written; fetch again later or ask for fewer areas")


def _get(session, url: str, *, timeout: float, retries: int, backoff: float,
         sleep: Callable[[float], None]) -> bytes:
    """GET with retries on network errors, 429 and 5xx; returns the body bytes."""
    last: Exception | None = None
    status = None
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            resp = session.get(url, timeout=timeout, headers={"Accept": "application/json"})
        except (requests.ConnectionError, requests.Timeout) as exc:
            last, status = exc, None
            continue
        status = resp.status_code
        if status == 200:
            return resp.content
        if status == 429 or status >= 500:
            last = KoladaError(f"HTTP {status}")
            continue
        raise KoladaError(f"api.kolada.se answered HTTP {status} for {url}")
    if status is None:
        raise KoladaOfflineError(f"cannot reach {HOST}: {last}; {OFFLINE_HINT}") from last
    raise KoladaError(f"api.kolada.se answered HTTP {status} for {url} after {retries + 1} tries")


def _pages(session, url: str, **kw) -> list[tuple[str, bytes]]:
    """All pages of one query, following ``next_page`` (documented) or ``next_url``."""
    pages, seen = [], set()
    while url:
        if url in seen or len(pages) >= 1000:
            raise KoladaError(f"paging does not end (again at {url})")
        seen.add(url)
        body = _get(session, url, **kw)
        try:
            payload = json.loads(body)
        except ValueError:
            raise KoladaError(f"{url}: response is not JSON: {body[:80]!r}") from None
        if not isinstance(payload, dict):
            raise KoladaError(f"{url}: response is a JSON {type(payload).__name__}, not the "
                              f"documented object with 'values': {body[:80]!r}")
        pages.append((url, body))
        nxt = payload.get("next_page") or payload.get("next_url")
        if nxt:
            nxt = urljoin(url, nxt)
            if urlsplit(nxt).hostname != HOST:
                raise KoladaError(f"{url}: next page points away from {HOST}: {nxt}")
        url = nxt
    return pages


def _default_root() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "raw" / "kolada"


def _write(folder: Path, name: str, body: bytes) -> None:
    path = folder / name
    if path.exists() and path.read_bytes() != body:
        raise FileExistsError(
            f"{path} exists with other content; raw files are never overwritten "
            "(fetch into a new dated folder)"
        )
    path.write_bytes(body)


def fetch(
    kpis: str | Sequence[str],
    years: Sequence[int],
    municipalities: Sequence[str] = DEFAULT_AREAS,
    *,
    session=None,
    raw_root: str | Path | None = None,
    today: date | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    complete: bool = False,
) -> pd.DataFrame:
    """Download KPI values from Kolada v3, store the raw responses, return a tidy table.

    Load inputs: one query per KPI and block of at most 25 municipality ids, each followed
    through all its pages. Save outputs: only when every query succeeded, each page is written
    byte for byte to ``<raw_root>/<YYYY-MM-DD>/`` and listed in ``provenance.json`` with its
    url, date_accessed, md5 and size. Process: :func:`parse_values` on every page.

    Parameters
    ----------
    kpis
        KPI ids, e.g. ``["N66077", "U31803", "N01951"]``.
    years
        Years to fetch.
    municipalities
        Kolada municipality ids; default the 12 kommuner, ``"0018"`` (Region Örebro län) and
        ``"0000"`` (Riket).
    session
        Anything with ``get(url, timeout=, headers=)`` returning an object with ``status_code``
        and ``content`` (a :class:`requests.Session` by default; tests pass a fake).
    raw_root
        Folder holding the dated folders; default ``data/raw/kolada`` of this repository.
    today
        The access date (default: today); names the folder.
    timeout, retries, backoff, sleep
        Per-request time-out in seconds; retries after a network error, HTTP 429 or 5xx, waiting
        ``backoff * 2**k`` seconds (``sleep`` is injectable for tests).
    complete
        Also refuse a response that lacks an area asked for (:func:`check_response`); an
        area not asked for is always refused. Checked before anything is written.

    Returns
    -------
    pandas.DataFrame
        As :func:`parse_values`, all KPIs together, sorted.

    Raises
    ------
    KoladaOfflineError
        "cannot reach api.kolada.se: …; the book uses the catalogued files instead".
    KoladaError
        On an HTTP error that retrying does not cure, or a response not of the documented form.
    """
    kpi_list = _ids([kpis] if isinstance(kpis, str) else kpis, "kpis")
    years = [int(y) for y in years]
    if not years:
        raise ValueError("years must not be empty")
    munis = _ids(municipalities, "municipalities")
    if retries < 0 or timeout <= 0:
        raise ValueError("retries must be >= 0 and timeout > 0")
    session = session if session is not None else requests.Session()
    accessed = (today or date.today()).isoformat()

    # load inputs
    fetched: list[tuple[str, str, int, str, bytes]] = []  # (kpi, block, page, url, body)
    for kpi in kpi_list:
        for b in range(0, len(munis), MAX_IDS_PER_REQUEST):
            block = munis[b:b + MAX_IDS_PER_REQUEST]
            pages = _pages(session, data_url(kpi, block, years), timeout=timeout,
                           retries=retries, backoff=backoff, sleep=sleep)
            tag = hashlib.md5(",".join(block).encode()).hexdigest()[:8]
            fetched += [(kpi, tag, i, url, body) for i, (url, body) in enumerate(pages, 1)]

    # process
    tables = [parse_values(json.loads(body), url) for _, _, _, url, body in fetched]
    check_response(_tidy(tables), kpi_list, munis, complete=complete)

    # save outputs
    folder = Path(raw_root) if raw_root is not None else _default_root()
    folder = folder / accessed
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    manifest = (json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists()
                else {"source": "Kolada API v3 (RKA), https://api.kolada.se/v3",
                      "terms": "Källa: Kolada. Free to use; own processing must not be credited to Kolada.",
                      "files": []})
    years_tag = f"{min(years)}-{max(years)}"
    for kpi, tag, page, url, body in fetched:
        name = f"{kpi}_{years_tag}_{tag}_p{page}.json"
        _write(folder, name, body)
        manifest["files"] = [f for f in manifest["files"] if f["file"] != name] + [{
            "file": name, "url": url, "date_accessed": accessed,
            "md5": hashlib.md5(body).hexdigest(), "bytes": len(body),
        }]
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return _tidy(tables)


def _tidy(tables: list[pd.DataFrame]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    out = pd.concat(tables, ignore_index=True).drop_duplicates()
    return out.sort_values(["kpi", "area_type", "area_code", "period", "sex"],
                           ignore_index=True)


def load_raw(folder: str | Path) -> pd.DataFrame:
    """Re-read a dated folder written by :func:`fetch`, offline, checking each file's md5.

    Parameters
    ----------
    folder
        ``data/raw/kolada/<YYYY-MM-DD>``.

    Returns
    -------
    pandas.DataFrame
        As :func:`fetch` returned it.

    Raises
    ------
    InputError
        If ``provenance.json`` is missing, or a listed file is missing or its md5 differs.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise InputError(str(manifest_path), "no provenance.json: not a folder written by kolada.fetch")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    tables = []
    for i, entry in enumerate(manifest["files"], 1):
        path = folder / entry["file"]
        if not path.exists():
            raise InputError(str(manifest_path), f"listed file {entry['file']} is missing",
                             column="file", rows=[i], values=[entry["file"]])
        body = path.read_bytes()
        if hashlib.md5(body).hexdigest() != entry["md5"]:
            raise InputError(str(path), "md5 differs from provenance.json (raw files must not be edited)",
                             column="md5", rows=[i], values=[entry["md5"]])
        tables.append(parse_values(json.loads(body), str(path)))
    return _tidy(tables)


def read_kpi_catalogue(path: str | Path) -> pd.DataFrame:
    """Read a Kolada KPI catalogue CSV (``id, title, description, …``, as exported from rKolada).

    Raises
    ------
    InputError
        If the file lacks ``id`` or ``title`` or has duplicate ids.
    """
    cat = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("id", "title"):
        if col not in cat.columns:
            raise InputError(str(path), "not a Kolada KPI catalogue", column=col)
    dup = cat["id"].duplicated(keep=False)
    if dup.any():
        raise InputError(str(path), "duplicate KPI id", column="id",
                         rows=(dup.to_numpy().nonzero()[0] + 1).tolist(),
                         values=cat.loc[dup, "id"].tolist())
    return cat


def kpi_title(kpi: str, catalogue: str | Path | pd.DataFrame) -> str:
    """Title of a KPI in the catalogue (path or the frame from :func:`read_kpi_catalogue`).

    Raises
    ------
    KeyError
        If the KPI is not in the catalogue (Kolada removes KPIs without notice).
    """
    cat = catalogue if isinstance(catalogue, pd.DataFrame) else read_kpi_catalogue(catalogue)
    hit = cat.loc[cat["id"] == kpi, "title"]
    if hit.empty:
        raise KeyError(f"KPI {kpi!r} is not in the catalogue ({len(cat)} KPIs)")
    return str(hit.iloc[0])


# --------------------------------------------------------------------------- the chapters' dataset
#: The catalogued dataset of the Kolada indicators on children's economy.
KOLADA_DATASET = "kolada_barn_ekonomi"
#: KPIs fetched: N66077 (0–19 with low economic standard), U31803 (children in families with
#: ekonomiskt bistånd); U31809 (long-term assistance) is stored for later use.
KOLADA_FETCH = ("N66077", "U31803", "U31809")
#: Years fetched by default: the register panel's income years (2011–2021).
KOLADA_YEARS = tuple(range(2011, 2022))
#: ``status`` of a requested value that has not been fetched yet.
NOT_FETCHED = "ej hämtad"
#: The command that fetches them.
FETCH_COMMAND = "python -m analysis.sources.kolada fetch"


def kolada_request(kpis: Sequence[str] = KOLADA_FETCH, years: Sequence[int] = KOLADA_YEARS
                   ) -> pd.DataFrame:
    """The shipped stand-in for ``kolada_barn_ekonomi`` before a fetch: what will be asked for, every
    ``value`` empty and ``status`` ``"ej hämtad"`` (no number is invented)."""

    rows = []
    for kpi in kpis:
        for muni in DEFAULT_AREAS:
            code, area_type = _area(muni)
            for y in years:
                rows.append((kpi, code, area_type, int(y), "totalt", np.nan, NOT_FETCHED))
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


_KOLADA_DATASET_ENTRY = {
    "file": "kolada_barn_ekonomi.csv",
    "driver": "csv",
    "schema": "kolada_kpi",
    "title": "Koladas nyckeltal om barns ekonomi (N66077, U31803, U31809) per kommun, region och riket",
    "unit": "andel (%) enligt nyckeltalet",
    # For `make new-edition` (analysis.book.newedition): the chapter shows these when fetched.
    "edition_year": {"need": "optional", "column": "period", "values": "value",
                     "update": "make fetch-kolada"},
    "columns": {
        "kpi": "Koladas nyckeltals-id",
        "area_code": "kommunkod, 18 = Region Örebro län, 00 = riket",
        "area_type": "kommun, lan eller riket",
        "period": "år",
        "sex": "totalt, kvinnor eller man",
        "value": "publicerat värde i procent (tomt = saknas eller ej hämtat)",
        "status": "Koladas status; 'ej hämtad' = ännu inte hämtat",
    },
}


def _write_kolada_fragment(root: Path, folder: Path, provenance: str, *, fetched: bool,
                           accessed: str) -> Path:
    """Write ``folder``'s ``PROVENANCE.md`` and (re)write ``data/catalog.d/kolada_barn_ekonomi.yml``
    listing every file of ``folder`` with its md5; atomically, restored if the catalogue breaks."""

    (folder / "PROVENANCE.md").write_text(provenance, encoding="utf-8")
    files = {f.name: catalog.md5(f) for f in sorted(folder.iterdir()) if f.is_file()}
    folder_rel = folder.relative_to(root / "data").as_posix()
    source = {
        "producer": "RKA (Kolada)" if fetched else "Projektet (förteckning över nyckeltal att hämta)",
        "title": ("Kolada API v3, nyckeltal om barns ekonomi, hämtade " + accessed) if fetched
        else "Kolada-nyckeltal om barns ekonomi: ännu inte hämtade (förteckning utan värden)",
        "url_main": "https://api.kolada.se/v3",
        "date_published": accessed,
        "date_accessed": accessed,
        "licence": "Kolada/RKA open data; own processing must not be credited to Kolada" if fetched
        else "Project file (no data)",
        "citation": "Källa: Kolada/RKA" if fetched else "Källa: Kolada/RKA (ej hämtat)",
        "folder": folder_rel,
        "files": files,
    }
    frag = root / "data" / "catalog.d" / f"{KOLADA_DATASET}.yml"
    header = (f"# Written by `{FETCH_COMMAND}`: the current Kolada fetch for\n"
              "# the child poverty chapter. Do not edit by hand; fetch again to replace it.\n")
    body = yaml.safe_dump({"sources": {KOLADA_DATASET: source},
                           "datasets": {KOLADA_DATASET: dict(_KOLADA_DATASET_ENTRY,
                                                             source=KOLADA_DATASET)}},
                          allow_unicode=True, sort_keys=False)
    old = frag.read_bytes() if frag.exists() else None
    tmp = frag.with_suffix(".yml.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(frag)
    try:
        catalog.read_catalog(root)
        catalog.load(KOLADA_DATASET, root=root)
    except Exception:
        if old is None:
            frag.unlink()
        else:
            frag.write_bytes(old)
        raise
    return frag


def fetch_kolada(years: Sequence[int], kpis: Sequence[str] = KOLADA_FETCH, *,
                 root: Path | None = None, session=None, today: date | None = None) -> Path:
    """Fetch the KPIs from Kolada v3 and catalogue them as dataset ``kolada_barn_ekonomi``.

    Load inputs: :func:`fetch` (online; raw responses written byte for byte with
    ``provenance.json`` to ``data/raw/kolada_barn_ekonomi/<date>/``). Process: the tidy table. Save
    outputs: ``kolada_barn_ekonomi.csv`` (derived from the responses by :func:`parse_values`) and a
    ``PROVENANCE.md`` in the same folder, and the catalogue fragment
    ``data/catalog.d/kolada_barn_ekonomi.yml`` listing every file with its md5.

    Returns
    -------
    pathlib.Path
        The fragment.

    Raises
    ------
    KoladaOfflineError
        Without a network; nothing is written.
    """

    root = root or catalog.project_root()
    accessed = (today or date.today()).isoformat()
    raw_root = root / "data" / "raw" / KOLADA_DATASET
    tidy = fetch(list(kpis), list(years), session=session, raw_root=raw_root,
                 today=date.fromisoformat(accessed), complete=True)
    folder = raw_root / accessed
    tidy.to_csv(folder / _KOLADA_DATASET_ENTRY["file"], index=False, lineterminator="\n")
    provenance = (
        f"# Kolada API v3: {', '.join(kpis)}, {min(years)}–{max(years)}\n\n"
        f"Fetched {accessed} with `{FETCH_COMMAND}`. The `*.json` files are "
        "the responses exactly as received; `provenance.json` lists each with its URL, date and md5. "
        "`kolada_barn_ekonomi.csv` is derived from them by `analysis.sources.kolada.parse_values` (tidy: kpi, "
        "area_code, area_type, period, sex, value, status).\n\nKälla: Kolada/RKA. Own processing must "
        "not be credited to Kolada.\n")
    return _write_kolada_fragment(root, folder, provenance, fetched=True, accessed=accessed)


def write_kolada_request(root: Path | None = None, folder_name: str = "ej-hamtad") -> Path:
    """Write the shipped stand-in (:func:`kolada_request`) and its fragment (run once, offline)."""

    root = root or catalog.project_root()
    folder = root / "data" / "raw" / KOLADA_DATASET / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    kolada_request().to_csv(folder / _KOLADA_DATASET_ENTRY["file"], index=False, lineterminator="\n")
    provenance = (
        "# Kolada indicators for the child poverty chapter: not yet fetched\n\n"
        "Written by the project (`analysis.sources.kolada.write_kolada_request`), not by Kolada. "
        f"`kolada_barn_ekonomi.csv` lists what `{FETCH_COMMAND}` asks "
        "Kolada for (KPIs N66077, U31803, U31809; the 12 kommuner, Region Örebro län 0018 and Riket "
        "0000; 2011–2021). Every value is empty and every status is 'ej hämtad': no number here is "
        "a published one. The chapter shows a note instead of the comparison until a fetch replaces "
        "this folder in the catalogue.\n")
    return _write_kolada_fragment(root, folder, provenance, fetched=False,
                                  accessed=date.today().isoformat())


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.sources.kolada fetch --years 2011-2021 [--kpis N66077,U31803,U31809]``."""

    ap = argparse.ArgumentParser(prog="python -m analysis.sources.kolada")
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="fetch the child poverty chapter's Kolada KPIs and catalogue "
                       f"them as {KOLADA_DATASET}")
    f.add_argument("--years", default=f"{KOLADA_YEARS[0]}-{KOLADA_YEARS[-1]}")
    f.add_argument("--kpis", default=",".join(KOLADA_FETCH))
    f.add_argument("--debug", action="store_true", help="show Python tracebacks of failures")
    args = ap.parse_args(argv)
    done: list[Path] = []

    def work() -> int:
        try:
            done.append(fetch_kolada(text.parse_years(args.years), args.kpis.split(",")))
        except KoladaOfflineError as exc:
            print(f"Kolada could not be reached: {exc}. Nothing was written.", file=sys.stderr)
            return 2
        print(f"Catalogued {KOLADA_DATASET} in {done[0]}")
        return 0

    return cli.run(work, debug=args.debug, expected=(KoladaError,), prog="kolada fetch")


if __name__ == "__main__":
    sys.exit(main())
