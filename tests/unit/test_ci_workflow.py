"""The GitHub Actions workflow cannot run here; check its syntax and that it runs the README's
commands (Make targets), with pinned actions, a pip cache and failure artefacts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WF = ROOT / ".github" / "workflows" / "book.yml"


def workflow() -> dict:
    wf = yaml.safe_load(WF.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    wf["on"] = wf.pop(True, wf.get("on"))
    return wf


def steps(wf):
    for job in wf["jobs"].values():
        yield from job["steps"]


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, flags=re.M))


class TestWorkflow:
    def test_triggers(self):
        on = workflow()["on"]
        assert "pull_request" in on
        assert on["push"]["tags"] == ["edition-*"]
        assert "edition" in on["workflow_dispatch"]["inputs"]

    def test_actions_pinned_to_exact_versions(self):
        for s in steps(workflow()):
            if "uses" in s:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})", s["uses"]), s["uses"]

    def test_run_steps_use_the_readme_make_targets(self):
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        targets = makefile_targets()
        used = set()
        for s in steps(workflow()):
            for m in re.finditer(r"\bmake (\w[\w-]*)", s.get("run", "")):
                used.add(m.group(1))
                assert m.group(1) in targets, f"make {m.group(1)} is not a Makefile target"
                assert f"make {m.group(1)}" in readme, f"make {m.group(1)} is not in the README"
        assert {"book", "editions"} <= used

    def test_tests_run_through_ci_run_which_runs_make_test(self):
        runs = [s.get("run", "") for s in steps(workflow())]
        assert ".ci/run" in runs
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert re.search(r"^make test$", ci, flags=re.M) and "set -euo pipefail" in ci

    def test_pip_cache_and_python_311(self):
        for s in steps(workflow()):
            if s.get("uses", "").startswith("actions/setup-python"):
                assert s["with"]["cache"] == "pip"
                assert s["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"
        assert workflow()["env"]["PYTHON_VERSION"] == "3.11"

    def test_failure_artefacts_in_every_job(self):
        for name, job in workflow()["jobs"].items():
            failure = [s for s in job["steps"] if s.get("if") == "failure()"
                       and s.get("uses", "").startswith("actions/upload-artifact")]
            assert failure, f"job {name} keeps nothing when it fails"

    def test_publishes_to_pages(self):
        uses = [s.get("uses", "") for s in workflow()["jobs"]["publish"]["steps"]]
        assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
        assert any(u.startswith("actions/deploy-pages") for u in uses)
