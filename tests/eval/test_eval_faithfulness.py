from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from evalcases import BAKERY, BRIDGE

from eval.calibrate import logistic_fit
from eval.convert import MTRAG_PATH, SQUAD_PATH, half, mtrag_pairs
from eval.faithfulness import DEFAULT, answer_claims, claim_supported, faithfulness
from eval.judge_check import check_signals, main
from eval.logprob_judge import LogprobJudge, yes_probability
from eval.pairs import LabelledPair, load_pairs
from eval.perturb import OUT_PATH, generate, negated, swapped_names, with_addition, wrong_number

# Per-kind accuracy on eval/labelled/perturbed.jsonl as reported in eval/README.md (floored to 2 decimals):
# `faithfulness` is the answer-level score at its threshold, `claims_supported` the eval's claim verdicts.
REPORTED_RATES = {
    "faithfulness": {"other_passage": 1.0, "supported": 1.0, "unsupported_addition": 0.51},
    "claims_supported": {
        "negation": 0.95,
        "other_passage": 1.0,
        "supported": 0.94,
        "unsupported_addition": 0.94,
        "wrong_number": 1.0,
        "swapped_names": 0.10,
    },
}

SENTENCE = "The Harrow Bridge over the river Lenn was completed in 1887."
OTHER = "Mirela Ost started the Ost bakery in Tarnov in 1998."


def test_faithfulness__ranks_faithful_answer_above_each_perturbed_version() -> None:
    rng = random.Random(0)
    faithful = faithfulness(SENTENCE, [BRIDGE]).score
    perturbed = {
        "wrong_number": wrong_number(SENTENCE, rng),
        "swapped_names": swapped_names(SENTENCE, rng),
        "negation": negated(SENTENCE),
        "unsupported_addition": with_addition(SENTENCE, OTHER),
    }
    for kind, claim in perturbed.items():
        assert claim and claim != SENTENCE, kind
        assert faithfulness(claim, [BRIDGE]).score < faithful, (kind, claim)
    assert faithfulness(SENTENCE, [BAKERY]).score < faithful  # the claim moved to another passage


def test_faithfulness__score_in_unit_interval_and_verdict_at_threshold() -> None:
    for claim, passages in ((SENTENCE, [BRIDGE]), (OTHER, [BRIDGE]), (SENTENCE, [])):
        result = faithfulness(claim, passages)
        assert 0.0 <= result.score <= 1.0
        assert result.supported == (result.score >= DEFAULT.threshold)
    assert faithfulness(SENTENCE, [BRIDGE]).supported
    assert not faithfulness(OTHER, [BRIDGE]).supported


def test_claim_check__names_failed_check_and_nearest_sentence() -> None:
    result = faithfulness("Mirela Ost started the bakery in 1999.", [BRIDGE, BAKERY])
    (check,) = result.claims
    assert not claim_supported(check)
    assert any("1999" in reason for reason in check.failed)
    assert check.passage == 1 and check.nearest.startswith("Mirela Ost started")


def test_answer_claims__split_as_the_eval_splits_answers() -> None:
    answer = "The bridge was completed in 1887 [1]. It was designed by Clara Whitcombe; it has five arches."
    assert answer_claims(answer) == [
        "The bridge was completed in 1887.",
        "It was designed by Clara Whitcombe",
        "it has five arches.",
    ]


@pytest.mark.skipif(not OUT_PATH.is_file(), reason="eval/labelled/perturbed.jsonl not generated")
def test_perturbed_set__each_kind_caught_at_least_at_reported_rate() -> None:
    pairs = load_pairs(OUT_PATH)
    result = check_signals(pairs)
    for signal, rates in REPORTED_RATES.items():
        measured = result["signals"][signal]["accuracy_by_kind"]
        for kind, rate in rates.items():
            assert measured[kind] >= rate, (signal, kind, measured[kind])


def test_perturb__committed_file_is_what_the_generator_writes() -> None:
    made = generate()
    committed = load_pairs(OUT_PATH)
    assert [(p.id, p.claim, p.supported, p.kind) for p in made] == [
        (p.id, p.claim, p.supported, p.kind) for p in committed
    ]
    assert len(committed) >= 300
    assert {p.kind for p in committed} >= {"wrong_number", "swapped_names", "negation", "other_passage"}


@pytest.mark.skipif(not SQUAD_PATH.is_file(), reason="../shared/datasets/squad_v2_small not present")
def test_perturb__squad_pairs_are_made_on_demand_and_deterministic() -> None:
    first, second = generate("squad"), generate("squad")
    assert [p.claim for p in first] == [p.claim for p in second]
    assert sum(p.supported for p in first) >= 100


def test_judge_check__report_lists_signal_aurocs_with_intervals(tmp_path: Path) -> None:
    pairs = [
        {"id": "a", "passages": [BRIDGE], "claim": SENTENCE, "supported": True, "kind": "verbatim"},
        {"id": "b", "passages": [BRIDGE], "claim": SENTENCE.replace("1887", "1897"), "supported": False},
        {"id": "c", "passages": [BAKERY], "claim": OTHER, "supported": True},
        {"id": "d", "passages": [BRIDGE], "claim": OTHER, "supported": False, "kind": "other_passage"},
    ]
    labelled = tmp_path / "pairs.jsonl"
    labelled.write_text("\n".join(json.dumps(p) for p in pairs), encoding="utf-8")
    out = tmp_path / "R.json"
    assert main(["--labelled", str(labelled), "--out", str(out)]) == 0
    signals = json.loads(out.read_text())["labelled"]["signals"]
    assert {"faithfulness", "content_words", "lexical", "claims_supported"} <= set(signals)
    for q in signals.values():
        assert 0.0 <= q["auroc"] <= 1.0
        assert len(q["auroc_ci"]) == 2 and q["auroc_ci"][0] <= q["auroc_ci"][1]
    assert signals["faithfulness"]["auroc"] == 1.0


def _transport(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def _logprob_reply(tokens: dict[str, float]) -> dict[str, Any]:
    top = [{"token": t, "logprob": lp} for t, lp in tokens.items()]
    return {"choices": [{"message": {"content": "yes"}, "logprobs": {"content": [{"top_logprobs": top}]}}]}


def test_logprob_judge__reads_yes_probability_from_top_logprobs() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(
            200, json=_logprob_reply({"Yes": np.log(0.6), " no": np.log(0.2), "Maybe": -1.0})
        )

    judge = LogprobJudge("http://judge/v1", "m", client=_transport(handler))
    assert judge.p_yes(SENTENCE, [BRIDGE]) == pytest.approx(0.75)
    assert seen[0]["max_tokens"] == 1 and seen[0]["logprobs"] is True and seen[0]["top_logprobs"] == 10
    with pytest.raises(ValueError):
        yes_probability({"Maybe": -0.1})


def test_logprob_judge__failing_judge_is_counted_not_a_crash() -> None:
    replies = iter(
        [
            httpx.Response(500, text="boom"),
            httpx.Response(200, json={"choices": [{"message": {"content": "yes"}}]}),  # no logprobs
            httpx.Response(200, json=_logprob_reply({"maybe": -0.1})),  # neither yes nor no
            httpx.Response(200, json=_logprob_reply({"yes": -0.1, "no": -3.0})),
        ]
    )
    judge = LogprobJudge("http://judge/v1", "m", client=_transport(lambda request: next(replies)))
    pairs = [LabelledPair(str(i), (BRIDGE,), f"{SENTENCE} ({i})", i % 2 == 0, "k") for i in range(4)]
    result = check_signals(pairs, judge=judge)
    q = result["signals"]["llm_logprob"]
    assert q["failures"] == 3 and q["n"] == 1
    assert q["judge"]["failures"] == 3 and q["judge"]["calls"] == 4
    assert set(q["judge"]["failures_by_kind"]) == {"http", "no_logprobs"}
    assert "faithfulness" in result["judge_subset"]


def test_logistic_fit__separates_and_balances_classes() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1.0, 0.3, (90, 1)), rng.normal(0.0, 0.3, (10, 1))])
    y = np.array([True] * 90 + [False] * 10)
    w, b = logistic_fit(x, y, l2=0.0)
    assert w[0] > 0
    # balanced classes put the 0.5 boundary between the two means, not near the minority class
    assert 0.2 < -b / w[0] < 0.8


@pytest.mark.skipif(not MTRAG_PATH.is_file(), reason="../shared/datasets/mtrag_faithfulness_dev not present")
def test_convert_mtrag__pairs_with_median_labels_and_fixed_halves() -> None:
    pairs = mtrag_pairs(MTRAG_PATH)
    assert len(pairs) == 228 and sum(not p.supported for p in pairs) == 23
    assert all(p.question and p.group and p.passages for p in pairs)
    sides = {half(p.group) for p in pairs}
    assert sides == {"a", "b"}
    by_group: dict[str, set[str]] = {}
    for p in pairs:
        by_group.setdefault(p.group, set()).add(half(p.group))
    assert all(len(s) == 1 for s in by_group.values())  # a conversation never straddles the halves
