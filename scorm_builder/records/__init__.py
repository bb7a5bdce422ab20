"""Completion records for agencies: pull statements from an LRS, keep records, export, certify.

    pull.py         the LRS side: the statements resource over HTTP (origin-bound, bounded), page by page
    derive.py       pure: a statement -> a fact, a void or a problem; facts -> a record
    store.py        the database (SQLAlchemy Core; SQLite or PostgreSQL), one transaction per page
    schema.py       its tables; migrations/ the Alembic revisions that create them
    export.py       the roster as CSV (spreadsheet-safe) or JSON
    certificate.py  printable certificates and their verification codes
    report.py       the cohort and item-analysis report (HTML page, JSON, CSV) from the database
    stats.py        pure: its statistics (quartiles, p, point-biserial, upper-lower D, KR-20, flags)
    charts.py       its charts: matplotlib SVG made fit to sit inline in an accessible page
    cli.py          the `scorm-builder records` subcommands

SQLAlchemy and the database drivers load only when a records command runs.
"""
from __future__ import annotations

from .errors import EXIT_PROBLEMS, EXIT_UNUSABLE, RecordsError

__all__ = ["EXIT_PROBLEMS", "EXIT_UNUSABLE", "RecordsError"]
