"""The project on a real Chroma server (RAG_CHROMA_URL) behaves as on the embedded store.

The indexer tests run on both stores through the parametrised `engine` fixture of tests/test_indexer.py; here
the corpus is indexed through the server and the ask scenarios of tests/test_ask.py run against it, and a
server that goes away is a clear error that heals once the server is back.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rag import EndpointUnavailable, Rag
from rag.cli import main as cli_main
from tests.conftest import CORPUS, indexed_corpus_engine, make_settings
from tests.docs import chunks
from tests.servers import chroma_server
from tests.test_ask import (
    test_ask__corpus_question_is_answered_with_a_citation_to_the_file_that_holds_it as cited_answer,
)
from tests.test_ask import test_ask__pdf_answer_cites_the_right_page as pdf_page
from tests.test_ask import test_ask__question_the_documents_do_not_answer_is_refused as refusal


@pytest.fixture(scope="session")
def server_corpus_engine(tmp_path_factory: pytest.TempPathFactory, chroma_server, embedder, llm_endpoint):  # type: ignore[no-untyped-def]
    return indexed_corpus_engine(
        tmp_path_factory.mktemp("server-corpus-data"),
        embedder,
        llm_endpoint,
        chroma_url=chroma_server.url,
        collection="corpus-on-server",
    )


def test_server_index__holds_exactly_the_chunks_and_texts_of_the_embedded_index(
    server_corpus_engine: Rag, corpus_engine: Rag
) -> None:
    assert chunks(server_corpus_engine) == chunks(corpus_engine)
    question = "How many natural languages does BLOOM cover?"
    on_server = server_corpus_engine.retrieve(question, top_k=4)
    embedded = corpus_engine.retrieve(question, top_k=4)
    assert [(s.file, s.text) for s in on_server] == [(s.file, s.text) for s in embedded]
    assert [s.score for s in on_server] == pytest.approx([s.score for s in embedded], abs=1e-3)


def test_server_reindex__unchanged_corpus_embeds_nothing(server_corpus_engine: Rag) -> None:
    report = server_corpus_engine.index()
    assert report.chunks_written == 0 and report.added == report.updated == report.deleted == 0


@pytest.mark.parametrize(
    "scenario",
    [cited_answer, pdf_page, lambda engine: refusal(engine, "What is the capital of Australia?")],
    ids=["cited-answer", "pdf-page", "refusal"],
)
def test_server_ask__answers_as_on_the_embedded_store(
    server_corpus_engine: Rag, scenario: Callable[[Rag], None]
) -> None:
    scenario(server_corpus_engine)


def test_server_gone__index_and_ask_fail_naming_it_then_work_again_when_it_is_back(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    llm_endpoint,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = chroma_server(tmp_path / "db")
    server.start()
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        shutil.copy(CORPUS / "mistral-ai.md", docs)
        settings = make_settings(
            tmp_path / "data",
            docs,
            chroma_url=server.url,
            llm_base_url=llm_endpoint.base_url,
            llm_model=llm_endpoint.model,
        )
        engine = Rag(settings, embedder=embedder)
        assert engine.index().added == 1

        server.stop()
        named = re.escape(server.url)
        with pytest.raises(EndpointUnavailable, match=named) as gone:
            engine.ask("Under which licence was Mistral 7B released?")
        assert gone.value.url == server.url and "chroma run" in str(gone.value)
        with pytest.raises(EndpointUnavailable, match=named):
            engine.index()
        with pytest.raises(EndpointUnavailable, match=named):
            Rag(settings, embedder=embedder).status(check_endpoint=False)
        monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "cli-data"))
        monkeypatch.setenv("RAG_CHROMA_URL", server.url)
        monkeypatch.setenv("RAG_CORPUS_DIR", str(docs))
        assert cli_main(["index"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: the Chroma server") and server.url in err and "\n" not in err

        server.start()
        shutil.copy(CORPUS / "falcon-tii.md", docs)
        report = engine.index()
        assert (report.added, report.unchanged) == (1, 1)
        cited_answer(engine)
    finally:
        server.stop()
