"""A process forked from one that has the index open (gunicorn --preload) opens its own
files: sharing them would share their read offsets."""

from __future__ import annotations

import json
import os

from searchsvc.search import SearchIndex, SearchRequest

from conftest import BLOG, close_index, reindex_into


def test_a_forked_process_searches_with_files_of_its_own(tmp_path):
    reindex_into(BLOG, tmp_path / "index")
    index = SearchIndex(tmp_path / "index")
    try:
        expected = [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results]
        parents = index._snapshot
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: search while the parent does too
            try:
                found = [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results]
                os.write(write, json.dumps([found, index._snapshot is not parents]).encode())
            finally:
                os._exit(0)
        os.close(write)
        for _ in range(20):
            assert [h.url for h in index.search(SearchRequest(q="python testing", per_page=20)).results] == expected
        with os.fdopen(read) as fh:
            found, its_own = json.loads(fh.read())
        os.waitpid(pid, 0)
        assert found == expected and its_own
    finally:
        close_index(index)

