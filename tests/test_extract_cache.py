"""What extraction made of a post is kept by content: a full rebuild reuses it, the results
are the same, and a broken cache file is only a miss."""

from pathlib import Path

from searchsvc.cache import FOLDER, ExtractCache
from searchsvc.config import Settings
from searchsvc.extract import extract
from searchsvc.indexer import reindex
from searchsvc.search import SearchRequest

POSTS = {
    "a.md": "---\ntitle: Alpha\n---\n\n## Setup\n\nInstall the zebracorn.\n\n```py\nprint(1)\n```\n",
    "b.md": "---\ntitle: Beta\n---\n\nUse `inline()` here.\n",
}


def cached_files(index_dir: Path) -> list[Path]:
    return sorted(p for p in (index_dir / FOLDER).rglob("*") if p.is_file())


def test_a_round_trip_gives_back_what_extraction_made():
    extracted = extract(POSTS["a.md"])
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cache = ExtractCache(Path(tmp))
        key = cache.key(POSTS["a.md"], False)
        assert cache.get(key) is None
        cache.put(key, extracted)
        assert cache.get(key) == extracted
        assert cache.key(POSTS["a.md"], True) != key  # MDX reads the same text otherwise


def test_a_full_rebuild_reuses_the_cache_and_finds_the_same(make_blog, tmp_path, open_index):
    content = make_blog(POSTS)
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    files = cached_files(settings.index_dir)
    assert len(files) == 2
    for path in files:
        path.write_bytes(b"not marshal data")  # a damaged entry is a miss, never an error
    reindex(settings, full=True)
    [hit] = open_index(settings.index_dir).search(SearchRequest(q="zebracorn")).results
    assert hit.id == "a" and hit.sections[0].anchor == "setup"


def test_entries_of_posts_that_are_gone_are_pruned(make_blog, tmp_path):
    content = make_blog(POSTS)
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    reindex(settings)
    for n in range(120):
        ExtractCache(settings.index_dir).put(f"{n:040x}", extract("old"))
    (content / "b.md").write_text(POSTS["b.md"] + "\nMore.\n")
    reindex(settings)
    assert len(cached_files(settings.index_dir)) <= 2 * 2 + 100
