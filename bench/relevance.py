"""Known-item relevance on the real blogs in ../shared/corpus.

For every indexed post, queries a reader might type to find it, and whether the
post comes back where it should:

  exact title        the whole title                               -> first
  title words        its 2-3 rarest title words, in title order    -> top 3
  section heading    the text of a heading found in no other post  -> top 3, with that
                     (posts without such a heading are left out)       heading's anchor first
  typo               the title with one typo in a word of 5+ letters -> top 5
  typing             the title cut mid-word (at least one whole word  -> top 5
                     typed, then half of the next one)

Queries are generated with a fixed seed, so runs are comparable.

    .venv/bin/python bench/relevance.py                 # both blogs
    .venv/bin/python bench/relevance.py --corpus react --misses 10
    .venv/bin/python bench/relevance.py --index-cache /tmp/relevance-ix   # reuse builds
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searchsvc.config import Settings  # noqa: E402
from searchsvc.indexer import reindex  # noqa: E402
from searchsvc.schema import STOP, title_key  # noqa: E402
from searchsvc.search import SearchIndex, SearchRequest  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BLOGS = {"nodejs": "nodejs-blog", "react": "react-blog"}
TARGETS = {"exact title": 0.98, "title words": 0.90, "section heading": 0.85, "typo": 0.85, "typing": 0.85}
TOP = {"exact title": 1, "title words": 3, "section heading": 3, "typo": 5, "typing": 5}
SEED = 20261123


@dataclass
class Post:
    id: str
    title: str
    headings: list[tuple[str, str]]  # (heading, anchor)


@dataclass
class Case:
    kind: str
    post: Post
    query: str
    anchor: str = ""


@dataclass
class Tally:
    n: int = 0
    ok: int = 0
    misses: list[str] = field(default_factory=list)


def load_posts(index: SearchIndex) -> list[Post]:
    with index.searcher() as (_snap, searcher):
        posts = []
        for stored in searcher.all_stored_fields():
            meta = stored.get("meta") or {}
            headings = [(h, a) for h, a, level, *_rest in meta.get("sections") or () if a and level >= 2]
            posts.append(Post(stored["id"], meta.get("title") or stored.get("title", ""), headings))
    return sorted(posts, key=lambda p: p.id)


def words(text: str) -> list[str]:
    return re.findall(r"[\w.]+(?<!\.)", text)


def typo(word: str, rng: random.Random) -> str:
    """One edit (substitute, delete, insert, transpose), never on the first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["substitute", "delete", "insert", "transpose"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "substitute":
        return word[:i] + rng.choice([c for c in letters if c != word[i].lower()]) + word[i + 1 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :] if word[i] != word[i + 1] else word[:i] + word[i + 1 :]


def make_cases(posts: list[Post], index: SearchIndex, rng: random.Random) -> list[Case]:
    title_counts = Counter(title_key(p.title) for p in posts)
    heading_counts = Counter(title_key(h) for p in posts for h, _ in p.headings)
    with index.searcher() as (_snap, searcher):
        reader = searcher.reader()
        analyzer = searcher.schema["title"].analyzer

        def rarity(word: str) -> int:
            stems = [t.text for t in analyzer(word, mode="query")]
            return min((reader.doc_frequency("title", s) for s in stems), default=10**9)

        cases = []
        for post in posts:
            if not post.title or title_counts[title_key(post.title)] > 1:
                continue  # two posts with one title: no query can tell them apart
            cases.append(Case("exact title", post, post.title))
            ws = [w for w in words(post.title) if w.lower() not in STOP and len(w) > 1]
            if ws:
                k = min(len(ws), rng.choice([2, 3]))
                rarest = sorted(ws, key=lambda w: (rarity(w), -len(w)))[:k]
                cases.append(Case("title words", post, " ".join(w for w in ws if w in rarest)))
            unique = [(h, a) for h, a in post.headings if heading_counts[title_key(h)] == 1 and len(h.split()) >= 2]
            if unique:
                h, a = rng.choice(unique)
                cases.append(Case("section heading", post, h, a))
            long_words = [w for w in words(post.title) if len(w) >= 5 and w.isalpha()]
            if long_words:
                w = rng.choice(long_words)
                cases.append(Case("typo", post, re.sub(rf"\b{re.escape(w)}\b", typo(w, rng), post.title, count=1)))
            spans = [m for m in re.finditer(r"\w+", post.title)]
            later = [m for m in spans[1:] if len(m.group()) >= 3]
            if later:
                m = rng.choice(later)
                cut = m.start() + max(2, len(m.group()) // 2)
                cases.append(Case("typing", post, post.title[:cut]))
    return cases


def run(blog: str, index_dir: Path, misses: int) -> dict[str, Tally]:
    content = CORPUS / BLOGS[blog]
    started = time.monotonic()
    summary = reindex(Settings(content_dir=content, index_dir=index_dir), workers=2)
    print(f"{blog}: {summary.total} posts indexed ({'full' if summary.full else 'incremental'}, "
          f"{time.monotonic() - started:.1f} s)", file=sys.stderr)
    index = SearchIndex(index_dir)
    try:
        posts = load_posts(index)
        cases = make_cases(posts, index, random.Random(SEED))
        tallies: dict[str, Tally] = {kind: Tally() for kind in TARGETS}
        started = time.monotonic()
        for case in cases:
            response = index.search(SearchRequest(q=case.query, per_page=TOP[case.kind]))
            ids = [h.id for h in response.results]
            ok = case.post.id in ids
            if ok and case.kind == "section heading":
                hit = response.results[ids.index(case.post.id)]
                ok = bool(hit.sections) and hit.sections[0].anchor == case.anchor
            tally = tallies[case.kind]
            tally.n += 1
            tally.ok += ok
            if not ok and len(tally.misses) < misses:
                got = ids[0] if ids else "nothing"
                tally.misses.append(f"{case.query!r} -> wanted {case.post.id} {case.anchor}, got {got}")
        elapsed = time.monotonic() - started
        print(f"{blog}: {len(cases)} queries in {elapsed:.1f} s ({1000 * elapsed / max(1, len(cases)):.1f} ms each)",
              file=sys.stderr)
        return tallies
    finally:
        index.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["nodejs", "react", "both"], default="both")
    parser.add_argument("--misses", type=int, default=0, help="show up to N misses per kind")
    parser.add_argument("--index-cache", type=Path, help="keep indexes here between runs (reindexed incrementally)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"The corpus is not at {CORPUS}; nothing to measure.", file=sys.stderr)
        return 2
    blogs = ["nodejs", "react"] if args.corpus == "both" else [args.corpus]
    results = {}
    with tempfile.TemporaryDirectory(prefix="searchsvc-relevance-") as tmp:
        for blog in blogs:
            base = args.index_cache or Path(tmp)
            results[blog] = run(blog, base / blog, args.misses)
    failed = False
    print(f"\n{'blog':8} {'query kind':16} {'queries':>8} {'found':>8} {'rate':>7} {'target':>7}  result")
    for blog, tallies in results.items():
        for kind, t in tallies.items():
            rate = t.ok / t.n if t.n else 0.0
            passed = rate >= TARGETS[kind]
            failed |= not passed
            print(f"{blog:8} {kind:16} {t.n:8} {t.ok:8} {rate:7.1%} {TARGETS[kind]:7.0%}  "
                  f"{'PASS' if passed else 'FAIL'} (top {TOP[kind]})")
    for blog, tallies in results.items():
        for kind, t in tallies.items():
            for miss in t.misses:
                print(f"  miss [{blog} {kind}] {miss}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
