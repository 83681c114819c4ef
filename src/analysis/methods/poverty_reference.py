"""Published reference data of the child poverty measures: national median, norm, child population.

The measures of :mod:`analysis.methods.poverty` compare each household with quantities that are
not computed from the register but taken from published statistics (catalogued data):

* the national median economic standard per year (SCB), in current prices with the consumer price
  index (:func:`national_median`; years without a published median are assumptions, flagged);
* the norm of necessary costs per household composition for *låg inkomststandard*: the riksnorm
  för försörjningsstöd 2019 (Socialstyrelsen) plus assumed housing and other costs
  (:func:`norm_table`, :class:`NormCosts`, :func:`child_norm_average`);
* the number of children 0–17 per kommun and year (:func:`child_population`): Kolada's exact
  0–19 counts minus an estimate of the 18–19-year-olds (the Målgrupp chapter's method,
  :func:`analysis.methods.working_age.teen_shares`); later years extrapolated (flagged).

They serve the real register extract and the synthetic one alike
(:mod:`analysis.inputs.barnfattigdom`); the generator (:mod:`analysis.synthetic.synth_register`)
takes them as its real inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.core import geo
from analysis.methods import working_age as wa
from analysis.methods.rounding import largest_remainder

__all__ = [
    "YEARS",
    "NormCosts",
    "child_norm_average",
    "child_population",
    "national_median",
    "norm_table",
]

#: Income years of the register panel. SCB's register-based household concept (bostadshushåll)
#: starts in 2011, so *varaktigt låg ekonomisk standard* (three previous years) can be computed
#: from 2014.
YEARS = tuple(range(2011, 2022))

_KOMMUNER = tuple(geo.KOMMUNER)


@dataclass(frozen=True)
class NormCosts:
    """Assumed monthly costs (2019 prices) added to the riksnorm to make the norm of necessary costs.

    SCB's baskonsumtion adds a standard housing cost, household electricity, child care, local travel,
    union and unemployment-fund fees and home insurance to the riksnorm. The amounts below are the book's
    assumptions for Örebro län, not SCB's.

    Attributes
    ----------
    housing, housing_per_child
        Housing cost of a household without children, and the addition per child 0–19.
    other_household
        Electricity, home insurance and child care per household.
    other_per_adult
        Local travel and union/unemployment-fund fees per adult.
    """

    housing: float = 5200.0
    housing_per_child: float = 1100.0
    other_household: float = 550.0
    other_per_adult: float = 450.0


def child_population(kolada_groups: pd.DataFrame, lan: pd.DataFrame,
                     years: Sequence[int] = YEARS, *, trend_years: int = 3) -> pd.DataFrame:
    """Children 0–17 per kommun and year: real counts where the data allow, extrapolated after.

    Method: Kolada gives each kommun's exact number of 0–19-year-olds (to 2019). The 18–19-year-olds are
    estimated as in the Målgrupp chapter: the län's single ages 18 and 19 (SCB to 2015, estimated after,
    :func:`analysis.methods.population.lan_series`) shared out by each kommun's estimated share
    (:func:`analysis.methods.working_age.teen_shares`, ``blend``). ``n_0_17 = n_0_19 − n_18_19``, rounded so that
    the kommuner add up to the rounded län total (largest remainder). Years after the last Kolada year
    continue each kommun's linear trend over the last ``trend_years`` years (``status`` says so).

    Parameters
    ----------
    kolada_groups
        :func:`analysis.methods.population.kolada_age_groups` output.
    lan
        :func:`analysis.methods.population.lan_series` up to the last Kolada year.
    years
        Years wanted.
    trend_years
        Years of the trend used to extrapolate.

    Returns
    -------
    pandas.DataFrame
        ``kommun, year, n_0_19, n_18_19, n_0_17, status`` (``status`` ``"Kolada"`` or ``"framskrivet"``).
    """

    years = sorted(int(y) for y in years)
    have = sorted(set(kolada_groups["ar"].astype(int)) & set(lan["ar"].astype(int)))
    obs = [y for y in years if y in have]
    if not obs:
        raise ValueError(f"no Kolada and län data for any of the years {years}")
    last = max(obs)
    need_trend = [y for y in years if y > last]
    base_years = sorted(set(obs) | ({*range(last - trend_years, last + 1)} if need_trend else set()))
    missing = [y for y in base_years if y not in have]
    if missing:
        raise ValueError(f"years {missing} are needed but not in the Kolada/län data")
    shares = wa.teen_shares(kolada_groups, base_years)
    single = wa.lan_single_ages(lan)
    teen = shares[shares["alder"].isin([18, 19])].merge(
        single[["ar", "alder", "folkmangd"]], on=["ar", "alder"], how="left", validate="many_to_one")
    teen["n"] = teen["share"] * teen["folkmangd"]
    n1819 = teen.groupby(["kommun_kod", "ar"])["n"].sum()
    g = kolada_groups.set_index(["kommun_kod", "ar"])["0-19"]
    rows = []
    for y in base_years:
        n019 = g.xs(y, level="ar").reindex(_KOMMUNER).astype(float)
        n18 = n1819.xs(y, level="ar").reindex(_KOMMUNER)
        n017 = largest_remainder((n019 - n18).to_numpy(), int(round(float((n019 - n18).sum()))))
        rows.append(pd.DataFrame({"kommun": _KOMMUNER, "year": y, "n_0_19": n019.astype(int).to_numpy(),
                                  "n_18_19": n18.to_numpy(), "n_0_17": n017, "status": "Kolada"}))
    out = pd.concat(rows, ignore_index=True)
    if need_trend:
        w = out.pivot(index="year", columns="kommun", values="n_0_17")
        w19 = out.pivot(index="year", columns="kommun", values="n_0_19")
        slope = (w.loc[last] - w.loc[last - trend_years]) / trend_years
        slope19 = (w19.loc[last] - w19.loc[last - trend_years]) / trend_years
        ext = []
        for y in need_trend:
            n017 = (w.loc[last] + slope * (y - last)).clip(lower=0).round().astype(int)
            n019 = (w19.loc[last] + slope19 * (y - last)).clip(lower=0).round().astype(int)
            ext.append(pd.DataFrame({"kommun": _KOMMUNER, "year": y,
                                     "n_0_19": n019.reindex(_KOMMUNER).to_numpy(),
                                     "n_18_19": (n019 - n017).reindex(_KOMMUNER).to_numpy(dtype=float),
                                     "n_0_17": n017.reindex(_KOMMUNER).to_numpy(),
                                     "status": "framskrivet"}))
        out = pd.concat([out, *ext], ignore_index=True)
    out = out[out["year"].isin(years)]
    return out.sort_values(["year", "kommun"], ignore_index=True)


def national_median(medians: pd.DataFrame, kpi: pd.DataFrame, years: Sequence[int] = YEARS, *,
                    price_year: int = 2019, growth_years: int = 3) -> pd.DataFrame:
    """National median economic standard per year in current prices (SEK), the threshold's base.

    SCB publishes the median for all persons in Sweden in fixed prices (here 2019 prices, catalogued
    ``ekonomisk_standard_median``); the median of year ``t`` in that year's prices is
    ``median_2019prices × KPI_t / KPI_2019`` (SCB's fixed prices are KPI annual means). For years without
    a published median the real median continues at the mean real growth of the last ``growth_years``
    published years: an **assumption**, flagged in ``status``.

    Parameters
    ----------
    medians
        ``ar, median_tkr_2019_priser`` (thousands of SEK, ``price_year`` prices).
    kpi
        ``ar, kpi_1980_100`` (annual means).
    years
        Years wanted.
    price_year
        The price year of ``medians``.
    growth_years
        Years of real growth averaged for the assumption.

    Returns
    -------
    pandas.DataFrame
        ``year, median, median_fixed_prices, status`` (``median`` in SEK, current prices;
        ``status`` ``"publicerad"`` or ``"antagande"``).

    Raises
    ------
    ValueError
        If KPI is missing for a year or the price year.
    """
    real = medians.set_index(medians["ar"].astype(int))["median_tkr_2019_priser"].astype(float) * 1000
    k = kpi.set_index(kpi["ar"].astype(int))["kpi_1980_100"].astype(float)
    years = [int(y) for y in years]
    absent = [y for y in [*years, price_year] if y not in k.index]
    if absent:
        raise ValueError(f"KPI is missing for {sorted(set(absent))}")
    last = int(real.index.max())
    growth = (real.loc[last] / real.loc[last - growth_years]) ** (1 / growth_years) - 1
    rows = []
    for y in years:
        if y in real.index:
            fixed, status = real.loc[y], "publicerad"
        else:
            fixed, status = real.loc[last] * (1 + growth) ** (y - last), "antagande"
        rows.append({"year": y, "median": fixed * k.loc[y] / k.loc[price_year],
                     "median_fixed_prices": fixed, "status": status})
    return pd.DataFrame(rows)


def _band_amounts(riksnorm: pd.DataFrame) -> dict[str, float]:
    b = riksnorm[riksnorm["post"] == "barn"]
    return dict(zip(b["grupp"].astype(str), b["kr_per_manad"].astype(float), strict=True))


def child_norm_average(riksnorm: pd.DataFrame) -> float:
    """The riksnorm's personal costs per child averaged over single ages 0–19 (kr per month).

    The norm table is keyed on the number of children, not their ages, so every child gets the mean of
    the age bands weighted by the number of single ages in each band (0; 1–2; 3; 4–6; 7–10; 11–14;
    15–18; 19–20, of which only 19 is a child 0–19).
    """
    amounts = _band_amounts(riksnorm)
    weights = {"0": 1, "1-2": 2, "3": 1, "4-6": 3, "7-10": 4, "11-14": 4, "15-18": 4, "19-20": 1}
    missing = sorted(set(weights) - set(amounts))
    if missing:
        raise ValueError(f"the riksnorm table lacks the child age bands {missing}")
    return sum(amounts[b] * w for b, w in weights.items()) / sum(weights.values())


def norm_table(riksnorm: pd.DataFrame, kpi: pd.DataFrame, years: Sequence[int] = YEARS, *,
               price_year: int = 2019, costs: NormCosts | None = None, max_children: int = 12,
               max_other_adults: int = 4) -> pd.DataFrame:
    """The norm of necessary costs per household composition and year, for *låg inkomststandard*.

    Per month, in ``price_year`` prices: the riksnorm's personal costs (a couple: *sambor*; a single first
    adult and each further adult: *ensamstående*; each child 0–19: :func:`child_norm_average`), its
    common household costs by the number of persons (1–7, plus the published amount for each further
    person), plus the assumed housing and other costs of :class:`NormCosts`. The yearly norm is
    12 × that × KPI_t / KPI_price_year: a fixed real norm, as SCB's inkomststandard keeps one norm in
    fixed prices for all years (SCB uses the 2010 norm; the 2019 norm is the one in the stored sources).

    Parameters
    ----------
    riksnorm
        ``post, grupp, kr_per_manad`` (catalogued ``riksnorm_2019``).
    kpi
        ``ar, kpi_1980_100``.
    years
        Years of the table.
    price_year
        Price year of ``riksnorm``.
    costs
        Assumed additional costs.
    max_children, max_other_adults
        Size of the grid of compositions.

    Returns
    -------
    pandas.DataFrame
        ``year, adults_in_couple, other_adults, children, norm`` (SEK per year), one row per combination
        with at least one adult, the key columns :func:`analysis.methods.poverty.household_norm` reads.
    """
    costs = costs or NormCosts()
    r = riksnorm.assign(grupp=riksnorm["grupp"].fillna("").astype(str))
    adult = dict(zip(r.loc[r["post"] == "vuxna", "grupp"], r.loc[r["post"] == "vuxna", "kr_per_manad"]
                     .astype(float), strict=True))
    common = r[r["post"] == "gemensamt"]
    common = dict(zip(common["grupp"].astype(int), common["kr_per_manad"].astype(float), strict=True))
    extra = float(r.loc[r["post"] == "gemensamt_per_person_over_7", "kr_per_manad"].iloc[0])
    child = child_norm_average(riksnorm)
    k = kpi.set_index(kpi["ar"].astype(int))["kpi_1980_100"].astype(float)
    rows = []
    biggest = max(common)
    for a in (0, 2):
        for o in range(0, max_other_adults + 1):
            if a + o == 0:
                continue
            for c in range(0, max_children + 1):
                n = a + o + c
                personal = (adult["sambor"] if a == 2 else adult["ensamstående"]) \
                    + adult["ensamstående"] * (o if a == 2 else o - 1) + child * c
                shared = common[min(n, biggest)] + extra * max(0, n - biggest)
                month = (personal + shared + costs.housing + costs.housing_per_child * c
                         + costs.other_household + costs.other_per_adult * (a + o))
                rows.append((a, o, c, 12 * month))
    base = pd.DataFrame(rows, columns=["adults_in_couple", "other_adults", "children", "norm_fixed"])
    out = []
    for y in years:
        if y not in k.index:
            raise ValueError(f"KPI is missing for {y}")
        out.append(base.assign(year=int(y), norm=(base["norm_fixed"] * k.loc[y] / k.loc[price_year])
                               .round(0)))
    res = pd.concat(out, ignore_index=True)
    return res[["year", "adults_in_couple", "other_adults", "children", "norm"]]
