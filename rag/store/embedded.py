"""The store embedded in the data dir: Chroma's PersistentClient, opened under a lock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

import chromadb
import chromadb.errors
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from filelock import FileLock, Timeout

from rag.errors import IngestError
from rag.settings import Settings
from rag.store.chroma import Store

OPEN_LOCK_TIMEOUT_S = 60.0
"""Opening an index takes well under a second; a holder that long has died or hangs: open regardless."""

LOW_DISK_BYTES = 16 * 1024 * 1024
"""Below this much free space a failed write is reported as a full disk (chromadb's own words vary)."""


class EmbeddedStore(Store):
    """The index in the data dir (`Settings.chroma_dir`), telemetry off."""

    def __init__(self, settings: Settings) -> None:
        """Open (or create) the index in the data dir.

        Args:
            settings: Where the data dir is.

        Raises:
            IngestError: the index cannot be opened there (unwritable, full disk, read-only database).
        """
        self._settings = settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            with _opening_lock(settings):
                client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
        except OSError as e:
            raise IngestError(f"cannot open the index in {settings.chroma_dir}: {e.strerror}") from e
        except chromadb.errors.ChromaError as e:  # a full disk or a read-only database, in chromadb's words
            raise store_failure(settings, "opened", e) from e
        super().__init__(client)

    def guard(self) -> AbstractContextManager[None]:
        # chromadb's own failures on disk are for the indexer to explain (`store_failure`): it knows the write
        return nullcontext()

    def reopened(self) -> EmbeddedStore:
        """A store whose copy of the embedded index is read from disk anew.

        Within one process Chroma shares a single in-memory copy of an embedded index per folder, and that
        copy never sees what another process writes (a search simply misses the new chunks). This drops the
        shared copy, so the store made here loads the current one; stores already open keep working on theirs.
        """
        SharedSystemClient.clear_system_cache()
        return EmbeddedStore(self._settings)


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
    """The embedded index could not be `what` ("opened", "written"): one line with the cause and the fix.

    Args:
        settings: Where the index is.
        what: What could not be done to it.
        error: chromadb's error.

    Returns:
        The error to raise, saying whether the disk is full or the folder read-only.
    """
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
