"""A server process opens the index and reads its most frequent words before readers ask;
a process forked from one that has the index open (gunicorn --preload) opens its own."""

from __future__ import annotations

import json
import os
import time

from searchsvc import create_app
from searchsvc.search import SearchIndex, SearchRequest

from conftest import BLOG, close_index, reindex_into


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_an_app_opens_and_warms_the_index_before_the_first_request(tmp_path):
    reindex_into(BLOG, tmp_path / "index")
    app = create_app({"index_dir": tmp_path / "index", "warm_up": 5.0})
    index = app.extensions["searchsvc.index"]
    assert wait_for(lambda: index._snapshot is not None and len(index._snapshot.leaves) > 0)
    assert app.test_client().get("/api/search?q=python").get_json()["total"] > 0
    close_index(index)


def test_an_app_without_warm_up_opens_the_index_on_the_first_request(tmp_path):
    reindex_into(BLOG, tmp_path / "index")
    app = create_app({"index_dir": tmp_path / "index", "warm_up": 0})
    time.sleep(0.2)
    assert app.extensions["searchsvc.index"]._snapshot is None
    assert app.test_client().get("/api/search?q=python").get_json()["total"] > 0
    close_index(app.extensions["searchsvc.index"])


def test_an_app_with_no_index_yet_starts_and_says_so(tmp_path):
    app = create_app({"index_dir": tmp_path / "index", "warm_up": 5.0})
    response = app.test_client().get("/api/search?q=python")
    assert response.status_code == 503
    assert "reindex" in response.get_json()["error"]["message"]


def test_a_forked_process_searches_with_files_of_its_own(tmp_path):
    reindex_into(BLOG, tmp_path / "index")
    index = SearchIndex(tmp_path / "index")
    try:
        expected = [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: search while the parent does too
            try:
                found = [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results]
                os.write(write, json.dumps([found, index._snapshot is not None]).encode())
            finally:
                os._exit(0)
        os.close(write)
        for _ in range(20):
            assert [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results] == expected
        with os.fdopen(read) as fh:
            found, opened = json.loads(fh.read())
        os.waitpid(pid, 0)
        assert found == expected and opened
    finally:
        close_index(index)


def test_the_warm_up_waits_while_the_process_answers_requests(tmp_path):
    import threading

    reindex_into(BLOG, tmp_path / "index")
    index = SearchIndex(tmp_path / "index")
    snap = index.snapshot()
    try:
        with index.searcher():  # a request in progress
            warming = threading.Thread(target=index.warm, args=(snap, 5.0))
            warming.start()
            time.sleep(0.3)
            assert not any(key[0] == "term" for key in list(snap.leaves._items))
        warming.join(10)
        assert any(key[0] == "term" for key in list(snap.leaves._items))
    finally:
        close_index(index)
