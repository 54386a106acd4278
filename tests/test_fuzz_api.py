"""Hostile input on every parameter of the JSON API and the search page: never a 5xx, always
the documented shape.

Random strings (any Unicode, control characters, NUL), huge and negative numbers,
lookalike digits, edge dates, and repeated or unknown parameters go to /api/search,
/api/suggest, /api/posts/<id>/related and GET /. Each answer is a 200 with the documented
body or a 4xx with {"error": {"message", "parameter"}} naming a real parameter; never a
traceback. A few literal cases pin down what random search found or might miss.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from searchsvc import create_app
from searchsvc.config import MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_RESULT_DEPTH

from conftest import BLOG, close_index

SEARCH_PARAMETERS = ["q", "page", "per_page", "tag", "tag_any", "author", "year", "from", "to", "sort"]
POST_IDS = ["python_packaging_post", "react_hooks_post", "nextjs_server_actions_post"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SPECIAL = [
    "", " ", "0", "-1", "1", "2", "50", "51", "1000", "1001", "9" * 40, "-" + "9" * 40, "1e9", "0x10", "1_0",
    " 7 ", "１２", "٣", "NaN", "inf", "1.5", "9999-12-31", "0001-01-01", "2024-02-30", "2024-01-15",
    "2024-W03-1", "20240115", "relevance", "newest", "oldest", "python", "Python", "\x00", "\x1b[31m",
    "\u202e", "\ufeff", "%00", "../..", "<script>alert(1)</script>", '"', "'", "\\", "OR", "tag:python",
    "author:", '"unclosed', "-", "a" * (MAX_QUERY_CHARS + 1), " OR ".join(["python"] * 33),
]
#: Any text a URL can carry (lone surrogates cannot be encoded as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(SPECIAL),
    st.dates().map(str),
)
#: Pairs, so a parameter may come twice (or not at all), plus a name the API does not know.
SEARCH_ARGS = st.lists(st.tuples(st.sampled_from(SEARCH_PARAMETERS + ["unknown"]), VALUES), max_size=8)


@pytest.fixture(scope="module")
def client(blog_index_template, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("fuzz-api") / "index"
    shutil.copytree(blog_index_template, index_dir, symlinks=True)
    app = create_app({"TESTING": True, "content_dir": BLOG, "index_dir": index_dir})
    yield app.test_client()
    close_index(app.extensions["searchsvc.index"])


# ---------------------------------------------------------------------------
# What every answer must look like


def only_mark_tags(html: str) -> bool:
    rest = re.sub(r"</?mark>", "", html)
    return "<" not in rest and ">" not in rest


def check_no_traceback(response) -> None:
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and 'File "' not in body, body[:500]


def check_error(response, parameters) -> None:
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"].strip()
    assert error.get("parameter") in parameters, error
    assert error["parameter"] in error["message"]


def check_search_body(data: dict, args: list[tuple[str, str]]) -> None:
    first = {}
    for key, value in args:
        first.setdefault(key, value)
    assert data["query"] == first.get("q", "")
    for key in ("total", "page", "per_page", "pages"):
        assert isinstance(data[key], int) and not isinstance(data[key], bool), key
    assert 1 <= data["per_page"] <= MAX_PER_PAGE
    assert data["page"] >= 1 and data["page"] * data["per_page"] <= MAX_RESULT_DEPTH
    assert 1 <= data["pages"] <= max(1, MAX_RESULT_DEPTH // data["per_page"] + 1)
    assert isinstance(data["took_ms"], (int, float))
    assert isinstance(data["results"], list) and len(data["results"]) <= data["per_page"]
    assert data["total"] >= len(data["results"])
    assert isinstance(data["facets"], dict)
    for counts in data["facets"].values():
        assert all(isinstance(k, str) and isinstance(n, int) for k, n in counts.items())
    for hit in data["results"]:
        for key in ("id", "url", "title", "title_html", "description", "author", "snippet_html"):
            assert isinstance(hit[key], str), key
        assert hit["date"] is None or isinstance(hit["date"], str)
        assert isinstance(hit["tags"], list) and all(isinstance(t, str) for t in hit["tags"])
        assert isinstance(hit["score"], (int, float))
        assert only_mark_tags(hit["title_html"]) and only_mark_tags(hit["snippet_html"])
        assert hit["url"].startswith(("/", "http://", "https://"))
        for section in hit.get("sections", []):
            assert set(section) >= {"heading", "anchor", "url"}


def get(client, path: str, args: list[tuple[str, str]]):
    return client.get(f"{path}?{urlencode(args)}" if args else path)


# ---------------------------------------------------------------------------
# /api/search


@FUZZ
@given(args=SEARCH_ARGS)
@example(args=[("q", "python"), ("to", "9999-12-31")])
@example(args=[("from", "9999-12-31"), ("to", "9999-12-31")])
@example(args=[("q", "python"), ("page", "2"), ("page", "x")])
@example(args=[("per_page", "9" * 40), ("page", "20")])
def test_search_answers_any_parameters_with_results_or_a_400(client, args):
    response = get(client, "/api/search", args)
    check_no_traceback(response)
    assert response.status_code in (200, 400), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    if response.status_code == 200:
        check_search_body(response.get_json(), args)
    else:
        check_error(response, SEARCH_PARAMETERS)


@pytest.mark.parametrize(
    "args",
    [
        [("to", "9999-12-31")],
        [("q", "python"), ("from", "9999-12-31"), ("to", "9999-12-31")],
        [("q", "python"), ("from", "0001-01-01"), ("to", "0001-01-01")],
    ],
    ids=["to-last-day", "from-and-to-last-day", "first-day"],
)
def test_dates_at_the_ends_of_the_calendar(client, args):
    """Valid ISO dates, the first and last the calendar has: results (none) or a 400, not a 500."""
    response = get(client, "/api/search", args)
    check_no_traceback(response)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "args, parameter",
    [
        ([("page", "9" * 40)], "page"),
        ([("year", "9" * 40)], "year"),
        ([("year", "-" + "9" * 40)], "year"),
        ([("per_page", "-" + "9" * 40)], "per_page"),
        ([("page", "1e3")], "page"),
        ([("page", "NaN")], "page"),
        ([("from", "\x00")], "from"),
        ([("sort", "\x1b[31m")], "sort"),
        ([("q", "é" * (MAX_QUERY_CHARS + 1))], "q"),
    ],
)
def test_hostile_numbers_and_text_are_a_400_naming_the_parameter(client, args, parameter):
    response = get(client, "/api/search", args)
    assert response.status_code == 400
    check_error(response, [parameter])


def test_repeated_parameters_use_the_first_value(client):
    response = get(client, "/api/search", [("q", "python"), ("q", "react"), ("per_page", "1"), ("per_page", "x")])
    assert response.status_code == 200
    data = response.get_json()
    assert (data["query"], data["per_page"]) == ("python", 1)


# ---------------------------------------------------------------------------
# /api/suggest


@FUZZ
@given(args=st.lists(st.tuples(st.sampled_from(["q", "q", "unknown"]), VALUES), max_size=3))
def test_suggest_answers_any_text_with_suggestions_or_a_400(client, args):
    response = get(client, "/api/suggest", args)
    check_no_traceback(response)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    if response.status_code == 400:
        check_error(response, ["q"])
        return
    data = response.get_json()
    assert data["query"] == next((v for k, v in args if k == "q"), "")
    assert isinstance(data["suggestions"], list) and len(data["suggestions"]) <= 8
    for suggestion in data["suggestions"]:
        assert isinstance(suggestion["text"], str) and suggestion["kind"] in ("title", "term")
        assert isinstance(suggestion.get("url", ""), str)


# ---------------------------------------------------------------------------
# /api/posts/<id>/related

POST_ID = st.one_of(
    TEXT.filter(lambda s: s.strip("/") and not s.startswith("/")),  # a leading "/": see the literal test below
    st.sampled_from(POST_IDS),
    st.tuples(st.sampled_from(POST_IDS), TEXT).map("".join),
    st.sampled_from(["..", "../..", "a/b/c", "%00", "\x00", "x" * 2000, "python_packaging_post/related"]),
)


@FUZZ
@given(post_id=POST_ID)
def test_related_answers_any_id_with_posts_or_a_404(client, post_id):
    response = client.get(f"/api/posts/{quote(post_id, safe='')}/related")
    check_no_traceback(response)
    assert response.status_code in (200, 404), response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    data = response.get_json()
    if response.status_code == 404:
        assert isinstance(data["error"]["message"], str) and data["error"]["message"]
        return
    assert isinstance(data["id"], str)
    assert isinstance(data["results"], list) and len(data["results"]) <= 5
    for post in data["results"]:
        assert {"id", "url", "title"} <= set(post)
        assert post["id"] != data["id"]


@pytest.mark.parametrize("path", ["/api/posts//python_packaging_post/related", "/api//search?q=python"])
def test_doubled_slashes_in_an_api_path_get_json(client, path):
    """Werkzeug merges "//" with a 308 redirect whose body is HTML; the API answers JSON only."""
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response.mimetype == "application/json"


def test_related_of_a_real_post_lists_other_posts(client):
    response = client.get(f"/api/posts/{POST_IDS[0]}/related")
    assert response.status_code == 200
    assert POST_IDS[0] not in [p["id"] for p in response.get_json()["results"]]


# ---------------------------------------------------------------------------
# GET / (the search page takes the same parameters)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=SEARCH_ARGS)
@example(args=[("q", "python"), ("to", "9999-12-31")])
def test_search_page_answers_any_parameters_with_a_page(client, args):
    response = get(client, "/", args)
    check_no_traceback(response)
    assert response.status_code in (200, 400), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"


# ---------------------------------------------------------------------------
# The query parser with what the other tests leave out: lone surrogates (the library takes
# any str), and build_query with an expander (completions, typo corrections) and relaxed=True.
# tests/test_query_parser.py covers parse_query and build_query without them.

QUERY_PIECES = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),
    st.sampled_from(['"', "-", "OR", " OR ", "tag:", "author:", "pyth", "pyhton", "serv", "comparator", " ", "\x00",
                     " 18", " v4", " 2", " 0", "1.2"]),  # (numbers typed apart: read as a version)
)
QUERY_TEXT = st.lists(QUERY_PIECES, max_size=40).map("".join)


@pytest.fixture(scope="module")
def blog_searcher(blog_index_template):
    from searchsvc.search import SearchIndex

    index = SearchIndex(blog_index_template)
    with index.searcher() as (snap, searcher):
        yield snap, searcher
    close_index(index)


@FUZZ
@given(text=QUERY_TEXT)
def test_parse_and_build_with_expansions_never_raise(blog_searcher, text):
    from searchsvc.query import ParsedQuery, build_query, parse_query
    from searchsvc.vocabulary import Expander

    snap, searcher = blog_searcher
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    expander = Expander(snap.vocabulary, searcher.reader())
    for relaxed in (False, True):
        query = build_query(searcher.schema, parsed, expander, relaxed=relaxed)
        searcher.search(query, limit=1)
