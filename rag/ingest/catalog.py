"""What a collection holds, file by file (`rag docs`, the page's Documents tab)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from rag.store.chroma import Collection
from rag.store.collections import INDEXED_AT_KEY

READERS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
"""The reader (rag/ingest/readers.py) each suffix is read with."""


@dataclass(frozen=True)
class IndexedDocument:
    """One indexed file.

    Attributes:
        file: The file as the index and citations name it (relative to the corpus or the data dir).
        chunks: Its passages in the index.
        size: Its size in bytes on disk now, None when it is no longer there.
        indexed_at: When its chunks were written (ISO 8601, UTC); None for an index written before this was
            recorded.
        reader: The reader it was read with (markdown, text, pdf, html, docx).
        title: Its title, when one was found.
    """

    file: str
    chunks: int
    size: int | None
    indexed_at: str | None
    reader: str
    title: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_documents(collection: Collection | None) -> list[IndexedDocument]:
    """Every file in the collection, sorted by name.

    Args:
        collection: The collection; None for one that does not exist yet (it holds no files).

    Returns:
        One entry per file.
    """
    if collection is None:
        return []
    files: dict[str, dict[str, Any]] = {}
    for got in collection.pages(include=["metadatas"]):
        for md in got["metadatas"]:
            if not md or "file" not in md:
                continue
            entry = files.setdefault(str(md["file"]), {"chunks": 0, "md": md, "at": None})
            entry["chunks"] += 1
            stamp = md.get(INDEXED_AT_KEY)
            if stamp is not None and (entry["at"] is None or float(stamp) > entry["at"]):
                entry["at"] = float(stamp)
    return [_document(name, entry) for name, entry in sorted(files.items())]


def _document(name: str, entry: dict[str, Any]) -> IndexedDocument:
    md = entry["md"]
    try:
        size: int | None = os.stat(str(md.get("abs_path", ""))).st_size
    except OSError:
        size = None
    when = datetime.fromtimestamp(entry["at"], UTC).isoformat(timespec="seconds") if entry["at"] else None
    suffix = PurePosixPath(name).suffix.lower()
    return IndexedDocument(
        file=name,
        chunks=int(entry["chunks"]),
        size=size,
        indexed_at=when,
        reader=READERS.get(suffix, suffix.lstrip(".") or "?"),
        title=str(md["title"]) if md.get("title") else None,
    )
