"""Bad parameters are 400 with {"error": {"parameter", "message"}}; no traceback ever reaches a client."""

import gc

import pytest


def assert_no_traceback(response):
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert 'File "' not in body


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=1.5", "page"),
        ("per_page=-1", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=ten", "per_page"),
        ("sort=bogus", "sort"),
        ("from=notadate", "from"),
        ("to=2024-13-45", "to"),
        ("from=2024-02-01&to=2024-01-01", "from"),
        ("q=" + "a" * 501, "q"),
        ("q=python&page=1000&per_page=50", "page"),
        ("page=999999999999999999999999", "page"),
    ],
)
def test_bad_parameter_is_400_naming_it(client, query, parameter):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["parameter"] == parameter
    assert parameter in error["message"]
    assert error["message"].endswith(".")
    assert_no_traceback(response)


def test_query_of_500_characters_is_accepted(client):
    assert client.get("/api/search", query_string={"q": "a" * 500}).status_code == 200


def test_too_many_excluded_words_is_400(client):
    response = client.get("/api/search", query_string={"q": " ".join(f"-python{i}" for i in range(40))})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "q"


@pytest.fixture
def empty_client(make_app, tmp_path):
    return make_app(content_dir=tmp_path / "content", index_dir=tmp_path / "index").test_client()


@pytest.mark.parametrize("path", ["/api/search?q=python", "/healthz"])
def test_no_index_is_503_saying_to_reindex(empty_client, path):
    response = empty_client.get(path)
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert "reindex" in response.get_json()["error"]["message"]
    assert_no_traceback(response)


@pytest.mark.parametrize("path", ["/api/nope", "/api/search/extra", "/api/"])
def test_unknown_api_path_is_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["message"]
    assert_no_traceback(response)


def test_wrong_method_is_json(client):
    response = client.post("/api/search")
    assert response.status_code == 405
    assert response.get_json()["error"]["message"]


# Whoosh leaves the table-of-contents file open when it cannot unpickle it.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_damaged_index_is_503_without_traceback(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    generation = (index_dir / "CURRENT").resolve()
    for path in generation.iterdir():
        if path.suffix in (".seg", ".trm", ".pst", ".toc") or path.name.startswith("_MAIN"):
            path.write_bytes(b"\0garbage")
    response = make_app(content_dir=content_dir, index_dir=index_dir).test_client().get("/api/search?q=python")
    gc.collect()
    assert response.status_code == 503
    assert "reindex" in response.get_json()["error"]["message"]
    assert_no_traceback(response)
