"""Defaults and the settings object.

Nothing here reads the environment at import time: :func:`Settings.from_env` is
called by ``create_app()`` and by the command line, once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .languages import normalize as normalize_language
from .sites import GENERATORS

ENV_PREFIX = "SEARCHSVC_"

DEFAULT_URL_TEMPLATE = "/blog/{slug}"
#: What SEARCHSVC_URL_TEMPLATE may use: the post's slug, its date's parts, its title made into
#: a path, its first folder, its categories, its file name (without suffix), its language.
URL_PLACEHOLDERS = ("slug", "year", "month", "day", "title", "section", "categories", "filename", "lang")
#: The largest ``per_page`` a client may ask for.
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 10
#: Results deeper than this are not served (``page * per_page``).
MAX_RESULT_DEPTH = 1000
#: Longest query text accepted, in characters, and most words/operators in it.
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
#: Posts larger than this are reported and skipped rather than indexed.
MAX_POST_BYTES = 2 * 1024 * 1024
#: Words per minute used when a post does not state its reading time.
WORDS_PER_MINUTE = 230


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with its default.

    Each field can be set with an environment variable named
    ``SEARCHSVC_`` plus the field name in capitals (``SEARCHSVC_INDEX_DIR``).
    """

    content_dir: Path = Path("content")
    index_dir: Path = Path("index")
    url_template: str = DEFAULT_URL_TEMPLATE
    #: Time zone for dates written without one ("Jan 15, 2024").
    timezone: str = "UTC"
    max_per_page: int = MAX_PER_PAGE
    default_per_page: int = DEFAULT_PER_PAGE
    max_post_bytes: int = MAX_POST_BYTES
    #: Origins allowed to call the API from a browser (comma separated in the environment).
    cors_origins: tuple[str, ...] = ()
    #: Enables ``POST /api/reindex`` when set.
    admin_token: str = field(default="", repr=False)
    #: Seconds a second ``reindex`` waits for the lock before giving up.
    lock_timeout: float = 30.0
    #: Seconds a superseded index generation is kept for readers still using it.
    generation_grace: float = 60.0
    #: Seconds one query may spend collecting matches; then it returns what it found ("partial").
    query_time_limit: float = 1.0
    #: The language of posts that name none (a code such as "en", "fr", "ja").
    language: str = "en"
    #: The site generator whose layout the content folder has ("" finds it from its config
    #: file; "none": a plain folder of posts; see searchsvc.sites).
    generator: str = ""
    #: The languages the site is written in (comma separated in the environment): a post file
    #: named like ``post.fr.md``, or in a top folder ``fr/``, is in that language.
    languages: tuple[str, ...] = ()
    #: Search analytics: events taken at POST /api/events and shown by ``searchsvc insights``
    #: and /admin ("off": none is taken or stored).
    analytics: bool = True
    #: The SQLite file analytics are kept in.
    analytics_db: Path = Path("analytics.sqlite3")
    #: Days analytics events are kept; older ones are deleted.
    analytics_days: int = 90
    #: A text file of synonyms ("js, javascript"; "k8s => kubernetes"), read again when it changes.
    synonyms: Path | None = None
    #: A TOML file of pinned results ([[pin]] query, urls), read again when it changes.
    pins: Path | None = None

    def __post_init__(self) -> None:
        for name in ("content_dir", "index_dir", "analytics_db", "synonyms", "pins"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value).expanduser().absolute())
        if self.analytics_days < 1:
            raise SettingsError(f"SEARCHSVC_ANALYTICS_DAYS must be 1 or more; got {self.analytics_days}.")
        names = set(re.findall(r"\{([^{}]*)\}", self.url_template))
        unknown = sorted(names - set(URL_PLACEHOLDERS))
        if unknown:
            raise SettingsError(
                f"SEARCHSVC_URL_TEMPLATE has {{{unknown[0]}}}, which is not one of "
                f"{', '.join('{' + n + '}' for n in URL_PLACEHOLDERS)}; got {self.url_template!r}."
            )
        if not names & {"slug", "title", "filename"}:
            raise SettingsError(
                f"SEARCHSVC_URL_TEMPLATE must contain {{slug}} (or {{title}} or {{filename}}); got {self.url_template!r}."
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"SEARCHSVC_TIMEZONE {self.timezone!r} is not a known time zone (try 'UTC' or 'Europe/Berlin')."
            ) from None
        if self.generator not in ("", "none", *GENERATORS):
            raise SettingsError(
                f"SEARCHSVC_GENERATOR must be one of none, {', '.join(GENERATORS)}; got {self.generator!r}."
            )
        code = normalize_language(self.language)
        if code is None:
            raise SettingsError(
                f"SEARCHSVC_LANGUAGE {self.language!r} names no language we know (write a code such as 'en' or 'fr')."
            )
        object.__setattr__(self, "language", code)
        declared = []
        for value in self.languages:
            code = normalize_language(value)
            if code is None:
                raise SettingsError(
                    f"SEARCHSVC_LANGUAGES: {value!r} names no language we know (write codes such as 'en,fr')."
                )
            declared.append(code)
        object.__setattr__(self, "languages", tuple(dict.fromkeys(declared)))
        if self.max_per_page < 1 or self.default_per_page < 1:
            raise SettingsError("SEARCHSVC_MAX_PER_PAGE and SEARCHSVC_DEFAULT_PER_PAGE must be at least 1.")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def extraction_fingerprint(self) -> str:
        """A digest of the settings that change what gets indexed.

        When it differs from the one an index was built with, the next reindex
        rebuilds everything.
        """
        relevant = {
            "url_template": self.url_template,
            "timezone": self.timezone,
            "max_post_bytes": self.max_post_bytes,
            "language": self.language,
            "generator": self.generator,
            "languages": list(self.languages),
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **_coerce(changes))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``SEARCHSVC_*`` variables, then ``overrides`` (None values ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in environ and environ[key] != "":
                values[f.name] = environ[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**_coerce(values))


def _coerce(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn strings (from the environment or a config mapping) into field types."""
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in types:
            raise SettingsError(f"Unknown setting {name!r}.")
        kind = types[name]
        try:
            if kind in ("Path", "Path | None"):
                value = Path(value).expanduser().absolute() if value is not None else None
            elif kind == "bool":
                value = _boolean(value)
            elif kind == "int":
                value = int(value)
            elif kind == "float":
                value = float(value)
            elif kind.startswith("tuple"):
                if isinstance(value, str):
                    value = [part for part in (p.strip() for p in value.split(",")) if part]
                value = tuple(str(v).rstrip("/") for v in value)
            else:
                value = str(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"{ENV_PREFIX}{name.upper()} must be {_describe(kind)}; got {value!r}."
            ) from None
        out[name] = value
    return out


_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"off", "false", "no", "0"}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(value)


def _describe(kind: str) -> str:
    return {"int": "a whole number", "float": "a number", "Path": "a path", "Path | None": "a path",
            "bool": "on or off"}.get(kind, "text")
