"""Query parsing, ranking, filters, facets and highlighting -> plain result objects.

This module only reads. The index is opened once per process; each thread keeps
its own searcher and swaps it when a new generation is published (checked with
one ``readlink`` per request, see :mod:`searchsvc.storage`).

User text is parsed by a small restricted parser (:func:`parse_query`): words
(all required), ``"exact phrases"``, ``-excluded`` words, ``OR`` between two
terms, ``tag:x`` and ``author:x``. Nothing else is syntax, so no input can ask
for a wildcard expansion or an arbitrary field, and no input raises.
"""

from __future__ import annotations

import bisect
import html
import os
import re
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as dtime
from itertools import islice, repeat
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from rapidfuzz import process as rf_process
from rapidfuzz.distance import OSA
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    NumericRange,
    Every,
    NullQuery,
    Or,
    Phrase,
    Query,
    Term,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from . import storage
from .engine import LRU, DocTable, Evaluator, LeafCache, seek
from .documents import GenerationDocuments
from .postings import GenerationPostings, term_key
from .config import MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_RESULT_DEPTH
from .schema import EXACT_TITLE_BONUS, FIELD_WEIGHTS, STOP, TITLE_PHRASE_BONUS, title_key, weighting
from .snippets import SNIPPET_CHARS, Match, SectionSpan, lead, mark, rank_sections
from .snippets import snippet as make_snippet
from .storage import IndexUnavailable

SORTS = ("relevance", "newest", "oldest")
MAX_FACETS = 50
#: Occurrences of one term considered for a snippet, and characters re-analysed for a fallback one.
MAX_MATCHES_PER_TERM = 200
MAX_HIGHLIGHT_CHARS = 50_000
#: Default seconds a query may spend collecting matches (see SearchIndex.time_limit).
QUERY_TIME_LIMIT = 1.0
#: Below this many results, the response carries a did-you-mean when one exists.
FEW_RESULTS = 3
MAX_SUGGESTIONS = 8
MAX_RELATED = 5
#: Scores within this fraction of each other are a near-tie; the newer post goes first.
NEAR_TIE = 0.02
#: Sections listed per result; a section shorter than this does not provide the snippet.
MAX_SECTIONS = 3
MIN_SECTION_CHARS = 20
#: Responses kept per generation and process (Snapshot.responses).
RESPONSE_CACHE_SIZE = 128
#: Posts whose stored fields are kept decoded, per generation and process, and the
#: characters of text they may hold in all.
STORED_CACHE_SIZE = 128
STORED_CACHE_CHARS = 1_000_000
#: Seconds before a generation that failed to open is tried again.
RETRY_BROKEN_AFTER = 2.0


class PostNotFound(LookupError):
    """No post has the id asked for."""


class DamagedIndex(IndexUnavailable):
    """The published generation's files changed after it was written."""


class SearchRequestError(ValueError):
    """A request the search cannot answer; names the parameter at fault."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


# ---------------------------------------------------------------------------
# Parsing user text


@dataclass(frozen=True)
class Clause:
    """One unit of the user's query: a word, a phrase, or a tag/author filter."""

    text: str
    phrase: bool = False
    negated: bool = False
    #: None for free text, else "tag" or "author".
    field: str | None = None


@dataclass(frozen=True)
class ParsedQuery:
    """All groups are required; the clauses of one group are alternatives (OR)."""

    groups: tuple[tuple[Clause, ...], ...] = ()

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for g in self.groups for c in g)

    @property
    def words(self) -> tuple[str, ...]:
        """The positive free-text words and phrases, in order."""
        return tuple(c.text for c in self.clauses if c.field is None and not c.negated)

    @property
    def has_text(self) -> bool:
        return bool(self.words)


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_TOKEN_RE = re.compile(
    r"""
    (?P<neg>-(?=[^\s-]))?        # "-word" excludes; "--flag" is a word (a command-line option)
    (?:(?P<field>tag|author):)?
    (?:
        "(?P<phrase>[^"]*)"?      # a phrase; an unclosed quote runs to the end
      | (?P<word>[^\s"]+)
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_query(text: str) -> ParsedQuery:
    """Parse the user's text. Never raises.

    >>> parse_query('server "use client" -legacy').groups  # doctest: +NORMALIZE_WHITESPACE
    ((Clause(text='server', phrase=False, negated=False, field=None),),
     (Clause(text='use client', phrase=True, negated=False, field=None),),
     (Clause(text='legacy', phrase=False, negated=True, field=None),))
    >>> parse_query('node --inspect').words
    ('node', '--inspect')
    """
    text = (text or "").translate(_QUOTES)
    groups: list[list[Clause]] = []
    join_next = False
    for m in _TOKEN_RE.finditer(text):
        phrase = m.group("phrase")
        word = m.group("word")
        fieldname = (m.group("field") or "").lower() or None
        negated = bool(m.group("neg"))
        if word == "OR" and not negated and fieldname is None:
            join_next = bool(groups)
            continue
        value = phrase if phrase is not None else word
        value = " ".join((value or "").split())
        if not value:
            continue
        clause = Clause(text=value, phrase=phrase is not None and " " in value, negated=negated, field=fieldname)
        if join_next and groups and not negated and not any(c.negated for c in groups[-1]):
            groups[-1].append(clause)
        else:
            groups.append([clause])
        join_next = False
    return ParsedQuery(tuple(tuple(g) for g in groups))


# ---------------------------------------------------------------------------
# Building Whoosh queries


#: Analysed words by (analyzer, text): query words and headings recur from request to
#: request, and the prose fields share one analyzer. The analyzers are kept alive with
#: their entries, so an ``id()`` is never reused while it is a key here.
_ANALYSED: dict[tuple[int, str], list[str]] = {}
_ANALYZERS: dict[int, Any] = {}
MAX_ANALYSED = 20_000


def _analyze(schema, fieldname: str, text: str) -> list[str]:
    """The terms ``text`` becomes in ``fieldname`` (as a query)."""
    analyzer = schema[fieldname].analyzer
    key = (id(analyzer), text)
    tokens = _ANALYSED.get(key)
    if tokens is None:
        tokens = [t.text for t in analyzer(text, mode="query")]
        if len(_ANALYSED) >= MAX_ANALYSED:
            _ANALYSED.clear()
            _ANALYZERS.clear()
        _ANALYZERS[id(analyzer)] = analyzer
        _ANALYSED[key] = tokens
    return list(tokens)


def _field_query(fieldname: str, tokens: list[str], boost: float) -> Query | None:
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term(fieldname, tokens[0], boost=boost)
    return Phrase(fieldname, tokens, boost=boost)


#: Fields a prefix or typo expansion is searched in (code keeps exact names only).
EXPANDED_FIELDS = ("title", "headings", "tag_text", "description", "body")
#: Completions of the word being typed are looked for where a reader's target is named.
PREFIX_FIELDS = ("title", "headings", "tag_text")
#: How much an expansion counts next to the word as typed: exact > prefix > fuzzy.
PREFIX_FACTOR = 0.5
FUZZY_FACTOR = 0.35


def _text_query(schema, clause: Clause, expansions: Sequence[tuple[str, float]] = ()) -> Query | None:
    """A free-text word or phrase, searched in every text field with its weight.

    ``expansions`` are other words (completions of a word being typed, corrections
    of a typo) that also match, each with a factor below 1. A word that prose
    analysis removes entirely (a stop word) is dropped.
    """
    if not _analyze(schema, "body", clause.text):
        return None
    alternatives = []
    seen: set[tuple[str, str]] = set()
    for fieldname, weight in FIELD_WEIGHTS.items():
        tokens = _analyze(schema, fieldname, clause.text)
        if fieldname == "code" and not clause.phrase and len(tokens) > 1:
            alternatives.append(And([Term("code", t) for t in tokens], boost=weight))
            continue
        if fieldname == "code" and clause.phrase:
            continue
        q = _field_query(fieldname, tokens, weight)
        if q is not None:
            alternatives.append(q)
            if len(tokens) == 1:
                seen.add((fieldname, tokens[0]))
    for word, factor in expansions:
        for fieldname in (PREFIX_FIELDS if factor == PREFIX_FACTOR else EXPANDED_FIELDS):
            tokens = _analyze(schema, fieldname, word)
            if len(tokens) != 1 or (fieldname, tokens[0]) in seen:
                continue
            seen.add((fieldname, tokens[0]))
            alternatives.append(Term(fieldname, tokens[0], boost=FIELD_WEIGHTS[fieldname] * factor))
    return Or(alternatives) if alternatives else None


def _filter_clause(schema, clause: Clause) -> Query | None:
    if clause.field == "tag":
        return Term("tags", clause.text.lower())
    tokens = _analyze(schema, "author", clause.text)
    return _field_query("author", tokens, 1.0) if tokens else None


class Expander:
    """Completions and typo corrections for the words of one query, from one generation's vocabulary."""

    def __init__(self, vocabulary: "Vocabulary", reader):
        self.vocabulary = vocabulary
        self.reader = reader

    def completions(self, word: str) -> list[str]:
        return self.vocabulary.completions(self.reader, word)

    def corrections(self, word: str) -> list[str]:
        return self.vocabulary.corrections(self.reader, word)


def _plain_word(clause: Clause) -> bool:
    return clause.field is None and not clause.phrase and not clause.negated


@dataclass
class CompiledQuery:
    """A parsed query as Whoosh queries: word groups (scored), filter groups, exclusions."""

    words: list[Query]
    filters: list[Query]
    excluded: list[Query]


def compile_query(schema, parsed: ParsedQuery, expander: Expander | None = None) -> CompiledQuery:
    """Each group of the parsed query as a Whoosh query.

    With an ``expander``, the last word also matches as a prefix (as you type) and
    unknown words of 4+ letters match words one typo away (8+ letters: two).
    """
    compiled = CompiledQuery([], [], [])
    last = parsed.groups[-1][-1] if parsed.groups else None
    for group in parsed.groups:
        parts = []
        for clause in group:
            if clause.field:
                q = _filter_clause(schema, clause)
            else:
                expansions: list[tuple[str, float]] = []
                if expander is not None and _plain_word(clause):
                    if clause is last:
                        expansions += [(w, PREFIX_FACTOR) for w in expander.completions(clause.text)]
                    expansions += [(w, FUZZY_FACTOR) for w in expander.corrections(clause.text)]
                q = _text_query(schema, clause, expansions)
            if q is not None:
                parts.append(q)
        if not parts:
            continue
        q = parts[0] if len(parts) == 1 else Or(parts)
        if group[0].negated:
            compiled.excluded.append(q)
        elif all(c.field for c in group):
            compiled.filters.append(q)
        else:
            compiled.words.append(q)
    return compiled


def build_query(
    schema, parsed: ParsedQuery, expander: Expander | None = None, *, relaxed: bool = False
) -> Query:
    """The Whoosh query for a parsed user query (Every() when it has no terms).

    With ``relaxed``, the words are alternatives instead of all being required
    (``tag:`` and ``author:`` still are); the search then ranks posts that match
    more of the words first.
    """
    return assemble_query(schema, parsed, compile_query(schema, parsed, expander), relaxed=relaxed)


def assemble_query(schema, parsed: ParsedQuery, compiled: CompiledQuery, *, relaxed: bool = False) -> Query:
    """The query of :func:`build_query`, from groups already compiled (so a retry does not compile again)."""
    words, filters = compiled.words, compiled.filters
    if relaxed and len(words) > 1:
        required: list[Query] = [Or(words), *filters]
    else:
        required = [*words, *filters]
    main: Query = And(required) if len(required) > 1 else (required[0] if required else Every())
    bonus = _title_bonus(schema, parsed)
    if bonus is not None and words:
        main = AndMaybe(main, bonus)
    if compiled.excluded:
        excluded = compiled.excluded
        main = AndNot(main, Or(excluded) if len(excluded) > 1 else excluded[0])
    return main


def _title_bonus(schema, parsed: ParsedQuery) -> Query | None:
    """Extra score when the words form the title exactly, or appear together as a phrase
    (in the title most, then a heading, then the body)."""
    words = " ".join(parsed.words)
    if not words:
        return None
    bonuses: list[Query] = [Term("title_key", title_key(words), boost=EXACT_TITLE_BONUS)]
    tokens = _analyze(schema, "title", words)
    if len(tokens) > 1:
        bonuses.append(Phrase("title", tokens, boost=TITLE_PHRASE_BONUS))
        bonuses.append(Phrase("headings", tokens, boost=TITLE_PHRASE_BONUS / 2))
        bonuses.append(Phrase("body", tokens, boost=TITLE_PHRASE_BONUS / 4))
    return Or(bonuses)


# ---------------------------------------------------------------------------
# Requests and results


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    #: All must match.
    tags: tuple[str, ...] = ()
    #: Any may match.
    tags_any: tuple[str, ...] = ()
    author: str = ""
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"

    def validate(self) -> None:
        """:raise SearchRequestError: naming the first parameter that is out of bounds."""
        if len(self.q) > MAX_QUERY_CHARS:
            raise SearchRequestError("q", f"is {len(self.q)} characters long; at most {MAX_QUERY_CHARS} are allowed.")
        if self.page < 1:
            raise SearchRequestError("page", "must be 1 or more.")
        if self.per_page < 1:
            raise SearchRequestError("per_page", "must be 1 or more.")
        if self.page * self.per_page > MAX_RESULT_DEPTH:
            raise SearchRequestError(
                "page", f"goes too deep: only the first {MAX_RESULT_DEPTH} results can be paged through."
            )
        if self.sort not in SORTS:
            raise SearchRequestError("sort", f"must be one of {', '.join(SORTS)}; got {self.sort!r}.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SearchRequestError("from", "is after `to`; swap them.")
        if self.year is not None and not 1 <= self.year <= 9999:
            raise SearchRequestError("year", f"must be a year between 1 and 9999; got {self.year}.")


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
            "corrected_query": self.corrected_query,
            "corrected": self.corrected,
            "partial": self.partial,
            "generation": self.generation,
        }


# ---------------------------------------------------------------------------
# The words of one generation: completions as you type, corrections of typos


class Lexicon:
    """The words of one field, in order, with how many posts have each; read once."""

    def __init__(self, reader, fieldname: str):
        # Segment by segment: over several segments, Whoosh's iter_field looks every word up
        # in each of them again (a second at 10,000 posts, paid by a reader's first query).
        found: dict[str, int] = {}
        for sub, _offset in reader.leaf_readers():
            for term, info in sub.iter_field(fieldname):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                found[text] = found.get(text, 0) + info.doc_frequency()
        terms = sorted(found)
        self.terms = terms
        self.counts = np.array([found[t] for t in terms], dtype=np.int64)
        self.index = {t: i for i, t in enumerate(terms)}
        #: Words by first letter: a typo is never looked for in the first letter.
        self.by_initial: dict[str, list[str]] = {}
        for t in terms:
            self.by_initial.setdefault(t[:1], []).append(t)

    def count(self, term: str) -> int:
        i = self.index.get(term)
        return int(self.counts[i]) if i is not None else 0

    def prefixed(self, prefix: str) -> range:
        """Positions of the words that start with ``prefix``."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return range(lo, hi)


class Vocabulary:
    """Completions and corrections from the unstemmed ``spelling`` field (titles, headings,
    tags, descriptions), held in memory per generation. Bounded: a prefix never expands to
    more than ``limit`` words, a typo to more than 3. Results are cached; thread-safe.
    """

    FIELD = "spelling"
    MAX_CACHE = 50_000

    def __init__(self, schema, limit: int = 8):
        self.schema = schema
        self.limit = limit
        self._completions: dict[str, list[str]] = {}
        self._corrections: dict[str, list[str]] = {}
        self._lexicon: Lexicon | None = None
        self._lock = threading.Lock()

    def lexicon(self, reader) -> Lexicon:
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    self._lexicon = Lexicon(reader, self.FIELD)
        return self._lexicon

    def fold(self, word: str) -> str:
        tokens = _analyze(self.schema, self.FIELD, word)
        return tokens[0] if len(tokens) == 1 else ""

    def completions(self, reader, word: str) -> list[str]:
        """The most common indexed words that start with ``word`` (not ``word`` itself)."""
        prefix = self.fold(word)
        if not prefix or len(prefix) > 40:
            return []
        cached = self._completions.get(prefix)
        if cached is not None:
            return cached
        lexicon = self.lexicon(reader)
        span = lexicon.prefixed(prefix)
        # Most common first, then in alphabetical order.
        order = np.lexsort((np.arange(len(span)), -lexicon.counts[span.start : span.stop]))
        result: list[str] = []
        for i in order:
            text = lexicon.terms[span.start + int(i)]
            if text != prefix and text not in STOP:
                result.append(text)
                if len(result) == self.limit:
                    break
        self._remember(self._completions, prefix, result)
        return result

    def known(self, reader, word: str) -> bool:
        folded = self.fold(word)
        if folded and self.lexicon(reader).count(folded):
            return True
        stems = _analyze(self.schema, "body", word)
        return bool(stems) and any(reader.doc_frequency("body", t) for t in stems)

    def corrections(self, reader, word: str) -> list[str]:
        """Indexed words one typo away (4+ letters) or two (8+ letters), closest and commonest first.

        A typo is a letter added, dropped or replaced, or two neighbours swapped; never in
        the first letter. Empty when the word itself is in the index.
        """
        folded = self.fold(word)
        if len(folded) < 4 or not folded.isalpha():
            return []
        cached = self._corrections.get(folded)
        if cached is not None:
            return cached
        result: list[str] = []
        if not self.known(reader, word):
            lexicon = self.lexicon(reader)
            maxdist = 2 if len(folded) >= 8 else 1
            found = {
                text: int(dist)
                for text, dist, _ in rf_process.extract(
                    folded,
                    lexicon.by_initial.get(folded[:1], ()),
                    scorer=OSA.distance,
                    score_cutoff=maxdist,
                    limit=None,
                )
            }
            closest = min(found.values(), default=0)
            ranked = sorted(
                (t for t, d in found.items() if d == closest), key=lambda t: (-lexicon.count(t), t)
            )
            result = [t for t in ranked if t not in STOP][:3]
        self._remember(self._corrections, folded, result)
        return result

    def _remember(self, cache: dict, key: str, value: list[str]) -> None:
        if len(cache) >= self.MAX_CACHE:
            cache.clear()
        cache[key] = value


# ---------------------------------------------------------------------------
# Suggestions and related posts


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "title" or "term"
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "kind": self.kind}
        if self.url:
            data["url"] = self.url
        return data


class TitleIndex:
    """Titles by their words, for completing a query as it is typed."""

    def __init__(self, entries: Sequence[tuple[str, str]]):
        """``entries``: (title, url) of every post that can be found."""
        entries = sorted(entries)
        self.titles = entries
        self.keys = [title_key(t) for t, _ in entries]
        by_word: dict[str, set[int]] = {}
        for i, key in enumerate(self.keys):
            for w in key.split():
                by_word.setdefault(w, set()).add(i)
        self.by_word = by_word
        self.words = sorted(by_word)

    def complete(self, text: str, limit: int) -> list[Suggestion]:
        words = title_key(text).split()
        if not words:
            return []
        *before, last = words
        candidates: set[int] | None = None
        for w in before:
            ids = self.by_word.get(w, set())
            candidates = ids if candidates is None else candidates & ids
        lo = bisect.bisect_left(self.words, last)
        prefixed: set[int] = set()
        for w in self.words[lo : lo + 200]:
            if not w.startswith(last):
                break
            prefixed |= self.by_word[w]
        matches = prefixed if candidates is None else candidates & prefixed
        key = " ".join(words)
        ranked = sorted(matches, key=lambda i: (not self.keys[i].startswith(key), len(self.keys[i]), i))
        return [Suggestion(self.titles[i][0], "title", self.titles[i][1] or None) for i in ranked[:limit]]


# ---------------------------------------------------------------------------
# Opening the index once and reusing searchers


class StoredPost:
    """A post's stored fields, with what highlighting derives from them once."""

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields
        self.meta: dict[str, Any] = fields.get("meta") or {}
        self.spans = [SectionSpan(*s) for s in self.meta.get("sections") or ()]
        self._heading_terms: list[frozenset[str]] | None = None
        #: Characters of text held (what the cache of shown posts is bounded by).
        self.size = sum(len(v) for v in fields.values() if isinstance(v, str))

    def heading_terms(self, schema) -> list[frozenset[str]]:
        """The analysed words of each section's heading."""
        if self._heading_terms is None:
            self._heading_terms = [
                frozenset(s.words.split() if s.words is not None else _analyze(schema, "headings", s.heading))
                for s in self.spans
            ]
        return self._heading_terms


@dataclass
class Snapshot:
    """One published generation, opened: shared by all threads of a process."""

    name: str
    number: int
    ix: Any
    manifest: dict[str, Any]
    vocabulary: Vocabulary
    #: The segments' postings files (see :mod:`searchsvc.postings`).
    postings: GenerationPostings
    #: The segments' stored-fields files (see :mod:`searchsvc.documents`).
    documents: GenerationDocuments
    #: (title, url) of every post that can be found, for completing titles.
    title_entries: list[tuple[str, str]] = field(default_factory=list)
    _titles: TitleIndex | None = None
    #: Related posts found so far, by (post id, limit).
    _related: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    #: Postings and scores of the query leaves met so far (see :mod:`searchsvc.engine`).
    leaves: LeafCache = field(default_factory=LeafCache)
    #: Whole responses of recent requests, by request. Readers repeat popular queries, and
    #: a search box asks again for a prefix as the reader types and deletes. A new
    #: generation starts empty, so an answer is never older than the index it came from.
    responses: LRU = field(default_factory=lambda: LRU(max_items=RESPONSE_CACHE_SIZE))
    #: The posts shown most recently, decoded (see :class:`StoredPost`).
    _posts: LRU = field(
        default_factory=lambda: LRU(STORED_CACHE_SIZE, STORED_CACHE_CHARS, weight=lambda post: post.size)
    )
    _table: DocTable | None = None
    _table_lock: threading.Lock = field(default_factory=threading.Lock)

    def stored_fields(self, searcher, docnum: int) -> dict[str, Any]:
        """A post's stored fields: from its segment's stored-fields file when it has one."""
        return self.documents.fields(searcher.reader(), docnum)

    def post(self, searcher, docnum: int) -> "StoredPost":
        """A post's stored fields and sections; the most recently shown are kept decoded."""
        post = self._posts.get(docnum)
        if post is None:
            post = StoredPost(self.stored_fields(searcher, docnum))
            self._posts.put(docnum, post)
        return post

    def table(self) -> DocTable:
        """Tags, authors, years and dates of every post, read on first use."""
        if self._table is None:
            with self._table_lock:
                if self._table is None:
                    self._table = DocTable(self.ix)
        return self._table

    @property
    def post_count(self) -> int:
        return int(self.manifest.get("post_count", 0))

    @property
    def tag_names(self) -> dict[str, str]:
        return self.manifest.get("tags", {})

    @property
    def author_names(self) -> dict[str, str]:
        return self.manifest.get("authors", {})

    @property
    def titles(self) -> TitleIndex:
        if self._titles is None:
            self._titles = TitleIndex(self.title_entries)
        return self._titles


def _start_afresh(ref: "weakref.ref[SearchIndex]") -> None:
    index = ref()
    if index is not None:
        index._start_afresh()


class SearchIndex:
    """The index a process searches. Thread-safe; create one per process.

    :raise IndexUnavailable: from every method when there is no usable index.
    """

    def __init__(self, index_dir: Path, time_limit: float = QUERY_TIME_LIMIT):
        self.index_dir = Path(index_dir)
        #: Seconds one query may take collecting matches before it returns what it has.
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._local = threading.local()
        #: (generation name, when, message) of the last generation that failed to open.
        self._failed: tuple[str, float, str] | None = None
        # A process forked from this one (gunicorn --preload) must not share its open files
        # (their read offsets) or locks another thread may hold: it starts afresh.
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _start_afresh(ref))

    def _start_afresh(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = None
        self._local = threading.local()
        self._failed = None

    def snapshot(self) -> Snapshot:
        """The published generation, reopened only when CURRENT has moved."""
        name = storage.current_name(self.index_dir)
        snap = self._snapshot
        if snap is not None and snap.name == name:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.name == name:
                return snap
            if name is None:
                raise IndexUnavailable(
                    f"No index has been built yet in {self.index_dir}; run `searchsvc reindex`."
                )
            failed = self._failed
            if failed is not None and failed[0] == name and time.monotonic() - failed[1] < RETRY_BROKEN_AFTER:
                raise IndexUnavailable(failed[2])
            try:
                self._snapshot = snap = self._open(name)
            except IndexUnavailable as exc:
                self._failed = (name, time.monotonic(), str(exc))
                raise
            self._failed = None
            return snap

    def _open(self, name: str) -> Snapshot:
        path = self.index_dir / name
        number = storage.generation_number(name)
        manifest = storage.read_manifest(path)
        problem = storage.damage(path, manifest)
        if problem:
            raise IndexUnavailable(problem)
        try:
            # No mmap: a file truncated under a running server must raise an error we
            # can answer with 503, not SIGBUS the worker.
            ix = FileStorage(str(path), supports_mmap=False).open_index()
        except Exception as exc:  # Whoosh raises many kinds for missing or damaged files
            raise IndexUnavailable(
                f"The index in {path} cannot be opened ({type(exc).__name__}); run `searchsvc reindex --full`."
            ) from None
        titles = manifest.pop("titles", None)
        if titles is None:  # a manifest of schema 6 or before: titles from its record of posts
            titles = storage.titles_of(manifest.pop("posts", {}))
        try:
            titles = [(str(title), str(url)) for title, url in titles]
        except (TypeError, ValueError):
            raise IndexUnavailable(f"The index at {path} is damaged; run `searchsvc reindex --full`.") from None
        return Snapshot(
            name=name, number=number or 0, ix=ix, manifest=manifest, vocabulary=Vocabulary(ix.schema),
            title_entries=titles, postings=GenerationPostings(str(path)), documents=GenerationDocuments(str(path)),
        )

    @contextmanager
    def searcher(self) -> Iterator[tuple[Snapshot, Searcher]]:
        """This thread's searcher on the current generation, one generation per use."""
        snap = self.snapshot()
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is None or local.name != snap.name:
            if searcher is not None:
                searcher.close()
            try:
                searcher = snap.ix.searcher(weighting=weighting())
            except Exception as exc:
                self._forget(snap)
                raise IndexUnavailable(
                    f"The index cannot be read ({type(exc).__name__}); run `searchsvc reindex --full`."
                ) from None
            local.searcher, local.name = searcher, snap.name
        try:
            yield snap, searcher
        except DamagedIndex as exc:
            self._broken(snap, str(exc))
            raise
        except (IndexUnavailable, SearchRequestError, PostNotFound):
            raise
        except Exception as exc:
            # Damaged files under a running server make Whoosh raise almost anything.
            message = "The search index is damaged or incomplete; run `searchsvc reindex --full`."
            self._broken(snap, message)
            raise IndexUnavailable(message) from exc

    def _broken(self, snap: Snapshot, message: str) -> None:
        """Drop what is open; the generation is retried after a pause, or replaced by reindex."""
        self._forget(snap)
        with self._lock:
            self._failed = (snap.name, time.monotonic(), message)

    def _forget(self, snap: Snapshot) -> None:
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None:
            try:
                searcher.close()
            except Exception:
                pass
        local.searcher = None
        local.name = None
        with self._lock:
            if self._snapshot is snap:
                self._snapshot = None

    def close(self) -> None:
        """Close this thread's searcher (other threads close theirs when they switch generation)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local.searcher = None
        self._local.name = None

    def health(self) -> dict[str, Any]:
        """The generation and post count, after reading a document and a postings list.

        :raise IndexUnavailable: when the index is missing or cannot be read.
        """
        with self.searcher() as (snap, searcher):
            # Responses come from memory where they can: look at the files themselves.
            problem = storage.damage(self.index_dir / snap.name, snap.manifest)
            if problem:
                raise DamagedIndex(problem)
            if searcher.doc_count():
                snap.stored_fields(searcher, 0)
                first = next(iter(searcher.reader().lexicon("title")), None)
                if first is not None:
                    list(searcher.postings("title", first).all_ids())
        return {
            "status": "ok",
            "generation": snap.number,
            "posts": snap.post_count,
            "built_at": snap.manifest.get("built_at"),
        }

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search.

        All words are required; when that finds nothing, a did-you-mean correction is
        tried, then any of the words (``relaxed``).

        :raise SearchRequestError: for a request out of bounds.
        :raise IndexUnavailable: when there is no usable index.
        """
        started = time.perf_counter()
        request.validate()
        parsed = parse_query(request.q)
        if len(parsed.clauses) > MAX_QUERY_TERMS:
            raise SearchRequestError(
                "q", f"has {len(parsed.clauses)} words; at most {MAX_QUERY_TERMS} are allowed."
            )
        with self.searcher() as (snap, searcher):
            cached = snap.responses.get(request)
            if cached is not None:
                return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
            response = self._search(snap, searcher, request, parsed, started)
            if not response.partial:
                snap.responses.put(request, response)
            return response

    def _search(self, snap: Snapshot, searcher, request: SearchRequest, parsed: ParsedQuery, started: float) -> SearchResponse:
        schema = searcher.schema
        expander = Expander(snap.vocabulary, searcher.reader())
        filter_q = _filters(schema, request)
        deadline = Deadline(self.time_limit)
        compiled = compile_query(schema, parsed, expander)
        query = assemble_query(schema, parsed, compiled)
        outcome = _execute(searcher, snap, query, request, filter_q, parsed, deadline)
        relaxed = corrected = False
        correction = None
        if parsed.has_text and outcome.total < FEW_RESULTS:
            correction = _correction(parsed, request.q, expander)
        if outcome.total == 0 and parsed.has_text and not deadline.passed():
            if correction:
                fixed = parse_query(correction)
                query = build_query(schema, fixed, expander)
                retry = _execute(searcher, snap, query, request, filter_q, fixed, deadline)
                if retry.total:
                    outcome, corrected = retry, True
            if not corrected and len(compiled.words) > 1:
                query = assemble_query(schema, parsed, compiled, relaxed=True)
                retry = _execute(
                    searcher, snap, query, request, filter_q, parsed, deadline, word_groups=compiled.words
                )
                if retry.total:
                    outcome, relaxed = retry, True
        hits = tuple(_hits(searcher, snap, outcome, deadline))
        table = snap.table()
        facets = {
            "tags": _facet_counts(table.counts(outcome.mask, "tags"), snap.tag_names),
            "authors": _facet_counts(table.counts(outcome.mask, "authors"), snap.author_names),
            "years": _year_counts(table.year_counts(outcome.mask)),
        }
        return SearchResponse(
            query=request.q,
            total=outcome.total,
            page=request.page,
            per_page=request.per_page,
            took_ms=(time.perf_counter() - started) * 1000,
            results=hits,
            facets=facets,
            generation=snap.number,
            relaxed=relaxed,
            corrected_query=correction,
            corrected=corrected,
            partial=outcome.partial or deadline.passed(),
        )

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Completions for a query being typed: matching post titles, then index words."""
        q = q[:MAX_QUERY_CHARS]
        if not q.strip():
            return []
        with self.searcher() as (snap, searcher):
            titles = snap.titles.complete(q, limit=min(limit, 5))
            words = q.split()
            if not words:
                return titles
            before = " ".join(words[:-1])
            terms = [
                Suggestion(f"{before} {w}".strip(), "term")
                for w in snap.vocabulary.completions(searcher.reader(), words[-1])
            ]
        seen = {s.text.lower() for s in titles}
        out = list(titles)
        for s in terms:
            if len(out) >= limit:
                break
            if s.text.lower() not in seen:
                seen.add(s.text.lower())
                out.append(s)
        return out

    def related(self, post_id: str, limit: int = MAX_RELATED) -> list[dict[str, Any]]:
        """Up to ``limit`` posts like ``post_id`` (more-like-this over body and tags).

        :raise PostNotFound: if there is no post with that id.
        """
        with self.searcher() as (snap, searcher):
            docnum = searcher.document_number(id=post_id)
            if docnum is None:
                raise PostNotFound(post_id)
            found = snap._related.get((post_id, limit))
            if found is None:
                found = _related_docnums(searcher, snap.stored_fields(searcher, docnum), docnum, limit)
                if len(snap._related) > 10_000:
                    snap._related.clear()
                snap._related[(post_id, limit)] = found
            return [_summary(snap.stored_fields(searcher, other)) for other in found]


@dataclass
class _Outcome:
    total: int
    #: (document number, score) of the requested page, in order.
    page_hits: list[tuple[int, float]]
    scored: bool
    parsed: ParsedQuery
    #: Which posts matched (for the facets) and which terms (for highlighting).
    mask: Any
    evaluator: Evaluator
    #: True when the time limit stopped the search before every match was seen.
    partial: bool = False


class Deadline:
    """The time one request may take; shared by its retries and its snippets."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.at


def _execute(
    searcher,
    snap: "Snapshot",
    query: Query,
    request: SearchRequest,
    filter_q: Query | None,
    parsed: ParsedQuery,
    deadline: Deadline,
    word_groups: Sequence[Query] = (),
) -> _Outcome:
    """Run one query; with ``word_groups`` (relaxed mode) posts matching more of them come first."""
    table = snap.table()
    evaluator = Evaluator(searcher, table, snap.leaves, deadline.passed, snap.postings)
    found = evaluator.evaluate(query)
    mask = found.mask
    if filter_q is not None:
        mask &= evaluator.evaluate(filter_q, scored=False).mask
    docs = np.flatnonzero(mask)
    scores = found.scores[docs]
    dates = table.dates[docs]
    sort = request.sort
    if sort == "relevance" and not parsed.has_text:
        sort = "newest"
    first = (request.page - 1) * request.per_page
    limit = request.page * request.per_page
    if sort != "relevance":
        # Undated posts last either way.
        order = np.lexsort((docs, -dates if sort == "newest" else dates, dates == 0))
    else:
        order = _rank(evaluator, docs, scores, dates, parsed, word_groups, limit)
    page_hits = [(int(docs[i]), float(scores[i])) for i in order[first:limit]]
    return _Outcome(len(docs), page_hits, sort == "relevance", parsed, mask, evaluator, evaluator.partial)


def _rank(evaluator: Evaluator, docs, scores, dates, parsed: ParsedQuery, word_groups: Sequence[Query],
          limit: int):
    """Positions in ``docs`` of the first ``limit`` posts in final order: a post whose title
    is exactly the query first, then (relaxed queries) posts matching more of the words,
    then by score, and among near-equal scores the newer post first."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64)
    exact = np.zeros(len(docs), dtype=bool)
    if parsed.has_text:
        titled = evaluator.leaf(Term("title_key", title_key(" ".join(parsed.words)))).ids
        exact = np.isin(docs, titled)
    groups = np.zeros(len(docs), dtype=np.int64)
    if len(word_groups) > 1:
        for group in word_groups:
            groups += evaluator.evaluate(group, scored=False).mask[docs]
    return rank_order(docs, scores, dates, exact, groups, limit)


def rank_order(docs, scores, dates, exact, groups, limit: int):
    """The first ``limit`` positions of the order of :func:`_rank`, given its keys.

    A common word matches thousands of posts, and sorting them all on six keys took
    milliseconds. Only the posts whose leading keys (exact title, words matched, score
    bucket) are at least those of the ``limit``-th best can come first; only they are
    sorted.

    >>> import numpy as np
    >>> rank_order(np.arange(4), np.array([1.0, 3.0, 2.0, 3.0]), np.zeros(4, dtype=np.int64),
    ...            np.zeros(4, dtype=bool), np.zeros(4, dtype=np.int64), 2).tolist()
    [1, 3]
    """
    best = float(scores.max()) or 1.0
    bucket = np.round(scores / best / NEAR_TIE).astype(np.int64)
    candidates = None
    if len(docs) > limit > 0:
        # One number per post that orders as (exact, groups, bucket): bucket <= 1/NEAR_TIE
        # and groups <= the words of a query, so neither overflows its bits.
        lead = (exact.astype(np.int64) << 40) | (groups << 20) | np.maximum(bucket, 0)
        kth = np.partition(lead, len(lead) - limit)[len(lead) - limit]
        candidates = np.flatnonzero(lead >= kth)
        docs, scores, dates, exact, groups, bucket = (
            a[candidates] for a in (docs, scores, dates, exact, groups, bucket)
        )
    order = np.lexsort((docs, -scores, -dates, -bucket, -groups, ~exact))[:limit]
    return order if candidates is None else candidates[order]


def _correction(parsed: ParsedQuery, text: str, expander: Expander) -> str | None:
    """The query with each unknown word replaced by its closest indexed word, or None."""
    replaced = text
    changed = False
    for clause in parsed.clauses:
        if not _plain_word(clause):
            continue
        fixes = expander.corrections(clause.text)
        if fixes:
            replaced = re.sub(rf"(?<![\w-]){re.escape(clause.text)}(?!\w)", fixes[0], replaced, count=1)
            changed = True
    return replaced if changed and replaced != text else None


def _summary(stored: dict[str, Any]) -> dict[str, Any]:
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
    }


def _related_docnums(searcher, stored: dict[str, Any], docnum: int, limit: int) -> list[int]:
    """The posts most like post ``docnum`` (whose stored fields are ``stored``), best first."""
    text = (stored.get("body") or "")[:20_000]
    terms = []
    if text:
        terms = [Term("body", t, boost=w) for t, w in searcher.key_terms_from_text("body", text, numterms=12)]
    for tag in (stored.get("meta") or {}).get("tags") or ():
        terms.append(Term("tags", tag.lower(), boost=3.0))
    if not terms:
        return []
    results = searcher.search(Or(terms), limit=limit, mask={docnum})
    return [hit.docnum for hit in results]


def _filters(schema, request: SearchRequest) -> Query | None:
    """The request's filters as query objects (never by pasting strings into a query)."""
    parts: list[Query] = [Term("tags", t.strip().lower()) for t in request.tags if t.strip()]
    any_of = [Term("tags", t.strip().lower()) for t in request.tags_any if t.strip()]
    if any_of:
        parts.append(Or(any_of) if len(any_of) > 1 else any_of[0])
    if request.author.strip():
        tokens = _analyze(schema, "author", request.author)
        q = _field_query("author", tokens, 1.0)
        parts.append(q if q is not None else NullQuery)
    if request.year is not None:
        parts.append(NumericRange("year", request.year, request.year))
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, dtime.min) if request.date_from else None
        end = datetime.combine(request.date_to, dtime.max) if request.date_to else None
        parts.append(DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _facet_counts(groups: dict, names: dict[str, str]) -> dict[str, int]:
    counted = sorted(
        ((names.get(k, k), n) for k, n in groups.items() if k and n), key=lambda kv: (-kv[1], kv[0].lower())
    )
    return dict(counted[:MAX_FACETS])


def _year_counts(groups: dict) -> dict[str, int]:
    years = sorted(((int(k), n) for k, n in groups.items() if k is not None and n), reverse=True)
    return {str(y): n for y, n in years}


# ---------------------------------------------------------------------------
# Highlighting: plain text in, escaped HTML with <mark> out


def _hits(searcher, snap: Snapshot, outcome: _Outcome, deadline: Deadline | None = None) -> Iterator[Hit]:
    schema = searcher.schema
    matched = outcome.evaluator.terms_of([docnum for docnum, _ in outcome.page_hits])
    offsets = _Offsets(searcher, matched, snap.postings, deadline)
    for docnum, score in outcome.page_hits:
        post = snap.post(searcher, docnum)
        stored = post.fields
        score = score if outcome.scored else 0.0
        if deadline is not None and deadline.passed():
            yield _plain_hit(stored, score)
            continue
        terms = matched[docnum]
        meta = post.meta
        url = stored.get("url", "")
        title = meta.get("title") or stored.get("title", "")
        title_html = _mark_tokens(schema, "title", title, {t for f, t in terms if f == "title"})
        body = stored.get("body", "")
        matches = offsets.matches("body", docnum)
        spans = post.spans
        heading_terms = {t for f, t in terms if f == "headings"}
        if heading_terms:
            heading_hits = [len(heading_terms & words) for words in post.heading_terms(schema)]
        else:
            heading_hits = [0] * len(spans)
        ranked = rank_sections(spans, matches, heading_hits)
        # The best few only: a long post can have dozens of matching sections.
        sections = tuple(
            SectionHit(spans[i].heading, spans[i].anchor, f"{url}#{spans[i].anchor}")
            for i in islice((i for _, i in ranked if spans[i].anchor), MAX_SECTIONS)
        )
        snippet_html = ""
        # From the best-matching section that has text of its own; else the best parts of the post.
        for _, i in ranked:
            if body and spans[i].end - spans[i].start >= MIN_SECTION_CHARS:
                snippet_html = make_snippet(body, matches, lo=spans[i].start, hi=spans[i].end, width=SNIPPET_CHARS)
                break
        if not snippet_html and matches:
            snippet_html = make_snippet(body, matches, width=SNIPPET_CHARS)
        if not snippet_html:
            # The words matched only the description or the code: show them there.
            for fieldname in ("description", "code"):
                text = stored.get(fieldname)
                found = offsets.matches(fieldname, docnum)
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
    )


class _Offsets:
    """Where the matched terms occur in the stored text of the posts of one page.

    The index keeps each occurrence's character offsets, so nothing is re-analysed:
    one postings list is read per term and field, skipping forward through the
    page's posts in document order.
    """

    FIELDS = ("body", "description", "code")

    def __init__(self, searcher, matched: dict[int, set[tuple[str, str]]], postings: GenerationPostings,
                 deadline: Deadline | None = None):
        self.searcher = searcher
        self.matched = matched
        self.deadline = deadline
        self.postings = postings
        self._found: dict[str, dict[int, list[Match]]] = {}

    def matches(self, fieldname: str, docnum: int) -> list[Match]:
        if fieldname not in self._found:
            self._found[fieldname] = self._read(fieldname)
        return self._found[fieldname].get(docnum, [])

    def _read(self, fieldname: str) -> dict[int, list[Match]]:
        wanted: dict[str, list[int]] = {}
        for docnum, terms in self.matched.items():
            for f, text in terms:
                if f == fieldname:
                    wanted.setdefault(text, []).append(docnum)
        field = self.searcher.schema[fieldname]
        out: dict[int, list[Match]] = {}
        parts = self.postings.parts(self.searcher.reader(), fieldname, occurrences=True)
        for text, docnums in wanted.items():
            if self.deadline is not None and self.deadline.passed():
                break
            term = field.to_bytes(text)
            # Part by part: a file's own postings can be sought in quickly.
            for own, reader, offset, count in parts:
                local = sorted(d - offset for d in docnums if offset <= d < offset + count)
                if not local:
                    continue
                if own is not None:
                    found = own.occurrences(fieldname, term_key(term), np.array(local, dtype=np.int64), positions=False)
                    # One run of occurrences per post (in post order): the first of each run are kept.
                    ids, starts, ends = found.ids, found.starts.tolist(), found.ends.tolist()
                    if not len(ids):
                        continue
                    bounds = np.flatnonzero(np.diff(ids)) + 1
                    firsts = [0, *bounds.tolist()]
                    for docnum, first, last in zip(ids[firsts].tolist(), firsts, [*bounds.tolist(), len(ids)]):
                        last = min(last, first + MAX_MATCHES_PER_TERM)
                        terms = repeat(text, last - first)
                        out.setdefault(docnum + offset, []).extend(map(Match, starts[first:last], ends[first:last], terms))
                    continue
                if (fieldname, term) not in reader:
                    continue
                postings = reader.postings(fieldname, term)
                for docnum in local:
                    if seek(postings, docnum):
                        for _pos, start, stop in postings.value_as("characters")[:MAX_MATCHES_PER_TERM]:
                            out.setdefault(docnum + offset, []).append(Match(start, stop, text))
        return out


def _mark_tokens(schema, fieldname: str, text: str, terms: set[str]) -> str:
    """``text`` escaped, with every word that analyses to one of ``terms`` in ``<mark>``."""
    if not terms or not text:
        return html.escape(text)
    analyzer = schema[fieldname].analyzer
    found = [
        Match(t.startchar, t.endchar, t.text)
        for t in analyzer(text[:MAX_HIGHLIGHT_CHARS], chars=True, mode="index", removestops=False)
        if t.text in terms
    ]
    # A word split into parts yields overlapping tokens: mark the widest at each start.
    widest: dict[int, Match] = {}
    for m in found:
        if m.start not in widest or m.end > widest[m.start].end:
            widest[m.start] = m
    return mark(text, widest.values(), 0, len(text))
