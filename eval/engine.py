"""Where the harness meets the core: settings for a run, the engine, the judge, and one cached answer.

Everything the rest of `eval/` does works on plain dicts (`Answer.to_full_dict()`), so only this module
(and the entry point) imports `rag`. Model replies are cached too (`ReplayingRag`), by what was sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from eval.cache import AnswerCache, cache_key, fingerprint_files, settings_that_matter
from eval.dataset import Example
from eval.judge import LlmJudge
from rag import Rag

RAG_DIR = Path(__file__).resolve().parents[1] / "rag"


def collection_name(corpus_dir: Path) -> str:
    """A Chroma collection name of its own for a corpus folder: "eval_<folder>_<hash of its path>"."""
    path = Path(corpus_dir).resolve()
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "_", path.name).strip("_-")[:30] or "corpus"
    return f"eval_{slug}_{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


def load_settings(corpus_dir: Path | None = None, **overrides: Any) -> Any:
    """The run's one `Settings`: the configured one, temperature 0, and with `corpus_dir` its own collection.

    Args:
        corpus_dir: Index and ask this folder instead of the configured corpus.
        overrides: Further fields to set.

    Returns:
        A `rag.Settings`.
    """
    from rag import Settings

    update: dict[str, Any] = {"temperature": 0.0, **overrides}
    if corpus_dir is not None:
        update.update(corpus_dir=Path(corpus_dir).resolve(), collection=collection_name(corpus_dir))
    return Settings(**update)


def code_fingerprint() -> str:
    """Fingerprint of the core's source: a change to prompts or verification invalidates cached answers."""
    return fingerprint_files(RAG_DIR, ("**/*.py",))


def build_judge(
    settings: Any, engine: Any, *, base_url: str | None = None, model: str | None = None
) -> LlmJudge:
    """An `LlmJudge` on `base_url`/`model`; by default the configured endpoint, or `engine`'s embedded one."""
    url = base_url or settings.llm_base_url
    name = model or settings.llm_model
    key = settings.llm_api_key
    if not url:
        info = engine.endpoint()
        url, name, key = info.base_url, name or info.model, info.api_key
    return LlmJudge(url, name or "default", api_key=key, timeout=settings.request_timeout, seed=settings.seed)


class CachedAsker:
    """`engine.ask()` behind the answer cache, reconnecting once when the endpoint goes away.

    The embedded endpoint is shared between processes and stops when the process that started it exits, so
    an endpoint can vanish mid-run; `reconnect` builds a fresh engine (which starts or attaches to one) and
    the question is asked once more.

    Args:
        engine: A `rag.Rag`.
        settings: The run's settings (part of the cache key).
        cache: Where answers are kept.
        corpus_fingerprint: `fingerprint_files(settings.corpus_dir)`.
        reconnect: Returns a fresh engine; None: an unavailable endpoint ends the run.
    """

    def __init__(
        self,
        engine: Any,
        settings: Any,
        cache: AnswerCache,
        corpus_fingerprint: str,
        reconnect: Callable[[], Any] | None = None,
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.corpus = corpus_fingerprint
        self.settings = settings_that_matter(settings.model_dump())
        self.code = code_fingerprint()
        self.reconnect = reconnect
        self.reconnects = 0

    def ask(self, example: Example) -> tuple[dict[str, Any], bool]:
        """The answer to `example` as `Answer.to_full_dict()`, and whether it came from the cache."""
        from rag import EndpointUnavailable

        key = cache_key(
            question=example.question,
            history=example.history,
            settings=self.settings,
            corpus=self.corpus,
            code=self.code,
        )
        hit = self.cache.get(key)
        if hit is not None:
            return hit, True
        try:
            answer = self._ask(example)
        except EndpointUnavailable as err:
            if self.reconnect is None:
                raise
            print(f"\n{err}; reconnecting and asking again", file=sys.stderr)
            self.engine = self.reconnect()
            self.reconnects += 1
            answer = self._ask(example)
        value: dict[str, Any] = answer.to_full_dict()
        self.cache.put(key, value)
        return value, False

    def _ask(self, example: Example) -> Any:
        return self.engine.ask(example.question, history=list(example.history) or None, temperature=0.0)


_MODEL_SETTINGS = frozenset(
    {"llm_base_url", "llm_model", "model", "model_path", "max_answer_tokens", "temperature", "seed"}
)


class ReplayingRag(Rag):
    """A `rag.Rag` whose model calls are cached by what was sent (messages and sampling settings).

    The answer cache is keyed by the core's code, so any change to `rag/` asks every question again. Most
    changes (the support decision, completion) do not change what the model is sent; with this cache they are
    re-decided from the model's recorded replies in seconds, while a changed prompt or passage is a new
    request and goes to the model. Temperature 0 and a fixed seed make a reply a function of its request.

    Args:
        settings: The run's settings.
        calls: Where model replies are kept (`OUT/cache/chat`).
    """

    def __init__(self, settings: Any, *, calls: AnswerCache) -> None:
        super().__init__(settings)
        self._calls = calls
        dumped = settings_that_matter(settings.model_dump())
        self._model_settings = {k: v for k, v in dumped.items() if k in _MODEL_SETTINGS}

    def _chat(self, messages: list[dict[str, str]], **kwargs: Any) -> Iterator[str]:
        sent = {**self._model_settings, **{k: v for k, v in kwargs.items() if v is not None}}
        key = cache_key(
            question=json.dumps(messages, sort_keys=True), history=(), settings=sent, corpus="", code="chat"
        )
        hit = self._calls.get(key)
        if hit is not None:
            yield from hit["pieces"]
            return
        pieces = list(super()._chat(messages, **kwargs))
        self._calls.put(key, {"pieces": pieces})
        yield from pieces


def retrieve(engine: Any, example: Example, top_k: int | None = None) -> dict[str, Any]:
    """Retrieval only: the sources `engine.retrieve()` returns, shaped like an answer dict with no text.

    A follow-up is searched as `ask()` would search it without a model to rewrite it: joined with the last
    question of its conversation (alone it would name nothing it is about)."""
    import time

    from rag.answer.followup import search_query

    query = search_query(example.question, list(example.history), None)
    start = time.perf_counter()
    sources = engine.retrieve(query, top_k=top_k)
    elapsed = time.perf_counter() - start
    return {
        "text": "",
        "sources": [s.to_dict() for s in sources],
        "refused": False,
        "unsupported": [],
        "question": example.question,
        "search_query": query,
        "timings": {"retrieve": elapsed, "total": elapsed},
    }
