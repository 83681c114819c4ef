"""The region's documents the book quotes (the seed documents), as a bibliography.

The published figures (:mod:`analysis.sources.seeds`, :mod:`analysis.sources.finsam_figures`)
were transcribed from text extracted out of five PDF documents; the catalogue keeps each row's
file and line number so a figure can be checked. Readers are given the document instead: title,
publisher, date and the part of the document (table, figure, appendix) that holds the figure
(:func:`cite`). The file names and line numbers appear only on the analyst page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Document:
    """One quoted document: how a reader finds it, and which lines of its text hold which part."""

    key: str
    title: str
    publisher: str
    date: str  #: publication or meeting date, ISO (``2020-06-01``) or as precise as known
    kind: str  #: e.g. ``rapport``, ``protokoll``, ``handlingsplan``
    file: str  #: the text file the figures were transcribed from (analyst page only)
    parts: tuple[tuple[int, int, str], ...] = field(default=())  #: (first line, last line, label)

    @property
    def year(self) -> int:
        """The publication year."""
        return int(self.date[:4])

    def part(self, line: int | None) -> str | None:
        """The labelled part (``Tabell 1``, ``Bilaga 1`` …) holding ``line``, if any."""
        if line is None:
            return None
        for first, last, label in self.parts:
            if first <= line <= last:
                return label
        return None

    def reference(self) -> str:
        """The bibliography entry: ``Region Örebro län (2020-06-01). *Title*. Rapport.``"""
        return f"{self.publisher} ({self.date}). *{self.title}*. {self.kind.capitalize()}."


DOCUMENTS: tuple[Document, ...] = (
    Document("samverkansrad-2020", "Protokoll, Specifikt samverkansråd folkhälsa: "
             "Inkluderande arbetsliv", "Region Örebro län", "2020-10", "protokoll",
             "000_73ed68b797abc974.txt"),
    Document("social-valfard-2019", "Handlingsplan Social välfärd 2019–2022",
             "Region Örebro län", "2019", "handlingsplan", "001_08ebe4be6e4b9828.txt"),
    Document("samverkansrad-2022", "Protokoll, Specifikt samverkansråd folkhälsa: Förstudie "
             "barnfattigdom i Örebro län och Liv & hälsa 2022", "Region Örebro län", "2022-02",
             "protokoll", "002_f91937dbdf8dd34f.txt"),
    Document("genomlysning-2020", "Genomlysning samordningsförbunden Örebro län",
             "Region Örebro län och samordningsförbunden i Örebro län", "2020-06-01", "rapport",
             "003_e03a011979e317c6.txt",
             ((360, 386, "Tabell 1"), (855, 935, "Figur 1"), (2781, 2977, "Bilaga 1"),
              (2978, 3009, "Bilaga 2"))),
    Document("rtn-2020-01-22", "Kallelse Regional tillväxtnämnd 2020-01-22, med handlingsplaner "
             "2019–2022", "Region Örebro län", "2020-01-22", "kallelse",
             "004_fb44509df49901da.txt",
             ((185, 1548, "Handlingsplan God, jämlik och jämställd hälsa 2019–2022"),
              (1550, 1961, "Handlingsplan Sammanhållen vård och omsorg"),
              (1962, 2423, "Handlingsplan Social välfärd 2019–2022"))),
)

BY_FILE = {d.file: d for d in DOCUMENTS}


def document(source_file: str) -> Document:
    """The document transcribed into ``source_file``; ``KeyError`` names the known files."""
    try:
        return BY_FILE[source_file]
    except KeyError:
        raise KeyError(f"no document for {source_file!r}; known: {', '.join(BY_FILE)}") from None


def is_later(d: Document, published: str | None) -> bool:
    """True when ``d`` was published after the ISO date ``published`` (an edition's date),
    compared at the precision ``d.date`` is known to."""
    return published is not None and d.date > published[:len(d.date)]


def cite(source_file: str, line: int | None = None, *, published: str | None = None,
         edition: int | None = None) -> str:
    """A reader's citation: ``Genomlysning samordningsförbunden Örebro län (…, 2020-06-01), Tabell 1``.

    With ``published`` (the edition's publication date) given, a document published after it
    is marked ``senare källa`` (the edition deliberately quotes it). A chapter knows only its
    ``edition`` (reference year); editions come out in the year after it (``params/*.yml``), so
    then a document from after that year is a later source.
    """
    if published is None and edition is not None:
        published = f"{int(edition) + 1}-12-31"
    d = document(source_file)
    out = f"{d.title} ({d.publisher}, {d.date})"
    part = d.part(line)
    if part:
        out += f", {part}"
    if is_later(d, published):
        out += " – senare källa"
    return out


def bibliography(published: str | None = None) -> pd.DataFrame:
    """The documents as a table (``key, reference, date, file, later``) sorted by date; ``later``
    is True for documents published after ``published`` (an edition's ISO date)."""
    rows = [{"key": d.key, "reference": d.reference(), "date": d.date, "file": d.file,
             "later": is_later(d, published)}
            for d in sorted(DOCUMENTS, key=lambda d: d.date)]
    return pd.DataFrame(rows)


def reader_producer(producer: object) -> str:
    """A catalogue producer as a reader should see it: without the channel it was fetched
    through (``…, via the R package …``) or a note on transcription (``…; transcribed …``)."""
    return re.split(r";|,? \(?via ", str(producer or ""))[0].strip()
