"""Starting the page: build the engine once, build the Blocks, launch on localhost (analytics off).

`main(argv)` is `rag ui [--host] [--port] [--no-index]` (also `python -m ui.app`); `launch()` serves a page
for a given engine (tests, benchmarks).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import rag.offline  # noqa: F401  (telemetry off, Hugging Face offline, before Gradio is imported)

if TYPE_CHECKING:
    import gradio as gr

    from rag import Rag, Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860

log = logging.getLogger(__name__)


def parse_auth(spec: str) -> list[tuple[str, str]]:
    """Parse page logins written as `user:password`, several separated by commas (`a:1,b:2`).

    Args:
        spec: The `RAG_UI_AUTH` value; empty means no login.

    Returns:
        (user, password) pairs; the password is everything after the first `:`.

    Raises:
        ValueError: An entry has no `:`, or an empty user or password.
    """
    pairs: list[tuple[str, str]] = []
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(f"RAG_UI_AUTH entry {entry.split(':')[0]!r} must be written user:password")
        pairs.append((user.strip(), password))
    return pairs


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: theme, CSS, script, login, upload size limit, quiet footer."""
    from ui.theme import CSS, JS, theme

    options: dict[str, Any] = dict(
        theme=theme(),
        css=CSS,
        js=JS,
        footer_links=[],
        show_error=False,
        # Gradio refuses bigger uploads before writing them to disk; ui.uploads checks again when saving.
        max_file_size=f"{settings.upload_max_mb}mb",
    )
    auth = parse_auth(settings.ui_auth)
    if auth:
        options.update(auth=auth, auth_message="Sign in to ask the documents.")
    return options


def launch(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    engine: Rag | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Build the engine (unless given) and the page, and serve it.

    Args:
        settings: The run's settings.
        host: Interface to bind; localhost unless asked otherwise.
        port: TCP port.
        engine: An engine to reuse (tests, `rag ui` after indexing); built from `settings` when None.
        block: Wait until interrupted (False: return once serving, e.g. in tests).

    Returns:
        The running Blocks app (`.close()` stops it).
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.layout import build_app

    if engine is None:
        from rag import Rag

        engine = Rag(settings)
    demo = build_app(engine, settings)
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        inbrowser=False,
        share=False,
        quiet=not block,
        **launch_options(settings),
    )
    return demo


def page_with_api(settings: Settings, host: str, port: int, *, engine: Rag) -> Any:
    """The page and the chat API in one app on one engine: the API's routes, the page mounted at `/`.

    Returns:
        The uvicorn server (`.run()` serves in the foreground).

    Raises:
        ConfigError: `host` is not loopback and RAG_API_KEYS is empty.
    """
    import gradio as gr

    from rag.serving.api import create_app
    from rag.serving.api_server import check_exposure, uvicorn_server
    from rag.serving.engines import Engines
    from ui.layout import build_app

    check_exposure(settings, host)
    engines = Engines(settings, engine=engine)
    app = create_app(engines)
    demo = build_app(engine, settings, engines=engines)
    options = launch_options(settings)
    app = gr.mount_gradio_app(app, demo, path="", server_name=host, server_port=port, **options)
    return uvicorn_server(app, host, port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag ui", description="Index the documents and serve the chat page."
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--no-index", action="store_true", help="do not index the corpus before serving")
    parser.add_argument("--collection", metavar="NAME", help="the collection (default: RAG_COLLECTION)")
    parser.add_argument(
        "--api", action="store_true", help="serve the chat API (/v1) from the page's process and engine too"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Index the corpus (incrementally), start or attach the model endpoint, serve the page.

    Returns:
        The exit code: 0 after a clean stop, 2 on a configuration or indexing error.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from rag import Rag, RagError, Settings

    try:
        settings = Settings(**({"collection": args.collection} if args.collection else {}))
        parse_auth(settings.ui_auth)  # fail before any work on a malformed RAG_UI_AUTH
        engine = Rag(settings)
        if not args.no_index:
            print(
                f"Indexing {settings.corpus_dir} and {settings.uploads_dir} (only what changed)…", flush=True
            )
            print(engine.index(show_progress=sys.stderr.isatty()).summary(), flush=True)
        try:
            info = engine.endpoint()
            print(f"Model {info.model} at {info.base_url}", flush=True)
        except RagError as err:  # the page still starts and says so; questions work once the endpoint does
            print(f"warning: {err}", file=sys.stderr, flush=True)
        print(f"Chat page: http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
        if args.api:
            print(f"Chat API: http://{args.host}:{args.port}/v1 (models rag:COLLECTION)", flush=True)
            page_with_api(settings, args.host, args.port, engine=engine).run()
        else:
            launch(settings, args.host, args.port, engine=engine)
    except (RagError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
