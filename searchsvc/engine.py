"""Whoosh queries evaluated over whole-index arrays: which posts match, and their scores.

Whoosh's collector walks a tree of Python matchers over every matching post on
every request, which costs tens of milliseconds for a common word. At blog scale
(thousands of posts) the same answer is a few numpy operations over arrays of one
entry per post, once the postings of each leaf of the query are known. So:

- each leaf query (a term, a phrase, a range) is read once per generation and kept in
  a bounded LRU cache (:class:`LeafCache`). A term's postings are read from its
  segments' postings files (:mod:`searchsvc.postings`; for a segment without one, from
  Whoosh a block at a time) and scored all at once with Whoosh's BM25F formula and
  statistics; a phrase is an intersection of its words' positions, read the same way;
  anything else goes through Whoosh's own matcher. The scores are Whoosh's, float for
  float (tests/test_engine.py);
- compound queries combine those arrays with Whoosh's rules: ``Or`` and ``And`` add
  the scores of their matching parts, ``AndMaybe`` adds the optional part where the
  required one matches, ``AndNot`` removes, a boost multiplies (:func:`evaluate`); and
  searchsvc's :class:`Best`, an ``Or`` of the forms of one word, takes the best of them
  (Whoosh's rules and scores but for it);
- what facets and sorting need (tags, authors, year and date of every post) is read
  once per generation into :class:`DocTable`.

Reading a leaf checks the request's deadline as it goes, so no query can tie up a
worker: a leaf cut short is used as far as it was read (never cached), and the
result says it is partial.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from whoosh.scoring import BM25F, WeightingModel
from whoosh.query import And, AndMaybe, AndNot, Every, NullQuery, Or, Phrase, Query, Term

from .documents import GenerationDocuments
from .languages import is_cjk
from .postings import Found, GenerationPostings, Part, ranges
from .schema import AVERAGE_OF_HOLDERS, POST_IDF, average_length, field_b, field_idf, weighting as _weighting

#: Entries (posts of a leaf, occurrences of a word) kept per generation, 8-12 bytes each.
CACHE_POSTINGS = 250_000
#: What a cached leaf costs besides its entries, in entries: its objects, arrays and key
#: take about 500 bytes. Without it, leaves of words a field does not have weigh nothing,
#: and thousands of distinct queries fill a process with them (tens of megabytes).
LEAF_OVERHEAD = 40


@dataclass(frozen=True)
class Leaf:
    """The posts one leaf query matches (ascending document numbers) and their unboosted scores."""

    ids: np.ndarray
    scores: np.ndarray
    #: False when the deadline cut the reading short: use, but do not keep.
    complete: bool = True

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Occurrences:
    """Every occurrence of one word in one field: post ``ids[i]`` has it at ``positions[i]``."""

    ids: np.ndarray
    positions: np.ndarray
    complete: bool = True

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass
class Matches:
    """A query's outcome over all documents: ``mask[d]`` when post d matches, with ``scores[d]``."""

    mask: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class MatchedLeaf:
    """A scored leaf of the query, to tell afterwards which terms a given post matched."""

    terms: tuple[tuple[str, str], ...]
    #: The posts the leaf matches, ascending.
    ids: np.ndarray


#: Posts of a leaf up to which terms_of looks its posts up among those shown (past it,
#: those shown in the leaf's).
SMALL_LEAF = 2048
#: The posts, best first by the required part of a query, in which the phrases of its
#: optional part (the phrase bonus of a query of several words) are looked for.
BONUS_CANDIDATES = 100
#: Titles begun alike past which the word being typed is not looked for in them (see
#: DocTable.title_words_at): a start so common tells no title apart.
MAX_TITLES_BEGUN = 200

#: A phrase whose candidates are fewer than 1/FEW_CANDIDATES of a word's posts reads that
#: word's positions in the candidates only, instead of all of them (kept for next time).
FEW_CANDIDATES = 8

#: searchsvc's weighting's IDF (schema.field_idf), which the engine computes itself from a
#: term's postings, as it does Whoosh's own.
FIELD_IDF = type(_weighting()).idf

_EMPTY_INCOMPLETE = Leaf(np.zeros(0, dtype=np.int32), np.zeros(0), complete=False)


class Passage(Phrase):
    """A passage a reader remembers: ``words`` close together in a post. In order, each at
    most ``slop`` words after the one before (Whoosh's sloppy phrase), the post scores as a
    phrase does, the sum of its words' scores; in another order, each at most ``slop``
    words before or after the rarest of them ("rayleigh sky blue" of "the sky is blue
    because of Rayleigh scattering"), ANY_ORDER_SHARE of that. (Whoosh's own searcher
    reads it as the sloppy phrase.)"""


class WrittenPhrase(Phrase):
    """A phrase of words as written (see languages.keeps_exact) whose words' ``stems`` make a
    phrase too: the index has a word's stem wherever it has the word, so a post without the
    stems' phrase has not this one either. As a bonus, it is looked for only in the posts
    where the stems' phrase is known to be (when the query asked for it: a quoted phrase)."""

    def __init__(self, fieldname: str, words: Sequence[str], stems: Sequence[str], boost: float = 1.0):
        super().__init__(fieldname, list(words), boost=boost)
        self.stems = tuple(stems)


class Best(Or):
    """Words that stand for one word typed (the completions of a word being typed, in one
    field): a post scores the best of theirs, not their sum. A post with five forms of
    "prof" ("profiler", "profiling", "profiles"...) is not five times the post that has
    one; it matches where any of them does. searchsvc's own: Whoosh's searcher reads it as
    an Or (Whoosh's DisjunctionMax, tried, gave the posts of a second segment one score).
    """


class AllButOne(Or):
    """Every word of a query but one, whichever: the Or of the Ands of all words but each,
    evaluated in one pass over the words rather than once per word left out (a pasted
    Chinese or Japanese paragraph is a hundred pairs of characters or more, each a word here).
    A post with every word scores as it would in that Or, ``n - 1`` times the sum of its
    words' scores (one for each And it matches); a post lacking one, the sum of the others.
    searchsvc's own: Whoosh's searcher would read it as an Or."""


#: What a passage's words close together in another order than typed score, as a share of
#: the same words in order. (A third left passages typed in reverse order below plain BM25
#: on react.dev and its Spanish pages: readers remember a passage's words, not their order.)
ANY_ORDER_SHARE = 2 / 3


class LRU:
    """A mapping that drops the least recently used entries first, to stay within
    ``max_items`` entries and ``max_weight`` in total (each entry weighs ``weight(value)``).
    A value heavier than ``max_weight`` on its own is not kept. Thread-safe."""

    def __init__(
        self,
        max_items: int | None = None,
        max_weight: int | None = None,
        weight: Callable[[Any], int] = lambda value: 1,
    ):
        self.max_items = max_items
        self.max_weight = max_weight
        self._weigh = weight
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        weight = self._weigh(value)
        if self.max_weight is not None and weight > self.max_weight:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= self._weigh(old)
            self._items[key] = value
            self._weight += weight
            while (self.max_items is not None and len(self._items) > self.max_items) or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                _, dropped = self._items.popitem(last=False)
                self._weight -= self._weigh(dropped)

    def __len__(self) -> int:
        return len(self._items)


class LeafCache(LRU):
    """Leaf results and word positions of one generation, at most ``capacity`` entries
    (posts of a leaf, occurrences of a word, and LEAF_OVERHEAD for each leaf) in all. A
    leaf cut short is not kept."""

    def __init__(self, capacity: int = CACHE_POSTINGS):
        super().__init__(max_weight=capacity, weight=lambda leaf: leaf.size + LEAF_OVERHEAD)

    def put(self, key: Any, leaf: Leaf | Occurrences) -> None:
        if leaf.complete:
            super().put(key, leaf)


class DocTable:
    """Per-post values for filters, facets and sorting, read once per generation.

    ``dates`` are Whoosh's sortable date values (0 for an undated post); ``years``
    are 0 for an undated post; ``tags``/``authors`` are (post, key) pairs as
    parallel arrays, with ``tag_keys``/``author_keys`` naming the keys.
    """

    def __init__(self, ix, documents: GenerationDocuments):
        # Read through a searcher of its own, closed after: the column readers Whoosh keeps
        # hold megabytes at 10,000 posts, and the request's searcher would keep them.
        self._ix = ix
        self._documents = documents
        with ix.searcher() as searcher:
            reader = searcher.reader()
            self.size = reader.doc_count_all()
            alive = np.zeros(self.size, dtype=bool)
            alive[list(reader.all_doc_ids())] = True
            self.alive = alive
            # Whoosh gives a post without the value the largest one its column can hold.
            self.dates = self._column(searcher, "date", translate=False, valid=lambda v: 0 < v < 2**63)
            self.years = self._column(searcher, "year", translate=True, valid=lambda v: 0 < v < 10_000)
            self.tag_keys, self.tag_docs, self.tag_ids = self._keywords(reader, "tags")
            self.author_keys, self.author_docs, self.author_ids = self._keywords(reader, "authors")
            self.lang_keys, self.lang_docs, self.lang_ids = self._keywords(reader, "lang")
            #: Each post's language, as a position in ``lang_keys`` (-1 for none).
            self.lang_of = np.full(self.size, -1, dtype=np.int64)
            self.lang_of[self.lang_docs] = self.lang_ids
        self._lengths: dict[str, np.ndarray] = {}
        self._averages: dict[str, float] = {}
        self._titles: tuple[list[str], np.ndarray] | None = None
        self._title_columns: tuple[np.ndarray, np.ndarray] | None = None

    def titled(self, key: str) -> np.ndarray:
        """The posts whose title is ``key`` (as :func:`schema.title_key` reduces titles), in order."""
        keys, docnums = self._title_keys()
        lo = bisect.bisect_left(keys, key)
        return np.sort(docnums[lo : bisect.bisect_right(keys, key, lo)])

    def titles_starting(self, prefix: str, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The posts whose title (as :func:`schema.title_key` reduces it) begins with
        ``prefix``, and the share of each title that ``prefix`` is; nothing when more than
        ``limit`` titles do (then it tells no post apart)."""
        keys, docnums = self._title_keys()
        lo, hi = self._begun(prefix)
        if not 0 < hi - lo <= limit:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        shares = np.array([len(prefix) / max(len(keys[i]), 1) for i in range(lo, hi)])
        return docnums[lo:hi], shares

    def title_words_at(self, prefix: str, limit: int) -> list[str]:
        """In the titles that begin with ``prefix`` (a title key, its last word perhaps
        half-typed), the words where that last word is, other than it: the commonest first,
        at most ``limit``; none when more than MAX_TITLES_BEGUN titles begin so."""
        typed = prefix.split()
        if not typed:
            return []
        keys, _docnums = self._title_keys()
        lo, hi = self._begun(prefix)
        if not 0 < hi - lo <= MAX_TITLES_BEGUN:
            return []
        at, last = len(typed) - 1, typed[-1]
        counts: dict[str, int] = {}
        for i in range(lo, hi):
            words = keys[i].split()
            if len(words) > at and words[at] != last:
                counts[words[at]] = counts.get(words[at], 0) + 1
        return sorted(counts, key=lambda w: (-counts[w], w))[:limit]

    def titled_apart(self, key: str) -> str | None:
        """``key`` (words as :func:`schema.title_key` reduces a title) with one word cut in
        two, where a post's title is that: a title typed with two of its words joined
        ("npmci" for "npm-ci", "realtime web" for "Real-Time Web"); None where no such cut
        is a title. Each cut a look-up among the sorted keys, one per character of ``key``
        at most."""
        words = key.split()
        for at, word in enumerate(words):
            for cut in range(1, len(word)):
                candidate = " ".join((*words[:at], word[:cut], word[cut:], *words[at + 1:]))
                if self.titled(candidate).size:
                    return candidate
        return None

    def titled_together(self, key: str) -> str | None:
        """``key`` with two words in a row joined, where a post's title is that: a title
        typed with one of its words cut in two ("web site redesign" for "Website Redesign");
        None where no such join is a title. One look-up per word of ``key`` at most."""
        words = key.split()
        for at in range(len(words) - 1):
            candidate = " ".join((*words[:at], words[at] + words[at + 1], *words[at + 2:]))
            if self.titled(candidate).size:
                return candidate
        return None

    def _begun(self, prefix: str) -> tuple[int, int]:
        """Where the sorted title keys that begin with ``prefix`` are: keys[lo:hi]."""
        keys, _docnums = self._title_keys()
        lo = bisect.bisect_left(keys, prefix)
        return lo, bisect.bisect_left(keys, prefix + "\U0010ffff", lo)

    def titles_near_in_length(self, length: int, most: int, mask: np.ndarray) -> np.ndarray:
        """The posts of ``mask`` whose title key is ``length`` characters long, give or take
        ``most``, in order."""
        lengths, _at = self._per_post_titles()
        return np.flatnonzero(mask & (np.abs(lengths - length) <= most))

    def title_key_of(self, docnum: int) -> str:
        """The title key of post ``docnum`` ("" for a post without a title)."""
        keys, _docnums = self._title_keys()
        at = self._per_post_titles()[1][docnum]
        return keys[at] if at >= 0 else ""

    def title_keys_of(self, docnums: np.ndarray) -> list[str]:
        """:meth:`title_key_of` each of ``docnums``."""
        keys, _docnums = self._title_keys()
        return [keys[at] if at >= 0 else "" for at in self._per_post_titles()[1][docnums].tolist()]

    def _per_post_titles(self) -> tuple[np.ndarray, np.ndarray]:
        """For each post, the length of its title key (-1000 for none: near no query's) and
        where the key is among the sorted keys (-1 for none); made on first use."""
        if self._title_columns is None:
            keys, docnums = self._title_keys()
            lengths = np.full(self.size, -1000, dtype=np.int64)
            lengths[docnums] = [len(k) for k in keys]
            at = np.full(self.size, -1, dtype=np.int64)
            at[docnums] = np.arange(len(docnums))
            self._title_columns = (lengths, at)
        return self._title_columns

    def _title_keys(self) -> tuple[list[str], np.ndarray]:
        """Every live post's title key, sorted, with its document number; read on first use
        (a column Whoosh keeps per segment: a millisecond per 1,000 posts). Two threads may
        both read it the first time; either result is the same."""
        if self._titles is None:
            self._titles = self._read_titles()
        return self._titles

    def _read_titles(self) -> tuple[list[str], np.ndarray]:
        pairs: list[tuple[str, int]] = []
        with self._ix.searcher() as searcher:
            for sub, offset in searcher.leaf_searchers():
                reader = sub.reader()
                if not reader.has_column("title_key"):
                    continue
                column = reader.column_reader("title_key")
                pairs.extend(
                    (str(column[d]), d + offset) for d in range(reader.doc_count_all()) if self.alive[d + offset]
                )
        pairs.sort()
        return [k for k, _ in pairs], np.array([d for _, d in pairs], dtype=np.int64)

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every post's length of ``fieldname`` as the scorer sees it (Whoosh stores it in one
        byte, so it is approximate; 1 where the post has none), read on first use."""
        found = self._lengths.get(fieldname)
        if found is None:
            with self._ix.reader() as reader:
                found = self._documents.lengths(reader, fieldname)
            self._lengths[fieldname] = found
        return found

    def average_length(self, searcher, fieldname: str) -> float:
        """The average length of ``fieldname`` over the posts that have it (see
        schema.AVERAGE_OF_HOLDERS), counted on first use."""
        found = self._averages.get(fieldname)
        if found is None:
            with self._ix.reader() as reader:
                holders = self._documents.holders(reader, fieldname)
            found = self._averages[fieldname] = average_length(searcher.field_length(fieldname), holders)
        return found

    def _column(self, searcher, fieldname: str, *, translate: bool, valid: Callable[[int], bool]) -> np.ndarray:
        """A sortable field's value for every post (0 where it has none), segment by segment.

        (Whoosh's multi-segment column reader fails when one segment has no value at all.)
        """
        out = np.zeros(self.size, dtype=np.int64)
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if not reader.has_column(fieldname):
                continue
            column = reader.column_reader(fieldname, translate=translate)
            values = [column[d] for d in range(reader.doc_count_all())]
            arr = np.array([v if v and valid(v) else 0 for v in values], dtype=np.int64)
            out[offset : offset + len(arr)] = arr
        return out

    def _keywords(self, reader, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        keys: list[str] = []
        docs: list[int] = []
        ids: list[int] = []
        if fieldname in reader.indexed_field_names():
            for term in reader.lexicon(fieldname):
                posts = list(reader.postings(fieldname, term).all_ids())
                if not posts:
                    continue
                docs.extend(posts)
                ids.extend([len(keys)] * len(posts))
                keys.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        return keys, np.array(docs, dtype=np.int64), np.array(ids, dtype=np.int64)

    def counts(self, mask: np.ndarray, kind: str) -> dict[str, int]:
        """How many matching posts have each tag (``kind="tags"``), author (``"authors"``) or
        language (``"langs"``)."""
        keys, docs, ids = {
            "tags": (self.tag_keys, self.tag_docs, self.tag_ids),
            "authors": (self.author_keys, self.author_docs, self.author_ids),
            "langs": (self.lang_keys, self.lang_docs, self.lang_ids),
        }[kind]
        if not len(docs):
            return {}
        counted = np.bincount(ids[mask[docs]], minlength=len(keys))
        return {keys[i]: int(counted[i]) for i in np.flatnonzero(counted)}

    def year_counts(self, mask: np.ndarray) -> dict[int, int]:
        years = self.years[mask & (self.years > 0)]
        values, counted = np.unique(years, return_counts=True)
        return {int(y): int(n) for y, n in zip(values, counted)}


class Evaluator:
    """Evaluates the queries of one request against one generation.

    ``deadline`` is a callable that returns True once the request's time is up;
    after that, leaves not yet cached are read no further and :attr:`partial` is set.
    """

    def __init__(self, searcher, table: DocTable, cache: LeafCache, deadline: Callable[[], bool],
                 postings: GenerationPostings):
        self.searcher = searcher
        self.table = table
        self.cache = cache
        self.deadline = deadline
        #: The generation's postings files (see :mod:`searchsvc.postings`), where it has them.
        self.postings = postings
        self.partial = False
        #: The scored leaves met so far (not those of exclusions and filters).
        self.matched: list[MatchedLeaf] = []
        self._n = table.size
        #: While evaluating a bonus: the posts its phrases are looked for in (None: all).
        self._within: np.ndarray | None = None
        #: While evaluating for some posts only (see evaluate): those posts.
        self._only: np.ndarray | None = None
        #: Occurrences of words in some posts, kept for the request (see _occurrences_in).
        self._in_candidates: dict[tuple[str, str, bytes], tuple[np.ndarray, np.ndarray]] = {}

    # -- combining -------------------------------------------------------

    def evaluate(self, query: Query, *, scored: bool = True, only: np.ndarray | None = None) -> Matches:
        """The posts ``query`` matches (deleted posts never do) and their scores; with ``only``
        (document numbers, in order), the scores of those posts alone are right: bonuses
        are looked for in them, not in the best of the others. Unscored (``scored=False``),
        which posts match is right and their scores leave out the optional parts."""
        self._only = only
        outer, self._within = self._within, only if only is not None else self._within
        try:
            out = self._eval(query, scored)
        finally:
            self._only, self._within = None, outer
        out.mask &= self.table.alive
        out.scores *= out.mask
        return out

    def _eval(self, q: Query, scored: bool) -> Matches:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, AndNot):
            a = self._eval(q.a, scored)
            b = self._eval(q.b, False)
            a.mask &= ~b.mask
            a.scores *= a.mask
            return a
        if isinstance(q, AndMaybe):
            a = self._eval(q.a, scored)
            if not scored:
                return a  # the optional part only reorders: which posts match is a's
            # The optional part only reorders: phrases in it are looked for in the best
            # BONUS_CANDIDATES posts of the required part (all of them, on most queries).
            # (Deleted posts never match, so they are never candidates.)
            a.mask &= self.table.alive
            best = _best(a, BONUS_CANDIDATES) if self._only is None else self._only[a.mask[self._only]]
            outer, self._within = self._within, best
            try:
                b = self._eval(q.b, scored)
            finally:
                self._within = outer
            a.scores += b.scores * a.mask
            return a
        if isinstance(q, Best):
            # Forms of one word: the best of their scores, not the sum.
            mask = np.zeros(self._n, dtype=bool)
            scores = np.zeros(self._n, dtype=np.float64)
            for sub in q.subqueries:
                if _is_leaf(sub):
                    leaf = self._scored_leaf(sub, scored)
                    if len(leaf.ids):
                        mask[leaf.ids] = True  # (a leaf's posts are distinct)
                        scores[leaf.ids] = np.maximum(scores[leaf.ids], leaf.scores * getattr(sub, "boost", 1.0))
                else:
                    part = self._eval(sub, scored)
                    mask |= part.mask
                    np.maximum(scores, part.scores, out=scores)
            if boost != 1.0:
                scores *= boost
            return Matches(mask, scores)
        if isinstance(q, AllButOne):
            count = np.zeros(self._n, dtype=np.int32)
            scores = np.zeros(self._n, dtype=np.float64)
            for sub in q.subqueries:
                part = self._eval(sub, scored)
                count += part.mask
                scores += part.scores
            n = len(q.subqueries)
            mask = count >= n - 1
            if n > 2:
                scores[count == n] *= n - 1
            scores *= mask
            if boost != 1.0:
                scores *= boost
            return Matches(mask, scores)
        if isinstance(q, Or) and q.subqueries and all(_is_leaf(sub) for sub in q.subqueries):
            # Words in several fields: the leaves' scores summed at once (the same additions
            # in the same order as below, without an array per leaf).
            ids, weights = [], []
            for sub in q.subqueries:
                leaf = self._scored_leaf(sub, scored)
                if len(leaf.ids):
                    ids.append(leaf.ids)
                    weights.append(leaf.scores * getattr(sub, "boost", 1.0))
            if not ids:
                return self._empty()
            every = np.concatenate(ids) if len(ids) > 1 else ids[0]
            mask = np.zeros(self._n, dtype=bool)
            mask[every] = True
            scores = np.bincount(every, weights=np.concatenate(weights) if len(weights) > 1 else weights[0],
                                 minlength=self._n)
            if boost != 1.0:
                scores *= boost
            return Matches(mask, scores)
        if isinstance(q, (And, Or)):
            parts = [self._eval(sub, scored) for sub in q.subqueries]
            if not parts:
                return self._empty()
            mask = parts[0].mask.copy()
            scores = parts[0].scores.copy()
            for p in parts[1:]:
                if isinstance(q, And):
                    mask &= p.mask
                else:
                    mask |= p.mask
                scores += p.scores
            if isinstance(q, And):
                scores *= mask
            if boost != 1.0:
                scores *= boost
            return Matches(mask, scores)
        if isinstance(q, Every):
            return Matches(self.table.alive.copy(), self.table.alive.astype(np.float64))
        if q is NullQuery or isinstance(q, type(NullQuery)):
            return self._empty()
        leaf = self._scored_leaf(q, scored)
        mask = np.zeros(self._n, dtype=bool)
        mask[leaf.ids] = True
        scores = np.zeros(self._n, dtype=np.float64)
        scores[leaf.ids] = leaf.scores * boost
        return Matches(mask, scores)

    def _scored_leaf(self, q: Query, scored: bool) -> Leaf:
        """:meth:`leaf`, remembering which terms it matched where when it is ``scored``."""
        leaf = self.leaf(q)
        if scored:
            terms = _leaf_terms(q)
            if terms:
                self.matched.append(MatchedLeaf(terms, leaf.ids))
        return leaf

    def _empty(self) -> Matches:
        return Matches(np.zeros(self._n, dtype=bool), np.zeros(self._n, dtype=np.float64))

    # -- leaves ----------------------------------------------------------

    def leaf(self, q: Query) -> Leaf:
        """A leaf query's postings and unboosted scores, from the cache or read now."""
        key = _leaf_key(q)
        leaf = self.cache.get(key)
        if leaf is not None:
            return leaf
        phrase = isinstance(q, Phrase) and q.slop >= 1 and len(q.words) > 1
        passage = isinstance(q, Passage)
        if phrase and self._within is not None:
            # Not kept: partial by design.
            within = self._within
            stems = self.cache.get(("phrase", q.fieldname, q.stems, q.slop)) if isinstance(q, WrittenPhrase) else None
            if stems is not None:
                within = _in_both(within, stems.ids)
            if not len(within):
                return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0))
            return self._phrase(q.fieldname, list(q.words), within=within, slop=q.slop, passage=passage)
        if phrase:
            leaf = self._phrase(q.fieldname, list(q.words), slop=q.slop, passage=passage)
        elif isinstance(q, Term) and self._bm25f(q.fieldname):
            leaf = self._term(q.fieldname, q.text)
        elif isinstance(q, Term) and q.fieldname == "title_key":
            # An exact title: from the titles the table keeps, not Whoosh's matcher (0.15 ms
            # a new query); it scores 1 as Whoosh does (one unscored posting per post).
            ids = self.table.titled(q.text)
            leaf = Leaf(ids.astype(np.int32), np.ones(len(ids)))
        else:
            leaf = self._read(q.with_boost(1.0) if getattr(q, "boost", 1.0) != 1.0 else q)
        self.cache.put(key, leaf)
        return leaf

    def _bm25f(self, fieldname: str) -> bool:
        weighting = self.searcher.weighting
        return (
            isinstance(weighting, BM25F)
            and fieldname in self.searcher.schema
            and self.searcher.schema[fieldname].scorable
        )

    def _term(self, fieldname: str, word: str) -> Leaf:
        """A term's posts and BM25F scores: the postings are read in Python, the scores are
        computed for all of them at once with Whoosh's formula and statistics."""
        field = self.searcher.schema[fieldname]
        try:
            text = field.to_bytes(word)
        except ValueError:
            return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0))
        found, tf, complete, frequency = self._postings(fieldname, text)
        if not len(found):
            return Leaf(found, np.zeros(0), complete)
        weighting = self.searcher.weighting
        lengths = self.table.lengths(fieldname)
        # The statistics are the whole index's, as Whoosh's BM25FScorer takes them.
        B = field_b(fieldname, weighting.B)
        K1 = weighting.K1
        idf_of = type(weighting).idf
        if frequency is not None and idf_of in (WeightingModel.idf, FIELD_IDF):
            # The weighting's own formula, without looking the term up in every segment again
            # (and searchsvc's: the body's count, read once for the query's body terms anyway,
            # for a title's word).
            body = None
            if idf_of is FIELD_IDF and fieldname in POST_IDF and self._bm25f("body"):
                read = self.leaf(Term("body", word))
                body = read.size if read.complete else None
            idf = field_idf(fieldname, self.searcher.doc_count_all(), frequency, body)
        else:
            idf = self.searcher.idf(fieldname, text)
        if fieldname in AVERAGE_OF_HOLDERS:
            avgfl = self.table.average_length(self.searcher, fieldname)
        else:
            avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = lengths[found]
        # whoosh.scoring.bm25, term for term (so the floats are the same).
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return Leaf(found, scores, complete)

    def _postings(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray, bool, int | None]:
        """(posts, weights, complete, document frequency) of one term in every segment, from
        the postings files (:mod:`searchsvc.postings`). The document frequency is Whoosh's
        (deleted posts included): the number of postings."""
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for own, offset, _count in self._parts():
            if self.deadline():
                self.partial = True
                return _concat(ids), (np.concatenate(tfs) if tfs else np.zeros(0)), False, None
            found = own.postings(fieldname, own.key(text))
            if found is not None and len(found[0]):
                ids.append(found[0].astype(np.int64) + offset)
                tfs.append(found[1].astype(np.float64))
        posts = _concat(ids)
        return posts, (np.concatenate(tfs) if tfs else np.zeros(0)), True, len(posts)

    def _parts(self) -> list[Part]:
        """Where the postings are, part by part (see :meth:`GenerationPostings.parts`)."""
        return self.postings.parts(self.searcher.reader())

    def _phrase(self, fieldname: str, words: list[str], within: np.ndarray | None = None, slop: int = 1,
                passage: bool = False) -> Leaf:
        """The posts where ``words`` occur one after the other (with ``slop`` > 1: in order,
        each at most ``slop`` words after the one before; a ``passage``: also in any order,
        see :class:`Passage`), scored as Whoosh scores a phrase (the sum of its words' scores).

        The posts that have every word are the candidates; the words' positions there are
        compared as (post, position) keys. Whoosh's own phrase matcher builds Python
        objects for every occurrence of every word in every candidate post instead.
        """
        # Word by word, stopping at the first that leaves no post with them all (a long
        # phrase, or a pasted CJK sentence of 30 pairs, is mostly absent from most fields).
        words_leaves = []
        candidates = None if within is None else within.astype(np.int32)
        for w in words:
            leaf = self.leaf(Term(fieldname, w))
            if not leaf.complete:
                return _EMPTY_INCOMPLETE
            words_leaves.append(leaf)
            candidates = leaf.ids if candidates is None else _in_both(candidates, leaf.ids)
            if not len(candidates):
                return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0))
        # A passage: first the posts with the words close together in any order.
        near = self._near(fieldname, words, words_leaves, candidates, slop) if passage else None
        if near is not None and not near.complete:
            return _EMPTY_INCOMPLETE
        starts = None
        implied = _implied_pairs(words) if slop == 1 else ()
        # Words in a row: the rarest first, which leaves the fewest posts to read the others
        # in (in order, each word's chain needs the one before).
        order = sorted(range(len(words)), key=lambda i: len(words_leaves[i].ids)) if slop == 1 else range(len(words))
        for i in order:
            word = words[i]
            if not len(candidates):
                break
            if i in implied:
                continue
            found = self._occurrences_in(fieldname, word, candidates, words_leaves[i])
            if found is None:
                return _EMPTY_INCOMPLETE
            ids, positions = found
            if slop > 1:
                keys = (ids.astype(np.int64) << 32) | positions.astype(np.int64)
                # Where each chain has got to: the first occurrence of this word after it.
                if starts is None:
                    starts = keys
                else:
                    at = np.searchsorted(keys, starts, "right")
                    ok = at < len(keys)
                    nxt = keys[np.minimum(at, len(keys) - 1)]
                    ok &= ((nxt >> 32) == (starts >> 32)) & (nxt - starts <= slop)
                    starts = nxt[ok]
                candidates = _sorted_unique(starts >> 32)
                continue
            inside = positions >= i
            # (post, where the phrase would start if this word is its i-th), as one number.
            keys = (ids[inside].astype(np.int64) << 32) | (positions[inside].astype(np.int64) - i)
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            candidates = _sorted_unique(starts >> 32)
        ordered = (Leaf(np.zeros(0, dtype=np.int32), np.zeros(0)) if starts is None or not len(candidates)
                   else _phrase_leaf(candidates.astype(np.int32), words_leaves))
        if near is None or not len(near.ids):
            return ordered
        # The posts in any order at their share; those in order (some may not be near the
        # rarest word: each of three words may be 'slop' after the one before) in full.
        ids = np.union1d(near.ids, ordered.ids).astype(np.int32)
        scores = np.zeros(len(ids))
        scores[np.searchsorted(ids, near.ids)] = near.scores * ANY_ORDER_SHARE
        scores[np.searchsorted(ids, ordered.ids)] = ordered.scores
        return Leaf(ids, scores)

    def _near(self, fieldname: str, words: list[str], words_leaves: list[Leaf], candidates: np.ndarray,
              slop: int) -> Leaf:
        """The posts of ``candidates`` (those with every word) where every word occurs at most
        ``slop`` words before or after an occurrence of the rarest of them, in any order."""
        keys = self._occurrence_keys(fieldname, words, candidates, words_leaves)
        if keys is None:
            return _EMPTY_INCOMPLETE
        posts = near_posts(keys, slop)
        if not len(posts):
            return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0))
        return _phrase_leaf(posts.astype(np.int32), words_leaves)

    def close_together(self, fieldname: str, words: Sequence[str], docs: np.ndarray, slop: int,
                       lacking: Sequence[bool] | None = None) -> np.ndarray:
        """Which of ``docs`` (in order) have every one of ``words`` but one in ``fieldname``,
        those each at most ``slop`` words before or after an occurrence of the rarest of them,
        in any order: a passage remembered, and a word added that the post lacks. With
        ``lacking``, for each word, whether a post may be the one without it."""
        keys = self._occurrence_keys(fieldname, words, docs, [self.leaf(Term(fieldname, w)) for w in words])
        if keys is None:
            return np.zeros(0, dtype=np.int64)
        having = [np.isin(docs, k >> 32) for k in keys]
        count = np.sum(having, axis=0)
        out = [np.zeros(0, dtype=np.int64)]
        for j in range(len(words)):
            if lacking is not None and not lacking[j]:
                continue
            these = docs[~having[j] & (count == len(words) - 1)]
            if len(these):
                out.append(near_posts([k[np.isin(k >> 32, these)] for i, k in enumerate(keys) if i != j], slop))
        return np.unique(np.concatenate(out))

    def _occurrence_keys(self, fieldname: str, words: Sequence[str], candidates: np.ndarray,
                         leaves: Sequence[Leaf]) -> list[np.ndarray] | None:
        """Each word's occurrences in ``candidates`` as sorted ``post << 32 | position``
        numbers (see near_posts); None when the request's time ran out."""
        keys = []
        for word, leaf in zip(words, leaves):
            found = self._occurrences_in(fieldname, word, candidates, leaf)
            if found is None:
                return None
            ids, positions = found
            keys.append((ids.astype(np.int64) << 32) | positions.astype(np.int64))
        return keys

    def _occurrences_in(self, fieldname: str, word: str, candidates: np.ndarray,
                        leaf: Leaf) -> tuple[np.ndarray, np.ndarray] | None:
        """The (post, position) of each occurrence of ``word`` in ``candidates`` (both in post
        order); None when the request's time ran out before all were read. Kept for the
        request: its exact and sloppy phrases, in order and not, look for the same words in
        the same posts."""
        key = (fieldname, word, candidates.tobytes())
        if key in self._in_candidates:
            return self._in_candidates[key]
        found = self.cache.get(("positions", fieldname, word))
        if found is None and len(candidates) * FEW_CANDIDATES < leaf.size:
            # In these posts only: not kept for the generation (another phrase has others).
            found = self._occurrences(fieldname, word, candidates)
        elif found is None:
            found = self.positions(fieldname, word)
        if not found.complete:
            return None
        # The word's occurrences in the candidates (both in post order): a stretch each.
        first = np.searchsorted(found.ids, candidates, "left")
        at = ranges(first, np.searchsorted(found.ids, candidates, "right") - first)
        self._in_candidates[key] = out = (found.ids[at], found.positions[at])
        return out

    def positions(self, fieldname: str, word: str) -> Occurrences:
        """Every occurrence of ``word`` in ``fieldname``, read once per generation."""
        key = ("positions", fieldname, word)
        found = self.cache.get(key)
        if found is None:
            found = self._occurrences(fieldname, word)
            self.cache.put(key, found)
        return found

    def _occurrences(self, fieldname: str, word: str, docnums: np.ndarray | None = None) -> Occurrences:
        """The occurrences of ``word`` (in ``docnums`` only, when given), part by part; cut
        short (incomplete) when the request's time is up."""
        parts, complete = self._found(fieldname, word, docnums, chars=False)
        ids = [(found.ids + offset).astype(np.int32) for offset, found in parts]
        return Occurrences(_concat(ids), _concat([found.positions for _, found in parts]), complete=complete)

    def with_length(self, fieldname: str, word: str, length: int, docnums: np.ndarray) -> np.ndarray:
        """Which of ``docnums`` (ascending) have an occurrence of ``word`` (a term of
        ``fieldname``) that is ``length`` characters long in their text (those found before
        the request's time is up)."""
        out: list[np.ndarray] = []
        for offset, found in self._found(fieldname, word, docnums, positions=False)[0]:
            ids = found.ids[(found.ends - found.starts) == length]  # in post order
            if len(ids):
                out.append(ids[np.concatenate(([True], ids[1:] != ids[:-1]))].astype(np.int64) + offset)
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def _found(self, fieldname: str, word: str, docnums: np.ndarray | None,
               **read: bool) -> tuple[list[tuple[int, Found]], bool]:
        """``word``'s occurrences in each part of the postings (in ``docnums`` only, when
        given), with the part's first document number; and False when the request's time ran
        out before every part was read. ``read``: what :meth:`SegmentPostings.occurrences` reads."""
        text = self.searcher.schema[fieldname].to_bytes(word)
        out: list[tuple[int, Found]] = []
        for own, offset, count in self._parts():
            if self.deadline():
                self.partial = True
                return out, False
            local = None
            if docnums is not None:
                local = docnums[(docnums >= offset) & (docnums < offset + count)] - offset
                if not len(local):
                    continue
                local = local.astype(np.int64)
            found = own.occurrences(fieldname, own.key(text), local, **read)
            if found is not None:
                out.append((offset, found))
        return out, True

    def _read(self, q: Query) -> Leaf:
        """Run Whoosh's matcher for ``q`` on each segment (so scores use the global statistics)."""
        ids: list[int] = []
        scores: list[float] = []
        complete = True
        if self.partial or self.deadline():
            self.partial = True
            return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0), complete=False)
        for sub, offset in self.searcher.leaf_searchers():
            m = q.matcher(sub, sub.context())
            while m.is_active():
                ids.append(m.id() + offset)
                scores.append(m.score())
                # One step of a phrase can cost milliseconds: look at the clock every time.
                m.next()
                if self.deadline():
                    self.partial = True
                    complete = False
                    break
            if not complete:
                break
        return Leaf(np.array(ids, dtype=np.int32), np.array(scores, dtype=np.float64), complete)

    def terms_of(self, docnums: list[int]) -> dict[int, set[tuple[str, str]]]:
        """For each of ``docnums``, the (field, text) terms of the scored leaves it matches."""
        out: dict[int, set[tuple[str, str]]] = {d: set() for d in docnums}
        if not docnums:
            return out
        page = np.array(sorted(out), dtype=np.int64)
        # The docnums in a leaf of many posts are looked up in it; a query's many leaves of
        # few posts (a word's forms in each field) are looked up in the docnums, all at once.
        small = []
        for leaf in self.matched:
            if len(leaf.ids) > SMALL_LEAF:
                at = np.minimum(np.searchsorted(leaf.ids, page), len(leaf.ids) - 1)
                for docnum in page[leaf.ids[at] == page].tolist():
                    out[docnum].update(leaf.terms)
            elif len(leaf.ids):
                small.append(leaf)
        if small:
            ids = np.concatenate([leaf.ids for leaf in small])
            owners = np.repeat(np.arange(len(small)), [len(leaf.ids) for leaf in small])
            at = np.minimum(np.searchsorted(page, ids), len(page) - 1)
            hit = np.flatnonzero(page[at] == ids)
            for owner, docnum in zip(owners[hit].tolist(), ids[hit].tolist()):
                out[docnum].update(small[owner].terms)
        return out


def _is_leaf(q: Query) -> bool:
    """Whether :meth:`Evaluator._eval` reads ``q`` as one leaf (not a combination of queries)."""
    return not isinstance(q, (AndNot, AndMaybe, And, Or, Every)) and not isinstance(q, type(NullQuery))


def _leaf_key(q: Query) -> object:
    """What makes two leaves the same postings (the boost does not)."""
    if isinstance(q, Term):
        return ("term", q.fieldname, q.text)
    words = getattr(q, "words", None)
    if words is not None:
        return ("passage" if isinstance(q, Passage) else "phrase", q.fieldname, tuple(words), getattr(q, "slop", 1))
    return q.with_boost(1.0) if getattr(q, "boost", 1.0) != 1.0 else q


def _leaf_terms(q: Query) -> tuple[tuple[str, str], ...]:
    """The terms a leaf shows as matched in a post it matches (those of a phrase, of a term)."""
    if isinstance(q, Term):
        return ((q.fieldname, q.text),)
    words = getattr(q, "words", None)
    return tuple((q.fieldname, w) for w in words) if words is not None else ()


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)


def _implied_pairs(words: list[str]) -> set[int]:
    """Which words of a phrase need not be looked for where they stand: a pair of CJK
    characters between two pairs it links ("服务" "务器" "器件": "服务" at one place and "器件"
    two further on spell "服务器件"). Every other pair of a run is looked for, the last always;
    the posts must still have every pair somewhere (the phrase's candidates).

    >>> sorted(_implied_pairs(["服务", "务器", "器件", "件的"])), sorted(_implied_pairs(["node", "js"]))
    ([1], [])
    """
    implied: set[int] = set()
    for i in range(1, len(words) - 1):
        before, word, after = words[i - 1], words[i], words[i + 1]
        if (
            i - 1 not in implied
            and len(before) == len(word) == len(after) == 2
            and before[1] == word[0]
            and word[1] == after[0]
            and is_cjk(before + word + after)
        ):
            implied.add(i)
    return implied


def _in_both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two ascending arrays without repeats (posts, not occurrences):
    ``np.intersect1d`` without its sort of both, by looking the shorter up in the longer (a
    hundred candidate posts in the thousands of a common word's).

    >>> _in_both(np.array([2, 5, 9]), np.array([1, 2, 3, 9, 12])).tolist()
    [2, 9]
    """
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.searchsorted(b, a)
    np.minimum(at, len(b) - 1, out=at)
    return a[b[at] == a]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for values in ascending order (without its sort: small arrays
    here, where NumPy's own steps are most of the time).

    >>> _sorted_unique(np.array([2, 2, 5, 9, 9, 9])).tolist()
    [2, 5, 9]
    """
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def near_posts(keys: list[np.ndarray], slop: int) -> np.ndarray:
    """The posts where an occurrence of the rarest word has one of every other word at most
    ``slop`` positions before or after it; ``keys``: each word's occurrences as sorted
    ``post << 32 | position`` numbers.

    >>> key = lambda post, position: post << 32 | position
    >>> near_posts([np.array([key(1, 0), key(2, 0)]), np.array([key(1, 5), key(2, 9)])], 6).tolist()
    [1]
    """
    keys = sorted(keys, key=len)
    anchors = keys[0]
    for other in keys[1:]:
        if not len(anchors) or not len(other):
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(other, anchors)
        after = other[np.minimum(at, len(other) - 1)]
        before = other[np.maximum(at - 1, 0)]
        post = anchors >> 32
        anchors = anchors[
            (((after >> 32) == post) & (np.abs(after - anchors) <= slop))
            | (((before >> 32) == post) & (np.abs(anchors - before) <= slop))
        ]
    return _sorted_unique(anchors >> 32)


def _phrase_leaf(ids: np.ndarray, words_leaves: list[Leaf]) -> Leaf:
    """The phrase found in ``ids``, scored as the sum of its words' scores there."""
    scores = np.zeros(len(ids))
    for leaf in words_leaves:
        scores += leaf.scores[np.searchsorted(leaf.ids, ids)]
    return Leaf(ids, scores)


def _best(found: Matches, count: int) -> np.ndarray:
    """The ``count`` best-scoring posts of ``found`` (all of them when fewer), in post order."""
    docs = np.flatnonzero(found.mask)
    if len(docs) > count:
        docs = np.sort(docs[np.argpartition(-found.scores[docs], count - 1)[:count]])
    return docs
