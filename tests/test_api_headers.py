"""Security headers, content types and CORS."""

import pytest


@pytest.mark.parametrize(
    "path", ["/api/search?q=python", "/api/search?page=0", "/api/nope", "/healthz", "/api/openapi.json", "/", "/?q=python"]
)
def test_nosniff_everywhere(client, path):
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/?q=python", "/?q=python&page=0"])
def test_html_page_has_a_content_security_policy(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp


@pytest.mark.parametrize("path", ["/api/search?q=python", "/api/search?page=0", "/healthz", "/api/openapi.json"])
def test_api_is_application_json(client, path):
    assert client.get(path).mimetype == "application/json"


@pytest.fixture
def cors_client(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    return make_app(content_dir=content_dir, index_dir=index_dir, cors_origins="https://blog.example").test_client()


def test_cors_allows_a_configured_origin(cors_client):
    response = cors_client.get("/api/search?q=python", headers={"Origin": "https://blog.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://blog.example"


def test_cors_ignores_other_origins(cors_client):
    response = cors_client.get("/api/search?q=python", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_is_off_by_default(client):
    response = client.get("/api/search?q=python", headers={"Origin": "https://blog.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
