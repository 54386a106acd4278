"""SEARCHSVC_URL_TEMPLATE / url_template decides the result URLs."""

from searchsvc.cli import main
from searchsvc.search import SearchRequest


def test_url_template_setting(make_blog, build_index, make_app):
    content = make_blog({"guides/first-post.md": "# First Post\n\nZebracorn.\n"})
    settings, _ = build_index(content, url_template="/posts/{slug}/")
    app = make_app(index_dir=settings.index_dir)
    [hit] = app.test_client().get("/api/search?q=zebracorn").get_json()["results"]
    assert hit["url"] == "/posts/guides/first-post/"


def test_default_url_template(client):
    [hit] = client.get("/api/search?q=zebracorn").get_json()["results"]
    assert hit["url"] == "/blog/long_post_match_in_middle"


def test_url_template_from_the_environment(make_blog, make_app, tmp_path, cli_runner):
    content = make_blog({"first-post.md": "# First Post\n\nZebracorn.\n"})
    index = tmp_path / "index"
    env = {"SEARCHSVC_URL_TEMPLATE": "https://example.com/p/{slug}.html"}
    result = cli_runner.invoke(main, ["reindex", "--content", str(content), "--index", str(index)], env=env)
    assert result.exit_code == 0, result.output
    app = make_app(index_dir=index)
    [hit] = app.test_client().get("/api/search?q=zebracorn").get_json()["results"]
    assert hit["url"] == "https://example.com/p/first-post.html"


def test_changing_the_template_changes_urls_on_the_next_reindex(make_blog, build_index, open_index):
    content = make_blog({"first-post.md": "# First Post\n\nZebracorn.\n"})
    settings, _ = build_index(content)
    build_index(content, settings.index_dir, url_template="/posts/{slug}/")
    [hit] = open_index(settings.index_dir).search(SearchRequest(q="zebracorn")).results
    assert hit.url == "/posts/first-post/"
