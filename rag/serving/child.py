"""Run llama.cpp's OpenAI-compatible server as a child process that ends with its parent.

    python -m rag.serving.child PARENT_PID [llama_cpp.server options...]

The parent stops the server at exit, but a parent killed by a signal runs no exit handlers; without this
watch an orphaned server would hold its port, its memory and both cores until someone noticed.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
import time

POLL_S = 1.0


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os._exit(0)  # the server holds nothing that needs saving


def main(argv: list[str]) -> None:
    if not argv or not argv[0].isdigit():
        raise SystemExit("usage: python -m rag.serving.child PARENT_PID [llama_cpp.server options...]")
    parent = int(argv[0])
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *argv[1:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
