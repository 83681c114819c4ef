"""Benchmark: 40 proportions × 12 kommuner × 2 sexes with Taylor SEs, analysis vs samplics vs svy.

Run from the repository root::

    .venv/bin/python benchmarks/bench_survey.py            # full size: 200 000 respondents
    .venv/bin/python benchmarks/bench_survey.py --n 20000  # quick check
    .venv/bin/python benchmarks/bench_survey.py --vs-r     # analysis vs R survey, 20 k / 200 k / 2 M

With ``--vs-r`` the same rounds are estimated by R ``survey`` (``svyby(~ind00+…, ~kommun+sex,
svymean)`` through ``Rscript``; skipped with a note when R or the package is missing), with
time, peak memory and the load average of each step, written to ``benchmarks/results/survey_vs_r.json``.

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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.geo import KOMMUNER
from analysis.methods.survey import SurveyDesign

RESULTS = Path(__file__).resolve().parent / "results" / "survey.json"
RESULTS_R = Path(__file__).resolve().parent / "results" / "survey_vs_r.json"
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


R_SCRIPT = r"""
# analysis vs R survey: read the round written by bench_survey.py (raw float64 / int32 columns),
# then time svydesign + svyby(svymean) over all indicators, repeats times; report time,
# peak resident memory above the start (VmHWM after clearing it) and the estimates.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; repeats <- as.integer(args[2])
suppressMessages(library(survey))
meta <- read.csv(file.path(dir, "meta.csv"), stringsAsFactors = FALSE)
n <- meta$n[1]; inds <- strsplit(meta$indicators[1], " ")[[1]]
rd <- function(name, what, size) {
  con <- file(file.path(dir, name), "rb"); on.exit(close(con))
  readBin(con, what, n = n, size = size)
}
kl <- readLines(file.path(dir, "kommun_levels.txt"))
d <- data.frame(kommun = factor(kl[rd("kommun.bin", "integer", 4) + 1], levels = kl),
                sex = factor(c("kvinnor", "man")[rd("sex.bin", "integer", 4) + 1],
                             levels = c("kvinnor", "man")),
                N_h = rd("N_h.bin", "double", 8), weight = rd("weight.bin", "double", 8))
for (v in inds) d[[v]] <- rd(paste0(v, ".bin"), "double", 8)
hwm <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", s[grepl("^VmHWM", s)])) / 1024
}
rss <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", s[grepl("^VmRSS", s)])) / 1024
}
f <- as.formula(paste("~", paste(inds, collapse = " + ")))
times <- c(); peak <- c(); start <- c()
for (r in seq_len(repeats)) {
  gc()
  cat("5", file = "/proc/self/clear_refs")
  start <- c(start, rss())
  t0 <- proc.time()[["elapsed"]]
  des <- svydesign(ids = ~1, strata = ~kommun, weights = ~weight, fpc = ~N_h, data = d)
  res <- svyby(f, ~kommun + sex, des, svymean)
  times <- c(times, proc.time()[["elapsed"]] - t0)
  peak <- c(peak, hwm())
}
write.csv(data.frame(seconds = times, peak_rss_mb = peak, start_rss_mb = start),
          file.path(dir, "r_times.csv"), row.names = FALSE)
est <- coef(res); se <- as.vector(as.matrix(SE(res)))
write.csv(data.frame(key = names(est), value = as.numeric(est), se = as.numeric(se)),
          file.path(dir, "r_estimates.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))),
           file.path(dir, "r_version.txt"))
"""


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Reset the kernel's high-water mark of resident memory (VmHWM) to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def measure_analysis(df: pd.DataFrame, indicators: list[str], repeats: int) -> dict:
    """Median time, peak memory (VmHWM, reset before each run) and load average of analysis."""
    run_analysis(df.iloc[:20_000], indicators)
    times, peaks, starts, loads = [], [], [], []
    for _ in range(repeats):
        _reset_peak()
        starts.append(_status_mb("VmRSS"))
        loads.append(os.getloadavg()[0])
        t0 = time.perf_counter()
        result = run_analysis(df, indicators)
        times.append(time.perf_counter() - t0)
        peaks.append(_status_mb("VmHWM"))
    return {"result": result, "seconds": times, "peak_rss_mb": peaks, "start_rss_mb": starts,
            "load_1min": loads}


def write_for_r(df: pd.DataFrame, indicators: list[str], folder: Path) -> None:
    """The round as raw little-endian columns that R reads with readBin (fast at 2 M rows)."""
    levels = sorted(df["kommun"].unique())
    (folder / "kommun_levels.txt").write_text("\n".join(levels) + "\n", encoding="utf-8")
    codes = pd.Categorical(df["kommun"], categories=levels).codes.astype("<i4")
    codes.tofile(folder / "kommun.bin")
    (df["sex"] == "man").to_numpy().astype("<i4").tofile(folder / "sex.bin")
    for col in ["N_h", "weight", *indicators]:
        df[col].to_numpy(dtype="<f8").tofile(folder / f"{col}.bin")
    pd.DataFrame({"n": [len(df)], "indicators": [" ".join(indicators)]}).to_csv(
        folder / "meta.csv", index=False)


def r_available() -> str | None:
    """None if Rscript with the survey package runs, else why not."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install r-base-core r-cran-survey)"
    proc = subprocess.run(["Rscript", "-e", "suppressMessages(library(survey))"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return "R package survey not installed (apt-get install r-cran-survey): " + proc.stderr[-200:]
    return None


def measure_r(df: pd.DataFrame, indicators: list[str], repeats: int) -> dict:
    """Run R survey on the same round in a fresh Rscript; its times, memory and estimates."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_for_r(df, indicators, folder)
        (folder / "bench.R").write_text(R_SCRIPT, encoding="utf-8")
        load = os.getloadavg()[0]
        proc = subprocess.run(["Rscript", str(folder / "bench.R"), str(folder), str(repeats)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit("R failed:\n" + proc.stderr[-2000:])
        times = pd.read_csv(folder / "r_times.csv")
        est = pd.read_csv(folder / "r_estimates.csv")
        version = (folder / "r_version.txt").read_text(encoding="utf-8").split("\n")
    # keys: "<kommun>.<sex>:<indicator>" for coef, SE in the same order
    parts = est["key"].str.extract(r"^(?P<kommun>[^.]+)\.(?P<sex>[^:]+):(?P<indicator_id>.+)$")
    est = pd.concat([parts, est[["value", "se"]]], axis=1)
    return {"result": est.set_index(["indicator_id", "kommun", "sex"]),
            "seconds": times["seconds"].tolist(), "peak_rss_mb": times["peak_rss_mb"].tolist(),
            "start_rss_mb": times["start_rss_mb"].tolist(), "load_1min": [load],
            "version": [v for v in version if v]}


def vs_r(sizes: list[int], seed: int, repeats: int, repeats_r: int, tol: float, out: Path) -> int:
    """analysis vs R survey at each size: time, peak memory, load, agreement."""
    indicators = [f"ind{k:02d}" for k in range(N_INDICATORS)]
    why_not = r_available()
    rows = []
    for n in sizes:
        df = make_round(n, seed)
        ours = measure_analysis(df, indicators, repeats)
        row = {"n": n, "analysis": {k: v for k, v in ours.items() if k != "result"}}
        if why_not is None:
            theirs = measure_r(df, indicators, repeats_r)
            row["r"] = {k: v for k, v in theirs.items() if k != "result"}
            row["agreement"] = compare("R survey", ours["result"], theirs["result"], tol)
            row["ratio_r_over_analysis"] = (statistics.median(theirs["seconds"])
                                            / statistics.median(ours["seconds"]))
        rows.append(row)
        del df
        a = row["analysis"]
        line = (f"n={n:>9,}  analysis {statistics.median(a['seconds']):8.3f} s "
                f"(peak {max(a['peak_rss_mb']):7.0f} MB, load {statistics.median(a['load_1min']):.1f})")
        if "r" in row:
            r = row["r"]
            line += (f"  R {statistics.median(r['seconds']):8.2f} s (peak {max(r['peak_rss_mb']):7.0f} MB,"
                     f" load {r['load_1min'][0]:.1f})  R/analysis {row['ratio_r_over_analysis']:.1f}x"
                     f"  max|diff| {row['agreement']['max_abs_diff_value']:.1e},"
                     f" {row['agreement']['max_abs_diff_se']:.1e}")
        print(line, flush=True)
    med = {r["n"]: statistics.median(r["analysis"]["seconds"]) for r in rows}
    report = {
        "benchmark": "analysis vs R survey svyby(svymean): 40 indicators x 12 kommuner x 2 sexes",
        "seed": seed, "indicators": N_INDICATORS, "rows": rows,
        "r_skipped": why_not,
        "growth": {f"{a}->{b}": med[b] / med[a] for a, b in zip(sizes, sizes[1:], strict=False)},
        "tolerance": tol,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    if why_not:
        print(f"R skipped: {why_not}")
    for k, v in report["growth"].items():
        print(f"analysis time growth {k}: x{v:.1f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200_000, help="respondents (default 200 000)")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--repeats", type=int, default=5, help="timed runs of analysis and svy")
    p.add_argument("--repeats-samplics", type=int, default=3, help="timed runs of samplics")
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--vs-r", action="store_true", help="compare with R survey at --sizes")
    p.add_argument("--sizes", default="20000,200000,2000000", help="respondents for --vs-r")
    p.add_argument("--repeats-r", type=int, default=3, help="timed runs of R (--vs-r)")
    args = p.parse_args(argv)
    if args.vs_r:
        sizes = [int(x) for x in args.sizes.split(",")]
        return vs_r(sizes, args.seed, args.repeats, args.repeats_r, args.tol,
                    args.out or RESULTS_R)
    args.out = args.out or RESULTS
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
