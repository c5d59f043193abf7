"""The store: Chroma's client and its collections, behind the few typed calls the project makes of them.

`Store` is embedded in the data dir (`rag.store.embedded`) or on a Chroma server when RAG_CHROMA_URL is set
(`rag.store.server`); `rag.store.factory.open_store` picks one from the settings. Both answer the same
calls; on a server every call can meet a server that has gone away, and the server store turns that into an
`EndpointUnavailable` naming its URL (the same store works again once the server is back: each call opens its
connection anew).

The embedder that filled a collection is recorded in its metadata; opening it with another embedder is an
`IndexMismatch` that says to re-index, never a silent mix of vector spaces. So is the layout of its chunks
(`rag.ingest.scan.INGEST_VERSION`): searching an index whose chunks were cut another way is an
`IndexMismatch` that says to run `rag index`, which re-cuts every file.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, TypedDict, cast, overload

import chromadb.errors
import httpx
from chromadb.api import ClientAPI
from chromadb.api.collection_configuration import CreateCollectionConfiguration
from chromadb.api.models.Collection import Collection as ChromaCollection
from chromadb.api.types import Include, Metadata, Where

from rag.errors import IndexMismatch
from rag.store.collections import INDEXED_AT_KEY

HNSW: dict[str, Any] = {"space": "cosine", "ef_construction": 600, "ef_search": 160, "max_neighbors": 64}
"""The collection's HNSW graph (for collections created from now on), chosen on the synthetic corpus of
bench/bench_retrieval_scale.py at 100k chunks, where near-duplicate sentences make the graph's job hard:
Chroma's defaults (100, 100, 16) found 0.94 of the exact top 4 already at 10k chunks. A denser graph searched
narrowly finds 0.98 of it in a little over half the time of a brute-force scan (0.51-0.60x); more care at
construction would search faster still, but costs indexing time, which this graph already raises from 10 % to
17 % of a 100k-chunk index run (bench/README.md, "100k chunks", has the measured trade-off)."""

LAYOUT_KEY = "layout"
REVISION_KEY = "revision"
PAGE = 5000
"""Records read or deleted per request: large enough to be few, small enough for Chroma's request limits."""


class Records(TypedDict):
    """Records as `Collection.get` returns them: one entry per id in every list, in the order of `ids`.

    Attributes:
        ids: The records' ids.
        documents: Their Chroma documents (None where a record has none, or they were not asked for).
        metadatas: Their metadata ({} where a record has none, or it was not asked for).
        embeddings: Their vectors when asked for, else empty.
    """

    ids: list[str]
    documents: list[str | None]
    metadatas: list[dict[str, Any]]
    embeddings: list[list[float]]


class Collection:
    """One collection's records: read, written and deleted through the store's guard.

    Args:
        raw: Chroma's collection.
        guard: The store's guard around every call (on a server: a lost connection is our error).
    """

    def __init__(self, raw: ChromaCollection, guard: Callable[[], AbstractContextManager[None]]) -> None:
        self._raw = raw
        self._guard = guard

    @property
    def raw(self) -> ChromaCollection:
        """Chroma's own collection, for LlamaIndex's `ChromaVectorStore` (its calls are not guarded)."""
        return self._raw

    @property
    def name(self) -> str:
        return self._raw.name

    @property
    def metadata(self) -> dict[str, Any]:
        """The collection's metadata as last read or written by this process."""
        return dict(self._raw.metadata or {})

    def count(self) -> int:
        """The chunks the collection holds."""
        with self._guard():
            return self._raw.count()

    def documents(self) -> int:
        """The files the collection holds chunks of (each has exactly one chunk 0)."""
        return len(self.get(where={"chunk_index": 0}, include=[])["ids"])

    def get(
        self,
        ids: Sequence[str] | None = None,
        *,
        include: Include,
        where: Where | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Records:
        """The records with these ids (or matching `where`, or all), with the fields in `include`.

        Args:
            ids: The records wanted; None for every record (or those matching `where`).
            include: Which of "documents", "metadatas", "embeddings" to return beside the ids.
            where: A Chroma metadata filter.
            limit, offset: One page of the records.

        Returns:
            The ids and the included fields, in the same order.
        """
        with self._guard():
            got = self._raw.get(
                ids=list(ids) if ids is not None else None,
                where=where,
                limit=limit,
                offset=offset,
                include=include,
            )
        n = len(got["ids"])
        documents = got["documents"]
        metadatas = got["metadatas"]
        embeddings = got["embeddings"]
        return Records(
            ids=list(got["ids"]),
            documents=list(documents) if documents is not None else [None] * n,
            metadatas=[dict(m or {}) for m in metadatas] if metadatas is not None else [{} for _ in range(n)],
            embeddings=[[float(x) for x in e] for e in embeddings] if embeddings is not None else [],
        )

    def pages(self, include: Include) -> Iterator[Records]:
        """Every record, one page of `PAGE` at a time, each page read when the last one has been used."""
        offset = 0
        while True:
            got = self.get(include=include, limit=PAGE, offset=offset)
            yield got
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def upsert(
        self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], metadatas: Sequence[Metadata]
    ) -> None:
        """Write these records (replacing any under the same ids)."""
        vectors: list[Sequence[float]] = [list(e) for e in embeddings]
        with self._guard():
            self._raw.upsert(ids=list(ids), embeddings=vectors, metadatas=list(metadatas))

    def delete(self, ids: Sequence[str]) -> None:
        """Delete the records with these ids, a page of them per request."""
        for i in range(0, len(ids), PAGE):
            with self._guard():
                self._raw.delete(ids=list(ids[i : i + PAGE]))

    def record_layout(self, layout: int) -> None:
        """Record the chunk layout the indexer is writing (before its first write, so a process that opens the
        collection mid-run finds the layout it is being filled with; what is not re-cut yet still reads)."""
        metadata = self.metadata
        if metadata.get(LAYOUT_KEY) != layout:
            metadata[LAYOUT_KEY] = layout
            self._modify(metadata)

    def mark_changed(self) -> None:
        """Give the collection a new revision, so anything derived from its passages (the keyword index) is
        rebuilt by every process that reads it. The indexer calls this before its first write and after
        each."""
        metadata = self.metadata
        metadata[REVISION_KEY] = uuid.uuid4().hex
        metadata[INDEXED_AT_KEY] = time.time()
        self._modify(metadata)

    def _modify(self, metadata: dict[str, Any]) -> None:
        with self._guard():
            self._raw.modify(metadata=metadata)


class Store(ABC):
    """Chroma's client, and the collections in it.

    Args:
        client: Chroma's client (embedded or on a server).
    """

    def __init__(self, client: ClientAPI) -> None:
        self._client = client

    @property
    def client(self) -> ClientAPI:
        """Chroma's own client, for what is asked of Chroma itself (its settings), not of the collections."""
        return self._client

    @abstractmethod
    def guard(self) -> AbstractContextManager[None]:
        """Around every call: turns a failure of the store itself into the project's error."""

    @abstractmethod
    def reopened(self) -> Store:
        """The same store opened anew, seeing every write made since (also by other processes)."""

    @overload
    def collection(
        self, name: str, embedder_name: str, *, create: Literal[True], layout: int | None = None
    ) -> Collection: ...

    @overload
    def collection(
        self, name: str, embedder_name: str, *, create: bool, layout: int | None = None
    ) -> Collection | None: ...

    def collection(
        self, name: str, embedder_name: str, *, create: bool, layout: int | None = None
    ) -> Collection | None:
        """The collection `name`, checked against the embedder (and for querying, the layout).

        Args:
            name: The collection's name.
            embedder_name: The embedder the caller embeds with; the collection must have been filled by it.
            create: make the collection when it does not exist (indexing); otherwise return None (querying).
            layout: The chunk layout this version writes; when querying (create=False), a collection recorded
                with another one (or none: written before layouts were recorded) is refused.

        Returns:
            The collection, or None when it does not exist and `create` is False.

        Raises:
            IndexMismatch: the collection was built with another embedder, or (querying) another layout.
        """
        col = self.find(name)
        if col is None:
            if not create:
                return None
            col = self._create(name, embedder_name, layout)
        built_with = col.metadata.get("embedder")
        if built_with and built_with != embedder_name:
            raise IndexMismatch(
                f"the index {name!r} was built with {built_with}, but the configured embedder is "
                f"{embedder_name}: run `rag index --rebuild` (or set RAG_EMBED_MODEL back)"
            )
        built_layout = col.metadata.get(LAYOUT_KEY)
        if not create and layout is not None and built_layout != layout:
            raise IndexMismatch(
                f"the index {name!r} holds chunks cut the way of an older version (layout "
                f"{built_layout or 'before 3'}; this version searches layout {layout}): run `rag index` to "
                "cut and embed every file again"
            )
        return col

    def _create(self, name: str, embedder_name: str, layout: int | None) -> Collection:
        metadata: dict[str, Any] = {"embedder": embedder_name}
        if layout is not None:
            metadata[LAYOUT_KEY] = layout
        try:
            with self.guard():
                raw = self._client.get_or_create_collection(
                    name,
                    configuration=cast(CreateCollectionConfiguration, {"hnsw": dict(HNSW)}),
                    metadata=metadata,
                    embedding_function=None,
                )
        except chromadb.errors.ChromaError as e:  # another process may have created it at the same moment
            found = self.find(name)
            if found is None:
                raise e from None
            return found
        return Collection(raw, self.guard)

    def find(self, name: str) -> Collection | None:
        """The collection `name` as it is (unchecked), or None when there is none."""
        with self.guard():
            try:
                raw = self._client.get_collection(name, embedding_function=None)
            except httpx.TransportError:  # the server went away (the guard says so): not "no collection"
                raise
            except Exception:  # chromadb raises NotFoundError or ValueError depending on the backend
                return None
        return Collection(raw, self.guard)

    def names(self) -> list[str]:
        """The names of every collection in the store, sorted."""
        with self.guard():
            listed = self._client.list_collections()
        return sorted(c if isinstance(c, str) else c.name for c in listed)

    def revision(self, name: str) -> str | None:
        """The collection's current revision as stored (another process may have changed it); None for a
        collection indexed before revisions were kept, or one that no longer exists."""
        col = self.find(name)
        if col is None:  # dropped (`rag index --rebuild` elsewhere)
            return None
        value = col.metadata.get(REVISION_KEY)
        return f"{col.raw.id}:{value}" if value else None

    def delete(self, name: str) -> None:
        """Delete the collection `name` and its records."""
        with self.guard():
            self._client.delete_collection(name)

    def drop(self, name: str) -> None:
        """Delete the collection `name` if there is one."""
        with self.guard():
            try:
                self._client.delete_collection(name)
            except httpx.TransportError:
                raise
            except Exception:  # absent already
                pass
