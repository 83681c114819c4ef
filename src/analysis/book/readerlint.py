"""Reader-page lint: what a reader sees is Swedish prose that cites documents, not files.

The build runs :func:`site_problems` on the built HTML before publishing and refuses to publish
if a reader page (every page except the analyst page :data:`ANALYST_PAGES`) shows

* file hashes (an md5 sum, a commit, a seed file name such as ``003_e03a011979e317c6.txt``),
* commands (``make …``, ``python -m``, ``--force``) or environment variables (``ANALYSIS_…``),
* repository paths (``data/``, ``src/``, ``tests/``, ``docs/``) or module names (``analysis.…``),
* parameter names of the edition files (``min_respondents`` …, :data:`PARAMETER_NAMES`),
* English words from a small stop-list (:data:`ENGLISH`), e.g. the theme's "Skip to main content".

Only visible text and the ``alt``, ``title``, ``aria-label`` and ``placeholder`` attributes are
read (not scripts, styles or URLs). Usage: ``python -m analysis.book.readerlint _build/html/orebro-lan/2019``.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from analysis.book.params import EditionParams

#: Pages written for analysts (commands, files and checksums belong there), by file stem.
ANALYST_PAGES = frozenset({"for_analytiker"})
#: Folders of the built book that hold no reader pages.
SKIP_DIRS = frozenset({"_static", "_sources", "_images", "_downloads"})

PARAMETER_NAMES = tuple(sorted(n for n in EditionParams.model_fields if "_" in n))

#: English words and phrases that have no business on a Swedish page (whole words, any case).
ENGLISH = ("the", "and", "of the", "with", "which", "None stated", "transcribed", "repository",
           "bottom-up", "top-down", "collapsed", "seed documents", "Skip to main content",
           "Toggle", "Link to this heading", "Color mode", "Copyright", "Contents", "Search",
           "Print to PDF", "Download", "previous", "next", "By ", "Back to top", "Fig.",
           "Table of contents", "Light", "Dark", "System settings")

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("file hash", re.compile(r"\b[0-9a-f]{12,}\b")),
    ("seed file name", re.compile(r"\b\d{3}_[0-9a-f]{6,}\.txt\b")),
    ("md5", re.compile(r"\bmd5\b", re.I)),
    ("command", re.compile(r"\bmake [a-z]|python -m|--force\b|\bpip install")),
    ("environment variable", re.compile(r"\bANALYSIS_[A-Z_]+")),
    ("repository path", re.compile(r"(?<![\w.])(data|src|tests|docs|notebooks|params)/")),
    ("module name", re.compile(r"\banalysis\.[a-z_]+")),
    ("parameter name", re.compile(r"\b(" + "|".join(map(re.escape, PARAMETER_NAMES)) + r")\b")),
    ("English", re.compile(r"(?<![\w-])(" + "|".join(re.escape(w.strip()) for w in ENGLISH)
                           + r")(?![\w-])")),
)

_ATTRS = ("alt", "title", "aria-label", "placeholder")


class _Text(HTMLParser):
    """Visible text and reader-facing attributes of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        for k, v in attrs:
            if k in _ATTRS and v:
                self.parts.append(v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def reader_text(html: str) -> str:
    """The text a reader sees (and hears, via alt text) on a page, whitespace collapsed."""
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def text_problems(text: str) -> list[str]:
    """``"command: 'make fetch' i »… Kör make fetch-kolada …«"`` for each rule a reader text
    breaks (each finding once, with the words around its first occurrence, so it can be found)."""
    out = []
    for rule, pat in PATTERNS:
        first: dict[str, re.Match[str]] = {}
        for m in pat.finditer(text):
            first.setdefault(m.group(0), m)
        for hit, m in first.items():
            around = text[max(0, m.start() - 40):m.end() + 40]
            out.append(f"{rule}: {hit!r} i »…{around}…«")
    return out


def is_reader_page(rel: Path) -> bool:
    """True for pages readers read (not the analyst page, not assets)."""
    return rel.suffix == ".html" and not SKIP_DIRS & set(rel.parts) and rel.stem not in ANALYST_PAGES


def site_problems(html_dir: Path) -> list[str]:
    """Every rule broken on every reader page under ``html_dir``: ``"page: rule: 'hit'"``."""
    out = []
    for page in sorted(Path(html_dir).rglob("*.html")):
        rel = page.relative_to(html_dir)
        if not is_reader_page(rel):
            continue
        out += [f"{rel.as_posix()}: {p}"
                for p in text_problems(reader_text(page.read_text(encoding="utf-8")))]
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: list the problems of the built edition(s) given; exit 1 if any."""
    dirs = sys.argv[1:] if argv is None else argv
    found = [p for d in dirs for p in site_problems(Path(d))]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
