"""Validator work-limit benchmark: the hostile inputs of issue 9 (item 1), one fresh process each.

For every input: CPU seconds of the validation (user+system, interpreter start excluded), the
child's peak resident memory in MB, the exit code and how many lines `validate` printed.
A child that exceeds --cpu-limit seconds is stopped and shown as "stopped".

Run: python benchmarks/validate.py [--cpu-limit 60] [--pythonpath OTHER_CHECKOUT] [--only N...]
(--pythonpath measures another checkout of scorm_builder, e.g. an older commit, on the same inputs.)

Measured on the project's machine (2 shared cores), 2026-11-29; before = 6e62317, after = the work
limits of issue 9 (CPU s / peak MB / exit / lines printed):

    input                                    before                        after
    50,000 imsmd elements                    45.14 /   44 / 0 / 3          0.04 / 30 / 2 / 3
    5,000 xmlns x 20,000 attributes          14.89 /   35 / 0 / 3          0.01 / 27 / 2 / 3
    600 entries, 65 KB deep names           130.18 /   94 / 1 / 2          0.10 / 98 / 2 / 103
    1,000,000 elements                       28.09 / 1402 / 1 / 1,000,002  0.11 / 66 / 2 / 3
    1,000 x 1 MiB of zeros                    2.35 /   42 / 0 / 23         0.01 / 45 / 2 / 3
    49,000 imsmd elements                    44.33 /   43 / 0 / 3          0.16 / 49 / 0 / 3
    250 xmlns x 49,000 adlcp attributes       2.26 /  139 / 1 / 49,002     0.35 / 91 / 1 / 103
    49,900 missing files                      1.20 /   89 / 1 / 49,902     0.78 / 103 / 1 / 103
    600 entries, 1,000-char names 62 deep     0.06 /   21 / 1 / 2          0.02 / 25 / 1 / 2
    cmi5.xml with 8,000 AUs                   0.33 /   38 / 0 / 2          0.38 / 42 / 0 / 2

Peak MB includes the interpreter and lxml (about 20 MB). Exit 2 is a refusal with one message
naming the limit. Before, three of the issue's five inputs were reported VALID and one printed a
million lines.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from validate_fixtures import hostile  # noqa: E402

INPUTS = (
    ("50,000 imsmd elements", hostile.imsmd_elements),
    ("5,000 xmlns x 20,000 attributes", hostile.namespace_declarations),
    ("600 entries, 65 KB deep names", lambda folder: hostile.deep_names(folder, 600, 65_000)),
    ("1,000,000 elements", hostile.many_elements),
    ("1,000 x 1 MiB of zeros", hostile.zeros),
    # just under the limits: accepted, so every per-element cost is paid
    ("49,000 imsmd elements", lambda folder: hostile.imsmd_elements(folder, 49_000)),
    ("250 xmlns x 49,000 adlcp attributes",
     lambda folder: hostile.namespace_declarations(folder, 250, 49_000, 250, hostile.ADLCP)),
    ("49,900 missing files", lambda folder: hostile.many_elements(folder, 49_900)),
    ("600 entries, 1,000-char names 62 deep", lambda folder: hostile.deep_names(folder, 600, 1_000, 15)),
    ("cmi5.xml with 8,000 AUs", hostile.cmi5_units),
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu-limit", type=int, default=60)
    parser.add_argument("--pythonpath", default=None)
    parser.add_argument("--only", type=int, nargs="*", help="row numbers (from 1) to run")
    args = parser.parse_args()
    print(f"{'input':34} {'zip KB':>8} {'CPU s':>8} {'peak MB':>8} {'exit':>5} {'lines':>8}")
    with tempfile.TemporaryDirectory() as temp:
        for number, (label, make) in enumerate(INPUTS, start=1):
            if args.only and number not in args.only:
                continue
            path = make(Path(temp))
            cost = hostile.measure(path, args.cpu_limit, args.pythonpath)
            state = "stopped" if cost.exit is None else str(cost.exit)
            print(f"{label:34} {path.stat().st_size / 1024:8.0f} {cost.cpu:8.2f} {cost.peak_mb:8.0f} "
                  f"{state:>5} {cost.lines:8}", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
