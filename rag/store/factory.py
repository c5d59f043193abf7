"""The configured store, chosen once from the settings."""

from __future__ import annotations

from rag.settings import Settings
from rag.store.chroma import Store
from rag.store.embedded import EmbeddedStore
from rag.store.server import ServerStore


def open_store(settings: Settings) -> Store:
    """The configured store: on the Chroma server at RAG_CHROMA_URL when it is set, else in the data dir.

    Args:
        settings: The chroma URL or the data dir.

    Returns:
        The open store.

    Raises:
        ConfigError: RAG_CHROMA_URL is not an http(s) URL.
        EndpointUnavailable: RAG_CHROMA_URL is set and nothing answers there.
        IngestError: the embedded index cannot be opened.
    """
    if settings.chroma_url:
        return ServerStore(settings)
    return EmbeddedStore(settings)
