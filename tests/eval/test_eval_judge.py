"""The judge against fake endpoints: its failures (5xx, timeout, broken JSON) cannot be had for real."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from eval.judge import CLAIM_SCHEMA, JudgeFailure, LlmJudge
from eval.metrics import citation_recall
from eval.text import cited_sentences


def _judge(handler: Callable[[httpx.Request], httpx.Response]) -> LlmJudge:
    return LlmJudge("http://judge.test/v1", "m", client=httpx.Client(transport=httpx.MockTransport(handler)))


def _reply(content: str) -> httpx.Response:
    return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})


def test_llm_judge__sends_schema_constrained_deterministic_request_and_reads_verdict() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return _reply('{"supported": true}')

    judge = _judge(handler)
    assert judge.supports("The bridge is old.", ["The bridge was built in 1887."]) is True
    body = seen[0]
    assert body["response_format"] == {"type": "json_object", "schema": CLAIM_SCHEMA}
    assert body["temperature"] == 0.0 and body["model"] == "m"
    assert "The bridge was built in 1887." in body["messages"][1]["content"]
    assert judge.supports("The bridge is old.", ["The bridge was built in 1887."]) is True
    assert len(seen) == 1  # memoised


@pytest.mark.parametrize(
    ("handler", "kind"),
    [
        (lambda r: httpx.Response(500, text="boom"), "http"),
        (lambda r: _reply("not json at all"), "invalid_json"),
        (lambda r: _reply('{"supported": "yes"}'), "schema"),
        (lambda r: httpx.Response(200, json={"choices": []}), "invalid_json"),
    ],
)
def test_llm_judge__every_failure_raises_and_is_counted_never_a_pass(
    handler: Callable[..., httpx.Response], kind: str
) -> None:
    judge = _judge(handler)
    with pytest.raises(JudgeFailure) as err:
        judge.supports("claim", ["passage"])
    assert err.value.kind == kind
    assert judge.stats()["failures"] == 1 and judge.stats()["failures_by_kind"] == {kind: 1}


def test_llm_judge__timeout_is_counted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    judge = _judge(handler)
    with pytest.raises(JudgeFailure, match="timeout"):
        judge.correct("Q?", "A", ["A"])
    assert judge.failures["timeout"] == 1


def test_llm_judge__failure_inside_a_metric_propagates_instead_of_scoring() -> None:
    judge = _judge(lambda r: httpx.Response(503))
    with pytest.raises(JudgeFailure):
        citation_recall(cited_sentences("A claim [1]."), {1: "passage"}, judge.supports)
