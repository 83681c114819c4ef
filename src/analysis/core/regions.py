"""The regions the book can be built for: every län of Sweden with its kommuner, and riket.

They are parameters in ``regioner.yml`` beside this module (``tests/unit/test_regions.py`` checks
them against SCB's catalogued code lists). Nothing here reads the environment: which region a
process is for is :mod:`analysis.core.geo`'s business.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

REGIONS_FILE = Path(__file__).with_name("regioner.yml")
RIKET = "riket"
RIKET_KOD = "00"


@dataclass(frozen=True)
class Forbund:
    """A samordningsförbund (Finsam) and the kommuner that are its members."""

    kod: str
    namn: str
    fullt_namn: str
    kommuner: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    """A region the book can be built for: a län, or riket (all kommuner of Sweden).

    ``underlag`` names the region-specific material the book has for it (``lan`` for every
    län, ``riket`` for the national edition, and e.g. ``finsam`` or ``liv_och_halsa`` where the
    region's own data, or their documented synthetic stand-in, exist); a notebook that needs
    material the region lacks is left out of its book.
    """

    kod: str  # "18"; "00" for riket
    namn: str  # "Örebro län"; "Riket"
    slug: str  # folder name under _build/html: "orebro-lan", "riket"
    kommuner: dict[str, str]
    forbund: dict[str, Forbund] = field(default_factory=dict)
    underlag: frozenset[str] = frozenset()
    lan: dict[str, str] = field(default_factory=dict)  # the län of the region, code → name
    kommun_lan: dict[str, str] = field(default_factory=dict)  # kommun code → län code
    titel: str = ""  # in the book's title: "Örebro län"; "Sveriges kommuner"
    utgivare: str = ""  # who publishes the region's book (printed pages' foot); default titel

    @property
    def is_riket(self) -> bool:
        return self.kod == RIKET_KOD

    def has(self, material: Iterable[str]) -> bool:
        """True if the region has every named material (see the class docstring)."""
        return set(material) <= self.underlag


def slugify(name: str) -> str:
    """``"Västra Götalands län"`` → ``"vastra-gotalands-lan"`` (ASCII, for folder names)."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(ascii_.lower().split())


@cache
def _regions_file() -> dict:
    with REGIONS_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _lan_region(kod: str, spec: Mapping) -> Region:
    forbund = {f["kod"]: Forbund(f["kod"], f["namn"], f["fullt_namn"], tuple(f["kommuner"]))
               for f in spec.get("forbund") or []}
    kommuner = dict(spec["kommuner"])
    return Region(kod, spec["namn"], slugify(spec["namn"]), kommuner, forbund,
                  frozenset(spec.get("underlag") or ()), {kod: spec["namn"]},
                  dict.fromkeys(kommuner, kod), spec["namn"], spec.get("utgivare", ""))


@cache
def _all_regions() -> dict[str, Region]:
    data = _regions_file()
    regions = {kod: _lan_region(kod, spec) for kod, spec in data["lan"].items()}
    riket = data["riket"]
    kommuner = {k: n for r in regions.values() for k, n in sorted(r.kommuner.items())}
    regions[RIKET_KOD] = Region(
        RIKET_KOD, riket["namn"], RIKET, dict(sorted(kommuner.items())), {},
        frozenset(riket.get("underlag") or ()), {r.kod: r.namn for r in regions.values()},
        {k: r.kod for r in regions.values() for k in r.kommuner}, riket.get("titel", riket["namn"]),
        riket.get("utgivare", ""))
    return regions


def regions() -> list[Region]:
    """Every region the book can be built for: the 21 län in code order, then riket."""
    return list(_all_regions().values())


def region(key: str | int | None = None) -> Region:
    """The region named by ``key``: a län code (``"03"``, ``3``), its name (``"Uppsala län"``,
    ``"Uppsala"``), its folder name (``"uppsala-lan"``), or ``"riket"``/``"00"``; ``None`` is
    the default region (Örebro län).

    Raises
    ------
    KeyError
        If nothing matches, listing the valid codes.
    """
    regions_ = _all_regions()
    if key is None:
        key = _regions_file()["default"]
    text = str(key).strip()
    if text.isdigit():
        text = text.zfill(2)
    if text in regions_:
        return regions_[text]
    wanted = slugify(text)
    for r in regions_.values():
        if wanted in (r.slug, slugify(r.namn.removesuffix(" län")), r.slug.removesuffix("-lan")):
            return r
    raise KeyError(f"Unknown region {key!r}: use a län code ({', '.join(k for k in regions_ if k != RIKET_KOD)}), "
                   f"a län name or 'riket'")
