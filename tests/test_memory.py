"""A server process gives the free pages of its heap back to the system now and then, and
runs the garbage collector less often than CPython does by default."""

from __future__ import annotations

import ctypes
import gc
from types import SimpleNamespace

from searchsvc import create_app
from searchsvc.tuning import GC_YOUNG_THRESHOLD, TRIM_EVERY


def test_free_memory_goes_back_to_the_system_every_few_requests(monkeypatch, tmp_path):
    trims = []
    libc = SimpleNamespace(malloc_trim=trims.append, mallopt=lambda option, value: 1)
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: libc)
    client = create_app({"index_dir": tmp_path / "index"}).test_client()
    for _ in range(2 * TRIM_EVERY + 1):
        client.get("/healthz")  # 503: no index yet; a request all the same
    assert trims == [0, 0]


def test_a_server_process_runs_the_garbage_collector_less_often(monkeypatch, tmp_path):
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))  # CPython's default
    set_to = []
    monkeypatch.setattr(gc, "set_threshold", lambda *values: set_to.append(values))
    create_app({"index_dir": tmp_path / "index"})
    assert set_to == [(GC_YOUNG_THRESHOLD, 10, 10)]


def test_a_garbage_collector_threshold_the_host_chose_is_kept(monkeypatch, tmp_path):
    monkeypatch.setattr(gc, "get_threshold", lambda: (2000, 5, 5))
    set_to = []
    monkeypatch.setattr(gc, "set_threshold", lambda *values: set_to.append(values))
    create_app({"index_dir": tmp_path / "index"})
    assert set_to == []
