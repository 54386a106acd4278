"""Search analytics in headless Chromium: the events the box sends, and the owner's /admin page."""

from __future__ import annotations

import json
import re

import pytest
import requests

from browser.harness import (  # noqa: F401
    ADMIN_TOKEN, blog_site, browser_index, chromium, open_page, page, searchsvc_url, type_query,
)

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

QUOKKA = "Quokkaplex: a guide in three parts"
#: The box sends a search once the reader stops typing for this long (widget.js SETTLE), in seconds.
SETTLE = 1.0


def record_events(page) -> list[dict]:
    """The events the page sends to /api/events, as they are sent."""
    sent: list[dict] = []

    def on_request(request):
        if request.url.endswith("/api/events") and request.method == "POST":
            sent.append(json.loads(request.post_data))

    page.on("request", on_request)
    return sent


def searches(sent, query=None):
    return [e for e in sent if e["type"] == "search" and (query is None or e["query"] == query)]


@pytest.fixture
def blog(page, blog_site):
    sent = record_events(page)
    page.goto(blog_site["allowed"])
    expect(page.locator(".ssw-trigger")).to_be_visible()
    page.locator(".ssw-trigger").click()
    return page, sent


def type_in_box(page, text, delay=40):
    type_query(page.locator("dialog [role=combobox]"), page.locator("dialog [role=status]"), text)


def test_a_typed_query_is_one_search_event_and_an_opened_result_one_click(blog):
    page, sent = blog
    box = page.locator("dialog [role=combobox]")
    box.press_sequentially("quokkaplex", delay=60)  # a keystroke every 60 ms: never settled while typing
    expect(page.locator("dialog [role=status]")).to_contain_text("“quokkaplex”")
    page.wait_for_timeout((SETTLE + 0.8) * 1000)  # (a sleep would hold Playwright's events back)
    assert searches(sent) == [{"type": "search", "query": "quokkaplex", "results": 1}]
    page.locator("dialog [role=option].ssw-hit").first.click()
    page.wait_for_url("**/blog/browser/**")
    clicks = [e for e in sent if e["type"] == "click"]
    assert clicks == [{"type": "click", "query": "quokkaplex", "url": "/blog/browser/sections_for_keyboard",
                       "position": 1}]
    assert len(searches(sent)) == 1  # opening the result did not count the search again


def test_enter_counts_the_query_at_once(blog):
    page, sent = blog
    type_in_box(page, "quokkaplex guide")
    page.locator("dialog [role=combobox]").press("ArrowDown")
    page.locator("dialog [role=combobox]").press("ArrowUp")  # back to the box, nothing chosen
    box = page.locator("dialog [role=combobox]")
    box.evaluate("b => b.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
    expect(page.locator("dialog.ssw-dialog")).to_be_hidden()  # closing the box counts what it showed
    page.wait_for_timeout(300)
    assert searches(sent) == [{"type": "search", "query": "quokkaplex guide", "results": 1}]


def test_a_query_abandoned_while_typing_is_not_counted(blog):
    page, sent = blog
    type_in_box(page, "quokk")
    page.locator("dialog [role=combobox]").fill("")
    page.wait_for_timeout((SETTLE + 0.5) * 1000)
    assert searches(sent) == []


def test_the_search_page_counts_its_own_search_and_the_box_does_not_again(open_page, searchsvc_url):
    page = open_page()
    sent = record_events(page)
    page.goto(searchsvc_url + "/?q=quokkaplex")
    expect(page.locator("[role=listbox] .ssw-title")).to_have_text([QUOKKA])
    page.wait_for_timeout((SETTLE + 0.5) * 1000)
    assert searches(sent) == []  # the server counted it when it rendered the page
    type_query(page.locator("#q"), page.locator("[role=status]"), "quokkaplex guide")
    page.wait_for_timeout((SETTLE + 0.5) * 1000)
    assert searches(sent) == [{"type": "search", "query": "quokkaplex guide", "results": 1}]
    assert page.problems == []


def test_the_admin_page_opens_in_a_browser_with_the_token_as_password(open_page, searchsvc_url):
    requests.post(searchsvc_url + "/api/events", json={"type": "search", "query": "nothing matches this", "results": 0},
                  timeout=5)
    page = open_page(http_credentials={"username": "owner", "password": ADMIN_TOKEN})
    page.goto(searchsvc_url + "/admin?days=7")
    expect(page.locator("h1")).to_have_text("Search insights")
    expect(page.locator("svg.admin-chart")).to_be_visible()
    expect(page.locator("svg.admin-chart rect.admin-searches")).to_have_count(7)
    zero = page.locator("section[aria-labelledby=zero-results] a", has_text="nothing matches this")
    expect(zero).to_be_visible()
    zero.click()  # "try it": the search page, without counting the owner's own search
    expect(page.locator("[role=status]")).to_contain_text("nothing matches this")
    assert page.problems == []


def test_the_admin_page_works_without_javascript(open_page, searchsvc_url):
    page = open_page(java_script_enabled=False, http_credentials={"username": "", "password": ADMIN_TOKEN})
    page.goto(searchsvc_url + "/admin")
    expect(page.locator("svg.admin-chart")).to_be_visible()
    expect(page.locator("[data-total=searches]")).to_have_text(re.compile(r"^\d+$"))


def test_the_admin_page_asks_a_browser_without_the_token_to_sign_in(searchsvc_url):
    response = requests.get(searchsvc_url + "/admin", timeout=5)  # (Chromium would show its sign-in prompt)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
