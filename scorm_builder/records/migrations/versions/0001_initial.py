"""Records, their evidence, pull positions and certificates.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

IRI = sa.String(2048)
UUID_TEXT = sa.String(36)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("iri", IRI, nullable=False),
        sa.Column("source_id", sa.String(255)),
        sa.Column("title", sa.Text()),
        sa.Column("ce_hours", sa.Float()),
        sa.Column("requires_pass", sa.Boolean()),
        sa.Column("organisation", sa.Text()),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("iri", name="pk_courses"),
    )
    op.create_table(
        "learners",
        sa.Column("key", sa.String(2048), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("home_page", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_learners"),
    )
    op.create_table(
        "statements",
        sa.Column("id", UUID_TEXT, nullable=False),
        sa.Column("course_iri", IRI, nullable=False),
        sa.Column("learner_key", sa.String(2048), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("verb", sa.String(16), nullable=False),
        sa.Column("timestamp", _when(), nullable=False),
        sa.Column("stored", _when()),
        sa.Column("success", sa.Boolean()),
        sa.Column("completion", sa.Boolean()),
        sa.Column("score_scaled", sa.Float()),
        sa.Column("score_raw", sa.Float()),
        sa.Column("score_min", sa.Float()),
        sa.Column("score_max", sa.Float()),
        sa.Column("duration_seconds", sa.Float()),
        sa.Column("session_id", sa.String(255)),
        sa.Column("version", sa.String(255)),
        sa.Column("package_hash", sa.String(255)),
        sa.Column("voided_by", UUID_TEXT),
        sa.Column("lrs", sa.String(1024), nullable=False),
        sa.Column("pulled_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.ForeignKeyConstraint(["learner_key"], ["learners.key"], name="fk_statements_learner_key_learners"),
    )
    op.create_index("ix_statements_course_iri_learner_key_registration", "statements",
                    ["course_iri", "learner_key", "registration"])
    op.create_table(
        "voids",
        sa.Column("voided_id", UUID_TEXT, nullable=False),
        sa.Column("voiding_id", UUID_TEXT, nullable=False),
        sa.Column("timestamp", _when()),
        sa.Column("stored", _when()),
        sa.Column("lrs", sa.String(1024), nullable=False),
        sa.Column("pulled_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("voided_id", name="pk_voids"),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_iri", IRI, nullable=False),
        sa.Column("learner_key", sa.String(2048), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("earned", sa.Boolean(), nullable=False),
        sa.Column("first_launch_at", _when()),
        sa.Column("completed_at", _when()),
        sa.Column("best_score", sa.Float()),
        sa.Column("last_score", sa.Float()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("total_seconds", sa.Float()),
        sa.Column("ce_hours", sa.Float()),
        sa.Column("version", sa.String(255)),
        sa.Column("package_hash", sa.String(255)),
        sa.Column("statement_count", sa.Integer(), nullable=False),
        sa.Column("last_statement_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.ForeignKeyConstraint(["learner_key"], ["learners.key"], name="fk_records_learner_key_learners"),
        sa.UniqueConstraint("course_iri", "learner_key", "registration",
                            name="uq_records_course_iri_learner_key_registration"),
    )
    op.create_index("ix_records_completed_at", "records", ["completed_at"])
    op.create_table(
        "positions",
        sa.Column("lrs", sa.String(1024), nullable=False),
        sa.Column("stream", IRI, nullable=False),
        sa.Column("position", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("lrs", "stream", name="pk_positions"),
    )
    op.create_table(
        "rejected",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("statement_id", sa.String(64)),
        sa.Column("field", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lrs", sa.String(1024), nullable=False),
        sa.Column("seen_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejected"),
        sa.UniqueConstraint("statement_id", name="uq_rejected_statement_id"),
    )
    op.create_table(
        "certificates",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("course_iri", IRI, nullable=False),
        sa.Column("learner_key", sa.String(2048), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("learner_name", sa.Text(), nullable=False),
        sa.Column("learner_identifier", sa.Text(), nullable=False),
        sa.Column("course_title", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text()),
        sa.Column("completed_at", _when(), nullable=False),
        sa.Column("ce_hours", sa.Float()),
        sa.Column("version", sa.String(255)),
        sa.Column("issued_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_certificates"),
        sa.UniqueConstraint("course_iri", "learner_key", "registration",
                            name="uq_certificates_course_iri_learner_key_registration"),
    )


def downgrade() -> None:
    for table in ("certificates", "rejected", "positions", "records", "voids", "statements", "learners", "courses"):
        op.drop_table(table)
