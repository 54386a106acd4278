"""Anchors: explicit ids win, else a GitHub-style slug; unique within a post."""

import pytest

from searchsvc.extract import extract, extract_html, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello World", "hello-world"),
        ("What's new in React 19?", "whats-new-in-react-19"),
        ("Café au lait", "café-au-lait"),
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
        ("Foo & Bar", "foo--bar"),
        ("日本語 見出し", "日本語-見出し"),
        ("Node.js v20.1", "nodejs-v201"),
        ("  spaced\u00a0out  ", "spaced-out"),
        ("!!!", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_anchor_is_the_slug_of_the_heading_text():
    assert extract("## Hello, World!").sections[0].anchor == "hello-world"


def test_id_attribute_on_a_raw_html_heading_wins():
    assert extract_html('<h2 id="custom">Hello</h2>').sections[0].anchor == "custom"


def test_trailing_curly_hash_id_is_the_anchor_and_leaves_the_text():
    section = extract("## Hello {#custom-id}").sections[0]
    assert (section.heading, section.anchor) == ("Hello", "custom-id")


def test_trailing_curly_hash_id_with_underscores_is_not_emphasis():
    assert extract("## Hello {#_x_}").sections[0].anchor == "_x_"


def test_trailing_mdx_comment_is_the_anchor_and_leaves_the_text():
    section = extract("## What's new {/*whats-new*/}").sections[0]
    assert (section.heading, section.anchor) == ("What's new", "whats-new")


def test_mdx_comment_id_after_inline_code():
    section = extract("### React DOM: `<form>` Actions {/*form-actions*/}").sections[0]
    assert (section.heading, section.anchor) == ("React DOM: <form> Actions", "form-actions")


def test_a_trailing_mdx_comment_with_spaces_is_a_comment_not_an_id():
    section = extract("## Hello {/* TODO: rename */}").sections[0]
    assert (section.heading, section.anchor) == ("Hello", "hello")


def test_repeated_headings_get_numbered_anchors():
    result = extract("## Setup\n\n## Setup\n\n## Setup")
    assert [s.anchor for s in result.sections] == ["setup", "setup-1", "setup-2"]


def test_numbering_skips_names_already_taken():
    result = extract("## Setup 1\n\n## Setup\n\n## Setup")
    assert [s.anchor for s in result.sections] == ["setup-1", "setup", "setup-2"]


def test_explicit_ids_reserve_their_names_even_when_later():
    result = extract("## Setup\n\n## Other {#setup}")
    assert [s.anchor for s in result.sections] == ["setup-1", "setup"]


def test_repeated_explicit_ids_are_made_unique():
    result = extract_html('<h2 id="x">A</h2><h2 id="x">B</h2>')
    assert [s.anchor for s in result.sections] == ["x", "x-1"]


def test_an_empty_heading_gets_section():
    result = extract_html("<h2></h2><h2> </h2><h2>!!!</h2>")
    assert [s.anchor for s in result.sections] == ["section", "section-1", "section-2"]
