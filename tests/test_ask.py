"""ask() end to end on the real corpus, the real embedder and the real embedded llama.cpp endpoint."""

from __future__ import annotations

import json
import re

import pytest

from rag import Answer, Delta, Rag, Searching, ask
from rag.cli import main as cli_main


def _cited_files(answer: Answer) -> set[str]:
    return {s.file for s in answer.sources if s.cited}


def test_ask__corpus_question_is_answered_with_a_citation_to_the_file_that_holds_it(
    corpus_engine: Rag,
) -> None:
    answer = ask("Under which licence was Mistral 7B released?", engine=corpus_engine)
    assert not answer.refused, answer.raw_text
    assert "Apache" in answer.text
    assert _cited_files(answer) == {"mistral-ai.md"}
    cited = [s for s in answer.sources if s.cited]
    assert all("Apache" in s.text for s in cited)
    # every marker in the text points at a cited source
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert marks and marks == {s.n for s in cited}


def test_ask__pdf_answer_cites_the_right_page(corpus_engine: Rag) -> None:
    answer = corpus_engine.ask("When was the GGUF file format introduced?")
    assert not answer.refused, answer.raw_text
    assert "August 2023" in answer.text
    assert {(s.file, s.page) for s in answer.sources if s.cited} == {("running-models-locally.pdf", 2)}


@pytest.mark.parametrize(
    ("question", "file", "names"),
    [
        ("Who founded EleutherAI?", "eleutherai.md", ["Connor Leahy", "Sid Black", "Leo Gao"]),
        ("Who founded Hugging Face?", "hugging-face.html", ["Delangue", "Chaumond", "Wolf"]),
    ],
)
def test_ask__a_list_answer_names_everyone_its_source_names(
    corpus_engine: Rag, question: str, file: str, names: list[str]
) -> None:
    answer = corpus_engine.ask(question)
    assert not answer.refused, answer.raw_text
    assert all(name in answer.text for name in names), answer.text
    assert _cited_files(answer) == {file}
    assert any(all(name in q.text for name in names) for q in answer.quotes)


def test_ask__a_figure_is_answered_with_the_sentence_that_states_it(corpus_engine: Rag) -> None:
    answer = corpus_engine.ask("How much did GPT-4 cost to train according to the AI Index?")
    assert not answer.refused, answer.raw_text
    assert "78 million" in answer.text and _cited_files(answer) == {"training-costs.md"}
    assert [q.file for q in answer.quotes] == ["training-costs.md"] and "78 million" in answer.quotes[0].text


@pytest.mark.parametrize(
    "question", ["What is the capital of Australia?", "What was the training budget of Falcon 180B in euros?"]
)
def test_ask__question_the_documents_do_not_answer_is_refused(corpus_engine: Rag, question: str) -> None:
    answer = corpus_engine.ask(question)
    assert answer.refused, answer.raw_text
    assert "could not find" in answer.text
    assert not any(s.cited for s in answer.sources)


def test_ask_stream__yields_search_then_text_then_the_same_answer_as_ask(corpus_engine: Rag) -> None:
    events = list(corpus_engine.ask_stream("Under which licence was Mistral 7B released?"))
    assert isinstance(events[0], Searching)
    assert isinstance(events[-1], Answer)
    deltas = [e for e in events if isinstance(e, Delta)]
    assert len(deltas) > 1, "the answer was not streamed"
    final = events[-1]
    assert "".join(d.text for d in deltas) == final.raw_text
    assert "Apache" in final.text and _cited_files(final) == {"mistral-ai.md"}
    assert set(final.timings) >= {"retrieve", "prompt", "generate", "verify", "total"}


def test_ask__follow_up_is_searched_as_a_standalone_question(corpus_engine: Rag) -> None:
    history = [
        {"role": "user", "content": "What was Mistral AI's first model?"},
        {"role": "assistant", "content": "Its first model was Mistral 7B, released in September 2023."},
    ]
    answer = corpus_engine.ask("And under which licence was it released?", history=history)
    assert "Mistral" in answer.search_query
    assert "mistral-ai.md" in {s.file for s in answer.sources}


def test_ask__standalone_question_in_a_conversation_is_searched_as_typed(corpus_engine: Rag) -> None:
    history = [
        {"role": "user", "content": "When was the GGUF file format introduced?"},
        {"role": "assistant", "content": "In August 2023 [1]."},
    ]
    question = "Under which licence was Mistral 7B released?"
    answer = corpus_engine.ask(question, history=history)
    assert answer.search_query == question
    assert not answer.refused and "Apache" in answer.text
    assert _cited_files(answer) == {"mistral-ai.md"}


def test_cli_ask_json__prints_exactly_the_public_fields(
    corpus_engine: Rag, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = corpus_engine.settings
    for key, value in {"RAG_DATA_DIR": s.data_dir, "RAG_CORPUS_DIR": s.corpus_dir,
                       "RAG_LLM_BASE_URL": s.llm_base_url, "RAG_LLM_MODEL": s.llm_model}.items():  # fmt: skip
        monkeypatch.setenv(key, str(value))
    assert cli_main(["ask", "--json", "How many natural languages does BLOOM cover?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"text", "sources", "refused", "unsupported", "quotes"}
    assert set(data["sources"][0]) >= {"n", "file", "page", "text", "score"}
    assert "46" in data["text"] and not data["refused"]

    assert cli_main(["status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["documents"] >= 20 and st["chunks"] > st["documents"]
    assert st["endpoint"]["healthy"] is True and st["endpoint"]["url"] == s.llm_base_url


def test_cli__errors_are_one_line_and_exit_non_zero(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "empty"))
    assert cli_main(["ask", "anything?"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: nothing is indexed") and "rag index" in err and "\n" not in err
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "missing"))
    assert cli_main(["index"]) == 1
    assert "does not exist" in capsys.readouterr().err
