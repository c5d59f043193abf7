"""The answer stream's decisions on fixed passages and scripted model replies (the real model: test_ask.py).

A scripted reply is the only way to make a model say NOT FOUND on cue; everything after it (holding back,
the second look, the decision) is the real code.
"""

from __future__ import annotations

from collections.abc import Iterator

from rag.answer.pipeline import AskOptions, answer_stream
from rag.types import Answer, Delta, Source

PASSAGES = [
    Source(
        n=1,
        file="falcon.md",
        page=None,
        text="Falcon 180B was released by TII in September 2023. It was trained on 3.5 trillion tokens of "
        "RefinedWeb. Its licence is based on Apache 2.0.",
        score=0.7,
        title="Falcon",
    ),
    Source(n=2, file="bloom.md", page=None, text="BLOOM has 176 billion parameters.", score=0.5),
]
OPTIONS = AskOptions(top_k=2, temperature=0.0, min_relevance=0.3, max_question_chars=500, model="m")


def _retrieve(query: str, k: int) -> list[Source]:
    return PASSAGES[:k]


def _scripted(*replies: list[str]):  # type: ignore[no-untyped-def]
    calls: list[list[dict[str, str]]] = []
    queue = list(replies)

    def chat(messages: list[dict[str, str]], **_: object) -> Iterator[str]:
        calls.append(messages)
        yield from queue.pop(0)

    return chat, calls


def _run(question: str, chat) -> tuple[list[str], Answer]:  # type: ignore[no-untyped-def]
    events = list(answer_stream(question, history=None, options=OPTIONS, retrieve=_retrieve, chat=chat))
    final = events[-1]
    assert isinstance(final, Answer)
    return [e.text for e in events if isinstance(e, Delta)], final


def test_answer_stream__a_leading_not_found_is_never_shown_and_a_strong_passage_gets_a_second_look() -> None:
    chat, calls = _scripted(
        ["NOT", " FOUND", ". The passages do not say."],
        ["Falcon 180B was trained on 3.5", " trillion tokens [1]."],
    )
    shown, answer = _run("How many tokens was Falcon 180B trained on?", chat)
    assert "".join(shown) == "Falcon 180B was trained on 3.5 trillion tokens [1]."
    assert not any("NOT" in piece for piece in shown)
    assert answer.second_look and not answer.refused
    assert (
        len(calls) == 2 and "falcon.md" in calls[1][1]["content"] and "bloom.md" not in calls[1][1]["content"]
    )
    assert answer.quotes and answer.quotes[0].n == 1 and "3.5 trillion tokens" in answer.quotes[0].text


def test_answer_stream__not_found_without_a_strong_passage_is_refused_without_asking_again() -> None:
    chat, calls = _scripted(["NOT FOUND"])
    shown, answer = _run("What is the population of Tokyo?", chat)
    assert shown == [] and answer.refused and len(calls) == 1


def test_answer_stream__an_answer_is_streamed_as_written_then_verified() -> None:
    chat, _ = _scripted(["BLOOM has ", "176 billion", " parameters [2]."])
    shown, answer = _run("How many parameters does BLOOM have?", chat)
    assert shown == ["BLOOM has ", "176 billion", " parameters [2]."]
    assert answer.text == "BLOOM has 176 billion parameters [2]." and not answer.refused
    cited = answer.cited_sources
    assert [s.n for s in cited] == [2] and cited[0].evidence == ((0, len(PASSAGES[1].text)),)


def test_answer_stream__a_reply_that_is_only_the_start_of_the_marker_is_shown() -> None:
    chat, _ = _scripted(["NOT", "ABLE"], ["NOT FOUND"])  # the second look's NOT FOUND is not shown
    shown, _ = _run("How many parameters does BLOOM have?", chat)
    assert "".join(shown) == "NOTABLE"


def test_answer_stream__the_model_reads_each_passage_focused_on_the_question() -> None:
    long_text = " ".join(f"Sentence {i} is about nothing in particular here." for i in range(30))
    long_text += " Falcon 180B was trained on 3.5 trillion tokens."
    source = Source(n=1, file="long.md", page=None, text=long_text, score=0.6)
    chat, calls = _scripted(["Falcon 180B was trained on 3.5 trillion tokens [1]."])
    events = list(
        answer_stream(
            "How many tokens was Falcon 180B trained on?",
            history=None,
            options=OPTIONS,
            retrieve=lambda q, k: [source],
            chat=chat,
        )
    )
    prompt = calls[0][1]["content"]
    assert "3.5 trillion tokens" in prompt and len(prompt) < len(long_text)
    final = events[-1]
    assert isinstance(final, Answer) and final.sources[0].text == long_text and not final.refused


def test_answer_stream__a_shown_draft_that_does_not_stand_is_withdrawn_before_the_second_look() -> None:
    chat, calls = _scripted(
        ["Falcon 180B was trained on 7 trillion tokens [1]."],  # no passage states it
        ["Falcon 180B was trained on 3.5 trillion tokens [1]."],
    )
    events = list(
        answer_stream(
            "How many tokens was Falcon 180B trained on?",
            history=None,
            options=OPTIONS,
            retrieve=_retrieve,
            chat=chat,
        )
    )
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("Withdrawn") > kinds.index("Delta")
    after = events[kinds.index("Withdrawn") + 1 :]
    assert (
        "".join(e.text for e in after if isinstance(e, Delta))
        == "Falcon 180B was trained on 3.5 trillion tokens [1]."
    )
    final = events[-1]
    assert isinstance(final, Answer) and final.second_look and not final.refused
    assert "3.5 trillion" in final.text and len(calls) == 2 and "bloom.md" not in calls[1][1]["content"]


def test_answer_stream__a_second_look_that_does_not_stand_either_is_refused() -> None:
    chat, calls = _scripted(
        ["Falcon 180B was trained on 7 trillion tokens [1]."],
        ["Falcon 180B was trained on 9 trillion tokens [1]."],
    )
    shown, answer = _run("How many tokens was Falcon 180B trained on?", chat)
    assert answer.refused and answer.second_look and len(calls) == 2
