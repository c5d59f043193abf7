"""Passages around hits: what the model reads when the index holds small units.

A hit is one small unit (a sentence or a few, `rag.ingest.chunk`). Its passage is the unit with its
neighbours around it, nearest first, up to a budget of embedder tokens, within the unit's paragraph (the
paragraph is the unit's parent; `cross_paragraphs` lets a passage grow into the paragraphs beside it), never
past its section (a heading, a PDF page) nor into text another passage already shows. A later hit inside a
passage already taken adds nothing and frees its place; one right at a passage's edge is joined to it. This
is LlamaIndex's sentence-window idea (search a sentence, read its window) with the window found at query time
from the units' deterministic ids instead of stored beside every unit, and its auto-merging idea (adjacent
hits become one passage, the paragraph as the parent) without a second layer of parent chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.ingest.chunk import chunk_id

REACH = 8
"""Units looked up on each side of a hit: enough to fill any budget up to ~4x the unit size."""


@dataclass(frozen=True)
class Unit:
    """One stored unit: its text and its metadata (file, file_hash, chunk_index, n_chunks, paragraph...)."""

    id: str
    text: str
    metadata: Mapping[str, Any]
    tokens: int


@dataclass
class Passage:
    """Consecutive units of one section of one file, and the best dense score among its hits."""

    hit: Unit
    score: float
    units: list[Unit] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return sum(u.tokens for u in self.units)

    @property
    def text(self) -> str:
        parts: list[str] = []
        for prev, unit in zip([None, *self.units], self.units, strict=False):
            if prev is not None:
                parts.append("\n\n" if _paragraph(prev) != _paragraph(unit) else " ")
            parts.append(unit.text)
        return "".join(parts)


Lookup = Callable[[Sequence[str]], Mapping[str, Unit]]
"""Units by id; ids not stored are left out of the answer."""


def _section(unit: Unit) -> tuple[Any, ...]:
    md = unit.metadata
    return (md.get("file"), md.get("file_hash"), md.get("page"), md.get("heading"))


def _paragraph(unit: Unit) -> Any:
    return unit.metadata.get("paragraph")


def neighbour_ids(unit: Unit, reach: int = REACH) -> list[str]:
    """Ids of the units up to `reach` places before and after `unit` in its file."""
    md = unit.metadata
    i, n = int(md["chunk_index"]), int(md.get("n_chunks", 0))
    file_key, file_hash = str(md["file"]), str(md["file_hash"])
    return [
        chunk_id(file_key, file_hash, j) for j in range(max(0, i - reach), min(n, i + reach + 1)) if j != i
    ]


def window(
    hit: Unit,
    around: Mapping[int, Unit],
    budget: int,
    taken: Container[tuple[Any, int]],
    *,
    cross_paragraphs: bool = False,
) -> list[Unit]:
    """The hit and its neighbours (`around`, by chunk index), nearest first, within `budget` tokens.

    The hit's own paragraph is filled before the ones beside it; growth on a side stops at the section's
    edge, at a unit another passage shows (`taken`: (section, chunk index) pairs), at a missing unit, or
    where the next unit would pass the budget. The hit alone may pass it: a unit is never cut."""
    centre = int(hit.metadata["chunk_index"])
    section = _section(hit)
    lo = hi = centre
    used = hit.tokens
    for same_paragraph in (True, False) if cross_paragraphs else (True,):
        sides = [1, -1]  # right first: an answer more often follows the sentence that matches the question
        while sides:
            for side in list(sides):
                j = hi + 1 if side > 0 else lo - 1
                u = around.get(j)
                if (
                    u is None
                    or _section(u) != section
                    or (section, j) in taken
                    or (same_paragraph and _paragraph(u) != _paragraph(hit))
                    or used + u.tokens > budget
                ):
                    sides.remove(side)
                    continue
                used += u.tokens
                lo, hi = min(lo, j), max(hi, j)
    return [hit if j == centre else around[j] for j in range(lo, hi + 1)]


def passages_for(
    hits: Iterable[tuple[Unit, float]],
    lookup: Lookup,
    *,
    top_k: int,
    budget: int,
    per_file: int = 0,
    cross_paragraphs: bool = False,
) -> list[Passage]:
    """Up to `top_k` passages around `hits` (best first, each with its dense score), in hit order.

    Args:
        hits: Units with their dense similarity to the question, in the fused order.
        lookup: Reads units by id (the neighbours of a hit).
        top_k: Passages wanted.
        budget: Tokens a passage grows to around its hit; 0: each passage is its hit alone, and hits are
            neither joined nor skipped.
        per_file: The most passages one file may give (0: no limit); hits beyond it are passed over, so a
            question about two documents is not answered from one long one alone.

    Returns:
        The passages, ordered by their first hit. A passage's score is the best of its hits' scores.
    """
    out: list[Passage] = []
    shown: dict[tuple[Any, int], Passage] = {}
    for unit, score in hits:
        if len(out) == top_k:
            break
        if budget <= 0:
            out.append(Passage(hit=unit, score=score, units=[unit]))
            continue
        section, i = _section(unit), int(unit.metadata["chunk_index"])
        inside = shown.get((section, i))
        if inside is not None:  # already read: frees its place for another passage
            inside.score = max(inside.score, score)
            continue
        joined = _join_adjacent(unit, score, shown, cap=MERGE_FACTOR * budget)
        if joined:
            continue
        file = unit.metadata.get("file")
        if per_file and sum(p.hit.metadata.get("file") == file for p in out) >= per_file:
            continue
        around = {int(u.metadata["chunk_index"]): u for u in lookup(neighbour_ids(unit)).values()}
        passage = Passage(
            hit=unit,
            score=score,
            units=window(unit, around, budget, shown, cross_paragraphs=cross_paragraphs),
        )
        out.append(passage)
        for u in passage.units:
            shown[(section, int(u.metadata["chunk_index"]))] = passage
    return out


MERGE_FACTOR = 2
"""A passage grows by joining hits at its edges up to this many times the budget."""


def _join_adjacent(unit: Unit, score: float, shown: dict[tuple[Any, int], Passage], *, cap: int) -> bool:
    section, i = _section(unit), int(unit.metadata["chunk_index"])
    for j, at_end in ((i - 1, True), (i + 1, False)):
        passage = shown.get((section, j))
        if passage is None or passage.tokens + unit.tokens > cap:
            continue
        if at_end:
            passage.units.append(unit)
        else:
            passage.units.insert(0, unit)
        passage.score = max(passage.score, score)
        shown[(section, i)] = passage
        return True
    return False
