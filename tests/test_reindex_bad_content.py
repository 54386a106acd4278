"""Bad content is reported by path and reason and never stops the rest from being indexed."""

from __future__ import annotations

import os

import pytest

from searchsvc.config import Settings
from searchsvc.indexer import reindex

GOOD = '---\ntitle: "Good post {n}"\ndate: "Jan 15, 2024"\n---\n\nperfectly fine words\n'

BAD_TEXT = {
    "bad-yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
    "bad-toml.md": '+++\ntitle = "unterminated\n+++\nbody\n',
    "bad-json.md": '{\n"title": "x",\n}\nbody\n',
    "list-frontmatter.md": "---\n- a\n- b\n---\nbody\n",
    "scalar-frontmatter.md": "---\njust a string\n---\nbody\n",
    "empty.md": "",
    "wrong-tags.md": "---\ntitle: Tagged\ntags: {a: 1}\n---\nbody\n",
}
BAD_BYTES = {
    "invalid-utf8.md": b"---\ntitle: x\n---\n\xff\xfe\xfa broken\n",
    "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
}


@pytest.fixture
def messy_blog(make_blog, tmp_path):
    posts = {f"good-{n}.md": GOOD.format(n=n) for n in range(3)}
    posts.update(BAD_TEXT)
    posts["bom.md"] = "\ufeff---\ntitle: With a byte order mark\n---\nbom body\n"
    posts["no-title.md"] = "Just words, no title anywhere.\n"
    posts["wrong-date.md"] = "---\ntitle: Dated\ndate: [2024, 1]\n---\nbody\n"
    content = make_blog(posts)
    for name, data in BAD_BYTES.items():
        (content / name).write_bytes(data)
    (content / "huge.md").write_bytes(b"# Huge\n\n" + b"word " * (1024 * 1024))  # 5 MB
    (content / "loop").mkdir()
    os.symlink("..", content / "loop" / "back-up")
    os.symlink(content / "does-not-exist.md", content / "dangling.md")
    return content


def test_every_bad_file_is_reported_and_every_good_one_indexed(messy_blog, tmp_path):
    summary = reindex(Settings(content_dir=messy_blog, index_dir=tmp_path / "index"))
    skipped = {s.path: s.reason for s in summary.skipped}
    expected_bad = set(BAD_TEXT) | set(BAD_BYTES) | {"huge.md", "dangling.md", "loop/back-up"}
    assert set(skipped) == expected_bad, skipped
    assert all(reason.strip() for reason in skipped.values())
    assert summary.total == 6  # three good posts, the BOM post, the post without a title, the misdated one
    assert summary.exit_code == 1


def test_a_date_that_cannot_be_read_is_a_warning_and_the_post_is_indexed(messy_blog, tmp_path):
    summary = reindex(Settings(content_dir=messy_blog, index_dir=tmp_path / "index"))
    warnings = {w.path: w.reason for w in summary.warnings}
    assert "wrong-date.md" not in {s.path for s in summary.skipped}
    assert "date" in warnings["wrong-date.md"] and "a list" in warnings["wrong-date.md"]


@pytest.mark.parametrize(
    "path, words",
    [
        ("bad-yaml.md", "YAML"),
        ("bad-toml.md", "TOML"),
        ("bad-json.md", "JSON"),
        ("list-frontmatter.md", "list"),
        ("empty.md", "empty"),
        ("invalid-utf8.md", "UTF-8"),
        ("binary.md", "binary"),
        ("huge.md", "MB"),
        ("wrong-tags.md", "tags"),
        ("loop/back-up", "loop"),
    ],
)
def test_each_reason_says_what_is_wrong(messy_blog, tmp_path, path, words):
    summary = reindex(Settings(content_dir=messy_blog, index_dir=tmp_path / "index"))
    reason = {s.path: s.reason for s in summary.skipped}[path]
    assert words.lower() in reason.lower(), reason


def test_a_post_without_a_title_takes_its_file_name(messy_blog, tmp_path, open_index):
    from searchsvc.search import SearchRequest

    settings = Settings(content_dir=messy_blog, index_dir=tmp_path / "index")
    reindex(settings)
    titles = {h.title for h in open_index(settings.index_dir).search(SearchRequest(q="", per_page=50)).results}
    assert {"No title", "With a byte order mark", "Good post 0"} <= titles
