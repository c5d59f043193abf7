"""The whole workflow as a user runs it, one command after another, for a network namespace with only
loopback: `rag serve-model`, `rag index`, `rag ask --json`, one question to `rag ui --api` over HTTP, and
`eval/run.py --limit 2`. Every command attaches to the one model server started first. Prints what
tests/faults/test_faults_offline_netns.py checks as one JSON line.

    python tests/faults/privacy/netns_session.py WORK_DIR

Configured only by the environment it is given (RAG_DATA_DIR, RAG_CORPUS_DIR, RAG_MODEL_PATH...). The stdout
and stderr of each command are kept in WORK_DIR/logs/ for the test to read. Every wait has a deadline, and
every process started here is stopped before it returns.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]
RAG = [sys.executable, "-m", "rag.cli"]
MODEL_START_S = 240.0  # the model server's own limit is 180 s; this one also covers the import before it
UI_START_S = 240.0
COMMAND_S = 600.0  # one command: the slowest is the eval's two questions on one thread
ASK_QUESTION = "Under which licence was Mistral 7B released?"
API_QUESTION = "When was Mistral AI founded?"


def probe_network() -> dict[str, object]:
    """What the namespace lets through: its interfaces, a connection to a public address, a name lookup."""
    # asked of the kernel, not read from /sys/class/net, which shows the namespace that mounted /sys
    result: dict[str, object] = {"interfaces": sorted(name for _, name in socket.if_nameindex())}
    try:
        # 192.0.2.1 is a documentation address: nothing answers there, so only the route decides the error
        socket.create_connection(("192.0.2.1", 9), timeout=2).close()
        result["connect_errno"] = 0
    except OSError as err:
        result["connect_errno"] = errno.errorcode.get(err.errno or 0, str(err))
    try:
        socket.getaddrinfo("huggingface.co", 443)
        result["lookup_failed"] = False
    except OSError:
        result["lookup_failed"] = True
    return result


class Commands:
    """Runs and starts the commands, each with its output in logs/<name>.out and .err."""

    def __init__(self, work: Path) -> None:
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.background: list[subprocess.Popen[bytes]] = []
        self.seconds: dict[str, float] = {}
        self._started = time.monotonic()

    def lap(self, step: str) -> None:
        """Record the seconds since the previous lap under `step` (what the session's time went to)."""
        now = time.monotonic()
        self.seconds[step] = round(now - self._started, 1)
        self._started = now

    def run(self, name: str, argv: list[str]) -> tuple[int, str]:
        """Run one command to its end; returns its exit code and stdout."""
        out, err = self.logs / f"{name}.out", self.logs / f"{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.run(
                argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=REPO_ROOT, timeout=COMMAND_S
            )
        return proc.returncode, out.read_text(encoding="utf-8", errors="replace")

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        out, err = self.logs / f"{name}.out", self.logs / f"{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen(
                argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=REPO_ROOT
            )
        self.background.append(proc)
        return proc

    def stop_all(self) -> None:
        # the last started first: the page before the model server it is attached to
        for proc in reversed(self.background):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=30)


@contextmanager
def commands(work: Path) -> Iterator[Commands]:
    runner = Commands(work)
    try:
        yield runner
    finally:
        runner.stop_all()


def wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll `ready()` until it is true; RuntimeError when `proc` exits first or the deadline passes."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not ready within {timeout:g} s")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page_is_up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def read_json(path: Path) -> object:
    """The JSON in `path`, or None when there is no such file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def main(work: Path) -> dict[str, object]:
    result: dict[str, object] = {"network": probe_network()}
    data_dir = Path(os.environ["RAG_DATA_DIR"])
    with commands(work) as cmd:
        model = cmd.start("serve-model", [*RAG, "serve-model"])
        wait_for("rag serve-model", (data_dir / "endpoint.json").is_file, model, MODEL_START_S)
        result["endpoint"] = read_json(data_dir / "endpoint.json")
        cmd.lap("serve-model")

        code, out = cmd.run("index", [*RAG, "index", "--json"])
        result["index"] = {"code": code, "report": json.loads(out) if code == 0 else None}
        cmd.lap("index")

        code, out = cmd.run("ask", [*RAG, "ask", "--json", ASK_QUESTION])
        result["ask"] = {"code": code, "answer": json.loads(out) if code == 0 else None}
        cmd.lap("ask")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        page = cmd.start("ui", [*RAG, "ui", "--api", "--port", str(port)])
        wait_for("rag ui --api", lambda: page_is_up(f"{base}/"), page, UI_START_S)
        cmd.lap("ui-start")
        html = httpx.get(f"{base}/", timeout=30).text
        reply = httpx.post(
            f"{base}/v1/chat/completions",
            json={"model": "rag:corpus", "messages": [{"role": "user", "content": API_QUESTION}]},
            timeout=COMMAND_S,
        )
        result["ui"] = {
            "page_is_html": "<html" in html.lower(),
            "status": reply.status_code,
            "reply": reply.json(),
        }
        cmd.lap("ui-question")

        out_dir = work / "eval"
        code, _ = cmd.run("eval", [sys.executable, "eval/run.py", "--limit", "2", "--out", str(out_dir),
                                   "--no-judge-check"])  # fmt: skip
        files = sorted(p.name for p in out_dir.glob("report.*"))
        result["eval"] = {"code": code, "files": files, "report": read_json(out_dir / "report.json")}
        cmd.lap("eval")

        # a command that had started a server of its own would have recorded it here, and removed the record
        # when it stopped: the record is still the first server's only if every command attached to it
        result["endpoint_after"] = read_json(data_dir / "endpoint.json")
        result["seconds"] = cmd.seconds
    return result


if __name__ == "__main__":
    work = Path(sys.argv[1])
    line = json.dumps(main(work))
    (work / "session.json").write_text(line, encoding="utf-8")  # kept beside the logs for a failed run
    print("SESSION " + line, flush=True)
