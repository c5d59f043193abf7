"""The `rag` command: index, ask, status, serve-model, serve-embeddings, ui, eval.

Every subcommand returns an exit code; a `RagError` becomes one line on stderr and exit code 1. The
subcommands are grouped in `rag.cli.library` (index, ask, status, collections, docs, remove) and
`rag.cli.servers` (serve-model, serve-embeddings, serve, ui); `rag.cli.parser` holds their options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from rag.cli.common import EXIT_ERROR
from rag.cli.parser import build_parser
from rag.errors import RagError

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:  # the harness has its own options: `rag eval --limit 5` passes them through
        from eval.run import main as eval_main

        rest = argv[1:]
        return int(eval_main(rest[1:] if rest[:1] == ["--"] else rest))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "collections" and args.action == "delete" and not args.name:
        parser.error("collections delete needs the NAME of the collection")
    try:
        return int(args.func(args))
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # never a traceback for the user; RAG_DEBUG=1 shows it
        if os.environ.get("RAG_DEBUG"):
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (set RAG_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_ERROR
