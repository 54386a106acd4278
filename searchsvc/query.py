"""The user's text and request -> Whoosh query objects.

User text is parsed by a small restricted parser (:func:`parse_query`): words
(all required), ``"exact phrases"``, ``-excluded`` words, ``OR`` between two
terms, ``tag:x`` and ``author:x``. Nothing else is syntax, so no input can ask
for a wildcard expansion or an arbitrary field, and no input raises. Filters are
built as query objects, never by pasting strings into a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date, datetime, time as dtime
from typing import Callable, Collection, Iterable, Mapping, Sequence

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

from .config import MAX_QUERY_CHARS, MAX_RESULT_DEPTH
from .engine import AllButOne, Best, Passage, WrittenPhrase
from .languages import (
    CJK_CLASS,
    DEFAULT as DEFAULT_LANGUAGE,
    SOFT_HYPHEN,
    elisions,
    has_cjk,
    is_cjk,
    is_word,
    kind_words,
    lower_dotted,
    normalize as normalize_language,
    question_verbs,
    question_words,
    stop_words,
)
from .schema import (EXACT_TITLE_BONUS, FIELD_WEIGHTS, JOINED_MARK, TITLE_PHRASE_BONUS, hyphen_joined,
                     index_keeps_exact, is_signed_name, title_key, version_lines)
from .vocabulary import BODY_COMPLETIONS, PREFIX_FIELDS, Expander, analyze, cased_as_typed

#: The languages a query is analysed in when nothing says otherwise.
ENGLISH = (DEFAULT_LANGUAGE,)

SORTS = ("relevance", "newest", "oldest")


class SearchRequestError(ValueError):
    """A request the search cannot answer; names the parameter at fault."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


# ---------------------------------------------------------------------------
# Parsing user text


def normalize_query(text: str) -> str:
    """A query as analytics count it and pins match it: trimmed, case-folded, spaces collapsed.

    >>> normalize_query("  Hooks   in  REACT ")
    'hooks in react'
    """
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Clause:
    """One unit of the user's query: a word, a phrase, or a tag/author filter."""

    text: str
    phrase: bool = False
    negated: bool = False
    #: None for free text, else "tag" or "author".
    field: str | None = None
    #: One pair of characters of a long CJK run (see :func:`_cjk_pairs`).
    pair: bool = False
    #: How much of a word's score the clause gives: a pair of a long CJK run gives its share.
    weight: float = 1.0
    #: A Latin letter typed alone after CJK characters in one word, a key an input method
    #: left unconverted ("修正しtら", "설정해b지"): it counts where it occurs, never required.
    slip: bool = False
    #: Other terms that find the same posts (the blog's synonyms, see :func:`with_synonyms`).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """All groups are required; the clauses of one group are alternatives (OR)."""

    groups: tuple[tuple[Clause, ...], ...] = ()
    #: The text went on after its last word (a space, or one of ``? ! , ;``): that word is
    #: typed whole, not being typed ("node 20 " is not "node 2015").
    last_whole: bool = False
    #: The last word as typed, where :func:`split_last_word` cut it in the last two groups
    #: ("front-end": "front" and "end"); else "".
    cut_last: str = ""

    @property
    def key(self) -> str:
        """The words as a title is compared with them (:func:`schema.title_key`), CJK words
        typed apart joined as the text writes them (see :func:`join_cjk`)."""
        return title_key(join_cjk(self.text))

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

    @property
    def text(self) -> str:
        """The positive free-text words as typed, one space between them."""
        return " ".join(self.words)

    @property
    def text_without_last(self) -> str:
        return " ".join(self.words[:-1])


#: A run of Chinese, Japanese or Korean characters up to this long is one word of a query:
#: its pairs of characters must stand together (a phrase). A longer run is several words
#: typed without spaces: a post matches with any of its pairs, more of them scoring more,
#: and the whole run as a phrase scoring most (the phrase bonus).
CJK_WORD_CHARS = 4
#: Pairs of characters read from one long run, evenly spread over it (the rest of a pasted
#: sentence adds little).
MAX_CJK_PAIRS = 8
#: The fields a word of CJK characters is looked for in (pairs of characters are indexed there).
CJK_FIELDS = ("title", "headings", "tag_text", "description", "body")
#: ... and each pair of a long run (one of several required: where the text is).
PAIR_FIELDS = ("title", "headings", "body")
_SCRIPT_PIECES = re.compile(f"[{CJK_CLASS}]+|[^{CJK_CLASS}]+")


def _pieces(word: str) -> list[str]:
    """A typed word split where CJK text meets other letters.

    >>> _pieces("React服务器"), _pieces("node.js")
    (['React', '服务器'], ['node.js'])
    """
    if not has_cjk(word):
        return [word]
    return _SCRIPT_PIECES.findall(word)


def _cjk_pairs(groups):
    """The groups, each with its position among them; each run of more than CJK_WORD_CHARS
    CJK characters typed alone in its group as one group per pair of characters (at most
    MAX_CJK_PAIRS, spread over it), all at the run's position: a post must have every pair
    (anywhere). When none has them all, the relaxed retry ranks the posts with more of the
    words typed first, a run counting when a post has all its pairs; a run typed alone, the
    posts with more of its pairs.

    The pairs of a run share one word's weight. They overlap (each character is in two),
    so they are not so many words of evidence, and a Korean word with its particle
    ("인코딩으로", four pairs) or a few Chinese words typed together would otherwise count
    four to eight times a word typed beside them ("recode 인코딩으로").
    """
    for at, group in enumerate(groups):
        if len(group) == 1 and is_cjk_run(group[0]):
            run = group[0].text
            pairs = spread([run[i : i + 2] for i in range(len(run) - 1)], MAX_CJK_PAIRS)
            for pair in pairs:
                yield at, (Clause(pair, pair=True, weight=1 / len(pairs)),)
        else:
            yield at, group


def is_cjk_run(clause: "Clause") -> bool:
    """A word of more than CJK_WORD_CHARS Chinese, Japanese or Korean characters (see there)."""
    return not clause.phrase and len(clause.text) > CJK_WORD_CHARS and is_cjk(clause.text)


def spread(items: list[str], limit: int) -> list[str]:
    """At most ``limit`` of ``items``, evenly spread, first and last kept.

    >>> spread(list("abcdefg"), 3)
    ['a', 'd', 'g']
    """
    if len(items) <= limit:
        return items
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


#: Typographic quotes read as ", and soft hyphens (pasted from a title) dropped.
_QUOTES = {**str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}), **SOFT_HYPHEN}
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


#: "-m", "-rf", "-xzf", "-9": a command-line option (one or two letters or digits, or
#: letters without a vowel), a word to find rather than a word to exclude.
_OPTION = re.compile(r"[a-z0-9]{1,2}|[b-df-hj-np-tv-z]+|\d+", re.IGNORECASE)
#: After these words, "-word" is the second half of a compound that shares its first part
#: ("Shadow-Passwörter und -gruppen", "Import- en -export", "rendszerdátumot és -időt"), not a
#: word to exclude: "and" and "or" of German, Dutch, the Scandinavian languages, Hungarian,
#: Finnish and Estonian, which write compounds so.
_COMPOUND_JOINS = frozenset({"und", "oder", "bzw", "sowie", "en", "of", "och", "eller", "og",
                             "és", "vagy", "illetve", "ja", "tai", "sekä", "või"})
_LEADING_WORD = re.compile(r"[^\W_]*")


def _excludes(word: str, previous: str | None) -> bool:
    """Whether ``-word``, typed after ``previous``, excludes ``word``: not when it is an
    option (``-m``, also followed by punctuation as in ``uname -m)``), nor after a word
    that joins compounds."""
    head = _LEADING_WORD.match(word).group()
    rest = word[len(head):]
    if _OPTION.fullmatch(head) and not rest[:1].isalnum():
        return False
    return _LEADING_WORD.match(previous or "").group().lower() not in _COMPOUND_JOINS


#: What ends a word being typed: a space, or a mark that follows a whole word ("node 20?").
#: Not a full stop: "node." is "node.js" being typed, "v18." a version.
_WORD_ENDED = re.compile(r"[\s?!,;]$")


def parse_query(text: str) -> ParsedQuery:
    """Parse the user's text. Never raises.

    >>> [(c.text, c.phrase, c.negated) for c in parse_query('server "use client" -legacy').clauses]
    [('server', False, False), ('use client', True, False), ('legacy', False, True)]
    >>> parse_query('node --inspect').words
    ('node', '--inspect')
    >>> parse_query('python -m venv').words
    ('python', '-m', 'venv')
    """
    text = (text or "").translate(_QUOTES)
    groups: list[list[Clause]] = []
    join_next = False
    previous: str | None = None

    for m in _TOKEN_RE.finditer(text):
        phrase = m.group("phrase")
        word = m.group("word")
        fieldname = (m.group("field") or "").lower() or None
        # A hyphen right after a closing quote joins, as in a title copied with its quotes
        # ("„rules“-Datei", "».so«-Anfragen"): only one that begins a word excludes.
        negated = bool(m.group("neg")) and (m.start() == 0 or text[m.start() - 1].isspace())
        if negated and word is not None and fieldname is None and not _excludes(word, previous):
            negated, word = False, "-" + word
        previous = word if phrase is None and fieldname is None else None
        if word == "OR" and not negated and fieldname is None:
            join_next = bool(groups)
            continue
        value = phrase if phrase is not None else word
        value = " ".join((value or "").split())
        if not value:
            continue
        pieces = _pieces(value) if phrase is None and fieldname is None and not negated else [value]
        for i, text_piece in enumerate(pieces):
            clause = Clause(text=text_piece, phrase=phrase is not None and " " in text_piece, negated=negated,
                            field=fieldname, slip=i > 0 and _slip(text_piece, pieces[i - 1]))
            if join_next and groups and not negated and not any(c.negated for c in groups[-1]):
                groups[-1].append(clause)
            else:
                groups.append([clause])
            join_next = False
    return ParsedQuery(tuple(tuple(g) for g in groups), last_whole=_WORD_ENDED.search(text) is not None)


def excluded_as_typed(parsed: ParsedQuery) -> ParsedQuery:
    """The query with each word it excludes read as a word typed with its hyphen
    ("rendszerdátumot és -időt", a title pasted), or the query itself when it excludes no
    word (see search.SearchIndex: when a title is the query so read, the reader typed it).

    >>> excluded_as_typed(parse_query("react -hooks")).words
    ('react', '-hooks')
    """
    def typed(clause: Clause) -> Clause:
        excluded = clause.negated and clause.field is None and not clause.phrase
        return replace(clause, text="-" + clause.text, negated=False) if excluded else clause

    groups = tuple(tuple(typed(c) for c in group) for group in parsed.groups)
    return parsed if groups == parsed.groups else replace(parsed, groups=groups)


def _slip(piece: str, before: str) -> bool:
    """Whether ``piece`` of a typed word is one Latin letter right after CJK characters
    (see :attr:`Clause.slip`).

    >>> [c.slip for c in parse_query("修正しtら").clauses], [c.slip for c in parse_query("A型 ビタミンB").clauses]
    ([False, True, False], [False, False, False, True])
    """
    return len(piece) == 1 and piece.isascii() and piece.isalpha() and is_cjk(before)


def with_synonyms(parsed: ParsedQuery, synonyms) -> ParsedQuery:
    """The query with the blog's synonyms: each word, or run of words, that a rule names
    also finds the rule's other terms (:attr:`Clause.also`). The words typed stay what they
    are (exact titles, phrases, highlighting of the words themselves); a run of several
    words becomes one phrase. ``synonyms``: a :class:`searchsvc.curation.Synonyms`.

    >>> from searchsvc.curation import parse_synonyms
    >>> rules, _ = parse_synonyms("js, javascript\\nreact native => rn")
    >>> [(c.text, c.phrase, c.also) for c in with_synonyms(parse_query("JS React Native"), rules).clauses]
    [('JS', False, ('javascript',)), ('React Native', True, ('rn',))]
    """
    longest = synonyms.longest
    if not longest:
        return parsed
    groups = list(parsed.groups)
    out: list[tuple[Clause, ...]] = []
    i = 0
    while i < len(groups):
        for size in range(min(longest, len(groups) - i), 0, -1):
            span = groups[i : i + size]
            if not all(len(g) == 1 and plain_word(g[0]) and not g[0].also for g in span):
                continue
            words = tuple(g[0].text for g in span)
            also = synonyms.get(words)
            if also:
                out.append((Clause(" ".join(words), phrase=size > 1, also=also),))
                i += size
                break
        else:
            out.append(groups[i])
            i += 1
    # (The last word cut in two stays so while its two groups are the last.)
    cut_last = parsed.cut_last if len(out) == len(groups) else ""
    return ParsedQuery(tuple(out), last_whole=parsed.last_whole, cut_last=cut_last)


_LAST_PIECE = re.compile(r"^(?P<head>.*\w)[-/](?P<tail>\w+)$")


def split_last_word(parsed: ParsedQuery) -> ParsedQuery:
    """The query with a hyphenated last word split before its last piece, which is the
    part being typed: "eslint-plu" is "eslint" and "plu" (a prefix), so
    "eslint-plugin-react-hooks" is found while it is typed.

    >>> [c.text for c in split_last_word(parse_query("react eslint-plu")).clauses]
    ['react', 'eslint', 'plu']
    >>> [c.text for c in split_last_word(parse_query("--inspect")).clauses]
    ['--inspect']
    """
    if not parsed.groups or len(parsed.groups[-1]) != 1 or parsed.last_whole:
        return parsed
    last = parsed.groups[-1][0]
    m = _LAST_PIECE.match(last.text)
    if last.phrase or last.negated or last.field or m is None:
        return parsed
    head, tail = Clause(m.group("head")), Clause(m.group("tail"))
    return ParsedQuery((*parsed.groups[:-1], (head,), (tail,)), cut_last=last.text)


def within_words(parsed: ParsedQuery, limit: int) -> tuple[ParsedQuery, int]:
    """The query cut to at most ``limit`` clauses, and how many of its words were left out.
    A pasted paragraph or error message is searched by its first words, as a reader would
    have to cut it; its filters (``tag:``, ``author:``) and excluded words are kept wherever
    they stand, for the reader typed them to narrow the search. A word kept last is whole:
    the text went on after it.

    :raise SearchRequestError: naming ``q`` when the filters and excluded words alone are
        more than ``limit``.

    >>> cut, left_out = within_words(parse_query("a b c tag:x d"), 3)
    >>> [c.text for c in cut.clauses], left_out
    (['a', 'b', 'x'], 2)
    """
    clauses = parsed.clauses
    if len(clauses) <= limit:
        return parsed, 0

    def narrows(clause: Clause) -> bool:
        return bool(clause.field or clause.negated)

    kept_aside = sum(1 for c in clauses if narrows(c))
    if kept_aside > limit:
        raise SearchRequestError(
            "q", f"has {kept_aside} filters and excluded words; at most {limit} are allowed."
        )
    room = limit - kept_aside
    groups: list[tuple[Clause, ...]] = []
    for group in parsed.groups:
        kept = []
        for clause in group:
            if narrows(clause):
                kept.append(clause)
            elif room:
                kept.append(clause)
                room -= 1
        if kept:
            groups.append(tuple(kept))
    cut = ParsedQuery(tuple(groups), last_whole=True)
    return cut, len(clauses) - len(cut.clauses)


#: The words a word typed with punctuation inside is made of ("cargo-add(1)", "mips*-mt").
_WORD_RUN = re.compile(r"\w+")


def split_joined(parsed: ParsedQuery, unmatched: Callable[[Clause], bool] = lambda clause: True) -> ParsedQuery:
    """The query with each plain word made of several joined by punctuation, and
    ``unmatched`` (no post has it), as those words, each required on its own; the query
    itself when it has no such word.

    Such a word is a phrase of its words: when no post has them together as typed, one of
    them misspelt ("carog-add(1)") or the last half-typed ("loongarch*-unk"), the words
    apart find the post, each corrected or completed as any word is. (Joined words that
    posts have, "node.js" in "node.js 18 curent", stay as typed: they are not what failed.)

    >>> [c.text for c in split_joined(parse_query("carog-add(1) guide")).clauses]
    ['carog', 'add', '1', 'guide']
    >>> split_joined(parse_query("node.js -deno")).words
    ('node', 'js')
    """
    groups: list[tuple[Clause, ...]] = []
    for group in parsed.groups:
        runs = _WORD_RUN.findall(group[0].text) if len(group) == 1 and plain_word(group[0]) else []
        if len(runs) > 1 and not group[0].also and unmatched(group[0]):
            groups.extend((Clause(run),) for run in runs)
        else:
            groups.append(group)
    if len(groups) == len(parsed.groups):
        return parsed
    return ParsedQuery(tuple(groups), parsed.last_whole, parsed.cut_last)


# ---------------------------------------------------------------------------
# Building Whoosh queries


def field_query(fieldname: str, tokens: list[str], boost: float) -> Query | None:
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term(fieldname, tokens[0], boost=boost)
    return Phrase(fieldname, tokens, boost=boost)


#: Fields a prefix or typo expansion is searched in (code keeps exact names only).
EXPANDED_FIELDS = ("title", "headings", "tag_text", "description", "body")
#: Fields that index stop words (see schema.title_analyzer): a word that is only a stop
#: word is looked for there, never required.
STOP_WORD_FIELDS = ("body", "title", "headings")
#: What a word typed last with a hyphen ("e-mail") gives each of its two pieces' groups
#: where a post writes it as one ("email"): half a word each.
CUT_JOINED_SHARE = 0.5
#: ... and each of two words typed apart where a post writes them as one ("web site":
#: "website"; see _apart_joined).
APART_JOINED_SHARE = 0.5
#: How much an expansion counts next to the word as typed: exact > prefix > fuzzy.
PREFIX_FACTOR = 0.5
#: The passage bonus: words in order in the body, each at most NEAR_SLOP words after the
#: one before (or, for two thirds of it, in another order: see engine.Passage), for queries of
#: MIN_NEAR_WORDS to MAX_NEAR_WORDS words (two words close together are the phrase
#: bonus's); its weight.
NEAR_SLOP = 6
MIN_NEAR_WORDS = 3
MAX_NEAR_WORDS = 6
NEAR_BONUS = TITLE_PHRASE_BONUS / 2
#: ... and words of one sentence further apart (each at most SENTENCE_SLOP words after the
#: one before: "Panjang setiap baris pada file ini tidak boleh lebih dari 255 karakter"),
#: half of it.
SENTENCE_SLOP = 2 * NEAR_SLOP
FUZZY_FACTOR = 0.35
FUZZY_PREFIX_FACTOR = FUZZY_FACTOR * PREFIX_FACTOR
#: A name with a dot that a word is typed without ("nodejs": "Node.js") counts for this share
#: of the word typed, which posts may write as it is (see Vocabulary.dotted).
DOTTED_SHARE = 0.5
#: Fields where indexing also joins two words a hyphen joins (see schema.JOINED_MARK): the
#: fields of prose, titles and headings, as for expansions.
JOINED_FIELDS = EXPANDED_FIELDS
#: A phrase bonus looks for the first this many words of the query in order (a pasted
#: sentence of 30 words or pairs of CJK characters is as good as found by its first 8,
#: at a fraction of the cost).
MAX_BONUS_PHRASE = 8
#: Fields whose words are also indexed as written (see languages.keeps_exact), and the share
#: of a field's weight that form has (the stem has the rest; a post with the very word has both).
EXACT_FIELDS = ("title", "headings", "description", "body")
EXACT_SHARE = 0.5
#: Phrase and passage bonuses ask for words as written where the language keeps them.
EXACT_PHRASES = True
#: A word typed whole in a form at most RARE_FORM_POSTS posts have, whose stem at least
#: RARE_FORM_RATIO times as many posts have ("esperan", beside "esperar", "espera",
#: "esperando"...), is the word the reader remembers: its stem keeps this share of its
#: weight (see _is_rare_form). A half (session 41) left a heading with the stem ahead of
#: the post with the word ("Allocator ArrayBuffe"); a quarter gained on words cut short
#: and with a typo at four seeds of the eval (session 42, docs/relevance-history.md).
RARE_FORM_POSTS = 3
RARE_FORM_RATIO = 4
RARE_FORM_STEM = 0.25
#: A last word typed after others that at most this many posts have whole in their body is
#: as likely the start of a longer word (see _rare_after_common).
RARE_WHOLE_WORD = 8
#: Posts that have every other word of a query, but none of the completions of its last
#: word that the index gave, whose text is searched for a word starting with it (see
#: collect.widen_to_prefix); more, and none is: the completions were the commonest words,
#: and a reader typing after common words means one of those.
PREFIX_SCAN = 32
#: Pairs of characters a single Chinese, Japanese or Korean character typed matches (the commonest).
CJK_COMPLETIONS = 16


def analyses(schema, fieldname: str, text: str, langs: Sequence[str], *, exact: bool = False) -> list[list[str]]:
    """The distinct term lists ``text`` becomes in ``fieldname``, one per language of ``langs``
    (a bilingual blog's query is read in both of its languages); ``exact``: see analyze."""
    out: list[list[str]] = []
    for lang in langs:
        tokens = analyze(schema, fieldname, text, lang, exact=exact and fieldname in EXACT_FIELDS and exact_forms(schema, langs))
        if tokens not in out:
            out.append(tokens)
    return out


def _written_phrases(schema, fieldname: str, text: str,
                     langs: Sequence[str]) -> list[tuple[list[str], list[str] | None]]:
    """:func:`analyses` of ``text`` with words as written where the field keeps them, each
    with its words' stems where those differ, word for word (else None)."""
    out: list[tuple[list[str], list[str] | None]] = []
    exact = EXACT_PHRASES and fieldname in EXACT_FIELDS and exact_forms(schema, langs)
    for lang in langs:
        tokens = analyze(schema, fieldname, text, lang, exact=exact)
        stems = analyze(schema, fieldname, text, lang) if exact else tokens
        if all(tokens != other for other, _ in out):
            out.append((tokens, stems if stems != tokens and len(stems) == len(tokens) else None))
    return out


def _exact_word(schema, text: str, langs: Sequence[str]) -> Query | None:
    """A word as written, in the fields that index it so (None when it is not one word there)."""
    alternatives = []
    for fieldname in EXACT_FIELDS:
        for lang in langs:
            tokens = analyze(schema, fieldname, text, lang, exact=True)
            if len(tokens) != 1:
                return None
            alternatives.append(Term(fieldname, tokens[0], boost=FIELD_WEIGHTS[fieldname]))
    return Or(alternatives)


def hyphened(schema, expander: Expander, word: str, langs: Sequence[str]) -> Query | None:
    """``word`` where posts write it as two words a hyphen joins ("realtime": "real-time",
    "napi": "N-API"), which indexing also joins (schema.JOINED_MARK), in each field with its
    weight; None where no post does."""
    terms = []
    for fieldname in JOINED_FIELDS:
        for tokens in analyses(schema, fieldname, word, langs, exact=True):
            if len(tokens) == 1 and expander.indexed(fieldname, JOINED_MARK + tokens[0]):
                terms.append(Term(fieldname, JOINED_MARK + tokens[0], boost=FIELD_WEIGHTS[fieldname]))
    return Or(terms) if terms else None


def exact_forms(schema, langs: Sequence[str]) -> bool:
    """Whether a query in ``langs`` asks for words as written beside their stems: only when
    the index has that form of every one of them (see schema.index_keeps_exact). (A language
    without a stemmer has one form of each word: beside its posts, English ones would have
    both forms of a word both kinds of post use, "React" say, and outrank them; so there,
    stems alone.) Asked per field of every word: kept per analyzer (which it keeps alive,
    so that its id is not another's) and languages."""
    analyzer = schema["body"].analyzer
    key = (id(analyzer), tuple(langs))
    known = _EXACT_FORMS.get(key)
    if known is None:
        if len(_EXACT_FORMS) >= 256:
            _EXACT_FORMS.clear()
        known = _EXACT_FORMS[key] = (analyzer, all(index_keeps_exact(schema, lang) for lang in langs))
    return known[1]


_EXACT_FORMS: dict[tuple[int, tuple[str, ...]], tuple[object, bool]] = {}


def _stems(schema, fieldname: str, text: str, langs: Sequence[str]) -> list[tuple[list[str], float]]:
    """The distinct term lists of :func:`analyses`, each with its share of the field's weight:
    where a language also indexes words as written, the stem has the weight that form does
    not (a post with the very word scores as much as in a language without that form)."""
    out: dict[tuple[str, ...], float] = {}
    for lang in langs:
        tokens = tuple(analyze(schema, fieldname, text, lang))
        share = 1.0 - EXACT_SHARE if exact_forms(schema, langs) and fieldname in EXACT_FIELDS else 1.0
        out[tokens] = max(share, out.get(tokens, 0.0))
    return [(list(tokens), share) for tokens, share in out.items()]


def _is_rare_form(schema, expander: Expander, clause: Clause, langs: Sequence[str]) -> bool:
    """Whether ``clause`` is a word in a form few posts' text has (RARE_FORM_POSTS) while
    many more have its stem (RARE_FORM_RATIO times as many), where the language indexes
    words as written beside their stems. "esperan" on react.dev's Spanish pages: one page
    has it, and renderToPipeableStream's, whose heading "Esperar a que todo el contenido se
    cargue…" has its stem, came first for `esperan propor`."""
    if not exact_forms(schema, langs) or not plain_word(clause):
        return False
    for lang in langs:
        written = analyze(schema, "body", clause.text, lang, exact=True)
        stems = analyze(schema, "body", clause.text, lang)
        if len(written) == 1 and len(stems) == 1 and written != stems:
            having = expander.body_posts(written[0])
            if 0 < having <= RARE_FORM_POSTS and expander.body_posts(stems[0]) >= RARE_FORM_RATIO * having:
                return True
    return False


def _apart_joined(schema, groups: Sequence[tuple[int, tuple[Clause, ...]]], expander: Expander,
                  langs: Sequence[str]) -> dict[int, list[Query]]:
    """By group, the queries of two words typed apart, each alone in its group, that posts
    write as one ("web site": "website"), at APART_JOINED_SHARE each: letters and digits, a
    letter among them, neither a stop word, a question's word or a word for the kind of post
    (``langs``), and the word they make one that posts write as it is (not another word's
    stem: "package management" is no "packageManager"), and asked for so."""
    found: dict[int, list[Query]] = {}
    for at in range(len(groups) - 1):
        pair = (groups[at][1], groups[at + 1][1])
        if not all(len(group) == 1 and plain_word(group[0]) and not group[0].also and not group[0].slip
                   and not group[0].pair for group in pair):
            continue
        first, second = pair[0][0], pair[1][0]
        together = hyphen_joined(f"{first.text}-{second.text}")
        if together is None or any(is_stop_word(schema, c, langs) for c in (first, second)) \
                or not expander.known(together, as_written=True):
            continue
        # As written where the language keeps words so: its stem may be another word's too
        # ("generate" is Porter's "gener", and so are "general" and "generic").
        q = (_exact_word(schema, together, langs) if exact_forms(schema, langs)
             else _text_query(schema, Clause(together), (), (), langs))
        if q is not None:
            q.boost = APART_JOINED_SHARE
            found.setdefault(at, []).append(q)
            found.setdefault(at + 1, []).append(q)
    return found


#: The numbers of a version typed apart (see _apart_dotted): at most four ("1 2 3 4").
MAX_VERSION_NUMBERS = 4
_NUMBER = re.compile(r"[0-9]+")
_FIRST_NUMBER = re.compile(r"[vV]?[0-9]+")


def _apart_dotted(schema, groups: Sequence[tuple[int, tuple[Clause, ...]]], expander: Expander,
                  langs: Sequence[str]) -> dict[int, list[Query]]:
    """By group, the queries of numbers typed apart, each alone in its group, that posts
    write as one version ("node 18 18": "18.18", which "Node.js 18.18.2" is one of; "0 10
    23": "0.10.23"; "v4 2": "v4.2"), the longest such run from the left first, at
    APART_JOINED_SHARE in each of its groups. (Indexing keeps the versions a version number
    is one of, not the numbers inside it: see schema._version_parts.)"""

    def number(at: int, first: bool) -> str | None:
        clause = groups[at][1][0] if len(groups[at][1]) == 1 else None
        if clause is None or not plain_word(clause) or clause.also or clause.slip or clause.pair:
            return None
        return clause.text if (_FIRST_NUMBER if first else _NUMBER).fullmatch(clause.text) else None

    found: dict[int, list[Query]] = {}
    at = 0
    while at < len(groups) - 1:
        numbers = []
        while at + len(numbers) < len(groups) and len(numbers) < MAX_VERSION_NUMBERS \
                and (typed := number(at + len(numbers), not numbers)) is not None:
            numbers.append(typed)
        for count in range(len(numbers), 1, -1):
            version = ".".join(numbers[:count])
            if expander.known(version) and (q := _text_query(schema, Clause(version), (), (), langs)) is not None:
                q.boost = APART_JOINED_SHARE
                for i in range(at, at + count):
                    found.setdefault(i, []).append(q)
                at += count - 1
                break
        at += 1
    return found


def _text_query(schema, clause: Clause, expansions: Sequence[tuple[str, float]] = (),
                body_terms: Sequence[tuple[str, float]] = (), langs: Sequence[str] = ENGLISH,
                rare_form: bool = False, joined_starts: Mapping[str, Sequence[str]] | None = None) -> Query | None:
    """A free-text word or phrase, searched in every text field with its weight, read in
    each of ``langs``.

    ``expansions`` are other words (completions of a word being typed, corrections
    of a typo) that also match, each with a factor below 1; a field's completions count
    as one word (engine.Best); ``joined_starts``, by field, are completions too: terms of
    words joined by a hyphen (marked, as indexed) that the word being typed starts. With
    ``rare_form`` (see _is_rare_form), the word's stem counts for RARE_FORM_STEM of its
    share: the form typed is the word meant. A word that prose analysis removes entirely (a
    stop word) is dropped.
    """
    if not any(analyze(schema, f, clause.text, lang) for f in STOP_WORD_FIELDS for lang in langs):
        return None
    alternatives = []
    seen: set[tuple[str, str]] = set()
    as_written: dict[tuple[str, str], Term] = {}
    cjk = is_cjk(clause.text)
    # A word that is its own stem ("react", "access") is one term where words are also
    # indexed as written, a term its other forms share ("reacts"): it has the share of the
    # word as written there and, so that the fields keep their order, in the other fields
    # too; its completions and corrections likewise.
    own_stem = exact_forms(schema, langs) and not clause.phrase and is_word(clause.text) and all(
        analyze(schema, "body", clause.text, lang, exact=True) == analyze(schema, "body", clause.text, lang)
        for lang in langs)
    for fieldname, weight in FIELD_WEIGHTS.items():
        if cjk and fieldname not in (PAIR_FIELDS if clause.pair else CJK_FIELDS):
            continue  # code and names keep CJK runs whole: no pair of characters is there
        if own_stem and fieldname not in EXACT_FIELDS:
            weight *= EXACT_SHARE
        if fieldname in EXACT_FIELDS and exact_forms(schema, langs):
            # Words as written, where the language indexes them so: the very word a reader
            # remembers ranks above its other forms (found by the stem below).
            for lang in langs:
                tokens = analyze(schema, fieldname, clause.text, lang, exact=True)
                if len(tokens) == 1 and (fieldname, tokens[0]) not in seen:
                    seen.add((fieldname, tokens[0]))
                    as_written[(fieldname, tokens[0])] = Term(fieldname, tokens[0], boost=weight * EXACT_SHARE)
                    alternatives.append(as_written[(fieldname, tokens[0])])
        for tokens, share in _stems(schema, fieldname, clause.text, langs):
            if fieldname == "code" and not clause.phrase and len(tokens) > 1:
                alternatives.append(And([Term("code", t) for t in tokens], boost=weight))
                continue
            if fieldname == "code" and clause.phrase:
                continue
            if len(tokens) == 1 and (fieldname, tokens[0]) in seen:
                if not is_word(tokens[0]) and (term := as_written.pop((fieldname, tokens[0]), None)) is not None:
                    # A number or a name no stemmer reads ("18", "node.js"): it has no other
                    # form, and its one term has the weight of both.
                    term.boost += weight * share
                continue
            if rare_form and len(tokens) == 1:
                share *= RARE_FORM_STEM  # (the form typed is the word meant)
            # A CJK word is a phrase of its pairs of characters, which Whoosh scores as the
            # sum of theirs: as one word, it has one word's weight (see _cjk_pairs).
            q = field_query(fieldname, tokens, weight * share / (len(tokens) if cjk else 1))
            if q is not None:
                alternatives.append(q)
                if len(tokens) == 1:
                    seen.add((fieldname, tokens[0]))
    scale = EXACT_SHARE if own_stem else 1.0
    completions: dict[str, list[Query]] = {}
    for word, factor in expansions:
        for fieldname in (PREFIX_FIELDS if factor == PREFIX_FACTOR else EXPANDED_FIELDS):
            for tokens in analyses(schema, fieldname, word, langs):
                if len(tokens) != 1 or (fieldname, tokens[0]) in seen:
                    continue
                seen.add((fieldname, tokens[0]))
                term = Term(fieldname, tokens[0], boost=FIELD_WEIGHTS[fieldname] * factor * scale)
                if factor == PREFIX_FACTOR:
                    completions.setdefault(fieldname, []).append(term)
                else:
                    alternatives.append(term)
    # Body words as the body indexes them (already stemmed: not analysed again).
    for text, factor in body_terms:
        if ("body", text) not in seen:
            seen.add(("body", text))
            term = Term("body", text, boost=FIELD_WEIGHTS["body"] * factor * scale)
            if factor == PREFIX_FACTOR:
                completions.setdefault("body", []).append(term)
            else:
                alternatives.append(term)
    for fieldname, terms in (joined_starts or {}).items():
        for text in terms:
            completions.setdefault(fieldname, []).append(
                Term(fieldname, text, boost=FIELD_WEIGHTS[fieldname] * PREFIX_FACTOR * scale))
    # The completions stand for one word, the one being typed: in each field a post counts
    # the best of them, not their sum (a post with "profiler", "profiling", "profilers" and
    # "profiles" came before the one with "styling" for `styling prof`; measured with
    # ``searchsvc eval`` at three seeds: see docs/relevance-history.md, session 41).
    for terms in completions.values():
        alternatives.append(terms[0] if len(terms) == 1 else Best(terms))
    return Or(alternatives) if alternatives else None


def tag_filter(tag: str) -> Query:
    """The posts tagged ``tag``, as posts.Post.tag_keys keys tags ("İstanbul" as ``istanbul``),
    and as an index of ANALYSIS_VERSION 6 or older keyed them, where that differs."""
    key, before = lower_dotted(tag), tag.lower()
    return Term("tags", key) if key == before else Or([Term("tags", key), Term("tags", before)])


def _filter_clause(schema, clause: Clause, langs: Sequence[str] = ENGLISH) -> Query | None:
    if clause.field == "tag":
        return tag_filter(clause.text)
    tokens = analyze(schema, "author", clause.text, langs[0])
    return field_query("author", tokens, 1.0) if tokens else None


def plain_word(clause: Clause) -> bool:
    return clause.field is None and not clause.phrase and not clause.negated


@dataclass
class CompiledQuery:
    """A parsed query as Whoosh queries: word groups (scored), filter groups, exclusions."""

    words: list[Query]
    filters: list[Query]
    excluded: list[Query]
    #: The last word when it may be a stop word being typed ("years o" for "years of"):
    #: it adds to a post's score but is not required (stop words are not indexed).
    optional: list[Query] = field(default_factory=list)
    #: Those of ``optional`` that say what a post is about (a year, a word for the kind of
    #: post, a last word of two characters that starts no stop word): when no post has
    #: every word, "any of the words" counts them as words ("pugrade 18": posts with "18").
    relaxable: list[Query] = field(default_factory=list)
    #: The last word when it is being typed after others and required: posts that have
    #: every other word and a word starting with it in their text, though none of the
    #: completions the index gave, match too (see collect.widen_to_prefix).
    last_prefix: str = ""
    last_group: Query | None = None
    #: The groups of the pairs of a CJK run typed last, after other words: the word being
    #: typed, a character of it maybe left out or slipped in ("rcp リモーファイ" for "rcp —
    #: リモートファイルのコピー"). Of two words typed, the posts with the first follow those
    #: with both, as after a last word being typed (see collect.FILL_WORDS).
    last_pairs: list[Query] = field(default_factory=list)
    #: That last word is no word the body has as typed: it may be cut short, or slipped
    #: ("mostrará advertencia ejcu"); the phrase and passage bonuses are looked for without
    #: it too (see _title_bonus).
    last_cut: bool = False
    #: That last word starts no word the blog has, and is typed with a slip after other
    #: words: the posts with the other words and a title word starting one slip away from it
    #: match too (see collect.widen_to_near_start).
    slip: bool = False
    #: The words typed that the reader means, required or not ("sg unter anderen anhand": 4):
    #: all but a last one being typed that starts a stop word ("alpha beta o": 2).
    typed_words: int = 0
    #: For word groups of a language that indexes words as written: the group with those
    #: forms only (by ``id`` of the group's query). Widening looks among the posts that have
    #: the very words typed, not every form of them (see collect.widen_to_prefix).
    exact_words: dict[int, Query] = field(default_factory=dict)
    #: Where the language indexes stems alone: each whole word typed as the body indexes it
    #: (its stem in each of the query's languages) with its length as typed, to find the
    #: posts with the very word (see collect._very_word_bonus).
    forms: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    #: The words typed that no post has and that match words one typo away (as
    #: :func:`schema.title_key` reduces them): misspelt, surely (see collect._near_title_bonus).
    misspelt: set[str] = field(default_factory=set)
    #: Years typed beside other words ("react conf 2024"), never required: posts dated in one
    #: count as having it (see collect._year_bonus).
    years: list[int] = field(default_factory=list)
    #: The clauses (by ``id``) that are a question's words or words for the kind of post:
    #: the phrase and passage bonuses are looked for without them too (see _title_bonus).
    aside: frozenset[int] = frozenset()
    #: The clauses (by ``id``) of words most posts have, or many titles, beside rarer ones
    #: (the blog's name, a kind of post: see _common_clauses): the phrase and passage
    #: bonuses are looked for without them too.
    common: frozenset[int] = frozenset()
    #: The query's words without the question's words that begin it and the words for the
    #: kind of post that end it, or without either, or without the words most posts have
    #: (see _common_clauses), or without those of them that many titles have (the name), when
    #: two words or more are left, or with a word typed for two read as those two
    #: ("npmhelp"), as a title is compared with them (:func:`schema.title_key`): a title
    #: that is one of them is the query's.
    asked_keys: tuple[str, ...] = ()
    #: Of ``asked_keys``, those that are every word typed, read as a title may write them
    #: ("npmhelp": "npm help"; "nodejs": "node js"; "realtime web": "real time web"): a title
    #: that is one of them is the query's, even where another title has every word as typed
    #: and more (see collect.collect).
    read_keys: tuple[str, ...] = ()
    #: The terms of words that two words typed apart make (see _apart_joined): each is in
    #: the groups of both, and tells neither apart from the other (see _title_words).
    apart_terms: frozenset[str] = frozenset()
    #: The groups (by ``id``) of ``relaxable`` that are words for the kind of post: they tell
    #: no post apart by its title (see near_misses).
    kinds: set[int] = field(default_factory=set)
    #: The groups of ``optional`` that are stop words ("all", "delle"), never required:
    #: titles have them, and a title may be named by them (see near_misses). Not a last
    #: word being typed: it may be the start of another ("des", "destination").
    stops: list[Query] = field(default_factory=list)
    #: The groups of ``words`` (by ``id``) that are pairs of a long CJK run, each with the
    #: position of its run among the words typed: the pairs of a run are one word typed.
    runs: dict[int, int] = field(default_factory=dict)
    #: Each long CJK run typed before the last word, or alone, as it stands (its pairs in a
    #: row, in a title, heading or text): where no post has it so, a character of it may
    #: have been left out or slipped in (see search.SearchIndex._search).
    run_phrases: list[Query] = field(default_factory=list)

    def typed(self) -> list[list[Query]]:
        """The words and the relaxable ones, each as the groups it was compiled to: one
        group each, the pairs of a long CJK run all together (a post has the run where it
        has them all: some may be some other word's, "정지합니다" typed for "지정합니다" has
        the ending "합니다" of most titles); but a run typed alone, each pair apart (the
        posts with more of them are the likelier, "状態を菅理する方法")."""
        out: list[list[Query]] = []
        run_at: dict[int, list[Query]] = {}
        for q in [*self.words, *self.relaxable]:
            typed_at = self.runs.get(id(q))
            if typed_at is None:
                out.append([q])
            elif typed_at in run_at:
                run_at[typed_at].append(q)
            else:
                out.append(run_at.setdefault(typed_at, [q]))
        return [[q] for q in out[0]] if len(out) == 1 else out


def _but_in_titles(q: Query, share: float) -> Query:
    """``q`` with each of its terms and phrases but those of titles at ``share`` of its weight."""
    if isinstance(q, Or):
        return type(q)([_but_in_titles(sub, share) for sub in q.subqueries], boost=q.boost)  # (a Best stays one)
    return q if getattr(q, "fieldname", None) == "title" else q.with_boost(q.boost * share)


def _rare_after_common(schema, expander: Expander, parsed: ParsedQuery, last: Clause,
                       langs: Sequence[str]) -> bool:
    """Whether ``last``, a word the body has whole in few posts ("inst"), follows words that
    many posts have (stop words left out: "npm", "how to"): the reader is typing a longer
    word ("install"), and too many posts have the other words for their text to be searched
    for it (see PREFIX_SCAN): the body's commonest completions are what finds them."""
    if expander.body_count(last.text) > RARE_WHOLE_WORD:
        return False
    others = [c.text for c in parsed.clauses
              if c is not last and plain_word(c) and not is_stop_word(schema, c, langs)]
    return bool(others) and all(expander.body_count(word) > PREFIX_SCAN for word in others)


#: Letters then digits, or digits then letters: a name and a number typed without the
#: space between them ("node18", "react19", "2024recap").
_RUN_TOGETHER = re.compile(r"([^\W\d_]{2,})(\d+)|(\d+)([^\W\d_]{2,})")
#: A word of letters only is split in two (see split_in_two) when it has at most this many
#: letters, each part at least MIN_COMPOUND_PART.
MAX_COMPOUND = 30
MIN_COMPOUND_PART = 3


def split_in_two(word: str, expander: Expander) -> str | None:
    """``word`` as two words typed without the space between them, when no post has it and
    posts have both parts: split where its letters meet its digits ("node18": "node 18"),
    else, for letters only, at the most even point that gives two such words ("hotreload":
    "hot reload"). Else None."""
    splits = splits_in_two(word, expander)
    return splits[0] if splits else None


#: At most this many ways of reading a word as two (see splits_in_two).
MAX_SPLITS = 3


def splits_in_two(word: str, expander: Expander) -> list[str]:
    """Each way of reading ``word`` as two words posts have (:func:`split_in_two`'s first),
    at most MAX_SPLITS: "debconffiles" is "debconf files" or "deb conffiles"."""
    run_together = _RUN_TOGETHER.fullmatch(word)
    if run_together is not None:
        points = [len(run_together.group(1) or run_together.group(3))]
    elif _may_be_two(word):
        points = _even_cuts(word)
    else:
        return []
    if expander.known(word) or expander.in_code(word):
        return []  # (a name in code, "ComponentTwo", is no two words run together)
    return _cuts_into_words(word, points, expander)


def _may_be_two(word: str) -> bool:
    """Whether ``word`` is letters only, long enough for two parts of MIN_COMPOUND_PART
    letters and at most MAX_COMPOUND."""
    return word.isalpha() and 2 * MIN_COMPOUND_PART <= len(word) <= MAX_COMPOUND


def _even_cuts(word: str) -> list[int]:
    """Where ``word`` may be cut in two parts of MIN_COMPOUND_PART letters or more, the
    most even cut first."""
    middle = len(word) / 2
    return sorted(range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1), key=lambda i: abs(i - middle))


def _cuts_into_words(word: str, points: Sequence[int], expander: Expander,
                     keep: Callable[[str, str], bool] = lambda first, second: True) -> list[str]:
    """``word`` cut at each of ``points`` where both parts are words posts write as they
    are (and ``keep`` keeps them), as two words, at most MAX_SPLITS."""
    found = []
    for at in points:
        first, second = word[:at], word[at:]
        if expander.known(first, as_written=True) and expander.known(second, as_written=True) and keep(first, second):
            found.append(f"{first} {second}")
            if len(found) == MAX_SPLITS:
                break
    return found


#: A word posts write both as one and as two in a row ("eventloop", "event loop") matches
#: the two, typed as one, at this share of the word as typed (see written_apart).
WRITTEN_APART_SHARE = 0.5


def written_apart(schema, word: str, expander: Expander, langs: Sequence[str] = ENGLISH) -> list[str]:
    """The ways of reading ``word``, a word of letters that posts have, as two words that
    they have as written ("eventloop": "event loop"; "website": "web site"), its most even
    cut first, at most MAX_SPLITS: each part MIN_COMPOUND_PART letters or more, and neither
    it nor a part a stop word ("forget" is no "for get"); none for a word typed as a name
    ("StreamingResponse"). Whether posts write the two in a row is for the phrase made of
    them to find. Worked out once per generation."""
    if not _may_be_two(word) or is_cjk(word) or not cased_as_typed(word):
        return []
    folded = word.lower()
    return expander.worked_out(("written apart", folded, tuple(langs)),
                               lambda: _written_apart(schema, folded, expander, langs))


def _written_apart(schema, word: str, expander: Expander, langs: Sequence[str]) -> list[str]:
    if not expander.known(word) or is_stop_word(schema, Clause(word), langs):
        return []  # (a word no post has is split_in_two's)
    return _cuts_into_words(word, _even_cuts(word), expander, lambda *parts: not any(
        is_stop_word(schema, Clause(part), langs) for part in parts))


def compile_query(schema, parsed: ParsedQuery, expander: Expander | None = None,
                  langs: Sequence[str] = ENGLISH) -> CompiledQuery:
    """Each group of the parsed query as a Whoosh query, its words read in each of ``langs``.

    With an ``expander``, the last word also matches as a prefix (as you type) and
    unknown words of 4+ letters match words one typo away (8+ letters: two). A single
    Chinese, Japanese or Korean character matches as the start of a pair of them.
    """
    langs = tuple(langs) or ENGLISH
    compiled = CompiledQuery([], [], [])
    # The word being typed, if any: none when the text went on after the last ("node 20 ").
    last = parsed.groups[-1][-1] if parsed.groups and not parsed.last_whole else None
    if last is not None and is_signed_name(last.text):
        last = None  # "c++", "c#": typed whole (and its title key, "c", begins many titles)
    several_words = len(parsed.words) > 1
    # A last word of one or two letters, or the start of a stop word, after other words is
    # being typed and could become almost anything ("years o", "push f"): it adds to the
    # score of the posts that have a word it starts, but no post is required to have one.
    # (In Chinese or Japanese two characters are a word: the length rule is for letters.)
    short_last = last is not None and plain_word(last) and (
        (len(last.text) <= 2 and last.text.isascii()) or starts_stop_word(last.text, langs))
    # The last word alone in its group, after other words: the one being typed.
    typing_last = several_words and last is not None and plain_word(last) and len(parsed.groups[-1]) == 1
    partial_stop_word = typing_last and short_last and starts_stop_word(last.text, langs)
    compiled.typed_words = len(parsed.words) - (1 if partial_stop_word else 0)
    # A question's words, a word for the kind of post and stop words are read in English too:
    # readers of a blog in another language type "how do I" and "tutorial" as well.
    framing = langs if "en" in langs else (*langs, "en")
    asking = question_clauses(schema, parsed, framing)
    asked = frozenset(map(id, asking))
    compiled.aside = asked | {id(c) for c in parsed.clauses if is_kind_word(c, framing)}
    most: frozenset[int] = frozenset()  # the words most posts have
    if expander is not None and several_words:
        most, compiled.common = _common_clauses(parsed, expander, compiled.aside)
    if compiled.aside:
        # The words without a question's words before them and words for the kind of post
        # after them ("how do I publish a package", "react compiler explained"), or without
        # either ("cómo 18 tutorial": "Cómo actualizar a React 18"). Not without "who" in
        # "npm who": "whoami" is being typed.
        words = [c for c in parsed.clauses if plain_word(c)]
        lead = next((i for i, c in enumerate(words) if id(c) not in compiled.aside), len(words))
        trail = len(words)
        while trail > lead and id(words[trail - 1]) in compiled.aside and is_kind_word(words[trail - 1], framing):
            trail -= 1
        # And from a question's verb on: "how do i use server" may name "'use server'".
        verb = next((i for i, c in enumerate(words[:lead]) if _listed(c, framing, question_verbs)), lead)
        keys = [_key_of(c.text for c in words[a:b])
                for a, b in ((lead, trail), (0, trail), (lead, len(words)), (verb, trail))]
        compiled.asked_keys = tuple(k for k in dict.fromkeys(keys) if k and k != parsed.key)
    if most:
        # The words without the blog's name ("react crear aplicación"), and without a
        # question's words as well: a title that is them, or has them all, is the query's.
        # Most posts may have a word of the title too ("renderizado" on react.dev's Spanish
        # pages: `react renderizado condicional`): without those of the common words that
        # many titles have as well (the name). Two words at least: `how install scripts`,
        # on a blog where most posts have "install", does not name "Scripts".
        words = [c for c in parsed.clauses if plain_word(c)]
        name_titles = expander.post_count() * NAME_TITLE_SHARE
        named = frozenset(id(c) for c in words
                          if id(c) in most and expander.title_count(c.text) >= name_titles)
        for left_out in dict.fromkeys((most, named or most)):
            kept = [c for c in words if id(c) not in left_out]
            for these in (kept, [c for c in kept if id(c) not in compiled.aside]):
                key = _key_of(c.text for c in these)
                if len(key.split()) >= 2 and key != parsed.key and key not in compiled.asked_keys:
                    compiled.asked_keys += (key,)
    apart: dict[str, str] = {}  # words typed without the space between two: those two
    groups = list(_cjk_pairs(parsed.groups))
    # The last word typed with a hyphen and cut in two ("front-end"), as one, where posts have that.
    cut_joined = hyphen_joined(parsed.cut_last) if parsed.cut_last and expander is not None else None
    cut_joined_q = None  # (one query object, in both groups)
    if cut_joined is not None and len(groups) >= 2 and expander.known(cut_joined):
        cut_joined_q = _text_query(schema, Clause(cut_joined), (), (), langs)
        if cut_joined_q is not None:
            cut_joined_q.boost = CUT_JOINED_SHARE
    # Two words typed apart that posts write as one ("web site": "website"; "work flow"), as
    # one too: half a word in each word's group, as the pieces of a word typed with a hyphen.
    apart_joined = _apart_joined(schema, groups, expander, framing) if expander is not None else {}
    if expander is not None:
        for at, queries in _apart_dotted(schema, groups, expander, langs).items():
            apart_joined.setdefault(at, []).extend(queries)
    compiled.apart_terms = frozenset(_leaf_text(leaf) for queries in apart_joined.values()
                                     for q in queries for leaf in q.leaves())
    last_run = None  # where the pairs of a CJK run typed last begin: they are the last groups
    if typing_last and is_cjk_run(last):
        last_run = len(groups) - len(list(_cjk_pairs(parsed.groups[-1:])))
    for at, (typed_at, group) in enumerate(groups):
        parts = []
        for clause in group:
            joined: list[str] = []
            dotted: list[str] = []
            joined_q = None
            as_one = None
            joined_starts: dict[str, list[str]] = {}
            apart_words: list[str] = []
            if clause.field:
                q = _filter_clause(schema, clause, langs)
            else:
                expansions: list[tuple[str, float]] = []
                body_terms: list[tuple[str, float]] = []
                if expander is not None and plain_word(clause):
                    # A name typed without its dots ("nodejs": "Node.js") or its hyphen
                    # ("realtime": "real-time"). Posts may write the word typed too (in an
                    # address, "nodejs.org"), and that counts for more; a word no post has is
                    # that name ("socketio": "socket.io"), no typo.
                    dotted = [] if clause.also else expander.dotted(clause.text)
                    # A version no post has ("node 18.20.9", a release after the blog's last):
                    # the line it is of that posts have ("18.20"), as a name without its dots.
                    if not clause.also and clause is not last and (lines := version_lines(clause.text)) \
                            and not expander.known(clause.text):
                        dotted += [line for line in lines if expander.known(line)][:1]
                    joined_q = None if clause.also else hyphened(schema, expander, clause.text, langs)
                    name_share = DOTTED_SHARE if (dotted or joined_q is not None) and expander.known(clause.text) else 1.0
                    meant = bool(clause.also) or (bool(dotted) or joined_q is not None) and name_share == 1.0
                    if clause is last:
                        expansions += [(w, PREFIX_FACTOR) for w in expander.completions(clause.text)]
                        # ... and, in titles that begin with the words typed, to the word there
                        # ("npm di": "diff" and "dist" of "npm-dist-tag", which the commonest
                        # words of titles, headings and tags, "directory" and "display", may miss).
                        expansions += [(w, PREFIX_FACTOR) for w in expander.title_continuations(parsed.key)]
                        body_too = several_words and not short_last and (
                            not expander.body_has_as_typed(clause.text)
                            or _rare_after_common(schema, expander, parsed, clause, langs))
                        # (Twice as many where the body has each word twice: stem and as written.)
                        body_limit = BODY_COMPLETIONS * 2 if exact_forms(schema, langs) else BODY_COMPLETIONS
                        if body_too:
                            # After other words the last is being typed ("festival cau"): it
                            # also completes to the body's commonest words that start so (not
                            # a whole word already: each completion costs a list of posts; a
                            # word a stemmer made of it does not count: "tes" is "te", "lis" "li").
                            body_terms += [(w, PREFIX_FACTOR) for w in expander.body_completions(clause.text, body_limit)]
                        if not clause.also:
                            # ... and to words posts write with a hyphen ("realti": "real-time"),
                            # in the same fields, where as common as the words written so.
                            fields = PREFIX_FIELDS + (("body",) if body_too else ())
                            joined_starts = {f: found for f in fields
                                             if (found := expander.joined_completions(clause.text, f, body_limit))}
                    # The last word starts no word the blog has: typed with a slip, or a typo.
                    starts_none = clause is last and not expansions and not body_terms and not joined_starts
                    if len(clause.text) == 1 and is_cjk(clause.text):
                        # One character of a script without spaces: the start of a word.
                        body_terms += [(w, PREFIX_FACTOR) for w in expander.body_completions(clause.text, CJK_COMPLETIONS)]
                    # A word the blog's synonyms name is meant as typed, and so is a name: never a typo.
                    corrections = () if meant else expander.corrections(clause.text)
                    expansions += [(w, FUZZY_FACTOR) for w in corrections]
                    if corrections:
                        compiled.misspelt.add(title_key(clause.text))
                    if not meant and (several_words or not corrections):
                        # Beside other words, the body's near words too, even when titles and
                        # headings have one: the other words tell which was meant ("utilizada
                        # daos entiende": "datos" in headings, "dados" in the post's body).
                        body_terms += [(w, FUZZY_FACTOR) for w in expander.body_corrections(clause.text)]
                    if starts_none and not meant and (several_words or not expansions and not body_terms) \
                            and cased_as_typed(clause.text) and not expander.known(clause.text):
                        # A word being typed that starts no word, with a slip in it ("ugpra"):
                        # the words that start one typo away from it, a typo and a prefix each
                        # counting for less. (Not a name in code, "ByteStr": its parts are
                        # found as typed.) After other words, also when it is a typo of a whole
                        # word: the reader may not have finished it ("limhpi": "limpi", and
                        # "limpieza"). But where titles have such a whole word, not in titles:
                        # "tracs" is "tracks" before the start of "Transitions".
                        if not expansions:
                            expansions += [(w, FUZZY_PREFIX_FACTOR) for w in expander.fuzzy_completions(clause.text)]
                        body_terms += [(w, FUZZY_PREFIX_FACTOR) for w in expander.body_fuzzy_completions(clause.text)]
                        compiled.slip = several_words
                if expander is not None and plain_word(clause) and not clause.also:
                    # Two words typed without the space or the hyphen between them ("npmhelp"
                    # for "npm-help"), when nothing else reads the word; else an elided word
                    # and the next typed without the apostrophe ("dapt" for "d'APT"), the next
                    # word whatever typos it is near.
                    joined = [] if expansions or body_terms or joined_starts else splits_in_two(clause.text, expander)
                    if joined:
                        apart[clause.text] = joined[0]
                    elif not expander.known(clause.text):
                        for first, rest in elisions(clause.text, langs):
                            if expander.known(rest):
                                joined, apart[clause.text] = [rest], f"{first} {rest}"
                                break
                    if dotted:
                        apart.setdefault(clause.text, dotted[0])
                    if not joined:
                        # A word that posts also write as two in a row ("eventloop": "event
                        # loop"), as those two too, at half the share of the word as typed.
                        apart_words = written_apart(schema, clause.text, expander, langs)
                    if not joined and (together := hyphen_joined(clause.text)) is not None:
                        # Two words joined by a hyphen ("front-end"): also as one, as other
                        # posts write them ("frontend"), at half the share of the words as
                        # typed (the very form typed counts for more, as for a name).
                        as_one = together
                        apart.setdefault(clause.text, together)
                # A word typed whole in a rare form of a common stem is the word remembered.
                rare_form = (expander is not None and clause is not last
                             and _is_rare_form(schema, expander, clause, langs))
                q = _text_query(schema, clause, expansions, body_terms, langs, rare_form=rare_form,
                                joined_starts=joined_starts)
                if q is not None and clause.weight != 1.0:
                    q.boost = clause.weight
            if q is not None:
                parts.append(q)
            typed_q = q  # (the word as typed)
            for words in joined:
                # The words typed as one ("npmhelp": "npm help", in a row; "dapt": "apt"): as
                # good a match as the word typed.
                q = _text_query(schema, Clause(words, phrase=" " in words), (), (), langs)
                if q is not None:
                    parts.append(q)
            for name in dotted:
                q = _text_query(schema, Clause(name), (), (), langs)
                if q is not None:
                    q.boost = name_share
                    parts.append(q)
            if joined_q is not None:
                joined_q.boost = name_share
            apart_qs = []
            for words in apart_words:
                phrase_q = _text_query(schema, Clause(words, phrase=True), (), (), langs)
                if phrase_q is not None:
                    # (A phrase scores as the sum of its words: this is half of one word.)
                    phrase_q.boost = WRITTEN_APART_SHARE / 2
                    apart_qs.append(phrase_q)
            if apart_qs:
                # The word as typed (or with a hyphen, "real-time") and as two words ("event
                # loop"): forms of one word, of which a post counts the best. A post that
                # writes "prefetchDNS" has both, and so has one that writes "Lese-Zugriff".
                forms = [f for f in (typed_q, joined_q) if f is not None]
                parts = [p for p in parts if p is not typed_q]
                if forms:
                    apart_qs.insert(0, forms[0] if len(forms) == 1 else Or(forms))
                parts.append(Best(apart_qs))
            elif joined_q is not None:
                parts.append(joined_q)
            if as_one is not None and (q := _text_query(schema, Clause(as_one), (), (), langs)) is not None:
                q.boost = DOTTED_SHARE
                parts.append(q)
            for other in clause.also:
                # The blog's synonyms: as good a match as the word typed.
                q = _text_query(schema, Clause(other, phrase=" " in other), (), (), langs)
                if q is not None:
                    parts.append(q)
        parts += apart_joined.get(at, ())
        if cut_joined_q is not None and at >= len(groups) - 2:
            # The last word typed with a hyphen ("e-mail"), cut in two to complete its last
            # piece: a post that writes it as one ("email") has both, by half each.
            parts.append(cut_joined_q)
        if not parts:
            continue
        q = parts[0] if len(parts) == 1 else Or(parts)
        if group[0].negated:
            compiled.excluded.append(q)
        elif typing_last and short_last and group[-1] is last:
            compiled.optional.append(q)
            # A last word of one or two characters that starts no stop word ("react 18", "node
            # v8"): maybe being typed, maybe whole, a word the reader meant.
            if not partial_stop_word and len(last.text) > 1:
                compiled.relaxable.append(q)
        elif all(c.slip for c in group):
            compiled.optional.append(q)
        elif several_words and len(group) == 1 and (year := typed_year(group[0])) is not None:
            # "react conf 2024": the post wanted is dated 2024, and may not write it.
            compiled.optional.append(q)
            compiled.relaxable.append(q)
            compiled.years.append(year)
        elif all(c.field is None and (is_stop_word(schema, c, framing) or id(c) in asked) for c in group):
            # "Rust in 2016": "in" counts where titles and headings have it, but no post
            # is required to have a stop word. A word that makes a question ("how", "my",
            # "use" in "how to use") counts for less: it tells little of what the post is about.
            if all(id(c) in asked for c in group):
                q = _asked(q, in_titles=len(asking) == 1)
            elif all(is_kind_word(c, framing) for c in group):
                compiled.relaxable.append(q)
                compiled.kinds.add(id(q))
            elif not (typing_last and group[-1] is last):  # ("mémorisera des": "destination"?)
                compiled.stops.append(q)
            compiled.optional.append(q)
        elif all(c.field for c in group):
            compiled.filters.append(q)
        else:
            if most and all(id(c) in most for c in group):
                # The blog's name beside rarer words tells little of which post is meant, in
                # its headings too, where fewer posts have it ("react Kadi Kraman developing":
                # "React" in a heading is no reason for the other recap); but in a title it
                # names the post ("installed scripts": "npm-install-scripts").
                q = _but_in_titles(q, COMMON_WORD_WEIGHT)
            compiled.words.append(q)
            if group[0].pair:
                if typed_at not in compiled.runs.values() and (last_run is None or at < last_run):
                    run = parsed.groups[typed_at][0].text
                    compiled.run_phrases.append(Or([field_query(f, tokens, 1.0) for f in PAIR_FIELDS
                                                    for tokens in analyses(schema, f, run, langs) if tokens]))
                compiled.runs[id(q)] = typed_at
            if last_run is not None and at >= last_run:
                compiled.last_pairs.append(q)
            if exact_forms(schema, langs) and all(plain_word(c) for c in group):
                exact = [_exact_word(schema, c.text, langs) for c in group]
                if all(e is not None for e in exact):
                    compiled.exact_words[id(q)] = exact[0] if len(exact) == 1 else Or(exact)
            if typing_last and group[-1] is last and expander is not None:
                # The last word may be the start of a word (see collect.widen_to_prefix),
                # even one the index has whole ("ser", "asses": rare words, or stems of
                # other words, that a reader typing "server" or "assessments" passes through).
                compiled.last_prefix, compiled.last_group = last.text, q
                compiled.last_cut = not expander.body_has_as_typed(last.text)
    if not exact_forms(schema, langs):
        for clause in parsed.clauses:
            # (Not a word being typed, nor one of 3 letters or fewer: it has few other forms.)
            if not plain_word(clause) or (clause is last and typing_last) or not clause.text.isalpha() \
                    or len(clause.text) < 4:
                continue
            terms = tuple(dict.fromkeys(
                tokens[0] for lang in langs if len(tokens := analyze(schema, "body", clause.text, lang)) == 1))
            if terms and (terms, len(clause.text)) not in compiled.forms:
                compiled.forms.append((terms, len(clause.text)))
    if compiled.optional and not compiled.words:  # nothing else to require: it is the query
        compiled.words, compiled.optional, compiled.relaxable, compiled.stops = compiled.optional, [], [], []
    if apart:
        # The title those words name ("npmhelp": "npm-help").
        key = _key_of(apart.get(c.text, c.text) for c in parsed.clauses if plain_word(c))
    elif expander is not None and not has_cjk(parsed.key):
        # A title typed with two words joined, where posts have the joined word too
        # ("realtime web": "Real-Time Web"; indexing joins words joined by a hyphen), or
        # with a word cut in two ("web site redesign": "Website Redesign").
        key = expander.titled_apart(parsed.key) or expander.titled_together(parsed.key) or parsed.key
    else:
        key = parsed.key
    if key != parsed.key:
        compiled.read_keys = (key,)
        if key not in compiled.asked_keys:
            compiled.asked_keys += (key,)
    return compiled


#: A year as a reader types it beside other words.
_YEAR = re.compile(r"19[7-9][0-9]|20[0-9][0-9]")


#: A web address, or a path from the site's root, typed or pasted alone.
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://[^\s/]+)?/\S*", re.IGNORECASE)


def pasted_address(text: str) -> str | None:
    """The address of a page when ``text`` is one alone (a reader pastes a post's link to
    find it again), without its query string and fragment; else None.

    >>> pasted_address(" https://blog.example/posts/a-post/?utm=x#intro ")
    'https://blog.example/posts/a-post/'
    >>> pasted_address("/posts/a-post"), pasted_address("posts about /etc"), pasted_address("//")
    ('/posts/a-post', None, None)
    """
    text = text.strip()
    if not _ADDRESS.fullmatch(text):
        return None
    address = re.split(r"[?#]", text, maxsplit=1)[0]
    return address if address.strip("/") and not address.startswith("//") else None


def typed_year(clause: Clause) -> int | None:
    """The year the clause is, when it is a plain word of four digits from 1970 to 2099.

    >>> typed_year(Clause("2024")), typed_year(Clause("8080")), typed_year(Clause("20"))
    (2024, None, None)
    """
    return int(clause.text) if plain_word(clause) and _YEAR.fullmatch(clause.text) else None


#: Words a reader puts between the things compared ("esm vs commonjs", "vs." too): few posts
#: have them, so like stop words they count where they occur but are never required.
COMPARISON_WORDS = frozenset({"vs", "versus"})


#: The share of its weight a word that makes a question keeps (see is_stop_word).
QUESTION_WEIGHT = 0.25


def _asked(q: Query, in_titles: bool = False) -> Query:
    """A question's word at QUESTION_WEIGHT of its weight; with ``in_titles``, at its whole
    weight in titles. That is for a question word alone before other words: it may be the
    first word of the title being typed ("cómo 18": "Cómo actualizar a React 18"). Not after
    "how to" or "what is": titles that begin so would win questions they do not answer."""
    if not in_titles:
        return q.with_boost(q.boost * QUESTION_WEIGHT)
    if isinstance(q, Or):
        return type(q)([_asked(sub, in_titles) for sub in q.subqueries], boost=q.boost)  # (a Best stays one)
    return q if isinstance(q, Term) and q.fieldname == "title" else q.with_boost(q.boost * QUESTION_WEIGHT)


def _key_of(words: Iterable[str]) -> str:
    """Words typed as a title is compared with them (:func:`schema.title_key`)."""
    return title_key(join_cjk(" ".join(words)))


#: A word at least this share of the posts have (the blog's name, "react" on react.dev, or
#: what it is about) tells little of which post a reader means, beside other words...
COMMON_WORD_SHARE = 0.5
#: ... on a blog of at least this many posts (on fewer, a share says little).
COMMON_WORD_POSTS = 20
#: Such a word weighs this share of a word but in titles, where it names a post: in a field
#: fewer posts have it in (headings), field by field scoring would weigh it as a rare word.
COMMON_WORD_WEIGHT = 0.5
#: Of those words, the ones at least this share of the titles have too are the blog's name
#: ("react" in a quarter of react.dev's Spanish titles), not a title's word ("renderizado");
#: and a word so many titles have tells little too, however few bodies have it ("current"
#: of nodejs.org's "Node.js 20.1.0 (Current)").
NAME_TITLE_SHARE = 0.1


def _common_clauses(parsed: ParsedQuery, expander: Expander,
                    aside: Collection[int]) -> tuple[frozenset[int], frozenset[int]]:
    """The clauses (by ``id``) of words at least COMMON_WORD_SHARE of the posts have, and
    those with the words at least NAME_TITLE_SHARE of the titles have, when other words of
    the query (not ``aside``: a question's, a kind of post's) are rarer: readers add the
    blog's name ("react volverán causados limpieza"), or a word many titles have ("current",
    in a third of nodejs.org's, "Node.js 20.1.0 (Current)", and in few bodies: "current md
    instructions ci"), which the post wanted may not have where its other words are. None on
    a blog of fewer than COMMON_WORD_POSTS posts. The first is none when every word is so
    common (`react release`); the second is the first when every word is in it."""
    posts = expander.post_count()
    if posts < COMMON_WORD_POSTS:
        return frozenset(), frozenset()
    words = [c for c in parsed.clauses if plain_word(c) and id(c) not in aside]
    most = frozenset(id(c) for c in words if expander.body_count(c.text) >= posts * COMMON_WORD_SHARE)
    titled = most | {id(c) for c in words if id(c) not in most
                     and expander.title_count(c.text) >= posts * NAME_TITLE_SHARE}
    most = most if len(most) < len(words) else frozenset()
    return most, titled if len(titled) < len(words) else most


def question_clauses(schema, parsed: ParsedQuery, langs: Sequence[str] = ENGLISH) -> list[Clause]:
    """The clauses that make the query a question: its question words, and the stop words
    among the words that begin it when one of them is a question word ("how to", "what is
    the", "how can"; not "a" in "how do I publish a package"), and the verbs there that say
    only that something is to be done, after a question word of their language ("how to
    use", "cómo hacer": languages.question_verbs; not "use" in "cómo use server", a title
    "'use server'"). None when they are the whole query ("how to", a title being typed)."""
    found: list[Clause] = []
    leading = True
    for clause in parsed.clauses:
        if not plain_word(clause):
            leading = False
        elif is_question_word(clause, langs):
            found.append(clause)
        elif leading and is_stop_word(schema, clause, langs):
            found.append(clause)
        elif leading and any(_listed(clause, (lang,), question_verbs) and any(is_question_word(c, (lang,)) for c in found)
                             for lang in langs):
            found.append(clause)  # "how to use", "cómo hacer"; not "cómo use server" ('use server')
        else:
            leading = False
    # Stop words at the start count only beside a question word ("to be or not to be").
    if not any(is_question_word(c, langs) for c in found) or len(found) == len(parsed.clauses):
        return []
    return found


def aside_terms(schema, parsed: ParsedQuery, langs: Sequence[str] = ENGLISH) -> frozenset[str]:
    """The body's terms of a question's words and of the words for the kind of post ("how",
    "tutorial"), when the query has other words: they say what the reader asks, not what the
    post is about, so a snippet need not show them (see snippets.snippet).

    >>> from .schema import build_schema
    >>> sorted(aside_terms(build_schema(), parse_query("how to debug a memory leak")))
    ['how']
    >>> aside_terms(build_schema(), parse_query("tutorial"))
    frozenset()
    """
    langs = tuple(langs) or ENGLISH
    framing = langs if "en" in langs else (*langs, "en")
    aside = [*question_clauses(schema, parsed, framing),
             *(c for c in parsed.clauses if is_kind_word(c, framing))]
    if not aside or all(any(c is a for a in aside) or not plain_word(c) for c in parsed.clauses):
        return frozenset()
    return frozenset(t for c in aside for lang in framing for exact in (False, True)
                     for t in analyze(schema, "body", c.text, lang, exact=exact))


def is_kind_word(clause: Clause, langs: Sequence[str] = ENGLISH) -> bool:
    """Whether the clause is a word that says what kind of post is wanted ("tutorial",
    "example": languages.kind_words)."""
    return _listed(clause, langs, kind_words)


def is_question_word(clause: Clause, langs: Sequence[str] = ENGLISH) -> bool:
    """Whether the clause is a word that makes a question (languages.question_words)."""
    return _listed(clause, langs, question_words)


def _listed(clause: Clause, langs: Sequence[str], words_of: Callable[[str], frozenset[str]]) -> bool:
    """Whether the clause is a word (not a phrase) of the list ``words_of`` gives for one of ``langs``."""
    folded = clause.text.casefold()
    return not clause.phrase and any(folded in words_of(lang) for lang in langs)


def is_stop_word(schema, clause: Clause, langs: Sequence[str] = ENGLISH) -> bool:
    """Whether prose analysis removes the clause's text entirely (a stop word) in one of
    ``langs``, or it is a word of comparison (COMPARISON_WORDS), one that makes a question
    (languages.question_words: "how", "do", "I"...) or one for the kind of post wanted
    (languages.kind_words: "tutorial"...)."""
    if clause.phrase:
        return False
    return (clause.text.casefold().rstrip(".") in COMPARISON_WORDS or is_question_word(clause, langs)
            or is_kind_word(clause, langs) or any(not analyze(schema, "body", clause.text, lang) for lang in langs))


def starts_stop_word(word: str, langs: Sequence[str] = ENGLISH) -> bool:
    """Whether ``word`` is the start of a stop word of ``langs``, but not one itself: a reader
    may be typing it.

    >>> [starts_stop_word(w) for w in ("o", "fr", "wit", "of", "go", "Dat")]
    [True, True, True, False, False, False]
    >>> starts_stop_word("po", ("fr",)), starts_stop_word("po")
    (True, False)
    """
    folded = word.lower()
    if not folded.isalpha():
        return False
    stops, by_initial = _stop_prefixes(tuple(langs))
    return folded not in stops and any(s.startswith(folded) for s in by_initial.get(folded[:1], ()))


@lru_cache(maxsize=64)
def _stop_prefixes(langs: tuple[str, ...]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    stops = frozenset().union(*(stop_words(lang) for lang in langs))
    by_initial: dict[str, tuple[str, ...]] = {}
    for word in sorted(stops):
        by_initial[word[:1]] = (*by_initial.get(word[:1], ()), word)
    return stops, by_initial


def build_query(
    schema, parsed: ParsedQuery, expander: Expander | None = None, *, relaxed: bool = False,
    langs: Sequence[str] = ENGLISH,
) -> Query:
    """The Whoosh query for a parsed user query (Every() when it has no terms).

    With ``relaxed``, the words are alternatives instead of all being required
    (``tag:`` and ``author:`` still are); the search then ranks posts that match
    more of the words first.
    """
    compiled = compile_query(schema, parsed, expander, langs)
    return assemble_query(schema, parsed, compiled, relaxed=relaxed, langs=langs)


def assemble_query(schema, parsed: ParsedQuery, compiled: CompiledQuery, *, relaxed: bool = False,
                   without_last: bool = False, all_but_one: bool = False, last_optional: bool = False,
                   langs: Sequence[str] = ENGLISH, ranked: bool = True) -> Query:
    """The query of :func:`build_query`, from groups already compiled (so a retry does not
    compile again); ``without_last``: without the group of ``compiled.last_prefix`` (and
    the other words as written, where they are indexed so: see collect.widen_to_prefix);
    ``last_optional``: that group counts where it matches, not required; ``relaxed``: any of
    the words (and of ``compiled.relaxable``); ``all_but_one``: every word but one,
    whichever; not ``ranked``: without the parts that only order the posts (for telling
    which posts match)."""
    words, filters = compiled.words, compiled.filters
    typed_last = [compiled.last_group] if compiled.last_group is not None else compiled.last_pairs
    last_optional = last_optional and bool(typed_last) and len(words) > len(typed_last)
    if last_optional:
        words = [w for w in words if all(w is not t for t in typed_last)]
    elif without_last:
        words = [compiled.exact_words.get(id(w), w) for w in words if w is not compiled.last_group]
    if all_but_one and len(words) > 1:
        required: list[Query] = [AllButOne(words), *filters]
    elif relaxed and len(words) + len(compiled.relaxable) > 1:
        required = [Or([*words, *compiled.relaxable]), *filters]
    else:
        required = [*words, *filters]
    main: Query = And(required) if len(required) > 1 else (required[0] if required else Every())
    optional = compiled.optional if ranked else []
    if last_optional and ranked:
        optional = [*optional, *typed_last]
    if relaxed:  # (the relaxable ones are among the words then)
        optional = [q for q in optional if not any(q is r for r in compiled.relaxable)]
    if optional and words:
        # Words that count where they occur (a last word being typed, stop words) count
        # before the phrase bonus picks the posts it looks at (the best of the others).
        main = AndMaybe(main, optional[0] if len(optional) == 1 else Or(optional))
    bonus = _title_bonus(schema, parsed, partial_last=bool(compiled.optional), aside=compiled.aside,
                         cut_last=compiled.last_cut, common=compiled.common, langs=langs) if ranked else None
    if bonus is not None and words:
        main = AndMaybe(main, bonus)
    if compiled.excluded:
        excluded = compiled.excluded
        main = AndNot(main, Or(excluded) if len(excluded) > 1 else excluded[0])
    return main


@dataclass(frozen=True)
class NearMisses:
    """The posts of a query of three words or more that lack one word but have every other
    in their title ("Blog React suspense" for the post titled "Blog de React"), or, when few
    posts have every word, close together in their text (a passage remembered, and a word it
    lacks): a reader names a post by its title's words or a sentence's and adds one it
    lacks (see collect.execute).

    ``titles`` are the words in titles, one query each, and ``missable`` the positions of
    those that a near miss may lack; ``passages`` are the words of the query in the body,
    in each of its languages, each with whether a near miss may lack it (posts that have
    all but one close together are near misses too); ``words`` are the words a post is
    required to have; ``scored`` makes the query that scores near misses and checks they
    keep to the rest of the query (filters, words left out); a post keeps ``share`` of that
    score: the share of the words it has, as the coordination factor of Lucene's classic
    similarity weighs a post that lacks some of them (a title lacking a word many titles
    have keeps more: see collect._add_near_misses)."""

    titles: tuple[Query, ...]
    missable: tuple[int, ...]
    passages: tuple[tuple[tuple[str, ...], tuple[bool, ...]], ...]
    words: tuple[Query, ...]
    scored: Callable[[], Query]
    share: float


#: At most this many posts join those with every word as near misses; when more titles
#: have every word but one, those words tell no post apart.
MAX_NEAR_MISSES = 10


def near_misses(schema, parsed: ParsedQuery, compiled: CompiledQuery, expander: Expander,
                langs: Sequence[str] = ENGLISH) -> NearMisses | None:
    """The near misses of a query (see :class:`NearMisses`), or None when it has fewer
    than three words that titles may have (its stop words among them; two that are one word
    in titles, "installation installing", count once; one typed twice, "vlan vlan hashing",
    twice) and fewer than four for a passage.
    The word missing may be any required one but a number (`React 18 upgrade guide` does
    not name "React 17 upgrade guide") and a last word being typed that is no whole word
    ("powłok sele"): the reader is still typing it; and that word is in a title only as
    typed, not as the start of a longer word."""
    if len(compiled.words) < 2 or len(parsed.words) < 3:
        return None
    typing = compiled.last_group is not None and not expander.known(compiled.last_prefix)
    titles, missable = _title_words(compiled, typing)
    content = [c for c in parsed.clauses if plain_word(c) and id(c) not in compiled.aside
               and not is_stop_word(schema, c, langs)]
    passages: list[tuple[str, ...]] = []
    if not typing and MIN_NEAR_WORDS < len(content) <= MAX_NEAR_WORDS + 1:
        text = " ".join(c.text for c in content)
        # (Two forms of one word, "compile compiler", are one word here.)
        passages = [words for tokens in analyses(schema, "body", text, langs, exact=EXACT_PHRASES)
                    if MIN_NEAR_WORDS < len(words := tuple(dict.fromkeys(tokens))) <= MAX_NEAR_WORDS + 1]
    missable_words = [(words, tuple(not _has_digit(w) for w in words)) for words in passages]
    if not missable and not passages:
        return None
    words = len(titles) if missable else len(compiled.words) + len(compiled.relaxable)
    return NearMisses(
        titles=titles if missable else (),
        missable=missable,
        passages=tuple(missable_words),
        words=tuple(compiled.words),
        # (Any of the words: a near miss has all of them but one, and scores the same so; and
        # the passage bonus of those it has, which the query's passage, of all, never gives it.)
        scored=lambda: _with_passages_but_one(assemble_query(schema, parsed, compiled, relaxed=True, langs=langs),
                                              passages),
        share=(words - 1) / words,
    )


def _with_passages_but_one(query: Query, passages: Sequence[tuple[str, ...]]) -> Query:
    """``query`` with the passage bonus of every word of each of ``passages`` but one."""
    bonuses = [Passage("body", [w for w in words if w != left], slop=NEAR_SLOP, boost=NEAR_BONUS)
               for words in passages for left in words]
    return AndMaybe(query, Or(bonuses)) if bonuses else query


def _title_words(compiled: CompiledQuery, typing: bool) -> tuple[tuple[Query, ...], tuple[int, ...]]:
    """The words of a query in titles, one query each, and the positions of those a near
    miss may lack; none when fewer than three. Its stop words count, never lacking: titles
    keep them ("shadow delle shadow config": "shadow - file delle password shadow"); so does
    a word typed twice, twice. (Not a word for the kind of post: "A streams tutorial" is not
    what `node streams tutorial` names.)"""
    groups: list[tuple[Query, Query]] = []
    seen: set[str] = set()
    kept: list[frozenset[str]] = []  # each word's terms, once
    again: set[int] = set()  # the positions in groups of a word typed again
    stops = {id(q) for q in compiled.stops}
    for group in [*compiled.words, *(q for q in compiled.relaxable if id(q) not in compiled.kinds),
                  *compiled.stops]:
        longest = len(compiled.last_prefix) if group is compiled.last_group else 0
        titled = _in_title(group, longest)
        if titled is None:
            if id(group) in stops:
                continue  # (a stop word is never the word lacking: without it, the others count)
            return (), ()  # (a phrase typed, or a word titles cannot have)
        # (Not the word two words typed apart make: it is in the groups of both.)
        terms = frozenset(_leaf_text(leaf) for leaf in titled.leaves()) - compiled.apart_terms
        if terms in kept:
            # The same word typed again ("vlan vlan hashing" for "vlan - vlan manipulation
            # module"): it counts again, as plain BM25 counts it, never as the one lacking.
            again.add(len(groups))
            groups.append((group, titled))
        elif not terms & seen:
            groups.append((group, titled))
            kept.append(terms)
            seen |= terms
    if len(groups) < 3:
        return (), ()
    required = {id(q) for q in compiled.words}
    missable = tuple(i for i, (group, titled) in enumerate(groups)
                     if id(group) in required and i not in again and not (typing and group is compiled.last_group)
                     and not any(_has_digit(_leaf_text(leaf)) for leaf in titled.leaves()))
    return tuple(titled for _, titled in groups), missable


def _leaf_text(leaf: Query) -> str:
    """The text of a Term, or of a Phrase's words."""
    return " ".join(leaf.words) if isinstance(leaf, Phrase) else leaf.text


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _in_title(group: Query, longest: int = 0) -> Query | None:
    """The title's terms of a word group (a Term or an Or of Terms over fields), at most
    ``longest`` characters long when it is not 0; None when it has none. A CJK word is a
    phrase of its pairs of characters ("파일을": "파일 일을"): the title's phrase (which
    matches within longer words anyway, as CJK is written without spaces)."""
    if isinstance(group, Term):
        keep = group.fieldname == "title" and (not longest or len(group.text) <= longest)
        return Term("title", group.text) if keep else None
    if type(group) is Phrase and all(has_cjk(w) for w in group.words):
        return Phrase("title", group.words, slop=group.slop) if group.fieldname == "title" else None
    if isinstance(group, Or):
        terms = [t for t in (_in_title(q, longest) for q in group.subqueries) if t is not None]
        return None if not terms else terms[0] if len(terms) == 1 else Or(terms)
    return None


#: Spaces between two CJK words of a query.
_CJK_SPACE = re.compile(f"(?<=[{CJK_CLASS}]) +(?=[{CJK_CLASS}])")


def join_cjk(text: str) -> str:
    """``text`` without the spaces a reader put between CJK words, which the text writes
    together: as a phrase or a title, "服务器 组件" is "服务器组件".

    >>> join_cjk("React 服务器 组件 hooks")
    'React 服务器组件 hooks'
    """
    return _CJK_SPACE.sub("", text)


def _title_bonus(schema, parsed: ParsedQuery, *, partial_last: bool = False,
                 aside: Collection[int] = frozenset(), cut_last: bool = False,
                 common: Collection[int] = frozenset(), langs: Sequence[str] = ENGLISH) -> Query | None:
    """Extra score when the words form the title exactly, or appear together as a phrase
    (in the title most, then a heading, then the body). With ``partial_last`` (a stop word
    or a word of one or two letters being typed last), the phrase is looked for without it,
    and with it (it may be whole: "node 20", "Crear un componente de"); so too, with
    ``cut_last``, a last word that is no word yet (CompiledQuery.last_cut). ``aside``: the
    clauses (by ``id``) the phrases are also looked for without (CompiledQuery.aside); and
    ``common``, the words most posts have (CompiledQuery.common)."""
    words = join_cjk(parsed.text)
    if not words:
        return None
    bonuses: list[Query] = [Term("title_key", parsed.key, boost=EXACT_TITLE_BONUS)]
    text = join_cjk(parsed.text_without_last) if partial_last else words
    # A last word being typed may be whole already ("node 20", "years of"): the phrase with it too.
    texts = dict.fromkeys([text, words] if partial_last else [text])
    # A question's words ("how do I") and words for the kind of post ("tutorial"): the phrase
    # and the passage without them too, for the post wanted seldom has them ("how do I
    # publish a package": "Publish a package").
    said = [c for c in parsed.clauses if plain_word(c) and id(c) not in aside]
    asked = " ".join(c.text for c in said)
    if aside and asked:
        text = join_cjk(asked)
        texts[text] = None
    # The texts looked for as a passage, and the fewest words that make one: after a stop
    # word or a word of one or two letters typed last ("terminal omdirigér ud"), the words
    # before it, two of them close together already.
    typed = [c for c in parsed.clauses if c.field is None and not c.negated]
    last = typed[-1] if typed else None
    stop_last = partial_last and len(typed) > 2 and plain_word(last) and (
        len(last.text) <= 2 or not any(analyze(schema, "body", last.text, lang) for lang in langs))
    passages = {text: MIN_NEAR_WORDS - 1 if stop_last else MIN_NEAR_WORDS}
    if cut_last and not partial_last and len(parsed.words) > 2:
        # The words before a last one that is no word yet ("mostrará advertencia ejcu": cut
        # short, with a slip) make the phrase, and the passage, two of them close together
        # already: the last word would have made a third.
        cut = join_cjk(" ".join(c.text for c in said[:-1]))
        texts[cut] = None
        passages.setdefault(cut, MIN_NEAR_WORDS - 1)
    if common:
        # Without the blog's name too ("react volverán causados limpieza"): the post wanted
        # may have it far from the words it is found by. And without that word only, typed
        # before the words or after them: the others may be common too, and the passage's
        # ("archivo salidas archivos proceso", "archivo org printf localmente").
        ends = {id(c) for c in (said[0], said[-1]) if id(c) in common} if said else set()
        for left_out in (common, ends):
            kept = [c for c in said if id(c) not in left_out]
            if len(kept) < len(said):
                rest = join_cjk(" ".join(c.text for c in kept))
                texts[rest] = None
                passages.setdefault(rest, MIN_NEAR_WORDS)
    for fieldname, boost in (("title", TITLE_PHRASE_BONUS), ("headings", TITLE_PHRASE_BONUS / 2),
                             ("body", TITLE_PHRASE_BONUS / 4)):
        # Each field's own words: titles and headings keep stop words, the body does not.
        phrases = [(tokens[:MAX_BONUS_PHRASE], stems and stems[:MAX_BONUS_PHRASE]) for t in texts
                   for tokens, stems in _written_phrases(schema, fieldname, t, langs) if len(tokens) > 1]
        for i, (phrase, stems) in enumerate(phrases):
            if all(phrase != other for other, _ in phrases[:i]):
                bonuses.append(Phrase(fieldname, phrase, boost=boost) if stems is None
                               else WrittenPhrase(fieldname, phrase, stems, boost=boost))
    # A remembered passage: the words in order, close together in the body (a few words
    # between each, or, for less, as far apart as in one sentence), count for more than the
    # same words scattered over the post.
    if len(parsed.words) > 1:
        # Each run of CJK words typed without spaces, as it stands, counts like a phrase.
        for clause in parsed.clauses:
            if is_cjk_run(clause) and not clause.negated and clause.field is None:
                for fieldname, boost in (("title", TITLE_PHRASE_BONUS), ("body", TITLE_PHRASE_BONUS / 4)):
                    tokens = analyze(schema, fieldname, clause.text, langs[0])[:MAX_BONUS_PHRASE]
                    bonuses.append(Phrase(fieldname, tokens, boost=boost))
    one_phrase = len(parsed.clauses) == 1 and parsed.clauses[0].phrase  # already exact: nothing to add
    looked_for: dict[tuple[str, ...], int] = {}
    for passage, fewest in passages.items():
        for tokens in analyses(schema, "body", passage, langs, exact=EXACT_PHRASES):
            looked_for.setdefault(tuple(tokens), fewest)
    for tokens, fewest in looked_for.items():
        if fewest <= len(tokens) <= MAX_NEAR_WORDS and not one_phrase:
            # (Close together, the words are within both slops: the whole bonus.)
            bonuses.append(Passage("body", list(tokens), slop=NEAR_SLOP, boost=NEAR_BONUS / 2))
            bonuses.append(Passage("body", list(tokens), slop=SENTENCE_SLOP, boost=NEAR_BONUS / 2))
    return Or(bonuses)


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
    #: Languages (codes): posts in any of them; the query is read in these languages only.
    langs: tuple[str, ...] = ()
    #: The reader's language: its posts come first when scores are close ("" for none).
    prefer_lang: str = ""

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
        for value in self.langs:
            if normalize_language(value) is None:
                raise SearchRequestError("lang", f"names no language we know: {value[:40]!r} (write a code such as 'en' or 'fr').")
        if self.prefer_lang and normalize_language(self.prefer_lang) is None:
            raise SearchRequestError(
                "prefer_lang", f"names no language we know: {self.prefer_lang[:40]!r} (write a code such as 'en' or 'fr')."
            )

    @property
    def lang_codes(self) -> tuple[str, ...]:
        """The ``lang`` filter as language codes (``es-ES`` is ``es``), each once."""
        return tuple(dict.fromkeys(c for c in map(normalize_language, self.langs) if c))

    @property
    def preferred(self) -> str:
        """``prefer_lang`` as a language code ("" for none)."""
        return normalize_language(self.prefer_lang) or "" if self.prefer_lang else ""


def filters(schema, request: SearchRequest) -> Query | None:
    """The request's filters as query objects (never by pasting strings into a query)."""
    parts: list[Query] = [tag_filter(t.strip()) for t in request.tags if t.strip()]
    any_of = [tag_filter(t.strip()) for t in request.tags_any if t.strip()]
    if any_of:
        parts.append(Or(any_of) if len(any_of) > 1 else any_of[0])
    if request.author.strip():
        tokens = analyze(schema, "author", request.author)
        q = field_query("author", tokens, 1.0)
        parts.append(q if q is not None else NullQuery)
    codes = request.lang_codes
    if codes:
        parts.append(Or([Term("lang", c) for c in codes]) if len(codes) > 1 else Term("lang", codes[0]))
    if request.year is not None:
        parts.append(NumericRange("year", request.year, request.year))
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, dtime.min) if request.date_from else None
        end = datetime.combine(request.date_to, dtime.max) if request.date_to else None
        parts.append(DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
