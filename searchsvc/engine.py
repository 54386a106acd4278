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
  required one matches, ``AndNot`` removes, a boost multiplies (:func:`evaluate`);
- what facets and sorting need (tags, authors, year and date of every post) is read
  once per generation into :class:`DocTable`.

Reading a leaf checks the request's deadline as it goes, so no query can tie up a
worker: a leaf cut short is used as far as it was read (never cached), and the
result says it is partial.
"""

from __future__ import annotations

import bisect
import itertools
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from math import log
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.formats import Characters, Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import _length_byte_cache
from whoosh.scoring import BM25F, WeightingModel
from whoosh.query import And, AndMaybe, AndNot, Every, NullQuery, Or, Phrase, Query, Term

from .postings import GenerationPostings, Part, ranges, term_key

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


#: The posts, best first by the required part of a query, in which the phrases of its
#: optional part (the phrase bonus of a query of several words) are looked for.
BONUS_CANDIDATES = 100

#: A phrase whose candidates are fewer than 1/FEW_CANDIDATES of a word's posts reads that
#: word's positions in the candidates only, instead of all of them (kept for next time).
FEW_CANDIDATES = 8

_EMPTY_INCOMPLETE = Leaf(np.zeros(0, dtype=np.int32), np.zeros(0), complete=False)


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

    def __init__(self, ix):
        # Read through a searcher of its own, closed after: the column readers Whoosh keeps
        # hold megabytes at 10,000 posts, and the request's searcher would keep them.
        self._ix = ix
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
        self._lengths: dict[str, np.ndarray] = {}

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every post's length of ``fieldname`` as the scorer sees it (Whoosh stores it in one
        byte, so it is approximate; 1 where the post has none), read on first use."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = np.ones(self.size, dtype=np.float64)
            with self._ix.searcher() as searcher:
                for sub, offset in searcher.leaf_searchers():
                    count = sub.reader().doc_count_all()
                    column = _length_bytes(sub.reader(), fieldname, count)
                    if column is not None:
                        found[offset : offset + count] = np.where(column > 0, _BYTE_TO_LENGTH[column], 1)
                    else:
                        found[offset : offset + count] = [sub.doc_field_length(d, fieldname, 1) for d in range(count)]
            self._lengths[fieldname] = found
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
        """How many matching posts have each tag (``kind="tags"``) or author (``"authors"``)."""
        keys, docs, ids = (
            (self.tag_keys, self.tag_docs, self.tag_ids)
            if kind == "tags"
            else (self.author_keys, self.author_docs, self.author_ids)
        )
        if not len(docs):
            return {}
        counted = np.bincount(ids[mask[docs]], minlength=len(keys))
        return {keys[i]: int(counted[i]) for i in np.flatnonzero(counted)}

    def year_counts(self, mask: np.ndarray) -> dict[int, int]:
        years = self.years[mask & (self.years > 0)]
        values, counted = np.unique(years, return_counts=True)
        return {int(y): int(n) for y, n in zip(values, counted)}


#: Whoosh's field length of each length byte.
_BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float64)


def _length_bytes(reader, fieldname: str, count: int) -> np.ndarray | None:
    """The length byte of ``fieldname`` for each of a segment's ``count`` posts, read at once
    (Whoosh reads one post at a time: a second per field at 10,000 posts), or None when the
    segment's length column is not Whoosh 2.7's plain byte column."""
    perdoc = getattr(reader, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        return None
    out = np.zeros(count, dtype=np.int64)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return out
    if not isinstance(column, NumericColumn.Reader) or column._fixedlen != 1 or column._default != 0:
        return None
    stored = min(column._count, count)
    out[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    return out


class Evaluator:
    """Evaluates the queries of one request against one generation.

    ``deadline`` is a callable that returns True once the request's time is up;
    after that, leaves not yet cached are read no further and :attr:`partial` is set.
    """

    def __init__(self, searcher, table: DocTable, cache: LeafCache, deadline: Callable[[], bool],
                 postings: GenerationPostings | None = None):
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

    # -- combining -------------------------------------------------------

    def evaluate(self, query: Query, *, scored: bool = True) -> Matches:
        """The posts ``query`` matches (deleted posts never do) and their scores."""
        out = self._eval(query, scored)
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
            # The optional part only reorders: phrases in it are looked for in the best
            # BONUS_CANDIDATES posts of the required part (all of them, on most queries).
            outer, self._within = self._within, _best(a, BONUS_CANDIDATES)
            try:
                b = self._eval(q.b, scored)
            finally:
                self._within = outer
            a.scores += b.scores * a.mask
            return a
        if isinstance(q, Or) and q.subqueries and all(_is_leaf(sub) for sub in q.subqueries):
            # Words in several fields: each leaf's scores are added straight into one array
            # (the same additions in the same order as below, without an array per leaf).
            empty = self._empty()
            mask, scores = empty.mask, empty.scores
            for sub in q.subqueries:
                leaf = self._scored_leaf(sub, scored)
                mask[leaf.ids] = True
                scores[leaf.ids] += leaf.scores * getattr(sub, "boost", 1.0)
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
            terms = tuple((f, t) for f, t in _leaf_terms(q))
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
        phrase = isinstance(q, Phrase) and q.slop == 1 and len(q.words) > 1
        if phrase and self._within is not None:
            return self._phrase(q.fieldname, list(q.words), within=self._within)  # not kept: partial by design
        if phrase:
            leaf = self._phrase(q.fieldname, list(q.words))
        elif isinstance(q, Term) and self._bm25f(q.fieldname):
            leaf = self._term(q.fieldname, q.text)
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
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        if frequency is not None and type(weighting).idf is WeightingModel.idf:
            # Whoosh's own formula, without looking the term up in every segment again.
            idf = log(self.searcher.doc_count_all() / (frequency + 1)) + 1
        else:
            idf = self.searcher.idf(fieldname, text)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = lengths[found]
        # whoosh.scoring.bm25, term for term (so the floats are the same).
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return Leaf(found, scores, complete)

    def _postings(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray, bool, int | None]:
        """(posts, weights, complete, document frequency) of one term in every segment.

        A segment's postings come from its postings file (:mod:`searchsvc.postings`) when it
        has one, else from Whoosh a block at a time. The document frequency, as Whoosh counts
        it (deleted posts included), is known only when every segment had its file: Whoosh's
        reader skips the deleted posts at the start of a list.
        """
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        complete = True
        from_files = True
        key = None
        for own, reader, offset, _count in self._parts(fieldname):
            if own is not None:
                key = term_key(text) if key is None else key
                block_ids, block_weights = own.postings(fieldname, key)
                if len(block_ids):
                    ids.append(block_ids.astype(np.int64) + offset)
                    tfs.append(block_weights.astype(np.float64))
                continue
            from_files = False
            if (fieldname, text) not in reader:
                continue
            for block_ids, block_weights in postings_blocks(reader.postings(fieldname, text)):
                ids.append(np.asarray(block_ids, dtype=np.int64) + offset)
                tfs.append(np.asarray(block_weights, dtype=np.float64))
                if self.deadline():
                    self.partial = True
                    complete = False
                    break
            if not complete:
                break
        found = _concat(ids)
        return found, (np.concatenate(tfs) if tfs else np.zeros(0)), complete, (len(found) if from_files else None)

    def _parts(self, fieldname: str, *, occurrences: bool = False) -> list[Part]:
        """Where ``fieldname``'s postings are, part by part (see :meth:`GenerationPostings.parts`);
        without postings files, every segment through Whoosh."""
        reader = self.searcher.reader()
        if self.postings is not None:
            return self.postings.parts(reader, fieldname, occurrences=occurrences)
        return [Part(None, sub, offset, sub.doc_count_all()) for sub, offset in reader.leaf_readers()]

    def _phrase(self, fieldname: str, words: list[str], within: np.ndarray | None = None) -> Leaf:
        """The posts where ``words`` occur one after the other, scored as Whoosh scores a
        phrase (the sum of its words' scores).

        The posts that have every word are the candidates; the words' positions there are
        intersected as (post, position) keys. Whoosh's own phrase matcher builds Python
        objects for every occurrence of every word in every candidate post instead.
        """
        words_leaves = [self.leaf(Term(fieldname, w)) for w in words]
        if not all(leaf.complete for leaf in words_leaves):
            return _EMPTY_INCOMPLETE
        candidates = words_leaves[0].ids if within is None else within.astype(np.int32)
        for leaf in words_leaves:
            candidates = np.intersect1d(candidates, leaf.ids, assume_unique=True)
        starts = None
        for i, word in enumerate(words):
            if not len(candidates):
                break
            found = self.cache.get(("positions", fieldname, word))
            if found is None and len(candidates) * FEW_CANDIDATES < words_leaves[i].size:
                found = self._positions_in(fieldname, word, candidates)
            elif found is None:
                found = self.positions(fieldname, word)
            if not found.complete:
                return _EMPTY_INCOMPLETE
            # The word's occurrences in the candidates (both in post order): a stretch each.
            first = np.searchsorted(found.ids, candidates, "left")
            at = ranges(first, np.searchsorted(found.ids, candidates, "right") - first)
            ids, positions = found.ids[at], found.positions[at]
            inside = positions >= i
            # (post, where the phrase would start if this word is its i-th), as one number.
            keys = (ids[inside].astype(np.int64) << 32) | (positions[inside].astype(np.int64) - i)
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            candidates = np.unique(starts >> 32)
        if starts is None or not len(candidates):
            return Leaf(np.zeros(0, dtype=np.int32), np.zeros(0))
        return _phrase_leaf(candidates.astype(np.int32), words_leaves)

    def _positions_in(self, fieldname: str, word: str, docnums: np.ndarray) -> Occurrences:
        """The occurrences of ``word`` in some posts only (not kept: another phrase has others)."""
        field = self.searcher.schema[fieldname]
        text = field.to_bytes(word)
        ids: list[int] = []
        positions: list[int] = []
        for own, reader, offset, count in self._parts(fieldname, occurrences=True):
            local = docnums[(docnums >= offset) & (docnums < offset + count)] - offset
            if not len(local):
                continue
            if own is not None:
                found = own.occurrences(fieldname, term_key(text), local.astype(np.int64), chars=False)
                ids.extend((found.ids + offset).tolist())
                positions.extend(found.positions.tolist())
                continue
            if (fieldname, text) not in reader:
                continue
            m = reader.postings(fieldname, text)
            for docnum in local.tolist():
                if seek(m, docnum):
                    found_at = m.value_as("positions")
                    ids.extend([docnum + offset] * len(found_at))
                    positions.extend(found_at)
                if self.deadline():
                    self.partial = True
                    return Occurrences(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), complete=False)
        return Occurrences(np.array(ids, dtype=np.int32), np.array(positions, dtype=np.int32))

    def positions(self, fieldname: str, word: str) -> Occurrences:
        """Every occurrence of ``word`` in ``fieldname``, read once per generation."""
        key = ("positions", fieldname, word)
        found = self.cache.get(key)
        if found is not None:
            return found
        field = self.searcher.schema[fieldname]
        text = field.to_bytes(word)
        ids: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        complete = True
        for own, reader, offset, _count in self._parts(fieldname, occurrences=True):
            if own is not None:
                found = own.occurrences(fieldname, term_key(text), chars=False)
                ids.append((found.ids + offset).astype(np.int32))
                positions.append(found.positions)
                continue
            if (fieldname, text) not in reader:
                continue
            for block_ids, block_values in postings_blocks(reader.postings(fieldname, text), values=True):
                counts, found_at = decode_positions(field.format, block_values)
                ids.append(np.repeat(np.asarray(block_ids, dtype=np.int32) + offset, counts))
                positions.append(found_at)
                if self.deadline():
                    self.partial = True
                    complete = False
                    break
            if not complete:
                break
        found = Occurrences(_concat(ids), _concat(positions), complete)
        self.cache.put(key, found)
        return found

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
        wanted = np.array(docnums, dtype=np.int64)
        for leaf in self.matched:
            if not len(leaf.ids):
                continue
            at = np.minimum(np.searchsorted(leaf.ids, wanted), len(leaf.ids) - 1)
            for i in np.flatnonzero(leaf.ids[at] == wanted):
                out[docnums[i]].update(leaf.terms)
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
        return ("phrase", q.fieldname, tuple(words), getattr(q, "slop", 1))
    return q.with_boost(1.0) if getattr(q, "boost", 1.0) != 1.0 else q


def _leaf_terms(q: Query) -> Iterable[tuple[str, str]]:
    """The terms a leaf shows as matched in a post it matches (those of a phrase, of a term)."""
    if isinstance(q, Term):
        yield q.fieldname, q.text
        return
    words = getattr(q, "words", None)
    if words is not None:
        for w in words:
            yield q.fieldname, w


# ---------------------------------------------------------------------------
# Reading Whoosh's postings a block at a time


def leaf_matcher(m):
    """The W3 leaf matcher under ``m`` (a segment with deletions wraps it in a filter; the
    deleted posts are masked out by :meth:`Evaluator.evaluate` anyway), else None."""
    while isinstance(m, FilterMatcher):
        m = m.child
    return m if isinstance(m, W3LeafMatcher) else None


def postings_blocks(m, *, values: bool = False) -> Iterable[tuple[Sequence[int], Sequence[Any]]]:
    """A postings list as (ids, weights) pairs of sequences, or (ids, values) with ``values``.

    Whoosh 2.7's W3 leaf matcher decodes a whole block (up to 128 postings) into arrays
    and then hands them out one call at a time; taking each block's arrays whole reads a
    long list about ten times faster. Any other matcher is read one posting at a time.
    """
    leaf = leaf_matcher(m)
    if leaf is None:
        while m.is_active():
            yield (m.id(),), ((m.value() if values else m.weight()),)
            m.next()
        return
    while leaf.is_active():
        if leaf._data is None:
            leaf._read_data()  # the block, unpickled: (id deltas, weights, values, ...)
        start = leaf._i
        raw_ids = np.asarray(leaf._data[0], dtype=np.int64)
        ids = (raw_ids if leaf._byteids else np.cumsum(raw_ids))[start:]
        if values:
            leaf.value()
            yield ids, leaf._values[start:]
        else:
            weights = leaf._data[1]
            if weights is None or isinstance(weights, float):  # every posting weighs the same
                yield ids, np.full(len(ids), 1.0 if weights is None else weights)
            else:
                yield ids, np.asarray(weights, dtype=np.float64)[start:]
        leaf._next_block()


def seek(m, docnum: int) -> bool:
    """Move ``m`` forward to ``docnum``; True when it is there (False: absent or past the end).

    Whoosh's skip_to steps through a block one posting at a time; a W3 leaf matcher's
    block is searched with bisect instead.
    """
    if not m.is_active():
        return False
    leaf = leaf_matcher(m)
    if leaf is None or leaf is not m:
        if m.id() < docnum:
            m.skip_to(docnum)
        return m.is_active() and m.id() == docnum
    if docnum > leaf.block_max_id():
        leaf._skip_to_block(lambda: docnum > leaf.block_max_id())
        if not leaf.is_active():
            return False
    leaf.id()  # loads the block's ids
    leaf._i = bisect.bisect_left(leaf._ids, docnum, leaf._i, leaf._blocklength)
    if leaf._i >= leaf._blocklength:  # cannot happen: docnum <= the block's last id
        leaf._next_block()
        return False
    return leaf._ids[leaf._i] == docnum


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)


def decode_positions(fmt, values: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(occurrences per posting, all their positions) of a block of postings values.

    Whoosh 2.7's Positions and Characters formats store a posting as a count and a
    pickled list of deltas; ``decode_positions`` adds them up in a Python loop per
    occurrence. Here each value is unpickled (in C) and the deltas of the whole block
    are summed at once. Other formats go through their own decoder.
    """
    if type(fmt) not in (Positions, Characters):
        decoded = [fmt.decode_positions(v) for v in values]
        counts = np.array([len(d) for d in decoded], dtype=np.int64)
        return counts, np.array(list(itertools.chain.from_iterable(decoded)), dtype=np.int64)
    codes = [pickle.loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b".") for v in values]
    counts = np.array([len(c) for c in codes], dtype=np.int64)
    flat = list(itertools.chain.from_iterable(codes))
    if not flat:
        return counts, np.zeros(0, dtype=np.int64)
    deltas = np.array(flat, dtype=np.int64)
    if deltas.ndim == 2:  # Characters: (position delta, start delta, length)
        deltas = deltas[:, 0]
    running = np.concatenate(([0], np.cumsum(deltas)))
    # Each posting's positions count again from 0: take off the deltas of the postings before it.
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return counts, running[1:] - np.repeat(running[firsts], counts)


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
