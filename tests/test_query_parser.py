"""parse_query(): the only syntax is words, "phrases", -exclude, OR, tag:x and author:x."""

import pytest
from hypothesis import given, settings, strategies as st

from searchsvc.schema import build_schema
from searchsvc.query import Clause, ParsedQuery, build_query, parse_query


def W(text):
    return Clause(text)


def P(text):
    return Clause(text, phrase=True)


def N(text, phrase=False):
    return Clause(text, phrase=phrase, negated=True)


def T(text, negated=False):
    return Clause(text, negated=negated, field="tag")


def A(text, phrase=False):
    return Clause(text, phrase=phrase, field="author")


@pytest.mark.parametrize(
    "text, groups",
    [
        # Words: each one is required (one group each).
        ("server", ((W("server"),),)),
        ("server actions", ((W("server"),), (W("actions"),))),
        ("  server \t\n actions  ", ((W("server"),), (W("actions"),))),
        ("formData.get", ((W("formData.get"),),)),
        ("e-mail", ((W("e-mail"),),)),
        # Phrases
        ('"use client"', ((P("use client"),),)),
        ('"use    client"', ((P("use client"),),)),
        ('"single"', ((W("single"),),)),
        ('"unclosed phrase', ((P("unclosed phrase"),),)),
        ("“smart quotes”", ((P("smart quotes"),),)),
        ('server "use client" -legacy', ((W("server"),), (P("use client"),), (N("legacy"),))),
        # Exclusion
        ("-legacy", ((N("legacy"),),)),
        ('react -"class components"', ((W("react"),), (N("class components", phrase=True),))),
        # ...but a command-line option is a word: "--inspect" finds the flag, not everything else.
        ("node --inspect", ((W("node"),), (W("--inspect"),))),
        ("- legacy", ((W("-"),), (W("legacy"),))),
        # So is a short option ("-m", "-rf"), letters without a vowel ("-xzf") and a number ("-9")...
        ("python -m venv", ((W("python"),), (W("-m"),), (W("venv"),))),
        ("rm -rf", ((W("rm"),), (W("-rf"),))),
        ("tar -xzf", ((W("tar"),), (W("-xzf"),))),
        ("kill -9", ((W("kill"),), (W("-9"),))),
        ("(uname -m)", ((W("(uname"),), (W("-m)"),))),
        ("uname -m）", ((W("uname"),), (W("-m）"),))),
        # ...and the second half of a compound after "und" / "en" / "och" ("Import- und -Export").
        ("Passwörter und -gruppen", ((W("Passwörter"),), (W("und"),), (W("-gruppen"),))),
        ("rendszerdátumot és -időt", ((W("rendszerdátumot"),), (W("és"),), (W("-időt"),))),
        ("react -native", ((W("react"),), (N("native"),))),
        # A hyphen right after a quote joins the quoted word to the next, as titles write them.
        ("„rules“-Datei", ((W("rules"),), (W("Datei"),))),
        ("».so«-Anfragen", ((W(".so"),), (W("Anfragen"),))),
        ('"use client"-Direktive', ((P("use client"),), (W("Direktive"),))),
        ("react -v18", ((W("react"),), (N("v18"),))),
        # OR joins the terms on either side into one group of alternatives.
        ("docker OR kubernetes", ((W("docker"), W("kubernetes")),)),
        ("a OR b OR c", ((W("a"), W("b"), W("c")),)),
        ("a OR b c", ((W("a"), W("b")), (W("c"),))),
        ("OR docker", ((W("docker"),),)),
        ("docker OR", ((W("docker"),),)),
        ("OR", ()),
        ("docker or kubernetes", ((W("docker"),), (W("or"),), (W("kubernetes"),))),
        # Filters
        ("tag:python", ((T("python"),),)),
        ("TAG:Python", ((T("Python"),),)),
        ("-tag:draft", ((T("draft", negated=True),),)),
        ("tag:python OR tag:go", ((T("python"), T("go")),)),
        ('author:"sam lee"', ((A("sam lee", phrase=True),),)),
        ("author:sam", ((A("sam"),),)),
        ("rust author:sam", ((W("rust"),), (A("sam"),))),
        # Nothing else is syntax: other fields and wildcards are plain text.
        ("title:foo", ((W("title:foo"),),)),
        ("body:react", ((W("body:react"),),)),
        ("*foo", ((W("*foo"),),)),
        ("foo*", ((W("foo*"),),)),
        ("fo?o", ((W("fo?o"),),)),
        ("(a AND b)", ((W("(a"),), (W("AND"),), (W("b)"),))),
        ("react~2", ((W("react~2"),),)),
        # Nothing at all
        ("", ()),
        ("   ", ()),
        ('""', ()),
        ('"   "', ()),
    ],
)
def test_parse_query_table(text, groups):
    assert parse_query(text).groups == groups


def test_parse_query_none_is_empty():
    assert parse_query(None) == ParsedQuery(())


def test_words_are_the_positive_free_text_terms():
    parsed = parse_query('server "use client" -legacy tag:react author:sam')
    assert parsed.words == ("server", "use client")
    assert parsed.has_text


def test_filters_only_have_no_text():
    assert not parse_query("tag:python author:sam -legacy").has_text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_query_never_raises(text):
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    for clause in parsed.clauses:
        assert clause.text, "empty clauses are dropped"
        assert clause.text == " ".join(clause.text.split()), "whitespace is normalised"
        assert clause.field in (None, "tag", "author")


#: Query text made of the pieces that look like syntax.
SYNTAXY = st.lists(
    st.sampled_from(list('ab -"*?:~^()[]{}\\/“»') + ["OR", "tag:", "author:", "title:", "AND", "NOT"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(SYNTAXY)
def test_parse_query_never_raises_on_syntax_characters(text):
    assert isinstance(parse_query(text), ParsedQuery)


plain_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=6
)


@settings(deadline=None)
@given(plain_words)
def test_plain_words_round_trip_one_required_group_each(words):
    parsed = parse_query(" ".join(words))
    assert parsed.groups == tuple((Clause(w),) for w in words)


@settings(deadline=None)
@given(plain_words.filter(lambda ws: len(ws) > 1))
def test_quoted_words_round_trip_as_one_phrase(words):
    parsed = parse_query('"' + " ".join(words) + '"')
    assert parsed.groups == ((Clause(" ".join(words), phrase=True),),)


SCHEMA = build_schema()


@settings(max_examples=200, deadline=None)
@given(st.text() | SYNTAXY)
def test_build_query_never_raises(text):
    build_query(SCHEMA, parse_query(text))
