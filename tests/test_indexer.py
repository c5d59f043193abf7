"""Incremental indexing into a real Chroma with the real embedder: exactly the right chunks, always."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from rag import IndexBusy, IndexMismatch, Rag
from rag.cli import main as cli_main
from tests.conftest import STORES, make_settings, store_settings

PARA = (
    "Section {i} of document {name}. The {name} project studies open models. It measured {i} things in "
    "detail and wrote them down carefully so that a reader can check each claim against the source. "
)


def write_doc(folder: Path, name: str, paragraphs: int = 3, salt: str = "") -> Path:
    body = "\n\n".join(PARA.format(i=i, name=name) + salt for i in range(paragraphs))
    p = folder / f"{name}.md"
    p.write_text(f"# {name}\n\n{body}\n")
    return p


def chunks(engine: Rag) -> dict[str, tuple[str, str]]:
    """id -> (file, file_hash) for every chunk in the collection."""
    col = engine.collection()
    got = col.get(include=["metadatas"])
    return {i: (m["file"], m["file_hash"]) for i, m in zip(got["ids"], got["metadatas"], strict=True)}


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
    assert st["documents"] == 3 and st["chunks"] == len(chunks(engine)) == report.chunks_written


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


def test_index__bad_files_are_skipped_and_named_the_rest_indexed(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "empty.md").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(folder))
    assert cli_main(["index", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {"empty.md", "junk.txt", "broken.pdf"}
    assert skipped["empty.md"] == "empty file"
    assert report["added"] == 3


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


def test_index__second_indexer_waits_then_refuses_clearly(tmp_path: Path, folder: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path / "data", folder, index_lock_timeout=0.3)
    settings.data_dir.mkdir(parents=True)
    with FileLock(str(settings.data_dir / "index.lock")):
        with pytest.raises(IndexBusy, match="another indexer"):
            Rag(settings, embedder=embedder).index()


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


def test_reindex__killed_run_converges_to_a_clean_build(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "many"
    docs.mkdir()
    for n in range(40):
        write_doc(docs, f"doc{n:02d}", paragraphs=4)
    env = dict(os.environ, RAG_DATA_DIR=str(tmp_path / "killed"), RAG_CORPUS_DIR=str(docs),
               RAG_CHUNK_SIZE="64", RAG_CHUNK_OVERLAP="8", RAG_INDEX_BATCH_CHUNKS="8")  # fmt: skip
    sqlite = tmp_path / "killed" / "chroma" / "chroma.sqlite3"
    killed_with_chunks = False
    for _attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "index"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        size0 = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if sqlite.exists():
                size = sqlite.stat().st_size
                size0 = size if size0 is None else size0
                if size > size0:  # chunks are being written: kill it mid-run
                    break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_with_chunks = True
        proc.wait()
    assert killed_with_chunks, "the indexer finished before it could be killed"
    killed = Rag(make_settings(tmp_path / "killed", docs, chunk_size=64, chunk_overlap=8), embedder=embedder)
    partial = chunks(killed)
    assert partial, "the killed run wrote nothing, so it tested nothing"
    report = killed.index()
    assert report.deleted == 0 and report.added + report.updated + report.unchanged == 40
    clean = Rag(make_settings(tmp_path / "clean", docs, chunk_size=64, chunk_overlap=8), embedder=embedder)
    clean.index()
    assert chunks(killed) == chunks(clean)
