"""searchsvc: self-hosted full-text search for Markdown blogs."""

from __future__ import annotations

from typing import Any, Mapping

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None):
    """Build the Flask app: defaults, then ``SEARCHSVC_*`` environment variables, then ``config``.

    ``config`` takes setting names in lower case (``{"index_dir": ...}``) and Flask
    keys in upper case (``{"TESTING": True}``).
    """
    from flask import Flask

    from . import tuning, web
    from .analytics import Recorder
    from .config import Settings
    from .curation import Curation
    from .search import SearchIndex

    config = dict(config or {})
    flask_keys = {k: v for k, v in config.items() if k.isupper()}
    settings = Settings.from_env(**{k: v for k, v in config.items() if not k.isupper()})

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    app.config.update(flask_keys)
    app.extensions["searchsvc.settings"] = settings
    app.extensions["searchsvc.index"] = SearchIndex(
        settings.index_dir, time_limit=settings.query_time_limit, curation=Curation(settings.synonyms, settings.pins)
    )
    # Analytics: opened with the first event (a server nobody searches writes no file).
    app.extensions["searchsvc.analytics"] = (
        Recorder(settings.analytics_db, settings.analytics_days) if settings.analytics else None
    )
    web.init_app(app)
    if settings.admin_token:
        from . import admin

        admin.init_app(app)
    tuning.init_app(app)
    return app
