"""Embeddings from an OpenAI-compatible endpoint (RAG_EMBED_BASE_URL), against a real serve-embeddings."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import numpy as np
import pytest

from rag import EndpointUnavailable, IndexMismatch, Rag
from rag.retrieval.embed import make_embedder
from rag.settings import Settings
from tests.conftest import CORPUS, make_settings
from tests.servers import embeddings_server, free_port

FILES = ["mistral-ai.md", "falcon-tii.md", "bloom-bigscience.md", "running-models-locally.pdf"]
QUESTIONS = [
    "Under which licence was Mistral 7B released?",
    "How many tokens was Falcon 180B trained on?",
    "How many natural languages does BLOOM cover?",
    "When was the GGUF file format introduced?",
]


@pytest.fixture(scope="module")
def embed_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    server = embeddings_server(tmp_path_factory.mktemp("embeddings-server"))
    server.start()
    yield server.url + "/v1"
    server.stop()


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("embed-docs")
    for name in FILES:
        shutil.copy(CORPUS / name, folder)
    return folder


@pytest.fixture(scope="module")
def endpoint_engine(tmp_path_factory: pytest.TempPathFactory, docs: Path, embed_url: str) -> Rag:
    engine = Rag(make_settings(tmp_path_factory.mktemp("endpoint-data"), docs, embed_base_url=embed_url))
    report = engine.index()
    assert report.added == len(FILES) and not report.skipped, report.summary()
    return engine


def test_embeddings_endpoint__vectors_equal_the_in_process_embedder(embed_url: str, embedder) -> None:  # type: ignore[no-untyped-def]
    remote = make_embedder(Settings(embed_base_url=embed_url))
    texts = ["Mistral 7B was released under the Apache 2.0 licence.", "GGUF replaced GGML.", "é ünïcode ✓"]
    np.testing.assert_allclose(remote.embed_texts(texts), embedder.embed_texts(texts), atol=1e-5)
    np.testing.assert_allclose(
        remote.embed_query("who built Falcon?"), embedder.embed_query("who built Falcon?"), atol=1e-5
    )
    assert remote.name == "openai:all-MiniLM-L6-v2" != embedder.name


def test_embeddings_endpoint__index_retrieves_the_same_passages_as_the_in_process_embedder(
    endpoint_engine: Rag,
    docs: Path,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    local = Rag(make_settings(tmp_path / "local-data", docs), embedder=embedder)
    local.index()
    for question in QUESTIONS:
        remote_hits = endpoint_engine.retrieve(question, top_k=4)
        local_hits = local.retrieve(question, top_k=4)
        assert [(s.file, s.text) for s in remote_hits] == [(s.file, s.text) for s in local_hits], question
        assert [s.score for s in remote_hits] == pytest.approx([s.score for s in local_hits], abs=1e-4)
    assert endpoint_engine.retrieve(QUESTIONS[0], top_k=1)[0].file == "mistral-ai.md"


def test_embeddings_endpoint__switching_embedder_without_rebuild_is_index_mismatch(
    endpoint_engine: Rag,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    in_process = Rag(endpoint_engine.settings.model_copy(update={"embed_base_url": ""}), embedder=embedder)
    with pytest.raises(IndexMismatch, match="rag index --rebuild") as mismatch:
        in_process.retrieve(QUESTIONS[0])
    assert "openai:all-MiniLM-L6-v2" in str(mismatch.value)
    with pytest.raises(IndexMismatch):
        in_process.index()
    assert endpoint_engine.status(check_endpoint=False).embedder == "openai:all-MiniLM-L6-v2"


def test_embeddings_endpoint__bad_requests_get_a_4xx_that_says_what_to_send(embed_url: str) -> None:
    url = embed_url + "/embeddings"
    cases = [
        (b"not json", 400, "not JSON"),
        (b'{"input": []}', 400, "non-empty string or list of strings"),
        (b'{"input": [1, 2, 3]}', 400, "token ids are not accepted"),
        (b'{"input": "x", "model": "text-embedding-3-small"}', 404, "serves 'all-MiniLM-L6-v2'"),
        (b'{"input": "x", "encoding_format": "int8"}', 400, "encoding_format"),
    ]
    for body, status, says in cases:
        resp = httpx.post(url, content=body, timeout=30)
        assert resp.status_code == status, body
        assert says in resp.json()["error"]["message"], body


def test_embeddings_endpoint__nothing_listening_is_endpoint_unavailable_naming_the_url(
    tmp_path: Path,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    remote = make_embedder(Settings(embed_base_url=url, max_retries=0, data_dir=tmp_path))
    with pytest.raises(EndpointUnavailable, match="rag serve-embeddings") as gone:
        remote.embed_query("anything")
    assert gone.value.url == url and url in str(gone.value)
