"""Code blocks and inline code."""

from searchsvc.extract import CodeBlock, extract, extract_html


def test_fenced_code_is_a_code_block_with_its_language():
    assert extract("```ts\nconst a: number = 1;\n```").code_blocks == (
        CodeBlock(language="ts", code="const a: number = 1;"),
    )


def test_language_is_the_lower_cased_first_word_of_the_info_string():
    assert extract('```JSX title="App.js" {1,2}\nx\n```').code_blocks[0].language == "jsx"


def test_fence_without_info_has_no_language():
    assert extract("```\nx\n```").code_blocks == (CodeBlock("", "x"),)


def test_indented_code_is_a_code_block():
    assert extract("para\n\n    indented\n").code_blocks == (CodeBlock("", "indented"),)


def test_code_keeps_indentation_blank_lines_and_markup_characters():
    md = "```py\ndef f():\n\n    return a < b & c\n\n```"
    assert extract(md).code_blocks[0].code == "def f():\n\n    return a < b & c"


def test_fenced_code_is_not_prose():
    result = extract("## A\n\nbefore\n\n```js\nsecret()\n```\n\nafter")
    assert result.sections[0].text == "before after"
    assert "secret" not in result.text


def test_raw_pre_is_a_code_block():
    assert extract_html("<pre>\nline 1\n  line 2</pre>").code_blocks == (
        CodeBlock("", "line 1\n  line 2"),
    )


def test_language_from_html_class():
    html = '<pre><code class="hljs language-Python">print(1)\n</code></pre>'
    assert extract_html(html).code_blocks == (CodeBlock("python", "print(1)"),)


def test_code_blocks_inside_mdx_components():
    md = "<Sandpack>\n\n```js\nexport default 1;\n```\n\n</Sandpack>\n"
    assert extract(md).code_blocks == (CodeBlock("js", "export default 1;"),)


def test_inline_code_is_listed_in_order():
    result = extract("Use `useState` and `useEffect`.\n\n```js\nnotInline()\n```")
    assert result.inline_code == ("useState", "useEffect")


def test_inline_code_in_headings_is_listed():
    assert extract("## The `use` API").inline_code == ("use",)
