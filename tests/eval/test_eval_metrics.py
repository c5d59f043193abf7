from __future__ import annotations

import pytest
from evalcases import BAKERY, BRIDGE

from eval.metrics import (
    answer_in_context,
    citation_precision,
    citation_recall,
    claim_support_rate,
    groundedness_lexical,
    mrr,
    percentile,
    refusal_correct,
    retrieval_recall_at_k,
    token_f1,
    token_recall,
)
from eval.stats import accuracy, auroc
from eval.text import CitedSentence, cited_sentences

PASSAGES = {1: BRIDGE, 2: BAKERY}


def test_token_f1__squad_normalisation_ignores_case_articles_and_punctuation() -> None:
    assert token_f1("The France.", ["france"]) == 1.0


def test_token_f1__partial_overlap_and_best_reference() -> None:
    # "in 10th century" vs "10th and 11th centuries": common {10th} -> P 1/3, R 1/4
    assert token_f1("in 10th century", ["10th and 11th centuries"]) == pytest.approx(
        2 * (1 / 3) * (1 / 4) / (7 / 12)
    )
    assert token_f1("in 10th century", ["nothing alike", "in 10th century"]) == 1.0
    assert token_f1("Paris", ["London"]) == 0.0


def test_token_recall__a_verbose_answer_containing_the_reference_scores_one() -> None:
    assert token_recall("It was completed in the year 1887 by Dobbs.", ["1887"]) == 1.0
    assert token_recall("It was completed long ago.", ["1887"]) == 0.0


def test_claim_support_rate__faithful_high_unfaithful_low() -> None:
    faithful = [
        ("The Harrow Bridge was completed in 1887.", [BRIDGE]),
        ("Clara Whitcombe designed the bridge.", [BRIDGE]),
    ]
    unfaithful = [
        ("The Harrow Bridge was completed in 1897.", [BRIDGE]),
        ("Pavel Ost designed the bridge.", [BRIDGE]),
        ("The bridge was closed after a flood in 1990.", [BRIDGE]),
    ]
    assert claim_support_rate(faithful) == 1.0
    assert claim_support_rate(unfaithful) == 0.0


def test_claim_support_rate__a_claim_citing_nothing_is_unsupported() -> None:
    assert claim_support_rate([("The Harrow Bridge was completed in 1887.", [])]) == 0.0


def test_citation_recall__sentence_supported_only_by_its_cited_passage() -> None:
    right = cited_sentences("The Harrow Bridge was completed in 1887 [1].")
    wrong = cited_sentences("The Harrow Bridge was completed in 1887 [2].")
    uncited = cited_sentences("The Harrow Bridge was completed in 1887.")
    assert citation_recall(right, PASSAGES) == 1.0
    assert citation_recall(wrong, PASSAGES) == 0.0
    assert citation_recall(uncited, PASSAGES) == 0.0


def test_citation_precision__irrelevant_second_citation_counts_against() -> None:
    sentences = cited_sentences("The Harrow Bridge was completed in 1887 [1][2].")
    assert sentences[0].citations == (1, 2)
    assert citation_recall(sentences, PASSAGES) == 1.0
    # [1] alone supports the sentence; [2] alone does not and removing it keeps the support: irrelevant.
    assert citation_precision(sentences, PASSAGES) == 0.5


def test_citation_precision__both_citations_needed_are_both_precise() -> None:
    passages = {
        1: "Lake Orin lies at 1,240 metres above sea level.",
        2: "The village of Brask sits on the northern shore of Lake Orin.",
    }
    sentence = [
        CitedSentence("Brask sits on the northern shore of Lake Orin, which lies at 1,240 metres.", (1, 2))
    ]
    assert citation_recall(sentence, passages) == 1.0
    assert citation_precision(sentence, passages) == 1.0


def test_citation_precision__none_when_nothing_is_cited_and_zero_for_a_citation_to_a_missing_passage() -> (
    None
):
    assert citation_precision(cited_sentences("No citation here."), PASSAGES) is None
    assert citation_precision(cited_sentences("The bridge was completed in 1887 [7]."), PASSAGES) == 0.0


def test_groundedness_lexical__share_of_content_words_in_cited_passages() -> None:
    full = cited_sentences("The Harrow Bridge was completed in 1887 [1].")
    half = cited_sentences("The Harrow Bridge was painted green [1].")  # harrow bridge / painted green
    assert groundedness_lexical(full, PASSAGES) == 1.0
    assert groundedness_lexical(half, PASSAGES) == pytest.approx(0.5)
    assert groundedness_lexical(cited_sentences("The Harrow Bridge was completed in 1887."), PASSAGES) == 0.0


def test_retrieval_recall_at_k__file_level_with_cutoff() -> None:
    retrieved = ["a.md", "b.md", "a.md", "c.md"]
    assert retrieval_recall_at_k(retrieved, ["c.md"], k=4) == 1.0
    assert retrieval_recall_at_k(retrieved, ["c.md"], k=3) == 0.0
    assert retrieval_recall_at_k(retrieved, ["./b.md", "z.md"]) == 0.5
    assert retrieval_recall_at_k(retrieved, []) is None


def test_mrr__rank_of_first_relevant_distinct_file() -> None:
    assert mrr(["a.md", "a.md", "b.md"], ["b.md"]) == 0.5
    assert mrr(["a.md"], ["b.md"]) == 0.0
    assert mrr(["a.md"], []) is None


def test_refusal_correct__refuse_exactly_the_unanswerable() -> None:
    assert refusal_correct(refused=True, answerable=False) == 1.0
    assert refusal_correct(refused=False, answerable=True) == 1.0
    assert refusal_correct(refused=True, answerable=True) == 0.0
    assert refusal_correct(refused=False, answerable=False) == 0.0


def test_auroc__known_values_ties_and_degenerate_input() -> None:
    assert auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert auroc([1, 2, 3], [False, True, True]) == 1.0
    assert auroc([3, 2, 1], [False, True, True]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.2, 0.3], [True, True]) is None
    with pytest.raises(ValueError):
        auroc([0.1], [True, False])


def test_accuracy__share_equal() -> None:
    assert accuracy([True, False, True], [True, True, True]) == pytest.approx(2 / 3)
    assert accuracy([], []) is None


def test_percentile__linear_interpolation() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_answer_in_context__whole_answer_in_one_passage_ignoring_case_and_whitespace() -> None:
    passages = ["The bridge opened in 1887.", "It was built by\n  Dobbs   and Sons over six years."]
    assert answer_in_context(passages, ["built by Dobbs and sons"]) == 1.0
    assert answer_in_context(passages, ["nowhere", "OPENED IN 1887"]) == 1.0  # any reference counts


def test_answer_in_context__an_answer_split_across_passages_is_not_found() -> None:
    passages = ["The bridge opened in", "1887 after six years."]
    assert answer_in_context(passages, ["opened in 1887"]) == 0.0
    assert answer_in_context([], ["opened in 1887"]) == 0.0


def test_answer_in_context__none_without_a_reference() -> None:
    assert answer_in_context(["anything"], []) is None
    assert answer_in_context(["anything"], ["  "]) is None
