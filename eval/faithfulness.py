"""The eval's faithfulness score: a few support signals of an answer, combined by a small logistic regression.

An answer (one claim or several sentences) is split into claims as the eval splits answers
(`eval.text.split_sentences` then `split_claims`). Each claim is checked on the shared support decision
(`rag.answer.support.best_evidence`: the best window of one passage, one or two adjacent sentences) and on
the plain word counts; the answer's signals are then:

- `answer_words`: the baseline, the share of the whole answer's content words found in the passages;
- `claim_words_min`: the lowest such share over the claims;
- `window_min`, `window_mean`: the best window's `claim_coverage`, lowest and mean over the claims;
- `checks_failed`: share of claims whose best window lacks a number or a name of the claim, or differs from it
  in negation;
- `order_min`: the lowest, over claims, share of the claim's adjacent content-word pairs that stand in the
  same order (next to each other, or one word apart) in its best window: two names swapped keep every word
  but break these pairs;
- `not_about`: share of the answer's content words in claims that no passage window is about (coverage < 0.5);
- `similarity_min` (optional, needs an embedder): the lowest, over claims, best cosine similarity between
  the claim and a passage sentence.

`Calibration` holds the fitted weights (`DEFAULT`, fitted once and rounded; see eval/README.md for the
set it was fitted on and the sets it is reported on) and the threshold under which an answer is "unsupported".
Model-free by default, so scoring 100 answers takes well under the 5 s the bench allows.

One module, though past 300 lines: the signals, the weights fitted on exactly those signals and the score
they make change together (a new signal is a new weight and a refit), so splitting them would only put one
change in two places.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from eval.support import content_word_score
from eval.text import content_words, has_negation, split_claims, split_sentences, strip_markers
from rag.answer.support import Evidence, Passage, best_evidence
from rag.text import content_stems

ABOUT = 0.5
"""A claim is about a passage window when the window holds at least this share of its content words."""

Similarity = Callable[[Sequence[str], Sequence[str]], list[float]]
"""(claims, passage sentences) -> for each claim its best cosine similarity to a passage sentence."""


@dataclass(frozen=True)
class ClaimCheck:
    """One claim's signals and, for the report, the check that failed and the nearest passage sentence."""

    claim: str
    words: float
    coverage: float
    new_facts: float
    missing_numbers: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()
    negation_mismatch: bool = False
    passage: int | None = None
    nearest: str = ""
    order: float = 1.0
    similarity: float | None = None

    @property
    def about(self) -> bool:
        return self.coverage >= ABOUT

    @property
    def failed(self) -> list[str]:
        """The checks this claim fails, in words (empty: none failed)."""
        out = []
        if not self.about:
            out.append("no passage sentence is about it")
        if self.missing_numbers:
            out.append("numbers not in the nearest window: " + ", ".join(self.missing_numbers))
        if self.missing_names:
            out.append("names not in the nearest window: " + ", ".join(self.missing_names))
        if self.negation_mismatch:
            out.append("negation differs from the nearest window")
        if self.about and self.order < 0.5:
            out.append(f"word order differs from the nearest window ({self.order:.0%} of word pairs kept)")
        if self.about and self.coverage < 0.75:
            out.append(f"only {self.coverage:.0%} of its content words in the nearest window")
        return out


@dataclass(frozen=True)
class Calibration:
    """Weights of the logistic combination and the threshold for "supported"."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    fitted_on: str = ""

    def score(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features[name] for name, w in self.weights.items())
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


DEFAULT = Calibration(
    weights={
        "answer_words": 0.6,
        "window_mean": 0.6,
        "order_min": 0.1,
        "checks_failed": -0.5,
        "not_about": -0.8,
    },
    bias=-0.1,
    threshold=0.5,
    fitted_on="mtrag_a",
)
"""The eval's default: fitted by `python eval/calibrate.py --fit mtrag_a` (class-balanced, L2 0.1, weights
rounded to one decimal) on the MTRAG half "a"; reported on the other sets in eval/README.md."""


@dataclass(frozen=True)
class FaithfulnessResult:
    """The score of one answer, its verdict, the signals behind it and each claim's check."""

    score: float
    supported: bool
    features: dict[str, float]
    claims: list[ClaimCheck] = field(default_factory=list)


def answer_claims(answer: str) -> list[str]:
    """The claims of an answer, split as the eval splits answers (markers removed)."""
    return [c for s in split_sentences(answer) for c in split_claims(strip_markers(s))]


def _word_share(claim: str, have: frozenset[str]) -> float:
    # `content_word_score` with the passages' words counted once per answer rather than once per claim
    wanted = content_words(claim)
    return sum(w in have for w in wanted) / len(wanted) if wanted else 1.0


@lru_cache(maxsize=256)
def _passage_words(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(content_words(" ".join(texts)))


def check_claim(claim: str, passages: Sequence[Passage], *, question: str | None = None) -> ClaimCheck:
    """One claim against the passages: word share, best window and its checks."""
    words = _word_share(claim, _passage_words(tuple(p.text for p in passages)))
    ev: Evidence | None = best_evidence(claim, passages, question=question or None)
    if ev is None:
        return ClaimCheck(claim, words, 1.0 if not content_words(claim) else 0.0, 0.0)
    window = passages[ev.passage].text[ev.start : ev.end]
    return ClaimCheck(
        claim=claim,
        words=words,
        coverage=ev.claim_coverage,
        new_facts=ev.new_fact_coverage,
        missing_numbers=ev.missing_numbers,
        missing_names=ev.missing_names,
        negation_mismatch=has_negation(claim) != has_negation(window),
        passage=ev.passage,
        nearest=window,
        order=word_order(claim, window),
    )


def word_order(claim: str, window: str) -> float:
    """Share of the claim's adjacent content-stem pairs found in the window in the same order, next to each
    other or one stem apart (1.0 for a claim of fewer than two content words)."""
    want = content_stems(claim)
    pairs = list(zip(want, want[1:], strict=False))
    if not pairs:
        return 1.0
    have = content_stems(window)
    near = set(zip(have, have[1:], strict=False)) | set(zip(have, have[2:], strict=False))
    return sum(p in near for p in pairs) / len(pairs)


def answer_features(
    answer: str,
    passages: Sequence[str | Passage],
    *,
    question: str | None = None,
    similarity: Similarity | None = None,
    claims: Sequence[str] | None = None,
) -> tuple[dict[str, float], list[ClaimCheck]]:
    """The signals of one answer (see the module docstring) and its claims' checks.

    Args:
        answer: The answer text (markers are ignored).
        passages: The passages it is checked against (strings or `Passage`s with a title as context).
        question: The question, when known.
        similarity: An embedding similarity; None leaves `similarity_min` out.
        claims: The claims, when the caller split them already; default `answer_claims(answer)`.

    Returns:
        (features by name, one `ClaimCheck` per claim).
    """
    ps = [p if isinstance(p, Passage) else Passage(p) for p in passages]
    claim_list = list(claims) if claims is not None else answer_claims(answer)
    claim_list = [c for c in claim_list if content_words(c)] or [strip_markers(answer)]
    answer_words = content_word_score(strip_markers(answer), [p.text for p in ps]) if ps else 0.0
    return claims_features(
        [(c, ps) for c in claim_list], question=question, similarity=similarity, answer_words=answer_words
    )


def claims_features(
    claims: Sequence[tuple[str, Sequence[str | Passage]]],
    *,
    question: str | None = None,
    similarity: Similarity | None = None,
    answer_words: float | None = None,
) -> tuple[dict[str, float], list[ClaimCheck]]:
    """The signals of an answer whose claims each rest on their own passages (the sentence's citations).

    Args:
        claims: (claim, its passages) in answer order; a claim with no passage fails every check.
        question: The question, when known.
        similarity: An embedding similarity; None leaves `similarity_min` out.
        answer_words: The whole answer's content-word share; default: the claims' words found in their own
            passages, over all the claims' words.

    Returns:
        (features by name, one `ClaimCheck` per claim).
    """
    checks = []
    for claim, passages in claims:
        ps = [p if isinstance(p, Passage) else Passage(p) for p in passages]
        check = check_claim(claim, ps, question=question) if ps else ClaimCheck(claim, 0.0, 0.0, 0.0)
        if similarity is not None:
            sentences = [s for p in ps for s in split_sentences(p.text)]
            check = _with_similarity(check, similarity([claim], sentences)[0] if sentences else 0.0)
        checks.append(check)
    if not checks:
        zero = dict.fromkeys(
            ("answer_words", "claim_words_min", "window_min", "window_mean", "order_min"), 0.0
        )
        return {**zero, "checks_failed": 1.0, "not_about": 1.0}, []
    sizes = [max(1, len(content_words(c.claim))) for c in checks]
    if answer_words is None:
        answer_words = sum(c.words * n for c, n in zip(checks, sizes, strict=True)) / sum(sizes)
    feats = {
        "answer_words": answer_words,
        "claim_words_min": min(c.words for c in checks),
        "window_min": min(c.coverage for c in checks),
        "window_mean": sum(c.coverage for c in checks) / len(checks),
        "order_min": min(c.order for c in checks),
        "checks_failed": sum(
            bool(c.missing_numbers or c.missing_names or c.negation_mismatch) for c in checks
        )
        / len(checks),
        "not_about": sum(n for c, n in zip(checks, sizes, strict=True) if not c.about) / sum(sizes),
    }
    if similarity is not None:
        feats["similarity_min"] = min(c.similarity or 0.0 for c in checks)
    return feats, checks


def claim_supported(check: ClaimCheck, calibration: Calibration = DEFAULT) -> bool:
    """The eval's verdict on one claim: its calibrated score reaches the threshold, its nearest window holds
    every number and name it states and agrees with it on negation (in a fit on whole answers those checks
    weigh too little to catch one changed year or an added "not" on their own; see eval/README.md)."""
    return (
        claim_score(check, calibration) >= calibration.threshold
        and not check.missing_numbers
        and not check.missing_names
        and not check.negation_mismatch
    )


def claim_score(check: ClaimCheck, calibration: Calibration = DEFAULT) -> float:
    """The calibrated score of one claim alone (its own signals as a one-claim answer)."""
    feats = {
        "answer_words": check.words,
        "claim_words_min": check.words,
        "window_min": check.coverage,
        "window_mean": check.coverage,
        "order_min": check.order,
        "checks_failed": float(bool(check.missing_numbers or check.missing_names or check.negation_mismatch)),
        "not_about": float(not check.about),
        "similarity_min": check.similarity or 0.0,
    }
    return calibration.score(feats)


def _with_similarity(check: ClaimCheck, sim: float) -> ClaimCheck:
    from dataclasses import replace

    return replace(check, similarity=float(sim))


def faithfulness(
    answer: str,
    passages: Sequence[str | Passage],
    *,
    question: str | None = None,
    calibration: Calibration = DEFAULT,
    similarity: Similarity | None = None,
    claims: Sequence[str] | None = None,
) -> FaithfulnessResult:
    """The calibrated faithfulness score of one answer against its passages.

    Args:
        answer: One claim or a whole answer.
        passages: The passages it should rest on.
        question: The question, when known.
        calibration: Weights and threshold; `DEFAULT` unless measuring another fit.
        similarity: Needed only when the calibration uses `similarity_min`.
        claims: The claims, when already split.

    Returns:
        A `FaithfulnessResult`: score in [0, 1], `supported` = score ≥ the calibration's threshold.
    """
    feats, checks = answer_features(answer, passages, question=question, similarity=similarity, claims=claims)
    score = calibration.score(feats)
    return FaithfulnessResult(score, score >= calibration.threshold, feats, checks)
