"""The OpenAI chat-completions shape: what a request asks, and the JSON of replies, chunks and errors.

A reply's `content` is the verified answer with its `[n]` markers (a refusal is a normal reply saying so).
Beside the standard fields every reply carries `rag`: the answer's `Answer.to_dict()` (text, sources with n,
file, page, text, score, cited and support, refused, unsupported, and whatever fields `Answer` gains). When
streaming, the model's unverified text arrives as it is written in `delta.rag_draft` (standard clients
ignore it; `delta.rag_draft_withdrawn: true` drops the draft so far, when it did not stand and the model is
asked again with the best passage), the verified text follows as `delta.content` once it is checked,
and the last chunk carries `finish_reason: "stop"` and `rag`.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rag.types import Answer

MODEL_PREFIX = "rag:"
"""A collection NAME is served as the model `rag:NAME`."""

_MARKER_RE = re.compile(r"\s*\[(?:\d{1,3}|unsupported)\]")


class ProtocolError(Exception):
    """A request the API cannot serve, with the OpenAI error fields to answer it with."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        code: str = "",
        param: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code or None
        self.param = param or None

    def body(self) -> dict[str, Any]:
        return error_body(self.message, kind=self.kind, code=self.code, param=self.param)


def error_body(
    message: str, *, kind: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """The OpenAI error JSON: `{"error": {"message", "type", "param", "code"}}`."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class _ChatBody(BaseModel):
    model_config = ConfigDict(extra="allow")  # n, max_tokens, tools...: accepted and not used
    model: str
    messages: list[_Message]
    stream: bool = False
    temperature: float | None = None
    top_k: int | None = None  # not OpenAI's: passages given to the model (as the page's slider)


@dataclass(frozen=True)
class ChatRequest:
    """What one chat-completions request asks."""

    model: str
    collection: str
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    stream: bool = False
    temperature: float | None = None
    top_k: int | None = None


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") for p in content or () if p.get("type") == "text"]
    return "\n".join(p for p in parts if isinstance(p, str))


def read_request(data: Any, *, max_question_chars: int) -> ChatRequest:
    """The request's question (the last message, the user's), history (the messages before) and options.

    Raises:
        ProtocolError: 400 for a body that is not a chat-completions request or has no user message last,
            413 for a question over `max_question_chars`, 404 for a model that is not `rag:NAME`.
    """
    try:
        body = _ChatBody.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ProtocolError(
            400,
            f"invalid request: {where}: {first['msg']} (send model and messages as in OpenAI's API)",
            param=where,
        ) from None
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not _text(turns[-1].content).strip():
        raise ProtocolError(
            400,
            "no question: the last message must be the user's, with text",
            param="messages",
            code="no_user_message",
        )
    question = _text(turns[-1].content)
    if len(question) > max_question_chars:
        raise ProtocolError(
            413, f"the question is {len(question)} characters long; the limit is {max_question_chars} "
            "(RAG_MAX_QUESTION_CHARS): shorten it", param="messages", code="question_too_long",
        )  # fmt: skip
    if body.top_k is not None and not 1 <= body.top_k <= 50:
        raise ProtocolError(400, "top_k must be between 1 and 50", param="top_k")
    if body.temperature is not None and not 0.0 <= body.temperature <= 2.0:
        raise ProtocolError(400, "temperature must be between 0 and 2", param="temperature")
    if not body.model.startswith(MODEL_PREFIX):
        raise ProtocolError(
            404, f"the model {body.model!r} is not served here: models are collections, named "
            f"{MODEL_PREFIX}NAME (GET /v1/models lists them)", param="model", code="model_not_found",
        )  # fmt: skip
    history = [{"role": m.role, "content": _MARKER_RE.sub("", _text(m.content)).strip()} for m in turns[:-1]]
    return ChatRequest(
        model=body.model,
        collection=body.model[len(MODEL_PREFIX) :],
        question=question,
        history=history,
        stream=body.stream,
        temperature=body.temperature,
        top_k=body.top_k,
    )


def model_list(names: list[str]) -> dict[str, Any]:
    """`GET /v1/models`: every collection as a model."""
    return {"object": "list", "data": [model_entry(n) for n in names]}


def model_entry(name: str) -> dict[str, Any]:
    return {"id": MODEL_PREFIX + name, "object": "model", "created": 0, "owned_by": "rag-chat"}


@dataclass(frozen=True)
class Reply:
    """The fields every reply to one request shares."""

    model: str
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex[:24]}")
    created: int = field(default_factory=lambda: int(time.time()))

    def _head(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def completion(self, answer: Answer) -> dict[str, Any]:
        """The non-streaming reply."""
        return {
            **self._head("chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "rag": answer.to_dict(),
        }

    def chunk(self, delta: dict[str, Any], *, finish: str | None = None) -> dict[str, Any]:
        """One streamed chunk."""
        return {
            **self._head("chat.completion.chunk"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def last_chunk(self, answer: Answer) -> dict[str, Any]:
        """The stream's last chunk: the finish reason and the answer's sources."""
        return {**self.chunk({}, finish="stop"), "rag": answer.to_dict()}
