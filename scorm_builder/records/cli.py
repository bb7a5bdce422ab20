"""`scorm-builder records pull | export | certificate | verify`: parse, call the library, print.

scorm_builder/cli.py adds the command with `add_records_command(commands, common)`. Exit codes as
everywhere: 0 ok, 1 problems found (malformed statements skipped, no completion to certify, an
unknown or revoked code), 2 the LRS, the database or the arguments cannot be used.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

from ..textsafe import escape
from .errors import EXIT_PROBLEMS, EXIT_UNUSABLE, RecordsError

KEY_ENV, SECRET_ENV = "SCORM_BUILDER_LRS_KEY", "SCORM_BUILDER_LRS_SECRET"
DB_HELP = "the records database: a SQLite file path or sqlite:///path (default: records.sqlite here), " \
          "or postgresql://user:password@host/dbname"


def add_records_command(commands, common: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parents = [common] if common is not None else []
    records = commands.add_parser(
        "records", help="completion records: pull them from an LRS, export a roster, certify, verify",
        description="Keep completion records for an agency: pull statements from the LRS into a database "
                    "(SQLite file or PostgreSQL), export the roster as CSV or JSON, issue printable certificates "
                    "and verify their codes.")
    sub = records.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    pull = sub.add_parser(
        "pull", parents=parents, help="pull statements from an LRS and update the records",
        description="Read the course's statements from the LRS page by page (following 'more' links), keep the "
                    "course-level ones as evidence, and derive one record per learner and registration. Re-running "
                    "adds nothing twice and continues from where the last pull stopped. Malformed statements are "
                    "skipped and listed (exit 1). The key and secret may also come from "
                    f"{KEY_ENV} and {SECRET_ENV}.")
    pull.add_argument("--lrs", required=True, metavar="URL", help="the LRS's xAPI endpoint, e.g. https://lrs.example.org/xapi/")
    pull.add_argument("--key", default=os.environ.get(KEY_ENV), help=f"the LRS key (or ${KEY_ENV})")
    pull.add_argument("--secret", default=os.environ.get(SECRET_ENV),
                      help=f"the LRS secret (or ${SECRET_ENV}); write --secret=VALUE when it starts with '-'")
    which = pull.add_mutually_exclusive_group(required=True)
    which.add_argument("--course", type=Path, metavar="FOLDER",
                       help="the course folder (its IRI, title, CE hours and completion rule come from course.yaml)")
    which.add_argument("--activity", metavar="IRI",
                       help="the course activity IRI (CE hours stay unknown until a pull or export with --course)")
    pull.add_argument("--base", help="the IRI base the course was built with (default: the course's xapi_base)")
    pull.add_argument("--since", metavar="DATE", help="read statements stored after this date or date-time "
                                                      "(default: where the last pull stopped)")
    pull.add_argument("--page-size", type=int, default=500, metavar="N", help="statements asked per page (default 500)")
    pull.add_argument("--reread", type=float, default=24 * 7, metavar="HOURS",
                      help="read again the last HOURS before the kept position, for statements an offline browser "
                           "delivers late (default 168: 7 days; ids already kept change nothing)")
    pull.add_argument("--db", help=DB_HELP)
    pull.set_defaults(run=_pull)

    export = sub.add_parser(
        "export", parents=parents, help="export the roster as CSV or JSON",
        description="One row per record: learner name and id, course, version, completion date, result, score, "
                    "CE hours. CSV is UTF-8 with a byte-order mark (opens in Excel), formula-looking cells are "
                    "neutralised with a leading apostrophe. --from/--to select completions by date (inclusive).")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--course", metavar="FOLDER|IRI", help="only this course")
    export.add_argument("--base", help="with a course folder: the IRI base it was built with")
    export.add_argument("--from", dest="date_from", metavar="DATE", help="completed on or after this date")
    export.add_argument("--to", dest="date_to", metavar="DATE", help="completed on or before this date")
    export.add_argument("--out", "-o", type=Path, help="write here (default: standard output)")
    export.add_argument("--db", help=DB_HELP)
    export.set_defaults(run=_export)

    cert = sub.add_parser(
        "certificate", parents=parents, help="issue a printable completion certificate",
        description="A certificate (HTML for print, or PDF with --pdf when WeasyPrint is installed) with the course "
                    "title, learner, date, CE hours and a verification code. Issuing it again gives the same code.")
    cert.add_argument("learner", metavar="LEARNER", help="the learner's id (LMS account name), e-mail or learner key")
    cert.add_argument("--course", required=True, metavar="FOLDER|IRI", help="the course folder (or its IRI)")
    cert.add_argument("--base", help="with a course folder: the IRI base it was built with")
    cert.add_argument("--registration", metavar="UUID", help="which registration, when the learner completed it twice")
    cert.add_argument("--paper", choices=("a4", "letter"), default="a4", help="page size (default: a4)")
    cert.add_argument("--pdf", action="store_true", help="write PDF (needs: pip install 'scorm-builder[pdf]')")
    cert.add_argument("--out", "-o", type=Path, help="output file (default: certificate-CODE.html or .pdf here)")
    cert.add_argument("--db", help=DB_HELP)
    cert.set_defaults(run=_certificate)

    report = sub.add_parser(
        "report", parents=parents, help="a report on the cohort and the questions (HTML, JSON or CSV)",
        description="One self-contained, accessible page (or JSON/CSV with the same figures): the completion "
                    "funnel and where learners stop, attempts to pass, final scores, time to complete, item "
                    "analysis of every question (difficulty, discrimination, choice counts, flags), reliability of "
                    "the final and mastery per objective, from the records database that 'records pull' fills.")
    report.add_argument("--course", required=True, type=Path, metavar="FOLDER",
                        help="the course folder (lessons, questions and objectives come from its sources)")
    report.add_argument("--base", help="the IRI base the course was built with (default: the course's xapi_base)")
    report.add_argument("--from", dest="date_from", metavar="DATE", help="learners first launched on or after this date")
    report.add_argument("--to", dest="date_to", metavar="DATE", help="learners first launched on or before this date")
    report.add_argument("--db", help=DB_HELP)
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write the report")
    report.add_argument("--format", choices=("html", "json", "csv"), default="html")
    report.add_argument("--include-responses", action="store_true",
                        help="show the text of reflections and fill-in answers (private by default)")
    report.set_defaults(run=_report)

    verify = sub.add_parser(
        "verify", parents=parents, help="check a certificate's verification code",
        description="Print the learner, course, date and hours a code certifies. Exit 1 for an unknown code, or "
                    "when the completion was revoked (its statements voided since).")
    verify.add_argument("code", metavar="CODE")
    verify.add_argument("--db", help=DB_HELP)
    verify.set_defaults(run=_verify)

    records.set_defaults(run=lambda args: _usage(records))
    return records


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_UNUSABLE


def _err(text: str) -> None:
    print(escape(text), file=sys.stderr)  # learner names, course titles and LRS answers are untrusted


def _guarded(run):
    """Run a subcommand; a RecordsError becomes its `where: what (hint: fix)` line and exit code."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except RecordsError as error:
            _err(error.problem.format())
            return error.exit_code

    return wrapper


def _quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def _course(args, text: str | None):
    """(CourseInfo | None, course IRI | None) for --course FOLDER|IRI."""
    from .course import course_iri_of, load_course_info
    from .derive import CourseInfo

    if not text:
        return None, None
    path = Path(text)
    if path.is_dir():
        info, problems = load_course_info(path, args.base)
        for problem in problems:
            if problem.is_error or getattr(args, "verbose", False):
                _err(problem.format())
        return info, info.iri
    if "://" in text:
        iri = course_iri_of(text)
        return CourseInfo(iri), iri
    raise RecordsError("--course", f"'{text}' is neither a course folder nor an activity IRI",
                       "give the folder with course.yaml, e.g. modules/empathy-crs, or the course IRI")


@_guarded
def _pull(args: argparse.Namespace) -> int:
    from .course import course_iri_of, load_course_info
    from .pull import LrsSource, parse_since, pull
    from .store import open_store

    if not args.key or not args.secret:
        raise RecordsError("--key/--secret", "the LRS key and secret are required",
                           f"pass --key and --secret, or set {KEY_ENV} and {SECRET_ENV}")
    if args.page_size < 1:
        raise RecordsError("--page-size", "must be at least 1")
    since = parse_since(args.since) if args.since else None
    if not 0 <= args.reread <= 24 * 366:
        raise RecordsError("--reread", "must be from 0 to 8784 hours (a year)")
    source = LrsSource(args.lrs, args.key, args.secret)
    if args.course:
        if not args.course.is_dir():
            raise RecordsError(str(args.course), "is not a course folder", "give the folder with course.yaml")
        course, problems = load_course_info(args.course, args.base)
        for problem in problems:
            if problem.is_error or args.verbose:
                _err(problem.format())
        iri = course.iri
    else:
        course, iri = None, course_iri_of(args.activity)
    with open_store(args.db) as store:
        report = pull(store, source, iri, since=since, course=course, page_size=args.page_size,
                      reread=timedelta(hours=args.reread))
    for problem in report.problems:
        _err(problem.format())
    if report.problem_count > len(report.problems):
        _err(f"... and {report.problem_count - len(report.problems)} more malformed statement(s): "
             "all are listed in the database's 'rejected' table")
    if not _quiet(args) or report.problem_count:
        print(escape(f"{iri}: {report.summary()}"))
    return report.exit_code


@_guarded
def _export(args: argparse.Namespace) -> int:
    from .export import write_csv, write_json
    from .pull import parse_since
    from .store import open_store

    start = parse_since(args.date_from, "--from") if args.date_from else None
    end = parse_since(args.date_to, "--to") if args.date_to else None
    if end is not None:  # inclusive: the whole day for a date, the instant for a date-time
        end += timedelta(days=1) if len(args.date_to.strip()) == 10 else timedelta(microseconds=1)
    with open_store(args.db, create=False) as store:
        course, iri = _course(args, args.course)
        if course is not None and course.title is not None:
            store.set_course(course)
        records = store.iter_records(iri, start, end)
        filters = {"course": iri, "from": args.date_from, "to": args.date_to}
        rule = course.score_rule if course is not None else "best"  # the course's completion.score
        if args.out:
            with args.out.open("w", encoding="utf-8", newline="") as out:
                count = (write_csv(records, out, rule) if args.format == "csv"
                         else write_json(records, out, filters, rule))
            if not _quiet(args):
                _err(f"wrote {args.out} ({count} record(s))")
        else:
            stdout = sys.stdout
            if args.format == "csv":
                if hasattr(stdout, "reconfigure"):
                    stdout.reconfigure(newline="")
                write_csv(records, stdout, rule)
            else:
                write_json(records, stdout, filters, rule)
    return 0


def _date_range(args) -> tuple:
    from .pull import parse_since

    start = parse_since(args.date_from, "--from") if args.date_from else None
    end = parse_since(args.date_to, "--to") if args.date_to else None
    if end is not None:  # inclusive: the whole day for a date, the instant for a date-time
        end += timedelta(days=1) if len(args.date_to.strip()) == 10 else timedelta(microseconds=1)
    return start, end


@_guarded
def _report(args: argparse.Namespace) -> int:
    from ..load import load_course
    from .report import build_report, render_html, write_csv, write_json
    from .store import open_store

    if not args.course.is_dir():
        raise RecordsError(str(args.course), "is not a course folder", "give the folder with course.yaml")
    course, problems = load_course(args.course)
    for problem in problems:
        if problem.is_error or getattr(args, "verbose", False):
            _err(problem.format())
    if course is None:
        raise RecordsError(str(args.course), "the course does not load",
                           f"run 'scorm-builder check {args.course}' and fix what it lists", EXIT_PROBLEMS)
    start, end = _date_range(args)
    with open_store(args.db, create=False) as store:
        report = build_report(store, course, base=args.base, start=start, end=end,
                              include_responses=args.include_responses,
                              filters={"from": args.date_from, "to": args.date_to})
    try:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            if args.format == "html":
                out.write(render_html(report))
            elif args.format == "json":
                write_json(report, out)
            else:
                write_csv(report, out)
    except OSError as error:
        raise RecordsError(str(args.out), f"cannot write the report: {error.strerror or error}",
                           "check that the folder exists and is writable") from None
    if not _quiet(args):
        _err(f"wrote {args.out} ({report.learners} learner(s), {len(report.items)} question(s))")
    return 0


@_guarded
def _certificate(args: argparse.Namespace) -> int:
    from .certificate import issue, render_html, render_pdf
    from .store import open_store

    with open_store(args.db, create=False) as store:
        course, _ = _course(args, args.course)
        if course.title is not None:
            store.set_course(course)
        certificate = issue(store, args.learner, course, args.registration)
    html = render_html(certificate, args.paper)
    out = args.out or Path(f"certificate-{certificate.display_code}.{'pdf' if args.pdf else 'html'}")
    if args.pdf:
        out.write_bytes(render_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    if not _quiet(args):
        print(escape(f"wrote {out}: {certificate.learner_name}, {certificate.course_title}, {certificate.date}, "
                     f"{certificate.hours} CE hour(s), verification code {certificate.display_code}"))
    return 0


@_guarded
def _verify(args: argparse.Namespace) -> int:
    from .certificate import verify
    from .store import open_store

    with open_store(args.db, create=False) as store:
        found = verify(store, args.code)
    if found is None:
        _err(f"{args.code}: unknown code (hint: type it as printed on the certificate, e.g. 7KQ2-M9XD-4HVB-T1ZC, "
             "and check that --db is the agency's records database)")
        return EXIT_PROBLEMS
    c = found.certificate
    line = (f"{c.display_code}: {c.learner_name} ({c.learner_identifier}) completed \"{c.course_title}\" on {c.day}, "
            f"{c.hours} CE hour(s)" + (f", version {c.version}" if c.version else ""))
    if not found.valid:
        _err(f"revoked: {line} (hint: the statements behind this completion were voided in the LRS)")
        return EXIT_PROBLEMS
    print(escape(f"valid: {line}"))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m scorm_builder.records.cli records ...`: the same command without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="scorm-builder")
    common = argparse.ArgumentParser(add_help=False)
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    noise.add_argument("-v", "--verbose", action="store_true", help="print warnings and details too")
    add_records_command(parser.add_subparsers(metavar="COMMAND"), common)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
