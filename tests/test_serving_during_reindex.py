"""A real gunicorn server keeps answering, with zero errors, while the index is rebuilt under it."""

from __future__ import annotations

import signal
import threading
import time

import requests

from searchsvc.config import Settings
from searchsvc.indexer import reindex

from processes import gunicorn, reindex_process, synthetic_blog

QUERIES = ["synthetic", "river stone", "uniqword3", "kernel", '"part one"', "tag:t2 cache", "lantern -violet"]


class QueryStream:
    """Clients sending queries back to back until stopped; every failure is recorded."""

    def __init__(self, base: str, clients: int = 4):
        self.base = base
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.count = 0
        self.generations: set[int] = set()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = n
        deadline = time.monotonic() + 120  # bounded even if never stopped
        while not self.stop.is_set() and time.monotonic() < deadline:
            q = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                r = session.get(f"{self.base}/api/search", params={"q": q}, timeout=10)
                data = r.json()
                ok = r.status_code == 200 and len(data["results"]) == min(10, data["total"])
                if q == "synthetic":
                    ok = ok and data["total"] >= 200
                problem = None if ok else f"{q!r}: {r.status_code} {r.text[:200]}"
            except Exception as exc:  # connection errors count as failures
                problem, data = f"{q!r}: {type(exc).__name__}: {exc}", {}
            with self._lock:
                self.count += 1
                if problem:
                    self.errors.append(problem)
                if "generation" in data:
                    self.generations.add(data["generation"])
        session.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def test_server_answers_every_query_during_full_incremental_and_killed_reindex(tmp_path):
    content = synthetic_blog(tmp_path / "content", 200)
    index_dir = tmp_path / "index"
    reindex(Settings(content_dir=content, index_dir=index_dir))

    with gunicorn(index_dir, workers=3) as base, QueryStream(base) as stream:
        time.sleep(0.5)
        # A full rebuild under load.
        full = reindex_process(content, index_dir, "--full")
        assert full.wait(timeout=120) == 0
        full.communicate()

        # An incremental run that adds a post: every worker serves it at once.
        (content / "fresh.md").write_text('---\ntitle: "Freshly published"\n---\n\nfreshword appears here\n')
        incremental = reindex_process(content, index_dir)
        assert incremental.wait(timeout=60) == 0
        incremental.communicate()
        published = time.monotonic()
        first = requests.get(f"{base}/api/search", params={"q": "freshword"}, timeout=5)
        assert first.json()["total"] == 1  # the very next request sees it
        assert time.monotonic() - published < 1.0
        # ... and so does every worker after it.
        seen = [requests.get(f"{base}/api/search", params={"q": "freshword"}, timeout=5).json()["total"]
                for _ in range(12)]
        assert seen == [1] * 12

        # A reindex killed half-way: the server keeps the published index.
        killed = reindex_process(content, index_dir, "--full")
        time.sleep(0.7)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=30)
        time.sleep(0.5)
        after = requests.get(f"{base}/api/search", params={"q": "freshword"}, timeout=5).json()
        assert after["total"] == 1

    assert stream.errors == []
    assert stream.count > 50
    assert len(stream.generations) >= 2  # the stream saw the index change under it
