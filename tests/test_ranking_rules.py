"""Ranking rules, each pinned on a small literal blog.

Field order (title > headings > tags, description > body > code), the exact-title and
phrase bonus, more matching words first (relaxed mode), recency only for near-ties,
and compound words that do not swamp plain ones.
"""

import json

import pytest

FILLER = "Plain words about ordinary things."


def post(
    title: str,
    *,
    body: str = FILLER,
    heading: str | None = None,
    tags: list[str] | None = None,
    description: str | None = None,
    code: str | None = None,
    date: str | None = None,
) -> str:
    """One Markdown post; front matter values are written as JSON strings (valid YAML)."""
    front = [f"title: {json.dumps(title)}"]
    if description is not None:
        front.append(f"description: {json.dumps(description)}")
    if tags is not None:
        front.append(f"tags: {json.dumps(tags)}")
    if date is not None:
        front.append(f"date: {json.dumps(date)}")
    text = "---\n" + "\n".join(front) + "\n---\n\n"
    if heading is not None:
        text += f"## {heading}\n\n"
    text += body + "\n"
    if code is not None:
        text += f"\n```\n{code}\n```\n"
    return text


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


def apart(words: str) -> str:
    """``words`` in a text, far from each other."""
    return " ".join(f"{w} {FILLER} {FILLER}" for w in words.split())


# ---------------------------------------------------------------------------
# Field order


def full_post(**word_in) -> str:
    """A post with every field filled; the word zebracorn in exactly the field named."""
    fields = {
        "title": "Notes for the week",
        "heading": "Some heading",
        "tags": "misc",
        "description": "A short note about things.",
        "body": FILLER,
        "code": "x = 1",
    }
    fields.update(word_in)
    return post(
        fields["title"],
        heading=fields["heading"],
        tags=[fields["tags"]],
        description=fields["description"],
        body=fields["body"],
        code=fields["code"],
    )


def test_field_order_when_every_post_fills_every_field(search_blog):
    search = search_blog(
        {
            "in-title.md": full_post(title="Zebracorn notes for the week"),
            "in-heading.md": full_post(heading="Zebracorn heading"),
            "in-tags.md": full_post(tags="zebracorn"),
            "in-description.md": full_post(description="A short zebracorn note."),
            "in-body.md": full_post(body="Plain zebracorn about ordinary things."),
            "in-code.md": full_post(code="zebracorn = 1"),
        }
    )
    order = ids(search("zebracorn"))
    assert order[:2] == ["in-title", "in-heading"]
    assert set(order[2:4]) == {"in-tags", "in-description"}
    assert order[4:] == ["in-body", "in-code"]


#: How to put the word in one field of an otherwise ordinary post (title and body only).
IN_FIELD = {
    "title": lambda: post("Zebracorn notes"),
    "headings": lambda: post("Notes", heading="Zebracorn heading"),
    "tags": lambda: post("Notes", tags=["zebracorn"]),
    "description": lambda: post("Notes", description="A zebracorn note."),
    "body": lambda: post("Notes", body="Plain zebracorn about ordinary things."),
    "code": lambda: post("Notes", code="zebracorn = 1"),
}


@pytest.mark.parametrize(
    "higher, lower",
    [
        ("title", "headings"),
        ("headings", "tags"),
        ("headings", "description"),
        ("tags", "body"),
        ("description", "body"),
        ("body", "code"),
    ],
)
def test_field_order_in_an_ordinary_blog(search_blog, higher, lower):
    """Most posts have no tags or description; a match there still outranks the body."""
    posts = {f"in-{higher}.md": IN_FIELD[higher](), f"in-{lower}.md": IN_FIELD[lower]()}
    for i in range(6):
        posts[f"other-{i}.md"] = post(f"Other post {i}", body=f"Unrelated text number {i} about gardening.")
    assert ids(search_blog(posts)("zebracorn")) == [f"in-{higher}", f"in-{lower}"]


# ---------------------------------------------------------------------------
# Exact title and phrase bonus


def test_exact_title_beats_a_title_with_the_same_words_apart(search_blog):
    search = search_blog({"apart.md": post("Actions on the Server"), "exact.md": post("Server Actions")})
    assert ids(search("server actions")) == ["exact", "apart"]


def test_exact_title_beats_a_title_containing_the_phrase(search_blog):
    search = search_blog({"longer.md": post("Using Server Actions Today"), "exact.md": post("Server Actions")})
    assert ids(search("server actions")) == ["exact", "longer"]


def test_exact_title_ignores_case_and_punctuation(search_blog):
    search = search_blog({"apart.md": post("Actions on the Server"), "exact.md": post("Server Actions!")})
    assert ids(search("SERVER actions")) == ["exact", "apart"]


def test_phrase_in_the_title_beats_the_words_apart_in_the_title(search_blog):
    search = search_blog(
        {
            "apart.md": post("Server Rendering and Form Actions"),
            "phrase.md": post("Using Server Actions Today"),
        }
    )
    assert ids(search("server actions")) == ["phrase", "apart"]


def test_phrase_in_the_body_beats_the_words_apart_in_the_body(search_blog):
    search = search_blog(
        {
            "apart.md": post("Notes B", body=f"The server is big. {FILLER} Other actions follow here."),
            "phrase.md": post("Notes A", body=f"We use server actions daily. {FILLER} Other things follow here."),
        }
    )
    assert ids(search("server actions")) == ["phrase", "apart"]


def test_quoted_phrase_finds_only_the_phrase(search_blog):
    search = search_blog(
        {
            "apart.md": post("Server Rendering and Form Actions"),
            "phrase.md": post("Using Server Actions Today"),
        }
    )
    assert ids(search('"server actions"')) == ["phrase"]


def test_quoted_phrase_as_written_beats_its_stems(search_blog):
    # Both have the phrase of stems ("releas file"); the reader typed one wording.
    search = search_blog(
        {
            "stems.md": post("Notes A", body=f"The released file is signed. {FILLER}"),
            "written.md": post("Notes B", body=f"The release files are signed. {FILLER}"),
        }
    )
    assert ids(search('"release files"')) == ["written", "stems"]
    assert ids(search('"released file"')) == ["stems", "written"]


# ---------------------------------------------------------------------------
# More matching words first (relaxed mode)


def test_all_words_required_when_enough_posts_have_them_all(search_blog):
    posts = {f"two-{i}.md": post(f"Notes {i}", body="alpha and beta here.") for i in range(10)}
    search = search_blog({**posts, "one.md": post("Notes one", body="alpha only here.")})
    response = search("alpha beta", per_page=20)
    assert "one" not in ids(response)
    assert (response.total, response.with_every_word, response.relaxed) == (10, 10, False)


def test_relaxed_when_no_post_has_every_word(search_blog):
    search = search_blog(
        {
            "two.md": post("Notes one", body="alpha and beta here."),
            "one.md": post("Notes two", body="alpha only here."),
        }
    )
    response = search("alpha beta gamma")
    assert response.relaxed is True
    assert set(ids(response)) == {"two", "one"}


def test_relaxed_post_matching_more_words_comes_first(search_blog):
    search = search_blog(
        {
            "one.md": post("Notes one", body="alpha only here."),
            "two.md": post("Notes two", body="alpha and beta here."),
            "three.md": post("Notes three", body="gamma only here."),
        }
    )
    assert ids(search("alpha beta gamma"))[0] == "two"


def test_relaxed_more_words_in_the_body_beat_one_word_in_the_title(search_blog):
    search = search_blog(
        {
            "one-in-title.md": post("Alpha notes"),
            "two-in-body.md": post("Other notes", body=f"beta and gamma. {FILLER}"),
            "neutral.md": post("Neutral"),
        }
    )
    assert ids(search("alpha beta gamma")) == ["two-in-body", "one-in-title"]


def test_relaxed_results_keep_their_relevance_order(search_blog):
    """The word that matches is only ever in a body: the better body match still comes first."""
    search = search_blog(
        {
            "strong.md": post("Notes A", body="Server setup: the server, the server and the server.", date="2019-01-01"),
            "weak.md": post(
                "Notes B",
                body="One server among many other words in a long body about gardening, cooking and travel plans.",
                date="2025-01-01",
            ),
        }
    )
    assert ids(search("server")) == ["strong", "weak"]
    response = search("server zzzz")
    assert response.relaxed is True
    assert ids(response) == ["strong", "weak"]
    assert all(hit.score > 0 for hit in response.results)


def test_no_relaxing_for_a_single_word(search_blog):
    search = search_blog({"a.md": post("Notes", body="alpha here.")})
    response = search("zzzzqqq")
    assert (response.total, response.relaxed) == (0, False)


def test_relaxed_flag_in_the_api_json(make_blog, build_index, make_app):
    settings, _ = build_index(make_blog({"two.md": post("Notes", body="alpha and beta here.")}))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    assert client.get("/api/search?q=alpha+beta+gamma").get_json()["relaxed"] is True
    assert client.get("/api/search?q=alpha+beta").get_json()["relaxed"] is False


# ---------------------------------------------------------------------------
# A few posts have every word: those with all but one follow


def test_posts_missing_one_word_follow_the_few_with_every_word(search_blog):
    """A reader misremembers one word ("table" for "row"): the post they want has the others."""
    search = search_blog(
        {
            "wanted.md": post("Cutting columns", body=apart("cut columns each row")),
            "every.md": post("Bash notes", body="Each table column can be cut."),
            "one-only.md": post("Misc", body="A table and a chair."),
        }
    )
    response = search("cut columns each table")
    assert ids(response) == ["every", "wanted"]
    assert (response.total, response.with_every_word, response.relaxed) == (2, 1, False)


def test_a_post_missing_one_word_with_the_others_close_together_comes_first(search_blog):
    """The same, the others in one sentence of the post: it is the post remembered."""
    search = search_blog(
        {
            "wanted.md": post("Cutting columns", body="Cut columns from each row of a file."),
            "every.md": post("Bash notes", body="Each table column can be cut."),
        }
    )
    response = search("cut columns each table")
    assert ids(response) == ["wanted", "every"]
    assert (response.total, response.with_every_word, response.relaxed) == (2, 2, False)


def test_a_short_number_last_counts_as_a_word_typed(search_blog):
    """ "The plan for rect 18": "rect" (a typo that is another word) is in one post, and "18"
    is short enough to be a word still being typed; the wanted post has "plan" and "18", and
    its title is the query but for "rect": it comes first (see test_typos), and counts as a
    match, its title having every word but one (see the near misses below)."""
    search = search_blog(
        {
            "wanted.md": post("The plan for React 18", body="What comes in React 18 and when."),
            "rect.md": post("Canvas", body="Our plan: draw a rect on the canvas."),
            "other.md": post("Misc", body="Nothing of it."),
        }
    )
    response = search("the plan for rect 18")
    assert ids(response) == ["wanted", "rect"]
    assert (response.total, response.with_every_word) == (2, 2)


def test_two_words_and_the_start_of_a_stop_word_show_no_post_missing_one(search_blog):
    search = search_blog({"both.md": post("Both", body="alpha beta."), "one.md": post("One", body="alpha of it.")})
    assert ids(search("alpha beta o")) == ["both"]


def _typed_into_another_word() -> dict[str, str]:
    """ "rmdir emit": "empty" typed with a slip that made another word, which one post has.
    (Its title says "void": a title with a word starting one slip away, "empt", would be
    read as the title being typed; see test_as_you_type.)"""
    return {
        "wanted.md": post("rmdir: remove void folders", body="Removes the empty folders named."),
        "both.md": post("Intro", body="Each command, rmdir too, may emit a warning."),
        "other.md": post("Misc", body="Nothing of it."),
    }


def test_two_words_the_last_being_typed_posts_with_the_first_follow(search_blog):
    response = search_blog(_typed_into_another_word())("rmdir emit")
    assert ids(response) == ["both", "wanted"]
    assert (response.total, response.with_every_word) == (2, 1)


def test_two_whole_words_show_no_post_missing_one(search_blog):
    """A space after the last word: it is whole, as the reader means it."""
    response = search_blog(_typed_into_another_word())("rmdir emit ")
    assert ids(response) == ["both"]
    assert (response.total, response.with_every_word) == (1, 1)


def test_a_title_that_is_the_query_stays_first_before_posts_missing_a_word(search_blog):
    """ "Dist labels guide": its post first, not "Dist label guide", a title one letter away
    (which has every word too), before "Dist guide", which lacks one."""
    search = search_blog({
        "labels.md": post("Dist labels guide", body="List the labels of a package."),
        "label.md": post("Dist label guide", body="Modify the distribution tags."),
        "dist.md": post("Dist guide", body="The files a package publishes."),
    })
    response = search("Dist labels guide")
    assert ids(response) == ["labels", "label", "dist"]
    assert response.with_every_word == 2


def test_of_two_words_a_title_one_typo_away_does_not_come_before_those_with_both(search_blog):
    """ "npm doot": "doctor" being typed with a slip (the page with both words first), or
    "root" with a typo (the title "npm-root" follows)."""
    search = search_blog({
        "doctor.md": post("npm-doctor", body="Check your environment."),
        "root.md": post("npm-root", body="Print the folder."),
    })
    assert ids(search("npm doot")) == ["doctor", "root"]


def test_no_post_missing_a_word_when_enough_have_every_word(search_blog):
    posts = {f"full-{i}.md": post(f"Full {i}", body="alpha beta gamma together.") for i in range(10)}
    search = search_blog({**posts, "partial.md": post("Partial", body="alpha beta only.")})
    response = search("alpha beta gamma", per_page=20)
    assert "partial" not in ids(response)
    assert response.total == response.with_every_word == 10


def test_words_typed_count_though_stop_words(search_blog):
    """ "sg with the group": the title's words "sg with the" and one it lacks ("group");
    two of them are stop words, not required, but typed: the post titled so lacks one word,
    and ranks among those with all (before session 34 it followed them)."""
    search = search_blog(
        {
            "wanted.md": post("sg: run a command with the rights of another user", body="Runs a command."),
            "every.md": post("fuser", body="Find processes by file, sg and the group of a file."),
            "none.md": post("Misc", body="Nothing of it."),
        }
    )
    response = search("sg with the group")
    assert ids(response) == ["wanted", "every"]
    assert response.with_every_word == 2


def test_of_two_words_posts_with_only_the_last_never_show(search_blog):
    """Of two words, the posts with the first follow those with both (the last may be still
    typed, with a slip); never those with the last alone."""
    search = search_blog({"both.md": post("Both", body="alpha beta."), "first.md": post("First", body="alpha only."),
                          "last.md": post("Last", body="beta only.")})
    response = search("alpha beta")
    assert ids(response) == ["both", "first"]
    assert response.with_every_word == 1


def test_with_every_word_is_zero_when_relaxed(search_blog):
    search = search_blog({"two.md": post("Notes", body="alpha and beta here.")})
    response = search("alpha beta gamma")
    assert (response.relaxed, response.with_every_word) == (True, 0)


def test_with_every_word_in_the_api_json(make_blog, build_index, make_app):
    settings, _ = build_index(make_blog({
        "all.md": post("Notes", body="alpha beta gamma here."),
        "most.md": post("Other", body="alpha beta here."),
    }))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    data = client.get("/api/search?q=alpha+beta+gamma").get_json()
    assert [r["id"] for r in data["results"]] == ["all", "most"]
    assert (data["total"], data["with_every_word"]) == (2, 1)


# ---------------------------------------------------------------------------
# A post whose title has every word but one, and lacks that one, ranks among those with all


def scattered(n: int, words: str) -> dict[str, str]:
    """``n`` posts that have ``words`` apart in their text, none in their title."""
    filler = " ".join(f"{w} and then other things" for w in words.split())
    return {f"scattered-{i}.md": post(f"Notes {i}", body=f"{filler}.") for i in range(n)}


def test_a_post_titled_with_every_word_but_one_ranks_among_those_with_all(search_blog):
    """ "zebracorn engine weekend": the reader names a post by its title and adds a word it lacks."""
    search = search_blog({**scattered(12, "zebracorn engine weekend"),
                          "wanted.md": post("The zebracorn engine", body="How the zebracorn engine runs.")})
    response = search("zebracorn engine weekend")
    assert ids(response)[0] == "wanted"
    assert response.total == response.with_every_word == 13


def test_a_word_typed_twice_counts_twice_for_a_title_lacking_another(search_blog):
    """ "zebracorn zebracorn weekend": the title with "zebracorn" twice lacks "weekend"; a
    post with both words scattered has them all."""
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn weekend zebracorn")),
        "wanted.md": post("zebracorn - the zebracorn guide", body=f"All about it. {FILLER}"),
    })
    assert ids(search("zebracorn zebracorn weekend"))[0] == "wanted"


def test_a_stop_word_of_a_title_counts_for_a_post_lacking_one_word(search_blog):
    """ "zebracorn of weekend": of two words, one is the title's; its "of" makes it a near miss."""
    search = search_blog({**scattered(12, "zebracorn weekend"),
                          "wanted.md": post("Engine of zebracorn", body="How the engine runs.")})
    response = search("zebracorn of weekend")
    assert ids(response)[0] == "wanted"
    assert response.total == response.with_every_word == 13


@pytest.mark.parametrize("q, first", [("zebracorn engine for ", "wanted"), ("zebracorn engine for", "scattered-0")])
def test_a_stop_word_being_typed_last_is_no_word_of_a_title(search_blog, q, first):
    """ "for" typed last, no space after it, may be the start of "format": "Engine for all",
    which lacks "zebracorn", is then no near miss."""
    search = search_blog({**scattered(1, "zebracorn engine"), "wanted.md": post("Engine for all", body="It runs.")})
    assert ids(search(q))[0] == first


def test_of_two_near_misses_the_title_the_words_are_most_of_comes_first(search_blog):
    """ "Blog React suspense": the post titled "Blog React", not one with both in a long title."""
    search = search_blog({**scattered(3, "zebracorn engine weekend"),
                          "short.md": post("Zebracorn engine", body="It runs.", date="2020-01-01"),
                          "long.md": post("The zebracorn and its engine on a long afternoon at sea",
                                          body="It runs.", date="2024-01-01")})
    assert ids(search("zebracorn engine weekend"))[:2] == ["short", "long"]


def test_no_near_miss_when_a_title_is_the_query(search_blog):
    """The reader typed a title whole: the posts lacking one of its words are not looked for."""
    search = search_blog({**scattered(12, "zebracorn engine weekend"),
                          "exact.md": post("Zebracorn engine weekend", body="It runs."),
                          "titled.md": post("The zebracorn engine", body="How the zebracorn engine runs.")})
    response = search("zebracorn engine weekend", per_page=20)
    assert ids(response)[0] == "exact"
    assert "titled" not in ids(response)


def test_a_post_lacking_the_word_being_typed_is_no_near_miss(search_blog):
    """ "zebracorn engine wee": the reader is still typing "wee"; a post without it is not wanted."""
    search = search_blog({**scattered(12, "zebracorn engine weekend"),
                          "lacking.md": post("The zebracorn engine", body="How the zebracorn engine runs.")})
    assert "lacking" not in ids(search("zebracorn engine wee", per_page=20))


def test_near_misses_keep_to_the_filters(search_blog):
    tagged = {f"tagged-{i}.md": post(f"Notes {i}", body="zebracorn, engine, weekend.", tags=["notes"])
              for i in range(3)}
    search = search_blog({**tagged, "wanted.md": post("The zebracorn engine", body="It runs.", tags=["other"])})
    assert "wanted" in ids(search("zebracorn engine weekend"))
    assert "wanted" not in ids(search("zebracorn engine weekend", tags=("notes",), per_page=20))
    assert "wanted" not in ids(search("zebracorn engine weekend -runs", per_page=20))


def test_two_words_typed_one_in_a_title_are_no_near_miss(search_blog):
    search = search_blog({**scattered(12, "zebracorn weekend"), "titled.md": post("Zebracorn", body="It runs.")})
    assert "titled" not in ids(search("zebracorn weekend", per_page=20))


def test_two_forms_of_one_word_in_a_title_count_once(search_blog):
    """ "installation installing weekend": the title "Installing zebracorn" has one of the words, twice."""
    search = search_blog({**scattered(12, "installation installing weekend"),
                          "titled.md": post("Installing zebracorn", body="It runs.")})
    assert "titled" not in ids(search("installation installing weekend", per_page=20))


def test_too_many_near_misses_tell_no_post_apart(search_blog):
    """Eleven titles have "zebracorn engine": the one post with every word comes first alone."""
    titled = {f"titled-{i}.md": post(f"Zebracorn engine {i}", body="It runs.") for i in range(11)}
    search = search_blog({**titled, **scattered(1, "zebracorn engine weekend")})
    response = search("zebracorn engine weekend")
    assert ids(response)[0] == "scattered-0"
    assert response.with_every_word == 1


def test_a_post_with_every_word_but_one_close_together_ranks_among_those_with_all(search_blog):
    """A passage remembered ("zebracorn quartz nebula") and a word added that the post lacks."""
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn quartz nebula weekend")),
        "wanted.md": post("Stars", body="The zebracorn met quartz near the nebula."),
    })
    response = search("zebracorn quartz nebula weekend")
    assert ids(response) == ["wanted", "scattered"]
    assert response.with_every_word == 2


def test_the_blogs_name_in_a_heading_does_not_outweigh_the_words_remembered(search_blog):
    """ "zorp kadi kraman developing": every post has "zorp"; the other recap has it in a
    heading too, which few posts have, and the names once, with "developers"."""
    others = {f"post-{i}.md": post(f"Zorp notes {i}", heading="Zorp news" if i < 6 else None,
                                   body=f"Zorp news number {i}. {FILLER}") for i in range(20)}
    search = search_blog({
        **others,
        "recap-2024.md": post("Zorp Conf 2024 Recap", body="Zorp Conf. Kadi Kraman shared the latest features and "
                              f"improvements in Expo, and how to get started developing with it. {FILLER} "
                              "Thanks to Kadi Kraman."),
        "recap-2025.md": post("Zorp Conf 2025 Recap", heading="Zorp on mobile",
                              body=f"Zorp Conf for developers. {FILLER * 3} Thanks to Kadi Kraman for the app."),
    })
    assert ids(search("zorp kadi kraman developing"))[0] == "recap-2024"


def test_a_passage_lacking_a_word_many_long_pages_have_comes_first(search_blog):
    """ "acme zebracorn quartz nebula": fifteen long pages have every word, scattered; the
    post whose sentence it is lacks the blog's name."""
    long_pages = {f"manual-{i}.md": post(f"Manual {i}", body=apart("acme zebracorn quartz nebula acme"))
                  for i in range(15)}
    search = search_blog({**long_pages, "wanted.md": post("Stars", body="The zebracorn met quartz near the nebula.")})
    assert ids(search("acme zebracorn quartz nebula"))[0] == "wanted"


def test_a_passage_lacking_a_common_word_is_a_near_miss_beside_many_posts_lacking_a_rare_one(search_blog):
    """ "acme zebracorn quartz nebula": sixty posts have every word but "nebula", too many to
    look at; the one with every word but "acme", the sentence remembered, is looked at."""
    lacking_nebula = {f"guide-{i}.md": post(f"Guide {i}", body=apart("acme zebracorn quartz")) for i in range(60)}
    long_pages = {f"manual-{i}.md": post(f"Manual {i}", body=apart("acme zebracorn quartz nebula acme"))
                  for i in range(3)}
    search = search_blog({**lacking_nebula, **long_pages,
                          "wanted.md": post("Stars", body="The zebracorn met quartz near the nebula.")})
    assert ids(search("acme zebracorn quartz nebula"))[0] == "wanted"


def test_a_title_lacking_only_the_word_most_titles_have_is_a_near_miss_beside_many_lacking_another(search_blog):
    """ "acme services zebranet": twelve "acme-unit-N.service" titles lack "zebranet", too
    many to tell a post apart; the one title with every word but "acme" does."""
    units = {f"unit-{i}.md": post(f"acme-unit-{i}.service - acme unit {i}", body=f"The acme unit {i} service. {FILLER}")
             for i in range(12)}
    search = search_blog({
        **units,
        "dnssd.md": post("acme.dnssd - name settings", body=apart("acme services zebranet")),
        "wanted.md": post("services - the zebranet services", body=f"Every service of the zebranet. {FILLER}"),
    })
    assert ids(search("acme services zebranet"))[0] == "wanted"


def test_a_title_lacking_the_word_most_titles_have_keeps_more_of_its_score(search_blog):
    """ "acme zebracorn quartz": most titles have "acme"; the post titled with the other two
    words comes before a post with "acme" and one of them in its title."""
    others = {f"acme-{i}.md": post(f"Acme guide {i}", body=f"The acme guide number {i}. {FILLER}") for i in range(8)}
    search = search_blog({
        **others,
        "acme-zebracorn.md": post("Acme zebracorn", body=f"The acme zebracorn, and some quartz. {FILLER * 3}"),
        "wanted.md": post("Zebracorn quartz", body=f"A zebracorn made of quartz. {FILLER * 3}"),
    })
    assert ids(search("acme zebracorn quartz"))[0] == "wanted"


def test_a_passage_lacking_the_word_being_typed_is_no_near_miss(search_blog):
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn quartz nebula weekend")),
        "lacking.md": post("Stars", body="The zebracorn met quartz near the nebula."),
    })
    assert ids(search("zebracorn quartz nebula wee"))[0] == "scattered"


def test_no_post_with_every_word_those_with_the_others_close_together_first(search_blog):
    """Any of the words: of the posts with as many of them, the passage remembered comes first."""
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn quartz nebula zebracorn quartz nebula")),
        "wanted.md": post("Stars", body=f"The zebracorn met quartz near the nebula. {FILLER * 6}"),
        "weekend.md": post("Weekend", body="A weekend away."),
    })
    response = search("zebracorn quartz nebula weekend")
    assert response.relaxed
    assert ids(response)[:2] == ["wanted", "scattered"]


def test_a_passage_lacking_a_number_typed_is_no_near_miss(search_blog):
    """ "zebracorn 18 quartz nebula": the post about zebracorn 17 is not the one meant."""
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn 18 quartz nebula")),
        "other.md": post("Stars", body="The zebracorn 17 met quartz near the nebula."),
    })
    assert ids(search("zebracorn 18 quartz nebula"))[0] == "scattered"


def test_a_post_with_every_word_but_one_far_apart_follows_those_with_all(search_blog):
    search = search_blog({
        "scattered.md": post("Notes", body=apart("zebracorn quartz nebula weekend")),
        "lacking.md": post("Stars", body=apart("zebracorn quartz nebula")),
    })
    response = search("zebracorn quartz nebula weekend")
    assert ids(response) == ["scattered", "lacking"]
    assert response.with_every_word == 1


def test_near_misses_alone_are_a_search_with_any_of_the_words(search_blog):
    """No post has every word: the retry with any of them finds the post, as before."""
    search = search_blog({"titled.md": post("The zebracorn engine", body="It runs."),
                          "weekend.md": post("Notes", body="A weekend away.")})
    response = search("zebracorn engine weekend")
    assert ids(response) == ["titled", "weekend"]
    assert response.relaxed


# ---------------------------------------------------------------------------
# Recency breaks near-ties only


def test_identical_posts_newest_first(search_blog):
    search = search_blog(
        {
            "old.md": post("Caching", date="2020-01-01"),
            "new.md": post("Caching", date="2024-01-01"),
            "mid.md": post("Caching", date="2022-01-01"),
        }
    )
    assert ids(search("caching")) == ["new", "mid", "old"]


def test_identical_posts_newest_first_whatever_the_file_order(search_blog):
    search = search_blog({"a-new.md": post("Caching", date="2024-01-01"), "b-old.md": post("Caching", date="2020-01-01")})
    assert ids(search("caching")) == ["a-new", "b-old"]


def test_much_better_older_match_still_wins(search_blog):
    search = search_blog(
        {
            "old-title.md": post("Caching", date="2019-01-01"),
            "new-body.md": post("Other", body=f"Some caching. {FILLER}", date="2025-01-01"),
        }
    )
    assert ids(search("caching")) == ["old-title", "new-body"]


# ---------------------------------------------------------------------------
# Short titles and compound words do not swamp


@pytest.mark.parametrize("plain_title", ["Filtering", "Filtering rows in large tables"])
def test_compound_title_does_not_beat_the_plain_word(search_blog, plain_title):
    search = search_blog({"compound.md": post("FilterMetadataService"), "plain.md": post(plain_title)})
    assert ids(search("filtering")) == ["plain", "compound"]


def test_compound_name_is_still_found_by_its_part(search_blog):
    search = search_blog({"compound.md": post("FilterMetadataService")})
    assert ids(search("metadata")) == ["compound"]


def test_compound_name_as_typed_puts_its_post_first(search_blog):
    search = search_blog({"compound.md": post("FilterMetadataService"), "plain.md": post("Filtering metadata services")})
    assert ids(search("FilterMetadataService"))[0] == "compound"


# -- only the posts that can make the page are sorted in full ------------------

import numpy as np  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from searchsvc.collect import NEAR_TIE, rank_order  # noqa: E402


@st.composite
def ranking_keys(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    # Few distinct values, so that ties on every key are common.
    scores = draw(st.lists(st.sampled_from([0.0, 0.5, 0.98, 1.0, 1.01, 2.0, 7.5]), min_size=n, max_size=n))
    dates = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=n, max_size=n))
    exact = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    groups = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=n, max_size=n))
    limit = draw(st.integers(min_value=1, max_value=n + 5))
    return (np.arange(n) * 3, np.array(scores), np.array(dates, dtype=np.int64),
            np.array(exact, dtype=bool), np.array(groups, dtype=np.int64), limit)


@settings(max_examples=300, deadline=None)
@given(ranking_keys())
def test_the_first_page_is_the_same_as_when_every_match_is_sorted(keys):
    docs, scores, dates, exact, groups, limit = keys
    bucket = np.round(scores / (float(scores.max()) or 1.0) / NEAR_TIE)
    everything = np.lexsort((docs, -scores, -dates, -bucket, -groups, ~exact))
    assert rank_order(docs, scores, dates, exact, groups, limit).tolist() == everything[:limit].tolist()


def test_a_post_with_the_very_word_typed_ranks_above_one_with_another_form(search_blog):
    # Both have a word with the stem of "performing" and the word "server" as often; one
    # has "performing" itself.
    posts = {f"filler{i}.md": f"---\ntitle: Filler {i}\n---\n\nGardening notes, week {i}.\n" for i in range(6)}
    search = search_blog({
        "other.md": "---\ntitle: Notes A\n---\n\nThe server performs well. Performs it does.\n",
        "very.md": "---\ntitle: Notes B\n---\n\nThe server is performing well. Performing it is.\n",
        **posts,
    })
    assert [h.id for h in search("performing server").results] == ["very", "other"]
    assert [h.id for h in search("performs server").results] == ["other", "very"]


# ---------------------------------------------------------------------------
# A short last word may be whole already


def test_a_short_number_typed_last_counts_in_the_title_phrase(search_blog):
    """"node 20": the reader may still be typing "2024", but a title that says "Node 20" comes first."""
    search = search_blog(
        {
            "announce.md": post("Upgrading to Node 20", date="2023-04-18"),
            "tips.md": post("Node tips for 20 minutes", date="2024-01-01"),
        }
    )
    assert ids(search("node 20")) == ["announce", "tips"]


def test_every_post_with_every_word_comes_first_on_small_pages(search_blog):
    """Pages of 2: the four posts with every word fill the first two, whatever the others score."""
    posts = {f"all-{i}.md": post(f"All {i}", body="alpha beta gamma together.") for i in range(4)}
    more = {f"two-{i}.md": post(f"Two {i}", body="alpha beta " * 8) for i in range(3)}
    search = search_blog({**posts, **more})
    pages = [search("alpha beta gamma", per_page=2, page=n) for n in (1, 2, 3, 4)]
    shown = [hit for page in pages for hit in ids(page)]
    assert pages[0].with_every_word == 4 and pages[0].total == 7
    assert sorted(shown[:4]) == [f"all-{i}" for i in range(4)]
    assert sorted(shown[4:]) == [f"two-{i}" for i in range(3)]


def test_one_run_of_chinese_is_one_word_for_the_all_but_one_retry(search_blog):
    """A run typed without spaces is read as pairs of characters, but the reader typed one word."""
    search = search_blog({
        "all.md": post("服务器端渲染的原理", body="服务器端渲染的原理很简单。"),
        "most.md": post("服务器端渲染的原因", body="服务器端渲染的原因。"),
    })
    response = search("服务器端渲染的原理")
    assert ids(response) == ["all"]
    assert response.with_every_word == response.total == 1


# ---------------------------------------------------------------------------
# "vs" between the things compared


def test_vs_is_never_required_but_counts_where_it_occurs(search_blog):
    search = search_blog(
        {
            "compared.md": post("ESM vs CommonJS", body="Modules compared."),
            "both.md": post("Moving to ESM", body="From CommonJS to ESM, step by step."),
            "one.md": post("ESM only", body="Just ESM here."),
        }
    )
    for q in ("esm vs commonjs", "esm vs. commonjs", "esm versus commonjs"):
        response = search(q)
        # (Three words typed and few posts with both: a post with one follows them.)
        assert ids(response) == ["compared", "both", "one"], q
        assert (response.with_every_word, response.relaxed) == (2, False)


def test_a_short_heading_with_the_words_outranks_a_manual_with_them_in_many_headings(search_blog):
    """A reference page with dozens of headings has most words of a query in one of them;
    the post whose one heading holds them is the one a reader remembers."""
    options = "".join(f"## The {word} option\n\nSet the {word}.\n\n"
                      for word in ["cache", "limits", "proxy", "timeout", "retries", "verbose", "colour", "output",
                                   "input", "format", "quiet", "force", "dry", "user", "group", "mode", "depth",
                                   "width", "height", "sort", "reverse", "follow", "links", "owner"])
    search = search_blog({
        "manual.md": post("Manual", body="Every option.\n\n" + options),
        "notes.md": post("Notes from the week", heading="Limits of the cache"),
        **{f"other-{i}.md": post(f"Other post {i}") for i in range(4)},
    })
    assert ids(search("cache limits"))[0] == "notes"


# ---------------------------------------------------------------------------
# A year typed beside other words


def test_a_year_typed_is_never_required_and_the_posts_dated_in_it_come_first(search_blog):
    search = search_blog({
        "conf-2023.md": post("React Conf recap", body="Talks and people.", date="2023-05-20"),
        "conf-2024.md": post("React Conf recap", body="Talks and people.", date="2024-05-20"),
        "other.md": post("Gardening", body="Seeds.", date="2024-01-01"),
    })
    response = search("react conf 2024")
    # Neither post writes "2024"; the one dated 2024 comes first, the other still follows.
    assert ids(response) == ["conf-2024", "conf-2023"]
    assert not response.relaxed
    assert ids(search("react conf 2023")) == ["conf-2023", "conf-2024"]


def test_a_year_a_post_writes_still_counts(search_blog):
    search = search_blog({
        "plans.md": post("Rust plans", body="What we will do in 2016.", date="2015-12-01"),
        "later.md": post("Rust plans", body="What we did.", date="2015-12-02"),
    })
    assert ids(search("rust plans 2016"))[0] == "plans"


def test_a_year_alone_is_the_query(search_blog):
    search = search_blog({"y.md": post("Looking back at 2016", date="2017-01-02"), "n.md": post("Notes")})
    assert ids(search("2016")) == ["y"]


def test_a_stop_word_typed_last_leaves_the_words_before_it_a_passage(search_blog):
    """"terminal redirect to": the words before the stop word typed last, close together in
    a sentence, rank that post above one whose title has "terminal" and "to" but lacks
    "redirect"."""
    search = search_blog({
        "tty.md": post("Print the name of the terminal connected to standard input",
                       body="Prints the file name of the terminal you type in."),
        "nohup.md": post("Run a command immune to hangups",
                         body="If standard error is a terminal, then redirect it to standard output."),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(6)},
    })
    assert [h.id for h in search("terminal redirect to").results][:1] == ["nohup"]


def test_three_words_of_one_sentence_far_apart_outrank_the_same_words_scattered(search_blog):
    """A passage remembered whose words stand further apart than a few words, but in one
    sentence, counts for more than the words over the whole post."""
    sentence = ("Keep the banner that readers see above every page of the whole site noticeably "
                "shorter than most themes allow for menus and headings, ideally below eighty characters.")
    scattered = ("The banner comes first. " + FILLER * 8 + " Keep it shorter. " + FILLER * 8
                 + " Count its characters.")
    search = search_blog({
        "sentence.md": post("Site settings", body=sentence),
        "scattered.md": post("Banners", body=scattered),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(6)},
    })
    assert [h.id for h in search("banner shorter characters").results][:1] == ["sentence"]


def test_a_post_with_many_forms_of_the_word_being_typed_does_not_outrank_the_word_typed_whole(search_blog):
    """"styling prof": the word being typed counts once, for the best of the words it may
    become, not once for each of them ("profiler", "profiling", "profiles", "profilers")."""
    search = search_blog({
        "styling.md": post("Spring notes", body="Styling a page is easier with a profile of its parts. "
                           + FILLER * 3),
        "forms.md": post("Summer notes", body="The profiler shows profiling data; profilers and profiles "
                         "help. A style guide helps too. " + FILLER * 3),
        **{f"filler{i}.md": post(f"Notes {i}", body=f"A profile of week {i}. " + FILLER) for i in range(6)},
    })
    assert [h.id for h in search("styling prof").results][:1] == ["styling"]


def test_a_rare_form_typed_whole_outranks_titles_with_its_stem_alone(search_blog):
    """"configuring proxy": one post has the very word the reader remembers; titles with
    "configuration", a commoner form of its stem, come after it."""
    search = search_blog({
        "remembered.md": post("Spring notes", body="Configuring the proxy took a day. " + FILLER),
        **{f"stem{i}.md": post(f"Configuration notes, part {i}",
                               body=f"The proxy of part {i} is configured so. " + FILLER) for i in range(5)},
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(30)},
    })
    assert [h.id for h in search("configuring proxy").results][:1] == ["remembered"]


def test_a_rare_form_typed_whole_outranks_a_heading_with_its_stem_and_the_word_being_typed(search_blog):
    """"allocator arraybuffe": one post has the very word; another has "Allocation" in a
    heading. The stem of a rare form keeps a quarter of its share, and a heading with it
    alone no longer outweighs the word remembered (a half did)."""
    search = search_blog({
        "embedder.md": post("Embedder API", body="Pass an allocator to the ArrayBuffer of each isolate. " + FILLER,
                            code="const allocator = createAllocator();"),
        "flags.md": post("Core flags", body="## Allocation\n\nFlags allocate memory for an ArrayBuffer. " + FILLER),
        **{f"stem{i}.md": post(f"Memory notes, part {i}", body=f"Part {i} allocates buffers. " + FILLER)
           for i in range(5)},
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(30)},
    })
    assert [h.id for h in search("allocator arraybuffe").results][:1] == ["embedder"]


# ---------------------------------------------------------------------------
# Names typed without their dot


def test_a_name_typed_without_its_dot_finds_the_posts_that_write_it_with_one(search_blog):
    """"profiling nodejs": the post titled "Profiling Node.js" first, though another post
    writes "nodejs" (in an address) and not "Node.js"."""
    search = search_blog({
        "profiling.md": post("Profiling Node.js", body="Profiling a Node.js server under load. " + FILLER),
        "address.md": post("Release notes", body="Profiling tips are on nodejs.org and github.com/nodejs. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(10)},
    })
    assert [h.id for h in search("profiling nodejs").results][:1] == ["profiling"]


def test_a_name_typed_without_its_dot_alone_finds_only_the_posts_with_the_name(search_blog):
    """"socketio", a word no post has: the post about socket.io, not the posts with "socket"
    (the typo correction) before it."""
    search = search_blog({
        "io.md": post("Realtime chat", body="We moved the chat to socket.io last year. " + FILLER),
        **{f"socket{i}.md": post(f"Socket notes {i}", body=f"A socket of part {i}. " + FILLER) for i in range(5)},
    })
    assert [h.id for h in search("socketio").results][:1] == ["io"]


def test_a_title_typed_without_its_dot_is_an_exact_title(search_blog):
    """"vuejs in production": the post of that title, before longer titles with the same
    words whose posts say them more often."""
    search = search_blog({
        "prod.md": post("Vue.js in production", body="Some notes. " + FILLER),
        **{f"other{i}.md": post(f"Vue.js in production, part {i}",
                                body=f"Vue.js in production, production, Vue.js, part {i}. " + FILLER) for i in range(5)},
        **{f"filler{i}.md": post(f"Notes {i}", body="See vuejs.org. " + FILLER) for i in range(5)},
    })
    assert [h.id for h in search("vuejs in production").results][:1] == ["prod"]


def test_a_version_typed_without_its_dots_finds_the_release(search_blog):
    """"node 01023 stable": the release "Node.js 0.10.23 (Stable)", not its neighbours."""
    search = search_blog({
        f"v{minor}.md": post(f"Node.js 0.10.{minor} (Stable)", body=f"Release 0.10.{minor} of Node. " + FILLER)
        for minor in (21, 22, 23, 24)
    })
    assert [h.id for h in search("node 01023 stable").results][:1] == ["v23"]


def _releases(*versions: str) -> dict[str, str]:
    """Release notes, one per version; the ids sort in reverse, so that no tie puts the
    older release lines first by chance."""
    return {f"{99 - n:02}-v{v}.md": post(f"Node.js {v} (LTS)", body=f"Release {v} of Node. " + FILLER)
            for n, v in enumerate(versions)}


def _versions(response) -> list[str]:
    return sorted(hit.id.split("-v")[1] for hit in response.results)


def test_a_major_version_finds_its_releases_not_those_with_that_minor_number(search_blog):
    """"node 18": Node.js 18.19.0 and 18.20.7, not 20.18.2, 22.18.0 or 24.18.1."""
    search = search_blog(_releases("18.19.0", "18.20.7", "20.18.2", "22.18.0", "24.18.1"))
    assert _versions(search("node 18 ")) == ["18.19.0", "18.20.7"]


def test_a_version_typed_to_its_minor_number_finds_its_releases(search_blog):
    """"node 18.18", typed whole: the releases 18.18.0 and 18.18.2, which it is the start of."""
    search = search_blog(_releases("18.18.0", "18.18.2", "18.20.1", "20.18.0"))
    assert _versions(search("node 18.18 ")) == ["18.18.0", "18.18.2"]
    assert _versions(search("18.18 release")) == ["18.18.0", "18.18.2"]


def test_a_version_no_post_has_finds_the_releases_of_its_line(search_blog):
    """"node 18.20.9", a release after the blog's last: 18.20.7 and 18.20.8 first, not the
    post that has 18, 20 and 9 in its text."""
    search = search_blog({
        **_releases("18.20.7", "18.20.8", "18.19.0"),
        "00-upgrade.md": post("Upgrading Node.js", body="Node 18 users: move to Node 20 within 9 days. " + FILLER),
    })
    first = search("node 18.20.9 ").results[:2]
    assert sorted(hit.id.split("-v")[1] for hit in first) == ["18.20.7", "18.20.8"]


def test_a_version_typed_after_its_v_finds_the_release_written_with_it(search_blog):
    """"node 4.2" and "v4.2": the release titled "Node v4.2.3", not "Node v14.4.2"."""
    search = search_blog({
        "v4.md": post("Node v4.2.3 (LTS)", body="The release v4.2.3 of Node. " + FILLER),
        "v14.md": post("Node v14.4.2 (LTS)", body="The release v14.4.2 of Node. " + FILLER),
    })
    assert ids(search("node 4.2 ")) == ["v4"]
    assert ids(search("v4.2 release")) == ["v4"]


def test_a_date_written_with_dots_is_found_by_its_year(search_blog):
    """"Konferenz 2024": the post that says it is on 15.01.2024 (a date, not a version: its
    numbers are words of it)."""
    search = search_blog({
        "b-dated.md": post("Konferenz", body="Die Konferenz findet am 15.01.2024 statt. " + FILLER),
        "a-other.md": post("Konferenz notes", body="Die Konferenz findet statt. " + FILLER),
    })
    assert ids(search("konferenz 2024"))[:1] == ["b-dated"]


def test_a_version_typed_with_spaces_for_its_dots_finds_its_releases(search_blog):
    """"node 18 18 security": the releases 18.18.x first, as "node 18.18" finds them (each
    release names Node.js 18 in its text too)."""
    search = search_blog({
        f"{99 - n:02}-v{v}.md": post(f"Node.js {v} (LTS)", heading=f"Version {v}",
                                     body=f"A security release of Node.js {v} for Node.js 18 users. " + FILLER)
        for n, v in enumerate(("18.18.2", "18.18.0", "18.20.8", "18.19.0", "24.18.1"))
    })
    assert sorted(hit.id.split("-v")[1] for hit in search("node 18 18 security").results[:2]) == ["18.18.0", "18.18.2"]


# ---------------------------------------------------------------------------
# Words joined by a hyphen, typed as one or with it


def test_a_word_typed_as_one_finds_the_posts_that_write_it_with_a_hyphen(search_blog):
    """"realtime": the post about real-time dashboards, though another post writes
    "realtime" (the word is known, so it was not read as two)."""
    search = search_blog({
        "dash.md": post("Dashboards", body="Our real-time dashboards update every second. " + FILLER),
        "other.md": post("Release notes", body="The realtime flag is gone. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}", body=f"Time is real, part {i}. " + FILLER) for i in range(5)},
    })
    assert sorted(h.id for h in search("realtime").results) == ["dash", "other"]


def test_a_word_typed_as_one_still_finds_the_posts_that_write_it_apart(search_blog):
    """"opensource", a word no post writes so: the posts with "open source" too, not only
    the one with "open-source" (a word joined there is no word posts write)."""
    search = search_blog({
        "hyphen.md": post("Licences", body="Our open-source licences, explained. " + FILLER),
        **{f"apart{i}.md": post(f"Open source notes {i}", body=f"Open source, part {i}. " + FILLER) for i in range(3)},
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert sorted(h.id for h in search("opensource").results) == ["apart0", "apart1", "apart2", "hyphen"]


def test_a_word_typed_with_a_hyphen_finds_the_posts_that_write_it_as_one(search_blog):
    """"e-mail" typed last (cut in two to complete "mail"): the post that writes "email"
    too."""
    search = search_blog({
        "joined.md": post("Newsletters", body="Send the email on Monday. " + FILLER),
        "hyphen.md": post("Letters", body="Send the e-mail on Friday. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert sorted(h.id for h in search("e-mail").results) == ["hyphen", "joined"]
    # (Typed before another word, whole: "e-mail" or "email".)
    assert [h.id for h in search("e-mail newsletters").results][:1] == ["joined"]


def test_a_title_typed_with_its_hyphen_left_out_is_an_exact_title(search_blog):
    """"braceexpansion": the post titled "brace-expansion", before a post that writes
    "braceexpansion" in its text and posts with "brace expansion" in theirs."""
    search = search_blog({
        "pkg.md": post("brace-expansion", body="Brace expansion as known from sh and bash. " + FILLER),
        "code.md": post("Globbing", body="Call braceexpansion and braceexpansion again, "
                                         "brace expansion and brace expansion. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert [h.id for h in search("braceexpansion").results][:1] == ["pkg"]
    assert [h.id for h in search("braceexpansion ").results][:1] == ["pkg"]


def test_a_title_typed_with_two_words_joined_is_an_exact_title(search_blog):
    """"instrumenting the realtime web" for "Instrumenting the Real-Time Web": that post,
    before one whose title has the words as typed, and more."""
    search = search_blog({
        "talk.md": post("Instrumenting the Real-Time Web", body="A talk about tracing. " + FILLER),
        "notes.md": post("Instrumenting the realtime web servers", body="Instrumenting the realtime web, "
                                                                        "instrumenting web servers in realtime. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert [h.id for h in search("instrumenting the realtime web").results][:1] == ["talk"]


def test_a_word_being_typed_completes_to_a_word_titles_write_with_a_hyphen(search_blog):
    """"realti", typed on its way to "realtime": the post titled with "Real-Time", which no
    title, heading or tag writes as one word."""
    search = search_blog({
        "talk.md": post("Building Real-Time Dashboards", body="A talk about tracing. " + FILLER),
        "reality.md": post("Reality checks", body="Really, reality is real. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    for typed in ("realti", "realtim", "dashboards realti"):
        assert [h.id for h in search(typed).results][:1] == ["talk"], typed


def test_a_word_being_typed_after_others_completes_to_a_word_the_text_writes_with_a_hyphen(search_blog):
    """"dashboards realti": the post whose text says "real-time", before the one that
    has "dashboards" alone."""
    search = search_blog({
        "dash.md": post("Dashboards", body="Our dashboards update in real-time, every second. " + FILLER),
        "plain.md": post("More dashboards", body="Our dashboards update daily. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert [h.id for h in search("dashboards realti").results][:1] == ["dash"]


def test_a_word_typed_as_one_chooses_the_section_whose_heading_writes_it_with_a_hyphen(search_blog):
    """"realtime", a word another post writes so: the post's first section link is its
    "Real-Time Updates" section, not the one before it whose text has the word as often."""
    search = search_blog({
        "other.md": post("Release notes", body="The realtime flag is gone. " + FILLER),
        "p.md": "---\ntitle: Dashboards\n---\n\n## Setup\n\nInstall the real-time dashboard.\n\n"
                "## Real-Time Updates\n\nThe dashboard refreshes itself.\n",
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    hit = search("realtime").results[0]
    assert (hit.id, hit.sections[0].anchor) == ("p", "real-time-updates")


def test_two_words_typed_apart_find_the_posts_that_write_them_as_one(search_blog):
    """"web site": the post about the blog's website, which writes it as one word, beside
    the post that writes "web site"."""
    search = search_blog({
        "joined.md": post("Our redesign", body="The new website is faster. " + FILLER),
        "apart.md": post("Hosting", body="Host a web site on a small server. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}", body=f"The web, part {i}; a site. " + FILLER) for i in range(3)},
    })
    assert sorted(h.id for h in search("web site").results[:2]) == ["apart", "joined"]
    assert "<mark>website</mark>" in next(h for h in search("web site").results if h.id == "joined").snippet_html


def test_a_title_typed_with_a_word_cut_in_two_is_an_exact_title(search_blog):
    """"diving into the web site redesign" for "Diving into the Website Redesign": that
    post, before one whose title has every word as typed, and more."""
    search = search_blog({
        "talk.md": post("Diving into the Website Redesign", body="How we rebuilt it. " + FILLER),
        "notes.md": post("Diving into the web site redesign notes", body="Diving into the web site redesign, "
                                                                         "web site notes. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert [h.id for h in search("diving into the web site redesign").results][:1] == ["talk"]


def test_a_title_typed_with_a_word_it_lacks_is_found_though_two_of_its_words_make_one(search_blog):
    """"child process report": the post titled "Child process", which lacks "report", though
    another post has "report" and "childprocess" (the two words typed apart, as one)."""
    search = search_blog({
        "cp.md": post("Child process", body="How to spawn one and wait for it. " + FILLER),
        "rep.md": post("Reports", body="A report names the childprocess that wrote it. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(5)},
    })
    assert [h.id for h in search("child process report").results][:1] == ["cp"]


def test_two_words_typed_apart_are_not_joined_with_a_stop_word(search_blog):
    """"on line" is no "online": "on" is a stop word."""
    search = search_blog({
        "joined.md": post("Shopping", body="Buy it online today. " + FILLER),
        "apart.md": post("Queues", body="Wait on line four. " + FILLER),
    })
    assert [h.id for h in search("on line").results] == ["apart"]


def test_a_word_typed_as_one_finds_the_posts_that_write_it_as_two(search_blog):
    """"eventloop": the post that writes "event loop", beside the one that writes
    "eventloop"; not a post that has "event" and "loop" apart."""
    search = search_blog({
        "joined.md": post("Timers", body="The eventloop runs timers first. " + FILLER),
        "apart.md": post("Blocking", body="Never block the event loop with sync work. " + FILLER),
        "scattered.md": post("Loops", body="A loop here. An event there. " + FILLER),
        **{f"filler{i}.md": post(f"Notes {i}") for i in range(3)},
    })
    found = [h.id for h in search("eventloop").results]
    assert sorted(found) == ["apart", "joined"]
    assert "<mark>event</mark> <mark>loop</mark>" in next(h for h in search("eventloop").results
                                                          if h.id == "apart").snippet_html


def test_a_word_typed_as_one_ranks_the_posts_that_write_it_so_first(search_blog):
    """"eventloop", typed as one: the post that writes it so before the one that writes
    "event loop" as often."""
    search = search_blog({
        "joined.md": post("Timers", body="The eventloop runs timers first. " + FILLER),
        "apart.md": post("Blocking", body="Never block the event loop with sync work. " + FILLER),
    })
    assert [h.id for h in search("eventloop").results] == ["joined", "apart"]


def test_a_name_typed_with_capitals_inside_is_not_read_as_two_words(search_blog):
    """"StreamingResponse", as the code names it: the post with that code, not one about a
    streaming response."""
    search = search_blog({
        "code.md": post("Responses", body="Send a file in parts. " + FILLER,
                        code="return StreamingResponse(chunks())"),
        "prose.md": post("Streaming", body="A streaming response sends parts as they come. " + FILLER),
    })
    assert [h.id for h in search("StreamingResponse").results] == ["code"]


def test_a_word_typed_as_one_is_not_cut_at_a_stop_word(search_blog):
    """"forget" is no "for get" ("for" is a stop word)."""
    search = search_blog({
        "forget.md": post("Memory", body="Never forget to close the file. " + FILLER),
        "get.md": post("Fetching", body="Use fetch for get requests. " + FILLER),
    })
    assert [h.id for h in search("forget").results] == ["forget"]


def test_a_number_posts_have_is_not_read_as_a_version(search_blog):
    """"2024" is the year a post names, never version 2.0.24 of another."""
    search = search_blog({
        "year.md": post("Looking back at 2024", body="The year 2024 in review. " + FILLER),
        "version.md": post("Version 2.0.24 is out", body="Release 2.0.24 fixes a bug. " + FILLER),
    })
    assert [h.id for h in search("2024").results] == ["year"]
