"""environment.yml (conda users) and pyproject.toml (pip, the Makefile) describe the same environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _pyproject_pins() -> dict[str, str]:
    p = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = p["project"]["dependencies"] + p["project"]["optional-dependencies"]["dev"]
    return dict(_split(d) for d in deps)


def _split(req: str) -> tuple[str, str]:
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(==.+)", req.strip())
    assert m, f"{req!r} is not pinned with =="
    return m.group(1).lower().replace("_", "-"), m.group(2)


class TestEnvironment:
    def test_every_dependency_is_pinned_exactly(self):
        assert _pyproject_pins()  # _split asserts the pin form

    def test_environment_yml_matches_pyproject(self):
        env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
        deps = env["dependencies"]
        assert "python=3.11" in deps
        pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
        pins = dict(_split(d) for d in pip if d != "-e .")
        assert pins == _pyproject_pins()
        assert "-e ." in pip

    def test_python_version_is_311(self):
        p = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        assert p["project"]["requires-python"] == ">=3.11,<3.12"

    def test_jupyter_book_is_version_1(self):
        assert _pyproject_pins()["jupyter-book"].startswith("==1.")
