"""Tests for analysis.book.kernelpool: warm kernels forked from a zygote, isolated per notebook."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from analysis.book import jobs as book_jobs
from analysis.book import kernelpool


def _notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_code_cell("edition = 0", metadata={"tags": ["parameters"]}),
             *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": book_jobs.KERNEL, "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(src: Path, out: Path, **params) -> nbformat.NotebookNode:
    kernelpool.kernel_log["path"] = str(out.with_suffix(".log"))
    pm.execute_notebook(str(src), str(out), parameters=params, kernel_name=book_jobs.KERNEL,
                        cwd=str(src.parent), progress_bar=False,
                        kernel_manager_class=kernelpool.kernel_manager_class())
    return nbformat.read(out, as_version=4)


def _in_thread(coro):
    """Run a coroutine to completion in its own thread: another test in this process (the lab
    server's) may have left an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as gone
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.fixture()
def zygote():
    kernelpool.start_worker_zygote()
    yield kernelpool.worker_zygote()
    kernelpool.stop_worker_zygote()


LEAK = """\
import json, sys, builtins, os
import numpy as np, pandas as pd, matplotlib as mpl, matplotlib.pyplot as plt
leaked_global = 42
json.leaked_attribute = 1
builtins.leaked_builtin = 1
sys.modules["leaked_module"] = json
os.environ["LEAKED_ENV"] = "1"
pd.set_option("display.max_rows", 3)
mpl.rcParams["lines.linewidth"] = 9.0
np.random.seed(1)
fig = plt.figure()
print(os.getpid(), os.getppid(), edition)
"""

CHECK = """\
import json, sys, builtins, os
import numpy as np, pandas as pd, matplotlib as mpl, matplotlib.pyplot as plt
assert "leaked_global" not in globals()
assert not hasattr(json, "leaked_attribute")
assert not hasattr(builtins, "leaked_builtin")
assert "leaked_module" not in sys.modules
assert "LEAKED_ENV" not in os.environ
assert pd.get_option("display.max_rows") == 60
assert mpl.rcParams["lines.linewidth"] == 1.5
assert plt.get_fignums() == []
print(os.getpid(), os.getppid(), edition, hash("abc"))
"""


class TestWarmKernels:
    def test_no_state_leaks_between_notebooks(self, zygote, tmp_path):
        first = _run(_notebook(tmp_path / "a.ipynb", LEAK), tmp_path / "a.out.ipynb", edition=1)
        second = _run(_notebook(tmp_path / "b.ipynb", CHECK), tmp_path / "b.out.ipynb",
                      edition=2)
        pid1, parent1, ed1 = first.cells[-1].outputs[0]["text"].split()
        pid2, parent2, ed2, _ = second.cells[-1].outputs[0]["text"].split()
        # both kernels are forks of the zygote (not kernels started by jupyter_client) ...
        assert parent1 == parent2 == str(zygote._proc.pid)
        assert pid1 != pid2
        # ... and papermill injected each notebook's own parameters
        assert (ed1, ed2) == ("1", "2")
        assert [c.metadata.get("tags") for c in second.cells[:2]] == [["parameters"],
                                                                      ["injected-parameters"]]

    def test_same_hash_seed_and_folder_as_a_started_kernel(self, zygote, tmp_path):
        code = "import os, sys; print(hash('abc'), os.getcwd(), '' in sys.path)"
        os.environ["PYTHONHASHSEED"] = "0"
        try:
            warm = _run(_notebook(tmp_path / "w.ipynb", code), tmp_path / "w.out.ipynb")
            kernelpool.stop_worker_zygote()
            cold = _run(_notebook(tmp_path / "c.ipynb", code), tmp_path / "c.out.ipynb")
        finally:
            del os.environ["PYTHONHASHSEED"]
        assert warm.cells[-1].outputs[0]["text"] == cold.cells[-1].outputs[0]["text"]
        assert str(tmp_path) in warm.cells[-1].outputs[0]["text"]

    def test_failing_cell_reported_as_before(self, zygote, tmp_path):
        src = _notebook(tmp_path / "f.ipynb", "x = 1", "1 / 0")
        with pytest.raises(pm.PapermillExecutionError) as err:
            _run(src, tmp_path / "f.out.ipynb")
        assert err.value.ename == "ZeroDivisionError"
        assert err.value.exec_count == 3

    def test_kernel_dies_with_its_zygote(self, zygote, tmp_path):
        async def start():
            km = kernelpool.kernel_manager_class()(kernel_name=book_jobs.KERNEL)
            await km.start_kernel(cwd=str(tmp_path))
            return km

        kernelpool.kernel_log["path"] = str(tmp_path / "k.log")
        km = _in_thread(start())
        kernel = km.provisioner.pid
        assert _alive(kernel) and kernel != zygote._proc.pid
        os.kill(zygote._proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(kernel)
        _in_thread(km.cleanup_resources())

    def test_stopped_zygote_leaves_no_process(self, tmp_path):
        kernelpool.start_worker_zygote()
        z = kernelpool.worker_zygote()
        _run(_notebook(tmp_path / "a.ipynb", "x = 1"), tmp_path / "a.out.ipynb")
        pid = z._proc.pid
        kernelpool.stop_worker_zygote()
        assert kernelpool.worker_zygote() is None and not _alive(pid)

    def test_zygote_restarted_after_it_died(self, zygote, tmp_path):
        _run(_notebook(tmp_path / "a.ipynb", "x = 1"), tmp_path / "a.out.ipynb")
        old = zygote._proc.pid
        os.kill(old, signal.SIGKILL)
        zygote._proc.wait()
        nb = _run(_notebook(tmp_path / "b.ipynb", "print('ok')"), tmp_path / "b.out.ipynb")
        assert nb.cells[-1].outputs[0]["text"] == "ok\n" and zygote._proc.pid != old


ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "analysis"


class TestLibraryPreloaded:
    """The zygote's program (analysis.book.warmkernel) imports the library's modules once."""

    def test_every_module_a_notebook_imports_is_preloaded(self):
        from analysis.core import codehash

        zygote = PKG / "book" / "warmkernel.py"
        preloaded = set(codehash.closure(codehash.file_imports(zygote, "analysis.book.warmkernel"),
                                         PKG))
        missing = {}
        for md in sorted((ROOT / "notebooks").glob("*.md")):
            mods = {m for m in book_jobs.notebook_imports(md)
                    if codehash.module_file(m, PKG) is not None}
            if mods - preloaded:
                missing[md.name] = sorted(mods - preloaded)
        assert missing == {}, "add these to analysis.book.warmkernel"

    def test_importing_the_library_reads_no_environment(self):
        """Module-level code only defines things: nothing at import reads the environment, the
        working folder, the project root or a data file, or sets an option, so a fork of the
        zygote is the same as a kernel that imports the modules itself. The one exception is the
        house style of the charts (``plots`` sets matplotlib's rcParams on import), which is the
        same in every kernel that imports it; every notebook that draws imports it. The other is
        the region (:mod:`analysis.core.geo` reads ``ANALYSIS_REGION`` once): a pool serves one
        build, hence one region, and a kernel asked for another region refuses to start."""
        import ast

        names = {"environ", "getenv", "project_root", "cwd", "interim_dir", "work_cache",
                 "read_catalog", "load", "set_option", "rcParams", "style", "use", "seed",
                 "active_region"}
        found = []
        for path in sorted(PKG.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                     ast.Import, ast.ImportFrom)):
                    continue
                if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
                    continue
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                if used & names:
                    found.append(f"{path.relative_to(PKG).as_posix()}: {ast.unparse(node)[:60]}")
        allowed = {"present/plots.py: matplotlib.use('Agg')", "present/plots.py: style()",
                   "core/geo.py: REGION: Region = active_region()"}
        assert set(found) <= allowed, sorted(set(found) - allowed)

    def test_every_notebook_that_draws_imports_the_house_style(self):
        from analysis.core import codehash

        for md in sorted((ROOT / "notebooks").glob("*.md")):
            text = md.read_text(encoding="utf-8")
            draws = any(s in text for s in ("publish.figure(", "plt.", "matplotlib"))
            closure = codehash.closure(book_jobs.notebook_imports(md), PKG)
            assert not draws or "analysis.present.plots" in closure, md.name

    def test_kernel_has_the_library_and_no_state_leaks_through_it(self, zygote, tmp_path):
        leak = ("import sys\nfrom analysis.chapters import profiles\nfrom analysis.core import geo\n"
                "profiles.leaked = 1\ngeo.KOMMUNER['9999'] = 'Påhittad'\n"
                "print('analysis.chapters.profiles' in sys.modules)")
        check = ("import sys\npreloaded = 'analysis.chapters.profiles' in sys.modules\n"
                 "from analysis.chapters import profiles\nfrom analysis.core import geo\n"
                 "assert not hasattr(profiles, 'leaked') and '9999' not in geo.KOMMUNER\n"
                 "print(preloaded)")
        first = _run(_notebook(tmp_path / "a.ipynb", leak), tmp_path / "a.out.ipynb")
        second = _run(_notebook(tmp_path / "b.ipynb", check), tmp_path / "b.out.ipynb")
        assert first.cells[-1].outputs[0]["text"] == "True\n"
        assert second.cells[-1].outputs[0]["text"] == "True\n"  # there before the import
        assert zygote.failed == []


class TestCallsInAFork:
    """``Zygote.call``: a function of the zygote run in a fork (the build's shared-data
    preparation, :mod:`analysis.book.prepare`), with the job's environment, no kernel."""

    def _call(self, zygote, tmp_path, target, kwargs, env=None):
        result = tmp_path / "result.json"
        result.unlink(missing_ok=True)
        proc = zygote.call(target, kwargs, {**os.environ, **(env or {})}, str(tmp_path),
                           str(tmp_path / "call.log"), str(result))
        proc.wait(timeout=60)
        return json.loads(result.read_text()) if result.exists() else None

    def test_result_environment_and_folder(self, zygote, tmp_path):
        got = self._call(zygote, tmp_path, "environment", {"names": ["P18_X"]},
                         {"P18_X": "från jobbet"})
        assert got == {"env": {"P18_X": "från jobbet"}, "cwd": str(tmp_path)}
        # the zygote is unchanged: the next fork has only its own job's environment
        assert self._call(zygote, tmp_path, "environment", {"names": ["P18_X"]})["env"] == {
            "P18_X": None}

    def test_the_zygote_runs_the_build_preparation(self, zygote, tmp_path):
        assert self._call(zygote, tmp_path, "prepare", {"parts": [], "params": {}}) == {
            "ok": True}

    def test_a_raising_call_leaves_no_result_and_its_traceback(self, zygote, tmp_path):
        assert self._call(zygote, tmp_path, "environment", {"bogus": 1}) is None
        assert "TypeError" in (tmp_path / "call.log").read_text()
        assert self._call(zygote, tmp_path, "no such call", {}) is None
        assert "KeyError" in (tmp_path / "call.log").read_text()
        # the zygote still serves
        assert self._call(zygote, tmp_path, "environment", {"names": []})["env"] == {}
