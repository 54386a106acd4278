"""Analytics on and off, side by side in one run: search latency, event latency, events kept.

Indexes ../shared/corpus (nodejs-blog and react-blog; else content/) once, starts two gunicorns
over it as the README deploys it (``-w 2 --threads 4 -k gthread``), one with analytics on (a
temporary SQLite file) and one with ``SEARCHSVC_ANALYTICS=off``, and loads them in turns
(on, off, off, on, ...: ``--rounds`` rounds of ``--duration`` seconds each, so that the machine's
drift falls on both alike). The load is what readers of a search box send: each client types a
query of 1-3 title words (a search per keystroke after the second letter, as the box does after
its 120 ms pause), then the box's ``search`` event, and for one query in three a ``click`` event.
Off, the events get 404 at once; on, 204.

Prints p50/p95/p99 of the searches and of the events per server, requests/s, and, after the
"on" server's graceful stop (SIGTERM), the events stored against the events it answered 204.

    .venv/bin/python bench/analytics_bench.py [--clients 6] [--duration 10] [--rounds 4] [--seed 1]

Exit status: 0 when every event answered 204 is stored and no request failed; 1 otherwise; 2
when it cannot run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import (CORPORA, CORPUS, REPO, BenchError, build_index, copy_corpus, corpus_dir, fail, log, percentiles,
                    start_gunicorn, stop_gunicorn, table)

from searchsvc import storage

MAX_DURATION = 120.0


class Client:
    """One kept-alive connection per thread (GET and POST)."""

    def __init__(self, base: str):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.local = threading.local()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> int:
        for attempt in (0, 1):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                response.read()
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def titles_of(index_dir: Path) -> list[str]:
    generation = storage.current_generation(index_dir)
    posts = storage.read_manifest(generation.path, posts=True)["posts"].values()
    return [p["title"] for p in posts if not p.get("hidden") and p.get("title")]


def reader_sessions(titles: list[str], seed: int, count: int = 5000) -> list[tuple[str, bool]]:
    """(query, clicks a result) for ``count`` readers: 1-3 consecutive words of a title."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        words = [w for w in rnd.choice(titles).split() if w.isalnum()] or ["search"]
        start = rnd.randrange(len(words))
        out.append((" ".join(words[start : start + rnd.randint(1, 3)]).lower(), rnd.random() < 1 / 3))
    return out


def load(base: str, sessions: list[tuple[str, bool]], clients: int, seconds: float, offset: int) -> dict:
    """Readers typing into the box for ``seconds``; latencies by kind, statuses, requests."""
    client = Client(base)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one(kind: str, method: str, path: str, body: bytes | None = None):
        started = time.perf_counter()
        status = client.request(method, path, body, {"Content-Type": "text/plain"} if body else None)
        took = time.perf_counter() - started
        with lock:
            latencies[kind].append(took)
            statuses[kind][status] += 1

    def reader(n: int):
        i = offset + n
        while time.monotonic() < stop:
            query, clicks = sessions[i % len(sessions)]
            i += clients
            for end in range(2, len(query) + 1, 2):  # the box searches as the reader types
                one("search", "GET", "/api/search?" + urlencode({"q": query[:end], "per_page": 8}))
            one("search", "GET", "/api/search?" + urlencode({"q": query, "per_page": 8}))
            one("event", "POST", "/api/events", json.dumps({"type": "search", "query": query, "results": 3}).encode())
            if clicks:
                one("event", "POST", "/api/events", json.dumps(
                    {"type": "click", "query": query, "url": "/blog/x", "position": 1}).encode())

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "statuses": statuses, "seconds": time.monotonic() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=6, help="readers typing at once (default 6)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each turn (default 10)")
    parser.add_argument("--rounds", type=int, default=4, help="turns of each server (default 4)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the queries (default 1)")
    args = parser.parse_args(argv)
    if args.clients < 1 or not 0 < args.duration <= MAX_DURATION or args.rounds < 1:
        parser.error(f"--clients and --rounds must be positive, --duration between 0 and {MAX_DURATION:.0f}")
    with tempfile.TemporaryDirectory(prefix="searchsvc-analytics-bench-") as tmp:
        tmp = Path(tmp)
        source = REPO / "content"
        if CORPUS.is_dir():  # nodejs-blog and react-blog, as the other benchmarks
            source = tmp / "content"
            copy_corpus([corpus_dir(name) for name in CORPORA], source)
        log(f"Indexing {source} ...")
        built = build_index(source, tmp / "index", label=f"indexing {source.name}")
        sessions = reader_sessions(titles_of(built.settings.index_dir), args.seed)
        db = tmp / "analytics.sqlite3"
        servers = {
            "on": start_gunicorn(built.settings.index_dir, env={"SEARCHSVC_ANALYTICS_DB": str(db)}),
            "off": start_gunicorn(built.settings.index_dir, env={"SEARCHSVC_ANALYTICS": "off"}),
        }
        results: dict[str, list[dict]] = {"on": [], "off": []}
        warm_events = 0
        try:
            for mode in ("on", "off"):  # warm both (index opened, caches filled) untimed
                warm = load(servers[mode].url, sessions, args.clients, 2.0, offset=10_000)
                if mode == "on":
                    warm_events = warm["statuses"]["event"][204]
            order = [m for r in range(args.rounds) for m in (("on", "off") if r % 2 == 0 else ("off", "on"))]
            for turn, mode in enumerate(order):
                log(f"  turn {turn + 1}/{len(order)}: analytics {mode}")
                # The same readers for both servers in each round.
                results[mode].append(load(servers[mode].url, sessions, args.clients, args.duration,
                                          offset=(turn // 2) * 997))
        finally:
            stop_gunicorn(servers["off"])
            stop_gunicorn(servers["on"])  # SIGTERM: the workers write what they hold
        with sqlite3.connect(db) as conn:
            kept = conn.execute("SELECT COALESCE(SUM(count), 0) FROM events").fetchone()[0]
    rows = []
    failed = 0
    accepted = 0
    for mode in ("on", "off"):
        merged: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        seconds = sum(r["seconds"] for r in results[mode])
        for r in results[mode]:
            for kind, values in r["latencies"].items():
                merged[kind].extend(values)
            for kind, counts in r["statuses"].items():
                for status, n in counts.items():
                    statuses[kind][status] += n
        expected = {"search": 200, "event": 204 if mode == "on" else 404}
        for kind in ("search", "event"):
            p50, p95, p99 = percentiles(merged[kind])
            bad = sum(n for status, n in statuses[kind].items() if status != expected[kind])
            failed += bad
            rows.append([f"analytics {mode}", kind, len(merged[kind]), f"{len(merged[kind]) / seconds:.1f}",
                         f"{p50:.2f}", f"{p95:.2f}", f"{p99:.2f}", bad])
        if mode == "on":
            accepted = statuses["event"][204] + warm_events
    print(f"{built.summary.total} posts; {args.clients} readers; {args.rounds} turns of {args.duration:.0f} s per server, "
          f"alternating; gunicorn -w 2 --threads 4 -k gthread\n")
    print(table(["server", "kind", "n", "per s", "p50 ms", "p95 ms", "p99 ms", "unexpected"], rows))
    # The noise: each turn's search p50, per server (turns of one server differ by this much alone).
    for mode in ("on", "off"):
        turns = [percentiles(r["latencies"]["search"])[0] for r in results[mode]]
        print(f"search p50 per turn, analytics {mode}: " + ", ".join(f"{t:.2f}" for t in turns) + " ms")
    print(f"\nEvents answered 204 (warm-up included): {accepted}; stored after a graceful stop: {kept}; "
          f"lost: {accepted - kept}.")
    return 0 if kept == accepted and not failed else 1


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as exc:
        fail(exc)
