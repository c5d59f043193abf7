"""The page's handlers on the real stack: real index of corpus/ in a temp dir, real model endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.types import Answer, Delta, Searching, Withdrawn
from ui import format as fmt
from ui.handlers import ChatHandlers, Conversation, plain_history_text

QUESTION = "When was Mistral AI founded?"


@pytest.fixture
def handlers(engine, ui_settings) -> ChatHandlers:  # type: ignore[no-untyped-def]
    return ChatHandlers(engine=engine, upload_dir=ui_settings.uploads_dir)


def _run(h: ChatHandlers, question: str, convo: Conversation | None = None, **kw: object):  # type: ignore[no-untyped-def]
    updates = list(h.ask(question, convo, **kw))  # type: ignore[arg-type]
    chat, convo, box = updates[-1]
    return updates, chat, convo, box


def test_ask__streams_search_then_tokens_then_the_verified_answer_with_sources(
    handlers: ChatHandlers,
) -> None:
    updates, chat, convo, box = _run(handlers, QUESTION)
    contents = [u[0][-1]["content"] for u in updates]
    assert "Waiting for the model" in contents[0]
    assert any("Searching the documents for" in c and "Reading the passages" in c for c in contents)
    streamed = [c for c in contents if fmt.STREAM_CURSOR in c]
    assert len(streamed) >= 2, f"the answer should arrive in several pieces: {contents[-1][:600]}"
    final = chat[-1]["content"]
    assert fmt.STREAM_CURSOR not in final
    assert 'class="rag-cite"' in final and "mistral-ai.md" in final
    assert "2023" in final
    assert box == ""
    assert [m["role"] for m in convo.history] == ["user", "assistant"]
    assert convo.history[0]["content"] == QUESTION
    assert "[1]" not in convo.history[1]["content"] and "<" not in convo.history[1]["content"]


def test_ask__follow_up_uses_history_and_shows_the_rewritten_search(handlers: ChatHandlers) -> None:
    _, _, convo, _ = _run(handlers, QUESTION)
    updates, chat, convo2, _ = _run(handlers, "Who founded it?", convo)
    final = chat[-1]["content"]
    assert "Searched for" in final
    searched = final.split("<q>")[1].split("</q>")[0]
    assert searched != "Who founded it?", "the follow-up should be rewritten into a standalone query"
    assert len(convo2.history) == 4 and len(chat) == 4


def test_ask__question_outside_the_documents_is_shown_as_a_refusal(handlers: ChatHandlers) -> None:
    _, chat, convo, _ = _run(handlers, "What is the recipe for a good banana bread with walnuts?")
    assert 'class="rag-refusal"' in chat[-1]["content"]


def test_ask__per_session_top_k_limits_the_sources(handlers: ChatHandlers) -> None:
    _, chat, _, _ = _run(handlers, QUESTION, top_k=1)
    assert chat[-1]["content"].count('class="rag-source"') <= 1


def test_ask__empty_question_changes_nothing(handlers: ChatHandlers) -> None:
    updates = list(handlers.ask("   ", None))
    assert updates == [([], Conversation(), "")]


def test_ask__endpoint_down_is_a_chat_message_and_the_next_question_works_when_it_is_back(
    relay,
    relayed_engine,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    h = ChatHandlers(engine=relayed_engine, upload_dir=tmp_path / "up")
    relay.down()
    _, chat, convo, _ = _run(h, QUESTION)
    assert 'class="rag-error"' in chat[-1]["content"]
    assert convo.history == ()
    relay.up()
    _, chat, convo, _ = _run(h, QUESTION, convo)
    assert 'class="rag-error"' not in chat[-1]["content"]
    assert "mistral-ai.md" in chat[-1]["content"]
    assert len(chat) == 4 and len(convo.history) == 2


def test_upload__saved_file_is_indexed_and_can_be_asked_about_at_once(
    handlers: ChatHandlers, tmp_path: Path
) -> None:
    src = tmp_path / "incoming" / "zorblat festival.md"
    src.parent.mkdir()
    src.write_text(
        "# The Zorblat festival\n\nThe Zorblat festival is held every April in the village of Quenby. "
        "Its mascot is a purple heron called Pim.\n"
    )
    reports = list(handlers.upload([str(src)]))
    assert "Indexing" in reports[1]
    assert "Ready to ask about `zorblat festival" in reports[-1], reports[-1]
    assert (handlers.upload_dir / "zorblat festival.md").is_file()
    _, chat, _, _ = _run(handlers, "What is the mascot of the Zorblat festival?")
    final = chat[-1]["content"]
    assert "zorblat" in final.lower() and "Pim" in final


def test_upload__bad_files_are_reported_not_raised(handlers: ChatHandlers, tmp_path: Path) -> None:
    inc = tmp_path / "incoming"
    inc.mkdir()
    (inc / "tool.exe").write_bytes(b"MZ\x90\x00")
    (inc / "empty.txt").write_bytes(b"")
    (inc / "broken.pdf").write_bytes(b"this is not a pdf at all")
    report = list(handlers.upload([str(inc / n) for n in ("tool.exe", "empty.txt", "broken.pdf")]))[-1]
    assert "`tool.exe` was not added" in report
    assert "`empty.txt` was not added: the file is empty" in report
    assert "broken.pdf" in report and "❌" in report.split("broken.pdf")[0].rsplit("\n", 1)[-1]


def test_status__names_endpoint_model_and_counts(handlers: ChatHandlers, engine) -> None:  # type: ignore[no-untyped-def]
    html = handlers.status()
    info = engine.status()
    assert info.endpoint.model in html
    assert "ready" in html
    assert f"<b>{info.chunks}</b> chunks" in html


@pytest.fixture
def idle_handlers(tmp_path: Path) -> ChatHandlers:
    """Handlers on a lazy engine that is never asked (submit and stop do not reach the engine)."""
    from rag import Rag, Settings

    return ChatHandlers(engine=Rag(Settings(data_dir=tmp_path)), upload_dir=tmp_path / "uploads")


def test_submit__shows_the_question_at_once_with_a_waiting_answer(idle_handlers: ChatHandlers) -> None:
    chat, convo, box = idle_handlers.submit("  What is <b>BLOOM</b>?  ", None)
    assert box == "" and convo.pending == "What is <b>BLOOM</b>?"
    assert chat[0] == {"role": "user", "content": "What is &lt;b&gt;BLOOM&lt;/b&gt;?"}
    assert "Waiting for the model" in chat[1]["content"]


def test_submit__while_an_answer_is_pending_keeps_the_new_question_in_the_box(
    idle_handlers: ChatHandlers,
) -> None:
    _, convo, _ = idle_handlers.submit("first", None)
    chat, convo2, box = idle_handlers.submit("second", convo)
    assert convo2 is convo and box == "second" and len(chat) == 2


def test_stop__marks_the_answer_stopped_and_accepts_a_new_question(idle_handlers: ChatHandlers) -> None:
    _, convo, _ = idle_handlers.submit("first", None)
    chat, stopped, _ = idle_handlers.stop(convo)
    assert stopped.pending is None and "Stopped" in chat[-1]["content"] and stopped.history == ()
    assert idle_handlers.submit("second", stopped)[1].pending == "second"


def test_plain_history_text__drops_markers() -> None:
    assert plain_history_text("A [1]. B [2][3]. C. [unsupported]") == "A. B. C."


class _ScriptedEngine:
    """The events of an answer whose first draft did not stand (a model cannot be made to fail on cue)."""

    def ask_stream(self, question: str, **_: object):  # type: ignore[no-untyped-def]
        yield Searching(question)
        yield Delta("Falcon 180B was trained on 7 trillion tokens [1].")
        yield Withdrawn()
        yield Delta("Falcon 180B was trained on 3.5 trillion tokens [1].")
        yield Answer(
            text="Falcon 180B was trained on 3.5 trillion tokens [1].",
            sources=(),
            refused=False,
            question=question,
            second_look=True,
        )


def test_ask__a_withdrawn_draft_disappears_from_the_page_before_the_second_look_streams(
    tmp_path: Path,
) -> None:
    h = ChatHandlers(engine=_ScriptedEngine(), upload_dir=tmp_path)  # type: ignore[arg-type]
    updates, chat, _, _ = _run(h, "How many tokens was Falcon 180B trained on?")
    shown = [u[0][-1]["content"] for u in updates if u[0]]
    first = next(i for i, s in enumerate(shown) if "7 trillion" in s)
    assert all("7 trillion" not in s for s in shown[first + 1 :])
    assert "3.5 trillion" in chat[-1]["content"] and "7 trillion" not in chat[-1]["content"]
