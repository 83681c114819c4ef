"""Table schemas (pandera) that every catalogued dataset is validated against on load.

Each schema states types, allowed codes, ranges and unique keys. Validation failures are turned
into :class:`analysis.core.errors.InputError` naming the file, the column and the offending rows
(see :func:`analysis.sources.catalog.validate`).
"""

from __future__ import annotations

import pandera.pandas as pa

from analysis.core import geo
from analysis.sources.finsam_figures import INDICATORS, KEY, SEED_FILE, TABLES, UNITS

KOMMUN_CODES = list(geo.KOMMUNER)
AGES = [str(a) for a in range(100)] + ["100+"]
SEXES = ["kvinnor", "män"]
YEAR = pa.Check.in_range(1900, 2100)

_schemas: dict[str, pa.DataFrameSchema] = {}


def _register(name: str, schema: pa.DataFrameSchema) -> None:
    _schemas[name] = schema


def get(name: str) -> pa.DataFrameSchema:
    """Return the schema called ``name``.

    Raises
    ------
    KeyError
        If no schema has that name.
    """
    try:
        return _schemas[name]
    except KeyError:
        raise KeyError(f"No schema named {name!r}; known: {', '.join(sorted(_schemas))}") from None


def names() -> list[str]:
    """Names of all registered schemas."""
    return sorted(_schemas)


def _count(name: str = "count") -> pa.Column:
    return pa.Column(int, pa.Check.ge(0, error=f"{name} must not be negative"))


_register(
    "folkmangd_kommun",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.isin(KOMMUN_CODES)),
            "kommun_namn": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "folkmangd": _count("folkmangd"),
        },
        unique=["kommun_kod", "ar"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "folkmangd_kommun_riket",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
            "kommun_namn": pa.Column(str),
            "popu_id": pa.Column(str),
            "kommun_namn_ascii": pa.Column(str),
            r"^(19[5-9]\d|20\d\d)$": pa.Column(int, pa.Check.ge(0), regex=True),
        },
        unique=["kommun_kod"],
        coerce=True,
    ),
)

_register(
    "folkmangd_lan_alder_kon",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.isin([geo.LAN_KOD])),
            "lan_namn": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "kon": pa.Column(str, pa.Check.isin(SEXES)),
            "alder": pa.Column(str, pa.Check.isin(AGES)),
            "folkmangd": _count("folkmangd"),
        },
        unique=["ar", "kon", "alder"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "folkmangd_lan_wide",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "lan_namn": pa.Column(str),
            "kon": pa.Column(str, pa.Check.isin(SEXES)),
            "alder": pa.Column(str, pa.Check.isin(AGES)),
            r"^(19[6-9]\d|20\d\d)$": pa.Column(int, pa.Check.ge(0), regex=True),
        },
        unique=["lan_kod", "kon", "alder"],
        coerce=True,
    ),
)

_register(
    "fodda_lan",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.isin([geo.LAN_KOD])),
            "lan_namn": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "barnets_kon": pa.Column(str, pa.Check.isin(SEXES)),
            "moderns_alder": pa.Column(str),
            "levande_fodda": _count("levande_fodda"),
        },
        unique=["ar", "barnets_kon", "moderns_alder"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "doda_lan",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.isin([geo.LAN_KOD])),
            "lan_namn": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "kon": pa.Column(str, pa.Check.isin(SEXES)),
            "alder": pa.Column(str, pa.Check.isin(AGES)),
            "doda": _count("doda"),
        },
        unique=["ar", "kon", "alder"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "fodda_lan_wide",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "lan_namn": pa.Column(str),
            "barnets_kon": pa.Column(str, pa.Check.isin(SEXES)),
            "moderns_alder": pa.Column(str, pa.Check.isin(
                ["<15", *(str(a) for a in range(15, 49)), "49+", "no information"])),
            r"^(19[6-9]\d|20\d\d)$": pa.Column(int, pa.Check.ge(0), regex=True),
        },
        unique=["lan_kod", "barnets_kon", "moderns_alder"],
        coerce=True,
    ),
)

_register(
    "doda_lan_wide",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "lan_namn": pa.Column(str),
            "kon": pa.Column(str, pa.Check.isin(SEXES)),
            "alder": pa.Column(str, pa.Check.isin(AGES)),
            r"^(19[6-9]\d|20\d\d)$": pa.Column(int, pa.Check.ge(0), regex=True),
        },
        unique=["lan_kod", "kon", "alder"],
        coerce=True,
    ),
)

_register(
    "regionfakta_long",
    pa.DataFrameSchema(
        {
            "tabell": pa.Column(str),
            "region_kod": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4})$")),
            "region_namn": pa.Column(str),
            "period": pa.Column(str),
            "variabel": pa.Column(str),
            "varde": pa.Column(float, nullable=True),
            "enhet": pa.Column(str),
            "producent": pa.Column(str, pa.Check.isin(["SCB", "Arbetsförmedlingen",
                                                      "Socialstyrelsen"])),
            "kalla_url": pa.Column(str),
            "senast_uppdaterad": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"),
                                           nullable=True),
            "sida_id": pa.Column(str),
        },
        # No unique key: one page repeats a few rows of a table in a second table (Regionfakta's
        # aid households 2020); readers of a table check their own keys.
        coerce=True,
        strict=True,
    ),
)

_register(
    "kolada_befolkning",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.isin([*KOMMUN_CODES, "0000"])),
            "kommun_namn": pa.Column(str),
            "nyckeltal": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "varde": pa.Column(float, nullable=True),
        },
        unique=["kommun_kod", "nyckeltal", "ar"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "kolada_befolkning_wide",
    pa.DataFrameSchema(
        {
            "nyckeltal": pa.Column(str),
            "kommun_kod": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
            "kommun_namn": pa.Column(str),
            r"^(199\d|20\d\d)$": pa.Column(float, nullable=True, regex=True),
        },
        unique=["nyckeltal", "kommun_kod"],
        coerce=True,
    ),
)

_register(
    "skr_kommungrupp",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
            "kommun_namn": pa.Column(str),
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "kommungrupp_kod": pa.Column(int, pa.Check.in_range(1, 9)),
            "kommungrupp_namn": pa.Column(str),
        },
        unique=["kommun_kod"],
        coerce=True,
    ),
)

_register(
    "kommungranser",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.isin(KOMMUN_CODES)),
            "kommun_namn": pa.Column(str),
        },
        unique=["kommun_kod"],
        coerce=True,
    ),
)

_register(
    "kommungranser_riket",
    pa.DataFrameSchema(
        {
            "kommun_kod": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
            "kommun_namn": pa.Column(str),
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
        },
        unique=["kommun_kod"],
        coerce=True,
    ),
)

_register(
    "lansgranser_riket",
    pa.DataFrameSchema(
        {
            "lan_kod": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "lan_namn": pa.Column(str),
        },
        unique=["lan_kod"],
        coerce=True,
    ),
)

_register(
    "kommunkoder",
    pa.DataFrameSchema(
        {
            "municipality_code": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
            "municipality_name": pa.Column(str),
            "municipality_name_short": pa.Column(str),
            "county_code": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
        },
        unique=["municipality_code"],
        coerce=True,
        strict=True,
    ),
)

# --------------------------------------------------------------------------- the whole country
# The national edition's tables (data/catalog.d/riket.yml): codes are checked for their form, not
# against the kommuner of one region.
_register(
    "lankoder",
    pa.DataFrameSchema(
        {
            "county_code": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
            "county_name": pa.Column(str, pa.Check.str_endswith(" län")),
            "county_name_short": pa.Column(str),
        },
        unique=["county_code"],
        coerce=True,
        strict=True,
    ),
)

_register(
    "seed_figures",
    pa.DataFrameSchema(
        {
            "analysis": pa.Column(
                str,
                pa.Check.isin(
                    [
                        "population",
                        "target_group",
                        "finsam_finance",
                        "child_poverty",
                        "health_survey",
                        "labour_market",
                    ]
                ),
            ),
            "indicator": pa.Column(str),
            "geography": pa.Column(str),
            "group": pa.Column(str, nullable=True),
            "period": pa.Column(str),
            "value": pa.Column(float),
            "unit": pa.Column(str),
            "definition_or_note": pa.Column(str, nullable=True),
            "source_file": pa.Column(str),
            "quote": pa.Column(str),
        },
        coerce=True,
        strict=True,
    ),
)

_register(
    "folkmangd_pxweb",
    pa.DataFrameSchema(
        {
            "region_kod": pa.Column(str, pa.Check.isin([geo.LAN_KOD, *KOMMUN_CODES])),
            "region_namn": pa.Column(str),
            "ar": pa.Column(int, YEAR),
            "kon": pa.Column(str, pa.Check.isin(["kvinnor", "man"])),
            "alder": pa.Column(int, pa.Check.in_range(0, 100)),
            "folkmangd": _count("folkmangd"),
        },
        unique=["region_kod", "ar", "kon", "alder"],
        coerce=True,
        strict=True,
    ),
)


# --------------------------------------------------------------------------- beside the chapters
# Tables that only one chapter reads; registered here so that the catalogue never imports a chapter.

_register("finsam_genomlysning", pa.DataFrameSchema(
    {
        "indicator": pa.Column(str, pa.Check.isin(list(INDICATORS))),
        "table": pa.Column(str, pa.Check.isin(TABLES)),
        "area_type": pa.Column(str, pa.Check.isin(["lan", "forbund", "kommun"])),
        "forbund_kod": pa.Column(str, pa.Check.isin(list(geo.FORBUND)), nullable=True),
        "kommun_kod": pa.Column(str, pa.Check.isin(list(geo.KOMMUNER)), nullable=True),
        "group": pa.Column(str, nullable=True),
        "period": pa.Column(str),
        "value": pa.Column(float, pa.Check.ge(0, error="value must not be negative")),
        "unit": pa.Column(str, pa.Check.isin(UNITS)),
        "in_sum": pa.Column(float, pa.Check.isin([0.0, 1.0]), nullable=True),
        "source_file": pa.Column(str, pa.Check.isin([SEED_FILE])),
        "source_line": pa.Column(int, pa.Check.ge(1)),
        "quote": pa.Column(str),
        "note": pa.Column(str, nullable=True),
    },
    unique=KEY,
    coerce=True,
    strict=True,
))

#: Schema of the catalogued ESP 2013 table (``data/catalog.d/liv_och_halsa.yml``).
_register("esp2013", pa.DataFrameSchema(
    {
        "ageband": pa.Column(str, pa.Check.str_matches(r"^\d+(-\d+|\+)$")),
        "esp2013": pa.Column(int, pa.Check.gt(0, error="standard population must be positive")),
    },
    unique=["ageband"], coerce=True, strict=True,
))

_register("scb_median_inkomst", pa.DataFrameSchema(
    {"ar": pa.Column(int, pa.Check.in_range(1990, 2100)),
     "median_tkr_2019_priser": pa.Column(float, pa.Check.gt(0))},
    unique=["ar"], coerce=True, strict=True))
_register("scb_kpi", pa.DataFrameSchema(
    {"ar": pa.Column(int, pa.Check.in_range(1980, 2100)),
     "kpi_1980_100": pa.Column(float, pa.Check.gt(0))},
    unique=["ar"], coerce=True, strict=True))
_register("riksnorm", pa.DataFrameSchema(
    {"post": pa.Column(str, pa.Check.isin(["barn", "vuxna", "gemensamt",
                                           "gemensamt_per_person_over_7"])),
     "grupp": pa.Column(str, nullable=True),
     "kr_per_manad": pa.Column(float, pa.Check.gt(0))},
    unique=["post", "grupp"], coerce=True, strict=True))
_register("ekonomiskt_bistand_kommun", pa.DataFrameSchema(
    {"kommun_namn": pa.Column(str),
     "bistandshushall": pa.Column(int, pa.Check.ge(0)),
     "utbetalt_tkr": pa.Column(float, pa.Check.ge(0)),
     "belopp_per_hushall_kr": pa.Column(float, pa.Check.ge(0)),
     "kostnad_per_invanare_kr": pa.Column(float, pa.Check.ge(0))},
    unique=["kommun_namn"], coerce=True, strict=True))
_register("kolada_kpi", pa.DataFrameSchema(
    {"kpi": pa.Column(str, pa.Check.str_matches(r"^[A-Z]\d{5}$")),
     "area_code": pa.Column(str),
     "area_type": pa.Column(str, pa.Check.isin(["kommun", "lan", "riket"])),
     "period": pa.Column(int, pa.Check.in_range(1990, 2100)),
     "sex": pa.Column(str, pa.Check.isin(["totalt", "kvinnor", "man"])),
     "value": pa.Column(float, nullable=True),
     "status": pa.Column(str, nullable=True)},
    unique=["kpi", "area_code", "area_type", "period", "sex"], coerce=True, strict=True))

# --------------------------------------------------------------------------- livsvillkor
_register("newsworthy_long", pa.DataFrameSchema(
    {"tabell": pa.Column(str, pa.Check.isin(["folkmangd_kvartal",
                                             "ekonomiskt_bistand_andel_vuxna_manad"])),
     "kommun_kod": pa.Column(str, pa.Check.isin(KOMMUN_CODES)),
     "kommun_namn": pa.Column(str),
     "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}(K[1-4]|-\d{2})$")),
     "variabel": pa.Column(str),
     "varde": pa.Column(float),
     "enhet": pa.Column(str),
     "kalla_url": pa.Column(str),
     "sida_id": pa.Column(str)},
    unique=["tabell", "kommun_kod", "period", "variabel"], coerce=True, strict=True))
_register("barn_utsatthet_riket_long", pa.DataFrameSchema(
    {"indikator": pa.Column(str, pa.Check.isin(["barn_i_ekonomiskt_utsatta_hushall",
                                                "andel_0_19_ar_lag_ekonomisk_standard"])),
     "region_kod": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4})$")),
     "region_namn": pa.Column(str),
     "ar": pa.Column(int, YEAR),
     "varde": pa.Column(float, pa.Check.in_range(0, 100)),
     "enhet": pa.Column(str),
     "producent": pa.Column(str),
     "kalla_url": pa.Column(str)},
    unique=["indikator", "region_kod", "ar"], coerce=True, strict=True))
