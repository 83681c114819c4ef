"""Statistical disclosure control for tidy tables: suppress cells built on too few respondents.

A row is suppressed when any of its count rules fails (e.g. fewer than 30 respondents, or
fewer than 5 children or fewer than 20 in the denominator). Suppression is primary cell
suppression by a threshold rule (Hundepool et al. 2012, *Statistical Disclosure Control*,
Wiley, §5.2 "threshold rule"); the estimate and everything that would let a reader recover it
(limits, standard error, optionally the counts themselves) are blanked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_COLUMNS", "SUPPRESSED_MARK", "Rule", "format_suppressed", "suppress"]

#: Columns blanked by default (those present in the table).
DEFAULT_COLUMNS = ("value", "lower", "upper", "se")

#: What the book prints in a suppressed cell.
SUPPRESSED_MARK = "."


@dataclass(frozen=True)
class Rule:
    """A minimum-count rule: a row passes when ``table[column] >= threshold``.

    Parameters
    ----------
    column
        Count column the rule reads (e.g. ``"n"``, ``"numerator"``, ``"denominator"``).
    threshold
        Smallest allowed count.
    note
        Text written in the ``note`` column of a row that fails the rule; defaults to
        ``"färre än {threshold} svarande"`` for ``n`` and ``"färre än {threshold} ({column})"``
        otherwise.
    """

    column: str
    threshold: float
    note: str | None = None

    def text(self) -> str:
        if self.note is not None:
            return self.note
        t = f"{self.threshold:g}"
        if self.column == "n":
            return f"färre än {t} svarande"
        return f"färre än {t} ({self.column})"


def _rules(
    threshold: float,
    count: str,
    rules: Sequence[Rule] | Mapping[str, float] | None,
) -> list[Rule]:
    if rules is None:
        return [Rule(count, threshold)]
    if isinstance(rules, Mapping):
        return [Rule(c, t) for c, t in rules.items()]
    out = list(rules)
    if not out or not all(isinstance(r, Rule) for r in out):
        raise TypeError(
            "rules must be a non-empty sequence of Rule or a mapping {column: threshold}"
        )
    return out


def suppress(
    table: pd.DataFrame,
    threshold: float = 30,
    *,
    count: str = "n",
    rules: Sequence[Rule] | Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
    blank_counts: bool = False,
) -> pd.DataFrame:
    """Blank the estimates of rows whose counts are below a threshold.

    Parameters
    ----------
    table
        A tidy table (see CONTRIBUTING.md) with count column(s).
    threshold
        Smallest allowed value of ``count`` (default 30 respondents). Ignored when ``rules`` is
        given.
    count
        The count column of the default rule (default ``"n"``).
    rules
        Several rules instead of the default one: a sequence of :class:`Rule`, or a mapping
        ``{column: threshold}``. A row is suppressed when *any* rule fails, e.g.
        ``{"numerator": 5, "denominator": 20}`` for "fewer than 5 children or fewer than 20 in
        the denominator".
    columns
        Columns to blank (set to NaN); default: those of ``value, lower, upper, se`` present.
    blank_counts
        Also blank the count columns that the rules read (when the counts themselves may not be
        published).

    Returns
    -------
    pandas.DataFrame
        A copy with the blanked columns, a boolean ``suppressed`` column and a ``note`` column
        (the failing rules' texts joined by "; ", empty string where nothing is suppressed).

    Raises
    ------
    KeyError
        If a rule's count column or a column to blank is missing.
    ValueError
        If a count is negative.

    Notes
    -----
    A missing (NaN) count fails its rule: an unknown count is never taken as large enough. The
    comparison is ``count < threshold`` so a row with exactly ``threshold`` respondents is shown.
    """
    rs = _rules(threshold, count, rules)
    missing = [r.column for r in rs if r.column not in table.columns]
    if missing:
        raise KeyError(
            f"count column(s) {missing} not in the table (columns: {list(table.columns)})"
        )
    blank = [c for c in DEFAULT_COLUMNS if c in table.columns] if columns is None else list(columns)
    absent = [c for c in blank if c not in table.columns]
    if absent:
        raise KeyError(f"column(s) to blank {absent} not in the table")
    out = table.copy()
    failed = np.zeros((len(out), len(rs)), dtype=bool)
    for j, r in enumerate(rs):
        c = pd.to_numeric(out[r.column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if np.any(c < 0):
            raise ValueError(f"negative counts in column {r.column!r}")
        failed[:, j] = ~(c >= r.threshold)  # NaN fails
    sup = failed.any(axis=1)
    if blank_counts:
        blank = list(dict.fromkeys([*blank, *(r.column for r in rs)]))
    for c in blank:
        if not pd.api.types.is_float_dtype(out[c]):
            out[c] = (
                out[c].astype("float64")
                if pd.api.types.is_numeric_dtype(out[c])
                else out[c].astype(object)
            )
        out.loc[sup, c] = np.nan
    texts = np.array([r.text() for r in rs], dtype=object)
    out["suppressed"] = sup
    out["note"] = ["; ".join(texts[row]) for row in failed]
    return out


def format_suppressed(
    table: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    formatter: Callable[[float], str] | Mapping[str, Callable[[float], str]] | None = None,
    mark: str = SUPPRESSED_MARK,
    missing: str = "",
) -> pd.DataFrame:
    """Render a suppressed table for display or CSV: suppressed cells become ``"."``.

    Parameters
    ----------
    table
        Output of :func:`suppress` (it needs the ``suppressed`` column).
    columns
        Columns to render; default those of ``value, lower, upper, se`` present.
    formatter
        Function (or ``{column: function}``) turning a number into text, e.g.
        ``analysis.core.text.pct``; default ``str``. Only applied to shown values.
    mark
        Text for a suppressed cell (the book prints ``"."``, the Swedish official-statistics
        sign for "uppgift kan inte förekomma/redovisas").
    missing
        Text for a missing value in a row that is not suppressed.

    Returns
    -------
    pandas.DataFrame
        A copy where ``columns`` are strings: ``mark`` in suppressed rows, formatted values
        elsewhere.
    """
    if "suppressed" not in table.columns:
        raise KeyError("the table has no 'suppressed' column; run suppress() first")
    cols = [c for c in DEFAULT_COLUMNS if c in table.columns] if columns is None else list(columns)
    out = table.copy()
    sup = out["suppressed"].to_numpy(dtype=bool)
    for c in cols:
        f = formatter.get(c, str) if isinstance(formatter, Mapping) else (formatter or str)
        vals = out[c].to_numpy(dtype=object)
        text = [
            mark if s else (missing if pd.isna(v) else f(v)) for v, s in zip(vals, sup, strict=True)
        ]
        out[c] = pd.Series(text, index=out.index, dtype=object)
    return out
