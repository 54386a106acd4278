"""Flask blueprint: the JSON API, the search page and the health check.

HTML is made here and in the templates, from plain values; the only HTML that
comes from the search layer is in fields named ``*_html`` (escaped text with
``<mark>`` around matches).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from datetime import date
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from .analytics import MAX_EVENT_BYTES, AnalyticsUnavailable, EventError, Recorder, parse_event, search_event
from .config import MAX_QUERY_CHARS, Settings
from .search import SORTS, PostNotFound, SearchIndex, SearchRequest, SearchRequestError
from .storage import IndexUnavailable

bp = Blueprint("searchsvc", __name__)

API_VERSION = "1.0.0"


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        self.parameter = parameter
        self.message = message
        self.status = status
        super().__init__(message)


def settings() -> Settings:
    return current_app.extensions["searchsvc.settings"]


def search_index() -> SearchIndex:
    return current_app.extensions["searchsvc.index"]


def recorder() -> Recorder | None:
    """Where analytics events go (None when SEARCHSVC_ANALYTICS is off)."""
    return current_app.extensions.get("searchsvc.analytics")


# ---------------------------------------------------------------------------
# Reading parameters


def _arg(args, name: str, default: str = "") -> str:
    """A parameter's (first) value, or ``default``. (``MultiDict.get`` builds a werkzeug
    exception for every parameter that is absent: most of them, on most requests.)"""
    return args[name] if name in args else default


def int_arg(args, name: str, default: int, minimum: int = 1) -> int:
    raw = _arg(args, name).strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number; got {raw[:40]!r}.") from None
    if value < minimum:
        raise BadParameter(name, f"must be {minimum} or more; got {value}.")
    return value


def _date_arg(args, name: str) -> date | None:
    raw = _arg(args, name).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, f"must be a date written like 2024-01-15; got {raw[:40]!r}.") from None


def search_request_from_args(prefer_default: str = "") -> SearchRequest:
    """The query string as a SearchRequest (``prefer_default``: the reader's language when the
    request names none).

    :raise BadParameter: naming the first parameter that cannot be used.
    """
    cfg = settings()
    args = request.args
    sort = _arg(args, "sort").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"must be one of {', '.join(SORTS)}; got {sort[:40]!r}.")
    per_page = min(int_arg(args, "per_page", cfg.default_per_page), cfg.max_per_page)
    year = int_arg(args, "year", 0)
    return SearchRequest(
        q=_arg(args, "q"),
        page=int_arg(args, "page", 1),
        per_page=per_page,
        tags=tuple(t for t in args.getlist("tag") if t.strip()),
        tags_any=tuple(t for t in args.getlist("tag_any") if t.strip()),
        author=_arg(args, "author"),
        year=year or None,
        date_from=_date_arg(args, "from"),
        date_to=_date_arg(args, "to"),
        sort=sort,
        langs=tuple(v for v in args.getlist("lang") if v.strip()),
        prefer_lang=_arg(args, "prefer_lang", prefer_default).strip(),
    )


def _run_search(req: SearchRequest):
    try:
        return search_index().search(req)
    except SearchRequestError as exc:
        raise BadParameter(exc.parameter, exc.message) from None


# ---------------------------------------------------------------------------
# JSON API


def json_error(status: int, message: str, parameter: str | None = None):
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameter"] = parameter
    response = jsonify({"error": error})
    response.status_code = status
    return response


@bp.get("/api/search")
def api_search():
    """Search. See /api/openapi.json.

    :raise 400: when a parameter cannot be used (the error names it).
    :raise 503: when there is no index yet.
    """
    req = search_request_from_args()
    return jsonify(_run_search(req).to_dict())


@bp.get("/api/suggest")
def api_suggest():
    """Up to 8 completions for a query being typed: post titles, then index words.

    :raise 400: when q is too long.
    """
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"is {len(q)} characters long; at most {MAX_QUERY_CHARS} are allowed.")
    suggestions = search_index().suggest(q)
    return jsonify({"query": q, "suggestions": [s.to_dict() for s in suggestions]})


@bp.get("/api/posts/<path:post_id>/related")
def api_related(post_id: str):
    """Up to 5 posts like this one (never itself, never a draft).

    :raise 404: if there is no post with that id.
    """
    try:
        related = search_index().related(post_id)
    except PostNotFound:
        return json_error(404, f"There is no post with id {post_id[:200]!r}.", "id")
    return jsonify({"id": post_id, "results": related})


@bp.post("/api/events")
def api_events():
    """Record one analytics event: what a reader searched for, or opened. See /api/openapi.json.

    Takes ``application/json`` or ``text/plain`` (``navigator.sendBeacon``); answers 204.
    Nothing about the sender is read or kept (see :mod:`searchsvc.analytics`).

    :raise 400: for a body that is not an event (the error names the field).
    :raise 404: when analytics are off.
    :raise 415: for another Content-Type.
    :raise 503: when events cannot be stored now.
    """
    sink = recorder()
    if sink is None:
        return json_error(404, "Analytics are off on this server (SEARCHSVC_ANALYTICS=off); no event is recorded.")
    if request.mimetype not in ("", "application/json", "text/plain"):
        return json_error(415, f"The Content-Type must be application/json or text/plain; got {request.mimetype[:60]!r}.",
                          "Content-Type")
    length = request.content_length
    if length is not None and length > MAX_EVENT_BYTES:
        return json_error(400, f"The event's body is {length} bytes; an event may have at most {MAX_EVENT_BYTES}.", "body")
    try:
        event = parse_event(request.stream.read(MAX_EVENT_BYTES + 1))
    except EventError as exc:
        return json_error(400, f"The event's {exc.parameter} {exc.message}", exc.parameter)
    try:
        sink.record(event)
    except AnalyticsUnavailable as exc:
        response = json_error(503, str(exc))
        response.headers["Retry-After"] = "5"
        return response
    return current_app.response_class(status=204)


def _counting() -> bool:
    """Whether this page's searches are counted: analytics on, and not a try from /admin (``?analytics=off``)."""
    return recorder() is not None and request.args.get("analytics") != "off"


def _record_search(q: str, results: int) -> None:
    """The search page counts its own searches (the first page of each): never an error for the reader."""
    sink = recorder()
    if sink is None or not _counting():
        return
    try:
        sink.record(search_event(q, results))
    except (AnalyticsUnavailable, EventError):
        pass


@bp.get("/healthz")
def healthz():
    return jsonify(search_index().health())


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(openapi_spec())


# ---------------------------------------------------------------------------
# Search page


@bp.get("/")
def page():
    """The search page: a GET form with results rendered on the server."""
    q = request.args.get("q", "")
    context: dict[str, Any] = {"q": q, "response": None, "error": None, "unavailable": None, "args": request.args}
    status = 200
    if q.strip() or request.args.getlist("tag"):
        try:
            # The page is in the site's language (its <html lang>): so are its readers.
            req = search_request_from_args(prefer_default=settings().language)
            context["response"] = _run_search(req)
            context["req"] = req
            if req.page == 1 and q.strip():
                _record_search(q, context["response"].total)
        except BadParameter as exc:
            context["error"] = f"The {exc.parameter} parameter {exc.message}"
            status = 400
        except IndexUnavailable as exc:
            context["unavailable"] = str(exc)
            status = 503
    context["page_url"] = _page_url
    context["site_lang"] = settings().language
    # The widget, taking over the page, sends events for what is typed next (not for this
    # search, counted above); none when analytics are off or the link said so (?analytics=off).
    context["analytics"] = _counting()
    return render_template("search.html", **context), status


def _page_url(**changes: Any) -> str:
    """The current search URL with some parameters changed (None removes one)."""
    params: list[tuple[str, str]] = []
    for key in request.args:
        if key in changes:
            continue
        params.extend((key, v) for v in request.args.getlist(key))
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            params.extend((key, str(v)) for v in value)
        else:
            params.append((key, str(value)))
    return "?" + urlencode(params)


# ---------------------------------------------------------------------------
# The embeddable search box (docs/widget.md)

#: Seconds browsers may cache widget.js and widget.css before revalidating.
WIDGET_MAX_AGE = 600


@bp.get("/widget.<any(js, css):kind>")
def widget(kind: str):
    """widget.js or widget.css, loadable from any site (the API itself still answers only
    the origins in SEARCHSVC_CORS_ORIGINS)."""
    response = current_app.send_static_file(f"widget.{kind}")
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Access-Control-Allow-Origin"] = "*"  # lets an embedding page use integrity=
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_MAX_AGE
    return response


# ---------------------------------------------------------------------------
# Wiring: JSON, errors, headers, CORS


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON, written by orjson: a page of results (about 12 KB) took 0.15 ms with the
    standard library's encoder and 0.01 ms with orjson.

    The output means the same: keys in the order given, non-ASCII as UTF-8 rather than
    ``\\u`` escapes. Dates, dataclasses and anything else orjson would write its own way
    go through Flask's own conversion; what orjson refuses (a lone surrogate, an integer
    past 64 bits) is written by the standard library instead.
    """

    sort_keys = False
    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME

    def _bytes(self, obj: Any, options: int = 0) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=self._OPTIONS | options)
        except (orjson.JSONEncodeError, TypeError):
            return super().dumps(obj, indent=2 if options else None).encode("ascii")  # ensure_ascii

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._bytes(obj).decode("utf-8")

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        indent = (self.compact is None and self._app.debug) or self.compact is False
        body = self._bytes(obj, orjson.OPT_INDENT_2 if indent else 0) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)


def init_app(app: Flask) -> None:
    app.json = FastJSONProvider(app)
    app.url_map.merge_slashes = False  # /api//search is a 404, not an HTML redirect
    app.register_blueprint(bp)

    @app.errorhandler(BadParameter)
    def _bad_parameter(exc: BadParameter):
        return json_error(exc.status, f"The {exc.parameter} parameter {exc.message}", exc.parameter)

    @app.errorhandler(IndexUnavailable)
    def _unavailable(exc: IndexUnavailable):
        response = json_error(503, str(exc))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.path in ("/api", "/healthz") or exc.code != 404:
            response = json_error(exc.code or 500, exc.description or exc.name)
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value  # Allow on 405, Retry-After, ...
            return response
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        current_app.logger.exception("Unexpected error on %s", request.path)
        return json_error(500, "Internal error; the server log has the details.")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
            )
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        _cors(response)
        return response

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and request.path.startswith("/api/"):
            response = current_app.make_response(("", 204))
            return response
        return None


def _cors(response) -> None:
    if not request.path.startswith("/api/"):
        return
    response.headers.add("Vary", "Origin")
    origin = request.headers.get("Origin")
    allowed = settings().cors_origins
    if not origin or not (origin in allowed or "*" in allowed):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"


# ---------------------------------------------------------------------------
# OpenAPI


@functools.cache
def _openapi_template() -> str:
    return resources.files("searchsvc").joinpath("openapi.json").read_text(encoding="utf-8")


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI description (``searchsvc/openapi.json``), with this server's page sizes."""
    cfg = settings()
    spec = json.loads(_openapi_template())
    for param in spec["paths"]["/api/search"]["get"]["parameters"]:
        if param["name"] == "per_page":
            param["schema"]["default"] = cfg.default_per_page
            param["description"] = param["description"].format(max_per_page=cfg.max_per_page)
    return spec
