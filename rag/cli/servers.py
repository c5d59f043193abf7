"""The `rag` subcommands that run a server in the foreground: serve-model, serve-embeddings, serve, ui."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from rag.cli.common import EXIT_OK, settings_from
from rag.errors import RagError


def cmd_serve_model(args: argparse.Namespace) -> int:
    from rag.serving.model_files import resolve_model_file
    from rag.serving.model_server import EmbeddedServer

    settings = settings_from(args)
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

    settings = settings_from(args).model_copy(update={"embed_base_url": ""})  # always the bundled embedder
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

    settings = settings_from(args)
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
