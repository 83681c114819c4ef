"""Regional tables cut from national files: the converters the catalogue names.

Several catalogued tables are Örebro län's part of a national file (``folkmangd_kommun`` of
``folkmangd_kommun_riket``, ``kolada_befolkning`` of ``kolada_befolkning_riket`` …). Their
catalogue entries say so, not code::

    folkmangd_kommun:
      region: "18"                      # the region the entry's own file is for
      national:
        dataset: folkmangd_kommun_riket # the national table the region's part comes from
        reshape: folkmangd_kommun       # a converter of this module (CONVERTERS)
        title: "Folkmängd 31 december per kommun i {region}, 1950–2019"
        note: <what differs from the entry's own file, if anything>

For the entry's own region :func:`analysis.sources.catalog.load` reads the entry's file, as
always. For any other region it reads the national table, validated against the national
entry's schema, hands it to the converter, and validates the result against the *regional*
entry's schema and completeness check (both follow the active region,
:mod:`analysis.core.geo`). A converter returns exactly the regional file's columns, in its
order and row order, for the region it is given:

* a län: its kommuner (kommun tables; Kolada's ``0000`` "Alla kommuner" row is kept), or its
  rows (län tables, boundary files);
* riket: every kommun (kommun tables); for län tables the sum over the 21 län, as one area
  with ``lan_kod`` ``"00"`` and ``lan_namn`` "Riket"; for the län boundary, the 21 län
  dissolved into one polygon with the same code and name.

The converters are pure functions of a table and a :class:`~analysis.core.regions.Region`;
``tests/unit/test_regional.py`` checks that for Örebro län each one reproduces the Örebro file
from the national one. This module does not import the catalogue (the catalogue imports it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.regions import Region

#: Keys of a catalogue entry's ``national:``.
NATIONAL_KEYS = {"dataset", "reshape", "title", "note"}
#: The regional entry's fields a resolved entry keeps (what the table *is*); everything else
#: (file, md5, source, producer, citation, licence …) comes from the national entry.
REGIONAL_FIELDS = ("schema", "complete", "columns", "unit", "edition_year")


# --------------------------------------------------------------------------- helpers
def _years(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if isinstance(c, str) and c.isdigit() and len(c) == 4]


def _wide_to_long(wide: pd.DataFrame, ids: list[str], value: str, order: list[str]) -> pd.DataFrame:
    """One row per row of ``wide`` and year column, row by row (the regional files' order)."""
    years = _years(wide)
    n = len(years)
    out = wide[ids].iloc[np.repeat(np.arange(len(wide)), n)].reset_index(drop=True)
    out["ar"] = np.tile(np.array([int(y) for y in years], dtype="int64"), len(wide))
    out[value] = wide[years].to_numpy().ravel()
    return out[order]


def _kommuner(wide: pd.DataFrame, region: Region, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    keep = set(region.kommuner) | set(extra)
    return wide[wide["kommun_kod"].astype(str).isin(keep)].reset_index(drop=True)


def _lan(wide: pd.DataFrame, region: Region, sex: str, age: str) -> pd.DataFrame:
    """The region's rows of a län table (a row per sex and age); for riket the sum over all
    län, as area ``"00"`` "Riket". Rows run age by age, both sexes within each age, as in the
    regional files (the national ones run sex by sex); ages and sexes keep the order in which
    the national file first has them."""
    if region.is_riket:
        years = _years(wide)
        part = wide.groupby([sex, age], sort=False)[years].sum().reset_index()
        part.insert(0, "lan_namn", region.namn)
        part.insert(0, "lan_kod", region.kod)
    else:
        part = wide[wide["lan_kod"].astype(str) == region.kod]
    order = np.argsort(pd.factorize(part[age])[0], kind="stable")
    return part.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- converters
def folkmangd_kommun(wide: pd.DataFrame, region: Region) -> pd.DataFrame:
    """``folkmangd_kommun_riket`` (a row per kommun, a column per year) → kommun_kod,
    kommun_namn, ar, folkmangd for the region's kommuner."""
    return _wide_to_long(_kommuner(wide, region), ["kommun_kod", "kommun_namn"], "folkmangd",
                         ["kommun_kod", "kommun_namn", "ar", "folkmangd"])


def kolada_befolkning(wide: pd.DataFrame, region: Region) -> pd.DataFrame:
    """``kolada_befolkning_riket`` (a row per nyckeltal and kommun) → kommun_kod, kommun_namn,
    nyckeltal, ar, varde for the region's kommuner and ``0000`` ("Alla kommuner", Kolada's
    unweighted mean of all kommuner, which the regional file keeps)."""
    part = _kommuner(wide, region, ("0000",))
    # the regional file runs kommun by kommun within each nyckeltal, as the national one
    return _wide_to_long(part, ["kommun_kod", "kommun_namn", "nyckeltal"], "varde",
                         ["kommun_kod", "kommun_namn", "nyckeltal", "ar", "varde"])


def folkmangd_lan(wide: pd.DataFrame, region: Region) -> pd.DataFrame:
    """``folkmangd_lan_alder_kon_riket`` → lan_kod, lan_namn, ar, kon, alder, folkmangd."""
    return _wide_to_long(_lan(wide, region, "kon", "alder"),
                         ["lan_kod", "lan_namn", "kon", "alder"], "folkmangd",
                         ["lan_kod", "lan_namn", "ar", "kon", "alder", "folkmangd"])


def doda_lan(wide: pd.DataFrame, region: Region) -> pd.DataFrame:
    """``doda_lan_riket`` → lan_kod, lan_namn, ar, kon, alder, doda."""
    return _wide_to_long(_lan(wide, region, "kon", "alder"),
                         ["lan_kod", "lan_namn", "kon", "alder"], "doda",
                         ["lan_kod", "lan_namn", "ar", "kon", "alder", "doda"])


def fodda_lan(wide: pd.DataFrame, region: Region) -> pd.DataFrame:
    """``fodda_lan_riket`` → lan_kod, lan_namn, ar, barnets_kon, moderns_alder, levande_fodda."""
    return _wide_to_long(_lan(wide, region, "barnets_kon", "moderns_alder"),
                         ["lan_kod", "lan_namn", "barnets_kon", "moderns_alder"], "levande_fodda",
                         ["lan_kod", "lan_namn", "ar", "barnets_kon", "moderns_alder",
                          "levande_fodda"])


def kommungranser(gdf: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Sweden's kommun boundaries → the region's kommuner (same columns, CRS and order)."""
    return _kommuner(gdf, region)


def lansgrans(gdf: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Sweden's län boundaries → the region's län; for riket the 21 län dissolved into one
    polygon (``lan_kod`` "00", ``lan_namn`` "Riket")."""
    if not region.is_riket:
        return gdf[gdf["lan_kod"].astype(str) == region.kod].reset_index(drop=True)
    one = gdf.iloc[:1].reset_index(drop=True).copy()
    one["lan_kod"], one["lan_namn"] = region.kod, region.namn
    one["geometry"] = [gdf.geometry.union_all()]
    return one


#: The converters a catalogue entry's ``national: reshape:`` may name.
CONVERTERS: dict[str, Callable[[pd.DataFrame, Region], pd.DataFrame]] = {
    f.__name__: f for f in (folkmangd_kommun, kolada_befolkning, folkmangd_lan, doda_lan,
                            fodda_lan, kommungranser, lansgrans)
}


def reshape(converter: str, national: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Apply the named converter (:data:`CONVERTERS`) to a validated national table."""
    try:
        fn = CONVERTERS[converter]
    except KeyError:
        raise KeyError(f"No converter {converter!r}; known: {', '.join(sorted(CONVERTERS))}"
                       ) from None
    return fn(national, region)


# --------------------------------------------------------------------------- catalogue entries
def regional_title(template: str | None, national_title: str, region: Region) -> str:
    """The title of a region's part of a national table: the ``national: title:`` template
    with ``{region}`` → the län's name (``"Uppsala län"``) or ``"riket"``; without a
    template the national dataset's title."""
    if not template:
        return national_title
    return template.format(region="riket" if region.is_riket else region.namn)


def resolve_entry(name: str, ent: Mapping[str, Any], national: Mapping[str, Any] | None,
                  region: Region, where: str) -> dict[str, Any]:
    """What dataset ``name`` is for ``region``, given its catalogue entry ``ent`` and (when
    the entry has ``national:``) the national dataset's entry.

    The entry itself when it has no ``region`` or is the region's own. Otherwise the national
    entry's file and provenance (``relpath``, ``md5``, ``source``, ``producer``,
    ``citation``, ``licence`` …) with the regional entry's :data:`REGIONAL_FIELDS`, plus
    ``dataset`` (the national name), ``reshape``, ``national_schema``,
    ``national_complete``, ``region`` (the region's code) and ``title`` (see
    :func:`regional_title`). An entry for another region without ``national:`` comes back
    with ``available: False`` (its data exist for its own region only).

    Raises
    ------
    InputError
        A ``national:`` that is not a mapping, lacks ``dataset``/``reshape``, has unknown keys
        or names an unknown converter.
    """
    own = ent.get("region")
    if own is None or str(own).zfill(2) == region.kod:
        return dict(ent)
    spec = ent.get("national")
    if spec is None:
        return {**ent, "available": False}
    if not isinstance(spec, Mapping) or not {"dataset", "reshape"} <= set(spec) \
            or set(spec) - NATIONAL_KEYS:
        raise InputError(where, f"dataset {name!r}: national: needs dataset and reshape (and may "
                         f"have title, note), not {spec!r}")
    if spec["reshape"] not in CONVERTERS:
        raise InputError(where, f"dataset {name!r}: national: reshape {spec['reshape']!r} is not "
                         f"a converter of analysis.sources.regional ({', '.join(CONVERTERS)})")
    if national is None:  # pragma: no cover - the catalogue passes it
        raise InputError(where, f"dataset {name!r}: national dataset {spec['dataset']!r} missing")
    out = {k: v for k, v in national.items()
           if k not in ("reconcile", "boundaries", "national", "region", *REGIONAL_FIELDS)}
    out.update({k: ent[k] for k in REGIONAL_FIELDS if k in ent})
    out.update(name=name, dataset=spec["dataset"], reshape=spec["reshape"],
               national_schema=national.get("schema"),
               national_complete=national.get("complete"), region=region.kod,
               title=regional_title(spec.get("title"), national["title"], region))
    if spec.get("note"):
        out["note"] = spec["note"]
    return out
