"""bench/bench_context.py, smoke mode: both prompts built and counted by the real tokenizer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_context.py"


def test_bench_context__focused_prompts_are_shorter_than_whole_passages(
    llm_endpoint, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAG_LLM_BASE_URL", llm_endpoint.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", llm_endpoint.model)
    spec = importlib.util.spec_from_file_location("bench_context", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--smoke"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("median prompt tokens"))
    ratio = float(line.rsplit("ratio", 1)[1])
    assert 0 < ratio < 1, line
