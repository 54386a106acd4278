"""As you type: the last word also matches as a prefix; exact > prefix > fuzzy; expansion is bounded."""

import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from searchsvc.schema import build_schema
from searchsvc.query import build_query, parse_query
from searchsvc.search import SearchIndex, SearchRequest
from searchsvc.vocabulary import Vocabulary

BODY = "Short notes for the week."


def post(title: str, body: str = BODY) -> str:
    return f"---\ntitle: {json.dumps(title)}\n---\n\n{body}\n"


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


@pytest.mark.parametrize("q", ["server act", "server actio", "server a", "Server Act", "act"])
def test_last_word_matches_as_a_prefix(search_blog, q):
    search = search_blog({"server-actions.md": post("Server Actions"), "other.md": post("Gardening")})
    response = search(q)
    assert ids(response) == ["server-actions"]
    assert response.relaxed is False


@pytest.mark.parametrize("q", ["node 20 ", "node 20?", "node 20, "])
def test_a_last_word_followed_by_a_space_or_a_mark_is_whole(search_blog, q):
    search = search_blog({"twenty.md": post("Node 20 is here"), "recap.md": post("Node 2015 recap")})
    assert ids(search(q)) == ["twenty"]


def test_a_title_that_begins_with_a_whole_last_word_comes_first(search_blog):
    search = search_blog({
        "twenty.md": post("Node 20 in production, notes", body="Node 20 in production."),
        "recap.md": post("Node 2015: node 20 talks", body="Node 20 talks."),
    })
    assert ids(search("node 20 ")) == ["twenty", "recap"]


def test_a_last_word_with_nothing_after_it_is_still_being_typed(search_blog):
    search = search_blog({"twenty.md": post("Node 20 is here"), "recap.md": post("Node 2015 recap")})
    assert sorted(ids(search("node 20"))) == ["recap", "twenty"]


@pytest.mark.parametrize("text, whole", [("node 20 ", True), ("node 20?", True), ("node 20!", True),
                                         ("node 20", False), ("node.", False), ("v18.", False), ("", False)])
def test_the_parser_says_whether_the_last_word_is_whole(text, whole):
    assert parse_query(text).last_whole is whole


def test_prefix_from_the_first_letter(search_blog):
    search = search_blog({"zebracorn.md": post("Zebracorn"), "other.md": post("Gardening")})
    assert ids(search("z")) == ["zebracorn"]


def test_prefix_match_is_marked_in_the_title(search_blog):
    search = search_blog({"p.md": post("Server Actions", body="Forms post to server actions.")})
    assert search("server act").results[0].title_html == "<mark>Server</mark> <mark>Actions</mark>"


@pytest.mark.parametrize("q", ["deploy rollb", "deploy tag:ops rollb", "ops rollb"])
def test_last_word_completes_into_headings_and_tags(search_blog, q):
    search = search_blog(
        {
            "p.md": "---\ntitle: Deploy notes\ntags: [ops]\n---\n\n## Rollbacks\n\nKeep the old release.\n",
            "other.md": post("Gardening"),
        }
    )
    response = search(q)
    assert (ids(response), response.relaxed) == (["p"], False)


def test_exact_word_ranks_above_a_prefix_match(search_blog):
    search = search_blog({"prefix.md": post("Cloudflare notes"), "exact.md": post("Cloud notes")})
    assert ids(search("cloud")) == ["exact", "prefix"]


def test_prefix_match_ranks_above_a_fuzzy_match(search_blog):
    # "grap" is a prefix of "graphs" and one letter away from "gram".
    search = search_blog({"fuzzy.md": post("Gram units"), "prefix.md": post("Graphs explained")})
    assert ids(search("grap")) == ["prefix", "fuzzy"]


def test_exact_then_prefix_then_fuzzy_in_one_query(search_blog):
    search = search_blog(
        {
            "fuzzy.md": post("Markdown tips"),
            "prefix.md": post("Python tips"),
            "exact.md": post("Rust tips"),
        }
    )
    # markdwon: a typo (not last); rust: exact; pyth: the last word, a prefix.
    assert ids(search("markdwon OR rust OR pyth")) == ["exact", "prefix", "fuzzy"]


def test_a_partial_word_that_is_not_last_is_not_expanded(search_blog):
    search = search_blog({"server-actions.md": post("Server Actions")})
    response = search("act server")
    # "act" matched nothing, so only the relaxed search (any word) finds the post.
    assert response.relaxed is True


class RecordingExpander:
    """Stands in for Expander: records which words are asked for completions."""

    def __init__(self):
        self.completed: list[str] = []

    def completions(self, word):
        self.completed.append(word)
        return []

    def corrections(self, word):
        return []

    def dotted(self, word):
        return []

    def titled_apart(self, key):
        return None

    def titled_together(self, key):
        return None

    def indexed(self, fieldname, term):
        return False

    def joined_completions(self, word, fieldname, body_limit=None):
        return []

    def worked_out(self, key, work):
        return work()

    def body_completions(self, word, limit=None):
        self.completed.append(word)
        return []

    def body_corrections(self, word):
        return []

    def body_has_as_typed(self, word):
        return False

    def body_count(self, word):
        return 0

    def body_posts(self, term):
        return 0

    def post_count(self):
        return 0

    def title_continuations(self, key):
        self.completed.append(key)
        return []

    def known(self, word, as_written=False):
        return False

    def in_code(self, word):
        return False

    def fuzzy_completions(self, word):
        return []

    def body_fuzzy_completions(self, word):
        return []


def test_only_the_last_word_is_completed_when_building_the_query():
    expander = RecordingExpander()
    build_query(build_schema(), parse_query("serv act optim"), expander)
    # In the titles' words, in the titles begun so, then (after other words) in the body's.
    assert expander.completed == ["optim", "serv act optim", "optim"]


@pytest.mark.parametrize("q", ["server -act", "server tag:act", "server author:act", 'server "act now"'])
def test_a_last_clause_that_is_not_a_plain_word_is_not_completed(q):
    expander = RecordingExpander()
    build_query(build_schema(), parse_query(q), expander)
    assert expander.completed == []


def test_negated_last_word_excludes_only_that_word(search_blog):
    search = search_blog({"server-actions.md": post("Server Actions"), "act.md": post("Act now", body="The server must act.")})
    assert ids(search("server -act")) == ["server-actions"]


def test_completion_does_not_match_the_typed_word_itself_twice(search_blog):
    search = search_blog({"p.md": post("Zebra"), "q.md": post("Zebras and zebracorns")})
    assert set(ids(search("zebra"))) == {"p", "q"}


# ---------------------------------------------------------------------------
# Bounded expansion


MANY_Z_WORDS = [f"z{chr(97 + i // 26)}{chr(97 + i % 26)}word" for i in range(300)]


@pytest.fixture(scope="module")
def many_z_words_index(tmp_path_factory):
    """One post with 300 headings, each a distinct word starting with z (indexed once, read-only)."""
    from conftest import close_index, reindex_into, write_posts

    headings = "\n\n".join(f"## {w}\n\ntext" for w in MANY_Z_WORDS)
    root = tmp_path_factory.mktemp("many-z")
    content = write_posts(root / "content", {"z.md": f"---\ntitle: Zed\n---\n\n{headings}\n"})
    _, summary = reindex_into(content, root / "index")
    assert not summary.skipped
    index = SearchIndex(root / "index")
    yield index
    close_index(index)


def test_one_letter_prefix_yields_at_most_limit_completions(many_z_words_index):
    with many_z_words_index.searcher() as (snap, searcher):
        vocabulary = snap.vocabulary
        completions = vocabulary.completions(searcher.reader(), "z")
    assert len(completions) == vocabulary.limit <= 10


@pytest.mark.parametrize("limit", [1, 3, 25])
def test_completions_respect_the_vocabulary_limit(many_z_words_index, limit):
    with many_z_words_index.searcher() as (_, searcher):
        completions = Vocabulary(searcher.schema, limit=limit).completions(searcher.reader(), "z")
    assert len(completions) == limit
    assert all(w.startswith("z") for w in completions)


def test_completions_leave_out_the_word_itself(many_z_words_index):
    with many_z_words_index.searcher() as (_, searcher):
        assert "zed" not in Vocabulary(searcher.schema).completions(searcher.reader(), "zed")


def test_completions_of_an_unknown_prefix_are_empty(many_z_words_index):
    with many_z_words_index.searcher() as (_, searcher):
        assert Vocabulary(searcher.schema).completions(searcher.reader(), "qx") == []


def test_one_letter_query_on_a_large_vocabulary_still_answers(many_z_words_index):
    response = many_z_words_index.search(SearchRequest(q="z"))
    assert [h.id for h in response.results] == ["z"]


# A title typed from its start: the post whose title begins with the words comes first.

SECURITY_BODY = "OpenSSL fixes. " * 6 + "Upgrade OpenSSL and Node.js today; OpenSSL is in every release."


@pytest.mark.parametrize("q", ["OpenSSL a", "OpenSSL and B", "openssl and breaking cha"])
def test_a_title_typed_from_its_start_comes_first(search_blog, q):
    search = search_blog({
        "utf8.md": post("OpenSSL and Breaking UTF-8 Change", "We upgraded OpenSSL."),
        "security.md": post("Node.js and OpenSSL security releases", SECURITY_BODY),
        "update.md": post("Updates to Node.js and OpenSSL", SECURITY_BODY),
    })
    assert ids(search(q))[0] == "utf8"


def test_the_title_typed_most_of_comes_first_among_titles_begun_alike(search_blog):
    search = search_blog({
        "long.md": post("Weekly update for the collaboration summit in Dublin and London"),
        "short.md": post("Weekly update, May"),
    })
    assert ids(search("weekly update")) == ["short", "long"]


def test_a_title_beginning_never_adds_a_post_without_the_words(search_blog):
    search = search_blog({"p.md": post("Release notes"), "q.md": post("Release party", "Cake.")})
    response = search("release notes")
    assert ids(response) == ["p", "q"]  # (posts with the first word follow: see test_ranking_rules)
    assert response.with_every_word == 1


def test_a_cjk_title_typed_from_its_start_comes_first(search_blog):
    search = search_blog({
        "title.md": "---\ntitle: 服务器组件介绍\nlang: zh\n---\n\n新的组件。\n",
        "body.md": "---\ntitle: 笔记\nlang: zh\n---\n\n" + "服务器组件很好。" * 5 + "\n",
    })
    assert ids(search("服务器组"))[0] == "title"


def test_a_last_word_the_index_has_whole_may_still_be_the_start_of_another(search_blog):
    # "asses" is a word of one post (its stem "ass" too), and the start of "assessments".
    search = search_blog({
        "donkeys.md": post("Donkeys", "Insecure stables for donkeys and asses."),
        "audit.md": post("Audit", "Insecure defaults were found in the assessments."),
    })
    assert set(ids(search("insecure asses"))) == {"donkeys", "audit"}


def test_a_last_word_the_stemmer_reads_as_another_word_still_completes_in_the_body(search_blog):
    # Porter's stemmer reads "tes" as the word "te": four posts have "te" (so "tes" was
    # taken as typed whole), but the reader typing "observed tes" is on the way to "tests".
    posts = {f"te-{n}.md": post(f"Note {n}", body=f"We observed a te ceremony in town {n}.") for n in range(4)}
    posts["tests.md"] = post("Release", body="We observed the tests pass on every platform.")
    search = search_blog(posts)
    assert "tests" in ids(search("observed tes"))


def test_body_completions_start_with_the_letters_typed(tmp_path):
    from searchsvc.indexer import reindex
    from searchsvc.config import Settings

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(post("Alpha", body="A team wrote text about testing and tests."))
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    index = SearchIndex(settings.index_dir)
    try:
        with index.searcher() as (snap, searcher):
            completions = snap.vocabulary.body_completions(searcher.reader(), "tes")
    finally:
        index.close()
    assert completions and all(word.startswith("tes") for word in completions)


def test_a_rare_whole_word_after_common_words_still_completes_in_the_body(search_blog):
    # "inst" is a whole word of two posts, but a reader typing "npm inst" after a word that
    # forty posts have is typing "install": those posts are too many to search each text.
    posts = {f"npm-{n}.md": post(f"Registry note {n}", body=f"The npm registry answered {n} times.")
             for n in range(40)}
    posts.update({f"inst-{n}.md": post(f"Inst {n}", body="npm inst is an abbreviation here.") for n in range(2)})
    posts["install.md"] = post("Packages", body="Run npm install before the build.")
    search = search_blog(posts)
    assert "install" in ids(search("npm inst"))


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéàçüÉÀÇÜ0123456789_"


@given(st.text(alphabet=_LETTERS + " -'.\n", max_size=80), st.text(alphabet=_LETTERS, min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_a_word_start_is_found_in_any_case_and_nowhere_else(text, prefix):
    """The text of a post is searched for a word starting with the last word typed (see
    collect.widen_to_prefix): case aside, never in the middle of a word."""
    from searchsvc.snapshot import StoredPost

    post = StoredPost({"body": text, "meta": {"title": "&"}})
    expected = re.search(r"(?<!\w)" + re.escape(prefix), text, re.IGNORECASE) is not None
    assert post.has_word_starting(prefix) is expected
    assert post.has_word_starting(prefix.swapcase()) is expected


@pytest.mark.parametrize("text, expected", [
    ("の" * 40 + "。のぞみ", True),  # past many finds inside a run, one at its start
    ("の" * 40, True),  # the run itself starts with it
    ("あ" + "の" * 40, False),  # never at a word's start
    ("x" + "ab" * 30 + " abc", True),
    ("x" + "ab" * 30, False),
])
def test_a_word_start_is_found_past_many_finds_inside_words(text, expected):
    from searchsvc.snapshot import StoredPost

    post = StoredPost({"body": text, "meta": {"title": "&"}})
    prefix = "の" if "の" in text else "AB"
    assert post.has_word_starting(prefix) is expected


def test_a_last_word_many_posts_have_whole_still_widens_to_words_it_starts(search_blog):
    # Ten posts have "dev" whole; one post has "quokka" and "developers": when fewer than
    # three posts have both words, posts with the first and a word starting with the last follow.
    posts = {f"tools-{i}.md": post(f"Tools {i}", "The dev tools of the week.") for i in range(10)}
    posts["other.md"] = post("Other", "A quokka and the dev team.")
    posts["target.md"] = post("Target", "Quokka notes: developers welcome.")
    assert ids(search_blog(posts)("quokka dev")) == ["other", "target"]


def test_the_last_word_completes_to_the_words_of_titles_begun_with_the_words_typed(search_blog):
    # Nine words starting "di" are in the headings of four posts each; "dist" is in one title.
    # The commonest completions of "di" are those nine; in the titles that begin "npm di",
    # the words there ("diff", "dist") are looked for too.
    headings = "\n\n".join(f"## {w}\n\nText." for w in (
        "Directory", "Display", "Direct", "Digest", "Disable", "Distance", "Dialog", "Diagram", "Dinner"))
    posts = {f"guide-{i}.md": post(f"npm guide {i}", headings) for i in range(4)}
    posts["dist-tag.md"] = post("npm-dist-tag", "Modify package distribution tags.")
    posts["diff.md"] = post("npm-diff", "The registry diff command.")
    search = search_blog(posts)
    assert set(ids(search("npm di"))[:2]) == {"dist-tag", "diff"}


# ---------------------------------------------------------------------------
# A slip in the word being typed: "react ugpra" while typing "upgrade"

SLIPS = {
    "upgrade.md": post("How to upgrade", "Step by step, the whole way."),
    "editor.md": post("Editor setup", "Themes and linters."),
    "strings.md": post("Strings", "Quotes."),
    "stream.md": post("Streams", "Pipes."),
}


@pytest.mark.parametrize("q, found", [
    ("ugpra", "upgrade"),  # the 2nd and 3rd letters swapped, the word not finished
    ("how to upgrd", "upgrade"),
    ("configure eidto", "editor"),
])
def test_a_word_being_typed_with_a_slip_finds_the_words_it_is_the_start_of(search_blog, q, found):
    response = search_blog(SLIPS)(q)
    assert ids(response)[0] == found


def test_a_word_a_typo_away_from_a_whole_word_is_read_as_that_word(search_blog):
    # "edti" is "edit" with a slip (the eval's words with a typo): not the start of "editor".
    search = search_blog({**SLIPS, "edit.md": post("Edit a file", "Open it.")})
    assert ids(search("configure edti")) == ["edit"]


def test_a_slip_that_is_also_a_typo_of_a_word_in_some_text_still_finds_the_word_it_starts(search_blog):
    # "crur" is "current" cut short with a slip; it is also a typo of "cruz", in one post's text.
    search = search_blog({
        "release.md": post("Node 10.8.0 (Current)", "Notable changes."),
        "notes.md": post("Notes", "Cruz wrote about 10.8.0 last week."),
    })
    assert ids(search("10.8.0 crur"))[0] == "release"


def test_a_rare_title_word_typed_with_a_slip_finds_its_post_beside_the_other_words(search_blog):
    # "expirq" is "Expirado" cut short with a slip. The blog's commonest words that start
    # one slip away ("expire", "expired", ...) fill the completions; the post whose title
    # has the other word and "Expirado" is the one wanted.
    common = "Expire expired expires expiring expiry expiries expirable expirer"
    posts = {f"note{i}.md": post(f"Week {i}", f"Chage runs daily.\n\n## {common}\n\nText.") for i in range(9)}
    posts["chage.md"] = post("Chage and Expirado, the password checker", "When a password is too old.")
    search = search_blog(posts)
    assert ids(search("chage expirq"))[0] == "chage"


def test_a_title_typed_with_a_slip_in_its_last_word_comes_first(search_blog):
    # "npm exkpl": "npm-explain" typed, "expl" with a slip. The pages with "npm" all over
    # and "Explicit" in a heading outscored its title's "explain", a slip and a prefix away.
    posts = {f"npm-{name}.md": post(f"npm-{name}", "## Explicit npm steps\n\nnpm runs each explicitly: npm, npm and npm.")
             for name in ("stage", "trust", "cache", "exec")}
    posts["npm-explain.md"] = post("npm-explain", "Why a package is installed, with the path that brought it in, "
                                   "from the root of the project down to the package that was explained.")
    assert ids(search_blog(posts)("npm exkpl"))[0] == "npm-explain"


def test_a_word_being_typed_that_finds_little_is_also_read_with_a_slip_in_titles(search_blog):
    # "compli" starts "complicated", which one post has; "compilation", a slip away, is in
    # the title of the post with the other word that the reader is typing.
    search = search_blog({
        "buildflags.md": post("Buildflags: the options for compilation", "Set them per package."),
        "builds.md": post("Complicated builds", "Buildflags are complicated."),
    })
    assert ids(search("buildflags compli")) == ["buildflags", "builds"]


@pytest.mark.parametrize("q", ["expand tabs spce", "expand tabs spc"])
def test_a_short_word_being_typed_with_a_slip_finds_the_title_that_has_every_other_word(search_blog, q):
    # "spce" and "spc" are "spaces" cut at four letters and three with a slip. Each starts
    # "spcedit", a name in a long manual that has the other words too; the title with them
    # and "spaces" comes first.
    manual = "\n\n".join(["Expand aliases.", "Tabs and blanks.", "Run spcedit to edit."] + ["More of the shell."] * 30)
    search = search_blog({
        "expand.md": post("expand - convert tabs to spaces", "Each tab becomes as many blanks as it stood for."),
        "shell.md": post("bash - the shell", manual),
    })
    assert ids(search(q)) == ["expand", "shell"]


def test_a_word_being_typed_that_starts_words_is_not_read_as_a_slip(search_blog):
    # "stre" starts "streams": "stri", a typo away, is not what is being typed.
    assert ids(search_blog(SLIPS)("stre")) == ["stream"]


def test_a_word_being_typed_completes_to_a_word_joined_by_a_hyphen_once_past_its_first_half(tmp_path):
    """"fronte" is on its way to "front-end"; "fro" is not yet: the posts with "front-end"
    have "front", a completion of "fro" itself."""
    from searchsvc.indexer import reindex
    from searchsvc.config import Settings

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(post("Front-End Notes", body="The front-end and the front door."))
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    index = SearchIndex(settings.index_dir)
    try:
        with index.searcher() as (snap, searcher):
            def joined(word):
                return [t.lstrip("\x1e") for t in snap.vocabulary.joined_completions(searcher.reader(), word, "title")]

            assert (joined("fronte"), joined("fro")) == (["frontend"], [])
    finally:
        index.close()
