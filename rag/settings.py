"""The one settings object. Built once at each entry point (CLI, page, eval) and passed down.

Every field can be set by an environment variable with the `RAG_` prefix (e.g. `RAG_TOP_K=6`) or in a `.env`
file in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.store.collections import check_name

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    return Path(user_data_dir("rag-chat", appauthor=False))


class Settings(BaseSettings):
    """Everything a run can be told. See README for the common ones."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # Where things live
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Index, assembled model, caches and uploads live here (not in the repository).",
    )
    corpus_dir: Path = Field(
        default=REPO_ROOT / "corpus", description="The folder of documents `rag index` indexes by default."
    )

    # The vector store
    chroma_url: str = Field(
        default="",
        description="Empty: embedded Chroma in the data dir. Set (http://host:port): a Chroma server.",
    )
    collection: str = Field(
        default="corpus",
        description="The collection (a named index) to use: 3-63 letters, digits, '-' or '_', starting and "
        "ending with a letter or digit. Indexes written before collections had names are `corpus`.",
    )

    # Generation endpoint
    llm_base_url: str = Field(
        default="",
        description="OpenAI-compatible base URL ending in /v1 (llama.cpp, Ollama, vLLM, LM Studio). "
        "Empty: the embedded llama.cpp endpoint.",
    )
    llm_model: str = Field(
        default="", description="Model name sent to the endpoint. Empty: the embedded model's name."
    )
    llm_api_key: str = Field(default="not-needed", description="API key for the endpoint, if it wants one.")
    model: str = Field(
        default="qwen2.5-coder-0.5b-instruct",
        description="Which bundled GGUF the embedded endpoint serves (see rag/serving/model_files.py).",
    )
    model_path: Path | None = Field(
        default=None, description="Another GGUF file for the embedded endpoint; overrides `model`."
    )
    llm_context_window: int = Field(
        default=4096, description="Context window of the embedded endpoint (tokens)."
    )
    llm_threads: int = Field(
        default=0, description="CPU threads for the embedded endpoint; 0 means all cores."
    )
    llm_port: int = Field(default=0, description="Port of the embedded endpoint; 0 picks a free one.")
    max_answer_tokens: int = Field(default=256, description="Upper bound on generated tokens per answer.")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    seed: int = Field(default=42, description="Sampling seed sent to the endpoint.")
    request_timeout: float = Field(
        default=120.0, gt=0, description="Seconds to wait for an endpoint before giving up (per attempt)."
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for a TCP connection.")
    max_retries: int = Field(
        default=2,
        ge=0,
        description="Times a request is sent again when the endpoint refused the connection or answered "
        "429/502/503/504 before any text (never after a timeout or once text has streamed).",
    )
    retry_backoff: float = Field(
        default=0.5, ge=0, description="Seconds before the first retry; doubled before each next one."
    )

    # Embeddings
    embed_base_url: str = Field(
        default="", description="OpenAI-compatible embeddings base URL. Empty: the bundled embedder."
    )
    embed_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Embedder name: the bundled all-MiniLM-L6-v2, or the model name at `embed_base_url`.",
    )
    embed_api_key: str = Field(
        default="", description="API key for the embeddings endpoint. Empty: RAG_LLM_API_KEY."
    )
    embed_batch_size: int = Field(default=64, ge=1, description="Texts per embedding batch.")
    index_batch_chunks: int = Field(
        default=512, ge=1, description="Chunks embedded and written per step while indexing (bounds memory)."
    )
    index_lock_timeout: float = Field(
        default=120.0, ge=0, description="Seconds `rag index` waits for another indexer before giving up."
    )

    # Chunking and retrieval
    chunk_size: int = Field(
        default=64,
        ge=16,
        description="Size of the units searched, in tokens (word pieces): a sentence or a few. The model "
        "reads the passage around each hit (passage_tokens).",
    )
    chunk_overlap: int = Field(
        default=0,
        ge=0,
        description="Overlap between neighbouring units, in tokens. Keep 0 when passage_tokens is set: a "
        "passage joins neighbouring units and would repeat the overlap.",
    )
    passage_tokens: int = Field(
        default=180,
        ge=0,
        le=1024,
        description="Tokens of text the model reads around each hit: the hit's unit with its neighbours "
        "in its paragraph, nearest first; hits at a passage's edge are joined to it. 0: each unit alone.",
    )
    passages_per_file: int = Field(
        default=3,
        ge=0,
        le=50,
        description="The most passages one file may give a question (0: no limit), so that a long "
        "document cannot take every place.",
    )
    top_k: int = Field(default=4, ge=1, le=50, description="Passages given to the model.")
    retrieval: Literal["dense", "keyword", "hybrid"] = Field(
        default="hybrid",
        description="How passages are found: dense (embeddings), keyword (BM25) or hybrid (both, fused: "
        "fusion). The refusal decision always uses the dense similarity.",
    )
    fusion: Literal["scores", "rank"] = Field(
        default="scores",
        description="Hybrid: how the two searches are fused. scores: each unit's cosine similarity plus its "
        "BM25 score relative to the query's best, weighted (keyword_weight); rank: weighted reciprocal rank "
        "fusion of the two lists.",
    )
    keyword_weight: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description="Hybrid: the keyword side's weight in the fusion, the dense side's is 1 minus it "
        "(with fusion=rank, 0.5 is plain reciprocal rank fusion and 0.7 was its best on long articles).",
    )
    fusion_candidates: int = Field(
        default=20,
        ge=1,
        le=50,
        description="Units each search contributes before fusion and widening (at least top_k are taken).",
    )
    keyword_index_in_background: bool = Field(
        default=True,
        description="Hybrid and keyword: build the BM25 index in the background after an index run, so the "
        "next question does not wait for it.",
    )
    min_relevance: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        description="Below this similarity of the best passage the question is refused without generating.",
    )
    max_question_chars: int = Field(default=4000, ge=1, description="Longer questions are rejected.")

    # Verification
    support_threshold: float = Field(
        default=0.75,
        ge=0.0,
        le=1.0,
        description="Share of a sentence's content words one passage window (a sentence or two adjacent "
        "ones) must hold for it to count as supported; its numbers and names must all be there.",
    )
    question_threshold: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Share of the question's content words the supporting window (with its neighbours and "
        "the passage's title and heading) must hold for the answer to stand.",
    )
    focus_chars: int = Field(
        default=600,
        ge=0,
        description="Characters of each passage the model reads: its sentences most related to the "
        "question, with their neighbours. 0: whole passages.",
    )
    second_look: bool = Field(
        default=True,
        description="When the model's reply does not stand (NOT FOUND, or nothing the passages state) "
        "while a passage holds the question's words, ask once more with only that passage.",
    )

    # Page
    ui_auth: str = Field(
        default="", description="Page logins as user:password, comma-separated. Empty: none."
    )
    upload_max_mb: int = Field(default=20, ge=1, description="Largest file the page accepts, in MB.")

    # Chat API (`rag serve`, `rag ui --api`)
    api_keys: str = Field(
        default="",
        description="Keys the chat API accepts as `Authorization: Bearer KEY`, comma-separated. Empty: no "
        "key is asked for, which is allowed only while the API is bound to a loopback address.",
    )
    api_concurrency: int = Field(
        default=2,
        ge=1,
        description="Answers the chat API generates at once; further requests wait their turn (llama.cpp "
        "generates one answer at a time, so more would only wait inside the endpoint and time out there).",
    )
    api_max_request_kb: int = Field(
        default=512, ge=1, description="Largest chat API request body accepted, in KB (larger: 413)."
    )

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, v: int, info: object) -> int:
        size = getattr(info, "data", {}).get("chunk_size", 200)
        if v >= size:
            raise ValueError(f"chunk_overlap ({v}) must be smaller than chunk_size ({size})")
        return v

    @field_validator("collection")
    @classmethod
    def _valid_collection(cls, v: str) -> str:
        return check_name(v)

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def embedded_llm(self) -> bool:
        return not self.llm_base_url
