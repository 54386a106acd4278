"""GET /healthz reports the generation and the post count."""


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["generation"] == 1
    assert data["posts"] == 8


def test_health_follows_a_new_generation(app, client, blog_dirs):
    from searchsvc.config import Settings
    from searchsvc.indexer import reindex

    content_dir, index_dir = blog_dirs
    (content_dir / "new_post.md").write_text("# A New Post\n\nFresh words.\n", encoding="utf-8")
    reindex(Settings(content_dir=content_dir, index_dir=index_dir))
    data = client.get("/healthz").get_json()
    assert data["generation"] == 2
    assert data["posts"] == 9
    assert client.get("/api/search?q=fresh").get_json()["total"] == 1
