"""Sections into small search units (LlamaIndex's SentenceSplitter) with stable ids and metadata.

A unit is a sentence or a few: small enough that its vector and its words are about one thing, so that a
question finds it. The model reads more than the unit: the retriever joins the unit's neighbours around it
(`rag.retrieval.window`). Units never cross a paragraph (text between blank lines) or a section (a heading, a
PDF
page); each records its paragraph and its length in embedder tokens, so the retriever can grow a passage
within the paragraph and stop at its edge without reading text it will not use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from rag.ingest.readers import ReadDocument

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def chunk_id(file_key: str, file_hash: str, index: int) -> str:
    """Deterministic: the same file content always yields the same ids, so re-runs upsert, never duplicate.

    The retriever relies on it too: a unit's neighbours are found by computing their ids."""
    return hashlib.sha1(f"{file_key}\x00{file_hash}\x00{index}".encode()).hexdigest()


def embed_text(node: TextNode) -> str:
    """What the embedder sees: the unit with its heading, which often carries the topic.

    Not the document's title: a unit is a sentence or a few, and a long title (a paper's is 20 words or more)
    would make every unit of its file look alike to the embedder and all of them look like any question on
    the file's subject. The keyword side reads the title (`keyword_text`), which is how the file is found."""
    heading = node.metadata.get("heading")
    return f"{heading}\n{node.text}" if heading else node.text


def keyword_text(node: TextNode) -> str:
    """What keyword search sees: the unit with its document's title and its heading above it."""
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
    """Split each paragraph of each section into units of at most `chunk_size` embedder tokens."""
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=tokenize)
    pieces: list[tuple[str, int, int | None, str | None]] = []
    paragraph = 0
    for section in doc.sections:
        for block in _PARAGRAPH_BREAK.split(section.text):
            if not block.strip():
                continue
            texts = [t.strip() for t in splitter.split_text(block) if t.strip()]
            pieces.extend((t, paragraph, section.page, section.heading) for t in texts)
            paragraph += bool(texts)
    nodes = []
    for i, (text, para, page, heading) in enumerate(pieces):
        metadata: dict[str, str | int] = {
            "file": file_key,
            "title": doc.title,
            "file_hash": file_hash,  # content + chunking recipe (Indexer.content_digest)
            "abs_path": abs_path,
            "chunk_index": i,
            "n_chunks": len(pieces),
            "paragraph": para,
            "n_tokens": len(tokenize(text)),
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
