"""The national edition: Sweden's 21 län side by side, each kommun against its län, riket and its
SKR kommungrupp, and the index of the 290 kommun profiles.

Every function takes the national tables as arguments and its areas as explicit codes (kommun,
län), never the book's active region, so the same numbers serve the national book and any län's
book.

Sources and choices (stated on the page by :data:`METHOD_NOTE` and the tables' notes):

* **Folkmängd and its change** are SCB's kommun series on the 2020 kommun division, summed to län
  and riket (the län series agrees exactly from 1982; :mod:`analysis.sources.consistency`).
* **Age groups** of a län come from SCB's single ages by län where the year exists (to 2015),
  with 80+; for later years from Kolada's shares 0–19 and 65+ per kommun, turned into counts and
  summed over the län's kommuner (no 80+ then). Column ``kalla`` says which.
* **Kommungrupp** is SKR's 2017 division. A kommun is compared with the *other* kommuner of its
  group, pooled (population-weighted): the group without the kommun, as the profiles compare a
  kommun with the rest of its län, so that Stockholm is not compared largely with itself.
* The **län** and **riket** in a kommun's comparison include the kommun, as in official statistics.

Why one module: the national chapter, the kommun comparison of the profiles and the national
index read the same prepared tables (:class:`NationalData`) with the same year checks and
pooled figures; the computation itself is in :mod:`analysis.methods.national`, what remains here
is the chapter's tables and texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core import precision, text
from analysis.methods import national
from analysis.methods.livsvillkor import RIKET

RIKET_NAMN = "Riket"
N_KOMMUNER = 290
N_LAN = 21

#: Where a län's age groups come from (column ``kalla``).
SOURCE_LAN_AGES = "SCB, folkmängd efter län och ettårsålder"
SOURCE_KOLADA = "Kolada (SCB), summa av länets kommuner"

METHOD_NOTE = (
    "Folkmängden och förändringen är SCB:s folkmängd per kommun (kommunindelningen 2020) summerad "
    "till län och riket; även tidigare år räknas på dagens indelning, så att till exempel Heby "
    "ingår i Uppsala län också före flytten från Västmanlands län 2007. Andelarna och försörjningskvoten bygger på SCB:s folkmängd efter län och "
    "ettårsålder när den finns för året (till och med {last_lan}), annars på Koladas andelar 0–19 "
    "och 65 år och äldre per kommun, omräknade till antal och summerade över länets kommuner; "
    "andelen 80 år och äldre finns då inte. Försörjningskvoten är antalet 0–19 år och 65 år och "
    "äldre per 100 personer 20–64 år (SCB:s definition).")

KOMMUNGRUPP_NOTE = (
    "Kommungruppen är SKR:s kommungruppsindelning 2017. Kommunen jämförs med de andra kommunerna "
    "i samma grupp, sammanlagda (vägda efter folkmängd), utan kommunen själv. Länet och riket "
    "omfattar kommunen. Se {ref}`kommungrupp`.")


@dataclass(frozen=True)
class NationalData:
    """The national tables, checked and in long form (:func:`prepare`)."""

    kommuner: pd.DataFrame  #: 290 rows: kommun_kod, kommun_namn, lan_kod, lan_namn, kommungrupp_kod, kommungrupp_namn
    lan: pd.DataFrame  #: 21 rows: lan_kod, lan_namn
    totals: pd.DataFrame  #: kommun_kod, ar, folkmangd (SCB, 1950–)
    ages: pd.DataFrame  #: kommun_kod, ar, total, 0-19, 20-64, 65+ (Kolada, 2000–)
    lan_ages: pd.DataFrame | None  #: lan_kod, ar, total, 0-19, 20-64, 65+, 80+ (SCB, –2015), riket "00"

    @property
    def last_lan_age_year(self) -> int | None:
        """The last year with SCB's single ages by län (None without that table)."""
        return None if self.lan_ages is None else int(self.lan_ages["ar"].max())

    def kommun_namn(self, kod: str) -> str:
        """Name of any of the 290 kommuner."""
        return str(self.kommuner.loc[self._row(kod), "kommun_namn"])

    def _row(self, kod: str) -> int:
        hit = self.kommuner.index[self.kommuner["kommun_kod"] == str(kod)]
        if not len(hit):
            raise KeyError(f"Unknown kommun code {kod!r}: not one of Sweden's {N_KOMMUNER} kommuner")
        return int(hit[0])


def prepare(kommun_wide: pd.DataFrame, kolada_wide: pd.DataFrame, kommunkoder: pd.DataFrame,
            kommungrupp: pd.DataFrame, lankoder: pd.DataFrame,
            lan_wide: pd.DataFrame | None = None) -> NationalData:
    """Check and reshape the national tables.

    Parameters
    ----------
    kommun_wide, kolada_wide, kommunkoder, kommungrupp, lankoder, lan_wide
        Catalogue datasets ``folkmangd_kommun_riket``, ``kolada_befolkning_riket``,
        ``kommunkoder``, ``skr_kommungrupp``, ``lankoder`` and (optional, for age groups up to
        2015 and the share 80+) ``folkmangd_lan_alder_kon_riket``.

    Raises
    ------
    ValueError
        If the kommun lists disagree (a kommun without a län, a kommungrupp, a population series
        or Kolada figures), or a kommun's län is not one of the 21.
    """
    codes = kommunkoder.rename(columns={"municipality_code": "kommun_kod",
                                        "municipality_name_short": "kommun_namn",
                                        "county_code": "lan_kod"})[
        ["kommun_kod", "kommun_namn", "lan_kod"]]
    lan = lankoder.rename(columns={"county_code": "lan_kod", "county_name": "lan_namn"})[
        ["lan_kod", "lan_namn"]].sort_values("lan_kod", ignore_index=True)
    kg = kommungrupp[["kommun_kod", "kommungrupp_kod", "kommungrupp_namn"]]
    all_codes = set(codes["kommun_kod"])
    for what, have in (("kommungrupp", set(kg["kommun_kod"])),
                       ("population series", set(kommun_wide["kommun_kod"])),
                       ("Kolada figures", set(kolada_wide["kommun_kod"]) - {national.KOLADA_ALL})):
        if have != all_codes:
            lacking, extra = sorted(all_codes - have), sorted(have - all_codes)
            raise ValueError(f"the {what} do not cover the {len(all_codes)} kommuner: "
                             f"missing {lacking[:5]}, unknown {extra[:5]}")
    bad_lan = sorted(set(codes["lan_kod"]) - set(lan["lan_kod"]))
    if bad_lan:
        raise ValueError(f"kommuner belong to unknown län {bad_lan}")
    kommuner = (codes.merge(lan, on="lan_kod").merge(kg, on="kommun_kod")
                .sort_values("kommun_kod", ignore_index=True))
    kommuner["kommungrupp_kod"] = kommuner["kommungrupp_kod"].astype(int)
    return NationalData(
        kommuner=kommuner, lan=lan, totals=national.kommun_totals(kommun_wide),
        ages=national.kolada_counts(kolada_wide),
        lan_ages=None if lan_wide is None else national.lan_age_groups(lan_wide))


# --------------------------------------------------------------------------- helpers
def _check_years(data: NationalData, edition: int, compare_year: int) -> None:
    years = set(data.totals["ar"])
    for y in (edition, compare_year):
        if y not in years:
            raise ValueError(f"no kommun population for {y}: the series has "
                             f"{min(years)}–{max(years)}")
    if compare_year >= edition:
        raise ValueError(f"compare_year {compare_year} must be before the edition {edition}")


def _totals_by(data: NationalData, groups: pd.Series, years: list[int]) -> pd.DataFrame:
    """Folkmängd per group for ``years``, wide: index group, columns the years."""
    t = data.totals[data.totals["ar"].isin(years)]
    s = national.pooled(t, groups, value_cols=["folkmangd"])
    return s.pivot_table(index="group", columns="ar", values="folkmangd", aggfunc="sum")


def _kolada_year(data: NationalData, edition: int) -> None:
    if edition not in set(data.ages["ar"]):
        have = sorted(set(data.ages["ar"]))
        raise ValueError(f"Kolada has no age groups for {edition} (it has {have[0]}–{have[-1]})")


# --------------------------------------------------------------------------- 1a: the 21 län
def lan_comparison(data: NationalData, edition: int, compare_year: int) -> pd.DataFrame:
    """One row per län (21) and a last row for riket, for ``edition``.

    Returns
    -------
    DataFrame ``area_code, area_type (lan | riket), area_name, ar, folkmangd_<compare_year>,
    folkmangd_<edition>, forandring, forandring_andel, andel_0_19, andel_65, andel_80 (NaN after
    the last year of SCB's län ages), forsorjningskvot, rang_folkmangd, rang_forandring,
    rang_forsorjningskvot (1 = largest / fastest growth / highest; riket has none), kalla``.
    Shares and change are proportions; the försörjningskvot is per 100 aged 20–64.

    Raises
    ------
    ValueError
        If a year is outside the kommun series, or neither source has age groups for ``edition``.
    """
    _check_years(data, edition, compare_year)
    to_lan = data.kommuner.set_index("kommun_kod")["lan_kod"]
    to_all = pd.Series(RIKET, index=to_lan.index)
    tot = pd.concat([_totals_by(data, to_lan, [compare_year, edition]),
                     _totals_by(data, to_all, [compare_year, edition])])
    use_lan_ages = data.lan_ages is not None and edition in set(data.lan_ages["ar"])
    if use_lan_ages:
        ages = data.lan_ages[data.lan_ages["ar"] == edition].set_index("lan_kod")
        source = SOURCE_LAN_AGES
    else:
        _kolada_year(data, edition)
        k = data.ages[data.ages["ar"] == edition]
        ages = pd.concat([national.pooled(k, to_lan), national.pooled(k, to_all)]
                         ).set_index("group")
        ages["80+"] = np.nan
        source = SOURCE_KOLADA
    ages = national.derive(ages[[*national.COUNTS, "80+"]])
    names = dict(zip(data.lan["lan_kod"], data.lan["lan_namn"], strict=True)) | {RIKET: RIKET_NAMN}
    codes = [*data.lan["lan_kod"], RIKET]
    out = pd.DataFrame({
        "area_code": codes,
        "area_type": ["lan"] * len(data.lan) + ["riket"],
        "area_name": [names[c] for c in codes],
        "ar": edition,
        f"folkmangd_{compare_year}": tot.loc[codes, compare_year].astype("int64").to_numpy(),
        f"folkmangd_{edition}": tot.loc[codes, edition].astype("int64").to_numpy(),
    })
    out["forandring"] = out[f"folkmangd_{edition}"] - out[f"folkmangd_{compare_year}"]
    out["forandring_andel"] = out[f"folkmangd_{edition}"] / out[f"folkmangd_{compare_year}"] - 1
    for c in ("andel_0_19", "andel_65", "andel_80", "forsorjningskvot"):
        out[c] = ages.loc[codes, c].astype(float).to_numpy()
    lan_rows = out["area_type"] == "lan"
    for col, key in (("rang_folkmangd", f"folkmangd_{edition}"),
                     ("rang_forandring", "forandring_andel"),
                     ("rang_forsorjningskvot", "forsorjningskvot")):
        out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
        out.loc[lan_rows, col] = national.ranks(out.loc[lan_rows, key]).to_numpy()
    out["kalla"] = source
    return out


def lan_display(lan: pd.DataFrame, edition: int, compare_year: int
                ) -> tuple[pd.DataFrame, dict[str, str], dict, pd.DataFrame]:
    """What the chapter's län table shows: (table, labels, formats, csv) for
    :func:`analysis.present.publish.table`, sorted by folkmängd with riket last; the 80+ column
    (in the table and the CSV) only when the year has it."""
    body = lan[lan["area_type"] == "lan"].sort_values(f"folkmangd_{edition}", ascending=False)
    t = pd.concat([body, lan[lan["area_type"] == "riket"]], ignore_index=True)
    cols = ["area_name", f"folkmangd_{edition}", "forandring_andel", "andel_0_19", "andel_65",
            "andel_80", "forsorjningskvot"]
    csv = t
    if t["andel_80"].isna().all():
        cols.remove("andel_80")
        csv = t.drop(columns="andel_80")
    labels = {"area_name": "Län", f"folkmangd_{edition}": f"Folkmängd {edition}",
              "forandring_andel": f"Förändring sedan {compare_year}",
              "andel_0_19": "Andel 0–19 år", "andel_65": "Andel 65+", "andel_80": "Andel 80+",
              "forsorjningskvot": "Försörjningskvot"}
    formats = {f"folkmangd_{edition}": precision.formatter("antal"),
               "forandring_andel": precision.formatter("forandring", sign=True),
               "andel_0_19": precision.formatter("andel"), "andel_65": precision.formatter("andel"),
               "andel_80": precision.formatter("andel"),
               "forsorjningskvot": precision.formatter("kvot")}
    return t[cols], labels, formats, csv


def lan_facts(lan: pd.DataFrame, edition: int, compare_year: int) -> dict[str, str]:
    """Formatted values for the chapter's summary (glue names → text)."""
    body = lan[lan["area_type"] == "lan"]
    rik = lan[lan["area_type"] == "riket"].iloc[0]
    by_change = body.sort_values("forandring_andel")
    by_fk = body.sort_values("forsorjningskvot")
    grew = int((body["forandring"] > 0).sum())
    largest = body.sort_values(f"folkmangd_{edition}").iloc[-1]

    def named(r: pd.Series, col: str, kind: str, sign: bool = False) -> str:
        return f"{r['area_name']} ({precision.fmt(r[col], kind, sign=sign)})"

    return {
        "rk_edition": str(edition), "rk_compare_year": str(compare_year),
        "rk_pop": precision.fmt(rik[f"folkmangd_{edition}"], "antal"),
        "rk_change": precision.fmt(rik["forandring_andel"], "forandring", sign=True),
        "rk_n_grew": text.num(grew), "rk_n_shrank": text.num(len(body) - grew),
        "rk_n_lan": text.num(len(body)),
        "rk_growth": growth_text(grew, len(body)),
        "rk_fastest": named(by_change.iloc[-1], "forandring_andel", "forandring", True),
        "rk_slowest": named(by_change.iloc[0], "forandring_andel", "forandring", True),
        "rk_largest": named(largest, f"folkmangd_{edition}", "antal"),
        "rk_largest_share": precision.fmt(largest[f"folkmangd_{edition}"]
                                          / rik[f"folkmangd_{edition}"], "andel"),
        "rk_fk": precision.fmt(rik["forsorjningskvot"], "kvot"),
        "rk_fk_high": named(by_fk.iloc[-1], "forsorjningskvot", "kvot"),
        "rk_fk_low": named(by_fk.iloc[0], "forsorjningskvot", "kvot"),
        "rk_share65": precision.fmt(rik["andel_65"], "andel"),
        "rk_share019": precision.fmt(rik["andel_0_19"], "andel"),
        "rk_ages": (f"{precision.fmt(rik['andel_65'], 'andel')} av invånarna i riket var 65 år "
                    "eller äldre"
                    + ("" if pd.isna(rik["andel_80"]) else
                       f" ({precision.fmt(rik['andel_80'], 'andel')} 80 år eller äldre)")
                    + f" och {precision.fmt(rik['andel_0_19'], 'andel')} var 0–19 år"),
    }


def growth_text(grew: int, n: int) -> str:
    """How many of ``n`` län grew, as the start of a sentence: ``"Alla 21 län växte"``,
    ``"Inget län växte"``, ``"19 av 21 län växte och 2 minskade"`` (a län whose folkmängd is
    unchanged counts as not growing)."""
    if grew == n:
        return f"Alla {text.num(n)} län växte"
    if grew == 0:
        return "Inget län växte"
    return f"{text.num(grew)} av {text.num(n)} län växte och {text.num(n - grew)} minskade"


def lan_map(borders: pd.DataFrame, lan: pd.DataFrame) -> pd.DataFrame:
    """The län borders (``lansgranser_riket``) joined with :func:`lan_comparison`; the change in
    per cent in ``pct`` and a short name (without "län") in ``kort``.

    Raises
    ------
    ValueError
        If a län of the table has no border or the other way round.
    """
    body = lan[lan["area_type"] == "lan"]
    if set(borders["lan_kod"]) != set(body["area_code"]):
        raise ValueError("the län borders and the län table have different län")
    g = borders.merge(body.drop(columns=["area_type"]), left_on="lan_kod", right_on="area_code")
    g["pct"] = 100 * g["forandring_andel"]
    g["kort"] = short_name(g["area_name"])
    return g


def key_indicators(lan: pd.DataFrame, edition: int) -> pd.DataFrame:
    """Riket's and the län's key indicators of the edition (for the edition comparison page)."""
    rows = []
    for r in lan.itertuples(index=False):
        rec = r._asdict()
        for ind, label, col, unit in (
                ("bef_total", "Folkmängd", f"folkmangd_{edition}", "antal"),
                ("bef_forsorjningskvot", "Försörjningskvot (SCB)", "forsorjningskvot", "kvot"),
                ("bef_andel_65", "Andel 65 år och äldre", "andel_65", "andel")):
            rows.append({"indicator_id": ind, "indicator": label, "area_code": rec["area_code"],
                         "period": edition, "value": float(rec[col]), "unit": unit})
    return pd.DataFrame(rows)


def kommungrupp_comparison(data: NationalData, edition: int, compare_year: int) -> pd.DataFrame:
    """One row per SKR kommungrupp (9) and riket: number of kommuner, folkmängd, change and the
    pooled shares and försörjningskvot (Kolada, every kommun of the group).

    Returns
    -------
    DataFrame ``kommungrupp_kod, area_name, n_kommuner, ar, folkmangd_<compare_year>,
    folkmangd_<edition>, forandring_andel, andel_0_19, andel_65, forsorjningskvot``.
    """
    _check_years(data, edition, compare_year)
    _kolada_year(data, edition)
    to_kg = data.kommuner.set_index("kommun_kod")["kommungrupp_kod"].astype(str)
    to_all = pd.Series("0", index=to_kg.index)
    tot = pd.concat([_totals_by(data, to_kg, [compare_year, edition]),
                     _totals_by(data, to_all, [compare_year, edition])])
    k = data.ages[data.ages["ar"] == edition]
    ages = national.derive(pd.concat([national.pooled(k, to_kg), national.pooled(k, to_all)]
                                     ).set_index("group"))
    names = (data.kommuner.drop_duplicates("kommungrupp_kod")
             .set_index(data.kommuner.drop_duplicates("kommungrupp_kod")["kommungrupp_kod"]
                        .astype(str))["kommungrupp_namn"].to_dict() | {"0": RIKET_NAMN})
    codes = sorted(names, key=lambda c: (c == "0", int(c)))
    out = pd.DataFrame({
        "kommungrupp_kod": [int(c) if c != "0" else pd.NA for c in codes],
        "area_name": [names[c] for c in codes],
        "n_kommuner": ages.loc[codes, "n_kommuner"].astype("int64").to_numpy(),
        "ar": edition,
        f"folkmangd_{compare_year}": tot.loc[codes, compare_year].astype("int64").to_numpy(),
        f"folkmangd_{edition}": tot.loc[codes, edition].astype("int64").to_numpy(),
    })
    out["kommungrupp_kod"] = out["kommungrupp_kod"].astype("Int64")
    out["forandring_andel"] = out[f"folkmangd_{edition}"] / out[f"folkmangd_{compare_year}"] - 1
    for c in ("andel_0_19", "andel_65", "forsorjningskvot"):
        out[c] = ages.loc[codes, c].astype(float).to_numpy()
    return out


def kommungrupp_display(kg: pd.DataFrame, edition: int, compare_year: int
                        ) -> tuple[pd.DataFrame, dict[str, str], dict]:
    """(table, labels, formats) of :func:`kommungrupp_comparison` for the chapter."""
    cols = ["area_name", "n_kommuner", f"folkmangd_{edition}", "forandring_andel", "andel_0_19",
            "andel_65", "forsorjningskvot"]
    labels = {"area_name": "Kommungrupp", "n_kommuner": "Kommuner",
              f"folkmangd_{edition}": f"Folkmängd {edition}",
              "forandring_andel": f"Förändring sedan {compare_year}",
              "andel_0_19": "Andel 0–19 år", "andel_65": "Andel 65+",
              "forsorjningskvot": "Försörjningskvot"}
    formats = {"n_kommuner": precision.formatter("antal"),
               f"folkmangd_{edition}": precision.formatter("antal"),
               "forandring_andel": precision.formatter("forandring", sign=True),
               "andel_0_19": precision.formatter("andel"), "andel_65": precision.formatter("andel"),
               "forsorjningskvot": precision.formatter("kvot")}
    return kg[cols], labels, formats


def kommungrupp_facts(kg: pd.DataFrame) -> dict[str, str]:
    """Formatted values on the kommungrupper for the chapter's text (glue names → text)."""
    body = kg[kg["kommungrupp_kod"].notna()].sort_values("forandring_andel")
    fast, slow = body.iloc[-1], body.iloc[0]
    fk = body.sort_values("forsorjningskvot")
    return {
        "kg_fastest": f"{fast['area_name'].lower()} "
                      f"({precision.fmt(fast['forandring_andel'], 'forandring', sign=True)})",
        "kg_slowest": f"{slow['area_name'].lower()} "
                      f"({precision.fmt(slow['forandring_andel'], 'forandring', sign=True)})",
        "kg_fk_high": f"{fk.iloc[-1]['area_name'].lower()} "
                      f"({precision.fmt(fk.iloc[-1]['forsorjningskvot'], 'kvot')})",
        "kg_fk_low": f"{fk.iloc[0]['area_name'].lower()} "
                     f"({precision.fmt(fk.iloc[0]['forsorjningskvot'], 'kvot')})",
        "kg_n_shrank": text.num(int((body["forandring_andel"] < 0).sum())),
        "kg_n": text.num(len(body)),
    }


def lan_chart(lan: pd.DataFrame) -> pd.DataFrame:
    """The 21 län for the chapter's bar charts: the table's rows without riket, with the short
    name (``Stockholm``, ``Västra Götaland``) in ``lan``."""
    body = lan[lan["area_type"] == "lan"].copy()
    body["lan"] = short_name(body["area_name"])
    return body


def short_name(names: pd.Series) -> pd.Series:
    """A län's name without "län" and the genitive s: ``Stockholms län`` → ``Stockholm``,
    ``Skåne län`` → ``Skåne``, ``Örebro län`` → ``Örebro``."""
    base = names.astype(str).str.removesuffix(" län")
    # the genitive s of the official names; no län's own name ends in s
    return base.str.removesuffix("s")


# --------------------------------------------------------------------------- 1b: one kommun
#: The comparison's measures: key, Swedish label, kind of figure in the rounding policy, unit
#: code, indicator id (the registry's, :mod:`analysis.contracts.indicators`).
MEASURES = [
    ("folkmangd", "Folkmängd", "antal", "antal", "bef_total"),
    ("forandring_andel", "Förändring sedan {compare_year}", "forandring", "forandring",
     "bef_forandring"),
    ("andel_0_19", "Andel 0–19 år", "andel", "andel", "bef_andel_0_19"),
    ("andel_65", "Andel 65 år och äldre", "andel", "andel", "bef_andel_65"),
    ("forsorjningskvot", "Försörjningskvot (SCB)", "kvot", "kvot", "bef_forsorjningskvot"),
]
#: The indicator ids of :data:`MEASURES` (for ``publish.table(indicators=...)``).
MEASURE_INDICATORS = [m[4] for m in MEASURES]


def _area_figures(data: NationalData, codes: list[str], edition: int,
                  compare_year: int) -> dict[str, float]:
    """Pooled figures of a set of kommuner: folkmängd (SCB), change, shares and the
    försörjningskvot (Kolada, via the shares: (a + b) / (100 − a − b) × 100 of the pooled
    shares in per cent)."""
    t = data.totals[data.totals["kommun_kod"].isin(codes)]
    now = float(t.loc[t["ar"] == edition, "folkmangd"].sum())
    then = float(t.loc[t["ar"] == compare_year, "folkmangd"].sum())
    k = data.ages[(data.ages["ar"] == edition) & data.ages["kommun_kod"].isin(codes)]
    tot = float(k["total"].sum())
    a, b = 100 * k["0-19"].sum() / tot, 100 * k["65+"].sum() / tot
    return {"folkmangd": now, f"folkmangd_{compare_year}": then,
            "forandring_andel": now / then - 1, "andel_0_19": a / 100, "andel_65": b / 100,
            "forsorjningskvot": national.forsorjningskvot_from_shares(a, b),
            "n_kommuner": len(set(k["kommun_kod"]))}


def kommun_national_comparison(data: NationalData, kommun_code: str, edition: int,
                               compare_year: int) -> dict:
    """A kommun against its län, riket and the other kommuner of its SKR kommungrupp.

    Parameters
    ----------
    data
        :func:`prepare`'s tables.
    kommun_code
        Any of the 290 kommun codes (4-character string).
    edition, compare_year
        The year shown and the year the change is counted from.

    Returns
    -------
    dict with

    ``areas``
        One row per area (kommun, län, kommungrupp without the kommun, riket): ``area_code``
        (the kommungrupp as ``KG<n>``), ``area_name``, ``jamforelse``, the figures and
        ``n_kommuner``.
    ``table``
        The display table for :func:`analysis.present.publish.table`: one row per measure
        (``mått``), one column per area, values formatted by the rounding policy.
    ``table_csv``
        The same values unformatted, long: ``indicator_id, area_code, area_name, jamforelse, ar,
        matt, value, unit`` (proportions 0–1).
    ``kommun, lan, kommungrupp, riket``
        The figures of each area as dicts; ``kommun_namn, lan_namn, kommungrupp_namn``.

    Raises
    ------
    KeyError
        If ``kommun_code`` is not one of the 290 kommuner.
    ValueError
        If a year is outside the data.
    """
    _check_years(data, edition, compare_year)
    _kolada_year(data, edition)
    row = data.kommuner.loc[data._row(kommun_code)]
    lan_codes = data.kommuner.loc[data.kommuner["lan_kod"] == row["lan_kod"], "kommun_kod"].tolist()
    kg_codes = data.kommuner.loc[(data.kommuner["kommungrupp_kod"] == row["kommungrupp_kod"])
                                 & (data.kommuner["kommun_kod"] != kommun_code),
                                 "kommun_kod"].tolist()
    all_codes = data.kommuner["kommun_kod"].tolist()
    kg_name = str(row["kommungrupp_namn"])
    areas = [
        ("kommun", str(kommun_code), str(row["kommun_namn"]), "kommunen", [str(kommun_code)]),
        ("lan", str(row["lan_kod"]), str(row["lan_namn"]), "länet", lan_codes),
        ("kommungrupp", f"KG{int(row['kommungrupp_kod'])}",
         f"{kg_name} (övriga {len(kg_codes)})", "kommungruppen utom kommunen", kg_codes),
        ("riket", RIKET, RIKET_NAMN, "riket", all_codes),
    ]
    out: dict = {"kommun_namn": str(row["kommun_namn"]), "lan_namn": str(row["lan_namn"]),
                 "kommungrupp_namn": kg_name, "edition": edition, "compare_year": compare_year}
    recs = []
    for key, code, name, role, codes in areas:
        if not codes:  # a kommungrupp of one kommun would leave no others (none in SKR 2017)
            raise ValueError(f"kommungrupp {kg_name!r} has no other kommun than {kommun_code}")
        f = _area_figures(data, codes, edition, compare_year)
        out[key] = f
        recs.append({"area_code": code, "area_name": name, "jamforelse": role, **f})
    out["areas"] = pd.DataFrame(recs)
    head = [name for _k, _c, name, _r, _codes in areas]
    head[-2] = f"Övriga i kommungruppen {kg_name.lower()}"
    rows, raw = [], []
    for key, label, kind, unit, ind in MEASURES:
        lab = label.format(compare_year=compare_year)
        rows.append({"mått": lab, **{h: precision.fmt(out[a[0]][key], kind,
                                                      sign=kind == "forandring")
                                     for h, a in zip(head, areas, strict=True)}})
        for a in areas:
            raw.append({"indicator_id": ind, "area_code": a[1], "area_name": a[2],
                        "jamforelse": a[3], "ar": edition, "matt": key,
                        "value": out[a[0]][key], "unit": unit})
    out["table"] = pd.DataFrame(rows)
    out["table_csv"] = pd.DataFrame(raw)
    return out


def _compare_word(a: float, b: float, kind: str, higher: str = "högre",
                  lower: str = "lägre") -> str:
    """``"högre än"``, ``"lägre än"`` or ``"lika med"`` by the values *as shown*."""
    d = precision.difference(a, b, kind)
    return "lika med" if d == 0 else (f"{higher} än" if d > 0 else f"{lower} än")


def comparison_text(cmp: dict) -> list[str]:
    """Short Swedish sentences on :func:`kommun_national_comparison`'s result, every number
    formatted by the rounding policy and every comparison made on the shown values."""
    k, lan, kg, rik = cmp["kommun"], cmp["lan"], cmp["kommungrupp"], cmp["riket"]
    ed, cy = cmp["edition"], cmp["compare_year"]
    name, lan_namn = cmp["kommun_namn"], cmp["lan_namn"]
    kg_namn = cmp["kommungrupp_namn"].lower()

    def f(x: float, kind: str, sign: bool = False) -> str:
        return precision.fmt(x, kind, sign=sign)

    first = (f"Den 31 december {ed} bodde {f(k['folkmangd'], 'antal')} personer i {name}. "
             f"Sedan {cy} har folkmängden förändrats med {f(k['forandring_andel'], 'forandring', True)}"
             f", mot {f(lan['forandring_andel'], 'forandring', True)} i {lan_namn}, "
             f"{f(rik['forandring_andel'], 'forandring', True)} i riket och "
             f"{f(kg['forandring_andel'], 'forandring', True)} i de andra kommunerna i gruppen "
             f"{kg_namn}.")
    second = (f"Försörjningskvoten var {f(k['forsorjningskvot'], 'kvot')}, "
              f"{_compare_word(k['forsorjningskvot'], rik['forsorjningskvot'], 'kvot')} riket "
              f"({f(rik['forsorjningskvot'], 'kvot')}); i länet var den "
              f"{f(lan['forsorjningskvot'], 'kvot')} och i kommungruppen "
              f"{f(kg['forsorjningskvot'], 'kvot')}.")
    third = (f"Andelen 65 år och äldre var {f(k['andel_65'], 'andel')} "
             f"({f(rik['andel_65'], 'andel')} i riket) och andelen 0–19 år "
             f"{f(k['andel_0_19'], 'andel')} ({f(rik['andel_0_19'], 'andel')} i riket).")
    return [first, second, third]


# --------------------------------------------------------------------------- 1c: the index
def kommun_index_table(data: NationalData, edition: int, compare_year: int) -> pd.DataFrame:
    """The 290 kommuner for the searchable index, in Swedish alphabetical order: ``kommun_kod,
    kommun_namn, lan_kod, lan_namn, kommungrupp_kod, kommungrupp_namn, folkmangd_<compare_year>,
    folkmangd_<edition>, forandring_andel``."""
    _check_years(data, edition, compare_year)
    w = data.totals[data.totals["ar"].isin([compare_year, edition])].pivot_table(
        index="kommun_kod", columns="ar", values="folkmangd", aggfunc="sum")
    out = data.kommuner.copy()
    out[f"folkmangd_{compare_year}"] = out["kommun_kod"].map(w[compare_year]).astype("int64")
    out[f"folkmangd_{edition}"] = out["kommun_kod"].map(w[edition]).astype("int64")
    out["forandring_andel"] = out[f"folkmangd_{edition}"] / out[f"folkmangd_{compare_year}"] - 1
    key = out["kommun_namn"].map(text_sort_key)
    return out.assign(_k=key).sort_values(["_k", "kommun_kod"]).drop(columns="_k").reset_index(
        drop=True)


def kommun_map(data: NationalData, borders: pd.DataFrame, edition: int,
               compare_year: int) -> pd.DataFrame:
    """The 290 kommun borders (``kommungranser_riket``) joined with :func:`kommun_index_table`;
    the change in per cent in ``pct``.

    Raises
    ------
    ValueError
        If the borders and the kommun list hold different kommuner.
    """
    idx = kommun_index_table(data, edition, compare_year)
    if set(borders["kommun_kod"]) != set(idx["kommun_kod"]):
        raise ValueError("the kommun borders and the kommun list hold different kommuner")
    g = borders[["kommun_kod", "geometry"]].merge(idx, on="kommun_kod")
    g["pct"] = 100 * g["forandring_andel"]
    return g


def kommun_facts(index: pd.DataFrame) -> dict[str, str]:
    """Formatted values on the kommuner's change for the chapter (glue names → text), from
    :func:`kommun_index_table`."""
    grew = int((index["forandring_andel"] > 0).sum())
    shrank = int((index["forandring_andel"] < 0).sum())
    by = index.sort_values("forandring_andel")

    def named(r: pd.Series) -> str:
        return (f"{r['kommun_namn']} i {r['lan_namn']} "
                f"({precision.fmt(r['forandring_andel'], 'forandring', sign=True)})")

    return {"km_n": text.num(len(index)), "km_grew": text.num(grew),
            "km_shrank": text.num(shrank),
            "km_fastest": named(by.iloc[-1]), "km_slowest": named(by.iloc[0])}


def text_sort_key(name: str) -> str:
    """Sort key for Swedish alphabetical order (å, ä, ö after z, in that order)."""
    return str(name).lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))


def trend_index(data: NationalData, kommun_code: str, compare_year: int, edition: int,
                start: int = 1970) -> pd.DataFrame:
    """Folkmängd of a kommun, its län and riket from ``start`` to ``edition`` as an index
    (``compare_year`` = 100), long: ``ar, område, folkmangd, index`` in the order kommun, län,
    riket (SCB's kommun series on the 2020 division, summed)."""
    _check_years(data, edition, compare_year)
    row = data.kommuner.loc[data._row(kommun_code)]
    lan_codes = data.kommuner.loc[data.kommuner["lan_kod"] == row["lan_kod"], "kommun_kod"]
    t = data.totals[(data.totals["ar"] >= start) & (data.totals["ar"] <= edition)]
    parts = []
    for name, codes in ((str(row["kommun_namn"]), [str(kommun_code)]),
                        (str(row["lan_namn"]), list(lan_codes)), (RIKET_NAMN, None)):
        sel = t if codes is None else t[t["kommun_kod"].isin(codes)]
        s = sel.groupby("ar")["folkmangd"].sum()
        parts.append(pd.DataFrame({"ar": s.index.astype(int), "område": name,
                                   "folkmangd": s.to_numpy(),
                                   "index": 100 * s.to_numpy() / s.loc[compare_year]}))
    return pd.concat(parts, ignore_index=True)
