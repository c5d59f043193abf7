"""The eval's replaying engine: a recorded model reply is replayed for the same request, never re-asked."""

from __future__ import annotations

from pathlib import Path

from eval.cache import AnswerCache
from eval.engine import ReplayingRag
from rag import Rag
from tests.faults.misbehaving_endpoint import MisbehavingEndpoint

QUESTION = "When was Mistral AI founded?"


def test_replaying_rag__same_request_is_answered_from_the_record_without_the_model(
    corpus_engine: Rag, tmp_path: Path
) -> None:
    endpoint = MisbehavingEndpoint("ok")
    engines: list[Rag] = []

    def replaying() -> ReplayingRag:
        settings = corpus_engine.settings.model_copy(
            update={"llm_base_url": endpoint.base_url, "llm_model": "m", "temperature": 0.0}
        )
        engines.append(ReplayingRag(settings, calls=AnswerCache(tmp_path / "chat")))
        return engines[-1]  # type: ignore[return-value]

    try:
        first = replaying().ask(QUESTION)
        asked = endpoint.requests
        assert asked >= 1 and not first.refused and "2023" in first.text

        again = replaying().ask(QUESTION)
        assert endpoint.requests == asked, "a recorded request went to the model again"
        assert again.text == first.text and again.sources == first.sources

        replaying().ask("Who founded Mistral AI?")
        assert endpoint.requests > asked, "a new request must reach the model"
    finally:
        for engine in engines:
            engine.close()
        endpoint.stop()
