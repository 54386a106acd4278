"""Load test: gunicorn on 127.0.0.1, N clients sending a mix of requests for a bounded time.

Indexes ../shared/corpus when it is there (else content/) into a temporary folder, serves it
with ``gunicorn -w 2 --threads 4 -k gthread wsgi:app`` as the README deploys it, and has
``--clients`` clients send requests back to back for ``--duration`` seconds: searches of
several kinds (words, phrases, OR, exclusions, tag filters, sorting, page 2, typos),
as-you-type suggestions, related posts and the HTML search page. Prints requests/s, errors,
and latency percentiles (p50/p95/p99) per kind and overall.

    .venv/bin/python bench/load.py [--corpus auto|corpus|content] [--clients 8] [--duration 30]
                                   [--workers 2] [--threads 4] [--seed 1] [--client stdlib|requests]

The clients send with the standard library's http.client by default (``--client stdlib``), one
kept-alive connection each: they share the 2 cores with the server, and requests costs about
1.1 ms of CPU per request. ``--client requests`` uses a requests.Session each instead and
reproduces the figures taken before. The output names the client.

A request fails when it cannot be sent or read, times out, or answers anything but a 200
with the expected body. Exit status: 0 when no request failed, 1 when some did, 2 when the
load test cannot run. Progress goes to standard error, the table to standard output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# The HTTP load comes from blocking clients in threads, one keep-alive connection each (a closed
# loop): Python's GIL is released while a thread waits on its socket, so a few threads keep the
# 2-core server busy. Which client, and why http.client by default: see common.py's HTTP clients.
# Locust or an async client would add dependencies (gevent, an event loop) and compete with the
# server for the same 2 cores.
from common import (CORPUS, DEFAULT_CLIENT, REPO, BenchError, ClientError, add_client_option, build_index,
                    client_description, fail, log, make_client, percentiles, start_gunicorn, stop_gunicorn, table)

from searchsvc import storage

#: Seconds one request may take before it counts as failed.
TIMEOUT = 10.0
#: Longest run allowed, whatever --duration says.
MAX_DURATION = 600.0
#: Kind of request -> relative weight in the mix.
WEIGHTS = {
    "word": 20,
    "two words": 15,
    "phrase": 8,
    "or": 6,
    "exclude": 5,
    "tag filter": 6,
    "newest": 5,
    "page 2": 5,
    "typo": 5,
    "suggest": 15,
    "related": 5,
    "html page": 5,
}


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def json(self) -> bool:
        return self.path.startswith("/api/")


@dataclass
class Result:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    #: The most requests one client sent: with ``mix`` split evenly, at most len(mix) // clients
    #: means no client went round into another client's share (every request was distinct).
    max_per_client: int = 0

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def build_mix(index_dir: Path, seed: int = 1, size: int = 2000) -> list[Request]:
    """``size`` requests drawn (with a fixed seed) from the titles, tags and ids in the index's manifest."""
    generation = storage.current_generation(index_dir)
    if generation is None:
        raise BenchError(f"No index in {index_dir}; build one first.")
    posts = [p for p in storage.read_manifest(generation.path, posts=True)["posts"].values() if not p.get("hidden")]
    if not posts:
        raise BenchError(f"The index in {index_dir} has no posts.")
    rnd = random.Random(seed)
    titles = [p["title"] for p in posts]
    words = sorted({w.strip(".,:;!?()[]\"'").lower() for t in titles for w in t.split() if len(w) > 3} - {""})
    tags = sorted({t for p in posts for t in p.get("tags", [])})
    slugs = [p["slug"] for p in posts]

    def word() -> str:
        return rnd.choice(words)

    def make(kind: str) -> Request:
        if kind == "word":
            return Request(kind, "/api/search", (("q", word()),))
        if kind == "two words":
            return Request(kind, "/api/search", (("q", f"{word()} {word()}"),))
        if kind == "phrase":
            title = rnd.choice(titles).split()
            start = rnd.randrange(max(1, len(title) - 1))
            return Request(kind, "/api/search", (("q", '"' + " ".join(title[start : start + 2]) + '"'),))
        if kind == "or":
            return Request(kind, "/api/search", (("q", f"{word()} OR {word()} OR {word()}"),))
        if kind == "exclude":
            return Request(kind, "/api/search", (("q", f"{word()} -{word()}"),))
        if kind == "tag filter" and tags:
            return Request(kind, "/api/search", (("q", word()), ("tag", rnd.choice(tags))))
        if kind == "newest":
            return Request(kind, "/api/search", (("q", word()), ("sort", "newest")))
        if kind == "page 2":
            return Request(kind, "/api/search", (("q", word()), ("page", "2"), ("per_page", "5")))
        if kind == "typo":
            w = word()
            i = rnd.randrange(len(w) - 1)
            return Request(kind, "/api/search", (("q", w[:i] + w[i + 1] + w[i] + w[i + 2 :]),))
        if kind == "suggest":
            w = word()
            return Request(kind, "/api/suggest", (("q", w[: rnd.randint(2, len(w))]),))
        if kind == "related":
            return Request(kind, f"/api/posts/{rnd.choice(slugs)}/related")
        if kind == "html page":
            return Request(kind, "/", (("q", f"{word()} {word()}"),))
        return Request("word", "/api/search", (("q", word()),))  # a tag filter on a blog without tags

    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    return [make(kind) for kind in rnd.choices(kinds, weights, k=size)]


def check(request: Request, status: int, body: bytes) -> str | None:
    """Why the answer (its status and body) is wrong, or None."""
    if status != 200:
        return f"HTTP {status}"
    if not request.json:
        return None if b"<form" in body else "no search form in the page"
    try:
        data = json.loads(body)
    except ValueError:
        return "not JSON"
    expected = {"/api/search": "results", "/api/suggest": "suggestions"}.get(request.path, "results")
    return None if isinstance(data, dict) and isinstance(data.get(expected), list) else f"no {expected!r} list"


def run_load(base: str, mix: list[Request], *, clients: int, duration: float, timeout: float = TIMEOUT,
             http_client: str = DEFAULT_CLIENT) -> Result:
    """``clients`` threads send ``mix`` (each from its own offset, round and round) for ``duration`` seconds.

    Each thread has its own keep-alive connection of the HTTP client named ``http_client`` (common.HTTP_CLIENTS).
    """
    duration = min(duration, MAX_DURATION)
    result = Result()
    lock = threading.Lock()
    start = threading.Event()

    def client(n: int) -> None:
        try:
            send(n)
        except BaseException as exc:  # a bug in the client: a failure to report, never a silent pass
            with lock:
                result.errors["client crashed"] += 1
                result.examples.append(f"client {n} crashed: {type(exc).__name__}: {exc}")

    def send(n: int) -> None:
        latencies: dict[str, list[float]] = {}
        errors: Counter = Counter()
        examples: list[str] = []
        with make_client(http_client, base, timeout) as http:
            start.wait()
            deadline = time.monotonic() + duration
            i = n * (len(mix) // max(1, clients))
            while time.monotonic() < deadline:
                request = mix[i % len(mix)]
                i += 1
                began = time.perf_counter()
                try:
                    status, body = http.get(request.path, request.params)
                    problem = check(request, status, body)
                except ClientError as exc:
                    problem = str(exc)  # "<exception>: <message>"
                latencies.setdefault(request.kind, []).append(time.perf_counter() - began)
                if problem:
                    errors[request.kind] += 1
                    if len(examples) < 3:
                        examples.append(f"{request.path} {dict(request.params)}: {problem}")
        with lock:
            result.max_per_client = max(result.max_per_client, i - n * (len(mix) // max(1, clients)))
            for kind, values in latencies.items():
                result.latencies.setdefault(kind, []).extend(values)
            result.errors.update(errors)
            result.examples.extend(examples[: max(0, 5 - len(result.examples))])

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    began = time.monotonic()
    start.set()
    for t in threads:
        t.join(timeout=duration + timeout + 30)
    result.seconds = time.monotonic() - began
    return result


def report(result: Result) -> str:
    rows = []
    every: list[float] = []
    for kind in sorted(result.latencies, key=lambda k: -len(result.latencies[k])):
        values = result.latencies[kind]
        every.extend(values)
        p50, p95, p99 = percentiles(values)
        rows.append([kind, len(values), result.errors[kind], f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}", f"{max(values) * 1000:.1f}"])
    p50, p95, p99 = percentiles(every)
    rows.append(["all", len(every), result.failed, f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}",
                 f"{max(every, default=0) * 1000:.1f}"])
    rate = result.count / result.seconds if result.seconds else 0.0
    head = f"{result.count} requests in {result.seconds:.1f} s: {rate:.1f} requests/s, {result.failed} failed"
    return head + "\n\n" + table(["kind", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=["auto", "corpus", "content"], default="auto",
                        help="what to index: ../shared/corpus, content/, or the corpus when it is there (default)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, default=30.0, help=f"seconds of load, at most {MAX_DURATION:.0f} (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the request mix (default 1)")
    add_client_option(parser)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0:
        parser.error("--clients and --duration must be positive")

    if args.corpus == "corpus" and not CORPUS.is_dir():
        fail(BenchError(f"The corpus folder {CORPUS} is missing; use --corpus content."))
    source = CORPUS if args.corpus == "corpus" or (args.corpus == "auto" and CORPUS.is_dir()) else REPO / "content"
    with tempfile.TemporaryDirectory(prefix="searchsvc-load-") as tmp:
        log(f"Indexing {source} ...")
        built = build_index(source, Path(tmp) / "index", label=f"indexing {source.name}")
        log(f"  {built.summary.total} posts in {built.seconds:.1f} s ({len(built.summary.skipped)} skipped)")
        mix = build_mix(built.settings.index_dir, seed=args.seed)
        server = start_gunicorn(built.settings.index_dir, workers=args.workers, threads=args.threads)
        try:
            log(f"Warming up, then {args.clients} clients for {args.duration:.0f} s against {server.url} "
                f"(gunicorn -w {args.workers} --threads {args.threads}; client {args.client}) ...")
            run_load(server.url, mix, clients=args.clients, duration=min(3.0, args.duration),
                     http_client=args.client)
            result = run_load(server.url, mix, clients=args.clients, duration=args.duration, http_client=args.client)
        finally:
            stop_gunicorn(server)
    print(f"Load: {built.summary.total} posts from {source}, {args.clients} clients, "
          f"gunicorn -w {args.workers} --threads {args.threads}; client: {client_description(args.client)}")
    print(report(result))
    for example in result.examples:
        log(f"  failed: {example}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        fail(exc)
