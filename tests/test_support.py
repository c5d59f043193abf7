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


def test_evidence__an_acronym_the_question_uses_may_be_written_out_in_the_passage() -> None:
    rag = Passage(
        "The document collection was Wikipedia, split into about 21 million passages of 100 words each.",
        "Retrieval-augmented generation",
    )
    senators = Passage("In June 2023 two United States senators wrote to Mark Zuckerberg about the weights.")
    assert evidence_in(  # RAG: the initials of the title's words
        "21 million", rag, question="Into how many passages was Wikipedia split for RAG?"
    ).answers(Thresholds())
    ev = evidence_in("Two senators wrote.", senators, question="Which US senators wrote to Zuckerberg?")
    assert ev is not None and not ev.question_names_missing
    # two letters must be two capitalised words: "using some" does not spell US
    ev = evidence_in(
        "Two senators wrote.",
        Passage("Using some care, two senators wrote."),
        question="Which US senators wrote?",
    )
    assert ev is not None and ev.question_names_missing


def test_evidence__a_short_list_after_a_colon_is_one_window() -> None:
    passage = Passage(
        "LeCun described open-source AI as the only viable path to three goals:\n"
        "1. global AI sovereignty,\n2. cultural diversity,\n3. long-term safety.\nHe then took questions."
    )
    ev = evidence_in(
        "LeCun called open-source AI the only viable path to global AI sovereignty, cultural diversity and "
        "long-term safety.",
        passage,
        question="LeCun called open-source AI the only viable path to what?",
    )
    assert ev is not None and ev.answers(Thresholds())
    assert "long-term safety" in passage.text[ev.start : ev.end]


def test_evidence__a_figure_answers_only_beside_the_word_the_question_counts() -> None:
    passage = Passage(
        "Mistral AI was founded in April 2023 in Paris. Two architectural choices made Mistral 7B efficient.",
        "Mistral AI",
    )
    borrowed = evidence_in(
        "Mistral AI has 2 employees.", passage, question="How many employees does Mistral AI have?"
    )
    assert (
        borrowed is not None and borrowed.missing_asked == ("employ",) and not borrowed.answers(Thresholds())
    )
    counted = evidence_in(
        "Two architectural choices made it efficient.",
        passage,
        question="How many architectural choices made Mistral 7B efficient?",
    )
    assert counted is not None and counted.answers(Thresholds())


def test_evidence__a_denial_the_window_does_not_make_is_not_supported() -> None:
    passage = Passage(
        "The graph isomorphism problem is an example of a problem believed to be NP-intermediate."
    )
    ev = evidence_in(
        "The graph isomorphism problem is not an example of an NP-intermediate problem.", passage
    )
    assert ev is not None and ev.negation_missing and not ev.supports(Thresholds())


def test_evidence__an_answer_that_only_repeats_the_question_does_not_answer() -> None:
    passage = Passage(
        "Blending their maternal Frankish heritage with Old Norse traditions, they formed a new culture."
    )
    echo = evidence_in(
        "Maternal Old Norse traditions merged with Old Norse traditions.",
        passage,
        question="What did maternal Old Norse traditions merge with?",
    )
    assert echo is not None and not echo.adds_facts and not echo.answers(Thresholds())
    yes = evidence_in(
        "Old Norse traditions blended with the Frankish heritage.",
        passage,
        question="Did Old Norse traditions blend with the Frankish heritage?",
    )
    assert yes is not None and yes.adds_facts


def test_evidence__a_hyphenated_term_of_the_question_must_stand_whole() -> None:
    passage = Passage("A polynomial-time reduction means that the reduction process takes polynomial time.")
    ev = evidence_in(
        "The reduction process takes polynomial time.",
        passage,
        question="What is the meaning of polynomial-space reduction?",
    )
    assert ev is not None and ev.question_names_missing and not ev.answers(Thresholds())


def test_evidence__an_ordinal_the_question_asks_about_is_no_figure_to_find() -> None:
    passage = Passage("Llama 2 was released on 18 July 2023.", "Llama 2")
    ev = evidence_in(
        "Llama 2 was released first, on 18 July 2023.",
        passage,
        question="Which was released first, Llama 2 or Mistral 7B?",
    )
    assert ev is not None and ev.missing_numbers == ()
    unasked = evidence_in("Llama 2 was released first, on 18 July 2023.", passage)
    assert unasked is not None and unasked.missing_numbers == ("1st",)


def test_evidence__a_typed_number_of_asks_for_what_follows_it() -> None:
    passage = Passage(
        "Hugging Face was founded in 2016 in New York by three French entrepreneurs.", "Hugging Face"
    )
    ev = evidence_in(
        "Hugging Face has 3 French entrepreneurs.", passage, question="hugging face number of employees"
    )
    assert ev is not None and ev.missing_asked == ("employ",) and not ev.answers(Thresholds())


def test_evidence__how_old_asks_for_an_age_not_a_year() -> None:
    passage = Passage("Clément Delangue, Julien Chaumond and Thomas Wolf started Hugging Face in 2016.")
    question = "How old was Clément Delangue when he started Hugging Face?"
    year = evidence_in("Clément Delangue started Hugging Face in 2016.", passage, question=question)
    assert year is not None and year.supports(Thresholds()) and not year.answers(Thresholds())
    aged = Passage("Clément Delangue was 27 years old when he started Hugging Face.")
    age = evidence_in("He was 27 years old.", aged, question=question)
    assert age is not None and age.answers(Thresholds())
