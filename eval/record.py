"""One question of an eval run: answered (or retrieved), scored, and kept as the record the report is built
from.
"""

from __future__ import annotations

from typing import Any

from eval.dataset import Example
from eval.engine import retrieve
from eval.scoring import CONTEXT_DEPTHS, context_hit, retrieved_files, score_answer, score_retrieval
from rag import EndpointUnavailable, RagError


def answer_and_score(
    example: Example, engine: Any, asker: Any, judge: Any | None, top_k: int, retrieval_only: bool
) -> dict[str, Any]:
    """Answer (or, retrieval-only, retrieve) one example and score it.

    Args:
        example: The question with its references.
        engine: The engine retrieval-only runs retrieve with.
        asker: Answers through the answer cache (`eval.engine.CachedAsker`).
        judge: The LLM judge, or None for the model-free scores only.
        top_k: Passages per question.
        retrieval_only: Score retrieval alone, no answer generated.

    Returns:
        The question's record (`make_record`); a question that failed has its error and no metrics.

    Raises:
        EndpointUnavailable: The endpoint is down, so no later question would be answered either.
    """
    cached, error = False, None
    try:
        if retrieval_only:
            answer = retrieve(engine, example)
        else:
            answer, cached = asker.ask(example)
    except RagError as err:
        if isinstance(err, EndpointUnavailable):
            raise  # nothing after this would be answered either
        # one bad question (a timeout, a question too long) does not end the run; it is reported
        answer, error = {"text": "", "sources": [], "refused": False}, f"{type(err).__name__}: {err}"
    if error:
        scored: dict[str, Any] = {"metrics": {}, "claims": [], "judge_failures": 0}
    elif retrieval_only:
        metrics = {**score_retrieval(example, answer, top_k), "answered_rate": 1.0}
        metrics.update(context_at_depths(example, engine, answer, top_k))
        scored = {"metrics": metrics, "claims": [], "judge_failures": 0}
    else:
        scored = score_answer(example, answer, k=top_k, judge=judge)
    return make_record(example, answer, scored, cached=cached, error=error)


def context_at_depths(
    example: Example, engine: Any, answer: dict[str, Any], top_k: int
) -> dict[str, float | None]:
    """`answer_in_context_at_<n>` for each of `CONTEXT_DEPTHS`, each from a retrieval of its own with
    top_k = n, as a model given n passages would read them (passages merged around neighbouring hits differ
    with the depth, so a prefix of the deepest retrieval would not be the same)."""
    if not example.answerable:
        return dict.fromkeys((f"answer_in_context_at_{n}" for n in CONTEXT_DEPTHS), None)
    out = {}
    for n in CONTEXT_DEPTHS:
        got = answer if n == top_k else retrieve(engine, example, top_k=n)
        out[f"answer_in_context_at_{n}"] = context_hit(example, got, n)
    return out


def make_record(
    example: Example, answer: dict[str, Any], scored: dict[str, Any], *, cached: bool, error: str | None
) -> dict[str, Any]:
    """What the report keeps of one question: the example, the answer, its passages and its scores."""
    return {
        "id": example.id,
        "question": example.question,
        "answerable": example.answerable,
        "tags": list(example.tags),
        "reference_answer": example.reference_answer,
        "reference_sources": list(example.reference_sources),
        "search_query": answer.get("search_query") or example.question,
        "answer": answer.get("text", ""),
        "refused": bool(answer.get("refused")),
        "model": answer.get("model", ""),
        "retrieved": retrieved_files(answer),
        "passages": [
            {k: s.get(k) for k in ("n", "file", "page", "text", "score", "cited")}
            for s in answer.get("sources", [])
        ],
        "timings": answer.get("timings", {}),
        "cached": cached,
        "error": error,
        **scored,
    }
