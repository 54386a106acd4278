"""The search a process serves, top-down: one request's story.

A request meets these modules in this order (each imports only those above it):

1. :mod:`searchsvc.query`: the request is checked (:class:`SearchRequest`) and the user's
   text parsed by a restricted parser (:func:`parse_query`), then compiled into Whoosh
   query objects; filters become query objects too.
2. :mod:`searchsvc.vocabulary`: the last word completes as a prefix, unknown words are
   corrected to indexed words (:class:`Expander`), and the box's suggestions come from here.
3. :mod:`searchsvc.snapshot`: the published generation, opened once per process (its
   Whoosh index, postings and stored-fields files, caches).
4. :mod:`searchsvc.collect`: the query evaluated over whole-index arrays
   (:mod:`searchsvc.engine`), ranked, cut to the page; facets; did-you-mean and relaxed retries.
5. :mod:`searchsvc.results`: the page's posts as plain objects; snippets, sections and the
   ``*_html`` fields are made there, and only there.

This module only reads. The index is opened once per process; each thread keeps
its own searcher and swaps it when a new generation is published (checked with
one ``readlink`` per request, see :mod:`searchsvc.storage`).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from whoosh.searching import Searcher

from . import storage
from .config import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from .schema import weighting
from .storage import IndexUnavailable
from .collect import (
    FEW_RESULTS,
    FILL_BELOW,
    FILL_WORDS,
    Deadline,
    Widening,
    did_you_mean,
    execute,
    facet_counts,
    matches_any,
    related_docnums,
    year_counts,
)
from .query import (
    SORTS,
    ParsedQuery,
    SearchRequest,
    SearchRequestError,
    assemble_query,
    build_query,
    compile_query,
    excluded_as_typed,
    filters,
    near_misses,
    parse_query,
    pasted_address,
    split_joined,
    split_last_word,
    within_words,
    with_synonyms,
)
from .curation import NO_RULES, Curation, Rules
from .results import SearchResponse, shown_hits, summary
from .snapshot import DamagedIndex, PostNotFound, Snapshot, open_generation  # noqa: F401
from .vocabulary import MAX_SUGGESTIONS, Expander, Suggestion

#: What the web layer and the command line take from here: the search and its request.
__all__ = [
    "SORTS", "DamagedIndex", "PostNotFound", "SearchIndex", "SearchRequest", "SearchRequestError",
    "SearchResponse", "IndexUnavailable",
]

#: Default seconds a query may spend collecting matches (see SearchIndex.time_limit).
QUERY_TIME_LIMIT = 1.0
MAX_RELATED = 5
#: Seconds before a generation that failed to open is tried again.
RETRY_BROKEN_AFTER = 2.0


def _start_afresh(ref: "weakref.ref[SearchIndex]") -> None:
    index = ref()
    if index is not None:
        index._start_afresh()


class SearchIndex:
    """The index a process searches. Thread-safe; create one per process.

    :raise IndexUnavailable: from every method when there is no usable index.
    """

    def __init__(self, index_dir: Path, time_limit: float = QUERY_TIME_LIMIT, curation: Curation | None = None):
        self.index_dir = Path(index_dir)
        #: Seconds one query may take collecting matches before it returns what it has.
        self.time_limit = time_limit
        #: The blog's synonyms and pins (read again when their files change).
        self.curation = curation
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
                self._snapshot = snap = open_generation(self.index_dir, name)
            except IndexUnavailable as exc:
                self._failed = (name, time.monotonic(), str(exc))
                raise
            self._failed = None
            return snap

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
            # Damaged files under a running server make Whoosh raise almost anything; but so
            # may a fault of ours that one query sets off, which must not take search down
            # for everyone: the generation is given up when one of our files says it is
            # damaged, or when its files are no longer those it was published with (else
            # the error is this request's alone).
            if not isinstance(exc, storage.DamagedFile) and storage.damage(self.index_dir / snap.name,
                                                                           snap.manifest) is None:
                raise
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
        tried, then any of the words (``relaxed``); when it finds fewer than FILL_BELOW
        posts, those with all words but one follow them (``with_every_word``).

        :raise SearchRequestError: for a request out of bounds.
        :raise IndexUnavailable: when there is no usable index.
        """
        started = time.perf_counter()
        request.validate()
        # A pasted paragraph: its first words (and its filters), as a reader would cut it.
        parsed, left_out = within_words(split_last_word(parse_query(request.q)), MAX_QUERY_TERMS)
        rules = self.curation.rules() if self.curation is not None else NO_RULES
        parsed = with_synonyms(parsed, rules.synonyms)
        with self.searcher() as (snap, searcher):
            key = (request, rules.version)  # an answer made under other synonyms or pins is not reused
            cached = snap.responses.get(key)
            if cached is not None:
                return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
            response = self._search(snap, searcher, request, parsed, started, rules)
            if left_out:
                response = replace(response, words_left_out=left_out)
            if not response.partial:
                snap.responses.put(key, response)
            return response

    def _search(self, snap: Snapshot, searcher, request: SearchRequest, parsed: ParsedQuery, started: float,
                rules: Rules = NO_RULES) -> SearchResponse:
        schema = searcher.schema
        snap.warm(searcher)
        table = snap.table()
        # A title pasted with a word that begins with a hyphen ("rendszerdátumot és -időt",
        # the second half of a compound) excludes nothing: the reader typed the title.
        typed = excluded_as_typed(parsed)
        if typed is not parsed and table.alive[table.titled(typed.key)].any():
            parsed = typed
        # The query is read in each language the posts it may find are written in.
        langs = snap.query_languages(request.lang_codes)
        expander = Expander(snap.vocabulary, searcher.reader(), langs, titles=table)
        filter_q = filters(schema, request)
        deadline = Deadline(self.time_limit)
        pinned_urls = rules.pins.get(request.q) if request.sort == "relevance" else ()
        pinned = snap.docnums_of_urls(searcher, pinned_urls) if pinned_urls else []
        # A post's address pasted into the box: that post, first (and the posts that have the
        # address's words, if any do; the retries for a query that finds nothing are not needed).
        addressed = snap.docnums_of_urls(searcher, [address], pinned=False) if (
            address := pasted_address(request.q)) and request.sort == "relevance" else []

        def every_word_of(parsed: ParsedQuery):
            """The query compiled, its near misses, and the posts with every word of it."""
            compiled = compile_query(schema, parsed, expander, langs)
            query = assemble_query(schema, parsed, compiled, langs=langs)
            widen = None
            if compiled.last_prefix:
                # A query that found fewer than FEW_RESULTS posts is widened (see collect.widen_to_prefix),
                # even when many posts have its last word whole ("adéquates defin": the post has "definitions").
                widen = Widening(lambda: assemble_query(schema, parsed, compiled, without_last=True, langs=langs),
                                 compiled.last_prefix,
                                 (lambda: assemble_query(schema, parsed, compiled, without_last=True, langs=langs,
                                                         ranked=False)) if compiled.exact_words else None,
                                 lambda short=False: expander.near_starts(compiled.last_prefix, short),
                                 compiled.slip, parsed.key)
            # Posts that lack one word but have the others in their title rank among them.
            near = near_misses(schema, parsed, compiled, expander, langs) if request.sort == "relevance" else None
            return compiled, near, execute(searcher, snap, query, request, filter_q, parsed, deadline, widen=widen,
                                           pinned=pinned, first=addressed, near=near, compiled=compiled)

        compiled, near, outcome = every_word_of(parsed)
        relaxed = corrected = False
        correction = None
        every_word = None  # posts with every word, when fewer than all those shown
        if parsed.has_text and outcome.total < FEW_RESULTS:
            correction = did_you_mean(parsed, request.q, expander)
        # A long CJK run typed before the last word, or alone, that no post has as it stands
        # may have a character left out or slipped in: of few posts with every word, the posts
        # with all its pairs but one follow them ("데이터베이에" for "데이터베이스에": the post with
        # the word lacks the pair 이에, and a long page has every pair, apart).
        slipped_run = request.sort == "relevance" and 0 < outcome.total < FILL_BELOW and any(
            not matches_any(searcher, snap, [run], deadline) for run in compiled.run_phrases)
        if outcome.total == 0 and parsed.has_text and not deadline.passed():
            if correction:
                fixed, _ = within_words(parse_query(correction), MAX_QUERY_TERMS)
                query = build_query(schema, fixed, expander, langs=langs)
                retry = execute(searcher, snap, query, request, filter_q, fixed, deadline)
                if retry.total:
                    outcome, corrected = retry, True
            apart = parsed if corrected else split_joined(parsed, lambda clause: not matches_any(
                searcher, snap, compile_query(schema, ParsedQuery(((clause,),)), expander, langs).words, deadline))
            if apart is not parsed and len(apart.clauses) <= MAX_QUERY_TERMS:
                # A word joined by punctuation with no post having it as typed ("carog-add(1)"):
                # its words apart, each corrected or completed; any of them, if need be.
                parsed = apart
                compiled, near, outcome = every_word_of(apart)
            if not corrected and outcome.total == 0 and len(compiled.words) + len(compiled.relaxable) > 1:
                # (Of posts with as many of the words, those with them close together first.)
                query = (near.scored() if near is not None and near.passages
                         else assemble_query(schema, parsed, compiled, relaxed=True, langs=langs))
                retry = execute(searcher, snap, query, request, filter_q, parsed, deadline,
                                word_groups=compiled.typed())
                if retry.total:
                    outcome, relaxed = retry, True
        elif (outcome.total < FILL_BELOW and len(compiled.words) > 1 and request.sort == "relevance"
              and (compiled.typed_words >= FILL_WORDS or compiled.last_prefix or compiled.last_pairs or slipped_run)
              and not deadline.passed()):
            # Few posts have every word: the one wanted may miss one of them (a word misremembered,
            # a typo that is another word). Posts with all but one follow those with all; of two
            # words, the last being typed, those with the first ("rmdir vai": "rmdir - remove
            # diretórios vazios", typed with a slip that made another word; "rcp リモーファイ").
            two = compiled.typed_words < FILL_WORDS
            query = assemble_query(schema, parsed, compiled, all_but_one=not two or slipped_run,
                                   last_optional=two, langs=langs)
            # (Of two words, a title that differs from them in one is no misspelt title: its
            # word may be the one being typed, "npm doot" "npm-root" or "npm-doctor".)
            more = execute(searcher, snap, query, request, filter_q, parsed, deadline, pinned=pinned,
                           first=outcome.ranked, compiled=compiled, near_titles_first=not two)
            if more.total > outcome.total:
                every_word, outcome = outcome.total, more
        hits = tuple(shown_hits(searcher, snap, outcome, deadline))
        facets = {
            "tags": facet_counts(table.counts(outcome.mask, "tags"), snap.tag_names),
            "authors": facet_counts(table.counts(outcome.mask, "authors"), snap.author_names),
            "years": year_counts(table.year_counts(outcome.mask)),
            "langs": facet_counts(table.counts(outcome.mask, "langs"), {}),
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
            with_every_word=0 if relaxed else outcome.total if every_word is None else every_word,
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
                found = related_docnums(searcher, snap.stored_fields(searcher, docnum), docnum, limit)
                if len(snap._related) > 10_000:
                    snap._related.clear()
                snap._related[(post_id, limit)] = found
            return [summary(snap.stored_fields(searcher, other)) for other in found]
