"""Packages that are small on disk but cost work to validate (issue 9, item 1), generated on demand.

Each builder writes one zip under `folder` and returns its path. The defaults are the inputs of
the issue; the tests and benchmarks/validate.py also use smaller and larger variants.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import CONTENT_12, MANIFEST_12, build_zip

IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
_METADATA_END = "    <schemaversion>1.2</schemaversion>\n"
_FILES_AT = '      <file href="index.html"/>\n'
_ROOT_END = 'adlcp_rootv1p2.xsd">'


def _manifest(extra_metadata: str = "", extra_files: str = "", root_attrs: str = "") -> str:
    text = MANIFEST_12.replace(_METADATA_END, _METADATA_END + extra_metadata, 1)
    text = text.replace(_FILES_AT, _FILES_AT + extra_files, 1)
    return text.replace(_ROOT_END, _ROOT_END[:-1] + root_attrs + ">", 1)


def _package(folder: Path, name: str, manifest: str, extra: dict | None = None) -> Path:
    return build_zip(folder / name, {"imsmanifest.xml": manifest, **CONTENT_12, **(extra or {})})


def imsmd_elements(folder: Path, count: int = 50_000) -> Path:
    """A valid SCORM 1.2 manifest whose metadata holds `count` sibling imsmd elements."""
    return _package(folder, f"imsmd-{count}.zip",
                    _manifest(extra_metadata="<imsmd:lom/>" * count + "\n", root_attrs=f' xmlns:imsmd="{IMSMD}"'))


def namespace_declarations(folder: Path, declarations: int = 5_000, attributes: int = 20_000,
                           per_element: int = 20, uri: str = IMSMD) -> Path:
    """`declarations` xmlns: on the root (all binding the imsmd namespace, whose attributes the
    validator strips before the schema check), and `attributes` attributes with those prefixes
    spread over <file> elements, `per_element` on each. With another `uri`, such as adlcp's,
    every attribute is a schema error and a prefix problem."""
    decls = "".join(f' xmlns:n{i}="{uri}"' for i in range(declarations))
    files = []
    for start in range(0, attributes, per_element):
        attrs = "".join(f' n{(start + j) % declarations}:a{start + j}="x"'
                        for j in range(min(per_element, attributes - start)))
        files.append(f'      <file href="index.html"{attrs}/>\n')
    return _package(folder, f"xmlns-{declarations}x{attributes}.zip",
                    _manifest(extra_files="".join(files), root_attrs=decls))


def deep_names(folder: Path, entries: int = 600, name_length: int = 4_000, folder_length: int = 1) -> Path:
    """`entries` files at the bottom of one chain of folders (names of `folder_length` letters),
    whole names ~`name_length` long."""
    prefix = ("d" * folder_length + "/") * (name_length // (folder_length + 1))
    return build_zip(folder / f"deep-{entries}x{name_length}.zip",
                     {f"{prefix}f{i}.html": "x" for i in range(entries)})


def many_elements(folder: Path, count: int = 1_000_000) -> Path:
    """`count` <file> elements naming files the package lacks: one problem each."""
    files = "".join(f'<file href="m{i}"/>' for i in range(count))
    return _package(folder, f"elements-{count}.zip", _manifest(extra_files=files))


def attributes_on_one_element(folder: Path, count: int = 20_000) -> Path:
    attrs = "".join(f' adlcp:a{i}="x"' for i in range(count))
    return _package(folder, f"attributes-{count}.zip",
                    _manifest(extra_files=f'      <file href="index.html"{attrs}/>\n'))


def deep_elements(folder: Path, depth: int = 5_000) -> Path:
    nested = '<imsmd:lom xmlns:imsmd="' + IMSMD + '">' + "<imsmd:x>" * depth + "</imsmd:x>" * depth + "</imsmd:lom>\n"
    return _package(folder, f"depth-{depth}.zip", _manifest(extra_metadata=nested))


def long_text(folder: Path, size: int = 20 << 20) -> Path:
    """One text node of `size` bytes (compresses to almost nothing)."""
    return _package(folder, f"text-{size}.zip", _manifest(extra_metadata=f"<!-- {'x' * size} -->\n"))


# ------------------------------------------------------------ zips written without compressing

@dataclass(frozen=True)
class RawEntry:
    name: str
    data: bytes  # already deflated
    crc: int
    size: int  # inflated


def deflated(data: bytes) -> RawEntry:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return RawEntry("", compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def raw_zip(path: Path, entries: list[RawEntry]) -> Path:
    """A zip of pre-deflated entries: gigabyte bombs written in milliseconds."""
    local, central = bytearray(), bytearray()
    for entry in entries:
        name = entry.name.encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0, entry.crc,
                             len(entry.data), entry.size, len(name), 0) + name + entry.data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0, entry.crc,
                               len(entry.data), entry.size, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    with zipfile.ZipFile(path) as zf:  # the writer is ours: prove the result is a zip
        assert len(zf.infolist()) == len(entries)
    return path


def zeros(folder: Path, entries: int = 1_000, size: int = 1 << 20) -> Path:
    """`entries` entries of `size` zero bytes each beside a valid SCORM 1.2 manifest."""
    manifest = deflated(MANIFEST_12.encode())
    content = [deflated(data.encode()) for data in CONTENT_12.values()]
    zero = deflated(b"\0" * size)
    listed = [RawEntry("imsmanifest.xml", manifest.data, manifest.crc, manifest.size)]
    listed += [RawEntry(name, c.data, c.crc, c.size) for name, c in zip(CONTENT_12, content)]
    listed += [RawEntry(f"media/zero{i}.bin", zero.data, zero.crc, zero.size) for i in range(entries)]
    return raw_zip(folder / f"zeros-{entries}x{size}.zip", listed)


# ------------------------------------------------------------ measuring one validation

_CHILD = """
import json, resource, sys
from pathlib import Path
from scorm_builder.validate import validate_package
start = resource.getrusage(resource.RUSAGE_SELF)
report = validate_package(Path(sys.argv[1]))
text = report.format_text()
end = resource.getrusage(resource.RUSAGE_SELF)
lines = text.splitlines()
# VmHWM, not ru_maxrss: Linux keeps in ru_maxrss the peak of the forked copy of the parent before
# exec, so a big test process (a full run) would be measured instead of this child
peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"cpu": end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime,
                  "peak_mb": peak_kb / 1024, "exit": report.exit_code, "lines": len(lines),
                  "problems": len(report.problems), "text": lines[:8] + ["..."] + lines[-4:]}))
"""


@dataclass(frozen=True)
class Cost:
    """What validating one package cost, measured in a fresh process (so peak RSS is its own).

    `cpu` is user+system seconds of the validation itself (not the interpreter's start);
    `peak_mb` is the child's peak resident set, imports included. `exit` is None when the
    child was stopped by the CPU limit."""

    cpu: float
    peak_mb: float
    exit: int | None
    lines: int = 0
    problems: int = 0
    text: tuple[str, ...] = ()


def measure(package: Path, cpu_limit: int = 60, pythonpath: str | None = None) -> Cost:
    import json
    import os
    import resource
    import subprocess
    import sys

    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 5))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(package)], capture_output=True, text=True,
                          env=env, cwd=package.parent, preexec_fn=limit, timeout=cpu_limit * 20)
    if done.returncode != 0 or not done.stdout.strip():
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return Cost(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                    after.ru_maxrss / 1024, None, text=tuple(done.stderr.splitlines()[-3:]))
    data = json.loads(done.stdout)
    return Cost(data["cpu"], data["peak_mb"], data["exit"], data["lines"], data["problems"], tuple(data["text"]))


# ------------------------------------------------------------ cmi5.xml and tincan.xml at the limits

def cmi5_units(folder: Path, count: int = 8_000) -> Path:
    """A cmi5 course structure of `count` AUs (six elements each)."""
    from scorm_builder.xapi.vocabulary import CMI5_NS

    text = '<title><langstring lang="en">T</langstring></title><description><langstring lang="en">D</langstring>' \
           "</description>"
    units = "".join(f'<au id="https://example.org/au/{i}">{text}<url>index.html</url></au>' for i in range(count))
    xml = f'<?xml version="1.0"?><courseStructure xmlns="{CMI5_NS}"><course id="https://example.org/c">{text}' \
          f"</course>{units}</courseStructure>"
    return build_zip(folder / f"cmi5-{count}.zip", {"cmi5.xml": xml, "index.html": "x"})


def tincan_activities(folder: Path, count: int = 24_000) -> Path:
    """A tincan.xml listing `count` activities (two elements each), the first one launchable."""
    from scorm_builder.xapi.vocabulary import TINCAN_NS

    rest = "".join(f'<activity id="https://example.org/a/{i}"><name>A</name></activity>' for i in range(1, count))
    xml = f'<?xml version="1.0"?><tincan xmlns="{TINCAN_NS}"><activities><activity id="https://example.org/a/0">' \
          f"<name>A</name><launch>index.html</launch></activity>{rest}</activities></tincan>"
    return build_zip(folder / f"tincan-{count}.zip", {"tincan.xml": xml, "index.html": "x"})
