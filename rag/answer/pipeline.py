"""From a question to a verified answer: condense, retrieve, focus, generate, verify, complete.

`answer_stream` is the one code path: it yields what to show while the model writes and ends with the
verified `Answer`; `rag.ask()` consumes it.

The model is let to answer whenever a passage is about the question; whether the answer stands is decided
after generation by the support decision (`rag.answer.verify`, `rag.answer.support`). When the reply does
not stand (the model said NOT FOUND, or wrote what no passage states) while a passage holds the question's
words, the model is asked once more with only that passage (the second look), and the second reply is
decided the same way. A leading NOT FOUND is never streamed, so nothing is shown and then taken back; a
draft that was shown and did not stand is withdrawn (`Withdrawn`) before the second look streams.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag.answer.complete import complete_answer
from rag.answer.context import focus
from rag.answer.followup import Chat, clean_history, clean_question, search_query
from rag.answer.prompts import NOT_FOUND_MARKER, REFUSAL_TEXT, answer_messages, second_look_messages
from rag.answer.support import Passage, Thresholds, best_evidence
from rag.answer.verify import Verification, verify_answer
from rag.types import Answer, Delta, Quote, Searching, Source, StreamEvent, Withdrawn

Retrieve = Callable[[str, int], list[Source]]


@dataclass(frozen=True)
class AskOptions:
    top_k: int
    temperature: float
    min_relevance: float
    max_question_chars: int
    model: str
    thresholds: Thresholds = field(default_factory=Thresholds)
    focus_chars: int = 600  # of each passage the model reads; 0: whole passages
    second_look: bool = True


def passage_of(source: Source) -> Passage:
    """What the support decision reads of a source: its text, and its title and heading as context."""
    return Passage(source.text, " ".join(x for x in (source.title, source.heading) if x), source.file)


def _held_back(pieces: Iterator[str]) -> Iterator[str]:
    """The model's text, except that a reply opening with NOT FOUND yields nothing at all."""
    marker = NOT_FOUND_MARKER.lower()
    head = ""
    for piece in pieces:
        head += piece
        opening = head.lstrip().lower()
        if opening.startswith(marker):
            for _ in pieces:  # the rest explains the refusal: read to the end, never shown
                pass
            return
        if len(opening) >= len(marker) or not marker.startswith(opening):
            yield head
            yield from pieces
            return
    if head.strip():  # a reply shorter than the marker that is not its start
        yield head


def _generate(
    chat: Chat, messages: list[dict[str, str]], temperature: float, out: list[str]
) -> Iterator[Delta]:
    for piece in _held_back(chat(messages, temperature=temperature)):
        out.append(piece)
        yield Delta(piece)


SECOND_LOOK_COVERAGE = 0.6
"""Share of the question's words one window of a passage must hold for a NOT FOUND to get a second look."""


def _strong_passage(question: str, sources: Sequence[Source]) -> int | None:
    """The passage whose best window holds the question's words (a second look is worth it), if any."""
    best: tuple[float, int] | None = None
    for i, s in enumerate(sources):
        ev = best_evidence(question, [passage_of(s)])
        if ev is None or ev.missing_names or ev.missing_numbers:
            continue
        if ev.claim_coverage >= SECOND_LOOK_COVERAGE and (best is None or ev.claim_coverage > best[0]):
            best = (ev.claim_coverage, i)
    return best[1] if best else None


def _quotes(result: Verification, sources: Sequence[Source]) -> tuple[Quote, ...]:
    seen: dict[tuple[int, int, int], Quote] = {}
    for sentence in result.sentences:
        for ev in sentence.evidence:
            src = sources[ev.passage]
            key = (src.n, ev.start, ev.end)
            if key not in seen:
                seen[key] = Quote(n=src.n, file=src.file, text=" ".join(src.text[ev.start : ev.end].split()))
    return tuple(seen.values())


def _checked_sources(result: Verification, sources: Sequence[Source]) -> tuple[Source, ...]:
    support: dict[int, list[str]] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    for sentence in result.sentences:
        for ev in sentence.evidence:
            support.setdefault(ev.passage, []).append(sentence.text)
            spans.setdefault(ev.passage, []).append((ev.start, ev.end))
    return tuple(
        replace(
            s,
            cited=i in support,
            support=tuple(dict.fromkeys(support.get(i, ()))),
            evidence=tuple(sorted(set(spans.get(i, ())))),
        )
        for i, s in enumerate(sources)
    )


def answer_stream(
    question: str,
    *,
    history: Sequence[dict[str, str]] | None,
    options: AskOptions,
    retrieve: Retrieve,
    chat: Chat,
) -> Iterator[StreamEvent]:
    """Yield Searching, then the model's text as Deltas, then the verified Answer.

    Raises:
        InvalidQuestion: empty or over-long question.
        EndpointError: the model endpoint failed (raised where it happens, nothing is half-answered).
    """
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    q = clean_question(question, options.max_question_chars)
    turns = clean_history(history)

    t = time.perf_counter()
    query = search_query(q, turns, chat)
    timings["condense"] = time.perf_counter() - t
    yield Searching(query)

    t = time.perf_counter()
    sources = retrieve(query, options.top_k)
    timings["retrieve"] = time.perf_counter() - t
    base = Answer(text="", sources=tuple(sources), refused=True, question=q, search_query=query,
                  model=options.model)  # fmt: skip

    if not sources or max(s.score for s in sources) < options.min_relevance:
        timings.update(prompt=0.0, generate=0.0, verify=0.0, total=time.perf_counter() - t_start)
        yield replace(base, text=REFUSAL_TEXT, timings=timings)
        return

    t = time.perf_counter()
    shown = [(s.n, s.file, _read(s, query, options)) for s in sources]
    messages = answer_messages(query, shown)
    timings["prompt"] = time.perf_counter() - t

    t = time.perf_counter()
    pieces: list[str] = []
    yield from _generate(chat, messages, options.temperature, pieces)
    raw = "".join(pieces) or NOT_FOUND_MARKER
    timings["generate"] = time.perf_counter() - t

    t = time.perf_counter()
    passages = [passage_of(s) for s in sources]
    result = _decide(raw, passages, query, options)
    timings["verify"] = time.perf_counter() - t
    second = False
    if result.refused and options.second_look:
        strong = _strong_passage(query, sources)
        if strong is not None:
            second = True
            if "".join(pieces).strip():
                yield Withdrawn()
            t = time.perf_counter()
            messages = second_look_messages(query, shown[strong])
            again: list[str] = []
            yield from _generate(chat, messages, options.temperature, again)
            timings["generate"] += time.perf_counter() - t
            t = time.perf_counter()
            retry = "".join(again) or NOT_FOUND_MARKER
            checked = _decide(retry, passages, query, options)
            if not checked.refused:
                raw, result = retry, checked
            timings["verify"] += time.perf_counter() - t
    timings["total"] = time.perf_counter() - t_start
    yield replace(
        base,
        text=REFUSAL_TEXT if result.refused else result.text,
        sources=tuple(sources) if result.refused else _checked_sources(result, sources),
        refused=result.refused,
        unsupported=result.unsupported,
        timings=timings,
        raw_text=raw,
        quotes=() if result.refused else _quotes(result, sources),
        second_look=second,
        prompt_chars=sum(len(m["content"]) for m in messages),
    )


def _decide(raw: str, passages: list[Passage], query: str, options: AskOptions) -> Verification:
    result = verify_answer(raw, passages, question=query, thresholds=options.thresholds)
    return complete_answer(result, passages)


def _read(source: Source, query: str, options: AskOptions) -> str:
    if not options.focus_chars:
        return source.text
    return focus(source.text, query, max_chars=options.focus_chars, context=passage_of(source).context)
