"""Fusing the dense and keyword searches: by their scores (the default) or by reciprocal rank.

Score fusion (a convex combination, Bruch, Gai & Ingber, "An Analysis of Fusion Functions for Hybrid
Retrieval", TOIS 2023) adds each unit's cosine similarity to its BM25 score divided by the query's best BM25
score, weighted. It needs both scores of every candidate, which the retriever has: the keyword index scores
every unit, and a unit found by keyword alone gets its cosine from its stored vector. Ranks throw away how far
apart the candidates are: with reciprocal rank fusion weighted towards keywords, the unit the embedder ranks
first but BM25 does not return at all came after every one of BM25's 20 candidates, however weak; on long
articles that unit often holds the answer.

Reciprocal rank fusion (Cormack et al., SIGIR 2009), optionally weighted, remains for lists that come without
comparable scores (`RAG_FUSION=rank`).

Our own rather than LlamaIndex's QueryFusionRetriever: that one needs an LLM even when it generates no extra
queries (without one it resolves LlamaIndex's global default, an OpenAI model), matches passages by content
hash rather than id, and overwrites each passage's score with the fused one, which the refusal decision
cannot use.

Weighting follows the evidence that one side is the better judge on some documents: on long articles keyword
search finds the passage holding the answer more often than the embedder (RAGFlow weights keywords 0.7 for
the same reason). Ranks rather than raw scores are fused, so BM25's unbounded scores and cosine similarities
need no common scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60  # the paper's constant: damps the weight of the very first ranks


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[str]:
    """Ids ordered by the sum of weight / (k + rank) over the rankings they appear in (rank from 1).

    Args:
        rankings: Ranked lists of ids, best first.
        k: The damping constant.
        weights: One weight per ranking (equal weights when None); only their ratios matter.

    Returns:
        Every id that appears in a ranking, best fused score first. Ties keep the order of first appearance,
        so the first ranking wins them.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return sorted(fused, key=lambda item: -fused[item])


def score_fusion(
    dense: Mapping[str, float], keyword: Mapping[str, float], *, keyword_weight: float, best_keyword: float
) -> list[str]:
    """Ids ordered by (1 - w) * cosine + w * BM25 / best BM25, each id scored on both sides.

    Args:
        dense: Every candidate's cosine similarity to the query.
        keyword: The BM25 scores of the candidates (a candidate left out scores 0).
        keyword_weight: w, the keyword side's share.
        best_keyword: The query's highest BM25 score over the whole index, so that the keyword side lies in
            [0, 1] like the cosine; 0 leaves that side out.

    Returns:
        The ids of `dense`, best fused score first; ties keep the order of `dense`.
    """
    scale = keyword_weight / best_keyword if best_keyword > 0 else 0.0
    fused = {cid: (1.0 - keyword_weight) * cos + scale * keyword.get(cid, 0.0) for cid, cos in dense.items()}
    return sorted(fused, key=lambda cid: -fused[cid])
