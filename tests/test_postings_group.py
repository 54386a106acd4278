"""One postings file for a run of segments (``.spg``): the same postings as the segments'
own files, numbered on; used only while those segments lead the index, in that order."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index

from searchsvc import postings, storage
from searchsvc.indexer import PARALLEL_THRESHOLD, reindex
from searchsvc.config import Settings
from searchsvc.search import SearchIndex, SearchRequest

from conftest import assert_unavailable_once_cut_short, close_index
from processes import synthetic_blog

QUERIES = ("python", "react hooks", '"server actions"', "testing", "again", "more")


def segments_of(generation_path):
    ix = whoosh_index.open_dir(str(generation_path))
    try:
        return [(s.segment_id(), s.doc_count_all()) for s in whoosh_index.TOC.read(ix.storage, ix.indexname).segments]
    finally:
        ix.close()


def with_group(index_dir, segments=None):
    """Write a group file for the current generation's segments (or ``segments``) and list it."""
    generation = storage.current_generation(index_dir).path
    path = postings.combine(str(generation), segments or segments_of(generation))
    manifest = storage.read_manifest(generation)
    manifest["files"] = storage.index_files(generation)
    storage.write_json_atomic(generation / storage.MANIFEST, manifest)
    return path


def results(index_dir, q):
    index = SearchIndex(index_dir)
    try:
        return [
            (hit.id, round(hit.score, 9), hit.snippet_html, hit.title_html, [s.anchor for s in hit.sections])
            for hit in index.search(SearchRequest(q=q, per_page=50)).results
        ]
    finally:
        close_index(index)


def parts(index_dir):
    index = SearchIndex(index_dir)
    try:
        with index.searcher() as (snap, searcher):
            return [
                (part.file.path.rsplit(".", 1)[-1], part.offset, part.count)
                for part in snap.postings.parts(searcher.reader())
            ]
    finally:
        close_index(index)


@pytest.fixture
def grouped(two_segments, tmp_path):
    """A copy of the two-segment index (deleted posts in the first) with a group file."""
    shutil.copytree(two_segments / "index", tmp_path / "index", symlinks=True)
    with_group(tmp_path / "index")
    return tmp_path / "index"


def same_postings(fileset, fieldnames, terms_of, first_count):
    """Assert that ``fileset`` = (group, own_a, own_b) hold the same postings, b's numbered on."""
    group, *own = fileset
    nothing = np.zeros(0, dtype=np.int64)
    for fieldname in fieldnames:
        present = [f for f in own if f.has(fieldname)]
        for text in terms_of(fieldname):
            key = postings.term_key(text)
            # A segment without a word of a field has no such field in its file.
            (ids_a, weights_a), (ids_b, weights_b) = (
                f.postings(fieldname, key) if f.has(fieldname) else (nothing, nothing) for f in own
            )
            ids, weights = group.postings(fieldname, key)
            assert ids.tolist() == ids_a.tolist() + (ids_b + first_count).tolist(), (fieldname, text)
            assert weights.tolist() == weights_a.tolist() + weights_b.tolist(), (fieldname, text)
            if not group.has_occurrences(fieldname):
                assert not any(f.has_occurrences(fieldname) for f in present)
                continue
            found = group.occurrences(fieldname, key)
            a, b = (
                f.occurrences(fieldname, key) if f.has(fieldname) else postings.Found(*[nothing] * 4) for f in own
            )
            assert found.ids.tolist() == a.ids.tolist() + (b.ids + first_count).tolist()
            for attr in ("positions", "starts", "ends"):
                assert getattr(found, attr).tolist() == getattr(a, attr).tolist() + getattr(b, attr).tolist()


def test_the_group_file_holds_each_segments_postings_numbered_on(two_segments, grouped):
    generation = storage.current_generation(grouped).path
    (first, first_count), (second, _) = segments_of(generation)
    group = postings.SegmentPostings(str(generation / postings.group_file_name(first)))
    before = storage.current_generation(two_segments / "index").path
    own = [postings.SegmentPostings(str(before / postings.file_name(s))) for s in (first, second)]
    assert group.segments == segments_of(generation)
    assert set(group.fields) == set(own[0].fields) | set(own[1].fields)
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        same_postings([group, *own], group.fields, reader.lexicon, first_count)
    ix.close()


def test_the_segments_own_files_go_once_the_group_holds_them(grouped):
    generation = storage.current_generation(grouped).path
    assert [p.suffix for p in generation.glob("*.sp?")] == [".spg"]


def test_split_gives_each_segment_its_file_back(two_segments, grouped):
    generation = storage.current_generation(grouped).path
    (first, first_count), (second, _) = segments_of(generation)
    group_path = str(generation / postings.group_file_name(first))
    postings.split(str(generation), group_path, [first, second])
    before = storage.current_generation(two_segments / "index").path
    was = [postings.SegmentPostings(str(before / postings.file_name(s))) for s in (first, second)]
    now = [postings.SegmentPostings(str(generation / postings.file_name(s))) for s in (first, second)]
    for old, new in zip(was, now):
        assert set(new.fields) == set(old.fields)
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        same_postings([postings.SegmentPostings(group_path), *now], now[0].fields, reader.lexicon, first_count)
        for old, new in zip(was, now):
            for fieldname in old.fields:
                for text in reader.lexicon(fieldname):
                    key = postings.term_key(text)
                    assert [a.tolist() for a in new.postings(fieldname, key)] == [a.tolist() for a in old.postings(fieldname, key)]
    ix.close()


def test_occurrences_in_some_posts_of_the_group(grouped):
    generation = storage.current_generation(grouped).path
    (first, _), _ = segments_of(generation)
    group = postings.SegmentPostings(str(generation / postings.group_file_name(first)))
    key = postings.term_key(b"python")
    every = group.occurrences("body", key)
    some = np.unique(every.ids)[::2]
    found = group.occurrences("body", key, some.astype(np.int64))
    keep = np.isin(every.ids, some)
    assert found.ids.tolist() == every.ids[keep].tolist()
    assert found.starts.tolist() == every.starts[keep].tolist()


def test_a_query_reads_the_group_once_for_both_segments(grouped):
    (segments,) = [segments_of(storage.current_generation(grouped).path)]
    total = sum(count for _, count in segments)
    assert parts(grouped) == [("spg", 0, total)]


def test_results_are_the_same_with_the_group_file(two_segments, grouped):
    for q in QUERIES:
        expected = results(two_segments / "index", q)
        assert results(grouped, q) == expected, q
    assert any(results(grouped, q) for q in QUERIES)


def test_a_group_file_for_other_segments_is_not_used(two_segments, tmp_path):
    shutil.copytree(two_segments / "index", tmp_path / "index", symlinks=True)
    generation = storage.current_generation(tmp_path / "index").path
    (first, first_count), (second, second_count) = segments_of(generation)
    own = {p.name: p.read_bytes() for p in generation.glob("*.spx")}
    with_group(tmp_path / "index", [(first, first_count), (second, second_count + 1)])
    for name, data in own.items():  # the segments' own files, which combine() removed
        (generation / name).write_bytes(data)
    assert parts(tmp_path / "index") == [("spx", 0, first_count), ("spx", first_count, second_count)]
    for q in QUERIES:
        assert results(tmp_path / "index", q) == results(two_segments / "index", q), q


def test_a_group_file_cut_short_under_a_running_server_is_an_unavailable_index(grouped):
    assert_unavailable_once_cut_short(grouped, "spg")


@pytest.fixture(scope="module")
def parallel_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel")
    content = synthetic_blog(root / "content", PARALLEL_THRESHOLD + 16, words=60)
    settings = Settings(content_dir=content, index_dir=root / "index")
    reindex(settings, full=True, workers=2)
    return settings


def test_a_full_build_in_worker_processes_writes_one_group_file(parallel_build):
    generation = storage.current_generation(parallel_build.index_dir).path
    assert len(segments_of(generation)) == 2
    assert len(list(generation.glob("*.spg"))) == 1
    assert parts(parallel_build.index_dir) == [("spg", 0, PARALLEL_THRESHOLD + 16)]


def without_scores(by_query):
    return {q: sorted((hit[0], *hit[2:]) for hit in hits) for q, hits in by_query.items()}


def fresh_results(content, root, queries):
    fresh = Settings(content_dir=content, index_dir=root / "fresh")
    reindex(fresh, full=True, workers=1)
    return {q: sorted(results(fresh.index_dir, q)) for q in queries}


def test_after_an_incremental_run_the_group_still_serves_the_segments_it_covers(parallel_build, tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(parallel_build.content_dir, content)
    shutil.copytree(parallel_build.index_dir, index_dir, symlinks=True)
    (content / "new.md").write_text('---\ntitle: "A new post about river lanterns"\n---\n\nriver lantern\n')
    (content / "post-00003.md").unlink()
    settings = Settings(content_dir=content, index_dir=index_dir)
    assert reindex(settings).added == 1
    assert [kind for kind, _, _ in parts(index_dir)] == ["spg", "spx"]
    queries = ("river lantern", '"river stone"', "uniqword3", "new")
    found = {q: sorted(results(index_dir, q)) for q in queries}
    # The removed post still counts in the statistics that scores use, until a merge.
    assert without_scores(found) == without_scores(fresh_results(content, tmp_path, queries))
    assert "new" in [hit[0] for hit in found["river lantern"]]
    assert "post-00003" not in [hit[0] for hit in found["uniqword3"]]
    assert found["uniqword3"]  # uniqword30 to uniqword39, as the word is completed


def test_the_segments_keep_their_order_and_their_group_through_many_incremental_runs(tmp_path):
    # Longer posts last: the second segment has fewer posts than the first, and enough that
    # Whoosh's policy leaves it alone.
    content = synthetic_blog(tmp_path / "content", 100, words=20)
    for i in range(70):
        (content / f"zz-long-{i:02d}.md").write_text(f'---\ntitle: "Long {i}"\n---\n\n' + "river stone lantern " * 30)
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings, full=True, workers=2)
    first, second = segments_of(storage.current_generation(settings.index_dir).path)
    assert first[1] > second[1]
    for i in range(8):  # Whoosh merges the small segments these make, and lists the rest by size
        (content / f"new-{i}.md").write_text(f'---\ntitle: "New {i}"\n---\n\nriver lantern number {i}\n')
        assert reindex(settings).added == 1
    segments = segments_of(storage.current_generation(settings.index_dir).path)
    assert segments[:2] == [first, second]
    assert len(segments) < 10  # some were merged
    assert parts(settings.index_dir)[0] == ("spg", 0, first[1] + second[1])
    queries = ("river lantern", '"river stone"', "number", "long")
    assert {q: sorted(results(settings.index_dir, q)) for q in queries} == fresh_results(content, tmp_path, queries)


def test_when_a_merge_takes_a_segment_of_the_group_the_others_get_their_files_back(tmp_path):
    content = synthetic_blog(tmp_path / "content", PARALLEL_THRESHOLD, words=20)
    for i in range(40):  # a second segment small enough for Whoosh's policy to merge away
        (content / f"zz-long-{i:02d}.md").write_text(f'---\ntitle: "Long {i}"\n---\n\n' + "river stone lantern " * 30)
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings, full=True, workers=2)
    first, second = segments_of(storage.current_generation(settings.index_dir).path)
    for i in range(6):
        (content / f"new-{i}.md").write_text(f'---\ntitle: "New {i}"\n---\n\nriver lantern number {i}\n')
        assert reindex(settings).added == 1
    generation = storage.current_generation(settings.index_dir).path
    segments = [segment_id for segment_id, _ in segments_of(generation)]
    assert first[0] in segments and second[0] not in segments
    assert not list(generation.glob("*.spg"))
    assert {p.name for p in generation.glob("*.spx")} == {postings.file_name(s) for s in segments}
    assert None not in [kind for kind, _, _ in parts(settings.index_dir)]
    queries = ("river lantern", '"river stone"', "number", "long", "uniqword7")
    found = {q: sorted(results(settings.index_dir, q)) for q in queries}
    # Whoosh sums a merged segment's field lengths from their one-byte approximations: scores move a little.
    assert without_scores(found) == without_scores(fresh_results(content, tmp_path, queries))


def test_a_build_in_three_processes_shares_one_file_and_answers_as_one_process(tmp_path):
    content = synthetic_blog(tmp_path / "content", PARALLEL_THRESHOLD + 30, words=40)
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings, full=True, workers=3)
    generation = storage.current_generation(settings.index_dir).path
    assert len(segments_of(generation)) == 3
    assert [p.suffix for p in generation.glob("*.sp?")] == [".spg"]
    assert parts(settings.index_dir) == [("spg", 0, PARALLEL_THRESHOLD + 30)]
    queries = ("river lantern", '"river socket"', "uniqword5", "kernel", "number 93")
    found = {q: sorted(results(settings.index_dir, q)) for q in queries}
    assert found == fresh_results(content, tmp_path, queries)
    assert all(found.values())
