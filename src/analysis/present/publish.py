"""Put figures, tables and notices into the book: every table with a CSV download, every figure
with title, source line and alt text, and visible labels on synthetic or estimated data.

Notebook outputs are rendered by MyST-NB as MyST markdown (``nb_render_markdown_format: myst`` in
``_config.yml``), so these helpers emit MyST: a ``{figure}`` directive with ``:alt:``, and the
local links to CSV files, which Sphinx turns into download links and copies into the book.

Files are written to ``<notebook stem>_files/`` in the notebook's working directory; the build
copies that folder next to the executed notebook.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from analysis.core import provenance, text
from analysis.present import codebook, plots
from analysis.sources import catalog, documents

SUPPRESSED = "."  # what the book prints for a suppressed cell (SCB's symbol for "cannot be shown")

#: The page's default data kind (:func:`page_kind`); tables, figures and bullets may override it.
_PAGE_KIND: dict[str, str] = {}

#: The analyst page every chapter's sources box links to (how the edition was built, its files).
ANALYST_PAGE = "for_analytiker"

Kind = str | list[str] | pd.Series | None


def page_kind(kind: str) -> None:
    """Set the data kind this page's tables, figures and bullets have unless they say otherwise.

    ``kind`` is one of :data:`analysis.core.provenance.KINDS` (``uppmätt``, ``modellerad``,
    ``syntetisk``); see :func:`analysis.core.provenance.of` for inputs that may be synthetic.
    """
    _PAGE_KIND["kind"] = provenance.check(kind)


def _kinds(kind: Kind, n: int | None = None) -> list[str] | str:
    """``kind`` resolved against the page default: one kind, or one per row (``n`` rows)."""
    if kind is None:
        if "kind" not in _PAGE_KIND:
            raise ValueError("no data kind: pass kind= or call publish.page_kind() first")
        return _PAGE_KIND["kind"]
    if isinstance(kind, str):
        return provenance.check(kind)
    ks = [provenance.check(str(k)) for k in kind]
    if n is not None and len(ks) != n:
        raise ValueError(f"{len(ks)} data kinds for {n} rows")
    return ks


def kind_mark(kind: str) -> str:
    """Inline HTML that marks a text or table as built on ``kind`` data (empty for measured)."""
    kind = provenance.check(kind)
    if kind == provenance.MEASURED:
        return ""
    words = provenance.STAMP if kind == provenance.SYNTHETIC else "Modellerade uppgifter"
    return f'<span class="datatyp datatyp-{provenance.SLUGS[kind]}">{words}</span>'


def with_kind(df: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """``df`` with the ``data_kind`` column (kept if present and valid, else from ``kind``)."""
    out = df.copy()
    col = provenance.COLUMN
    if col in out.columns and kind is None:
        out[col].map(provenance.check)
        return out
    out[col] = _kinds(kind, len(out))
    return out


def stem() -> str:
    """Output stem of the running notebook (set by the build; ``scratch`` interactively)."""
    return os.environ.get("ANALYSIS_NB_STEM", "scratch")


def files_dir() -> Path:
    """Folder for this notebook's downloadable files and figures (created if needed)."""
    d = Path(f"{stem()}_files")
    d.mkdir(exist_ok=True)
    return d


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    if not s:
        raise ValueError(f"cannot make a file name from {name!r}")
    return s


def _display_markdown(md: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(md))


def glue_text(name: str, value: str) -> None:
    """Glue a pre-formatted string for use in prose as ``{glue:text}`name```."""
    from myst_nb import glue

    if not isinstance(value, str):
        raise TypeError(f"glue_text({name!r}) needs a formatted string, got {type(value).__name__}")
    glue(name, value, display=False)


#: Where the indicator pages live (:mod:`analysis.book.bookpages`); links are absolute documents.
INDICATOR_DOC = "/book/_generated/indikatorer/{id}"
PERIOD_COLUMNS = ("period", "ar", "år", "year")


def indicator_links(ids: list[str] | tuple[str, ...]) -> str:
    """``Om indikatorn: …`` with a link to each indicator's page (its title is the link text).

    The ids are those of the indicator registry (:mod:`analysis.contracts.indicators`); the
    build checks them and fails on an id without an entry.
    """
    ids = list(dict.fromkeys(ids))
    if not ids or any(not isinstance(i, str) or not re.fullmatch(r"[a-z][A-Za-z0-9_]*", i)
                      for i in ids):
        raise ValueError(f"indicators must be registry ids (snake_case strings), got {ids!r}")
    links = ", ".join(f"{{doc}}`{INDICATOR_DOC.format(id=i)}`" for i in ids)
    return ("Om indikatorn: " if len(ids) == 1 else "Om indikatorerna: ") + links + "."


def record_indicator_use(ids: list[str] | tuple[str, ...], element: str, name: str, title: str,
                         data: pd.DataFrame | None, kind: str) -> Path:
    """Append to ``<stem>_files/indicator_uses.csv`` which indicators a table or figure shows,
    with the years (periods) of its data, so that each indicator's page can list where it is
    shown and the years the edition has. Rows of ``data`` with an ``indicator_id`` column count
    for an indicator whose id is that value or ends with ``_<value>``."""
    rows = []
    for i in dict.fromkeys(ids):
        periods: list[str] = []
        if data is not None:
            col = next((c for c in PERIOD_COLUMNS if c in data.columns), None)
            if col is not None:
                d = data
                if "indicator_id" in data.columns:
                    own = data["indicator_id"].astype(str).map(
                        lambda v, i=i: v == i or i.endswith("_" + v))
                    d = data[own] if own.any() else data
                periods = sorted({str(p) for p in d[col].dropna()})
        rows.append({"indicator_id": i, "element": element, "name": name, "title": title,
                     "periods": ";".join(periods), provenance.COLUMN: kind})
    path = files_dir() / "indicator_uses.csv"
    out = pd.DataFrame(rows)
    if path.exists():
        out = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False), out],
                        ignore_index=True)
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_csv(df: pd.DataFrame, name: str, kind: Kind = None) -> Path:
    """Write a table as a published CSV in the book's one schema (:mod:`analysis.present.codebook`).

    Every column of ``df`` is mapped through the vocabulary (an unknown column raises
    :class:`analysis.present.codebook.SchemaError` naming it and the table): long format, Swedish
    column names, a unit per row, the value as shown and unrounded (proportions in percent),
    suppressed cells (``suppressed`` true) empty with ``undertryckt`` ``ja`` and the reason.
    UTF-8 with BOM, comma-separated, point decimal. Every row carries its data kind
    (``datatyp``: ``kind``, one for all rows or one per row, else the page's default; a
    ``data_kind`` column already in ``df`` is kept).
    """
    path = files_dir() / f"{_slug(name)}.csv"
    out = with_kind(df, kind)
    return codebook.write(codebook.tidy(out, path.stem, stem()), path)


def _format_cell(v: object, fmt: Callable[[object], str] | None) -> str:
    if fmt is not None:
        return fmt(v)
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return SUPPRESSED
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, int) or (hasattr(v, "dtype") and "int" in str(getattr(v, "dtype", ""))):
        return text.num(int(v))
    if isinstance(v, float):
        return text.num(v, 1)
    return str(v)


#: A cell longer than this (characters, with spaces: an explanation, not a value) is moved to a
#: numbered note under the table, so rows stay short on a phone; so is a shorter sentence
#: (:data:`NOTE_SENTENCE_CHARS` or more characters, six words or more, ending in a full stop).
NOTE_CHARS = 70
NOTE_SENTENCE_CHARS = 40


def _is_note(s: str) -> bool:
    """Whether a text cell is an explanation that belongs in a note under the table."""
    s = s.strip()
    return " " in s and (len(s) > NOTE_CHARS or (
        len(s) >= NOTE_SENTENCE_CHARS and s.endswith(".") and s.count(" ") >= 5))

_RANGE = re.compile(r"(?<![\d\-–])(\d+)-(\d+)(?![\d\-–])")
_NUMBERLIKE = re.compile(r"[\d\s\u00a0\u202f,.%()+\-−–*×]+")


def en_dash(s: str) -> str:
    """``s`` with number ranges written with an en dash (``0-19`` → ``0–19``); dates such as
    ``2020-06-01`` are left alone."""
    return _RANGE.sub(r"\1–\2", s)


def _is_numberlike(s: str) -> bool:
    """A formatted cell that reads as a number (``12,3 %``, ``+2 (0 till +5)``, ``.``)."""
    s = s.replace("till", " ").strip()
    return bool(s) and _NUMBERLIKE.fullmatch(s) is not None and (
        any(ch.isdigit() for ch in s) or s in (SUPPRESSED, "..", "–"))


def _numeric_columns(df: pd.DataFrame, shown: dict[str, list[str]]) -> set[str]:
    out = set()
    for c in df.columns:
        vals = [v for v in df[c] if not (v is None or (isinstance(v, float) and pd.isna(v)))]
        typed = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    or (hasattr(v, "dtype") and v.dtype.kind in "iuf") for v in vals)
        if typed or all(_is_numberlike(s) for s in shown[c]):
            out.add(c)
    return out


def html_table(df: pd.DataFrame, formats: Mapping[str, Callable[[object], str]] | None = None,
               labels: Mapping[str, str] | None = None, kind: str | None = None, *,
               caption: str | None = None, caption_html: str = "", ident: str | None = None) -> str:
    """A responsive HTML table of ``df`` with Swedish number formats.

    The table sits in a scroll container (``div.bok-tabellram``, a keyboard-focusable region
    named by the caption) so a wide table scrolls sideways with a visible cue instead of being
    clipped; its first column stays in view (``_static/bok.css``). ``caption`` (plain text, with
    ``caption_html`` appended, e.g. a data-kind mark) is the table's ``<caption>``. Column headings
    are ``<th scope="col">``, the first column's cells ``<th scope="row">``; columns of numbers are
    right-aligned with tabular figures (class ``tal``). Number ranges in headings and labels get
    an en dash. An explanation in a cell (longer than :data:`NOTE_CHARS`, or a sentence) becomes
    a numbered note under the table; the same text is one note.
    ``kind`` (the table's data kind) becomes the table's ``data-datatyp`` attribute; ``ident``
    (unique on the page) names the caption's and the notes' ids.
    """
    formats = formats or {}
    labels = labels or {}
    ident = _slug(ident or caption or "tabell")
    cols = list(df.columns)
    shown = {c: [_format_cell(v, formats.get(c)) for v in df[c]] for c in cols}
    numeric = _numeric_columns(df, shown)
    notes: list[str] = []

    def cell(c: str, s: str) -> str:
        s = en_dash(s)
        if c in numeric:
            return html.escape(s)
        if c != cols[0] and _is_note(s):
            if s not in notes:
                notes.append(s)
            k = notes.index(s) + 1
            return (f'<a class="bok-not" href="#{ident}-not-{k}" aria-label="Not {k}">'
                    f"<sup>{k}</sup></a>")
        return html.escape(s)

    def cls(c: str) -> str:
        return ' class="tal"' if c in numeric else ""

    head = "".join(f'<th scope="col"{cls(c)}>{html.escape(en_dash(str(labels.get(c, c))))}</th>'
                   for c in cols)
    body = []
    for i in range(len(df)):
        cells = []
        for j, c in enumerate(cols):
            tag = ("th", ' scope="row"') if j == 0 else ("td", "")
            cells.append(f"<{tag[0]}{tag[1]}{cls(c)}>{cell(c, shown[c][i])}</{tag[0]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    attr = f' data-datatyp="{provenance.check(kind)}"' if kind else ""
    cap_id = f"{ident}-rubrik"
    cap = ""
    if caption is not None:
        cap = (f'<caption id="{cap_id}"><span class="bok-rubrik">{html.escape(en_dash(caption))}'
               f"{' ' + caption_html if caption_html else ''}</span></caption>")
    region = (f' role="region" tabindex="0" aria-labelledby="{cap_id}"' if caption is not None
              else ' role="region" tabindex="0" aria-label="Tabell"')
    out = (f'<div class="bok-tabellram"{region}><table class="table bok-tabell"{attr}>{cap}'
           f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
    if notes:
        items = "".join(f'<li id="{ident}-not-{k}">{html.escape(n)}</li>'
                        for k, n in enumerate(notes, 1))
        out += f'<ol class="bok-tabellnoter">{items}</ol>'
    return out


def table(df: pd.DataFrame, name: str, *, title: str, source: str,
          formats: Mapping[str, Callable[[object], str]] | None = None,
          labels: Mapping[str, str] | None = None, note: str | None = None,
          csv: pd.DataFrame | None = None, kind: Kind = None,
          indicators: list[str] | tuple[str, ...] | None = None) -> None:
    """Show a table with its title, source line, optional note and a CSV download.

    Parameters
    ----------
    df
        What the page shows (columns in display order).
    name
        File name stem of the CSV (``<name>.csv``).
    title, source, note
        Swedish text: the table's caption (title) and the line below it (source, note).
    formats, labels
        Per-column formatting functions (e.g. ``analysis.core.text.pct``) and display headings.
    csv
        The table written to CSV if different from ``df`` (e.g. unrounded, with codes).
    kind
        The data kind (:mod:`analysis.core.provenance`): one for the table or one per row of the
        CSV table; default the page's (:func:`page_kind`). A table whose rows differ shows a
        column *Datatyp*; a synthetic table is marked above and below.
    indicators
        Registry ids of the indicators the table shows: the footnote links to their pages
        (:func:`indicator_links`) and the use is recorded (:func:`record_indicator_use`).
    """
    data = df if csv is None else csv
    kinds = _kinds(kind, len(data)) if kind is not None or provenance.COLUMN not in data else None
    path = write_csv(data, name, kinds)
    if kinds is None:
        kinds = [str(k) for k in data[provenance.COLUMN]]
    one = kinds if isinstance(kinds, str) else provenance.combine(kinds)
    shown = df
    if not isinstance(kinds, str) and len(set(kinds)) > 1 and len(kinds) == len(df):
        shown = df.assign(Datatyp=[provenance.LABELS[k] for k in kinds])
    parts = [html_table(shown, formats, labels, one, caption=title, caption_html=kind_mark(one),
                        ident=f"tab-{_slug(name)}"), ""]
    foot = f"{source}. [Ladda ner tabellen (CSV)]({path.as_posix()})"
    if note:
        foot = f"{note} {foot}"
    if provenance.is_synthetic(one):
        foot = f"{provenance.STAMP}. {foot}"
    if indicators:
        foot = f"{foot} {indicator_links(indicators)}"
        record_indicator_use(indicators, "tabell", name, title, data, one)
    parts.append(foot)
    _display_markdown("\n".join(parts))


def stamp(fig) -> None:
    """Burn :data:`analysis.core.provenance.STAMP` into a matplotlib figure: diagonally across
    the plot, faint, and once more legibly above it, at the right."""
    import math

    w, h = fig.get_size_inches()
    angle = min(30.0, math.degrees(math.atan2(h, w)))
    size = max(9.0, min(28.0, 72 * w * 0.7 / (0.6 * len(provenance.STAMP))))
    fig.text(0.5, 0.5, provenance.STAMP, transform=fig.transFigure, rotation=angle,
             ha="center", va="center", fontsize=size, fontweight="bold", color="#b00020",
             alpha=0.2, zorder=1000, in_layout=False)
    # the legible stamp goes above everything drawn (legends sit at the bottom): the saved
    # image (bbox_inches="tight") grows upwards to take it
    fig.canvas.draw()
    top = fig.get_tightbbox(fig.canvas.get_renderer()).y1 / h
    fig.text(0.995, top + 5 / 72 / h, provenance.STAMP, transform=fig.transFigure,
             ha="right", va="bottom", fontsize=plots.SMALL,
             color="#b00020", zorder=1000,
             bbox={"facecolor": "white", "edgecolor": "#b00020", "pad": 2, "alpha": 0.9})


def png_metadata(kind: str, min_text_px: float | None = None,
                 css_width: float | None = None) -> dict[str, str | None]:
    """The PNG text chunks of a figure of ``kind`` data (no software version or timestamp, so
    two builds give identical bytes): ``Datatyp`` always, ``Description`` the stamp if synthetic;
    ``MinTextPx`` the smallest font size in the figure in image pixels and ``CssWidth`` the width
    in CSS pixels the page shows it at, so that a browser can check the size a reader sees
    (``MinTextPx × shown width / image width``)."""
    meta: dict[str, str | None] = {"Software": None, "Datatyp": provenance.check(kind)}
    if provenance.is_synthetic(kind):
        meta["Description"] = provenance.STAMP
    if min_text_px is not None:
        meta["MinTextPx"] = f"{min_text_px:.2f}"
    if css_width is not None:
        meta["CssWidth"] = f"{css_width:.0f}"
    return meta


def save_figure(fig, path: Path, kind: str, layout: str = plots.DESKTOP) -> tuple[int, int]:
    """Save ``fig`` as a PNG at :data:`analysis.present.plots.SCALE` × its drawn size, stamped if
    ``kind`` is synthetic, with no text under the house minimum, and return the width and
    height (CSS pixels) the page shows it at: its drawn size, at most the layout's width."""
    import io

    from PIL import Image, PngImagePlugin

    if provenance.is_synthetic(kind):
        stamp(fig)
    min_pt = plots.enforce_min_text(fig)
    buf = io.BytesIO()
    # stored uncompressed: only read back here, so compressing it would be wasted work (the
    # pixels, hence the PNG written below, are the same)
    fig.savefig(buf, format="png", dpi=plots.DPI, bbox_inches="tight", pad_inches=0.04,
                metadata={"Software": None}, pil_kwargs={"compress_level": 0})
    im = Image.open(buf)
    css_w = min(im.width / plots.SCALE, plots.WIDTH_PX[layout])
    css_h = im.height * css_w / im.width
    info = PngImagePlugin.PngInfo()
    for k, v in png_metadata(kind, min_pt * plots.DPI / 72, css_w).items():
        if v is not None:
            info.add_text(k, v)
    im.save(path, format="png", pnginfo=info, optimize=False, compress_level=9)
    return round(css_w), round(css_h)


def figure(fig, name: str, *, title: str, alt: str, source: str, note: str | None = None,
           data: pd.DataFrame | None = None, kind: Kind = None,
           indicators: list[str] | tuple[str, ...] | None = None) -> None:
    """Save a matplotlib figure and show it as a MyST figure with alt text and caption.

    The figure is shown at the size it was drawn for (:mod:`analysis.present.plots`). A figure
    made by a :func:`analysis.present.plots.responsive` function is also drawn in its phone
    layout and saved as ``<name>.mobil.png``; the page shows that one when the figure is
    narrower than the desktop drawing (``_static/figurer.css``), under the same number, caption
    and alt text.

    ``data`` (the numbers drawn) is written next to it as ``<name>.data.csv`` and linked, so a
    reader can check every plotted value. ``kind`` is the data kind of what is drawn (one, or one
    per row of ``data``; default the page's): a figure with any synthetic data gets the stamp
    burned in (:func:`stamp`, in both layouts), recorded in the PNG's metadata
    (:func:`png_metadata`) and the figure's HTML class (``datatyp-syntetisk``), and the same
    words in its alt text and caption.
    ``indicators`` (registry ids) adds links to the indicators' pages to the caption
    (:func:`indicator_links`) and records the use (:func:`record_indicator_use`).
    """
    import matplotlib.pyplot as plt

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    kinds = _kinds(kind, None if data is None else len(data))
    one = kinds if isinstance(kinds, str) else provenance.combine(kinds)
    png = files_dir() / f"{_slug(name)}.png"
    synthetic = provenance.is_synthetic(one)
    mobile = plots.variant(fig, plots.MOBILE)
    width, _h = save_figure(fig, png, one, plots.DESKTOP)
    plt.close(fig)
    lead = f"{provenance.STAMP}. " if synthetic else ""
    if one == provenance.MODELLED:
        lead = "Modellerade uppgifter. "
    caption = f"**{title}** {lead}{note + ' ' if note else ''}{source}."
    if data is not None:
        dpath = write_csv(data, f"{_slug(name)}.data", kinds)
        caption += f" [Data bakom diagrammet (CSV)]({dpath.as_posix()})"
    if indicators:
        caption += f" {indicator_links(indicators)}"
        record_indicator_use(indicators, "diagram", name, title, data, one)
    alt_clean = " ".join(alt.split())
    if synthetic and provenance.STAMP not in alt_clean:
        alt_clean = f"{provenance.STAMP}. {alt_clean}"
    classes = f"bok-figur datatyp-{provenance.SLUGS[one]}"
    legend = ""
    if mobile is not None:
        mpng = files_dir() / f"{_slug(name)}.mobil.png"
        mwidth, _h = save_figure(mobile, mpng, one, plots.MOBILE)
        plt.close(mobile)
        classes += " bok-figur-responsiv"
        legend = (f"\n\n```{{image}} {mpng.as_posix()}\n:alt: {alt_clean}\n"
                  f":class: bok-bild bok-bild-mobil\n:width: {mwidth}px\n```")
    _display_markdown(
        f":::{{figure}} {png.as_posix()}\n:alt: {alt_clean}\n:name: fig-{_slug(stem())}-"
        f"{_slug(name)}\n:figclass: {classes}\n:class: bok-bild bok-bild-desktop\n"
        f":width: {width}px\n\n{caption}{legend}\n:::"
    )


def synthetic_notice(what: str, calibrated_to: str) -> None:
    """A visible warning that the page shows synthetic data, and what they were calibrated to."""
    _display_markdown(
        ":::{admonition} Syntetiska data\n:class: warning\n"
        f"{what} bygger på **syntetiska data**, inte på verkliga svar eller registeruppgifter. "
        "Mikrodata är sekretessbelagda och kan inte publiceras med boken. De syntetiska data följer "
        f"samma indatakontrakt som de verkliga filerna och är kalibrerade mot {calibrated_to}. "
        "Siffrorna visar metoden, inte verkligheten.\n:::"
    )


def estimate_notice(body: str) -> None:
    """A visible note that figures are estimated or modelled, and how."""
    _display_markdown(f":::{{admonition}} Skattade uppgifter\n:class: note\n{body}\n:::")


def division_notice(body: str) -> None:
    """A visible note that a series follows another area division in some years."""
    _display_markdown(f":::{{admonition}} Ändrad länsindelning\n:class: warning\n{body}\n:::")


def suppression_notice(threshold_text: str) -> None:
    """The standard footnote that explains suppressed cells."""
    _display_markdown(
        f":::{{admonition}} Röjandeskydd\n:class: tip\nCeller med {threshold_text} visas inte; "
        f"de markeras med en punkt ({SUPPRESSED}) i tabeller och diagram. I CSV-filerna är "
        "värdet tomt och kolumnen undertryckt säger ja, med orsaken. Se "
        "{ref}`rojandeskydd`.\n:::"
    )


def markdown(paragraph: str) -> None:
    """Show a paragraph whose wording depends on the data or the edition (numbers already formatted)."""
    _display_markdown(paragraph)


def bullets(items: list[str], kind: Kind = None) -> None:
    """Show a list of key findings (each item already formatted with numbers from variables).

    ``kind``: the data kind of each item (one for all, or one per item; default the page's).
    Items from synthetic or modelled data carry a visible mark (:func:`kind_mark`).
    """
    kinds = _kinds(kind, len(items))
    kinds = [kinds] * len(items) if isinstance(kinds, str) else kinds
    lines = []
    for i, k in zip(items, kinds, strict=True):
        mark = kind_mark(k)
        lines.append(f"- {mark} {i}" if mark else f"- {i}")
    _display_markdown("\n".join(lines))


def sources(names: list[str]) -> None:
    """List the documents and statistics a page used (producer, title, publication date), and
    link to the analyst page with the files, checksums and how to rebuild the edition.

    For another region than a table's own, the national table it is cut from is named
    (:func:`analysis.sources.catalog.resolve`); a table the region does not have
    (:func:`analysis.sources.catalog.available`) cannot have been used and is left out."""

    items = []
    for n in names:
        if not catalog.available(n):
            continue
        e = catalog.resolve(n)
        cite = str(e.get("citation", "") or "").rstrip(".")
        items.append(f"{documents.reader_producer(e['producer'])}: *{e['title']}*, publicerad {e.get('date_published', '..')}"
                     + (f". {cite}" if cite else "") + ".")
    items.append(f"Filer, kontrollsummor och hur utgåvan byggs om: {{doc}}`För analytiker "
                 f"<{ANALYST_PAGE}>`.")
    _display_markdown("\n".join(f"- {i}" for i in items))


INDICATOR_COLUMNS = ["indicator_id", "indicator", "area_code", "period", "value", "lower", "upper",
                     "unit", provenance.COLUMN]


def indicators(df: pd.DataFrame, kind: Kind = None) -> None:
    """Record the chapter's key indicators for the edition comparison page (not shown here).

    Columns: ``indicator_id, indicator`` (Swedish label), ``area_code``, ``period``, ``value``;
    optional ``lower, upper`` (95 % interval, for survey estimates) and ``unit`` (``antal``,
    ``andel`` (0–1), ``kvot`` …). Each row's data kind comes from a ``data_kind`` column, else
    ``kind`` (default the page's). Several calls add up; a repeated key replaces the earlier row.
    """
    missing = [c for c in INDICATOR_COLUMNS[:5] if c not in df.columns]
    if missing:
        raise ValueError(f"indicators need columns {missing}")
    out = with_kind(df, kind).reindex(columns=INDICATOR_COLUMNS).copy()
    out["area_code"] = out["area_code"].astype(str)
    out["period"] = out["period"].astype(str)
    path = files_dir() / "indicators.csv"
    if path.exists():
        old = pd.read_csv(path, dtype={"area_code": str, "period": str})
        out = pd.concat([old, out], ignore_index=True)
    out = out.drop_duplicates(["indicator_id", "area_code"], keep="last")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.10g")


def glue_many(values: dict[str, str]) -> None:
    """Glue several pre-formatted strings at once (see :func:`glue_text`)."""
    for name, value in values.items():
        glue_text(name, value)
