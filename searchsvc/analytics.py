"""Search analytics, written: what readers search for and what they open, counted without
tracking anyone.

An event is one of two kinds, sent by the search box (``POST /api/events``) or recorded by
the search page itself::

    {"type": "search", "query": "react hooks", "results": 12}
    {"type": "click", "query": "react hooks", "url": "/blog/hooks", "position": 1}

What is kept of it: the query (trimmed, case-folded, spaces collapsed), the result count, the
URL and position opened, and the hour it came in (UTC). Nothing about who sent it: no
address, no User-Agent, no cookie, no referrer is read here.

Storage is one SQLite file (``SEARCHSVC_ANALYTICS_DB``) in WAL mode, shared by every worker
process. Events are counted in memory and written by a thread of each process, in one
transaction at most every second or every 200 events: the request that sends one only
appends to a list. Counts of equal events of the same hour are one row (``count``), so a
busy blog's file grows with the distinct queries, not with the searches::

    events(hour, type, query, results, url, position, count)   -- primary key: all but count

``results`` is -1 when a search event did not say; ``url`` is "" and ``position`` 0 for a
search (``position`` 0 too for a click that did not say). Rows older than
``SEARCHSVC_ANALYTICS_DAYS`` are deleted by the writer with its first batch, then hourly.
A graceful stop (SIGTERM to gunicorn, Ctrl+C) writes what is pending; a killed process loses
at most the last second.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import re
import sqlite3
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .query import normalize_query

log = logging.getLogger("searchsvc.analytics")

EVENT_TYPES = ("search", "click")
#: The largest event body accepted, in bytes.
MAX_EVENT_BYTES = 4096
#: The longest query an event may carry, in characters (as the search itself allows).
MAX_EVENT_QUERY = 500
#: The longest URL a click may carry.
MAX_EVENT_URL = 2000
#: A batch is written after this many seconds, or as soon as it holds this many events.
BATCH_SECONDS = 1.0
BATCH_EVENTS = 200
#: Events a process holds while the database cannot be written; past this it refuses new
#: ones (503) rather than accept what it might lose.
MAX_PENDING = 100_000
#: Seconds a writer waits for another process's transaction to finish.
BUSY_TIMEOUT = 10.0
#: Seconds before a database that could not be opened is tried again.
REOPEN_AFTER = 5.0
#: Seconds between two deletions of events older than the retention.
PRUNE_EVERY = 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    hour INTEGER NOT NULL,
    type TEXT NOT NULL,
    query TEXT NOT NULL,
    results INTEGER NOT NULL DEFAULT -1,
    url TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, type, query, results, url, position)
) WITHOUT ROWID;
"""
_UPSERT = """
INSERT INTO events (hour, type, query, results, url, position, count) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (hour, type, query, results, url, position) DO UPDATE SET count = count + excluded.count
"""


#: Control characters (a terminal's escape sequences among them) never reach the reports.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class EventError(ValueError):
    """An event that cannot be recorded; names the field at fault."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


class AnalyticsUnavailable(RuntimeError):
    """Events cannot be stored now (the message says why)."""


@dataclass(frozen=True)
class Event:
    """One event as it is kept (see the module's description)."""

    type: str
    query: str
    hour: int
    results: int = -1
    url: str = ""
    position: int = 0

    @property
    def key(self) -> tuple[int, str, str, int, str, int]:
        return (self.hour, self.type, self.query, self.results, self.url, self.position)


def hour_of(now: float) -> int:
    """The start of the hour (UTC) of a Unix time, as a Unix time.

    >>> hour_of(1733299199.5), hour_of(1733299200)
    (1733295600, 1733299200)
    """
    return int(now) // 3600 * 3600


def parse_event(body: bytes, now: float | None = None) -> Event:
    """The event a request body describes.

    :raise EventError: naming what is wrong: too large, not JSON, not an object, an unknown
        ``type``, a missing, empty or too long ``query``, a bad ``results``, ``url`` or ``position``.
    """
    if len(body) > MAX_EVENT_BYTES:
        raise EventError("body", f"is {len(body)} bytes; an event may have at most {MAX_EVENT_BYTES}.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EventError("body", 'is not JSON; send an object such as {"type": "search", "query": "...", "results": 3}.') from None
    if not isinstance(data, dict):
        raise EventError("body", "must be a JSON object.")
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        raise EventError("type", f"must be one of {', '.join(EVENT_TYPES)}; got {_show(kind)}.")
    raw = data.get("query")
    if not isinstance(raw, str):
        raise EventError("query", f"is required: the text the reader searched for; got {_show(raw)}.")
    query = _query_text(raw)
    hour = hour_of(time.time() if now is None else now)
    if kind == "search":
        results = _whole(data, "results", minimum=0)
        return Event("search", query, hour, results=-1 if results is None else results)
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise EventError("url", f"is required for a click: the URL of the result opened; got {_show(url)}.")
    url = _CONTROLS.sub("", url).strip()
    if not url:
        raise EventError("url", "is required for a click: the URL of the result opened; got only control characters.")
    if len(url) > MAX_EVENT_URL:
        raise EventError("url", f"is {len(url)} characters long; at most {MAX_EVENT_URL} are allowed.")
    position = _whole(data, "position", minimum=1)
    return Event("click", query, hour, url=url, position=position or 0)


def search_event(query: str, results: int, now: float | None = None) -> Event:
    """A search as the search page records it.

    :raise EventError: for an empty or too long query.
    """
    return Event("search", _query_text(query), hour_of(time.time() if now is None else now), results=max(results, 0))


def _query_text(raw: str) -> str:
    """A query as it is kept: control characters dropped, then normalised (normalize_query).

    :raise EventError: for a query over MAX_EVENT_QUERY characters, or one with nothing left.
    """
    if len(raw) > MAX_EVENT_QUERY:
        raise EventError("query", f"is {len(raw)} characters long; at most {MAX_EVENT_QUERY} are allowed.")
    text = normalize_query(_CONTROLS.sub(" ", raw))
    if not text:
        raise EventError("query", "is empty; send the text the reader searched for.")
    return text


def _whole(data: dict[str, Any], name: str, minimum: int) -> int | None:
    """``data[name]`` as a whole number of at least ``minimum``; None when it is left out."""
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value < 2**31:
        raise EventError(name, f"must be a whole number, {minimum} or more; got {_show(value)}.")
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the analytics database (created with its table when missing, unless ``readonly``).

    :raise sqlite3.Error: when it cannot be opened.
    """
    if readonly:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT,
                               check_same_thread=False)
        return conn
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # in WAL: a committed batch survives a killed process
            conn.executescript(SCHEMA)
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            # Processes that open a new database at once (workers starting together) can find
            # it locked while one of them turns on WAL or creates the table: SQLite answers at
            # once, without waiting, where two would wait for each other. Tried again.
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.01, 0.05))
        except BaseException:
            conn.close()
            raise


def write(conn: sqlite3.Connection, counts: dict[tuple, int]) -> None:
    """Add ``counts`` (event key -> how many) to the database in one transaction."""
    with _transaction(conn):
        conn.executemany(_UPSERT, [(*key, n) for key, n in counts.items()])


def prune(conn: sqlite3.Connection, days: int, now: float | None = None) -> int:
    """Delete the events older than ``days`` days; how many rows went."""
    cutoff = hour_of(time.time() if now is None else now) - days * 86400
    with _transaction(conn):
        return conn.execute("DELETE FROM events WHERE hour < ?", (cutoff,)).rowcount


class _transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, exc, tb):
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


def _close_at_exit(ref: "weakref.ref[Recorder]") -> None:
    recorder = ref()
    if recorder is not None:
        recorder.close()


def _after_fork(ref: "weakref.ref[Recorder]") -> None:
    recorder = ref()
    if recorder is not None:
        recorder._start_afresh()


class Recorder:
    """Takes events from requests and writes them in batches from a thread of its own.
    One per process; thread-safe; a process forked from this one starts with nothing pending.
    """

    def __init__(self, path: Path, days: int = 90, *, batch_seconds: float = BATCH_SECONDS,
                 batch_events: int = BATCH_EVENTS):
        self.path = Path(path)
        self.days = days
        self.batch_seconds = batch_seconds
        self.batch_events = batch_events
        self._start_afresh()
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _after_fork(ref))
        atexit.register(_close_at_exit, ref)

    def _start_afresh(self) -> None:
        self._cond = threading.Condition()
        self._pending: Counter = Counter()
        self._pending_events = 0
        self._write_lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._pruned = float("-inf")
        self._failed_at = float("-inf")
        #: Why events cannot be written now ("" when they can).
        self.problem = ""

    def open(self) -> None:
        """Open (or create) the database now; tried again at most every REOPEN_AFTER seconds
        after it failed.

        :raise AnalyticsUnavailable: when it cannot be opened.
        """
        with self._write_lock:
            if self._conn is not None:
                return
            if time.monotonic() - self._failed_at < REOPEN_AFTER:
                raise AnalyticsUnavailable(self.problem)
            try:
                self._connection()
            except AnalyticsUnavailable:
                self._failed_at = time.monotonic()
                log.warning("%s", self.problem)
                raise

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = connect(self.path)
            except (sqlite3.Error, OSError) as exc:
                self.problem = f"The analytics database {self.path} cannot be opened ({exc})."
                raise AnalyticsUnavailable(self.problem) from None
            self.problem = ""
        return self._conn

    def _prune_now_and_then(self, conn: sqlite3.Connection) -> None:
        """Delete expired events, at most every PRUNE_EVERY seconds, after a batch is written (by
        the writer thread, at a stop, or by the flush /admin asks for; never for a reader)."""
        if time.monotonic() - self._pruned < PRUNE_EVERY:
            return
        self._pruned = time.monotonic()
        try:
            prune(conn, self.days)
        except sqlite3.Error as exc:
            log.warning("Old analytics events could not be deleted from %s: %s", self.path, exc)

    def record(self, event: Event) -> None:
        """Count ``event``; it is written within ``batch_seconds``.

        :raise AnalyticsUnavailable: when the database cannot be opened, or so many events
            wait to be written (it cannot be written) that this one might be lost.
        """
        if self._closed:
            raise AnalyticsUnavailable("The server is stopping; the event was not recorded.")
        if self._conn is None:
            self.open()
        with self._cond:
            if self._closed:
                raise AnalyticsUnavailable("The server is stopping; the event was not recorded.")
            if self._pending_events >= MAX_PENDING:
                raise AnalyticsUnavailable(
                    self.problem or "Too many events are waiting to be written; try again in a few seconds."
                )
            self._pending[event.key] += 1
            self._pending_events += 1
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="searchsvc-analytics", daemon=True)
                self._thread.start()
            if self._pending_events >= self.batch_events:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._pending_events < self.batch_events and not self._closed:
                    self._cond.wait(self.batch_seconds)
                if self._closed:
                    return
            self.flush()

    def flush(self) -> bool:
        """Write what is pending now; whether it was written (if not, it stays pending and
        the problem is logged)."""
        with self._write_lock:
            with self._cond:
                batch, self._pending = self._pending, Counter()
                events, self._pending_events = self._pending_events, 0
            if not batch:
                return True
            try:
                conn = self._connection()
                write(conn, batch)
                self._prune_now_and_then(conn)
                return True
            except (sqlite3.Error, AnalyticsUnavailable) as exc:
                if isinstance(exc, sqlite3.Error):
                    self.problem = f"The analytics database {self.path} cannot be written ({exc})."
                    self._drop_connection()
                log.warning("%s %d events wait to be written.", self.problem, events)
                with self._cond:
                    self._pending.update(batch)
                    self._pending_events += events
                return False

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def close(self) -> None:
        """Write what is pending and stop the writer (at a graceful stop; also run at exit)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=BUSY_TIMEOUT)
        self.flush()
        with self._write_lock:
            self._drop_connection()
