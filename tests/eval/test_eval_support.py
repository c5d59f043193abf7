from __future__ import annotations

from evalcases import BAKERY, BRIDGE

from eval.judge_check import LABELLED_PATH, check_signals
from eval.pairs import load_pairs
from eval.support import LEXICAL_THRESHOLD, content_word_score, lexical_check, lexical_supports


def test_lexical_supports__verbatim_and_paraphrase_pass() -> None:
    assert lexical_supports("The Harrow Bridge was completed in 1887.", [BRIDGE])
    assert lexical_supports("Mirela Ost founded a bakery in Tarnov in 1998.", [BAKERY])


def test_lexical_check__wrong_number_is_caught_though_every_word_occurs() -> None:
    check = lexical_check("Pavel took over the shop in 1998.", [BAKERY])
    assert check.coverage == 1.0  # every content word is in the passage...
    assert check.missing_numbers == ("1998",)  # ...but 1998 is not in a sentence about Pavel and the shop
    assert check.score < LEXICAL_THRESHOLD


def test_lexical_check__name_moved_from_another_sentence_is_caught() -> None:
    check = lexical_check("Pavel Ost started the bakery in 1998.", [BAKERY])
    assert "pavel" in check.missing_names
    assert not lexical_supports("Pavel Ost started the bakery in 1998.", [BAKERY])


def test_lexical_check__negation_against_the_closest_sentence_is_caught() -> None:
    assert lexical_check("The Harrow Bridge was not completed in 1887.", [BRIDGE]).negation_mismatch
    assert not lexical_supports("The Harrow Bridge was not completed in 1887.", [BRIDGE])


def test_lexical_supports__no_passage_no_support() -> None:
    assert not lexical_supports("The Harrow Bridge was completed in 1887.", [])


def test_content_word_score__baseline_counts_words_only() -> None:
    assert content_word_score("Pavel took over the shop in 1998.", [BAKERY]) == 1.0


def test_labelled_set__is_balanced_enough_and_covers_every_hallucination_kind() -> None:
    pairs = load_pairs(LABELLED_PATH)
    assert len(pairs) >= 60
    assert 0.3 < sum(p.supported for p in pairs) / len(pairs) < 0.7
    kinds = {p.kind for p in pairs if not p.supported}
    assert {"wrong_number", "swapped_names", "unsupported_addition", "negation"} <= kinds
    assert {p.kind for p in pairs if p.supported} >= {"paraphrase", "verbatim"}


def test_labelled_set__lexical_signal_beats_the_content_word_baseline() -> None:
    result = check_signals(load_pairs(LABELLED_PATH))
    lexical, baseline = result["signals"]["lexical"], result["signals"]["content_words"]
    assert lexical["auroc"] > baseline["auroc"]
    assert lexical["accuracy"] > baseline["accuracy"]
    assert lexical["auroc"] > 0.75
    assert lexical["accuracy_by_kind"]["wrong_number"] == 1.0
