"""Settings: one object, RAG_ prefix, .env honoured; the public surface of the package."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import rag
from rag.settings import Settings


def test_settings__read_from_env_with_rag_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.top_k == 7 and s.llm_base_url == "http://127.0.0.1:9/v1" and not s.embedded_llm


def test_settings__dotenv_in_working_dir_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RAG_CHUNK_SIZE=150\n")
    assert Settings().chunk_size == 150


def test_settings__overlap_must_be_below_chunk_size() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_size=64, chunk_overlap=64)


def test_settings__every_field_is_described() -> None:
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_settings__default_data_dir_is_outside_the_repository() -> None:
    repo = Path(rag.__file__).resolve().parent.parent
    assert not Settings().data_dir.resolve().is_relative_to(repo)


def test_exported_members__all_names_exist_and_are_public() -> None:
    for name in rag.__all__:
        assert hasattr(rag, name), name
    assert {"ask", "ask_stream", "Answer", "Source", "RagError", "Settings", "index_corpus"} <= set(
        rag.__all__
    )
    assert all(
        issubclass(getattr(rag, n), rag.RagError) for n in rag.__all__ if n.endswith(("Error", "Mismatch"))
    )
