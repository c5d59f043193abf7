"""Evaluation datasets: one JSON object a line, validated on load.

Fields: `id` (str), `question` (str), `answerable` (bool), `reference_answer` (str, may be empty when
unanswerable), `reference_sources` (list of paths relative to the corpus), optional `history` (list of
{"role", "content"}), optional `tags` (list of str), optional `alternative_answers` (more gold answers, e.g.
SQuAD's crowd variants; correctness takes the best).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


class DatasetError(ValueError):
    """A dataset line that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    answerable: bool
    reference_answer: str = ""
    reference_sources: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    alternative_answers: tuple[str, ...] = field(default=())

    @property
    def references(self) -> list[str]:
        """Every gold answer: the reference first, then the alternatives."""
        return [a for a in (self.reference_answer, *self.alternative_answers) if a]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("reference_sources", "history", "tags", "alternative_answers"):
            d[key] = list(d[key])
        if not d["alternative_answers"]:
            del d["alternative_answers"]
        return d


_REQUIRED = {
    "id": str,
    "question": str,
    "answerable": bool,
    "reference_answer": str,
    "reference_sources": list,
}
_OPTIONAL = {"history": list, "tags": list, "alternative_answers": list}


def parse_example(obj: Any) -> Example:
    """Validate one decoded JSON value and build an `Example`; raises ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
        if key not in obj:
            if key in _REQUIRED:
                raise ValueError(f"missing field {key!r}")
            continue
        if not isinstance(obj[key], kind):
            raise ValueError(f"field {key!r} must be {kind.__name__}, got {type(obj[key]).__name__}")
    unknown = set(obj) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    if not obj["id"].strip():
        raise ValueError("field 'id' is empty")
    if not obj["question"].strip():
        raise ValueError("field 'question' is empty")
    if obj["answerable"] and not obj["reference_answer"].strip():
        raise ValueError("an answerable question needs a non-empty 'reference_answer'")
    for key in ("reference_sources", "tags", "alternative_answers"):
        if not all(isinstance(v, str) for v in obj.get(key, [])):
            raise ValueError(f"field {key!r} must be a list of strings")
    history = obj.get("history", [])
    for i, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or set(turn) != {"role", "content"}
            or turn["role"] not in ("user", "assistant")
            or not isinstance(turn["content"], str)
        ):
            raise ValueError(f"history[{i}] must be {{'role': 'user'|'assistant', 'content': str}}")
    return Example(
        id=obj["id"],
        question=obj["question"],
        answerable=obj["answerable"],
        reference_answer=obj["reference_answer"],
        reference_sources=tuple(obj["reference_sources"]),
        history=tuple(dict(t) for t in history),
        tags=tuple(obj.get("tags", [])),
        alternative_answers=tuple(obj.get("alternative_answers", [])),
    )


def load_dataset(path: Path) -> list[Example]:
    """Read and validate a JSON Lines dataset (blank lines are skipped).

    Args:
        path: The .jsonl file.

    Returns:
        The examples in file order.

    Raises:
        DatasetError: naming the file and line of the first bad line, or a repeated id.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    examples: list[Example] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                example = parse_example(json.loads(line))
            except json.JSONDecodeError as err:
                raise DatasetError(
                    f"{path}:{lineno}: invalid JSON ({err.msg} at column {err.colno})"
                ) from err
            except ValueError as err:
                raise DatasetError(f"{path}:{lineno}: {err}") from err
            if example.id in seen:
                raise DatasetError(f"{path}:{lineno}: id {example.id!r} repeats line {seen[example.id]}")
            seen[example.id] = lineno
            examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: the dataset is empty")
    return examples


def write_dataset(path: Path, examples: Iterable[Example]) -> int:
    """Write examples as JSON Lines; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count
