"""Which generation endpoint to talk to, found once per settings and forgotten when it dies.

The configured endpoint (`RAG_LLM_BASE_URL`) is used as it is, its model named by `RAG_LLM_MODEL` or asked
of the endpoint. Otherwise the embedded llama.cpp server is attached to when one is recorded running in the
data dir, or started (`rag.serving.model_server`). An embedded server that stops answering is forgotten, so
the next question attaches to or starts another one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rag.endpoint.health import list_models
from rag.errors import EndpointError, EndpointTimeout, EndpointUnavailable
from rag.serving.model_files import served_name
from rag.serving.model_server import EmbeddedServer, EndpointInfo, find_running, is_alive, start_or_attach
from rag.settings import Settings
from rag.types import EndpointStatus

if TYPE_CHECKING:
    from llama_index.llms.openai_like import OpenAILike


class ModelEndpoint:
    """The generation endpoint of one `Settings`, found or started on first use and shared after.

    Args:
        settings: Where the endpoint is (or that the embedded one is wanted).
        known: An endpoint already found (another engine's): used as it is, never stopped here.
    """

    def __init__(self, settings: Settings, *, known: EndpointInfo | None = None) -> None:
        self.settings = settings
        self._info = known
        self._server: EmbeddedServer | None = None  # set only when we started it: ours to stop
        self._llm: OpenAILike | None = None
        self._lock = threading.RLock()

    @property
    def known(self) -> EndpointInfo | None:
        """The endpoint in use when one was started or attached already (this never starts one)."""
        return self._info

    @property
    def model_name(self) -> str:
        """The model name answers are reported with: the configured one, or the embedded model's."""
        return self.settings.llm_model or served_name(self.settings)

    def get(self) -> EndpointInfo:
        """The endpoint: the configured one, or the embedded one (started or attached once).

        Raises:
            EndpointError: the configured endpoint cannot list its models (when no model is configured).
            EndpointUnavailable: the embedded server could not be started.
        """
        with self._lock:
            if self._info is None:
                s = self.settings
                if s.embedded_llm:
                    self._info, self._server = start_or_attach(s)
                else:
                    model = s.llm_model
                    if not model:
                        models = list_models(s.llm_base_url, api_key=s.llm_api_key, timeout=s.connect_timeout)
                        model = models[0] if models else "default"
                    self._info = EndpointInfo(s.llm_base_url.rstrip("/"), model, s.llm_api_key)
            return self._info

    def chat(self, messages: list[dict[str, str]], **kwargs: Any) -> Iterator[str]:
        """Stream the model's reply to `messages` (retried per the settings; see `rag.endpoint.chat`).

        Args:
            messages: The chat, as {"role": ..., "content": ...}.
            **kwargs: Passed to `stream_chat` (temperature, max_tokens...).

        Returns:
            The reply's text pieces, as they arrive.
        """
        from rag.endpoint.chat import RetryPolicy, make_llm, stream_chat  # loads the OpenAI client

        info = self.get()
        with self._lock:
            if self._llm is None:
                self._llm = make_llm(self.settings, info)
            llm = self._llm
        try:
            retry = RetryPolicy.from_settings(self.settings)
            yield from stream_chat(llm, messages, url=info.base_url, retry=retry, **kwargs)
        except EndpointUnavailable:
            if info.embedded and not is_alive(info.base_url):
                self._forget(info)  # the next question starts or attaches a server again
            raise

    def _forget(self, info: EndpointInfo) -> None:
        with self._lock:
            if self._info == info:
                if self._server is not None:
                    self._server.stop()
                self._server, self._info, self._llm = None, None, None

    def status(self, *, check: bool = True) -> EndpointStatus:
        """Where the endpoint is and whether it answers, without starting one.

        Args:
            check: Ask the endpoint whether it answers (else `healthy` is False and `error` None).
        """
        s = self.settings
        # an embedded server started elsewhere (`rag serve-model`, the page) is reported, never started here
        found = self._info or (find_running(s) if s.embedded_llm else None)
        if found is not None:
            url, model = found.base_url, found.model
        elif s.embedded_llm:
            url, model = "(embedded, not started)", served_name(s)
        else:
            url, model = s.llm_base_url, s.llm_model
        if not check:
            return EndpointStatus(url=url, model=model)
        if found is not None and found.embedded:
            if is_alive(found.base_url):
                return EndpointStatus(url=url, model=model, healthy=True)
            return EndpointStatus(url, model, error=f"the embedded endpoint {found.base_url} does not answer")
        if not url.startswith("http"):
            return EndpointStatus(url=url, model=model)
        try:
            models = list_models(url, api_key=s.llm_api_key, timeout=s.connect_timeout)
        except EndpointTimeout as e:
            # a llama.cpp server holds /v1/models while it generates: busy, not down
            healthy = is_alive(url)
            return EndpointStatus(url, model, healthy=healthy, error=None if healthy else str(e))
        except EndpointError as e:
            return EndpointStatus(url, model, error=str(e))
        return EndpointStatus(url, model or (models[0] if models else ""), healthy=True)

    def close(self) -> None:
        """Stop the embedded server if this object started it, and forget the endpoint it served."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server, self._info, self._llm = None, None, None
