"""The search page GET / in headless Chromium: widget.js in page mode takes over the form."""

import re

import pytest

from browser.harness import browser_index, chromium, open_page, page, searchsvc_url, type_query  # noqa: F401

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

QUOKKA = "Quokkaplex: a guide in three parts"
QUOKKA_URL = "/blog/browser/sections_for_keyboard"


def search(page, text):
    type_query(page.locator("#q"), page.locator("[role=status]"), text)


@pytest.fixture
def search_page(page, searchsvc_url):
    page.goto(searchsvc_url + "/")
    page.evaluate("window.__sameDocument = true")
    return page


def test_typing_shows_results_without_reloading(search_page):
    search(search_page, "quokkaplex")
    expect(search_page.locator("[role=listbox] .ssw-title")).to_have_text([QUOKKA])
    hit = search_page.locator("[role=group]", has_text=QUOKKA)
    expect(hit.locator(".ssw-meta")).to_contain_text("Jun 10, 2024")
    expect(hit.locator(".ssw-tag")).to_have_text(["quokkaplex", "Guide"])
    expect(hit.locator(".ssw-snippet mark").first).to_have_text(re.compile("quokkaplex", re.I))
    expect(hit.locator(".ssw-section")).to_have_count(3)
    assert search_page.evaluate("window.__sameDocument") is True
    assert search_page.problems == []


def test_the_address_bar_follows_the_query(search_page, searchsvc_url):
    search(search_page, "quokkaplex")
    expect(search_page).to_have_url(searchsvc_url + "/?q=quokkaplex")
    expect(search_page).to_have_title("quokkaplex – Search")
    search(search_page, "")
    expect(search_page).to_have_url(searchsvc_url + "/")
    expect(search_page.locator("[role=option]")).to_have_count(0)


def test_combobox_and_listbox_roles(search_page):
    box = search_page.locator("#q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    search(search_page, "quokkaplex")
    expect(box).to_have_attribute("aria-expanded", "true")
    listbox = search_page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox).to_have_attribute("role", "listbox")
    expect(listbox.locator("[role=option]")).to_have_count(4)  # the post and its 3 sections


def test_live_region_announces_counts(search_page):
    status = search_page.locator("[role=status]")
    expect(status).to_have_attribute("aria-live", "polite")
    search(search_page, "quokkaplex")
    expect(status).to_have_text("1 post matches “quokkaplex”.")
    search(search_page, "server")
    expect(status).to_have_text(re.compile(r"^\d+ posts match “server”\.$"))
    search(search_page, "xqzzyv")
    expect(status).to_have_text("No posts match “xqzzyv”.")


def test_posts_missing_a_word_are_counted_apart(search_page):
    search(search_page, "quokkaplex three tuning")
    expect(search_page.locator("[role=status]")).to_have_text("1 post matches “quokkaplex three tuning”.")
    expect(search_page.locator(".ssw-notice")).to_have_text("Below them, 1 more with all of the words but one.")
    expect(search_page.locator(".ssw-result")).to_have_count(2)
    expect(search_page.locator(".ssw-result.ssw-fewer")).to_have_count(1)
    expect(search_page.locator(".ssw-result").first).to_contain_text(QUOKKA)


def active_href(page) -> str | None:
    active = page.locator("#q").get_attribute("aria-activedescendant")
    return page.locator(f"[id='{active}']").get_attribute("href") if active else None


def test_arrow_keys_reach_a_section_and_enter_opens_it(search_page, searchsvc_url):
    search(search_page, "quokkaplex")
    options = search_page.locator("[role=option]")
    expect(options).to_have_count(4)
    for _ in range(4):
        search_page.keyboard.press("ArrowDown")
        if (active_href(search_page) or "").endswith("#tuning"):
            break
    active = search_page.locator("[aria-selected=true]")
    expect(active).to_have_text("Tuning the quokkaplex")
    expect(active).to_have_class(re.compile(r"\bssw-active\b"))
    assert active.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"  # visible focus
    expect(search_page.locator("#q")).to_be_focused()
    search_page.keyboard.press("Enter")
    expect(search_page).to_have_url(searchsvc_url + QUOKKA_URL + "#tuning")


def test_enter_on_the_result_opens_the_post(search_page, searchsvc_url):
    search(search_page, "quokkaplex")
    expect(search_page.locator("[role=option]")).to_have_count(4)
    search_page.keyboard.press("ArrowDown")
    search_page.keyboard.press("Enter")
    expect(search_page).to_have_url(searchsvc_url + QUOKKA_URL)


def test_back_button_restores_earlier_results(search_page, searchsvc_url):
    search(search_page, "quokkaplex")
    expect(search_page.locator(".ssw-title").first).to_have_text(QUOKKA)
    search_page.keyboard.press("Enter")  # no option chosen: the search is kept in history
    search(search_page, "zebracorn")
    expect(search_page).to_have_url(searchsvc_url + "/?q=zebracorn")
    expect(search_page.locator(".ssw-title").first).to_contain_text("Zebracorn")
    search_page.go_back()
    expect(search_page).to_have_url(searchsvc_url + "/?q=quokkaplex")
    expect(search_page.locator("#q")).to_have_value("quokkaplex")
    expect(search_page.locator(".ssw-title")).to_have_text([QUOKKA])
    search_page.go_forward()
    expect(search_page.locator("#q")).to_have_value("zebracorn")
    expect(search_page.locator(".ssw-title").first).to_contain_text("Zebracorn")
    assert search_page.evaluate("window.__sameDocument") is True


def test_tag_chips_filter_the_results(search_page, searchsvc_url):
    search(search_page, "server")
    expect(search_page.locator(".ssw-title")).not_to_have_count(1)
    chip = search_page.locator(".ssw-chip", has_text="Kubernetes")
    expect(chip).to_have_attribute("aria-pressed", "false")
    chip.click()
    expect(search_page).to_have_url(searchsvc_url + "/?q=server&tag=Kubernetes")
    expect(search_page.locator(".ssw-title")).to_have_count(1)
    expect(search_page.locator(".ssw-title")).to_contain_text("Kubernetes")
    expect(search_page.locator("[role=status]")).to_have_text("1 post matches “server” tagged Kubernetes.")
    search_page.locator(".ssw-chip", has_text="Kubernetes").click()  # pressed: removes the filter
    expect(search_page).to_have_url(searchsvc_url + "/?q=server")
    search_page.go_back()
    expect(search_page.locator(".ssw-title")).to_have_count(1)


def test_a_chip_pressed_from_the_keyboard_keeps_the_focus(search_page):
    search(search_page, "server")
    chip = search_page.locator(".ssw-chip", has_text="Kubernetes")
    chip.focus()
    search_page.keyboard.press("Enter")
    expect(search_page.locator(".ssw-title")).to_have_count(1)
    expect(search_page.locator(".ssw-chip", has_text="Kubernetes")).to_be_focused()
    expect(search_page.locator(".ssw-chip", has_text="Kubernetes")).to_have_attribute("aria-pressed", "true")


def test_did_you_mean_is_a_link_that_runs_the_correction(search_page, searchsvc_url):
    search(search_page, "quokaplex")
    link = search_page.locator(".ssw-notice a")
    expect(search_page.locator(".ssw-notice")).to_have_text("Did you mean quokkaplex?")
    expect(link).to_have_attribute("href", "/?q=quokkaplex")
    link.click()
    expect(search_page.locator("#q")).to_have_value("quokkaplex")
    expect(search_page).to_have_url(searchsvc_url + "/?q=quokkaplex")
    expect(search_page.locator(".ssw-notice")).to_have_text("")


def test_pagination_stays_on_the_page(search_page, searchsvc_url):
    search_page.goto(searchsvc_url + "/?q=server&per_page=2")
    expect(search_page.locator(".ssw-title")).to_have_count(2)
    first = search_page.locator(".ssw-title").all_inner_texts()
    search_page.locator("a[rel=next]").click()
    expect(search_page).to_have_url(searchsvc_url + "/?q=server&per_page=2&page=2")
    expect(search_page.locator(".ssw-pager")).to_contain_text("Page 2 of")
    assert search_page.locator(".ssw-title").all_inner_texts() != first


def test_slash_and_ctrl_k_focus_the_box_and_escape_goes_back(search_page):
    button = search_page.locator("form button")
    for shortcut in ("/", "Control+k"):
        button.focus()
        search_page.keyboard.press(shortcut)
        expect(search_page.locator("#q")).to_be_focused()
        expect(search_page.locator("#q")).to_have_value("")  # the key itself is not typed
        search_page.keyboard.press("Escape")
        expect(button).to_be_focused()


def test_server_rendered_results_are_taken_over(page, searchsvc_url):
    page.goto(searchsvc_url + "/?q=quokkaplex")
    expect(page.locator("[role=listbox] [role=option]")).to_have_count(4)
    page.keyboard.press("ArrowDown")
    expect(page.locator("[aria-selected=true]")).to_contain_text(QUOKKA)
    assert page.problems == []


def test_works_without_javascript(open_page, searchsvc_url):
    page = open_page(java_script_enabled=False)
    page.goto(searchsvc_url + "/")
    page.locator("#q").fill("quokaplex")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(searchsvc_url + "/?q=quokaplex")
    expect(page.locator("ol.results .ssw-title")).to_have_text([QUOKKA])
    expect(page.locator(".ssw-section")).to_have_count(3)
    assert page.locator(".ssw-section[href$='#tuning']").count() == 1
    page.locator(".ssw-notice a", has_text="quokkaplex").click()  # did you mean
    expect(page).to_have_url(searchsvc_url + "/?q=quokkaplex")
    expect(page.locator("[role=option]")).to_have_count(0)


def test_phone_width_needs_no_sideways_scrolling(open_page, searchsvc_url):
    page = open_page(viewport={"width": 390, "height": 844})
    page.goto(searchsvc_url + "/?q=server")
    expect(page.locator("[role=option]").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.problems == []
