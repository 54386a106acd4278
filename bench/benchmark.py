"""The benchmark: index build, query latency, throughput and server memory, with targets.

For each size of ../shared/corpus (1x: nodejs-blog and react-blog side by side, about 1,075
posts; 10x: ten renamed copies, about 10,750 posts), in a temporary folder:

  1. a full build of the index (timed) and its size on disk; an incremental run after one
     post changed (timed);
  2. gunicorn serving that index (as common.start_gunicorn starts it), and over HTTP with one
     client: p50/p95/p99 latency of --queries searches per kind after --warmup untimed ones
     (common word, rare word, two words, phrase, tag filter, typo, prefixes of 1, 2, 3 letters),
     every one asking for 10 results with snippets;
  3. 8 clients for --duration seconds: once with every query distinct (never sent before),
     once with a Zipf mix over 500 queries; requests/s and errors;
  4. all along 2 and 3, the server's memory (master + workers), sampled.

Then the targets, PASS or FAIL; exit status 1 when one fails, 2 when the benchmark cannot run.

    .venv/bin/python bench/benchmark.py [--sizes 1,10] [--queries 200] [--warmup 20]
                                        [--duration 30] [--seed 1] [--quick] [--client stdlib|requests]

The HTTP requests of 2 and 3 go through the standard library's http.client by default
(``--client stdlib``, one kept-alive connection per client thread): the client shares the 2 cores
with the server, and requests costs about 1.1 ms of CPU per request, counted in every latency and
taken from the server's throughput. ``--client requests`` (a requests.Session per thread)
reproduces the figures taken before. The report names the client.

Progress goes to standard error, the tables to standard output.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    BenchError,
    MemorySampler,
    add_client_option,
    build_index,
    client_description,
    corpus_dir,
    current_generation_dir,
    disk_usage,
    fail,
    log,
    megabytes,
    parse_sizes,
    percentiles,
    prepare_content,
    start_gunicorn,
    stop_gunicorn,
    table,
)
from load import Request, Result, run_load
from reindex_bench import pick_post, time_one_change
from search_bench import Query, Timing, Vocabulary, draw_one, indexed_docs, over_http, run_kind
from searchsvc.search import SearchIndex

#: The kinds of query timed one by one, in the order of the table.
KINDS = ("common word", "rare word", "two words", "phrase", "tag filter", "typo",
         "prefix 1", "prefix 2", "prefix 3")
#: Kind -> weight of the queries in the distinct-query pool.
DISTINCT_MIX = {"word": 4, "two words": 4, "phrase": 1, "tag filter": 1, "typo": 2,
                "prefix 1": 1, "prefix 2": 1, "prefix 3": 1}
#: Concurrent clients of the throughput runs.
CLIENTS = 8
#: Queries in the Zipf pool; the query of rank r comes with probability proportional to 1/r.
ZIPF_POOL = 500
#: Requests/s the distinct pool is sized for (times --duration): no client can run out below this.
DISTINCT_RATE_BOUND = 2000
#: Seconds the timed queries of one kind may take; a kind that runs out reports those it did.
KIND_TIME_LIMIT = 300.0

#: size -> (p50 limit, p95 limit) in ms, for every kind.
LATENCY_TARGETS = {1: (5.0, 20.0), 10: (15.0, 50.0)}
THROUGHPUT_TARGET = (1, 300.0)  # (size, requests/s with distinct queries, and no error)
BUILD_TARGET = (1, 10.0)  # (size, seconds for the full build)
RSS_TARGET = (10, 250 * 1024 * 1024)  # (size, bytes: sum of the server processes' VmHWM)


@dataclass
class SizeResult:
    size: int
    files: int = 0
    indexed: int = 0
    skipped: int = 0
    full: float = 0.0
    disk: int = 0
    #: Bytes of the post files indexed (the Markdown), for the index's size against it.
    source: int = 0
    incremental: float = 0.0
    server: str = ""
    timings: list[Timing] = field(default_factory=list)
    throughput: dict[str, Result] = field(default_factory=dict)
    repeats: dict[str, tuple[int, int]] = field(default_factory=dict)
    distinct_pool: int = 0
    distinct_ok: bool = True
    memory: MemorySampler | None = None
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10", metavar="LIST",
                        help="copies of the corpus to measure, comma separated (default: 1,10)")
    parser.add_argument("--queries", type=int, metavar="N",
                        help="timed queries per kind (default: 200; 50 with --quick)")
    parser.add_argument("--warmup", type=int, metavar="N",
                        help="untimed queries per kind first (default: 20; 5 with --quick)")
    parser.add_argument("--duration", type=float, metavar="S",
                        help="seconds of each throughput run (default: 30; 10 with --quick)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the queries (default: 1)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer queries and 10 s throughput runs, to check that the benchmark works")
    add_client_option(parser)
    args = parser.parse_args()
    queries = args.queries if args.queries is not None else (50 if args.quick else 200)
    warmup = args.warmup if args.warmup is not None else (5 if args.quick else 20)
    duration = args.duration if args.duration is not None else (10.0 if args.quick else 30.0)
    sizes = parse_sizes(parser, args.sizes)
    if queries < 2 or warmup < 0 or not 1 <= duration <= 600:
        parser.error("--queries must be at least 2, --warmup at least 0, --duration from 1 to 600 s.")

    sources = [corpus_dir("nodejs"), corpus_dir("react")]
    results = []
    for size in sizes:
        results.append(measure(size, sources, queries, warmup, duration, args.seed, args.client))

    print_report(results, queries, warmup, duration, args.seed, args.quick, args.client)
    return 1 if print_targets(results) else 0


# ---------------------------------------------------------------------------
# Measuring one size


def measure(size: int, sources: list[Path], queries: int, warmup: int, duration: float, seed: int,
            client: str) -> SizeResult:
    result = SizeResult(size, load_before=os.getloadavg())
    with tempfile.TemporaryDirectory(prefix=f"searchsvc-bench-{size}x-") as tmp:
        content, index_dir = Path(tmp) / "content", Path(tmp) / "index"
        result.files = prepare_content(sources, content, size)
        result.source = sum(p.stat().st_size for p in content.rglob("*") if p.is_file())

        log(f"{size}x: full build ...")
        # As `searchsvc reindex` runs it: one worker process per CPU.
        build = build_index(content, index_dir, full=True, label=f"{size}x full build", workers=os.cpu_count() or 1)
        s = build.summary
        result.indexed, result.skipped, result.full = s.total, len(s.skipped), build.seconds
        result.disk = disk_usage(current_generation_dir(index_dir))
        log(f"{size}x: {s.total:,} posts in {build.seconds:.1f} s, {megabytes(result.disk)} on disk")

        post = content / pick_post(index_dir)
        result.incremental = time_one_change(build.settings, post, f"{size}x: edit")
        log(f"{size}x: incremental run, one post changed: {result.incremental:.2f} s")

        log(f"{size}x: drawing queries (seed {seed}) ...")
        rng = random.Random(seed)
        index = SearchIndex(index_dir)
        try:
            vocab = Vocabulary(indexed_docs(index), common_at_least=warmup + queries)
        finally:
            index.close()
        pools = {kind: latency_pool(kind, vocab, warmup + queries, rng) for kind in KINDS}
        sent = {q for pool in pools.values() for q in pool}
        distinct = distinct_pool(vocab, int(duration * DISTINCT_RATE_BOUND), rng, sent)
        zipf = zipf_mix(distinct_pool(vocab, ZIPF_POOL, rng, sent | set(distinct)), 100_000, rng)
        result.distinct_pool = len(distinct)
        del vocab, sent  # the posts' words; the server gets the memory

        repeated = repeats(pools, warmup)
        server = start_gunicorn(index_dir)
        result.server = server.config
        try:
            with MemorySampler(server.process.pid) as memory:
                result.memory = memory
                for kind, pool in pools.items():
                    log(f"{size}x: latency, {kind} ({warmup} + {queries} queries) ...")
                    timing = run_kind(f"{size}x", "http", kind, pool, warmup, 1, over_http(server.url, client),
                                      time_limit=KIND_TIME_LIMIT)
                    result.timings.append(timing)
                    result.repeats[kind] = repeated[kind]
                    p50, p95, _ = percentiles(timing.seconds)
                    log(f"  p50 {p50:.1f} ms, p95 {p95:.1f} ms")
                for name, mix in (("distinct", as_requests(distinct)), ("zipf", as_requests(zipf))):
                    log(f"{size}x: throughput, {name} queries, {CLIENTS} clients for {duration:.0f} s ...")
                    run = run_load(server.url, mix, clients=CLIENTS, duration=duration, http_client=client)
                    result.throughput[name] = run
                    log(f"  {run.count / run.seconds:.1f} requests/s, {run.failed} errors")
                    for example in run.examples:
                        log(f"  failed: {example}")
                result.distinct_ok = result.throughput["distinct"].max_per_client <= len(distinct) // CLIENTS
                if not result.distinct_ok:
                    log(f"  warning: a client went through its share of the {len(distinct):,} distinct queries; "
                        f"some were sent twice")
        finally:
            stop_gunicorn(server)
    result.load_after = os.getloadavg()
    return result


def latency_pool(kind: str, vocab: Vocabulary, count: int, rng: random.Random) -> list[Query]:
    """``count`` queries of ``kind``, all distinct while the kind has enough (prefixes of 1 letter
    do not): then the distinct ones drawn are repeated, in a shuffled order."""
    found = distinct_pool(vocab, count, rng, set(), {kind: 1}, quiet=True)
    if not found:
        raise BenchError(f"No {kind!r} query could be drawn (no post has tags?)")
    pool = found + [rng.choice(found) for _ in range(count - len(found))]
    rng.shuffle(pool)
    return pool


def repeats(pools: dict[str, list[Query]], warmup: int) -> dict[str, tuple[int, int]]:
    """Kind -> (distinct timed queries, timed queries sent before in this size's latency runs).

    A query sent before may be answered from the service's caches.
    """
    sent: set[Query] = set()
    out = {}
    for kind, pool in pools.items():  # in the order they are run
        sent.update(pool[:warmup])
        timed = pool[warmup:]
        again = 0
        for query in timed:
            again += query in sent
            sent.add(query)
        out[kind] = (len(set(timed)), again)
    return out


def distinct_pool(vocab: Vocabulary, count: int, rng: random.Random, exclude: set[Query],
                  mix: dict[str, int] = DISTINCT_MIX, quiet: bool = False) -> list[Query]:
    """Up to ``count`` distinct queries, none in ``exclude``, of the kinds of ``mix`` (kind -> weight)."""
    kinds, weights = list(mix), list(mix.values())
    seen: set[Query] = set()
    out: list[Query] = []
    for _ in range(count * 20):  # bounded: the short prefixes run out, a draw may give nothing
        if len(out) == count:
            break
        query = draw_one(rng.choices(kinds, weights)[0], vocab, rng)
        if query is not None and query not in seen and query not in exclude:
            seen.add(query)
            out.append(query)
    if len(out) < count and not quiet:
        log(f"  warning: only {len(out):,} distinct queries could be drawn of the {count:,} wanted")
    return out


def zipf_mix(pool: list[Query], length: int, rng: random.Random) -> list[Query]:
    """``length`` draws from ``pool``: the query of rank r (1-based) with probability proportional to 1/r."""
    return rng.choices(pool, weights=[1 / r for r in range(1, len(pool) + 1)], k=length)


def as_requests(queries: list[Query]) -> list[Request]:
    return [Request(q.kind, "/api/search", tuple(q.params().items())) for q in queries]


# ---------------------------------------------------------------------------
# Printing


def print_report(results: list[SizeResult], queries: int, warmup: int, duration: float, seed: int,
                 quick: bool, client: str) -> None:
    servers = sorted({r.server for r in results if r.server})
    print()
    print(f"searchsvc benchmark{' (--quick)' if quick else ''}: seed {seed}; server {', '.join(servers)} "
          f"on 127.0.0.1; client: {client_description(client)}; {os.cpu_count()} CPUs")
    for r in results:
        print(f"  {r.size}x: load average {fmt_load(r.load_before)} before, {fmt_load(r.load_after)} after")

    print()
    print("Index")
    print(table(["size", "post files", "indexed", "skipped", "full build s", "Markdown", "index on disk",
                 "index / Markdown", "one post changed s"],
                [[f"{r.size}x", f"{r.files:,}", f"{r.indexed:,}", r.skipped, f"{r.full:.1f}", megabytes(r.source),
                  megabytes(r.disk), f"{r.disk / r.source:.2f}x" if r.source else "-",
                  f"{r.incremental:.2f}"] for r in results]))

    print()
    print(f"Query latency over HTTP in ms: 10 results with snippets (per_page=10), one client, "
          f"{queries} timed queries per kind after {warmup} warm-up")
    rows = []
    for r in results:
        for t in r.timings:
            p50, p95, p99 = percentiles(t.seconds)
            hits = sorted(t.hits)
            distinct, again = r.repeats.get(t.kind, (0, 0))
            rows.append([f"{r.size}x", t.kind, len(t.seconds), distinct, again, f"{p50:.1f}", f"{p95:.1f}",
                         f"{p99:.1f}", f"{max(t.seconds, default=0) * 1000:.1f}",
                         hits[len(hits) // 2] if hits else "n/a", t.partial, t.errors])
    print(table(["size", "kind", "n", "distinct", "repeats", "p50", "p95", "p99", "max", "median hits", "partial",
                 "errors"], rows))
    short = [f"{r.size}x {t.kind}" for r in results for t in r.timings if len(t.seconds) < queries]
    if short:
        print(f"  fewer than {queries} timed (time limit {KIND_TIME_LIMIT:.0f} s per kind, or errors): "
              + ", ".join(short))

    print()
    print(f"Throughput: {CLIENTS} clients, {duration:.0f} s per run, requests back to back")
    rows = []
    for r in results:
        for name, run in r.throughput.items():
            p50, p95, p99 = percentiles([s for v in run.latencies.values() for s in v])
            if name == "distinct":
                queries_note = f"{r.distinct_pool:,} distinct" + ("" if r.distinct_ok else ", some repeated")
            else:
                queries_note = f"Zipf over {ZIPF_POOL}"
            rows.append([f"{r.size}x", queries_note, f"{run.count:,}", f"{run.count / run.seconds:.1f}",
                         run.failed, f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}"])
    print(table(["size", "queries", "requests", "requests/s", "errors", "p50 ms", "p95 ms", "p99 ms"], rows))

    print()
    print("Server memory: gunicorn master + workers, sampled every 0.5 s during the latency and throughput runs")
    print(table(["size", "processes", "peak RSS (sum of VmHWM)", "peak of summed VmRSS"],
                [[f"{r.size}x", r.memory.processes, megabytes(r.memory.hwm_sum), megabytes(r.memory.peak_rss)]
                 for r in results if r.memory]))


def fmt_load(load: tuple[float, ...]) -> str:
    return " / ".join(f"{v:.2f}" for v in load) if load else "n/a"


def print_targets(results: list[SizeResult]) -> bool:
    """Print the targets block; True when a measured target failed."""
    by_size = {r.size: r for r in results}
    rows: list[list[object]] = []
    failed = False

    def verdict(ok: bool) -> str:
        nonlocal failed
        failed |= not ok
        return "PASS" if ok else "FAIL"

    def at(size: int) -> str:
        r = by_size[size]
        return f"{size}x ({r.indexed:,} posts)"

    for size, (p50_limit, p95_limit) in LATENCY_TARGETS.items():
        limit = f"p50 < {p50_limit:g}, p95 < {p95_limit:g}"
        if size not in by_size:
            rows.append(["latency, every kind", f"{size}x", "not run", limit, f"(add {size} to --sizes)"])
            continue
        for t in by_size[size].timings:
            p50, p95, _ = percentiles(t.seconds)
            ok = bool(t.seconds) and p50 < p50_limit and p95 < p95_limit
            rows.append([f"latency, {t.kind}", at(size), f"p50 {p50:.1f}, p95 {p95:.1f}", limit, verdict(ok)])

    size, rate = THROUGHPUT_TARGET
    what = "throughput, distinct queries"
    if size in by_size:
        run = by_size[size].throughput["distinct"]
        measured = run.count / run.seconds
        rows.append([what, at(size), f"{measured:.1f} requests/s, {run.failed} errors",
                     f">= {rate:g} requests/s, 0 errors", verdict(measured >= rate and run.failed == 0)])
    else:
        rows.append([what, f"{size}x", "not run", f">= {rate:g} requests/s, 0 errors", f"(add {size} to --sizes)"])

    size, seconds = BUILD_TARGET
    if size in by_size:
        r = by_size[size]
        rows.append(["full build", at(size), f"{r.full:.1f} s", f"< {seconds:g} s", verdict(r.full < seconds)])
    else:
        rows.append(["full build", f"{size}x", "not run", f"< {seconds:g} s", f"(add {size} to --sizes)"])

    size, limit = RSS_TARGET
    if size in by_size and by_size[size].memory:
        hwm = by_size[size].memory.hwm_sum
        rows.append(["server RSS (sum of VmHWM)", at(size), megabytes(hwm), f"< {megabytes(limit)}",
                     verdict(hwm < limit)])
    else:
        rows.append(["server RSS (sum of VmHWM)", f"{size}x", "not run", f"< {megabytes(limit)}",
                     f"(add {size} to --sizes)"])

    print()
    print("Targets")
    print(table(["target", "at", "measured", "limit", "result"], rows))
    return failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        fail(exc)
    except KeyboardInterrupt:
        sys.exit(130)
