"""Small pieces shared by the synthetic generators (:mod:`analysis.synthetic.synth_survey`, :mod:`analysis.synthetic.synth_ung`).

The logistic function, year tables interpolated over the rounds, values looked up by code, the
WHO-5 answers drawn from a latent well-being, and the rewriting of a generator's ``CALIBRATED``
block in its own source after a calibration.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


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


def write_calibrated(values: Mapping[str, float], path: str | Path) -> None:
    """Replace the ``CALIBRATED: dict[str, float] = {...}`` block of a module's source file.

    Raises
    ------
    RuntimeError
        If the file has no such block.
    """
    src = Path(path)
    text = src.read_text(encoding="utf-8")
    body = "".join(f'    "{k}": {v!r},\n' for k, v in values.items())
    new, n = re.subn(r"(CALIBRATED: dict\[str, float\] = \{\n).*?(\n\}\n)",
                     lambda m: m.group(1) + body.rstrip("\n") + m.group(2), text,
                     count=1, flags=re.S)
    if n != 1:
        raise RuntimeError(f"cannot find the CALIBRATED block in {src}")
    src.write_text(new, encoding="utf-8")


def calibrate_main(argv: list[str] | None, module: str, path: str | Path, default_replicates: int,
                   run: Callable[[int], Mapping[str, float]]) -> int:
    """The ``python -m <module> calibrate [replicates] [--write]`` command of a generator.

    ``run(replicates)`` returns the new ``CALIBRATED`` values; they are printed as JSON and, with
    ``--write``, stored in the module's source ``path`` (:func:`write_calibrated`).
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
