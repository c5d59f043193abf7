"""Incremental indexing of a folder (or given files) into the Chroma collection.

What is in the index is read back from the index itself (each chunk carries its file, the file's SHA-256 and
the file's chunk count), so there is no second manifest to drift out of step. Per file:
- unchanged (one hash, all its chunks present): nothing is done;
- new or changed: its chunks are embedded and upserted under ids derived from (file, hash, n), then chunks
  of any other hash of that file are deleted — the old version answers until the new one is in;
- gone from disk: its chunks are deleted.
A run killed at any point leaves either the old or the new complete version plus, at worst, a partial new
one that the next run completes; ids are deterministic, so nothing is ever duplicated.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import chromadb.errors
from filelock import FileLock, Timeout
from llama_index.core.schema import TextNode

from rag.errors import IndexBusy, IngestError
from rag.ingest.chunk import chunk_document, embed_text
from rag.ingest.readers import Unreadable, check_size, read_document
from rag.ingest.scan import INGEST_VERSION, IndexedFile, IndexReport, Progress, file_sha256, scan_folder
from rag.retrieval.embed import Embedder
from rag.settings import Settings
from rag.store.chroma import Collection
from rag.store.collections import INDEXED_AT_KEY
from rag.store.embedded import store_failure
from rag.store.records import chunk_metadata


class Indexer:
    """Keeps one collection in step with the documents on disk."""

    def __init__(self, settings: Settings, *, embedder: Embedder, collection: Collection) -> None:
        self.settings = settings
        self.embedder = embedder
        self.collection = collection
        self._marked = False  # the collection's revision was changed before this run's first write

    def content_digest(self, path: Path) -> str:
        """The file's SHA-256 combined with how it is chunked: a change to either re-indexes the file."""
        s = self.settings
        recipe = f"{INGEST_VERSION}:{s.chunk_size}:{s.chunk_overlap}:{self.embedder.name}"
        return hashlib.sha256(f"{file_sha256(path)}:{recipe}".encode()).hexdigest()

    def file_key(self, path: Path) -> str:
        """How a file is named in the index and in citations: relative to the corpus (or data dir)."""
        resolved = Path(os.path.realpath(path))  # Path.resolve() raises on a symlink loop
        for base in (self.settings.corpus_dir.resolve(), self.settings.data_dir.resolve()):
            if resolved.is_relative_to(base):
                return resolved.relative_to(base).as_posix()
        return resolved.as_posix()

    def indexed_files(self) -> dict[str, IndexedFile]:
        out: dict[str, IndexedFile] = {}
        for got in self.collection.pages(include=["metadatas"]):
            for cid, md in zip(got["ids"], got["metadatas"], strict=True):
                if not md or "file" not in md:
                    continue
                entry = out.setdefault(str(md["file"]), IndexedFile())
                h = str(md.get("file_hash", ""))
                entry.ids_by_hash.setdefault(h, []).append(cid)
                entry.n_chunks[h] = int(md.get("n_chunks", -1))
                entry.abs_path = str(md.get("abs_path", ""))
        return out

    def run(
        self,
        paths: Iterable[Path] | None = None,
        *,
        progress: Progress | None = None,
        show_progress: bool = False,
    ) -> IndexReport:
        """Index the corpus and uploads folders (paths=None) or just the given files and folders.

        With paths=None, files indexed from anywhere else (an old corpus folder) are removed, so the index
        mirrors the configured folders. With paths, only those files are added, updated or (if gone) deleted.
        """
        with self._locked():
            return self._run(paths, progress=progress, show_progress=show_progress)

    def remove(self, files: Iterable[str]) -> list[str]:
        """Take files out of the index (their chunks, hence also the keyword side); the files stay on disk.

        Args:
            files: Files as the index names them (`rag docs`), or paths to them.

        Returns:
            The index's names of the files removed.

        Raises:
            IngestError: one of them is not in the index (then nothing is removed).
        """
        with self._locked():
            indexed = self.indexed_files()
            keys = []
            for f in files:
                key = f if f in indexed else self.file_key(Path(f))
                if key not in indexed:
                    raise IngestError(
                        f"{f!r} is not in the collection {self.settings.collection!r}: nothing was removed "
                        "(`rag docs` lists its files)"
                    )
                keys.append(key)
            for key in dict.fromkeys(keys):
                self._delete([cid for ids in indexed[key].ids_by_hash.values() for cid in ids])
            return list(dict.fromkeys(keys))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The data dir's index lock, held while the index is written (one writer at a time)."""
        lock_path = self.settings.data_dir / "index.lock"
        wait = self.settings.index_lock_timeout
        lock = FileLock(str(lock_path), timeout=wait)
        self._marked = False
        try:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with lock:
                yield
        except Timeout as e:
            raise IndexBusy(
                f"another indexer holds {lock_path} (waited {wait:g} s): let it finish, then run again"
            ) from e
        except OSError as e:  # the lock file cannot be made: a read-only or full data dir
            raise IngestError(
                f"cannot write in the data dir {self.settings.data_dir} ({e.strerror}): make it writable "
                "or set RAG_DATA_DIR to a writable folder"
            ) from e
        except chromadb.errors.ChromaError as e:  # the embedded store failed mid-run (disk full, read-only)
            raise store_failure(self.settings, "written", e) from e

    def _run(
        self, paths: Iterable[Path] | None, *, progress: Progress | None, show_progress: bool
    ) -> IndexReport:
        t0 = time.perf_counter()
        self.collection.record_layout(INGEST_VERSION)
        report = IndexReport()
        files, other, scope = self._select(paths)
        report.skipped.extend((self.file_key(p), why) for p, why in other)
        indexed = self.indexed_files()
        on_disk: dict[str, Path] = {}
        for p in files:
            on_disk.setdefault(self.file_key(p), p)

        for key, entry in indexed.items():
            if key not in on_disk and scope(key, entry):
                self._delete([cid for ids in entry.ids_by_hash.values() for cid in ids])
                report.deleted += 1

        todo: list[tuple[str, Path, str, bool]] = []
        for key, path in on_disk.items():
            known = indexed.get(key)
            try:
                check_size(path)  # before hashing: a 200 MB file is refused without reading it
                digest = self.content_digest(path)
            except Unreadable as e:
                report.skipped.append((key, str(e)))
                if known is not None:  # a file that became empty or too large keeps no stale chunks
                    self._delete([cid for ids in known.ids_by_hash.values() for cid in ids])
                continue
            except OSError as e:
                report.skipped.append((key, f"cannot read ({e.strerror or type(e).__name__})"))
                continue
            if known is not None and known.complete_hash() == digest:
                report.unchanged += 1
            else:
                todo.append((key, path, digest, known is not None))

        bar = None
        if show_progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="file", desc="indexing", file=sys.stderr, leave=False)
        window: list[tuple[str, list[TextNode], list[str]]] = []
        pending = 0
        for done, (key, path, digest, existed) in enumerate(todo, start=1):
            try:
                doc = read_document(path)
                nodes = chunk_document(
                    doc,
                    file_key=key,
                    file_hash=digest,
                    abs_path=str(path.resolve()),
                    chunk_size=self.settings.chunk_size,
                    chunk_overlap=self.settings.chunk_overlap,
                    tokenize=lambda t: self.embedder.tokenizer.encode(t, add_special_tokens=False),
                )
            except Unreadable as e:
                report.skipped.append((key, str(e)))
                # a file that became unreadable keeps no stale chunks
                if existed:
                    old = indexed[key]
                    self._delete([cid for ids in old.ids_by_hash.values() for cid in ids])
            else:
                stale = (
                    []
                    if not existed
                    else [cid for h, ids in indexed[key].ids_by_hash.items() if h != digest for cid in ids]
                )
                window.append((key, nodes, stale))
                pending += len(nodes)
                if existed:
                    report.updated += 1
                else:
                    report.added += 1
            if pending >= self.settings.index_batch_chunks:
                report.chunks_written += self._write(window)
                window, pending = [], 0
            if bar is not None:
                bar.update(1)
            if progress is not None:
                progress(done, len(todo), key)
        if window:
            report.chunks_written += self._write(window)
        if bar is not None:
            bar.close()
        report.seconds = time.perf_counter() - t0
        return report

    def _select(
        self, paths: Iterable[Path] | None
    ) -> tuple[list[Path], list[tuple[Path, str]], Callable[[str, IndexedFile], bool]]:
        """The files to consider, the ones passed over, and which indexed files this run may delete."""
        if paths is None:
            root = self.settings.corpus_dir
            if not root.is_dir():
                raise IngestError(f"the corpus folder {root} does not exist: create it or set RAG_CORPUS_DIR")
            files, other = scan_folder(root)
            if self.settings.uploads_dir.is_dir():
                up_files, up_other = scan_folder(self.settings.uploads_dir)
                files += up_files
                other += up_other
            return files, other, lambda _key, _entry: True
        files, other, roots, singles = [], [], [], set()
        for p in paths:
            p = Path(p)
            if p.is_dir():
                f, o = scan_folder(p)
                files += f
                other += o
                roots.append(str(p.resolve()))
            elif p.exists():
                files.append(p)
                singles.add(self.file_key(p))
            else:
                singles.add(self.file_key(p))

        def in_scope(key: str, entry: IndexedFile) -> bool:
            return key in singles or any(entry.abs_path.startswith(r + os.sep) for r in roots)

        return files, other, in_scope

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Around every store write: a new revision before the run's first write and after each one, so
        another process holding a copy of the index (its vectors, its keyword index) sees the change, also
        mid-run."""
        if not self._marked:
            self.collection.mark_changed()
            self._marked = True
        yield
        self.collection.mark_changed()

    def _write(self, window: list[tuple[str, list[TextNode], list[str]]]) -> int:
        nodes = [n for _, ns, _ in window for n in ns]
        # embedded shortest first: each batch is padded to its longest text, and units vary in length
        nodes.sort(key=lambda n: len(embed_text(n)))
        vectors = self.embedder.embed_texts([embed_text(n) for n in nodes]) if nodes else []
        by_id = {node.node_id: vec for node, vec in zip(nodes, vectors, strict=True)}
        now = time.time()
        with self._changing():
            for _key, file_nodes, stale in window:
                if file_nodes:
                    self.collection.upsert(
                        ids=[n.node_id for n in file_nodes],
                        embeddings=[by_id[n.node_id] for n in file_nodes],
                        metadatas=[{**chunk_metadata(n), INDEXED_AT_KEY: now} for n in file_nodes],
                    )
                self._delete(stale)
        return len(nodes)

    def _delete(self, ids: list[str]) -> None:
        if not ids:
            return
        with self._changing():
            self.collection.delete(ids)
