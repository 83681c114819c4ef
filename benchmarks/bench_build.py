"""Benchmark the book build: cold build, rebuild with nothing changed, rebuild after one data file.

Runs on a copy of the repository (so the real data folder is never touched) with its own build
folder, for one edition. A warm-up execution of a trivial notebook comes first, because the first
kernel start in a new environment is several times slower (see shared/STACK.md).

Usage::

    .venv/bin/python benchmarks/bench_build.py [--edition 2019] [-j 2]

Writes ``benchmarks/results/build.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_repo(dst: Path) -> Path:
    from analysis.book.build import copy_sources

    return copy_sources(ROOT, dst)


def build(repo: Path, edition: str, jobs: int) -> tuple[float, int, str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")},
           "ANALYSIS_ROOT": str(repo)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis.book.build", "book", "--edition", edition,
                           "-j", str(jobs), "--build-dir", str(repo / "_build")],
                          cwd=repo, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    executed = sum(int(n) for n in re.findall(r"(\d+) to execute", proc.stdout))
    return secs, executed, proc.stdout


def warm_up() -> None:
    import nbformat
    import papermill as pm

    with tempfile.TemporaryDirectory() as d:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import analysis")])
        nbformat.write(nb, f"{d}/w.ipynb")
        pm.execute_notebook(f"{d}/w.ipynb", f"{d}/o.ipynb", kernel_name="python3",
                            progress_bar=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edition", default="2019")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        load = {"cold": os.getloadavg()[0]}
        cold, n_cold, out_cold = build(repo, args.edition, args.jobs)
        load["warm"] = os.getloadavg()[0]
        warm_runs = [build(repo, args.edition, args.jobs) for _ in range(3)]
        warm, n_warm = sorted(r[0] for r in warm_runs)[1], max(r[1] for r in warm_runs)
        load["one"] = os.getloadavg()[0]
        f = repo / "data/raw/scb_digitala_granser/2023-05-16/kommuner_orebro_lan_wgs84.geojson"
        old = hashlib.md5(f.read_bytes()).hexdigest()
        f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        new = hashlib.md5(f.read_bytes()).hexdigest()
        cat = repo / "data" / "catalog.yml"
        cat.write_text(cat.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        one, n_one, out_one = build(repo, args.edition, args.jobs)
        per_nb = {}
        for j in (repo / "_build" / "cache" / "notebooks").glob("*/job.json"):
            info = json.loads(j.read_text(encoding="utf-8"))
            per_nb[info["label"]] = info["seconds"]
    res = {
        "edition": args.edition, "workers": args.jobs, "cpus": os.cpu_count(),
        "cold_build_s": round(cold, 1), "cold_notebooks_executed": n_cold,
        "warm_rebuild_s": round(warm, 2), "warm_notebooks_executed": n_warm,
        "warm_rebuild_runs_s": [round(r[0], 2) for r in warm_runs],
        "load_1min_at_start": {k: round(v, 2) for k, v in load.items()},
        "one_data_file_changed_s": round(one, 1), "one_data_file_notebooks_executed": n_one,
        "slowest_notebooks_s": dict(sorted(per_nb.items(), key=lambda kv: -kv[1])[:8]),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "build.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{'step':<40}{'seconds':>10}{'notebooks executed':>22}")
    print(f"{'cold build':<40}{res['cold_build_s']:>10}{n_cold:>22}")
    print(f"{'rebuild, nothing changed (median of 3)':<40}{res['warm_rebuild_s']:>10}{n_warm:>22}")
    print(f"{'rebuild, map boundaries file changed':<40}{res['one_data_file_changed_s']:>10}{n_one:>22}")
    print("slowest notebooks:", res["slowest_notebooks_s"])
    print("1-minute load average at the start of each step:", res["load_1min_at_start"])


if __name__ == "__main__":
    main()
