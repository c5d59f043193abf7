"""What the model reads of each passage: the sentences most related to the question, with their neighbours.

A small model on two cores pays for every prompt token (~130 a second) and reads long contexts poorly, so
each retrieved passage is cut to its best sentences for the question and the sentence on either side, in
document order, under the same source number. Gaps are marked with "…". The page and `Answer.sources` still
show each passage whole, and the verifier checks the answer against the whole passage.
"""

from __future__ import annotations

from rag.answer.question import read_question
from rag.text import content_stems, sentence_spans

GAP = " … "


def focus(text: str, question: str, *, max_chars: int = 600, context: str = "") -> str:
    """The part of `text` the model reads for `question`.

    Args:
        text: The whole passage.
        question: What is being asked.
        max_chars: Budget for the sentences kept (the best sentence is always kept whole).
        context: The passage's title and heading: words the question shares with it count for every
            sentence alike, so they do not decide which sentence is kept.

    Returns:
        The passage itself when it fits the budget; else its best sentences with their neighbours.
    """
    if len(text) <= max_chars:
        return text
    spans = sentence_spans(text)
    if len(spans) <= 1:
        return text[:max_chars]
    q = read_question(question)
    stems, digits, names = q.stems, q.numbers, q.names
    wanted = (stems | digits | names) - set(content_stems(context))
    scores = []
    for s, e in spans:
        have = set(content_stems(text[s:e]))
        scores.append(len(wanted & have) + 2 * len((digits | names) & have))
    order = sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    keep: set[int] = set()
    used = 0
    for best in order:
        add = [j for j in (best, best - 1, best + 1) if 0 <= j < len(spans) and j not in keep]
        for j in add:
            size = spans[j][1] - spans[j][0]
            if j == best and not keep or used + size <= max_chars:
                keep.add(j)
                used += size
        if used >= max_chars or scores[best] == 0:
            break
    pieces: list[str] = []
    last = -2
    for j in sorted(keep):
        s, e = spans[j]
        if pieces and j != last + 1:
            pieces.append(GAP)
        elif pieces:
            pieces.append(" ")
        pieces.append(" ".join(text[s:e].split()))
        last = j
    lead = "… " if min(keep) > 0 else ""
    tail = " …" if max(keep) < len(spans) - 1 else ""
    return lead + "".join(pieces) + tail
