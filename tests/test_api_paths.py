"""Every path under /api, /api itself included, answers in JSON: a front end never parses an HTML error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/nope", "/api/search/extra", "/api//search", "/api/posts/"])
def test_unknown_api_paths_get_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert "message" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/search"), ("delete", "/api/suggest"), ("get", "/api/events"), ("put", "/api/events"),
     ("post", "/api/openapi.json"), ("post", "/api")],
)
def test_a_wrong_method_gets_a_json_answer_with_allow(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code in (404, 405)
    assert response.mimetype == "application/json"
    if response.status_code == 405:
        assert response.headers["Allow"]


def test_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
