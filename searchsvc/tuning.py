"""Tuning of a server process: its allocator and its garbage collector.

``init_app(app)`` is called by ``create_app`` before any worker thread starts; each
setting here was measured (see the README's *How it stays fast*).
"""

from __future__ import annotations


def init_app(app) -> None:
    """Tune this process for serving ``app``: fewer malloc arenas, fewer young garbage
    collections, and the heap's free pages handed back every few requests."""
    _fewer_malloc_arenas()
    _fewer_gc_passes()
    _give_back_free_memory(app)


#: glibc's mallopt() option for the number of malloc arenas (M_ARENA_MAX in malloc.h).
_M_ARENA_MAX = -8


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """Let the threads of this process share ``arenas`` malloc arenas (glibc only).

    By default glibc gives each thread that allocates its own arena, up to 8 per core,
    and freed memory stays spread over them: a gunicorn worker with 4 threads grew
    to about 140 MB at 10,000 posts, against about 110 MB with 2 arenas. Called
    before the worker starts its threads (the app is built first). Same as setting
    MALLOC_ARENA_MAX=2 in the environment, which, when set, wins.
    """
    import os

    mallopt = _glibc("mallopt")
    if mallopt is not None and not os.environ.get("MALLOC_ARENA_MAX"):
        mallopt(_M_ARENA_MAX, arenas)


#: Net allocations of container objects between two of the garbage collector's young
#: passes in a server process.
GC_YOUNG_THRESHOLD = 10_000
#: CPython's own (``gc.get_threshold()[0]`` when nobody has changed it).
_CPYTHON_GC_YOUNG_THRESHOLD = 700


def _fewer_gc_passes(young: int = GC_YOUNG_THRESHOLD) -> None:
    """Let the cyclic garbage collector pass less often over young objects.

    What a server keeps between requests (cached answers and postings, the shown posts)
    keeps entering the young generation, so at CPython's default of 700 the collector
    passed over it about once every four searches for a common word, at 0.5 to 1.3 ms a
    pass: on average 0.1 to 0.35 ms a search at 1,000 posts, by kind. At 10,000 it
    passed 0 to 3 times in 200 searches of a kind (6 to 17 ms each): 0 to 0.09 ms a
    search on average. What a search builds is freed as soon as it is done with (no
    reference cycles); only Werkzeug's URL matching leaves a cycle of a few hundred bytes
    per request for the collector. A threshold the host process has already changed from
    CPython's default is kept.
    """
    import gc

    current, *older = gc.get_threshold()
    if current == _CPYTHON_GC_YOUNG_THRESHOLD:
        gc.set_threshold(young, *older)


#: Requests between two calls of glibc's malloc_trim() (see _give_back_free_memory).
TRIM_EVERY = 50


def _give_back_free_memory(app, every: int = TRIM_EVERY) -> None:
    """After every ``every`` requests, return the free pages of the heap to the system (glibc).

    Each new query leaves small objects scattered over pages that are otherwise free, and
    glibc keeps those pages: over 4,000 distinct queries at 1,000 posts a worker grew to
    113 MB, against 99 MB with a trim every 100 requests. A trim takes about 0.1 ms.
    """
    import itertools

    trim = _glibc("malloc_trim")
    if trim is None:
        return
    served = itertools.count(1)

    @app.teardown_request
    def trim_now_and_then(_error=None) -> None:
        if next(served) % every == 0:
            trim(0)


def _glibc(function: str):
    """A function of the C library when it is glibc's, else None (nothing to tune)."""
    import ctypes
    import ctypes.util

    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), function)
    except (OSError, AttributeError):
        return None
