"""Bytes -> text: UTF-8 only, BOM stripped, binary and empty files refused."""

from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import PostError, parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)


def read(name):
    return read_post(POSTS / name, SETTINGS)


def test_utf8_bom_is_stripped_and_frontmatter_still_found():
    post = read("utf8_bom.md")
    assert post.title == "Starts with a BOM"
    assert post.body == "Body."


def test_invalid_utf8_names_the_byte_and_offset():
    with pytest.raises(PostError) as err:
        read("invalid_utf8.md")
    assert err.value.reason == "is not valid UTF-8 (byte 0xe9 at offset 29)"
    assert str(err.value) == "invalid_utf8.md: is not valid UTF-8 (byte 0xe9 at offset 29)"


def test_nul_bytes_mean_binary_file():
    with pytest.raises(PostError) as err:
        read("binary_nul.md")
    assert err.value.reason == "is a binary file, not text"


def test_empty_file_is_refused():
    with pytest.raises(PostError) as err:
        parse_post("empty.md", b"", SETTINGS)
    assert err.value.reason == "is empty"


def test_whitespace_only_file_is_refused():
    with pytest.raises(PostError) as err:
        read("whitespace_only.md")
    assert err.value.reason == "is empty"


def test_bom_alone_is_empty():
    with pytest.raises(PostError) as err:
        parse_post("bom.md", b"\xef\xbb\xbf\n", SETTINGS)
    assert err.value.reason == "is empty"


def test_crlf_line_endings_become_newlines():
    post = read("crlf_line_endings.md")
    assert post.title == "Windows line endings"
    assert post.tags == ("a", "b")
    assert post.body == "Line one.\nLine two."
