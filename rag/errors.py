"""The project's errors: one root, a few kinds, each carrying what the user needs to act.

    RagError
    ├── ConfigError          a setting is wrong (bad path, bad value, missing model package)
    ├── EndpointError        the model or embeddings endpoint failed
    │   ├── EndpointUnavailable   it did not answer (refused, unreachable, 5xx after retries, died mid-stream)
    │   ├── EndpointTimeout       it did not answer within the configured timeout
    │   └── EndpointProtocolError it answered something that is not the OpenAI API (malformed JSON, ...)
    ├── IndexMismatch        the index was built with another embedder: re-index
    ├── IndexEmpty           nothing is indexed yet: run `rag index`
    ├── IndexBusy            another process is writing the same index
    ├── IngestError          documents could not be indexed at all (unreadable folder, store not writable)
    └── InvalidQuestion      the question is empty or too long

`str(error)` is one line that says what went wrong and what to do. The CLI prints it and exits non-zero;
the page shows it in the chat. Nothing below the edges catches these to hide them.
"""

from __future__ import annotations


class RagError(Exception):
    """Root of every error this project raises on purpose."""


class ConfigError(RagError):
    """A setting is wrong or something it points at is missing."""


class EndpointError(RagError):
    """An OpenAI-compatible endpoint failed.

    Attributes:
        url: The URL that failed.
        cause: A short description of what happened.
    """

    def __init__(self, message: str, *, url: str, cause: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.cause = cause


class EndpointUnavailable(EndpointError):
    """The endpoint did not answer, answered 5xx after retries, or went away mid-answer."""


class EndpointTimeout(EndpointError):
    """The endpoint did not answer within the configured timeout."""


class EndpointProtocolError(EndpointError):
    """The endpoint answered, but not with what the OpenAI API promises."""


class IndexMismatch(RagError):
    """The collection was built with a different embedder than the one configured."""


class IndexEmpty(RagError):
    """There is no index to ask yet."""


class IndexBusy(RagError):
    """Another process holds the index lock."""


class IngestError(RagError):
    """Indexing could not proceed at all (single bad files are skipped, not raised)."""


class InvalidQuestion(RagError):
    """The question cannot be asked as it is (empty, or too long)."""
