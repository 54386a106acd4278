"""Synonyms and pinned results: the files, what a search does with them, and their reload."""

from __future__ import annotations

import logging
import os
import time

import pytest
from hypothesis import given, strategies as st

from searchsvc.curation import MAX_ALTERNATIVES, Curation, parse_pins, parse_synonyms
from searchsvc.search import SearchIndex, SearchRequest

from conftest import close_index


def post(title: str, body: str, date: str = "Jan 15, 2024", tags: str = "[notes]") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\n{body}\n"


POSTS = {
    "javascript-modules.md": post("Modules in JavaScript", "Import and export between files of a JavaScript app."),
    "ecmascript-2024.md": post("What ECMAScript 2024 brings", "Array grouping and promise helpers.", "Mar 1, 2024"),
    "kubernetes-probes.md": post("Kubernetes readiness probes", "A probe tells the cluster when a pod may take traffic."),
    "react-native-layout.md": post("Layout in React Native", "Flexbox on phones.", tags="[mobile]"),
    "rn-navigation.md": post("Navigation with RN", "Stacks and tabs for apps.", tags="[mobile]"),
    "style-guide.md": post("Our style guide", "How we write: short words, plain sentences.", "Feb 2, 2023"),
    "about.md": post("About this blog", "Who writes here, and why.", "Feb 3, 2023", tags="[meta]"),
    "old-news.md": post("Old news", "Nothing to see here.", "Jan 1, 2020", tags="[meta]"),
}


@pytest.fixture
def curated(make_blog, build_index, tmp_path):
    """``curated(synonyms="", pins="") -> search(q, **fields)`` over POSTS with those files."""
    settings, summary = build_index(make_blog(POSTS))
    assert not summary.skipped
    opened = []

    def make(synonyms: str | None = None, pins: str | None = None, check_every: float = 0.0):
        paths = []
        for name, text in (("synonyms.txt", synonyms), ("pins.toml", pins)):
            path = tmp_path / name if text is not None else None
            if path is not None:
                path.write_text(text, encoding="utf-8")
            paths.append(path)
        index = SearchIndex(settings.index_dir, curation=Curation(*paths, check_every=check_every))
        opened.append(index)

        def search(q: str, **fields):
            return index.search(SearchRequest(q=q, **fields))

        search.paths = paths
        return search

    yield make
    for index in opened:
        close_index(index)


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


# ---------------------------------------------------------------------------
# The synonyms file

@pytest.mark.parametrize(
    ("line", "term", "finds"),
    [
        ("js, javascript, ecmascript", ("js",), ("javascript", "ecmascript")),
        ("js, javascript, ecmascript", ("ecmascript",), ("js", "javascript")),
        ("k8s => kubernetes", ("k8s",), ("kubernetes",)),
        ("k8s => kubernetes", ("kubernetes",), ()),
        ("k8s, kube => kubernetes", ("kube",), ("kubernetes",)),
        ("RN, React Native", ("react", "native"), ("RN",)),
        ("c#, csharp  # a comment", ("c#",), ("csharp",)),
        ("  Postgres ,  PostgreSQL  ", ("postgresql",), ("Postgres",)),
    ],
)
def test_a_synonym_line_says_what_finds_what(line, term, finds):
    rules, problems = parse_synonyms(line)
    assert problems == []
    assert rules.get(term) == finds


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("js, javascript\njust one word\n", 2),
        ("# comment\n\na => b => c\n", 3),
        ("a, , b\n", 1),
        ("=> kubernetes\n", 1),
        ("k8s =>\n", 1),
        ("same, SAME\n", 1),
        ("a, " + "b " * 10 + "\n", 1),
    ],
)
def test_a_bad_synonym_line_is_reported_by_line_and_left_out(text, line):
    rules, problems = parse_synonyms(text, "synonyms.txt")
    assert len(problems) == 1
    assert problems[0].startswith(f"synonyms.txt line {line}:")
    if text.startswith("js"):
        assert rules.get(("js",)) == ("javascript",)  # the good lines apply


def test_a_term_with_too_many_synonyms_keeps_the_first_ones():
    rules, problems = parse_synonyms("a, " + ", ".join(f"w{i}" for i in range(20)))
    assert len(rules.get(("a",))) == MAX_ALTERNATIVES
    assert problems


@given(st.text(max_size=300))
def test_any_synonyms_text_parses_without_raising(text):
    rules, problems = parse_synonyms(text)
    assert all(isinstance(p, str) for p in problems)
    for key, alternatives in rules.rules.items():
        assert key and 0 < len(alternatives) <= MAX_ALTERNATIVES


# ---------------------------------------------------------------------------
# The pins file

def test_pins_are_read_by_normalised_query():
    pins, problems = parse_pins('[[pin]]\nquery = "  Style   GUIDE "\nurls = ["/blog/style-guide", "/blog/about"]\n')
    assert problems == []
    assert pins.get("style guide") == ("/blog/style-guide", "/blog/about")
    assert pins.get("STYLE guide ") == ("/blog/style-guide", "/blog/about")
    assert pins.get("style") == ()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[pin]]\nurls = ["/a"]\n', 1, "no query"),
        ('[[pin]]\nquery = "x"\n', 1, "needs urls"),
        ('[[pin]]\nquery = "x"\nurls = []\n', 1, "needs urls"),
        ('[[pin]]\nquery = "x"\nurls = [1, 2]\n', 1, "needs urls"),
        ('[[pin]]\nquery = "ok"\nurls = ["/a"]\n\n[[pin]]\nquery = "x\nurls = ["/b"]\n', 6, "not valid TOML"),
        ('query = "x"\n[[pin]]\nquery = "ok"\nurls = ["/a"]\n', 1, "outside any [[pin]]"),
        ('[pin]\nquery = "x"\nurls = ["/a"]\n', 1, "outside any [[pin]]"),
    ],
)
def test_a_bad_pin_table_is_reported_by_line_and_the_others_apply(text, line, words):
    pins, problems = parse_pins(text, "pins.toml")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"pins.toml line {line}:")
    assert words in problems[0]
    if '"ok"' in text:
        assert pins.get("ok") == ("/a",)


@given(st.text(max_size=300))
def test_any_pins_text_parses_without_raising(text):
    pins, problems = parse_pins(text)
    assert all(isinstance(p, str) for p in problems)
    assert all(urls for urls in pins.by_query.values())


# ---------------------------------------------------------------------------
# Searching with them

def test_equivalent_words_find_each_other(curated):
    search = curated(synonyms="js, javascript, ecmascript\n")
    assert set(ids(search("js"))) == {"javascript-modules", "ecmascript-2024"}
    assert set(ids(search("ecmascript"))) == {"javascript-modules", "ecmascript-2024"}


def test_a_one_way_rule_finds_in_one_direction_only(curated):
    search = curated(synonyms="k8s => kubernetes\n")
    assert ids(search("k8s")) == ["kubernetes-probes"]
    assert ids(search("k8s probes")) == ["kubernetes-probes"]
    plain = curated()
    assert plain("k8s").total == 0


def test_a_phrase_can_be_a_synonym(curated):
    search = curated(synonyms="rn, react native\n")
    assert set(ids(search("react native"))) == {"react-native-layout", "rn-navigation"}
    assert set(ids(search("rn"))) == {"react-native-layout", "rn-navigation"}


def test_a_synonym_is_highlighted_where_it_matched(curated):
    search = curated(synonyms="js => javascript\n")
    [first, *_] = search("js modules").results
    assert "<mark>JavaScript</mark>" in first.title_html


def test_a_word_with_synonyms_is_not_corrected_as_a_typo(curated):
    search = curated(synonyms="k8s => kubernetes\n")
    response = search("k8s")
    assert response.corrected_query is None and not response.relaxed


def test_pinned_posts_come_first_in_order_and_say_so(curated):
    search = curated(pins='[[pin]]\nquery = "javascript"\nurls = ["/blog/style-guide", "/blog/about"]\n')
    response = search("JavaScript")
    assert ids(response)[:2] == ["style-guide", "about"]
    assert [hit.pinned for hit in response.results] == [True, True, False]
    assert ids(response)[2] == "javascript-modules"
    assert response.total == 3
    assert response.to_dict()["results"][0]["pinned"] is True


def test_a_pinned_post_that_matches_is_not_shown_twice(curated):
    search = curated(pins='[[pin]]\nquery = "modules"\nurls = ["/blog/javascript-modules"]\n')
    response = search("modules")
    assert ids(response) == ["javascript-modules"]
    assert response.results[0].pinned


def test_a_query_that_found_nothing_finds_its_pins(curated):
    search = curated(pins='[[pin]]\nquery = "who are you"\nurls = ["/blog/about"]\n')
    response = search("who are you")
    assert ids(response) == ["about"] and response.results[0].pinned
    assert not response.relaxed


def test_pins_follow_pages(curated):
    search = curated(pins='[[pin]]\nquery = "javascript"\nurls = ["/blog/style-guide", "/blog/about"]\n')
    pages = [ids(search("javascript", per_page=1, page=n)) for n in (1, 2, 3, 4)]
    assert pages == [["style-guide"], ["about"], ["javascript-modules"], []]


def test_pins_keep_to_the_filters_of_the_request(curated):
    search = curated(pins='[[pin]]\nquery = "javascript"\nurls = ["/blog/style-guide", "/blog/about"]\n')
    assert ids(search("javascript", tags=("meta",))) == ["about"]


def test_pins_do_not_reorder_a_sort_by_date(curated):
    search = curated(pins='[[pin]]\nquery = "javascript"\nurls = ["/blog/old-news"]\n')
    response = search("javascript", sort="newest")
    assert "old-news" not in ids(response)
    assert not any(hit.pinned for hit in response.results)


def test_a_pinned_url_of_no_post_is_logged_and_left_out(curated, caplog):
    search = curated(pins='[[pin]]\nquery = "javascript"\nurls = ["/blog/gone", "https://blog.example/blog/about/"]\n')
    with caplog.at_level(logging.WARNING, logger="searchsvc.search"):
        response = search("javascript")
    assert ids(response)[0] == "about"  # the same post, written with the site's address and a final slash
    assert "/blog/gone" in caplog.text


def test_a_bad_file_is_logged_and_never_fails_a_search(curated, caplog):
    with caplog.at_level(logging.WARNING, logger="searchsvc.curation"):
        search = curated(synonyms="oops\njs => javascript\n", pins="[[pin]]\nquery = \n")
        assert ids(search("js")) == ["javascript-modules"]
    assert "synonyms.txt line 1" in caplog.text
    assert "pins.toml line 2" in caplog.text


def test_a_missing_file_applies_nothing_and_is_logged(curated, tmp_path, caplog):
    search = curated(synonyms="js => javascript\n")
    os.remove(search.paths[0])
    with caplog.at_level(logging.WARNING, logger="searchsvc.curation"):
        assert search("js").total == 0
    assert "does not exist" in caplog.text


def test_a_changed_file_applies_within_five_seconds_without_a_restart(curated):
    search = curated(synonyms="", pins="", check_every=2.0)
    assert search("k8s").total == 0
    assert not search("about").results[0].pinned
    search.paths[0].write_text("k8s => kubernetes\n", encoding="utf-8")
    search.paths[1].write_text('[[pin]]\nquery = "about"\nurls = ["/blog/style-guide"]\n', encoding="utf-8")
    changed = time.monotonic()
    while search("k8s").total == 0 and time.monotonic() - changed < 5:
        time.sleep(0.1)
    assert ids(search("k8s")) == ["kubernetes-probes"]
    assert ids(search("about"))[0] == "style-guide"
    assert time.monotonic() - changed < 5


def test_the_search_command_applies_the_blogs_synonyms_and_pins(cli_runner, make_blog, build_index, tmp_path):
    from searchsvc.cli import main

    settings, _ = build_index(make_blog(POSTS))
    (tmp_path / "syn.txt").write_text("k8s => kubernetes\n", encoding="utf-8")
    (tmp_path / "pins.toml").write_text('[[pin]]\nquery = "k8s"\nurls = ["/blog/about"]\n', encoding="utf-8")
    env = {"SEARCHSVC_SYNONYMS": str(tmp_path / "syn.txt"), "SEARCHSVC_PINS": str(tmp_path / "pins.toml")}
    result = cli_runner.invoke(main, ["search", "k8s", "--index", str(settings.index_dir), "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = __import__("json").loads(result.output)
    assert [(r["id"], r["pinned"]) for r in data["results"]] == [("about", True), ("kubernetes-probes", False)]
