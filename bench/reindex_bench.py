"""Time reindexing the real blogs in ../shared/corpus, once as they are and replicated.

For each size: a full rebuild (timed), the size on disk of the published
generation, an incremental run with nothing changed, and an incremental run
after one sentence was appended to one post. Then the targets, PASS or FAIL:

    incremental run, one post changed, at 10x (about 10,000 posts)   under 1 s
    incremental run, nothing changed, at 1x (about 1,000 posts)      under 0.5 s

    .venv/bin/python bench/reindex_bench.py [--sizes 1,10] [--repeat 3] [--workers N]

Size 1 is nodejs-blog and react-blog side by side in one content folder; size N
is N renamed copies of that (distinct slugs and titles). Content and indexes are
written to a temporary folder that is removed at the end. Exits with 1 when a
measured target fails.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    BenchError,
    build_index,
    corpus_dir,
    current_generation_dir,
    disk_usage,
    fail,
    log,
    megabytes,
    parse_sizes,
    prepare_content,
    table,
    worker_option,
)
from searchsvc import storage
from searchsvc.indexer import reindex

#: (what, size it is measured at, limit in seconds, row attribute)
TARGETS = [
    ("incremental, one post changed", 10, 1.0, "one_changed"),
    ("incremental, nothing changed", 1, 0.5, "no_change"),
]


@dataclass
class SizeResult:
    size: int
    files: int
    indexed: int = 0
    skipped: int = 0
    full: float = 0.0
    disk: int = 0
    peak_rss: int = 0
    no_change_runs: list[float] = field(default_factory=list)
    one_changed_runs: list[float] = field(default_factory=list)

    @property
    def no_change(self) -> float:
        return statistics.median(self.no_change_runs)

    @property
    def one_changed(self) -> float:
        return statistics.median(self.one_changed_runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10", metavar="LIST",
                        help="comma-separated copies of the corpus to measure (default: 1,10; 1 alone is quick)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="incremental runs of each kind per size; the median is reported (default: 3)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes reindex may use to parse posts (default: reindex's own default)")
    args = parser.parse_args()
    sizes = parse_sizes(parser, args.sizes)
    if not 1 <= args.repeat <= 20:
        parser.error("--repeat must be from 1 to 20.")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be 1 or more.")

    sources = [corpus_dir("nodejs"), corpus_dir("react")]
    results = [measure(size, sources, args.repeat, args.workers) for size in sizes]

    print()
    print(f"Reindex times in seconds (incremental: median of {args.repeat} runs)")
    print(table(
        ["size", "post files", "indexed", "skipped", "full rebuild", "index on disk", "peak RSS",
         "nothing changed", "one post changed"],
        [[f"{r.size}x", f"{r.files:,}", f"{r.indexed:,}", r.skipped, f"{r.full:.2f}", megabytes(r.disk),
          megabytes(r.peak_rss), f"{r.no_change:.3f}", f"{r.one_changed:.3f}"] for r in results],
    ))
    print()
    print("Targets")
    rows, failed = [], False
    by_size = {r.size: r for r in results}
    for what, size, limit, attr in TARGETS:
        r = by_size.get(size)
        if r is None:
            rows.append([what, f"{size}x", "not run", f"< {limit:g}", f"(add {size} to --sizes)"])
            continue
        seconds = getattr(r, attr)
        ok = seconds < limit
        failed |= not ok
        rows.append([what, f"{size}x ({r.indexed:,} posts)", f"{seconds:.3f}", f"< {limit:g}",
                     "PASS" if ok else "FAIL"])
    print(table(["run", "at", "seconds", "target", "result"], rows))
    return 1 if failed else 0


def measure(size: int, sources: list[Path], repeat: int, workers: int | None) -> SizeResult:
    with tempfile.TemporaryDirectory(prefix=f"searchsvc-reindex-{size}x-") as tmp:
        content, index_dir = Path(tmp) / "content", Path(tmp) / "index"
        files = prepare_content(sources, content, size)

        log(f"{size}x: full rebuild ...")
        build = build_index(content, index_dir, full=True, label=f"{size}x full rebuild", workers=workers)
        s = build.summary
        result = SizeResult(size, files, indexed=s.total, skipped=len(s.skipped), full=build.seconds)
        result.disk = disk_usage(current_generation_dir(index_dir))
        result.peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        log(f"{size}x: full rebuild of {s.total:,} posts took {build.seconds:.1f} s "
            f"({len(s.skipped)} skipped, {len(s.hidden)} hidden)")

        for i in range(repeat):
            summary, seconds = timed_reindex(build.settings, workers)
            if summary.full or summary.changed:
                raise BenchError(f"{size}x: a run with nothing changed did work: {summary.to_dict()}")
            result.no_change_runs.append(seconds)
            log(f"{size}x: nothing changed, run {i + 1}: {seconds:.3f} s")

        post = content / pick_post(index_dir)
        for i in range(repeat):
            seconds = time_one_change(build.settings, post, f"{size}x: edit number {i + 1}", workers)
            result.one_changed_runs.append(seconds)
            log(f"{size}x: one post changed, run {i + 1}: {seconds:.3f} s")
    return result


def time_one_change(settings, post: Path, what: str, workers: int | None = None) -> float:
    """Append a sentence to ``post``, run ``reindex(settings)`` and return its seconds.

    :raise BenchError: if the run did anything but update exactly that post.
    """
    with open(post, "a", encoding="utf-8") as f:
        f.write(f"\n\nBenchmark {what}: one more sentence about indexing.\n")
    summary, seconds = timed_reindex(settings, workers)
    if (summary.updated, summary.added, summary.removed, summary.full) != (1, 0, 0, False):
        raise BenchError(f"{what}: the run after changing {post} did not update exactly it: {summary.to_dict()}")
    return seconds


def timed_reindex(settings, workers: int | None):
    started = time.perf_counter()
    summary = reindex(settings, **worker_option(workers))
    return summary, time.perf_counter() - started


def pick_post(index_dir: Path) -> str:
    """The path of the indexed post in the middle of the manifest's sorted list (the same every run)."""
    manifest = storage.read_manifest(current_generation_dir(index_dir), posts=True)
    indexed = sorted(p for p, entry in manifest["posts"].items() if not entry.get("hidden"))
    if not indexed:
        raise BenchError("The index holds no post to change.")
    return indexed[len(indexed) // 2]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        fail(exc)
    except KeyboardInterrupt:
        sys.exit(130)
