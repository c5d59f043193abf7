"""Time to first token: in the page (through Gradio's API, as the browser gets it) vs the endpoint alone.

Both are measured in one run, on the same endpoint and the same prompts, alternating:

* page: from submitting a question to the page's `ask` API until the first update carrying model text
  (retrieval, prompt building, Gradio's queue and streaming included; no history, so no condense call);
* endpoint: a direct streaming `/chat/completions` request with the very messages the core sends for that
  question (same passages, temperature, seed, max_tokens), until the first content delta.

The page runs in this process and its client in another (as a browser would), both on the system's monotonic
clock, so the bench also times, on one clock, what the page adds around the model:
Gradio in (submit -> engine called), retrieval + prompt (from the Answer's timings), Gradio out (first Delta
yielded by the engine -> seen by the client). Their sum is the page's own overhead, free of the model's
variance, which on a shared CPU is far larger than 150 ms.

llama.cpp reuses the previous request's prompt prefix, so a tiny unrelated "cache-buster" request runs before
every measurement: neither side starts with a warm prompt. The order alternates each round; rounds beyond the
eight questions repeat them. The paired difference (page - endpoint, same question) is the number to read;
CPU contention moves both sides together.
Goal: page TTFT <= endpoint TTFT + 150 ms, i.e. page overhead <= 150 ms.

    python bench/ui_ttft.py [--rounds 5] [--top-k 4]

Uses the configured settings (RAG_* / .env): the configured index (indexed incrementally first) and endpoint.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from rag import Answer, Delta, Rag, Settings  # noqa: E402
from rag.answer.prompts import answer_messages  # noqa: E402
from ui import format as fmt  # noqa: E402
from ui.app import launch  # noqa: E402

GOAL_MS = 150.0
QUESTIONS = [
    "How many parameters does the BLOOM model have?",
    "When was Mistral AI founded?",
    "What licence did the first Mistral models use?",
    "Who coordinated the BigScience workshop?",
    "Which supercomputer trained BLOOM?",
    "What is retrieval-augmented generation?",
    "What is the Falcon model trained on?",
    "How many languages does BLOOM cover?",
]


class TimedEngine:
    """The real engine, with the moments the page calls it and gets its first token recorded (bench only)."""

    def __init__(self, engine: Rag) -> None:
        self.engine = engine
        self.calls: dict[str, dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def ask_stream(self, question: str, **kwargs: Any) -> Iterator[Any]:
        record: dict[str, Any] = {"called": time.perf_counter(), "cpu_called": time.process_time()}
        self.calls[question] = record
        for event in self.engine.ask_stream(question, **kwargs):
            if isinstance(event, Delta) and "first_delta" not in record:
                record["first_delta"] = time.perf_counter()
                record["cpu_first_delta"] = time.process_time()
            if isinstance(event, Answer):
                record["timings"] = dict(event.timings)
            yield event


# The page's client runs in a process of its own, as a browser does: it does not share the page's interpreter
# lock. Its clock (CLOCK_MONOTONIC, Python's perf_counter on Linux) is the page's clock. Like a browser, it
# waits on the page's event stream (the same server path as the browser's /queue/data) and wakes only when
# something arrives: gradio_client's iterator polls every millisecond, taking CPU from the model.
CLIENT = """
import json, sys, time
import httpx
base = sys.argv[1].rstrip("/") + "/gradio_api/call/ask"
with httpx.Client(timeout=None) as http:
    print("ready", flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        t0 = time.perf_counter()
        seen = None
        event = http.post(base, json={"data": [ask["question"], ask["top_k"], ask["temperature"]]})
        event.raise_for_status()
        with http.stream("GET", base + "/" + event.json()["event_id"]) as stream:
            for sse in stream.iter_lines():
                if seen is None and sse.startswith("data:"):
                    shown = json.loads(sse[5:]) or []
                    if any(ask["cursor"] in x for x in shown if isinstance(x, str)):
                        seen = time.perf_counter()
        print(json.dumps({"t0": t0, "seen": seen}), flush=True)
"""


class PageClient:
    """A Gradio API client in its own process; `ask` returns (submitted, first model text seen) instants."""

    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLIENT, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        if self.stdout.readline().strip() != "ready":
            raise RuntimeError("the page client did not start")

    def ask(self, question: str, top_k: int, temperature: float) -> tuple[float, float | None]:
        ask = {"question": question, "top_k": top_k, "temperature": temperature, "cursor": fmt.STREAM_CURSOR}
        self.stdin.write(json.dumps(ask) + "\n")
        self.stdin.flush()
        got = json.loads(self.stdout.readline())
        return got["t0"], got["seen"]

    def close(self) -> None:
        self.stdin.close()
        self.proc.wait(timeout=30)


def page_ttft(client: PageClient, question: str, top_k: int, temperature: float) -> float | None:
    """Seconds from submit until the page's first update with streamed model text (None: nothing streamed,
    e.g. refused before generating); waits for the end of the answer."""
    t0, seen = client.ask(question, top_k, temperature)
    if seen is None:
        return None
    LAST_PAGE["t0"], LAST_PAGE["seen"] = t0, seen
    return seen - t0


LAST_PAGE: dict[str, float] = {}


def endpoint_ttft(
    engine: Rag, messages: list[dict[str, str]], temperature: float, *, max_tokens: int | None = None
) -> float:
    """Seconds from a direct streaming request to the endpoint until its first content delta."""
    info = engine.endpoint()
    s = engine.settings
    body = {
        "model": info.model,
        "messages": messages,
        "stream": True,
        "temperature": temperature,
        "max_tokens": max_tokens or s.max_answer_tokens,
        "seed": s.seed,
    }
    headers = {"Authorization": f"Bearer {info.api_key}"}
    first: float | None = None
    with httpx.Client(timeout=s.request_timeout) as http:
        t0 = time.perf_counter()
        with http.stream("POST", f"{info.base_url}/chat/completions", json=body, headers=headers) as resp:
            resp.raise_for_status()
            for line in resp.iter_lines():
                if first is not None or not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                choices = json.loads(line[6:]).get("choices") or [{}]
                if (choices[0].get("delta") or {}).get("content"):
                    first = time.perf_counter() - t0
    if first is None:
        raise RuntimeError("the endpoint streamed no content")
    return first


def core_messages(engine: Rag, question: str, top_k: int) -> list[dict[str, str]]:
    """The messages the core sends for `question` (no history): its passages in its prompt."""
    sources = engine.retrieve(question, top_k)
    return answer_messages(question, [(x.n, x.file, x.text) for x in sources])


def bust_prompt_cache(engine: Rag, i: int) -> None:
    """A tiny request sharing no prefix with the real prompts, so the next one is evaluated in full."""
    messages = [{"role": "user", "content": f"Say {i}."}]
    try:
        endpoint_ttft(engine, messages, 0.0, max_tokens=1)
    except RuntimeError:  # no content in one token is fine: the prompt was evaluated
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top-k", type=int, default=None)
    args = parser.parse_args(argv)
    settings = Settings()
    top_k = args.top_k or settings.top_k
    temperature = settings.temperature
    engine = Rag(settings)
    timed = TimedEngine(engine)
    print("indexing (incremental)…", flush=True)
    engine.index()
    info = engine.endpoint()
    print(f"endpoint {info.base_url} model {info.model}", flush=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    demo = launch(settings, "127.0.0.1", port, engine=timed, block=False)  # type: ignore[arg-type]
    try:
        client = PageClient(f"http://127.0.0.1:{port}/")
        # warm up both paths (embedder, Chroma, model weights in the page cache, Gradio)
        page_ttft(client, "What is BLOOM?", top_k, temperature)
        endpoint_ttft(engine, core_messages(engine, "What is Mistral AI?", top_k), temperature)
        rounds = args.rounds
        page_s: list[float] = []
        endpoint_s: list[float] = []
        overhead: list[tuple[float, float, float]] = []  # gradio in, retrieve + prompt, gradio out (s)
        core_model: list[float] = []  # the model's TTFT as the core saw it (request sent -> first Delta)
        page_cpu: list[float] = []  # CPU the page process used from the engine call to the first Delta
        print(f"\n{'round':>5}  {'page TTFT':>10}  {'endpoint TTFT':>13}  {'difference':>10}  question")
        for i in range(rounds):
            q = QUESTIONS[i % len(QUESTIONS)]
            messages = core_messages(engine, q, top_k)
            measured: dict[str, float | None] = {}
            for side in ("page", "endpoint") if i % 2 == 0 else ("endpoint", "page"):
                bust_prompt_cache(engine, i)
                if side == "page":
                    measured[side] = page_ttft(client, q, top_k, temperature)
                else:
                    measured[side] = endpoint_ttft(engine, messages, temperature)
            page_t, endpoint_t = measured["page"], measured["endpoint"]
            if page_t is None or endpoint_t is None:
                print(f"{i + 1:>5}  skipped: the page streamed no model text (refused?)  {q}")
                continue
            page_s.append(page_t)
            endpoint_s.append(endpoint_t)
            rec = timed.calls[q]
            t = rec.get("timings", {})
            overhead.append(
                (
                    rec["called"] - LAST_PAGE["t0"],
                    t.get("condense", 0.0) + t.get("retrieve", 0.0) + t.get("prompt", 0.0),
                    LAST_PAGE["seen"] - rec["first_delta"],
                )
            )
            core_model.append(rec["first_delta"] - rec["called"] - overhead[-1][1])
            page_cpu.append(rec["cpu_first_delta"] - rec["cpu_called"])
            d = (page_s[-1] - endpoint_s[-1]) * 1000
            print(
                f"{i + 1:>5}  {page_s[-1] * 1000:>8.0f}ms  {endpoint_s[-1] * 1000:>11.0f}ms"
                f"  {d:>+8.0f}ms  {q}",
                flush=True,
            )
        client.close()
    finally:
        demo.close()
    page_med = statistics.median(page_s) * 1000
    endpoint_med = statistics.median(endpoint_s) * 1000
    paired = statistics.median(p - e for p, e in zip(page_s, endpoint_s, strict=True)) * 1000
    print(f"\nmedian page TTFT       {page_med:7.0f} ms")
    print(f"median endpoint TTFT   {endpoint_med:7.0f} ms")
    print(f"median of differences {paired:+7.0f} ms (page - endpoint, same question)")
    g_in, core, g_out = (statistics.median(x[k] for x in overhead) * 1000 for k in range(3))
    total = statistics.median(sum(x) for x in overhead) * 1000
    print(
        f"\npage overhead (median): Gradio in {g_in:.0f} ms + retrieval/prompt {core:.0f} ms "
        f"+ Gradio out {g_out:.0f} ms = {total:.0f} ms"
    )
    in_core = statistics.median(c - e for c, e in zip(core_model, endpoint_s, strict=True)) * 1000
    print(
        f"model TTFT seen by the core minus the endpoint's own (median of pairs): {in_core:+.0f} ms "
        "(the client library, and CPU the page takes from the model while it reads the prompt)"
    )
    print(
        f"CPU the page process used from the engine call to the first token (median): "
        f"{statistics.median(page_cpu) * 1000:.0f} ms, retrieval included"
    )
    verdict = "met" if paired <= GOAL_MS else "NOT met"
    print(
        f"goal: page TTFT <= endpoint TTFT + {GOAL_MS:.0f} ms, read on the median of paired differences "
        f"({paired:+.0f} ms): {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
