"""Words match their stems and accent-free spellings."""

import pytest

from searchsvc.search import SearchRequest


def ids(response):
    return {h.id for h in response.results}


def test_caching_finds_posts_that_say_cache(make_blog, build_index, open_index):
    content = make_blog({"only-cache.md": "# Notes\n\nWe cache the results for an hour.\n"})
    settings, _ = build_index(content)
    response = open_index(settings.index_dir).search(SearchRequest(q="caching"))
    assert [h.id for h in response.results] == ["only-cache"]


def test_caching_and_cache_find_the_same_posts(content_search):
    caching = ids(content_search("caching", per_page=50))
    assert caching == ids(content_search("cache", per_page=50))
    assert "docker-image-size-multi-stage" in caching


@pytest.mark.parametrize(
    "q, expected",
    [
        ("resume", "cafe-creme-caching-accents"),
        ("résumé", "cafe-creme-caching-accents"),
        ("zurich", "cafe-creme-caching-accents"),
        ("Zürich", "cafe-creme-caching-accents"),
        ("ZURICH", "cafe-creme-caching-accents"),
        ("cafe creme", "cafe-creme-caching-accents"),
    ],
)
def test_accents_fold(content_search, q, expected):
    assert content_search(q).results[0].id == expected


def test_resume_finds_only_the_post_with_resume(content_search):
    assert ids(content_search("resume", per_page=50)) == {"cafe-creme-caching-accents"}


@pytest.mark.parametrize("q", ["the", "the of and", '"the"'])
def test_stop_words_alone_do_not_fail(content_search, q):
    content_search(q)
