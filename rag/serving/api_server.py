"""Running the chat API: on loopback by default, and never open to other machines without keys."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from rag.errors import ConfigError
from rag.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse to serve other machines without keys.

    Raises:
        ConfigError: `host` is not a loopback address and RAG_API_KEYS is empty.
    """
    if not settings.api_key_list and not is_loopback(host):
        raise ConfigError(
            f"the chat API would answer anyone who reaches {host} without a key: set RAG_API_KEYS "
            "(comma-separated) or bind to 127.0.0.1"
        )


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def uvicorn_server(app: Any, host: str, port: int) -> Any:
    """A uvicorn server for `app` (`.run()` serves in the foreground; `.should_exit = True` stops it)."""
    import uvicorn

    # lifespan "auto": a page mounted into the app (`rag ui --api`) starts its queue at startup
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="auto")
    return uvicorn.Server(config)
