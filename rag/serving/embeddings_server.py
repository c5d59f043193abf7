"""`rag serve-embeddings`: the bundled embedder behind an OpenAI-shaped `/v1/embeddings` route.

So that several machines can share one embedder (RAG_EMBED_BASE_URL=http://host:port/v1 on each), and so
that the OpenAI-compatible embeddings path can be exercised against a real local endpoint. Routes:

- `POST /v1/embeddings` with `{"input": str | [str, ...], "model": ..., "encoding_format": "float"|"base64"}`
  returns `{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": ...}], ...}`;
  base64 is little-endian float32, as the OpenAI client asks for by default;
- `GET /v1/models` lists the one model served; `GET /health` answers 200.

Bad requests get a 4xx with `{"error": {"message", "type"}}` that says what to send instead. One request is
embedded at a time (the model already uses every core).
"""

from __future__ import annotations

import base64
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from rag.retrieval.embed import BUNDLED_EMBEDDER, Embedder

MAX_INPUTS = 2048
MAX_BODY_BYTES = 32 * 1024 * 1024


class BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_request(body: bytes, served: str) -> tuple[list[str], str]:
    """The texts and encoding format of an embeddings request, or `BadRequest` saying what is wrong."""
    try:
        req = json.loads(body)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise BadRequest(
            HTTPStatus.BAD_REQUEST, 'the body is not JSON: send {"input": [...], "model": ...}'
        ) from e
    if not isinstance(req, dict):
        raise BadRequest(HTTPStatus.BAD_REQUEST, 'send a JSON object: {"input": [...], "model": ...}')
    model = req.get("model", served)
    if model != served:
        raise BadRequest(
            HTTPStatus.NOT_FOUND, f"model {model!r} is not served here; this server serves {served!r}"
        )
    texts = req.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadRequest(
            HTTPStatus.BAD_REQUEST,
            '"input" must be a non-empty string or list of strings (token ids are not accepted)',
        )
    if len(texts) > MAX_INPUTS:
        raise BadRequest(
            HTTPStatus.BAD_REQUEST, f"{len(texts)} inputs in one request; send at most {MAX_INPUTS}"
        )
    fmt = req.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise BadRequest(HTTPStatus.BAD_REQUEST, f'"encoding_format" {fmt!r} is not "float" or "base64"')
    return texts, fmt


def embeddings_response(vectors: list[list[float]], fmt: str, served: str, tokens: int) -> dict[str, Any]:
    data = []
    for i, vec in enumerate(vectors):
        if fmt == "base64":
            value: Any = base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")
        else:
            value = [float(x) for x in vec]
        data.append({"object": "embedding", "index": i, "embedding": value})
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": served, "usage": usage}


def make_server(embedder: Embedder, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) for `embedder`; `server.server_address` has the bound port."""
    served = BUNDLED_EMBEDDER
    model_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # quiet: no line per request
            pass

        def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: HTTPStatus, message: str) -> None:
            self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                model = {"id": served, "object": "model", "owned_by": "rag-chat"}
                self._send(HTTPStatus.OK, {"object": "list", "data": [model]})
            elif self.path == "/health":
                self._send(HTTPStatus.OK, {"status": "ok"})
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}; use POST /v1/embeddings")

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") not in ("/v1/embeddings", "/embeddings"):
                self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}; use POST /v1/embeddings")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"send at most {MAX_BODY_BYTES} bytes")
                return
            try:
                texts, fmt = parse_request(self.rfile.read(length), served)
            except BadRequest as e:
                self._error(e.status, str(e))
                return
            with model_lock:
                vectors = embedder.embed_texts(texts)
                tokens = sum(embedder.count_tokens(t) for t in texts)
            self._send(HTTPStatus.OK, embeddings_response(vectors, fmt, served, tokens))

    return ThreadingHTTPServer((host, port), Handler)
