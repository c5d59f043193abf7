"""A deterministic synthetic corpus of our own text, sized in chunks, for the scale benchmarks.

    .venv/bin/python bench/synthetic_corpus.py DEST --chunks 10000 [--seed 0]

Every chunk is a short paragraph of template sentences about one invented project (its field, the year it
started, the lab that runs it, a few numbers), drawn from a seeded RNG, so the same seed always gives the same
text. Questions about the same projects (`questions`) make real queries for retrieval benchmarks.

- `chunk_texts(n)`: n paragraphs, each one chunk (used to embed vectors for the retrieval benchmark);
- `write_corpus(dest, n)`: the same projects as Markdown files of `PER_FILE` sections each, one paragraph
  per section, so the indexer's default chunking (200 tokens) makes exactly n chunks.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

PER_FILE = 50

_ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "st", "gl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "eo", "ou"]
_CODAS = ["", "n", "r", "s", "l", "x", "th", "m"]
_FIELDS = [
    "soil chemistry", "tidal energy", "bird migration", "glacier mapping", "protein folding", "urban traffic",
    "seed banking", "coral restoration", "battery recycling", "wind forecasting", "river sediment",
    "volcanic gases", "bee health", "desert irrigation", "cave acoustics", "forest fires",
]  # fmt: skip
_CITIES = [
    "Arlen", "Bexford", "Corvale", "Dunmere", "Eastwick", "Falhaven", "Greyport", "Holmbrook", "Ivel",
    "Jasperton", "Kestrel Bay", "Lowmoor", "Marrow", "Northgate", "Oakridge", "Pellham",
]  # fmt: skip
_UNITS = ["samples", "sensors", "field sites", "volunteers", "measurements", "survey flights", "core drills"]
_FINDINGS = [
    "the effect was strongest in the dry season",
    "results held across every site",
    "the first estimate was revised downwards",
    "the data are published under an open licence",
    "a second phase was approved",
    "the method was adopted by two other labs",
]

_SENTENCES = [
    "{name} is a {field} project that started in {year} in {city}.",
    "The {name} team at the {lab} Institute collected {count} {unit} over {months} months.",
    "Its budget was {budget} thousand credits, and it reported an accuracy of {accuracy} percent.",
    "In {later}, the {name} study found that {finding}.",
    "{name} was led by {lead} {lab}, who published {papers} papers about it.",
]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))


def project_names(n: int, seed: int = 0) -> list[str]:
    """n distinct invented project names (deterministic for the seed)."""
    rng = random.Random(f"names-{seed}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = _word(rng, rng.choice((2, 3))).capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _facts(rng: random.Random, name: str) -> dict[str, object]:
    year = rng.randint(1975, 2024)
    return {
        "name": name,
        "field": rng.choice(_FIELDS),
        "year": year,
        "later": year + rng.randint(1, 6),
        "city": rng.choice(_CITIES),
        "lab": _word(rng, 2).capitalize(),
        "lead": _word(rng, 2).capitalize(),
        "count": rng.randint(12, 98_000),
        "unit": rng.choice(_UNITS),
        "months": rng.randint(3, 60),
        "budget": rng.randint(40, 9_000),
        "accuracy": round(rng.uniform(60, 99.5), 1),
        "finding": rng.choice(_FINDINGS),
        "papers": rng.randint(1, 40),
    }


def chunk_texts(n: int, seed: int = 0, sentences: int = 3) -> list[str]:
    """n paragraphs, one project each (a project per paragraph: names are unique up to n)."""
    rng = random.Random(f"text-{seed}")
    out: list[str] = []
    for name in project_names(n, seed):
        facts = _facts(rng, name)
        picked = [_SENTENCES[0]] + rng.sample(_SENTENCES[1:], sentences - 1)
        out.append(" ".join(s.format(**facts) for s in picked))
    return out


def questions(n: int, n_projects: int, seed: int = 0) -> list[str]:
    """n questions about projects of a corpus of n_projects paragraphs (same seed)."""
    rng = random.Random(f"questions-{seed}")
    names = project_names(n_projects, seed)
    forms = [
        "When did the {name} project start?",
        "Where is {name} based and what does it study?",
        "How many papers were published about {name}?",
        "What did the {name} study find?",
        "What was the budget of {name}?",
    ]
    return [rng.choice(forms).format(name=rng.choice(names)) for _ in range(n)]


def write_corpus(dest: Path, n_chunks: int, seed: int = 0, per_file: int = PER_FILE) -> int:
    """Write the paragraphs of `chunk_texts(n_chunks)` as Markdown files under dest; returns the file count.

    Each paragraph (five sentences, ~100 tokens) is its own `##` section, so the indexer's chunking (which
    never joins sections) makes exactly one chunk of it.
    """
    dest.mkdir(parents=True, exist_ok=True)
    texts = chunk_texts(n_chunks, seed, sentences=5)
    names = project_names(n_chunks, seed)
    files = 0
    for start in range(0, len(texts), per_file):
        sections = [f"## {names[i]}\n\n{texts[i]}" for i in range(start, min(start + per_file, len(texts)))]
        body = "\n\n".join(sections)
        path = dest / f"projects-{start // per_file:05d}.md"
        path.write_text(f"# Projects, part {files + 1}\n\n{body}\n")
        files += 1
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    files = write_corpus(args.dest, args.chunks, args.seed)
    print(f"wrote {files} files, {args.chunks} paragraphs, to {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
