"""The light `rag` commands (`--help`, `status`, `docs`) load neither torch, llama.cpp nor Gradio.

Each command runs in a fresh interpreter, as the console script would, against a real data dir holding a
tiny indexed corpus; the process then reports which heavy modules it imported.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, make_settings

HEAVY = ("torch", "llama_cpp", "gradio")

RUNNER = f"""
import json, sys
from rag.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as done:  # --help exits from argparse
    code = done.code
print(json.dumps({{"code": code, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def indexed_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    from rag.engine import Rag

    data_dir = tmp_path_factory.mktemp("startup")
    docs = data_dir / "docs"
    docs.mkdir()
    (docs / "falcon.md").write_text("# Falcon\n\nFalcon 40B was trained on one trillion tokens.\n")
    engine = Rag(make_settings(data_dir, docs), embedder=embedder)
    assert engine.index(then_build_keyword_index=False).added == 1
    engine.close()
    return data_dir


def _run(args: list[str], data_dir: Path, **env: str) -> tuple[dict[str, object], str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    environ.update(RAG_DATA_DIR=str(data_dir), RAG_CORPUS_DIR=str(data_dir / "docs"), **env)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args], cwd=REPO_ROOT, env=environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    *output, report = done.stdout.strip().splitlines()
    return json.loads(report), "\n".join(output)


def test_cli_help__loads_no_heavy_module(tmp_path: Path) -> None:
    report, output = _run(["--help"], tmp_path)
    assert report == {"code": 0, "heavy": []}
    assert "serve-model" in output


def test_cli_status__loads_no_heavy_module_with_a_configured_endpoint(indexed_dir: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    report, output = _run(["status", "--json"], indexed_dir, RAG_LLM_BASE_URL=url, RAG_LLM_MODEL="m")
    assert report == {"code": 0, "heavy": []}
    status = json.loads(output)
    assert (status["documents"], status["endpoint"]["url"], status["endpoint"]["healthy"]) == (1, url, False)


def test_cli_status__loads_no_heavy_module_with_the_embedded_endpoint_not_started(indexed_dir: Path) -> None:
    report, output = _run(["status"], indexed_dir)
    assert report == {"code": 0, "heavy": []}
    assert "documents: 1" in output and "(embedded, not started)" in output


def test_cli_docs__loads_no_heavy_module(indexed_dir: Path) -> None:
    report, output = _run(["docs"], indexed_dir)
    assert report == {"code": 0, "heavy": []}
    assert output.startswith("falcon.md  1 chunks")
