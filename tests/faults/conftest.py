"""The fault suite's repository copies and the published book that must stay untouched."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from analysis.book import build, params
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]
#: Folders copied for every case; data/raw and src are hard-linked (never edited in place:
#: :func:`edit_raw` replaces a file before changing it).
COPIED = ("notebooks", "book", "params", "_static")
LINKED = ("src", "data/raw")
MEMO = Path("_build") / "cache" / "checked-inputs.json"


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """One copy of everything the build reads, made once."""
    dst = tmp_path_factory.mktemp("pristine")
    build.copy_sources(ROOT, dst)
    # The build checks every declared table once per content (a memo under _build/cache);
    # checked here once, the cases re-check only the tables they change.
    names = list(catalog.read_catalog(dst)["datasets"])
    params.check_inputs(dst, names, memo=dst / MEMO)
    return dst


def _published(repo: Path) -> None:
    """A published 2019 book and landing page, as a previous build left them."""
    html = repo / "_build" / "html"
    (html / "orebro-lan" / "2019" / "book").mkdir(parents=True)
    (html / "orebro-lan" / "2019" / "book" / "intro.html").write_text("<html lang='sv'>Boken 2019</html>\n")
    (html / "orebro-lan" / "2019" / "manifest.json").write_text('{"edition": 2019, "build_key": "old"}\n')
    (html / "orebro-lan" / "2019" / "index.html").write_text("<html>2019</html>\n")
    (html / "index.html").write_text("<html>Utgåvor</html>\n")


@pytest.fixture()
def repo(pristine, tmp_path, monkeypatch) -> Path:
    """A fresh repository copy with a published book; the working directory and
    ``ANALYSIS_ROOT`` point at it, and no confidential setting is in the environment."""
    dst = tmp_path / "repo"
    dst.mkdir()
    for part in COPIED:
        shutil.copytree(pristine / part, dst / part)
    (dst / "data").mkdir()
    shutil.copy2(pristine / "data" / "catalog.yml", dst / "data" / "catalog.yml")
    shutil.copytree(pristine / "data" / "catalog.d", dst / "data" / "catalog.d")
    for part in LINKED:
        shutil.copytree(pristine / part, dst / part, copy_function=os.link)
    for f in build.SOURCE_FILES:
        shutil.copy2(pristine / f, dst / f)
    (dst / MEMO).parent.mkdir(parents=True)
    shutil.copy2(pristine / MEMO, dst / MEMO)
    _published(dst)
    monkeypatch.setenv("ANALYSIS_ROOT", str(dst))
    monkeypatch.chdir(dst)
    for k in build.safety.CONFIDENTIAL_ENV + ("ANALYSIS_REGISTER_OPTIONS",):
        monkeypatch.delenv(k, raising=False)
    return dst


def snapshot(repo: Path) -> dict[str, str]:
    """Every file of the published HTML with its sha256."""
    html = repo / "_build" / "html"
    return {str(p.relative_to(html)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(html.rglob("*")) if p.is_file()}


def edit_text(repo: Path, rel: str, fn) -> None:
    """Replace ``rel`` by ``fn(text)`` (a new file, so hard links to the original stay intact)."""
    p = repo / rel
    text = p.read_text(encoding="utf-8")
    p.unlink()
    p.write_text(fn(text), encoding="utf-8")


def edit_raw(repo: Path, rel: str, fn, *, encoding: str = "utf-8") -> None:
    """Change a catalogued raw file (``data/raw/...``) and catalogue its new md5, as a new
    release would be: what is tested is then the content, not the checksum."""
    p = repo / rel
    old = catalog.md5(p)
    text = p.read_text(encoding="utf-8")
    p.unlink()
    p.write_bytes(fn(text).encode(encoding))
    new = catalog.md5(p)
    for cat in [repo / "data" / "catalog.yml", *sorted((repo / "data" / "catalog.d").glob("*.yml"))]:
        body = cat.read_text(encoding="utf-8")
        if old in body:
            cat.write_text(body.replace(old, new), encoding="utf-8")


def set_param(text: str, key: str, value: str) -> str:
    """A params file with ``key: value`` replaced (or added)."""
    if re.search(rf"^{key}:", text, flags=re.M):
        return re.sub(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.M)
    return text.rstrip("\n") + f"\n{key}: {value}\n"
