"""What the page's events call: ask the engine, save uploads, read status, and format the results.

Each handler takes and returns plain values (strings, lists of chat messages), so tests call them directly
on a real engine without a browser. Errors from the core (`RagError`) are shown in the chat, never raised
into Gradio: the page stays usable and the next question is asked normally.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import RagError
from rag.text import MARKER
from rag.types import Answer, Delta, Searching, Withdrawn
from ui import format as fmt
from ui.uploads import MAX_UPLOAD_BYTES, save_uploads

if TYPE_CHECKING:
    from rag import Rag
    from rag.serving.engines import Engines

log = logging.getLogger(__name__)

Message = dict[str, str]
"""A chat message, `{"role": "user"|"assistant", "content": str}`."""


@dataclass(frozen=True)
class Conversation:
    """One browser session's conversation (kept in a `gr.State`).

    Attributes:
        chat: The messages as shown (formatted Markdown/HTML).
        history: The same turns as plain text, passed to the engine so follow-ups can be rewritten.
        pending: The question shown and waiting for (or receiving) its answer; None when idle.
    """

    chat: tuple[Message, ...] = ()
    history: tuple[Message, ...] = ()
    pending: str | None = None


AskUpdate = tuple[list[Message], Conversation, str]
"""(messages for the chatbot, the conversation to keep, text left in the question box)."""


def plain_history_text(answer_text: str) -> str:
    """Answer text without `[n]`/`[unsupported]` markers, as earlier turns are passed back to the engine."""
    return MARKER.sub("", answer_text).strip()


def pick_engine(engine: Rag, engines: Engines | None, collection: str | None) -> Rag:
    """The engine of the collection chosen on the page (the page's own one when none is chosen).

    Raises:
        UnknownCollection: the collection no longer exists.
    """
    if not collection or engines is None or collection == engine.settings.collection:
        return engine
    return engines.get(collection)


@dataclass
class ChatHandlers:
    """The page's event handlers, bound to one engine shared by every session.

    Attributes:
        engine: The `Rag` engine (built once by the app).
        upload_dir: Folder uploaded documents are saved in before indexing.
        max_upload_bytes: Largest upload accepted.
    """

    engine: Rag
    upload_dir: Path
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    engines: Engines | None = None

    def engine_for(self, collection: str | None) -> Rag:
        return pick_engine(self.engine, self.engines, collection)

    def submit(self, question: str, convo: Conversation | None) -> AskUpdate:
        """Show the question at once, with a waiting answer, before the answer is queued.

        Args:
            question: What the user typed.
            convo: The conversation so far (None: a new one).

        Returns:
            (chat messages, conversation with the question pending, question box text). While an answer is
            pending, or for a blank question, nothing changes and the typed text stays in the box.
        """
        convo = convo or Conversation()
        text = (question or "").strip()
        if not text or convo.pending is not None:
            return list(convo.chat), convo, question if text else ""
        chat = (
            *convo.chat,
            {"role": "user", "content": fmt.user_message(text)},
            {"role": "assistant", "content": fmt.waiting_message()},
        )
        return list(chat), Conversation(chat, convo.history, pending=text), ""

    def answer(
        self,
        convo: Conversation | None,
        top_k: float | None = None,
        temperature: float | None = None,
        collection: str | None = None,
    ) -> Iterator[AskUpdate]:
        """Stream the answer to the pending question into the chat.

        Args:
            convo: The conversation, its question pending (see `submit`).
            top_k: Passages to retrieve for this session (None: the settings' default).
            temperature: Sampling temperature for this session (None: the settings' default).
            collection: The collection chosen on the page (None: the page's own).

        Yields:
            (chat messages, conversation, question box text) after each streamed piece; the last one holds the
            verified answer with its sources, or an error message, and nothing pending.
        """
        convo = convo or Conversation()
        question = convo.pending
        if question is None:
            yield list(convo.chat), convo, ""
            return
        chat = list(convo.chat[:-1])  # without the waiting answer
        turn = f"t{len(chat) - 1}"
        history = list(convo.history)

        def update(content: str, done: list[Message] | None = None) -> AskUpdate:
            shown = [*chat, {"role": "assistant", "content": content}]
            if done is None:
                return shown, Conversation(tuple(shown), tuple(history), pending=question), ""
            return shown, Conversation(tuple(shown), tuple(done)), ""

        if history:  # rewriting a follow-up takes a model call: say what is happening
            yield update(fmt.streaming_message(None, "", turn=turn))
        query: str | None = None
        streamed = ""
        try:
            for event in self.engine_for(collection).ask_stream(
                question,
                history=history or None,
                top_k=int(top_k) if top_k else None,
                temperature=float(temperature) if temperature is not None else None,
            ):
                if isinstance(event, Searching):
                    query = event.query
                    yield update(fmt.streaming_message(query, "", turn=turn))
                elif isinstance(event, Delta):
                    if event.text:
                        streamed += event.text
                        yield update(fmt.streaming_message(query, streamed, turn=turn))
                elif isinstance(event, Withdrawn):  # the draft did not stand: the second look replaces it
                    streamed = ""
                    yield update(fmt.streaming_message(query, streamed, turn=turn))
                elif isinstance(event, Answer):
                    turns = [
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": plain_history_text(event.text)},
                    ]
                    yield update(fmt.answer_message(event, turn=turn), history + turns)
                    return
            raise RagError("the answer stream ended without an answer")
        except RagError as err:
            yield update(fmt.error_message(err), history)
        except Exception as err:  # the page must survive anything; the log keeps the traceback
            log.exception("unexpected error while answering %r", question)
            yield update(fmt.error_message(err), history)

    def ask(
        self,
        question: str,
        convo: Conversation | None,
        top_k: float | None = None,
        temperature: float | None = None,
    ) -> Iterator[AskUpdate]:
        """`submit` then `answer`, in one call (tests, scripts)."""
        shown = self.submit(question, convo)
        yield shown
        if shown[1].pending is not None and shown[1] is not convo:
            yield from self.answer(shown[1], top_k, temperature)

    def ask_api(self, question: str, top_k: int = 0, temperature: float = -1.0) -> Iterator[str]:
        """The page's answer to one question as it streams (Markdown/HTML), for API clients.

        Args:
            question: The question (no conversation: each call stands alone).
            top_k: Passages to retrieve; 0 for the default.
            temperature: Sampling temperature; negative for the default.
        """
        for chat, _convo, _box in self.ask(
            question, None, top_k or None, temperature if temperature >= 0 else None
        ):
            if chat:
                yield chat[-1]["content"]

    def stop(self, convo: Conversation | None) -> AskUpdate:
        """Stop the pending answer: keep what was shown, mark it stopped, accept a new question."""
        convo = convo or Conversation()
        if convo.pending is None:
            return list(convo.chat), convo, ""
        chat = (
            *convo.chat[:-1],
            {"role": "assistant", "content": fmt.stopped_message(convo.chat[-1]["content"])},
        )
        return list(chat), Conversation(chat, convo.history), ""

    def upload(self, files: Sequence[str | Path] | None, collection: str | None = None) -> Iterator[str]:
        """Save uploaded files and index them, reporting progress as Markdown.

        Args:
            files: Paths of the uploaded temporary files (their names are the names the user gave).
            collection: The collection they are indexed into (None: the page's own).

        Yields:
            The report: saving, indexing, then what can be asked about and what was refused.
        """
        paths = [Path(f) for f in files or []]
        if not paths:
            return
        try:
            engine = self.engine_for(collection)
        except RagError as unknown:
            yield fmt.upload_report([], [(p.name, str(unknown)) for p in paths])
            return
        yield f"⏳ Saving {len(paths)} file{'s' if len(paths) != 1 else ''}…"
        result = save_uploads(paths, self.upload_dir, max_bytes=self.max_upload_bytes)
        saved_names = [p.name for p in result.saved]
        if not result.saved:
            yield fmt.upload_report([], result.rejected)
            return
        yield fmt.upload_report(saved_names, result.rejected)
        outcome: dict[str, Any] = {}
        progress: queue.Queue[tuple[int, int, str]] = queue.Queue()

        def run() -> None:
            try:
                outcome["report"] = engine.index(
                    paths=list(result.saved),
                    progress=lambda done, total, key: progress.put((done, total, key)),
                )
            except Exception as err:  # reported below, in the page
                outcome["error"] = err

        worker = threading.Thread(target=run, name="ui-upload-index", daemon=True)
        worker.start()
        while worker.is_alive() or not progress.empty():
            try:
                done, total, key = progress.get(timeout=0.25)
            except queue.Empty:
                continue
            yield fmt.upload_report(saved_names, result.rejected, progress=(done, total, Path(key).name))
        worker.join()

        err = outcome.get("error")
        if err is not None:
            if not isinstance(err, RagError):
                log.error("unexpected error while indexing %s", saved_names, exc_info=err)
            yield fmt.upload_report(
                [], result.rejected + [(n, f"indexing failed: {err}") for n in saved_names]
            )
            return
        report = outcome["report"]
        skipped = [(Path(f).name, reason) for f, reason in report.skipped]
        skipped_names = {name for name, _ in skipped}
        indexed = {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "chunks": report.chunks_written,
        }
        yield fmt.upload_report(
            [n for n in saved_names if n not in skipped_names],
            result.rejected,
            indexed=indexed,
            skipped=skipped,
        )

    def status(self, collection: str | None = None) -> str:
        """The status bar HTML: endpoint, model, health, documents and chunks, the collection."""
        try:
            info = self.engine_for(collection).status()
        except Exception as err:  # status must never break the page
            log.warning("status failed: %s", err)
            return fmt.status_error_html(err)
        return fmt.status_html(info)

    def clear(self) -> AskUpdate:
        """Start a new conversation: empty chat and history."""
        return [], Conversation(), ""
