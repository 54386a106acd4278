"""A file -> Post. Frontmatter parsing and ALL metadata clean-up live here.

The reader contract is tiny: :func:`read_post` turns one file into a :class:`Post`
or raises :class:`PostError` naming the file, the field and the reason.
:func:`discover` lists the files; :func:`load_bytes` and :func:`parse_post` are the
two halves of :func:`read_post`, for callers that want to hash bytes first.

Every frontmatter key is cleaned by one small function in :data:`_CLEANERS`.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
import unicodedata
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from searchsvc import languages
from searchsvc.config import WORDS_PER_MINUTE, Settings
from searchsvc.sites import PostFacts, Site

__all__ = ["POST_SUFFIXES", "Author", "Post", "PostError", "discover", "load_bytes", "parse_post", "read_post"]

POST_SUFFIXES = (".md", ".markdown", ".mdx")
#: Repository files that share the suffix but are not posts.
NOT_POSTS = frozenset({"readme", "license", "licence", "changelog", "contributing", "code_of_conduct", "security"})


@dataclass(frozen=True)
class Author:
    name: str
    role: str = ""


@dataclass(frozen=True)
class Post:
    #: Path relative to the content directory, with forward slashes ("guides/intro.md").
    path: str
    #: Stable identifier and URL part ("intro", "2024/01/15/server-actions").
    slug: str
    #: Public URL from the URL template, or from frontmatter url/permalink/path.
    url: str
    title: str
    #: "" when the post has none.
    description: str
    #: Timezone-aware, or None when the post has no date.
    date: datetime | None
    updated: datetime | None
    #: Display form, case kept, de-duplicated case-insensitively, in order of first appearance.
    tags: tuple[str, ...]
    authors: tuple[Author, ...]
    #: Minutes, from readTime or computed from the word count (at least 1).
    reading_minutes: int
    #: The Markdown body, frontmatter removed.
    body: str
    #: Why the post must not be indexed ("draft: true"), or "" when it is searchable.
    hidden: str = ""
    #: The language it is written in (a code such as "en", "fr", "ja"; see :mod:`languages`).
    lang: str = languages.DEFAULT
    #: What was wrong but did not stop it being indexed, as sentences naming the field.
    warnings: tuple[str, ...] = ()

    @property
    def tag_keys(self) -> tuple[str, ...]:
        """Tags lower-cased as the analyzers lower-case words (a dotted capital I as ``i``:
        "İstanbul" is ``tag:istanbul``), for matching and filtering."""
        return tuple(languages.lower_dotted(t) for t in self.tags)


class PostError(Exception):
    """A post that cannot be indexed. ``str()`` is a sentence naming the file and the reason."""

    def __init__(self, path: str, reason: str, field: str | None = None):
        self.path = path
        self.reason = reason
        self.field = field
        where = f" (field {field!r})" if field else ""
        super().__init__(f"{path}: {reason}{where}")


# --------------------------------------------------------------------------- files


def discover(content_dir: Path) -> tuple[list[Path], list[PostError]]:
    """Every post file under ``content_dir``, recursively, sorted; plus errors for what could not be walked.

    Symlinked directories are followed, each directory at most once. Hidden names
    (starting with ".") and ``node_modules`` are skipped. Files with a post suffix
    are listed even when they are broken links: :func:`load_bytes` reports those.

    :raise PostError: if ``content_dir`` does not exist or is not a directory.
    """
    content_dir = Path(content_dir)
    try:
        root_stat = content_dir.stat()
    except FileNotFoundError:
        raise PostError(str(content_dir), "the content directory does not exist") from None
    except OSError as exc:
        raise PostError(str(content_dir), f"the content directory cannot be read ({_os_reason(exc)})") from None
    if not stat.S_ISDIR(root_stat.st_mode):
        raise PostError(str(content_dir), "the content directory is not a directory")

    files: list[Path] = []
    errors: list[PostError] = []
    root_key = (root_stat.st_dev, root_stat.st_ino)
    seen: dict[tuple[int, int], Path] = {root_key: content_dir}
    # Depth first, in name order; each item carries the directory keys above it.
    stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [(content_dir, frozenset([root_key]))]
    while stack:
        directory, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if directory == content_dir:
                # Nothing can be listed: an empty result would unpublish every post.
                raise PostError(str(content_dir), f"the content directory cannot be read ({_os_reason(exc)})") from None
            errors.append(PostError(_display_path(directory, content_dir), f"cannot be read ({_os_reason(exc)})"))
            continue
        subdirs: list[tuple[Path, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "node_modules":
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                if entry.name.lower().endswith(POST_SUFFIXES) and not _is_repository_file(entry.name):
                    files.append(path)
                continue
            try:
                st = path.stat()
            except OSError as exc:
                errors.append(PostError(_display_path(path, content_dir), f"cannot be read ({_os_reason(exc)})"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                errors.append(PostError(_display_path(path, content_dir), "is a symbolic link loop; skipped"))
            elif key in seen:
                errors.append(
                    PostError(
                        _display_path(path, content_dir),
                        f"links to a directory already included as {_display_path(seen[key], content_dir)}; skipped",
                    )
                )
            else:
                seen[key] = path
                subdirs.append((path, ancestors | {key}))
        stack.extend(reversed(subdirs))
    return sorted(files), errors


def load_bytes(path: Path, settings: Settings) -> bytes:
    """Read one file's bytes.

    :raise PostError: if the file is a broken link, not a regular file, cannot be
        read, or is larger than ``settings.max_post_bytes``.
    """
    path = Path(path)
    shown = _display_path(path, settings.content_dir)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise PostError(shown, "is a broken symbolic link") from None
        raise PostError(shown, "does not exist") from None
    except OSError as exc:
        raise PostError(shown, f"cannot be read ({_os_reason(exc)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise PostError(shown, "is not a regular file")
    limit = settings.max_post_bytes
    too_big = PostError(shown, f"is {_size(st.st_size)}, larger than the {_size(limit)} limit")
    if st.st_size > limit:
        raise too_big
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise PostError(shown, f"cannot be read ({_os_reason(exc)})") from None
    if len(data) > limit:
        raise too_big
    return data


def read_post(path: Path, settings: Settings) -> Post:
    """:func:`load_bytes` then :func:`parse_post`, with the path relative to ``settings.content_dir``.

    :raise PostError: as those two do, or if ``path`` is outside the content directory.
    """
    path = Path(path).absolute()
    try:
        relpath = path.relative_to(settings.content_dir).as_posix()
    except ValueError:
        raise PostError(str(path), f"is not inside the content directory {settings.content_dir}") from None
    return parse_post(relpath, load_bytes(path, settings), settings)


def _display_path(path: Path, content_dir: Path) -> str:
    """The path as a blog owner knows it: relative to the content directory when inside it."""
    try:
        return Path(path).absolute().relative_to(Path(content_dir).absolute()).as_posix()
    except ValueError:
        return str(path)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- text and frontmatter


def parse_post(relpath: str, data: bytes, settings: Settings, site: Site | None = None) -> Post:
    """The bytes of one file -> :class:`Post`.

    ``relpath`` is the file's path relative to the content directory, with "/". With the
    ``site`` of a generator (see :mod:`searchsvc.sites`), the content directory is the site's
    root, and the post's URL and whether it is published are the generator's.

    :raise PostError: naming ``relpath``, the field at fault (if one is) and the reason.
    """
    text = _decode(relpath, data)
    meta, body = _split_frontmatter(relpath, text)
    src = _Source(relpath, meta, body, settings, [])
    values = {name: clean(src) for name, clean in _CLEANERS.items()}
    if not values["url"]:
        values["url"] = _template_url(src, values)
    if site is not None and site.is_generator:
        # Where the site's generator publishes it, and whether it does.
        facts = PostFacts(relpath, meta, values["title"], values["date"], values["slug"])
        values["url"] = site.url(facts)
        if not values["hidden"]:
            values["hidden"] = site.hidden(facts, datetime.now(timezone.utc))
        if not src.first(*_LANG_KEYS)[0] and (lang := site.language_of(relpath)):
            values["lang"] = lang
        if site.authors:
            # Authors named by a key of the site's data (Docusaurus authors.yml and the like).
            values["authors"] = tuple(_known_author(site, a) for a in values["authors"])
    return Post(path=relpath, body=body, warnings=tuple(src.warnings), **values)


def _decode(relpath: str, data: bytes) -> str:
    if b"\x00" in data:
        raise PostError(relpath, "is a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PostError(
            relpath, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PostError(relpath, "is empty")
    return text


class _TOMLHandler(BaseHandler):
    """TOML between ``+++`` lines, read with the standard library's :mod:`tomllib`."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class _JSONHandler(JSONHandler):
    """JSON frontmatter split where the object really ends, not at the first "}" line."""

    def split(self, text: str) -> tuple[str, str]:
        _, end = json.JSONDecoder().raw_decode(text)
        return text[:end], text[end:]


def _yaml_loader() -> type:
    """libyaml's safe loader (ten times faster: most of the time a small post takes) when
    PyYAML has it and it refuses nesting past 1,000 levels (libyaml 0.2.5 and later); else
    PyYAML's pure-Python one. An older libyaml crashed the process on deeply nested
    collections, where the pure loader raises RecursionError."""
    if getattr(yaml, "__with_libyaml__", False):
        try:
            from yaml import _yaml

            if tuple(_yaml.get_version()) >= (0, 2, 5):
                return yaml.CSafeLoader
        except (ImportError, AttributeError, TypeError):
            pass
    return yaml.SafeLoader


#: Characters that libyaml reads otherwise than the pure loader (a byte-order mark inside
#: the text, NEL, the Unicode line and paragraph separators): such frontmatter is read by the
#: pure loader. Otherwise the two read the same values, and libyaml also reads some that the
#: pure loader refuses (a tab after a value).
_LIBYAML_DIFFERS = re.compile("[\ufeff\x85\u2028\u2029]")


class _YAMLHandler(YAMLHandler):
    """YAML read with PyYAML's safe loader (see :func:`_yaml_loader`)."""

    loader = _yaml_loader()

    def load(self, fm: str, **kwargs: object) -> Any:
        if self.loader is not yaml.SafeLoader and not _LIBYAML_DIFFERS.search(fm):
            try:
                return yaml.load(fm, Loader=self.loader)
            except yaml.YAMLError:
                # Read again by the pure loader, whose messages say more ("expected ',' or
                # ']', but got ':'" where libyaml says "did not find expected ',' or ']'").
                pass
        return yaml.load(fm, Loader=yaml.SafeLoader)


_HANDLERS: dict[str, BaseHandler] = {"YAML": _YAMLHandler(), "JSON": _JSONHandler(), "TOML": _TOMLHandler()}
_CLOSING = {"YAML": '"---"', "TOML": '"+++"', "JSON": '"}"'}


def _split_frontmatter(relpath: str, text: str) -> tuple[dict[str, Any], str]:
    """(metadata with string keys, body) of a post; a post without frontmatter has {}."""
    start = text.lstrip()
    first_line = text.count("\n", 0, len(text) - len(start)) + 1  # of the frontmatter block
    handler = frontmatter.detect_format(start, _HANDLERS.values())
    if handler is None:
        header = _metadata_header(start)
        if header is not None:
            return header[0], _tidy_body(header[1])
        return {}, _tidy_body(text)
    kind = next(k for k, h in _HANDLERS.items() if h is handler)
    try:
        fm, content = handler.split(start)
    except json.JSONDecodeError as exc:
        raise PostError(relpath, _malformed(kind, exc.msg, first_line + exc.lineno - 1)) from None
    except RecursionError:
        raise PostError(relpath, _malformed(kind, "it is nested too deeply", None)) from None
    except ValueError:
        raise PostError(
            relpath, f"starts {kind} frontmatter on line {first_line} but has no closing {_CLOSING[kind]} line"
        ) from None
    # Line of the file where ``fm`` starts, to report the parsers' line numbers as the file's.
    if kind == "JSON":
        offset = first_line
    else:
        opening = handler.FM_BOUNDARY.match(start)
        offset = first_line + start.count("\n", 0, opening.end() if opening else 0)
    try:
        meta = handler.load(fm)
    except Exception as exc:  # any failure of a third-party parser means unreadable frontmatter
        raise PostError(relpath, _malformed(kind, *_parser_problem(exc, offset))) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PostError(relpath, f"frontmatter must be a mapping of keys to values, not {_kind(meta)}")
    meta = {k: v for k, v in meta.items() if isinstance(k, str)}
    for key, value in meta.items():
        if not _encodable(value):
            raise PostError(relpath, "has text that is not valid Unicode (a lone surrogate escape)", key)
    return meta, _tidy_body(content)


#: A line of a metadata header: "Key: value".
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]?(.*)")
#: What the keys of a metadata header are as frontmatter (others are kept as they are).
_HEADER_KEYS = {"summary": "description", "category": "categories", "keywords": "tags"}


def _metadata_header(text: str) -> tuple[dict[str, Any], str] | None:
    """(metadata, body) of a post that starts with "Key: value" lines, as Pelican, MultiMarkdown
    and Python-Markdown's meta extension write them (up to the first blank line; a line indented
    goes on the value above), when they name a title; else None. Keys are read in lower case;
    ``Authors`` and ``Tags`` are comma-separated, ``Summary`` is the description, ``Status:
    draft`` a draft.

    >>> meta, body = _metadata_header("Title: Hello\\nTags: a, b\\nSummary: Short\\n  and sweet\\n\\nText.\\n")
    >>> meta, body
    ({'title': 'Hello', 'tags': 'a, b', 'description': 'Short and sweet'}, 'Text.\\n')
    >>> _metadata_header("Note: this is a post.\\n\\nText.") is None
    True
    """
    meta: dict[str, Any] = {}
    key = None
    rest = ""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            rest = "\n".join(lines[i + 1 :])
            break
        found = _HEADER_LINE.fullmatch(line.rstrip())
        if found and not line[:1].isspace():
            key = found.group(1).lower()
            key = _HEADER_KEYS.get(key, key)
            meta[key] = found.group(2).strip()
        elif key is not None and line[:1].isspace():
            meta[key] = (meta[key] + " " + line.strip()).strip()
        else:
            return None
    if not meta.get("title"):
        return None
    for name in ("authors", "author"):
        if isinstance(meta.get(name), str) and "," in meta[name]:
            meta[name] = [a.strip() for a in meta[name].split(",") if a.strip()]
    if str(meta.get("status", "")).lower() == "draft":
        meta["draft"] = True
    return meta, rest


def _encodable(value: Any) -> bool:
    """Whether every string in a frontmatter value can be written as UTF-8.

    Each container is visited once, so YAML aliases (shared, even exponentially
    repeated, sub-trees) cost no more than their size.
    """
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(item.keys() if isinstance(item, dict) else ())
            stack.extend(item.values() if isinstance(item, dict) else item)
    return True


def _parser_problem(exc: Exception, offset: int) -> tuple[str, int | None]:
    """(what the parser said, line of the file) for a YAML, TOML or JSON error."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply", None
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:  # PyYAML
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
        return str(problem), offset + mark.line
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg, offset + exc.lineno - 1
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    found = re.search(r"\s*\(at line (\d+), column \d+\)$", message)  # tomllib
    if found:
        return message[: found.start()], offset + int(found.group(1)) - 1
    return message, None


def _malformed(kind: str, problem: str, line: int | None) -> str:
    where = f" on line {line}" if line is not None else ""
    problem = problem[:1].lower() + problem[1:]
    return f"has malformed {kind} frontmatter: {problem}{where}"


def _tidy_body(content: str) -> str:
    """Drop blank lines before and whitespace after the Markdown; keep the first line's indent."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", content).rstrip()


# --------------------------------------------------------------------------- metadata clean-up


@dataclass(frozen=True)
class _Source:
    """What every clean-up function sees."""

    relpath: str
    meta: Mapping[str, Any]
    body: str
    settings: Settings
    #: Sentences about values that were set aside (the post is indexed all the same).
    warnings: list[str]

    def first(self, *keys: str) -> tuple[str, Any]:
        """(key, value) of the first key that is present and not null or "", else ("", None)."""
        for key in keys:
            value = self.meta.get(key)
            if value is not None and value != "":
                return key, value
        return "", None

    def error(self, field: str, reason: str) -> PostError:
        return PostError(self.relpath, reason, field)

    def warn(self, field: str, reason: str) -> None:
        self.warnings.append(f"{reason} (field {field!r})")


def _kind(value: Any) -> str:
    """What a value is, in words, for error messages."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (date, time)):
        return "a date" if isinstance(value, date) else "a time of day"
    return type(value).__name__


def _show(value: Any) -> str:
    """A value as the author wrote it, shortened: "next tuesday", 2024, a list."""
    if isinstance(value, str):
        shown = json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
        return "".join(f"\\u{ord(c):04x}" if _has_control(c) else c for c in shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not (isinstance(value, int) and abs(value) > 10**40):
        return str(value)
    return _kind(value)


def _one_line(value: str) -> str:
    """The one place whitespace is collapsed (any Unicode space, including no-break spaces);
    soft hyphens dropped (languages.SOFT_HYPHEN)."""
    return " ".join(value.translate(languages.SOFT_HYPHEN).split())


def _scalar_text(value: Any) -> str | None:
    """Text, numbers and dates as collapsed text; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float, date)):
        return _one_line(str(value))
    return None


# title ---------------------------------------------------------------------


def _title(src: _Source) -> str:
    _, value = src.first("title")
    text = _scalar_text(value)
    return text or _first_heading(src.body) or _title_from_path(src.relpath)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_H1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
#: Longer lines are not read as titles (and the patterns below stay fast).
_MAX_HEADING_CHARS = 500
_HEADING_ID = re.compile(r"(?:\{#[^{}]*\}|\{/\*[^{}]*?\*/\})$")
_INLINE_MARKUP = [
    (re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)"), r"\1"),  # [text](url), ![alt](src)
    (re.compile(r"!?\[([^\[\]]*)\]\[[^\[\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"`+"), ""),
    (re.compile(r"(\*\*|__|~~)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*\\])\*(?=\S)([^*]*?\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=\S)([^_]*?\S)_(?!\w)"), r"\1"),
    (re.compile(r"\\([!-/:-@\[-`{-~])"), r"\1"),  # backslash escapes
]


def _first_heading(body: str) -> str:
    """Text of the first level-1 heading (``# Title`` or Title/====) outside fenced code."""
    fence = ""
    previous = ""
    for line in body.splitlines():
        if len(line) > _MAX_HEADING_CHARS:
            previous = ""
            continue
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = ""
            previous = ""
            continue
        if opened:
            fence = opened.group(1)
            previous = ""
            continue
        heading = _ATX_H1.match(line)
        if heading is None and previous and _SETEXT_H1.match(line):
            heading_text: str | None = previous
        else:
            heading_text = heading.group(1) if heading else None
        if heading_text:
            text = _plain_heading(heading_text)
            if text:
                return text
        previous = line if line.strip() and not line.lstrip().startswith(("#", ">", "-", "*", "+", "|")) else ""
    return ""


def _plain_heading(text: str) -> str:
    text = _HEADING_ID.sub("", text.strip())
    for pattern, replacement in _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return _one_line(text)


def _title_from_path(relpath: str) -> str:
    """"my-first-post.md" -> "My first post"; "guides/intro/index.md" -> "Intro"."""
    parts = [p for p in _strip_suffix(relpath).split("/") if p]
    if len(parts) > 1 and parts[-1].lower() in ("index", "_index"):
        parts.pop()
    name = parts[-1] if parts else relpath
    name = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}[-_]", "", name)  # Jekyll's 2024-01-15-name
    name = _one_line(name.replace("-", " ").replace("_", " ")) or name
    return name[:1].upper() + name[1:]


def _is_repository_file(name: str) -> bool:
    """README.md, LICENSE.md and the like: documents about the folder, not posts."""
    return _strip_suffix(name).lower() in NOT_POSTS


def _strip_suffix(relpath: str) -> str:
    for suffix in POST_SUFFIXES:
        if relpath.lower().endswith(suffix):
            return relpath[: -len(suffix)]
    return relpath


# description -----------------------------------------------------------------


def _description(src: _Source) -> str:
    for key in ("description", "summary", "excerpt"):
        text = _scalar_text(src.meta.get(key))
        if text:
            return text
    return ""


# dates -----------------------------------------------------------------------

_DATE_HINT = '(write it like 2024-01-15 or "Jan 15, 2024")'
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})", re.IGNORECASE)
_HAS_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def _date(src: _Source) -> datetime | None:
    """``date`` (or pubDate, published_at, created); else the date a ``YYYY-MM-DD-title``
    file name gives (as Jekyll dates its posts). A date that cannot be read is a warning:
    the post is indexed with its file name's date, or none."""
    when = _date_field(src, "date", "pubDate", "published_at", "created")
    if when is None:
        when = _file_name_date(src)
    return when


def _updated(src: _Source) -> datetime | None:
    return _date_field(src, "updated", "lastmod", "modified", "updatedDate")


def _date_field(src: _Source, *keys: str) -> datetime | None:
    key, value = src.first(*keys)
    if value is None:
        return None
    if isinstance(value, dict) and value.get("created") is not None:
        value = value["created"]  # MkDocs Material's "date: {created: …, updated: …}"
    when = _to_datetime(value, src.settings)
    if when is None:
        src.warn(key, f"has a date that cannot be read: {_show(value)} {_DATE_HINT}; the post is indexed without it")
    return when


_FILE_NAME_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-")


def _file_name_date(src: _Source) -> datetime | None:
    found = _FILE_NAME_DATE.match(src.relpath.rsplit("/", 1)[-1])
    if found is None:
        return None
    try:
        return _to_datetime(date(*map(int, found.groups())), src.settings)
    except ValueError:
        return None


#: Seconds since 1970 as people write them in frontmatter: 2001-09-09 to 5138 (10-11
#: digits); with 13 digits, milliseconds.
_EPOCH_SECONDS = range(1_000_000_000, 100_000_000_000)
_EPOCH_MILLISECONDS = range(1_000_000_000_000, 10_000_000_000_000)


def _to_datetime(value: Any, settings: Settings) -> datetime | None:
    """A frontmatter value as an aware UTC datetime; None when it is not a date."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        if value in _EPOCH_MILLISECONDS:
            value /= 1000
        elif value not in _EPOCH_SECONDS:
            return None
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        value = _parse_date_text(_one_line(value))
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    else:  # numbers, true/false, lists, mappings, times of day, unreadable text
        return None
    if when.tzinfo is None or when.utcoffset() is None:
        when = when.replace(tzinfo=settings.tz)
    try:
        return when.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # the first or last hours of year 1 or 9999
        return None


#: What static site generators accept besides ISO 8601: one-digit months and days
#: ("2024-4-09"), a space before the offset ("2023-01-29 18:30:22 -0800"), Go's time format
#: with a zone name after it ("... -0700 MST"), and Jekyll's leftovers of a year after the time.
_LOOSE_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(?:\s+\d{4})?"  # a year repeated after the time
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
    r"(?:\s*\(?[A-Za-z]{1,5}\)?)?",  # a zone's name or abbreviation (UTC, MST, CEST)
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)


def _parse_date_text(text: str) -> datetime | date | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    text = _WEEKDAY.sub("", text, count=1) if _WEEKDAY.match(text) and not _HAS_CLOCK.search(text[:12]) else text
    if found := _LOOSE_ISO.fullmatch(text):
        return _loose_iso(found)
    try:
        if found := _SLASH_DATE.fullmatch(text):
            year, month, day = map(int, found.groups())
            return date(year, month, day)
        if found := _MONTH_DAY_YEAR.fullmatch(text):
            month_name, day, year = found.groups()
        elif found := _DAY_MONTH_YEAR.fullmatch(text):
            day, month_name, year = found.groups()
        elif _HAS_CLOCK.search(text):  # RSS-style "Mon, 15 Jan 2024 09:00:00 +0000"
            return parsedate_to_datetime(text)
        else:
            return None
        month = _MONTHS.get(month_name.lower())
        return date(int(year), month, int(day)) if month else None
    except (ValueError, TypeError, OverflowError, IndexError):
        return None


def _loose_iso(found: re.Match) -> datetime | date | None:
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        tz = None
        if zone:
            if zone.upper() == "Z":
                tz = timezone.utc
            else:
                sign = -1 if zone[0] == "-" else 1
                digits = zone[1:].replace(":", "")
                tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        elif found.group(0).rstrip().upper().endswith(("UTC", "GMT")):
            tz = timezone.utc
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


# tags ------------------------------------------------------------------------

_TAGS_HINT = '(write a list like [python, web] or text like "python, web")'


def _tags(src: _Source) -> tuple[str, ...]:
    found: list[str] = []
    for key in ("tags", "categories", "category"):
        found.extend(_tag_items(src, key, src.meta.get(key)))
    return _dedupe(t for t in (_one_line(t.strip().lstrip("#")) for t in found) if t)


def _tag_items(src: _Source, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, list):
        raise src.error(key, f"has tags that cannot be read: {_show(value)} {_TAGS_HINT}")
    items = []
    # Hexo writes a hierarchy of categories as a list in the list ([[Tech, Web Dev], [News]]):
    # each of its names is a tag.
    flat = [sub for item in value for sub in (item if isinstance(item, list) and key != "tags" else [item])]
    for item in flat:
        if item is None:
            continue
        text = _scalar_text(item) if not isinstance(item, bool) else str(item).lower()
        if text is None:
            raise src.error(key, f"has a tag that cannot be read: {_show(item)} {_TAGS_HINT}")
        items.append(text)
    return items


def _dedupe(items: Any) -> tuple[str, ...]:
    """Keep the first spelling of each item, compared case-insensitively, in order."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            kept.append(item)
    return tuple(kept)


# authors ---------------------------------------------------------------------

_AUTHORS_HINT = "(write a name, a list of names, or a mapping with name: and role:)"
_NAME_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


def _authors(src: _Source) -> tuple[Author, ...]:
    found: list[Author] = []
    for key in ("author", "authors", "by"):
        value = src.meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            found.extend(Author(name) for name in _NAME_SEPARATORS.split(value))
            continue
        for item in value if isinstance(value, list) else [value]:
            author = _author(item)
            if author is None:
                raise src.error(key, f"has an author that cannot be read: {_show(item)} {_AUTHORS_HINT}")
            found.append(author)
    kept: dict[str, Author] = {}
    for author in found:
        name = _one_line(author.name)
        if name and name.lower() not in kept:
            kept[name.lower()] = Author(name, author.role)
    return tuple(kept.values())


def _known_author(site: Site, author: Author) -> Author:
    found = site.author(author.name)
    return Author(found[0], found[1] or author.role) if found else author


def _author(item: Any) -> Author | None:
    """One author from text or {name, role}; an Author with no name is dropped later."""
    if item is None:
        return Author("")
    if isinstance(item, dict):
        name = _scalar_text(item.get("name")) or ""
        return Author(name, _scalar_text(item.get("role")) or "")
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        return Author(str(item))
    return None


# reading time ----------------------------------------------------------------

_MINUTES = re.compile(r"(\d{1,6})(?:\.(\d{1,6}))?\s*(?:m|mins?|minutes?)?\.?(?:\s+read)?", re.IGNORECASE)
#: A stated reading time above this (about a week) is a mistake; the computed one is used.
_MAX_MINUTES = 10_000
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


def _reading_minutes(src: _Source) -> int:
    _, value = src.first("readTime", "read_time", "readingTime", "reading_time")
    stated = _stated_minutes(value)
    if stated:
        return stated
    return max(1, math.ceil(len(_WORD.findall(src.body)) / WORDS_PER_MINUTE))


def _stated_minutes(value: Any) -> int | None:
    """8, 8.5, "8", "8 min read", "8 minutes" -> whole minutes (rounded up); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        minutes = math.ceil(value) if math.isfinite(value) else 0
    elif isinstance(value, int):
        minutes = value
    elif isinstance(value, str) and (found := _MINUTES.fullmatch(value.strip())):
        whole, fraction = found.groups()
        minutes = int(whole) + (1 if fraction and fraction.strip("0") else 0)
    else:
        return None
    return minutes if 0 < minutes <= _MAX_MINUTES else None


# slug and url ----------------------------------------------------------------

_URL_KEYS = ("permalink", "url", "path")
_URL_HINT = '(write a path like "/blog/my-post" or an http(s) address)'


def _slug(src: _Source) -> str:
    link = _permalink(src)
    if link is not None:
        slug = urllib.parse.unquote(urllib.parse.urlsplit(link).path).strip("/")
        if _has_control(slug):
            key, value = src.first(*_URL_KEYS)
            raise src.error(key, f"is not a safe address: {_show(value)} {_URL_HINT}")
        if slug:
            return slug
    parts = [_slug_segment(p) for p in _strip_suffix(src.relpath).split("/")]
    parts = [p for p in parts if p]
    if len(parts) > 1 and parts[-1] in ("index", "_index"):
        parts.pop()
    key, value = src.first("slug")
    if value is not None:
        text = _scalar_text(value)
        if text is None:
            raise src.error(key, f"must be text, not {_kind(value)}")
        own = [re.sub(r"\s+", "-", p.strip()) for p in text.split("/") if p.strip()]
        if any(p in (".", "..") or _has_control(p) for p in own):
            raise src.error(key, f"cannot be used in an address: {_show(value)}")
        if own:
            parts[-1:] = own
    return "/".join(parts)


def _slug_segment(part: str) -> str:
    return re.sub(r"\s+", "-", part.strip().lower())


def _url(src: _Source) -> str:
    """The frontmatter's permalink/url/path; "" when it has none (see :func:`_template_url`)."""
    return _permalink(src) or ""


def _template_url(src: _Source, values: Mapping[str, Any]) -> str:
    """``SEARCHSVC_URL_TEMPLATE`` filled in for the post (see config.URL_PLACEHOLDERS)."""
    when = values.get("date")
    parts = src.relpath.split("/")
    categories = src.meta.get("categories") or src.meta.get("category") or ()
    if isinstance(categories, str):
        categories = categories.replace(",", " ").split()
    fields = {
        "slug": values["slug"],
        "year": f"{when.year:04d}" if when else "",
        "month": f"{when.month:02d}" if when else "",
        "day": f"{when.day:02d}" if when else "",
        "title": _path_part(values["title"]),
        "section": parts[0] if len(parts) > 1 else "",
        "categories": "/".join(_path_part(str(c)) for c in categories if c is not None) if isinstance(categories, (list, tuple)) else "",
        "filename": _strip_suffix(parts[-1]),
        "lang": values.get("lang", ""),
    }
    url = src.settings.url_template.format(**{k: urllib.parse.quote(v, safe="/-_.~") for k, v in fields.items()})
    return re.sub(r"(?<!:)/{2,}", "/", url)


def _path_part(text: str) -> str:
    """A title or category made into a path part: lower case, words joined by "-"."""
    return "-".join(re.findall(r"\w+", text.lower()))


def _permalink(src: _Source) -> str | None:
    """The URL given by permalink/url/path, checked and made root-relative; None if not given."""
    key, value = src.first(*_URL_KEYS)
    if value is None:
        return None
    if not isinstance(value, str):
        raise src.error(key, f"must be text, not {_kind(value)} {_URL_HINT}")
    if "{{" in value or "{%" in value:
        return None  # a template for the site's generator to fill in (see searchsvc.sites)
    link = value.strip()
    bad = PostError(src.relpath, f"is not a safe address: {_show(value)} {_URL_HINT}", key)
    if _has_control(link) or "\\" in link or any(c.isspace() for c in link):
        raise bad
    try:
        parts = urllib.parse.urlsplit(link)
    except ValueError:
        raise bad from None
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise bad
    elif link.startswith("//"):
        raise bad
    elif not link.startswith("/"):
        link = "/" + link
        parts = urllib.parse.urlsplit(link)
    safe = "/:@!$&'()*+,;=%~-._"
    return urllib.parse.urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            urllib.parse.quote(parts.path, safe=safe),
            urllib.parse.quote(parts.query, safe=safe + "?"),
            urllib.parse.quote(parts.fragment, safe=safe + "?#"),
        )
    )


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


# hidden ----------------------------------------------------------------------

_HIDING = (("draft", True), ("published", False), ("search", False), ("unlisted", True))
_TRUTH = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _hidden(src: _Source) -> str:
    for key, hides_when in _HIDING:
        value = src.meta.get(key)
        if value is None or value == "":
            continue
        flag = _truth(value)
        if flag is None:
            raise src.error(key, f"must be true or false, not {_show(value)}")
        if flag is hides_when:
            return f"{key}: {'true' if flag else 'false'}"
    key, _ = src.first("redirect", "redirect_to", "redirectTo")
    if key:
        return key
    if _is_listing_page(src.relpath):
        return "listing page (index of the blog, not a post)"
    return ""


def _is_listing_page(relpath: str) -> bool:
    """The blog's own index at the top of the content folder, and Hugo-style ``_index`` list pages."""
    stem = _strip_suffix(relpath)
    return stem in ("index", "_index") or stem.endswith("/_index")


def _truth(value: Any) -> bool | None:
    """true/false, and the text "true", "yes", "on", "false", "no", "off"; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _TRUTH.get(value.strip().lower())
    return None


# language --------------------------------------------------------------------

_LANG_KEYS = ("lang", "language", "locale")
_LANG_HINT = '(write a code such as "en", "fr" or "pt-BR")'


def _lang(src: _Source) -> str:
    """Frontmatter ``lang``, ``language`` or ``locale``; else the language the file's name or
    folder names (``post.fr.md``, ``fr/post.md``) when the site declares that language;
    else the site's. A value that names no language is a warning, not an error."""
    site = src.settings.language
    key, value = src.first(*_LANG_KEYS)
    if value is not None:
        code = languages.normalize(value)
        if code is not None:
            return code
        src.warn(key, f"names no language we know: {_show(value)} {_LANG_HINT}; the post is analysed as {site!r}")
    return path_language(src.relpath, src.settings.languages) or site


def path_language(relpath: str, declared: tuple[str, ...]) -> str | None:
    """The language a post's path names, among the site's ``declared`` ones: a suffix before
    the extension (Hugo's ``post.fr.md``) or the first folder (``fr/post.md``).

    >>> path_language("posts/hello.fr.md", ("en", "fr")), path_language("de/hallo.md", ("en", "de"))
    ('fr', 'de')
    >>> path_language("posts/v1.2.md", ("en", "fr")) is None
    True
    """
    if not declared:
        return None
    parts = relpath.split("/")
    name = parts[-1].rsplit(".", 1)[0]
    if "." in name:
        code = languages.normalize(name.rsplit(".", 1)[1])
        if code in declared:
            return code
    if len(parts) > 1:
        code = languages.normalize(parts[0]) if len(parts[0]) <= 8 else None
        if code in declared:
            return code
    return None


#: Post field -> the function that cleans it up from the frontmatter and body.
_CLEANERS: dict[str, Callable[[_Source], Any]] = {
    "slug": _slug,
    "url": _url,
    "title": _title,
    "description": _description,
    "date": _date,
    "updated": _updated,
    "tags": _tags,
    "authors": _authors,
    "reading_minutes": _reading_minutes,
    "hidden": _hidden,
    "lang": _lang,
}
