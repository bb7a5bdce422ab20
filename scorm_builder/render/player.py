"""The player files every package carries: `index.html`, `course.js` and the `player/` runtime.

The runtime's sources are plain JavaScript and CSS under `scorm_builder/player/`, one file per
concern (strings, course model, suspend data, tracking interface, one adapter per standard,
question widgets, the app). No build step: a package gets them joined, in load order, into one
`player/player.js` (one request instead of one per source, which matters in LMSs that serve each file through
a script), plus `player/player.css`. `index.html` is rendered from the Jinja2 template there;
`data["standard"]` selects the tracking adapter at run time.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..model import Course
from .data import course_js

PLAYER_DIR = Path(__file__).resolve().parent.parent / "player"
TEMPLATE = "index.html.j2"
# Load order: strings and pure logic, then tracking, xAPI statements and the adapters, then the UI.
SOURCES = (
    "strings.js",
    "model.js",
    "suspend.js",
    "tracking.js",
    "report.js",
    "xapi/statements.js",
    "xapi/queue.js",
    "xapi/state.js",
    "xapi/reporter.js",
    "adapters/scorm12.js",
    "adapters/scorm2004.js",
    "adapters/xapi.js",
    "adapters/cmi5.js",
    "adapters/preview.js",
    "questions.js",
    "app.js",
)
STYLE_SOURCE = "player.css"
SCRIPT = "player/player.js"
STYLESHEET = "player/player.css"
RTL_LANGUAGES = frozenset({"ar", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})


def runtime_files() -> dict[str, bytes]:
    """`player/player.js` (the sources joined in load order) and `player/player.css`."""
    parts = []
    for name in SOURCES:
        text = (PLAYER_DIR / name).read_text(encoding="utf-8").rstrip("\n")
        parts.append(f"/* ---- {name} ---- */\n{text}\n")
    return {
        SCRIPT: "".join(parts).encode("utf-8"),
        STYLESHEET: (PLAYER_DIR / STYLE_SOURCE).read_bytes(),
    }


def render_index(course: Course, data: dict) -> str:
    env = Environment(loader=FileSystemLoader(str(PLAYER_DIR)), autoescape=True, undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    primary = course.language.split("-")[0].lower()
    return env.get_template(TEMPLATE).render(
        language=course.language,
        direction="rtl" if primary in RTL_LANGUAGES else "ltr",
        title=course.title,
        standard=data["standard"],
        stylesheet=STYLESHEET,
        scripts=(SCRIPT,),
    )


def player_files(course: Course, data: dict) -> dict[str, bytes]:
    """Package-relative POSIX path -> bytes: index.html, course.js, player/player.js, player/player.css."""
    files = {
        "index.html": render_index(course, data).encode("utf-8"),
        "course.js": course_js(data).encode("utf-8"),
    }
    files.update(runtime_files())
    return dict(sorted(files.items()))
