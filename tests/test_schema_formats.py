"""The one-pass postings formats give what Whoosh's own formats give, for any text."""

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Characters, Positions

from searchsvc.schema import JOINED_MARK, CharacterPostings, PositionPostings, analysing, build_schema

SCHEMA = build_schema()
PIECES = st.sampled_from(list("abcXYZ. _-éü服务器 \n") + ["the ", "Node.js", "useState", "a1b2c3d4e5", " chargées",
                                                           "real-time", "-Mail", "‐İş", "-of-"])
TEXTS = st.lists(PIECES, max_size=30).map("".join) | st.text()


def _decoded(fmt, items):
    """(term, frequency, weight, occurrences) of word_values' items, values decoded by ``fmt``."""
    if isinstance(fmt, Characters):
        return [(text, freq, weight, fmt.decode_characters(value)) for text, freq, weight, value in items]
    return [(text, freq, weight, fmt.decode_positions(value)) for text, freq, weight, value in items]


def _whoosh(fieldname, text, **kwargs):
    """As Whoosh's own formats give them; but a word indexing joined ("real-time":
    ``\x1erealtime``) counts nothing toward the post's length (see schema._counted)."""
    field = SCHEMA[fieldname]
    kind = Characters if isinstance(field.format, Characters) else Positions
    whoosh_format = kind(field_boost=field.format.field_boost)
    items = whoosh_format.word_values(text, field.analyzer, mode="index", **kwargs)
    return [(term, 0 if term.startswith(JOINED_MARK) else freq, weight, occurrences)
            for term, freq, weight, occurrences in _decoded(whoosh_format, items)]


def _ours(fieldname, text, **kwargs):
    field = SCHEMA[fieldname]
    return _decoded(field.format, field.format.word_values(text, field.analyzer, mode="index", **kwargs))


def test_text_fields_use_the_one_pass_formats():
    assert isinstance(SCHEMA["body"].format, CharacterPostings)
    assert isinstance(SCHEMA["headings"].format, PositionPostings)


def test_a_repeated_word_keeps_every_position_and_range():
    assert _ours("body", "Node.js runs; node runs") == [
        ("node.js", 1, 1.0, [(0, 0, 7)]),
        ("node", 2, 1.3, [(0, 0, 4), (2, 14, 18)]),
        ("js", 1, 0.3, [(0, 5, 7)]),
        ("run", 2, 2.0, [(1, 8, 12), (3, 19, 23)]),
        ("runs", 2, 2.0, [(1, 8, 12), (3, 19, 23)]),  # the word as written, at the stem's positions
    ]


def test_a_word_joined_by_indexing_does_not_lengthen_the_post():
    """"real-time": ``real`` and ``time`` count, ``\x1erealtime`` (and its stem) not."""
    assert sum(freq for _, freq, _, _ in _ours("body", "real-time")) == sum(
        freq for _, freq, _, _ in _ours("body", "real time"))


def test_a_value_is_its_occurrences_again():
    fmt = SCHEMA["body"].format
    occurrences = [(0, 0, 4), (7, 30, 35), (8, 36, 40)]
    assert fmt.decode_characters(fmt.encode(occurrences)) == occurrences
    assert fmt.decode_positions(fmt.encode(occurrences)) == [0, 7, 8]
    assert fmt.decode_frequency(fmt.encode(occurrences)) == 3


@settings(deadline=None, max_examples=200)
@given(TEXTS, st.sampled_from(["en", "fr", "de", "ja"]), st.sampled_from(["body", "title", "headings", "code", "author"]))
def test_values_hold_what_whoosh_values_hold(text, lang, fieldname):
    with analysing(lang):
        assert _ours(fieldname, text) == _whoosh(fieldname, text)


def test_other_calls_go_through_whoosh_analysis():
    assert _ours("body", "runs runs", lang="fr") == _whoosh("body", "runs runs", lang="fr")
