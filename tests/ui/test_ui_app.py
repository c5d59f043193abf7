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
    assert launch_options(_settings(tmp_path, upload_max_mb=5))["max_file_size"] == "5mb"


def test_build_app__analytics_off_queue_on_and_ask_api_exposed(tmp_path: Path) -> None:
    from rag import Rag
    from ui.layout import ASK_CONCURRENCY, build_app

    settings = _settings(tmp_path)
    demo = build_app(Rag(settings), settings)  # Rag is lazy: nothing starts until a question is asked
    assert demo.analytics_enabled is False
    assert demo._queue is not None
    ask = [d for d in demo.fns.values() if d.api_name == "ask"]
    assert len(ask) == 1 and ask[0].concurrency_limit == ASK_CONCURRENCY


def test_build_app__queue_polls_slowly_enough_to_leave_the_cores_to_the_model(tmp_path: Path) -> None:
    import inspect

    from gradio.queueing import Queue

    from rag import Rag
    from ui.layout import PROGRESS_POLL_S, QUEUE_POLL_S, build_app

    settings = _settings(tmp_path)
    demo = build_app(Rag(settings), settings)
    assert demo._queue.sleep_when_free == QUEUE_POLL_S >= 0.01
    assert demo._queue.progress_update_sleep_when_free == PROGRESS_POLL_S >= 0.1
    # the attributes set are the ones the queue's loops sleep on (a renamed one would be a silent no-op)
    assert "await asyncio.sleep(self.sleep_when_free)" in inspect.getsource(Queue.start_processing)
    progress_loop = inspect.getsource(Queue.start_progress_updates)
    assert "await asyncio.sleep(self.progress_update_sleep_when_free)" in progress_loop


def test_launch__binds_localhost_and_asks_for_login_when_configured(tmp_path: Path) -> None:
    import socket

    import httpx

    from rag import Rag
    from ui.app import launch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    settings = _settings(tmp_path, ui_auth="alice:s3cret")
    demo = launch(settings, port=port, engine=Rag(settings), block=False)
    try:
        assert demo.server_name == "127.0.0.1"
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/config").status_code == 401
        with httpx.Client(base_url=base) as client:
            bad = client.post("/login", data={"username": "alice", "password": "nope"})
            assert bad.status_code >= 400
            ok = client.post("/login", data={"username": "alice", "password": "s3cret"})
            assert ok.status_code == 200
            assert client.get("/config").status_code == 200
    finally:
        demo.close()


def test_build_parser__defaults_to_localhost_7860_and_indexing() -> None:
    from ui.app import build_parser

    args = build_parser().parse_args([])
    assert (args.host, args.port, args.no_index) == ("127.0.0.1", 7860, False)
    assert build_parser().parse_args(["--no-index", "--port", "8000"]).no_index is True


def test_main__malformed_login_setting_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui.app import main

    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RAG_UI_AUTH", "alice")
    assert main(["--no-index"]) == 2
    assert "user:password" in capsys.readouterr().err
