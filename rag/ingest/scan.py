"""What an index run works from and reports: the files on disk, the files as the index holds them, the report.

Kept apart from the indexer so that what only reads the layout version or a report (`Rag.status`, the CLI)
need not load the chunker and LlamaIndex.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.ingest.readers import SUPPORTED_SUFFIXES

INGEST_VERSION = 4  # bump when readers or chunking change what a file turns into
# 3: units within paragraphs, with their paragraph and token count (read back by rag.retrieval.window)
# 4: the embedder reads a unit with its heading but without the document's title (rag.ingest.chunk.embed_text)

Progress = Callable[[int, int, str], None]
"""progress(done_files, total_files, current_file)"""


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        line = (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)} ({self.chunks_written} chunks embedded "
            f"in {self.seconds:.1f} s)"
        )
        return "\n".join([line] + [f"  skipped {f}: {why}" for f, why in self.skipped])

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class IndexedFile:
    """One file as the index holds it."""

    ids_by_hash: dict[str, list[str]] = field(default_factory=dict)
    n_chunks: dict[str, int] = field(default_factory=dict)
    abs_path: str = ""

    def complete_hash(self) -> str | None:
        if len(self.ids_by_hash) != 1:
            return None
        ((h, ids),) = self.ids_by_hash.items()
        return h if len(ids) == self.n_chunks.get(h, -1) else None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def scan_folder(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Supported files below `root` (hidden entries and directory symlinks not followed), and the others."""
    found: list[Path] = []
    other: list[tuple[Path, str]] = []

    def unreadable_folder(err: OSError) -> None:  # os.walk would pass over it without a word
        other.append((Path(err.filename or root), f"cannot read folder ({err.strerror})"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable_folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = Path(dirpath) / name
            if p.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(p)
            else:
                other.append((p, f"unsupported type {p.suffix or '(none)'}"))
    return found, other
