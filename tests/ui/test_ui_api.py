"""`rag ui --api`: the page and the chat API served by one process on one engine (real uvicorn, real page)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from rag import Rag
from rag.serving.api_server import free_port
from ui.app import page_with_api

OFF_TOPIC = "What is a good recipe for sourdough bread with rye flour?"


@pytest.fixture(scope="module")
def served(corpus_engine: Rag) -> Iterator[str]:
    port = free_port()
    server = page_with_api(corpus_engine.settings, "127.0.0.1", port, engine=corpus_engine)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the page with the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def test_ui_api__page_and_chat_api_answer_from_one_process(served: str) -> None:
    page = httpx.get(f"{served}/", timeout=60)
    assert page.status_code == 200 and "<html" in page.text.lower()
    config = httpx.get(f"{served}/config", timeout=60)
    assert config.status_code == 200 and "components" in config.json()
    client = openai.OpenAI(base_url=f"{served}/v1", api_key="unused", max_retries=0, timeout=600)
    assert [m.id for m in client.models.list().data] == ["rag:corpus"]
    reply = client.chat.completions.create(
        model="rag:corpus", messages=[{"role": "user", "content": OFF_TOPIC}]
    )
    assert (reply.model_extra or {})["rag"]["refused"] and reply.choices[0].message.content


def test_ui_api__without_keys_is_refused_beyond_loopback(corpus_engine: Rag) -> None:
    from rag import ConfigError

    with pytest.raises(ConfigError, match="RAG_API_KEYS"):
        page_with_api(corpus_engine.settings, "0.0.0.0", free_port(), engine=corpus_engine)
