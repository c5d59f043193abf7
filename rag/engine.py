"""`Rag`: index, ask and report for one settings object.

Its collaborators are the embedder, the store and the generation endpoint (`ModelEndpoint`). Each
may be passed in; one not given is built from the settings on first use, so a command that never embeds
(`rag status`, `rag docs`) never loads the embedding model, and one that never asks starts no model server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, overload

from rag.answer.pipeline import AskOptions, answer_stream
from rag.answer.support import Thresholds
from rag.endpoint.discover import ModelEndpoint
from rag.errors import IndexEmpty, IngestError, RagError
from rag.ingest.catalog import IndexedDocument, list_documents
from rag.ingest.indexer import Indexer
from rag.ingest.scan import INGEST_VERSION, IndexReport, Progress
from rag.retrieval.embed import Embedder, embedder_name, make_embedder
from rag.retrieval.retriever import RetrievalOptions, Retriever
from rag.serving.model_server import EndpointInfo
from rag.settings import Settings
from rag.store.chroma import Collection, Store
from rag.store.factory import open_store
from rag.types import Answer, Source, Status, StreamEvent


class Rag:
    """Index, retrieve and answer for one `Settings`.

    Args:
        settings: The settings (default: `Settings()` from the environment and `.env`).
        embedder: The embedder (default: `make_embedder(settings)`, on first use).
        store: The store (default: `open_store(settings)`, on first use; one given is not ours to reopen).
        endpoint: An endpoint already found (another engine's), used instead of finding one.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: Store | None = None,
        endpoint: EndpointInfo | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store = store
        self._own_store = store is None
        self._revision: str | None = None  # the collection's revision our store's copy of it reflects
        self._indexing = 0  # own index runs in progress (their revision changes are ours)
        self.model_endpoint = ModelEndpoint(self.settings, known=endpoint)
        self._retriever: Retriever | None = None
        self._builders: list[threading.Thread] = []  # background keyword index builds
        self._lock = threading.RLock()

    # components
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings)
            return self._embedder

    @property
    def embedder_name(self) -> str:
        """The embedder's name, known without loading it (what the collection was filled with)."""
        return self._embedder.name if self._embedder is not None else embedder_name(self.settings)

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings)
                self._revision = self._store.revision(self.settings.collection)
            return self._store

    def _follow_other_writers(self) -> None:
        """If another process changed the collection since we opened it, open it again (with the lock held).

        The collection's revision changes around every write (`rag.store.chroma.Collection.mark_changed`),
        so one small read tells. Our own index runs are skipped: their writes go through our store, and
        `index` drops the retriever when they finish.
        """
        if self._store is None or self._indexing:
            return
        now = self._store.revision(self.settings.collection)
        if now == self._revision:
            return
        self._retriever = None  # its keyword index (and, embedded, its copy of the vectors) is stale
        if self._own_store:
            self._store = self._store.reopened()
        self._revision = now

    @overload
    def collection(self, *, create: Literal[True]) -> Collection: ...

    @overload
    def collection(self, *, create: bool = False) -> Collection | None: ...

    def collection(self, *, create: bool = False) -> Collection | None:
        return self.store.collection(
            self.settings.collection, self.embedder_name, create=create, layout=INGEST_VERSION
        )

    @property
    def known_endpoint(self) -> EndpointInfo | None:
        """The endpoint in use when one was started or attached already (this never starts one)."""
        return self.model_endpoint.known

    def endpoint(self) -> EndpointInfo:
        """The generation endpoint: the configured one, or the embedded one (started or attached once)."""
        return self.model_endpoint.get()

    def _chat(self, messages: list[dict[str, str]], **kwargs: Any) -> Iterator[str]:
        # the one seam every model call passes through (the eval's replaying engine records it)
        return self.model_endpoint.chat(messages, **kwargs)

    def _retriever_or_raise(self) -> Retriever:
        with self._lock:
            self._follow_other_writers()
            if self._retriever is None:
                col = self.collection()
                if col is None or col.count() == 0:
                    raise IndexEmpty(
                        f"nothing is indexed in {self.settings.collection!r} yet: run `rag index` "
                        f"(documents from {self.settings.corpus_dir})"
                    )
                options = _retrieval_options(self.settings)
                self._retriever = Retriever(collection=col, embedder=self.embedder, options=options)
            return self._retriever

    def _build_keyword_index_soon(self) -> None:
        """After an index run: the next retriever's BM25 index, built now on a thread of its own, so the
        next question finds it ready (or waits only for the rest of it). With the lock held."""
        if self.settings.retrieval == "dense" or not self.settings.keyword_index_in_background:
            return
        try:
            retriever = self._retriever_or_raise()
        except RagError:  # nothing indexed (or the store went away): the next question says so
            return
        if retriever.keyword is None or retriever.keyword.built:
            return
        # not a daemon: a process ending mid-build waits for it rather than closing the store under it
        thread = threading.Thread(target=retriever.keyword.build, name="bm25-build", daemon=False)
        thread.start()
        self._builders.append(thread)

    # operations
    def index(
        self,
        paths: Iterable[Path] | None = None,
        *,
        progress: Progress | None = None,
        show_progress: bool = False,
        rebuild: bool = False,
        then_build_keyword_index: bool = True,
    ) -> IndexReport:
        """Bring the index in step with the documents (see `rag.ingest.indexer`).

        Args:
            then_build_keyword_index: afterwards, build the BM25 index on a thread of its own (if
                `Settings.keyword_index_in_background`); False where no question follows (`rag index`).
        """
        with self._lock:
            self._follow_other_writers()  # our writes must land on the current copy of the index
            self._indexing += 1
            try:
                if rebuild:
                    self.store.drop(self.settings.collection)
                    self._retriever = None
                col = self.collection(create=True)
            except BaseException:
                self._indexing -= 1
                raise
        try:
            return Indexer(self.settings, embedder=self.embedder, collection=col).run(
                paths, progress=progress, show_progress=show_progress
            )
        finally:
            self._after_own_write(build_keyword_index=then_build_keyword_index)

    def _after_own_write(self, *, build_keyword_index: bool = True) -> None:
        with self._lock:
            self._indexing -= 1
            self._retriever = None  # sees the new collection state on next use
            try:
                self._revision = self.store.revision(self.settings.collection)
            except RagError:  # the store went away (the write's own error says so): reopen next time
                self._revision = None
            else:
                if build_keyword_index:
                    self._build_keyword_index_soon()

    def documents(self) -> list[IndexedDocument]:
        """Every file in the collection, with its chunks, size, indexed-at time and reader."""
        with self._lock:
            self._follow_other_writers()
            col = self.collection()
        return list_documents(col)

    def remove(self, files: Iterable[str]) -> list[str]:
        """Take files out of the collection, keyword side included; the files on disk are not touched.

        Args:
            files: Files as `documents()` names them, or paths to them.

        Returns:
            The names of the files removed.

        Raises:
            IngestError: one of them is not in the collection (then nothing is removed).
        """
        with self._lock:
            self._follow_other_writers()
            col = self.collection()
            if col is None:
                raise IngestError(f"nothing is indexed in {self.settings.collection!r}: nothing to remove")
            self._indexing += 1
        try:
            return Indexer(self.settings, embedder=self.embedder, collection=col).remove(files)
        finally:
            self._after_own_write()

    def retrieve(self, query: str, top_k: int | None = None) -> list[Source]:
        return self._retriever_or_raise().retrieve(query, top_k or self.settings.top_k)

    def ask_stream(
        self,
        question: str,
        *,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
        temperature: float | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield `Searching`, the model's text as `Delta`s, then the verified `Answer`."""
        s = self.settings
        retriever = self._retriever_or_raise()
        options = AskOptions(
            top_k=top_k or s.top_k,
            temperature=s.temperature if temperature is None else temperature,
            min_relevance=s.min_relevance,
            max_question_chars=s.max_question_chars,
            model=self.model_endpoint.model_name,
            thresholds=Thresholds(claim=s.support_threshold, question=s.question_threshold),
            focus_chars=s.focus_chars,
            second_look=s.second_look,
        )
        return answer_stream(
            question,
            history=history,
            options=options,
            retrieve=retriever.retrieve,
            chat=self._chat,
        )

    def ask(
        self,
        question: str,
        *,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
        temperature: float | None = None,
    ) -> Answer:
        """The verified answer (the streaming path, consumed)."""
        final: Answer | None = None
        for event in self.ask_stream(question, history=history, top_k=top_k, temperature=temperature):
            if isinstance(event, Answer):
                final = event
        if final is None:  # answer_stream always ends with an Answer; this guards future edits
            raise RagError("internal error: the answer stream ended without an answer")
        return final

    def status(self, *, check_endpoint: bool = True) -> Status:
        """Documents and chunks indexed, the embedder, and whether the endpoint answers (never starting one).

        Args:
            check_endpoint: Ask the endpoint whether it answers (a request with a short timeout).
        """
        col = self.collection()
        chunks = col.count() if col is not None else 0
        documents = col.documents() if col is not None and chunks else 0
        return Status(
            documents=documents,
            chunks=chunks,
            collection=self.settings.collection,
            embedder=self.embedder_name,
            endpoint=self.model_endpoint.status(check=check_endpoint),
            data_dir=str(self.settings.data_dir),
            corpus_dir=str(self.settings.corpus_dir),
        )

    def wait_for_keyword_index(self, timeout: float | None = None) -> bool:
        """Wait until background keyword index builds are done; False if one still runs after `timeout`."""
        for thread in list(self._builders):
            thread.join(timeout)
        self._builders = [t for t in self._builders if t.is_alive()]
        return not self._builders

    def close(self) -> None:
        """Stop the embedded endpoint if this engine started it; let a background keyword build finish (it
        reads the index, which must not close under it)."""
        self.wait_for_keyword_index()
        self.model_endpoint.close()


def _retrieval_options(s: Settings) -> RetrievalOptions:
    return RetrievalOptions(
        mode=s.retrieval,
        fusion=s.fusion,
        candidates=s.fusion_candidates,
        keyword_weight=s.keyword_weight,
        passage_tokens=s.passage_tokens,
        per_file=s.passages_per_file,
    )
