"""Retrieval before and after, on one corpus and its Q&A set, measured side by side in one run.

    .venv/bin/python bench/bench_retrieval_quality.py --corpus DIR --dataset FILE.jsonl [--data-dir DIR]
    .venv/bin/python bench/bench_retrieval_quality.py      # the project's corpus/ and eval set

Indexes the corpus twice into fresh collections of one data dir (a temporary one unless --data-dir is
given; an index already there is reused and its time reported as such): with the previous default layout
(200-token chunks, overlap 30) and with the current settings (small units). The index times give their ratio
in the same run. Then every question is retrieved in each configuration below, configurations interleaved
question by question so that a busy machine slows them alike:

- dense / hybrid, before: 200/30 chunks, each chunk its own passage, hybrid fused by plain reciprocal rank
  over 10 candidates a side (the settings before passages were widened around small units);
- dense / hybrid, now: the current settings (`RAG_*` honoured).

Prints one table row per configuration: answer_in_context at k = 1, top_k, 5 and 10 (each from a retrieval
with that top_k), file-level recall@top_k and MRR, the median characters and embedder tokens of the top_k
passages together, and the median retrieval time at top_k.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from eval.dataset import Example, load_dataset  # noqa: E402
from eval.engine import collection_name  # noqa: E402
from eval.metrics import answer_in_context, mean, mrr, retrieval_recall_at_k  # noqa: E402
from rag import Rag, Settings  # noqa: E402
from rag.answer.followup import search_query  # noqa: E402
from rag.retrieval.retriever import RetrievalOptions, Retriever  # noqa: E402

DEPTHS = (1, 5, 10)
BEFORE_LAYOUT = {"chunk_size": 200, "chunk_overlap": 30}


@dataclass
class Config:
    name: str
    layout: str  # "before" or "now"
    options: RetrievalOptions


def configs(s: Settings) -> list[Config]:
    now = RetrievalOptions(
        mode="hybrid", fusion=s.fusion, candidates=s.fusion_candidates, keyword_weight=s.keyword_weight,
        passage_tokens=s.passage_tokens, per_file=s.passages_per_file,
    )  # fmt: skip
    before = RetrievalOptions(
        mode="hybrid", fusion="rank", candidates=10, keyword_weight=0.5, passage_tokens=0
    )
    return [
        Config(
            "dense, before", "before", RetrievalOptions(mode="dense", candidates=s.top_k, passage_tokens=0)
        ),
        Config("hybrid, before", "before", before),
        Config("dense, now", "now", replace(now, mode="dense")),
        Config("hybrid, now (default)", "now", now),
    ]


def index(settings: Settings) -> tuple[Rag, float, int]:
    engine = Rag(settings)
    start = time.perf_counter()
    report = engine.index()
    seconds = time.perf_counter() - start
    engine.wait_for_keyword_index()
    return engine, seconds, report.chunks_written


def run(args: argparse.Namespace, data_dir: Path) -> int:
    examples = load_dataset(args.dataset)[: args.limit]
    name = collection_name(args.corpus)
    base = Settings(data_dir=data_dir, corpus_dir=args.corpus.resolve())
    layouts = {
        "before": base.model_copy(update={**BEFORE_LAYOUT, "collection": f"{name}_before"}),
        "now": base.model_copy(update={"collection": f"{name}_now"}),
    }
    engines: dict[str, Rag] = {}
    for layout, settings in layouts.items():
        engine, seconds, written = index(settings)
        engines[layout] = engine
        col = engine.collection()
        assert col is not None  # the index run just created it
        print(f"index {layout}: {col.count()} chunks, {seconds:.1f} s ({written} embedded in this run)")
    top_k = base.top_k
    runs = []
    for c in configs(base):
        eng = engines[c.layout]
        col = eng.collection(create=True)  # indexed above: this opens it
        runs.append((c, Retriever(collection=col, embedder=eng.embedder, options=c.options)))
    for _, r in runs:
        r.retrieve("warm-up", top_k)  # builds the BM25 index if not built yet
    rows: dict[str, dict[str, list[float]]] = {c.name: {} for c, _ in runs}
    for ex in examples:
        query = search_query(ex.question, list(ex.history), None)
        for c, r in runs:
            _measure(rows[c.name], r, ex, query, top_k, engines[c.layout])
    print(f"\n{len(examples)} questions, top_k {top_k}\n")
    head = ["configuration", "aic@1", f"aic@{top_k}", "aic@5", "aic@10", f"recall@{top_k}", "MRR",
            "ctx chars p50", "ctx tokens p50", "retrieve p50 ms"]  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for c, _ in runs:
        m = rows[c.name]
        cells = [c.name] + [_fmt(mean(m.get(f"aic@{k}", []))) for k in (1, top_k, 5, 10)]
        cells += [_fmt(mean(m["recall"])), _fmt(mean(m["mrr"]))]
        cells += [f"{statistics.median(m['chars']):.0f}", f"{statistics.median(m['tokens']):.0f}"]
        cells += [f"{1000 * statistics.median(m['seconds']):.1f}"]
        print("| " + " | ".join(cells) + " |")
    for engine in engines.values():
        engine.close()
    return 0


def _measure(
    m: dict[str, list[float]], r: Retriever, ex: Example, query: str, top_k: int, engine: Rag
) -> None:
    for k in sorted({top_k, *DEPTHS}):
        start = time.perf_counter()
        sources = r.retrieve(query, k)
        elapsed = time.perf_counter() - start
        if ex.answerable:
            hit = answer_in_context([s.text for s in sources], ex.references)
            if hit is not None:
                m.setdefault(f"aic@{k}", []).append(hit)
        if k != top_k:
            continue
        m.setdefault("seconds", []).append(elapsed)
        m.setdefault("chars", []).append(sum(len(s.text) for s in sources))
        tokenizer: Any = engine.embedder.tokenizer
        tokens = sum(len(tokenizer.encode(s.text, add_special_tokens=False)) for s in sources)
        m.setdefault("tokens", []).append(tokens)
        files = [s.file for s in sources]
        recall = retrieval_recall_at_k(files, ex.reference_sources, top_k)
        if recall is not None:
            m.setdefault("recall", []).append(recall)
            m.setdefault("mrr", []).append(mrr(files, ex.reference_sources) or 0.0)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("--dataset", type=Path, default=REPO / "eval" / "datasets" / "corpus_qa.jsonl")
    ap.add_argument("--data-dir", type=Path, default=None, help="index here (default: a temporary dir)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = ap.parse_args(argv)
    if args.data_dir is not None:
        return run(args, args.data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, Path(tmp) / "data")


if __name__ == "__main__":
    raise SystemExit(main())
