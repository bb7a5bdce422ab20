from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI

pytest_plugins = ["lrs.plugin"]  # a real LRS (Ralph) on 127.0.0.1: fixtures lrs, lrs_client, lrs_content_origin


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
