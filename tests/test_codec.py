"""Each thing is kept once: Whoosh's files hold the terms, postings and statistics, ours the
occurrences and the stored text, and Whoosh reading a segment (a merge, its own phrase
matcher) gets them back from ours."""

from __future__ import annotations

import shutil

import pytest

from whoosh import index as whoosh_index
from whoosh.codec import default_codec
from whoosh.query import Phrase

from searchsvc import codec, postings, storage
from searchsvc.indexer import commit, writer_for

from conftest import BLOG, reindex_into

OCCURRENCE_FIELDS = ("title", "description", "headings", "body", "code")


def every_occurrence(path) -> dict[tuple[str, str, bytes], list[tuple[int, int, int]]]:
    """(post path, field, term) -> that post's occurrences of the term, for every live post."""
    ix = whoosh_index.open_dir(str(path))
    out = {}
    with ix.reader() as reader:
        for sub, offset in reader.leaf_readers():
            segment_id = sub.segment().segment_id()
            own = postings.SegmentPostings(str(path / postings.file_name(segment_id)))
            try:
                for fieldname in OCCURRENCE_FIELDS:
                    if fieldname not in sub.indexed_field_names():
                        continue
                    for text in sub.lexicon(fieldname):
                        found = own.occurrences(fieldname, own.key(text))
                        for post, position, start, end in zip(found.ids.tolist(), found.positions.tolist(),
                                                              found.starts.tolist(), found.ends.tolist()):
                            if sub.is_deleted(post):
                                continue
                            key = (sub.stored_fields(post)["path"], fieldname, text)
                            out.setdefault(key, []).append((position, start, end))
            finally:
                own.close()
    return out


def two_segment_index(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, tmp_path / "index")
    (content / "another.md").write_text(
        "---\ntitle: Another python post\n---\n# Testing again\n\nOne more post about python testing, "
        "and `pytest.fixture` in code.\n"
    )
    (content / "python_testing_post.md").write_text(
        (content / "python_testing_post.md").read_text() + "\n\nAn added line on python testing.\n"
    )
    reindex_into(content, tmp_path / "index")
    return storage.current_generation(tmp_path / "index").path


def test_a_merge_keeps_every_occurrence_of_every_post(tmp_path):
    generation = two_segment_index(tmp_path)
    before = every_occurrence(generation)
    assert len(list(generation.glob("*.spx"))) == 2
    ix = whoosh_index.open_dir(str(generation))
    writer_for(ix).commit(optimize=True)  # as a full build that met two posts of one slug does
    assert len(list(generation.glob("*.spx"))) == 1
    after = every_occurrence(generation)
    assert after == before
    assert any(key[1] == "code" for key in after) and any(key[1] == "headings" for key in after)


def test_whooshs_own_files_keep_no_stored_text(tmp_path):
    generation = two_segment_index(tmp_path)
    ix = whoosh_index.open_dir(str(generation))
    whoosh_only = default_codec()
    for segment in whoosh_index.TOC.read(ix.storage, ix.indexname).segments:
        own = whoosh_only.per_document_reader(ix.storage, segment)
        try:
            assert all(own.stored_fields(d) == {} for d in range(segment.doc_count_all()))
        finally:
            own.close()
    with ix.searcher() as searcher:
        # Read through searchsvc's codec, every post has its stored fields.
        assert all(searcher.stored_fields(d).get("path") for d in searcher.reader().all_doc_ids())


def test_whooshs_phrase_matcher_reads_the_occurrences_we_keep(tmp_path):
    generation = two_segment_index(tmp_path)
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        found = {searcher.stored_fields(hit.docnum)["path"] for hit in searcher.search(Phrase("body", ["python", "test"]), limit=None)}
        apart = {searcher.stored_fields(hit.docnum)["path"] for hit in searcher.search(Phrase("body", ["test", "python"]), limit=None)}
    assert "another.md" in found
    assert "another.md" not in apart


def test_whooshs_postings_blocks_know_the_field_lengths_of_their_posts(tmp_path):
    reindex_into(BLOG, tmp_path / "index")
    ix = whoosh_index.open_dir(str(storage.current_generation(tmp_path / "index").path))
    with ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            matcher = reader.postings("body", "python")
            lengths = []
            while matcher.is_active():
                lengths.append(reader.doc_field_length(matcher.id(), "body"))
                matcher.next()
            whooshs = reader.postings("body", "python").child  # under the codec's matcher
            assert (whooshs.block_min_length(), whooshs.block_max_length()) == (min(lengths), max(lengths))


# Whoosh's merge policies close the reader of the segment they merge only when the merge
# succeeds: the file it had open is closed by the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_merge_refuses_a_postings_file_that_lacks_what_whoosh_has(tmp_path):
    generation = two_segment_index(tmp_path)
    ix = whoosh_index.open_dir(str(generation))
    first, second = (s.segment_id() for s in whoosh_index.TOC.read(ix.storage, ix.indexname).segments)
    # The second segment's file under the first's name: other posts, other words.
    shutil.copy(generation / postings.file_name(second), generation / postings.file_name(first))
    with pytest.raises(postings.DamagedPostings, match="run `searchsvc reindex --full`"):
        commit(writer_for(ix), optimize=True)
    # Nothing was published: the index still has its two segments.
    assert len(whoosh_index.TOC.read(ix.storage, ix.indexname).segments) == 2
    assert not list(generation.glob("*.tmp-*"))


def test_a_merge_reads_a_large_field_term_by_term_with_the_same_result(tmp_path, monkeypatch):
    generation = two_segment_index(tmp_path)
    before = every_occurrence(generation)
    monkeypatch.setattr(codec, "WHOLE_FIELD_BYTES", 0)  # every field "too large" to read whole
    ix = whoosh_index.open_dir(str(generation))
    commit(writer_for(ix), optimize=True)
    assert every_occurrence(generation) == before


@pytest.mark.parametrize("chunk", [codec.RECORDS_CHUNK, 7])
def test_the_words_of_a_field_read_at_once_are_whooshs_word_by_word(tmp_path, monkeypatch, chunk):
    # codec.field_words reads a field's stretch of the terms file; Whoosh reads it word by
    # word. Two segments, one post replaced (deleted in the first), every field of words;
    # read in chunks that cut records too.
    monkeypatch.setattr(codec, "RECORDS_CHUNK", chunk)
    gen = two_segment_index(tmp_path)
    ix = whoosh_index.open_dir(str(gen))
    with ix.reader() as reader:
        subs = [sub for sub, _offset in reader.leaf_readers()]
        assert len(subs) == 2
        for sub in subs:
            for fieldname in [*OCCURRENCE_FIELDS, "spelling", "written", "tag_text", "author", "tags", "lang", "path",
                              "no such field"]:
                expected = [(term, info.doc_frequency()) for term, info in sub.iter_field(fieldname)] \
                    if fieldname in sub.indexed_field_names() else []
                assert list(codec.field_words(sub, fieldname)) == expected, fieldname
