"""Without a published index every call says to run reindex."""

import pytest

from searchsvc.search import SearchRequest
from searchsvc.storage import IndexUnavailable


def test_search_without_an_index(open_index, tmp_path):
    with pytest.raises(IndexUnavailable, match="reindex"):
        open_index(tmp_path / "index").search(SearchRequest(q="python"))


def test_health_without_an_index(open_index, tmp_path):
    with pytest.raises(IndexUnavailable, match="reindex"):
        open_index(tmp_path / "index").health()


def test_health_reports_generation_and_posts(open_index, blog_dirs):
    _, index_dir = blog_dirs
    health = open_index(index_dir).health()
    assert health["generation"] == 1
    assert health["posts"] == 8


def truncate_postings(index_dir):
    from searchsvc import storage

    generation = storage.current_generation(index_dir)
    for path in generation.path.glob("*.pst"):
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 3)
    return generation


def test_health_notices_a_damaged_file_even_when_answers_come_from_memory(open_index, blog_dirs):
    _, index_dir = blog_dirs
    index = open_index(index_dir)
    index.search(SearchRequest(q="python"))  # kept in memory from now on
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable, match=r"\.pst has \d+ bytes instead of \d+; run `searchsvc reindex --full`"):
        index.health()


def test_after_health_finds_damage_searches_say_so_too(open_index, blog_dirs):
    _, index_dir = blog_dirs
    index = open_index(index_dir)
    index.search(SearchRequest(q="python"))
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable):
        index.health()
    with pytest.raises(IndexUnavailable, match="reindex --full"):
        index.search(SearchRequest(q="python"))


def test_a_damaged_generation_is_not_opened(open_index, blog_dirs):
    _, index_dir = blog_dirs
    truncate_postings(index_dir)
    with pytest.raises(IndexUnavailable, match="instead of"):
        open_index(index_dir).search(SearchRequest(q="python"))


def _fails_on(word):
    """A stand-in for one step of a search that fails on queries with ``word`` (a fault of
    ours, not of the index)."""
    from searchsvc import collect

    real = collect._title_start_bonus

    def step(table, found, mask, parsed):
        if word in parsed.text:
            raise RuntimeError("a fault set off by this query")
        return real(table, found, mask, parsed)

    return step


def test_a_fault_on_one_query_is_not_a_damaged_index(open_index, blog_dirs, monkeypatch):
    from searchsvc import collect

    monkeypatch.setattr(collect, "_title_start_bonus", _fails_on("boom"))
    index = open_index(blog_dirs[1])
    with pytest.raises(RuntimeError):
        index.search(SearchRequest(q="python boom"))
    assert index.search(SearchRequest(q="python")).total  # at once, not after a pause
    assert index.health()["status"] == "ok"


def test_a_fault_on_one_query_is_a_500_for_it_alone(make_app, blog_dirs, monkeypatch):
    from searchsvc import collect

    monkeypatch.setattr(collect, "_title_start_bonus", _fails_on("boom"))
    content_dir, index_dir = blog_dirs
    client = make_app(content_dir=content_dir, index_dir=index_dir).test_client()
    failed = client.get("/api/search", query_string={"q": "python boom"})
    assert failed.status_code == 500
    assert "Traceback" not in failed.get_data(as_text=True)
    assert failed.get_json()["error"]["message"]
    assert client.get("/api/search", query_string={"q": "python"}).status_code == 200
