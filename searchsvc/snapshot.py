"""One published generation, opened once per process and shared by its threads."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from whoosh.filedb.filestore import FileStorage

from . import storage
from .engine import LRU, DocTable, LeafCache
from .documents import GenerationDocuments
from .postings import GenerationPostings
from .schema import HYPHENS, JOINED_MARK, SCHEMA_VERSION
from .snippets import Match, SectionSpan
from .storage import IndexUnavailable
from .languages import DEFAULT as DEFAULT_LANGUAGE, analysis_key, lower_dotted
from .vocabulary import PREFIX_FIELDS, TitleIndex, Vocabulary, analyze

#: Responses kept per generation and process (Snapshot.responses).
RESPONSE_CACHE_SIZE = 128
#: Posts whose stored fields are kept decoded, per generation and process, and the
#: characters of text they may hold in all.
STORED_CACHE_SIZE = 128
STORED_CACHE_CHARS = 1_000_000
#: Seconds before a generation that failed to open is tried again.
RETRY_BROKEN_AFTER = 2.0

log = logging.getLogger("searchsvc.search")


class PostNotFound(LookupError):
    """No post has the id asked for."""


class DamagedIndex(IndexUnavailable):
    """The published generation's files changed after it was written."""


# ---------------------------------------------------------------------------
# Opening the index once and reusing searchers


#: Finds of a prefix inside words that :meth:`StoredPost.has_word_starting` looks past one
#: by one, in one part of a post.
MID_WORD_FINDS = 16


def _word_char(ch: str) -> bool:
    """Whether ``ch`` is part of a word, as a regular expression's ``\\w`` reads it."""
    return ch.isalnum() or ch == "_"


#: Characters of a title analysed for marking the query's words in it.
MAX_MARKED_TITLE = 50_000


class StoredPost:
    """A post's stored fields, with what highlighting derives from them once."""

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields
        self.meta: dict[str, Any] = fields.get("meta") or {}
        self.spans = [SectionSpan(*s) for s in self.meta.get("sections") or ()]
        self._heading_terms: list[frozenset[str]] | None = None
        self._heading_joined: list[frozenset[str]] | None = None
        self._title_words: list[Match] | None = None
        #: Characters of text held (what the cache of shown posts is bounded by).
        self.size = sum(len(v) for v in fields.values() if isinstance(v, str))

    def has_word_starting(self, prefix: str) -> bool:
        """Whether a word of the title, description, headings, body or code starts with
        ``prefix`` (as written, case aside).

        >>> post = StoredPost({"body": "Un serveur HTTP; l'outil_npm", "meta": {"title": "Node"}})
        >>> [post.has_word_starting(p) for p in ("SERV", "http", "outil", "no", "erveur", "npm", "")]
        [True, True, True, True, False, False, False]
        """
        # Each part lower-cased in turn, then str.find: a third of the time of a regular
        # expression that ignores case, which tries every character. (Not kept lower-cased:
        # a copy of the text would weigh on the cache of shown posts as much as the post.)
        # Past MID_WORD_FINDS finds inside words ("の" in Japanese text), the expression
        # looks at the rest: a loop in Python would take milliseconds there.
        folded = lower_dotted(prefix)
        if not folded:
            return False
        parts = (self.title, self.fields.get("description") or "",
                 "\n".join(s.heading for s in self.spans), self.fields.get("body") or "", self.fields.get("code") or "")
        for part in parts:
            text = lower_dotted(part)
            at = text.find(folded)
            for _ in range(MID_WORD_FINDS):
                if at < 0:
                    break
                if at == 0 or not _word_char(text[at - 1]):
                    return True
                at = text.find(folded, at + 1)
            else:
                if re.compile(r"(?<!\w)" + re.escape(folded)).search(text, at):
                    return True
        return False

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.fields.get("title") or ""

    def title_words(self, schema) -> list[Match]:
        """Where each term of the title stands in it (stop words too), as its post's
        language analyses it: what marking the title looks the query's terms up in."""
        if self._title_words is None:
            lang = self.meta.get("lang") or DEFAULT_LANGUAGE
            tokens = schema["title"].analyzer(self.title[:MAX_MARKED_TITLE], chars=True, mode="index",
                                              removestops=False, lang=lang)
            self._title_words = [Match(t.startchar, t.endchar, t.text) for t in tokens]
        return self._title_words

    def heading_terms(self, schema) -> list[frozenset[str]]:
        """The analysed words of each section's heading."""
        if self._heading_terms is None:
            self._heading_terms = [
                frozenset(s.words.split() if s.words is not None else analyze(schema, "headings", s.heading))
                for s in self.spans
            ]
        return self._heading_terms

    def heading_joined(self, schema) -> list[frozenset[str]]:
        """The terms of each section's heading that indexing made of two words a hyphen joins
        (marked: schema.JOINED_MARK), as its post's language analyses them; worked out when a
        query matched such a word in the headings (none where a heading has no hyphen)."""
        if self._heading_joined is None:
            lang = self.meta.get("lang") or DEFAULT_LANGUAGE
            analyzer = schema["headings"].analyzer
            self._heading_joined = [
                frozenset(t.text for t in analyzer(s.heading, mode="index", lang=lang) if t.text.startswith(JOINED_MARK))
                if any(h in s.heading for h in HYPHENS) else frozenset()
                for s in self.spans
            ]
        return self._heading_joined


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
    _query_languages: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    _table_lock: threading.Lock = field(default_factory=threading.Lock)
    #: The generation's folder.
    path: Path | None = None
    #: Post URL -> the post's path, read on the first pinned query (see :meth:`docnums_of_urls`).
    _by_url: dict[str, str] | None = None
    _unknown_urls: set[str] = field(default_factory=set)

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
                    self._table = DocTable(self.ix, self.documents)
        return self._table

    def warm(self, searcher) -> None:
        """Read, if not yet read, what a search of this generation needs whatever its words:
        the posts' table and the words of the titles and of the body (typo corrections,
        completions, names typed without their dots, words joined by a hyphen). A search
        calls it before its time limit starts, which is for its own work, not the
        generation's first reading (about 0.15 s at 1,000 posts, more than the limit at
        10,000: the first search after a publish found nothing)."""
        reader = searcher.reader()
        self.table()
        self.vocabulary.lexicon(reader)
        self.vocabulary.body_lexicon(reader)
        self.vocabulary.dotted_names(reader)
        for fieldname in PREFIX_FIELDS:
            self.vocabulary.joined_lexicon(reader, fieldname)

    def docnums_of_urls(self, searcher, urls: Sequence[str], *, pinned: bool = True) -> list[int]:
        """The posts with these URLs, in order (a URL may be written with or without the
        site's address or a final slash). A URL no post has is left out, and, for a pin
        (``pinned``), logged once per generation.

        The URLs are looked up in the generation's record of posts (one file, read on the first
        pinned query or pasted address), then each post by its path (an indexed field): no
        post is decoded.
        """
        if self._by_url is None:
            with self._table_lock:
                if self._by_url is None:
                    by_url: dict[str, str] = {}
                    record = storage.read_manifest(self.path, posts=True)["posts"] if self.path else {}
                    for relpath, entry in record.items():
                        if isinstance(entry, dict) and not entry.get("hidden"):
                            for key in _url_keys(str(entry.get("url") or "")):
                                by_url.setdefault(key, relpath)
                    self._by_url = by_url
        out = []
        for url in urls:
            relpath = next((self._by_url[k] for k in _url_keys(url) if k in self._by_url), None)
            docnum = searcher.document_number(path=relpath) if relpath is not None else None
            if docnum is not None:
                out.append(docnum)
            elif pinned and url not in self._unknown_urls and len(self._unknown_urls) < 1000:
                self._unknown_urls.add(url)
                log.warning("A pinned URL, %s, is the URL of no post in the index (generation %s); it is left out.",
                            url, self.number)
        return out

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
    def languages(self) -> dict[str, int]:
        """Posts per language (code -> count), as the reindex counted them."""
        found = self.manifest.get("languages")
        return found if isinstance(found, dict) and found else {DEFAULT_LANGUAGE: self.post_count}

    def query_languages(self, wanted: Sequence[str] = ()) -> tuple[str, ...]:
        """The languages a query is read in: ``wanted`` (the request's), else the index's, the
        commonest first; one per way of analysing (languages analysed alike are read once)."""
        key = tuple(wanted)
        found = self._query_languages.get(key)
        if found is None:
            codes = list(wanted) or sorted(self.languages, key=lambda c: (-self.languages[c], c))
            out: dict[str, str] = {}
            for code in codes:
                out.setdefault(analysis_key(code), code)
            found = tuple(out.values()) or (DEFAULT_LANGUAGE,)
            if len(self._query_languages) < 1000:
                self._query_languages[key] = found
        return found

    @property
    def titles(self) -> TitleIndex:
        if self._titles is None:
            self._titles = TitleIndex(self.title_entries)
        return self._titles


def _url_keys(url: str) -> list[str]:
    """The ways a pin may write a post's URL: as the API gives it, and its path alone
    (without ``https://host``), each without a final slash.

    >>> _url_keys("https://example.com/blog/a/")
    ['https://example.com/blog/a', '/blog/a']
    """
    url = url.strip()
    keys = [url.rstrip("/") or "/"]
    m = re.match(r"^[a-z][a-z0-9+.-]*://[^/]*(/.*)?$", url, re.IGNORECASE)
    if m:
        keys.append((m.group(1) or "/").rstrip("/") or "/")
    return keys


def open_generation(index_dir: Path, name: str) -> Snapshot:
    """Open generation ``name`` of ``index_dir`` for searching.

    :raise IndexUnavailable: when it is in another format, damaged, or cannot be opened.
    """
    path = index_dir / name
    number = storage.generation_number(name)
    manifest = storage.read_manifest(path)
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"The index in {path} is in the format of another release of searchsvc (format {version}; "
            f"this release reads format {SCHEMA_VERSION}); run `searchsvc reindex` to rebuild it."
        )
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
    try:
        titles = [(str(title), str(url)) for title, url in manifest.pop("titles")]
    except (KeyError, TypeError, ValueError):
        raise IndexUnavailable(f"The index at {path} is damaged; run `searchsvc reindex --full`.") from None
    return Snapshot(
        name=name, number=number or 0, ix=ix, manifest=manifest, vocabulary=Vocabulary(ix.schema), path=path,
        title_entries=titles, postings=GenerationPostings(str(path)), documents=GenerationDocuments(str(path)),
    )
