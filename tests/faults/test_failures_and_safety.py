"""Every failure is a message, and a build never half-publishes: the top-level handler, stale
folders of killed builds, damaged caches, local paths in pages, partial and confidential builds,
and signals."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analysis.book import build, safety
from analysis.book.execute import NotebookFailed
from analysis.core import cli
from analysis.core.errors import InputError
from tests.faults.conftest import snapshot


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def handled(exc, capsys, debug=False, expected=()):
    def work():
        raise exc

    code = cli.run(work, debug=debug, expected=expected, prog="build")
    return code, capsys.readouterr().err


# --------------------------------------------------------------------------- the handler
HANDLER_CASES = [
    ("read-only-build-folder", OSError(errno.EROFS, "Read-only file system", "_build/html/2019"), 1,
     r"_build/html/2019: cannot write here \(Read-only file system\)"),
    ("permission-denied", PermissionError(errno.EACCES, "Permission denied", "_build/cache"), 1,
     r"_build/cache: cannot write here \(Permission denied\)"),
    ("disk-full", OSError(errno.ENOSPC, "No space left on device", "_build/staging/x.ipynb"), 1,
     r"_build/staging/x.ipynb: the disk is full"),
    ("file-missing", FileNotFoundError(errno.ENOENT, "No such file", "data/private/x.sav"), 1,
     r"data/private/x.sav: no such file or folder"),
    ("unicode-decode", UnicodeDecodeError("utf-8", b"ab\xe4", 2, 3, "invalid continuation byte"), 1,
     r"a file is not valid utf-8 \(byte 2: b'\\xe4'\)"),
    ("all-zero-weights", np.linalg.LinAlgError("Singular matrix"), 1,
     r"numerical failure: Singular matrix. Usually a group without data, e.g. all weights zero"),
    ("json-decode", json.JSONDecodeError("Expecting value", "x", 0), 1, r"not valid JSON \(line 1, column 1\)"),
    ("network", __import__("requests").ConnectionError("connection reset"), 1, r"network error: connection reset"),
    ("input-error", InputError("data/raw/x.csv", "bad value", column="ar", rows=[3], values=["x"]), 1,
     r"data/raw/x.csv: bad value \| column 'ar' \| row 3: 'x'"),
    ("notebook-failed", NotebookFailed("BUILD FAILED in notebooks/01_befolkning.md"), 1,
     r"BUILD FAILED in notebooks/01_befolkning.md"),
    ("memory", MemoryError(), 1, r"out of memory; run with fewer workers"),
    ("unexpected-bug", ZeroDivisionError("division by zero"), cli.EXIT_BUG,
     r"unexpected error ZeroDivisionError: division by zero at .*test_failures_and_safety.py"),
]


@pytest.mark.parametrize("case", HANDLER_CASES, ids=[c[0] for c in HANDLER_CASES])
def test_failure_is_one_message(capsys, case):
    _, exc, status, expected = case
    code, err = handled(exc, capsys, expected=(NotebookFailed,))
    assert code == status and re.search(expected, err), err
    assert "Traceback" not in err and cli.DEBUG_HINT in err and len(err.splitlines()) <= 4


def test_debug_shows_the_traceback(capsys):
    code, err = handled(ZeroDivisionError("division by zero"), capsys, debug=True)
    assert code == cli.EXIT_BUG and "Traceback (most recent call last)" in err


def test_interrupt(capsys):
    cleaned = []

    def work():
        raise KeyboardInterrupt

    code = cli.run(work, cleanup=lambda: cleaned.append(1))
    assert code == 130 and "interrupted; nothing was published" in capsys.readouterr().err
    assert cleaned == [1]


def test_notebook_failure_report_without_traceback(monkeypatch):
    from analysis.book import execute

    monkeypatch.setattr(execute, "SHOW_TRACEBACK", False)
    msg = execute.report_failure({"source": "notebooks/03_barnfattigdom.md", "label": "03",
                                  "cell": 4, "cell_source": "x = 1", "error": "InputError: bad",
                                  "traceback": "Traceback (most recent call last):\n  ...",
                                  "failed_nb": ""})
    assert "InputError: bad" in msg and "Traceback" not in msg and "--debug" in msg


# --------------------------------------------------------------------------- killed builds
def test_stale_staging_and_work_folders_are_removed(repo):
    pid = dead_pid()
    b = repo / "_build"
    stale = [b / "staging" / f"2019-{pid}", b / "cache" / "notebooks" / f"abc.tmp-{pid}"]
    for p in stale:
        (p / "x").mkdir(parents=True)
    half = b / "cache" / f"code-hashes.json.tmp-{pid}"
    half.write_text("{")
    live = b / "staging" / f"2019-{os.getpid()}"
    live.mkdir(parents=True)
    before = snapshot(repo)
    notes = []
    removed = safety.clean_stale(b, notes.append)
    assert set(removed) == {*stale, half} and not any(p.exists() for p in stale)
    assert live.exists(), "a running build's staging folder is left alone"
    assert "removed 3 leftover folder(s) of killed builds" in notes[0]
    assert snapshot(repo) == before


def test_interrupted_publish_is_put_back(repo):
    html = repo / "_build" / "html"
    pid = dead_pid()
    before = snapshot(repo)
    (html / "orebro-lan" / "2019").rename(html / "orebro-lan" / f".old-2019-{pid}")
    notes = []
    safety.clean_stale(repo / "_build", notes.append)
    assert (html / "orebro-lan" / "2019" / "manifest.json").exists() and "was restored" in notes[0]
    assert snapshot(repo) == before


def test_damaged_cache_entry_is_discarded(repo, tmp_path):
    from analysis.book.jobs import Job

    cache = tmp_path / "cache"
    good, bad, nojson = (Job("n.md", s, ".", {}, [], key=k, label=s)
                         for s, k in (("a", "k1"), ("b", "k2"), ("c", "k3")))
    for j in (good, bad, nojson):
        (cache / j.key).mkdir(parents=True)
        (cache / j.key / "job.json").write_text("{}")
        (cache / j.key / f"{j.stem}.ipynb").write_text('{"cells": [], "metadata": {}}')
    (cache / "k2" / "b.ipynb").write_text('{"cells": [{"cell_type": "co')  # truncated
    (cache / "k3" / "job.json").write_text("")
    notes = []
    dropped = safety.discard_damaged(cache, [good, bad, nojson], notes.append)
    assert dropped == ["b", "c"] and (cache / "k1").exists() and not (cache / "k2").exists()
    assert "was damaged (JSONDecodeError); it was discarded and the notebook runs again" in notes[0]


def test_truncated_notebook_in_assembly_is_named(tmp_path):
    src = tmp_path / "x.ipynb"
    src.write_text('{"cells": [')
    with pytest.raises(InputError, match=r"x.ipynb: the cached notebook is damaged"):
        build.copy_notebook(src, tmp_path / "y.ipynb")


# --------------------------------------------------------------------------- local paths
def test_papermill_paths_are_not_published(tmp_path):
    nb = {"cells": [], "metadata": {"papermill": {
        "input_path": "/home/analyst/repo/_build/cache/k.tmp-1/x.input.ipynb",
        "output_path": "/home/analyst/repo/_build/cache/k.tmp-1/x.ipynb", "cwd": "/home/analyst"}}}
    (tmp_path / "a.ipynb").write_text(json.dumps(nb))
    build.copy_notebook(tmp_path / "a.ipynb", tmp_path / "b.ipynb")
    out = (tmp_path / "b.ipynb").read_text()
    assert "/home/analyst" not in out and '"x.input.ipynb"' in out


def test_local_paths_in_pages_are_found(repo, tmp_path):
    html = tmp_path / "html"
    (html / "book").mkdir(parents=True)
    (html / "book" / "ok.html").write_text("<p>Kapitlet bygger på data/private/lh</p>")
    (html / "book" / "leak.html").write_text(f"<p>{repo}/data/private/lh/lh_2019.sav</p>")
    (html / "book" / "env.csv").write_text("/srv/secret/register.parquet\n")
    leaks = safety.local_path_leaks(html, repo, ["/srv/secret/register.parquet"])
    assert leaks == ["book/env.csv: /srv/secret/register.parquet", f"book/leak.html: {repo}"]


def test_survey_source_shown_without_local_path(repo):
    from analysis.inputs import rounds

    assert rounds.public_source(repo / "data" / "private" / "liv_och_halsa") == \
        "data/private/liv_och_halsa"
    assert rounds.public_source("/mnt/secure/lh") == "lh"


# --------------------------------------------------------------------------- confidential
def test_confidential_build_folder(repo):
    notes = []
    chosen = safety.choose_build_dir(repo, None, ["ANALYSIS_LIV_OCH_HALSA=/x"], notes.append)
    assert chosen == repo / "_build" / "private" and "WARNING" in notes[0]
    assert safety.choose_build_dir(repo, None, [], notes.append) == repo / "_build"


def test_relative_build_dir_is_made_absolute(repo, monkeypatch):
    # the kernels run in their job folders: a relative --build-dir made every kernel die
    monkeypatch.chdir(repo)
    chosen = safety.choose_build_dir(repo, Path("_b"), [], print)
    assert chosen.is_absolute() and chosen == (repo / "_b").resolve()


def test_confidential_env_names_match_the_inputs():
    from analysis.inputs import barnfattigdom, liv_och_halsa, liv_och_halsa_ung

    assert set(safety.CONFIDENTIAL_ENV) == {barnfattigdom.ENV_EXTRACT, liv_och_halsa.ENV_MICRODATA,
                                            liv_och_halsa_ung.ENV_MICRODATA}


def test_readme_of_private_folder_is_not_confidential(repo):
    (repo / "data" / "private").mkdir()
    (repo / "data" / "private" / "README.md").write_text("x")
    (repo / "data" / "private" / "_build").mkdir()
    (repo / "data" / "private" / "_build" / "y").write_text("x")
    assert safety.confidential_inputs(repo) == []


# --------------------------------------------------------------------------- real builds (slow)
@pytest.mark.slow
def test_partial_build_never_replaces_the_book(repo, capsys):
    """`--only 01_befolkning` without --build-dir: published to _build/partial/2019."""
    before = snapshot(repo)
    code = build.main(["book", "--edition", "2019", "--only", "01_befolkning", "-j", "1"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert snapshot(repo) == before
    assert (repo / "_build" / "partial" / "orebro-lan" / "2019" / "index.html").exists()
    assert "published to" in out.out and "partial" in out.out
    leaks = safety.local_path_leaks(repo / "_build" / "partial" / "orebro-lan" / "2019", repo)
    assert leaks == []


@pytest.mark.slow
def test_failed_real_data_notebook_is_kept_only_in_private(repo, capsys, monkeypatch):
    """A one-year register extract fails the chapter: one message, the notebook kept under
    _build/private, nothing in the shared _build."""
    from tests.faults.test_data_and_fetch import extract

    p = repo / "data" / "private" / "barnfattigdom" / "register.csv"
    p.parent.mkdir(parents=True)
    extract(years=(2019,)).to_csv(p, index=False)
    monkeypatch.setenv("ANALYSIS_REGISTER_EXTRACT", str(p))
    before = snapshot(repo)
    code = build.main(["book", "--edition", "2019", "--only", "03_barnfattigdom", "-j", "1"])
    out = capsys.readouterr()
    assert code == 1 and "the extract holds 1 year(s) (2019)" in out.err, out.err
    assert snapshot(repo) == before
    kept = list((repo / "_build" / "private" / "failed").rglob("*.ipynb"))
    assert kept and not (repo / "_build" / "failed").exists()


@pytest.mark.slow
def test_sigterm_stops_workers_and_kernels(repo):
    env = {**os.environ, "ANALYSIS_ROOT": str(repo),
           "PYTHONPATH": str(Path(build.__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "analysis.book.build", "book", "--edition",
                             "2019", "--only", "04_liv_och_halsa", "-j", "1", "--force"],
                            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    import psutil

    t0 = time.time()
    kids = []
    while time.time() - t0 < 300 and proc.poll() is None:
        kids = psutil.Process(proc.pid).children(recursive=True)
        lines = [" ".join(k.cmdline()) for k in kids if k.is_running()]
        # a kernel: an ipykernel, or a fork of the worker's warm zygote (analysis.book.warmkernel)
        if any("ipykernel" in c for c in lines) or sum("warmkernel" in c for c in lines) >= 2:
            break
        time.sleep(0.5)
    assert proc.poll() is None, "the build ended before a kernel started"
    before = snapshot(repo)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Stopped by SIGTERM" in err
    time.sleep(1)
    assert not [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
    assert snapshot(repo) == before
    assert not list((repo / "_build" / "cache" / "notebooks").glob("*.tmp-*"))
    assert not list((repo / "_build" / "staging").glob("*"))
