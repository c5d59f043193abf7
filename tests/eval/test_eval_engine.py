from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.cache import AnswerCache
from eval.dataset import Example
from eval.engine import CachedAsker, collection_name

rag = pytest.importorskip("rag")

EXAMPLE = Example("q", "When was the bridge completed?", True, "1887")


class _Settings:
    def model_dump(self) -> dict[str, Any]:
        return {"top_k": 4, "temperature": 0.0}


class _Engine:
    """An endpoint that has gone away (or one that answers): a dying endpoint cannot be had for real."""

    def __init__(self, dead: bool) -> None:
        self.dead = dead
        self.calls = 0

    def ask(self, question: str, **kwargs: Any) -> Any:
        self.calls += 1
        if self.dead:
            raise rag.EndpointUnavailable("gone", url="http://127.0.0.1:1/v1")
        return rag.Answer(text="In 1887 [1].", sources=(), refused=False, question=question)


def test_cached_asker__reconnects_once_when_the_endpoint_goes_away_then_caches(tmp_path: Path) -> None:
    dead, alive = _Engine(dead=True), _Engine(dead=False)
    asker = CachedAsker(dead, _Settings(), AnswerCache(tmp_path), "fp", reconnect=lambda: alive)
    answer, cached = asker.ask(EXAMPLE)
    assert answer["text"] == "In 1887 [1]." and not cached
    assert asker.reconnects == 1 and asker.engine is alive
    assert asker.ask(EXAMPLE) == (answer, True)
    assert alive.calls == 1  # the second ask came from the cache


def test_cached_asker__without_reconnect_an_unavailable_endpoint_raises(tmp_path: Path) -> None:
    asker = CachedAsker(_Engine(dead=True), _Settings(), AnswerCache(tmp_path), "fp")
    with pytest.raises(rag.EndpointUnavailable):
        asker.ask(EXAMPLE)


def test_collection_name__stable_per_folder_and_valid_for_chroma(tmp_path: Path) -> None:
    name = collection_name(tmp_path / "My Corpus!")
    assert name == collection_name(tmp_path / "My Corpus!")
    assert name != collection_name(tmp_path / "other")
    assert name.startswith("eval_My_Corpus_") and 3 <= len(name) <= 63
    assert all(c.isalnum() or c in "_-" for c in name)
