from __future__ import annotations

from eval.text import (
    cited_sentences,
    content_words,
    normalize_answer,
    numbers,
    split_claims,
    stem,
    strip_markers,
)


def test_cited_sentences__markers_before_and_after_the_full_stop() -> None:
    got = cited_sentences(
        "Normans came from Normandy [1]. They spoke French. [2][3] It ended in 1204 [1, 3]."
    )
    assert [(s.text, s.citations) for s in got] == [
        ("Normans came from Normandy.", (1,)),
        ("They spoke French.", (2, 3)),
        ("It ended in 1204.", (1, 3)),
    ]


def test_cited_sentences__unsupported_marker_is_flagged_and_removed() -> None:
    (s,) = cited_sentences("The bridge is blue [unsupported].")
    assert s.text == "The bridge is blue." and s.citations == () and s.flagged_unsupported


def test_cited_sentences__abbreviations_do_not_split() -> None:
    assert len(cited_sentences("It was led by Dr. Rao and e.g. her team [1]. Then it ended [1].")) == 2


def test_split_claims__semicolons_and_long_conjoined_clauses() -> None:
    assert split_claims("Tickets cost 12 euros; children enter free") == [
        "Tickets cost 12 euros",
        "children enter free",
    ]
    assert split_claims("The bridge has stone arches and carries road traffic daily") == [
        "The bridge has stone arches",
        "carries road traffic daily",
    ]
    assert split_claims("Salt and pepper are spices.") == ["Salt and pepper are spices."]


def test_normalisation_helpers() -> None:
    assert normalize_answer("The  Normans, of France!") == "normans of france"
    assert numbers("about three of 1,200 in 1998") == {"3", "1200", "1998"}
    assert content_words("The bridge was not completed") == ["bridge", "completed"]
    assert stem("voted") == stem("vote") == stem("voting")
    assert strip_markers("A [1] b [unsupported] c [2, 3].") == "A b c."
