"""From a question to a verified answer: condense, retrieve, prompt, generate, verify.

`answer_stream` is the one code path: it yields what to show while the model writes and ends with the
verified `Answer`; `rag.ask()` consumes it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from rag.errors import InvalidQuestion
from rag.prompts import REFUSAL_TEXT, answer_messages, condense_messages
from rag.types import Answer, Delta, Searching, Source, StreamEvent
from rag.verify import verify_answer

Chat = Callable[..., Iterator[str]]
"""chat(messages, *, temperature=None, max_tokens=None) -> text pieces"""
Retrieve = Callable[[str, int], list[Source]]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class AskOptions:
    top_k: int
    temperature: float
    min_relevance: float
    support_threshold: float
    max_question_chars: int
    model: str


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters and surrounding space, or InvalidQuestion."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    q = _CONTROL.sub(" ", question).strip()
    if not q:
        raise InvalidQuestion("the question is empty: type a question about the documents")
    if len(q) > max_chars:
        raise InvalidQuestion(
            f"the question is {len(q)} characters long; the limit is {max_chars} (RAG_MAX_QUESTION_CHARS): "
            "shorten it"
        )
    return q


def clean_history(history: Sequence[dict[str, str]] | None) -> list[dict[str, str]]:
    turns = []
    for t in history or ():
        role, content = t.get("role"), t.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            turns.append({"role": role, "content": _CONTROL.sub(" ", content).strip()[:2000]})
    return turns[-6:]


def standalone_query(question: str, history: list[dict[str, str]], chat: Chat) -> str:
    """The question rewritten to stand alone, using the chat history (one short model call)."""
    if not history:
        return question
    rewritten = "".join(chat(condense_messages(question, history), temperature=0.0, max_tokens=64))
    rewritten = rewritten.strip().strip('"').splitlines()[0].strip() if rewritten.strip() else ""
    if not rewritten or len(rewritten) > 4 * len(question) + 200:
        last_user = next((t["content"] for t in reversed(history) if t["role"] == "user"), "")
        return f"{last_user} {question}".strip()
    return rewritten


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
    query = standalone_query(q, turns, chat)
    timings["condense"] = time.perf_counter() - t
    yield Searching(query)

    t = time.perf_counter()
    sources = retrieve(query, options.top_k)
    timings["retrieve"] = time.perf_counter() - t
    base = Answer(text="", sources=tuple(sources), refused=True, question=q, search_query=query,
                  model=options.model)  # fmt: skip

    if not sources or sources[0].score < options.min_relevance:
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
