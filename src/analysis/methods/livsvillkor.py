"""Livsvillkor per kommun: real published indicators, intervals, verdicts against a benchmark, trends.

The indicators come from official statistics for the 12 kommuner, the län and riket (SCB,
Arbetsförmedlingen, Socialstyrelsen, as tabulated by Regionfakta; :data:`INDICATORS` names each
one's definition, polarity and producer). :func:`indicator_table` turns the long source table into
one tidy row per indicator, area and period; :func:`for_edition` picks the year nearest the
edition (labelled when it is not the edition's year); :func:`overview` compares each kommun with
riket the way PHE Fingertips does.

Methods
-------
- Proportions of register counts: Wilson score interval (Wilson 1927; Newcombe 1998), as
  Fingertips uses for proportions.
- Rates from counts (per 1 000 inhabitants): Byar's approximation of the exact Poisson interval
  (Breslow & Day 1987, vol. II, p. 69), as Fingertips uses for counts and rates.
- Verdict: the kommun's 95 % (and 99,8 %) interval is compared with the benchmark value, which is
  treated as exact (Fingertips' "compared with England" rule). Better/worse follow the
  indicator's polarity; an indicator without a polarity is "higher"/"lower". Indicators without an
  interval (means, ratios, net migration) are shown but not tested.
- Trend: the selected period against the previous one; for proportions a two-sided z-test of two
  independent proportions at 95 %, otherwise a change of more than 2 % of the value.
- Similar kommuner: Euclidean distance on standardised log population, share 0–15 and share 65+.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core import geo

RIKET = "00"
Z95 = float(stats.norm.ppf(0.975))
Z998 = float(stats.norm.ppf(0.999))

#: Polarity codes: higher is better, lower is better, or no judgement.
POLARITIES = ("hog", "lag", "neutral")


@dataclass(frozen=True)
class Indicator:
    """One indicator: how it is shown, what it means, who produces it."""

    id: str
    label: str
    definition: str
    polarity: str  # hog | lag | neutral
    unit: str  # andel (0–1) | per1000 | tkr | kr | kvot | procent
    producer: str
    interval: str  # wilson | byar | none
    group: str  # heading in the overview


INDICATORS: dict[str, Indicator] = {i.id: i for i in (
    Indicator("andel_0_15", "Barn 0–15 år", "Andel av befolkningen som är 0–15 år, 31 december.",
              "neutral", "andel", "SCB", "wilson", "Befolkning"),
    Indicator("andel_65_plus", "65 år och äldre", "Andel av befolkningen som är 65 år eller äldre, "
              "31 december.", "neutral", "andel", "SCB", "wilson", "Befolkning"),
    Indicator("folkokning", "Befolkningsförändring", "Förändring av folkmängden under året, i "
              "procent av folkmängden året före.", "neutral", "procent", "SCB", "none",
              "Befolkning"),
    Indicator("fodelseoverskott", "Födelseöverskott (kvartal 3)", "Levande födda minus döda under "
              "juli–september, per 1 000 invånare.", "neutral", "per1000", "SCB", "none",
              "Befolkning"),
    Indicator("flyttningsnetto", "Flyttningsnetto (kvartal 3)", "Inflyttade minus utflyttade under "
              "juli–september, per 1 000 invånare.", "neutral", "per1000", "SCB", "none",
              "Befolkning"),
    Indicator("forsorjningskvot", "Försörjningskvot", "Antalet 0–19 år och 65 år och äldre per 100 "
              "personer 20–64 år.", "neutral", "kvot", "SCB", "none", "Befolkning"),
    Indicator("utrikes_fodda", "Utrikes födda", "Andel av befolkningen som är född utomlands, "
              "31 december.", "neutral", "andel", "SCB", "wilson", "Befolkning"),
    Indicator("oppet_arbetslosa", "Öppet arbetslösa 16–64 år", "Öppet arbetslösa inskrivna på "
              "Arbetsförmedlingen, andel av den registerbaserade arbetskraften 16–64 år "
              "(årsmedeltal).", "lag", "andel", "Arbetsförmedlingen", "wilson", "Arbete och studier"),
    Indicator("arbetslosa_program", "Arbetslösa och i program 16–64 år", "Öppet arbetslösa och "
              "sökande i program med aktivitetsstöd, andel av den registerbaserade arbetskraften "
              "16–64 år (årsmedeltal).", "lag", "andel", "Arbetsförmedlingen", "wilson",
              "Arbete och studier"),
    Indicator("i_program", "I arbetsmarknadsprogram 16–64 år", "Sökande i program med "
              "aktivitetsstöd, andel av den registerbaserade arbetskraften 16–64 år "
              "(årsmedeltal).", "neutral", "andel", "Arbetsförmedlingen", "wilson",
              "Arbete och studier"),
    Indicator("arbetslosa_kvinnor", "Öppet arbetslösa kvinnor 16–65 år", "Öppet arbetslösa "
              "kvinnor, andel av den registerbaserade arbetskraften 16–65 år (årsmedeltal; "
              "16–65 år från 2023).", "lag", "andel", "Arbetsförmedlingen", "wilson",
              "Arbete och studier"),
    Indicator("arbetslosa_man", "Öppet arbetslösa män 16–65 år", "Öppet arbetslösa män, andel av "
              "den registerbaserade arbetskraften 16–65 år (årsmedeltal; 16–65 år från 2023).",
              "lag", "andel", "Arbetsförmedlingen", "wilson", "Arbete och studier"),
    Indicator("forvarvsfrekvens", "Förvärvsarbetande 20–64 år", "Andel av befolkningen 20–64 år "
              "som förvärvsarbetar i november (nattbefolkning). Intervallet räknar med "
              "befolkningen 20–64 år året före som nämnare.", "hog", "andel", "SCB", "wilson",
              "Arbete och studier"),
    Indicator("studerande", "Studerande 16–64 år", "Andel av befolkningen 16–64 år som studerar "
              "på höstterminen (gymnasium, högskola, komvux och övriga studier).", "neutral",
              "andel", "SCB", "wilson", "Arbete och studier"),
    Indicator("hogskolestuderande", "Högskolestuderande 16–64 år", "Andel av befolkningen "
              "16–64 år som studerar på högskola eller universitet på höstterminen.", "neutral",
              "andel", "SCB", "wilson", "Arbete och studier"),
    Indicator("inkomst_kvinnor", "Medelinkomst kvinnor", "Sammanräknad förvärvsinkomst, medelvärde "
              "för kvinnor 16 år och äldre inklusive dem utan inkomst, tusen kronor.", "hog", "tkr",
              "SCB", "none", "Ekonomi"),
    Indicator("inkomst_man", "Medelinkomst män", "Sammanräknad förvärvsinkomst, medelvärde för män "
              "16 år och äldre inklusive dem utan inkomst, tusen kronor.", "hog", "tkr", "SCB",
              "none", "Ekonomi"),
    Indicator("bistandshushall", "Hushåll med ekonomiskt bistånd", "Biståndshushåll under året per "
              "1 000 invånare (ett hushåll som fått bistånd i flera kommuner räknas i var och en).",
              "lag", "per1000", "Socialstyrelsen", "byar", "Ekonomi"),
    Indicator("bistand_per_invanare", "Ekonomiskt bistånd per invånare", "Utbetalt ekonomiskt "
              "bistånd under året per invånare, kronor.", "lag", "kr", "Socialstyrelsen", "none",
              "Ekonomi"),
)}

TIDY_COLUMNS = ["indicator_id", "area_code", "area_type", "period", "value", "lower", "upper",
                "lower_998", "upper_998", "n", "denominator", "confidence", "statistic", "method"]


# --------------------------------------------------------------------------- intervals
def wilson(count: np.ndarray | float, n: np.ndarray | float, z: float = Z95
           ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``count / n`` (Wilson 1927; Newcombe 1998).

    Returns ``(lower, upper)`` as arrays; NaN where ``n`` is missing or not positive.
    """
    x = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        bad = ~(n > 0)
    lo = np.where(bad, np.nan, centre - half)
    hi = np.where(bad, np.nan, centre + half)
    return lo, hi


def byar(count: np.ndarray | float, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation of the exact Poisson interval for a count (Breslow & Day 1987).

    Returns ``(lower, upper)`` limits of the count; divide by the population for a rate.
    """
    o = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        hi = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    lo = np.where(o == 0, 0.0, lo)
    return lo, hi


# --------------------------------------------------------------------------- the tidy table
def _area_type(code: str) -> str:
    if code == RIKET:
        return "riket"
    return "kommun" if len(code) == 4 else "lan"


def _wide(rf: pd.DataFrame, tabell: str) -> pd.DataFrame:
    t = rf[rf["tabell"] == tabell]
    t = t[t["region_kod"].isin([*geo.KOMMUNER, geo.LAN_KOD, RIKET])]
    return t.pivot_table(index=["region_kod", "period"], columns="variabel", values="varde",
                         aggfunc="first").reset_index()


def _rows(ind: str, w: pd.DataFrame, value, n=None, den=None) -> pd.DataFrame:
    out = pd.DataFrame({"indicator_id": ind, "area_code": w["region_kod"].astype(str),
                        "period": w["period"].astype(str).str[:4].astype(int),
                        "value": np.asarray(value, dtype=float)})
    out["n"] = np.nan if n is None else np.asarray(n, dtype=float)
    out["denominator"] = np.nan if den is None else np.asarray(den, dtype=float)
    return out[out["value"].notna()]


def _col(w: pd.DataFrame, name: str) -> pd.Series:
    return w[name] if name in w.columns else pd.Series(np.nan, index=w.index)


def raw_indicators(rf: pd.DataFrame) -> pd.DataFrame:
    """Values, numerators and denominators of every indicator, area and period of the source.

    Parameters
    ----------
    rf
        Regionfakta's long table (catalogue dataset ``regionfakta_orebro_lan``).

    Returns
    -------
    DataFrame ``indicator_id, area_code, period, value, n, denominator``: shares as 0–1, rates per
    1 000, the rest in the unit of :data:`INDICATORS`.
    """
    parts = []
    ag = _wide(rf, "folkmangd_aldersgrupp")
    parts.append(_rows("andel_0_15", ag, ag["alder_0-15"] / ag["totalt"], ag["alder_0-15"],
                       ag["totalt"]))
    parts.append(_rows("andel_65_plus", ag, ag["alder_65-"] / ag["totalt"], ag["alder_65-"],
                       ag["totalt"]))
    fo = _wide(rf, "folkmangd_forandring")
    parts.append(_rows("folkokning", fo, fo["forandring_procent"]))
    kv = _wide(rf, "befolkningsforandringar_kvartal")
    pop = kv["folkmangd_kvartalets_slut"] - kv["folkokning"] / 2
    parts.append(_rows("fodelseoverskott", kv, 1000 * kv["fodelseoverskott"] / pop))
    parts.append(_rows("flyttningsnetto", kv, 1000 * kv["flyttningsnetto_totalt"] / pop))
    fk = _wide(rf, "forsorjningskvot")
    parts.append(_rows("forsorjningskvot", fk, 100 * fk["antal_0_19_och_65plus"] / fk["antal_20_64"],
                       fk["antal_0_19_och_65plus"], fk["antal_20_64"]))
    uf = _wide(rf, "utrikes_fodda_kon")
    n_uf = uf["utrikes_fodda_kvinnor"] + uf["utrikes_fodda_man"]
    d_uf = uf["befolkning_kvinnor"] + uf["befolkning_man"]
    parts.append(_rows("utrikes_fodda", uf, n_uf / d_uf, n_uf, d_uf))
    af = _wide(rf, "arbetsloshet_af_16_64")
    for ind, var in (("oppet_arbetslosa", "oppet_arbetslosa"),
                     ("arbetslosa_program", "arbetslosa_och_i_program"), ("i_program", "i_program")):
        cnt, andel = _col(af, f"{var}_antal"), _col(af, f"{var}_andel")
        # The published share is rounded to one decimal; the labour force is backed out of it.
        parts.append(_rows(ind, af, andel / 100, cnt, cnt / (andel / 100)))
    ak = _wide(rf, "oppet_arbetslosa_kon_16_65")
    for ind, sex in (("arbetslosa_kvinnor", "kvinnor"), ("arbetslosa_man", "man")):
        cnt, andel = ak[f"oppet_arbetslosa_antal_{sex}"], ak[f"oppet_arbetslosa_andel_{sex}"]
        parts.append(_rows(ind, ak, andel / 100, cnt, cnt / (andel / 100)))
    ff = _wide(rf, "forvarvsfrekvens")
    base = fk.set_index("region_kod")["antal_20_64"]
    den = ff["region_kod"].map(base)
    parts.append(_rows("forvarvsfrekvens", ff, _col(ff, "totalt_20-64") / 100,
                       (_col(ff, "totalt_20-64") / 100 * den).round(), den))
    st = _wide(rf, "studiedeltagande_ht")
    n_st = sum(_col(st, f"{k}_antal") for k in ("gymnasieutbildning", "hogskoleutbildning",
                                                  "komvux", "ovriga_studerande"))
    parts.append(_rows("studerande", st, n_st / st["befolkning_16_64"], n_st,
                       st["befolkning_16_64"]))
    parts.append(_rows("hogskolestuderande", st, st["hogskoleutbildning_antal"]
                       / st["befolkning_16_64"], st["hogskoleutbildning_antal"],
                       st["befolkning_16_64"]))
    mi = _wide(rf, "sammanraknad_forvarvsinkomst_medel_16plus")
    parts.append(_rows("inkomst_kvinnor", mi, mi["kvinnor"]))
    parts.append(_rows("inkomst_man", mi, mi["man"]))
    eb = _wide(rf, "ekonomiskt_bistand")
    eb = eb.merge(ag[["region_kod", "period", "totalt"]], on=["region_kod", "period"], how="inner")
    parts.append(_rows("bistandshushall", eb, 1000 * eb["bistandshushall"] / eb["totalt"],
                       eb["bistandshushall"], eb["totalt"]))
    parts.append(_rows("bistand_per_invanare", eb, eb["kostnad_per_invanare_kr"]))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["indicator_id", "area_code", "period"]).reset_index(drop=True)


def with_intervals(raw: pd.DataFrame) -> pd.DataFrame:
    """Add the area type, 95 % and 99,8 % limits and the tidy statistic columns to
    :func:`raw_indicators` (or :func:`add_rest_of_lan`) output."""
    out = raw.copy()
    out["area_type"] = out["area_code"].map(_area_type)
    for c in ("lower", "upper", "lower_998", "upper_998"):
        out[c] = np.nan
    out["method"] = ""
    out["statistic"] = ""
    for ind, spec in INDICATORS.items():
        m = (out["indicator_id"] == ind).to_numpy()
        if not m.any():
            continue
        x, n = out.loc[m, "n"].to_numpy(), out.loc[m, "denominator"].to_numpy()
        if spec.interval == "wilson":
            for z, lo_c, hi_c in ((Z95, "lower", "upper"), (Z998, "lower_998", "upper_998")):
                lo, hi = wilson(x, n, z)
                out.loc[m, lo_c], out.loc[m, hi_c] = lo, hi
            out.loc[m, "method"], out.loc[m, "statistic"] = "wilson", "proportion"
        elif spec.interval == "byar":
            for z, lo_c, hi_c in ((Z95, "lower", "upper"), (Z998, "lower_998", "upper_998")):
                lo, hi = byar(x, z)
                out.loc[m, lo_c], out.loc[m, hi_c] = 1000 * lo / n, 1000 * hi / n
            out.loc[m, "method"], out.loc[m, "statistic"] = "byar", "rate"
        else:
            out.loc[m, "method"] = "none"
            out.loc[m, "statistic"] = {"tkr": "mean", "kr": "mean", "kvot": "ratio"}.get(
                spec.unit, "rate")
    out["confidence"] = 0.95
    return out[TIDY_COLUMNS].reset_index(drop=True)


def indicator_table(rf: pd.DataFrame) -> pd.DataFrame:
    """Tidy table of every indicator for the kommuner, the län and riket, all periods.

    Columns :data:`TIDY_COLUMNS`; ``period`` is the year (a quarter's year for the quarterly
    tables, the autumn term's year for study participation).
    """
    return with_intervals(raw_indicators(rf))


def nearest_period(periods: pd.Series | list[int], edition: int) -> int:
    """The period nearest ``edition`` (on a tie the earlier one, which was published)."""
    ps = sorted({int(p) for p in periods})
    if not ps:
        raise ValueError("no periods to choose from")
    return min(ps, key=lambda p: (abs(p - edition), p))


def for_edition(table: pd.DataFrame, edition: int) -> pd.DataFrame:
    """One period per indicator: the edition's year, or the nearest year that has kommun data
    (and riket data, when the indicator has a riket value in some year).

    Adds ``year_note``: empty for the edition's year, else e.g. ``"närmaste år (2020)"``.
    """
    kom = table[table["area_type"] == "kommun"]
    riket = table[table["area_type"] == "riket"]
    chosen = {}
    for ind, g in kom.groupby("indicator_id"):
        with_riket = set(g["period"]) & set(riket.loc[riket["indicator_id"] == ind, "period"])
        chosen[ind] = nearest_period(sorted(with_riket) or g["period"], edition)
    out = table[table["period"] == table["indicator_id"].map(chosen)].copy()
    out["year_note"] = np.where(out["period"] == edition, "",
                                "närmaste år (" + out["period"].astype(str) + ")")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- comparisons
def verdict(value: float, lower: float, upper: float, lower_998: float, upper_998: float,
            benchmark: float, polarity: str) -> str:
    """Fingertips-style verdict of an area against a benchmark value.

    Returns one of ``battre``, ``battre_998``, ``likvardig``, ``samre``, ``samre_998`` (polarity
    ``hog``/``lag``), ``hogre``, ``hogre_998``, ``lagre``, ``lagre_998`` (``neutral``),
    ``ej_provad`` (no interval) or ``saknas`` (no value or no benchmark). The ``_998`` forms mean
    that the 99,8 % interval also excludes the benchmark.
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if any(pd.isna(v) for v in (value, benchmark)):
        return "saknas"
    if pd.isna(lower) or pd.isna(upper):
        return "ej_provad"
    if lower <= benchmark <= upper:
        return "likvardig"
    higher = lower > benchmark
    strong = (lower_998 > benchmark) if higher else (upper_998 < benchmark)
    if polarity == "neutral":
        word = "hogre" if higher else "lagre"
    else:
        word = "battre" if higher == (polarity == "hog") else "samre"
    return word + ("_998" if strong else "")


def trend(prev_value: float, prev_n: float, prev_den: float, value: float, n: float, den: float,
          statistic: str = "proportion") -> str:
    """Direction from the previous period to this one: ``upp``, ``ned``, ``oforandrad`` or
    ``saknas``. Proportions with counts use a two-sided z-test at 95 %; other values count as
    changed when they move by more than 2 % of the earlier value."""
    if pd.isna(prev_value) or pd.isna(value):
        return "saknas"
    if statistic == "proportion" and not any(pd.isna(v) for v in (prev_n, prev_den, n, den)):
        p = (prev_n + n) / (prev_den + den)
        se = np.sqrt(p * (1 - p) * (1 / prev_den + 1 / den))
        if se == 0 or abs(n / den - prev_n / prev_den) / se < Z95:
            return "oforandrad"
    elif abs(value - prev_value) <= 0.02 * abs(prev_value):
        return "oforandrad"
    return "upp" if value > prev_value else "ned"


def add_rest_of_lan(table: pd.DataFrame) -> pd.DataFrame:
    """Rows for *the rest of the län* of each kommun (area code ``<kommun>-rest``), from the
    län's and the kommun's counts; only for indicators with numerator and denominator."""
    t = table[table["n"].notna() & table["denominator"].notna()]
    lan = t.loc[t["area_code"] == geo.LAN_KOD, ["indicator_id", "period", "n", "denominator"]]
    kom = t[t["area_code"].isin(list(geo.KOMMUNER))]
    j = kom.merge(lan.rename(columns={"n": "n_lan", "denominator": "denominator_lan"}),
                  on=["indicator_id", "period"], how="left")
    j = j[j["n_lan"].notna()]
    rest = pd.DataFrame({"indicator_id": j["indicator_id"], "area_code": j["area_code"] + "-rest",
                         "period": j["period"], "n": j["n_lan"] - j["n"],
                         "denominator": j["denominator_lan"] - j["denominator"]})
    scale = rest["indicator_id"].map(lambda i: 1000.0 if INDICATORS[i].unit == "per1000" else
                                     (100.0 if INDICATORS[i].unit == "kvot" else 1.0))
    rest["value"] = scale * rest["n"] / rest["denominator"]
    rest = with_intervals(rest)
    rest["area_type"] = "ovriga_lanet"
    return rest


def similar_kommuner(ages: pd.DataFrame, area_code: str, k: int = 3) -> list[str]:
    """The ``k`` kommuner of the län most like ``area_code`` in population size and age structure.

    Parameters
    ----------
    ages
        One row per kommun: ``area_code, total, andel_0_15, andel_65_plus``.

    Distance is Euclidean on the three features standardised over the 12 kommuner (population on
    a log scale), nearest first.
    """
    a = ages.set_index("area_code")
    if area_code not in a.index:
        raise KeyError(f"{area_code!r} is not in the table of kommuner")
    f = pd.DataFrame({"size": np.log(a["total"].astype(float)), "young": a["andel_0_15"],
                      "old": a["andel_65_plus"]})
    z = (f - f.mean()) / f.std(ddof=0)
    d = np.sqrt(((z - z.loc[area_code]) ** 2).sum(axis=1)).drop(area_code)
    return list(d.sort_values(kind="stable").index[:k])
