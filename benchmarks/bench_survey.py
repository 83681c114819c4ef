"""Benchmark: 40 proportions × 12 kommuner × 2 sexes with Taylor SEs, analysis vs samplics vs svy.

Run from the repository root::

    .venv/bin/python benchmarks/bench_survey.py            # full size: 200 000 respondents
    .venv/bin/python benchmarks/bench_survey.py --n 20000  # quick check

The script generates a synthetic stratified survey round (12 kommuner as strata, Örebro larger,
as in Liv & hälsa), estimates every indicator in every kommun × sex domain with each engine,
asserts that point estimates and standard errors agree to 1e-8, prints the median times and
writes them to ``benchmarks/results/survey.json``. Method: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.geo import KOMMUNER
from analysis.methods.survey import SurveyDesign

RESULTS = Path(__file__).resolve().parent / "results" / "survey.json"
N_INDICATORS = 40


def make_round(n: int, seed: int) -> pd.DataFrame:
    """A synthetic Liv & hälsa round: stratified by kommun, Örebro (1880) sampled five times as
    heavily (5 580 of 17 240 invitations in 2022), design weights N_h/n_h times a non-response
    factor, 40 binary indicators whose prevalence depends on kommun and sex."""
    rng = np.random.default_rng(seed)
    codes = np.array(list(KOMMUNER))
    share = np.where(codes == "1880", 5580.0, 1060.0)
    share /= share.sum()
    n_h = np.floor(share * n).astype(int)
    n_h[codes == "1880"] += n - n_h.sum()
    h = np.repeat(np.arange(codes.size), n_h)
    rng.shuffle(h)
    f_h = rng.uniform(0.05, 0.4, codes.size)  # sampling fractions
    N_h = np.ceil(n_h / f_h)
    sex = rng.integers(0, 2, n)
    w = (N_h / n_h)[h] * rng.uniform(0.6, 1.8, n)  # non-response adjustment
    base = rng.uniform(0.03, 0.6, N_INDICATORS)
    shift = rng.normal(0, 0.3, (codes.size, 2, N_INDICATORS))
    logit = np.log(base / (1 - base))[None, :] + shift[h, sex]
    y = (rng.random((n, N_INDICATORS)) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    df = pd.DataFrame(y, columns=[f"ind{k:02d}" for k in range(N_INDICATORS)])
    df.insert(0, "kommun", codes[h])
    df.insert(1, "sex", np.where(sex == 1, "kvinnor", "man"))
    df.insert(2, "N_h", N_h[h])
    df.insert(3, "weight", w)
    return df


def run_analysis(df: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    design = SurveyDesign(df, strata="kommun", weights="weight", fpc="N_h")
    t = design.proportion(indicators, by=["kommun", "sex"], method="logit")
    return t.set_index(["indicator_id", "kommun", "sex"])[["value", "se"]]


def run_samplics(df: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    stratum = df["kommun"].to_numpy()
    n_h = df.groupby("kommun").size()
    N_h = df.groupby("kommun")["N_h"].first()
    fpc = {k: 1.0 - n_h[k] / N_h[k] for k in sorted(n_h.index)}  # samplics: fpc = 1 − n/N
    domain = (df["kommun"] + "|" + df["sex"]).to_numpy()
    w = df["weight"].to_numpy()
    rows = []
    for ind in indicators:
        est = TaylorEstimator(PopParam.mean)
        est.estimate(y=df[ind].to_numpy(), samp_weight=w, stratum=stratum, domain=domain, fpc=fpc)
        for dom, value in est.point_est.items():
            k, s = dom.split("|")
            rows.append((ind, k, s, value, est.stderror[dom]))
    out = pd.DataFrame(rows, columns=["indicator_id", "kommun", "sex", "value", "se"])
    return out.set_index(["indicator_id", "kommun", "sex"])


def run_svy(df: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    import polars as pl
    import svy

    sample = svy.Sample(
        pl.from_pandas(df), svy.Design(stratum="kommun", wgt="weight", pop_size="N_h")
    )
    results = sample.estimation.mean(indicators, by=("kommun", "sex"))
    frames = []
    for ind, res in zip(indicators, results, strict=True):
        f = res.to_polars().to_pandas()
        f["indicator_id"] = ind
        frames.append(f.rename(columns={"est": "value"}))
    out = pd.concat(frames)
    return out.set_index(["indicator_id", "kommun", "sex"])[["value", "se"]]


def timed(
    fn: Callable[[pd.DataFrame], pd.DataFrame], df: pd.DataFrame, repeats: int
) -> tuple[pd.DataFrame, list[float]]:
    """Median-ready timings of ``fn(df)``; a first, untimed call on the first 20 000 rows warms
    up imports and caches (a full-size warm-up would cost samplics minutes for nothing)."""
    fn(df.iloc[:20_000])
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(df)
        times.append(time.perf_counter() - t0)
    return result, times


def compare(name: str, ours: pd.DataFrame, other: pd.DataFrame, tol: float) -> dict[str, float]:
    other = other.loc[ours.index]
    diff_v = float(np.max(np.abs(ours["value"].to_numpy() - other["value"].to_numpy())))
    diff_s = float(np.max(np.abs(ours["se"].to_numpy() - other["se"].to_numpy())))
    assert len(other) == len(ours), name
    assert diff_v <= tol, f"{name}: point estimates differ by {diff_v:.3g}"
    assert diff_s <= tol, f"{name}: standard errors differ by {diff_s:.3g}"
    return {"max_abs_diff_value": diff_v, "max_abs_diff_se": diff_s}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200_000, help="respondents (default 200 000)")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--repeats", type=int, default=5, help="timed runs of analysis and svy")
    p.add_argument("--repeats-samplics", type=int, default=3, help="timed runs of samplics")
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    warnings.filterwarnings("ignore")  # samplics warns on import that it is archived

    df = make_round(args.n, args.seed)
    indicators = [c for c in df.columns if c.startswith("ind")]
    ours, t_ours = timed(lambda d: run_analysis(d, indicators), df, args.repeats)
    smp, t_smp = timed(lambda d: run_samplics(d, indicators), df, args.repeats_samplics)
    sv, t_svy = timed(lambda d: run_svy(d, indicators), df, args.repeats)
    checks = {
        "samplics": compare("samplics", ours, smp, args.tol),
        "svy": compare("svy", ours, sv, args.tol),
    }

    from importlib.metadata import version

    med = {
        k: statistics.median(v)
        for k, v in {"analysis": t_ours, "samplics": t_smp, "svy": t_svy}.items()
    }
    report = {
        "benchmark": "survey: proportions with Taylor SE, 40 indicators x 12 kommuner x 2 sexes",
        "respondents": args.n,
        "indicators": len(indicators),
        "domains": int(ours.index.droplevel(0).nunique()),
        "estimates": len(ours),
        "seed": args.seed,
        "seconds_median": med,
        "seconds_all_runs": {"analysis": t_ours, "samplics": t_smp, "svy": t_svy},
        "speedup_vs_samplics": med["samplics"] / med["analysis"],
        "speedup_vs_svy": med["svy"] / med["analysis"],
        "agreement": checks,
        "tolerance": args.tol,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "samplics": version("samplics"),  # its __version__ string says 0.6.0
            "svy": version("svy"),
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(
        f"{args.n} respondents, {len(indicators)} indicators, {report['domains']} domains "
        f"-> {len(ours)} estimates (proportion, Taylor SE, fpc)"
    )
    print(
        f"{'engine':<10}{'median s':>10}{'runs':>6}{'vs analysis':>13}  agreement (max |diff| value, se)"
    )
    for name, times in (("analysis", t_ours), ("samplics", t_smp), ("svy", t_svy)):
        agree = (
            "reference"
            if name == "analysis"
            else (
                f"{checks[name]['max_abs_diff_value']:.1e}, {checks[name]['max_abs_diff_se']:.1e}"
            )
        )
        print(
            f"{name:<10}{med[name]:>10.3f}{len(times):>6}{med[name] / med['analysis']:>12.1f}x  {agree}"
        )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
