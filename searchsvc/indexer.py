"""Posts -> index: full build, incremental update, atomic publish, locking.

Every run builds a new generation directory beside the live one and publishes
it by swapping the CURRENT link (see :mod:`searchsvc.storage`). An incremental
run starts the new generation as hard links of the live one (Whoosh never
rewrites a segment file, so the live generation is never touched) and then
writes only what changed. A run killed at any moment leaves the live generation
serving; its temporary directory is removed by the next run.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import multiprocessing
import os
import secrets
import signal
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.formats import Characters
from whoosh.writing import MERGE_SMALL, SegmentWriter

from . import documents, postings, storage
from .config import Settings
from .extract import extract
from .posts import Post, PostError, discover, load_bytes, parse_post
from .schema import SCHEMA_VERSION, build_schema, prose_analyzer, title_key

#: Wraps the iterator of changed posts being prepared (given its length), e.g. with a progress bar.
Progress = Callable[[Iterable[Any], int], Iterable[Any]]

#: Below this many changed posts, worker processes cost more than they save.
PARALLEL_THRESHOLD = 64


class ReindexError(Exception):
    """Reindexing could not run at all; the live index is untouched. The message says why."""


class ReindexBusy(ReindexError):
    """Another reindex holds the lock."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class ReindexSummary:
    """What one run did. ``skipped`` are errors; ``hidden`` are drafts and the like."""

    full: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    hidden: list[Skipped] = field(default_factory=list)
    total: int = 0
    generation: int | None = None
    published: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @property
    def exit_code(self) -> int:
        """0 when every post was indexed, 1 when some were skipped for errors."""
        return 1 if self.skipped else 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["exit_code"] = self.exit_code
        return data


# ---------------------------------------------------------------------------
# Locking


@contextmanager
def reindex_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the reindex lock, waiting at most ``timeout`` seconds.

    The lock is an ``flock()`` on a file: the kernel releases it when the
    process ends, however it ends, so a killed run never blocks the next one.

    :raise ReindexBusy: if another process holds it for longer than ``timeout``.
    """
    path = index_dir / storage.LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = _lock_holder(path)
                    raise ReindexBusy(f"another reindex is running (pid {holder})") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------
# Turning a post into a document


@functools.lru_cache(maxsize=1)
def _prose():
    return prose_analyzer()


def _query_words(text: str) -> str:
    """``text`` as a query analyses it in the prose fields (kept so that searches need not)."""
    return " ".join(t.text for t in _prose()(text, mode="query"))


def post_document(post: Post) -> dict[str, Any]:
    """The Whoosh document for one post (plain text only; HTML is made at the edge)."""
    extracted = extract(post.body)
    sections = []
    parts = []
    offset = 0
    for section in extracted.sections:
        start, end = offset, offset + len(section.text)
        sections.append([section.heading, section.anchor, section.level, start, end, _query_words(section.heading)])
        parts.append(section.text)
        offset = end + 1
    body = "\n".join(parts)
    headings = "\n".join(s.heading for s in extracted.headings)
    code = "\n".join([*(b.code for b in extracted.code_blocks), " ".join(extracted.inline_code)]).strip()
    date = _naive_utc(post.date)
    authors = [{"name": a.name, "role": a.role} for a in post.authors]
    doc: dict[str, Any] = {
        "id": post.slug,
        "path": post.path,
        "url": post.url,
        "title": post.title,
        "title_key": title_key(post.title),
        "description": post.description,
        "headings": headings,
        "body": body,
        "code": code,
        "tag_text": " ".join(post.tags),
        "tags": ",".join(k.replace(",", " ") for k in post.tag_keys),
        "author": " ".join(a["name"] for a in authors),
        "authors": ",".join(a["name"].replace(",", " ").lower() for a in authors),
        # Did-you-mean vocabulary: the words of titles, headings, tags and descriptions.
        "spelling": "\n".join([post.title, headings, " ".join(post.tags), post.description]),
        "reading_minutes": post.reading_minutes,
        "meta": {
            "title": post.title,
            "description": post.description,
            "tags": list(post.tags),
            "authors": authors,
            "date": post.date.isoformat() if post.date else None,
            "updated": post.updated.isoformat() if post.updated else None,
            "sections": sections,
        },
    }
    if date is not None:
        doc["date"] = date
        doc["year"] = date.year
    return {k: v for k, v in doc.items() if v not in ("", None)}


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


# ---------------------------------------------------------------------------
# Reindexing


def reindex(
    settings: Settings, *, full: bool = False, progress: Progress | None = None, workers: int = 1
) -> ReindexSummary:
    """Bring the index in ``settings.index_dir`` up to date with ``settings.content_dir``.

    Incremental unless ``full`` is true or the index was built with another
    schema version or other extraction settings. With ``workers`` > 1 and many
    changed posts, that many processes share the work: in a full build each one
    prepares and indexes a run of posts into its own segment (``progress`` then
    advances a run at a time); otherwise they parse and extract, and this process
    writes.

    :raise ReindexBusy: when another run holds the lock past ``settings.lock_timeout``.
    :raise ReindexError: when the content directory cannot be read (the live index is kept).
    """
    started = time.monotonic()
    index_dir = settings.index_dir
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReindexError(f"Cannot create the index directory {index_dir}: {exc.strerror}.") from None
    with reindex_lock(index_dir, settings.lock_timeout):
        remove_leftovers(index_dir)
        summary = _reindex_locked(settings, full=full, progress=progress, workers=workers)
        remove_old_generations(index_dir, settings.generation_grace)
    summary.seconds = time.monotonic() - started
    return summary


def prepare(relpath: str, data: bytes, settings: Settings) -> tuple:
    """One file's bytes -> ("post", slug, tags, document), ("hidden", reason) or ("error", reason).

    Pure, so it can run in worker processes.
    """
    try:
        post = parse_post(relpath, data, settings)
    except PostError as exc:
        return ("error", _reason(exc))
    if post.hidden:
        return ("hidden", post.hidden)
    try:
        document = post_document(post)
    except Exception as exc:  # extraction is total by design; this is the last line of defence
        return ("error", f"could not be extracted ({type(exc).__name__}: {exc})")
    return ("post", post.slug, list(post.tags), document)


def _prepare_one(args: tuple[str, str, bytes, tuple[int, int], Settings]) -> tuple[str, str, tuple[int, int], tuple]:
    relpath, digest, data, stat, settings = args
    return relpath, digest, stat, prepare(relpath, data, settings)


def _prepare_all(pending: list[tuple[str, str, bytes, tuple[int, int]]], settings: Settings, workers: int):
    """Prepare changed posts in order, in worker processes when there are many."""
    jobs = [(relpath, digest, data, stat, settings) for relpath, digest, data, stat in pending]
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        yield from map(_prepare_one, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
        yield from pool.map(_prepare_one, jobs, chunksize=8)


def _index_in_segments(index_path: Path, pending: list[tuple[str, str, bytes, tuple[int, int]]], settings: Settings,
                       workers: int, segments: list[Segment]):
    """Full build: prepare and index the posts in segments written side by side; yield the prepared posts in order.

    Analysing and writing postings cost as much as preparing, so each worker process
    does all three for one run of consecutive posts and writes one segment: both cores
    stay busy to the end, and documents keep the numbers a single writer would give them.
    Each finished segment is appended to ``segments``. Every "post" is indexed, even one
    whose slug is taken: the caller removes those (see :func:`_combine_segments`).
    """
    parallel = workers > 1 and len(pending) >= PARALLEL_THRESHOLD
    jobs = [(index_path, chunk, settings) for chunk in _chunks(pending, workers if parallel else 1)]
    if not parallel:
        built: Iterable[tuple[list, Segment | None]] = map(_build_segment, jobs)
        for results, segment in built:
            segments.extend([segment] if segment else [])
            yield from results
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context, initializer=_die_with_parent) as pool:
        for results, segment in pool.map(_build_segment, jobs):
            segments.extend([segment] if segment else [])
            yield from results


def _chunks(items: list[tuple[str, str, bytes, tuple[int, int]]], count: int) -> list[list]:
    """``items`` cut into at most ``count`` runs of consecutive items with about as many bytes each."""
    total = sum(len(item[2]) for item in items) or 1
    chunks: list[list] = [[] for _ in range(count)]
    done = 0
    for item in items:
        chunks[min(count - 1, done * count // total)].append(item)
        done += len(item[2])
    return [chunk for chunk in chunks if chunk]


def _build_segment(job: tuple[Path, list[tuple[str, str, bytes, tuple[int, int]]], Settings]) -> tuple[list, Segment | None]:
    """Prepare and index one run of posts into a new segment of the index at ``job[0]``.

    Returns the prepared posts, each document cut to what the manifest needs (the rest
    is in the segment already), and the segment, or None when no post was indexed.
    """
    index_path, chunk, settings = job
    # Like the sub-writers of Whoosh's own multiprocessing writer: no lock (the reindex
    # lock is held), and the caller writes the table of contents listing the segments.
    # The writers share one temporary folder, which the caller removes when all are done:
    # so a writer is closed, never cancelled or committed (both would remove it).
    writer = _Writer(whoosh_index.open_dir(str(index_path)), _lk=False, limitmb=256)
    try:
        results = []
        for relpath, digest, data, stat in chunk:
            prepared = prepare(relpath, data, settings)
            if prepared[0] == "post":
                _, slug, tags, document = prepared
                writer.add_document(**document)
                prepared = ("post", slug, tags, {"url": document["url"], "meta": document["meta"]})
            results.append((relpath, digest, stat, prepared))
        segment = writer._finalize_segment() if writer.doc_count() else None
    finally:
        writer._close_segment()
    return results, segment


def _postings_fields(schema: Any) -> list[str]:
    """The fields whose postings the query engine reads from postings files: the scored ones."""
    return [name for name, fieldtype in schema.items() if fieldtype.scorable]


class _Writer(SegmentWriter):
    """Whoosh's segment writer, also writing each new segment's postings file
    (:mod:`searchsvc.postings`) from the postings it writes, and its stored-fields file
    (:mod:`searchsvc.documents`) from the fields it stores: new posts, and merged segments.

    Never a compound segment: assembling one would swallow those two files into it."""

    def __init__(self, ix: Any, **kwargs: Any):
        super().__init__(ix, **{**kwargs, "compound": False})
        path = os.path.join(self.storage.folder, documents.file_name(self.newsegment.segment_id()))
        self._documents = documents.Writer(path)
        perdoc = self.perdocwriter
        finish_doc = perdoc.finish_doc

        def stored_too() -> None:
            # Whoosh's finish_doc stores the fields and empties the dict: copy them first.
            # (Its close() calls finish_doc once more, outside any post.)
            if perdoc._indoc:
                self._documents.add(perdoc._docnum, perdoc._storedfields or {})
            finish_doc()

        perdoc.finish_doc = stored_too

    def _flush_segment(self) -> None:
        fields = _postings_fields(self.schema)
        recorder = postings.Recorder(fields, [f for f in fields if type(self.schema[f].format) is Characters])
        pool_postings = self.pool.iter_postings
        self.pool.iter_postings = lambda: recorder.tee(pool_postings())
        try:
            super()._flush_segment()
        finally:
            del self.pool.iter_postings
        segment = self.get_segment()
        postings.write(os.path.join(self.storage.folder, postings.file_name(segment.segment_id())), recorder.fields())
        self._documents.finish(segment.doc_count_all())

    def _close_segment(self) -> None:
        # After a commit, the file is finished; after a cancel or a failure, it goes.
        try:
            super()._close_segment()
        finally:
            self._documents.discard()


def _combine_segments(ix: Any, segments: list[Segment], duplicates: list[str]) -> None:
    """Publish the segments as one index (in order), without the posts in ``duplicates``;
    with one postings file for all the segments (see :func:`postings.combine`)."""
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()  # the segment writers' (see _build_segment)
    generation = ix.latest_generation() + 1
    whoosh_index.TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    whoosh_index.clean_files(ix.storage, ix.indexname, generation, segments)  # e.g. an empty segment's files
    if duplicates:
        writer = _Writer(ix)
        for relpath in duplicates:
            writer.delete_by_term("path", relpath)
        # Merged, so the removed posts also leave the term statistics that ranking uses.
        writer.commit(optimize=True)
    elif len(segments) > 1:
        # One postings file for all of them, so that a query looks each term up once, not
        # once per segment (a fifth of a query's time at 1,000 posts). Merging the segments
        # themselves would take Whoosh longer than the build.
        postings.combine(ix.storage.folder, [(s.segment_id(), s.doc_count_all()) for s in segments])


def merge_small_in_order(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
    """Whoosh's merge policy (MERGE_SMALL: small segments are merged into the new one),
    keeping the other segments in the order they were in.

    Whoosh's own policy lists them by size after a merge, and the segments a full build
    wrote side by side would then lose the postings file they share (see
    :meth:`postings.GenerationPostings.parts`), and their posts the numbers they had.
    When the merge takes one of those segments, the others get their own files back.
    """
    kept = {s.segment_id() for s in MERGE_SMALL(writer, segments)}
    kept_segments = [s for s in segments if s.segment_id() in kept]
    _keep_postings_readable(writer.storage.folder, segments, kept_segments)
    return kept_segments


def _keep_postings_readable(folder: str, before: list[Segment], after: list[Segment]) -> None:
    """When a merge takes away a segment of the run that shares one postings file (see
    :func:`postings.combine`), give the others their own files back and remove the shared
    one: it would no longer be read, and the others would be read through Whoosh."""
    if not before:
        return
    path = os.path.join(folder, postings.group_file_name(before[0].segment_id()))
    if not os.path.exists(path):
        return
    group = postings.SegmentPostings(path)
    covered = [segment_id for segment_id, _ in group.segments or ()]
    group.close()
    remaining = [s.segment_id() for s in after]
    if remaining[: len(covered)] == covered:
        return
    postings.split(folder, path, [segment_id for segment_id in covered if segment_id in remaining])
    os.unlink(path)


def _die_with_parent() -> None:
    """Make a worker process end when the reindex that started it is killed (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _reindex_locked(settings: Settings, *, full: bool, progress: Progress | None, workers: int) -> ReindexSummary:
    index_dir = settings.index_dir
    content_dir = settings.content_dir
    if not content_dir.is_dir():
        raise ReindexError(
            f"The content directory {content_dir} does not exist or is not a directory; the existing index is kept."
        )
    try:
        files, walk_errors = discover(content_dir)
    except PostError as exc:
        raise ReindexError(f"{exc}; the existing index is kept.") from None
    except OSError as exc:
        raise ReindexError(f"Cannot read the content directory {content_dir}: {exc.strerror}; the existing index is kept.") from None

    live = storage.current_generation(index_dir)
    old_posts: dict[str, dict[str, Any]] = {}
    old_manifest_scan: int | None = None
    fingerprint = settings.extraction_fingerprint()
    if live is not None and not full:
        try:
            manifest = storage.read_manifest(live.path, posts=True)
        except storage.IndexUnavailable:
            manifest = None
        if (
            manifest is None
            or manifest.get("schema_version") != SCHEMA_VERSION
            or manifest.get("fingerprint") != fingerprint
            or not whoosh_index.exists_in(str(live.path))
        ):
            full = True
        else:
            old_posts = manifest["posts"]
            old_manifest_scan = manifest.get("scanned_at_ns")
    if live is None:
        full = True

    summary = ReindexSummary(full=full)
    summary.skipped.extend(Skipped(e.path, e.reason) for e in walk_errors)
    scanned_at = time.time_ns()
    racy_after = (old_manifest_scan or 0) - RACY_NS

    new_posts: dict[str, dict[str, Any]] = {}
    slug_owner: dict[str, str] = {}
    # Slugs of unchanged posts are taken first, so a changed post cannot steal one.
    pending: list[tuple[str, str, bytes, tuple[int, int]]] = []
    for path in files:
        relpath = path.relative_to(content_dir).as_posix()
        old = old_posts.get(relpath)
        stat = _stat(path)
        if old is not None and stat is not None and _same_stat(old, stat, racy_after):
            _keep(relpath, old, new_posts, slug_owner, summary)
            continue
        try:
            data = load_bytes(path, settings)
        except PostError as exc:
            summary.skipped.append(Skipped(relpath, exc.reason))
            continue
        digest = hashlib.sha256(data).hexdigest()[:32]
        stat = stat or (0, 0)
        if old is not None and old.get("hash") == digest:
            _keep(relpath, {**old, "size": stat[0], "mtime_ns": stat[1]}, new_posts, slug_owner, summary)
            continue
        pending.append((relpath, digest, data, stat))

    indexed_before = {p for p, e in old_posts.items() if not e.get("hidden")}
    number = max((g.number for g in storage.list_generations(index_dir)), default=0) + 1
    tmp = index_dir / f"{storage.TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    writer = None
    try:
        segments: list[Segment] = []  # full: written by _index_in_segments
        duplicates: list[str] = []  # full: indexed posts whose slug another post has
        to_add: dict[str, dict[str, Any]] = {}  # incremental: relpath -> document
        prepared_posts: Iterable[tuple[str, str, tuple[int, int], tuple]]
        if full:
            tmp.mkdir()
            ix = whoosh_index.create_in(str(tmp), build_schema())
            prepared_posts = _index_in_segments(tmp, pending, settings, workers, segments)
        else:
            prepared_posts = _prepare_all(pending, settings, workers)
        if progress is not None and pending:
            prepared_posts = progress(prepared_posts, len(pending))
        for relpath, digest, stat, prepared in prepared_posts:
            kind = prepared[0]
            if kind == "error":
                summary.skipped.append(Skipped(relpath, prepared[1]))
                continue
            entry: dict[str, Any] = {"hash": digest, "size": stat[0], "mtime_ns": stat[1]}
            if kind == "hidden":
                summary.hidden.append(Skipped(relpath, prepared[1]))
                new_posts[relpath] = {**entry, "hidden": prepared[1]}
                continue
            _, slug, tags, document = prepared
            owner = slug_owner.get(slug)
            if owner is not None:
                summary.skipped.append(
                    Skipped(relpath, f"has the same slug {slug!r} as {owner}; give one of them another slug")
                )
                if full:
                    duplicates.append(relpath)
                continue
            slug_owner[slug] = relpath
            meta = document["meta"]
            new_posts[relpath] = {
                **entry,
                "slug": slug,
                "title": meta["title"],
                "url": document["url"],
                "tags": tags,
                "authors": [a["name"] for a in meta["authors"]],
            }
            if relpath in indexed_before:
                summary.updated += 1
            else:
                summary.added += 1
            if not full:
                to_add[relpath] = document

        indexed_now = {p for p, e in new_posts.items() if not e.get("hidden")}
        removed = indexed_before - indexed_now
        summary.removed = len(removed)
        summary.total = len(indexed_now)
        summary.skipped.sort(key=lambda s: s.path)
        summary.hidden.sort(key=lambda s: s.path)

        if not full and not summary.changed and new_posts == old_posts:
            summary.generation = live.number if live else None
            return summary

        if full:
            _combine_segments(ix, segments, duplicates)
        else:
            assert live is not None
            _link_copy(live.path, tmp)
            ix = whoosh_index.open_dir(str(tmp))
            if summary.changed:
                writer = _Writer(ix)
                for relpath in removed | (set(to_add) & indexed_before):
                    writer.delete_by_term("path", relpath)
                for document in to_add.values():
                    writer.add_document(**document)
                writer.commit(mergetype=merge_small_in_order)
                writer = None
        ix.close()
        storage.write_json_atomic(tmp / storage.POSTS, new_posts)
        storage.write_json_atomic(
            tmp / storage.MANIFEST,
            {
                "schema_version": SCHEMA_VERSION,
                "fingerprint": fingerprint,
                "generation": number,
                "built_at": datetime.now(timezone.utc).isoformat(),
                "scanned_at_ns": scanned_at,
                "content_dir": str(content_dir),
                "post_count": summary.total,
                "tags": _display_names(new_posts, "tags"),
                "authors": _display_names(new_posts, "authors"),
                # What a server needs of the posts: titles to complete.
                "titles": storage.titles_of(new_posts),
                "files": storage.index_files(tmp),
            },
        )
        storage.fsync_tree(tmp)
        final = index_dir / storage.generation_name(number)
        os.rename(tmp, final)
        os.utime(final)  # the time this generation was published (see remove_old_generations)
        storage.fsync_dir(index_dir)
        storage.publish(index_dir, final.name)
    except BaseException:
        if writer is not None:
            writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.generation = number
    summary.published = True
    return summary


#: A file whose mtime is this close to (or after) the previous scan may have changed
#: within the same clock tick after it was hashed: hash it again (git's "racy" rule).
RACY_NS = 2_000_000_000


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _same_stat(entry: dict[str, Any], stat: tuple[int, int], racy_after: int) -> bool:
    """Size and modification time as recorded, and not modified around the last scan."""
    return entry.get("size") == stat[0] and entry.get("mtime_ns") == stat[1] and stat[1] < racy_after


def _keep(relpath: str, entry: dict[str, Any], posts: dict, slug_owner: dict, summary: ReindexSummary) -> None:
    posts[relpath] = entry
    if entry.get("hidden"):
        summary.hidden.append(Skipped(relpath, entry["hidden"]))
    else:
        slug_owner[entry["slug"]] = relpath
    summary.unchanged += 1


def _reason(exc: PostError) -> str:
    return f"{exc.reason} (field {exc.field!r})" if exc.field else exc.reason


def _display_names(posts: dict[str, dict[str, Any]], key: str) -> dict[str, str]:
    """Lower-cased tag or author -> the spelling shown; the first spelling by path wins."""
    names: dict[str, str] = {}
    for relpath in sorted(posts):
        for name in posts[relpath].get(key, ()):
            names.setdefault(name.replace(",", " ").lower(), name)
    return names


def _link_copy(src: Path, dst: Path) -> None:
    """Start a new generation as hard links of ``src`` (copies where links are impossible)."""
    dst.mkdir()
    files = storage.index_files(src)
    for entry in os.scandir(src):
        name = entry.name
        if name not in files:
            continue
        try:
            os.link(entry.path, dst / name)
        except OSError:
            shutil.copy2(entry.path, dst / name)


# ---------------------------------------------------------------------------
# Housekeeping


def remove_leftovers(index_dir: Path) -> list[Path]:
    """Remove temporary build directories and generations that were never published.

    Only called under the lock, so nothing found here is still being written.
    """
    removed = []
    live = storage.current_generation(index_dir)
    for entry in os.scandir(index_dir):
        path = Path(entry.path)
        unpublished = (
            (number := storage.generation_number(entry.name)) is not None
            and live is not None
            and number > live.number
        )
        if entry.is_dir(follow_symlinks=False) and (entry.name.startswith(storage.TMP_PREFIX) or unpublished):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif entry.name.startswith(f".{storage.CURRENT}.") or entry.name.endswith(".tmp"):
            try:
                os.unlink(path)
            except OSError:
                pass
    return removed


def remove_old_generations(index_dir: Path, grace: float) -> list[Path]:
    """Delete generations that no reader can still be using.

    A server switches to a new generation on its next request, so a generation
    superseded more than ``grace`` seconds ago is no longer read. The time a
    generation was superseded is when its successor's directory was published
    (its mtime, set by the rename).
    """
    live = storage.current_generation(index_dir)
    if live is None:
        return []
    gens = [g for g in storage.list_generations(index_dir) if g.number <= live.number]
    removed = []
    now = time.time()
    for older, newer in zip(gens, gens[1:]):
        try:
            superseded_at = newer.path.stat().st_mtime
        except FileNotFoundError:
            continue
        if now - superseded_at >= grace:
            shutil.rmtree(older.path, ignore_errors=True)
            removed.append(older.path)
    return removed
