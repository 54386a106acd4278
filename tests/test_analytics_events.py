"""POST /api/events: what is taken, what is refused, and what is kept of it (nothing about the reader)."""

from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from searchsvc.analytics import MAX_EVENT_BYTES, EventError, hour_of, parse_event


@pytest.fixture
def analytics_app(make_app, blog_dirs, tmp_path):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir, analytics_db=tmp_path / "events.sqlite3")


@pytest.fixture
def events(analytics_app):
    """``events() -> list of stored rows`` after writing what this process holds."""

    def rows():
        analytics_app.extensions["searchsvc.analytics"].flush()
        db = analytics_app.extensions["searchsvc.settings"].analytics_db
        if not db.exists():  # opened with the first event taken
            return []
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT type, query, results, url, position, count, hour FROM events ORDER BY type, query"
            ).fetchall()

    return rows


def post(client, body, content_type="application/json", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/events", data=data, content_type=content_type, headers=headers)


def test_a_search_event_is_stored_with_its_result_count(analytics_app, events):
    response = post(analytics_app.test_client(), {"type": "search", "query": "react hooks", "results": 12})
    assert response.status_code == 204
    assert response.data == b""
    assert [row[:6] for row in events()] == [("search", "react hooks", 12, "", 0, 1)]


def test_a_click_event_is_stored_with_its_url_and_position(analytics_app, events):
    body = {"type": "click", "query": "react hooks", "url": "/blog/react-hooks", "position": 2}
    assert post(analytics_app.test_client(), body).status_code == 204
    assert [row[:6] for row in events()] == [("click", "react hooks", -1, "/blog/react-hooks", 2, 1)]


def test_a_text_plain_body_is_taken_as_sendbeacon_sends_it(analytics_app, events):
    body = json.dumps({"type": "search", "query": "pytest", "results": 1})
    assert post(analytics_app.test_client(), body, content_type="text/plain;charset=UTF-8").status_code == 204
    assert [row[:3] for row in events()] == [("search", "pytest", 1)]


def test_the_query_is_trimmed_case_folded_and_its_spaces_collapsed(analytics_app, events):
    client = analytics_app.test_client()
    for text in ("  React   Hooks ", "react hooks", "REACT\thooks"):
        post(client, {"type": "search", "query": text, "results": 3})
    assert [row[:6] for row in events()] == [("search", "react hooks", 3, "", 0, 3)]


def test_the_time_kept_is_the_hour(analytics_app, events):
    post(analytics_app.test_client(), {"type": "search", "query": "hooks", "results": 1})
    [row] = events()
    assert row[6] % 3600 == 0
    assert 0 <= time.time() - row[6] < 3600 + 5


def test_a_search_without_a_result_count_is_kept_as_unknown(analytics_app, events):
    assert post(analytics_app.test_client(), {"type": "search", "query": "hooks"}).status_code == 204
    assert [row[:3] for row in events()] == [("search", "hooks", -1)]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ("this is not json", "body"),
        ('{"type": "search", "query": "x"', "body"),
        (b"\xff\xfe{}", "body"),
        ("[1, 2]", "body"),
        ('"search"', "body"),
        ({"type": "view", "query": "x"}, "type"),
        ({"query": "x"}, "type"),
        ({"type": "search"}, "query"),
        ({"type": "search", "query": ""}, "query"),
        ({"type": "search", "query": "   \t "}, "query"),
        ({"type": "search", "query": 42}, "query"),
        ({"type": "search", "query": "x" * 501}, "query"),
        ({"type": "search", "query": "x", "results": -1}, "results"),
        ({"type": "search", "query": "x", "results": "12"}, "results"),
        ({"type": "search", "query": "x", "results": True}, "results"),
        ({"type": "search", "query": "x", "results": 1.5}, "results"),
        ({"type": "search", "query": "x", "results": None}, "results"),
        ({"type": "click", "query": "x"}, "url"),
        ({"type": "click", "query": "x", "url": " "}, "url"),
        ({"type": "click", "query": "x", "url": "/a", "position": 0}, "position"),
        ({"type": "click", "query": "x", "url": "/a", "position": "first"}, "position"),
    ],
)
def test_a_bad_event_gets_400_naming_the_field(analytics_app, events, body, parameter):
    response = post(analytics_app.test_client(), body)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    assert "Traceback" not in response.get_data(as_text=True)
    assert events() == []


def test_a_query_of_500_characters_is_taken(analytics_app, events):
    assert post(analytics_app.test_client(), {"type": "search", "query": "x" * 500, "results": 0}).status_code == 204
    assert len(events()) == 1


def test_a_body_over_4_kb_gets_400(analytics_app, events):
    body = json.dumps({"type": "search", "query": "x", "results": 1, "padding": "y" * MAX_EVENT_BYTES})
    response = post(analytics_app.test_client(), body)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "body"
    assert events() == []


def test_a_body_over_4_kb_without_a_length_gets_400(analytics_app, events):
    body = json.dumps({"type": "search", "query": "x", "padding": "y" * MAX_EVENT_BYTES}).encode()
    response = analytics_app.test_client().post(
        "/api/events", input_stream=__import__("io").BytesIO(body), content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 400
    assert events() == []


def test_a_form_body_gets_415_naming_the_content_type(analytics_app):
    response = analytics_app.test_client().post("/api/events", data={"type": "search", "query": "x"})
    assert response.status_code == 415
    assert response.get_json()["error"]["parameter"] == "Content-Type"


def test_events_are_not_taken_by_get(analytics_app):
    response = analytics_app.test_client().get("/api/events")
    assert response.status_code == 405
    assert response.mimetype == "application/json"


def test_with_analytics_off_events_get_404_and_nothing_is_written(make_app, blog_dirs, tmp_path):
    content_dir, index_dir = blog_dirs
    app = make_app(content_dir=content_dir, index_dir=index_dir, analytics=False, analytics_db=tmp_path / "off.sqlite3")
    response = post(app.test_client(), {"type": "search", "query": "hooks", "results": 1})
    assert response.status_code == 404
    assert "SEARCHSVC_ANALYTICS" in response.get_json()["error"]["message"]
    app.test_client().get("/?q=hooks")
    assert not (tmp_path / "off.sqlite3").exists()


def test_nothing_about_the_sender_is_stored_and_no_cookie_is_set(analytics_app, events):
    client = analytics_app.test_client()
    identifying = {
        "X-Forwarded-For": "203.0.113.77, 198.51.100.23",
        "X-Real-IP": "203.0.113.78",
        "User-Agent": "Mozilla/5.0 (UniqueAgent-5f3a)",
        "Referer": "https://reader.example/private-page-9c1d",
        "Cookie": "session=cookie-value-7e2b",
    }
    response = client.post(
        "/api/events", data=json.dumps({"type": "click", "query": "hooks", "url": "/blog/a", "position": 1}),
        content_type="application/json", headers=identifying, environ_base={"REMOTE_ADDR": "192.0.2.55"},
    )
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    page = client.get("/?q=hooks", headers=identifying, environ_base={"REMOTE_ADDR": "192.0.2.55"})
    assert "Set-Cookie" not in page.headers
    assert len(events()) == 2
    db = analytics_app.extensions["searchsvc.settings"].analytics_db
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for secret in ("203.0.113", "198.51.100", "192.0.2.55", "UniqueAgent", "private-page", "cookie-value", "Mozilla"):
        assert secret.encode() not in stored


def test_the_search_page_counts_its_own_searches_once(analytics_app, events):
    client = analytics_app.test_client()
    client.get("/?q=Pytest")
    client.get("/?q=pytest&page=2")  # the same search, another page
    client.get("/?q=zzzqqq")
    assert [row[:3] for row in events()] == [("search", "pytest", 1), ("search", "zzzqqq", 0)]


def test_the_api_does_not_count_searches(analytics_app, events):
    client = analytics_app.test_client()
    assert client.get("/api/search?q=pytest").status_code == 200
    assert client.get("/api/suggest?q=pyt").status_code == 200
    assert events() == []


def test_a_try_link_from_the_admin_page_is_not_counted(analytics_app, events):
    page = analytics_app.test_client().get("/?q=pytest&analytics=off")
    assert page.status_code == 200
    assert 'data-analytics="off"' in page.get_data(as_text=True)
    assert events() == []


def test_an_unwritable_database_gets_503_and_search_still_works(make_app, blog_dirs, tmp_path):
    content_dir, index_dir = blog_dirs
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = make_app(content_dir=content_dir, index_dir=index_dir, analytics_db=blocker / "events.sqlite3")
    client = app.test_client()
    response = post(client, {"type": "search", "query": "hooks", "results": 1})
    assert response.status_code == 503
    assert "cannot be opened" in response.get_json()["error"]["message"]
    assert client.get("/?q=hooks").status_code == 200
    assert client.get("/api/search?q=hooks").status_code == 200


# ---------------------------------------------------------------------------
# The parser on its own

@given(st.binary(max_size=600))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_body_is_an_event_or_an_event_error(body):
    try:
        event = parse_event(body, now=0)
    except EventError as exc:
        assert exc.parameter in ("body", "type", "query", "results", "url", "position")
    else:
        assert event.type in ("search", "click") and event.query


@given(st.text(max_size=80), st.integers(min_value=0, max_value=10**6))
def test_any_query_text_is_stored_normalised_or_refused(text, results):
    body = json.dumps({"type": "search", "query": text, "results": results}).encode()
    readable = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text)  # control characters are never kept
    try:
        event = parse_event(body, now=7200.5)
    except EventError as exc:
        assert exc.parameter == "query"
        assert not readable.split()
    else:
        assert event.query == " ".join(readable.split()).casefold()
        assert event.hour == hour_of(7200.5) == 7200


@given(body=st.binary(max_size=5000), content_type=st.sampled_from(
    ["application/json", "text/plain", "text/plain;charset=UTF-8", "", "application/x-www-form-urlencoded",
     "multipart/form-data; boundary=x", "application/json; charset=latin-1", "text/html"]))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_body_or_content_type_makes_a_server_error(analytics_app, body, content_type):
    response = analytics_app.test_client().post("/api/events", data=body, content_type=content_type or None)
    assert response.status_code in (204, 400, 415)
    if response.status_code != 204:
        assert response.mimetype == "application/json"
        assert "Traceback" not in response.get_data(as_text=True)
