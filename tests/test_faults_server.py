"""Faults under a RUNNING gunicorn: damaged index files, a missing or unreadable content folder.

One server (2 workers x 2 threads) serves the whole module. For each kind of damage, a fresh
generation is published with `searchsvc reindex --full`, every worker is warmed up on it,
its files are damaged while the server runs, and then:

- every answer is a 200 (a worker still reading files it opened before) or a 503 whose JSON
  says to run `searchsvc reindex --full`, never a 500 and never a traceback;
- `searchsvc reindex --full` brings every endpoint back without restarting the server.

A content folder that is missing or cannot be read makes `searchsvc reindex` exit 3 with a
sentence saying so, and the server keeps answering from the index it has.
(tests/test_reindex_faults.py covers damage in-process; tests/test_serving_during_reindex.py
covers a reindex killed under load.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner

import searchsvc.posts
from searchsvc import storage
from searchsvc.cli import main as cli

from processes import REPO, env_for, gunicorn, synthetic_blog, wait_until

POSTS = 40
#: (path, params) of every endpoint that reads the index.
ENDPOINTS = [
    ("/api/search", {"q": "river"}),
    ("/api/search", {"q": '"part one"', "sort": "newest"}),
    ("/api/search", {"q": "uniqword7 kernel", "tag": "t2"}),
    ("/api/search", {"q": "rivr"}),
    ("/api/suggest", {"q": "synth"}),
    ("/api/posts/post-00003/related", {}),
    ("/healthz", {}),
    ("/", {"q": "river"}),
]


def truncate(fraction):
    def damage(path):
        with open(path, "r+b") as fh:
            fh.truncate(int(path.stat().st_size * fraction))

    return damage


#: name -> (file pattern in the generation, what is done to each matching file)
DAMAGE = {
    "every-file-truncated": ("*[!n]", truncate(1 / 3)),  # all but searchsvc.json
    "postings-truncated": ("*.pst", truncate(1 / 3)),
    "stored-fields-truncated": ("*_stored.col", truncate(1 / 3)),
    "postings-deleted": ("*.pst", os.unlink),
}
#: Damage that a worker with the files already open cannot see (Linux keeps deleted files readable).
MAY_GO_UNNOTICED = {"postings-deleted"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults-server")
    content = synthetic_blog(root / "content", POSTS, words=80)
    index_dir = root / "index"
    assert reindex_cli(content, index_dir, "--full").exit_code == 0
    with gunicorn(index_dir, workers=2, threads=2, content_dir=content, log_path=root / "gunicorn.log") as base:
        session = requests.Session()
        yield base, content, index_dir, session
        session.close()


def reindex_cli(content, index_dir, *args):
    """`searchsvc reindex` run in this process (the same command as the console script)."""
    return CliRunner().invoke(cli, ["reindex", "--content", str(content), "--index", str(index_dir), "--quiet", *args])


def get(session, base, path, params):
    return session.get(base + path, params=params, timeout=10)


def check_answer(response) -> None:
    body = response.text
    assert "Traceback" not in body and 'File "' not in body, body[:300]
    assert response.status_code in (200, 503), (response.request.url, response.status_code, body[:300])
    if response.status_code == 503 and response.headers["Content-Type"].startswith("application/json"):
        message = response.json()["error"]["message"]
        assert "searchsvc reindex" in message, message
        assert response.headers.get("Retry-After")


def all_healthy(session, base, generation) -> bool:
    try:
        answers = [get(session, base, path, params) for path, params in ENDPOINTS]
    except requests.RequestException:
        return False
    health = answers[6].json() if answers[6].status_code == 200 else {}
    return all(r.status_code == 200 for r in answers) and health.get("generation") == generation


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_index_under_a_running_server_is_503_then_reindex_full_recovers(site, damage):
    base, content, index_dir, session = site
    assert reindex_cli(content, index_dir, "--full").exit_code == 0
    live = storage.current_generation(index_dir)
    assert wait_until(lambda: all_healthy(session, base, live.number), timeout=10), "the fresh index is not served"
    for _ in range(3):  # every worker thread opens its searcher on this generation
        for path, params in ENDPOINTS:
            get(session, base, path, params)

    pattern, how = DAMAGE[damage]
    files = [p for p in live.path.glob(pattern) if p.name != storage.MANIFEST]
    assert files, f"no {pattern} file in {live.path}"
    for path in files:
        how(path)

    answers = [get(session, base, path, params) for _ in range(2) for path, params in ENDPOINTS]
    for response in answers:
        check_answer(response)
    if damage not in MAY_GO_UNNOTICED:
        assert any(r.status_code == 503 for r in answers), "the damage went unnoticed"

    result = reindex_cli(content, index_dir, "--full")
    assert result.exit_code == 0, result.output
    fresh = storage.current_generation(index_dir).number
    assert fresh == live.number + 1
    assert wait_until(lambda: all_healthy(session, base, fresh), timeout=5), "not recovered without a restart"
    found = get(session, base, "/api/search", {"q": "uniqword7"}).json()
    assert "post-00007" in [hit["id"] for hit in found["results"]]


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_health_check_reports_a_damaged_index(tmp_path, make_app):
    """A load balancer asks /healthz: it must not say "ok" while every search fails."""
    content = synthetic_blog(tmp_path / "content", 10, words=40)
    index_dir = tmp_path / "index"
    assert reindex_cli(content, index_dir, "--full").exit_code == 0
    client = make_app(index_dir=index_dir).test_client()
    assert client.get("/healthz").status_code == 200
    for path in storage.current_generation(index_dir).path.glob("*.pst"):
        truncate(1 / 3)(path)
    search = client.get("/api/search?q=river")
    health = client.get("/healthz")
    assert (search.status_code, health.status_code) == (503, 503), (search.get_json(), health.get_json())


# ---------------------------------------------------------------------------
# The content folder


def serving_generation(session, base) -> tuple[int, int]:
    health = get(session, base, "/healthz", {}).json()
    total = get(session, base, "/api/search", {"q": "synthetic"}).json()["total"]
    return health["generation"], total


def test_missing_content_folder_is_a_clear_error_and_the_server_keeps_serving(site, tmp_path):
    base, _, index_dir, session = site
    before = serving_generation(session, base)
    proc = subprocess.run(
        [sys.executable, "-m", "searchsvc", "reindex", "--content", str(tmp_path / "gone"), "--index", str(index_dir)],
        cwd=REPO, env=env_for(index_dir), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 3
    assert "does not exist" in proc.stderr and "existing index is kept" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert serving_generation(session, base) == before
    assert before[1] == POSTS


def test_unreadable_content_folder_is_a_clear_error_and_the_server_keeps_serving(site, monkeypatch):
    """The folder exists but cannot be listed (its permissions changed, a mount went away).

    The tests run as root, which reads any folder whatever its mode, so listing it is made
    to fail the way it fails for the unprivileged user a server runs as.
    """
    base, content, index_dir, session = site
    before = serving_generation(session, base)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.abspath(path) == str(content):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(searchsvc.posts.os, "scandir", scandir)
    result = reindex_cli(content, index_dir)
    monkeypatch.undo()
    assert result.exit_code == 3, result.output
    assert "cannot be read" in result.output and "existing index is kept" in result.output, result.output
    assert serving_generation(session, base) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a folder whatever its mode")
def test_content_folder_without_read_permission(site):
    base, content, index_dir, session = site
    before = serving_generation(session, base)
    content.chmod(0o300)
    try:
        result = reindex_cli(content, index_dir)
    finally:
        content.chmod(0o755)
    assert result.exit_code == 3, result.output
    assert serving_generation(session, base) == before
