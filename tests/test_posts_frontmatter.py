"""Splitting frontmatter (YAML, TOML, JSON, none) from the body, and its errors."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import Author, Post, PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def read(name):
    return read_post(POSTS / name, SETTINGS)


def parse(text, relpath="post.md"):
    return parse_post(relpath, text.encode(), SETTINGS)


def reason(name):
    with pytest.raises(PostError) as err:
        read(name)
    return err.value.reason


def test_yaml_frontmatter_gives_every_field():
    assert read("full_yaml_frontmatter.md") == Post(
        path="full_yaml_frontmatter.md",
        slug="full_yaml_frontmatter",
        url="/blog/full_yaml_frontmatter",
        title="Caching Static Sites with a CDN",
        description="How long to cache HTML, assets and feeds, and how to purge after a deploy.",
        date=datetime(2024, 3, 4, tzinfo=timezone.utc),
        updated=None,
        tags=("Caching", "Ops"),
        authors=(Author("Dana Whitfield", "Site Reliability Engineer"),),
        reading_minutes=5,
        body="Static sites are fast until the cache serves yesterday's page.\n\n"
        "## Cache HTML briefly\n\nKeep HTML short-lived and fingerprint everything else.",
    )


def test_toml_frontmatter():
    post = read("toml_frontmatter.md")
    assert post.title == "Bounded Queues in Go"
    assert post.date == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert post.tags == ("Go", "Concurrency")
    assert post.authors == (Author("Jonas Weber", "Platform Engineer"),)
    assert post.body == "A queue without a bound is a memory leak with extra steps."


def test_json_frontmatter():
    post = read("json_frontmatter.md")
    assert (post.title, post.tags) == ("Reading JSON Frontmatter", ("Hugo",))
    assert post.body == "Hugo accepts a JSON object at the top of a post."


def test_json_frontmatter_ends_where_the_object_ends_not_at_the_first_brace_line():
    post = read("json_frontmatter_brace_line.md")
    assert post.authors == (Author("Kim Park"),)
    assert post.body == "Hugo accepts a JSON object at the top of a post."


def test_no_frontmatter_keeps_the_whole_text_as_body():
    post = read("no_frontmatter.md")
    assert post.title == "No frontmatter"
    assert post.body == "Just a note with no metadata at all.\n\nIt still gets indexed."


PELICAN = """Title: My super title
Date: 2010-12-03 10:20
Category: Python
Tags: pelican, publishing
Slug: my-super-post
Authors: Alexis Metaireau, Conan Doyle
Summary: Short version for index
    and feeds

This is the content of my super blog post.
"""


def test_a_header_of_key_value_lines_is_the_posts_metadata():
    # As Pelican, MultiMarkdown and Python-Markdown's meta extension write it.
    post = parse(PELICAN)
    assert post.title == "My super title"
    assert post.date == datetime(2010, 12, 3, 10, 20, tzinfo=timezone.utc)
    assert post.tags == ("pelican", "publishing", "Python")
    assert post.authors == (Author("Alexis Metaireau"), Author("Conan Doyle"))
    assert post.description == "Short version for index and feeds"
    assert post.slug == "my-super-post"
    assert post.body == "This is the content of my super blog post."


def test_a_header_with_status_draft_is_a_draft():
    assert parse("Title: Soon\nStatus: draft\n\nText.\n").hidden


@pytest.mark.parametrize("text", [
    "Note: this post has no metadata.\n\nText.\n",      # no title: the first line is text
    "Title: Hello\nthen a sentence.\n\nText.\n",         # a line that is not "Key: value"
])
def test_text_that_only_looks_like_a_header_stays_the_body(text):
    assert parse(text).body == text.strip()


def test_malformed_yaml_names_the_line_in_the_file():
    assert reason("malformed_yaml.md") == (
        "has malformed YAML frontmatter: expected ',' or ']', but got ':' on line 4"
    )


def test_malformed_toml_names_the_line_in_the_file():
    assert reason("malformed_toml.md") == "has malformed TOML frontmatter: invalid value on line 3"


def test_malformed_json_names_the_line_in_the_file():
    assert reason("malformed_json.md") == "has malformed JSON frontmatter: expecting value on line 3"


def test_yaml_line_numbers_count_blank_lines_before_the_frontmatter():
    with pytest.raises(PostError) as err:
        parse("\n\n---\ntitle: ok\nbad: [\n---\nBody")
    assert err.value.reason.endswith("on line 6")


def test_frontmatter_that_is_a_list_is_refused():
    assert reason("frontmatter_list.md") == "frontmatter must be a mapping of keys to values, not a list"


def test_frontmatter_that_is_text_is_refused():
    with pytest.raises(PostError) as err:
        parse("---\njust words\n---\nBody")
    assert err.value.reason == "frontmatter must be a mapping of keys to values, not text"


def test_unclosed_frontmatter_is_refused():
    assert reason("frontmatter_unclosed.md") == (
        'starts YAML frontmatter on line 1 but has no closing "---" line'
    )


def test_empty_frontmatter_is_no_metadata():
    post = parse("---\n---\nBody", relpath="empty-meta.md")
    assert (post.title, post.body) == ("Empty meta", "Body")


def test_unknown_keys_are_ignored():
    post = parse("---\ntitle: Known\nshareEnabled: true\nlayout: post\n---\nBody")
    assert post.title == "Known"


def test_body_keeps_a_later_horizontal_rule():
    post = parse("---\ntitle: Rule\n---\nAbove\n\n---\n\nBelow")
    assert post.body == "Above\n\n---\n\nBelow"


def test_error_names_the_file_the_reason_and_the_field():
    with pytest.raises(PostError) as err:
        parse("---\nslug: {a: 1}\n---\nBody", relpath="notes/when.md")
    assert (err.value.path, err.value.field) == ("notes/when.md", "slug")
    assert str(err.value) == "notes/when.md: must be text, not a mapping (field 'slug')"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("---\na: " + "{a: " * 100_000 + "}" * 100_000 + "\n---\nBody", "YAML"),
        ("+++\na = " + "[" * 100_000 + "]" * 100_000 + "\n+++\nBody", "TOML"),
        ('{\n"a": ' + "[" * 100_000 + "]" * 100_000 + "\n}\nBody", "JSON"),
    ],
)
def test_deeply_nested_frontmatter_is_refused_not_crashing(text, kind):
    with pytest.raises(PostError) as err:
        parse(text)
    assert err.value.reason == f"has malformed {kind} frontmatter: it is nested too deeply"


def test_yaml_python_tags_are_not_executed():
    with pytest.raises(PostError) as err:
        parse("---\ntitle: !!python/object/apply:os.system [echo]\n---\nBody")
    assert err.value.reason.startswith("has malformed YAML frontmatter: could not determine a constructor")
