"""parse_post on anything: it returns a Post or raises PostError, never anything else."""

import json
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from hypothesis import given, settings, strategies as st

from searchsvc.config import Settings
from searchsvc.posts import Post, PostError, parse_post

SETTINGS = Settings(content_dir=Path("/content"), timezone="Pacific/Kiritimati")

KEYS = [
    "title", "description", "summary", "excerpt", "date", "pubDate", "published_at", "created",
    "updated", "lastmod", "modified", "updatedDate", "tags", "categories", "category", "author",
    "authors", "by", "readTime", "read_time", "readingTime", "slug", "permalink", "url", "path",
    "draft", "published", "search", "unlisted", "redirect", "redirect_to", "redirectTo", "name", "role",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2024-01-15", "Jan 15, 2024", "8 min read", "/a/b", "javascript:x", "a, b and c", "#t"])
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(timezone.utc))
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)
metadata = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
bodies = st.text(max_size=200) | st.sampled_from(["# Title\n", "```\n# code\n", "Title\n===\n", ""])


def parses_or_explains(relpath: str, data: bytes) -> None:
    try:
        post = parse_post(relpath, data, SETTINGS)
    except PostError as err:
        assert err.reason and str(err).startswith(relpath)
        return
    assert isinstance(post, Post)
    assert post.reading_minutes >= 1
    assert post.title
    for when in (post.date, post.updated):
        assert when is None or when.tzinfo is timezone.utc


@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    parses_or_explains("post.md", data)


@given(st.text(max_size=300))
def test_arbitrary_text(text):
    parses_or_explains("post.md", text.encode("utf-8"))


@given(st.sampled_from(["---\n", "+++\n", "{\n"]), st.text(max_size=200), st.sampled_from(["\n---\n", "\n+++\n", "\n}\n", ""]))
def test_arbitrary_text_inside_frontmatter_fences(opening, inside, closing):
    parses_or_explains("post.md", (opening + inside + closing + "Body").encode("utf-8"))


@settings(max_examples=150)
@given(metadata, bodies, st.sampled_from(["post.md", "guides/index.md", "My Dir/x y.mdx", "index.markdown"]))
def test_generated_yaml_frontmatter(meta, body, relpath):
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    parses_or_explains(relpath, text.encode("utf-8"))


@given(metadata, bodies)
def test_generated_json_frontmatter(meta, body):
    text = json.dumps(meta, indent=1, default=str) + "\n" + body
    parses_or_explains("post.md", text.encode("utf-8"))


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(["%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%Y/%m/%d"]))
def test_written_dates_round_trip(day, form):
    text = f"---\ndate: '{day.strftime(form)}'\n---\nBody"
    utc = SETTINGS.replace(timezone="UTC")
    assert parse_post("p.md", text.encode(), utc).date == datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
