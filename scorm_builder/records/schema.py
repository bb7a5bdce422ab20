"""The records database, as SQLAlchemy Core tables (the migrations in migrations/versions create
exactly this; a test compares the two).

    courses       what the course source says: title, CE hours, whether passing is required
    learners      one row per learner (actor IFI): identifier, account home page, latest name
    statements    the evidence: one row per course-level statement used, with the facts a record is
                  derived from, and `voided_by` once a voiding statement names it
    voids         every voiding statement seen (its target may arrive later, or never)
    items         item-level facts: one row per `answered` (a question) or `experienced` (a page)
                  statement about an activity below a course: response, success, score, duration,
                  and the attempt at the final assessment the answer belongs to
    records       one row per course, learner and registration, derived from its statements
    positions     how far each pull got, per LRS and stream (an activity, or the voided verb)
    rejected      malformed statements the pulls skipped, and why
    certificates  issued certificates: the verification code and what the certificate says

Times are stored as timezone-aware UTC (`timestamptz` on PostgreSQL; text on SQLite, read back
as UTC). Statement ids are the primary key of `statements` and `voids`, so nothing is added twice.
"""
from __future__ import annotations

from sqlalchemy import (
                        Boolean,
                        Column,
                        DateTime,
                        Float,
                        ForeignKey,
                        Index,
                        Integer,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

IRI = String(2048)
UUID_TEXT = String(36)
WHEN = DateTime(timezone=True)

courses = Table(
    "courses", metadata,
    Column("iri", IRI, primary_key=True),
    Column("source_id", String(255)),
    Column("title", Text),
    Column("ce_hours", Float),
    Column("requires_pass", Boolean),
    Column("organisation", Text),
    Column("updated_at", WHEN, nullable=False),
)

learners = Table(
    "learners", metadata,
    Column("key", String(2048), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("identifier", Text, nullable=False),
    Column("home_page", Text, nullable=False),
    Column("name", Text, nullable=False),
)

statements = Table(
    "statements", metadata,
    Column("id", UUID_TEXT, primary_key=True),
    Column("course_iri", IRI, nullable=False),
    Column("learner_key", String(2048), ForeignKey("learners.key"), nullable=False),
    Column("registration", String(36), nullable=False),  # "" when the statement had none
    Column("verb", String(16), nullable=False),
    Column("timestamp", WHEN, nullable=False),
    Column("stored", WHEN),
    Column("success", Boolean),
    Column("completion", Boolean),
    Column("score_scaled", Float),
    Column("score_raw", Float),
    Column("score_min", Float),
    Column("score_max", Float),
    Column("duration_seconds", Float),
    Column("session_id", String(255)),
    Column("version", String(255)),
    Column("package_hash", String(255)),
    Column("voided_by", UUID_TEXT),
    Column("lrs", String(1024), nullable=False),
    Column("pulled_at", WHEN, nullable=False),
    Index(None, "course_iri", "learner_key", "registration"),
)

items = Table(
    "items", metadata,
    Column("id", UUID_TEXT, primary_key=True),
    Column("course_iri", IRI, nullable=False),
    Column("learner_key", String(2048), ForeignKey("learners.key"), nullable=False),
    Column("registration", String(36), nullable=False),  # "" when the statement had none
    Column("verb", String(16), nullable=False),  # answered | experienced
    Column("activity_iri", IRI, nullable=False),  # {course}/question/{id} or {course}/page/{id}
    Column("parent_iri", IRI),  # context parent: the assessment or lesson
    Column("timestamp", WHEN, nullable=False),
    Column("response", Text),
    Column("success", Boolean),
    Column("score_scaled", Float),
    Column("duration_seconds", Float),
    Column("attempt", Integer),  # 1 + the record's graded attempts timestamped before it; NULL for pages
    Column("session_id", String(255)),
    Column("voided_by", UUID_TEXT),
    Column("lrs", String(1024), nullable=False),
    Column("pulled_at", WHEN, nullable=False),
    Index(None, "course_iri", "learner_key", "registration", "timestamp"),  # the report reads in this order
    Index(None, "course_iri", "verb", "activity_iri"),
)

voids = Table(
    "voids", metadata,
    Column("voided_id", UUID_TEXT, primary_key=True),
    Column("voiding_id", UUID_TEXT, nullable=False),
    Column("timestamp", WHEN),
    Column("stored", WHEN),
    Column("lrs", String(1024), nullable=False),
    Column("pulled_at", WHEN, nullable=False),
)

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("course_iri", IRI, nullable=False),
    Column("learner_key", String(2048), ForeignKey("learners.key"), nullable=False),
    Column("registration", String(36), nullable=False),
    Column("result", String(16), nullable=False),
    Column("earned", Boolean, nullable=False),
    Column("first_launch_at", WHEN),
    Column("completed_at", WHEN),
    Column("best_score", Float),
    Column("last_score", Float),
    Column("attempts", Integer, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("total_seconds", Float),
    Column("ce_hours", Float),
    Column("version", String(255)),
    Column("package_hash", String(255)),
    Column("statement_count", Integer, nullable=False),
    Column("last_statement_at", WHEN, nullable=False),
    Column("updated_at", WHEN, nullable=False),
    UniqueConstraint("course_iri", "learner_key", "registration"),
    Index(None, "completed_at"),
)

positions = Table(
    "positions", metadata,
    Column("lrs", String(1024), primary_key=True),
    Column("stream", IRI, primary_key=True),
    Column("position", WHEN, nullable=False),
    Column("updated_at", WHEN, nullable=False),
)

rejected = Table(
    "rejected", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("statement_id", String(64), unique=True),  # NULL when the statement had no usable id
    Column("field", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("lrs", String(1024), nullable=False),
    Column("seen_at", WHEN, nullable=False),
)

certificates = Table(
    "certificates", metadata,
    Column("code", String(32), primary_key=True),  # Crockford base32, without the dashes
    Column("course_iri", IRI, nullable=False),
    Column("learner_key", String(2048), nullable=False),
    Column("registration", String(36), nullable=False),
    Column("learner_name", Text, nullable=False),
    Column("learner_identifier", Text, nullable=False),
    Column("course_title", Text, nullable=False),
    Column("organisation", Text),
    Column("completed_at", WHEN, nullable=False),
    Column("ce_hours", Float),
    Column("version", String(255)),
    Column("issued_at", WHEN, nullable=False),
    UniqueConstraint("course_iri", "learner_key", "registration"),
)
