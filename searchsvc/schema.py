"""The Whoosh schema: analyzers, fields, field weights and the schema version.

Analyzers compose with ``|``; each filter here has one job.

>>> [t.text for t in prose_analyzer()("Node.js runs useOptimistic")]
['node.js', 'node', 'js', 'run', 'runs', 'useoptimist', 'useoptimistic', 'us', 'use', 'optimist', 'optimistic']
>>> [t.text for t in prose_analyzer()("Node.js runs useOptimistic", mode="query")]
['node.js', 'run', 'useoptimist']
>>> [t.text for t in code_analyzer()("formData.get('name')")]
['formdata.get', 'formdata', 'get', 'form', 'data', 'name']
"""

from __future__ import annotations

import pickle
import re
import unicodedata
from array import array
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from math import log
from typing import Iterator

from whoosh.analysis import (
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    Token,
    Tokenizer,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Characters, Positions
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.system import pack_uint

from . import languages
from .languages import CJK_CLASS, ENGLISH_STOP, has_cjk

#: Bump when fields or analyzers change: an index with another version is rebuilt in full.
SCHEMA_VERSION = 14
#: Bump when analysis makes other terms of the same text, the format unchanged: the next
#: reindex rebuilds in full, and the live index is served meanwhile (its analyzers are
#: pickled in it, so its queries are analysed as its posts were). 2: İ and Turkish I
#: lower-cased as those languages write them (see languages.lower). 3: combining marks are
#: part of words (WORD_PATTERN), Arabic and Hebrew vowel points left out. 4: words with
#: combining marks stemmed (Hindi, Tamil, Nepali). 5: English words
#: also indexed as written (see languages.keeps_exact). 6: ``i`` and a combining dot (a
#: lower-cased ``İ``) read as ``i``. (An index of 5 is queried with that reading too: only
#: text that had the dot apart, rare, is found once rebuilt.) 7: tags keyed so too ("İstanbul"
#: is ``tag:istanbul``; an index of 6 keys it ``i̇stanbul``, which a filter then misses).
#: 8: the words of titles, headings, tags and descriptions that folding changes are kept as
#: written too (the ``written`` field: see :class:`WrittenFormFilter`); an index of 7 has
#: none, and its completions and corrections are stemmed as folded, as before. And a word
#: with letters other than a-z is split into parts only where a name is (CompoundFilter): 7
#: indexed "sécurité" as ``s`` and ``écurité`` too, and "हिन्दी" as ``ह``, ``न`` and ``द``. And
#: œ, æ and ß folded as oe, ae and ss (languages.LIGATURES), title keys too; Greek tonos,
#: Arabic alef with hamza or madda, and in Persian and Urdu Arabic kaf and yeh, folded.
#: 9: Turkish dotless ``ı`` read as ``i`` in title keys (see title_key): an index of 8 keys
#: "Kapalı" ``kapalı``, which a query's key no longer is, until the rebuild.
#: 10: a language named by a letter and a sign ("C++", "C#") a word of its own
#: (SIGNED_NAME), also indexed as its letter, and whole in title keys; an index of 9 reads
#: "c++" as ``c``, as before, but for its title keys ("modern c tips"), which a query's
#: key ("modern c++ tips") no longer is, until the rebuild.
#: 11: two words joined by a hyphen also indexed as one ("real-time": ``realtime``, its
#: terms marked with JOINED_MARK; see WordTokenizer.index_words) in titles, headings, tags,
#: descriptions and the body; an index of 10 has no such word, and finds "realtime" where
#: posts write it so, as before.
#: 12: a version number is indexed as the versions it is one of, not as the numbers inside
#: it ("18.20.7": ``18`` and ``18.20``; see _version_parts); an index of 11 finds Node.js
#: 24.18.1 for "node 18", and no release for "node 18.18", until the rebuild.
ANALYSIS_VERSION = 12

#: How much a match in each field counts (title > headings > tags, description > body > code).
FIELD_WEIGHTS: dict[str, float] = {
    "title": 8.0,
    "headings": 4.0,
    "tag_text": 3.0,
    "description": 2.5,
    "author": 2.0,
    "body": 1.0,
    "code": 0.6,
}
#: Weight of a part of a compound word (``filter`` in ``FilterMetadataService``).
PART_WEIGHT = 0.3
#: Extra weight for a query whose words appear as a phrase in the title, and for an exact title.
TITLE_PHRASE_BONUS = 6.0
EXACT_TITLE_BONUS = 20.0


def _ranges(categories: dict[str, str], stop: int, skip: range = range(0)) -> dict[str, str]:
    """Per name, the characters below ``stop`` (but ``skip``) whose Unicode category
    ``categories`` gives that name, as the inside of a character class."""
    ranges: dict[str, list[list[int]]] = {name: [] for name in categories.values()}
    category = unicodedata.category
    for code in range(stop):
        name = categories.get(category(chr(code)))
        if name is None or code in skip:
            continue
        found = ranges[name]
        if found and found[-1][1] == code - 1:
            found[-1][1] = code
        else:
            found.append([code, code])
    return {name: "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in found)
            for name, found in ranges.items()}


MARK_CATEGORIES = {"Mn": "marks", "Mc": "marks", "Me": "marks"}


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane, as a character class's ranges:
    vowel signs and viramas of Devanagari and the other Indic scripts, Thai vowels and
    tones, Arabic and Hebrew vowel points, accents written apart. Python's ``\\w`` leaves
    them out, which cut "हिन्दी" into three words of one letter. (Not the variation selectors:
    they follow emoji, not letters.)"""
    return _ranges(MARK_CATEGORIES, 0x10000, skip=range(0xFE00, 0xFE10))["marks"]


#: Words: letters, digits and underscores, with their combining marks, and dotted names kept
#: whole (``node.js``, ``v18.3.0``); a run of characters of a script written without spaces
#: (Chinese, Japanese, Korean, Thai…: ``CJK_CLASS``) is a word of its own (``cjk``), which the
#: tokenizer cuts into overlapping pairs ("服务器" is "服务", "务器").
_LETTER = f"[^\\W{CJK_CLASS}]"
_MARKS = _mark_ranges()
_LETTERS = f"(?:{_LETTER}+|[{_MARKS}]+)*"
#: A language named by a letter and a sign, a word of its own ("C++", "C#", "F#", "g++"):
#: else "c++" found the posts about C and C# as well (see CompoundFilter: also indexed as
#: its letter).
SIGNED_NAME = r"(?<![\w.+#-])[A-Za-z](?:\+\+|#)(?![\w+#])"
WORD_PATTERN = rf"{SIGNED_NAME}|{_LETTER}{_LETTERS}(?:\.{_LETTER}{_LETTERS})*|(?P<cjk>[{CJK_CLASS}]+)"
#: The same words in a text without combining marks (most): a third faster to find.
_PLAIN_WORD_PATTERN = rf"{SIGNED_NAME}|{_LETTER}+(?:\.{_LETTER}+)*|(?P<cjk>[{CJK_CLASS}]+)"
#: The words of an index of ANALYSIS_VERSION 9 or older (no signed names), which its
#: pickled tokenizer keeps reading queries with, and their plain form.
_PLAIN_PATTERNS = {
    WORD_PATTERN: _PLAIN_WORD_PATTERN,
    rf"{_LETTER}{_LETTERS}(?:\.{_LETTER}{_LETTERS})*|(?P<cjk>[{CJK_CLASS}]+)":
        rf"{_LETTER}+(?:\.{_LETTER}+)*|(?P<cjk>[{CJK_CLASS}]+)",
}
_ANY_MARK = re.compile(f"[{_MARKS}]")
#: Code identifiers, dotted paths (``formData.get``) and numbers.
CODE_PATTERN = rf"{SIGNED_NAME}|[^\W\d][\w$]*(?:\.[^\W\d][\w$]*)*|\d\w*(?:\.\w+)*"
_SIGNED = re.compile(SIGNED_NAME)


def is_signed_name(word: str) -> bool:
    """Whether ``word`` is a language named by a letter and a sign ("C++", "c#")."""
    return _SIGNED.fullmatch(word) is not None


#: English stop words (see :mod:`searchsvc.languages` for every language's).
STOP = ENGLISH_STOP

#: The language text is analysed in when a call does not say (``lang=``): the indexer sets
#: the post's around each document it adds (see :func:`analysing`).
_LANGUAGE: ContextVar[str] = ContextVar("searchsvc_language", default=languages.DEFAULT)


@contextmanager
def analysing(lang: str) -> Iterator[None]:
    """Analyse text in ``lang`` inside the block (Whoosh's fields call analyzers with no language)."""
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


@lru_cache(maxsize=1)
def _part_re() -> re.Pattern:
    """Parts of a name: camelCase humps and runs of capitals; letters and digits stay
    together ("v18"). Capitals and other letters of any script, a letter's marks with it: a
    word with accents is no name ("sécurité", "Größe", "हिन्दी" are one part each;
    "CómoActualizar" two). Letters of no case ("ƻ", "ʻ" in "Hawaiʻi", Hebrew, Devanagari) go on
    a word as small ones do. Made on first use (60 ms: every character's category below
    U+20000 is read), by indexing alone: a query keeps its words whole."""
    classes = _ranges({"Lu": "upper", "Ll": "lower", "Lt": "lower", "Lm": "lower", "Lo": "lower",
                       **MARK_CATEGORIES}, 0x20000)
    upper, lower, marks = classes["upper"], classes["lower"], classes["marks"]
    return re.compile(
        rf"[{upper}0-9{marks}]+(?=[{upper}][{marks}]*[{lower}])"
        rf"|[{upper}]?[{marks}]*[{lower}0-9][{lower}0-9{marks}]*"
        rf"|[{upper}0-9{marks}]+"
        rf"|(?:[^\W_]|[{marks}])+"
    )


#: Commit hashes and similar hex ids: thousands of unique terms in release notes, never searched for.
_HEX_ID = re.compile(r"^(?=[a-fA-F]*\d)(?=\d*[a-fA-F])[0-9a-fA-F]{7,}$")
_LETTER_DIGIT_SWITCH = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def is_noise(word: str) -> bool:
    """Hashes, checksums and base64 (signatures, keys): thousands of unique terms nobody searches for.

    >>> [is_noise(w) for w in ("a1b2c3d4", "iQEzBAEBCAAdFiEETtd49TnjY0x3", "v18", "sha256sum", "x86_64", "2024")]
    [True, True, False, False, False, False]
    """
    if len(word) < 7:
        return False
    if _HEX_ID.match(word):
        return True
    return len(word) >= 16 and len(_LETTER_DIGIT_SWITCH.findall(word)) >= 4


def split_compound(text: str) -> list[tuple[str, int]]:
    """Split a dotted, snake_case or camelCase name into (part, offset) pairs.

    >>> split_compound("formData.get")
    [('form', 0), ('Data', 4), ('get', 9)]
    >>> split_compound("HTTPServer_v2")
    [('HTTP', 0), ('Server', 4), ('v2', 11)]
    >>> split_compound("plain")
    [('plain', 0)]
    >>> split_compound("sécurité"), split_compound("CómoActualizar")
    ([('sécurité', 0)], [('Cómo', 0), ('Actualizar', 4)])
    """
    return [(m.group(), m.start()) for m in _part_re().finditer(text)]


class CompoundFilter(Filter):
    """Index ``formData.get`` whole and as ``formData``, ``form``, ``Data``, ``get``.

    Parts share the whole token's position, so phrases across it still match.
    When querying only the whole token is kept: a query for ``useOptimistic``
    means that name, while ``use optimistic`` still finds it through the parts.
    """

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        """What a query word becomes here (see CachedAnalyzer.query_terms): itself."""
        return text

    def __call__(self, tokens):
        for t in tokens:
            if t.mode == "query":
                yield t
                continue
            text = t.text
            yield t
            parts = _expand(text)
            if not parts:
                continue
            chars = t.chars
            if chars:
                start, end = t.startchar, t.endchar
            boost = t.boost
            # Parts count for less than the whole word: a query "filtering" must not rank
            # "FilterMetadataService" like a post about filtering.
            t.boost = boost * PART_WEIGHT
            for part, offset in parts:
                t.text = part
                if chars:
                    t.startchar = start + offset
                    t.endchar = start + offset + len(part)
                yield t
            t.text = text
            t.boost = boost
            if chars:
                t.startchar, t.endchar = start, end


#: A version number ("18.20.7", "v1.2", "0.10.23-rc.1"): numbers joined by dots, the first
#: maybe after a "v", and maybe a label after a hyphen or a plus.
_VERSION = re.compile(r"([vV]?)([0-9]+(?:\.[0-9]+)+)(?=$|[-+])")
#: ... but a date as much of Europe writes it ("15.01.2024", "1.2.2025"), whose numbers a
#: reader may type alone (the year).
_DOTTED_DATE = re.compile(r"(?:0?[1-9]|[12][0-9]|3[01])\.(?:0?[1-9]|1[0-2])\.(?:1[6-9]|2[0-9])[0-9][0-9]")


def _version_of(text: str, *, whole: bool = False) -> re.Match | None:
    """``text`` read as a version number (_VERSION; with ``whole``, nothing after it), or
    None, as for a date written with dots."""
    if _DOTTED_DATE.fullmatch(text):
        return None
    return _VERSION.fullmatch(text) if whole else _VERSION.match(text)


def _version_parts(text: str, version: re.Match) -> list[tuple[str, int]]:
    """The parts of a version number (see _expand): the versions it is one of, as readers
    type them ("18.20.7": ``18`` and ``18.20``; "v18.20.7" also ``v18``, ``v18.20`` and
    ``18.20.7``), then its label's ("1.2.3-beta": ``beta``). Not the numbers inside it: a
    reader who types "node 18" means Node.js 18, not 24.18.1, and "python 3" is no 2.7.3.

    >>> [part for part, _at in _expand("18.20.7")], [part for part, _at in _expand("v1.2.3-beta")]
    (['18', '18.20'], ['1', 'v1', '1.2', 'v1.2', '1.2.3', 'beta'])
    >>> [part for part, _at in _expand("15.01.2024")]  # a date: its numbers
    ['15', '01', '2024']
    """
    v, number = version.group(1), version.group(2)
    numbers = number.split(".")
    out: list[tuple[str, int]] = []
    for n in range(1, len(numbers) + 1):
        prefix = ".".join(numbers[:n])
        out.append((prefix, len(v)))
        if v and n < len(numbers):
            out.append((v + prefix, 0))
    out += [(part, at) for part, at in split_compound(text) if at >= version.end()]
    return out


def version_lines(text: str) -> list[str]:
    """The versions a version number is one of, but itself, the longest first ("18.20.9":
    ``18.20``, ``18``); none for another word.

    >>> version_lines("v1.2.3"), version_lines("2024"), version_lines("15.01.2024")
    (['1.2', 'v1.2', '1', 'v1'], [], [])
    """
    version = _version_of(text, whole=True)
    if version is None:
        return []
    lines = [part for part, _at in _version_parts(text, version) if part != version.group(2)]
    return sorted(dict.fromkeys(lines), key=lambda line: -line.lstrip("vV").count("."))


@lru_cache(maxsize=50_000)
def _expand(text: str) -> tuple[tuple[str, int], ...]:
    """The extra tokens for one compound word (empty for a plain word)."""
    if is_signed_name(text):  # "C++", "C#": the letter
        return ((text[0], 0),)
    out: list[tuple[str, int]] = []
    version = _version_of(text)
    if version is not None:
        out = _version_parts(text, version)
    elif "." in text:
        offset = 0
        for segment in text.split("."):
            if segment:
                out.append((segment, offset))
            offset += len(segment) + 1
    pieces = split_compound(text) if version is None else ()
    if len(pieces) > 1:
        out.extend(p for p in pieces if p not in out)
    seen = {text.lower()}
    unique = []
    for part, offset in out:
        if part.lower() not in seen:
            seen.add(part.lower())
            unique.append((part, offset))
    return tuple(unique)


class NoiseFilter(Filter):
    """Drop hashes, checksums and base64 blobs (see :func:`is_noise`), before they are split."""

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        return None if is_noise(text) else text

    def __call__(self, tokens):
        for t in tokens:
            if not is_noise(t.text):
                yield t


#: What begins each term of a word that indexing made of two a hyphen joins ("real-time":
#: ``\x1erealtime``; see WordTokenizer.index_words): such terms are apart from the words
#: posts write, so a word is known, completed and corrected as the posts write it, and a
#: query asks for the joined word where it chooses (see query.compile_query).
JOINED_MARK = "\x1e"


class JoinedFilter(Filter):
    """Mark the terms of a word made of two a hyphen joins (a token the tokenizer gave
    ``joined``: see WordTokenizer.index_words) with :data:`JOINED_MARK`; last but for
    RenumberFilter, after stemming. A query's words pass as they are."""

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        return text

    def __call__(self, tokens):
        for t in tokens:
            if getattr(t, "joined", False):
                t.text = JOINED_MARK + t.text
            yield t


class LanguageFilter(Filter):
    """Stop words, stemming and accent folding in the token's language (``lang``).

    Only plain alphabetic words are stemmed (a plain stemmer turns ``node.js`` into
    ``node.j``); names are folded only. Where readers leave accents out, a word with
    accents is also indexed as its plain form stemmed ("chargées" as ``charg`` and
    ``charge``, which is what "chargees" stems to), at the same position. In a language
    with a stemmer, words are also indexed as written (see :func:`languages.keeps_exact`);
    a query asks for that form with ``exact=True``. Pairs of CJK characters pass as they are.
    """

    def __init__(self, stops: bool = True):
        self.stops = stops
        #: Turkish ``ı`` read as ``i`` (ANALYSIS_VERSION 2). The filters of an index built
        #: before, unpickled without it, keep reading queries as its posts were read.
        self.dotless = True
        #: English words also indexed as written (ANALYSIS_VERSION 5); likewise.
        self.exact_english = True

    def __eq__(self, other):
        return type(other) is type(self) and other.stops == self.stops

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        """What a query word becomes in ``lang`` (None: a stop word, removed)."""
        if self.stops and text in languages.stop_words(lang):
            return None
        dotless, english = getattr(self, "dotless", False), getattr(self, "exact_english", False)
        return exact_form(lang, text, dotless, english) if exact else word_forms(lang, text, dotless, english)[0]

    def __call__(self, tokens):
        dotless, english = getattr(self, "dotless", False), getattr(self, "exact_english", False)
        for t in tokens:
            lang = getattr(t, "lang", None) or _LANGUAGE.get()
            text = t.text
            if self.stops and text in languages.stop_words(lang):
                if t.removestops:
                    continue
                t.stopped = True
                yield t
                continue
            if t.mode == "query" and getattr(t, "exact", False):
                t.text = exact_form(lang, text, dotless, english)
                yield t
                continue
            forms = word_forms(lang, text, dotless, english)
            t.text = forms[0]
            yield t
            if len(forms) > 1 and t.mode != "query":
                for form in forms[1:]:
                    t.text = form
                    yield t


@lru_cache(maxsize=200_000)
def word_forms(lang: str, word: str, dotless: bool = True, english: bool = True) -> tuple[str, ...]:
    """The terms a lower-case word is indexed as in ``lang``: stemmed and folded first
    (``english``: English words as written too, see :func:`index_keeps_exact`).

    >>> word_forms("fr", "chargées"), word_forms("en", "runs"), word_forms("de", "häuser")
    (('charg', 'charge', 'chargees'), ('run', 'runs'), ('haus', 'hauser'))
    >>> word_forms("en", "runs", english=False), word_forms("en", "run")
    (('run',), ('run',))
    """
    if not languages.is_word(word) or languages.is_cjk(word[:1]):
        return (languages.fold(lang, word, dotless),)
    stemmed = languages.fold(lang, languages.stem(lang, word), dotless)
    forms = [stemmed]
    if not word.isascii() and languages.folds(lang):
        plain = languages.stem(lang, languages.fold(lang, word))
        if plain not in forms:
            forms.append(plain)
    if languages.keeps_exact(lang) and (english or lang != "en"):
        exact = languages.fold(lang, word, dotless)
        if exact not in forms:
            forms.append(exact)
    return tuple(forms)


def exact_form(lang: str, word: str, dotless: bool = True, english: bool = True) -> str:
    """The term a lower-case word is as written (accents folded) in a language that indexes
    words as written beside their stems (see :func:`languages.keeps_exact`); else its stem."""
    if languages.keeps_exact(lang) and (english or lang != "en") \
            and languages.is_word(word) and not languages.is_cjk(word[:1]):
        return languages.fold(lang, word, dotless)
    return word_forms(lang, word, dotless, english)[0]


def index_keeps_exact(schema, lang: str) -> bool:
    """Whether the index of ``schema`` has the words of ``lang`` as written beside their
    stems (:func:`languages.keeps_exact`): an English index built before ANALYSIS_VERSION 5
    has stems alone, and is served so until the next reindex rebuilds it."""
    if lang == "en" and not any(getattr(f, "exact_english", False) for f in schema["body"].analyzer.items
                                if isinstance(f, LanguageFilter)):
        return False
    return languages.keeps_exact(lang)


class RenumberFilter(Filter):
    """Close the gaps stop words leave in positions, keeping shared positions shared.

    The filters before share one Token: the parts of a compound word come back with the
    position given to the whole word, which is never the original position of a later word.

    >>> [(t.text, t.pos) for t in prose_analyzer()("the Node.js loop", positions=True)]
    [('node.js', 0), ('node', 0), ('js', 0), ('loop', 1)]
    """

    def __call__(self, tokens):
        last_original = None
        pos = -1
        for t in tokens:
            if t.positions:
                if t.pos != last_original and t.pos != pos:
                    last_original = t.pos
                    pos += 1
                t.pos = pos
            yield t


#: Whoosh's Positions and Characters values start with the number of occurrences (4 bytes).
COUNT_SIZE = 4
#: Keyword arguments of a plain indexing call (Whoosh's formats pass these and nothing else;
#: ``lang`` is ours).
_INDEXING_ARGS = frozenset({"positions", "chars", "boosts", "mode", "removestops", "lang"})
#: Distinct words whose tokens an analyzer keeps; past this the cache starts over.
CACHED_WORDS = 200_000


class CachedAnalyzer(CompositeAnalyzer):
    """``tokenizer | filters``, indexing each distinct word through the filters once.

    Indexing sends every word of every post through the chain of generators, so that
    chain was most of the time spent analysing. The filters look at one token at a time
    (RenumberFilter only closes the gaps the others leave), so the tokens a word becomes
    depend on the word alone: they are worked out by the filters themselves the first
    time the word is seen, and replayed after that. Any other call (queries,
    highlighting) goes through the chain as usual.

    The replay gives exactly the tokens, positions, offsets and boosts of the chain:

    >>> cached = prose_analyzer()
    >>> chain = CompositeAnalyzer(*cached.items)
    >>> text = "The formData.get of Node.js runs, and the HTTPServer_v2 too"
    >>> def tokens(analyzer):
    ...     return [(t.text, t.pos, t.startchar, t.endchar, t.boost)
    ...             for t in analyzer(text, positions=True, chars=True, boosts=True, mode="index")]
    >>> tokens(cached) == tokens(chain)
    True
    """

    def __init__(self, *composables):
        super().__init__(*composables)
        tokenizer, *filters = self.items
        if not isinstance(tokenizer, WordTokenizer):
            raise TypeError("A CachedAnalyzer starts with a WordTokenizer.")
        if any(isinstance(f, RenumberFilter) for f in filters[:-1]):
            raise TypeError("A CachedAnalyzer can only renumber positions in its last filter.")
        #: Per language, the tokens each word becomes.
        self._parts: dict[str, dict[str, tuple[tuple[str, int, int, float], ...]]] = {}
        self._query_steps = _query_steps(filters)

    def __getstate__(self):
        # The caches are not part of the schema that Whoosh pickles into the index.
        return {k: v for k, v in self.__dict__.items() if k not in ("_parts", "_query_steps")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._parts = {}
        self._query_steps = _query_steps(self.items[1:])

    def query_terms(self, value: str, lang: str = "", exact: bool = False) -> list[str]:
        """The terms of ``self(value, mode="query", lang=lang, exact=exact)``, each word passed
        through the filters' ``query_word`` (plain calls) rather than their chain of generators:
        a query's completions and corrections are new words to analyse on most requests, in
        each field and language, and the chain took 15-25 µs a word.

        >>> titles = title_analyzer()
        >>> titles.query_terms("The Runs of Node.js", "en")
        ['the', 'run', 'of', 'node.js']
        >>> titles.query_terms("Escribimos pruebas", "es", exact=True)
        ['escribimos', 'pruebas']
        """
        lang = lang or _LANGUAGE.get()
        steps = self._query_steps
        if steps is None:  # a filter without query_word: its chain
            return [t.text for t in self(value, mode="query", lang=lang, exact=exact)]
        out = []
        for word, _start in self.items[0].words(value):
            for step in steps:
                word = step(word, lang, exact)
                if word is None:
                    break
            else:
                out.append(word)
        return out

    def __call__(self, value, **kwargs):
        if (
            kwargs.get("mode") != "index"
            or not kwargs.get("removestops", True)
            or not kwargs.keys() <= _INDEXING_ARGS
            or not isinstance(value, str)
        ):
            return super().__call__(value, **kwargs)
        lang = kwargs.get("lang") or _LANGUAGE.get()
        return self._index(value, kwargs.get("positions", False), kwargs.get("chars", False), lang)

    def _index(self, value, positions, chars, lang):
        t = Token(positions, chars, removestops=True, mode="index")
        t.stopped = False
        for text, at, first, end, boost in self._parts_of(value, lang):
            t.text = text
            t.boost = boost
            if positions:
                t.pos = at
            if chars:
                t.startchar = first
                t.endchar = end
            yield t

    def _parts_of(self, value: str, lang: str) -> Iterator[tuple[str, int, int, int, float]]:
        """(text, position, start, end, boost) of each token indexing ``value`` in ``lang``
        gives, each word's tokens taken from the cache (see :meth:`_word_parts`)."""
        tokenizer, *filters = self.items
        renumber = bool(filters) and isinstance(filters[-1], RenumberFilter)
        known = self._parts.get(lang)
        if known is None:
            known = self._parts[lang] = {}
        last_original, pos = None, -1  # RenumberFilter's state
        for word, start, end, n, joined in tokenizer.index_words(value, lang):
            whole = len(word)
            parts = known.get(JOINED_MARK + word if joined else word)
            if parts is None:
                parts = self._word_parts(word, lang, known, joined)
            # The position RenumberFilter reads: the word's for its first token; for the next
            # parts, the one RenumberFilter gave the previous part (filters share one Token).
            seen = n
            for text, startchar, endchar, boost in parts:
                if renumber:
                    if seen != last_original and seen != pos:
                        last_original = seen
                        pos += 1
                    seen = pos
                # (A token of the whole word ends where the word does: for words joined by a
                # hyphen, a character after its length.)
                last = end if startchar == 0 and endchar == whole else start + endchar
                yield text, seen if renumber else n, start + startchar, last, boost

    def occurrences(self, value: str, chars: bool) -> Iterator[tuple[str, float, list]]:
        """(term, weight, deltas) of each term that indexing ``value`` gives, in the order the
        terms first occur: the tokens of ``self(value, mode="index", positions=True,
        chars=chars, boosts=True)`` (in the language :func:`analysing` set), gathered per term
        as Whoosh's Characters and Positions formats encode them. The deltas are position -
        previous position, each followed with ``chars`` by start - previous end and length
        (three numbers an occurrence, in one flat list).
        """
        # term -> [weight, deltas, previous position, previous end]
        found: dict[str, list] = {}
        for text, at, first, end, boost in self._parts_of(value, _LANGUAGE.get()):
            entry = found.get(text)
            if entry is None:
                entry = found[text] = [0.0, [], 0, 0]
            entry[0] += boost
            if chars:
                entry[1] += (at - entry[2], first - entry[3], end - first)
                entry[3] = end
            else:
                entry[1].append(at - entry[2])
            entry[2] = at
        for text, (weight, deltas, _, _) in found.items():
            yield text, weight, deltas

    def _word_parts(self, word, lang, known, joined=False):
        """(text, start, end, boost) of each token ``word`` becomes, as the filters make them
        (``joined``: a word indexing made of two a hyphen joins, see JoinedFilter)."""
        if isinstance(self.items[1], NoiseFilter) and is_noise(word):
            # What the first filter would do (most distinct words of release notes are hashes).
            parts: tuple = ()
        else:
            t = Token(positions=True, chars=True, removestops=True, mode="index", lang=lang)
            t.text, t.boost, t.stopped, t.pos, t.startchar, t.endchar = word, 1.0, False, 0, 0, len(word)
            t.joined = joined
            tokens = iter([t])
            for item in self.items[1:]:
                if not isinstance(item, RenumberFilter):
                    tokens = item(tokens)
            parts = tuple((t.text, t.startchar, t.endchar, t.boost) for t in tokens if not t.stopped)
        if len(known) >= CACHED_WORDS:
            known.clear()
        known[JOINED_MARK + word if joined else word] = parts
        return parts


def _lower(text: str, lang: str, exact: bool) -> str:
    """Whoosh's LowercaseFilter, in the analyzers of an index built before LowerFilter."""
    return text.lower()


def _query_steps(filters) -> tuple | None:
    """What each of ``filters`` does to one word of a query (see CachedAnalyzer.query_terms);
    None when one of them cannot say (its chain is used instead). Renumbering is left out:
    it changes positions only."""
    steps = []
    for item in filters:
        if isinstance(item, RenumberFilter):
            continue
        if type(item) is LowercaseFilter:
            steps.append(_lower)
        elif hasattr(item, "query_word"):
            steps.append(item.query_word)
        else:
            return None
    return tuple(steps)


def _one_pass(value, analyzer, kwargs) -> bool:
    """Whether a format's ``word_values(value, analyzer, **kwargs)`` is a plain indexing call
    that :meth:`CachedAnalyzer.occurrences` answers (what Whoosh's fields make when they add
    a document)."""
    return isinstance(analyzer, CachedAnalyzer) and isinstance(value, str) and kwargs == {"mode": "index"}


class CharacterPostings(Characters):
    """Whoosh's Characters format (positions and character ranges), with values of our own.

    A value is Whoosh's count of occurrences (4 bytes), then the numbers Whoosh pickles for
    each occurrence: (position - previous position, start - previous end, length), as
    native int32. The postings recorder copies them into the postings file as they are (see
    :meth:`occurrence_codes` and :mod:`searchsvc.postings`) and gives Whoosh's own postings
    empty values, so these values never reach the disk; :meth:`encode` makes one again when
    Whoosh reads a posting (for a merge or a highlight).

    Values are made in one pass over the analyzer's cached words (see
    :meth:`CachedAnalyzer.occurrences`).
    """

    def word_values(self, value, analyzer, **kwargs):
        if not _one_pass(value, analyzer, kwargs):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for text, weight, deltas in analyzer.occurrences(value, chars=True):
            count = len(deltas) // 3
            yield text, _counted(text, count), weight * boost, pack_uint(count) + array("i", deltas).tobytes()

    def encode(self, poslist):
        codes = []
        position = end = 0
        for pos, startchar, endchar in poslist:
            codes += (pos - position, startchar - end, endchar - startchar)
            position, end = pos, endchar
        return pack_uint(len(poslist)) + array("i", codes).tobytes()

    @staticmethod
    def occurrence_codes(valuestring: bytes) -> memoryview:
        """The int32 numbers of a value, three per occurrence (see the class)."""
        return memoryview(valuestring)[COUNT_SIZE:]

    def decode_characters(self, valuestring):
        codes = array("i")
        codes.frombytes(self.occurrence_codes(valuestring))
        found = []
        position = end = 0
        for i in range(0, len(codes), 3):
            position += codes[i]
            start = end + codes[i + 1]
            end = start + codes[i + 2]
            found.append((position, start, end))
        return found

    def decode_positions(self, valuestring):
        return [position for position, _, _ in self.decode_characters(valuestring)]


class PositionPostings(Positions):
    """Whoosh's Positions format, its values made as :class:`CharacterPostings` makes its."""

    def word_values(self, value, analyzer, **kwargs):
        if not _one_pass(value, analyzer, kwargs):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for text, weight, deltas in analyzer.occurrences(value, chars=False):
            yield text, _counted(text, len(deltas)), weight * boost, pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _counted(text: str, count: int) -> int:
    """The occurrences of term ``text`` that a post's length in its field counts (Whoosh adds up
    the second number of each word value): none of a word indexing joined (JOINED_MARK),
    which is another reading of words already counted, so that a post with many words
    joined by hyphens is no longer for it (BM25's length normalisation)."""
    return 0 if text.startswith(JOINED_MARK) else count


def _text(analyzer, *, phrase: bool, chars: bool = False, stored: bool = False, spelling: bool = False) -> TEXT:
    """A TEXT field whose positions and characters are encoded in one pass (see
    :class:`CharacterPostings`)."""
    field = TEXT(analyzer=analyzer, phrase=phrase, chars=chars, stored=stored, spelling=spelling)
    if isinstance(field.format, Characters):
        field.format = CharacterPostings(field_boost=field.format.field_boost)
    elif isinstance(field.format, Positions):
        field.format = PositionPostings(field_boost=field.format.field_boost)
    return field


class WordTokenizer(Tokenizer):
    """Words as ``pattern`` finds them; a run of CJK characters (the pattern's ``cjk``
    group) as overlapping pairs, each a word with a position of its own ("服务器" is
    "服务" then "务器"; a lone character stays one). Tokens carry the language they are
    analysed in (``lang``: the call's, else the one :func:`analysing` set).

    >>> [(t.text, t.pos, t.startchar) for t in WordTokenizer()("React 服务器", positions=True, chars=True)]
    [('React', 0, 0), ('服务', 1, 6), ('务器', 2, 7)]
    """

    def __init__(self, pattern: str = WORD_PATTERN, joins: bool = False):
        self.pattern = pattern
        #: Whether indexing also gives words joined by a hyphen as one (see :meth:`index_words`).
        self.joins = joins
        self.expression = re.compile(pattern)
        #: For a text without combining marks, when the pattern is WORD_PATTERN (or an
        #: earlier release's).
        self._plain = re.compile(_PLAIN_PATTERNS[pattern]) if pattern in _PLAIN_PATTERNS else None
        #: Two CJK characters in a row, where the pattern has runs of them to cut in pairs.
        self._pairs = re.compile(f"[{CJK_CLASS}]{{2}}") if "(?P<cjk>" in pattern else None

    def __eq__(self, other):
        return type(other) is type(self) and other.pattern == self.pattern and other.joins == self.joins

    def __getstate__(self):
        return {"pattern": self.pattern, "joins": self.joins}

    def __setstate__(self, state):
        # (An index of ANALYSIS_VERSION 10 or older pickled no ``joins``: it has none.)
        self.__init__(state["pattern"], state.get("joins", False))

    def words(self, value: str) -> list[tuple[str, int]]:
        """(word, start) of each word of ``value``, CJK runs cut into pairs.

        >>> [w for w, _ in WordTokenizer().words("हिन्दी भाषा, مَدْرَسَة, node.js")]
        ['हिन्दी', 'भाषा', 'مَدْرَسَة', 'node.js']
        """
        expression = self.expression
        if self._plain is not None and _ANY_MARK.search(value) is None:
            expression = self._plain
        if self._pairs is None or self._pairs.search(value) is None:  # no CJK run to cut
            return [(match.group(), match.start()) for match in expression.finditer(value)]
        found = []
        for match in expression.finditer(value):
            word = match.group()
            if match.lastgroup != "cjk" or len(word) == 1:
                found.append((word, match.start()))
                continue
            start = match.start()
            found.extend((word[i : i + 2], start + i) for i in range(len(word) - 1))
        return found

    def index_words(self, value: str, lang: str) -> list[tuple[str, int, int, int, bool]]:
        """(word, start, end, position, joined) of each word indexing ``value`` gives:
        :meth:`words`, each at its own position, and with ``joins`` two words joined by a
        hyphen also as one (``joined``), at the second's position ("real-time": ``real``, ``time`` and ``realtime``;
        "e-mail": ``email``). Readers type "realtime", "frontend", "napi" for what posts
        write "real-time", "front-end", "N-API". Of three words or more so joined, each two
        in a row of two letters or more and no stop word ("hexo-front-matter":
        ``frontmatter``, but "state-of-the-art" no more); never words with no letter (a
        date), a name with a dot, nor words after a hyphen (an option, "--save-dev").

        >>> [(w, n) for w, _, _, n, _ in WordTokenizer(joins=True).index_words("a real-time E-mail", "en")]
        [('a', 0), ('real', 1), ('time', 2), ('realtime', 2), ('E', 3), ('mail', 4), ('email', 4)]
        """
        found = self.words(value)
        words = [(word, start, start + len(word), n, False) for n, (word, start) in enumerate(found)]
        if not self.joins or "-" not in value and "\u2010" not in value and "\u2011" not in value:
            return words
        out: list[tuple[str, int, int, int, bool]] = []
        chain: list[tuple[str, int, int, int, bool]] = []
        for entry in words:
            if chain and entry[1] == chain[-1][2] + 1 and value[chain[-1][2]] in HYPHENS:
                chain.append(entry)
                continue
            out.extend(self._joined(chain, value, lang))
            chain = [entry]
        out.extend(self._joined(chain, value, lang))
        return out

    @staticmethod
    def _joined(chain: list[tuple[str, int, int, int, bool]], value: str,
                lang: str) -> list[tuple[str, int, int, int, bool]]:
        """``chain`` (words joined by hyphens), each two in a row also joined, as
        :meth:`index_words` says."""
        if len(chain) < 2 or (chain[0][1] and value[chain[0][1] - 1] in HYPHENS):
            return chain
        stops = languages.stop_words(lang) if len(chain) > 2 else frozenset()
        out = [chain[0]]
        for (first, start, *_), second_word in zip(chain, chain[1:]):
            second, _, end, n, _ = second_word
            out.append(second_word)
            if _joinable(first, stops) and _joinable(second, stops) and (
                    len(chain) == 2 or min(len(first), len(second)) >= 2):
                # (Lower-cased: "Real-Time" is no name in camelCase, "RealTime", to cut again.)
                out.append((languages.lower(lang, first + second), start, end, n, True))
        return out

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        if "lang" not in kwargs or not kwargs["lang"]:
            kwargs["lang"] = _LANGUAGE.get()
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            found = [(value, 0, len(value), 0, False)]
        elif mode == "index":
            found = self.index_words(value, kwargs["lang"])
        else:
            found = [(word, start, start + len(word), n, False) for n, (word, start) in enumerate(self.words(value))]
        for word, start, end, n, joined in found:
            t.text = word
            t.boost = 1.0
            t.stopped = False
            t.joined = joined  # (see JoinedFilter)
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + n
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


#: What joins two words into one that readers also type without it (see WordTokenizer.index_words).
HYPHENS = "-\u2010\u2011"


def hyphen_joined(word: str) -> str | None:
    """``word``, two words joined by a hyphen, as one, as indexing also gives it (see
    WordTokenizer.index_words); None for any other word.

    >>> hyphen_joined("front-end"), hyphen_joined("E-mail"), hyphen_joined("2015-02"), hyphen_joined("a-b-c")
    ('frontend', 'Email', None, None)
    """
    parts = _HYPHEN_SPLIT.split(word)
    if len(parts) != 2 or not all(_joinable(part, frozenset()) for part in parts):
        return None
    return parts[0] + parts[1]


_HYPHEN_SPLIT = re.compile(f"[{HYPHENS}]")


def _joinable(word: str, stops: frozenset[str]) -> bool:
    """Whether ``word`` may be half of a word joined by a hyphen: letters and digits, a
    letter among them, no CJK, and (where ``stops`` are given) not a stop word."""
    return (word.isalnum() and any(ch.isalpha() for ch in word) and not has_cjk(word)
            and word.lower() not in stops)


class LowerFilter(Filter):
    """Lower-case in the token's language (see :func:`languages.lower`); ``by_language=False``
    (code) only makes ``İ`` ``i``: identifiers are English whatever the post's language."""

    def __init__(self, by_language: bool = True):
        self.by_language = by_language

    def __eq__(self, other):
        return type(other) is type(self) and other.by_language == self.by_language

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        return languages.lower(lang if self.by_language else "", text)

    def __call__(self, tokens):
        for t in tokens:
            lang = (getattr(t, "lang", None) or _LANGUAGE.get()) if self.by_language else ""
            t.text = languages.lower(lang, t.text)
            yield t


class FoldFilter(Filter):
    """Accents folded as the token's language folds them (see :func:`languages.fold`)."""

    def __init__(self):
        self.dotless = True  # (see LanguageFilter)

    def query_word(self, text: str, lang: str, exact: bool) -> str | None:
        return languages.fold(lang, text, getattr(self, "dotless", False))

    def __call__(self, tokens):
        dotless = getattr(self, "dotless", False)
        for t in tokens:
            lang = getattr(t, "lang", None) or _LANGUAGE.get()
            t.text = languages.fold(lang, t.text, dotless)
            yield t


#: Between a word folded and the word as written in a term of the ``written`` field.
WRITTEN_SEP = "\x1f"


class WrittenFormFilter(Filter):
    """Of the words that folding changes, the word folded and as written, as one term
    (``reglages\\x1fréglages``); other words dropped. Completions and corrections are words
    of the ``spelling`` field, which are folded, and a stemmer reads a folded word otherwise
    for a quarter of such words in Turkish, French and Portuguese: Turkish "sayfalarının" is
    ``sayfa``, "sayfalarinin" ``sayfalari``. The word as written is what they are stemmed from
    (see vocabulary.Vocabulary.as_written)."""

    def __call__(self, tokens):
        for t in tokens:
            lang = getattr(t, "lang", None) or _LANGUAGE.get()
            folded = languages.fold(lang, t.text)
            if folded != t.text:
                t.text = f"{folded}{WRITTEN_SEP}{t.text}"
                yield t


def prose_analyzer():
    """Prose: words, compounds split, lower-cased, stop words out, stemmed and accent-folded
    in the post's language; CJK runs as pairs of characters."""
    return CachedAnalyzer(
        WordTokenizer(joins=True),
        NoiseFilter(),
        CompoundFilter(),
        LowerFilter(),
        LanguageFilter(stops=True),
        JoinedFilter(),
        RenumberFilter(),
    )


def title_analyzer():
    """Titles and headings: as prose, but stop words kept. A title made of common words
    ("May Project Goals Update", "Rust in 2016", "Half a decade with Go") is found by
    them, and a phrase with them matches; they are short, so this costs little room."""
    return CachedAnalyzer(
        WordTokenizer(joins=True),
        NoiseFilter(),
        CompoundFilter(),
        LowerFilter(),
        LanguageFilter(stops=False),
        JoinedFilter(),
        RenumberFilter(),
    )


def plain_analyzer():
    """Words lower-cased and accent-folded, nothing removed: names, spelling."""
    return CachedAnalyzer(WordTokenizer(), NoiseFilter(), CompoundFilter(), LowerFilter(), FoldFilter())


def written_analyzer():
    """The words of the ``spelling`` field that folding changes, folded and as written."""
    return CachedAnalyzer(WordTokenizer(), NoiseFilter(), CompoundFilter(), LowerFilter(), WrittenFormFilter())


def code_analyzer():
    """Code: identifiers and dotted names whole and split (camelCase, snake_case), lower-cased."""
    return CachedAnalyzer(WordTokenizer(CODE_PATTERN), NoiseFilter(), CompoundFilter(), LowerFilter(by_language=False))


_TITLE_LETTERS = {**languages.LIGATURES, **languages.ARABIC_KAF_YEH, ord("ı"): "i"}


def title_key(title: str) -> str:
    """A title reduced for exact-title matching: lower-case, no accents, words only, letters
    readers write as two so written (languages.LIGATURES), Arabic kaf and yeh as Persian
    writes them (either may be typed for either: the key is only compared), and Turkish
    dotless ``ı`` as ``i``, as its capital ``I`` lower-cases and as many readers type it.

    >>> title_key("  Café: The Plan for React 18! "), title_key("Mise en Œuvre")
    ('cafe the plan for react 18', 'mise en oeuvre')
    >>> title_key("Dosya Kapalı"), title_key("DOSYA KAPALI")
    ('dosya kapali', 'dosya kapali')
    >>> title_key("كتاب تازه") == title_key("کتاب تازه")
    True
    >>> title_key("Modern C++ tips"), title_key("C#: async")
    ('modern c++ tips', 'c# async')
    """
    folded = unicodedata.normalize("NFKD", title.lower().translate(_TITLE_LETTERS))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(_TITLE_WORD.findall(folded))


#: A title key's words: a language named by a letter and a sign whole ("c++ tips" is no
#: key of "C# tips"), else letters and digits.
_TITLE_WORD = re.compile(rf"{SIGNED_NAME}|\w+")


#: BM25F's length normalisation per field: the body's length counts, and the headings' by
#: half. Whoosh normalises a field's length by its average over all posts, so a field that few
#: posts have (tags, a description) or that is short by nature (a title) would be penalised
#: against the body; and a short title would swamp a long one. Headings are another matter:
#: a long manual or reference page with a hundred headings has most words of a query in
#: some heading, and without its length counting it came before the post whose sentence or
#: heading the reader remembered (measured with ``searchsvc eval``: see the README).
FIELD_B: dict[str, float] = {name: 0.0 for name in ("title", "tag_text", "description", "author", "code")}
FIELD_B["headings"] = 0.5
#: Fields whose length is weighed against the average of the posts that have them, not of
#: every post: on a blog where most posts have no headings, a post with two would otherwise
#: count as long, and a match in its headings as weak.
AVERAGE_OF_HOLDERS = frozenset({"headings"})


#: Fields whose words weigh, by this share, as rare as they are in whole posts (in their
#: bodies), not in that field alone. A word in a fifth of the titles may be in nearly every
#: post ("React", "fichiers", "linha"): weighed by titles alone it counted as rare, and
#: a title having it outranked the post whose sentence has the query's rarer words close
#: together (measured with ``searchsvc eval`` and bench/typed_queries.py: see the README).
#: Titles keep half their own weight: readers type titles, and a word that few titles have
#: still tells the post named by it (by whole posts alone, a chapter that lists its pages'
#: titles outranked the page a title names). Headings keep their own: their queries are
#: whole headings, which name one section.
POST_IDF: dict[str, float] = {"title": 0.5, "tag_text": 1.0, "description": 1.0}


def field_idf(fieldname: str, posts: int, frequency: int, body_frequency: int | None) -> float:
    """The IDF of a word that ``frequency`` of ``posts`` have in field ``fieldname`` and
    ``body_frequency`` in their body (None when not counted): Whoosh's, ``log(posts /
    (frequency + 1)) + 1``, but for the fields of :data:`POST_IDF` moved toward the body's
    when more bodies have it."""
    idf = log(posts / (frequency + 1)) + 1
    share = POST_IDF.get(fieldname, 0.0)
    if share and body_frequency is not None and body_frequency > frequency:
        idf = (1 - share) * idf + share * (log(posts / (body_frequency + 1)) + 1)
    return idf


def field_b(fieldname: str, default: float) -> float:
    """The length normalisation (BM25's B) that :func:`weighting` gives ``fieldname``."""
    return FIELD_B.get(fieldname, default)


def weighting() -> BM25F:
    """BM25F, with length normalisation for the body and, by half, the headings (see
    :data:`FIELD_B` and :data:`AVERAGE_OF_HOLDERS`)."""
    return _Weighting(**{f"{name}_B": b for name, b in FIELD_B.items()})


class _Weighting(BM25F):
    """Whoosh's BM25F, but for the average length of the fields of :data:`AVERAGE_OF_HOLDERS`
    and the IDF of those of :data:`POST_IDF` (:func:`field_idf`). (searchsvc's engine scores
    terms itself, with the same numbers: see engine.Evaluator._term.)"""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        body = parent.doc_frequency("body", text) if fieldname in POST_IDF and "body" in parent.schema else None
        return field_idf(fieldname, parent.doc_count_all(), parent.doc_frequency(fieldname, text), body)

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if fieldname in AVERAGE_OF_HOLDERS and isinstance(scorer, BM25FScorer):
            parent = searcher.get_parent()
            # Counted once per searcher (a post at a time: Whoosh's own path, which searchsvc's
            # engine does not take for these fields; it reads the lengths at once).
            averages = parent.__dict__.setdefault("_searchsvc_averages", {})
            if fieldname not in averages:
                reader = parent.reader()
                holders = sum(1 for d in range(reader.doc_count_all()) if reader.doc_field_length(d, fieldname, 0))
                averages[fieldname] = average_length(parent.field_length(fieldname), holders)
            scorer.avgfl = averages[fieldname]
        return scorer


def average_length(total: float, holders: int) -> float:
    """The average length of a field of :data:`AVERAGE_OF_HOLDERS`: its ``total`` length over
    the posts that have it (deleted ones too, as Whoosh counts lengths); 1 when none has."""
    return total / holders if total and holders else 1.0


def build_schema() -> Schema:
    prose = prose_analyzer()
    titles = title_analyzer()
    return Schema(
        # Identity
        id=ID(stored=True, unique=True),
        path=ID(stored=True, unique=True),
        url=STORED,
        # Searchable text (stored where snippets need it)
        title=_text(titles, stored=True, phrase=True, chars=True),
        title_key=ID(sortable=True),
        description=_text(prose, stored=True, phrase=True, chars=True),
        headings=_text(titles, phrase=True),
        body=_text(prose, stored=True, phrase=True, chars=True),
        code=_text(code_analyzer(), stored=True, phrase=False, chars=True),
        tag_text=_text(prose, phrase=True),
        author=_text(plain_analyzer(), phrase=True),
        spelling=_text(plain_analyzer(), phrase=False, spelling=True),
        written=KEYWORD(analyzer=written_analyzer()),
        # Filters, facets and sorting
        tags=KEYWORD(lowercase=True, commas=True, scorable=True),
        authors=KEYWORD(lowercase=True, commas=True),
        lang=KEYWORD(lowercase=True),
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(stored=False, sortable=True),
        reading_minutes=NUMERIC(stored=True),
        # Display-only data, stored as-is
        meta=STORED,
    )
