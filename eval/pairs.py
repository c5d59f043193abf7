"""Labelled (passages, claim) pairs: the format of `eval/labelled/*.jsonl`, read and written.

One pair per line: `{"id", "passages", "claim", "supported", "kind"?, "question"?, "group"?}`. The
converters (`eval/convert.py`) and the perturbation generator (`eval/perturb.py`) write them; the signal
check (`eval/judge_check.py`), the calibration (`eval/calibrate.py`) and the benchmarks read them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelledPair:
    id: str
    passages: tuple[str, ...]
    claim: str
    supported: bool
    kind: str = ""
    question: str = ""
    """The question the claim answers, when known (the support windows then read it)."""
    group: str = ""
    """What keeps related pairs on one side of a split (MTRAG: the conversation)."""


def load_pairs(path: Path) -> list[LabelledPair]:
    """Read labelled pairs from a .jsonl file.

    Args:
        path: One pair per line; blank lines are skipped.

    Returns:
        The pairs in file order.

    Raises:
        ValueError: A line that is not a pair, naming the file and line.
    """
    pairs = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            passages = obj["passages"]
            if not isinstance(passages, list) or not all(isinstance(p, str) for p in passages):
                raise ValueError("'passages' must be a list of strings")
            if not isinstance(obj["supported"], bool) or not isinstance(obj["claim"], str):
                raise ValueError("'claim' must be a string and 'supported' a bool")
            pairs.append(
                LabelledPair(
                    str(obj["id"]),
                    tuple(passages),
                    obj["claim"],
                    obj["supported"],
                    obj.get("kind", ""),
                    obj.get("question", ""),
                    obj.get("group", ""),
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{lineno}: {err}") from err
    return pairs


def write_pairs(path: Path, pairs: Sequence[LabelledPair]) -> None:
    """Write labelled pairs as .jsonl, the optional fields only when set.

    Args:
        path: The file to write (its folder is created).
        pairs: The pairs, written in order.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in pairs:
            obj: dict[str, object] = {
                "id": p.id,
                "passages": list(p.passages),
                "claim": p.claim,
                "supported": p.supported,
                "kind": p.kind,
            }
            if p.question:
                obj["question"] = p.question
            if p.group:
                obj["group"] = p.group
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
