"""Benchmark: our cold build against Jupyter Book's own execution of the same notebooks.

Back to back, on one copy of the repository:

1. **our cold build**: ``python -m analysis.book.build book --edition 2019 -j 2`` with an empty
   build folder (papermill, warm kernels forked from a pre-imported zygote, the cache; it also
   executes the previous edition's chapters for the "what changed" page and runs Jupyter Book
   on the executed notebooks);
2. **Jupyter Book executing**: the same notebooks of the edition (every job of the build's plan:
   chapters and profiles), each with its parameters injected as papermill does and its title
   placeholders filled, in a Jupyter Book project with ``execute_notebooks: force`` (one fresh
   kernel per notebook, serially, as Jupyter Book 1 does), then ``jupyter-book build``.

Usage::

    .venv/bin/python benchmarks/bench_build_vs_jb.py [--edition 2019] [-j 2] [--repeats 1]
    .venv/bin/python benchmarks/bench_build_vs_jb.py --only profil_kommun   # 12 notebooks

Prints both wall times, the ratio and the 1-minute load average at the start and end of each,
and writes ``benchmarks/results/build_vs_jb.json``. The first kernel start in a new environment
is slow, so one warm-up kernel runs first (as in ``bench_build.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import yaml
from bench_build import warm_up  # same warm-up as the build benchmark (benchmarks/ is on sys.path)
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from analysis.book.build import copy_sources
from analysis.book.execute import _prepare_notebook
from analysis.book.jobs import plan
from analysis.book.params import load_edition

ROOT = Path(__file__).resolve().parents[1]


def _env(repo: Path) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")},
            "ANALYSIS_ROOT": str(repo), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
            "SOURCE_DATE_EPOCH": "0",
            # both sides import the library from the copy (edits elsewhere cannot reach a run)
            "PYTHONPATH": str(repo / "src")}


class LoadSampler:
    """The 1-minute load average every 10 s while a run lasts (mean and max are reported)."""

    def __enter__(self):
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(10):
            self.samples.append(os.getloadavg()[0])

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict:
        return {"load_1min": [round(self.samples[0], 2), round(self.samples[-1], 2)],
                "load_mean": round(sum(self.samples) / len(self.samples), 2),
                "load_max": round(max(self.samples), 2)}


def clear_interim(repo: Path) -> None:
    """Both sides start cold: no generated interim tables (synthetic rounds, protected tables)."""
    shutil.rmtree(repo / "data" / "interim", ignore_errors=True)


def our_build(repo: Path, edition: str, jobs: int, only: list[str] | None = None) -> dict:
    shutil.rmtree(repo / "_build", ignore_errors=True)
    clear_interim(repo)
    with LoadSampler() as load:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "analysis.book.build", "book", "--edition",
                               edition, "-j", str(jobs), "--build-dir", str(repo / "_build"),
                               *(["--only", ",".join(only)] if only else [])],
                              cwd=repo, env=_env(repo), capture_output=True, text=True)
        secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    executed = sum(int(n) for n in re.findall(r"(\d+) to execute", proc.stdout))
    (repo / "_build" / "build.log").write_text(proc.stdout, encoding="utf-8")
    return {"seconds": round(secs, 1), "notebooks_executed": executed, **load.summary()}


def jb_project(repo: Path, edition: str, dst: Path, only: list[str] | None = None) -> int:
    """A Jupyter Book project of the edition's notebooks with their parameters injected."""
    ed = load_edition(repo / "params" / f"{edition}.yml")
    if only:
        ed = ed.model_copy(update={"chapters": list(only)})
    jobs = plan(repo, ed)
    dst.mkdir(parents=True)
    names = []
    for job in jobs:
        name = job.stem
        nbformat.write(_prepare_notebook(repo, job), dst / f"{name}.ipynb")
        # as papermill reads it (metadata defaults), then its parameters cell injected
        nb = parameterize_notebook(load_notebook_node(str(dst / f"{name}.ipynb")), job.params)
        nbformat.write(nb, dst / f"{name}.ipynb")
        names.append(name)
    (dst / "index.md").write_text(f"# {ed.title}\n", encoding="utf-8")
    toc = {"format": "jb-book", "root": "index", "chapters": [{"file": n} for n in names]}
    (dst / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    config = {"title": ed.title, "only_build_toc_files": True,
              "execute": {"execute_notebooks": "force", "timeout": 1800,
                          "allow_errors": False},
              "sphinx": {"config": {"language": "sv", "nb_merge_streams": True}}}
    (dst / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return len(names)


def jb_build(repo: Path, project: Path) -> dict:
    jb = Path(sys.executable).parent / "jupyter-book"
    clear_interim(repo)
    with LoadSampler() as load:
        t0 = time.perf_counter()
        # notebooks read and write relative to the repository, as in the build's kernels
        proc = subprocess.run([str(jb), "build", str(project), "--builder", "html"], cwd=repo,
                              env=_env(repo), capture_output=True, text=True)
        secs = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    failed = re.findall(r"Execution Failed.*", log)
    if proc.returncode != 0 or failed:
        raise SystemExit("jupyter-book failed:\n" + log[-4000:])
    return {"seconds": round(secs, 1), **load.summary()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edition", default="2019")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1, help="pairs of runs (ours, then JB)")
    ap.add_argument("--only", default=None,
                    help="comma-separated notebook stems (both sides; a quick, partial check)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="work in this folder and keep it (to compare the outputs afterwards)")
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    warm_up()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        shutil.rmtree(work / "repo", ignore_errors=True)
        repo = copy_sources(ROOT, work / "repo")
        for r in range(args.repeats):
            ours = our_build(repo, args.edition, args.jobs, only)
            project = work / f"jb{r}"
            shutil.rmtree(project, ignore_errors=True)
            n = jb_project(repo, args.edition, project, only)
            jb = jb_build(repo, project)
            runs.append({"ours": ours, "jupyter_book": {**jb, "notebooks_executed": n},
                         "ratio": round(jb["seconds"] / ours["seconds"], 2)})
            print(f"run {r + 1}: our cold build {ours['seconds']} s "
                  f"({ours['notebooks_executed']} notebooks, -j {args.jobs}, load "
                  f"{ours['load_1min'][0]}-{ours['load_1min'][1]}, mean {ours['load_mean']}); jupyter-book "
                  f"execute_notebooks: force {jb['seconds']} s ({n} notebooks, load "
                  f"{jb['load_1min'][0]}-{jb['load_1min'][1]}, mean {jb['load_mean']}); ratio "
                  f"{runs[-1]['ratio']}x",
                  flush=True)
    res = {"edition": args.edition, "only": only, "workers": args.jobs, "cpus": os.cpu_count(),
           "runs": runs}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "build_vs_jb.json").write_text(json.dumps(res, indent=1, ensure_ascii=False),
                                          encoding="utf-8")


if __name__ == "__main__":
    main()
