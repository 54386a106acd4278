"""Collecting: which posts match, in which order, the page asked for, facets, retries."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Collection, Sequence

import numpy as np
from rapidfuzz.distance import OSA
from whoosh.query import (
    And,
    Or,
    Query,
    Term,
)

from .engine import Evaluator, Matches
from .languages import has_cjk
from .schema import title_key
from .query import (
    MAX_NEAR_MISSES, NEAR_SLOP, PREFIX_SCAN, CompiledQuery, NearMisses, ParsedQuery, SearchRequest, plain_word,
    split_in_two,
)
from .vocabulary import Expander, typos_allowed

if TYPE_CHECKING:  # the snapshot module imports nothing from here; only the type is named
    from .snapshot import Snapshot

MAX_FACETS = 50
#: Below this many results, the response carries a did-you-mean when one exists.
FEW_RESULTS = 3
#: A query of at least FILL_WORDS words that fewer posts than FILL_BELOW have all of also
#: shows, after them, the posts that have all its words but one. Every word typed counts,
#: though it is not required (a last word of one or two characters, "react hooks 18"; a stop
#: word, "sg unter anderen anhand"), when two are: "all but one" of the two is either. Of
#: two words typed, the last still being typed (no space after it), the posts with the first
#: follow (the last may have a slip that made another word: "rmdir vai" for "rmdir vazios"),
#: never those with the last alone.
FILL_BELOW = 10
FILL_WORDS = 3
#: A query's words but one close together are looked for in at most this many posts that
#: lack one word (see query.NearMisses): reading where the words are costs most.
NEAR_PASSAGE_CANDIDATES = 50
#: ... when fewer posts than this have every word: with the blog's name typed, a dozen long
#: pages may have every word, scattered, before the post whose sentence the others are.
NEAR_PASSAGES_BELOW = 30
#: Scores within this fraction of each other are a near-tie; the newer post goes first.
NEAR_TIE = 0.02
#: A post in the reader's language (``prefer_lang``) scores this much more: it comes before
#: posts in other languages that score up to 15% more, never before clearly better ones.
PREFERRED_LANGUAGE = 1.15
#: A post whose title begins with the query scores this much more (a share: half of it for
#: beginning the title, the other half as the query is more of the title).
TITLE_START_BOOST = 1.0
#: How much more a post dated in a year typed scores (see _year_bonus).
YEAR_BOOST = 1.5
#: The best posts looked at for words as typed, and what having them all adds (a share).
VERY_WORD_CANDIDATES = 100
VERY_WORD_BOOST = 0.2
#: ... for words fewer than this share of posts have (in any form).
VERY_WORD_COMMON = 0.25
#: More titles than this beginning with the query: no bonus (it tells no post apart).
MAX_TITLE_STARTS = 200
#: A post whose title has every word of the query scores up to this much more (a share: as
#: the words are more of the title); the best posts looked at for it.
TITLE_COVER_BOOST = 1.0
TITLE_COVER_CANDIDATES = 100
#: At most this many titles as long as the query are compared with it for the same words in
#: another order (see _reordered_titles).
MAX_REORDERED_CANDIDATES = 2000
#: A near miss (see query.NearMisses) has that bonus when the words typed that its title
#: has are at least this share of it.
NEAR_MISS_COVER = 0.5
#: A post whose title is the query but for one misspelt word scores this much more (a share).
NEAR_TITLE_BOOST = 1.0
#: The best posts whose titles are compared with the query word for word.
NEAR_TITLE_CANDIDATES = 100
#: A misspelt word is at least this long (and as many typos off as vocabulary.typos_allowed says).
MIN_MISSPELT = 4


@dataclass
class Outcome:
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
    #: Posts put first by the blog's pins (document numbers).
    pinned: frozenset[int] = frozenset()
    #: Document numbers of the first ``page * per_page`` posts (FILL_BELOW at least), in order.
    ranked: tuple[int, ...] = ()


class Deadline:
    """The time one request may take; shared by its retries and its snippets."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.at


def matches_any(searcher, snap: "Snapshot", queries: Sequence[Query], deadline: Deadline) -> bool:
    """Whether some post matches every one of ``queries``."""
    if not queries:
        return False
    evaluator = Evaluator(searcher, snap.table(), snap.leaves, deadline.passed, snap.postings)
    return bool(evaluator.evaluate(And(list(queries)) if len(queries) > 1 else queries[0], scored=False).mask.any())


def execute(
    searcher,
    snap: "Snapshot",
    query: Query,
    request: SearchRequest,
    filter_q: Query | None,
    parsed: ParsedQuery,
    deadline: Deadline,
    word_groups: Sequence[Sequence[Query]] = (),
    widen: Widening | None = None,
    pinned: Sequence[int] = (),
    first: Sequence[int] = (),
    near: NearMisses | None = None,
    compiled: CompiledQuery | None = None,
    near_titles_first: bool = True,
) -> Outcome:
    """Run one query; with ``word_groups`` (relaxed mode) posts matching more of them come first.

    ``pinned`` posts (the blog's pins for this query) come first, in their order, when the
    order is by relevance and the request's filters let them through, whether or not they
    have the words; then the posts of ``first`` (found by a stricter query, or at the address
    typed), in their order, when the filters let them through too.
    The ``near`` misses (posts lacking one word: see :func:`_add_near_misses`) are ranked
    among the posts with every word, at their share of their score.
    With the ``compiled`` query, its hints for ranking count: a post whose title is the
    query but for one of its misspelt words (words no post has) comes right after the pinned
    ones (see :func:`_near_title_bonus`); a title that is one of its ``asked_keys`` (the
    query without a question's words and words for the kind of post: "how do I publish a
    package", "Publish a package") is the query's too; the posts dated in a year typed and
    those with its words in the very forms typed score more. Such a near title comes before
    the posts of ``first`` too, unless not ``near_titles_first``.
    """
    forms, misspelt, years, asked_keys, read_keys = (
        (compiled.forms, compiled.misspelt, compiled.years, compiled.asked_keys, compiled.read_keys)
        if compiled is not None else ((), (), (), (), ()))
    table = snap.table()
    evaluator = Evaluator(searcher, table, snap.leaves, deadline.passed, snap.postings)
    found = evaluator.evaluate(query)
    mask = found.mask
    allowed = evaluator.evaluate(filter_q, scored=False).mask if filter_q is not None else None
    if allowed is not None:
        mask &= allowed
    few = widen is not None and not deadline.passed() and _few(evaluator, mask, widen)
    if few:
        # Few posts have every word: the one wanted may have the last word in a form the
        # completions did not give (rare words are never among the commonest).
        widen_to_prefix(searcher, snap, evaluator, found, widen, allowed)
    if widen is not None and (widen.slip or few) and not deadline.passed():
        # ... or a slip in it ("buildflags compli": "compilation"); a short one, only in a
        # title that has every other word ("expand tabulaciones espc": "espacios").
        widen_to_near_start(table, evaluator, found, widen, allowed,
                            titled_only=not widen.slip and len(widen.prefix) < FEW_SLIP_LETTERS)
    # The titles that are the words typed in another order ("ci npm": "npm-ci") are the
    # query's too: the reader remembered the words, not their order.
    reordered = _reordered_titles(table, mask, parsed.key) if parsed.has_text else []
    # (None when a title is the query and its post has every word: the reader typed it
    # whole. Not so when the title is the query without the blog's name, which it lacks.)
    keys = [parsed.key, *asked_keys, *reordered]
    titled = any(mask[table.titled(key)].any() for key in keys)
    missing = _add_near_misses(evaluator, found, mask, allowed, near) if near is not None and not titled else ()
    if parsed.has_text:
        _title_start_bonus(table, found, mask, parsed)
        if _title_cover_bonus(table, found, mask, parsed, missing, asked_keys):
            # A title has every word typed, "tutorial" too ("A streams tutorial"): no title is
            # the query without it ("Streams"); but one may be every word read otherwise
            # ("realtime web": "Real-Time Web", beside "Realtime web servers").
            keys = [parsed.key, *read_keys, *reordered]
        near_titles, sure = _near_title_bonus(table, found, mask, parsed, misspelt)
        if first:
            # Posts missing one word follow those with every word; but a post whose title is
            # the query but for a word misspelt into another word ("line" for "ligne") lacks
            # that word, and is the post wanted: it comes first; unless a title is the query
            # ("Dist labels guide": not "Dist label guide" before it).
            first = first if titled or not near_titles_first else [*near_titles, *first]
        elif sure:
            first = sure
    if years:
        _year_bonus(table, found, mask, years)
    if forms and not deadline.passed():
        _very_word_bonus(evaluator, found, mask, forms)
    sort = request.sort
    if sort == "relevance" and not parsed.has_text:
        sort = "newest"
    if sort == "relevance":
        pinned = [d for d in dict.fromkeys(pinned) if table.alive[d] and (allowed is None or allowed[d])]
        mask[pinned] = True
        # Found by a stricter query, or at the address typed: under the request's filters too.
        first = [d for d in first if table.alive[d] and (allowed is None or allowed[d])]
        mask[first] = True
    else:
        pinned = []
    docs = np.flatnonzero(mask)
    scores = found.scores[docs]
    preferred = request.preferred
    if preferred and len(table.lang_keys) > 1 and preferred in table.lang_keys:
        # Posts in the reader's language first when scores are close.
        ours = table.lang_of[docs] == table.lang_keys.index(preferred)
        scores = np.where(ours, scores * PREFERRED_LANGUAGE, scores)
    dates = table.dates[docs]
    limit = request.page * request.per_page
    # At least FILL_BELOW ranked, so that a retry can keep all of a few posts first (see ranked).
    ranked = max(limit, FILL_BELOW)
    if sort != "relevance":
        # Undated posts last either way.
        order = np.lexsort((docs, -dates if sort == "newest" else dates, dates == 0))
    else:
        leading = [*pinned, *(d for d in dict.fromkeys(first) if d not in pinned)]
        order = _rank(evaluator, docs, scores, dates, parsed, word_groups, ranked + len(leading), keys)
        if leading:
            first_ones = np.searchsorted(docs, leading)
            order = np.concatenate([first_ones, order[~np.isin(order, first_ones)]])
    start = (request.page - 1) * request.per_page
    page_hits = [(int(docs[i]), float(scores[i])) for i in order[start:limit]]
    return Outcome(len(docs), page_hits, sort == "relevance", parsed, mask, evaluator, evaluator.partial,
                   frozenset(pinned), tuple(int(d) for d in docs[order[:ranked]]))


def _add_near_misses(evaluator: Evaluator, found, mask: np.ndarray, allowed: np.ndarray | None,
                     near: NearMisses) -> Collection[int]:
    """Add the near misses of a query (see query.NearMisses) to the posts that have every
    word (``mask``), scored so, when some posts have every word (else the query is retried
    with any of them) and at most MAX_NEAR_MISSES are near misses: posts whose title has
    every word but one (of each word, those that lack it, while they are few enough: the
    words most titles have first), and, when fewer than NEAR_PASSAGES_BELOW have every word,
    those with the others close together in their text (of each word, the posts that lack
    it, while at most NEAR_PASSAGE_CANDIDATES in all: the word fewest lack first). A title
    that lacks a word keeps the share of its score of the words it has, or, when more, of
    what they tell titles apart (log of the posts over the titles with each word) beside
    the word it lacks. They count as matches (``total``,
    ``with_every_word``): they are ranked among them. Returns them."""
    if not mask.any() or evaluator.deadline():
        return ()
    missing = np.zeros_like(mask)  # the near misses
    shares = None  # the share of its score each keeps, when not near.share
    if near.missable:
        having = [evaluator.evaluate(title, scored=False).mask for title in near.titles]
        count = np.sum(having, axis=0)
        # What each word tells titles apart: little for a word many titles have (the blog's
        # name: "systemd" on German man pages, "version" on a site of READMEs).
        alive = max(int(np.count_nonzero(evaluator.table.alive)), 2)
        tells = np.array([np.log(alive / max(int(np.count_nonzero(h)), 1)) for h in having])
        told = tells.sum()
        shares = np.full(len(mask), near.share)
        # Every word in the title but word i: of the words many titles have first, and
        # only as long as few titles lack each. The many "systemd-….service" titles that
        # lack "Netzwerkdiensten" tell no post apart; the one title with every word but
        # "systemd" does.
        for i in sorted(near.missable, key=lambda i: tells[i]):
            lacking = (count - having[i] == len(having) - 1) & ~mask
            if allowed is not None:
                lacking &= allowed
            if np.count_nonzero(missing | lacking) > MAX_NEAR_MISSES:
                continue
            missing |= lacking
            if told > 0:
                # A title lacking such a word keeps more than the share of the words it has.
                shares[lacking] = np.maximum(shares[lacking], 1 - tells[i] / told)
    if near.passages and np.count_nonzero(mask) < NEAR_PASSAGES_BELOW and not evaluator.deadline():
        having = [evaluator.evaluate(word, scored=False).mask for word in near.words]
        others = (np.sum(having, axis=0) == len(having) - 1) & ~mask & ~missing
        if allowed is not None:
            others &= allowed
        # Of each word, the posts that lack it, while they are few enough: those lacking
        # a word most posts have first ("archivo org hostid localmente": the few pages
        # with the other three, not the many with "archivo", "org" and "localmente").
        lacking = np.zeros_like(mask)
        for without in sorted((others & ~has for has in having), key=np.count_nonzero):
            if np.count_nonzero(lacking | without) > NEAR_PASSAGE_CANDIDATES:
                break
            lacking |= without
        if lacking.any():
            within = np.flatnonzero(lacking)
            for words, may_lack in near.passages:
                missing[evaluator.close_together("body", words, within, NEAR_SLOP, may_lack)] = True
    if not 0 < np.count_nonzero(missing) <= MAX_NEAR_MISSES:
        return ()
    candidates = np.flatnonzero(missing)
    scored = evaluator.evaluate(near.scored(), only=candidates)
    added = candidates[scored.mask[candidates]]
    found.scores[added] = scored.scores[added] * (near.share if shares is None else shares[added])
    mask[added] = True
    return frozenset(added.tolist())


def _reordered_titles(table, mask: np.ndarray, key: str) -> list[str]:
    """The titles (their keys) of the posts of ``mask`` that are the words of ``key``, each
    as often, in another order but for numbers, which keep theirs ("0 5 4", of "0.5.4", is
    not "5 4 0"); none for a query of one word, or when more than MAX_REORDERED_CANDIDATES
    titles of those posts are as long (none is then looked at)."""
    typed = key.split()
    if len(typed) < 2:
        return []
    docnums = table.titles_near_in_length(len(key), 0, mask)
    if len(docnums) > MAX_REORDERED_CANDIDATES:
        return []
    words = _words_and_numbers(key)
    return sorted({title for title in table.title_keys_of(docnums)
                   if title != key and _words_and_numbers(title) == words})


def _words_and_numbers(key: str) -> tuple[list[str], list[str]]:
    """The words of a title key in any order, and the numbers among them in theirs.

    >>> _words_and_numbers("node js 0 5 4"), _words_and_numbers("react 18")
    ((['0', '4', '5', 'js', 'node'], ['0', '5', '4']), (['18', 'react'], ['18']))
    """
    words = key.split()
    return sorted(words), [w for w in words if any(ch.isdigit() for ch in w)]


def _best(found, docnums: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` posts of ``docnums`` that score most (all of them when fewer), in no order."""
    if len(docnums) <= limit:
        return docnums
    return docnums[np.argpartition(-found.scores[docnums], limit - 1)[:limit]]


def _very_word_bonus(evaluator: Evaluator, found, mask: np.ndarray,
                     forms: Sequence[tuple[tuple[str, ...], int]]) -> None:
    """Raise the score of the best matching posts for each word of the query their body has
    as typed, not only in another form with the same stem ("performing", not "performs"):
    an occurrence of the stem as long as the word typed is taken for it."""
    docs = np.sort(_best(found, np.flatnonzero(mask), VERY_WORD_CANDIDATES))
    if len(docs) < 2:
        return  # nothing to put in another order
    factor = np.ones(len(docs))
    common = len(evaluator.table.alive) * VERY_WORD_COMMON
    for terms, length in forms:
        having = np.zeros(len(docs), dtype=bool)
        for term in terms:  # the word's stem in each language
            if evaluator.leaf(Term("body", term)).size > common:
                continue  # a common word: its forms tell little, and reading them costs most
            having[np.searchsorted(docs, evaluator.with_length("body", term, length, docs))] = True
        factor[having] += VERY_WORD_BOOST / len(forms)
    found.scores[docs] *= factor


def _year_bonus(table, found, mask: np.ndarray, years: Sequence[int]) -> None:
    """Raise the score of each matching post dated in a year typed beside other words
    ("react conf 2024", "weekly update 2016"): a reader names a post by when it came out as
    much as by what it says, and a post seldom writes its own year."""
    dated = mask & np.isin(table.years, list(years))
    found.scores[dated] *= YEAR_BOOST


def _title_start_bonus(table, found, mask: np.ndarray, parsed: ParsedQuery) -> None:
    """Raise the score of each matching post whose title begins with the words typed (the
    last one perhaps half typed: "OpenSSL a", "npm 1."), the more so the more of the title
    they are: a reader typing a title from its start wants that post. Queries of two words
    or more (one word begins too many titles to tell a post by)."""
    key = parsed.key
    if " " not in key and not (len(key) >= 2 and has_cjk(key)):
        return
    if parsed.last_whole and not has_cjk(key[-1:]):
        key += " "  # "node 20 ": titles that go on after "20", not "Node 2015"
    docnums, shares = table.titles_starting(key, MAX_TITLE_STARTS)
    if len(docnums):
        found.scores[docnums] *= 1.0 + TITLE_START_BOOST * (0.5 + 0.5 * shares) * mask[docnums]


def _title_cover_bonus(table, found, mask: np.ndarray, parsed: ParsedQuery,
                       near_misses: Collection[int] = (), asked: Sequence[str] = ()) -> bool:
    """Raise the score of each of the best matching posts whose title has every word typed
    (as typed, anywhere in it), the more so the more of the title they are.

    A reader who types two or three words of a title ("passwd mot", "shadow cachés",
    "gshadow shadow gruppi") means the title they are most of; titles are not weighed by
    their length (see schema.FIELD_B), so without this the post with those words in a longer
    title and more often in its text came first. Queries of two words or more; the best
    TITLE_COVER_CANDIDATES posts. Whether one of them has every word typed in its title.
    """
    typed = parsed.key.split()
    if len(typed) < 2:
        return False
    covered = False
    # The words typed; and without a question's words and words for the kind of post, for
    # a title the reader wrapped in them ("cómo 18 tutorial": "Cómo actualizar a React 18").
    wanted = [set(typed), *(set(key.split()) for key in asked if len(key.split()) >= 2)]
    for docnum in _best(found, np.flatnonzero(mask), TITLE_COVER_CANDIDATES).tolist():
        key = table.title_key_of(docnum)
        words = key.split()
        in_title = set(words)
        best = 0.0
        for these in wanted:
            whole = these <= in_title
            covered = covered or (whole and these is wanted[0])
            if whole or (docnum in near_misses and len(these - in_title) == 1):
                # The share of the title's characters that are words typed.
                share = sum(len(w) + 1 for w in words if w in these) / (len(key) + 1)
                if whole or share >= NEAR_MISS_COVER:
                    best = max(best, share)
        if best:
            found.scores[docnum] *= 1.0 + TITLE_COVER_BOOST * best
    return covered


def _near_title_bonus(table, found, mask: np.ndarray, parsed: ParsedQuery,
                      misspelt: Collection[str] = ()) -> tuple[list[int], list[int]]:
    """Raise the score of each matching post whose title is the query but for one word typed
    a letter or two wrong ("Monter un système de fichilrs", "cut ... chaque line d'un
    fichier" for "ligne"): a reader typing a whole title wants that post, as when it is
    exact, over posts that have its words, right, in a longer title or all over. Words of
    letters only (numbers tell posts apart: "React 17" is not "React 18"); the best
    NEAR_TITLE_CANDIDATES posts whose titles are about as long.

    Returns those posts, and, best first, those of them where the word that differs is one
    of ``misspelt`` (no post has it: "Reaect Compiler"), which the caller puts first: a
    reader who typed a title with a word no post has meant that title. (Then no title is
    the query exactly: its words would be in the index.) A title of one word counts only
    so: "Cdomponent" for the post titled "Component".
    """
    key = title_key(parsed.text)
    typed = key.split()
    if not typed or (len(typed) == 1 and typed[0] not in misspelt):
        # One word alone that posts have tells too little: many titles are a typo away from it.
        return [], []
    docnums = _best(found, table.titles_near_in_length(len(key), 2, mask), NEAR_TITLE_CANDIDATES)
    near, sure = [], []
    for docnum in docnums.tolist():
        title = table.title_key_of(docnum).split()
        if len(title) != len(typed):
            continue
        differ = [(a, b) for a, b in zip(title, typed) if a != b]
        if len(differ) == 1 and is_misspelt(*differ[0]):
            found.scores[docnum] *= 1.0 + NEAR_TITLE_BOOST
            near.append(docnum)
            if differ[0][1] in misspelt:
                sure.append(docnum)
    sure.sort(key=lambda d: -found.scores[d])
    return near, sure


def is_misspelt(word: str, typed: str) -> bool:
    """Whether ``typed`` is ``word`` typed with one slip (a letter wrong, missing, added, or
    two swapped; two slips in a word of 8 letters or more), both words of letters only.

    >>> is_misspelt("fichiers", "fichilrs"), is_misspelt("ligne", "line"), is_misspelt("react", "raect")
    (True, True, True)
    >>> is_misspelt("node", "nose"), is_misspelt("v17", "v18"), is_misspelt("in", "on"), is_misspelt("abcd", "dcba")
    (True, False, False, False)
    """
    if min(len(word), len(typed)) < MIN_MISSPELT or not (word.isalpha() and typed.isalpha()):
        return False
    most = typos_allowed(word)
    return OSA.distance(word, typed, score_cutoff=most) <= most


#: The text searched for a word starting with the last word (that of query.PREFIX_SCAN
#: posts at most): at most this many characters in all.
PREFIX_SCAN_CHARS = 1_000_000


class Widening:
    """How a query whose last word is being typed is widened when it finds fewer than
    FEW_RESULTS posts (see :func:`widen_to_prefix`): ``others`` makes the query without that
    word, when first needed (most queries find enough posts and never need it); ``prefix``
    is the word; ``as_written``, where the other words are asked for as written, makes the
    query of the posts that have them so (unscored: only which posts match); ``near_starts``
    gives the starts of words one slip away from it (given True, of a word of three letters
    too), looked for in titles (see :func:`widen_to_near_start`) when few posts are found, or
    always when ``slip``: the word starts no word the blog has (query.CompiledQuery.slip);
    ``typed_key`` is the query as a title is compared with it (query.ParsedQuery.key)."""

    def __init__(self, others: Callable[[], Query], prefix: str, as_written: Callable[[], Query] | None = None,
                 near_starts: Callable[[bool], frozenset[str]] | None = None, slip: bool = False,
                 typed_key: str = ""):
        self._others = others
        self.prefix = prefix
        self.as_written = as_written
        self.near_starts = near_starts
        self.slip = slip
        self.typed_key = typed_key
        self._found: Matches | None = None

    @cached_property
    def others(self) -> Query:
        return self._others()

    def found_without(self, evaluator: Evaluator) -> Matches:
        """The posts that match ``others``, and their scores, evaluated once."""
        if self._found is None:
            self._found = evaluator.evaluate(self.others)
        return self._found


def _few(evaluator: Evaluator, mask: np.ndarray, widen: Widening) -> bool:
    """Whether fewer than FEW_RESULTS posts match; where the other words are asked for as
    written (``widen.as_written``), posts that have them so (their stems match many more posts)."""
    found = np.count_nonzero(mask)
    if found < FEW_RESULTS:
        return True
    if widen.as_written is None or found > PREFIX_SCAN * 4:
        return False  # many posts have every word: one of them is the post wanted
    return np.count_nonzero(mask & evaluator.evaluate(widen.as_written(), scored=False).mask) < FEW_RESULTS


def widen_to_prefix(searcher, snap: "Snapshot", evaluator: Evaluator, found, widen: Widening,
                    allowed: np.ndarray | None) -> None:
    """Add to ``found`` the posts that match the query without its last word and have a word
    starting with it in their text, scored without it. Called when fewer than
    FEW_RESULTS posts have every word. Bounded: at most PREFIX_SCAN posts and
    PREFIX_SCAN_CHARS characters are looked at."""
    prefix = widen.prefix
    others = widen.found_without(evaluator)
    extra = others.mask & ~found.mask
    if allowed is not None:  # the request's filters
        extra &= allowed
    candidates = np.flatnonzero(extra)
    if not 0 < len(candidates) <= PREFIX_SCAN:
        return
    scanned = 0
    for docnum in candidates.tolist():
        post = snap.post(searcher, docnum)
        scanned += post.size
        if scanned > PREFIX_SCAN_CHARS:
            break
        if post.has_word_starting(prefix):
            found.mask[docnum] = True
            found.scores[docnum] = others.scores[docnum]


#: A post whose title is the query's other words and a word starting one slip away from the
#: last, being typed ("npm exkpl": "npm-explain"), scores this much more (a share), as a title
#: that is the query but for one misspelt word does (NEAR_TITLE_BOOST).
SLIP_TITLE_BOOST = NEAR_TITLE_BOOST
#: The best posts with the other words whose titles are looked at for a word starting one
#: slip away from the last word (see widen_to_near_start).
SLIP_TITLES = 200
#: A last word that starts words, found with the others in few posts, is looked for with a
#: slip in titles from this many letters: one slip in four is the start of too many words
#: ("contrôleur stat" found "slattach" first). Shorter (3 or 4 letters), only in the titles
#: that have every other word typed too ("expand tabulaciones espc", "hdparm poi").
FEW_SLIP_LETTERS = 5


def widen_to_near_start(table, evaluator: Evaluator, found, widen: Widening, allowed: np.ndarray | None,
                        titled_only: bool = False) -> None:
    """Add to ``found`` the posts that match the query without its last word, being typed
    (with a slip: "chage Passrwort"), and have a word starting one slip away from it in their
    title ("Passwortverfall"): the word is rare, and the commonest words that start so,
    which the query asked for, miss it. They score at least their score without it (as
    widen_to_prefix scores a post with the word as typed); and, where the word starts no
    word the blog has (``widen.slip``), SLIP_TITLE_BOOST more where the title has every
    other word typed (``widen.typed_key``: "npm exkpl" for "npm-explain", which the body's
    "explicitly" of longer pages outscored; but "Changelog-Formate" is a heading, not
    "deb-changelog - Format der Changelog-Datei"). With ``titled_only``, only the posts
    whose title has every other word typed too: a short start one slip away starts too many
    words ("contrôleur stat": "slattach"); so read, a word of three letters is looked for
    with a slip too ("hdparm poi": "pobiera"). Bounded: the titles of the SLIP_TITLES best
    of them are looked at."""
    # The words typed before the last, all in a title: that title is being typed.
    before = set(widen.typed_key.split()[:-1])
    if titled_only and not before:
        return
    starts = widen.near_starts(titled_only) if widen.near_starts is not None else frozenset()
    if not starts:
        return
    others = widen.found_without(evaluator)
    having = others.mask if allowed is None else others.mask & allowed
    # A word starting so; not one starting as typed (then it is no slip).
    near = re.compile(r"\b(?:%s)" % "|".join(map(re.escape, sorted(starts, key=len, reverse=True))))
    typed = re.compile(r"\b" + re.escape(title_key(widen.prefix)))
    docnums = _best(others, np.flatnonzero(having), SLIP_TITLES)
    for docnum, key in zip(docnums.tolist(), table.title_keys_of(docnums)):
        if near.search(key) and not typed.search(key):
            titled = bool(before) and before <= set(key.split())
            if titled_only and not titled:
                continue
            found.mask[docnum] = True
            found.scores[docnum] = max(found.scores[docnum], others.scores[docnum])
            if widen.slip and titled:
                found.scores[docnum] *= 1.0 + SLIP_TITLE_BOOST


def _rank(evaluator: Evaluator, docs, scores, dates, parsed: ParsedQuery,
          word_groups: Sequence[Sequence[Query]], limit: int, keys: Sequence[str] = ()):
    """Positions in ``docs`` of the first ``limit`` posts in final order: a post whose title
    is exactly the query (its key, or any of ``keys`` when given) first, then (relaxed
    queries) posts matching more of the words typed (``word_groups``: each word's groups,
    see query.CompiledQuery.typed), then by score, and among near-equal scores the newer
    post first."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64)
    exact = np.zeros(len(docs), dtype=bool)
    if parsed.has_text:
        for key in keys or [parsed.key]:
            exact |= np.isin(docs, evaluator.leaf(Term("title_key", key)).ids)
    groups = np.zeros(len(docs), dtype=np.int64)
    if len(word_groups) > 1:
        for word in word_groups:  # (a post has a word where it has each of its groups)
            groups += np.logical_and.reduce([evaluator.evaluate(group, scored=False).mask[docs] for group in word])
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


def did_you_mean(parsed: ParsedQuery, text: str, expander: Expander) -> str | None:
    """The query with each unknown word replaced by its closest indexed word, or split in two
    words posts have ("node18": "node 18", "hotreload": "hot reload"), or None."""
    replaced = text
    changed = False
    for clause in parsed.clauses:
        if not plain_word(clause) or clause.also:
            continue
        fixes = expander.corrections(clause.text)
        fix = fixes[0] if fixes else split_in_two(clause.text, expander)
        if fix:
            replaced = re.sub(rf"(?<![\w-]){re.escape(clause.text)}(?!\w)", lambda _m: fix, replaced, count=1)
            changed = True
    return replaced if changed and replaced != text else None


def related_docnums(searcher, stored: dict[str, Any], docnum: int, limit: int) -> list[int]:
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


def facet_counts(groups: dict, names: dict[str, str]) -> dict[str, int]:
    counted = sorted(
        ((names.get(k, k), n) for k, n in groups.items() if k and n), key=lambda kv: (-kv[1], kv[0].lower())
    )
    return dict(counted[:MAX_FACETS])


def year_counts(groups: dict) -> dict[str, int]:
    years = sorted(((int(k), n) for k, n in groups.items() if k is not None and n), reverse=True)
    return {str(y): n for y, n in years}
