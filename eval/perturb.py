"""Labelled pairs made by construction: supported sentences and perturbed copies of them.

Sources: the project corpus (`corpus/*.md`, each paragraph a passage, its sentences supported claims) and the
SQuAD v2 sample (each answerable question's answer sentence, its paragraph the passage). Every supported
sentence gives one `supported` pair and, where the sentence allows it, one pair of each kind that is not
supported by construction:

- `wrong_number`: one number of the sentence changed;
- `swapped_names`: two different names of the sentence exchanged;
- `negation`: "not" put after the sentence's first auxiliary verb ("was" -> "was not");
- `unsupported_addition`: a clause from another document appended ("..., and <clause>");
- `other_passage`: the sentence paired with a passage of another document.

Deterministic for a given seed. The corpus pairs are our own text and are committed as
`eval/labelled/perturbed.jsonl`; the SQuAD pairs quote Wikipedia paragraphs from ../shared/datasets, so they
are made on demand (`eval/calibrate.py` and the eval's signal checks do so when the sample is there) or
written under eval/out with `--source squad`.

    python eval/perturb.py [--source corpus|squad] [--out FILE.jsonl] [--seed 14] [--per-source 150]
"""

from __future__ import annotations

if __package__ in (None, ""):  # run as `python eval/perturb.py`
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from eval.convert import SQUAD_PATH  # noqa: E402
from eval.pairs import LabelledPair, write_pairs  # noqa: E402
from rag.text import STOPWORDS, sentence_spans  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "corpus"
OUT_PATH = Path(__file__).resolve().parent / "labelled" / "perturbed.jsonl"
SQUAD_OUT_PATH = Path(__file__).resolve().parent / "out" / "perturbed_squad.jsonl"
KINDS = ("supported", "wrong_number", "swapped_names", "negation", "unsupported_addition", "other_passage")

_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.,])\d+(?:\.\d+)?(?![\w])")
_NAME = re.compile(r"(?<=[\s(\"'])[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:\s[A-Z][a-z]+)*")
_AUX = re.compile(r"\b(is|was|are|were|can|could|has|have|had|will|would|does|did|should|must)\b")


@dataclass(frozen=True)
class Source:
    """One supported sentence, the passage it comes from, and the document it belongs to."""

    id: str
    doc: str
    passage: str
    sentence: str


def corpus_sources(folder: Path = CORPUS_DIR) -> list[Source]:
    """Sentences of the corpus's Markdown paragraphs (headings, lists and tables left out)."""
    out = []
    for path in sorted(folder.glob("*.md")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")]
        for pi, para in enumerate(paragraphs):
            if not para or para[0] in "#-*|>`" or re.match(r"\d+\.", para):
                continue
            text = re.sub(r"\*\*|__|`", "", " ".join(para.split()))
            text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
            for si, (s, e) in enumerate(sentence_spans(text)):
                sentence = text[s:e]
                if 8 <= len(sentence.split()) <= 40 and sentence.endswith("."):
                    out.append(Source(f"corpus-{path.stem}-{pi}-{si}", path.stem, text, sentence))
    return out


def squad_sources(path: Path = SQUAD_PATH) -> list[Source]:
    """The sentence holding each answerable SQuAD question's first answer, one per (paragraph, sentence)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out, seen = [], set()
    for article in data["data"]:
        for pi, para in enumerate(article["paragraphs"]):
            context = " ".join(para["context"].split())
            spans = sentence_spans(context)
            for qa in para["qas"]:
                if qa.get("is_impossible") or not qa.get("answers"):
                    continue
                answer = qa["answers"][0]["text"].strip()
                at = context.find(answer)
                for si, (s, e) in enumerate(spans):
                    if s <= at < e and (pi, si) not in seen and 8 <= len(context[s:e].split()) <= 45:
                        seen.add((pi, si))
                        doc = f"{article['title']}-{pi}"
                        out.append(Source(f"squad-{article['title']}-{pi}-{si}", doc, context, context[s:e]))
    return out


def wrong_number(sentence: str, rng: random.Random) -> str | None:
    """The sentence with one of its numbers changed (a year by a few years, others by a factor)."""
    found = list(_NUMBER.finditer(sentence))
    if not found:
        return None
    m = rng.choice(found)
    raw = m.group().replace(",", "")
    value = float(raw)
    if raw.isdigit() and 1500 <= value <= 2100:
        new = str(int(value) + rng.choice([-3, -2, 2, 3, 4]))
    elif raw.isdigit():
        new = str(max(1, int(value) * rng.choice([2, 3]) + rng.choice([0, 1])))
        if int(new) == int(value):
            new = str(int(value) + 7)
    else:
        new = f"{value * 2:.{len(raw.split('.')[1])}f}"
    return sentence[: m.start()] + new + sentence[m.end() :]


def swapped_names(sentence: str, rng: random.Random) -> str | None:
    """The sentence with two of its different names exchanged."""
    found = [m for m in _NAME.finditer(sentence) if m.group().lower() not in STOPWORDS]
    distinct = list({m.group(): m for m in found}.values())
    if len(distinct) < 2:
        return None
    a, b = sorted(rng.sample(distinct, 2), key=lambda m: m.start())
    return sentence[: a.start()] + b.group() + sentence[a.end() : b.start()] + a.group() + sentence[b.end() :]


def negated(sentence: str) -> str | None:
    """The sentence with "not" after its first auxiliary verb (None when it has none or is negated)."""
    if re.search(r"\b(not|never|no)\b|n't", sentence):
        return None
    m = _AUX.search(sentence)
    if not m:
        return None
    return sentence[: m.end()] + " not" + sentence[m.end() :]


def with_addition(sentence: str, other: str) -> str | None:
    """The sentence with a clause of another sentence appended: "..., and <clause>."."""
    clause = other.rstrip(".!?").strip()
    if len(clause.split()) < 5:
        return None
    first = clause.split()[0]
    if first.isalpha() and first.lower() in STOPWORDS | {"the"}:
        clause = clause[0].lower() + clause[1:]
    return sentence.rstrip(".!?") + ", and " + clause + "."


def make_pairs(sources: Sequence[Source], rng: random.Random, *, prefix: str) -> list[LabelledPair]:
    """One supported pair per source and each perturbation the source allows."""
    pairs = []
    for src in sources:
        others = [o for o in sources if o.doc != src.doc]
        pid = f"{prefix}{src.id}"
        pairs.append(LabelledPair(pid, (src.passage,), src.sentence, True, "supported"))
        made = {
            "wrong_number": wrong_number(src.sentence, rng),
            "swapped_names": swapped_names(src.sentence, rng),
            "negation": negated(src.sentence),
            "unsupported_addition": with_addition(src.sentence, rng.choice(others).sentence)
            if others
            else None,
        }
        for kind, claim in made.items():
            if claim and claim != src.sentence:
                pairs.append(LabelledPair(f"{pid}-{kind}", (src.passage,), claim, False, kind))
        if others:
            other = rng.choice(others)
            pairs.append(
                LabelledPair(f"{pid}-other_passage", (other.passage,), src.sentence, False, "other_passage")
            )
    return pairs


def generate(
    source: str = "corpus", *, seed: int = 14, per_source: int = 150, squad: Path = SQUAD_PATH
) -> list[LabelledPair]:
    """Perturbed pairs from `per_source` sentences of one source.

    Args:
        source: "corpus" (corpus/*.md) or "squad" (the SQuAD v2 sample's answer sentences).
        seed: Seeds which sentences are taken and how each is perturbed.
        per_source: Sentences drawn (all of them when the source has fewer).
        squad: The SQuAD v2 file.

    Returns:
        The pairs, in drawing order.
    """
    rng = random.Random(seed)
    sources = corpus_sources() if source == "corpus" else squad_sources(squad)
    chosen = rng.sample(sources, min(per_source, len(sources)))
    return make_pairs(chosen, rng, prefix="")


def main(argv: Sequence[str] | None = None) -> int:
    """`python eval/perturb.py`: write the perturbed pairs; returns 0."""
    parser = argparse.ArgumentParser(prog="eval/perturb.py", description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=["corpus", "squad"], default="corpus")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default: eval/labelled/perturbed.jsonl for "
        "the corpus, eval/out/perturbed_squad.jsonl for SQuAD",
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--per-source", type=int, default=150, help="sentences drawn")
    parser.add_argument("--squad", type=Path, default=SQUAD_PATH)
    args = parser.parse_args(argv)
    out = args.out or (OUT_PATH if args.source == "corpus" else SQUAD_OUT_PATH)
    pairs = generate(args.source, seed=args.seed, per_source=args.per_source, squad=args.squad)
    write_pairs(out, pairs)
    counts = {k: sum(p.kind == k for p in pairs) for k in KINDS}
    print(f"wrote {len(pairs)} pairs to {out}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
