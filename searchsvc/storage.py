"""The index directory on disk: generations, the CURRENT pointer, the manifest.

Layout of ``index_dir``::

    CURRENT -> gen-000012      symbolic link, swapped atomically by os.replace()
    gen-000012/                one complete Whoosh index plus searchsvc.json and posts.json
    gen-000011/                superseded; kept for a grace period, then deleted
    tmp-<pid>-<random>/        a build in progress (leftovers are removed by the next run)
    reindex.lock               held with flock() by the one running reindex

A reader resolves CURRENT once per request and uses that one generation for the
whole request, so it never sees a half-built index or a mix of two. The writer
never changes a published generation: it builds the next one beside it.
"""

from __future__ import annotations

import json
import os
import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import orjson

CURRENT = "CURRENT"
MANIFEST = "searchsvc.json"
#: The indexer's record of every post (hash, size, times, title...), for the next incremental
#: run. Apart from the manifest so that a server, which needs none of it, never parses it
#: (about 20 MB of memory per process at 10,000 posts).
POSTS = "posts.json"
LOCK = "reindex.lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = "tmp-"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")


class IndexUnavailable(Exception):
    """There is no usable index; the message says what to do about it."""


@dataclass(frozen=True)
class Generation:
    number: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def generation_name(number: int) -> str:
    return f"{GEN_PREFIX}{number:06d}"


def generation_number(name: str) -> int | None:
    m = _GEN_RE.match(name)
    return int(m.group(1)) if m else None


def current_name(index_dir: Path) -> str | None:
    """The directory name CURRENT points at, or None when nothing is published.

    One ``readlink`` system call: cheap enough to run on every request.
    """
    try:
        return os.readlink(index_dir / CURRENT)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return None


def current_generation(index_dir: Path) -> Generation | None:
    name = current_name(index_dir)
    if name is None:
        return None
    number = generation_number(name)
    if number is None:
        return None
    return Generation(number, index_dir / name)


def list_generations(index_dir: Path) -> list[Generation]:
    """Every generation directory, oldest first."""
    try:
        names = os.listdir(index_dir)
    except FileNotFoundError:
        return []
    gens = [Generation(n, index_dir / name) for name in names if (n := generation_number(name)) is not None]
    return sorted(gens, key=lambda g: g.number)


def read_manifest(gen_path: Path, *, posts: bool = False) -> dict[str, Any]:
    """The manifest of one generation, with its record of posts under "posts" when ``posts``;
    IndexUnavailable when missing or damaged."""
    data = _read_json(gen_path, MANIFEST)
    if posts and "posts" not in data:  # (manifests of schema 6 and before hold them)
        data["posts"] = _read_json(gen_path, POSTS)
    if posts and not isinstance(data.get("posts"), dict):
        raise IndexUnavailable(f"The index at {gen_path} is damaged; run `searchsvc reindex --full`.")
    return data


def titles_of(posts: dict[str, dict[str, Any]]) -> list[list[str]]:
    """[title, url] of every post in a record of posts that can be found (the manifest's "titles")."""
    return [[e["title"], e.get("url", "")] for e in posts.values() if not e.get("hidden") and e.get("title")]


def _read_json(gen_path: Path, name: str) -> dict[str, Any]:
    try:
        with open(gen_path / name, "rb") as fh:
            raw = fh.read()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:  # written by the standard library (see write_json_atomic)
            data = json.loads(raw.decode("utf-8", "surrogatepass"))
    except FileNotFoundError:
        raise IndexUnavailable(
            f"The index at {gen_path} has no {name}; run `searchsvc reindex --full`."
        ) from None
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(
            f"The index at {gen_path} is damaged ({exc}); run `searchsvc reindex --full`."
        ) from None
    if not isinstance(data, dict):
        raise IndexUnavailable(f"The index at {gen_path} is damaged; run `searchsvc reindex --full`.")
    return data


def index_files(gen_path: Path) -> dict[str, int]:
    """The size of every Whoosh file of a generation (not the manifest, not lock files)."""
    return {
        entry.name: entry.stat(follow_symlinks=False).st_size
        for entry in os.scandir(gen_path)
        if entry.is_file(follow_symlinks=False) and entry.name != MANIFEST and not entry.name.endswith("LOCK")
    }


def damage(gen_path: Path, manifest: dict[str, Any]) -> str | None:
    """What is wrong with a generation's files against its manifest (a sentence), or None.

    A file missing, or of another size than when it was written, means the index was
    damaged after it was published. (Manifests written before sizes were recorded pass.)
    """
    expected = manifest.get("files")
    if not isinstance(expected, dict):
        return None
    for name, size in sorted(expected.items()):
        try:
            actual = os.stat(gen_path / name).st_size
        except OSError:
            return f"The index file {gen_path / name} is missing; run `searchsvc reindex --full`."
        if actual != size:
            return f"The index file {gen_path / name} has {actual} bytes instead of {size}; run `searchsvc reindex --full`."
    return None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # orjson: the record of a 10,000-post blog in a few milliseconds (json: about half a
        # second, paid by every incremental run).
        encoded = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # what orjson refuses (a lone surrogate, say), as the standard library writes it
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    with open(tmp, "wb") as fh:
        fh.write(encoded)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush the files written in one directory (not recursive), then the directory itself.

    Files with more than one link were linked from an earlier generation, which
    flushed them when it was written; they are not flushed again.
    """
    for entry in os.scandir(path):
        if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    fsync_dir(path)


def publish(index_dir: Path, gen_name: str) -> None:
    """Point CURRENT at ``gen_name`` in one atomic step."""
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    try:
        tmp_link.unlink()
    except FileNotFoundError:
        pass
    os.symlink(gen_name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)
    fsync_dir(index_dir)


class DamagedFile(ValueError):
    """A file searchsvc keeps beside a segment is not what it says it is (cut short, or overwritten)."""


class SegmentFile:
    """A file searchsvc keeps beside a segment, open for reading with ``os.pread`` only: no
    file position shared between threads or forked processes, nothing mapped, so a file cut
    short under a running server is an error to answer, not a crash."""

    #: What a damaged file of this kind raises (a subclass of DamagedFile).
    Damaged: type[DamagedFile] = DamagedFile

    def __init__(self, path: str):
        self.path = path
        fd = os.open(path, os.O_RDONLY)
        self._fd = fd
        self._closer = weakref.finalize(self, os.close, fd)

    def close(self) -> None:
        self._closer()

    def _read(self, offset: int, size: int) -> bytes:
        data = os.pread(self._fd, size, offset)
        if len(data) != size:
            raise self.Damaged(f"{self.path} is shorter than it says it is (cut short?).")
        return data


def segment_readers(reader) -> list[tuple[Any, int]]:
    """(segment reader, number of its first post) of each segment ``reader`` reads; none for
    an index without posts, where Whoosh gives one reader of no segment."""
    return [(sub, offset) for sub, offset in reader.leaf_readers() if sub.segment() is not None]


class SegmentFiles:
    """The files searchsvc keeps beside each segment of one generation, named
    ``file_name(segment id)``, each opened on first use with ``opener(path)`` and kept open.
    Every segment has both: one that lacks one is damaged (:class:`DamagedFile`)."""

    def __init__(self, root: str, file_name: Callable[[str], str], opener: Callable[[str], Any],
                 required: bool = True):
        self.root = root
        #: False for a kind of file only some segments have: ``of`` then gives None where it is absent.
        self.required = required
        self._file_name = file_name
        self._opener = opener
        self._open: dict[str, Any] = {}
        self._lock = threading.Lock()

    def of(self, reader) -> Any:
        """The file of the segment ``reader`` (a Whoosh segment reader) reads.

        :raise DamagedFile: when the segment has no such file.
        """
        segment_id = reader.segment().segment_id()
        found = self._open.get(segment_id, False)
        if found is not False:
            return found
        with self._lock:
            found = self._open.get(segment_id, False)
            if found is False:
                path = os.path.join(self.root, self._file_name(segment_id))
                if not os.path.exists(path):
                    if not self.required:
                        self._open[segment_id] = None
                        return None
                    raise DamagedFile(f"{path} is missing; run `searchsvc reindex --full`.")
                found = self._opener(path)
                self._open[segment_id] = found
        return found
