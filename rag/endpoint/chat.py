"""Chat with an OpenAI-compatible endpoint through LlamaIndex's OpenAI-like LLM, errors made ours.

Streaming is the only path: a non-streaming call joins the stream.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from rag.endpoint.server import EndpointInfo
from rag.errors import EndpointError, EndpointProtocolError, EndpointTimeout, EndpointUnavailable
from rag.settings import Settings


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
        max_retries=settings.max_retries,
        additional_kwargs={"seed": settings.seed},
        reuse_client=True,
    )


def _translate(e: BaseException, url: str, timeout: float) -> EndpointError:
    if isinstance(e, EndpointError):
        return e
    if isinstance(e, openai.APITimeoutError | httpx.TimeoutException):
        return EndpointTimeout(
            f"the model endpoint {url} did not answer within {timeout:g} s: it may be overloaded, "
            "or raise RAG_REQUEST_TIMEOUT",
            url=url,
            cause="timeout",
        )
    if isinstance(e, openai.APIStatusError):
        return EndpointUnavailable(
            f"the model endpoint {url} answered HTTP {e.status_code}: check the endpoint's log "
            "(and RAG_LLM_MODEL / RAG_LLM_API_KEY)",
            url=url,
            cause=f"HTTP {e.status_code}",
        )
    if isinstance(e, openai.APIConnectionError | httpx.TransportError):
        return EndpointUnavailable(
            f"the model endpoint {url} is not reachable or went away mid-answer: start it, or fix "
            "RAG_LLM_BASE_URL",
            url=url,
            cause=type(e.__cause__ or e).__name__,
        )
    if isinstance(e, openai.APIResponseValidationError | ValueError | KeyError | TypeError | AttributeError):
        return EndpointProtocolError(
            f"the model endpoint {url} sent a reply that is not OpenAI chat JSON ({type(e).__name__}): "
            "is it an OpenAI-compatible server?",
            url=url,
            cause="malformed reply",
        )
    return EndpointUnavailable(
        f"the model endpoint {url} failed: {type(e).__name__}: {e}", url=url, cause=type(e).__name__
    )


def stream_chat(
    llm: OpenAILike,
    messages: list[dict[str, str]],
    *,
    url: str,
    temperature: float | None = None,
    max_tokens: int | None = None,
) -> Iterator[str]:
    """Yield the reply's text as it arrives.

    Raises:
        EndpointUnavailable, EndpointTimeout, EndpointProtocolError: with the URL and what to do.
    """
    kwargs: dict[str, object] = {}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
    try:
        for chunk in llm.stream_chat(chat, **kwargs):
            if chunk.delta:
                yield chunk.delta
    except Exception as e:  # the openai client, httpx and LlamaIndex raise many kinds; all become ours
        raise _translate(e, url, float(llm.timeout)) from e


def complete_chat(llm: OpenAILike, messages: list[dict[str, str]], *, url: str, max_tokens: int) -> str:
    return "".join(stream_chat(llm, messages, url=url, max_tokens=max_tokens, temperature=0.0))
