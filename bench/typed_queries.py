"""Queries typed as people type them, against plain BM25: framed as questions, with a word
for the kind of post wanted, or typed with the slips and habits of a search box.

``searchsvc eval`` asks for a post by words of it. Readers also wrap those words in a
question ("how do I ...", "what is ...") or add what kind of post they want ("... tutorial",
"... explained"), words the post wanted may not have; and they type them in their own way:
the first two letters of a word swapped, a slip in the word being typed, the words in
another order, without the title's punctuation, with a word the post does not have, with a
word in another form of it ("install" for "installing"), without the letters' accents
("configuracion"), with a space after the last word, with the blog's name before them
("react ..."), with a word typed as two, as other posts write it ("web site"), or two as one
("eventloop" for "event loop"). This script takes
the eval's exact-title, title-words and passage queries of a blog (the same seeded sample)
and asks each of them so, of searchsvc and of the eval's plain BM25 baseline, and prints
MRR@10 side by side:

    .venv/bin/python bench/typed_queries.py --content ../shared/corpus/nodejs-blog [--limit 400] [--seed N]

The blog's language comes from the settings, as for ``searchsvc eval``
(``SEARCHSVC_LANGUAGE``); the framings are English (``--framing "cómo hacer"`` adds one in the
blog's language: the words before the query). ``--seed`` draws other queries, as the eval's
does: a ranking tuned on one draw is checked on another. As in the eval, a page published under
two names (the man pages' ``xzless`` and ``lzless``: the same title and text) counts as
found when either is. Needs the eval extra (tantivy).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable

from searchsvc.config import Settings
from searchsvc.evaluate import (
    DEFAULT_SEED, ONE_SCRIPT, baseline_ranker, make_cases, posts_of, service_ranker, twins_of, typo, words,
)
from searchsvc.indexer import reindex
from searchsvc.languages import LIGATURES, has_cjk, has_stemmer, stem, stop_words
from searchsvc.search import SearchIndex

#: (how it is shown, the text before the words, the text after them).
FRAMINGS = (
    ("as typed", "", ""),
    ("how do i ...", "how do i ", ""),
    ("how to ...", "how to ", ""),
    ("how to use ...", "how to use ", ""),
    ("what is ...", "what is ", ""),
    ("why does my ...", "why does my ", ""),
    ("... tutorial", "", " tutorial"),
    ("... example", "", " example"),
    ("... explained", "", " explained"),
)
KINDS = ("title words", "passage")

#: A way of typing a query: (query, the post's words, a generator) -> the query so typed,
#: or None where it does not apply (no word long enough, say).
Variant = Callable[[str, set, random.Random], "str | None"]


def _swap_start(query: str, _post_words: set, rng: random.Random) -> str | None:
    """The first two letters of one word of 5+ letters swapped ("pugrade")."""
    ws = query.split()
    long = [i for i, w in enumerate(ws) if len(w) >= 5 and w.isalpha() and w[0].lower() != w[1].lower()]
    if not long:
        return None
    i = rng.choice(long)
    ws[i] = ws[i][1] + ws[i][0] + ws[i][2:]
    return " ".join(ws)


def _reversed(query: str, _post_words: set, _rng: random.Random) -> str | None:
    ws = query.split()
    return " ".join(reversed(ws)) if len(ws) > 1 else None


def _unpunctuated(query: str, _post_words: set, _rng: random.Random) -> str | None:
    """Lower case, punctuation typed as spaces ("node js 18 0 0 current")."""
    typed = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", query)).strip().lower()
    return typed if typed != query.lower() else None


def _joined(query: str, _post_words: set, _rng: random.Random) -> str | None:
    """Lower case, punctuation left out ("nodejs 1800 current")."""
    typed = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", query)).strip().lower()
    return typed if typed != query.lower() else None


def _two_typos(query: str, _post_words: set, rng: random.Random) -> str | None:
    """A typo in each of two words of 5+ letters (never in the first letter)."""
    ws = query.split()
    long = [i for i, w in enumerate(ws) if len(w) >= 5 and w.isalpha()]
    if len(long) < 2:
        return None
    for i in rng.sample(long, 2):
        ws[i] = typo(ws[i], rng)
    return " ".join(ws)


def _slip_while_typing(query: str, _post_words: set, rng: random.Random) -> str | None:
    """The last word (of 6+ letters) cut short, at 4 letters or more, with a typo in what was
    typed ("upgrade" as "ugpra"): a slip while the box searches as the reader types."""
    ws = query.split()
    if len(ws) < 2 or len(ws[-1]) < 6 or not ws[-1].isalpha():
        return None
    cut = ws[-1][: max(4, len(ws[-1]) // 2 + 1)]
    ws[-1] = typo(cut, rng)
    return " ".join(ws)


#: Latin letters readers type as other letters when they leave accents out ("kapali" for
#: "kapalı", "strasse" for "straße"); the others lose their marks (see _unaccented).
_PLAIN_LETTERS = {**LIGATURES, ord("Œ"): "OE", ord("Æ"): "AE", ord("ı"): "i", ord("ø"): "o", ord("Ø"): "O",
                  ord("ł"): "l", ord("Ł"): "L", ord("đ"): "d", ord("Đ"): "D"}


def _unaccented(query: str, _post_words: set, _rng: random.Random) -> str | None:
    """Latin letters typed without their accents ("configuracion", "kapali", "Gartenhauser"),
    as on a keyboard without them; other scripts as written (a kana's voicing marks are
    letters of their own)."""
    typed = "".join(_plain(ch) for ch in query.translate(_PLAIN_LETTERS))
    return typed if typed != query else None


def _plain(ch: str) -> str:
    """A Latin letter without its marks ("é": "e"); any other character as it is."""
    base, *marks = unicodedata.normalize("NFD", ch)
    return base if marks and base.isascii() and all(unicodedata.combining(m) for m in marks) else ch


def _space_after(query: str, _post_words: set, _rng: random.Random) -> str:
    """The query and a space after it: the box sends what is typed, and a reader who has
    typed the last word whole often types the space that would come before the next one (the
    last word is then whole, no longer the start of a longer one)."""
    return query + " "


def _other_word(vocabulary: list[str]) -> Variant:
    """One more word, of the blog's titles, that the post does not have (a word misremembered)."""

    def variant(query: str, post_words: set, rng: random.Random) -> str | None:
        for _ in range(50):
            word = rng.choice(vocabulary)
            if word not in post_words:
                return f"{query} {word}"
        return None

    return variant


def _cut_in_two(apart: dict[str, int]) -> Variant:
    """One word typed as the two words it is made of, where the blog also writes them apart
    or with a hyphen ("website" as "web site", "postmortem" as "post mortem"): a compound a
    reader writes as other posts do. ``apart``: see compounds."""

    def variant(query: str, _post_words: set, rng: random.Random) -> str | None:
        ws = query.split()
        able = [i for i, w in enumerate(ws) if w.lower() in apart]
        if not able:
            return None
        i = rng.choice(able)
        at = apart[ws[i].lower()]
        ws[i] = f"{ws[i][:at]} {ws[i][at:]}"
        return " ".join(ws)

    return variant


def _typed_as_one(apart: dict[str, int]) -> Variant:
    """Two words typed as the one word they make, where the blog also writes that word as
    one ("web site" as "website", "event loop" as "eventloop"): the reverse of _cut_in_two,
    a reader writing as other posts do. ``apart``: see compounds."""

    def variant(query: str, _post_words: set, rng: random.Random) -> str | None:
        ws = query.split()
        able = [i for i in range(len(ws) - 1) if apart.get((ws[i] + ws[i + 1]).lower()) == len(ws[i])]
        if not able:
            return None
        i = rng.choice(able)
        # (Typed as a word, not as a name in code: "Eventloop", not "EventLoop".)
        return " ".join((*ws[:i], ws[i] + ws[i + 1].lower(), *ws[i + 2:]))

    return variant


def compounds(posts, stops: frozenset[str]) -> dict[str, int]:
    """The words of 6+ letters the blog writes as one that it also writes as two, apart or
    with a hyphen, each of 3+ letters and no stop word ("website": "web site"), lower case,
    with where the second begins (the most even such cut)."""
    whole: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for post in posts:
        ws = [w.lower() for w in words(" ".join((post.title, post.body)))]
        whole.update(w for w in ws if len(w) >= 6 and w.isalpha())
        pairs.update(zip(ws, ws[1:]))
    found: dict[str, int] = {}
    # (In order, and the most even cut of a word that has two: the same queries every run.)
    for a, b in sorted(pairs):
        if len(a) >= 3 and len(b) >= 3 and a.isalpha() and b.isalpha() and a not in stops and b not in stops \
                and a + b in whole:
            word = a + b
            if word not in found or abs(len(word) - 2 * len(a)) < abs(len(word) - 2 * found[word]):
                found[word] = len(a)
    return found


def _other_form(forms: dict[str, str]) -> Variant:
    """One word typed in another form of it that the blog uses ("installing" as "install",
    "configuración" as "configurar"): a reader remembers what a post is about, not how it
    inflected each word. ``forms`` maps a word (lower case) to the commonest other word of
    the blog with the same stem (see other_forms)."""

    def variant(query: str, _post_words: set, rng: random.Random) -> str | None:
        ws = query.split()
        able = [i for i, w in enumerate(ws) if w.isalpha() and w.lower() in forms]
        if not able:
            return None
        i = rng.choice(able)
        ws[i] = forms[ws[i].lower()]
        return " ".join(ws)

    return variant


def other_forms(posts, lang: str) -> dict[str, str]:
    """For each word of 5+ letters of the blog (lower case), the commonest other word of it
    (5+ letters) that the language's stemmer gives the same stem, if any ("installing":
    "install"). Empty for a language without a stemmer."""
    if not has_stemmer(lang):
        return {}
    counts: dict[str, int] = {}
    for post in posts:
        for word in words(" ".join((post.title, post.body))):
            if len(word) >= 5 and word.isalpha():
                counts[word.lower()] = counts.get(word.lower(), 0) + 1
    by_stem: dict[str, list[str]] = {}
    for word in counts:
        by_stem.setdefault(stem(lang, word), []).append(word)
    forms = {}
    for group in by_stem.values():
        if len(group) > 1:
            for word in group:
                forms[word] = max((w for w in group if w != word), key=lambda w: (counts[w], w))
    return forms


def _with_word(word: str) -> Variant:
    """The blog's name, or what it is about, before the query ("react useOptimistic", "node
    streams"): readers add it, as they do in a web search, though the post wanted may not
    have it (see blog_word)."""

    def variant(query: str, _post_words: set, _rng: random.Random) -> str | None:
        return None if word in query.lower().split() else f"{word} {query}"

    return variant


def blog_word(posts, lang: str) -> str | None:
    """The word most of the blog's titles have (of 3+ letters, in a tenth of them at least,
    no stop word of ``lang`` or English: "react", "npm", "node"), lower case; None when none
    is so common."""
    stops = stop_words(lang) | stop_words("en")
    counts: dict[str, int] = {}
    for post in posts:
        for word in {w.lower() for w in words(post.title)}:
            if len(word) >= 3 and word.isalpha() and word not in stops:
                counts[word] = counts.get(word, 0) + 1
    best = max(counts, key=lambda w: (counts[w], w), default=None)
    return best if best is not None and counts[best] * 10 >= len(posts) else None


def title_words(posts) -> list[str]:
    """The words of the blog's titles a reader might add: words of 5+ letters, and in
    Chinese, Japanese or Korean a run of 2-4 characters of one script ("グループ", "修正"),
    not a whole run between spaces (half a sentence, "グループを修正する")."""
    found = set()
    for post in posts:
        for word in words(post.title):
            if has_cjk(word):
                found.update(m.group() for m in ONE_SCRIPT.finditer(word) if len(m.group()) <= 4)
            elif word.isalpha() and len(word) > 4:
                found.add(word.lower())
    return sorted(found)


def variants(vocabulary: list[str], forms: dict[str, str] | None = None, word: str | None = None,
             apart: dict[str, int] | None = None) -> tuple[tuple[str, tuple[str, ...], Variant], ...]:
    """(how it is shown, the kinds of query it applies to, the variant)."""
    return (
        ("first two letters swapped", ("exact title", "title words", "passage"), _swap_start),
        ("two typos", ("exact title",), _two_typos),
        ("a slip while typing", ("title words", "passage"), _slip_while_typing),
        ("words in reverse order", ("title words", "passage"), _reversed),
        ("punctuation as spaces", ("exact title",), _unpunctuated),
        ("punctuation left out", ("exact title",), _joined),
        ("without accents", ("exact title", "title words", "passage"), _unaccented),
        ("a space after the last word", ("exact title", "title words", "passage"), _space_after),
        ("a word the post lacks", ("title words", "passage"), _other_word(vocabulary)),
        *((("a word in another form", ("title words", "passage"), _other_form(forms)),) if forms else ()),
        *(((f"'{word}' before"[:27], ("title words", "passage"), _with_word(word)),) if word else ()),
        *((("a word typed in two", ("exact title", "title words", "passage"), _cut_in_two(apart)),
           ("two words typed as one", ("exact title", "title words", "passage"), _typed_as_one(apart)))
          if apart else ()),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True, help="the blog's folder of posts")
    parser.add_argument("--limit", type=int, default=400, help="posts the queries are made from (default 400)")
    parser.add_argument("--framing", action="append", default=[], metavar="WORDS",
                        help="one more framing: these words before the query (\"cómo hacer\"); may be repeated")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="seed of the queries and the slips (default: the eval's, the same every run)")
    args = parser.parse_args()
    framings = FRAMINGS + tuple((f"{words.strip()} ...", f"{words.strip()} ", "") for words in args.framing)
    with tempfile.TemporaryDirectory(prefix="searchsvc-typed-") as tmp:
        settings = Settings.from_env(content_dir=args.content, index_dir=Path(tmp) / "index")
        reindex(settings, full=True, workers=os.cpu_count() or 1)
        index = SearchIndex(settings.index_dir)
        try:
            posts = posts_of(index)
            rng = random.Random(args.seed)
            chosen = sorted(posts, key=lambda p: p.id)
            if args.limit < len(chosen):
                chosen = sorted(rng.sample(chosen, args.limit), key=lambda p: p.id)
            cases = make_cases(chosen, rng, posts)
            service, baseline = service_ranker(index), baseline_ranker(posts)
            # A page published under two names (its twin, see twins_of) found first counts, as in eval.
            twins = twins_of(posts)
            print(f"{args.content}: {len(chosen)} posts; MRR@10, searchsvc / plain BM25")
            print()
            print(f"{'framing':18}" + "".join(f"{kind + f' ({sum(c.kind == kind for c in cases)})':>26}" for kind in KINDS))
            for name, before, after in framings:
                row = []
                for kind in KINDS:
                    asked = [(before + c.query.lower() + after, c.post_id) for c in cases if c.kind == kind]
                    row.append(f"{_mrr(service, asked, twins):.3f} / {_mrr(baseline, asked, twins):.3f}")
                print(f"{name:18}" + "".join(f"{cell:>26}" for cell in row), flush=True)
            print()
            print(f"{'typed':28}{'kind':>14}{'queries':>9}{'as typed':>16}{'so':>16}")
            by_id = {p.id: p for p in posts}
            vocabulary = title_words(posts)
            forms = other_forms(posts, settings.language)
            stops = frozenset(stop_words(settings.language) | stop_words("en"))
            for name, kinds, variant in variants(vocabulary, forms, blog_word(posts, settings.language),
                                                 compounds(posts, stops)):
                typing = random.Random(f"{args.seed}:{name}")
                for kind in kinds:
                    plain, typed = [], []
                    for c in cases:
                        if c.kind != kind:
                            continue
                        post = by_id[c.post_id]
                        post_words = {w.lower() for w in words(" ".join((post.title, post.description, post.body)))}
                        query = variant(c.query, post_words, typing)
                        if query:
                            plain.append((c.query, c.post_id))
                            typed.append((query, c.post_id))
                    if typed:
                        print(f"{name:28}{kind:>14}{len(typed):9}"
                              f"{_mrr(service, plain, twins):>8.3f} / {_mrr(baseline, plain, twins):.3f}"
                              f"{_mrr(service, typed, twins):>8.3f} / {_mrr(baseline, typed, twins):.3f}", flush=True)
        finally:
            index.close()
    return 0


def _mrr(ranker, asked, twins: dict[str, str]) -> float:
    total = 0.0
    for query, wanted in asked:
        ids = [twins.get(post_id, post_id) for post_id, _anchor in ranker(query)[:10]]
        wanted = twins.get(wanted, wanted)
        total += 1 / (ids.index(wanted) + 1) if wanted in ids else 0.0
    return total / max(len(asked), 1)


if __name__ == "__main__":
    sys.exit(main())
