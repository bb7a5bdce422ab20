"""Read single files of a package that was already vetted by `read_zip` / `read_folder`.

The Common Cartridge check needs the QTI files a manifest names, not only the manifest. A reader
is a function `name -> bytes | None` over names relative to the manifest's folder: None when the
file is absent, not a regular file, or larger than `limits.max_manifest_bytes` (the same cap as
the manifest: XML is held in memory). Nothing is extracted and no path leaves the package.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from .contents import Contents, Limits
from .folder import is_regular_file, read_capped
from .safezip import CHUNK, _READ_ERRORS

EntryReader = Callable[[str], "bytes | None"]


def zip_reader(path: Path, contents: Contents, limits: Limits = Limits()) -> EntryReader:
    """Reads one entry at a time from the zip at `path`, at most `limits.max_manifest_bytes`."""

    opened: list[zipfile.ZipFile] = []  # one ZipFile for every read: its directory is parsed once

    def read(name: str) -> bytes | None:
        if name not in contents.names:
            return None
        try:
            if not opened:
                opened.append(zipfile.ZipFile(path))
            with opened[0].open(contents.base + name) as member:
                parts, size = [], 0
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > limits.max_manifest_bytes:
                        return None
                    parts.append(chunk)
                return b"".join(parts)
        except (*_READ_ERRORS, KeyError):
            return None

    return read


def folder_reader(path: Path, contents: Contents, limits: Limits = Limits()) -> EntryReader:
    """Reads one regular file (links refused) under the package folder `path`."""

    def read(name: str) -> bytes | None:
        if name not in contents.names:
            return None
        target = path / (contents.base + name)
        try:
            if not is_regular_file(target):
                return None
            return read_capped(target, limits.max_manifest_bytes)
        except OSError:
            return None

    return read


def no_reader(name: str) -> bytes | None:
    return None


__all__ = ["EntryReader", "folder_reader", "no_reader", "zip_reader"]
