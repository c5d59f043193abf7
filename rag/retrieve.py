"""Passages for a query: dense (Chroma through LlamaIndex), keyword (BM25) or both fused by reciprocal rank.

Whatever decides the order, every passage's `score` is its dense similarity to the query, so the refusal
decision (`Settings.min_relevance`) means the same in every mode.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from llama_index.core import VectorStoreIndex
from llama_index.core.schema import BaseNode, QueryBundle
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.embed import Embedder
from rag.fusion import reciprocal_rank_fusion
from rag.keyword import KeywordIndex
from rag.types import Source

RetrievalMode = Literal["dense", "keyword", "hybrid"]

FUSION_CANDIDATES = 10  # passages each side contributes to the fusion (at least top_k)


def cosine_from_chroma(score: float | None) -> float:
    """LlamaIndex's Chroma store reports exp(-distance); with cosine distance that is exp(cos - 1)."""
    if not score or score <= 0:
        return 0.0
    return max(0.0, min(1.0, 1.0 + math.log(score)))


def to_source(n: int, node: BaseNode, score: float) -> Source:
    md = node.metadata
    page = md.get("page")
    return Source(
        n=n,
        file=str(md.get("file", "")),
        page=int(page) if page is not None else None,
        text=node.get_content(),
        score=round(score, 4),
        title=md.get("title") or None,
        heading=md.get("heading") or None,
    )


class Retriever:
    """Top-k passages in the configured mode; numbering of the returned sources starts at 1."""

    def __init__(self, *, collection: Any, embedder: Embedder, mode: RetrievalMode = "dense") -> None:
        self._collection = collection
        self._embedder = embedder
        self._mode = mode
        store = ChromaVectorStore(chroma_collection=collection)
        self._index = VectorStoreIndex.from_vector_store(store, embed_model=embedder.model)
        self._keyword = KeywordIndex(collection=collection) if mode != "dense" else None

    def retrieve(self, query: str, top_k: int) -> list[Source]:
        vector = self._embedder.embed_query(query)
        depth = top_k if self._mode == "dense" else max(top_k, FUSION_CANDIDATES)
        dense = self._dense(query, vector, depth) if self._mode != "keyword" else {}
        keyword = [cid for cid, _ in self._keyword.search(query, depth)] if self._keyword else []
        if self._mode == "dense":
            order = list(dense)
        elif self._mode == "keyword":
            order = keyword
        else:
            order = reciprocal_rank_fusion([list(dense), keyword])
        order = order[:top_k]
        passages = dense | self._scored_by_id([c for c in order if c not in dense], vector)
        return [to_source(i, *passages[cid]) for i, cid in enumerate(order, start=1) if cid in passages]

    def _dense(self, query: str, vector: list[float], k: int) -> dict[str, tuple[BaseNode, float]]:
        hits = self._index.as_retriever(similarity_top_k=k).retrieve(QueryBundle(query, embedding=vector))
        hits.sort(key=lambda h: -(h.score or 0.0))
        return {h.node.node_id: (h.node, cosine_from_chroma(h.score)) for h in hits}

    def _scored_by_id(self, ids: list[str], vector: list[float]) -> dict[str, tuple[BaseNode, float]]:
        """Passages found by keyword alone, with their dense similarity computed from the stored vectors."""
        if not ids:
            return {}
        got = self._collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        q = np.asarray(vector, dtype=np.float32)
        out = {}
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        for cid, text, md, emb in rows:
            v = np.asarray(emb, dtype=np.float32)
            cos = float(q @ v / (np.linalg.norm(q) * np.linalg.norm(v) or 1.0))
            out[cid] = (metadata_dict_to_node(md, text=text), max(0.0, min(1.0, cos)))
        return out
