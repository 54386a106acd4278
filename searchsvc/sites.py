"""A site's generator: which files are its posts, and where it publishes each one.

A blog owner points searchsvc at the repository their generator builds. :func:`detect`
recognises the generator from its configuration file at the site's root (or takes the
one ``SEARCHSVC_GENERATOR`` names) and reads, once per reindex, the settings that decide
which files are posts and what their URLs are. A :class:`Site` is plain data (it goes to
the worker processes that parse posts); its methods are pure.

=============  ==============================================  ======================================
generator      recognised by                                   posts
=============  ==============================================  ======================================
jekyll         ``_config.yml`` / ``_config.toml``              ``_posts/`` (any depth), collections
                                                               with ``output: true``
hugo           ``hugo.toml|yaml|json``, or                     every page under ``contentDir`` but
               ``config.toml|yaml|json`` beside ``content/``   ``_index.md`` list pages
zola           ``config.toml`` with ``base_url``               pages under ``content/`` (not
                                                               ``_index.md``)
eleventy       ``eleventy.config.*``, ``.eleventy.js``         Markdown under the input folder
docusaurus     ``docusaurus.config.*``                         ``blog/``
astro          ``astro.config.*``                              ``src/content/blog/``
mkdocs         ``mkdocs.yml`` (blog plugin)                    ``docs/blog/posts/``
hexo           ``_config.yml`` and hexo in ``package.json``    ``source/_posts/`` (any depth)
pelican        ``pelicanconf.py``                              articles under ``PATH`` (not pages)
gatsby         ``gatsby-config.*``                             ``content/blog/`` (the starter's)
=============  ==============================================  ======================================

JavaScript configurations are never run: the settings they write as plain literals
(``pathPrefix: "/blog/"``) are read, and :attr:`Site.problems` says what could not be.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tomllib
import unicodedata
import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .languages import normalize as normalize_language

GENERATORS = ("jekyll", "hugo", "zola", "eleventy", "docusaurus", "astro", "mkdocs", "hexo", "pelican", "gatsby")


class SiteError(ValueError):
    """A site configuration that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class PostFacts:
    """What a post's URL and visibility depend on, as :mod:`searchsvc.posts` read them."""

    relpath: str
    meta: Mapping[str, Any]
    title: str
    date: datetime | None
    slug: str


@dataclass(frozen=True)
class Site:
    generator: str = "none"
    #: Why this generator ("found _config.yml", "SEARCHSVC_GENERATOR=hugo").
    reason: str = "no generator's configuration found"
    #: Settings that could not be read, as sentences (the summary lists them).
    problems: tuple[str, ...] = ()
    #: The site's language, when its configuration names one.
    language: str | None = None
    #: The generator's settings that matter here (see each generator's reader).
    config: Mapping[str, Any] = field(default_factory=dict)
    #: Authors by key, from the site's data: key -> (name, role).
    authors: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def author(self, key: str) -> tuple[str, str] | None:
        """The (name, role) the site's data gives the author ``key``, or None."""
        return self.authors.get(key) or self.authors.get(key.lower())

    @property
    def is_generator(self) -> bool:
        return self.generator != "none"

    def is_post(self, relpath: str) -> bool:
        """Whether the file at ``relpath`` (from the site's root) is a post the generator publishes."""
        return _IS_POST[self.generator](self, relpath) if self.is_generator else True

    def language_of(self, relpath: str) -> str | None:
        """The language the site's layout gives the file (Hugo: a language's own content
        folder), or None."""
        if self.generator == "hugo":
            found = _hugo_place(self, relpath)
            return found[1] or None if found else None
        if self.generator == "docusaurus":
            place = _docusaurus_place(self, relpath)
            return _language(place[0]) if place and place[0] else None
        return None

    def rejected(self, relpath: str) -> str:
        """Why the generator rejects a file it would otherwise read as a post ("" when it does
        not: a page, a data file and the like are simply not posts)."""
        if self.generator == "jekyll":
            place = _jekyll_place(self, relpath)
            if place and place[0] == "posts" and not _FILE_DATE.match(relpath.rsplit("/", 1)[-1]):
                return "is in _posts but not named YYYY-MM-DD-title.md, so Jekyll does not publish it"
        return ""

    def select(self, relpaths: list[str]) -> list[str]:
        """The posts among the Markdown files at ``relpaths`` (from the site's root), in order."""
        if self.generator == "hugo":
            return _hugo_select(self, relpaths)
        return [r for r in relpaths if self.is_post(r)]

    def hidden(self, facts: PostFacts, now: datetime) -> str:
        """Why the generator would not publish this post ("" when it would)."""
        return _HIDDEN.get(self.generator, _never_hidden)(self, facts, now)

    def url(self, facts: PostFacts) -> str:
        return _URL[self.generator](self, facts)

    def to_dict(self) -> dict[str, Any]:
        return {"generator": self.generator, "reason": self.reason, "problems": list(self.problems)}


# ---------------------------------------------------------------------------
# Recognising the generator


def detect(root: Path, forced: str = "") -> Site:
    """The site whose root is ``root``: its generator (``forced`` when set: a name of
    :data:`GENERATORS` or "none") and its settings.

    :raise SiteError: when the generator's configuration cannot be parsed.
    """
    root = Path(root)
    if forced == "none":
        return Site(reason="SEARCHSVC_GENERATOR=none")
    found = _recognise(root)
    if forced:
        config_file = found[1] if found and found[0] == forced else None
        reason = f"SEARCHSVC_GENERATOR={forced}"
        generator = forced
    elif found:
        generator, config_file = found
        reason = f"found {config_file.name}" if config_file else "found content/"
        if generator == "hexo":
            reason += " and hexo in package.json"
    else:
        return Site()
    site = _READERS[generator](root, config_file, reason)
    files = _AUTHOR_FILES.get(generator, ())
    authors = _authors(root, files)
    return replace(site, authors=authors) if authors else site


#: Where each generator keeps its authors' data: files of key -> {name, title|role|...},
#: or folders of one file per author.
_AUTHOR_FILES = {
    "docusaurus": ("blog/authors.yml", "blog/authors.yaml", "blog/authors.json"),
    "jekyll": ("_data/authors.yml", "_data/authors.yaml", "_data/authors.json"),
    "hugo": ("data/authors.yaml", "data/authors.yml", "data/authors.toml", "data/authors.json", "data/authors/"),
}


def _authors(root: Path, places: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """key -> (name, role) from the first of ``places`` that exists. Unreadable entries are
    left out (the post then shows the key as written)."""
    for place in places:
        path = root / place
        entries: dict[str, Any] = {}
        if place.endswith("/") and path.is_dir():
            for item in sorted(path.iterdir()):
                if item.suffix in (".yaml", ".yml", ".toml", ".json"):
                    try:
                        entries[item.stem] = _load(item)
                    except SiteError:
                        continue
        elif path.is_file():
            try:
                entries = _load(path)
            except SiteError:
                return {}
        else:
            continue
        out = {}
        for key, data in entries.items():
            if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"].strip():
                role = data.get("title") or data.get("role") or data.get("bio") or ""
                out[str(key)] = (data["name"].strip(), str(role).strip() if isinstance(role, str) else "")
        return out
    return {}


def _recognise(root: Path) -> tuple[str, Path | None] | None:
    def first(*names: str) -> Path | None:
        for name in names:
            if (root / name).is_file():
                return root / name
        return None

    if found := first("_config.yml", "_config.yaml", "_config.toml"):
        return ("hexo" if _is_hexo(root) else "jekyll"), found
    if found := first("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"):
        return "hugo", found
    if (root / "config.toml").is_file() and (root / "content").is_dir():
        text = (root / "config.toml").read_text(encoding="utf-8", errors="replace")
        if re.search(r"^\s*base_url\s*=", text, re.MULTILINE):
            return "zola", root / "config.toml"
        return "hugo", root / "config.toml"
    if (found := first("config.yaml", "config.yml", "config.json")) and (root / "content").is_dir():
        return "hugo", found
    if found := first(*(f"config/_default/{n}.{e}" for n in ("hugo", "config") for e in ("toml", "yaml", "yml", "json"))):
        return "hugo", found  # Hugo's configuration directory
    if found := first(*(f"eleventy.config.{e}" for e in ("js", "mjs", "cjs", "ts")), ".eleventy.js"):
        return "eleventy", found
    if found := first(*(f"docusaurus.config.{e}" for e in ("js", "mjs", "cjs", "ts"))):
        return "docusaurus", found
    if found := first(*(f"astro.config.{e}" for e in ("mjs", "js", "ts", "mts", "cjs"))):
        return "astro", found
    if found := first("mkdocs.yml", "mkdocs.yaml"):
        return "mkdocs", found
    if found := first("pelicanconf.py"):
        return "pelican", found
    if found := first(*(f"gatsby-config.{e}" for e in ("js", "mjs", "ts"))):
        return "gatsby", found
    return None


def _is_hexo(root: Path) -> bool:
    """Whether a site with ``_config.yml`` is Hexo's (Jekyll has the same file): its
    ``package.json`` depends on hexo, or has the ``hexo`` key that ``hexo init`` writes."""
    try:
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(package, dict):
        return False
    return "hexo" in package or any(isinstance(deps, dict) and "hexo" in deps
               for deps in (package.get("dependencies"), package.get("devDependencies")))


def _load(path: Path | None) -> dict[str, Any]:
    """A YAML, TOML or JSON configuration as a mapping ({} when there is none).

    :raise SiteError: naming the file and the line when it cannot be parsed.
    """
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"{path}: cannot be read ({exc}).") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_Loader)
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(f"{path}: is not valid TOML ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise SiteError(f"{path}, line {exc.lineno}: is not valid JSON ({exc.msg}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SiteError(f"{path}{line}: is not valid YAML ({problem}).") from None
    return data if isinstance(data, dict) else {}


class _Loader(yaml.SafeLoader):
    """YAML as the generators read it; MkDocs' ``!!python/name:`` tags are read as text."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _js_literal(text: str, key: str) -> tuple[str | None, bool]:
    """The string a JavaScript configuration gives ``key`` as a plain literal, and whether the
    key is there at all (written some other way: a variable, a function call)."""
    found = re.search(rf"""\b{re.escape(key)}\s*:\s*(['"`])((?:(?!\1).)*)\1""", text)
    if found:
        return found.group(2), True
    return None, re.search(rf"\b{re.escape(key)}\s*:", text) is not None


def _py_settings(path: Path | None, keys: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``keys`` (name -> default) read from a Python configuration without running it: the
    names given a literal at the top level; problems as sentences."""
    values = dict(keys)
    problems: list[str] = []
    if path is None:
        return values, problems
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except SyntaxError as exc:
        raise SiteError(f"{path}, line {exc.lineno}: is not valid Python ({exc.msg}).") from None
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        if name not in keys:
            continue
        try:
            values[name] = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            values[name] = keys[name]
            problems.append(f"{path.name}: {name} is not written as a plain value; using {keys[name]!r}")
    return values, problems


def _js_settings(path: Path | None, keys: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """``keys`` (key -> default) read from a JavaScript configuration; problems as sentences."""
    text = path.read_text(encoding="utf-8", errors="replace") if path is not None else ""
    values: dict[str, str] = {}
    problems: list[str] = []
    for key, default in keys.items():
        value, present = _js_literal(text, key)
        if value is not None:
            values[key] = value
        else:
            values[key] = default
            if present:
                problems.append(f"{path.name}: {key} is not written as a plain string; using {default!r}")
    return values, problems


# ---------------------------------------------------------------------------
# Placeholders of URL patterns


def _pattern_url(pattern: str, values: Mapping[str, str]) -> str:
    """``pattern`` with each ``:name`` replaced by ``values[name]``; an unknown placeholder is
    kept as written (the site's reader reported it, see :func:`_unknown_placeholders`)."""
    return re.sub(r":([a-z_]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)


def _date_values(when: datetime | None) -> dict[str, str]:
    if when is None:
        return {}
    return {
        "year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}",
        "i_month": str(when.month), "i_day": str(when.day), "short_year": f"{when.year % 100:02d}",
        "y_day": f"{when.timetuple().tm_yday:03d}", "hour": f"{when.hour:02d}", "minute": f"{when.minute:02d}",
        "second": f"{when.second:02d}", "monthname": when.strftime("%B").lower(),
        "short_month": when.strftime("%b"), "long_month": when.strftime("%B"),
        "short_day": when.strftime("%a"), "long_day": when.strftime("%A"),
        "week": f"{when.isocalendar()[1]:02d}", "w_year": str(when.isocalendar()[0]),
        "w_day": str(when.isocalendar()[2]), "weekday": str(when.isoweekday() % 7),
        "weekdayname": when.strftime("%A"), "yearday": str(when.timetuple().tm_yday),
    }


#: The placeholders each generator's permalinks may use.
JEKYLL_PLACEHOLDERS = frozenset(
    "year month i_month day i_day short_year y_day hour minute second short_month long_month short_day "
    "long_day week w_year w_day title slug name categories output_ext collection path".split()
)
HUGO_PLACEHOLDERS = frozenset(
    "year month monthname day weekday weekdayname yearday section sections title slug filename "
    "contentbasename slugorfilename slugorcontentbasename".split()
)


def _in_site_zone(site: Site, when: datetime | None) -> datetime | None:
    """``when`` in the site's ``timezone`` (Jekyll, Hexo, Pelican make URLs from the date
    there); as it is when the site names none, or one that does not exist."""
    if when is None or not site.config.get("timezone"):
        return when
    try:
        return when.astimezone(ZoneInfo(site.config["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        return when


def _unknown_placeholders(where: str, pattern: str, known: frozenset[str]) -> list[str]:
    return [f"{where}: unknown placeholder :{name} in {pattern!r}, kept as written"
            for name in dict.fromkeys(re.findall(r":([a-z_]+)", pattern)) if name not in known]


def _quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/-_.~%:@!$&'()*+,;=")


def _base_path(url: str) -> str:
    """The path part of a site's base URL ("https://x.org/blog/" -> "/blog")."""
    path = urllib.parse.urlsplit(str(url or "")).path
    return path.rstrip("/")


_FILE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[-_](.+)$")


def _stem(relpath: str) -> str:
    name = relpath.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


# ---------------------------------------------------------------------------
# Jekyll


def _read_jekyll(root: Path, config_file: Path | None, reason: str) -> Site:
    config = _load(config_file)
    collections = config.get("collections") or {}
    if isinstance(collections, list):
        collections = {name: {} for name in collections if isinstance(name, str)}
    out = {
        "permalink": str(config.get("permalink") or "date"),
        "baseurl": str(config.get("baseurl") or ""),
        "future": bool(config.get("future")),
        "timezone": str(config.get("timezone") or ""),
        # Front matter defaults that set a permalink: [(path prefix, type or "", permalink)].
        "defaults": [
            (str((d.get("scope") or {}).get("path") or "").strip("/"), str((d.get("scope") or {}).get("type") or ""),
             str(d["values"]["permalink"]))
            for d in (config.get("defaults") or []) if isinstance(d, dict) and isinstance(d.get("values"), dict)
            and isinstance(d["values"].get("permalink"), str) and isinstance(d.get("scope") or {}, dict)
        ],
        "collections_dir": "/".join(p for p in (str(config.get("source") or "").strip("./"),
                                                str(config.get("collections_dir") or "").strip("/")) if p),
        "collections": {
            str(name): {"permalink": str((c or {}).get("permalink") or ""), "output": bool((c or {}).get("output"))}
            for name, c in collections.items() if isinstance(c, (dict, type(None)))
        },
    }
    name = config_file.name if config_file else "_config.yml"
    problems = _unknown_placeholders(f"{name}: permalink", _JEKYLL_STYLES.get(out["permalink"], out["permalink"]),
                                     JEKYLL_PLACEHOLDERS)
    for collection, c in out["collections"].items():
        if c["permalink"]:
            problems += _unknown_placeholders(f"{name}: collections.{collection}.permalink", c["permalink"],
                                              JEKYLL_PLACEHOLDERS)
    return Site("jekyll", reason, tuple(problems), _language(config.get("lang")), out)


_JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def _jekyll_place(site: Site, relpath: str) -> tuple[str, str] | None:
    """("posts", categories from the folders above ``_posts``) or (collection, path inside it)."""
    collections_dir = site.config.get("collections_dir", "")
    if collections_dir:
        if not relpath.startswith(collections_dir + "/"):
            return None
        relpath = relpath[len(collections_dir) + 1:]
    parts = relpath.split("/")
    if "_drafts" in parts[:-1]:
        return None
    if "_posts" in parts[:-1]:
        i = parts.index("_posts")
        return "posts", "/".join(parts[:i])
    if len(parts) > 1 and parts[0].startswith("_"):
        return parts[0][1:], "/".join(parts[1:])
    return None


def _jekyll_is_post(site: Site, relpath: str) -> bool:
    place = _jekyll_place(site, relpath)
    if place is None:
        return False
    if place[0] == "posts":
        return _FILE_DATE.match(relpath.rsplit("/", 1)[-1]) is not None
    collection = site.config["collections"].get(place[0])
    return bool(collection and collection["output"])


def _jekyll_hidden(site: Site, facts: PostFacts, now: datetime) -> str:
    place = _jekyll_place(site, facts.relpath)
    if place and place[0] == "posts" and not site.config["future"] and facts.date and facts.date > now:
        return "dated in the future (Jekyll publishes it then; future: true publishes it now)"
    return ""


def _jekyll_url(site: Site, facts: PostFacts) -> str:
    place = _jekyll_place(site, facts.relpath) or ("posts", "")
    stem = _stem(facts.relpath)
    dated = _FILE_DATE.match(stem)
    title = str(facts.meta.get("slug") or (dated.group(4) if dated else stem))
    categories = _jekyll_categories(facts.meta, place[1] if place[0] == "posts" else "")
    own = facts.meta.get("permalink") or _jekyll_default(site, facts.relpath, place[0])
    if place[0] == "posts":
        pattern = str(own or _JEKYLL_STYLES.get(site.config["permalink"], site.config["permalink"]))
    else:
        collection = site.config["collections"].get(place[0], {})
        pattern = str(own or collection.get("permalink") or "/:collection/:path:output_ext")
        pattern = _JEKYLL_STYLES.get(pattern, pattern)
    path_in = place[1].rsplit(".", 1)[0] if place[0] != "posts" else ""
    when = _in_site_zone(site, facts.date)  # Jekyll makes the URL from the date there
    values = {
        **_date_values(when),
        "title": title,
        "slug": _slugify(title),
        "name": _slugify(stem),
        "categories": "/".join(categories),
        "output_ext": ".html",
        "collection": place[0],
        "path": path_in,
    }
    url = _pattern_url(pattern, values)
    url = re.sub(r"/{2,}", "/", "/" + url.lstrip("/"))
    if url.endswith("/index.html"):
        url = url[: -len("index.html")]
    base = site.config["baseurl"].strip("/")
    return _quote(("/" + base if base else "") + url)


def _jekyll_default(site: Site, relpath: str, kind: str) -> str | None:
    """The permalink the site's front matter defaults give the file (the most specific scope
    wins, as in Jekyll), or None."""
    best: tuple[int, str] | None = None
    for path, type_, permalink in site.config.get("defaults", ()):
        if type_ and type_ != kind:
            continue
        if path and not (relpath == path or relpath.startswith(path + "/")):
            continue
        rank = len(path) * 2 + bool(type_)
        if best is None or rank >= best[0]:
            best = (rank, permalink)
    return best[1] if best else None


def _jekyll_categories(meta: Mapping[str, Any], folders: str) -> list[str]:
    found = [p for p in folders.split("/") if p]
    for key in ("category", "categories"):
        value = meta.get(key)
        if isinstance(value, str):
            found += value.split()
        elif isinstance(value, list):
            found += [str(v) for v in value if v is not None]
    out: list[str] = []
    for c in found:
        c = c.lower()
        if c not in out:
            out.append(c)
    return out


def _slugify(text: str) -> str:
    """Jekyll's default slugify (Eleventy's filter near enough): lower case, runs of anything
    not a letter or digit become "-"."""
    return re.sub(r"[^\w]+|_+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------------------
# Hugo


def _read_hugo(root: Path, config_file: Path | None, reason: str) -> Site:
    config = _load(config_file) if config_file is None or config_file.parent.name != "_default" else {}
    # A configuration directory: hugo.toml (or config.toml) at the top, other files by name
    # (permalinks.toml holds [permalinks], languages.toml [languages]).
    folder = root / "config" / "_default"
    if folder.is_dir():
        for item in sorted(folder.iterdir()):
            if item.suffix in (".toml", ".yaml", ".yml", ".json") and item.is_file():
                data = _load(item)
                if item.stem in ("hugo", "config"):
                    config = {**data, **config}
                else:
                    config.setdefault(item.stem, data)
    lower = {str(k).lower(): v for k, v in config.items()}
    permalinks = lower.get("permalinks") or {}
    if isinstance(permalinks, dict) and isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]  # Hugo 0.112: [permalinks.page]
    languages = lower.get("languages") or {}
    default_language = str(lower.get("defaultcontentlanguage") or "en").lower()
    out = {
        "content_dir": str(lower.get("contentdir") or "content").strip("/"),
        "permalinks": {str(k).strip("/"): str(v) for k, v in permalinks.items() if isinstance(v, str)}
        if isinstance(permalinks, dict) else {},
        "ugly": bool(lower.get("uglyurls")),
        "base": _base_path(lower.get("baseurl") or ""),
        "future": bool(lower.get("buildfuture")),
        "expired": bool(lower.get("buildexpired")),
        "languages": sorted(str(k).lower() for k in languages) if isinstance(languages, dict) else [],
        # A language's own content folder ([languages.fr] contentDir = "content/fr").
        "lang_dirs": {
            str(v.get("contentDir") or v.get("contentdir")).strip("/"): str(k).lower()
            for k, v in (languages.items() if isinstance(languages, dict) else ())
            if isinstance(v, dict) and (v.get("contentDir") or v.get("contentdir"))
        },
        "default_language": default_language,
        "in_subdir": bool(lower.get("defaultcontentlanguageinsubdir")),
        "lower": not bool(lower.get("disablepathtolower")),
    }
    language = _language(lower.get("languagecode")) if not languages else None
    name = config_file.name if config_file else "hugo.toml"
    problems = [p for section, pattern in out["permalinks"].items()
                for p in _unknown_placeholders(f"{name}: permalinks.{section}", pattern, HUGO_PLACEHOLDERS)]
    return Site("hugo", reason, tuple(problems), language or _language(default_language), out)


def _hugo_place(site: Site, relpath: str) -> tuple[list[str], str] | None:
    """(path inside the content folder, the folder's language or "") of a file."""
    parts = relpath.split("/")
    for folder, lang in (*site.config.get("lang_dirs", {}).items(), (site.config["content_dir"], "")):
        prefix = folder.split("/") if folder else []
        if parts[: len(prefix)] == prefix and len(parts) > len(prefix):
            return parts[len(prefix):], lang
    return None


def _hugo_is_post(site: Site, relpath: str) -> bool:
    found = _hugo_place(site, relpath)
    return found is not None and found[0][-1].rsplit(".", 1)[0].split(".")[0] != "_index"


def _hugo_select(site: Site, relpaths: list[str]) -> list[str]:
    """Hugo's pages: not the other Markdown files of a leaf bundle (a folder with an
    ``index.md``), which are its resources."""
    bundles = {r.rsplit("/", 1)[0] + "/" for r in relpaths
               if "/" in r and r.rsplit("/", 1)[1].split(".")[0] == "index" and _hugo_is_post(site, r)}
    return [r for r in relpaths if _hugo_is_post(site, r) and not (
        r.rsplit("/", 1)[1].split(".")[0] != "index" and any(r.startswith(b) for b in bundles))]


def _hugo_hidden(site: Site, facts: PostFacts, now: datetime) -> str:
    meta = facts.meta
    expiry = _when(meta.get("expiryDate") or meta.get("expirydate"))
    if not site.config["expired"] and expiry is not None and expiry < now:
        return "expired (expiryDate is past)"
    when = _when(meta.get("publishDate") or meta.get("publishdate")) or facts.date
    if not site.config["future"] and when is not None and when > now:
        return "dated in the future (Hugo publishes it then; buildFuture publishes it now)"
    return ""


def _when(value: Any) -> datetime | None:
    """A frontmatter date (a YAML date or datetime, or ISO text) as an aware datetime, or None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return None


def hugo_urlize(text: str, lower: bool = True) -> str:
    """A title made into a URL path the way Hugo does it (its UnicodeSanitize): letters, digits,
    marks and ``. / \\ _ # ~ -`` kept, anything else dropped, a run of spaces a hyphen before
    the next kept character (none next to a hyphen), then lower case.

    >>> hugo_urlize("Hugo 0.111.3 Released: What's New?")
    'hugo-0.111.3-released-whats-new'
    >>> hugo_urlize("C++ & Rust: the 10x/2 guide (v1.2)"), hugo_urlize("Hello   World -- again_ok ~tilde")
    ('c-rust-the-10x/2-guide-v1.2', 'hello-world--again_ok-~tilde')
    """
    out: list[str] = []
    prepend = was_hyphen = False
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch in "./\\_#~-" or category[0] in "LM" or category == "Nd":
            was_hyphen = ch == "-"
            if prepend:
                if not was_hyphen:
                    out.append("-")
                prepend = False
            out.append(ch)
        elif out and not was_hyphen and ch.isspace():
            prepend = True
    path = "".join(out)
    return path.lower() if lower else path


def _hugo_url(site: Site, facts: PostFacts) -> str:
    parts, folder_lang = _hugo_place(site, facts.relpath) or (facts.relpath.split("/"), "")
    name_parts = parts[-1].rsplit(".", 1)[0].split(".")
    lang = name_parts[1].lower() if len(name_parts) > 1 and name_parts[1].lower() in site.config["languages"] else ""
    lang = lang or folder_lang
    stem = name_parts[0]
    folders = parts[:-1]
    bundle = stem == "index" and folders
    base_name = folders[-1] if bundle else stem
    if bundle:
        folders = folders[:-1]
    lower = site.config["lower"]
    prefix = site.config["base"]
    if lang and (lang != site.config["default_language"] or site.config["in_subdir"]):
        prefix = f"{prefix}/{lang}"
    own = facts.meta.get("url")
    if isinstance(own, str) and own.strip():
        return _quote(prefix + "/" + own.strip().lstrip("/"))
    slug = facts.meta.get("slug")
    slug = hugo_urlize(str(slug), lower) if isinstance(slug, str) and slug.strip() else ""
    section = folders[0] if folders else ""
    pattern = site.config["permalinks"].get(section)
    if pattern and folders:
        values = {
            **_date_values(facts.date),
            "section": section, "sections": "/".join(folders),
            "slug": slug or hugo_urlize(facts.title, lower),
            "title": hugo_urlize(facts.title, lower),
            "filename": base_name, "contentbasename": base_name, "slugorfilename": slug or base_name,
            "slugorcontentbasename": slug or base_name,
        }
        path = _pattern_url(pattern, values)
    else:
        path = "/".join([*folders, slug or base_name]) + "/"
    if lower:
        path = path.lower()
    if site.config["ugly"] and path.endswith("/"):
        path = path.rstrip("/") + ".html"
    return _quote(re.sub(r"/{2,}", "/", prefix + "/" + path.lstrip("/")))


# ---------------------------------------------------------------------------
# Zola


def _read_zola(root: Path, config_file: Path | None, reason: str) -> Site:
    config = _load(config_file)
    return Site("zola", reason, (), _language(config.get("default_language")),
                {"base": _base_path(config.get("base_url") or "")})


def _zola_is_post(site: Site, relpath: str) -> bool:
    parts = relpath.split("/")
    return parts[0] == "content" and len(parts) > 1 and _stem(relpath) != "_index"


def _zola_url(site: Site, facts: PostFacts) -> str:
    own = facts.meta.get("path")
    if isinstance(own, str) and own.strip():
        return _quote(site.config["base"] + "/" + own.strip().strip("/") + "/")
    parts = facts.relpath.split("/")[1:]
    stem = _stem(facts.relpath)
    folders = parts[:-1]
    if stem == "index" and folders:
        stem, folders = folders[-1], folders[:-1]
    dated = _FILE_DATE.match(stem)
    slug = facts.meta.get("slug")
    name = str(slug) if isinstance(slug, str) and slug.strip() else _ascii_slug(dated.group(4) if dated else stem)
    return _quote(site.config["base"] + "/" + "/".join([*folders, name]) + "/")


def _ascii_slug(text: str) -> str:
    """Accents dropped, lower case, runs of anything not a-z or 0-9 a "-" (Zola, MkDocs)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


# ---------------------------------------------------------------------------
# Eleventy, Docusaurus, Astro, MkDocs


def _read_eleventy(root: Path, config_file: Path | None, reason: str) -> Site:
    values, problems = _js_settings(config_file, {"input": ".", "pathPrefix": "/"})
    source = values["input"].strip().strip("/")
    source = "" if source in (".", "./", "") else source.removeprefix("./")
    # Directory data files (posts/posts.json, posts/posts.11tydata.json) may give every file
    # of a folder its permalink.
    permalinks: dict[str, str] = {}
    base = root / source if source else root
    for data_file in sorted(base.rglob("*.json")) if base.is_dir() else ():
        folder = data_file.parent
        if "node_modules" in data_file.parts or data_file.name not in (f"{folder.name}.json", f"{folder.name}.11tydata.json"):
            continue
        try:
            data = json.loads(data_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append(f"{data_file.relative_to(root)}: cannot be read as JSON; its settings are not used")
            continue
        if isinstance(data, dict) and isinstance(data.get("permalink"), str):
            permalinks[folder.relative_to(base).as_posix()] = data["permalink"]
    return Site("eleventy", reason, tuple(problems), None, {
        "input": source,
        "prefix": "/" + values["pathPrefix"].strip("/") if values["pathPrefix"].strip("/") else "",
        "permalinks": permalinks,
    })


_ELEVENTY_SKIP = {"_includes", "_data", "_site", "node_modules", "_layouts"}


def _eleventy_inside(site: Site, relpath: str) -> list[str] | None:
    """The file's path inside the input folder, as parts (None when outside it)."""
    parts = relpath.split("/")
    source = site.config["input"].split("/") if site.config["input"] else []
    if parts[: len(source)] != source:
        return None
    return parts[len(source):]


def _eleventy_is_post(site: Site, relpath: str) -> bool:
    parts = _eleventy_inside(site, relpath)
    return bool(parts) and not any(p in _ELEVENTY_SKIP for p in parts[:-1])


#: What a permalink's template may say, and how (Nunjucks or Liquid): the file's slug and path.
_ELEVENTY_VARIABLE = re.compile(r"\{\{-?\s*([\w.]+)\s*(?:\|\s*(slugify|slug)\s*)?-?\}\}")


def _eleventy_url(site: Site, facts: PostFacts) -> str:
    parts = _eleventy_inside(site, facts.relpath) or facts.relpath.split("/")
    stem = _stem(facts.relpath)
    folders = parts[:-1]
    own = facts.meta.get("permalink")
    if not isinstance(own, str):
        own = next((site.config["permalinks"][f] for f in ("/".join(folders[:i]) for i in range(len(folders), -1, -1))
                    if f in site.config.get("permalinks", {})), None)
    if isinstance(own, str) and own.strip():
        dated = _FILE_DATE.match(stem)
        file_slug = folders[-1] if stem == "index" and folders else (dated.group(4) if dated else stem)
        values = {
            "page.fileSlug": file_slug,
            "page.filePathStem": "/" + "/".join([*folders, stem]),
            "title": facts.title,
        }

        def fill(m: re.Match) -> str:
            value = values.get(m.group(1))
            if value is None:
                raise KeyError(m.group(1))
            return _slugify(value) if m.group(2) or m.group(1) == "title" else value

        try:
            link = _ELEVENTY_VARIABLE.sub(fill, own.strip())
        except KeyError:
            link = ""
        if link and "{" not in link:
            return _quote(site.config["prefix"] + "/" + link.lstrip("/"))
    if stem == "index" or (folders and stem == folders[-1]):
        path = "/".join(folders)
    else:
        path = "/".join([*folders, stem])
    return _quote(site.config["prefix"] + "/" + (path + "/" if path else ""))


def _read_docusaurus(root: Path, config_file: Path | None, reason: str) -> Site:
    values, problems = _js_settings(config_file, {"baseUrl": "/", "routeBasePath": "blog", "defaultLocale": ""})
    return Site("docusaurus", reason, tuple(problems), _language(values["defaultLocale"]),
                {"base": values["baseUrl"].rstrip("/"), "route": values["routeBasePath"].strip("/"),
                 "dir": "blog", "locale": values["defaultLocale"]})


_DOCUSAURUS_I18N = re.compile(r"^i18n/([^/]+)/docusaurus-plugin-content-blog/(.+)$")


def _docusaurus_place(site: Site, relpath: str) -> tuple[str, str] | None:
    """(locale or "", path inside the blog folder) of a blog post: ``blog/x.md``, or a
    translation, ``i18n/fr/docusaurus-plugin-content-blog/x.md``."""
    found = _DOCUSAURUS_I18N.match(relpath)
    if found:
        return found.group(1), found.group(2)
    parts = relpath.split("/")
    if parts[0] == site.config["dir"] and len(parts) > 1:
        return "", "/".join(parts[1:])
    return None


def _docusaurus_is_post(site: Site, relpath: str) -> bool:
    place = _docusaurus_place(site, relpath)
    return place is not None and not place[1].rsplit("/", 1)[-1].startswith("_")


def _docusaurus_url(site: Site, facts: PostFacts) -> str:
    locale, inner = _docusaurus_place(site, facts.relpath) or ("", facts.relpath)
    base = site.config["base"] + (f"/{locale}" if locale and locale != site.config.get("locale") else "")
    base += "/" + site.config["route"] if site.config["route"] else ""
    own = facts.meta.get("slug")
    if isinstance(own, str) and own.strip():
        return _quote(base + "/" + own.strip().lstrip("/"))
    parts = inner.split("/")
    stem = _stem(facts.relpath)
    folders = parts[:-1]
    if stem == "index" and folders:
        stem, folders = folders[-1], folders[:-1]
    dated = _FILE_DATE.match(stem)
    if dated:
        year, month, day, name = dated.groups()
        path = "/".join([*folders, f"{int(year):04d}/{int(month):02d}/{int(day):02d}", name])
    else:
        path = "/".join([*folders, stem])
    return _quote(base + "/" + path)


def _read_astro(root: Path, config_file: Path | None, reason: str) -> Site:
    values, problems = _js_settings(config_file, {"base": "/"})
    return Site("astro", reason, tuple(problems), None, {"base": "/" + values["base"].strip("/") if values["base"].strip("/") else ""})


def _astro_is_post(site: Site, relpath: str) -> bool:
    return relpath.startswith("src/content/blog/")


def _astro_url(site: Site, facts: PostFacts) -> str:
    own = facts.meta.get("slug")
    inner = facts.relpath[len("src/content/blog/"):].rsplit(".", 1)[0]
    if inner.endswith("/index"):
        inner = inner[: -len("/index")]
    slug = str(own).strip("/") if isinstance(own, str) and own.strip() else inner.lower()
    return _quote(site.config["base"] + "/blog/" + slug + "/")


def _read_gatsby(root: Path, config_file: Path | None, reason: str) -> Site:
    """Gatsby's starter blog: posts under ``content/blog/``, each at its path there (what
    ``createFilePath`` makes the page's slug), under ``pathPrefix``."""
    values, problems = _js_settings(config_file, {"pathPrefix": "/"})
    prefix = values["pathPrefix"].strip("/")
    return Site("gatsby", reason, tuple(problems), None, {"base": "/" + prefix if prefix else ""})


def _gatsby_is_post(site: Site, relpath: str) -> bool:
    return relpath.startswith("content/blog/")


def _gatsby_url(site: Site, facts: PostFacts) -> str:
    inner = facts.relpath[len("content/blog/"):].rsplit(".", 1)[0]
    if inner == "index" or inner.endswith("/index"):
        inner = inner[: -len("index")].rstrip("/")
    return _quote(site.config["base"] + "/" + inner + "/" if inner else site.config["base"] + "/")


def _read_mkdocs(root: Path, config_file: Path | None, reason: str) -> Site:
    config = _load(config_file)
    blog: dict[str, Any] = {}
    for plugin in config.get("plugins") or ():
        if isinstance(plugin, dict) and isinstance(plugin.get("blog"), dict):
            blog = plugin["blog"]
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    return Site("mkdocs", reason, (), _language(theme.get("language")), {
        "docs": str(config.get("docs_dir") or "docs").strip("/"),
        "blog": str(blog.get("blog_dir") or "blog").strip("/"),
        "format": str(blog.get("post_url_format") or "{date}/{slug}"),
        "date_format": str(blog.get("post_url_date_format") or "yyyy/MM/dd"),
        "base": _base_path(config.get("site_url") or ""),
    })


def _mkdocs_is_post(site: Site, relpath: str) -> bool:
    return relpath.startswith(f"{site.config['docs']}/{site.config['blog']}/posts/")


def _mkdocs_url(site: Site, facts: PostFacts) -> str:
    own = facts.meta.get("slug")
    slug = str(own) if isinstance(own, str) and own.strip() else _ascii_slug(facts.title)
    date_text = ""
    if facts.date is not None:
        fmt = site.config["date_format"]
        date_text = (fmt.replace("yyyy", f"{facts.date.year:04d}").replace("MM", f"{facts.date.month:02d}")
                     .replace("dd", f"{facts.date.day:02d}"))
    path = site.config["format"].replace("{date}", date_text).replace("{slug}", slug).replace("{file}", _stem(facts.relpath))
    return _quote(site.config["base"] + "/" + site.config["blog"] + "/" + path.strip("/") + "/")


# ---------------------------------------------------------------------------
# Hexo

HEXO_PLACEHOLDERS = frozenset("year month i_month day i_day hour minute second title name post_title category hash".split())


def _read_hexo(root: Path, config_file: Path | None, reason: str) -> Site:
    config = _load(config_file)
    language = config.get("language")
    if isinstance(language, list):  # the first is the site's
        language = language[0] if language else None
    root_path = str(config.get("root") or _base_path(config.get("url") or "") or "/")
    out = {
        "permalink": str(config.get("permalink") or ":year/:month/:day/:title/"),
        "root": "/" + root_path.strip("/") if root_path.strip("/") else "",
        "source": str(config.get("source_dir") or "source").strip("./") or "source",
        "new_post_name": str(config.get("new_post_name") or ":title.md"),
        "default_category": str(config.get("default_category") or "uncategorized"),
        "timezone": str(config.get("timezone") or ""),
        "future": config.get("future", True) is not False,
    }
    name = config_file.name if config_file else "_config.yml"
    problems = _unknown_placeholders(f"{name}: permalink", out["permalink"], HEXO_PLACEHOLDERS)
    return Site("hexo", reason, tuple(problems), _language(language), out)


def _hexo_place(site: Site, relpath: str) -> str | None:
    """The path of a post inside ``source/_posts/``, or None for any other file. Hexo leaves
    out files and folders whose names start with "_" or "." (drafts are in ``_drafts``)."""
    prefix = site.config["source"] + "/_posts/"
    if not relpath.startswith(prefix):
        return None
    inside = relpath[len(prefix):]
    return None if any(p.startswith(("_", ".")) for p in inside.split("/")) else inside


def _hexo_is_post(site: Site, relpath: str) -> bool:
    return _hexo_place(site, relpath) is not None


def _hexo_hidden(site: Site, facts: PostFacts, now: datetime) -> str:
    if facts.meta.get("published") is False:
        return "published: false (Hexo does not publish it)"
    if not site.config["future"] and facts.date and facts.date > now:
        return "dated in the future (Hexo publishes it then; future: true publishes it now)"
    return ""


def _hexo_slugize(text: str, lower: bool = False) -> str:
    """hexo-util's slugize: accents dropped, runs of spaces and punctuation a "-"."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = re.sub(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+", "-", re.sub(r"[\x00-\x1f]", "", folded))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    return slug.lower() if lower else slug


def _hexo_title(new_post_name: str, path: str) -> str:
    """What ``:title`` is for the post at ``path`` (inside ``_posts``, no extension), as Hexo
    reads the path with ``new_post_name``: what its ``:title`` matched (":year-:month-:day-:title.md"
    leaves the date out), and the path slugized where the path does not match it.

    >>> _hexo_title(":title.md", "notes/deep"), _hexo_title(":year-:month-:day-:title.md", "2024-01-15-hello")
    ('notes/deep', 'hello')
    >>> _hexo_title(":year-:month-:day-:title.md", "notes/deep")
    'notes-deep'
    """
    pattern = new_post_name.rsplit(".", 1)[0] if "." in new_post_name else new_post_name
    segments = {"year": r"(\d{4})", "month": r"(\d{2})", "day": r"(\d{2})", "i_month": r"(\d{1,2})",
                "i_day": r"(\d{1,2})", "hash": r"([0-9a-f]{12})", "title": r"(?P<title>.+?)"}
    expression = "".join(segments.get(part[1:], r"(.+?)") if part.startswith(":") else re.escape(part)
                         for part in re.split(r"(:[a-z_]+)", pattern) if part)
    found = re.match(f"^{expression}$", path)
    if found and found.groupdict().get("title") is not None:
        return found.group("title")
    return _hexo_slugize(path)


def _hexo_category(site: Site, meta: Mapping[str, Any]) -> str:
    """``:category``: the path of the post's last category ("Tech/Web-Dev" for ``[Tech, Web Dev]``,
    a hierarchy), each name slugized; the site's default category when it has none."""
    value = meta.get("categories", meta.get("category"))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        return site.config["default_category"]
    last = value[-1] if isinstance(value[-1], list) else value  # [[A, B], [C]]: several hierarchies
    names = [str(v) for v in last if v is not None]
    return "/".join(_hexo_slugize(n) for n in names) or site.config["default_category"]


def _hexo_url(site: Site, facts: PostFacts) -> str:
    inside = _hexo_place(site, facts.relpath) or _stem(facts.relpath)
    own = facts.meta.get("permalink")
    if isinstance(own, str) and own.strip():
        path = own.strip()
    else:
        title = _hexo_title(site.config["new_post_name"], inside.rsplit(".", 1)[0])
        when = _in_site_zone(site, facts.date)
        values = {
            **{k: v for k, v in _date_values(when).items() if k in HEXO_PLACEHOLDERS},
            "title": title,
            "name": title.rsplit("/", 1)[-1],
            "post_title": _hexo_slugize(facts.title, lower=True),
            "category": _hexo_category(site, facts.meta),
        }
        if when is not None:
            values["hash"] = hashlib.sha1(f"{title}{int(when.timestamp())}".encode()).hexdigest()[:12]
        path = _pattern_url(site.config["permalink"], values)
    url = re.sub(r"/{2,}", "/", site.config["root"] + "/" + path.lstrip("/"))
    if url.endswith("/index.html"):
        url = url[: -len("index.html")]
    return _quote(url)


# ---------------------------------------------------------------------------
# Pelican

_PELICAN_SETTINGS = {
    "PATH": ".", "ARTICLE_PATHS": [""], "PAGE_PATHS": ["pages"], "ARTICLE_EXCLUDES": None,
    "ARTICLE_URL": "{slug}.html", "SITEURL": "", "DEFAULT_LANG": "en", "TIMEZONE": "",
    "DEFAULT_CATEGORY": "misc", "USE_FOLDER_AS_CATEGORY": True, "AUTHOR": "",
}
_PELICAN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def _read_pelican(root: Path, config_file: Path | None, reason: str) -> Site:
    values, problems = _py_settings(config_file, _PELICAN_SETTINGS)

    def folders(value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
        return [str(v).strip("/") for v in items if isinstance(v, str)]

    path = str(values["PATH"] or ".").strip("/")
    pages = folders(values["PAGE_PATHS"])
    excludes = folders(values["ARTICLE_EXCLUDES"]) if values["ARTICLE_EXCLUDES"] is not None else pages
    out = {
        "path": "" if path in (".", "./", "") else path.removeprefix("./"),
        "articles": folders(values["ARTICLE_PATHS"]) or [""],
        "excludes": excludes,
        "url": str(values["ARTICLE_URL"] or "{slug}.html"),
        "base": _base_path(values["SITEURL"]),
        "timezone": str(values["TIMEZONE"] or ""),
        "default_category": str(values["DEFAULT_CATEGORY"] or "misc"),
        "folder_category": bool(values["USE_FOLDER_AS_CATEGORY"]),
        "author": str(values["AUTHOR"] or ""),
        "lang": str(values["DEFAULT_LANG"] or "en"),
    }
    return Site("pelican", reason, tuple(problems), _language(out["lang"]), out)


def _pelican_inside(site: Site, relpath: str) -> str | None:
    """The path of ``relpath`` inside the content folder (``PATH``), or None outside it."""
    base = site.config["path"]
    if not base:
        return relpath
    return relpath[len(base) + 1:] if relpath.startswith(base + "/") else None


def _pelican_is_post(site: Site, relpath: str) -> bool:
    inside = _pelican_inside(site, relpath)
    if inside is None or not inside.lower().endswith(_PELICAN_SUFFIXES):
        return False

    def under(folder: str) -> bool:
        return not folder or inside.startswith(folder + "/")

    return any(under(f) for f in site.config["articles"]) and not any(
        f and under(f) for f in site.config["excludes"])


def _pelican_slug(text: str) -> str:
    """Pelican's slugify with its default substitutions: ASCII only, punctuation out, runs of
    spaces and hyphens one hyphen, lower case ("Mon titre à moi" -> "mon-titre-a-moi")."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip()
    return re.sub(r"[-\s]+", "-", value).lower()


def _pelican_url(site: Site, facts: PostFacts) -> str:
    inside = _pelican_inside(site, facts.relpath) or facts.relpath
    own = facts.meta.get("slug")
    slug = str(own).strip() if isinstance(own, str) and own.strip() else _pelican_slug(facts.title)
    category = facts.meta.get("categories", facts.meta.get("category"))
    if isinstance(category, list):
        category = category[0] if category else None
    folder = inside.rsplit("/", 1)[0] if "/" in inside else ""
    if not isinstance(category, str) or not category.strip():
        category = folder.split("/")[-1] if folder and site.config["folder_category"] else site.config["default_category"]
    author = facts.meta.get("authors", facts.meta.get("author")) or site.config["author"]
    if isinstance(author, list):
        author = author[0] if author else ""
    when = _in_site_zone(site, facts.date)
    lang = facts.meta.get("lang")
    values = {"slug": slug, "category": _pelican_slug(str(category)), "author": _pelican_slug(str(author or "")),
              "lang": str(lang) if isinstance(lang, str) and lang else site.config["lang"]}

    def fill(found: re.Match) -> str:
        name, spec = found.group(1), found.group(2)
        if name == "date":
            return when.strftime(spec or "%Y-%m-%d") if when is not None else found.group(0)
        return values.get(name, found.group(0))

    path = re.sub(r"\{(\w+)(?::([^}]*))?\}", fill, site.config["url"])
    return _quote(site.config["base"] + "/" + path.lstrip("/"))


# ---------------------------------------------------------------------------


def _language(value: Any) -> str | None:
    return normalize_language(value) if isinstance(value, str) else None


def _never_hidden(site: Site, facts: PostFacts, now: datetime) -> str:
    return ""


_READERS = {
    "jekyll": _read_jekyll, "hugo": _read_hugo, "zola": _read_zola, "eleventy": _read_eleventy,
    "docusaurus": _read_docusaurus, "astro": _read_astro, "mkdocs": _read_mkdocs, "hexo": _read_hexo,
    "pelican": _read_pelican,
    "gatsby": _read_gatsby,
}
_IS_POST = {
    "jekyll": _jekyll_is_post, "hugo": _hugo_is_post, "zola": _zola_is_post, "eleventy": _eleventy_is_post,
    "docusaurus": _docusaurus_is_post, "astro": _astro_is_post, "mkdocs": _mkdocs_is_post, "hexo": _hexo_is_post,
    "pelican": _pelican_is_post,
    "gatsby": _gatsby_is_post,
}
_HIDDEN = {"jekyll": _jekyll_hidden, "hugo": _hugo_hidden, "hexo": _hexo_hidden}
_URL = {
    "jekyll": _jekyll_url, "hugo": _hugo_url, "zola": _zola_url, "eleventy": _eleventy_url,
    "docusaurus": _docusaurus_url, "astro": _astro_url, "mkdocs": _mkdocs_url, "hexo": _hexo_url,
    "pelican": _pelican_url,
    "gatsby": _gatsby_url,
}
