"""What is not published is not findable: drafts, and text inside <script> elements."""

import pytest


@pytest.mark.parametrize("q", ["zeppelin", "Zeppelin Sync", "Unreleased Roadmap"])
def test_draft_post_is_not_found(content_search, q):
    response = content_search(q, per_page=50)
    assert "roadmap-2025-project-zeppelin" not in {hit.id for hit in response.results}
    assert "zeppelin" not in " ".join(hit.snippet_html.lower() for hit in response.results)


def test_draft_post_is_not_listed_without_a_query(content_search):
    ids = {h.id for h in content_search("", per_page=50).results}
    assert "roadmap-2025-project-zeppelin" not in ids
    assert len(ids) == 16


def test_text_inside_a_script_element_is_not_indexed(content_search):
    assert content_search("xsscanary").total == 0


def test_the_post_around_the_script_is_still_found(content_search):
    assert content_search("cross-site scripting").results[0].id == "xss-escaping-untrusted-html"


def test_draft_in_the_test_blog_is_not_found(blog_search):
    assert blog_search("blimpcargo").total == 0


DRAFTS_ONLY = {"soon.md": "---\ntitle: Coming soon\ndraft: true\n---\n\nA post about zeppelins.\n"}


@pytest.mark.parametrize("params", [
    {"q": "zeppelin"}, {"q": "zeppelin", "tag": "news"}, {"q": "服务"}, {"q": "\"coming soon\""},
    {"q": "zep"}, {"q": ""},
])
def test_a_blog_whose_posts_are_all_drafts_answers_with_no_results(make_blog, build_index, make_app, params):
    # A new blog, or one whose every post is a draft: an index of no posts.
    settings, summary = build_index(make_blog(DRAFTS_ONLY))
    assert summary.total == 0
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200
    assert response.get_json()["results"] == []
