"""The array engine gives Whoosh's own answers: the same posts, the same scores.

The index here has two segments and deleted posts (a full build, then an incremental run
that changes and removes posts), the case where reading postings by blocks and masking
deleted posts matter.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.query import And, Or, Phrase, Term

from searchsvc.engine import ANY_ORDER_SHARE, AllButOne, Best, Evaluator, LeafCache, Passage, near_posts
from searchsvc.query import build_query, parse_query
from searchsvc.search import SearchIndex
from searchsvc.vocabulary import Expander

from conftest import BLOG, close_index, reindex_into

QUERIES = [
    "python",
    "python testing",
    '"server actions"',
    '"testing with pytest"',
    '"again and again"',
    '"node.js runs"',
    '"js runs the event loop"',
    "react hooks -python",
    "python OR react",
    "tag:python packaging",
    "useState",
    "pyhton",
    "te",
    "the",
    "nothing-matches-this",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    content = root / "content"
    shutil.copytree(BLOG, content)
    reindex_into(content, root / "index")
    extra = "\n\nPython testing with pytest, again and again: python python.\n"
    for i in range(140):  # more than one block (128 postings) of 'python' in the new segment
        (content / f"extra_{i:03d}.md").write_text(f"---\ntitle: Extra {i}\ntags: [python]\n---\n{extra * (i % 3 + 1)}")
    (content / "python_testing_post.md").write_text((BLOG / "python_testing_post.md").read_text() + extra)
    (content / "react_hooks_post.md").unlink()
    # A compound word after a stop word: its parts share its position, so phrases span it.
    (content / "compound.md").write_text(
        "---\ntitle: Compound\n---\nAfter the intro, Node.js runs the event loop for formData.get calls. Node 18 ships.\n"
    )
    # Headings in two posts of many: their length is weighed against those two alone.
    (content / "headed.md").write_text("---\ntitle: Headed\n---\n## Python testing\n\nSome text.\n\n## React\n\nMore.\n")
    (content / "headed_more.md").write_text("---\ntitle: Headed more\n---\n## Python\n\nText.\n")
    reindex_into(content, root / "index")
    search_index = SearchIndex(root / "index")
    yield search_index
    close_index(search_index)


def test_the_index_has_segments_and_deletions(index):
    with index.searcher() as (_, searcher):
        assert not searcher.is_atomic()
        assert searcher.reader().has_deletions()


@pytest.mark.parametrize("text", QUERIES)
def test_same_posts_and_scores_as_whoosh(index, monkeypatch, text):
    monkeypatch.setattr("searchsvc.engine.BONUS_CANDIDATES", 10**9)  # the bonus in every post, as Whoosh does
    with index.searcher() as (snap, searcher):
        query = build_query(searcher.schema, parse_query(text), Expander(snap.vocabulary, searcher.reader()))
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        found = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings).evaluate(query)
        got = {int(d): float(found.scores[d]) for d in found.mask.nonzero()[0]}
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-12)


def test_the_completions_of_a_word_being_typed_score_as_the_best_of_them(index):
    """A Best (searchsvc's, not Whoosh's) matches where any of its words does, and scores
    each post the best of theirs, not the sum."""
    with index.searcher() as (snap, searcher):
        query = build_query(searcher.schema, parse_query("testing py"), Expander(snap.vocabulary, searcher.reader()))
        best = [q for q in _walk(query) if isinstance(q, Best)]
        assert best
        evaluator = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings)
        for q in best:
            found = evaluator.evaluate(q)
            parts = [evaluator.evaluate(sub) for sub in q.subqueries]
            assert (found.mask == np.logical_or.reduce([p.mask for p in parts])).all()
            assert np.allclose(found.scores, np.maximum.reduce([p.scores for p in parts]) * q.boost)


@pytest.mark.parametrize("words", [["python", "testing"], ["python", "testing", "pytest"],
                                   ["python", "testing", "pytest", "again", "react"]])
def test_every_word_but_one_matches_and_scores_as_the_or_of_the_ands_of_all_but_each(index, words):
    """An AllButOne (searchsvc's, evaluated in one pass) is the Or of the Ands of every word
    but each: the same posts, the same scores."""
    with index.searcher() as (snap, searcher):
        groups = [Or([Term("title", w, boost=8.0), Term("body", w)]) for w in words]
        evaluator = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings)
        found = evaluator.evaluate(AllButOne(groups))
        expected = evaluator.evaluate(Or([And(groups[:i] + groups[i + 1:]) for i in range(len(groups))]))
        assert found.mask.any() and (found.mask == expected.mask).all()
        assert np.allclose(found.scores, expected.scores, rtol=1e-12)


def _walk(q):
    yield q
    for sub in getattr(q, "subqueries", ()) or ([q.a, q.b] if hasattr(q, "a") else []):
        yield from _walk(sub)


def one_by_one(m):
    out = []
    while m.is_active():
        out.append((m.id(), m.weight()))
        m.next()
    return out


def test_a_leaf_cut_by_the_deadline_is_not_kept(index):
    cache = LeafCache()
    with index.searcher() as (snap, searcher):
        evaluator = Evaluator(searcher, snap.table(), cache, lambda: True, snap.postings)
        leaf = evaluator.leaf(Term("body", "python"))
    assert evaluator.partial and not leaf.complete
    assert len(cache) == 0


@pytest.mark.parametrize("text", ["python python", "python testing", "again and again"])
def test_a_phrase_reads_the_same_from_some_posts_as_from_all(index, monkeypatch, text):
    import searchsvc.engine as engine

    found = []
    for few in (0, 10**9):  # never / always read only the candidates' positions
        monkeypatch.setattr(engine, "FEW_CANDIDATES", few)
        with index.searcher() as (snap, searcher):
            words = [t.text for t in searcher.schema["body"].analyzer(text, mode="query")]
            leaf = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings)._phrase("body", words)
        found.append((leaf.ids.tolist(), leaf.scores.tolist()))
    assert found[0] == found[1]
    assert found[0][0], "the phrase occurs"


@pytest.mark.parametrize("fieldname", ["body", "headings", "title", "tag_text", "author"])
def test_positions_are_whooshs_own(index, fieldname):
    """The postings files keep every occurrence Whoosh keeps, in every field with positions."""
    with index.searcher() as (snap, searcher):
        evaluator = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings)
        reader = searcher.reader()
        for term in list(reader.lexicon(fieldname))[:60]:
            m = reader.postings(fieldname, term)
            expected = []
            while m.is_active():
                expected.extend((m.id(), p) for p in m.value_as("positions"))
                m.next()
            found = evaluator.positions(fieldname, term.decode())
            got = list(zip(found.ids.tolist(), found.positions.tolist()))
            # Whoosh's reader skips deleted posts; the engine masks them out later.
            assert [g for g in got if not reader.is_deleted(g[0])] == expected


def test_the_phrase_bonus_of_a_few_candidates_changes_no_match(index, monkeypatch):
    import searchsvc.engine as engine

    monkeypatch.setattr(engine, "BONUS_CANDIDATES", 2)
    with index.searcher() as (snap, searcher):
        query = build_query(searcher.schema, parse_query("python testing"), Expander(snap.vocabulary, searcher.reader()))
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        found = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings).evaluate(query)
        got = {int(d): float(found.scores[d]) for d in found.mask.nonzero()[0]}
    assert set(got) == set(expected) and len(got) > 2
    # The two best scores are Whoosh's (posts tied at a score may take each other's place).
    best = sorted(expected.values(), reverse=True)[:2]
    assert sorted(got.values(), reverse=True)[:2] == pytest.approx(best, rel=1e-12)


def test_the_parts_of_a_compound_word_take_its_position(index):
    with index.searcher() as (_, searcher):
        hits = searcher.search(Phrase("body", ["node.js", "run"]))
        parts = searcher.search(Phrase("body", ["node", "js", "run"]))
        assert len(hits) == 1
        assert len(parts) == 0, "node and js are one position, not two"



def test_leaves_of_absent_words_count_against_the_cache():
    import numpy as np

    from searchsvc.engine import LEAF_OVERHEAD, Leaf

    cache = LeafCache(capacity=10 * LEAF_OVERHEAD)
    for i in range(100):  # a word no post has in this field: nothing to keep but the leaf itself
        cache.put(("term", "headings", f"word{i}"), Leaf(np.zeros(0, dtype=np.int32), np.zeros(0)))
    assert len(cache) == 10


@pytest.mark.parametrize("fieldname", ["body", "title", "headings", "code", "description", "tag_text"])
def test_field_lengths_read_at_once_are_whooshs(index, fieldname):
    with index.searcher() as (snap, searcher):
        expected = [
            sub.doc_field_length(d, fieldname, 1)
            for sub, _offset in searcher.leaf_searchers()
            for d in range(sub.reader().doc_count_all())
        ]
        # Whoosh says None for a post without the field (it never scores there); here 1.
        found = snap.table().lengths(fieldname).tolist()
    assert found == [1 if n is None else n for n in expected]
    assert fieldname != "body" or max(found) > 10


def test_an_exact_title_reads_as_whooshs_own_matcher_reads_it(index):
    with index.searcher() as (snap, searcher):
        evaluator = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings)
        keys = [t.decode() for t in searcher.reader().lexicon("title_key")] + ["no such title"]
        for key in keys:
            ours, whooshs = evaluator.leaf(Term("title_key", key)), evaluator._read(Term("title_key", key))
            assert (ours.ids.tolist(), ours.scores.tolist()) == (whooshs.ids.tolist(), whooshs.scores.tolist())


NEAR_POSTS = {
    "close": "Blue paper and a kite, bought today.",  # every word within a few of "kite"
    "apart": "Blue paper. " + "Other words fill the space here. " * 4 + "A kite.",
    "ordered": "A kite of paper, blue.",
}


@pytest.fixture(scope="module")
def near_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("near")
    content = root / "content"
    content.mkdir()
    for name, body in NEAR_POSTS.items():
        (content / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n\n{body}\n")
    reindex_into(content, root / "index")
    search_index = SearchIndex(root / "index")
    yield search_index
    close_index(search_index)


def _matching(index, query) -> dict[str, float]:
    with index.searcher() as (snap, searcher):
        found = Evaluator(searcher, snap.table(), LeafCache(), lambda: False, snap.postings).evaluate(query)
        return {snap.stored_fields(searcher, int(d))["id"]: float(found.scores[d]) for d in found.mask.nonzero()[0]}


@pytest.mark.parametrize("words", [["kite", "paper", "blue"], ["blue", "paper", "kite"], ["paper", "kite", "blue"]])
def test_a_passages_words_match_in_any_order_close_together(near_index, words):
    assert set(_matching(near_index, Passage("body", words, slop=6))) == {"close", "ordered"}


def test_a_passage_in_another_order_scores_a_share_of_the_sloppy_phrase(near_index):
    words = ["kite", "paper", "blue"]
    phrase = _matching(near_index, Phrase("body", words, slop=6))
    assert set(phrase) == {"ordered"}  # Whoosh's sloppy phrase keeps the order
    passage = _matching(near_index, Passage("body", words, slop=6))
    assert passage["ordered"] == pytest.approx(phrase["ordered"])
    # "close" has the same words, as often, in a text about as long, in another order:
    # its share of what they score in order (their lengths differ a little).
    assert passage["close"] == pytest.approx(phrase["ordered"] * ANY_ORDER_SHARE, rel=0.2)
    assert passage["close"] < phrase["ordered"]


@st.composite
def _occurrences(draw):
    """Each word's occurrences in a few small posts, as sorted (post << 32 | position) keys."""
    words = draw(st.integers(2, 4))
    return [
        sorted({post << 32 | position for post, position in draw(
            st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), max_size=12))})
        for _ in range(words)
    ]


@given(_occurrences(), st.integers(1, 8))
def test_near_posts_are_those_where_the_rarest_word_has_every_other_close(occurrences, slop):
    rarest = min(occurrences, key=len)
    expected = sorted({
        a >> 32 for a in rarest
        if all(any(o >> 32 == a >> 32 and abs(o - a) <= slop for o in other) for other in occurrences)
    })
    found = near_posts([np.array(o, dtype=np.int64) for o in occurrences], slop)
    assert found.tolist() == expected
