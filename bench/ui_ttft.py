"""Time to first token: in the page (through Gradio's API, as the browser gets it) vs the endpoint alone.

Both are measured in one run, alternating, on the same endpoint and comparable prompts:

* page: from submitting a question to the page's `/ask` event until the first update that carries model
  text (condense is skipped: no history; retrieval, prompt, queue and Gradio's streaming are included);
* endpoint: a direct streaming `/chat/completions` request carrying the same kind of prompt the core sends
  (its retrieved passages for another question), until the first content delta.

The two sides use different questions so neither benefits from llama.cpp reusing the previous prompt.
Goal: page TTFT <= endpoint TTFT + 150 ms.

    python bench/ui_ttft.py [--rounds 5] [--top-k 4]

Uses the configured settings (RAG_* / .env): the configured index (indexed incrementally first) and endpoint.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from rag import Rag, Settings  # noqa: E402
from rag.prompts import answer_messages  # noqa: E402
from ui import format as fmt  # noqa: E402
from ui.app import launch  # noqa: E402

GOAL_MS = 150.0
PAGE_QUESTIONS = [
    "How many parameters does the BLOOM model have?",
    "When was Mistral AI founded?",
    "What licence did the first Mistral models use?",
    "Who coordinated the BigScience workshop?",
    "Which supercomputer trained BLOOM?",
    "What is retrieval-augmented generation?",
    "What is the Falcon model trained on?",
    "How many languages does BLOOM cover?",
]
ENDPOINT_QUESTIONS = [
    "What is EleutherAI?",
    "What does the OSI open source AI definition require?",
    "How can prompt injection attack a RAG system?",
    "What is JEPA?",
    "Which licence do Llama models use?",
    "How much did it cost to train large models?",
    "Who founded Hugging Face?",
    "What is Stable Diffusion?",
]


def page_ttft(client: object, question: str, top_k: int, temperature: float) -> float:
    """Seconds from submit until the page's first update with streamed model text; waits for the end."""
    t0 = time.perf_counter()
    job = client.submit(question, top_k, temperature, api_name="/ask")  # type: ignore[attr-defined]
    first: float | None = None
    for chat, _box in job:
        if first is None and chat and fmt.STREAM_CURSOR in json.dumps(chat[-1], ensure_ascii=False):
            first = time.perf_counter() - t0
    if first is None:
        raise RuntimeError(f"the page streamed no model text for {question!r} (refused or failed?)")
    return first


def endpoint_ttft(engine: Rag, question: str, top_k: int, temperature: float) -> float:
    """Seconds from a direct streaming request to the endpoint until its first content delta."""
    info = engine.endpoint()
    s = engine.settings
    sources = engine.retrieve(question, top_k)
    body = {
        "model": info.model,
        "messages": answer_messages(question, [(x.n, x.file, x.text) for x in sources]),
        "stream": True,
        "temperature": temperature,
        "max_tokens": s.max_answer_tokens,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top-k", type=int, default=None)
    args = parser.parse_args(argv)
    from gradio_client import Client

    settings = Settings()
    top_k = args.top_k or settings.top_k
    temperature = settings.temperature
    engine = Rag(settings)
    print("indexing (incremental)…", flush=True)
    engine.index()
    info = engine.endpoint()
    print(f"endpoint {info.base_url} model {info.model}", flush=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    demo = launch(settings, "127.0.0.1", port, engine=engine, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        # warm up both paths (embedder, Chroma, model weights in cache, Gradio)
        page_ttft(client, "What is BLOOM?", top_k, temperature)
        endpoint_ttft(engine, "What is Mistral AI?", top_k, temperature)
        rounds = min(args.rounds, len(PAGE_QUESTIONS), len(ENDPOINT_QUESTIONS))
        page_s: list[float] = []
        endpoint_s: list[float] = []
        print(f"\n{'round':>5}  {'page TTFT':>10}  {'endpoint TTFT':>13}")
        for i in range(rounds):
            page_s.append(page_ttft(client, PAGE_QUESTIONS[i], top_k, temperature))
            endpoint_s.append(endpoint_ttft(engine, ENDPOINT_QUESTIONS[i], top_k, temperature))
            print(f"{i + 1:>5}  {page_s[-1] * 1000:>8.0f}ms  {endpoint_s[-1] * 1000:>11.0f}ms", flush=True)
    finally:
        demo.close()
    page_med = statistics.median(page_s) * 1000
    endpoint_med = statistics.median(endpoint_s) * 1000
    diff = page_med - endpoint_med
    print(f"\nmedian page TTFT     {page_med:7.0f} ms")
    print(f"median endpoint TTFT {endpoint_med:7.0f} ms")
    print(
        f"difference           {diff:+7.0f} ms  "
        f"(goal <= +{GOAL_MS:.0f} ms: {'met' if diff <= GOAL_MS else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
