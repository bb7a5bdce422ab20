"""The reference stack's gate: without ../shared/third_party the conformance tests skip with a
reason that says how to get it, except under CI=true, where they fail."""
from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from reference import plugin, stack


@pytest.mark.parametrize("ci, outcome", [("", Skipped), ("true", Failed), ("1", Failed), ("false", Skipped)])
def test_a_missing_shared_folder_skips_outside_ci_and_fails_in_ci(tmp_path, monkeypatch, ci, outcome):
    monkeypatch.setattr(stack, "SHARED", tmp_path / "nowhere")
    monkeypatch.setenv("CI", ci)
    reason = stack.unavailable()
    assert "adl-lrs-efa045e.tar.gz" in reason and "../shared/third_party" in reason and "./dev test" in reason
    with pytest.raises(outcome) as raised:
        plugin._need(reason)
    assert "../shared/third_party" in str(raised.value)


def test_the_archives_named_are_the_ones_the_shared_readme_lists():
    readme = stack.SHARED / "README.md"
    if not readme.is_file():
        pytest.skip(stack.HOW_TO)
    text = readme.read_text()
    assert all(f"`{name}`" in text for name in stack.ARCHIVES.values())
