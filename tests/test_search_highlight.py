"""Snippets and titles: matches in <mark>, everything else escaped, cuts marked with an ellipsis."""

import re

FILLER_BEFORE = " ".join(f"before{i}" for i in range(60))
FILLER_AFTER = " ".join(f"after{i}" for i in range(60))
FILLER_MIDDLE = " ".join(f"middle{i}" for i in range(80))


def test_short_text_is_shown_whole_with_the_match_marked(search_blog):
    search = search_blog({"post.md": "# Notes\n\nThe zebracorn lives here.\n"})
    assert search("zebracorn").results[0].snippet_html == "The <mark>zebracorn</mark> lives here."


def test_stem_matches_are_marked(search_blog):
    search = search_blog({"post.md": "# Notes\n\nWe cache results and keep caches warm.\n"})
    snippet = search("caching").results[0].snippet_html
    assert "<mark>cache</mark>" in snippet
    assert "<mark>caches</mark>" in snippet


def test_the_word_typed_and_its_other_forms_are_marked_alike(search_blog):
    search = search_blog({"post.md": "# Notes\n\nWe cache results, serve cached pages and keep caches warm.\n"})
    snippet = search("caches").results[0].snippet_html
    assert re.findall(r"<mark>(.*?)</mark>", snippet) == ["cache", "cached", "caches"]


def test_accent_folded_match_is_marked_in_its_original_spelling(search_blog):
    search = search_blog({"post.md": "# Notes\n\nSend your résumé today.\n"})
    assert "<mark>résumé</mark>" in search("resume").results[0].snippet_html


def test_text_around_matches_is_escaped(search_blog):
    search = search_blog({"post.md": '# Notes\n\nThe comparator says a < b && c > d for "quoted" words.\n'})
    snippet = search("comparator").results[0].snippet_html
    assert "<mark>comparator</mark> says a &lt; b &amp;&amp; c &gt; d for &quot;quoted&quot;" in snippet


def test_markup_in_text_is_not_a_tag_in_the_snippet(search_blog):
    search = search_blog({"post.md": "# Notes\n\nWrap the zebracorn in `<mark>` and `<script>` tags.\n"})
    snippet = search("zebracorn").results[0].snippet_html
    assert "<script" not in snippet
    assert re.findall(r"<[^>]*>", snippet) == ["<mark>", "</mark>"]


def test_cut_at_both_ends_is_marked_with_an_ellipsis(search_blog):
    search = search_blog({"post.md": f"# Notes\n\n{FILLER_BEFORE} zebracorn {FILLER_AFTER}\n"})
    snippet = search("zebracorn").results[0].snippet_html
    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert "<mark>zebracorn</mark>" in snippet
    assert len(re.sub(r"</?mark>", "", snippet)) < 300


def test_uncut_text_has_no_ellipsis(search_blog):
    search = search_blog({"post.md": "# Notes\n\nA short zebracorn note.\n"})
    assert "…" not in search("zebracorn").results[0].snippet_html


def test_distant_matches_are_joined_by_an_ellipsis(search_blog):
    search = search_blog({"post.md": f"# Notes\n\nThe zebracorn starts. {FILLER_MIDDLE} The unicorgi ends.\n"})
    snippet = search("zebracorn unicorgi").results[0].snippet_html
    assert re.search(r"<mark>zebracorn</mark>.* … .*<mark>unicorgi</mark>", snippet), snippet


def test_a_question_word_alone_gets_no_fragment_of_the_snippet(search_blog):
    # "how" frames the question: the line with it and no other word is not shown.
    search = search_blog({"post.md": f"# Notes\n\nWe describe how to update zlib. {FILLER_MIDDLE} "
                                     "Using valgrind to debug memory leaks.\n"})
    snippet = search("how to debug memory leaks").results[0].snippet_html
    assert "<mark>debug</mark> <mark>memory</mark> <mark>leaks</mark>" in snippet
    assert "zlib" not in snippet


def test_title_matches_are_marked(search_blog):
    search = search_blog({"post.md": "---\ntitle: Caching for Beginners\n---\n\nText.\n"})
    assert search("cache").results[0].title_html == "<mark>Caching</mark> for Beginners"


def test_title_without_a_match_is_escaped_plain_text(search_blog):
    search = search_blog({"post.md": '---\ntitle: "Tips & <Tricks>"\n---\n\nThe zebracorn.\n'})
    assert search("zebracorn").results[0].title_html == "Tips &amp; &lt;Tricks&gt;"


def test_match_only_in_the_title_still_has_a_snippet(search_blog):
    search = search_blog({"post.md": "---\ntitle: Zebracorn Facts\n---\n\nA quiet post about nothing else.\n"})
    hit = search("zebracorn").results[0]
    assert hit.snippet_html == "A quiet post about nothing else."


def test_server_actions_snippet_over_content(content_search):
    hit = content_search("server actions").results[0]
    assert "<mark>Server</mark> <mark>Actions</mark>" in hit.title_html
    assert "<mark>" in hit.snippet_html
