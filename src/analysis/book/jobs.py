"""The build's jobs: one per chapter notebook and per area of a profile template, each with a
cache key.

A job's key is the hash of the notebook text, its parameters, the md5 and the catalogue entry of
every dataset it declares in its front matter (``analysis: inputs:``), the library code it imports
(:func:`analysis.core.codehash.code_hash`, the same import-closure hash the on-disk caches use),
local confidential inputs, this build's version and the Python version.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jupytext
import yaml

from analysis.book.params import EditionParams, notebook_params
from analysis.core import codehash, geo, paths
from analysis.core.errors import InputError
from analysis.sources import catalog

BUILD_VERSION = "1"  # bump to invalidate every cached notebook
KERNEL = "python3"
ENV_STEM = "ANALYSIS_NB_STEM"
ENV_EDITION = "ANALYSIS_EDITION"
TITLE_PLACEHOLDER = "{{ area_name }}"
EDITION_PLACEHOLDER = "{{ edition }}"
REGION_PLACEHOLDER = "{{ lan_namn }}"  # the region's name in a notebook's prose: "Örebro län"
#: The number of kommuner in a notebook's prose, in words to twelve: "tolv", "åtta", "26".
KOMMUN_COUNT_PLACEHOLDER = "{{ antal_kommuner_ord }}"
#: A cell tagged ``needs-<material>`` runs only where the region has that material; one tagged
#: ``lacks-<material>`` only where it has not (the other regions' wording of a passage).
NEEDS_TAG = "needs-"
LACKS_TAG = "lacks-"
# A kernel can die before it answers (e.g. two kernels started at once in different processes
# pick the same free TCP port). That says nothing about the notebook, so the start is retried.
KERNEL_START_ATTEMPTS = 3


# --------------------------------------------------------------------------- planning
@dataclass
class Job:
    """One notebook execution: a chapter, or a profile template for one area."""

    source: str  # notebooks/<stem>.md, relative to root
    stem: str  # output stem (file name without suffix)
    target_dir: str  # folder under book/_generated
    params: dict[str, Any]
    inputs: list[str]
    area_name: str | None = None
    key: str = ""
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"book/_generated/{self.target_dir}/{self.stem}".replace("//", "/").replace(
            "/./", "/")


def read_front_matter(md_path: Path) -> dict[str, Any]:
    """The YAML front matter of a MyST notebook (between the first two ``---`` lines)."""
    text = md_path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise InputError(str(md_path), "a notebook must start with YAML front matter (---)")
    try:
        _, fm, _ = text.split("---", 2)
        meta = yaml.safe_load(fm) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(str(md_path), f"cannot read the front matter: {exc}") from None
    return meta


def notebook_meta(md_path: Path) -> dict[str, Any]:
    """The ``analysis:`` block of a notebook's front matter, validated."""
    meta = read_front_matter(md_path).get("analysis")
    if not isinstance(meta, dict) or "inputs" not in meta:
        raise InputError(str(md_path), "front matter needs 'analysis: inputs: [...]' "
                         "(the datasets the notebook loads; [] if none)")
    cat = catalog.read_catalog()
    unknown = [i for i in meta["inputs"] if i not in cat["datasets"]]
    if unknown:
        raise InputError(str(md_path), f"declares unknown datasets {unknown}", column="inputs")
    fan = meta.get("fanout")
    if fan not in (None, "kommun", "forbund"):
        raise InputError(str(md_path), f"fanout must be kommun or forbund, not {fan!r}")
    needs = meta.get("needs", [])
    known = {m for r in geo.regions() for m in r.underlag}
    if not isinstance(needs, list) or not set(needs) <= known:
        raise InputError(str(md_path), f"needs must list material a region can have "
                         f"({', '.join(sorted(known))}), not {needs!r}")
    return meta


def applies(md_path: Path, region: geo.Region | None = None) -> bool:
    """True if the notebook belongs in the book of ``region`` (default: this process's): the
    region has all the material its front matter's ``analysis: needs:`` lists."""
    return (region or geo.REGION).has(notebook_meta(md_path).get("needs", []))


def left_out(root: Path, region: geo.Region | None = None) -> list[Path]:
    """The notebooks that are not in ``region``'s book, for lack of the material they need."""
    return [md for md in sorted((root / "notebooks").glob("*.md")) if not applies(md, region)]


def _areas(fanout: str) -> list[tuple[str, str]]:
    if fanout == "kommun":
        return list(geo.KOMMUNER.items())
    return [(k, f.namn) for k, f in geo.FORBUND.items()]


def plan(root: Path, ed: EditionParams) -> list[Job]:
    """All notebook jobs of an edition for this process's region, in book order."""
    jobs: list[Job] = []
    for md in sorted((root / "notebooks").glob("*.md")):
        if ed.chapters is not None and md.stem not in ed.chapters:
            continue
        meta = notebook_meta(md)
        if not geo.REGION.has(meta.get("needs", [])):
            continue
        rel = str(md.relative_to(root))
        fan = meta.get("fanout")
        if fan is None:
            jobs.append(Job(rel, md.stem, ".", notebook_params(ed), list(meta["inputs"]),
                            label=md.stem))
        else:
            folder = "kommuner" if fan == "kommun" else "forbund"
            for code, name in _areas(fan):
                if ed.areas is not None and code not in ed.areas:
                    continue
                jobs.append(Job(rel, f"{md.stem}__area_{code}", folder,
                                notebook_params(ed, code), list(meta["inputs"]),
                                area_name=name, label=f"{md.stem} ({code} {name})"))
    return jobs


_md5_cache: dict[tuple[str, float, int], str] = {}


def _file_md5(p: Path) -> str:
    st = p.stat()
    k = (str(p), st.st_mtime, st.st_size)
    if k not in _md5_cache:
        _md5_cache[k] = catalog.md5(p)
    return _md5_cache[k]


def code_hash(root: Path) -> str:
    """Hash of the whole analysis library (every file under src/analysis)."""
    h = hashlib.sha256()
    for p in sorted((root / "src" / "analysis").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=256)
def _notebook_imports(path: str, mtime: int, size: int) -> frozenset[str] | None:
    """The ``analysis`` modules a notebook's code cells import; None if a cell does not parse."""
    wanted: set[str] = set()
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "code":
            try:
                wanted |= codehash.imports_of(ast.parse(cell.source))
            except SyntaxError:
                return None
    return frozenset(wanted)


def notebook_imports(md_path: Path) -> frozenset[str]:
    """The ``analysis`` modules a notebook's code cells import (empty if a cell does not parse)."""
    st = md_path.stat()
    return _notebook_imports(str(md_path), st.st_mtime_ns, st.st_size) or frozenset()


def code_hash_for(root: Path, md_path: Path, inputs: list[str]) -> str:
    """Hash of the library modules a notebook uses: its imports, followed transitively
    (:func:`analysis.core.codehash.code_hash`, the same key the on-disk caches use).

    The catalogue and its schemas always count (every notebook loads data through them). A
    notebook cell that does not parse makes the whole library count. Editing the survey
    engine therefore does not re-execute the population chapter.
    """
    memo_file = root / "_build" / "cache" / CODE_MEMO
    memo = _read_memo(memo_file)
    entry = memo.get(str(md_path))
    if entry and _stamps(entry["files"]) == entry["stamps"]:
        return entry["hash"]
    st = md_path.stat()
    wanted = _notebook_imports(str(md_path), st.st_mtime_ns, st.st_size)
    if wanted is None:
        return code_hash(root)
    modules = sorted(set(wanted) | {"analysis.sources.catalog", "analysis.sources.schemas"})
    pkg = root / "src" / "analysis"
    digest = codehash.code_hash(modules, pkg)
    found = codehash.closure(modules, pkg).values()
    files = sorted({str(md_path), *map(str, found),
                    *(str(d) for f in found for d in codehash.package_data(f))})
    memo[str(md_path)] = {"hash": digest, "files": files, "stamps": _stamps(files)}
    _write_memo(memo_file, memo)
    return digest


#: Memo of :func:`code_hash_for` under ``_build/cache/``: per notebook, its hash and the size and
#: mtime of every file that went into it. A rebuild with nothing changed then stats those files
#: instead of parsing the notebooks and the library again.
CODE_MEMO = "code-hashes.json"


def _stamps(files: list[str]) -> list[list[int]] | None:
    try:
        return [[st.st_mtime_ns, st.st_size] for st in map(os.stat, files)]
    except OSError:
        return None


def _read_memo(path: Path) -> dict[str, Any]:
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def _write_memo(path: Path, memo: dict[str, Any]) -> None:
    """Write atomically (builds may run side by side; a lost update only costs a re-parse)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def private_data_hash(root: Path) -> str:
    """Fingerprint of local confidential inputs: files under ``data/private/`` (name, size,
    mtime; not a ``_build`` folder there) and ``ANALYSIS_*`` settings that point chapters at
    them. Real microdata never enter the catalogue, but a changed extract must still
    re-execute the notebooks."""
    h = hashlib.sha256()
    priv = root / "data" / "private"
    if priv.is_dir():
        for p in sorted(priv.rglob("*")):
            # A build or preview of real data goes to data/private/_build (docs): its own
            # output must not change the keys it is cached under.
            if p.is_file() and "_build" not in p.relative_to(priv).parts:
                st = p.stat()
                h.update(f"{p.relative_to(priv)}|{st.st_size}|{st.st_mtime_ns}".encode())
    internal = {catalog.ENV_ROOT, catalog.ENV_DECLARED, catalog.ENV_INPUT_LOG, ENV_STEM,
                ENV_EDITION, paths.ENV_WORK_CACHE}
    for k in sorted(os.environ):
        if k.startswith("ANALYSIS_") and k not in internal:
            h.update(f"{k}={os.environ[k]}".encode())
    return h.hexdigest()


def _key_payload(root: Path, job: Job, src_hash: str | None, notebook: str) -> str:
    data, described = {}, {}
    for name in job.inputs:
        ent = catalog.resolve(name, root)  # what the region reads (its cut of a national file)
        data[name] = _file_md5(root / "data" / ent["relpath"])
        # what the catalogue says of it (producer, title, licence reach the pages' source lists)
        described[name] = ent
    payload = {
        "catalog": described,
        "notebook": notebook,
        "params": job.params,
        "area_name": job.area_name,
        "stem": job.stem,
        "region": geo.REGION.kod,
        "inputs": data,
        "src": src_hash or code_hash_for(root, root / job.source, job.inputs),
        "private": private_data_hash(root),
        "build": BUILD_VERSION,
        "python": platform.python_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()[:24]


def job_key(root: Path, job: Job, src_hash: str | None = None) -> str:
    """Cache key: notebook text, parameters, the data it reads, the library code it uses
    (:func:`code_hash_for`), the build version and the Python version.

    ``src_hash`` overrides the per-notebook code hash (e.g. the whole library's)."""
    notebook = hashlib.sha256((root / job.source).read_bytes()).hexdigest()
    return _key_payload(root, job, src_hash, notebook)


def code_cells_hash(md_path: Path) -> str:
    """Hash of what a kernel runs in a notebook: its metadata (front matter) and its code cells
    with their metadata, not the markdown cells (the prose)."""
    st = md_path.stat()
    return _code_cells_hash(str(md_path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _code_cells_hash(path: str, mtime: int, size: int) -> str:
    nb = jupytext.read(path)
    code = [[c.source, dict(c.metadata)] for c in nb.cells if c.cell_type == "code"]
    body = json.dumps([dict(nb.metadata), code], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def code_key(root: Path, job: Job, src_hash: str | None = None) -> str:
    """Like :func:`job_key`, but blind to the notebook's prose: two versions of a notebook that
    differ only in markdown cells execute identically and share this key. The preview uses it
    to show a prose edit without executing again (:mod:`analysis.book.preview`); the build
    itself always keys on the whole text."""
    return _key_payload(root, job, src_hash, "code:" + code_cells_hash(root / job.source))


