"""What a blog owner adds to the ranking by hand: synonyms and pinned results.

Two small files, named by settings, read by a serving process and read again within a few
seconds of a change (no restart, no reindex):

- ``SEARCHSVC_SYNONYMS``: one rule per line. ``js, javascript, ecmascript``: words (or
  phrases) that mean the same, each finding the others. ``k8s => kubernetes``: one way only
  (``k8s`` finds kubernetes; ``kubernetes`` does not find k8s); ``a, b => c`` is both ``a => c``
  and ``b => c``. ``#`` starts a comment at the start of a line or after a space (``c#``
  is a word). Case does not matter.
- ``SEARCHSVC_PINS``: TOML, ``[[pin]]`` tables with ``query`` (a string) and ``urls`` (a list of
  post URLs, as the API gives them): a search for that query, written any way that normalises
  to the same text (:func:`searchsvc.query.normalize_query`), shows those posts first, in that
  order.

A line or table that cannot be used is a logged warning naming the file and its line, and is
left out; the rest applies. A file that is missing or unreadable applies nothing (and says so
once). Nothing here ever fails a search.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .query import normalize_query

log = logging.getLogger("searchsvc.curation")

#: Seconds between two looks at the files' modification times (a change applies within this).
CHECK_EVERY = 2.0
#: Other terms one term may bring into a query (each one is searched for: work per query).
MAX_ALTERNATIVES = 8
#: Words in the longest term a rule may have.
MAX_TERM_WORDS = 6
#: Characters of the longest term.
MAX_TERM_CHARS = 100
#: Posts one pin may put first.
MAX_PINNED = 20
#: Files larger than this are not read (a rule file is a few kilobytes).
MAX_FILE_BYTES = 1024 * 1024

_COMMENT = re.compile(r"(?:^|\s)#.*$")


@dataclass(frozen=True)
class Synonyms:
    """Rules read from a synonyms file: a term (its words, case-folded) -> the terms it also finds."""

    rules: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    #: Words in the longest term that has rules (0: no rules).
    longest: int = 0

    def get(self, words: tuple[str, ...]) -> tuple[str, ...]:
        return self.rules.get(tuple(w.casefold() for w in words), ())


def _term(raw: str) -> str | None:
    """A term as written in a rule, spaces collapsed; None when it cannot be one."""
    text = " ".join(raw.replace('"', " ").split())
    if not text or len(text) > MAX_TERM_CHARS or len(text.split()) > MAX_TERM_WORDS:
        return None
    return text


def parse_synonyms(text: str, source: str = "synonyms") -> tuple[Synonyms, list[str]]:
    """The rules of a synonyms file and a warning per line that cannot be used.

    >>> rules, problems = parse_synonyms("js, JavaScript  # the language\\nk8s => kubernetes\\noops")
    >>> rules.get(("JS",)), rules.get(("k8s",)), rules.get(("kubernetes",))
    (('JavaScript',), ('kubernetes',), ())
    >>> problems
    ['synonyms line 3: "oops" has no comma and no =>; write "a, b" (the same) or "a => b" (a finds b).']
    """
    found: dict[tuple[str, ...], list[str]] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        where = f"{source} line {number}"
        if line.count("=>") > 1:
            problems.append(f'{where}: "{line[:60]}" has more than one =>; write "a => b".')
            continue
        if "=>" in line:
            left, right = line.split("=>")
            sources, targets = left.split(","), right.split(",")
        elif "," in line:
            sources = targets = line.split(",")
        else:
            problems.append(f'{where}: "{line[:60]}" has no comma and no =>; write "a, b" (the same) or "a => b" (a finds b).')
            continue
        terms_from = [_term(t) for t in sources]
        terms_to = [_term(t) for t in targets]
        if None in terms_from or None in terms_to:
            problems.append(
                f'{where}: "{line[:60]}" has an empty term, or one longer than {MAX_TERM_WORDS} words '
                f"or {MAX_TERM_CHARS} characters."
            )
            continue
        if len({t.casefold() for t in (*terms_from, *terms_to)}) < 2:
            problems.append(f'{where}: "{line[:60]}" names one term only; a rule needs two.')
            continue
        for term in terms_from:
            key = tuple(term.casefold().split())
            alternatives = found.setdefault(key, [])
            for other in terms_to:
                if other.casefold() != term.casefold() and other.casefold() not in (a.casefold() for a in alternatives):
                    alternatives.append(other)
    rules = {}
    for key, alternatives in found.items():
        if len(alternatives) > MAX_ALTERNATIVES:
            problems.append(
                f"{source}: \"{' '.join(key)}\" has {len(alternatives)} other terms; the first {MAX_ALTERNATIVES} are used."
            )
        rules[key] = tuple(alternatives[:MAX_ALTERNATIVES])
    return Synonyms(rules, max((len(k) for k in rules), default=0)), problems


@dataclass(frozen=True)
class Pins:
    """Pinned results: a normalised query -> the URLs of the posts it shows first, in order."""

    by_query: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, query: str) -> tuple[str, ...]:
        return self.by_query.get(normalize_query(query), ()) if self.by_query else ()


_PIN_HEADER = re.compile(r"^\s*\[\[\s*pin\s*\]\]\s*(?:#.*)?$")


def parse_pins(text: str, source: str = "pins") -> tuple[Pins, list[str]]:
    """The pins of a pins file and a warning per table (or line) that cannot be used.

    Each ``[[pin]]`` table is read on its own, so a mistake in one (even bad TOML) leaves
    the others applying.

    >>> pins, problems = parse_pins('[[pin]]\\nquery = "Install"\\nurls = ["/blog/setup"]\\n[[pin]]\\nquery = ""')
    >>> pins.get("  INSTALL "), problems
    (('/blog/setup',), ['pins line 4: this [[pin]] has no query (write query = "the words readers type").'])
    """
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _PIN_HEADER.match(line)]
    problems: list[str] = []
    head = _table_problem("\n".join(lines[: starts[0] if starts else len(lines)]), source)
    if head:
        problems.append(head)
    by_query: dict[str, tuple[str, ...]] = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        chunk = "\n".join(lines[start:end])
        where = f"{source} line {start + 1}"
        try:
            table = tomllib.loads(chunk)["pin"][0]
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{source} line {start + _error_line(exc, chunk)}: this [[pin]] is not valid TOML ({_reason(exc)}).")
            continue
        query = table.get("query")
        urls = table.get("urls")
        if not isinstance(query, str) or not normalize_query(query):
            problems.append(f'{where}: this [[pin]] has no query (write query = "the words readers type").')
            continue
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u.strip() for u in urls):
            problems.append(f'{where}: this [[pin]] needs urls, a list of post URLs (urls = ["/blog/a-post"]).')
            continue
        unknown = sorted(set(table) - {"query", "urls"})
        if unknown:
            problems.append(f"{where}: {', '.join(unknown)} is not a setting of a pin (only query and urls are); ignored.")
        key = normalize_query(query)
        if key in by_query:
            problems.append(f'{where}: "{query[:60]}" is pinned by an earlier [[pin]] too; this one is used.')
        if len(urls) > MAX_PINNED:
            problems.append(f"{where}: {len(urls)} urls; the first {MAX_PINNED} are used.")
        by_query[key] = tuple(dict.fromkeys(u.strip() for u in urls))[:MAX_PINNED]
    return Pins(by_query), problems


def _table_problem(text: str, source: str) -> str | None:
    """What is wrong with the text before the first ``[[pin]]`` (comments only is right)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return f"{source} line {_error_line(exc, text)}: not valid TOML ({_reason(exc)}); pins start with [[pin]]."
    if data:
        return f"{source} line 1: {', '.join(sorted(data))} is outside any [[pin]] table; ignored (pins start with [[pin]])."
    return None


def _error_line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    """The line (of ``text``, from 1) that tomllib's error names; its last line at "end of document"."""
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else max(len(text.splitlines()), 1)


def _reason(exc: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at .*?\)$", "", str(exc))


@dataclass(frozen=True)
class Rules:
    """The synonyms and pins that apply now, and a number that changes whenever they do
    (answers cached under other rules are not reused)."""

    synonyms: Synonyms = field(default_factory=Synonyms)
    pins: Pins = field(default_factory=Pins)
    version: int = 0


NO_RULES = Rules()


#: A file changed less than this many seconds ago is read again even when its size and
#: modification time look the same (a same-size edit within the file system's time resolution).
RECENT = 3.0


class _WatchedFile:
    """A file read again when it changes (its size, its modification time, or, while recently
    modified, its bytes)."""

    def __init__(self, path: Path | None, parse: Callable[[str, str], tuple[object, list[str]]], empty: object):
        self.path = path
        self.parse = parse
        self.empty = empty
        self.value = empty
        self.stamp: tuple[int, int, int] | None = None
        self.data: bytes | None = None
        self.missing_said = False

    def refresh(self) -> bool:
        """Read the file again if it changed; whether what it says may have changed."""
        if self.path is None:
            return False
        try:
            st = os.stat(self.path)
        except OSError:
            if not self.missing_said:
                log.warning("%s does not exist or cannot be read; nothing in it applies until it does.", self.path)
                self.missing_said = True
            changed = self.data is not None
            self.stamp, self.data, self.value = None, None, self.empty
            return changed
        self.missing_said = False
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self.stamp and time.time() - st.st_mtime > RECENT:
            return False
        self.stamp = stamp
        if st.st_size > MAX_FILE_BYTES:
            if self.data != b"":
                log.warning("%s is larger than %d bytes and is not read.", self.path, MAX_FILE_BYTES)
            changed = self.data is not None
            self.data, self.value = b"", self.empty
            return changed
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            log.warning("%s cannot be read (%s); nothing in it applies.", self.path, exc.strerror or exc)
            changed = self.data is not None
            self.data, self.value = None, self.empty
            return changed
        if data == self.data:
            return False
        self.data = data
        self.value, problems = self.parse(data.decode("utf-8-sig", errors="replace"), str(self.path))
        for problem in problems:
            log.warning("%s", problem)
        return True


class Curation:
    """The rules a serving process applies, read again when their files change. Thread-safe.

    Each look at the files (two ``stat`` calls) happens at most every ``check_every`` seconds,
    by whichever request comes then.
    """

    def __init__(self, synonyms_path: Path | None = None, pins_path: Path | None = None,
                 check_every: float = CHECK_EVERY):
        self._files = (
            _WatchedFile(synonyms_path, parse_synonyms, Synonyms()),
            _WatchedFile(pins_path, parse_pins, Pins()),
        )
        self.check_every = check_every
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._rules = NO_RULES
        self.enabled = synonyms_path is not None or pins_path is not None

    def rules(self) -> Rules:
        """The rules now (read again first when the files may have changed)."""
        if not self.enabled:
            return NO_RULES
        now = time.monotonic()
        if now - self._checked >= self.check_every and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                changed = [f.refresh() for f in self._files]
                if any(changed):
                    synonyms, pins = (f.value for f in self._files)
                    self._rules = Rules(synonyms, pins, self._rules.version + 1)  # type: ignore[arg-type]
            finally:
                self._lock.release()
        return self._rules
