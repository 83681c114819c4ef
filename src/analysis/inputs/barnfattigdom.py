"""The child poverty chapter's data: the real register extract if one is in place, else synthetic.

The one switch between real and synthetic data for Barnfattigdom (chapter 03 and the kommun
profiles)::

    data = barnfattigdom.load(seed)       # ChildData: .synthetic, .source, .children, .indicators …
    table = data.protected(min_count, min_denominator)

:func:`load` uses the confidential register extract when :func:`register_extract_path` finds one
(``$ANALYSIS_REGISTER_EXTRACT`` or ``data/private/barnfattigdom/register.parquet``;
:func:`register_children`), otherwise the seeded synthetic register
(:mod:`analysis.synthetic.synth_register`; :func:`synthetic_children`). Both paths compute every
cell with the same code (:mod:`analysis.methods.poverty`,
:mod:`analysis.methods.child_poverty_tables`) and cache the result under git-ignored
``data/interim/barnfattigdom/``, keyed by the seed or the extract's md5, every input table and
the code of this module's whole import closure (:func:`analysis.core.diskcache.code_hash`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.contracts import register
from analysis.core import diskcache
from analysis.core.errors import InputError
from analysis.methods import child_poverty_tables as cpt
from analysis.methods import disclosure, population
from analysis.methods import poverty as pv
from analysis.methods import poverty_reference as ref
from analysis.sources import catalog
from analysis.synthetic import synth_register as sr

__all__ = [
    "CACHE_VERSION",
    "CALIBRATION_YEAR",
    "DATASETS",
    "DEFAULT_EXTRACT",
    "ENV_EXTRACT",
    "ENV_EXTRACT_OPTIONS",
    "MIN_YEARS",
    "YEARS",
    "ChildData",
    "extract_years",
    "read_options_from_env",
    "load",
    "register_children",
    "register_extract_path",
    "synthetic_children",
]

CACHE_VERSION = "1"
ENV_EXTRACT = "ANALYSIS_REGISTER_EXTRACT"
ENV_EXTRACT_OPTIONS = "ANALYSIS_REGISTER_OPTIONS"
DEFAULT_EXTRACT = Path("data") / "private" / "barnfattigdom" / "register.parquet"
#: Income years of the synthetic panel (the real extract's years decide its own).
YEARS = ref.YEARS
#: The year of the published figures the synthetic register is calibrated to.
CALIBRATION_YEAR = sr.CALIBRATION_YEAR
#: Catalogued datasets the data are built from (the notebooks declare them): the register path
#: needs the first five, the synthetic one all seven.
DATASETS = ("kolada_befolkning", "folkmangd_lan_alder_kon", "ekonomisk_standard_median",
            "kpi_arsmedel", "riksnorm_2019", "ekonomiskt_bistand_kommun_2020", "seed_figures")
#: ``source`` of the two kinds of data (also the ``data`` column of every cell).
SYNTHETIC = "syntetisk"
REGISTER = "register"
#: The module whose import closure keys the cache.
_CODE = "analysis.inputs.barnfattigdom"


@dataclass
class ChildData:
    """Children's measures and every derived input, from the synthetic or the real register.

    Attributes
    ----------
    source
        ``"syntetisk"`` or ``"register"`` (also the ``data`` column of every cell).
    children
        One row per child 0–19 and year: ``year, kommun, age, background, parents_education,
        household_type`` and the flags of :data:`analysis.methods.child_poverty_tables.INDICATORS`
        plus ``prev_years_low``, ``prev_years_observed``.
    indicators
        :func:`analysis.methods.child_poverty_tables.indicator_table` (not yet protected).
    child_counts, medians, norms, targets
        The real reference data (:mod:`analysis.methods.poverty_reference`) and the synthetic
        register's calibration targets (``targets`` is empty for real data).
    report
        Calibration report and provenance (seed, cache key; the file for real data).
    cache_dir
        The cache folder of these data.
    extract
        The register extract read (None for synthetic data).
    """

    source: str
    children: pd.DataFrame
    indicators: pd.DataFrame
    child_counts: pd.DataFrame
    medians: pd.DataFrame
    norms: pd.DataFrame
    targets: pd.DataFrame
    report: dict = field(default_factory=dict)
    cache_dir: Path | None = None
    extract: Path | None = None

    @property
    def synthetic(self) -> bool:
        """True for the synthetic register, False for the real extract."""
        return self.source == SYNTHETIC

    def protected(self, min_count: int = 5, min_denominator: int = 20) -> pd.DataFrame:
        """:func:`analysis.methods.disclosure.protect_counts` of :attr:`indicators` (threshold
        rule and secondary suppression over the whole linked set), cached next to the data for
        these thresholds."""
        if self.cache_dir is None:
            return disclosure.protect_counts(self.indicators, min_count, min_denominator)
        path = self.cache_dir / f"protected_{int(min_count)}_{int(min_denominator)}.parquet"
        if path.exists():
            return pd.read_parquet(path)
        out = disclosure.protect_counts(self.indicators, min_count, min_denominator)
        diskcache.write_parquet_atomic(out, path)
        return out

    @property
    def first_year(self) -> int:
        return int(self.children["year"].min())

    @property
    def first_evaluable_year(self) -> int:
        """The first year with three previous years (varaktigt låg ekonomisk standard)."""
        return self.first_year + 3


# --------------------------------------------------------------------------- caching
_TABLES = ("children", "indicators", "child_counts", "medians", "norms", "targets")


def _write(data: ChildData, folder: Path) -> dict:
    for name in _TABLES:
        getattr(data, name).to_parquet(folder / f"{name}.parquet", index=False)
    return {"source": data.source, "report": data.report}


def _read(folder: Path, meta: dict) -> ChildData:
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in _TABLES}
    return ChildData(meta["source"], report=meta["report"], **frames)


def _cached(key: str, code: str, build, cache_root: Path | None) -> ChildData:
    """Read ``ChildData`` from the cache folder ``key``, or build and store it atomically
    (:func:`analysis.core.diskcache.cached`)."""
    root = cache_root or diskcache.default_root("barnfattigdom")
    data = diskcache.cached(root, key, code, build, _write, _read)
    data.cache_dir = root / key
    return data


def _inputs(kolada: pd.DataFrame, lan_pop: pd.DataFrame, medians_raw: pd.DataFrame,
            kpi: pd.DataFrame, riksnorm: pd.DataFrame, years: Sequence[int]):

    groups = population.kolada_age_groups(kolada)
    last = int(groups["ar"].max())
    lan = population.lan_series(lan_pop, kolada, last)
    counts = ref.child_population(groups, lan, years)
    medians = ref.national_median(medians_raw, kpi, years)
    norms = ref.norm_table(riksnorm, kpi, years)
    return groups, counts, medians, norms


# --------------------------------------------------------------------------- the two paths
def synthetic_children(seed: int, kolada: pd.DataFrame, lan_pop: pd.DataFrame,
                       medians_raw: pd.DataFrame, kpi: pd.DataFrame, riksnorm: pd.DataFrame,
                       bistand: pd.DataFrame, seed_figures: pd.DataFrame, *,
                       years: Sequence[int] = YEARS, cache_root: Path | None = None) -> ChildData:
    """The synthetic register's children, measures and cells (cached under ``data/interim/``).

    Load inputs: the catalogued tables (Kolada population, the län's single ages, SCB medians and
    KPI, the riksnorm, Socialstyrelsen's ekonomiskt bistånd per kommun, the published figures).
    Process: real child counts, medians and norms (:mod:`analysis.methods.poverty_reference`),
    kommun targets and :func:`analysis.synthetic.synth_register.generate`,
    :func:`analysis.methods.poverty.poverty_measures`,
    :func:`analysis.methods.child_poverty_tables.children_table` and
    :func:`~analysis.methods.child_poverty_tables.indicator_table`. Save outputs: a cache folder
    keyed by a hash of the seed, every input table and the code, written atomically under a lock
    (notebooks run in parallel). A cold run takes about 15 seconds, a cached one under one second.

    Returns
    -------
    ChildData
    """
    # load inputs (hash them for the cache key)
    frames = [kolada, lan_pop, medians_raw, kpi, riksnorm, bistand, seed_figures]
    code = diskcache.code_hash(_CODE)
    key = diskcache.key({
        "v": [CACHE_VERSION, sr.GENERATOR_VERSION], "seed": int(seed), "years": list(years),
        "inputs": [diskcache.frame_hash(f) for f in frames], "code": code,
    })

    def build() -> ChildData:
        # process
        groups, counts, medians, norms = _inputs(kolada, lan_pop, medians_raw, kpi, riksnorm, years)
        pub = cpt.published_figures(seed_figures)
        n = counts[counts["year"] == sr.CALIBRATION_YEAR].set_index("kommun")["n_0_17"]
        targets = sr.kommun_targets(n, cpt.kommun_proxy(bistand), lan_share=pub["share"]["value"],
                                    share_min=pub["kommun_min"]["value"],
                                    share_max=pub["kommun_max"]["value"])
        res = sr.generate(seed, counts, medians, norms, targets, years=years)
        measures = pv.poverty_measures(res.panel, medians.set_index("year")["median"], norms)
        kids = cpt.children_table(measures)
        first = int(min(years)) + 3
        report = dict(res.report, gamma=float(targets.attrs["gamma"]), cache_key=key,
                      alpha={k: float(v) for k, v in res.alpha.items()},
                      history=measures.attrs)
        cells = cpt.indicator_table(kids, first).assign(data=SYNTHETIC)
        return ChildData(SYNTHETIC, kids, cells, counts, medians, norms,
                         targets.reset_index(drop=True), report)

    return _cached(key, code, build, cache_root)


def register_extract_path(root: Path | None = None) -> Path | None:
    """The real register extract, if one is in place: ``$ANALYSIS_REGISTER_EXTRACT`` or
    ``data/private/barnfattigdom/register.parquet``; ``None`` when there is none."""

    env = os.environ.get(ENV_EXTRACT)
    if env:
        p = Path(env)
        if not p.exists():
            raise FileNotFoundError(f"{ENV_EXTRACT} points to {p}, which does not exist")
        return p
    p = (root or catalog.project_root()) / DEFAULT_EXTRACT
    return p if p.exists() else None


#: Years an extract must hold, one after another: persistent low economic standard looks at
#: the three years before a year (:data:`analysis.methods.child_poverty_tables.NEEDS_HISTORY`).
MIN_YEARS = 4


#: The options :func:`analysis.contracts.register.read_register` takes.
READ_OPTIONS = ("columns", "file_format", "sep", "decimal", "encoding", "catalog_file")


def read_options_from_env() -> dict:
    """``$ANALYSIS_REGISTER_OPTIONS`` as read options (a JSON object), checked.

    Raises
    ------
    InputError
        If it is not a JSON object or names an option :data:`READ_OPTIONS` does not hold.
    """
    text = os.environ.get(ENV_EXTRACT_OPTIONS) or "{}"
    try:
        opts = json.loads(text)
    except ValueError as exc:
        raise InputError(ENV_EXTRACT_OPTIONS, f"not valid JSON ({exc}): {text[:80]!r}") from None
    if not isinstance(opts, dict):
        raise InputError(ENV_EXTRACT_OPTIONS, f"must be a JSON object like "
                         f'{{"sep": ";", "decimal": ","}}, not {text[:80]!r}')
    unknown = sorted(set(opts) - set(READ_OPTIONS))
    if unknown:
        raise InputError(ENV_EXTRACT_OPTIONS, f"unknown option(s) {', '.join(unknown)}; the "
                         f"options are {', '.join(READ_OPTIONS)}")
    return opts


def extract_years(panel: pd.DataFrame, path: str | Path) -> list[int]:
    """The income years of a register extract, checked: at least :data:`MIN_YEARS` years, none
    missing between the first and the last.

    Raises
    ------
    InputError
        Naming the file, the years it holds and what is missing.
    """
    years = sorted(int(y) for y in panel["year"].unique())
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        raise InputError(str(path), f"the extract lacks the years {', '.join(map(str, gaps))} "
                         f"between {years[0]} and {years[-1]}; every year is needed",
                         column="year")
    if len(years) < MIN_YEARS:
        raise InputError(str(path), f"the extract holds {len(years)} year(s) "
                         f"({', '.join(map(str, years))}); the chapter needs at least "
                         f"{MIN_YEARS} consecutive years (persistent low economic standard "
                         "looks three years back)", column="year")
    return years


def register_children(path: str | Path, kolada: pd.DataFrame, lan_pop: pd.DataFrame,
                      medians_raw: pd.DataFrame, kpi: pd.DataFrame, riksnorm: pd.DataFrame, *,
                      read_options: Mapping | None = None, cache_root: Path | None = None
                      ) -> ChildData:
    """The same as :func:`synthetic_children` for a real register extract (the input contract).

    ``read_options`` go to :func:`analysis.contracts.register.read_register` (e.g. ``columns``, ``sep``,
    ``decimal``, ``encoding``); by default they are read as JSON from ``$ANALYSIS_REGISTER_OPTIONS``.
    The extract's years decide the panel years. The cache (git-ignored ``data/interim/``) is keyed by
    the file's md5.
    """

    path = Path(path)
    if read_options is None:
        read_options = read_options_from_env()
    code = diskcache.code_hash(_CODE)
    key = diskcache.key({
        "v": CACHE_VERSION, "file": catalog.md5(path), "options": read_options,
        "inputs": [diskcache.frame_hash(f) for f in (kolada, lan_pop, medians_raw, kpi, riksnorm)],
        "code": code})

    def build() -> ChildData:
        panel = register.read_register(path, **read_options)
        years = extract_years(panel, path)
        groups, counts, medians, norms = _inputs(kolada, lan_pop, medians_raw, kpi, riksnorm, years)
        measures = pv.poverty_measures(panel, medians.set_index("year")["median"], norms)
        kids = cpt.children_table(measures)
        report = {"cache_key": key, "file": str(path), "history": measures.attrs,
                  "rows": int(len(panel))}
        cells = cpt.indicator_table(kids, min(years) + 3).assign(data=REGISTER)
        return ChildData(REGISTER, kids, cells, counts, medians, norms,
                         pd.DataFrame(columns=["kommun", "target_count"]), report)

    data = _cached("reg-" + key, code, build, cache_root)
    data.extract = path
    return data


def load(seed: int, *, root: Path | None = None, cache_root: Path | None = None) -> ChildData:
    """The chapter's data: the real register extract when one is in place, else synthetic.

    Load inputs: :func:`register_extract_path` decides; the catalogued :data:`DATASETS` (only the
    five the register path needs when there is an extract). Process: :func:`register_children`
    (read options from ``$ANALYSIS_REGISTER_OPTIONS``) or :func:`synthetic_children` on ``seed``.

    Returns
    -------
    ChildData
        ``.synthetic`` says which; ``.extract`` is the file read (None for synthetic data).
    """
    extract = register_extract_path(root)
    names = DATASETS if extract is None else DATASETS[:5]
    frames = [catalog.load(name, root=root) for name in names]
    if extract is None:
        return synthetic_children(seed, *frames, cache_root=cache_root)
    return register_children(extract, *frames, cache_root=cache_root)
