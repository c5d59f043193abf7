from __future__ import annotations

from pathlib import Path

from eval.cache import AnswerCache, cache_key, fingerprint_files, settings_that_matter

KEY = {"question": "Q?", "history": [], "settings": {"top_k": 4}, "corpus": "abc", "code": "def"}


def test_cache_key__changes_with_every_input_that_matters() -> None:
    base = cache_key(**KEY)
    assert cache_key(**KEY) == base
    for change in (
        {"question": "Q2?"},
        {"history": [{"role": "user", "content": "hi"}]},
        {"settings": {"top_k": 5}},
        {"corpus": "abd"},
        {"code": "deg"},
    ):
        assert cache_key(**{**KEY, **change}) != base


def test_settings_that_matter__drop_where_and_how_long_keep_what_changes_answers() -> None:
    kept = settings_that_matter(
        {"top_k": 4, "data_dir": Path("/x"), "request_timeout": 9.0, "model_path": Path("/m")}
    )
    assert kept == {"model_path": "/m", "top_k": 4}


def test_fingerprint_files__changes_with_content_and_names_not_with_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one")
    first = fingerprint_files(tmp_path)
    (tmp_path / ".hidden").write_text("x")
    assert fingerprint_files(tmp_path) == first
    (tmp_path / "a.md").write_text("two")
    second = fingerprint_files(tmp_path)
    assert second != first
    (tmp_path / "a.md").rename(tmp_path / "b.md")
    assert fingerprint_files(tmp_path) not in (first, second)


def test_answer_cache__round_trip_and_counts(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c")
    assert cache.get("k") is None
    cache.put("k", {"text": "A"})
    assert cache.get("k") == {"text": "A"}
    assert (cache.hits, cache.misses) == (1, 1)
    assert not list((tmp_path / "c").glob(".*tmp"))
