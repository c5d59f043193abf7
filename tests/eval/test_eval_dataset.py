from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import DatasetError, Example, load_dataset, write_dataset

GOOD = {
    "id": "q1",
    "question": "When?",
    "answerable": True,
    "reference_answer": "1887",
    "reference_sources": ["a.md"],
}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_dataset__reads_optional_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    second = {
        **GOOD,
        "id": "q2",
        "answerable": False,
        "reference_answer": "",
        "reference_sources": [],
        "history": [{"role": "user", "content": "hi"}],
        "tags": ["x"],
    }
    examples = load_dataset(_write(tmp_path, json.dumps(GOOD), "", json.dumps(second)))
    assert [e.id for e in examples] == ["q1", "q2"]
    assert examples[1].history == ({"role": "user", "content": "hi"},) and examples[1].tags == ("x",)
    assert examples[0].references == ["1887"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "missing field 'question'"),
        (json.dumps({**GOOD, "answerable": "yes"}), "field 'answerable' must be bool"),
        (json.dumps({**GOOD, "reference_answer": ""}), "needs a non-empty 'reference_answer'"),
        (json.dumps({**GOOD, "reference_sources": "a.md"}), "field 'reference_sources' must be list"),
        (json.dumps({**GOOD, "history": [{"role": "system", "content": "x"}]}), "history[0]"),
        (json.dumps({**GOOD, "extra": 1}), "unknown field"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_load_dataset__bad_line_error_names_file_line_and_problem(
    tmp_path: Path, line: str, message: str
) -> None:
    path = _write(tmp_path, json.dumps(GOOD), line)
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert f"{path}:2:" in str(err.value)
    assert message in str(err.value)


def test_load_dataset__repeated_id_and_empty_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="repeats line 1"):
        load_dataset(_write(tmp_path, json.dumps(GOOD), json.dumps(GOOD)))
    with pytest.raises(DatasetError, match="empty"):
        load_dataset(_write(tmp_path, ""))
    with pytest.raises(DatasetError, match="no such dataset"):
        load_dataset(tmp_path / "missing.jsonl")


def test_write_dataset__round_trips(tmp_path: Path) -> None:
    ex = Example("a", "Q?", True, "A", ("f.md",), alternative_answers=("B",))
    write_dataset(tmp_path / "x.jsonl", [ex])
    assert load_dataset(tmp_path / "x.jsonl") == [ex]
