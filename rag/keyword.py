"""Keyword search: BM25 (LlamaIndex's BM25Retriever) over the passages the Chroma collection itself holds.

The BM25 index is built in memory from the passages the collection holds, at the first search. It is never
checked again: whoever changes the collection makes it stale, so the engine drops its retriever (and with it
this index) after its own indexing, and whenever the collection's revision shows that another process
changed it (see `rag.store.mark_changed`). Keyword results can never point at a chunk no longer there.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from llama_index.core.schema import BaseNode, TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from rag.ingest.chunk import embed_text
from rag.store import chunk_text

MAX_HITS = 50  # the most any caller asks for (Settings.top_k is at most 50)
_PAGE = 5000  # chunks read from Chroma per request


def _read_nodes(collection: Any) -> list[BaseNode]:
    """Every passage in the collection, as BM25 should see it: title and heading above the text."""
    nodes: list[BaseNode] = []
    offset = 0
    while True:
        got = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
        for cid, text, md in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
            passage = TextNode(id_=cid, text=chunk_text(text, md), metadata=dict(md or {}))
            nodes.append(TextNode(id_=cid, text=embed_text(passage)))
        if len(got["ids"]) < _PAGE:
            break
        offset += _PAGE
    return nodes


class KeywordIndex:
    """BM25 over one collection as it was at the first search. Safe to share between threads."""

    def __init__(self, *, collection: Any) -> None:
        self._collection = collection
        self._lock = threading.Lock()
        self._built = False
        self._bm25: BM25Retriever | None = None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to `k` chunk ids that share words with `query`, best BM25 score first."""
        bm25 = self._current()
        if bm25 is None:
            return []
        hits = bm25.retrieve(query)
        return [(h.node.node_id, float(h.score or 0.0)) for h in hits if (h.score or 0.0) > 0][:k]

    def _current(self) -> BM25Retriever | None:
        with self._lock:
            if not self._built:
                logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself at import
                nodes = _read_nodes(self._collection)
                self._bm25 = (
                    BM25Retriever(nodes=nodes, similarity_top_k=min(MAX_HITS, len(nodes))) if nodes else None
                )
                self._built = True
            return self._bm25
