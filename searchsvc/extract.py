"""Rendered HTML -> plain text, sections (heading, anchor, text) and code blocks. Pure.

``extract(markdown)`` renders the Markdown with :func:`render` (only the tags that carry
text or code) and reads the HTML with :func:`extract_html`: BeautifulSoup builds a tree
(with lxml when it is installed, else with "html.parser"), and one iterative walk over
``soup.descendants``, in document order, with an explicit stack of open elements, collects
the text. So a heading nested in a ``<div>``
or an MDX component still starts a section, and deep or huge input cannot exhaust the
recursion limit.

Nothing here raises on any string input. Output is always plain text, never HTML.
:func:`normalise_space` is the one place whitespace is cleaned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, PageElement, ParserRejectedMarkup, Tag
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .languages import SOFT_HYPHEN
from .templating import clean as clean_templates

try:
    from bs4.builder._lxml import LXMLTreeBuilder
    from lxml import etree
except ImportError:  # lxml is not installed: "html.parser" reads everything
    LXMLTreeBuilder = None  # type: ignore[assignment,misc]

__all__ = [
    "CodeBlock",
    "Extracted",
    "Section",
    "extract",
    "extract_html",
    "normalise_space",
    "render",
    "slugify",
]


@dataclass(frozen=True)
class Section:
    #: Heading text ("" for the text before the first heading).
    heading: str
    #: The heading's id, unique within the post ("" for the text before the first heading).
    anchor: str
    #: 1-6, or 0 for the text before the first heading.
    level: int
    #: Prose under the heading up to the next heading of any level; no fenced code.
    text: str


@dataclass(frozen=True)
class CodeBlock:
    #: Lower-cased first word of the fence's info string; "" when there is none.
    language: str
    #: The code as written, trailing newlines removed.
    code: str


@dataclass(frozen=True)
class Extracted:
    #: Text of the first <h1>, "" if none.
    title: str
    #: In document order; the level-0 section (text before any heading) only if it has text.
    sections: tuple[Section, ...]
    code_blocks: tuple[CodeBlock, ...]
    #: Text of each inline <code> outside <pre>, in order (empty ones left out).
    inline_code: tuple[str, ...]
    #: All prose: the non-empty section texts joined with "\n" (headings not included).
    text: str

    @property
    def headings(self) -> tuple[Section, ...]:
        """The sections that start at a heading (level 1-6)."""
        return tuple(s for s in self.sections if s.level > 0)


# --------------------------------------------------------------------------- whitespace

#: Zero-width characters that separate words. ZWJ/ZWNJ (U+200C/U+200D) are kept:
#: they are part of words (Persian, Indic scripts) and of emoji sequences.
_INVISIBLE_SPACES = {**dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u180e"), " "), **SOFT_HYPHEN}


def normalise_space(text: str) -> str:
    """Turn NBSP, zero-width and other Unicode spaces into ' ', collapse runs, strip; drop
    soft hyphens (languages.SOFT_HYPHEN).

    >>> normalise_space(" a\\u00a0\\u200bb\\n\\tc Konfigu\\u00adration")
    'a b c Konfiguration'
    """
    return " ".join(text.translate(_INVISIBLE_SPACES).split())


def slugify(text: str) -> str:
    """GitHub-style heading slug: lower-case, punctuation dropped, spaces -> '-'.

    Letters and digits of any script, combining marks, '-' and '_' are kept. May return
    "" (e.g. for "!!!"); :func:`extract_html` then uses "section".

    >>> slugify("What's new in React 19?")
    'whats-new-in-react-19'
    >>> slugify("Café au lait")
    'café-au-lait'
    """
    out = []
    for ch in normalise_space(text).lower():
        if ch == " ":
            out.append("-")
        elif ch.isalnum() or ch in "-_" or unicodedata.category(ch)[0] == "M":
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- Markdown


def _literal_braces(state: StateInline, silent: bool) -> bool:
    """Keep ``{/* ... */}`` (MDX comments) and ``{#id}`` as literal text.

    Without this, ``{/*some-id*/}`` renders as ``{/<em>some-id</em>/}`` and the heading
    id cannot be read back from the HTML.
    """
    src, pos = state.src, state.pos
    if src[pos] != "{" or pos + 1 >= state.posMax:
        return False
    if src.startswith("/*", pos + 1):
        end = src.find("*/}", pos + 3, state.posMax)
        if end < 0:
            return False
        end += 3
    elif src[pos + 1] == "#":
        end = src.find("}", pos + 2, state.posMax)
        if end < 0 or "\n" in src[pos:end] or "{" in src[pos + 1 : end]:
            return False
        end += 1
    else:
        return False
    if not silent:
        state.push("text", "", 0).content = src[pos:end]
    state.pos = end
    return True


#: ``[text](url)`` and ``[`code`](url)`` whose text holds nothing that another inline rule
#: would read (no brackets, backslashes, emphasis, code, HTML, entities, braces or line
#: breaks), and whose destination is plain (no spaces, parentheses, quotes, angle
#: brackets, backslashes, entities or control characters): see :func:`_plain_link`.
_PLAIN_LINK = re.compile(
    r"\[(?:([^\[\]\\`<>*_~&!{}\n]*)|`([^\[\]`\s](?:[^\[\]`\n]*[^\[\]`\s])?)`)\]"
    r"\(([^\s()<>\\&\"'\x00-\x1f\x7f]+)\)"
)


def _plain_link(state: StateInline, silent: bool) -> bool:
    """A plain link (see :data:`_PLAIN_LINK`) read in one match, giving the tokens
    markdown-it's own link rule gives it; any other link is left to that rule.

    Release notes are lists of such links (a commit, a pull request), and markdown-it reads
    a link's text by trying every inline rule at each of its characters: this is an eighth
    of the time spent parsing them.
    """
    if state.src[state.pos] != "[":
        return False
    match = _PLAIN_LINK.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        text, code, href = match.groups()
        state.push("link_open", "a", 1).attrs = {"href": state.md.normalizeLink(href)}
        if code is not None:
            token = state.push("code_inline", "code", 0)
            token.markup = "`"
            token.content = code
        elif text:
            state.pending += text
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


#: ``**text**`` after a space (or at the start) and before a space, an ASCII punctuation mark
#: or the end, whose text starts with no space, ends with a letter or digit and holds nothing
#: that another inline rule reads: see :func:`_plain_strong`.
_PLAIN_STRONG = re.compile(r"\*\*([^\s*_~`\\\[\]<>&!{}](?:[^*_~`\\\[\]<>&!{}\n]*[^\W_])?)\*\*")
_AFTER_STRONG = frozenset(" \t\n!\"#$%&'()+,-./:;<=>?@[\\]^`{|}~")


def _plain_strong(state: StateInline, silent: bool) -> bool:
    """Plain bold text (see :data:`_PLAIN_STRONG`) read in one match, giving the tokens that
    markdown-it's emphasis rules give it; any other emphasis is left to them.

    Such delimiters can only open (after a space) and only close (before a space or a
    punctuation mark) and nothing between them can pair with anything else, so CommonMark's
    delimiter algorithm pairs them with each other (release notes start each line with a
    bold subsystem, ``**fs**:``).
    """
    src, pos = state.src, state.pos
    if silent or not src.startswith("**", pos) or (pos > 0 and src[pos - 1] not in " \t\n"):
        return False
    match = _PLAIN_STRONG.match(src, pos, state.posMax)
    if match is None:
        return False
    end = match.end()
    if end < state.posMax and src[end] not in _AFTER_STRONG:
        return False
    # As markdown-it leaves them: each run's other "*" an empty text (merged with any text
    # beside it when markdown-it joins the fragments).
    state.push("text", "", 0)
    state.push("strong_open", "strong", 1).markup = "**"
    state.pending += match.group(1)
    state.push("strong_close", "strong", -1).markup = "**"
    state.push("text", "", 0)
    state.pos = end
    return True


#: The characters where an inline rule of :func:`_markdown` may start (newline, escape,
#: backticks, strikethrough, braces, emphasis, links, images, autolinks and HTML, entities),
#: and "]", which ends a link's text.
_RULE_STARTS = re.compile(r"[\n\\`~{*_\[\]!<&]")

#: Tags that carry no text and no word break: written as nothing.
_UNWRITTEN = ("link", "strong", "em", "s")
#: Block wrappers that only separate words: written as a line break, which the reader
#: collapses into the one space their tags would have made.
_LINE_BREAKS = (
    "paragraph", "list_item", "bullet_list", "ordered_list", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td",
)  # fmt: skip


def _nothing(renderer, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return ""


def _line_break(renderer, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return "\n"


def _markdown(lean: bool = True) -> MarkdownIt:
    """CommonMark + tables + strikethrough, raw HTML allowed.

    ``lean`` reads plain links and plain bold text in one step each (see :func:`_plain_link`
    and :func:`_plain_strong`), and writes only what :func:`extract_html` reads: headings,
    code, ``<pre>``, images and the post's own raw HTML keep their tags; links and emphasis
    are their text, and paragraphs, lists, tables, quotes, rules and hard breaks are line
    breaks. The text read back is the same as from the full HTML, and the tree BeautifulSoup
    builds has a fifth of the elements: building it was half the time of a full build's
    extraction.
    """
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    # Only text is extracted, never hrefs: skip markdown-it's costly URL normalisation
    # (a fifth of the rendering time of link-heavy release notes).
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.inline.ruler.before("emphasis", "literal_braces", _literal_braces)
    if lean:
        # The text rule stops only where an enabled inline rule may start (and at "]", where
        # a link's text ends), not at "-", ":" or "#" too: at each of those markdown-it
        # tried every rule in turn before taking the character as text.
        md.inline.terminator_re = _RULE_STARTS
        md.inline.ruler.before("link", "plain_link", _plain_link)
        md.inline.ruler.before("emphasis", "plain_strong", _plain_strong)
        for name in _UNWRITTEN:
            md.add_render_rule(f"{name}_open", _nothing)
            md.add_render_rule(f"{name}_close", _nothing)
        for name in _LINE_BREAKS:
            md.add_render_rule(f"{name}_open", _line_break)
            md.add_render_rule(f"{name}_close", _line_break)
        md.add_render_rule("hr", _line_break)
        md.add_render_rule("hardbreak", _line_break)
    return md


_md = _markdown()


def render(markdown: str) -> str:
    """Markdown -> the HTML that :func:`extract_html` reads (see :func:`_markdown`: only
    the tags that carry text or code are written)."""
    return _md.render(markdown)


# --------------------------------------------------------------------------- HTML

#: Removed with everything inside them.
_REMOVED = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "object", "embed"}
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Inline elements: no word break at their edges. Every other element (block elements,
#: table cells, and unknown tags such as MDX components) separates words.
_INLINE = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del",
        "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "rp", "rt",
        "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
        "tt", "u", "var", "picture", "slot",
    }
)  # fmt: skip
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
        "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip
_MDX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_MARKED_SECTION = re.compile(r"<!\[[^>]*>?")
#: A trailing ``{#custom-id}`` (extra attributes such as ``.class`` allowed) or ``{/*custom-id*/}``.
_TRAILING_ID = re.compile(
    r"\{\s*#([^\s{}#]+)[^{}]*\}\s*\Z|\{/\*\s*([^\s*]+?)\s*\*/\}\s*\Z"
)

# What entering an element did, undone when the walk leaves it.
_NOTHING, _BLOCK, _SKIP, _PRE, _CODE, _HEADING = range(6)

#: Past this nesting depth lxml gets slow (libxml2 scans its whole element stack for each
#: unmatched end tag); such documents are read with "html.parser" instead. 256 is libxml2's
#: own depth limit for building trees; rendered Markdown is never that deep.
_LXML_MAX_DEPTH = 256
_LXML_CHUNK = 32_768


def _language(classes: str | None) -> str:
    for cls in (classes or "").split():
        for prefix in ("language-", "lang-"):
            if cls.startswith(prefix) and len(cls) > len(prefix):
                return cls[len(prefix) :].lower()
    return ""


class _TooDeep(Exception):
    pass


class _Soup(BeautifulSoup):
    """BeautifulSoup, closing headings as browsers do."""

    def handle_endtag(self, name: str, nsprefix: str | None = None) -> None:
        # As in browsers (and lxml), any </hN> closes the open heading; "html.parser"
        # would otherwise ignore </h3> in "<h2>A</h3>".
        if name in _HEADINGS and not self.open_tag_counter.get(name):
            name = next((t.name for t in reversed(self.tagStack) if t.name in _HEADINGS), name)
        super().handle_endtag(name, nsprefix)


if LXMLTreeBuilder is not None:

    class _LXMLBuilder(LXMLTreeBuilder):
        """The "lxml" tree builder, giving up (for "html.parser") on very deep documents."""

        def feed(self, markup):  # type: ignore[no-untyped-def]
            # Fed in pieces: lxml reports an exception raised in start() only when feed()
            # returns, and libxml2 keeps parsing until then.
            self.parser = self.parser_for(self.soup.original_encoding)  # type: ignore[union-attr]
            for at in range(0, len(markup), _LXML_CHUNK):
                self.parser.feed(markup[at : at + _LXML_CHUNK])
            self.parser.close()

        # start() and end() skip the namespace bookkeeping of LXMLTreeBuilder (lxml's HTML
        # parser reports no namespaces): about a tenth of the time spent building the tree.
        def start(self, tag, attrib, nsmap=None):  # type: ignore[no-untyped-def]
            soup = self.soup
            if len(soup.tagStack) > _LXML_MAX_DEPTH:  # type: ignore[union-attr]
                raise _TooDeep
            soup.handle_starttag(tag, None, None, attrib)  # type: ignore[union-attr]

        def end(self, tag):  # type: ignore[no-untyped-def]
            self.soup.handle_endtag(tag)  # type: ignore[union-attr]


def _parse(html: str) -> BeautifulSoup:
    """The HTML as a BeautifulSoup tree: with lxml if installed, else with "html.parser".

    The fragment is parsed as the content of ``<body>``, as browsers do for innerHTML
    (this also keeps BeautifulSoup from warning that text "looks like a URL or a file").
    """
    markup = "<html><body>" + html
    if LXMLTreeBuilder is not None:
        try:
            return _Soup(markup, builder=_LXMLBuilder(multi_valued_attributes=None))
        except (_TooDeep, ValueError, etree.LxmlError):
            pass
    try:
        return _Soup(markup, "html.parser", multi_valued_attributes=None)
    except ParserRejectedMarkup:
        # Python 3.11's html.parser rejects "<![foo[": drop such sections, up to their ">".
        markup = _MARKED_SECTION.sub("", markup)
        return _Soup(markup, "html.parser", multi_valued_attributes=None)


class _Reader:
    """Reads the tree in document order, keeping an explicit stack of open elements."""

    def __init__(self) -> None:
        self._skip = 0
        self._pre: list[str] | None = None
        self._pre_language = ""
        self._code: list[str] | None = None
        self._heading: list[str] | None = None
        self._heading_tag: Tag | None = None
        self._heading_level = 0
        self._heading_id = ""
        self._chunks: list[str] = []
        # [heading, explicit id, level, chunks]; the first is the text before any heading.
        self.sections: list[tuple[str, str, int, list[str]]] = [("", "", 0, self._chunks)]
        self.code_blocks: list[CodeBlock] = []
        self.inline_code: list[str] = []

    def read(self, soup: BeautifulSoup) -> None:
        # An element is left when the walk reaches a node outside it.
        stack: list[tuple[PageElement, int]] = [(soup, _NOTHING)]
        for node in soup.descendants:
            parent = node.parent
            while stack[-1][0] is not parent:
                self._leave(*stack.pop())
            if type(node) is NavigableString:  # not a comment, CDATA, doctype, script...
                self._text(node)
            elif isinstance(node, Tag):
                stack.append((node, self._enter(node)))
        while len(stack) > 1:
            self._leave(*stack.pop())

    # -- output

    def _emit(self, text: str) -> None:
        if self._heading is not None:
            self._heading.append(text)
        else:
            self._chunks.append(text)
        if self._code is not None:
            self._code.append(text)

    def _break(self) -> None:
        if self._heading is not None:
            self._heading.append(" ")
        else:
            self._chunks.append(" ")

    # -- the walk

    def _text(self, data: str) -> None:
        if self._skip:
            return
        if self._pre is not None:
            self._pre.append(data)
            return
        if self._code is None and self._heading is None and "{/*" in data:
            data = _MDX_COMMENT.sub("", data)
        self._emit(data)

    def _enter(self, tag: Tag) -> int:
        name = tag.name
        if name in _VOID:
            # Anything lxml puts inside a void element (e.g. <embed>) follows it.
            self._void(tag)
            return _NOTHING
        if self._skip or name in _REMOVED:
            if name in _REMOVED:
                self._skip += 1
                return _SKIP
            return _NOTHING
        if self._pre is not None:
            if name == "code" and not self._pre_language:
                self._pre_language = _language(tag.get("class"))  # type: ignore[arg-type]
            return _NOTHING
        if name in _HEADINGS:
            if self._heading is not None:  # a heading cannot contain a heading
                self._end_heading()
            self._break()
            self._heading = []
            self._heading_tag = tag
            self._heading_level = _HEADINGS[name]
            self._heading_id = (tag.get("id") or "").strip()  # type: ignore[union-attr]
            return _HEADING
        if name == "pre":
            self._break()
            self._pre = []
            self._pre_language = _language(tag.get("class"))  # type: ignore[arg-type]
            return _PRE
        if name == "code" and self._code is None:
            self._code = []
            return _CODE
        if name in _INLINE:
            return _NOTHING
        self._break()
        return _BLOCK

    def _void(self, tag: Tag) -> None:
        if self._skip:
            return
        name = tag.name
        if self._pre is not None:
            if name == "br":
                self._pre.append("\n")
            return
        if name in ("br", "hr"):
            self._break()
        elif name == "img":
            alt = tag.get("alt")
            if alt:
                self._break()
                self._emit(alt)  # type: ignore[arg-type]
                self._break()

    def _leave(self, tag: PageElement, action: int) -> None:
        if action == _NOTHING:
            return
        if action == _SKIP:
            self._skip -= 1
        elif action == _BLOCK:
            self._break()
        elif action == _CODE:
            code = normalise_space("".join(self._code or ()))
            if code:
                self.inline_code.append(code)
            self._code = None
        elif action == _PRE:
            code = "".join(self._pre or ())
            if code.startswith("\n"):  # as in browsers, a newline right after <pre>
                code = code[1:]
            self.code_blocks.append(CodeBlock(self._pre_language, code.rstrip("\r\n")))
            self._pre = None
            self._break()
        elif action == _HEADING:
            if tag is self._heading_tag:
                self._end_heading()
            else:  # a heading that held a heading, already ended
                self._break()

    def _end_heading(self) -> None:
        raw = "".join(self._heading or ())
        self._heading = None
        self._heading_tag = None
        explicit = self._heading_id
        match = _TRAILING_ID.search(raw)
        if match:
            raw = raw[: match.start()]
            explicit = explicit or match.group(1) or match.group(2)
        heading = normalise_space(_MDX_COMMENT.sub("", raw))
        self._chunks = []
        self.sections.append((heading, explicit, self._heading_level, self._chunks))


def _anchors(sections: list[tuple[str, str, int, list[str]]]) -> list[str]:
    """Unique anchors: explicit ids first (they reserve their names), then slugs."""
    used: set[str] = set()
    next_suffix: dict[str, int] = {}

    def unique(base: str) -> str:
        name = base
        while name in used:
            n = next_suffix.get(base, 1)
            next_suffix[base] = n + 1
            name = f"{base}-{n}"
        used.add(name)
        return name

    anchors = [""] * len(sections)
    for i, (_, explicit, level, _) in enumerate(sections):
        if level and explicit:
            anchors[i] = unique(explicit)
    for i, (heading, explicit, level, _) in enumerate(sections):
        if level and not explicit:
            anchors[i] = unique(slugify(heading) or "section")
    return anchors


def extract_html(html: str) -> Extracted:
    """Read rendered HTML into title, sections, code blocks and inline code. Never raises."""
    walker = _Reader()
    walker.read(_parse(html))

    sections = []
    title = None
    for (heading, _, level, chunks), anchor in zip(walker.sections, _anchors(walker.sections)):
        if level == 1 and title is None:
            title = heading
        text = normalise_space("".join(chunks))
        if level or text:
            sections.append(Section(heading, anchor, level, text))
    return Extracted(
        title=title or "",
        sections=tuple(sections),
        code_blocks=tuple(walker.code_blocks),
        inline_code=tuple(walker.inline_code),
        text="\n".join(s.text for s in sections if s.text),
    )


def extract(markdown: str, *, mdx: bool = False) -> Extracted:
    """``extract_html(render(markdown))``, the Markdown cleaned of template syntax first
    (Liquid, Hugo shortcodes, MDX import/export lines and, with ``mdx``, expressions; see
    :mod:`searchsvc.templating`)."""
    return extract_html(render(clean_templates(markdown, mdx=mdx)))
