"""Small pieces shared by the synthetic generators (:mod:`analysis.synthetic.synth_survey`, :mod:`analysis.synthetic.synth_ung`).

The logistic function, year tables interpolated over the rounds, values looked up by code, the
WHO-5 answers drawn from a latent well-being, and the fitted parameters of a generator: a JSON
file ``calibrated/<name>.json`` beside the generators (:func:`read_calibrated`,
:func:`write_calibrated`), read when a generator is imported and rewritten by its
``calibrate --write`` command (:func:`calibrate_main`). Floats are written with ``repr``, so a
value read back is bit for bit the value written. The files are package data, and
:func:`analysis.core.codehash.code_hash` counts them, so a new fit changes every cache key that
depends on the generator.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

#: Folder of the generators' fitted parameters (``<name>.json``).
CALIBRATED_DIR = Path(__file__).resolve().parent / "calibrated"


def expit(x):
    """The logistic function ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def interp(table: Mapping[int, float], year: float) -> float:
    """Linear interpolation of a {year: value} table, constant beyond its ends."""
    xs = np.array(sorted(table), dtype=float)
    return float(np.interp(year, xs, [table[int(x)] for x in xs]))


def lookup(table: Mapping, codes: np.ndarray) -> np.ndarray:
    """The value of each element's code in ``table`` (0 for codes not in it)."""
    out = np.zeros(len(codes))
    for k, v in table.items():
        out[codes == k] = v
    return out


def who5_items(mean: np.ndarray, c: Mapping, rng: np.random.Generator) -> np.ndarray:
    """The five WHO-5 answers (0–5) of each person, from a latent well-being.

    The latent is ``mean`` plus normal noise (sd ``c["sd"]``); item ``j`` is the latent on the
    answer scale (``c["item_centre"] + c["item_offset"][j] + c["item_scale"] · latent``) plus
    item noise (sd ``c["item_sd"]``), rounded and clipped to 0–5.

    Returns
    -------
    numpy.ndarray
        ``(n, 5)`` integer answers.
    """
    n = len(mean)
    latent = mean + c["sd"] * rng.standard_normal(n)
    items = np.empty((n, 5), dtype=int)
    for j in range(5):
        x = (c["item_centre"] + c["item_offset"][j] + c["item_scale"] * latent
             + c["item_sd"] * rng.standard_normal(n))
        items[:, j] = np.clip(np.rint(x), 0, 5)
    return items


def calibrated_path(name: str) -> Path:
    """The file of a generator's fitted parameters: ``calibrated/<name>.json``."""
    return CALIBRATED_DIR / f"{name}.json"


def read_calibrated(path: str | Path) -> dict[str, float]:
    """A generator's fitted parameters, ``{"model.parameter": value}`` in the file's order.

    Raises
    ------
    ValueError
        If the file is not a JSON object of numbers.
    """
    src = Path(path)
    values = json.loads(src.read_text(encoding="utf-8"))
    if not isinstance(values, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
        raise ValueError(f"{src} is not a JSON object of numbers")
    return {str(k): float(v) for k, v in values.items()}


def write_calibrated(values: Mapping[str, float], path: str | Path) -> None:
    """Write a generator's fitted parameters as JSON (floats exactly, in the given order).

    The file is written to a temporary name and renamed into place, so a reader never sees a
    half-written file.
    """
    dst = Path(path)
    dst.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({str(k): float(v) for k, v in values.items()}, indent=2) + "\n"
    tmp = dst.with_name(f".{dst.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(dst)


def calibrate_main(argv: list[str] | None, module: str, path: str | Path, default_replicates: int,
                   run: Callable[[int], Mapping[str, float]]) -> int:
    """The ``python -m <module> calibrate [replicates] [--write]`` command of a generator.

    ``run(replicates)`` returns the new ``CALIBRATED`` values; they are printed as JSON and, with
    ``--write``, stored in the JSON file ``path`` (:func:`write_calibrated`).
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["calibrate"]:
        print(f"usage: python -m {module} calibrate [replicates] [--write]", file=sys.stderr)
        return 2
    numbers = [a for a in argv[1:] if a.isdigit()]
    values = run(int(numbers[0]) if numbers else default_replicates)
    print(json.dumps(values, indent=4))
    if "--write" in argv:
        write_calibrated(values, path)
        print(f"written to {path}")
    return 0
