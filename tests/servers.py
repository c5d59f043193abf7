"""Real servers the tests start on 127.0.0.1: a Chroma server, and `rag serve-embeddings`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A child process serving HTTP on a fixed port; `stop` and `start` again keep the same URL."""

    def __init__(self, argv: list[str], *, port: int, ready_path: str, log: Path) -> None:
        self.argv = argv
        self.port = port
        self.ready_path = ready_path
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(self.url + self.ready_path, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{self.argv[0]} did not come up on {self.url}:\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def chroma_server(path: Path, port: int | None = None) -> Server:
    """A Chroma server (the `chroma` CLI of the chromadb package) persisting to `path`."""
    port = port or free_port()
    argv = [str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    return Server(argv, port=port, ready_path="/api/v2/heartbeat", log=path.with_suffix(".log"))


def embeddings_server(log_dir: Path, port: int | None = None) -> Server:
    """`rag serve-embeddings`: the bundled embedder behind an OpenAI-shaped /v1/embeddings route."""
    port = port or free_port()
    argv = [str(BIN / "rag"), "serve-embeddings", "--port", str(port)]
    return Server(argv, port=port, ready_path="/health", log=log_dir / "embeddings-server.log")
