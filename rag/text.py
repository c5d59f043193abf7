"""The text toolkit every stage shares: words, stems, stop words, numbers, names, sentences, citation markers.

Pure functions of their arguments (no models, no I/O), so the support decision built on them
(`rag.answer.support`), the verifier, the page's highlighting and the eval's metrics are all deterministic and
agree
on what a word, a sentence and a marker are.
"""

from __future__ import annotations

import re
import unicodedata

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
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100",
    "first": "1st", "second": "2nd", "third": "3rd",
}  # fmt: skip

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters (not tab, newline or carriage return) that never belong in a question or a document."""

CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
"""A citation marker `[n]` or `[n, m]`; group 1 holds the numbers."""

UNSUPPORTED_MARK = "[unsupported]"
"""The marker the verifier puts after a sentence that no passage supports."""

MARKER = re.compile(r"\s*\[(?:\d+(?:\s*,\s*\d+)*|unsupported)\]", re.IGNORECASE)
"""Any marker the answer text can hold (with the space before it)."""

_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*(?:'[^\W\d_]+)?", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\[\"'(<*_A-Z0-9])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|approx|cf|Fig|Inc|Ltd|Co)\.$", re.IGNORECASE)
_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*#>]|\d+[.)])\s)|\n(?=[A-Z][^\n]{0,80}\n)")


def fold(text: str) -> str:
    """The text without accents ("Hervé" -> "Herve"), so that a typed question matches its document."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def word_tokens(text: str) -> list[str]:
    """The word and number tokens of `text` as written (case kept, accents folded): "Qwen3", "8x7B"."""
    return _WORD.findall(fold(text))


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens, accents folded; numbers lose their thousands separators
    ("1,200" -> "1200")."""
    out = []
    for tok in _WORD.findall(fold(text)):
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


def content_stems(text: str) -> list[str]:
    """`content_words` stemmed, in order (repeats kept)."""
    return [stem(w) for w in content_words(text)]


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
        toks = _WORD.findall(fold(sentence))
        for tok in toks[1:]:
            if tok[0].isupper() and tok.lower() not in STOPWORDS:
                found.add(tok.lower().removesuffix("'s"))
    return found


def has_negation(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


def strip_markers(text: str) -> str:
    """The text without `[n]`, `[n, m]` and `[unsupported]` markers."""
    return " ".join(MARKER.sub(" ", text).split()).replace(" .", ".").replace(" ,", ",")


def cited_numbers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites, in order, repeats kept."""
    return [int(n) for group in CITATION.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a passage, verbatim: `text[start:end]` is one sentence.

    Sentences end at `.`, `!` or `?` followed by a capital, a digit or an opening mark; a blank line, a list
    item and a short heading line end one too. Abbreviations ("e.g.", "Dr.") do not.
    """
    spans: list[tuple[int, int]] = []
    block_start = 0
    for block_end, next_start in [(m.start(), m.end()) for m in _BREAK.finditer(text)] + [(len(text), 0)]:
        start = block_start
        for m in _SENTENCE_END.finditer(text, block_start, block_end):
            if _ABBREV.search(text[start : m.start()]):
                continue
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, block_end))
        block_start = next_start
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if re.search(r"\w", text[s:e]):
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, white space folded; a citation marker written after the full stop stays with
    its sentence ("... Normandy. [1] They ..." -> the [1] belongs to the first sentence)."""
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
        if lead and merged:
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            piece = lead.group(2).strip()
        if piece:
            merged.append(piece)
    return [s for s in merged if re.search(r"\w", strip_markers(s))]
