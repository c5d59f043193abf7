"""Offline, proved below Python: the whole workflow runs in a network namespace that holds only loopback.

tests/faults/test_faults_privacy.py catches Python's own sockets; native code (Chroma's Rust core, llama.cpp,
the embedder's runtime, Gradio's dependencies) could still open connections of its own. Here the kernel is the
guard: `unshare --net` gives the session a namespace whose only interface is `lo`, so any attempt to reach
beyond loopback fails, whoever makes it, and a step that needed the network fails with it. The session
(tests/faults/privacy/netns_session.py) runs the real commands against the real embedded llama.cpp endpoint,
started once inside the namespace.

Needs the right to create a network namespace (root, as in CI); skipped, saying why, where it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

PRIVACY_DIR = Path(__file__).resolve().parent / "privacy"
REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "corpus"
SESSION_TIMEOUT_S = 840.0  # below the suite's per-test timeout (pyproject.toml), which would kill less tidily
# the test's autouse fixture clears RAG_*; the thread count of the shell that runs the suite is kept, so a
# shared machine can keep the model server to one core as it does for the rest of its work
LLM_THREADS = os.environ.get("RAG_LLM_THREADS", "")
# what a step that wanted the network would have left in its stderr
NETWORK_FAILURES = (
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "No route to host",
    "nodename nor servname",
    "getaddrinfo failed",
)


def _namespace_or_skip() -> list[str]:
    """The command prefix that runs a command in a new namespace with loopback up, or a skip saying why."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("no `unshare` or `ip` on this machine: cannot make a loopback-only network namespace")
    prefix = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "netns"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        pytest.skip(f"cannot make a network namespace: {err}")
    if probe.returncode != 0:
        pytest.skip(f"cannot make a network namespace (needs root): {probe.stderr.strip()}")
    return prefix


def _session_env(tmp_path: Path, corpus: Path) -> dict[str, str]:
    from rag.serving.model_files import resolve_model_file
    from rag.settings import Settings

    # the model is assembled once per machine in the default data dir (as for the session's endpoint
    # fixture); the session serves that file from a data dir of its own
    model_file, _ = resolve_model_file(Settings())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        ANONYMIZED_TELEMETRY="False",
        GRADIO_ANALYTICS_ENABLED="False",
        RAG_DATA_DIR=str(tmp_path / "data"),
        RAG_CORPUS_DIR=str(corpus),
        RAG_MODEL_PATH=str(model_file),
    )
    if LLM_THREADS:
        env["RAG_LLM_THREADS"] = LLM_THREADS
    return env


def _run_session(prefix: list[str], env: dict[str, str], work: Path) -> subprocess.CompletedProcess[str]:
    """The session in its namespace, in a process group of its own that is killed whole at the end."""
    proc = subprocess.Popen(
        [*prefix, sys.executable, str(PRIVACY_DIR / "netns_session.py"), str(work)],
        env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = proc.communicate(timeout=SESSION_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=60)
        pytest.fail(f"the session did not finish within {SESSION_TIMEOUT_S:g} s:\n{stderr[-3000:]}")
    finally:
        try:  # whatever the session left behind (it stops what it started; this is for when it could not)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_offline_netns__index_ask_page_api_and_eval_work_with_only_loopback(tmp_path: Path) -> None:
    prefix = _namespace_or_skip()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("mistral-ai.md", "yann-lecun.md"):  # the questions are about Mistral; the eval slice LeCun
        shutil.copy(CORPUS / name, corpus / name)
    work = tmp_path / "work"
    work.mkdir()

    proc = _run_session(prefix, _session_env(tmp_path, corpus), work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("SESSION "))
    result = json.loads(line.removeprefix("SESSION "))

    # the namespace was in force: loopback only, nothing beyond it reachable, no name resolved
    network = result["network"]
    assert network["interfaces"] == ["lo"]
    assert network["connect_errno"] == "ENETUNREACH" and network["lookup_failed"] is True

    # one llama.cpp server, on loopback, that every command attached to
    assert result["endpoint"]["base_url"].startswith("http://127.0.0.1:")
    assert result["endpoint_after"] == result["endpoint"]

    assert result["index"]["code"] == 0 and result["index"]["report"]["added"] == 2

    assert result["ask"]["code"] == 0
    answer = result["ask"]["answer"]
    assert answer["text"].strip() and not answer["refused"]
    assert any(s["cited"] and s["file"] == "mistral-ai.md" for s in answer["sources"])

    ui = result["ui"]
    assert ui["page_is_html"] and ui["status"] == 200, ui
    reply = ui["reply"]
    assert reply["choices"][0]["message"]["content"].strip() and not reply["rag"]["refused"]
    assert any(s["cited"] and s["file"] == "mistral-ai.md" for s in reply["rag"]["sources"])

    evaluation = result["eval"]
    assert evaluation["code"] == 0
    assert evaluation["files"] == ["report.html", "report.json", "report.md"]
    report = evaluation["report"]
    assert {"aggregate", "questions", "latency"} <= report.keys() and report["errors"] == 0
    assert len(report["questions"]) == 2 and all(q["answer"] and q["passages"] for q in report["questions"])

    # and no step met the missing network on its way (a library that tried and then carried on)
    logs = sorted((work / "logs").glob("*.err")) + sorted((tmp_path / "data" / "logs").glob("*.log"))
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = [failure for failure in NETWORK_FAILURES if failure in text]
        assert not found, f"{log.name}: {found}\n{text[-2000:]}"
