"""The model endpoint misbehaves on purpose (a real HTTP server on 127.0.0.1): every way it can fail becomes
the project's own error, naming the URL and the cause, after a bounded number of requests.

The questions retrieve from the real index of corpus/ (`corpus_engine`); only the endpoint is a fake, since a
real one cannot be made to fail on cue.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from rag import (
    Answer,
    Delta,
    EndpointError,
    EndpointProtocolError,
    EndpointTimeout,
    EndpointUnavailable,
    Rag,
)
from tests.faults.misbehaving_endpoint import ANSWER, ANSWER_PIECES, MisbehavingEndpoint

QUESTION = "When was Mistral AI founded?"
RETRIES = 2


@dataclass(frozen=True)
class Fault:
    behaviour: str
    error: type[EndpointError]
    says: str  # what the message must say about the cause
    requests: int  # requests the endpoint must have seen, retries included
    pieces_first: int = 0  # text pieces streamed before the failure


FAULTS = [
    Fault("http500", EndpointUnavailable, "HTTP 500", 1),
    Fault("http503", EndpointUnavailable, f"HTTP 503 ({RETRIES + 1} attempts)", RETRIES + 1),
    Fault("hang", EndpointTimeout, "did not answer within 1 s", 1),
    Fault("slow", EndpointTimeout, "did not answer within 1 s", 1),
    Fault("malformed", EndpointProtocolError, "not OpenAI chat JSON", 1),
    Fault("truncated", EndpointUnavailable, "stopped mid-answer", 1, pieces_first=2),
    Fault("cut_mid_json", EndpointUnavailable, "stopped mid-answer", 1, pieces_first=1),
    Fault("stall", EndpointTimeout, "did not answer within 1 s", 1, pieces_first=2),
    Fault("dies", EndpointUnavailable, "went away mid-answer", 1, pieces_first=2),
]


def engine_on(corpus_engine: Rag, url: str, **overrides: object) -> Rag:
    """An engine on the real corpus index whose model endpoint is `url`, with short limits."""
    values: dict[str, object] = dict(
        llm_base_url=url, llm_model="m", request_timeout=1.0, max_retries=RETRIES, retry_backoff=0.05
    )
    values.update(overrides)
    settings = corpus_engine.settings.model_copy(update=values)
    return Rag(settings, embedder=corpus_engine.embedder, store=corpus_engine.store)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def stream_until_error(engine: Rag) -> tuple[list[str], EndpointError]:
    pieces: list[str] = []
    with pytest.raises(EndpointError) as err:
        for event in engine.ask_stream(QUESTION):
            if isinstance(event, Delta):
                pieces.append(event.text)
    return pieces, err.value


@pytest.mark.parametrize("fault", FAULTS, ids=[f.behaviour for f in FAULTS])
def test_ask__each_endpoint_fault_is_our_error_naming_url_and_cause_after_bounded_requests(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], fault: Fault
) -> None:
    endpoint = misbehaving(fault.behaviour)
    engine = engine_on(corpus_engine, endpoint.base_url)
    with pytest.raises(fault.error) as err:
        engine.ask(QUESTION)
    assert err.value.url == endpoint.base_url
    assert endpoint.base_url in str(err.value) and fault.says in str(err.value)
    assert "\n" not in str(err.value)
    assert endpoint.requests == fault.requests


@pytest.mark.parametrize("fault", FAULTS, ids=[f.behaviour for f in FAULTS])
def test_ask_stream__fault_after_text_is_raised_once_and_never_retried(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], fault: Fault
) -> None:
    endpoint = misbehaving(fault.behaviour)
    pieces, err = stream_until_error(engine_on(corpus_engine, endpoint.base_url))
    assert isinstance(err, fault.error) and endpoint.base_url in str(err) and fault.says in str(err)
    assert pieces == list(ANSWER_PIECES[: fault.pieces_first])
    assert endpoint.requests == fault.requests


def test_ask__refused_connection_is_retried_a_bounded_number_of_times(corpus_engine: Rag) -> None:
    url = closed_port_url()
    with pytest.raises(EndpointUnavailable) as err:
        engine_on(corpus_engine, url).ask(QUESTION)
    assert url in str(err.value) and "RAG_LLM_BASE_URL" in str(err.value)
    assert f"({RETRIES + 1} attempts)" in str(err.value)
    _, err_stream = stream_until_error(engine_on(corpus_engine, url, max_retries=0))
    assert isinstance(err_stream, EndpointUnavailable) and "attempts" not in str(err_stream)


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_ask__unavailable_endpoint_gets_exactly_max_retries_more_requests(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], retries: int
) -> None:
    endpoint = misbehaving("http503")
    with pytest.raises(EndpointUnavailable):
        engine_on(corpus_engine, endpoint.base_url, max_retries=retries).ask(QUESTION)
    assert endpoint.requests == retries + 1


def test_ask__endpoint_that_recovers_before_retries_run_out_gives_the_answer(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint]
) -> None:
    endpoint = misbehaving("http503", recover_after=RETRIES)
    answer = engine_on(corpus_engine, endpoint.base_url).ask(QUESTION)
    assert isinstance(answer, Answer) and not answer.refused
    assert answer.raw_text == ANSWER and "April 2023" in answer.text
    assert endpoint.requests == RETRIES + 1


def test_ask__endpoint_back_after_a_failure_answers_the_next_question_on_the_same_engine(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint]
) -> None:
    endpoint = misbehaving("dies")
    engine = engine_on(corpus_engine, endpoint.base_url)
    with pytest.raises(EndpointUnavailable):
        engine.ask(QUESTION)
    endpoint.behaviour = "ok"
    assert engine.ask(QUESTION).raw_text == ANSWER
