"""Completing an answer from its supporting sentence: one item of a list becomes the whole list."""

from __future__ import annotations

from rag.answer.complete import complete_answer, complete_sentence, lists_in
from rag.answer.support import Passage
from rag.answer.verify import verify_answer

HF = (
    "Hugging Face was founded in **2016** in New York by three French entrepreneurs: **Clément Delangue**, "
    "**Julien Chaumond** and **Thomas Wolf**."
)


def test_lists_in__finds_the_names_of_a_list_through_markdown() -> None:
    assert ["Clément Delangue", "Julien Chaumond", "Thomas Wolf"] in lists_in(HF)


def test_lists_in__reads_a_list_with_spaces_before_its_commas() -> None:
    text = "founded by Clément Delangue , Julien Chaumond and Thomas Wolf ."
    assert lists_in(text) == [["Clément Delangue", "Julien Chaumond", "Thomas Wolf"]]


def test_complete_sentence__one_founder_of_three_becomes_all_three() -> None:
    done = complete_sentence("Clement Delangue founded Hugging Face in 2016.", [HF])
    assert done == "Clément Delangue, Julien Chaumond and Thomas Wolf founded Hugging Face in 2016."


def test_complete_sentence__an_answer_that_names_none_or_all_is_left_alone() -> None:
    assert complete_sentence("Hugging Face was founded in 2016.", [HF]) == "Hugging Face was founded in 2016."
    whole = "Clément Delangue, Julien Chaumond and Thomas Wolf founded it."
    assert complete_sentence(whole, [HF]) == whole


def test_complete_answer__the_completed_answer_keeps_its_citation_and_stays_supported() -> None:
    passages = [Passage(HF, "Hugging Face")]
    question = "Who founded Hugging Face?"
    v = complete_answer(
        verify_answer("Clément Delangue founded Hugging Face [1].", passages, question=question), passages
    )
    assert v.text == "Clément Delangue, Julien Chaumond and Thomas Wolf founded Hugging Face [1]."
    again = verify_answer(v.text, passages, question=question)
    assert not again.refused and not again.unsupported
