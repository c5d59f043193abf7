"""The `rag` command line: its subcommands and their options."""

from __future__ import annotations

import argparse
from typing import Any

from rag.cli.library import cmd_ask, cmd_collections, cmd_docs, cmd_index, cmd_remove, cmd_status
from rag.cli.servers import cmd_serve, cmd_serve_embeddings, cmd_serve_model, cmd_ui


def build_parser() -> argparse.ArgumentParser:
    """The parser of `rag`; each subcommand sets `func`, the function that runs it."""
    p = argparse.ArgumentParser(prog="rag", description="Answers you can check, from documents you own.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--collection", metavar="NAME", help="the collection to use (default: RAG_COLLECTION or corpus)"
    )
    sub = p.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser

    def add_parser(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return _add_parser(name, parents=[common], **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    ix = sub.add_parser("index", help="index the corpus folder (incremental), or the given files/folders")
    ix.add_argument("paths", nargs="*", help="files or folders (default: RAG_CORPUS_DIR and uploads)")
    ix.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    ix.add_argument("--json", action="store_true", help="print the report as JSON")
    ix.set_defaults(func=cmd_index)

    ak = sub.add_parser("ask", help="ask a question about the indexed documents")
    ak.add_argument("question", nargs="+")
    ak.add_argument("--json", action="store_true", help="print text, sources, refused, unsupported as JSON")
    ak.add_argument("--top-k", type=int, help="passages given to the model")
    ak.add_argument("--stream", action="store_true", help="show the model's text as it is written")
    ak.add_argument("--timings", action="store_true", help="print time per stage")
    ak.set_defaults(func=cmd_ask)

    st = sub.add_parser("status", help="documents and chunks indexed; endpoint health")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)

    co = sub.add_parser("collections", help="list the collections, or delete one")
    co.add_argument("action", nargs="?", choices=["list", "delete"], default="list")
    co.add_argument("name", nargs="?", help="the collection to delete")
    co.add_argument("--yes", action="store_true", help="delete without asking")
    co.add_argument("--json", action="store_true")
    co.set_defaults(func=cmd_collections)

    dc = sub.add_parser("docs", help="the collection's files: chunks, size, reader, when indexed")
    dc.add_argument("--json", action="store_true")
    dc.set_defaults(func=cmd_docs)

    rm = sub.add_parser("remove", help="take files out of the index (the files themselves are kept)")
    rm.add_argument("files", nargs="+", help="files as `rag docs` lists them, or paths to them")
    rm.set_defaults(func=cmd_remove)

    sm = sub.add_parser("serve-model", help="run the embedded llama.cpp endpoint in the foreground")
    sm.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: RAG_LLM_PORT or free)")
    sm.set_defaults(func=cmd_serve_model)

    se = sub.add_parser(
        "serve-embeddings", help="serve the bundled embedder as an OpenAI-compatible /v1/embeddings endpoint"
    )
    se.add_argument("--host", default="127.0.0.1", help="address to bind (another one only on purpose)")
    se.add_argument("--port", type=int, default=8090)
    se.set_defaults(func=cmd_serve_embeddings)

    sv = sub.add_parser("serve", help="serve the OpenAI-compatible chat API (a collection NAME is rag:NAME)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (another one needs RAG_API_KEYS)")
    sv.add_argument("--port", type=int, default=8000)
    sv.set_defaults(func=cmd_serve)

    ui = sub.add_parser("ui", help="serve the chat page")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=7860)
    ui.add_argument("--no-index", action="store_true", help="do not index the corpus before serving")
    ui.add_argument("--api", action="store_true", help="serve the chat API (/v1) from the same process too")
    ui.set_defaults(func=cmd_ui)

    sub.add_parser("eval", help="run the evaluation harness (`rag eval --help` lists its options)")
    return p
