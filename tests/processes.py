"""Real processes for end-to-end tests: gunicorn on a free loopback port, CLI runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(index_dir: Path, content_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHSVC_")}
    env["SEARCHSVC_INDEX_DIR"] = str(index_dir)
    if content_dir is not None:
        env["SEARCHSVC_CONTENT_DIR"] = str(content_dir)
    env["SEARCHSVC_ANALYTICS_DB"] = str(Path(index_dir).parent / "analytics.sqlite3")
    env.update(extra)
    return env


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@contextmanager
def gunicorn(
    index_dir: Path,
    *,
    workers: int = 2,
    threads: int = 1,
    content_dir: Path | None = None,
    extra_args: tuple[str, ...] = (),
    log_path: Path | None = None,
    **env: str,
) -> Iterator[str]:
    """Serve ``wsgi:app`` on a free port; yield its base URL; stop it afterwards.

    The log goes to a file (``log_path``, else a temporary one): a server that logs many
    errors into a pipe nobody reads blocks once the pipe is full and stops answering.
    """
    port = free_port()
    cmd = [str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads),
           "--graceful-timeout", "3", *extra_args, "wsgi:app"]
    with tempfile.TemporaryDirectory(prefix="searchsvc-gunicorn-") as tmp:
        log_file = log_path or Path(tmp) / "gunicorn.log"
        with open(log_file, "wb") as log:
            proc = subprocess.Popen(cmd, cwd=REPO, env=env_for(index_dir, content_dir, **env),
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_file.read_text(errors='replace')[-2000:]}")
            try:
                return requests.get(base + "/healthz", timeout=2).status_code in (200, 503)
            except requests.RequestException:  # not listening yet, or workers still booting
                return False

        try:
            if not wait_until(up, timeout=20):
                raise RuntimeError(f"gunicorn did not answer within 20 s: {log_file.read_text(errors='replace')[-2000:]}")
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def reindex_process(content_dir: Path, index_dir: Path, *args: str, **env: str) -> subprocess.Popen:
    """Start `python -m searchsvc reindex` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "searchsvc", "reindex", "--content", str(content_dir), "--index", str(index_dir), *args],
        cwd=REPO, env=env_for(index_dir, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def synthetic_blog(root: Path, count: int, words: int = 400) -> Path:
    """``count`` distinct posts of about ``words`` words each (deterministic)."""
    vocab = ("river stone cloud lantern harbor meadow copper violet signal orchard thunder pixel "
             "kernel socket buffer cache tensor vector matrix lambda closure module package").split()
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = " ".join(vocab[(i * 7 + j * 13) % len(vocab)] for j in range(words))
        (root / f"post-{i:05d}.md").write_text(
            f'---\ntitle: "Synthetic post number {i} uniqword{i}"\ndate: "Jan 15, 2024"\n'
            f'tags: ["t{i % 5}"]\n---\n\n## Part one\n\n{body}\n\n## Part two\n\n{body[::-1]}\n'
        )
    return root
