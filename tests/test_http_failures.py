"""Failed HTTP calls become the project's errors, each kind its own, every message naming the URL."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from rag.endpoint.http import Advice, endpoint_failure
from rag.errors import EndpointProtocolError, EndpointTimeout, EndpointUnavailable
from rag.store.server import ServerStore
from tests.conftest import make_settings

ADVICE = Advice(
    what="test endpoint",
    expected="a test answer",
    timeout="wait less",
    unreachable="start it",
    status="read its log",
    protocol="point at the right server",
)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/busy":
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{not json")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _failure(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except Exception as e:
        return e
    raise AssertionError("the call did not fail")


def test_endpoint_failure__refused_connection_is_unavailable_naming_the_url_and_the_fix() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    error = endpoint_failure(_failure(lambda: httpx.get(url, timeout=2)), url=url, advice=ADVICE)
    assert type(error) is EndpointUnavailable and error.url == url
    assert str(error).startswith(f"the test endpoint {url} is not reachable") and str(error).endswith(
        "start it"
    )


def test_endpoint_failure__no_answer_in_time_is_a_timeout_naming_the_limit() -> None:
    with socket.socket() as listening:  # accepts the connection, never answers
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        raised = _failure(lambda: httpx.get(url, timeout=0.2))
    error = endpoint_failure(raised, url=url, advice=ADVICE, timeout=0.2)
    assert type(error) is EndpointTimeout
    assert str(error) == f"the test endpoint {url} did not answer within 0.2 s: wait less"


def test_endpoint_failure__error_status_is_unavailable_with_the_status_and_attempts(http_server: str) -> None:
    raised = _failure(lambda: httpx.get(f"{http_server}/busy", timeout=2).raise_for_status())
    error = endpoint_failure(raised, url=http_server, advice=ADVICE, attempts=3)
    assert type(error) is EndpointUnavailable and error.cause == "HTTP 503"
    assert str(error) == f"the test endpoint {http_server} answered HTTP 503 (3 attempts): read its log"


def test_endpoint_failure__malformed_json_is_a_protocol_error(http_server: str) -> None:
    raised = _failure(lambda: httpx.get(f"{http_server}/models", timeout=2).json())
    error = endpoint_failure(raised, url=http_server, advice=ADVICE)
    assert type(error) is EndpointProtocolError
    assert "is not a test answer" in str(error) and str(error).endswith("point at the right server")


def test_endpoint_failure__our_own_error_passes_through_unchanged() -> None:
    ours = EndpointTimeout("already said", url="http://x")
    assert endpoint_failure(ours, url="http://y", advice=ADVICE) is ours


def test_server_store__nothing_at_the_url_is_unavailable_naming_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(EndpointUnavailable, match="chroma run") as gone:
        ServerStore(make_settings(tmp_path, chroma_url=url))
    assert gone.value.url == url and url in str(gone.value)
