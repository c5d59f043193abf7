"""One translation of a failed HTTP call (httpx's, or the OpenAI client's) into the project's errors.

Every endpoint the project talks to (the model, the embeddings endpoint, a Chroma server) fails in the same
four ways, and each way has its own error and its own advice:

    timeout       nothing came back in time                  -> EndpointTimeout
    unreachable   refused, unreachable, or gone mid-answer   -> EndpointUnavailable
    status        an HTTP error status                       -> EndpointUnavailable
    protocol      an answer that is not what the API promises -> EndpointProtocolError

The message names the endpoint's URL, says which of these happened, and ends with what the user can do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import httpx

from rag.errors import EndpointError, EndpointProtocolError, EndpointTimeout, EndpointUnavailable


class Failure(Enum):
    """How an HTTP call failed."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    STATUS = "status"
    PROTOCOL = "protocol"


@dataclass(frozen=True)
class Advice:
    """What to tell the user of one endpoint, failure by failure.

    Attributes:
        what: The endpoint as the message names it ("model endpoint", "Chroma server").
        expected: What a good answer is ("OpenAI chat JSON"), for a protocol failure.
        timeout, unreachable, status, protocol: What to do about each kind of failure.
    """

    what: str
    expected: str
    timeout: str
    unreachable: str
    status: str
    protocol: str


def failure_of(error: BaseException) -> Failure | None:
    """The kind of failure `error` is, or None for an error that is none of them."""
    import openai  # only on a failure: the store and the health check need it for nothing else

    if isinstance(error, httpx.TimeoutException | openai.APITimeoutError):
        return Failure.TIMEOUT
    if isinstance(error, httpx.HTTPStatusError | openai.APIStatusError):
        return Failure.STATUS
    if isinstance(error, httpx.DecodingError):
        return Failure.PROTOCOL
    if isinstance(error, httpx.RequestError | openai.APIConnectionError):
        return Failure.UNREACHABLE
    if isinstance(
        error, openai.APIResponseValidationError | ValueError | KeyError | TypeError | AttributeError
    ):
        return Failure.PROTOCOL
    return None


def endpoint_failure(
    error: BaseException,
    *,
    url: str,
    advice: Advice,
    timeout: float | None = None,
    attempts: int = 1,
    kind: Failure | None = None,
) -> EndpointError:
    """The project's error for a call to `url` that failed with `error`.

    Args:
        error: What the call raised; an `EndpointError` already is the answer and is returned as it is.
        url: The endpoint, as the user configured it.
        advice: The endpoint's name and what to do about each kind of failure.
        timeout: The timeout the call had, named in a timeout's message when given.
        attempts: Requests sent, named in the message when more than one.
        kind: The kind of failure, when the caller knows better than the exception's type (a library that
            reports a refused connection as a ValueError).

    Returns:
        An `EndpointTimeout`, `EndpointUnavailable` or `EndpointProtocolError` whose message names `url`.
    """
    if isinstance(error, EndpointError):
        return error
    kind = kind or failure_of(error)
    the = f"the {advice.what} {url}"
    tries = f" ({attempts} attempts)" if attempts > 1 else ""
    if kind is Failure.TIMEOUT:
        within = f"within {timeout:g} s" if timeout is not None else "in time"
        return EndpointTimeout(f"{the} did not answer {within}: {advice.timeout}", url=url, cause="timeout")
    if kind is Failure.STATUS:
        code = _status_code(error)
        return EndpointUnavailable(
            f"{the} answered HTTP {code}{tries}: {advice.status}", url=url, cause=f"HTTP {code}"
        )
    if kind is Failure.UNREACHABLE:
        return EndpointUnavailable(
            f"{the} is not reachable or went away mid-answer ({_reason(error)}){tries}: {advice.unreachable}",
            url=url,
            cause=type(error.__cause__ or error).__name__,
        )
    if kind is Failure.PROTOCOL:
        return EndpointProtocolError(
            f"{the} answered something that is not {advice.expected} ({type(error).__name__}): "
            f"{advice.protocol}",
            url=url,
            cause="malformed reply",
        )
    return EndpointUnavailable(
        f"{the} failed: {type(error).__name__}: {error}", url=url, cause=type(error).__name__
    )


def _status_code(error: BaseException) -> int | str:
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code
    code = getattr(error, "status_code", None)  # openai.APIStatusError
    return code if isinstance(code, int) else "error"


def _reason(error: BaseException) -> str:
    """The lowest cause in one short line ("[Errno 111] Connection refused"), or its type's name."""
    cause = error.__cause__ or error
    text = str(cause).strip().splitlines()[0][:120] if str(cause).strip() else ""
    return text or type(cause).__name__
