"""How long the eval's faithfulness score takes: 100 answers with their passages, no LLM judge.

    .venv/bin/python bench/bench_faithfulness.py [--n 100] [--repeat 3] [--labelled FILE.jsonl]

Answers: the MTRAG rated answers (whole multi-sentence answers, several passages each) when
../shared/datasets/mtrag_faithfulness_dev is there, else the perturbed pairs of eval/labelled/, cycled to `n`.
Prints the best of `repeat` timings (wall clock and the process's CPU time, with the load average, since the
machine is shared) of scoring all `n` and the per-answer mean; the target is 5 s for 100.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from eval import faithfulness as faithfulness_module  # noqa: E402
from eval.convert import MTRAG_PATH, mtrag_pairs  # noqa: E402
from eval.faithfulness import faithfulness  # noqa: E402
from eval.pairs import LabelledPair, load_pairs  # noqa: E402
from eval.perturb import OUT_PATH as PERTURBED_PATH  # noqa: E402
from rag.answer import support  # noqa: E402

TARGET_SECONDS = 5.0


def sample(n: int, labelled: Path | None = None) -> tuple[str, list[LabelledPair]]:
    """(where from, `n` pairs): the given file, MTRAG when present, else the perturbed pairs; cycled."""
    if labelled is not None:
        source, pairs = str(labelled), load_pairs(labelled)
    elif MTRAG_PATH.is_file():
        source, pairs = "mtrag", mtrag_pairs(MTRAG_PATH)
    else:
        source, pairs = "perturbed", load_pairs(PERTURBED_PATH)
    return source, [pairs[i % len(pairs)] for i in range(n)]


def run(n: int = 100, repeat: int = 3, labelled: Path | None = None) -> dict[str, object]:
    """Time scoring `n` answers `repeat` times; returns the numbers the bench prints."""
    source, pairs = sample(n, labelled)
    times, cpu = [], []
    for _ in range(repeat):
        support._sentences.cache_clear()  # every repeat reads its passages afresh
        faithfulness_module._passage_words.cache_clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        for p in pairs:
            faithfulness(p.claim, p.passages, question=p.question or None)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = min(times)
    return {
        "source": source,
        "answers": n,
        "seconds_best": round(best, 3),
        "seconds_all": [round(t, 3) for t in times],
        "cpu_seconds_best": round(min(cpu), 3),  # the process's own CPU time: what a quiet machine would take
        "ms_per_answer": round(1000 * best / n, 2),
        "scaled_to_100": round(best * 100 / n, 3),
        "target_seconds_per_100": TARGET_SECONDS,
        "load_average_1min": round(os.getloadavg()[0], 1),  # the machine is shared: read times beside it
        "cpus": os.cpu_count(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the timing as JSON; returns 0 (no pass/fail: the numbers are for the README)."""
    ap = argparse.ArgumentParser(prog="bench/bench_faithfulness.py", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--labelled", type=Path, default=None)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.n, args.repeat, args.labelled), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
