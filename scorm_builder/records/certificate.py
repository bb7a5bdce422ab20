"""Completion certificates and their verification codes.

A certificate is issued once per record (course, learner, registration) that earned the
course; issuing it again gives the same certificate. Its verification code is random, kept in
the database, and checked by `records verify CODE`:

- 16 characters of Crockford base32 (80 random bits from `secrets`): unguessable, and short enough
  to type from paper, shown in four groups (`7KQ2-M9XD-4HVB-T1ZC`). Reading a code back ignores
  case, dashes and spaces, and takes O for 0 and I or L for 1.
- `verify` answers *valid* while the record still shows the completion, *revoked* when the
  statements behind it were voided since, and nothing (exit 1) for an unknown code.

The certificate is HTML made for print (A4 or Letter, no external resources: styles inline, system
fonts). PDF comes from WeasyPrint when it is installed (`pip install 'scorm-builder[pdf]'`; it
needs Pango from the system, Debian's `libpango-1.0-0 libpangoft2-1.0-0`): no browser involved.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .derive import CourseInfo
from .errors import EXIT_PROBLEMS, EXIT_UNUSABLE, RecordsError
from .store import RecordRow, Store

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16
PAPERS = {"a4": "A4", "letter": "letter"}
TEMPLATES = Path(__file__).with_name("templates")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    code = "".join(text.split()).replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class Certificate:
    code: str
    learner_name: str
    learner_identifier: str
    course_title: str
    organisation: str | None
    completed_at: datetime
    ce_hours: float | None
    version: str | None
    issued_at: datetime

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def date(self) -> str:
        day = self.completed_at.astimezone(timezone.utc)
        return f"{day.day} {day:%B %Y}"

    @property
    def day(self) -> str:
        return self.completed_at.astimezone(timezone.utc).date().isoformat()

    @property
    def hours(self) -> str:
        if self.ce_hours is None:
            return "not stated"
        return f"{self.ce_hours:g}"

    @classmethod
    def from_row(cls, row: dict) -> Certificate:
        return cls(row["code"], row["learner_name"], row["learner_identifier"], row["course_title"],
                   row.get("organisation"), row["completed_at"], row["ce_hours"], row["version"], row["issued_at"])


def issue(store: Store, learner: str, course: CourseInfo, registration: str | None = None) -> Certificate:
    """The certificate of `learner`'s completion of `course` (issued now, or the one issued before)."""
    found = store.records_for(learner, course.iri)
    if registration:
        found = [r for r in found if r.registration == registration]
    keys = {r.learner_key for r in found}
    if len(keys) > 1:
        raise RecordsError(learner, f"{len(keys)} learners match in {course.iri}: "
                           + "; ".join(sorted(keys)), "give the learner key exactly as listed", EXIT_UNUSABLE)
    earned = [r for r in found if r.earned and r.completed_at is not None]
    if not earned:
        what = f"{len(found)} record(s), none completed" if found else "no record"
        raise RecordsError(learner, f"no completion of {course.title or course.iri} to certify ({what})",
                           "pull the latest statements first: scorm-builder records pull ...", EXIT_PROBLEMS)
    record = earned[-1]  # the latest completion
    existing = store.certificate_for(record.key)
    if existing is None:
        existing = store.add_certificate({
            "code": new_code(), "course_iri": record.course_iri, "learner_key": record.learner_key,
            "registration": record.registration, "learner_name": record.learner_name or record.learner_identifier,
            "learner_identifier": record.learner_identifier,
            "course_title": course.title or record.course_title or record.course_iri,
            "organisation": course.organisation or record.course_organisation,
            "completed_at": record.completed_at, "ce_hours": record.ce_hours, "version": record.version,
            "issued_at": datetime.now(timezone.utc),
        })
    return Certificate.from_row(existing)


def render_html(certificate: Certificate, paper: str = "a4") -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("certificate.html.j2").render(c=certificate, page=PAPERS[paper])


def render_pdf(html: str) -> bytes:
    """The certificate as PDF with WeasyPrint; RecordsError when it is not installed or usable."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as missing:  # OSError: the Pango libraries are absent
        raise RecordsError("--pdf", f"PDF output needs WeasyPrint ({missing})",
                           "pip install 'scorm-builder[pdf]' and apt-get install libpango-1.0-0 libpangoft2-1.0-0; "
                           "or print the HTML certificate to PDF from a browser") from None
    return HTML(string=html).write_pdf()


@dataclass(frozen=True)
class Verification:
    certificate: Certificate
    valid: bool  # False: the record no longer shows this completion (its statements were voided)


def verify(store: Store, text: str) -> Verification | None:
    """What `text` verifies, or None for an unknown (or impossible) code."""
    code = normalise_code(text)
    row = store.certificate(code) if code else None
    if row is None:
        return None
    record: RecordRow | None = store.record((row["course_iri"], row["learner_key"], row["registration"]))
    valid = record is not None and record.earned and record.completed_at is not None
    return Verification(Certificate.from_row(row), valid)
