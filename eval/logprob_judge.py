"""The LLM judge read the cheap way: the probability of "yes" in the model's first token.

One call per (claim, passages) with `max_tokens=1, logprobs=True, top_logprobs=10` on an OpenAI-compatible
/v1/chat/completions (llama.cpp returns them): P(yes) / (P(yes) + P(no)), summed over the top tokens that read
"yes" or "no" after trimming and lower-casing. Every failure (HTTP error, timeout, connection refused, a reply
without logprobs, no "yes"/"no" among the top tokens) raises `JudgeFailure` and is counted; a failure is never
read as a verdict.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from eval.judge import JudgeClient, JudgeFailure, format_passages

LOGPROB_SYSTEM_PROMPT = (
    "You check facts. You are given passages and a claim. Answer yes if the passages state or directly imply "
    "everything the claim says, and no otherwise. Answer with one word: yes or no."
)
LOGPROB_USER_TEMPLATE = "Passages:\n{passages}\n\nClaim: {claim}\n\nIs the claim supported by the passages?"


class LogprobJudge(JudgeClient):
    """P("yes") for "is this claim supported by the passages"; memoised, failures and time counted
    (arguments: `JudgeClient`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seconds = 0.0
        self._memo: dict[tuple[str, ...], float] = {}

    def p_yes(self, claim: str, passages: Sequence[str]) -> float:
        """P(yes) in [0, 1] that `passages` support `claim`; raises `JudgeFailure` (counted) otherwise."""
        if not passages:
            return 0.0
        key = (claim, *passages)
        if key not in self._memo:
            self.calls += 1
            start = time.perf_counter()
            try:
                self._memo[key] = self._ask(claim, passages)
            except JudgeFailure as err:
                self.failures[err.kind] += 1
                raise
            finally:
                self.seconds += time.perf_counter() - start
        return self._memo[key]

    def stats(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "calls": self.calls,
            "seconds": round(self.seconds, 1),
            "failures": sum(self.failures.values()),
            "failures_by_kind": dict(self.failures),
        }

    def _ask(self, claim: str, passages: Sequence[str]) -> float:
        user = LOGPROB_USER_TEMPLATE.format(passages=format_passages(passages), claim=claim)
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": LOGPROB_SYSTEM_PROMPT},
                {"role": "user", "content": user},
            ],
            "temperature": 0.0,
            "seed": self.seed,
            "max_tokens": 1,
            "logprobs": True,
            "top_logprobs": 10,
        }
        url, resp = self._post(body)
        try:
            top = resp.json()["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            return yes_probability({t["token"]: float(t["logprob"]) for t in top})
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise JudgeFailure("no_logprobs", f"{url}: {err}: {resp.text[:200]}") from err


def yes_probability(top_logprobs: dict[str, float]) -> float:
    """P(yes) / (P(yes) + P(no)) from a token -> logprob map; ValueError when neither word is there."""
    p = {"yes": 0.0, "no": 0.0}
    for token, logprob in top_logprobs.items():
        word = token.strip().lower()
        if word in p:
            p[word] += math.exp(logprob)
    if p["yes"] + p["no"] == 0:
        raise ValueError(f"no 'yes' or 'no' among the top tokens {list(top_logprobs)[:10]}")
    return p["yes"] / (p["yes"] + p["no"])
