"""Benchmark the national edition's cost against the number of kommun profiles.

For each number of profiles (default 12, 50, 100, 290: the first N of Sweden's kommuner in code
order) and each executor (local ``-j 2``, and a Dask ``LocalCluster`` of 2 worker processes
started by the build), on a fresh copy of the repository:

1. **cold**: ``python -m analysis.book.build book --region riket --only profil_kommun
   --areas <N codes>`` with an empty build folder (a partial book: the profiles, the static pages
   and every generated page, Jupyter Book in strict mode, published to ``partial/riket/2019``);
2. **no change**: the same command again;
3. **one kommun changed**: one value of the first kommun in the national population table
   (``folkmangd_kommun_1950_2019.csv``, the latest year, +1 person) and its md5 in the
   catalogue, then the same command. Every profile shows riket and its län and kommungrupp, so
   a change in any kommun reaches every profile and all N execute again (which this step
   measures, not assumes).

For each step: wall seconds, notebooks executed, the peak resident memory of the whole process
tree (the build, its workers and kernels, sampled every 0.2 s with psutil) and the 1-minute load
average before and after (the machine is shared; the load says how much of the time is the
build's own).

Usage::

    .venv/bin/python benchmarks/bench_national.py [--sizes 12,50,100,290] [--executors local,dask]

Writes ``benchmarks/results/national.json`` after every step and prints a table.
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
import threading
import time
from pathlib import Path

import psutil

from analysis.book.build import copy_sources
from analysis.core import geo

ROOT = Path(__file__).resolve().parents[1]
KOMMUN_TABLE = "data/raw/scb_kommun_folkmangd/2020-05-07/folkmangd_kommun_1950_2019.csv"


class PeakRSS:
    """Peak resident memory (MB) of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                rss = 0
                for p in procs:
                    try:
                        rss += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, rss / 2**20)
            except psutil.Error:
                pass
            self._stop.wait(self.every)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def build(repo: Path, codes: list[str], executor: str) -> dict:
    """One partial national build of the profiles of ``codes``."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")},
           "ANALYSIS_ROOT": str(repo), "PYTHONPATH": str(repo / "src")}
    cmd = [sys.executable, "-m", "analysis.book.build", "book", "--edition", "2019", "-j", "2",
           "--region", "riket", "--only", "profil_kommun", "--areas", ",".join(codes),
           "--build-dir", str(repo / "_build"), "--executor", executor]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    with PeakRSS(proc.pid) as mem:
        out, _ = proc.communicate()
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(out)
    return {"seconds": round(secs, 1),
            "executed": sum(int(n) for n in re.findall(r"(\d+) to execute", out)),
            "peak_rss_mb": round(mem.peak),
            "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def change_one_kommun(repo: Path, code: str) -> None:
    """Add one person to ``code``'s latest year in the national kommun table (a copy's raw file)
    and record the file's new md5 in the catalogue, as a corrected release would."""
    path = repo / KOMMUN_TABLE
    old = hashlib.md5(path.read_bytes()).hexdigest()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, ln in enumerate(lines):
        if ln.startswith(code + ",") or ln.startswith(f'"{code}",'):
            head, last = ln.rstrip("\n").rsplit(",", 1)
            lines[i] = f"{head},{int(float(last)) + 1}\n"
            break
    else:
        raise SystemExit(f"kommun {code} not in {KOMMUN_TABLE}")
    path.write_text("".join(lines), encoding="utf-8")
    new = hashlib.md5(path.read_bytes()).hexdigest()
    for cat in [repo / "data" / "catalog.yml", *(repo / "data" / "catalog.d").glob("*.yml")]:
        text = cat.read_text(encoding="utf-8")
        if old in text:
            cat.write_text(text.replace(old, new), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="12,50,100,290")
    ap.add_argument("--executors", default="local,dask")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    codes = list(geo.region("riket").kommuner)
    out_file = ROOT / "benchmarks" / "results" / "national.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for executor in args.executors.split(","):
        for n in sizes:
            with tempfile.TemporaryDirectory(prefix="bench-national-") as tmp:
                repo = copy_sources(ROOT, Path(tmp) / "repo")
                row = {"executor": executor, "profiles": n}
                for step in ("cold", "no_change", "one_kommun_changed"):
                    if step == "one_kommun_changed":
                        change_one_kommun(repo, codes[0])
                    row[step] = build(repo, codes[:n], executor)
                    print(f"{executor:5} {n:4} {step:19} {row[step]}", flush=True)
                    results.append({**row}) if step == "one_kommun_changed" else None
                    out_file.write_text(json.dumps(results + [row], indent=1), encoding="utf-8")
    out_file.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\n{'executor':8} {'N':>4} {'cold s':>8} {'per profile':>11} {'no change':>9} "
          f"{'1 changed':>9} {'peak MB':>8}")
    for r in results:
        c = r["cold"]
        print(f"{r['executor']:8} {r['profiles']:4} {c['seconds']:8.1f} "
              f"{c['seconds'] / r['profiles']:11.2f} {r['no_change']['seconds']:9.1f} "
              f"{r['one_kommun_changed']['seconds']:9.1f} {c['peak_rss_mb']:8}")


if __name__ == "__main__":
    main()
