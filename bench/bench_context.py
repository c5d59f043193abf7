"""What the model reads: prompt tokens and time to first token, whole passages against focused ones.

    .venv/bin/python bench/bench_context.py [--n 12] [--rounds 1] [--smoke]

Indexes corpus/ into a temporary data dir, starts (or attaches to) the embedded endpoint, and for each
question builds both prompts from the same retrieved passages: every passage whole (`RAG_FOCUS_CHARS=0`, the
old prompt) and each passage cut to its sentences about the question (the default). Tokens are counted by the
endpoint's own tokenizer; time to first token is measured on a streamed request with the two variants
interleaved (whole, focused, focused, whole, ...) and the prompt cache defeated by a fresh first line, so the
ratio is read side by side on the same machine state. Prints medians and the focused/whole ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_ask import QUESTIONS as ASK_QUESTIONS  # noqa: E402

from rag import Rag, Settings  # noqa: E402
from rag.answer.context import focus  # noqa: E402
from rag.answer.pipeline import passage_of  # noqa: E402
from rag.answer.prompts import answer_messages  # noqa: E402

QUESTIONS = [  # bench_ask's questions, then the ones the answer-or-refuse work was about
    *ASK_QUESTIONS,
    "Who founded EleutherAI?",
    "Who founded Hugging Face?",
    "How much did GPT-4 cost to train according to the AI Index?",
    "mistral 7b licence",
    "What is JEPA?",
]


Messages = list[dict[str, str]]


class Row(NamedTuple):
    """One question's prompt sizes and time-to-first-token samples, whole passages against focused.

    (A NamedTuple, not a dataclass: the tests load this script by path, outside `sys.modules`.)
    """

    question: str
    tokens_whole: int
    tokens_focus: int
    seconds_whole: list[float]
    seconds_focus: list[float]


def prompts(engine: Rag, question: str, focus_chars: int) -> tuple[Messages, Messages]:
    sources = engine.retrieve(question)
    whole = [(s.n, s.file, s.text) for s in sources]
    cut = [
        (s.n, s.file, focus(s.text, question, max_chars=focus_chars, context=passage_of(s).context))
        for s in sources
    ]
    return answer_messages(question, whole), answer_messages(question, cut)


def tokens(client: httpx.Client, base: str, messages: Messages) -> int:
    text = "\n".join(m["content"] for m in messages)
    reply = client.post(base.removesuffix("/v1") + "/extras/tokenize", json={"input": text})
    reply.raise_for_status()
    return len(reply.json()["tokens"])


def first_token_seconds(client: httpx.Client, base: str, model: str, messages: Messages) -> float:
    fresh = [{"role": m["role"], "content": m["content"]} for m in messages]
    fresh[0]["content"] = f"Request {uuid.uuid4().hex[:8]}.\n" + fresh[0]["content"]  # no cached prefix
    body = {"model": model, "messages": fresh, "stream": True, "max_tokens": 4, "temperature": 0}
    t = time.perf_counter()
    with client.stream("POST", base + "/chat/completions", json=body) as reply:
        reply.raise_for_status()
        for line in reply.iter_lines():
            if line.startswith("data: ") and '"content"' in line:
                return time.perf_counter() - t
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=len(QUESTIONS), help="questions (default: all)")
    ap.add_argument("--rounds", type=int, default=1, help="timed requests per variant and question")
    ap.add_argument("--smoke", action="store_true", help="two questions, tokens only (no timing): for tests")
    args = ap.parse_args(argv)
    questions = QUESTIONS[: 2 if args.smoke else args.n]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        engine = Rag(settings)
        engine.index()
        info = engine.endpoint()
        rows: list[Row] = []
        with httpx.Client(timeout=settings.request_timeout) as client:
            for i, q in enumerate(questions):
                whole, cut = prompts(engine, q, settings.focus_chars)
                row = Row(q, tokens(client, info.base_url, whole), tokens(client, info.base_url, cut), [], [])
                for r in range(0 if args.smoke else args.rounds):
                    order = [(row.seconds_whole, whole), (row.seconds_focus, cut)]
                    for samples, msgs in order if (i + r) % 2 == 0 else order[::-1]:
                        samples.append(first_token_seconds(client, info.base_url, info.model, msgs))
                rows.append(row)
        engine.close()
    print(f"{'question':52} {'tokens whole':>12} {'focused':>8} {'ttft whole':>10} {'focused':>8}")
    for row in rows:
        tw = statistics.median(row.seconds_whole) if row.seconds_whole else float("nan")
        tf = statistics.median(row.seconds_focus) if row.seconds_focus else float("nan")
        print(f"{row.question[:52]:52} {row.tokens_whole:12d} {row.tokens_focus:8d} {tw:10.2f} {tf:8.2f}")
    med_w = statistics.median(r.tokens_whole for r in rows)
    med_f = statistics.median(r.tokens_focus for r in rows)
    print(f"\nmedian prompt tokens: whole {med_w:.0f}, focused {med_f:.0f}, ratio {med_f / med_w:.2f}")
    if not args.smoke and args.rounds:  # --rounds 0: prompt sizes only
        tw = statistics.median(t for r in rows for t in r.seconds_whole)
        tf = statistics.median(t for r in rows for t in r.seconds_focus)
        print(f"median time to first token: whole {tw:.2f} s, focused {tf:.2f} s, ratio {tf / tw:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
