"""From per-question records to the run's numbers: averages, latency percentiles, the delta against a baseline
report, and the `--fail-under` gate. Pure functions over plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eval.metrics import mean, percentile
from eval.scoring import METRICS


def aggregate(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """Mean of each metric over the questions where it applies, with how many that was.

    Args:
        records: Per-question records, each with a "metrics" dict (an errored question has an empty one and
            counts 0 in `answered_rate`).

    Returns:
        {metric: {"mean": float | None, "n": int}} for every metric any record holds.
    """
    names = [m for m in METRICS if m == "answered_rate" or any(m in r["metrics"] for r in records)]
    out: dict[str, dict[str, float | int | None]] = {}
    for name in names:
        values = [r["metrics"].get(name) for r in records]
        if name == "answered_rate":
            values = [1.0 if r.get("error") is None else 0.0 for r in records]
        defined = [v for v in values if v is not None]
        out[name] = {"mean": mean(defined), "n": len(defined)}
    return out


def latency(
    records: Iterable[Mapping[str, Any]], *, fresh_only: bool = True
) -> dict[str, dict[str, float | None]]:
    """p50/p95 seconds per stage of `Answer.timings`; cached answers left out if `fresh_only`.

    Returns:
        {stage: {"p50", "p95", "n"}}.
    """
    by_stage: dict[str, list[float]] = {}
    for r in records:
        if fresh_only and r.get("cached"):
            continue
        for stage, seconds in (r.get("timings") or {}).items():
            if isinstance(seconds, int | float):
                by_stage.setdefault(stage, []).append(float(seconds))
    return {
        stage: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": len(v)}
        for stage, v in by_stage.items()
    }


def context_size(records: Iterable[Mapping[str, Any]]) -> dict[str, float | int | None]:
    """How much text the model is given per question: the characters of all its passages together.

    Returns:
        {"chars_p50", "chars_p95", "n"} over the questions that got passages.
    """
    sizes = [
        float(sum(len(p.get("text") or "") for p in r["passages"]))
        for r in records
        if r.get("error") is None and r.get("passages")
    ]
    return {"chars_p50": percentile(sizes, 50), "chars_p95": percentile(sizes, 95), "n": len(sizes)}


def baseline_delta(
    current: Mapping[str, Mapping[str, Any]], baseline: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, float | None]]:
    """Per metric: current mean, baseline mean and current − baseline (None where either is missing)."""
    out = {}
    for name in [m for m in METRICS if m in current or m in baseline]:
        cur = (current.get(name) or {}).get("mean")
        base = (baseline.get(name) or {}).get("mean")
        delta = cur - base if cur is not None and base is not None else None
        out[name] = {"current": cur, "baseline": base, "delta": delta}
    return out


def parse_threshold(text: str) -> tuple[str, float]:
    """ "faithfulness=0.7" -> ("faithfulness", 0.7); raises ValueError naming what is wrong."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise ValueError(f"{text!r}: expected METRIC=VALUE, e.g. faithfulness=0.7")
    if name not in METRICS:
        raise ValueError(f"{text!r}: unknown metric {name!r}; one of {', '.join(METRICS)}")
    try:
        threshold = float(value)
    except ValueError:
        raise ValueError(f"{text!r}: {value!r} is not a number") from None
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"{text!r}: thresholds are within 0..1")
    return name, threshold


def gate(current: Mapping[str, Mapping[str, Any]], thresholds: Iterable[tuple[str, float]]) -> list[str]:
    """One line per metric below its threshold (a metric not measured in this run fails too).

    Returns:
        Lines like "FAIL faithfulness = 0.612 < 0.700"; empty when every threshold is met.
    """
    failures = []
    for name, threshold in thresholds:
        value = (current.get(name) or {}).get("mean")
        if value is None:
            failures.append(f"FAIL {name}: not measured in this run (threshold {threshold:.3f})")
        elif value < threshold:
            failures.append(f"FAIL {name} = {value:.3f} < {threshold:.3f}")
    return failures
