"""What a question asks, read once: its words, names and figures, and the word naming what it wants.

The support decision (`rag.answer.support`) reads every answer sentence against every passage with the same
question; `read_question` reads that question once (cached) into a `Question`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.text import NUMBER_WORDS, STOPWORDS, content_words, fold, names, stem, word_tokens, words

QUESTION_WORDS = frozenset(
    """name names called call kind type year years date day month many much long old number amount use used
    ask asked tell mean means give gives given happen happened""".split()
)
"""Words a question uses to ask, not to say what it is about ("what *year*", "what is it *called*")."""

ASKING_STEMS = frozenset(stem(w) for w in QUESTION_WORDS)


@dataclass(frozen=True)
class Question:
    """A question as the support decision reads it.

    Attributes:
        stems: Its content stems, without the words that only ask ("what *year*").
        numbers: Its figures as written ("2023", "180b").
        names: Stems of the names it gives, capitalised or typed in lower case with digits ("qwen3").
        acronyms: Its all-capital words by stem ("rag" -> "rag"), which a passage may write out.
        compounds: Its hyphenated terms, each as the stems of its parts.
        asked: Each phrase naming what it asks for (`asked_for`).
        offers_answer: A yes/no or either/or question, whose answer may repeat its words.
        two_things: It asks about two things (`asks_two_things`).
        ordinals: "first", "second", "third" as the question writes them, in digits ("1st"): an answer
            repeating one ("Llama 2 came out first") states no figure by it.
    """

    stems: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]
    acronyms: tuple[tuple[str, str], ...]
    compounds: tuple[frozenset[str], ...]
    asked: tuple[frozenset[str], ...]
    offers_answer: bool
    two_things: bool
    ordinals: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def read_question(question: str) -> Question:
    """`question` read into a `Question` (cached: one question is read against many windows)."""
    stems, digits, names_ = question_terms(question)
    return Question(
        stems=frozenset(stems),
        numbers=frozenset(digits),
        names=frozenset(names_),
        acronyms=tuple(acronyms(question).items()),
        compounds=tuple(compounds(question)),
        asked=tuple(asked_for(question)),
        offers_answer=offers_answer(question),
        two_things=asks_two_things(question),
        ordinals=frozenset(NUMBER_WORDS[w] for w in words(question) if w in _ORDINALS),
    )


_ORDINALS = frozenset({"first", "second", "third"})


def question_terms(question: str) -> tuple[set[str], set[str], set[str]]:
    """The question's content stems (without the words that only ask), its numbers and its name stems."""
    stems = {stem(w) for w in content_words(question) if w not in QUESTION_WORDS}
    names_ = {stem(n) for n in names(question) | _capitalised_or_mixed(question)}
    digits = {w for w in words(question) if w[0].isdigit()}  # "one of the", "first" are no figures to match
    return stems, digits, names_


_ASKING = frozenset({"what", "which", "whose"})
_ONLY_ASKING = frozenset(
    stem(w) for w in QUESTION_WORDS | {"times", "ways", "sort", "sorts", "kinds", "types", "money"}
)


def asked_for(question: str) -> list[frozenset[str]]:
    """What the question asks for, as the stems of each phrase that names it: the words after "how many /
    how much" or "number of" ("hugging face number of *employees*"), after "what / which" ("which
    *dataset*", "which *existing models*"), or after a possessive in such a question that names nothing
    before it ("what was Hugging Face's *revenue*"). Words that only ask ("what year", "how many times")
    name nothing; "how many times" and "how often" ask about the question's last word ("how often was it
    *downloaded*"), and "how old" asks for an age. A phrase is there when any of its words is."""
    toks = [t.lower() for t in word_tokens(question)]
    out: list[frozenset[str]] = []
    for i in range(len(toks)):
        follows = (
            (i >= 2 and toks[i - 2] == "how" and toks[i - 1] in ("many", "much"))
            or (i >= 2 and toks[i - 2] in ("number", "amount") and toks[i - 1] == "of")
            or (i >= 1 and toks[i - 1] in _ASKING)
            or (
                not out and i >= 1 and toks[i - 1].endswith("'s") and any(t in _ASKING for t in toks[: i - 1])
            )
        )
        phrase = set()
        for tok in toks[i : i + 3] if follows else ():
            word = tok.removesuffix("'s")
            if not word.isalpha() or word in STOPWORDS:
                break
            if stem(word) not in _ONLY_ASKING:
                phrase.add(stem(word))
            if tok.endswith("'s"):
                break
        if phrase:
            out.append(frozenset(phrase))
    typed = " ".join(toks)
    if "how old" in typed:  # an age, not the year something happened
        out.append(frozenset({"old", "age", stem("aged")}))
    if "how many times" in typed or "how often" in typed:
        # what is counted is what happens: "how many times have the models been *downloaded*"
        said = [w for w in content_words(question) if w not in QUESTION_WORDS and w not in _COUNTING]
        if said:
            out.append(frozenset({stem(said[-1])}))
    return out


_COUNTING = frozenset({"times", "often"})


_YES_NO = frozenset("is are was were do does did can could has have had will would should".split())


def offers_answer(question: str) -> bool:
    """Whether an answer may repeat the question's own words: a yes/no or an either/or question."""
    toks = words(question)
    return bool(toks) and (toks[0] in _YES_NO or "or" in toks)


def compounds(question: str) -> list[frozenset[str]]:
    """The hyphenated terms of a question ("polynomial-space"), each as the stems of its parts: a term is
    there only when all its parts are ("polynomial time" is not "polynomial-space")."""
    out = []
    for term in re.findall(r"[^\W_]+(?:-[^\W_]+)+", fold(question)):
        parts = frozenset(stem(w) for w in words(term.replace("-", " ")) if w not in STOPWORDS)
        if len(parts) > 1:
            out.append(parts)
    return out


def _capitalised_or_mixed(question: str) -> set[str]:
    # names a question gives even as its first word or in lower case: "GPT-4", "Qwen3", "8x7B", "LLaMA"
    out = set()
    for tok in word_tokens(question):
        has_digit = any(c.isdigit() for c in tok)
        if (has_digit and any(c.isalpha() for c in tok)) or sum(c.isupper() for c in tok) >= 2:
            out.add(tok.lower().removesuffix("'s"))
    return out


def acronyms(question: str) -> dict[str, str]:
    """The all-capital words of a question ("RAG", "US", "LLMs"), by stem: each may be written out in the
    passage instead ("retrieval-augmented generation", "United States")."""
    out = {}
    for tok in word_tokens(question):
        letters = tok.removesuffix("s") if tok.endswith("s") and tok[:-1].isupper() else tok
        if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
            out[stem(tok.lower())] = letters.lower()
    return out


_TWO_THINGS = frozenset({"and", "or", "both", "each", "between", "versus", "vs"})


def asks_two_things(question: str) -> bool:
    """Whether the question asks about two things ("BLOOM or Falcon 180B", "who ..., and under what
    licence"), so that passages of two documents may each state a part of one answer sentence."""
    return bool(_TWO_THINGS & set(words(question)))


_LETTERS = re.compile(r"[^\W\d_]+")


def spelled_out(acronym: str, text: str) -> bool:
    """Whether `text` writes `acronym` out as the initials of consecutive words, the first capitalised
    (every one, for two letters: "United States" is US, "using some" is not)."""
    toks = _LETTERS.findall(fold(text))
    n = len(acronym)
    for i in range(len(toks) - n + 1):
        run = toks[i : i + n]
        if "".join(t[0].lower() for t in run) != acronym:
            continue
        if all(t[0].isupper() for t in run[: n if n == 2 else 1]):
            return True
    return False
