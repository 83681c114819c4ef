"""Direct age standardisation with the European Standard Population 2013 (ESP 2013).

A share is age-standardised by weighting its age-band shares with the standard population's
share of each band: what the share would be if the group had the standard's age structure
(:func:`analysis.methods.survey.age_standardise` does the estimation and its variance). This module
holds the pieces around it: the age bands (:data:`BANDS_18_69`, :data:`BANDS_18_64`), the ESP
2013 in those bands (:func:`standard_population`, ages 18–19 as 2/5 of ESP's 15–19), the merging
of a band with too few respondents into its neighbour (:func:`merge_sparse_bands`), and the
expected standardised value of a weighted population (:func:`expected_standardised`, used when
a generator is calibrated to published standardised figures).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.methods import frames, survey

#: Age bands of the age standardisation: 18–69 for most published groups, 18–64 (three bands,
#: because few people under 30 have sickness or activity compensation) for employment groups.
BANDS_18_69: tuple[str, ...] = ("18-29", "30-44", "45-54", "55-64", "65-69")
BANDS_18_64: tuple[str, ...] = ("18-44", "45-54", "55-64")
#: The bands of each standardised age range.
BANDS: dict[str, tuple[str, ...]] = {"18-69": BANDS_18_69, "18-64": BANDS_18_64}
#: A band with fewer respondents in a group is merged with its neighbour before standardising.
MIN_BAND_RESPONDENTS = 20


def band_limits(band: str) -> tuple[int, int]:
    """The lowest and highest age of a band label: ``"18-29"`` → ``(18, 29)``."""
    lo, hi = band.split("-")
    return int(lo), int(hi)


def band_of(age: np.ndarray | pd.Series, bands: tuple[str, ...] | list[str]) -> np.ndarray:
    """Label of the band (``"18-29"`` …) of each age; None outside the bands."""
    return frames.age_group(age, [(b, *band_limits(b)) for b in bands])


def esp_series(esp: pd.DataFrame) -> pd.Series:
    """The catalogued ``esp2013`` table as a Series of counts by ESP age band."""
    return pd.Series(esp["esp2013"].astype(float).to_numpy(), index=esp["ageband"].astype(str),
                     name="esp2013")


def standard_population(esp: pd.Series | pd.DataFrame,
                        bands: tuple[str, ...] | list[str] = BANDS_18_69) -> pd.Series:
    """The ESP 2013 standard population in the given bands (default 18–29 … 65–69).

    Ages 18–19 take 2/5 of ESP's 15–19 band (uniform within band,
    :func:`analysis.methods.survey.standard_weights`).
    """
    std = esp_series(esp) if isinstance(esp, pd.DataFrame) else esp
    return survey.standard_weights(std, list(bands), split=True)


def merge_sparse_bands(counts: pd.Series, minimum: int = MIN_BAND_RESPONDENTS) -> dict[str, str]:
    """Map each band to a (possibly merged) band so that every merged band has ``minimum``.

    ``counts`` are respondents per band, in age order. The sparsest band below ``minimum`` is
    merged with its smaller neighbour, repeatedly; ``{"18-29": "18-44", "30-44": "18-44", …}``.
    """
    groups = [[b] for b in counts.index]
    n = [float(counts[b]) for b in counts.index]
    while len(groups) > 1 and min(n) < minimum:
        i = int(np.argmin(n))
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:
            j = i - 1 if n[i - 1] <= n[i + 1] else i + 1
        a, b = sorted((i, j))
        groups[a:b + 1] = [groups[a] + groups[b]]
        n[a:b + 1] = [n[a] + n[b]]
    out = {}
    for g in groups:
        label = f"{band_limits(g[0])[0]}-{band_limits(g[-1])[1]}"
        out.update({b: label for b in g})
    return out


def group_mask(frame: pd.DataFrame, variable: str, level) -> np.ndarray:
    """Rows of ``frame`` whose ``variable`` equals ``level`` (missing values are not members)."""
    col = frame[variable]
    return (col == level).fillna(False).to_numpy(dtype=bool)


def expected_standardised(frame: pd.DataFrame, targets: pd.DataFrame,
                          esp: pd.Series) -> np.ndarray:
    """Age-standardised weighted means of ``frame["_q"]`` (weights ``_v``) for each target group.

    ``targets`` has one row per group with ``variable``, ``level`` and ``bands``; ``frame`` has
    ``age``, the group variables, ``_q`` (e.g. expected probabilities) and ``_v`` (expected
    weights). Used by a generator's calibration: the same bands and standard as the estimates.
    """
    q, v = frame["_q"].to_numpy(dtype=float), frame["_v"].to_numpy(dtype=float)
    age = frame["age"].to_numpy()
    out = []
    for t in targets.itertuples():
        g = group_mask(frame, t.variable, t.level)
        band = band_of(age, t.bands)
        w = standard_population(esp, t.bands)
        w = w / w.sum()
        val = 0.0
        for b in t.bands:
            m = g & (band == b)
            val += w[b] * np.sum(v[m] * q[m]) / np.sum(v[m])
        out.append(val)
    return np.array(out)
