"""A small Sphinx extension that keeps the book readable offline and its pages light.

Jupyter Book 1 always loads ``sphinx_thebe`` (live code cells), which puts a configuration
script naming a CDN (unpkg.com) on every notebook page, twice (a known duplication that raises
"Identifier 'THEBE_JS_URL' has already been declared" in the browser). The book has no live
code, so the Thebe scripts are removed from every page.

The theme (pydata-sphinx-theme, under sphinx-book-theme) loads ``fontawesome.js`` on every page:
1.49 MB of script that turns a dozen ``<i class="fa-…">`` icons (menu, search, colour mode,
arrows) into SVG, and has no option to leave it out. The theme's stylesheet draws the same icons
from Font Awesome's web font, so the script is not needed: :func:`lighten` removes it from every
written page and from ``_static``, and writes the few glyphs the pages use (their ``fa-`` classes,
the theme's admonition icons) as a small font, ``_static/ikoner.woff``, which ``_static/bok.css``
declares for the icon font family, so the theme's 156 kB font is not loaded either. The theme
also loads the search index (150 kB) and Sphinx's search scripts on every page, for a
search-as-you-type that is off: only the search page keeps them.
"""

from __future__ import annotations

import re
from pathlib import Path

FONTAWESOME_SCRIPT = re.compile(
    r'[ \t]*(?:<!-- So that users can add custom icons -->\s*)?'
    r'<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>\n?')
#: Sphinx's search (index, tools, stemmer) that the theme loads on every page; only the search
#: page uses it (the theme's search-as-you-type is off), so the other pages leave it out.
SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script src="[^"]*(?:searchindex\.js|_static/searchtools\.js|_static/language_data\.js)'
    r'[^"]*"></script>\n?')
_FA_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
_CSS_RULE = re.compile(r"([^{}]+)\{content:\s*\"([^\"]*)\"\}")
_CSS_ICON_VAR = re.compile(r"--pst-icon-[a-z0-9-]+:\s*\"([^\"]*)\"")
_SELECTOR_ICON = re.compile(r"\.(fa-[a-z0-9-]+):{1,2}before")
#: The icon font written by :func:`lighten` (declared in ``_static/bok.css``).
ICON_FONT = "ikoner.woff"
THEME_FONT = "vendor/fontawesome/webfonts/fa-solid-900.ttf"


def _is_thebe(script) -> bool:
    name = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body or "thebe_selector" in body


def strip_thebe(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` handler: drop Thebe's scripts from the page."""
    files = context.get("script_files")
    if files:
        context["script_files"] = [s for s in files if not _is_thebe(s)]


def _css_chars(value: str) -> list[int]:
    """Code points of a CSS string value (``\\f002`` escapes or the characters themselves)."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            m = re.match(r"[0-9a-fA-F]{1,6}", value[i + 1:])
            if m:
                out.append(int(m.group(0), 16))
                i += 1 + len(m.group(0))
                continue
            i += 1
        out.append(ord(value[i]))
        i += 1
    return out


def icon_codepoints(css: str, classes: set[str]) -> set[int]:
    """The glyphs of the icon font the pages need: those of the ``fa-`` ``classes`` used (from
    the theme stylesheet ``css``'s ``.fa-name:before{content:…}`` rules) and every icon the
    stylesheet names in a ``--pst-icon-…`` variable (admonitions, links, buttons)."""
    points: set[int] = set()
    for selectors, content in _CSS_RULE.findall(css):
        names = set(_SELECTOR_ICON.findall(selectors))
        if names & classes:
            points.update(_css_chars(content))
    for content in _CSS_ICON_VAR.findall(css):
        points.update(_css_chars(content))
    return {p for p in points if p > 0x7F}


def subset_font(src: Path, dst: Path, codepoints: set[int]) -> int:
    """Write the glyphs ``codepoints`` of the font ``src`` to ``dst`` as WOFF (zlib; fontTools,
    which matplotlib already needs). Returns the size in bytes."""
    from fontTools import subset

    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["*"]
    font = subset.load_font(str(src), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(codepoints))
    sub.subset(font)
    subset.save_font(font, str(dst), opts)
    return dst.stat().st_size


def lighten(outdir: Path) -> dict[str, int]:
    """Remove ``fontawesome.js`` from every page under ``outdir`` and from its ``_static``, and
    Sphinx's search scripts from every page but the search page; write the icon glyphs the pages
    use as ``_static/ikoner.woff``. Returns counts for the log."""
    static = outdir / "_static"
    classes: set[str] = set()
    pages = 0
    for p in outdir.rglob("*.html"):
        if "_static" in p.relative_to(outdir).parts:
            continue
        text = p.read_text(encoding="utf-8")
        new = FONTAWESOME_SCRIPT.sub("", text)
        if p.name != "search.html":
            new = SEARCH_SCRIPTS.sub("", new)
        classes.update(_FA_CLASS.findall(new))
        if new != text:
            p.write_text(new, encoding="utf-8")
            pages += 1
    for js in sorted((static / "scripts").glob("*.js")):
        if js.name != "fontawesome.js":
            classes.update(_FA_CLASS.findall(js.read_text(encoding="utf-8", errors="replace")))
    for name in ("fontawesome.js", "fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
        (static / "scripts" / name).unlink(missing_ok=True)
    css = "".join(c.read_text(encoding="utf-8", errors="replace")
                  for c in sorted((static / "styles").glob("*.css")))
    points = icon_codepoints(css, classes)
    size = 0
    if (static / THEME_FONT).exists() and points:
        size = subset_font(static / THEME_FONT, static / ICON_FONT, points)
    return {"pages": pages, "glyphs": len(points), "font_bytes": size}


def on_build_finished(app, exc) -> None:
    """``build-finished``: :func:`lighten` the written HTML."""
    if exc is None and app.builder.name == "html":
        lighten(Path(app.outdir))


def setup(app):
    """Register the handlers late, after the theme and extensions have added their scripts."""
    app.connect("html-page-context", strip_thebe, priority=900)
    app.connect("build-finished", on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
