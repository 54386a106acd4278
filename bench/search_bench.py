"""Time the search path on the real blogs in ../shared/corpus.

For each blog: build its index (timed), search the exact title of every indexed
post and count how often that post comes first, then time searches of six kinds
in-process (SearchIndex.search, 10 results with snippets) and over HTTP against
gunicorn, and print p50/p95/p99 latencies in one table.

    .venv/bin/python bench/search_bench.py [--corpus nodejs|react|both] [--queries N] [--no-http]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests

from common import (
    BenchError,
    build_index,
    corpus_dir,
    fail,
    log,
    megabytes,
    rss_bytes,
    start_gunicorn,
    stop_gunicorn,
    table,
)
from searchsvc.schema import STOP, title_key
from searchsvc.search import SearchIndex, SearchRequest, SearchRequestError

KINDS = ("common word", "rare word", "two words", "phrase", "tag filter", "exact title")
#: Seconds one kind may take in one mode; a kind that runs out of time reports the queries it did.
KIND_TIME_LIMIT = 120.0
#: Seconds one HTTP request may take before it counts as an error.
HTTP_TIMEOUT = 30.0
MAX_MISSES_SHOWN = 20


@dataclass(frozen=True)
class Query:
    kind: str
    q: str
    tag: str = ""

    def request(self) -> SearchRequest:
        return SearchRequest(q=self.q, per_page=10, tags=(self.tag,) if self.tag else ())

    def params(self) -> dict[str, str]:
        return {"q": self.q, "per_page": "10", **({"tag": self.tag} if self.tag else {})}


@dataclass(frozen=True)
class Doc:
    id: str
    path: str
    title: str
    tags: tuple[str, ...]
    words: tuple[str, ...]  # the body's words in order, lower-cased


@dataclass
class Timing:
    corpus: str
    mode: str
    kind: str
    seconds: list[float]
    hits: list[int]
    errors: int = 0
    wall: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("nodejs", "react", "both"), default="both",
                        help="which blog of ../shared/corpus to use (default: both)")
    parser.add_argument("--queries", type=int, default=200, metavar="N",
                        help="timed queries per kind and mode, after a warm-up (default: 200)")
    parser.add_argument("--warmup", type=int, default=20, metavar="N",
                        help="untimed queries per kind before timing (default: 20)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements (no gunicorn)")
    parser.add_argument("--clients", type=int, default=1, metavar="N",
                        help="concurrent HTTP clients (default: 1, pure latency)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for drawing queries (default: 1)")
    args = parser.parse_args()
    if args.queries < 2 or args.warmup < 0 or args.clients < 1:
        parser.error("--queries must be at least 2, --warmup at least 0 and --clients at least 1.")

    names = ["nodejs", "react"] if args.corpus == "both" else [args.corpus]
    try:
        sources = {name: corpus_dir(name) for name in names}
    except BenchError as exc:
        fail(exc)

    builds: list[list[object]] = []
    titles: list[list[object]] = []
    timings: list[Timing] = []
    notes: list[str] = []
    for name, source in sources.items():
        with tempfile.TemporaryDirectory(prefix=f"searchsvc-bench-{name}-") as tmp:
            index_dir = Path(tmp) / "index"
            log(f"{name}: building the index of {source} ...")
            build = build_index(source, index_dir, label=f"{name}: full build")
            s = build.summary
            builds.append([name, s.total, len(s.skipped), len(s.hidden), f"{build.seconds:.2f}"])
            log(f"{name}: {s.total} posts indexed in {build.seconds:.1f} s")
            for skipped in s.skipped:
                log(f"  skipped {skipped.path}: {skipped.reason}")

            index = SearchIndex(index_dir)
            docs = indexed_docs(index)
            log(f"{name}: searching the exact title of {len(docs)} posts ...")
            titles.append(title_check(name, index, docs))

            rng = random.Random(args.seed)
            pools = {kind: draw_queries(kind, docs, args.warmup + args.queries, rng) for kind in KINDS}
            for kind in [k for k, pool in pools.items() if not pool]:
                notes.append(f"{name}: no {kind} queries (no post has tags)")
                del pools[kind]
            for kind, pool in pools.items():
                log(f"{name}: in-process, {kind} ...")
                timings.append(run_kind(name, "in-process", kind, pool, args.warmup, 1, in_process(index)))
            if not args.no_http:
                server = start_gunicorn(index_dir)
                try:
                    for kind, pool in pools.items():
                        log(f"{name}: HTTP, {kind} ...")
                        timings.append(run_kind(name, "http", kind, pool, args.warmup, args.clients,
                                                over_http(server.url)))
                    notes.append(
                        f"{name}: gunicorn (2 workers x 4 threads) resident memory after the run: "
                        f"{megabytes(rss_bytes(server.process.pid))} (master + workers, shared pages counted per process)"
                    )
                finally:
                    stop_gunicorn(server)

    print()
    print("Index build (full, in-process)")
    print(table(["corpus", "posts", "skipped", "hidden", "seconds"], builds))
    print()
    print("Exact title search: the post itself comes first")
    print(table(["corpus", "posts", "first", "share", "misses", "of which same title"],
                [row[:6] for row in titles]))
    for row in titles:
        misses = row[6]
        if misses:
            print(f"\n{row[0]}: misses (first {min(len(misses), MAX_MISSES_SHOWN)} of {len(misses)})")
            for line in misses[:MAX_MISSES_SHOWN]:
                print(f"  {line}")
    print()
    clients = f", {args.clients} HTTP client(s) at a time" if not args.no_http else ""
    print(f"Search latency in ms (10 results with snippets, {args.queries} queries per row after "
          f"{args.warmup} warm-up, seed {args.seed}{clients})")
    print(table(["corpus", "path", "kind", "n", "p50", "p95", "p99", "max", "q/s", "median hits", "errors"],
                [timing_row(t) for t in timings]))
    for note in notes:
        print(note)


# ---------------------------------------------------------------------------
# The documents and the queries


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def indexed_docs(index: SearchIndex) -> list[Doc]:
    """Every post in the published index, from its stored fields, in path order."""
    snap = index.snapshot()
    with snap.ix.searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    docs = []
    for fields in stored:
        meta = fields.get("meta") or {}
        docs.append(Doc(
            id=fields["id"],
            path=fields["path"],
            title=meta.get("title") or fields.get("title", ""),
            tags=tuple(meta.get("tags") or ()),
            words=tuple(w.lower() for w in _WORD.findall(fields.get("body", ""))),
        ))
    return sorted(docs, key=lambda d: d.path)


def draw_queries(kind: str, docs: list[Doc], count: int, rng: random.Random) -> list[Query]:
    """``count`` queries of one kind, drawn with ``rng`` from the posts' words, tags and titles."""
    df = Counter(w for d in docs for w in set(d.words) if len(w) > 2 and w not in STOP)
    by_df = sorted(df, key=lambda w: (-df[w], w))
    common = by_df[: max(10, len(by_df) // 200)]  # the top half percent of the vocabulary
    rare = sorted(w for w in by_df if df[w] <= 2 and len(w) >= 5) or by_df[-50:]
    with_tags = [d for d in docs if d.tags]
    if kind == "tag filter" and not with_tags:
        return []  # a blog without tags; reported as such
    out: list[Query] = []
    for _ in range(count * 20):  # bounded: a draw may fail (a post too short for a phrase)
        if len(out) == count:
            break
        doc = rng.choice(docs)
        words = sorted({w for w in doc.words if w in df and df[w] >= 2})
        if kind == "common word":
            out.append(Query(kind, rng.choice(common)))
        elif kind == "rare word":
            out.append(Query(kind, rng.choice(rare)))
        elif kind == "two words" and len(words) >= 2:
            out.append(Query(kind, " ".join(rng.sample(words, 2))))
        elif kind == "phrase" and (phrase := _phrase(doc.words, rng)):
            out.append(Query(kind, f'"{phrase}"'))
        elif kind == "tag filter":
            doc = rng.choice(with_tags)
            tagged_words = sorted({w for w in doc.words if w in df and df[w] >= 2}) or common
            out.append(Query(kind, rng.choice(tagged_words), tag=rng.choice(doc.tags)))
        elif kind == "exact title":
            out.append(Query(kind, doc.title))
    if len(out) < count:
        raise BenchError(f"Could not draw {count} {kind!r} queries from {len(docs)} posts.")
    return out


def _phrase(words: tuple[str, ...], rng: random.Random) -> str:
    """Two or three consecutive words of a post that start and end with a word that is not a stop word."""
    for _ in range(20):
        size = rng.choice((2, 3))
        if len(words) < size:
            return ""
        start = rng.randrange(len(words) - size + 1)
        window = words[start : start + size]
        if window[0] not in STOP and window[-1] not in STOP:
            return " ".join(window)
    return ""


# ---------------------------------------------------------------------------
# Exact titles


def title_check(name: str, index: SearchIndex, docs: list[Doc]) -> list[object]:
    """[corpus, posts, first, share, misses, same-title misses, miss lines] for the title table."""
    first = same_title = 0
    misses: list[str] = []
    for doc in docs:
        try:
            results = index.search(SearchRequest(q=doc.title, per_page=1)).results
        except SearchRequestError as exc:
            misses.append(f"{doc.path}: {doc.title!r} -> refused ({exc})")
            continue
        if results and results[0].id == doc.id:
            first += 1
            continue
        if not results:
            misses.append(f"{doc.path}: {doc.title!r} -> no results")
            continue
        top = results[0]
        if title_key(top.title) == title_key(doc.title):
            same_title += 1
        misses.append(f"{doc.path}: {doc.title!r} -> {top.title!r} ({top.url})")
    share = f"{100 * first / len(docs):.1f}%" if docs else "n/a"
    return [name, len(docs), first, share, len(misses), same_title, misses]


# ---------------------------------------------------------------------------
# Timing


Runner = Callable[[Query], int]  # runs one query, returns the number of results


def in_process(index: SearchIndex) -> Runner:
    def run(query: Query) -> int:
        return index.search(query.request()).total

    return run


def over_http(base_url: str) -> Runner:
    local = threading.local()

    def run(query: Query) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.get(f"{base_url}/api/search", params=query.params(), timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()["total"]

    return run


def run_kind(corpus: str, mode: str, kind: str, pool: list[Query], warmup: int, clients: int,
             runner: Runner) -> Timing:
    """Run ``pool[:warmup]`` untimed, then time each query of the rest, within KIND_TIME_LIMIT seconds."""
    timing = Timing(corpus, mode, kind, [], [])
    deadline = time.monotonic() + KIND_TIME_LIMIT
    lock = threading.Lock()

    def one(query: Query, timed: bool) -> None:
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            hits = runner(query)
        except Exception as exc:  # counted and shown; one failure must not end the benchmark
            with lock:
                timing.errors += 1
                if timing.errors == 1:
                    log(f"  first error for {kind} {query.q!r}: {type(exc).__name__}: {exc}")
            return
        seconds = time.perf_counter() - started
        if timed:
            with lock:
                timing.seconds.append(seconds)
                timing.hits.append(hits)

    with ThreadPoolExecutor(max_workers=clients) as pool_exec:
        list(pool_exec.map(lambda q: one(q, False), pool[:warmup]))
        started = time.perf_counter()
        list(pool_exec.map(lambda q: one(q, True), pool[warmup:]))
        timing.wall = time.perf_counter() - started
    if time.monotonic() > deadline:
        log(f"  {corpus} {mode} {kind}: stopped at the {KIND_TIME_LIMIT:.0f} s limit after {len(timing.seconds)} queries")
    return timing


def timing_row(t: Timing) -> list[object]:
    ms = [s * 1000 for s in t.seconds]
    if len(ms) >= 2:
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        p50, p95, p99 = (f"{cuts[i]:.1f}" for i in (49, 94, 98))
    else:
        p50 = p95 = p99 = "n/a"
    rate = f"{len(ms) / t.wall:.0f}" if t.wall and ms else "n/a"
    return [t.corpus, t.mode, t.kind, len(ms), p50, p95, p99, f"{max(ms):.1f}" if ms else "n/a", rate,
            int(statistics.median(t.hits)) if t.hits else "n/a", t.errors]


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        fail(exc)
    except KeyboardInterrupt:
        sys.exit(130)
