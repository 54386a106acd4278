"""Query syntax over content/: -exclude, a OR b, tag:x, author:x; nothing else is syntax."""

import pytest


def ids(response):
    return {h.id for h in response.results}


def test_posts_with_every_word_come_first(content_search):
    """Then, when fewer than 10 posts have both, those with the first word alone (the last
    may be still typed); never those with the last alone."""
    react, hooks = ids(content_search("react", per_page=50)), ids(content_search("hooks", per_page=50))
    both = content_search("react hooks", per_page=50)
    assert not both.relaxed
    first = [h.id for h in both.results]
    assert set(first[:both.with_every_word]) == react & hooks
    assert set(first[both.with_every_word:]) <= react - hooks


def test_whole_words_are_all_required(content_search):
    """A space after the last word: every word is whole, and required."""
    react, hooks = ids(content_search("react", per_page=50)), ids(content_search("hooks", per_page=50))
    assert ids(content_search("react hooks ", per_page=50)) == react & hooks


def test_minus_excludes_posts_with_the_word(content_search):
    react = ids(content_search("react", per_page=50))
    hooks = ids(content_search("hooks", per_page=50))
    assert "react-hooks-pitfalls" in react & hooks
    assert ids(content_search("react -hooks", per_page=50)) == react - hooks


def test_excluded_phrase(content_search):
    react = ids(content_search("react", per_page=50))
    phrase = ids(content_search('"server actions"', per_page=50))
    assert ids(content_search('react -"server actions"', per_page=50)) == react - phrase
    assert "nextjs-server-actions" not in react - phrase


def test_or_unions(content_search):
    docker = ids(content_search("docker", per_page=50))
    kubernetes = ids(content_search("kubernetes", per_page=50))
    union = ids(content_search("docker OR kubernetes", per_page=50))
    assert union == docker | kubernetes
    assert len(union) > len(docker & kubernetes)


def test_tag_filter(content_search):
    assert ids(content_search("tag:python", per_page=50)) == {
        "cafe-creme-caching-accents",
        "guides/pytest-fixtures-parametrize",
        "python-packaging-pyproject",
    }


def test_tag_filter_is_case_insensitive_and_keeps_dots(content_search):
    assert ids(content_search("tag:Next.js")) == {"nextjs-server-actions"}
    assert ids(content_search("tag:NEXT.JS")) == {"nextjs-server-actions"}


def test_tag_with_a_space_as_a_phrase(content_search):
    assert ids(content_search('tag:"developer tools"')) == {"guides/git-interactive-rebase-workflow"}


def test_tag_filter_combines_with_words(content_search):
    expected = ids(content_search("caching", per_page=50)) & ids(content_search("tag:python", per_page=50))
    assert ids(content_search("caching tag:python", per_page=50)) == expected == {"cafe-creme-caching-accents"}


def test_excluded_tag(content_search):
    python = ids(content_search("tag:python", per_page=50))
    everything = ids(content_search("", per_page=50))
    assert ids(content_search("-tag:python", per_page=50)) == everything - python


def test_author_filter_phrase(content_search):
    assert ids(content_search('author:"sam lee"', per_page=50)) == {
        "rust-ownership-borrow-checker",
        "xss-escaping-untrusted-html",
    }


def test_author_filter_one_name(content_search):
    assert ids(content_search("author:kowalski", per_page=50)) == {
        "accessible-modal-dialogs",
        "css-grid-template-areas",
        "react-hooks-pitfalls",
    }


def test_unknown_tag_finds_nothing(content_search):
    assert content_search("tag:cobol").total == 0


@pytest.mark.parametrize("q", ["*ptimistic", "useOpti* server", "use?ptimistic", "useOptimistc~ server"])
def test_wildcards_are_not_syntax(q):
    # As-you-type prefixes and typo tolerance are the search's own, bounded
    # expansions (see test_search_as_you_type.py); the user's * ? ~ are plain text.
    from whoosh.query import FuzzyTerm, Prefix, Wildcard

    from searchsvc.schema import build_schema
    from searchsvc.query import build_query, parse_query

    query = build_query(build_schema(), parse_query(q))
    assert not [leaf for leaf in query.leaves() if isinstance(leaf, (Wildcard, Prefix, FuzzyTerm))]


def test_unknown_field_is_plain_text(blog_search):
    # "title:hello" is text: it finds the post that says "title:hello",
    # not the post whose title is "Hello Again, Readers".
    assert [h.id for h in blog_search("title:hello").results] == ["literal_field_syntax"]


def test_title_word_is_found_without_field_syntax(blog_search):
    assert "hello_in_title" in {h.id for h in blog_search("hello").results}


def test_a_command_line_option_is_searched_for_not_excluded(content_search):
    found = ids(content_search("--force-with-lease", per_page=50))
    assert "guides/git-interactive-rebase-workflow" in found
    assert found <= ids(content_search("lease", per_page=50))


def test_a_command_line_option_is_found_not_excluded(search_blog):
    search = search_blog({
        "venv.md": "---\ntitle: Virtual environments\n---\n\nCreate one with `python -m venv .venv` and activate it.\n",
        "flask.md": "---\ntitle: Flask\n---\n\nStart it with `python -m flask run` while you work.\n",
    })
    # (Three words typed: the post with all but one, "venv", follows.)
    assert [h.id for h in search("python -m venv").results] == ["venv", "flask"]
    assert search("python -m venv").with_every_word == 1
    assert {h.id for h in search("python -m").results} == {"venv", "flask"}


def test_a_longer_word_after_a_minus_is_still_excluded(search_blog):
    search = search_blog({
        "venv.md": "---\ntitle: Virtual environments\n---\n\nCreate one with python and venv.\n",
        "flask.md": "---\ntitle: Flask\n---\n\nStart python with flask.\n",
    })
    assert [h.id for h in search("python -flask").results] == ["venv"]


def test_a_title_pasted_with_a_word_that_begins_with_a_hyphen_finds_its_post(search_blog):
    """A hyphen that begins a word excludes it, but not in a title pasted whole: the reader
    typed the title ("rendszerdátumot és -időt", the second half of a compound)."""
    search = search_blog({
        "prefixes.md": "---\ntitle: Goodbye -webkit-box\n---\n\nThe old flexbox syntax, and what replaced it.\n",
        "flexbox.md": "---\ntitle: Goodbye floats\n---\n\nFlexbox replaced floats for layout, not -webkit-box.\n",
    })
    assert [h.id for h in search("Goodbye -webkit-box").results][:1] == ["prefixes"]
    assert [h.id for h in search("goodbye -webkit-box ").results][:1] == ["prefixes"]


def test_a_word_with_a_hyphen_still_excludes_where_no_title_is_the_query(search_blog):
    search = search_blog({
        "prefixes.md": "---\ntitle: Goodbye -webkit-box\n---\n\nThe old flexbox syntax, and what replaced it.\n",
        "flexbox.md": "---\ntitle: Goodbye floats\n---\n\nFlexbox replaced floats for layout.\n",
    })
    assert [h.id for h in search("goodbye -webkit").results] == ["flexbox"]
