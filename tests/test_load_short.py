"""A short run of bench/load.py: gunicorn as deployed, 4 clients, a mix of requests, zero failures.

The same request mix and driver as the full load test (``bench/load.py``), over content/,
for about 8 seconds in all.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO

BENCH = REPO / "bench"
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))  # bench/load.py imports bench/common.py as `common`
_spec = importlib.util.spec_from_file_location("searchsvc_bench_load", BENCH / "load.py")
load = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)  # dataclasses look it up there
_spec.loader.exec_module(load)

CLIENTS = 4
SECONDS = 6.0


@pytest.fixture(scope="module")
def served_content(content_index):
    server = load.start_gunicorn(content_index.index_dir, workers=2, threads=4)
    try:
        yield server.url, content_index.index_dir
    finally:
        load.stop_gunicorn(server)


def test_short_load_has_zero_failed_requests(served_content):
    base, index_dir = served_content
    mix = load.build_mix(index_dir, seed=7)
    load.run_load(base, mix, clients=CLIENTS, duration=1.0)  # warm up every worker
    result = load.run_load(base, mix, clients=CLIENTS, duration=SECONDS)
    summary = load.report(result)
    print(summary)
    assert result.failed == 0, f"{summary}\n" + "\n".join(result.examples)
    assert result.count >= 40, summary
    assert set(result.latencies) == set(load.WEIGHTS), summary  # every kind of request was sent
    assert result.seconds < SECONDS + load.TIMEOUT + 5


def test_the_mix_is_the_same_for_the_same_seed(content_index):
    first = load.build_mix(content_index.index_dir, seed=3, size=50)
    assert first == load.build_mix(content_index.index_dir, seed=3, size=50)
    assert {r.kind for r in load.build_mix(content_index.index_dir, seed=3)} == set(load.WEIGHTS)
