"""The data an analyst downloads from a built edition: every CSV file of the book read with one
parser (:func:`analysis.present.codebook.read`, the codebook's types) has one schema, and the
edition's zip holds every CSV, the codebook (CSV and the page's text) and the manifest, beside
an Excel workbook with all tables; the codebook page links both and the methods page links it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from analysis.book import datapackage
from analysis.core import provenance
from analysis.present import codebook

from .conftest import EDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book-browser")]


def _csvs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.csv") if "_sources" not in p.parts)


def _linked(page: Path, suffix: str) -> Path:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    a = next(a for a in soup.select("a[href]") if unquote(a["href"]).endswith(suffix))
    return (page.parent / unquote(a["href"])).resolve()


@pytest.mark.parametrize("edition", EDITIONS)
class TestDownloads:
    def test_every_csv_one_schema(self, book_html, edition):
        csvs = _csvs(book_html / edition)
        assert len(csvs) >= 50
        problems, headers = [], set()
        for p in csvs:
            raw = p.read_bytes()
            if not raw.startswith(codebook.ENCODING_BOM):
                problems.append(f"{p.name}: no byte order mark")
            t = codebook.read(p)  # raises on a header outside the schema
            headers.add(tuple(t.columns))
            for c, dtype in codebook.dtypes().items():
                if str(t[c].dtype) != dtype:
                    problems.append(f"{p.name}: {c} is {t[c].dtype}, not {dtype}")
            if not set(t["datatyp"]) <= set(provenance.KINDS):
                problems.append(f"{p.name}: data kinds {set(t['datatyp'])}")
            if not set(t["undertryckt"]) <= {codebook.YES, codebook.NO}:
                problems.append(f"{p.name}: undertryckt {set(t['undertryckt'])}")
            hidden = t[t["undertryckt"] == codebook.YES]
            if hidden[["värde", "nedre", "övre", "antal_svarande"]].notna().any().any():
                problems.append(f"{p.name}: a suppressed row shows a number")
            if (hidden["orsak"].fillna("") == "").any():
                problems.append(f"{p.name}: a suppressed row without its reason")
            if not set(t["enhet"].dropna()) <= set(codebook.units()):
                problems.append(f"{p.name}: units {set(t['enhet'].dropna())}")
            if (t["värde"].notna() & t["värde_visat"].isna()).any():
                problems.append(f"{p.name}: a value without its shown text")
        assert headers == {tuple(codebook.columns())}
        assert problems == []

    def test_the_zip_and_the_workbook(self, book_html, edition):
        root = book_html / edition
        page = root / "book" / "_generated" / f"{datapackage.CODEBOOK_STEM}.html"
        zpath = _linked(page, datapackage.ZIP_NAME.format(edition=edition))
        xpath = _linked(page, datapackage.XLSX_NAME.format(edition=edition))
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
            inside = {hashlib.sha256(z.read(n)).hexdigest() for n in names if n.endswith(".csv")}
            top = f"data_{edition}/"
            assert {top + "kodbok.csv", top + "kodbok.md", top + "manifest.json"} <= set(names)
            assert json.loads(z.read(top + "manifest.json"))["edition"] in (edition, int(edition))
            book = pd.read_csv(io.BytesIO(z.read(top + "kodbok.csv")), encoding=codebook.ENCODING)
            assert set(codebook.columns()) <= set(book["kolumn"])
            assert "# Kodbok" in z.read(top + "kodbok.md").decode()
            assert all(i.date_time == datapackage.FIXED_TIME for i in z.infolist())
        missing = [p.name for p in _csvs(root)
                   if hashlib.sha256(p.read_bytes()).hexdigest() not in inside]
        assert missing == []
        wb = load_workbook(xpath, read_only=True)
        assert wb.sheetnames == ["tabeller", "kodbok"]
        header = next(wb["tabeller"].iter_rows(max_row=1, values_only=True))
        assert list(header) == codebook.columns()

    def test_linked_from_the_methods_page(self, book_html, edition):
        methods = book_html / edition / "book" / "metoder.html"
        assert _linked(methods, f"{datapackage.CODEBOOK_STEM}.html").exists()
