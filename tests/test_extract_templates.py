"""Template syntax of static site generators never reaches the index; the text it wraps does."""

import pytest
from hypothesis import given, settings, strategies as st

from searchsvc.extract import extract
from searchsvc.templating import clean


def text_of(markdown: str, **kw) -> str:
    return extract(markdown, **kw).text


def code_of(markdown: str, **kw) -> list[tuple[str, str]]:
    return [(b.language, b.code) for b in extract(markdown, **kw).code_blocks]


@pytest.mark.parametrize("markdown, text", [
    ("Hello {{ site.title | upcase }} world.", "Hello world."),
    ("Before {% include note.html param='x' %} after.", "Before after."),
    ("Before {% include note.html\n   param='x' %} after.", "Before after."),  # over two lines
    ("A {% comment %}hidden words{% endcomment %} B", "A B"),
    ("{{< figure src=\"a.png\" >}}\nPlain text.", "Plain text."),
    ("{{% notice tip %}}Inner words kept{{% /notice %}}", "Inner words kept"),
    ("{{< youtube id=\"x\" >}}", ""),
    ("Read on <!--more--> here.", "Read on here."),
    ("Read on\n\n<!-- truncate -->\n\nhere.", "Read on here."),
    ("A paragraph.\n{: .lead}", "A paragraph."),
    ("A paragraph. {: .lead}", "A paragraph."),
    (":::note Remember this\nAdmonition text.\n:::", "Remember this Admonition text."),
    (":::tip\nOnly text.\n:::", "Only text."),
    ("import Tabs from '@theme/Tabs';\nexport const meta = {a: 1};\n\nText.", "Text."),
])
def test_template_syntax_goes_and_its_text_stays(markdown, text):
    assert " ".join(text_of(markdown).split()) == text


def test_raw_blocks_keep_their_text():
    assert text_of("{% raw %}{{ shown as written }}{% endraw %}") == "{{ shown as written }}"


def test_highlight_tags_become_code():
    assert code_of("{% highlight ruby linenos %}\ndef foo; end\n{% endhighlight %}") == [("ruby", "def foo; end")]
    assert code_of("{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}") == [("go", "func main() {}")]


def test_code_is_left_as_written():
    markdown = "Use `{{ var }}` here.\n\n```liquid\n{% if x %}{{ y }}{% endif %}\n```\n"
    assert "{{ var }}" in text_of(markdown)
    assert code_of(markdown) == [("liquid", "{% if x %}{{ y }}{% endif %}")]


def test_mdx_expressions_go_only_in_mdx_files():
    markdown = "The year is {new Date().getFullYear()} now."
    assert " ".join(text_of(markdown, mdx=True).split()) == "The year is now."
    assert "{new Date().getFullYear()}" in text_of(markdown)


def test_heading_ids_survive():
    [section] = extract("## Setup {#install}\n\nText {{ x }}.", mdx=True).sections
    assert (section.heading, section.anchor) == ("Setup", "install")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}%<>:-`#/ \nabc*'\"")), max_size=200), st.booleans())
def test_cleaning_never_raises_and_never_adds_text(markdown, mdx):
    cleaned = clean(markdown, mdx=mdx)
    assert isinstance(cleaned, str)
    assert len(cleaned) <= len(markdown) + 20 * markdown.count("highlight")  # fences only
