"""`python eval/run.py`: ask every question of a dataset, score the answers, write the report, gate on it.

    python eval/run.py [--dataset FILE.jsonl] [--corpus DIR] [--limit N] [--out DIR] [--baseline report.json]
                       [--fail-under METRIC=VALUE ...] [--judge {none,llm}] [--retrieval-only]

Exit codes: 0 done (every threshold met), 1 a `--fail-under` threshold was missed, 2 bad input or the endpoint
could not be used.
"""

from __future__ import annotations

if __package__ in (None, ""):  # `python eval/run.py`: import `eval` from the repo root, not modules beside us
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from tqdm import tqdm  # noqa: E402

from eval.aggregate import (  # noqa: E402
    aggregate,
    baseline_delta,
    context_size,
    gate,
    latency,
    parse_threshold,
)
from eval.cache import AnswerCache, fingerprint_files, settings_that_matter  # noqa: E402
from eval.convert import (  # noqa: E402
    ATTRIBUTION,
    HALUEVAL_DIR,
    MTRAG_PATH,
    SQUAD_PATH,
    half,
    halueval_pairs,
    mtrag_pairs,
)
from eval.dataset import DatasetError, Example, load_dataset  # noqa: E402
from eval.engine import CachedAsker, ReplayingRag, build_judge, load_settings  # noqa: E402
from eval.faithfulness import DEFAULT  # noqa: E402
from eval.judge_check import LABELLED_PATH, check_signals  # noqa: E402
from eval.pairs import load_pairs  # noqa: E402
from eval.perturb import OUT_PATH as PERTURBED_PATH  # noqa: E402
from eval.perturb import generate  # noqa: E402
from eval.record import answer_and_score  # noqa: E402
from eval.report import write_reports  # noqa: E402
from eval.scoring import METRICS  # noqa: E402
from rag import ConfigError, EndpointUnavailable, RagError  # noqa: E402

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVAL_DIR / "datasets" / "corpus_qa.jsonl"
DEFAULT_OUT = EVAL_DIR / "out"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eval/run.py", description="Score the RAG system on a Q&A dataset.")
    p.add_argument(
        "--dataset", type=Path, default=DEFAULT_DATASET, help="JSON Lines dataset (default: %(default)s)"
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="index this folder (incrementally) into a collection of its own and ask against it",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default: %(default)s)")
    p.add_argument("--cache-dir", type=Path, default=None, help="answer cache (default: OUT/cache)")
    p.add_argument("--baseline", type=Path, default=None, help="an earlier report.json to compare with")
    p.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help=f"exit 1 when the metric's mean is below VALUE (repeatable); metrics: {', '.join(METRICS)}",
    )
    p.add_argument(
        "--judge",
        choices=["none", "llm"],
        default="none",
        help="none: model-free signals only (the measured default); llm: add the *_judge metrics",
    )
    p.add_argument("--judge-base-url", default=None, help="judge endpoint (default: the configured endpoint)")
    p.add_argument("--judge-model", default=None, help="judge model name (default: the configured model)")
    p.add_argument(
        "--judge-check-limit",
        type=int,
        default=30,
        help="labelled pairs the LLM judge is checked on (default: %(default)s)",
    )
    p.add_argument(
        "--no-judge-check", action="store_true", help="skip measuring the signals on labelled data"
    )
    p.add_argument("--retrieval-only", action="store_true", help="no generation: retrieval metrics only")
    p.add_argument("--no-index", action="store_true", help="do not (re)index the corpus first")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation; returns the exit code (0 ok, 1 gate failed, 2 bad input or unusable endpoint)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        thresholds = [parse_threshold(t) for t in args.fail_under]
    except ValueError as err:
        parser.error(str(err))
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        examples = load_dataset(args.dataset)[: args.limit]
        baseline = _load_baseline(args.baseline) if args.baseline else None
    except (DatasetError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        report = evaluate(args, examples)
    except EndpointUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return finish(report, args.out, baseline=baseline, baseline_path=args.baseline, thresholds=thresholds)


def _load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: cannot read the baseline report ({err})") from err
    if not isinstance(data, dict) or not isinstance(data.get("aggregate"), dict):
        raise ValueError(f"{path}: not a report.json (no 'aggregate')")
    return data


def finish(
    report: dict[str, Any],
    out: Path,
    *,
    baseline: dict[str, Any] | None = None,
    baseline_path: Path | None = None,
    thresholds: Sequence[tuple[str, float]] = (),
) -> int:
    """Add the baseline delta and the gate to `report`, write the report files, print a summary.

    Returns:
        1 when a threshold is missed, else 0.
    """
    if baseline is not None:
        report["baseline"] = {
            "path": str(baseline_path),
            "delta": baseline_delta(report["aggregate"], baseline["aggregate"]),
        }
    failures = gate(report["aggregate"], thresholds)
    report["gate"] = {"thresholds": dict(thresholds), "failures": failures}
    paths = write_reports(report, out)
    delta = (report.get("baseline") or {}).get("delta", {})
    for name, agg in report["aggregate"].items():
        value = "–" if agg["mean"] is None else f"{agg['mean']:.3f}"
        d = (delta.get(name) or {}).get("delta")
        print(f"{name:<26}{value:>8}  (n={agg['n']})" + ("" if d is None else f"  Δ {d:+.3f}"))
    for stage, q in report.get("latency", {}).items():
        if q["p50"] is not None:
            print(f"latency {stage:<18}p50 {q['p50']:.2f}s  p95 {q['p95']:.2f}s")
    context = report.get("context") or {}
    if context.get("chars_p50") is not None:
        print(f"context given to the model: median {context['chars_p50']:.0f} characters (n={context['n']})")
    print(f"report: {paths['md']}  {paths['html']}  {paths['json']}")
    for line in failures:
        print(line)
    return 1 if failures else 0


def evaluate(args: argparse.Namespace, examples: Sequence[Example]) -> dict[str, Any]:
    """Index, answer (or retrieve), score every example; the report dict without baseline and gate."""
    settings = load_settings(args.corpus)
    calls = AnswerCache((args.cache_dir or args.out / "cache") / "chat")
    engines = [ReplayingRag(settings, calls=calls)]

    def reconnect() -> Any:
        engines.append(ReplayingRag(settings, calls=calls))
        return engines[-1]

    try:
        return _evaluate(engines[0], settings, args, examples, reconnect)
    finally:
        for engine in engines:
            engine.close()  # stops the embedded endpoint only if this run started it


def _evaluate(
    engine: Any,
    settings: Any,
    args: argparse.Namespace,
    examples: Sequence[Example],
    reconnect: Callable[[], Any] | None = None,
) -> dict[str, Any]:
    index_report = None if args.no_index else engine.index(show_progress=True)
    corpus_fp = fingerprint_files(settings.corpus_dir)
    if args.retrieval_only and not hasattr(engine, "retrieve"):
        raise ConfigError("this version of rag has no engine.retrieve(); --retrieval-only needs it")
    judge = None
    if args.judge == "llm":
        judge = build_judge(settings, engine, base_url=args.judge_base_url, model=args.judge_model)
    cache = AnswerCache(args.cache_dir or args.out / "cache")
    asker = CachedAsker(engine, settings, cache, corpus_fp, reconnect)
    records = [
        answer_and_score(example, asker.engine, asker, judge, settings.top_k, args.retrieval_only)
        for example in _progress(examples)
    ]
    checks = {} if args.no_judge_check else signal_checks(judge, args.judge_check_limit)
    llm = next((r["model"] for r in records if r.get("model")), "") or settings.llm_model
    attribution = [ATTRIBUTION["halueval_qa"]] if "halueval" in checks else []
    if any("squad_v2" in e.tags for e in examples):
        attribution.insert(0, ATTRIBUTION["squad_v2"])
    meta = {
        "mode": "retrieval-only" if args.retrieval_only else "ask",
        "dataset": {"path": str(args.dataset), "n": len(examples)},
        "settings": settings_that_matter(settings.model_dump()),
        "models": {
            "llm": llm,
            "embedder": settings.embed_model,
            "judge": f"{judge.model} @ {judge.base_url}" if judge else None,
        },
        "corpus": {
            "dir": str(settings.corpus_dir),
            "fingerprint": corpus_fp,
            "collection": settings.collection,
            "index": _index_dict(index_report),
        },
        "judge": judge.stats() if judge else None,
        "judge_check": checks,
        "cache": {"dir": str(cache.root), "hits": cache.hits, "misses": cache.misses},
        "endpoint_reconnects": asker.reconnects,
        "attribution": attribution,
    }
    return assemble(records, meta)


def assemble(records: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """The report dict: `meta` (run, settings, models, corpus...) plus the numbers computed from `records`."""
    return {
        "version": 1,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **meta,
        "aggregate": aggregate(records),
        "latency": latency(records),
        "context": context_size(records),
        "errors": sum(1 for r in records if r["error"]),
        "judge_failures": sum(r["judge_failures"] for r in records),
        "questions": records,
    }


def signal_checks(judge: Any | None, judge_limit: int | None) -> dict[str, Any]:
    """Each faithfulness signal on the labelled claims (judge included), the perturbed pairs, the two MTRAG
    halves (the one `faithfulness` was fitted on marked `fit_set`) and HaluEval (model-free only)."""
    checks = {
        "labelled_claims": check_signals(load_pairs(LABELLED_PATH), judge=judge, judge_limit=judge_limit)
    }
    if PERTURBED_PATH.is_file():
        checks["perturbed"] = check_signals(load_pairs(PERTURBED_PATH))
    if SQUAD_PATH.is_file():
        checks["perturbed_squad"] = check_signals(generate("squad"))
    if MTRAG_PATH.is_file():
        mtrag = mtrag_pairs(MTRAG_PATH)
        for side in "ab":
            name = f"mtrag_{side}"
            checks[name] = check_signals([p for p in mtrag if half(p.group) == side])
            checks[name]["fit_set"] = name in DEFAULT.fitted_on.split("+")
    if HALUEVAL_DIR.is_dir():
        checks["halueval"] = check_signals(halueval_pairs(HALUEVAL_DIR))
        checks["halueval_with_question"] = check_signals(halueval_pairs(HALUEVAL_DIR, with_question=True))
    return checks


def _index_dict(report: Any) -> dict[str, Any] | None:
    if report is None:
        return None
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return dataclasses.asdict(report)
    return {"summary": str(report)}


def _progress(items: Sequence[Example]) -> Any:
    return tqdm(items, desc="eval", unit="question", mininterval=1.0)


if __name__ == "__main__":
    start = time.monotonic()
    code = main()
    print(f"done in {time.monotonic() - start:.0f}s", file=sys.stderr)
    sys.exit(code)
