"""Dense, keyword and hybrid retrieval on a real Chroma with the real embedder, through re-indexing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict
from pydantic import ValidationError

from rag import Rag
from rag.ingest.chunk import embed_text
from rag.retrieval.fusion import reciprocal_rank_fusion, score_fusion
from rag.settings import Settings
from rag.types import Source
from tests.conftest import make_settings

DOCS = {
    "pumps": "# Pumps\n\nThe Vantor pump moves water through the cooling loop of the plant. "
    "Its seals are replaced every spring, and its bearings are checked each month by the night shift.",
    "valves": "# Valves\n\nThe relief valve opens when the pressure in the loop rises above the set point. "
    "It is tested every quarter with a calibrated gauge.",
    "filters": "# Filters\n\nThe intake filters catch leaves and sand before the water reaches the pump. "
    "They are rinsed weekly and swapped out when the pressure drop across them doubles.",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    for name, text in DOCS.items():
        (d / f"{name}.md").write_text(text)
    return d


def engine_for(tmp_path: Path, folder: Path, embedder: object, retrieval: str, **overrides: object) -> Rag:
    settings = make_settings(tmp_path / "data", folder, retrieval=retrieval, **{"top_k": 3, **overrides})
    return Rag(settings, embedder=embedder)  # type: ignore[arg-type]


def files(sources: list[Source]) -> list[str]:
    return [s.file for s in sources]


def test_keyword_retrieval__follows_added_changed_and_deleted_files(
    tmp_path: Path, folder: Path, embedder: object
) -> None:
    asker = engine_for(tmp_path, folder, embedder, "keyword")
    indexer = engine_for(tmp_path, folder, embedder, "keyword")  # another process indexing the same data dir
    indexer.index()
    assert files(asker.retrieve("Vantor pump seals"))[0] == "pumps.md"
    assert asker.retrieve("Quillmark turbine") == []

    (folder / "turbines.md").write_text("# Turbines\n\nThe Quillmark turbine spins at night only.")
    (folder / "pumps.md").write_text("# Pumps\n\nThe Brellan pump replaced the old one in the loop.")
    (folder / "valves.md").unlink()
    report = indexer.index()
    assert (report.added, report.updated, report.deleted) == (1, 1, 1)

    assert files(asker.retrieve("Quillmark turbine"))[0] == "turbines.md"
    assert files(asker.retrieve("Brellan pump"))[0] == "pumps.md"
    stale = asker.retrieve("Vantor seals spring bearings")
    assert all("Vantor" not in s.text for s in stale)
    assert "valves.md" not in files(asker.retrieve("relief valve quarter calibrated gauge"))


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_retrieval__a_running_engine_finds_what_another_process_indexed(
    tmp_path: Path, folder: Path, embedder: object, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    import rag.retrieval.keyword

    reads: list[int] = []  # how often the keyword side reads every passage
    real_read = rag.retrieval.keyword._read_units
    monkeypatch.setattr(rag.retrieval.keyword, "_read_units", lambda col: reads.append(1) or real_read(col))
    asker = engine_for(tmp_path, folder, embedder, mode)  # as the page: open all along
    asker.index()
    for _ in range(3):
        assert files(asker.retrieve("Vantor pump seals"))[0] == "pumps.md"
    assert len(reads) == (1 if mode == "hybrid" else 0)  # nothing changed: nothing read again

    (folder / "turbines.md").write_text("# Turbines\n\nThe Quillmark turbine spins at night only.")
    env = dict(os.environ, RAG_DATA_DIR=str(tmp_path / "data"), RAG_CORPUS_DIR=str(folder))
    done = subprocess.run([sys.executable, "-m", "rag.cli", "index", "--json"], env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0 and json.loads(done.stdout)["added"] == 1, done.stderr

    for _ in range(2):
        found = asker.retrieve("Which turbine spins at night?")
        assert found[0].file == "turbines.md" and found[0].score > 0.3
    assert len(reads) == (2 if mode == "hybrid" else 0)  # read once more, after the change only


def test_keyword_retrieval__finds_a_rare_code_by_its_exact_spelling(
    tmp_path: Path, folder: Path, embedder: object
) -> None:
    (folder / "codes.md").write_text("# Fault codes\n\nCode QX7781 means the loop lost pressure.")
    engine = engine_for(tmp_path, folder, embedder, "keyword")
    engine.index()
    assert files(engine.retrieve("QX7781"))[0] == "codes.md"


def test_hybrid_retrieval__every_score_is_the_dense_similarity(
    tmp_path: Path, folder: Path, embedder: object
) -> None:
    """Of its best unit; with passage_tokens=0 the passage is that unit, whose text the test embeds again."""
    engine = engine_for(tmp_path, folder, embedder, "hybrid", passage_tokens=0)
    engine.index()
    query = "When are the Vantor seals replaced?"
    sources = engine.retrieve(query, top_k=3)
    assert len(sources) == 3 and sources[0].file == "pumps.md"
    q = np.asarray(engine.embedder.embed_query(query))
    for s in sources:
        node_text = embed_text_for(s)
        p = np.asarray(engine.embedder.embed_texts([node_text])[0])
        assert s.score == pytest.approx(float(q @ p / np.linalg.norm(q) / np.linalg.norm(p)), abs=2e-3)


def embed_text_for(source: Source) -> str:
    from llama_index.core.schema import TextNode

    node = TextNode(text=source.text, metadata={"title": source.title or "", "heading": source.heading or ""})
    return embed_text(node)


def test_reciprocal_rank_fusion__rewards_agreement_and_keeps_first_list_on_ties() -> None:
    assert reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]]) == ["b", "a", "d", "c"]
    assert reciprocal_rank_fusion([["a"], ["b"]]) == ["a", "b"]
    assert reciprocal_rank_fusion([[], []]) == []


def test_weighted_fusion__the_heavier_ranking_wins_disagreements_and_agreement_still_counts() -> None:
    dense, keyword = ["a", "b", "c"], ["b", "a", "d"]
    assert reciprocal_rank_fusion([dense, keyword], weights=[0.3, 0.7]) == ["b", "a", "d", "c"]
    assert reciprocal_rank_fusion([dense, keyword], weights=[0.7, 0.3]) == ["a", "b", "c", "d"]
    # found by both beats first place on one side only
    assert reciprocal_rank_fusion([["x", "b"], ["b"]], weights=[0.7, 0.3])[0] == "b"
    assert reciprocal_rank_fusion([dense, keyword], weights=[0.5, 0.5]) == reciprocal_rank_fusion(
        [dense, keyword]
    )
    with pytest.raises(ValueError, match="1 weights for 2 rankings"):
        reciprocal_rank_fusion([dense, keyword], weights=[1.0])


def test_score_fusion__the_dense_first_beats_weak_keyword_matches_that_rank_fusion_puts_first() -> None:
    dense = {"a": 0.62, "b": 0.20, "c": 0.18}  # "a" shares no word with the query
    keyword = {"b": 3.0, "c": 2.5}  # weak matches: the query's best BM25 score is 10
    assert score_fusion(dense, keyword, keyword_weight=0.4, best_keyword=10.0) == ["a", "b", "c"]
    assert reciprocal_rank_fusion([list(dense), list(keyword)], weights=[0.3, 0.7]) == ["b", "c", "a"]
    # a strong keyword match still wins over a middling cosine
    assert score_fusion(dense, {"b": 10.0}, keyword_weight=0.4, best_keyword=10.0)[0] == "b"


def test_score_fusion__no_keyword_match_leaves_the_dense_order_and_ties_keep_it() -> None:
    dense = {"a": 0.5, "b": 0.5, "c": 0.7}
    assert score_fusion(dense, {}, keyword_weight=0.4, best_keyword=0.0) == ["c", "a", "b"]
    assert score_fusion({}, {"x": 1.0}, keyword_weight=0.4, best_keyword=1.0) == []


def test_settings__unknown_retrieval_mode_is_refused_with_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_RETRIEVAL", "fuzzy")
    with pytest.raises(ValidationError, match="dense.*keyword.*hybrid"):
        Settings()


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_retrieval__reads_an_index_whose_chunks_are_chroma_documents(
    tmp_path: Path, folder: Path, embedder: object, mode: str
) -> None:
    """Indexes written before chunk texts moved into the node record keep their text as Chroma documents."""
    engine = engine_for(tmp_path, folder, embedder, mode)
    engine.index()
    col = engine.collection()
    got = col.get(include=["embeddings", "metadatas", "documents"])
    nodes = [metadata_dict_to_node(md) for md in got["metadatas"]]
    col.delete(got["ids"])
    col.raw.add(
        ids=got["ids"],
        embeddings=got["embeddings"],
        documents=[n.get_content() for n in nodes],
        metadatas=[node_to_metadata_dict(n, remove_text=True, flat_metadata=True) for n in nodes],
    )
    old = col.get(include=["metadatas", "documents"])
    assert all(json.loads(md["_node_content"])["text"] == "" for md in old["metadatas"])
    assert all(old["documents"])

    reader = engine_for(tmp_path, folder, embedder, mode)
    found = reader.retrieve("When are the Vantor pump seals replaced?")
    assert found[0].file == "pumps.md"
    assert "seals are replaced every spring" in found[0].text


SENTENCES = [
    "The plant takes its water from the northern river.",
    "Intake filters catch leaves and sand at the gate.",
    "The Vantor pump then moves the water through the cooling loop.",
    "Its seals are replaced every spring by the day crew.",
    "Its bearings are checked each month by the night shift.",
    "Warm water leaves the loop through the eastern outfall.",
]
MANUAL = (
    "# Operations\n\n"
    + " ".join(SENTENCES)
    + "\n\n# Billing\n\nInvoices for the Vantor contract go out monthly."
)
SMALL_UNITS = {"chunk_size": 16, "chunk_overlap": 0, "top_k": 1}


@pytest.fixture
def manual(tmp_path: Path) -> Path:
    d = tmp_path / "manual"
    d.mkdir()
    (d / "manual.md").write_text(MANUAL)
    return d


def test_retrieve__returns_the_window_around_a_sentence_hit(
    tmp_path: Path, manual: Path, embedder: object
) -> None:
    engine = engine_for(tmp_path, manual, embedder, "dense", passage_tokens=40, **SMALL_UNITS)
    engine.index()
    assert engine.collection().count() >= len(SENTENCES)  # about a sentence a unit
    (found,) = engine.retrieve("When are the seals of the Vantor pump replaced?")
    assert SENTENCES[3] in found.text  # the hit
    assert SENTENCES[2] in found.text or SENTENCES[4] in found.text  # with what is around it
    assert not all(s in found.text for s in SENTENCES)  # within the budget, not the whole paragraph
    assert found.heading == "Operations"


def test_retrieve__a_window_never_crosses_into_another_section(
    tmp_path: Path, manual: Path, embedder: object
) -> None:
    engine = engine_for(tmp_path, manual, embedder, "hybrid", passage_tokens=400, **SMALL_UNITS)
    engine.index()
    (found,) = engine.retrieve("Where does warm water leave the loop?")
    assert SENTENCES[5] in found.text and SENTENCES[0] in found.text  # the whole section fits the budget
    assert "Invoices" not in found.text


def test_retrieve__adjacent_hits_come_back_as_one_passage_without_repeated_text(
    tmp_path: Path, manual: Path, embedder: object
) -> None:
    engine = engine_for(
        tmp_path, manual, embedder, "hybrid", passage_tokens=16, **{**SMALL_UNITS, "top_k": 4}
    )
    engine.index()
    found = engine.retrieve("Vantor pump seals replaced spring, bearings checked by the night shift")
    shown = [s for s in SENTENCES for source in found if s in source.text]
    assert len(shown) == len(set(shown))  # no sentence given twice
    together = [f for f in found if SENTENCES[3] in f.text and SENTENCES[4] in f.text]
    assert len(together) == 1  # two neighbouring hits, one passage


def test_index__builds_the_keyword_index_in_the_background_before_the_first_question(
    tmp_path: Path, folder: Path, embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import rag.retrieval.keyword

    readers: list[str] = []  # the thread that read every passage for BM25, each time it was done
    real_read = rag.retrieval.keyword._read_units
    monkeypatch.setattr(
        rag.retrieval.keyword,
        "_read_units",
        lambda col: readers.append(threading.current_thread().name) or real_read(col),
    )
    engine = engine_for(tmp_path, folder, embedder, "hybrid")
    engine.index()
    assert engine.wait_for_keyword_index(timeout=120)
    assert readers == ["bm25-build"]  # built after the run, before any question
    assert files(engine.retrieve("Vantor pump seals"))[0] == "pumps.md"
    assert readers == ["bm25-build"]  # the question found it ready

    later = engine_for(tmp_path / "2", folder, embedder, "hybrid", keyword_index_in_background=False)
    later.index()
    assert later.wait_for_keyword_index() and readers == ["bm25-build"]
    assert files(later.retrieve("Vantor pump seals"))[0] == "pumps.md"
    assert readers == ["bm25-build", threading.current_thread().name]  # off: the first question builds it


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_retrieve__a_file_at_its_cap_leaves_no_place_empty(
    tmp_path: Path, folder: Path, embedder: object, mode: str
) -> None:
    """The top units all come from one long file: the search goes deeper until other files fill the places."""
    (folder / "pumps.md").write_text(
        "# Pumps\n\n"
        + "\n\n".join(f"The Vantor pump number {n} moves water through cooling loop {n}." for n in range(12))
    )
    engine = engine_for(
        tmp_path,
        folder,
        embedder,
        mode,
        **{**SMALL_UNITS, "top_k": 3, "passages_per_file": 1, "fusion_candidates": 1, "passage_tokens": 16},
    )
    engine.index()
    found = engine.retrieve("Which Vantor pump moves water through the cooling loop?")
    assert len(found) == 3
    assert found[0].file == "pumps.md" and len({s.file for s in found}) == 3


TURBINE_UNIT = "The blades are cleaned every week with fresh water."
TURBINE = f"# Quillmark turbine field manual\n\n## Maintenance\n\n{TURBINE_UNIT}"


def test_index__the_embedder_reads_a_unit_with_its_heading_not_its_document_title(
    tmp_path: Path, folder: Path, embedder: object
) -> None:
    (folder / "turbine.md").write_text(TURBINE)
    engine = engine_for(tmp_path, folder, embedder, "dense")
    engine.index()
    got = engine.collection().get(include=["embeddings", "metadatas"])
    (stored,) = [
        e for e, md in zip(got["embeddings"], got["metadatas"], strict=True) if md["file"] == "turbine.md"
    ]
    stored = np.asarray(stored) / np.linalg.norm(stored)

    def cosine(text: str) -> float:
        v = np.asarray(engine.embedder.embed_texts([text])[0])
        return float(stored @ v / np.linalg.norm(v))

    assert cosine(f"Maintenance\n{TURBINE_UNIT}") == pytest.approx(1.0, abs=1e-3)
    assert cosine(f"Quillmark turbine field manual - Maintenance\n{TURBINE_UNIT}") < 0.99


def test_keyword_retrieval__finds_a_unit_by_its_document_title(
    tmp_path: Path, folder: Path, embedder: object
) -> None:
    (folder / "turbine.md").write_text(TURBINE)
    engine = engine_for(tmp_path, folder, embedder, "keyword")
    engine.index()
    (found, *_) = engine.retrieve("Quillmark")
    assert found.file == "turbine.md" and "blades are cleaned" in found.text
