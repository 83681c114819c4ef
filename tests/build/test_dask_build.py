"""The book's notebooks on a Dask LocalCluster (2 worker processes): the same published book as
the local executor, and a worker killed mid-notebook is either survived (the notebook runs again)
or stops the build loudly without publishing.

Built on a copy of the repository, restricted to the Finsam förbund profiles (four notebooks, no
previous-edition run) to keep it short.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import nbformat
import pytest
from distributed import Client, LocalCluster

from analysis.book import build
from analysis.book.dask_executor import DaskExecutor
from analysis.book.execute import NotebookFailed
from analysis.book.jobs import code_hash_for, job_key, plan
from analysis.book.params import load_edition

ROOT = Path(__file__).resolve().parents[2]
ONLY = "profil_forbund"
# Not beside the other book builds: the machine has two cores.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book-build")]


def run_build(repo: Path, build_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANALYSIS_ROOT": str(repo)}
    env.pop("ANALYSIS_DECLARED_INPUTS", None)
    return subprocess.run(
        [sys.executable, "-m", "analysis.book.build", "book", "--edition", "2019", "-j", "2",
         "--build-dir", str(build_dir), "--only", ONLY, *extra],
        cwd=repo, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build.copy_sources(ROOT, tmp_path_factory.mktemp("daskbook") / "repo")


@pytest.fixture(scope="module")
def local(repo):
    proc = run_build(repo, repo.parent / "local")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo.parent / "local"


@pytest.fixture(scope="module")
def on_dask(repo):
    proc = run_build(repo, repo.parent / "dask", "--executor", "dask")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc, repo.parent / "dask"


def _notebook_content(path: Path) -> list:
    """What a reader gets from an executed notebook: cell types, sources and outputs (not the
    run's timings and cell ids, which differ between any two runs)."""
    nb = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.source, c.get("outputs", []), c.metadata.get("tags", []))
            for c in nb.cells]


def _pdf_text(path: Path) -> str:
    """A PDF's text (its creation date and the staging folder's links differ between runs)."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _differences(a: Path, b: Path) -> list[str]:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return [f"file lists differ: {sorted(set(map(str, files_a)) ^ set(map(str, files_b)))}"]
    out = []
    for rel in files_a:
        fa, fb = a / rel, b / rel
        if rel.suffix == ".ipynb":
            same = _notebook_content(fa) == _notebook_content(fb)
        elif rel.suffix == ".pdf" and shutil.which("pdftotext"):
            same = _pdf_text(fa) == _pdf_text(fb)
        elif rel.name == "manifest.json":
            ma, mb = (json.loads(f.read_text(encoding="utf-8")) for f in (fa, fb))
            same = ma == mb
        else:
            same = fa.read_bytes() == fb.read_bytes()
        if not same:
            out.append(str(rel))
    return out


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


class TestSameBookAsLocal:
    def test_published_book_is_identical(self, local, on_dask):
        _, dask_dir = on_dask
        a, b = local / "partial" / "orebro-lan" / "2019", dask_dir / "partial" / "orebro-lan" / "2019"
        assert (b / "index.html").exists()
        html, csvs = list(a.rglob("*.html")), list(a.rglob("*.csv"))
        assert len(html) >= 4 and len(csvs) >= 8
        # every page, table, figure and script byte for byte; notebooks by content, PDFs by text
        assert _differences(a, b) == []

    def test_executed_results_are_identical(self, local, on_dask):
        _, dask_dir = on_dask
        for info in (local / "cache" / "notebooks").glob("*/job.json"):
            key = info.parent.name
            there = dask_dir / "cache" / "notebooks" / key
            assert (there / "job.json").exists(), f"{key} not in the Dask build's cache"
            for f in sorted(info.parent.rglob("*")):
                rel = f.relative_to(info.parent)
                if f.is_file() and f.suffix not in (".ipynb", ".json", ".log"):
                    assert f.read_bytes() == (there / rel).read_bytes(), rel

    def test_workers_fork_warm_kernels(self, on_dask):
        # the Dask workers run every notebook in a kernel forked from their zygote (warm_kernels)
        _, dask_dir = on_dask
        infos = [json.loads(p.read_text(encoding="utf-8"))
                 for p in (dask_dir / "cache" / "notebooks").glob("*/job.json")]
        assert len(infos) == 4 and all(i["warm_kernel"] for i in infos)

    def test_log_names_the_workers(self, on_dask):
        proc, _ = on_dask
        assert "4 to execute with 2 Dask worker(s) at a local cluster" in proc.stdout
        assert "[  4/4]" in proc.stdout and "on tcp://127.0.0.1:" in proc.stdout

    def test_second_build_sends_nothing(self, repo, on_dask):
        _, dask_dir = on_dask
        proc = run_build(repo, dask_dir, "--executor", "dask")
        assert proc.returncode == 0, proc.stderr
        assert "Nothing changed since the last build" in proc.stdout
        assert "Dask cluster" not in proc.stdout  # no cluster started for nothing


# --------------------------------------------------------------------------- a killed worker
def _kill_a_busy_worker(client: Client, stop: threading.Event, after: float = 3.0) -> str | None:
    """SIGKILL the process of a worker that has been running a notebook for ``after`` seconds;
    the killed worker's address (None if ``stop`` was set first)."""
    pids = client.run(os.getpid)
    busy_since: dict[str, float] = {}
    while not stop.is_set():
        for addr, keys in client.processing().items():
            if keys:
                busy_since.setdefault(addr, time.monotonic())
                if time.monotonic() - busy_since[addr] > after and addr in pids:
                    os.kill(pids[addr], signal.SIGKILL)
                    return addr
        time.sleep(0.2)
    return None


def _planned_jobs(repo: Path):
    ed = load_edition(repo / "params" / "2019.yml").model_copy(update={"chapters": [ONLY]})
    jobs = plan(repo, ed)
    for j in jobs:
        j.key = job_key(repo, j, code_hash_for(repo, repo / j.source, j.inputs))
    return jobs


@pytest.fixture()
def in_repo(repo, monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(repo))
    monkeypatch.delenv("ANALYSIS_DECLARED_INPUTS", raising=False)
    return repo


class TestKilledWorker:
    def test_notebook_of_a_killed_worker_runs_again(self, in_repo, local, tmp_path):
        jobs = _planned_jobs(in_repo)[:2]  # one notebook on each worker
        cache = tmp_path / "cache"
        lines: list[str] = []
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, \
                Client(cluster) as watcher, DaskExecutor(cluster.scheduler_address) as ex:
            stop = threading.Event()
            killed: list[str | None] = []
            t = threading.Thread(target=lambda: killed.append(
                _kill_a_busy_worker(watcher, stop)))
            t.start()
            try:
                results = ex(in_repo, jobs, cache, tmp_path / "failed", 2, log=lines.append)
            finally:
                stop.set()
                t.join()
        assert killed and killed[0], "no worker was killed: the notebooks finished too fast"
        assert len(results) == 2 and all(r["ok"] for r in results)
        assert any(f"Dask worker {killed[0]} left" in ln for ln in lines)
        # the re-run notebook's tables and figures are those of the local build
        for j in jobs:
            ours, theirs = cache / j.key, local / "cache" / "notebooks" / j.key
            assert (ours / "job.json").exists() and (theirs / "job.json").exists()
            for f in sorted((theirs / f"{j.stem}_files").rglob("*")):
                if f.is_file():
                    assert f.read_bytes() == (ours / f.relative_to(theirs)).read_bytes()

    def test_without_retries_the_build_stops_and_keeps_the_last_book(self, in_repo, local,
                                                                     tmp_path):
        build_dir = tmp_path / "build"
        shutil.copytree(local, build_dir, symlinks=True)
        book = build_dir / "partial" / "orebro-lan" / "2019"
        before = _tree_hash(book)
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        with cluster, Client(cluster) as watcher, \
                DaskExecutor(cluster.scheduler_address) as ex:
            stop = threading.Event()
            t = threading.Thread(target=_kill_a_busy_worker, args=(watcher, stop))
            t.start()
            try:
                with pytest.raises(NotebookFailed) as err:
                    build.build_book(in_repo, "2019", force=True, build_dir=build_dir,
                                     only=[ONLY], executor=ex, log=lambda s: None)
            finally:
                stop.set()
                t.join()
        msg = str(err.value)
        assert "BUILD FAILED in notebooks/profil_forbund.md" in msg
        assert "Dask workers running it died" in msg
        assert "Nothing was published; the previous book is unchanged." in msg
        assert _tree_hash(book) == before
        staging = build_dir / "staging"
        assert not staging.exists() or not any(staging.iterdir())
