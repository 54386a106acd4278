"""Rendered HTML -> plain text, sections (heading, anchor, text) and code blocks. Pure.

``extract(markdown)`` renders the Markdown with :func:`render` and reads the HTML with
:func:`extract_html`. The HTML is read in one pass, in document order, by a stdlib
:class:`html.parser.HTMLParser` (no tree, no recursion), so a heading nested in a
``<div>`` or an MDX component still starts a section, and deep or huge input cannot
exhaust the recursion limit.

Nothing here raises on any string input. Output is always plain text, never HTML.
:func:`normalise_space` is the one place whitespace is cleaned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

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
_INVISIBLE_SPACES = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u180e"), " ")


def normalise_space(text: str) -> str:
    """Turn NBSP, zero-width and other Unicode spaces into ' ', collapse runs, strip.

    >>> normalise_space(" a\\u00a0\\u200bb\\n\\tc ")
    'a b c'
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


_md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
# Only text is extracted, never hrefs: skip markdown-it's costly URL normalisation
# (a fifth of the rendering time of link-heavy release notes).
_md.normalizeLink = lambda url: url  # type: ignore[method-assign]
_md.normalizeLinkText = lambda url: url  # type: ignore[method-assign]
_md.validateLink = lambda url: True  # type: ignore[method-assign]
_md.inline.ruler.before("emphasis", "literal_braces", _literal_braces)


def render(markdown: str) -> str:
    """Markdown (CommonMark + tables + strikethrough, raw HTML allowed) -> HTML."""
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
#: A trailing ``{#custom-id}`` (extra attributes such as ``.class`` allowed) or ``{/*custom-id*/}``.
_TRAILING_ID = re.compile(
    r"\{\s*#([^\s{}#]+)[^{}]*\}\s*\Z|\{/\*\s*([^\s*]+?)\s*\*/\}\s*\Z"
)

# What a start tag did, undone when the element closes.
_NOTHING, _BLOCK, _SKIP, _PRE, _CODE, _HEADING = range(6)


def _language(attrs: list[tuple[str, str | None]]) -> str:
    for name, value in attrs:
        if name == "class" and value:
            for cls in value.split():
                for prefix in ("language-", "lang-"):
                    if cls.startswith(prefix) and len(cls) > len(prefix):
                        return cls[len(prefix) :].lower()
    return ""


class _Walker(HTMLParser):
    """One pass over the HTML, in document order, keeping an explicit element stack."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, int]] = []
        self._open: dict[str, int] = {}  # tag -> how many are on the stack
        self._skip = 0
        self._pre: list[str] | None = None
        self._pre_language = ""
        self._code: list[str] | None = None
        self._heading: list[str] | None = None
        self._heading_level = 0
        self._heading_id = ""
        self._heading_at = 0  # stack depth of the open heading
        self._chunks: list[str] = []
        # [heading, explicit id, level, chunks]; the first is the text before any heading.
        self.sections: list[tuple[str, str, int, list[str]]] = [("", "", 0, self._chunks)]
        self.code_blocks: list[CodeBlock] = []
        self.inline_code: list[str] = []

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

    # -- parser callbacks

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre is not None:
            self._pre.append(data)
            return
        if self._code is None and self._heading is None and "{/*" in data:
            data = _MDX_COMMENT.sub("", data)
        self._emit(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag, attrs)
            return
        if self._skip or tag in _REMOVED:
            action = _SKIP if tag in _REMOVED else _NOTHING
            if action == _SKIP:
                self._skip += 1
        elif self._pre is not None:
            action = _NOTHING
            if tag == "code" and not self._pre_language:
                self._pre_language = _language(attrs)
        elif tag in _HEADINGS:
            if self._heading is not None:  # a heading cannot contain a heading
                self._close_to(self._heading_at)
            self._break()
            action = _HEADING
            self._heading = []
            self._heading_level = _HEADINGS[tag]
            self._heading_id = next((v.strip() for k, v in attrs if k == "id" and v), "")
            self._heading_at = len(self._stack)
        elif tag == "pre":
            self._break()
            action = _PRE
            self._pre = []
            self._pre_language = _language(attrs)
        elif tag == "code" and self._code is None:
            action = _CODE
            self._code = []
        elif tag in _INLINE:
            action = _NOTHING
        else:
            self._break()
            action = _BLOCK
        self._stack.append((tag, action))
        self._open[tag] = self._open.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <Component /> and <div/>: an element with nothing inside.
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self._close_to(len(self._stack) - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HEADINGS and self._heading is not None:
            # As in browsers, any </hN> closes the open heading.
            self._close_to(self._heading_at)
        elif self._open.get(tag):
            at = len(self._stack) - 1
            while self._stack[at][0] != tag:
                at -= 1
            self._close_to(at)
        # An end tag with no open element is ignored.

    def close(self) -> None:
        super().close()
        self._close_to(0)

    # Python 3.11's parser raises AssertionError on "<![foo[": treat it as a bogus comment.
    def parse_marked_section(self, i: int, report: int = 1) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    # -- helpers

    def _void(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            return
        if self._pre is not None:
            if tag == "br":
                self._pre.append("\n")
            return
        if tag in ("br", "hr"):
            self._break()
        elif tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), "")
            if alt:
                self._break()
                self._emit(alt)
                self._break()

    def _close_to(self, depth: int) -> None:
        """Close the open elements down to stack depth ``depth``, innermost first."""
        while len(self._stack) > depth:
            tag, action = self._stack.pop()
            self._open[tag] -= 1
            if action == _NOTHING:
                continue
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
                self._end_heading()

    def _end_heading(self) -> None:
        raw = "".join(self._heading or ())
        self._heading = None
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
    walker = _Walker()
    walker.feed(html)
    walker.close()

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


def extract(markdown: str) -> Extracted:
    """``extract_html(render(markdown))``."""
    return extract_html(render(markdown))
