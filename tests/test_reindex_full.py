"""Full builds: worker processes index runs of posts into segments written side by side."""

from __future__ import annotations

from searchsvc.config import Settings
from searchsvc.indexer import PARALLEL_THRESHOLD, reindex
from searchsvc.search import SearchIndex, SearchRequest

from conftest import close_index
from processes import synthetic_blog


def ranked(settings: Settings, q: str) -> list[tuple[str, float, str]]:
    index = SearchIndex(settings.index_dir)
    try:
        return [(h.id, h.score, h.snippet_html) for h in index.search(SearchRequest(q=q, per_page=100)).results]
    finally:
        close_index(index)


def test_a_build_in_worker_processes_ranks_like_one_in_process(tmp_path):
    count = PARALLEL_THRESHOLD + 16
    content = synthetic_blog(tmp_path / "content", count, words=60)
    # Sorted last, so in another segment than the post whose slug it takes: it must not be found.
    (content / "zzz.md").write_text('---\ntitle: "Impostor lantern"\nslug: post-00000\n---\n\nriver stone\n')
    rankings = []
    for workers in (1, 2):
        settings = Settings(content_dir=content, index_dir=tmp_path / f"index-{workers}")
        summary = reindex(settings, full=True, workers=workers)
        assert summary.total == count
        assert [s.path for s in summary.skipped] == ["zzz.md"]
        rankings.append(ranked(settings, "river stone"))
    assert len(rankings[0]) == count
    assert rankings[0] == rankings[1]
    assert ranked(settings, "impostor") == []


def test_a_reindex_leaves_the_callers_garbage_collection_as_it_was(tmp_path):
    # A reindex collects cycles less often while it runs; a program that calls it (the
    # server reindexing in-process) keeps its own settings afterwards.
    import gc

    before = gc.get_threshold()
    content = synthetic_blog(tmp_path / "content", 3, words=20)
    reindex(Settings(content_dir=content, index_dir=tmp_path / "index"))
    assert gc.get_threshold() == before
