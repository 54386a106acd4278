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
import gc
import hashlib
import json
import multiprocessing
import os
import secrets
import signal
import shutil
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import MERGE_SMALL, SegmentWriter

from . import postings, sites, storage
from .codec import Codec
from .config import Settings
from .cache import ExtractCache
from .extract import Extracted, extract
from .languages import lower_dotted
from .posts import Post, PostError, discover, load_bytes, parse_post
from .sites import Site
from .schema import ANALYSIS_VERSION, SCHEMA_VERSION, analysing, build_schema, title_analyzer, title_key

#: Wraps the iterator of changed posts being prepared (given its length), e.g. with a progress bar.
Progress = Callable[[Iterable[Any], int], Iterable[Any]]

#: Below this many changed posts, worker processes cost more than they save.
PARALLEL_THRESHOLD = 64

#: While a reindex runs, Python's cycle collector starts after this many new container
#: objects instead of its default 700. Each post's HTML tree (BeautifulSoup's, whose
#: elements point to each other) is freed only by that collector, and a tree being built
#: is still alive when it runs: at 700, a full build spent a quarter of its CPU time in
#: collections (13 of 53 s in one process), at 50,000 a twentieth, with no higher peak.
COLLECT_AFTER = 50_000


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
    #: Why the run rebuilt everything ("" for an incremental run).
    full_reason: str = ""
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    hidden: list[Skipped] = field(default_factory=list)
    #: Posts indexed with something set aside (a language code nobody knows).
    warnings: list[Skipped] = field(default_factory=list)
    #: Posts per language (code -> count).
    languages: dict[str, int] = field(default_factory=dict)
    #: The site's generator, why it was chosen, and what of its configuration could not be read.
    site: dict[str, Any] = field(default_factory=dict)
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
def _headings_analyzer():
    return title_analyzer()


def _query_words(text: str) -> str:
    """A heading's words as a query analyses them in the headings field (kept so that searches need not)."""
    return " ".join(t.text for t in _headings_analyzer()(text, mode="query"))


def post_document(post: Post, cache: ExtractCache | None = None) -> dict[str, Any]:
    """The Whoosh document for one post (plain text only; HTML is made at the edge); with a
    ``cache``, what extraction makes of its Markdown is taken from there when it has it.

    Its text is analysed in the post's language: add it to a writer inside
    ``schema.analysing(document["lang"])``.
    """
    with analysing(post.lang):
        return _document(post, cache)


def _extracted(post: Post, cache: ExtractCache | None) -> Extracted:
    mdx = post.path.endswith(".mdx")
    if cache is None:
        return extract(post.body, mdx=mdx)
    key = cache.key(post.body, mdx)
    found = cache.get(key)
    if found is None:
        found = extract(post.body, mdx=mdx)
        cache.put(key, found)
    return found


def _document(post: Post, cache: ExtractCache | None = None) -> dict[str, Any]:
    extracted = _extracted(post, cache)
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
    spelling = "\n".join([post.title, headings, " ".join(post.tags), post.description])
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
        # Did-you-mean vocabulary: the words of titles, headings, tags and descriptions,
        # and those that folding changes as written.
        "spelling": spelling,
        "written": spelling,
        "reading_minutes": post.reading_minutes,
        "lang": post.lang,
        "meta": {
            "lang": post.lang,
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
    :raise ReindexError: when the content directory cannot be read, or a worker process
        stopped abruptly (the live index is kept).
    """
    started = time.monotonic()
    index_dir = settings.index_dir
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReindexError(f"Cannot create the index directory {index_dir}: {exc.strerror}.") from None
    with reindex_lock(index_dir, settings.lock_timeout), collecting_less():
        remove_leftovers(index_dir)
        summary = _reindex_locked(settings, full=full, progress=progress, workers=workers)
        remove_old_generations(index_dir, settings.generation_grace)
        # What extraction made of posts that are gone goes too (room for each post twice:
        # a post and its last edit).
        if summary.full or summary.added or summary.updated:
            ExtractCache(index_dir).prune(keep=2 * (summary.total + len(summary.hidden)) + 100)
    summary.seconds = time.monotonic() - started
    return summary


def prepare(relpath: str, data: bytes, settings: Settings, site: Site | None = None) -> tuple:
    """One file's bytes -> ("post", slug, tags, document, warnings), ("hidden", reason) or ("error", reason).

    Pure, so it can run in worker processes.
    """
    try:
        post = parse_post(relpath, data, settings, site)
    except PostError as exc:
        return ("error", _reason(exc))
    if post.hidden:
        return ("hidden", post.hidden)
    try:
        document = post_document(post, ExtractCache(settings.index_dir))
    except Exception as exc:  # extraction is total by design; this is the last line of defence
        return ("error", f"could not be extracted ({type(exc).__name__}: {exc})")
    return ("post", post.slug, list(post.tags), document, list(post.warnings))


def _prepare_one(args: tuple[str, str, bytes, tuple[int, int], Settings, Site]) -> tuple[str, str, tuple[int, int], tuple]:
    relpath, digest, data, stat, settings, site = args
    return relpath, digest, stat, prepare(relpath, data, settings, site)


def _prepare_all(pending: list[tuple[str, str, bytes, tuple[int, int]]], settings: Settings, site: Site,
                 workers: int):
    """Prepare changed posts in order, in worker processes when there are many."""
    jobs = [(relpath, digest, data, stat, settings, site) for relpath, digest, data, stat in pending]
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        yield from map(_prepare_one, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
        yield from pool.map(_prepare_one, jobs, chunksize=8)


def _index_in_segments(index_path: Path, pending: list[tuple[str, str, bytes, tuple[int, int]]], settings: Settings,
                       site: Site, workers: int, folders: list[str]):
    """Full build: prepare and index the posts in segments written side by side; yield the prepared posts in order.

    Analysing and writing postings cost as much as preparing, so each worker process
    does all three for one run of consecutive posts and writes one segment, in an index
    of its own (see :func:`_build_segment`): both cores stay busy to the end, and
    documents keep the numbers a single writer would give them. Each finished index's
    folder is appended to ``folders``. Every "post" is indexed, even one whose slug is
    taken: the caller removes those (see :func:`_combine_segments`).
    """
    parallel = workers > 1 and len(pending) >= PARALLEL_THRESHOLD
    jobs = [(index_path, chunk, settings, site) for chunk in _chunks(pending, workers if parallel else 1)]
    if not parallel:
        for results, folder in map(_build_segment, jobs):
            folders.extend([folder] if folder else [])
            yield from results
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context, initializer=_start_worker) as pool:
        for results, folder in pool.map(_build_segment, jobs):
            folders.extend([folder] if folder else [])
            yield from results


#: The work of indexing a post besides its text (reading its frontmatter, making and adding
#: its document), counted as this many bytes of Markdown: 1.3-2.3 ms a post against about
#: 1 µs a byte on the machine of the benchmarks.
POST_COST_BYTES = 2048


def _chunks(items: list[tuple[str, str, bytes, tuple[int, int]]], count: int) -> list[list]:
    """``items`` cut into at most ``count`` runs of consecutive items with about as much work
    each (see :data:`POST_COST_BYTES`)."""
    total = sum(len(item[2]) + POST_COST_BYTES for item in items) or 1
    chunks: list[list] = [[] for _ in range(count)]
    done = 0
    for item in items:
        chunks[min(count - 1, done * count // total)].append(item)
        done += len(item[2]) + POST_COST_BYTES
    return [chunk for chunk in chunks if chunk]


def _build_segment(job: tuple[Path, list[tuple[str, str, bytes, tuple[int, int]]], Settings, Site]) -> tuple[list, str | None]:
    """Prepare and index one run of posts into an index of its own in a new folder of ``job[0]``.

    Returns the prepared posts, each document cut to what the manifest needs (the rest
    is in the segment already), and the folder's name, or None when no post was indexed.
    The caller moves the folder's one segment into the index (see :func:`_gather_segments`).
    """
    index_path, chunk, settings, site = job
    folder = index_path / f"{storage.TMP_PREFIX}part-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = writer_for(ix, limitmb=256)
    results = []
    try:
        for relpath, digest, data, stat in chunk:
            prepared = prepare(relpath, data, settings, site)
            if prepared[0] == "post":
                _, slug, tags, document, warnings = prepared
                with analysing(document["lang"]):
                    writer.add_document(**document)
                prepared = ("post", slug, tags, {"url": document["url"], "meta": document["meta"]}, warnings)
            results.append((relpath, digest, stat, prepared))
    except BaseException:
        writer.cancel()
        raise
    if not writer.doc_count():
        writer.cancel()
        return results, None
    commit(writer, merge=False)
    return results, folder.name


def writer_for(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A Whoosh writer for ``ix`` whose codec also writes searchsvc's postings and
    stored-fields files beside every segment it writes (see :mod:`searchsvc.codec`).

    Never a compound segment: assembling one would swallow those two files into it."""
    return ix.writer(codec=Codec(ix.schema), compound=False, **kwargs)


def commit(writer: SegmentWriter, **kwargs: Any) -> None:
    """``writer.commit(**kwargs)``. Should it fail (a merge that meets a damaged postings
    file), the writer is cancelled, so that its files and its lock go, and the error raised."""
    try:
        writer.commit(**kwargs)
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # the first error is the one to report
            pass
        raise


def _gather_segments(ix: Any, folders: list[str]) -> list[Segment]:
    """Move the one segment of each index in ``folders`` (written by :func:`_build_segment`,
    beside ``ix``) into ``ix``'s folder, in order, and return them; the folders go."""
    root = Path(ix.storage.folder)
    segments: list[Segment] = []
    for name in folders:
        folder = root / name
        toc = whoosh_index.TOC.read(FileStorage(str(folder)), ix.indexname)
        for segment in toc.segments:
            prefix = f"{segment.segment_id()}."
            for entry in os.scandir(folder):
                if entry.name.startswith(prefix):
                    os.rename(entry.path, root / entry.name)
            segments.append(segment)
        shutil.rmtree(folder)
    return segments


def _combine_segments(ix: Any, segments: list[Segment], duplicates: list[str]) -> None:
    """Publish the segments as one index (in order), without the posts in ``duplicates``;
    with one postings file for all the segments (see :func:`postings.combine`)."""
    generation = ix.latest_generation() + 1
    whoosh_index.TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    whoosh_index.clean_files(ix.storage, ix.indexname, generation, segments)  # e.g. an empty segment's files
    if duplicates:
        writer = writer_for(ix)
        for relpath in duplicates:
            writer.delete_by_term("path", relpath)
        # Merged, so the removed posts also leave the term statistics that ranking uses.
        commit(writer, optimize=True)
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


def _collect_less() -> tuple[int, ...]:
    """Start Python's cycle collector less often (see :data:`COLLECT_AFTER`); return the
    thresholds it had."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(COLLECT_AFTER, thresholds[0]), *thresholds[1:])
    return thresholds


@contextmanager
def collecting_less() -> Iterator[None]:
    """Python's cycle collector started less often inside the block, as it was after."""
    thresholds = _collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _start_worker() -> None:
    """A worker process's set-up: it collects cycles less often, as its parent does while
    reindexing, never among what it has imported (which lives as long as it does: the
    collector went over it at each of its full passes), and ends when the reindex that
    started it is killed."""
    _collect_less()
    gc.freeze()
    _die_with_parent()


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


@dataclass(frozen=True)
class Plan:
    """What a run does with each post file, decided from the file system alone."""

    #: Files whose size and modification time are as recorded: their entries are kept as they are.
    keep: tuple[str, ...]
    #: Files to read and hash: new, changed, or modified too close to the last scan to tell.
    read: tuple[str, ...]


def plan(files: Iterable[tuple[str, tuple[int, int] | None]], old_posts: dict[str, dict[str, Any]],
         racy_after: int) -> Plan:
    """Which of ``files`` ((relative path, (size, mtime_ns) or None)) must be read. Pure.

    A file is kept when the live index recorded the same size and modification time, and
    it was not modified around the last scan (git's "racy" rule: see :data:`RACY_NS`).
    """
    keep: list[str] = []
    read: list[str] = []
    for relpath, stat in files:
        old = old_posts.get(relpath)
        if old is not None and stat is not None and _same_stat(old, stat, racy_after):
            keep.append(relpath)
        else:
            read.append(relpath)
    return Plan(tuple(keep), tuple(read))


@dataclass
class _Previous:
    """What the live index holds, and why this run must rebuild everything (None: it need not)."""

    live: storage.Generation | None
    posts: dict[str, dict[str, Any]]
    scanned_at_ns: int | None
    full_reason: str | None


def _scan(settings: Settings) -> tuple[list[Path], list[Any], Site]:
    """Step 1: the post files of the content folder, the errors met walking it, and the site
    (a generator's site root: only the files it publishes as posts; see searchsvc.sites).

    :raise ReindexError: when the folder is missing or cannot be read, or the site's
        configuration cannot be parsed.
    """
    content_dir = settings.content_dir
    if not content_dir.is_dir():
        raise ReindexError(
            f"The content directory {content_dir} does not exist or is not a directory; the existing index is kept."
        )
    try:
        site = sites.detect(content_dir, settings.generator)
    except sites.SiteError as exc:
        raise ReindexError(f"The site's configuration cannot be read: {exc} The existing index is kept.") from None
    except OSError as exc:
        raise ReindexError(f"The site's configuration cannot be read: {exc}; the existing index is kept.") from None
    try:
        files, errors = discover(content_dir)
        if site.is_generator:
            relpaths = [f.relative_to(content_dir).as_posix() for f in files]
            chosen = set(site.select(relpaths))
            errors += [PostError(r, reason) for r in relpaths if r not in chosen and (reason := site.rejected(r))]
            files = [f for f, r in zip(files, relpaths) if r in chosen]
        return files, errors, site
    except PostError as exc:
        raise ReindexError(f"{exc}; the existing index is kept.") from None
    except OSError as exc:
        raise ReindexError(f"Cannot read the content directory {content_dir}: {exc.strerror}; the existing index is kept.") from None


def _site_settings(settings: Settings, site: Site) -> Settings:
    """The settings posts are read with: the site's language and time zone where the
    environment leaves the defaults."""
    changes: dict[str, Any] = {}
    if site.language and settings.language == "en" and site.language != "en":
        changes["language"] = site.language
    declared = site.config.get("languages") if site.generator == "hugo" else None
    if declared and not settings.languages:
        changes["languages"] = tuple(declared)  # Hugo's "name.fr.md" files
    zone = site.config.get("timezone") if site.generator in ("jekyll", "hexo", "pelican") else None
    if zone and settings.timezone == "UTC":
        try:
            return settings.replace(timezone=zone, **changes)
        except ValueError:
            pass
    return settings.replace(**changes) if changes else settings


def _fingerprint(settings: Settings, site: Site) -> str:
    """The settings and the site configuration that decide what is indexed (see
    Settings.extraction_fingerprint): when they change, the next run rebuilds in full."""
    site_part = json.dumps([site.generator, site.language, site.config, site.authors], sort_keys=True, default=str)
    return hashlib.sha256((settings.extraction_fingerprint() + site_part).encode()).hexdigest()[:16]


def _previous(settings: Settings, full: bool, site: Site | None = None) -> _Previous:
    """The live generation's record of posts, unless it cannot be built on."""
    live = storage.current_generation(settings.index_dir)
    if live is None:
        return _Previous(None, {}, None, "no index yet")
    if full:
        return _Previous(live, {}, None, "asked for")
    try:
        manifest = storage.read_manifest(live.path, posts=True)
    except storage.IndexUnavailable:
        return _Previous(live, {}, None, "the live index cannot be read")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        return _Previous(live, {}, None, f"the index is in format {version} of an earlier release; this one writes {SCHEMA_VERSION}")
    if manifest.get("analysis_version", 1) != ANALYSIS_VERSION:
        return _Previous(live, {}, None, "this release analyses text differently from the one that built the index")
    if manifest.get("fingerprint") != _fingerprint(settings, site or Site()):
        return _Previous(live, {}, None, "the settings that decide what is indexed changed")
    if not whoosh_index.exists_in(str(live.path)):
        return _Previous(live, {}, None, "the live index cannot be read")
    return _Previous(live, manifest["posts"], manifest.get("scanned_at_ns"), None)


def _read(path: Path, relpath: str, stat: tuple[int, int] | None, old: dict[str, Any] | None,
          settings: Settings, summary: ReindexSummary):
    """Step 2b: read and hash a file the plan could not keep. Returns its entry when its
    content is as recorded (only its time changed), (digest, data, stat) for a new or
    changed one, and None for a file that cannot be read (a skipped post)."""
    try:
        data = load_bytes(path, settings)
    except PostError as exc:
        summary.skipped.append(Skipped(relpath, exc.reason))
        return None
    digest = hashlib.sha256(data).hexdigest()[:32]
    stat = stat or (0, 0)
    if old is not None and old.get("hash") == digest:
        return {**old, "size": stat[0], "mtime_ns": stat[1]}
    return digest, data, stat


def _reindex_locked(settings: Settings, *, full: bool, progress: Progress | None, workers: int) -> ReindexSummary:
    """Scan, plan, build, publish."""
    index_dir = settings.index_dir
    content_dir = settings.content_dir
    files, walk_errors, site = _scan(settings)
    settings = _site_settings(settings, site)
    previous = _previous(settings, full, site)
    full = previous.full_reason is not None
    old_posts = previous.posts
    summary = ReindexSummary(full=full, full_reason=previous.full_reason or "", site=site.to_dict())
    summary.skipped.extend(Skipped(e.path, e.reason) for e in walk_errors)
    scanned_at = time.time_ns()

    # Step 2: plan from sizes and times; read only what the plan could not keep.
    stats = {path.relative_to(content_dir).as_posix(): _stat(path) for path in files}
    decided = plan(stats.items(), old_posts, (previous.scanned_at_ns or 0) - RACY_NS)
    keep = set(decided.keep)
    new_posts: dict[str, dict[str, Any]] = {}
    slug_owner: dict[str, str] = {}
    # Slugs of unchanged posts are taken first, so a changed post cannot steal one.
    pending: list[tuple[str, str, bytes, tuple[int, int]]] = []
    for relpath, stat in stats.items():
        found = old_posts[relpath] if relpath in keep else _read(
            content_dir / relpath, relpath, stat, old_posts.get(relpath), settings, summary)
        if isinstance(found, dict):
            _keep(relpath, found, new_posts, slug_owner, summary)
        elif found is not None:
            pending.append((relpath, *found))

    indexed_before = {p for p, e in old_posts.items() if not e.get("hidden")}
    number = max((g.number for g in storage.list_generations(index_dir)), default=0) + 1
    tmp = index_dir / f"{storage.TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        # Step 3: build the new generation in ``tmp``.
        ix = _build(settings, site, tmp, previous, pending, full, progress, workers, summary, new_posts, slug_owner,
                    indexed_before)
        if ix is None:
            summary.generation = previous.live.number if previous.live else None
            return summary
        # Step 4: publish it.
        _publish(settings, site, tmp, number, new_posts, summary, scanned_at)
    except BrokenProcessPool:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ReindexError(
            "A worker process preparing the posts stopped abruptly (killed, perhaps for want of memory); "
            "the index is unchanged. Run the reindex again."
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.generation = number
    summary.published = True
    return summary


def _build(settings: Settings, site: Site, tmp: Path, previous: _Previous, pending: list, full: bool, progress: Progress | None,
           workers: int, summary: ReindexSummary, new_posts: dict[str, dict[str, Any]], slug_owner: dict[str, str],
           indexed_before: set[str]) -> Any:
    """Step 3: prepare the pending posts and write the new generation's index in ``tmp``:
    in full (side by side segments, see :func:`_index_in_segments`), or as hard links of the
    live one plus a segment of the changed posts. Returns the index, or None when nothing
    changed (``tmp`` is then never made)."""
    folders: list[str] = []  # full: the indexes written by _index_in_segments
    duplicates: list[str] = []  # full: indexed posts whose slug another post has
    to_add: dict[str, dict[str, Any]] = {}  # incremental: relpath -> document
    prepared_posts: Iterable[tuple[str, str, tuple[int, int], tuple]]
    if full:
        tmp.mkdir()
        ix = whoosh_index.create_in(str(tmp), build_schema())
        prepared_posts = _index_in_segments(tmp, pending, settings, site, workers, folders)
    else:
        prepared_posts = _prepare_all(pending, settings, site, workers)
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
        _, slug, tags, document, warnings = prepared
        summary.warnings.extend(Skipped(relpath, w) for w in warnings)
        owner = slug_owner.get(slug)
        if owner is not None:
            summary.skipped.append(Skipped(relpath, f"has the same slug {slug!r} as {owner}; give one of them another slug"))
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
            "lang": meta["lang"],
            **({"warnings": warnings} if warnings else {}),
        }
        if relpath in indexed_before:
            summary.updated += 1
        else:
            summary.added += 1
        if not full:
            to_add[relpath] = document

    indexed_now = {p for p, e in new_posts.items() if not e.get("hidden")}
    removed = indexed_before - indexed_now
    summary.languages = dict(sorted(Counter(new_posts[p].get("lang", "en") for p in indexed_now).items()))
    summary.removed = len(removed)
    summary.total = len(indexed_now)
    summary.skipped.sort(key=lambda s: s.path)
    summary.hidden.sort(key=lambda s: s.path)
    summary.warnings.sort(key=lambda s: s.path)

    if full:
        _combine_segments(ix, _gather_segments(ix, folders), duplicates)
        return ix
    if not summary.changed and new_posts == previous.posts:
        return None
    assert previous.live is not None
    _link_copy(previous.live.path, tmp)
    ix = whoosh_index.open_dir(str(tmp))
    if summary.changed:
        writer = writer_for(ix)
        try:
            for relpath in removed | (set(to_add) & indexed_before):
                writer.delete_by_term("path", relpath)
            for document in to_add.values():
                with analysing(document["lang"]):
                    writer.add_document(**document)
        except BaseException:
            writer.cancel()
            raise
        commit(writer, mergetype=merge_small_in_order)
    return ix


def _publish(settings: Settings, site: Site, tmp: Path, number: int, new_posts: dict[str, dict[str, Any]],
             summary: ReindexSummary, scanned_at: int) -> None:
    """Step 4: write the record of posts and the manifest, flush everything to disk, and
    make the generation the live one by swapping the CURRENT link."""
    index_dir = settings.index_dir
    storage.write_json_atomic(tmp / storage.POSTS, new_posts)
    storage.write_json_atomic(
        tmp / storage.MANIFEST,
        {
            "schema_version": SCHEMA_VERSION,
            "fingerprint": _fingerprint(settings, site),
            "analysis_version": ANALYSIS_VERSION,
            "generation": number,
            "built_at": datetime.now(timezone.utc).isoformat(),
            "scanned_at_ns": scanned_at,
            "content_dir": str(settings.content_dir),
            "post_count": summary.total,
            "languages": summary.languages,
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
    summary.warnings.extend(Skipped(relpath, w) for w in entry.get("warnings", ()))
    if entry.get("hidden"):
        summary.hidden.append(Skipped(relpath, entry["hidden"]))
    else:
        slug_owner[entry["slug"]] = relpath
    summary.unchanged += 1


def _reason(exc: PostError) -> str:
    return f"{exc.reason} (field {exc.field!r})" if exc.field else exc.reason


def _display_names(posts: dict[str, dict[str, Any]], key: str) -> dict[str, str]:
    """Lower-cased tag or author (as the index keys them: a tag as Post.tag_keys) -> the
    spelling shown; the first spelling by path wins."""
    lower = lower_dotted if key == "tags" else str.lower
    names: dict[str, str] = {}
    for relpath in sorted(posts):
        for name in posts[relpath].get(key, ()):
            names.setdefault(lower(name.replace(",", " ")), name)
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
