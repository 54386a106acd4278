"""Analytics storage: batches written off the request path, shared by processes, nothing accepted lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from searchsvc.analytics import Recorder, parse_event
from searchsvc.cli import ACCESS_LOG_FORMAT

from conftest import CONTENT, reindex_into
from processes import REPO, env_for, free_port, gunicorn, wait_until


def stored(db) -> dict[tuple[str, str], int]:
    """(type, query) -> count, as written so far."""
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        return {(t, q): n for t, q, n in conn.execute("SELECT type, query, SUM(count) FROM events GROUP BY type, query")}


def event(query="hooks", kind="search"):
    body = f'{{"type": "{kind}", "query": "{query}", "results": 2, "url": "/blog/x", "position": 1}}'
    return parse_event(body.encode())


def test_events_are_written_within_a_second_without_being_asked(tmp_path):
    db = tmp_path / "a.sqlite3"
    recorder = Recorder(db)
    try:
        recorder.record(event())
        assert wait_until(lambda: stored(db) == {("search", "hooks"): 1}, timeout=3)
    finally:
        recorder.close()


def test_a_full_batch_is_written_at_once(tmp_path):
    db = tmp_path / "a.sqlite3"
    recorder = Recorder(db, batch_seconds=60, batch_events=200)
    try:
        for _ in range(199):
            recorder.record(event())
        time.sleep(0.3)
        assert stored(db) == {}  # not before a second or 200 events
        recorder.record(event())
        assert wait_until(lambda: stored(db) == {("search", "hooks"): 200}, timeout=3)
    finally:
        recorder.close()


def test_close_writes_what_is_pending(tmp_path):
    db = tmp_path / "a.sqlite3"
    recorder = Recorder(db, batch_seconds=60)
    for n in range(5):
        recorder.record(event(f"query {n}"))
    recorder.close()
    assert sum(stored(db).values()) == 5


def test_concurrent_threads_are_counted_exactly(tmp_path):
    db = tmp_path / "a.sqlite3"
    recorder = Recorder(db)

    def send(n):
        for i in range(250):
            recorder.record(event(f"q{i % 7}", "click" if i % 5 == 0 else "search"))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.close()
    counts = stored(db)
    assert sum(counts.values()) == 2000
    assert sum(n for (kind, _), n in counts.items() if kind == "click") == 8 * 50


WRITER = """
import sys
from searchsvc.analytics import Recorder, parse_event
recorder = Recorder(sys.argv[1], batch_seconds=0.05, batch_events=50)
for i in range(int(sys.argv[2])):
    recorder.record(parse_event(('{"type": "search", "query": "q%d", "results": 1}' % (i % 13)).encode()))
# No close(): what is pending is written at exit.
"""


def test_processes_writing_at_once_are_counted_exactly(tmp_path):
    db = tmp_path / "a.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), "1500"], cwd=REPO) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 4
    assert sum(stored(db).values()) == 6000
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# ---------------------------------------------------------------------------
# A real server: two gunicorn workers sharing the database

@pytest.fixture(scope="module")
def served_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("analytics-server") / "index"
    reindex_into(CONTENT, index_dir)
    return index_dir


def test_a_loaded_server_loses_no_event_and_a_graceful_stop_writes_them_all(served_index, tmp_path):
    db = tmp_path / "served.sqlite3"
    with gunicorn(served_index, workers=2, threads=4, SEARCHSVC_ANALYTICS_DB=str(db)) as base:

        def send(n):
            with requests.Session() as s:
                codes = []
                for i in range(100):
                    body = f'{{"type": "search", "query": "load {i % 10}", "results": {i}}}'
                    codes.append(s.post(base + "/api/events", data=body, headers={"Content-Type": "text/plain"},
                                        timeout=10).status_code)
                return codes

        with ThreadPoolExecutor(8) as pool:
            codes = [c for batch in pool.map(send, range(8)) for c in batch]
        assert codes == [204] * 800
    # The context sent SIGTERM and waited: every accepted event is in the file.
    assert sum(stored(db).values()) == 800


def test_a_killed_server_loses_at_most_the_last_second(served_index, tmp_path):
    db = tmp_path / "killed.sqlite3"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "wsgi:app"], cwd=REPO,
        env=env_for(served_index, SEARCHSVC_ANALYTICS_DB=str(db)), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _answers(base), timeout=20)
        for i in range(50):
            assert requests.post(base + "/api/events", json={"type": "search", "query": f"k{i}", "results": 1},
                                 timeout=5).status_code == 204
        time.sleep(2.5)  # more than the longest a batch waits (1 s), with room for a busy machine
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # master and worker: no chance to write anything more
        proc.wait(timeout=10)
    assert sum(stored(db).values()) == 50


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_the_access_log_of_searchsvc_serve_names_no_reader(served_index, tmp_path):
    db = tmp_path / "log.sqlite3"
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "searchsvc", "serve", "--port", str(port), "--workers", "1"],
            cwd=REPO, env=env_for(served_index, SEARCHSVC_ANALYTICS_DB=str(db)), stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _answers(base), timeout=20)
        headers = {"User-Agent": "UniqueAgent-77", "Referer": "https://reader.example/secret-page",
                   "X-Forwarded-For": "203.0.113.9"}
        requests.post(base + "/api/events", json={"type": "search", "query": "hooks", "results": 1}, headers=headers, timeout=5)
        requests.get(base + "/?q=hooks", headers=headers, timeout=5)
        assert wait_until(lambda: "/api/events" in log.read_text(errors="replace"), timeout=5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    text = log.read_text(errors="replace")
    assert "POST /api/events" in text
    for secret in ("127.0.0.1 -", "UniqueAgent-77", "secret-page", "203.0.113.9"):
        assert secret not in text
    assert "%(h)s" not in ACCESS_LOG_FORMAT and "%(a)s" not in ACCESS_LOG_FORMAT
