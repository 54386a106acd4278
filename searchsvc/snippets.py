"""Plain text and match offsets -> escaped HTML snippets; which sections match best.

Pure functions, no Whoosh: the search layer finds where the query's terms occur
(character offsets stored in the index), and this module decides what to show.
Everything that is not a match is HTML-escaped; matches are wrapped in ``<mark>``.

>>> snippet("The zebracorn lives here.", [Match(4, 13, "zebracorn")])
'The <mark>zebracorn</mark> lives here.'
"""

from __future__ import annotations

import bisect

import html
from typing import Collection, Iterable, NamedTuple, Sequence

ELLIPSIS = "…"
SNIPPET_CHARS = 180
#: What a section whose heading is the query adds to its score: more than any other can have.
EXACT_HEADING = 1000.0
#: What a term of the query's framing ("how", "tutorial": see query.aside_terms) counts for,
#: beside 1 for any other term, where snippets and sections count the query's terms.
MINOR_TERM = 0.25


class Match(NamedTuple):
    """Where a term occurs: characters ``start:end`` of the text. (A named tuple: a page's
    snippets sort thousands of them, and tuples compare in C.)"""

    start: int
    end: int
    term: str = ""


class SectionSpan(NamedTuple):
    """A section of a post's text: its heading and anchor, and characters ``start:end``.
    (A named tuple: a shown post's sections are rebuilt from its stored fields, dozens at a time.)"""

    heading: str
    anchor: str
    level: int
    start: int
    end: int
    #: The heading's words as a query analyses them, space-separated (written by the indexer;
    #: None in an index built before they were, and then worked out when needed).
    words: str | None = None


def escape(text: str) -> str:
    return html.escape(text)


def mark(text: str, matches: Iterable[Match], start: int, end: int) -> str:
    """``text[start:end]`` escaped, with every match inside it in ``<mark>``.

    >>> mark("a <b> c", [Match(2, 5)], 0, 7)
    'a <mark>&lt;b&gt;</mark> c'
    """
    out = []
    pos = start
    for s, e in _joined_spans(matches, start, end):
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def _joined_spans(matches: Iterable[Match], start: int, end: int) -> list[tuple[int, int]]:
    """The matches inside ``start:end`` as spans, overlapping ones joined (the parts of a
    compound word; the pairs of a CJK word: "服务" and "务器" are one mark, "服务器").

    >>> _joined_spans([Match(0, 2), Match(1, 3), Match(5, 7), Match(5, 6)], 0, 9)
    [(0, 3), (5, 7)]
    """
    spans: list[tuple[int, int]] = []
    for m in sorted(matches):
        if m.start < start or m.end > end:
            continue
        if spans and m.start < spans[-1][1]:
            if m.end > spans[-1][1]:
                spans[-1] = (spans[-1][0], m.end)
            continue
        spans.append((m.start, m.end))
    return spans


def _snap(text: str, start: int, end: int, lo: int, hi: int, reach: int = 15) -> tuple[int, int]:
    """Widen a window to whole words (by at most ``reach`` characters), staying in ``lo``..``hi``."""
    if start > lo and not text[start - 1].isspace():
        back = text.rfind(" ", max(lo, start - reach), start)
        if back != -1:
            start = back + 1
        else:
            ahead = text.find(" ", start, end)
            start = ahead + 1 if ahead != -1 else start
    if end < hi and not text[end].isspace():
        ahead = text.find(" ", end, min(hi, end + reach))
        if ahead != -1:
            end = ahead
        else:
            back = text.rfind(" ", start, end)
            end = back if back > start else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def terms_worth(terms: Collection[str], minor: Collection[str]) -> float:
    """What distinct ``terms`` found count for: 1 each, MINOR_TERM for those of ``minor``."""
    return sum(MINOR_TERM if t in minor else 1.0 for t in terms)


def best_window(text: str, matches: Sequence[Match], lo: int, hi: int, width: int,
                minor: Collection[str] = ()) -> tuple[int, int, int]:
    """The window of at most ``width`` characters in ``text[lo:hi]`` with the most distinct
    terms (a term of ``minor`` counting for MINOR_TERM).

    Returns ``(start, end, distinct_terms)``; with no matches, the start of the range.
    """
    inside = sorted(m for m in matches if m.start >= lo and m.end <= hi)
    if not inside:
        start, end = _snap(text, lo, min(hi, lo + width), lo, hi, reach=0)
        return start, end, 0
    best = (0.0, 0, 0)  # score, first index, last index
    j = 0
    for i, first in enumerate(inside):
        j = max(j, i)
        while j + 1 < len(inside) and inside[j + 1].end - first.start <= width:
            j += 1
        window = inside[i : j + 1]
        score = terms_worth({m.term for m in window}, minor) + 0.01 * len(window)
        if score > best[0]:
            best = (score, i, j)
    _, i, j = best
    first, last = inside[i], inside[j]
    slack = max(0, width - (last.end - first.start))
    start = max(lo, first.start - slack // 3)
    end = min(hi, max(last.end, start + width))
    start, end = _snap(text, start, end, lo, hi)
    start = min(start, first.start)
    end = max(end, last.end)
    return start, end, len({m.term for m in inside[i : j + 1]})


def snippet(
    text: str,
    matches: Sequence[Match],
    *,
    lo: int = 0,
    hi: int | None = None,
    width: int = SNIPPET_CHARS,
    fragments: int = 2,
    minor: Collection[str] = (),
) -> str:
    """The best-matching parts of ``text[lo:hi]``, marked and escaped, joined by an ellipsis.

    A second fragment is added only when it shows terms the first does not, other than
    those of ``minor`` (the query's framing: "how" in "how to debug a memory leak" is
    marked where it is shown, but no fragment is shown for it).

    >>> snippet("one two three four five six", [Match(8, 13, "three")], width=9)
    '… two <mark>three</mark> four …'
    """
    hi = len(text) if hi is None else hi
    start, end, _ = best_window(text, matches, lo, hi, width, minor)
    parts = [(start, end)]
    if fragments > 1:
        shown = {m.term for m in matches if start <= m.start and m.end <= end}
        rest = [m for m in matches if m.term not in shown and m.term not in minor and lo <= m.start and m.end <= hi]
        if rest:
            s2, e2, n = best_window(text, rest, lo, hi, width)
            if n and (e2 <= start or s2 >= end):
                parts.append((s2, e2))
    parts.sort()
    pieces = [mark(text, matches, s, e) for s, e in parts]
    out = f" {ELLIPSIS} ".join(pieces)
    if parts[0][0] > 0:
        out = f"{ELLIPSIS} {out}"
    if parts[-1][1] < len(text):
        out = f"{out} {ELLIPSIS}"
    return out


def lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word boundary, escaped.

    >>> lead("short")
    'short'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return escape(text)
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return escape(text[:cut]) + f" {ELLIPSIS}"


def rank_sections(
    sections: Sequence[SectionSpan],
    matches: Sequence[Match],
    heading_hits: Sequence[float],
    exact: Collection[int] = (),
    minor: Collection[str] = (),
) -> list[tuple[float, int]]:
    """Sections ordered by how well they match: ``[(score, index), ...]``, best first, score > 0.

    ``heading_hits[i]`` is how many query terms section i's heading contains (a term of the
    query's framing counting for MINOR_TERM); a heading match counts more than matches in the
    text below it. The sections of ``exact``, whose
    heading is the query, come first: a reader who typed a heading wants that section, even
    when a subsection below it, whose heading has the same words, has more of them in its
    text. Sections are in text order and do not overlap (each runs from its heading to the
    next one). A term of ``minor`` in a section's text counts for MINOR_TERM.

    >>> spans = [SectionSpan("A", "a", 2, 0, 10), SectionSpan("B", "b", 2, 11, 30)]
    >>> rank_sections(spans, [Match(12, 15, "x"), Match(20, 23, "y")], [0, 1])
    [(5.1, 1)]
    >>> [i for _, i in rank_sections(spans, [Match(12, 15, "x"), Match(20, 23, "y")], [1, 1], exact={0})]
    [0, 1]
    """
    starts = [s.start for s in sections]
    inside: dict[int, list[Match]] = {}
    for m in matches:
        i = bisect.bisect_right(starts, m.start) - 1
        if i >= 0 and m.end <= sections[i].end:
            inside.setdefault(i, []).append(m)
    ranked = []
    for i in set(inside) | {i for i, hits in enumerate(heading_hits) if hits}:
        found = inside.get(i, ())
        score = 3.0 * heading_hits[i] + terms_worth({m.term for m in found}, minor) + min(len(found), 20) * 0.05
        if i in exact:
            score += EXACT_HEADING
        if score > 0:
            ranked.append((score, i))
    ranked.sort(key=lambda si: (-si[0], si[1]))
    return ranked
