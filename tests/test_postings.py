"""Each segment's postings file holds Whoosh's postings, term for term, and every occurrence of every word."""

from __future__ import annotations

import numpy as np
import pytest

from searchsvc import postings, storage
from searchsvc.schema import analysing

SCORED_FIELDS = ("title", "headings", "tag_text", "description", "body", "code", "author", "tags", "spelling")


def whoosh_postings(reader, fieldname, text):
    """Every posting Whoosh gives for a term in one segment (its reader leaves out deleted posts)."""
    m = reader.postings(fieldname, text)
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


def test_every_segment_has_a_postings_file(two_segments):
    generation = storage.current_generation(two_segments / "index")
    segments = {p.name.split(".")[0] for p in generation.path.glob("MAIN_*.trm")}
    files = {p.name.split(".")[0] for p in generation.path.glob("*.spx")}
    assert len(segments) == 2
    assert files == segments


def test_the_files_hold_every_posting_whoosh_has(opened):
    snap, searcher = opened
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        own = snap.postings.of(reader)
        for fieldname in SCORED_FIELDS:
            if fieldname not in reader.indexed_field_names():
                continue
            for text in reader.lexicon(fieldname):
                ids, weights = own.postings(fieldname, postings.term_key(text))
                expected_ids, expected_weights = whoosh_postings(reader, fieldname, text)
                live = [not reader.is_deleted(d) for d in ids.tolist()]
                assert ids[live].tolist() == expected_ids, (fieldname, text)
                assert weights[live].tolist() == expected_weights, (fieldname, text)
                assert len(ids) == reader.doc_frequency(fieldname, text)


def test_a_term_the_segment_does_not_have_has_no_postings(opened):
    snap, searcher = opened
    sub, _ = searcher.leaf_searchers()[0]
    ids, weights = snap.postings.of(sub.reader()).postings("body", postings.term_key(b"zzzz-not-a-word"))
    assert len(ids) == len(weights) == 0


CHARS_FIELDS = ("title", "description", "body", "code")


@pytest.mark.parametrize("fieldname", CHARS_FIELDS)
def test_the_files_hold_every_occurrence_the_analysis_of_each_post_makes(opened, fieldname):
    # The occurrences are kept only in these files (Whoosh's postings keep none): each post's
    # stored text, analysed again, gives the same words at the same places.
    snap, searcher = opened
    schema = searcher.schema
    seen = 0
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        own = snap.postings.of(reader)
        for docnum in reader.all_doc_ids():
            stored = snap.stored_fields(searcher, docnum + offset)
            text = stored.get(fieldname)
            if not text:
                continue
            with analysing(stored["meta"]["lang"]):
                expected = {
                    word: schema[fieldname].format.decode_characters(value)
                    for word, _, _, value in schema[fieldname].index(text)
                }
            for word, occurrences in expected.items():
                found = own.occurrences(fieldname, own.key(word), np.array([docnum]))
                got = list(zip(found.positions.tolist(), found.starts.tolist(), found.ends.tolist()))
                assert got == occurrences, (fieldname, word, docnum)
                assert all(text[start:end] for _, start, end in got)
                seen += len(got)
    assert seen


@pytest.mark.parametrize("near", [0, postings.NEAR_OCCURRENCES], ids=["post by post", "one stretch"])
def test_occurrences_in_some_posts_are_those_posts_share_of_all(opened, monkeypatch, near):
    monkeypatch.setattr(postings, "NEAR_OCCURRENCES", near)
    snap, searcher = opened
    for sub, _ in searcher.leaf_searchers():
        own = snap.postings.of(sub.reader())
        key = postings.term_key(b"python")
        every = own.occurrences("body", key)
        posts = np.unique(every.ids)
        for wanted in (posts[:1], posts[::2], posts, np.array([10**6])):
            some = own.occurrences("body", key, wanted.astype(np.int64))
            inside = np.isin(every.ids, wanted)
            assert some.ids.tolist() == every.ids[inside].tolist()
            assert some.starts.tolist() == every.starts[inside].tolist()
            assert some.positions.tolist() == every.positions[inside].tolist()


def field(terms: dict[bytes, tuple[list[int], list[float]]]) -> postings.FieldPostings:
    counts = [len(ids) for ids, _ in terms.values()]
    return postings.FieldPostings(
        list(terms),
        np.concatenate(([0], np.cumsum(counts))),
        np.array([d for ids, _ in terms.values() for d in ids]),
        np.array([w for _, weights in terms.values() for w in weights]),
    )


def test_terms_are_found_whatever_order_they_were_written_in(tmp_path):
    path = tmp_path / "x.spx"
    words = {f"w{i}".encode(): (list(range(i, i + i % 4 + 1)), [float(i % 4 + 1)] * (i % 4 + 1)) for i in range(50)}
    postings.write(str(path), [("body", field(words))])
    read = postings.SegmentPostings(str(path))
    try:
        for text, (ids, weights) in words.items():
            found = read.postings("body", postings.term_key(text))
            assert (found[0].tolist(), found[1].tolist()) == (ids, weights)
        assert read.postings("title", postings.term_key(b"w1")) is None
    finally:
        read.close()


def test_two_terms_of_one_key_make_the_file_keyed_with_another_salt(tmp_path, monkeypatch):
    real = postings.term_key
    monkeypatch.setattr(postings, "term_key", lambda text, salt=0: 7 if not salt else real(text, salt))
    path = tmp_path / "x.spx"
    postings.write(str(path), [
        ("body", field({b"a": ([0], [1.0]), b"b": ([1], [2.0])})),
        ("title", field({b"a": ([0, 3], [1.0, 2.5])})),
    ])
    read = postings.SegmentPostings(str(path))
    try:
        assert read.salt == 1
        assert read.postings("body", read.key(b"a"))[0].tolist() == [0]
        assert read.postings("body", read.key(b"b"))[0].tolist() == [1]
        ids, weights = read.postings("title", read.key(b"a"))
        assert ids.tolist() == [0, 3] and weights.tolist() == [1.0, 2.5]
    finally:
        read.close()


def test_weights_that_are_not_counts_are_kept_exactly(tmp_path):
    path = tmp_path / "x.spx"
    postings.write(str(path), [("body", field({b"a": ([0, 1], [0.1, 3.0])}))])
    read = postings.SegmentPostings(str(path))
    try:
        assert read.postings("body", postings.term_key(b"a"))[1].tolist() == [0.1, 3.0]
    finally:
        read.close()


def test_occurrences_without_characters_have_the_same_posts_and_positions(opened):
    snap, searcher = opened
    for sub, _ in searcher.leaf_searchers():
        own = snap.postings.of(sub.reader())
        key = postings.term_key(b"python")
        every = own.occurrences("body", key)
        for wanted in (None, np.unique(every.ids)[::2].astype(np.int64)):
            full = own.occurrences("body", key, wanted)
            bare = own.occurrences("body", key, wanted, chars=False)
            assert bare.ids.tolist() == full.ids.tolist()
            assert bare.positions.tolist() == full.positions.tolist()
            assert len(bare.starts) == len(bare.ends) == 0


def test_occurrences_without_positions_have_the_same_posts_and_characters(opened):
    snap, searcher = opened
    for sub, _ in searcher.leaf_searchers():
        own = snap.postings.of(sub.reader())
        key = postings.term_key(b"python")
        every = own.occurrences("body", key)
        for wanted in (None, np.unique(every.ids)[::2].astype(np.int64), np.unique(every.ids)[:3].astype(np.int64)):
            full = own.occurrences("body", key, wanted)
            spans = own.occurrences("body", key, wanted, positions=False)
            assert spans.ids.tolist() == full.ids.tolist()
            assert spans.starts.tolist() == full.starts.tolist()
            assert spans.ends.tolist() == full.ends.tolist()
            assert len(spans.positions) == 0


def occurrences_field(occurrences: dict[bytes, dict[int, list[tuple[int, int, int]]]]) -> postings.FieldPostings:
    """A field's postings with occurrences: term -> post -> [(position, start, end)]."""
    terms, starts, ids, weights, counts, codes = [], [0], [], [], [], []
    for term, posts in occurrences.items():
        terms.append(term)
        for post, found in posts.items():
            ids.append(post)
            weights.append(float(len(found)))
            counts.append(len(found))
            position = end = 0
            for at, start, stop in found:  # Whoosh's deltas (see postings._decode_occurrences)
                codes.append((at - position, start - end, stop - start))
                position, end = at, stop
        starts.append(len(ids))
    return postings.FieldPostings(terms, np.array(starts), np.array(ids), np.array(weights),
                                  np.array(counts), np.array(codes).reshape(-1, 3))


def read_occurrences(read, text):
    found = read.occurrences("body", read.key(text))
    return list(zip(found.ids.tolist(), found.positions.tolist(), found.starts.tolist(), found.ends.tolist()))


@pytest.mark.parametrize("far, long_word, positions_dtype, lengths_dtype", [
    (70_000, 300, "<u4", "<u2"),  # a post of more than 65,535 words, a word of 300 characters
    (60_000, 12, "<u2", "<u1"),
])
def test_positions_and_lengths_take_the_narrowest_width_that_holds_them(tmp_path, far, long_word, positions_dtype,
                                                                        lengths_dtype):
    path = tmp_path / "x.spx"
    body = {b"a": {0: [(1, 0, 4), (far, 500_000, 500_000 + long_word)], 3: [(2, 7, 9)]}, b"b": {3: [(0, 0, 5)]}}
    postings.write(str(path), [("body", occurrences_field(body))])
    read = postings.SegmentPostings(str(path))
    try:
        assert read.fields["body"].positions_dtype == np.dtype(positions_dtype)
        assert read.fields["body"].lengths_dtype == np.dtype(lengths_dtype)
        assert read_occurrences(read, b"a") == [(0, 1, 0, 4), (0, far, 500_000, 500_000 + long_word), (3, 2, 7, 9)]
        assert read_occurrences(read, b"b") == [(3, 0, 0, 5)]
    finally:
        read.close()


def test_a_narrow_file_and_a_wide_one_combine_into_one_that_reads_both(tmp_path):
    narrow = {b"a": {0: [(1, 0, 4)]}}
    wide = {b"a": {1: [(70_000, 10, 310)]}, b"c": {0: [(2, 5, 6)]}}
    for segment, occurrences in (("S1", narrow), ("S2", wide)):
        postings.write(str(tmp_path / postings.file_name(segment)), [("body", occurrences_field(occurrences))])
    path = postings.combine(str(tmp_path), [("S1", 1), ("S2", 2)])
    read = postings.SegmentPostings(path)
    try:
        assert read_occurrences(read, b"a") == [(0, 1, 0, 4), (2, 70_000, 10, 310)]
        assert read_occurrences(read, b"c") == [(1, 2, 5, 6)]
    finally:
        read.close()
    postings.split(str(tmp_path), path, ["S1", "S2"])
    for segment, expected in (("S1", [(0, 1, 0, 4)]), ("S2", [(1, 70_000, 10, 310)])):
        read = postings.SegmentPostings(str(tmp_path / postings.file_name(segment)))
        try:
            assert read_occurrences(read, b"a") == expected
        finally:
            read.close()
