"""The build's planning, cache keys, checks and publishing, without executing notebooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.book import build, execute, kernelpool, params
from analysis.book import jobs as book_jobs
from analysis.core import geo
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def edition():
    return params.load_edition(ROOT / "params" / "2019.yml")


@pytest.fixture()
def repo(tmp_path):
    """A copy of the parts of the repository that the build reads."""
    return build.copy_sources(ROOT, tmp_path / "repo")


class TestPlan:
    def test_chapters_and_fanout(self, edition):
        jobs = book_jobs.plan(ROOT, edition)
        kommun = [j for j in jobs if j.target_dir == "kommuner"]
        assert len(kommun) == len(geo.KOMMUNER)
        assert {j.params["area_code"] for j in kommun} == set(geo.KOMMUNER)
        assert all(j.stem.startswith("profil_kommun__area_") for j in kommun)
        chapters = [j for j in jobs if j.target_dir == "."]
        assert "01_befolkning" in [j.stem for j in chapters]
        assert all(j.target.startswith("book/_generated/") for j in jobs)

    def test_only_restricts(self, edition):
        ed = edition.model_copy(update={"chapters": ["01_befolkning"]})
        assert [j.stem for j in book_jobs.plan(ROOT, ed)] == ["01_befolkning"]

    def test_front_matter_required(self, repo, edition):
        (repo / "notebooks" / "99_x.md").write_text("# no front matter\n", encoding="utf-8")
        with pytest.raises(InputError, match="front matter"):
            book_jobs.plan(repo, edition)

    def test_undeclared_dataset_refused(self, repo, edition):
        (repo / "notebooks" / "99_x.md").write_text(
            "---\nanalysis:\n  inputs: [no_such_table]\n---\n# X\n", encoding="utf-8")
        with pytest.raises(InputError, match="unknown datasets"):
            book_jobs.plan(repo, edition)


class TestJobKey:
    def _keys(self, root, edition):
        jobs = book_jobs.plan(root, edition)
        return {j.label: book_jobs.job_key(root, j) for j in jobs}, jobs

    def test_stable(self, repo, edition):
        assert self._keys(repo, edition)[0] == self._keys(repo, edition)[0]

    def test_data_change_affects_only_readers(self, repo, edition):
        before, jobs = self._keys(repo, edition)
        f = repo / "data" / "raw" / "scb_digitala_granser" / "2023-05-16" / "kommuner_orebro_lan_wgs84.geojson"
        f.chmod(0o644)
        f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        book_jobs._md5_cache.clear()
        after, _ = self._keys(repo, edition)
        changed = {k for k in before if before[k] != after[k]}
        readers = {j.label for j in jobs if "kommungranser" in j.inputs}
        assert changed == readers and readers

    def test_catalogue_description_change_affects_only_readers(self, repo, edition):
        """The catalogue's words (producer, title) reach the pages' source lists, so a changed
        entry re-executes the notebooks that read the dataset, and only those."""
        before, jobs = self._keys(repo, edition)
        files = [repo / "data" / "catalog.yml", *sorted((repo / "data" / "catalog.d").glob("*.yml"))]
        f = next(p for p in files
                 if "kommungranser" in (yaml.safe_load(p.read_text(encoding="utf-8"))
                                        .get("datasets") or {}))
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        doc["datasets"]["kommungranser"]["title"] = "Ny titel"
        f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        after, _ = self._keys(repo, edition)
        changed = {k for k in before if before[k] != after[k]}
        readers = {j.label for j in jobs if "kommungranser" in j.inputs}
        assert changed == readers and readers

    def test_notebook_text_and_code_change_keys(self, repo, edition):
        before, _ = self._keys(repo, edition)
        nb = repo / "notebooks" / "01_befolkning.md"
        nb.write_text(nb.read_text(encoding="utf-8") + "\nMer text.\n", encoding="utf-8")
        mid, _ = self._keys(repo, edition)
        assert mid["01_befolkning"] != before["01_befolkning"]
        assert mid["profil_kommun (1880 Örebro)"] == before["profil_kommun (1880 Örebro)"]
        text_py = repo / "src" / "analysis" / "core" / "text.py"
        text_py.write_text(text_py.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        after, _ = self._keys(repo, edition)
        assert all(after[k] != mid[k] for k in after)

    def test_unrelated_module_does_not_change_keys(self, repo, edition):
        before, _ = self._keys(repo, edition)
        (repo / "src" / "analysis" / "methods" / "zz_unused.py").write_text("X = 1\n", encoding="utf-8")
        assert self._keys(repo, edition)[0]["01_befolkning"] == before["01_befolkning"]

    def test_transitive_import_changes_key(self, repo, edition):
        """01_befolkning imports population, which imports geo: editing geo re-executes it."""
        before, _ = self._keys(repo, edition)
        geo = repo / "src" / "analysis" / "core" / "geo.py"
        geo.write_text(geo.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
        assert self._keys(repo, edition)[0]["01_befolkning"] != before["01_befolkning"]

    def test_deep_dependency_changes_only_its_users(self, repo, edition):
        """Disclosure control sits deep below the chapters: editing it re-executes every
        notebook that publishes protected tables, and nothing else."""
        before, jobs = self._keys(repo, edition)
        disc = repo / "src" / "analysis" / "methods" / "disclosure.py"
        disc.write_text(disc.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
        after, _ = self._keys(repo, edition)
        changed = {k for k in before if before[k] != after[k]}
        assert "03_barnfattigdom" in changed and "04_liv_och_halsa" in changed
        assert "01_befolkning" not in changed and "02_malgrupp" not in changed

    def test_code_hashes_are_memoised_and_follow_edits(self, repo, edition, monkeypatch):
        nb = repo / "notebooks" / "01_befolkning.md"
        first = book_jobs.code_hash_for(repo, nb, [])
        memo = repo / "_build" / "cache" / book_jobs.CODE_MEMO
        assert str(nb) in memo.read_text(encoding="utf-8")
        # a second call with nothing changed does not parse anything
        monkeypatch.setattr(book_jobs.codehash, "code_hash", lambda *a, **k: 1 / 0)
        assert book_jobs.code_hash_for(repo, nb, []) == first
        monkeypatch.undo()
        pop = repo / "src" / "analysis" / "methods" / "population.py"
        pop.write_text(pop.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert book_jobs.code_hash_for(repo, nb, []) != first

    def test_params_change_keys(self, repo, edition):
        before, _ = self._keys(repo, edition)
        other = edition.model_copy(update={"compare_year": 2008})
        after, _ = self._keys(repo, other)
        assert all(after[k] != before[k] for k in before)


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


class TestCheckExecuted:
    def test_all_ran(self):
        c = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
        execute.check_executed(_nb([c]), "x")

    def test_cell_without_execution_count(self):
        """A kernel that died at start leaves 'completed' cells with no count: refuse."""
        cells = [nbformat.v4.new_code_cell("a = 1", execution_count=None)]
        with pytest.raises(execute.NotebookFailed, match="did not run"):
            execute.check_executed(_nb(cells), "x")

    def test_error_output(self):
        c = nbformat.v4.new_code_cell("1/0", execution_count=1)
        c.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="x",
                                            traceback=["ZeroDivisionError: x"])]
        with pytest.raises(execute.NotebookFailed, match="ZeroDivisionError"):
            execute.check_executed(_nb([c]), "x")


class TestKernelStartRetry:
    """A kernel that dies before running anything is restarted; a failing cell is not."""

    @staticmethod
    def _job():
        return book_jobs.Job(source="notebooks/x.md", stem="x", target_dir=".", params={"edition": 1},
                         inputs=[], label="x")

    @staticmethod
    def _write(out, executed: bool):
        nb = _nb([nbformat.v4.new_code_cell("a = 1", execution_count=1 if executed else None)])
        nbformat.write(nb, out)

    @pytest.fixture()
    def paths(self, tmp_path):
        src = tmp_path / "in.ipynb"
        nb = _nb([nbformat.v4.new_code_cell("a = 1")])
        nb.metadata["kernelspec"] = {"name": book_jobs.KERNEL, "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, src)
        return src, tmp_path / "out.ipynb", (tmp_path / "err.log").open("w")

    def _fake(self, monkeypatch, outcomes):
        import papermill as pm

        calls = []

        def fake(src, out, **kw):
            kind = outcomes[len(calls)]
            calls.append(kind)
            if kind == "died":  # papermill still saves the notebook, every cell without a count
                self._write(out, executed=False)
                raise RuntimeError("Kernel died before replying to kernel_info")
            if kind == "silent":  # returned normally but nothing ran (STACK.md)
                self._write(out, executed=False)
                return None
            if kind == "cell":
                self._write(out, executed=True)
                raise RuntimeError("kernel died while running a cell")
            self._write(out, executed=True)
            return None

        monkeypatch.setattr(pm, "execute_notebook", fake)
        monkeypatch.setattr(execute.time, "sleep", lambda s: None)
        return calls

    def test_dead_start_is_retried(self, monkeypatch, paths):
        calls = self._fake(monkeypatch, ["died", "silent", "ok"])
        src, out, log = paths
        assert execute._execute_with_kernel_retry(src, out, self._job(), src.parent, log) == 3
        assert calls == ["died", "silent", "ok"]

    def test_gives_up_with_kernel_stderr(self, monkeypatch, paths):
        self._fake(monkeypatch, ["died"] * book_jobs.KERNEL_START_ATTEMPTS)
        src, out, log = paths
        log.write("zmq.error.ZMQError: Address already in use\n")
        with pytest.raises(execute.KernelStartFailed, match="(?s)failed to start 3 times.*"
                                                         "Address already in use"):
            execute._execute_with_kernel_retry(src, out, self._job(), src.parent, log)

    def test_other_errors_are_not_retried(self, monkeypatch, paths):
        import papermill as pm

        calls = []

        def fake(*a, **kw):
            calls.append(1)
            raise ValueError("No language found in notebook")

        monkeypatch.setattr(pm, "execute_notebook", fake)
        src, out, log = paths
        with pytest.raises(ValueError, match="No language"):
            execute._execute_with_kernel_retry(src, out, self._job(), src.parent, log)
        assert calls == [1]

    def test_failure_after_a_cell_ran_is_not_retried(self, monkeypatch, paths):
        calls = self._fake(monkeypatch, ["cell", "ok"])
        src, out, log = paths
        with pytest.raises(RuntimeError, match="while running a cell"):
            execute._execute_with_kernel_retry(src, out, self._job(), src.parent, log)
        assert calls == ["cell"]

    def test_real_kernel_that_dies_at_start(self, monkeypatch, paths, tmp_path):
        """End to end: the first kernel exits during start-up (as on a port clash), the second runs."""
        site = tmp_path / "site"
        site.mkdir()
        marker = tmp_path / "die-once"
        marker.write_text("")
        (site / "sitecustomize.py").write_text(
            "import os\n"
            f"m = {str(marker)!r}\n"
            "if os.path.exists(m):\n"
            "    os.remove(m)\n"
            "    os._exit(3)\n")
        monkeypatch.setenv("PYTHONPATH", str(site))
        monkeypatch.setattr(execute.time, "sleep", lambda s: None)
        src, out, log = paths
        assert execute._execute_with_kernel_retry(src, out, self._job(), src.parent, log) == 2
        assert not marker.exists()
        nb = nbformat.read(out, as_version=4)
        assert nb.cells[0].execution_count == 1


class TestPrepare:
    def test_exactly_one_parameters_cell(self, repo, edition):
        nb = repo / "notebooks" / "01_befolkning.md"
        nb.write_text(nb.read_text(encoding="utf-8").replace(":tags: [parameters]", ":tags: [x]"),
                      encoding="utf-8")
        job = [j for j in book_jobs.plan(repo, edition) if j.stem == "01_befolkning"][0]
        with pytest.raises(InputError, match="exactly one cell tagged 'parameters'"):
            execute._prepare_notebook(repo, job)

    def test_placeholders_filled(self, edition):
        job = [j for j in book_jobs.plan(ROOT, edition) if j.label.endswith("(1880 Örebro)")][0]
        nb = execute._prepare_notebook(ROOT, job)
        first = next(c for c in nb.cells if c.cell_type == "markdown")
        assert first.source.startswith("# Örebro")


class TestReportFailure:
    def test_names_notebook_cell_and_traceback(self):
        msg = execute.report_failure({
            "source": "notebooks/01_befolkning.md", "label": "01_befolkning", "cell": 7,
            "cell_source": "x = 1/0", "error": "ZeroDivisionError: division by zero",
            "traceback": "Traceback ...\nZeroDivisionError: division by zero", "failed_nb": "f.ipynb"})
        assert "notebooks/01_befolkning.md" in msg and "x = 1/0" in msg
        assert "execution count 7" in msg and "ZeroDivisionError" in msg
        assert "previous book is unchanged" in msg


class TestFilterToc:
    def test_missing_files_and_empty_globs_dropped(self):
        toc = {"root": "book/intro", "parts": [
            {"caption": "A", "chapters": [{"file": "a"}, {"file": "gone"}]},
            {"caption": "B", "chapters": [{"file": "idx", "sections": [{"glob": "p/*"}]}]},
        ]}
        out = build._filter_toc(toc, lambda f: f in {"a", "idx"})
        assert out == {"root": "book/intro", "parts": [{"caption": "A", "chapters": [{"file": "a"}]}]}


class TestPublish:
    def test_replaces_target(self, tmp_path):
        old, new = tmp_path / "html" / "2019", tmp_path / "new"
        old.mkdir(parents=True)
        (old / "index.html").write_text("old")
        new.mkdir()
        (new / "index.html").write_text("new")
        build.publish(new, old)
        assert (old / "index.html").read_text() == "new"
        assert [p.name for p in old.parent.iterdir()] == ["2019"]

    def test_failed_swap_restores_old(self, tmp_path):
        old = tmp_path / "html" / "2019"
        old.mkdir(parents=True)
        (old / "index.html").write_text("old")
        with pytest.raises(FileNotFoundError):
            build.publish(tmp_path / "does-not-exist", old)
        assert (old / "index.html").read_text() == "old"

    def test_landing_page_lists_regions_and_editions(self, tmp_path):
        import json

        for region, name, e in (("orebro-lan", "Örebro län", 2015), ("orebro-lan", "Örebro län", 2019),
                                ("uppsala-lan", "Uppsala län", 2019)):
            d = tmp_path / region / str(e)
            d.mkdir(parents=True)
            (d / "manifest.json").write_text(json.dumps(
                {"edition": e, "title": f"Bok {name} {e}", "published": "x", "git_commit": "abc",
                 "region": {"namn": name, "slug": region}}))
        build.write_landing_page(tmp_path)
        html = (tmp_path / "index.html").read_text(encoding="utf-8")
        assert 'lang="sv"' in html and "orebro-lan/2019/index.html" in html
        assert "orebro-lan/2015/index.html" in html and "uppsala-lan/2019/index.html" in html
        assert html.index("Bok Örebro län 2019") < html.index("Bok Örebro län 2015")
        assert html.index("<h2>Uppsala län</h2>") < html.index("<h2>Örebro län</h2>")


class TestPrivateData:
    def test_private_file_changes_every_key(self, repo, edition, monkeypatch):
        jobs = book_jobs.plan(repo, edition)
        before = {j.label: book_jobs.job_key(repo, j) for j in jobs}
        (repo / "data" / "private").mkdir()
        (repo / "data" / "private" / "register.parquet").write_bytes(b"x")
        after = {j.label: book_jobs.job_key(repo, j) for j in jobs}
        assert all(before[k] != after[k] for k in before)
        monkeypatch.setenv("ANALYSIS_REGISTER_EXTRACT", "/elsewhere.csv")
        again = {j.label: book_jobs.job_key(repo, j) for j in jobs}
        assert all(after[k] != again[k] for k in after)

    def test_a_build_folder_under_private_changes_nothing(self, repo, edition):
        """Real data are built into data/private/_build (docs/analytikerguide.md): the build's
        own output there must not change the keys, or nothing would ever be cached."""
        jobs = book_jobs.plan(repo, edition)[:1]
        (repo / "data" / "private" / "liv_och_halsa").mkdir(parents=True)
        before = book_jobs.job_key(repo, jobs[0])
        (repo / "data" / "private" / "_build" / "cache").mkdir(parents=True)
        (repo / "data" / "private" / "_build" / "cache" / "x.json").write_text("{}")
        assert book_jobs.job_key(repo, jobs[0]) == before
        (repo / "data" / "private" / "liv_och_halsa" / "liv_och_halsa_2017.sav").write_bytes(b"x")
        assert book_jobs.job_key(repo, jobs[0]) != before


class TestSchedule:
    """Jobs run longest first, by the seconds each took last time (unknown ones first)."""

    def _job(self, label):
        return book_jobs.Job("notebooks/x.md", label, ".", {}, [], label=label)

    def test_longest_first_and_unknown_first(self, tmp_path):
        cache = tmp_path / "cache" / "notebooks"
        cache.mkdir(parents=True)
        execute._record_durations([{"label": "a", "seconds": 3.0},
                                   {"label": "b", "seconds": 30.0}], cache)
        execute._record_durations([{"label": "c", "seconds": 10.0}], cache)  # merged
        order = execute._longest_first([self._job(x) for x in "abcd"], cache)
        assert [j.label for j in order] == ["d", "b", "c", "a"]

    def test_without_history_book_order(self, tmp_path):
        jobs = [self._job(x) for x in "abc"]
        assert execute._longest_first(jobs, tmp_path / "none") == jobs
        (tmp_path / execute.DURATIONS).write_text("[", encoding="utf-8")
        assert execute._longest_first(jobs, tmp_path / "notebooks") == jobs

    def test_next_job_first_edition_then_longest_then_learnt_in_this_run(self):
        def job(stem, edition):
            return book_jobs.Job(f"notebooks/{stem}.md", stem, ".", {"edition": edition}, [],
                                 label=stem)

        waiting = [job("01", 2015), job("05", 2015), job("metod", 2015), job("profil", 2019)]
        group = {2019: 0, 2015: 1}
        # the first edition's job first, whatever the estimates
        assert execute._pick(waiting, group, {"profil": 1.0, "01": 20.0}, {}) == 3
        rest = waiting[:3]
        # nothing known: in the given order; then by what the same notebook took in this run
        assert execute._pick(rest, group, {}, {}) == 0
        seen = {"notebooks/01.md": 16.0, "notebooks/05.md": 17.0, "notebooks/metod.md": 1.0}
        assert execute._pick(rest, group, {}, seen) == 1
        # the last build's seconds (by label) come before this run's
        assert execute._pick(rest, group, {"01": 30.0}, seen) == 0

    def test_work_cache_beside_the_notebooks(self, tmp_path):
        assert execute.work_cache(tmp_path / "cache" / "notebooks") == tmp_path / "cache" / "work"

    def test_work_cache_setting_changes_no_key(self, monkeypatch):
        before = book_jobs.private_data_hash(ROOT)
        monkeypatch.setenv("ANALYSIS_WORK_CACHE", "/somewhere")
        assert book_jobs.private_data_hash(ROOT) == before


class TestStartPool:
    def test_workers_start_their_zygote_at_once(self):
        with execute.start_pool(1) as pool:
            # the zygote (library preloaded) is up and every import succeeded
            assert pool.submit(kernelpool.wait_worker_zygote).result(timeout=900) == []


class TestExecuteEditions:
    """Both editions on one pool; the audit waits for the edition's own notebooks only."""

    class _Pool:
        def shutdown(self, wait=True, cancel_futures=False):
            self.closed = True

    def _setup(self, monkeypatch, tmp_path, finish):
        cache = tmp_path / "cache" / "notebooks"
        cache.mkdir(parents=True)
        jobs = [book_jobs.Job("notebooks/x.md", f"x{i}", ".", {"edition": 2019}, [],
                              label=f"x{i}", key=f"k{i}") for i in range(3)]
        prev = [book_jobs.Job("notebooks/x.md", "p", ".", {"edition": 2015}, [], label="p",
                              key="p0")]
        pool = self._Pool()
        monkeypatch.setattr(build, "start_pool", lambda n: pool)
        monkeypatch.setattr(build, "check_inputs", lambda *a, **k: [])
        monkeypatch.setattr(build.audit, "run", lambda js, c, e, log: ("log", [e, len(js)]))
        monkeypatch.setattr(build, "run_jobs", finish)
        return cache, jobs, prev, pool

    def test_audit_runs_when_the_last_notebook_ends_with_the_run(self, monkeypatch, tmp_path):
        def finish(root, jobs, cache, failed, workers, log=print, pool=None, announce=True):
            assert pool is not None and not announce
            assert {j.extra["failed_dir"] for j in jobs} == {str(tmp_path / "f" / "2019"),
                                                            str(tmp_path / "f" / "2015")}
            for j in jobs:
                (cache / j.key).mkdir(exist_ok=True)
                (cache / j.key / "job.json").write_text("{}", encoding="utf-8")
            return []

        ed = params.load_edition(ROOT / "params" / "2019.yml")
        prev_ed = params.load_edition(ROOT / "params" / "2015.yml")
        for _ in range(5):  # the audit must never miss notebooks that end with the run
            cache, jobs, prev, pool = self._setup(monkeypatch, tmp_path, finish)
            out = build.execute_editions(ROOT, ed, jobs, prev_ed, prev, cache, tmp_path,
                                         tmp_path / "f", 2, log=lambda *_: None)
            assert out == ("log", [2019, 3]) and pool.closed
            for p in (tmp_path / "cache").iterdir():
                shutil.rmtree(p)

    def test_a_failed_notebook_stops_the_audit_too(self, monkeypatch, tmp_path):
        def fail(*a, **k):
            raise execute.NotebookFailed("cell 3 failed")

        cache, jobs, prev, pool = self._setup(monkeypatch, tmp_path, fail)
        ed = params.load_edition(ROOT / "params" / "2019.yml")
        with pytest.raises(execute.NotebookFailed, match="cell 3 failed"):
            build.execute_editions(ROOT, ed, jobs, None, [], cache, tmp_path, tmp_path / "f", 2,
                                   log=lambda *_: None)
        assert pool.closed
