"""Read an untrusted zip without trusting it: names, links, sizes and ratios are checked first,
then every entry is streamed in bounded chunks so a forged header cannot get past the limits.

Nothing is extracted: the manifest is kept in memory, other entries are read and discarded.
"""
from __future__ import annotations

import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import BinaryIO

from scorm_builder.errors import Problem, Severity

from .contents import Contents, locate_descriptor, relative_names, unreadable
from .limits import (UNSAFE_HINT, Limits, entries_message, expansion_message, name_message, ratio_exceeded,
                     shortened)

CHUNK = 64 * 1024
MIN_CENTRAL_ENTRY = 46  # bytes of a central directory record without name/extra/comment
CENTRAL_BYTES_PER_ENTRY = 4096  # generous allowance per entry when bounding the directory size
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_DRIVE = re.compile(r"^[A-Za-z]:")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError)


def read_zip(path: Path, limits: Limits = Limits()) -> Contents:
    """Check and read a zip package. Never raises for a bad or hostile file."""
    container = path.name
    try:
        with open(path, "rb") as fp:
            bound = central_directory_problem(fp, limits, container)
            if bound:
                return unreadable([bound])
            with zipfile.ZipFile(fp) as zf:
                return _read_open_zip(zf, limits, container, path.stat().st_size)
    except _READ_ERRORS as exc:
        return unreadable([not_readable(container, exc)])


def _read_open_zip(zf: zipfile.ZipFile, limits: Limits, container: str, archive_bytes: int) -> Contents:
    infos = zf.infolist()
    problems = archive_problems(infos, limits, container, archive_bytes)
    if problems:
        return unreadable(problems)
    all_names = frozenset(i.filename for i in infos if not i.is_dir())
    base, descriptor, location = locate_descriptor(all_names, container)
    keep = None if base is None else base + descriptor
    manifest, stream = stream_entries(zf, infos, limits, keep)
    if stream:
        return unreadable(stream)
    names = relative_names(all_names, base or "")
    warnings = [w for i in infos if (w := backslash_warning(i.filename))]
    return Contents(
        names=names, base=base or "", manifest=manifest, problems=tuple(location + warnings),
        descriptor=descriptor,
    )


def not_readable(container: str, exc: BaseException) -> Problem:
    if isinstance(exc, FileNotFoundError):
        message = "the file does not exist"
    elif isinstance(exc, IsADirectoryError):
        message = "this is a folder, not a zip file"
    elif isinstance(exc, zipfile.BadZipFile) and "File is not a zip file" in str(exc):
        message = "not a zip file"
    else:
        message = f"the zip is corrupt or could not be read ({type(exc).__name__}: {exc})"
    return Problem(
        file=container,
        message=message,
        hint="a SCORM package is a .zip file with imsmanifest.xml at its root; export it again",
    )


def central_directory_problem(fp: BinaryIO, limits: Limits, container: str) -> Problem | None:
    """Refuse, before zipfile parses it, a central directory too large for the entry limit."""
    declared = declared_directory(fp)
    fp.seek(0)
    if declared is None:
        return None  # not a zip, or no end record: zipfile reports it
    count, size = declared
    message = entries_message(count, limits)
    if message is None and size > limits.max_entries * CENTRAL_BYTES_PER_ENTRY:
        message = (f"the zip's directory is {size:,} bytes, more than {limits.max_entries:,} entries "
                   f"of at most {CENTRAL_BYTES_PER_ENTRY:,} bytes each need")
    if message is None:
        return None
    return Problem(file=container, message=message,
                   hint="a course package should not need that many files; " + UNSAFE_HINT)


def declared_directory(fp: BinaryIO) -> tuple[int, int] | None:
    """(entry count, central directory size) from the end record, zip64 included."""
    fp.seek(0, 2)
    size = fp.tell()
    tail_len = min(size, _EOCD.size + 0xFFFF)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + _EOCD.size > len(tail):
        return None
    count, cd_size = _EOCD.unpack_from(tail, pos)[4:6]
    if count != 0xFFFF and cd_size != 0xFFFFFFFF:
        return count, cd_size
    locator = pos - _ZIP64_LOCATOR.size
    if locator < 0 or tail[locator:locator + 4] != b"PK\x06\x07":
        return count, cd_size
    offset = _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
    fp.seek(offset)
    record = fp.read(_ZIP64_EOCD.size)
    if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
        return count, cd_size
    fields = _ZIP64_EOCD.unpack(record)
    return fields[7], fields[8]


def archive_problems(infos: list[zipfile.ZipInfo], limits: Limits, container: str,
                     archive_bytes: int | None = None) -> list[Problem]:
    """Everything that makes the archive unsafe, judged from its directory alone. The overall
    ratio divides by the bytes really in the archive (`archive_bytes`), not by the declared
    compressed sizes, which overlapping entries can inflate."""
    too_many = entries_message(len(infos), limits)
    if too_many:
        return [Problem(file=container, message=too_many, hint=UNSAFE_HINT)]
    problems = [p for info in infos if (p := entry_problem(info, limits))]
    if problems:
        return problems  # names, kinds and sizes first: nothing below needs to look at bad names
    problems += duplicate_problems(infos)
    problems += collision_problems([i.filename for i in infos])
    packed = sum(i.compress_size for i in infos)
    expansion = expansion_message(sum(i.file_size for i in infos),
                                  packed if archive_bytes is None else min(packed, archive_bytes), limits)
    if expansion:
        problems.append(Problem(file=container, message=expansion,
                                hint="keep large media outside the package or raise the limit deliberately"))
    return problems


def entry_problem(info: zipfile.ZipInfo, limits: Limits) -> Problem | None:
    reason = (name_message(info.orig_filename, limits) or name_problem(info.orig_filename)
              or type_problem(info) or size_problem(info, limits))
    if reason is None:
        return None
    return Problem(file=shortened(info.orig_filename), field="zip entry", message=reason, hint=UNSAFE_HINT)


def name_problem(name: str) -> str | None:
    """Why an entry name could write outside the folder it is unpacked into, if it could."""
    if "\x00" in name:
        return "the entry name contains a NUL character"
    if name.startswith(("/", "\\")):
        return "the entry name is an absolute path"
    if _DRIVE.match(name):
        return "the entry name starts with a drive letter"
    if ".." in re.split(r"[/\\]", name):
        return "the entry name contains '..' and would be unpacked outside the package folder"
    return None


def type_problem(info: zipfile.ZipInfo) -> str | None:
    if is_symlink(info):
        return "the entry is a symbolic link; links can point outside the package"
    if info.flag_bits & 0x1:
        return "the entry is encrypted; LMSs cannot read password-protected packages"
    return None


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def size_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    if info.file_size > limits.max_file_bytes:
        return f"the entry would unpack to {info.file_size} bytes; the limit is {limits.max_file_bytes}"
    if ratio_exceeded(info.file_size, info.compress_size, limits):
        return (
            f"the entry compresses {info.file_size} bytes into {info.compress_size} "
            f"(more than {limits.max_ratio:g}:1), the signature of a zip bomb"
        )
    return None


def duplicate_problems(infos: list[zipfile.ZipInfo]) -> list[Problem]:
    counts = Counter(i.filename for i in infos)
    return [
        Problem(
            file=name,
            field="zip entry",
            message=f"the zip holds {n} entries with this name; which one an LMS uses is undefined",
            hint=UNSAFE_HINT,
        )
        for name, n in sorted(counts.items())
        if n > 1
    ]


def folded(name: str) -> str:
    """The name as a case-insensitive file system (Windows, macOS) sees it."""
    return unicodedata.normalize("NFC", name.rstrip("/")).casefold()


def collision_problems(names: list[str]) -> list[Problem]:
    """Names that differ only in case (or Unicode normal form): one file on the LMS's disk.
    (A zip's folder entries count too, so a file `media` beside a folder entry `Media/` collides.)"""
    groups: dict[str, set[str]] = defaultdict(set)
    for name in names:
        groups[folded(name)].add(name.rstrip("/"))
    return [
        Problem(
            file=same[0],
            field="zip entry",
            message=f"the entries {', '.join(repr(n) for n in same)} differ only in letter case; on a "
            "case-insensitive file system (Windows, macOS) they are one file, and which one wins is undefined",
            hint="give every file a name that differs from the others in more than case",
        )
        for same in sorted(sorted(group) for group in groups.values() if len(group) > 1)
    ]


def stream_entries(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, keep: str | None
) -> tuple[bytes | None, list[Problem]]:
    """Read every entry in chunks, counting real bytes; return the `keep` entry's bytes."""
    kept: bytes | None = None
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        want = info.filename == keep
        data, size, problem = read_entry(zf, info, limits, limits.max_total_bytes - total, want)
        if problem:
            return None, [problem]
        total += size
        if want:
            kept = data
    return kept, []


def read_entry(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: int, keep: bool
) -> tuple[bytes | None, int, Problem | None]:
    cap = min(limits.max_file_bytes, budget, limits.max_manifest_bytes if keep else budget)
    parts: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                reason = actual_size_problem(info, size, cap, limits)
                if reason:
                    return None, size, Problem(
                        file=info.filename, field="zip entry", message=reason, hint=UNSAFE_HINT
                    )
                if keep:
                    parts.append(chunk)
    except _READ_ERRORS as exc:
        return None, size, Problem(
            file=info.filename,
            field="zip entry",
            message=f"the entry is corrupt or its header does not match its data ({exc})",
            hint="export the package again; the zip is damaged or was forged",
        )
    return (b"".join(parts) if keep else None), size, None


def actual_size_problem(info: zipfile.ZipInfo, size: int, cap: int, limits: Limits) -> str | None:
    if size > info.file_size:
        return f"the entry holds more data than its header declares ({info.file_size} bytes)"
    if size > cap:
        return f"reading stopped after {cap} bytes: the entry exceeds the size limits"
    if ratio_exceeded(size, info.compress_size, limits):
        return f"the entry expands beyond {limits.max_ratio:g}:1, the signature of a zip bomb"
    return None


def backslash_warning(name: str) -> Problem | None:
    if "\\" not in name:
        return None
    return Problem(
        file=name,
        field="zip entry",
        message="the entry name contains a backslash; on Linux servers it is part of the file "
        "name, not a folder separator",
        hint="create the zip with a tool that stores '/' as the separator",
        severity=Severity.WARNING,
    )
