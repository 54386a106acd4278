"""Each segment's stored fields and field lengths, one LZ4 record per post, in a file beside it.

Whoosh keeps a post's stored fields pickled and zlib-compressed, and its field lengths in
columns that its public API reads one post at a time. Inflating a post of 10 KB costs
about 100 µs, so the ten posts of a page cost a millisecond of every new query; reading
the lengths of every post one call at a time costs a second per field at 10,000 posts.
So as Whoosh writes a segment, the codec (:mod:`searchsvc.codec`) writes its stored fields
here instead, into ``<segment id>.sdx`` beside the segment's own files (Whoosh deletes it
with them when the segment is merged away)::

    b"SSVDOCS3" | records | lengths | offsets | count | offsets' place | b"SSVDOCS3"

Record ``i`` (``i < count``) is post ``i``'s stored-fields dict, pickled, then compressed
as one LZ4 block (high compression, its size first: ``lz4.block``): 4 µs to inflate a post
where zlib took 50 and unpickling takes 9; the records are 57% of their pickled size.
Record ``count`` is the field lengths, likewise: a pickled dict of field name -> ``count``
bytes, each post's length of that field as Whoosh stores it for scoring (one byte,
:func:`whoosh.util.numeric.length_to_byte`).
Record ``i`` is ``offsets[i]:offsets[i+1]`` of the file (``offsets``: ``count + 2``
little-endian int64; ``count`` and the offsets' place: 8 bytes each, little-endian).
This is the only copy of the stored values: Whoosh keeps the field lengths, and reads a
post's stored fields from here (the codec's per-document reader), merging segments too.

A server reads the footer and offsets of a segment once, then one ``os.pread`` per post:
no file position is shared between threads or forked processes, and a file cut short
under a running server is an error to answer, not a crash.
"""

from __future__ import annotations

import os
import pickle
import struct
from array import array
from typing import Any, Iterable

from whoosh.util.numeric import byte_to_length, length_to_byte

import lz4.block
import numpy as np

from .storage import DamagedFile, SegmentFile, SegmentFiles, segment_readers

MAGIC = b"SSVDOCS3"
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
    :meth:`publish` gives it its name, :meth:`discard` removes it."""

    def __init__(self, path: str, fields: Iterable[str] = ()):
        self.path = path
        self._tmp = f"{path}.tmp-{os.getpid()}"
        self._out = open(self._tmp, "wb", buffering=1 << 20)
        self._out.write(MAGIC)
        self._offsets = array("q", [len(MAGIC)])
        self._lengths: dict[str, array] = {name: array("B") for name in fields}
        self.finished = False

    @property
    def count(self) -> int:
        return len(self._offsets) - 1

    def add(self, docnum: int, fields: dict[str, Any], lengths: dict[str, int] | None = None) -> None:
        """Post ``docnum``'s stored fields and field lengths (posts come in document order, from 0)."""
        if docnum != self.count:
            raise ValueError(f"Post {docnum} was stored after {self.count} posts; posts must come in order.")
        self._record(fields)
        lengths = lengths or {}
        for name, column in self._lengths.items():
            column.append(length_to_byte(lengths.get(name, 0)))

    def _record(self, value: Any) -> None:
        data = lz4.block.compress(pickle.dumps(value, protocol=PROTOCOL), mode="high_compression")
        self._out.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def finish(self) -> None:
        """Write the lengths, offsets and footer and flush to disk (still under a temporary
        name: :meth:`publish` gives the file its name, :meth:`discard` removes it)."""
        if self.finished:
            return
        count = self.count
        self._record({name: column.tobytes() for name, column in self._lengths.items()})
        offsets = np.frombuffer(self._offsets, dtype=np.int64).astype(_OFFSETS)
        self._out.write(offsets.tobytes())
        self._out.write(_FOOTER.pack(count, self._offsets[-1], MAGIC))
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        self.finished = True

    def publish(self) -> None:
        """Give the finished file its name."""
        self.finish()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        """Remove the file unless it was published (a cancelled writer, or one that failed)."""
        self._out.close()
        try:
            os.unlink(self._tmp)
        except OSError:
            pass


#: LZ4 inflates a block at most 255 times (its longest match run): a record claiming more is damaged.
_MAX_RATIO = 255


def _inflate(record: bytes) -> bytes:
    """A record's pickled bytes; ValueError when its stored size cannot be its own (a damaged
    size would otherwise make LZ4 allocate whatever it says)."""
    size = int.from_bytes(record[:4], "little")
    if len(record) < 4 or size > _MAX_RATIO * len(record) + 64:
        raise ValueError("not an LZ4 record")
    return lz4.block.decompress(record)


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
            if at + (count + 2) * _OFFSETS.itemsize + _FOOTER.size != size:
                raise DamagedDocuments(f"{path} is not as long as its footer says (cut short or overwritten?).")
            offsets = np.frombuffer(self._read(at, (count + 2) * _OFFSETS.itemsize), dtype=_OFFSETS)
            if offsets[0] != len(MAGIC) or offsets[-1] != at or (np.diff(offsets) < 0).any():
                raise DamagedDocuments(f"The offsets of {path} are out of order.")
        except BaseException:
            self.close()
            raise
        self.count = int(count)
        self._offsets = offsets
        self._lengths: dict[str, np.ndarray] | None = None

    def fields(self, docnum: int) -> dict[str, Any]:
        """Post ``docnum``'s stored fields (the segment's document number)."""
        if not 0 <= docnum < self.count:
            raise IndexError(f"{self.path} has no post {docnum}; it has {self.count}.")
        start, end = int(self._offsets[docnum]), int(self._offsets[docnum + 1])
        try:
            fields = pickle.loads(_inflate(self._read(start, end - start)))
        except DamagedDocuments:
            raise
        except Exception:  # a damaged record can fail to unpickle in many ways
            raise DamagedDocuments(f"Post {docnum} of {self.path} cannot be read.") from None
        if not isinstance(fields, dict):
            raise DamagedDocuments(f"Post {docnum} of {self.path} cannot be read.")
        return fields

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each post's length byte of ``fieldname`` (zeros for a field the segment does not keep)."""
        if self._lengths is None:
            start, end = int(self._offsets[self.count]), int(self._offsets[self.count + 1])
            try:
                found = pickle.loads(_inflate(self._read(start, end - start)))
                lengths = {str(k): np.frombuffer(v, dtype=np.uint8) for k, v in found.items()}
            except DamagedDocuments:
                raise
            except Exception:
                raise DamagedDocuments(f"The field lengths of {self.path} cannot be read.") from None
            if any(len(v) != self.count for v in lengths.values()):
                raise DamagedDocuments(f"The field lengths of {self.path} do not match its posts.")
            self._lengths = lengths
        found = self._lengths.get(fieldname)
        return found if found is not None else np.zeros(self.count, dtype=np.uint8)


class GenerationDocuments(SegmentFiles):
    """The stored-fields files of one generation's segments, opened on first use."""

    def __init__(self, root: str):
        super().__init__(root, file_name, SegmentDocuments)

    def fields(self, reader, docnum: int) -> dict[str, Any]:
        """Post ``docnum``'s stored fields (``reader``'s document number), from its segment's file."""
        for sub, offset in reversed(segment_readers(reader)):
            if docnum >= offset:
                return self.of(sub).fields(docnum - offset)
        raise IndexError(f"There is no post {docnum}.")

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        """Every post's length of ``fieldname`` as Whoosh's scorer sees it (1 where a post has none)."""
        out = np.ones(reader.doc_count_all(), dtype=np.float64)
        for sub, offset in segment_readers(reader):
            found = self.of(sub).lengths(fieldname)
            out[offset : offset + len(found)] = np.where(found > 0, _BYTE_TO_LENGTH[found], 1)
        return out

    def holders(self, reader, fieldname: str) -> int:
        """How many posts have ``fieldname`` (deleted ones too, as Whoosh's lengths count them)."""
        return sum(int(np.count_nonzero(self.of(sub).lengths(fieldname))) for sub, _ in segment_readers(reader))


#: Whoosh's field length of each length byte.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
