"""Each segment's postings again, as flat arrays in a file beside it, for queries to read cheaply.

Whoosh keeps a term's postings in pickled, zlib-compressed blocks of 128, found through
an on-disk hash table. Reading a common word in the seven fields a query searches costs
milliseconds at 1,000 posts and ten times that at 10,000 (the profiles of issue 6):
unpickling and inflating block after block. So when a segment is written, every term of
its scorable fields is also written, with every occurrence of it, into ``<segment id>.spx``
beside the segment's own files (Whoosh deletes it with them when the segment is merged
away); Whoosh keeps the postings without their occurrences, which are kept only here (see
:mod:`searchsvc.codec`)::

    b"SSVPOSTS" | header length (8 bytes, little-endian) | header (JSON) | arrays

The header gives, per field, the number of terms and postings and where each array
starts (8-byte aligned):

- ``keys``: uint64, ascending: the first 8 bytes of BLAKE2b of each term's bytes;
- ``starts``: int64, one more than the terms: term i's postings are ``starts[i]:starts[i+1]``;
- ``ids``: int32, each term's document numbers in the segment, ascending;
- ``weights``: what Whoosh's postings give as the weight (the term frequency), as float32
  when every weight survives that exactly (always: Whoosh keeps them as float32), else
  float64;

and, for a field that keeps positions (Whoosh's Positions and Characters formats: title,
description, headings, body, code, tags, author), every occurrence of every posting, for
phrases and highlighting:

- ``bounds``: one more than the postings: posting j's occurrences are ``bounds[j]:bounds[j+1]``;
- ``positions``: each occurrence's word position (uint16 when every position of the field
  in the file is below 65,536, else uint32: ``positions_dtype``);
- ``chars``: uint32, its first character (0 where the field keeps no characters);
- ``lengths``: its length in characters (uint8 when every one fits, else uint16, else
  uint32: ``lengths_dtype``; 0 where the field keeps no characters).

Terms are found by key (two terms of one field with the same key, one chance in 2**64 per
pair, make the writer key the whole file with a ``salt`` that the header gives). A server
reads the header and keys of a segment once, then a few ``os.pread`` per term: no file
position is shared between threads or forked processes, and nothing is mapped, so a file
truncated under a running server is an error to answer, not a crash. Every segment has its
file (or its share of a group file): this is the one place queries read postings from.

The segments a full build writes side by side share one such file instead,
``<first segment id>.spg`` (:func:`combine`): the same arrays for all their posts, which a
query reads in one lookup per term while they lead the index in that order (the header's
``segments`` names them). Should a merge take one of them, :func:`split` gives the others
their own files back.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
import struct
import weakref
from dataclasses import dataclass
from array import array
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from .schema import COUNT_SIZE
from .storage import DamagedFile, SegmentFile, SegmentFiles, segment_readers

MAGIC = b"SSVPOSTS"
SUFFIX = "spx"
GROUP_SUFFIX = "spg"
_HEADER = struct.Struct("<8sQ")
_STARTS = np.dtype("<i8")
_IDS = np.dtype("<i4")
_KEYS = np.dtype("<u8")
_OCC = np.dtype("<u4")


class DamagedPostings(DamagedFile):
    """A postings file is not what its header says (cut short, or overwritten)."""


def term_key(text: bytes, salt: int = 0) -> int:
    """The 64-bit key a term is found by. Two terms of a field with the same key (one chance
    in 2**64 per pair) make the writer choose another ``salt`` for the whole file."""
    if not salt:
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8, salt=salt.to_bytes(16, "little")).digest(), "little")


def _keyed(fields: list[tuple[str, "FieldPostings"]]) -> tuple[int, list[np.ndarray]]:
    """The first salt under which every field's terms have distinct keys (almost always 0),
    and each field's keys under it."""
    for salt in itertools.count():
        keys = [np.array([term_key(t, salt) for t in field.terms], dtype=_KEYS) for _, field in fields]
        if all(_distinct(k) for k in keys):
            return salt, keys
    raise AssertionError("unreachable")


def _distinct(keys: np.ndarray) -> bool:
    keys = np.sort(keys)
    return len(keys) < 2 or bool((keys[1:] != keys[:-1]).all())


def group_file_name(first_segment_id: str) -> str:
    """``MAIN_<id>.spg``: the postings of a run of segments (see :func:`combine`), named after
    the first, so that Whoosh's clean-up removes it with that segment."""
    return f"{first_segment_id}.{GROUP_SUFFIX}"


def file_name(segment_id: str) -> str:
    """``MAIN_<id>.spx``: named like the segment's own files (Whoosh's segment ids carry the
    index name), so Whoosh's clean-up removes it with them."""
    return f"{segment_id}.{SUFFIX}"


# ---------------------------------------------------------------------------
# Writing


@dataclass
class FieldPostings:
    """One field's postings in a segment, term after term: the postings of ``terms[i]`` are
    ``ids[starts[i]:starts[i + 1]]`` with their ``weights``."""

    terms: list[bytes]
    starts: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    #: For a field that keeps character offsets (Whoosh's Characters format): how many
    #: occurrences each posting has, and Whoosh's codes of all of them, three numbers each
    #: (position delta, start delta from the previous end, length), as Whoosh encodes them.
    counts: np.ndarray | None = None
    codes: np.ndarray | None = None


class Recorder:
    """Keeps the postings of some fields as Whoosh writes them into a segment.

    Whoosh hands its field writer every posting of a new segment, sorted by field and
    term, as (field, term, document, weight, value): :meth:`tee` keeps a copy of those of
    ``fieldnames`` and passes them on, the value (the occurrences) emptied for a field whose
    occurrences it keeps: this file is then the only place they are. That costs a fraction
    of a second per 1,000 posts, where reading the segment back afterwards cost seconds (a
    block of postings decoded per term).
    """

    def __init__(self, fieldnames: Iterable[str], chars_fields: Iterable[str] = (), positions_fields: Iterable[str] = ()):
        self.fieldnames = frozenset(fieldnames)
        #: Fields whose postings values are Whoosh's Characters or Positions: their
        #: occurrences are kept too (with characters for the first).
        self.decoders = {name: _positions for name in positions_fields if name in self.fieldnames}
        self.decoders.update({name: _characters for name in chars_fields if name in self.fieldnames})
        self._fields: dict[str, tuple[list[bytes], list[int], list[int], list[float], array, array]] = {}

    def tee(self, items: Iterable[tuple], schema: Any = None) -> Iterator[tuple]:
        """Keep ``items`` and pass them on. A field whose format (in ``schema``) has an
        ``occurrence_codes(value)`` method gives its occurrences' numbers as int32 bytes,
        copied as they are (see :class:`searchsvc.schema.CharacterPostings`); any other
        value is Whoosh's, unpickled."""
        wanted = self.fieldnames
        lastfield = lasttext = None
        terms: list[bytes] = []
        starts: list[int] = []
        ids: list[int] = []
        weights: list[float] = []
        counts = array("i")
        codes = array("i")
        decode = None
        for item in items:
            fieldname, text, docnum, weight, value = item
            if fieldname in wanted and docnum >= 0:  # -1: a word for Whoosh's spelling graph
                if fieldname != lastfield:
                    terms, starts, ids, weights, counts, codes = self._fields.setdefault(
                        fieldname, ([], [], [], [], array("i"), array("i"))
                    )
                    lastfield, lasttext = fieldname, None
                    decode = self.decoders.get(fieldname)
                    packed = None
                    if decode is not None and schema is not None and fieldname in schema:
                        packed = getattr(schema[fieldname].format, "occurrence_codes", None)
                if text != lasttext:
                    terms.append(text)
                    starts.append(len(ids))
                    lasttext = text
                ids.append(docnum)
                weights.append(weight)
                if decode is not None:
                    if packed is not None:
                        numbers = packed(value)
                        counts.append(len(numbers) // _OCCURRENCE_BYTES)
                        codes.frombytes(numbers)
                    else:
                        found = decode(value)
                        counts.append(len(found))
                        codes.extend(itertools.chain.from_iterable(found))
                    # Whoosh keeps the posting without its occurrences: they are kept here
                    # only (read back by the codec's terms reader when Whoosh asks).
                    yield fieldname, text, docnum, weight, b""
                    continue
            yield item

    def fields(self) -> Iterator[tuple[str, FieldPostings]]:
        for name, (terms, starts, ids, weights, counts, codes) in self._fields.items():
            occurrences = name in self.decoders
            yield name, FieldPostings(
                terms,
                np.array(starts + [len(ids)], dtype=_STARTS),
                np.array(ids, dtype=_IDS),
                # Whoosh keeps weights as float32 (array("f")), inlined postings too.
                np.array(weights, dtype=np.float32),
                np.frombuffer(counts, dtype=np.int32).astype(np.int64) if occurrences else None,
                np.frombuffer(codes, dtype=np.int32).astype(np.int64).reshape(-1, 3) if occurrences else None,
            )


#: Bytes of one occurrence in a value of :class:`searchsvc.schema.CharacterPostings`: three int32.
_OCCURRENCE_BYTES = 3 * array("i").itemsize


def _codes(value: bytes | None) -> list:
    """The pickled list after the count in a Positions or Characters posting value."""
    if not value:
        return []
    return pickle.loads(value[COUNT_SIZE:] if value.endswith(b".") else value[COUNT_SIZE:] + b".")


def _characters(value: bytes | None) -> list[tuple[int, int, int]]:
    """Whoosh's codes of one Characters posting value: (position delta, start delta, length)
    per occurrence (see whoosh.formats.Characters.decode_characters)."""
    return _codes(value)


def _positions(value: bytes | None) -> list[tuple[int, int, int]]:
    """A Positions posting value as (position delta, 0, 0) per occurrence (no characters kept)."""
    return [(delta, 0, 0) for delta in _codes(value)]


def _decode_occurrences(counts: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, starts, lengths) of every occurrence, from Whoosh's per-posting deltas.

    Within a posting, position = the sum of the position deltas so far, and start = the
    sum of start deltas and lengths so far, less its own length; each posting counts
    from 0 again.

    >>> _decode_occurrences(np.array([2, 1]), np.array([[3, 0, 4], [2, 5, 3], [1, 2, 2]]))[0].tolist()
    [3, 5, 1]
    """
    if not len(codes):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))

    def running(values: np.ndarray) -> np.ndarray:
        total = np.cumsum(values)
        before = np.concatenate(([0], total))[firsts]
        return total - np.repeat(before, counts)

    lengths = codes[:, 2]
    return running(codes[:, 0]), running(codes[:, 1] + lengths) - lengths, lengths


def write(path: str, fields: Iterable[tuple[str, FieldPostings]]) -> None:
    """Write the postings of ``fields`` to ``path``, each field's terms ordered by key.

    The file is written under a temporary name and renamed, so a reader never sees a
    part of it (the generation it belongs to is not published before either).
    """
    fields = [(name, field) for name, field in fields if field.terms]
    salt, all_keys = _keyed(fields)
    layout = _Layout(salt=salt) if salt else _Layout()
    for (name, field), keys in zip(fields, all_keys):
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        # The postings regrouped in key order, in one gather.
        counts = np.diff(field.starts)[order]
        starts = np.concatenate(([0], np.cumsum(counts))).astype(_STARTS)
        gather = np.repeat(field.starts[:-1][order] - starts[:-1], counts) + np.arange(starts[-1])
        weights = field.weights[gather].astype(np.float64)
        narrow = weights.astype(np.float32)
        if np.array_equal(narrow.astype(np.float64), weights):
            weights = narrow
        entry = layout.field(name, keys, starts, field.ids[gather].astype(_IDS), weights)
        if field.codes is not None:
            layout.occurrences(entry, *_occurrences_in_order(field, gather))
    layout.write(path)


class _Layout:
    """The header and arrays of a postings file being written: each array is placed after
    the one before (8-byte aligned), given as an array or as (dtype, length, a function
    that makes it), so that a large one is made only when its turn to be written comes."""

    def __init__(self, **header: Any):
        self.header: dict[str, Any] = {**header, "fields": {}}
        self._parts: list[tuple[int, Any]] = []
        self._size = 0

    def place(self, part: np.ndarray | tuple[np.dtype, int, Any]) -> int:
        at = self._size
        nbytes = part.nbytes if isinstance(part, np.ndarray) else np.dtype(part[0]).itemsize * part[1]
        self._parts.append((nbytes, part))
        self._size += nbytes + (-nbytes % 8)
        return at

    def field(self, name: str, keys: np.ndarray, starts: np.ndarray, ids: Any, weights: Any) -> dict[str, Any]:
        """Place one field's terms and postings (``ids`` and ``weights`` as arrays or lazily)."""
        weights_dtype = np.dtype(weights.dtype if isinstance(weights, np.ndarray) else weights[0])
        entry = self.header["fields"][name] = {
            "terms": len(keys),
            "postings": int(starts[-1]),
            "keys": self.place(keys.astype(_KEYS)),
            "starts": self.place(starts.astype(_STARTS)),
            "ids": self.place(ids),
            "weights": self.place(_little(weights)),
            "weights_dtype": weights_dtype.newbyteorder("<").str,
        }
        return entry

    def occurrences(self, entry: dict[str, Any], bounds: Any, positions: Any, chars: Any, lengths: Any) -> None:
        """Place the occurrences of the field of ``entry`` (arrays, or lazily)."""
        dtypes = [np.dtype(a.dtype if isinstance(a, np.ndarray) else a[0]) for a in (bounds, lengths, positions)]
        entry.update({
            "occurrences": len(positions) if isinstance(positions, np.ndarray) else positions[1],
            "bounds": self.place(bounds),
            "positions": self.place(_little(positions)),
            "chars": self.place(chars),
            "lengths": self.place(_little(lengths)),
            "lengths_dtype": dtypes[1].newbyteorder("<").str,
            "bounds_dtype": dtypes[0].str,
            "positions_dtype": dtypes[2].newbyteorder("<").str,
        })

    def write(self, path: str) -> None:
        """The file: magic, header, arrays; under a temporary name, synced, then renamed."""
        head = json.dumps(self.header, separators=(",", ":")).encode("utf-8")
        head += b" " * (-(len(head) + _HEADER.size) % 8)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "wb") as out:
                out.write(_HEADER.pack(MAGIC, len(head)))
                out.write(head)
                for nbytes, part in self._parts:
                    if not isinstance(part, np.ndarray):
                        dtype, length, make = part
                        part = np.ascontiguousarray(make(), dtype=np.dtype(dtype))
                        if part.nbytes != nbytes:
                            raise AssertionError(f"{path}: an array came out {part.nbytes} bytes long, not {nbytes}.")
                    out.write(memoryview(part).cast("B"))
                    out.write(b"\0" * (-nbytes % 8))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def _little(part: Any) -> Any:
    """``part`` (an array, or (dtype, length, make)) as little-endian."""
    if isinstance(part, np.ndarray):
        return part.astype(part.dtype.newbyteorder("<"))
    dtype, length, make = part
    return (np.dtype(dtype).newbyteorder("<"), length, make)


def combine(root: str, segments: Sequence[tuple[str, int]]) -> str | None:
    """One postings file for a run of consecutive segments (``(segment id, post count)``
    each, in the index's order), their posts numbered on from the first segment's first post;
    the segments' own files are then removed (:func:`split` gives them back).

    Returns the new file's path; None, with nothing written or removed, when the segments'
    files key their terms with different salts (see :func:`term_key`; one chance in 2**64).
    """
    paths = [os.path.join(root, file_name(segment_id)) for segment_id, _ in segments]
    files = [SegmentPostings(path) for path in paths]
    try:
        salts = {f.salt for f in files}
        if len(salts) > 1:
            return None
        salt = salts.pop()
        layout = _Layout(segments=[[segment_id, int(count)] for segment_id, count in segments])
        if salt:
            layout.header["salt"] = salt
        firsts = np.cumsum([0] + [int(count) for _, count in segments[:-1]])
        names = list(dict.fromkeys(name for f in files for name in f.fields))
        for name in names:
            _combine_field(layout, name, [_Whole(f, f.fields.get(name)) for f in files], firsts)
        path = os.path.join(root, group_file_name(segments[0][0]))
        layout.write(path)
    finally:
        for f in files:
            f.close()
    for own in paths:
        os.unlink(own)
    return path


def split(root: str, group_path: str, segment_ids: Iterable[str]) -> None:
    """Give each of ``segment_ids``, segments the group file at ``group_path`` holds (see
    :func:`combine`), its own postings file again, the posts numbered from 0."""
    wanted = set(segment_ids)
    group = SegmentPostings(group_path)
    try:
        first = 0
        for segment_id, count in group.segments or ():
            if segment_id in wanted:
                layout = _Layout(salt=group.salt) if group.salt else _Layout()
                for name, field in group.fields.items():
                    _split_field(layout, name, _Whole(group, field), first, first + count)
                layout.write(os.path.join(root, file_name(segment_id)))
            first += count
    finally:
        group.close()


class _Whole:
    """One field of one postings file, its arrays read whole (to combine or split files);
    empty where the file has no such field."""

    def __init__(self, f: "SegmentPostings", field: "_Field | None"):
        self.f, self.field = f, field
        self.keys = field.keys if field else np.zeros(0, dtype=_KEYS)
        self.postings = field.postings if field else 0
        #: None when the field keeps no occurrences.
        self.occurrences = field.occurrences if field else 0
        self.weights_dtype = field.weights_dtype if field else np.dtype("<f4")
        self.lengths_dtype = field.lengths_dtype if field and field.occurrences is not None else np.dtype("<u1")
        self.positions_dtype = field.positions_dtype if field and field.occurrences is not None else np.dtype("<u2")

    def _get(self, attr: str, count: int, dtype: np.dtype) -> np.ndarray:
        if self.field is None:
            return np.zeros(count, dtype=dtype)
        return self.f._array(getattr(self.field, attr), count, dtype)

    def starts(self) -> np.ndarray:
        return self._get("starts", len(self.keys) + 1, _STARTS).astype(np.int64)

    def ids(self) -> np.ndarray:
        return self._get("ids", self.postings, _IDS).astype(np.int64)

    def weights(self) -> np.ndarray:
        return self._get("weights", self.postings, self.weights_dtype)

    def bounds(self) -> np.ndarray:
        dtype = self.field.bounds_dtype if self.field else _OCC
        return self._get("bounds", self.postings + 1, dtype).astype(np.int64)

    def occurrence(self, attr: str) -> np.ndarray:
        dtype = {"lengths": self.lengths_dtype, "positions": self.positions_dtype}.get(attr, _OCC)
        return self._get(attr, self.occurrences or 0, dtype)


class WholeField:
    """Every occurrence of one field of a postings file, read at once: for Whoosh merging a
    segment, which asks for the occurrences of every term of the field one after another
    (see :mod:`searchsvc.codec`); a read per term would cost ten times as much."""

    @staticmethod
    def size(f: "SegmentPostings", fieldname: str) -> int:
        """Bytes the field's arrays take in memory once read whole (0 without occurrences)."""
        field = f.fields.get(fieldname)
        if field is None or field.occurrences is None:
            return 0
        per_posting = 8 + 8  # ids and bounds, as int64
        per_occurrence = field.positions_dtype.itemsize + 4 + field.lengths_dtype.itemsize
        return field.postings * per_posting + field.occurrences * per_occurrence + len(field.keys) * 16

    def __init__(self, f: "SegmentPostings", fieldname: str):
        whole = _Whole(f, f.fields.get(fieldname))
        if whole.occurrences is None:
            raise DamagedPostings(f"{f.path} keeps no occurrences of the field {fieldname!r}.")
        self.salt = f.salt
        self.keys = whole.keys
        self.starts = whole.starts()
        self.ids = whole.ids()
        self.bounds = whole.bounds()
        self.positions = whole.occurrence("positions")
        self.chars = whole.occurrence("chars")
        self.lengths = whole.occurrence("lengths")
        if not (len(self.bounds) and self.bounds[0] == 0 and (np.diff(self.bounds) >= 0).all()
                and self.bounds[-1] == len(self.positions)):
            raise DamagedPostings(f"{f.path} is damaged (a term's occurrences are out of bounds).")

    def term(self, text: bytes) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
        """The term's posts, each post's first occurrence (and one past the last), and every
        occurrence's position, first character and end, as lists; all empty when absent
        (:func:`term_occurrences` reads the same from the file, term by term)."""
        key = term_key(text, self.salt)
        i = int(self.keys.searchsorted(np.uint64(key)))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return [], [0], [], [], []
        lo, hi = int(self.starts[i]), int(self.starts[i + 1])
        bounds = self.bounds[lo : hi + 1]
        first, end = int(bounds[0]), int(bounds[-1])
        starts = self.chars[first:end].astype(np.int64)
        return (self.ids[lo:hi].tolist(), (bounds - first).tolist(), self.positions[first:end].tolist(),
                starts.tolist(), (starts + self.lengths[first:end]).tolist())


def term_occurrences(f: "SegmentPostings", fieldname: str,
                     text: bytes) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """:meth:`WholeField.term`, read from the file for this one term."""
    found = f.occurrences(fieldname, f.key(text))
    if found is None:
        raise DamagedPostings(f"{f.path} keeps no occurrences of the field {fieldname!r}.")
    posts, firsts = np.unique(found.ids, return_index=True)
    bounds = np.append(firsts, len(found.ids))
    return (posts.tolist(), bounds.tolist(), found.positions.tolist(), found.starts.tolist(),
            found.ends.tolist())


def _combine_field(layout: "_Layout", name: str, parts: list[_Whole], firsts: np.ndarray) -> None:
    """Place field ``name`` of several segments' files as one: a term's postings are those of
    the first segment, then the second's (numbered on), and so on."""
    keys = np.concatenate([part.keys for part in parts])
    if not len(keys):
        return
    term_starts = [part.starts() for part in parts]
    posting_firsts = np.cumsum([0] + [part.postings for part in parts[:-1]])
    # Terms by key, then by segment: equal keys are one term.
    source = np.concatenate([np.full(len(part.keys), k) for k, part in enumerate(parts)])
    order = np.lexsort((source, keys))
    keys = keys[order]
    new_term = np.concatenate(([True], keys[1:] != keys[:-1]))
    counts = np.concatenate([np.diff(s) for s in term_starts])[order]
    gather = ranges(np.concatenate([s[:-1] + posting_firsts[k] for k, s in enumerate(term_starts)])[order], counts)
    per_term = np.add.reduceat(counts, np.flatnonzero(new_term))
    starts = np.concatenate(([0], np.cumsum(per_term)))
    total = int(starts[-1])
    weights_dtype = np.dtype(np.float64 if any(p.weights_dtype.itemsize > 4 for p in parts) else np.float32)

    def ids() -> np.ndarray:
        return np.concatenate([part.ids() + firsts[k] for k, part in enumerate(parts)])[gather]

    def weights() -> np.ndarray:
        return np.concatenate([part.weights().astype(weights_dtype) for part in parts])[gather]

    entry = layout.field(name, keys[new_term], starts, (_IDS, total, ids), (weights_dtype, total, weights))
    if any(part.occurrences is None for part in parts):
        return
    bounds = [part.bounds() for part in parts]
    occurrence_firsts = np.cumsum([0] + [part.occurrences for part in parts[:-1]])
    occ_counts = np.concatenate([np.diff(b) for b in bounds])[gather]
    occ_starts = np.concatenate([b[:-1] + occurrence_firsts[k] for k, b in enumerate(bounds)])[gather]
    taken: list[np.ndarray] = []

    def occurrences(attr: str) -> np.ndarray:
        if not taken:
            taken.append(ranges(occ_starts, occ_counts))
        return np.concatenate([part.occurrence(attr) for part in parts])[taken[0]]

    _place_occurrences(layout, entry, occ_counts, occurrences, _widest(p.lengths_dtype for p in parts),
                       _widest(p.positions_dtype for p in parts))


def _split_field(layout: "_Layout", name: str, whole: _Whole, lo: int, hi: int) -> None:
    """Place the postings of field ``name`` of posts ``lo`` to ``hi - 1``, numbered from 0."""
    ids = whole.ids()
    inside = (ids >= lo) & (ids < hi)
    running = np.concatenate(([0], np.cumsum(inside)))
    term_starts = whole.starts()
    per_term = running[term_starts[1:]] - running[term_starts[:-1]]
    kept = per_term > 0
    if not kept.any():
        return
    starts = np.concatenate(([0], np.cumsum(per_term[kept])))
    entry = layout.field(name, whole.keys[kept], starts, (ids[inside] - lo).astype(_IDS), whole.weights()[inside])
    if whole.occurrences is None:
        return
    occ_counts = np.diff(whole.bounds())
    chosen = np.repeat(inside, occ_counts)
    _place_occurrences(layout, entry, occ_counts[inside], lambda attr: whole.occurrence(attr)[chosen], whole.lengths_dtype,
                       whole.positions_dtype)


def _widest(dtypes: Iterable[np.dtype]) -> np.dtype:
    """The widest of some unsigned little-endian dtypes."""
    return max(dtypes, key=lambda dtype: dtype.itemsize)


def _narrowest(values: np.ndarray, widths: Sequence[type] = (np.uint8, np.uint16, np.uint32)) -> np.dtype:
    """The narrowest of ``widths`` (unsigned) that holds every one of ``values``."""
    top = int(values.max()) if len(values) else 0
    for width in widths:
        if top <= np.iinfo(width).max:
            return np.dtype(width).newbyteorder("<")
    raise ValueError(f"{top} does not fit in 32 bits.")


def _place_occurrences(layout: "_Layout", entry: dict[str, Any], counts: np.ndarray, make: Any,
                       lengths_dtype: np.dtype, positions_dtype: np.dtype) -> None:
    """Place the occurrences of ``entry``'s field: ``counts`` per posting, and each array
    (``"positions"``, ``"chars"``, ``"lengths"``) made by ``make(name)`` when its turn comes."""
    bounds = np.concatenate(([0], np.cumsum(counts)))
    total = int(bounds[-1])
    layout.occurrences(
        entry,
        bounds.astype(_OCC if total < 2**32 else _STARTS),
        (positions_dtype, total, lambda: make("positions")),
        (_OCC, total, lambda: make("chars")),
        (lengths_dtype, total, lambda: make("lengths")),
    )


def _occurrences_in_order(field: FieldPostings, gather: np.ndarray):
    """(bounds, positions, starts, lengths) of a field's occurrences, posting after posting in
    the order ``gather`` puts the postings in: posting i's are ``bounds[i]:bounds[i + 1]``."""
    counts = field.counts
    positions, starts, lengths = _decode_occurrences(counts, field.codes)
    old_bounds = np.concatenate(([0], np.cumsum(counts)))
    new_counts = counts[gather]
    bounds = np.concatenate(([0], np.cumsum(new_counts)))
    order = np.repeat(old_bounds[:-1][gather] - bounds[:-1], new_counts) + np.arange(bounds[-1])
    return (
        bounds.astype(_OCC if bounds[-1] < 2**32 else _STARTS),
        positions[order].astype(_narrowest(positions, (np.uint16, np.uint32))),
        starts[order].astype(_OCC),
        lengths[order].astype(_narrowest(lengths)),
    )


# ---------------------------------------------------------------------------
# Reading


class _Field:
    __slots__ = ("keys", "starts", "ids", "weights", "weights_dtype", "no_weights", "postings",
                 "occurrences", "bounds", "bounds_dtype", "positions", "positions_dtype", "chars", "lengths",
                 "lengths_dtype")

    def __init__(self, keys: np.ndarray, entry: dict[str, Any]):
        self.keys = keys
        self.starts = int(entry["starts"])
        self.ids = int(entry["ids"])
        self.weights = int(entry["weights"])
        self.weights_dtype = np.dtype(entry["weights_dtype"])
        self.no_weights = np.zeros(0, dtype=self.weights_dtype)
        self.no_weights.flags.writeable = False
        self.postings = int(entry["postings"])
        #: The number of occurrences, or None when the field keeps none.
        self.occurrences = int(entry["occurrences"]) if "occurrences" in entry else None
        if self.occurrences is not None:
            self.bounds = int(entry["bounds"])
            self.positions = int(entry["positions"])
            self.chars = int(entry["chars"])
            self.lengths = int(entry["lengths"])
            self.lengths_dtype = np.dtype(entry["lengths_dtype"])
            self.positions_dtype = np.dtype(entry["positions_dtype"])
            self.bounds_dtype = np.dtype(entry["bounds_dtype"])


@dataclass(frozen=True)
class Found:
    """Occurrences of one term in one segment: post ``ids[i]`` has it at word ``positions[i]``,
    characters ``starts[i]:ends[i]``; in post order, then text order."""

    ids: np.ndarray
    positions: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


#: Posts of one term whose occurrences are read one post at a time; for more, the whole
#: stretch of the file between the first and the last is read at once.
FEW_POSTS = 32
#: Occurrences between the first and the last wanted that are read at once anyway: fewer
#: than this, one read of the stretch costs less than a read per post (three system calls each).
NEAR_OCCURRENCES = 4096


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The numbers ``starts[i] .. starts[i] + counts[i] - 1`` for each i, one after the other.

    >>> ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    if len(starts) == 1:  # one post's occurrences, the commonest case: a fifth of the time
        first = int(starts[0])
        return np.arange(first, first + int(counts[0]))
    total = int(counts.sum())
    before = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.repeat(starts - before, counts) + np.arange(total)


_EMPTY_OCC = np.zeros(0, dtype=_OCC)
_NO_IDS = np.zeros(0, dtype=_IDS)
_NO_IDS.flags.writeable = False  # shared, like the read-only arrays read from files
_NOTHING = Found(*(np.zeros(0, dtype=np.int64) for _ in range(4)))


class SegmentPostings(SegmentFile):
    """One segment's postings file, open for reading (thread-safe: only ``os.pread``)."""

    Damaged = DamagedPostings

    def __init__(self, path: str):
        super().__init__(path)
        try:
            magic, length = _HEADER.unpack(self._read(0, _HEADER.size))
            if magic != MAGIC:
                raise DamagedPostings(f"{path} is not a searchsvc postings file.")
            try:
                header = json.loads(self._read(_HEADER.size, length))
                self._base = _HEADER.size + length
                self.fields: dict[str, _Field] = {
                    name: _Field(self._array(int(entry["keys"]), int(entry["terms"]), _KEYS), entry)
                    for name, entry in header["fields"].items()
                }
                #: The salt of the terms' keys (see :func:`term_key`).
                self.salt = int(header.get("salt", 0))
                #: For the file of a run of segments (see :func:`combine`): their (id, post count).
                self.segments: list[tuple[str, int]] | None = (
                    [(str(sid), int(count)) for sid, count in header["segments"]] if "segments" in header else None
                )
            except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                raise DamagedPostings(f"The header of {path} cannot be read.") from None
        except BaseException:
            self.close()
            raise

    def key(self, text: bytes) -> int:
        """The key ``text`` is found by in this file."""
        return term_key(text, self.salt)

    def has(self, fieldname: str) -> bool:
        return fieldname in self.fields

    def has_occurrences(self, fieldname: str) -> bool:
        field = self.fields.get(fieldname)
        return field is not None and field.occurrences is not None

    def postings(self, fieldname: str, key: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(ids, weights) of the term with ``key`` in ``fieldname`` (empty when absent), or None
        when this file does not have the field."""
        field = self.fields.get(fieldname)
        if field is None:
            return None
        start, end = self._extent(field, key)
        if start == end:  # most words of a query are absent from most fields of a small segment
            return _NO_IDS, field.no_weights
        ids = self._array(field.ids + 4 * start, end - start, _IDS)
        weights = self._array(field.weights + field.weights_dtype.itemsize * start, end - start, field.weights_dtype)
        return ids, weights

    def occurrences(self, fieldname: str, key: int, docnums: np.ndarray | None = None, *,
                    chars: bool = True, positions: bool = True) -> Found | None:
        """Every occurrence of the term with ``key`` in ``fieldname``, or only in ``docnums``
        (the segment's, ascending); None when this file keeps no occurrences of the field.
        Without ``chars``, only their posts and positions (``starts``/``ends`` are empty):
        what a phrase needs, a third of the reading. Without ``positions``, only their posts
        and characters (``positions`` is empty): what highlighting needs."""
        field = self.fields.get(fieldname)
        if field is None or field.occurrences is None:
            return None
        start, end = self._extent(field, key)
        if start == end:
            return _NOTHING
        ids = self._array(field.ids + 4 * start, end - start, _IDS)
        bounds = self._array(field.bounds + field.bounds_dtype.itemsize * start, end - start + 1, field.bounds_dtype)
        bounds = bounds.astype(np.int64)
        if not (0 <= bounds[0] and (bounds[1:] >= bounds[:-1]).all() and bounds[-1] <= field.occurrences):
            raise DamagedPostings(f"{self.path} is damaged (a term's occurrences are out of bounds).")
        if docnums is None:
            chosen = np.arange(len(ids))
        else:
            at = np.searchsorted(ids, docnums)
            inside = at < len(ids)
            at = at[inside]
            chosen = at[ids[at] == docnums[inside]]
        if not len(chosen):
            return _NOTHING
        counts = bounds[chosen + 1] - bounds[chosen]
        lo, hi = int(bounds[chosen[0]]), int(bounds[chosen[-1] + 1])
        if len(chosen) <= FEW_POSTS and docnums is not None and hi - lo > NEAR_OCCURRENCES:
            parts = [self._stretch(field, int(bounds[k]), int(bounds[k + 1]), chars, positions) for k in chosen.tolist()]
            at, starts, lengths = (np.concatenate(p) for p in zip(*parts))
        else:
            at, starts, lengths = self._stretch(field, lo, hi, chars, positions)
            if len(chosen) < len(ids):
                keep = ranges(bounds[chosen] - lo, counts)
                if positions:
                    at = at[keep]
                if chars:
                    starts, lengths = starts[keep], lengths[keep]
        starts = starts.astype(np.int64)
        return Found(np.repeat(ids[chosen], counts), at.astype(np.int32), starts, starts + lengths)

    def _stretch(self, field: _Field, lo: int, hi: int, chars: bool = True,
                 positions: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions, starts, lengths) of occurrences ``lo:hi`` of a field (without
        ``chars``, starts and lengths are empty; without ``positions``, positions are)."""
        n = hi - lo
        at = self._array(field.positions + field.positions_dtype.itemsize * lo, n, field.positions_dtype) if positions else _EMPTY_OCC
        if not chars:
            return at, _EMPTY_OCC, _EMPTY_OCC
        return (
            at,
            self._array(field.chars + 4 * lo, n, _OCC),
            self._array(field.lengths + field.lengths_dtype.itemsize * lo, n, field.lengths_dtype),
        )

    def _extent(self, field: _Field, key: int) -> tuple[int, int]:
        """Where the postings of the term with ``key`` are, as (first, end); (0, 0) when absent."""
        keys = field.keys
        # As a uint64: with a Python int, NumPy compares as objects (15 µs at 1,000 posts'
        # terms, 150 µs at 200,000 terms, per lookup), with this, a binary search (1 µs).
        i = int(keys.searchsorted(np.uint64(key)))
        if i >= len(keys) or int(keys[i]) != key:
            return 0, 0
        start, end = (int(v) for v in self._array(field.starts + 8 * i, 2, _STARTS))
        if not 0 <= start <= end <= field.postings:
            raise DamagedPostings(f"{self.path} is damaged (a term's postings are out of bounds).")
        return start, end

    def _array(self, offset: int, count: int, dtype: np.dtype) -> np.ndarray:
        """``count`` values of ``dtype`` at ``offset`` past the header."""
        return np.frombuffer(self._read(self._base + offset, count * dtype.itemsize), dtype=dtype)


def segment_file(root: str, segment_id: str) -> tuple[SegmentPostings, int]:
    """The file that holds a segment's postings, opened, and the segment's first post in it:
    its own file, else the group file whose header names it (see :func:`combine`).

    :raise DamagedPostings: when neither is there.
    """
    own = os.path.join(root, file_name(segment_id))
    if os.path.exists(own):
        return SegmentPostings(own), 0
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if not entry.name.endswith(f".{GROUP_SUFFIX}"):
            continue
        group = SegmentPostings(entry.path)
        first = 0
        for member, count in group.segments or ():
            if member == segment_id:
                return group, first
            first += count
        group.close()
    raise DamagedPostings(f"The postings file of segment {segment_id} in {root} is missing; "
                          f"run `searchsvc reindex --full`.")


class Part(NamedTuple):
    """Where the postings of some of an index's posts are: ``file``, for posts ``offset`` to
    ``offset + count - 1``, which the file numbers from 0."""

    file: SegmentPostings
    offset: int
    count: int


class GenerationPostings(SegmentFiles):
    """The postings files of one generation's segments, opened on first use."""

    def __init__(self, root: str):
        super().__init__(root, file_name, SegmentPostings)
        self._groups = SegmentFiles(root, group_file_name, SegmentPostings, required=False)
        self._parts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def parts(self, reader) -> list[Part]:
        """Where the postings of all of ``reader``'s posts are, in order.

        The segments a full build wrote side by side have one file for all of them (see
        :func:`combine`), read in one go while they are still the first segments of the
        index, in the same order; every other segment, its own file.

        :raise DamagedFile: when a segment has no postings file.
        """
        found = self._parts.get(reader)
        if found is None:
            found = self._find_parts(reader)
            with self._lock:
                self._parts[reader] = found
        return found

    def _find_parts(self, reader) -> list[Part]:
        leaves = segment_readers(reader)
        out: list[Part] = []
        group = self._groups.of(leaves[0][0]) if leaves else None
        if group is not None and group.segments:
            run = leaves[: len(group.segments)]
            mine = [(sub.segment().segment_id(), sub.doc_count_all()) for sub, _ in run]
            if len(run) > 1 and mine == group.segments:
                out.append(Part(group, 0, sum(count for _, count in mine)))
                leaves = leaves[len(run):]
        for sub, offset in leaves:
            out.append(Part(self.of(sub), offset, sub.doc_count_all()))
        return out
