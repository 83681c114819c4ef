"""A new yearly edition: its parameter file, and whether the data for its year are in place.

Usage (the Makefile wraps this as ``make new-edition YEAR=2020``)::

    python -m analysis.book.newedition 2020 [--check]

1. Write ``params/<year>.yml`` from the latest earlier edition, its years moved on by the gap
   (:func:`next_edition`); an existing file is never overwritten (``--check`` only reports).
2. Check every catalogued dataset (``data/catalog.yml`` and ``data/catalog.d/*.yml``) and the
   confidential sources in ``data/private/`` for that year, and print one table row each: the
   years in the data, whether the edition's year is there, which notebooks use it and how data
   for the year arrive (:func:`report`).
3. Say whether the edition can be built. The build and the preview refuse an edition whose
   required datasets lack its year, naming them
   (:func:`analysis.book.params.check_edition_data`).

What the edition's year means for a dataset is written in its catalogue entry::

    edition_year:
      need: required        # required: the build stops without the year
                            # estimated: the chapters estimate a missing year (named in `from`)
                            # optional: a chapter shows it when it is there
      column: ar            # the year column (default: ar, period or year; else the year-named
                            # columns of a wide table)
      values: value         # only rows with a value count (e.g. a list of KPIs not yet fetched)
      from: ...             # need: estimated - what the estimate leans on
      update: make fetch    # how data for a later year arrive
      note: ...             # shown under the table

A dataset without ``edition_year`` is not tied to the edition's year (a standard population,
map boundaries, a document of one year): it is listed, never required.
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

from analysis.book.jobs import notebook_imports, notebook_meta
from analysis.book.params import (
    EditionParams,
    dataset_years,
    edition_spec,
    load_edition,
    year_span,
)
from analysis.contracts import lh_contract, microdata, ung_contract
from analysis.core.errors import InputError
from analysis.inputs import barnfattigdom, liv_och_halsa, liv_och_halsa_ung
from analysis.sources import catalog


# --------------------------------------------------------------------------- the parameter file
def editions(root: Path) -> dict[int, Path]:
    """The yearly editions in ``params/`` (files named ``<year>.yml``) by year."""
    return {int(p.stem): p for p in sorted((root / "params").glob("[0-9][0-9][0-9][0-9].yml"))}


def _shift_date(iso: str, years: int) -> str:
    d = date.fromisoformat(iso)
    day = min(d.day, calendar.monthrange(d.year + years, d.month)[1])  # 29 February
    return d.replace(year=d.year + years, day=day).isoformat()


def next_edition(base: EditionParams, year: int) -> dict[str, Any]:
    """The parameters of edition ``year`` from an earlier edition ``base``.

    Every year moves on by the gap (``compare_year``, ``pyramid_compare_year``, ``published``);
    ``previous_edition`` is ``base``; a seed spelled with the base year (``20191231``) is spelled
    with the new one, so the synthetic data differ between editions as they do now.
    """
    if year <= base.edition:
        raise ValueError(f"edition {year} must come after {base.edition}")
    gap = year - base.edition
    seed = str(base.seed)
    if seed.startswith(str(base.edition)):
        seed = str(year) + seed[len(str(base.edition)):]
    title = base.title.replace(str(base.edition), str(year))
    if title == base.title:
        title = f"{base.title} {year}"
    out: dict[str, Any] = {
        "edition": year,
        "title": title,
        "published": _shift_date(base.published, gap),
        "previous_edition": base.edition,
        "compare_year": base.compare_year + gap,
        "pyramid_compare_year": base.pyramid_compare_year + gap,
        "min_respondents": base.min_respondents,
        "min_count": base.min_count,
        "min_denominator": base.min_denominator,
        "seed": int(seed),
    }
    if base.chapters is not None:
        out["chapters"] = list(base.chapters)
    return out


def write_edition(root: Path, year: int) -> tuple[Path, Path]:
    """Write ``params/<year>.yml`` from the latest earlier edition; return (new file, base file).

    Raises
    ------
    FileExistsError
        If the file exists (it is never overwritten).
    ValueError
        If there is no earlier edition.
    """
    target = root / "params" / f"{year}.yml"
    if target.exists():
        raise FileExistsError(f"{target.relative_to(root)} exists; it is never overwritten")
    earlier = {y: p for y, p in editions(root).items() if y < year}
    if not earlier:
        raise ValueError(f"no edition before {year} in params/ to start from")
    base_file = earlier[max(earlier)]
    base = load_edition(base_file)
    new = next_edition(base, year)
    gap = year - base.edition
    head = (f"# Edition {year}: written by `make new-edition YEAR={year}` from "
            f"{base_file.relative_to(root)} (its years moved on by {gap}).\n"
            "# Check compare_year, pyramid_compare_year, published and the title before "
            "building.\n")
    body = yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=100)
    # Dates stay quoted strings (papermill#345): safe_dump quotes "2021-06-01" already.
    target.write_text(head + body, encoding="utf-8")
    try:
        load_edition(target)
    except InputError:
        target.unlink()
        raise
    return target, base_file


# --------------------------------------------------------------------------- the report
@dataclass
class Row:
    """One line of the report: a catalogued dataset or a confidential source."""

    name: str
    need: str  # required | estimated | optional | "" (not tied to the year)
    years: list[int] | None
    status: str  # yes | MISSING | estimated | not there | synthetic … | – (not tied)
    used_by: list[str]
    how: str = ""
    note: str = ""
    blocking: bool = False


def _short(stem: str) -> str:
    """``01`` for ``01_befolkning``; ``p_kommun`` for ``profil_kommun``."""
    return stem[:2] if re.match(r"\d\d_", stem) else stem.replace("profil_", "p_")


def users(root: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Which notebooks declare each dataset, and which import each ``analysis`` module."""
    by_data: dict[str, list[str]] = {}
    by_module: dict[str, list[str]] = {}
    for md in sorted((root / "notebooks").glob("*.md")):
        for name in notebook_meta(md)["inputs"]:
            by_data.setdefault(name, []).append(md.stem)
        for mod in notebook_imports(md):
            by_module.setdefault(mod, []).append(md.stem)
    return by_data, by_module


def dataset_row(name: str, year: int, root: Path, used_by: list[str]) -> Row:
    """The report's row of one catalogued dataset for edition ``year``."""
    spec = edition_spec(name, root)
    years = dataset_years(name, root)
    need = spec.get("need", "")
    there = years is not None and year in years
    if not spec:
        return Row(name, "", years, "–", used_by)
    if there:
        return Row(name, need, years, "yes", used_by)
    note = " ".join(x for x in (spec.get("from", "") and f"Estimated: {spec['from']}.",
                                spec.get("note", "")) if x)
    status = {"required": "MISSING", "estimated": "estimated", "optional": "not there"}[need]
    return Row(name, need, years, status, used_by, spec.get("update", ""), note,
               blocking=need == "required" and bool(used_by))


def _survey_row(year: int, root: Path, label: str, module: Any, suffixes: tuple[str, ...],
                synthetic_rounds: tuple[int, ...], example: str, used_by: list[str]) -> Row:
    env = os.environ.get(module.ENV_MICRODATA)
    folder = Path(env) if env else root.joinpath(*module.PRIVATE_FOLDER)
    shown = (env or "/".join(module.PRIVATE_FOLDER)).rstrip("/")
    deliver = f"Deliver the {label} {year} round as {shown}/{example.format(year=year)}."
    files = ([folder] if folder.is_file() else
             sorted(p for p in folder.iterdir() if p.suffix.lower() in suffixes
                    and "skolor" not in p.stem.lower()) if folder.is_dir() else [])
    if files:  # real rounds: the year is in each file's name
        rounds = sorted({microdata.round_year(f, example.format(year=year)) for f in files})
        real = "real"
    else:
        rounds, real = sorted(synthetic_rounds), "synthetic"
    earlier = [r for r in rounds if r <= year]
    if year in rounds:
        status = real
        how, note = ("", "") if files else ("for real figures: deliver", deliver)
    elif earlier:
        status = f"no round ({real} {max(earlier)} shown)"
        # A survey year whose file is missing, or a year without a survey.
        how, note = ("deliver", deliver) if year in synthetic_rounds else ("", "")
    else:
        status, how, note = f"MISSING (no {real} round)", "deliver", deliver
    return Row(label, "optional", rounds, status, used_by, how, note)


def _register_row(year: int, root: Path, used_by: list[str]) -> Row:
    env = os.environ.get(barnfattigdom.ENV_EXTRACT)
    path = Path(env) if env else root / barnfattigdom.DEFAULT_EXTRACT
    shown = env or barnfattigdom.DEFAULT_EXTRACT.as_posix()
    deliver = f"Deliver the register extract with income year {year} as {shown}."
    label = "register extract"
    if not path.exists():
        syn = list(barnfattigdom.YEARS)
        return Row(label, "optional", syn, "synthetic" if year in syn else "MISSING (synthetic)",
                   used_by, "for real figures: deliver", deliver)
    years = None
    if path.suffix.lower() in (".parquet", ".pq"):
        cols = {c.lower(): c for c in pq.read_schema(path).names}
        if "year" in cols:
            years = sorted({int(y) for y in pq.read_table(path, columns=[cols["year"]])
                            .column(0).to_pylist() if y is not None})
    if years is None:
        return Row(label, "optional", None, "real", used_by,
                   note=f"{shown}: its years are checked when the chapter runs.")
    there = year in years
    return Row(label, "optional", years, "real" if there else "MISSING", used_by,
               "" if there else "deliver", "" if there else deliver)


def private_rows(year: int, root: Path, by_module: dict[str, list[str]]) -> list[Row]:
    """The confidential sources, never catalogued: the two surveys and the register extract
    (real files in ``data/private/`` or where ``ANALYSIS_*`` points, else synthetic data)."""
    def used(module: Any) -> list[str]:
        return by_module.get(module.__name__, [])

    return [
        _survey_row(year, root, "Liv & hälsa", liv_och_halsa, tuple(lh_contract.ROUND_SUFFIXES),
                    liv_och_halsa.SYNTHETIC_ROUNDS, "liv_och_halsa_{year}.sav", used(liv_och_halsa)),
        _survey_row(year, root, "Liv & hälsa ung", liv_och_halsa_ung,
                    tuple(ung_contract.ROUND_SUFFIXES), liv_och_halsa_ung.SYNTHETIC_ROUNDS,
                    "liv_och_halsa_ung_{year}.sav", used(liv_och_halsa_ung)),
        _register_row(year, root, used(barnfattigdom)),
    ]


def report_rows(root: Path, year: int) -> list[Row]:
    """Every catalogued dataset, then the confidential sources, checked for ``year``: the ones
    tied to the year first (required, estimated, optional), then the others."""
    by_data, by_module = users(root)
    rows = [dataset_row(name, year, root, by_data.get(name, []))
            for name in catalog.read_catalog(root)["datasets"]]
    order = {"required": 0, "estimated": 1, "optional": 2, "": 3}
    rows.sort(key=lambda r: (order[r.need], r.name))
    return rows + private_rows(year, root, by_module)


def format_table(rows: list[Row], year: int, n_notebooks: int = 0) -> str:
    """The rows as a plain-text table, numbered notes under it (``used by`` says ``all`` for a
    source of all ``n_notebooks`` notebooks)."""
    notes: list[str] = []
    head = ["dataset / source", "need", "years in the data", str(year), "used by",
            f"how to get {year}"]
    body = []
    for r in rows:
        how = r.how or "–"
        if r.note:
            notes.append(r.note)
            how = f"{r.how} ({len(notes)})".strip()
        used = "all" if len(r.used_by) == n_notebooks else " ".join(map(_short, r.used_by))
        body.append([r.name, r.need or "–", year_span(r.years), r.status, used or "–", how])
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
             for cells in [head, ["-" * w for w in widths], *body]]
    return "\n".join(lines + [f"({i}) {n}" for i, n in enumerate(notes, 1)])


def report(root: Path, year: int) -> tuple[str, list[Row]]:
    """The report of :func:`report_rows` as text, ending with whether ``year`` can be built.

    Datasets no notebook uses and that are not tied to the year are named in one line."""
    rows = report_rows(root, year)
    n_notebooks = len(list((root / "notebooks").glob("*.md")))
    idle = [r for r in rows if not r.used_by and not r.need]
    shown = [r for r in rows if r not in idle]
    text = [f"Data for {year}: the catalogue (data/catalog.yml, data/catalog.d/) and the "
            "confidential sources (data/private/). need: required = the build stops without "
            f"{year}; estimated = the chapters estimate it; optional = shown when there; "
            "– = not tied to the year. used by: notebooks (01 = 01_befolkning, p_kommun = "
            "profil_kommun).", "", format_table(shown, year, n_notebooks), ""]
    if idle:
        text.append("Catalogued, not tied to the year and used by no notebook: "
                    + ", ".join(r.name for r in idle) + ".")
    blocking = [r for r in rows if r.blocking]
    if blocking:
        text.append(f"Edition {year} cannot be built yet: {year} is missing in "
                    + ", ".join(r.name for r in blocking) + f" (required). `make book "
                    f"EDITION={year}` refuses it until they have it.")
    else:
        text.append(f"Every required dataset has {year}: `make book EDITION={year}` can build "
                    "it.")
    return "\n".join(text), rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m analysis.book.newedition", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("year", type=int, help="the new edition's reference year, e.g. 2020")
    ap.add_argument("--check", action="store_true",
                    help="only report on the data for the year; write no parameter file")
    args = ap.parse_args(argv)
    root = catalog.project_root()
    target = root / "params" / f"{args.year}.yml"
    try:
        if args.check:
            pass
        elif target.exists():
            print(f"{target.relative_to(root)} exists and is kept (never overwritten).")
        else:
            new, base = write_edition(root, args.year)
            ed = load_edition(new)
            print(f"Wrote {new.relative_to(root)} from {base.relative_to(root)}: "
                  f"previous_edition {ed.previous_edition}, compare_year {ed.compare_year}, "
                  f"pyramid_compare_year {ed.pyramid_compare_year}, published {ed.published}, "
                  f"seed {ed.seed}. Check them before building.")
        print()
        text, _ = report(root, args.year)
        print(text)
    except (InputError, ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
