"""`rag.ask()`'s engine cache: one engine per settings, and an engine it pushes out is closed."""

from __future__ import annotations

from pathlib import Path

from rag.engine import Rag
from rag.engine_cache import EngineCache
from rag.serving.model_server import is_alive
from rag.settings import Settings


def _settings(data_dir: Path, collection: str = "corpus") -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=data_dir / "docs", collection=collection)


def test_engine_cache__equal_settings_share_one_engine(tmp_path: Path) -> None:
    cache = EngineCache(size=2)
    first = cache.get(_settings(tmp_path))
    assert cache.get(_settings(tmp_path)) is first
    assert cache.get(_settings(tmp_path, "other")) is not first


def test_engine_cache__evicts_the_least_recently_used(tmp_path: Path) -> None:
    cache = EngineCache(size=2)
    a, b, c = (_settings(tmp_path, name) for name in ("alpha", "beta", "gamma"))
    engine_a = cache.get(a)
    cache.get(b)
    assert cache.get(a) is engine_a  # a used last: b is the one to go
    cache.get(c)
    assert a in cache and c in cache and b not in cache


def test_engine_cache__evicted_engine_has_its_embedded_server_stopped(  # type: ignore[no-untyped-def]
    endpoint_settings, tmp_path: Path
) -> None:
    cache = EngineCache(size=1)
    own = endpoint_settings.model_copy(update={"data_dir": tmp_path})  # its own server, not the session's
    engine: Rag = cache.get(own)
    info = engine.endpoint()
    try:
        assert info.embedded and is_alive(info.base_url)
        cache.get(own.model_copy(update={"collection": "another"}))
        assert engine.known_endpoint is None
        assert not is_alive(info.base_url)
        assert not (tmp_path / "endpoint.json").exists()  # no other process attaches to a dead record
    finally:
        engine.close()
        cache.close()
