"""The data catalogue: every raw file is described and unchanged, and bad input stops with a
message naming the file, the column and the rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]
KOMMUN = ROOT / "data/raw/scb_kommun_folkmangd/2020-05-07/folkmangd_orebro_lan_kommuner_1950_2019_long.csv"
HEADER = "kommun_kod,kommun_namn,ar,folkmangd\n"
GOOD = ["1814,Lekeberg,1950,9423", "1814,Lekeberg,1951,9392", "1860,Laxå,1950,8000"]


def write(tmp_path: Path, lines: list[str], header: str = HEADER, encoding="utf-8") -> Path:
    p = tmp_path / "folkmangd.csv"
    p.write_bytes((header + "\n".join(lines) + "\n").encode(encoding))
    return p


def read(p: Path) -> pd.DataFrame:
    return catalog.read_table(p, "csv", "folkmangd_kommun")


class TestCatalogueCompleteness:
    def test_every_catalogued_file_exists_with_its_md5(self):
        assert catalog.verify(ROOT) == []

    def test_every_file_under_data_raw_is_catalogued(self):
        catalogued = {f.resolve() for _, f, _ in catalog.all_files(ROOT)}
        on_disk = {p.resolve() for p in (ROOT / "data" / "raw").rglob("*") if p.is_file()}
        # `make fetch-kolada` catalogues each fetch in place of the previous one (the shipped
        # request or an earlier day's fetch), whose raw files stay as received.
        current = (ROOT / "data" / catalog.entry("kolada_barn_ekonomi", ROOT)["relpath"]).parent
        superseded = {p for p in on_disk if p.parent.parent == current.parent.resolve()
                      and p.parent != current.resolve()}
        assert on_disk - catalogued - superseded == set(), "uncatalogued raw files"

    def test_superseded_kolada_fetches_are_the_only_exemption(self):
        current = (ROOT / "data" / catalog.entry("kolada_barn_ekonomi", ROOT)["relpath"]).parent
        assert current.parent.name == "kolada_barn_ekonomi" and current.is_dir()

    def test_every_source_has_provenance_fields(self):
        for name, src in catalog.read_catalog(ROOT)["sources"].items():
            for field in ("producer", "title", "licence", "date_accessed", "folder", "files"):
                assert src.get(field), f"source {name} lacks {field}"

    @pytest.mark.parametrize("name", sorted(catalog.read_catalog(ROOT)["datasets"]))
    def test_every_dataset_loads_and_validates(self, name):
        df = catalog.load(name, root=ROOT)
        assert len(df) > 0
        assert df.attrs["catalog"]["md5"] == catalog.entry(name, ROOT)["md5"]


class TestLoad:
    def test_types_after_validation(self):
        df = catalog.load("folkmangd_kommun", root=ROOT)
        assert df["kommun_kod"].iloc[0] == "1814"  # codes stay text with leading digits
        assert str(df["folkmangd"].dtype) == "int64"

    def test_declared_inputs_are_enforced_in_a_build(self, monkeypatch):
        monkeypatch.setenv(catalog.ENV_DECLARED, "folkmangd_kommun")
        catalog.load("folkmangd_kommun", root=ROOT)
        with pytest.raises(RuntimeError, match="does not declare it"):
            catalog.load("kolada_befolkning", root=ROOT)

    def test_unknown_dataset(self):
        with pytest.raises(KeyError, match="not in data/catalog.yml"):
            catalog.entry("no_such_table", ROOT)

    def test_citation_joins_producers(self):
        c = catalog.citation("folkmangd_kommun", "kolada_befolkning", root=ROOT)
        assert c.startswith("Källa: SCB") and "Kolada" in c


class TestBadInput:
    """Eight ways an input can be wrong, each refused with file, column and rows named."""

    def test_missing_column(self, tmp_path):
        p = write(tmp_path, [",".join(r.split(",")[:3]) for r in GOOD],
                  header="kommun_kod,kommun_namn,ar\n")
        with pytest.raises(InputError) as e:
            read(p)
        assert e.value.column == "folkmangd" and "missing" in str(e.value)
        assert str(p) in str(e.value)

    def test_unknown_kommun_code(self, tmp_path):
        p = write(tmp_path, [*GOOD, "9999,Nowhere,1950,10"])
        with pytest.raises(InputError) as e:
            read(p)
        assert e.value.column == "kommun_kod" and e.value.rows == [4] and e.value.values == ["9999"]
        assert "not an allowed code" in str(e.value)

    def test_negative_count(self, tmp_path):
        p = write(tmp_path, [GOOD[0], "1814,Lekeberg,1951,-5", GOOD[2]])
        with pytest.raises(InputError) as e:
            read(p)
        assert e.value.column == "folkmangd" and e.value.rows == [2] and "negative" in str(e.value)

    def test_duplicate_key(self, tmp_path):
        p = write(tmp_path, [*GOOD, GOOD[0]])
        with pytest.raises(InputError) as e:
            read(p)
        assert "duplicate key (kommun_kod, ar)" in str(e.value) and e.value.rows == [1, 4]

    def test_wrong_encoding(self, tmp_path):
        p = write(tmp_path, GOOD, encoding="latin-1")  # "Laxå" in Latin-1
        with pytest.raises(InputError) as e:
            read(p)
        assert "not valid UTF-8" in str(e.value) and "line 4" in str(e.value)

    def test_empty_file(self, tmp_path):
        p = tmp_path / "empty.csv"
        p.write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            read(p)

    def test_header_only(self, tmp_path):
        p = write(tmp_path, [])
        with pytest.raises(InputError, match="no data rows|empty"):
            read(p)

    def test_non_numeric_value(self, tmp_path):
        p = write(tmp_path, [GOOD[0], "1814,Lekeberg,1951,12x4", GOOD[2]])
        with pytest.raises(InputError) as e:
            read(p)
        assert e.value.column == "folkmangd" and e.value.values == ["12x4"] and e.value.rows == [2]
        assert "not a whole number" in str(e.value)

    def test_checksum_mismatch(self, tmp_path):
        root = tmp_path / "repo"
        shutil.copytree(ROOT / "data", root / "data")
        target = root / "data" / catalog.entry("folkmangd_kommun", ROOT)["relpath"]
        target.chmod(0o644)
        target.write_text(target.read_text(encoding="utf-8").replace("9423", "9424"), encoding="utf-8")
        catalog._read_catalog.cache_clear()
        with pytest.raises(InputError) as e:
            catalog.load("folkmangd_kommun", root=root)
        assert "checksum mismatch" in str(e.value) and str(target) in str(e.value)
        assert any("folkmangd_orebro" in p for p in catalog.verify(root))


class TestFragments:
    def test_fragment_is_merged_and_duplicates_refused(self, tmp_path):
        root = tmp_path / "repo"
        (root / "data" / "catalog.d").mkdir(parents=True)
        (root / "data" / "catalog.yml").write_text("sources: {}\ndatasets: {}\n", encoding="utf-8")
        src = {"s": {"producer": "p", "title": "t", "folder": "raw/s", "files": {"a.csv": "0"}}}
        ds = {"d": {"source": "s", "file": "a.csv", "driver": "csv"}}
        catalog.write_fragment("one", src, ds, root)
        assert "d" in catalog.read_catalog(root)["datasets"]
        with pytest.raises(ValueError, match="already catalogued"):
            catalog.write_fragment("two", src, ds, root)


class TestCheckComplete:
    def test_missing_combination_is_named(self):
        df = pd.DataFrame({"ar": [2018, 2018, 2019], "kon": ["kvinnor", "män", "kvinnor"]})
        catalog.check_complete(df, None, "f.csv")
        with pytest.raises(InputError, match=r"no row for ar=2019, kon=män"):
            catalog.check_complete(df, {"ar": "observed", "kon": "observed"}, "f.csv")

    def test_kommuner_and_lists(self):
        df = pd.DataFrame({"kommun_kod": list(geo.KOMMUNER)[:-1]})
        with pytest.raises(InputError, match=f"kommun_kod={list(geo.KOMMUNER)[-1]}"):
            catalog.check_complete(df, {"kommun_kod": "kommuner"}, "f.csv")
        with pytest.raises(InputError, match="is not one of"):
            catalog.check_complete(df, {"kommun_kod": "alla"}, "f.csv")


class TestValidatedTableCache:
    """In a build (ANALYSIS_WORK_CACHE set) a validated table is kept and read back."""

    NAME = "folkmangd_kommun"

    def test_second_load_reads_the_kept_table(self, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        log = tmp_path / "inputs.log"
        monkeypatch.setenv(catalog.ENV_INPUT_LOG, str(log))
        first = catalog.load(self.NAME, root=ROOT)
        assert len(list((tmp_path / "work" / "frames").glob(f"{self.NAME}-*.pkl"))) == 1
        calls = []
        monkeypatch.setattr(catalog, "read_table", lambda *a, **k: calls.append(a))
        second = catalog.load(self.NAME, root=ROOT)
        assert calls == []  # not read or validated again
        pd.testing.assert_frame_equal(first, second, check_exact=True)
        assert first.attrs == second.attrs and list(first.dtypes) == list(second.dtypes)
        assert log.read_text(encoding="utf-8").count(self.NAME) == 2  # logged on every load
        monkeypatch.setenv(catalog.ENV_DECLARED, "kolada_befolkning")
        with pytest.raises(RuntimeError, match="does not declare it"):
            catalog.load(self.NAME, root=ROOT)  # still enforced on a kept table

    def test_nothing_is_kept_outside_a_build(self, tmp_path, monkeypatch):
        monkeypatch.delenv("ANALYSIS_WORK_CACHE", raising=False)
        assert catalog._frame_cache(self.NAME, catalog.entry(self.NAME, ROOT)) is None

    def test_a_changed_entry_or_schema_is_validated_again(self, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        ent = catalog.entry(self.NAME, ROOT)
        other = catalog.entry("kolada_befolkning", ROOT)["schema"]
        keys = {catalog._frame_cache(self.NAME, ent),
                catalog._frame_cache(self.NAME, {**ent, "md5": "0" * 32}),
                catalog._frame_cache(self.NAME, {**ent, "schema": other}),
                catalog._frame_cache(self.NAME, {**ent, "complete": {"ar": "observed"}})}
        assert len(keys) == 4

    def test_a_damaged_kept_table_is_read_again(self, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        first = catalog.load(self.NAME, root=ROOT)
        (kept,) = (tmp_path / "work" / "frames").glob(f"{self.NAME}-*.pkl")
        kept.write_bytes(b"not a pickle")
        pd.testing.assert_frame_equal(catalog.load(self.NAME, root=ROOT), first)
        assert kept.read_bytes() != b"not a pickle"  # written again
