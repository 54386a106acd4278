"""What the owner is shown: the report, `searchsvc insights`, GET /api/insights and /admin, and who may see them."""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter

import pytest

from searchsvc.analytics import Event, Recorder, connect, hour_of, prune, write
from searchsvc.cli import main
from searchsvc.insights import report

TOKEN = "insights-token-for-tests"
NOW = 1_796_040_000.0  # 2026-11-30 12:00 UTC
DAY = 86400


def store(db, *events: Event) -> None:
    conn = connect(db)
    write(conn, Counter(e.key for e in events))
    conn.close()


def search(query, results, days_ago=0, n=1):
    return [Event("search", query, hour_of(NOW - days_ago * DAY), results=results)] * n


def click(query, url, position=1, days_ago=0, n=1):
    return [Event("click", query, hour_of(NOW - days_ago * DAY), url=url, position=position)] * n


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "analytics.sqlite3"
    store(
        path,
        *search("react hooks", 12, n=5),
        *search("react hooks", 12, days_ago=1, n=2),
        *search("pytest", 3, n=4),
        *search("kubernetes", 0, n=3),
        *search("graphql", 0, days_ago=2),
        *search("ancient", 1, days_ago=40, n=9),
        *click("react hooks", "/blog/hooks", n=3),
        *click("react hooks", "/blog/hooks#rules", position=2),
        *click("pytest", "/blog/pytest"),
    )
    return path


def test_the_report_counts_searches_and_clicks(db):
    data = report(db, days=30, now=NOW)
    assert (data["searches"], data["clicks"]) == (15, 5)
    assert data["click_through"] == round(5 / 15, 4)


def test_top_queries_are_most_searched_first_with_clicks_and_results(db):
    top = report(db, days=30, now=NOW)["top_queries"]
    assert top == [
        {"query": "react hooks", "searches": 7, "clicks": 4, "results": 12},
        {"query": "pytest", "searches": 4, "clicks": 1, "results": 3},
        {"query": "kubernetes", "searches": 3, "clicks": 0, "results": 0},
        {"query": "graphql", "searches": 1, "clicks": 0, "results": 0},
    ]


def test_zero_result_queries_are_listed_most_searched_first(db):
    assert report(db, days=30, now=NOW)["zero_results"] == [
        {"query": "kubernetes", "searches": 3},
        {"query": "graphql", "searches": 1},
    ]


def test_top_clicked_urls(db):
    assert report(db, days=30, now=NOW)["top_clicked"] == [
        {"url": "/blog/hooks", "clicks": 3},
        {"url": "/blog/hooks#rules", "clicks": 1},
        {"url": "/blog/pytest", "clicks": 1},
    ]


def test_per_day_has_every_day_of_the_period(db):
    per_day = report(db, days=3, now=NOW)["per_day"]
    assert per_day == [
        {"date": "2026-11-28", "searches": 1, "clicks": 0},
        {"date": "2026-11-29", "searches": 2, "clicks": 0},
        {"date": "2026-11-30", "searches": 12, "clicks": 5},
    ]


def test_days_and_limit_bound_the_report(db):
    data = report(db, days=1, limit=1, now=NOW)
    assert data["searches"] == 12
    assert [q["query"] for q in data["top_queries"]] == ["react hooks"]
    assert len(data["zero_results"]) == 1 and len(data["per_day"]) == 1
    assert report(db, days=60, now=NOW)["searches"] == 24  # the 40-day-old searches too


def test_a_missing_database_is_a_report_of_zeros(tmp_path):
    data = report(tmp_path / "none.sqlite3", days=7, now=NOW)
    assert (data["searches"], data["clicks"], data["top_queries"], data["click_through"]) == (0, 0, [], None)
    assert len(data["per_day"]) == 7
    assert not (tmp_path / "none.sqlite3").exists()


def test_events_older_than_the_retention_are_deleted(db):
    conn = connect(db)
    prune(conn, days=30, now=NOW)
    conn.close()
    assert report(db, days=3650, now=NOW)["searches"] == 15


def test_a_recorder_deletes_expired_events_as_it_writes(db):
    store(db, Event("search", "very old", hour_of(time.time() - 100 * DAY), results=1))
    recorder = Recorder(db, days=90)
    recorder.record(Event("search", "new", hour_of(time.time()), results=1))
    recorder.close()
    assert "very old" not in json.dumps(report(db, days=3650))


# ---------------------------------------------------------------------------
# The command line

def test_insights_command_prints_the_report(cli_runner, db):
    result = cli_runner.invoke(main, ["insights", "--db", str(db), "--days", "3650"])
    assert result.exit_code == 0, result.output
    assert "searches" in result.output
    assert re.search(r"react hooks\s+7\s+12\s+4", result.output)
    assert "Found nothing:" in result.output and "kubernetes" in result.output
    assert "/blog/hooks" in result.output


def test_insights_command_prints_json(cli_runner, db):
    result = cli_runner.invoke(main, ["insights", "--db", str(db), "--days", "3650", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["searches"] == 24 and len(data["top_queries"]) == 2


def test_insights_command_refuses_a_bad_days_value(cli_runner, db):
    result = cli_runner.invoke(main, ["insights", "--db", str(db), "--days", "0"])
    assert result.exit_code == 2
    assert "--days" in result.output


# ---------------------------------------------------------------------------
# Over HTTP, and who may see it

@pytest.fixture
def admin(make_app, blog_dirs, db):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir, analytics_db=db, admin_token=TOKEN).test_client()


def basic(password: str, user: str = "owner") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_api_insights_with_the_token_gives_the_report(admin):
    response = admin.get("/api/insights?days=3650", headers=BEARER)
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) >= {"searches", "clicks", "top_queries", "zero_results", "top_clicked", "per_day"}
    assert data["searches"] == 24


def test_api_insights_includes_events_just_taken(admin):
    admin.post("/api/events", json={"type": "search", "query": "brand new query", "results": 0})
    data = admin.get("/api/insights", headers=BEARER).get_json()
    assert {"query": "brand new query", "searches": 1} in data["zero_results"]


@pytest.mark.parametrize("path", ["/api/insights", "/admin"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, basic("wrong"), basic(TOKEN[:-1])])
def test_without_the_right_token_the_answer_is_401_asking_for_basic(admin, path, headers):
    response = admin.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "react hooks" not in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [BEARER, basic(TOKEN), basic(TOKEN, user="")])
def test_the_admin_page_opens_with_bearer_or_basic(admin, headers):
    response = admin.get("/admin", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/insights", "/admin"])
def test_without_a_configured_token_there_is_no_such_page(client, path):
    assert client.get(path, headers=BEARER).status_code == 404


def test_api_insights_404_is_json(client):
    response = client.get("/api/insights")
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(("query", "parameter"), [("days=0", "days"), ("days=x", "days"), ("limit=5000", "limit")])
def test_a_bad_period_or_limit_gets_400_naming_it(admin, query, parameter):
    response = admin.get(f"/api/insights?{query}", headers=BEARER)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_the_admin_page_shows_the_report_with_a_chart_drawn_on_the_server(admin):
    page = admin.get("/admin?days=3650", headers=BEARER).get_data(as_text=True)
    assert "<svg" in page and "<rect" in page  # drawn without JavaScript
    assert "<script" not in page
    assert 'data-total="searches">24<' in page
    assert 'href="/?q=react+hooks&amp;analytics=off"' in page  # try it, without counting it
    assert 'href="/?q=kubernetes&amp;analytics=off"' in page
    assert "/blog/hooks#rules" in page


def test_the_admin_page_escapes_what_readers_typed(admin):
    admin.post("/api/events", json={"type": "search", "query": "<script>alert(1)</script>", "results": 0})
    page = admin.get("/admin", headers=BEARER).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_the_admin_page_with_a_bad_period_says_which_parameter(admin):
    response = admin.get("/admin?days=-3", headers=BEARER)
    assert response.status_code == 400
    assert "The days parameter" in response.get_data(as_text=True)


def test_the_admin_page_links_only_web_addresses_readers_sent(admin):
    admin.post("/api/events", json={"type": "click", "query": "x", "url": "javascript:alert(document.domain)"})
    page = admin.get("/admin", headers=BEARER).get_data(as_text=True)
    assert 'href="javascript:' not in page
    assert "javascript:alert(document.domain)" in page  # shown, as text


def test_control_characters_never_reach_the_reports(admin):
    admin.post("/api/events", json={"type": "search", "query": "evil\x1b[31mred\x07 query", "results": 0})
    data = admin.get("/api/insights", headers=BEARER).get_json()
    assert {"query": "evil [31mred query", "searches": 1} in data["zero_results"]


def test_the_admin_page_says_what_a_query_that_found_nothing_finds_now(make_app, blog_dirs, tmp_path):
    content_dir, index_dir = blog_dirs
    (tmp_path / "synonyms.txt").write_text("pyt3st => pytest\n", encoding="utf-8")
    app = make_app(content_dir=content_dir, index_dir=index_dir, analytics_db=tmp_path / "a.sqlite3",
                   admin_token=TOKEN, synonyms=tmp_path / "synonyms.txt")
    client = app.test_client()
    for query in ("pyt3st", "zzqqxx"):
        client.post("/api/events", json={"type": "search", "query": query, "results": 0})
    page = client.get("/admin", headers=BEARER).get_data(as_text=True)
    fixed = re.search(r">pyt3st</a></td><td>1</td><td data-finds-now>(\d+)<", page)
    assert fixed and int(fixed.group(1)) >= 1  # fixed by the synonym since
    assert re.search(r">zzqqxx</a></td><td>1</td><td data-finds-now>0<", page)


def test_the_admin_page_opens_before_any_index_is_built(make_app, db, tmp_path):
    app = make_app(index_dir=tmp_path / "no-index-yet", analytics_db=db, admin_token=TOKEN)
    response = app.test_client().get("/admin?days=3650", headers=BEARER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "searchsvc reindex" in page  # what to do about the index
    assert 'data-total="searches">24<' in page
