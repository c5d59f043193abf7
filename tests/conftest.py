"""Shared fixtures: real parts only.

- `clean_environ` (autouse): no RAG_* variable or .env from the developer's shell leaks into a test.
- `llm_endpoint` (session): the real embedded llama.cpp endpoint, attached or started once for the run
  (through the default data dir, where the model is assembled once per machine).
- `embedder` (session): the real bundled embedding model, loaded once.
- `corpus_engine` (session): a Rag over the repository's corpus/, indexed once into a temp data dir.
- `chroma_server` (session): a real Chroma server on a free port of 127.0.0.1 with its own temp --path;
  `store_settings(request)` gives each test a fresh collection on it (the `store` parameter).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "corpus"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("RAG_") and key != "RAG_DEBUG":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    yield


@pytest.fixture(scope="session")
def endpoint_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings of the session's embedded endpoint.

    The model is assembled (and verified) once per machine in the default data dir; the server runs from a
    session data dir, so no other process's server is attached to and none outlives the session.
    """
    from rag.serving.model_files import resolve_model_file
    from rag.settings import Settings

    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("RAG_")}
    try:
        model_file, _ = resolve_model_file(Settings())
        return Settings(data_dir=tmp_path_factory.mktemp("endpoint"), model_path=model_file)
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="session")
def llm_endpoint(endpoint_settings):  # type: ignore[no-untyped-def]
    """EndpointInfo of the real embedded endpoint, started once for the session."""
    from rag.serving.model_server import start_or_attach

    info, server = start_or_attach(endpoint_settings)
    yield info
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from rag.retrieval.embed import make_embedder
    from rag.settings import Settings

    return make_embedder(Settings())


def make_settings(data_dir: Path, corpus_dir: Path = CORPUS, **overrides: object):  # type: ignore[no-untyped-def]
    from rag.settings import Settings

    return Settings(data_dir=data_dir, corpus_dir=corpus_dir, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_engine(tmp_path_factory: pytest.TempPathFactory, embedder, llm_endpoint):  # type: ignore[no-untyped-def]
    return indexed_corpus_engine(tmp_path_factory.mktemp("corpus-data"), embedder, llm_endpoint)


def indexed_corpus_engine(data_dir: Path, embedder, llm_endpoint, **overrides: object):  # type: ignore[no-untyped-def]
    """A Rag over the repository's corpus/, indexed, answering through `llm_endpoint`."""
    from rag import Rag

    settings = make_settings(
        data_dir, llm_base_url=llm_endpoint.base_url, llm_model=llm_endpoint.model, **overrides
    )
    engine = Rag(settings, embedder=embedder)
    report = engine.index()
    assert report.added >= 20 and not report.skipped, report.summary()
    return engine


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real Chroma server (tests.servers.Server), started once for the session."""
    from tests.servers import chroma_server as make_server

    server = make_server(tmp_path_factory.mktemp("chroma-server") / "db")
    server.start()
    yield server
    server.stop()


STORES = ["embedded", "chroma-server"]


def store_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings overrides for the `store` a test is parametrised with: a fresh collection on the server."""
    import uuid

    if getattr(request, "param", "embedded") == "embedded":
        return {}
    server = request.getfixturevalue("chroma_server")
    return {"chroma_url": server.url, "collection": f"test-{uuid.uuid4().hex[:12]}"}
