"""The data catalogue: where every raw file came from, and the only way notebooks load data.

``load(name)`` finds the dataset in ``data/catalog.yml``, checks the file's md5 against the
catalogue, reads it with its driver, and validates it against its schema
(:mod:`analysis.sources.schemas`). Any problem stops with an :class:`~analysis.core.errors.InputError` that
names the file, the column and the offending rows.

A dataset catalogued for one region (``region:``) that is a part of a national table
(``national:``) is read for any other region from that table (:func:`resolve`,
:mod:`analysis.sources.regional`), in the same columns and checked by the same schema.

During a book build the build sets ``ANALYSIS_DECLARED_INPUTS`` to the inputs a notebook declares in
its front matter; reading anything else is an error, because the build's cache keys on the declared
inputs and would otherwise miss a change.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import pickle
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.core import codehash, geo, paths
from analysis.core.errors import InputError
from analysis.core.paths import CATALOG_RELPATH, ENV_ROOT, project_root  # noqa: F401 (API)
from analysis.sources import consistency, regional, schemas

ENV_DECLARED = "ANALYSIS_DECLARED_INPUTS"
ENV_INPUT_LOG = "ANALYSIS_INPUT_LOG"


# --------------------------------------------------------------------------- locating things
def _catalog_path(root: Path | None) -> Path:
    return (root or project_root()) / CATALOG_RELPATH


def _yaml_file(path: Path) -> Any:
    """A YAML file, or an :class:`InputError` naming it and the line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise InputError(str(path), f"not valid YAML{line}: "
                         f"{getattr(exc, 'problem', None) or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 (byte {exc.start}); save it as UTF-8") from None


@lru_cache(maxsize=8)
def _read_catalog(path: str, stamp: tuple) -> dict[str, Any]:
    cat = _yaml_file(Path(path))
    if not isinstance(cat, dict) or "sources" not in cat or "datasets" not in cat:
        raise InputError(path, "the catalogue must have top-level 'sources' and 'datasets'")
    # Fragments in data/catalog.d/*.yml (one per topic or per fetched release) are merged in,
    # so that a fetch or a chapter can add entries without rewriting the main file.
    for frag in sorted(Path(path).parent.joinpath("catalog.d").glob("*.yml")):
        part = _yaml_file(frag) or {}
        if not isinstance(part, dict) or set(part) - {"sources", "datasets"}:
            raise InputError(str(frag), "a catalogue fragment is a mapping with only 'sources' "
                             "and 'datasets'")
        for section in ("sources", "datasets"):
            items = part.get(section) or {}
            if not isinstance(items, dict) or not all(isinstance(b, dict) for b in items.values()):
                raise InputError(str(frag), f"'{section}' must map names to entries")
            for name, body in items.items():
                if name in cat[section]:
                    raise InputError(str(frag), f"{section[:-1]} {name!r} is already catalogued")
                cat[section][name] = body
    for name, ds in cat["datasets"].items():
        if ds.get("source") not in cat["sources"]:
            raise InputError(path, f"dataset {name!r} names unknown source {ds.get('source')!r}")
        files = cat["sources"][ds["source"]].get("files", {})
        if ds.get("file") not in files:
            raise InputError(
                path, f"dataset {name!r}: file {ds.get('file')!r} is not listed under its source"
            )
        nat = ds.get("national")
        if isinstance(nat, dict) and nat.get("dataset") not in cat["datasets"]:
            raise InputError(path, f"dataset {name!r}: national dataset {nat.get('dataset')!r} "
                             "is not catalogued")
    return cat


def read_catalog(root: Path | None = None) -> dict[str, Any]:
    """Parse ``data/catalog.yml`` (cached until the file changes)."""
    path = _catalog_path(root)
    frags = sorted(path.parent.joinpath("catalog.d").glob("*.yml"))
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in [path, *frags])
    return _read_catalog(str(path), stamp)


def entry(name: str, root: Path | None = None) -> dict[str, Any]:
    """The catalogue entry of a dataset merged with its source's provenance fields."""
    cat = read_catalog(root)
    if name not in cat["datasets"]:
        known = ", ".join(sorted(cat["datasets"]))
        raise KeyError(f"Dataset {name!r} is not in {CATALOG_RELPATH}; known datasets: {known}")
    ds = dict(cat["datasets"][name])
    src = cat["sources"][ds["source"]]
    merged = {k: v for k, v in src.items() if k != "files"}
    merged.update(ds)
    merged["name"] = name
    merged["md5"] = src["files"][ds["file"]]
    merged["relpath"] = f"{src['folder']}/{ds['file']}"
    return merged


def path(name: str, root: Path | None = None) -> Path:
    """Absolute path of a dataset's own file (``resolve(name)["relpath"]`` is the file read)."""
    root = root or project_root()
    return root / "data" / entry(name, root)["relpath"]


def resolve(name: str, root: Path | None = None, region: str | None = None) -> dict[str, Any]:
    """What :func:`load` reads for dataset ``name`` in ``region`` (default: this process's,
    :data:`analysis.core.geo.REGION`): the catalogue entry itself for its own region (or an
    entry with no ``region:``), else the entry of the national table it is cut from, with
    the regional entry's schema and the converter (:func:`analysis.sources.regional.resolve_entry`).
    ``relpath`` and ``md5`` are always those of the file read; the build keys on them."""
    ent = entry(name, root)
    reg = geo.REGION if region is None else geo.region(region)
    nat = ent.get("national")
    national = entry(nat["dataset"], root) if isinstance(nat, dict) and "dataset" in nat \
        and str(ent.get("region")).zfill(2) != reg.kod else None
    return regional.resolve_entry(name, ent, national, reg, CATALOG_RELPATH)


def available(name: str, root: Path | None = None) -> bool:
    """False for a dataset of another region that has no national table to be cut from
    (e.g. Örebro län's Regionfakta tables in Uppsala län's book): :func:`load` refuses it."""
    return resolve(name, root).get("available", True) is not False


def md5(file: Path | str) -> str:
    """md5 hex digest of a file, read in chunks."""
    h = hashlib.md5()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def all_files(root: Path | None = None) -> list[tuple[str, Path, str]]:
    """Every catalogued raw file as ``(source, path, catalogued md5)``."""
    root = root or project_root()
    out = []
    for sname, src in read_catalog(root)["sources"].items():
        for fname, digest in src.get("files", {}).items():
            out.append((sname, root / "data" / src["folder"] / fname, digest))
    return out


# --------------------------------------------------------------------------- reading
def check_md5(file: Path, expected: str) -> None:
    """Stop with a clear error when a file's md5 differs from the catalogue."""
    actual = md5(file)
    if actual != expected:
        raise InputError(
            str(file),
            f"checksum mismatch: the catalogue says md5 {expected}, the file has {actual}. "
            "The file changed after it was catalogued. Raw files are never edited: put a new "
            "release in a new dated folder and catalogue it (data/catalog.yml)",
        )


def _decode(file: Path) -> str:
    raw = file.read_bytes()
    if not raw.strip():
        raise InputError(str(file), "the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            str(file),
            f"the file is not valid UTF-8 (byte {exc.start} on line {line}: "
            f"{raw[exc.start:exc.start + 1]!r}); save it as UTF-8",
        ) from None


def read_csv(file: Path | str) -> pd.DataFrame:
    """Read a UTF-8 CSV with every column as text (the schema decides the types)."""
    file = Path(file)
    text = _decode(file)
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, sep=sep, keep_default_na=False,
                         na_values=[""])
    except pd.errors.EmptyDataError:
        raise InputError(str(file), "the file is empty") from None
    except pd.errors.ParserError as exc:
        raise InputError(str(file), f"cannot parse the CSV: {exc}") from None
    if df.empty:
        raise InputError(str(file), "the file has a header but no data rows")
    return df


_CHECK_TEXT = [
    (re.compile(r"column_in_dataframe"), "required column is missing"),
    (re.compile(r"column_in_schema"), "unexpected column (not in the schema)"),
    (re.compile(r"coerce_dtype\('int"), "value is not a whole number"),
    (re.compile(r"coerce_dtype\('float"), "value is not a number"),
    (re.compile(r"coerce_dtype"), "value has the wrong type"),
    (re.compile(r"^dtype\("), None),  # duplicate of coerce_dtype
    (re.compile(r"uniqueness"), "duplicate key"),
    (re.compile(r"isin\("), "value is not an allowed code"),
    (re.compile(r"greater_than_or_equal_to\(0\)|must not be negative"), "negative value"),
    (re.compile(r"in_range"), "value out of range"),
    (re.compile(r"str_matches"), "value does not have the expected format"),
    (re.compile(r"not_nullable"), "missing value"),
]
_PRIORITY = ["required column is missing", "value is not a whole number", "value is not a number"]


def _describe(check: str) -> str | None:
    for pattern, text in _CHECK_TEXT:
        if pattern.search(check):
            return text
    return f"fails check {check}"


def get_schema(schema_name: str) -> pa.DataFrameSchema:
    """The schema a catalogue entry names: a name registered in :mod:`analysis.sources.schemas`.

    Every schema lives in that module, so loading a table never imports a chapter."""
    return schemas.get(schema_name)


def validate(df: pd.DataFrame, schema_name: str, file: str) -> pd.DataFrame:
    """Validate ``df`` against a named schema; raise :class:`InputError` naming column and rows."""
    schema = get_schema(schema_name)
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases.copy()
        fc["what"] = fc["check"].astype(str).map(_describe)
        fc = fc[fc["what"].notna() & ~fc["failure_case"].astype(str).str.startswith("TypeError")]
        if fc.empty:  # pragma: no cover - defensive
            raise InputError(file, f"fails validation against schema {schema_name!r}") from None
        fc["prio"] = fc["what"].map(lambda w: _PRIORITY.index(w) if w in _PRIORITY else 99)
        fc = fc.sort_values(["prio"], kind="stable")
        first = fc.iloc[0]
        what, column = first["what"], first["column"]
        if what in ("required column is missing", "unexpected column (not in the schema)"):
            cols = list(dict.fromkeys(fc.loc[fc["what"] == what, "failure_case"].astype(str)))
            raise InputError(file, f"{what}: {', '.join(map(repr, cols))}"
                             + ("; the schema's columns are " + ", ".join(schema.columns)
                                if what.startswith("unexpected") else ""),
                             column=cols[0]) from None
        if what == "duplicate key":
            grp = fc[fc["what"] == what].drop_duplicates("index")
        else:
            grp = fc[(fc["what"] == what) & (fc["column"] == column)]
        idx = pd.to_numeric(grp["index"], errors="coerce")
        rows = [int(i) + 1 for i in idx.dropna()]
        values = list(grp.loc[idx.notna(), "failure_case"])
        if what == "duplicate key":
            fc = fc[fc["what"] != what]
            keys = schema.unique if isinstance(schema.unique, list) else [schema.unique]
            what = f"duplicate key ({', '.join(map(str, keys))})"
            column = ", ".join(map(str, keys))
        others = fc[~fc.index.isin(grp.index)][["what", "column"]].drop_duplicates()
        others = others[others["what"] != what]
        extra = ""
        if len(others):
            extra = "; also: " + "; ".join(
                f"{w} in {c!r}" for w, c in others.head(3).itertuples(index=False)
            )
        raise InputError(file, what + extra, column=column, rows=rows, values=values) from None


def read_table(file: Path | str, driver: str, schema_name: str | None) -> pd.DataFrame:
    """Read one file with a driver (``csv``, ``geojson``) and validate it against a schema."""
    file = Path(file)
    if not file.exists():
        raise InputError(str(file), "the file does not exist")
    if driver == "csv":
        df = read_csv(file)
    elif driver == "geojson":
        import geopandas as gpd

        _decode(file)  # same encoding and emptiness checks as CSV
        df = gpd.read_file(file)
    else:
        raise ValueError(f"Unknown driver {driver!r} for {file}")
    if schema_name:
        df = validate(df, schema_name, str(file))
    return df


# --------------------------------------------------------------------------- completeness
#: Named sets of values a catalogue entry's ``complete:`` can ask for.
LEVELS = {"observed", "kommuner", "ages"}


def _levels(df: pd.DataFrame, col: str, level: Any, file: str) -> list[str]:
    observed = sorted(set(df[col].astype(str)))
    if level == "observed":
        return observed
    if level == "kommuner":  # the län's twelve, and any other code the table holds
        return sorted(set(observed) | set(geo.KOMMUNER))
    if level == "ages":
        return list(schemas.AGES)
    if isinstance(level, list):
        return [str(v) for v in level]
    raise InputError(file, f"complete: {col}: {level!r} is not one of {sorted(LEVELS)} or a list")


def check_complete(df: pd.DataFrame, spec: dict[str, Any] | None, file: str) -> None:
    """Every combination of the key values a table claims is present (``complete:`` in its
    catalogue entry: column -> ``observed`` (every value seen anywhere in the column),
    ``kommuner`` (the län's kommuner, plus any other code seen), ``ages`` (0–99, 100+) or a
    list). A missing row would otherwise shift an age series or fail as a missing number far
    from its cause.

    Raises
    ------
    InputError
        Naming the file, the key columns and the first missing combinations.
    """
    if not spec:
        return
    cols = list(spec)
    absent = [c for c in cols if c not in df.columns]
    if absent:
        raise InputError(file, f"complete: names columns the table lacks: {absent}")
    levels = [_levels(df, c, spec[c], file) for c in cols]
    have = set(df[cols].astype(str).itertuples(index=False, name=None))
    missing = [combo for combo in itertools.product(*levels) if combo not in have]
    if missing:
        shown = "; ".join(", ".join(f"{c}={v}" for c, v in zip(cols, m, strict=True))
                          for m in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise InputError(file, f"incomplete table: {len(missing)} row(s) missing, no row for "
                         f"{shown}{more}; every {' × '.join(cols)} must be present",
                         column=", ".join(cols))


# --------------------------------------------------------------------------- the public door
def _check_declared(name: str) -> None:
    declared = os.environ.get(ENV_DECLARED)
    if declared is None:
        return
    allowed = {d.strip() for d in declared.split(",") if d.strip()}
    if name not in allowed:
        raise RuntimeError(
            f"This notebook loads dataset {name!r} but does not declare it under "
            f"'analysis: inputs:' in its front matter (declared: {sorted(allowed)}). Declare it, "
            "so that the build re-executes the notebook when the data change."
        )


def _log_input(name: str, digest: str) -> None:
    log = os.environ.get(ENV_INPUT_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name}\t{digest}\n")


# --------------------------------------------------------------------------- validated tables
@lru_cache(maxsize=1)
def _reader_code() -> str:
    """Code hash of this module's closure (the readers, schemas and checks)."""
    return codehash.code_hash([__name__])


def _frame_cache(name: str, ent: dict[str, Any]) -> Path | None:
    """Where a build keeps the validated table of a catalogue entry (None outside a build,
    :func:`analysis.core.paths.work_cache`): keyed on the entry (md5 of the file included),
    the schema as it is defined now and the code that reads and checks it."""
    folder = paths.work_cache("frames")
    if folder is None:
        return None
    schema = repr(get_schema(ent["schema"])) if ent.get("schema") else ""
    body = json.dumps([ent, schema, _reader_code()], sort_keys=True, default=str)
    stem = f"{name}.{ent['region']}" if "reshape" in ent else name  # one kept table per region
    return folder / f"{stem}-{hashlib.sha256(body.encode()).hexdigest()[:24]}.pkl"


def _read_cached(path: Path) -> pd.DataFrame | None:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged kept table is read from the file again
        return None


def _write_cached(path: Path, df: pd.DataFrame) -> None:
    """Write atomically and drop this dataset's tables of other keys (only a cache: a
    failure to write costs the next reader a validation)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(df, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        stem = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{stem}-*.pkl"):
            if old != path and old.name.rsplit("-", 1)[0] == stem:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def load(name: str, *, root: Path | None = None) -> pd.DataFrame:
    """Load a catalogued dataset: check its md5, read it, validate it.

    Parameters
    ----------
    name
        Dataset name in ``data/catalog.yml`` (``datasets:`` section).
    root
        Repository root; found automatically when omitted.

    Returns
    -------
    pandas.DataFrame (a GeoDataFrame for the ``geojson`` driver), validated and typed. In a
    build the validated table is kept (pickled) in the build's work cache and later loads of
    the same entry read it back instead of validating again (:func:`_frame_cache`). For
    another region than the entry's own, the region's part of the national table
    (:func:`resolve`); ``attrs["catalog"]["md5"]`` is then a key of that part (national md5,
    converter, region) and ``file_md5`` the national file's.

    Raises
    ------
    InputError
        Checksum mismatch, wrong encoding, empty file, missing column, bad values.
    """
    _check_declared(name)
    root = root or project_root()
    ent = resolve(name, root)
    if not available(name, root):
        raise InputError(CATALOG_RELPATH, f"dataset {name!r} exists for region {ent['region']} "
                         f"only, not for {geo.LAN_NAMN}; check catalog.available({name!r})")
    file = root / "data" / ent["relpath"]
    if not file.exists():
        raise InputError(str(file), f"catalogued file for dataset {name!r} does not exist")
    check_md5(file, ent["md5"])
    cached = _frame_cache(name, ent)
    df = _read_cached(cached) if cached is not None else None
    if df is None:
        df = _read_resolved(file, ent)
        if cached is not None:
            _write_cached(cached, df)
    _log_input(name, ent["md5"])
    df.attrs["catalog"] = {k: ent.get(k) for k in ("name", "title", "producer", "citation",
                                                   "relpath", "md5", "licence")}
    if "reshape" in ent:  # a content key for caches of what is derived from the table
        df.attrs["catalog"].update(file_md5=ent["md5"], dataset=ent["dataset"], region=ent[
            "region"], md5=hashlib.md5(f"{ent['md5']}|{ent['reshape']}|{ent['region']}".encode()
                                       ).hexdigest())
    return df


def _read_resolved(file: Path, ent: dict[str, Any]) -> pd.DataFrame:
    """Read and check a resolved entry's file; a national table is validated as itself, cut
    to the region by its converter and validated as the regional table."""
    if "reshape" not in ent:
        df = read_table(file, ent["driver"], ent.get("schema"))
        check_complete(df, ent.get("complete"), str(file))
        return df
    national = read_table(file, ent["driver"], ent.get("national_schema"))
    check_complete(national, ent.get("national_complete"), str(file))
    where = f"{file} ({ent['name']} for {geo.LAN_NAMN}, {ent['reshape']})"
    df = regional.reshape(ent["reshape"], national, geo.REGION)
    if ent.get("schema"):
        df = validate(df, ent["schema"], where)
    check_complete(df, ent.get("complete"), where)
    return df


def check_consistency(name: str, df: pd.DataFrame | None = None, *,
                      root: Path | None = None) -> pd.DataFrame | None:
    """Check a national kommun series against its catalogue entry's ``boundaries:`` and
    ``reconcile:`` (:mod:`analysis.sources.consistency`): every kommun complete, and the
    kommuner adding up to their län and to riket. ``df`` is the loaded table (loaded if
    omitted). Returns the reconciliation table, or None when the entry declares none.

    Raises
    ------
    InputError
        As :func:`analysis.sources.consistency.check_kommun_series` and
        :func:`~analysis.sources.consistency.reconcile_lan`.
    """
    root = root or project_root()
    ent = entry(name, root)
    spec = ent.get("reconcile")
    if not spec:
        return None
    file = str(root / "data" / ent["relpath"])
    if not isinstance(spec, dict) or set(spec) - {"with", "codes", "exact_from", "tolerance"} \
            or not {"with", "codes", "exact_from", "tolerance"} <= set(spec):
        raise InputError(file, "reconcile: needs exactly with, codes, exact_from and tolerance "
                         f"(dataset {name!r} in the catalogue)")
    changes = consistency.parse_changes(ent.get("boundaries"), file)
    df = load(name, root=root) if df is None else df
    codes = load(spec["codes"], root=root)
    consistency.check_kommun_series(df, codes, file, changes)
    return consistency.reconcile_lan(df, load(spec["with"], root=root), codes, changes,
                                     exact_from=int(spec["exact_from"]),
                                     tolerance=float(spec["tolerance"]), file=file)


def citation(*names: str, root: Path | None = None) -> str:
    """A source line for a figure or table: ``"Källa: SCB …; Kolada/RKA (SCB)"``."""
    seen: list[str] = []
    for n in names:
        ent = resolve(n, root)
        c = ent.get("citation") or ent["producer"]
        if c not in seen:
            seen.append(c)
    body = "; ".join(s.removeprefix("Källa: ") for s in seen)
    return f"Källa: {body}"


def sources_table(root: Path | None = None) -> pd.DataFrame:
    """One row per catalogued source, for the book's *Källor* page."""
    rows = []
    for sname, src in read_catalog(root)["sources"].items():
        rows.append(
            {
                "source": sname,
                "producer": src.get("producer"),
                "title": src.get("title"),
                "url_main": src.get("url_main"),
                "repository": src.get("repository"),
                "commit": src.get("commit"),
                "licence": src.get("licence"),
                "date_published": src.get("date_published"),
                "date_accessed": src.get("date_accessed"),
                "folder": src.get("folder"),
                "n_files": len(src.get("files", {})),
            }
        )
    return pd.DataFrame(rows)


def datasets_table(root: Path | None = None) -> pd.DataFrame:
    """One row per loadable dataset with its file, md5 and title."""
    cat = read_catalog(root)
    rows = []
    for name in cat["datasets"]:
        e = entry(name, root)
        rows.append({k: e.get(k) for k in ("name", "title", "source", "relpath", "md5", "driver",
                                            "schema")})
    return pd.DataFrame(rows)


def verify(root: Path | None = None) -> list[str]:
    """Check every catalogued file exists with its md5; return a list of problems (empty = OK)."""
    problems = []
    for sname, file, digest in all_files(root):
        if not file.exists():
            problems.append(f"{sname}: {file} is missing")
        elif md5(file) != digest:
            problems.append(f"{sname}: {file} has md5 {md5(file)}, catalogue says {digest}")
    return problems


def write_fragment(fragment: str, sources: dict[str, dict], datasets: dict[str, dict],
                   root: Path | None = None) -> Path:
    """Add sources and datasets to the catalogue as ``data/catalog.d/<fragment>.yml``.

    Refuses names that are already catalogued, and re-reads the whole catalogue afterwards so a
    broken fragment is never left behind.
    """
    root = root or project_root()
    cat = read_catalog(root)
    for section, items in (("sources", sources), ("datasets", datasets)):
        clash = sorted(set(items) & set(cat[section]))
        if clash:
            raise ValueError(f"already catalogued {section}: {clash}")
    path = root / "data" / "catalog.d" / f"{fragment}.yml"
    if path.exists():
        raise FileExistsError(f"{path} exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by the fetch command; describes one downloaded release. Do not edit by hand.\n"
    body = yaml.safe_dump({"sources": sources, "datasets": datasets}, allow_unicode=True,
                          sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    try:
        read_catalog(root)
    except Exception:
        path.unlink()
        raise
    return path
