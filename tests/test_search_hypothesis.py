"""SearchIndex.search on any text: results, or SearchRequestError for over-long input (500
characters, 32 filters and excluded words); nothing else."""

from hypothesis import HealthCheck, given, settings, strategies as st

from searchsvc.config import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from searchsvc.query import SearchRequestError, parse_query
from searchsvc.results import SearchResponse

SYNTAXY = st.lists(
    st.sampled_from(
        list('ab -"*?:~^()[]{}\\/“»<>&') + ["OR", "tag:", "author:", "title:", "python", "server", "é", "\x00", "node.js"]
    ),
    max_size=40,
).map("".join)


def check(blog_search, text):
    try:
        response = blog_search(text)
    except SearchRequestError as exc:
        assert exc.parameter == "q"
        narrowing = [c for c in parse_query(text).clauses if c.field or c.negated]
        assert len(text) > MAX_QUERY_CHARS or len(narrowing) > MAX_QUERY_TERMS, text
        return
    assert isinstance(response, SearchResponse)
    assert response.total >= len(response.results)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=600))
def test_search_never_raises_on_any_text(blog_search, text):
    check(blog_search, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SYNTAXY)
def test_search_never_raises_on_syntax_characters(blog_search, text):
    check(blog_search, text)


def test_over_long_query_is_refused_with_the_parameter(blog_search):
    try:
        blog_search("a" * (MAX_QUERY_CHARS + 1))
    except SearchRequestError as exc:
        assert exc.parameter == "q"
    else:
        raise AssertionError("an over-long query was accepted")


def test_too_many_words_are_searched_by_the_first_ones(blog_search):
    response = blog_search(" ".join(["python"] * (MAX_QUERY_TERMS + 3)))
    assert response.words_left_out == 3 and response.total


def test_too_many_filters_are_refused_with_the_parameter(blog_search):
    try:
        blog_search(" ".join(f"-word{i}" for i in range(MAX_QUERY_TERMS + 1)))
    except SearchRequestError as exc:
        assert exc.parameter == "q"
    else:
        raise AssertionError("a query with too many excluded words was accepted")
