"""The harness against the real engine: the bundled embedder, embedded Chroma and the embedded llama.cpp
endpoint, on the project's corpus and dataset (and on SQuAD for retrieval). Needs the core installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.convert import SQUAD_PATH, squad_to_corpus
from eval.run import main

rag = pytest.importorskip("rag")


def _report(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(not SQUAD_PATH.is_file(), reason="the shared SQuAD sample is not on this machine")
def test_run__retrieval_only_on_a_squad_corpus_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))  # its own index; no model is needed
    corpus, dataset, _ = squad_to_corpus(SQUAD_PATH, tmp_path / "squad")
    out = tmp_path / "out"
    args = ["--corpus", str(corpus), "--dataset", str(dataset), "--retrieval-only", "--limit", "60",
            "--out", str(out), "--no-judge-check"]  # fmt: skip
    assert main([*args, "--fail-under", "retrieval_recall_at_k=0.3"]) == 0
    report = _report(out)
    assert report["mode"] == "retrieval-only" and report["errors"] == 0
    assert report["corpus"]["index"]["added"] == 87
    assert report["corpus"]["collection"].startswith("eval_corpus_")
    agg = report["aggregate"]
    assert agg["retrieval_recall_at_k"]["n"] == sum(q["answerable"] for q in report["questions"])
    assert 0.3 <= agg["retrieval_recall_at_k"]["mean"] <= 1.0
    assert agg["mrr"]["mean"] <= agg["retrieval_recall_at_k"]["mean"]
    assert "faithfulness" not in agg  # nothing generated, nothing to judge
    for name in ("answer_in_context_at_1", "answer_in_context_at_k", "answer_in_context_at_10"):
        assert agg[name]["n"] == agg["retrieval_recall_at_k"]["n"]  # every answerable question, each depth
    assert agg["answer_in_context_at_1"]["mean"] <= agg["answer_in_context_at_10"]["mean"]
    assert report["context"]["n"] == 60 and report["context"]["chars_p50"] > 0
    # a second run indexes nothing new
    assert main([*args, "--limit", "5"]) == 0
    assert _report(out)["corpus"]["index"]["unchanged"] == 87


def test_run__end_to_end_on_the_project_corpus_then_from_cache(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, llm_endpoint
) -> None:
    """The CI slice of the eval: three questions through the real engine and endpoint, then from cache."""
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RAG_LLM_BASE_URL", llm_endpoint.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", llm_endpoint.model)
    cache = tmp_path / "cache"
    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--limit", "3", "--cache-dir", str(cache), "--no-judge-check"]
    assert main([*common, "--out", str(first)]) == 0
    report = _report(first)
    assert report["errors"] == 0 and report["cache"]["misses"] == 3
    assert len(report["questions"]) == 3 and report["models"]["llm"]
    for q in report["questions"]:
        assert q["answer"] and q["passages"]
        assert q["metrics"]["refusal_accuracy"] in (0.0, 1.0)
    assert report["latency"]["total"]["n"] == 3 and report["latency"]["total"]["p50"] > 0
    assert (first / "report.html").stat().st_size > 10_000  # charts embedded
    # Rerun: every answer from the cache, identical scores, and the baseline delta is zero.
    code = main([*common, "--out", str(second), "--baseline", str(first / "report.json"),
                 "--fail-under", "answered_rate=1.0"])  # fmt: skip
    assert code == 0
    again = _report(second)
    assert again["cache"]["hits"] == 3 and again["cache"]["misses"] == 0
    assert [q["metrics"] for q in again["questions"]] == [q["metrics"] for q in report["questions"]]
    assert all(d["delta"] in (0.0, None) for d in again["baseline"]["delta"].values())
    # A threshold on a metric this run did not measure (no judge) fails the gate with exit 1.
    assert main([*common, "--out", str(second), "--fail-under", "faithfulness_judge=0.1"]) == 1


def test_run__retrieval_only_searches_a_follow_up_with_its_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))  # its own index of corpus/; no model
    project_set = Path(__file__).resolve().parents[2] / "eval" / "datasets" / "corpus_qa.jsonl"
    lines = project_set.read_text(encoding="utf-8").splitlines()
    follow_ups = [line for line in lines if json.loads(line).get("history")]
    assert len(follow_ups) >= 5
    dataset = tmp_path / "follow_ups.jsonl"
    dataset.write_text("\n".join(follow_ups) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--dataset", str(dataset), "--retrieval-only", "--out", str(out), "--no-judge-check"]) == 0
    report = _report(out)
    for q, line in zip(report["questions"], follow_ups, strict=True):
        last_user = [t["content"] for t in json.loads(line)["history"] if t["role"] == "user"][-1]
        assert q["search_query"] in (q["question"], f"{last_user} {q['question']}")
    assert any(q["search_query"] != q["question"] for q in report["questions"])
    # alone, "And under which licence was it released?" found only the licences article (recall 0)
    assert report["aggregate"]["retrieval_recall_at_k"]["mean"] == 1.0
