"""Build the book: validate the edition, execute the notebooks with papermill, assemble, publish.

Usage (the Makefile wraps this)::

    python -m analysis.book.build book --edition 2019 -j 2

A rebuild with nothing changed is answered by :mod:`analysis.book.stamp` before this module's
heavy imports (well under a second); anything else goes through the steps below.

Steps
-----
1. Validate ``params/<edition>.yml`` (pydantic, :mod:`analysis.book.params`), and that every
   dataset the notebooks declare and the catalogue marks ``edition_year: need: required`` holds
   the edition's year (:func:`analysis.book.params.check_edition_data`).
2. Plan one job per chapter notebook and one per area for each profile template. A job's key is
   the hash of the notebook text, its parameters, the md5 of every dataset it declares in its
   front matter (``analysis: inputs:``), the code in ``src/analysis`` and this build's version.
3. Execute jobs whose key has no finished result in ``_build/cache/`` with papermill, ``-j`` at a
   time, the edition's and the previous edition's (for "what changed") on one pool of warm
   workers started before the inputs are checked, longest first (:func:`execute_editions`).
   A failing cell stops the build with the notebook, the cell and the traceback.
   Every code cell of every executed notebook must have run (a kernel that fails to start can
   leave a "completed" notebook without outputs). As soon as the edition's own notebooks are
   done, the disclosure audit (:mod:`analysis.book.audit`) attacks every published CSV file
   and stops the build if a withheld cell can be derived; its suppression log becomes a page.
4. Assemble a staging copy of the book source (``_config.yml``, ``_toc.yml``, ``book/`` and the
   executed notebooks under ``book/_generated/``) and run ``jupyter-book build -W -n --keep-going``.
5. Publish atomically: only when everything succeeded is ``_build/html/<region>/<edition>/``
   replaced (``<region>`` is the region's folder name: ``orebro-lan``, ``uppsala-lan``, ``riket``).
   A landing page ``_build/html/index.html`` lists the regions and their editions.

The region (``--region``, default Örebro län) is fixed for the whole process and every kernel
it starts (:mod:`analysis.core.geo`); notebooks whose ``analysis: needs:`` names material the
region lacks are left out of its book (:func:`analysis.book.jobs.plan`).

Why one module
--------------
It is the build's one sequence: the steps above share the edition's state (its jobs, cache,
build key, staging folder and what must be cleaned up on failure), and reading them in order in
one place is how a failure is traced. Everything that stands alone lives elsewhere: the stamp
(:mod:`~analysis.book.stamp`), jobs and keys (:mod:`~analysis.book.jobs`), executing notebooks
(:mod:`~analysis.book.execute`, :mod:`~analysis.book.kernelpool`), the audit, the generated
pages and the PDFs.
"""

# ruff: noqa: E402 - the command line asks the stamp before the heavy imports below
from __future__ import annotations

import sys

from analysis.book import stamp

if __name__ == "__main__":  # a rebuild with nothing changed answers before importing pandas & co.
    stamp.apply_region(sys.argv[1:])  # --region: this process's region, before geo is imported
    stamp.exit_if_up_to_date(sys.argv[1:])

import argparse
import concurrent.futures as cf
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.book import (
    audit,
    bookpages,
    datapackage,
    execute,
    prepare,
    printpdf,
    readerlint,
    safety,
    whatchanged,
)
from analysis.book.dask_executor import executor_for
from analysis.book.execute import (
    KernelStartFailed,
    NotebookFailed,
    fmt_secs,
    prepare_job,
    run_jobs,
    start_pool,
    strip_ansi,
    work_cache,
)
from analysis.book.jobs import (
    BUILD_VERSION,
    Job,
    applies,
    code_hash,
    code_hash_for,
    code_key,
    job_key,
    plan,
)
from analysis.book.params import (
    EditionParams,
    check_chapters,
    check_edition_data,
    check_inputs,
    check_parameter_names,
    load_edition,
)
from analysis.core import cli, codehash, geo, paths
from analysis.core.errors import InputError
from analysis.sources import catalog

# --------------------------------------------------------------------------- indicators
#: Modules that shape the HTML besides the notebooks (with what they import; see static_hash).
PIPELINE_MODULES = ("analysis.book.bookpages", "analysis.book.whatchanged",
                    "analysis.book.sphinx_offline", "analysis.book.sphinx_swedish",
                    "analysis.book.readerlint", "analysis.book.audit", "analysis.book.printpdf")


def chapter_jobs(jobs: list[Job]) -> list[Job]:
    """The chapter notebooks (not the profile fan-out) of a plan."""
    return [j for j in jobs if j.target_dir == "."]


def collect_indicators(jobs: list[Job], cache: Path) -> pd.DataFrame:
    """Key indicators recorded by the chapters (``<stem>_files/indicators.csv``)."""
    import pandas as pd

    parts = []
    for j in chapter_jobs(jobs):
        f = cache / j.key / f"{j.stem}_files" / "indicators.csv"
        if f.exists():
            parts.append(pd.read_csv(f, dtype={"area_code": str, "period": str}).assign(chapter=j.stem))
    if not parts:
        return pd.DataFrame(columns=["indicator_id", "indicator", "area_code", "period", "value",
                                     "lower", "upper", "unit", "chapter"])
    return pd.concat(parts, ignore_index=True)


def previous_edition_jobs(root: Path, ed: EditionParams) -> tuple[EditionParams | None, list[Job]]:
    """The previous edition's chapter jobs (for the comparison page), with their keys."""
    if ed.previous_edition is None:
        return None, []
    prev = load_edition(root / "params" / f"{ed.previous_edition}.yml")
    if ed.chapters is not None:
        prev = prev.model_copy(update={"chapters": ed.chapters})
    jobs = chapter_jobs(plan(root, prev))
    for j in jobs:
        j.key = job_key(root, j)
    return prev, jobs


# --------------------------------------------------------------------------- assembling
def _filter_toc(toc: Any, exists) -> Any:
    """Drop toc entries whose file does not exist (e.g. a smoke edition with fewer chapters)."""
    if isinstance(toc, dict):
        out = {}
        for k, v in toc.items():
            if k in ("chapters", "sections", "parts"):
                items = [_filter_toc(x, exists) for x in v]
                items = [x for x in items if x]
                if items:
                    out[k] = items
                elif k == "sections":
                    return None  # an index page whose pages were all left out
            else:
                out[k] = v
        if "file" in out and not exists(out["file"]):
            return None
        if "glob" in out and not exists(out["glob"]):
            return None
        if set(out) <= {"caption", "numbered"}:  # a part left without chapters
            return None
        return out
    return toc


def copy_notebook(src: Path, dst: Path) -> None:
    """Copy an executed notebook without papermill's local paths (``input_path``,
    ``output_path``): the notebooks are published for download and must not name the
    analyst's folders.

    Raises
    ------
    InputError
        If the cached notebook is not valid JSON (a truncated cache entry).
    """
    try:
        nb = json.loads(src.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(src), f"the cached notebook is damaged ({exc}); run again (the "
                         "entry is discarded) or with --force") from None
    pm = nb.get("metadata", {}).get("papermill")
    if isinstance(pm, dict):
        for k in ("input_path", "output_path", "cwd"):
            if pm.get(k):
                pm[k] = Path(str(pm[k])).name
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def assemble(root: Path, stage: Path, jobs: list[Job], cache: Path, ed: EditionParams,
             manifest: dict[str, Any], comparison: pd.DataFrame | None = None,
             extra_pages=None, editions: list[str] | None = None) -> None:
    """Write the staging book source: config, toc, static pages, executed notebooks, generated pages.

    ``extra_pages(gen)``, if given, writes further generated pages into ``book/_generated``
    (before the table of contents is checked against the pages). ``editions``: the editions
    the pages link to (:func:`analysis.book.stamp.published_editions`; default every edition
    in ``params/``)."""

    if stage.exists():
        shutil.rmtree(stage)
    (stage / "book").mkdir(parents=True)
    values = bookpages.region_values(root, geo.REGION)
    for p in (root / "book").iterdir():
        if p.name == "_generated":
            continue
        dst = stage / "book" / p.name
        if p.suffix == ".md":  # the region's version of the page, or none (bookpages.stage_static)
            page = bookpages.stage_static(p.read_text(encoding="utf-8"), geo.REGION, values)
            if page is not None:
                dst.write_text(page, encoding="utf-8")
            continue
        shutil.copytree(p, dst) if p.is_dir() else shutil.copy2(p, dst)
    if (root / "_static").is_dir():
        shutil.copytree(root / "_static", stage / "_static")
    gen = stage / "book" / "_generated"
    for job in jobs:
        src = cache / job.key
        dst = stage / Path(job.target).parent
        dst.mkdir(parents=True, exist_ok=True)
        copy_notebook(src / f"{job.stem}.ipynb", dst / f"{job.stem}.ipynb")
        files = src / f"{job.stem}_files"
        if files.exists():
            shutil.copytree(files, dst / f"{job.stem}_files", dirs_exist_ok=True)
    bookpages.write_generated_pages(root, gen, ed, manifest, comparison)
    if extra_pages is not None:
        extra_pages(gen)
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cfg["title"] = ed.title
    sc = cfg.setdefault("sphinx", {}).setdefault("config", {})
    sc["analysis_edition"] = str(ed.edition)  # the edition bar (analysis.book.sphinx_swedish)
    sc["analysis_reference_year"] = str(ed.edition)  # the printed pages' head (same extension)
    sc["analysis_editions"] = (sorted(p.stem for p in (root / "params").glob("[0-9]*.yml"))
                               if editions is None else list(editions))
    # who the printed pages' foot names (analysis.book.sphinx_swedish.print_header)
    sc["analysis_publisher"] = geo.REGION.utgivare or geo.REGION.titel
    if ed.chapters is not None or ed.areas is not None:
        # A partial build leaves pages out: links to them cannot resolve, so they are not checked.
        sc = cfg.setdefault("sphinx", {}).setdefault("config", {})
        sc["suppress_warnings"] = [*sc.get("suppress_warnings", []), "ref.doc", "ref.ref",
                                   "ref.any", "myst.xref_missing"]
    (stage / "_config.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def exists(f: str) -> bool:
        if "*" in f:
            return any(stage.glob(f"{f}.md")) or any(stage.glob(f"{f}.ipynb"))
        return any((stage / f"{f}{s}").exists() for s in (".md", ".ipynb", ""))

    toc = _filter_toc(toc, exists)
    (stage / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")


def run_jupyter_book(stage: Path, out: Path, log=print, log_file: Path | None = None) -> None:
    """Run ``jupyter-book build`` strictly; raise with the log's tail if it fails."""
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going",
           "--builder", "html"]
    log("Running jupyter-book (strict: warnings fail the build) …")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ,
                                                                     "PYTHONHASHSEED": "0"})
    log_file = log_file or out / "jupyter-book.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    if proc.returncode != 0 or not (out / "_build" / "html" / "index.html").exists():
        warn = [ln for ln in (proc.stdout + proc.stderr).splitlines()
                if "WARNING" in ln or "ERROR" in ln or "Error" in ln]
        tail = "\n".join(warn[-40:] or (proc.stdout + proc.stderr).splitlines()[-40:])
        raise NotebookFailed(
            f"jupyter-book build failed (exit {proc.returncode}). Full log: "
            f"{log_file}\n{strip_ansi(tail)}\nNothing was published; the previous book is "
            "unchanged."
        )
    log(f"  jupyter-book done in {fmt_secs(time.perf_counter() - t0)}")


def publish(built_html: Path, target: Path) -> None:
    """Replace ``target`` by ``built_html`` with two renames; the old book stays until then."""
    target.parent.mkdir(parents=True, exist_ok=True)
    trash = target.parent / f".old-{target.name}-{os.getpid()}"
    if target.exists():
        target.rename(trash)
    try:
        built_html.rename(target)
    except BaseException:
        if trash.exists() and not target.exists():
            trash.rename(target)
        raise
    shutil.rmtree(trash, ignore_errors=True)


# --------------------------------------------------------------------------- orchestration
SOURCE_DIRS = ("notebooks", "data", "src", "book", "params", "_static")
SOURCE_FILES = ("_config.yml", "_toc.yml")


def copy_sources(root: Path, dst: Path) -> Path:
    """Copy everything the build reads into ``dst`` (writable), e.g. for tests and benchmarks
    that change a data file without touching the repository."""
    for part in SOURCE_DIRS:
        if (root / part).exists():
            shutil.copytree(root / part, dst / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for f in SOURCE_FILES:
        shutil.copy(root / f, dst / f)
    for p in dst.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dst
def git_commit(root: Path) -> str:
    """The current git commit (with ``-dirty`` if the work tree has changes), or ``unknown``."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def static_hash(root: Path, params_file: Path) -> str:
    """Hash of everything besides notebooks that shapes the published book."""
    h = hashlib.sha256()
    files = [root / "_config.yml", root / "_toc.yml", params_file, root / "data" / "catalog.yml"]
    files += sorted((root / "data" / "catalog.d").glob("*.yml"))
    files += sorted(p for p in (root / "book").rglob("*")
                    if p.is_file() and "_generated" not in p.parts)
    files += sorted(p for p in (root / "_static").rglob("*") if p.is_file())
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    # The modules that assemble pages (not notebooks) shape the HTML too: this module and
    # everything it imports (the page writers, "what changed", the Sphinx extension).
    h.update(codehash.code_hash([__name__, *PIPELINE_MODULES], root / "src" / "analysis").encode())
    h.update(BUILD_VERSION.encode())
    return h.hexdigest()


def build_book(root: Path, edition: str, workers: int = 2, force: bool = False,
               log=print, build_dir: Path | None = None, only: list[str] | None = None,
               executor=None, areas: list[str] | None = None) -> Path:
    """Build one edition end to end; return the published folder.

    ``executor`` runs the notebook jobs (the signature of :func:`analysis.book.execute.run_jobs`,
    the default: local processes; :class:`analysis.book.dask_executor.DaskExecutor` runs them on
    a Dask cluster).

    ``build_dir`` (default ``_build``; ``_build/private`` when confidential data are in place,
    :func:`analysis.book.safety.confidential_inputs`) holds the cache, staging and published HTML; ``only``
    restricts the build to some notebook stems (for quick iterations while writing a chapter).
    A partial build (``only`` or ``chapters:`` in the parameters) is published to
    ``<build_dir>/partial/<edition>``, never over the edition's book in ``html/``.

    Raises
    ------
    InputError
        Before anything runs: invalid parameters, an edition that does not match its file
        name, unknown chapter stems, notebook parameters that differ from the edition's,
        missing data; after the run: pages that would publish local paths.
    NotebookFailed
        A notebook failed (nothing is published).
    """
    t_start = time.perf_counter()
    selected = None if only is None and areas is None else [*(only or []),
                                                            *(f"@{a}" for a in areas or [])]
    stamp_file = stamp.stamp_file(root, edition, selected, build_dir)
    if not force:
        last = stamp.up_to_date(root, edition, selected, build_dir)
        if last is not None:
            log(stamp.report(last))
            return Path(last["target"])
    params_file = root / "params" / f"{edition}.yml"
    ed = load_edition(params_file)
    rel_params = str(params_file.relative_to(root))
    region_stems = [md.stem for md in sorted((root / "notebooks").glob("*.md")) if applies(md)]
    check_chapters(root, ed.chapters, rel_params, region_stems)
    if only is not None:
        check_chapters(root, only, "--only", region_stems)
        ed = ed.model_copy(update={"chapters": list(only)})
    if areas is not None:
        unknown = [a for a in areas if a not in geo.KOMMUNER and a not in geo.FORBUND]
        if unknown:
            raise InputError("--areas", f"not a kommun or förbund of {geo.LAN_NAMN}: "
                             f"{', '.join(unknown)}")
        ed = ed.model_copy(update={"areas": list(areas)})
    partial = ed.chapters is not None or ed.areas is not None
    log(f"Edition {edition}: {ed.title}  (parameters {rel_params} are valid)")
    confidential = safety.confidential_inputs(root)
    build_dir = safety.choose_build_dir(root, build_dir, confidential, log)
    safety.CLEANUP.build_dir = build_dir
    # A cold build (no executed notebook kept): the workers start now and their zygotes import
    # the libraries beside the checks and keys below, not after them (execute_editions takes
    # the pool over; stopped here if the build ends before)
    early = (start_pool(workers) if executor is None
             and not any((build_dir / "cache" / "notebooks").glob("*/job.json")) else None)
    try:
        bookpages.registry.registry()  # the indicator registry is valid before anything runs
        problems = catalog.verify(root)
        if problems:
            raise InputError("data/catalog.yml", "catalogued files are missing or changed:\n  "
                             + "\n  ".join(problems))
        # what this build reads, before it reads it; recorded when it has succeeded
        snap = stamp.snapshot(root, [f for _, f, _ in catalog.all_files(root)])
        headline = f"Edition {edition}: {ed.title}  (parameters {rel_params} are valid)"
        jobs = plan(root, ed)
        check_parameter_names(sorted({root / j.source for j in jobs}), root,
                              memo=build_dir / "cache" / "checked-parameters.json")
        check_edition_data(root, ed, [name for j in jobs for name in j.inputs])
        safety.clean_stale(build_dir, log)
        code = {j.source: code_hash_for(root, root / j.source, j.inputs) for j in jobs}
        for j in jobs:
            j.key = job_key(root, j, code[j.source])
            j.extra["code_key"] = code_key(root, j, code[j.source])
        cache = build_dir / "cache" / "notebooks"
        cache.mkdir(parents=True, exist_ok=True)
        if partial:
            target = build_dir / safety.PARTIAL / geo.REGION.slug / edition
            log(f"Partial build ({', '.join(ed.chapters or [])}): published to {target}, not "
                f"over the edition's book in {build_dir / 'html' / geo.REGION.slug / edition}.")
        else:
            target = build_dir / "html" / geo.REGION.slug / edition
        failed_root = (root / safety.PRIVATE_BUILD if confidential else build_dir) / "failed"
        prev_ed, prev_jobs = previous_edition_jobs(root, ed)
        # the editions the pages link to ("Samma sida i utgåva …"): only those published
        editions_dir = None if partial else build_dir / "html" / geo.REGION.slug
        editions = stamp.published_editions(root, editions_dir, edition)
        build_key = hashlib.sha256(
            json.dumps([j.key for j in jobs] + [j.key for j in prev_jobs]
                       + [static_hash(root, params_file), editions]).encode()
        ).hexdigest()[:24]
        old_manifest = target / "manifest.json"
        if force:
            for j in jobs:
                shutil.rmtree(cache / j.key, ignore_errors=True)
        elif old_manifest.exists():
            try:
                same = json.loads(old_manifest.read_text(encoding="utf-8")).get("build_key") == build_key
            except (json.JSONDecodeError, UnicodeDecodeError):
                same = False
            if same:
                log(f"Notebooks: {len(jobs)} in the edition, {len(jobs)} unchanged (cached), "
                    "0 to execute")
                log(f"Nothing changed since the last build: {target} is up to date.")
                if not partial:
                    write_landing_page(build_dir / "html")
                stamp.write(stamp_file, snap, target=target, build_key=build_key, headline=headline,
                            notebooks=len(jobs), editions_dir=editions_dir, editions=editions)
                return target
        safety.discard_damaged(cache, jobs + prev_jobs, log)
        suppression_log, audit_findings = execute_editions(
            root, ed, jobs, prev_ed, prev_jobs, cache, build_dir, failed_root, workers, log,
            executor=executor, pool=early)
        early = None
    finally:
        if early is not None:
            stop_pool(early)
    comparison = None
    if prev_ed is not None and prev_jobs:  # (a partial build may hold none of its chapters)
        comparison = whatchanged.compare(collect_indicators(prev_jobs, cache),
                                         collect_indicators(jobs, cache))
    manifest = make_manifest(root, ed, params_file, jobs, cache, build_key)
    stage_root = build_dir / "staging" / f"{edition}-{os.getpid()}"
    safety.CLEANUP.paths.append(stage_root)
    try:
        workbooks: list[datapackage.PendingWorkbook] = []  # written while Jupyter Book runs
        with work_cache_env(cache):  # the generated pages' tables, as validated before
            assemble(root, stage_root / "src", jobs, cache, ed, manifest, comparison,
                     editions=editions,
                     extra_pages=lambda gen: (
                         audit.write_log_page(gen, suppression_log, audit_findings, ed.edition),
                         # last: the package holds every table staged so far, the log's too
                         datapackage.write_package(gen, ed.edition, manifest, later=workbooks)))
        run_jupyter_book(stage_root / "src", stage_root / "out", log=log,
                         log_file=build_dir / "logs" / f"jupyter-book-{edition}.log")
        html = stage_root / "out" / "_build" / "html"
        for wb in workbooks:
            wb.finish(html)
        # one A4 PDF per profile, beside its page: printed by the browser while the pages are
        # checked here (the checks read no PDF)
        printing = (printpdf.start_printing(html, root / "_static" / "print.css", log=log)
                    if printpdf.profile_pages(html) else None)
        try:
            check_site(html, root, target, ed.title, manifest)
        except Exception:
            if printing is not None:
                cf.wait([printing])  # the browser is done with the staged pages
            raise
        if printing is not None:
            printing.result()  # a profile too long for its pages stops the build here
            leaks = safety.local_path_leaks(html, root, suffixes=(".pdf",))
            if leaks:
                raise InputError(str(target), "the printed profiles name local paths, which "
                                 "would be published: " + "; ".join(leaks[:5])
                                 + ". Nothing was published")
        publish(html, target)
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)
        if stage_root in safety.CLEANUP.paths:
            safety.CLEANUP.paths.remove(stage_root)
    if not partial:
        write_landing_page(build_dir / "html")
    stamp.write(stamp_file, snap, target=target, build_key=build_key, headline=headline,
                notebooks=len(jobs), editions_dir=editions_dir, editions=editions)
    log(f"Published {target}/index.html in "
        f"{fmt_secs(time.perf_counter() - t_start)}")
    return target


def check_site(html: Path, root: Path, target: Path, title: str, manifest: dict[str, Any]
               ) -> None:
    """The built HTML's last checks and files before it is published: reader pages without
    developer material or English, the Swedish root redirect, the manifest, and no local path
    in any page.

    Raises
    ------
    NotebookFailed
        A reader page breaks a rule of :mod:`analysis.book.readerlint`.
    InputError
        A page names a local path.
    """
    lint = readerlint.site_problems(html)
    if lint:
        raise NotebookFailed("reader pages show developer material or English (move it to "
                             "the analyst page):\n  " + "\n  ".join(lint[:40])
                             + "\nNothing was published; the previous book is unchanged.")
    # Jupyter Book's root redirect has no <html lang>; write a complete Swedish one.
    (html / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta http-equiv="Refresh" content="0; url=book/intro.html">'
        '<link rel="icon" href="_static/favicon.png">'
        f"<title>{title}</title></head><body><p>Boken finns på "
        '<a href="book/intro.html">startsidan</a>.</p></body></html>\n', encoding="utf-8")
    (html / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                        encoding="utf-8")
    (html / ".nojekyll").write_text("", encoding="utf-8")
    leaks = safety.local_path_leaks(html, root, [os.environ[k] for k in safety.CONFIDENTIAL_ENV
                                                 if os.environ.get(k)])
    if leaks:
        raise InputError(str(target), "the built pages name local paths, which would be "
                         "published: " + "; ".join(leaks[:5])
                         + (f" and {len(leaks) - 5} more" if len(leaks) > 5 else "")
                         + ". Nothing was published")


_WORK_CACHE_ENV = {"lock": threading.Lock(), "depth": 0, "saved": None}


@contextlib.contextmanager
def work_cache_env(cache: Path):
    """``$ANALYSIS_WORK_CACHE`` set to the build's work cache while the block runs (restored
    when the last such block ends: the audit and the shared-data preparation may overlap in
    threads of the build process): :func:`analysis.sources.catalog.load` in the build process
    then reads the tables the input check validated and kept, as the kernels do (the same
    frames), instead of validating them again."""
    st = _WORK_CACHE_ENV
    with st["lock"]:
        if st["depth"] == 0:
            st["saved"] = os.environ.get(paths.ENV_WORK_CACHE)
            os.environ[paths.ENV_WORK_CACHE] = str(work_cache(cache))
        st["depth"] += 1
    try:
        yield
    finally:
        with st["lock"]:
            st["depth"] -= 1
            if st["depth"] == 0:
                if st["saved"] is None:
                    os.environ.pop(paths.ENV_WORK_CACHE, None)
                else:
                    os.environ[paths.ENV_WORK_CACHE] = st["saved"]


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool's workers now (their zygotes and kernels die with them)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def execute_editions(root: Path, ed: EditionParams, jobs: list[Job], prev_ed: EditionParams | None,
                     prev_jobs: list[Job], cache: Path, build_dir: Path, failed_root: Path,
                     workers: int, log=print, executor=None,
                     pool: cf.ProcessPoolExecutor | None = None) -> tuple[pd.DataFrame, list]:
    """Check the inputs and execute the edition's notebooks and the previous edition's chapters
    on one pool of warm workers; audit the edition's tables as soon as its own notebooks are
    done (while the previous edition's still run). Returns the audit's suppression log and
    findings.

    The workers (and their kernel zygotes) start before the inputs are checked, so their
    imports overlap with that check; all notebooks of both editions share the two workers,
    longest first. A failing notebook stops the build as before (:func:`run_jobs`).

    ``executor`` (e.g. :class:`analysis.book.dask_executor.DaskExecutor`) runs the jobs instead
    of the local warm pool: the edition's notebooks, the audit, then the previous edition's.
    ``pool`` (:func:`~analysis.book.execute.start_pool`, started early by a cold build) is used
    instead of starting one, and shut down here in every case.
    """
    if executor is not None:
        if pool is not None:
            stop_pool(pool)
        check_inputs(root, [name for j in jobs + prev_jobs for name in j.inputs],
                     memo=build_dir / "cache" / "checked-inputs.json")
        executor(root, jobs, cache, failed_root / str(ed.edition), workers, log=log)
        # Before anything is published: no withheld cell may be derivable from the CSVs.
        result = audit.run(jobs, cache, ed.edition, log=log)
        if prev_ed is not None:
            log(f"Previous edition {prev_ed.edition}, for the comparison page:")
            executor(root, prev_jobs, cache, failed_root / str(prev_ed.edition), workers, log=log)
        return result
    all_jobs = jobs + prev_jobs
    todo = [j for j in all_jobs if not (cache / j.key / "job.json").exists()]
    for j in prev_jobs:
        j.extra["failed_dir"] = str(failed_root / str(prev_ed.edition if prev_ed else ""))
    for j in jobs:
        j.extra["failed_dir"] = str(failed_root / str(ed.edition))
    if pool is not None and not todo:  # started early, nothing to execute after all
        stop_pool(pool)
        pool = None
    elif pool is None and todo:
        pool = start_pool(workers)
    ok = False
    try:
        with work_cache_env(cache):  # the validated tables, kept for the kernels
            check_inputs(root, [name for j in all_jobs for name in j.inputs],
                         memo=build_dir / "cache" / "checked-inputs.json")

        def announce(js: list[Job]) -> None:
            n = sum(not (cache / j.key / "job.json").exists() for j in js)
            log(f"Notebooks: {len(js)} in the edition, {len(js) - n} unchanged (cached), "
                f"{n} to execute with {workers} worker(s)")

        announce(jobs)
        if prev_ed is not None:
            log(f"Previous edition {prev_ed.edition}, for the comparison page:")
            announce(prev_jobs)
        here = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare")
        if pool is not None:  # the profiles' shared data, built once before the notebooks
            for fut in prepare_shared(pool, root, all_jobs, cache, workers,
                                      here=lambda parts, params: here.submit(
                                          _prepare_here, parts, params, cache)):
                fut.add_done_callback(lambda f, parts=fut.parts: _report_prepared(f, parts, log))
        here.shutdown(wait=False)  # its part runs on; joined below
        stop = threading.Event()

        def audit_when_done() -> tuple[pd.DataFrame, list]:
            # Before anything is published: no withheld cell may be derivable from the
            # edition's CSVs. Starts when the edition's own notebooks are all done.
            def done() -> bool:
                return all((cache / j.key / "job.json").exists() for j in jobs)

            while not done():
                # stopped: all notebooks ran (then done() is true now) or one failed
                if stop.wait(0.5) and not done():
                    raise NotebookFailed("the audit did not run: the notebooks stopped")
            with work_cache_env(cache):  # the tables it loads, as validated for the kernels
                return audit.run(jobs, cache, ed.edition, log=log)

        with cf.ThreadPoolExecutor(max_workers=1) as side:
            audited = side.submit(audit_when_done)
            try:
                run_jobs(root, all_jobs, cache, failed_root / str(ed.edition), workers,
                         log=log, pool=pool, announce=False)
            finally:
                stop.set()
            result = audited.result()
        here.shutdown(wait=True)
        ok = True
        return result
    finally:
        if pool is not None:
            if ok:
                pool.shutdown(wait=True, cancel_futures=True)
            else:  # stopped before or while executing: no worker outlives the failure
                stop_pool(pool)


def prepare_shared(pool: cf.ProcessPoolExecutor, root: Path, jobs: list[Job], cache: Path,
                   workers: int, here=None) -> list[cf.Future]:
    """Submit the :mod:`analysis.book.prepare` groups to ``pool`` (before the notebooks, so the
    workers run them first) for every edition with at least
    :data:`~analysis.book.prepare.MIN_USERS` kommun profiles to execute; the futures.

    With ``here`` (``here(parts, params) -> Future``: the build process, which waits for its
    workers anyway) the first group runs there, at once, while the workers' zygotes may still
    be importing, and the others go to the workers."""
    todo = [j for j in jobs if j.source == prepare.TEMPLATE
            and not (cache / j.key / "job.json").exists()]
    by_edition: dict[Any, list[Job]] = {}
    for j in todo:
        by_edition.setdefault(j.params.get("edition"), []).append(j)
    futs = []
    for users in by_edition.values():
        if len(users) < prepare.MIN_USERS:
            continue
        first = users[0]
        params = {k: v for k, v in first.params.items() if k != "area_code"}
        groups = prepare.groups(workers + (here is not None))
        for i, parts in enumerate(groups):
            if i == 0 and here is not None:
                fut = here(list(parts), params)
            else:
                fut = pool.submit(prepare_job, str(root), list(parts), params,
                                  list(first.inputs), str(cache))
            fut.parts = list(parts)  # for the progress line
            futs.append(fut)
    return futs


def _prepare_here(parts: list[str], params: dict[str, Any], cache: Path) -> dict[str, Any]:
    """:func:`analysis.book.prepare.run` in the build process (a thread of it), reading the
    tables validated for the kernels; the result of :func:`~analysis.book.execute.prepare_job`."""
    t0 = time.perf_counter()
    with work_cache_env(cache):
        res = prepare.run(parts, params)
    return {**res, "parts": parts, "seconds": round(time.perf_counter() - t0, 2)}


def _report_prepared(fut: cf.Future, parts: list[str], log) -> None:
    """The progress line of a :func:`~analysis.book.execute.prepare_job` (of ``parts``) that
    ended."""
    if fut.cancelled():
        return
    try:
        res = fut.result()
    except Exception as exc:  # noqa: BLE001 - a worker lost while preparing: notebooks do it
        res = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "seconds": 0}
    if res.get("skipped"):
        return
    what = ", ".join(parts)
    if res.get("ok"):
        log(f"  shared data prepared: {what} ({fmt_secs(res['seconds']).strip()})")
    else:
        log(f"  note: preparing the shared data ({what}) failed, the notebooks build what they "
            f"need themselves: {res.get('error', '')}")


def make_manifest(root: Path, ed: EditionParams, params_file: Path, jobs: list[Job],
                  cache: Path, build_key: str) -> dict[str, Any]:
    """What an edition was built from: parameters, catalogue entries with md5, commit, notebooks."""
    used: set[str] = set()
    for j in jobs:
        log = cache / j.key / "inputs.log"
        if log.exists():
            used |= {ln.split("\t")[0] for ln in log.read_text(encoding="utf-8").splitlines() if ln}
        used |= set(j.inputs)
    datasets = []
    for name in sorted(used):
        if not catalog.available(name, root):  # declared by a template, not this region's
            continue
        e = catalog.resolve(name, root)  # the file the region read
        datasets.append({k: e.get(k) for k in ("name", "title", "producer", "relpath", "md5",
                                                "date_published", "licence", "commit")})
    return {
        "edition": ed.edition,
        "region": {"kod": geo.REGION.kod, "namn": geo.REGION.namn, "slug": geo.REGION.slug},
        "title": ed.title,
        "published": ed.published,
        "params_file": str(params_file.relative_to(root)),
        "params": ed.model_dump(),
        "git_commit": git_commit(root),
        "build_key": build_key,
        "code_hash": code_hash(root)[:16],
        "notebooks": [{"source": j.source, "output": j.target, "key": j.key,
                       "params": j.params} for j in jobs],
        "datasets": datasets,
    }


def write_landing_page(html_root: Path) -> None:
    """``_build/html/index.html``: a Swedish page listing the regions and editions that have
    been built (``<region>/<edition>/manifest.json``)."""

    html_root.mkdir(parents=True, exist_ok=True)
    editions = []
    for m in sorted(html_root.glob("*/*/manifest.json"),
                    key=lambda m: (m.parent.parent.name, m.parent.name), reverse=True):
        editions.append({**json.loads(m.read_text(encoding="utf-8")),
                         "path": f"{m.parent.parent.name}/{m.parent.name}"})
    fav = catalog.project_root() / "_static" / "favicon.png"
    if fav.exists():
        shutil.copy2(fav, html_root / "favicon.png")
    tmp = html_root / ".index.html.tmp"
    tmp.write_text(bookpages.landing_html(editions), encoding="utf-8")
    tmp.replace(html_root / "index.html")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: every expected failure is a short message and exit status 1
    (:func:`analysis.core.cli.run`); ``--debug`` adds the traceback."""
    ap = argparse.ArgumentParser(prog="python -m analysis.book.build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--debug", action="store_true", help="show Python tracebacks of failures")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("book", help="build one edition of the book")
    b.add_argument("--edition", default="2019")
    b.add_argument("--region", default=None,
                   help="the län (code or name, e.g. 03 or Uppsala) or riket; default Örebro län "
                   "(18). Read before anything else (analysis.book.stamp.apply_region)")
    b.add_argument("-j", "--jobs", type=int, default=2, help="notebooks executed in parallel")
    b.add_argument("--force", action="store_true", help="re-execute every notebook")
    b.add_argument("--build-dir", type=Path, default=None,
                   help="folder for cache, staging and HTML (default: _build, or _build/private "
                   "with confidential data)")
    b.add_argument("--only", default=None,
                   help="comma-separated notebook stems to build (e.g. 01_befolkning,profil_kommun); "
                   "published to <build-dir>/partial/<edition>")
    b.add_argument("--areas", default=None,
                   help="comma-separated kommun/förbund codes: only their profiles (a partial "
                   "build, e.g. --only profil_kommun --areas 1880,1881)")
    b.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where notebooks execute: local processes (default) or a Dask cluster")
    b.add_argument("--scheduler", default=None,
                   help="with --executor dask: the Dask scheduler's address (tcp://host:8786); "
                   "without it a local cluster of -j worker processes is started")
    b.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show Python tracebacks of failures")
    sub.add_parser("landing", help="rewrite the landing page listing the editions")
    sub.add_parser("plan", help="list the notebook jobs of an edition").add_argument(
        "--edition", default="2019")
    args = ap.parse_args(argv)
    if getattr(args, "region", None) is not None and geo.region(args.region) != geo.REGION:
        ap.error(f"--region {args.region} differs from this process's region "
                 f"({geo.REGION.namn}): run the command line, which applies it before importing")
    if getattr(args, "scheduler", None) and args.executor != "dask":
        ap.error("--scheduler needs --executor dask")
    execute.SHOW_TRACEBACK = args.debug

    def work() -> int:
        root = catalog.project_root()
        if args.cmd == "book":
            with executor_for(args.executor, args.scheduler, max(1, args.jobs)) as run:
                build_book(root, args.edition, workers=max(1, args.jobs), force=args.force,
                           build_dir=args.build_dir,
                           only=[s.strip() for s in args.only.split(",") if s.strip()]
                           if args.only is not None else None, executor=run,
                           areas=[s.strip() for s in args.areas.split(",") if s.strip()]
                           if args.areas is not None else None)
        elif args.cmd == "landing":
            write_landing_page(root / "_build" / "html")
        elif args.cmd == "plan":
            ed = load_edition(root / "params" / f"{args.edition}.yml")
            for j in plan(root, ed):
                j.key = job_key(root, j)
                print(f"{j.key}  {j.target:<55} inputs={','.join(j.inputs)}")
        return 0

    if argv is None:  # the command line, not a test calling main()
        safety.install_signal_handlers()
    return cli.run(work, debug=args.debug, expected=(NotebookFailed, KernelStartFailed),
                   cleanup=safety.CLEANUP, prog="build")


if __name__ == "__main__":
    sys.exit(main())
