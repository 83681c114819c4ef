"""What the two survey inputs share: which rounds a page uses and the object they come in.

:func:`select` and :func:`load` are the one rounds loader behind
:func:`analysis.inputs.liv_och_halsa.load_rounds` and
:func:`analysis.inputs.liv_och_halsa_ung.load_rounds`: real rounds when a source is in place,
else synthetic ones, in one :class:`SurveyRounds` shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.paths import project_root


class SurveyRounds(dict):
    """``{year: round}`` with ``frames`` (the population frame of each round), ``synthetic``
    (True for generated data) and ``source`` (where the data came from, never an absolute
    path: :func:`public_source`)."""

    frames: dict[int, pd.DataFrame]
    synthetic: bool
    source: str


def select(available: Iterable[int], edition: int, *, years: Iterable[int] | None = None,
           latest: bool = False, what: str = "survey", where: str | None = None) -> list[int]:
    """The rounds a page uses: those of ``available`` up to ``edition`` (and in ``years``),
    or only the last of them (``latest``).

    Raises
    ------
    ValueError
        When no round qualifies; the message lists the rounds there are.
    """
    rounds = sorted(available)
    wanted = [y for y in rounds if y <= edition and (years is None or y in years)]
    if not wanted:
        place = f" in {where}" if where else ""
        raise ValueError(f"no {what} round up to {edition}{place} (rounds: {rounds})")
    return [max(wanted)] if latest else wanted


def load(edition: int, *, source: Any, read_real: Callable[[Any], Mapping[int, Any]],
         synthetic_rounds: Iterable[int],
         make_synthetic: Callable[[list[int], dict[int, pd.DataFrame]], Mapping[int, Any]],
         make_frame: Callable[[int], pd.DataFrame], synthetic_source: str,
         years: Iterable[int] | None = None, latest: bool = False,
         what: str = "survey") -> SurveyRounds:
    """Rounds up to ``edition``: read with ``read_real(source)`` when ``source`` is set, else
    made by ``make_synthetic(years, frames)``; each with its frame ``make_frame(year)``."""
    found = read_real(source) if source else None
    available = found.keys() if found is not None else synthetic_rounds
    wanted = select(available, edition, years=years, latest=latest, what=what,
                    where=str(source) if source else None)
    out = SurveyRounds()
    out.frames = {y: make_frame(y) for y in wanted}
    data = found if found is not None else make_synthetic(wanted, out.frames)
    out.update({y: data[y] for y in wanted})
    out.synthetic = not source
    out.source = public_source(source) if source else synthetic_source
    return out


def public_source(source: Any) -> str:
    """Where real data came from, as pages may show it: relative to the repository
    (``data/private/liv_och_halsa``), or only the file or folder name when it lies elsewhere;
    never an absolute local path."""
    p = Path(str(source))
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(project_root().resolve()).as_posix()
    except (ValueError, FileNotFoundError):
        return p.name
