"""How well a score separates labelled items: accuracy at a threshold, AUROC, and bootstrap intervals of
both. The faithfulness signals are judged by these (`eval/judge_check.py`) and calibrated with them
(`eval/calibrate.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve: the probability that a random positive scores above a random negative.

    Ties count one half (the Mann-Whitney U statistic).

    Args:
        scores: A score per item; higher means "more likely positive".
        labels: True for a positive item.

    Returns:
        A value in [0, 1], or None when either class is empty.
    """
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} scores but {len(labels)} labels")
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))


def accuracy(predictions: Sequence[bool], labels: Sequence[bool]) -> float | None:
    """Share of predictions equal to their labels (None when there are none)."""
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions but {len(labels)} labels")
    if not labels:
        return None
    return sum(p == y for p, y in zip(predictions, labels, strict=True)) / len(labels)


def fast_auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """`auroc` by ranks (ties share their mean rank): the same value in O(n log n), for resampling."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    return _ranked_auroc(s, y)


def _ranked_auroc(s: Any, y: Any) -> float | None:
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if not n_pos or not n_neg:
        return None
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    mean_rank = upper - (counts - 1) / 2  # 1-based mean rank of each distinct value
    ranks = mean_rank[inverse]
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def bootstrap_interval(
    scores: Sequence[float],
    labels: Sequence[bool],
    threshold: float,
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, list[float] | None]:
    """Percentile bootstrap intervals of AUROC and of accuracy at `threshold` (pairs resampled with
    replacement, a fixed seed so a report is reproducible).

    Args:
        scores: A score per item.
        labels: True for a positive item.
        threshold: Scores at or above it count as positive, for the accuracy.
        resamples: Bootstrap resamples.
        seed: The resampling seed.
        level: The interval's coverage.

    Returns:
        {"auroc": [low, high] | None, "accuracy": [low, high] | None}.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    if not len(s):
        return {"auroc": None, "accuracy": None}
    rng = np.random.default_rng(seed)
    aurocs, accs = [], []
    for _ in range(resamples):
        idx = rng.integers(0, len(s), len(s))
        accs.append(float(((s[idx] >= threshold) == y[idx]).mean()))
        a = _ranked_auroc(s[idx], y[idx])
        if a is not None:
            aurocs.append(a)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100

    def interval(values: list[float]) -> list[float] | None:
        if not values:
            return None
        return [round(float(np.percentile(values, lo)), 4), round(float(np.percentile(values, hi)), 4)]

    return {"auroc": interval(aurocs), "accuracy": interval(accs)}
