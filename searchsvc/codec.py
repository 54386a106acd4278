"""Whoosh's own codec, also writing searchsvc's two files beside every segment it writes.

This is the one seam between searchsvc and Whoosh's writing, and it is Whoosh's public
codec interface: a :class:`whoosh.codec.base.WrappingCodec` handed to the segment writer
(``ix.writer(codec=Codec(...))``). Every segment Whoosh writes, of new posts or merged
from older segments, passes its postings through the codec's field writer
(``FieldWriter.add_postings``) and each post's stored fields and field lengths through
its per-document writer. Ours pass everything on to Whoosh's own writers unchanged and
keep a copy:

- the postings of the scored fields, written as ``<segment>.spx`` when the segment's
  postings are complete (:mod:`searchsvc.postings`);
- each post's stored fields and field lengths, written as ``<segment>.sdx``
  (:mod:`searchsvc.documents`).

Both are named like the segment's own files, so Whoosh's clean-up removes them with the
segment when a merge replaces it. Whoosh's own files stay the index of record.
"""

from __future__ import annotations

import os
from typing import Any

from whoosh.codec import default_codec
from whoosh.codec.base import FieldWriter, PerDocumentWriter, WrappingCodec
from whoosh.formats import Characters, Positions

from . import documents, postings


def scored_fields(schema: Any) -> list[str]:
    """The fields whose postings queries read from the postings files: the scored ones."""
    return [name for name, fieldtype in schema.items() if fieldtype.scorable]


class Codec(WrappingCodec):
    """Whoosh's default codec, with writers that also write searchsvc's files."""

    def __init__(self, schema: Any):
        child = default_codec()
        super().__init__(child)
        self.child = child
        self.fields = scored_fields(schema)
        self.chars_fields = [f for f in self.fields if type(schema[f].format) is Characters]
        self.positions_fields = [f for f in self.fields if type(schema[f].format) is Positions]
        #: The stored-fields writer of each segment being written, by segment id.
        self.stored: dict[str, _StoredFieldsTee] = {}

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


class _PostingsTee(FieldWriter):
    """Whoosh's field writer, keeping a copy of the postings of the scored fields."""

    def __init__(self, child: FieldWriter, path: str, recorder: postings.Recorder,
                 stored: "_StoredFieldsTee | None"):
        self.child = child
        self.path = path
        self.recorder = recorder
        #: The segment's stored-fields file: published with the postings, or discarded.
        self.stored = stored
        self.flushed = False

    def add_postings(self, schema, lengths, items) -> None:
        self.flushed = True
        self.child.add_postings(schema, lengths, self.recorder.tee(items))

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


class _StoredFieldsTee(PerDocumentWriter):
    """Whoosh's per-document writer, keeping a copy of each post's stored fields and field lengths."""

    def __init__(self, child: PerDocumentWriter, path: str, fields: list[str]):
        self.child = child
        self.out = documents.Writer(path, fields)
        self.scored = frozenset(fields)
        self.docnum: int | None = None
        self.stored: dict[str, Any] = {}
        self.lengths: dict[str, int] = {}

    def start_doc(self, docnum):
        self.child.start_doc(docnum)
        self.docnum = docnum
        self.stored = {}
        self.lengths = {}

    def add_field(self, fieldname, fieldobj, value, length):
        self.child.add_field(fieldname, fieldobj, value, length)
        if value is not None and fieldobj.stored:
            self.stored[fieldname] = value
        if length and fieldname in self.scored:
            self.lengths[fieldname] = length

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
