"""What hybrid retrieval costs per query next to dense, measured side by side in one run.

    .venv/bin/python bench/bench_retrieval_quality.py [--data-dir DIR] [--rounds 3]

Indexes corpus/ (into a temporary data dir unless --data-dir is given), then retrieves every question of the
project's eval set (top_k from the settings) in each mode, interleaved round by round so that a busy machine
slows every mode alike. Prints the median and p95 retrieval time per mode, hybrid's ratio to dense, and what
keeping the keyword index in step costs: the per-query check of the collection's fingerprint and a full BM25
rebuild (paid once after every change to the collection).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag import Rag, Settings  # noqa: E402
from rag.keyword import KeywordIndex, collection_fingerprint  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402

DATASET = REPO / "eval" / "datasets" / "corpus_qa.jsonl"
MODES = ("dense", "keyword", "hybrid")


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def timed(fn: object, *args: object) -> float:
    t = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - t


def run(data_dir: Path, rounds: int) -> int:
    engine = Rag(Settings(data_dir=data_dir))
    engine.index()
    col = engine.collection()
    questions = [json.loads(line)["question"] for line in DATASET.read_text().splitlines() if line.strip()]
    top_k = engine.settings.top_k
    retrievers = {m: Retriever(collection=col, embedder=engine.embedder, mode=m) for m in MODES}
    for r in retrievers.values():
        r.retrieve("warm-up", top_k)  # first use builds the BM25 index
    times: dict[str, list[float]] = {m: [] for m in MODES}
    for _ in range(rounds):
        for q in questions:
            for m in MODES:
                times[m].append(timed(retrievers[m].retrieve, q, top_k))
    dense = statistics.median(times["dense"])
    print(f"{col.count()} chunks, {len(questions)} questions x {rounds} rounds, top_k {top_k}")
    print(f"{'mode':8} {'p50 ms':>8} {'p95 ms':>8} {'p50 / dense':>12}")
    for m in MODES:
        med = statistics.median(times[m])
        print(f"{m:8} {1000 * med:8.1f} {1000 * p95(times[m]):8.1f} {med / dense:12.2f}")
    check = statistics.median(timed(collection_fingerprint, col) for _ in range(20))
    rebuild = statistics.median(timed(KeywordIndex(collection=col).search, "rebuild", 1) for _ in range(5))
    print(f"fingerprint check per query: {1000 * check:.1f} ms ({check / dense:.2f} x dense retrieval)")
    print(f"BM25 rebuild after a change: {1000 * rebuild:.1f} ms ({rebuild / dense:.1f} x dense retrieval)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=None, help="index here (default: a temporary dir)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.data_dir is not None:
        return run(args.data_dir, args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp) / "data", args.rounds)


if __name__ == "__main__":
    raise SystemExit(main())
