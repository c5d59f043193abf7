"""Keyword search: BM25 (bm25s, the library under LlamaIndex's BM25Retriever, with the same tokenisation:
English stop words out, Snowball stems) over the units the Chroma collection itself holds.

The BM25 index is built in memory from the passages the collection holds: by `build()`, which the engine
calls in the background after its own index runs, or else at the first search. It is never checked again:
whoever changes the collection makes it stale, so the engine drops its retriever (and with it this index)
after its own indexing, and whenever the collection's revision shows that another process changed it (see
`rag.store.chroma.Collection.mark_changed`). Keyword results can never point at a chunk no longer there.

The index also keeps every unit's text and metadata, so the retriever reads a hit's neighbours from memory.
A search scores every unit (`KeywordScores`), so the fusion can read the BM25 score of a unit the dense side
found even when it is far from the keyword side's top.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import bm25s
import numpy as np
import Stemmer
from llama_index.core.schema import TextNode

from rag.ingest.chunk import keyword_text
from rag.retrieval.window import Unit
from rag.store.chroma import Collection
from rag.store.records import chunk_text

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


def _searchable(unit: Unit) -> str:
    """A unit as BM25 should see it: title and heading above the text."""
    return keyword_text(TextNode(text=unit.text, metadata=dict(unit.metadata)))


class _Bm25:
    """The BM25 index of a list of texts, and the tokenisation it was built with."""

    def __init__(self, texts: list[str]) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self._bm25.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        words = bm25s.tokenize(
            [query], stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        ids = self._bm25.get_tokens_ids(words[0])
        if not ids:
            return np.zeros(int(self._bm25.scores["num_docs"]), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)


class KeywordScores:
    """Every unit's BM25 score for one query."""

    def __init__(self, ids: Sequence[str], rows: Mapping[str, int], scores: np.ndarray) -> None:
        self._ids = ids
        self._rows = rows
        self._scores = scores

    @property
    def best(self) -> float:
        """The highest score (0.0 when no unit shares a word with the query)."""
        return float(self._scores.max()) if len(self._scores) else 0.0

    def top(self, k: int) -> list[tuple[str, float]]:
        """Up to `k` unit ids that share words with the query, best score first (ties in index order)."""
        k = min(k, len(self._scores))
        if k <= 0:
            return []
        part = np.argpartition(-self._scores, k - 1)[:k]
        order = part[np.lexsort((part, -self._scores[part]))]
        return [(self._ids[i], float(self._scores[i])) for i in order if self._scores[i] > 0]

    def of(self, cid: str) -> float:
        """The score of one unit (0.0 for an id the index does not hold)."""
        row = self._rows.get(cid)
        return float(self._scores[row]) if row is not None else 0.0


class KeywordIndex:
    """BM25 over one collection as it was when built. Safe to share between threads."""

    def __init__(self, *, collection: Collection) -> None:
        self._collection = collection
        self._lock = threading.Lock()
        self._built = False
        self._bm25: _Bm25 | None = None
        self._units: dict[str, Unit] = {}
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}

    def build(self) -> None:
        """Read every passage and build the BM25 index, unless done already (a search waits for it)."""
        self._current()

    @property
    def built(self) -> bool:
        return self._built

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to `k` unit ids that share words with `query`, best BM25 score first."""
        return self.scores(query).top(k)

    def scores(self, query: str) -> KeywordScores:
        """Every unit's BM25 score for `query`."""
        bm25 = self._current()
        scores = bm25.scores(query) if bm25 is not None else np.zeros(0, dtype=np.float32)
        return KeywordScores(self._ids, self._rows, scores)

    def units(self, ids: Sequence[str]) -> dict[str, Unit]:
        """The stored units among `ids`, read from memory (building the index first if needed)."""
        self._current()
        return {cid: self._units[cid] for cid in ids if cid in self._units}

    def _current(self) -> _Bm25 | None:
        with self._lock:
            if not self._built:
                logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself at import
                units = _read_units(self._collection)
                self._bm25 = _Bm25([_searchable(u) for u in units]) if units else None
                self._units = {u.id: u for u in units}
                self._ids = [u.id for u in units]
                self._rows = {cid: i for i, cid in enumerate(self._ids)}
                self._built = True
            return self._bm25
