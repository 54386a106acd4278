"""Version numbers as readers type them, against plain BM25: a release line ("node 18"), a
minor line ("node 18.18"), and a minor line typed with spaces for its dots ("node 18 18").

``searchsvc eval`` asks for one post; a reader who types a version wants every post of
it. For each line of the versions the blog's titles name ("Node.js 18.20.7 (LTS)": the
lines 18 and 18.20) that at least two titles name, this asks the word before the version
in the titles ("node" of "Node.js", "rust" of "Announcing Rust 1.75.0") and the line,
typed whole ("node 18 ", "node 18.20 ", "node 18 20 "), of searchsvc and of the eval's
plain BM25 baseline, and prints per kind the mean precision: the share of the first
ten results (or of as many as the line has posts, if fewer) whose title names a version of
that line, or the line's number as a word ("Node.js 18 is now available!").

    .venv/bin/python bench/version_queries.py --content ../shared/corpus/nodejs-blog

A blog whose titles name no versions has no such queries (the script says so). The blog's
language comes from the settings, as for ``searchsvc eval``. Needs the eval extra (tantivy).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from searchsvc.config import Settings
from searchsvc.evaluate import baseline_ranker, posts_of, service_ranker
from searchsvc.indexer import ReindexError, reindex
from searchsvc.search import SearchIndex

#: A version in a title: numbers joined by dots, maybe after a "v".
VERSION = re.compile(r"(?<![\w.])[vV]?([0-9]+(?:\.[0-9]+)+)(?![\w.])")
#: The word before a version in a title, as a reader types it ("Node.js": "node").
WORD_BEFORE = re.compile(r"([^\W\d_]+)[\w.]*\s+$")
DEPTH = 10


def lines_of(title: str) -> list[str]:
    """The lines of the versions ``title`` names: "18.20.7" is of 18 and 18.20."""
    out = []
    for m in VERSION.finditer(title):
        numbers = m.group(1).split(".")
        out += [".".join(numbers[:n]) for n in (1, 2)]
    return out


def of_line(title: str, line: str) -> bool:
    """Whether ``title`` names a version of ``line``, or its number as a word."""
    if line in lines_of(title):
        return True
    return "." not in line and re.search(rf"(?<![\w.]){re.escape(line)}(?![\w.])", title) is not None


def queries(titles: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """By kind, (query, line) of each line at least two titles name."""
    having: dict[str, set[str]] = defaultdict(set)
    before_words: dict[str, Counter] = defaultdict(Counter)
    for post_id, title in titles.items():
        for m in VERSION.finditer(title):
            before = WORD_BEFORE.search(title[:m.start()])
            for line in lines_of(m.group()):
                having[line].add(post_id)
                if before:
                    before_words[line][before.group(1).lower()] += 1
    out: dict[str, list[tuple[str, str]]] = {"release line": [], "minor line": [], "minor line, spaces for dots": []}
    for line, ids in sorted(having.items()):
        if len(ids) < 2 or not before_words[line]:
            continue
        word = before_words[line].most_common(1)[0][0]
        if "." in line:
            out["minor line"].append((f"{word} {line} ", line))
            out["minor line, spaces for dots"].append((f"{word} {line.replace('.', ' ')} ", line))
        else:
            out["release line"].append((f"{word} {line} ", line))
    return out


def precision(ranker, asked: list[tuple[str, str]], titles: dict[str, str]) -> float:
    total = 0.0
    for query, line in asked:
        relevant = sum(of_line(title, line) for title in titles.values())
        depth = min(DEPTH, relevant)
        found = [post_id for post_id, _anchor in ranker(query)[:depth]]
        total += sum(of_line(titles.get(post_id, ""), line) for post_id in found) / depth
    return total / max(len(asked), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True, help="the blog's folder of posts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="searchsvc-versions-") as tmp:
        settings = Settings.from_env(content_dir=args.content, index_dir=Path(tmp) / "index")
        try:
            reindex(settings, full=True, workers=os.cpu_count() or 1)
        except ReindexError as error:
            print(error, file=sys.stderr)
            return 2
        index = SearchIndex(settings.index_dir)
        try:
            posts = posts_of(index)
            titles = {p.id: p.title for p in posts}
            asked = queries(titles)
            if not any(asked.values()):
                print(f"{args.content}: no two titles name a version of one line; nothing to ask")
                return 0
            service, baseline = service_ranker(index), baseline_ranker(posts)
            print(f"{args.content}: {len(posts)} posts; precision of the first {DEPTH}, searchsvc / plain BM25")
            print()
            print(f"{'kind':30}{'queries':>9}{'precision':>20}")
            for kind, these in asked.items():
                if these:
                    print(f"{kind:30}{len(these):9}"
                          f"{precision(service, these, titles):>11.3f} / {precision(baseline, these, titles):.3f}",
                          flush=True)
        finally:
            index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
