"""A query carrying markup comes back escaped; stored text is escaped around <mark>."""

import re

import pytest

PAYLOAD = "<script>alert(1)</script>"


def only_mark_tags(html: str) -> bool:
    """True when the only tags in ``html`` are <mark> and </mark>."""
    return "<" not in re.sub(r"</?mark>", "", html) and ">" not in re.sub(r"</?mark>", "", html)


@pytest.mark.parametrize(
    "q",
    [
        PAYLOAD,
        f"xss {PAYLOAD}",
        f"script OR {PAYLOAD}",
        f'"{PAYLOAD}"',
        f"escaping -{PAYLOAD}",
        f"tag:{PAYLOAD} OR script",
    ],
)
def test_query_with_markup_never_yields_raw_markup(content_search, q):
    response = content_search(q, per_page=50)
    assert response.query == q
    for hit in response.results:
        assert "<script" not in hit.title_html.lower()
        assert "<script" not in hit.snippet_html.lower()
        assert only_mark_tags(hit.title_html), hit.title_html
        assert only_mark_tags(hit.snippet_html), hit.snippet_html


def test_script_payload_query_with_a_matching_word_has_results(content_search):
    assert content_search(f"script OR {PAYLOAD}").total > 0


@pytest.mark.parametrize("q", ["script", "html", "escaping", "dangerouslySetInnerHTML", "template"])
def test_snippets_of_a_post_about_html_only_contain_mark_tags(content_search, q):
    response = content_search(q, per_page=50)
    assert response.results
    for hit in response.results:
        assert only_mark_tags(hit.snippet_html), hit.snippet_html
        assert only_mark_tags(hit.title_html), hit.title_html


def test_angle_brackets_in_a_title_are_escaped(blog_search):
    hit = blog_search("comparator").results[0]
    assert hit.title == "Comparators & <Generics> in Prose"
    assert hit.title_html == "<mark>Comparators</mark> &amp; &lt;Generics&gt; in Prose"


def test_angle_brackets_in_text_are_escaped_in_the_snippet(blog_search):
    snippet = blog_search("comparator").results[0].snippet_html
    assert "<mark>comparator</mark>" in snippet
    assert "a &lt; b" in snippet
    assert only_mark_tags(snippet)
