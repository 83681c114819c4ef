"""Benchmark the child poverty measures on a national-size synthetic panel (a script, not a test).

Simulates ~2.2 million children aged 0-17 a year, 2011-2021, in their households (seeded), then
times each step of ``analysis.methods.poverty`` and, for the hot step (the persistent-low window over
years), the same computation in other engines: pandas groupby/shift, polars (two formulations)
and DuckDB (if importable). Peak memory is the kernel's high-water mark of resident memory
(``VmHWM``, reset before each step through ``/proc/self/clear_refs``; ``ru_maxrss`` as fallback),
which counts Arrow/polars/DuckDB allocations that tracemalloc misses.

Wall time is the best of ``--repeat`` runs; CPU time (``time.process_time``, summed over threads) and
the 1-minute load average are recorded too, because the machine may be shared with other jobs.

Usage::

    python benchmarks/bench_poverty.py                  # full size, writes benchmarks/results/poverty.json
    python benchmarks/bench_poverty.py --scale 0.05     # quick run
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.methods import poverty as pv

YEARS = np.arange(2011, 2022)
RESULTS = Path(__file__).resolve().parent / "results" / "poverty.json"
KOMMUNER = [f"{lan:02d}{k:02d}" for lan in range(1, 26) for k in range(12)][:290]


# --------------------------------------------------------------------------- memory and timing
def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else float("nan")


def _peak_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    return kb / 1024


def measure(name: str, fn: Callable[[], object], log: dict, repeat: int = 1) -> object:
    """Run ``fn`` ``repeat`` times; record the best wall time and the peak resident memory."""
    best, cpu, peak, before, result = float("inf"), float("inf"), 0.0, 0.0, None
    for _ in range(repeat):
        result = None
        gc.collect()
        before = _rss_mb()
        _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
        peak = max(peak, _peak_mb())
    log[name] = {
        "seconds": round(best, 3),
        "cpu_seconds": round(cpu, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_over_before_mb": round(peak - before, 1),
        "repeat": repeat,
    }
    print(f"{name:<48} {best:8.2f} s  cpu {cpu:7.2f} s  peak {peak:8.0f} MB (+{peak - before:6.0f})"
          f"  load {os.getloadavg()[0]:.1f}", flush=True)
    return result


# --------------------------------------------------------------------------- simulation
def simulate_panel(seed: int = 20240501, scale: float = 1.0) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """A person-year panel of children 0-17 with household values, national medians and norms.

    Families of 1-4 children (siblings two to three years apart) live in one household; ~12 % of
    couples separate during the period (the household gets a new id and a single adult), ~3 % of
    households move kommun each year, ~1 % of child-years are missing (emigration, gaps), and
    household income follows a persistent family level plus a yearly AR(1) shock, with ~0.5 % of
    household-years at zero or negative income.
    """
    rng = np.random.default_rng(seed)
    n_fam = int(2_075_000 * scale)
    n_years = YEARS.size

    # families and their children
    kids_per_fam = rng.choice([1, 2, 3, 4], size=n_fam, p=[0.30, 0.45, 0.18, 0.07])
    fam_of_kid = np.repeat(np.arange(n_fam), kids_per_fam)
    order_in_fam = np.arange(fam_of_kid.size) - np.repeat(np.cumsum(kids_per_fam) - kids_per_fam, kids_per_fam)
    first_birth = rng.integers(1988, 2022, size=n_fam)
    gaps = rng.integers(2, 4, size=fam_of_kid.size)
    birth = first_birth[fam_of_kid] + order_in_fam * gaps
    keep = birth <= YEARS[-1]
    fam_of_kid, birth = fam_of_kid[keep], birth[keep]

    # household composition per family-year
    couple0 = rng.random(n_fam) < 0.75
    separates = couple0 & (rng.random(n_fam) < 0.12)
    sep_year = np.where(separates, rng.integers(1, n_years, size=n_fam), n_years + 1)
    yi = np.arange(n_years)
    couple = couple0[:, None] & (yi[None, :] < sep_year[:, None])
    extra_adult = (rng.random(n_fam) < 0.05)[:, None] & np.ones(n_years, dtype=bool)
    adults_in_couple = np.where(couple, 2, 0).astype(np.int8)
    other_adults = np.where(couple, 0, 1).astype(np.int8) + extra_adult.astype(np.int8)
    household_id = np.arange(n_fam)[:, None] * 2 + (yi[None, :] >= sep_year[:, None])

    # children 0-19 in the household per year (counts older siblings aged 18-19 too)
    age_all = YEARS[None, :] - birth[:, None]
    in_hh = (age_all >= 0) & (age_all <= 19)
    flat = (fam_of_kid[:, None] * n_years + yi[None, :])[in_hh]
    children_0_19 = np.bincount(flat, minlength=n_fam * n_years).reshape(n_fam, n_years).astype(np.int8)

    # kommun with moves
    kommun_idx = np.empty((n_fam, n_years), dtype=np.int16)
    kommun_idx[:, 0] = rng.integers(0, len(KOMMUNER), size=n_fam)
    for t in range(1, n_years):  # 11 years, vectorised over families
        move = rng.random(n_fam) < 0.03
        kommun_idx[:, t] = np.where(move, rng.integers(0, len(KOMMUNER), size=n_fam), kommun_idx[:, t - 1])

    # income: family level + AR(1) shock, growth 2.5 % a year, lower for single adults
    level = rng.normal(np.log(520_000), 0.45, size=n_fam)
    shock = np.empty((n_fam, n_years))
    shock[:, 0] = rng.normal(0, 0.25, size=n_fam)
    for t in range(1, n_years):
        shock[:, t] = 0.6 * shock[:, t - 1] + rng.normal(0, 0.2, size=n_fam)
    growth = np.log(1.025) * yi[None, :]
    income = np.exp(level[:, None] + shock + growth - np.where(couple, 0.0, 0.55))
    low_tail = rng.random((n_fam, n_years)) < 0.005
    income = np.where(low_tail, rng.normal(-5_000, 20_000, size=(n_fam, n_years)).round(), income.round())

    background = np.where(rng.random(n_fam) < 0.27, "utländsk", "svensk")
    education = rng.choice(
        ["förgymnasial", "gymnasial", "eftergymnasial", "okänd"], size=n_fam, p=[0.08, 0.38, 0.52, 0.02]
    )

    # child-year rows (ages 0-17), ~1 % missing
    age_ok = (age_all >= 0) & (age_all <= 17) & (rng.random(age_all.shape) >= 0.01)
    kid_idx, year_idx = np.nonzero(age_ok)
    fam = fam_of_kid[kid_idx]
    national_median = {int(y): 200_000 * 1.025 ** (y - 2011) for y in YEARS}
    med = np.array([national_median[int(y)] for y in YEARS])
    cu = pv.consumption_units(adults_in_couple[fam, year_idx], other_adults[fam, year_idx],
                              children_0_19[fam, year_idx])
    poor = income[fam, year_idx] / cu < 0.6 * med[year_idx]
    assistance_hh = rng.random((n_fam, n_years))
    panel = pd.DataFrame(
        {
            "person_id": kid_idx.astype(np.int64),
            "household_id": household_id[fam, year_idx].astype(np.int64),
            "year": YEARS[year_idx].astype(np.int16),
            "kommun": pd.Categorical.from_codes(kommun_idx[fam, year_idx], categories=KOMMUNER),
            "age": age_all[kid_idx, year_idx].astype(np.int8),
            "adults_in_couple": adults_in_couple[fam, year_idx],
            "other_adults": other_adults[fam, year_idx],
            "children_0_19": children_0_19[fam, year_idx],
            "disposable_income": income[fam, year_idx],
            "economic_assistance": assistance_hh[fam, year_idx] < np.where(poor, 0.25, 0.01),
            "background": pd.Categorical(background[fam]),
            "parents_education": pd.Categorical(education[fam]),
        }
    )
    max_adults = int((adults_in_couple + other_adults).max())
    max_children = int(children_0_19.max())
    norms = pd.DataFrame(
        [
            {"year": int(y), "adults": a, "children": c,
             "norm": (130_000 + 55_000 * (a - 1) + 48_000 * c) * 1.015 ** (y - 2011)}
            for y in YEARS for a in range(1, max_adults + 1) for c in range(0, max_children + 1)
        ]
    )
    return panel, national_median, norms


# --------------------------------------------------------------------------- hot-step engines
def persistent_pandas_groupby_shift(df: pd.DataFrame) -> np.ndarray:
    """Classic pandas: sort, groupby(person).shift(k), then check the lagged row's year."""
    d = df[["person_id", "year", "low_economic_standard"]].sort_values(["person_id", "year"])
    g = d.groupby("person_id", sort=False)
    n_low = np.zeros(len(d), dtype=np.int8)
    for k in (1, 2, 3):
        lag_year = g["year"].shift(k)
        lag_low = g["low_economic_standard"].shift(k)
        in_window = (d["year"] - lag_year) <= 3
        n_low += (in_window & lag_low.fillna(False).astype(bool)).to_numpy()
    res = d["low_economic_standard"].to_numpy() & (n_low >= 2)
    return pd.Series(res, index=d.index).reindex(df.index).to_numpy()


def persistent_polars_join(pldf) -> object:
    """Polars: three left joins of (person, year - k) against the low flags."""
    import polars as pl

    base = pldf.select("person_id", "year", "low_economic_standard")
    lows = base.filter(pl.col("low_economic_standard")).select("person_id", "year")
    out = base.with_columns(pl.lit(0, dtype=pl.Int8).alias("n_low"))
    for k in (1, 2, 3):
        hit = lows.with_columns((pl.col("year") + k).alias("year"), pl.lit(1, dtype=pl.Int8).alias(f"h{k}"))
        out = out.join(hit, on=["person_id", "year"], how="left")
    return out.select(
        pl.col("low_economic_standard")
        & ((pl.col("h1").fill_null(0) + pl.col("h2").fill_null(0) + pl.col("h3").fill_null(0)) >= 2)
    ).to_series()


def persistent_polars_shift(pldf) -> object:
    """Polars: sort, shift(k).over(person) with a check on the lagged year."""
    import polars as pl

    d = pldf.select("person_id", "year", "low_economic_standard").with_row_index("row")
    d = d.sort("person_id", "year")
    n_low = pl.lit(0, dtype=pl.Int8)
    for k in (1, 2, 3):
        lag_y = pl.col("year").shift(k).over("person_id")
        lag_l = pl.col("low_economic_standard").shift(k).over("person_id")
        n_low = n_low + ((pl.col("year") - lag_y <= 3) & lag_l).fill_null(False).cast(pl.Int8)
    return d.with_columns((pl.col("low_economic_standard") & (n_low >= 2)).alias("p")).sort("row")["p"]


def persistent_duckdb(con) -> np.ndarray:
    """DuckDB: a RANGE window over calendar years (gaps in a person's years handled by RANGE)."""
    return con.execute(
        """
        SELECT low_economic_standard AND coalesce(sum(low_economic_standard::INT) OVER (
                   PARTITION BY person_id ORDER BY year
                   RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING), 0) >= 2 AS p
        FROM panel ORDER BY rowid_
        """
    ).fetchnumpy()["p"]


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="share of the national size (1.0)")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--repeat", type=int, default=2, help="repeats of the hot step per engine")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    steps: dict = {}
    hot: dict = {}
    panel, median, norms = measure(
        "simulate panel", lambda: simulate_panel(args.seed, args.scale), steps
    )
    per_year = panel.groupby("year", observed=True).size()
    print(f"rows {len(panel):,}  persons {panel['person_id'].nunique():,}  "
          f"children per year {int(per_year.mean()):,}", flush=True)

    # library steps, one by one (pandas + NumPy)
    cu = measure("consumption_units", lambda: pv.consumption_units(
        panel["adults_in_couple"], panel["other_adults"], panel["children_0_19"]), steps)
    es = measure("economic_standard", lambda: pv.economic_standard(panel["disposable_income"], cu), steps)
    low = measure("low_economic_standard", lambda: pv.low_economic_standard(es, panel["year"], median), steps)
    panel["low_economic_standard"] = low
    measure("persistent_low_economic_standard (library)",
                   lambda: pv.persistent_low_economic_standard(panel), steps, repeat=args.repeat)
    hot["pandas+numpy grid (library)"] = steps["persistent_low_economic_standard (library)"]
    keys = pd.DataFrame({"year": panel["year"], "children": panel["children_0_19"],
                         "adults": panel["adults_in_couple"] + panel["other_adults"]})
    norm = measure("household_norm", lambda: pv.household_norm(keys, norms), steps)
    measure("low_income_standard", lambda: pv.low_income_standard(panel["disposable_income"], norm), steps)
    cu = es = norm = keys = None  # free memory before the next step
    measures = measure("poverty_measures (all of the above)",
                       lambda: pv.poverty_measures(panel.drop(columns="low_economic_standard"), median, norms),
                       steps)
    kids = measure("economically_vulnerable_children", lambda: pv.economically_vulnerable_children(measures), steps)
    measure("economically_vulnerable_children_fhi", lambda: pv.economically_vulnerable_children_fhi(measures), steps)
    table = measure("aggregate_children (kommun + lan)", lambda: pv.aggregate_children(kids), steps)
    measure("aggregate_children by background", lambda: pv.aggregate_children(kids, by="background"), steps)
    reference = measures["persistent_low_economic_standard"].fillna(False).to_numpy(dtype=bool)
    # the alternative engines have no "not evaluable" rule: compare on evaluable years only
    evaluable = panel["year"].to_numpy() >= YEARS[0] + 3
    summary = {
        "share_low_economic_standard_children_0_17": float(measures["low_economic_standard"].mean()),
        "share_persistent_low_2014_2021": float(reference[evaluable].mean()),
        "share_low_income_standard": float(measures["low_income_standard"].mean()),
        "share_economically_vulnerable_2014_2021": float(
            kids.loc[kids["year"] >= 2014, "economically_vulnerable"].astype(float).mean()),
        "lan_rows_in_table": int((table["area_type"] == "lan").sum()),
        "history": measures.attrs,
    }
    measures = kids = table = None
    gc.collect()

    # hot step in other engines
    agree: dict = {}
    res = measure("persistent: pandas groupby+shift", lambda: persistent_pandas_groupby_shift(panel),
                  hot, repeat=args.repeat)
    agree["pandas groupby+shift"] = bool(np.array_equal(res[evaluable], reference[evaluable]))
    try:
        import polars as pl

        pldf = measure("to polars (pl.from_pandas)", lambda: pl.from_pandas(
            panel[["person_id", "year", "low_economic_standard"]]), hot)
        res = measure("persistent: polars 3 joins", lambda: persistent_polars_join(pldf), hot, repeat=args.repeat)
        agree["polars 3 joins"] = bool(np.array_equal(res.to_numpy()[evaluable], reference[evaluable]))
        res = measure("persistent: polars shift().over()", lambda: persistent_polars_shift(pldf), hot,
                      repeat=args.repeat)
        agree["polars shift().over()"] = bool(np.array_equal(res.to_numpy()[evaluable], reference[evaluable]))
        hot["polars_version"] = pl.__version__
        pldf = res = None
    except ImportError:
        hot["polars"] = "not installed"
    try:
        import duckdb

        con = duckdb.connect()
        con.execute("SET threads TO 2")
        src = panel[["person_id", "year", "low_economic_standard"]].assign(rowid_=np.arange(len(panel)))
        measure("to duckdb (register + CREATE TABLE)", lambda: (con.register("src", src),
                con.execute("CREATE OR REPLACE TABLE panel AS SELECT * FROM src")), hot)
        res = measure("persistent: duckdb RANGE window", lambda: persistent_duckdb(con), hot, repeat=args.repeat)
        agree["duckdb RANGE window"] = bool(np.array_equal(np.asarray(res)[evaluable], reference[evaluable]))
        hot["duckdb_version"] = duckdb.__version__
        con.close()
    except ImportError:
        hot["duckdb"] = "not installed"

    report = {
        "script": "benchmarks/bench_poverty.py",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": sys.version.split()[0],
                    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "versions": {"pandas": pd.__version__, "numpy": np.__version__},
        "seed": args.seed,
        "scale": args.scale,
        "rows": len(panel),
        "persons": int(panel["person_id"].nunique()),
        "children_per_year_mean": int(per_year.mean()),
        "years": [int(YEARS[0]), int(YEARS[-1])],
        "memory_method": "VmHWM after /proc/self/clear_refs reset (kernel high-water mark of RSS)",
        "steps": steps,
        "hot_step_engines": hot,
        "engines_agree_with_library": agree,
        "summary": summary,
        # the high-water mark is reset before every step, so the run's peak is the largest step peak
        "process_peak_rss_mb": max(v["peak_rss_mb"] for log in (steps, hot) for v in log.values()
                                   if isinstance(v, dict)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
