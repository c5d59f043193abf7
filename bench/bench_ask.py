"""Where the time of `ask()` goes: everything but the model's own generation should be <= 5 % of wall time.

    .venv/bin/python bench/bench_ask.py [--n 5] [--smoke]

Indexes corpus/ into a temporary data dir, starts (or attaches to) the embedded endpoint, warms it up, then
asks --n questions and prints per-stage times (condense, retrieve, prompt, generate, verify) and the share of
wall time not spent in the model (wall - generate - condense, where condense is also model generation).
--smoke asks one question (for the tests).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag import Rag, Settings  # noqa: E402

QUESTIONS = [
    "Under which licence was Mistral 7B released?",
    "How many tokens was Falcon 180B trained on?",
    "When was the GGUF file format introduced?",
    "How many natural languages does BLOOM cover?",
    "How much money did Hugging Face raise in August 2023?",
    "When was DeepSeek-R1 released?",
    "What does the OSI Open Source AI Definition require?",
    "Who founded Mistral AI?",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="one question: for tests")
    args = ap.parse_args(argv)
    n = 1 if args.smoke else args.n
    with tempfile.TemporaryDirectory() as tmp:
        engine = Rag(Settings(data_dir=Path(tmp) / "data"))
        engine.index()
        engine.ask("What is JEPA?")  # warm-up: endpoint started, caches primed
        rows = []
        for q in QUESTIONS[:n]:
            start = time.perf_counter()
            a = engine.ask(q)
            rows.append((q, time.perf_counter() - start, a.timings))
        engine.close()
    stages = ["condense", "retrieve", "prompt", "generate", "verify"]
    print(f"{'question':50} {'wall':>7} " + " ".join(f"{s:>9}" for s in stages))
    for q, seconds, timings in rows:
        print(f"{q[:50]:50} {seconds:7.2f} " + " ".join(f"{timings.get(s, 0.0):9.3f}" for s in stages))
    wall = sum(r[1] for r in rows)
    model = sum(r[2].get("generate", 0.0) + r[2].get("condense", 0.0) for r in rows)
    print(f"\ntotal wall {wall:.2f} s, model generation {model:.2f} s")
    print(f"non-generation share: {100 * (wall - model) / wall:.2f} %  (goal <= 5 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
