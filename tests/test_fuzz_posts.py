"""The post reader and the indexer's per-file step on generated posts: a bad post is reported,
never raised.

tests/test_posts_hypothesis.py feeds ``parse_post`` random bytes, text and generated YAML and
JSON frontmatter. This file adds what it leaves out:

- generated Markdown bodies (headings with ids, fences, raw HTML, MDX, tables, entities)
  through ``searchsvc.indexer.prepare``, the whole per-file step of a reindex;
- generated TOML frontmatter;
- text that is not valid Unicode (lone surrogates, which JSON and YAML escapes can write);
- hostile YAML: alias bombs, Python object tags, unhashable keys, numbers out of range;
- whole reindexes of such posts beside a good one: the good one is published, the bad
  one is indexed or listed in ``summary.skipped`` with a reason.

What ``prepare`` accepts must be storable: every string in the document encodes as UTF-8
(the manifest is written as UTF-8 JSON; a lone surrogate there aborts the whole reindex).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from datetime import date, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from searchsvc.config import Settings
from searchsvc.indexer import prepare, reindex

SETTINGS = Settings(content_dir=Path("/content"))
KINDS = ("post", "hidden", "error")

# ---------------------------------------------------------------------------
# Checking one prepared file


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings_in(v)


def check_prepared(relpath: str, data: bytes) -> tuple:
    result = prepare(relpath, data, SETTINGS)
    assert result[0] in KINDS, result
    if result[0] in ("error", "hidden"):
        reason = result[1]
        assert isinstance(reason, str) and reason.strip()
        # Extraction is total by design: this reason would mean a bug in extract.py.
        assert not reason.startswith("could not be extracted"), reason
        return result
    _, slug, tags, document, _warnings = result
    assert slug and document["id"] == slug
    assert isinstance(document["title"], str) and document["title"].strip()
    assert document["url"].startswith(("/", "http://", "https://")), document["url"]
    body = document.get("body", "")
    for heading, anchor, level, start, end, words in document["meta"]["sections"]:
        assert 0 <= start <= end <= len(body)
        assert isinstance(words, str)
    for text in strings_in([document, tags]):
        text.encode("utf-8")  # raises on a lone surrogate: such a post cannot be stored
    json.dumps(document["meta"], ensure_ascii=False).encode("utf-8")
    return result


# ---------------------------------------------------------------------------
# Generated Markdown

WORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
INLINE_PIECES = st.one_of(
    WORDS,
    st.sampled_from(
        [
            "**bold**", "_em_", "`code`", "``a ` b``", "~~gone~~", "\\*", "[link](https://x.example)",
            "[js](javascript:alert(1))", "![alt text](x.png)", "<https://auto.example>", "[ref]", "[^note]",
            "<img src=x onerror=alert(1)>", "<b>bold</b>", "&lt;script&gt;", "&#x3C;script", "&#0;",
            "&#xD800;", "&#1114112;", "&amp;", "&nbsp;", "{expression}", "\u200b", "\u202e", "\t", "  \n",
        ]
    ),
)
INLINE = st.lists(INLINE_PIECES, max_size=8).map(" ".join)
BLOCK = st.one_of(
    INLINE,
    st.builds(
        lambda level, text, anchor: f"{'#' * level} {text}{anchor}",
        st.integers(1, 7),
        INLINE,
        st.sampled_from(["", " {#custom-id}", ' {#"><script>x</script>}', " {/*mdx-id*/}", " {#}", " {#a b}", " #"]),
    ),
    st.builds(
        lambda fence, info, code, close: f"{fence}{info}\n{code}\n{close}",
        st.sampled_from(["```", "~~~", "````", "    ```"]),
        st.sampled_from(["", "py", "js {1,3}", "<script>", "`weird`"]),
        st.text(max_size=40),
        st.sampled_from(["```", "~~~", "````", ""]),
    ),
    st.builds(lambda text, rule: f"{text}\n{rule}", INLINE, st.sampled_from(["===", "---", "- - -"])),
    st.builds(lambda mark, text: mark + text, st.sampled_from(["- ", "1. ", "> ", "> > ", "* [ ] ", "    "]), INLINE),
    st.sampled_from(
        [
            "<script>alert(1)</script>", "<style>p { color: red }</style>", "<div>\n\n*markdown*\n\n</div>",
            "<!-- unclosed comment", '<Note type="warning">inside a component</Note>', "<Tabs><Tab>a</Tab>",
            "{/* a JSX comment */}", "import Chart from './chart'", "export const meta = { title: 'x' }",
            "<details><summary>more</summary>hidden</details>", "<![CDATA[ x ]]>", "<?php echo 1 ?>",
            "| a | b |\n|---|---|\n| 1 | 2 |", "| only | header |\n|---|", "[ref]: https://x.example 'title'",
            "[^note]: a footnote", "***", "<h2 id=\"raw\">Raw heading</h2>", "<iframe src=javascript:alert(1)>",
        ]
    ),
)
BODY = st.lists(BLOCK, max_size=10).map("\n\n".join)
FRONTMATTER = st.sampled_from(
    ["", "---\ntitle: Generated\n---\n", "---\ntitle: Generated\ndraft: true\n---\n", '+++\ntitle = "T"\n+++\n']
)


@settings(max_examples=200, deadline=None)
@given(FRONTMATTER, BODY, st.sampled_from(["post.md", "guides/index.md", "a b/x.mdx", "2024-01-15-jekyll.markdown"]))
def test_generated_markdown_goes_through_prepare(frontmatter, body, relpath):
    check_prepared(relpath, (frontmatter + body).encode("utf-8"))


# ---------------------------------------------------------------------------
# Generated TOML frontmatter

TOML_KEYS = ["title", "description", "date", "updated", "tags", "categories", "author", "authors", "readTime",
             "slug", "permalink", "url", "draft", "published", "search"]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string, except for escapes TOML lacks (then: malformed)
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


TOML_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["2024-01-15", "Jan 15, 2024", "8 min read", "/a/b", "javascript:alert(1)", "a, b"]),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(timezone.utc)),
)
TOML_VALUES = TOML_SCALARS | st.lists(TOML_SCALARS, max_size=3)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(TOML_KEYS), TOML_VALUES, max_size=6), BODY)
def test_generated_toml_frontmatter_goes_through_prepare(meta, body):
    lines = [f"{key} = {toml_value(value)}" for key, value in meta.items()]
    check_prepared("post.md", ("+++\n" + "\n".join(lines) + "\n+++\n" + body).encode("utf-8"))


# ---------------------------------------------------------------------------
# Text that is not valid Unicode

SURROGATE_KEYS = ["title", "description", "tags", "author", "slug", "url", "category", "readTime", "date"]
#: Any text, lone surrogates included (JSON writes them as \\udXXX escapes).
RAW_TEXT = st.lists(st.characters() | st.characters(categories=["Cs"]), min_size=1, max_size=12).map("".join)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(SURROGATE_KEYS), RAW_TEXT | st.lists(RAW_TEXT, max_size=2), min_size=1))
def test_json_frontmatter_with_any_text_is_storable_or_reported(meta):
    check_prepared("post.md", (json.dumps(meta, indent=1) + "\nBody text.\n").encode("utf-8"))


SURROGATES = [
    ('---\ntitle: "broken \\ud800 title"\n---\nbody\n', "title"),
    ('---\ntitle: ok\ndescription: "\\udfff"\n---\nbody\n', "description"),
    ('---\ntitle: ok\ntags: ["fine", "bad\\ud83d"]\n---\nbody\n', "tags"),
    ('---\ntitle: ok\nauthor: "Ann \\udc00"\n---\nbody\n', "author"),
    ('{\n"title": "json \\ud800 title"\n}\nbody\n', "title"),
]


@pytest.mark.parametrize("text, field", SURROGATES, ids=[f for _, f in SURROGATES])
def test_a_lone_surrogate_in_frontmatter_is_storable_or_reported(text, field):
    check_prepared("post.md", text.encode("utf-8"))


# ---------------------------------------------------------------------------
# Hostile YAML

ALIAS_BOMB = "---\n" + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
) + "title: Laughs\ntags: *a8\n---\nbody\n"
HOSTILE_YAML = {
    "alias-bomb": ALIAS_BOMB,
    "python-object": '---\ntitle: !!python/object/apply:os.system ["echo pwned"]\n---\nbody\n',
    "python-name": "---\ntitle: !!python/name:os.system\n---\nbody\n",
    "binary-title": "---\ntitle: !!binary aGVsbG8=\n---\nbody\n",
    "unhashable-key": "---\n? [a, b]\n: c\ntitle: x\n---\nbody\n",
    "merge-key": "---\nbase: &b {title: Merged}\n<<: *b\n---\nbody\n",
    "huge-int-date": f"---\ntitle: x\ndate: {10**400}\n---\nbody\n",
    "huge-int-read-time": f"---\ntitle: x\nreadTime: {10**400}\n---\nbody\n",
    "nan-read-time": "---\ntitle: x\nreadTime: .nan\n---\nbody\n",
    "year-10000": "---\ntitle: x\ndate: 10000-01-01\n---\nbody\n",
    "timestamp-edge": "---\ntitle: x\ndate: 0001-01-01T00:00:00+14:00\n---\nbody\n",
    "deep-nesting": "---\ntitle: x\ntags: " + "[" * 1200 + "]" * 1200 + "\n---\nbody\n",
    "tab-indent": "---\ntitle: x\n\ttags: [a]\n---\nbody\n",
    "duplicate-keys": "---\ntitle: one\ntitle: two\n---\nbody\n",
    "null-everything": "---\ntitle: ~\ntags: ~\nauthor: ~\ndate: ~\nslug: ~\n---\nbody\n",
    "key-is-number": "---\n1: one\ntrue: yes\ntitle: x\n---\nbody\n",
}


@pytest.mark.parametrize("text", HOSTILE_YAML.values(), ids=HOSTILE_YAML.keys())
def test_hostile_yaml_is_read_or_reported_quickly(text):
    started = time.perf_counter()
    result = check_prepared("post.md", text.encode("utf-8"))
    assert time.perf_counter() - started < 5  # deep nesting costs PyYAML ~2 s before RecursionError
    if result[0] == "post":
        assert "pwned" not in json.dumps(result[3]["meta"])


# ---------------------------------------------------------------------------
# Whole reindexes: one bad post never stops the others

GOOD = "---\ntitle: The good post\n---\n\nperfectly ordinary words\n"


def reindex_with(bad: bytes):
    """Reindex a good post and ``bad`` into a fresh folder; return (summary, relpath of bad)."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        (content / "good.md").write_text(GOOD)
        (content / "bad.md").write_bytes(bad)
        summary = reindex(Settings(content_dir=content, index_dir=Path(tmp) / "index"))
    return summary


def check_reindex(bad: bytes) -> None:
    summary = reindex_with(bad)  # must not raise
    skipped = {s.path: s.reason for s in summary.skipped}
    assert "good.md" not in skipped
    assert summary.published and summary.total in (1, 2)
    if summary.total == 1 and "bad.md" not in {h.path for h in summary.hidden}:
        assert skipped.get("bad.md", "").strip(), "a post left out must be listed with a reason"


@pytest.mark.parametrize(
    "text", [t for t, _ in SURROGATES] + [HOSTILE_YAML[k] for k in ("alias-bomb", "python-object", "year-10000")],
    ids=[f"surrogate-{f}" for _, f in SURROGATES] + ["alias-bomb", "python-object", "year-10000"],
)
def test_reindex_publishes_the_good_post_beside_a_hostile_one(text):
    check_reindex(text.encode("utf-8"))


@settings(max_examples=40, deadline=None)
@given(FRONTMATTER, BODY)
def test_reindex_publishes_generated_posts_or_reports_them(frontmatter, body):
    check_reindex((frontmatter + body).encode("utf-8"))
