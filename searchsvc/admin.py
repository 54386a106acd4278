"""The reindex endpoint, ``POST /api/reindex``: a blueprint of its own, registered by
``create_app`` only when ``SEARCHSVC_ADMIN_TOKEN`` is set (without it the path does not exist)."""

from __future__ import annotations

import hmac
import math
import time

from flask import Blueprint, Flask, current_app, jsonify, request

from .web import json_error, settings

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


@bp.post("/api/reindex")
def api_reindex():
    """Run an incremental reindex under the same lock as the CLI.

    Exists only when SEARCHSVC_ADMIN_TOKEN is set.

    :raise 401: for a missing or wrong bearer token (no detail given).
    :raise 429: after repeated wrong tokens from one address, until its wait is over
        (``Retry-After`` says how long); the token is not even looked at.
    :raise 409: when another reindex holds the lock.
    """
    cfg = settings()
    failures: dict[str, tuple[int, float]] = current_app.extensions["searchsvc.admin_failures"]
    client = request.remote_addr or "?"
    wait = _admin_wait(failures.get(client))
    if wait > 0:
        response = json_error(429, f"Too many wrong tokens; try again in {math.ceil(wait)} s.")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    header = request.headers.get("Authorization", "")
    supplied = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not hmac.compare_digest(supplied.encode(), cfg.admin_token.encode()):
        count, _ = failures.get(client, (0, 0.0))
        if len(failures) > 10_000:
            failures.clear()
        failures[client] = (count + 1, time.monotonic())
        return json_error(401, "Unauthorized.")
    failures.pop(client, None)
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
