"""The faults suite: failures injected on purpose, hostile input, privacy. `pytest -m faults` runs it alone.

- every test collected under tests/faults is marked `faults`;
- `misbehaving`: starts real HTTP endpoints on 127.0.0.1 that fail as told
  (tests/faults/misbehaving_endpoint.py), stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.misbehaving_endpoint import MisbehavingEndpoint

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def misbehaving() -> Iterator[Callable[..., MisbehavingEndpoint]]:
    """`misbehaving("http503", recover_after=None, delay=3.0)` starts a misbehaving endpoint."""
    started: list[MisbehavingEndpoint] = []

    def start(behaviour: str = "ok", **options: object) -> MisbehavingEndpoint:
        started.append(MisbehavingEndpoint(behaviour, **options))  # type: ignore[arg-type]
        return started[-1]

    yield start
    for endpoint in started:
        endpoint.stop()
