"""Triggers: POST /api/reindex with a bearer token, and `reindex --watch`."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from searchsvc import create_app
from searchsvc.config import Settings
from searchsvc.indexer import reindex, reindex_lock
from searchsvc.admin import ADMIN_FREE_FAILURES, ADMIN_MAX_WAIT

from conftest import close_index
from processes import REPO, env_for, gunicorn, wait_until

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def admin_app(make_blog, tmp_path):
    content = make_blog({"a.md": "# Alpha\n\nfirst post\n"})
    index_dir = tmp_path / "index"
    reindex(Settings(content_dir=content, index_dir=index_dir))
    app = create_app({"TESTING": True, "content_dir": content, "index_dir": index_dir, "admin_token": TOKEN})
    yield app, content
    close_index(app.extensions["searchsvc.index"])


def test_reindex_endpoint_does_not_exist_without_a_configured_token(client):
    assert client.post("/api/reindex", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_missing_token_gets_401_without_detail(admin_app):
    app, _ = admin_app
    response = app.test_client().post("/api/reindex")
    assert response.status_code == 401
    assert response.get_json() == {"error": {"message": "Unauthorized."}}


def test_wrong_token_gets_401(admin_app):
    app, _ = admin_app
    response = app.test_client().post("/api/reindex", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def wrong_tokens(client, n):
    return [client.post("/api/reindex", headers={"Authorization": "Bearer nope"}) for _ in range(n)]


def test_repeated_wrong_tokens_get_429_with_retry_after(admin_app):
    app, _ = admin_app
    *first, locked = wrong_tokens(app.test_client(), ADMIN_FREE_FAILURES + 1)
    assert [r.status_code for r in first] == [401] * ADMIN_FREE_FAILURES
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert "try again in" in locked.get_json()["error"]["message"]


def test_during_the_wait_even_the_right_token_is_not_looked_at(admin_app):
    app, _ = admin_app
    client = app.test_client()
    wrong_tokens(client, ADMIN_FREE_FAILURES)
    response = client.post("/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 429


def test_each_failure_after_the_wait_doubles_it(admin_app, monkeypatch):
    app, _ = admin_app
    client = app.test_client()
    clock = [1000.0]
    monkeypatch.setattr("searchsvc.admin.time.monotonic", lambda: clock[0])
    waits = []
    for _ in range(3):
        wrong_tokens(client, 1 if waits else ADMIN_FREE_FAILURES)
        waits.append(int(wrong_tokens(client, 1)[0].headers["Retry-After"]))
        clock[0] += waits[-1]  # wait it out, then fail again
    assert waits == [2, 4, 8]


def test_the_right_token_after_the_wait_works_and_resets_the_count(admin_app, monkeypatch):
    app, _ = admin_app
    client = app.test_client()
    clock = [1000.0]
    monkeypatch.setattr("searchsvc.admin.time.monotonic", lambda: clock[0])
    wrong_tokens(client, ADMIN_FREE_FAILURES)
    clock[0] += ADMIN_MAX_WAIT
    assert client.post("/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert [r.status_code for r in wrong_tokens(client, ADMIN_FREE_FAILURES)] == [401] * ADMIN_FREE_FAILURES


def test_right_token_runs_an_incremental_reindex_and_returns_the_summary(admin_app):
    app, content = admin_app
    (content / "b.md").write_text("# Beta\n\nsecond post\n")
    response = app.test_client().post("/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    data = response.get_json()
    assert (data["added"], data["unchanged"], data["full"], data["exit_code"]) == (1, 1, False, 0)
    found = app.test_client().get("/api/search?q=beta").get_json()
    assert [r["title"] for r in found["results"]] == ["Beta"]


def test_reindex_endpoint_reports_a_running_reindex_as_409(admin_app, monkeypatch):
    app, _ = admin_app
    settings = app.extensions["searchsvc.settings"]
    monkeypatch.setattr("searchsvc.admin.REINDEX_LOCK_TIMEOUT", 0.1)
    with reindex_lock(settings.index_dir, timeout=1):
        response = app.test_client().post("/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 409
    assert "another reindex is running" in response.get_json()["error"]["message"]


def test_reindex_endpoint_through_a_real_server(make_blog, tmp_path):
    content = make_blog({"a.md": "# Alpha\n\nfirst post\n"})
    index_dir = tmp_path / "index"
    reindex(Settings(content_dir=content, index_dir=index_dir))
    with gunicorn(index_dir, SEARCHSVC_CONTENT_DIR=str(content), SEARCHSVC_ADMIN_TOKEN=TOKEN) as base:
        (content / "b.md").write_text("# Beta\n\nsecond post\n")
        r = requests.post(f"{base}/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert r.status_code == 200 and r.json()["added"] == 1
        assert requests.get(f"{base}/api/search", params={"q": "beta"}, timeout=5).json()["total"] == 1


def test_watch_reindexes_when_a_post_is_added(make_blog, tmp_path):
    content = make_blog({"a.md": "# Alpha\n\nfirst post\n"})
    index_dir = tmp_path / "index"
    proc = subprocess.Popen(
        [sys.executable, "-m", "searchsvc", "reindex", "--watch", "--content", str(content), "--index", str(index_dir)],
        cwd=REPO, env=env_for(index_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        app = create_app({"TESTING": True, "index_dir": index_dir})
        client = app.test_client()

        def total(q):
            r = client.get("/api/search", query_string={"q": q})
            return r.get_json()["total"] if r.status_code == 200 else -1

        assert wait_until(lambda: total("alpha") == 1, timeout=20)
        (content / "b.md").write_text("# Beta\n\nwatched post\n")
        assert wait_until(lambda: total("watched") == 1, timeout=20)
        (content / "b.md").unlink()
        assert wait_until(lambda: total("watched") == 0, timeout=20)
    finally:
        close_index(app.extensions["searchsvc.index"])
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert b"Traceback" not in out
