"""The searchsvc command: help, reindex, search; errors are one line, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from searchsvc.cli import main
from searchsvc.search import SearchRequest

BLOG = Path(__file__).parent / "blog"

GOOD = "---\ntitle: Good Post\n---\n\nThe zebracorn is fine.\n"
BROKEN = "---\ntitle: [unclosed\n---\n\nNever indexed.\n"


def reindex_args(content, index, *extra):
    return ["reindex", "--content", str(content), "--index", str(index), *extra]


@pytest.mark.parametrize(
    "args, description",
    [
        ([], "full-text search for a Markdown blog"),
        (["reindex"], "Index the posts in the content folder"),
        (["search"], "Search the index and print the results"),
        (["serve"], "Serve the search page and the API"),
    ],
)
def test_help(cli_runner, args, description):
    result = cli_runner.invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert description in result.output


def test_app_runner_fixture_runs_the_cli(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "reindex" in result.output


def test_every_command_has_help_text():
    assert main.help and main.help.strip()
    for name, command in main.commands.items():
        assert command.help and command.help.strip(), name


def test_reindex_prints_a_summary(cli_runner, tmp_path):
    result = cli_runner.invoke(main, reindex_args(BLOG, tmp_path / "index"))
    assert result.exit_code == 0, result.output
    assert "8 posts in the index" in result.stdout
    assert "8 added" in result.stdout
    assert "draft_post.md" in result.stdout


def test_reindex_json(cli_runner, tmp_path):
    result = cli_runner.invoke(main, reindex_args(BLOG, tmp_path / "index", "--json"))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"added", "updated", "removed", "unchanged", "skipped"} <= set(data)
    assert data["added"] == 8
    assert data["skipped"] == []


def test_second_reindex_json_reports_unchanged(cli_runner, tmp_path):
    cli_runner.invoke(main, reindex_args(BLOG, tmp_path / "index"))
    data = json.loads(cli_runner.invoke(main, reindex_args(BLOG, tmp_path / "index", "--json")).stdout)
    assert (data["added"], data["updated"], data["removed"]) == (0, 0, 0)
    assert data["unchanged"] == 9  # 8 posts and the draft


def test_malformed_post_exits_1_naming_file_and_reason(cli_runner, make_blog, tmp_path):
    content = make_blog({"good.md": GOOD, "broken_yaml.md": BROKEN})
    result = cli_runner.invoke(main, reindex_args(content, tmp_path / "index"))
    assert result.exit_code == 1
    assert "broken_yaml.md" in result.stderr
    assert "YAML" in result.stderr
    assert "Traceback" not in result.output


def test_good_posts_are_searchable_after_a_malformed_one(cli_runner, make_blog, tmp_path, open_index):
    content = make_blog({"good.md": GOOD, "broken_yaml.md": BROKEN})
    cli_runner.invoke(main, reindex_args(content, tmp_path / "index"))
    hits = open_index(tmp_path / "index").search(SearchRequest(q="zebracorn")).results
    assert [h.id for h in hits] == ["good"]


def test_malformed_post_in_json(cli_runner, make_blog, tmp_path):
    content = make_blog({"good.md": GOOD, "broken_yaml.md": BROKEN})
    result = cli_runner.invoke(main, reindex_args(content, tmp_path / "index", "--json"))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    [skipped] = data["skipped"]
    assert skipped["path"] == "broken_yaml.md"
    assert "YAML" in skipped["reason"]


def test_missing_content_dir_is_a_one_line_error(cli_runner, tmp_path):
    missing = tmp_path / "nope"
    result = cli_runner.invoke(main, reindex_args(missing, tmp_path / "index"))
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert str(missing) in lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def blog_index(cli_runner, tmp_path):
    index = tmp_path / "index"
    assert cli_runner.invoke(main, reindex_args(BLOG, index)).exit_code == 0
    return index


def test_search_prints_results(cli_runner, blog_index):
    result = cli_runner.invoke(main, ["search", "--index", str(blog_index), "server", "actions"])
    assert result.exit_code == 0
    assert "Next.js Server Actions in Practice" in result.stdout
    assert "/blog/nextjs_server_actions_post" in result.stdout


def test_search_no_match(cli_runner, blog_index):
    result = cli_runner.invoke(main, ["search", "--index", str(blog_index), "qwxzptlk"])
    assert result.exit_code == 0
    assert "No posts match" in result.stdout


def test_search_json_is_the_api_json(cli_runner, blog_index, client):
    result = cli_runner.invoke(main, ["search", "--index", str(blog_index), "--json", "python"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    api = client.get("/api/search?q=python").get_json()
    assert set(data) == set(api)
    assert [r["id"] for r in data["results"]] == [r["id"] for r in api["results"]]
    assert data["facets"] == api["facets"]


def test_search_options(cli_runner, blog_index):
    result = cli_runner.invoke(
        main, ["search", "--index", str(blog_index), "--json", "--tag", "python", "--author", "Sam Lee"]
    )
    assert [r["id"] for r in json.loads(result.stdout)["results"]] == ["python_testing_post"]


def test_search_without_an_index_is_a_one_line_error(cli_runner, tmp_path):
    result = cli_runner.invoke(main, ["search", "--index", str(tmp_path / "index"), "python"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "reindex" in lines[0]
    assert "Traceback" not in result.output


def test_search_over_long_query_is_a_usage_error(cli_runner, blog_index):
    result = cli_runner.invoke(main, ["search", "--index", str(blog_index), "a" * 501])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_python_dash_m_help():
    result = subprocess.run(
        [sys.executable, "-m", "searchsvc", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "reindex" in result.stdout and "search" in result.stdout


def test_search_out_of_time_says_so(cli_runner, blog_index, monkeypatch):
    monkeypatch.setenv("SEARCHSVC_QUERY_TIME_LIMIT", "0")
    result = cli_runner.invoke(main, ["search", "--index", str(blog_index), '"server actions"', "form"])
    assert result.exit_code == 0
    assert "time limit" in result.stdout
