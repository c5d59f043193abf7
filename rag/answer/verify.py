"""Citation checking and repair after generation, on the support decision of `rag.answer.support`.

A small model cites unreliably, so every sentence of an answer is checked against the passages:
- a cited passage whose window states the sentence stays cited;
- a citation to a passage that does not state it is moved to the passage that does, or removed;
- out-of-range citations ([7] with four passages) are dropped;
- a sentence that no passage states is listed as unsupported and marked in the text.
Then the answer as a whole must answer the question: at least one supported sentence must stand in a window
that is about what the question asked (`Evidence.answers`), and a question asking for a figure or a date must
get one. A faithful answer about something else is not an answer.
Each supported sentence keeps its evidence: where in which passage it is stated, for the quotes under the
answer and the page's highlighting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.prompts import NOT_FOUND_MARKER
from rag.answer.question import read_question
from rag.answer.support import Evidence, Passage, Thresholds, evidence_in
from rag.text import UNSUPPORTED_MARK, cited_numbers, content_words, split_sentences, strip_markers

_REFUSAL = re.compile(
    r"\bnot found\b|\b(?:do|does|did) not (?:contain|mention|provide|include|say|state|specify)\b|"
    r"\bno (?:information|mention|details?)\b|\bnot (?:mentioned|provided|stated|specified|available)\b|"
    r"\bcannot (?:answer|find|determine)\b|\bcan't (?:answer|find)\b|\bunable to (?:answer|find|determine)\b|"
    r"\bi don't know\b|\bi do not know\b",
    re.IGNORECASE,
)
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


def asks_for_figure(question: str) -> bool:
    """Whether the question asks for a number or a date ("how many", "when", "in what year")."""
    return bool(_ASKS_FIGURE.search(question))


def has_figure(answer: str) -> bool:
    return bool(_FIGURE.search(strip_markers(answer)))


def looks_like_refusal(text: str) -> bool:
    return NOT_FOUND_MARKER.lower() in text.lower() or bool(_REFUSAL.search(text))


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # without markers
    citations: tuple[int, ...]  # after repair, 1-based
    supported: bool
    original_citations: tuple[int, ...]
    evidence: tuple[Evidence, ...] = ()  # one window per citation, in citation order
    answers_question: bool = False  # a window is about what the question asked


@dataclass(frozen=True)
class Verification:
    sentences: tuple[CheckedSentence, ...]
    text: str  # the answer rebuilt with repaired markers
    unsupported: tuple[str, ...]
    refused: bool


def _passages(passages: Sequence[Passage | str]) -> list[Passage]:
    return [p if isinstance(p, Passage) else Passage(p) for p in passages]


_ABOUT_PASSAGES = re.compile(
    r"^\s*(?:according to (?:the )?(?:passages?|documents?|text)(?: \d+)?,?\s+"
    r"|(?:the )?(?:passages?|documents?|text)(?: \d+)? (?:names?|says?|states?|mentions?|lists?|notes?)"
    r"(?: that)?:?\s+)",
    re.IGNORECASE,
)


def stated(claim: str) -> str:
    """What a claim states, without a lead-in about the passages ("The passage names four freedoms: use,
    study ..." states "four freedoms: use, study ..."): those words are in no passage."""
    rest = _ABOUT_PASSAGES.sub("", claim, count=1)
    return rest if content_words(rest) else claim


def check_sentence(
    sentence: str, passages: Sequence[Passage], t: Thresholds, question: str | None = None
) -> CheckedSentence:
    claim = strip_marks(sentence)
    original = tuple(cited_numbers(sentence))
    q = read_question(question) if question is not None else None
    one_of_two = q is not None and q.two_things
    said = stated(claim)
    found = [evidence_in(said, p, i, question=question) for i, p in enumerate(passages)]
    windows = [e for e in found if e is not None]
    supporting = [e for e in windows if e.supports(t)]
    cited = [e for e in supporting if e.passage + 1 in original]
    if cited or supporting:
        # the cited passages that state it; else the one passage that states it best
        keep = cited or [max(supporting, key=lambda e: (e.answers(t, one_of_two=one_of_two), e.score))]
        keep.sort(key=lambda e: original.index(e.passage + 1) if e.passage + 1 in original else 99)
        return CheckedSentence(
            claim,
            tuple(e.passage + 1 for e in keep),
            True,
            original,
            tuple(keep),
            any(e.answers(t, one_of_two=one_of_two) for e in keep),
        )
    pair = sorted(windows, key=lambda e: -e.claim_coverage)[:2]
    one_document = (
        len(pair) == 2 and passages[pair[0].passage].document == passages[pair[1].passage].document != ""
    )
    if len(pair) == 2 and (one_document or q is None or q.two_things):  # two passages may each state a part
        joined = Passage(
            "\n\n".join(passages[e.passage].text[e.start : e.end] for e in pair),
            " ".join(passages[e.passage].context for e in pair),
        )
        both = evidence_in(said, joined, question=question, whole=True)
        if (
            both is not None
            and both.supports(t)
            and min(e.claim_coverage for e in pair) >= 0.3
            and not any(e.other_version for e in pair)  # a part about another model of the family
        ):
            pair.sort(key=lambda e: e.passage)
            # each part must be about something the question names: a fact borrowed from a passage about
            # another thing ("I-JEPA was trained on the Pile") does not answer by standing beside one that is
            names_ = q.names if q is not None else frozenset()
            each = all(not names_ or names_ - set(e.missing_question) for e in pair)
            return CheckedSentence(
                claim,
                tuple(e.passage + 1 for e in pair),
                True,
                original,
                tuple(pair),
                both.answers(t) and each,
            )
    return CheckedSentence(claim, (), False, original)


def strip_marks(sentence: str) -> str:
    return strip_markers(sentence)


def _with_marks(c: CheckedSentence) -> str:
    marks = "".join(f"[{n}]" for n in c.citations) if c.supported else UNSUPPORTED_MARK
    body, end = (c.text[:-1], c.text[-1]) if c.text[-1:] in ".!?" else (c.text, "")
    return f"{body.rstrip()} {marks}{end}"


def verify_answer(
    text: str,
    passages: Sequence[Passage | str],
    *,
    question: str | None = None,
    thresholds: Thresholds | None = None,
) -> Verification:
    """Check and repair every sentence's citations, and decide whether the answer stands.

    Args:
        text: The model's answer with `[n]` markers.
        passages: The passages (text and context); passage n is `passages[n - 1]`.
        question: The question answered. When given, the answer stands only if a supported sentence is
            stated in a window about the question, and a question asking for a figure gets one.
        thresholds: Where support starts (`rag.answer.support.Thresholds`).

    Returns:
        The checked sentences, the rebuilt text, the unsupported sentences, and whether the answer is a
        refusal (the model said the passages do not hold it, nothing is supported, or it does not answer).
    """
    t = thresholds or Thresholds()
    if not text.strip() or looks_like_refusal(text):
        return Verification((), "", (), True)
    ps = _passages(passages)
    checked = tuple(
        check_sentence(s, ps, t, question) for s in split_sentences(text) if content_words(strip_marks(s))
    )
    unsupported = tuple(c.text for c in checked if not c.supported)
    supported = [c for c in checked if c.supported]
    refused = not supported
    if question is not None and supported:
        answered = any(c.answers_question for c in supported)
        figure_ok = not asks_for_figure(question) or any(has_figure(c.text) for c in supported)
        refused = not (answered and figure_ok)
    if refused:
        return Verification(checked, "", tuple(c.text for c in checked), True)
    return Verification(checked, rebuild(checked), unsupported, False)


def rebuild(sentences: Sequence[CheckedSentence]) -> str:
    """The answer text from its checked sentences: repaired markers, `[unsupported]` where none."""
    return " ".join(_with_marks(c) for c in sentences)
