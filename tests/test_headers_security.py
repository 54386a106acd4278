"""Security headers, content types, CORS (preflight included) and the admin endpoint's guard.

tests/test_api_headers.py checks nosniff, that a CSP exists and a CORS origin is echoed;
tests/test_reindex_triggers.py checks 404 without a token, 401 and a growing delay. This
file adds what they leave out: the CSP allows only the page's own script and style (and the
page needs nothing else), every response is nosniff and every API answer is JSON, CORS
answers only the listed origins (preflight too), and the admin endpoint's edges.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from searchsvc.admin import ADMIN_FREE_FAILURES, ADMIN_MAX_WAIT

TOKEN = "Right-Token-0123456789"
ALLOWED = ("https://blog.example", "https://www.blog.example")


@pytest.fixture
def cors_client(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir, cors_origins="https://blog.example, https://www.blog.example/").test_client()


@pytest.fixture
def admin_client(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir, admin_token=TOKEN).test_client()


@pytest.fixture
def unavailable_client(make_app, tmp_path):
    return make_app(content_dir=tmp_path / "content", index_dir=tmp_path / "no-index").test_client()


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


# ---------------------------------------------------------------------------
# Content-Security-Policy


@pytest.mark.parametrize("path", ["/", "/?q=python", "/?q=python&page=abc", "/?q=python&tag=Python&per_page=1", "/no-such-page"])
def test_html_csp_allows_only_the_pages_own_script_and_style(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "default-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(csp[directive])
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "frame-ancestors" in csp


def test_html_csp_on_the_unavailable_page(unavailable_client):
    response = unavailable_client.get("/?q=python")
    assert response.status_code == 503
    assert csp_directives(response.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


class PageResources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style" or "style" in attrs or any(a.startswith("on") for a in attrs):
            self.inline.append(f"<{tag} {attrs}>")
        if tag == "script":
            (self.external if attrs.get("src") else self.inline).append(attrs.get("src") or "<script>")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.external.append(attrs["href"])


@pytest.mark.parametrize("path", ["/", "/?q=python&per_page=1"])
def test_the_page_needs_nothing_the_csp_blocks(client, path):
    """No inline script, style or handler, and every script and stylesheet is served by the app itself."""
    parser = PageResources()
    parser.feed(client.get(path).get_data(as_text=True))
    assert parser.inline == []
    assert parser.external
    for url in parser.external:
        assert url.startswith("/") and not url.startswith("//"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


# ---------------------------------------------------------------------------
# nosniff and content types


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/suggest?q=pyt"),
        ("get", "/api/suggest?q=" + "a" * 501),
        ("get", "/api/posts/python_packaging_post/related"),
        ("get", "/api/posts/nope/related"),
        ("post", "/api/search"),
        ("post", "/api/reindex"),
        ("head", "/api/search?q=python"),
        ("options", "/api/search"),
        ("get", "/static/search.css"),
        ("get", "/widget.js"),
        ("get", "/widget.css"),
        ("get", "/no-such-page"),
    ],
)
def test_nosniff_on_every_kind_of_response(client, method, path):
    response = getattr(client, method)(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("get", "/api/suggest?q=pyt", 200),
        ("get", "/api/suggest?q=" + "a" * 501, 400),
        ("get", "/api/posts/python_packaging_post/related", 200),
        ("get", "/api/posts/nope/related", 404),
        ("post", "/api/search", 405),
        ("post", "/api/reindex", 404),
        ("get", "/api/search?q=python&sort=nope", 400),
    ],
)
def test_every_api_answer_is_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json() is not None


@pytest.mark.parametrize("path", ["/api/search?q=python", "/api/suggest?q=py", "/healthz", "/api/posts/x/related"])
def test_no_index_is_json_503_with_retry_after(unavailable_client, path):
    response = unavailable_client.get(path)
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Retry-After")


def test_json_is_utf8_and_declares_it(client):
    response = client.get("/api/search", query_string={"q": "résumé café ✓"})
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.get_json()["query"] == "résumé café ✓"


def test_method_not_allowed_says_which_methods_are(client):
    """RFC 9110: a 405 carries Allow (the JSON error body must not drop it)."""
    response = client.post("/api/search")
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


# ---------------------------------------------------------------------------
# CORS


@pytest.mark.parametrize("origin", ALLOWED)
@pytest.mark.parametrize("path", ["/api/search?q=python", "/api/suggest?q=py", "/api/search?page=0", "/api/nope"])
def test_each_listed_origin_is_allowed_on_every_api_answer(cors_client, origin, path):
    response = cors_client.get(path, headers={"Origin": origin})
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers.get("Vary", "")
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://blog.example.evil.example",
        "https://evil-blog.example",
        "http://blog.example",
        "https://blog.example:8443",
        "null",
        "https://blog.example/",
        "*",
        "",
    ],
)
def test_other_origins_get_no_cors_headers(cors_client, origin):
    for method in ("get", "options"):
        response = getattr(cors_client, method)(
            "/api/search?q=python", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
        )
        assert not any(h.lower().startswith("access-control-") for h in response.headers.keys()), dict(response.headers)
        assert "Origin" in response.headers.get("Vary", "")


@pytest.mark.parametrize("origin", ALLOWED)
def test_preflight_from_a_listed_origin(cors_client, origin):
    response = cors_client.options(
        "/api/search",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert response.get_data() == b""


def test_cors_is_only_for_the_api(cors_client):
    for path in ("/", "/?q=python", "/healthz"):
        response = cors_client.get(path, headers={"Origin": ALLOWED[0]})
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_no_cors_without_configured_origins_even_for_preflight(client):
    response = client.options("/api/search", headers={"Origin": ALLOWED[0], "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers


# ---------------------------------------------------------------------------
# The admin endpoint (POST /api/reindex)


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch", "head", "options"])
def test_without_a_token_no_method_reveals_the_admin_endpoint(client, method):
    """No token configured: no endpoint, so any method gets what an unknown path gets."""
    response = getattr(client, method)("/api/reindex")
    unknown = getattr(client, method)("/api/no-such-endpoint")
    assert (response.status_code, response.mimetype) == (unknown.status_code, unknown.mimetype)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {TOKEN}",
        f"Token {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN.upper()}",
        f"Bearer {TOKEN[:8]}",
        f"Bearer{TOKEN}",
        f"Bearer {TOKEN} {TOKEN}",
        "Bearer " + "x" * 10_000,
        "Bearer é" + TOKEN,
    ],
)
def test_any_wrong_token_gets_401_without_detail(admin_client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = admin_client.post("/api/reindex", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": {"message": "Unauthorized."}}


def test_the_wait_after_failures_is_bounded_and_per_client(admin_client):
    bad = {"Authorization": "Bearer nope"}
    answers = [
        admin_client.post("/api/reindex", headers=bad, environ_base={"REMOTE_ADDR": "10.0.0.1"}) for _ in range(30)
    ]
    assert [r.status_code for r in answers] == [401] * ADMIN_FREE_FAILURES + [429] * (30 - ADMIN_FREE_FAILURES)
    assert all(1 <= int(r.headers["Retry-After"]) <= ADMIN_MAX_WAIT for r in answers[ADMIN_FREE_FAILURES:])
    other = admin_client.post("/api/reindex", headers=bad, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 401, "another client is not made to wait"


def test_tokens_are_case_sensitive_and_the_scheme_is_not(admin_client):
    response = admin_client.post("/api/reindex", headers={"Authorization": f"Bearer {TOKEN.lower()}"})
    assert response.status_code == 401
    response = admin_client.post("/api/reindex", headers={"Authorization": f"bearer  {TOKEN} "})
    assert response.status_code == 200  # spaces around the token do not count either
