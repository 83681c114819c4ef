"""Table helpers shared by the survey chapters (:mod:`analysis.chapters.health`, :mod:`analysis.chapters.youth`).

Indicator flags, disclosure control of estimate tables (:func:`suppress`, a thin wrapper of
:func:`analysis.methods.disclosure.suppress`), the comparison of an
area with the rest of the län (:func:`difference`), downloads (:func:`for_csv`) and the text of
shares and intervals on the pages. Each chapter keeps its own indicators, labels and layouts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.core import precision, text
from analysis.methods import disclosure

#: Good well-being on WHO-5: a raw score of at least 13 of 25 (index >= 52; Topp et al. 2015,
#: shared who5_scoring.csv), in both surveys.
WHO5_GOOD_RAW = 13


def flag(condition: pd.Series, source: pd.Series) -> pd.Series:
    """0/1 float indicator, NaN where the source item is missing."""
    return condition.astype("Float64").where(source.notna()).astype(float)


# --------------------------------------------------------------------------- disclosure
def suppress(table: pd.DataFrame, min_respondents: int, *,
             counts: tuple[str, ...] = ("n",)) -> pd.DataFrame:
    """Thin wrapper of :func:`analysis.methods.disclosure.suppress` for survey estimate tables,
    kept under this name because the survey chapters and notebooks call it throughout.

    ``disclosure.suppress(table, rules=disclosure.respondent_rules(min_respondents, counts))``:
    one rule per count column (e.g. ``n`` and, for a difference, ``n_rest``), every estimate
    column blanked (:func:`analysis.methods.disclosure.estimate_columns`: ``value, lower, upper,
    se``, ``inside``, ``significant``, ``value_area`` …) and the counts too (the respondents
    are hidden where the estimate is); the table gains ``suppressed`` and ``note``. Tables
    published together from one round are protected by
    :func:`analysis.methods.disclosure.protect_linked` instead (e.g.
    :func:`analysis.chapters.health.protected`). The default of 30 respondents (``params/*.yml``: ``min_respondents``) follows
    common practice for survey estimates; with fewer, an estimate's interval is too wide to
    publish and a respondent in a small group could be recognised. New code may call
    :mod:`analysis.methods.disclosure` directly.
    """

    return disclosure.suppress(table, rules=disclosure.respondent_rules(min_respondents, counts),
                               blank_counts=True)


def suppressed_mask(table: pd.DataFrame) -> np.ndarray:
    """The ``suppressed`` column as a boolean array (all False if the table has none)."""
    if "suppressed" in table:
        return table["suppressed"].to_numpy(dtype=bool)
    return np.zeros(len(table), dtype=bool)


def mark_suppressed(table: pd.DataFrame, columns: Iterable[str], mask: np.ndarray) -> None:
    """Turn ``columns`` of ``table`` to text-capable ``object`` and write ``"."`` where ``mask``
    is true (in place)."""
    for c in columns:
        table[c] = table[c].astype(object)
        table.loc[mask, c] = "."


def for_csv(table: pd.DataFrame, data: str | None = None) -> pd.DataFrame:
    """A suppressed table for download: every blanked cell of a suppressed row is ``"."``.

    :func:`analysis.present.publish.write_csv` marks ``value, lower, upper, se``; this also marks the
    other columns :func:`suppress` blanks (``value_area``, ``inside``, ``significant`` …).
    With ``data`` given, a last column ``data`` holds it (whether the numbers come from
    synthetic or real survey data), so a downloaded file cannot be mistaken for real figures.
    """
    out = table.copy()
    if data is not None:
        out["data"] = data
    for c in ("inside", "significant"):  # suppress() stores these flags as 0.0/1.0/NaN
        if c in out:
            out[c] = out[c].map(lambda v: v if pd.isna(v) else bool(v)).astype(object)
    if "suppressed" not in out:
        return out
    cols = [c for c in out.columns if c in ("value", "lower", "upper", "se", "inside",
                                             "significant")
            or c.startswith(("value_", "lower_", "upper_", "se_"))]
    sup = out["suppressed"].to_numpy(dtype=bool)
    # respondents withheld with the estimate (disclosure.protect_linked) are marked too
    cols += [c for c in ("n", "n_rest", "n_category", "n_reference")
             if c in out and out.loc[sup, c].isna().all()]
    mark_suppressed(out, cols, sup)
    return out


# --------------------------------------------------------------------------- estimates
def value(table: pd.DataFrame, **keys) -> pd.Series:
    """The one row of a tidy table matching ``keys`` (e.g. ``indicator_id=..., sex=...``)."""
    m = np.ones(len(table), dtype=bool)
    for k, v in keys.items():
        m &= (table[k] == v).to_numpy()
    hit = table[m]
    if len(hit) != 1:
        raise LookupError(f"{len(hit)} rows match {keys}")
    return hit.iloc[0]


def difference(area: pd.DataFrame, rest: pd.DataFrame, *, confidence: float = 0.95,
               n: pd.Series | None = None) -> pd.DataFrame:
    """An area's estimates minus the rest of the län's, with a Wald interval.

    ``area`` and ``rest`` are estimate tables (``value, lower, upper, se, n``) on the same index
    (e.g. indicator × sex). The two are different strata, so their estimates are independent and
    ``var(difference) = var(area) + var(rest)``; the interval is normal (Wald) and
    ``significant`` is True when it excludes 0.

    Returns
    -------
    pandas.DataFrame
        The index as columns, then ``value, lower, upper, se, n`` (the area's respondents, or
        ``n``), ``confidence``, ``statistic`` (``"difference"``), ``method``, the two sides'
        ``value_area, lower_area, upper_area, se_area, value_rest, lower_rest, upper_rest,
        se_rest, n_rest`` and ``significant``.
    """
    from scipy import stats

    q = stats.norm.ppf(1 - (1 - confidence) / 2)
    diff = area["value"] - rest["value"]
    se = np.sqrt(area["se"] ** 2 + rest["se"] ** 2)
    out = pd.DataFrame({
        "value": diff, "lower": diff - q * se, "upper": diff + q * se, "se": se,
        "n": area["n"] if n is None else n, "confidence": confidence,
        "statistic": "difference", "method": "difference-normal",
        "value_area": area["value"], "lower_area": area["lower"], "upper_area": area["upper"],
        "se_area": area["se"], "value_rest": rest["value"], "lower_rest": rest["lower"],
        "upper_rest": rest["upper"], "se_rest": rest["se"], "n_rest": rest["n"],
    }).reset_index()
    out["significant"] = (out["lower"] > 0) | (out["upper"] < 0)
    return out


# --------------------------------------------------------------------------- text
#: The rounding rule of survey shares (:data:`analysis.core.precision.RULES`): whole per cent,
#: differences in whole percentage points.
SHARE = "andel_enkat"


def share_text(v: float, decimals: int = 0) -> str:
    """A share as per cent (``"42 %"``), ``"."`` when missing (suppressed)."""
    return text.share(v, decimals) if pd.notna(v) else "."


def interval_text(lo: float, hi: float, decimals: int = 0, sign: bool = False) -> str:
    """``40–43`` (per cent, no line break inside: a word joiner follows the dash); with ``sign``
    ``+2 till +5`` (a difference in percentage points); ``"."`` when missing."""
    if pd.isna(lo) or pd.isna(hi):
        return "."
    if sign:
        return (f"{text.num(100 * lo, decimals, sign=True)}{text.NBSP}till{text.NBSP}"
                f"{text.num(100 * hi, decimals, sign=True)}")
    return f"{text.num(100 * lo, decimals)}–\u2060{text.num(100 * hi, decimals)}"


def estimate_text(v: float, lo: float, hi: float, decimals: int = 0) -> str:
    """``42 % (40–43)``, kept on one line."""
    return f"{share_text(v, decimals)}{text.NBSP}({interval_text(lo, hi, decimals)})"


def difference_text(r: Mapping, verdict: bool = True) -> str:
    """The end of a profile sentence on a :func:`difference` row (both sexes): ``"mot 40 % i
    övriga länet: +2 procentenheter (95 % konfidensintervall −1 till +5); skillnaden är inte
    statistiskt säkerställd."`` The difference and interval follow the book's rounding policy
    (:func:`analysis.core.precision.difference_cell`): the difference of the shown shares, the
    interval rounded outward, a verdict of significance only when that interval excludes 0.
    With ``verdict=False`` (synthetic data) no significance is claimed: the sentence says the
    difference is invented by the generator."""
    if not verdict:
        verdict_text = "skillnaden i de syntetiska data är påhittad och prövas inte"
    else:
        verdict_text = ("skillnaden är statistiskt säkerställd"
                        if precision.excludes_zero(r["lower"], r["upper"], SHARE)
                        else "skillnaden är inte statistiskt säkerställd")
    d = precision.difference(r["value_area"], r["value_rest"], SHARE)
    return (f"mot {share_text(r['value_rest'])} i övriga länet: "
            f"{text.num(d, precision.decimals(SHARE), sign=True)} procentenheter "
            f"(95 % konfidensintervall {precision.interval_text(r['lower'], r['upper'], SHARE)}); "
            f"{verdict_text}.")


def shown_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`difference` table whose ``significant`` follows the rounding policy, for a chart
    shown beside the table: True only where the interval, rounded outward to whole percentage
    points (:func:`analysis.core.precision.excludes_zero`), lies wholly above or below 0, so a
    filled marker and a table's star never disagree. Suppressed rows keep their blank flag."""
    out = table.copy()
    shown = np.array([precision.excludes_zero(lo, hi, SHARE) for lo, hi in
                      zip(out["lower"], out["upper"], strict=True)], dtype=bool)
    sig = out["significant"]
    out["significant"] = sig.where(sig.isna(), sig.astype(bool) & shown)
    return out


def difference_note(synthetic: bool) -> str:
    """What the difference column of a profile comparison shows (Swedish, for the text above
    the table): percentage points of the shown shares, the outward-rounded 95 % interval and,
    for real data only, the star."""
    head = ("Skillnaden är kommunens andel minus övriga länets, i procentenheter, räknad på de "
            "avrundade andelarna så att den stämmer med tabellen. Intervallet är ett 95 procents "
            "konfidensintervall beräknat på de oavrundade andelarna och avrundat utåt (se "
            "{doc}`avrundning i Metoder </book/metoder>`)")
    if synthetic:
        return head + "; skillnaderna i syntetiska data prövas inte."
    return head + "; en asterisk (*) markerar en skillnad vars visade intervall inte omfattar noll."


def difference_display(table: pd.DataFrame, area_name: str, *, indicators: Mapping[str, dict],
                       sex_labels: Mapping[str, str], order: Sequence[str],
                       verdict: bool = True) -> pd.DataFrame:
    """A :func:`difference` table as text: area, rest of the län, difference with interval,
    marker.

    Rows follow ``order`` (indicators not in it last), everyone first, then women and men. The
    marker ``*`` flags a difference whose 95 % interval excludes zero (never with
    ``verdict=False``, for synthetic data); ``indicators`` gives each indicator's ``label``.
    """
    rank = {i: k for k, i in enumerate(order)}
    sex_order = {"totalt": 0, "kvinnor": 1, "man": 2}
    t = table.assign(_i=table["indicator_id"].map(rank), _s=table["sex"].map(sex_order))
    rows = []
    for r in t.sort_values(["_i", "_s"]).itertuples():
        sup = bool(getattr(r, "suppressed", False))
        diff = "." if sup else precision.difference_cell(
            r.value_area, r.value_rest, r.lower, r.upper, SHARE,
            verdict=verdict and bool(r.significant))
        rows.append({
            "Indikator": indicators[r.indicator_id]["label"],
            "Kön": sex_labels[r.sex],
            area_name: "." if sup else share_text(r.value_area),
            "Övriga länet": "." if sup else share_text(r.value_rest),
            "Skillnad, procentenheter (95 % KI)": diff,
            "Svarande": "." if sup else text.num(r.n),
        })
    return pd.DataFrame(rows)
