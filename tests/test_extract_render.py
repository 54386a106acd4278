"""render(): CommonMark with raw HTML, tables and strikethrough."""

from searchsvc.extract import render


def test_tables_are_enabled():
    assert "<table>" in render("| a |\n|---|\n| b |\n")


def test_strikethrough_is_enabled():
    assert render("~~x~~") == "<p><s>x</s></p>\n"


def test_raw_html_passes_through():
    assert render("<Note>\n\nhi\n\n</Note>") == "<Note>\n<p>hi</p>\n</Note>"


def test_mdx_comments_render_as_literal_text_not_emphasis():
    assert render("## A {/*some-id*/}") == "<h2>A {/*some-id*/}</h2>\n"


def test_curly_hash_ids_render_as_literal_text():
    assert render("## A {#_x_}") == "<h2>A {#_x_}</h2>\n"
