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


def cmd_serve_model(args: argparse.Namespace) -> int:
    from rag.endpoint.bundled import resolve_model_file
    from rag.endpoint.server import EmbeddedServer

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

    from rag.embed import make_embedder
    from rag.endpoint.embeddings import make_server

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


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import main as ui_main

    argv = ["--host", args.host, "--port", str(args.port)]
    if args.no_index:
        argv.append("--no-index")
    return int(ui_main(argv))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Answers you can check, from documents you own.")
    sub = p.add_subparsers(dest="command", required=True)

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

    sm = sub.add_parser("serve-model", help="run the embedded llama.cpp endpoint in the foreground")
    sm.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: RAG_LLM_PORT or free)")
    sm.set_defaults(func=cmd_serve_model)

    se = sub.add_parser(
        "serve-embeddings", help="serve the bundled embedder as an OpenAI-compatible /v1/embeddings endpoint"
    )
    se.add_argument("--host", default="127.0.0.1", help="address to bind (another one only on purpose)")
    se.add_argument("--port", type=int, default=8090)
    se.set_defaults(func=cmd_serve_embeddings)

    ui = sub.add_parser("ui", help="serve the chat page")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=7860)
    ui.add_argument("--no-index", action="store_true", help="do not index the corpus before serving")
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
    args = build_parser().parse_args(argv)
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
