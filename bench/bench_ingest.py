"""Ingest throughput vs the raw embedder, and unchanged re-index vs a full index, measured in one run.

    .venv/bin/python bench/bench_ingest.py [--copies 4]
    nice -n 10 .venv/bin/python bench/bench_ingest.py --chunks 10000 --raw-sample 2000

Builds a temporary corpus from `corpus/` (each text document copied --copies times with a distinct first
line so every copy is a new file), or with --chunks N the synthetic corpus of `bench/synthetic_corpus.py`
(N paragraphs, about one chunk each), then:
1. raw: the bundled embedder alone on exactly the chunk texts the indexer will embed (same batch size;
   with --raw-sample, on that many of them spread over the corpus);
2. index: a full `Rag.index()` of the folder into a fresh Chroma (read, chunk, hash, embed, write), with the
   time it spends embedding and writing to Chroma reported apart; at every tenth of the files the run is
   paused to time the raw embedder on a tenth of the sample, so the raw speed is also measured during the
   run (the machine is shared: its speed drifts over a 30-minute run);
3. raw again (bracketing the index run with step 1);
4. re-index of the unchanged folder;
5. with --chunks, retrieval on the index just built: --queries questions about the synthetic projects,
   dense and hybrid alternating, each through its own engine (p50/p95 and the ratio); the keyword side's
   one-off build (it reads every passage at the first hybrid search, and again only after the index changes)
   is reported apart.
Goals: index throughput >= 0.85x raw; unchanged re-index <= 2 % of the full index. During the full index,
the process's resident memory and the Chroma folder's size are sampled at every tenth of the files, so
memory growth can be set against the index's own growth.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic_corpus import questions, write_corpus  # noqa: E402

import rag.store.chroma  # noqa: E402
from rag import Rag, Settings  # noqa: E402
from rag.ingest.chunk import chunk_document, embed_text  # noqa: E402
from rag.ingest.indexer import Indexer  # noqa: E402
from rag.ingest.readers import read_document  # noqa: E402
from rag.ingest.scan import file_sha256, scan_folder  # noqa: E402


def build_corpus(dest: Path, copies: int) -> None:
    for src in sorted((REPO / "corpus").iterdir()):
        for i in range(copies):
            target = dest / f"{src.stem}-{i}{src.suffix}"
            if src.suffix in (".md", ".txt"):
                target.write_text(f"Copy {i} of {src.name}.\n\n" + src.read_text())
            elif i == 0:
                shutil.copy(src, target)


def chunk_texts(engine: Rag, folder: Path) -> list[str]:
    files, _ = scan_folder(folder)
    texts: list[str] = []
    s = engine.settings
    for f in files:
        nodes = chunk_document(
            read_document(f), file_key=f.name, file_hash=file_sha256(f), abs_path=str(f),
            chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap,
            tokenize=lambda t: engine.embedder.tokenizer.encode(t, add_special_tokens=False),
        )  # fmt: skip
        texts += [embed_text(n) for n in nodes]
    return texts


def raw_rate(engine: Rag, texts: list[str]) -> float:
    t = time.perf_counter()
    engine.embedder.embed_texts(texts)
    return len(texts) / (time.perf_counter() - t)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dir_mb(path: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        total += sum((Path(dirpath) / f).stat().st_size for f in files)
    return total / 2**20


class MemorySampler:
    """At every tenth of the files indexed (an `Indexer` progress callback): RSS, the Chroma folder's size
    and, with `raw`, the raw embedder on its own tenth of the sample, timed apart from the index run (which
    waits meanwhile), so the embedder's speed is known at the same moments as the index's."""

    def __init__(
        self, chroma_dir: Path, chunks: int, embed: Callable[[list[str]], object], raw: list[str]
    ) -> None:
        self.chroma_dir = chroma_dir
        self.chunks = chunks
        self.embed = embed
        self.raw_parts = [raw[i::10] for i in range(10)] if raw else []
        self.rows: list[tuple[int, float, float]] = []
        self.raw_chunks = 0
        self.raw_seconds = 0.0
        self.paused = 0.0  # seconds spent here, not indexing
        self.next_tenth = 1

    def __call__(self, done: int, total: int, _current: str) -> None:
        if done * 10 < self.next_tenth * total:
            return
        t0 = time.perf_counter()
        self.next_tenth = done * 10 // total + 1
        self.rows.append((round(self.chunks * done / total), rss_mb(), dir_mb(self.chroma_dir)))
        if self.raw_parts:
            part = self.raw_parts.pop(0)
            t = time.perf_counter()
            self.embed(part)
            self.raw_seconds += time.perf_counter() - t
            self.raw_chunks += len(part)
        self.paused += time.perf_counter() - t0


class Stopwatch:
    """Seconds spent inside the callables it wraps."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        return timed


def retrieval_latency(engine: Rag, n_queries: int, n_chunks: int) -> None:
    """Dense vs hybrid on the same index, alternating question by question."""
    engines = {
        mode: Rag(engine.settings.model_copy(update={"retrieval": mode}), embedder=engine.embedder)
        for mode in ("dense", "hybrid")
    }
    qs = questions(n_queries, n_chunks)
    engines["dense"].retrieve(qs[0])
    t = time.perf_counter()
    engines["hybrid"].retrieve(qs[0])
    first_hybrid = time.perf_counter() - t
    ms: dict[str, list[float]] = {"dense": [], "hybrid": []}
    for i, q in enumerate(qs):
        for mode in ("dense", "hybrid") if i % 2 == 0 else ("hybrid", "dense"):
            t = time.perf_counter()
            engines[mode].retrieve(q)
            ms[mode].append(1000 * (time.perf_counter() - t))
    d50, h50 = statistics.median(ms["dense"]), statistics.median(ms["hybrid"])
    print(f"retrieval over {n_queries} questions (top_k {engine.settings.top_k}, query embedding included):")
    for mode in ("dense", "hybrid"):
        p95 = float(np.percentile(ms[mode], 95))
        print(f"  {mode:<7} p50 {statistics.median(ms[mode]):7.1f} ms  p95 {p95:7.1f} ms")
    print(f"  hybrid/dense p50 ratio: {h50 / d50:.2f}")
    print(f"  first hybrid search (keyword index built from every passage): {first_hybrid:.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--chunks", type=int, default=0, help="index a synthetic corpus of this many paragraphs")
    ap.add_argument("--raw-sample", type=int, default=0, help="time the raw embedder on this many chunks")
    ap.add_argument("--queries", type=int, default=100, help="with --chunks: questions for step 5")
    ap.add_argument("--max-neighbors", type=int, help="build another HNSW graph than the store's")
    ap.add_argument("--ef-construction", type=int, help="build another HNSW graph than the store's")
    args = ap.parse_args(argv)
    for key in ("max_neighbors", "ef_construction"):
        if getattr(args, key):
            rag.store.chroma.HNSW[key] = getattr(args, key)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        if args.chunks:
            write_corpus(folder, args.chunks)
        else:
            build_corpus(folder, args.copies)
        engine = Rag(Settings(data_dir=Path(tmp) / "data", corpus_dir=folder))
        texts = chunk_texts(engine, folder)
        sample = texts
        if args.raw_sample and args.raw_sample < len(texts):
            sample = texts[:: len(texts) // args.raw_sample][: args.raw_sample]
        engine.embedder.embed_texts(texts[:64])  # warm up
        rss_before = rss_mb()
        raw1 = raw_rate(engine, sample)
        embed_raw = engine.embedder.embed_texts
        sampler = MemorySampler(engine.settings.chroma_dir, len(texts), embed_raw, sample)
        embedding, writing = Stopwatch(), Stopwatch()
        engine.embedder.embed_texts = embedding.wrap(embed_raw)  # type: ignore[method-assign]
        write_step = Indexer._write
        Indexer._write = writing.wrap(write_step)  # type: ignore[method-assign]
        t = time.perf_counter()
        try:
            report = engine.index(progress=sampler)
        finally:
            engine.embedder.embed_texts = embed_raw  # type: ignore[method-assign]
            Indexer._write = write_step  # type: ignore[method-assign]
        full_s = time.perf_counter() - t - sampler.paused
        raw2 = raw_rate(engine, sample)
        t = time.perf_counter()
        again = engine.index()
        reindex_s = time.perf_counter() - t
        if args.chunks and args.queries:
            retrieval_latency(engine, args.queries, args.chunks)
    assert report.chunks_written == len(texts), (report.chunks_written, len(texts))
    assert again.chunks_written == 0
    raw = (raw1 + raw2) / 2
    index_rate = report.chunks_written / full_s
    print(f"chunks: {len(texts)} from {report.added} files (raw embedder timed on {len(sample)})")
    print(f"HNSW graph: {rag.store.chroma.HNSW}")
    print(f"RSS before indexing (embedder loaded): {rss_before:.0f} MB")
    print("chunks indexed    RSS MB    Chroma dir MB")
    for n, rss, size in sampler.rows:
        print(f"{n:>14}  {rss:>8.0f}  {size:>15.1f}")
    raw_during = sampler.raw_chunks / sampler.raw_seconds if sampler.raw_seconds else float("nan")
    embed_s = embedding.seconds
    store_s = writing.seconds - embed_s
    print(f"raw embedder:      {raw1:.1f} before / {raw2:.1f} after chunks/s (mean {raw:.1f}); "
          f"{raw_during:.1f} in 10 pieces during the index run")  # fmt: skip
    print(f"full index:        {index_rate:.1f} chunks/s in {full_s:.1f} s")
    print(f"  of which: embedding {embed_s:.1f} s ({report.chunks_written / embed_s:.1f} chunks/s), "
          f"Chroma writes {store_s:.1f} s, the rest {full_s - writing.seconds:.1f} s")  # fmt: skip
    print(f"ingest/raw ratio:  {index_rate / raw_during:.3f} against the raw embedder during the run, "
          f"{index_rate / raw:.3f} against before/after  (goal >= 0.85)")  # fmt: skip
    print(f"unchanged reindex: {reindex_s:.3f} s = {100 * reindex_s / full_s:.2f} % of full  (goal <= 2 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
