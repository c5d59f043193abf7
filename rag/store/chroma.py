"""The Chroma collection: embedded in the data dir, or on a Chroma server when RAG_CHROMA_URL is set.

The embedder that filled a collection is recorded in its metadata; opening it with another embedder is an
`IndexMismatch` that says to re-index, never a silent mix of vector spaces. So is the layout of its chunks
(`rag.ingest.indexer.INGEST_VERSION`): searching an index whose chunks were cut another way is an
`IndexMismatch` that says to run `rag index`, which re-cuts every file.

On a server, every call can meet a server that has gone away: the client and its collections are wrapped so
that a lost connection is an `EndpointUnavailable` naming the server's URL, and the same objects work again
once the server is back (each call opens its connection anew).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import chromadb
import chromadb.errors
import httpx
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from filelock import FileLock, Timeout
from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.utils import node_to_metadata_dict

from rag.errors import (
    ConfigError,
    EndpointError,
    EndpointTimeout,
    EndpointUnavailable,
    IndexMismatch,
    IngestError,
    RagError,
)
from rag.settings import Settings
from rag.store.collections import INDEXED_AT_KEY

HNSW: dict[str, Any] = {"space": "cosine", "ef_construction": 600, "ef_search": 160, "max_neighbors": 64}
"""The collection's HNSW graph (for collections created from now on), chosen on the synthetic corpus of
bench/bench_retrieval_scale.py at 100k chunks, where near-duplicate sentences make the graph's job hard:
Chroma's defaults (100, 100, 16) found 0.94 of the exact top 4 already at 10k chunks. A denser graph searched
narrowly finds 0.98 of it in a little over half the time of a brute-force scan (0.51-0.60x); more care at
construction would search faster still, but costs indexing time, which this graph already raises from 10 % to
17 % of a 100k-chunk index run (README, "Beyond one machine", has the measured trade-off)."""


def server_error(url: str, error: Exception) -> EndpointError:
    """The error for a Chroma server that did not answer."""
    if isinstance(error, httpx.TimeoutException):
        return EndpointTimeout(
            f"the Chroma server {url} did not answer in time: check it is running and not overloaded",
            url=url,
            cause=str(error),
        )
    return EndpointUnavailable(
        f"the Chroma server {url} does not answer ({error}): start it (`chroma run --path DIR --port N`) "
        "or fix RAG_CHROMA_URL",
        url=url,
        cause=str(error),
    )


class OnServer:
    """A Chroma client or collection on a server; a lost connection becomes `EndpointUnavailable`.

    Attribute reads pass through; method calls are guarded, and a collection they return is wrapped too.
    """

    def __init__(self, target: Any, url: str) -> None:
        self._target = target
        self._url = url

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        return self._guarded(attr)

    def _guarded(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = method(*args, **kwargs)
            except httpx.TransportError as e:
                raise server_error(self._url, e) from e
            return OnServer(result, self._url) if isinstance(result, Collection) else result

        return call


OPEN_LOCK_TIMEOUT_S = 60.0
"""Opening an index takes well under a second; a holder that long has died or hangs: open regardless."""

LOW_DISK_BYTES = 16 * 1024 * 1024
"""Below this much free space a failed write is reported as a full disk (chromadb's own words vary)."""


def make_client(settings: Settings) -> Any:
    """A Chroma client with telemetry off (on a server: wrapped in `OnServer`).

    Raises:
        EndpointUnavailable: RAG_CHROMA_URL is set and nothing answers there.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"RAG_CHROMA_URL {settings.chroma_url!r} is not an http(s)://host:port URL")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except (ValueError, httpx.TransportError) as e:  # chromadb's "Could not connect" is a ValueError
            raise server_error(settings.chroma_url, e) from e
        return OnServer(client, settings.chroma_url)
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        with _opening_lock(settings):
            return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except OSError as e:
        raise IngestError(f"cannot open the index in {settings.chroma_dir}: {e.strerror}") from e
    except chromadb.errors.ChromaError as e:  # a full disk or a read-only database, in chromadb's words
        raise store_failure(settings, "opened", e) from e


@contextmanager
def _opening_lock(settings: Settings) -> Iterator[None]:
    """Held while an embedded index is opened. Two processes opening a new index at once (two `rag index`,
    or the page and an indexer) would both create its tables, and one would fail ("table collections
    already exists"). Where the lock cannot be had (a read-only or full data dir), the index is opened
    without it, as before."""
    lock = FileLock(str(settings.data_dir / "chroma-open.lock"), timeout=OPEN_LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except (OSError, Timeout):
        yield
        return
    try:
        yield
    finally:
        lock.release()


def store_failure(settings: Settings, what: str, error: Exception) -> IngestError:
    """The embedded index could not be `what` ("opened", "written"): one line with the cause and the fix."""
    reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    where = settings.chroma_dir
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        free = None
    if "full" in reason.lower() or (free is not None and free < LOW_DISK_BYTES):
        left = f"{free // 1024} KB left" if free is not None else "full"
        fix = f"the disk is full ({left}): free space there, then run `rag index` again"
    elif "readonly" in reason.lower() or not os.access(where, os.W_OK):
        fix = "it is read-only for this user: make it writable or set RAG_DATA_DIR to a writable folder"
    else:
        fix = "check free disk space and permissions there, then run `rag index` again"
    return IngestError(
        f"the index in {where} could not be {what} ({reason}); {fix}. What was indexed before is kept"
    )


LAYOUT_KEY = "layout"


def open_collection(
    client: Any, settings: Settings, embedder_name: str, *, create: bool, layout: int | None = None
) -> Any | None:
    """The collection for these settings, checked against the embedder (and for querying, the layout).

    Args:
        create: make the collection when it does not exist (indexing); otherwise return None (querying).
        layout: The chunk layout this version writes; when querying (create=False), a collection recorded
            with another one (or none: written before layouts were recorded) is refused.

    Raises:
        IndexMismatch: the collection was built with another embedder, or (querying) another layout.
    """
    try:
        col = client.get_collection(settings.collection, embedding_function=None)
    except RagError:  # the server went away: not the same as no collection
        raise
    except Exception:  # chromadb raises NotFoundError or ValueError depending on the backend
        if not create:
            return None
        try:
            col = client.get_or_create_collection(
                settings.collection,
                configuration={"hnsw": dict(HNSW)},
                metadata={"embedder": embedder_name, **({LAYOUT_KEY: layout} if layout is not None else {})},
                embedding_function=None,
            )
        except chromadb.errors.ChromaError as e:  # another process may have created it at the same moment
            try:
                col = client.get_collection(settings.collection, embedding_function=None)
            except Exception:
                raise e from None
    built_with = (col.metadata or {}).get("embedder")
    if built_with and built_with != embedder_name:
        raise IndexMismatch(
            f"the index {settings.collection!r} was built with {built_with}, but the configured embedder is "
            f"{embedder_name}: run `rag index --rebuild` (or set RAG_EMBED_MODEL back)"
        )
    built_layout = (col.metadata or {}).get(LAYOUT_KEY)
    if not create and layout is not None and built_layout != layout:
        raise IndexMismatch(
            f"the index {settings.collection!r} holds chunks cut the way of an older version (layout "
            f"{built_layout or 'before 3'}; this version searches layout {layout}): run `rag index` to cut "
            "and embed every file again"
        )
    return col


def record_layout(collection: Any, layout: int) -> None:
    """Record the chunk layout the indexer is writing (before its first write, so a process that opens the
    collection mid-run finds the layout it is being filled with; what is not re-cut yet still reads)."""
    metadata = dict(collection.metadata or {})
    if metadata.get(LAYOUT_KEY) != layout:
        metadata[LAYOUT_KEY] = layout
        collection.modify(metadata=metadata)


def chunk_metadata(node: BaseNode) -> dict[str, Any]:
    """What a chunk is stored as, beside its vector: its metadata and LlamaIndex's record of the node, the
    text inside that record (`_node_content`). The text is not also given to Chroma as the chunk's document:
    Chroma builds a trigram full-text index of every document, which nothing here searches (keyword search is
    our own BM25), and which took 41 % of Chroma's write time on chunks of ~1,200 characters (README,
    "Indexing")."""
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


REVISION_KEY = "revision"


def mark_changed(collection: Any) -> None:
    """Give the collection a new revision, so anything derived from its passages (the keyword index) is
    rebuilt by every process that reads it. The indexer calls this before its first write and after each."""
    metadata = dict(collection.metadata or {})
    metadata[REVISION_KEY] = uuid.uuid4().hex
    metadata[INDEXED_AT_KEY] = time.time()
    collection.modify(metadata=metadata)


def fresh_client(settings: Settings) -> Any:
    """A client whose copy of the embedded index is read from disk anew.

    Within one process Chroma shares a single in-memory copy of an embedded index per folder, and that copy
    never sees what another process writes (a search simply misses the new chunks). This drops the shared
    copy, so the client made here loads the current one; clients already open keep working on theirs. On a
    Chroma server every client sees every write: the client is simply made again.
    """
    if not settings.chroma_url:
        SharedSystemClient.clear_system_cache()
    return make_client(settings)


def read_revision(client: Any, name: str) -> str | None:
    """The collection's current revision as stored (another process may have changed it); None for a
    collection indexed before revisions were kept, or one that no longer exists."""
    try:
        col = client.get_collection(name, embedding_function=None)
    except RagError:
        raise
    except Exception:  # dropped (`rag index --rebuild` elsewhere): NotFoundError or ValueError, by backend
        return None
    value = (col.metadata or {}).get(REVISION_KEY)
    return f"{col.id}:{value}" if value else None


def drop_collection(client: Any, settings: Settings) -> None:
    try:
        client.delete_collection(settings.collection)
    except RagError:
        raise
    except Exception:  # absent already
        pass
