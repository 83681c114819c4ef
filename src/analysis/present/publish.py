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
from analysis.present import codebook
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


def html_table(df: pd.DataFrame, formats: Mapping[str, Callable[[object], str]] | None = None,
               labels: Mapping[str, str] | None = None, kind: str | None = None) -> str:
    """An HTML table of ``df`` with Swedish number formats (numbers right-aligned).

    ``kind`` (the table's data kind) becomes the table's ``data-datatyp`` attribute."""
    formats = formats or {}
    labels = labels or {}
    head = "".join(f"<th>{html.escape(str(labels.get(c, c)))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row, strict=True):
            s = _format_cell(v, formats.get(c))
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            align = ' style="text-align:right"' if num else ""
            cells.append(f"<td{align}>{html.escape(s)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    attr = f' data-datatyp="{provenance.check(kind)}"' if kind else ""
    return (f'<table class="table bok-tabell"{attr}><thead><tr>' + head + "</tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


def table(df: pd.DataFrame, name: str, *, title: str, source: str,
          formats: Mapping[str, Callable[[object], str]] | None = None,
          labels: Mapping[str, str] | None = None, note: str | None = None,
          csv: pd.DataFrame | None = None, kind: Kind = None) -> None:
    """Show a table with its title, source line, optional note and a CSV download.

    Parameters
    ----------
    df
        What the page shows (columns in display order).
    name
        File name stem of the CSV (``<name>.csv``).
    title, source, note
        Swedish text above (title) and below (source, note) the table.
    formats, labels
        Per-column formatting functions (e.g. ``analysis.core.text.pct``) and display headings.
    csv
        The table written to CSV if different from ``df`` (e.g. unrounded, with codes).
    kind
        The data kind (:mod:`analysis.core.provenance`): one for the table or one per row of the
        CSV table; default the page's (:func:`page_kind`). A table whose rows differ shows a
        column *Datatyp*; a synthetic table is marked above and below.
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
    mark = kind_mark(one)
    parts = [f"**{title}**" + (f" {mark}" if mark else ""), "", html_table(shown, formats, labels, one), ""]
    foot = f"{source}. [Ladda ner tabellen (CSV)]({path.as_posix()})"
    if note:
        foot = f"{note} {foot}"
    if provenance.is_synthetic(one):
        foot = f"{provenance.STAMP}. {foot}"
    parts.append(foot)
    _display_markdown("\n".join(parts))


def stamp(fig) -> None:
    """Burn :data:`analysis.core.provenance.STAMP` into a matplotlib figure: diagonally across
    the plot, faint, and once more legibly in the lower right corner."""
    import math

    w, h = fig.get_size_inches()
    angle = min(30.0, math.degrees(math.atan2(h, w)))
    size = max(9.0, min(28.0, 72 * w * 0.7 / (0.6 * len(provenance.STAMP))))
    fig.text(0.5, 0.5, provenance.STAMP, transform=fig.transFigure, rotation=angle,
             ha="center", va="center", fontsize=size, fontweight="bold", color="#b00020",
             alpha=0.2, zorder=1000)
    fig.text(0.995, 0.005, provenance.STAMP, transform=fig.transFigure, ha="right",
             va="bottom", fontsize=8, color="#b00020", zorder=1000,
             bbox={"facecolor": "white", "edgecolor": "#b00020", "pad": 2, "alpha": 0.9})


def png_metadata(kind: str) -> dict[str, str | None]:
    """The PNG text chunks of a figure of ``kind`` data (no software version or timestamp, so
    two builds give identical bytes): ``Datatyp`` always, ``Description`` the stamp if synthetic."""
    meta: dict[str, str | None] = {"Software": None, "Datatyp": provenance.check(kind)}
    if provenance.is_synthetic(kind):
        meta["Description"] = provenance.STAMP
    return meta


def figure(fig, name: str, *, title: str, alt: str, source: str, note: str | None = None,
           data: pd.DataFrame | None = None, dpi: int = 110, width: str = "100%",
           kind: Kind = None) -> None:
    """Save a matplotlib figure and show it as a MyST figure with alt text and caption.

    ``data`` (the numbers drawn) is written next to it as ``<name>.data.csv`` and linked, so a
    reader can check every plotted value. ``kind`` is the data kind of what is drawn (one, or one
    per row of ``data``; default the page's): a figure with any synthetic data gets the stamp
    burned in (:func:`stamp`), recorded in the PNG's metadata (:func:`png_metadata`) and the
    figure's HTML class (``datatyp-syntetisk``), and the same words in its alt text and caption.
    """
    import matplotlib.pyplot as plt

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    kinds = _kinds(kind, None if data is None else len(data))
    one = kinds if isinstance(kinds, str) else provenance.combine(kinds)
    png = files_dir() / f"{_slug(name)}.png"
    synthetic = provenance.is_synthetic(one)
    if synthetic:
        stamp(fig)
    fig.savefig(png, dpi=dpi, bbox_inches="tight", metadata=png_metadata(one))
    plt.close(fig)
    lead = f"{provenance.STAMP}. " if synthetic else ""
    if one == provenance.MODELLED:
        lead = "Modellerade uppgifter. "
    caption = f"**{title}** {lead}{note + ' ' if note else ''}{source}."
    if data is not None:
        dpath = write_csv(data, f"{_slug(name)}.data", kinds)
        caption += f" [Data bakom diagrammet (CSV)]({dpath.as_posix()})"
    alt_clean = " ".join(alt.split())
    if synthetic and provenance.STAMP not in alt_clean:
        alt_clean = f"{provenance.STAMP}. {alt_clean}"
    _display_markdown(
        f":::{{figure}} {png.as_posix()}\n:alt: {alt_clean}\n:name: fig-{_slug(stem())}-"
        f"{_slug(name)}\n:figclass: bok-figur datatyp-{provenance.SLUGS[one]}\n"
        f":width: {width}\n\n{caption}\n:::"
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
    link to the analyst page with the files, checksums and how to rebuild the edition."""

    items = []
    for n in names:
        e = catalog.entry(n)
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
