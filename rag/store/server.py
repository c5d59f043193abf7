"""The store on a Chroma server (RAG_CHROMA_URL): every call that loses the server says which one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

from rag.endpoint.http import Advice, Failure, endpoint_failure
from rag.errors import ConfigError
from rag.settings import Settings
from rag.store.chroma import Store

CHROMA = Advice(
    what="Chroma server",
    expected="a Chroma answer",
    timeout="check it is running and not overloaded",
    unreachable="start it (`chroma run --path DIR --port N`) or fix RAG_CHROMA_URL",
    status="check the server's log",
    protocol="is RAG_CHROMA_URL a Chroma server?",
)


class ServerStore(Store):
    """The index on the Chroma server at `Settings.chroma_url`, telemetry off."""

    def __init__(self, settings: Settings) -> None:
        """Connect to the server.

        Args:
            settings: Its `chroma_url` names the server (http(s)://host:port).

        Raises:
            ConfigError: the URL is not an http(s) URL with a host.
            EndpointUnavailable: nothing answers there.
        """
        self._settings = settings
        self.url = settings.chroma_url
        url = urlparse(self.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"RAG_CHROMA_URL {self.url!r} is not an http(s)://host:port URL")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=port,
                ssl=url.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
        except (ValueError, httpx.TransportError) as e:
            # chromadb reports a server it cannot reach as a ValueError ("Could not connect")
            kind = None if isinstance(e, httpx.TransportError) else Failure.UNREACHABLE
            raise endpoint_failure(e, url=self.url, advice=CHROMA, kind=kind) from e
        super().__init__(client)

    def guard(self) -> AbstractContextManager[None]:
        return self._lost_server()

    @contextmanager
    def _lost_server(self) -> Iterator[None]:
        try:
            yield
        except httpx.TransportError as e:
            raise endpoint_failure(e, url=self.url, advice=CHROMA) from e

    def reopened(self) -> ServerStore:
        """A new connection to the server (every client of a server sees every write: nothing is stale)."""
        return ServerStore(self._settings)
