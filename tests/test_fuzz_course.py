"""Fuzzing the course loader (issue 9, item 4): a seeded mutator makes 500 broken variants of the
mini course and the empathy course (hostile values, deleted or doubled lines, bad indentation,
invalid UTF-8, YAML bombs, paths and symlinks out of the folder, missing files) and asserts, for
every one of them:

- no traceback: load_course and build return problems, they never raise;
- no hang: each load has 2 s of CPU and each build 10 s (ITIMER_PROF, so a loaded machine does
  not make it flaky);
- every error is located: a file, and a line or a field;
- a course `check` refuses is never packaged: build writes nothing, not even --out (checked for
  one refused variant in three, since build loads the course again: the time goes to loading);
- `check` ok implies `build` ok, for SCORM 1.2 and one other target in turn (SCORM 2004, xAPI,
  cmi5, Common Cartridge when present): every accepted variant is built, validation included.

Four variants in five come from the mini course, one from the empathy course (5 times slower to
load); the 500 variants take about 20 s of CPU.

The seed is fixed, so a failure names its case and reproduces; FUZZ_SEED / FUZZ_CASES in the
environment explore further.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import EMPATHY, MINI

from scorm_builder.build import build
from scorm_builder.load import load_course
from scorm_builder.standards import STANDARDS

SEED = int(os.environ.get("FUZZ_SEED", "20260529"))
CASES = int(os.environ.get("FUZZ_CASES", "500"))
LOAD_CPU, BUILD_CPU = 2.0, 10.0
SECOND_TARGETS = [name for name in ("scorm2004", "xapi", "cmi5", "cc") if name in STANDARDS]

HOSTILE_VALUES = [
    ".inf", "-.inf", ".nan", "-1", "0", "1.0e+400", "9" * 40, "true", "null", "~", "''", "'  '",
    "'../../outside.md'", "/etc/passwd", '"a\\0b"', '"x\\ny"', '"\\e[31mred"', '"\\u202egnp.exe"', "[]", "{}",
    "[1, 2]", "{a: 1}", "!!binary aGVsbG8=", "!!python/object/apply:os.system [ls]", "2024-01-01", "0x1F",
    "1.5", "101", "-0.0", "'<script>alert(1)</script>'", "'" + "x" * 3000 + "'", "'%00'", "*undefined",
    "&anchor value", "'C:/Windows/win.ini'", "'lessons\\\\01.md'", "'../media/square.png'", "'{{ 7*7 }}'",
    "'[link](javascript:alert(1))'", "'![x](../../../etc/passwd)'", "'ünïcødé ✓'", "'a: b'", "|", ">", "2024-02-30",
    "9" * 5000, "!!timestamp 2024-13-01",
]
SHARP_KEYS = {"version", "mastery_score", "attempts", "ce_hours", "duration_minutes", "weight", "draw",
              "knowledge_check", "final_assessment", "id", "answer", "correct"}
SNIPPETS = [
    "bomb:\n  - &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  - &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 9)),
    "deep: " + "[" * 3000 + "]" * 3000 + "\n",
    "loop: &l [*l]\n",
    "\t- tabbed\n",
    "---\n",
    "...\n",
    "\ufeff",
    "\x00\n",
    "\x1b]0;title\x07\x1b[2J\n",
    "x" * 20000 + "\n",
    "<script>alert(1)</script>\n",
    "<a href=\"https://example.org\" target=\"_top\">x</a>\n",
    "![outside](../../outside.png)\n",
    "![abs](/etc/hosts)\n",
    "[file](%2e%2e/%2e%2e/outside.md)\n",
    "## \n",
    "## A new page\n\nText.\n",
    "? [complex, key]\n: value\n",
    "key: value\nkey: again\n",
    "!!set {a, b}\n",
]


@dataclass
class Tally:
    cases: int = 0
    refused: int = 0
    refused_built: int = 0  # refused courses given to build too (one case in three: build loads again)
    accepted: int = 0
    builds: int = 0
    failures: list[str] = field(default_factory=list)

    kinds: dict[str, int] = field(default_factory=dict)

    def fail(self, case: str, kind: str, what: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.failures.append(f"{case}: {what}")


class Hang(Exception):
    pass


def _on_alarm(signum, frame):
    raise Hang()


def cpu_bounded(seconds: float, call):
    """call(), stopped with Hang after `seconds` of CPU time (the process's, user + system)."""
    old = signal.signal(signal.SIGPROF, _on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        return call()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


# --- the mutator ------------------------------------------------------------------------------------------


def course_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".md") and p.is_file())


def mutate_text(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    index = rng.randrange(len(lines)) if lines else 0
    kind = rng.randrange(9)
    if kind == 0:  # a hostile value for some key, half the time one that holds a number, a path or the version
        keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
        sharp = [i for i in keyed if lines[i].split(":", 1)[0].strip(" -") in SHARP_KEYS]
        keyed = sharp if sharp and rng.random() < 0.5 else keyed
        if keyed:
            index = rng.choice(keyed)
            key = lines[index].split(":", 1)[0]
            lines[index] = f"{key}: {rng.choice(HOSTILE_VALUES)}"
    elif kind == 1 and lines:
        paths = [i for i, line in enumerate(lines) if line.startswith("  - ") and line.endswith((".md", ".yaml"))]
        if paths and rng.random() < 0.5:  # a lesson path replaced
            lines[rng.choice(paths)] = "  - " + rng.choice(HOSTILE_VALUES)
        else:
            del lines[index]
    elif kind == 2 and lines:
        lines.insert(index, lines[index])
    elif kind == 3 and len(lines) > 1:
        index = min(index, len(lines) - 2)
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
    elif kind == 4:
        lines.insert(index, rng.choice(SNIPPETS).rstrip("\n"))
    elif kind == 5:
        return text[:rng.randrange(len(text) + 1)]
    elif kind == 6 and lines:
        lines[index] = ("  " + lines[index]) if rng.random() < 0.5 else lines[index][2:]
    elif kind == 7 and lines:  # a typo in a key
        line = lines[index]
        if ":" in line and len(line.split(":", 1)[0].strip()) > 2:
            key = line.split(":", 1)[0]
            cut = rng.randrange(len(key.strip())) + len(key) - len(key.lstrip())
            lines[index] = key[:cut] + key[cut + 1:] + ":" + line.split(":", 1)[1]
    elif kind == 8 and lines:  # a value swapped with another line's value
        other = rng.randrange(len(lines))
        if ":" in lines[index] and ":" in lines[other]:
            lines[index] = lines[index].split(":", 1)[0] + ":" + lines[other].split(":", 1)[1]
    return "\n".join(lines)


def mutate_files(rng: random.Random, folder: Path, outside: Path) -> str:
    """One file-system mutation; returns what it did."""
    files = course_files(folder)
    target = rng.choice(files)
    kind = rng.randrange(7)
    rel = target.relative_to(folder).as_posix()
    if kind == 0:
        target.unlink()
        return f"deleted {rel}"
    if kind == 1:
        target.unlink()
        target.mkdir()
        return f"{rel} made a folder"
    if kind == 2:
        target.unlink()
        target.symlink_to(outside / rng.choice(["outside.md", "outside.yaml", "missing"]))
        return f"{rel} symlinked outside"
    if kind == 3:
        target.unlink()
        target.symlink_to(target.name)
        return f"{rel} symlinked to itself"
    if kind == 4:
        data = bytearray(target.read_bytes())
        if data:
            data[rng.randrange(len(data))] = rng.choice([0xFF, 0xC0, 0x80, 0x00, 0xFE])
        target.write_bytes(bytes(data))
        return f"{rel} bad byte"
    if kind == 5:
        media = folder / "media" / "square.png"
        if media.exists():
            media.unlink()
            media.symlink_to(outside / "outside.png")
            return "media symlinked outside"
        return "no media"
    target.write_bytes(b"")
    return f"{rel} emptied"


def make_case(rng: random.Random, number: int, root: Path, outside: Path) -> tuple[Path, str]:
    source = EMPATHY if number % 5 == 4 else MINI  # the empathy course takes 5 times as long to load
    folder = root / f"case{number}" / source.name
    shutil.copytree(source, folder, symlinks=True)
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        if rng.random() < 0.15:
            done.append(mutate_files(rng, folder, outside))
            continue
        files = course_files(folder)
        if not files:
            break
        path = rng.choice(files)
        path.write_text(mutate_text(rng, path.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
        done.append(f"edited {path.relative_to(folder).as_posix()}")
    return folder, f"case {number} ({source.name}: {'; '.join(done)})"


# --- the properties -----------------------------------------------------------------------------------------


def unlocated(problems, folder: Path) -> list[str]:
    """Errors without a location: a file, and a line or field, unless the error is about the file as
    a whole (missing, unreadable, a symlink refused), which then is no readable regular file."""
    def whole_file(p) -> bool:
        path = folder.parent / p.file
        return p.line is None and not (path.is_file() and not path.is_symlink())

    return [p.format() for p in problems
            if p.is_error and not (p.file and (p.line is not None or p.field or whole_file(p)))]


def run_case(folder: Path, case: str, second: str, tally: Tally, build_refused: bool) -> None:
    try:
        course, problems = cpu_bounded(LOAD_CPU, lambda: load_course(folder))
    except Hang:
        tally.fail(case, "hang", f"check took more than {LOAD_CPU} s of CPU")
        return
    except BaseException:  # noqa: BLE001 - a traceback is what this test looks for
        tally.fail(case, "traceback", "check raised:\n" + traceback.format_exc(limit=-4))
        return
    if (bad := unlocated(problems, folder)):
        tally.fail(case, "unlocated", "errors without a location: " + " | ".join(bad))
    if course is None and not build_refused:
        tally.refused += 1
        return
    out = folder.parent / "out"
    targets = ["scorm12", second]
    try:
        result = cpu_bounded(BUILD_CPU, lambda: build(folder, targets, out))
    except Hang:
        tally.fail(case, "hang", f"build took more than {BUILD_CPU} s of CPU")
        return
    except BaseException:  # noqa: BLE001
        tally.fail(case, "traceback", "build raised:\n" + traceback.format_exc(limit=-4))
        return
    tally.builds += 1
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if course is None:
        tally.refused += 1
        tally.refused_built += 1
        if result.packages or written:
            tally.fail(case, "refused but built", f"check refused the course but build wrote {written}")
    else:
        tally.accepted += 1
        if not result.ok or len(result.packages) != 2:
            tally.fail(case, "check ok, build failed", f"check ok but build {targets} failed: " + " | ".join(
                p.format() for p in result.problems if p.is_error))
    if (bad := unlocated(result.problems, folder)):
        tally.fail(case, "unlocated", "build errors without a location: " + " | ".join(bad))


def test_fuzzed_courses_never_crash_hang_or_build_what_check_refuses(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outside.md").write_text("---\nid: outside\ntitle: Outside\n---\n\nSecret text.\n")
    (outside / "outside.yaml").write_text("id: outside\ntitle: Outside\nquestions: []\n")
    (outside / "outside.png").write_bytes((MINI / "media" / "square.png").read_bytes())
    rng = random.Random(SEED)
    tally = Tally()
    for number in range(CASES):
        root = tmp_path / "cases"
        folder, case = make_case(rng, number, root, outside)
        run_case(folder, case, SECOND_TARGETS[number % len(SECOND_TARGETS)], tally, number % 3 == 0)
        tally.cases += 1
        shutil.rmtree(root)
        assert sorted(p.name for p in outside.iterdir()) == ["outside.md", "outside.png", "outside.yaml"]
    summary = (f"{tally.cases} cases: {tally.refused} refused ({tally.refused_built} of them given to build), "
               f"{tally.accepted} accepted and built, "
               f"{len(tally.failures)} failure(s) {tally.kinds}")
    print(summary)
    assert not tally.failures, summary + "\n\n" + "\n\n".join(tally.failures[:15])
    assert tally.cases >= 500
    assert tally.refused > 100 and tally.refused_built > 30 and tally.accepted > 50  # both sides explored


@pytest.mark.parametrize("seed", [1, 2])
def test_the_mutator_is_deterministic(tmp_path, seed):
    outside = tmp_path / "o"
    outside.mkdir()
    made = []
    for attempt in range(2):
        rng = random.Random(seed)
        folder, case = make_case(rng, 1, tmp_path / f"a{attempt}", outside)
        made.append((case, {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() and not p.is_symlink()
                            else None for p in sorted(folder.rglob("*"))}))
    assert made[0] == made[1]
