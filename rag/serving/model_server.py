"""The embedded endpoint: llama.cpp's OpenAI-compatible server on 127.0.0.1, started once and shared.

`rag serve-model` runs one in the foreground and records it in `<data_dir>/endpoint.json`; any process that
needs the embedded endpoint attaches to a healthy recorded one, or starts its own (recorded the same way,
stopped when that process exits). A file lock keeps two processes from starting two servers at once.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from filelock import FileLock

from rag.endpoint.health import list_models
from rag.errors import ConfigError, EndpointError, EndpointUnavailable
from rag.serving.model_files import resolve_model_file, served_name
from rag.settings import Settings

STARTUP_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class EndpointInfo:
    """Where to send chat requests; `embedded` marks our own llama.cpp server."""

    base_url: str
    model: str
    api_key: str = "not-needed"
    embedded: bool = False


def is_alive(base_url: str, timeout: float = 2.0) -> bool:
    """Whether our llama.cpp server answers at all.

    Its /v1/models waits behind a running generation, so a busy server would look dead there; the
    OpenAPI document is served without taking the model lock.
    """
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        return httpx.get(f"{root}/openapi.json", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _state_file(settings: Settings) -> Path:
    return settings.data_dir / "endpoint.json"


def _read_state(settings: Settings) -> dict[str, object] | None:
    try:
        data = json.loads(_state_file(settings).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def find_running(settings: Settings, model_name: str | None = None) -> EndpointInfo | None:
    """A live embedded server recorded in the data dir that serves this settings' model, or None."""
    model_name = model_name or served_name(settings)
    state = _read_state(settings)
    if not state or state.get("model") != model_name:
        return None
    url = str(state.get("base_url", ""))
    return EndpointInfo(base_url=url, model=model_name, embedded=True) if is_alive(url) else None


class EmbeddedServer:
    """One llama.cpp server process."""

    def __init__(self, settings: Settings, model_file: Path, model_name: str) -> None:
        self.settings = settings
        self.model_file = model_file
        self.model_name = model_name
        self.port = settings.llm_port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = settings.data_dir / "logs" / "llama-server.log"

    def command(self) -> list[str]:
        threads = self.settings.llm_threads or (os.cpu_count() or 2)
        return [
            sys.executable, "-m", "rag.serving.child", str(os.getpid()),
            "--model", str(self.model_file),
            "--model_alias", self.model_name,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.settings.llm_context_window),
            "--n_threads", str(threads),
            "--n_threads_batch", str(threads),
            "--verbose", "False",
            # queue concurrent requests; the default cuts a running answer short when another arrives
            "--interrupt_requests", "False",
        ]  # fmt: skip

    def start(self) -> EndpointInfo:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # llama.cpp keeps its own OpenMP default (threads spin between the many small steps of a token);
        # the PASSIVE policy the embedder sets for this process is not for it
        env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
        self.proc = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-600:]
                raise EndpointUnavailable(
                    f"the embedded model server exited with code {self.proc.returncode}; "
                    f"see {self.log_path}: {tail.strip().splitlines()[-1] if tail.strip() else ''}",
                    url=self.base_url,
                    cause="server exited",
                )
            try:
                if self.model_name in list_models(self.base_url, timeout=2.0):
                    return EndpointInfo(base_url=self.base_url, model=self.model_name, embedded=True)
            except EndpointError:
                pass
            time.sleep(0.25)
        self.stop()
        raise EndpointUnavailable(
            f"the embedded model server did not come up within {STARTUP_TIMEOUT_S:g} s; see {self.log_path}",
            url=self.base_url,
            cause="startup timeout",
        )

    def record(self) -> None:
        state = {"base_url": self.base_url, "model": self.model_name, "pid": os.getpid()}
        _state_file(self.settings).write_text(json.dumps(state))

    def stop(self) -> None:
        state = _read_state(self.settings)
        if state and state.get("base_url") == self.base_url:
            _state_file(self.settings).unlink(missing_ok=True)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def start_or_attach(settings: Settings) -> tuple[EndpointInfo, EmbeddedServer | None]:
    """The embedded endpoint for these settings: attached if one runs, else started (and stopped at exit).

    Returns:
        The endpoint, and the server this call started (None when it attached to a running one).
    """
    if not settings.embedded_llm:
        raise ConfigError("start_or_attach is only for the embedded endpoint (RAG_LLM_BASE_URL is set)")
    model_file, model_name = resolve_model_file(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.data_dir / "endpoint.lock")):
        attached = find_running(settings, model_name)
        if attached is not None:
            return attached, None
        server = EmbeddedServer(settings, model_file, model_name)
        info = server.start()
        server.record()
    atexit.register(server.stop)
    return info, server
