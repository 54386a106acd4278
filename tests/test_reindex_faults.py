"""Faults: a killed reindex, leftovers, damaged or missing index files, a missing content folder."""

from __future__ import annotations

import os
import signal
import time

import pytest

from searchsvc import storage
from searchsvc.config import Settings
from searchsvc.indexer import ReindexError, reindex
from searchsvc.search import SearchIndex, SearchRequest
from searchsvc.storage import IndexUnavailable

from conftest import close_index
from processes import reindex_process, synthetic_blog


def hits(index_dir, q):
    """How many posts have the word ``q`` itself (not only a word it begins)."""
    index = SearchIndex(index_dir)
    try:
        results = index.search(SearchRequest(q=q, per_page=50)).results
        return sum(1 for hit in results if q in hit.title.split() or q in hit.snippet_html)
    finally:
        close_index(index)


@pytest.mark.parametrize("delay", [0.05, 0.4, 0.9, 1.6])
def test_reindex_killed_at_any_moment_leaves_the_old_index_serving(tmp_path, delay):
    content = synthetic_blog(tmp_path / "content", 150)
    index_dir = tmp_path / "index"
    settings = Settings(content_dir=content, index_dir=index_dir)
    reindex(settings)
    before = storage.current_generation(index_dir)
    assert hits(index_dir, "uniqword7") == 1

    proc = reindex_process(content, index_dir, "--full")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)

    after = storage.current_generation(index_dir)
    assert after.number in (before.number, before.number + 1)  # old, or a complete new one
    assert hits(index_dir, "uniqword7") == 1
    summary = reindex(settings)
    assert summary.total == 150 and summary.exit_code == 0
    assert not [p for p in os.listdir(index_dir) if p.startswith(storage.TMP_PREFIX)]


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the worker processes")
def test_the_worker_processes_of_a_killed_reindex_end_with_it(tmp_path):
    content = synthetic_blog(tmp_path / "content", 400)
    proc = reindex_process(content, tmp_path / "index", "--full")
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the reindex never started its worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_leftover_temporary_directories_are_removed_by_the_next_run(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    leftover = settings.index_dir / f"{storage.TMP_PREFIX}99999-dead"
    leftover.mkdir()
    (leftover / "_MAIN_1.toc").write_text("half written")
    reindex(settings, full=True)
    assert not leftover.exists()


def test_superseded_generations_are_deleted_after_the_grace_period(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index", generation_grace=0)
    for _ in range(3):
        reindex(settings, full=True)
    assert [g.number for g in storage.list_generations(settings.index_dir)] == [3]


def test_the_previous_generation_is_kept_for_readers_within_the_grace_period(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index", generation_grace=60)
    for _ in range(3):
        reindex(settings, full=True)
    assert [g.number for g in storage.list_generations(settings.index_dir)] == [1, 2, 3]


def test_missing_content_directory_is_an_error_and_the_index_is_kept(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    with pytest.raises(ReindexError, match="does not exist.*existing index is kept"):
        reindex(settings.replace(content_dir=tmp_path / "nowhere"))
    assert hits(settings.index_dir, "text") == 1


def test_no_index_yet_says_to_run_reindex(tmp_path):
    index = SearchIndex(tmp_path / "empty")
    with pytest.raises(IndexUnavailable, match="run `searchsvc reindex`"):
        index.search(SearchRequest(q="x"))


def damage(gen_path, how):
    for name in os.listdir(gen_path):
        path = gen_path / name
        if name.endswith((".pst", ".seg", ".trm", ".fdt", ".toc")) or "_" in name and name != storage.MANIFEST:
            if how == "truncate":
                with open(path, "r+b") as fh:
                    fh.truncate(max(0, path.stat().st_size // 3))
            else:
                path.unlink()


# Whoosh leaves a file object unclosed when it reads a truncated table of contents;
# that warning is Whoosh's, on a file we damaged on purpose.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("how", ["truncate", "delete"])
def test_damaged_index_gives_a_clear_error_and_reindex_full_recovers(make_blog, tmp_path, how):
    content = make_blog({f"p{i}.md": f"# Post {i}\n\nshared words and more {i}\n" for i in range(20)})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    index = SearchIndex(settings.index_dir)
    try:
        assert index.search(SearchRequest(q="shared")).total == 20
        damage(storage.current_generation(settings.index_dir).path, how)
        with pytest.raises(IndexUnavailable, match="reindex --full"):
            # A fresh process would fail at open; this one fails when reading.
            for q in ("shared", "words", "post"):
                index._forget(index.snapshot())
                index.search(SearchRequest(q=q))
        reindex(settings, full=True)
        assert index.search(SearchRequest(q="shared")).total == 20  # same object, no restart
    finally:
        close_index(index)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the worker processes")
def test_a_worker_process_killed_mid_reindex_is_reported_in_a_sentence_and_the_index_kept(tmp_path):
    content = synthetic_blog(tmp_path / "content", 400)
    index_dir = tmp_path / "index"
    reindex(Settings(content_dir=content, index_dir=index_dir))
    before = storage.current_generation(index_dir)
    proc = reindex_process(content, index_dir, "--full")
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        workers = {pid for pid in _children(proc.pid) if b"spawn_main" in _cmdline(pid)}
        time.sleep(0.02)
    assert workers, "the reindex never started its worker processes"
    os.kill(min(workers), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 3
    assert b"Traceback" not in err
    assert b"worker process" in err and b"index is unchanged" in err
    assert storage.current_generation(index_dir).number == before.number
    assert hits(index_dir, "uniqword7") == 1
    assert not [p for p in os.listdir(index_dir) if p.startswith(storage.TMP_PREFIX)]
