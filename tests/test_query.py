"""What is searched for: questions that stand alone are searched as typed; follow-ups are rewritten once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.answer.followup import names_in, needs_context, search_query

HISTORY = [
    {"role": "user", "content": "What was Mistral AI's first model?"},
    {"role": "assistant", "content": "Its first model was Mistral 7B, released in September 2023."},
]


class RecordingChat:
    """Replies with a fixed rewrite and records its calls (the rewrite model is not under test)."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[list[dict[str, str]]] = []

    def __call__(self, messages: list[dict[str, str]], **_: object) -> Iterator[str]:
        self.calls.append(messages)
        yield self.reply


@pytest.mark.parametrize(
    "question",
    [
        "Under which licence was Mistral 7B released?",
        "When was the GGUF file format introduced?",
        "Which company released the model that beat GPT-4?",
        "How many tokens was Falcon 180B trained on?",
    ],
)
def test_search_query__question_that_names_its_subject_is_searched_as_typed_without_a_model_call(
    question: str,
) -> None:
    chat = RecordingChat("What is the license for something else?")
    assert search_query(question, HISTORY, chat) == question
    assert chat.calls == []


@pytest.mark.parametrize(
    "question",
    [
        "And under which licence was it released?",
        "How many tokens was their 40B model trained on?",
        "How many parameters does the 2025 version have?",
        "What about Falcon?",
        "Why?",
        "When was that?",
    ],
)
def test_needs_context__question_that_leans_on_the_conversation_is_detected(question: str) -> None:
    assert needs_context(question)


def test_search_query__follow_up_is_rewritten_by_one_model_call() -> None:
    chat = RecordingChat("Under which licence was Mistral 7B released?")
    assert search_query("And under which licence was it released?", HISTORY, chat) == (
        "Under which licence was Mistral 7B released?"
    )
    assert len(chat.calls) == 1
    assert "Mistral 7B" in chat.calls[0][1]["content"]


def test_search_query__rewrite_that_drops_a_name_of_the_question_is_not_trusted() -> None:
    chat = RecordingChat("How much market value did the company lose?")
    query = search_query("How much market value did Nvidia lose a week after its release?", HISTORY, chat)
    assert "Nvidia" in query
    assert query.startswith("What was Mistral AI's first model?")


def test_search_query__without_a_model_a_follow_up_is_joined_with_the_last_question() -> None:
    assert search_query("And under which licence was it released?", HISTORY, None) == (
        "What was Mistral AI's first model? And under which licence was it released?"
    )
    assert search_query("Under which licence was Mistral 7B released?", HISTORY, None) == (
        "Under which licence was Mistral 7B released?"
    )


def test_search_query__without_history_no_model_is_called() -> None:
    chat = RecordingChat("anything")
    assert search_query("And who built it?", [], chat) == "And who built it?"
    assert chat.calls == []


def test_names_in__finds_names_acronyms_and_model_sizes_but_not_question_words() -> None:
    assert names_in("When did Mistral AI release Mistral 7B?") == ["mistral", "ai", "7b"]
    assert names_in("What is retrieval-augmented generation?") == []
    assert names_in("And who built it?") == []


def test_search_query__rewrite_that_asks_another_way_is_not_trusted() -> None:
    history = [
        {"role": "user", "content": "Who founded Hugging Face?"},
        {"role": "assistant", "content": "Clément Delangue, Julien Chaumond and Thomas Wolf [1]."},
    ]
    chat = RecordingChat("When did Clément Delangue start Hugging Face?")
    query = search_query("How old was he when he started the company?", history, chat)
    assert query == "Who founded Hugging Face? How old was he when he started the company?"
    kept = RecordingChat("How old was Clément Delangue when he started Hugging Face?")
    rewritten = search_query("How old was he when he started the company?", history, kept)
    assert rewritten == "How old was Clément Delangue when he started Hugging Face?"


def test_search_query__rewrite_that_loses_part_of_a_question_naming_its_subject_gives_way_to_it() -> None:
    question = "Who created the Llama 2 models, and under what licence were they released?"
    chat = RecordingChat("Who created the Llama 2 models?")
    assert search_query(question, HISTORY, chat) == question
