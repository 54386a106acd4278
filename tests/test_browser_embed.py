"""The widget embedded with one script tag in a page served from another origin (another port)."""

import re

import pytest
import requests

from browser.harness import blog_site, browser_index, chromium, open_page, page, searchsvc_url, type_query  # noqa: F401

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

QUOKKA = "Quokkaplex: a guide in three parts"


@pytest.fixture
def blog(page, blog_site):
    """The blog page whose origin SEARCHSVC_CORS_ORIGINS lists."""
    page.goto(blog_site["allowed"])
    expect(page.locator(".ssw-trigger")).to_be_visible()
    return page


def dialog(page):
    return page.locator("dialog.ssw-dialog")


def search(page, text):
    type_query(page.locator("dialog [role=combobox]"), page.locator("dialog [role=status]"), text)


def test_widget_assets_may_be_loaded_by_any_site(searchsvc_url):
    for path, mimetype in (("/widget.js", "text/javascript"), ("/widget.css", "text/css")):
        response = requests.get(searchsvc_url + path, headers={"Origin": "http://elsewhere.example"}, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(mimetype)
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "max-age" in response.headers["Cache-Control"]


def test_the_element_becomes_a_search_button_and_the_stylesheet_is_added(blog, searchsvc_url):
    button = blog.locator("[data-searchsvc] button.ssw-trigger")
    expect(button).to_have_attribute("aria-haspopup", "dialog")
    expect(blog.locator("[data-searchsvc] a")).to_have_count(0)  # the no-JavaScript fallback link went
    expect(blog.locator(f"link[rel=stylesheet][href='{searchsvc_url}/widget.css']")).to_have_count(1)
    expect(button).to_have_css("border-radius", "8px")  # widget.css applies
    expect(dialog(blog)).to_be_hidden()


def test_allowed_origin_searches_as_you_type(blog):
    blog.locator(".ssw-trigger").click()
    expect(dialog(blog)).to_be_visible()
    box = blog.locator("dialog [role=combobox]")
    expect(box).to_be_focused()
    search(blog, "quokkaplex")
    expect(blog.locator("dialog [role=listbox] .ssw-title")).to_have_text([QUOKKA])
    expect(blog.locator("dialog [role=status]")).to_have_text("1 post matches “quokkaplex”.")
    expect(box).to_have_attribute("aria-expanded", "true")
    first = blog.locator("dialog [role=option]").first
    expect(first).to_have_attribute("aria-selected", "true")  # Enter opens the first result
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    assert blog.problems == []


def test_arrow_down_to_a_section_and_enter_opens_it(blog, blog_site):
    blog.keyboard.press("/")
    search(blog, "quokkaplex")
    options = blog.locator("dialog [role=option]")
    expect(options).to_have_count(4)
    for _ in range(4):
        if blog.locator("dialog [aria-selected=true]").get_attribute("href").endswith("#tuning"):
            break
        blog.keyboard.press("ArrowDown")
    expect(blog.locator("dialog [aria-selected=true]")).to_have_text("Tuning the quokkaplex")
    blog.keyboard.press("Enter")
    # Result URLs are relative, so they lead to the blog that embeds the widget.
    expect(blog).to_have_url(blog_site["allowed"] + "blog/browser/sections_for_keyboard#tuning")


def test_refused_origin_gets_no_results_and_a_clear_message(page, blog_site):
    page.goto(blog_site["refused"])
    page.locator(".ssw-trigger").click()
    page.locator("dialog [role=combobox]").press_sequentially("quokkaplex", delay=15)
    refused_origin = blog_site["refused"].rstrip("/")
    expect(page.locator("dialog [role=status]")).to_have_text(
        "Search is not available on this site: the search service does not accept requests from "
        f"{refused_origin}."
    )
    expect(page.locator("dialog [role=status]")).to_have_class(re.compile(r"\bssw-error\b"))
    expect(page.locator("dialog [role=option]")).to_have_count(0)
    expect(page.locator("dialog [role=combobox]")).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("origin, allowed", [("allowed", True), ("refused", False)])
def test_cors_preflight_from_a_real_browser(page, blog_site, searchsvc_url, origin, allowed):
    """A request with a non-simple header is preflighted; only a listed origin gets through."""
    page.goto(blog_site[origin])
    outcome = page.evaluate(
        """url => fetch(url, {headers: {"Content-Type": "application/json"}})
            .then(r => r.json()).then(d => "total " + d.total, e => "refused")""",
        searchsvc_url + "/api/search?q=quokkaplex",
    )
    assert outcome == ("total 1" if allowed else "refused")


@pytest.mark.parametrize("shortcut", ["/", "Control+k", "Meta+k"])
def test_shortcut_opens_and_escape_closes_and_returns_focus(blog, shortcut):
    elsewhere = blog.locator("#elsewhere")
    elsewhere.focus()
    blog.keyboard.press(shortcut)
    expect(dialog(blog)).to_be_visible()
    expect(blog.locator("dialog [role=combobox]")).to_be_focused()
    expect(blog.locator("dialog [role=combobox]")).to_have_value("")
    blog.keyboard.press("Escape")
    expect(dialog(blog)).to_be_hidden()
    expect(elsewhere).to_be_focused()


@pytest.mark.parametrize("shortcut", ["/", "Control+k"])
def test_shortcuts_are_left_alone_while_typing_elsewhere(blog, shortcut):
    comment = blog.locator("#comment")
    comment.focus()
    blog.keyboard.press(shortcut)
    expect(dialog(blog)).to_be_hidden()
    expect(comment).to_be_focused()
    if shortcut == "/":
        expect(comment).to_have_value("/")


def test_escape_after_searching_returns_focus_to_the_button(blog):
    button = blog.locator(".ssw-trigger")
    button.click()
    search(blog, "server")
    expect(blog.locator("dialog [role=option]").first).to_be_visible()
    blog.keyboard.press("Escape")
    expect(dialog(blog)).to_be_hidden()
    expect(button).to_be_focused()


def test_tag_chips_and_did_you_mean_in_the_dialog(blog):
    blog.keyboard.press("/")
    search(blog, "quokaplex")
    notice = blog.locator("dialog .ssw-notice")
    expect(notice).to_have_text("Did you mean quokkaplex?")
    notice.locator("a").click()
    expect(blog.locator("dialog [role=combobox]")).to_have_value("quokkaplex")
    expect(dialog(blog)).to_be_visible()
    expect(notice).to_have_text("")
    search(blog, "server")
    blog.locator("dialog .ssw-chip", has_text="Kubernetes").click()
    expect(blog.locator("dialog .ssw-title")).to_have_count(1)
    expect(blog.locator("dialog [role=status]")).to_have_text("1 post matches “server” tagged Kubernetes.")
    expect(blog).to_have_url(re.compile(r"/$"))  # an embedding page's address is left alone


def test_dialog_fills_a_phone_screen(open_page, blog_site):
    page = open_page(viewport={"width": 390, "height": 844})
    page.goto(blog_site["allowed"])
    page.locator(".ssw-trigger").click()
    search(page, "server")
    expect(page.locator("dialog [role=option]").first).to_be_visible()
    box = page.locator("dialog").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    body = page.locator("dialog .ssw-body")
    assert body.evaluate("e => e.scrollWidth <= e.clientWidth")


@pytest.mark.parametrize("lang, placeholder, found", [
    ("fr", "Rechercher des articles…", "1 article correspond à “quokkaplex”."),
    ("ko", "글 검색…", "“quokkaplex”에 맞는 글이 1개 있습니다."),
    ("zh-TW", "搜尋文章…", "有 1 篇文章符合 “quokkaplex”。"),
    ("zh-CN", "搜索文章…", "有 1 篇文章匹配 “quokkaplex”。"),
    ("pt-BR", "Pesquisar artigos…", "1 artigo corresponde a “quokkaplex”."),
    ("xx", "Search posts…", "1 post matches “quokkaplex”."),  # a language it has no words for: English
])
def test_the_box_speaks_the_pages_language(page, blog_site, lang, placeholder, found):
    page.goto(blog_site["allowed"] + "?lang=" + lang)
    page.locator(".ssw-trigger").click()
    box = page.locator("dialog [role=combobox]")
    expect(box).to_have_attribute("placeholder", placeholder)
    search(page, "quokkaplex")
    expect(page.locator("dialog [role=status]")).to_have_text(found)


def test_a_pasted_paragraph_is_searched_by_its_first_words(blog):
    blog.locator(".ssw-trigger").click()
    pasted = "quokkaplex " + " ".join(f"word{i}" for i in range(40))
    blog.locator("dialog [role=combobox]").fill(pasted)  # as a paste: all at once
    expect(blog.locator("dialog .ssw-notice")).to_contain_text(
        "Searched for the first words only: the last 9 were left out.")
    assert blog.problems == []
