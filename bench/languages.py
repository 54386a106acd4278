"""Languages: index build, size and query latency per kind on blogs in other languages.

Three blogs of ../shared/corpus, each in a temporary folder:

- ``ja``: react-ja, Japanese (SEARCHSVC_LANGUAGE=ja);
- ``es``: react-es, Spanish (SEARCHSVC_LANGUAGE=es);
- ``mixed``: react-blog, react-es and react-ja side by side in folders en/, es/ and ja/
  (SEARCHSVC_LANGUAGES=en,es,ja: each folder's posts are in its language).

For each: a full build (timed), its size on disk beside the Markdown's, then gunicorn serving it
and, over HTTP with one client, p50/p95 latency of --queries searches per kind after --warmup
untimed ones: the kinds of bench/benchmark.py (words drawn from the posts) and, where the posts
have Chinese, Japanese or Korean text, "CJK word" (2-4 characters of one script from a post),
"CJK 1 char" (one character: a prefix) and "CJK sentence" (a sentence of a post's text with such
characters, 20 to 120 characters long, as a reader pastes it: runs of characters the query reads
as dozens of pairs of characters, each a word).

    .venv/bin/python bench/languages.py [--blogs ja,es,mixed] [--queries 200] [--warmup 20] [--seed 1]

Progress goes to standard error, the tables to standard output.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import shutil
import tempfile
from pathlib import Path

from common import (
    CORPUS,
    BenchError,
    build_index,
    current_generation_dir,
    disk_usage,
    fail,
    log,
    megabytes,
    percentiles,
    start_gunicorn,
    stop_gunicorn,
    table,
)
from search_bench import Query, Vocabulary, draw_one, indexed_docs, over_http, run_kind
from searchsvc.config import Settings
from searchsvc.search import SearchIndex

KINDS = ("common word", "rare word", "two words", "phrase", "typo", "prefix 1", "prefix 2", "prefix 3")
CJK_KINDS = ("CJK word", "CJK 1 char", "CJK sentence")
BLOGS = {
    "ja": ([("react-ja", "")], {"language": "ja"}),
    "es": ([("react-es", "")], {"language": "es"}),
    "mixed": ([("react-blog", "en"), ("react-es", "es"), ("react-ja", "ja")], {"languages": ("en", "es", "ja")}),
}
_ONE_SCRIPT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3005]{2,}|[\u30a0-\u30ff]{2,}|[\uac00-\ud7af]{2,}")
#: A sentence as a reader pastes it: up to its full stop (of either script), 20 to 120 characters.
_SENTENCE = re.compile(r"[^。！？.!?\n]{20,120}[。！？.!?]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blogs", default="ja,es,mixed", help="which of ja, es, mixed (default: all)")
    parser.add_argument("--queries", type=int, default=200, metavar="N")
    parser.add_argument("--warmup", type=int, default=20, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = [b.strip() for b in args.blogs.split(",") if b.strip()]
    if not names or any(b not in BLOGS for b in names):
        parser.error(f"--blogs must list some of {', '.join(BLOGS)}.")
    rows, sizes = [], []
    for name in names:
        sources, settings = BLOGS[name]
        build_rows, timing_rows = measure(name, sources, settings, args.queries, args.warmup, args.seed)
        sizes.append(build_rows)
        rows.extend(timing_rows)
    print("\nBuild and size (full build with one worker per CPU)\n")
    print(table(["blog", "posts", "Markdown", "index", "index / Markdown", "full build s"], sizes))
    print(f"\nLatency over HTTP, one client, {args.queries} queries per kind after {args.warmup} untimed\n")
    print(table(["blog", "kind", "queries", "p50 ms", "p95 ms", "found (median)"], rows))
    return 0


def copy_blog(sources: list[tuple[str, str]], dest: Path) -> int:
    """The blogs' files under ``dest`` (each in its folder when it has one); their Markdown bytes."""
    total = 0
    for name, folder in sources:
        src = CORPUS / name
        if not src.is_dir():
            raise BenchError(f"The corpus folder {src} is missing; this benchmark needs ../shared/corpus.")
        target = dest / folder if folder else dest
        shutil.copytree(src, target, dirs_exist_ok=True)
        total += sum(p.stat().st_size for p in src.rglob("*") if p.suffix in (".md", ".mdx", ".markdown"))
    return total


def measure(name: str, sources, settings: dict, queries: int, warmup: int, seed: int):
    with tempfile.TemporaryDirectory(prefix=f"searchsvc-bench-lang-{name}-") as tmp:
        content, index_dir = Path(tmp) / "content", Path(tmp) / "index"
        markdown = copy_blog(sources, content)
        log(f"{name}: full build ...")
        # (Settings a release does not have are left out: this script also measures earlier ones.)
        known = {f.name for f in dataclasses.fields(Settings)}
        build = build_index(content, index_dir, full=True, label=f"{name} full build",
                            workers=os.cpu_count() or 1, settings={k: v for k, v in settings.items() if k in known})
        disk = disk_usage(current_generation_dir(index_dir))
        languages = ", ".join(f"{k} {v}" for k, v in getattr(build.summary, "languages", {}).items())
        log(f"{name}: {build.summary.total} posts ({languages}) in {build.seconds:.1f} s, {megabytes(disk)}")
        size_row = [name, build.summary.total, megabytes(markdown), megabytes(disk), f"{disk / markdown:.2f}",
                    f"{build.seconds:.1f}"]

        rng = random.Random(seed)
        index = SearchIndex(index_dir)
        try:
            docs = indexed_docs(index)
            bodies = _bodies(index)
        finally:
            index.close()
        vocab = Vocabulary(docs, common_at_least=warmup + queries)
        pools = {kind: _pool(lambda: draw_one(kind, vocab, rng), warmup + queries, rng) for kind in KINDS}
        pieces = sorted({m.group() for body in bodies for m in _ONE_SCRIPT.finditer(body)})
        if pieces:
            pools["CJK word"] = _pool(lambda: Query("CJK word", _piece(rng.choice(pieces), rng)), warmup + queries, rng)
            chars = sorted({ch for p in pieces for ch in p})
            pools["CJK 1 char"] = _pool(lambda: Query("CJK 1 char", rng.choice(chars)), warmup + queries, rng)
            sentences = sorted({m.group().strip() for body in bodies for m in _SENTENCE.finditer(body)
                                if len(_ONE_SCRIPT.findall(m.group())) >= 3})
            if sentences:
                pools["CJK sentence"] = _pool(lambda: Query("CJK sentence", rng.choice(sentences)), warmup + queries, rng)

        rows = []
        server = start_gunicorn(index_dir)
        try:
            for kind, pool in pools.items():
                log(f"{name}: latency, {kind} ...")
                timing = run_kind(name, "http", kind, pool, warmup, 1, over_http(server.url))
                p50, p95, _ = percentiles(timing.seconds)
                found = sorted(timing.hits)[len(timing.hits) // 2] if timing.hits else 0
                rows.append([name, kind, len(timing.seconds), f"{p50:.1f}", f"{p95:.1f}", found])
        finally:
            stop_gunicorn(server)
        return size_row, rows


def _bodies(index: SearchIndex) -> list[str]:
    snap = index.snapshot()
    with snap.ix.searcher() as searcher:
        return [snap.stored_fields(searcher, d).get("body", "") for d in searcher.reader().all_doc_ids()]


def _piece(run: str, rng: random.Random) -> str:
    if len(run) <= 4:
        return run
    size = rng.choice([2, 3, 4])
    at = rng.randrange(len(run) - size + 1)
    return run[at : at + size]


def _pool(draw, count: int, rng: random.Random) -> list[Query]:
    found: list[Query] = []
    for _ in range(count * 20):
        if len(found) == count:
            break
        query = draw()
        if query is not None:
            found.append(query)
    if not found:
        raise BenchError("No query could be drawn.")
    return found


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as exc:
        fail(exc)
