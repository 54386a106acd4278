"""A query out of time answers at once with what it has, flagged partial (in-process)."""

from __future__ import annotations

import time

import pytest

from searchsvc.search import SearchIndex, SearchRequest

from conftest import close_index, reindex_into, write_posts


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("deadline")
    posts = {f"p{i}.md": f"---\ntitle: Post {i}\n---\n\nstreams and buffers, part {i}\n" for i in range(30)}
    reindex_into(write_posts(root / "content", posts), root / "index")
    return root / "index"


def search(index_dir, q: str, time_limit: float):
    index = SearchIndex(index_dir, time_limit=time_limit)
    try:
        return index.search(SearchRequest(q=q))
    finally:
        close_index(index)


def test_a_query_with_time_left_is_complete(index_dir):
    response = search(index_dir, "streams", time_limit=10)
    assert response.partial is False
    assert response.total == 30


def test_a_query_out_of_time_is_flagged_partial(index_dir):
    response = search(index_dir, '"buffers part" streams', time_limit=0)
    assert response.partial is True
    assert response.total >= len(response.results)


def test_a_partial_response_is_not_cached(index_dir):
    index = SearchIndex(index_dir, time_limit=0)
    try:
        assert index.search(SearchRequest(q="streams")).partial is True
        index.time_limit = 10
        assert index.search(SearchRequest(q="streams")).partial is False
    finally:
        close_index(index)



def test_the_time_limit_is_the_querys_own_not_the_first_reading_of_the_index(index_dir, monkeypatch):
    # The first search of a generation reads its words (0.15 s at 1,000 posts, seconds at
    # 10,000): that is not the query's time, and it found nothing when it was counted.
    from searchsvc import vocabulary

    def slow_lexicon(self, *args, **kwargs):
        time.sleep(0.3)
        read_words(self, *args, **kwargs)

    read_words = vocabulary.Lexicon.__init__
    monkeypatch.setattr(vocabulary.Lexicon, "__init__", slow_lexicon)
    response = search(index_dir, "streams", time_limit=0.25)
    assert response.partial is False
    assert response.total == 30
