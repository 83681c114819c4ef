"""Tests for analysis.core.diskcache: keys, the lock, pruning and the build-once, write-atomically cache."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from analysis.core import codehash, diskcache


def _write(frame: pd.DataFrame, folder):
    frame.to_parquet(folder / "t.parquet", index=False)
    return {"rows": len(frame)}


def _read(folder, meta):
    return pd.read_parquet(folder / "t.parquet").assign(rows=meta["rows"])


class TestFrameHash:
    def test_values_and_names_count_not_the_index(self):
        a = pd.DataFrame({"x": [1, 2]})
        assert diskcache.frame_hash(a) == diskcache.frame_hash(a.set_axis([5, 6]))
        assert diskcache.frame_hash(a) != diskcache.frame_hash(a.rename(columns={"x": "y"}))
        assert diskcache.frame_hash(a) != diskcache.frame_hash(pd.DataFrame({"x": [1, 3]}))


class TestCodeHash:
    def test_depends_on_the_modules_and_what_they_import(self):
        one = diskcache.code_hash("analysis.core.geo")
        assert one == diskcache.code_hash("analysis.core.geo")
        assert one != diskcache.code_hash("analysis.core.geo", "analysis.core.text")
        # the closure: a module that imports geo hashes geo too
        assert (codehash.closure(["analysis.methods.population"]).keys()
                >= {"analysis.core.geo", "analysis.methods.population", "analysis.methods",
                    "analysis"})

    def test_the_notebook_cache_and_the_interim_caches_share_one_key_function(self):
        assert diskcache.code_hash("analysis.methods.disclosure") == codehash.code_hash(
            ["analysis.methods.disclosure"])


class TestKey:
    def test_stable_short_and_order_free(self):
        k = diskcache.key({"seed": 1, "years": [2017]})
        assert len(k) == 24 and k == diskcache.key({"years": [2017], "seed": 1})
        assert k != diskcache.key({"seed": 2, "years": [2017]})


class TestDefaultRoot:
    def test_under_data_interim(self):
        root = diskcache.default_root("x")
        assert root.parts[-3:] == ("data", "interim", "x")


class TestLock:
    def test_second_holder_waits(self, tmp_path):
        order = []

        def hold():
            with diskcache.lock(tmp_path / "k.lock"):
                order.append("a")
                time.sleep(0.3)
                order.append("b")

        t = threading.Thread(target=hold)
        t.start()
        time.sleep(0.1)
        with diskcache.lock(tmp_path / "k.lock"):
            order.append("c")
        t.join()
        assert order == ["a", "b", "c"]


class TestPrune:
    def test_removes_other_code_versions_only(self, tmp_path):
        for name, code in (("old", "c0"), ("new", "c1"), ("keep", "c0")):
            (tmp_path / name).mkdir()
            (tmp_path / name / "meta.json").write_text(json.dumps({"code": code}))
            (tmp_path / f"{name}.lock").write_text("")
        diskcache.prune(tmp_path, "c1", keep="keep")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep", "keep.lock", "new",
                                                             "new.lock"]


class TestCached:
    def test_built_once_then_read(self, tmp_path):
        calls = []

        def build():
            calls.append(1)
            return pd.DataFrame({"x": [1, 2, 3]})

        first = diskcache.cached(tmp_path, "k1", "code", build, _write, _read)
        again = diskcache.cached(tmp_path, "k1", "code", build, _write, _read)
        assert calls == [1] and "rows" not in first and again["rows"].eq(3).all()
        meta = json.loads((tmp_path / "k1" / "meta.json").read_text())
        assert meta == {"rows": 3, "code": "code"}
        assert not list(tmp_path.glob("*.tmp-*"))

    def test_a_failed_build_leaves_no_folder(self, tmp_path):
        def boom():
            raise RuntimeError("no")

        with pytest.raises(RuntimeError):
            diskcache.cached(tmp_path, "k2", "code", boom, _write, _read)
        assert not (tmp_path / "k2").exists()

    def test_new_code_prunes_old_folders(self, tmp_path):
        diskcache.cached(tmp_path, "k1", "old", lambda: pd.DataFrame({"x": [1]}), _write, _read)
        diskcache.cached(tmp_path, "k2", "new", lambda: pd.DataFrame({"x": [1]}), _write, _read)
        assert not (tmp_path / "k1").exists() and (tmp_path / "k2" / "meta.json").exists()


class TestWriteParquetAtomic:
    def test_written_and_no_temporary_left(self, tmp_path):
        diskcache.write_parquet_atomic(pd.DataFrame({"x": [1]}), tmp_path / "t.parquet")
        assert pd.read_parquet(tmp_path / "t.parquet")["x"].tolist() == [1]
        assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


class TestTableKey:
    def test_catalogue_md5_else_content(self):
        a = pd.DataFrame({"x": [1, 2]})
        assert diskcache.table_key(a) == diskcache.frame_hash(a)
        a.attrs["catalog"] = {"md5": "abc"}
        assert diskcache.table_key(a) == "abc"


class TestMemo:
    def test_outside_a_build_just_computed(self, monkeypatch):
        monkeypatch.delenv("ANALYSIS_WORK_CACHE", raising=False)
        calls = []
        for _ in range(2):
            assert diskcache.memo("t", "analysis.core.geo", {"a": 1},
                                  lambda: calls.append(1) or 5) == 5
        assert len(calls) == 2

    def test_in_a_build_computed_once_and_read_back_exactly(self, monkeypatch, tmp_path):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path))
        frame = pd.DataFrame({"k": pd.Categorical(["b", "a"]), "v": [1.5, float("nan")]},
                             index=[7, 3])
        frame.attrs["källa"] = {"md5": "x"}
        calls = []

        def build():
            calls.append(1)
            return {"t": frame, "n": 2}

        first = diskcache.memo("t", "analysis.core.geo", {"a": 1}, build)
        again = diskcache.memo("t", "analysis.core.geo", {"a": 1}, build)
        assert len(calls) == 1 and first["t"] is frame and again["t"] is not frame
        pd.testing.assert_frame_equal(again["t"], frame)
        assert again["t"].attrs == frame.attrs and again["n"] == 2
        # another payload or another module's code is another value
        diskcache.memo("t", "analysis.core.geo", {"a": 2}, build)
        diskcache.memo("t", "analysis.core.text", {"a": 1}, build)
        assert len(calls) == 3
        assert len(list((tmp_path / "memo" / "t").glob("*.pkl"))) == 3
        assert not list((tmp_path / "memo" / "t").glob("*.tmp-*"))

    def test_a_damaged_memo_is_computed_again(self, monkeypatch, tmp_path):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path))
        diskcache.memo("t", "analysis.core.geo", {}, lambda: 1)
        [f] = (tmp_path / "memo" / "t").glob("*.pkl")
        f.write_bytes(b"\x80trasig")
        assert diskcache.memo("t", "analysis.core.geo", {}, lambda: 2) == 2
        assert diskcache.memo("t", "analysis.core.geo", {}, lambda: 3) == 2
