"""The eval's own text helpers (SQuAD normalisation, cited sentences, claims) on the shared toolkit.

Words, stems, stop words, numbers, names and sentences come from `rag.text`, so the eval and the core agree on
them; everything here is a pure function of its arguments.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from rag.text import (
    CITATION,
    NEGATIONS,
    NUMBER_WORDS,
    STOPWORDS,
    UNSUPPORTED_MARK,
    content_words,
    has_negation,
    names,
    numbers,
    split_sentences,
    stem,
    strip_markers,
    words,
)

__all__ = [
    "NEGATIONS",
    "NUMBER_WORDS",
    "STOPWORDS",
    "CitedSentence",
    "cited_sentences",
    "content_words",
    "has_negation",
    "names",
    "normalize_answer",
    "numbers",
    "split_claims",
    "split_sentences",
    "stem",
    "strip_markers",
    "words",
]


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of an answer: its text without markers and the passage numbers it cites."""

    text: str
    citations: tuple[int, ...]
    flagged_unsupported: bool = False


def cited_sentences(answer_text: str) -> list[CitedSentence]:
    """Split an answer with inline `[n]` markers into sentences with their citations (in order, unique)."""
    out = []
    for sentence in split_sentences(answer_text):
        refs: list[int] = []
        for group in CITATION.findall(sentence):
            for n in group.split(","):
                if int(n) not in refs:
                    refs.append(int(n))
        flagged = UNSUPPORTED_MARK in sentence.lower()
        out.append(CitedSentence(strip_markers(sentence), tuple(refs), flagged))
    return out


def split_claims(sentence: str) -> list[str]:
    """Atomic-ish claims of one sentence: split on ';' and on ' and ' between two clauses of 3+ words."""
    claims: list[str] = []
    for part in re.split(r"\s*;\s*", sentence):
        halves = re.split(r",?\s+and\s+", part, maxsplit=1)
        if (
            len(halves) == 2
            and all(len(content_words(h)) >= 3 for h in halves)
            and len(halves[1].split()) >= 3
        ):
            claims.extend(h.strip() for h in halves)
        elif part.strip():
            claims.append(part.strip())
    return [c for c in claims if re.search(r"\w", c)]
