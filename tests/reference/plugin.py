"""pytest plugin: the reference cmi5 / xAPI stack (stack.py), started once per test session.

Fixtures: `reference` (the Stack: .lrs, .player, .cts), `adl_lrs`, `catapult`, `cts`. Outside CI,
a missing ../shared/third_party skips the tests that use them, with a reason saying how to get it;
with CI=true it fails them. The startup time of each part is printed in the terminal summary.
"""
from __future__ import annotations

import os

import pytest

from . import stack as _stack

_started: list = []
REPORT: dict[str, dict] = {}  # scenario -> statement counts, printed in the terminal summary


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(reason: str | None) -> None:
    if reason is None:
        return
    if _ci():
        pytest.fail(f"CI=true and the reference stack cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reference():
    _need(_stack.unavailable())
    stack = _stack.start()
    _started.append(stack)
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def adl_lrs(reference):
    return reference.lrs


@pytest.fixture(scope="session")
def catapult(reference):
    return reference.player


@pytest.fixture(scope="session")
def cts(reference):
    if reference.cts is None:
        message = f"the CATAPULT CTS did not start: {reference.cts_error}\n{reference.logs()}"
        pytest.fail(message, pytrace=False)
    return reference.cts


def pytest_terminal_summary(terminalreporter):
    for stack in _started:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stack.startup.items())
        total = sum(seconds for name, seconds in stack.startup.items())
        terminalreporter.write_line(f"reference cmi5/xAPI stack startup: {total:.1f} s ({parts})")
    for name, counts in REPORT.items():
        terminalreporter.write_line(f"reference run, {name}: {counts}")
