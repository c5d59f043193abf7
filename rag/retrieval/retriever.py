"""Passages for a query: dense (Chroma through LlamaIndex), keyword (BM25) or both fused (by their scores, or
by weighted reciprocal rank: `rag.retrieval.fusion`), each hit then read with the text around it
(`rag.retrieval.window`).

The index holds small units (a sentence or a few); both searches rank units, and the model is given the
passage around each of the best ones, up to `Settings.passage_tokens`.

Whatever decides the order, every passage's `score` is the dense similarity of its best hit to the query, so
the refusal decision (`Settings.min_relevance`) means the same in every mode.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from llama_index.core import VectorStoreIndex
from llama_index.core.schema import BaseNode, QueryBundle
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.retrieval.embed import Embedder
from rag.retrieval.fusion import reciprocal_rank_fusion, score_fusion
from rag.retrieval.keyword import KeywordIndex, KeywordScores, stored_unit, unit_tokens
from rag.retrieval.window import Passage, Unit, passages_for
from rag.store.chroma import Collection
from rag.types import Source

RetrievalMode = Literal["dense", "keyword", "hybrid"]
FusionMethod = Literal["scores", "rank"]

MAX_DEPTH = 80
"""The deepest either search goes for one question when passed-over hits leave places empty."""


@dataclass(frozen=True)
class RetrievalOptions:
    """How the retriever ranks and widens (the matching `Settings` fields describe each)."""

    mode: RetrievalMode = "hybrid"
    fusion: FusionMethod = "scores"
    candidates: int = 20
    keyword_weight: float = 0.5
    passage_tokens: int = 0
    per_file: int = 0
    cross_paragraphs: bool = False


def cosine_from_chroma(score: float | None) -> float:
    """LlamaIndex's Chroma store reports exp(-distance); with cosine distance that is exp(cos - 1)."""
    if not score or score <= 0:
        return 0.0
    return max(0.0, min(1.0, 1.0 + math.log(score)))


def to_source(n: int, passage: Passage) -> Source:
    md = passage.hit.metadata
    page = md.get("page")
    return Source(
        n=n,
        file=str(md.get("file", "")),
        page=int(page) if page is not None else None,
        text=passage.text,
        score=round(passage.score, 4),
        title=md.get("title") or None,
        heading=md.get("heading") or None,
    )


def _unit_of(node: BaseNode) -> Unit:
    text = node.get_content()
    return Unit(id=node.node_id, text=text, metadata=node.metadata, tokens=unit_tokens(node.metadata, text))


class Retriever:
    """Top-k passages in the configured mode; numbering of the returned sources starts at 1."""

    def __init__(self, *, collection: Collection, embedder: Embedder, options: RetrievalOptions) -> None:
        self._collection = collection
        self._embedder = embedder
        self._options = options
        store = ChromaVectorStore(chroma_collection=collection.raw)
        self._index = VectorStoreIndex.from_vector_store(store, embed_model=embedder.model)
        self.keyword = KeywordIndex(collection=collection) if options.mode != "dense" else None

    def retrieve(self, query: str, top_k: int) -> list[Source]:
        o = self._options
        vector = self._embedder.embed_query(query)
        keyword = self.keyword.scores(query) if self.keyword else None
        depth = max(top_k, o.candidates)
        found = 0
        while True:
            hits = self._ranked(query, vector, keyword, depth, top_k)
            passages = passages_for(
                hits,
                self._lookup,
                top_k=top_k,
                budget=o.passage_tokens,
                per_file=o.per_file,
                cross_paragraphs=o.cross_paragraphs,
            )
            # Hits passed over (a file's cap, text already shown) can leave places empty: search deeper
            # while that finds more units, rather than give the model fewer passages than asked for.
            if len(passages) >= top_k or len(hits) <= found or depth >= MAX_DEPTH:
                break
            found, depth = len(hits), min(2 * depth, MAX_DEPTH)
        return [to_source(i, p) for i, p in enumerate(passages, start=1)]

    def _ranked(
        self, query: str, vector: list[float], keyword: KeywordScores | None, depth: int, top_k: int
    ) -> list[tuple[Unit, float]]:
        """The units both searches find at `depth`, in the mode's order, each with its dense similarity."""
        o = self._options
        keep = top_k if o.passage_tokens <= 0 else None  # each hit its own passage: no more are needed
        dense = self._dense(query, vector, depth) if o.mode != "keyword" else {}
        top = [cid for cid, _ in keyword.top(depth)] if keyword is not None else []
        if o.mode == "hybrid" and o.fusion == "scores" and keyword is not None:
            found = dense | self._scored_by_id([cid for cid in top if cid not in dense], vector)
            order = score_fusion(
                {cid: cos for cid, (_, cos) in found.items()},
                {cid: keyword.of(cid) for cid in found},
                keyword_weight=o.keyword_weight,
                best_keyword=keyword.best,
            )[:keep]
        else:
            if o.mode == "dense":
                order = list(dense)
            elif o.mode == "keyword":
                order = top
            else:
                weights = (1.0 - o.keyword_weight, o.keyword_weight)
                order = reciprocal_rank_fusion([list(dense), top], weights=weights)
            order = order[:keep]  # before reading the vectors of hits that would not be used
            found = dense | self._scored_by_id([cid for cid in order if cid not in dense], vector)
        return [found[cid] for cid in order if cid in found]

    def _dense(self, query: str, vector: list[float], k: int) -> dict[str, tuple[Unit, float]]:
        hits = self._index.as_retriever(similarity_top_k=k).retrieve(QueryBundle(query, embedding=vector))
        hits.sort(key=lambda h: -(h.score or 0.0))
        return {h.node.node_id: (_unit_of(h.node), cosine_from_chroma(h.score)) for h in hits}

    def _lookup(self, ids: Sequence[str]) -> Mapping[str, Unit]:
        """Units by id: from the keyword index's memory when it has them, else from Chroma."""
        if self.keyword is not None:
            return self.keyword.units(ids)
        if not ids:  # a file of one unit has no neighbours
            return {}
        got = self._collection.get(ids, include=["documents", "metadatas"])
        rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        return {cid: stored_unit(cid, text, md) for cid, text, md in rows}

    def _scored_by_id(self, ids: list[str], vector: list[float]) -> dict[str, tuple[Unit, float]]:
        """Units found by keyword alone, with their dense similarity computed from the stored vectors."""
        if not ids:
            return {}
        got = self._collection.get(ids, include=["documents", "metadatas", "embeddings"])
        q = np.asarray(vector, dtype=np.float32)
        out = {}
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        for cid, text, md, emb in rows:
            v = np.asarray(emb, dtype=np.float32)
            cos = float(q @ v / (np.linalg.norm(q) * np.linalg.norm(v) or 1.0))
            out[cid] = (_unit_of(metadata_dict_to_node(md, text=text)), max(0.0, min(1.0, cos)))
        return out
