"""The citation verifier: checks and repairs citations after generation, on hand-made answers."""

from __future__ import annotations

from rag.verify import addresses_question, split_sentences, support, verify_answer

PASSAGES = [
    "Mistral 7B was released on 27 September 2023 under the Apache 2.0 licence.",
    "BLOOM has 176 billion parameters and was trained on 46 natural languages and 13 programming languages.",
    "Yann LeCun shared the 2018 Turing Award with Geoffrey Hinton and Yoshua Bengio.",
]


def test_verify__correct_citation_is_kept() -> None:
    v = verify_answer("Mistral 7B was released under the Apache 2.0 licence [1].", PASSAGES, threshold=0.5)
    assert not v.refused
    assert v.sentences[0].citations == (1,)
    assert v.text == "Mistral 7B was released under the Apache 2.0 licence [1]."


def test_verify__planted_wrong_citation_is_moved_to_the_supporting_passage() -> None:
    v = verify_answer("BLOOM was trained on 46 natural languages [3].", PASSAGES, threshold=0.5)
    assert v.sentences[0].original_citations == (3,)
    assert v.sentences[0].citations == (2,)
    assert "[2]" in v.text and "[3]" not in v.text
    assert not v.unsupported


def test_verify__out_of_range_citation_never_goes_out() -> None:
    v = verify_answer(
        "LeCun shared the 2018 Turing Award with Hinton and Bengio [7].", PASSAGES, threshold=0.5
    )
    assert v.sentences[0].citations == (3,)
    assert "[7]" not in v.text


def test_verify__uncited_sentence_gets_its_supporting_passage() -> None:
    v = verify_answer("BLOOM has 176 billion parameters.", PASSAGES, threshold=0.5)
    assert v.text == "BLOOM has 176 billion parameters [2]."


def test_verify__wrong_number_is_unsupported() -> None:
    assert support("BLOOM has 175 billion parameters.", PASSAGES[1]) == 0.0
    v = verify_answer(
        "BLOOM has 176 billion parameters [2]. Mistral 7B was released in 2024 [1].", PASSAGES, threshold=0.5
    )
    assert v.unsupported == ("Mistral 7B was released in 2024.",)
    assert "released in 2024 [unsupported]." in v.text
    assert not v.refused  # one supported sentence remains


def test_verify__answer_with_nothing_supported_is_refused() -> None:
    v = verify_answer("Paris is the capital of France [1].", PASSAGES, threshold=0.5)
    assert v.refused
    assert v.unsupported == ("Paris is the capital of France.",)


def test_verify__model_saying_not_found_is_a_refusal() -> None:
    assert verify_answer("NOT FOUND", PASSAGES, threshold=0.5).refused
    assert verify_answer("The passages do not mention the budget.", PASSAGES, threshold=0.5).refused


def test_verify__claim_spanning_two_passages_cites_both() -> None:
    v = verify_answer(
        "Mistral 7B used the Apache 2.0 licence while BLOOM covered 46 natural languages.",
        PASSAGES,
        threshold=0.5,
    )
    assert v.sentences[0].citations == (1, 2)


def test_split_sentences__markers_after_the_full_stop_stay_with_their_sentence() -> None:
    parts = split_sentences("BLOOM is large. [2] Mistral is small. [1]")
    assert parts == ["BLOOM is large. [2]", "Mistral is small. [1]"]


def test_addresses_question__faithful_answer_about_something_else_does_not_address_it() -> None:
    mit = "The MIT licence lets anyone reuse, change and sell the code if the notice is kept."
    answer = "The MIT licence lets anyone reuse and sell the code [1]."
    assert verify_answer(answer, [mit], threshold=0.5).refused is False  # faithful...
    assert not addresses_question("What is the license for Mistral 7B?", answer, [mit])  # ...but off topic
    assert addresses_question("Under which licence was Mistral 7B released?", PASSAGES[0], [PASSAGES[0]])


def test_addresses_question__question_asking_for_a_date_needs_one_in_the_answer() -> None:
    question = "On what date did LeCun give his keynote at UN Open Source Week?"
    assert not addresses_question(question, "LeCun gave his keynote at UN Open Source Week on [1].", [])
    assert addresses_question(question, "LeCun gave it on 16 June 2025 [1].", [])
    assert addresses_question("How many languages does BLOOM cover?", "BLOOM covers forty-six [2].", [])
