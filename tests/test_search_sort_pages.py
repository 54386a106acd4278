"""Sorting by date and paging through results."""

import pytest

from searchsvc.search import SearchRequestError


def dates(response):
    return [h.date for h in response.results]


def test_newest_first(content_search):
    found = [d for d in dates(content_search("", sort="newest", per_page=50)) if d]
    assert len(found) == 15
    assert found == sorted(found, reverse=True)


def test_oldest_first(content_search):
    found = [d for d in dates(content_search("", sort="oldest", per_page=50)) if d]
    assert len(found) == 15
    assert found == sorted(found)


def test_newest_first_with_words(content_search):
    found = [d for d in dates(content_search("python", sort="newest", per_page=50)) if d]
    assert len(found) > 2
    assert found == sorted(found, reverse=True)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_undated_posts_come_after_dated_ones(content_search, sort):
    # full-text-search-inverted-index.md has no date: it is neither the newest nor the oldest post.
    results = content_search("", sort=sort, per_page=50).results
    assert results[-1].id == "full-text-search-inverted-index"
    assert all(h.date for h in results[:-1])


def test_newest_and_oldest_are_reverses_for_dated_posts(content_search):
    newest = [h.id for h in content_search("", sort="newest", per_page=50).results if h.date]
    oldest = [h.id for h in content_search("", sort="oldest", per_page=50).results if h.date]
    assert newest == oldest[::-1]


def test_no_words_lists_everything(content_search):
    response = content_search("")
    assert response.total == 16
    assert len(response.results) == 10


def test_pages_partition_the_results(content_search):
    everything = [h.id for h in content_search("", sort="oldest", per_page=50).results]
    paged = []
    for page in range(1, 5):
        response = content_search("", sort="oldest", page=page, per_page=5)
        assert response.total == 16
        assert response.page == page
        assert response.per_page == 5
        assert response.pages == 4
        paged.extend(h.id for h in response.results)
    assert paged == everything


def test_relevance_pages_do_not_repeat(content_search):
    first = [h.id for h in content_search("react", per_page=2).results]
    second = [h.id for h in content_search("react", per_page=2, page=2).results]
    assert len(first) == 2 and second
    assert not set(first) & set(second)


def test_page_past_the_end_is_empty_not_an_error(content_search):
    response = content_search("", page=5, per_page=5)
    assert response.total == 16
    assert response.results == ()


@pytest.mark.parametrize("field, value", [("page", 0), ("per_page", 0), ("page", -1)])
def test_page_below_one_is_an_error(content_search, field, value):
    with pytest.raises(SearchRequestError) as info:
        content_search("react", **{field: value})
    assert info.value.parameter == field


def test_too_deep_is_an_error(content_search):
    with pytest.raises(SearchRequestError) as info:
        content_search("react", page=101, per_page=10)
    assert info.value.parameter == "page"


def test_unknown_sort_is_an_error(content_search):
    with pytest.raises(SearchRequestError) as info:
        content_search("react", sort="bogus")
    assert info.value.parameter == "sort"
