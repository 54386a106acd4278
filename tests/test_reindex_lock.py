"""One reindex at a time: a second one waits, then says who holds the lock; a dead holder never blocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from searchsvc.config import Settings
from searchsvc.indexer import ReindexBusy, reindex, reindex_lock

from processes import REPO, reindex_process, synthetic_blog


def test_second_reindex_gives_up_after_the_timeout_naming_the_holder(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index", lock_timeout=0.3)
    settings.index_dir.mkdir()
    with reindex_lock(settings.index_dir, timeout=1):
        started = time.monotonic()
        with pytest.raises(ReindexBusy, match=rf"another reindex is running \(pid {os.getpid()}\)"):
            reindex(settings)
        assert 0.3 <= time.monotonic() - started < 3


def test_lock_of_a_killed_process_does_not_block(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from searchsvc.indexer import reindex_lock\n"
         "with reindex_lock(Path(sys.argv[1]), 5):\n    print('locked', flush=True); time.sleep(60)",
         str(index_dir)],
        cwd=REPO, stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=5)
    finally:
        holder.stdout.close()
        if holder.poll() is None:
            holder.kill()
    summary = reindex(Settings(content_dir=content, index_dir=index_dir, lock_timeout=2))
    assert summary.total == 1


def test_two_reindex_runs_at_once_both_finish_and_the_index_is_whole(tmp_path):
    content = synthetic_blog(tmp_path / "content", 120)
    index_dir = tmp_path / "index"
    first = reindex_process(content, index_dir, "--full", "--json", SEARCHSVC_LOCK_TIMEOUT="60")
    second = reindex_process(content, index_dir, "--full", "--json", SEARCHSVC_LOCK_TIMEOUT="60")
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    again = reindex(Settings(content_dir=content, index_dir=index_dir))
    assert (again.unchanged, again.total) == (120, 120)


def test_busy_reindex_from_the_command_line_exits_3_with_the_message(make_blog, tmp_path):
    content = make_blog({"a.md": "# A\n\ntext\n"})
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    with reindex_lock(index_dir, timeout=1):
        proc = reindex_process(content, index_dir, SEARCHSVC_LOCK_TIMEOUT="0.2")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert f"another reindex is running (pid {os.getpid()})" in err.decode()
    assert b"Traceback" not in err
