"""From what the user typed to what is searched for: clean it, and rewrite a follow-up only when it needs it.

A question that names what it is about ("Under which licence was Mistral 7B released?") is searched as typed,
even in a conversation: rewriting it can only lose words, and a small model does (it once turned that question
into "What is the license for Mistral 7B?" and the search found the MIT licence). A question that leans on the
conversation ("And who built it?", "How many parameters does the 2025 version have?") is rewritten into a
standalone one by one short model call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from rag.answer.prompts import condense_messages
from rag.errors import InvalidQuestion
from rag.text import CONTROL_CHARS, content_stems

Chat = Callable[..., Iterator[str]]
"""chat(messages, *, temperature=None, max_tokens=None) -> text pieces"""

_TOKEN = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*")

# Words that point back into the conversation instead of naming what they are about.
_REFERRING = frozenset(
    """it its it's itself they them their theirs themselves he him his she her hers this these those
    there former latter same above previous earlier aforementioned else""".split()
)
# "that" refers back after these words ("what about that?", "when was that"), not as a relative pronoun.
_BEFORE_REFERRING_THAT = frozenset(
    "about of did does do is was were for in with on after before by from like than".split()
)
_OPENERS = ("and ", "but ", "so ", "also ", "what about ", "how about ", "then ")
_QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how is are was were do does did can could should would will
    has have had in under on at for from by to of the a an and but so also then""".split()
)


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters and surrounding space, or InvalidQuestion."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    q = CONTROL_CHARS.sub(" ", question).strip()
    if not q:
        raise InvalidQuestion("the question is empty: type a question about the documents")
    if len(q) > max_chars:
        raise InvalidQuestion(
            f"the question is {len(q)} characters long; the limit is {max_chars} (RAG_MAX_QUESTION_CHARS): "
            "shorten it"
        )
    return q


def clean_history(history: Sequence[dict[str, str]] | None) -> list[dict[str, str]]:
    """The last six user/assistant turns with text, control characters removed, each at most 2000 chars."""
    turns = []
    for t in history or ():
        role, content = t.get("role"), t.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            turns.append({"role": role, "content": CONTROL_CHARS.sub(" ", content).strip()[:2000]})
    return turns[-6:]


def names_in(text: str) -> list[str]:
    """What a question names: capitalised words after the first, acronyms, and tokens mixing letters and
    digits ("7B", "GPT-4"), in order, lower-cased."""
    tokens = _TOKEN.findall(text)
    found: list[str] = []
    for i, tok in enumerate(tokens):
        has_digit = any(c.isdigit() for c in tok)
        has_alpha = any(c.isalpha() for c in tok)
        capital = tok[0].isupper() and (i > 0 or tok.lower() not in _QUESTION_WORDS)
        acronym = sum(c.isupper() for c in tok) >= 2
        if (has_alpha and (capital or acronym or has_digit)) and tok.lower() not in _REFERRING:
            found.append(tok.lower().removesuffix("'s"))
    return list(dict.fromkeys(found))


_WH = frozenset("what which who whom whose when where why how".split())


def asking_words(question: str) -> str:
    """How the question asks: its first question word, with the next word after "how" ("how old", "how
    many"); "" when it has none."""
    words = [w.lower() for w in _TOKEN.findall(question)]
    for i, w in enumerate(words):
        if w in _WH:
            return " ".join(words[i : i + 2]) if w == "how" else w
    return ""


def needs_context(question: str) -> bool:
    """Whether a question leans on the conversation: it refers back, opens as a continuation, or names
    nothing it is about."""
    lowered = question.lower().strip()
    if lowered.startswith(_OPENERS):
        return True
    words = [w.lower() for w in _TOKEN.findall(question)]
    for i, w in enumerate(words):
        if w in _REFERRING:
            return True
        if w == "that" and (i == len(words) - 1 or (i > 0 and words[i - 1] in _BEFORE_REFERRING_THAT)):
            return True
    return not names_in(question)


def search_query(question: str, history: list[dict[str, str]], chat: Chat | None) -> str:
    """What to search for: the question itself, or, when it needs the conversation, its standalone rewrite
    (one short model call). A rewrite that is empty, rambles, drops a name the question gave, or asks
    another way ("how old was he" rewritten as "when did he") is not trusted, and with no `chat`
    (retrieval without a model) none is asked for: then the last user turn joined with the question is
    searched instead. A rewrite that loses part of a question naming its own subject ("Who created the
    Llama 2 models, and under what licence were they released?" as "Who created the Llama 2 models?")
    gives way to the question as typed."""
    if not history or not needs_context(question):
        return question
    rewritten = ""
    if chat is not None:
        rewritten = "".join(chat(condense_messages(question, history), temperature=0.0, max_tokens=64))
        rewritten = rewritten.strip().strip('"').splitlines()[0].strip() if rewritten.strip() else ""
    kept = set(names_in(rewritten))
    if (
        not rewritten
        or len(rewritten) > 4 * len(question) + 200
        or not all(name in kept for name in names_in(question))
        or asking_words(question) not in " ".join(_TOKEN.findall(rewritten.lower()))
    ):
        last_user = next((t["content"] for t in reversed(history) if t["role"] == "user"), "")
        return f"{last_user} {question}".strip()
    if len(dropped_words(question, rewritten)) >= 2 and names_in(question):
        return question  # the rewrite lost part of a question that names its subject itself
    return rewritten


def dropped_words(question: str, rewritten: str) -> set[str]:
    """The question's content words (referring words aside) that its rewrite no longer has."""
    return set(content_stems(question)) - _REFERRING_STEMS - set(content_stems(rewritten))


_REFERRING_STEMS = frozenset(content_stems(" ".join(_REFERRING)))
