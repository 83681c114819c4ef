"""Design-based estimation for stratified surveys: design, calibration, domain estimates and CIs.

The engine follows the estimators of the R package *survey* (Lumley 2004, 2010) for a
single-stage stratified design, with or without clustering into primary sampling units
(PSUs), with or without a finite population correction (fpc):

* Point estimates are Horvitz–Thompson totals and ratio (Hájek) means/proportions.
* Variances are Taylor-linearised (Woodruff 1971; Wolter 2007, ch. 6): the estimating function of
  each estimate is summed per PSU, centred within its stratum and squared, with the factor
  ``(1 - n_h/N_h) n_h/(n_h - 1)`` (Cochran 1977, eq. 5A.42). This is R ``svyrecvar`` for one stage.
* Domains are subpopulations of the full design: rows outside the domain contribute zero to the
  estimating function but keep their stratum and PSU, so ``n_h`` is the full-design count
  (Cochran 1977, §2.13; Lumley 2010, §2.3; R ``svyby``/``subset``). The data are never subset.
* Post-stratified and raked weights are treated as calibration estimators: the estimating
  function is replaced by its residual from the regression on the calibration dummies weighted
  by the pre-calibration weights (Deville & Särndal 1992; Särndal, Swensson & Wretman 1992,
  §6.6, §7.12), as R ``postStratify``/``calibrate`` do.

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA* 87, 376–382.
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table
when the expected marginal totals are known. *Ann. Math. Stat.* 11, 427–444.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24, 193–201.
Lumley, T. (2004). Analysis of complex survey samples. *J. Stat. Softw.* 9(8).
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
*Int. Stat. Rev.* 51, 279–292.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209–212.
Woodruff, R. S. (1971). A simple method for approximating the variance of a complicated estimate.
*JASA* 66, 411–414.

Why one module
--------------
The design, calibration (post-stratification and raking), the linearised variance and the
interval methods all work on one :class:`SurveyDesign` and its per-PSU estimating functions;
they are checked together against R ``survey`` (tests/fixtures/survey). Splitting would
spread one estimator over several files without cutting a dependency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, sparse, stats

from analysis.core.errors import InputError

__all__ = [
    "STAT_COLUMNS",
    "ConvergenceError",
    "SurveyDesign",
    "age_standardise",
    "korn_graubard_interval",
    "logistic_regression",
    "logit_interval",
    "poststratify",
    "proportion_columns",
    "rake",
    "standard_weights",
    "wilson_interval",
]

#: The statistic block of every tidy estimate table (CONTRIBUTING.md), in order.
STAT_COLUMNS = ["value", "lower", "upper", "se", "n", "confidence", "statistic", "method"]

LONELY_PSU_OPTIONS = ("error", "remove", "certainty", "adjust")
PROPORTION_METHODS = ("logit", "korn-graubard", "wilson", "taylor", "taylor-normal")
MEAN_METHODS = ("taylor", "taylor-normal")




class ConvergenceError(RuntimeError):
    """Raking (iterative proportional fitting) did not reach the tolerance in time."""


@dataclass(frozen=True)
class _Calibration:
    """One calibration step: the margins (code arrays) that the weights were fitted to."""

    kind: str
    codes: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]


@dataclass
class _CalibrationPlan:
    """The calibration terms of a domain variance that every variable shares."""

    G: int
    P: np.ndarray  # (X'DX)⁻, G × G
    ratio: np.ndarray  # d/w of each row of the plan
    codes: list[np.ndarray]  # (margin category) × D + domain of each row, per margin
    R: sparse.csr_matrix  # (stratum, category, domain) × PSU-domain pair: C_pg
    S: np.ndarray  # H × G × G: Σ_{p∈h} C_p C_p'
    Wc: np.ndarray  # H × G: Σ_{p∈h} C_p


@dataclass
class _DomainPlan:
    """The rows of the domains and their groupings, shared by every variable of one estimate."""

    D: int
    rows: np.ndarray | None  # rows in a domain (None: every row)
    dom: np.ndarray  # domain code of each of those rows
    w: np.ndarray  # their weights
    pair_of_row: np.ndarray | None  # PSU × domain pair of each row (None: element PSUs)
    n_pairs: int
    pair_dom: np.ndarray  # domain of each pair
    pair_hd: np.ndarray  # stratum × D + domain of each pair
    W: np.ndarray | None = None  # Σ w per domain
    cal: _CalibrationPlan | None = None
    _buffers: tuple[np.ndarray, np.ndarray] | None = None
    _W_row: np.ndarray | None = None

    def scratch(self) -> tuple[np.ndarray, np.ndarray]:
        """Two work arrays of one value per row, reused by every variable."""
        if self._buffers is None:
            self._buffers = (np.empty(self.dom.size), np.empty(self.dom.size))
        return self._buffers

    def W_row(self) -> np.ndarray:
        """Each row's domain total of weights (1 where it is 0), the divisor of a mean."""
        if self._W_row is None:
            self._W_row = np.where(self.W > 0, self.W, 1.0)[self.dom]
        return self._W_row


# ----------------------------------------------------------------------------------------------
# small helpers


def _rows(mask: np.ndarray) -> list[int]:
    """1-based data row numbers of the True positions."""
    return [int(i) + 1 for i in np.flatnonzero(mask)]


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _agg(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum the rows of ``values`` (n × k or n) by integer group ``codes`` (0..size-1).

    One sequential pass per column (``np.bincount``): linear in n, and each group's sum adds its
    rows in row order, as a sparse group-indicator product does, so the bits are the same."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=size)
    columns = np.ascontiguousarray(values.T)
    out = np.empty((values.shape[1], size))
    for k in range(values.shape[1]):
        out[k] = np.bincount(codes, weights=columns[k], minlength=size)
    return out.T


#: Relative tolerance on a column's norm below which it counts as a combination of the columns
#: before it (R ``qr()``, LINPACK ``dqrdc2``, uses the same 1e-7).
_RANK_TOL = 1e-7


def _independent_columns(M: np.ndarray, tol: float = _RANK_TOL) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns of ``M``, taken in order.

    Column *j* is kept unless its residual from the kept columns before it has a norm below
    ``tol`` times its own norm; all-zero columns are dropped. This is the column choice of R's
    ``qr()`` (LINPACK ``dqrdc2``: in-order Householder QR that moves near-dependent columns to
    the end), here by Gram–Schmidt with reorthogonalisation (Björck 1996, §2.4.5), which gives
    the residual to rounding error. ``M`` is the (small) matrix itself, not its Gram matrix,
    whose rounding (relative ``eps × cond``) would hide an exact dependency.
    """
    Q = np.zeros_like(M, dtype=float)
    kept: list[int] = []
    for j in range(M.shape[1]):
        v = np.asarray(M[:, j], dtype=float)
        norm = float(np.linalg.norm(v))
        if not norm > 0:
            continue
        r = v.copy()
        if kept:
            Qk = Q[:, : len(kept)]
            r -= Qk @ (Qk.T @ r)
            r -= Qk @ (Qk.T @ r)
        rnorm = float(np.linalg.norm(r))
        if rnorm <= tol * norm:
            continue
        Q[:, len(kept)] = r / rnorm
        kept.append(j)
    return np.asarray(kept, dtype=np.int64)


def _full_rank_inverse(gram: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """A generalised inverse of the Gram matrix ``X'DX`` of calibration dummies.

    The inverse of the Gram matrix of the independent ``columns`` (:func:`_independent_columns`:
    one level of every margin after the first drops out, as do categories without respondents),
    with zeros elsewhere: ``X (X'DX)⁻ X'D`` is then the weighted least-squares projection onto the
    columns of ``X`` computed without any near-zero singular value (R ``calibrate`` uses
    ``qr.resid`` on the same full-rank columns). A pseudo-inverse with numpy's default cut-off
    keeps the tiny singular value of the exact collinearity when rounding lifts it over the
    cut-off, and the standard errors then drift by up to 1e-5 relative.
    """
    out = np.zeros_like(gram, dtype=float)
    if columns.size:
        sub = gram[np.ix_(columns, columns)]
        out[np.ix_(columns, columns)] = linalg.cho_solve(linalg.cho_factor(sub), np.eye(columns.size))
    return out


def _cells(codes: Sequence[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's cell (its combination of ``codes``, each in 0..size-1) and the cells' codes,
    one row per cell in sorted order."""
    shape = (size,) * len(codes)
    if float(size) ** len(codes) < 2.0**62:
        uniq, cell = np.unique(np.ravel_multi_index(tuple(codes), shape), return_inverse=True)
        return cell.ravel(), np.column_stack(np.unravel_index(uniq, shape))
    cells, cell = np.unique(np.column_stack(codes), axis=0, return_inverse=True)
    return cell.ravel(), cells


def _group_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer codes (−1 where any key is missing) and the sorted observed key combinations.

    Each column is factorised once (hashing, sorted codes), the codes are combined in mixed
    radix, which keeps the lexicographic order of the key tuples, and the observed combinations
    are numbered by a presence count: linear in the rows, no object tuples, no sort of the rows.
    The result is that of ``groupby(columns, sort=True, dropna=True, observed=True).ngroup()``.
    """
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques, sizes = [], []
    for col in frame.columns:
        c, u = pd.factorize(frame[col], sort=True, use_na_sentinel=True)
        missing |= c < 0
        sizes.append(max(len(u), 1))
        if float(np.prod(sizes, dtype=float)) >= 2.0**62:
            return _group_codes_by_sorting(frame)
        combined = combined * sizes[-1] + np.maximum(c, 0)
        uniques.append(u)
    total = int(np.prod(sizes, dtype=np.int64))
    have = ~missing
    if total <= 4 * n + 1024:
        present = np.bincount(combined[have], minlength=total) > 0
        observed = np.flatnonzero(present)
        remap = np.cumsum(present) - 1
        codes = np.where(have, remap[combined], -1)
    else:
        observed, inv = np.unique(combined[have], return_inverse=True)
        codes = np.full(n, -1, dtype=np.int64)
        codes[have] = inv.ravel()
    index = np.unravel_index(observed, sizes)
    levels = pd.DataFrame({col: _infer(u.take(i)) for col, u, i in zip(frame.columns, uniques,
                                                                         index, strict=True)})
    return codes.astype(np.int64), levels


def _infer(values: pd.Index) -> pd.Index:
    """Object levels with their inferred dtype (strings → ``str``), as groupby gives them."""
    return pd.Index(values.to_list()) if values.dtype == object else values


def _group_codes_by_sorting(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """:func:`_group_codes` by pandas groupby, for keys with too many combinations for a radix."""
    cols = list(frame.columns)
    grouped = frame.groupby(cols, sort=True, dropna=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
    levels = grouped.size().index.to_frame(index=False)
    return codes, levels


def _t_quantile(q: float, df: np.ndarray | float) -> np.ndarray:
    """Student t quantile; normal where df is infinite, NaN where df <= 0 (as R)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(df), stats.norm.ppf(q), stats.t.ppf(q, np.where(df > 0, df, 1.0)))
    return np.where(df > 0, out, np.nan)


# ----------------------------------------------------------------------------------------------
# the design


class SurveyDesign:
    """A single-stage stratified (optionally clustered) survey design.

    Parameters
    ----------
    data
        One row per respondent. It is copied and given a fresh ``RangeIndex``.
    weights
        Column of sampling (or already adjusted) weights: finite and non-negative. If ``None``
        and ``fpc`` is given, the weights are ``N_h / n_h`` with ``n_h`` the respondents in
        stratum *h*, i.e. design weights with non-response treated as missing at random within
        strata (Särndal & Lundström 2005, §8.2, the response-homogeneity-group model).
    strata
        Column (or columns, combined) identifying the strata; ``None`` for an unstratified design.
    psu
        Column identifying primary sampling units (clusters). PSU codes are taken within strata
        (R ``nest=TRUE``). ``None`` means every row is its own PSU (element sampling).
    fpc
        Population size ``N_h`` per stratum (the number of PSUs in the population), as R's
        ``svydesign(fpc=)`` with counts: a column constant within strata, or a mapping
        ``{stratum: N_h}``. ``None`` means sampling with replacement (no fpc).
    lonely_psu
        What to do with a stratum that has a single PSU, whose variance cannot be estimated:
        ``"error"`` (default) raises; ``"remove"`` and ``"certainty"`` let it contribute zero;
        ``"adjust"`` centres its PSU total at zero instead of the stratum mean (R
        ``options(survey.lonely.psu=)`` with the same names and the same arithmetic).
    source
        Name of the file the data came from, used in error messages.

    Raises
    ------
    analysis.core.errors.InputError
        For an unknown column, missing or negative weights, a missing stratum or PSU, an empty
        stratum (a level of a categorical strata column, or a key of an ``fpc`` mapping, with no
        rows), an fpc smaller than the number of sampled PSUs, or a single-PSU stratum when
        ``lonely_psu="error"``.

    Notes
    -----
    The variance of every estimate is the one-stage with-/without-replacement Taylor variance
    of Lumley (2004, eq. 2) with the ultimate-cluster approximation (Wolter 2007, §1.4);
    degrees of freedom are ``#PSUs − #strata`` (R ``degf``), counted over the PSUs and strata
    that hold domain members for domain estimates.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = None,
        strata: str | Sequence[str] | None = None,
        psu: str | None = None,
        fpc: str | Mapping[object, float] | pd.Series | None = None,
        lonely_psu: str = "error",
        source: str = "<data>",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        self.source = str(source)
        if len(data) == 0:
            raise InputError(self.source, "the data have no rows")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, got {lonely_psu!r}")
        if weights is None and fpc is None:
            raise ValueError("give weights=, or fpc= so that weights N_h/n_h can be derived")
        # pandas copy-on-write: a lazy copy, so the caller's frame and this one never change
        # each other, without copying (or consolidating) the data up front
        self.data = data.reset_index(drop=True)
        self.strata = _as_list(strata)
        self.weights_column = weights
        self.psu = psu
        self.lonely_psu = lonely_psu
        self._check_columns(
            [*self.strata, *([weights] if weights else []), *([psu] if psu else [])]
        )
        if isinstance(fpc, str):
            self._check_columns([fpc])
        n = len(self.data)

        # strata
        if self.strata:
            frame = self.data[self.strata]
            for col in self.strata:
                miss = frame[col].isna().to_numpy()
                if miss.any():
                    raise InputError(
                        self.source, "stratum is missing", column=col, rows=_rows(miss)
                    )
                if isinstance(frame[col].dtype, pd.CategoricalDtype):
                    unused = sorted(set(frame[col].cat.categories) - set(frame[col].unique()))
                    if unused:
                        raise InputError(
                            self.source,
                            f"empty stratum: level(s) {unused} of the strata column have no rows",
                            column=col,
                        )
            h, levels = _group_codes(frame)
            self.strata_levels = levels
        else:
            h = np.zeros(n, dtype=np.int64)
            self.strata_levels = pd.DataFrame({"stratum": ["(all)"]})
        self._h = h
        self.n_strata = int(h.max()) + 1

        # PSUs (nested in strata)
        if psu is not None:
            miss = self.data[psu].isna().to_numpy()
            if miss.any():
                raise InputError(self.source, "PSU is missing", column=psu, rows=_rows(miss))
            pcode, _ = _group_codes(pd.DataFrame({"h": h, "p": self.data[psu].to_numpy()}))
            self._p = pcode
            self.n_psu = int(pcode.max()) + 1
            self._psu_stratum = np.zeros(self.n_psu, dtype=np.int64)
            self._psu_stratum[pcode] = h
            self._element_psu = False
        else:
            self._p = np.arange(n, dtype=np.int64)
            self.n_psu = n
            self._psu_stratum = h
            self._element_psu = True
        self._n_h = np.bincount(self._psu_stratum, minlength=self.n_strata).astype(float)

        # fpc: population count per stratum
        self._N_h = self._read_fpc(fpc)
        with np.errstate(divide="ignore"):
            self._f_h = np.where(np.isfinite(self._N_h), self._n_h / self._N_h, 0.0)

        # weights
        if weights is not None:
            w = pd.to_numeric(self.data[weights], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(w)
            if bad.any():
                raise InputError(
                    self.source,
                    "weights must be finite numbers (missing or non-numeric weight)",
                    column=weights,
                    rows=_rows(bad),
                    values=self.data[weights].to_numpy()[bad].tolist(),
                )
            neg = w < 0
            if neg.any():
                raise InputError(
                    self.source,
                    "weights must not be negative",
                    column=weights,
                    rows=_rows(neg),
                    values=w[neg].tolist(),
                )
        else:
            if not np.all(np.isfinite(self._N_h)):
                raise ValueError("weights=None needs fpc for every stratum to derive N_h/n_h")
            units = np.bincount(h, minlength=self.n_strata)
            w = (self._N_h / units)[h]
        self._w = w
        self._base_w = w
        self._calibration: tuple[_Calibration, ...] = ()

        # singleton strata
        lonely = np.flatnonzero(self._n_h == 1)
        if lonely.size and lonely_psu == "error":
            names = self._stratum_names(lonely)
            raise InputError(
                self.source,
                f"stratum {names} has a single PSU, so its variance cannot be estimated; "
                "collapse it with a neighbouring stratum, or pass lonely_psu='adjust', "
                "'remove' or 'certainty' (see SurveyDesign docstring)",
                column=", ".join(self.strata) or None,
                rows=[r for s in lonely for r in _rows(h == s)],
            )

    # -- construction helpers ------------------------------------------------------------------

    def _check_columns(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.data.columns]
        if missing:
            raise InputError(
                self.source,
                f"column(s) {missing} not found; available columns: {list(self.data.columns)}",
                column=missing[0],
            )

    def _stratum_names(self, idx: np.ndarray) -> list[object]:
        lv = self.strata_levels.iloc[idx]
        if lv.shape[1] == 1:
            return lv.iloc[:, 0].tolist()
        return [tuple(r) for r in lv.itertuples(index=False)]

    def _read_fpc(self, fpc: str | Mapping[object, float] | pd.Series | None) -> np.ndarray:
        H = self.n_strata
        if fpc is None:
            return np.full(H, np.inf)
        if isinstance(fpc, str):
            vals = pd.to_numeric(self.data[fpc], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(vals) | (vals <= 0)
            if bad.any():
                raise InputError(
                    self.source,
                    "fpc (population count N_h) must be a positive number",
                    column=fpc,
                    rows=_rows(bad),
                    values=self.data[fpc].to_numpy()[bad].tolist(),
                )
            lo = np.full(H, np.inf)
            hi = np.full(H, -np.inf)
            np.minimum.at(lo, self._h, vals)
            np.maximum.at(hi, self._h, vals)
            varying = np.flatnonzero(lo != hi)
            if varying.size:
                s = varying[0]
                raise InputError(
                    self.source,
                    f"fpc must be constant within a stratum; stratum {self._stratum_names(varying)} varies",
                    column=fpc,
                    rows=_rows(self._h == s)[:10],
                )
            N = lo
            col = fpc
        else:
            if len(self.strata) != 1:
                raise ValueError(
                    "an fpc mapping needs exactly one strata column; use a column instead"
                )
            mapping = pd.Series(fpc, dtype=float)
            levels = self.strata_levels.iloc[:, 0]
            extra = sorted(set(mapping.index) - set(levels), key=str)
            if extra:
                raise InputError(
                    self.source,
                    f"empty stratum: fpc lists stratum/strata {extra} with no rows in the data",
                    column=self.strata[0],
                )
            absent = [lv for lv in levels if lv not in mapping.index]
            if absent:
                raise InputError(
                    self.source,
                    f"fpc gives no population count for stratum/strata {absent}",
                    column=self.strata[0],
                )
            N = mapping.reindex(levels).to_numpy(dtype=float)
            col = self.strata[0]
        too_small = np.flatnonzero(N < self._n_h)
        if too_small.size:
            raise InputError(
                self.source,
                f"fpc N_h is smaller than the number of sampled PSUs in stratum "
                f"{self._stratum_names(too_small)} (N_h={N[too_small].tolist()}, "
                f"n_h={self._n_h[too_small].tolist()})",
                column=col,
            )
        return N

    def _with_weights(self, w: np.ndarray, calibration: _Calibration) -> SurveyDesign:
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._w = w
        new._calibration = (*self._calibration, calibration)
        return new

    # -- public properties ----------------------------------------------------------------------

    @property
    def weights(self) -> np.ndarray:
        """The current weights (after any calibration), one per row."""
        return self._w.copy()

    @property
    def n(self) -> int:
        """Number of rows (respondents)."""
        return len(self.data)

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs with non-zero weight minus their strata (R ``degf``)."""
        keep = self._w != 0
        return int(np.unique(self._p[keep]).size - np.unique(self._h[keep]).size)

    def __repr__(self) -> str:
        cal = "+".join(c.kind for c in self._calibration) or "none"
        fpc = "yes" if np.isfinite(self._N_h).all() else "no"
        return (
            f"SurveyDesign(n={self.n}, strata={self.n_strata}, psus={self.n_psu}, fpc={fpc}, "
            f"calibration={cal})"
        )

    # -- argument parsing ----------------------------------------------------------------------

    def _domain(
        self, by: str | Sequence[str] | None, where: object
    ) -> tuple[np.ndarray, pd.DataFrame]:
        by = _as_list(by)
        self._check_columns(by)
        n = self.n
        if by:
            dom, levels = _group_codes(self.data[by])
        else:
            dom, levels = np.zeros(n, dtype=np.int64), pd.DataFrame(index=[0])
        if where is not None:
            mask = self._where(where)
            dom = np.where(mask, dom, -1)
            present = np.bincount(dom[dom >= 0], minlength=len(levels)) > 0
            if not present.all():  # levels with no member in the subpopulation are dropped
                remap = np.cumsum(present) - 1
                dom = np.where(dom >= 0, remap[np.maximum(dom, 0)], -1)
                levels = levels.loc[present].reset_index(drop=True)
        return dom, levels

    def _where(self, where: object) -> np.ndarray:
        if isinstance(where, str):
            self._check_columns([where])
            s = self.data[where]
        else:
            s = pd.Series(np.asarray(where))
            if len(s) != self.n:
                raise ValueError(f"where has length {len(s)}, the design has {self.n} rows")
        if s.isna().any():
            raise InputError(
                self.source, "where (domain indicator) is missing", rows=_rows(s.isna().to_numpy())
            )
        if s.dtype != bool:
            vals = set(pd.unique(s))
            if not vals <= {0, 1}:
                raise ValueError("where must be boolean (True = in the subpopulation)")
        return s.to_numpy().astype(bool)

    # -- the variance engine -------------------------------------------------------------------

    def _calibration_matrices(self) -> tuple[list[tuple[np.ndarray, int]], int] | None:
        if not self._calibration:
            return None
        margins: list[tuple[np.ndarray, int]] = []
        offset = 0
        for cal in self._calibration:
            for codes, size in zip(cal.codes, cal.sizes, strict=True):
                margins.append((codes + offset, offset))
                offset += size
        return margins, offset

    def _calibration_fit(
        self, margins: list[tuple[np.ndarray, int]], G: int
    ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """Dummy matrix X (n × G), (X'DX)⁺ with D the pre-calibration weights, and d/w."""
        n = self.n
        X = sparse.csr_matrix(
            (
                np.ones(n * len(margins)),
                (np.tile(np.arange(n), len(margins)), np.concatenate([c for c, _ in margins])),
            ),
            shape=(n, G),
        )
        d = self._base_w
        XtDX = (X.T @ X.multiply(d[:, None])).toarray()
        # The margins are collinear (each spans the intercept): fit on a full-rank subset of
        # the columns. The fitted values, all that is used, are the same for any such subset.
        # Rows with the same categories in every margin are the same row of X, so the columns
        # are chosen on one row per such cell, scaled by the root of its summed weight: a
        # matrix with the Gram matrix X'DX and at most one row per cell.
        cell, cells = _cells([c for c, _ in margins], G)
        Xc = sparse.csr_matrix(
            (
                np.ones(cells.shape[0] * len(margins)),
                (np.tile(np.arange(cells.shape[0]), len(margins)), cells.T.ravel()),
            ),
            shape=(cells.shape[0], G),
        ).toarray()
        root = np.sqrt(np.bincount(cell, weights=d, minlength=cells.shape[0]))
        P = _full_rank_inverse(XtDX, _independent_columns(Xc * root[:, None]))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(self._w > 0, d / self._w, 0.0)
        return X, P, ratio

    def _plan(self, dom: np.ndarray, D: int) -> _DomainPlan:
        """What every variable's domain estimate shares, computed once per call (linear in n)."""
        H = self.n_strata
        inside = dom >= 0
        rows = None if inside.all() else np.flatnonzero(inside)
        dk = dom if rows is None else dom[rows]
        w = self._w if rows is None else self._w[rows]
        h = self._h if rows is None else self._h[rows]
        if self._element_psu:
            pair_of_row = None
            n_pairs = dk.size
            pair_psu = np.arange(self.n) if rows is None else rows
            pair_dom = dk
            pair_hd = h * D + dk
        else:
            p = self._p if rows is None else self._p[rows]
            uniq, inv = np.unique(p * D + dk, return_inverse=True)
            pair_of_row = inv.ravel()
            n_pairs = uniq.size
            pair_psu = uniq // D
            pair_dom = uniq % D
            pair_hd = self._psu_stratum[pair_psu] * D + pair_dom
        plan = _DomainPlan(D=D, rows=rows, dom=dk, w=w, pair_of_row=pair_of_row,
                           n_pairs=n_pairs, pair_dom=pair_dom, pair_hd=pair_hd)
        plan.W = np.bincount(dk, weights=w, minlength=D)
        cal = self._calibration_matrices()
        if cal is not None:
            plan.cal = self._calibration_plan(cal, plan, pair_psu, H)
        return plan

    def _calibration_plan(self, cal: tuple[list[tuple[np.ndarray, int]], int],
                          plan: _DomainPlan, pair_psu: np.ndarray, H: int) -> _CalibrationPlan:
        """The calibration terms of the domain variance that do not depend on the variable."""
        margins, G = cal
        D, n = plan.D, self.n
        X, P, ratio = self._calibration_fit(margins, G)
        keep = slice(None) if plan.rows is None else plan.rows
        codes = [c[keep] * D + plan.dom for c, _ in margins]
        # C_pg = Σ_{i∈p} w_i X_ig (PSU × G)
        psu_ind = sparse.csr_matrix((np.ones(n), (self._p, np.arange(n))), shape=(self.n_psu, n))
        C = (psu_ind @ X.multiply(self._w[:, None])).tocsr()
        # R: (h, g, d) × pair, so that Q[h,g,d] = Σ_{pairs in h} C_{p,g} A_pair is R @ A
        Cp = C[pair_psu].tocoo()
        r = Cp.row
        qrow = (self._psu_stratum[pair_psu][r] * G + Cp.col) * D + plan.pair_dom[r]
        R = sparse.csr_matrix((Cp.data, (qrow, r)), shape=(H * G * D, plan.n_pairs))
        # S[h] = C_h' C_h and Wc[h] = Σ_{p∈h} C_p, by one product over all PSUs
        Cc = C.tocoo()
        E = sparse.csr_matrix((Cc.data, (self._psu_stratum[Cc.row] * G + Cc.col, Cc.row)),
                              shape=(H * G, self.n_psu))
        S = np.asarray((E @ C).todense()).reshape(H, G, G)
        Wc = np.asarray(E.sum(axis=1)).reshape(H, G)
        return _CalibrationPlan(G=G, P=P, ratio=ratio[keep], codes=codes, R=R, S=S, Wc=Wc)

    def _estimate_one(self, y: np.ndarray, valid: np.ndarray | None, statistic: str,
                      plan: _DomainPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Estimates (D) of one variable and the sums ``SS``, ``T`` (H × D) of its variance.

        ``y`` holds the values in the plan's rows (0 where missing), ``valid`` the non-missing
        rows (None: all). The estimating function of a mean is ``w (y − ŷ_d) / Σ_d w`` in its
        domain (Woodruff 1971), of a total ``w y``; it is built in two scratch arrays of the
        plan, so that no temporary of the size of the data is allocated per variable.
        """
        D = plan.D
        a, b = plan.scratch()
        if valid is None:
            wv, Wd = plan.w, plan.W
        else:
            wv = np.multiply(plan.w, valid, out=b)
            Wd = np.bincount(plan.dom, weights=wv, minlength=D)
        np.multiply(wv, y, out=a)
        Sd = np.bincount(plan.dom, weights=a, minlength=D)
        if statistic == "total":
            return Sd, *self._pair_sums(a, plan)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = Sd / Wd
        np.take(np.nan_to_num(est), plan.dom, out=a)
        np.subtract(y, a, out=a)
        np.multiply(wv, a, out=a)
        if valid is None:
            np.divide(a, plan.W_row(), out=a)
        else:
            np.divide(a, np.where(Wd > 0, Wd, 1.0)[plan.dom], out=a)
        return est, *self._pair_sums(a, plan)

    def _pair_sums(self, a: np.ndarray, plan: _DomainPlan) -> tuple[np.ndarray, np.ndarray]:
        """Σ z² and Σ z (each H × D) of the PSU × domain totals z of one estimating function
        ``a`` (one value per row of the plan), after removing the calibration fit.

        For domain *d* the estimating function is ``a·[dom == d]``; its PSU totals ``z_pd``
        give ``V_d = Σ_h c_h [Σ_{p∈h} z_pd² − (Σ_{p∈h} z_pd)² / n_h]`` (see
        :meth:`_domain_variance`). All domains come from grouped sums (``np.bincount``), one
        linear pass each; no loop runs over domains.
        """
        H, D = self.n_strata, plan.D
        if plan.pair_of_row is None:
            A = a
        else:
            A = np.bincount(plan.pair_of_row, weights=a, minlength=plan.n_pairs)
        sq = plan.scratch()[1][: A.size]
        SS = np.bincount(plan.pair_hd, weights=np.multiply(A, A, out=sq),
                         minlength=H * D).reshape(H, D)
        T = np.bincount(plan.pair_hd, weights=A, minlength=H * D).reshape(H, D)
        cal = plan.cal
        if cal is not None:
            G = cal.G
            # X'D u per (margin category, domain) = Σ X_ig a_i d_i/w_i: G × D
            ak = a * cal.ratio
            XA = np.zeros(G * D)
            for codes in cal.codes:
                XA += np.bincount(codes, weights=ak, minlength=G * D)
            B = cal.P @ XA.reshape(G, D)
            Q = np.asarray(cal.R @ A).reshape(H, G, D)
            SB = np.einsum("hgf,fd->hgd", cal.S, B)
            SS = SS - 2.0 * np.einsum("gd,hgd->hd", B, Q) + np.einsum("gd,hgd->hd", B, SB)
            T = T - cal.Wc @ B
        return SS, T

    def _domain_variance(self, SS: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Taylor variance (D × K) from the per stratum × domain sums ``SS``, ``T`` (H × D × K)
        of the squared and plain PSU totals: ``V = Σ_h c_h [SS − T²/n_h]`` with
        ``c_h = (1 − f_h) n_h/(n_h − 1)`` (Cochran 1977, eq. 5A.42; R ``svyrecvar``)."""
        n_h = self._n_h[:, None, None]
        f_h = self._f_h[:, None, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            centred = SS - T * T / n_h
            regular = (1.0 - f_h) * n_h / (n_h - 1.0) * centred
        single = (self._n_h == 1)[:, None, None]
        if self.lonely_psu == "adjust":
            lonely = (1.0 - f_h) * SS
        else:
            lonely = np.zeros_like(SS)
        V = np.where(single, lonely, regular).sum(axis=0)
        return np.maximum(V, 0.0)

    def _domain_counts(self, valid: np.ndarray | None, plan: _DomainPlan
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Respondents and degrees of freedom (PSUs − strata holding them) per domain (each D)
        of one variable; ``valid`` marks its non-missing rows of the plan (None: all)."""
        H, D = self.n_strata, plan.D
        v = None if valid is None else valid.astype(float)
        n_d = np.bincount(plan.dom, weights=v, minlength=D).astype(float)
        if plan.pair_of_row is None:
            psus = n_d
            per_pair = v
        else:
            cnt = np.bincount(plan.pair_of_row, weights=v, minlength=plan.n_pairs)
            per_pair = (cnt > 0).astype(float)
            psus = np.bincount(plan.pair_dom, weights=per_pair, minlength=D)
        strata = (np.bincount(plan.pair_hd, weights=per_pair, minlength=H * D).reshape(H, D)
                  > 0).sum(0)
        return n_d, psus - strata

    def _column(self, variable: str, binary: bool, plan: _DomainPlan) -> tuple[np.ndarray, np.ndarray]:
        """One variable's values in the plan's rows (NaN → 0) and its non-missing mask (None
        when nothing is missing), checked (numeric; 0/1 for a proportion)."""
        s = self.data[variable]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            y = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            y = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            nonnum = np.isnan(y) & s.notna().to_numpy()
            if nonnum.any():
                raise InputError(self.source, "values must be numeric", column=variable,
                                 rows=_rows(nonnum), values=s.to_numpy()[nonnum].tolist())
        missing = np.isnan(y)
        if binary:
            bad = (y != 0.0) & (y != 1.0) & ~missing
            if bad.any():
                raise InputError(self.source, "a proportion needs a 0/1 (or boolean) indicator",
                                 column=variable, rows=_rows(bad), values=y[bad].tolist())
        if plan.rows is not None:
            y, missing = y[plan.rows], missing[plan.rows]
        if missing.any():
            return np.where(missing, 0.0, y), ~missing
        return y, None

    def _covariance(self, x: np.ndarray) -> np.ndarray:
        """Taylor covariance matrix (K × K) of the totals of estimating functions ``x`` (n × K)."""
        x = np.asarray(x, dtype=float)
        cal = self._calibration_matrices()
        if cal is not None:
            margins, G = cal
            X, P, ratio = self._calibration_fit(margins, G)
            B = P @ np.asarray(X.T @ (x * ratio[:, None]))
            x = x - self._w[:, None] * np.asarray(X @ B)
        z = _agg(self._p, x, self.n_psu)
        zbar = _agg(self._psu_stratum, z, self.n_strata) / self._n_h[:, None]
        h = self._psu_stratum
        single = self._n_h[h] == 1
        n_h = self._n_h[h]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(single, 1.0 - self._f_h[h], (1.0 - self._f_h[h]) * n_h / (n_h - 1.0))
        if self.lonely_psu != "adjust":
            scale = np.where(single, 0.0, scale)
        zc = np.where(single[:, None] & (self.lonely_psu == "adjust"), z, z - zbar[h])
        return (zc * scale[:, None]).T @ zc

    # -- estimation ----------------------------------------------------------------------------

    def estimate(
        self,
        variables: str | Sequence[str],
        statistic: str = "proportion",
        *,
        by: str | Sequence[str] | None = None,
        where: str | Sequence[bool] | np.ndarray | pd.Series | None = None,
        method: str | None = None,
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """Weighted proportion, mean or total of each variable in each domain, with Taylor SEs.

        Parameters
        ----------
        variables
            Column(s) to estimate. For ``statistic="proportion"`` they must be 0/1 or boolean.
            Missing values are dropped per variable (R ``na.rm=TRUE``): those rows leave the
            estimate of that variable but stay in the design.
        statistic
            ``"proportion"``, ``"mean"`` or ``"total"``.
        by
            Domain column(s); one row per observed combination. Rows with a missing ``by`` value
            belong to no domain (they stay in the design).
        where
            Boolean column name or array restricting to a subpopulation (R ``subset``).
        method
            Interval method. Proportions: ``"logit"`` (default; R ``svyciprop(method="logit")``),
            ``"korn-graubard"`` (R ``method="beta"``), ``"wilson"`` (Wilson score interval on the
            effective sample size), ``"taylor"`` (Wald, t with design df) or ``"taylor-normal"``.
            Means and totals: ``"taylor"`` (default; Wald with t on the design df) or
            ``"taylor-normal"`` (Wald with the normal quantile, R ``confint`` default).
        confidence
            Confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            ``indicator_id`` (the variable name), the ``by`` columns, then
            ``value, lower, upper, se, n, confidence, statistic, method``; ``n`` is the number of
            respondents in the domain with a non-missing value.

        Notes
        -----
        A mean is the ratio ``Σ w y / Σ w`` over the domain; its estimating function is
        ``w (y − ŷ) / Σ w`` inside the domain and 0 outside (Woodruff 1971). Proportions are means
        of 0/1 indicators. Degrees of freedom per domain are the PSUs minus the strata that hold
        domain respondents, as R ``degf(subset(design, ...))`` (Korn & Graubard 1999, §5.2).
        """
        if statistic not in ("proportion", "mean", "total"):
            raise ValueError(
                f"statistic must be 'proportion', 'mean' or 'total', got {statistic!r}"
            )
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
        if method is None:
            method = "logit" if statistic == "proportion" else "taylor"
        allowed = PROPORTION_METHODS if statistic == "proportion" else MEAN_METHODS
        if method not in allowed:
            raise ValueError(f"method for a {statistic} must be one of {allowed}, got {method!r}")
        variables = _as_list(variables)
        if not variables:
            raise ValueError("give at least one variable")
        self._check_columns(variables)
        dom, levels = self._domain(by, where)
        D, K, H = len(levels), len(variables), self.n_strata
        # One pass per variable over the rows of the domains: grouped sums (np.bincount) of
        # the weighted values and of the estimating function per stratum × domain (× PSU when
        # clustered); nothing is n × K, and no mask over all rows is built per domain.
        plan = self._plan(dom, D)
        est, n_dk, df = np.empty((D, K)), np.empty((D, K)), np.empty((D, K))
        SS, T = np.empty((H, D, K)), np.empty((H, D, K))
        complete = None
        for k, variable in enumerate(variables):
            y, valid = self._column(variable, statistic == "proportion", plan)
            if valid is None:
                if complete is None:
                    complete = self._domain_counts(None, plan)
                n_dk[:, k], df[:, k] = complete
            else:
                n_dk[:, k], df[:, k] = self._domain_counts(valid, plan)
            est[:, k], SS[:, :, k], T[:, :, k] = self._estimate_one(y, valid, statistic, plan)
        se = np.sqrt(self._domain_variance(SS, T))
        lower, upper, methods = _intervals(est, se, n_dk, df, statistic, method, confidence)
        return _tidy(
            variables,
            levels,
            _as_list(by),
            est,
            lower,
            upper,
            se,
            n_dk,
            confidence,
            statistic,
            methods,
        )

    def proportion(self, variables: str | Sequence[str], **kwargs: object) -> pd.DataFrame:
        """Weighted proportions; see :meth:`estimate` (``statistic="proportion"``)."""
        return self.estimate(variables, "proportion", **kwargs)  # type: ignore[arg-type]

    def mean(self, variables: str | Sequence[str], **kwargs: object) -> pd.DataFrame:
        """Weighted means; see :meth:`estimate` (``statistic="mean"``)."""
        return self.estimate(variables, "mean", **kwargs)  # type: ignore[arg-type]

    def total(self, variables: str | Sequence[str], **kwargs: object) -> pd.DataFrame:
        """Weighted totals; see :meth:`estimate` (``statistic="total"``)."""
        return self.estimate(variables, "total", **kwargs)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# intervals and tidy output


def _intervals(
    est: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    statistic: str,
    method: str,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    alpha = 1.0 - confidence
    methods = np.full(est.shape, method, dtype=object)
    if method in ("taylor", "taylor-normal"):
        q = _t_quantile(1 - alpha / 2, df if method == "taylor" else np.inf)
        lo, hi = est - q * se, est + q * se
        return lo, hi, methods
    p = est
    if method == "logit":
        lo, hi = logit_interval(p, se, df, confidence)
        edge = (p <= 0) | (p >= 1)
        if edge.any():
            klo, khi = korn_graubard_interval(p, se, n, df, confidence)
            lo, hi = np.where(edge, klo, lo), np.where(edge, khi, hi)
            methods[edge] = "korn-graubard"
        return lo, hi, methods
    if method == "korn-graubard":
        lo, hi = korn_graubard_interval(p, se, n, df, confidence)
        return lo, hi, methods
    # design-based Wilson on the effective sample size
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1 - p) / se**2, n)
    lo, hi = _wilson(p, n_eff, confidence)
    return lo, hi, methods


def logit_interval(
    p: np.ndarray, se: np.ndarray, df: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Logit-transformed Wald interval for a survey proportion (R ``svyciprop(method="logit")``).

    Parameters
    ----------
    p, se
        Estimated proportion and its (Taylor) standard error.
    df
        Degrees of freedom for the t quantile (design df; ``inf`` for the normal).
    confidence
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits ``expit(logit p ± t·se/(p(1−p)))``. NaN where p is 0 or 1.

    Notes
    -----
    The SE of ``logit p̂`` is ``se/(p(1−p))`` by the delta method; for an intercept-only
    ``svyglm`` with a quasibinomial family this equals R's sandwich SE exactly (Lumley 2010, §2.4).
    """
    p = np.asarray(p, dtype=float)
    q = _t_quantile(1 - (1 - confidence) / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.log(p / (1 - p))
        s = np.asarray(se) / (p * (1 - p))
        lo = 1 / (1 + np.exp(-(eta - q * s)))
        hi = 1 / (1 + np.exp(-(eta + q * s)))
    edge = (p <= 0) | (p >= 1)
    return np.where(edge, np.nan, lo), np.where(edge, np.nan, hi)


def korn_graubard_interval(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray | float,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Korn–Graubard (1998) Clopper–Pearson interval on the design-effective sample size.

    Parameters
    ----------
    p, se
        Estimated proportion and its (Taylor) standard error.
    n
        Respondents behind the estimate (those with a non-missing value; R uses the rows of the
        domain, the same number when nothing is missing).
    df
        Design degrees of freedom (``n_PSU − n_strata``).
    confidence
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits.

    Notes
    -----
    As R ``svyciprop(method="beta")``: ``n* = p(1−p)/se²`` (the sample size divided by the design
    effect), multiplied by ``(t_{α/2, n−1} / t_{α/2, df})²``, then
    ``lower = Beta⁻¹(α/2; n*p, n*(1−p)+1)`` and ``upper = Beta⁻¹(1−α/2; n*p+1, n*(1−p))``.
    Where ``se = 0`` (p̂ = 0 or 1) ``n*`` is taken as ``n`` (Korn & Graubard 1998, §2), so the
    interval is ``[0, upper]`` or ``[lower, 1]``; R returns NaN there.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1 - p) / se**2, n)
        ratio = _t_quantile(alpha / 2, n - 1) / _t_quantile(alpha / 2, df)
        n_eff = n_eff * ratio**2
        a_lo, b_lo = n_eff * p, n_eff * (1 - p) + 1
        a_hi, b_hi = n_eff * p + 1, n_eff * (1 - p)
        lo = stats.beta.ppf(alpha / 2, np.where(a_lo > 0, a_lo, 1), b_lo)
        hi = stats.beta.ppf(1 - alpha / 2, a_hi, np.where(b_hi > 0, b_hi, 1))
    lo = np.where(p <= 0, 0.0, lo)
    hi = np.where(p >= 1, 1.0, hi)
    bad = ~np.isfinite(n_eff) | (n <= 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def _wilson(p: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def wilson_interval(
    successes: np.ndarray | float, n: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval for a binomial proportion from a simple random sample.

    Parameters
    ----------
    successes
        Number of events (array-like).
    n
        Number of trials (array-like, > 0).
    confidence
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits
        ``(p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` (Newcombe 1998, method 3).

    Raises
    ------
    ValueError
        If ``n <= 0`` or ``successes`` is outside ``[0, n]``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= successes <= n and n > 0")
    return _wilson(x / n, n, confidence)


def proportion_columns(frame: pd.DataFrame, confidence: float = 0.95, *,
                       interval: str | None = "wilson") -> pd.DataFrame:
    """The statistic block of a count table: a proportion and its Wilson interval.

    ``count`` and ``denominator`` become int64; ``value = count / denominator``; with
    ``interval="wilson"`` also ``lower``, ``upper`` (:func:`wilson_interval`), ``confidence`` and
    ``method`` (``"wilson"``); ``statistic`` is ``"proportion"``. The frame is changed in place
    and returned; callers choose the column order of the final table.
    """
    if interval not in (None, "wilson"):
        raise ValueError(f"interval must be None or 'wilson', got {interval!r}")
    frame["count"] = frame["count"].astype("int64")
    frame["denominator"] = frame["denominator"].astype("int64")
    frame["value"] = frame["count"] / frame["denominator"]
    if interval == "wilson":
        # Wilson score interval (Wilson 1927; Newcombe 1998, method 3), as PHE uses for proportions
        frame["lower"], frame["upper"] = wilson_interval(
            frame["count"].to_numpy(), frame["denominator"].to_numpy(), confidence
        )
        frame["confidence"] = confidence
        frame["method"] = "wilson"
    frame["statistic"] = "proportion"
    return frame


def _tidy(
    variables: list[str],
    levels: pd.DataFrame,
    by: list[str],
    est: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    confidence: float,
    statistic: str,
    methods: np.ndarray,
) -> pd.DataFrame:
    D, K = est.shape
    out = pd.DataFrame({"indicator_id": np.repeat(np.array(variables, dtype=object), D)})
    for col in by:
        out[col] = np.tile(levels[col].to_numpy(), K)
    flat = lambda m: np.asarray(m).T.reshape(-1)  # noqa: E731  (indicator-major order)
    out["value"] = flat(est)
    out["lower"] = flat(lower)
    out["upper"] = flat(upper)
    out["se"] = flat(se)
    out["n"] = flat(n).round().astype(np.int64)
    out["confidence"] = confidence
    out["statistic"] = statistic
    out["method"] = flat(methods).astype(str)
    return out


# ----------------------------------------------------------------------------------------------
# calibration


def _margin_codes(
    design: SurveyDesign,
    columns: list[str],
    population: pd.Series | Mapping[object, float],
    what: str,
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Codes of each row in the population index, and the population counts (validated)."""
    design._check_columns(columns)
    pop = (
        pd.Series(population, dtype=float)
        if not isinstance(population, pd.Series)
        else population.astype(float)
    )
    if len(columns) > 1 and not isinstance(pop.index, pd.MultiIndex):
        raise ValueError(f"{what} {columns}: the population must have a MultiIndex over {columns}")
    if pop.isna().any() or (pop < 0).any():
        raise ValueError(f"{what} {columns}: population counts must be non-negative numbers")
    frame = design.data[columns]
    miss = frame.isna().any(axis=1).to_numpy()
    if miss.any():
        raise InputError(
            design.source, f"{what}: value missing", column=", ".join(columns), rows=_rows(miss)
        )
    if len(columns) == 1:
        keys = pd.Index(frame[columns[0]])
    else:
        keys = pd.MultiIndex.from_frame(frame)
    codes = pop.index.get_indexer(keys)
    unknown = codes < 0
    if unknown.any():
        vals = sorted({k if not isinstance(k, tuple) else k for k in keys[unknown]}, key=str)
        raise InputError(
            design.source,
            f"{what} {columns}: categories {vals} occur in the data but not in the population",
            column=", ".join(columns),
            rows=_rows(unknown),
        )
    wsum = np.bincount(codes, weights=design._w, minlength=len(pop))
    empty = (wsum <= 0) & (pop.to_numpy() > 0)
    if empty.any():
        raise InputError(
            design.source,
            f"{what} {columns}: population categories {pop.index[empty].tolist()} have no "
            "respondents (or only zero weights); collapse categories before calibrating",
            column=", ".join(columns),
        )
    return codes.astype(np.int64), pop.to_numpy(), pop.index


def poststratify(
    design: SurveyDesign,
    cells: str | Sequence[str],
    population: pd.Series | Mapping[object, float],
) -> SurveyDesign:
    """Post-stratify the weights so that weighted cell totals equal the population counts.

    Parameters
    ----------
    design
        The design whose weights are adjusted.
    cells
        Column(s) defining the post-strata, e.g. ``["kommun", "arskurs", "sex"]``.
    population
        Population count per cell: a Series indexed by the cell value (a MultiIndex over
        ``cells`` for several columns).

    Returns
    -------
    SurveyDesign
        A new design with weights ``w_i N_g / Σ_{j∈g} w_j``. Its variances use residuals from
        the post-stratum means (Holt & Smith 1979; R ``postStratify``).

    Raises
    ------
    analysis.core.errors.InputError
        If a data row's cell is missing or absent from ``population``, or a population cell with
        a positive count has no respondents.
    """
    cols = _as_list(cells)
    codes, N, _ = _margin_codes(design, cols, population, "post-stratification cell")
    wsum = np.bincount(codes, weights=design._w, minlength=len(N))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(wsum > 0, N / wsum, 0.0)
    w = design._w * g[codes]
    return design._with_weights(w, _Calibration("poststratify", (codes,), (len(N),)))


def rake(
    design: SurveyDesign,
    margins: Mapping[str | tuple[str, ...], pd.Series | Mapping[object, float]],
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> SurveyDesign:
    """Rake the weights to several population margins by iterative proportional fitting.

    Parameters
    ----------
    design
        The design whose weights are calibrated.
    margins
        ``{column or tuple of columns: population counts}``, e.g.
        ``{("kommun", "sex"): pop_kommun_sex, "age_group": pop_age}``; each value is a Series
        indexed by category (MultiIndex for a tuple of columns).
    tol
        Convergence tolerance: stop when every weighted margin total is within ``tol`` (relative)
        of its population count.
    max_iter
        Maximum number of full sweeps over the margins.

    Returns
    -------
    SurveyDesign
        A new design with raked weights. Variances use residuals from the regression of the
        estimating function on all margin dummies, weighted by the weights before calibration
        (Deville & Särndal 1992, the linearisation of the raking ratio estimator); this is R
        ``calibrate(design, ~m1 + m2, population, calfun="raking")`` exactly.

    Raises
    ------
    analysis.core.errors.InputError
        A margin category with a positive population count has no respondents, a data category
        is absent from the population, or a margin value is missing.
    ValueError
        The margins disagree about the population total (relative difference > 1e-6).
    ConvergenceError
        The tolerance was not reached within ``max_iter`` sweeps.

    Notes
    -----
    Iterative proportional fitting (Deming & Stephan 1940): each sweep post-stratifies to each
    margin in turn. R ``rake()`` gives the same weights, but its variance removes *unweighted*
    margin means by ten backfitting sweeps, which can differ noticeably from the calibration
    (GREG) variance used here when weights vary much between strata (apistrat: 0.1 % for a mean,
    3.5–6 % for totals; see tests/fixtures/survey/PROVENANCE.md).
    """
    if not margins:
        raise ValueError("give at least one margin")
    parsed = []
    for key, pop in margins.items():
        cols = [key] if isinstance(key, str) else list(key)
        parsed.append(_margin_codes(design, cols, pop, "raking margin"))
    totals = np.array([N.sum() for _, N, _ in parsed])
    if np.any(np.abs(totals - totals[0]) > 1e-6 * totals[0]):
        names = [str(k) for k in margins]
        raise ValueError(
            f"the raking margins disagree about the population total: "
            f"{dict(zip(names, totals.tolist(), strict=True))}"
        )
    w = design._w.copy()
    for _ in range(max_iter):
        for codes, N, _ in parsed:
            wsum = np.bincount(codes, weights=w, minlength=len(N))
            with np.errstate(divide="ignore", invalid="ignore"):
                w = w * np.where(wsum > 0, N / wsum, 0.0)[codes]
        worst = 0.0
        for codes, N, _ in parsed:
            wsum = np.bincount(codes, weights=w, minlength=len(N))
            worst = max(worst, float(np.max(np.abs(wsum - N) / np.maximum(N, 1e-300))))
        if worst < tol:
            cal = _Calibration(
                "rake", tuple(c for c, _, _ in parsed), tuple(len(N) for _, N, _ in parsed)
            )
            return design._with_weights(w, cal)
    raise ConvergenceError(
        f"raking did not converge in {max_iter} sweeps: largest relative margin error {worst:.3g} "
        f"> tol {tol:g}; check for sparse margin combinations or raise max_iter"
    )


# ----------------------------------------------------------------------------------------------
# age standardisation


_BAND = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+)|\+)\s*$")


def _parse_band(label: object) -> tuple[int, float]:
    m = _BAND.match(str(label))
    if not m:
        raise ValueError(f"age band {label!r} is not of the form 'a-b' or 'a+'")
    lo = int(m.group(1))
    hi = float(m.group(2)) + 1 if m.group(2) is not None else np.inf
    return lo, hi


def standard_weights(
    standard: pd.Series | Mapping[str, float],
    bands: Sequence[str],
    *,
    split: bool = False,
) -> pd.Series:
    """Aggregate a standard population (e.g. ESP 2013 in 5-year bands) into the survey's age bands.

    Parameters
    ----------
    standard
        Standard population counts (or per cent) indexed by band labels ``"a-b"`` / ``"a+"``.
    bands
        Target band labels, e.g. ``["18-29", "30-44", "45-64", "65-84"]``.
    split
        If a target band edge falls inside a standard band, allocate that band pro rata to the
        years covered (uniform within band). If False (default), such a band raises ValueError.

    Returns
    -------
    pandas.Series
        Standard counts per target band (not normalised), indexed by ``bands``.
    """
    std = pd.Series(standard, dtype=float)
    parsed = [(*_parse_band(b), v) for b, v in std.items()]
    out = {}
    for band in bands:
        lo, hi = _parse_band(band)
        total = 0.0
        for slo, shi, v in parsed:
            a, b = max(lo, slo), min(hi, shi)
            if b <= a:
                continue
            if (a, b) != (slo, shi):
                if not split or np.isinf(shi):
                    raise ValueError(
                        f"age band {band!r} cuts the standard band {slo}-{shi - 1:g}; pass split=True "
                        "to allocate it pro rata (not possible for an open band)"
                    )
                total += v * (b - a) / (shi - slo)
            else:
                total += v
        out[band] = total
    return pd.Series(out, name="standard")


def age_standardise(
    table: pd.DataFrame,
    standard: pd.Series | Mapping[str, float],
    *,
    age: str = "age",
    age_label: str = "åldersstandardiserad",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Direct age-standardisation of domain proportions (or means) from a tidy estimate table.

    Parameters
    ----------
    table
        Tidy estimates with an ``age`` column and ``value``, ``se`` and ``n``; every other key
        column (e.g. ``indicator_id``, ``area_code``, ``sex``) defines a group to standardise.
    standard
        Standard population per age band, indexed like ``table[age]``; normalised to weights
        ``W_j = N_j / Σ N`` over its bands (see :func:`standard_weights`).
    age
        The age-band column.
    age_label
        The value written in the ``age`` column of the result.
    confidence
        Confidence level of the normal (Wald) interval.

    Returns
    -------
    pandas.DataFrame
        One row per group: keys, ``age = age_label``, then ``value = Σ W_j p_j``,
        ``se = √(Σ W_j² se_j²)``, Wald limits clipped to [0, 1] for proportions, ``n = Σ n_j``,
        ``statistic = "age-standardised " + statistic``, ``method = "direct-normal"``. A group
        lacking a band of the standard, or with a missing band estimate, gets NaN.

    Notes
    -----
    Direct standardisation (Breslow & Day 1987, vol. II, §2.3; Eurostat 2013, *Revision of the
    European Standard Population*, §4.1). The variance sums the squared standard weights times
    the age-specific variances, i.e. it assumes that the age-specific estimates are independent.
    Age bands are domains of one survey, so their covariance is not exactly zero (it is small
    with element sampling, where each respondent sits in one band).
    """
    std = pd.Series(standard, dtype=float)
    if std.isna().any() or (std < 0).any() or std.sum() <= 0:
        raise ValueError("the standard population must be non-negative numbers with a positive sum")
    need = ["value", "se", "n", age]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}")
    unknown = sorted(set(std.index.astype(str)) - set(table[age].astype(str)))
    if unknown:
        raise ValueError(f"standard age bands {unknown} do not occur in table[{age!r}]")
    W = std / std.sum()
    keys = [c for c in table.columns if c not in STAT_COLUMNS and c != age]
    t = table.loc[table[age].astype(str).isin(W.index.astype(str))].copy()
    t["_w"] = t[age].astype(str).map(dict(zip(W.index.astype(str), W.to_numpy(), strict=True)))
    t["_wv"] = t["_w"] * t["value"]
    t["_wv2"] = t["_w"] ** 2 * t["se"] ** 2
    t["_bad"] = t["value"].isna() | t["se"].isna()
    grouped = t.groupby(keys, sort=False, dropna=False) if keys else t.groupby(lambda _: 0)
    res = grouped.agg(
        value=("_wv", "sum"),
        var=("_wv2", "sum"),
        n=("n", "sum"),
        bands=(age, "nunique"),
        bad=("_bad", "any"),
        statistic=("statistic", "first") if "statistic" in t else ("_w", "size"),
    ).reset_index()
    if not keys:
        res = res.drop(columns=res.columns[0])
    incomplete = (res["bands"] < len(W)) | res["bad"]
    value = res["value"].mask(incomplete)
    se = np.sqrt(res["var"]).mask(incomplete)
    q = stats.norm.ppf(1 - (1 - confidence) / 2)
    base = (
        res["statistic"].astype(str)
        if "statistic" in t
        else pd.Series("proportion", index=res.index)
    )
    is_prop = base == "proportion"
    lower = (value - q * se).where(~is_prop, (value - q * se).clip(0, 1))
    upper = (value + q * se).where(~is_prop, (value + q * se).clip(0, 1))
    out = res[keys].copy()
    out[age] = age_label
    out["value"] = value.to_numpy()
    out["lower"] = lower.to_numpy()
    out["upper"] = upper.to_numpy()
    out["se"] = se.to_numpy()
    out["n"] = res["n"].astype(np.int64).to_numpy()
    out["confidence"] = confidence
    out["statistic"] = ("age-standardised " + base).to_numpy()
    out["method"] = "direct-normal"
    return out


# ----------------------------------------------------------------------------------------------
# design-based logistic regression


def logistic_regression(
    design: SurveyDesign,
    formula: str,
    *,
    where: str | Sequence[bool] | np.ndarray | pd.Series | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Design-weighted logistic regression with linearisation (sandwich) standard errors.

    Parameters
    ----------
    design
        The survey design.
    formula
        A patsy/statsmodels formula with a 0/1 (or boolean) response, e.g.
        ``"smoker ~ C(sex) + C(age_group)"``. Rows with missing values in the formula's
        variables are dropped from the fit but stay in the design.
    where
        Boolean column or array: fit within a subpopulation (R ``svyglm(design=subset(...))``);
        the variance still uses the whole design.
    confidence
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id`` (the response), ``term``, then ``value`` (odds ratio; for the intercept
        the baseline odds), ``lower``, ``upper``, ``se`` (standard error of the log odds ratio,
        i.e. of the coefficient), ``n`` (respondents in the fit), ``confidence``,
        ``statistic`` (``"odds ratio"`` or ``"odds"``) and ``method`` (``"taylor"``).

    Notes
    -----
    The coefficients maximise the weighted pseudo-likelihood ``Σ w_i ℓ_i(β)`` (statsmodels GLM,
    Binomial family, ``var_weights=w``). Their variance is Binder's (1983) sandwich
    ``A⁻¹ V A⁻¹`` with ``A = X'diag(w μ(1−μ))X`` and ``V`` the design variance of the score
    totals ``Σ w_i x_i (y_i − μ_i)``: score residuals summed by PSU, centred within strata,
    scaled by ``(1 − f_h) n_h/(n_h − 1)``, and for calibrated weights first replaced by their
    calibration residuals. This is R ``svyglm(..., family=quasibinomial())`` (Lumley & Scott
    2017, *Statist. Sci.* 32, 265–278). Intervals are ``exp(β ± t·se)`` with
    ``df = design df − p + 1`` as R's ``confint.svyglm``. Frequency weights in an ordinary GLM
    would give wrong standard errors.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from patsy import PatsyError

    mask = np.ones(design.n, dtype=bool) if where is None else design._where(where)
    data = design.data.loc[mask]
    w = design._w[mask]
    data = data.assign(_svy_w=w)
    try:
        model = smf.glm(
            formula,
            data=data,
            family=sm.families.Binomial(),
            var_weights=data["_svy_w"],
            missing="drop",
        )
    except PatsyError as err:
        raise InputError(design.source, f"formula {formula!r}: {err}") from None
    y = np.asarray(model.endog, dtype=float)
    if not np.all((y == 0) | (y == 1)):
        raise InputError(design.source, f"formula {formula!r}: the response must be 0/1 or boolean")
    rows = np.asarray(model.data.row_labels, dtype=np.int64)
    wf = design._w[rows]
    fit = model.fit()
    X = np.asarray(model.exog)
    beta = np.asarray(fit.params)
    mu = 1 / (1 + np.exp(-(X @ beta)))
    A = X.T @ (X * (wf * mu * (1 - mu))[:, None])
    Ainv = np.linalg.inv(A)
    est = np.zeros((design.n, X.shape[1]))
    est[rows] = X * (wf * (y - mu))[:, None]
    V = Ainv @ design._covariance(est) @ Ainv
    se = np.sqrt(np.diag(V))
    # design df of the (sub)population: PSUs minus strata holding fitted rows
    inset = np.zeros(design.n, dtype=bool)
    inset[rows] = True
    inset &= design._w != 0
    df = np.unique(design._p[inset]).size - np.unique(design._h[inset]).size - X.shape[1] + 1
    q = _t_quantile(1 - (1 - confidence) / 2, df)
    terms = list(model.exog_names)
    response = model.endog_names
    return pd.DataFrame(
        {
            "indicator_id": response,
            "term": terms,
            "value": np.exp(beta),
            "lower": np.exp(beta - q * se),
            "upper": np.exp(beta + q * se),
            "se": se,
            "n": len(rows),
            "confidence": confidence,
            "statistic": ["odds" if t == "Intercept" else "odds ratio" for t in terms],
            "method": "taylor",
        }
    )
