"""A real blog (../shared/corpus/react-blog): every post is indexed and found by its title."""

import pytest

from searchsvc.posts import discover, load_bytes, parse_post
from searchsvc.search import SearchRequest

LISTING_PAGES = {"index.md", "LICENSE.md"}


@pytest.fixture(scope="module")
def react_blog(corpus, tmp_path_factory):
    from searchsvc.config import Settings
    from searchsvc.indexer import reindex

    settings = Settings(content_dir=corpus / "react-blog", index_dir=tmp_path_factory.mktemp("react") / "index")
    summary = reindex(settings)
    files, _ = discover(settings.content_dir)
    posts = {}
    for path in files:
        relpath = path.relative_to(settings.content_dir).as_posix()
        if relpath not in LISTING_PAGES:
            posts[relpath] = parse_post(relpath, load_bytes(path, settings), settings)
    return settings, summary, posts


def test_every_post_is_indexed(react_blog, open_index):
    settings, summary, posts = react_blog
    assert len(posts) >= 23
    assert not [s for s in summary.skipped if s.path not in LISTING_PAGES]
    indexed = {h.id for h in open_index(settings.index_dir).search(SearchRequest(per_page=50)).results}
    assert {post.slug for post in posts.values()} <= indexed


def test_each_title_finds_its_post_first(react_blog, open_index):
    settings, _, posts = react_blog
    index = open_index(settings.index_dir)
    misses = {}
    for relpath, post in posts.items():
        results = index.search(SearchRequest(q=post.title)).results
        top = results[0].id if results else None
        if top != post.slug:
            misses[relpath] = (post.title, top)
    assert misses == {}
