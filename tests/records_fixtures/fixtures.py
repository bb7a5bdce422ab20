"""Pytest fixtures for the records tests; a test module imports the ones it uses by name.

`db_url` runs a test twice: on a SQLite file and on PostgreSQL (a database of its own in the
session's throwaway cluster; skipped, with the reason, only when PostgreSQL is not installed)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .postgres import CLUSTER


@pytest.fixture(scope="session")
def postgres_cluster():
    reason = CLUSTER.unavailable()
    if reason:
        pytest.skip(reason)
    CLUSTER.start()
    yield CLUSTER
    CLUSTER.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()


@pytest.fixture
def store(db_url: str) -> Iterator:
    from scorm_builder.records.store import open_store

    with open_store(db_url) as opened:
        yield opened
