"""Typos: 4+ letters tolerate one, 8+ letters two, 3 letters none; fuzzy ranks below exact;
a did-you-mean (`corrected_query`) when a query finds little, and `corrected` results when
only the corrected query finds anything."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchsvc.search import SearchRequest

BODY = "Short notes for the week."

#: One post per word, the word in the title (titles feed the did-you-mean vocabulary).
TIPS = {
    "rust.md": "Rust tips",
    "python.md": "Python tips",
    "reducer.md": "Reducer tips",
    "markdown.md": "Markdown tips",
    "git.md": "Git tips",
}


def post(title: str, body: str = BODY, **front) -> str:
    lines = [f"title: {json.dumps(title)}", *(f"{k}: {json.dumps(v)}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"


@pytest.fixture(scope="module")
def tips(tmp_path_factory):
    """``tips(q, **SearchRequest fields)`` over the TIPS blog, indexed once for this module."""
    from conftest import close_index, reindex_into, write_posts

    from searchsvc.search import SearchIndex

    root = tmp_path_factory.mktemp("typos")
    content = write_posts(root / "content", {path: post(title) for path, title in TIPS.items()})
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    index = SearchIndex(root / "index")
    yield lambda q, **kw: index.search(SearchRequest(q=q, **kw))
    close_index(index)


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


@pytest.mark.parametrize(
    "q, found",
    [
        ("rist", "rust"),  # substitution, 4 letters
        ("russt", "rust"),  # insertion
        ("rsut", "rust"),  # transposition
        ("pythin", "python"),  # substitution
        ("pyton", "python"),  # deletion
        ("pythone", "python"),  # insertion
        ("pyhton", "python"),  # transposition
        ("reduxer", "reducer"),  # substitution, 7 letters
        ("gitt", "git"),  # 4 letters typed, one insertion
    ],
)
def test_one_typo_is_tolerated_from_four_letters(tips, q, found):
    assert ids(tips(q)) == [found]


@pytest.mark.parametrize("q, found", [("ypthon", "python"), ("ursT", "rust"), ("erducer", "reducer")])
def test_the_first_two_letters_swapped_are_one_typo(tips, q, found):
    # Fingers out of step at the start of a word ("pugrade" for "upgrade"): the only typo
    # looked for in the first letter.
    assert ids(tips(q)) == [found]


def test_a_first_letter_typed_wrong_is_not_corrected(tips):
    # (Looking among words of every first letter would cost a scan of the whole vocabulary.)
    assert tips("bython").total == 0


@pytest.mark.parametrize(
    "q",
    [
        "morkdawn",  # two substitutions
        "marrkdownn",  # two insertions
        "marcdownn",  # substitution and insertion
        "markdwn",  # one deletion (7 letters typed)
        "makrdonw",  # two transpositions
        "mrakdonw",  # two transpositions
    ],
)
def test_two_typos_are_tolerated_from_eight_letters(tips, q):
    assert ids(tips(q)) == ["markdown"]


@pytest.mark.parametrize("q", ["rudexer", "pytohnn"])
def test_two_typos_are_not_tolerated_below_eight_letters(tips, q):
    assert tips(q).total == 0


@pytest.mark.parametrize("q", ["gut", "gti", "gif"])
def test_three_letter_words_tolerate_no_typo(tips, q):
    response = tips(q)
    assert response.total == 0
    assert response.corrected_query is None


def test_fuzzy_match_ranks_below_an_exact_match(tips):
    assert ids(tips("markdwon OR rust")) == ["rust", "markdown"]


def test_fuzzy_match_scores_below_the_same_post_found_exactly(tips):
    assert tips("markdwon").results[0].score < tips("markdown").results[0].score


def test_typo_tolerance_covers_the_words_readers_look_for_not_every_body_word(search_blog):
    # A deliberate scope: typos are corrected against titles, headings, tags and
    # descriptions (the "spelling" vocabulary), which keeps the index small.
    search = search_blog({"z.md": post("Airships", body="The zeppelin flies over the lake."), "o.md": post("Other")})
    assert ids(search("zeppelin")) == ["z"]
    assert ids(search("airshisp")) == ["z"]


def test_beside_other_words_a_typo_also_finds_the_bodys_near_word(search_blog):
    # "maches": "matches" is a heading word, "marches" only in one post's body; the other
    # words tell which was meant.
    search = search_blog({
        "d.md": post("Games", body="# Matches\n\nMatches tonight."),
        "c.md": post("Streets", body="The city marches with the crowd."),
    })
    found = search("city maches crowd")
    assert ids(found) == ["c"] and not found.relaxed
    # Alone, the word is corrected from titles and headings only.
    assert ids(search("maches")) == ["d"]


# ---------------------------------------------------------------------------
# Did you mean


@pytest.mark.parametrize(
    "q, corrected_query",
    [
        ("pythin", "python"),
        ("pythin tips", "python tips"),
        ("Pythin", "python"),
        ("tips reduxer", "tips reducer"),
    ],
)
def test_a_query_that_finds_little_carries_a_did_you_mean(tips, q, corrected_query):
    assert tips(q).corrected_query == corrected_query


def test_no_did_you_mean_for_a_word_in_the_index(tips):
    assert tips("python").corrected_query is None


def test_no_did_you_mean_when_nothing_is_close(tips):
    response = tips("zzzzqqq")
    assert (response.total, response.corrected_query, response.corrected) == (0, None, False)


def test_results_found_by_the_typo_itself_are_not_marked_corrected(tips):
    response = tips("pythin")
    assert (ids(response), response.corrected) == (["python"], False)


def test_corrected_results_when_only_the_corrected_query_finds_anything(search_blog):
    """``pord`` (a typo of ``port``) matches only the rust post, which the tag filter leaves out;
    ``port`` as the last word also completes to ``portal``, in the python post."""
    search = search_blog(
        {"port.md": post("Port", tags=["rust"]), "portal.md": post("Portal", tags=["python"])}
    )
    response = search("pord", tags=("python",))
    assert response.corrected_query == "port"
    assert response.corrected is True
    assert ids(response) == ["portal"]


def test_did_you_mean_keeps_the_rest_of_the_query(tips):
    assert tips("tag:misc pythin -rust").corrected_query == "tag:misc python -rust"


def test_did_you_mean_in_the_api_json(make_blog, build_index, make_app):
    settings, _ = build_index(make_blog({"python.md": post("Python tips")}))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    data = client.get("/api/search?q=pythin").get_json()
    assert (data["corrected_query"], data["corrected"]) == ("python", False)
    data = client.get("/api/search?q=python").get_json()
    assert (data["corrected_query"], data["corrected"]) == (None, False)


def test_a_name_and_a_number_typed_without_a_space_find_the_posts_with_both(search_blog):
    search = search_blog({"node.md": post("Node 18 is here", body="Released today."),
                          "other.md": post("Gardening", body="Roses and tulips.")})
    response = search("node18")
    # Found by the query itself (the word read as the two), the two said as what was meant.
    assert (response.corrected_query, response.corrected, ids(response)) == ("node 18", False, ["node"])


def test_a_word_of_letters_and_digits_that_posts_have_is_not_split(search_blog):
    search = search_blog({"es.md": post("ES2015 modules", body="Node and 2015 and es too.")})
    response = search("es2015")
    assert (response.corrected_query, ids(response)) == (None, ["es"])


def test_a_run_together_word_is_split_only_when_posts_have_each_part(search_blog):
    search = search_blog({"node.md": post("Node notes")})
    assert search("node18").corrected_query is None


def test_two_words_typed_without_a_space_find_the_posts_with_both(search_blog):
    search = search_blog({"hot.md": post("Hot reload in practice", body="Edits show at once."),
                          "other.md": post("Gardening", body="Roses and tulips.")})
    response = search("hotreload")
    assert (response.corrected_query, response.corrected, ids(response)) == ("hot reload", False, ["hot"])


def test_a_word_typed_for_two_finds_the_title_they_name_first(search_blog):
    search = search_blog({"help.md": post("npm-help", body="Get help on npm."),
                          "help-search.md": post("npm-help-search", body="Search npm help documentation. Help, help.")})
    assert ids(search("npmhelp"))[0] == "help"


def test_a_word_typed_for_two_is_read_every_way_posts_have_both(search_blog):
    # "debconf files" and "deb conffiles": the post has the second.
    search = search_blog({"conffiles.md": post("deb-conffiles", body="Package configuration files."),
                          "debconf.md": post("debconf", body="Configuration questions."),
                          "files.md": post("Files", body="Lists of files.")})
    assert ids(search("debconffiles"))[0] == "conffiles"


def test_a_word_no_post_has_is_split_only_into_words_posts_have(search_blog):
    search = search_blog({"hot.md": post("Hot reload in practice", body="Edits show at once.")})
    assert search("zqxwvut").corrected_query is None


# A title typed whole but for one word misspelt: its post first.
MOUNTING = "Mount a file system: mount options, mount points, file system types, each file system mounted."
TITLES = {
    "mount.md": post("Mount a file system", "How to mount one."),
    "nfs.md": post("mount.nfs: Mount a file system over the network (NFS)", MOUNTING * 3),
    "cut.md": post("Remove a part of each lane of a file", "Fields and characters."),
    "long.md": post("Shell manual", "Remove a part of each line of a file. " + MOUNTING),
    "react17.md": post("React 17 upgrade guide", "Upgrade React."),
    "notes.md": post("Notes", "React 18 upgrade guide: how to upgrade React. React 18 upgrade guide."),
}


def test_a_title_typed_with_one_word_misspelt_puts_its_post_first(search_blog):
    search = search_blog(TITLES)
    assert ids(search("Mount a file sistem"))[0] == "mount"


def test_a_title_with_a_word_misspelt_into_another_word_comes_first(search_blog):
    # "line" for "lane": a word other posts have, which the post wanted has not.
    search = search_blog(TITLES)
    assert ids(search("Remove a part of each line of a file"))[0] == "cut"


def test_a_title_that_differs_by_a_number_is_not_a_misspelt_title(search_blog):
    search = search_blog(TITLES)
    assert ids(search("React 18 upgrade guide"))[0] == "notes"


def test_a_title_typed_with_a_word_no_post_has_comes_first(search_blog):
    # "Reaect": no post has it; the post titled "React Compiler" is the one meant, though
    # another has both words in its title, headings and description.
    many = "## React Compiler\n\nThe React Compiler, compiler of React.\n\n## Compiler of React\n\nReact compiler."
    search = search_blog({
        "compiler.md": post("React Compiler", "What it does."),
        "beta.md": post("React Compiler beta", many, description="The React Compiler beta: a compiler for React."),
    })
    assert ids(search("Reaect Compiler")) == ["compiler", "beta"]



def test_a_one_word_title_typed_with_a_slip_comes_first(search_blog):
    # "Cdomponent": no post has it; the post titled "Component" is the one meant, though the
    # other has the word in its title and all over its headings.
    many = "".join(f"## Component {i}\n\nA component, and component parts.\n\n" for i in range(12))
    search = search_blog({
        "component.md": post("Component", "The base class."),
        "first.md": post("Your first component", many),
    })
    assert ids(search("Cdomponent")) == ["component", "first"]


def test_a_one_word_query_posts_have_is_not_taken_for_a_title_a_slip_away(search_blog):
    # "Nose" is a word of the blog: the reader meant it, not the post titled "Node".
    search = search_blog({
        "node.md": post("Node", "The runtime."),
        "nose.md": post("Smells", "The nose knows. The nose."),
    })
    assert ids(search("nose")) == ["nose"]

def _slips(a: str, b: str) -> int:
    """Edits from a to b (substitution, deletion, insertion, swap of neighbours), in full."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


_LETTERS = st.text(alphabet="abcé服", max_size=10)


@settings(max_examples=500)
@given(_LETTERS, _LETTERS)
def test_a_misspelt_word_is_one_slip_away_two_from_eight_letters(word, typed):
    from searchsvc.collect import is_misspelt

    most = 1 if len(word) < 8 else 2
    expected = (min(len(word), len(typed)) >= 4 and word.isalpha() and typed.isalpha()
                and _slips(word, typed) <= most)
    assert is_misspelt(word, typed) == expected


@given(st.text(max_size=12), st.text(max_size=12))
def test_any_two_words_can_be_compared(word, typed):
    from searchsvc.collect import is_misspelt

    assert is_misspelt(word, typed) in (True, False)


# ---------------------------------------------------------------------------
# Words joined by punctuation ("cargo-add(1)", "x86_64-unknown-linux")


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    """A blog of command pages titled as man pages are ("cargo-add(1)")."""
    from conftest import close_index, reindex_into, write_posts

    from searchsvc.search import SearchIndex

    root = tmp_path_factory.mktemp("joined")
    content = write_posts(root / "content", {
        "add.md": post("cargo-add(1)", body="Add dependencies to a manifest."),
        "clean.md": post("cargo-clean(1)", body="Remove generated artifacts."),
        "target.md": post("loongarch*-unknown-none*", body="A bare-metal target."),
    })
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    index = SearchIndex(root / "index")
    yield lambda q, **kw: index.search(SearchRequest(q=q, **kw))
    close_index(index)


@pytest.mark.parametrize("q, found", [
    ("carog-add(1)", "add"),  # a typo in the first word
    ("cargo-claen(1)", "clean"),  # ... in the middle
    ("cargo-clean(1) generatd", "clean"),  # ... in another word of the query
])
def test_a_typo_inside_words_joined_by_punctuation_still_finds_the_post(commands, q, found):
    assert ids(commands(q))[:1] == [found]


def test_words_joined_by_punctuation_last_half_typed_find_the_post(commands):
    assert ids(commands("loongarch*-unk")) == ["target"]


def test_joined_words_apart_never_outrank_them_together(commands):
    # As typed, the joined words find their post alone: they are not split.
    response = commands("cargo-add(1)")
    assert ids(response) == ["add"] and not response.relaxed


def test_joined_words_no_post_has_together_find_posts_with_some_as_words_apart_do(commands):
    apart, joined = commands("cargo zzzzq"), commands("cargo-zzzzq(1)")
    assert joined.relaxed and apart.relaxed
    assert sorted(ids(joined)) == sorted(ids(apart)) == ["add", "clean"]


def test_joined_words_posts_have_stay_together_when_another_word_fails(search_blog):
    # "curent" is a word of the blog (a typo in the notes), so it is not corrected, and no
    # post has every word. "node.js" and "18.2.0" are found as typed: kept whole, they still
    # tell the release from the notes that have "node", "js", "18", "2" and "0" apart.
    search = search_blog({
        "release.md": post("Node.js 18.2.0 (Current)", body="This release updates npm."),
        "notes.md": post("Weekly notes", body="The curent js team met; node 2 of 18 is 0 down."),
    })
    assert ids(search("Node.js 18.2.0 (Curent)"))[:1] == ["release"]


def _lexicons(words: list[str]):
    """The same sorted words as the body keeps them (packed) and as a list."""
    import numpy as np

    from searchsvc.vocabulary import Lexicon, PackedWords

    ordered = sorted(set(words), key=lambda w: w.encode())
    packed = object.__new__(Lexicon)
    packed.terms, packed.counts = PackedWords.merged([[(w.encode(), 1) for w in ordered]])
    packed.index = packed.by_initial = None
    plain = object.__new__(Lexicon)
    plain.terms, plain.counts = ordered, np.ones(len(ordered), dtype=np.int64)
    plain.index = {w: i for i, w in enumerate(ordered)}
    plain.by_initial = None
    return packed, plain


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.text(alphabet="abcdeéя", min_size=1, max_size=9), min_size=1, max_size=60),
       prefix=st.text(alphabet="abcdeéя", min_size=1, max_size=8))
def test_the_body_words_give_the_same_starts_of_a_slip_as_any_word_list(words, prefix):
    """A word typed with a slip is completed from the starts one typo away: the body's
    packed words (compared all at once) give the very starts a plain list of words does."""
    packed, plain = _lexicons(words)
    assert packed.near_starts(prefix) == plain.near_starts(prefix)


def test_a_slip_in_a_word_being_typed_finds_the_starts_it_may_be():
    packed, _ = _lexicons(["server", "sever", "several", "serve", "sevrer", "swerve", "other"])
    assert packed.near_starts("sevre") == ["serve", "seve", "sever", "sevr", "sevrer"]
