"""Each segment's stored fields again, one uncompressed record per post, in a file beside it.

Whoosh keeps a post's stored fields pickled and zlib-compressed. Inflating a post of
10 KB costs about 100 µs, so the ten posts of a page cost a millisecond of every new
query (the profiles of issue 6: the largest single cost of a one-word search at 1,000
posts). So as Whoosh stores each post, the segment writer writes the same fields once
more, uncompressed, into ``<segment id>.sdx`` beside the segment's own files (Whoosh
deletes it with them when the segment is merged away)::

    b"SSVDOCS1" | records | offsets | count | offsets' place | b"SSVDOCS1"

Record ``i`` is post ``i``'s stored-fields dict, pickled; it is ``offsets[i]:offsets[i+1]``
of the file (``offsets``: ``count + 1`` little-endian int64; ``count`` and the offsets'
place: 8 bytes each, little-endian). Whoosh's own copy stays: merging segments reads it.

A server reads the footer and offsets of a segment once, then one ``os.pread`` per post:
no file position is shared between threads or forked processes, and a file cut short
under a running server is an error to answer, not a crash. A segment without the file
(an index of schema 8 or before) is read through Whoosh.
"""

from __future__ import annotations

import os
import pickle
import struct
from array import array
from typing import Any

import numpy as np

from .storage import DamagedFile, SegmentFile, SegmentFiles

MAGIC = b"SSVDOCS1"
SUFFIX = "sdx"
_FOOTER = struct.Struct("<QQ8s")
_OFFSETS = np.dtype("<i8")
#: Fixed, so that a file reads the same under every Python that can open the index.
PROTOCOL = 5


class DamagedDocuments(DamagedFile):
    """A stored-fields file is not what its footer says (cut short, or overwritten)."""


def file_name(segment_id: str) -> str:
    """``MAIN_<id>.sdx``: named like the segment's own files, so Whoosh's clean-up removes it with them."""
    return f"{segment_id}.{SUFFIX}"


class Writer:
    """A segment's stored-fields file, written post by post under a temporary name;
    :meth:`finish` gives it its name, :meth:`discard` removes it."""

    def __init__(self, path: str):
        self.path = path
        self._tmp = f"{path}.tmp-{os.getpid()}"
        self._out = open(self._tmp, "wb", buffering=1 << 20)
        self._out.write(MAGIC)
        self._offsets = array("q", [len(MAGIC)])
        self.finished = False

    @property
    def count(self) -> int:
        return len(self._offsets) - 1

    def add(self, docnum: int, fields: dict[str, Any]) -> None:
        """Post ``docnum``'s stored fields (posts come in document order, from 0)."""
        if docnum != self.count:
            raise ValueError(f"Post {docnum} was stored after {self.count} posts; posts must come in order.")
        data = pickle.dumps(fields, protocol=PROTOCOL)
        self._out.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def finish(self, count: int) -> None:
        """Write the offsets and footer, flush to disk, and rename the file to its name."""
        if count != self.count:
            raise ValueError(f"The segment has {count} posts but {self.count} were stored.")
        offsets = np.frombuffer(self._offsets, dtype=np.int64).astype(_OFFSETS)
        self._out.write(offsets.tobytes())
        self._out.write(_FOOTER.pack(count, self._offsets[-1], MAGIC))
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._tmp, self.path)
        self.finished = True

    def discard(self) -> None:
        """Remove the file unless it was finished (a cancelled writer, or one that failed)."""
        if self.finished:
            return
        self._out.close()
        try:
            os.unlink(self._tmp)
        except OSError:
            pass


class SegmentDocuments(SegmentFile):
    """One segment's stored-fields file, open for reading (thread-safe: only ``os.pread``)."""

    Damaged = DamagedDocuments

    def __init__(self, path: str):
        super().__init__(path)
        try:
            size = os.fstat(self._fd).st_size
            if size < len(MAGIC) + _OFFSETS.itemsize + _FOOTER.size:
                raise DamagedDocuments(f"{path} is too short to be a searchsvc stored-fields file.")
            count, at, magic = _FOOTER.unpack(self._read(size - _FOOTER.size, _FOOTER.size))
            if magic != MAGIC or self._read(0, len(MAGIC)) != MAGIC:
                raise DamagedDocuments(f"{path} is not a searchsvc stored-fields file.")
            if at + (count + 1) * _OFFSETS.itemsize + _FOOTER.size != size:
                raise DamagedDocuments(f"{path} is not as long as its footer says (cut short or overwritten?).")
            offsets = np.frombuffer(self._read(at, (count + 1) * _OFFSETS.itemsize), dtype=_OFFSETS)
            if offsets[0] != len(MAGIC) or offsets[-1] != at or (np.diff(offsets) < 0).any():
                raise DamagedDocuments(f"The offsets of {path} are out of order.")
        except BaseException:
            self.close()
            raise
        self.count = int(count)
        self._offsets = offsets

    def fields(self, docnum: int) -> dict[str, Any]:
        """Post ``docnum``'s stored fields (the segment's document number)."""
        if not 0 <= docnum < self.count:
            raise IndexError(f"{self.path} has no post {docnum}; it has {self.count}.")
        start, end = int(self._offsets[docnum]), int(self._offsets[docnum + 1])
        try:
            fields = pickle.loads(self._read(start, end - start))
        except DamagedDocuments:
            raise
        except Exception:  # a damaged record can fail to unpickle in many ways
            raise DamagedDocuments(f"Post {docnum} of {self.path} cannot be read.") from None
        if not isinstance(fields, dict):
            raise DamagedDocuments(f"Post {docnum} of {self.path} cannot be read.")
        return fields


class GenerationDocuments(SegmentFiles):
    """The stored-fields files of one generation's segments, opened on first use."""

    def __init__(self, root: str):
        super().__init__(root, file_name, SegmentDocuments)

    def fields(self, reader, docnum: int) -> dict[str, Any]:
        """Post ``docnum``'s stored fields (``reader``'s document number): from its segment's
        file, or through Whoosh for a segment without one."""
        for sub, offset in reversed(list(reader.leaf_readers())):
            if docnum >= offset:
                own = self.of(sub)
                return own.fields(docnum - offset) if own is not None else sub.stored_fields(docnum - offset)
        raise IndexError(f"There is no post {docnum}.")
