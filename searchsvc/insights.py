"""Search analytics, read: what readers searched for, what found nothing, what they opened.

One function, :func:`report`, reads the analytics database (see :mod:`searchsvc.analytics`)
and returns plain values; ``searchsvc insights``, ``GET /api/insights`` and ``GET /admin``
show them.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .analytics import connect, hour_of

DEFAULT_DAYS = 30
DEFAULT_LIMIT = 20
#: Most days and rows one report may ask for.
MAX_DAYS = 3660
MAX_LIMIT = 1000


class InsightsUnavailable(RuntimeError):
    """The analytics database exists and cannot be read (the message says why)."""


def report(path: Path, days: int = DEFAULT_DAYS, limit: int = DEFAULT_LIMIT, now: float | None = None) -> dict[str, Any]:
    """Searches and clicks of the last ``days`` days (today, in UTC, is one of them), with the
    ``limit`` most searched queries, queries that found nothing and URLs opened.

    A database that does not exist yet is a report of zeros.

    :raise InsightsUnavailable: when the database cannot be read.
    """
    now = time.time() if now is None else now
    today = hour_of(now) // 86400 * 86400
    since = today - (days - 1) * 86400
    empty_days = [_day(since + i * 86400) for i in range(days)]
    out: dict[str, Any] = {
        "days": days,
        "since": empty_days[0],
        "searches": 0,
        "clicks": 0,
        "click_through": None,
        "top_queries": [],
        "zero_results": [],
        "top_clicked": [],
        "per_day": [{"date": d, "searches": 0, "clicks": 0} for d in empty_days],
    }
    if not Path(path).exists():
        return out
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise InsightsUnavailable(f"The analytics database {path} cannot be read ({exc}).") from None
    try:
        return _fill(conn, out, since, limit)
    except sqlite3.Error as exc:
        if "no such table" in str(exc):
            return out
        raise InsightsUnavailable(f"The analytics database {path} cannot be read ({exc}).") from None
    finally:
        conn.close()


def _fill(conn: sqlite3.Connection, out: dict[str, Any], since: int, limit: int) -> dict[str, Any]:
    def rows(sql: str, *args: Any) -> list[tuple]:
        return conn.execute(sql, (since, *args)).fetchall()

    totals = dict(rows("SELECT type, SUM(count) FROM events WHERE hour >= ? GROUP BY type"))
    out["searches"] = int(totals.get("search") or 0)
    out["clicks"] = int(totals.get("click") or 0)
    if out["searches"]:
        out["click_through"] = round(out["clicks"] / out["searches"], 4)
    # The most searched queries, with their clicks and the result count of their latest
    # search that said it. Each part is one scan of the period (the key starts with the hour).
    top = rows(
        """
        WITH top AS (
            SELECT query, SUM(count) AS n FROM events WHERE hour >= ?1 AND type = 'search'
             GROUP BY query ORDER BY n DESC, query LIMIT ?2),
        clicks AS (
            SELECT query, SUM(count) AS n FROM events
             WHERE hour >= ?1 AND type = 'click' AND query IN (SELECT query FROM top) GROUP BY query),
        latest AS (
            SELECT query, results,
                   ROW_NUMBER() OVER (PARTITION BY query ORDER BY hour DESC, count DESC) AS nth
              FROM events
             WHERE hour >= ?1 AND type = 'search' AND results >= 0 AND query IN (SELECT query FROM top))
        SELECT top.query, top.n, COALESCE(clicks.n, 0), latest.results
          FROM top LEFT JOIN clicks ON clicks.query = top.query
                   LEFT JOIN latest ON latest.query = top.query AND latest.nth = 1
         ORDER BY top.n DESC, top.query
        """, limit)
    out["top_queries"] = [
        {"query": q, "searches": int(n), "clicks": int(c), "results": r} for q, n, c, r in top
    ]
    out["zero_results"] = [
        {"query": q, "searches": int(n)}
        for q, n in rows(
            "SELECT query, SUM(count) AS n FROM events WHERE hour >= ? AND type = 'search' AND results = 0 "
            "GROUP BY query ORDER BY n DESC, query LIMIT ?", limit)
    ]
    out["top_clicked"] = [
        {"url": u, "clicks": int(n)}
        for u, n in rows(
            "SELECT url, SUM(count) AS n FROM events WHERE hour >= ? AND type = 'click' "
            "GROUP BY url ORDER BY n DESC, url LIMIT ?", limit)
    ]
    by_day = {d["date"]: d for d in out["per_day"]}
    for day, kind, n in rows(
            "SELECT hour / 86400 * 86400 AS day, type, SUM(count) FROM events WHERE hour >= ? GROUP BY day, type"):
        entry = by_day.get(_day(day))
        if entry is not None:
            entry["searches" if kind == "search" else "clicks"] += int(n)
    return out


def _day(unix: int) -> str:
    return datetime.fromtimestamp(unix, tz=timezone.utc).date().isoformat()
