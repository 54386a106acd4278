"""Sections: text grouped under the heading before it, in document order."""

from searchsvc.extract import Extracted, Section, extract, extract_html


def test_text_under_a_heading_is_its_section():
    assert extract_html('<h1 id="title">Title</h1>TEST').sections == (
        Section(heading="Title", anchor="title", level=1, text="TEST"),
    )


def test_text_before_the_first_heading_is_a_level_0_section():
    assert extract_html("<p>Intro</p><h2>A</h2><p>a</p>").sections == (
        Section(heading="", anchor="", level=0, text="Intro"),
        Section(heading="A", anchor="a", level=2, text="a"),
    )


def test_no_level_0_section_when_nothing_precedes_the_first_heading():
    assert [s.level for s in extract_html("<p> </p><h2>A</h2>").sections] == [2]


def test_a_section_ends_at_the_next_heading_of_any_level():
    result = extract_html("<h2>A</h2><p>a</p><h4>B</h4><p>b</p><h1>C</h1><p>c</p>")
    assert [(s.heading, s.level, s.text) for s in result.sections] == [
        ("A", 2, "a"),
        ("B", 4, "b"),
        ("C", 1, "c"),
    ]


def test_a_heading_with_no_text_under_it_is_still_a_section():
    assert extract_html("<h2>A</h2><h2>B</h2>").sections[0] == Section("A", "a", 2, "")


def test_headings_nested_in_a_div_still_split_sections():
    html = "<div><p>x</p><h2>A</h2><div><p>a</p><h3>B</h3></div><p>b</p></div>"
    assert [(s.heading, s.text) for s in extract_html(html).sections] == [
        ("", "x"),
        ("A", "a"),
        ("B", "b"),
    ]


def test_headings_inside_mdx_components_split_sections():
    md = "<Note>\n\n### Inside {/*inside*/}\n\nnoted\n\n</Note>\n\nafter\n"
    assert extract(md).sections == (Section("Inside", "inside", 3, "noted after"),)


def test_text_in_lists_blockquotes_and_tables_belongs_to_the_preceding_heading():
    md = "## A\n\n- one\n- two\n\n> quoted\n\n| h |\n|---|\n| cell |\n"
    assert extract(md).sections == (Section("A", "a", 2, "one two quoted h cell"),)


def test_heading_text_comes_from_the_whole_element():
    assert extract_html("<h2>Use <code>foo()</code> here</h2>").sections[0].heading == "Use foo() here"


def test_inline_markup_in_a_heading_does_not_split_words():
    assert extract_html("<h2>foo<em>bar</em></h2>").sections[0].heading == "foobar"


def test_image_alt_in_a_heading_is_heading_text():
    assert extract_html('<h2>Logo <img alt="React"></h2>').sections[0].heading == "Logo React"


def test_an_unclosed_heading_ends_at_the_next_heading():
    assert [s.heading for s in extract_html("<h2>A<h3>B</h3><p>b</p>").sections] == ["A", "B"]


def test_any_heading_end_tag_closes_the_open_heading():
    assert extract_html("<h2>A</h3><p>a</p>").sections == (Section("A", "a", 2, "a"),)


def test_title_is_the_first_h1():
    assert extract_html("<h2>Sub</h2><h1>First</h1><h1>Second</h1>").title == "First"


def test_title_is_empty_without_an_h1():
    assert extract_html("<h2>Sub</h2><p>x</p>").title == ""


def test_headings_property_leaves_out_the_level_0_section():
    result = extract_html("<p>intro</p><h2>A</h2>")
    assert result.headings == (Section("A", "a", 2, ""),)


def test_text_joins_section_texts_with_newlines_without_headings():
    result = extract_html("<p>intro</p><h2>A</h2><p>a</p><h2>Empty</h2><h2>B</h2><p>b</p>")
    assert result.text == "intro\na\nb"


def test_empty_input():
    assert extract("") == Extracted(title="", sections=(), code_blocks=(), inline_code=(), text="")
