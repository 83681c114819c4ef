"""Statistical disclosure control of the book's tables: one module, one public API.

Estimate tables (survey shares, means, differences)
    :func:`suppress`: primary cell suppression by a threshold rule (Hundepool et al. 2012,
    *Statistical Disclosure Control*, Wiley, §5.2 "threshold rule"). A row is suppressed when
    any of its count rules fails (e.g. fewer than 30 respondents); its estimate and everything
    that would let a reader recover it (limits, standard error, the two sides of a difference;
    :func:`estimate_columns`, optionally the counts themselves) are blanked. Rules:
    :class:`Rule`, :func:`respondent_rules`, :func:`count_rules`.

Count tables whose cells add up (register counts: a breakdown's groups add up to the total, the
kommuner to the län, a kommun and the rest of the län to the län; schools to their kommun)
    :func:`protect_counts`: the threshold rule, then secondary (complementary) suppression over
    the additive relations between the cells (:func:`linked_relations` for the book's tidy cell
    tables, :func:`group_relations` for "parts of a group add up to its total row"), so that no
    suppressed cell can be recovered by subtraction (Hundepool et al. 2012, §4.3, §5.3).
    :func:`check_protected` proves it afterwards and raises :class:`DisclosureError`.
    :func:`protect_distribution` does the same for one small table whose rows share one
    denominator (a distribution).

Linked estimate tables (every share published from one survey round: kommun × sex × age,
kommun × sex, kommun beside the rest of the län, the län)
    :func:`protect_linked`: the threshold rule, then complementary suppression until no
    suppressed cell can be narrowed to less than the protection interval
    (:data:`PROTECTION_WIDTH`) by the linear-programming attack of
    :func:`analysis.methods.sdcaudit.interval_attack` on all the published cells together, with
    the true weights (a stronger intruder than a real one, who has to estimate them).

Display
    :func:`format_suppressed` prints a suppressed cell as :data:`SUPPRESSED_MARK` (``"."``).

Why one module
--------------
Every published table goes through one set of rules, notes and marks, whether its cells are
counts or estimates: the threshold rule, the blanking, the notes a complementary cell gets and
the ``rule`` names the public suppression log shows are shared by all three protections, and a
change to one must be seen beside the others. The attacks themselves (linear programming, the
raking factors) live in :mod:`analysis.methods.sdcaudit`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core import diskcache, geo
from analysis.methods import sdcaudit

__all__ = [
    "DEFAULT_COLUMNS",
    "PROTECTION_WIDTH",
    "RULE_COMPLEMENTARY",
    "RULE_PRIMARY",
    "SECONDARY_NOTE",
    "SUPPRESSED_MARK",
    "DisclosureError",
    "Rule",
    "check_protected",
    "count_rules",
    "estimate_columns",
    "format_suppressed",
    "group_relations",
    "linked_relations",
    "protect_counts",
    "protect_distribution",
    "protect_linked",
    "respondent_rules",
    "suppress",
]

#: The estimate columns of the statistic block (blanked in every suppressed row).
DEFAULT_COLUMNS = ("value", "lower", "upper", "se")
#: Further columns that reveal an estimate: a difference's verdicts and its two sides.
FLAG_COLUMNS = ("inside", "significant")
ESTIMATE_PREFIXES = ("value_", "lower_", "upper_", "se_")

#: What the book prints in a suppressed cell.
SUPPRESSED_MARK = "."

#: Note of a cell suppressed only so that another cannot be recovered (secondary suppression).
SECONDARY_NOTE = "skyddad för att en annan cell inte ska kunna räknas fram"

#: Narrowest interval (in share units, 0–1) an intruder may be able to confine a suppressed share
#: to, from everything published from the same survey round: 10 percentage points.
PROTECTION_WIDTH = 0.10
#: The ``rule`` of a cell withheld by the threshold rule, and of one withheld to protect another.
RULE_PRIMARY = "primär"
RULE_COMPLEMENTARY = "sekundär"

#: An additive relation between cells: (row of the total, rows of its parts), as positions.
Relation = tuple[int, list[int]]


class DisclosureError(Exception):
    """A table about to be published breaks the disclosure rules (a cell under a threshold, a
    suppressed cell with a value, or a suppressed cell that can be recovered by subtraction)."""


# --------------------------------------------------------------------------- rules
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


def respondent_rules(min_respondents: int, counts: Sequence[str] = ("n",)) -> list[Rule]:
    """One rule "fewer than ``min_respondents`` respondents" per count column of a survey estimate
    table (``n``; for a difference also ``n_rest``; for an odds ratio ``n_category`` …)."""
    return [Rule(c, min_respondents, note=f"färre än {min_respondents} svarande") for c in counts]


def count_rules(min_count: int, min_denominator: int, unit: str = "barn", *,
                count: str = "count", denominator: str = "denominator") -> list[Rule]:
    """The two rules of a count table: fewer than ``min_count`` with the trait (``count``) or
    fewer than ``min_denominator`` in the group (``denominator``); notes ``"färre än 5 barn"``
    and ``"färre än 20 barn i gruppen"`` for ``unit="barn"``."""
    return [Rule(count, min_count, f"färre än {min_count} {unit}"),
            Rule(denominator, min_denominator, f"färre än {min_denominator} {unit} i gruppen")]


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


def _count_rules(min_count: int | None, min_denominator: int | None,
                 rules: Sequence[Rule] | Mapping[str, float] | None, unit: str) -> list[Rule]:
    """The rules of :func:`protect_counts` / :func:`check_protected`: explicit ``rules``, or
    :func:`count_rules` from the two thresholds."""
    if rules is not None:
        if min_count is not None or min_denominator is not None:
            raise TypeError("give either min_count and min_denominator or rules, not both")
        return _rules(0, "n", rules)
    if min_count is None or min_denominator is None:
        raise TypeError("give min_count and min_denominator, or rules")
    return count_rules(min_count, min_denominator, unit)


def estimate_columns(table: pd.DataFrame) -> list[str]:
    """The columns of ``table`` that carry or reveal an estimate, in table order: ``value, lower,
    upper, se``, a difference's ``inside``/``significant`` and its two sides (``value_area``,
    ``lower_rest`` …). :func:`suppress` blanks these by default."""
    return [c for c in table.columns
            if c in DEFAULT_COLUMNS or c in FLAG_COLUMNS or str(c).startswith(ESTIMATE_PREFIXES)]


# --------------------------------------------------------------------------- primary suppression
def suppress(
    table: pd.DataFrame,
    threshold: float = 30,
    *,
    count: str = "n",
    rules: Sequence[Rule] | Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
    blank_counts: bool = False,
) -> pd.DataFrame:
    """Blank the estimates of rows whose counts are below a threshold (primary suppression).

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
        Several rules instead of the default one: a sequence of :class:`Rule`
        (:func:`respondent_rules`, :func:`count_rules`), or a mapping ``{column: threshold}``. A
        row is suppressed when *any* rule fails, e.g. ``{"numerator": 5, "denominator": 20}`` for
        "fewer than 5 children or fewer than 20 in the denominator".
    columns
        Columns to blank (set to NaN); default :func:`estimate_columns` (``value, lower, upper,
        se`` and a difference's flags and sides, those present).
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
    blank = estimate_columns(table) if columns is None else list(columns)
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


# --------------------------------------------------------------------------- relations
def linked_relations(table: pd.DataFrame, lan_code: str = geo.LAN_KOD) -> list[Relation]:
    """Additive relations between the cells of a tidy count table: (total row, part rows).

    ``table`` has the key columns ``indicator_id, area_type, area_code, period, breakdown,
    group``; area types ``lan`` (code ``lan_code``), ``kommun`` and ``ovriga_lanet`` (the rest of
    the län for the kommun ``area_code``); the total of a breakdown is ``breakdown == group ==
    "totalt"``. Rows are positions ``0 … len(table) − 1``.

    1. The groups of a breakdown add up to the area's total. 2. The kommuner add up to the län.
    3. A kommun and the rest of the län add up to the län.
    """
    cols = ["indicator_id", "area_type", "area_code", "period", "breakdown", "group"]
    keys = list(zip(*(table[c].tolist() for c in cols), strict=True))
    rowids = list(range(len(table)))
    row = dict(zip(keys, rowids, strict=True))
    by_breakdown: dict[tuple, list[int]] = {}
    kommuner: dict[tuple, list[tuple[int, str]]] = {}
    for (ind, at, ac, per, bd, grp), r in zip(keys, rowids, strict=True):
        if bd != "totalt":
            by_breakdown.setdefault((ind, at, ac, per), []).append(r)
        if at == "kommun":
            kommuner.setdefault((ind, per, bd, grp), []).append((r, ac))
    rel: list[Relation] = []
    for (ind, at, ac, per), parts in by_breakdown.items():
        # one relation per breakdown: split the parts by breakdown
        split: dict[str, list[int]] = {}
        for r in parts:
            split.setdefault(keys[r][4], []).append(r)
        total = row.get((ind, at, ac, per, "totalt", "totalt"))
        if total is not None:
            rel.extend((total, p) for p in split.values())
    for (ind, per, bd, grp), parts in kommuner.items():
        total = row.get((ind, "lan", lan_code, per, bd, grp))
        if total is None:
            continue
        rel.append((total, [r for r, _ in parts]))
        for r, ac in parts:
            rest = row.get((ind, "ovriga_lanet", ac, per, bd, grp))
            if rest is not None:
                rel.append((total, [r, rest]))
    return rel


def group_relations(table: pd.DataFrame, by: Sequence[str], total: str | np.ndarray
                    ) -> list[Relation]:
    """(total row, part rows) per group of ``by`` in a table holding each group's total as one
    of its rows, e.g. schools and their kommun total per kommun × school year
    (``group_relations(t, ["area_code", "grade"], total="is_total")``).

    ``total`` is a boolean column name or mask. Groups without exactly one total row or without
    parts give no relation. Rows are positions ``0 … len(table) − 1``.
    """
    t = table.reset_index(drop=True)
    is_total = (t[total] if isinstance(total, str) else pd.Series(total)).to_numpy(dtype=bool)
    rel: list[Relation] = []
    for idx in t.groupby(list(by), sort=True).indices.values():
        tot = [int(i) for i in idx if is_total[i]]
        parts = [int(i) for i in idx if not is_total[i]]
        if len(tot) == 1 and parts:
            rel.append((tot[0], parts))
    return rel


def _relations_of(t: pd.DataFrame, relations) -> list[Relation]:
    if relations is None:
        return linked_relations(t)
    if callable(relations):
        return list(relations(t))
    return list(relations)


def _secondary(sup: np.ndarray, relations: Sequence[Relation], size: np.ndarray,
               max_rounds: int = 100) -> np.ndarray:
    """Secondary suppression (``sup`` is updated in place; returns the newly suppressed rows).

    Where exactly one cell of a relation is suppressed it could be recovered by subtraction, so
    the open part with the smallest ``size`` (then the first) is suppressed too (the total if no
    part is open), repeated until no relation has exactly one suppressed cell (the usual
    heuristic for linked tables; Hundepool et al. 2012, §4.3)."""
    secondary = np.zeros(len(sup), dtype=bool)
    for _ in range(max_rounds):
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if sum(sup[c] for c in cells) != 1:
                continue
            open_parts = [p for p in parts if not sup[p]]
            pick = min(open_parts, key=lambda p: (size[p], p)) if open_parts else total
            if sup[pick]:
                continue
            sup[pick] = secondary[pick] = True
            changed = True
        if not changed:
            break
    else:  # pragma: no cover - the heuristic always converges on finite tables
        raise RuntimeError("secondary suppression did not converge")
    return secondary


# --------------------------------------------------------------------------- count tables
def protect_counts(
    table: pd.DataFrame,
    min_count: int | None = None,
    min_denominator: int | None = None,
    *,
    rules: Sequence[Rule] | Mapping[str, float] | None = None,
    relations: Sequence[Relation] | Callable[[pd.DataFrame], Sequence[Relation]] | None = None,
    size: str = "denominator",
    columns: Sequence[str] | None = None,
    blank_counts: bool = True,
    unit: str = "barn",
    note: str = SECONDARY_NOTE,
) -> pd.DataFrame:
    """Disclosure control of a count table: threshold rule, then secondary suppression.

    Primary: a cell with fewer than ``min_count`` with the trait or fewer than
    ``min_denominator`` in the group (:func:`count_rules`; or any other ``rules``) is suppressed
    by :func:`suppress` (the estimate columns and, with ``blank_counts``, the counts are
    blanked). Secondary: the published cells are tied by additive relations (``relations``;
    default :func:`linked_relations`: a breakdown's groups add up to the total, the kommuner to
    the län, a kommun and the rest of the län to the län). Where exactly one cell of a relation
    is suppressed it could be recovered by subtraction, so the part with the smallest ``size``
    is suppressed too, repeated until no relation has exactly one suppressed cell (Hundepool et
    al. 2012, *Statistical Disclosure Control*, §4.3).

    Parameters
    ----------
    table
        All cells that any page publishes (e.g. the child poverty chapter's indicator table).
    min_count, min_denominator
        Thresholds of :func:`count_rules` (the book's parameters ``min_count``,
        ``min_denominator``); or give ``rules`` instead.
    rules
        Other primary rules (e.g. ``respondent_rules(30, ["respondents"])`` for schools).
    relations
        ``[(total_row, [part_rows])]`` on positions, or a function of the table returning them
        (:func:`group_relations`); default :func:`linked_relations`.
    size
        Column whose smallest value picks the complementary cell (``"denominator"``).
    columns, blank_counts
        As :func:`suppress`; a secondary cell gets the same columns blanked.
    unit
        Word of the notes of :func:`count_rules` (``"barn"``).
    note
        Note of a secondary cell.

    Returns
    -------
    pandas.DataFrame
        The table (index reset) with ``suppressed`` (bool) and ``note`` columns; suppressed rows
        have NaN in the blanked columns.

    Raises
    ------
    ValueError
        If a threshold is below 1.
    """
    rs = _count_rules(min_count, min_denominator, rules, unit)
    if any(r.threshold < 1 for r in rs):
        raise ValueError("thresholds must be at least 1")
    t = table.reset_index(drop=True).copy()
    n = t[size].to_numpy(dtype=float)
    out = suppress(t, rules=rs, columns=columns, blank_counts=blank_counts)
    blank = estimate_columns(t) if columns is None else list(columns)
    if blank_counts:
        blank = list(dict.fromkeys([*blank, *(r.column for r in rs)]))
    sup = out["suppressed"].to_numpy(dtype=bool).copy()
    secondary = _secondary(sup, _relations_of(t, relations), n)
    out.loc[secondary, blank] = np.nan
    out["suppressed"] = sup
    out.loc[secondary, "note"] = note
    return out


def check_protected(
    table: pd.DataFrame,
    min_count: int | None = None,
    min_denominator: int | None = None,
    *,
    rules: Sequence[Rule] | Mapping[str, float] | None = None,
    relations: Sequence[Relation] | Callable[[pd.DataFrame], Sequence[Relation]] | None = None,
    columns: Sequence[str] | None = None,
    blank_counts: bool = True,
) -> None:
    """Check a :func:`protect_counts` table before it is published: no shown cell under a
    threshold, no value left in a suppressed cell, no suppressed cell recoverable by subtraction.

    The arguments are those given to :func:`protect_counts`. Runs under ``python -O`` too (it
    raises, it does not ``assert``).

    Raises
    ------
    DisclosureError
        Naming the first offending rows.
    """
    rs = _count_rules(min_count, min_denominator, rules, "barn")
    sup_all = table["suppressed"].to_numpy(dtype=bool)
    shown = table[~sup_all]
    bad = np.zeros(len(shown), dtype=bool)
    for r in rs:
        bad |= (shown[r.column] < r.threshold).to_numpy(dtype=bool)
    if bad.any():
        raise DisclosureError(
            f"published cells under the thresholds: {shown[bad].head(3).to_dict('records')}")
    blank = estimate_columns(table) if columns is None else list(columns)
    if blank_counts:
        blank = list(dict.fromkeys([*blank, *(r.column for r in rs)]))
    hidden = table[sup_all]
    if not hidden[blank].isna().all().all():
        raise DisclosureError(f"a suppressed cell still has a value in {blank}")
    t = table.reset_index(drop=True)
    for total, parts in _relations_of(t, relations):
        if sum(sup_all[c] for c in [total, *parts]) == 1:
            raise DisclosureError(
                "a suppressed cell can be recovered: "
                f"{t.loc[[total, *parts]].head(3).to_dict('records')}")


def protect_distribution(table: pd.DataFrame, min_count: int, min_denominator: int,
                         count: str = "count", denominator: str = "denominator") -> pd.DataFrame:
    """Threshold rule for one small table outside a linked set whose rows add up to one shared
    denominator (a distribution, e.g. children by years with low economic standard), with one
    complementary row suppressed when only one is: the smallest ``count`` of the open rows
    (its ``count`` and ``share``/``value``; the shared denominator stays)."""
    out = suppress(table, rules={count: min_count, denominator: min_denominator},
                   columns=[c for c in ("share", "value") if c in table.columns],
                   blank_counts=True)
    sup = out["suppressed"].to_numpy(dtype=bool)
    if sup.sum() == 1 and len(out) > 1:
        open_rows = np.flatnonzero(~sup)
        pick = open_rows[np.argmin(table[count].to_numpy()[open_rows])]
        out.loc[out.index[pick], [c for c in (count, "share", "value") if c in out.columns]] = np.nan
        out.loc[out.index[pick], "suppressed"] = True
    return out


# --------------------------------------------------------------------------- linked estimates
def _complement(h: int, candidates: list[int], members: list[set[int]], size: np.ndarray
                ) -> int | None:
    """The published cell to withhold so that hidden cell ``h`` is protected: among the cells
    an attack uses, one that does not contain ``h`` (not a total above it), then one at least as
    large as ``h`` (the smallest of those: a smaller one would leave ``h`` narrowly bounded),
    else the largest."""
    if not candidates:
        return None

    def key(c: int) -> tuple:
        bigger = size[c] >= size[h]
        return (members[h] <= members[c], not bigger, size[c] if bigger else -size[c], c)

    return min(candidates, key=key)


def protect_linked(
    cells: pd.DataFrame,
    members: Sequence[Sequence[int]],
    weights: np.ndarray,
    *,
    rules: Sequence[Rule] | Mapping[str, float],
    protection: float = PROTECTION_WIDTH,
    tie: str | None = None,
    max_rounds: int = 500,
) -> pd.DataFrame:
    """Disclosure control of linked estimate tables: threshold rule, then complementary
    suppression until no suppressed cell is derivable.

    Each row of ``cells`` is one published estimate (a share) and the weighted mean of the
    atoms ``members[i]`` (e.g. kommun × sex × age groups) with the atoms' weight totals
    ``weights``. Primary suppression applies ``rules`` (:func:`suppress`). Then, repeatedly, the
    linear-programming attack (:func:`analysis.methods.sdcaudit.interval_attack`) bounds every
    cell that fails a rule from all published ones with the true weights (a complementary cell
    passes the rules, so it needs no protection of its own); where a cell's interval is
    narrower than ``protection``, one of the published cells the attack uses is suppressed too
    (not a total containing it; the smallest at least as large as it, else the largest), until
    none is (Hundepool et al. 2012, *Statistical Disclosure Control*, §4.3 and §5.3).

    Parameters
    ----------
    cells
        One row per published cell with ``value`` and the count columns the rules read.
    members, weights
        Atoms of each cell and each atom's weight total (the sum of the calibrated weights of
        its respondents with an answer).
    rules
        Primary rules (:func:`respondent_rules`).
    protection
        Narrowest allowed interval of a suppressed share (:data:`PROTECTION_WIDTH`).
    tie
        Column whose equal values are suppressed together (e.g. the columns of one CSV row: a
        kommun's share and the rest of the län beside it).
    max_rounds
        Safety limit of the loop.

    Returns
    -------
    pandas.DataFrame
        ``cells`` (index reset) with ``suppressed`` (bool), ``rule`` (:data:`RULE_PRIMARY`,
        :data:`RULE_COMPLEMENTARY` or ``""``) and ``note``; ``value`` and the rules' count
        columns are blanked in suppressed rows.

    Raises
    ------
    DisclosureError
        If a derivable cell cannot be protected (no published cell feeds the attack).
    """
    t = cells.reset_index(drop=True)
    rs = _rules(0, "n", rules)
    out = suppress(t, rules=rs, columns=[])
    sensitive = out["suppressed"].to_numpy(dtype=bool)  # the cells the rules protect
    sup = sensitive.copy()
    w = np.asarray(weights, dtype=float)
    mem = [{int(a) for a in m if w[int(a)] > 0} for m in members]
    size = np.array([w[list(m)].sum() for m in mem])
    live = np.flatnonzero(size > 0)  # a cell without weight has no estimate to protect
    M = sdcaudit.functional_matrix([sorted(mem[i]) for i in live], w)
    values = t["value"].to_numpy(dtype=float)[live]
    groups = t[tie].to_numpy() if tie is not None else np.arange(len(t))

    def hide(i: int) -> None:
        sup[groups == groups[i]] = True

    for i in np.flatnonzero(sup):
        hide(i)
    primary = sup.copy()  # a row withheld by the rule is withheld whole
    for _ in range(max_rounds):
        targets = np.flatnonzero(sensitive[live])
        b = sdcaudit.interval_attack(M, np.where(sup[live], 0.0, values), ~sup[live],
                                     cells=targets)
        bad = np.flatnonzero(b.derivable(protection))
        if bad.size == 0:
            break
        changed: set[int] = set()
        for h in bad[np.argsort(b.width[bad], kind="stable")]:
            if changed & set(b.binding[h]):
                continue  # an earlier pick of this round already cuts its attack
            cand = [int(live[c]) for c in b.binding[h] if not sup[live[c]]]
            c = _complement(int(live[h]), cand, mem, size)
            if c is None:
                raise DisclosureError(
                    f"cell {t.loc[live[h]].to_dict()} is derivable and no published cell feeds "
                    "the attack")
            hide(c)
            changed.add(int(np.searchsorted(live, c)))
    else:  # pragma: no cover - each round withholds at least one more cell
        raise DisclosureError("complementary suppression did not converge")
    blank = ["value", *dict.fromkeys(r.column for r in rs)]
    res = t.copy()
    for c in blank:
        res[c] = res[c].astype("float64")
        res.loc[sup, c] = np.nan
    res["suppressed"] = sup
    res["rule"] = np.where(primary, RULE_PRIMARY, np.where(sup, RULE_COMPLEMENTARY, ""))
    first = pd.Series(out["note"].to_numpy()).groupby(groups).transform("max").to_numpy()
    res["note"] = np.where(primary, first, np.where(sup, SECONDARY_NOTE, ""))
    return res


# --------------------------------------------------------------------------- display
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


def design_hash(data: pd.DataFrame, weights: np.ndarray) -> str:
    """Hash of a calibrated design's microdata and weights (:func:`cached_tables`' input key)."""
    return diskcache.frame_hash(data) + diskcache.frame_hash(
        pd.DataFrame({"weight": np.asarray(weights, dtype=float)}))


def cached_tables(name: str, module: str, inputs: Mapping,
                  build: Callable[[], Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Protected tables computed once per round and edition and kept on disk.

    Linked protection covers every kommun's tables at once, so each kommun profile would
    otherwise redo it. The tables are kept as Parquet files under ``data/interim/<name>/<key>/``
    (:func:`analysis.core.diskcache.cached`), the key being a hash of ``inputs`` (e.g. the
    :func:`design_hash`, period and thresholds) and of the code of ``module`` (the chapter that
    builds them, with everything it imports). The tables are always returned as read back from
    the files, so the process that builds them and those that read them get identical tables.
    """
    code = diskcache.code_hash(module)
    key = diskcache.key({"code": code, **inputs})

    def write(value: Mapping[str, pd.DataFrame], folder) -> dict:
        for n, t in value.items():
            t.to_parquet(folder / f"{n}.parquet", index=False)
        return {"tables": list(value)}

    def read(folder, meta: dict) -> dict[str, pd.DataFrame]:
        return {n: pd.read_parquet(folder / f"{n}.parquet") for n in meta["tables"]}

    root = diskcache.default_root(name)
    diskcache.cached(root, key, code, build, write, read)
    return read(root / key, {"tables": json.loads(
        (root / key / "meta.json").read_text(encoding="utf-8"))["tables"]})
