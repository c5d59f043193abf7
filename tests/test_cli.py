"""The `rag` command's plumbing (the commands themselves are exercised in test_ask and test_indexer)."""

from __future__ import annotations

import pytest

from rag.cli import main as cli_main


def test_cli_eval__passes_its_options_through_to_the_harness(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli_main(["eval", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--fail-under" in out and "--retrieval-only" in out


def test_cli__invalid_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_TOP_K", "lots")
    assert cli_main(["status"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: setting RAG_TOP_K is invalid") and "\n" not in err
