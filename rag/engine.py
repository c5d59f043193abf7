"""`Rag`: the components for one settings object, built lazily once and shared by every question."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, overload

from rag.answer.pipeline import AskOptions, answer_stream
from rag.answer.support import Thresholds
from rag.endpoint.chat import RetryPolicy, make_llm, stream_chat
from rag.endpoint.health import list_models
from rag.errors import EndpointError, EndpointTimeout, EndpointUnavailable, IndexEmpty, IngestError, RagError
from rag.ingest.catalog import IndexedDocument, list_documents
from rag.ingest.indexer import INGEST_VERSION, Indexer, IndexReport, Progress
from rag.retrieval.embed import Embedder, make_embedder
from rag.retrieval.retriever import RetrievalOptions, Retriever
from rag.serving.model_files import served_name
from rag.serving.model_server import EmbeddedServer, EndpointInfo, find_running, is_alive, start_or_attach
from rag.settings import Settings
from rag.store.chroma import Collection, Store
from rag.store.factory import open_store
from rag.types import Answer, Source, StreamEvent


class Rag:
    """Index, retrieve and answer for one `Settings`.

    Collaborators may be passed in (tests, other stores); anything not given is built on first use.
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
        self._endpoint = endpoint
        self._server: EmbeddedServer | None = None
        self._llm: Any | None = None
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
            self.settings.collection, self.embedder.name, create=create, layout=INGEST_VERSION
        )

    @property
    def known_endpoint(self) -> EndpointInfo | None:
        """The endpoint in use when one was started or attached already (this never starts one)."""
        return self._endpoint

    def endpoint(self) -> EndpointInfo:
        """The generation endpoint: the configured one, or the embedded one (started or attached once)."""
        with self._lock:
            if self._endpoint is None:
                s = self.settings
                if s.embedded_llm:
                    self._endpoint, self._server = start_or_attach(s)
                else:
                    model = s.llm_model
                    if not model:
                        models = list_models(s.llm_base_url, api_key=s.llm_api_key, timeout=s.connect_timeout)
                        model = models[0] if models else "default"
                    self._endpoint = EndpointInfo(s.llm_base_url.rstrip("/"), model, s.llm_api_key)
            return self._endpoint

    def _chat(self, messages: list[dict[str, str]], **kwargs: Any) -> Iterator[str]:
        info = self.endpoint()
        with self._lock:
            if self._llm is None:
                self._llm = make_llm(self.settings, info)
            llm = self._llm
        try:
            retry = RetryPolicy.from_settings(self.settings)
            yield from stream_chat(llm, messages, url=info.base_url, retry=retry, **kwargs)
        except EndpointUnavailable:
            if info.embedded and not is_alive(info.base_url):
                self._forget_endpoint(info)  # the next question starts or attaches a server again
            raise

    def _forget_endpoint(self, info: EndpointInfo) -> None:
        with self._lock:
            if self._endpoint == info:
                if self._server is not None:
                    self._server.stop()
                self._server, self._endpoint, self._llm = None, None, None

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
                s = self.settings
                options = RetrievalOptions(
                    mode=s.retrieval,
                    candidates=s.fusion_candidates,
                    keyword_weight=s.keyword_weight,
                    passage_tokens=s.passage_tokens,
                    per_file=s.passages_per_file,
                )
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
            model=s.llm_model or served_name(s),
            thresholds=Thresholds(claim=s.support_threshold, question=s.question_threshold),
            focus_chars=s.focus_chars,
            second_look=s.second_look,
        )
        return answer_stream(
            question, history=history, options=options, retrieve=retriever.retrieve, chat=self._chat
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

    def status(self, *, check_endpoint: bool = True) -> dict[str, Any]:
        """Documents and chunks indexed, and whether the endpoint answers (without starting one)."""
        col = self.collection()
        chunks = col.count() if col is not None else 0
        documents = col.documents() if col is not None and chunks else 0
        s = self.settings
        endpoint: dict[str, Any] = {"url": "", "model": "", "healthy": False, "error": None}
        # an embedded server started elsewhere (`rag serve-model`, the page) is reported, never started here
        known = self._endpoint or (find_running(s) if s.embedded_llm else None)
        if known is not None:
            endpoint.update(url=known.base_url, model=known.model)
        elif s.embedded_llm:
            endpoint.update(url="(embedded, not started)", model=served_name(s))
        else:
            endpoint.update(url=s.llm_base_url, model=s.llm_model)
        if check_endpoint and known is not None and known.embedded:
            endpoint["healthy"] = is_alive(known.base_url)
            if not endpoint["healthy"]:
                endpoint["error"] = f"the embedded endpoint {known.base_url} does not answer"
        elif check_endpoint and endpoint["url"].startswith("http"):
            try:
                models = list_models(endpoint["url"], api_key=s.llm_api_key, timeout=s.connect_timeout)
                endpoint["healthy"] = True
                endpoint["model"] = endpoint["model"] or (models[0] if models else "")
            except EndpointTimeout as e:
                # a llama.cpp server holds /v1/models while it generates: busy, not down
                endpoint["healthy"] = is_alive(endpoint["url"])
                endpoint["error"] = None if endpoint["healthy"] else str(e)
            except EndpointError as e:
                endpoint["error"] = str(e)
        return {
            "documents": documents,
            "chunks": chunks,
            "collection": s.collection,
            "embedder": self.embedder.name,
            "endpoint": endpoint,
            "data_dir": str(s.data_dir),
            "corpus_dir": str(s.corpus_dir),
        }

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
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
                self._endpoint = None
                self._llm = None
