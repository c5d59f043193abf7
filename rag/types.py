"""The values `ask()` returns and streams, and the `status()` report.

`Answer`, `Source` and `Status` are plain frozen dataclasses so that the CLI, the page and the eval harness
can serialise them with `to_dict()` without knowing how they were produced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One numbered passage shown to the model.

    Attributes:
        n: The number used in the answer's `[n]` markers (1-based).
        file: Path of the document relative to the corpus folder (POSIX separators).
        page: Page number (1-based) for paged formats such as PDF, else None.
        text: The passage text as it was given to the model.
        score: Retrieval similarity in [0, 1]; higher is closer.
        title: Document title, when one was found.
        heading: The nearest section heading above the passage, when one was found.
        cited: True when the verified answer cites this passage.
        support: The sentences of the answer this passage supports (after verification).
        evidence: Where in `text` it supports them: (start, end) character offsets of the supporting
            sentences, for highlighting.
    """

    n: int
    file: str
    page: int | None
    text: str
    score: float
    title: str | None = None
    heading: str | None = None
    cited: bool = False
    support: tuple[str, ...] = ()
    evidence: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["support"] = list(self.support)
        d["evidence"] = [list(span) for span in self.evidence]
        return d


@dataclass(frozen=True)
class Quote:
    """A passage's own words that state part of the answer, shown under it.

    Attributes:
        n: The source number the answer cites for it.
        file: The source's file.
        text: The supporting sentence(s), verbatim from the passage.
    """

    n: int
    file: str
    text: str


@dataclass(frozen=True)
class Answer:
    """The verified answer to one question.

    Attributes:
        text: The answer with inline `[n]` citation markers, every one of them checked; sentences that no
            passage supports carry the marker `[unsupported]`.
        sources: The numbered passages the answer could cite (see `Source.cited`).
        refused: True when the documents do not hold the answer; `text` then says so plainly.
        unsupported: Sentences of the answer that no passage supports.
        question: The question as asked.
        search_query: What was searched for (the question rewritten with the chat history, or the question).
        timings: Seconds spent per stage: retrieve, prompt, generate, verify, total.
        model: The model name the endpoint reported or was configured with.
        raw_text: What the model wrote before verification (the second look's reply when that one stood).
        quotes: The passages' own sentences that state the answer, in the order the answer cites them.
        second_look: True when the model was asked again with only the best passage (its first reply did
            not stand: NOT FOUND, or nothing the passages state, while a passage held the question's words).
        prompt_chars: Characters of the prompt that produced the answer (what the model had to read).
    """

    text: str
    sources: tuple[Source, ...]
    refused: bool
    unsupported: tuple[str, ...] = ()
    question: str = ""
    search_query: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    model: str = ""
    raw_text: str = ""
    quotes: tuple[Quote, ...] = ()
    second_look: bool = False
    prompt_chars: int = 0

    @property
    def cited_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.cited)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape (`rag ask --json`): text, sources, refused, unsupported, quotes."""
        return {
            "text": self.text,
            "sources": [s.to_dict() for s in self.sources],
            "refused": self.refused,
            "unsupported": list(self.unsupported),
            "quotes": [asdict(q) for q in self.quotes],
        }

    def to_full_dict(self) -> dict[str, Any]:
        """Everything, for the eval harness and debugging."""
        d = self.to_dict()
        d.update(
            question=self.question,
            search_query=self.search_query,
            timings=dict(self.timings),
            model=self.model,
            raw_text=self.raw_text,
            second_look=self.second_look,
            prompt_chars=self.prompt_chars,
        )
        return d


@dataclass(frozen=True)
class Delta:
    """A piece of streamed model text, before verification."""

    text: str


@dataclass(frozen=True)
class Withdrawn:
    """The text streamed so far is withdrawn: it did not stand, and the model is asked once more with only
    the best passage (the second look). What follows replaces it."""


@dataclass(frozen=True)
class Searching:
    """Emitted once, before retrieval: what is being searched for."""

    query: str


@dataclass(frozen=True)
class EndpointStatus:
    """Where the generation endpoint is and whether it answers.

    Attributes:
        url: Its base URL, or "(embedded, not started)" when the embedded server does not run yet.
        model: The model it serves (or will serve), "" when neither configured nor asked.
        healthy: True when it answered just now (False when it was not asked).
        error: Why it does not answer, when it was asked and did not.
    """

    url: str
    model: str
    healthy: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Status:
    """What `status()` reports: the collection's contents, the embedder, the endpoint, the folders.

    Attributes:
        documents: Files indexed in the collection.
        chunks: Chunks stored for them.
        collection: The collection's name.
        embedder: The embedder's name, as recorded with the collections it fills.
        endpoint: The generation endpoint.
        data_dir: The data folder (index, uploads, logs).
        corpus_dir: The documents folder `rag index` reads.
    """

    documents: int
    chunks: int
    collection: str
    embedder: str
    endpoint: EndpointStatus
    data_dir: str
    corpus_dir: str

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape (`rag status --json`), the endpoint as a nested object."""
        return asdict(self)


StreamEvent = Delta | Searching | Withdrawn | Answer
"""What `ask_stream()` yields: a `Searching`, then `Delta`s (a `Withdrawn` ends a draft that did not stand
when a second look follows), then exactly one final `Answer`."""
