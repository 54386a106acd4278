"""tags (plus categories): list or comma text, cleaned, de-duplicated case-insensitively."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def tags(meta):
    return parse_post("post.md", f"---\n{meta}\n---\nBody".encode(), SETTINGS).tags


@pytest.mark.parametrize(
    "meta, expected",
    [
        ("tags: [Python, Web]", ("Python", "Web")),
        ("tags: 'Python, Web'", ("Python", "Web")),
        ("tags: Python", ("Python",)),
        ("tags:\n  - ' Python '\n  - ''\n  -\n  - Web", ("Python", "Web")),
        ("tags: [Python, python, PYTHON]", ("Python",)),
        ("tags: ['#python', '# web']", ("python", "web")),
        ("tags: [2024, 3.5]", ("2024", "3.5")),
        ("tags: 2024", ("2024",)),
        ("tags: [Machine   learning]", ("Machine learning",)),
        ("tags: [a]\ncategories: [b, A]", ("a", "b")),
        ("category: news", ("news",)),
        ("tags: []", ()),
        ("tags:", ()),
        ("title: none", ()),
    ],
)
def test_tag_forms(meta, expected):
    assert tags(meta) == expected


def test_comma_string_fixture():
    post = read_post(POSTS / "tags_comma_string.md", SETTINGS)
    assert post.tags == ("Rust", "Performance", "Tooling")
    assert post.tag_keys == ("rust", "performance", "tooling")


def test_mapping_tags_are_refused():
    with pytest.raises(PostError) as err:
        tags("tags: {python: true}")
    assert err.value.field == "tags"
    assert err.value.reason.startswith("has tags that cannot be read: a mapping")


def test_nested_list_tag_is_refused():
    with pytest.raises(PostError) as err:
        tags("tags: [[a, b]]")
    assert err.value.field == "tags"
    assert err.value.reason.startswith("has a tag that cannot be read: a list")


def test_categories_in_hierarchies_are_tags():
    # Hexo: [Tech, Web] is one category under another; [[Tech, Web], [News]] two of them.
    assert tags("categories: [[Tech, Web], [News]]") == ("Tech", "Web", "News")


def test_categories_nested_deeper_are_refused():
    with pytest.raises(PostError) as err:
        tags("categories: [[a, [b]]]")
    assert err.value.field == "categories"
    assert err.value.reason.startswith("has a tag that cannot be read: a list")


def test_self_referencing_yaml_list_is_refused_not_looped():
    with pytest.raises(PostError) as err:
        tags("tags: &a [x, *a]")
    assert err.value.field == "tags"
