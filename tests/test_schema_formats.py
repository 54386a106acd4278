"""The one-pass postings formats give the bytes Whoosh's own formats give, for any text."""

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Characters, Positions

from searchsvc.schema import CharacterPostings, PositionPostings, analysing, build_schema

SCHEMA = build_schema()
PIECES = st.sampled_from(list("abcXYZ. _-éü服务器 \n") + ["the ", "Node.js", "useState", "a1b2c3d4e5", " chargées"])
TEXTS = st.lists(PIECES, max_size=30).map("".join) | st.text()


def _whoosh(fieldname, text):
    field = SCHEMA[fieldname]
    whoosh_format = Characters if isinstance(field.format, Characters) else Positions
    return list(whoosh_format.word_values(field.format, text, field.analyzer, mode="index"))


def _ours(fieldname, text):
    field = SCHEMA[fieldname]
    return list(field.format.word_values(text, field.analyzer, mode="index"))


def test_text_fields_use_the_one_pass_formats():
    assert isinstance(SCHEMA["body"].format, CharacterPostings)
    assert isinstance(SCHEMA["headings"].format, PositionPostings)


def test_a_repeated_word_keeps_every_position_and_offset():
    assert _ours("body", "Node.js runs; node runs") == _whoosh("body", "Node.js runs; node runs")


@settings(deadline=None, max_examples=200)
@given(TEXTS, st.sampled_from(["en", "fr", "de", "ja"]), st.sampled_from(["body", "title", "headings", "code", "author"]))
def test_values_are_whoosh_values(text, lang, fieldname):
    with analysing(lang):
        assert _ours(fieldname, text) == _whoosh(fieldname, text)


def test_other_calls_go_through_whoosh():
    field = SCHEMA["body"]
    ours = list(field.format.word_values("runs runs", field.analyzer, mode="index", lang="fr"))
    assert ours == list(Characters.word_values(field.format, "runs runs", field.analyzer, mode="index", lang="fr"))
