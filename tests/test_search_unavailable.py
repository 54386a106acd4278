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
