"""Tests for analysis.book.datapackage: the edition's zip and workbook of every published table."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.book import datapackage
from analysis.present import codebook


def _stage(tmp_path):
    gen = tmp_path / "book" / "_generated"
    for folder, name in (("01_befolkning_files", "folk.csv"),
                         ("kommuner/profil_kommun__area_1860_files", "folk.csv")):
        d = gen / folder
        d.mkdir(parents=True)
        df = pd.DataFrame({"ar": [2018, 2019], "folkmangd": [100, 101], "data_kind": "uppmätt"})
        codebook.write(codebook.tidy(df, name[:-4], folder), d / name)
    codebook.write(codebook.tidy(pd.DataFrame({"folkmangd": [1], "data_kind": "uppmätt"}),
                                 "vad_har_andrats"), gen / "vad_har_andrats.csv")
    (gen / "01_befolkning_files" / "indicators.csv").write_text("a\n1\n", encoding="utf-8")
    return gen


class TestPublishedCsvs:
    def test_names_by_page(self, tmp_path):
        names = [n for n, _ in datapackage.published_csvs(_stage(tmp_path))]
        assert names == ["tabeller/01_befolkning/folk.csv",
                         "tabeller/kommuner/profil_kommun__area_1860/folk.csv",
                         "tabeller/vad_har_andrats/vad_har_andrats.csv"]


class TestWritePackage:
    def test_contents_and_reproducible(self, tmp_path):
        gen = _stage(tmp_path)
        z, x = datapackage.write_package(gen, 2019, {"edition": 2019})
        first = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (z, x)]
        with zipfile.ZipFile(z) as zf:
            names = zf.namelist()
            assert "data_2019/kodbok.csv" in names and "data_2019/manifest.json" in names
            assert "data_2019/kodbok.md" in names and len(names) == 6
            assert zf.read("data_2019/kodbok.csv").startswith(codebook.ENCODING_BOM)
        wb = load_workbook(x, read_only=True)
        assert wb.sheetnames == ["tabeller", "kodbok"]
        rows = list(wb["tabeller"].iter_rows(values_only=True))
        assert list(rows[0]) == codebook.columns() and len(rows) == 1 + 5
        page = (gen / "kodbok.md").read_text(encoding="utf-8")
        assert "(data_2019.zip)" in page and "(data_2019.xlsx)" in page
        again = datapackage.write_package(gen, 2019, {"edition": 2019})
        assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in again] == first

    def test_a_csv_outside_the_schema_stops(self, tmp_path):
        gen = _stage(tmp_path)
        (gen / "01_befolkning_files" / "old.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        with pytest.raises(codebook.SchemaError, match="old.csv"):
            datapackage.write_package(gen, 2019, {})


class TestWorkbookInTheBackground:
    """``write_package(later=…)``: the workbook is written by a fork while Jupyter Book runs and
    put over the placeholder in the staged book and in the site's ``_downloads`` copy."""

    @pytest.fixture(autouse=True)
    def _no_other_thread(self, monkeypatch):
        """The fork path, whatever threads earlier tests of this process left running (the
        build forks before it starts any)."""
        monkeypatch.setattr(datapackage.threading, "active_count", lambda: 1)

    def test_same_bytes_as_written_at_once(self, tmp_path):
        gen = _stage(tmp_path)
        _z, x = datapackage.write_package(gen, 2019, {"edition": 2019})
        at_once = x.read_bytes()
        later = []
        _z, x2 = datapackage.write_package(gen, 2019, {"edition": 2019}, later=later)
        assert x2 == x and x.read_bytes() == b""  # the placeholder Jupyter Book copies
        html = tmp_path / "html"
        copy = html / "_downloads" / "92faf6fb" / x.name
        copy.parent.mkdir(parents=True)
        copy.write_bytes(b"")
        [pending] = later
        assert pending.pid is not None  # written by a fork (no other thread runs here)
        assert pending.finish(html) == at_once
        assert x.read_bytes() == copy.read_bytes() == at_once
        assert sorted(p.name for p in gen.iterdir() if p.is_file()) == sorted(
            ["vad_har_andrats.csv", "kodbok.md", "data_2019.zip", "data_2019.xlsx"])

    def test_a_failure_in_the_fork_is_raised_by_finish(self, tmp_path, monkeypatch):
        gen = _stage(tmp_path)

        def broken(rows, book):
            raise ValueError("trasig arbetsbok")

        monkeypatch.setattr(datapackage, "workbook", broken)
        later = []
        datapackage.write_package(gen, 2019, {"edition": 2019}, later=later)
        with pytest.raises(RuntimeError, match="trasig arbetsbok"):
            later[0].finish(tmp_path / "html")


class TestWorkbook:
    def test_numbers_stay_numbers(self):
        t = codebook.tidy(pd.DataFrame({"folkmangd": [5], "data_kind": "uppmätt"}), "t")
        wb = load_workbook(io.BytesIO(datapackage.workbook(t, codebook.codebook_table())))
        ws = wb["tabeller"]
        col = codebook.columns().index("värde") + 1
        assert ws.cell(2, col).value == 5 and ws.cell(2, 1).value is None
