"""Named collections, and the documents of one you can list and remove: real Chroma in a temp data dir and
the real embedder (nothing here asks the model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import rag
from rag import ConfigError, IngestError, Rag, Settings
from rag.cli import main as cli_main

ALPHA = "The Zephyrine glacier in the Vorland mountains retreated 412 metres between 1990 and 2020."
BETA = "Quillon pastry from Marrevale is folded eleven times with cultured butter before baking."


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    data, alpha, beta = tmp_path / "data", tmp_path / "alpha", tmp_path / "beta"
    for folder, name, text in ((alpha, "glacier.md", ALPHA), (beta, "pastry.md", BETA)):
        folder.mkdir()
        (folder / name).write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    return data, alpha, beta


def engine(data: Path, corpus: Path, collection: str, embedder, **overrides: object) -> Rag:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=data, corpus_dir=corpus, collection=collection, **overrides)  # type: ignore[arg-type]
    return Rag(settings, embedder=embedder)


@pytest.mark.parametrize("mode", ["dense", "keyword"])
def test_collections__two_collections_never_see_each_others_passages(folders, embedder, mode: str) -> None:  # type: ignore[no-untyped-def]
    data, alpha, beta = folders
    a = engine(data, alpha, "alpha", embedder, retrieval=mode)
    b = engine(data, beta, "beta", embedder, retrieval=mode)
    assert a.index().added == 1 and b.index().added == 1
    assert {s.file for s in a.retrieve("Zephyrine glacier retreat metres")} == {"glacier.md"}
    assert {s.file for s in b.retrieve("Zephyrine glacier retreat metres")} <= {"pastry.md"}  # keyword: none
    assert {s.file for s in a.retrieve("Quillon pastry butter")} <= {"glacier.md"}
    assert {s.file for s in b.retrieve("Quillon pastry butter")} == {"pastry.md"}


@pytest.mark.parametrize(
    "name", ["../corpus", "a/b", "x", "has space", "dots.in.name", "-lead", "é" * 4, "a" * 64]
)
def test_collection_name__path_tricks_and_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="cannot name a collection"):
        Settings(collection=name)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="cannot name a collection"):
        rag.ask("anything", collection=name)


def test_collection__default_is_corpus_so_indexes_written_before_open_as_it() -> None:
    assert Settings().collection == "corpus"  # type: ignore[call-arg]


def test_cli_collections__lists_them_and_deletes_one_only_with_yes(
    folders, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    data, alpha, beta = folders
    monkeypatch.setenv("RAG_DATA_DIR", str(data))
    assert cli_main(["index", "--collection", "alpha", str(alpha)]) == 0
    assert cli_main(["index", "--collection", "beta", str(beta)]) == 0
    capsys.readouterr()
    assert cli_main(["collections", "--json"]) == 0
    listed = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"alpha", "beta"}
    assert listed["alpha"]["documents"] == 1 and listed["alpha"]["chunks"] >= 1
    assert listed["alpha"]["embedder"] == "bundled:all-MiniLM-L6-v2" and listed["alpha"]["last_indexed"]

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli_main(["collections", "delete", "beta"]) == 1
    assert "pass --yes" in capsys.readouterr().err
    assert cli_main(["collections", "delete", "nope", "--yes"]) == 1
    assert "there is no collection 'nope'" in capsys.readouterr().err
    assert cli_main(["collections", "delete", "beta", "--yes"]) == 0
    assert cli_main(["collections", "--json"]) == 0
    assert [c["name"] for c in json.loads(capsys.readouterr().out.split("\n", 1)[1])] == ["alpha"]
    assert (beta / "pastry.md").exists()


def test_docs__lists_each_file_with_chunks_size_reader_and_time(folders, embedder) -> None:  # type: ignore[no-untyped-def]
    data, alpha, _ = folders
    (alpha / "notes.txt").write_text(
        "Plain notes about the Vorland mountains and their glaciers.\n", encoding="utf-8"
    )
    e = engine(data, alpha, "alpha", embedder)
    e.index()
    docs = {d.file: d for d in e.documents()}
    assert set(docs) == {"glacier.md", "notes.txt"}
    assert docs["glacier.md"].reader == "markdown" and docs["notes.txt"].reader == "text"
    assert docs["glacier.md"].chunks >= 1 and docs["glacier.md"].size == (alpha / "glacier.md").stat().st_size
    assert docs["glacier.md"].indexed_at and docs["glacier.md"].indexed_at.endswith("+00:00")
    assert docs["glacier.md"].chunks == e.collection().count() - docs["notes.txt"].chunks  # type: ignore[union-attr]


def test_cli_docs__json_and_unknown_collection(
    folders, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    data, alpha, _ = folders
    monkeypatch.setenv("RAG_DATA_DIR", str(data))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(alpha))
    assert cli_main(["index"]) == 0
    capsys.readouterr()
    assert cli_main(["docs", "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["file"] == "glacier.md" and {"chunks", "size", "indexed_at", "reader"} <= set(doc)
    assert cli_main(["docs", "--collection", "nope"]) == 1
    assert "there is no collection 'nope' (collections: corpus)" in capsys.readouterr().err


def test_remove__chunks_leave_both_searches_file_stays_and_next_index_adds_it_again(
    folders, embedder
) -> None:  # type: ignore[no-untyped-def]
    data, alpha, _ = folders
    (alpha / "other.md").write_text(
        "# other\n\nThe Vorland mountains hold several glaciers.\n", encoding="utf-8"
    )
    e = engine(data, alpha, "alpha", embedder, retrieval="hybrid")
    e.index()
    assert "glacier.md" in {s.file for s in e.retrieve("Zephyrine glacier retreated 412 metres")}
    revision = e.store.revision("alpha")
    assert e.remove([str(alpha / "glacier.md")]) == ["glacier.md"]
    assert e.store.revision("alpha") != revision  # other processes rebuild their keyword index
    assert {s.file for s in e.retrieve("Zephyrine glacier retreated 412 metres")} == {"other.md"}
    keyword = engine(data, alpha, "alpha", embedder, retrieval="keyword")
    assert "glacier.md" not in {s.file for s in keyword.retrieve("Zephyrine 412 glacier")}
    assert (alpha / "glacier.md").exists() and [d.file for d in e.documents()] == ["other.md"]
    report = e.index()
    assert report.added == 1 and report.unchanged == 1
    assert "glacier.md" in {s.file for s in e.retrieve("Zephyrine glacier retreated 412 metres")}


def test_remove__a_file_not_indexed_removes_nothing_and_says_so(folders, embedder) -> None:  # type: ignore[no-untyped-def]
    data, alpha, _ = folders
    e = engine(data, alpha, "alpha", embedder)
    e.index()
    with pytest.raises(IngestError, match="'nope.md' is not in the collection 'alpha': nothing was removed"):
        e.remove(["glacier.md", "nope.md"])
    assert [d.file for d in e.documents()] == ["glacier.md"]
