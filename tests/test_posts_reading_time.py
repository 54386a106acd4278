"""reading_minutes: stated readTime, else computed from the word count."""

from pathlib import Path

import pytest

from searchsvc.config import WORDS_PER_MINUTE, Settings
from searchsvc.posts import parse_post

SETTINGS = Settings(content_dir=Path("/content"))


def minutes(meta, body="Body"):
    return parse_post("post.md", f"---\n{meta}\n---\n{body}".encode(), SETTINGS).reading_minutes


@pytest.mark.parametrize(
    "meta, expected",
    [
        ("readTime: 8 min read", 8),
        ("readTime: 8 minutes", 8),
        ("readTime: '8'", 8),
        ("readTime: 8", 8),
        ("read_time: 3 mins", 3),
        ("readingTime: 2.5", 3),
        ("readingTime: 2.5 min", 3),
    ],
)
def test_stated_reading_time(meta, expected):
    assert minutes(meta) == expected


@pytest.mark.parametrize("value", ["soon", "0", "-3", "true", "[8]", "1 hour", ".inf", "20000", "'99999999999 min'"])
def test_unreadable_reading_time_falls_back_to_word_count(value):
    assert minutes(f"readTime: {value}", body="word " * (WORDS_PER_MINUTE * 2)) == 2


def test_computed_from_word_count_rounds_up():
    assert minutes("title: x", body="word " * (WORDS_PER_MINUTE + 1)) == 2


def test_short_post_reads_in_at_least_one_minute():
    assert minutes("title: x", body="Hi.") == 1
