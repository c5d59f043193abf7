"""Reciprocal rank fusion: one ordering from several ranked lists of ids (Cormack et al., SIGIR 2009).

Our own rather than LlamaIndex's QueryFusionRetriever: that one needs an LLM even when it generates no extra
queries (without one it resolves LlamaIndex's global default, an OpenAI model), matches passages by content
hash rather than id, and overwrites each passage's score with the fused one, which the refusal decision
cannot use.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60  # the paper's constant: damps the weight of the very first ranks


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[str]:
    """Ids ordered by the sum of 1 / (k + rank) over the rankings they appear in (rank from 1).

    Ties keep the order of first appearance, so the first ranking wins them.
    """
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused, key=lambda item: -fused[item])
