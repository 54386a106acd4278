"""slug and url: from the path, frontmatter slug, or a checked permalink/url/path."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def parse(relpath, meta="title: x", settings=SETTINGS):
    return parse_post(relpath, f"---\n{meta}\n---\nBody".encode(), settings)


@pytest.mark.parametrize(
    "relpath, slug",
    [
        ("hello.md", "hello"),
        ("guides/intro.markdown", "guides/intro"),
        ("guides/intro/index.md", "guides/intro"),
        ("docs/_index.md", "docs"),
        ("index.md", "index"),
        ("Guides/My Post.mdx", "guides/my-post"),
        ("2024/01/15/Server  Actions.md", "2024/01/15/server-actions"),
    ],
)
def test_slug_from_path(relpath, slug):
    assert parse(relpath).slug == slug


def test_url_from_template():
    assert parse("guides/intro.md").url == "/blog/guides/intro"


def test_url_template_from_settings():
    settings = SETTINGS.replace(url_template="https://example.com/posts/{slug}/")
    assert parse("intro.md", settings=settings).url == "https://example.com/posts/intro/"


def test_url_quotes_non_ascii_slug():
    post = parse("café crème.md")
    assert (post.slug, post.url) == ("café-crème", "/blog/caf%C3%A9-cr%C3%A8me")


def test_frontmatter_slug_replaces_the_last_segment():
    post = parse("2024/draft-name.md", "slug: final-name")
    assert (post.slug, post.url) == ("2024/final-name", "/blog/2024/final-name")


def test_frontmatter_slug_on_index_file():
    assert parse("guides/intro/index.md", "slug: start").slug == "guides/start"


def test_frontmatter_slug_keeps_case_and_dashes_spaces():
    assert parse("a.md", "slug: My Post").slug == "My-Post"


def test_frontmatter_slug_with_dot_dot_is_refused():
    with pytest.raises(PostError) as err:
        parse("a.md", "slug: ../admin")
    assert err.value.field == "slug"


def test_permalink_gives_url_and_slug():
    post = parse("a.md", "permalink: /2024/hello-world/")
    assert (post.url, post.slug) == ("/2024/hello-world/", "2024/hello-world")


def test_relative_url_is_made_root_relative():
    post = parse("a.md", "url: notes/hello")
    assert (post.url, post.slug) == ("/notes/hello", "notes/hello")


def test_path_key_gives_url():
    assert parse("a.md", "path: /blog/other").url == "/blog/other"


def test_absolute_https_permalink_is_kept():
    post = parse("a.md", "permalink: https://example.com/blog/hello?ref=feed#top")
    assert (post.url, post.slug) == ("https://example.com/blog/hello?ref=feed#top", "blog/hello")


def test_permalink_wins_over_slug():
    assert parse("a.md", "slug: ignored\npermalink: /chosen").slug == "chosen"


def test_error_message_escapes_invisible_characters():
    with pytest.raises(PostError) as err:
        parse("a.md", 'url: "/a\\u202eb"')
    assert '"/a\\u202eb"' in err.value.reason


def test_javascript_permalink_fixture_is_refused():
    with pytest.raises(PostError) as err:
        read_post(POSTS / "permalink_javascript.md", SETTINGS)
    assert err.value.field == "permalink"
    assert err.value.reason == (
        'is not a safe address: "javascript:alert(1)" (write a path like "/blog/my-post" or an http(s) address)'
    )


@pytest.mark.parametrize(
    "value",
    [
        "'data:text/html,<b>x</b>'",
        "//evil.com/x",
        "'/\\evil.com'",
        "ftp://example.com/a",
        "'http:///no-host'",
        '"/a\\tb"',
        '"/a\\x00b"',
        '"/a\\u202eb"',
        "'/a b'",
        "'/a%00b'",
        "[/a]",
    ],
)
def test_unsafe_url_is_refused(value):
    with pytest.raises(PostError) as err:
        parse("a.md", f"url: {value}")
    assert err.value.field == "url"
