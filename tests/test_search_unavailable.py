"""Without a published index every call says to run reindex."""

import pytest

from searchsvc.search import SearchRequest
from searchsvc.storage import IndexUnavailable


def test_search_without_an_index(open_index, tmp_path):
    with pytest.raises(IndexUnavailable, match="reindex"):
        open_index(tmp_path / "index").search(SearchRequest(q="python"))


def test_health_without_an_index(open_index, tmp_path):
    with pytest.raises(IndexUnavailable, match="reindex"):
        open_index(tmp_path / "index").health()


def test_health_reports_generation_and_posts(open_index, blog_dirs):
    _, index_dir = blog_dirs
    health = open_index(index_dir).health()
    assert health["generation"] == 1
    assert health["posts"] == 8


def truncate_postings(index_dir):
    from searchsvc import storage

    generation = storage.current_generation(index_dir)
    for path in generation.path.glob("*.pst"):
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 3)
    return generation


def test_health_notices_a_damaged_file_even_when_answers_come_from_memory(open_index, blog_dirs):
    _, index_dir = blog_dirs
    index = open_index(index_dir)
    index.search(SearchRequest(q="python"))  # kept in memory from now on
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable, match=r"\.pst has \d+ bytes instead of \d+; run `searchsvc reindex --full`"):
        index.health()


def test_after_health_finds_damage_searches_say_so_too(open_index, blog_dirs):
    _, index_dir = blog_dirs
    index = open_index(index_dir)
    index.search(SearchRequest(q="python"))
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable):
        index.health()
    with pytest.raises(IndexUnavailable, match="reindex --full"):
        index.search(SearchRequest(q="python"))


def test_a_damaged_generation_is_not_opened(open_index, blog_dirs):
    _, index_dir = blog_dirs
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable, match="instead of"):
        open_index(index_dir).search(SearchRequest(q="python"))
