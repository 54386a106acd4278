"""author / authors / by: text, lists, {name, role} mappings -> Author tuples."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import Author, PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def authors(meta):
    return parse_post("post.md", f"---\n{meta}\n---\nBody".encode(), SETTINGS).authors


@pytest.mark.parametrize(
    "meta, expected",
    [
        ("author: Alex", (Author("Alex"),)),
        ("author: Alex, Sam", (Author("Alex"), Author("Sam"))),
        ("author: Alex and Sam", (Author("Alex"), Author("Sam"))),
        ("authors: [Alex, Sam]", (Author("Alex"), Author("Sam"))),
        ("author: {name: Alex, role: Editor}", (Author("Alex", "Editor"),)),
        ("authors:\n  - name: Alex\n    role: Editor\n  - name: Sam", (Author("Alex", "Editor"), Author("Sam"))),
        ("by: Alex", (Author("Alex"),)),
        ("author: Alex\nauthors: [alex, Sam]", (Author("Alex"), Author("Sam"))),
        ("authors: ['', '  ', {role: Ghost}]", ()),
        ("author: Alexander Anderson", (Author("Alexander Anderson"),)),
        ("author:", ()),
    ],
)
def test_author_forms(meta, expected):
    assert authors(meta) == expected


def test_oxford_comma_list_fixture():
    post = read_post(POSTS / "authors_and_string.md", SETTINGS)
    assert [a.name for a in post.authors] == ["Ana Lima", "Ben Ode", "Chidi Obi"]


def test_author_true_is_refused():
    with pytest.raises(PostError) as err:
        authors("author: true")
    assert err.value.field == "author"
    assert err.value.reason.startswith("has an author that cannot be read: true")
