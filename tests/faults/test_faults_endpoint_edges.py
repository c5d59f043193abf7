"""A failing model endpoint as the edges see it: the `rag` command, the page's handlers, the eval judge.

Each edge turns the failure into what its user can act on (one line and exit 1; a message in the chat; a
count in the report) and keeps working once the endpoint is back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rag import Rag
from tests.faults.misbehaving_endpoint import ANSWER_PIECES, MisbehavingEndpoint
from tests.faults.test_faults_endpoint import QUESTION, engine_on
from ui.handlers import ChatHandlers

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], settings: object, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`rag ARGS` in a fresh process on the corpus index, with `url` as the model endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        RAG_DATA_DIR=str(settings.data_dir),  # type: ignore[attr-defined]
        RAG_CORPUS_DIR=str(settings.corpus_dir),  # type: ignore[attr-defined]
        RAG_LLM_BASE_URL=url,
        RAG_LLM_MODEL="m",
        RAG_REQUEST_TIMEOUT="1",
        RAG_MAX_RETRIES="1",
        RAG_RETRY_BACKOFF="0.05",
    )
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[str], *says: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert all(s in errors[0] for s in says), errors[0]
    return errors[0]


def test_cli_ask__unavailable_endpoint_is_one_error_line_and_exit_1_after_bounded_requests(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], tmp_path: Path
) -> None:
    endpoint = misbehaving("http503")
    proc = run_cli(["ask", QUESTION], corpus_engine.settings, endpoint.base_url, tmp_path)
    assert_one_error_line(proc, endpoint.base_url, "HTTP 503", "(2 attempts)")
    assert proc.stdout == ""
    assert endpoint.requests == 2  # RAG_MAX_RETRIES=1


def test_cli_ask_stream__endpoint_dying_mid_answer_puts_the_error_on_its_own_line(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], tmp_path: Path
) -> None:
    endpoint = misbehaving("dies")
    proc = run_cli(["ask", "--stream", QUESTION], corpus_engine.settings, endpoint.base_url, tmp_path)
    assert_one_error_line(proc, endpoint.base_url, "went away mid-answer")
    streamed = "".join(ANSWER_PIECES[:2])
    assert proc.stderr.splitlines()[0].strip() == streamed.strip()  # what arrived was shown, then the error
    assert endpoint.requests == 1  # never retried once text was shown


@pytest.mark.parametrize("behaviour", ["http503", "dies", "malformed"])
def test_page__endpoint_fault_is_shown_in_the_chat_and_the_next_question_works_once_it_is_back(
    corpus_engine: Rag, misbehaving: Callable[..., MisbehavingEndpoint], tmp_path: Path, behaviour: str
) -> None:
    endpoint = misbehaving(behaviour)
    handlers = ChatHandlers(engine=engine_on(corpus_engine, endpoint.base_url), upload_dir=tmp_path / "up")
    *_, (chat, convo, box) = handlers.ask(QUESTION, None)
    shown = chat[-1]["content"]
    assert 'class="rag-error"' in shown and endpoint.base_url in shown
    assert convo.pending is None and convo.history == ()  # a failed turn is not remembered as an answer
    endpoint.behaviour = "ok"
    *_, (chat, convo, box) = handlers.ask(QUESTION, convo)
    assert 'class="rag-error"' not in chat[-1]["content"]
    assert "April 2023" in chat[-1]["content"] and "mistral-ai.md" in chat[-1]["content"]
    assert len(chat) == 4 and len(convo.history) == 2


@pytest.mark.parametrize("behaviour", ["http503", "hang", "malformed"])
def test_eval_judge__failing_judge_endpoint_is_counted_in_the_report_not_a_crash(
    corpus_engine: Rag,
    misbehaving: Callable[..., MisbehavingEndpoint],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    behaviour: str,
) -> None:
    from eval.run import main as eval_main

    answers, judge = misbehaving("ok"), misbehaving(behaviour)
    s = corpus_engine.settings
    for key, value in {"RAG_DATA_DIR": s.data_dir, "RAG_CORPUS_DIR": s.corpus_dir, "RAG_REQUEST_TIMEOUT": 1,
                       "RAG_LLM_BASE_URL": answers.base_url, "RAG_LLM_MODEL": "m"}.items():  # fmt: skip
        monkeypatch.setenv(key, str(value))
    dataset = tmp_path / "two.jsonl"
    lines = [
        {"id": "m1", "question": QUESTION, "answerable": True, "reference_answer": "In April 2023.",
         "reference_sources": ["mistral-ai.md"]},
        {"id": "m2", "question": "Where was Mistral AI founded?", "answerable": True,
         "reference_answer": "In Paris.", "reference_sources": ["mistral-ai.md"]},
    ]  # fmt: skip
    dataset.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out"
    judged = ["--judge", "llm", "--judge-base-url", judge.base_url, "--judge-model", "j"]
    code = eval_main(
        ["--dataset", str(dataset), "--no-index", "--no-judge-check", "--out", str(out), *judged]
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["errors"] == 0 and len(report["questions"]) == 2
    assert report["judge"]["calls"] == judge.requests > 0
    assert report["judge"]["failures"] == judge.requests  # every call failed, and each one was counted
    assert report["judge_failures"] > 0
    for q in report["questions"]:
        assert q["metrics"]["faithfulness"] is not None  # the model-free scores are still there
        assert q["metrics"].get("faithfulness_judge") is None  # a failed verdict is never a score
