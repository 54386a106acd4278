"""The blog owner's endpoints: ``POST /api/reindex``, ``GET /api/insights`` and the ``/admin``
page. A blueprint of its own, registered by ``create_app`` only when ``SEARCHSVC_ADMIN_TOKEN``
is set (without it these paths do not exist: 404).

Each needs the token: ``Authorization: Bearer <token>``, or HTTP Basic with the token as the
password (any user name), so that a browser can open /admin.
"""

from __future__ import annotations

import hmac
import math
import re
import time

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for

from .insights import DEFAULT_DAYS, DEFAULT_LIMIT, MAX_DAYS, MAX_LIMIT, InsightsUnavailable, report
from .web import BadParameter, int_arg, json_error, recorder, search_index, settings
from .search import SearchRequest, SearchRequestError
from .storage import IndexUnavailable

bp = Blueprint("searchsvc_admin", __name__)

#: Seconds POST /api/reindex waits for a running reindex before answering 409.
REINDEX_LOCK_TIMEOUT = 5.0
#: Failed admin tokens one address may send in a row before it has to wait; each further
#: failure doubles the wait (2 s, 4 s, ...), up to ADMIN_MAX_WAIT. A right token resets it.
ADMIN_FREE_FAILURES = 3
ADMIN_MAX_WAIT = 60.0


def init_app(app: Flask) -> None:
    app.extensions["searchsvc.admin_failures"] = {}  # client address -> (wrong tokens in a row, last time)
    app.register_blueprint(bp)


def _refused():
    """None when the request carries the admin token; else the answer to give (401, 429).

    An address that sent ADMIN_FREE_FAILURES wrong tokens in a row waits (429, with
    ``Retry-After``) before its next token is even looked at.
    """
    cfg = settings()
    failures: dict[str, tuple[int, float]] = current_app.extensions["searchsvc.admin_failures"]
    client = request.remote_addr or "?"
    wait = _admin_wait(failures.get(client))
    if wait > 0:
        response = json_error(429, f"Too many wrong tokens; try again in {math.ceil(wait)} s.")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    auth = request.authorization
    supplied = ""
    if auth is not None and auth.type == "bearer":
        supplied = (auth.token or "").strip()
    elif auth is not None and auth.type == "basic":
        supplied = auth.password or ""
    if not hmac.compare_digest(supplied.encode(), cfg.admin_token.encode()):
        if auth is not None:  # a browser's first request carries no credentials: not a guess
            count, _ = failures.get(client, (0, 0.0))
            if len(failures) > 10_000:
                failures.clear()
            failures[client] = (count + 1, time.monotonic())
        response = json_error(401, "Unauthorized.")  # no detail for a guesser
        response.headers["WWW-Authenticate"] = 'Basic realm="searchsvc admin", charset="UTF-8"'
        return response
    failures.pop(client, None)
    return None


@bp.post("/api/reindex")
def api_reindex():
    """Run an incremental reindex under the same lock as the CLI.

    :raise 401: for a missing or wrong token (no detail given).
    :raise 429: after repeated wrong tokens from one address, until its wait is over.
    :raise 409: when another reindex holds the lock.
    """
    refused = _refused()
    if refused is not None:
        return refused
    cfg = settings()
    # Imported here: Markdown rendering and extraction cost every worker ~20 MB, and only
    # this endpoint (when a token is configured) ever reindexes from a server.
    from .indexer import ReindexBusy, ReindexError, reindex

    try:
        summary = reindex(cfg.replace(lock_timeout=min(cfg.lock_timeout, REINDEX_LOCK_TIMEOUT)))
    except ReindexBusy as exc:
        return json_error(409, str(exc))
    except ReindexError as exc:
        return json_error(500, str(exc))
    return jsonify(summary.to_dict())


def _report() -> dict[str, Any]:
    """The insights the request asks for (``days``, ``limit``), this process's pending events written first.

    :raise BadParameter: for a days or limit out of bounds.
    :raise InsightsUnavailable: when the database cannot be read.
    """
    days = int_arg(request.args, "days", DEFAULT_DAYS)
    limit = int_arg(request.args, "limit", DEFAULT_LIMIT)
    if days > MAX_DAYS:
        raise BadParameter("days", f"must be {MAX_DAYS} or less; got {days}.")
    if limit > MAX_LIMIT:
        raise BadParameter("limit", f"must be {MAX_LIMIT} or less; got {limit}.")
    sink = recorder()
    if sink is not None:
        sink.flush()
    return report(settings().analytics_db, days=days, limit=limit)


@bp.get("/api/insights")
def api_insights():
    """What readers searched for: totals, top queries, queries that found nothing, URLs opened, per day.

    :raise 400: for a days or limit out of bounds. :raise 401: without the admin token.
    :raise 503: when the analytics database cannot be read.
    """
    refused = _refused()
    if refused is not None:
        return refused
    try:
        return jsonify(_report())
    except InsightsUnavailable as exc:
        return json_error(503, str(exc))


@bp.get("/admin")
def admin_page():
    """The same as /api/insights, for a person: a chart of searches per day drawn on the
    server (inline SVG; the page needs no JavaScript), the top and zero-result queries
    (each a link to try it), the URLs opened, the index's state.

    :raise 401: without the admin token (a browser asks for it: HTTP Basic).
    """
    refused = _refused()
    if refused is not None:
        return refused
    context: dict[str, Any] = {"error": None, "report": None, "index": None, "analytics_on": recorder() is not None,
                               "finds_now": {}}
    status = 200
    try:
        context["report"] = data = _report()
        context["chart"] = chart(data["per_day"])
        context["finds_now"] = finds_now([row["query"] for row in data["zero_results"]])
    except BadParameter as exc:
        context["error"], status = f"The {exc.parameter} parameter {exc.message}", 400
    except InsightsUnavailable as exc:
        context["error"], status = str(exc), 503
    try:
        context["index"] = search_index().health()
    except IndexUnavailable as exc:
        context["index_problem"] = str(exc)
    # Trying a query from here is the owner's own search: not counted.
    context["try_url"] = lambda q: url_for("searchsvc.page", q=q, analytics="off")
    context["site_lang"] = settings().language
    context["linkable"] = linkable
    response = current_app.make_response((render_template("admin.html", **context), status))
    response.headers["Cache-Control"] = "no-store"
    return response


#: Queries of the "found nothing" list searched again for the page (each costs a search).
MAX_RECHECKED = 50


def finds_now(queries: list[str]) -> dict[str, int]:
    """How many posts each of the first MAX_RECHECKED ``queries`` finds today (with today's
    index, synonyms and pins): whether a query that found nothing has been fixed. A query
    that cannot be searched now is left out."""
    index = search_index()
    found: dict[str, int] = {}
    for query in queries[:MAX_RECHECKED]:
        try:
            found[query] = index.search(SearchRequest(q=query, per_page=1)).total
        except (IndexUnavailable, SearchRequestError):
            continue
    return found


def linkable(url: str) -> bool:
    """Whether a URL readers sent may be a link on the page: http(s), or relative (never
    ``javascript:`` or another scheme; events come from anyone).

    >>> [linkable(u) for u in ("/blog/a", "https://x.org/a", "javascript:alert(1)", " data:text/html,x", "blog/a")]
    [True, True, False, False, True]
    """
    scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in ("http", "https")


#: The chart's size (SVG user units) and the room left for its labels.
CHART_WIDTH, CHART_HEIGHT = 720, 200
CHART_LEFT, CHART_BOTTOM, CHART_TOP = 40, 24, 12


def chart(per_day: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of searches per day (clicks inside each), axis ticks and labels, in SVG units.

    >>> c = chart([{"date": "2026-01-01", "searches": 4, "clicks": 1}, {"date": "2026-01-02", "searches": 0, "clicks": 0}])
    >>> c["bars"][0]["height"], c["bars"][0]["click_height"], c["bars"][1]["height"], c["top"]
    (164.0, 41.0, 0.0, 4)
    """
    top = max((d["searches"] for d in per_day), default=0)
    top = _nice(top)
    plot_w = CHART_WIDTH - CHART_LEFT
    plot_h = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    step = plot_w / max(len(per_day), 1)
    bars = []
    for i, day in enumerate(per_day):
        h = plot_h * day["searches"] / top if top else 0.0
        ch = plot_h * day["clicks"] / top if top else 0.0
        bars.append({
            "x": round(CHART_LEFT + i * step + step * 0.1, 1), "width": round(max(step * 0.8, 1.0), 1),
            "y": round(CHART_TOP + plot_h - h, 1), "height": round(h, 1),
            "click_y": round(CHART_TOP + plot_h - min(ch, h), 1), "click_height": round(min(ch, h), 1),
            "date": day["date"], "searches": day["searches"], "clicks": day["clicks"],
        })
    every = max(1, len(per_day) // 6)
    labels = [{"x": round(b["x"] + b["width"] / 2, 1), "text": b["date"][5:]} for b in bars[::every]]
    ticks = [{"y": round(CHART_TOP + plot_h - plot_h * f, 1), "value": round(top * f)} for f in (0, 0.5, 1)] if top else []
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "left": CHART_LEFT, "bottom": CHART_HEIGHT - CHART_BOTTOM,
            "bars": bars, "labels": labels, "ticks": ticks, "top": top}


def _nice(n: int) -> int:
    """The axis's top: ``n`` rounded up to a round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
    power of ten; as it is up to 10).

    >>> [_nice(n) for n in (0, 4, 13, 61, 230, 5000)]
    [0, 4, 15, 80, 250, 5000]
    """
    if n <= 10:
        return n
    power = 10 ** (len(str(n)) - 1)
    return next(int(m * power) for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if n <= m * power)


def _admin_wait(failed: tuple[int, float] | None) -> float:
    """Seconds an address must still wait before its next token is checked.

    ``failed`` is (wrong tokens in a row, when the last one came). Waiting is enforced by
    answering 429 at once, so a guesser never ties up a worker.
    """
    if failed is None or failed[0] < ADMIN_FREE_FAILURES:
        return 0.0
    count, last = failed
    wait = min(2.0 ** (count - ADMIN_FREE_FAILURES + 1), ADMIN_MAX_WAIT)
    return max(0.0, last + wait - time.monotonic())
