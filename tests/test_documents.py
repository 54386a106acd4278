"""Each segment's stored-fields file holds every post's stored fields, merged segments too."""

from __future__ import annotations

import shutil

import pytest
from whoosh import index as whoosh_index

from searchsvc import documents, storage
from searchsvc.indexer import writer_for

from conftest import BLOG, reindex_into


def test_every_segment_has_a_stored_fields_file(two_segments):
    generation = storage.current_generation(two_segments / "index")
    segments = {p.name.split(".")[0] for p in generation.path.glob("MAIN_*.trm")}
    files = {p.name.split(".")[0] for p in generation.path.glob("*.sdx")}
    assert len(segments) == 2
    assert files == segments
    assert not list(generation.path.glob("*.tmp-*"))


def test_each_record_is_the_post_whoosh_numbers_so(opened):
    # The file is the only copy of the stored fields: post i's record is the post that
    # Whoosh's own index of paths gives number i.
    snap, searcher = opened
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        own = snap.documents.of(reader)
        assert own.count == reader.doc_count_all()
        for docnum in reader.all_doc_ids():
            fields = own.fields(docnum)
            assert fields["title"] and fields["url"]
            assert docnum in list(reader.postings("path", fields["path"].encode()).all_ids())


def test_posts_are_read_by_their_number_in_the_whole_index(opened):
    snap, searcher = opened
    assert searcher.doc_count_all() > 30
    for docnum in range(searcher.doc_count_all()):
        assert snap.stored_fields(searcher, docnum) == searcher.stored_fields(docnum)


def test_a_merged_segment_gets_its_own_files(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, tmp_path / "index")
    (content / "another.md").write_text("---\ntitle: Another\n---\nOne more post.\n")
    reindex_into(content, tmp_path / "index")
    generation = storage.current_generation(tmp_path / "index")
    ix = whoosh_index.open_dir(str(generation.path))
    with ix.reader() as reader:
        before = [reader.stored_fields(d) for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
    writer_for(ix).commit(optimize=True)  # as a full build that met two posts of one slug does
    ix = whoosh_index.open_dir(str(generation.path))
    [segment] = whoosh_index.TOC.read(ix.storage, ix.indexname).segments
    # Its postings and stored fields, each in a file of their own (not in a compound segment).
    assert {p.suffix for p in generation.path.glob(segment.segment_id() + ".*")} >= {".spx", ".sdx", ".trm"}
    assert len(list(generation.path.glob("*.sdx"))) == len(list(generation.path.glob("*.spx"))) == 1
    own = documents.SegmentDocuments(str(generation.path / documents.file_name(segment.segment_id())))
    try:
        assert [own.fields(d) for d in range(own.count)] == before
    finally:
        own.close()


def test_a_cancelled_writer_leaves_no_file(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, tmp_path / "index")
    generation = storage.current_generation(tmp_path / "index")
    writer = writer_for(whoosh_index.open_dir(str(generation.path)))
    writer.add_document(id="x", path="x.md", title="Not kept", body="Never published.")
    writer.cancel()
    assert not list(generation.path.glob(f"{writer.newsegment.segment_id()}.sdx*"))


def test_a_damaged_record_is_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "x.sdx"
    writer = documents.Writer(str(path))
    writer.add(0, {"id": "a", "body": "Some text."})
    writer.publish()
    data = bytearray(path.read_bytes())
    data[len(documents.MAGIC)] ^= 0xFF  # the record's first byte
    path.write_bytes(bytes(data))
    own = documents.SegmentDocuments(str(path))
    try:
        with pytest.raises(documents.DamagedDocuments, match="Post 0 of .*x.sdx cannot be read"):
            own.fields(0)
    finally:
        own.close()


def test_a_record_whose_size_was_overwritten_is_damaged_not_a_huge_allocation(tmp_path):
    path = tmp_path / "x.sdx"
    writer = documents.Writer(str(path))
    writer.add(0, {"id": "a", "body": "Some text. " * 100})
    writer.publish()
    data = bytearray(path.read_bytes())
    at = len(documents.MAGIC)
    data[at : at + 4] = (2**31 - 1).to_bytes(4, "little")  # the record's size: 2 GB
    path.write_bytes(bytes(data))
    own = documents.SegmentDocuments(str(path))
    try:
        with pytest.raises(documents.DamagedDocuments, match="Post 0 of .*x.sdx cannot be read"):
            own.fields(0)
    finally:
        own.close()


def test_records_are_compressed(tmp_path):
    path = tmp_path / "x.sdx"
    writer = documents.Writer(str(path))
    body = " ".join(f"word{i % 50}" for i in range(5000))
    writer.add(0, {"id": "a", "body": body})
    writer.publish()
    assert path.stat().st_size < len(body) / 2
    own = documents.SegmentDocuments(str(path))
    try:
        assert own.fields(0) == {"id": "a", "body": body}
    finally:
        own.close()


def test_a_file_round_trips_posts_and_empty_posts(tmp_path):
    path = tmp_path / "x.sdx"
    posts = [{"id": "a", "body": "Ünïcode text 🙂"}, {}, {"id": "c", "meta": {"tags": ["x"], "n": 3}}]
    writer = documents.Writer(str(path))
    for docnum, fields in enumerate(posts):
        writer.add(docnum, fields)
    writer.publish()
    own = documents.SegmentDocuments(str(path))
    try:
        assert own.count == 3
        assert [own.fields(d) for d in range(3)] == posts
        with pytest.raises(IndexError):
            own.fields(3)
    finally:
        own.close()


def test_posts_must_come_in_order(tmp_path):
    writer = documents.Writer(str(tmp_path / "x.sdx"))
    try:
        with pytest.raises(ValueError, match="must come in order"):
            writer.add(1, {"id": "b"})
    finally:
        writer.discard()
    assert not list(tmp_path.iterdir())


def test_a_file_keeps_each_posts_field_lengths_as_whoosh_scores_them(tmp_path):
    path = tmp_path / "x.sdx"
    writer = documents.Writer(str(path), ["body", "title"])
    writer.add(0, {"id": "a"}, {"body": 1000, "title": 3})
    writer.add(1, {"id": "b"}, {"title": 5})
    writer.publish()
    own = documents.SegmentDocuments(str(path))
    try:
        from whoosh.util.numeric import byte_to_length, length_to_byte

        assert own.lengths("title").tolist() == [length_to_byte(3), length_to_byte(5)]
        assert [byte_to_length(b) for b in own.lengths("body")] == [byte_to_length(length_to_byte(1000)), 0]
        assert own.lengths("code").tolist() == [0, 0]
    finally:
        own.close()


def test_whole_index_lengths_equal_whooshs_own(opened):
    snap, searcher = opened
    reader = searcher.reader()
    for fieldname in ("title", "body", "headings", "code"):
        ours = snap.documents.lengths(reader, fieldname)
        theirs = [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(reader.doc_count_all())]
        assert ours.tolist() == theirs
