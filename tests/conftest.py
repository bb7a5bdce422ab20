from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
