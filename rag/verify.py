"""Citation checking and repair after generation.

A small model cites unreliably, so every sentence of an answer is checked against the passages:
- a cited passage that supports the sentence stays cited;
- a citation to a passage that does not support it is moved to the passage that does, or removed;
- out-of-range citations ([7] with four passages) are dropped;
- a sentence that no passage supports is listed as unsupported and marked in the text.
Then the answer as a whole must address the question: it, or a passage it cites, must mention something the
question names, and a question asking for a figure or a date must get one. A faithful answer about something
else is not an answer.
Support is model-free and deterministic: the share of the sentence's content words found in the passage,
with every number in the sentence required to appear in it (wrong figures are the commonest hallucination).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.prompts import NOT_FOUND_MARKER, UNSUPPORTED_MARK
from rag.query import names_in

_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    according passage passages document documents text mentioned stated states say says said one""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MARK = re.compile(r"\s*\[(?:\d+(?:\s*,\s*\d+)*|unsupported)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\[\"'(A-Z0-9])|\n+")
_REFUSAL = re.compile(
    r"\bnot found\b|\b(?:do|does|did) not (?:contain|mention|provide|include|say|state|specify)\b|"
    r"\bno (?:information|mention|details?)\b|\bnot (?:mentioned|provided|stated|specified|available)\b|"
    r"\bcannot (?:answer|find|determine)\b|\bcan't (?:answer|find)\b|\bunable to (?:answer|find|determine)\b|"
    r"\bi don't know\b|\bi do not know\b",
    re.IGNORECASE,
)


def _stem(word: str) -> str:
    w = word.lower().strip("'-")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def content_words(text: str) -> list[str]:
    """Lower-cased, crudely stemmed words that carry meaning (numbers kept, stop words dropped)."""
    out = []
    for tok in _WORD.findall(text):
        if _NUMBER.fullmatch(tok):
            out.append(tok.replace(",", ""))
        elif tok.lower() not in _STOP and len(tok) > 1:
            out.append(_stem(tok))
    return out


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def overlap(claim: str, passage: str) -> float:
    """Share of the claim's content words found in the passage, in [0, 1]."""
    words = content_words(claim)
    if not words:
        return 0.0
    have = set(content_words(passage))
    return sum(1 for w in words if w in have) / len(words)


def support(claim: str, passage: str) -> float:
    """Support of `claim` by `passage` in [0, 1]; zero when a number of the claim is not in the passage."""
    if not numbers(claim) <= numbers(passage):
        return 0.0
    return overlap(claim, passage)


def strip_marks(sentence: str) -> str:
    return _MARK.sub("", sentence).strip()


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for group in _CITE.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing citation markers kept (also markers written after the full stop)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p and p.strip()]
    out: list[str] = []
    for part in parts:
        lead = re.match(r"^(?:\s*\[(?:\d+(?:\s*,\s*\d+)*)\])+", part)
        if lead and out:
            out[-1] = out[-1] + " " + lead.group(0).strip()
            part = part[lead.end() :].strip()
        if part and (strip_marks(part) or not out):
            out.append(part)
    return out


_ASKS_FIGURE = re.compile(
    r"^\s*(?:how (?:many|much|old|long|large|big)\b|when\b"
    r"|(?:in |on |by )?(?:what|which) (?:year|date|day)\b)",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|dozen|"
    r"hundred|thousand|million|billion|trillion|half|twice|double|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b",
    re.IGNORECASE,
)


def addresses_question(question: str, answer: str, cited_passages: Sequence[str]) -> bool:
    """Whether an answer is about what the question asks: it or a passage it cites mentions at least one
    thing the question names, and a question asking for a figure or a date ("how many", "when") gets one."""
    wanted = names_in(question)
    if wanted:
        said = {
            w.removesuffix("'s")
            for w in re.findall(
                r"[^\W_]+(?:[-'.][^\W_]+)*", (answer + " " + " ".join(cited_passages)).lower()
            )
        }
        if not any(name in said for name in wanted):
            return False
    return not _ASKS_FIGURE.search(question) or bool(_FIGURE.search(strip_marks(answer)))


def looks_like_refusal(text: str) -> bool:
    return NOT_FOUND_MARKER.lower() in text.lower() or bool(_REFUSAL.search(text))


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # without markers
    citations: tuple[int, ...]  # after repair, 1-based
    supported: bool
    original_citations: tuple[int, ...]


@dataclass(frozen=True)
class Verification:
    sentences: tuple[CheckedSentence, ...]
    text: str  # the answer rebuilt with repaired markers
    unsupported: tuple[str, ...]
    refused: bool


def check_sentence(sentence: str, passages: Sequence[str], threshold: float) -> CheckedSentence:
    claim = strip_marks(sentence)
    original = tuple(cited_numbers(sentence))
    valid = [n for n in dict.fromkeys(original) if 1 <= n <= len(passages)]
    scores = [support(claim, p) for p in passages]
    keep = tuple(n for n in valid if scores[n - 1] >= threshold)
    if keep:
        return CheckedSentence(claim, keep, True, original)
    if scores:
        ranked = sorted(range(len(passages)), key=lambda i: -scores[i])
        best = ranked[0]
        if scores[best] >= threshold:
            return CheckedSentence(claim, (best + 1,), True, original)
        # two passages together may hold what neither holds alone (each must carry part of it)
        if len(passages) > 1:
            shares = [overlap(claim, p) for p in passages]
            pair = sorted(range(len(passages)), key=lambda i: -shares[i])[:2]
            joined = "\n".join(passages[i] for i in pair)
            if support(claim, joined) >= threshold and min(shares[i] for i in pair) >= 0.2:
                return CheckedSentence(claim, tuple(sorted(i + 1 for i in pair)), True, original)
    return CheckedSentence(claim, (), False, original)


def _with_marks(c: CheckedSentence) -> str:
    marks = "".join(f"[{n}]" for n in c.citations) if c.supported else UNSUPPORTED_MARK
    body, end = (c.text[:-1], c.text[-1]) if c.text[-1:] in ".!?" else (c.text, "")
    return f"{body.rstrip()} {marks}{end}"


def verify_answer(text: str, passages: Sequence[str], *, threshold: float) -> Verification:
    """Check and repair every sentence's citations.

    Args:
        text: The model's answer with `[n]` markers.
        passages: Passage texts; passage n is `passages[n - 1]`.
        threshold: Minimum support for a passage to count as supporting a sentence.

    Returns:
        The checked sentences, the rebuilt text, the unsupported sentences, and whether the answer is a
        refusal (the model said the passages do not hold it, or no sentence is supported).
    """
    if not text.strip() or looks_like_refusal(text):
        return Verification((), "", (), True)
    checked = tuple(
        check_sentence(s, passages, threshold) for s in split_sentences(text) if content_words(strip_marks(s))
    )
    if not checked or not any(c.supported for c in checked):
        return Verification(checked, "", tuple(c.text for c in checked), True)
    rebuilt = " ".join(_with_marks(c) for c in checked)
    return Verification(checked, rebuilt, tuple(c.text for c in checked if not c.supported), False)
