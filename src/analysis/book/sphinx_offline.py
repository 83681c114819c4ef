"""A small Sphinx extension that keeps the book readable offline.

Jupyter Book 1 always loads ``sphinx_thebe`` (live code cells), which puts a configuration
script naming a CDN (unpkg.com) on every notebook page, twice (a known duplication that raises
"Identifier 'THEBE_JS_URL' has already been declared" in the browser). The book has no live
code, so the Thebe scripts are removed from every page.
"""

from __future__ import annotations


def _is_thebe(script) -> bool:
    name = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body or "thebe_selector" in body


def strip_thebe(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` handler: drop Thebe's scripts from the page."""
    files = context.get("script_files")
    if files:
        context["script_files"] = [s for s in files if not _is_thebe(s)]


def setup(app):
    """Register the handler late, after the theme and extensions have added their scripts."""
    app.connect("html-page-context", strip_thebe, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
