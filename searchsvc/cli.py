"""The command line: thin calls into the indexer and the search layer."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from .config import Settings, SettingsError
from .curation import Curation
from .indexer import ReindexError, ReindexSummary, reindex
from .search import SORTS, SearchIndex, SearchRequest, SearchRequestError
from .storage import IndexUnavailable

#: Exit status when reindex could not run at all (busy, unreadable content, a worker killed); 1 means posts were skipped.
EXIT_NOT_RUN = 3

#: gunicorn's access log without what identifies a reader: time, request line, status, size, duration.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'

path_option = dict(type=click.Path(file_okay=False, path_type=Path))


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchsvc")
def main() -> None:
    """searchsvc: full-text search for a Markdown blog.

    Settings come from SEARCHSVC_* environment variables (SEARCHSVC_CONTENT_DIR,
    SEARCHSVC_INDEX_DIR, SEARCHSVC_URL_TEMPLATE, ...); options override them.
    """


@main.command("reindex")
@click.option("--content", "content_dir", envvar="SEARCHSVC_CONTENT_DIR", help="Folder of Markdown posts [default: ./content].", **path_option)
@click.option("--index", "index_dir", envvar="SEARCHSVC_INDEX_DIR", help="Index folder [default: ./index].", **path_option)
@click.option("--full/--incremental", default=False, help="Rebuild everything, or only what changed [default: incremental].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (for CI).")
@click.option("--watch", is_flag=True, help="Keep running and reindex whenever the content changes.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def reindex_command(content_dir, index_dir, full, as_json, watch, quiet) -> None:
    """Index the posts in the content folder and publish the new index atomically.

    Incremental by default: only new, changed and removed posts are processed.
    A server that is answering switches to the new index within a second.

    Exit status: 0 when every post was indexed; 1 when some posts were skipped
    for errors (the others are still published); 2 for usage errors; 3 when the
    reindex could not run (another one is running, the content folder is
    missing, or a worker process was killed) and the existing index was kept.
    """
    settings = _settings(content_dir=content_dir, index_dir=index_dir)
    if watch:
        _watch(settings, as_json=as_json, quiet=quiet)
        return
    summary = _run_reindex(settings, full=full, as_json=as_json, quiet=quiet)
    sys.exit(summary.exit_code)


def _run_reindex(settings: Settings, *, full: bool, as_json: bool, quiet: bool) -> ReindexSummary:
    progress = None if (as_json or quiet) else _progress_bar
    try:
        summary = reindex(settings, full=full, progress=progress, workers=os.cpu_count() or 1)
    except ReindexError as exc:
        if as_json:
            click.echo(json.dumps({"error": str(exc), "exit_code": EXIT_NOT_RUN}))
        else:
            click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_NOT_RUN)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        _print_summary(summary, quiet=quiet)
    return summary


def _progress_bar(files, total):
    from tqdm import tqdm

    # disable=None: shown on a terminal, silent when stderr is a file or a pipe (CI logs).
    return tqdm(files, total=total, unit="post", desc="Indexing", disable=None, leave=False, file=sys.stderr)


def _print_summary(s: ReindexSummary, *, quiet: bool) -> None:
    if not quiet:
        kind = f"Full rebuild ({s.full_reason})" if s.full and s.full_reason else (
            "Full rebuild" if s.full else "Incremental reindex")
        state = f"published generation {s.generation}" if s.published else "nothing to publish"
        click.echo(
            f"{kind}: {s.total} posts in the index ({s.added} added, {s.updated} updated, "
            f"{s.removed} removed, {s.unchanged} unchanged, {len(s.skipped)} skipped) "
            f"in {s.seconds:.2f} s; {state}."
        )
        site = s.site or {}
        if site.get("generator") and site["generator"] != "none":
            click.echo(f"Site: {site['generator']} ({site.get('reason', '')}).")
        for problem in site.get("problems", ()):
            click.echo(f"  not read: {problem}")
        if len(s.languages) > 1:
            click.echo("Languages: " + ", ".join(f"{code} {count}" for code, count in s.languages.items()) + ".")
        if s.hidden:
            click.echo(f"Not indexed on purpose ({len(s.hidden)}):")
            for item in s.hidden:
                click.echo(f"  {item.path}: {item.reason}")
    if s.warnings:
        click.echo(f"Indexed with warnings ({len(s.warnings)}):", err=True)
        for item in s.warnings:
            click.echo(f"  {item.path}: {item.reason}", err=True)
    if s.skipped:
        click.echo(f"Skipped {len(s.skipped)} post(s) with errors; the others were indexed and published:", err=True)
        for item in s.skipped:
            click.echo(f"  {item.path}: {item.reason}", err=True)


def _watch(settings: Settings, *, as_json: bool, quiet: bool, debounce: float = 0.5) -> None:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changed = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type != "opened" and not str(event.src_path).endswith(("~", ".swp")):
                changed.set()

    if not settings.content_dir.is_dir():
        raise click.ClickException(f"The content directory {settings.content_dir} does not exist.")
    _run_reindex(settings, full=False, as_json=as_json, quiet=quiet)
    observer = Observer()
    observer.schedule(Handler(), str(settings.content_dir), recursive=True)
    observer.start()
    if not quiet:
        click.echo(f"Watching {settings.content_dir} for changes; press Ctrl+C to stop.")
    try:
        while True:
            if not changed.wait(timeout=1.0):
                continue
            # Debounce: wait until the content has been quiet for a moment.
            while True:
                changed.clear()
                time.sleep(debounce)
                if not changed.is_set():
                    break
            try:
                _run_reindex(settings, full=False, as_json=as_json, quiet=quiet)
            except SystemExit:
                pass  # reported already; keep watching
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)


@main.command("search")
@click.argument("query", nargs=-1)
@click.option("--index", "index_dir", envvar="SEARCHSVC_INDEX_DIR", help="Index folder [default: ./index].", **path_option)
@click.option("--tag", "tags", multiple=True, help="Only posts with this tag (repeatable; all must match).")
@click.option("--author", default="", help="Only posts by this author.")
@click.option("--lang", "langs", multiple=True, help="Only posts in this language, e.g. fr (repeatable; any may match).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON response.")
def search_command(query, index_dir, tags, author, langs, sort, page, per_page, as_json) -> None:
    """Search the index and print the results.

    QUERY takes the same syntax as the search box: words (all required),
    "exact phrase", -exclude, a OR b, tag:x, author:x.
    """
    settings = _settings(index_dir=index_dir)
    request = SearchRequest(
        q=" ".join(query),
        page=page,
        per_page=min(per_page, settings.max_per_page),
        tags=tuple(tags),
        author=author,
        sort=sort,
        langs=tuple(langs),
    )
    index = SearchIndex(settings.index_dir, time_limit=settings.query_time_limit,
                        curation=Curation(settings.synonyms, settings.pins))
    try:
        response = index.search(request)
    except SearchRequestError as exc:
        raise click.UsageError(f"{exc.parameter} {exc.message}") from None
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps(response.to_dict(), indent=2, ensure_ascii=False))
        return
    if not response.results:
        click.echo("No posts found before the time limit; try again." if response.partial else "No posts match.")
        return
    first = (response.page - 1) * response.per_page
    click.echo(f"{response.total} posts match ({response.took_ms:.1f} ms).")
    if response.partial:
        click.echo("The search stopped at its time limit: these are the posts it had found.")
    for n, hit in enumerate(response.results, start=first + 1):
        date = f"  {hit.date[:10]}" if hit.date else ""
        click.echo(f"{n:>3}. {hit.title}{date}")
        click.echo(f"     {hit.url}")
        snippet = _plain(hit.snippet_html)
        if snippet:
            click.echo(f"     {snippet}")


def _plain(snippet_html: str) -> str:
    """Highlight markup turned into terminal-friendly text."""
    import html
    import re

    text = re.sub(r"</?mark>", "*", snippet_html)
    return html.unescape(text)


@main.command("eval")
@click.option("--content", "content_dir", required=True, help="Folder of Markdown posts to evaluate on.", **path_option)
@click.option("--limit", type=click.IntRange(min=1), help="Make queries from at most N posts (drawn with the seed).")
@click.option("--seed", type=int, default=None, help="Seed of the queries [default: a fixed one, the same every run].")
@click.option("--misses", type=click.IntRange(min=0), default=3, show_default=True, help="Example misses shown per kind.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_command(content_dir, limit, seed, misses, as_json) -> None:
    """Measure how well known posts are found, against a plain BM25 baseline.

    Indexes the folder into a temporary index (with the current settings), makes the
    queries a reader types to find a post they know (exact titles, title words, a
    heading, typos, titles cut short as while typing, code names, remembered words
    and passages) from the posts themselves, asks them of searchsvc and of plain BM25
    (tantivy, default settings; `pip install 'searchsvc[eval]'`), and prints
    success@1/3/5 and MRR@10 per kind for both, with example misses.

    Exit status: 0 when searchsvc is at or above the baseline on every kind; 1 when
    it is below on some kind; 2 for usage errors; 3 when it could not run.
    """
    import tempfile

    from .evaluate import DEFAULT_SEED, EvalUnavailable, evaluate, format_report, posts_of, service_ranker

    with tempfile.TemporaryDirectory(prefix="searchsvc-eval-") as tmp:
        settings = _settings(content_dir=content_dir, index_dir=Path(tmp) / "index")
        try:
            summary = reindex(settings, full=True, workers=os.cpu_count() or 1)
        except ReindexError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_NOT_RUN)
        if not summary.total:
            click.echo(f"Error: no post in {settings.content_dir} could be indexed; nothing to evaluate.", err=True)
            sys.exit(EXIT_NOT_RUN)
        # The blog's synonyms and pins, when set, take part as they do when serving.
        index = SearchIndex(settings.index_dir, curation=Curation(settings.synonyms, settings.pins))
        try:
            report = evaluate(posts_of(index), service_ranker(index), seed=DEFAULT_SEED if seed is None else seed,
                              limit=limit, misses=misses)
        except EvalUnavailable as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_NOT_RUN)
        finally:
            index.close()
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report))
    sys.exit(1 if report.below_baseline else 0)


@main.command("insights")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="Days to report, today included (UTC).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Rows per list.")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), envvar="SEARCHSVC_ANALYTICS_DB",
              help="The analytics database [default: ./analytics.sqlite3].")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the same as GET /api/insights).")
def insights_command(days, limit, db, as_json) -> None:
    """What readers searched for: searches and clicks, the top queries, the queries that
    found nothing, the URLs opened, and searches per day.

    Reads the analytics that the server records (SEARCHSVC_ANALYTICS_DB); events of the
    last second a server holds may not be written yet.
    """
    from .insights import InsightsUnavailable, report

    settings = _settings(analytics_db=db)
    try:
        data = report(settings.analytics_db, days=days, limit=limit)
    except InsightsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rate = "" if data["click_through"] is None else f" ({data['click_through']:.0%} click-through)"
    click.echo(f"Last {days} day{'s' if days > 1 else ''} (since {data['since']}, UTC): "
               f"{data['searches']} searches, {data['clicks']} clicks{rate}.")
    if not settings.analytics_db.exists():
        click.echo(f"No analytics recorded yet in {settings.analytics_db}.")
        return
    _table("Top queries", ("searches", "results", "clicks"), data["top_queries"], "query")
    _table("Found nothing", ("searches",), data["zero_results"], "query")
    _table("Most opened", ("clicks",), data["top_clicked"], "url")
    busy = [d for d in data["per_day"] if d["searches"] or d["clicks"]]
    if busy:
        click.echo("\nPer day:")
        for d in busy:
            click.echo(f"  {d['date']}  {d['searches']:>7} searches  {d['clicks']:>6} clicks")


def _table(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]], key: str) -> None:
    click.echo(f"\n{title}:")
    if not rows:
        click.echo("  (none)")
        return
    width = min(max(len(str(r[key])) for r in rows), 60)
    click.echo("  " + key.ljust(width) + "".join(f"{c:>10}" for c in columns))
    for row in rows:
        text = str(row[key])
        text = text if len(text) <= width else text[: width - 1] + "…"
        values = "".join(f"{'–' if row[c] is None else row[c]:>10}" for c in columns)
        click.echo(f"  {text.ljust(width)}{values}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="SEARCHSVC_HOST")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, envvar="SEARCHSVC_PORT")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, envvar="SEARCHSVC_WORKERS")
@click.option("--threads", type=click.IntRange(min=1), default=4, show_default=True, envvar="SEARCHSVC_THREADS")
@click.option("--index", "index_dir", envvar="SEARCHSVC_INDEX_DIR", help="Index folder [default: ./index].", **path_option)
def serve_command(host, port, workers, threads, index_dir) -> None:
    """Serve the search page and the API with gunicorn (a production server).

    The index is opened once per worker and a newly published index is picked
    up on the next request, without a restart.
    """
    settings = _settings(index_dir=index_dir)
    from gunicorn.app.base import BaseApplication

    from . import create_app

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", "-")
            # No address, User-Agent or referrer in the log (gunicorn's default has all three).
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)

        def load(self):
            # In each worker process: each opens the index itself, with files and caches of its own.
            return create_app({"index_dir": settings.index_dir})

    click.echo(f"Serving on http://{host}:{port} (index: {settings.index_dir})", err=True)
    Server().run()


if __name__ == "__main__":  # pragma: no cover
    main()
