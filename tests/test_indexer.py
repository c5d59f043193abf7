"""Incremental indexing into a real Chroma with the real embedder: exactly the right chunks, always."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import IndexMismatch, Rag
from rag.store.records import chunk_text
from tests.conftest import STORES, make_settings, store_settings
from tests.docs import chunks, write_doc


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    for name in ("alpha", "beta", "gamma"):
        write_doc(d, name)
    return d


@pytest.fixture(params=STORES)
def engine(request: pytest.FixtureRequest, tmp_path: Path, folder: Path, embedder) -> Rag:  # type: ignore[no-untyped-def]
    """An engine on the embedded store, then on a Chroma server: every test using it runs on both."""
    settings = make_settings(
        tmp_path / "data", folder, chunk_size=64, chunk_overlap=8, **store_settings(request)
    )
    return Rag(settings, embedder=embedder)


def test_index__first_run_adds_every_file(engine: Rag) -> None:
    report = engine.index()
    assert (report.added, report.updated, report.deleted, report.unchanged) == (3, 0, 0, 0)
    files = {f for f, _ in chunks(engine).values()}
    assert files == {"alpha.md", "beta.md", "gamma.md"}
    st = engine.status(check_endpoint=False)
    assert st.documents == 3 and st.chunks == len(chunks(engine)) == report.chunks_written


def test_reindex__unchanged_corpus_embeds_nothing(engine: Rag) -> None:
    engine.index()
    before = chunks(engine)
    report = engine.index()
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 3)
    assert report.chunks_written == 0
    assert chunks(engine) == before


def test_reindex__changed_file_leaves_no_stale_chunks(engine: Rag, folder: Path) -> None:
    engine.index()
    old = {i for i, (f, _) in chunks(engine).items() if f == "beta.md"}
    write_doc(folder, "beta", paragraphs=5, salt="Now revised with zebra facts.")
    report = engine.index()
    assert (report.updated, report.unchanged) == (1, 2)
    after = chunks(engine)
    beta = {i: h for i, (f, h) in after.items() if f == "beta.md"}
    assert not (old & set(beta)), "old chunks of the changed file remain"
    assert len(set(beta.values())) == 1
    assert any("zebra" in s.text for s in engine.retrieve("zebra facts", top_k=3))


def test_reindex__deleted_file_leaves_no_chunks(engine: Rag, folder: Path) -> None:
    engine.index()
    (folder / "gamma.md").unlink()
    report = engine.index()
    assert report.deleted == 1
    assert {f for f, _ in chunks(engine).values()} == {"alpha.md", "beta.md"}


def test_reindex__added_file_is_indexed(engine: Rag, folder: Path) -> None:
    engine.index()
    write_doc(folder, "delta")
    report = engine.index()
    assert (report.added, report.unchanged) == (1, 3)
    assert "delta.md" in {f for f, _ in chunks(engine).values()}


def test_index__collection_of_another_embedder_is_a_clear_error(
    engine: Rag, tmp_path: Path, folder: Path
) -> None:
    engine.index()
    other = Rag(
        engine.settings.model_copy(
            update={"embed_base_url": "http://127.0.0.1:9/v1", "embed_model": "other-model"}
        )
    )
    with pytest.raises(IndexMismatch, match="rag index --rebuild"):
        other.retrieve("anything")


def test_search__an_index_cut_by_an_older_version_says_to_run_rag_index_which_mends_it(engine: Rag) -> None:
    engine.index()
    col = engine.collection()
    col.raw.modify(metadata={k: v for k, v in col.metadata.items() if k != "layout"})  # as before 3
    reader = Rag(engine.settings, embedder=engine.embedder)
    with pytest.raises(IndexMismatch, match="run `rag index`"):
        reader.retrieve("anything")
    reader.index()
    assert reader.retrieve("anything")


def test_index__given_file_outside_corpus_is_added_without_touching_the_rest(
    engine: Rag, tmp_path: Path
) -> None:
    engine.index()
    uploads = engine.settings.uploads_dir
    uploads.mkdir(parents=True)
    extra = write_doc(uploads, "upload", salt="The okapi is a forest giraffe.")
    report = engine.index([extra])
    assert (report.added, report.deleted) == (1, 0)
    assert "uploads/upload.md" in {f for f, _ in chunks(engine).values()}
    assert len({f for f, _ in chunks(engine).values()}) == 4
    # a later full run keeps uploads (they are part of what is indexed)
    assert engine.index().deleted == 0


def test_index__stores_each_chunk_text_once_in_its_node_record(engine: Rag, folder: Path) -> None:
    """No Chroma document (Chroma would build a full-text index of it that nothing searches): the text is
    read back from LlamaIndex's node record."""
    engine.index()
    got = engine.collection().get(include=["documents", "metadatas"])
    assert got["ids"] and all(d is None for d in got["documents"])
    texts = [chunk_text(d, m) for d, m in zip(got["documents"], got["metadatas"], strict=True)]
    sources = " ".join((folder / f"{n}.md").read_text() for n in ("alpha", "beta", "gamma")).split()
    for text in texts:  # word for word a stretch of its document
        assert len(text) > 40 and " ".join(text.split()) in " ".join(sources)
