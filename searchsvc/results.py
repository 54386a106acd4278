"""Results: the posts of a page as plain objects, with the ``*_html`` fields made here (and only here)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from itertools import islice, repeat
from operator import itemgetter
from typing import Any, Iterator, Sequence

import numpy as np

from .postings import GenerationPostings
from .config import MAX_RESULT_DEPTH
from .snippets import SNIPPET_CHARS, Match, lead, mark, rank_sections, terms_worth
from .snippets import snippet as make_snippet
from .collect import Deadline, Outcome
from .query import CJK_WORD_CHARS, MAX_CJK_PAIRS, aside_terms, spread
from .snapshot import Snapshot, StoredPost
from .languages import CJK_CLASS, DEFAULT as DEFAULT_LANGUAGE, is_cjk, is_word
from .schema import JOINED_MARK, title_key, word_forms

#: Occurrences of one term considered for a snippet, and characters re-analysed for a fallback one.
MAX_MATCHES_PER_TERM = 200
#: ... and of one pair of CJK characters (common pairs occur hundreds of times in a post).
MAX_MATCHES_PER_PAIR = 50
#: ... and of each pair of a run of CJK words typed without spaces, where the text does not have the run whole.
MAX_MATCHES_PER_RUN_PAIR = 12
#: Sections listed per result; a section shorter than this does not provide the snippet.
MAX_SECTIONS = 3
MIN_SECTION_CHARS = 20
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")


@dataclass(frozen=True)
class SectionHit:
    heading: str
    anchor: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"heading": self.heading, "anchor": self.anchor, "url": self.url}


@dataclass(frozen=True)
class Hit:
    id: str
    url: str
    title: str
    title_html: str
    description: str
    date: str | None
    tags: tuple[str, ...]
    author: str
    authors: tuple[dict[str, str], ...]
    snippet_html: str
    score: float
    reading_minutes: int | None = None
    sections: tuple[SectionHit, ...] = ()
    #: The post's language (a code such as "en").
    lang: str = DEFAULT_LANGUAGE
    #: Put first by the blog's pins for this query (see :mod:`searchsvc.curation`).
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "title_html": self.title_html,
            "description": self.description,
            "date": self.date,
            "tags": list(self.tags),
            "author": self.author,
            "authors": [dict(a) for a in self.authors],
            "reading_minutes": self.reading_minutes,
            "snippet_html": self.snippet_html,
            "score": round(self.score, 4),
            "sections": [s.to_dict() for s in self.sections],
            "lang": self.lang,
            "pinned": self.pinned,
        }


@dataclass(frozen=True)
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    results: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    generation: int | None = None
    #: True when no post had every word and the results match only some of them.
    relaxed: bool = False
    #: A did-you-mean built from the index's words, when the query found little.
    corrected_query: str | None = None
    #: True when the original query found nothing and the results are for corrected_query.
    corrected: bool = False
    #: True when the query hit its time limit: the results are the best found in that time.
    partial: bool = False
    #: How many of the results (the first ones) have every word: ``total`` but when a few
    #: posts have every word and those with all but one follow them; 0 when relaxed.
    with_every_word: int = 0
    #: How many words of a query longer than MAX_QUERY_TERMS were left out: it is searched by
    #: its first words (and all its filters and excluded words); 0 for any other query.
    words_left_out: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_DEPTH) // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "took_ms": round(self.took_ms, 2),
            "results": [h.to_dict() for h in self.results],
            "facets": self.facets,
            "relaxed": self.relaxed,
            "with_every_word": self.with_every_word,
            "words_left_out": self.words_left_out,
            "corrected_query": self.corrected_query,
            "corrected": self.corrected,
            "partial": self.partial,
            "generation": self.generation,
        }


def summary(stored: dict[str, Any]) -> dict[str, Any]:
    meta = stored.get("meta") or {}
    authors = meta.get("authors") or []
    return {
        "id": stored["id"],
        "url": stored.get("url", ""),
        "title": meta.get("title", ""),
        "description": meta.get("description", ""),
        "date": meta.get("date"),
        "tags": list(meta.get("tags") or ()),
        "author": ", ".join(a["name"] for a in authors),
        "lang": meta.get("lang") or DEFAULT_LANGUAGE,
    }


# ---------------------------------------------------------------------------
# Highlighting: plain text in, escaped HTML with <mark> out


def shown_hits(searcher, snap: Snapshot, outcome: Outcome, deadline: Deadline | None = None) -> Iterator[Hit]:
    schema = searcher.schema
    matched = outcome.evaluator.terms_of([docnum for docnum, _ in outcome.page_hits])
    langs = snap.query_languages()
    offsets = _Offsets(searcher, matched, snap.postings, deadline, CjkWords.of(outcome.parsed), langs=langs)
    query_key = outcome.parsed.key
    # The query's framing ("how", "tutorial") is marked where shown, but chooses no snippet.
    minor = aside_terms(schema, outcome.parsed, langs)
    for docnum, score in outcome.page_hits:
        post = snap.post(searcher, docnum)
        stored = post.fields
        score = score if outcome.scored else 0.0
        pinned = docnum in outcome.pinned
        if deadline is not None and deadline.passed():
            yield replace(_plain_hit(stored, score), pinned=pinned)
            continue
        terms = matched[docnum]
        meta = post.meta
        url = stored.get("url", "")
        title = post.title
        title_html = _mark_words(post, schema, {t for f, t in terms if f == "title"}, offsets.cjk)
        body = stored.get("body", "")
        matches = offsets.matches("body", docnum, body)
        spans = post.spans
        heading_terms = {t for f, t in terms if f == "headings"}
        exact: list[int] = []
        if heading_terms:
            heading_words = post.heading_terms(schema)
            found_in = heading_words
            if any(t.startswith(JOINED_MARK) for t in heading_terms):
                # A word typed as one that a heading writes with a hyphen ("realtime": "Real-Time").
                found_in = [words | joined for words, joined in zip(heading_words, post.heading_joined(schema))]
            heading_hits = [len(heading_terms & words) for words in found_in]
            most = max(heading_hits, default=0)
            # (Only a heading with the most words of the query, and no other word, can be the
            # query: a manual's hundred headings with one word of it are not compared.)
            exact = [i for i, hits in enumerate(heading_hits)
                     if hits == most and hits == len(heading_words[i]) and hits
                     and title_key(spans[i].heading) == query_key]
            if minor:
                # ("How it works" is no section about `how to debug a memory leak`.)
                heading_hits = [terms_worth(heading_terms & words, minor) for words in found_in]
        else:
            heading_hits = [0] * len(spans)
        ranked = rank_sections(spans, matches, heading_hits, exact, minor)
        # The best few only: a long post can have dozens of matching sections.
        sections = tuple(
            SectionHit(spans[i].heading, spans[i].anchor, f"{url}#{spans[i].anchor}")
            for i in islice((i for _, i in ranked if spans[i].anchor), MAX_SECTIONS)
        )
        snippet_html = ""
        # From the best-matching section that has text of its own; else the best parts of the post.
        for _, i in ranked:
            if body and spans[i].end - spans[i].start >= MIN_SECTION_CHARS:
                snippet_html = make_snippet(body, matches, lo=spans[i].start, hi=spans[i].end, width=SNIPPET_CHARS,
                                            minor=minor)
                break
        if not snippet_html and matches:
            snippet_html = make_snippet(body, matches, width=SNIPPET_CHARS, minor=minor)
        if not snippet_html:
            # The words matched only the description or the code: show them there.
            for fieldname in ("description", "code"):
                text = stored.get(fieldname)
                found = offsets.matches(fieldname, docnum, text or "")
                if text and found:
                    snippet_html = make_snippet(text, found, width=SNIPPET_CHARS)
                    break
        if not snippet_html:
            snippet_html = lead(meta.get("description") or body)
        authors = tuple(meta.get("authors") or ())
        yield Hit(
            id=stored["id"],
            url=url,
            title=title,
            title_html=title_html,
            description=meta.get("description", ""),
            date=meta.get("date"),
            tags=tuple(meta.get("tags") or ()),
            author=", ".join(a["name"] for a in authors),
            authors=authors,
            snippet_html=snippet_html,
            score=score,
            reading_minutes=stored.get("reading_minutes"),
            sections=sections,
            lang=meta.get("lang") or DEFAULT_LANGUAGE,
            pinned=pinned,
        )


def _plain_hit(stored: dict[str, Any], score: float) -> Hit:
    """A result without highlighting, for when the request has run out of time."""
    meta = stored.get("meta") or {}
    authors = tuple(meta.get("authors") or ())
    title = meta.get("title") or stored.get("title", "")
    return Hit(
        id=stored["id"],
        url=stored.get("url", ""),
        title=title,
        title_html=html.escape(title),
        description=meta.get("description", ""),
        date=meta.get("date"),
        tags=tuple(meta.get("tags") or ()),
        author=", ".join(a["name"] for a in authors),
        authors=authors,
        snippet_html=lead(meta.get("description") or stored.get("body", "")),
        score=score,
        reading_minutes=stored.get("reading_minutes"),
        lang=meta.get("lang") or DEFAULT_LANGUAGE,
    )


class _Offsets:
    """Where the matched terms occur in the stored text of the posts of one page.

    The index keeps each occurrence's character offsets, so nothing is re-analysed:
    one postings list is read per term and field, skipping forward through the
    page's posts in document order.
    """

    FIELDS = ("body", "description", "code")

    def __init__(self, searcher, matched: dict[int, set[tuple[str, str]]], postings: GenerationPostings,
                 deadline: Deadline | None = None, cjk: "CjkWords | None" = None,
                 langs: tuple[str, ...] = (DEFAULT_LANGUAGE,)):
        self.searcher = searcher
        self.matched = matched
        self.deadline = deadline
        self.postings = postings
        self.cjk = cjk or CjkWords()
        #: The languages of the index's posts (one per way of analysing).
        self.langs = langs
        self._found: dict[str, dict[int, list[Match]]] = {}

    def matches(self, fieldname: str, docnum: int, text: str = "") -> list[Match]:
        """Where the matched terms occur in post ``docnum``'s ``fieldname`` (whose ``text``
        is given), pairs of CJK characters only where they spell a word of the query."""
        if fieldname not in self._found:
            self._found[fieldname] = self._read(fieldname)
        found = self._found[fieldname].get(docnum, [])
        if self.cjk and text:
            found = [*found, *self.cjk.find(text)]
        return found

    def _read(self, fieldname: str) -> dict[int, list[Match]]:
        wanted: dict[str, list[int]] = {}
        for docnum, terms in self.matched.items():
            for f, text in terms:
                if f == fieldname:
                    wanted.setdefault(text, []).append(docnum)
        field = self.searcher.schema[fieldname]
        out: dict[int, list[Match]] = {}
        parts = self.postings.parts(self.searcher.reader())
        covered = _covered(wanted, self.langs) if len(wanted) > 1 else set()
        for text, docnums in wanted.items():
            if self.deadline is not None and self.deadline.passed():
                break
            if self.cjk and is_cjk(text):
                continue  # found in the text itself (see CjkWords.find)
            if text in covered:
                continue
            term = field.to_bytes(text)
            # Part by part: a file's own postings can be sought in quickly.
            for own, offset, count in parts:
                local = sorted(d - offset for d in docnums if offset <= d < offset + count)
                if not local:
                    continue
                found = own.occurrences(fieldname, own.key(term), np.array(local, dtype=np.int64), positions=False)
                if found is None or not len(found.ids):
                    continue
                # One run of occurrences per post (in post order): the first of each run are kept.
                ids, starts, ends = found.ids, found.starts.tolist(), found.ends.tolist()
                bounds = np.flatnonzero(np.diff(ids)) + 1
                firsts = [0, *bounds.tolist()]
                for docnum, first, last in zip(ids[firsts].tolist(), firsts, [*bounds.tolist(), len(ids)]):
                    last = min(last, first + MAX_MATCHES_PER_TERM)
                    terms = repeat(text, last - first)
                    out.setdefault(docnum + offset, []).extend(map(Match, starts[first:last], ends[first:last], terms))
        if len(wanted) > 1:
            for docnum, found in out.items():
                out[docnum] = _one_per_place(found)
        return out


class CjkWords:
    """The Chinese, Japanese and Korean words of a query, for marking exactly their
    characters: a pair of characters is a match only where it stands inside one of them
    ("服务器" finds "服务" and "务器"; "服务" alone elsewhere in the text is not marked).

    >>> words = CjkWords({"服务器"}, set())
    >>> [m.start for m in words.exact([Match(0, 2, "服务"), Match(5, 7, "服务"), Match(6, 8, "务器")], "服务端。的服务器")]
    [5, 6]
    """

    def __init__(self, words: set[str] | None = None, pairs: set[str] | None = None,
                 singles: set[str] | None = None, runs: dict[str, tuple[str, ...]] | None = None):
        #: Words of 3+ characters (a phrase of pairs); pairs typed as words of their own;
        #: single characters (the start of a word); runs of words typed without spaces, each
        #: with the pairs the query looks for in it.
        self.words = words or set()
        self.pairs = pairs or set()
        self.singles = singles or set()
        self.runs = runs or {}
        self._run_pairs = frozenset(pair for pairs in self.runs.values() for pair in pairs)

    @classmethod
    def of(cls, parsed) -> "CjkWords":
        words: set[str] = set()
        pairs: set[str] = set()
        singles: set[str] = set()
        runs: dict[str, tuple[str, ...]] = {}
        for clause in parsed.clauses:
            if clause.negated or clause.field is not None:
                continue
            for run in CJK_RUN.findall(clause.text):
                if len(run) > CJK_WORD_CHARS and run == clause.text:
                    # Words typed without spaces, whose pairs match alone (the pairs the query
                    # looks for: see query.MAX_CJK_PAIRS).
                    runs[run] = tuple(spread([run[i : i + 2] for i in range(len(run) - 1)], MAX_CJK_PAIRS))
                elif len(run) == 2:
                    pairs.add(run)  # a word of two
                elif len(run) > 2:
                    words.add(run)
                else:
                    singles.add(run)
        return cls(words, pairs, singles, runs)

    def __bool__(self) -> bool:
        return bool(self.words or self.pairs or self.singles or self.runs)

    def find(self, text: str) -> list[Match]:
        """Where the words are in ``text``, found in the text itself (exact characters, and no
        postings to read: a pasted sentence of Japanese is a dozen pairs). A run typed without
        spaces is marked whole where the text has it whole; only elsewhere, its pairs.

        >>> [(m.start, m.term) for m in CjkWords(runs={"服务器端口": ("服务", "端口")}).find("端口。服务器端口")]
        [(3, '服务器端口')]
        >>> [(m.start, m.term) for m in CjkWords(runs={"服务器端口": ("服务", "端口")}).find("端口。服务")]
        [(3, '服务'), (0, '端口')]
        """
        found: list[Match] = []
        for run, pairs in self.runs.items():
            whole = _occurrences(text, run, MAX_MATCHES_PER_PAIR)
            found.extend(whole)
            if not whole:
                # A pair of a pasted sentence is a weak sign (and often a common one, "よう"):
                # enough of them to choose the snippet, not every one in a long post.
                for pair in pairs:
                    found.extend(_occurrences(text, pair, MAX_MATCHES_PER_RUN_PAIR))
        for needle in (*self.words, *self.pairs, *self.singles):
            found.extend(_occurrences(text, needle, MAX_MATCHES_PER_PAIR))
        return found

    def exact(self, matches: list[Match], text: str) -> list[Match]:
        if not self.words or not text:
            return matches
        return [m for m in matches if self._inside_word(m, text)]

    def _inside_word(self, m: Match, text: str) -> bool:
        term = m.term
        if len(term) != 2 or term in self.pairs or term in self._run_pairs or not is_cjk(term):
            return True
        for word in self.words:
            at = word.find(term)
            while at != -1:
                if text.startswith(word, m.start - at) and m.start >= at:
                    return True
                at = word.find(term, at + 1)
        return False


def _covered(wanted: dict[str, list[int]], langs: Sequence[str]) -> set[str]:
    """The terms of ``wanted`` (each with the posts it is read in) found where another one is:
    a word as written, whose stem (the same in every language of the index) is wanted in
    those posts too. The index gives the stem at each place of the word, and
    :func:`_one_per_place` would keep the stem's match there: reading the word is not needed.

    >>> sorted(_covered({"runs": [1, 2], "run": [1, 2, 3], "walks": [4], "walk": [1]}, ["en"]))
    ['runs']
    """
    out = set()
    for text, docnums in wanted.items():
        if not is_word(text):
            continue
        stems = {word_forms(lang, text)[0] for lang in langs}
        if len(stems) != 1:
            continue  # (languages that stem it apart: the stem at each place is not known)
        stem = stems.pop()
        if stem != text and stem in wanted and set(docnums) <= set(wanted[stem]):
            out.add(text)
    return out


_PLACE = itemgetter(0, 1)  # a match's (start, end)


def _one_per_place(found: list[Match]) -> list[Match]:
    """One match per place: a word indexed as written and as its stem is found by both terms
    there, and counts once, as its stem (the shorter), which its other forms share.

    >>> _one_per_place([Match(0, 5, "runs"), Match(9, 12, "run"), Match(0, 5, "run")])
    [Match(start=0, end=5, term='run'), Match(start=9, end=12, term='run')]
    """
    if len(set(map(_PLACE, found))) == len(found):
        return found
    places: dict[tuple[int, int], Match] = {}
    for m in found:
        kept = places.get((m.start, m.end))
        if kept is None or len(m.term) < len(kept.term):
            places[(m.start, m.end)] = m
    return found if len(places) == len(found) else list(places.values())


def _occurrences(text: str, needle: str, limit: int) -> list[Match]:
    """The first ``limit`` places of ``needle`` in ``text`` (they may overlap)."""
    found: list[Match] = []
    at = text.find(needle)
    while at != -1 and len(found) < limit:
        found.append(Match(at, at + len(needle), needle))
        at = text.find(needle, at + 1)
    return found


def _mark_words(post: StoredPost, schema, terms: set[str], cjk: CjkWords | None = None) -> str:
    """The post's title escaped, with every word that analyses to one of ``terms`` in ``<mark>``."""
    title = post.title
    if not terms or not title:
        return html.escape(title)
    found = [m for m in post.title_words(schema) if m.term in terms]
    if cjk is not None:
        found = cjk.exact(found, title)
    # Parts of a word and pairs of CJK characters overlap: mark() joins them.
    return mark(title, found, 0, len(title))
