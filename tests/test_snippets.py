"""searchsvc.snippets on its own: plain text and match offsets in, escaped HTML with <mark> out."""

import html
import re

import pytest
from hypothesis import given, settings, strategies as st

from searchsvc.snippets import ELLIPSIS, Match, SectionSpan, lead, mark, rank_sections, snippet

WORDS = " ".join(f"word{i}" for i in range(100))


def at(text: str, word: str, term: str | None = None) -> Match:
    """The Match for the first occurrence of ``word`` in ``text``."""
    start = text.index(word)
    return Match(start, start + len(word), term or word)


def plain(html_text: str) -> str:
    """A snippet with the marks and ellipses taken out."""
    return re.sub(r"</?mark>", "", html_text).replace(ELLIPSIS, " ")


# ---------------------------------------------------------------------------
# mark


@pytest.mark.parametrize(
    "text, matches, expected",
    [
        ("plain words", [], "plain words"),
        ("a <b> c", [Match(2, 5)], "a <mark>&lt;b&gt;</mark> c"),
        ('x < y & "z"', [Match(0, 1)], "<mark>x</mark> &lt; y &amp; &quot;z&quot;"),
        ("it's <i>", [Match(5, 8)], "it&#x27;s <mark>&lt;i&gt;</mark>"),
        ("one two", [Match(0, 3), Match(4, 7)], "<mark>one</mark> <mark>two</mark>"),
        ("<script>alert(1)</script>", [], "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_mark_escapes_everything_but_the_match_tags(text, matches, expected):
    assert mark(text, matches, 0, len(text)) == expected


def test_mark_shows_only_the_range():
    assert mark("zero one two three", [Match(5, 8)], 5, 12) == "<mark>one</mark> two"


def test_mark_leaves_out_matches_outside_the_range():
    assert mark("zero one two", [Match(0, 4), Match(9, 12)], 5, 8) == "one"


def test_mark_sorts_matches_given_out_of_order():
    assert mark("ab cd", [Match(3, 5), Match(0, 2)], 0, 5) == "<mark>ab</mark> <mark>cd</mark>"


# ---------------------------------------------------------------------------
# snippet


def test_short_text_is_returned_whole_without_an_ellipsis():
    assert snippet("The zebracorn lives here.", [Match(4, 13, "zebracorn")]) == "The <mark>zebracorn</mark> lives here."


def test_short_text_without_matches_is_returned_whole():
    assert snippet("Nothing matched here.", []) == "Nothing matched here."


def test_empty_text_gives_an_empty_snippet():
    assert snippet("", []) == ""


def test_long_text_cut_at_both_ends_has_an_ellipsis_at_both_ends():
    out = snippet(WORDS, [at(WORDS, "word50")], width=40)
    assert out.startswith(f"{ELLIPSIS} ")
    assert out.endswith(f" {ELLIPSIS}")
    assert "<mark>word50</mark>" in out


def test_long_text_is_cut_at_word_boundaries():
    out = snippet(WORDS, [at(WORDS, "word50")], width=40)
    shown = plain(out).split()
    assert shown and set(shown) <= set(WORDS.split())


def test_long_text_without_matches_is_cut_at_a_word_boundary():
    """What a section matched only by its heading shows (search.py calls snippet with no matches)."""
    out = snippet(WORDS, [], width=50)
    assert out.endswith(f" {ELLIPSIS}")
    assert not out.startswith(ELLIPSIS)
    shown = plain(out).split()
    assert set(shown) <= set(WORDS.split()), out


def test_match_at_the_start_has_no_leading_ellipsis():
    out = snippet(WORDS, [at(WORDS, "word0")], width=40)
    assert out.startswith("<mark>word0</mark>")
    assert out.endswith(f" {ELLIPSIS}")


def test_match_at_the_end_has_no_trailing_ellipsis():
    out = snippet(WORDS, [at(WORDS, "word99")], width=40)
    assert out.startswith(f"{ELLIPSIS} ")
    assert out.endswith("<mark>word99</mark>")


def test_second_fragment_shows_a_term_the_first_does_not():
    out = snippet(WORDS, [at(WORDS, "word10"), at(WORDS, "word90")], width=30)
    assert "<mark>word10</mark>" in out
    assert "<mark>word90</mark>" in out
    assert out.count(ELLIPSIS) == 3  # before, between, after


def test_no_second_fragment_for_a_term_already_shown():
    pad = " ".join(f"pad{i}" for i in range(40))
    text = f"alpha {pad} alpha {pad}"
    second = text.index("alpha", 1)
    out = snippet(text, [Match(0, 5, "alpha"), Match(second, second + 5, "alpha")], width=30)
    assert out.count("<mark>") == 1
    assert out.count(ELLIPSIS) == 1  # only the cut after the one fragment


def test_one_fragment_when_asked_for_one():
    out = snippet(WORDS, [at(WORDS, "word10"), at(WORDS, "word90")], width=30, fragments=1)
    assert out.count("<mark>") == 1


def test_fragments_are_in_text_order():
    out = snippet(WORDS, [at(WORDS, "word90"), at(WORDS, "word10")], width=30)
    assert out.index("word10") < out.index("word90")


def test_window_with_most_distinct_terms_wins():
    text = "alpha " + " ".join(f"pad{i}" for i in range(40)) + " beta gamma " + " ".join(f"end{i}" for i in range(40))
    out = snippet(text, [at(text, "alpha"), at(text, "beta"), at(text, "gamma")], width=30, fragments=1)
    assert "<mark>beta</mark>" in out and "<mark>gamma</mark>" in out


def test_no_second_fragment_for_a_word_of_the_querys_framing_alone():
    # "how to debug memory leaks": "how" in "describe how to update zlib" is no reason to
    # show that line; the line with the other words is shown alone.
    text = ("doc: describe how to update zlib. " + " ".join(f"pad{i}" for i in range(40))
            + " doc: using valgrind to debug memory leaks. " + " ".join(f"end{i}" for i in range(40)))
    matches = [at(text, w) for w in ("how", "debug", "memory", "leaks")]
    out = snippet(text, matches, width=60, minor={"how"})
    assert "<mark>debug</mark>" in out and "how" not in out
    assert "how" in snippet(text, matches, width=60)


def test_a_word_of_the_querys_framing_counts_less_in_choosing_the_window():
    text = "how debug " + " ".join(f"pad{i}" for i in range(40)) + " debug memory"
    out = snippet(text, [at(text, "how"), at(text, "debug"), Match(text.rindex("debug"), text.rindex("debug") + 5, "debug"),
                         at(text, "memory")], width=20, fragments=1, minor={"how"})
    assert "<mark>memory</mark>" in out


def test_snippet_stays_inside_lo_hi():
    text = "first section words. second section has the zebracorn. third section words."
    lo = text.index("second")
    hi = text.index(" third")
    out = snippet(text, [at(text, "zebracorn")], lo=lo, hi=hi)
    assert "first" not in out and "third" not in out
    assert "second section has the <mark>zebracorn</mark>." in out


def test_text_around_a_match_is_escaped():
    text = "a < b && c > d zebracorn"
    assert snippet(text, [at(text, "zebracorn")]) == "a &lt; b &amp;&amp; c &gt; d <mark>zebracorn</mark>"


@st.composite
def text_and_matches(draw):
    text = draw(st.text(max_size=400))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12, unique=True)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2) if cuts[i] < cuts[i + 1]]
    terms = st.sampled_from(["a", "b", "c"])
    matches = [Match(s, e, draw(terms)) for s, e in pairs]
    return text, matches


@settings(max_examples=200, deadline=None)
@given(text_and_matches(), st.integers(1, 200), st.integers(1, 3))
def test_snippet_never_raises_and_only_makes_mark_tags(case, width, fragments):
    text, matches = case
    out = snippet(text, matches, width=width, fragments=fragments)
    assert out.count("<mark>") == out.count("</mark>")
    assert "<" not in re.sub(r"</?mark>", "", out)
    assert ">" not in re.sub(r"</?mark>", "", out)


# ---------------------------------------------------------------------------
# lead


def test_lead_returns_short_text_whole():
    assert lead("A short description.") == "A short description."


def test_lead_collapses_whitespace():
    assert lead("  two\n\n  words\t here ") == "two words here"


def test_lead_cuts_long_text_at_a_word_boundary():
    out = lead(WORDS, limit=50)
    assert out == "word0 word1 word2 word3 word4 word5 word6 word7 …"


def test_lead_escapes():
    assert lead("<b>bold</b> & more") == "&lt;b&gt;bold&lt;/b&gt; &amp; more"


def test_lead_cuts_one_very_long_word_at_the_limit():
    assert lead("x" * 300, limit=50) == "x" * 50 + f" {ELLIPSIS}"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.integers(2, 200))
def test_lead_is_a_prefix_of_the_text_cut_at_a_space_when_there_is_one(text, limit):
    words = " ".join(text.split())
    out = lead(text, limit=limit)
    if len(words) <= limit:
        assert out == html.escape(words)
        return
    assert out.endswith(f" {ELLIPSIS}")
    shown = html.unescape(out[: -len(f" {ELLIPSIS}")])
    assert words.startswith(shown)
    assert words[len(shown)] == " " or " " not in words[limit // 2 + 1 : limit]


# ---------------------------------------------------------------------------
# rank_sections


SECTIONS = [
    SectionSpan("Intro", "", 1, 0, 20),
    SectionSpan("Install", "install", 2, 21, 60),
    SectionSpan("Caching", "caching", 2, 61, 100),
]


def test_sections_without_matches_are_left_out():
    assert rank_sections(SECTIONS, [Match(25, 30, "x")], [0, 0, 0]) == [(1.05, 1)]


def test_more_distinct_terms_rank_a_section_higher():
    matches = [Match(22, 25, "x"), Match(62, 65, "x"), Match(70, 75, "y")]
    assert [i for _, i in rank_sections(SECTIONS, matches, [0, 0, 0])] == [2, 1]


def test_a_heading_match_counts_more_than_matches_in_the_text():
    matches = [Match(22, 25, "x"), Match(30, 35, "y"), Match(40, 45, "y")]
    assert [i for _, i in rank_sections(SECTIONS, matches, [0, 0, 1])] == [2, 1]


def test_a_word_of_the_querys_framing_counts_less_in_ranking_sections():
    # "how" and "x" in Install; "x" and "y" in Caching: Caching is the section on the subject.
    matches = [Match(22, 25, "how"), Match(30, 33, "x"), Match(62, 65, "x"), Match(70, 75, "y")]
    assert [i for _, i in rank_sections(SECTIONS, matches, [0, 0, 0], minor={"how"})] == [2, 1]


def test_ties_keep_document_order():
    matches = [Match(22, 25, "x"), Match(62, 65, "x")]
    assert [i for _, i in rank_sections(SECTIONS, matches, [0, 0, 0])] == [1, 2]
