"""The command line: parse, call the library, print. Exit codes: 0 ok, 1 problems found,
2 could not read the input (or bad usage)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, textsafe
from .errors import Problem, sort_problems
from .records.cli import add_records_command
from .profiles import PROFILES, describe
from .standards import STANDARDS

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_UNREADABLE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorm-builder",
        description="Turn a course written as plain text (Markdown lessons, YAML assessments) into "
                    "SCORM 1.2, SCORM 2004, xAPI (Tin Can) and cmi5 packages, and validate any such package.",
        epilog="Exit codes: 0 success, 1 problems found (invalid course or package), 2 input unreadable. "
               "Run 'scorm-builder COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"scorm-builder {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    noise.add_argument("-v", "--verbose", action="store_true", help="print warnings and details too")

    build = commands.add_parser(
        "build", parents=[common], help="build a course into validated packages",
        description="Check a course, build one package per target, validate each, and write only valid "
                    "packages. Reproducible: honours SOURCE_DATE_EPOCH.")
    build.add_argument("course", type=Path, help="the course folder, e.g. modules/empathy-crs")
    build.add_argument("--target", "-t", action="append", choices=[*STANDARDS, "all"],
                       help="a standard to build for; repeat it for several, or use 'all' (required without --profile)")
    build.add_argument("--profile", "-p", choices=list(PROFILES),
                       help="an LMS profile: its targets (unless --target is given), its reporting options, and the "
                            "LMS settings to choose written into completion.txt; see 'scorm-builder profiles'")
    build.add_argument("--out", "-o", type=Path, default=Path("dist"), help="output folder (default: dist)")
    build.add_argument("--xapi-endpoint", metavar="URL",
                       help="SCORM packages also send xAPI statements to this LRS endpoint (xapi and cmi5 "
                            "packages learn theirs at launch). The LRS credentials come at launch: the LMS adds "
                            "endpoint/auth to the launch URL")
    build.add_argument("--embed-write-only-key", metavar="KEY:SECRET",
                       help="embed these LRS credentials in SCORM packages built with --xapi-endpoint. Anyone who "
                            "opens the package can read them: use only a key that can write statements and "
                            "nothing else")
    build.set_defaults(run=_build)

    check = commands.add_parser(
        "check", parents=[common], help="check a course and list every problem",
        description="Load a course and report every problem at once as file:line: field: problem (hint).")
    check.add_argument("course", type=Path, help="the course folder")
    check.add_argument("--target", "-t", action="append", choices=[*STANDARDS, "all"],
                       help="also check that every value fits this standard (repeat it, or 'all'; default: all)")
    check.set_defaults(run=_check)

    validate = commands.add_parser(
        "validate", parents=[common], help="validate a SCORM package (ours or another tool's)",
        description="Validate a SCORM 1.2 or 2004 zip, an xAPI/cmi5 package or an IMS Common Cartridge 1.1 "
                    "(.imscc) against the official schemas and the rules the "
                    "schemas cannot express. Safe on untrusted input: nothing is fetched or extracted "
                    "outside a temporary folder. Exit 0 valid, 1 invalid, 2 unreadable or unsafe.")
    validate.add_argument("package", type=Path, help="the package: .zip, or .imscc for a Common Cartridge")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(run=_validate)

    activities = commands.add_parser(
        "activities", parents=[common], help="list every xAPI activity id with its definition",
        description="Print the xAPI activity IRI of the course, its objectives, lessons, pages, assessments and "
                    "questions, each with its activity definition (type, interactionType, correctResponsesPattern, "
                    "choices), for an agency setting up reports in its LRS.")
    activities.add_argument("course", type=Path, help="the course folder")
    activities.add_argument("--base", help="the IRI base for activity ids (default: the course's xapi_base, "
                                           "else https://courses.example.org/xapi/)")
    activities.add_argument("--json", action="store_true", help="print the list as JSON")
    activities.set_defaults(run=_activities)

    preview = commands.add_parser(
        "preview", parents=[common], help="serve a course on localhost with a live LMS simulator",
        description="Build the course and serve it on 127.0.0.1 beside a small LMS simulator that shows, "
                    "live, what the course records (status, score, interactions, location, suspend data). "
                    "Rebuilds when a source file changes. Stop with Ctrl+C.")
    preview.add_argument("course", type=Path, help="the course folder")
    preview.add_argument("--standard", choices=[s for s in STANDARDS if STANDARDS[s].extension == "zip"],
                         default="scorm2004",
                         help="which runtime API to simulate (default: scorm2004)")
    preview.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 = any free)")
    preview.set_defaults(run=_preview)

    profiles = commands.add_parser(
        "profiles", parents=[common], help="list the LMS profiles with their settings and why",
        description="Print each LMS profile for 'build --profile': the targets it builds, its reporting options "
                    "(completion.report_as, completion.interaction_ids), the LMS settings it writes into "
                    "completion.txt, and why.")
    profiles.set_defaults(run=_profiles)

    add_records_command(commands, common)
    return parser


def _print_problems(problems: list[Problem], args: argparse.Namespace) -> None:
    for problem in sort_problems(problems):
        if problem.is_error or args.verbose or not args.quiet:
            print(problem.format(), file=sys.stderr)


def _summary(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def _profiles(args: argparse.Namespace) -> int:
    print("\n\n".join(describe(p) for p in PROFILES.values()))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .load import load_course

    from .build import resolve_targets
    from .check.targets import check_targets

    course, problems = load_course(args.course)
    if course is not None:
        problems += check_targets(course, [s.name for s in resolve_targets(args.target or ["all"])])
    _print_problems(problems, args)
    if course is None or any(p.is_error for p in problems):
        print(f"{args.course}: not ready to build: {_summary(problems)}", file=sys.stderr)
        return EXIT_INVALID
    if not args.quiet:
        questions = sum(len(a.questions) for a in course.assessments)
        print(f"{args.course}: ok: {len(course.lessons)} lessons, {len(course.pages)} pages, "
              f"{questions} questions ({_summary(problems)})")
    return EXIT_OK


def _delivery(args: argparse.Namespace):
    """The --xapi-endpoint / --embed-write-only-key pair, checked; (Delivery, error message)."""
    import base64
    from urllib.parse import urlsplit

    from .render.data import Delivery

    if args.embed_write_only_key and not args.xapi_endpoint:
        return None, "--embed-write-only-key needs --xapi-endpoint"
    if not args.xapi_endpoint:
        return Delivery(), None
    parts = urlsplit(args.xapi_endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None, (f"--xapi-endpoint: '{args.xapi_endpoint}' is not an http(s) LRS address without credentials "
                      "in it, such as https://lrs.example.org/xapi/")
    endpoint = args.xapi_endpoint if args.xapi_endpoint.endswith("/") else args.xapi_endpoint + "/"
    auth = None
    if args.embed_write_only_key:
        if ":" not in args.embed_write_only_key:
            return None, "--embed-write-only-key takes KEY:SECRET"
        auth = "Basic " + base64.b64encode(args.embed_write_only_key.encode("utf-8")).decode("ascii")
        print("warning: embedding LRS credentials in the package. Anyone who can open the package can read "
              "them, so the key must be able to write statements and do nothing else (no read, no void). "
              "Without this flag the LMS passes credentials at launch and nothing secret ships.", file=sys.stderr)
    return Delivery(endpoint, auth), None


def _build(args: argparse.Namespace) -> int:
    from .build import build

    delivery, error = _delivery(args)
    if error:
        print(error, file=sys.stderr)
        return EXIT_UNREADABLE
    if not args.target and not args.profile:
        print("build: give --target (scorm12, scorm2004, xapi, cmi5, cc or all) or --profile", file=sys.stderr)
        return EXIT_UNREADABLE
    result = build(args.course, args.target or [], args.out, delivery=delivery,
                   profile=PROFILES[args.profile] if args.profile else None)
    _print_problems(result.problems, args)
    for outcome in result.outcomes:
        if outcome.path is None:
            print(outcome.describe(), file=sys.stderr)
        elif not args.quiet:
            print(outcome.describe())
    last = f"{args.course}: {result.summary()}: {_summary(result.problems)}"
    if not result.ok:
        print(last, file=sys.stderr)
        return EXIT_INVALID
    if not args.quiet:
        print(last)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from .validate import validate_package

    report = validate_package(args.package)
    if args.json:
        print(textsafe.dumps(report.to_dict()))
    elif not (args.quiet and report.ok):
        print(report.format_text())
    return report.exit_code


def _activities(args: argparse.Namespace) -> int:
    from .load import load_course
    from .xapi import base_problem, format_activities, list_activities

    if args.base and (reason := base_problem(args.base)):
        print(f"--base: {reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    course, problems = load_course(args.course)
    _print_problems(problems, args)
    if course is None:
        print(f"{args.course}: no activities to list: {_summary(problems)}", file=sys.stderr)
        return EXIT_INVALID
    rows = list_activities(course, args.base)
    if args.json:
        print(textsafe.dumps(rows))
    else:
        print(format_activities(rows), end="")
    return EXIT_OK


def _preview(args: argparse.Namespace) -> int:
    from .preview import serve

    try:
        return serve(args.course, args.standard, args.port, log=lambda text: print(text, file=sys.stderr))
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; try --port 0", file=sys.stderr)
        return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
