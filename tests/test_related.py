"""GET /api/posts/<id>/related: up to 5 posts like this one (body and tags), never itself, never a draft."""

import json

import pytest


def post(title: str, body: str, **front) -> str:
    lines = [f"title: {json.dumps(title)}", *(f"{k}: {json.dumps(v)}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"


TESTING = "Pytest fixtures and parametrize keep a Python test suite short; conftest shares fixtures."

BLOG = {
    "pytest-fixtures.md": post("Pytest Fixtures", TESTING, tags=["Python", "Testing"]),
    **{
        f"testing-{i}.md": post(f"Testing Notes {i}", f"{TESTING} Note {i}.", tags=["Python", "Testing"])
        for i in range(6)
    },
    "guides/fixture-guide.md": post("A Fixture Guide", TESTING, tags=["Testing"]),
    "gardening.md": post("Gardening", "Tomatoes need sun, water and patience.", tags=["Garden"]),
    "draft.md": post("Secret Testing Plan", TESTING, tags=["Python", "Testing"], draft=True),
}


@pytest.fixture(scope="module")
def blog_dirs(tmp_path_factory):
    from conftest import reindex_into, write_posts

    root = tmp_path_factory.mktemp("related")
    content = write_posts(root / "content", BLOG)
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    return content, root / "index"


@pytest.fixture
def client(make_app, blog_dirs):
    content, index = blog_dirs
    return make_app(content_dir=content, index_dir=index).test_client()


def related(client, post_id: str) -> list[dict]:
    response = client.get(f"/api/posts/{post_id}/related")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["id"] == post_id
    return data["results"]


def test_at_most_five_related_posts(client):
    assert len(related(client, "pytest-fixtures")) == 5


def test_never_the_post_itself(client):
    assert "pytest-fixtures" not in {r["id"] for r in related(client, "pytest-fixtures")}


@pytest.mark.parametrize("post_id", ["pytest-fixtures", "testing-0", "testing-5", "guides/fixture-guide"])
def test_never_a_draft(client, post_id):
    assert "draft" not in {r["id"] for r in related(client, post_id)}


def test_a_post_with_nothing_in_common_is_not_related(client):
    assert "gardening" not in {r["id"] for r in related(client, "pytest-fixtures")}


def test_a_post_like_no_other_has_no_related_posts(client):
    assert related(client, "gardening") == []


def test_related_posts_share_body_words_or_tags(client):
    ids = {r["id"] for r in related(client, "pytest-fixtures")}
    assert ids <= {f"testing-{i}" for i in range(6)} | {"guides/fixture-guide"}


def test_an_id_with_a_slash(client):
    ids = {r["id"] for r in related(client, "guides/fixture-guide")}
    assert ids and "guides/fixture-guide" not in ids


def test_each_related_post_is_a_summary(client):
    first = related(client, "pytest-fixtures")[0]
    assert set(first) == {"id", "url", "title", "description", "date", "tags", "author", "lang"}
    assert first["url"] == f"/blog/{first['id']}"
    assert "snippet_html" not in first


def test_a_closer_post_comes_before_a_looser_one(make_blog, build_index, make_app):
    content = make_blog(
        {
            "base.md": post("Base", "Kubernetes readiness probes restart pods.", tags=["DevOps"]),
            "close.md": post("Close", "Readiness probes tell Kubernetes when pods are ready.", tags=["DevOps"]),
            "loose.md": post("Loose", "Pods of whales swim far.", tags=["Nature"]),
        }
    )
    settings, _ = build_index(content)
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    assert [r["id"] for r in related(client, "base")][0] == "close"


@pytest.mark.parametrize("post_id", ["nope", "guides/nope", "draft", "pytest-fixtures/extra"])
def test_unknown_id_is_a_404_json_error(client, post_id):
    response = client.get(f"/api/posts/{post_id}/related")
    assert response.status_code == 404
    assert response.is_json
    error = response.get_json()["error"]
    assert post_id in error["message"]


def test_asking_for_fewer_related_posts_first_does_not_cut_later_answers_short(blog_dirs):
    from searchsvc.search import SearchIndex

    index = SearchIndex(blog_dirs[1])
    try:
        assert len(index.related("pytest-fixtures", limit=2)) == 2
        assert len(index.related("pytest-fixtures")) == 5
        assert len(index.related("pytest-fixtures", limit=1)) == 1
    finally:
        index.close()
