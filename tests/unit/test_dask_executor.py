"""Tests for analysis.book.dask_executor: the build's jobs on a Dask LocalCluster (2 worker
processes), with the local executor's cache, log and failure report.

A tiny job graph of three-cell notebooks in a temporary repository; the whole book on a cluster,
byte for byte against a local build, and a killed worker are in tests/build/test_dask_build.py.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import nbformat
import pytest

from analysis.book import build, dask_executor
from analysis.book.dask_executor import DaskExecutor, executor_for, pack, unpack, worker_root
from analysis.book.execute import NotebookFailed
from analysis.book.jobs import Job, code_hash_for, job_key

ROOT = Path(__file__).resolve().parents[2]
# One xdist worker runs the module: the cluster fixture is started once.
pytestmark = pytest.mark.xdist_group("dask-executor")

HEAD = """---
jupytext:
  text_representation: {extension: .md, format_name: myst, format_version: 0.13}
kernelspec: {display_name: Python 3, language: python, name: python3}
analysis:
  inputs: []
---

# Liten

```{code-cell} ipython3
:tags: [parameters]

edition = 0
```
"""
GOOD = """
```{code-cell} ipython3
import os
from pathlib import Path

stem = os.environ["ANALYSIS_NB_STEM"]
files = Path(f"{stem}_files")
files.mkdir()
(files / "tal.csv").write_text(f"edition,dubbel\\n{edition},{edition * 2}\\n")
print(edition * 2, os.environ["ANALYSIS_ROOT"])
```
"""
BAD = """
```{code-cell} ipython3
kvot = 1 / 0
```
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A repository with two small notebooks (the library is the real one, linked)."""
    root = tmp_path_factory.mktemp("tiny")
    (root / "notebooks").mkdir()
    (root / "data").mkdir()
    (root / "data" / "catalog.yml").write_text("datasets: {}\n", encoding="utf-8")
    (root / "src").symlink_to(ROOT / "src")
    (root / "notebooks" / "liten.md").write_text(HEAD + GOOD, encoding="utf-8")
    (root / "notebooks" / "trasig.md").write_text(HEAD + BAD, encoding="utf-8")
    return root


def make_job(root: Path, source: str, stem: str, edition: int) -> Job:
    job = Job(source, stem, ".", {"edition": edition}, [], label=stem)
    job.key = job_key(root, job, code_hash_for(root, root / source, []))
    return job


@pytest.fixture(scope="module")
def checkout(tiny, tmp_path_factory) -> Path:
    """The workers' own copy of the repository (as on a cluster without a shared disk)."""
    own = tmp_path_factory.mktemp("worker") / "checkout"
    shutil.copytree(tiny, own, symlinks=True)
    return own


@pytest.fixture(scope="module")
def cluster(checkout):
    with DaskExecutor(workers=2, cluster_options={"env": {"ANALYSIS_ROOT": str(checkout)}}) as ex:
        yield ex


class TestDaskExecutor:
    def test_executes_on_the_workers_and_fills_the_cache(self, tiny, checkout, cluster,
                                                         tmp_path):
        jobs = [make_job(tiny, "notebooks/liten.md", f"liten_{e}", e) for e in (2017, 2018, 2019)]
        lines: list[str] = []
        results = cluster(tiny, jobs, tmp_path / "cache", tmp_path / "failed", 2,
                          log=lines.append)
        assert len(results) == 3
        assert any("3 to execute with 2 Dask worker(s)" in ln for ln in lines)
        assert any("[  3/3]" in ln and "on tcp://" in ln for ln in lines)
        for job in jobs:
            entry = tmp_path / "cache" / job.key
            info = json.loads((entry / "job.json").read_text(encoding="utf-8"))
            assert info["key"] == job.key and info["stem"] == job.stem
            e = job.params["edition"]
            assert (entry / f"{job.stem}_files" / "tal.csv").read_text() == \
                f"edition,dubbel\n{e},{e * 2}\n"
            nb = nbformat.read(entry / f"{job.stem}.ipynb", as_version=4)
            assert nb.cells[-1].outputs[0]["text"] == f"{e * 2} {checkout}\n"
        assert not list((tmp_path / "cache").glob("*.tmp-*"))
        # a second run finds every result in the cache and sends nothing to the cluster
        lines.clear()
        assert cluster(tiny, jobs, tmp_path / "cache", tmp_path / "failed", 2,
                       log=lines.append) == []
        assert lines == ["Notebooks: 3 in the edition, 3 unchanged (cached), 0 to execute"]

    def test_failing_cell_names_notebook_and_cell(self, tiny, cluster, tmp_path):
        jobs = [make_job(tiny, "notebooks/trasig.md", "trasig", 2019)]
        with pytest.raises(NotebookFailed) as err:
            cluster(tiny, jobs, tmp_path / "cache", tmp_path / "failed", 2, log=lambda s: None)
        msg = str(err.value)
        assert "BUILD FAILED in notebooks/trasig.md" in msg
        assert "kvot = 1 / 0" in msg and "ZeroDivisionError" in msg
        assert "Nothing was published" in msg
        # the partly executed notebook comes back from the worker to the build's failed folder
        kept = tmp_path / "failed" / "trasig.ipynb"
        assert kept.is_file() and f"kept in {kept}" in msg
        assert not (tmp_path / "cache" / jobs[0].key).exists()

    def test_worker_with_another_version_of_a_notebook_refuses(self, tiny, checkout, cluster,
                                                               tmp_path):
        old, new = checkout / "notebooks" / "andrad.md", tiny / "notebooks" / "andrad.md"
        old.write_text(HEAD + GOOD, encoding="utf-8")  # the workers' checkout is behind
        new.write_text(HEAD + GOOD + "\nNy text.\n", encoding="utf-8")
        try:
            job = make_job(tiny, "notebooks/andrad.md", "andrad", 2019)
            with pytest.raises(NotebookFailed, match="different copy of the repository") as err:
                cluster(tiny, [job], tmp_path / "cache", tmp_path / "failed", 2,
                        log=lambda s: None)
        finally:
            old.unlink()
            new.unlink()
        assert "BUILD FAILED in notebooks/andrad.md" in str(err.value)
        assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())

    def test_unreachable_scheduler_fails_loudly(self, monkeypatch):
        monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 1)
        ex = DaskExecutor("tcp://127.0.0.1:9")
        with pytest.raises(NotebookFailed, match="cannot use the Dask scheduler tcp://127.0.0.1:9"):
            ex.connect(log=lambda s: None)
        assert ex.client is None

    def test_needs_a_worker(self):
        with pytest.raises(ValueError, match="at least one worker"):
            DaskExecutor(workers=0)


class TestPackUnpack:
    def test_round_trip_replaces_the_entry(self, tmp_path):
        src = tmp_path / "src"
        (src / "a_files").mkdir(parents=True)
        (src / "a.ipynb").write_bytes(b"{}")
        (src / "a_files" / "t.csv").write_bytes(b"x\n1\n")
        dest = tmp_path / "cache" / "key"
        dest.mkdir(parents=True)
        (dest / "stale.txt").write_text("old")
        unpack(pack(src), dest)
        assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*")) == \
            ["a.ipynb", "a_files", "a_files/t.csv"]
        assert (dest / "a_files" / "t.csv").read_bytes() == b"x\n1\n"
        assert not list((tmp_path / "cache").glob("*.tmp-*"))

    def test_pack_is_deterministic(self, tmp_path):
        (tmp_path / "b.txt").write_text("b")
        (tmp_path / "a.txt").write_text("a")
        names = tarfile.open(fileobj=io.BytesIO(pack(tmp_path))).getnames()
        assert names == ["a.txt", "b.txt"]


class TestWorkerRoot:
    def test_the_build_folder_if_the_worker_sees_it(self, tiny, monkeypatch):
        monkeypatch.delenv("ANALYSIS_ROOT", raising=False)
        assert worker_root(str(tiny)) == tiny

    def test_the_workers_own_setting_first(self, tiny, checkout, monkeypatch):
        monkeypatch.setenv("ANALYSIS_ROOT", str(checkout))
        assert worker_root(str(tiny)) == checkout.resolve()

    def test_else_the_workers_own_checkout(self, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_ROOT", str(ROOT))
        assert worker_root(str(tmp_path / "not-here")) == ROOT.resolve()


class TestExecutorFor:
    def test_local_is_the_builds_own_pool(self):
        with executor_for("local", None, 2) as run:
            assert run is None

    def test_dask(self):
        ex = executor_for("dask", "tcp://h:8786", 2)
        assert isinstance(ex, DaskExecutor) and ex.scheduler == "tcp://h:8786"
        assert ex.client is None  # connects only when there is something to execute

    def test_scheduler_needs_dask(self):
        with pytest.raises(ValueError, match="--executor dask"):
            executor_for("local", "tcp://h:8786", 2)
        with pytest.raises(ValueError, match="unknown executor"):
            executor_for("ray", None, 2)

    def test_cli_rejects_a_scheduler_without_dask(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            build.main(["book", "--scheduler", "tcp://h:8786"])
        assert exit_.value.code == 2
        assert "--scheduler needs --executor dask" in capsys.readouterr().err

