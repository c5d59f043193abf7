"""The chat API's bad requests, missing keys and failing model endpoints: each an OpenAI-shaped error with its
status and what to do, never a 500 with a traceback. Real uvicorn on 127.0.0.1, the real corpus index; the
model endpoint is a closed port or a misbehaving server (nothing here needs the model to answer).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest

from rag import Rag, Settings
from rag.cli import main as rag_main
from rag.errors import ConfigError
from rag.serving.api_server import check_exposure
from rag.serving.engines import Engines
from tests.api_server import running_api
from tests.faults.misbehaving_endpoint import MisbehavingEndpoint
from tests.faults.test_faults_endpoint import QUESTION, closed_port_url, engine_on

KEY = "sk-test-0123456789"


@pytest.fixture(scope="module")
def down_api(corpus_engine: Rag) -> Iterator[str]:
    """The API over the real index, its model endpoint a closed port."""
    engine = engine_on(corpus_engine, closed_port_url(), max_retries=0)
    with running_api(Engines(engine.settings, engine=engine)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def keyed_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("keyed"), api_keys=f"{KEY}, other-key")  # type: ignore[call-arg]
    with running_api(Engines(settings)) as base_url:
        yield base_url


def client(base_url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=120)


def ask(base_url: str, content: str = QUESTION, **kwargs: object) -> object:
    return client(base_url).chat.completions.create(
        model=str(kwargs.pop("model", "rag:corpus")),
        messages=[{"role": "user", "content": content}],
        **kwargs,
    )  # type: ignore[call-overload]


def assert_openai_error(response: httpx.Response, status: int, says: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and says in error["message"]
    assert "Traceback" not in response.text
    return dict(error)


def test_api__malformed_json_gets_400(down_api: str) -> None:
    got = httpx.post(f"{down_api}/chat/completions", content=b'{"model": "rag:corpus", "messages": [')
    assert_openai_error(got, 400, "not JSON")


def test_api__body_that_is_not_a_chat_request_gets_400_naming_the_field(down_api: str) -> None:
    got = httpx.post(f"{down_api}/chat/completions", json={"model": "rag:corpus"})
    assert assert_openai_error(got, 400, "messages")["param"] == "messages"


NO_QUESTION = {
    "none": [],
    "system-only": [{"role": "system", "content": "be brief"}],
    "assistant-last": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    "blank": [{"role": "user", "content": "   "}],
}


@pytest.mark.parametrize("messages", list(NO_QUESTION.values()), ids=list(NO_QUESTION))
def test_api__no_user_message_gets_400(down_api: str, messages: list[dict[str, str]]) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        client(down_api).chat.completions.create(model="rag:corpus", messages=messages)  # type: ignore[arg-type]
    assert "the last message must be the user's" in str(err.value)


@pytest.mark.parametrize("model", ["gpt-4o", "rag:nope", "rag:../../etc", "rag:"])
def test_api__unknown_model_or_collection_gets_404(down_api: str, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as err:
        ask(down_api, model=model)
    assert err.value.code == "model_not_found"


def test_api__over_long_question_gets_413(down_api: str) -> None:
    with pytest.raises(openai.APIStatusError) as err:
        ask(down_api, "why? " * 1000)
    assert err.value.status_code == 413 and "RAG_MAX_QUESTION_CHARS" in str(err.value)


def test_api__over_large_body_gets_413(down_api: str) -> None:
    messages = [{"role": "user", "content": "x" * 1000}] * 600 + [{"role": "user", "content": QUESTION}]
    got = httpx.post(f"{down_api}/chat/completions", json={"model": "rag:corpus", "messages": messages})
    assert_openai_error(got, 413, "RAG_API_MAX_REQUEST_KB")


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_api__model_endpoint_down_gets_502_naming_it(down_api: str, corpus_engine: Rag, stream: bool) -> None:
    body = {"model": "rag:corpus", "messages": [{"role": "user", "content": QUESTION}], "stream": stream}
    got = httpx.post(f"{down_api}/chat/completions", json=body, timeout=60)
    error = assert_openai_error(got, 502, "http://127.0.0.1:")
    assert error["code"] == "endpoint_unavailable" and "RAG_LLM_BASE_URL" in str(error["message"])


def test_api__model_endpoint_that_hangs_gets_504(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint]
) -> None:
    endpoint = misbehaving("hang")
    engine = engine_on(corpus_engine, endpoint.base_url, max_retries=0)
    with running_api(Engines(engine.settings, engine=engine)) as base_url:
        got = httpx.post(
            f"{base_url}/chat/completions",
            json={"model": "rag:corpus", "messages": [{"role": "user", "content": QUESTION}]},
            timeout=60,
        )
    assert assert_openai_error(got, 504, endpoint.base_url)["code"] == "endpoint_timeout"


def test_api__endpoint_dying_mid_stream_ends_the_stream_with_an_error_event(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint]
) -> None:
    endpoint = misbehaving("dies")
    engine = engine_on(corpus_engine, endpoint.base_url, max_retries=0)
    with running_api(Engines(engine.settings, engine=engine)) as base_url:
        with pytest.raises(openai.APIError) as err:
            for _ in ask(base_url, stream=True):  # type: ignore[attr-defined]
                pass
    assert endpoint.base_url in str(err.value) and "went away mid-answer" in str(err.value)


def test_api__collection_with_nothing_indexed_gets_409_saying_to_index(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)  # type: ignore[call-arg]
    with running_api(Engines(settings)) as base_url:
        with pytest.raises(openai.ConflictError) as err:
            ask(base_url)
    assert "rag index" in str(err.value)


def test_api__unknown_route_and_wrong_method_get_openai_errors(down_api: str) -> None:
    assert_openai_error(httpx.get(f"{down_api}/nothing-here"), 404, "/v1/chat/completions")
    assert_openai_error(httpx.get(f"{down_api}/chat/completions"), 405, "POST /v1/chat/completions")


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", f"Basic {KEY}", "Bearer", KEY])
def test_api__request_without_a_valid_key_gets_401(keyed_api: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for got in (
        httpx.get(f"{keyed_api}/models", headers=headers),
        httpx.post(f"{keyed_api}/chat/completions", headers=headers, json={"model": "rag:corpus"}),
    ):
        assert assert_openai_error(got, 401, "RAG_API_KEYS")["code"] == "invalid_api_key"
        assert got.headers["www-authenticate"] == "Bearer"


def test_api__each_configured_key_is_accepted(keyed_api: str) -> None:
    for key in (KEY, "other-key"):
        assert [m.id for m in client(keyed_api, key).models.list().data] == ["rag:corpus"]
    with pytest.raises(openai.AuthenticationError):
        client(keyed_api, "sk-someone-else").models.list()


def test_api__without_keys_only_loopback_is_served(capsys: pytest.CaptureFixture[str]) -> None:
    check_exposure(Settings(), "127.0.0.1")  # type: ignore[call-arg]
    check_exposure(Settings(api_keys=KEY), "0.0.0.0")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="RAG_API_KEYS"):
        check_exposure(Settings(), "0.0.0.0")  # type: ignore[call-arg]
    assert rag_main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 1
    assert "set RAG_API_KEYS" in capsys.readouterr().err


def test_api__question_as_text_parts_is_read(down_api: str) -> None:
    content = [{"type": "text", "text": QUESTION}]
    got = httpx.post(
        f"{down_api}/chat/completions",
        content=json.dumps({"model": "rag:corpus", "messages": [{"role": "user", "content": content}]}),
        timeout=60,
    )
    assert_openai_error(got, 502, "RAG_LLM_BASE_URL")  # read, searched, and sent to the (closed) endpoint
