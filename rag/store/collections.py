"""Named collections: each one a separate index (its own passages, embedder and documents) in one store.

A name is 3-63 letters, digits, `-` or `_`, starting and ending with a letter or digit: it is used as the
Chroma collection's name and as the chat API's model id (`rag:NAME`), so it never holds a path separator, a
dot or a space. Indexes written before collections had names are the collection `corpus`, the default.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError

if TYPE_CHECKING:  # the store's module reads INDEXED_AT_KEY from here
    from rag.store.chroma import Store

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,61}[A-Za-z0-9]")
INDEXED_AT_KEY = "indexed_at"
"""Collection metadata: when the indexer last wrote to it (seconds since the epoch)."""


class UnknownCollection(ConfigError):
    """No collection of that name exists in the store.

    Attributes:
        name: The name asked for.
        known: The names that do exist.
    """

    def __init__(self, name: str, known: list[str]) -> None:
        listed = ", ".join(known) if known else "none yet"
        super().__init__(
            f"there is no collection {name!r} (collections: {listed}): check the name, or create it with "
            f"`rag index --collection {name} FOLDER`"
        )
        self.name = name
        self.known = known


def check_name(name: str) -> str:
    """The name, if it can name a collection.

    Raises:
        ValueError: it is too short or long, or holds anything but letters, digits, `-` and `_`.
    """
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ValueError(
            f"{name!r} cannot name a collection: use 3-63 letters, digits, '-' or '_', starting and ending "
            "with a letter or digit"
        )
    return name


def checked_name(name: str) -> str:
    """`check_name`, raising the project's `ConfigError` (for the CLI and the API)."""
    try:
        return check_name(name)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def collection_names(store: Store) -> list[str]:
    """The names of every collection in the store, sorted."""
    return store.names()


@dataclass(frozen=True)
class CollectionInfo:
    """One collection, as `rag collections` lists it."""

    name: str
    documents: int
    chunks: int
    embedder: str
    last_indexed: str | None  # ISO 8601 (UTC), None for an index written before this was recorded

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe(store: Store, name: str) -> CollectionInfo:
    """Documents, chunks, embedder and last index time of one collection.

    Args:
        store: The store it is in.
        name: The collection's name.

    Returns:
        What the collection holds.

    Raises:
        UnknownCollection: there is no such collection.
    """
    col = store.find(name)
    if col is None:
        raise UnknownCollection(name, store.names())
    chunks = col.count()
    documents = col.documents() if chunks else 0
    md = col.metadata
    stamp = md.get(INDEXED_AT_KEY)
    when = datetime.fromtimestamp(float(stamp), UTC).isoformat(timespec="seconds") if stamp else None
    return CollectionInfo(name, documents, chunks, str(md.get("embedder", "")), when)


def delete(store: Store, name: str) -> CollectionInfo:
    """Remove a collection and its passages (the documents on disk are not touched).

    Args:
        store: The store it is in.
        name: The collection's name.

    Returns:
        What the collection held.

    Raises:
        UnknownCollection: there is no such collection.
    """
    info = describe(store, name)
    store.delete(name)
    return info
