"""Title: frontmatter, else the first level-1 heading, else the file name."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def title(text, relpath="post.md"):
    return parse_post(relpath, text.encode(), SETTINGS).title


def test_frontmatter_title_is_stripped_and_whitespace_collapsed():
    assert title("---\ntitle: '  Two\u00a0 spaces\tand tab  '\n---\nBody") == "Two spaces and tab"


def test_number_title_becomes_text():
    assert title("---\ntitle: 2024\n---\nBody") == "2024"


def test_heading_title_drops_inline_markup_and_mdx_anchor():
    assert read_post(POSTS / "title_from_heading.md", SETTINGS).title == "Using fetch() with streams"


def test_heading_inside_code_fence_is_not_the_title():
    assert read_post(POSTS / "heading_inside_code_fence.md", SETTINGS).title == "The Real Title"


def test_heading_drops_closing_hashes():
    assert title("# Closed heading ##\n\nText") == "Closed heading"


def test_heading_link_keeps_its_text():
    assert title("# About [Whoosh](https://example.com)\n") == "About Whoosh"


def test_second_level_heading_is_not_the_title():
    assert title("## Section\n\nText", relpath="notes.md") == "Notes"


def test_setext_heading_is_a_title():
    assert title("Underlined Title\n================\n\nText") == "Underlined Title"


def test_hash_without_space_is_not_a_heading():
    assert title("#hashtag\n\nText", relpath="tagged.md") == "Tagged"


def test_title_from_file_name():
    assert title("Just text.", relpath="my-first-post.md") == "My first post"


def test_title_from_directory_of_index_file():
    assert title("Just text.", relpath="guides/getting_started/index.md") == "Getting started"


def test_title_from_file_name_drops_a_date_prefix():
    assert title("Just text.", relpath="2024-01-15-new-year.markdown") == "New year"


@pytest.mark.parametrize("value", ["[a, b]", "{x: 1}", "true", "''", "null"])
def test_unusable_title_falls_back_to_heading(value):
    assert title(f"---\ntitle: {value}\n---\n# From Heading\n") == "From Heading"


def test_description_then_summary_then_excerpt():
    meta = "summary: From summary\nexcerpt: From excerpt"
    assert parse_post("p.md", f"---\n{meta}\n---\nBody".encode(), SETTINGS).description == "From summary"


def test_description_whitespace_collapsed_and_numbers_coerced():
    post = parse_post("p.md", b"---\ndescription: |\n  Line one\n  line two\n---\nBody", SETTINGS)
    assert post.description == "Line one line two"
    assert parse_post("p.md", b"---\ndescription: 42\n---\nBody", SETTINGS).description == "42"


def test_missing_description_is_empty():
    assert parse_post("p.md", b"Body", SETTINGS).description == ""


def test_list_description_is_ignored():
    assert parse_post("p.md", b"---\ndescription: [a]\n---\nBody", SETTINGS).description == ""


def test_very_long_heading_line_is_not_a_title():
    assert title("# " + "[" * 20_000 + "\n\nText", relpath="long.md") == "Long"
