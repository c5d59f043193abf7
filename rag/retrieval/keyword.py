"""Keyword search: BM25 (LlamaIndex's BM25Retriever) over the passages the Chroma collection itself holds.

The BM25 index is built in memory from the passages the collection holds: by `build()`, which the engine
calls in the background after its own index runs, or else at the first search. It is never checked again:
whoever changes the collection makes it stale, so the engine drops its retriever (and with it this index)
after its own indexing, and whenever the collection's revision shows that another process changed it (see
`rag.store.chroma.Collection.mark_changed`). Keyword results can never point at a chunk no longer there.

The index also keeps every unit's text and metadata, so the retriever reads a hit's neighbours from memory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.schema import BaseNode, TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from rag.ingest.chunk import embed_text
from rag.retrieval.window import Unit
from rag.store.chroma import Collection
from rag.store.records import chunk_text

MAX_HITS = 50  # the most any caller asks for (Settings.top_k and Settings.fusion_candidates are at most 50)
_RECORD_KEYS = ("_node_content", "_node_type", "document_id", "doc_id", "ref_doc_id")  # LlamaIndex's own


def stored_unit(cid: str, document: str | None, metadata: Mapping[str, Any] | None) -> Unit:
    """A unit as Chroma returns it (text inside LlamaIndex's node record, or as the document)."""
    md = {k: v for k, v in (metadata or {}).items() if k not in _RECORD_KEYS}
    text = chunk_text(document, metadata)
    return Unit(id=cid, text=text, metadata=md, tokens=unit_tokens(md, text))


def unit_tokens(metadata: Mapping[str, Any] | None, text: str) -> int:
    """A unit's length in embedder tokens as the indexer recorded it; estimated (4 characters a token) for
    units indexed before it was recorded."""
    n = (metadata or {}).get("n_tokens")
    return int(n) if n is not None else max(1, len(text) // 4)


def _read_units(collection: Collection) -> list[Unit]:
    units: list[Unit] = []
    for got in collection.pages(include=["documents", "metadatas"]):
        for cid, text, md in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            units.append(stored_unit(cid, text, md))
    return units


def _searchable(unit: Unit) -> BaseNode:
    """A unit as BM25 should see it: title and heading above the text."""
    return TextNode(id_=unit.id, text=embed_text(TextNode(text=unit.text, metadata=dict(unit.metadata))))


class KeywordIndex:
    """BM25 over one collection as it was when built. Safe to share between threads."""

    def __init__(self, *, collection: Collection) -> None:
        self._collection = collection
        self._lock = threading.Lock()
        self._built = False
        self._bm25: BM25Retriever | None = None
        self._units: dict[str, Unit] = {}

    def build(self) -> None:
        """Read every passage and build the BM25 index, unless done already (a search waits for it)."""
        self._current()

    @property
    def built(self) -> bool:
        return self._built

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to `k` chunk ids that share words with `query`, best BM25 score first."""
        bm25 = self._current()
        if bm25 is None:
            return []
        hits = bm25.retrieve(query)
        return [(h.node.node_id, float(h.score or 0.0)) for h in hits if (h.score or 0.0) > 0][:k]

    def units(self, ids: Sequence[str]) -> dict[str, Unit]:
        """The stored units among `ids`, read from memory (building the index first if needed)."""
        self._current()
        return {cid: self._units[cid] for cid in ids if cid in self._units}

    def _current(self) -> BM25Retriever | None:
        with self._lock:
            if not self._built:
                logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself at import
                units = _read_units(self._collection)
                nodes = [_searchable(u) for u in units]
                self._bm25 = (
                    BM25Retriever(nodes=nodes, similarity_top_k=min(MAX_HITS, len(nodes))) if nodes else None
                )
                self._units = {u.id: u for u in units}
                self._built = True
            return self._bm25
