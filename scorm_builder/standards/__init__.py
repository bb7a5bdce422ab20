"""One module per output standard, each exposing a `STANDARD`; this is their registry."""
from __future__ import annotations

from . import cc, cmi5, scorm12, scorm2004, xapi
from .base import Files, Standard

STANDARDS: dict[str, Standard] = {
    s.name: s for s in (scorm12.STANDARD, scorm2004.STANDARD, xapi.STANDARD, cmi5.STANDARD, cc.STANDARD)
}

__all__ = ["STANDARDS", "Files", "Standard"]
