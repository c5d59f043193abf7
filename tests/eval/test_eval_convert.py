from __future__ import annotations

from pathlib import Path

import pytest

from eval.convert import HALUEVAL_DIR, SQUAD_PATH, halueval_pairs, main, squad_to_corpus
from eval.dataset import load_dataset
from eval.judge_check import check_signals

needs_shared = pytest.mark.skipif(
    not SQUAD_PATH.is_file() or not HALUEVAL_DIR.is_dir(),
    reason="the shared datasets are not on this machine",
)


@needs_shared
def test_squad_to_corpus__one_document_per_paragraph_and_impossible_questions_unanswerable(
    tmp_path: Path,
) -> None:
    corpus, dataset, n = squad_to_corpus(SQUAD_PATH, tmp_path)
    docs = sorted(p.name for p in corpus.iterdir())
    assert len(docs) == 87 and docs[0] == "computational_complexity_theory_p000.md"
    examples = load_dataset(dataset)
    assert n == len(examples) == 626
    assert sum(not e.answerable for e in examples) == 333
    for e in examples:
        assert all((corpus / s).is_file() for s in e.reference_sources)
        assert e.answerable == bool(e.reference_sources)
    first = next(e for e in examples if e.answerable)
    doc = (corpus / first.reference_sources[0]).read_text()
    assert any(answer in doc for answer in first.references)  # the gold span is in its paragraph
    assert {e.tags[1] for e in examples[:20]} == {
        "normans",
        "computational_complexity_theory",
    }  # shuffled mix


@needs_shared
def test_halueval_pairs__right_answers_supported_hallucinated_not_and_lexical_separates_them() -> None:
    pairs = halueval_pairs(HALUEVAL_DIR)
    assert sum(p.supported for p in pairs) == 500
    assert 900 < sum(not p.supported for p in pairs) <= 1000
    assert "century. First for Women" in pairs[0].passages[0]  # glued paragraphs are split again
    result = check_signals(pairs)
    assert result["signals"]["lexical"]["auroc"] > 0.8
    # Claims alike in form (question + answer) take away the length cue: harder, but still above chance and
    # above the content-word baseline.
    with_q = check_signals(halueval_pairs(HALUEVAL_DIR, with_question=True))["signals"]
    assert with_q["lexical"]["auroc"] > max(0.6, with_q["content_words"]["auroc"])


@needs_shared
def test_convert_main__writes_files_and_attributes_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["halueval", "--out", str(tmp_path / "h.jsonl"), "--limit", "5"]) == 0
    assert len((tmp_path / "h.jsonl").read_text().splitlines()) >= 10
    assert "HaluEval" in capsys.readouterr().out
    assert main(["squad", "--out", str(tmp_path / "sq")]) == 0
    assert "SQuAD 2.0" in capsys.readouterr().out
