"""Preview one page of the book in seconds, never over the published book.

Usage (the Makefile wraps this as ``make preview CHAPTER=04_liv_och_halsa [EDITION=2019] [AREA=1860]``)::

    python -m analysis.book.preview 04_liv_och_halsa --edition 2019 [--area 1860] [--serve 8001]

Steps
-----
1. Validate the edition (as the build does, :mod:`analysis.book.params`, and that its sources
   cover the year, :func:`analysis.book.params.check_edition_data`) and plan the one job of the
   page: a chapter, or a profile template for one area (``--area``; default the template's own
   ``area_code``).
2. Find the executed notebook in the build's cache (``_build/cache/notebooks``, shared with
   ``make book``): by its cache key; else, when only the prose (markdown cells) changed, the run
   of the same code (:func:`analysis.book.jobs.code_key`) with the new markdown cells put in, so
   a text edit costs no execution; else execute it with papermill into that cache, where
   ``make book`` finds it later.
3. Build a one-page book with jupyter-book, strict like the real build (links to pages outside
   the preview are not checked), and replace ``_build/preview/`` with it. ``_build/html/`` (the
   published book) is never written; the merged notebook of step 2 is never put in the cache.
4. ``--serve PORT``: serve ``_build/preview/`` on 127.0.0.1. A preview server that already runs on
   that port keeps serving the new page: reload it in the browser.
"""

from __future__ import annotations

import argparse
import copy
import functools
import http.server
import json
import os
import shutil
import sys
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

import nbformat
import yaml

from analysis.book.build import publish, run_jupyter_book
from analysis.book.execute import (
    NotebookFailed,
    _prepare_notebook,
    execute_job,
    fmt_secs,
    report_failure,
)
from analysis.book.jobs import Job, applies, code_hash_for, code_key, job_key, notebook_meta, plan
from analysis.book.params import check_edition_data, load_edition, parameter_defaults
from analysis.core.errors import InputError
from analysis.sources import catalog

#: Where the preview is published under the build folder (never ``html/``).
PREVIEW_DIR = "preview"
#: Path a preview server answers with :data:`SERVER_TAG`, so a second preview finds it.
SERVER_PROBE = "/__preview__"
SERVER_TAG = b"analysis.book.preview"
DEFAULT_PORT = 8001


# --------------------------------------------------------------------------- the page's job
def page_job(root: Path, edition: str | int, chapter: str, area: str | None = None) -> Job:
    """The one job that renders ``chapter`` (a notebook stem) for ``edition``.

    For a profile template (``fanout`` in its front matter) ``area`` picks the kommun or förbund;
    without it, the template's own ``area_code`` default is used.

    Raises
    ------
    InputError
        Unknown chapter, an area for a chapter that is not a template, or an area the template
        does not fan out to (the message lists the choices).
    """
    md = root / "notebooks" / f"{chapter}.md"
    if not md.exists() or not applies(md):
        stems = ", ".join(sorted(p.stem for p in (root / "notebooks").glob("*.md")
                                 if applies(p)))
        what = "no such notebook" if not md.exists() else "not in this region's book"
        raise InputError(f"notebooks/{chapter}.md", f"{what}; choose one of: {stems}")
    ed = load_edition(root / "params" / f"{edition}.yml")
    ed = ed.model_copy(update={"chapters": [chapter]})
    jobs = plan(root, ed)
    fanout = notebook_meta(md).get("fanout")
    if fanout is None:
        if area:
            raise InputError(f"notebooks/{chapter}.md", f"AREA={area} applies only to the profile "
                             "templates (a notebook with 'fanout' in its front matter)")
        return jobs[0]
    area = area or str(parameter_defaults(md)["area_code"])
    match = [j for j in jobs if j.params["area_code"] == area]
    if not match:
        codes = ", ".join(f"{j.params['area_code']} ({j.area_name})" for j in jobs)
        raise InputError(f"notebooks/{chapter}.md", f"no {fanout} with code {area!r}; "
                         f"choose one of: {codes}")
    return match[0]


# --------------------------------------------------------------------------- reusing the cache
def find_same_code(cache: Path, job: Job) -> Path | None:
    """The newest finished cache entry of ``job``'s page executed from the same code (same
    :func:`~analysis.book.jobs.code_key`), whatever its prose; None if there is none."""
    want = job.extra.get("code_key")
    if not want or not cache.is_dir():
        return None
    found = []
    for info in cache.glob("*/job.json"):
        try:
            meta = json.loads(info.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if meta.get("code_key") == want and meta.get("stem") == job.stem:
            found.append((info.stat().st_mtime, info.parent))
    return max(found)[1] if found else None


def with_new_prose(root: Path, job: Job, executed: Path) -> Any | None:
    """The executed notebook ``executed`` with the markdown cells of the current source.

    Code cells (with outputs) come from the executed run, markdown cells from the source as the
    build prepares them (placeholders filled in). Returns None when the code cells do not line
    up, e.g. a cell was added (then the page must be executed).
    """
    new = _prepare_notebook(root, job)
    old = nbformat.read(executed, as_version=4)
    injected = [c for c in old.cells
                if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    old_code = [c for c in old.cells if c.cell_type == "code" and c not in injected]
    new_code = [c for c in new.cells if c.cell_type == "code"]
    if len(old_code) != len(new_code) or any(
            a.source != b.source for a, b in zip(old_code, new_code, strict=True)):
        return None
    out = copy.deepcopy(old)
    cells, it = [], iter(old_code)
    for cell in new.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        cells.append(next(it))
        if "parameters" in cell.metadata.get("tags", []):
            cells.extend(injected)  # papermill puts its cell right after the parameters cell
    out.cells = cells
    return out


# --------------------------------------------------------------------------- the one-page book
def assemble_page(root: Path, stage: Path, job: Job, nb: Any, files: Path | None,
                  title: str) -> None:
    """A book source with only the page: config, static files, the notebook as the root page."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    if (root / "_static").is_dir():
        shutil.copytree(root / "_static", stage / "_static")
    page = stage / f"{job.target}.ipynb"
    page.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, page)
    if files is not None and files.exists():
        shutil.copytree(files, page.parent / f"{job.stem}_files")
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cfg["title"] = title
    # The other pages are not in the preview: links to them cannot resolve and are not checked
    # (the same warnings a build with --only leaves out).
    sc = cfg.setdefault("sphinx", {}).setdefault("config", {})
    sc["suppress_warnings"] = [*sc.get("suppress_warnings", []), "ref.doc", "ref.ref",
                               "ref.any", "myst.xref_missing"]
    (stage / "_config.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    (stage / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": job.target}),
                                    encoding="utf-8")


def preview(root: Path, chapter: str, edition: str | int, area: str | None = None,
            build_dir: Path | None = None, log=print) -> Path:
    """Build the preview of one page into ``<build_dir>/preview/``; return the page's HTML file.

    ``build_dir`` (default ``_build``) is the build's folder: its ``cache/notebooks`` is shared
    with :func:`analysis.book.build.build_book`, its ``html/`` is never touched.
    """
    t0 = time.perf_counter()
    build_dir = Path(build_dir).resolve() if build_dir else root / "_build"
    job = page_job(root, edition, chapter, area)
    ed = load_edition(root / "params" / f"{edition}.yml")
    where = f" ({job.area_name})" if job.area_name else ""
    log(f"Preview of {chapter}{where}, edition {ed.edition}")
    problems = catalog.verify(root)
    if problems:
        raise InputError("data/catalog.yml", "catalogued files are missing or changed:\n  "
                         + "\n  ".join(problems))
    check_edition_data(root, ed, job.inputs)
    src = code_hash_for(root, root / job.source, job.inputs)
    job.key = job_key(root, job, src)
    job.extra["code_key"] = code_key(root, job, src)
    cache = build_dir / "cache" / "notebooks"
    cache.mkdir(parents=True, exist_ok=True)

    entry = cache / job.key
    nb = None
    if (entry / "job.json").exists():
        log("  notebook unchanged since it was last executed: taken from the cache")
    else:
        same = find_same_code(cache, job)
        nb = with_new_prose(root, job, same / f"{job.stem}.ipynb") if same else None
        if nb is not None:
            entry = same
            log("  only the text changed: outputs taken from the cache, new text put in "
                "(no execution)")
        else:
            log("  not in the cache (new, or its code, parameters or data changed): "
                "executing the notebook …")
            t1 = time.perf_counter()
            res = execute_job(str(root), asdict(job), str(cache),
                              str(build_dir / "failed" / PREVIEW_DIR))
            if not res["ok"]:
                raise NotebookFailed(report_failure(res).replace(
                    "Nothing was published; the previous book is unchanged.",
                    "No preview was written; the published book is untouched."))
            log(f"  executed in {fmt_secs(time.perf_counter() - t1)}")
    if nb is None:
        nb = nbformat.read(entry / f"{job.stem}.ipynb", as_version=4)

    stage = build_dir / f"{PREVIEW_DIR}-staging" / str(os.getpid())
    target = build_dir / PREVIEW_DIR
    try:
        assemble_page(root, stage / "src", job, nb, entry / f"{job.stem}_files",
                      f"{ed.title} (förhandsvisning)")
        run_jupyter_book(stage / "src", stage / "out", log=log,
                         log_file=build_dir / "logs" / "jupyter-book-preview.log")
        html = stage / "out" / "_build" / "html"
        page = f"{job.target}.html"
        (html / "index.html").write_text(
            '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
            f'<meta http-equiv="Refresh" content="0; url={page}">'
            f"<title>Förhandsvisning</title></head><body><p>Förhandsvisningen finns på "
            f'<a href="{page}">{chapter}</a>.</p></body></html>\n', encoding="utf-8")
        publish(html, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.parent.rmdir()
        except OSError:
            pass
    log(f"Preview ready in {fmt_secs(time.perf_counter() - t0).strip()}: "
        f"{target / page}")
    return target / page


# --------------------------------------------------------------------------- serving
class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path == SERVER_PROBE:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(SERVER_TAG)
            return
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 - the http.server API
        if args and ".html" in str(args[0]):  # one line per page viewed, not per image or script
            super().log_message(format, *args)


def server_running(port: int) -> bool:
    """True if a preview server (this module's) answers on 127.0.0.1:``port``."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{SERVER_PROBE}", timeout=1) as r:
            return r.read() == SERVER_TAG
    except OSError:
        return False


def serve(directory: Path, port: int = DEFAULT_PORT, page: str = "", log=print) -> None:
    """Serve ``directory`` on 127.0.0.1:``port`` until Ctrl-C (only this machine can see it)."""
    handler = functools.partial(_Handler, directory=str(directory))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        log(f"Serving {directory} on http://127.0.0.1:{port}/{page}  (Ctrl-C stops; after the "
            "next edit run the preview again and reload the page)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            log("Stopped.")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m analysis.book.preview", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("chapter", help="notebook stem, e.g. 04_liv_och_halsa or profil_kommun")
    ap.add_argument("--edition", default="2019")
    ap.add_argument("--area", default=None, help="kommun or förbund code of a profile template")
    ap.add_argument("--build-dir", type=Path, default=None,
                    help="the build's folder (default: _build); the preview goes to its preview/")
    ap.add_argument("--serve", type=int, default=None, metavar="PORT",
                    help="serve the preview on http://127.0.0.1:PORT/ afterwards")
    args = ap.parse_args(argv)
    root = catalog.project_root()
    try:
        page = preview(root, args.chapter, args.edition, args.area, args.build_dir)
    except (NotebookFailed, InputError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; the published book is untouched.", file=sys.stderr)
        return 130
    if args.serve:
        folder = (args.build_dir.resolve() if args.build_dir else root / "_build") / PREVIEW_DIR
        rel = page.relative_to(folder).as_posix()
        if server_running(args.serve):
            print(f"The preview server on http://127.0.0.1:{args.serve}/ shows the new page: "
                  f"reload http://127.0.0.1:{args.serve}/{rel}")
        else:
            serve(folder, args.serve, rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
