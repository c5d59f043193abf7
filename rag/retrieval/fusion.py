"""Fusing ranked lists of ids: reciprocal rank fusion (Cormack et al., SIGIR 2009), optionally weighted.

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

from collections.abc import Sequence

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
