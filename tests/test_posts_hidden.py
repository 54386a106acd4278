"""hidden: drafts, unpublished, unlisted, search: false and redirects say why."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def hidden(meta):
    return parse_post("post.md", f"---\n{meta}\n---\nBody".encode(), SETTINGS).hidden


@pytest.mark.parametrize(
    "meta, expected",
    [
        ("draft: true", "draft: true"),
        ("draft: 'yes'", "draft: true"),
        ("draft: false", ""),
        ("draft: 'no'", ""),
        ("published: false", "published: false"),
        ("published: 'False'", "published: false"),
        ("published: true", ""),
        ("search: false", "search: false"),
        ("unlisted: true", "unlisted: true"),
        ("redirect: /elsewhere", "redirect"),
        ("redirectTo: /elsewhere", "redirectTo"),
        ("redirect:", ""),
        ("title: Visible", ""),
    ],
)
def test_hidden_reasons(meta, expected):
    assert hidden(meta) == expected


def test_draft_fixture_is_returned_with_its_reason():
    post = read_post(POSTS / "draft.md", SETTINGS)
    assert (post.title, post.hidden) == ("Not ready yet", "draft: true")


def test_redirect_fixture():
    assert read_post(POSTS / "redirect.md", SETTINGS).hidden == "redirect_to"


def test_unclear_draft_value_is_refused():
    with pytest.raises(PostError) as err:
        hidden("draft: maybe")
    assert err.value.field == "draft"
    assert err.value.reason == 'must be true or false, not "maybe"'
