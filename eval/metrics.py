"""Metrics as pure functions: each takes plain values and returns a number in [0, 1] (or None when it does not
apply), so a test can pin every one of them on a hand-made case.

Citation recall and precision follow ALCE (Gao et al., "Enabling Large Language Models to Generate Text with
Citations", EMNLP 2023, `eval.py`): a sentence is recalled when the concatenation of its cited passages
supports it; a citation is irrelevant when it alone does not support its sentence and the other citations
without it still do. The entailment decision is a parameter (`support`), model-free by default
(`eval.support.lexical_supports`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from eval.support import Support, lexical_supports, stem_coverage
from eval.text import CitedSentence, normalize_answer


def token_f1(prediction: str, references: Sequence[str]) -> float:
    """SQuAD token F1 of `prediction` against the best of `references` (normalised, bag of tokens).

    Args:
        prediction: The answer text, markers already removed.
        references: One or more gold answers.

    Returns:
        The highest F1 over the references, in [0, 1]; 1.0 when both sides normalise to nothing.
    """
    return max(
        (_f1(normalize_answer(prediction).split(), normalize_answer(r).split()) for r in references),
        default=0.0,
    )


def token_recall(prediction: str, references: Sequence[str]) -> float:
    """Share of the best reference's normalised tokens that occur in `prediction` (verbose answers pass)."""
    pred = Counter(normalize_answer(prediction).split())
    best = 0.0
    for ref in references:
        gold = Counter(normalize_answer(ref).split())
        if not gold:
            continue
        best = max(best, sum((pred & gold).values()) / sum(gold.values()))
    return best


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def claim_support_rate(
    claims: Sequence[tuple[str, Sequence[str]]], support: Support = lexical_supports
) -> float:
    """Faithfulness: the share of (claim, cited passages) pairs that `support` accepts.

    Args:
        claims: Each claim with the passages its sentence cites (an empty list: it cites nothing).
        support: The entailment decision.

    Returns:
        Supported ÷ total, in [0, 1]; 1.0 for an answer without claims.
    """
    if not claims:
        return 1.0
    return sum(bool(passages) and support(claim, passages) for claim, passages in claims) / len(claims)


def _passages_of(sentence: CitedSentence, passages: Mapping[int, str]) -> list[str] | None:
    if not sentence.citations or any(n not in passages for n in sentence.citations):
        return None  # ALCE: no citation, or one to a passage that does not exist, supports nothing
    return [passages[n] for n in sentence.citations]


def citation_recall(
    sentences: Sequence[CitedSentence], passages: Mapping[int, str], support: Support = lexical_supports
) -> float:
    """ALCE citation recall: share of sentences whose cited passages, together, support them.

    Args:
        sentences: The answer's sentences with their citations.
        passages: Passage text by citation number.
        support: The entailment decision.

    Returns:
        A value in [0, 1]; 1.0 for an answer without sentences.
    """
    if not sentences:
        return 1.0
    recalled = 0
    for sentence in sentences:
        cited = _passages_of(sentence, passages)
        recalled += cited is not None and support(sentence.text, cited)
    return recalled / len(sentences)


def citation_precision(
    sentences: Sequence[CitedSentence], passages: Mapping[int, str], support: Support = lexical_supports
) -> float | None:
    """ALCE citation precision: share of citations that are not irrelevant.

    A citation counts as precise when its sentence is supported by all its citations together and either it
    alone supports the sentence or the remaining citations without it do not. Citations of an unsupported
    sentence are imprecise, as in ALCE.

    Args:
        sentences: The answer's sentences with their citations.
        passages: Passage text by citation number.
        support: The entailment decision.

    Returns:
        A value in [0, 1], or None when the answer cites nothing.
    """
    total = sum(len(s.citations) for s in sentences)
    if total == 0:
        return None
    precise = 0
    for sentence in sentences:
        cited = _passages_of(sentence, passages)
        if cited is None or not support(sentence.text, cited):
            continue
        if len(cited) == 1:
            precise += 1
            continue
        for i, passage in enumerate(cited):
            alone = support(sentence.text, [passage])
            rest = cited[:i] + cited[i + 1 :]
            precise += alone or not support(sentence.text, rest)
    return precise / total


def groundedness_lexical(sentences: Sequence[CitedSentence], passages: Mapping[int, str]) -> float:
    """Mean over sentences of the share of the sentence's content words found in its cited passages.

    Args:
        sentences: The answer's sentences with their citations.
        passages: Passage text by citation number.

    Returns:
        A value in [0, 1]; a sentence citing nothing scores 0; 1.0 for an answer without sentences.
    """
    if not sentences:
        return 1.0
    scores = []
    for sentence in sentences:
        cited = _passages_of(sentence, passages)
        scores.append(stem_coverage(sentence.text, cited) if cited else 0.0)
    return sum(scores) / len(scores)


def _norm_path(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./").strip("/")


def retrieval_recall_at_k(
    retrieved: Sequence[str], relevant: Iterable[str], k: int | None = None
) -> float | None:
    """Share of the relevant files found among the first `k` retrieved files (file level).

    Args:
        retrieved: Retrieved file paths in rank order (repeats allowed: several chunks of a file).
        relevant: The reference file paths.
        k: Cut-off; None means all of `retrieved`.

    Returns:
        A value in [0, 1], or None when there is no relevant file (nothing to recall).
    """
    gold = {_norm_path(p) for p in relevant}
    if not gold:
        return None
    top = {_norm_path(p) for p in (retrieved if k is None else retrieved[:k])}
    return len(gold & top) / len(gold)


def mrr(retrieved: Sequence[str], relevant: Iterable[str]) -> float | None:
    """Reciprocal rank of the first relevant file among the distinct retrieved files (0 when none is found).

    Returns:
        A value in [0, 1], or None when there is no relevant file.
    """
    gold = {_norm_path(p) for p in relevant}
    if not gold:
        return None
    ranked = list(dict.fromkeys(_norm_path(p) for p in retrieved))
    for rank, path in enumerate(ranked, start=1):
        if path in gold:
            return 1 / rank
    return 0.0


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def answer_in_context(passages: Sequence[str], references: Iterable[str]) -> float | None:
    """1.0 when one passage holds a whole reference answer (whitespace-normalised, case-insensitive).

    The reader can only answer from what it is given: this is the share of questions where the answer text
    itself reached it, inside a single passage.

    Args:
        passages: The passage texts given to the model (already cut to k).
        references: The gold answers; any one of them counts.

    Returns:
        1.0 or 0.0, or None when there is no non-empty reference (nothing to find).
    """
    refs = [r for r in (_squash(x) for x in references) if r]
    if not refs:
        return None
    texts = [_squash(p) for p in passages]
    return float(any(r in t for r in refs for t in texts))


def refusal_correct(refused: bool, answerable: bool) -> float:
    """1.0 when the answer refused exactly when the question was unanswerable."""
    return float(refused != answerable)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The `q`-th percentile (0-100) with linear interpolation between ranks; None for no values."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None
