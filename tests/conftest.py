from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI

pytest_plugins = [
    "lrs.plugin",  # a real LRS (Ralph) on 127.0.0.1: lrs, lrs_client, lrs_content_origin
    "records_fixtures.fixtures",  # db_url (SQLite and PostgreSQL), store, postgres_cluster
    "browser.cmi5_lms.fixtures",  # site, xapi_packages, expected, launcher: the test cmi5 LMS
    "reference.plugin",  # the reference stack: ADL LRS, CATAPULT player and CTS (adl_lrs, catapult, cts)
]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
