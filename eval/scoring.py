"""Scores of one question: the answer dict (`Answer.to_full_dict()`) against its dataset example.

Metrics that do not apply are None (faithfulness of a refusal, correctness of an unanswerable question,
retrieval recall without reference sources) and are left out of the averages, never counted as 0 or 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.dataset import Example
from eval.faithfulness import DEFAULT, claim_score, claim_supported, claims_features
from eval.judge import JudgeFailure, LlmJudge
from eval.metrics import (
    answer_in_context,
    citation_precision,
    citation_recall,
    groundedness_lexical,
    mrr,
    refusal_correct,
    retrieval_recall_at_k,
    token_f1,
    token_recall,
)
from eval.support import content_word_score, lexical_check
from eval.text import cited_sentences, split_claims, strip_markers

ANSWER_METRICS = (
    "faithfulness",
    "faithfulness_baseline",
    "citation_recall",
    "citation_precision",
    "groundedness_lexical",
)
JUDGE_METRICS = (
    "faithfulness_judge",
    "citation_recall_judge",
    "citation_precision_judge",
    "correctness_judge",
)
METRICS = (
    *ANSWER_METRICS,
    "correctness_f1",
    "correctness_recall",
    "retrieval_recall_at_k",
    "mrr",
    "answer_in_context_at_1",
    "answer_in_context_at_k",
    "answer_in_context_at_5",
    "answer_in_context_at_10",
    "refusal_accuracy",
    "answered_when_answerable",
    "refused_when_unanswerable",
    "answered_when_retrieved",
    "answered_rate",
    *JUDGE_METRICS,
)
"""Every metric name a report can hold, each in [0, 1]; `--fail-under` accepts these."""

METRIC_NOTES = {
    "faithfulness": "calibrated score (eval/faithfulness.py) of the claims against the passages they cite",
    "faithfulness_baseline": "the independent reading: answer's content words found in its cited passages",
    "citation_recall": "ALCE: sentences supported by their cited passages together",
    "citation_precision": "ALCE: citations that are not irrelevant",
    "groundedness_lexical": "share of each sentence's content words found in its cited passages",
    "correctness_f1": "SQuAD token F1 against the reference answer(s)",
    "correctness_recall": "share of the reference answer's tokens found in the answer",
    "retrieval_recall_at_k": "reference files among the retrieved passages' files",
    "mrr": "1 / rank of the first reference file",
    "refusal_accuracy": "refused exactly the unanswerable questions",
    "answered_rate": "questions that got an answer (no error)",
    "faithfulness_judge": "claims the LLM judge calls supported",
    "citation_recall_judge": "ALCE citation recall, LLM judge as entailment",
    "citation_precision_judge": "ALCE citation precision, LLM judge as entailment",
    "correctness_judge": "answers the LLM judge calls correct",
}
"""What the metrics mean, one line each, as the Markdown and HTML reports print them."""

CONTEXT_DEPTHS = (1, 5, 10)
"""Besides `top_k`, the depths at which retrieval-only runs measure `answer_in_context_at_<n>`."""


def retrieved_files(answer: dict[str, Any]) -> list[str]:
    """The answer's source files in rank (passage number) order."""
    return [s["file"] for s in sorted(answer.get("sources", []), key=lambda s: s["n"])]


def score_retrieval(example: Example, answer: dict[str, Any], k: int | None) -> dict[str, float | None]:
    """File-level recall@k and MRR of the answer's sources against the example's reference sources, and
    whether one of its first `k` passages holds the reference answer (`answer_in_context_at_k`)."""
    files = retrieved_files(answer)
    return {
        "retrieval_recall_at_k": retrieval_recall_at_k(files, example.reference_sources, k),
        "mrr": mrr(files, example.reference_sources),
        "answer_in_context_at_k": context_hit(example, answer, k),
    }


def context_hit(example: Example, answer: dict[str, Any], k: int | None) -> float | None:
    """`answer_in_context` over the answer's first `k` passages (all with k=None); None for a question that
    has no reference answer to look for (unanswerable)."""
    if not example.answerable:
        return None
    sources = sorted(answer.get("sources", []), key=lambda s: s["n"])
    return answer_in_context([s["text"] for s in sources[:k]], example.references)


def score_answer(
    example: Example, answer: dict[str, Any], *, k: int | None = None, judge: LlmJudge | None = None
) -> dict[str, Any]:
    """Every metric of one answered question, and the claim-by-claim detail behind faithfulness.

    Args:
        example: The dataset line.
        answer: `Answer.to_full_dict()` (or the same shape from the cache).
        k: The retrieval cut-off (the run's `top_k`); None: all sources.
        judge: When given, the `*_judge` metrics are computed too (its failures are counted, not scored).

    Returns:
        {"metrics": {name: value | None}, "claims": [...], "judge_failures": int}.
    """
    passages = {int(s["n"]): s["text"] for s in answer.get("sources", [])}
    refused = bool(answer.get("refused"))
    names = METRICS if judge else METRICS[: -len(JUDGE_METRICS)]
    deeper = {f"answer_in_context_at_{n}" for n in CONTEXT_DEPTHS}  # retrieval-only runs measure those
    metrics: dict[str, float | None] = dict.fromkeys(n for n in names if n not in deeper)
    metrics.update(score_retrieval(example, answer, k))
    metrics["refusal_accuracy"] = refusal_correct(refused, example.answerable)
    if example.answerable:
        metrics["answered_when_answerable"] = float(not refused)
        if metrics.get("answer_in_context_at_k"):
            metrics["answered_when_retrieved"] = float(not refused)
    else:
        metrics["refused_when_unanswerable"] = float(refused)
    metrics["answered_rate"] = 1.0
    text = strip_markers(answer.get("text", ""))
    if example.answerable:
        metrics["correctness_f1"] = 0.0 if refused else token_f1(text, example.references)
        metrics["correctness_recall"] = 0.0 if refused else token_recall(text, example.references)
    claims: list[dict[str, Any]] = []
    failures = 0
    if not refused:
        sentences = cited_sentences(answer.get("text", ""))
        items = [
            (claim, [passages[n] for n in sentence.citations if n in passages], sentence)
            for sentence in sentences
            for claim in split_claims(sentence.text)
        ]
        feats, checks = claims_features([(c, cited) for c, cited, _ in items], question=example.question)
        for (claim, cited, sentence), fc in zip(items, checks, strict=True):
            lexical = lexical_check(claim, cited) if cited else None
            score = claim_score(fc) if cited else 0.0
            claims.append(
                {
                    "claim": claim,
                    "citations": list(sentence.citations),
                    "score": score,
                    "supported": bool(cited) and claim_supported(fc),
                    "failed_checks": fc.failed if cited else ["cites no passage"],
                    "nearest_passage": None if fc.passage is None else sentence.citations[fc.passage],
                    "nearest_sentence": fc.nearest,
                    "baseline": content_word_score(claim, cited) if cited else 0.0,
                    "missing_words": list(lexical.missing_words) if lexical else [],
                    "missing_numbers": list(fc.missing_numbers),
                    "missing_names": list(fc.missing_names),
                    "negation_mismatch": fc.negation_mismatch,
                    "flagged_by_core": sentence.flagged_unsupported,
                }
            )
        metrics["faithfulness"] = DEFAULT.score(feats) if claims else None
        # the independent reading: the whole answer's content words found in the passages it cites
        cited_all = sorted({n for s in sentences for n in s.citations if n in passages})
        metrics["faithfulness_baseline"] = (
            content_word_score(text, [passages[n] for n in cited_all]) if claims else None
        )
        metrics["citation_recall"] = citation_recall(sentences, passages) if sentences else None
        metrics["citation_precision"] = citation_precision(sentences, passages)
        metrics["groundedness_lexical"] = groundedness_lexical(sentences, passages) if sentences else None
        if judge is not None:
            failures += _judge_answer(judge, sentences, passages, claims, metrics)
    if judge is not None and example.answerable:
        try:
            metrics["correctness_judge"] = (
                0.0 if refused else float(judge.correct(example.question, text, example.references))
            )
        except JudgeFailure:
            failures += 1
    return {"metrics": metrics, "claims": claims, "judge_failures": failures}


def _judge_answer(
    judge: LlmJudge,
    sentences: Sequence[Any],
    passages: dict[int, str],
    claims: list[dict[str, Any]],
    metrics: dict[str, float | None],
) -> int:
    failures = 0
    verdicts = []
    for claim in claims:
        cited = [passages[n] for n in claim["citations"] if n in passages]
        try:
            claim["judge"] = bool(cited) and judge.supports(claim["claim"], cited)
            verdicts.append(claim["judge"])
        except JudgeFailure as err:
            claim["judge"] = None
            claim["judge_error"] = str(err)
            failures += 1
    metrics["faithfulness_judge"] = sum(verdicts) / len(verdicts) if verdicts else None
    if sentences:
        for name, fn in (
            ("citation_recall_judge", citation_recall),
            ("citation_precision_judge", citation_precision),
        ):
            try:
                metrics[name] = fn(sentences, passages, judge.supports)
            except JudgeFailure:
                failures += 1
    return failures
