"""`python -m rag.cli`: the `rag` command."""

from __future__ import annotations

from rag.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
