"""Shared fixtures: small blogs, indexes built into tmp_path, the Flask app, a real server.

- ``make_blog(posts)`` writes ``{relpath: text}`` into a tmp content folder.
- ``build_index(content_dir, index_dir=None)`` runs the indexer, returns ``(settings, summary)``.
- ``app`` / ``client`` / ``runner``: ``create_app({"TESTING": True, ...})`` over a private copy of
  the literal blog in ``tests/blog/`` (one file per case) and of its index; ``make_app(**settings)``
  for other settings; ``open_index(index_dir)`` for a SearchIndex closed after the test.
- ``content_index`` / ``content_search``: the sample posts in ``content/``, indexed once per session
  (read-only: tests must not write to it).
- ``corpus``: ``../shared/corpus`` next to the repository, or a skip.
- ``server``: gunicorn serving ``content/`` on a free loopback port; yields the base URL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchsvc import create_app
from searchsvc.config import Settings
from searchsvc.indexer import ReindexSummary, reindex
from searchsvc.search import SearchIndex, SearchRequest, SearchResponse

TESTS = Path(__file__).parent
REPO = TESTS.parent
BLOG = TESTS / "blog"
CONTENT = REPO / "content"
# Apps made by fixtures of a wider scope than a test keep their analytics here too (never in
# ./analytics.sqlite3 of the checkout); each test gets its own (_no_searchsvc_environment).
os.environ["SEARCHSVC_ANALYTICS_DB"] = str(Path(tempfile.mkdtemp(prefix="searchsvc-tests-")) / "analytics.sqlite3")
CORPUS = REPO.parent / "shared" / "corpus"


# ---------------------------------------------------------------------------
# Isolation


@pytest.fixture(autouse=True)
def _no_searchsvc_environment(monkeypatch, tmp_path):
    """Settings come from SEARCHSVC_* variables; a developer's shell must not leak into tests.
    Analytics go to the test's own folder (never ./analytics.sqlite3 of the checkout)."""
    for key in list(os.environ):
        if key.startswith("SEARCHSVC_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SEARCHSVC_ANALYTICS_DB", str(tmp_path / "analytics.sqlite3"))


# ---------------------------------------------------------------------------
# Blogs and indexes


def write_posts(root: Path, posts: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relpath, text in posts.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def reindex_into(content_dir: Path, index_dir: Path, **settings) -> tuple[Settings, ReindexSummary]:
    """Index ``content_dir`` into ``index_dir`` (extra keyword arguments are Settings fields)."""
    cfg = Settings(content_dir=Path(content_dir), index_dir=Path(index_dir), **settings)
    return cfg, reindex(cfg)


@pytest.fixture
def make_blog(tmp_path):
    """``make_blog({"a.md": "# A\\n"}, name="content") -> Path`` of a fresh content folder."""

    def make(posts: dict[str, str], name: str = "content") -> Path:
        return write_posts(tmp_path / name, posts)

    return make


@pytest.fixture
def build_index(tmp_path):
    """``build_index(content_dir, index_dir=None, **settings) -> (settings, summary)``.

    Without ``index_dir`` each call gets a new folder under ``tmp_path``.
    """
    counter = iter(range(1_000_000))

    def build(content_dir: Path, index_dir: Path | None = None, **settings):
        if index_dir is None:
            index_dir = tmp_path / f"index-{next(counter)}"
        return reindex_into(content_dir, index_dir, **settings)

    return build


def assert_unavailable_once_cut_short(index_dir: Path, suffix: str) -> None:
    """Cut the generation's ``*.suffix`` files to half under an open SearchIndex: its next
    search must be a 503-style IndexUnavailable, not a crash or a wrong answer."""
    from searchsvc import storage
    from searchsvc.storage import IndexUnavailable

    index = SearchIndex(index_dir)
    try:
        index.search(SearchRequest(q="react"))  # opened, with the files' headers read
        paths = list(storage.current_generation(index_dir).path.glob(f"*.{suffix}"))
        assert paths, f"no .{suffix} file to cut short"
        for path in paths:
            with open(path, "r+b") as fh:
                fh.truncate(path.stat().st_size // 2)
        with pytest.raises(IndexUnavailable, match="reindex --full"):
            index.search(SearchRequest(q="python"))
    finally:
        close_index(index)


def close_index(index: SearchIndex) -> None:
    """Release the files a SearchIndex holds open in this thread.

    SearchIndex keeps one Whoosh searcher per thread and (so far) has no close();
    dropping it unclosed makes a ResourceWarning, an error under filterwarnings=error.
    """
    close = getattr(index, "close", None)
    if callable(close):
        close()
        return
    local = getattr(index, "_local", None)
    searcher = getattr(local, "searcher", None)
    if searcher is not None:
        searcher.close()
        local.searcher = None


@pytest.fixture
def search_blog(make_blog, build_index, open_index):
    """``search_blog({relpath: text}) -> search(q, **SearchRequest fields)`` over a fresh index."""

    def make(posts):
        settings, summary = build_index(make_blog(posts))
        assert not summary.skipped, summary.skipped
        index = open_index(settings.index_dir)
        return lambda q, **kw: index.search(SearchRequest(q=q, **kw))

    return make


@pytest.fixture
def open_index():
    """``open_index(index_dir) -> SearchIndex``, closed after the test."""
    opened: list[SearchIndex] = []

    def open_(index_dir: Path) -> SearchIndex:
        index = SearchIndex(Path(index_dir))
        opened.append(index)
        return index

    yield open_
    for index in opened:
        close_index(index)


# ---------------------------------------------------------------------------
# The literal test blog (tests/blog) and the app


@pytest.fixture(scope="session")
def blog_index_template(tmp_path_factory) -> Path:
    """tests/blog indexed once per session; copy it before use (see ``blog_index``)."""
    index_dir = tmp_path_factory.mktemp("blog-index") / "index"
    _, summary = reindex_into(BLOG, index_dir)
    assert not summary.skipped, summary.skipped
    return index_dir


@pytest.fixture(scope="session")
def blog_search(blog_index_template):
    """``blog_search(q="", **SearchRequest fields) -> SearchResponse`` over tests/blog (read-only)."""
    index = SearchIndex(blog_index_template)

    def search(q: str = "", **fields) -> SearchResponse:
        return index.search(SearchRequest(q=q, **fields))

    yield search
    close_index(index)


@pytest.fixture
def blog_dirs(tmp_path, blog_index_template) -> tuple[Path, Path]:
    """A private (content_dir, index_dir) copy of tests/blog and its index."""
    content_dir = tmp_path / "blog"
    index_dir = tmp_path / "blog-index"
    shutil.copytree(BLOG, content_dir)
    shutil.copytree(blog_index_template, index_dir, symlinks=True)
    return content_dir, index_dir


@pytest.fixture
def make_app():
    """``make_app(**settings) -> app`` from ``create_app({"TESTING": True, **settings})``, closed after the test."""
    apps = []

    def make(**settings):
        app = create_app({"TESTING": True, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_index(app.extensions["searchsvc.index"])


@pytest.fixture
def app(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli_runner():
    """A plain click runner for ``searchsvc.cli.main`` (no app needed)."""
    return CliRunner()


# ---------------------------------------------------------------------------
# content/ indexed once per session (read-only)


@pytest.fixture(scope="session")
def content_index(tmp_path_factory) -> Settings:
    index_dir = tmp_path_factory.mktemp("content-index") / "index"
    settings, summary = reindex_into(CONTENT, index_dir)
    assert not summary.skipped, summary.skipped
    return settings


@pytest.fixture(scope="session")
def content_search(content_index):
    """``content_search(q="", **SearchRequest fields) -> SearchResponse`` over content/."""
    index = SearchIndex(content_index.index_dir)

    def search(q: str = "", **fields) -> SearchResponse:
        return index.search(SearchRequest(q=q, **fields))

    yield search
    close_index(index)


# ---------------------------------------------------------------------------
# The shared corpus


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}); it is only available next to the repository")
    return CORPUS


# ---------------------------------------------------------------------------
# A real server process


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(content_index, tmp_path_factory):
    """gunicorn (2 workers) serving content/ on a free port; yields ``http://127.0.0.1:PORT``."""
    import requests

    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        pytest.fail(f"gunicorn is not installed next to {sys.executable}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHSVC_")}
    log_path = tmp_path_factory.mktemp("server") / "gunicorn.log"
    env.update(
        SEARCHSVC_INDEX_DIR=str(content_index.index_dir),
        SEARCHSVC_CONTENT_DIR=str(content_index.content_dir),
        SEARCHSVC_ANALYTICS_DB=str(log_path.parent / "analytics.sqlite3"),
    )
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(gunicorn), "-b", f"127.0.0.1:{port}", "-w", "2", "wsgi:app"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz within 20 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def two_segments(tmp_path_factory):
    """A full build, then an incremental run that adds, changes and removes posts: an
    index of two segments, with deleted posts in the first."""
    root = tmp_path_factory.mktemp("two-segments")
    content = root / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, root / "index")
    for i in range(30):
        (content / f"more_{i:02d}.md").write_text(f"---\ntitle: More {i}\n---\nPython {'again ' * i}and more.\n")
    (content / "react_hooks_post.md").unlink()
    reindex_into(content, root / "index")
    return root


@pytest.fixture
def opened(two_segments):
    """(snapshot, searcher) of the two-segment index. (Yielded from inside ``searcher()``: a
    failed assertion in the test is not thrown into it, so it is reported as itself.)"""
    index = SearchIndex(two_segments / "index")
    try:
        with index.searcher() as (snap, searcher):
            yield snap, searcher
    finally:
        close_index(index)
