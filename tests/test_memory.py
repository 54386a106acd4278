"""A server process gives the free pages of its heap back to the system now and then."""

from __future__ import annotations

import ctypes
from types import SimpleNamespace

from searchsvc import TRIM_EVERY, create_app


def test_free_memory_goes_back_to_the_system_every_few_requests(monkeypatch, tmp_path):
    trims = []
    libc = SimpleNamespace(malloc_trim=trims.append, mallopt=lambda option, value: 1)
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: libc)
    client = create_app({"index_dir": tmp_path / "index"}).test_client()
    for _ in range(2 * TRIM_EVERY + 1):
        client.get("/healthz")  # 503: no index yet; a request all the same
    assert trims == [0, 0]
