"""GET /api/search: the JSON shape and what the parameters do."""

RESULT_KEYS = {"id", "url", "title", "title_html", "description", "date", "tags", "author", "snippet_html", "score"}
RESPONSE_KEYS = {"query", "total", "page", "per_page", "took_ms", "results", "facets"}


def ids(data):
    return [r["id"] for r in data["results"]]


def test_response_shape(client):
    response = client.get("/api/search?q=server+actions")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert RESPONSE_KEYS <= set(data)
    assert data["query"] == "server actions"
    assert data["total"] == 1
    assert data["page"] == 1
    assert data["per_page"] == 10
    assert isinstance(data["took_ms"], (int, float)) and data["took_ms"] >= 0
    assert set(data["facets"]) == {"tags", "authors", "years", "langs"}
    [result] = data["results"]
    assert RESULT_KEYS <= set(result)


def test_result_fields(client):
    [result] = client.get("/api/search?q=server+actions").get_json()["results"]
    assert result["id"] == "nextjs_server_actions_post"
    assert result["url"] == "/blog/nextjs_server_actions_post"
    assert result["title"] == "Next.js Server Actions in Practice"
    assert result["title_html"] == "Next.js <mark>Server</mark> <mark>Actions</mark> in Practice"
    assert result["description"] == "Form handling with Server Actions and useOptimistic."
    assert result["date"].startswith("2024-01-15")
    assert result["tags"] == ["Next.js", "React"]
    assert result["author"] == "Alex Rodriguez"
    assert "<mark>Server</mark> <mark>Actions</mark>" in result["snippet_html"]
    assert isinstance(result["score"], (int, float)) and result["score"] > 0


def test_no_match_is_an_empty_result(client):
    data = client.get("/api/search?q=qwxzptlk").get_json()
    assert data["total"] == 0
    assert data["results"] == []
    assert data["facets"] == {"tags": {}, "authors": {}, "years": {}, "langs": {}}


def test_no_query_lists_every_post(client):
    assert client.get("/api/search").get_json()["total"] == 8


def test_query_with_markup_is_escaped_in_html_fields(client):
    data = client.get("/api/search", query_string={"q": "<script>alert(1)</script> OR comparator"}).get_json()
    assert data["results"]
    for result in data["results"]:
        assert "<script" not in result["title_html"] + result["snippet_html"]


def test_per_page_and_page(client):
    first = client.get("/api/search?q=python&per_page=1").get_json()
    second = client.get("/api/search?q=python&per_page=1&page=2").get_json()
    assert first["per_page"] == second["per_page"] == 1
    assert first["total"] == second["total"] == 2
    assert second["page"] == 2
    assert len(first["results"]) == len(second["results"]) == 1
    assert ids(first) != ids(second)


def test_page_past_the_last_is_empty(client):
    data = client.get("/api/search?q=python&per_page=1&page=3").get_json()
    assert data["page"] == 3
    assert data["total"] == 2
    assert data["results"] == []


def test_per_page_above_the_maximum_is_capped_not_refused(client):
    response = client.get("/api/search?per_page=500")
    assert response.status_code == 200
    assert response.get_json()["per_page"] == 50


def test_one_tag(client):
    assert sorted(ids(client.get("/api/search?tag=Python").get_json())) == [
        "python_packaging_post",
        "python_testing_post",
    ]


def test_repeated_tags_must_all_match(client):
    assert ids(client.get("/api/search?tag=python&tag=testing").get_json()) == ["python_testing_post"]
    assert ids(client.get("/api/search?tag=python&tag=react").get_json()) == []


def test_tag_parameter_is_not_query_syntax(client):
    assert client.get("/api/search", query_string={"tag": "python OR react"}).get_json()["total"] == 0


def test_author(client):
    assert sorted(ids(client.get("/api/search", query_string={"author": "Sam Lee"}).get_json())) == [
        "angle_brackets_in_text",
        "python_testing_post",
        "react_hooks_post",
    ]


def test_author_with_words(client):
    data = client.get("/api/search", query_string={"q": "python", "author": "Sam Lee"}).get_json()
    assert ids(data) == ["python_testing_post"]


def test_from_and_to(client):
    data = client.get("/api/search?from=2023-01-01&to=2024-01-15&sort=oldest").get_json()
    assert ids(data) == ["python_testing_post", "nextjs_server_actions_post"]


def test_sort_newest_and_oldest(client):
    newest = ids(client.get("/api/search?sort=newest").get_json())
    oldest = ids(client.get("/api/search?sort=oldest").get_json())
    assert newest[0] == "python_packaging_post"
    assert oldest[0] == "literal_field_syntax"
    assert newest == oldest[::-1]


def test_facets_count_all_matches(client):
    data = client.get("/api/search?q=python&per_page=1").get_json()
    assert len(data["results"]) == 1
    assert data["facets"]["tags"] == {"Python": 2, "Packaging": 1, "Testing": 1}


def test_facets_keep_display_case(client):
    assert client.get("/api/search?q=server").get_json()["facets"]["tags"] == {"Next.js": 1, "React": 1}


def test_draft_is_not_found(client):
    assert client.get("/api/search?q=blimpcargo").get_json()["total"] == 0
