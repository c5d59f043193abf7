"""The support decision on fixed passages: a window must state the claim and be about the question."""

from __future__ import annotations

from rag.answer.support import Passage, Thresholds, best_evidence, evidence_in

FOUNDERS = Passage(
    "EleutherAI was founded in July 2020 on a Discord server, by Connor Leahy, Sid Black and Leo Gao. "
    "GPT-3 had been announced a few weeks earlier, but its weights were not released.",
    "EleutherAI",
)


def test_evidence__a_claim_stated_in_one_sentence_is_supported_there() -> None:
    ev = evidence_in("Connor Leahy, Sid Black and Leo Gao founded EleutherAI.", FOUNDERS)
    assert ev is not None and ev.supports(Thresholds())
    assert FOUNDERS.text[ev.start : ev.end].startswith("EleutherAI was founded in July 2020")


def test_evidence__a_figure_the_window_does_not_hold_is_missing() -> None:
    ev = evidence_in("EleutherAI was founded in July 2021.", FOUNDERS)
    assert ev is not None and ev.missing_numbers == ("2021",) and not ev.supports(Thresholds())


def test_evidence__a_name_from_nowhere_in_the_window_is_missing() -> None:
    ev = evidence_in("EleutherAI was founded by Stella Biderman.", FOUNDERS)
    assert ev is not None and not ev.supports(Thresholds())
    assert "biderman" in ev.missing_names or ev.new_fact_coverage < Thresholds().new_facts


def test_evidence__words_scattered_over_two_far_sentences_do_not_support() -> None:
    passage = Passage(
        "Falcon 180B was trained on 3.5 trillion tokens. The team also wrote many papers. "
        "Its licence is based on Apache 2.0 with an acceptable use policy. BLOOM was trained on 366 billion "
        "tokens of text."
    )
    ev = best_evidence("BLOOM was trained on 3.5 trillion tokens.", [passage])
    assert ev is not None and not ev.supports(Thresholds())


def test_evidence__the_question_must_be_what_the_window_is_about() -> None:
    passage = Passage(
        "Mistral AI was founded in April 2023 in Paris. Mistral 7B was released in September 2023 under "
        "the Apache 2.0 licence."
    )
    claim = "It was released in September 2023."
    on_topic = evidence_in(claim, passage, question="When was Mistral 7B released?")
    off_topic = evidence_in(claim, passage, question="When was Mixtral 8x22B released?")
    assert on_topic is not None and on_topic.answers(Thresholds())
    assert off_topic is not None and off_topic.supports(Thresholds()) and not off_topic.answers(Thresholds())
    assert "8x22b" in off_topic.missing_question or off_topic.question_names_missing


def test_evidence__the_passage_title_tells_what_a_sentence_is_about() -> None:
    passage = Passage("It was trained on 3.5 trillion tokens from RefinedWeb.", "Falcon 180B")
    ev = evidence_in(
        "Falcon 180B was trained on 3.5 trillion tokens.", passage, question="falcon 180b tokens"
    )
    assert ev is not None and ev.answers(Thresholds())


def test_evidence__accents_do_not_separate_a_typed_name_from_its_document() -> None:
    passage = Passage("One of the first Norman mercenaries to serve as a Byzantine general was Hervé.")
    ev = evidence_in("Herve served as a Byzantine general.", passage, question="Who was Herve?")
    assert ev is not None and ev.supports(Thresholds()) and not ev.missing_names


def test_evidence__a_figure_given_as_a_count_of_something_else_is_missing() -> None:
    falcon = Passage("TII released Falcon 180B, with 180 billion parameters, trained on 3.5 trillion tokens.")
    wrong = evidence_in("180 billion tokens", falcon, question="How many tokens was Falcon 180B trained on?")
    right = evidence_in("3.5 trillion tokens", falcon, question="How many tokens was Falcon 180B trained on?")
    assert wrong is not None and wrong.missing_numbers == ("180",) and not wrong.answers(Thresholds())
    assert right is not None and right.answers(Thresholds())
