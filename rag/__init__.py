"""Answers you can check, from documents you own, on models you own.

from rag import ask
answer = ask("Under which licence was Mistral 7B released?")
print(answer.text)          # with verified [n] citations
for s in answer.cited_sources:
    print(s.n, s.file, s.page)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import rag.offline  # noqa: F401  (first: switches telemetry off before any library loads)
from rag.engine_cache import EngineCache
from rag.errors import (
    ConfigError,
    EndpointError,
    EndpointProtocolError,
    EndpointTimeout,
    EndpointUnavailable,
    IndexBusy,
    IndexEmpty,
    IndexMismatch,
    IngestError,
    InvalidQuestion,
    RagError,
)
from rag.settings import Settings
from rag.store.collections import checked_name
from rag.types import Answer, Delta, Quote, Searching, Source, Status, StreamEvent, Withdrawn

if TYPE_CHECKING:
    from rag.engine import Rag
    from rag.ingest.scan import IndexReport

__all__ = [
    "Answer",
    "ConfigError",
    "Delta",
    "EndpointError",
    "EndpointProtocolError",
    "EndpointTimeout",
    "EndpointUnavailable",
    "IndexBusy",
    "IndexEmpty",
    "IndexMismatch",
    "IndexReport",
    "IngestError",
    "InvalidQuestion",
    "Quote",
    "Rag",
    "RagError",
    "Searching",
    "Settings",
    "Source",
    "Status",
    "StreamEvent",
    "Withdrawn",
    "ask",
    "ask_stream",
    "index_corpus",
    "status",
]


# The engine and the indexer load Chroma and LlamaIndex: imported on first use, so that `import rag` (and the
# `rag` command's light subcommands) stay quick.
_LAZY = {"Rag": "rag.engine", "IndexReport": "rag.ingest.indexer"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


# The one process-wide cache: an engine (embedder, store, endpoint) per distinct settings object, so repeated
# `ask()` calls do not reload the embedder or restart the embedded endpoint.
_engines = EngineCache(size=4)


def _engine(settings: Settings | None, engine: Rag | None, collection: str | None = None) -> Rag:
    if engine is not None:
        if collection is not None and collection != engine.settings.collection:
            raise ConfigError(
                f"the engine given answers from {engine.settings.collection!r}, not {collection!r}: "
                "pass one or the other"
            )
        return engine
    settings = settings or Settings()
    if collection is not None:
        settings = settings.model_copy(update={"collection": checked_name(collection)})
    return _engines.get(settings)


def ask(
    question: str,
    *,
    history: Sequence[dict[str, str]] | None = None,
    settings: Settings | None = None,
    engine: Rag | None = None,
    collection: str | None = None,
) -> Answer:
    """Answer a question from the indexed documents, with verified citations.

    Args:
        question: The question.
        history: Earlier turns, oldest first, as {"role": "user"|"assistant", "content": str}.
        settings: Settings to use (default: `Settings()` from the environment and `.env`).
        engine: An existing `Rag` to reuse instead.
        collection: The collection to answer from (default: the settings', `corpus` unless configured).

    Returns:
        The `Answer`: text with `[n]` markers, numbered sources, `refused`, `unsupported`.
    """
    return _engine(settings, engine, collection).ask(question, history=history)


def ask_stream(
    question: str,
    *,
    history: Sequence[dict[str, str]] | None = None,
    settings: Settings | None = None,
    engine: Rag | None = None,
    collection: str | None = None,
) -> Iterator[StreamEvent]:
    """Like `ask`, yielding `Searching`, then `Delta` text pieces, then the final `Answer`."""
    return _engine(settings, engine, collection).ask_stream(question, history=history)


def index_corpus(
    settings: Settings | None = None, *, engine: Rag | None = None, collection: str | None = None
) -> IndexReport:
    """Bring the index (of `collection`, by default the configured one) in step with the corpus folder."""
    return _engine(settings, engine, collection).index()


def status(
    settings: Settings | None = None, *, engine: Rag | None = None, collection: str | None = None
) -> Status:
    """Documents and chunks indexed, the embedder, and the endpoint's health (see `Status`)."""
    return _engine(settings, engine, collection).status()
