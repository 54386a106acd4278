"""Relevance on documentation sites nobody tuned for: books built with mdBook, and Markdown
docs folders, as this machine has them.

``../shared/corpus`` has blogs; this script makes blogs of other sites' pages and runs
``searchsvc eval`` (known-item queries against plain BM25, see the README's *Measuring
relevance*) on each:

- ``rust``: the Rust toolchain's books (``rustup component add rust-docs``: the Book,
  Cargo, the Reference, Rust by Example, rustc, ...), built with mdBook. One post per chapter
  (drawn with a fixed seed): its title the chapter's first heading, each later heading a
  heading, paragraphs, lists and code blocks below. Titles such as ``cargo-add(1)``,
  ``loongarch*-unknown-none*`` or "Storing Lists of Values with Vectors".
- ``npm``: npm's own docs, a folder of Markdown pages with frontmatter (``title``,
  ``section``, ``description``; no date, tags or author), indexed as they are.
- ``node``: Node.js's own docs as Debian's nodejs package installs them: the API reference
  (``fs``, ``http``, ``tty``: one long page per module, a heading per function, such as
  "``fs.readFile(path[, options], callback)``") and the contributors' guides, Markdown with
  no frontmatter (the title is the first heading), copied as they are.
- ``python``: the docs folders of two Python projects' source releases on PyPI (Starlette's
  and Black's, pinned: MkDocs and Sphinx with MyST, "Middleware", "The Black Code Style",
  "Using *Black* with other tools"), Markdown with no frontmatter, fetched with pip (the one
  site that needs PyPI; without it, skipped).
- ``readmes``: the READMEs of the npm packages ``make test`` installs in ``.venv/node``
  (Eleventy, Hexo and their dependencies: about 190), one page each as it is, no
  frontmatter: the title is the first heading, often with the package's badges in it
  ("is-glob [NPM version](https://...)"), then "Install", "Usage", "API" and code.

    .venv/bin/python bench/docs_blogs.py [--sites rust,npm,node,python,readmes] [--posts 400] [--keep DIR]

A site that is not installed is skipped with a sentence. Exit status: 0 when searchsvc is at
or above the baseline on every kind of every site, 1 when below somewhere, 2 when no site is
installed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString

from manpage_blogs import _literal  # bench/ is the script's folder: Markdown that renders to the text

#: mdBook books of the Rust toolchain's documentation, under its share/doc/rust/html.
RUST_BOOKS = ("book", "cargo", "edition-guide", "embedded-book", "nomicon", "reference",
              "rust-by-example", "rustc", "rustdoc", "style-guide")
RUST_DOCS = "~/.rustup/toolchains/*/share/doc/rust/html"
#: npm's docs, as npm installs them.
NPM_DOCS = ("/usr/lib/node_modules/npm/docs/content", "/usr/local/lib/node_modules/npm/docs/content")
#: Node.js's docs, as Debian's nodejs package installs them (the API reference under api/).
NODE_DOCS = "/usr/share/doc/nodejs"
#: Source releases on PyPI whose docs folder (Markdown) makes the python site.
PYTHON_DOCS = ("starlette==1.10.0", "black==26.10.1")
#: Where ``make test`` installs npm packages (the readmes site).
NODE_PACKAGES = Path(__file__).resolve().parent.parent / ".venv" / "node" / "node_modules"
SITES = ("rust", "npm", "node", "python", "readmes")
#: A chapter with less text than this (code left out) is a redirect or a list of links.
MIN_TEXT = 600
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default=",".join(SITES),
                        help=f"comma-separated, of: {', '.join(SITES)} (default all)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the rust, node, python and readmes blogs into DIR/<site> and keep them "
                             "(to run searchsvc eval on them again)")
    parser.add_argument("--posts", type=int, default=400, help="chapters of the rust blog (default 400)")
    args = parser.parse_args()
    sites = [s.strip() for s in args.sites.split(",") if s.strip()]
    unknown = [s for s in sites if s not in SITES]
    if unknown:
        parser.error(f"unknown site {unknown[0]!r}; known: {', '.join(SITES)}")
    searchsvc = Path(sys.executable).with_name("searchsvc")
    status, ran = 0, 0
    with tempfile.TemporaryDirectory(prefix="searchsvc-docs-") as tmp:
        for site in sites:
            if site == "rust":
                books = rust_books()
                if books is None:
                    print("== rust: skipped, the Rust docs are not installed (rustup component add rust-docs)")
                    continue
                content = (args.keep or Path(tmp)) / "rust"
                count = make_mdbook_blog(books, content, args.posts)
                print(f"== rust: {count} chapters of {books}", flush=True)
            elif site == "node":
                if not (Path(NODE_DOCS) / "api").is_dir():
                    print("== node: skipped, Node.js's docs are not installed (apt-get install nodejs)")
                    continue
                content = (args.keep or Path(tmp)) / "node"
                count = copy_node_docs(Path(NODE_DOCS), content)
                print(f"== node: {count} pages of {NODE_DOCS}", flush=True)
            elif site == "python":
                content = (args.keep or Path(tmp)) / "python"
                count = copy_python_docs(content, Path(tmp) / "sdists")
                if count is None:
                    print(f"== python: skipped, pip could not fetch {', '.join(PYTHON_DOCS)} from PyPI")
                    continue
                print(f"== python: {count} pages of {', '.join(PYTHON_DOCS)}", flush=True)
            elif site == "readmes":
                content = (args.keep or Path(tmp)) / "readmes"
                count = copy_readmes(NODE_PACKAGES, content)
                if not count:
                    print(f"== readmes: skipped, no npm package is installed in {NODE_PACKAGES} (make test installs them)")
                    continue
                print(f"== readmes: {count} READMEs of {NODE_PACKAGES}", flush=True)
            else:
                content = next((Path(p) for p in NPM_DOCS if Path(p).is_dir()), None)
                if content is None:
                    print("== npm: skipped, npm's docs are not installed (apt-get install npm)")
                    continue
                print(f"== npm: {content}", flush=True)
            ran += 1
            env = {**os.environ, "SEARCHSVC_LANGUAGE": "en"}
            done = subprocess.run([str(searchsvc), "eval", "--content", str(content)], env=env)
            status = max(status, 1 if done.returncode == 1 else 0)
            if done.returncode not in (0, 1):
                return done.returncode
    return status if ran else 2


def rust_books() -> Path | None:
    """The newest installed toolchain's HTML docs, or None."""
    found = sorted(glob.glob(os.path.expanduser(RUST_DOCS)))
    return Path(found[-1]) if found else None


def copy_node_docs(docs: Path, out: Path) -> int:
    """Copy Node.js's Markdown docs into ``out`` as they are (the API reference, the
    contributors' guides and the top-level pages, changelogs left out); how many."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):  # a blog kept from an earlier run (--keep): only its pages go
        old.unlink()
    pages = [*sorted((docs / "api").glob("*.md"))]
    pages += [p for p in sorted(docs.glob("*.md")) + sorted((docs / "contributing").rglob("*.md"))
              if not p.name.startswith("CHANGELOG")]
    for page in pages:
        name = page.name if page.parent.name == "api" else f"guide-{page.name}"
        shutil.copyfile(page, out / name)
    return len(pages)


def copy_readmes(packages: Path, out: Path) -> int:
    """Copy the README.md of each npm package under ``packages`` (nested ones too) into
    ``out``, named by the package ("@11ty__eleventy.md"), each once; how many."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):  # a blog kept from an earlier run (--keep): only its pages go
        old.unlink()
    names = set()
    for readme in sorted(packages.rglob("README.md")) if packages.is_dir() else []:
        package = str(readme.parent).rsplit("node_modules/", 1)[-1]
        name = re.sub(r"[^\w@.-]+", "__", package) + ".md"
        if name not in names:
            names.add(name)
            shutil.copyfile(readme, out / name)
    return len(names)


def copy_python_docs(out: Path, downloads: Path) -> int | None:
    """Copy the Markdown pages of the docs folder of each source release of PYTHON_DOCS into
    ``out/<project>/`` as they are (their folders kept); how many, or None when pip cannot
    fetch them."""
    import tarfile

    downloads.mkdir(parents=True, exist_ok=True)
    fetched = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                              "--quiet", "--dest", str(downloads), *PYTHON_DOCS], capture_output=True)
    if fetched.returncode != 0:
        return None
    if out.exists():  # a blog kept from an earlier run (--keep): only its pages go
        shutil.rmtree(out)
    count = 0
    for release in PYTHON_DOCS:
        project = release.split("==")[0]
        archive = next(iter(sorted(downloads.glob(f"{project}-*.tar.gz"))), None)
        if archive is None:
            return None
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if member.isfile() and member.name.endswith(".md") and len(parts) > 2 and parts[1] == "docs" \
                        and ".." not in parts:
                    target = out / project / Path(*parts[2:])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
                    count += 1
    return count


def make_mdbook_blog(html: Path, out: Path, limit: int) -> int:
    """Write up to ``limit`` posts made from the chapters of the books under ``html``."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):  # a blog kept from an earlier run (--keep): only its posts go
        old.unlink()
    files = sorted(p for book in RUST_BOOKS if (html / book).is_dir() for p in (html / book).rglob("*.html")
                   if p.name not in ("print.html", "toc.html", "404.html"))
    random.Random(11).shuffle(files)
    written = 0
    for path in files:
        if written >= limit:
            break
        chapter = _chapter(path)
        if chapter is None:
            continue
        title, text = chapter
        book = path.relative_to(html).parts[0]
        first = next((p for p in text.split("\n\n") if p and p[0] not in "#`-"), "")
        front = {
            "title": title,
            "description": re.sub(r"\\(.)", r"\1", first).split(". ")[0][:200],
            "date": f"{MONTHS[written % 12]} {1 + written % 28}, {2015 + written % 11}",
            "tags": [book],
            "author": {"name": "The Rust Project", "role": "Documentation"},
        }
        slug = re.sub(r"\W+", "-", f"{book}-{path.stem}").strip("-").lower()
        # JSON is YAML: every value comes out quoted and escaped.
        (out / f"{slug}-{written}.md").write_text(
            "---\n" + "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items())
            + "\n---\n\n" + text + "\n", encoding="utf-8")
        written += 1
    return written


def _chapter(path: Path) -> tuple[str, str] | None:
    """(title, Markdown text) of one mdBook chapter, or None for a redirect or a list of links."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    main = soup.find("main")
    if main is None:
        return None
    title, blocks = None, []
    for el in main.find_all(["h1", "h2", "h3", "h4", "p", "pre", "li", "blockquote"]):
        if el.find_parent(["li", "blockquote", "pre"]) is not None:
            continue  # its text is in the block it is part of
        if el.name[0] == "h":
            text = " ".join(el.get_text().split())
            if title is None:
                title = text
            else:
                blocks.append("#" * max(2, int(el.name[1])) + " " + _literal(text))
        elif el.name == "pre":
            blocks.append("```\n" + el.get_text().rstrip("\n") + "\n```")
        elif el.name == "li":
            blocks.append("- " + " ".join(_inline(el).split()))
        else:
            blocks.append(" ".join(_inline(el).split()))
    text = "\n\n".join(b for b in blocks if b.strip())
    if not title or len(re.sub(r"```.*?```", "", text, flags=re.S)) < MIN_TEXT:
        return None
    return title, text


def _inline(el) -> str:
    """An element's text as Markdown: code spans kept, everything else literal."""
    out = []
    for child in el.children:
        if isinstance(child, NavigableString):
            out.append(_literal(str(child)))
        elif child.name == "code":
            code = child.get_text()
            tick = "``" if "`" in code else "`"
            out.append(f"{tick}{code}{tick}" if code.strip() else "")
        elif child.name not in ("script", "style"):
            out.append(_inline(child))
    return "".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
