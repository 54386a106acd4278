"""Known-item evaluation: the queries a reader types to find a post they know, asked of the
service and of a plain BM25 baseline built from the same posts in the same run.

Queries are made from the blog's own posts with a seeded random generator, so two runs on
the same posts ask the same queries. For each kind of query the report gives success@1,
@3 and @5 (the post among the first 1, 3, 5 results) and MRR@10 (1/rank, 0 past rank 10),
for the service and for the baseline, with example misses. ``searchsvc eval`` exits
non-zero when the service's MRR@10 is below the baseline's on any kind.

The baseline is what a plain full-text index gives with default settings: tantivy (an
optional extra, ``pip install searchsvc[eval]``), titles and text in two fields, its
default tokenizer, and the query's words ORed together.

Kinds of query (each made only where the post allows it):

- ``exact title``: the whole title (titles two posts share are left out);
- ``title words``: 2-3 of the title's rarest words, in title order;
- ``heading``: a heading no other post has; the service must also give its anchor as the
  first section link;
- ``title typo``: the title with one typo (substitute, delete, insert, swap) in a word of 5+ letters;
- ``title cut``: the title cut in the middle of a word after at least one whole word;
- ``title cut at stop word``: the title cut just after the first letter of a stop word
  that follows its first word ("Four years o" for "Four years of Go");
- (for both cuts, a cut that begins another post's title too is left for another cut of
  the same title, or no query: "Weekly Update - M" begins thirteen titles, and no ranking
  can tell which the reader means);
- ``code identifier``: a name from the post's code (6+ characters, in at most 2 posts,
  camelCase, snake_case or dotted where it has such names; never a hash or checksum);
- ``words typo``: 2-3 words found in at most 3 posts, one of them with a typo;
- ``words cut``: 2-3 such words, the last cut to half (at least 3 letters);
- ``passage``: the three rarest words of one sentence of the post, in order;
- ``CJK word``: 2-4 Chinese, Japanese or Korean characters of one script (Han, Katakana or
  Hangul) from the post's text, found in at most 3 posts, as a reader types a word of a
  language written without spaces.

Posts with the same title and text (one page under two names) are one answer: a query
finds the post when it finds its twin (see :func:`twins_of`).

A query longer than the service searches (a title of more than MAX_QUERY_TERMS words, say,
of which the service searches the first) is cut to its first words that fit, and both the
service and the baseline are asked that.
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .config import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from .query import SearchRequest, SearchRequestError, parse_query, split_last_word
from .schema import STOP, WORD_PATTERN, is_noise, title_key
from .search import SearchIndex

KINDS = (
    "exact title",
    "title words",
    "heading",
    "title typo",
    "title cut",
    "title cut at stop word",
    "code identifier",
    "words typo",
    "words cut",
    "passage",
    "CJK word",
)
TITLE_KINDS = frozenset({"exact title", "title words", "title typo", "title cut", "title cut at stop word"})
#: Ranks counted by success@k, and the depth of MRR.
SUCCESS_AT = (1, 3, 5)
MRR_DEPTH = 10
DEFAULT_SEED = 20261204

#: Words as a reader types them, as the index reads them: dotted names and versions whole
#: ("Node.js", "v0.10.11").
_WORD = re.compile(WORD_PATTERN)
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")
#: Runs of one script written without spaces: Han (with 々), Katakana (with ー), Hangul.
ONE_SCRIPT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]{2,}|[\u30a0-\u30ff]{2,}|[\uac00-\ud7af]{2,}")


class EvalUnavailable(RuntimeError):
    """The baseline cannot be built here (tantivy is not installed); the message says how to get it."""


@dataclass(frozen=True)
class EvalPost:
    id: str
    title: str
    #: (heading, anchor) of each section that starts at a heading of level 2 or deeper.
    headings: tuple[tuple[str, str], ...]
    body: str
    code: str
    description: str = ""


@dataclass(frozen=True)
class Case:
    kind: str
    post_id: str
    query: str
    #: For a heading: the anchor the service must give as the first section.
    anchor: str = ""


@dataclass
class Tally:
    """Ranks of the wanted post for one kind of query (None: not in the first MRR_DEPTH)."""

    ranks: list[int | None] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def success(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / len(self.ranks) if self.ranks else 0.0

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r is not None and r <= MRR_DEPTH) / len(self.ranks) if self.ranks else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": len(self.ranks),
            **{f"success@{k}": round(self.success(k), 4) for k in SUCCESS_AT},
            f"mrr@{MRR_DEPTH}": round(self.mrr, 4),
        }


@dataclass
class Report:
    service: dict[str, Tally]
    baseline: dict[str, Tally]
    posts: int
    seed: int

    @property
    def below_baseline(self) -> list[str]:
        """The kinds on which the service's MRR@10 is below the baseline's."""
        return [k for k in KINDS if self.service[k].ranks and self.service[k].mrr < self.baseline[k].mrr - 1e-9]

    def to_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "seed": self.seed,
            "kinds": {
                k: {
                    "service": self.service[k].to_dict(),
                    "baseline": self.baseline[k].to_dict(),
                    "misses": self.service[k].misses,
                }
                for k in KINDS
            },
            "below_baseline": self.below_baseline,
        }


# ---------------------------------------------------------------------------
# Making queries


def words(text: str) -> list[str]:
    """The words of ``text`` as a reader sees them.

    >>> words("Node.js v18.2: what's new?")
    ['Node.js', 'v18.2', 'what', 's', 'new']
    """
    return [m.group() for m in _WORD.finditer(text)]


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one edit (substitute, delete, insert or swap), never of its first letter.

    >>> typo("release", random.Random(1)) != "release"
    True
    """
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["substitute", "delete", "insert", "swap"])
    if kind == "substitute":
        return word[:i] + rng.choice([c for c in letters if c != word[i].lower()]) + word[i + 1 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    if word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


class _Rarity:
    """In how many posts each word (lower-cased) occurs: in titles, and anywhere."""

    def __init__(self, posts: Sequence[EvalPost]):
        self.titles = Counter(w for p in posts for w in {w.lower() for w in words(p.title)})
        self.anywhere = Counter(
            w for p in posts for w in {w.lower() for w in words(" ".join((p.title, p.description, p.body, p.code)))}
        )
        self.code = Counter(n for p in posts for n in set(_IDENTIFIER.findall(p.code)))
        self._texts = [" ".join((p.title, p.description, p.body)) for p in posts]
        self.count_sentences(posts)
        #: Every post's title as :func:`title_key` reduces it, in order (see titles_beginning).
        self.title_keys = sorted(title_key(p.title) for p in posts)

    def titles_beginning(self, text: str) -> int:
        """How many posts' titles begin with ``text`` (as title_key reduces both)."""
        key = title_key(text)
        lo = bisect.bisect_left(self.title_keys, key)
        return bisect.bisect_left(self.title_keys, key + "\U0010ffff", lo) - lo

    def count_sentences(self, posts: Sequence[EvalPost]) -> None:
        """Count in how many of ``posts`` each sentence occurs (see :func:`_sentences`)."""
        self.sentences = Counter(s for p in posts for s in {tuple(ws) for ws in _sentences(p.body)})

    def posts_with(self, piece: str) -> int:
        """In how many posts ``piece`` occurs as written (for pieces of text without spaces)."""
        return sum(1 for text in self._texts if piece in text)


def _content_word(word: str) -> bool:
    return word.lower() not in STOP and len(word) > 1


def make_cases(posts: Sequence[EvalPost], rng: random.Random, every: Sequence[EvalPost] = ()) -> list[Case]:
    """Known-item queries for ``posts``, the same for the same posts and generator state.
    ``every``: all the blog's posts, when ``posts`` are some of them (a title cut must begin
    no other title of the blog)."""
    rarity = _Rarity(posts)
    if every:
        rarity.title_keys = sorted(title_key(p.title) for p in every)
        rarity.count_sentences(every)
    title_counts = Counter(title_key(p.title) for p in posts)
    heading_counts = Counter(title_key(h) for p in posts for h, _ in p.headings)
    cases: list[Case] = []
    for post in sorted(posts, key=lambda p: p.id):
        for kind in KINDS:
            if kind in TITLE_KINDS and (not post.title or title_counts[title_key(post.title)] > 1):
                continue  # two posts with one title: no query can tell them apart
            if kind == "heading":
                case = _heading(post, heading_counts, rng)
            else:
                query = _MAKERS[kind](post, rarity, rng)
                case = Case(kind, post.id, fit(query)) if query else None
            if case is not None and case.query.strip():
                cases.append(case)
    return cases


def fit(query: str) -> str:
    """``query`` cut to its first words that the service searches (characters and words).

    >>> fit(" ".join(f"w{i}" for i in range(40))).split()[-1]
    'w31'
    """
    query = query[:MAX_QUERY_CHARS]
    while len(split_last_word(parse_query(query)).clauses) > MAX_QUERY_TERMS:
        cut = query.rstrip().rfind(" ")
        if cut <= 0:
            return ""
        query = query[:cut]
    return query


def _exact_title(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    return post.title


def _title_words(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    ws = [w for w in words(post.title) if _content_word(w)]
    if len(ws) < 2:
        return None
    k = min(len(ws), rng.choice([2, 3]))
    rarest = set(sorted(ws, key=lambda w: (rarity.titles[w.lower()], -len(w)))[:k])
    return " ".join(w for w in ws if w in rarest)


def _title_typo(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    long_words = [m for m in _WORD.finditer(post.title) if len(m.group()) >= 5 and m.group().isalpha()]
    if not long_words:
        return None
    m = rng.choice(long_words)
    return post.title[: m.start()] + typo(m.group(), rng) + post.title[m.end() :]


def _title_cut(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    later = [m for m in list(_WORD.finditer(post.title))[1:] if len(m.group()) >= 3]
    if not later:
        return None
    return _telling_cut(post, rarity, later, rng.choice(later), lambda m: m.start() + max(2, len(m.group()) // 2))


def _title_cut_at_stop_word(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    stops = [m for m in list(_WORD.finditer(post.title))[1:] if m.group().lower() in STOP and len(m.group()) >= 2]
    if not stops:
        return None
    return _telling_cut(post, rarity, stops, rng.choice(stops), lambda m: m.start() + 1)


def _telling_cut(post: EvalPost, rarity: _Rarity, words: list[re.Match], chosen: re.Match,
                 end: Callable[[re.Match], int]) -> str | None:
    """The title cut at ``end`` of the ``chosen`` word when that begins no other post's title,
    else at the first of the other ``words`` where it begins none (None when there is no such
    cut). The generator's draws are the same either way: the other kinds' queries stay."""
    for m in [chosen, *(w for w in words if w is not chosen)]:
        cut = post.title[: end(m)]
        if rarity.titles_beginning(cut) <= 1:
            return cut
    return None


def _code_identifier(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    # Not hashes and checksums: nobody types those (the index leaves them out, see schema.is_noise).
    names = sorted(
        {n for n in _IDENTIFIER.findall(post.code)
         if len(n) >= 6 and rarity.code[n] <= 2 and n.lower() not in STOP and not is_noise(n)}
    )
    distinctive = [n for n in names if re.search(r"[a-z][A-Z]|_|\.", n)] or names
    return rng.choice(distinctive) if distinctive else None


def _distinctive(post: EvalPost, rarity: _Rarity, rng: random.Random, at_least: int) -> list[str]:
    candidates = sorted(
        {w for w in words(post.body) if w.isalpha() and len(w) >= at_least and _content_word(w)
         and rarity.anywhere[w.lower()] <= 3}
    )
    if len(candidates) < 2:
        return []
    return rng.sample(candidates, min(len(candidates), rng.choice([2, 3])))


def _words_typo(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    chosen = _distinctive(post, rarity, rng, 5)
    if not chosen:
        return None
    i = rng.randrange(len(chosen))
    chosen[i] = typo(chosen[i], rng)
    return " ".join(chosen)


def _words_cut(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    chosen = _distinctive(post, rarity, rng, 6)
    if not chosen:
        return None
    chosen[-1] = chosen[-1][: max(3, len(chosen[-1]) // 2)]
    return " ".join(chosen)


def _cjk_word(post: EvalPost, rarity: "_Rarity", rng: random.Random) -> str | None:
    runs = sorted({m.group() for m in ONE_SCRIPT.finditer(post.body)})
    if not runs:
        return None
    # A generator of its own, seeded by the post, so that the other kinds ask what they
    # asked before this kind existed.
    rng = random.Random(f"cjk:{post.id}")
    for run in rng.sample(runs, min(len(runs), 12)):
        if len(run) <= 4:
            piece = run
        else:
            size = rng.choice([2, 3, 4])
            at = rng.randrange(len(run) - size + 1)
            piece = run[at : at + size]
        if rarity.posts_with(piece) <= 3:
            return piece
    return None


def _sentences(body: str) -> list[list[str]]:
    """The sentences of ``body`` that a passage may come from: their content words, 6 or more."""
    found = []
    for m in _SENTENCE.finditer(body):
        ws = [w for w in words(m.group()) if w.isalpha() and _content_word(w)]
        if len(ws) >= 6:
            found.append(ws)
    return found


def _passage(post: EvalPost, rarity: _Rarity, rng: random.Random) -> str | None:
    sentences = _sentences(post.body)
    if not sentences:
        return None
    ws = rng.choice(sentences)
    if rarity.sentences[tuple(ws)] > 1:
        # A sentence other posts have too (a credit line, a notice each release repeats):
        # no query made of it can tell which post is meant.
        return None
    # Ties in order of the sentence (a set's order changes with the process: the queries would too).
    rarest = set(sorted(dict.fromkeys(ws), key=lambda w: (rarity.anywhere[w.lower()], -len(w)))[:3])
    picked: list[str] = []
    for w in ws:
        if w in rarest and w not in picked:
            picked.append(w)
    return " ".join(picked) if len(picked) == 3 else None


def _heading(post: EvalPost, counts: Counter, rng: random.Random) -> Case | None:
    unique = [(h, a) for h, a in post.headings if counts[title_key(h)] == 1 and len(words(h)) >= 2]
    if not unique:
        return None
    h, a = rng.choice(unique)
    return Case("heading", post.id, fit(h), a)


#: The makers of every kind but "heading" (see _heading), and the kinds made from a title.
_MAKERS: dict[str, Callable[[EvalPost, _Rarity, random.Random], str | None]] = {
    "exact title": _exact_title,
    "title words": _title_words,
    "title typo": _title_typo,
    "title cut": _title_cut,
    "title cut at stop word": _title_cut_at_stop_word,
    "code identifier": _code_identifier,
    "words typo": _words_typo,
    "words cut": _words_cut,
    "passage": _passage,
    "CJK word": _cjk_word,
}


# ---------------------------------------------------------------------------
# Asking


#: A function that answers a query with post ids, best first (at most MRR_DEPTH), and for
#: the service the first section's anchor of each.
Ranker = Callable[[str], list[tuple[str, str]]]


def twins_of(posts: Iterable[EvalPost]) -> dict[str, str]:
    """For each post that has the same title and text as another (one page published under
    two names: ``xzmore`` and ``lzmore``), the first of them by id; no query tells them apart.

    >>> a, b = EvalPost("a", "T", (), "text", ""), EvalPost("b", "T", (), "text", "")
    >>> twins_of([a, b, EvalPost("c", "T", (), "other", "")])
    {'a': 'a', 'b': 'a'}
    """
    first: dict[tuple[str, str, str], str] = {}
    twins: dict[str, str] = {}
    for post in sorted(posts, key=lambda p: p.id):
        key = (title_key(post.title), post.body, post.code)
        if key in first:
            twins[first[key]] = first[key]
            twins[post.id] = first[key]
        else:
            first[key] = post.id
    return twins


def score(cases: Iterable[Case], ranker: Ranker, *, check_anchor: bool, misses: int = 3,
          twins: dict[str, str] | None = None) -> dict[str, Tally]:
    """The rank of each case's post in ``ranker``'s answers, kind by kind; a post's twin
    (see :func:`twins_of`) found first counts as the post."""
    twins = twins or {}
    tallies = {kind: Tally() for kind in KINDS}
    for case in cases:
        answers = ranker(case.query)
        rank = None
        wanted = twins.get(case.post_id, case.post_id)
        for i, (post_id, anchor) in enumerate(answers[:MRR_DEPTH], start=1):
            if twins.get(post_id, post_id) == wanted:
                if not (check_anchor and case.anchor and anchor != case.anchor):
                    rank = i
                break
        tally = tallies[case.kind]
        tally.ranks.append(rank)
        if (rank is None or rank > 3) and len(tally.misses) < misses:
            got = answers[0][0] if answers else "nothing"
            where = f"at {rank}" if rank else "not in the first 10"
            tally.misses.append(f"{case.query!r}: {case.post_id}{' #' + case.anchor if case.anchor else ''} {where}; first: {got}")
    return tallies


def baseline_ranker(posts: Sequence[EvalPost]) -> Ranker:
    """Plain BM25 over the same posts: tantivy with default settings, the query's words ORed.

    :raise EvalUnavailable: when tantivy is not installed.
    """
    try:
        import tantivy
    except ImportError:
        raise EvalUnavailable(
            "The baseline needs tantivy; install it with `pip install 'searchsvc[eval]'`."
        ) from None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title")
    builder.add_text_field("body")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for post in posts:
        headings = " ".join(h for h, _ in post.headings)
        writer.add_document(tantivy.Document(
            id=post.id, title=post.title, body="\n".join((post.description, headings, post.body, post.code))
        ))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def ranker(query: str) -> list[tuple[str, str]]:
        # As tantivy's default tokenizer splits text: runs of letters and digits, lower-cased.
        terms = [w for w in re.findall(r"[^\W_]+", query.lower()) if len(w) <= 40]
        if not terms:
            return []
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, f, t)) for t in terms for f in ("title", "body")]
        found = searcher.search(tantivy.Query.boolean_query(clauses), MRR_DEPTH).hits
        return [(searcher.doc(address)["id"][0], "") for _score, address in found]

    return ranker


def posts_of(index: SearchIndex) -> list[EvalPost]:
    """Every post of the index, as the evaluation needs it (from its stored fields)."""
    posts = []
    with index.searcher() as (snap, searcher):
        for docnum in searcher.reader().all_doc_ids():
            stored = snap.stored_fields(searcher, docnum)
            meta = stored.get("meta") or {}
            headings = tuple((h, a) for h, a, level, *_rest in meta.get("sections") or () if a and level >= 2)
            posts.append(EvalPost(
                id=stored["id"],
                title=meta.get("title") or stored.get("title", ""),
                headings=headings,
                body=stored.get("body", ""),
                code=stored.get("code", ""),
                description=meta.get("description") or "",
            ))
    return sorted(posts, key=lambda p: p.id)


def service_ranker(index: SearchIndex) -> Ranker:
    """The service as a reader's search box asks it: the first page of 10."""

    def ranker(query: str) -> list[tuple[str, str]]:
        try:  # (the cases are cut to what the service accepts already: see fit)
            response = index.search(SearchRequest(q=query, per_page=MRR_DEPTH))
        except SearchRequestError:  # a query the service refuses finds nothing
            return []
        return [(hit.id, hit.sections[0].anchor if hit.sections else "") for hit in response.results]

    return ranker


def evaluate(posts: Sequence[EvalPost], service: Ranker, *, seed: int = DEFAULT_SEED, limit: int | None = None,
             misses: int = 3) -> Report:
    """Make the queries for ``posts`` (for ``limit`` of them, drawn with ``seed``, when
    given) and rank them with ``service`` and with the baseline built over all ``posts``."""
    rng = random.Random(seed)
    chosen = sorted(posts, key=lambda p: p.id)
    if limit is not None and limit < len(chosen):
        chosen = sorted(rng.sample(chosen, limit), key=lambda p: p.id)
    cases = make_cases(chosen, rng, posts)
    # The baseline is built over every post, not only the chosen ones.
    baseline = baseline_ranker(posts)
    twins = twins_of(posts)
    return Report(
        service=score(cases, service, check_anchor=True, misses=misses, twins=twins),
        baseline=score(cases, baseline, check_anchor=False, misses=misses, twins=twins),
        posts=len(chosen),
        seed=seed,
    )


def format_report(report: Report) -> str:
    """The report as a table a person reads."""
    head = f"{'kind of query':24} {'queries':>7}  {'service s@1  s@3  s@5 MRR@10':>30}  {'baseline s@1  s@3  s@5 MRR@10':>31}"
    lines = [f"{report.posts} posts, seed {report.seed}", "", head]
    for kind in KINDS:
        s, b = report.service[kind], report.baseline[kind]
        if not s.ranks:
            lines.append(f"{kind:24} {0:7}  (no post allows this kind)")
            continue
        mark = "  below" if kind in report.below_baseline else ""
        lines.append(
            f"{kind:24} {len(s.ranks):7}  "
            f"{s.success(1):12.2f} {s.success(3):4.2f} {s.success(5):4.2f} {s.mrr:6.3f}  "
            f"{b.success(1):13.2f} {b.success(3):4.2f} {b.success(5):4.2f} {b.mrr:6.3f}{mark}"
        )
    examples = [(k, m) for k in KINDS for m in report.service[k].misses]
    if examples:
        lines += ["", "Examples the service ranks below 3:"]
        lines += [f"  [{kind}] {miss}" for kind, miss in examples]
    below = report.below_baseline
    lines += ["", f"Below the baseline on: {', '.join(below)}." if below else "At or above the baseline on every kind."]
    return "\n".join(lines)
