"""Fixtures for the headless-Chromium tests (tests/test_browser_*.py).

Each test module imports the fixtures it uses. One Chromium, one gunicorn and two
small "blog" HTTP servers on other free ports (i.e. other origins) are started the
first time a test needs them and stopped when the test session ends.

- ``browser_index``: content/ plus tests/browser/blog/ indexed.
- ``chromium``: Debian's Chromium driven by Playwright, or a skip saying why.
- ``searchsvc_url``: gunicorn over ``browser_index``, with SEARCHSVC_CORS_ORIGINS listing
  only the "allowed" blog, and ADMIN_TOKEN as its admin token. ``blog_site``: ``{"allowed": url, "refused": url}``, two blogs
  whose page (tests/browser/embed.html) embeds the widget of ``searchsvc_url``.
- ``page`` / ``open_page(**context_options)``: a tab in a fresh browser context; it records
  JavaScript errors, CSP violations and dialogs (``page.problems``).
"""

from __future__ import annotations

import contextlib
import html
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from conftest import CONTENT, reindex_into
from processes import gunicorn

HERE = Path(__file__).parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Milliseconds any one wait in a browser test may take.
TIMEOUT_MS = 10_000
#: The admin token of the server the browser tests use (/admin, /api/insights).
ADMIN_TOKEN = "browser-admin-token"

_shared: dict[str, object] = {}


def once(request, name: str, make):
    """``make(stack)`` the first time ``name`` is asked for in this test session.

    Whatever ``make`` enters on the ExitStack ``stack`` is closed when the session ends.
    """
    if name not in _shared:
        stack = contextlib.ExitStack()
        request.session.addfinalizer(stack.close)
        stack.callback(_shared.pop, name, None)
        try:
            _shared[name] = make(stack)
        except BaseException:
            stack.close()
            raise
    return _shared[name]


def find_chromium() -> str | None:
    for candidate in ("chromium", "chromium-browser"):
        path = shutil.which(candidate)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture
def browser_index(request, tmp_path_factory) -> Path:
    def make(stack):
        content = tmp_path_factory.mktemp("browser-blog") / "content"
        shutil.copytree(CONTENT, content)
        shutil.copytree(HERE / "blog", content / "browser")
        index_dir = content.parent / "index"
        _, summary = reindex_into(content, index_dir)
        assert not summary.skipped, summary.skipped
        return index_dir

    return once(request, "index", make)


@pytest.fixture
def chromium(request):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium package; or apt-get install chromium)")

    def make(stack):
        playwright = stack.enter_context(sync_api.sync_playwright())
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, timeout=30_000)
        stack.callback(browser.close)
        return browser

    return once(request, "chromium", make)


class _BlogHandler(BaseHTTPRequestHandler):
    """``/`` is a blog page embedding the widget (``/?lang=fr``: a page in that language);
    any other path is a plain post page."""

    widget_base = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        path, _, query = self.path.partition("?")
        if path == "/":
            body = (HERE / "embed.html").read_text().replace("{{SEARCHSVC}}", self.widget_base)
            lang = parse_qs(query).get("lang", [""])[0]
            if lang:
                body = body.replace('<html lang="en">', f'<html lang="{html.escape(lang)}">')
        else:
            body = "<!doctype html><title>A post</title><h1 id=top>A post on the blog</h1>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _serve_blog(widget_base: str) -> ThreadingHTTPServer:
    handler = type("BlogHandler", (_BlogHandler,), {"widget_base": widget_base})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name=f"blog-{httpd.server_port}", daemon=True).start()
    return httpd


def _serve_all(stack, index_dir: Path):
    # The blogs must exist before searchsvc starts (it needs the allowed origin); they learn
    # searchsvc's address afterwards.
    allowed, refused = _serve_blog(""), _serve_blog("")
    for httpd in (allowed, refused):
        stack.callback(httpd.server_close)
        stack.callback(httpd.shutdown)
    origin = f"http://127.0.0.1:{allowed.server_port}"
    base = stack.enter_context(gunicorn(index_dir, workers=1, threads=4, SEARCHSVC_CORS_ORIGINS=origin,
                                        SEARCHSVC_ADMIN_TOKEN=ADMIN_TOKEN))
    for httpd in (allowed, refused):
        httpd.RequestHandlerClass.widget_base = base
    return base, {"allowed": origin + "/", "refused": f"http://127.0.0.1:{refused.server_port}/"}


@pytest.fixture
def searchsvc_url(request, browser_index) -> str:
    return once(request, "servers", lambda stack: _serve_all(stack, browser_index))[0]


@pytest.fixture
def blog_site(request, browser_index) -> dict[str, str]:
    return once(request, "servers", lambda stack: _serve_all(stack, browser_index))[1]


@pytest.fixture
def open_page(chromium):
    """``open_page(**context_options) -> page``: a tab in a fresh context, closed after the test.

    ``page.problems`` collects JavaScript errors, console errors (CSP violations among them)
    and dialogs (dismissed).
    """
    contexts = []

    def open_(**options):
        context = chromium.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        tab.problems = []
        tab.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
        tab.on("console", lambda msg: msg.type == "error" and tab.problems.append(f"console: {msg.text}"))

        def on_dialog(dialog):
            tab.problems.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        tab.on("dialog", on_dialog)
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()



def type_query(box, status, text: str) -> None:
    """Type ``text`` into ``box`` key by key, then wait until ``status`` reports on all of it
    (not on a prefix that was searched while typing)."""
    from playwright.sync_api import expect

    box.fill("")
    box.press_sequentially(text, delay=15)
    if text.strip():
        expect(status).to_contain_text(f"“{text.strip()}”")
