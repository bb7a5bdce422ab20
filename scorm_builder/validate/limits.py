"""The validator's work limits, in one place: every bound on what an untrusted package may make
the validator do, and the message given when a package goes past one.

The bounds count work, not only bytes: entries and their names (safezip, folder, contents),
inflated bytes per entry and for the whole archive (safezip), XML elements, attributes and
namespace declarations (xmlsafe, for imsmanifest.xml, cmi5.xml and tincan.xml alike), and the
number of problems printed (report). With the defaults, any package is read, parsed and checked
in well under 2 s of CPU and 200 MB of memory (tests/test_validate_limits.py measures it).
"""
from __future__ import annotations

from dataclasses import dataclass

from scorm_builder.errors import Problem

UNSAFE_HINT = "rebuild the zip from a plain folder with a standard zip tool"
XML_HINT = ("a course descriptor never needs that much; if this package is genuine, split the course "
            "or remove generated metadata")


@dataclass(frozen=True)
class Limits:
    """Bounds for reading an untrusted package; anything beyond them is rejected as unsafe."""

    max_entries: int = 10_000  # files and folders in the zip (or files in a folder)
    max_total_bytes: int = 1 << 30  # 1 GiB uncompressed, all entries together
    max_file_bytes: int = 512 << 20  # 512 MiB uncompressed, one entry
    max_ratio: float = 200.0  # uncompressed / compressed: each entry, and the whole archive,
    ratio_floor_bytes: int = 1 << 20  # ... once it unpacks to more than this
    max_manifest_bytes: int = 32 << 20  # the descriptor is held in memory
    max_name_length: int = 1024  # characters in one entry name (Windows stops at 260)
    max_name_depth: int = 64  # folders above one entry
    max_elements: int = 50_000  # XML elements in the descriptor
    max_attributes: int = 50_000  # XML attributes in the descriptor, all elements together
    max_attributes_per_element: int = 256
    max_namespace_declarations: int = 256  # xmlns and xmlns:p declarations in the descriptor
    max_schema_problems: int = 1_000  # schema errors listed; the rest are counted
    max_problems_printed: int = 100  # the rest is summarised as "and N more"


DEFAULT = Limits()


# ---------------------------------------------------------------- the archive

def entries_message(count: int, limits: Limits) -> str | None:
    if count > limits.max_entries:
        return f"the package has {count:,} entries; the limit is {limits.max_entries:,}"
    return None


def name_message(name: str, limits: Limits) -> str | None:
    """Why an entry name is too long or too deep to be worth reading, if it is."""
    if len(name) > limits.max_name_length:
        return (f"the entry name is {len(name):,} characters long; the limit is {limits.max_name_length:,} "
                "(LMSs on Windows stop at 260)")
    depth = name.rstrip("/").count("/")
    if depth > limits.max_name_depth:
        return f"the entry is {depth:,} folders deep; the limit is {limits.max_name_depth}"
    return None


def shortened(name: str, keep: int = 120) -> str:
    """A name fit to print: over `keep` characters, its start and end around the length."""
    if len(name) <= keep:
        return name
    return f"{name[: keep // 2]}...[{len(name):,} characters]...{name[-keep // 4:]}"


def ratio_exceeded(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > limits.ratio_floor_bytes and unpacked / max(packed, 1) > limits.max_ratio


def expansion_message(unpacked: int, packed: int, limits: Limits) -> str | None:
    """Why the archive as a whole expands too much, if it does: the total, then the overall ratio."""
    if unpacked > limits.max_total_bytes:
        return f"the entries would unpack to {unpacked:,} bytes; the limit is {limits.max_total_bytes:,}"
    if ratio_exceeded(unpacked, packed, limits):
        return (f"the entries together would unpack to {unpacked:,} bytes from {packed:,} "
                f"(more than {limits.max_ratio:g}:1 overall), the signature of a zip bomb")
    return None


# ---------------------------------------------------------------- XML descriptors

@dataclass
class XmlBudget:
    """Counts what a parser has built so far and says when a limit is passed."""

    limits: Limits = DEFAULT
    what: str = "the document"  # what is counted, for the message
    files: int = 1  # how many documents the element and attribute limits cover (a shared budget)
    elements: int = 0
    attributes: int = 0
    declarations: int = 0

    def element(self, attributes: int) -> str | None:
        self.elements += 1
        self.attributes += attributes
        limits = self.limits
        if self.elements > limits.max_elements * self.files:
            return f"more than {limits.max_elements * self.files:,} XML elements"
        if attributes > limits.max_attributes_per_element:
            return (f"an element with {attributes:,} attributes (the limit is "
                    f"{limits.max_attributes_per_element} per element)")
        if self.attributes > limits.max_attributes * self.files:
            return f"more than {limits.max_attributes * self.files:,} XML attributes"
        return None

    def next_document(self) -> None:
        """Namespace declarations are counted per document, elements and attributes across all."""
        self.declarations = 0

    def declaration(self) -> str | None:
        self.declarations += 1
        if self.declarations > self.limits.max_namespace_declarations:
            return f"more than {self.limits.max_namespace_declarations} namespace declarations (xmlns)"
        return None


def xml_limit_problem(file: str, line: int | None, what: str, counted: str = "the document") -> Problem:
    return Problem(file=file, line=line, field="XML",
                   message=f"{counted} has {what}; reading stopped there, the package is refused",
                   hint=XML_HINT)


# ---------------------------------------------------------------- what is printed

def shown(problems: tuple[Problem, ...] | list[Problem], limits: Limits = DEFAULT) -> tuple[list[Problem], int]:
    """The problems to print, in their order, and how many are left out: errors are kept before
    warnings when there are more than `max_problems_printed`."""
    cap = limits.max_problems_printed
    if len(problems) <= cap:
        return list(problems), 0
    keep = {id(p) for p in ([p for p in problems if p.is_error] + [p for p in problems if not p.is_error])[:cap]}
    return [p for p in problems if id(p) in keep], len(problems) - cap


def omitted_line(omitted: int, problems: tuple[Problem, ...] | list[Problem], kept: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems) - sum(p.is_error for p in kept)
    return f"... and {omitted:,} more problem(s) not shown ({errors:,} error(s), {omitted - errors:,} warning(s))"
