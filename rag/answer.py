"""From a question to a verified answer: condense, retrieve, prompt, generate, verify.

`answer_stream` is the one code path: it yields what to show while the model writes and ends with the
verified `Answer`; `rag.ask()` consumes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from rag.prompts import REFUSAL_TEXT, answer_messages
from rag.query import Chat, clean_history, clean_question, search_query
from rag.types import Answer, Delta, Searching, Source, StreamEvent
from rag.verify import addresses_question, verify_answer

Retrieve = Callable[[str, int], list[Source]]


@dataclass(frozen=True)
class AskOptions:
    top_k: int
    temperature: float
    min_relevance: float
    support_threshold: float
    max_question_chars: int
    model: str


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
    messages = answer_messages(query, [(s.n, s.file, s.text) for s in sources])
    timings["prompt"] = time.perf_counter() - t

    t = time.perf_counter()
    pieces: list[str] = []
    for piece in chat(messages, temperature=options.temperature):
        pieces.append(piece)
        yield Delta(piece)
    raw = "".join(pieces)
    timings["generate"] = time.perf_counter() - t

    t = time.perf_counter()
    result = verify_answer(raw, [s.text for s in sources], threshold=options.support_threshold)
    if not result.refused:
        cited = [sources[n - 1].text for c in result.sentences if c.supported for n in c.citations]
        if not addresses_question(query, result.text, cited):
            result = replace(result, refused=True)
    cited_by: dict[int, list[str]] = {}
    for sentence in result.sentences:
        if sentence.supported:
            for n in sentence.citations:
                cited_by.setdefault(n, []).append(sentence.text)
    checked_sources = tuple(
        replace(s, cited=s.n in cited_by, support=tuple(cited_by.get(s.n, ()))) for s in sources
    )
    timings["verify"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t_start
    yield replace(
        base,
        text=REFUSAL_TEXT if result.refused else result.text,
        sources=checked_sources if not result.refused else tuple(sources),
        refused=result.refused,
        unsupported=result.unsupported,
        timings=timings,
        raw_text=raw,
    )
