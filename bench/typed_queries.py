"""Queries typed as questions, or with a word for the kind of post wanted, against plain BM25.

``searchsvc eval`` asks for a post by words of it. Readers also wrap those words in a
question ("how do I ...", "what is ...") or add what kind of post they want ("... tutorial",
"... explained"), words the post wanted may not have. This script takes the eval's
title-words and passage queries of a blog (the same seeded sample) and asks each as typed,
then with each of those framings, of searchsvc and of the eval's plain BM25 baseline, and
prints MRR@10 side by side:

    .venv/bin/python bench/typed_queries.py --content ../shared/corpus/nodejs-blog [--limit 400]

The blog's language comes from the settings, as for ``searchsvc eval``
(``SEARCHSVC_LANGUAGE``); the framings are English. Needs the eval extra (tantivy).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

from searchsvc.config import Settings
from searchsvc.evaluate import DEFAULT_SEED, baseline_ranker, make_cases, posts_of, service_ranker
from searchsvc.indexer import reindex
from searchsvc.search import SearchIndex

#: (how it is shown, the text before the words, the text after them).
FRAMINGS = (
    ("as typed", "", ""),
    ("how do i ...", "how do i ", ""),
    ("how to ...", "how to ", ""),
    ("what is ...", "what is ", ""),
    ("why does my ...", "why does my ", ""),
    ("... tutorial", "", " tutorial"),
    ("... example", "", " example"),
    ("... explained", "", " explained"),
)
KINDS = ("title words", "passage")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True, help="the blog's folder of posts")
    parser.add_argument("--limit", type=int, default=400, help="posts the queries are made from (default 400)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="searchsvc-typed-") as tmp:
        settings = Settings.from_env(content_dir=args.content, index_dir=Path(tmp) / "index")
        reindex(settings, full=True, workers=os.cpu_count() or 1)
        index = SearchIndex(settings.index_dir)
        try:
            posts = posts_of(index)
            rng = random.Random(DEFAULT_SEED)
            chosen = sorted(posts, key=lambda p: p.id)
            if args.limit < len(chosen):
                chosen = sorted(rng.sample(chosen, args.limit), key=lambda p: p.id)
            cases = [c for c in make_cases(chosen, rng) if c.kind in KINDS]
            service, baseline = service_ranker(index), baseline_ranker(posts)
            print(f"{args.content}: {len(chosen)} posts; MRR@10, searchsvc / plain BM25")
            print(f"{'framing':18}" + "".join(f"{kind + f' ({sum(c.kind == kind for c in cases)})':>26}" for kind in KINDS))
            for name, before, after in FRAMINGS:
                row = []
                for kind in KINDS:
                    asked = [(before + c.query.lower() + after, c.post_id) for c in cases if c.kind == kind]
                    row.append(f"{_mrr(service, asked):.3f} / {_mrr(baseline, asked):.3f}")
                print(f"{name:18}" + "".join(f"{cell:>26}" for cell in row), flush=True)
        finally:
            index.close()
    return 0


def _mrr(ranker, asked) -> float:
    total = 0.0
    for query, wanted in asked:
        ids = [post_id for post_id, _anchor in ranker(query)[:10]]
        total += 1 / (ids.index(wanted) + 1) if wanted in ids else 0.0
    return total / max(len(asked), 1)


if __name__ == "__main__":
    sys.exit(main())
