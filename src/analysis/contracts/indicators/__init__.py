"""The indicator registry: what every indicator the book shows means, read from ``indicators.yml``.

Each entry gives the definition, numerator and denominator, unit, polarity (is a higher value
better or worse), source and the method of the confidence interval; a survey item names the
variables of its survey contract (:mod:`analysis.contracts.lh_contract`,
:mod:`analysis.contracts.ung_contract`), whose question wording the indicator pages quote. The
book writes one page per indicator from it (:mod:`analysis.book.bookpages`), and tables and
figures link to those pages (``indicators=`` of :func:`analysis.present.publish.table`).

The registry is a subpackage of its own so that its data file is part of the code hash only of
the modules that read it (the page writers), not of every notebook that imports a contract.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analysis.contracts import lh_contract, ung_contract
from analysis.core.errors import InputError

REGISTRY = Path(__file__).with_name("indicators.yml")

#: Topics in the order of the index page, with their Swedish headings.
TOPICS: dict[str, str] = {
    "befolkning": "Befolkning",
    "livsvillkor": "Livsvillkor i kommunerna",
    "malgrupp": "Målgrupp för samordnade insatser",
    "barns_ekonomi": "Barns ekonomi",
    "vuxnas_halsa": "Vuxnas hälsa (Liv & hälsa)",
    "ungas_halsa": "Ungas hälsa (Liv & hälsa ung)",
}
#: Polarity: is a higher value better, worse or neither?
POLARITY: dict[str, str] = {
    "hog": "Ett högre värde är bättre.",
    "lag": "Ett lägre värde är bättre.",
    "neutral": "Varken högt eller lågt värde är i sig bättre; värdet beskriver ett förhållande.",
}
#: The same, briefly (the index page).
POLARITY_SHORT: dict[str, str] = {"hog": "högre är bättre", "lag": "lägre är bättre",
                                  "neutral": "varken högre eller lägre är bättre"}
#: Units, as the pages name them.
UNITS: dict[str, str] = {
    "antal": "antal personer",
    "andel": "andel i procent",
    "procent": "procent",
    "kvot": "kvot",
    "per1000": "per 1 000 invånare",
    "tkr": "tusen kronor",
    "kr": "kronor",
}
#: Interval methods, explained for readers.
INTERVALS: dict[str, str] = {
    "none": "Inget intervall. Värdet är en räkning av hela befolkningen i ett register, inte en "
            "skattning från ett urval, eller ett belopp ur ett dokument.",
    "wilson": "95 procents konfidensintervall enligt Wilsons metod för andelar (Wilson 1927). "
              "Intervallet visar den slumpmässiga variationen från år till år när gruppen är "
              "liten, även om hela befolkningen räknas.",
    "byar": "95 procents konfidensintervall för antal händelser enligt Byars metod (Poisson), "
            "som Folkhälsomyndigheten och Public Health England använder.",
    "logit": "95 procents konfidensintervall för en andel från en enkät, beräknat på "
             "logitskalan med hänsyn till vikter och urvalsdesign (Taylorlinjärisering).",
    "prognos": "Intervall på 80 och 95 procent byggda på hur stora felen blev i tidigare "
               "framskrivningar med samma metod (empiriska prognosintervall).",
}
#: What the survey's question wording is taken from.
WORDINGS: dict[str, str] = {
    "frageformular": "Frågan så som regionens dokument citerar den ur frågeformuläret.",
    "kontrakt": "Frågan så som den står i bokens beskrivning av enkätens variabler; den exakta "
                "formuleringen finns i enkätens frågeformulär.",
}
SURVEYS: dict[str, tuple[str, object]] = {"lh": ("Liv & hälsa", lh_contract),
                                          "ung": ("Liv & hälsa ung", ung_contract)}
_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-zA-Z0-9]+)*$")


class Source(BaseModel):
    """Who produces the figures and in which statistics, document or table."""

    model_config = ConfigDict(extra="forbid")
    producer: str = Field(min_length=2)
    title: str = Field(min_length=2)
    table: str | None = None


class Survey(BaseModel):
    """The survey item(s) behind an indicator."""

    model_config = ConfigDict(extra="forbid")
    contract: Literal["lh", "ung"]
    items: list[str] = Field(min_length=1)
    answers: str = Field(min_length=1)
    wording: Literal["frageformular", "kontrakt"]


class Indicator(BaseModel):
    """One registry entry (see the header of ``indicators.yml``)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    label: str = Field(min_length=2)
    topic: Literal[tuple(TOPICS)]  # type: ignore[valid-type]
    definition: str = Field(min_length=10)
    unit: Literal[tuple(UNITS)]  # type: ignore[valid-type]
    numerator: str = Field(min_length=3)
    denominator: str | None = None
    polarity: Literal[tuple(POLARITY)]  # type: ignore[valid-type]
    source: Source
    interval: Literal[tuple(INTERVALS)]  # type: ignore[valid-type]
    survey: Survey | None = None
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("id", "aliases")
    @classmethod
    def _snake(cls, v):
        for s in [v] if isinstance(v, str) else v:
            if not _ID.match(s):
                raise ValueError(f"{s!r} is not a snake_case id (a–z, digits, _)")
        return v

    def questions(self) -> list[str]:
        """The survey's question wording of each item (empty if not a survey indicator)."""
        if self.survey is None:
            return []
        contract = SURVEYS[self.survey.contract][1]
        by_name = {v.name: v for v in contract.VARIABLES}
        return list(dict.fromkeys(by_name[i].question for i in self.survey.items))


def _check_items(ind: Indicator, path: str) -> None:
    if ind.survey is None:
        return
    name, contract = SURVEYS[ind.survey.contract]
    known = {v.name for v in contract.VARIABLES}
    bad = [i for i in ind.survey.items if i not in known]
    if bad:
        raise InputError(path, f"indicator {ind.id!r}: survey items {bad} are not variables of "
                         f"the {name} contract", column="survey.items", values=bad)
    if ind.unit != "andel" and ind.unit != "kvot":
        raise InputError(path, f"indicator {ind.id!r}: a survey indicator is a share or a ratio, "
                         f"not {ind.unit!r}", column="unit", values=[ind.unit])


def parse(raw: object, path: str = "indicators.yml") -> dict[str, Indicator]:
    """Validate a registry read from YAML; return ``{id: Indicator}``.

    Raises
    ------
    InputError
        Naming the file, the entry and the field: not a mapping, an unknown or missing field, a
        value outside its vocabulary, a survey item that its contract does not have, or an id
        or alias used twice.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), dict):
        raise InputError(path, "the registry must be a mapping with one key 'indicators' "
                         "(indicator id → entry)")
    out: dict[str, Indicator] = {}
    seen: dict[str, str] = {}
    for key, entry in raw["indicators"].items():
        if not isinstance(entry, dict):
            raise InputError(path, f"indicator {key!r}: the entry must be a mapping of fields")
        try:
            ind = Indicator(id=str(key), **entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(path, f"indicator {key!r}, field {field!r}: {first['msg']}"
                             + (f" ({len(exc.errors()) - 1} more problems)"
                                if len(exc.errors()) > 1 else ""), column=field) from None
        _check_items(ind, path)
        for name in [ind.id, *ind.aliases]:
            if name in seen:
                raise InputError(path, f"id {name!r} is used twice (entries {seen[name]!r} and "
                                 f"{ind.id!r})", values=[name])
            seen[name] = ind.id
        out[ind.id] = ind
    return out


def read(path: Path | str) -> dict[str, Indicator]:
    """Read and validate a registry file (:func:`parse`)."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(str(p), f"cannot read the indicator registry: {exc}") from None
    return parse(raw, str(p))


@lru_cache(maxsize=1)
def registry() -> dict[str, Indicator]:
    """The book's registry (``indicators.yml`` beside this module), read once."""
    return read(REGISTRY)


def aliases(reg: dict[str, Indicator] | None = None) -> dict[str, str]:
    """Every id and alias → the id of its entry."""
    reg = registry() if reg is None else reg
    return {name: ind.id for ind in reg.values() for name in [ind.id, *ind.aliases]}


def resolve(name: str, reg: dict[str, Indicator] | None = None) -> Indicator:
    """The entry of an id or alias.

    Raises
    ------
    KeyError
        If the registry has no such id or alias.
    """
    reg = registry() if reg is None else reg
    ids = aliases(reg)
    if name not in ids:
        raise KeyError(f"indicator {name!r} is not in the registry ({REGISTRY.name})")
    return reg[ids[name]]


def unknown(names, reg: dict[str, Indicator] | None = None) -> list[str]:
    """The names (ids or aliases) the registry does not know, sorted and without repeats."""
    ids = aliases(reg)
    return sorted({str(n) for n in names} - set(ids))
