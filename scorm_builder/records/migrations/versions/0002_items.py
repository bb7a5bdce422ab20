"""Item-level facts: the answered (question) and experienced (page) statements below a course.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

IRI = sa.String(2048)
UUID_TEXT = sa.String(36)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", UUID_TEXT, nullable=False),
        sa.Column("course_iri", IRI, nullable=False),
        sa.Column("learner_key", sa.String(2048), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("verb", sa.String(16), nullable=False),
        sa.Column("activity_iri", IRI, nullable=False),
        sa.Column("parent_iri", IRI),
        sa.Column("timestamp", _when(), nullable=False),
        sa.Column("response", sa.Text()),
        sa.Column("success", sa.Boolean()),
        sa.Column("score_scaled", sa.Float()),
        sa.Column("duration_seconds", sa.Float()),
        sa.Column("attempt", sa.Integer()),
        sa.Column("session_id", sa.String(255)),
        sa.Column("voided_by", UUID_TEXT),
        sa.Column("lrs", sa.String(1024), nullable=False),
        sa.Column("pulled_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.ForeignKeyConstraint(["learner_key"], ["learners.key"], name="fk_items_learner_key_learners"),
    )
    op.create_index("ix_items_course_iri_learner_key_registration", "items",
                    ["course_iri", "learner_key", "registration"])
    op.create_index("ix_items_course_iri_verb_activity_iri", "items", ["course_iri", "verb", "activity_iri"])


def downgrade() -> None:
    op.drop_index("ix_items_course_iri_verb_activity_iri", table_name="items")
    op.drop_index("ix_items_course_iri_learner_key_registration", table_name="items")
    op.drop_table("items")
