"""Pytest fixtures for the real LRS: `lrs`, `lrs_client`, `lrs_content_origin`. A test module
uses them with `pytest_plugins = ["lrs.plugin"]` (or tests/conftest.py says it once for all)."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from .client import LrsClient
from .server import RalphLRS, free_port


@pytest.fixture(scope="session")
def lrs_content_origin() -> str:
    """The origin the tests' web server serves packages from; the LRS allows it for CORS.
    Serve the content on exactly this host and port."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory, lrs_content_origin: str) -> Iterator[RalphLRS]:
    """Ralph on 127.0.0.1, started once for the session and stopped at its end."""
    if importlib.util.find_spec("ralph") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.fail("the LRS tests need Ralph: pip install -e '.[test]' (ralph-malph[lrs])", pytrace=False)
    server = RalphLRS(tmp_path_factory.mktemp("ralph"), origins=(lrs_content_origin,))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lrs_client(lrs: RalphLRS) -> LrsClient:
    """A client with full rights: the tests read back what the content sent with it."""
    if not lrs.running:
        lrs.start()  # a test that left it stopped must not break the next one
    return LrsClient(lrs.endpoint, lrs.admin.authorization)
