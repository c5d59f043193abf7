"""The page's components and how events connect them to `ui.handlers`: wiring only, no logic or formatting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.events import api as gr_api

from rag.serving.engines import Engines
from ui.documents import COLUMNS, DocumentHandlers
from ui.handlers import ChatHandlers, Conversation
from ui.uploads import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from rag import Rag, Settings

TITLE = "Ask your documents"
ASK_CONCURRENCY = 2
"""Answers in progress at once. llama.cpp generates one at a time: two keep it busy back to back, and the rest
wait in Gradio's queue (which shows their position) rather than in the endpoint, where they would time out."""

QUEUE_POLL_S = 0.02
"""How often Gradio's queue looks for a new event when it has none. Gradio polls every 1 ms on Linux; on two
cores that loop took about 0.2 s of CPU from the model during every prompt evaluation (bench/ui_ttft.py)."""

PROGRESS_POLL_S = 0.25
"""How often Gradio looks for progress updates (gr.Progress) while an event runs: every 10 ms by default,
which wakes the page 100 times a second while the model reads the prompt. The page reports progress by
yielding messages, not through gr.Progress, so a slow look costs nothing."""

_HEADER = f"""
<div id="rag-title"><h1>📚 {TITLE}</h1>
<p>Answers come only from the indexed documents, with numbered citations you can open and check.</p></div>
"""
_EMPTY_CHAT = """
<div style="text-align:center; max-width: 460px; margin: 0 auto; opacity: .85">
<h3 style="margin-bottom:6px">Ask a question about your documents</h3>
<p style="font-size:.9rem">Every answer cites its sources like <b>[1]</b>: click a number or a source
below the answer to read the passage it comes from. Ask follow-up questions as in a conversation;
drop your own files on the right to ask about them too.</p></div>
"""
_UPLOAD_HELP = (
    f"{', '.join(SUPPORTED_SUFFIXES)} — up to {{mb}} MB each. "
    "Files are indexed right away; then ask about them."
)


def build_app(engine: Rag, settings: Settings, *, engines: Engines | None = None) -> gr.Blocks:
    """Build the chat page for one engine, shared by every visitor.

    Args:
        engine: The `Rag` engine (built once; the page never builds another).
        settings: Settings for defaults (top-k, temperature, upload folder and size limit).
        engines: The engines of the other collections, offered by the collection picker (built when None;
            the chat API's, when both are served by one process).

    Returns:
        The Blocks app, queued; launch it with `ui.app.launch` (which adds theme, CSS and script).
    """
    max_mb = settings.upload_max_mb
    engines = engines or Engines(settings, engine=engine)
    h = ChatHandlers(
        engine=engine,
        upload_dir=settings.uploads_dir,
        max_upload_bytes=max_mb * 1024 * 1024,
        engines=engines,
    )

    demo: gr.Blocks
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_height=True) as demo:
        convo = gr.State(Conversation())
        with gr.Row(elem_id="rag-header", equal_height=True):
            gr.HTML(_HEADER, scale=3)
            status = gr.HTML(elem_id="rag-status-bar", scale=2)
        collection = gr.Dropdown(
            choices=_names(engines, engine),
            value=engine.settings.collection,
            label="Collection",
            info="The documents answers come from; uploads go into it too.",
            elem_id="rag-collection",
            interactive=True,
        )
        with gr.Tabs(elem_id="rag-tabs"):
            with gr.Tab("Chat", elem_id="rag-chat-tab"):
                side = _chat_tab(settings, max_mb)
            with gr.Tab("Documents", elem_id="rag-docs-tab") as docs_tab:
                docs = _documents_tab()
        _wire_documents(
            DocumentHandlers(engine=engine, engines=engines), h, docs, docs_tab, status, collection
        )
        _wire_chat(h, convo, status, side, collection)
        hidden: dict[str, Any] = dict(show_progress="hidden", api_visibility="private")
        demo.load(lambda: gr.update(choices=_names(engines, engine)), None, collection, **hidden)
        demo.load(h.status, collection, status, **hidden)

    demo.queue(default_concurrency_limit=2, max_size=200)
    # gradio is pinned; tests/ui check that both attributes are still the ones its loops sleep on
    demo._queue.sleep_when_free = QUEUE_POLL_S
    demo._queue.progress_update_sleep_when_free = PROGRESS_POLL_S
    return demo


def _chat_tab(settings: Settings, max_mb: int) -> tuple[Any, ...]:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="rag-chat",
                show_label=False,
                height=600,
                placeholder=_EMPTY_CHAT,
                latex_delimiters=[],
                feedback_options=None,
                layout="bubble",
                buttons=[],  # a message's "copy" would copy its HTML, not its text
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    elem_id="rag-question",
                    placeholder="Ask a question about your documents…",
                    show_label=False,
                    lines=1,
                    max_lines=6,
                    autofocus=True,
                    scale=8,
                    container=False,
                )
                ask = gr.Button("Ask", variant="primary", elem_id="rag-ask", scale=1, min_width=80)
                stop = gr.Button(
                    "Stop", variant="stop", elem_id="rag-stop", scale=1, min_width=80, visible=False
                )
            new_chat = gr.Button("New conversation", size="sm", variant="secondary", elem_id="rag-new")
        with gr.Column(scale=1, min_width=280, elem_id="rag-side"):
            gr.HTML('<p class="rag-side-title">Add documents</p>')
            files = gr.File(
                elem_id="rag-upload",
                file_count="multiple",
                file_types=list(SUPPORTED_SUFFIXES),
                show_label=False,
                height=150,
            )
            gr.HTML(f'<p class="rag-side-help">{_UPLOAD_HELP.format(mb=max_mb)}</p>')
            upload_report = gr.Markdown(elem_id="rag-upload-report")
            with gr.Accordion("Answer settings", open=False, elem_id="rag-settings"):
                top_k = gr.Slider(
                    1,
                    12,
                    value=settings.top_k,
                    step=1,
                    label="Passages to read (top-k)",
                    info="More passages: broader answers, slower.",
                )
                temperature = gr.Slider(
                    0.0,
                    1.5,
                    value=settings.temperature,
                    step=0.05,
                    label="Temperature",
                    info="0 gives the same answer every time.",
                )
            refresh = gr.Button("↻ Refresh status", size="sm", variant="secondary")
    return chatbot, question, ask, stop, new_chat, files, upload_report, top_k, temperature, refresh


def _names(engines: Engines, engine: Rag) -> list[str]:
    try:
        return engines.names()
    except Exception:  # a store that does not answer: the page still starts, on its own collection
        return [engine.settings.collection]


def _wire_chat(h: ChatHandlers, convo: Any, status: Any, side: tuple[Any, ...], collection: Any) -> None:
    chatbot, question, ask, stop, new_chat, files, upload_report, top_k, temperature, refresh = side
    ask_outputs = [chatbot, convo, question]
    hidden: dict[str, Any] = dict(show_progress="hidden", api_visibility="private")
    answering = []
    for trigger in (question.submit, ask.click):
        shown = trigger(h.submit, [question, convo], ask_outputs, queue=False, **hidden)
        shown.then(_buttons_running, None, [ask, stop], queue=False, **hidden)
        answered = shown.then(
            h.answer,
            [convo, top_k, temperature, collection],
            ask_outputs,
            concurrency_limit=ASK_CONCURRENCY,
            concurrency_id="ask",
            show_progress="minimal",
            api_visibility="private",
        )
        answered.then(_buttons_idle, None, [ask, stop], queue=False, **hidden)
        answering.append(answered)
    stop.click(h.stop, convo, ask_outputs, cancels=answering, queue=False, **hidden).then(
        _buttons_idle, None, [ask, stop], queue=False, **hidden
    )
    for clear in (new_chat.click, chatbot.clear):
        clear(h.clear, None, ask_outputs, cancels=answering, queue=False, **hidden).then(
            _buttons_idle, None, [ask, stop], queue=False, **hidden
        )
    gr_api(h.ask_api, api_name="ask", concurrency_limit=ASK_CONCURRENCY, concurrency_id="ask")

    files.upload(
        h.upload, [files, collection], upload_report, concurrency_limit=1, concurrency_id="index", **hidden
    ).then(_cleared, None, files, queue=False, **hidden).then(h.status, collection, status, **hidden)
    refresh.click(h.status, collection, status, **hidden)


def _documents_tab() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    parts["summary"] = gr.Markdown(elem_id="rag-docs-summary")
    parts["table"] = gr.Dataframe(
        headers=COLUMNS, interactive=False, elem_id="rag-docs-table", wrap=True, max_height=420
    )
    with gr.Row(equal_height=True):
        parts["pick"] = gr.Dropdown(
            choices=[], label="Document", elem_id="rag-doc-pick", scale=4, allow_custom_value=False
        )
        parts["delete"] = gr.Button(
            "Remove from the index", variant="stop", elem_id="rag-doc-delete", scale=1
        )
    with gr.Row(visible=False, elem_id="rag-doc-confirm-row") as confirm_row:
        parts["confirm_text"] = gr.Markdown(elem_id="rag-doc-confirm-text")
        parts["confirm"] = gr.Button("Yes, remove it", variant="stop", elem_id="rag-doc-confirm", scale=0)
        parts["cancel"] = gr.Button("Cancel", elem_id="rag-doc-cancel", scale=0)
    parts["confirm_row"] = confirm_row
    with gr.Row():
        parts["reindex"] = gr.Button("↻ Re-index the corpus", elem_id="rag-reindex", size="sm")
        parts["refresh"] = gr.Button("↻ Refresh the list", elem_id="rag-docs-refresh", size="sm")
    parts["report"] = gr.Markdown(elem_id="rag-docs-report")
    return parts


def _wire_documents(
    d: DocumentHandlers, h: ChatHandlers, p: dict[str, Any], tab: Any, status: Any, collection: Any
) -> None:
    hidden: dict[str, Any] = dict(show_progress="hidden", api_visibility="private")

    def listing(chosen: str | None) -> list[Any]:
        rows, files, summary = d.listing(chosen)
        return [summary, rows, gr.update(choices=files, value=None)]

    def ask_confirm(file: str | None) -> list[Any]:
        text = d.confirm_text(file)
        return [gr.update(visible=bool(text)), text, "" if text else "Choose a document first."]

    list_outputs = [p["summary"], p["table"], p["pick"]]
    hide = [gr.update(visible=False)]
    for trigger in (tab.select, p["refresh"].click, collection.change):
        trigger(listing, collection, list_outputs, **hidden)
    collection.change(h.status, collection, status, **hidden)
    p["delete"].click(ask_confirm, p["pick"], [p["confirm_row"], p["confirm_text"], p["report"]], **hidden)
    p["cancel"].click(lambda: hide[0], None, p["confirm_row"], queue=False, **hidden)
    p["confirm"].click(lambda: hide[0], None, p["confirm_row"], queue=False, **hidden).then(
        d.delete, [p["pick"], collection], p["report"], concurrency_limit=1, concurrency_id="index", **hidden
    ).then(listing, collection, list_outputs, **hidden).then(h.status, collection, status, **hidden)
    p["reindex"].click(
        d.reindex, collection, p["report"], concurrency_limit=1, concurrency_id="index", **hidden
    ).then(listing, collection, list_outputs, **hidden).then(h.status, collection, status, **hidden)


def _buttons_running() -> list[Any]:
    return [gr.update(visible=False), gr.update(visible=True)]


def _buttons_idle() -> list[Any]:
    return [gr.update(visible=True), gr.update(visible=False)]


def _cleared() -> None:
    return None
