"""xAPI on the Python side: activity IRIs, activity definitions, and the exact vocabulary.

Statements themselves are sent by the player; this package gives it (and the Tin Can and
cmi5 packages, and agencies configuring LRS reports) the activities they are about.
"""
from __future__ import annotations

from .iris import DEFAULT_BASE, ActivityIris, base_problem, iris_for, normalise_base

_DEFINITIONS = {"Activity", "activities", "activity_definitions", "format_activities", "list_activities",
                "question_definition", "xapi_data"}


def __getattr__(name: str):
    """Definitions need the tincan library, which is slow to import: load it on first use, so
    commands that never touch xAPI (build for SCORM, check, validate) start fast."""
    if name in _DEFINITIONS:
        from . import definitions

        return getattr(definitions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DEFAULT_BASE",
    "Activity",
    "ActivityIris",
    "activities",
    "activity_definitions",
    "base_problem",
    "format_activities",
    "iris_for",
    "list_activities",
    "normalise_base",
    "question_definition",
    "xapi_data",
]
