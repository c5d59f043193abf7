"""An LLM judge over any OpenAI-compatible endpoint, constrained to a JSON schema.

The reply is forced into a schema (`response_format={"type": "json_object", "schema": ...}`, which llama.cpp
honours), parsed strictly, and every failure (HTTP error, timeout, connection refused, invalid JSON, a reply
that breaks the schema) raises `JudgeFailure` and is counted in `LlmJudge.failures`. A failed call is never
read as "supported": callers leave that item out and report the count.

Its scores mean nothing until it has been measured on labelled data (`eval/judge_check.py`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx

CLAIM_SYSTEM_PROMPT = (
    "You check facts. You are given numbered passages and one claim. Decide whether the passages alone "
    "state or directly imply everything the claim says. A claim with a wrong number, a wrong or swapped "
    "name, a reversed meaning, or any detail the passages do not give is NOT supported. "
    'Reply with JSON: {"supported": true} or {"supported": false}.'
)
CLAIM_USER_TEMPLATE = "Passages:\n{passages}\n\nClaim: {claim}\n\nIs the claim supported by the passages?"
CLAIM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"supported": {"type": "boolean"}},
    "required": ["supported"],
}

CORRECTNESS_SYSTEM_PROMPT = (
    "You grade answers. You are given a question, the reference answer and a candidate answer. The candidate "
    "is correct when it gives the same fact as the reference (wording may differ; extra correct detail is "
    "fine). "
    'Reply with JSON: {"correct": true} or {"correct": false}.'
)
CORRECTNESS_USER_TEMPLATE = "Question: {question}\nReference answer: {reference}\nCandidate answer: {answer}"
CORRECTNESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"correct": {"type": "boolean"}},
    "required": ["correct"],
}


class JudgeFailure(Exception):
    """The judge gave no usable verdict; `kind` is one of http, timeout, connect, invalid_json, schema."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"judge {kind}: {detail}")
        self.kind = kind


def format_passages(passages: Sequence[str]) -> str:
    return "\n".join(f"[{i}] {' '.join(p.split())}" for i, p in enumerate(passages, start=1))


class JudgeClient:
    """What every judge on a chat endpoint shares: the client, the model, its seed and the failures counted.

    Args:
        base_url: The OpenAI-compatible base URL, e.g. "http://127.0.0.1:8080/v1".
        model: The model name to send.
        api_key: Bearer token, if the endpoint wants one.
        timeout: Seconds per call.
        seed: Sent with every call (temperature is always 0).
        client: An httpx client to use instead of a new one (tests pass a fake transport).
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 120.0,
        seed: int = 0,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.seed = seed
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout, headers=headers)
        self.calls = 0
        self.failures: Counter[str] = Counter()

    def _post(self, body: dict[str, Any]) -> tuple[str, httpx.Response]:
        """POST a chat completion; every transport or HTTP failure becomes a counted kind of JudgeFailure."""
        url = f"{self.base_url}/chat/completions"
        try:
            resp = self._client.post(url, json=body)
        except httpx.TimeoutException as err:
            raise JudgeFailure("timeout", f"{url}: {err}") from err
        except httpx.HTTPError as err:
            raise JudgeFailure("connect", f"{url}: {err}") from err
        if resp.status_code != 200:
            raise JudgeFailure("http", f"{url}: HTTP {resp.status_code} {resp.text[:200]}")
        return url, resp


class LlmJudge(JudgeClient):
    """Claim and correctness verdicts from a chat model; memoised, failures counted (see `JudgeClient`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple[str, ...], bool] = {}

    def supports(self, claim: str, passages: Sequence[str]) -> bool:
        """True when the judge says `passages` support `claim`; raises `JudgeFailure` (counted) otherwise."""
        if not passages:
            return False
        key = ("claim", claim, *passages)
        if key not in self._memo:
            user = CLAIM_USER_TEMPLATE.format(passages=format_passages(passages), claim=claim)
            self._memo[key] = self._verdict(CLAIM_SYSTEM_PROMPT, user, CLAIM_SCHEMA, "supported")
        return self._memo[key]

    def correct(self, question: str, answer: str, references: Sequence[str]) -> bool:
        """True when the judge says `answer` gives the reference fact; raises `JudgeFailure` (counted)."""
        key = ("correct", question, answer, *references)
        if key not in self._memo:
            user = CORRECTNESS_USER_TEMPLATE.format(
                question=question, reference=" | ".join(references), answer=answer
            )
            self._memo[key] = self._verdict(CORRECTNESS_SYSTEM_PROMPT, user, CORRECTNESS_SCHEMA, "correct")
        return self._memo[key]

    def stats(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "calls": self.calls,
            "failures": sum(self.failures.values()),
            "failures_by_kind": dict(self.failures),
        }

    def _verdict(self, system: str, user: str, schema: dict[str, Any], field: str) -> bool:
        self.calls += 1
        try:
            reply = self._complete(system, user, schema)
        except JudgeFailure as err:
            self.failures[err.kind] += 1
            raise
        value = reply.get(field) if isinstance(reply, dict) else None
        if not isinstance(value, bool):
            self.failures["schema"] += 1
            raise JudgeFailure("schema", f"expected {{{field!r}: bool}}, got {str(reply)[:200]}")
        return value

    def _complete(self, system: str, user: str, schema: dict[str, Any]) -> Any:
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0.0,
            "seed": self.seed,
            "max_tokens": 24,
            "response_format": {"type": "json_object", "schema": schema},
        }
        url, resp = self._post(body)
        try:
            content = resp.json()["choices"][0]["message"]["content"]
            return json.loads(content)
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise JudgeFailure("invalid_json", f"{url}: {err}: {resp.text[:200]}") from err
