"""Tag facets count every matching post, not just the page, with the tag's display case."""

from collections import Counter


def all_tags(response):
    return Counter(tag for hit in response.results for tag in hit.tags)


def test_facets_count_all_matches_not_the_page(content_search):
    page = content_search("tutorial", per_page=1)
    everything = content_search("tutorial", per_page=50)
    assert len(page.results) == 1 and page.total > 1
    assert page.facets["tags"] == dict(all_tags(everything))


def test_facets_without_words_count_every_post(content_search):
    response = content_search("", per_page=2)
    assert response.facets["tags"]["Frontend"] == 4
    assert response.facets["tags"]["Python"] == 3
    assert sum(response.facets["tags"].values()) == sum(all_tags(content_search("", per_page=50)).values())


def test_facets_keep_display_case(content_search):
    tags = content_search("", per_page=1).facets["tags"]
    assert {"Next.js", "PostgreSQL", "Developer Tools", "CSS", "TypeScript"} <= set(tags)
    assert not {"next.js", "postgresql", "developer tools"} & set(tags)


def test_facets_follow_filters(content_search):
    response = content_search("", tags=("Python",), per_page=1)
    assert response.facets["tags"]["Python"] == 3
    assert response.facets["tags"]["Tutorial"] == 2
    assert "Go" not in response.facets["tags"]


def test_facets_are_ordered_by_count(content_search):
    counts = list(content_search("", per_page=1).facets["tags"].values())
    assert counts == sorted(counts, reverse=True)


def test_no_match_no_facets(content_search):
    assert content_search("qwxzptlk").facets == {"tags": {}, "authors": {}, "years": {}, "langs": {}}
