"""A real OpenAI-style HTTP server on 127.0.0.1 that fails on purpose, in the way it is told to.

One server, switched between behaviours with `endpoint.behaviour = "..."` while it runs:

    ok            streams a well-formed answer (`ANSWER`), finish_reason "stop", then [DONE]
    hang          accepts the request and never answers
    http500       answers HTTP 500          http503   answers HTTP 503
    malformed     answers 200 with an event stream whose data is not JSON
    truncated     streams two pieces, then ends the body cleanly without finish_reason or [DONE]
    cut_mid_json  streams one piece, then half a JSON event, then ends the body
    slow          waits `delay` seconds (longer than the client's timeout) before answering
    stall         streams two pieces, then waits `delay` seconds before the next
    dies          streams two pieces, then resets the connection

Every request to /v1/chat/completions is counted in `requests`; with `recover_after=n` the server behaves
"ok" from request n+1 on. Non-streaming requests (the eval judge's) get the same faults, and in "ok" mode
`JUDGE_REPLY`.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER_PIECES = ("Mistral AI was founded ", "in April 2023 ", "in Paris [1].")
ANSWER = "".join(ANSWER_PIECES)
JUDGE_REPLY = '{"supported": true, "correct": true}'
MODEL = "misbehaving-model"
BEHAVIOURS = (
    "ok", "hang", "http500", "http503", "malformed", "truncated", "cut_mid_json", "slow", "stall", "dies",
)  # fmt: skip


def _chunk(content: str | None = None, finish: str | None = None) -> bytes:
    delta: dict[str, Any] = {"content": content} if content is not None else {}
    event = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) leaves a broken pipe behind: expected here, not news


class MisbehavingEndpoint:
    """The server. `base_url` ends in /v1; `stop()` frees every waiting handler and the port."""

    def __init__(
        self, behaviour: str = "ok", *, delay: float = 3.0, recover_after: int | None = None
    ) -> None:
        self.behaviour = behaviour
        self.delay = delay
        self.recover_after = recover_after
        self.requests = 0
        self._count_lock = threading.Lock()
        self._stopped = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="misbehaving-endpoint")
        self._thread.daemon = True
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reset(self, behaviour: str) -> None:
        self.behaviour = behaviour
        with self._count_lock:
            self.requests = 0

    def stop(self) -> None:
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _count(self) -> str:
        with self._count_lock:
            self.requests += 1
            recovered = self.recover_after is not None and self.requests > self.recover_after
            return "ok" if recovered else self.behaviour

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  quiet test output
                pass

            def do_GET(self) -> None:  # /v1/models
                self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                mode = endpoint._count()
                if mode == "hang":
                    endpoint._stopped.wait()
                    return
                if mode == "slow":
                    if endpoint._stopped.wait(endpoint.delay):
                        return
                    mode = "ok"
                if mode in ("http500", "http503"):
                    status = int(mode[4:])
                    self._json(status, {"error": {"message": f"fake failure {status}", "code": status}})
                    return
                if body.get("stream"):
                    self._stream(mode)
                else:
                    self._complete(mode)

            def _json(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _complete(self, mode: str) -> None:
                if mode != "ok":  # every other fault looks alike to a non-streaming client: not JSON
                    data = b'{"choices": [{"message": {"content": '
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": MODEL,
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": JUDGE_REPLY}}],
                })  # fmt: skip

            def _send(self, data: bytes) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _end(self) -> None:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _stream(self, mode: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if mode == "malformed":
                    self._send(b"data: {this is not json}\n\n")
                    self._end()
                    return
                first, second, third = ANSWER_PIECES
                self._send(_chunk(first))
                if mode == "cut_mid_json":
                    self._send(b'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "in Ap')
                    self._end()
                    return
                self._send(_chunk(second))
                if mode == "truncated":
                    self._end()
                    return
                if mode == "dies":
                    # RST instead of an orderly close: the client sees the connection torn down mid-body
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if mode == "stall" and endpoint._stopped.wait(endpoint.delay):
                    return
                self._send(_chunk(third))
                self._send(_chunk(None, "stop"))
                self._send(b"data: [DONE]\n\n")
                self._end()

        return Handler
