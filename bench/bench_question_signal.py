"""How well the support decision's question signals tell answerable questions from near-misses (no model).

    .venv/bin/python bench/bench_question_signal.py [--squad ../shared/datasets/squad_v2_small/small.json]

Every SQuAD v2 question of the sample comes with the span that answers it or, for the unanswerable ones, the
span a reader would wrongly give (`plausible_answers`). The claim checked is the whole sentence of the
paragraph that holds the span, as if the model had quoted it, so the claim is always supported: only the
question side of the decision is measured. Printed: the share of each kind the decision lets stand
(`Evidence.answers`), and the AUROC of two signals for "this window answers the question": the decision's
lexical question coverage and the embedder's cosine between the question and the sentence with its
neighbours. An AUROC under 0.5 means the signal is higher for the near-misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from eval.convert import SQUAD_PATH  # noqa: E402
from eval.stats import auroc  # noqa: E402
from rag.answer.support import Passage, Thresholds, evidence_in  # noqa: E402
from rag.retrieval.embed import make_embedder  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.text import sentence_spans  # noqa: E402


def cases(path: Path) -> list[dict[str, Any]]:
    """(question, answerable, sentence holding the span, that sentence with its neighbours, title)."""
    out = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for para in article["paragraphs"]:
            text, spans = para["context"], sentence_spans(para["context"])
            for qa in para["qas"]:
                given = qa.get("plausible_answers") if qa["is_impossible"] else qa["answers"]
                if not given:
                    continue
                start = given[0]["answer_start"]
                i = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
                if i is None:
                    continue
                near = text[spans[max(0, i - 1)][0] : spans[min(len(spans) - 1, i + 1)][1]]
                out.append(
                    {
                        "question": qa["question"],
                        "answerable": not qa["is_impossible"],
                        "sentence": text[spans[i][0] : spans[i][1]],
                        "near": near,
                        "paragraph": text,
                        "title": article["title"].replace("_", " "),
                    }
                )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--squad", type=Path, default=SQUAD_PATH, help="SQuAD v2 json (the shared sample)")
    args = ap.parse_args(argv)
    rows = cases(args.squad)
    t = Thresholds()
    stands, coverage = [], []
    for r in rows:
        ev = evidence_in(r["sentence"], Passage(r["paragraph"], r["title"]), question=r["question"])
        stands.append(bool(ev and ev.answers(t)))
        coverage.append(ev.question_coverage if ev else 0.0)
    embedder = make_embedder(Settings())
    q = np.asarray([embedder.embed_query(r["question"]) for r in rows], dtype=np.float32)
    w = np.asarray(embedder.embed_texts([r["near"] for r in rows]), dtype=np.float32)
    cosine = (q * w).sum(1) / (np.linalg.norm(q, axis=1) * np.linalg.norm(w, axis=1))
    labels = [r["answerable"] for r in rows]
    n_yes = sum(labels)
    kept_yes = sum(s for s, y in zip(stands, labels, strict=True) if y)
    kept_no = sum(s for s, y in zip(stands, labels, strict=True) if not y)
    print(f"{len(rows)} questions: {n_yes} answerable, {len(rows) - n_yes} near-misses")
    print(f"the decision lets the answering sentence stand: answerable {kept_yes / n_yes:.3f}")
    print(f"  near-misses refused {1 - kept_no / (len(rows) - n_yes):.3f}")
    for name, scores in (("question coverage (lexical)", coverage), ("cosine question / window", cosine)):
        value = auroc([float(s) for s in scores], labels)
        mean_yes = float(np.mean([s for s, y in zip(scores, labels, strict=True) if y]))
        mean_no = float(np.mean([s for s, y in zip(scores, labels, strict=True) if not y]))
        print(f"{name:28s} AUROC {value:.3f}  mean answerable {mean_yes:.3f}  near-miss {mean_no:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
