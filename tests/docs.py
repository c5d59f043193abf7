"""Small generated documents and a view of what the index holds, for the indexing tests."""

from __future__ import annotations

from pathlib import Path

from rag import Rag

PARA = (
    "Section {i} of document {name}. The {name} project studies open models. It measured {i} things in "
    "detail and wrote them down carefully so that a reader can check each claim against the source. "
)


def write_doc(folder: Path, name: str, paragraphs: int = 3, salt: str = "", template: str = PARA) -> Path:
    """A Markdown document `name.md` of `paragraphs` paragraphs; `salt` changes its content."""
    body = "\n\n".join(template.format(i=i, name=name) + salt for i in range(paragraphs))
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n{body}\n")
    return path


def chunks(engine: Rag) -> dict[str, tuple[str, str]]:
    """id -> (file, file_hash) for every chunk in the engine's collection."""
    got = engine.collection().get(include=["metadatas"])
    return {i: (m["file"], m["file_hash"]) for i, m in zip(got["ids"], got["metadatas"], strict=True)}
