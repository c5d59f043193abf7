"""Complete answers: when the sentence that supports an answer lists more items than the answer names.

A small model asked "Who founded Hugging Face?" tends to name the first founder of three. When a supported
sentence of the answer names exactly one item of a list in its supporting sentence ("Clément Delangue,
Julien Chaumond and Thomas Wolf"), that item is replaced by the whole list, verbatim from the passage, so the
answer stays supported by the same sentence and is complete.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.answer.support import Passage
from rag.answer.verify import Verification, rebuild
from rag.text import fold

_ITEM = r"[A-Z0-9][\w.\-'’]*(?: (?:de |van |von |der )?[A-Z0-9][\w.\-'’]*){0,3}"
_LIST = re.compile(rf"(?<![\w-])((?:{_ITEM}, )+{_ITEM},? (?:and|or) {_ITEM})(?![\w-])")
_SPLIT = re.compile(r",? (?:and|or) |, ")


def lists_in(text: str) -> list[list[str]]:
    """Lists of capitalised or numeric items in `text` ("A, B and C"), each as its items."""
    plain = re.sub(r"[*_`]+", "", " ".join(text.split()))
    plain = re.sub(r"\s+([,.;:])", r"\1", plain)  # HTML readers leave "Delangue , Chaumond"
    found = [[i.strip().rstrip(".") for i in _SPLIT.split(m.group(1))] for m in _LIST.finditer(plain)]
    return [[i for i in items if i] for items in found]


def _find(item: str, sentence: str) -> tuple[int, int] | None:
    """Where `item` stands in `sentence` (accents and case aside), as offsets into `sentence`."""
    folded, where = [], []
    for i, ch in enumerate(sentence):
        for c in fold(ch):
            folded.append(c)
            where.append(i)
    m = re.search(rf"(?<![\w-]){re.escape(fold(item))}(?![\w-])", "".join(folded), re.IGNORECASE)
    return (where[m.start()], where[m.end() - 1] + 1) if m else None


def complete_sentence(sentence: str, evidence_texts: Sequence[str]) -> str:
    """`sentence` with a single item of a list from its supporting text replaced by the whole list.

    Args:
        sentence: One answer sentence (markers may follow; they are kept).
        evidence_texts: The supporting sentence(s) it was verified against.

    Returns:
        The completed sentence, or `sentence` unchanged when no list applies.
    """
    for text in evidence_texts:
        for items in lists_in(text):
            present = [(item, m) for item in items if (m := _find(item, sentence))]
            if len(present) != 1 or len(items) < 2:
                continue
            _, (start, end) = present[0]
            whole = f"{', '.join(items[:-1])} and {items[-1]}"
            return sentence[:start] + whole + sentence[end:]
    return sentence


def complete_answer(result: Verification, passages: Sequence[Passage]) -> Verification:
    """The verified answer with each supported sentence completed from its own supporting sentences."""
    if result.refused:
        return result
    sentences = []
    for c in result.sentences:
        windows = [passages[e.passage].text[e.start : e.end] for e in c.evidence]
        done = complete_sentence(c.text, windows) if c.supported else c.text
        sentences.append(replace(c, text=done) if done != c.text else c)
    if all(a is b for a, b in zip(sentences, result.sentences, strict=True)):
        return result
    return replace(result, sentences=tuple(sentences), text=rebuild(sentences))
