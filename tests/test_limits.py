"""Every request is bounded, through the API: query length, words, per_page, page depth, time.

- ``q``: at most 500 characters (characters, not bytes); of more than 32 words (a phrase,
  a filter and an excluded word count as one; ``OR`` does not count), the first words are
  searched, with every filter and excluded word, and more than 32 of those are refused;
- ``per_page``: larger values are capped at 50, never refused;
- page depth: ``page`` x ``per_page`` at most 1,000 (after the cap);
- time: a query that would run long answers within about 2 s, with what it found so far
  flagged ``"partial": true`` (or a 4xx; see test_deadline.py for the flag itself). That is tested on a real gunicorn over a blog made
  to be slow: a few words, each in every post hundreds of times. A client gives up at
  LIMIT + GRACE seconds, and a worker stuck past its --timeout is replaced, so the tests
  stay bounded whatever the server does.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
import requests

from searchsvc.config import MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_RESULT_DEPTH

from conftest import reindex_into, write_posts
from processes import gunicorn, wait_until

#: Seconds within which any answer must arrive, and the slack allowed on a busy machine.
LIMIT = 2.0
GRACE = 0.5

# ---------------------------------------------------------------------------
# Length and number of words (tests/blog, in-process)


@pytest.mark.parametrize("text", ["a" * MAX_QUERY_CHARS, "é" * MAX_QUERY_CHARS, "🙂" * MAX_QUERY_CHARS])
def test_a_query_of_500_characters_is_accepted_whatever_their_bytes(client, text):
    for path in ("/api/search", "/api/suggest", "/"):
        assert client.get(path, query_string={"q": text}).status_code == 200, path


@pytest.mark.parametrize("path", ["/api/search", "/api/suggest", "/"])
def test_a_query_of_501_characters_is_a_400_naming_q(client, path):
    response = client.get(path, query_string={"q": "é" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 400
    if path != "/":
        assert response.get_json()["error"]["parameter"] == "q"


def words(n: int, make=lambda i: f"word{i}") -> str:
    return " ".join(make(i) for i in range(n))


@pytest.mark.parametrize(
    "q",
    [
        words(MAX_QUERY_TERMS),
        " OR ".join(f"w{i}" for i in range(MAX_QUERY_TERMS)),  # OR is not a word
        words(MAX_QUERY_TERMS, lambda i: f'"p{i} q{i}"'),  # a phrase is one
        words(MAX_QUERY_TERMS - 2) + " tag:python -legacy",
    ],
    ids=["words", "or", "phrases", "filters"],
)
def test_32_words_are_accepted(client, q):
    assert len(q) <= MAX_QUERY_CHARS
    assert client.get("/api/search", query_string={"q": q}).status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        words(MAX_QUERY_TERMS + 1),
        " OR ".join(f"w{i}" for i in range(MAX_QUERY_TERMS + 1)),
        words(MAX_QUERY_TERMS, lambda i: f'"p{i} q{i}"') + " w",
    ],
    ids=["words", "or", "phrases"],
)
def test_33_words_are_searched_by_their_first_32(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert response.get_json()["words_left_out"] == 1


def test_words_past_32_are_left_out_but_filters_and_excluded_words_are_kept(client):
    response = client.get("/api/search", query_string={"q": "python " * 40 + "tag:testing -packaging"})
    body = response.get_json()
    assert response.status_code == 200 and body["words_left_out"] == 10
    assert [hit["title"] for hit in body["results"]] == ["Testing Python Code with Pytest"]


def test_32_words_leave_none_out(client):
    assert client.get("/api/search", query_string={"q": words(MAX_QUERY_TERMS)}).get_json()["words_left_out"] == 0


def test_33_filters_and_excluded_words_are_a_400_naming_q(client):
    q = " ".join(f"tag:t{i}" for i in range(MAX_QUERY_TERMS)) + " -legacy"
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "q" and str(MAX_QUERY_TERMS) in error["message"]


def test_the_search_page_says_which_words_were_left_out(client):
    page = client.get("/", query_string={"q": "python " * 40}).get_data(as_text=True)
    assert "the last 8 were left out" in page


# ---------------------------------------------------------------------------
# A blog made to be slow

VOCAB = ("lake", "fern", "moss", "pine", "reed", "sage")
POSTS, WORDS = 100, 1000
#: The three-word sequences that occur (the posts repeat VOCAB in order).
OCCURRING = {tuple(VOCAB[(k + j) % len(VOCAB)] for j in range(3)) for k in range(len(VOCAB))}


def slow_blog(root: Path) -> Path:
    posts = {}
    for i in range(POSTS):
        seq = [VOCAB[(i + j) % len(VOCAB)] for j in range(WORDS)]
        paragraphs = "\n\n".join(" ".join(seq[k : k + 100]) for k in range(0, WORDS, 100))
        posts[f"slow-{i:03d}.md"] = f"---\ntitle: Slow post {i}\ntags: [t{i % 5}]\n---\n\n## Part\n\n{paragraphs}\n"
    return write_posts(root, posts)


def fit(parts: list[str], sep: str) -> str:
    """As many of ``parts`` as fit in one accepted query."""
    out: list[str] = []
    for part in parts[:MAX_QUERY_TERMS]:
        if len(sep.join(out + [part])) > MAX_QUERY_CHARS:
            break
        out.append(part)
    return sep.join(out)


ABSENT_PHRASES = ['"' + " ".join(p) + '"' for p in itertools.permutations(VOCAB, 3) if p not in OCCURRING]
SLOW_QUERIES = {
    "32-common-words-ored": " OR ".join((VOCAB * 6)[:MAX_QUERY_TERMS]),
    "32-common-words-required": " ".join((VOCAB * 6)[:MAX_QUERY_TERMS]),
    "phrases-that-never-match": fit(ABSENT_PHRASES, " "),
}


@pytest.fixture(scope="module")
def slow_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("slow-blog")
    _, summary = reindex_into(slow_blog(root / "content"), root / "index")
    assert summary.total == POSTS
    return root / "index"


def answers(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def slow_server(slow_index, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("slow-server") / "gunicorn.log"
    with gunicorn(slow_index, workers=2, extra_args=("--timeout", "4", "--graceful-timeout", "1"), log_path=log_path) as base:
        yield base


def timed_get(base: str, path: str, params: dict) -> tuple[float, requests.Response | None]:
    assert wait_until(lambda: answers(base), timeout=10), "the server stopped answering"
    started = time.monotonic()
    try:
        response = requests.get(base + path, params=params, timeout=LIMIT + GRACE)
    except requests.Timeout:
        response = None
    return time.monotonic() - started, response


@pytest.mark.parametrize("q", SLOW_QUERIES.values(), ids=SLOW_QUERIES.keys())
def test_a_query_that_would_be_slow_answers_within_2_s(slow_server, q):
    assert len(q) <= MAX_QUERY_CHARS
    elapsed, response = timed_get(slow_server, "/api/search", {"q": q, "per_page": MAX_PER_PAGE})
    assert response is not None, f"no answer within {LIMIT + GRACE} s"
    assert elapsed <= LIMIT + GRACE
    if response.status_code == 200:
        data = response.json()
        assert data["total"] >= len(data["results"])
    else:
        assert 400 <= response.status_code < 500, response.text[:300]
        assert response.json()["error"]["parameter"] == "q"


def test_the_search_page_is_bounded_too(slow_server):
    elapsed, response = timed_get(slow_server, "/", {"q": SLOW_QUERIES["32-common-words-ored"]})
    assert response is not None, f"no page within {LIMIT + GRACE} s"
    assert response.status_code in (200, 400)


# ---------------------------------------------------------------------------
# per_page and page depth (the slow blog has more than 50 posts; its title word is quick)


@pytest.fixture(scope="module")
def slow_client(slow_index):
    from searchsvc import create_app
    from conftest import close_index

    app = create_app({"TESTING": True, "index_dir": slow_index})
    yield app.test_client()
    close_index(app.extensions["searchsvc.index"])


@pytest.mark.parametrize("asked", [MAX_PER_PAGE + 1, 1000, 10**30])
def test_per_page_above_50_is_capped_not_refused(slow_client, asked):
    response = slow_client.get("/api/search", query_string={"q": "slow", "per_page": asked})
    assert response.status_code == 200
    data = response.get_json()
    assert data["per_page"] == MAX_PER_PAGE
    assert len(data["results"]) == MAX_PER_PAGE and data["total"] == POSTS
    assert data["pages"] == -(-POSTS // MAX_PER_PAGE)


@pytest.mark.parametrize(
    "page, per_page, status",
    [
        (20, 50, 200),
        (21, 50, 400),
        (100, 10, 200),
        (101, 10, 400),
        (1000, 1, 200),
        (1001, 1, 400),
        (20, 1000, 200),  # per_page is capped to 50 first: 20 x 50 = 1,000
        (21, 1000, 400),
    ],
)
def test_results_deeper_than_1000_are_not_served(slow_client, page, per_page, status):
    response = slow_client.get("/api/search", query_string={"q": "slow", "page": page, "per_page": per_page})
    assert response.status_code == status
    if status == 400:
        error = response.get_json()["error"]
        assert error["parameter"] == "page" and f"{MAX_RESULT_DEPTH:,}".replace(",", "") in error["message"].replace(",", "")
    else:
        data = response.get_json()
        assert data["page"] * data["per_page"] <= MAX_RESULT_DEPTH
        assert data["results"] == []  # past the last of the 100 posts


@pytest.mark.parametrize(
    "params",
    [
        {"q": "slow", "author": " ".join(f"name{i}" for i in range(300))},
        {"q": "slow", "tag": [f"t{i}" for i in range(300)]},
        {"q": "slow", "tag_any": [f"x{i}" for i in range(300)]},
    ],
    ids=["long-author", "300-tags", "300-tag-any"],
)
def test_other_parameters_cannot_make_a_query_slow(slow_client, params):
    """They are not limited in size (the request line is, by gunicorn), but stay cheap."""
    started = time.monotonic()
    response = slow_client.get("/api/search", query_string=params)
    assert time.monotonic() - started <= LIMIT
    assert response.status_code in (200, 400)


def test_the_last_page_of_results_is_served(slow_client):
    data = slow_client.get("/api/search", query_string={"q": "slow", "page": 2, "per_page": 50}).get_json()
    assert len(data["results"]) == POSTS - 50
