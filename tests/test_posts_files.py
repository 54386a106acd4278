"""discover(), load_bytes() and read_post(): walking the content directory and reading files."""

import os
from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import POST_SUFFIXES, PostError, discover, load_bytes, read_post


def write(path: Path, text: str = "# Post\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(paths, root):
    return [p.relative_to(root).as_posix() for p in paths]


def test_post_suffixes():
    assert POST_SUFFIXES == (".md", ".markdown", ".mdx")


def test_discover_finds_posts_recursively_sorted(tmp_path):
    for name in ["b.md", "a.markdown", "guides/intro/index.mdx", "guides/z.md", "notes.txt", "img/logo.png"]:
        write(tmp_path / name)
    files, errors = discover(tmp_path)
    assert names(files, tmp_path) == ["a.markdown", "b.md", "guides/intro/index.mdx", "guides/z.md"]
    assert errors == []


def test_discover_skips_hidden_and_node_modules(tmp_path):
    for name in ["post.md", ".drafts/secret.md", ".hidden.md", "node_modules/pkg/README.md"]:
        write(tmp_path / name)
    files, _ = discover(tmp_path)
    assert names(files, tmp_path) == ["post.md"]


def test_discover_suffix_is_case_insensitive(tmp_path):
    write(tmp_path / "SHOUTING.MD")
    assert names(discover(tmp_path)[0], tmp_path) == ["SHOUTING.MD"]


def test_discover_reports_a_symlink_loop_and_keeps_going(tmp_path):
    write(tmp_path / "a" / "post.md")
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    files, errors = discover(tmp_path)
    assert names(files, tmp_path) == ["a/post.md"]
    assert [(e.path, e.reason) for e in errors] == [("a/loop", "is a symbolic link loop; skipped")]


def test_discover_follows_a_symlinked_directory(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "shared.md")
    content = tmp_path / "content"
    content.mkdir()
    os.symlink(outside, content / "linked")
    files, errors = discover(content)
    assert names(files, content) == ["linked/shared.md"]
    assert errors == []


def test_discover_walks_a_directory_linked_twice_once(tmp_path):
    write(tmp_path / "real" / "post.md")
    os.symlink(tmp_path / "real", tmp_path / "zlink")
    files, errors = discover(tmp_path)
    assert names(files, tmp_path) == ["real/post.md"]
    assert [(e.path, e.reason) for e in errors] == [
        ("zlink", "links to a directory already included as real; skipped")
    ]


def test_discover_reports_an_unreadable_directory(tmp_path, monkeypatch):
    write(tmp_path / "ok.md")
    write(tmp_path / "locked" / "secret.md")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, errors = discover(tmp_path)
    assert names(files, tmp_path) == ["ok.md"]
    assert [(e.path, e.reason) for e in errors] == [("locked", "cannot be read (permission denied)")]


def test_discover_lists_a_broken_link_for_load_bytes_to_report(tmp_path):
    os.symlink(tmp_path / "gone.md", tmp_path / "broken.md")
    files, errors = discover(tmp_path)
    assert (names(files, tmp_path), errors) == (["broken.md"], [])


def test_discover_missing_content_dir_raises(tmp_path):
    with pytest.raises(PostError) as err:
        discover(tmp_path / "nope")
    assert err.value.path == str(tmp_path / "nope")
    assert err.value.reason == "the content directory does not exist"


def test_discover_content_dir_that_is_a_file_raises(tmp_path):
    with pytest.raises(PostError) as err:
        discover(write(tmp_path / "post.md"))
    assert err.value.reason == "the content directory is not a directory"


def test_load_bytes_reads_the_file(tmp_path):
    settings = Settings(content_dir=tmp_path)
    assert load_bytes(write(tmp_path / "p.md", "hello"), settings) == b"hello"


def test_load_bytes_refuses_a_large_file(tmp_path):
    settings = Settings(content_dir=tmp_path)
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * (5 * 1024 * 1024))
    with pytest.raises(PostError) as err:
        load_bytes(path, settings)
    assert (err.value.path, err.value.reason) == ("big.md", "is 5.0 MB, larger than the 2.0 MB limit")


def test_load_bytes_small_limit_is_shown_in_bytes(tmp_path):
    settings = Settings(content_dir=tmp_path, max_post_bytes=10)
    with pytest.raises(PostError) as err:
        load_bytes(write(tmp_path / "p.md", "x" * 11), settings)
    assert err.value.reason == "is 11 bytes, larger than the 10 bytes limit"


def test_load_bytes_broken_symlink(tmp_path):
    os.symlink(tmp_path / "gone.md", tmp_path / "broken.md")
    with pytest.raises(PostError) as err:
        load_bytes(tmp_path / "broken.md", Settings(content_dir=tmp_path))
    assert (err.value.path, err.value.reason) == ("broken.md", "is a broken symbolic link")


def test_load_bytes_not_a_regular_file(tmp_path):
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(PostError) as err:
        load_bytes(tmp_path / "dir.md", Settings(content_dir=tmp_path))
    assert err.value.reason == "is not a regular file"


def test_load_bytes_fifo_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(PostError) as err:
        load_bytes(tmp_path / "pipe.md", Settings(content_dir=tmp_path))
    assert err.value.reason == "is not a regular file"


def test_load_bytes_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.md")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(PostError) as err:
        load_bytes(path, Settings(content_dir=tmp_path))
    assert (err.value.path, err.value.reason) == ("secret.md", "cannot be read (permission denied)")


def test_read_post_uses_the_path_relative_to_content_dir(tmp_path):
    path = write(tmp_path / "guides" / "intro" / "index.md", "# Intro to the guides\n")
    post = read_post(path, Settings(content_dir=tmp_path))
    assert (post.path, post.slug, post.title) == ("guides/intro/index.md", "guides/intro", "Intro to the guides")


def test_read_post_outside_the_content_dir_is_refused(tmp_path):
    path = write(tmp_path / "elsewhere.md")
    with pytest.raises(PostError) as err:
        read_post(path, Settings(content_dir=tmp_path / "content"))
    assert err.value.reason == f"is not inside the content directory {tmp_path / 'content'}"
