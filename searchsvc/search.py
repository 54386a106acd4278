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

import html
import pickle
import re
import struct
import zlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from whoosh import highlight, index as whoosh_index, sorting
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
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
from .config import MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_RESULT_DEPTH
from .schema import EXACT_TITLE_BONUS, FIELD_WEIGHTS, TITLE_PHRASE_BONUS, title_key
from .storage import IndexUnavailable

SORTS = ("relevance", "newest", "oldest")
MAX_FACETS = 50
SNIPPET_CHARS = 180
SNIPPET_FRAGMENTS = 2
#: Seconds before a generation that failed to open is tried again.
RETRY_BROKEN_AFTER = 2.0
ELLIPSIS = "…"


#: What reading a truncated, deleted or otherwise damaged index file raises.
DAMAGE_ERRORS = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, whoosh_index.IndexError)


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
    (?P<neg>-)?
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


def _analyze(schema, fieldname: str, text: str) -> list[str]:
    analyzer = schema[fieldname].analyzer
    return [t.text for t in analyzer(text, mode="query")]


def _field_query(fieldname: str, tokens: list[str], boost: float) -> Query | None:
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term(fieldname, tokens[0], boost=boost)
    return Phrase(fieldname, tokens, boost=boost)


def _text_query(schema, clause: Clause) -> Query | None:
    """A free-text word or phrase, searched in every text field with its weight.

    A word that prose analysis removes entirely (a stop word) is dropped.
    """
    if not _analyze(schema, "body", clause.text):
        return None
    alternatives = []
    for fieldname, weight in FIELD_WEIGHTS.items():
        tokens = _analyze(schema, fieldname, clause.text)
        if fieldname == "code" and not clause.phrase and len(tokens) > 1:
            # Code is not stored with positions; all parts must occur.
            alternatives.append(And([Term("code", t) for t in tokens], boost=weight))
            continue
        if fieldname == "code" and clause.phrase:
            continue
        q = _field_query(fieldname, tokens, weight)
        if q is not None:
            alternatives.append(q)
    return Or(alternatives) if alternatives else None


def _filter_clause(schema, clause: Clause) -> Query | None:
    if clause.field == "tag":
        return Term("tags", clause.text.lower())
    tokens = _analyze(schema, "author", clause.text)
    return _field_query("author", tokens, 1.0) if tokens else None


def build_query(schema, parsed: ParsedQuery) -> Query:
    """The Whoosh query for a parsed user query (Every() when it has no terms)."""
    required: list[Query] = []
    excluded: list[Query] = []
    for group in parsed.groups:
        parts = []
        for clause in group:
            q = _filter_clause(schema, clause) if clause.field else _text_query(schema, clause)
            if q is not None:
                parts.append(q)
        if not parts:
            continue
        q = parts[0] if len(parts) == 1 else Or(parts)
        if group[0].negated:
            excluded.append(q)
        else:
            required.append(q)

    main: Query = And(required) if len(required) > 1 else (required[0] if required else Every())
    bonus = _title_bonus(schema, parsed)
    if bonus is not None and required:
        main = AndMaybe(main, bonus)
    if excluded:
        main = AndNot(main, Or(excluded) if len(excluded) > 1 else excluded[0])
    return main


def _title_bonus(schema, parsed: ParsedQuery) -> Query | None:
    """Extra score when the words form the title (exactly, or as a phrase in it)."""
    words = " ".join(parsed.words)
    if not words:
        return None
    bonuses: list[Query] = [Term("title_key", title_key(words), boost=EXACT_TITLE_BONUS)]
    tokens = _analyze(schema, "title", words)
    if len(tokens) > 1:
        bonuses.append(Phrase("title", tokens, boost=TITLE_PHRASE_BONUS))
    return Or(bonuses)


# ---------------------------------------------------------------------------
# Requests and results


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    tags: tuple[str, ...] = ()
    author: str = ""
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
            "generation": self.generation,
        }


# ---------------------------------------------------------------------------
# Opening the index once and reusing searchers


@dataclass
class Snapshot:
    """One published generation, opened: shared by all threads of a process."""

    name: str
    number: int
    ix: Any
    manifest: dict[str, Any]

    @property
    def post_count(self) -> int:
        return int(self.manifest.get("post_count", 0))

    @property
    def tag_names(self) -> dict[str, str]:
        return self.manifest.get("tags", {})


class SearchIndex:
    """The index a process searches. Thread-safe; create one per process.

    :raise IndexUnavailable: from every method when there is no usable index.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._local = threading.local()
        #: (generation name, when, message) of the last generation that failed to open.
        self._failed: tuple[str, float, str] | None = None

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
                self._snapshot = self._open(name)
            except IndexUnavailable as exc:
                self._failed = (name, time.monotonic(), str(exc))
                raise
            self._failed = None
            return self._snapshot

    def _open(self, name: str) -> Snapshot:
        path = self.index_dir / name
        number = storage.generation_number(name)
        manifest = storage.read_manifest(path)
        try:
            # No mmap: a file truncated under a running server must raise an error we
            # can answer with 503, not SIGBUS the worker.
            ix = FileStorage(str(path), supports_mmap=False).open_index()
        except Exception as exc:  # Whoosh raises many kinds for missing or damaged files
            raise IndexUnavailable(
                f"The index in {path} cannot be opened ({type(exc).__name__}); run `searchsvc reindex --full`."
            ) from None
        return Snapshot(name=name, number=number or 0, ix=ix, manifest=manifest)

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
                searcher = snap.ix.searcher()
            except Exception as exc:
                self._forget(snap)
                raise IndexUnavailable(
                    f"The index cannot be read ({type(exc).__name__}); run `searchsvc reindex --full`."
                ) from None
            local.searcher, local.name = searcher, snap.name
        try:
            yield snap, searcher
        except DAMAGE_ERRORS as exc:
            # Damaged files under a running server: drop what is open, retry on the next request.
            self._forget(snap)
            raise IndexUnavailable(
                f"The index cannot be read ({type(exc).__name__}); run `searchsvc reindex --full`."
            ) from exc

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
        snap = self.snapshot()
        return {
            "status": "ok",
            "generation": snap.number,
            "posts": snap.post_count,
            "built_at": snap.manifest.get("built_at"),
        }

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search.

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
            schema = searcher.schema
            query = build_query(schema, parsed)
            filter_q = _filters(schema, request)
            sort = request.sort
            if sort == "relevance" and not parsed.has_text:
                sort = "newest"
            kwargs: dict[str, Any] = {
                "pagelen": request.per_page,
                "filter": filter_q,
                "terms": True,
                "groupedby": {"tags": sorting.FieldFacet("tags", allow_overlap=True, maptype=sorting.Count)},
            }
            if sort != "relevance":
                # Undated posts last either way (Whoosh gives a missing date the largest value).
                kwargs["sortedby"] = [
                    sorting.TranslateFacet(_undated, sorting.FieldFacet("date")),
                    sorting.FieldFacet("date", reverse=sort == "newest"),
                ]
            page = searcher.search_page(query, request.page, **kwargs)
            results = page.results
            total = len(results)
            # Whoosh clamps a page past the end to the last page; past the end is empty.
            past_end = (request.page - 1) * request.per_page >= total
            hits = () if past_end else tuple(_hits(page, results, scored=sort == "relevance"))
            facets = {"tags": _tag_facets(results.groups("tags"), snap.tag_names)}
        return SearchResponse(
            query=request.q,
            total=total,
            page=request.page,
            per_page=request.per_page,
            took_ms=(time.perf_counter() - started) * 1000,
            results=hits,
            facets=facets,
            generation=snap.number,
        )


def _filters(schema, request: SearchRequest) -> Query | None:
    parts: list[Query] = [Term("tags", t.strip().lower()) for t in request.tags if t.strip()]
    if request.author.strip():
        tokens = _analyze(schema, "author", request.author)
        q = _field_query("author", tokens, 1.0)
        parts.append(q if q is not None else NullQuery)
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, dtime.min) if request.date_from else None
        end = (
            datetime.combine(request.date_to + timedelta(days=1), dtime.min) - timedelta(microseconds=1)
            if request.date_to
            else None
        )
        parts.append(DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _tag_facets(groups: dict, names: dict[str, str]) -> dict[str, int]:
    counted = sorted(((names.get(k, k), n) for k, n in groups.items() if k and n), key=lambda kv: (-kv[1], kv[0].lower()))
    return dict(counted[:MAX_FACETS])


# ---------------------------------------------------------------------------
# Highlighting: plain text in, escaped HTML with <mark> out


class MarkFormatter(highlight.Formatter):
    """Wraps matched terms in ``<mark>``, escapes everything else, and marks cuts with an ellipsis.

    Formatters keep per-call state in Whoosh; make one per request.
    """

    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return html.escape(text)

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"

    def format(self, fragments, replace=False):
        """Fragments in order, joined by an ellipsis; a cut at either end is marked too."""
        fragments = list(fragments)
        if not fragments:
            return ""
        inner = self.between.join(self.format_fragment(f, replace=replace).strip() for f in fragments)
        prefix = f"{ELLIPSIS} " if fragments[0].startchar > 0 else ""
        suffix = f" {ELLIPSIS}" if fragments[-1].endchar < len(fragments[-1].text) else ""
        return f"{prefix}{inner}{suffix}"


class SnippetFragmenter(highlight.PinpointFragmenter):
    """Whoosh's pinpoint fragments, trimmed to whole words, never trimming a fragment
    that already starts or ends with the text (Whoosh's autotrim always cuts a word there)."""

    def __init__(self, maxchars: int, surround: int):
        super().__init__(maxchars=maxchars, surround=surround, autotrim=False)

    def fragment_matches(self, text, tokens):
        for fragment in super().fragment_matches(text, tokens):
            start, end = fragment.startchar, fragment.endchar
            if start > 0 and not text[start - 1].isspace():
                space = text.find(" ", start, end)
                if space >= 0:
                    start = space + 1
            if end < len(text) and not text[end].isspace():
                space = text.rfind(" ", start, end)
                if space > start:
                    end = space
            if fragment.matches:
                start = min(start, fragment.matches[0].startchar)
                end = max(end, fragment.matches[-1].endchar)
            fragment.startchar, fragment.endchar = start, end
            yield fragment


def _highlighters() -> tuple[highlight.Highlighter, highlight.Highlighter]:
    formatter = MarkFormatter()
    title = highlight.Highlighter(fragmenter=highlight.WholeFragmenter(), formatter=formatter)
    snippet = highlight.Highlighter(
        fragmenter=SnippetFragmenter(maxchars=SNIPPET_CHARS, surround=60),
        formatter=formatter,
        order=highlight.FIRST,
    )
    return title, snippet


def _undated(value) -> bool:
    return value is None or value >= 2**63


def _hits(page, results, scored: bool = True) -> Iterator[Hit]:
    title_hl, snippet_hl = _highlighters()
    for hit in page:
        stored = hit.fields()
        meta = stored.get("meta") or {}
        title = meta.get("title") or stored.get("title", "")
        title_html = _safe_highlight(title_hl, hit, "title", title, 1) or html.escape(title)
        snippet = ""
        for fieldname in ("body", "description", "code"):
            text = stored.get(fieldname)
            if text:
                snippet = _safe_highlight(snippet_hl, hit, fieldname, text, SNIPPET_FRAGMENTS)
                if snippet:
                    break
        if not snippet:
            snippet = _lead(meta.get("description") or stored.get("body", ""))
        authors = tuple(meta.get("authors") or ())
        yield Hit(
            id=stored["id"],
            url=stored.get("url", ""),
            title=title,
            title_html=title_html,
            description=meta.get("description", ""),
            date=meta.get("date"),
            tags=tuple(meta.get("tags") or ()),
            author=", ".join(a["name"] for a in authors),
            authors=authors,
            snippet_html=snippet,
            # Sorted by date, Whoosh's "score" is the sort key: not a relevance figure.
            score=float(hit.score or 0.0) if scored else 0.0,
            reading_minutes=stored.get("reading_minutes"),
        )


def _safe_highlight(hl: highlight.Highlighter, hit, fieldname: str, text: str, top: int) -> str:
    if not hit.matched_terms() or not any(f == fieldname for f, _ in hit.matched_terms()):
        return ""
    return hl.highlight_hit(hit, fieldname, text=text, top=top, minscore=1) or ""


def _lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word boundary, escaped."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return html.escape(text)
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return html.escape(text[:cut]) + f" {ELLIPSIS}"
