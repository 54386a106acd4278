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
def test_an_index_written_before_the_files_gives_the_same_results(built, suffix):
    queries = ("python", "react hooks", "testing", '"server actions"')
    with_files = {q: results(built, q) for q in queries}
    assert all(with_files.values())
    generation = storage.current_generation(built)
    manifest = storage.read_manifest(generation.path)
    for path in generation.path.glob(f"*.{suffix}"):
        path.unlink()
        del manifest["files"][path.name]
    storage.write_json_atomic(generation.path / storage.MANIFEST, manifest)
    assert {q: results(built, q) for q in queries} == with_files


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
