"""Filters given as request fields (not query text): tags, author, from/to dates."""

from datetime import date

import pytest

from searchsvc.search import SearchRequestError


def ids(response):
    return {h.id for h in response.results}


def test_one_tag(content_search):
    assert ids(content_search(tags=("Python",), per_page=50)) == {
        "cafe-creme-caching-accents",
        "guides/pytest-fixtures-parametrize",
        "python-packaging-pyproject",
    }


def test_tags_all_must_match(content_search):
    assert ids(content_search(tags=("Python", "Tutorial"), per_page=50)) == {
        "guides/pytest-fixtures-parametrize",
        "python-packaging-pyproject",
    }


def test_tag_is_case_insensitive(content_search):
    assert ids(content_search(tags=("next.js",))) == {"nextjs-server-actions"}


def test_tag_with_a_space(content_search):
    assert ids(content_search(tags=("Developer Tools",))) == {"guides/git-interactive-rebase-workflow"}


def test_tag_filter_with_words(content_search):
    expected = ids(content_search("caching", per_page=50)) & ids(content_search(tags=("Python",), per_page=50))
    assert ids(content_search("caching", tags=("Python",), per_page=50)) == expected == {"cafe-creme-caching-accents"}


def test_tag_filter_text_is_not_parsed(content_search):
    assert content_search(tags=("python OR go",)).total == 0


def test_author(content_search):
    assert ids(content_search(author="Sam Lee", per_page=50)) == {
        "rust-ownership-borrow-checker",
        "xss-escaping-untrusted-html",
    }


def test_author_is_case_insensitive(content_search):
    assert ids(content_search(author="sam lee", per_page=50)) == ids(content_search(author="Sam Lee", per_page=50))


def test_unknown_author_finds_nothing(content_search):
    assert content_search(author="Nobody Atall").total == 0


def test_date_range_is_inclusive(content_search):
    assert ids(content_search(date_from=date(2024, 6, 18), date_to=date(2024, 11, 12), per_page=50)) == {
        "rust-ownership-borrow-checker",
        "accessible-modal-dialogs",
        "cafe-creme-caching-accents",
        "core-web-vitals-lcp",
    }


def test_single_day(content_search):
    assert ids(content_search(date_from=date(2024, 1, 15), date_to=date(2024, 1, 15))) == {"nextjs-server-actions"}


def test_from_only(content_search):
    assert ids(content_search(date_from=date(2025, 1, 1), per_page=50)) == {
        "guides/postgresql-indexes-field-guide",
        "kubernetes-readiness-probes",
    }


def test_to_only(content_search):
    assert ids(content_search(date_to=date(2023, 10, 2), per_page=50)) == {
        "css-grid-template-areas",
        "react-hooks-pitfalls",
    }


def test_date_filter_leaves_out_undated_posts(content_search):
    assert "full-text-search-inverted-index" not in ids(content_search(date_to=date(2100, 1, 1), per_page=50))


def test_from_after_to_is_an_error(content_search):
    with pytest.raises(SearchRequestError) as info:
        content_search(date_from=date(2024, 2, 1), date_to=date(2024, 1, 1))
    assert info.value.parameter == "from"


def test_filters_combine(content_search):
    assert ids(content_search("tutorial", tags=("Python",), author="Priya Natarajan", date_to=date(2024, 2, 28))) == {
        "python-packaging-pyproject"
    }


# A dotted capital I ("İstanbul") lower-cases to "i" and a combining dot in Python and in
# browsers: the tag is keyed as the words are read, "istanbul".
TURKISH = {
    "gezi.md": '---\ntitle: "Gezi notları"\ntags: ["İstanbul", "Yemek"]\n---\n\nBoğaz kıyısında bir gün.\n',
    "kod.md": '---\ntitle: "Kod notları"\ntags: ["Yazılım"]\n---\n\nBir gün kod yazdık.\n',
}


@pytest.mark.parametrize("tag", ["İstanbul", "istanbul", "ISTANBUL", "i\u0307stanbul"])
def test_a_tag_with_a_dotted_capital_i_is_found_however_it_is_typed(search_blog, tag):
    search = search_blog(TURKISH)
    assert ids(search("", tags=(tag,))) == {"gezi"}
    assert ids(search("", tags_any=(tag, "Yazılım"))) == {"gezi", "kod"}
    assert ids(search(f"gün tag:{tag}")) == {"gezi"}


def test_a_tag_with_a_dotted_capital_i_keeps_its_spelling_in_the_facets(search_blog):
    response = search_blog(TURKISH)("gün")
    assert response.facets["tags"].get("İstanbul") == 1
