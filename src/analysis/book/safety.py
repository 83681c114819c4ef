"""Builds that cannot half-publish or leak: confidential data, killed builds, damaged caches.

* :func:`confidential_inputs` finds confidential microdata in place; :func:`choose_build_dir`
  then builds into ``_build/private`` (with a warning) unless a folder is given.
* :func:`clean_stale` removes what killed builds left (staging, ``.tmp-<pid>`` folders) and
  puts back a book whose swap was interrupted; :func:`discard_damaged` drops cache entries
  that cannot be read, so that they are rebuilt.
* :func:`local_path_leaks` finds absolute local paths in built pages before they are published.
* :func:`install_signal_handlers`: SIGTERM/SIGINT end the workers and kernels too
  (:func:`stop_children`) and remove the staging folder (:data:`CLEANUP`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from analysis.book.jobs import Job

#: Settings that point the chapters at confidential microdata (the ``ENV_*`` names of
#: ``analysis.inputs``; a test keeps them in step).
CONFIDENTIAL_ENV = ("ANALYSIS_REGISTER_EXTRACT", "ANALYSIS_LIV_OCH_HALSA",
                    "ANALYSIS_LIV_OCH_HALSA_UNG")
#: Where a build with confidential data goes by default (under the build folder's parent).
PRIVATE_BUILD = Path("_build") / "private"
#: Where a partial build (``--only``, ``chapters:``) is published, beside ``html/``.
PARTIAL = "partial"
_PID_TAIL = re.compile(r"[.-](?:tmp-)?(\d+)$")


def confidential_inputs(root: Path) -> list[str]:
    """What makes a build use confidential data: ``ANALYSIS_*`` settings pointing at microdata
    and files under ``data/private/`` (not its own ``_build`` folder, hidden files or READMEs)."""
    found = [f"{k}={os.environ[k]}" for k in CONFIDENTIAL_ENV if os.environ.get(k)]
    priv = root / "data" / "private"
    if priv.is_dir():
        for p in sorted(priv.rglob("*")):
            rel = p.relative_to(priv)
            if (p.is_file() and "_build" not in rel.parts
                    and not any(x.startswith(".") for x in rel.parts)
                    and not p.name.upper().startswith("README")):
                found.append(f"data/private/{rel.as_posix()}")
    return found


def choose_build_dir(root: Path, build_dir: Path | None, confidential: list[str], log=print) -> Path:
    """The build folder: ``build_dir`` if given, else ``_build/private`` for confidential data
    (with a warning naming what is confidential), else ``_build``. Always an absolute path: the
    kernels run in their job folders, where a relative path would point elsewhere."""
    if confidential:
        shown = ", ".join(confidential[:3]) + (f" and {len(confidential) - 3} more"
                                               if len(confidential) > 3 else "")
        log(f"WARNING: this build reads confidential data ({shown}).")
        if build_dir is None:
            build_dir = root / PRIVATE_BUILD
            log(f"  It is built into {PRIVATE_BUILD}/ (not the shared _build/html); check every "
                "table before publishing anything.")
        else:
            log(f"  It is built into {build_dir}, as --build-dir asks.")
    return (Path(build_dir) if build_dir else root / "_build").resolve()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(build_dir: Path, log=print) -> list[Path]:
    """Remove what killed builds left: staging folders, ``<key>.tmp-<pid>`` work folders of
    notebooks and half-written files whose process is gone; put back a published book whose
    swap was interrupted (``html/<region>/.old-<edition>-<pid>`` without
    ``html/<region>/<edition>``; also ``partial/<region>/``). Returns the paths removed."""
    removed: list[Path] = []
    candidates = []
    for folder, pattern in ((build_dir / "staging", "*-*"), (build_dir / "cache" / "notebooks", "*.tmp-*"),
                            (build_dir / "cache", "*.tmp-*"), (build_dir / "html", "*/.old-*"),
                            (build_dir / PARTIAL, "*/.old-*")):
        if folder.is_dir():
            candidates += sorted(folder.glob(pattern))
    for p in candidates:
        m = _PID_TAIL.search(p.name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        if p.name.startswith(".old-"):
            name = p.name[len(".old-"):m.start()]
            if not (p.parent / name).exists():
                p.rename(p.parent / name)
                log(f"Note: the published book {name} was restored (a build was killed while "
                    "publishing it).")
                continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    if removed:
        log(f"Note: removed {len(removed)} leftover folder(s) of killed builds "
            f"({', '.join(p.name for p in removed[:3])}{' …' if len(removed) > 3 else ''}).")
    return removed


def discard_damaged(cache: Path, jobs: list[Job], log=print) -> list[str]:
    """Drop cache entries whose ``job.json`` or notebook cannot be read (a truncated write, a
    full disk); their notebooks run again. Returns the labels of the discarded jobs."""
    dropped = []
    for j in jobs:
        entry = cache / j.key
        if not (entry / "job.json").exists():
            continue
        try:
            json.loads((entry / "job.json").read_text(encoding="utf-8"))
            nb = json.loads((entry / f"{j.stem}.ipynb").read_text(encoding="utf-8"))
            if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
                raise ValueError("no cells")
        except (OSError, ValueError) as exc:
            shutil.rmtree(entry, ignore_errors=True)
            dropped.append(j.label)
            log(f"Note: the cached result of {j.label} was damaged ({type(exc).__name__}); it "
                "was discarded and the notebook runs again.")
    return dropped


#: The kinds of file of a built book that are searched for local paths.
TEXT_SUFFIXES = (".html", ".ipynb", ".csv", ".json", ".txt", ".md", ".js")


def local_path_leaks(html: Path, root: Path, extra: list[str] | None = None,
                     suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> list[str]:
    """Files of a built book that contain the repository's absolute path (or ``extra`` paths,
    e.g. where confidential data live): ``file: path`` lines, empty if none. ``suffixes``: the
    kinds of file searched (the profile PDFs, ``(".pdf",)``, once printed: a link annotation
    holds its target as plain text)."""
    needles = sorted({str(root.resolve()), str(root), *(extra or [])}, key=len, reverse=True)
    needles = [n.encode() for n in needles if len(n) > 4]
    leaks = []
    for p in sorted(html.rglob("*")):
        if p.is_file() and p.suffix in suffixes:
            body = p.read_bytes()
            hit = next((n for n in needles if n in body), None)
            if hit:
                leaks.append(f"{p.relative_to(html)}: {hit.decode()}")
    return leaks


class _Cleanup:
    """What a build must remove if it stops early (staging), run once by a signal handler or the
    top-level error handler."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.build_dir: Path | None = None

    def __call__(self) -> None:
        for p in self.paths:
            shutil.rmtree(p, ignore_errors=True)
        self.paths.clear()
        if self.build_dir is not None:  # work folders of workers that are gone by now
            clean_stale(self.build_dir, log=lambda msg: None)


CLEANUP = _Cleanup()


def stop_children(timeout: float = 5.0) -> int:
    """Terminate every descendant process (notebook workers and their kernels, which run in
    sessions of their own); kill those still alive after ``timeout`` s. Returns how many."""
    import psutil

    kids = psutil.Process().children(recursive=True)
    for k in kids:
        try:
            k.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(kids, timeout=timeout)
    for k in alive:
        try:
            k.kill()
        except psutil.Error:
            pass
    return len(kids)


def _on_signal(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    n = stop_children()
    CLEANUP()
    print(f"Stopped by {signal.Signals(signum).name}: {n} worker and kernel process(es) ended, "
          "staging removed; nothing was published.", file=sys.stderr, flush=True)
    os._exit(128 + signum)


def install_signal_handlers() -> None:
    """SIGTERM and SIGINT end the workers and kernels too and remove the staging folder."""
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


