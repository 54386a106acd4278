"""Words match their stems and accent-free spellings."""

import pytest

from searchsvc.search import SearchRequest


def ids(response):
    return {h.id for h in response.results}


def test_caching_finds_posts_that_say_cache(make_blog, build_index, open_index):
    content = make_blog({"only-cache.md": "# Notes\n\nWe cache the results for an hour.\n"})
    settings, _ = build_index(content)
    response = open_index(settings.index_dir).search(SearchRequest(q="caching"))
    assert [h.id for h in response.results] == ["only-cache"]


def test_caching_and_cache_find_the_same_posts(content_search):
    caching = ids(content_search("caching", per_page=50))
    assert caching == ids(content_search("cache", per_page=50))
    assert "docker-image-size-multi-stage" in caching


@pytest.mark.parametrize(
    "q, expected",
    [
        ("resume", "cafe-creme-caching-accents"),
        ("résumé", "cafe-creme-caching-accents"),
        ("zurich", "cafe-creme-caching-accents"),
        ("Zürich", "cafe-creme-caching-accents"),
        ("ZURICH", "cafe-creme-caching-accents"),
        ("cafe creme", "cafe-creme-caching-accents"),
    ],
)
def test_accents_fold(content_search, q, expected):
    assert content_search(q).results[0].id == expected


def test_resume_finds_only_the_post_with_resume(content_search):
    assert ids(content_search("resume", per_page=50)) == {"cafe-creme-caching-accents"}


@pytest.mark.parametrize("q", ["the", "the of and", '"the"'])
def test_stop_words_alone_do_not_fail(content_search, q):
    content_search(q)


LANGUAGE_POSTS = {
    "cpp.md": "---\ntitle: Modern C++ tips\n---\n\nA few habits for C++ code.\n",
    "csharp.md": "---\ntitle: Learning C# in a week\n---\n\nNotes on C# and its tools.\n",
    "fsharp.md": "---\ntitle: F# for fun\n---\n\nPipelines in F#.\n",
    "c.md": "---\ntitle: A C compiler from scratch\n---\n\nWriting a compiler for C, in C.\n",
    "cache.md": "---\ntitle: Caching for beginners\n---\n\nKeep what you computed.\n",
}


@pytest.mark.parametrize("q, expected", [("c++", "cpp"), ("C++", "cpp"), ("c#", "csharp"), ("C#", "csharp"),
                                         ("f#", "fsharp")])
def test_a_language_named_with_a_sign_finds_only_its_posts(search_blog, q, expected):
    """"C++", "C#" and "F#" are words of their own: "c++" does not find the post about C
    or the one about C#; nor is it being typed, a "c" that titles begin with."""
    search = search_blog(LANGUAGE_POSTS)
    assert [h.id for h in search(q).results] == [expected]


def test_the_letter_of_a_language_named_with_a_sign_still_finds_it(search_blog):
    """"c" finds the post about C first, and the posts about C++ and C# after it."""
    search = search_blog(LANGUAGE_POSTS)
    found = [h.id for h in search("c").results]
    assert found[0] == "c" and {"cpp", "csharp"} <= set(found)


def test_a_language_named_with_a_sign_is_marked_whole_in_the_snippet(search_blog):
    search = search_blog(LANGUAGE_POSTS)
    hit = search("c++ habits").results[0]
    assert "<mark>C++</mark>" in hit.snippet_html and "<mark>C++</mark>" in hit.title_html


def test_an_index_built_before_reads_a_signed_name_as_its_posts_were_read():
    """Its tokenizer is unpickled from it with the words of its release: until the next
    reindex rebuilds it, "c++" is ``c`` there, as its posts' "C++" is."""
    import pickle

    from searchsvc.schema import WORD_PATTERN, WordTokenizer, _PLAIN_PATTERNS

    earlier_pattern = next(p for p in _PLAIN_PATTERNS if p != WORD_PATTERN)
    earlier = pickle.loads(pickle.dumps(WordTokenizer(earlier_pattern)))
    assert [w for w, _ in earlier.words("C++ and C#")] == ["C", "and", "C"]
    assert [w for w, _ in WordTokenizer().words("C++ and C#")] == ["C++", "and", "C#"]


def test_titles_suggested_for_a_language_named_with_a_sign_are_its_own(make_blog, build_index, open_index):
    settings, _ = build_index(make_blog(LANGUAGE_POSTS))
    suggested = [s.text for s in open_index(settings.index_dir).suggest("c++") if s.kind == "title"]
    assert suggested == ["Modern C++ tips"]


# ---------------------------------------------------------------------------
# Words joined by a hyphen


def _indexed(text: str, lang: str = "en") -> list[str]:
    from searchsvc.schema import WordTokenizer

    return [word for word, *_ in WordTokenizer(joins=True).index_words(text, lang)]


def test_two_words_joined_by_a_hyphen_are_also_indexed_as_one():
    assert _indexed("real-time E-mail") == ["real", "time", "realtime", "E", "mail", "email"]


def test_the_word_joined_shares_the_position_of_the_second_and_spans_both():
    from searchsvc.schema import WordTokenizer

    found = WordTokenizer(joins=True).index_words("our front-end", "en")
    assert found[-1] == ("frontend", 4, 13, 2, True) and found[-2][3] == 2


@pytest.mark.parametrize("text", ["--save-dev", "2015-02-27", "socket.io-client", "a - b", "日本-東京"])
def test_an_option_a_date_a_dotted_name_or_words_apart_are_not_joined(text):
    assert _indexed(text) == _indexed(text.replace("-", " "))


def test_of_three_words_so_joined_each_two_without_a_stop_word_are_joined():
    assert _indexed("hexo-front-matter") == ["hexo", "front", "hexofront", "matter", "frontmatter"]
    assert _indexed("state-of-the-art") == ["state", "of", "the", "art"]


def test_an_index_built_before_joins_no_words():
    """Its tokenizer is unpickled from it without ``joins``: until the next reindex
    rebuilds it, its posts are read as they were."""
    import pickle

    from searchsvc.schema import WordTokenizer

    earlier = WordTokenizer()
    state = earlier.__getstate__()
    del state["joins"]
    restored = pickle.loads(pickle.dumps(earlier))
    restored.__setstate__(state)
    assert [w for w, *_ in restored.index_words("real-time", "en")] == ["real", "time"]


def test_a_word_typed_as_one_marks_the_hyphenated_word_in_the_snippet(search_blog):
    search = search_blog({
        "dash.md": "---\ntitle: Dashboards\n---\n\nOur real-time dashboards update every second.\n",
        "other.md": "---\ntitle: Other\n---\n\nNothing here.\n",
    })
    hit = search("realtime").results[0]
    assert hit.id == "dash" and "<mark>real-time</mark>" in hit.snippet_html
