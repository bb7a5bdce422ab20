"""Alembic environment for the records database.

Migrations run programmatically: `store.open_store` runs `upgrade head` on every open, on the
connection it passes in `config.attributes["connection"]`. A new revision, from a checkout:

    python -c "from alembic import command; from scorm_builder.records.store import alembic_config; \
               command.revision(alembic_config(), 'what changes', rev_id='0002')"

then write its upgrade() by hand, change schema.py to match, and the schema test compares the two.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from scorm_builder.records.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=metadata,
                      render_as_batch=conn.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the alembic command line, for developers: -x url=...
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).begin() as conn:
        _run(conn)
