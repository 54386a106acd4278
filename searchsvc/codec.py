"""Whoosh's own codec, with searchsvc's two files beside every segment it writes.

This is the one seam between searchsvc and Whoosh's files, and it is Whoosh's public codec
interface: a :class:`whoosh.codec.base.WrappingCodec` handed to the segment writer
(``ix.writer(codec=Codec(...))``), which each segment it writes then names as its codec
(:meth:`Codec.new_segment`), so that Whoosh also reads the segment through it.

Writing. Every segment Whoosh writes, of new posts or merged from older segments, passes
its postings through the codec's field writer (``FieldWriter.add_postings``) and each
post's stored fields and field lengths through its per-document writer. Ours keep:

- the postings of the scored fields, with every occurrence of a word (position, first
  character, length), written as ``<segment>.spx`` when the segment's postings are
  complete (:mod:`searchsvc.postings`);
- each post's stored fields and field lengths, written as ``<segment>.sdx``
  (:mod:`searchsvc.documents`);

and pass on to Whoosh's own writers the postings without their occurrences (the term,
the post, the weight: what scoring reads) and the field lengths without the stored
fields. Each thing is kept once: Whoosh's files are the index's terms, postings and
statistics; ours are the occurrences and the stored text.

Reading. Whoosh reads a segment through :meth:`Codec.terms_reader` and
:meth:`Codec.per_document_reader`: its own readers, except that a post's stored fields
come from ``<segment>.sdx`` and the value of a posting of a field with occurrences (what
a phrase matcher or a merge asks for) is made again from ``<segment>.spx``, in Whoosh's
own encoding. Queries read our files directly (:mod:`searchsvc.engine`); merging is what
needs the rest.

Both files are named like the segment's own files, so Whoosh's clean-up removes them with
the segment when a merge replaces it.
"""

from __future__ import annotations

import functools
import os
import struct
from typing import Any, Iterable, Iterator

from whoosh.codec import default_codec
from whoosh.codec.base import FieldWriter, PerDocumentWriter, TermsReader, WrappingCodec
from whoosh.codec.whoosh3 import W3PerDocReader, W3Segment
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.formats import Characters, Positions
from whoosh.matching import Matcher, WrappingMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from . import documents, postings


#: A merge reads a field's occurrences whole up to this size in memory (the body of the
#: 1x corpus: 16 MB); a larger one, term by term (ten times slower, memory bounded).
WHOLE_FIELD_BYTES = 64 * 1024 * 1024


def scored_fields(schema: Any) -> list[str]:
    """The fields whose postings queries read from the postings files: the scored ones."""
    return [name for name, fieldtype in schema.items() if fieldtype.scorable]


class Codec(WrappingCodec):
    """Whoosh's default codec, with writers and readers that also use searchsvc's files."""

    def __init__(self, schema: Any = None, *, fields: Iterable[str] = (), chars_fields: Iterable[str] = (),
                 positions_fields: Iterable[str] = ()):
        child = default_codec()
        super().__init__(child)
        self.child = child
        if schema is not None:
            fields = scored_fields(schema)
            chars_fields = [f for f in fields if isinstance(schema[f].format, Characters)]
            positions_fields = [
                f for f in fields if isinstance(schema[f].format, Positions) and f not in chars_fields
            ]
        self.fields = list(fields)
        self.chars_fields = list(chars_fields)
        self.positions_fields = list(positions_fields)
        #: The stored-fields writer of each segment being written, by segment id.
        self.stored: dict[str, _StoredFieldsTee] = {}

    def __reduce__(self):
        # Each segment keeps its codec in the index's table of contents: the field lists,
        # not the writers of a segment being written.
        return (_codec, (self.fields, self.chars_fields, self.positions_fields))

    # -- writing ---------------------------------------------------------

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        """A segment of Whoosh's format that names this codec, so Whoosh reads it through us."""
        return W3Segment(self, indexname)

    def per_document_writer(self, storage: Any, segment: Any) -> PerDocumentWriter:
        path = os.path.join(storage.folder, documents.file_name(segment.segment_id()))
        tee = _StoredFieldsTee(self.child.per_document_writer(storage, segment), path, self.fields)
        self.stored[segment.segment_id()] = tee
        return tee

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        path = os.path.join(storage.folder, postings.file_name(segment.segment_id()))
        recorder = postings.Recorder(self.fields, self.chars_fields, self.positions_fields)
        stored = self.stored.pop(segment.segment_id(), None)
        return _PostingsTee(self.child.field_writer(storage, segment), path, recorder, stored)

    # -- reading ---------------------------------------------------------

    def terms_reader(self, storage: Any, segment: Any) -> TermsReader:
        occurrences = _SegmentOccurrences(storage.folder, segment.segment_id())
        fields = frozenset(self.chars_fields) | frozenset(self.positions_fields)
        return _TermsReader(self.child.terms_reader(storage, segment), occurrences, fields)

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        return _PerDocReader(storage, segment)

    def supports_columns(self) -> bool:
        return self.child.supports_columns()

    def column_filename(self, segment: Any, fieldname: str) -> str:
        return self.child.column_filename(segment, fieldname)


def _codec(fields: list[str], chars_fields: list[str], positions_fields: list[str]) -> Codec:
    """The codec a segment names, as read back from the index's table of contents."""
    return Codec(fields=fields, chars_fields=chars_fields, positions_fields=positions_fields)


class _PerDocReader(W3PerDocReader):
    """Whoosh's per-document reader; a post's stored fields come from the segment's ``.sdx``."""

    def __init__(self, storage: Any, segment: Any):
        super().__init__(storage, segment)
        self.documents_path = os.path.join(storage.folder, documents.file_name(segment.segment_id()))
        self.documents: documents.SegmentDocuments | None = None

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        if self.documents is None:
            self.documents = documents.SegmentDocuments(self.documents_path)
        return self.documents.fields(docnum)

    def close(self) -> None:
        super().close()
        if self.documents is not None:
            self.documents.close()
            self.documents = None


class _SegmentOccurrences:
    """Where one segment's occurrences are: its own ``.spx``, or its share of the ``.spg`` of
    the run of segments a full build wrote (see :func:`postings.combine`); opened on first use."""

    def __init__(self, folder: str, segment_id: str):
        self.folder = folder
        self.segment_id = segment_id
        self.file: postings.SegmentPostings | None = None
        #: The segment's first post in the file.
        self.offset = 0
        #: Each field's occurrences, read whole the first time Whoosh asks for one (a merge
        #: asks for all of them; nothing else Whoosh runs for searchsvc asks at all); None
        #: for a field larger than WHOLE_FIELD_BYTES, read term by term.
        self.whole: dict[str, postings.WholeField | None] = {}

    def open(self) -> postings.SegmentPostings:
        if self.file is None:
            self.file, self.offset = postings.segment_file(self.folder, self.segment_id)
        return self.file

    def of_term(self, fieldname: str, text: bytes) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
        """See :meth:`postings.WholeField.term` (the posts numbered as in the file)."""
        f = self.open()
        if fieldname not in self.whole:
            # Read whole while that stays small; a field of a very large file, term by term.
            small = postings.WholeField.size(f, fieldname) <= WHOLE_FIELD_BYTES
            self.whole[fieldname] = postings.WholeField(f, fieldname) if small else None
        field = self.whole[fieldname]
        if field is None:
            return postings.term_occurrences(f, fieldname, text)
        return field.term(text)

    def close(self) -> None:
        self.whole.clear()
        if self.file is not None:
            self.file.close()
            self.file = None


class _TermsReader(TermsReader):
    """Whoosh's terms reader; the postings of a field with occurrences get their values
    (Whoosh's encoding of the occurrences) from the segment's postings file."""

    def __init__(self, child: TermsReader, occurrences: _SegmentOccurrences, fields: frozenset[str]):
        self.child = child
        self.occurrences = occurrences
        self.fields = fields

    def matcher(self, fieldname, text, format_, scorer=None):
        matcher = self.child.matcher(fieldname, text, format_, scorer=scorer)
        if fieldname not in self.fields:
            return matcher
        return _OccurrencesMatcher(matcher, values=_TermValues(self.occurrences, fieldname, text, format_))

    def __contains__(self, term):
        return term in self.child

    def cursor(self, fieldname, fieldobj):
        return self.child.cursor(fieldname, fieldobj)

    def terms(self):
        return self.child.terms()

    def terms_from(self, fieldname, prefix):
        return self.child.terms_from(fieldname, prefix)

    def items(self):
        return self.child.items()

    def items_from(self, fieldname, prefix):
        return self.child.items_from(fieldname, prefix)

    def term_info(self, fieldname, text):
        return self.child.term_info(fieldname, text)

    def frequency(self, fieldname, text):
        return self.child.frequency(fieldname, text)

    def doc_frequency(self, fieldname, text):
        return self.child.doc_frequency(fieldname, text)

    def indexed_field_names(self):
        return self.child.indexed_field_names()

    def close(self):
        self.child.close()
        self.occurrences.close()


#: A record of Whoosh's terms file: the key's length and the value's (filetables._lengths);
#: a key is the field's number (2 bytes) and the word; a value begins with the word's
#: statistics, its number of posts at byte 5 (W3TermInfo: flags, total weight, doc frequency).
_RECORD_LENGTHS = struct.Struct("!ii")
_FIELD_NUMBER = struct.Struct("!H")
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5


def field_words(segment_reader: Any, fieldname: str) -> Iterable[tuple[bytes, int]]:
    """Every word of ``fieldname`` in one segment, in order, with how many posts have it
    (deleted ones too, as Whoosh counts).

    The same as Whoosh's ``iter_field`` with each term info's ``doc_frequency()``, read as
    one stretch of the terms file: a field's words lie together in it, in order. Whoosh
    reads them a word at a time (six reads and a term info object each), which took 0.6 s
    for the body of the 1x corpus, paid by the first query of every new generation.
    Where the terms reader is not the one this was written for, Whoosh's way.
    """
    child = getattr(getattr(segment_reader, "_terms", None), "child", None)
    table = getattr(child, "_tindex", None)
    fieldmap = getattr(child, "_fieldmap", None)
    if not (isinstance(table, OrderedHashReader) and isinstance(fieldmap, dict)):
        return ((term, info.doc_frequency()) for term, info in segment_reader.iter_field(fieldname))
    if fieldname not in fieldmap:
        return []
    number = fieldmap[fieldname]
    start = table.closest_key_pos(_FIELD_NUMBER.pack(number))
    if start is None:
        return []
    end = table.closest_key_pos(_FIELD_NUMBER.pack(number + 1)) if number < 0xFFFF else None
    end = table.endofdata if end is None else end
    return _records(table.dbfile, start, end)


#: field_words reads a field's stretch of the terms file this many bytes at a time (the
#: body's is megabytes at 10,000 posts: a worker's peak memory counts it).
RECORDS_CHUNK = 1 << 20


def _records(dbfile: Any, start: int, end: int) -> Iterator[tuple[bytes, int]]:
    """(word, doc frequency) of each record of the terms file from ``start`` to ``end``
    (see field_words), read RECORDS_CHUNK bytes at a time."""
    lengths, frequency = _RECORD_LENGTHS.unpack_from, _DOC_FREQUENCY.unpack_from
    head, prefix, at = _RECORD_LENGTHS.size, _FIELD_NUMBER.size, _DOC_FREQUENCY_AT
    data, pos, read = b"", 0, start
    while True:
        while pos + head <= len(data):
            keylen, datalen = lengths(data, pos)
            key = pos + head
            value = key + keylen
            if value + datalen > len(data):
                break  # the record goes on in the next chunk
            yield data[key + prefix : value], frequency(data, value + at)[0]
            pos = value + datalen
        if read >= end:
            return
        size = min(RECORDS_CHUNK, end - read)
        data, pos = data[pos:] + dbfile.get(read, size), 0
        read += size


class _TermValues:
    """The posting values of one term of a segment, made from its occurrences (read once)."""

    def __init__(self, occurrences: _SegmentOccurrences, fieldname: str, text: bytes, format_: Any):
        self.occurrences = occurrences
        self.fieldname = fieldname
        self.text = text
        self.format = format_
        #: Post -> (first, end) of its occurrences in the lists below; read on first use.
        self.posts: dict[int, tuple[int, int]] | None = None
        self.positions: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def _read(self) -> dict[int, tuple[int, int]]:
        ids, bounds, self.positions, self.starts, self.ends = self.occurrences.of_term(self.fieldname, self.text)
        offset = self.occurrences.offset
        return {post - offset: (bounds[k], bounds[k + 1]) for k, post in enumerate(ids)}

    def of(self, docnum: int) -> bytes:
        posts = self.posts
        if posts is None:
            posts = self.posts = self._read()
        found = posts.get(docnum)
        if found is None:
            # Whoosh has the posting and our file does not: never merge it into one without.
            raise postings.DamagedPostings(
                f"The postings file of segment {self.occurrences.segment_id} has no occurrences of a "
                f"{self.fieldname} term in post {docnum}; run `searchsvc reindex --full`."
            )
        lo, hi = found
        if isinstance(self.format, Characters):
            return self.format.encode(list(zip(self.positions[lo:hi], self.starts[lo:hi], self.ends[lo:hi])))
        return self.format.encode(self.positions[lo:hi])


class _OccurrencesMatcher(WrappingMatcher):
    """A term's postings as Whoosh reads them, each value made from the occurrences we keep."""

    def __init__(self, child: Any, boost: float = 1.0, values: _TermValues | None = None):
        super().__init__(child, boost=boost)
        self.values = values

    def copy(self):
        return _OccurrencesMatcher(self.child.copy(), boost=self.boost, values=self.values)

    def replace(self, minquality=0):
        replaced = self.child.replace(minquality)
        if replaced is self.child:
            return self
        if not replaced.is_active():
            return replaced
        return _OccurrencesMatcher(replaced, boost=self.boost, values=self.values)

    def value(self):
        return self.values.of(self.child.id())

    def value_as(self, astype):
        return self.values.format.decode_as(astype, self.value())

    def spans(self):
        return Matcher.spans(self)


class _PostingsTee(FieldWriter):
    """Whoosh's field writer: the postings of the scored fields are kept, with their
    occurrences, for the postings file, and passed on to Whoosh's without them."""

    def __init__(self, child: FieldWriter, path: str, recorder: postings.Recorder,
                 stored: "_StoredFieldsTee | None"):
        self.child = child
        self.path = path
        self.recorder = recorder
        #: The segment's stored-fields file: published with the postings, or discarded.
        self.stored = stored
        self.flushed = False

    def add_postings(self, schema, lengths, items) -> None:
        if lengths is not None and self.stored is not None:
            lengths = _KeptLengths(lengths, self.stored.field_lengths)
        self.child.add_postings(schema, lengths, self.recorder.tee(items, schema))
        # Only then: a writer whose postings failed is cancelled (indexer.commit), and closing
        # it writes neither of our files.
        self.flushed = True

    # Whoosh calls add_postings; the rest of the interface passes straight through.
    def start_field(self, fieldname, fieldobj):
        self.child.start_field(fieldname, fieldobj)

    def start_term(self, text):
        self.child.start_term(text)

    def add(self, docnum, weight, vbytes, length):
        self.child.add(docnum, weight, vbytes, length)

    def add_spell_word(self, fieldname, text):
        self.child.add_spell_word(fieldname, text)

    def finish_term(self):
        self.child.finish_term()

    def finish_field(self):
        self.child.finish_field()

    @property
    def is_closed(self) -> bool:
        return self.child.is_closed

    def close(self) -> None:
        """Whoosh closes the field writer last, whether the segment was written or cancelled:
        only a segment whose postings were written gets the two files."""
        self.child.close()
        try:
            if self.flushed:
                postings.write(self.path, self.recorder.fields())
                if self.stored is not None:
                    self.stored.out.publish()
        finally:
            self.flushed = False
            if self.stored is not None:
                self.stored.out.discard()
                self.stored = None


class _KeptLengths:
    """The lengths reader Whoosh's field writer asks for each posting's field length: the
    scored fields' lengths come from what :class:`_StoredFieldsTee` kept of the segment's
    posts (a dictionary lookup, where Whoosh reads its length column again for each of the
    segment's postings). Whoosh keeps no length of any other field: ``default``, as Whoosh's
    reader answers once it has looked for the column's file (a ``stat`` per posting)."""

    def __init__(self, child: Any, kept: dict[str, dict[int, int]]):
        self.child = child
        self.kept = kept

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        lengths = self.kept.get(fieldname)
        if lengths is None:
            return default
        length = lengths.get(docnum)
        if length is None:
            return self.child.doc_field_length(docnum, fieldname, default)
        return length

    def __getattr__(self, name: str) -> Any:
        return getattr(self.child, name)


@functools.lru_cache(maxsize=4096)
def _as_whoosh_keeps(length: int) -> int:
    """A field length as Whoosh reads it back from its length column (kept in one byte)."""
    return byte_to_length(length_to_byte(length))


class _StoredFieldsTee(PerDocumentWriter):
    """Whoosh's per-document writer: each post's stored fields are kept for the stored-fields
    file (and not passed on), its field lengths there and in Whoosh's columns."""

    def __init__(self, child: PerDocumentWriter, path: str, fields: list[str]):
        self.child = child
        self.out = documents.Writer(path, fields)
        self.scored = frozenset(fields)
        self.docnum: int | None = None
        self.stored: dict[str, Any] = {}
        self.lengths: dict[str, int] = {}
        #: Each scored field's length in each post of the segment, as Whoosh reads it back
        #: (see :class:`_KeptLengths`).
        self.field_lengths: dict[str, dict[int, int]] = {name: {} for name in self.scored}

    def start_doc(self, docnum):
        self.child.start_doc(docnum)
        self.docnum = docnum
        self.stored = {}
        self.lengths = {}

    def add_field(self, fieldname, fieldobj, value, length):
        # Whoosh keeps the length; the stored value is kept here only (read back by _PerDocReader).
        self.child.add_field(fieldname, fieldobj, None, length)
        if value is not None and fieldobj.stored:
            self.stored[fieldname] = value
        if length and fieldname in self.scored:
            self.lengths[fieldname] = length
            self.field_lengths[fieldname][self.docnum] = _as_whoosh_keeps(length)

    def add_column_value(self, fieldname, columnobj, value):
        self.child.add_column_value(fieldname, columnobj, value)

    def add_vector_items(self, fieldname, fieldobj, items):
        self.child.add_vector_items(fieldname, fieldobj, items)

    def finish_doc(self):
        self.child.finish_doc()
        if self.docnum is not None:
            self.out.add(self.docnum, self.stored, self.lengths)
        self.docnum = None

    @property
    def is_closed(self) -> bool:
        return self.child.is_closed

    def close(self) -> None:
        self.child.close()
        self.out.finish()
