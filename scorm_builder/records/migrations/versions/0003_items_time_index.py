"""Items indexed in the order the report reads them: course, learner, registration, timestamp.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_items_course_iri_learner_key_registration", table_name="items")
    op.create_index("ix_items_course_iri_learner_key_registration_timestamp", "items",
                    ["course_iri", "learner_key", "registration", "timestamp"])


def downgrade() -> None:
    op.drop_index("ix_items_course_iri_learner_key_registration_timestamp", table_name="items")
    op.create_index("ix_items_course_iri_learner_key_registration", "items",
                    ["course_iri", "learner_key", "registration"])
