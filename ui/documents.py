"""What the page's Documents tab calls: list the collection's files, remove one (after a confirmation the
layout asks for), index the corpus again. Plain values in and out, as in `ui.handlers`; errors from the core
are reported in the tab, never raised into Gradio."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.errors import RagError
from ui.format import escape
from ui.handlers import pick_engine

if TYPE_CHECKING:
    from rag import Rag
    from rag.serving.engines import Engines

log = logging.getLogger(__name__)

COLUMNS = ["file", "chunks", "size", "reader", "indexed at (UTC)"]


def _size(n: int | None) -> str:
    if n is None:
        return "gone from disk"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


@dataclass
class DocumentHandlers:
    """The Documents tab's handlers, bound to the page's engine."""

    engine: Rag
    engines: Engines | None = None

    def listing(self, collection: str | None = None) -> tuple[list[list[Any]], list[str], str]:
        """The table's rows, the files to choose from, and a one-line summary (or the error)."""
        try:
            engine = pick_engine(self.engine, self.engines, collection)
            docs = engine.documents()
        except RagError as err:
            return [], [], f"❌ {escape(str(err))}"
        rows = [[d.file, d.chunks, _size(d.size), d.reader, (d.indexed_at or "")[:19]] for d in docs]
        chunks = sum(d.chunks for d in docs)
        where = escape(engine.settings.collection)
        held = f"{len(docs)} file{'' if len(docs) == 1 else 's'}, {chunks} chunk{'' if chunks == 1 else 's'}"
        return rows, [d.file for d in docs], f"{held} in `{where}`"

    def confirm_text(self, file: str | None) -> str:
        """What the confirmation asks; empty when no file is chosen."""
        if not file:
            return ""
        return (
            f"Remove `{escape(file)}` from the index? Answers will no longer cite it; the file itself is "
            "kept, and comes back with the next re-index of a folder that holds it."
        )

    def delete(self, file: str | None, collection: str | None = None) -> str:
        """Remove one file from the index; the report to show."""
        if not file:
            return "Choose a document first."
        try:
            removed = pick_engine(self.engine, self.engines, collection).remove([file])
        except RagError as err:
            return f"❌ {escape(str(err))}"
        return f"🗑️ Removed `{escape(', '.join(removed))}` from the index."

    def reindex(self, collection: str | None = None) -> str:
        """Index the corpus and uploads folders again (only what changed); the report to show."""
        try:
            report = pick_engine(self.engine, self.engines, collection).index()
        except RagError as err:
            return f"❌ {escape(str(err))}"
        except Exception as err:  # the tab must stay usable
            log.error("re-indexing failed", exc_info=err)
            return f"❌ re-indexing failed: {escape(str(err))}"
        return f"✅ Re-indexed: {escape(report.summary().splitlines()[0])}"
