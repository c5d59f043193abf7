"""Twenty chats at once on the real page, over loopback, on the real embedded model endpoint.

The page runs as its own process (`python -m ui.app`), so its memory is measured alone (VmRSS). Each chat is
its own Gradio client (its own session) calling the page's `ask` API and reading the answer as it streams.
Every chat must end with a verified answer or a refusal (never an error, never lost). Time to first token
(submit -> first streamed model text) is recorded and printed, p50/p95; no test asserts a time.

    .venv/bin/python -m pytest tests/faults/test_faults_load.py -s            # one wave of 20
    .venv/bin/python -m pytest tests/faults/test_faults_load.py -s -m slow    # two waves: memory stable
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from rag import Rag
from tests.conftest import REPO_ROOT
from ui import format as fmt

pytestmark = pytest.mark.faults

CHATS = 20
QUESTIONS = [
    "When was Mistral AI founded?",
    "How many parameters does the BLOOM model have?",
    "Who coordinated the BigScience workshop?",
    "When was the GGUF file format introduced?",
    "How many tokens was Falcon 180B trained on?",
]
RSS_MARGIN_BYTES = 64 * 1024 * 1024
"""How much the page may grow from one wave of 20 chats to the next before it counts as a leak."""


@dataclass
class Wave:
    ttft: list[float] = field(default_factory=list)  # seconds, chats that streamed model text
    answers: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def figures(self) -> str:
        if not self.ttft:
            return "no chat streamed model text"
        p50 = statistics.median(self.ttft)
        p95 = statistics.quantiles(self.ttft, n=20, method="inclusive")[18] if len(self.ttft) > 1 else p50
        return f"TTFT p50 {p50:.1f} s, p95 {p95:.1f} s over {len(self.ttft)} streamed answers"


@dataclass
class PageProcess:
    url: str
    proc: subprocess.Popen[bytes]

    def rss(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:"))
        return kb * 1024


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, corpus_engine: Rag) -> Iterator[PageProcess]:
    """The page in its own process, on a copy of the session's corpus index and the session's endpoint."""
    root = tmp_path_factory.mktemp("load-page")
    source = corpus_engine.settings
    shutil.copytree(source.chroma_dir, root / "data" / "chroma")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = dict(
        os.environ,
        RAG_DATA_DIR=str(root / "data"),
        RAG_CORPUS_DIR=str(source.corpus_dir),
        RAG_LLM_BASE_URL=source.llm_base_url,
        RAG_LLM_MODEL=source.llm_model,
        RAG_TOP_K="2",  # short prompts and answers: the endpoint serves one answer at a time on 2 cores
        RAG_MAX_ANSWER_TOKENS="48",
        RAG_REQUEST_TIMEOUT="600",
        GRADIO_TEMP_DIR=str(root / "gradio-tmp"),
    )
    log = (root / "page.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.app", "--no-index", "--port", str(port)],
        env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        while proc.poll() is None:
            try:
                if httpx.get(url + "config", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert proc.poll() is None, (root / "page.log").read_text()[-2000:]
        yield PageProcess(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def chat(url: str, i: int, question: str, wave: Wave, lock: threading.Lock) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
        t0 = time.perf_counter()
        job = client.submit(question, 2, 0.0, api_name="/ask")
        first: float | None = None
        last = ""
        for shown in job:  # the answer message as it streams, then the verified one
            last = str(shown)
            if first is None and fmt.STREAM_CURSOR in last:
                first = time.perf_counter() - t0
        final = str(job.outputs()[-1]) if job.outputs() else last
        with lock:
            wave.answers[i] = final
            if first is not None:
                wave.ttft.append(first)
    except Exception as err:  # collected; the test reports every failed chat
        with lock:
            wave.errors[i] = f"{type(err).__name__}: {err}"


def run_wave(page: PageProcess) -> Wave:
    wave, lock = Wave(), threading.Lock()
    threads = [
        threading.Thread(target=chat, args=(page.url, i, QUESTIONS[i % len(QUESTIONS)], wave, lock))
        for i in range(CHATS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return wave


def assert_all_answered(wave: Wave) -> None:
    assert not wave.errors, wave.errors
    assert sorted(wave.answers) == list(range(CHATS)), "a chat got no answer"
    for i, text in wave.answers.items():
        assert "rag-error" not in text, (i, text[:400])
        assert "rag-sources" in text or "rag-refusal" in text, (i, text[:400])
    assert wave.ttft, "no chat streamed any model text"


@pytest.mark.timeout(1500)
def test_load__twenty_simultaneous_chats_are_all_answered(page: PageProcess) -> None:
    warm = Wave()  # one chat first, so the wave measures a page that has loaded its embedder
    chat(page.url, 0, QUESTIONS[0], warm, threading.Lock())
    assert not warm.errors, warm.errors
    rss_before = page.rss()
    wave = run_wave(page)
    rss_after = page.rss()
    print(
        f"\n{CHATS} simultaneous chats: {wave.figures()}; page RSS {rss_before / 2**20:.0f} MB before, "
        f"{rss_after / 2**20:.0f} MB after"
    )
    assert_all_answered(wave)
    assert page.proc.poll() is None, "the page process died under load"


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_load__page_memory_is_stable_over_a_second_wave_of_twenty_chats(page: PageProcess) -> None:
    first = run_wave(page)
    rss_first = page.rss()
    second = run_wave(page)
    rss_second = page.rss()
    print(
        f"\nwave 1: {first.figures()}, RSS {rss_first / 2**20:.0f} MB; "
        f"wave 2: {second.figures()}, RSS {rss_second / 2**20:.0f} MB"
    )
    assert_all_answered(first)
    assert_all_answered(second)
    assert rss_second <= rss_first + RSS_MARGIN_BYTES, (rss_first, rss_second)
