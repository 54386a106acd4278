"""render(): CommonMark with raw HTML, tables and strikethrough, written as the HTML that
extraction reads (only the tags that carry text or code)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from searchsvc.extract import _markdown, extract_html, render


def test_tables_are_enabled():
    assert extract_html(render("| a | b |\n|---|---|\n| c | d |\n")).text == "a b c d"


def test_strikethrough_is_enabled():
    assert render("~~x~~").split() == ["x"]


def test_links_and_emphasis_are_their_text():
    assert render("[**Node**.js](https://nodejs.org) _rocks_").split() == ["Node.js", "rocks"]


def test_blocks_are_line_breaks():
    assert render("one\n\n- two\n- three\n\n> four\n\n---\nfive  \nsix").split() == [
        "one", "two", "three", "four", "five", "six",
    ]  # fmt: skip


def test_headings_code_and_images_keep_their_tags():
    html = render("## Title\n\n`x()`\n\n```py\nprint(1)\n```\n\n![Logo](a.png)")
    assert "<h2>Title</h2>" in html
    assert "<code>x()</code>" in html
    assert '<pre><code class="language-py">print(1)\n</code></pre>' in html
    assert 'alt="Logo"' in html


def test_raw_html_passes_through():
    assert render("<Note>\n\nhi\n\n</Note>").split() == ["<Note>", "hi", "</Note>"]


def test_mdx_comments_render_as_literal_text_not_emphasis():
    assert render("## A {/*some-id*/}") == "<h2>A {/*some-id*/}</h2>\n"


def test_curly_hash_ids_render_as_literal_text():
    assert render("## A {#_x_}") == "<h2>A {#_x_}</h2>\n"


_FULL_HTML = _markdown(lean=False)

# Markdown made of the constructs whose tags render() leaves out, and of those it keeps.
_WORDS = st.sampled_from(["node", "`x()`", "**bold**", "_it_", "~~old~~", "[link](u)", "![alt](i.png)", "a  \nb"])
_LINE = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_BLOCK = st.one_of(
    _LINE,
    _LINE.map(lambda line: "## " + line),
    _LINE.map(lambda line: "- " + line + "\n- " + line),
    _LINE.map(lambda line: "1. " + line),
    _LINE.map(lambda line: "> " + line),
    _LINE.map(lambda line: "| " + line.replace("|", "") + " | b |\n|---|---|\n| c | d |"),
    _LINE.map(lambda line: "```js\n" + line + "\n```"),
    st.just("---"),
    st.just("<details><summary>More</summary>"),
    st.just("</details>"),
)


@settings(deadline=None, max_examples=200)
@given(st.lists(_BLOCK, min_size=1, max_size=8).map("\n\n".join))
def test_extraction_reads_the_same_as_from_the_full_html(markdown):
    assert extract_html(render(markdown)) == extract_html(_FULL_HTML.render(markdown))


def _tokens(md, markdown):
    return [token.as_dict() for token in md.parse(markdown)]


def test_a_plain_link_is_read_as_markdown_it_reads_it():
    markdown = "See [the notes](https://nodejs.org/en/blog) and [`a1b2c3`](https://github.com/x/y/commit/a1b2c3)."
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)


_LINKISH = st.lists(
    st.sampled_from(["[", "]", "(", ")", "`", "``", "x", "y z", " ", "*", "_", "~~", "\\", "&amp;", "<", ">", "\n",
                     "https://a.b/c", "!", "{", "}", '"', "'", "#", "[x](u)", "[`c`](u)", "[]()", "\t", "\x00", "é"]),
    max_size=24,
).map("".join)


@settings(deadline=None, max_examples=500)
@given(_LINKISH)
def test_links_are_read_as_markdown_it_reads_them(markdown):
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)


def test_plain_bold_text_is_read_as_markdown_it_reads_it():
    markdown = "* **fs**: a fix\n* **http2**, **tls**: more (**breaking**)\n\n**Note** the end **here**"
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)


_EMPHASISISH = st.lists(
    st.sampled_from(["*", "**", "***", "_", "__", " ", "  ", "a", "bc", "1", ".", ",", ":", "(", ")", "!", "-", "\n",
                     "`", "[x](u)", "~~", "\\", "é", "\u00a0", "\u3000", "。", "**fs**", "**a b**", "*", "#", "<b>"]),
    max_size=24,
).map("".join)


@settings(deadline=None, max_examples=1000)
@given(_EMPHASISISH)
def test_bold_text_is_read_as_markdown_it_reads_it(markdown):
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)


def test_text_runs_past_characters_that_start_no_rule_as_markdown_it_reads_them():
    markdown = "- **fs**: fix a-b (Jane Doe) [#1234](https://x.y/1234) & more: `x` ~~y~~ <b>z</b> {#id} ![i](p)\n"
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)


#: Every ASCII punctuation mark (those that end markdown-it's own text runs and the others),
#: with letters, spaces and line breaks between them.
_PUNCTUATED = st.lists(
    st.sampled_from([*"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "a", "bc", " ", "  ", "\n", "\n\n", "- ", "1. ", "> ",
                     "# ", "[x](u)", "**b**", "<a href='u'>", "&copy;", "é"]),
    max_size=32,
).map("".join)


@settings(deadline=None, max_examples=1000)
@given(_PUNCTUATED)
def test_any_punctuation_is_read_as_markdown_it_reads_it(markdown):
    assert _tokens(_markdown(), markdown) == _tokens(_FULL_HTML, markdown)
