"""One code key for every cache: editing a deep dependency rebuilds the interim tables too.

In a copy of the repository, the child-poverty inputs are built once into a cache folder; then
the disclosure module (three layers below them) is edited and the inputs are loaded again. A
new cache folder must be built and the stale one removed — the notebook cache follows the same
edit (tests/unit/test_build.py::TestJobKey::test_deep_dependency_changes_only_its_users).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.book import build

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]

LOAD = ("from analysis.inputs import barnfattigdom as b; import sys; "
        "d = b.load(7, cache_root=__import__('pathlib').Path(sys.argv[1])); "
        "print(d.cache_dir.name, d.synthetic)")


def _load(repo: Path, cache: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    env.update(PYTHONPATH=str(repo / "src"), ANALYSIS_ROOT=str(repo))
    res = subprocess.run([sys.executable, "-c", LOAD, str(cache)], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    name, synthetic = res.stdout.split()
    assert synthetic == "True"
    return name


def test_editing_disclosure_rebuilds_the_interim_tables(tmp_path):
    repo = build.copy_sources(ROOT, tmp_path / "repo")
    cache = tmp_path / "cache"
    first = _load(repo, cache)
    assert _load(repo, cache) == first  # unchanged code: the cached folder is read
    disc = repo / "src" / "analysis" / "methods" / "disclosure.py"
    disc.write_text(disc.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    second = _load(repo, cache)
    assert second != first
    folders = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert folders == [second]  # the stale folder of the old code is pruned
