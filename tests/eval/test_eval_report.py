from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from evalcases import BAKERY, BRIDGE, sources

from eval.aggregate import aggregate, baseline_delta, context_size, gate, latency, parse_threshold
from eval.dataset import Example
from eval.record import make_record
from eval.run import assemble, finish, main
from eval.scoring import score_answer

EXAMPLES = [
    Example("good", "When was the Harrow Bridge completed?", True, "1887", ("doc1.md",)),
    Example("bad <script>alert(1)</script>", "Who founded the bakery?", True, "Mirela Ost", ("doc2.md",)),
    Example("none", "What is the capital of Mars?", False),
]
ANSWERS: list[dict[str, Any]] = [
    {
        "text": "The Harrow Bridge was completed in 1887 [1].",
        "sources": sources(BRIDGE, BAKERY),
        "refused": False,
        "timings": {"retrieve": 0.1, "generate": 2.0, "total": 2.2},
        "model": "tiny-model",
    },
    {
        "text": "Pavel Ost founded the bakery in 1999 [2]. <b>It sells cakes</b> [1].",
        "sources": sources(BRIDGE, BAKERY),
        "refused": False,
        "timings": {"retrieve": 0.3, "generate": 4.0, "total": 4.5},
        "model": "tiny-model",
    },
    {
        "text": "The documents do not say.",
        "sources": [],
        "refused": True,
        "timings": {"retrieve": 0.2, "total": 0.2},
    },
]


def _report() -> dict[str, Any]:
    records = [
        make_record(e, a, score_answer(e, a, k=4), cached=False, error=None)
        for e, a in zip(EXAMPLES, ANSWERS, strict=True)
    ]
    meta = {
        "mode": "ask",
        "dataset": {"path": "hand-made", "n": 3},
        "settings": {"top_k": 4},
        "models": {"llm": "tiny-model", "embedder": "e", "judge": None},
        "corpus": {"dir": "c", "fingerprint": "f", "collection": "x", "index": None},
        "judge": None,
        "judge_check": {},
        "cache": {"dir": "d", "hits": 0, "misses": 3},
        "attribution": [],
    }
    return assemble(records, meta)


def test_aggregate__means_over_applicable_questions_only() -> None:
    report = _report()
    agg = report["aggregate"]
    assert agg["faithfulness"]["n"] == 2  # the refusal has no faithfulness
    good, bad = (q["metrics"]["faithfulness"] for q in report["questions"][:2])
    assert good >= 0.5 > bad
    assert agg["faithfulness_baseline"]["n"] == 2
    assert agg["refusal_accuracy"] == {"mean": 1.0, "n": 3}
    assert agg["correctness_f1"]["n"] == 2  # the unanswerable question has no correctness
    assert agg["retrieval_recall_at_k"] == {"mean": 1.0, "n": 2}


def test_aggregate__errored_question_lowers_answered_rate() -> None:
    records = [
        {"metrics": {"answered_rate": 1.0}, "error": None},
        {"metrics": {}, "error": "EndpointTimeout: x"},
    ]
    assert aggregate(records)["answered_rate"] == {"mean": 0.5, "n": 2}


def test_latency__p50_p95_per_stage_from_fresh_answers() -> None:
    lat = latency(
        [{"timings": {"total": t}, "cached": False} for t in (1.0, 2.0, 3.0)]
        + [{"timings": {"total": 100.0}, "cached": True}]
    )
    assert lat["total"]["p50"] == 2.0 and lat["total"]["n"] == 3
    assert lat["total"]["p95"] == pytest.approx(2.9)


def test_write_reports__json_md_and_self_contained_escaped_html(tmp_path: Path) -> None:
    assert finish(_report(), tmp_path) == 0
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["questions"][1]["claims"][0]["supported"] is False
    assert data["corpus"]["fingerprint"] == "f" and data["models"]["llm"] == "tiny-model"
    md = (tmp_path / "report.md").read_text()
    assert f"| faithfulness | {data['aggregate']['faithfulness']['mean']:.3f} | 2 |" in md
    assert "| faithfulness_baseline |" in md
    assert "unsupported: “Pavel Ost founded the bakery in 1999.”" in md
    html = (tmp_path / "report.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;It sells cakes&lt;/b&gt;" in html
    assert re.search(r"src='data:image/png;base64,[A-Za-z0-9+/=]{100,}'", html)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from elsewhere
    # the unsupported claim is shown next to the passage it cites
    assert "Pavel Ost founded the bakery in 1999." in html and "Mirela Ost started the Ost bakery" in html
    # ... with the check it failed and the nearest passage sentence
    assert "failed: numbers not in the nearest window: 1999" in html
    assert 'class="nearest">nearest sentence [2]: Mirela Ost started' in html


def test_finish__fail_under_exits_1_naming_metric_value_and_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = finish(_report(), tmp_path, thresholds=[("faithfulness", 0.9), ("refusal_accuracy", 0.9)])
    assert code == 1
    out = capsys.readouterr().out
    mean = json.loads((tmp_path / "report.json").read_text())["aggregate"]["faithfulness"]["mean"]
    assert f"FAIL faithfulness = {mean:.3f} < 0.900" in out
    assert "refusal_accuracy" not in [line.split()[1] for line in out.splitlines() if line.startswith("FAIL")]
    assert json.loads((tmp_path / "report.json").read_text())["gate"]["failures"] == [
        f"FAIL faithfulness = {mean:.3f} < 0.900"
    ]
    assert finish(_report(), tmp_path, thresholds=[("faithfulness", 0.4)]) == 0


def test_finish__baseline_delta_per_metric(tmp_path: Path) -> None:
    baseline = {"aggregate": {"faithfulness": {"mean": 0.75, "n": 4}, "mrr": {"mean": 1.0, "n": 4}}}
    finish(_report(), tmp_path, baseline=baseline, baseline_path=Path("old.json"))
    delta = json.loads((tmp_path / "report.json").read_text())["baseline"]["delta"]
    now = delta["faithfulness"]["current"]
    assert delta["faithfulness"] == {"current": now, "baseline": 0.75, "delta": pytest.approx(now - 0.75)}
    assert delta["mrr"]["delta"] == -0.25  # doc2.md is ranked second for the second question
    md = (tmp_path / "report.md").read_text()
    assert f"| faithfulness | {now:.3f} | 2 | 0.750 | {now - 0.75:+.3f} |" in md


def test_baseline_delta__missing_on_either_side_is_none() -> None:
    d = baseline_delta({"faithfulness": {"mean": 0.5}}, {"mrr": {"mean": 0.2}})
    assert d["faithfulness"]["delta"] is None and d["mrr"]["current"] is None


def test_gate__unmeasured_metric_fails() -> None:
    assert gate({}, [("mrr", 0.1)]) == ["FAIL mrr: not measured in this run (threshold 0.100)"]


def test_parse_threshold__validates_name_and_value() -> None:
    assert parse_threshold("faithfulness=0.7") == ("faithfulness", 0.7)
    for bad in ("faithfulness", "nope=0.5", "mrr=abc", "mrr=7"):
        with pytest.raises(ValueError):
            parse_threshold(bad)


def test_main__bad_fail_under_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as err:
        main(["--fail-under", "speed=0.5"])
    assert err.value.code == 2


def test_main__bad_dataset_returns_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "x"}\n')
    assert main(["--dataset", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"{path}:1: missing field 'question'" in capsys.readouterr().err


class _DyingAsker:
    """An endpoint that times out or has gone away: cannot be had for real in a test."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, example: Example) -> Any:
        raise self.error


def test_answer_and_score__a_timeout_is_recorded_and_counted_not_scored() -> None:
    from eval.record import answer_and_score
    from rag import EndpointTimeout

    asker = _DyingAsker(EndpointTimeout("no answer within 120 s", url="http://x/v1"))
    record = answer_and_score(EXAMPLES[0], None, asker, None, 4, False)
    assert record["error"] == "EndpointTimeout: no answer within 120 s" and record["metrics"] == {}
    assert aggregate([record])["answered_rate"] == {"mean": 0.0, "n": 1}


def test_answer_and_score__an_unavailable_endpoint_stops_the_run() -> None:
    from eval.record import answer_and_score
    from rag import EndpointUnavailable

    with pytest.raises(EndpointUnavailable):
        answer_and_score(EXAMPLES[0], None, _DyingAsker(EndpointUnavailable("down", url="u")), None, 4, False)


def test_context_size__median_of_the_characters_each_question_was_given() -> None:
    def record(*texts: str, error: str | None = None) -> dict[str, Any]:
        return {"passages": [{"text": t} for t in texts], "error": error}

    records = [record("ab", "cd"), record("abcdef"), record("a" * 10), record("x" * 99, error="Timeout")]
    got = context_size(records)
    assert got["n"] == 3 and got["chars_p50"] == 6.0  # 4, 6, 10: the errored question is left out
