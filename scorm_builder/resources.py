"""Where the files that ship with scorm-builder live: manifest templates and schemas.

In a source checkout they are the repository's `manifests/` folder; in an installed
wheel the same folder is packaged as `scorm_builder/_manifests`.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

_PACKAGE = Path(__file__).resolve().parent


@cache
def manifests_dir() -> Path:
    for candidate in (_PACKAGE.parent / "manifests", _PACKAGE / "_manifests"):
        if (candidate / "scorm12").is_dir():
            return candidate
    raise FileNotFoundError("scorm-builder's manifest templates are missing; reinstall the package")


@cache
def manifest_templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(manifests_dir()),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
