"""/api/search filters (tag, tag_any, author, year, from/to) and facets, and query syntax
(tag:, author:, "phrase", -word, OR) together with prefixes and typos."""

import json

import pytest

from searchsvc.search import SearchRequest


def post(title: str, body: str, **front) -> str:
    lines = [f"title: {json.dumps(title)}", *(f"{k}: {json.dumps(v)}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"


BLOG = {
    "server-actions.md": post(
        "Server Actions in Next.js",
        "Server actions post forms to the server. React hooks help.",
        date="2024-01-15",
        tags=["React", "Next.js"],
        author="Ann Bell",
    ),
    "ssr.md": post(
        "Server Side Rendering",
        "Rendering on the server with React components and hooks.",
        date="2023-03-01",
        tags=["React"],
        author="Bob Cole",
    ),
    "serverless.md": post(
        "Serverless Functions",
        "Functions without managing a server.",
        date="2023-07-01",
        tags=["Cloud"],
        author="Ann Bell",
    ),
    "pytest.md": post(
        "Pytest Fixtures",
        "Fixtures and parametrize make tests short.",
        date="2022-05-05",
        tags=["Python", "Testing"],
        author="Cat Dee",
    ),
    "rust-fixtures.md": post(
        "Rust Test Fixtures",
        "Fixtures in rust tests; the borrow checker helps.",
        date="2022-09-09",
        tags=["Rust", "Testing"],
        author="Ann Bell",
    ),
    "kubernetes.md": post(
        "Kubernetes Readiness Probes",
        "Kubernetes checks pods before sending traffic.",
        date="2021-02-02",
        tags=["DevOps"],
        author="Bob Cole",
    ),
    "draft.md": post("Server Secrets", "Server hooks and a secret plan.", draft=True, tags=["React"], author="Ann Bell"),
}


@pytest.fixture(scope="module")
def blog_dirs(tmp_path_factory):
    from conftest import reindex_into, write_posts

    root = tmp_path_factory.mktemp("filters")
    content = write_posts(root / "content", BLOG)
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    return content, root / "index"


@pytest.fixture
def client(make_app, blog_dirs):
    content, index = blog_dirs
    return make_app(content_dir=content, index_dir=index).test_client()


@pytest.fixture(scope="module")
def search(blog_dirs):
    from conftest import close_index

    from searchsvc.search import SearchIndex

    index = SearchIndex(blog_dirs[1])
    yield lambda q="", **kw: index.search(SearchRequest(q=q, **{"per_page": 50, **kw}))
    close_index(index)


def api(client, query: str) -> dict:
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def result_ids(data: dict) -> set[str]:
    return {r["id"] for r in data["results"]}


def ids(response) -> set[str]:
    return {hit.id for hit in response.results}


# ---------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    "query, expected",
    [
        ("tag=React", {"server-actions", "ssr"}),
        ("tag=React&tag=Next.js", {"server-actions"}),
        ("tag=react&tag=next.js", {"server-actions"}),
        ("tag=React&tag=Cloud", set()),
        ("tag_any=Cloud&tag_any=Python", {"serverless", "pytest"}),
        ("tag_any=Cloud", {"serverless"}),
        ("tag_any=Nope&tag_any=DevOps", {"kubernetes"}),
        ("tag=Testing&tag_any=Rust&tag_any=Cloud", {"rust-fixtures"}),
        ("author=Ann+Bell", {"server-actions", "serverless", "rust-fixtures"}),
        ("author=ann+bell", {"server-actions", "serverless", "rust-fixtures"}),
        ("year=2023", {"ssr", "serverless"}),
        ("year=2022&tag=Testing", {"pytest", "rust-fixtures"}),
        ("year=1999", set()),
        ("from=2023-03-01&to=2023-07-01", {"ssr", "serverless"}),
        ("from=2024-01-01", {"server-actions"}),
        ("to=2021-12-31", {"kubernetes"}),
        ("q=server&tag=React", {"server-actions", "ssr"}),
        ("q=server&author=Ann+Bell", {"server-actions", "serverless"}),
        ("q=fixtures&year=2022&tag_any=Rust", {"rust-fixtures"}),
    ],
)
def test_filter(client, query, expected):
    assert result_ids(api(client, f"{query}&per_page=50")) == expected


def test_filters_never_find_a_draft(client):
    assert "draft" not in result_ids(api(client, "tag=React&author=Ann+Bell&per_page=50"))


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2024.5", "10000"])
def test_bad_year_is_a_400_naming_year(client, value):
    response = client.get(f"/api/search?year={value}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "year"
    assert "year" in error["message"]


def test_empty_year_is_no_filter(client):
    assert api(client, "year=&per_page=50")["total"] == 6


# ---------------------------------------------------------------------------
# Facets


def test_facets_count_all_matching_posts_not_only_the_page(client):
    data = api(client, "q=server&per_page=1")
    assert len(data["results"]) == 1
    assert data["facets"] == {
        "tags": {"React": 2, "Cloud": 1, "Next.js": 1},
        "authors": {"Ann Bell": 2, "Bob Cole": 1},
        "years": {"2024": 1, "2023": 2},
        "langs": {"en": 3},
    }


def test_facets_without_a_query_cover_every_published_post(client):
    facets = api(client, "per_page=1")["facets"]
    assert facets["tags"] == {"React": 2, "Testing": 2, "Cloud": 1, "DevOps": 1, "Next.js": 1, "Python": 1, "Rust": 1}
    assert facets["authors"] == {"Ann Bell": 3, "Bob Cole": 2, "Cat Dee": 1}
    assert facets["years"] == {"2024": 1, "2023": 2, "2022": 2, "2021": 1}


def test_facets_follow_the_filters(client):
    facets = api(client, "tag=Testing")["facets"]
    assert facets == {
        "tags": {"Testing": 2, "Python": 1, "Rust": 1},
        "authors": {"Ann Bell": 1, "Cat Dee": 1},
        "years": {"2022": 2},
        "langs": {"en": 2},
    }


def test_facets_follow_the_year_filter(client):
    assert api(client, "year=2023")["facets"]["years"] == {"2023": 2}


def test_no_matches_means_empty_facets(client):
    assert api(client, "q=zzzzqqq")["facets"] == {"tags": {}, "authors": {}, "years": {}, "langs": {}}


# ---------------------------------------------------------------------------
# Query syntax together with prefixes and typos


@pytest.mark.parametrize(
    "q, expected",
    [
        ("tag:python fixtur", {"pytest"}),  # prefix, filtered by tag
        ("tag:python fixtrues", {"pytest"}),  # typo, filtered by tag
        ("tag:testing fixtur", {"pytest", "rust-fixtures"}),
        ('author:"ann bell" fixtur', {"rust-fixtures"}),
        ("author:cat fixtrues", {"pytest"}),
        ('"server actions" -zzz', {"server-actions"}),
        ('"server actions" -hooks', set()),
        ("fixtures -rust", {"pytest"}),
        ("fixtur -rust", {"pytest"}),
        ("borrow OR kubernets", {"rust-fixtures", "kubernetes"}),
        ("borrow OR kubernetis", {"rust-fixtures", "kubernetes"}),
        ("fixtrues OR kubernetes", {"pytest", "rust-fixtures", "kubernetes"}),
        ("readiness prob", {"kubernetes"}),
        ("tag:devops readines prob", {"kubernetes"}),
    ],
)
def test_syntax_with_prefixes_and_typos(search, q, expected):
    assert ids(search(q)) == expected


@pytest.mark.parametrize(
    "q",
    [
        "tag:go fixtures",
        "tag:go fixtures zzzz",
        "tag:python server zzzz",
        "author:nobody fixtures tests",
    ],
)
def test_a_query_filter_still_filters_when_the_words_are_relaxed(search, q):
    """tag:/author: are filters: the relaxed (any-word) search must not drop them."""
    response = search(q)
    assert ids(response) == set(), (response.relaxed, ids(response))


def test_relaxed_words_keep_the_author_filter(search):
    response = search('author:"ann bell" wheels fixtures')
    assert ids(response) <= {"server-actions", "serverless", "rust-fixtures"}
    assert "rust-fixtures" in ids(response)


def test_request_filters_still_filter_when_the_words_are_relaxed(search):
    response = search("fixtures zzzz", tags=("Python",))
    assert response.relaxed is True
    assert ids(response) == {"pytest"}
