"""The support decision: which passage sentences state a claim, bound to what the question asked.

A claim is supported only by a *window* of one passage (one sentence, two adjacent ones, or a line with the
short list it introduces) that holds the claim's own facts: its content words, every number and every name
it states, and any denial it makes ("is not an example" needs a "not"). Words scattered over a passage
do not count: "The Llama 2 models were released under a non-commercial research licence" is not supported by a
passage whose non-commercial sentence is about the first LLaMA and whose Llama 2 sentence is another one.

When the question is known, the window must also be about it: the question's numbers and names, and most of
its other content words, must stand in the window, the sentence on either side of it, or the passage's title
and heading. So a date taken from a passage about something else ("The Leeds festival lineup gets announced on
May 16, 2017") does not answer "when is the Leeds lineup announced". A figure answers only beside the word
the question counts or measures ("how many *employees*"); an acronym of the question may be written out
("RAG", "retrieval-augmented generation"); a hyphenated term stands whole; a window that names the claim's
model without its version ("the first LLaMA models" for "Llama 2") is about another model of the family;
of a question about two things, a window about one of them answers that part; and an answer that only
repeats the question's words answers nothing (`rag.answer.question` reads the question once).

Everything here is deterministic and model-free; `Evidence` says where support lies (character offsets into
the passage) and why a window fell short, for the page's highlighting, the eval's report and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.answer.question import ASKING_STEMS, read_question, spelled_out
from rag.text import (
    NUMBER_WORDS,
    STOPWORDS,
    content_stems,
    fold,
    has_negation,
    names,
    numbers,
    sentence_spans,
    stem,
    word_tokens,
    words,
)


@dataclass(frozen=True)
class Passage:
    """What the decision reads of one passage: its text, and what it is about (title, heading)."""

    text: str
    context: str = ""
    document: str = ""
    """The document it is from (its file), when known: two passages of one document may share a fact."""


@dataclass(frozen=True)
class Thresholds:
    """Where a window starts to count as support (chosen on the dev data; see eval/README.md)."""

    claim: float = 0.75
    """Share of the claim's content words the window must hold (those the question also names may stand in
    the window's neighbourhood)."""
    new_facts: float = 0.65
    """Share of the claim's words that the question does not contain (its new facts) the window must hold."""
    question: float = 0.6
    """Share of the question's content words the window, its neighbours and the passage context must hold."""


@dataclass(frozen=True)
class Evidence:
    """The best window of one passage for one claim, and how it scored.

    Attributes:
        passage: Index of the passage (0-based).
        start, end: Character offsets of the window in the passage text.
        claim_coverage: Share of the claim's content words found (window, or its neighbourhood for words the
            question also has).
        new_fact_coverage: Share of the claim's words the question does not have, found in the window itself.
        question_coverage: Share of the question's content words in the window's neighbourhood (1.0 when the
            question is not known).
        missing_numbers, missing_names: The claim's numbers and names the window lacks.
        missing_question: Question words (numbers and names first) its neighbourhood lacks.
        question_names_missing: A name or number of the question is not in the neighbourhood.
        missing_asked: The word naming what the question asks for ("how many *employees*") when the
            neighbourhood lacks it: a figure next to other words of the question answers something else.
        negation_missing: The claim denies something ("is not an example") that the window does not deny.
        adds_facts: The claim says something the question does not already say (always true for a
            yes/no or either/or question, whose answer may repeat it).
        question_names_found: Some name or number of the question is in the neighbourhood (of a question
            about two things, a window may answer one of them).
        other_version: Versioned names of the claim ("Llama 2") that the window names without their
            version ("the first LLaMA models") while neither it nor the passage's context writes them with
            it: the window is about another model of the family.
    """

    passage: int
    start: int
    end: int
    claim_coverage: float
    new_fact_coverage: float
    question_coverage: float
    missing_numbers: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()
    missing_question: tuple[str, ...] = field(default=())
    question_names_missing: bool = False
    missing_asked: tuple[str, ...] = ()
    negation_missing: bool = False
    adds_facts: bool = True
    other_version: tuple[str, ...] = ()
    question_names_found: bool = False

    def supports(self, t: Thresholds) -> bool:
        """Whether the window states the claim (its words, numbers and names)."""
        return (
            not self.missing_numbers
            and not self.missing_names
            and not self.negation_missing
            and not self.other_version
            and self.claim_coverage >= t.claim
            and self.new_fact_coverage >= t.new_facts
        )

    def answers(self, t: Thresholds, *, one_of_two: bool = False) -> bool:
        """Whether the window states the claim *and* is about what the question asked; with `one_of_two`
        (the question asks about two things), about one of the things it names is enough."""
        return (
            self.supports(t)
            and (not self.question_names_missing or one_of_two and self.question_names_found)
            and not self.missing_asked
            and self.adds_facts
            and self.question_coverage >= t.question
        )

    @property
    def score(self) -> float:
        """One number for ranking windows: coverage, halved for each failed hard check."""
        failed = (
            bool(self.missing_numbers)
            + bool(self.missing_names)
            + bool(self.other_version)
            + self.question_names_missing
        )
        return (self.claim_coverage + self.new_fact_coverage + self.question_coverage) / 3 * 0.5**failed


@dataclass(frozen=True)
class _Sentences:
    spans: list[tuple[int, int]]
    stems: list[set[str]]
    numbers: list[set[str]]


@lru_cache(maxsize=1024)  # a passage is read once per claim of every answer that cites it
def _sentences(text: str) -> _Sentences:
    spans = sentence_spans(text) or [(0, len(text))]
    pieces = [text[s:e] for s, e in spans]
    return _Sentences(spans, [set(content_stems(p)) for p in pieces], [numbers(p) for p in pieces])


def _claim_names(claim: str, passage_text: str) -> set[str]:
    # A claim's first word is a name when it is an acronym or the passage writes it capitalised too
    # ("BLOOM was trained...", "Pavel took over..."): a swapped subject must not pass as a paraphrase.
    found = names(claim)
    first = claim.lstrip("\"'([*_ ").split(" ", 1)[0].strip(".,;:!?\"')*_")
    key = words(first)[:1]
    if key and key[0] not in STOPWORDS and key[0] not in NUMBER_WORDS and first[:1].isupper():
        written = {w for w in re.findall(r"[^\W_]+", fold(passage_text)) if w[:1].isupper()}
        if sum(c.isupper() for c in first) >= 2 or fold(first) in written:
            found.add(key[0])
    return {stem(n) for n in found}


_SCALE = frozenset("hundred thousand million billion trillion percent per cent".split())


def _units(tokens: list[str], i: int, *, scaled: bool = False) -> tuple[str, ...]:
    """The words right after the number at `tokens[i]`, scale words ("billion") skipped; with `scaled`,
    none unless a scale word follows the number (an amount, not a year or a version)."""
    j = i + 1
    while j < len(tokens) and tokens[j] in _SCALE:
        j += 1
    if scaled and j == i + 1:
        return ()
    return tuple(stem(t) for t in tokens[j : j + 3])


def mismatched_units(claim: str, window: str) -> set[str]:
    """Numbers of the claim that the window gives as a count of something else: "180 billion tokens"
    against "180 billion parameters". Only an amount ("180 billion", "3.5 trillion") followed by its unit is
    checked: years and versions ("Llama 2 came under") are left to the other checks."""
    said, have = words(claim), words(window)
    out = set()
    for i, tok in enumerate(said):
        units = _units(said, i, scaled=True)
        if not tok[0].isdigit() or not units or units[0] in STOPWORDS or units[0][0].isdigit():
            continue
        where = [j for j, t in enumerate(have) if t == tok]
        if where and not any(units[0] in _units(have, j) for j in where):
            out.add(tok)
    return out


_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def versioned_names(text: str, *, any_case: bool = False) -> set[tuple[str, str]]:
    """Names written with a version or a size right after them: ("llama", "2") for "Llama 2", ("gpt",
    "4") for "GPT-4", ("falcon", "180b") for "Falcon 180B". A year is no version ("AI Index 2024"); with
    `any_case`, a lower-case word counts as a name too ("version 1.0")."""
    toks = word_tokens(text)
    return {
        (a.lower(), b.lower())
        for a, b in zip(toks, toks[1:], strict=False)
        if (any_case or a[:1].isupper())
        and a.lower() not in STOPWORDS | _MONTHS
        and b[:1].isdigit()
        and not _YEAR.fullmatch(b)
    }


def other_versions(
    claimed: set[tuple[str, str]], window: str, in_context: set[tuple[str, str]]
) -> tuple[str, ...]:
    """The claim's versioned names that `window` names bare or with another version, while neither the
    window nor the passage's title and heading (`in_context`, their `versioned_names`) write them with
    theirs. Neighbouring sentences do not count: the next paragraph may already be about the next model."""
    if not claimed:
        return ()
    named = {w.lower() for w in word_tokens(window)}
    written = versioned_names(window, any_case=True) | in_context
    return tuple(sorted(f"{n} {v}" for n, v in claimed if n in named and (n, v) not in written))


LIST_CHARS = 400
"""A list ("three goals: 1. ... 2. ... 3. ...") is one window while it stays this short: its items are
sentences of their own, but none states anything without the line that introduces them."""

_LIST_ITEM = re.compile(r"(?:[-*\u2022]|\d+[.)])\s")


def _windows(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Sentence ranges (i, j) to look for support in: one sentence, two adjacent ones, and a sentence with
    the list items that follow it in the same block."""
    n = len(spans)
    for i in range(n):
        yield i, i
        if i + 1 < n:
            yield i, i + 1
        j = i
        while (
            j + 1 < n
            and _LIST_ITEM.match(text, spans[j + 1][0])
            and "\n\n" not in text[spans[j][1] : spans[j + 1][0]]
            and spans[j + 1][1] - spans[i][0] <= LIST_CHARS
        ):
            j += 1
        if j > i + 1:
            yield i, j


def evidence_in(
    claim: str, passage: Passage, index: int = 0, *, question: str | None = None, whole: bool = False
) -> Evidence | None:
    """The best window of `passage` for `claim` (None when the claim has no content words).

    Args:
        claim: One sentence of an answer, without markers.
        passage: The passage and its context.
        index: The passage's index, recorded in the result.
        question: The question the claim answers; None checks the claim alone.
        whole: Read the passage as one window (two windows of different passages joined, each a part).
    """
    claim_stems = set(content_stems(claim))
    if not claim_stems:
        return None
    q = read_question(question) if question else None
    q_stems, q_numbers, q_names = (
        (q.stems, q.numbers, q.names) if q else (frozenset(), frozenset(), frozenset())
    )
    new_facts = claim_stems - q_stems - ASKING_STEMS
    # "which came out first": the answer's "first" repeats the question, it is no figure to find
    claim_numbers = numbers(claim) - (q.ordinals if q else frozenset())
    q_given = q_numbers | q_names  # a figure the question names may stand in the title instead
    q_acronyms = dict(q.acronyms) if q else {}
    q_compounds = q.compounds if q else ()
    adds = bool(new_facts) or q is None or q.offers_answer
    denies = has_negation(claim)
    # a figure the question did not give answers it only next to the word the question counts or measures
    q_asked = q.asked if q and claim_numbers - q_numbers else ()
    claim_names = _claim_names(claim, passage.text)
    claim_versions = versioned_names(claim)
    context_versions = versioned_names(passage.context, any_case=True) if claim_versions else set()
    sent = _sentences(passage.text)
    context_stems = set(content_stems(passage.context))
    context_numbers = numbers(passage.context)
    best: Evidence | None = None
    n = len(sent.spans)
    for i, j in [(0, n - 1)] if whole else _windows(passage.text, sent.spans):
        window = set().union(*sent.stems[i : j + 1])
        window_numbers = set().union(*sent.numbers[i : j + 1])
        lo, hi = max(0, i - 1), min(n - 1, j + 1)
        around = set().union(*sent.stems[lo : hi + 1]) | context_stems
        if q_acronyms.keys() - around:
            text_around = passage.text[sent.spans[lo][0] : sent.spans[hi][1]] + "\n" + passage.context
            around |= {k for k, a in q_acronyms.items() if spelled_out(a, text_around)}
        around_numbers = set().union(*sent.numbers[lo : hi + 1]) | context_numbers
        shared = claim_stems & q_stems
        found = sum(1 for s in claim_stems if s in window or (s in shared and s in around))
        new_found = sum(1 for s in new_facts if s in window)
        q_missing = sorted(q_stems - around) + sorted(q_numbers - around_numbers)
        q_all = len(q_stems) + len(q_numbers)
        ev = Evidence(
            passage=index,
            start=sent.spans[i][0],
            end=sent.spans[j][1],
            claim_coverage=found / len(claim_stems),
            new_fact_coverage=new_found / len(new_facts) if new_facts else 1.0,
            question_coverage=1 - len(q_missing) / q_all if q_all else 1.0,
            missing_numbers=tuple(
                sorted(
                    {
                        x
                        for x in claim_numbers - window_numbers
                        if not (x in q_given and (x in context_numbers or stem(x) in context_stems))
                    }
                    | mismatched_units(claim, passage.text[sent.spans[i][0] : sent.spans[j][1]])
                )
            ),
            missing_names=tuple(
                sorted(
                    m for m in claim_names if m not in window and not (m in q_names | q_stems and m in around)
                )
            ),
            missing_question=tuple(q_missing),
            question_names_missing=bool(
                (q_names - around) or (q_numbers - around_numbers) or any(c - around for c in q_compounds)
            ),
            question_names_found=bool((q_names & around) or (q_numbers & around_numbers)),
            missing_asked=tuple(sorted(w for phrase in q_asked if not phrase & around for w in phrase)),
            negation_missing=denies and not has_negation(passage.text[sent.spans[i][0] : sent.spans[j][1]]),
            adds_facts=adds,
            other_version=other_versions(
                claim_versions,
                passage.text[sent.spans[i][0] : sent.spans[j][1]],
                context_versions,
            ),
        )
        if best is None or ev.score > best.score or (ev.score == best.score and j == i):
            best = ev
    return best


def best_evidence(claim: str, passages: Sequence[Passage], *, question: str | None = None) -> Evidence | None:
    """The best window over all passages for `claim` (None when there are no passages or no content)."""
    found = [evidence_in(claim, p, i, question=question) for i, p in enumerate(passages)]
    scored = [e for e in found if e is not None]
    return max(scored, key=lambda e: e.score) if scored else None
