"""Shared pieces of the benchmarks: the corpus, index builds, replicated corpora, gunicorn, HTTP clients, memory.

Nothing here writes inside the repository: indexes and content copies go to
temporary directories that the caller removes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
#: ../shared/corpus beside the repository (see its README.md).
CORPUS = REPO.parent / "shared" / "corpus"
CORPORA = {"nodejs": "nodejs-blog", "react": "react-blog"}

sys.path.insert(0, str(REPO))  # run from a checkout without installing

from searchsvc.config import Settings  # noqa: E402
from searchsvc.indexer import ReindexSummary, reindex  # noqa: E402
from searchsvc.posts import PostError, discover, parse_post  # noqa: E402


class BenchError(Exception):
    """The benchmark cannot run; the message says why and what to do."""


def corpus_dir(name: str) -> Path:
    """The folder of one real blog ("nodejs" or "react").

    :raise BenchError: if ../shared/corpus or the blog's folder is missing.
    """
    path = CORPUS / CORPORA[name]
    if not path.is_dir():
        raise BenchError(
            f"The corpus folder {path} is missing. The benchmarks need the real blogs in "
            f"../shared/corpus beside the repository ({REPO})."
        )
    return path


def parse_sizes(parser: argparse.ArgumentParser, text: str) -> list[int]:
    """The sizes of ``--sizes`` ("1,10": copies of the corpus), sorted; a usage error when they are not 1 to 50."""
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, like 1,10; got {text!r}.")
    if not sizes or min(sizes) < 1 or max(sizes) > 50:
        parser.error("--sizes must list numbers from 1 to 50.")
    return sizes


def fail(exc: BaseException) -> None:
    """Print a benchmark error for a person and exit with status 2."""
    print(f"error: {exc}", file=sys.stderr)
    raise SystemExit(2)


# ---------------------------------------------------------------------------
# Timing and printing


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def heartbeat(what: str, every: float = 15.0) -> Iterator[None]:
    """Print "<what>: still running (N s)" every ``every`` seconds until the block ends."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            log(f"  {what}: still running ({time.monotonic() - started:.0f} s)")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain-text table; numbers right-aligned, text left-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in cells[1:]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,]*\.?\d+( ?[a-zA-Z%]+)?|-|n/a", text))


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of durations in seconds, in milliseconds (``statistics.quantiles``, inclusive).

    One value is all three; no value gives zeros.
    """
    if len(seconds) < 2:
        v = seconds[0] * 1000 if seconds else 0.0
        return v, v, v
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


# ---------------------------------------------------------------------------
# Building indexes


@dataclass
class Build:
    settings: Settings
    summary: ReindexSummary
    seconds: float


def build_index(content_dir: Path, index_dir: Path, *, full: bool = True, label: str = "",
                workers: int | None = None, settings: dict | None = None) -> Build:
    """Run ``reindex`` for ``content_dir`` into ``index_dir`` and time it (wall clock).

    ``workers`` is passed on to ``reindex`` when given; None keeps its default. ``settings``:
    other Settings fields (``{"language": "ja"}``).
    """
    settings = Settings(content_dir=content_dir, index_dir=index_dir, **(settings or {}))
    with heartbeat(label or f"indexing {content_dir.name}"):
        started = time.perf_counter()
        summary = reindex(settings, full=full, **worker_option(workers))
        seconds = time.perf_counter() - started
    return Build(settings, summary, seconds)


def worker_option(workers: int | None) -> dict[str, int]:
    """The keyword for ``reindex``'s worker processes, or nothing to keep its default."""
    return {} if workers is None else {"workers": workers}


def current_generation_dir(index_dir: Path) -> Path:
    return (index_dir / "CURRENT").resolve()


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path``, like ``du -s`` (each hard-linked file counted once)."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for root, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


# ---------------------------------------------------------------------------
# Replicated corpora

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$")
_FM_OPEN = re.compile(r"^---[ \t]*$")


def replicate(sources: list[Path], dest: Path, copies: int) -> tuple[int, list[str]]:
    """Write ``copies`` copies of every post under ``sources`` into ``dest``.

    Copy k of ``<source name>/a/b.md`` is ``copy-k/<source name>/a/b.md``; its
    title gets " (copy k)" and a frontmatter ``slug:`` (or permalink/url/path)
    gets "-copy-k", so every copy has its own slug and its own title.
    Files that are not posts are not copied.

    Returns the number of files written and the posts whose first copy did not
    come out with the expected title (checked by parsing it), as sentences.
    """
    settings = Settings(content_dir=dest)
    written = 0
    problems: list[str] = []
    for source in sources:
        files, _ = discover(source)
        for path in files:
            rel = path.relative_to(source)
            relpath = f"{source.name}/{rel.as_posix()}"
            data = path.read_bytes()
            try:
                title = parse_post(relpath, data, settings).title
            except PostError:
                title = None  # the indexer skips it at every size; copied as it is
            for k in range(1, copies + 1):
                target = dest / f"copy-{k}" / source.name / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                copy = data if title is None else renamed_copy(data, title, k)
                target.write_bytes(copy)
                written += 1
                if k == 1 and title is not None and (problem := _check_copy(relpath, title, copy, settings)):
                    problems.append(problem)
    return written, problems


def _check_copy(relpath: str, title: str, copy: bytes, settings: Settings) -> str:
    try:
        copied = parse_post(f"copy-1/{relpath}", copy, settings).title
    except PostError as exc:
        return f"copy 1 of {relpath} cannot be read: {exc.reason}"
    if copied != f"{title} (copy 1)":
        return f"copy 1 of {relpath} has the title {copied!r}, not {title + ' (copy 1)'!r}"
    return ""


def copy_corpus(sources: list[Path], dest: Path) -> int:
    """Copy the posts of each source into ``dest/<source name>/`` unchanged; return the files copied."""
    written = 0
    for source in sources:
        files, _ = discover(source)
        for path in files:
            target = dest / source.name / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)  # not the read-only mode of the corpus files
            written += 1
    return written


def prepare_content(sources: list[Path], dest: Path, size: int) -> int:
    """Fill ``dest`` with the corpus at ``size``: 1 is the blogs side by side, N their N renamed copies.

    Returns the post files written; logs the time taken and any copy whose title did not come out right.
    """
    started = time.perf_counter()
    if size == 1:
        files = copy_corpus(sources, dest)
    else:
        log(f"{size}x: writing {size} renamed copies of the corpus ...")
        files, problems = replicate(sources, dest, size)
        for problem in problems:
            log(f"  warning: {problem}")
    log(f"{size}x: {files:,} post files in {dest} ({time.perf_counter() - started:.1f} s)")
    return files


def renamed_copy(data: bytes, title: str, k: int) -> bytes:
    """The bytes of copy ``k`` of one post whose title is ``title``: title + " (copy k)", slug + "-copy-k".

    Only the lines of the ``title`` and ``slug`` (permalink, url, path) keys
    change. A post whose title comes from its first heading or file name gets a
    ``title:`` line; a post without frontmatter gets a YAML block holding it.
    """
    text = data.decode("utf-8").removeprefix("\ufeff")
    new_title = f"title: {json.dumps(f'{title} (copy {k})', ensure_ascii=False)}"
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not lines[start].startswith(("---", "+++", "{")):
        return f"---\n{new_title}\n---\n{text}".encode()
    if not _FM_OPEN.match(lines[start].rstrip("\r")):
        return data  # TOML or JSON frontmatter: not in the corpus, left alone
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip("\r") in ("---", "...")), None)
    if end is None:
        return data
    block = lines[start + 1 : end]
    out: list[str] = []
    had_title = False
    i = 0
    while i < len(block):
        m = _TOP_KEY.match(block[i])
        j = i + 1
        while j < len(block) and block[j][:1] in (" ", "\t"):  # continuation lines of this key
            j += 1
        key = m.group(1) if m else None
        if key == "title":
            out.append(new_title)
            had_title = True
        elif key in ("slug", "permalink", "url", "path"):
            value = yaml.safe_load("\n".join(block[i:j]).split(":", 1)[1])
            if isinstance(value, str) and value.strip():
                out.append(f"{key}: {json.dumps(value.strip().rstrip('/') + f'-copy-{k}', ensure_ascii=False)}")
            else:
                out.extend(block[i:j])
        else:
            out.extend(block[i:j])
        i = j
    if not had_title:
        out.insert(0, new_title)
    return "\n".join(lines[: start + 1] + out + lines[end:]).encode()


def post_count(content_dir: Path) -> int:
    return len(discover(content_dir)[0])


# ---------------------------------------------------------------------------
# HTTP clients
#
# The latency and throughput runs send their requests from the benchmark's own process, on the
# same 2 cores as the server, so what the client spends per request is counted in every latency
# and taken from the server's CPU. `requests` costs about 1.1 ms of Python CPU per request here
# (a trivial gunicorn app: 1.62 ms p50 round trip with a requests.Session, 0.55 ms with a kept-alive
# http.client.HTTPConnection), so the standard library's client is the default; `requests`
# remains the other choice (--client requests), to compare with figures taken with it.

#: The names of --client, the default first.
HTTP_CLIENTS = ("stdlib", "requests")
DEFAULT_CLIENT = HTTP_CLIENTS[0]

Params = Mapping[str, str] | Iterable[tuple[str, str]]


class ClientError(Exception):
    """A request could not be sent or its answer not read (connection refused or dropped, a timeout).

    The message starts with the name of the underlying exception.
    """


class HTTPStatusError(Exception):
    """The server answered with a status other than 200."""

    def __init__(self, status: int, url: str, body: bytes = b""):
        super().__init__(f"HTTP {status} for {url}")
        self.status = status
        self.url = url
        self.body = body


class HttpClient:
    """GET requests to one server, one keep-alive connection per thread; safe to share between threads.

        with make_client("stdlib", server.url) as client:
            status, body = client.get("/api/search", {"q": "react"})
            data = client.get_json("/api/search", {"q": "react"})

    ``get`` returns any status; ``get_json`` raises HTTPStatusError for a status other than 200.
    Both raise ClientError when the request cannot be sent or its answer cannot be read within
    ``timeout`` seconds (per socket operation, as `requests` counts it).
    """

    #: The --client name.
    name = ""
    #: What the reports print: which library, and how connections are kept.
    description = ""

    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Any] = []

    def get(self, path: str, params: Params = ()) -> tuple[int, bytes]:
        """GET ``base_url + path`` with ``params`` URL-encoded; the status and the whole body."""
        raise NotImplementedError

    def _own(self, make: Any) -> Any:
        """This thread's connection (or session): made by ``make()`` on first use, closed by close()."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = make()
            with self._lock:
                self._opened.append(conn)
        return conn

    def get_json(self, path: str, params: Params = ()) -> Any:
        """GET and decode the JSON body.

        :raise HTTPStatusError: for a status other than 200.
        :raise ValueError: if the body is not JSON.
        """
        status, body = self.get(path, params)
        if status != 200:
            raise HTTPStatusError(status, self.base_url + path, body)
        return json.loads(body)

    def close(self) -> None:
        """Close every connection the client opened; call it when no request is in flight."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: What a kept-alive connection the server closed meanwhile raises on its next request.
_DROPPED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class StdlibClient(HttpClient):
    """``http.client.HTTPConnection``, one per thread (a threading.local), kept alive between requests.

    A kept-alive connection the server has closed meanwhile (gunicorn drops idle ones after its
    keep-alive of 2 s) fails on its next request with RemoteDisconnected, BrokenPipeError or
    ConnectionResetError: that request is sent once more on a new connection. Any other failure,
    or a failure on a new connection, is a ClientError.
    """

    name = "stdlib"
    description = "http.client, one keep-alive HTTPConnection per thread"

    def __init__(self, base_url: str, timeout: float = 10.0):
        super().__init__(base_url, timeout)
        url = urllib.parse.urlsplit(self.base_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"The stdlib client speaks plain HTTP only; got the base URL {base_url!r}.")
        self.host, self.port, self.prefix = url.hostname, url.port or 80, url.path

    def _connection(self) -> http.client.HTTPConnection:
        return self._own(lambda: http.client.HTTPConnection(self.host, self.port, timeout=self.timeout))

    def get(self, path: str, params: Params = ()) -> tuple[int, bytes]:
        query = urllib.parse.urlencode(params)
        target = self.prefix + path + (f"?{query}" if query else "")
        conn = self._connection()
        while True:
            reused = conn.sock is not None  # else this request opens a new connection
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:  # refused, dropped, timed out, a malformed answer
                conn.close()  # the next request opens a new connection (conn.sock is None)
                if not (reused and isinstance(exc, _DROPPED)):
                    raise ClientError(f"{type(exc).__name__}: {exc}") from exc


class RequestsClient(HttpClient):
    """A ``requests.Session`` (keep-alive) per thread: the client of the figures taken before the stdlib one."""

    name = "requests"
    description = "requests, one keep-alive Session per thread"

    def get(self, path: str, params: Params = ()) -> tuple[int, bytes]:
        session = self._own(requests.Session)
        try:
            response = session.get(self.base_url + path, params=params, timeout=self.timeout)
            return response.status_code, response.content
        except requests.RequestException as exc:
            raise ClientError(f"{type(exc).__name__}: {exc}") from exc


def make_client(name: str, base_url: str, timeout: float = 10.0) -> HttpClient:
    """The HTTP client called ``name`` (one of HTTP_CLIENTS) for the server at ``base_url``."""
    for cls in (StdlibClient, RequestsClient):
        if cls.name == name:
            return cls(base_url, timeout)
    raise ValueError(f"Unknown HTTP client {name!r}; choose one of {', '.join(HTTP_CLIENTS)}.")


def client_description(name: str) -> str:
    """What a report prints for the client called ``name``: "http.client, one keep-alive ..."."""
    return {cls.name: cls.description for cls in (StdlibClient, RequestsClient)}[name]


def add_client_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--client stdlib|requests`` to a benchmark's options."""
    parser.add_argument(
        "--client", choices=HTTP_CLIENTS, default=DEFAULT_CLIENT,
        help="HTTP client of the benchmark's requests: stdlib (http.client, the default: the client shares the "
             "2 cores with the server and requests costs about 1.1 ms of CPU per request) or requests "
             "(reproduces the figures taken before)")


# ---------------------------------------------------------------------------
# gunicorn


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path
    #: How it was started, for the report: "gunicorn -w 2 --threads 4 -k gthread wsgi:app".
    config: str = ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(index_dir: Path, *, workers: int = 2, threads: int = 4, timeout: float = 30.0,
                   env: dict[str, str] | None = None) -> Server:
    """Start ``gunicorn wsgi:app`` on 127.0.0.1 and a free port; return once /healthz answers 200.

    ``env``: more SEARCHSVC_* settings. Analytics go to a temporary file unless ``env`` names
    one (a benchmark never writes into the repository).

    :raise BenchError: if it exits or does not answer within ``timeout`` seconds (its log is quoted).
    """
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        raise BenchError(f"{gunicorn} is missing; install the project into the venv (make install).")
    port = free_port()
    log_file = tempfile.NamedTemporaryFile("w+", prefix="searchsvc-gunicorn-", suffix=".log", delete=False)
    analytics = Path(tempfile.mkdtemp(prefix="searchsvc-bench-analytics-")) / "analytics.sqlite3"
    env = {**os.environ, "SEARCHSVC_INDEX_DIR": str(index_dir), "SEARCHSVC_ANALYTICS_DB": str(analytics), **(env or {})}
    cmd = [str(gunicorn), "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads),
           "-k", "gthread", "wsgi:app"]
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}", Path(log_file.name),
                    config=f"gunicorn -w {workers} --threads {threads} -k gthread wsgi:app")
    log_file.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {process.returncode}:\n{_tail(server.log_path)}")
            try:
                if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    return server
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{_tail(server.log_path)}")
            time.sleep(0.1)
    except BaseException:
        stop_gunicorn(server)
        raise


def stop_gunicorn(server: Server, timeout: float = 10.0) -> None:
    """SIGTERM (gunicorn stops its workers), then SIGKILL after ``timeout`` seconds; remove the log."""
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in descendants(process.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.kill()
            process.wait(timeout)
    server.log_path.unlink(missing_ok=True)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------------------
# Memory


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, found through the parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name in (...) may hold spaces
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_bytes(pid: int, *, include_children: bool = True) -> int:
    """Resident memory of ``pid`` (and its descendants), from VmRSS in /proc/<pid>/status.

    Pages shared between a parent and its forked children are counted once per
    process, so the sum overstates what the group really holds.
    """
    pids = [pid, *(descendants(pid) if include_children else [])]
    return sum(status_fields(p).get("VmRSS", 0) for p in pids)


def status_fields(pid: int, names: tuple[str, ...] = ("VmRSS", "VmHWM")) -> dict[str, int]:
    """The named ``kB`` lines of /proc/<pid>/status, in bytes; empty when the process is gone."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in names:
                    found[key] = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return {}
    return found


class MemorySampler:
    """Samples the memory of a process and its descendants every ``every`` seconds, in a thread.

    ``peak_rss``: the largest sum of VmRSS over the group seen at one sample.
    ``hwm_sum``: the sum over every process seen (workers that were replaced included)
    of its own peak, VmHWM, read at each sample and once more at ``stop``; an upper
    bound of the group's peak, since the processes' peaks need not coincide and pages
    shared after the fork are counted in each process.

        with MemorySampler(server.process.pid) as memory:
            ...
        memory.hwm_sum, memory.peak_rss, memory.processes
    """

    def __init__(self, pid: int, every: float = 0.5):
        self.pid = pid
        self.every = every
        self.peak_rss = 0
        self.hwm: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def hwm_sum(self) -> int:
        return sum(self.hwm.values())

    @property
    def processes(self) -> int:
        return len(self.hwm)

    def sample(self) -> None:
        rss = 0
        for p in [self.pid, *descendants(self.pid)]:
            fields = status_fields(p)
            rss += fields.get("VmRSS", 0)
            if "VmHWM" in fields:
                self.hwm[p] = max(self.hwm.get(p, 0), fields["VmHWM"])
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._done.wait(self.every):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.sample()
