"""Time the search path on the real blogs in ../shared/corpus.

For each blog: build its index (timed), search the exact title of every indexed
post and count how often that post comes first, then time searches of each kind
in-process (SearchIndex.search, 10 results with snippets) and over HTTP against
gunicorn, and print p50/p95/p99 latencies in one table.

    .venv/bin/python bench/search_bench.py [--corpus nodejs|react|both] [--queries N] [--no-http]
                                           [--client stdlib|requests]

The HTTP requests go through the standard library's http.client by default (``--client stdlib``,
one kept-alive connection per client thread): the client shares the 2 cores with the server, and
requests costs about 1.1 ms of CPU per request, counted in every HTTP latency. ``--client
requests`` (a requests.Session per thread) reproduces the figures taken before.
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

from common import (
    DEFAULT_CLIENT,
    BenchError,
    add_client_option,
    build_index,
    client_description,
    corpus_dir,
    fail,
    log,
    make_client,
    megabytes,
    percentiles,
    rss_bytes,
    start_gunicorn,
    stop_gunicorn,
    table,
)
from searchsvc.schema import STOP, title_key
from searchsvc.search import SearchIndex, SearchRequest, SearchRequestError

#: (Each kind's queries are drawn from one seeded generator in this order: a kind added goes
#: last, so that the others' queries stay those of earlier runs.)
KINDS = ("common word", "rare word", "two words", "phrase", "tag filter", "exact title", "slip", "passage")
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
    partial: int = 0  # answers flagged "partial": the query ran into the service's time limit


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
    add_client_option(parser)
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
            vocab = Vocabulary(docs)
            pools = {kind: draw_queries(kind, docs, args.warmup + args.queries, rng, vocab) for kind in KINDS}
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
                                                over_http(server.url, args.client)))
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
    clients = (f", {args.clients} HTTP client(s) at a time: {client_description(args.client)}"
               if not args.no_http else "")
    print(f"Search latency in ms (10 results with snippets, {args.queries} queries per row after "
          f"{args.warmup} warm-up, seed {args.seed}{clients})")
    print(table(["corpus", "path", "kind", "n", "p50", "p95", "p99", "max", "q/s", "median hits", "partial", "errors"],
                [timing_row(t) for t in timings]))
    for note in notes:
        print(note)


# ---------------------------------------------------------------------------
# The documents and the queries


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: Kinds ``draw_one`` knows besides KINDS: a typo, what a reader has typed of a title word, any word.
EXTRA_KINDS = ("typo", "prefix 1", "prefix 2", "prefix 3", "word")
#: What common.renamed_copy appends to the title of copy k.
_COPY_MARK = re.compile(r" \(copy \d+\)$")


def indexed_docs(index: SearchIndex) -> list[Doc]:
    """Every post in the published index, from its stored fields, in path order.

    Posts with the same body (the renamed copies of a replicated corpus) share one tuple of words.
    """
    snap = index.snapshot()
    with snap.ix.searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    docs = []
    words_of: dict[str, tuple[str, ...]] = {}
    for fields in stored:
        meta = fields.get("meta") or {}
        body = fields.get("body", "")
        words = words_of.get(body)
        if words is None:
            words = words_of[body] = tuple(sys.intern(w.lower()) for w in _WORD.findall(body))
        docs.append(Doc(
            id=fields["id"],
            path=fields["path"],
            title=meta.get("title") or fields.get("title", ""),
            tags=tuple(meta.get("tags") or ()),
            words=words,
        ))
    return sorted(docs, key=lambda d: d.path)


class Vocabulary:
    """The words of the indexed posts (more than two letters, no stop words) and their document frequency.

    ``common``: the top half percent by document frequency (at least ``common_at_least`` words);
    ``rare``: words of 5+ letters in at most twice as many posts as the rarest word (2 posts as
    they are, 20 with ten copies).
    """

    def __init__(self, docs: list[Doc], common_at_least: int = 10):
        self.docs = docs
        self.with_tags = [d for d in docs if d.tags]
        bodies: dict[int, tuple[str, ...]] = {}
        copies: Counter = Counter()  # posts per distinct tuple of words (the copies of one body)
        for d in docs:
            bodies.setdefault(id(d.words), d.words)
            copies[id(d.words)] += 1
        df: Counter = Counter()
        for key, words in bodies.items():
            for w in set(words):
                if len(w) > 2 and w not in STOP:
                    df[w] += copies[key]
        self.df = df
        by_df = sorted(df, key=lambda w: (-df[w], w))
        self.common = by_df[: max(common_at_least, len(by_df) // 200)]
        lowest = min(df.values(), default=1)
        self.rare = sorted(w for w in by_df if df[w] <= 2 * lowest and len(w) >= 5) or by_df[-50:]
        self._words: dict[int, list[str]] = {}

    def words(self, doc: Doc) -> list[str]:
        """The post's words found in at least two posts, sorted (cached per body)."""
        key = id(doc.words)  # the docs, and so their word tuples, live as long as this object
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = sorted({w for w in doc.words if self.df.get(w, 0) >= 2})
        return found


def draw_queries(kind: str, docs: list[Doc], count: int, rng: random.Random,
                 vocab: Vocabulary | None = None) -> list[Query]:
    """``count`` queries of one kind, drawn with ``rng`` from the posts' words, tags and titles.

    Kinds: KINDS and EXTRA_KINDS (see ``draw_one``). Pass ``vocab`` to draw several kinds
    without counting the words again.
    """
    vocab = vocab or Vocabulary(docs)
    if kind == "tag filter" and not vocab.with_tags:
        return []  # a blog without tags; reported as such
    out: list[Query] = []
    for _ in range(count * 20):  # bounded: a draw may fail (a post too short for a phrase)
        if len(out) == count:
            break
        if (query := draw_one(kind, vocab, rng)) is not None:
            out.append(query)
    if len(out) < count and kind != "slip":  # (titles of short words give few slips: those)
        raise BenchError(f"Could not draw {count} {kind!r} queries from {len(docs)} posts.")
    return out


def draw_one(kind: str, vocab: Vocabulary, rng: random.Random) -> Query | None:
    """One query of ``kind`` from a post drawn with ``rng``, or None when that post has none to give.

    common word, rare word: from Vocabulary.common / .rare. two words: two words of one post.
    phrase: 2-3 consecutive words of one post, in quotes. passage: three words of 5+ letters of
    one post, in order, within 15 words of its text (as a reader remembers a sentence: the
    passage bonuses read their positions). tag filter: a word of a post with one
    of its tags. exact title: a post's title. typo: a word of 5+ letters of one post with one
    edit (a letter deleted, replaced, or swapped with the next) that is no word of the index.
    prefix N: the first N letters of a word of 3+ letters of a post's title, as typed in a
    search box (lower case; not the " (copy k)" of a replicated corpus). word: any word of one post.
    slip: two words of a post's title as a reader types them into the box, the second (of 6+
    letters) cut short at half its letters (4 at least) with a typo in what was typed.
    """
    doc = rng.choice(vocab.docs)
    if kind == "common word":
        return Query(kind, rng.choice(vocab.common))
    if kind == "rare word":
        return Query(kind, rng.choice(vocab.rare))
    if kind == "tag filter":
        if not vocab.with_tags:
            return None
        doc = rng.choice(vocab.with_tags)
        return Query(kind, rng.choice(vocab.words(doc) or vocab.common), tag=rng.choice(doc.tags))
    if kind == "exact title":
        return Query(kind, doc.title)
    if kind == "slip":
        title = [w.lower() for w in _WORD.findall(_COPY_MARK.sub("", doc.title)) if w.lower() not in STOP]
        at = [i for i in range(1, len(title)) if len(title[i]) >= 6]
        if not at:
            return None
        i = rng.choice(at)
        typed = _typo(title[i][: max(4, len(title[i]) // 2 + 1)], rng)
        return Query(kind, f"{title[i - 1]} {typed}") if typed else None
    if kind.startswith("prefix "):
        n = int(kind.split()[1])
        title = _COPY_MARK.sub("", doc.title)
        title_words = [w.lower() for w in _WORD.findall(title) if len(w) >= 3 and w.lower() not in STOP]
        return Query(kind, rng.choice(title_words)[:n]) if title_words else None
    words = vocab.words(doc)
    if kind == "two words":
        return Query(kind, " ".join(rng.sample(words, 2))) if len(words) >= 2 else None
    if kind == "phrase":
        phrase = _phrase(doc.words, rng)
        return Query(kind, f'"{phrase}"') if phrase else None
    if kind == "passage":
        passage = _passage(doc.words, rng)
        return Query(kind, passage) if passage else None
    if kind == "word":
        return Query(kind, rng.choice(words)) if words else None
    if kind == "typo":
        long_words = [w for w in words if len(w) >= 5]
        typo = _typo(rng.choice(long_words), rng) if long_words else ""
        return Query(kind, typo) if typo and typo not in vocab.df else None
    raise ValueError(f"unknown kind of query {kind!r}")


def _typo(word: str, rng: random.Random) -> str:
    """``word`` with one edit: a letter deleted, replaced by another, or swapped with the next one."""
    edit = rng.choice(("delete", "substitute", "swap"))
    i = rng.randrange(len(word) - 1 if edit == "swap" else len(word))
    if edit == "delete":
        return word[:i] + word[i + 1 :]
    if edit == "substitute":
        letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i]])
        return word[:i] + letter + word[i + 1 :]
    if word[i] == word[i + 1]:
        return ""  # swapping two equal letters changes nothing
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


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


def _passage(words: tuple[str, ...], rng: random.Random, span: int = 15) -> str:
    """Three distinct words of 5+ letters (no stop words) of a post, in order, within ``span``
    consecutive words of it; "" when the window drawn has fewer."""
    if len(words) < span:
        return ""
    start = rng.randrange(len(words) - span + 1)
    window = list(dict.fromkeys(w for w in words[start : start + span] if len(w) >= 5 and w not in STOP))
    if len(window) < 3:
        return ""
    return " ".join(window[i] for i in sorted(rng.sample(range(len(window)), 3)))


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


Runner = Callable[[Query], tuple[int, bool]]  # runs one query: (number of results, partial?)


def in_process(index: SearchIndex) -> Runner:
    def run(query: Query) -> tuple[int, bool]:
        response = index.search(query.request())
        return response.total, response.partial

    return run


def over_http(base_url: str, client: str = DEFAULT_CLIENT) -> Runner:
    """``GET /api/search`` on the server at ``base_url`` with the HTTP client named ``client``
    (common.HTTP_CLIENTS), one keep-alive connection per thread.

    A status other than 200, a body that is not JSON, or a request that cannot be sent or read
    within HTTP_TIMEOUT seconds raises (run_kind counts it as an error).
    """
    http = make_client(client, base_url, HTTP_TIMEOUT)

    def run(query: Query) -> tuple[int, bool]:
        data = http.get_json("/api/search", query.params())
        return data["total"], bool(data.get("partial"))

    return run


def run_kind(corpus: str, mode: str, kind: str, pool: list[Query], warmup: int, clients: int,
             runner: Runner, time_limit: float = KIND_TIME_LIMIT) -> Timing:
    """Run ``pool[:warmup]`` untimed, then time each query of the rest, within ``time_limit`` seconds."""
    timing = Timing(corpus, mode, kind, [], [])
    deadline = time.monotonic() + time_limit
    lock = threading.Lock()

    def one(query: Query, timed: bool) -> None:
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            hits, partial = runner(query)
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
                timing.partial += partial

    with ThreadPoolExecutor(max_workers=clients) as pool_exec:
        list(pool_exec.map(lambda q: one(q, False), pool[:warmup]))
        started = time.perf_counter()
        list(pool_exec.map(lambda q: one(q, True), pool[warmup:]))
        timing.wall = time.perf_counter() - started
    if time.monotonic() > deadline:
        log(f"  {corpus} {mode} {kind}: stopped at the {time_limit:.0f} s limit after {len(timing.seconds)} queries")
    return timing


def timing_row(t: Timing) -> list[object]:
    ms = [s * 1000 for s in t.seconds]
    p50, p95, p99 = (f"{v:.1f}" for v in percentiles(t.seconds)) if len(ms) >= 2 else ("n/a",) * 3
    rate = f"{len(ms) / t.wall:.0f}" if t.wall and ms else "n/a"
    return [t.corpus, t.mode, t.kind, len(ms), p50, p95, p99, f"{max(ms):.1f}" if ms else "n/a", rate,
            int(statistics.median(t.hits)) if t.hits else "n/a", t.partial, t.errors]


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        fail(exc)
    except KeyboardInterrupt:
        sys.exit(130)
