"""Edition parameter files (``params/<edition>.yml``) and the parameters each notebook receives.

Validated with pydantic before anything runs, so a typo in a parameter file stops the build with a
message naming the file and the field, not halfway through a notebook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.core import geo
from analysis.core.errors import InputError

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EditionParams(BaseModel):
    """One yearly edition of the book (``params/<edition>.yml``)."""

    model_config = ConfigDict(extra="forbid")

    edition: int = Field(ge=1990, le=2100, description="Reference year of the edition's figures")
    title: str = Field(min_length=3)
    published: str = Field(description="Publication date, quoted ISO date 'YYYY-MM-DD'")
    previous_edition: int | None = Field(default=None, description="Edition to compare with")
    compare_year: int = Field(description="Start year of the ten-year comparison")
    pyramid_compare_year: int = Field(description="Earlier year shown in the age pyramid")
    min_respondents: int = Field(default=30, ge=1, description="Disclosure: survey respondents")
    min_count: int = Field(default=5, ge=1, description="Disclosure: smallest published count")
    min_denominator: int = Field(default=20, ge=1, description="Disclosure: smallest denominator")
    seed: int = Field(default=20191231, ge=0, description="Seed of the synthetic-data generators")
    chapters: list[str] | None = Field(default=None, description="Only these notebook stems")

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
        return v

    @model_validator(mode="after")
    def _years_in_order(self) -> EditionParams:
        if self.compare_year >= self.edition:
            raise ValueError(f"compare_year {self.compare_year} must be before edition {self.edition}")
        if self.pyramid_compare_year >= self.edition:
            raise ValueError("pyramid_compare_year must be before the edition year")
        if self.previous_edition is not None and self.previous_edition >= self.edition:
            raise ValueError("previous_edition must be before the edition year")
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
    if not isinstance(raw, dict):
        raise InputError(str(path), "an edition file must be a mapping of field: value")
    try:
        return EditionParams(**raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(str(path), f"invalid edition parameters: {problems}") from None


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
