"""What extraction made of a post's Markdown, kept by content, so that a full rebuild (after a
setting or the site's configuration changed) does not render and read every post again.

The cache is a folder beside the index's generations (``index/cache/extract/``), one small
file per distinct Markdown text, named by a hash of the text and of the extraction's version.
It holds plain values (``marshal``), never objects, and a file that cannot be read is a miss.
Files are written whole and renamed into place, so parallel workers and a killed run never
leave half of one; the least recently used are removed when there are many more than posts.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import secrets
from pathlib import Path

from .extract import CodeBlock, Extracted, Section

#: Bump when extraction (extract.py, templating.py) changes what it makes of a text.
#: 3: soft hyphens dropped (a word with one was two words).
EXTRACTION_VERSION = 3
FOLDER = Path("cache") / "extract"


class ExtractCache:
    def __init__(self, index_dir: Path):
        self.folder = Path(index_dir) / FOLDER

    def key(self, markdown: str, mdx: bool) -> str:
        digest = hashlib.sha256(f"{EXTRACTION_VERSION}:{int(mdx)}:".encode() + markdown.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:40]

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key[2:]

    def get(self, key: str) -> Extracted | None:
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                title, sections, code_blocks, inline_code, text = marshal.loads(fh.read())
            os.utime(path)  # recently used (see prune)
            return Extracted(
                title=title,
                sections=tuple(Section(*s) for s in sections),
                code_blocks=tuple(CodeBlock(*c) for c in code_blocks),
                inline_code=tuple(inline_code),
                text=text,
            )
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def put(self, key: str, extracted: Extracted) -> None:
        plain = (
            extracted.title,
            tuple((s.heading, s.anchor, s.level, s.text) for s in extracted.sections),
            tuple((c.language, c.code) for c in extracted.code_blocks),
            tuple(extracted.inline_code),
            extracted.text,
        )
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(marshal.dumps(plain))
            os.replace(tmp, path)
        except (OSError, ValueError):  # a full disk costs the cache, never the reindex
            try:
                tmp.unlink()
            except OSError:
                pass

    def prune(self, keep: int) -> int:
        """Remove the least recently used entries past ``keep`` (and leftovers of killed
        writers); how many were removed."""
        entries: list[tuple[float, Path]] = []
        removed = 0
        try:
            folders = [f for f in os.scandir(self.folder) if f.is_dir(follow_symlinks=False)]
            # Names only first (no stat): most runs find nothing to remove.
            if sum(len(os.listdir(f.path)) for f in folders) <= keep:
                return 0
        except OSError:
            return 0
        for folder in folders:
            if not folder.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(folder.path):
                if entry.name.endswith(".tmp"):
                    removed += _unlink(entry.path)
                    continue
                try:
                    entries.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
                except OSError:
                    pass
        if len(entries) > keep:
            entries.sort()
            for _, path in entries[: len(entries) - keep]:
                removed += _unlink(path)
        return removed


def _unlink(path) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0
