"""Ingest throughput vs the raw embedder, and unchanged re-index vs a full index, measured in one run.

    .venv/bin/python bench/bench_ingest.py [--copies 4]
    nice -n 10 .venv/bin/python bench/bench_ingest.py --chunks 10000 --raw-sample 2000

Builds a temporary corpus from `corpus/` (each text document copied --copies times with a distinct first
line so every copy is a new file), or with --chunks N the synthetic corpus of `bench/synthetic_corpus.py`
(N paragraphs, about one chunk each), then:
1. raw: the bundled embedder alone on exactly the chunk texts the indexer will embed (same batch size;
   with --raw-sample, on that many of them spread over the corpus);
2. index: a full `Rag.index()` of the folder into a fresh Chroma (read, chunk, hash, embed, write);
3. raw again (the machine is shared: the two raw runs bracket the index run and are averaged);
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
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic_corpus import questions, write_corpus  # noqa: E402

from rag import Rag, Settings  # noqa: E402
from rag.ingest.chunk import chunk_document, embed_text  # noqa: E402
from rag.ingest.indexer import file_sha256, scan_folder  # noqa: E402
from rag.ingest.readers import read_document  # noqa: E402


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
    """RSS and Chroma folder size at every tenth of the files indexed (an `Indexer` progress callback)."""

    def __init__(self, chroma_dir: Path, chunks: int) -> None:
        self.chroma_dir = chroma_dir
        self.chunks = chunks
        self.rows: list[tuple[int, float, float]] = []
        self.next_tenth = 1

    def __call__(self, done: int, total: int, _current: str) -> None:
        if done * 10 >= self.next_tenth * total:
            self.next_tenth = done * 10 // total + 1
            self.rows.append((round(self.chunks * done / total), rss_mb(), dir_mb(self.chroma_dir)))


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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--chunks", type=int, default=0, help="index a synthetic corpus of this many paragraphs")
    ap.add_argument("--raw-sample", type=int, default=0, help="time the raw embedder on this many chunks")
    ap.add_argument("--queries", type=int, default=100, help="with --chunks: questions for step 5")
    args = ap.parse_args()
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
        sampler = MemorySampler(engine.settings.chroma_dir, len(texts))
        t = time.perf_counter()
        report = engine.index(progress=sampler)
        full_s = time.perf_counter() - t
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
    print(f"RSS before indexing (embedder loaded): {rss_before:.0f} MB")
    print("chunks indexed    RSS MB    Chroma dir MB")
    for n, rss, size in sampler.rows:
        print(f"{n:>14}  {rss:>8.0f}  {size:>15.1f}")
    print(f"raw embedder:      {raw1:.1f} / {raw2:.1f} chunks/s (mean {raw:.1f})")
    print(f"full index:        {index_rate:.1f} chunks/s in {full_s:.1f} s")
    print(f"ingest/raw ratio:  {index_rate / raw:.3f}  (goal >= 0.85)")
    print(f"unchanged reindex: {reindex_s:.3f} s = {100 * reindex_s / full_s:.2f} % of full  (goal <= 2 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
