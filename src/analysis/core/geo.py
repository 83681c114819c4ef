"""Geography of Örebro län: kommun codes and names, and the Finsam förbund that group them.

This module is the one place where the län's areas are defined; every chapter and
profile page takes its codes, names and groupings from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LAN_KOD = "18"
LAN_NAMN = "Örebro län"

#: SCB kommun codes (4-character strings) and short names, in SCB code order.
KOMMUNER: dict[str, str] = {
    "1814": "Lekeberg",
    "1860": "Laxå",
    "1861": "Hallsberg",
    "1862": "Degerfors",
    "1863": "Hällefors",
    "1864": "Ljusnarsberg",
    "1880": "Örebro",
    "1881": "Kumla",
    "1882": "Askersund",
    "1883": "Karlskoga",
    "1884": "Nora",
    "1885": "Lindesberg",
}


@dataclass(frozen=True)
class Forbund:
    """A samordningsförbund (Finsam) and the kommuner that are its members."""

    kod: str
    namn: str
    fullt_namn: str
    kommuner: tuple[str, ...]


#: The four samordningsförbund of Örebro län (003_e03a011979e317c6.txt, Figur 1, rows 857–935).
FORBUND: dict[str, Forbund] = {
    f.kod: f
    for f in (
        Forbund("LO", "Lekeberg/Örebro", "Finsam Lekeberg och Örebro", ("1814", "1880")),
        Forbund("SN", "Sydnärke", "Samordningsförbundet Sydnärke", ("1882", "1861", "1881", "1860")),
        Forbund("DK", "Degerfors/Karlskoga", "Finsam Degerfors/Karlskoga", ("1862", "1883")),
        Forbund("SO", "SOFINT", "Samordningsförbundet Norra Örebro län (SOFINT)", ("1885", "1863", "1864", "1884")),
    )
}


def kommun_namn(kod: str) -> str:
    """Return the short name of a kommun in Örebro län.

    Raises
    ------
    KeyError
        If ``kod`` is not one of the 12 kommun codes of the län.
    """
    try:
        return KOMMUNER[str(kod)]
    except KeyError:
        raise KeyError(
            f"Unknown kommun code {kod!r}: Örebro län has {', '.join(KOMMUNER)}"
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
