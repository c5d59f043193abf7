"""The chat API's routes: `GET /v1/models`, `POST /v1/chat/completions` (JSON, or server-sent events).

Streaming and not share one path: the engine's `ask_stream`, which a non-streaming request consumes. Its first
events are read before the reply starts, so a failure before any text (unknown collection, nothing indexed,
the model endpoint down) is an error with its own status; a failure once the stream has started is an error
event in the stream. Every error is OpenAI's JSON (`{"error": {"message", "type", "param", "code"}}`) saying
what to do; nothing answers with a traceback.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from rag.engine import Rag
from rag.errors import (
    ConfigError,
    EndpointError,
    EndpointTimeout,
    IndexBusy,
    IndexEmpty,
    IndexMismatch,
    InvalidQuestion,
    RagError,
)
from rag.serving.engines import Engines
from rag.serving.protocol import ChatRequest, ProtocolError, Reply, error_body, model_list, read_request
from rag.store.collections import UnknownCollection, checked_name
from rag.types import Answer, Delta, Searching, StreamEvent, Withdrawn

log = logging.getLogger(__name__)

# (error kind, status, OpenAI error type, code), most specific first
_STATUS: tuple[tuple[type[RagError], int, str, str], ...] = (
    (UnknownCollection, 404, "invalid_request_error", "model_not_found"),
    (EndpointTimeout, 504, "server_error", "endpoint_timeout"),
    (EndpointError, 502, "server_error", "endpoint_unavailable"),
    (InvalidQuestion, 400, "invalid_request_error", "invalid_question"),
    (IndexEmpty, 409, "invalid_request_error", "index_empty"),
    (IndexMismatch, 409, "invalid_request_error", "index_mismatch"),
    (IndexBusy, 503, "server_error", "index_busy"),
)


def protocol_error(error: RagError) -> ProtocolError:
    """The API's answer to a `RagError`: its status, its OpenAI error type, and its message."""
    for kind, status, error_type, code in _STATUS:
        if isinstance(error, kind):
            return ProtocolError(status, str(error), kind=error_type, code=code)
    return ProtocolError(500, str(error), kind="server_error", code="rag_error")


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


class ChatApi:
    """The routes' work, for one set of engines.

    Args:
        engines: The engines to answer with (one per collection).
    """

    def __init__(self, engines: Engines) -> None:
        self.engines = engines
        settings = engines.settings
        self._keys = [k.encode() for k in settings.api_key_list]
        self._gate = threading.BoundedSemaphore(settings.api_concurrency)
        self._max_body = settings.api_max_request_kb * 1024
        self._max_question = settings.max_question_chars

    def refused(self, request: Request) -> ProtocolError | None:
        """401 unless the request carries one of the keys (when keys are set)."""
        if not self._keys:
            return None
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and any(
            hmac.compare_digest(key.strip().encode(), k) for k in self._keys
        ):
            return None
        return ProtocolError(
            401, "a valid API key is needed: send `Authorization: Bearer KEY` with a key of RAG_API_KEYS",
            code="invalid_api_key",
        )  # fmt: skip

    async def read(self, request: Request) -> ChatRequest:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            raise self._too_large(int(declared))
        raw = await request.body()
        if len(raw) > self._max_body:
            raise self._too_large(len(raw))
        try:
            data = json.loads(raw)
        except ValueError:  # also undecodable bytes
            raise ProtocolError(
                400, "the request body is not JSON: send a chat-completions JSON object"
            ) from None
        return read_request(data, max_question_chars=self._max_question)

    def _too_large(self, size: int) -> ProtocolError:
        return ProtocolError(
            413, f"the request is {size // 1024} KB; the limit is {self._max_body // 1024} KB "
            "(RAG_API_MAX_REQUEST_KB): send a shorter conversation", code="request_too_large",
        )  # fmt: skip

    def engine_for(self, req: ChatRequest) -> Rag:
        try:
            checked_name(req.collection)
            return self.engines.get(req.collection)
        except UnknownCollection as e:
            raise ProtocolError(404, str(e), param="model", code="model_not_found") from None
        except ConfigError as e:
            raise ProtocolError(404, f"the model {req.model!r} is not served here: {e}", param="model",
                                code="model_not_found") from None  # fmt: skip

    def events(self, engine: Rag, req: ChatRequest) -> Iterator[StreamEvent]:
        """The engine's answer stream, at most `api_concurrency` at once (the rest wait here)."""
        with self._gate:
            yield from engine.ask_stream(
                req.question, history=req.history, top_k=req.top_k, temperature=req.temperature
            )

    async def completions(self, request: Request) -> Response:
        req = await self.read(request)
        engine = await run_in_threadpool(self.engine_for, req)
        events = self.events(engine, req)
        first = await run_in_threadpool(_until_output, events)  # errors here get their own status
        reply = Reply(model=req.model)
        if not req.stream:
            answer = await run_in_threadpool(_final, chain(first, events))
            return _json(200, reply.completion(answer))
        return StreamingResponse(
            _stream(reply, chain(first, events)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


def _until_output(events: Iterator[StreamEvent]) -> list[StreamEvent]:
    """The stream's events up to its first text or answer."""
    got: list[StreamEvent] = []
    for event in events:
        got.append(event)
        if not isinstance(event, Searching):
            break
    return got


def _final(events: Iterable[StreamEvent]) -> Answer:
    final: Answer | None = None
    for event in events:
        if isinstance(event, Answer):
            final = event
    if final is None:
        raise RagError("internal error: the answer stream ended without an answer")
    return final


def _stream(reply: Reply, events: Iterable[StreamEvent]) -> Iterator[str]:
    yield _sse(reply.chunk({"role": "assistant", "content": ""}))
    try:
        for event in events:
            if isinstance(event, Delta):
                yield _sse(reply.chunk({"rag_draft": event.text}))
            elif isinstance(event, Withdrawn):  # the draft so far did not stand; a second one follows
                yield _sse(reply.chunk({"rag_draft_withdrawn": True}))
            elif isinstance(event, Answer):
                yield _sse(reply.chunk({"content": event.text}))
                yield _sse(reply.last_chunk(event))
    except RagError as e:
        yield _sse(protocol_error(e).body())
    except Exception:
        log.exception("the answer stream failed")
        yield _sse(error_body("internal error while answering: see the server's log", kind="server_error"))
    yield "data: [DONE]\n\n"


def add_routes(app: FastAPI, engines: Engines) -> ChatApi:
    """Serve the chat API on `app` (a FastAPI app of its own, or the page's).

    Returns:
        The routes' `ChatApi`.
    """
    api = ChatApi(engines)

    async def guarded(request: Request, work: Any) -> Response:
        try:
            refused = api.refused(request)
            if refused is not None:
                return _json(401, refused.body(), {"WWW-Authenticate": "Bearer"})
            return await work(request)  # type: ignore[no-any-return]
        except ProtocolError as e:
            return _json(e.status, e.body())
        except RagError as e:
            failure = protocol_error(e)
            return _json(failure.status, failure.body())
        except Exception:
            log.exception("the chat API failed on %s", request.url.path)
            body = error_body("internal error: see the server's log", kind="server_error")
            return _json(500, body)

    async def models(request: Request) -> Response:
        async def work(_: Request) -> Response:
            return _json(200, model_list(await run_in_threadpool(engines.names)))

        return await guarded(request, work)

    async def chat_completions(request: Request) -> Response:
        return await guarded(request, api.completions)

    app.add_api_route("/v1/models", models, methods=["GET"], include_in_schema=False)
    app.add_api_route("/v1/chat/completions", chat_completions, methods=["POST"], include_in_schema=False)
    return api


def create_app(engines: Engines) -> FastAPI:
    """A FastAPI app serving only the chat API; unknown routes and methods get OpenAI-shaped errors too."""
    app = FastAPI(title="rag-chat", docs_url=None, redoc_url=None, openapi_url=None)
    add_routes(app, engines)

    async def http_error(_: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        message = f"{detail}: the API serves GET /v1/models and POST /v1/chat/completions"
        return _json(status, error_body(message, kind="invalid_request_error"))

    app.add_exception_handler(HTTPException, http_error)
    return app
