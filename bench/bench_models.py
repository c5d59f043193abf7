"""Choose the default model by measuring: the bundled models side by side on the same questions.

    .venv/bin/python bench/bench_models.py [--n 16] [--models NAME,NAME]

Takes every k-th question of eval/datasets/corpus_qa.jsonl (single-turn only) so answerable and unanswerable
ones are both present, indexes corpus/ once, then for each model starts its embedded endpoint and asks them
all. Prints, per model: answered-correctly rate on answerable questions (the reference answer's content words
mostly present in the answer), refusal accuracy on unanswerable ones, and mean seconds per question.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag import Rag, Settings  # noqa: E402
from rag.text import content_words  # noqa: E402


def correct(answer_text: str, reference: str) -> bool:
    ref = set(content_words(reference))
    got = set(content_words(answer_text))
    return bool(ref) and len(ref & got) / len(ref) >= 0.5


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--models", default="qwen2.5-coder-0.5b-instruct,qwen2.5-coder-1.5b-instruct")
    args = ap.parse_args(argv)
    rows = [
        json.loads(line) for line in (REPO / "eval/datasets/corpus_qa.jsonl").read_text().splitlines() if line
    ]
    rows = [r for r in rows if not r.get("history")]
    step = max(1, len(rows) // args.n)
    picked = rows[::step][: args.n]
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(data_dir=Path(tmp) / "data")
        Rag(base).index()
        for name in args.models.split(","):
            engine = Rag(base.model_copy(update={"model": name}))
            engine.ask("What is JEPA?")  # start and warm up
            ok = refused_ok = n_ans = n_unans = 0
            secs = 0.0
            for r in picked:
                t = time.perf_counter()
                a = engine.ask(r["question"])
                secs += time.perf_counter() - t
                if r["answerable"]:
                    n_ans += 1
                    ok += int(not a.refused and correct(a.text, r["reference_answer"]))
                else:
                    n_unans += 1
                    refused_ok += int(a.refused)
            engine.close()
            print(f"{name}: correct {ok}/{n_ans} answerable, refused {refused_ok}/{n_unans} unanswerable, "
                  f"{secs / len(picked):.1f} s/question", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
