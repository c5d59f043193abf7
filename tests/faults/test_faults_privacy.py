"""Privacy: a whole session (index, ask, the page, an eval slice) connects to nothing but loopback, and rag's
own code, not the test environment, turns Chroma telemetry, Gradio analytics and Hugging Face Hub access off.

The session runs in a fresh process (tests/faults/privacy/session.py) whose `sitecustomize` refuses and logs
every connection or name lookup that is not for loopback; the environment it gets holds no telemetry or
offline switch, so whatever turns them off must be rag itself. Its model endpoint is a well-behaved local fake
(what is checked here is everything around the model, and the real one would cost minutes of generation).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.faults.misbehaving_endpoint import MisbehavingEndpoint

PRIVACY_DIR = Path(__file__).resolve().parent / "privacy"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SWITCHES = ("ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
            "HF_DATASETS_OFFLINE", "PYTHONPATH")  # fmt: skip


def test_session__index_ask_page_and_eval_reach_only_loopback_with_telemetry_off(
    misbehaving: Callable[..., MisbehavingEndpoint], tmp_path: Path
) -> None:
    endpoint = misbehaving("ok")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("mistral-ai.md", "yann-lecun.md"):  # the eval slice asks about LeCun; the page about Mistral
        shutil.copy(CORPUS / name, corpus / name)
    log = tmp_path / "network.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k not in SWITCHES}
    env.update(
        PYTHONPATH=str(PRIVACY_DIR),
        PRIVACY_LOG=str(log),
        RAG_DATA_DIR=str(tmp_path / "data"),
        RAG_CORPUS_DIR=str(corpus),
        RAG_LLM_BASE_URL=endpoint.base_url,
        RAG_LLM_MODEL="m",
    )
    proc = subprocess.run(
        [sys.executable, str(PRIVACY_DIR / "session.py"), str(tmp_path / "out")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("SESSION "))
    result = json.loads(line.removeprefix("SESSION "))

    # the guard was in place, and the only thing it refused was its own probe
    assert result["guard_active"] is True
    refused = log.read_text(encoding="utf-8").splitlines()
    assert len(refused) == 1 and "192.0.2.1" in refused[0], "\n".join(refused)

    # and the session worked through it
    assert result["indexed"] == 2
    assert "April 2023" in result["answer"]
    assert "April 2023" in result["page"] and "rag-error" not in result["page"]
    assert result["eval_code"] == 0 and result["eval_answered"] == 2
    assert endpoint.requests == 4  # the question, the page's question, the two eval questions

    # telemetry and hub access were switched off by rag's own code
    assert result["chroma_telemetry"] is False
    assert result["gradio_analytics"] is False and result["page_analytics"] is False
    assert result["env"] == {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                             "TRANSFORMERS_OFFLINE": "1"}  # fmt: skip
    assert result["hub_offline"] is True
