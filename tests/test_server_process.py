"""A real gunicorn process (see the ``server`` fixture) answers over HTTP."""

import requests


def test_healthz(server):
    response = requests.get(f"{server}/healthz", timeout=5)
    assert response.status_code == 200
    data = response.json()
    assert data["posts"] == 16
    assert data["generation"] >= 1


def test_api_search(server):
    response = requests.get(f"{server}/api/search", params={"q": "server actions"}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.json()["results"][0]["id"] == "nextjs-server-actions"


def test_search_page(server):
    response = requests.get(server + "/", params={"q": "server actions"}, timeout=5)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert 'href="/blog/nextjs-server-actions"' in response.text
    assert "<mark>Server</mark> <mark>Actions</mark>" in response.text


def test_bad_parameter_over_http(server):
    response = requests.get(f"{server}/api/search", params={"page": "abc"}, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "page"
    assert "Traceback" not in response.text


def test_many_requests_across_workers(server):
    with requests.Session() as session:
        for _ in range(10):
            assert session.get(f"{server}/api/search", params={"q": "useOptimistic"}, timeout=5).json()["total"] == 1
