"""Chat with an OpenAI-compatible endpoint through LlamaIndex's OpenAI-like LLM, errors made ours.

Streaming is the only path: a non-streaming call joins the stream. Retries happen here and only here
(`RetryPolicy`); the OpenAI client underneath is told not to retry, so the number of attempts and the time
they can take follow from the settings alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from rag.endpoint.http import Advice, endpoint_failure
from rag.errors import EndpointProtocolError, EndpointUnavailable
from rag.serving.model_server import EndpointInfo
from rag.settings import Settings

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""HTTP statuses that mean "try again later"; 500 and 4xx mean the request failed: not retried."""


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed request is sent again, and how long to wait first.

    A request is retried only when a second try can mend it and nothing has been shown yet: the connection
    was refused or dropped, or the endpoint answered 429/502/503/504, before any text arrived. A timeout is
    not retried (it has already cost the whole timeout), nor is a malformed reply or anything after text
    was streamed. So a question costs at most `retries + 1` requests, waits `backoff`, `2 * backoff`, ...
    between them, and waits for the timeout at most once.

    Attributes:
        retries: Requests sent again at most (`RAG_MAX_RETRIES`).
        backoff: Seconds before the first retry, doubled before each next one (`RAG_RETRY_BACKOFF`).
    """

    retries: int = 0
    backoff: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(retries=settings.max_retries, backoff=settings.retry_backoff)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the first)."""
        return float(self.backoff * 2 ** (retry - 1))


def make_llm(settings: Settings, info: EndpointInfo) -> OpenAILike:
    return OpenAILike(
        model=info.model,
        api_base=info.base_url,
        api_key=info.api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context_window,
        max_tokens=settings.max_answer_tokens,
        temperature=settings.temperature,
        timeout=settings.request_timeout,
        max_retries=0,  # RetryPolicy decides; the client's own retries would multiply attempts and time
        additional_kwargs={"seed": settings.seed},
        reuse_client=True,
    )


def _retriable(e: BaseException) -> bool:
    if isinstance(e, openai.APITimeoutError | httpx.TimeoutException):
        return False
    if isinstance(e, openai.APIStatusError):
        return e.status_code in RETRY_STATUSES
    return isinstance(e, openai.APIConnectionError | httpx.TransportError)


CHAT = Advice(
    what="model endpoint",
    expected="OpenAI chat JSON",
    timeout="it may be overloaded, or raise RAG_REQUEST_TIMEOUT",
    unreachable="start it, or fix RAG_LLM_BASE_URL",
    status="check the endpoint's log (and RAG_LLM_MODEL / RAG_LLM_API_KEY)",
    protocol="is it an OpenAI-compatible server?",
)


def _finish_reason(raw: object) -> str | None:
    choices = getattr(raw, "choices", None) or []
    return getattr(choices[0], "finish_reason", None) if choices else None


def _one_attempt(
    llm: OpenAILike, chat: list[ChatMessage], url: str, kwargs: dict[str, object]
) -> Iterator[str]:
    events, finished = 0, False
    for chunk in llm.stream_chat(chat, **kwargs):
        events += 1
        finished = finished or _finish_reason(chunk.raw) is not None
        if chunk.delta:
            yield chunk.delta
    if events == 0:
        raise EndpointProtocolError(
            f"the model endpoint {url} answered without a single chat event: is it an OpenAI-compatible "
            "server?",
            url=url,
            cause="empty stream",
        )
    if not finished:  # an OpenAI stream ends with a finish_reason; without one the answer was cut off
        raise EndpointUnavailable(
            f"the model endpoint {url} stopped mid-answer (the stream ended unfinished): check its log, "
            "then ask again",
            url=url,
            cause="stream cut off",
        )


def stream_chat(
    llm: OpenAILike,
    messages: list[dict[str, str]],
    *,
    url: str,
    retry: RetryPolicy | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
) -> Iterator[str]:
    """Yield the reply's text as it arrives, retrying per `retry` while nothing has arrived yet.

    Raises:
        EndpointUnavailable, EndpointTimeout, EndpointProtocolError: with the URL and what to do.
    """
    policy = retry or RetryPolicy()
    kwargs: dict[str, object] = {}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
    attempt = 0
    while True:
        attempt += 1
        streamed = False
        try:
            for piece in _one_attempt(llm, chat, url, kwargs):
                streamed = True
                yield piece
            return
        except Exception as e:  # the openai client, httpx and LlamaIndex raise many kinds; all become ours
            if streamed or attempt > policy.retries or not _retriable(e):
                raise endpoint_failure(
                    e, url=url, advice=CHAT, timeout=float(llm.timeout), attempts=attempt
                ) from e
        time.sleep(policy.delay(attempt))
