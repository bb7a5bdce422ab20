"""The roster an agency files: one row per record, as CSV or JSON, streamed (memory stays flat).

CSV decisions:
- UTF-8 **with a byte-order mark**: Excel reads a CSV without one in the machine's legacy code
  page and garbles accented names; with it, Excel, LibreOffice and Numbers all read UTF-8.
  Python reads it back with `encoding="utf-8-sig"`.
- a header row; `\\r\\n` line ends (RFC 4180); every text cell quoted when needed by the csv module.
- formula injection: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
  is prefixed with `'`, so a spreadsheet shows it as text instead of evaluating it (learner
  names come from the LRS, i.e. from whoever could write statements).

JSON: `{"format": "scorm-builder-records/1", "generated_at": …, "filters": {…}, "records": [{…}]}`,
each record with the same fields as the CSV columns, numbers as numbers and absent values as null.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import IO

from .derive import reported_score
from .store import RecordRow

FORMAT = "scorm-builder-records/1"
COLUMNS = (
    "learner_name", "learner_id", "learner_home_page", "course", "course_title", "version", "registration",
    "result", "completion_date", "completed_at", "score_percent", "last_score_percent", "attempts",
    "total_minutes", "ce_hours", "package_hash", "course_iri",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def row_dict(record: RecordRow, score_rule: str = "best") -> dict:
    """One record as the export shows it (the same keys for CSV and JSON). `score_percent` is the
    score the course's `completion.score` rule reports (derive.reported_score); `last_score_percent`
    the latest attempt's."""
    return {
        "learner_name": record.learner_name,
        "learner_id": record.learner_identifier,
        "learner_home_page": record.learner_home_page,
        "course": record.course_source_id or record.course_iri,
        "course_title": record.course_title,
        "version": record.version,
        "registration": record.registration,
        "result": record.result,
        "completion_date": record.completed_at.astimezone(timezone.utc).date().isoformat()
        if record.completed_at else None,
        "completed_at": _iso(record.completed_at),
        "score_percent": _percent(reported_score(record.best_score, record.last_score, record.result, score_rule)),
        "last_score_percent": _percent(record.last_score),
        "attempts": record.attempts,
        "total_minutes": None if record.total_seconds is None else round(record.total_seconds / 60, 1),
        "ce_hours": record.ce_hours,
        "package_hash": record.package_hash,
        "course_iri": record.course_iri,
    }


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(records: Iterable[RecordRow], out: IO[str], score_rule: str = "best") -> int:
    """Write the roster as CSV to a text stream opened with newline=""; the number of rows."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        row = row_dict(record, score_rule)
        writer.writerow(["" if row[c] is None else neutralise(row[c]) for c in COLUMNS])
        count += 1
    return count


def write_json(records: Iterable[RecordRow], out: IO[str], filters: dict | None = None,
               score_rule: str = "best") -> int:
    """Write the roster as one JSON document, one record at a time; the number of records."""
    head = {"format": FORMAT, "generated_at": _iso(datetime.now(timezone.utc)), "filters": filters or {}}
    out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "records": [')
    count = 0
    for record in records:
        out.write(("," if count else "") + "\n    " + json.dumps(row_dict(record, score_rule), ensure_ascii=False))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def iter_rows(records: Iterable[RecordRow]) -> Iterator[dict]:
    for record in records:
        yield row_dict(record)
