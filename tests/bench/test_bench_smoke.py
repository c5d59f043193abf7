"""Every benchmark script runs end to end at a tiny size and prints its table.

Each test calls the script's `main(argv)` with the smallest sizes it takes, in a temporary folder, and checks
what it printed: the header and a row of numbers (never how fast, which a shared machine cannot promise).
The scripts that index `corpus/` get a three-document copy of it (`RAG_CORPUS_DIR`) so each indexes in
seconds; the ones that ask questions use the session's embedded endpoint. bench_context and
bench_faithfulness have their smoke tests beside their subjects (tests/test_bench_context.py,
tests/eval/test_eval_bench_faithfulness.py).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
NUMBER = r"-?\d+(?:\.\d+)?"
# the questions the smoke runs ask are about these (bench_ask: Mistral; ui_ttft: BLOOM; bench_models: any)
SMALL_CORPUS = ("mistral-ai.md", "falcon-tii.md", "bloom-bigscience.md")


def load(name: str) -> ModuleType:
    """Import bench/<name>.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def small_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in SMALL_CORPUS:
        shutil.copy(REPO / "corpus" / name, folder / name)
    monkeypatch.setenv("RAG_CORPUS_DIR", str(folder))
    return folder


@pytest.fixture
def endpoint_env(llm_endpoint, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAG_LLM_BASE_URL", llm_endpoint.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", llm_endpoint.model)


def lines_of(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_synthetic_corpus__writes_the_files_it_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load("synthetic_corpus").main([str(tmp_path / "out"), "--chunks", "60"]) == 0
    assert lines_of(capsys) == [f"wrote 2 files, 60 paragraphs, to {tmp_path / 'out'}"]
    files = sorted((tmp_path / "out").glob("projects-*.md"))
    assert len(files) == 2 and sum(f.read_text().count("\n## ") for f in files) == 60


def test_bench_retrieval_scale__reports_latency_and_recall_against_brute_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", "120", "--queries", "12", "--k", "4", "--work", str(tmp_path / "work")]
    assert load("bench_retrieval_scale").main(argv) == 0
    out = "\n".join(lines_of(capsys))
    assert re.search(rf"120 chunks: collection ready in {NUMBER} s, 12 queries", out), out
    assert re.search(rf"chroma query:  p50 {NUMBER} ms  p95 {NUMBER} ms", out), out
    recall = re.search(rf"recall@4 vs brute force: ({NUMBER}) by id", out)
    assert recall and 0 <= float(recall.group(1)) <= 1, out
    assert list((tmp_path / "work").glob("vectors-s0-*.npy"))  # the vectors are cached for the next run


def test_bench_ingest__indexes_a_synthetic_corpus_and_reports_the_ratios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load("bench_ingest").main(["--chunks", "40", "--queries", "4"]) == 0
    out = "\n".join(lines_of(capsys))
    assert re.search(r"chunks: \d+ from 1 files \(raw embedder timed on \d+\)", out), out
    assert "chunks indexed    RSS MB    Chroma dir MB" in out
    assert re.search(rf"full index:        {NUMBER} chunks/s in {NUMBER} s", out), out
    assert re.search(rf"unchanged reindex: {NUMBER} s = {NUMBER} % of full", out), out
    assert re.search(rf"dense   p50 +{NUMBER} ms  p95 +{NUMBER} ms", out), out


def test_bench_keyword_wait__times_the_first_question_each_way(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("bench_keyword_wait").main(["--chunks", "40", "--rounds", "1"]) == 0
    out = lines_of(capsys)
    assert "| keyword index | wait (ms) |" in out
    for label in ("off", "on, at once", "on, a moment later", "floor"):
        assert any(re.fullmatch(rf"\| {label} \| \d+ \|", line) for line in out), (label, out)


def test_bench_retrieval_quality__a_row_per_configuration(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--corpus", str(small_corpus), "--limit", "3", "--data-dir", str(tmp_path / "data")]
    assert load("bench_retrieval_quality").main(argv) == 0
    out = lines_of(capsys)
    assert any(
        re.fullmatch(rf"index before: \d+ chunks, {NUMBER} s \(\d+ embedded in this run\)", x) for x in out
    )
    assert "3 questions, top_k 4" in out
    assert any(line.startswith("| configuration | aic@1 |") for line in out), out
    for name in ("dense, before", "hybrid, before", "dense, now", "hybrid, now (default)"):
        row = next(line for line in out if line.startswith(f"| {name} |"))
        assert re.search(rf"\| {NUMBER} \|$", row), row  # the median retrieval time closes the row


def test_bench_ask__times_each_stage_of_one_question(
    small_corpus: Path, endpoint_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load("bench_ask").main(["--smoke"]) == 0
    out = lines_of(capsys)
    assert out[0].split() == ["question", "wall", "condense", "retrieve", "prompt", "generate", "verify"]
    assert re.fullmatch(rf"Under which licence was Mistral 7B released\? +{NUMBER}( +{NUMBER}){{5}}", out[1])
    assert any(re.fullmatch(rf"non-generation share: {NUMBER} %  \(goal <= 5 %\)", x) for x in out), out


def test_bench_models__scores_the_model_on_answerable_and_unanswerable_questions(
    small_corpus: Path, endpoint_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    model = "qwen2.5-coder-0.5b-instruct"
    assert load("bench_models").main(["--n", "2", "--models", model]) == 0
    (line,) = lines_of(capsys)
    assert re.fullmatch(
        rf"{model}: correct \d/\d answerable, refused \d/\d unanswerable, {NUMBER} s/question", line
    ), line


@pytest.mark.slow  # two answers through the page, each against the endpoint alone: minutes on 2 cores
def test_ui_ttft__page_and_endpoint_side_by_side(
    small_corpus: Path, endpoint_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))  # it indexes the configured data dir
    assert load("ui_ttft").main(["--rounds", "1"]) == 0
    out = "\n".join(lines_of(capsys))
    assert re.search(rf"\n +1 +{NUMBER}ms +{NUMBER}ms +[+-]{NUMBER}ms  How many parameters", out), out
    assert re.search(r"median of differences +[+-]\d+ ms", out), out


def test_bench_startup__times_each_light_command_and_finds_no_heavy_import(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load("bench_startup").main(["--runs", "1"]) == 0
    out = lines_of(capsys)
    assert out[0].split()[:3] == ["command", "median", "s"], out
    light = ("rag --help", "rag status (closed endpoint)", "rag status (embedded, not started)", "rag docs")
    for command in light:
        (row,) = [line for line in out if line.startswith(command + " ")]
        assert re.fullmatch(rf"{re.escape(command)} +{NUMBER} +{NUMBER}  -", row), row


def test_bench_question_signal__each_kind_and_each_signal_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "The Normans lived in Normandy. Rollo gave them a common identity. They spoke Norman French."
    qas = [
        {"id": "a", "question": "Who gave the Normans a common identity?", "is_impossible": False,
         "answers": [{"text": "Rollo", "answer_start": text.index("Rollo")}]},
        {"id": "b", "question": "Who took the common identity away from the Normans?", "is_impossible": True,
         "answers": [], "plausible_answers": [{"text": "Rollo", "answer_start": text.index("Rollo")}]},
    ]  # fmt: skip
    squad = tmp_path / "small.json"
    article = {"title": "Normans", "paragraphs": [{"context": text, "qas": qas}]}
    squad.write_text(json.dumps({"data": [article]}))
    assert load("bench_question_signal").main(["--squad", str(squad)]) == 0
    out = lines_of(capsys)
    assert out[0] == "2 questions: 1 answerable, 1 near-misses"
    assert re.fullmatch(rf"the decision lets the answering sentence stand: answerable {NUMBER}", out[1])
    assert re.fullmatch(rf"  near-misses refused {NUMBER}", out[2])
    for signal in ("question coverage \\(lexical\\)", "cosine question / window"):
        assert any(re.match(rf"{signal} +AUROC {NUMBER}", line) for line in out), (signal, out)


def test_bench_scripts__each_has_a_smoke_test_here_or_beside_its_subject() -> None:
    here = Path(__file__).read_text()
    elsewhere = {"bench_context": REPO / "tests/test_bench_context.py",
                 "bench_faithfulness": REPO / "tests/eval/test_eval_bench_faithfulness.py"}  # fmt: skip
    for script in sorted(BENCH.glob("*.py")):
        name = script.stem
        where = elsewhere.get(name)
        assert f'load("{name}")' in here or (where is not None and name in where.read_text()), name
