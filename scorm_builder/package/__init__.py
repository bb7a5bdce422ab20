"""Packaging: files to a reproducible zip (same input, same bytes), staged beside its final
place so that it appears there whole or not at all."""
from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold


def build_time() -> tuple[int, int, int, int, int, int]:
    """The timestamp of every entry: SOURCE_DATE_EPOCH when set, else a fixed date."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        epoch = int(raw) if raw else DEFAULT_EPOCH
    except ValueError:
        epoch = DEFAULT_EPOCH
    epoch = max(epoch, DEFAULT_EPOCH)
    return time.gmtime(epoch)[:6]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of `files`, entries sorted, fixed times and permissions, deflated."""
    stamp = build_time()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()


def current_umask() -> int:
    """The process's file mode creation mask (e.g. 0o022), read without changing it where the
    system tells it (Linux /proc), else by setting and restoring it."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stage(data: bytes, path: Path) -> Path:
    """Write `data` to a new temporary file in `path`'s folder and return its path.

    The file gets the mode any tool's new file gets (0o666 less the umask: -rw-r--r-- under
    umask 022), not the owner-only mode of a temporary file, so an LMS import running as
    another user can read the package. The caller renames it onto `path` (atomic on one file
    system) or deletes it. Raises OSError when the folder is not writable.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            os.fchmod(stream.fileno(), 0o666 & ~current_umask())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)
