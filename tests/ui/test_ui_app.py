"""Starting the page: login parsing, launch options, and the Blocks it builds (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.app import launch_options, parse_auth


def test_parse_auth__several_users_comma_separated() -> None:
    assert parse_auth("alice:s3cret, bob:pa:ss") == [("alice", "s3cret"), ("bob", "pa:ss")]


def test_parse_auth__empty_means_no_login() -> None:
    assert parse_auth("") == [] and parse_auth(" , ") == []


@pytest.mark.parametrize("spec", ["alice", "alice:", ":pw", "a:1,bob"])
def test_parse_auth__malformed_entry_is_an_error_that_does_not_echo_passwords(spec: str) -> None:
    with pytest.raises(ValueError, match="user:password") as info:
        parse_auth(spec)
    assert "pw" not in str(info.value) and ":1" not in str(info.value)


def _settings(tmp_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    from rag import Settings

    return Settings(data_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_launch_options__login_only_when_configured(tmp_path: Path) -> None:
    assert "auth" not in launch_options(_settings(tmp_path))
    opts = launch_options(_settings(tmp_path, ui_auth="a:1,b:2"))
    assert opts["auth"] == [("a", "1"), ("b", "2")]
    assert opts["footer_links"] == [] and "rag-cite" in opts["css"]


def test_build_app__analytics_off_queue_on_and_ask_api_exposed(tmp_path: Path) -> None:
    from rag import Rag
    from ui.layout import ASK_CONCURRENCY, build_app

    settings = _settings(tmp_path)
    demo = build_app(Rag(settings), settings)  # Rag is lazy: nothing starts until a question is asked
    assert demo.analytics_enabled is False
    assert demo._queue is not None
    ask = [d for d in demo.fns.values() if d.api_name == "ask"]
    assert len(ask) == 1 and ask[0].concurrency_limit == ASK_CONCURRENCY
