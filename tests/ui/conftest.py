"""Fixtures for the page's tests: a real engine over a temp index of corpus/, on the shared model endpoint.

The endpoint and embedder are the session's (`llm_endpoint`, `embedder` in tests/conftest.py), so these
tests never start a second model server. The page's index and uploads live in their own temp data dir, so
uploads made here do not change what other tests see.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "corpus"


def _settings(data_dir: Path, base_url: str, model: str, **overrides: object):  # type: ignore[no-untyped-def]
    from rag import Settings

    values: dict[str, object] = dict(
        data_dir=data_dir, corpus_dir=CORPUS, llm_base_url=base_url, llm_model=model, max_retries=0
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory, llm_endpoint):  # type: ignore[no-untyped-def]
    """Settings for the page's engine: its own temp data dir (uploads land there), the shared endpoint."""
    # top_k=2 keeps prompts short: the endpoint shares two CPU cores with everything else
    return _settings(tmp_path_factory.mktemp("ui-data"), llm_endpoint.base_url, llm_endpoint.model, top_k=2)


@pytest.fixture(scope="session")
def engine(ui_settings, embedder):  # type: ignore[no-untyped-def]
    """The real engine, corpus/ indexed into the page's own temp data dir (uploads touch no other test)."""
    from rag import Rag

    rag = Rag(ui_settings, embedder=embedder)
    rag.index()
    return rag


class TcpRelay:
    """A switchable TCP relay in front of the endpoint: `down()` refuses connections, `up()` restores them.

    Used to take the endpoint away and bring it back without touching the real server.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def up(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Stop listening and cut every open connection (as if the endpoint died)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            try:  # on Linux only shutdown() wakes a thread blocked in accept(); close() alone does not
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._lock:
            conns, self._open = self._open, set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def relay(llm_endpoint) -> Iterator[TcpRelay]:  # type: ignore[no-untyped-def]
    """A relay to the real endpoint that the test can take down and bring back."""
    from urllib.parse import urlsplit

    url = urlsplit(llm_endpoint.base_url)
    r = TcpRelay(url.hostname or "127.0.0.1", url.port or 80)
    r.up()
    yield r
    r.down()


@pytest.fixture
def relayed_engine(relay: TcpRelay, engine, embedder):  # type: ignore[no-untyped-def]
    """An engine on the page's index whose endpoint goes through `relay`."""
    from rag import Rag

    s = engine.settings
    return Rag(_settings(s.data_dir, relay.base_url, s.llm_model, connect_timeout=2.0), embedder=embedder)
