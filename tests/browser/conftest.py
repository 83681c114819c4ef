"""Fixtures for the browser tests: a built book (both editions) and a browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .sitecheck import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "_build" / "test-book"
EDITIONS = sorted(p.stem for p in (ROOT / "params").glob("[0-9]*.yml"))
#: The default region's folder under ``_build/html`` (``<region>/<edition>``).
REGION_DIR = "orebro-lan"


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if not path:
        pytest.skip("SKIPPED: no chromium on this machine (.ci/run installs Debian's chromium); "
                    "the built book was not checked in a browser")
    return path


@pytest.fixture(scope="session")
def book_html() -> Path:
    """Both editions of the default region (Örebro län) built with the project's own build
    (cached between runs): the region's folder, holding one folder per edition.

    ``BOOK_HTML_DIR`` may point at an already built ``_build/html`` to skip the build.
    """
    given = os.environ.get("BOOK_HTML_DIR")
    if given:
        return Path(given) / REGION_DIR
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    # twice, as `make editions` does: a page links only to editions already published, so the
    # second round links the first editions to the later ones (nothing is executed again)
    for ed in EDITIONS + EDITIONS:
        proc = subprocess.run(
            [sys.executable, "-m", "analysis.book.build", "book", "--edition", ed, "-j", "2",
             "--build-dir", str(BUILD_DIR)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
        assert proc.returncode == 0, f"edition {ed} failed to build:\n{proc.stdout}\n{proc.stderr}"
    return BUILD_DIR / "html" / REGION_DIR


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()
