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

from analysis.core import text
from analysis.sources import catalog

SUPPRESSED = "."  # what the book prints for a suppressed cell (SCB's symbol for "cannot be shown")


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


def write_csv(df: pd.DataFrame, name: str) -> Path:
    """Write a table as UTF-8 CSV (comma-separated, point decimal, suppressed cells as ``.``).

    The CSV keeps full precision: rounding happens only in what the page shows.
    """
    path = files_dir() / f"{_slug(name)}.csv"
    out = df.copy()
    if "suppressed" in out.columns:
        stat_cols = [c for c in ("value", "lower", "upper", "se", "count") if c in out.columns]
        out[stat_cols] = out[stat_cols].astype(object)
        out.loc[out["suppressed"].astype(bool), stat_cols] = SUPPRESSED
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.10g")
    return path


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
               labels: Mapping[str, str] | None = None) -> str:
    """An HTML table of ``df`` with Swedish number formats (numbers right-aligned)."""
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
    return ('<table class="table bok-tabell"><thead><tr>' + head + "</tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


def table(df: pd.DataFrame, name: str, *, title: str, source: str,
          formats: Mapping[str, Callable[[object], str]] | None = None,
          labels: Mapping[str, str] | None = None, note: str | None = None,
          csv: pd.DataFrame | None = None) -> None:
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
    """
    path = write_csv(df if csv is None else csv, name)
    parts = [f"**{title}**", "", html_table(df, formats, labels), ""]
    foot = f"{source}. [Ladda ner tabellen (CSV)]({path.as_posix()})"
    if note:
        foot = f"{note} {foot}"
    parts.append(foot)
    _display_markdown("\n".join(parts))


def figure(fig, name: str, *, title: str, alt: str, source: str, note: str | None = None,
           data: pd.DataFrame | None = None, dpi: int = 110, width: str = "100%") -> None:
    """Save a matplotlib figure and show it as a MyST figure with alt text and caption.

    ``data`` (the numbers drawn) is written next to it as ``<name>.data.csv`` and linked, so a
    reader can check every plotted value.
    """
    import matplotlib.pyplot as plt

    if not alt or not alt.strip():
        raise ValueError("every figure needs alt text")
    png = files_dir() / f"{_slug(name)}.png"
    # No timestamp or software version in the file: two builds give identical bytes.
    fig.savefig(png, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    caption = f"**{title}** {note + ' ' if note else ''}{source}."
    if data is not None:
        dpath = write_csv(data, f"{_slug(name)}.data")
        caption += f" [Data bakom diagrammet (CSV)]({dpath.as_posix()})"
    alt_clean = " ".join(alt.split())
    _display_markdown(
        f":::{{figure}} {png.as_posix()}\n:alt: {alt_clean}\n:name: fig-{_slug(stem())}-"
        f"{_slug(name)}\n:width: {width}\n\n{caption}\n:::"
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
        f"de markeras med en punkt ({SUPPRESSED}), i tabeller, diagram och CSV-filer. Se "
        "{ref}`rojandeskydd`.\n:::"
    )


def markdown(paragraph: str) -> None:
    """Show a paragraph whose wording depends on the data or the edition (numbers already formatted)."""
    _display_markdown(paragraph)


def bullets(items: list[str]) -> None:
    """Show a list of key findings (each item already formatted with numbers from variables)."""
    _display_markdown("\n".join(f"- {i}" for i in items))


def sources(names: list[str]) -> None:
    """List the catalogued datasets a page used, with producer, file and md5."""

    items = []
    for n in names:
        e = catalog.entry(n)
        items.append(
            f"{e['producer']}: *{e['title']}* (`data/{e['relpath']}`, md5 `{e['md5'][:8]}…`, "
            f"publicerad {e.get('date_published', '..')}). {e.get('citation', '')}."
        )
    bullets(items)


INDICATOR_COLUMNS = ["indicator_id", "indicator", "area_code", "period", "value", "lower", "upper",
                     "unit"]


def indicators(df: pd.DataFrame) -> None:
    """Record the chapter's key indicators for the edition comparison page (not shown here).

    Columns: ``indicator_id, indicator`` (Swedish label), ``area_code``, ``period``, ``value``;
    optional ``lower, upper`` (95 % interval, for survey estimates) and ``unit`` (``antal``,
    ``andel`` (0–1), ``kvot`` …). Several calls add up; a repeated key replaces the earlier row.
    """
    missing = [c for c in INDICATOR_COLUMNS[:5] if c not in df.columns]
    if missing:
        raise ValueError(f"indicators need columns {missing}")
    out = df.reindex(columns=INDICATOR_COLUMNS).copy()
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
