"""Queries typed the way people type them: a stop word half typed last, the last word cut
short after other words, a typo in a word only the body has."""

import json

import pytest

from searchsvc.query import starts_stop_word


def post(title: str, body: str = "Short notes for the week.") -> str:
    return f"---\ntitle: {json.dumps(title)}\n---\n\n{body}\n"


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


BLOG = {
    "four-years.md": post("Four Years of Go", "Looking back at how the language grew."),
    "years.md": post("Ten years later", "A retrospective."),
    "lanterns.md": post("Evening walk", "The river lantern festival causes crowds every autumn."),
    "rivers.md": post("River trips", "Kayaks and canoes on the river."),
}


@pytest.mark.parametrize("q", ["Four years o", "four years of", "Four Years of G"])
def test_a_title_cut_after_a_stop_words_first_letter_finds_the_post(search_blog, q):
    search = search_blog(BLOG)
    assert ids(search(q))[0] == "four-years"


def test_a_half_typed_stop_word_last_is_not_required(search_blog):
    search = search_blog(BLOG)
    # "o" could be "of": posts with "years" are found although none has a word starting with "o"...
    found = ids(search("years o"))
    assert set(found) >= {"four-years", "years"}


def test_the_last_word_after_others_completes_from_the_body(search_blog):
    search = search_blog(BLOG)
    # "festival" and "causes" are only in the body.
    assert ids(search("festival cau")) == ["lanterns"]


def test_a_typo_in_a_word_only_the_body_has_is_corrected(search_blog):
    search = search_blog(BLOG)
    response = search("lantern festivl")
    assert ids(response) == ["lanterns"]


@pytest.mark.parametrize("word, expected", [("o", True), ("fr", True), ("wit", True), ("of", False),
                                            ("go", False), ("zz", False), ("", False)])
def test_starts_stop_word(word, expected):
    assert starts_stop_word(word) is expected


STOPPY = {
    "rust-2016.md": post("Rust in 2016", "Plans for the year."),
    "rust-roadmap.md": post("Rust roadmap 2016", "Plans."),
    "may-goals.md": post("May Project Goals Update", "Progress on the goals."),
    "june-goals.md": post("Project goals for June", "Progress on the goals."),
    "the-who.md": post("The Who", "A band."),
    "other.md": post("Gardening", "Seeds."),
}


@pytest.mark.parametrize("q, first", [
    ("Rust in 2016", "rust-2016"),
    ("may project goals update", "may-goals"),
    ("May Project Goals", "may-goals"),
    ("the who", "the-who"),
])
def test_titles_made_of_common_words_are_found_by_them(search_blog, q, first):
    search = search_blog(STOPPY)
    assert ids(search(q))[0] == first


def test_a_stop_word_is_never_required(search_blog):
    search = search_blog(STOPPY)
    # "in" is in one Rust title only; both Rust posts are found, the one with "in" first.
    assert ids(search("rust in")) == ["rust-2016", "rust-roadmap"]


SECTIONS = """Intro paragraph about gardens.

## Watering

Lantern lantern lantern. The lantern is bright and the lantern hangs. Lantern again.

## Festival night

At the river festival a paper lantern floats downstream.

## Storage

River river river, the river is long. Festival festival festival planning festival.
"""


def test_the_section_with_every_word_is_the_snippet_and_the_first_link(search_blog):
    search = search_blog({"notes.md": post("Notes", SECTIONS), "other.md": post("Other")})
    hit = search("river festival lantern").results[0]
    assert hit.sections[0].anchor == "festival-night"
    assert "<mark>river</mark> <mark>festival</mark> a paper <mark>lantern</mark>" in hit.snippet_html


def test_words_close_together_rank_above_the_same_words_scattered(search_blog):
    filler = "Filler words go here. " * 10
    # The same words, as often, in texts of the same length: only their distance differs,
    # and the scattered post is the newer (a near-tie would put it first).
    scattered = f"---\ntitle: Spring\ndate: 2024-05-01\n---\n\nPaper. {filler}Kite. {filler}Blue.\n"
    close = f"---\ntitle: Summer\ndate: 2020-05-01\n---\n\nPaper shop, kite shop, blue shop. {filler}{filler}\n"
    search = search_blog({"scattered.md": scattered, "close.md": close})
    assert ids(search("paper kite blue")) == ["close", "scattered"]
    # ... in whatever order they are typed.
    assert ids(search("blue kite paper")) == ["close", "scattered"]


def test_words_close_together_in_the_order_typed_rank_above_the_same_words_in_another(search_blog):
    # Two posts of the same length with the same words, as close together: "close" in the order typed.
    close = "---\ntitle: Summer\ndate: 2020-05-01\n---\n\nPaper shop, kite shop, blue shop. Filler words.\n"
    other = "---\ntitle: Spring\ndate: 2024-05-01\n---\n\nBlue shop, kite shop, paper shop. Filler words.\n"
    search = search_blog({"close.md": close, "other.md": other})
    assert ids(search("paper kite blue")) == ["close", "other"]
    assert ids(search("blue kite paper")) == ["other", "close"]


@pytest.mark.parametrize("q", ["paper kite blu", "paper kite bleu"])
def test_a_last_word_cut_short_or_slipped_keeps_the_others_close_together_first(search_blog, q):
    """ "mostrará advertencia ejcu": the last word, being typed, is no word yet; the words
    before it close together still rank the post above the same words scattered."""
    filler = "Filler words go here. " * 10
    scattered = f"---\ntitle: Spring\ndate: 2024-05-01\n---\n\nPaper. {filler}Kite. {filler}Blue.\n"
    close = f"---\ntitle: Summer\ndate: 2020-05-01\n---\n\nPaper kite shop. {filler}{filler}Blue.\n"
    search = search_blog({"scattered.md": scattered, "close.md": close})
    assert ids(search(q)) == ["close", "scattered"]


COVER = {
    "create-app.md": post("Create a React app", "How to create the app with a framework."),
    "from-scratch.md": post(
        "Create a React app from scratch, step by step",
        "To create an app from scratch, create an empty folder for the app.",
    ),
}


def test_title_words_find_the_title_they_are_most_of(search_blog):
    # Both titles have "create" and "app"; the other post has them more often in its text.
    search = search_blog(COVER)
    assert ids(search("create app"))[0] == "create-app"
    assert ids(search("app scratch"))[0] == "from-scratch"


# ---------------------------------------------------------------------------
# Questions: "how do I publish a package"

QUESTIONS = {
    "publish.md": post("npm-publish", "Publish a package to the registry."),
    "faq.md": post("Frequently asked", "How do I ask? How do I get help? What is it? "
                   "Why does my build fail? You can publish a package once you ask."),
    "contribute.md": post("How to Contribute", "Open a pull request."),
    "other.md": post("Gardening", "Seeds."),
}


@pytest.mark.parametrize("q", [
    "how do I publish a package",
    "how to publish a package",
    "what is publish",
    "why does my package not publish",
])
def test_a_question_finds_the_post_its_other_words_find(search_blog, q):
    # "how", "do", "I", "what", "why", "does", "my" are never required: the post that
    # answers a question seldom has them. They count where they occur, a little.
    response = search_blog(QUESTIONS)(q)
    assert ids(response)[0] == "publish"
    assert not response.relaxed


VERBS = {
    "ci.md": post("npm-ci", "Clean install."),
    "install.md": post("npm-install", "Use npm ci in CI; use npm install elsewhere. Use it."),
    "directive.md": post("'use server'", "Marks functions the client may call."),
    "server.md": post("Server functions", "Use them from the client; the server runs them."),
    "rsc.md": post("Server Components: a server vulnerability", "How to use server components safely: use the "
                   "server's new version. Server components run on the server, server after server; use it."),
    "plan.md": post("Make a plan", "Steps."),
    "notes.md": post("Notes", "How to write a plan, and make it work."),
}


def test_a_verb_after_the_question_is_part_of_it(search_blog):
    # "use" in "how to use" says only that something is to be done: "npm ci" is the title
    # asked for, although the other post has "use" three times.
    assert ids(search_blog(VERBS)("how to use npm ci"))[0] == "ci"


def test_a_title_that_begins_with_the_verb_after_the_question_is_the_querys_title(search_blog):
    # "how do I use server": the question may name the title "'use server'".
    assert ids(search_blog(VERBS)("how do i use server"))[0] == "directive"


@pytest.mark.parametrize("q, first", [("use server", "directive"), ("cómo use server", "directive"),
                                      ("make a plan", "plan")])
def test_a_verb_not_after_a_question_word_of_its_language_is_a_word(search_blog, q, first):
    # "cómo use": "use" is no Spanish verb, and "'use server'" is a title.
    assert ids(search_blog(VERBS)(q))[0] == first


def test_a_title_made_of_question_words_is_still_found_by_it(search_blog):
    assert ids(search_blog(QUESTIONS)("how to contribute"))[0] == "contribute"


def test_question_words_alone_are_the_query(search_blog):
    assert ids(search_blog(QUESTIONS)("how do i")) == ["faq"]


# ---------------------------------------------------------------------------
# What kind of post: "node streams tutorial"

KINDS = {
    "streams.md": post("Node.js streams", "Readable and writable streams, piped."),
    "tutorial.md": post("A streams tutorial", "Streams, step by step."),
    **{f"notes-{i}.md": post(f"Notes {i}", "A tutorial on node and its streams, in passing.") for i in range(12)},
}


@pytest.mark.parametrize("q", ["node streams tutorial", "node streams example", "node streams explained"])
def test_a_word_for_the_kind_of_post_is_never_required(search_blog, q):
    # Twelve posts have "node", "streams" and "tutorial" in passing; the post titled with the
    # words a reader names the topic by has no "tutorial", and comes first.
    response = search_blog(KINDS)(q)
    assert ids(response)[0] == "streams"
    assert not response.relaxed


def test_a_word_for_the_kind_of_post_counts_where_it_occurs(search_blog):
    # Between two posts titled with "streams", the one that is a tutorial comes first.
    found = ids(search_blog(KINDS)("streams tutorial"))
    assert found.index("tutorial") < found.index("streams")


NAMED = {
    "streams.md": post("Streams", "Readable and writable streams, piped."),
    "tutorial.md": post("A streams tutorial", "Streams, step by step."),
    "compiler.md": post("React Compiler", "The compiler memoizes components."),
    "beta.md": post("React Compiler Beta Release", "The compiler, explained: it memoizes components for you."),
    "whoami.md": post("npm-whoami", "Display the npm username."),
    "npm.md": post("npm", "The package manager."),
}


@pytest.mark.parametrize("q", ["react compiler explained", "how do i react compiler", "react compiler tutorial"])
def test_a_title_named_in_a_question_or_with_a_kind_of_post_is_the_query(search_blog, q):
    # "React Compiler" is the query's title without "explained" (which the other post has).
    assert ids(search_blog(NAMED)(q))[0] == "compiler"


def test_a_title_that_begins_with_the_question_is_the_query_without_the_kind_of_post(search_blog):
    # "how 18": a title with both words ("How to upgrade to React 18"), a question's word in it.
    search = search_blog({
        "upgrade.md": post("How to upgrade to React 18", "Steps."),
        "plan.md": post("The plan for React 18", "React 18, explained: React 18 brings React 18 features, all explained."),
    })
    assert ids(search("how 18 explained"))[0] == "upgrade"


def test_a_title_with_the_question_word_typed_comes_first(search_blog):
    # "how react": a question's word counts for little, but in a title it counts in full: the
    # title with both words comes before the post that has "React" most.
    search = search_blog({
        "upgrade.md": post("How to upgrade to React 18", "Steps."),
        "plan.md": post("The plan for React 18", "## What React 18 brings\n\nReact 18 brings features.\n\n"
                        "## Trying React 18 today\n\nReact 18 alpha, React 18 beta: React 18 is the plan, and how to try it."),
        **{f"how-{i}.md": post(f"How to {topic}", "Steps.") for i, topic in enumerate(("test", "deploy", "profile"))},
    })
    assert ids(search("how react"))[0] == "upgrade"


def test_a_title_with_the_word_for_the_kind_of_post_too_comes_first(search_blog):
    # "A streams tutorial" has every word typed: "Streams" is not the query without "tutorial".
    assert ids(search_blog(NAMED)("streams tutorial"))[:2] == ["tutorial", "streams"]


def test_a_question_word_being_typed_after_a_title_does_not_make_it_the_query(search_blog):
    # "who" is the start of "whoami", not a question: "npm" is not the title asked for.
    assert ids(search_blog(NAMED)("npm who"))[0] == "whoami"


def test_a_stop_word_after_the_question_still_counts_in_the_phrase(search_blog):
    # "how to" is the question; the second "to" is part of the title asked for.
    search = search_blog({"add.md": post("Add to cart", "Buttons."), "cart.md": post("Cart: add items", "Lists.")})
    assert ids(search("how to add to cart")) == ["add", "cart"]


# ---------------------------------------------------------------------------
# A word no post has beside one that is never required: "pugrade 18", "zeplin tutorial"

WORD_AND_MORE = {
    "react-18.md": post("React 18 is out", "What changed in the new release."),
    "streams.md": post("A streams tutorial", "Streams, step by step."),
    "conf.md": post("Conference notes", "Talks from 2024 and the hallway."),
    "other.md": post("Gardening", "Seeds."),
}


@pytest.mark.parametrize("q, found", [
    ("qwzx 18", "react-18"),  # a last word of two characters
    ("qwzx tutorial", "streams"),  # a word for the kind of post
    ("qwzx 2024", "conf"),  # a year
])
def test_a_word_no_post_has_beside_a_word_never_required_finds_posts_with_that_word(search_blog, q, found):
    # Such a word is never required; when no post has the other word either, any of the
    # words counts it as one, rather than find nothing.
    response = search_blog(WORD_AND_MORE)(q)
    assert ids(response) == [found]
    assert response.relaxed


@pytest.mark.parametrize("q", ["how qwzx", "qwzx the", "qwzx r"])
def test_a_word_no_post_has_beside_a_question_or_stop_word_finds_nothing(search_blog, q):
    # "how", "the" or a letter alone tell nothing of what the post is about.
    assert search_blog(WORD_AND_MORE)(q).total == 0


# ---------------------------------------------------------------------------
# A post's address pasted into the box

LINKED = {
    # The address of "spring" is made of words that another post has in its title.
    "field-notes.md": post("Spring", "Birds came back this week."),
    "notes.md": post("Field notes", "Field notes, more field notes: https://blog.example/field-notes/"),
    "other.md": post("Other", "Nothing here."),
}


def _address_of(search, post_id: str) -> str:
    return next(hit.url for hit in search("spring OR field OR other", per_page=50).results if hit.id == post_id)


@pytest.mark.parametrize("shape", ["as given", "path", "slash", "query and fragment", "other host"])
def test_a_posts_address_pasted_into_the_box_finds_that_post_first(search_blog, shape):
    search = search_blog(LINKED)
    url = _address_of(search, "field-notes")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url
    typed = {
        "as given": url,
        "path": path.rstrip("/"),
        "slash": path.rstrip("/") + "/",
        "query and fragment": url + "?utm_source=feed#birds",
        "other host": "https://www.example.org" + path,
    }[shape]
    response = search(typed)
    assert ids(response)[0] == "field-notes"
    assert not response.results[0].pinned


def test_an_address_of_no_post_is_searched_as_words(search_blog, caplog):
    # The posts are at /blog/...: no post is at /other/; the words find what they find.
    response = search_blog(LINKED)("https://blog.example/other/")
    assert set(ids(response)) == {"notes", "other"}
    assert "URL" not in caplog.text


def test_a_pasted_address_keeps_to_the_filters_of_the_request(search_blog):
    search = search_blog({
        "tagged.md": "---\ntitle: Spring\ntags: [birds]\n---\n\nBirds came back.\n",
        "plain.md": post("Spring walks", "Walks in spring."),
    })
    url = next(hit.url for hit in search("spring").results if hit.id == "tagged")
    assert ids(search(url))[0] == "tagged"
    assert "tagged" not in ids(search(url, tags=("python",)))


# A paragraph pasted into the box: more words than a query may have

ERROR_TEXT = ("Error: Cannot find module 'left-pad' Require stack: the loader looked in node_modules of "
              "every folder up to the root, then in the global folders, and gave up; run npm install left-pad "
              "in the project, check the spelling of the name, and check that the package's main file exists "
              "before you start the server again")
PASTED = {
    "missing-module.md": post("When a module cannot be found", ERROR_TEXT),
    "modules.md": post("How modules are found", "The loader looks in node_modules folders, then in global folders."),
    "server.md": post("Starting the server", "Run the server again after an install."),
}


def test_a_pasted_error_message_longer_than_a_query_finds_its_post_first(search_blog):
    response = search_blog(PASTED)(ERROR_TEXT)
    assert response.words_left_out > 0
    assert ids(response)[0] == "missing-module"


# The blog's name typed beside other words ("react volverán causados limpieza"): most posts
# have it, and the post wanted may not have it where its other words are.
ACME = {
    **{f"note-{i}.md": post(f"Note {i}", f"Acme release notes, part {i}. Each widget needs a setup, one step at a time.")
       for i in range(10)},
    **{f"note-{i}.md": post(f"Note {i}", f"Acme release notes, part {i}. Acme runs everywhere.") for i in range(10, 30)},
    "widgets.md": post("Widget setup", "How to set a widget up, step by step."),
    "kites.md": post("Summer", "Paper kite shop, blue sky. " + "Filler words go here. " * 20 + "Acme was there."),
    "scattered.md": post("Spring", "Paper. " + "Filler words go here. " * 10 + "Kite. "
                         + "Filler words go here. " * 10 + "Blue. Acme."),
}


def test_the_blogs_name_before_a_title_finds_that_title(search_blog):
    search = search_blog(ACME)
    assert ids(search("acme widget setup"))[0] == "widgets"
    assert ids(search("widget setup acme"))[0] == "widgets"


def test_the_blogs_name_before_a_title_finds_it_over_a_page_that_lists_it(search_blog):
    # Every post has "Acme"; the guide lists the widget page's title, beside "Acme", more
    # often than the widget page says it.
    blog = {
        **{f"note-{i}.md": post(f"Note {i}", f"Acme release notes, part {i}. Acme runs everywhere.") for i in range(30)},
        "widgets.md": post("Widget setup", "With Acme, you set a widget up step by step. " + "Filler words go here. " * 20),
        "guides.md": post("Guides", "## Acme widget setup\n\nAcme widget setup: how the widget setup goes in Acme. "
                                    "Widget setup, again.\n\n## Gadgets\n\nAcme gadgets."),
    }
    search = search_blog(blog)
    assert ids(search("acme widget setup"))[0] == "widgets"
    assert ids(search("how do i acme widget setup"))[0] == "widgets"


def test_the_blogs_name_before_a_title_with_a_word_most_posts_have_finds_that_title(search_blog):
    # Every post has "Acme" and "widget", and most titles "Acme": without both, "setup"
    # alone names no title; without the name, "widget setup" does.
    blog = {
        **{f"note-{i}.md": post(f"Acme note {i}", f"Acme release notes, part {i}. Acme runs every widget.")
           for i in range(30)},
        "widgets.md": post("Widget setup", "With Acme, you set a widget up step by step. " + "Filler words go here. " * 20),
        "guides.md": post("Guides", "## Acme widget setup\n\nAcme widget setup: how the widget setup goes in Acme. "
                                    "Widget setup, again.\n\n## Gadgets\n\nAcme gadgets."),
    }
    search = search_blog(blog)
    assert ids(search("acme widget setup"))[0] == "widgets"


def test_a_word_most_posts_have_in_one_title_does_not_outweigh_a_sentence(search_blog):
    # Half the posts have "linha", one title has it: in titles it is rare, in posts it is not.
    blog = {
        **{f"note-{i}.md": post(f"Note {i}", f"Part {i}. Each line has its linha, one at a time.") for i in range(20)},
        **{f"other-{i}.md": post(f"Other {i}", f"Part {i}. Nothing here.") for i in range(20)},
        "guide.md": post("Linha guide", "A paper. " + "Filler words go here. " * 10 + "A kite. "
                         + "Filler words go here. " * 10 + "Linha."),
        "kites.md": post("Summer", "We glued the linha to the paper kite and it flew. " + "Filler words go here. " * 20),
    }
    search = search_blog(blog)
    assert ids(search("linha paper kite"))[0] == "kites"
    assert ids(search("linha guide"))[0] == "guide"


def test_the_blogs_name_before_a_passage_keeps_the_passage_first(search_blog):
    search = search_blog(ACME)
    assert ids(search("acme paper kite blue"))[0] == "kites"


def test_the_blogs_name_among_the_passages_words_still_counts(search_blog):
    together = post("Autumn", "Acme paper kite shop, blue sky. " + "Filler words go here. " * 20)
    search = search_blog({**ACME, "together.md": together})
    assert ids(search("acme paper kite blue"))[:2] == ["together", "kites"]


def test_a_word_many_titles_have_before_a_passage_keeps_the_passage_first(search_blog):
    # A third of the titles say "(Current)", few bodies do: typed before a sentence's words
    # ("current md instructions ci" on nodejs.org), it is the title's word, not the sentence's.
    scattered = ("Paper paper. " + "Filler words go here. " * 10 + "Kite kite. "
                 + "Filler words go here. " * 10 + "Blue blue.")
    blog = {
        **{f"note-{i}.md": post(f"Note {i}", f"Part {i}. Nothing here.") for i in range(25)},
        **{f"release-{i}.md": post(f"Release 1.{i} (Current)", f"Release notes, part {i}. {scattered}")
           for i in range(12)},
        "wanted.md": post("Release 1.99 (Current)", "Paper kite shop, blue sky. " + "Filler words go here. " * 20),
    }
    search = search_blog(blog)
    assert ids(search("paper kite blue"))[0] == "wanted"
    assert ids(search("current paper kite blue"))[0] == "wanted"


REORDERED = {
    "npm-ci.md": post("npm-ci", "Install a project with a clean slate, from its lockfile."),
    "scripts.md": post("Scripts", "How npm runs the scripts of a package.\n\n## npm ci\n\n"
                       "npm ci runs the install scripts: npm ci runs preinstall, install and postinstall, "
                       "then npm ci runs prepare.\n\n## npm publish\n\nnpm publish runs prepublishOnly."),
    "npm-publish.md": post("npm-publish", "Publish a package to the registry."),
    "npm-install.md": post("npm-install", "Install a package, and what npm ci does instead."),
}


@pytest.mark.parametrize("q, expected", [("ci npm", "npm-ci"), ("publish npm", "npm-publish")])
def test_a_title_typed_in_another_order_comes_first(search_blog, q, expected):
    search = search_blog(REORDERED)
    # "Scripts" says "npm ci" often, under a heading that is the title's words in order.
    assert ids(search(q))[0] == expected


def test_the_blogs_name_before_a_passage_that_has_a_common_word_keeps_the_passage_first(search_blog):
    # "archive" is in 15 of 41 titles, "files" in every post: typed before a sentence's words
    # that begin with "files" ("archivo salidas archivos proceso" on Spanish man pages), the
    # name is left out, and "files" kept.
    scattered = ("Sorted sorted. " + "Filler words go here. " * 20 + "Weekly weekly. "
                 + "Filler words go here. " * 20 + "More files.")
    blog = {
        **{f"note-{i}.md": post(f"Note {i}", f"Files of part {i}. Nothing here.") for i in range(25)},
        **{f"archive-{i}.md": post(f"Archive {i}", f"Archive notes, part {i}. {scattered}") for i in range(15)},
        "wanted.md": post("Timing runs", "An old archive. " + "Filler words go here. " * 20
                          + "It writes files sorted weekly, then stops."),
    }
    search = search_blog(blog)
    assert ids(search("files sorted weekly"))[0] == "wanted"
    assert ids(search("archive files sorted weekly"))[0] == "wanted"


def test_a_cjk_word_typed_last_with_a_character_left_out_finds_the_post_with_the_first_word(search_blog):
    # "リモーファイ" for "リモートファイル": every pair of its characters but one ("ーフ") is in
    # the title; Ncftp's page has them all, scattered.
    search = search_blog({
        "rcp.md": post("rcp — リモートファイルのコピー", "ホスト間でファイルをコピーする。"),
        "ncftp.md": post("Ncftp", "rcp のようにリモートのホストへ。データーフォーマットのファイル。"),
        "other.md": post("ls", "ファイルの一覧。"),
    })
    response = search("rcp リモーファイ")
    assert ids(response) == ["ncftp", "rcp"]
    assert response.with_every_word == 1
