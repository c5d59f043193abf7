"""How far each faithfulness signal can be trusted: accuracy and AUROC on labelled (passages, claim) pairs.

Signals: `faithfulness` (the eval's score, `eval.faithfulness`: each pair's claim, which may be a whole
answer, split into claims as the eval splits answers), `content_words` (the baseline: share of the claim's
content words in the passages), `lexical` (the old default, `eval.support.lexical_score`) and, when a judge
is given, `llm_judge` (JSON verdict) or `llm_logprob` (P(yes) from the first token's logprobs). Each with
accuracy at its threshold, AUROC and a bootstrap 95 % interval of both. Run on the hand-written set
(`eval/labelled/claims.jsonl`) or any labelled file and, with `--halueval`, on HaluEval QA.

    python eval/judge_check.py [--labelled FILE] [--halueval [DIR]] [--judge llm|logprob --limit 30]
                               [--out FILE.json]
"""

from __future__ import annotations

if __package__ in (None, ""):  # run as `python eval/judge_check.py`
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from tqdm import tqdm  # noqa: E402

from eval.convert import HALUEVAL_DIR, halueval_pairs  # noqa: E402
from eval.engine import build_judge, load_settings  # noqa: E402
from eval.faithfulness import DEFAULT, claim_supported, faithfulness  # noqa: E402
from eval.judge import JudgeFailure  # noqa: E402
from eval.logprob_judge import LogprobJudge  # noqa: E402
from eval.pairs import LabelledPair, load_pairs  # noqa: E402
from eval.stats import accuracy, auroc, bootstrap_interval  # noqa: E402
from eval.support import LEXICAL_THRESHOLD, content_word_score, lexical_score  # noqa: E402
from rag import Rag  # noqa: E402

LABELLED_PATH = Path(__file__).resolve().parent / "labelled" / "claims.jsonl"

Scorer = Callable[[str, Sequence[str]], float]


def model_free_signals() -> dict[str, Scorer]:
    return {"lexical": lexical_score, "content_words": content_word_score}


def _model_free_scores(pairs: Sequence[LabelledPair]) -> dict[str, tuple[list[float | None], float]]:
    # signal -> (score per pair, threshold); `claims_supported`: share of claims the eval's claim verdict
    # accepts (all of them, for "supported")
    results = [faithfulness(p.claim, p.passages, question=p.question or None) for p in pairs]
    shares: list[float | None] = [
        sum(claim_supported(c) for c in r.claims) / len(r.claims) if r.claims else 0.0 for r in results
    ]
    out: dict[str, tuple[list[float | None], float]] = {
        "faithfulness": ([r.score for r in results], DEFAULT.threshold),
        "claims_supported": (shares, 1.0),
    }
    for name, scorer in model_free_signals().items():
        out[name] = ([scorer(p.claim, p.passages) for p in pairs], LEXICAL_THRESHOLD)
    return out


def signal_quality(
    scores: Sequence[float | None], labels: Sequence[bool], threshold: float, kinds: Sequence[str] = ()
) -> dict[str, Any]:
    """Accuracy (at `threshold`) and AUROC of one signal; None scores are failures, left out and counted.

    Args:
        scores: The signal's score per pair (None: no verdict).
        labels: True for a supported pair.
        threshold: Scores at or above it are read as "supported".
        kinds: The hallucination kind per pair, for a per-kind accuracy.

    Returns:
        {"n", "failures", "accuracy", "accuracy_ci", "auroc", "auroc_ci", "threshold", "accuracy_by_kind"}
        (the intervals: bootstrap 95 %).
    """
    kept = [
        (s, y, k)
        for s, y, k in zip(scores, labels, kinds or [""] * len(labels), strict=True)
        if s is not None
    ]
    s = [float(x[0]) for x in kept]
    y = [x[1] for x in kept]
    by_kind: dict[str, list[bool]] = {}
    for score, label, kind in kept:
        by_kind.setdefault(kind or "all", []).append((score >= threshold) == label)
    ci = bootstrap_interval(s, y, threshold)
    return {
        "n": len(kept),
        "failures": len(scores) - len(kept),
        "threshold": threshold,
        "accuracy": accuracy([v >= threshold for v in s], y),
        "accuracy_ci": ci["accuracy"],
        "auroc": auroc(s, y),
        "auroc_ci": ci["auroc"],
        "accuracy_by_kind": {k: sum(v) / len(v) for k, v in sorted(by_kind.items())},
    }


def check_signals(
    pairs: Sequence[LabelledPair], *, judge: Any | None = None, judge_limit: int | None = None
) -> dict[str, Any]:
    """Every signal's quality on `pairs`; the LLM judge (if any) on an evenly spread subset of `judge_limit`.

    Args:
        pairs: Labelled pairs.
        judge: An `eval.judge.LlmJudge` (signal `llm_judge`), an `eval.logprob_judge.LogprobJudge`
            (signal `llm_logprob`), or None.
        judge_limit: How many pairs the judge sees (None: all).

    Returns:
        {"n": int, "signals": {name: quality}}; with a judge also "judge_subset": the model-free signals on
        the pairs the judge saw.
    """
    labels = [p.supported for p in pairs]
    kinds = [p.kind for p in pairs]
    out: dict[str, Any] = {
        "n": len(pairs),
        "positives": sum(labels),
        "faithfulness_calibration": {"fitted_on": DEFAULT.fitted_on, "threshold": DEFAULT.threshold},
        "signals": {},
    }
    for name, (scores, threshold) in _model_free_scores(pairs).items():
        out["signals"][name] = signal_quality(scores, labels, threshold, kinds)
    if judge is not None:
        subset = list(pairs)
        if judge_limit is not None and judge_limit < len(pairs):
            step = len(pairs) / judge_limit
            subset = [pairs[int(i * step)] for i in range(judge_limit)]
        verdicts: list[float | None] = []
        ask = getattr(judge, "p_yes", None) or judge.supports
        signal = "llm_logprob" if hasattr(judge, "p_yes") else "llm_judge"
        for pair in _progress(subset, signal):
            try:
                verdicts.append(float(ask(pair.claim, list(pair.passages))))
            except JudgeFailure:
                verdicts.append(None)
        sub_labels = [p.supported for p in subset]
        sub_kinds = [p.kind for p in subset]
        out["signals"][signal] = signal_quality(verdicts, sub_labels, 0.5, sub_kinds)
        out["signals"][signal]["judge"] = judge.stats()
        out["judge_subset"] = {
            name: signal_quality(scores, sub_labels, threshold)
            for name, (scores, threshold) in _model_free_scores(subset).items()
        }
    return out


def _progress(items: Sequence[Any], desc: str) -> Any:
    return tqdm(items, desc=desc, unit="pair")


def format_table(title: str, result: dict[str, Any]) -> str:
    """A plain-text table of each signal's accuracy and AUROC."""
    lines = [
        f"{title}: {result['n']} pairs, {result['positives']} supported",
        f"  {'signal':<30}{'n':>6}{'fail':>6}{'accuracy':>10}{'95% CI':>16}{'AUROC':>8}{'95% CI':>16}",
    ]
    for name, q in result["signals"].items():
        acc = "-" if q["accuracy"] is None else f"{q['accuracy']:.3f}"
        roc = "-" if q["auroc"] is None else f"{q['auroc']:.3f}"
        lines.append(
            f"  {name:<30}{q['n']:>6}{q['failures']:>6}{acc:>10}{_ci(q.get('accuracy_ci')):>16}"
            f"{roc:>8}{_ci(q.get('auroc_ci')):>16}"
        )
    for name, q in result.get("judge_subset", {}).items():
        lines.append(
            f"  {name + ' (judge subset)':<30}{q['n']:>6}{q['failures']:>6}"
            f"{q['accuracy'] or 0:>10.3f}{q['auroc'] or 0:>8.3f}"
        )
    return "\n".join(lines)


def _ci(interval: Sequence[float] | None) -> str:
    return "-" if not interval else f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def run_checks(
    *,
    labelled: Path = LABELLED_PATH,
    halueval: Path | None = None,
    judge: Any | None = None,
    judge_limit: int | None = None,
    halueval_limit: int | None = None,
) -> dict[str, Any]:
    """The labelled-set check and, when `halueval` is a folder, the HaluEval check."""
    result: dict[str, Any] = {
        "labelled": {
            "path": str(labelled),
            **check_signals(load_pairs(labelled), judge=judge, judge_limit=judge_limit),
        }
    }
    if halueval is not None:
        pairs = halueval_pairs(halueval, limit=halueval_limit)
        result["halueval"] = {
            "path": str(halueval),
            **check_signals(pairs, judge=judge, judge_limit=judge_limit),
        }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """`python eval/judge_check.py`: print each signal's accuracy and AUROC; exit 0."""
    parser = argparse.ArgumentParser(prog="eval/judge_check.py", description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED_PATH, help="labelled pairs (.jsonl)")
    parser.add_argument(
        "--halueval",
        type=Path,
        nargs="?",
        const=HALUEVAL_DIR,
        default=None,
        help=f"also check on HaluEval QA (default folder {HALUEVAL_DIR})",
    )
    parser.add_argument("--halueval-limit", type=int, default=None, help="HaluEval questions to use")
    parser.add_argument(
        "--judge",
        choices=["none", "llm", "logprob"],
        default="none",
        help="llm: a JSON verdict; logprob: P(yes) from the logprobs",
    )
    parser.add_argument("--judge-base-url", default=None, help="default: the configured endpoint")
    parser.add_argument("--judge-model", default=None)
    parser.add_argument("--limit", type=int, default=None, help="pairs the LLM judge sees (it is slow)")
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = parser.parse_args(argv)
    judge: Any = None
    engine: Any = None
    if args.judge == "llm":
        settings = load_settings()
        engine = Rag(settings)
        judge = build_judge(settings, engine, base_url=args.judge_base_url, model=args.judge_model)
    elif args.judge == "logprob":
        settings = load_settings()
        engine = Rag(settings)
        base = build_judge(settings, engine, base_url=args.judge_base_url, model=args.judge_model)
        judge = LogprobJudge(base.base_url, base.model, seed=settings.seed, client=base._client)
    try:
        result = run_checks(
            labelled=args.labelled,
            halueval=args.halueval,
            judge=judge,
            judge_limit=args.limit,
            halueval_limit=args.halueval_limit,
        )
    finally:
        if engine is not None:
            engine.close()  # stops the embedded endpoint only if this process started it
    print(format_table("labelled claims", result["labelled"]))
    if "halueval" in result:
        print(format_table("HaluEval QA (right vs hallucinated answers)", result["halueval"]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
