"""Geography of the book's region: kommun codes and names, and the Finsam förbund that group them.

This module is the one place where the region's areas are defined; every chapter and profile
page takes its codes, names and groupings from here. The regions themselves (every län of
Sweden, with its kommuner, and riket) are parameters in ``regioner.yml`` beside this module, not
code; ``tests/unit/test_regions.py`` checks them against SCB's catalogued code lists.

The book is built for one region at a time (``python -m analysis.book.build book --region 03``).
The build names it in the environment variable ``ANALYSIS_REGION`` of every process it starts
(kernels, workers), and this module reads it once, when it is first imported:
:data:`LAN_KOD`, :data:`LAN_NAMN`, :data:`KOMMUNER` and :data:`FORBUND` are that region's.
Without the variable the region is Örebro län (``default`` in ``regioner.yml``). Code that
handles several regions at once (the build's planning, tests) asks :func:`region` for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from analysis.core.regions import (  # noqa: F401 - re-exported: geo is where areas are asked
    RIKET,
    RIKET_KOD,
    Forbund,
    Region,
    region,
    regions,
)

ENV_REGION = "ANALYSIS_REGION"


def active_region() -> Region:
    """The region of this process: ``ANALYSIS_REGION``, or the default (Örebro län)."""
    return region(os.environ.get(ENV_REGION) or None)


#: The region this process was started for (see the module docstring).
REGION: Region = active_region()
LAN_KOD: str = REGION.kod
LAN_NAMN: str = REGION.namn
#: SCB kommun codes (4-character strings) and short names, in SCB code order.
KOMMUNER: dict[str, str] = dict(REGION.kommuner)
#: The samordningsförbund of the region (Finsam), where the book has them.
FORBUND: dict[str, Forbund] = dict(REGION.forbund)


def kommun_namn(kod: str) -> str:
    """Return the short name of a kommun of the region.

    Raises
    ------
    KeyError
        If ``kod`` is not one of the kommun codes of the region.
    """
    try:
        return KOMMUNER[str(kod)]
    except KeyError:
        raise KeyError(
            f"Unknown kommun code {kod!r}: {LAN_NAMN} has {', '.join(KOMMUNER)}"
        ) from None


def kommun_till_forbund(forbund: Mapping[str, Forbund | Iterable[str]] | None = None
                        ) -> dict[str, str]:
    """Map each kommun code to the code of the förbund it belongs to.

    Parameters
    ----------
    forbund
        A förbund → kommuner mapping to check and invert (values are :class:`Forbund` or
        iterables of kommun codes); default :data:`FORBUND`, the one mapping the book uses.

    Raises
    ------
    ValueError
        If a kommun is listed under two förbund, a förbund lists a code that is not a kommun of
        the län, or a kommun of the län is under none.
    """
    forbund = FORBUND if forbund is None else forbund
    mapping: dict[str, str] = {}
    for kod, f in forbund.items():
        kommuner = f.kommuner if isinstance(f, Forbund) else tuple(f)
        for k in kommuner:
            if k in mapping:
                raise ValueError(f"Kommun {k} is listed under both {mapping[k]} and {kod}")
            if k not in KOMMUNER:
                raise ValueError(f"Förbund {kod} lists {k}, which is not a kommun of {LAN_NAMN}")
            mapping[k] = kod
    missing = sorted(set(KOMMUNER) - set(mapping))
    if missing:
        raise ValueError(f"Kommuner without a förbund: {missing}")
    return mapping


def forbund_namn(kod: str) -> str:
    """Return the short name of a förbund from its code (``"LO"``, ``"SN"``, ``"DK"``, ``"SO"``)."""
    try:
        return FORBUND[kod].namn
    except KeyError:
        raise KeyError(f"Unknown förbund code {kod!r}: known are {', '.join(FORBUND)}") from None


def area_name(area_code: str) -> str:
    """Name of any area code used in the book: the län, a kommun or a förbund."""
    if area_code == LAN_KOD:
        return LAN_NAMN
    if area_code in KOMMUNER:
        return KOMMUNER[area_code]
    if area_code in FORBUND:
        return FORBUND[area_code].namn
    raise KeyError(f"Unknown area code {area_code!r}")
