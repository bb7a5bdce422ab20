"""Read an already-extracted package folder: file names and the manifest, nothing else."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from scorm_builder.errors import Problem

from .contents import Contents, locate_descriptor, relative_names, unreadable
from .limits import Limits, entries_message, name_message, shortened
from .safezip import collision_problems


def read_folder(path: Path, limits: Limits = Limits()) -> Contents:
    container = path.name or str(path)
    if not path.is_dir():
        return unreadable([Problem(file=container, message="not a folder", hint="pass the extracted package folder")])
    names, links = list_folder(path, limits.max_entries + 1)
    too_many = entries_message(len(names), limits)
    if too_many:
        return unreadable([Problem(file=container, message=too_many)])
    refused = [Problem(file=shortened(n), field="file", message=why, hint="shorten the folder structure")
               for n in names if (why := name_message(n, limits))] or collision_problems(names)
    if refused:
        return unreadable(refused)
    all_names = frozenset(names)
    base, descriptor, location = locate_descriptor(all_names, container)
    if base is not None and not is_regular_file(path / (base + descriptor)):
        return unreadable([link_problem(base + descriptor)])
    manifest = None if base is None else read_capped(path / (base + descriptor), limits.max_manifest_bytes)
    if base is not None and manifest is None:
        return unreadable(
            [Problem(file=base + descriptor, message=f"the manifest is larger than {limits.max_manifest_bytes} bytes")]
        )
    problems = location + [link_problem(n) for n in sorted(links)]
    return Contents(names=relative_names(all_names, base or ""), base=base or "", manifest=manifest,
                    problems=tuple(problems), descriptor=descriptor)


def list_folder(root: Path, stop_after: int) -> tuple[list[str], set[str]]:
    """Relative POSIX names of the files under `root` (links not followed) and which are links."""
    names: list[str] = []
    links: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel = Path(folder).relative_to(root)
        for entry in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            name = (rel / entry).as_posix()
            names.append(name)
            if (Path(folder) / entry).is_symlink():
                links.add(name)
            if len(names) >= stop_after:
                return names, links
    return names, links


def is_regular_file(path: Path) -> bool:
    """A plain file, not a link, FIFO or device (reading those could leak or block)."""
    return stat.S_ISREG(os.lstat(path).st_mode)


def read_capped(path: Path, cap: int) -> bytes | None:
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as fp:
        data = fp.read(cap + 1)
    return None if len(data) > cap else data


def link_problem(name: str) -> Problem:
    return Problem(
        file=name,
        message="symbolic link (or other special file) in the package folder; a zip of it would "
        "hold the link or a copy of a file from outside the package",
        hint="replace the link with the file itself",
    )
