"""Benchmark the population projection (a script, not a test).

Times, on the book's real SCB data (21 län × 2 sexes × 101 ages, 1968–2015):

* reading the three catalogued tables into arrays (``vital_from_scb``);
* estimating the model for one base year (``estimate``: rates, residual migration, Lee–Carter);
* **one projection**: every län, 25 years (``project``);
* the **whole län back-test**: the model from every feasible base year 1980–2014, every län and
  group (``backtest``), and the same with a four-year gap bridged by totals (as the 2019 edition);
* the Hamilton–Perry back-test for comparison;
* the chapter's whole run for the 2019 edition (``analysis.chapters.befolkning.chapter``:
  projection, three back-tests, the kommun back-test, intervals, checks).

Wall time is the best of ``--repeat`` runs; CPU time (``time.process_time``) and the 1-minute
load average are recorded because the machine may be shared.

Usage::

    python benchmarks/bench_projection.py            # writes benchmarks/results/projection.json
    python benchmarks/bench_projection.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from analysis.chapters import befolkning
from analysis.methods import projection as pj
from analysis.sources import catalog

RESULTS = Path(__file__).resolve().parent / "results" / "projection.json"


def timed(fn: Callable[[], object], repeat: int) -> tuple[object, dict]:
    """Best wall time and its CPU time over ``repeat`` runs, with the load average."""
    best = None
    value = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if best is None or wall < best["wall_s"]:
            best = {"wall_s": round(wall, 4), "cpu_s": round(cpu, 4)}
    best["load_1min"] = round(os.getloadavg()[0], 2)
    return value, best


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    tables = {n: catalog.load(n) for n in ("folkmangd_lan_alder_kon_riket", "fodda_lan_riket",
                                           "doda_lan_riket")}
    results: dict[str, dict] = {}
    v, results["vital_from_scb"] = timed(lambda: pj.vital_from_scb(*tables.values()), args.repeat)
    model, results["estimate (one base year)"] = timed(lambda: pj.estimate(v, 2015), args.repeat)
    out, results["project: 21 län × 2 × 101 × 25 years"] = timed(
        lambda: pj.project(model, v.pop[-1], 2015, 2040), args.repeat)
    bases = range(befolkning.FIRST_BASE, 2015)
    bt, results["backtest: every base year 1980–2014, 21 län"] = timed(
        lambda: pj.backtest(v, bases), args.repeat)
    bt4, results["backtest with a 4-year gap (2019 edition)"] = timed(
        lambda: pj.backtest(v, range(befolkning.FIRST_BASE + 4, 2015), gap=4, gap_ages=True),
        args.repeat)
    hp, results["backtest Hamilton–Perry"] = timed(
        lambda: pj.backtest(v, bases, method="hp"), args.repeat)

    later = {n: catalog.load(n) for n in ("folkmangd_kommun_riket", "kommunkoder",
                                          "folkmangd_lan_alder_kon", "kolada_befolkning",
                                          "folkmangd_kommun", "regionfakta_orebro_lan",
                                          "seed_figures")}
    d, results["chapter: prepare (2019)"] = timed(lambda: befolkning.prepare(
        *tables.values(), later["folkmangd_kommun_riket"], later["kommunkoder"],
        later["folkmangd_lan_alder_kon"], later["kolada_befolkning"], later["folkmangd_kommun"],
        later["regionfakta_orebro_lan"], 2019), 1)
    _, results["chapter: whole run (2019)"] = timed(lambda: befolkning.chapter(
        d, later["seed_figures"], later["regionfakta_orebro_lan"]), 1)

    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "workload": {"regions": len(v.regions), "years_of_data": int(len(v.years)),
                     "projection_years": out[0].shape[0] - 1,
                     "backtest_rows": len(bt), "backtest_bases": len(bases),
                     "backtest_gap4_rows": len(bt4), "hp_rows": len(hp)},
        "timings": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    width = max(map(len, results))
    print(f"{'step':{width}}  wall s   CPU s  load")
    for k, r in results.items():
        print(f"{k:{width}}  {r['wall_s']:6.3f}  {r['cpu_s']:6.3f}  {r['load_1min']:4.1f}")
    print(f"written to {args.out}")
    return report


if __name__ == "__main__":
    main()
