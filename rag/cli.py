"""The `rag` command: index, ask, status, serve-model, serve-embeddings, ui, eval.

Every subcommand returns an exit code; a `RagError` becomes one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.errors import RagError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Any:
    from pydantic import ValidationError

    from rag.errors import ConfigError
    from rag.settings import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "top_k", None):
        overrides["top_k"] = args.top_k
    if getattr(args, "collection", None):
        overrides["collection"] = args.collection
    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"setting RAG_{field.upper()} is invalid: {first['msg']}") from e


def cmd_index(args: argparse.Namespace) -> int:
    from rag.engine import Rag

    settings = _settings(args)
    engine = Rag(settings)
    paths = [Path(p) for p in args.paths] if args.paths else None
    report = engine.index(
        paths, show_progress=sys.stderr.isatty(), rebuild=args.rebuild, then_build_keyword_index=False
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.summary())
    return EXIT_OK


def _print_answer(answer: Any, show_timings: bool) -> None:
    print(answer.text)
    if answer.quotes:
        print("\nWhat the documents say:")
        for q in answer.quotes:
            print(f'  [{q.n}] "{q.text}"')
    cited = [s for s in answer.sources if s.cited]
    if cited:
        print("\nSources:")
        for s in cited:
            page = f", page {s.page}" if s.page else ""
            print(f"  [{s.n}] {s.file}{page} (score {s.score:.2f})")
    if answer.unsupported:
        print("\nNot supported by any passage:")
        for sentence in answer.unsupported:
            print(f"  - {sentence}")
    if show_timings:
        t = answer.timings
        print("\nTimings: " + ", ".join(f"{k} {v:.2f}s" for k, v in t.items()))


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.engine import Rag
    from rag.types import Answer, Delta

    engine = Rag(_settings(args))
    question = " ".join(args.question)
    try:
        if args.json or not args.stream:
            answer = engine.ask(question)
        else:
            answer, streamed = None, False
            try:
                for event in engine.ask_stream(question):
                    if isinstance(event, Delta):
                        print(event.text, end="", flush=True, file=sys.stderr)
                        streamed = True
                    elif isinstance(event, Answer):
                        answer = event
            finally:
                if streamed:  # end the streamed text, so an error after it starts on a line of its own
                    print(file=sys.stderr)
        assert answer is not None
        if args.json:
            print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        else:
            _print_answer(answer, args.timings)
    finally:
        engine.close()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from rag.engine import Rag

    st = Rag(_settings(args)).status()
    if args.json:
        print(json.dumps(st, indent=2))
    else:
        ep = st["endpoint"]
        health = (
            "healthy" if ep["healthy"] else f"not answering ({ep['error']})" if ep["error"] else "not started"
        )
        print(f"documents: {st['documents']}  chunks: {st['chunks']}  collection: {st['collection']}")
        print(f"embedder:  {st['embedder']}")
        print(f"endpoint:  {ep['url']}  model: {ep['model']}  {health}")
        print(f"data dir:  {st['data_dir']}\ncorpus:    {st['corpus_dir']}")
    return EXIT_OK


def cmd_collections(args: argparse.Namespace) -> int:
    from rag.store import collections
    from rag.store.factory import open_store

    settings = _settings(args)
    store = open_store(settings)
    if args.action == "delete":
        name = collections.checked_name(args.name)
        info = collections.describe(store, name)
        if not args.yes:
            if not sys.stdin.isatty():
                raise RagError(f"deleting the collection {name!r} needs confirmation: pass --yes")
            held = f"{info.documents} documents, {info.chunks} chunks"
            reply = input(f"Delete the collection {name!r} ({held}; the files are kept)? [y/N] ")
            if reply.strip().lower() not in ("y", "yes"):
                print("nothing deleted")
                return EXIT_OK
        collections.delete(store, name)
        print(f"deleted the collection {name!r} ({info.documents} documents, {info.chunks} chunks)")
        return EXIT_OK
    infos = [collections.describe(store, n) for n in collections.collection_names(store)]
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
        return EXIT_OK
    if not infos:
        print("no collections yet: `rag index` creates one")
    for i in infos:
        mark = "*" if i.name == settings.collection else " "
        print(f"{mark} {i.name:<24} {i.documents:>5} documents {i.chunks:>7} chunks  {i.embedder}  "
              f"last indexed {i.last_indexed or 'before this was recorded'}")  # fmt: skip
    return EXIT_OK


def _existing(engine: Any) -> Any:
    """The engine, if its collection exists (else `UnknownCollection`, naming the ones that do)."""
    from rag.store.collections import UnknownCollection, collection_names

    known = collection_names(engine.store)
    if engine.settings.collection not in known:
        raise UnknownCollection(engine.settings.collection, known)
    return engine


def cmd_docs(args: argparse.Namespace) -> int:
    from rag.engine import Rag

    settings = _settings(args)
    docs = _existing(Rag(settings)).documents()
    if args.json:
        print(json.dumps([d.to_dict() for d in docs], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not docs:
        print(f"nothing is indexed in {settings.collection!r}: run `rag index`")
    for d in docs:
        size = f"{d.size / 1024:.1f} KB" if d.size is not None else "gone from disk"
        print(f"{d.file}  {d.chunks} chunks  {size}  {d.reader}  indexed {d.indexed_at or '(not recorded)'}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.engine import Rag

    settings = _settings(args)
    removed = _existing(Rag(settings)).remove(args.files)
    for name in removed:
        print(f"removed {name} from {settings.collection!r} (the file itself is kept)")
    return EXIT_OK


def cmd_serve_model(args: argparse.Namespace) -> int:
    from rag.serving.model_files import resolve_model_file
    from rag.serving.model_server import EmbeddedServer

    settings = _settings(args)
    if args.port:
        settings = settings.model_copy(update={"llm_port": args.port})
    model_file, name = resolve_model_file(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    server = EmbeddedServer(settings, model_file, name)
    info = server.start()
    server.record()
    print(f"serving {name} at {info.base_url} (Ctrl-C to stop)", flush=True)
    stop = {"now": False}

    def _stop(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop["now"] and server.proc is not None and server.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def cmd_serve_embeddings(args: argparse.Namespace) -> int:
    import threading

    from rag.retrieval.embed import make_embedder
    from rag.serving.embeddings_server import make_server

    settings = _settings(args).model_copy(update={"embed_base_url": ""})  # always the bundled embedder
    server = make_server(make_embedder(settings), args.host, args.port)
    port = server.server_address[1]
    print(f"serving embeddings at http://{args.host}:{port}/v1 (Ctrl-C to stop)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.shutdown())

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        server.shutdown()
    finally:
        server.server_close()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.serving.api import create_app
    from rag.serving.api_server import check_exposure, uvicorn_server
    from rag.serving.engines import Engines

    settings = _settings(args)
    check_exposure(settings, args.host)
    engines = Engines(settings)
    try:
        try:
            info = engines.default.endpoint()
            print(f"model {info.model} at {info.base_url}", flush=True)
        except RagError as err:  # the API still starts; answers say so until the endpoint works
            print(f"warning: {err}", file=sys.stderr, flush=True)
        models = ", ".join(f"rag:{n}" for n in engines.names())
        auth = "a key of RAG_API_KEYS" if settings.api_key_list else "no key (loopback only)"
        print(f"chat API at http://{args.host}:{args.port}/v1 (models {models}; {auth}; Ctrl-C to stop)",
              flush=True)  # fmt: skip
        uvicorn_server(create_app(engines), args.host, args.port).run()
    finally:
        engines.close()
    return EXIT_OK


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import main as ui_main

    argv = ["--host", args.host, "--port", str(args.port)]
    if args.no_index:
        argv.append("--no-index")
    if args.api:
        argv.append("--api")
    if args.collection:
        argv += ["--collection", args.collection]
    return int(ui_main(argv))


def build_parser() -> argparse.ArgumentParser:
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


if __name__ == "__main__":
    raise SystemExit(main())
