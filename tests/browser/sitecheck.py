"""Check a built book the way a reader meets it: in a real browser, offline, page by page.

Static checks (BeautifulSoup, on the files): ``lang="sv"``, alt text on every image, every internal
link and anchor resolves, every book table has a CSV download that parses. Browser checks
(Playwright driving Debian's chromium, all non-local requests blocked): no console errors, no
failed or external requests, every image loaded with a non-zero size; a screenshot of the page.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from bs4 import BeautifulSoup

from analysis.present import codebook

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def find_chromium() -> str | None:
    """Path of a chromium binary, or None."""
    for c in CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - silence the request log
        pass


@dataclass
class Server:
    """A local HTTP server for a folder (the book must work from any plain web server)."""

    root: Path
    port: int = 0
    _httpd: socketserver.TCPServer | None = field(default=None, repr=False)

    def __enter__(self) -> Server:
        handler = functools.partial(_Quiet, directory=str(self.root))
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


# --------------------------------------------------------------------------- static checks
def _ids(html: Path, cache: dict[Path, set[str]]) -> set[str]:
    if html not in cache:
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        cache[html] = {t["id"] for t in soup.find_all(id=True)} | {
            t["name"] for t in soup.find_all("a", attrs={"name": True})}
    return cache[html]


def static_problems(root: Path, page: Path, ids_cache: dict | None = None) -> list[str]:
    """Problems found in one HTML file without a browser."""
    ids_cache = ids_cache if ids_cache is not None else {}
    text = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    rel = page.relative_to(root).as_posix()
    out: list[str] = []
    html = soup.find("html")
    if html is None or html.get("lang") != "sv":
        out.append(f"{rel}: <html> has lang={html.get('lang') if html else None!r}, not 'sv'")
    for img in soup.find_all("img"):
        if not (img.get("alt") or "").strip():
            out.append(f"{rel}: image {img.get('src')!r} has no alt text")
    for a in soup.find_all("a", href=True):
        href = a["href"]
        if href.startswith(("mailto:", "javascript:", "data:")):
            continue
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https"):
            continue  # external links are allowed to exist, but are not loaded
        target, frag = urldefrag(href)
        tpath = (page.parent / unquote(target)).resolve() if target else page.resolve()
        if tpath.is_dir():
            tpath = tpath / "index.html"
        if not tpath.exists():
            out.append(f"{rel}: broken link {href!r}")
            continue
        if frag and tpath.suffix == ".html" and frag not in _ids(tpath, ids_cache):
            out.append(f"{rel}: link {href!r}: no anchor #{frag} in {tpath.name}")
    for table in soup.select("table.bok-tabell"):
        link = None
        for sib in table.find_all_next(["a", "table"]):
            if sib.name == "table":
                break
            if "Ladda ner tabellen (CSV)" in sib.get_text():
                link = sib
                break
        if link is None:
            out.append(f"{rel}: a table has no CSV download")
            continue
        csv = (page.parent / unquote(link["href"])).resolve()
        if not csv.exists():
            out.append(f"{rel}: CSV download {link['href']!r} missing")
            continue
        try:
            df = codebook.read(csv)  # the one parser, with the codebook's types
            if df.empty:
                out.append(f"{rel}: CSV {csv.name} is empty")
        except Exception as exc:  # noqa: BLE001 - any parse failure is a finding
            out.append(f"{rel}: CSV {csv.name} does not parse: {exc}")
    return out


# --------------------------------------------------------------------------- browser checks
def browser_problems(browser_page, url: str, screenshot: Path | None = None) -> list[str]:
    """Open ``url`` with network access limited to the local server; report what went wrong."""
    problems: list[str] = []
    origin = urlparse(url).netloc
    page = browser_page

    def on_console(msg):
        if msg.type == "error":
            problems.append(f"console error: {msg.text}")

    def on_failed(req):
        # ERR_ABORTED: the page navigated away first (e.g. a redirect page); missing files show
        # up as HTTP 404 instead, and blocked external requests as ERR_FAILED.
        if "ERR_ABORTED" not in str(req.failure):
            problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp):
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    page.on("console", on_console)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        page.goto(url, wait_until="networkidle")
        sizes = page.evaluate(
            "() => Array.from(document.images).map(i => [i.getAttribute('src'), i.complete,"
            " i.naturalWidth, i.naturalHeight])")
        for src, complete, w, h in sizes:
            if not complete or w == 0 or h == 0:
                problems.append(f"image not loaded: {src} ({w}×{h})")
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("response", on_response)
    # Requests to other hosts are aborted by block_external(); they show up as failed requests.
    del origin
    return [f"{url}: {p}" for p in problems]


def block_external(context, origin_netloc: str, blocked: list[str]) -> None:
    """Abort every request that does not go to the local server (offline reading)."""

    def handler(route):
        u = urlparse(route.request.url)
        if u.scheme in ("data", "blob") or u.netloc == origin_netloc:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handler)


def search_finds(browser_page, base_url: str, word: str) -> int:
    """Number of results the book's search page shows for ``word``."""
    page = browser_page
    page.goto(urljoin(base_url, f"search.html?q={word}"), wait_until="networkidle")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results');"
        " return s && (s.querySelectorAll('li').length > 0 ||"
        " /hittade|found|inga|no /i.test(s.innerText)); }", timeout=20000)
    return page.evaluate("() => document.querySelectorAll('#search-results li').length")
