"""A whole session in one process, configured only by RAG_* variables: index, ask, one question through the
page's HTTP API, and an eval run over two questions. Prints what the privacy test checks as one JSON line.

    python tests/faults/privacy/session.py OUT_DIR
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(out: Path) -> dict[str, object]:
    from rag import Rag, Settings

    settings = Settings()
    engine = Rag(settings)
    indexed = engine.index()
    answer = engine.ask("When was Mistral AI founded?")

    from gradio_client import Client

    from ui.app import launch

    port = free_port()
    demo = launch(settings, port=port, engine=engine, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        page = str(client.predict("Where and when was Mistral AI founded?", 0, -1.0, api_name="/ask"))
    finally:
        demo.close()

    from eval.run import main as eval_main

    eval_code = eval_main(["--limit", "2", "--out", str(out / "eval"), "--no-judge-check"])
    report = json.loads((out / "eval" / "report.json").read_text(encoding="utf-8"))

    import gradio.analytics
    import huggingface_hub.constants

    return {
        "indexed": indexed.added,
        "answer": answer.text,
        "page": page,
        "eval_code": eval_code,
        "eval_answered": sum(1 for q in report["questions"] if q["answer"] and not q["error"]),
        "chroma_telemetry": engine.store.client.get_settings().anonymized_telemetry,
        "gradio_analytics": gradio.analytics.analytics_enabled(),
        "page_analytics": demo.analytics_enabled,
        "env": {
            k: os.environ.get(k)
            for k in ("GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
        },
        "hub_offline": huggingface_hub.constants.HF_HUB_OFFLINE,
    }


def guard_refuses_the_network() -> bool:
    """Whether the guard is loaded: a connection to a documentation address must be refused (and logged)."""
    try:
        socket.create_connection(("192.0.2.1", 9), timeout=0.5).close()
    except OSError as err:
        return "privacy test" in str(err)
    return False


if __name__ == "__main__":
    result = main(Path(sys.argv[1]))
    result["guard_active"] = guard_refuses_the_network()
    print("SESSION " + json.dumps(result))
