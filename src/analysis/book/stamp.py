"""The build's stamp: a cheap answer to "has anything changed since the last build?".

A rebuild with nothing changed must answer in well under two seconds, and importing the build
(pandas, scipy, jupytext, the chapter modules the audit and the generated pages use) alone takes
longer. So the command line asks this module first, before those imports
(:mod:`analysis.book.build` imports it at its very top): it reads only files and the standard
library.

After every successful build the build writes a stamp (:func:`write`): the content hash of every
file that can shape the book — the library under ``src/analysis`` (its data files too), the
notebooks, the parameters of every edition, the catalogue and every catalogued data file, the
static book pages, ``_static``, ``_config.yml`` and ``_toc.yml`` — the file names in each of those
folders (so a new notebook, module or catalogue fragment counts), the names, sizes and mtimes of
local confidential files under ``data/private/`` (as the job keys see them), the ``ANALYSIS_*``
settings, the Python executable and version, and the build key of the published book.

A later build with the same edition, ``--only`` and ``--build-dir`` is up to date
(:func:`up_to_date`) when every one of those is unchanged and the published book still carries
that build key. Anything else — one byte of one file, a new file, a missing book — sends the
build down its ordinary path, which computes the job keys and re-executes exactly what depends
on the change. The stamp is a superset of what the keys read, so it never says "unchanged" when
a key would differ; at worst it sends an unchanged build down the ordinary path, which then
finds every key cached and writes a new stamp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis.core import regions
from analysis.core.paths import project_root

STAMP_VERSION = 2
#: Folders (relative to the root) whose every file is hashed; ``book/_generated`` is output.
TREES = ("src/analysis", "notebooks", "params", "book", "_static", "data/catalog.d")
#: Single files hashed besides the trees and the catalogued data.
FILES = ("_config.yml", "_toc.yml", "data/catalog.yml")
_SKIP_DIRS = {"__pycache__", "_generated", ".ipynb_checkpoints", ".pytest_cache"}


def _digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _tree_files(root: Path, tree: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root / tree):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        rel = Path(dirpath).relative_to(root)
        out += [(rel / f).as_posix() for f in sorted(filenames) if not f.endswith(".pyc")]
    return out


def _private(root: Path) -> list[list[Any]]:
    """Local confidential files as the job keys see them: name, size and mtime (not their own
    ``_build`` folder). Microdata can be large, so they are not read."""
    priv = root / "data" / "private"
    out = []
    for dirpath, dirnames, filenames in os.walk(priv):
        dirnames[:] = sorted(d for d in dirnames if d != "_build")
        for f in sorted(filenames):
            p = Path(dirpath) / f
            try:
                st = p.stat()
            except OSError:
                continue
            out.append([p.relative_to(priv).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def snapshot(root: Path, data_files: Iterable[Path | str]) -> dict[str, Any]:
    """Everything the stamp compares, for the tree at ``root`` and the catalogued
    ``data_files`` (absolute, or relative to ``root``)."""
    files: dict[str, str | None] = {}
    for tree in TREES:
        for rel in _tree_files(root, tree):
            files[rel] = _digest(root / rel)
    for f in (*FILES, *data_files):
        p = root / f
        rel = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
        files[rel] = _digest(p)
    env = {k: v for k, v in os.environ.items() if k.startswith("ANALYSIS_")}
    return {"root": str(root), "python": [sys.executable, sys.version], "env": env,
            "files": files, "private": _private(root)}


def stamp_file(root: Path, edition: str, only: list[str] | None,
               build_dir: Path | None) -> Path:
    """Where the stamp of one kind of build lives: in the build folder's cache (``_build`` when
    no ``--build-dir`` is given), one file per region, edition and ``--only`` selection."""
    base = Path(build_dir) if build_dir is not None else root / "_build"
    region = os.environ.get("ANALYSIS_REGION") or ""
    name = (f"{region}-" if region else "") + str(edition) + ("" if only is None else "--only-" + hashlib.sha256(
        ",".join(only).encode()).hexdigest()[:12])
    return base.resolve() / "cache" / "stamps" / f"{name}.json"


def published_editions(root: Path, region_dir: Path | None, edition: str) -> list[str]:
    """The editions a page of ``edition`` links to: those of ``params/`` whose book is published
    in ``region_dir`` (``<build dir>/html/<region>``; a ``manifest.json`` in its edition folder),
    and ``edition`` itself. ``None`` (a partial build, published elsewhere): ``edition`` only.
    A link to an edition that was never built would lead nowhere."""
    eds = {str(edition)}
    if region_dir is not None:
        eds |= {p.stem for p in (root / "params").glob("[0-9]*.yml")
                if (region_dir / p.stem / "manifest.json").is_file()}
    return sorted(eds)


def write(path: Path, snap: dict[str, Any], *, target: Path, build_key: str, headline: str,
          notebooks: int, editions_dir: Path | None = None,
          editions: list[str] | None = None) -> None:
    """Record a successful build (atomically; a lost race only costs a slower next build):
    its ``snap`` (:func:`snapshot`, taken before the build read anything), the published
    ``target`` and its ``build_key``, what an up-to-date build prints (``headline``, the
    number of ``notebooks``) and the ``editions`` its pages link to, published in
    ``editions_dir`` (:func:`published_editions`): another edition published or removed there
    makes the book out of date."""
    body = {"version": STAMP_VERSION, "snapshot": snap, "target": str(target),
            "build_key": build_key, "headline": headline, "notebooks": notebooks,
            "editions_dir": None if editions_dir is None else str(editions_dir),
            "editions": editions}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def _landing_current(html_root: Path) -> bool:
    """The landing page exists and is not older than any edition's manifest."""
    try:
        t = (html_root / "index.html").stat().st_mtime_ns
        return all(m.stat().st_mtime_ns <= t for m in html_root.glob("*/*/manifest.json"))
    except OSError:
        return False


def up_to_date(root: Path, edition: str, only: list[str] | None,
               build_dir: Path | None) -> dict[str, Any] | None:
    """The stamp of the last build if nothing it covers has changed and its book is still
    published; else None (build the ordinary way)."""
    try:
        st = json.loads(stamp_file(root, edition, only, build_dir).read_text(encoding="utf-8"))
        if st.get("version") != STAMP_VERSION:
            return None
        old = st["snapshot"]
        target = Path(st["target"])
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if manifest.get("build_key") != st.get("build_key"):
        return None
    if old.get("root") != str(root) or old.get("python") != [sys.executable, sys.version]:
        return None
    if old.get("env") != {k: v for k, v in os.environ.items() if k.startswith("ANALYSIS_")}:
        return None
    trees = {rel for t in TREES for rel in _tree_files(root, t)}
    recorded = old.get("files", {})
    if not trees <= set(recorded) or any(
            rel.startswith(tuple(t + "/" for t in TREES)) and rel not in trees for rel in recorded):
        return None  # a file was added to or removed from one of the folders
    for rel, digest in recorded.items():
        if digest is None or _digest(root / rel) != digest:
            return None
    if old.get("private") != _private(root):
        return None
    if only is None and not _landing_current(target.parent.parent):
        return None
    eds_dir = st.get("editions_dir")
    if st.get("editions") != published_editions(root, None if eds_dir is None else Path(eds_dir),
                                                 edition):
        return None  # an edition was published beside it (or removed): its links change
    return st


def selection(only: str | None, areas: str | None) -> list[str] | None:
    """What a partial build holds, as one list for its stamp's name: the ``--only`` stems and the
    ``--areas`` codes (``@<code>``); None for the whole book."""
    if only is None and areas is None:
        return None
    return ([s.strip() for s in (only or "").split(",") if s.strip()]
            + ["@" + a.strip() for a in (areas or "").split(",") if a.strip()])


def apply_region(argv: list[str]) -> None:
    """The command line's ``--region`` (a län code or name, or ``riket``) becomes this process's
    region (``ANALYSIS_REGION``, read by :mod:`analysis.core.geo` when it is first imported),
    before anything imports that module; every kernel and worker the build starts inherits it."""
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--region", default=None)
    args, _ = ap.parse_known_args(argv)
    if args.region is None:
        return
    if "analysis.core.geo" in sys.modules:
        raise RuntimeError("--region must be applied before analysis.core.geo is imported")
    try:
        regions.region(args.region)
    except KeyError as exc:
        print(f"build: error: --region: {exc.args[0]}", file=sys.stderr)
        sys.exit(2)
    os.environ["ANALYSIS_REGION"] = args.region


def exit_if_up_to_date(argv: list[str]) -> None:
    """The command line's first step: for ``book`` without ``--force``, print what an unchanged
    build prints and exit 0 if :func:`up_to_date`; otherwise return (and the build runs)."""
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("cmd")
    ap.add_argument("--edition", default="2019")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--build-dir", type=Path, default=None)
    ap.add_argument("--only", default=None)
    ap.add_argument("--areas", default=None)
    ap.add_argument("--region", default=None)
    # where notebooks would run does not change what an up-to-date book holds
    ap.add_argument("--executor", default=None)
    ap.add_argument("--scheduler", default=None)
    try:
        args, rest = ap.parse_known_args(argv)
        root = project_root()
    except (SystemExit, FileNotFoundError):
        return
    if args.cmd != "book" or args.force or rest:
        return
    only = selection(args.only, args.areas)
    st = up_to_date(root, args.edition, only, args.build_dir)
    if st is None:
        return
    print(report(st), flush=True)
    sys.exit(0)


def report(st: dict[str, Any]) -> str:
    """What an up-to-date build says (the lines the full check prints)."""
    n = st["notebooks"]
    return (f"{st['headline']}\n"
            f"Notebooks: {n} in the edition, {n} unchanged (cached), 0 to execute\n"
            f"Nothing changed since the last build: {st['target']} is up to date.")
