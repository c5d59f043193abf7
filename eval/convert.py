"""Converters from data nobody here wrote into the harness's formats. The data stays where it is
(../shared/datasets beside the repository); only derived files are written, under the folder you name.

- SQuAD v2.0 (Rajpurkar, Jia & Liang 2018, CC BY-SA 4.0; the 2-article dev subset shipped in Haystack's test
  samples): every paragraph becomes one corpus document; every question a dataset line, answerable unless
  `is_impossible`, the paragraph's file as its reference source, the crowd answers as gold answers.
- HaluEval QA (Li et al., EMNLP 2023, MIT; knowledge from HotpotQA/Wikipedia, CC BY-SA 4.0): each
  question gives one supported pair (knowledge, right answer) and up to two unsupported ones (knowledge,
  hallucinated answer), in the labelled-pairs format of `eval/labelled/claims.jsonl`.
- MTRAG human faithfulness ratings (Katsis et al., TACL 2025, Apache-2.0; the development half in
  ../shared/datasets/mtrag_faithfulness_dev): each rated answer with at least one passage becomes one pair,
  supported unless its median faithfulness rating is 2 ("mostly no") or lower; the conversation is its group.

    python eval/convert.py squad --out DIR [--source small.json]        -> DIR/corpus/*.md, DIR/squad_qa.jsonl
    python eval/convert.py halueval --out FILE.jsonl [--with-question]   -> labelled pairs
    python eval/convert.py mtrag --out FILE.jsonl                        -> labelled pairs
"""

from __future__ import annotations

if __package__ in (None, ""):  # run as `python eval/convert.py`
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

from eval.dataset import Example, write_dataset  # noqa: E402
from eval.pairs import LabelledPair, write_pairs  # noqa: E402

# the shared data sets sit beside the repository (../shared/datasets); EVAL_SHARED_DATASETS points elsewhere
_BESIDE_REPO = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SHARED = Path(os.environ.get("EVAL_SHARED_DATASETS", _BESIDE_REPO))
SQUAD_PATH = SHARED / "squad_v2_small" / "small.json"
HALUEVAL_DIR = SHARED / "halueval_qa_sample"
HALUEVAL_FILES = ("qa_one-turn_data.jsonl", "qa_multi-turn_data.jsonl")
MTRAG_PATH = SHARED / "mtrag_faithfulness_dev" / "rated_answers.json"

ATTRIBUTION = {
    "squad_v2": "SQuAD 2.0 (Rajpurkar, Jia & Liang, 2018), CC BY-SA 4.0, passages from Wikipedia; the "
    "2-article dev subset from deepset-ai/haystack test/samples/squad/small.json (commit 3ffdb0a9).",
    "halueval_qa": "HaluEval QA samples (Li, Cheng, Zhao, Nie & Wen, EMNLP 2023), MIT, RUCAIBox/HaluEval "
    "commit b7253db3; questions and knowledge from HotpotQA (CC BY-SA 4.0) / Wikipedia.",
    "mtrag": "MTRAG human evaluations (Katsis et al., TACL 13, 2025), Apache-2.0, IBM/mt-rag-benchmark "
    "commit cc5b1d48; passages from Wikipedia (CC BY-SA), FiQA, US government pages, IBM Cloud docs.",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "doc"


def squad_to_corpus(source: Path, out: Path, *, seed: int = 0) -> tuple[Path, Path, int]:
    """Write SQuAD v2 paragraphs as corpus documents and its questions as a dataset.

    Args:
        source: A SQuAD v2.0 JSON file.
        out: Folder to write `corpus/` and `squad_qa.jsonl` into.
        seed: Questions are shuffled with this seed so that `--limit N` takes a mix of articles and of
            answerable/unanswerable questions.

    Returns:
        (corpus folder, dataset file, number of questions).
    """
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    examples: list[Example] = []
    for article in data["data"]:
        title = article["title"].replace("_", " ")
        for i, para in enumerate(article["paragraphs"]):
            name = f"{_slug(title)}_p{i:03d}.md"
            (corpus / name).write_text(f"# {title}\n\n{para['context'].strip()}\n", encoding="utf-8")
            for qa in para["qas"]:
                impossible = bool(qa.get("is_impossible"))
                golds = list(
                    dict.fromkeys(a["text"].strip() for a in qa.get("answers", []) if a["text"].strip())
                )
                examples.append(
                    Example(
                        id=qa["id"],
                        question=qa["question"].strip(),
                        answerable=not impossible,
                        reference_answer="" if impossible else golds[0],
                        reference_sources=() if impossible else (name,),
                        tags=("squad_v2", _slug(title), "unanswerable" if impossible else "answerable"),
                        alternative_answers=() if impossible else tuple(golds[1:]),
                    )
                )
    random.Random(seed).shuffle(examples)
    dataset = out / "squad_qa.jsonl"
    write_dataset(dataset, examples)
    return corpus, dataset, len(examples)


def _spaced(knowledge: str) -> str:
    # HaluEval glues its two knowledge paragraphs ("...century.First for Women is..."): restore the space.
    return re.sub(r"([.!?])(?=[A-Z])", r"\1 ", knowledge)


def halueval_pairs(
    source: Path = HALUEVAL_DIR, *, limit: int | None = None, with_question: bool = False
) -> list[LabelledPair]:
    """Labelled pairs from HaluEval QA: per question the right answer (supported) and the distinct
    hallucinated answers of the one-turn and multi-turn files (unsupported),
    each against the question's knowledge.

    Args:
        source: The folder holding the HaluEval QA .jsonl files.
        limit: Use only the first `limit` questions.
        with_question: Prefix every claim with its question. Right answers are short spans and hallucinated
            ones sentences, so a signal can score on length alone; this makes the claims alike in form.

    Returns:
        The pairs, questions in file order.
    """
    rows: dict[str, dict[str, object]] = {}
    for name in HALUEVAL_FILES:
        path = Path(source) / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            row = rows.setdefault(
                obj["question"], {"knowledge": obj["knowledge"], "right": obj["right_answer"], "wrong": []}
            )
            wrong = row["wrong"]
            assert isinstance(wrong, list)
            if obj["hallucinated_answer"] not in wrong and obj["hallucinated_answer"] != obj["right_answer"]:
                wrong.append(obj["hallucinated_answer"])
    if not rows:
        raise FileNotFoundError(f"{source}: none of {', '.join(HALUEVAL_FILES)} found")
    pairs: list[LabelledPair] = []
    for qi, (question, row) in enumerate(list(rows.items())[:limit]):
        knowledge = (_spaced(str(row["knowledge"])),)
        prefix = f"{question} " if with_question else ""
        pairs.append(
            LabelledPair(f"halueval-{qi}-right", knowledge, prefix + str(row["right"]), True, "right")
        )
        for wi, wrong in enumerate(row["wrong"]):  # type: ignore[arg-type]
            pairs.append(
                LabelledPair(
                    f"halueval-{qi}-wrong{wi}", knowledge, prefix + str(wrong), False, "hallucinated"
                )
            )
    return pairs


def mtrag_pairs(source: Path = MTRAG_PATH) -> list[LabelledPair]:
    """Labelled pairs from MTRAG's human faithfulness ratings: (the task's passages, the rated answer).

    Args:
        source: The MTRAG file (upstream structure: `documents`, `tasks`, `evaluations`).

    Returns:
        One pair per rated answer that has a passage, in file order: supported when the median rating is
        above 2 (1 No, 2 Mostly No, 3 Mostly Yes, 4 Yes); `kind` is the answer's author, `question` the
        conversation's last user turn, `group` the conversation id (the task id before `<::>`).
    """
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    docs = {d["document_id"]: d["text"] for d in data["documents"]}
    tasks = {t["task_id"]: t for t in data["tasks"]}
    pairs: list[LabelledPair] = []
    for ev in data["evaluations"]:
        task = tasks[ev["task_id"]]
        passages = tuple(docs[c["document_id"]] for c in task.get("contexts", []) if c["document_id"] in docs)
        ratings = [int(a["value"]) for a in ev["annotations"]["faithfulness"].values()]
        if not passages or not ratings:
            continue
        turns = task["input"] if isinstance(task["input"], list) else [task["input"]]
        question = next((t["text"] for t in reversed(turns) if t.get("speaker") == "user"), "")
        pairs.append(
            LabelledPair(
                id=f"mtrag-{ev['task_id']}-{ev['model_id']}",
                passages=passages,
                claim=ev["model_response"],
                supported=statistics.median(ratings) > 2,
                kind=ev["model_id"],
                question=question,
                group=ev["task_id"].split("<::>")[0],
            )
        )
    return pairs


def half(group: str) -> str:
    """ "a" or "b": a fixed split by a hash of the group, so related pairs share a side."""
    return "ab"[hashlib.sha256(group.encode("utf-8")).digest()[0] % 2]


def main(argv: Sequence[str] | None = None) -> int:
    """`python eval/convert.py {squad,halueval} ...`; returns 0."""
    parser = argparse.ArgumentParser(prog="eval/convert.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    squad = sub.add_parser("squad", help="SQuAD v2 -> corpus folder + dataset")
    squad.add_argument("--source", type=Path, default=SQUAD_PATH)
    squad.add_argument("--out", type=Path, required=True, help="folder for corpus/ and squad_qa.jsonl")
    halu = sub.add_parser("halueval", help="HaluEval QA -> labelled (passages, claim, supported) pairs")
    halu.add_argument("--source", type=Path, default=HALUEVAL_DIR)
    halu.add_argument("--out", type=Path, required=True, help="the .jsonl file to write")
    halu.add_argument("--limit", type=int, default=None, help="questions to convert")
    halu.add_argument("--with-question", action="store_true", help="prefix each claim with its question")
    mtrag = sub.add_parser("mtrag", help="MTRAG human faithfulness ratings -> labelled pairs")
    mtrag.add_argument("--source", type=Path, default=MTRAG_PATH)
    mtrag.add_argument("--out", type=Path, required=True, help="the .jsonl file to write")
    args = parser.parse_args(argv)
    if args.what == "squad":
        corpus, dataset, n = squad_to_corpus(args.source, args.out)
        print(f"wrote {len(list(corpus.iterdir()))} documents to {corpus} and {n} questions to {dataset}")
        print(f"run: python eval/run.py --corpus {corpus} --dataset {dataset} --limit 20")
    else:
        if args.what == "mtrag":
            pairs = mtrag_pairs(args.source)
        else:
            pairs = halueval_pairs(args.source, limit=args.limit, with_question=args.with_question)
        write_pairs(args.out, pairs)
        print(f"wrote {len(pairs)} labelled pairs to {args.out}")
    print("Data: " + ATTRIBUTION[{"squad": "squad_v2", "halueval": "halueval_qa"}.get(args.what, args.what)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
