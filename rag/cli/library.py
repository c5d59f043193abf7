"""The `rag` subcommands on the library: index, ask, status, collections, docs, remove.

Each imports what it needs when it runs, so `rag --help` and the reports stay light.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rag.cli.common import EXIT_OK, settings_from
from rag.errors import RagError


def cmd_index(args: argparse.Namespace) -> int:
    from rag.engine import Rag

    settings = settings_from(args)
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
    from rag.types import Answer, Delta, Withdrawn

    engine = Rag(settings_from(args))
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
                    elif isinstance(event, Withdrawn) and streamed:  # the draft did not stand
                        print("\n(not supported by the documents; asking again with the best passage)",
                              file=sys.stderr)  # fmt: skip
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

    st = Rag(settings_from(args)).status()
    if args.json:
        print(json.dumps(st.to_dict(), indent=2))
    else:
        ep = st.endpoint
        health = "healthy" if ep.healthy else f"not answering ({ep.error})" if ep.error else "not started"
        print(f"documents: {st.documents}  chunks: {st.chunks}  collection: {st.collection}")
        print(f"embedder:  {st.embedder}")
        print(f"endpoint:  {ep.url}  model: {ep.model}  {health}")
        print(f"data dir:  {st.data_dir}\ncorpus:    {st.corpus_dir}")
    return EXIT_OK


def cmd_collections(args: argparse.Namespace) -> int:
    from rag.store import collections
    from rag.store.factory import open_store

    settings = settings_from(args)
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

    settings = settings_from(args)
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

    settings = settings_from(args)
    removed = _existing(Rag(settings)).remove(args.files)
    for name in removed:
        print(f"removed {name} from {settings.collection!r} (the file itself is kept)")
    return EXIT_OK
