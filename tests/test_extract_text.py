"""Prose text: what is kept, what is removed, where words break."""

import pytest

from searchsvc.extract import extract, extract_html, normalise_space


def text(html: str) -> str:
    return extract_html(html).text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a  b  ", "a b"),
        ("a\n\t\r\nb", "a b"),
        ("a\u00a0b", "a b"),
        ("a\u202fb\u2007c\u3000d", "a b c d"),
        ("a\u200bb\ufeffc\u2060d", "a b c d"),
        ("\u200b", ""),
        ("ab\u200dc", "ab\u200dc"),
    ],
)
def test_normalise_space(raw, clean):
    assert normalise_space(raw) == clean


def test_paragraphs_separate_words():
    assert text("<p>a</p><p>b</p>") == "a b"


def test_table_cells_separate_words():
    assert text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b c"


def test_br_is_a_space():
    assert text("<p>a<br>b<br/>c</p>") == "a b c"


def test_inline_elements_do_not_insert_spaces():
    assert text("<p>foo<strong>bar</strong><em>baz</em><a href='x'>qux</a></p>") == "foobarbazqux"


def test_inline_code_is_prose():
    assert text("<p>call <code>foo()</code> now</p>") == "call foo() now"


def test_link_text_is_kept_and_url_is_not():
    assert extract("See [the docs](https://example.com/docs).").text == "See the docs."


def test_image_alt_text_is_prose():
    assert text('<p>Look:<img src="d.png" alt="A diagram">here</p>') == "Look: A diagram here"


def test_image_without_alt_adds_nothing():
    assert text('<p>a<img src="d.png">b</p>') == "ab"


@pytest.mark.parametrize(
    "tag", ["script", "style", "noscript", "template", "iframe", "svg", "object"]
)
def test_removed_elements_lose_their_text(tag):
    assert text(f"<p>a</p><{tag}><p>hidden</p></{tag}><p>b</p>") == "a b"


def test_embed_is_removed():
    assert text('<p>a<embed src="x">b</p>') == "ab"


def test_html_comments_are_removed():
    assert text("<p>a<!-- hidden -->b</p>") == "ab"


def test_mdx_comments_are_removed():
    assert extract("a {/* hidden\nover lines */} b").text == "a b"


def test_mdx_comments_in_inline_code_are_kept():
    assert extract("`{/* jsx */}`").text == "{/* jsx */}"


def test_mdx_components_are_unwrapped():
    assert extract("<Intro>\n\nWelcome **all**\n\n</Intro>\n").text == "Welcome all"


def test_inline_mdx_component_keeps_its_text():
    assert text("<p>Press <Kbd>Ctrl</Kbd></p>") == "Press Ctrl"


def test_self_closing_mdx_component_adds_nothing():
    assert text('<p>a</p><YouTubeIframe src="x" /><p>b</p>') == "a b"


def test_entities_are_decoded():
    assert text("<p>&amp; &lt;b&gt; &copy; &#x41;</p>") == "& <b> \u00a9 A"


def test_escaped_markup_is_literal_text():
    assert extract("&lt;script&gt;alert(1)&lt;/script&gt;").text == "<script>alert(1)</script>"


def test_raw_html_in_markdown_is_read_not_kept():
    assert extract("a <b>bold</b> <script>x()</script> c").text == "a bold c"


def test_strikethrough_text_is_kept():
    assert extract("~~old~~ new").text == "old new"


def test_unmatched_end_tags_are_ignored():
    assert text("<p>a</div></span>b</p>") == "ab"


def test_text_is_plain_not_html():
    assert extract("**bold** <i>x</i>").text == "bold x"
