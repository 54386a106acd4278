"""Markdown source -> Markdown without the template syntax of static site generators. Pure.

A post's Markdown is also a template for its generator: Jekyll's Liquid (``{% include
x.html %}``, ``{{ site.url }}``), Hugo's shortcodes (``{{< figure src="a.png" >}}``),
MDX's ``import``/``export`` lines and ``{expressions}``, Docusaurus's admonitions
(``:::note`` … ``:::``), Kramdown's attribute lists (``{: .lead}``), excerpt markers
(``<!--more-->``). None of it is text a reader sees, so none of it may reach the index;
the text between such tags is kept, and code marked up by a template tag
(``{% highlight %}``, ``{{< highlight >}}``) becomes a fenced code block.

Fenced code blocks and inline code spans are left exactly as written (a post about
Liquid shows Liquid).

>>> print(clean("Hi {{ page.title }}!\\n{% include note.html %}\\n{{< figure src=a.png >}}"))
Hi !
<BLANKLINE>
<BLANKLINE>
"""

from __future__ import annotations

import re

__all__ = ["clean"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")

# Blocks whose text becomes code, or stays as it is, or goes.
_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+([\w+#.-]*)[^%]*?-?%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}", re.DOTALL
)
_HUGO_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+\"?([\w+#.-]*)\"?[^>%]*?[>%]\}\}\n?(.*?)\{\{[<%]\s*/highlight\s*[>%]\}\}", re.DOTALL
)
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
# Tags whose text goes: Liquid tags and output, Hugo shortcodes (inner text stays).
_LIQUID_TAG = re.compile(r"\{%.{0,500}?%\}", re.DOTALL)
_LIQUID_OUTPUT = re.compile(r"(?<!=)\{\{(?![<%])[^{}]{0,500}?\}\}")
_SHORTCODE = re.compile(r"\{\{[<%].{0,1000}?[>%]\}\}", re.DOTALL)
# Lines that go.
_MDX_LINE = re.compile(
    r"^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?['\"][^'\"]+['\"];?"
    r"|export\s+(?:const|let|var|function|default|async\s+function)\b.*)\s*$"
)
_ADMONITION = re.compile(r"^ {0,3}:::+\s*(?:[a-z]+\b)?(?P<title>[^\n{]*?)(?:\{[^\n}]*\})?\s*$", re.IGNORECASE)
_KRAMDOWN_LINE = re.compile(r"^ {0,3}\{:[^\n}]*\}\s*$")
_KRAMDOWN_TRAILING = re.compile(r"[ \t]*\{:[^\n}]*\}[ \t]*$", re.MULTILINE)
_MORE = re.compile(r"<!--\s*(?:more|truncate)\s*-->", re.IGNORECASE)
# MDX expressions in text: {props.name}, {new Date().getFullYear()} (not {#id}, {/* */}).
_MDX_EXPRESSION = re.compile(r"\{(?![#/:])[^{}\n]*\}")
#: Something this module removes may be there (most posts have none: returned as they are).
_ANY = re.compile(r"\{[%{:]|:::|<!--|^(?:import|export)\s", re.MULTILINE)
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


def clean(markdown: str, *, mdx: bool = False) -> str:
    """``markdown`` with template syntax removed (see the module's docstring); with ``mdx``,
    ``{expressions}`` in text too. Never raises."""
    if not (mdx and "{" in markdown) and not _ANY.search(markdown):
        return markdown
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return _PLACEHOLDER.format(len(kept) - 1)

    # Code the templates mark up: fenced, so that it is read as code.
    text = _HIGHLIGHT.sub(lambda m: keep(_fenced(m.group(1), m.group(2))), markdown)
    text = _HUGO_HIGHLIGHT.sub(lambda m: keep(_fenced(m.group(1), m.group(2))), text)
    text = _RAW.sub(lambda m: keep(m.group(1)), text)
    text = _COMMENT.sub("", text)
    out: list[str] = []
    prose: list[str] = []  # the lines since the last fenced block, cleaned together
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            rest = line.strip()[len(opened.group(1)):] if opened else ""
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) and not rest.strip():
                fence = None
            continue
        if opened:
            out.extend(_clean_prose(prose, mdx))
            prose = []
            fence = opened.group(1)
            out.append(line)
            continue
        prose.append(line)
    out.extend(_clean_prose(prose, mdx))
    text = "\n".join(out)
    return _PLACEHOLDER_RE.sub(lambda m: kept[int(m.group(1))], text)


def _clean_prose(lines: list[str], mdx: bool) -> list[str]:
    """Lines outside fenced code, cleaned: whole lines that go, then tags (which may run
    over several lines), with code spans left as written."""
    if not lines:
        return []
    kept_lines = []
    for line in lines:
        if _MDX_LINE.match(line) or _KRAMDOWN_LINE.match(line):
            kept_lines.append("")
        elif admonition := _ADMONITION.match(line):
            kept_lines.append(admonition.group("title").strip())
        else:
            kept_lines.append(line)
    text = "\n".join(kept_lines)
    spans: list[str] = []

    def aside(m: re.Match) -> str:
        spans.append(m.group(0))
        return f"\x01{len(spans) - 1}\x01"

    text = _CODE_SPAN.sub(aside, text) if "`" in text else text
    text = _SHORTCODE.sub("", text)  # first: "{{% x %}}" holds what looks like a Liquid tag
    text = _LIQUID_TAG.sub("", text)
    text = _LIQUID_OUTPUT.sub("", text)
    text = _MORE.sub("", text)
    text = _KRAMDOWN_TRAILING.sub("", text)
    if mdx:
        text = _MDX_EXPRESSION.sub("", text)
    if spans:
        text = re.sub("\x01(\\d+)\x01", lambda m: spans[int(m.group(1))], text)
    return text.split("\n")


def _fenced(language: str, code: str) -> str:
    code = code.strip("\n")
    fence = "```"
    while fence in code:
        fence += "`"
    return f"\n{fence}{language}\n{code}\n{fence}\n"
