"""Disclosure audit of an edition before it is published, and its public suppression log.

After the notebooks have run, the build reads every CSV file the edition publishes (each
notebook's ``<stem>_files/*.csv``) as an intruder would:

1. :func:`survey_cells` turns every published share of a survey round into a cell: the
   kommuner, sexes and age groups it covers, its value and respondents (``"."`` = withheld).
   A difference table gives two cells per row (the kommun, ``value_area``, and the rest of the
   län, ``value_rest``).
2. :func:`audit` runs :func:`analysis.methods.sdcaudit.attack_cells` per indicator and round
   with the public population as weights (solving the raking factors where fully published
   rows allow): the interval each withheld cell is confined to by everything published.
3. :func:`check` fails the build (:class:`DisclosureLeak`, naming page, table and cell) when a
   withheld cell is confined to less than the protection interval
   (:data:`analysis.methods.disclosure.PROTECTION_WIDTH`).
4. :func:`suppression_log` lists every withheld cell with its table and rule (primary or
   complementary), without values; :func:`write_log_page` writes it as a CSV file and a Swedish
   page linked from the methods page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.book.execute import NotebookFailed
from analysis.chapters import youth
from analysis.contracts.ung_contract import GRADE_LABELS, GRADES
from analysis.core import geo, provenance, text
from analysis.methods import disclosure, frames, population, sdcaudit
from analysis.present import codebook
from analysis.sources import catalog

#: Age groups of the survey's raking margin: the atoms' finest age split.
AGES = [g[0] for g in frames.AGE_GROUPS]
#: Name of the generated page and its CSV file.
LOG_STEM = "rojandeskydd_logg"


class DisclosureLeak(NotebookFailed):
    """A withheld cell can be derived from what the edition publishes."""


# --------------------------------------------------------------------------- reading
#: CSV files a page's folder holds for the build, not for readers (key indicators for the
#: edition comparison, indicator uses for the indicator pages): not published, not audited.
INTERNAL_CSVS = frozenset({"indicators.csv", "indicator_uses.csv"})


def edition_tables(jobs: Iterable, cache: Path) -> list[tuple[str, str, pd.DataFrame]]:
    """Every CSV file the jobs publish: ``(page, file name, table as text)``, the page being the
    job's output path (e.g. ``book/_generated/kommuner/profil_kommun__area_1860``). The tables
    are in the published schema (:mod:`analysis.present.codebook`), read as text."""
    out = []
    for j in jobs:
        files = cache / j.key / f"{j.stem}_files"
        for f in sorted(files.glob("*.csv")) if files.is_dir() else []:
            if f.name in INTERNAL_CSVS:
                continue  # the build's own inputs, not published as such
            out.append((j.target, f.name, pd.read_csv(f, dtype=str, keep_default_na=False,
                                                      encoding=codebook.ENCODING)))
    return out


_AREA_TYPES = {v: k for k, v in codebook.vocabulary()["översätt"]["områdestyp"].items()}
_SEX_CODES = {"kvinnor": "kvinnor", "män": "man", "totalt": "totalt"}
#: The measures (``mått``) of the statistics a row can publish, back to the statistic's name.
_STATISTIC_OF = {v["mått"]: k for k, v in codebook.vocabulary()["statistik"].items()}
_PROPORTION_UNITS = {"procent": 100.0, "procentenheter": 100.0}
_AREA_MEASURE = codebook.vocabulary()["källkolumner"]["value_area"]["mått"]
_REST_MEASURE = codebook.vocabulary()["källkolumner"]["value_rest"]["mått"]


def _share(r: dict) -> str:
    """A published value of a survey share back as a proportion (0–1), as text ("" if
    withheld)."""
    if r["värde"] == "":
        return ""
    return repr(float(r["värde"]) / _PROPORTION_UNITS.get(r["enhet"], 1.0))


def source_rows(t: pd.DataFrame) -> pd.DataFrame:
    """A published table (the schema's long format, as text) back as one row per row of the
    page's table, with the estimate columns the attack reads: ``indicator_id, area_code,
    area_type, period, sex, age`` (if the table has ages), ``grades`` (school years, if any),
    ``group, statistic, value`` (a share 0–1 or a difference), ``n``, ``value_area``,
    ``value_rest``, ``n_rest``, ``suppressed, rule, note, data_kind``. Withheld values are
    empty. Tables without those measures come back with their keys only."""
    rows = []
    has_age = bool((t["ålder"] != "").any())
    has_grades = bool((t["årskurs"] != "").any())
    for _, g in t.groupby(t["rad"].astype(int), sort=True):
        recs = g.to_dict("records")
        first = recs[0]
        rule, _, note = first["orsak"].partition(": ")
        if rule not in (disclosure.RULE_PRIMARY, disclosure.RULE_COMPLEMENTARY):
            rule, note = "", first["orsak"]
        out = {"indicator_id": first["indikator_kod"], "area_code": first["område_kod"],
               "area_type": _AREA_TYPES.get(first["områdestyp"], first["områdestyp"]),
               "period": first["år"], "sex": _SEX_CODES.get(first["kön"], first["kön"]),
               "group": first["grupp"], "statistic": "",
               "suppressed": str(first["undertryckt"] == codebook.YES), "rule": rule,
               "note": note, provenance.COLUMN: first["datatyp"]}
        if has_age:
            out["age"] = first["ålder"]
        if has_grades:
            out["grades"] = first["årskurs"]
        for r in recs:
            if r["mått"] in _STATISTIC_OF and not out["statistic"]:
                out["statistic"] = _STATISTIC_OF[r["mått"]]
                out["value"], out["n"] = _share(r), r["antal_svarande"]
            elif r["mått"] == _AREA_MEASURE:
                out["value_area"] = _share(r)
                out.setdefault("n", r["antal_svarande"])
            elif r["mått"] == _REST_MEASURE:
                out["value_rest"], out["n_rest"] = _share(r), r["antal_svarande"]
        rows.append(out)
    return pd.DataFrame(rows).fillna("")


def _ages(label: str) -> tuple[str, ...] | None:
    """Age groups making up an age label (``"18+"``, ``"45-64"``, ``"18-79"``), None if the
    label is not a union of them."""
    if label in AGES:
        return (label,)
    lo, _, hi = label.replace("+", "-").partition("-")
    try:
        lo_i, hi_i = int(lo), int(hi) if hi else 10_000
    except ValueError:
        return None
    groups = [g for g in frames.AGE_GROUPS if g[1] >= lo_i and g[2] <= hi_i]
    covered = [g for g in frames.AGE_GROUPS if g[2] >= lo_i and g[1] <= hi_i]
    if not groups or groups != covered:
        return None
    return tuple(g[0] for g in groups)


def _num(s: str) -> float:
    try:
        return float(s)
    except (TypeError, ValueError):
        return np.nan


_SEXES = {"totalt": ("kvinnor", "man"), "kvinnor": ("kvinnor",), "man": ("man",)}
_GRADE_OF_LABEL = {v: k for k, v in GRADE_LABELS.items()}
#: The group labels of the youth survey's tables the audit reads (not subgroups such as the
#: number of protective factors, whose members the intruder cannot place).
YOUTH_GROUPS = {*youth.GROUP_LABELS.values(), "kommunen minus övriga länet"}


def _grades(r: dict) -> tuple[str, ...] | None:
    """School years a youth row covers (its ``grade``, else its ``grades`` text), limited to
    those where the indicator is asked; None if unknown."""
    asked = youth.INDICATORS.get(r["indicator_id"], {}).get("grades") or GRADES
    g = r.get("grade", youth.ALL_GRADES) or youth.ALL_GRADES
    if g != youth.ALL_GRADES:
        cover: tuple[str, ...] | None = (g,) if g in GRADES else None
    else:
        text_ = r.get("grades", "alla") or "alla"
        if text_ == "alla":
            cover = GRADES
        else:
            parts = [_GRADE_OF_LABEL.get(x.strip()) for x in text_.split(",")]
            cover = None if None in parts else tuple(parts)
    if cover is None:
        return None
    cover = tuple(x for x in cover if x in asked)
    return cover or None


def survey_cells(tables: list[tuple[str, str, pd.DataFrame]]) -> pd.DataFrame:
    """The published shares of survey rounds by kommun, sex and age group, one row per cell.

    Tables qualify with the columns ``indicator_id, area_code, area_type, period, sex, age,
    value`` and ``statistic`` ``proportion`` (a share) or ``difference`` (a kommun beside the
    rest of the län: cells ``value_area`` and ``value_rest``). Län rows of subgroups (a
    non-empty ``group``) and ages that are not unions of the raking age groups are left out.
    Tables of the youth survey (Liv & hälsa ung: ``grade`` or ``grades`` instead of ``age``)
    qualify too, with the school years in the role of the age groups (``survey = "ung"``): län
    rows by school year and sex, kommun rows over all school years and the comparisons with the
    rest of the län; subgroups (e.g. by number of protective factors) are left out.

    Returns
    -------
    pandas.DataFrame
        ``page, table, row`` (1-based data row), ``column``, ``indicator_id, period, area,
        sexes, ages`` (tuples; school years for the youth survey), ``value``, ``n`` (NaN where
        withheld), ``shown``, ``sex``, ``age``, ``area_code``, ``rule`` (of a withheld row:
        ``primär`` or ``sekundär``) and ``survey`` (``"vuxna"`` or ``"ung"``).
    """
    base_need = {"indicator_id", "area_code", "area_type", "period", "sex", "value",
                 "statistic"}
    kommuner = tuple(geo.KOMMUNER)
    rows = []
    for page, name, t in tables:
        cols = set(t.columns)
        if not base_need <= cols:
            continue
        is_youth = "age" not in cols and bool({"grade", "grades"} & cols)
        if "age" not in cols and not is_youth:
            continue
        for i, r in enumerate(t.to_dict("records"), start=1):
            if r["statistic"] not in ("proportion", "difference"):
                continue
            ages = _grades(r) if is_youth else _ages(r["age"])
            sexes = _SEXES.get(r["sex"])
            if ages is None or sexes is None:
                continue
            if is_youth and r.get("group", "") not in YOUTH_GROUPS:
                continue
            if r["area_type"] == "lan":
                if ((r.get("group", "") and not is_youth)
                        or r["statistic"] != "proportion"):
                    continue
                area = kommuner
            elif r["area_type"] == "kommun" and r["area_code"] in kommuner:
                area = (r["area_code"],)
            else:
                continue
            rule = r.get("rule") or (disclosure.RULE_COMPLEMENTARY
                                     if r.get("note", "") == disclosure.SECONDARY_NOTE
                                     else disclosure.RULE_PRIMARY)
            base = {"page": page, "table": name, "row": i, "indicator_id": r["indicator_id"],
                    "rule": rule,
                    "period": r["period"], "sexes": sexes, "ages": ages, "sex": r["sex"],
                    "age": r.get("grade", r.get("grades", "")) if is_youth else r["age"],
                    "area_code": r["area_code"], "survey": "ung" if is_youth else "vuxna"}
            sides = [("value", area, "n")] if r["statistic"] == "proportion" else [
                ("value_area", area, "n"),
                ("value_rest", tuple(k for k in kommuner if k not in area), "n_rest")]
            for col, cells_area, ncol in sides:
                if col not in r:
                    continue
                v = _num(r[col])
                rows.append({**base, "column": col, "area": cells_area, "value": v,
                             "n": _num(r.get(ncol, "")), "shown": not np.isnan(v)})
    cols = ["page", "table", "row", "column", *sdcaudit.CELL_COLUMNS, "sex", "age", "area_code",
            "rule", "survey"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- the attack
def public_population(period: int) -> pd.Series:
    """The public population a round is weighted to, by ``(kommun, sex, age group)``
    (:func:`analysis.methods.frames.population_frame` from the catalogued SCB and Kolada
    tables)."""
    kolada = catalog.load("kolada_befolkning")
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada,
                                frames.LAST_POPULATION_YEAR)
    f = frames.population_frame(lan, population.kolada_age_groups(kolada), int(period))
    f = f.assign(age_group=frames.age_group(f["age"].to_numpy()))
    s = f.groupby(["kommun", "sex", "age_group"])["population"].sum().astype(float)
    return s.reindex(pd.MultiIndex.from_product([list(geo.KOMMUNER), ["kvinnor", "man"], AGES]),
                     fill_value=0.0)


def public_pupils(period: int) -> pd.Series:
    """The pupils a youth round is post-stratified to, by ``(kommun, sex, school year)``
    (:func:`analysis.methods.frames.cohort_frame`: the cohorts aged 13, 15 and 17)."""
    kolada = catalog.load("kolada_befolkning")
    lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada,
                                frames.LAST_POPULATION_YEAR)
    f = frames.cohort_frame(lan, population.kolada_age_groups(kolada), int(period))
    s = f.groupby(["kommun", "sex", "grade"])["population"].sum().astype(float)
    return s.reindex(pd.MultiIndex.from_product([list(geo.KOMMUNER), ["kvinnor", "man"],
                                                 list(GRADES)]), fill_value=0.0)


def audit(cells: pd.DataFrame, population_of: Callable[[int], pd.Series] = public_population,
          pupils_of: Callable[[int], pd.Series] = public_pupils) -> pd.DataFrame:
    """Bound every withheld cell from the published ones, per indicator and round.

    Returns the *protected* withheld cells of :func:`survey_cells` (withheld by the threshold
    rule: not complementary cells, which pass the rule, and not the rest of the län beside a
    withheld kommun) with ``lower``, ``upper``, ``width`` and ``attack``
    (:func:`analysis.methods.sdcaudit.attack_cells`, which uses every cell). The youth survey's
    cells (``survey = "ung"``) are attacked separately with the pupils (``pupils_of``) as
    weights, school years in the role of the age groups.
    """
    parts = []
    pops: dict[tuple[str, int], pd.Series] = {}
    if "survey" not in cells.columns:
        cells = cells.assign(survey="vuxna")
    for (kind, _, period), c in cells.groupby(["survey", "indicator_id", "period"], sort=True):
        if c["shown"].all():
            continue
        p = int(period)
        if (kind, p) not in pops:
            pops[(kind, p)] = (pupils_of if kind == "ung" else population_of)(p)
        res = sdcaudit.attack_cells(c[list(sdcaudit.CELL_COLUMNS)], pops[(kind, p)])
        meta = c.reset_index(drop=True).drop(columns=list(sdcaudit.CELL_COLUMNS))
        keep = (~res["shown"].to_numpy(dtype=bool)
                & (meta["rule"] != disclosure.RULE_COMPLEMENTARY).to_numpy()
                & (meta["column"] != "value_rest").to_numpy())
        parts.append(pd.concat([meta, res], axis=1)[keep])
    cols = [*cells.columns, "lower", "upper", "attack"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return out.assign(width=out["upper"].astype(float) - out["lower"].astype(float))


def derivable(findings: pd.DataFrame, protection: float = disclosure.PROTECTION_WIDTH
              ) -> pd.DataFrame:
    """The withheld cells confined to less than ``protection``."""
    return findings[findings["width"] < protection]


def check(findings: pd.DataFrame, protection: float = disclosure.PROTECTION_WIDTH) -> None:
    """Raise :class:`DisclosureLeak` naming every derivable withheld cell (page, table, row,
    cell and the interval an intruder gets)."""
    bad = derivable(findings, protection)
    if bad.empty:
        return
    lines = [
        f"  {r.page}: {r.table} row {r.row}, {r.column} ({r.indicator_id}, {r.area_code}, "
        f"{r.sex}, {r.age}, {r.period}) lies in [{r.lower:.4f}, {r.upper:.4f}] "
        f"(attack: {r.attack})" for r in bad.head(20).itertuples()]
    more = f"\n  … and {len(bad) - 20} more" if len(bad) > 20 else ""
    raise DisclosureLeak(
        f"Disclosure audit failed: {len(bad)} withheld cell(s) can be derived to within "
        f"{protection:g} from the published tables:\n" + "\n".join(lines) + more
        + "\nNothing was published; protect these tables together "
        "(analysis.methods.disclosure.protect_linked).")


# --------------------------------------------------------------------------- the log
def suppression_log(tables: list[tuple[str, str, pd.DataFrame]]) -> pd.DataFrame:
    """Every withheld cell of every published table (tables in the published schema): its
    rows with ``undertryckt`` ``ja``, which carry their page, table, keys, rule and reason
    (``orsak``: ``primär``, under a threshold, or ``sekundär``, withheld so another cannot be
    derived) and no values. The result is in the published schema too; ``sida`` is the page's
    name and ``tabell`` the table's file name."""
    parts = []
    for page, name, t in tables:
        hidden = t[t["undertryckt"] == codebook.YES]
        if len(hidden):
            parts.append(hidden.assign(sida=Path(page).name, tabell=name))
    if not parts:
        return pd.DataFrame(columns=codebook.columns())
    log = pd.concat(parts, ignore_index=True)[codebook.columns()]
    return log.assign(**{c: "" for c in ("värde_visat", *codebook.NUMERIC)})


def log_rule(log: pd.DataFrame) -> pd.Series:
    """The rule of each withheld cell of the log (``primär`` or ``sekundär``; from the reason, a
    complementary cell by its note)."""
    def one(orsak: str) -> str:
        rule, _, note = orsak.partition(": ")
        if rule in (disclosure.RULE_PRIMARY, disclosure.RULE_COMPLEMENTARY):
            return rule
        return (disclosure.RULE_COMPLEMENTARY if orsak == disclosure.SECONDARY_NOTE
                else disclosure.RULE_PRIMARY)
    return log["orsak"].map(one)


def log_page(log: pd.DataFrame, findings: pd.DataFrame, edition: int | str,
             protection: float = disclosure.PROTECTION_WIDTH,
             csv_name: str = f"{LOG_STEM}.csv") -> str:
    """The Swedish page of the suppression log: why and where cells are withheld, counts per
    table and rule, and the CSV download."""
    log = log.assign(rule=log_rule(log))
    n_p = int((log["rule"] == disclosure.RULE_PRIMARY).sum())
    n_s = int((log["rule"] == disclosure.RULE_COMPLEMENTARY).sum())
    out = [
        f"# Röjandeskydd: undertryckta celler i utgåva {edition}", "",
        "Boken visar inte uppgifter som bygger på för få personer. En sådan cell visas som en "
        "punkt (.) i tabellen och i diagrammet; i CSV-filen är värdet tomt och kolumnen "
        "undertryckt säger ja, med orsaken. Antalet svarande döljs också. Se {ref}`rojandeskydd` för gränserna.", "",
        "- **Primär** undertryckning: cellen bygger på för få svarande eller personer "
        "(under gränsen i utgåvans parameterfil).",
        "- **Sekundär** undertryckning: cellen visas inte för att en primärt undertryckt cell "
        "annars skulle kunna räknas fram ur andra publicerade tal, till exempel ur kommunens "
        "värde för båda könen, övriga länets värde eller länets värde och befolkningen.", "",
        "Innan utgåvan publiceras prövar bygget alla publicerade tabeller från samma "
        "undersökningsomgång tillsammans, som en angripare skulle: med linjär programmering "
        "räknas det minsta intervall ut som varje dold andel kan ringas in till med hjälp av "
        "alla publicerade andelar, befolkningen och vägningens faktorer. Om någon dold andel "
        f"kan ringas in till mindre än {text.num(100 * protection, 0)} procentenheter "
        "publiceras ingenting.", "",
        f"I utgåva {edition} är {text.num(n_p)} celler primärt och {text.num(n_s)} sekundärt "
        f"undertryckta. Granskningen prövade {text.num(len(findings))} dolda andelar; ingen "
        "kunde ringas in snävare än gränsen.", "",
        "Granskningen omfattar enkättabellerna: Liv & hälsa (kön, ålder, kommun och kommunernas "
        "jämförelser med övriga länet) och Liv & hälsa ung (årskurs och kön, kommun och "
        "kommunernas jämförelser med övriga länet, där årskursen har ålderns roll). Tabeller "
        "över undergrupper som en angripare inte kan placera i befolkningen, till exempel efter "
        "antal skyddsfaktorer, ingår inte. Registrets antalstabeller (barn i hushåll med låg "
        "inkomst) skyddas när de tas fram: efter den primära undertryckningen döljs också "
        "celler så att en dold cell inte kan räknas fram ur kommunens eller länets totalsiffra "
        "och de övriga grupperna. De tabellerna prövas inte en gång till av granskningen.", "",
    ]
    if len(log):
        counts = log.groupby(["sida", "tabell", "rule"]).size().unstack(fill_value=0)
        out += [":::{table} Undertryckta celler per sida och tabell", ":align: left", "",
                "| sida | tabell | primärt | sekundärt |", "|---|---|--:|--:|"]
        for (page, table), r in counts.iterrows():
            out.append(f"| {Path(page).name} | {table} | "
                       f"{text.num(int(r.get(disclosure.RULE_PRIMARY, 0)))} | "
                       f"{text.num(int(r.get(disclosure.RULE_COMPLEMENTARY, 0)))} |")
        out += [":::", ""]
    out += [f"[Ladda ner förteckningen över undertryckta celler (CSV)]({csv_name}). Filen "
            "anger tabell, indikator, område, period, kön, ålder och regel för varje dold cell, "
            "men inga värden.", ""]
    return "\n".join(out)


def run(jobs: Iterable, cache: Path, edition: int | str, *, log=print,
        protection: float = disclosure.PROTECTION_WIDTH) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Audit the edition's published CSV files (raise :class:`DisclosureLeak` on a derivable
    cell) and return ``(suppression log, findings)``."""
    tables = edition_tables(jobs, cache)
    findings = audit(survey_cells([(p, n, source_rows(t)) for p, n, t in tables]))
    bad = derivable(findings, protection)
    log(f"Disclosure audit: {len(tables)} CSV files, {len(findings)} withheld survey cells "
        f"bounded, {len(bad)} derivable")
    check(findings, protection)
    return suppression_log(tables), findings


def write_log_page(gen: Path, log: pd.DataFrame, findings: pd.DataFrame, edition: int | str,
                   protection: float = disclosure.PROTECTION_WIDTH) -> Path:
    """Write ``rojandeskydd_logg.md`` and ``.csv`` into the staging ``book/_generated``."""
    gen.mkdir(parents=True, exist_ok=True)
    codebook.write(log, gen / f"{LOG_STEM}.csv")
    page = gen / f"{LOG_STEM}.md"
    page.write_text(log_page(log, findings, edition, protection), encoding="utf-8")
    return page
