"""What the later stages need from a package, however it was read: its file names and manifest."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass

from scorm_builder.errors import Problem

from .limits import Limits  # noqa: F401 (where callers have always found it)

MANIFEST = "imsmanifest.xml"
CMI5 = "cmi5.xml"
TINCAN = "tincan.xml"


@dataclass(frozen=True)
class Contents:
    """A package as read: every file name, the manifest's place and bytes, and problems so far.

    `names` are POSIX paths inside the package, relative to `base` (the folder holding the
    manifest: "" when it is at the root, as it must be). `readable` is False when the package
    could not be read or was rejected as unsafe.
    """

    names: frozenset[str] = frozenset()
    base: str = ""
    manifest: bytes | None = None
    problems: tuple[Problem, ...] = ()
    readable: bool = True
    descriptor: str = MANIFEST  # imsmanifest.xml (SCORM), cmi5.xml or tincan.xml

    @property
    def manifest_path(self) -> str:
        return self.base + self.descriptor


def unreadable(problems: list[Problem] | tuple[Problem, ...]) -> Contents:
    return Contents(problems=tuple(problems), readable=False)


def locate_descriptor(all_names: frozenset[str], container: str) -> tuple[str | None, str, list[Problem]]:
    """(folder, descriptor file name, problems): a SCORM manifest, else cmi5.xml at the root, else
    tincan.xml at the root or below folders that hold nothing else (the Tin Can convention)."""
    tincan = _tincan(all_names)
    if any(posixpath.basename(n) == MANIFEST for n in all_names) or (CMI5 not in all_names and tincan is None):
        base, problems = locate_manifest(all_names, container)
        return base, MANIFEST, problems
    if CMI5 in all_names:
        return "", CMI5, []
    return tincan, TINCAN, []


def _tincan(all_names: frozenset[str]) -> str | None:
    """The folder of tincan.xml when it is at the root or nested only under single-child folders,
    that is: the shallowest folder holding tincan.xml among those that hold every name. Linear in
    the total length of the names."""
    folders = [n[: -len(TINCAN)] for n in all_names if n == TINCAN or n.endswith("/" + TINCAN)]
    if not folders:
        return None
    common = posixpath.commonprefix([min(all_names), max(all_names)])  # sorted order: first and last suffice
    common = common[: common.rfind("/") + 1]  # whole folder names only
    inside = [f for f in folders if common.startswith(f)]
    return min(inside, key=len) if inside else None


def locate_manifest(all_names: frozenset[str], container: str) -> tuple[str | None, list[Problem]]:
    """The folder ("" or "dir/") holding imsmanifest.xml, preferring the root, and what is wrong."""
    if MANIFEST in all_names:
        return "", []
    candidates = sorted(
        (n for n in all_names if posixpath.basename(n) == MANIFEST),
        key=lambda n: (n.count("/"), n),
    )
    if candidates:
        folder = posixpath.dirname(candidates[0]) + "/"
        return folder, [
            Problem(
                file=candidates[0],
                field="imsmanifest.xml",
                message=f"the manifest is not at the root of the package but in '{folder}'; "
                "LMSs look for it at the root only",
                hint=f"zip the contents of the folder '{folder.rstrip('/')}', not the folder itself",
            )
        ]
    wrong_case = sorted(n for n in all_names if posixpath.basename(n).lower() == MANIFEST)
    if wrong_case:
        return None, [
            Problem(
                file=wrong_case[0],
                field="imsmanifest.xml",
                message=f"the manifest is named '{posixpath.basename(wrong_case[0])}'; "
                "the name is case-sensitive",
                hint="rename it to imsmanifest.xml (all lowercase) at the root of the package",
            )
        ]
    return None, [
        Problem(
            file=container,
            field="imsmanifest.xml",
            message="no imsmanifest.xml (SCORM), cmi5.xml or tincan.xml in the package: "
            "this is not a package an LMS can import",
            hint="add imsmanifest.xml at the root of the zip",
        )
    ]


def relative_names(all_names: frozenset[str], base: str) -> frozenset[str]:
    return frozenset(n[len(base):] for n in all_names if n.startswith(base))
