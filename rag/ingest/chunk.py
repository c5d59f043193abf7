"""Sections into sentence-aware chunks (LlamaIndex's SentenceSplitter) with stable ids and metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from rag.ingest.readers import ReadDocument


def chunk_id(file_key: str, file_hash: str, index: int) -> str:
    """Deterministic: the same file content always yields the same ids, so re-runs upsert, never duplicate."""
    return hashlib.sha1(f"{file_key}\x00{file_hash}\x00{index}".encode()).hexdigest()


def embed_text(node: TextNode) -> str:
    """What the embedder sees: the passage with its title and heading, which often carry the topic."""
    md = node.metadata
    head = " - ".join(x for x in (md.get("title"), md.get("heading")) if x)
    return f"{head}\n{node.text}" if head else node.text


def chunk_document(
    doc: ReadDocument,
    *,
    file_key: str,
    file_hash: str,
    abs_path: str,
    chunk_size: int,
    chunk_overlap: int,
    tokenize: Callable[[str], list[int]],
) -> list[TextNode]:
    """Split each section into chunks of at most `chunk_size` embedder tokens."""
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=tokenize)
    pieces: list[tuple[str, int | None, str | None]] = []
    for section in doc.sections:
        for text in splitter.split_text(section.text):
            if text.strip():
                pieces.append((text.strip(), section.page, section.heading))
    nodes = []
    for i, (text, page, heading) in enumerate(pieces):
        metadata: dict[str, str | int] = {
            "file": file_key,
            "title": doc.title,
            "file_hash": file_hash,  # content + chunking recipe (Indexer.content_digest)
            "abs_path": abs_path,
            "chunk_index": i,
            "n_chunks": len(pieces),
        }
        if page is not None:
            metadata["page"] = page
        if heading:
            metadata["heading"] = heading
        node = TextNode(id_=chunk_id(file_key, file_hash, i), text=text, metadata=metadata)
        node.excluded_embed_metadata_keys = list(metadata)
        node.excluded_llm_metadata_keys = list(metadata)
        nodes.append(node)
    return nodes
