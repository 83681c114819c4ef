"""Run the build's notebook jobs on a Dask distributed cluster instead of local worker processes.

``python -m analysis.book.build book --executor dask [--scheduler tcp://host:8786]`` (``make book
EXECUTOR=dask SCHEDULER=…``). Without ``--scheduler`` a ``LocalCluster`` of ``-j`` worker processes
is started for the build and stopped after it.

An executor is a callable with the signature of :func:`analysis.book.execute.run_jobs`
(``root, jobs, cache, failed, workers, log``): it executes the jobs that have no finished result
in ``cache``, writes each result to ``cache/<key>/`` and raises
:class:`~analysis.book.execute.NotebookFailed` on the first failure. :class:`DaskExecutor` is one;
everything around it (planning, cache keys, the audit, assembling, publishing) is the build's
own, so the cache semantics, the progress log and the failure report are those of a local build.

How a job runs on a worker (:func:`run_on_worker`)
---------------------------------------------------
1. The worker finds its copy of the repository (:func:`worker_root`): the checkout its own
   ``$ANALYSIS_ROOT`` names, else the build's folder if the worker sees it (a shared file
   system), else the checkout it runs in or installed the ``analysis`` package from.
2. It recomputes the job's cache key from *its* copy (notebook text, parameters, md5 of the
   declared data, the library code, the Python version) and refuses to run if the key differs
   from the build's: a worker on another commit or with other data cannot put a wrong notebook
   into the book.
3. It executes the notebook with the same code as a local build
   (:func:`analysis.book.execute.execute_job`: papermill, kernel-start retries, every cell must
   have run) into a temporary folder, and returns the result folder (executed notebook, its
   ``_files``, ``inputs.log``, ``job.json``) as tar bytes; on a failing cell it returns the
   partly executed notebook. The build unpacks the result into its own cache (written to a
   temporary name, then renamed), so no shared disk is needed for outputs.

Workers run one notebook at a time per process (a job sets the process's environment and
redirects its stderr; a lock enforces it even with ``--nthreads`` > 1). Like the local executor's
workers, each Dask worker forks its notebooks' kernels from a zygote that imported the libraries
once (:mod:`analysis.book.kernelpool`): the build registers the worker plugin of
:func:`warm_kernels`, which starts the zygote on every worker, also on a worker that joins or is
restarted later; each notebook still gets a fresh fork of a process that never ran notebook code.
A worker without a zygote (the plugin failed there) starts kernels the ordinary way.

Failures: a failing cell stops the build with the notebook, the cell and its line, exactly as
locally. A worker that dies mid-notebook (killed, out of memory, machine lost) is handled by the
scheduler: the notebook is run again on another worker, up to
``distributed.scheduler.allowed-failures`` times (Dask's default 3); after that the build stops
with the notebook named (``KilledWorker``). Either way nothing is published unless every
notebook finished, so the last good book stays.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from analysis.book import execute, kernelpool
from analysis.book.execute import NotebookFailed, fmt_secs, report_failure
from analysis.book.jobs import Job, code_hash_for, job_key
from analysis.core.paths import CATALOG_RELPATH, ENV_ROOT, project_root

#: ``execute_job`` sets this process's environment and file descriptor 2 for its notebook:
#: one job at a time per worker process, whatever the worker's thread count.
_ONE_JOB = threading.Lock()
#: Seconds between checks of the cluster's workers while waiting for notebooks.
POLL = 2.0
#: Seconds to wait for the scheduler, and for the first worker of a cluster.
CONNECT_TIMEOUT = 30
WORKER_TIMEOUT = 120


# --------------------------------------------------------------------------- on the worker
def worker_root(build_root: str) -> Path:
    """The repository a worker executes from: the checkout named by the worker's own
    ``$ANALYSIS_ROOT`` if it was started with one, else the build's folder if this machine sees
    it (it holds ``data/catalog.yml``), else the worker's checkout found from its working
    directory or its installed ``analysis`` package (:func:`analysis.core.paths.project_root`)."""
    if os.environ.get(ENV_ROOT):
        return project_root()
    p = Path(build_root)
    if (p / CATALOG_RELPATH).is_file():
        return p
    return project_root()


def pack(folder: Path) -> bytes:
    """The files under ``folder`` as gzip'd tar bytes (paths relative to ``folder``, sorted)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=3) as tar:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                tar.add(p, arcname=str(p.relative_to(folder)), recursive=False)
    return buf.getvalue()


def unpack(data: bytes, dest: Path) -> None:
    """Write the folder :func:`pack` made to ``dest``, replacing it: extracted beside it under a
    temporary name, then renamed (a build that dies meanwhile leaves no half-written entry)."""
    tmp = dest.with_name(f"{dest.name}.tmp-dask-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = tar.getmembers()
            # Only regular files below dest (no absolute paths, "..", links or devices): the
            # "data" extraction filter, which Python 3.11 has only from 3.11.4.
            bad = [m.name for m in members if not m.isfile() or m.name.startswith("/")
                   or ".." in Path(m.name).parts]
            if bad:
                raise ValueError(f"a Dask worker's result holds unexpected entries: {bad[:5]}")
            tar.extractall(tmp, members=members)
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _where() -> str:
    """This worker's address (or host and process id outside a Dask worker)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def warm_kernels() -> Any:
    """The worker plugin ``WarmKernels``: it starts the worker's kernel zygote when the worker
    starts (in its main thread, with the worker's environment) and stops it when the worker
    closes. (Made here, so that a build that never uses Dask does not import ``distributed``;
    Dask sends the class itself to the workers.)"""
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmKernels(WorkerPlugin):
        name = "analysis-warm-kernels"

        def setup(self, worker: Any) -> None:
            kernelpool.ensure_zygote()

        def teardown(self, worker: Any) -> None:
            kernelpool.stop_worker_zygote()

    return WarmKernels()


def run_on_worker(job_d: dict[str, Any], build_root: str) -> dict[str, Any]:
    """Execute one job on this worker; the result dict of
    :func:`analysis.book.execute.execute_job` with ``worker`` and, if it succeeded, ``payload``
    (the result folder, :func:`pack`) or, if a cell failed, ``failed_payload`` (the partly
    executed notebook). Never raises for a notebook's failure."""
    job = Job(**job_d)
    with _ONE_JOB:
        where = _where()
        t0 = time.perf_counter()
        try:
            root = worker_root(build_root)
            here = job_key(root, job, code_hash_for(root, root / job.source, job.inputs))
        except Exception as exc:  # noqa: BLE001 - reported to the build with context
            return {"ok": False, "key": job.key, "label": job.label, "source": job.source,
                    "cell": None, "cell_source": "", "worker": where, "failed_nb": "",
                    "error": f"the Dask worker {where} cannot read the job's sources: "
                             f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(), "seconds": time.perf_counter() - t0}
        if here != job.key:
            return {"ok": False, "key": job.key, "label": job.label, "source": job.source,
                    "cell": None, "cell_source": "", "worker": where, "failed_nb": "",
                    "error": f"the Dask worker {where} has a different copy of the repository "
                             f"in {root}: the job's cache key is {here} there, {job.key} in the "
                             "build (another commit, data file, environment variable or Python "
                             "version). Start the workers from the build's commit and "
                             "environment.", "traceback": "",
                    "seconds": time.perf_counter() - t0}
        tmp = Path(tempfile.mkdtemp(prefix="analysis-dask-"))
        try:
            res = execute.execute_job(str(root), job_d, str(tmp / "cache"), str(tmp / "failed"))
            res["worker"] = where
            if res["ok"]:
                res["payload"] = pack(tmp / "cache" / job.key)
            elif res.get("failed_nb") and Path(res["failed_nb"]).is_file():
                res["failed_payload"] = Path(res["failed_nb"]).read_bytes()
            return res
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- in the build
class DaskExecutor:
    """Executes the build's jobs on a Dask cluster: the scheduler at ``scheduler``
    (``tcp://host:8786``), or a ``LocalCluster`` of ``workers`` processes started on first use.

    Use as a context manager; the connection (and a local cluster) is opened only when there is
    something to execute and closed on exit. ``cluster_options`` are passed to ``LocalCluster``.
    """

    def __init__(self, scheduler: str | None = None, workers: int = 2,
                 cluster_options: dict[str, Any] | None = None) -> None:
        if workers < 1:
            raise ValueError(f"a local Dask cluster needs at least one worker, not {workers}")
        self.scheduler = scheduler
        self.workers = workers
        self.cluster_options = cluster_options or {}
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect; stop the local cluster if this executor started one."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
            self.cluster = None

    def connect(self, log=print) -> Any:
        """The Dask client (connects, or starts the local cluster, on first call).

        Raises
        ------
        NotebookFailed
            If the scheduler cannot be reached or has no worker within ``WORKER_TIMEOUT``.
        """
        if self.client is not None:
            return self.client
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            # No dashboard (it needs bokeh and a port); the workers' shutdown chatter is
            # not the build's business.
            opts = {"n_workers": self.workers, "threads_per_worker": 1, "processes": True,
                    "dashboard_address": None, "silence_logs": logging.ERROR,
                    **self.cluster_options}
            log(f"Starting a local Dask cluster with {opts['n_workers']} worker process(es) …")
            self.cluster = LocalCluster(**opts)
            target: Any = self.cluster
        else:
            target = self.scheduler
        try:
            self.client = Client(target, timeout=CONNECT_TIMEOUT)
            self.client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            # warm kernels on every worker, present and future (warm_kernels)
            self.client.register_plugin(warm_kernels())
        except (OSError, TimeoutError) as exc:
            self.close()
            raise NotebookFailed(
                f"cannot use the Dask scheduler {self.scheduler or '(local cluster)'}: "
                f"{type(exc).__name__}: {exc}\nStart it with `dask scheduler` and at least one "
                "`dask worker <address> --nthreads 1` (README). Nothing was published; the "
                "previous book is unchanged.") from None
        return self.client

    def _workers(self) -> set[str]:
        try:
            return set(self.client.scheduler_info(n_workers=-1)["workers"])
        except Exception:  # noqa: BLE001 - only used for the progress log
            return set()

    def __call__(self, root: Path, jobs: list[Job], cache: Path, failed: Path, workers: int,
                 log=print) -> list[dict[str, Any]]:
        """Execute the jobs not in ``cache`` on the cluster (the interface of
        :func:`analysis.book.execute.run_jobs`; ``workers`` is the cluster's business here).

        Raises
        ------
        NotebookFailed
            On the first failing notebook, a notebook whose worker died too often, or a lost
            scheduler (remaining jobs are cancelled; nothing is written for them).
        """
        todo = [j for j in jobs if not (cache / j.key / "job.json").exists()]
        cached = len(jobs) - len(todo)
        if not todo:
            log(f"Notebooks: {len(jobs)} in the edition, {cached} unchanged (cached), "
                "0 to execute")
            return []
        from distributed import wait

        client = self.connect(log)
        seen = self._workers()
        where = self.scheduler or "a local cluster"
        log(f"Notebooks: {len(jobs)} in the edition, {cached} unchanged (cached), "
            f"{len(todo)} to execute with {len(seen)} Dask worker(s) at {where}")
        token = uuid.uuid4().hex[:8]
        # Book order first: a higher priority runs earlier.
        futs = {client.submit(run_on_worker, asdict(j), str(root), pure=False,
                              key=f"notebook-{j.stem}-{j.key}-{token}",
                              priority=len(todo) - i): j
                for i, j in enumerate(todo)}
        results: list[dict[str, Any]] = []
        t0, done = time.perf_counter(), 0
        pending = set(futs)
        try:
            while pending:
                try:
                    finished, pending = wait(pending, timeout=POLL,
                                             return_when="FIRST_COMPLETED")
                except TimeoutError:
                    finished = set()
                now = self._workers()
                for gone in sorted(seen - now):
                    log(f"  Dask worker {gone} left; its notebook runs again on another worker")
                for new in sorted(now - seen):
                    log(f"  Dask worker {new} joined")
                seen = now or seen
                for fut in finished:
                    job = futs[fut]
                    res = self._result(fut, job)
                    done += 1
                    if not res["ok"]:
                        if res.get("failed_payload"):
                            failed.mkdir(parents=True, exist_ok=True)
                            local = failed / f"{job.stem}.ipynb"
                            local.write_bytes(res.pop("failed_payload"))
                            res["failed_nb"] = str(local)
                        raise NotebookFailed(report_failure(res))
                    unpack(res.pop("payload"), cache / job.key)
                    results.append(res)
                    elapsed = time.perf_counter() - t0
                    left = len(todo) - done
                    log(f"  [{done:>3}/{len(todo)}] {res['label']:<45} "
                        f"{fmt_secs(res['seconds'])}   elapsed {fmt_secs(elapsed)}, {left} left "
                        f"(~{fmt_secs(elapsed / done * left)})  on {res['worker']}"
                        + execute._retry_note(res))
        finally:
            if pending:
                with contextlib.suppress(Exception):
                    client.cancel(list(pending))
        return results

    @staticmethod
    def _result(fut: Any, job: Job) -> dict[str, Any]:
        """A finished future's result dict; a task that could not finish (its workers died, the
        scheduler went away) becomes a failure naming the notebook."""
        from distributed import KilledWorker

        try:
            return fut.result()
        except KilledWorker as exc:
            error = (f"the Dask workers running it died repeatedly ({exc}); the scheduler gave "
                     "up after distributed.scheduler.allowed-failures attempts")
        except Exception as exc:  # noqa: BLE001 - a lost scheduler, a cancelled task …
            error = f"the Dask task did not finish: {type(exc).__name__}: {exc}"
        return {"ok": False, "key": job.key, "label": job.label, "source": job.source,
                "cell": None, "cell_source": "", "error": error, "traceback": "",
                "failed_nb": "", "seconds": 0.0}


def executor_for(kind: str, scheduler: str | None, workers: int) -> contextlib.AbstractContextManager:
    """The build's executor for ``--executor kind`` as a context manager: ``None`` (the build's
    local process pool, :func:`analysis.book.execute.run_jobs`) for ``local``, a
    :class:`DaskExecutor` for ``dask``."""
    if kind == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return contextlib.nullcontext(None)
    if kind == "dask":
        return DaskExecutor(scheduler, workers)
    raise ValueError(f"unknown executor {kind!r} (local or dask)")
