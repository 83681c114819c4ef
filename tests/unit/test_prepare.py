"""analysis.book.prepare: the kommun profiles' shared interim data, built once before the notebooks."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from analysis.book import build, execute, prepare
from analysis.book.jobs import Job, plan
from analysis.book.params import load_edition
from analysis.core import paths
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_groups_hold_every_part_once(workers):
    parts = [p for g in prepare.groups(workers) for p in g]
    assert sorted(parts) == sorted(prepare.PARTS)
    assert len(prepare.groups(workers)) == (1 if workers == 1 else len(prepare.GROUPS))


def test_template_is_the_kommun_profile():
    assert (ROOT / prepare.TEMPLATE).is_file()


class _Pool:
    def __init__(self):
        self.calls = []

    def submit(self, fn, *args):
        self.calls.append((fn, args))
        return type("Future", (), {})()


def _profile(edition: int, code: str, key: str) -> Job:
    return Job(prepare.TEMPLATE, f"profil_kommun__area_{code}", "kommuner",
               {"edition": edition, "area_code": code, "seed": 1}, ["kolada_befolkning"],
               key=key)


def test_submitted_only_for_editions_with_profiles_to_execute(tmp_path):
    jobs = [_profile(2019, "1880", "a"), _profile(2019, "1881", "b"),
            _profile(2015, "1880", "c"), _profile(2015, "1881", "d"),
            _profile(2014, "1880", "e"),  # one profile: nothing to share
            Job("notebooks/01_befolkning.md", "01_befolkning", ".", {"edition": 2019}, [],
                key="f")]
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "job.json").write_text("{}")  # 2015: one left to execute
    pool = _Pool()
    build.prepare_shared(pool, ROOT, jobs, tmp_path, 2)
    assert [c[0] for c in pool.calls] == [execute.prepare_job] * len(prepare.GROUPS)
    for (_fn, (root, parts, params, inputs, cache)), group in zip(pool.calls, prepare.GROUPS,
                                                                   strict=True):
        assert (root, tuple(parts), cache) == (str(ROOT), group, str(tmp_path))
        # the profile's parameters without its area; its declared inputs
        assert params == {"edition": 2019, "seed": 1} and inputs == ["kolada_befolkning"]


def test_the_first_group_runs_in_the_build_process(tmp_path):
    jobs = [_profile(2019, "1880", "a"), _profile(2019, "1881", "b")]
    pool, here = _Pool(), []

    def run_here(parts, params):
        here.append((parts, params))
        return type("Future", (), {})()

    futs = build.prepare_shared(pool, ROOT, jobs, tmp_path, 2, here=run_here)
    assert here == [(list(prepare.GROUPS[0]), {"edition": 2019, "seed": 1})]
    assert [tuple(c[1][1]) for c in pool.calls] == list(prepare.GROUPS[1:])
    assert [f.parts for f in futs] == [list(g) for g in prepare.GROUPS]


def test_without_a_zygote_nothing_is_done(tmp_path):
    res = execute.prepare_job(str(ROOT), ["barnfattigdom"], {"edition": 2019}, [], str(tmp_path))
    assert res["ok"] and res["skipped"]
    assert list(tmp_path.iterdir()) == []


def test_a_failing_part_is_reported_not_raised(monkeypatch):
    def boom(_p):
        raise ValueError("trasig fil")

    monkeypatch.setitem(prepare.PARTS, "barnfattigdom", boom)
    res = prepare.run(["barnfattigdom", "befolkning"], {})
    assert (res["ok"], res["part"], res["error"]) == (False, "barnfattigdom",
                                                       "ValueError: trasig fil")


def _files(folder: Path) -> dict[str, int]:
    """Every file with its mtime, except the locks (opened, so touched, by every reader)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and p.suffix != ".lock"}


@pytest.mark.slow
def test_a_profile_after_the_parts_builds_nothing(tmp_path, monkeypatch):
    """The parts ask for the keys the kommun profile asks for: after them, running the profile's
    code writes nothing under data/interim (every piece is read, none built)."""
    interim = tmp_path / "interim"
    monkeypatch.setattr(paths, "interim_dir", lambda name: interim / name)
    ed = load_edition(ROOT / "params" / "2019.yml")
    job = next(j for j in plan(ROOT, ed) if j.source == prepare.TEMPLATE)
    monkeypatch.setenv(catalog.ENV_DECLARED, ",".join(job.inputs))
    params = {k: v for k, v in job.params.items() if k != "area_code"}
    assert prepare.run(list(prepare.PARTS), params) == {"ok": True}
    before = _files(interim)
    assert {Path(f).parts[0] for f in before} >= {"barnfattigdom", "befolkningsframskrivning",
                                                   "liv_och_halsa_skydd", "liv_och_halsa_ung",
                                                   "liv_och_halsa_ung_skydd"}
    monkeypatch.chdir(tmp_path)  # the profile's tables and figures go to <stem>_files here
    nb = jupytext.read(ROOT / job.source)
    env: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, job.source, "exec"), env)  # noqa: S102 - the notebook's own code
        if "parameters" in cell.metadata.get("tags", []):
            env.update(job.params)
    assert _files(interim) == before
