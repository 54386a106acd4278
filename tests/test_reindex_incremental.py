"""Incremental reindex: only what changed is processed; the summary says what happened."""

from __future__ import annotations

import json
import os
from pathlib import Path

from searchsvc import storage
from searchsvc.config import Settings
from searchsvc.indexer import reindex
from searchsvc.search import SearchIndex, SearchRequest

from conftest import close_index


def post(title: str, body: str = "Some text.", **front: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in front.items())
    return f'---\ntitle: "{title}"\ndate: "Jan 15, 2024"\n{extra}---\n\n{body}\n'


def titles(index_dir: Path, q: str = "") -> set[str]:
    index = SearchIndex(index_dir)
    try:
        return {h.title for h in index.search(SearchRequest(q=q, per_page=50)).results}
    finally:
        close_index(index)


def setup_blog(make_blog, tmp_path):
    content = make_blog({"alpha.md": post("Alpha"), "beta.md": post("Beta"), "gamma.md": post("Gamma")})
    settings = Settings(content_dir=content, index_dir=tmp_path / "index")
    first = reindex(settings)
    return content, settings, first


def test_first_run_is_a_full_build_that_adds_every_post(make_blog, tmp_path):
    _, settings, first = setup_blog(make_blog, tmp_path)
    assert (first.full, first.added, first.total, first.exit_code) == (True, 3, 3, 0)
    assert titles(settings.index_dir) == {"Alpha", "Beta", "Gamma"}


def test_nothing_changed_publishes_nothing(make_blog, tmp_path):
    _, settings, first = setup_blog(make_blog, tmp_path)
    second = reindex(settings)
    assert (second.full, second.unchanged, second.added, second.updated, second.removed) == (False, 3, 0, 0, 0)
    assert second.published is False
    assert storage.current_generation(settings.index_dir).number == first.generation


def test_changed_post_is_updated_and_others_untouched(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "beta.md").write_text(post("Beta", "Now about zebras."))
    summary = reindex(settings)
    assert (summary.updated, summary.unchanged, summary.added, summary.removed) == (1, 2, 0, 0)
    assert titles(settings.index_dir, "zebras") == {"Beta"}
    assert titles(settings.index_dir) == {"Alpha", "Beta", "Gamma"}


def test_touching_a_file_without_changing_it_is_not_an_update(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    os.utime(content / "alpha.md", (1, 1))
    assert reindex(settings).unchanged == 3


def test_new_post_is_added(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "delta.md").write_text(post("Delta"))
    summary = reindex(settings)
    assert (summary.added, summary.unchanged, summary.total) == (1, 3, 4)
    assert "Delta" in titles(settings.index_dir)


def test_deleted_post_is_removed(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "gamma.md").unlink()
    summary = reindex(settings)
    assert (summary.removed, summary.total) == (1, 2)
    assert titles(settings.index_dir) == {"Alpha", "Beta"}


def test_renamed_post_is_removed_under_its_old_name_and_added_under_the_new(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "gamma.md").rename(content / "gamma-renamed.md")
    summary = reindex(settings)
    assert (summary.added, summary.removed, summary.total) == (1, 1, 3)
    index = SearchIndex(settings.index_dir)
    try:
        urls = [h.url for h in index.search(SearchRequest(q="gamma")).results]
    finally:
        close_index(index)
    assert urls == ["/blog/gamma-renamed"]


def test_post_that_becomes_a_draft_is_removed(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "beta.md").write_text(post("Beta", draft="true"))
    summary = reindex(settings)
    assert summary.removed == 1
    assert [(h.path, h.reason) for h in summary.hidden] == [("beta.md", "draft: true")]
    assert titles(settings.index_dir) == {"Alpha", "Gamma"}


def test_post_that_opts_out_of_search_is_removed(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "alpha.md").write_text(post("Alpha", search="false"))
    assert reindex(settings).removed == 1
    assert titles(settings.index_dir) == {"Beta", "Gamma"}


def test_unchanged_draft_stays_out_without_being_reread(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "draft.md").write_text(post("Draft", draft="true"))
    reindex(settings)
    summary = reindex(settings)
    assert summary.unchanged == 4 and summary.published is False
    assert [h.path for h in summary.hidden] == ["draft.md"]


def test_full_flag_rebuilds_everything(make_blog, tmp_path):
    _, settings, _ = setup_blog(make_blog, tmp_path)
    summary = reindex(settings, full=True)
    assert (summary.full, summary.added, summary.published) == (True, 3, True)


def test_changed_url_template_forces_a_full_rebuild(make_blog, tmp_path):
    _, settings, _ = setup_blog(make_blog, tmp_path)
    summary = reindex(settings.replace(url_template="/posts/{slug}/"))
    assert summary.full is True
    index = SearchIndex(settings.index_dir)
    try:
        assert index.search(SearchRequest(q="alpha")).results[0].url == "/posts/alpha/"
    finally:
        close_index(index)


def test_other_schema_version_forces_a_full_rebuild(make_blog, tmp_path):
    _, settings, _ = setup_blog(make_blog, tmp_path)
    gen = storage.current_generation(settings.index_dir)
    manifest = json.loads((gen.path / storage.MANIFEST).read_text())
    manifest["schema_version"] = -1
    (gen.path / storage.MANIFEST).write_text(json.dumps(manifest))
    assert reindex(settings).full is True


def test_an_index_analysed_by_an_earlier_release_is_served_then_rebuilt_in_full(make_blog, tmp_path):
    _, settings, _ = setup_blog(make_blog, tmp_path)
    gen = storage.current_generation(settings.index_dir)
    manifest = json.loads((gen.path / storage.MANIFEST).read_text())
    del manifest["analysis_version"]  # as the releases before it was recorded wrote it
    (gen.path / storage.MANIFEST).write_text(json.dumps(manifest))
    index = SearchIndex(settings.index_dir)
    try:
        assert index.search(SearchRequest(q="alpha")).results
    finally:
        close_index(index)
    summary = reindex(settings)
    assert summary.full is True
    assert "analyses text differently" in summary.full_reason


def test_malformed_post_is_skipped_with_exit_status_1_and_the_rest_published(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n")
    summary = reindex(settings)
    assert summary.exit_code == 1
    assert [s.path for s in summary.skipped] == ["broken.md"]
    assert "YAML" in summary.skipped[0].reason
    assert titles(settings.index_dir) == {"Alpha", "Beta", "Gamma"}


def test_post_that_becomes_malformed_is_removed_and_reported(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "beta.md").write_bytes(b"\xff\xfe not utf-8")
    summary = reindex(settings)
    assert summary.removed == 1 and [s.path for s in summary.skipped] == ["beta.md"]


def test_duplicate_slug_is_reported_and_the_first_post_kept(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    (content / "zzz.md").write_text(post("Impostor", slug="alpha"))
    summary = reindex(settings)
    assert [s.path for s in summary.skipped] == ["zzz.md"]
    assert "same slug 'alpha' as alpha.md" in summary.skipped[0].reason
    assert "Impostor" not in titles(settings.index_dir)


def test_summary_serialises_to_json_with_every_count(make_blog, tmp_path):
    _, _, first = setup_blog(make_blog, tmp_path)
    data = json.loads(json.dumps(first.to_dict()))
    assert {"added", "updated", "removed", "unchanged", "skipped", "hidden", "seconds", "exit_code"} <= set(data)


def test_same_size_edit_is_still_seen(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    path = content / "alpha.md"
    before = path.read_text()
    path.write_text(before.replace("Some text.", "Odd words."))  # same length
    assert len(path.read_text()) == len(before)
    summary = reindex(settings)
    assert summary.updated == 1
    assert titles(settings.index_dir, "odd") == {"Alpha"}


def test_unchanged_files_are_not_read_again(make_blog, tmp_path, monkeypatch):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    old = os.stat(content / "beta.md").st_mtime_ns - 10**10
    for name in ("alpha.md", "beta.md", "gamma.md"):
        os.utime(content / name, ns=(old, old))
    reindex(settings)  # records the stats
    read = []
    import searchsvc.indexer as indexer

    real = indexer.load_bytes
    monkeypatch.setattr(indexer, "load_bytes", lambda path, s: read.append(path.name) or real(path, s))
    assert reindex(settings).unchanged == 3
    assert read == []


def test_a_server_reads_titles_from_the_manifest_and_the_record_of_posts_stays_apart(make_blog, tmp_path):
    _, settings, _ = setup_blog(make_blog, tmp_path)
    gen = storage.current_generation(settings.index_dir)
    manifest = storage.read_manifest(gen.path)
    assert "posts" not in manifest
    assert sorted(title for title, _url in manifest["titles"]) == ["Alpha", "Beta", "Gamma"]
    assert len(storage.read_manifest(gen.path, posts=True)["posts"]) == 3


def test_a_change_after_a_manifest_that_holds_its_posts_is_still_incremental(make_blog, tmp_path):
    content, settings, _ = setup_blog(make_blog, tmp_path)
    gen = storage.current_generation(settings.index_dir)
    manifest = storage.read_manifest(gen.path, posts=True)
    del manifest["titles"]
    (gen.path / storage.MANIFEST).write_text(json.dumps(manifest))  # as schema 6 wrote it
    (content / "beta.md").write_text(post("Beta again"))
    summary = reindex(settings)
    assert (summary.full, summary.updated) == (False, 1)
    assert titles(settings.index_dir) == {"Alpha", "Beta again", "Gamma"}
