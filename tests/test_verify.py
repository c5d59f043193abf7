"""The citation verifier: checks and repairs citations after generation, on hand-made answers."""

from __future__ import annotations

from rag.answer.support import Passage, best_evidence
from rag.answer.verify import stated, verify_answer
from rag.text import split_sentences

PASSAGES = [
    "Mistral 7B was released on 27 September 2023 under the Apache 2.0 licence.",
    "BLOOM has 176 billion parameters and was trained on 46 natural languages and 13 programming languages.",
    "Yann LeCun shared the 2018 Turing Award with Geoffrey Hinton and Yoshua Bengio.",
]


def test_verify__correct_citation_is_kept() -> None:
    v = verify_answer("Mistral 7B was released under the Apache 2.0 licence [1].", PASSAGES)
    assert not v.refused
    assert v.sentences[0].citations == (1,)
    assert v.text == "Mistral 7B was released under the Apache 2.0 licence [1]."


def test_verify__planted_wrong_citation_is_moved_to_the_supporting_passage() -> None:
    v = verify_answer("BLOOM was trained on 46 natural languages [3].", PASSAGES)
    assert v.sentences[0].original_citations == (3,)
    assert v.sentences[0].citations == (2,)
    assert "[2]" in v.text and "[3]" not in v.text
    assert not v.unsupported


def test_verify__out_of_range_citation_never_goes_out() -> None:
    v = verify_answer("LeCun shared the 2018 Turing Award with Hinton and Bengio [7].", PASSAGES)
    assert v.sentences[0].citations == (3,)
    assert "[7]" not in v.text


def test_verify__uncited_sentence_gets_its_supporting_passage() -> None:
    v = verify_answer("BLOOM has 176 billion parameters.", PASSAGES)
    assert v.text == "BLOOM has 176 billion parameters [2]."


def test_verify__wrong_number_is_unsupported() -> None:
    ev = best_evidence("BLOOM has 175 billion parameters.", [Passage(p) for p in PASSAGES])
    assert ev is not None and ev.missing_numbers == ("175",)
    v = verify_answer("BLOOM has 176 billion parameters [2]. Mistral 7B was released in 2024 [1].", PASSAGES)
    assert v.unsupported == ("Mistral 7B was released in 2024.",)
    assert "released in 2024 [unsupported]." in v.text
    assert not v.refused  # one supported sentence remains


def test_verify__answer_with_nothing_supported_is_refused() -> None:
    v = verify_answer("Paris is the capital of France [1].", PASSAGES)
    assert v.refused
    assert v.unsupported == ("Paris is the capital of France.",)


def test_verify__model_saying_not_found_is_a_refusal() -> None:
    assert verify_answer("NOT FOUND", PASSAGES).refused
    assert verify_answer("The passages do not mention the budget.", PASSAGES).refused


def test_verify__claim_spanning_two_passages_cites_both() -> None:
    v = verify_answer(
        "Mistral 7B used the Apache 2.0 licence while BLOOM covered 46 natural languages.", PASSAGES
    )
    assert v.sentences[0].citations == (1, 2)


def test_split_sentences__markers_after_the_full_stop_stay_with_their_sentence() -> None:
    parts = split_sentences("BLOOM is large. [2] Mistral is small. [1]")
    assert parts == ["BLOOM is large. [2]", "Mistral is small. [1]"]


def test_verify__faithful_answer_about_something_else_does_not_answer_the_question() -> None:
    mit = "The MIT licence lets anyone reuse, change and sell the code if the notice is kept."
    answer = "The MIT licence lets anyone reuse and sell the code [1]."
    assert verify_answer(answer, [mit]).refused is False  # faithful...
    assert verify_answer(answer, [mit], question="What is the license for Mistral 7B?").refused  # off topic
    v = verify_answer(PASSAGES[0], PASSAGES, question="Under which licence was Mistral 7B released?")
    assert not v.refused and v.sentences[0].answers_question


def test_verify__question_asking_for_a_date_needs_one_in_the_answer() -> None:
    question = "On what date did LeCun give his keynote at UN Open Source Week?"
    keynote = "LeCun gave his keynote at UN Open Source Week on 16 June 2025 in New York."
    assert verify_answer(
        "LeCun gave his keynote at UN Open Source Week [1].", [keynote], question=question
    ).refused
    assert not verify_answer(
        "LeCun gave his keynote on 16 June 2025 [1].", [keynote], question=question
    ).refused


LLAMA = Passage(
    "The first LLaMA models of early 2023 were distributed under a **non-commercial research licence**. "
    "Researchers had to apply for access, and Meta granted it case by case.\n\n"
    "Llama 2, released in July 2023, came under the **Llama 2 Community Licence**, which allows commercial "
    "use for companies below 700 million monthly users.",
    "Llama licences",
)


def test_verify__licence_of_another_model_in_the_same_passage_is_flagged() -> None:
    question = "Under which licence were the Llama 2 models released?"
    wrong = verify_answer(
        "The Llama 2 models were released under a non-commercial research licence [1].",
        [LLAMA],
        question=question,
    )
    assert wrong.refused and wrong.unsupported
    right = verify_answer(
        "Llama 2 came under the Llama 2 Community Licence, which allows commercial use [1].",
        [LLAMA],
        question=question,
    )
    assert not right.refused and right.sentences[0].citations == (1,)


def test_verify__date_taken_from_a_sentence_about_something_else_is_refused() -> None:
    leeds = Passage(
        "Leeds Festival is held every August in Bramham Park. Tickets for the 2017 festival went on sale on "
        "May 16, 2017, at 9am.",
        "Reading and Leeds Festivals",
    )
    v = verify_answer(
        "The Leeds festival lineup gets announced on May 16, 2017 [1].",
        [leeds],
        question="when does the leeds festival lineup get announced",
    )
    assert v.refused


def test_verify__evidence_points_at_the_supporting_sentence() -> None:
    v = verify_answer(
        "Mistral 7B was released under the Apache 2.0 licence [2].", ["Intro text here.", PASSAGES[0]]
    )
    (ev,) = v.sentences[0].evidence
    assert ev.passage == 1 and PASSAGES[0][ev.start : ev.end] == PASSAGES[0]


def test_verify__a_fact_from_a_passage_about_another_thing_does_not_answer() -> None:
    jepa = Passage("A ViT-Huge/14 could be trained with I-JEPA using 16 A100 GPUs in under 72 hours.", "JEPA")
    pile = Passage("In December 2020 it released the Pile, an English text dataset of 825 GiB.", "EleutherAI")
    result = verify_answer(
        "The I-JEPA ViT-Huge/14 model was trained on the Pile dataset.",
        [jepa, pile],
        question="Which dataset was the I-JEPA ViT-Huge/14 model trained on?",
    )
    assert result.refused


def test_verify__a_part_about_another_model_of_the_family_does_not_complete_a_two_part_answer() -> None:
    family = Passage(
        "**Llama 2** was released on **18 July 2023**, this time openly, with permission for commercial use. "
        "Alongside the base models Meta released **Llama 2-Chat** versions fine-tuned for dialogue.",
        "The Llama Model Family Llama 2 (July 2023)",
        "llama-family.md",
    )
    licences = Passage(
        "The first LLaMA models of early 2023 were distributed under a **non-commercial research licence**. "
        "Researchers, governments and civil society organisations had to apply for access.",
        "The Llama Licences LLaMA: a research licence",
        "llama-licences.md",
    )
    question = "Who released the Llama 2 models, and under what licence?"
    v = verify_answer(
        "Meta released the Llama 2 models under the non-commercial research licence [1][2].",
        [family, licences],
        question=question,
    )
    assert v.refused
    right = verify_answer("Meta released the Llama 2 models [1].", [family, licences], question=question)
    assert not right.refused and right.sentences[0].citations == (1,)


def test_verify__a_lead_in_about_the_passages_is_not_part_of_the_claim() -> None:
    osaid = Passage(
        "The definition requires four freedoms: to use the system for any purpose, to study how it works, "
        "to modify it, and to share it.",
        "The Open Source AI Definition",
    )
    v = verify_answer(
        "According to the passage, the definition names four freedoms: use, study, modify, share.",
        [osaid],
        question="Which four freedoms does the Open Source AI Definition require?",
    )
    assert not v.refused and v.sentences[0].citations == (1,)
    assert stated("The passage names four freedoms: use, study.") == "four freedoms: use, study."
    assert stated("According to the passages, BLOOM has 176 billion parameters.").startswith("BLOOM has")
    assert stated("The passage") == "The passage"  # nothing else to state: the claim is left as it is


def test_verify__one_part_of_a_two_part_question_answered_stands() -> None:
    falcon = Passage(
        "At the end of May 2023 TII re-released Falcon 40B under the Apache 2.0 licence.", "Falcon"
    )
    question = "Under which licences were Falcon 40B and Falcon 180B released in the end?"
    half = verify_answer(
        "TII re-released Falcon 40B under the Apache 2.0 licence [1].", [falcon], question=question
    )
    assert not half.refused
    single = "Under which licence was Falcon 180B released in the end?"
    assert verify_answer(
        "TII re-released Falcon 40B under the Apache 2.0 licence [1].", [falcon], question=single
    ).refused


def test_verify__a_count_of_times_must_stand_beside_what_is_counted() -> None:
    llama = Passage("Llama 3 introduced a new tokenizer with a vocabulary of 128,000 tokens.", "Llama models")
    v = verify_answer(
        "Llama models have been downloaded 128,000 times [1].",
        [llama],
        question="How many times have the Llama models been downloaded?",
    )
    assert v.refused
