"""Executing notebooks with papermill: one job at a time per worker, kernels that die at start
retried, failures reported with the notebook, the cell and its line in the ``.md`` source."""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import shutil
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jupytext

from analysis.book import kernelpool
from analysis.book.jobs import (
    EDITION_PLACEHOLDER,
    ENV_EDITION,
    ENV_STEM,
    KERNEL,
    KERNEL_START_ATTEMPTS,
    KOMMUN_COUNT_PLACEHOLDER,
    LACKS_TAG,
    NEEDS_TAG,
    REGION_PLACEHOLDER,
    TITLE_PLACEHOLDER,
    Job,
)
from analysis.core import geo, paths, text
from analysis.core.errors import InputError
from analysis.sources import catalog

#: Whether a failure report carries the cell's Python traceback (``build --debug``); without
#: it the report names the notebook, the cell, its line and the error.
SHOW_TRACEBACK = True


# --------------------------------------------------------------------------- executing
class NotebookFailed(Exception):
    """A notebook cell failed; carries what the analyst needs to find and fix it."""


def strip_ansi(s: str) -> str:
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
                tb = strip_ansi("\n".join(out.get("traceback", [])))
                raise NotebookFailed(f"{label}: cell {i} has an error output\n{tb}")


def region_cells(cells: list, region: geo.Region) -> list:
    """The cells of a notebook that belong in ``region``'s book: a cell tagged
    ``needs-<material>`` is left out where the region lacks that material (``underlag`` in
    ``core/regioner.yml``), and one tagged ``lacks-<material>`` (another wording of a passage,
    for the regions without it) where the region has it; the kept cells lose those tags, so a
    region with everything executes exactly the notebook it executed before regions existed."""
    kept = []
    for cell in cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        needs = [t[len(NEEDS_TAG):] for t in tags if t.startswith(NEEDS_TAG)]
        lacks = [t[len(LACKS_TAG):] for t in tags if t.startswith(LACKS_TAG)]
        if not region.has(needs) or (lacks and region.has(lacks)):
            continue
        if needs or lacks:
            rest = [t for t in tags if not t.startswith((NEEDS_TAG, LACKS_TAG))]
            if rest:
                cell.metadata["tags"] = rest
            else:
                del cell.metadata["tags"]
        kept.append(cell)
    return kept


def _prepare_notebook(root: Path, job: Job) -> Any:

    nb = jupytext.read(root / job.source)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("analysis", None)
    nb.cells = region_cells(nb.cells, geo.REGION)
    # Markdown cannot read variables; the title's placeholders are filled in before execution.
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if job.area_name:
                cell.source = cell.source.replace(TITLE_PLACEHOLDER, job.area_name)
            cell.source = cell.source.replace(EDITION_PLACEHOLDER, str(job.params["edition"]))
            cell.source = cell.source.replace(REGION_PLACEHOLDER, geo.LAN_NAMN)
            cell.source = cell.source.replace(KOMMUN_COUNT_PLACEHOLDER,
                                              text.count_word(len(geo.KOMMUNER)))
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
                kernel_manager_class=kernelpool.kernel_manager_class(),
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
            # validated inputs and code hashes, shared by the kernels (analysis.core.paths)
            paths.ENV_WORK_CACHE: str(work_cache(cache)),
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
            "SOURCE_DATE_EPOCH": "0",
        })
        # Kernels inherit this process's stderr; keep their chatter (e.g. ipykernel's TCP warning)
        # in a log instead of the build output. Failures are reported from papermill's error.
        errlog = open(work / "kernel-stderr.log", "w")  # noqa: SIM115 - closed in finally
        saved_fd = os.dup(2)
        os.dup2(errlog.fileno(), 2)
        kernelpool.kernel_log["path"] = errlog.name  # a forked kernel writes there itself
        nb = _prepare_notebook(root, job)
        src_nb = work / f"{job.stem}.input.ipynb"
        nbformat.write(nb, src_nb)
        out_nb = work / f"{job.stem}.ipynb"
        try:
            attempts = _execute_with_kernel_retry(src_nb, out_nb, job, work, errlog)
        except pm.PapermillExecutionError as exc:
            failed = Path(job.extra.get("failed_dir") or failed_s)
            failed.mkdir(parents=True, exist_ok=True)
            if out_nb.exists():
                shutil.copy(out_nb, failed / f"{job.stem}.ipynb")
            tb = strip_ansi("\n".join(exc.traceback)) if exc.traceback else str(exc)
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
                "seconds": round(time.perf_counter() - t0, 2), "kernel_starts": attempts,
                # forked from a zygote with the libraries imported, or started afresh
                "warm_kernel": kernelpool.worker_zygote() is not None}
        if job.extra.get("code_key"):  # lets the preview find this run after a prose edit
            info["code_key"] = job.extra["code_key"]
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


def prepare_job(root_s: str, parts: list[str], params: dict[str, Any], inputs: list[str],
                cache_s: str) -> dict[str, Any]:
    """Build shared interim data (:mod:`analysis.book.prepare`) in a worker, before its
    notebooks: in a fork of the worker's kernel zygote (which has the library imported), with
    the environment a notebook of ``params`` and ``inputs`` gets. Returns ``{"ok": …, "parts":
    …, "seconds": …}`` and, if it failed, ``error`` (never raises: the notebooks then build
    what they need themselves and report any failure as usual). Without a zygote nothing is
    done."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"ok": True, "parts": list(parts)}
    zygote = kernelpool.worker_zygote()
    if zygote is None:
        return {**out, "skipped": True, "seconds": 0.0}
    cache = Path(cache_s)
    work = cache / f"prepare-{'+'.join(parts)}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir(parents=True)
        env = {**os.environ,
               catalog.ENV_ROOT: root_s,
               catalog.ENV_DECLARED: ",".join(inputs),
               catalog.ENV_INPUT_LOG: str(work / "inputs.log"),
               ENV_EDITION: str(params.get("edition")),
               paths.ENV_WORK_CACHE: str(work_cache(cache)),
               "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
        proc = zygote.call("prepare", {"parts": list(parts), "params": params},
                           env, str(work), str(work / "prepare.log"), str(work / "result.json"))
        proc.wait()
        try:
            res = json.loads((work / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log = (work / "prepare.log").read_text(encoding="utf-8", errors="replace")
            res = {"ok": False, "error": "the process ended without a result: "
                   + "\n".join(log.splitlines()[-5:])}
        out.update(res)
    except Exception as exc:  # noqa: BLE001 - only a head start: the notebooks do it otherwise
        out.update(ok=False, error=f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def fmt_secs(s: float) -> str:
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
    if SHOW_TRACEBACK:
        lines.append(res.get("traceback", "").rstrip())
    else:
        lines.append("(the cell's traceback: run again with --debug)")
    if res.get("failed_nb"):
        lines.append(f"The partly executed notebook is kept in {res['failed_nb']}")
    lines.append("Nothing was published; the previous book is unchanged.")
    lines.append("=" * 78)
    return "\n".join(lines)


def work_cache(cache: Path) -> Path:
    """The kernels' shared work cache (:data:`analysis.core.paths.ENV_WORK_CACHE`) beside the
    notebook cache ``cache``: validated input tables and code hashes."""
    return cache.parent / "work"


def start_pool(workers: int) -> cf.ProcessPoolExecutor:
    """The build's workers, started now: each starts its kernel zygote
    (:mod:`analysis.book.kernelpool`), and a no-op job per worker waits until it is ready, so the
    imports happen while the build is still validating its inputs, not when the first notebook
    waits for its kernel. The caller shuts the pool down (``with start_pool(n) as pool``)."""
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                  initializer=kernelpool.start_worker_zygote)
    for _ in range(workers):
        pool.submit(kernelpool.wait_worker_zygote)
    return pool


#: Seconds each notebook (by label) took when it last ran, under the build folder's cache: the
#: longest go first, so two workers do not end with one long notebook left on one of them.
DURATIONS = "durations.json"


def _durations(cache: Path) -> dict[str, float]:
    try:
        took = json.loads((cache.parent / DURATIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        took = {}
    return took if isinstance(took, dict) else {}


def _longest_first(jobs: list[Job], cache: Path) -> list[Job]:
    took = _durations(cache)
    # unknown ones first (they may be long); among the rest, in book order when equal
    return sorted(jobs, key=lambda j: -float(took.get(j.label, 1e9)))


def _pick(waiting: list[Job], group: dict[Any, int], took: dict[str, float],
          seen: dict[str, float]) -> int:
    """The index in ``waiting`` of the job to run next: the first edition's jobs first (``group``
    ranks the editions), then the longest by what it took last time (``took``, by label), else
    by what a notebook of the same source took in this run (``seen``: a cold build orders the
    previous edition's chapters by the edition's own), else unknown, which goes first; ties in
    the given order."""
    def rank(i: int) -> tuple[int, float, int]:
        j = waiting[i]
        est = took.get(j.label, seen.get(j.source, 1e9))
        return group.get(j.params.get("edition"), 0), -float(est), i

    return min(range(len(waiting)), key=rank)


def _record_durations(results: list[dict[str, Any]], cache: Path) -> None:
    path = cache.parent / DURATIONS
    try:
        took = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        took = {}
    took = took if isinstance(took, dict) else {}
    took.update({r["label"]: r["seconds"] for r in results})
    try:
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(took, indent=0, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def run_jobs(root: Path, jobs: list[Job], cache: Path, failed: Path, workers: int,
             log=print, pool: cf.ProcessPoolExecutor | None = None,
             announce: bool = True) -> list[dict[str, Any]]:
    """Execute jobs not in the cache, ``workers`` at a time, printing progress.

    ``pool`` (:func:`start_pool`) runs them on workers that are already started (it is left
    running); without it a pool is started for these jobs and shut down after them. A job's
    ``extra["failed_dir"]`` overrides ``failed`` (jobs of two editions in one run). The jobs
    that took longest last time go first. ``announce=False`` leaves out the "Notebooks: …" line
    (the caller printed it).

    Raises
    ------
    NotebookFailed
        On the first failure (remaining jobs are cancelled).
    """
    todo = [j for j in jobs if not (cache / j.key / "job.json").exists()]
    cached = len(jobs) - len(todo)
    if announce:
        log(f"Notebooks: {len(jobs)} in the edition, {cached} unchanged (cached), "
            f"{len(todo)} to execute with {workers} worker(s)")
    results: list[dict[str, Any]] = []
    if not todo:
        return results
    if pool is None:
        with start_pool(workers) as own:
            return run_jobs(root, jobs, cache, failed, workers, log=log, pool=own,
                            announce=False)
    waiting = _longest_first(todo, cache)
    took = _durations(cache)
    group = {}  # the editions in the order given: the first one's jobs go first (its audit
    for j in jobs:  # starts when they are done, beside the next edition's notebooks)
        group.setdefault(j.params.get("edition"), len(group))
    seen: dict[str, float] = {}  # seconds a notebook (source) took in this run
    t0 = time.perf_counter()
    # Each worker forks its notebooks' kernels from a zygote that imported the heavy libraries
    # once (analysis.book.kernelpool); the zygote and its kernels end with the worker. A job is
    # handed to the pool only when a worker is free, so it is chosen with what this run has
    # learnt (_pick).
    futs: dict[cf.Future, Job] = {}

    def submit() -> None:
        j = waiting.pop(_pick(waiting, group, took, seen))
        futs[pool.submit(execute_job, str(root), asdict(j), str(cache), str(failed))] = j

    done = 0
    try:
        for _ in range(min(workers, len(waiting))):
            submit()
        while futs:
            finished, _ = cf.wait(futs, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                j = futs.pop(fut)
                res = fut.result()
                done += 1
                if not res["ok"]:
                    raise NotebookFailed(report_failure(res))
                results.append(res)
                seen[j.source] = float(res["seconds"])
                elapsed = time.perf_counter() - t0
                left = len(todo) - done
                eta = elapsed / done * left / 1  # rough, assumes similar notebooks
                log(f"  [{done:>3}/{len(todo)}] {res['label']:<45} {fmt_secs(res['seconds'])}"
                    f"   elapsed {fmt_secs(elapsed)}, {left} left (~{fmt_secs(eta)})"
                    + _retry_note(res))
                if waiting:
                    submit()
        _record_durations(results, cache)
    except BaseException as exc:
        waiting.clear()
        for f in futs:
            f.cancel()
        if not isinstance(exc, NotebookFailed):
            # interrupted (Ctrl-C, a signal turned into an exception): stop the running
            # notebooks too; each worker's zygote and kernels die with it
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return results


def _retry_note(res: dict[str, Any]) -> str:
    n = res.get("kernel_starts", 1)
    return f"   (kernel started on attempt {n})" if n > 1 else ""


