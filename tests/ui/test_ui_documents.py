"""The page's Documents tab: its handlers on a real engine over a small temp corpus (real Chroma, the real
embedder; nothing here asks the model), and the tab in the built page."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Rag, Settings
from ui.documents import COLUMNS, DocumentHandlers
from ui.layout import build_app

GLACIER = "The Zephyrine glacier in the Vorland mountains retreated 412 metres between 1990 and 2020."
PASTRY = "Quillon pastry from Marrevale is folded eleven times with cultured butter before baking."


@pytest.fixture
def small_engine(tmp_path: Path, embedder) -> Rag:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "glacier.md").write_text(f"# Glacier\n\n{GLACIER}\n", encoding="utf-8")
    (corpus / "pastry.md").write_text(f"# Pastry\n\n{PASTRY}\n", encoding="utf-8")
    engine = Rag(Settings(data_dir=tmp_path / "data", corpus_dir=corpus), embedder=embedder)  # type: ignore[call-arg]
    engine.index()
    return engine


def test_documents_tab__lists_files_with_chunks(small_engine: Rag) -> None:
    rows, files, summary = DocumentHandlers(engine=small_engine).listing()
    assert files == ["glacier.md", "pastry.md"] and len(rows[0]) == len(COLUMNS)
    assert rows[0][0] == "glacier.md" and rows[0][1] >= 1 and rows[0][3] == "markdown"
    assert summary.startswith("2 files") and "`corpus`" in summary


def test_documents_tab__delete_after_confirmation_is_never_cited_and_reindex_brings_it_back(
    small_engine: Rag,
) -> None:
    d = DocumentHandlers(engine=small_engine)
    assert "glacier.md" in d.confirm_text("glacier.md") and d.confirm_text(None) == ""
    assert d.delete(None) == "Choose a document first."
    assert "Removed `glacier.md`" in d.delete("glacier.md")
    assert d.listing()[1] == ["pastry.md"]
    assert "glacier.md" not in {s.file for s in small_engine.retrieve("Zephyrine glacier retreat 412 metres")}
    assert "is not in the collection" in d.delete("glacier.md")
    assert "added 1" in d.reindex()
    assert d.listing()[1] == ["glacier.md", "pastry.md"]


def test_build_app__has_a_documents_tab_with_a_confirmed_delete(small_engine: Rag) -> None:
    demo = build_app(small_engine, small_engine.settings)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {"rag-docs-tab", "rag-docs-table", "rag-doc-pick", "rag-doc-delete", "rag-doc-confirm"} <= ids
    assert {"rag-reindex", "rag-chat", "rag-question"} <= ids


def test_collection_picker__uploads_listing_and_status_follow_the_chosen_collection(
    small_engine: Rag, tmp_path: Path
) -> None:
    from rag.serving.engines import Engines
    from ui.handlers import ChatHandlers

    other = Rag(
        small_engine.settings.model_copy(update={"collection": "beta"}), embedder=small_engine.embedder
    )
    other.collection(create=True)
    engines = Engines(small_engine.settings, engine=small_engine)
    h = ChatHandlers(engine=small_engine, upload_dir=small_engine.settings.uploads_dir, engines=engines)
    doc = tmp_path / "heron.md"
    doc.write_text("# Heron\n\nThe Quenby heron festival is held every April.\n", encoding="utf-8")
    reports = list(h.upload([str(doc)], "beta"))
    assert "Ready to ask about" in reports[-1]
    assert (small_engine.settings.uploads_dir / "heron.md").is_file()
    docs = DocumentHandlers(engine=small_engine, engines=engines)
    assert docs.listing("beta")[1] == ["uploads/heron.md"]
    assert DocumentHandlers(engine=small_engine, engines=engines).listing(None)[1] == [
        "glacier.md",
        "pastry.md",
    ]
    assert "collection <b>beta</b>" in h.status("beta") and "collection <b>corpus</b>" in h.status(None)
    assert "there is no collection &#x27;gone&#x27;" in h.status("gone")

    demo = build_app(small_engine, small_engine.settings, engines=engines)
    picker = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-collection")
    assert [c[0] for c in picker.choices] == ["beta", "corpus"] and picker.value == "corpus"
