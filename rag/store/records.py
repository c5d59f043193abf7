"""What a chunk is stored as in a collection, and how its text is read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.utils import node_to_metadata_dict


def chunk_metadata(node: BaseNode) -> dict[str, Any]:
    """What a chunk is stored as, beside its vector: its metadata and LlamaIndex's record of the node, the
    text inside that record (`_node_content`). The text is not also given to Chroma as the chunk's document:
    Chroma builds a trigram full-text index of every document, which nothing here searches (keyword search is
    our own BM25), and which took 41 % of Chroma's write time on chunks of ~1,200 characters (bench/README.md,
    "Chunk text stored once")."""
    return node_to_metadata_dict(node, remove_text=False, flat_metadata=True)


def chunk_text(document: str | None, metadata: Mapping[str, Any] | None) -> str:
    """A stored chunk's text: its Chroma document where it has one (indexes written before the text moved
    into the node record), else the text inside the node record."""
    if document is not None:
        return document
    try:
        record = json.loads(str((metadata or {}).get("_node_content") or "{}"))
    except ValueError:
        return ""
    return str(record.get("text") or "") if isinstance(record, dict) else ""
