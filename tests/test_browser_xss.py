"""Nothing from a post or a query runs as script, on the search page or in an embedding page.

tests/browser/blog/script_payloads_everywhere.md puts markup that would set
``window.__pwned`` (or open an alert) in its title, description, tags, author,
body and headings; the queries below carry their own.
"""

import re
import urllib.parse

import pytest

from browser.harness import blog_site, browser_index, chromium, open_page, page, searchsvc_url  # noqa: F401

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

QUERY = "<script>window.__pwned='query'</script><img src=x onerror=\"window.__pwned='query'\"> zebracorn"


def assert_nothing_ran(page):
    page.locator("[role=listbox]").hover()  # the author's onmouseover, were it markup
    page.wait_for_timeout(300)  # time for an image error or a late script
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert [p for p in page.problems if p.startswith(("dialog", "page error"))] == []


def assert_markup_shown_as_text(scope):
    title = scope.locator(".ssw-title", has_text="Zebracorn")
    expect(title).to_contain_text("<img src=x onerror=")
    expect(scope.locator("[role=listbox] img, [role=listbox] script, [role=listbox] svg, [role=listbox] b")).to_have_count(0)
    expect(scope.locator(".ssw-tag", has_text="<img")).to_have_count(1)
    for link in scope.locator("[role=listbox] a").all():
        assert link.get_attribute("href").startswith("http")


@pytest.mark.parametrize("q", [QUERY, '"><script>alert(1)</script>', "<img src=x onerror=alert(1)> comparator"])
def test_the_pages_only_script_is_the_widget(client, q):
    """No browser needed: the query is echoed escaped, and widget.js is the one script element."""
    html = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", html, re.IGNORECASE) == ['<script src="/widget.js" defer>']
    assert "<img" not in html.lower()
    assert "&lt;" in html


def test_page_shows_a_hostile_post_as_text(page, searchsvc_url):
    page.goto(searchsvc_url + "/")
    page.locator("#q").press_sequentially("zebracorn", delay=10)
    expect(page.locator(".ssw-title").first).to_contain_text("Zebracorn")
    assert_markup_shown_as_text(page)
    expect(page.locator(".ssw-section").first).to_contain_text("zebracorn")
    assert_nothing_ran(page)


def test_page_echoes_a_hostile_query_as_text(page, searchsvc_url):
    page.goto(searchsvc_url + "/")
    page.locator("#q").fill(QUERY)
    expect(page.locator("[role=status]")).to_contain_text("<script>window.__pwned='query'</script>")
    expect(page).to_have_title(QUERY + " – Search")
    assert_nothing_ran(page)


def test_server_rendered_page_with_a_hostile_query(page, searchsvc_url):
    page.goto(searchsvc_url + "/?" + urllib.parse.urlencode({"q": QUERY}))
    expect(page.locator("[role=status]")).to_contain_text("<img src=x onerror=")
    assert_markup_shown_as_text(page)
    assert_nothing_ran(page)


def test_server_rendered_page_without_javascript(open_page, searchsvc_url):
    page = open_page(java_script_enabled=False)
    page.goto(searchsvc_url + "/?" + urllib.parse.urlencode({"q": "zebracorn"}))
    expect(page.locator(".ssw-title", has_text="Zebracorn")).to_contain_text("<img src=x onerror=")
    expect(page.locator("ol.results img, ol.results script, ol.results svg")).to_have_count(0)


def test_embedded_widget_shows_a_hostile_post_and_query_as_text(page, blog_site):
    page.goto(blog_site["allowed"])
    page.keyboard.press("/")
    page.locator("dialog [role=combobox]").fill(QUERY)
    dialog = page.locator("dialog")
    expect(dialog.locator("[role=status]")).to_contain_text("<script>window.__pwned='query'</script>")
    expect(dialog.locator(".ssw-title").first).to_contain_text("Zebracorn")
    assert_nothing_ran(page)
    assert_markup_shown_as_text(dialog)
