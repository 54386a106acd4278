"""The files kept beside each segment (postings: ``.spx``, stored fields: ``.sdx``) change
nothing that a search answers, and a damaged one is an unavailable index, not a crash."""

from __future__ import annotations

import shutil

import pytest

from searchsvc import documents, postings, storage
from searchsvc.search import SearchIndex, SearchRequest

from conftest import BLOG, assert_unavailable_once_cut_short, close_index, reindex_into

KINDS = ["spx", "sdx"]


def results(index_dir, q):
    index = SearchIndex(index_dir)
    try:
        response = index.search(SearchRequest(q=q))
        return [
            (hit.id, round(hit.score, 9), hit.url, hit.title_html, hit.snippet_html, hit.date, hit.tags,
             hit.authors, [s.anchor for s in hit.sections])
            for hit in response.results
        ]
    finally:
        close_index(index)


@pytest.fixture
def built(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, tmp_path / "index")
    return tmp_path / "index"


@pytest.mark.parametrize("suffix", KINDS)
def test_a_segment_without_its_file_is_an_unavailable_index_until_reindexed(built, suffix):
    """One index format: no answer is read any other way (an index of an older release is rebuilt)."""
    from searchsvc.storage import IndexUnavailable

    generation = storage.current_generation(built)
    manifest = storage.read_manifest(generation.path)
    for path in generation.path.glob(f"*.{suffix}"):
        path.unlink()
        del manifest["files"][path.name]
    storage.write_json_atomic(generation.path / storage.MANIFEST, manifest)
    index = SearchIndex(built)
    try:
        with pytest.raises(IndexUnavailable, match="searchsvc reindex"):
            index.search(SearchRequest(q="python"))
    finally:
        close_index(index)


def test_an_index_of_another_format_is_unavailable_and_the_next_reindex_rebuilds_it(built):
    from searchsvc import indexer
    from searchsvc.config import Settings
    from searchsvc.storage import IndexUnavailable

    generation = storage.current_generation(built)
    manifest = storage.read_manifest(generation.path)
    manifest["schema_version"] = 8
    storage.write_json_atomic(generation.path / storage.MANIFEST, manifest)
    index = SearchIndex(built)
    try:
        with pytest.raises(IndexUnavailable, match=r"another release.*run `searchsvc reindex`"):
            index.search(SearchRequest(q="python"))
    finally:
        close_index(index)
    summary = indexer.reindex(Settings(content_dir=built.parent / "content", index_dir=built))
    assert summary.full and "format 8" in summary.full_reason
    assert results(built, "python")


@pytest.mark.parametrize("suffix", KINDS)
def test_a_file_cut_short_under_a_running_server_is_an_unavailable_index(built, suffix):
    assert_unavailable_once_cut_short(built, suffix)


@pytest.mark.parametrize("opener, what", [
    (postings.SegmentPostings, "not a searchsvc postings file"),
    (documents.SegmentDocuments, "not a searchsvc stored-fields file"),
])
def test_a_file_of_another_kind_is_refused(tmp_path, opener, what):
    path = tmp_path / "x"
    path.write_bytes(b"not what it should be at all, just some bytes to read")
    with pytest.raises(storage.DamagedFile, match=what):
        opener(str(path))
