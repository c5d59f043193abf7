"""The embedded llama.cpp server lives exactly as long as the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO_ROOT

STARTER = """
import sys
from pathlib import Path
from rag.serving.model_server import start_or_attach
from rag.settings import Settings
info, server = start_or_attach(Settings(data_dir=Path(sys.argv[1]), model_path=Path(sys.argv[2])))
print(server.proc.pid, flush=True)
sys.stdin.read()  # wait to be killed
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie whose parent (init) has not reaped it yet is gone too
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state == "Z"


def test_embedded_server__ends_when_its_starter_is_killed_with_sigkill(  # type: ignore[no-untyped-def]
    endpoint_settings, tmp_path: Path
) -> None:
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path), str(endpoint_settings.model_path)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert starter.stdout is not None
    server_pid = int(starter.stdout.readline())
    assert not _gone(server_pid)
    starter.send_signal(signal.SIGKILL)  # no exit handler runs
    starter.wait()
    deadline = time.monotonic() + 60  # a bound on waiting, not a speed goal: the watch polls every second
    while not _gone(server_pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    if not _gone(server_pid):
        os.kill(server_pid, signal.SIGKILL)
        raise AssertionError("the embedded server outlived the process that started it")
