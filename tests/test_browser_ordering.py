"""As-you-type requests are debounced, and a slow answer to an older query never replaces a newer one.

The browser holds back the answer to the first query (Playwright's request
routing) until the second query's results are on screen, then lets it through.
"""

import json

import pytest

from browser.harness import blog_site, browser_index, chromium, open_page, page, searchsvc_url  # noqa: F401

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

QUOKKA = "Quokkaplex: a guide in three parts"
#: What the held-back request finally answers: a result that must never be shown.
STALE = {
    "query": "quokkaplex", "total": 1, "page": 1, "per_page": 10, "pages": 1, "took_ms": 1.0,
    "results": [{"id": "stale", "url": "/stale", "title": "STALE", "title_html": "STALE", "description": "",
                 "date": None, "tags": [], "author": "", "authors": [], "reading_minutes": None,
                 "snippet_html": "stale", "score": 1.0, "sections": []}],
    "facets": {"tags": {}}, "relaxed": False, "corrected_query": None, "corrected": False, "generation": 1,
}


def hold_first_query(page, query: str) -> list:
    """Hold every request for ``query``; let the others through. Returns the held routes."""
    held = []

    def handle(route):
        if f"q={query}" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/search?*", handle)
    return held


def release(held) -> None:
    for route in held:
        try:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(STALE))
        except sync_api.Error:
            pass  # the page already cancelled it


def check_newer_results_stay(page, box, status):
    held = hold_first_query(page, "quokkaplex")
    box.fill("quokkaplex")
    for _ in range(100):  # past the debounce, the request goes out and is held
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first query was never sent"
    box.fill("zebracorn")
    expect(status).to_contain_text("“zebracorn”")
    release(held)
    page.wait_for_timeout(500)  # time for the page to read the late answer
    expect(status).to_contain_text("“zebracorn”")
    expect(page.locator("[role=listbox] .ssw-title").first).to_contain_text("Zebracorn")
    expect(page.locator("[role=listbox] .ssw-title", has_text="STALE")).to_have_count(0)


def test_slow_older_answer_is_dropped_on_the_page(page, searchsvc_url):
    page.goto(searchsvc_url + "/")
    check_newer_results_stay(page, page.locator("#q"), page.locator("[role=status]"))
    expect(page).to_have_url(searchsvc_url + "/?q=zebracorn")


def test_slow_older_answer_is_dropped_even_when_it_cannot_be_cancelled(page, searchsvc_url):
    """With AbortController disabled, the request counter alone keeps the newer results."""
    page.add_init_script("AbortController.prototype.abort = function () {};")
    page.goto(searchsvc_url + "/")
    check_newer_results_stay(page, page.locator("#q"), page.locator("[role=status]"))


def test_slow_older_answer_is_dropped_in_the_embedded_widget(page, blog_site):
    page.add_init_script("AbortController.prototype.abort = function () {};")
    page.goto(blog_site["allowed"])
    page.keyboard.press("/")
    check_newer_results_stay(page, page.locator("dialog [role=combobox]"), page.locator("dialog [role=status]"))


#: Types into the search box from inside the page, a key every 20 ms: page timers keep
#: their order even when a loaded machine delays them, so this is deterministic.
TYPE_IN_PAGE = """text => new Promise(done => {
    const box = document.querySelector("#q");
    let i = 0;
    (function next() {
        if (i === text.length) return done();
        box.value += text[i++];
        box.dispatchEvent(new Event("input", {bubbles: true}));
        setTimeout(next, 20);
    })();
})"""


def test_typing_sends_one_request_per_pause(page, searchsvc_url):
    page.goto(searchsvc_url + "/")
    sent = []
    page.on("request", lambda request: "/api/search" in request.url and sent.append(request.url))
    page.evaluate(TYPE_IN_PAGE, "quokkaplex")
    expect(page.locator("[role=listbox] .ssw-title")).to_have_text([QUOKKA])
    page.wait_for_timeout(300)
    assert sent == [searchsvc_url + "/api/search?q=quokkaplex&prefer_lang=en"]  # the page is in English
