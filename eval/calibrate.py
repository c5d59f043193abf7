"""Fit the faithfulness combination on one labelled set and report it on the others.

A class-balanced logistic regression (numpy, Newton steps, a little L2) on a few of the signals of
`eval.faithfulness.answer_features`; balanced classes make 0.5 the threshold, so no threshold is tuned. The
sets: MTRAG's human ratings split in two halves by a hash of the conversation id (`mtrag_a`, `mtrag_b`), the
perturbed corpus pairs (`eval/labelled/perturbed.jsonl`), the perturbed SQuAD pairs (`perturbed_squad`, made
on demand), the hand-written pairs (`claims.jsonl`) and HaluEval QA
with the question prefixed. A set used to fit is never reported as evidence for itself.

    python eval/calibrate.py [--fit mtrag_a] [--features answer_words,window_min,...] [--out FILE.json]
"""

from __future__ import annotations

if __package__ in (None, ""):  # run as `python eval/calibrate.py`
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from eval.convert import HALUEVAL_DIR, MTRAG_PATH, SQUAD_PATH, half, halueval_pairs, mtrag_pairs  # noqa: E402
from eval.faithfulness import DEFAULT, Calibration, Similarity, answer_features  # noqa: E402
from eval.judge_check import LABELLED_PATH  # noqa: E402
from eval.pairs import LabelledPair, load_pairs  # noqa: E402
from eval.perturb import generate  # noqa: E402
from eval.stats import bootstrap_interval, fast_auroc  # noqa: E402

PERTURBED_PATH = LABELLED_PATH.parent / "perturbed.jsonl"


def logistic_fit(x: Any, y: Any, *, l2: float = 0.1, steps: int = 50) -> tuple[Any, float]:
    """Weights and bias of a class-balanced, L2-penalised logistic regression (Newton's method).

    Args:
        x: (n, d) features.
        y: (n,) booleans, True = supported.
        l2: Penalty on the weights (not the bias).
        steps: Newton steps.

    Returns:
        (weights of shape (d,), bias).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = x.shape
    pos = max(1.0, y.sum())
    neg = max(1.0, n - y.sum())
    sample = np.where(y > 0, n / (2 * pos), n / (2 * neg))
    xb = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ theta, -30, 30)))
        grad = xb.T @ (sample * (p - y)) / n + penalty @ theta
        hess = (xb.T * (sample * p * (1 - p))) @ xb / n + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:d], float(theta[d])


def labelled_sets(*, halueval_limit: int | None = 300) -> dict[str, list[LabelledPair]]:
    """Every labelled set that is present, by name."""
    sets: dict[str, list[LabelledPair]] = {}
    if MTRAG_PATH.is_file():
        mtrag = mtrag_pairs(MTRAG_PATH)
        sets["mtrag_a"] = [p for p in mtrag if half(p.group) == "a"]
        sets["mtrag_b"] = [p for p in mtrag if half(p.group) == "b"]
    if PERTURBED_PATH.is_file():
        sets["perturbed"] = load_pairs(PERTURBED_PATH)
    if SQUAD_PATH.is_file():
        sets["perturbed_squad"] = generate("squad")
    sets["hand_written"] = load_pairs(LABELLED_PATH)
    if HALUEVAL_DIR.is_dir():
        sets["halueval_with_question"] = halueval_pairs(
            HALUEVAL_DIR, limit=halueval_limit, with_question=True
        )
    return sets


def feature_rows(
    pairs: Sequence[LabelledPair], *, similarity: Similarity | None = None
) -> list[dict[str, float]]:
    return [
        answer_features(p.claim, p.passages, question=p.question or None, similarity=similarity)[0]
        for p in pairs
    ]


def fit_calibration(
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
    *,
    fitted_on: str,
    digits: int = 1,
) -> Calibration:
    """A `Calibration` fitted on `rows`, weights rounded to `digits` decimals, threshold 0.5."""
    x = np.array([[r[n] for n in names] for r in rows])
    w, b = logistic_fit(x, np.array(labels))
    return Calibration(
        weights={n: round(float(v), digits) for n, v in zip(names, w, strict=True)},
        bias=round(b, digits),
        threshold=0.5,
        fitted_on=fitted_on,
    )


def quality(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> dict[str, Any]:
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    ci = bootstrap_interval(scores, labels, threshold)
    return {
        "n": len(s),
        "auroc": fast_auroc(scores, labels),
        "auroc_ci": ci["auroc"],
        "accuracy": float(((s >= threshold) == y).mean()) if len(s) else None,
        "accuracy_ci": ci["accuracy"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python eval/calibrate.py`: fit on one set, print every set's AUROC for each signal; returns 0."""
    parser = argparse.ArgumentParser(prog="eval/calibrate.py", description=__doc__.splitlines()[0])
    parser.add_argument("--fit", default="mtrag_a", help="the set to fit on ('default': keep DEFAULT)")
    parser.add_argument("--features", default=",".join(DEFAULT.weights))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    sets = labelled_sets()
    rows = {name: feature_rows(pairs) for name, pairs in sets.items()}
    labels = {name: [p.supported for p in pairs] for name, pairs in sets.items()}
    names = args.features.split(",")
    if args.fit == "default":
        cal = DEFAULT
    else:
        fit_names = args.fit.split("+")
        cal = fit_calibration(
            [r for f in fit_names for r in rows[f]],
            [y for f in fit_names for y in labels[f]],
            names,
            fitted_on=args.fit,
        )
    print(
        f"fitted on {cal.fitted_on}: weights {dict(cal.weights)}, bias {cal.bias}, threshold {cal.threshold}"
    )
    result: dict[str, Any] = {"calibration": {**vars(cal), "weights": dict(cal.weights)}, "sets": {}}
    for name in sets:
        scores = [cal.score(r) for r in rows[name]]
        baseline = [r["answer_words"] for r in rows[name]]
        q, b = quality(scores, labels[name], cal.threshold), quality(baseline, labels[name], 0.7)
        singles = {f: fast_auroc([r[f] for r in rows[name]], labels[name]) for f in rows[name][0]}
        mark = " (fit)" if name in cal.fitted_on.split("+") else ""
        print(
            f"{name + mark:<28} n {q['n']:>4}  score AUROC {q['auroc']:.3f} {q['auroc_ci']}"
            f" acc {q['accuracy']:.3f}"
            f" | baseline {b['auroc']:.3f} {b['auroc_ci']} acc {b['accuracy']:.3f}"
        )
        print("    " + "  ".join(f"{f} {v:.3f}" for f, v in singles.items() if v is not None))
        by_kind: dict[str, list[bool]] = {}
        for score, pair in zip(scores, sets[name], strict=True):
            by_kind.setdefault(pair.kind or "all", []).append((score >= cal.threshold) == pair.supported)
        caught = {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())}
        if len(caught) > 1 and name != "mtrag_a" and name != "mtrag_b":
            print(f"    accuracy by kind: {caught}")
        result["sets"][name] = {
            "faithfulness": {**q, "accuracy_by_kind": caught},
            "content_words": b,
            "single_signals": singles,
        }
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
