"""Paths a course names (lessons, knowledge checks, the final assessment, media): confined to
the course folder.

Every path is relative, written with `/`, and stays inside the course folder both as written
and once symbolic links are resolved: a course never compiles, copies or reads a file from
outside its folder. `..` may step up inside the course (a lesson's `../media/x.png`), never out.
"""
from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_PATH_CHARS = 1024


@dataclass(frozen=True)
class Refused:
    """Why a path was refused (message) and how to fix it (hint)."""

    message: str
    hint: str


HINT = "give a path relative to the file that names it, inside the course folder, such as lessons/01-intro.md"


def course_path(course_dir: Path, base: Path, written: str) -> Path | Refused:
    """`written` (as the author wrote it, relative to the folder `base`) as a path inside
    `course_dir`, or Refused: absolute paths, drive letters, backslashes, control characters,
    paths that leave the course folder as written (`..`) or through a symbolic link."""
    shown = f"'{written}'"  # Problem.format escapes it for the terminal (textsafe.escape)
    if not written.strip():
        return Refused("the path is empty", HINT)
    if len(written) > MAX_PATH_CHARS:
        return Refused(f"the path is longer than {MAX_PATH_CHARS} characters", HINT)
    if not written.isprintable():
        return Refused(f"the path {shown} contains control characters", HINT)
    if "\\" in written:
        return Refused(f"the path {shown} contains a backslash", "separate folders with '/', as in lessons/01-intro.md")
    if PurePosixPath(written).is_absolute() or PureWindowsPath(written).drive:
        return Refused(f"the path {shown} is absolute", HINT)
    root = course_dir.resolve()
    try:
        base_rel = base.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return Refused(f"the path {shown} is named from outside the course folder", HINT)
    lexical = posixpath.normpath(posixpath.join(base_rel, written))
    if lexical == ".." or lexical.startswith("../"):
        return Refused(f"the path {shown} leads outside the course folder", HINT)
    target = root / lexical
    try:
        real = Path(os.path.realpath(target))
        real.relative_to(root)
    except ValueError:
        return Refused(f"the path {shown} is a symbolic link to outside the course folder",
                       "copy the file into the course folder instead of linking to it")
    except OSError as error:
        return Refused(f"the path {shown} cannot be used: {error.strerror}", HINT)
    return real
