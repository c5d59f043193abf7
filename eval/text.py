"""Text helpers the metrics share: normalisation, content words, sentences, claims and citation markers.

Everything here is a pure function of its arguments (no models, no I/O), so every metric built on it is
deterministic.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can could did do does doing down during each either few for from further had
    has have having he her here hers herself him himself his how however i if in into is it its itself just
    may me might more most must my myself neither no nor not of off on once only or other our ours ourselves
    out over own same shall she should so some such than that the their theirs them themselves then there
    these they this those through thus to too under until up upon us very via was we were what when where
    which while who whom whose why will with would yet you your yours yourself yourselves one ones also
    according based called known many much within without among across along around
    """.split()
)
"""Function words that carry no fact; a claim is judged on its other ("content") words."""

NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nor", "neither", "nobody", "nothing", "cannot", "without"}
)

NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
}

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MARKER = re.compile(r"\[(?:\d+(?:\s*,\s*\d+)*|unsupported)\]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\[\"'(<*_A-Z0-9])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|approx|cf|Fig|Inc|Ltd|Co)\.$", re.IGNORECASE)


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens; numbers lose their thousands separators ("1,200" -> "1200")."""
    out = []
    for tok in _WORD.findall(text):
        tok = tok.lower()
        if tok[0].isdigit():
            tok = tok.replace(",", "")
        out.append(tok.removesuffix("'s"))
    return out


def stem(word: str) -> str:
    """A deliberately light suffix stripper: enough to match "founded"/"founding"/"founds"."""
    w = word.lower()
    if w.isdigit() or len(w) <= 3:
        return w
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if suffix == "ies":
                w += "y"
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def content_words(text: str) -> list[str]:
    """The words of `text` that carry meaning: no stop words, number words as digits."""
    return [NUMBER_WORDS.get(w, w) for w in words(text) if w not in STOPWORDS]


def numbers(text: str) -> set[str]:
    """Numbers written in `text`, as digits ("three" -> "3", "1,200" -> "1200")."""
    found = set()
    for w in words(text):
        w = NUMBER_WORDS.get(w, w)
        if w[0].isdigit():
            found.add(w)
    return found


def names(text: str) -> set[str]:
    """Capitalised words that are not the first word of a sentence: a cheap stand-in for named entities."""
    found = set()
    for sentence in split_sentences(text):
        toks = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", sentence)
        for tok in toks[1:]:
            if tok[0].isupper() and tok.lower() not in STOPWORDS:
                found.add(tok.lower().removesuffix("'s"))
    return found


def has_negation(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


def strip_markers(text: str) -> str:
    """The text without `[n]`, `[n, m]` and `[unsupported]` markers."""
    return " ".join(_MARKER.sub(" ", text).split()).replace(" .", ".").replace(" ,", ",")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`; a citation marker written after the full stop stays with its sentence."""
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=\s*[-*\d]+[.)]?\s)", text):
        para = " ".join(para.split())
        if not para:
            continue
        start = 0
        for m in _SENTENCE_END.finditer(para):
            candidate = para[start : m.start()].strip()
            if _ABBREV.search(candidate):
                continue
            pieces.append(candidate)
            start = m.end()
        pieces.append(para[start:].strip())
    merged: list[str] = []
    for piece in pieces:
        lead = re.match(r"^((?:\[[^\]]*\]\s*)+)(.*)$", piece)
        if lead and merged:  # "... Normandy. [1] They ..." -> the [1] belongs to the previous sentence
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            piece = lead.group(2).strip()
        if piece:
            merged.append(piece)
    return [s for s in merged if re.search(r"\w", strip_markers(s))]


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of an answer: its text without markers and the passage numbers it cites."""

    text: str
    citations: tuple[int, ...]
    flagged_unsupported: bool = False


def cited_sentences(answer_text: str) -> list[CitedSentence]:
    """Split an answer with inline `[n]` markers into sentences with their citations (in order, unique)."""
    out = []
    for sentence in split_sentences(answer_text):
        refs: list[int] = []
        for group in _CITATION.findall(sentence):
            for n in group.split(","):
                if int(n) not in refs:
                    refs.append(int(n))
        flagged = "[unsupported]" in sentence.lower()
        out.append(CitedSentence(strip_markers(sentence), tuple(refs), flagged))
    return out


def split_claims(sentence: str) -> list[str]:
    """Atomic-ish claims of one sentence: split on ';' and on ' and ' between two clauses of 3+ words."""
    claims: list[str] = []
    for part in re.split(r"\s*;\s*", sentence):
        halves = re.split(r",?\s+and\s+", part, maxsplit=1)
        if (
            len(halves) == 2
            and all(len(content_words(h)) >= 3 for h in halves)
            and len(halves[1].split()) >= 3
        ):
            claims.extend(h.strip() for h in halves)
        elif part.strip():
            claims.append(part.strip())
    return [c for c in claims if re.search(r"\w", c)]
