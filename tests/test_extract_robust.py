"""Any string in, an Extracted out: no exceptions, no recursion limit."""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from searchsvc.extract import Extracted, extract, extract_html

HTMLISH = st.text(alphabet=st.sampled_from(list("<>/!-[]{}*#&;=\"' \nabhpre123")) | st.characters())


@settings(deadline=None)
@given(st.text())
def test_extract_never_raises(markdown):
    assert isinstance(extract(markdown), Extracted)


@settings(deadline=None)
@given(st.text())
def test_extract_html_never_raises(html):
    assert isinstance(extract_html(html), Extracted)


@settings(deadline=None, max_examples=300)
@given(HTMLISH)
def test_extract_html_never_raises_on_markup_like_text(html):
    assert isinstance(extract_html(html), Extracted)


def test_unknown_marked_section_does_not_raise():
    assert extract_html("<p>a</p><![foo[ x ]]><p>b</p>").text == "a b"


def test_deep_nesting_does_not_hit_the_recursion_limit():
    html = "<div>" * 50_000 + "<h2>Deep</h2><p>text</p>" + "</div>" * 50_000
    assert [(s.heading, s.text) for s in extract_html(html).sections] == [("Deep", "text")]


def test_deep_markdown_nesting_does_not_raise():
    # markdown-it stops nesting at 20 levels (its maxNesting); the text beyond is dropped.
    assert isinstance(extract(">" * 10_000 + " quoted"), Extracted)


def test_many_unmatched_end_tags_do_not_blow_up():
    # Not a speed test (bench/ measures speed): libxml2 searches its whole stack for each
    # unmatched end tag, so without the depth fallback this input takes minutes, not ~1 s.
    html = "<div>" * 20_000 + "</span>" * 20_000
    start = time.process_time()
    extract_html(html)
    assert time.process_time() - start < 10


def test_unclosed_removed_element_swallows_the_rest():
    assert extract_html("<p>a</p><iframe><p>b</p>").text == "a"
