"""date and updated: many written forms, all ending as aware UTC datetimes."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from searchsvc.config import Settings
from searchsvc.posts import parse_post, read_post

POSTS = Path(__file__).parent / "posts"
SETTINGS = Settings(content_dir=POSTS)
UTC = timezone.utc


def parse(meta, settings=SETTINGS):
    return parse_post("post.md", f"---\n{meta}\n---\nBody".encode(), settings)


def date_warning(meta, relpath="post.md"):
    """The one warning of a post whose date cannot be read (it is indexed all the same)."""
    post = parse_post(relpath, f"---\n{meta}\n---\nBody".encode(), SETTINGS)
    [warning] = post.warnings
    return post, warning


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2024-01-15", datetime(2024, 1, 15, tzinfo=UTC)),  # YAML date
        ("'2024-01-15'", datetime(2024, 1, 15, tzinfo=UTC)),  # ISO text
        ("2024-01-15T09:00:00Z", datetime(2024, 1, 15, 9, tzinfo=UTC)),  # YAML datetime
        ("'2024-01-15T09:00:00Z'", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        ("'2024-01-15 09:00'", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        ("'2017-01-20T09:00:00.000Z'", datetime(2017, 1, 20, 9, tzinfo=UTC)),
        ("'2024-01-15T09:00:00+02:00'", datetime(2024, 1, 15, 7, tzinfo=UTC)),
        ("'2024-01-15T09:00:00-05:30'", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("Jan 15, 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("January 15, 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("15 January 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("Sept 3, 2024", datetime(2024, 9, 3, tzinfo=UTC)),
        ("2024/02/15", datetime(2024, 2, 15, tzinfo=UTC)),
        ("2024/2/5", datetime(2024, 2, 5, tzinfo=UTC)),
        ("'Mon, 15 Jan 2024 09:00:00 +0000'", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        # What static site generators accept and write
        ("2024-4-09", datetime(2024, 4, 9, tzinfo=UTC)),
        ("'2023-01-29 18:30:22 -0800'", datetime(2023, 1, 30, 2, 30, 22, tzinfo=UTC)),
        ("'2023-01-29 18:30:22 2023 -0800'", datetime(2023, 1, 30, 2, 30, 22, tzinfo=UTC)),
        ("'2006-01-02 15:04:05 -0700 MST'", datetime(2006, 1, 2, 22, 4, 5, tzinfo=UTC)),
        ("'2024-01-15 09:00 UTC'", datetime(2024, 1, 15, 9, tzinfo=UTC)),
        ("Monday, January 15, 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("Tue Jan 16 2024", datetime(2024, 1, 16, tzinfo=UTC)),
        ("1705312800", datetime(2024, 1, 15, 10, tzinfo=UTC)),  # seconds since 1970
        ("'1705312800000'", datetime(2024, 1, 15, 10, tzinfo=UTC)),  # milliseconds
        ("{created: 2024-01-15, updated: 2024-02-01}", datetime(2024, 1, 15, tzinfo=UTC)),  # MkDocs Material
    ],
)
def test_date_forms(written, expected):
    assert parse(f"date: {written}").date == expected


def test_month_name_fixture():
    assert read_post(POSTS / "date_month_name.md", SETTINGS).date == datetime(2024, 1, 15, tzinfo=UTC)


def test_toml_datetime_with_offset():
    post = parse_post("p.md", b"+++\ndate = 2024-01-15T09:00:00+01:00\n+++\nBody", SETTINGS)
    assert post.date == datetime(2024, 1, 15, 8, tzinfo=UTC)


def test_bare_date_is_midnight_in_the_settings_time_zone():
    berlin = SETTINGS.replace(timezone="Europe/Berlin")
    assert parse("date: 2024-01-15", berlin).date == datetime(2024, 1, 14, 23, tzinfo=UTC)


def test_naive_datetime_is_read_in_the_settings_time_zone():
    new_york = SETTINGS.replace(timezone="America/New_York")
    assert parse("date: '2024-07-01 09:00'", new_york).date == datetime(2024, 7, 1, 13, tzinfo=UTC)


def test_datetime_with_offset_ignores_the_settings_time_zone():
    berlin = SETTINGS.replace(timezone="Europe/Berlin")
    assert parse("date: '2024-01-15T09:00:00Z'", berlin).date == datetime(2024, 1, 15, 9, tzinfo=UTC)


def test_dates_are_utc():
    assert parse("date: 2024-01-15").date.tzinfo is UTC


@pytest.mark.parametrize("key", ["pubDate", "published_at", "created"])
def test_other_date_keys(key):
    assert parse(f"{key}: 2024-01-15").date == datetime(2024, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize("key", ["updated", "lastmod", "modified", "updatedDate"])
def test_updated_keys(key):
    assert parse(f"{key}: 2024-03-01").updated == datetime(2024, 3, 1, tzinfo=UTC)


def test_missing_dates_are_none():
    post = parse("title: Undated")
    assert (post.date, post.updated) == (None, None)


def test_empty_date_is_none():
    assert parse("date:").date is None


def test_unreadable_date_text_is_a_warning_and_the_post_is_kept():
    post, warning = date_warning("date: next tuesday")
    assert post.date is None
    assert warning == (
        'has a date that cannot be read: "next tuesday" (write it like 2024-01-15 or "Jan 15, 2024"); '
        "the post is indexed without it (field 'date')"
    )


@pytest.mark.parametrize(
    "written, shown",
    [("2024", "2024"), ("true", "true"), ("[2024-01-15]", "a list"),
     ("{year: 2024}", "a mapping"), ("'2024-02-30'", '"2024-02-30"'), ("'Foo 15, 2024'", '"Foo 15, 2024"')],
)
def test_not_a_date(written, shown):
    assert date_warning(f"date: {written}")[1].startswith(f"has a date that cannot be read: {shown} (")


def test_unreadable_updated_names_the_key_written():
    post, warning = date_warning("lastmod: soon")
    assert warning.endswith("(field 'lastmod')") and post.updated is None


def test_date_outside_the_calendar_after_conversion_to_utc():
    warning = date_warning("date: 0001-01-01T00:00:00+05:00")[1]
    assert warning.startswith("has a date that cannot be read: 0001-01-01T00:00:00+05:00 (")


def test_a_file_name_gives_the_date_a_post_does_not():
    post = parse_post("posts/2015-10-26-jekyll-3-0-released.md", b"---\ntitle: J\n---\nBody", SETTINGS)
    assert post.date == datetime(2015, 10, 26, tzinfo=UTC)


def test_an_unreadable_date_falls_back_to_the_file_names():
    post, _ = date_warning("date: soon", relpath="2015-10-26-jekyll.md")
    assert post.date == datetime(2015, 10, 26, tzinfo=UTC)


def test_toml_time_of_day_is_not_a_date():
    post = parse_post("p.md", b"+++\ndate = 09:00:00\n+++\nBody", SETTINGS)
    assert post.date is None
    assert post.warnings[0].startswith("has a date that cannot be read: 09:00:00 (")
