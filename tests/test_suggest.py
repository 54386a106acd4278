"""GET /api/suggest?q=: up to 8 completions, matching post titles first, then index terms;
never a draft's title."""

import json

import pytest


def post(title: str, body: str = "Some words.", **front) -> str:
    lines = [f"title: {json.dumps(title)}", *(f"{k}: {json.dumps(v)}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"


BLOG = {
    "server-actions.md": post("Server Actions in Next.js", "Server actions post forms."),
    "ssr.md": post("Server Side Rendering", "Rendering on the server."),
    "serverless.md": post("Serverless Functions", "Functions without a server."),
    "pytest.md": post("Pytest Fixtures", "Fixtures make tests short.", tags=["Python"]),
    "draft.md": post("Secret Server Roadmap", "Server hooks and a secret plan.", draft=True),
    "dashboards.md": post("Real-Time Dashboards", "Charts that update every second."),
}


@pytest.fixture(scope="module")
def blog_dirs(tmp_path_factory):
    """BLOG indexed once for this module (read-only)."""
    from conftest import reindex_into, write_posts

    root = tmp_path_factory.mktemp("suggest")
    content = write_posts(root / "content", BLOG)
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    return content, root / "index"


@pytest.fixture
def client(make_app, blog_dirs):
    content, index = blog_dirs
    return make_app(content_dir=content, index_dir=index).test_client()


def suggest(client, q: str) -> list[dict]:
    response = client.get("/api/suggest", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["query"] == q
    return data["suggestions"]


def texts(suggestions, kind=None) -> list[str]:
    return [s["text"] for s in suggestions if kind is None or s["kind"] == kind]


def test_titles_matching_the_typed_words_come_first(client):
    suggestions = suggest(client, "server a")
    assert suggestions[0] == {"text": "Server Actions in Next.js", "kind": "title", "url": "/blog/server-actions"}


@pytest.mark.parametrize("q", ["realti", "realtime dash", "real-time dash"])
def test_a_title_is_suggested_for_two_of_its_words_joined_by_a_hyphen_typed_as_one(client, q):
    assert texts(suggest(client, q), "title") == ["Real-Time Dashboards"]


def test_then_index_terms_completing_the_last_word(client):
    assert suggest(client, "server a")[1:] == [{"text": "server actions", "kind": "term"}]


def test_titles_before_terms(client):
    kinds = [s["kind"] for s in suggest(client, "s")]
    assert kinds == sorted(kinds, key=lambda k: k != "title")
    assert "title" in kinds and "term" in kinds


@pytest.mark.parametrize(
    "q, titles",
    [
        ("serv", {"Server Actions in Next.js", "Server Side Rendering", "Serverless Functions"}),
        ("server side r", {"Server Side Rendering"}),
        ("SERVER SIDE", {"Server Side Rendering"}),
        ("side serv", {"Server Side Rendering"}),
        ("fix", {"Pytest Fixtures"}),
        ("serverless f", {"Serverless Functions"}),
    ],
)
def test_titles_with_every_word_and_the_last_as_a_prefix(client, q, titles):
    assert set(texts(suggest(client, q), "title")) == titles


def test_an_earlier_word_is_not_a_prefix(client):
    assert texts(suggest(client, "serv act"), "title") == []


def test_term_suggestions_keep_the_words_before(client):
    assert "server actions" in texts(suggest(client, "server act"), "term")


def test_title_suggestions_carry_the_post_url_and_terms_none(client):
    for s in suggest(client, "s"):
        if s["kind"] == "title":
            assert set(s) == {"text", "kind", "url"} and s["url"].startswith("/blog/")
        else:
            assert set(s) == {"text", "kind"}


@pytest.mark.parametrize("q", ["", " ", "   \t "])
def test_empty_query_gives_no_suggestions(client, q):
    assert suggest(client, q) == []


def test_missing_q_gives_no_suggestions(client):
    response = client.get("/api/suggest")
    assert response.status_code == 200
    assert response.get_json()["suggestions"] == []


def test_unknown_prefix_gives_no_suggestions(client):
    assert suggest(client, "qqzx") == []


def test_over_long_query_is_a_400_naming_q(client):
    response = client.get("/api/suggest", query_string={"q": "s" * 501})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "q"


def test_query_at_the_length_limit_is_fine(client):
    assert client.get("/api/suggest", query_string={"q": "s" * 500}).status_code == 200


@pytest.mark.parametrize("q", ["secr", "secret", "secret server r", "server", "s", "r"])
def test_never_a_drafts_title(client, q):
    assert "Secret Server Roadmap" not in texts(suggest(client, q))


@pytest.mark.parametrize("q", ["secr", "road", "server road"])
def test_never_a_word_only_a_draft_has(client, q):
    assert suggest(client, q) == []


def test_at_most_eight_suggestions(make_blog, build_index, make_app):
    posts = {f"z{i}.md": post(f"Zebra {word}", f"Zeal {word}.") for i, word in enumerate(
        ["zinc", "zone", "zoom", "zest", "zero", "zeta", "zany", "zinnia", "zodiac", "zucchini", "zephyr", "zigzag"]
    )}
    settings, _ = build_index(make_blog(posts))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    suggestions = suggest(client, "z")
    assert len(suggestions) == 8
    assert texts(suggestions, "term")  # titles do not crowd out every term
    assert len(set(texts(suggestions))) == 8
