"""One engine per collection for a server, sharing the embedder (and, once started, the model endpoint)."""

from __future__ import annotations

import threading

from rag.engine import Rag
from rag.settings import Settings
from rag.store.collections import UnknownCollection, checked_name, collection_names


class Engines:
    """The engines a server answers with: the configured collection's, and one per other collection asked.

    Args:
        settings: The server's settings; its `collection` is always listed (even before it is indexed).
        engine: The configured collection's engine, when the caller has one (the page's, a test's).
    """

    def __init__(self, settings: Settings, *, engine: Rag | None = None) -> None:
        self.settings = settings
        self.default = engine or Rag(settings)
        self._by_name: dict[str, Rag] = {self.default.settings.collection: self.default}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Every collection in the store, and the configured one."""
        return sorted(set(collection_names(self.default.store)) | {self.default.settings.collection})

    def get(self, name: str) -> Rag:
        """The engine of collection `name`.

        Raises:
            ConfigError: the name cannot name a collection.
            UnknownCollection: there is no such collection.
        """
        checked_name(name)
        with self._lock:
            engine = self._by_name.get(name)
            if engine is not None:
                return engine
        known = self.names()
        if name not in known:
            raise UnknownCollection(name, known)
        with self._lock:
            if name not in self._by_name:
                base = self.default
                self._by_name[name] = Rag(  # the endpoint shared when known, else attached when needed
                    base.settings.model_copy(update={"collection": name}),
                    embedder=base.embedder,
                    endpoint=base.known_endpoint,
                )
            return self._by_name[name]

    def close(self) -> None:
        """Stop the embedded endpoint if one of these engines started it."""
        for engine in list(self._by_name.values()):
            engine.close()
