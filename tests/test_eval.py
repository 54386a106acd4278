"""`searchsvc eval`: known-item queries made from a blog's own posts, the service against plain BM25."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from searchsvc.cli import main
from searchsvc.config import MAX_QUERY_TERMS
from searchsvc.evaluate import KINDS, Case, EvalPost, Tally, make_cases, score, twins_of, typo
from searchsvc.query import parse_query

from conftest import BLOG

POSTS = [
    EvalPost("go", "Four years of Go", (("Why we wrote it", "why-we-wrote-it"),), "Goroutines schedule cheaply. " * 3,
             "func scheduleWork() {}"),
    EvalPost("rust", "Rust in 2016", (("The year ahead", "the-year-ahead"),), "Borrowck improvements landed quietly.",
             "let borrow_checker = true;"),
    EvalPost("py", "Packaging Python projects", (), "Wheels and sdists explained carefully for maintainers today.", ""),
]


def test_the_same_seed_makes_the_same_queries():
    assert make_cases(POSTS, random.Random(7)) == make_cases(POSTS, random.Random(7))


def test_a_title_is_cut_just_after_the_first_letter_of_a_stop_word():
    cases = [c for c in make_cases(POSTS, random.Random(1)) if c.kind == "title cut at stop word"]
    assert Case("title cut at stop word", "go", "Four years o") in cases


MONTHLY = [EvalPost(f"w{i}", f"Weekly update of {month}", (), "Notes.", "") for i, month in enumerate(("May", "March"))]


def test_a_title_cut_that_begins_other_titles_too_is_not_asked():
    # Every cut of either title ("Weekly update o", "Weekly update of M", "Weekly update of Ma")
    # begins both: no ranking can tell which the reader means.
    cases = make_cases(MONTHLY, random.Random(1))
    assert not [c for c in cases if c.kind in ("title cut at stop word", "title cut")]


def test_a_title_cut_that_begins_another_title_is_cut_elsewhere():
    # "Weekly Update - M" begins "Weekly Update - May 1st": the title is cut at another word.
    posts = [EvalPost("a", "Weekly Update - May, and the plan", (), "Notes.", ""),
             EvalPost("b", "Weekly Update - May 1st", (), "Notes.", "")]
    for seed in range(8):  # whichever stop word the generator draws
        queries = {c.query for c in make_cases(posts, random.Random(seed))
                   if c.post_id == "a" and c.kind == "title cut at stop word"}
        assert queries in ({"Weekly Update - May, a"}, {"Weekly Update - May, and t"})


def test_a_title_cut_is_asked_only_where_it_tells_the_post_among_every_post_of_the_blog():
    assert [c for c in make_cases(MONTHLY[:1], random.Random(1)) if c.kind == "title cut at stop word"]
    cases = make_cases(MONTHLY[:1], random.Random(1), every=MONTHLY)
    assert not [c for c in cases if c.kind == "title cut at stop word"]


CREDITED = [
    EvalPost(f"page{i}", f"Page {i}", (), f"{topic} Translators Ada Lovelace and Grace Hopper reviewed this translation carefully.", "")
    for i, topic in enumerate(("Mounting filesystems remotely requires privileged credentials everywhere.",
                               "Scheduling periodic jobs demands careful timezone handling always."))
]

CREDIT = set("Translators Ada Lovelace Grace Hopper reviewed translation carefully".split())


def test_a_passage_is_asked_only_from_a_sentence_no_other_post_has():
    # Each post has two sentences: its own, and a credit line every post repeats. Whichever
    # the generator draws, a passage query is made of the post's own sentence only.
    for seed in range(8):
        for case in make_cases(CREDITED, random.Random(seed)):
            if case.kind == "passage":
                assert not CREDIT & set(case.query.split())


def test_a_passage_is_asked_only_from_a_sentence_no_other_post_of_the_blog_has():
    drawn = [c for seed in range(8) for c in make_cases(CREDITED[:1], random.Random(seed)) if c.kind == "passage"]
    assert any(CREDIT & set(c.query.split()) for c in drawn)  # alone, the credit line is the post's own
    drawn = [c for seed in range(8) for c in make_cases(CREDITED[:1], random.Random(seed), every=CREDITED)
             if c.kind == "passage"]
    assert drawn and not any(CREDIT & set(c.query.split()) for c in drawn)


def test_a_title_longer_than_the_service_accepts_is_asked_cut_to_its_first_words():
    title = " ".join(f"option{i}" for i in range(MAX_QUERY_TERMS + 8))
    long_post = EvalPost("long", title, (), "Some text.", "")
    exact = next(c for c in make_cases([long_post, *POSTS], random.Random(1)) if c.kind == "exact title" and c.post_id == "long")
    assert len(parse_query(exact.query).clauses) == MAX_QUERY_TERMS
    assert title.startswith(exact.query)


def test_eval_of_a_blog_with_a_very_long_title_reports_rather_than_crashes(tmp_path):
    pytest.importorskip("tantivy", reason="the baseline needs tantivy (pip install 'searchsvc[eval]')")
    long_title = " ".join(f"flag{i}" for i in range(MAX_QUERY_TERMS + 8))
    for name, title in (("long", long_title), ("short", "A short title")):
        (tmp_path / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n\nSome words about {name} things.\n")
    result = CliRunner().invoke(main, ["eval", "--content", str(tmp_path), "--json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.output)["kinds"]["exact title"]["service"]["queries"] == 2


def test_a_unique_heading_is_asked_with_its_anchor():
    cases = [c for c in make_cases(POSTS, random.Random(1)) if c.kind == "heading"]
    assert Case("heading", "go", "Why we wrote it", "why-we-wrote-it") in cases


@pytest.mark.parametrize("seed", range(20))
def test_a_typo_changes_the_word_but_never_its_first_letter(seed):
    word = "packaging"
    changed = typo(word, random.Random(seed))
    assert changed != word and changed[0] == word[0]


def test_success_and_mrr_count_ranks_up_to_ten():
    tally = Tally(ranks=[1, 2, 4, None, 11])
    assert tally.success(1) == pytest.approx(1 / 5)
    assert tally.success(3) == pytest.approx(2 / 5)
    assert tally.success(5) == pytest.approx(3 / 5)
    assert tally.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 5)


def test_a_heading_found_without_its_anchor_first_is_a_miss_for_the_service():
    case = Case("heading", "go", "Why we wrote it", "why-we-wrote-it")
    wrong_anchor = score([case], lambda q: [("go", "")], check_anchor=True)
    right_anchor = score([case], lambda q: [("go", "why-we-wrote-it")], check_anchor=True)
    assert wrong_anchor["heading"].ranks == [None]
    assert right_anchor["heading"].ranks == [1]


def test_a_post_published_twice_is_found_when_its_twin_comes_first():
    # One page under two names (xzmore and lzmore): no query tells them apart.
    posts = [EvalPost(i, "xzmore, lzmore", (), "View compressed files.", "") for i in ("lzmore", "xzmore")]
    other = EvalPost("zless", "zless", (), "Another text.", "")
    twins = twins_of([*posts, other])
    case = Case("words cut", "lzmore", "compressed fil")
    assert score([case], lambda q: [("xzmore", ""), ("lzmore", "")], check_anchor=False, twins=twins)["words cut"].ranks == [1]
    assert score([case], lambda q: [("zless", ""), ("lzmore", "")], check_anchor=False, twins=twins)["words cut"].ranks == [2]


def test_eval_prints_every_kind_for_service_and_baseline_as_json():
    pytest.importorskip("tantivy", reason="the baseline needs tantivy (pip install 'searchsvc[eval]')")
    result = CliRunner().invoke(main, ["eval", "--content", str(BLOG), "--json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    assert set(report["kinds"]) == set(KINDS)
    exact = report["kinds"]["exact title"]
    assert exact["service"]["queries"] == exact["baseline"]["queries"] > 0
    assert result.exit_code == (1 if report["below_baseline"] else 0)


def test_eval_says_how_to_get_the_baseline_when_tantivy_is_missing(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tantivy(name, *args, **kwargs):
        if name == "tantivy":
            raise ImportError("no tantivy here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tantivy)
    result = CliRunner().invoke(main, ["eval", "--content", str(BLOG)])
    assert result.exit_code == 3
    assert "pip install 'searchsvc[eval]'" in result.output


def test_eval_of_a_missing_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["eval", "--content", str(tmp_path / "nowhere")])
    assert result.exit_code == 3
    assert "does not exist" in result.output
