"""The answer cache: one JSON file per answer, keyed by everything that could change it.

The key is a hash of the question, the chat history, the settings that affect an answer, the corpus
fingerprint and the fingerprint of the `rag/` source code,
so a rerun recomputes exactly the answers whose inputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

IGNORED_SETTINGS = frozenset(
    {
        "data_dir",
        "corpus_dir",
        "chroma_url",
        "collection",
        "llm_api_key",
        "llm_threads",
        "llm_port",
        "request_timeout",
        "connect_timeout",
        "max_retries",
        "embed_batch_size",
        "ui_auth",
        "upload_max_mb",
    }
)
"""Settings that do not change an answer (where things live, how long to wait). Every other one does."""

_CORPUS_SKIP = {".git", "__pycache__", ".DS_Store"}


def settings_that_matter(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings (as a dict) minus `IGNORED_SETTINGS`, JSON-safe: paths as strings."""
    return {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in sorted(settings.items())
        if k not in IGNORED_SETTINGS
    }


def fingerprint_files(root: Path, patterns: Iterable[str] = ("**/*",)) -> str:
    """SHA-256 over the relative paths and contents of the files under `root` (hidden files skipped).

    Args:
        root: A folder.
        patterns: Glob patterns, relative to `root`.

    Returns:
        A 16-hex-digit fingerprint; the same files with the same bytes give the same value.
    """
    root = Path(root)
    digest = hashlib.sha256()
    files = sorted({p for pat in patterns for p in root.glob(pat) if p.is_file()})
    for path in files:
        rel = path.relative_to(root)
        if any(part in _CORPUS_SKIP or part.startswith(".") for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def cache_key(
    *,
    question: str,
    history: Iterable[Mapping[str, str]],
    settings: Mapping[str, Any],
    corpus: str,
    code: str,
    mode: str = "ask",
) -> str:
    """The cache key of one answer: a hash of every input that could change it."""
    payload = json.dumps(
        {"q": question, "h": list(history), "s": settings, "corpus": corpus, "code": code, "mode": mode},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class AnswerCache:
    """Answers on disk under `root`, one `<key>.json` each; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.root / f"{key}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self.misses += 1
            return None
        self.hits += 1
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.root / f"{key}.json")
