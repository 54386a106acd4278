"""Markup from posts and from queries comes back as text, never as HTML the browser would run.

A blog whose title, description, tags, author, headings, anchors, body and code carry
markup, event-handler attributes, ``javascript:`` URLs and entity tricks is indexed, then:

- JSON: ``*_html`` fields hold escaped text with no tag but ``<mark>``, and unescaping them
  gives back the plain field (escaped exactly once); plain fields are the author's text as
  written, neither escaped nor stripped;
- the HTML page: parsed with ``html.parser``, it holds only the template's own elements and
  attributes, whatever the content or the query;
- a frontmatter ``url``/``permalink``/``path`` that is not http(s) or a path is reported and
  the post skipped.
(tests/test_search_escaping.py and tests/test_page.py have the first ``<script>`` cases.)
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from searchsvc import create_app

from conftest import close_index, reindex_into, write_posts

TITLE = "<script>alert('t')</script> xsstitle &lt;b&gt; &#x3C;i&#x3E; {{ 7*7 }}"
DESCRIPTION = '"><img src=x onerror=alert(1)> xssdesc'
TAGS = ["<svg/onload=alert(1)>", "&lt;script&gt;", "javascript:alert(1)"]
AUTHOR = "<b onmouseover=alert(1)>Eve</b>"
HOSTILE_POST = f"""---
title: "{TITLE}"
description: '{DESCRIPTION}'
tags: ["<svg/onload=alert(1)>", "&lt;script&gt;", "javascript:alert(1)"]
author: {{name: "{AUTHOR}", role: "<i>role</i>"}}
---

## <img src=x onerror=alert(2)> xssheading {{#"><script>alert(3)</script>}}

xssbody <script>alert(4)</script> and <svg/onload=alert(5)> and &lt;script&gt;alert(6)&lt;/script&gt;
and &#x3C;script&#x3E;alert(7) and <a href="javascript:alert(8)">xsslink</a> [md](javascript:alert(9))
and "><img src=x onerror=alert(10)> and <iframe src="javascript:alert(11)"></iframe>
<style>body{{display:none}}</style> <div style="background:url(javascript:alert(12))">xssdiv</div>

```html
<script>alert("code")</script> xsscode
```

## Second {{#second}}

`<img src=x onerror=alert(13)>` xssinline <Note>xsscomponent</Note>
"""
QUERIES = [
    "xsstitle", "xssbody", "xssheading", "xsscode", "xssinline", "xsslink", "xssdesc", "xssdiv", "script",
    "img onerror", "alert", "svg onload", "mark", "lt", "x3C",
]
HOSTILE_QUERIES = [
    "<script>alert(1)</script> xssbody",
    '"><img src=x onerror=alert(1)> xssbody',
    "<svg/onload=alert(1)> script",
    "&lt;script&gt; xssbody",
    "&#x3C;script&#x3E; xssbody",
    "</mark><script>alert(1)</script> xssbody",
    "javascript:alert(1) xsslink",
    "tag:<svg/onload=alert(1)> OR xssbody",
    "{{ 7*7 }} xsstitle",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    content = write_posts(root / "content", {"hostile.md": HOSTILE_POST, "harmless.md": "# Harmless\n\nharmless words\n"})
    _, summary = reindex_into(content, root / "index")
    assert summary.total == 2 and not summary.skipped, summary.skipped
    app = create_app({"TESTING": True, "content_dir": content, "index_dir": root / "index"})
    yield app.test_client()
    close_index(app.extensions["searchsvc.index"])


def only_mark_tags(text: str) -> bool:
    rest = re.sub(r"</?mark>", "", text)
    return "<" not in rest and ">" not in rest


def plain(html_field: str) -> str:
    """What a browser shows for an ``*_html`` field."""
    return html.unescape(re.sub(r"</?mark>", "", html_field))


# ---------------------------------------------------------------------------
# JSON


@pytest.mark.parametrize("q", QUERIES + HOSTILE_QUERIES)
def test_html_fields_hold_only_mark_tags_and_plain_fields_are_as_written(client, q):
    response = client.get("/api/search", query_string={"q": q, "per_page": 50})
    assert response.status_code == 200
    data = response.get_json()
    assert data["query"] == q
    for hit in data["results"]:
        assert only_mark_tags(hit["title_html"]), hit["title_html"]
        assert only_mark_tags(hit["snippet_html"]), hit["snippet_html"]
        assert plain(hit["title_html"]) == hit["title"]  # escaped once: not zero times, not twice
        if hit["id"] == "hostile":
            assert (hit["title"], hit["description"], hit["tags"], hit["author"]) == (TITLE, DESCRIPTION, TAGS, AUTHOR)
            assert hit["authors"] == [{"name": AUTHOR, "role": "<i>role</i>"}]
            assert hit["url"] == "/blog/hostile"
            for section in hit["sections"]:
                assert "<" not in section["heading"] or "onerror" not in section["heading"]
                assert section["url"].startswith("/blog/hostile#")


def test_the_hostile_post_is_found_by_its_body_and_its_snippet_shows_the_markup_as_text(client):
    hit = client.get("/api/search", query_string={"q": "xssbody"}).get_json()["results"][0]
    assert hit["id"] == "hostile"
    shown = plain(hit["snippet_html"])
    assert "<svg/onload=alert(5)>" in shown
    assert "<script>alert(6)</script>" in shown  # &lt;script&gt; in Markdown is the text <script>
    assert "<script>alert(7)" in shown  # &#x3C;script&#x3E; likewise
    assert "alert(4)" not in shown  # a real <script> element is dropped with its content


@pytest.mark.parametrize("q", ["xsst", "<script", "<svg/onload=alert(1)>", '"><img src=x'])
def test_suggestions_are_plain_text(client, q):
    response = client.get("/api/suggest", query_string={"q": q})
    assert response.status_code == 200
    for suggestion in response.get_json()["suggestions"]:
        if suggestion["kind"] == "title":
            assert suggestion["text"] in (TITLE, "Harmless")
        assert suggestion.get("url", "/").startswith("/")


def test_related_posts_are_plain_text(client):
    data = client.get("/api/posts/harmless/related").get_json()
    for post in data["results"]:
        assert post["title"] in (TITLE, "Harmless")


# ---------------------------------------------------------------------------
# The HTML page

#: Every element the template makes, and the attributes it puts on them.
PAGE_TAGS = {
    "html", "head", "meta", "link", "title", "script", "body", "main", "h1", "h2", "form", "label", "input",
    "button", "div", "p", "nav", "a", "span", "ol", "li", "time", "mark",
}
PAGE_ATTRIBUTES = {
    "lang", "charset", "name", "content", "rel", "href", "src", "defer", "class", "data-searchsvc",
    "data-searchsvc-results", "method", "action", "role", "for", "id", "type", "value", "placeholder",
    "autocomplete", "maxlength", "autofocus", "aria-label", "aria-live", "datetime",
}
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def check_only_the_templates_elements(page: str) -> Elements:
    parsed = parse(page)
    for tag, attrs in parsed.elements:
        assert tag in PAGE_TAGS, (tag, attrs)
        assert set(attrs) <= PAGE_ATTRIBUTES, (tag, attrs)
        for name, value in attrs.items():
            if name in ("href", "src", "action") and value and not (tag == "link" and value == "data:,"):
                assert not UNSAFE_SCHEME.match(value), (tag, attrs)
        if tag == "script":
            assert set(attrs) == {"src", "defer"} and attrs["src"].startswith("/"), attrs
    return parsed


@pytest.mark.parametrize("q", QUERIES + HOSTILE_QUERIES)
def test_search_page_creates_no_element_from_content_or_query(client, q):
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    check_only_the_templates_elements(response.get_data(as_text=True))


def test_search_page_shows_the_hostile_post_as_text(client):
    parsed = check_only_the_templates_elements(client.get("/", query_string={"q": "xsstitle"}).get_data(as_text=True))
    text = "".join(parsed.text)
    for shown in (TITLE, AUTHOR, *TAGS):
        assert shown in text, shown
    assert "49" not in text  # {{ 7*7 }} is text, not a template


@pytest.mark.parametrize(
    "args",
    [
        {"q": "xssbody", "tag": '"><script>alert(1)</script>'},
        {"q": "xssbody", "page": "<script>"},
        {"q": "xssbody", "sort": "<img src=x onerror=alert(1)>"},
        {"q": "xssbody", "from": '"><svg/onload=alert(1)>'},
        {"q": "xsstitel"},  # a did-you-mean link built from the query
    ],
)
def test_other_parameters_and_error_messages_are_escaped_in_the_page(client, args):
    response = client.get("/", query_string=args)
    assert response.status_code in (200, 400)
    check_only_the_templates_elements(response.get_data(as_text=True))


# ---------------------------------------------------------------------------
# Addresses from frontmatter

#: As written inside a double-quoted YAML string (so "\\t" is a tab, "\\\\" one backslash).
BAD_ADDRESSES = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "  javascript:alert(1)", "java\\tscript:alert(1)",
    "java\\u0000script:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "//evil.example/x", "\\\\\\\\evil.example\\\\x", "http:/no-host", "file:///etc/passwd", "ftp://x.example/f",
    "https://x.example/a b", "\\u202ejavascript:alert(1)",
]
GOOD_ADDRESSES = {
    "https://blog.example/posts/one": "https://blog.example/posts/one",
    "/posts/one": "/posts/one",
    "posts/one": "/posts/one",
    "javascript&colon;alert(1)": "/javascript&colon;alert(1)",  # no scheme: a path on this site
    'https://x.example/"><script>': "https://x.example/%22%3E%3Cscript%3E",
}


@pytest.mark.parametrize("key", ["url", "permalink", "path"])
@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_an_address_that_is_not_http_or_a_path_is_reported_and_the_post_skipped(tmp_path, key, address):
    content = write_posts(tmp_path / "content", {
        "bad.md": f'---\ntitle: Bad address\n{key}: "{address}"\n---\nbadaddressword\n',
        "good.md": "# Good\n\ngoodaddressword\n",
    })
    _, summary = reindex_into(content, tmp_path / "index")
    skipped = {s.path: s.reason for s in summary.skipped}
    assert list(skipped) == ["bad.md"] and summary.total == 1
    assert key in skipped["bad.md"] and "address" in skipped["bad.md"], skipped["bad.md"]


@pytest.mark.parametrize("address, url", GOOD_ADDRESSES.items())
def test_an_http_address_or_a_path_is_kept_and_made_safe(tmp_path, make_app, address, url):
    content = write_posts(tmp_path / "content", {"p.md": f"---\ntitle: Linked\nurl: '{address}'\n---\nlinkedword\n"})
    _, summary = reindex_into(content, tmp_path / "index")
    assert summary.total == 1, summary.skipped
    hit = make_app(index_dir=tmp_path / "index").test_client().get("/api/search?q=linkedword").get_json()["results"][0]
    assert hit["url"] == url
