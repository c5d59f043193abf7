"""Model-free support signals: does a set of passages back a claim?

Two signals, both pure and deterministic:

- `content_word_score`: the baseline, the share of the claim's content words that occur in the passages.
- `lexical_score`: the same share on light stems, then three checks a word count cannot make: every number and
  every name in the claim must occur in a passage sentence that is about the claim (so a name moved from an
  unrelated sentence or a changed year is caught), and the claim and its closest passage sentence must
  agree on negation. A failed check halves the score.

`lexical_supports` turns the lexical score into the yes/no entailment decision the citation metrics use by
default (faithfulness has its own calibrated score, `eval/faithfulness.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval.text import STOPWORDS, content_words, has_negation, names, numbers, split_sentences, stem, words

Support = Callable[[str, Sequence[str]], bool]
"""An entailment decision: (claim, premise passages) -> supported."""

LEXICAL_THRESHOLD = 0.7
"""`lexical_score` at or above this counts as supported; fixed before looking at any evaluation data."""

_RELATED_MIN = 2  # content words a passage sentence must share with the claim to count as "about" it


@dataclass(frozen=True)
class LexicalCheck:
    """How `lexical_score` reached its value, for the report."""

    score: float
    coverage: float
    missing_words: tuple[str, ...] = ()
    missing_numbers: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()
    negation_mismatch: bool = False

    @property
    def failed_checks(self) -> int:
        return bool(self.missing_numbers) + bool(self.missing_names) + int(self.negation_mismatch)


def content_word_score(claim: str, passages: Sequence[str]) -> float:
    """Share of the claim's content words found verbatim among the passages' words (1.0 for an empty claim).

    Args:
        claim: The claim, without citation markers.
        passages: The passages it is checked against.

    Returns:
        A value in [0, 1].
    """
    wanted = content_words(claim)
    if not wanted:
        return 1.0
    have = set(content_words(" ".join(passages)))
    return sum(w in have for w in wanted) / len(wanted)


def stem_coverage(claim: str, passages: Sequence[str]) -> float:
    """Share of the claim's content-word stems found among the passages' stems (1.0 for an empty claim)."""
    wanted = [stem(w) for w in content_words(claim)]
    if not wanted:
        return 1.0
    have = {stem(w) for w in content_words(" ".join(passages))}
    return sum(w in have for w in wanted) / len(wanted)


def lexical_check(claim: str, passages: Sequence[str]) -> LexicalCheck:
    """The lexical score of `claim` against `passages` and the reasons behind it.

    Args:
        claim: The claim, without citation markers.
        passages: The passages it is checked against.

    Returns:
        A `LexicalCheck`; its `score` is in [0, 1].
    """
    claim_stems = [stem(w) for w in content_words(claim)]
    if not claim_stems:
        return LexicalCheck(score=1.0, coverage=1.0)
    sentences = [s for p in passages for s in split_sentences(p)] or list(passages)
    sentence_stems = [{stem(w) for w in content_words(s)} for s in sentences]
    all_stems = set().union(*sentence_stems) if sentence_stems else set()
    missing = tuple(dict.fromkeys(w for w in claim_stems if w not in all_stems))
    coverage = 1 - sum(w in missing for w in claim_stems) / len(claim_stems)

    wanted = set(claim_stems)
    overlaps = [len(wanted & s) for s in sentence_stems]
    needed = min(_RELATED_MIN, len(wanted))
    related = {
        stem(w) for s, o in zip(sentences, overlaps, strict=True) if o >= needed for w in content_words(s)
    }
    missing_numbers = tuple(sorted(n for n in numbers(claim) if n not in related))
    claim_names = names(claim) | (_first_word(claim) & names(" ".join(passages)))
    missing_names = tuple(sorted(n for n in claim_names if stem(n) not in related))
    negation_mismatch = False
    if overlaps and max(overlaps) > 0:
        best = max(range(len(sentences)), key=lambda i: overlaps[i])
        negation_mismatch = has_negation(claim) != has_negation(sentences[best])
    failed = bool(missing_numbers) + bool(missing_names) + int(negation_mismatch)
    return LexicalCheck(
        score=coverage * (0.5**failed),
        coverage=coverage,
        missing_words=missing,
        missing_numbers=missing_numbers,
        missing_names=missing_names,
        negation_mismatch=negation_mismatch,
    )


def _first_word(text: str) -> set[str]:
    # A sentence-initial word is a name when the passages capitalise it mid-sentence ("Pavel took over...").
    first = words(text)[:1]
    return set(first) if first and first[0] not in STOPWORDS else set()


def lexical_score(claim: str, passages: Sequence[str]) -> float:
    """`lexical_check(...).score`: the model-free faithfulness signal in [0, 1]."""
    return lexical_check(claim, passages).score


def lexical_supports(claim: str, passages: Sequence[str]) -> bool:
    """The default entailment decision: lexical score ≥ `LEXICAL_THRESHOLD`; no passage, no support."""
    if not passages:
        return False
    return lexical_score(claim, passages) >= LEXICAL_THRESHOLD
