"""The one code hash: a module's source and the source of everything it imports, transitively."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.core import codehash

PKG = Path(codehash.__file__).resolve().parents[1]


@pytest.fixture
def pkg(tmp_path):
    dst = tmp_path / "analysis"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def _touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")


def test_same_code_same_hash(pkg):
    assert codehash.code_hash(["analysis.chapters.child_poverty"], pkg) == codehash.code_hash(
        ["analysis.chapters.child_poverty"], PKG)


def test_a_deep_dependency_changes_the_hash_of_its_users_only(pkg):
    users = ["analysis.chapters.child_poverty"]
    bystander = ["analysis.methods.population"]
    before = codehash.code_hash(users, pkg), codehash.code_hash(bystander, pkg)
    _touch(pkg / "methods" / "disclosure.py")
    after = codehash.code_hash(users, pkg), codehash.code_hash(bystander, pkg)
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_package_init_and_package_data_count(pkg):
    mods = ["analysis.synthetic.synthtools"]
    before = codehash.code_hash(mods, pkg)
    (pkg / "synthetic" / "calibrated").mkdir(exist_ok=True)
    (pkg / "synthetic" / "calibrated" / "zz.json").write_text("{}", encoding="utf-8")
    mid = codehash.code_hash(mods, pkg)
    assert mid != before
    _touch(pkg / "__init__.py")
    assert codehash.code_hash(mods, pkg) != mid


def test_imports_inside_functions_and_relative_imports_are_followed(tmp_path):
    pkg = tmp_path / "analysis"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "a" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "a" / "x.py").write_text("def f():\n    from . import y\n", encoding="utf-8")
    (pkg / "a" / "y.py").write_text("from analysis.a.z import Z\n", encoding="utf-8")
    (pkg / "a" / "z.py").write_text("Z = 1\n", encoding="utf-8")
    assert set(codehash.closure(["analysis.a.x"], pkg)) == {
        "analysis", "analysis.a", "analysis.a.x", "analysis.a.y", "analysis.a.z"}


class TestMemo:
    """In a build (ANALYSIS_WORK_CACHE set) the hash is remembered with the stamps of its files."""

    def test_remembered_and_recomputed_after_an_edit(self, pkg, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        users = ["analysis.chapters.child_poverty"]
        first = codehash.code_hash(users, pkg)
        assert (tmp_path / "work" / "codehash.json").exists()
        calls = []
        real = codehash.closure
        monkeypatch.setattr(codehash, "closure", lambda *a: calls.append(a) or real(*a))
        assert codehash.code_hash(users, pkg) == first and calls == []  # from the memo
        _touch(pkg / "methods" / "disclosure.py")
        second = codehash.code_hash(users, pkg)
        assert second != first and len(calls) == 1
        monkeypatch.delenv("ANALYSIS_WORK_CACHE")
        assert codehash.code_hash(users, pkg) == second  # the same hash without the memo

    def test_a_new_data_file_is_seen(self, pkg, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        users = ["analysis.synthetic"]
        first = codehash.code_hash(users, pkg)
        (pkg / "synthetic" / "calibrated" / "new.json").write_text("{}", encoding="utf-8")
        assert codehash.code_hash(users, pkg) != first

    def test_a_damaged_memo_is_ignored(self, pkg, tmp_path, monkeypatch):
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
        (tmp_path / "work").mkdir()
        (tmp_path / "work" / "codehash.json").write_text("{", encoding="utf-8")
        assert codehash.code_hash(["analysis.core.geo"], pkg) == codehash.code_hash(
            ["analysis.core.geo"], PKG)
