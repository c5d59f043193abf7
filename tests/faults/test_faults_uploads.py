"""Hostile uploads through the real page over HTTP: nothing lands outside the upload folder; refusals show.

The files go the way a browser sends them: multipart to Gradio's upload route, then the page's upload event
through the queue (`/gradio_api/queue/join`, results over SSE). The engine behind the page is real (real
embedder, real Chroma); no model endpoint is needed to save and index a document.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag import Rag, Settings
from rag.retrieval.embed import Embedder

pytestmark = pytest.mark.faults

MAX_MB = 1
TEXT = b"# Notes\n\nThe okapi is a forest giraffe of the Ituri rainforest.\n"


@dataclass
class Page:
    base: str
    root: Path  # everything the page may write to lives below this
    settings: Settings
    upload_fn: int
    gradio_tmp: Path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Page]:
    from ui.app import launch

    root = tmp_path_factory.mktemp("upload-page")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "lemurs.md").write_text("# Lemurs\n\nLemurs live on Madagascar.\n")
    gradio_tmp = root / "gradio-tmp"
    settings = Settings(data_dir=root / "data", corpus_dir=corpus, upload_max_mb=MAX_MB)  # type: ignore[call-arg]
    engine = Rag(settings, embedder=embedder)
    engine.index()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(gradio_tmp))  # Gradio's own copies of uploads stay in this test
        demo = launch(settings, "127.0.0.1", port, engine=engine, block=False)
        upload_fn = next(i for i, d in demo.fns.items() if getattr(d.fn, "__name__", "") == "upload")
        try:
            yield Page(f"http://127.0.0.1:{port}", root, settings, upload_fn, gradio_tmp)
        finally:
            demo.close()


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def post_files(page: Page, files: list[tuple[str, bytes]]) -> httpx.Response:
    """Gradio's upload route, as the browser calls it when files are dropped on the page."""
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return httpx.post(f"{page.base}/gradio_api/upload", files=parts, timeout=60)


def run_upload_event(page: Page, uploaded: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's upload event through the queue; returns the final `process_completed` message."""
    session = uuid.uuid4().hex
    body = {"data": [uploaded, page.settings.collection], "fn_index": page.upload_fn, "session_hash": session,
            "event_data": None, "trigger_id": None}  # fmt: skip
    with httpx.Client(base_url=page.base, timeout=300) as client:
        joined = client.post("/gradio_api/queue/join", json=body)
        assert joined.status_code == 200, joined.text
        with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message: dict[str, Any] = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError("the upload event never completed")


def upload(page: Page, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    posted = post_files(page, files)
    assert posted.status_code == 200, posted.text
    uploaded = [
        {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        for path, (name, _data) in zip(posted.json(), files, strict=True)
    ]
    return run_upload_event(page, uploaded)


def report_text(message: dict[str, Any]) -> str:
    assert message["success"], message
    return str(message["output"]["data"][0])


def new_files_outside_uploads(page: Page, before: set[str]) -> set[str]:
    allowed = [page.settings.uploads_dir, page.settings.chroma_dir, page.gradio_tmp]
    new = tree(page.root) - before
    return {
        p
        for p in new
        if not any((page.root / p).resolve().is_relative_to(a.resolve()) for a in allowed)
        and p != str(page.settings.data_dir.relative_to(page.root) / "index.lock")
    }


HOSTILE_NAMES = [
    "../../escaped.md",
    "../../../../../../tmp/escaped-abs.md",
    "/etc/escaped-etc.md",
    "..\\..\\escaped-win.md",
    "nul\x00byte.md",
    "ctrl\x1b[31m\x07bell\rcr.md",
    "\u202egnp.md",
]


def test_upload__hostile_names_are_saved_only_inside_the_upload_folder(page: Page) -> None:
    before = tree(page.root)
    files = [(name, TEXT + f"Copy {i}.\n".encode()) for i, name in enumerate(HOSTILE_NAMES)]
    text = report_text(upload(page, files))

    uploads = page.settings.uploads_dir
    saved = sorted(p.name for p in uploads.iterdir())
    assert len(saved) >= len(HOSTILE_NAMES), (saved, text)
    for name in saved:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert all(ch.isprintable() for ch in name), repr(name)
        assert name in text  # the page names what it saved
    assert not new_files_outside_uploads(page, before)
    for escaped in ("escaped.md", "escaped-abs.md", "escaped-win.md"):
        assert not (page.root / escaped).exists() and not (page.root.parent / escaped).exists()
        assert not Path("/tmp", escaped).exists()
    assert not Path("/etc/escaped-etc.md").exists()
    got = Rag(page.settings).collection().get(include=["metadatas"])  # indexed at once, as uploads
    assert {m["file"] for m in got["metadatas"]} >= {f"uploads/{n}" for n in saved}


@pytest.mark.parametrize("name", ["run.exe", "install.sh", "notes.md.sh", "archive.tar.gz", "noext"])
def test_upload__disallowed_type_is_refused_with_a_message_and_nothing_saved(page: Page, name: str) -> None:
    before = tree(page.root)
    message = upload(page, [(name, b"#!/bin/sh\necho hi\n"), ("fine.md", TEXT)])
    assert not message["success"]
    shown = str(message["output"].get("error"))
    assert "Invalid file type" in shown and ".md" in shown  # says which types to use
    assert not new_files_outside_uploads(page, before)
    uploads = page.settings.uploads_dir
    assert not uploads.exists() or not any(p.name.endswith((".exe", ".sh", ".gz")) for p in uploads.iterdir())


def test_upload__over_size_file_is_refused_with_a_message_before_it_is_stored(page: Page) -> None:
    before = tree(page.root)
    refused = post_files(page, [("big.md", b"a" * (MAX_MB * 1024 * 1024 + 1))])
    assert refused.status_code == 413
    assert "maximum allowed size" in refused.text
    assert not new_files_outside_uploads(page, before)
    assert not any(p.name.startswith("big") for p in page.root.rglob("*"))


def test_upload__over_size_file_is_refused_by_the_handler_too(page: Page, tmp_path: Path) -> None:
    """Defence in depth: a file that reached the handler some other way is checked again."""
    from ui.handlers import ChatHandlers

    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (MAX_MB * 1024 * 1024 + 1))
    handlers = ChatHandlers(
        engine=Rag(page.settings), upload_dir=page.settings.uploads_dir, max_upload_bytes=MAX_MB * 1024 * 1024
    )
    shown = list(handlers.upload([big]))[-1]
    assert "big.md" in shown and "the limit is 1.0 MB" in shown
    assert not (page.settings.uploads_dir / "big.md").exists()


def test_upload__server_path_not_uploaded_by_the_user_is_refused(page: Page) -> None:
    before = tree(page.root)
    message = run_upload_event(
        page, [{"path": "/etc/passwd", "orig_name": "passwd.md", "meta": {"_type": "gradio.FileData"}}]
    )
    assert not message["success"]
    assert not new_files_outside_uploads(page, before)
    uploads = page.settings.uploads_dir
    assert not uploads.exists() or not any(p.name.startswith("passwd") for p in uploads.iterdir())
    assert os.path.exists("/etc/passwd")
