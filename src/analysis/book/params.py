"""Edition parameter files (``params/<edition>.yml``) and the parameters each notebook receives.

Validated with pydantic before anything runs, so a typo in a parameter file stops the build with a
message naming the file and the field, not halfway through a notebook. Then
:func:`check_edition_data` stops an edition whose year is missing in a dataset it requires (the
``edition_year`` entries of the catalogue; ``make new-edition`` reports on all of them,
:mod:`analysis.book.newedition`).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jupytext
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import catalog

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: What an edition's year means for a dataset (``edition_year.need`` in the catalogue).
NEEDS = ("required", "estimated", "optional")
#: Year columns looked for when ``edition_year.column`` is not given.
YEAR_COLUMNS = ("ar", "period", "year")


class EditionParams(BaseModel):
    """One yearly edition of the book (``params/<edition>.yml``)."""

    model_config = ConfigDict(extra="forbid")

    edition: StrictInt = Field(ge=1990, le=2100, description="Reference year of the edition's figures")
    title: StrictStr = Field(min_length=3, description="The book's title; {region} stands for the "
                             "region's name (Örebro län, Uppsala län, Sveriges kommuner)")
    published: str = Field(description="Publication date, quoted ISO date 'YYYY-MM-DD'")
    previous_edition: StrictInt | None = Field(default=None, description="Edition to compare with")
    compare_year: StrictInt = Field(ge=1900, description="Start year of the ten-year comparison")
    pyramid_compare_year: StrictInt = Field(ge=1900, description="Earlier year shown in the age pyramid")
    min_respondents: StrictInt = Field(default=30, ge=1, description="Disclosure: survey respondents")
    min_count: StrictInt = Field(default=5, ge=1, description="Disclosure: smallest published count")
    min_denominator: StrictInt = Field(default=20, ge=1, description="Disclosure: smallest denominator")
    seed: StrictInt = Field(default=20191231, ge=0, description="Seed of the synthetic-data generators")
    chapters: list[StrictStr] | None = Field(default=None, description="Only these notebook stems")
    areas: list[StrictStr] | None = Field(default=None, description="Only these areas' profiles "
                                          "(kommun or förbund codes of the region)")

    @field_validator("published", mode="before")
    @classmethod
    def _quoted_date(cls, v: Any) -> str:
        if not isinstance(v, str):
            raise ValueError(
                "dates must be quoted strings like '2020-06-01' (YAML turns unquoted dates "
                "into date objects, papermill#345)"
            )
        if not DATE_RE.match(v):
            raise ValueError(f"{v!r} is not an ISO date YYYY-MM-DD")
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"{v!r} is not a valid date (no such day)") from None
        return v

    @field_validator("chapters")
    @classmethod
    def _chapters_listed(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise ValueError("an empty list would build a book without chapters; leave "
                             "'chapters' out to build them all")
        return v

    @model_validator(mode="after")
    def _years_in_order(self) -> EditionParams:
        if self.compare_year >= self.edition:
            raise ValueError(f"compare_year {self.compare_year} must be before edition {self.edition}")
        if self.pyramid_compare_year >= self.edition:
            raise ValueError("pyramid_compare_year must be before the edition year")
        if self.previous_edition is not None and self.previous_edition >= self.edition:
            raise ValueError("previous_edition must be before the edition year")
        if isinstance(self.published, str) and int(self.published[:4]) <= self.edition:
            raise ValueError(f"published {self.published} must be after the edition year "
                             f"{self.edition} (an edition reports on a year that has ended)")
        return self


class NotebookParams(BaseModel):
    """Exactly the names of every notebook's ``parameters`` cell (scalars only)."""

    model_config = ConfigDict(extra="forbid")

    edition: int
    area_code: str
    compare_year: int
    pyramid_compare_year: int
    min_respondents: int
    min_count: int
    min_denominator: int
    seed: int

    @field_validator("area_code")
    @classmethod
    def _known_area(cls, v: str) -> str:
        geo.area_name(v)  # raises KeyError for unknown codes
        return v


def load_edition(path: Path | str) -> EditionParams:
    """Read and validate an edition file.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or a field is invalid (named in the message).
    """
    path = Path(path)
    if not path.exists():
        available = sorted(p.stem for p in path.parent.glob("*.yml"))
        raise InputError(str(path), f"no such edition file; available: {', '.join(available)}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 (byte {exc.start}: "
                         f"{exc.object[exc.start:exc.start + 1]!r}); save it as UTF-8") from None
    if not isinstance(raw, dict):
        raise InputError(str(path), "an edition file must be a mapping of field: value")
    try:
        ed = EditionParams(**raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {_say(e)}" for e in exc.errors()
        )
        raise InputError(str(path), f"invalid edition parameters: {problems}") from None
    ed = ed.model_copy(update={"title": ed.title.replace("{region}", geo.REGION.titel)})
    if re.fullmatch(r"\d{4}", path.stem) and int(path.stem) != ed.edition:
        raise InputError(str(path), f"edition: {ed.edition} does not match the file name "
                         f"{path.name}: the book would be published under html/{path.stem} "
                         f"with the figures of {ed.edition}. Set edition: {path.stem}, or "
                         f"use params/{ed.edition}.yml", column="edition")
    return ed


def _say(err: dict[str, Any]) -> str:
    """One pydantic error in words; a YAML yes/no read as a boolean is named as such."""
    if isinstance(err.get("input"), bool) and err.get("type", "").endswith("_type"):
        word = "yes/true/on" if err["input"] else "no/false/off"
        return (f"got the boolean {err['input']} (YAML reads {word} as a boolean), "
                f"expected a whole number; write the number")
    if err.get("type") in ("int_type", "string_type"):
        return f"{err['msg']} (got {err.get('input')!r} of type {type(err.get('input')).__name__})"
    return err["msg"]


def notebook_params(ed: EditionParams, area_code: str = geo.LAN_KOD) -> dict[str, Any]:
    """The parameters injected into one notebook run (validated)."""
    p = NotebookParams(
        edition=ed.edition,
        area_code=area_code,
        compare_year=ed.compare_year,
        pyramid_compare_year=ed.pyramid_compare_year,
        min_respondents=ed.min_respondents,
        min_count=ed.min_count,
        min_denominator=ed.min_denominator,
        seed=ed.seed,
    )
    return p.model_dump()


def parameter_defaults(md_path: Path | str) -> dict[str, Any]:
    """The defaults of a notebook's ``parameters`` cell: what a notebook runs with when it is
    opened in JupyterLab and run as it is (papermill replaces them in a build).

    Raises
    ------
    InputError
        If the notebook has no or several ``parameters`` cells, or the cell holds anything but
        ``name = literal`` lines.
    """
    md_path = Path(md_path)
    nb = jupytext.read(md_path)
    cells = [c for c in nb.cells
             if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise InputError(str(md_path), f"needs exactly one cell tagged 'parameters', has {len(cells)}")
    out: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        try:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                raise ValueError
            out[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise InputError(str(md_path), "the parameters cell may only hold `name = value` "
                             f"lines with literal values (cell line {node.lineno})") from None
    return out


# --------------------------------------------------------------------------- the edition's data
def edition_spec(name: str, root: Path | None = None) -> dict[str, Any]:
    """A dataset's ``edition_year`` catalogue entry (empty when it is not tied to the year).

    Raises
    ------
    InputError
        If ``need`` is not one of :data:`NEEDS`.
    """
    spec = catalog.entry(name, root).get("edition_year") or {}
    if spec and spec.get("need") not in NEEDS:
        raise InputError("data/catalog.yml", f"dataset {name!r}: edition_year.need must be one "
                         f"of {', '.join(NEEDS)}, not {spec.get('need')!r}")
    return spec


@lru_cache(maxsize=64)
def _years(path: str, md5: str, column: str | None, values: str | None) -> tuple[int, ...] | None:
    df = catalog.read_csv(path)
    col = column or next((c for c in YEAR_COLUMNS if c in df.columns), None)
    if col is not None:
        if col not in df.columns:
            raise InputError(path, f"edition_year.column {col!r} is not a column of the file")
        if values:
            df = df[df[values].notna()]
        years = pd.to_numeric(df[col], errors="coerce").dropna()  # "2017-2019" is not a year
        return tuple(sorted({int(y) for y in years if 1000 <= y <= 9999}))
    wide = sorted(int(c) for c in df.columns if re.fullmatch(r"\d{4}", str(c)))
    return tuple(wide) or None


def dataset_years(name: str, root: Path | None = None) -> list[int] | None:
    """The years a catalogued dataset holds, read from the file the active region reads
    (:func:`analysis.sources.catalog.resolve`; the md5 is part of the memo key); None if it
    has no years (no year column, or not a table, e.g. map boundaries)."""
    root = root or catalog.project_root()
    ent = catalog.resolve(name, root)
    if ent.get("driver") != "csv":
        return None
    # a region's part of a national table: the national file's own year columns
    spec = {} if "reshape" in ent else ent.get("edition_year") or {}
    ys = _years(str(root / "data" / ent["relpath"]), ent["md5"], spec.get("column"),
                spec.get("values"))
    return None if ys is None else list(ys)


def year_span(years: Iterable[int] | None) -> str:
    """``1950–2019`` or ``2000, 2004–2006`` (runs of years); ``–`` for none."""
    runs: list[list[int]] = []
    for y in sorted(set(years or ())):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or "–"


def check_edition_data(root: Path, ed: EditionParams, inputs: Iterable[str]) -> None:
    """Refuse an edition whose year is missing in a dataset it requires.

    ``inputs`` are the datasets the planned notebooks declare (a build with ``--only`` checks
    the chapters it builds); those whose catalogue entry says ``edition_year: need: required``
    must hold the edition's year.

    Raises
    ------
    InputError
        Naming ``params/<edition>.yml``, every such dataset without the year (with the years it
        has and how to get the year) and the command that reports on all sources.
    """
    missing, outside = [], []
    for name in sorted(set(inputs)):
        spec = edition_spec(name, root)
        if not spec or not catalog.available(name, root):  # not read in this region
            continue
        wanted = spec.get("params") or (["edition"] if spec.get("need") == "required" else [])
        if not wanted:
            continue
        years = dataset_years(name, root)
        for field in wanted:
            year = getattr(ed, field)
            if years is not None and year in years:
                continue
            if field == "edition":
                how = f", {spec['update']}" if spec.get("update") else ""
                missing.append(f"{name} (has {year_span(years)}{how})")
            else:
                outside.append(f"{field}: {year} is outside the years of {name} "
                               f"({year_span(years)})")
    if outside:
        raise InputError(f"params/{ed.edition}.yml", "; ".join(outside)
                         + ". Choose a year the data hold")
    if missing:
        raise InputError(
            f"params/{ed.edition}.yml",
            f"edition {ed.edition} cannot be built: the data for {ed.edition} are missing in "
            + "; ".join(missing) + f". `make new-edition YEAR={ed.edition}` lists every source "
            "and how to get the year")


def read_memo(memo: Path | None) -> dict[str, str]:
    """A JSON memo of checks already passed (name -> stamp); empty if absent or unreadable."""
    if memo is None:
        return {}
    try:
        seen = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return seen if isinstance(seen, dict) else {}


def check_inputs(root: Path, names: Iterable[str], memo: Path | None = None) -> list[str]:
    """Load every catalogued table the planned notebooks declare, before any runs: its md5,
    schema and completeness (``complete:``, :func:`analysis.sources.catalog.check_complete`)
    and, for national kommun series, their consistency with the län series
    (:func:`analysis.sources.catalog.check_consistency`) are checked here, so a bad table stops the build at validation, not in a notebook.

    ``memo`` (a JSON file) remembers tables already checked by md5 and catalogue entry, as
    resolved for the active region (:func:`analysis.sources.catalog.resolve`); a table the
    region does not have (:func:`analysis.sources.catalog.available`) is not checked.
    Returns the names checked now.

    Raises
    ------
    InputError
        As :func:`analysis.sources.catalog.load`, naming the file, column and rows.
    """
    seen = read_memo(memo)
    checked = []
    for name in sorted(set(names)):
        ent = catalog.resolve(name, root)
        if ent.get("driver") != "csv" or not catalog.available(name, root):
            continue
        spec = ent.get("reconcile")
        deps = [catalog.entry(spec[k], root) for k in ("with", "codes")] \
            if isinstance(spec, dict) and {"with", "codes"} <= set(spec) else []
        stamp = hashlib.sha256(json.dumps([ent, *deps], sort_keys=True, default=str).encode()
                               ).hexdigest()
        if seen.get(name) == stamp:
            continue
        df = catalog.load(name, root=root)
        catalog.check_consistency(name, df, root=root)
        seen[name] = stamp
        checked.append(name)
    if memo is not None and checked:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_name(f"{memo.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(seen, indent=1), encoding="utf-8")
            tmp.replace(memo)
        except OSError:
            pass  # only a memo
    return checked


def notebook_stems(root: Path) -> list[str]:
    """The stems of the chapter and profile notebooks (``notebooks/*.md``)."""
    return sorted(p.stem for p in (root / "notebooks").glob("*.md"))


def check_chapters(root: Path, chapters: Iterable[str] | None, where: str,
                   known: list[str] | None = None) -> None:
    """Refuse chapter stems that are not notebooks (a typo would build a book without them).

    ``known``: the notebooks of the region's book (default: every notebook); a notebook outside
    them is refused as not belonging to the region's book.

    Raises
    ------
    InputError
        Naming ``where`` (the params file or ``--only``), the unknown stems and the known ones.
    """
    if chapters is None:
        return
    if not list(chapters):
        raise InputError(where, "names no chapter; leave it out to build them all",
                         column="chapters")
    every = notebook_stems(root)
    known = every if known is None else known
    unknown = [c for c in chapters if c not in known]
    if unknown:
        elsewhere = [c for c in unknown if c in every]
        if elsewhere:
            raise InputError(where, f"chapter(s) {', '.join(map(repr, elsewhere))} are not in "
                             f"{geo.REGION.namn}'s book (their data exist for other regions); "
                             f"its notebooks are {', '.join(known)}", column="chapters")
        raise InputError(where, f"unknown chapter(s) {', '.join(map(repr, unknown))}; the "
                         f"notebooks are {', '.join(known)}", column="chapters")


def check_parameter_names(md_paths: Iterable[Path | str], root: Path | None = None,
                          memo: Path | None = None) -> None:
    """Every notebook's ``parameters`` cell holds exactly the names the build passes.

    A renamed parameter (``min_resp`` for ``min_respondents``) would otherwise run with the
    notebook's default while the edition's value is injected under a name nobody reads.
    ``memo`` (a JSON file) remembers the notebooks already found right, by the hash of their
    text and of the names passed, so an unchanged notebook is not parsed again.

    Raises
    ------
    InputError
        Naming the notebook, the names the build does not pass and those the cell lacks.
    """
    wanted = set(NotebookParams.model_fields)
    seen = read_memo(memo)
    good = dict(seen) if isinstance(seen, dict) else {}
    for md in md_paths:
        md = Path(md)
        digest = hashlib.sha256(md.read_bytes() + "|".join(sorted(wanted)).encode()).hexdigest()
        if good.get(str(md)) == digest:
            continue
        names = set(parameter_defaults(md))
        extra, lacking = sorted(names - wanted), sorted(wanted - names)
        if extra or lacking:
            shown = md.relative_to(root) if root and md.is_relative_to(root) else md
            parts = []
            if extra:
                parts.append(f"sets {', '.join(extra)}, which the edition does not pass (the "
                             "notebook would run with this default, not the edition's value)")
            if lacking:
                parts.append(f"lacks {', '.join(lacking)}")
            raise InputError(str(shown), "the parameters cell " + " and ".join(parts)
                             + f"; the build passes exactly {', '.join(sorted(wanted))}",
                             column="parameters")
        good[str(md)] = digest
    if memo is not None and good != seen:
        with contextlib.suppress(OSError):
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_name(f"{memo.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(good, indent=0), encoding="utf-8")
            tmp.replace(memo)
