"""The chat API for real: uvicorn on a free 127.0.0.1 port, the session's engine over corpus/ and the real
model endpoint, asked through the official `openai` client (plain HTTP where the wire itself is the point).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import openai
import pytest

from rag import Rag
from rag.serving.engines import Engines
from tests.api_server import running_api

QUESTION = "Under which licence was Mistral 7B released?"
OFF_TOPIC = "What is a good recipe for sourdough bread with rye flour?"


@pytest.fixture(scope="module")
def api(corpus_engine: Rag) -> Iterator[str]:
    with running_api(Engines(corpus_engine.settings, engine=corpus_engine)) as base_url:
        yield base_url


def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0, timeout=600)


def rag_field(reply: Any) -> dict[str, Any]:
    extra = reply.model_extra or {}
    assert "rag" in extra, f"no rag field in {reply}"
    return dict(extra["rag"])


def assert_markers_point_at_cited_sources(text: str, rag: dict[str, Any]) -> None:
    cited = {s["n"] for s in rag["sources"] if s["cited"]}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert markers and markers <= cited, (text, cited)


def test_api__models_lists_each_collection_as_a_model(api: str) -> None:
    models = client(api).models.list()
    assert [m.id for m in models.data] == ["rag:corpus"]


def test_api__plain_answer_is_the_verified_text_with_its_sources(api: str) -> None:
    reply = client(api).chat.completions.create(
        model="rag:corpus", messages=[{"role": "user", "content": QUESTION}]
    )
    text = reply.choices[0].message.content or ""
    rag = rag_field(reply)
    assert reply.model == "rag:corpus" and reply.choices[0].finish_reason == "stop"
    assert text == rag["text"] and not rag["refused"] and "Apache" in text
    assert_markers_point_at_cited_sources(text, rag)
    source = next(s for s in rag["sources"] if s["cited"])
    assert source["file"] == "mistral-ai.md" and source["support"] and source["text"]
    assert {"n", "file", "page", "text", "score", "cited", "support"} <= set(source)
    assert isinstance(rag["unsupported"], list)


def test_api__streamed_answer_sends_drafts_then_verified_text_and_sources_last(api: str) -> None:
    chunks = list(
        client(api).chat.completions.create(
            model="rag:corpus", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    drafts = "".join((c.choices[0].delta.model_extra or {}).get("rag_draft", "") for c in chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    rag = rag_field(last)
    assert last.choices[0].finish_reason == "stop" and all(
        c.choices[0].finish_reason is None for c in chunks[:-1]
    )
    assert drafts.strip() and content == rag["text"] and not rag["refused"]
    assert_markers_point_at_cited_sources(content, rag)
    assert len({c.id for c in chunks}) == 1


def test_api__follow_up_is_searched_with_the_conversation(api: str) -> None:
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Mistral 7B was released under the Apache 2.0 licence [2]."},
    ]
    reply = client(api).chat.completions.create(
        model="rag:corpus", messages=[*history, {"role": "user", "content": "When was it released?"}]
    )
    rag = rag_field(reply)
    assert any(s["file"] == "mistral-ai.md" for s in rag["sources"]), rag["sources"]
    assert reply.choices[0].message.content == rag["text"]


def test_api__question_the_documents_do_not_answer_is_a_normal_refusal(api: str) -> None:
    reply = client(api).chat.completions.create(
        model="rag:corpus", messages=[{"role": "user", "content": OFF_TOPIC}]
    )
    rag = rag_field(reply)
    assert rag["refused"] and reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.content == rag["text"] and not re.search(r"\[\d+\]", rag["text"])


def test_api__curl_shaped_request_gets_openai_json(api: str) -> None:
    body = {"model": "rag:corpus", "messages": [{"role": "user", "content": OFF_TOPIC}]}
    got = httpx.post(f"{api}/chat/completions", content=json.dumps(body), timeout=600)
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/json")
    data = got.json()
    assert data["object"] == "chat.completion" and data["id"].startswith("chatcmpl-")
    assert data["choices"][0]["message"]["role"] == "assistant" and "sources" in data["rag"]


def test_api__ten_simultaneous_clients_are_all_answered(api: str) -> None:
    def ask(_: int) -> Any:
        return client(api).chat.completions.create(
            model="rag:corpus", messages=[{"role": "user", "content": QUESTION}]
        )

    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(ask, range(10)))
    assert len(replies) == 10
    for reply in replies:
        rag = rag_field(reply)
        assert reply.choices[0].message.content == rag["text"] and rag["text"].strip()
        assert any(s["file"] == "mistral-ai.md" for s in rag["sources"])
        if not rag["refused"]:
            assert_markers_point_at_cited_sources(rag["text"], rag)


def test_api_stream__a_withdrawn_draft_is_announced_before_the_second_draft() -> None:
    from rag.serving.api import _stream
    from rag.serving.protocol import Reply
    from rag.types import Answer, Delta, Withdrawn

    events = [
        Delta("Falcon 180B was trained on 7 trillion tokens [1]."),
        Withdrawn(),
        Delta("Falcon 180B was trained on 3.5 trillion tokens [1]."),
        Answer(text="Falcon 180B was trained on 3.5 trillion tokens [1].", sources=(), refused=False),
    ]
    chunks = [
        json.loads(line.removeprefix("data: "))
        for line in _stream(Reply(model="rag:corpus"), iter(events))
        if line.startswith("data: {")
    ]
    deltas = [c["choices"][0]["delta"] for c in chunks if c.get("choices")]
    keys = [next(iter(d)) if d else "" for d in deltas]
    withdrawn = keys.index("rag_draft_withdrawn")
    assert keys.index("rag_draft") < withdrawn < len(keys) - 1 - keys[::-1].index("rag_draft")
    assert deltas[withdrawn]["rag_draft_withdrawn"] is True
    assert [d["content"] for d in deltas if "content" in d][-1].startswith("Falcon 180B was trained on 3.5")
