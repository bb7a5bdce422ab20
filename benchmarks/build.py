"""Build-and-validate benchmark.

(a) the empathy course, both SCORM targets, as the whole command including interpreter
    start (a fresh `python -m scorm_builder build`), best of several runs;
(b) a generated course of 200 lessons x 5 pages and 1,000 questions, in one process:
    wall time and peak memory (ru_maxrss of a child process that does only that).

Run: python benchmarks/build.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def command_seconds(args: list[str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


CHILD = """
import json, resource, sys, time
from pathlib import Path
from scorm_builder.build import build_course
start = time.perf_counter()
paths = build_course(Path(sys.argv[1]), ["scorm12", "scorm2004"], Path(sys.argv[2]))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": sum(p.stat().st_size for p in paths)}))
"""


def main() -> None:
    from support import write_course

    with tempfile.TemporaryDirectory() as temp:
        out = Path(temp) / "dist"
        small = command_seconds([sys.executable, "-m", "scorm_builder", "build", "modules/empathy-crs", "-q",
                                 "--target", "scorm12", "--target", "scorm2004", "--out", str(out)])
        big_dir = write_course(Path(temp) / "big", lessons=200, pages=5, questions=1000)
        child = subprocess.run([sys.executable, "-c", CHILD, str(big_dir), str(Path(temp) / "big-dist")],
                               check=True, cwd=ROOT, capture_output=True, text=True)
        big = json.loads(child.stdout)
    print(f"(a) empathy course, scorm12 + scorm2004, whole command: {small:.3f} s (goal < 0.5 s)")
    print(f"(b) 200 lessons x 5 pages, 1,000 questions, build + validate: {big['seconds']:.2f} s, "
          f"peak {big['peak_mb']:.0f} MB, {big['bytes'] / 1e6:.1f} MB of zips (goals < 10 s, < 300 MB)")


if __name__ == "__main__":
    main()
