"""`running_api(engines)`: the chat API served for real by uvicorn on a free 127.0.0.1 port, in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rag.serving.api import create_app
from rag.serving.api_server import free_port, uvicorn_server
from rag.serving.engines import Engines


@contextmanager
def running_api(engines: Engines) -> Iterator[str]:
    """Serve `engines` until the block ends; yields the base URL ending in /v1."""
    port = free_port()
    server = uvicorn_server(create_app(engines), "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the chat API did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(30)
