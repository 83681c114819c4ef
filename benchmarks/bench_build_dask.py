"""Benchmark the build's executors: local worker processes against a Dask LocalCluster.

For one edition, on a fresh copy of the repository each: a cold build and a rebuild with nothing
changed, first with the local executor (``-j 2``), then with ``--executor dask`` (a LocalCluster
of 2 worker processes, one thread each, started by the build). The 1-minute load average is
logged before and after every step: the machine is shared, and the load says how much of the
wall time is the build's own.

Usage::

    .venv/bin/python benchmarks/bench_build_dask.py [--edition 2019] [-j 2]

Writes ``benchmarks/results/build_dask.json`` after every step (a long run that is stopped keeps
what it measured) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(repo: Path, edition: str, jobs: int, *extra: str) -> dict:
    """One build of ``edition`` in ``repo``: wall seconds, notebooks executed, load averages."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")},
           "ANALYSIS_ROOT": str(repo)}
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis.book.build", "book", "--edition",
                           edition, "-j", str(jobs), "--build-dir", str(repo / "_build"), *extra],
                          cwd=repo, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    per_nb = [float(v) * (60 if unit == "min" else 1) for v, unit
              in re.findall(r"\]\s.*?\s([\d.]+) (s|min)\s+elapsed", proc.stdout)]
    return {"seconds": round(secs, 1),
            "executed": sum(int(n) for n in re.findall(r"(\d+) to execute", proc.stdout)),
            "notebook_seconds_sum": round(sum(per_nb), 1),
            "load_1min_before": round(load_before, 2),
            "load_1min_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    from analysis.book.build import copy_sources

    ap = argparse.ArgumentParser()
    ap.add_argument("--edition", default="2019")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"edition": args.edition, "workers": args.jobs, "cpus": os.cpu_count(),
                 "steps": {}}
    executors = {"local": (), "dask LocalCluster": ("--executor", "dask")}
    for name, extra in executors.items():
        with tempfile.TemporaryDirectory() as tmp:
            repo = copy_sources(ROOT, Path(tmp) / "repo")
            for step in ("cold", "no change"):
                r = build(repo, args.edition, args.jobs, *extra)
                res["steps"][f"{name}: {step}"] = r
                (out / "build_dask.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
                print(f"{name + ': ' + step:<32}{r['seconds']:>9} s{r['executed']:>6} executed"
                      f"   load {r['load_1min_before']} → {r['load_1min_after']}", flush=True)


if __name__ == "__main__":
    main()
