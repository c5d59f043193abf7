"""The engines `rag.ask()` and friends reuse: one per distinct settings, the least recently used closed."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from rag.settings import Settings

if TYPE_CHECKING:
    from rag.engine import Rag


def _new_engine(settings: Settings) -> Rag:
    from rag.engine import Rag

    return Rag(settings)


class EngineCache:
    """Up to `size` engines by settings, so repeated calls neither reload the embedder nor restart the
    embedded endpoint; an engine pushed out is closed (its embedded server stopped), not left running.

    Args:
        size: How many engines are kept.
        build: Makes the engine of a settings object not cached yet (default: `Rag(settings)`).
    """

    def __init__(self, size: int = 4, *, build: Callable[[Settings], Rag] = _new_engine) -> None:
        if size < 1:
            raise ValueError("an engine cache holds at least one engine")
        self.size = size
        self._build = build
        self._engines: OrderedDict[Settings, Rag] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, settings: Settings) -> Rag:
        """The engine of `settings`: the cached one, or a new one (closing the least recently used).

        Args:
            settings: The settings the engine is for.

        Returns:
            The engine, shared with every later call with equal settings while it stays cached.
        """
        evicted: list[Rag] = []
        with self._lock:
            engine = self._engines.get(settings)
            if engine is not None:
                self._engines.move_to_end(settings)
                return engine
            engine = self._engines[settings] = self._build(settings)
            while len(self._engines) > self.size:
                evicted.append(self._engines.popitem(last=False)[1])
        for old in evicted:  # outside the lock: closing waits for a background keyword build
            old.close()
        return engine

    def __contains__(self, settings: object) -> bool:
        return settings in self._engines

    def close(self) -> None:
        """Close every cached engine and forget them."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), OrderedDict()
        for engine in engines:
            engine.close()
