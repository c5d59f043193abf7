"""The Documents tab end to end in real headless Chromium: remove a file after confirming, then a question
about it is refused. Its own small corpus and data dir, so the session's index is untouched."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Rag, Settings
from tests.ui.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, _ask, _shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]

GLACIER = "The Zephyrine glacier in the Vorland mountains retreated 412 metres between 1990 and 2020."
PASTRY = "Quillon pastry from Marrevale is folded eleven times with cultured butter before baking."


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory, embedder, llm_endpoint) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from ui.app import launch

    root = tmp_path_factory.mktemp("docs-page")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "glacier.md").write_text(f"# Glacier\n\n{GLACIER}\n", encoding="utf-8")
    (corpus / "pastry.md").write_text(f"# Pastry\n\n{PASTRY}\n", encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        data_dir=root / "data",
        corpus_dir=corpus,
        llm_base_url=llm_endpoint.base_url,
        llm_model=llm_endpoint.model,
    )
    engine = Rag(settings, embedder=embedder)
    engine.index()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(root / "gradio-tmp"))
        demo = launch(settings, "127.0.0.1", port, engine=engine, block=False)
        yield f"http://127.0.0.1:{port}/"
        demo.close()


def test_documents_tab__removed_file_is_gone_from_the_list_and_a_question_about_it_is_refused(
    page_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        try:
            page.goto(page_url)
            page.get_by_role("tab", name="Documents").click()
            page.locator("#rag-docs-table", has_text="glacier.md").wait_for(timeout=60_000)
            page.locator("#rag-doc-pick input").click()
            page.get_by_role("option", name="glacier.md").click()
            page.locator("#rag-doc-delete").click()
            page.locator("#rag-doc-confirm-text", has_text="glacier.md").wait_for(timeout=30_000)
            _shot(page, "docs-01-confirm")
            page.locator("#rag-doc-confirm").click()
            page.locator("#rag-docs-report", has_text="Removed").wait_for(timeout=60_000)
            page.locator("#rag-docs-summary", has_text="1 file,").wait_for(timeout=60_000)
            assert "glacier.md" not in page.locator("#rag-docs-table").inner_text()
            _shot(page, "docs-02-removed")

            page.get_by_role("tab", name="Chat").click()
            answer, _ = _ask(page, "How many metres did the Zephyrine glacier retreat?")
            assert answer.locator(".rag-refusal").count() == 1
            assert "glacier.md" not in answer.inner_text()
            _shot(page, "docs-03-refused")
        finally:
            browser.close()
