"""What changed since the previous edition: key indicators of every chapter side by side.

Each chapter records its key indicators with :func:`analysis.present.publish.indicators`; the build
collects them for the edition and for its ``previous_edition`` and writes the comparison page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def compare(prev: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Compare two editions' indicator tables (keys ``indicator_id, area_code``).

    Returns one row per indicator and area present in both editions (plus rows present in only
    one, with the other side missing), with ``change = value_new − value_prev`` and
    ``beyond_interval``: True when the change is larger than its 95 % interval. The interval of
    the change treats the two editions as independent samples, ``1,96·√(se_prev² + se_new²)``,
    with each SE recovered from its interval as ``(upper − lower) / (2·1,96)``. Register and
    population figures have no sampling interval: ``beyond_interval`` is then missing (NA).
    """
    keys = ["indicator_id", "area_code"]
    for name, d in (("previous", prev), ("new", new)):
        dup = d.duplicated(keys)
        if dup.any():
            raise ValueError(f"{name} edition repeats indicators: {d.loc[dup, keys].head(3).values.tolist()}")
    num = ["value", "lower", "upper"]
    prev, new = (d.assign(**{c: pd.to_numeric(d.get(c), errors="coerce") for c in num})
                 for d in (prev, new))
    m = prev.merge(new, on=keys, how="outer", suffixes=("_prev", "_new"))
    m["indicator"] = m["indicator_new"].fillna(m["indicator_prev"])
    m["unit"] = m["unit_new"].fillna(m["unit_prev"]) if "unit_new" in m else None
    m["change"] = m["value_new"] - m["value_prev"]
    se_p = (m["upper_prev"] - m["lower_prev"]) / (2 * Z95)
    se_n = (m["upper_new"] - m["lower_new"]) / (2 * Z95)
    half = Z95 * np.sqrt(se_p**2 + se_n**2)
    beyond = (m["change"].abs() > half).astype("boolean")
    beyond[half.isna() | m["change"].isna()] = pd.NA
    m["beyond_interval"] = beyond
    m["status"] = np.select(
        [m["value_prev"].isna(), m["value_new"].isna(), m["change"] == 0],
        ["ny", "utgått", "oförändrad"], default="ändrad")
    cols = ["indicator_id", "indicator", "area_code", "unit", "period_prev", "value_prev",
            "period_new", "value_new", "change", "beyond_interval", "status"]
    return m[cols].sort_values(keys, kind="stable").reset_index(drop=True)
