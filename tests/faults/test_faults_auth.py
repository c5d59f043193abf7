"""With RAG_UI_AUTH set, the real page refuses every route without a login, and serves them all with one.

The page runs on a free 127.0.0.1 port with its real engine (nothing it is asked here needs the model).
Routes tried: the page, /config, the API description, the REST call route, the upload route, the queue's
join and its server-sent events, and the file route.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from rag import Rag, Settings

pytestmark = pytest.mark.faults

USER, PASSWORD = "alice", "s3cret-pw"


@dataclass
class Page:
    base: str
    status_fn: int


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    from ui.app import launch

    root = tmp_path_factory.mktemp("auth-page")
    (root / "corpus").mkdir()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=root / "data", corpus_dir=root / "corpus", ui_auth=f"{USER}:{PASSWORD},bob:other"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(root / "gradio-tmp"))
        demo = launch(settings, "127.0.0.1", port, engine=Rag(settings), block=False)
        status_fn = next(i for i, d in demo.fns.items() if getattr(d.fn, "__name__", "") == "status")
        try:
            yield Page(f"http://127.0.0.1:{port}", status_fn)
        finally:
            demo.close()


@contextmanager
def logged_in(page: Page, user: str = USER, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=page.base, timeout=60) as client:
        done = client.post("/login", data={"username": user, "password": password})
        assert done.status_code == 200, done.text
        yield client


def join(client: httpx.Client, page: Page, session: str) -> httpx.Response:
    body = {"data": [None], "fn_index": page.status_fn, "session_hash": session, "event_data": None}
    return client.post("/gradio_api/queue/join", json=body)


REQUESTS = {  # route -> how it is called
    "config": ("GET", "/config", {}),
    "api info": ("GET", "/gradio_api/info", {}),
    "openapi": ("GET", "/gradio_api/openapi.json", {}),
    "rest call": ("POST", "/gradio_api/call/ask", {"json": {"data": ["When was Mistral AI founded?", 1, 0]}}),
    "upload": ("POST", "/gradio_api/upload", {"files": [("files", ("a.md", b"# A\n\nText.", "text/plain"))]}),
    "queue join": (
        "POST",
        "/gradio_api/queue/join",
        {"json": {"data": [], "fn_index": 0, "session_hash": "s"}},
    ),
    "queue events": ("GET", "/gradio_api/queue/data?session_hash=s", {}),
    "file": ("GET", "/gradio_api/file=/etc/hostname", {}),
}


@pytest.mark.parametrize("route", list(REQUESTS))
def test_auth__route_without_login_is_refused(page: Page, route: str) -> None:
    method, path, kwargs = REQUESTS[route]
    with httpx.Client(base_url=page.base, timeout=30) as anon:
        got = anon.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert got.status_code == 401, (route, got.status_code, got.text[:200])
    assert "Not authenticated" in got.text


@pytest.mark.parametrize("route", list(REQUESTS))
def test_auth__route_with_a_wrong_password_is_refused(page: Page, route: str) -> None:
    method, path, kwargs = REQUESTS[route]
    with httpx.Client(base_url=page.base, timeout=30) as client:
        tried = client.post("/login", data={"username": USER, "password": "guess"})
        assert tried.status_code >= 400 and not client.cookies
        assert client.request(method, path, **kwargs).status_code == 401  # type: ignore[arg-type]


def test_auth__page_without_login_is_the_login_form_not_the_app(page: Page) -> None:
    anon = httpx.get(page.base + "/", timeout=30)
    assert anon.status_code == 200 and '"auth_required":true' in anon.text.replace(" ", "")
    assert "rag-question" not in anon.text and "Ask your documents" not in anon.text
    with logged_in(page) as client:
        config = client.get("/config").json()
        assert any(c.get("props", {}).get("elem_id") == "rag-question" for c in config["components"])


def test_auth__with_a_login_every_route_works(page: Page, tmp_path: Path) -> None:
    with logged_in(page) as client:
        assert client.get("/config").status_code == 200
        assert "ask" in json.dumps(client.get("/gradio_api/info").json())
        assert client.get("/gradio_api/openapi.json").status_code == 200
        uploaded = client.post(
            "/gradio_api/upload", files=[("files", ("notes.md", b"# Notes\n\nText.", "text/plain"))]
        )
        assert uploaded.status_code == 200
        path = uploaded.json()[0]
        assert client.get(f"/gradio_api/file={path}").content == b"# Notes\n\nText."
        assert httpx.get(f"{page.base}/gradio_api/file={path}").status_code == 401  # the file needs a login

        session = uuid.uuid4().hex
        assert join(client, page, session).status_code == 200
        # the events of a logged-in session are not readable without a login either
        assert httpx.get(f"{page.base}/gradio_api/queue/data?session_hash={session}").status_code == 401
        output = None
        with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        output = message
                        break
        assert output is not None and output["success"], output
        assert "documents" in str(output["output"]["data"][0]).lower()


def test_auth__second_user_logs_in_with_their_own_password_only(page: Page) -> None:
    with logged_in(page, "bob", "other") as bob:
        assert bob.get("/config").status_code == 200
    with httpx.Client(base_url=page.base, timeout=30) as mixed:
        assert mixed.post("/login", data={"username": "bob", "password": PASSWORD}).status_code >= 400
        assert mixed.get("/config").status_code == 401
