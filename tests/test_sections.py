"""Sections per hit: up to 3 best-matching {heading, anchor, url}; the snippet comes from the best one;
results are posts, never sections."""

import re

import pytest

from searchsvc.search import SearchIndex, SearchRequest

DEPLOY = """---
title: Deploying Web Apps
---

Intro paragraph about deployment in general terms.

## Install the CLI

Run the installer and check the version of the tool you downloaded.

## Configure Caching

Set the cache headers so that caching works for static assets and pages.

## Rollback Plan

Keep the previous release around so a rollback takes seconds, not minutes.

## Monitoring

Watch the hit rate of the cache and alert when caching drops below the target.

## Caching FAQ

Caching questions answered: why caching, when caching, how caching.

## Closing Notes

The end of the deployment notes, with one last word on caching.
"""

OTHER = """---
title: Gardening
---

Tomatoes need sun and water.
"""


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """``search(q, **SearchRequest fields)`` over DEPLOY and OTHER, indexed once for this module."""
    from conftest import close_index, reindex_into, write_posts

    root = tmp_path_factory.mktemp("sections")
    content = write_posts(root / "content", {"deploy.md": DEPLOY, "other.md": OTHER})
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped, summary.skipped
    index = SearchIndex(root / "index")
    yield lambda q, **kw: index.search(SearchRequest(q=q, **kw))
    close_index(index)


def anchors(hit) -> list[str]:
    return [s.anchor for s in hit.sections]


def test_a_result_lists_its_best_sections_first(search):
    hit = search("caching").results[0]
    assert anchors(hit)[0] == "caching-faq"


def test_at_most_three_sections(search):
    hit = search("caching").results[0]
    assert len(hit.sections) == 3


def test_section_url_is_the_post_url_with_the_anchor(search):
    hit = search("caching").results[0]
    for section in hit.sections:
        assert section.url == f"{hit.url}#{section.anchor}"
        assert section.url.endswith(f"#{section.anchor}")


def test_section_carries_its_heading_text(search):
    hit = search("rollback").results[0]
    assert [(s.heading, s.anchor) for s in hit.sections] == [("Rollback Plan", "rollback-plan")]


@pytest.mark.parametrize(
    "q, anchor",
    [
        ("Install the CLI", "install-the-cli"),
        ("install the cli", "install-the-cli"),
        ("Rollback Plan", "rollback-plan"),
        ("Configure Caching", "configure-caching"),
        ("Caching FAQ", "caching-faq"),
        ("Monitoring", "monitoring"),
        ("Closing Notes", "closing-notes"),
    ],
)
def test_a_heading_as_the_query_gives_that_heading_first(search, q, anchor):
    hit = search(q).results[0]
    assert hit.id == "deploy"
    assert anchors(hit)[0] == anchor


def test_snippet_comes_from_the_best_section(search):
    snippet = search("caching").results[0].snippet_html
    assert "questions answered" in snippet
    assert "<mark>" in snippet
    assert "static assets" not in snippet  # the text of another matching section


def test_snippet_comes_from_the_section_named_by_the_heading_query(search):
    snippet = search("rollback plan").results[0].snippet_html
    assert "<mark>rollback</mark> takes seconds" in snippet


def test_a_section_matched_only_by_its_heading_shows_whole_words(make_blog, build_index, open_index):
    filler = " ".join(f"filler{i}" for i in range(60))
    settings, _ = build_index(make_blog({"p.md": f"---\ntitle: Notes\n---\n\nIntro text here.\n\n## Rollback Plan\n\n{filler}\n"}))
    hit = open_index(settings.index_dir).search(SearchRequest(q="rollback")).results[0]
    assert anchors(hit) == ["rollback-plan"]
    shown = re.sub(r"</?mark>", "", hit.snippet_html).replace("…", " ").split()
    assert set(shown) <= set(filler.split()), hit.snippet_html



def test_a_heading_typed_whole_is_the_first_section_over_a_subsection_with_its_words(make_blog, build_index,
                                                                                     open_index):
    # The subsection's heading has the same words, and its text more of them.
    post = ("---\ntitle: Notes\n---\n\nIntro.\n\n## Full-stack frameworks\n\nSome words.\n\n"
            "#### Frameworks that are full-stack need no server\n\n"
            "Full-stack frameworks: frameworks, full-stack, stack, frameworks again.\n")
    settings, _ = build_index(make_blog({"p.md": post}))
    hit = open_index(settings.index_dir).search(SearchRequest(q="Full-stack frameworks")).results[0]
    assert anchors(hit)[0] == "full-stack-frameworks"

def test_a_question_word_in_a_heading_does_not_make_it_the_first_section(make_blog, build_index, open_index):
    # "how" frames the question; the section on the subject is the one with its words.
    post = ("---\ntitle: Notes\n---\n\nIntro.\n\n## How it works\n\nThe collector frees memory often.\n\n"
            "## Heap snapshots\n\nWe debug memory leaks with them.\n")
    settings, _ = build_index(make_blog({"p.md": post}))
    hit = open_index(settings.index_dir).search(SearchRequest(q="how to debug memory leaks")).results[0]
    assert anchors(hit)[0] == "heap-snapshots"


def test_the_title_as_the_query_returns_the_post(search):
    response = search("Deploying Web Apps")
    assert [h.id for h in response.results] == ["deploy"]


def test_a_post_with_many_matching_sections_is_one_result(search):
    response = search("caching")
    assert [h.id for h in response.results] == ["deploy"]
    assert response.total == 1


def test_a_post_without_headings_has_no_sections(make_blog, build_index, open_index):
    settings, _ = build_index(make_blog({"p.md": "---\ntitle: Notes\n---\n\nJust a zebracorn paragraph.\n"}))
    hit = open_index(settings.index_dir).search(SearchRequest(q="zebracorn")).results[0]
    assert hit.sections == ()
    assert hit.snippet_html == "Just a <mark>zebracorn</mark> paragraph."


def test_no_sections_when_only_the_title_matches(search):
    assert search("deploying").results[0].sections == ()


def test_sections_in_the_api_json(make_blog, build_index, make_app):
    settings, _ = build_index(make_blog({"deploy.md": DEPLOY}))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    result = client.get("/api/search?q=rollback").get_json()["results"][0]
    assert result["sections"] == [
        {"heading": "Rollback Plan", "anchor": "rollback-plan", "url": "/blog/deploy#rollback-plan"}
    ]


def test_heading_words_are_analysed_when_indexed_as_a_search_would():
    from searchsvc.indexer import _query_words
    from searchsvc.schema import build_schema

    schema = build_schema()
    for heading in ["Configure Caching", "Résumé: the useEffect hooks", "", "The and of"]:
        analysed = [t.text for t in schema["headings"].analyzer(heading, mode="query")]
        assert _query_words(heading).split() == analysed


def test_an_index_without_heading_words_ranks_sections_the_same(make_blog, build_index, open_index):
    from searchsvc.snapshot import StoredPost

    content = make_blog({"deploy.md": DEPLOY})
    _, _ = build_index(content, index_dir := content.parent / "ix")
    with open_index(index_dir).searcher() as (_, searcher):
        fields = searcher.stored_fields(0)
        schema = searcher.schema
    stored = StoredPost(fields)
    old = dict(fields, meta=dict(fields["meta"], sections=[s[:5] for s in fields["meta"]["sections"]]))
    assert all(s.words is not None for s in stored.spans)
    assert stored.heading_terms(schema) == StoredPost(old).heading_terms(schema)
