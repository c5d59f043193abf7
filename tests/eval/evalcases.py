"""Hand-made passages the eval tests share."""

from __future__ import annotations

BRIDGE = (
    "The Harrow Bridge over the river Lenn was completed in 1887. It was designed by the engineer Clara "
    "Whitcombe and built by the firm of Dobbs & Sons. The bridge has five stone arches."
)
BAKERY = "Mirela Ost started the Ost bakery in Tarnov in 1998. Her brother Pavel took over the shop in 2010."


def sources(*texts: str) -> list[dict[str, object]]:
    return [
        {"n": i, "file": f"doc{i}.md", "page": None, "text": t, "score": 0.5, "cited": True}
        for i, t in enumerate(texts, start=1)
    ]
