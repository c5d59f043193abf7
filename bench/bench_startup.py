"""How long the light `rag` commands take to start, against a bare interpreter.

    .venv/bin/python bench/bench_startup.py [--runs 5]

Indexes one small document into a temporary data dir (with the bundled embedder), then runs each command
in a fresh interpreter `--runs` times, as the console script would: `python -c pass` (the base), `rag --help`,
`rag status` (the endpoint configured at a closed loopback port, so its check fails at once), `rag status`
with the embedded endpoint not started, and `rag docs`. Prints the median wall time of each, its ratio to
the base, and the heavy modules (torch, llama_cpp, gradio) the command imported, which should be none.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HEAVY = ("torch", "llama_cpp", "gradio")

# runs one `rag` command, then reports what it imported on the last line
COMMAND = (
    "import json, sys\n"
    "from rag.cli import main\n"
    "try:\n    main(sys.argv[1:])\n"
    "except SystemExit:\n    pass\n"
    f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _index_one_document(data_dir: Path) -> None:
    from rag import Rag, Settings

    docs = data_dir / "docs"
    docs.mkdir()
    (docs / "falcon.md").write_text("# Falcon\n\nFalcon 40B was trained on one trillion tokens.\n")
    engine = Rag(Settings(data_dir=data_dir, corpus_dir=docs))
    engine.index(then_build_keyword_index=False)
    engine.close()


def _time(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, list[str]]:
    seconds, heavy = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - start)
        if argv[2] == COMMAND:
            heavy = json.loads(done.stdout.strip().splitlines()[-1])
    return statistics.median(seconds), heavy


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--runs", type=int, default=5, help="runs per command (the median is reported)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp)
        _index_one_document(data_dir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env.update(RAG_DATA_DIR=str(data_dir), RAG_CORPUS_DIR=str(data_dir / "docs"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        closed = {"RAG_LLM_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1", "RAG_LLM_MODEL": "m"}
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], {}),
            ("rag --help", [sys.executable, "-c", COMMAND, "--help"], {}),
            ("rag status (closed endpoint)", [sys.executable, "-c", COMMAND, "status"], closed),
            ("rag status (embedded, not started)", [sys.executable, "-c", COMMAND, "status"], {}),
            ("rag docs", [sys.executable, "-c", COMMAND, "docs"], {}),
        ]
        base = 0.0
        print(f"{'command':<36} {'median s':>9} {'x base':>7}  heavy modules imported")
        for name, argv, extra in cases:
            median, heavy = _time(argv, {**env, **extra}, args.runs)
            base = base or median
            print(f"{name:<36} {median:>9.2f} {median / base:>7.1f}  {', '.join(heavy) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
