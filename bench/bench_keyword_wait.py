"""How long the first question after an index run waits for the keyword (BM25) index, with and without the
background build, measured in one run.

    .venv/bin/python bench/bench_keyword_wait.py [--chunks 2000] [--rounds 3]

Writes the synthetic corpus of `bench/synthetic_corpus.py` (--chunks paragraphs) into a temporary folder and
indexes it (hybrid retrieval). Then, round after round, one file is changed and re-indexed by an engine that
is open all along (as the page is), alternately with `keyword_index_in_background` off and on:
- off: the first question after the run builds BM25 from every passage, then searches;
- on, at once: the question is asked the moment the index run returns (it waits for what is left of the
  build started then);
- on, a moment later: the question is asked once the build is done (a user who reads the upload message).
Prints the median of each, and a question's time when nothing has to be built (the floor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic_corpus import questions, write_corpus  # noqa: E402

from rag import Rag, Settings  # noqa: E402


def timed_question(engine: Rag, question: str) -> float:
    start = time.perf_counter()
    engine.retrieve(question)
    return time.perf_counter() - start


def run(tmp: Path, chunks: int, rounds: int) -> int:
    corpus = tmp / "corpus"
    write_corpus(corpus, chunks)
    base = Settings(data_dir=tmp / "data", corpus_dir=corpus, retrieval="hybrid")
    engines = {
        flag: Rag(base.model_copy(update={"keyword_index_in_background": flag})) for flag in (False, True)
    }
    report = engines[False].index()
    collection = engines[False].collection()
    assert collection is not None  # the index run just created it
    units = collection.count()
    print(f"{chunks} paragraphs: {units} units ({report.seconds:.0f} s to index)")
    asked = questions(6 * rounds, chunks)
    changed = sorted(corpus.glob("*.md"))[0]
    times: dict[str, list[float]] = {"off": [], "on, at once": [], "on, a moment later": [], "floor": []}
    for r in range(rounds):
        for label in ("off", "on, at once", "on, a moment later"):
            engine = engines[label != "off"]
            changed.write_text(changed.read_text() + f"\n\nRound {r} {label}: one more line.\n")
            engine.index()
            if label == "on, a moment later":
                engine.wait_for_keyword_index()
            times[label].append(timed_question(engine, asked.pop()))
            times["floor"].append(timed_question(engine, asked.pop()))
    print(f"\nfirst question after an index run, median of {rounds} rounds:\n")
    print("| keyword index | wait (ms) |\n| --- | --- |")
    for label, xs in times.items():
        print(f"| {label} | {1000 * statistics.median(xs):.0f} |")
    for engine in engines.values():
        engine.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=2000, help="paragraphs in the synthetic corpus")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp), args.chunks, args.rounds)


if __name__ == "__main__":
    raise SystemExit(main())
