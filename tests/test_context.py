"""What the model reads of a passage: its sentences about the question, in order, within the budget."""

from __future__ import annotations

from rag.answer.context import GAP, focus

LONG = (
    "Hugging Face began as a chatbot company. "
    "It later turned to machine learning tools. "
    "The Hub hosts models, datasets and Spaces. "
    "Hugging Face was founded in 2016 in New York by Clément Delangue, Julien Chaumond and Thomas Wolf. "
    "The company is known for its Transformers library. "
    "Many companies publish their models there. "
    "Its offices are in New York and Paris. "
    "The emoji gave the company its name."
)


def test_focus__a_short_passage_is_read_whole() -> None:
    assert focus("Short passage. Two sentences.", "anything?") == "Short passage. Two sentences."


def test_focus__keeps_the_best_sentence_with_its_neighbours_in_document_order() -> None:
    read = focus(LONG, "Who founded Hugging Face?", max_chars=260)
    assert "founded in 2016 in New York by Clément Delangue, Julien Chaumond and Thomas Wolf." in read
    assert read.index("The Hub hosts") < read.index("founded in 2016") < read.index("Transformers library")
    assert len(read) < len(LONG)


def test_focus__marks_what_was_left_out() -> None:
    read = focus(LONG, "When was Hugging Face founded?", max_chars=200)
    assert read.startswith("… ") and read.endswith(" …")
    two_parts = focus(LONG, "What does the Hub host, and where are the offices?", max_chars=250)
    assert GAP.strip() in two_parts
    assert "models, datasets and Spaces" in two_parts and "New York and Paris" in two_parts
