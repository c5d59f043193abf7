"""Passages for a query: dense retrieval over the Chroma collection through LlamaIndex's retriever."""

from __future__ import annotations

import math
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.core.schema import NodeWithScore
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.embed import Embedder
from rag.types import Source


def cosine_from_chroma(score: float | None) -> float:
    """LlamaIndex's Chroma store reports exp(-distance); with cosine distance that is exp(cos - 1)."""
    if not score or score <= 0:
        return 0.0
    return max(0.0, min(1.0, 1.0 + math.log(score)))


def to_source(n: int, hit: NodeWithScore) -> Source:
    md = hit.node.metadata
    page = md.get("page")
    return Source(
        n=n,
        file=str(md.get("file", "")),
        page=int(page) if page is not None else None,
        text=hit.node.get_content(),
        score=round(cosine_from_chroma(hit.score), 4),
        title=md.get("title") or None,
        heading=md.get("heading") or None,
    )


class Retriever:
    """Dense top-k retrieval; numbering of the returned sources starts at 1."""

    def __init__(self, *, collection: Any, embedder: Embedder) -> None:
        store = ChromaVectorStore(chroma_collection=collection)
        self._index = VectorStoreIndex.from_vector_store(store, embed_model=embedder.model)

    def retrieve(self, query: str, top_k: int) -> list[Source]:
        hits = self._index.as_retriever(similarity_top_k=top_k).retrieve(query)
        hits.sort(key=lambda h: -(h.score or 0.0))
        return [to_source(i, h) for i, h in enumerate(hits, start=1)]
