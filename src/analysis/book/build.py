"""Build the book: validate the edition, execute the notebooks with papermill, assemble, publish.

Usage (the Makefile wraps this)::

    python -m analysis.book.build book --edition 2019 -j 2

Steps
-----
1. Validate ``params/<edition>.yml`` (pydantic, :mod:`analysis.book.params`).
2. Plan one job per chapter notebook and one per area for each profile template. A job's key is
   the hash of the notebook text, its parameters, the md5 of every dataset it declares in its
   front matter (``analysis: inputs:``), the code in ``src/analysis`` and this build's version.
3. Execute jobs whose key has no finished result in ``_build/cache/`` with papermill, ``-j`` at a
   time. A failing cell stops the build with the notebook, the cell and the traceback.
   Every code cell of every executed notebook must have run (a kernel that fails to start can
   leave a "completed" notebook without outputs).
4. Assemble a staging copy of the book source (``_config.yml``, ``_toc.yml``, ``book/`` and the
   executed notebooks under ``book/_generated/``) and run ``jupyter-book build -W -n --keep-going``.
5. Publish atomically: only when everything succeeded is ``_build/html/<edition>/`` replaced.
   A landing page ``_build/html/index.html`` lists the editions.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import hashlib
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jupytext
import pandas as pd
import yaml

from analysis.book import bookpages, whatchanged
from analysis.book.params import EditionParams, load_edition, notebook_params
from analysis.core import codehash, geo
from analysis.core.errors import InputError
from analysis.sources import catalog

BUILD_VERSION = "1"  # bump to invalidate every cached notebook
PIPELINE_MODULES = ("build", "bookpages", "whatchanged", "sphinx_offline")
KERNEL = "python3"
ENV_STEM = "ANALYSIS_NB_STEM"
ENV_EDITION = "ANALYSIS_EDITION"
TITLE_PLACEHOLDER = "{{ area_name }}"
EDITION_PLACEHOLDER = "{{ edition }}"
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
    return meta


def _areas(fanout: str) -> list[tuple[str, str]]:
    if fanout == "kommun":
        return list(geo.KOMMUNER.items())
    return [(k, f.namn) for k, f in geo.FORBUND.items()]


def plan(root: Path, ed: EditionParams) -> list[Job]:
    """All notebook jobs of an edition, in book order."""
    jobs: list[Job] = []
    for md in sorted((root / "notebooks").glob("*.md")):
        if ed.chapters is not None and md.stem not in ed.chapters:
            continue
        meta = notebook_meta(md)
        rel = str(md.relative_to(root))
        fan = meta.get("fanout")
        if fan is None:
            jobs.append(Job(rel, md.stem, ".", notebook_params(ed), list(meta["inputs"]),
                            label=md.stem))
        else:
            folder = "kommuner" if fan == "kommun" else "forbund"
            for code, name in _areas(fan):
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


def code_hash_for(root: Path, md_path: Path, inputs: list[str]) -> str:
    """Hash of the library modules a notebook uses: its imports, followed transitively
    (:func:`analysis.core.codehash.code_hash`, the same key the on-disk caches use).

    The catalogue and its schemas always count (every notebook loads data through them). A
    notebook cell that does not parse makes the whole library count. Editing the survey
    engine therefore does not re-execute the population chapter.
    """
    st = md_path.stat()
    wanted = _notebook_imports(str(md_path), st.st_mtime_ns, st.st_size)
    if wanted is None:
        return code_hash(root)
    modules = set(wanted) | {"analysis.sources.catalog", "analysis.sources.schemas"}
    return codehash.code_hash(sorted(modules), root / "src" / "analysis")


def private_data_hash(root: Path) -> str:
    """Fingerprint of local confidential inputs: files under ``data/private/`` (name, size,
    mtime) and ``ANALYSIS_*`` settings that point chapters at them. Real microdata never enter
    the catalogue, but a changed extract must still re-execute the notebooks."""
    h = hashlib.sha256()
    priv = root / "data" / "private"
    if priv.is_dir():
        for p in sorted(priv.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(priv)}|{st.st_size}|{st.st_mtime_ns}".encode())
    internal = {catalog.ENV_ROOT, catalog.ENV_DECLARED, catalog.ENV_INPUT_LOG, ENV_STEM,
                ENV_EDITION}
    for k in sorted(os.environ):
        if k.startswith("ANALYSIS_") and k not in internal:
            h.update(f"{k}={os.environ[k]}".encode())
    return h.hexdigest()


def job_key(root: Path, job: Job, src_hash: str | None = None) -> str:
    """Cache key: notebook text, parameters, the data it reads, the library code it uses
    (:func:`code_hash_for`), the build version and the Python version.

    ``src_hash`` overrides the per-notebook code hash (e.g. the whole library's)."""
    data = {}
    for name in job.inputs:
        data[name] = _file_md5(catalog.path(name, root))
    payload = {
        "notebook": hashlib.sha256((root / job.source).read_bytes()).hexdigest(),
        "params": job.params,
        "area_name": job.area_name,
        "stem": job.stem,
        "inputs": data,
        "src": src_hash or code_hash_for(root, root / job.source, job.inputs),
        "private": private_data_hash(root),
        "build": BUILD_VERSION,
        "python": platform.python_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


# --------------------------------------------------------------------------- executing
class NotebookFailed(Exception):
    """A notebook cell failed; carries what the analyst needs to find and fix it."""


def _strip_ansi(s: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", s)


def check_executed(nb: Any, label: str) -> None:
    """Every code cell ran and none holds an error output; raise :class:`NotebookFailed` if not."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.get("execution_count") is None:
            raise NotebookFailed(
                f"{label}: code cell {i} did not run (no execution count). The kernel may have "
                f"failed to start; the notebook is not published.\n--- cell {i} ---\n{cell.source}"
            )
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tb = _strip_ansi("\n".join(out.get("traceback", [])))
                raise NotebookFailed(f"{label}: cell {i} has an error output\n{tb}")


def _prepare_notebook(root: Path, job: Job) -> Any:
    import jupytext

    nb = jupytext.read(root / job.source)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("analysis", None)
    # Markdown cannot read variables; the title's placeholders are filled in before execution.
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if job.area_name:
                cell.source = cell.source.replace(TITLE_PLACEHOLDER, job.area_name)
            cell.source = cell.source.replace(EDITION_PLACEHOLDER, str(job.params["edition"]))
    n_param = sum("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)
    if n_param != 1:
        raise InputError(job.source, f"needs exactly one cell tagged 'parameters', has {n_param}")
    return nb


class KernelStartFailed(RuntimeError):
    """The kernel never ran a cell, on every attempt."""


def _nothing_ran(out_nb: Path) -> bool:
    """True if no code cell of ``out_nb`` has an execution count (or it was never written)."""
    import nbformat

    try:
        nb = nbformat.read(out_nb, as_version=4)
    except (OSError, ValueError):
        return True
    return all(c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def _stderr_tail(errlog: Any, n: int = 15) -> str:
    errlog.flush()
    try:
        lines = Path(errlog.name).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def _execute_with_kernel_retry(src_nb: Path, out_nb: Path, job: Job, work: Path,
                               errlog: Any) -> int:
    """Run papermill; retry only when the kernel failed before running any cell.

    A failing cell (``PapermillExecutionError``) is never retried. Returns the number of kernel
    starts used; raises :class:`KernelStartFailed` with the kernel's stderr after the last try.
    """
    import papermill as pm

    last: BaseException | None = None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        out_nb.unlink(missing_ok=True)
        try:
            pm.execute_notebook(
                str(src_nb), str(out_nb), parameters=job.params, kernel_name=KERNEL,
                cwd=str(work), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, execution_timeout=1800,
            )
        except pm.PapermillExecutionError:
            raise
        except (RuntimeError, TimeoutError) as exc:
            # nbclient's "Kernel died before replying", "Kernel didn't respond", DeadKernelError.
            # Anything else (bad notebook, bad parameters) is the same on every try: not retried.
            if not _nothing_ran(out_nb):
                raise
            last = exc
        else:
            if not _nothing_ran(out_nb):
                return attempt
            last = RuntimeError("papermill finished but no code cell has an execution count")
        # fd 2 is the kernel log here: the note lands beside the kernel's own stderr.
        print(f"kernel start {attempt}/{KERNEL_START_ATTEMPTS} failed for {job.label}: {last}",
              file=sys.stderr, flush=True)
        time.sleep(0.5 * attempt)
    raise KernelStartFailed(
        f"the kernel for {job.label} failed to start {KERNEL_START_ATTEMPTS} times; last error: "
        f"{type(last).__name__}: {last}\n--- kernel stderr (last lines) ---\n{_stderr_tail(errlog)}"
    ) from last


def execute_job(root_s: str, job_d: dict[str, Any], cache_s: str, failed_s: str) -> dict[str, Any]:
    """Execute one job in a worker process. Returns a result dict (never raises)."""
    import nbformat
    import papermill as pm

    root, cache, job = Path(root_s), Path(cache_s), Job(**job_d)
    t0 = time.perf_counter()
    work = cache / f"{job.key}.tmp-{os.getpid()}"
    final = cache / job.key
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env_backup = dict(os.environ)
    try:
        os.environ.update({
            catalog.ENV_ROOT: str(root),
            catalog.ENV_DECLARED: ",".join(job.inputs),
            catalog.ENV_INPUT_LOG: str(work / "inputs.log"),
            ENV_STEM: job.stem,
            ENV_EDITION: str(job.params.get("edition")),
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
            "SOURCE_DATE_EPOCH": "0",
        })
        # Kernels inherit this process's stderr; keep their chatter (e.g. ipykernel's TCP warning)
        # in a log instead of the build output. Failures are reported from papermill's error.
        errlog = open(work / "kernel-stderr.log", "w")  # noqa: SIM115 - closed in finally
        saved_fd = os.dup(2)
        os.dup2(errlog.fileno(), 2)
        nb = _prepare_notebook(root, job)
        src_nb = work / f"{job.stem}.input.ipynb"
        nbformat.write(nb, src_nb)
        out_nb = work / f"{job.stem}.ipynb"
        try:
            attempts = _execute_with_kernel_retry(src_nb, out_nb, job, work, errlog)
        except pm.PapermillExecutionError as exc:
            failed = Path(failed_s)
            failed.mkdir(parents=True, exist_ok=True)
            if out_nb.exists():
                shutil.copy(out_nb, failed / f"{job.stem}.ipynb")
            tb = _strip_ansi("\n".join(exc.traceback)) if exc.traceback else str(exc)
            # papermill's cell_index counts its injected-parameters cell; report the source cell.
            return {"ok": False, "key": job.key, "label": job.label, "source": job.source,
                    "cell": exc.exec_count, "cell_source": exc.source,
                    "error": f"{exc.ename}: {exc.evalue}", "traceback": tb,
                    "failed_nb": str(failed / f"{job.stem}.ipynb"),
                    "seconds": time.perf_counter() - t0}
        result_nb = nbformat.read(out_nb, as_version=4)
        check_executed(result_nb, job.label)
        # Readers need not see parameters: hide both the template's and the injected cell.
        for cell in result_nb.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags:
                cell.metadata["tags"] = sorted(set(tags) | {"remove-cell"})
        nbformat.write(result_nb, out_nb)
        src_nb.unlink()
        info = {"key": job.key, "label": job.label, "source": job.source, "stem": job.stem,
                "seconds": round(time.perf_counter() - t0, 2), "kernel_starts": attempts}
        (work / "job.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        work.rename(final)
        return {"ok": True, **info}
    except Exception as exc:  # noqa: BLE001 - reported to the parent with full context
        return {"ok": False, "key": job.key, "label": job.label, "source": job.source,
                "cell": None, "cell_source": "", "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(), "failed_nb": "",
                "seconds": time.perf_counter() - t0}
    finally:
        if "saved_fd" in locals():
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            errlog.close()
        os.environ.clear()
        os.environ.update(env_backup)
        shutil.rmtree(work, ignore_errors=True)


def _fmt_secs(s: float) -> str:
    return f"{s:5.1f} s" if s < 120 else f"{s / 60:4.1f} min"


def _source_line(source: str, cell_source: str) -> str:
    """`` (line N of notebooks/x.md)`` for the failing cell, if it can be found."""
    try:
        text = (catalog.project_root() / source).read_text(encoding="utf-8")
    except OSError:
        return ""
    first = next((ln for ln in cell_source.splitlines() if ln.strip()), "")
    pos = text.find(first) if first else -1
    return f" (line {text.count(chr(10), 0, pos) + 1} of {source})" if pos >= 0 else ""


def report_failure(res: dict[str, Any]) -> str:
    """The message printed when a notebook fails."""
    lines = [
        "",
        "=" * 78,
        f"BUILD FAILED in {res['source']}  [{res['label']}]",
    ]
    if res.get("cell") is not None:
        where = _source_line(res["source"], res.get("cell_source", ""))
        lines.append(f"Cell with execution count {res['cell']}{where}:")
        lines.append("-" * 78)
        lines.append(res.get("cell_source", "").rstrip())
        lines.append("-" * 78)
    lines.append(res["error"])
    lines.append(res.get("traceback", "").rstrip())
    if res.get("failed_nb"):
        lines.append(f"The partly executed notebook is kept in {res['failed_nb']}")
    lines.append("Nothing was published; the previous book is unchanged.")
    lines.append("=" * 78)
    return "\n".join(lines)


def run_jobs(root: Path, jobs: list[Job], cache: Path, failed: Path, workers: int,
             log=print) -> list[dict[str, Any]]:
    """Execute jobs not in the cache, ``workers`` at a time, printing progress.

    Raises
    ------
    NotebookFailed
        On the first failure (remaining jobs are cancelled).
    """
    todo = [j for j in jobs if not (cache / j.key / "job.json").exists()]
    cached = len(jobs) - len(todo)
    log(f"Notebooks: {len(jobs)} in the edition, {cached} unchanged (cached), "
        f"{len(todo)} to execute with {workers} worker(s)")
    results: list[dict[str, Any]] = []
    if not todo:
        return results
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = {pool.submit(execute_job, str(root), asdict(j), str(cache), str(failed)): j
                for j in todo}
        done = 0
        try:
            for fut in cf.as_completed(futs):
                res = fut.result()
                done += 1
                if not res["ok"]:
                    for f in futs:
                        f.cancel()
                    raise NotebookFailed(report_failure(res))
                results.append(res)
                elapsed = time.perf_counter() - t0
                left = len(todo) - done
                eta = elapsed / done * left / 1  # rough, assumes similar notebooks
                log(f"  [{done:>3}/{len(todo)}] {res['label']:<45} {_fmt_secs(res['seconds'])}"
                    f"   elapsed {_fmt_secs(elapsed)}, {left} left (~{_fmt_secs(eta)})"
                    + _retry_note(res))
        except BaseException:
            for f in futs:
                f.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _retry_note(res: dict[str, Any]) -> str:
    n = res.get("kernel_starts", 1)
    return f"   (kernel started on attempt {n})" if n > 1 else ""


# --------------------------------------------------------------------------- indicators
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


def assemble(root: Path, stage: Path, jobs: list[Job], cache: Path, ed: EditionParams,
             manifest: dict[str, Any], comparison: pd.DataFrame | None = None) -> None:
    """Write the staging book source: config, toc, static pages, executed notebooks, generated pages."""

    if stage.exists():
        shutil.rmtree(stage)
    (stage / "book").mkdir(parents=True)
    for p in (root / "book").iterdir():
        if p.name == "_generated":
            continue
        dst = stage / "book" / p.name
        shutil.copytree(p, dst) if p.is_dir() else shutil.copy2(p, dst)
    if (root / "_static").is_dir():
        shutil.copytree(root / "_static", stage / "_static")
    gen = stage / "book" / "_generated"
    for job in jobs:
        src = cache / job.key
        dst = stage / Path(job.target).parent
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / f"{job.stem}.ipynb", dst / f"{job.stem}.ipynb")
        files = src / f"{job.stem}_files"
        if files.exists():
            shutil.copytree(files, dst / f"{job.stem}_files", dirs_exist_ok=True)
    bookpages.write_generated_pages(root, gen, ed, manifest, comparison)
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cfg["title"] = ed.title
    if ed.chapters is not None:
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
            f"{log_file}\n{_strip_ansi(tail)}\nNothing was published; the previous book is "
            "unchanged."
        )
    log(f"  jupyter-book done in {_fmt_secs(time.perf_counter() - t0)}")


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
    # The modules that assemble pages (not notebooks) shape the HTML too.
    files += [root / "src" / "analysis" / f"{m}.py" for m in PIPELINE_MODULES
              if (root / "src" / "analysis" / f"{m}.py").exists()]
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    h.update(BUILD_VERSION.encode())
    return h.hexdigest()


def build_book(root: Path, edition: str, workers: int = 2, force: bool = False,
               log=print, build_dir: Path | None = None, only: list[str] | None = None) -> Path:
    """Build one edition end to end; return the published folder.

    ``build_dir`` (default ``_build``) holds the cache, staging and published HTML; ``only``
    restricts the build to some notebook stems (for quick iterations while writing a chapter).
    """
    t_start = time.perf_counter()
    params_file = root / "params" / f"{edition}.yml"
    ed = load_edition(params_file)
    if only:
        ed = ed.model_copy(update={"chapters": list(only)})
    log(f"Edition {edition}: {ed.title}  (parameters {params_file.relative_to(root)} are valid)")
    problems = catalog.verify(root)
    if problems:
        raise InputError("data/catalog.yml", "catalogued files are missing or changed:\n  "
                         + "\n  ".join(problems))
    jobs = plan(root, ed)
    code = {j.source: code_hash_for(root, root / j.source, j.inputs) for j in jobs}
    for j in jobs:
        j.key = job_key(root, j, code[j.source])
    build_dir = Path(build_dir) if build_dir else root / "_build"
    cache = build_dir / "cache" / "notebooks"
    cache.mkdir(parents=True, exist_ok=True)
    target = build_dir / "html" / edition
    prev_ed, prev_jobs = previous_edition_jobs(root, ed)
    build_key = hashlib.sha256(
        json.dumps([j.key for j in jobs] + [j.key for j in prev_jobs]
                   + [static_hash(root, params_file)]).encode()
    ).hexdigest()[:24]
    old_manifest = target / "manifest.json"
    if force:
        for j in jobs:
            shutil.rmtree(cache / j.key, ignore_errors=True)
    elif old_manifest.exists():
        try:
            same = json.loads(old_manifest.read_text(encoding="utf-8")).get("build_key") == build_key
        except json.JSONDecodeError:
            same = False
        if same:
            log(f"Notebooks: {len(jobs)} in the edition, {len(jobs)} unchanged (cached), "
                "0 to execute")
            log(f"Nothing changed since the last build: {target} is up to date.")
            write_landing_page(build_dir / "html")
            return target
    run_jobs(root, jobs, cache, build_dir / "failed" / edition, workers, log=log)
    comparison = None
    if prev_ed is not None:
        log(f"Previous edition {prev_ed.edition}, for the comparison page:")
        run_jobs(root, prev_jobs, cache, build_dir / "failed" / str(prev_ed.edition), workers,
                 log=log)

        comparison = whatchanged.compare(collect_indicators(prev_jobs, cache),
                                         collect_indicators(jobs, cache))
    manifest = make_manifest(root, ed, params_file, jobs, cache, build_key)
    stage_root = build_dir / "staging" / f"{edition}-{os.getpid()}"
    try:
        assemble(root, stage_root / "src", jobs, cache, ed, manifest, comparison)
        run_jupyter_book(stage_root / "src", stage_root / "out", log=log,
                         log_file=build_dir / "logs" / f"jupyter-book-{edition}.log")
        html = stage_root / "out" / "_build" / "html"
        # Jupyter Book's root redirect has no <html lang>; write a complete Swedish one.
        (html / "index.html").write_text(
            '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
            '<meta http-equiv="Refresh" content="0; url=book/intro.html">'
            '<link rel="icon" href="_static/favicon.png">'
            f"<title>{ed.title}</title></head><body><p>Boken finns på "
            '<a href="book/intro.html">startsidan</a>.</p></body></html>\n', encoding="utf-8")
        (html / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                            encoding="utf-8")
        (html / ".nojekyll").write_text("", encoding="utf-8")
        publish(html, target)
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)
    write_landing_page(build_dir / "html")
    log(f"Published {target}/index.html in "
        f"{_fmt_secs(time.perf_counter() - t_start)}")
    return target


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
        e = catalog.entry(name, root)
        datasets.append({k: e.get(k) for k in ("name", "title", "producer", "relpath", "md5",
                                                "date_published", "licence", "commit")})
    return {
        "edition": ed.edition,
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
    """``_build/html/index.html``: a Swedish page listing the editions that have been built."""

    html_root.mkdir(parents=True, exist_ok=True)
    editions = []
    for d in sorted(html_root.iterdir(), reverse=True):
        m = d / "manifest.json"
        if d.is_dir() and m.exists():
            editions.append(json.loads(m.read_text(encoding="utf-8")))
    fav = catalog.project_root() / "_static" / "favicon.png"
    if fav.exists():
        shutil.copy2(fav, html_root / "favicon.png")
    tmp = html_root / ".index.html.tmp"
    tmp.write_text(bookpages.landing_html(editions), encoding="utf-8")
    tmp.replace(html_root / "index.html")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m analysis.book.build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("book", help="build one edition of the book")
    b.add_argument("--edition", default="2019")
    b.add_argument("-j", "--jobs", type=int, default=2, help="notebooks executed in parallel")
    b.add_argument("--force", action="store_true", help="re-execute every notebook")
    b.add_argument("--build-dir", type=Path, default=None,
                   help="folder for cache, staging and HTML (default: _build)")
    b.add_argument("--only", default=None,
                   help="comma-separated notebook stems to build (e.g. 01_befolkning,profil_kommun)")
    sub.add_parser("landing", help="rewrite the landing page listing the editions")
    sub.add_parser("plan", help="list the notebook jobs of an edition").add_argument(
        "--edition", default="2019")
    args = ap.parse_args(argv)
    root = catalog.project_root()
    try:
        if args.cmd == "book":
            build_book(root, args.edition, workers=max(1, args.jobs), force=args.force,
                       build_dir=args.build_dir,
                       only=args.only.split(",") if args.only else None)
        elif args.cmd == "landing":
            write_landing_page(root / "_build" / "html")
        elif args.cmd == "plan":
            ed = load_edition(root / "params" / f"{args.edition}.yml")
            for j in plan(root, ed):
                j.key = job_key(root, j)
                print(f"{j.key}  {j.target:<55} inputs={','.join(j.inputs)}")
    except (NotebookFailed, InputError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; nothing was published.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
