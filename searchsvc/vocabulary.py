"""The words of one generation: completions as you type, corrections of typos, title suggestions."""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections import abc
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
from rapidfuzz import process as rf_process
from rapidfuzz.distance import OSA

from .codec import field_words
from .languages import DEFAULT as DEFAULT_LANGUAGE, has_cjk, has_letters, is_cjk
from .schema import JOINED_MARK, STOP, WRITTEN_SEP, CachedAnalyzer, hyphen_joined, title_key
from .storage import segment_readers

MAX_SUGGESTIONS = 8
#: Characters of a CJK title word from which its suffixes are listed (see TitleIndex).
MAX_TITLE_SUFFIXES = 40
#: The field whose words also complete the last word of a query of several words, and
#: correct a typo no title, heading, tag or description word corrects; how many of each.
BODY = "body"
BODY_COMPLETIONS = 8
BODY_CORRECTIONS = 2
#: Words a half-typed last word completes to in the titles begun with the words typed.
TITLE_CONTINUATIONS = 8
#: A word being typed that starts no word of the index (4+ letters) completes to the words
#: whose start is one typo away from it (see Lexicon.near_starts): at most this many starts,
#: looked for among at most MAX_FUZZY_POOL words.
MAX_NEAR_STARTS = 24
MAX_FUZZY_POOL = 10_000
#: A word typed without the dot of a name posts write with one ("nodejs" for "Node.js"):
#: of this many letters and digits at least, read as at most MAX_DOTTED such names.
MIN_DOTTED = 4
MAX_DOTTED = 2
#: Completions of the word being typed are looked for where a reader's target is named.
PREFIX_FIELDS = ("title", "headings", "tag_text")
#: A word being typed of this many letters at least also completes to words that indexing
#: made of two a hyphen joins ("realti": "real-time", see schema.JOINED_MARK), at most
#: JOINED_COMPLETIONS of them in each field.
MIN_JOINED_START = 3
JOINED_COMPLETIONS = 4


# ---------------------------------------------------------------------------
# The words of one generation: completions as you type, corrections of typos


#: Analysed words by (analyzer, language, text): query words and headings recur from
#: request to request, and the prose fields share one analyzer. The analyzers are kept
#: alive with their entries, so an ``id()`` is never reused while it is a key here.
_ANALYSED: dict[tuple[int, str, str, bool], list[str]] = {}
_ANALYZERS: dict[int, Any] = {}
MAX_ANALYSED = 20_000


def analyze(schema, fieldname: str, text: str, lang: str = DEFAULT_LANGUAGE, *, exact: bool = False) -> list[str]:
    """The terms ``text`` becomes in ``fieldname`` (as a query), analysed as ``lang``; with
    ``exact``, words as written where the language indexes them so (see schema.exact_form)."""
    analyzer = schema[fieldname].analyzer
    key = (id(analyzer), lang, text, exact)
    tokens = _ANALYSED.get(key)
    if tokens is None and lang != DEFAULT_LANGUAGE and not has_letters(text):
        # Nothing in the text a language reads differently (Chinese, Japanese or Korean
        # text, numbers, punctuation): every language gives the same terms, so a blog read
        # in three languages analyses it once, not three times.
        lang = DEFAULT_LANGUAGE
        key = (id(analyzer), lang, text, exact)
        tokens = _ANALYSED.get(key)
    if tokens is None:
        if isinstance(analyzer, CachedAnalyzer):
            tokens = analyzer.query_terms(text, lang, exact)
        else:
            tokens = [t.text for t in analyzer(text, mode="query", lang=lang, exact=exact)]
        if len(_ANALYSED) >= MAX_ANALYSED:
            _ANALYSED.clear()
            _ANALYZERS.clear()
        _ANALYZERS[id(analyzer)] = analyzer
        _ANALYSED[key] = tokens
    return list(tokens)


def may_hold_typo(word: str, shortest: int = 4) -> bool:
    """Whether ``word`` (folded, or as the body indexes it) may be read as holding a typo, or
    as being typed with a slip when it starts no word: ``shortest`` letters or more (one typo
    in 3 makes too many words, or starts of words, but where other words narrow them), letters
    only, no CJK."""
    return len(word) >= shortest and word.isalpha() and not has_cjk(word)


def cased_as_typed(word: str) -> bool:
    """Whether ``word`` is cased as readers type words (lower case, a capital first, or all
    capitals), not as a name in code ("ByteStr", "renderToPipe": its parts are found as typed)."""
    return word[1:].islower() or word.isupper()


def typos_allowed(word: str) -> int:
    """How many typos a word may hold and still be taken for another: one, two from 8 letters."""
    return 2 if len(word) >= 8 else 1


def _swapped_start(word: str) -> str:
    """The first two letters of ``word`` swapped, the one typo looked for in its first letter
    ("pu" of "pugrade"); empty for a word of two letters or fewer, or with two alike.

    >>> _swapped_start("pugrade"), _swapped_start("oops"), _swapped_start("up")
    ('up', '', '')
    """
    return word[1] + word[0] if len(word) > 2 and word[0] != word[1] else ""


class PackedWords(abc.Sequence):
    """Sorted words in one UTF-8 buffer with their offsets: a read-only sequence of str
    (``bisect`` works on it), about 6 bytes a word besides the word itself."""

    def __init__(self, data: bytes, offsets: array, lengths: array):
        self.data = data
        self.offsets = offsets
        #: Each word's length in characters (for typo candidates).
        self.lengths = np.frombuffer(lengths, dtype=np.uint16)

    @classmethod
    def merged(cls, fields: Sequence[Iterable[tuple[bytes, int]]]) -> tuple["PackedWords", np.ndarray]:
        """The words of several sorted (word, posts) streams (:func:`codec.field_words` of
        each segment), each once, and how many posts have each."""
        data = bytearray()
        offsets = array("q", [0])
        counts = array("q")
        last = None
        stream = fields[0] if len(fields) == 1 else heapq.merge(*fields, key=lambda item: item[0])
        for term, posts in stream:
            if term == last:
                counts[-1] += posts
                continue
            last = term
            data += term
            offsets.append(len(data))
            counts.append(posts)
        # Each word's length in characters: its bytes that do not continue a UTF-8 character.
        starts = np.frombuffer(data, dtype=np.uint8) & 0xC0 != 0x80
        ends = np.frombuffer(offsets, dtype=np.int64)
        chars = np.diff(np.concatenate(([0], np.cumsum(starts, dtype=np.int64)))[ends])
        lengths = np.minimum(chars, 65535).astype(np.uint16)
        return cls(bytes(data), offsets, lengths.tobytes()), np.frombuffer(counts, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step == 1:
                return self._run(start, stop)
            return [self[j] for j in range(start, stop, step)]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self.offsets) - 1:
            raise IndexError(i)
        offsets = self.offsets
        return self.data[offsets[i] : offsets[i + 1]].decode("utf-8")

    def _run(self, start: int, stop: int) -> list[str]:
        """Words ``start`` to ``stop``, decoded at once and cut by their lengths (one
        decoding per word costs three times as much over the thousands of a first letter)."""
        if stop <= start:
            return []
        offsets = self.offsets
        text = self.data[offsets[start] : offsets[stop]].decode("utf-8")
        lengths = self.lengths[start:stop]
        if len(text) != int(lengths.sum(dtype=np.int64)):  # a length over 65,535 was cut
            return [self[j] for j in range(start, stop)]
        ends = np.cumsum(lengths, dtype=np.int64).tolist()
        return [text[a:b] for a, b in zip([0, *ends], ends)]

    def starts_near(self, start: int, stop: int, prefix: str) -> set[str]:
        """The starts of words ``start`` to ``stop`` (a letter shorter than ``prefix``, as
        long, or a letter longer) one typo away from ``prefix``: a letter added, dropped or
        replaced, or two neighbours swapped. Compared as arrays of characters, every word
        at once: a first letter's thousands of words have as many distinct starts, and
        making each a string took milliseconds.

        >>> words = PackedWords.merged([[(w.encode(), 1) for w in ("sever", "server", "sevr", "sewer", "svere")]])[0]
        >>> sorted(words.starts_near(0, 5, "sevre"))
        ['serve', 'seve', 'sever', 'sevr', 'svere']
        """
        n = len(prefix)
        if stop <= start:
            return set()
        offsets = self.offsets
        text = self.data[offsets[start] : offsets[stop]].decode("utf-8")
        lengths = self.lengths[start:stop].astype(np.int64)
        if len(text) != int(lengths.sum()) or n < 2 or not text:  # (a length over 65,535 was cut)
            return {w[:m] for w in self[start:stop] for m in (n - 1, n, n + 1)
                    if len(w) >= m and w[:m] != prefix and OSA.distance(prefix, w[:m]) <= 1}
        chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        begins = np.cumsum(lengths) - lengths
        at = np.arange(n + 1)[:, None]
        # Row i: each word's character i (0 past its end: no word has that character).
        grid = chars[np.minimum(begins + at, len(chars) - 1)]
        grid[at >= lengths] = 0
        want = np.frombuffer(prefix.encode("utf-32-le"), dtype=np.uint32)[:, None]
        same = grid[:n] == want  # character i is the prefix's

        def all_before(eq: np.ndarray) -> np.ndarray:
            """Row i: rows 0 to i - 1 of ``eq`` are all True (i = 0..len(eq))."""
            out = np.ones((len(eq) + 1, eq.shape[1]), dtype=bool)
            for i in range(len(eq)):
                np.logical_and(out[i], eq[i], out=out[i + 1])
            return out

        def all_from(eq: np.ndarray) -> np.ndarray:
            """Row i: rows i to the last of ``eq`` are all True (i = 0..len(eq))."""
            out = np.ones((len(eq) + 1, eq.shape[1]), dtype=bool)
            for i in range(len(eq) - 1, -1, -1):
                np.logical_and(out[i + 1], eq[i], out=out[i])
            return out

        before, after = all_before(same), all_from(same)
        found: list[tuple[int, int]] = []  # (word, length of its start)
        # A letter longer: one added at i (character j + 1 is the prefix's j from i on).
        added = before & all_from(grid[1 : n + 1] == want)
        found += [(w, n + 1) for w in np.flatnonzero((lengths > n) & added.any(axis=0)).tolist()]
        # As long: one replaced, or two neighbours swapped.
        near = np.count_nonzero(same, axis=0) == n - 1
        for i in range(n - 1):
            if want[i, 0] != want[i + 1, 0]:
                near |= before[i] & (grid[i] == want[i + 1]) & (grid[i + 1] == want[i]) & after[i + 2]
        found += [(w, n) for w in np.flatnonzero((lengths >= n) & near).tolist()]
        # A letter shorter: one dropped at i (character j is the prefix's j + 1 from i on).
        dropped = before[:n] & all_from(grid[: n - 1] == want[1:])
        found += [(w, n - 1) for w in np.flatnonzero((lengths >= n - 1) & dropped.any(axis=0)).tolist()]
        return {text[int(begins[w]) : int(begins[w]) + m] for w, m in found}


def _begins_with_word(lexicon: "Lexicon", word: str, shortest: int) -> bool:
    """Whether ``word`` begins with another word of ``lexicon``, of ``shortest`` characters or
    more (the rest may be a stop word, which the body does not index, or a letter of a
    stem: "hexof", of "hexo-fs")."""
    return any(lexicon.count(word[:end]) for end in range(shortest, len(word)))


def _starting_with(records: Iterable[tuple[Any, int]], start: str) -> Iterator[tuple[Any, int]]:
    """The records of a field's words (in order, see codec.field_words) whose word starts
    with ``start``, read no further than past them."""
    if not start:
        yield from records
        return
    for term, posts in records:
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        if text.startswith(start):
            yield term, posts
        elif text > start:
            return


class Lexicon:
    """The words of one field, in order, with how many posts have each; read once."""

    def __init__(self, reader, fieldname: str, *, with_index: bool = True, only: str = ""):
        """``only``: the words that start with it alone (read as far as they go)."""
        if not with_index:
            # A big vocabulary (the body's): merged from the segments' sorted words straight
            # into one buffer, with no dictionary or list of every word on the way (a
            # worker's peak memory counts those too).
            self.terms, self.counts = PackedWords.merged(
                [field_words(sub, fieldname) for sub, _offset in segment_readers(reader)]
            )
            self.index = None
            self.by_initial = None
            return
        # Segment by segment: over several segments, Whoosh's iter_field looks every word up
        # in each of them again (a second at 10,000 posts, paid by a reader's first query).
        found: dict[str, int] = {}
        for sub, _offset in segment_readers(reader):
            for term, posts in _starting_with(field_words(sub, fieldname), only):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                found[text] = found.get(text, 0) + posts
        terms = sorted(found)
        self.counts = np.array([found[t] for t in terms], dtype=np.int64)
        self.terms: Sequence[str] = terms
        self.index: dict[str, int] | None = {t: i for i, t in enumerate(terms)}
        #: Words by first letter: a typo is never looked for in the first letter (but for the
        #: first two letters swapped, see near_in_length).
        self.by_initial: dict[str, list[str]] | None = None
        self.group_by_initial()

    def group_by_initial(self) -> None:
        by_initial: dict[str, list[str]] = {}
        by_shape: dict[tuple[str, int], list[str]] = {}
        for t in self.terms:
            by_initial.setdefault(t[:1], []).append(t)
            by_shape.setdefault((t[:1], len(t)), []).append(t)
        self.by_shape = by_shape
        self.by_initial = by_initial  # last: its being set means both are ready

    def near_in_length(self, word: str, maxdist: int) -> list[str]:
        """The words with ``word``'s first letter, or its first two letters swapped
        ("pugrade": "upgrade"), whose length is within ``maxdist`` of its own: the only ones
        that can be ``maxdist`` typos away."""
        initial, n = word[:1], len(word)
        swapped = _swapped_start(word)
        if isinstance(self.terms, PackedWords):
            return [t for start in ([initial, swapped] if swapped else [initial])
                    for t in self._packed_near(start, n, maxdist)]
        if self.by_initial is None:
            self.group_by_initial()
        near = [t for k in range(n - maxdist, n + maxdist + 1) for t in self.by_shape.get((initial, k), ())]
        if swapped:
            span = self.prefixed(swapped)
            near += [t for t in self.terms[span.start : span.stop] if abs(len(t) - n) <= maxdist]
        return near

    def _packed_near(self, prefix: str, n: int, maxdist: int) -> list[str]:
        span = self.prefixed(prefix)
        lengths = self.terms.lengths[span.start : span.stop]
        near = np.flatnonzero(np.abs(lengths.astype(np.int64) - n) <= maxdist)
        return [self.terms[span.start + int(i)] for i in near]

    def closest(self, word: str, limit: int) -> list[str]:
        """Up to ``limit`` words one typo away from ``word`` (two for 8+ letters; never in the
        first letter, but for the first two letters swapped), the closest first, then the
        commonest; no stop word."""
        maxdist = typos_allowed(word)
        found = {
            text: int(dist)
            for text, dist, _ in rf_process.extract(
                word, self.near_in_length(word, maxdist), scorer=OSA.distance, score_cutoff=maxdist, limit=None
            )
        }
        nearest = min(found.values(), default=0)
        ranked = sorted((t for t, d in found.items() if d == nearest), key=lambda t: (-self.count(t), t))
        return [t for t in ranked if t not in STOP][:limit]

    def near_starts(self, prefix: str) -> list[str]:
        """Starts of words (as long as ``prefix``, or a letter shorter or longer) one typo
        away from ``prefix``, never in its first letter but for its first two swapped: what
        a word being typed with a slip ("ugpra") may be the start of ("upgra", "upgr").
        Among the words with its first letter; none when those are more than MAX_FUZZY_POOL."""
        n = len(prefix)
        swapped = _swapped_start(prefix)
        spans = [self.prefixed(prefix[:1])] + ([self.prefixed(swapped)] if swapped else [])
        if sum(len(span) for span in spans) > MAX_FUZZY_POOL:
            return []
        if isinstance(self.terms, PackedWords):
            # (In order: a set's order changes with the process, and which starts are taken would too.)
            return sorted({start for span in spans for start in self.terms.starts_near(span.start, span.stop, prefix)})
        # The starts one letter longer first: far fewer than the words, and the shorter
        # starts are theirs.
        longest = {word[: n + 1] for span in spans for word in self.terms[span.start : span.stop]}
        starts = {start[:m] for start in longest for m in (n - 1, n, n + 1) if len(start) >= m}
        starts.discard(prefix)
        # In order (a set's order changes with the process: which starts are taken would too).
        return [start for start, _dist, _ in rf_process.extract(
            prefix, sorted(starts), scorer=OSA.distance, score_cutoff=1, limit=None)]

    def fuzzy_commonest(self, prefix: str, limit: int, skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
        """Up to ``limit`` words, most common first, that start with a start of a word one
        typo away from ``prefix`` (see near_starts)."""
        found: dict[str, int] = {}
        for start in self.near_starts(prefix)[:MAX_NEAR_STARTS]:
            span = self.prefixed(start)
            found.update(self._commonest(span, start, limit, skip))
            if start not in skip and len(span) and self.terms[span.start] == start and self.counts[span.start]:
                found[start] = int(self.counts[span.start])  # a word itself
        return sorted(found, key=lambda w: (-found[w], w))[:limit]

    def dotted_terms(self) -> Iterable[tuple[str, int]]:
        """The words with a dot ("node.js", "0.10.23"), with how many posts have each."""
        if not isinstance(self.terms, PackedWords):
            return ((t, int(self.counts[i])) for i, t in enumerate(self.terms) if "." in t)
        packed = self.terms
        offsets = np.frombuffer(packed.offsets, dtype=np.int64)
        dots = np.flatnonzero(np.frombuffer(packed.data, dtype=np.uint8) == ord("."))
        at = np.unique(np.searchsorted(offsets[1:], dots, side="right"))
        data, counts = packed.data, self.counts[at].tolist()
        return ((data[a:b].decode("utf-8"), n) for a, b, n in zip(offsets[at].tolist(), offsets[at + 1].tolist(), counts))

    def count(self, term: str) -> int:
        if self.index is not None:
            i = self.index.get(term)
        else:
            i = bisect.bisect_left(self.terms, term)
            i = i if i < len(self.terms) and self.terms[i] == term else None
        return int(self.counts[i]) if i is not None else 0

    def commonest(self, prefix: str, limit: int, skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
        """Up to ``limit`` words that start with ``prefix`` (not ``prefix`` itself), most common first."""
        return [text for text, _posts in self.commonest_counted(prefix, limit, skip)]

    def commonest_counted(self, prefix: str, limit: int,
                          skip: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, int]]:
        """:meth:`commonest`, each word with how many posts have it."""
        return self._commonest(self.prefixed(prefix), prefix, limit, skip)

    def _commonest(self, span: range, prefix: str, limit: int, skip) -> list[tuple[str, int]]:
        """:meth:`commonest` of the words at ``span`` (those ``prefix`` starts), each with how
        many posts have it."""
        if not len(span):
            return []
        counts = self.counts[span.start : span.stop]
        # The commonest few without sorting them all (a short prefix has thousands of words).
        take = min(len(counts), limit + len(skip) + 1)
        best = np.argpartition(-counts, take - 1)[:take] if take < len(counts) else np.arange(len(counts))
        best = best[np.lexsort((best, -counts[best]))]
        out = []
        for i in best.tolist():
            text = self.terms[span.start + i]
            if text != prefix and text not in skip:
                out.append((text, int(counts[i])))
                if len(out) == limit:
                    break
        return out

    def prefixed(self, prefix: str) -> range:
        """Positions of the words that start with ``prefix``."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return range(lo, hi)


#: What Vocabulary.worked_out has not worked out yet (None is a value).
_NOTHING = object()


class Vocabulary:
    """Completions and corrections from the unstemmed ``spelling`` field (titles, headings,
    tags, descriptions), held in memory per generation. Bounded: a prefix never expands to
    more than ``limit`` words, a typo to more than 3. Results are cached; thread-safe.
    """

    FIELD = "spelling"
    #: The words of FIELD that folding changes, folded and as written (schema.WrittenFormFilter).
    WRITTEN = "written"
    MAX_CACHE = 50_000

    def __init__(self, schema, limit: int = 8):
        self.schema = schema
        self.limit = limit
        self._completions: dict[str, list[str]] = {}
        self._corrections: dict[str, list[str]] = {}
        self._lexicon: Lexicon | None = None
        self._body: Lexicon | None = None
        self._body_completions: dict[str, list[str]] = {}
        self._body_corrections: dict[str, list[str]] = {}
        self._written: dict[str, str] | None = None
        self._dotted: dict[str, list[str]] | None = None
        self._joined: dict[str, Lexicon] = {}
        self._worked_out: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def lexicon(self, reader) -> Lexicon:
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    self._lexicon = Lexicon(reader, self.FIELD)
        return self._lexicon

    def written(self, reader) -> dict[str, str]:
        """Words of the lexicon that folding changed (and as :func:`schema.title_key` reduces
        them), each as most posts write it: ``reglages`` is "réglages" where more posts have
        that than "reglages". Read once per generation from the ``written`` field; empty for
        an index of ANALYSIS_VERSION 7 or older, which has none."""
        if self._written is None:
            lexicon = self.lexicon(reader)  # (takes the lock itself: first)
            with self._lock:
                if self._written is None:
                    self._written = self._read_written(reader, lexicon)
        return self._written

    def _read_written(self, reader, lexicon: Lexicon) -> dict[str, str]:
        forms: dict[str, dict[str, int]] = {}
        for sub, _offset in segment_readers(reader) if self.WRITTEN in reader.schema else ():
            for term, posts in field_words(sub, self.WRITTEN):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                folded, _, written = text.partition(WRITTEN_SEP)
                if written:
                    spellings = forms.setdefault(folded, {})
                    spellings[written] = spellings.get(written, 0) + posts
        found: dict[str, str] = {}
        for folded, spellings in forms.items():
            # Posts that have the word unaccented ("cafe" beside "café"): their number,
            # as far as the counts tell (a post with both counts in each).
            plain = lexicon.count(folded) - sum(spellings.values())
            written, posts = max(spellings.items(), key=lambda kv: (kv[1], kv[0]))
            if posts > plain:
                found[folded] = written
        for folded, written in list(found.items()):
            found.setdefault(title_key(written), written)
        return found

    def as_written(self, reader, words: list[str]) -> list[str]:
        """``words`` of the lexicon (folded) as posts write them (see :meth:`written`)."""
        written = self.written(reader)
        return [written.get(w, w) for w in words] if written else words

    def fold(self, word: str, lang: str = DEFAULT_LANGUAGE) -> str:
        tokens = analyze(self.schema, self.FIELD, word, lang)
        return tokens[0] if len(tokens) == 1 else ""

    def completions(self, reader, word: str, *, stop_words: bool = False, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """The most common indexed words that start with ``word`` (not ``word`` itself);
        stop words among them only with ``stop_words`` (titles and headings index them, but
        nobody wants "the" suggested)."""
        prefix = self.fold(word, lang)
        if not prefix or len(prefix) > 40:
            return []
        key = f"{prefix}\0{stop_words}"
        result = self._completions.get(key)
        if result is None:
            result = self.lexicon(reader).commonest(prefix, self.limit, frozenset() if stop_words else STOP)
            self._remember(self._completions, key, result)
        return self.as_written(reader, result)

    def fuzzy_completions(self, reader, word: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """For a word being typed (4+ letters) that no indexed word starts with, nor a name
        in code is, the commonest words of titles, headings, tags and descriptions that
        start one typo away from it ("ugpra": "upgrade"); no stop word."""
        return self.as_written(reader, self._fuzzy(reader, self.lexicon(reader), self.fold(word, lang), self.limit,
                                                    self._completions))

    def body_fuzzy_completions(self, reader, word: str, limit: int = BODY_COMPLETIONS,
                               lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """The same from the body's words (as the body indexes them)."""
        prefix = self.fold(word, lang) or self._body_form(word, lang)
        return self._fuzzy(reader, self.body_lexicon(reader), prefix, limit, self._body_completions)

    def _fuzzy(self, reader, lexicon: Lexicon, prefix: str, limit: int, cache: dict) -> list[str]:
        """:meth:`Lexicon.fuzzy_commonest` of ``prefix`` in ``lexicon``, kept in ``cache``; none
        for a prefix that words start with, that is a name in code, or not of 4-40 letters."""
        if not may_hold_typo(prefix) or len(prefix) > 40 or reader.doc_frequency("code", prefix):
            return []
        key = f"{prefix}\0{limit}\0fuzzy"
        cached = cache.get(key)
        if cached is None:
            cached = [] if len(lexicon.prefixed(prefix)) else lexicon.fuzzy_commonest(prefix, limit, STOP)
            self._remember(cache, key, cached)
        return cached

    def known(self, reader, word: str, lang: str = DEFAULT_LANGUAGE, *, as_written: bool = False) -> bool:
        """Whether any post has ``word``, or another form of it; with ``as_written``, the
        word itself where the body keeps words as written (a stem is not the word: "bundlesize"
        stems to ``bundles``, which is "bundles" as written)."""
        folded = self.fold(word, lang)
        if folded and self.lexicon(reader).count(folded):
            return True
        terms = analyze(self.schema, "body", word, lang, exact=as_written)
        body = self.body_lexicon(reader)  # (in memory: no look-up in the index's files)
        return bool(terms) and any(body.count(t) for t in terms)

    def dotted(self, reader, word: str) -> list[str]:
        """The names with one dot or two that posts write and ``word`` is typed without them
        ("nodejs": ``node.js``; "socketio": ``socket.io``; "jobsnodejsorg":
        ``jobs.nodejs.org``; "v4213": ``v4.2.13``), commonest first, at most MAX_DOTTED;
        none for a word of fewer than MIN_DOTTED letters and digits, nor for a number (or a
        "v" and a number) that posts have: "2024" is the year, not version 2.0.24."""
        word = word.lower()
        if len(word) < MIN_DOTTED:
            return []
        names = self.dotted_names(reader).get(word, [])
        if names and word.lstrip("v").isdigit() and self.known(reader, word):
            return []
        return names

    def dotted_names(self, reader) -> dict[str, list[str]]:
        """The names with one dot or two of the titles, headings, tags, descriptions and the
        body ("node.js", "0.10.23"), by how they are typed without their dots ("nodejs",
        "01023"), commonest first, MAX_DOTTED at most: read once per generation, from the
        words already in memory."""
        if self._dotted is None:
            lexicon, body = self.lexicon(reader), self.body_lexicon(reader)
            with self._lock:
                if self._dotted is None:
                    counts: dict[str, dict[str, int]] = {}
                    for found in (lexicon.dotted_terms(), body.dotted_terms()):
                        for name, posts in found:
                            parts = name.split(".")
                            joined = "".join(parts)
                            if len(parts) <= 3 and all(parts) and joined.isalnum() and not has_cjk(joined):
                                names = counts.setdefault(joined, {})
                                names[name] = max(names.get(name, 0), posts)
                    # A version typed without its dots is typed whole: "1270" is 12.7.0 or
                    # 1.27.0 before 127.0, which indexing keeps as one of the versions of
                    # "127.0.0.1" (see schema._version_parts); other names, commonest first.
                    self._dotted = {joined: sorted(names, key=lambda name: (
                        -name.count(".") if name.lstrip("vV").replace(".", "").isdigit() else 0,
                        -names[name]))[:MAX_DOTTED] for joined, names in counts.items()}
        return self._dotted

    def corrections(self, reader, word: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """Indexed words one typo away (4+ letters) or two (8+ letters), closest and commonest first.

        A typo is a letter added, dropped or replaced, or two neighbours swapped; never in
        the first letter, but for the first two swapped ("pugrade"). Empty when the word
        itself is in the index.
        """
        folded = self.fold(word, lang)
        if not may_hold_typo(folded):
            return []
        result = self._corrections.get(folded)
        if result is None:
            result = self.lexicon(reader).closest(folded, 3) if not self.known(reader, word, lang) else []
            self._remember(self._corrections, folded, result)
        return self.as_written(reader, result)

    def body_lexicon(self, reader) -> Lexicon:
        """The words of the body (stemmed, as indexed), read on first use (no dictionary: a
        sorted list and counts, about 80 bytes a word)."""
        if self._body is None:
            with self._lock:
                if self._body is None:
                    self._body = Lexicon(reader, BODY, with_index=False)
        return self._body

    def joined_lexicon(self, reader, fieldname: str) -> Lexicon:
        """The words of ``fieldname`` that indexing made of two words a hyphen joins
        (schema.JOINED_MARK), marked; read once per generation, and only they (they come
        first among a field's words)."""
        lexicon = self._joined.get(fieldname)
        if lexicon is None:
            with self._lock:
                lexicon = self._joined.get(fieldname)
                if lexicon is None:
                    lexicon = self._joined[fieldname] = Lexicon(reader, fieldname, only=JOINED_MARK)
        return lexicon

    def joined_completions(self, reader, word: str, fieldname: str, lang: str = DEFAULT_LANGUAGE,
                           body_limit: int = BODY_COMPLETIONS) -> list[str]:
        """The commonest terms of ``fieldname`` that indexing made of two words a hyphen joins
        and that start with ``word`` (not ``word`` itself), as indexed, marked
        (schema.JOINED_MARK): "realti" is "realtime", marked, where posts write "real-time".
        Not one whose first half is as long as ``word`` or longer: its posts have that half,
        a completion itself ("omle": not "omleiden-naar", but "omleiden"; "fro" is not yet
        "front-end"). At most JOINED_COMPLETIONS, and only those commoner than the last of
        the completions taken beside them, where those are as many as taken
        (:meth:`completions`' ``limit`` from the words of titles, headings, tags and
        descriptions; for the body, ``body_limit`` of :meth:`body_completions`): "dis" is no
        "dist-indexer" among "display" and "disable". None for a start of fewer than
        MIN_JOINED_START letters. The body's come from its words in memory; other fields'
        are read once per generation (see joined_lexicon)."""
        prefix = self.fold(word, lang)
        if len(prefix) < MIN_JOINED_START or len(prefix) > 40:
            return []
        body = fieldname == BODY
        beside = body_limit if body else self.limit
        key = f"{prefix}\0{fieldname}\0{beside}\0joined"
        cached = self._completions.get(key)
        if cached is None:
            plain = self.body_lexicon(reader) if body else self.lexicon(reader)
            found = plain.commonest_counted(prefix, beside, STOP if body else frozenset())
            floor = found[-1][1] if len(found) == beside else -1
            lexicon = self.body_lexicon(reader) if body else self.joined_lexicon(reader, fieldname)
            cached = [t for t, posts in lexicon.commonest_counted(JOINED_MARK + prefix, 4 * JOINED_COMPLETIONS)
                      if posts > floor and not _begins_with_word(plain, t[len(JOINED_MARK):], len(prefix))
                      ][:JOINED_COMPLETIONS]
            self._remember(self._completions, key, cached)
        return cached

    def _body_form(self, word: str, lang: str) -> str:
        """``word`` as the body indexes it (stemmed; as written where the language keeps that
        form too, so that a word cut short completes to whole words); a stop word as typed."""
        tokens = analyze(self.schema, BODY, word, lang, exact=True)
        if len(tokens) == 1:
            return tokens[0]
        return self.fold(word, lang)

    def body_completions(self, reader, word: str, limit: int = BODY_COMPLETIONS,
                         lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """The commonest body words that start with ``word``: as typed (folded), never
        stemmed, for it is a word cut short (Porter reads "tes" as the word "te", whose
        completions would be "team" and "text"; "test" starts with "tes")."""
        prefix = self.fold(word, lang) or self._body_form(word, lang)
        if not prefix or len(prefix) > 40:
            return []
        key = f"{prefix}\0{limit}"
        cached = self._body_completions.get(key)
        if cached is None:
            cached = self.body_lexicon(reader).commonest(prefix, limit, STOP)
            self._remember(self._body_completions, key, cached)
        return cached

    def body_has_as_typed(self, reader, word: str, lang: str = DEFAULT_LANGUAGE) -> bool:
        """Whether the body has ``word`` as typed, as far as the index tells: its form there
        is the word itself (folded), or titles, headings, tags or descriptions have the word
        as typed ("remove", whose stem is "remov"). Not so for a word a stemmer made of a
        word cut short: "tes" is "te" to Porter's stemmer, and no title has "tes"."""
        if self.body_count(reader, word, lang) == 0:
            return False
        folded = self.fold(word, lang)
        return not folded or self._body_form(word, lang) == folded or bool(self.lexicon(reader).count(folded))

    def body_count(self, reader, word: str, lang: str = DEFAULT_LANGUAGE) -> int:
        """How many posts' bodies have ``word`` as it is (as the body indexes words)."""
        form = self._body_form(word, lang)
        return self.body_lexicon(reader).count(form) if form else 0

    def body_corrections(self, reader, word: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """Body words one typo away (4+ letters) or two (8+), closest and commonest first;
        empty when the body has the word, or titles, headings, tags or descriptions have it
        as typed (a word the body has in other forms only, "tuning" beside "tune", is no typo
        of "turning")."""
        form = self._body_form(word, lang)
        if not may_hold_typo(form):
            return []
        cached = self._body_corrections.get(form)
        if cached is not None:
            return cached
        lexicon = self.body_lexicon(reader)
        result: list[str] = []
        if not lexicon.count(form) and not self.lexicon(reader).count(self.fold(word, lang)):
            result = lexicon.closest(form, BODY_CORRECTIONS)
        self._remember(self._body_corrections, form, result)
        return result

    def worked_out(self, key: tuple, work: Callable[[], object]) -> object:
        """What ``work`` gives, worked out once per generation for ``key`` (a word's readings
        that the query's code works out from this vocabulary: see query.written_apart)."""
        found = self._worked_out.get(key, _NOTHING)
        if found is _NOTHING:
            found = work()
            self._remember(self._worked_out, key, found)
        return found

    def _remember(self, cache: dict, key, value) -> None:
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


#: What a word of a title may have around it: "(Real-Time)", "Real-Time:".
_EDGE_PUNCTUATION = "\"'()[]{}<>.,:;!?«»“”‘’"


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
            # Two words a hyphen joins, as one too ("Real-Time": "realtime"), as indexing has them.
            for piece in entries[i][0].split():
                if (together := hyphen_joined(piece.strip(_EDGE_PUNCTUATION))) is not None:
                    by_word.setdefault(title_key(together), set()).add(i)
                if has_cjk(w):
                    # Words of Chinese, Japanese or Korean are not set apart by spaces: a
                    # title is found by any piece of it typed, so every suffix is a "word".
                    for start in range(1, min(len(w), MAX_TITLE_SUFFIXES)):
                        if is_cjk(w[start]):
                            by_word.setdefault(w[start:], set()).add(i)
        self.by_word = by_word
        self.words = sorted(by_word)

    def _starting(self, prefix: str) -> set[int]:
        found: set[int] = set()
        lo = bisect.bisect_left(self.words, prefix)
        for w in self.words[lo : lo + 200]:
            if not w.startswith(prefix):
                break
            found |= self.by_word[w]
        return found

    def complete(self, text: str, limit: int) -> list[Suggestion]:
        words = title_key(text).split()
        if not words:
            return []
        *before, last = words
        candidates: set[int] | None = None
        for w in before:
            ids = self._starting(w) if has_cjk(w) else self.by_word.get(w, set())
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



class Expander:
    """Completions and typo corrections for the words of one query, from one generation's
    vocabulary; words are taken as the first of the query's languages reads them."""

    def __init__(self, vocabulary: "Vocabulary", reader, langs: Sequence[str] = (DEFAULT_LANGUAGE,),
                 titles=None):
        self.vocabulary = vocabulary
        self.reader = reader
        self.lang = langs[0] if langs else DEFAULT_LANGUAGE
        #: The generation's table of posts (engine.DocTable), for the titles' words.
        self.titles = titles

    def completions(self, word: str) -> list[str]:
        """Completions for matching: stop words included (titles and headings have them)."""
        return self.vocabulary.completions(self.reader, word, stop_words=True, lang=self.lang)

    def corrections(self, word: str) -> list[str]:
        return self.vocabulary.corrections(self.reader, word, self.lang)

    def body_completions(self, word: str, limit: int = BODY_COMPLETIONS) -> list[str]:
        return self.vocabulary.body_completions(self.reader, word, limit, self.lang)

    def title_continuations(self, key: str) -> list[str]:
        """In the titles that begin with ``key`` (words as :func:`schema.title_key` reduces
        them, the last one perhaps half-typed), the words where its last one is, other than
        it: what the reader typing a title from its start may be typing (see
        engine.DocTable.title_words_at), as posts write them (Vocabulary.as_written)."""
        if self.titles is None or not key.strip():
            return []
        return self.vocabulary.as_written(self.reader, self.titles.title_words_at(key, TITLE_CONTINUATIONS))

    def indexed(self, fieldname: str, term: str) -> bool:
        """Whether any post has ``term`` (as indexed) in ``fieldname``."""
        return bool(self.reader.doc_frequency(fieldname, term))

    def joined_completions(self, word: str, fieldname: str, body_limit: int = BODY_COMPLETIONS) -> list[str]:
        """Words joined by a hyphen in ``fieldname`` that ``word`` starts, marked, as common
        as the completions as written (see Vocabulary.joined_completions)."""
        return self.vocabulary.joined_completions(self.reader, word, fieldname, self.lang, body_limit)

    def titled_apart(self, key: str) -> str | None:
        """The title key that ``key`` is with one word cut in two, if a post has that title
        (see engine.DocTable.titled_apart)."""
        return self.titles.titled_apart(key) if self.titles is not None and key else None

    def titled_together(self, key: str) -> str | None:
        """The title key that ``key`` is with two words in a row joined, if a post has that
        title (see engine.DocTable.titled_together)."""
        return self.titles.titled_together(key) if self.titles is not None and key else None

    def body_corrections(self, word: str) -> list[str]:
        return self.vocabulary.body_corrections(self.reader, word, self.lang)

    def fuzzy_completions(self, word: str) -> list[str]:
        return self.vocabulary.fuzzy_completions(self.reader, word, self.lang)

    def body_fuzzy_completions(self, word: str) -> list[str]:
        return self.vocabulary.body_fuzzy_completions(self.reader, word, lang=self.lang)

    def body_has_as_typed(self, word: str) -> bool:
        return self.vocabulary.body_has_as_typed(self.reader, word, self.lang)

    def near_starts(self, word: str, short: bool = False) -> frozenset[str]:
        """The starts of words of titles, headings, tags and descriptions one slip away from
        ``word`` (see Lexicon.near_starts), as :func:`schema.title_key` reduces words (a
        dotless ``ı`` as ``i``, as :func:`languages.fold` reads it too); none for a word
        :func:`may_hold_typo` rules out (but, with ``short``, one of three letters), nor for
        a name in code (:func:`cased_as_typed`)."""
        prefix = self.vocabulary.fold(word, self.lang)
        if not may_hold_typo(prefix, 3 if short else 4) or not cased_as_typed(word):
            return frozenset()
        return frozenset(start if start.isascii() else title_key(start)
                         for start in self.vocabulary.lexicon(self.reader).near_starts(prefix))

    def body_count(self, word: str) -> int:
        return self.vocabulary.body_count(self.reader, word, self.lang)

    def body_posts(self, term: str) -> int:
        """How many posts' bodies have ``term``, a term as the body indexes it (a stem, or a
        word as written): from the body's words kept in memory, as body_count."""
        return self.vocabulary.body_lexicon(self.reader).count(term)

    def title_count(self, word: str) -> int:
        """How many posts' titles have ``word`` (as titles index it; 0 for what is not one
        word there)."""
        tokens = analyze(self.reader.schema, "title", word, self.lang)
        return self.reader.doc_frequency("title", tokens[0]) if len(tokens) == 1 else 0

    def post_count(self) -> int:
        """How many posts the index has."""
        return self.reader.doc_count()

    def dotted(self, word: str) -> list[str]:
        """The names with a dot that ``word`` is typed without (see Vocabulary.dotted)."""
        return self.vocabulary.dotted(self.reader, word)

    def worked_out(self, key: tuple, work: Callable[[], object]) -> object:
        """``work()``, once per generation for ``key`` (see Vocabulary.worked_out)."""
        return self.vocabulary.worked_out(key, work)

    def known(self, word: str, *, as_written: bool = False) -> bool:
        """Whether any post has ``word`` (in titles, headings, tags, descriptions or the body;
        ``as_written``: see Vocabulary.known)."""
        return self.vocabulary.known(self.reader, word, self.lang, as_written=as_written)

    def in_code(self, word: str) -> bool:
        """Whether any post's code has ``word`` as a name (``ComponentTwo``)."""
        return bool(self.reader.doc_frequency("code", word.lower()))
