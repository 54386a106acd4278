"""The plan step decides, from sizes and modification times alone, which post files a reindex reads."""

from __future__ import annotations

import pytest

from searchsvc.indexer import RACY_NS, plan

OLD = {"kept.md": {"hash": "h", "size": 10, "mtime_ns": 1_000}}
AFTER_SCAN = 1_000 + RACY_NS + 1  # the last scan was long after the file's modification


@pytest.mark.parametrize("relpath, stat, racy_after, expected", [
    ("kept.md", (10, 1_000), AFTER_SCAN - RACY_NS, "keep"),   # same size and time, well before the scan
    ("kept.md", (11, 1_000), AFTER_SCAN - RACY_NS, "read"),   # size changed
    ("kept.md", (10, 2_000), AFTER_SCAN - RACY_NS, "read"),   # time changed
    ("kept.md", (10, 1_000), 0, "read"),                      # modified around the last scan: racy, read again
    ("kept.md", None, AFTER_SCAN - RACY_NS, "read"),          # could not stat it: read (the error is reported then)
    ("new.md", (10, 1_000), AFTER_SCAN - RACY_NS, "read"),    # not in the index yet
])
def test_plan(relpath, stat, racy_after, expected):
    decided = plan([(relpath, stat)], OLD, racy_after)
    assert (relpath in decided.keep, relpath in decided.read) == (expected == "keep", expected == "read")


def test_plan_keeps_the_order_of_the_files():
    files = [(f"{i}.md", (1, 1)) for i in range(5)]
    assert plan(files, {}, 0).read == tuple(f"{i}.md" for i in range(5))
