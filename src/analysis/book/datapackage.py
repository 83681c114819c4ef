"""The edition's data package: every published table in one zip file and one Excel workbook,
with the codebook and the manifest, and the codebook page that links them.

Every CSV file the edition publishes follows one schema (:mod:`analysis.present.codebook`), so
the workbook holds them all in one sheet (``tabeller``) beside the codebook (``kodbok``). The zip
holds each CSV file under ``tabeller/<page>/``, the codebook as CSV and as the page's text, and
``manifest.json``. Both files are byte-for-byte reproducible: fixed timestamps and file order,
so two builds of the same edition give identical files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import signal
import threading
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from analysis.book import audit, bookpages
from analysis.present import codebook

#: File names of the package, per edition (openpyxl writes the workbook fast with lxml installed).
ZIP_NAME = "data_{edition}.zip"
XLSX_NAME = "data_{edition}.xlsx"
#: The codebook page (``book/_generated/kodbok.md``) and the codebook CSV inside the zip.
CODEBOOK_STEM = "kodbok"
#: The timestamp every entry of the zip and workbook carries (reproducible bytes).
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_SKIP = audit.INTERNAL_CSVS  # the build's own inputs, not published as such


def published_csvs(gen: Path) -> list[tuple[str, Path]]:
    """Every CSV file the staged edition publishes below ``gen`` (``book/_generated``), as
    ``(path in the zip, file)``: ``tabeller/<page>/<file>.csv``, the page being the notebook's
    output (``kommuner/profil_kommun__area_1860``) or, for a generated page's table, its stem."""
    out = []
    for f in sorted(gen.rglob("*.csv")):
        if f.name in _SKIP:
            continue
        rel = f.relative_to(gen)
        if rel.parent.name.endswith("_files"):
            page = (rel.parent.parent / rel.parent.name.removesuffix("_files")).as_posix()
        else:
            page = rel.with_suffix("").as_posix()
        out.append((f"tabeller/{page}/{f.name}", f))
    names = [n for n, _ in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"two published tables would have the same name in the zip: {dup}")
    return out


def _fixed_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``entries`` in the given order with fixed timestamps and permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=9)
    return buf.getvalue()


def _reproducible_xlsx(raw: bytes) -> bytes:
    """An xlsx file (a zip) rewritten with fixed timestamps, inside and out."""
    stamp = dt.datetime(*FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = []
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<3>", data)
            entries.append((info.filename, data))
    return _fixed_zip(entries)


def workbook(tables: pd.DataFrame, book: pd.DataFrame) -> bytes:
    """The Excel workbook: sheet ``tabeller`` (every published row, the schema's columns, numbers
    as numbers) and sheet ``kodbok`` (the codebook); reproducible bytes."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "Välfärd och folkhälsa i Örebro län"
    wb.properties.created = wb.properties.modified = dt.datetime(*FIXED_TIME)
    for title, df in (("tabeller", tables), ("kodbok", book)):
        ws = wb.create_sheet(title)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) or v is pd.NA else v
                       for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return _reproducible_xlsx(buf.getvalue())


class PendingWorkbook:
    """The workbook of :func:`write_package` being written by a forked copy of this process,
    while the build runs Jupyter Book (a single process) on the other core.

    Jupyter Book copies the (empty) file of the same name into ``_downloads/<hash of its
    path>/``; :meth:`finish` waits for the real bytes and writes them there and into the
    staged book, so the published file is the one :func:`workbook` makes."""

    def __init__(self, path: Path, rows: pd.DataFrame, book: pd.DataFrame) -> None:
        self.path = path
        self._part = path.with_name(path.name + ".part")
        self._err = path.with_name(path.name + ".err")
        self.pid: int | None = None
        if threading.active_count() > 1 or not hasattr(os, "fork"):
            self._part.write_bytes(workbook(rows, book))  # forking a threaded process: no
            return
        pid = os.fork()
        if pid == 0:  # the child: write the workbook and exit, nothing else
            code = 1
            try:
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_DFL)  # not the build's clean-up handlers
                tmp = self._part.with_name(self._part.name + ".tmp")
                tmp.write_bytes(workbook(rows, book))
                tmp.replace(self._part)
                code = 0
            except BaseException:  # noqa: BLE001 - reported by finish() in the build
                import traceback

                with contextlib.suppress(OSError):
                    self._err.write_text(traceback.format_exc(), encoding="utf-8")
            finally:
                os._exit(code)
        self.pid = pid

    def finish(self, html: Path | None = None) -> bytes:
        """Wait for the workbook; write it over the placeholder in the staged book and in every
        copy under ``html/_downloads`` (the built site); return its bytes.

        Raises
        ------
        RuntimeError
            If writing the workbook failed (with the child's traceback).
        """
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if not self._part.exists():
                err = self._err.read_text(encoding="utf-8") if self._err.exists() else ""
                raise RuntimeError(f"writing {self.path.name} failed (status {status}):\n{err}")
        data = self._part.read_bytes()
        self.path.write_bytes(data)
        self._part.unlink()
        if html is not None:
            for copy in (html / "_downloads").glob(f"*/{self.path.name}"):
                copy.write_bytes(data)
        return data


def write_package(gen: Path, edition: int | str, manifest: dict[str, Any],
                  later: list[PendingWorkbook] | None = None) -> tuple[Path, Path]:
    """Write the codebook page and the edition's zip and workbook into ``gen``
    (``book/_generated``, after every other page and table is staged there).

    Every published CSV is read with the codebook's parser (:func:`analysis.present.codebook.read`),
    so a file outside the schema stops the build here. Returns ``(zip, workbook)``.

    With ``later`` (a list), the workbook is written in the background
    (:class:`PendingWorkbook`, appended to ``later``; an empty file of its name is in place
    meanwhile) and the caller finishes it with :meth:`PendingWorkbook.finish`.
    """
    # load inputs
    files = published_csvs(gen)
    tables = [codebook.read(f) for _, f in files]
    book = codebook.codebook_table()
    zip_name, xlsx_name = ZIP_NAME.format(edition=edition), XLSX_NAME.format(edition=edition)
    page = bookpages.codebook_md(edition, zip_name, xlsx_name, len(files))
    # process
    all_rows = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=codebook.columns())
    buf = io.StringIO()
    book.to_csv(buf, index=False, lineterminator="\n")
    root = f"data_{edition}/"
    entries = [(root + n, f.read_bytes()) for n, f in files]
    entries += [(root + f"{CODEBOOK_STEM}.csv", codebook.ENCODING_BOM + buf.getvalue().encode()),
                (root + f"{CODEBOOK_STEM}.md", page.encode()),
                (root + "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False,
                                                    sort_keys=True).encode())]
    # save outputs
    (gen / f"{CODEBOOK_STEM}.md").write_text(page, encoding="utf-8")
    zpath, xpath = gen / zip_name, gen / xlsx_name
    zpath.write_bytes(_fixed_zip(entries))
    if later is None:
        xpath.write_bytes(workbook(all_rows, book))
    else:
        xpath.write_bytes(b"")
        later.append(PendingWorkbook(xpath, all_rows, book))
    return zpath, xpath
